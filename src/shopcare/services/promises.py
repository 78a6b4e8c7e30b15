"""Promises made to customers: recorded with their date, listed, kept."""

from __future__ import annotations

from datetime import date, datetime

from shopcare.errors import BadInput, NotFound, RefusedError
from shopcare.model.promise import Promise
from shopcare.services.customers import clean_text


def add_promise(ctx, target: str, *, what: str, due: date | None, kind: str = "other") -> Promise:
    """A promise to a customer (target: a customer id) or about an order (an order number)."""
    what = clean_text(what, "--what", max_len=500)
    if not what:
        raise BadInput("say what was promised (--what)")
    if kind not in ("other", "call", "loyalty"):
        raise BadInput("kind must be other, call or loyalty")
    store = ctx.store
    with store.lock:
        customer = store.find("customer", target) if target[:1].upper() == "C" else None
        order = None
        if customer is None:
            order = store.find("order", target)
            if order is None:
                raise NotFound(f"no customer or order {target!r}")
            customer = store.get("customer", order.customer)
        if customer.forgotten:
            raise RefusedError(f"customer {customer.id} was forgotten (GDPR)")
        now = ctx.now()
        p = Promise(id=store.next_id("promise", "P"), customer=customer.id, order=order.number if order else "",
                    what=what, due=due, created=now, updated=now, kind=kind)
        store.create(p, "promise recorded")
    return p


def keep_promise(ctx, promise_id: str, at: datetime) -> Promise:
    def apply(p: Promise):
        if p.status == "kept":
            raise RefusedError(f"promise {p.id} was already kept on {p.kept_at:%Y-%m-%d}")
        p.status = "kept"
        p.kept_at = at

    p, _ = ctx.store.update("promise", promise_id, apply, "promise kept")
    return p
