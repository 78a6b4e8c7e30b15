"""Deliveries: recording shipments and their tracking news, and telling the customer.

Each change a customer cares about queues its message inside the delivery's write (shipped,
out for delivery, waiting at a pickup point, a failed attempt, delivered; a new date later than
the one promised). The order follows its deliveries: shipped when the first leaves, delivered
when the last arrives. That step is re-run on every update, so a crash between the two writes
heals itself the next time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shopcare.errors import BadInput, NotFound, RefusedError
from shopcare.model.delivery import CUSTOMER_MESSAGE, STAFF_ALERT, Delivery, tracking_link
from shopcare.services.customers import clean_text
from shopcare.services.notifications import next_version_tag, order_vars
from shopcare.store import UNCHANGED


def delivery_view(ctx, d: Delivery, customer=None) -> dict[str, Any]:
    return {
        "id": d.id, "carrier": d.carrier, "tracking": d.tracking, "tracking_url": d.tracking_url,
        "eta": d.eta, "promised": d.promised, "status": d.status, "pickup_point": d.pickup_point,
        "pickup_until": d.pickup_until, "note": d.events[-1].note if d.events else "",
        "attempts": sum(1 for prev, e in zip([None, *d.events], d.events)
                        if e.status == "attempt_failed" and (prev is None or prev.status != "attempt_failed")),
        "requirements": customer.requirements if customer else "",
        "update_by": update_by(ctx),
    }


def update_by(ctx) -> date:
    """The day a customer hears the new date by, when a parcel is late with none known yet:
    within half a business day (a parcel found late at midnight is followed up that morning)."""
    return ctx.calendar.add_business_time(ctx.now(), 4 * 3600).astimezone(ctx.tz).date()


def deliveries_of(ctx, number: str) -> list[Delivery]:
    return [ctx.store.get("delivery", i) for i in ctx.store.ids("delivery", ref=number)]


def pick_delivery(ctx, order_ref: str, tracking: str | None) -> Delivery:
    order = ctx.store.get("order", order_ref)
    found = deliveries_of(ctx, order.number)
    if tracking:
        found = [d for d in found if d.tracking == tracking]
        if not found:
            raise NotFound(f"order {order.number} has no delivery with tracking number {tracking}")
    if not found:
        raise NotFound(f"order {order.number} has no delivery yet", hint=f"`shopcare delivery add {order.number} --carrier ... --tracking ...`")
    open_ones = [d for d in found if d.open] or found
    if len(open_ones) > 1:
        raise BadInput(f"order {order.number} has {len(open_ones)} deliveries; say which with --tracking "
                       f"({', '.join(d.tracking or d.id for d in open_ones)})")
    return open_ones[0]


def _queue(ctx, kind: str, d: Delivery, tag: str, **extra: Any) -> int:
    order = ctx.store.get("order", d.order)
    customer = ctx.store.find("customer", order.customer)
    if customer is None:
        return 0
    variables = order_vars(ctx, order, customer, delivery=delivery_view(ctx, d, customer), **extra)
    msgs = ctx.notifier.for_customer(kind, customer, variables, f"delivery/{d.id}", tag)
    return ctx.notifier.enqueue(msgs)


def _messages_for_change(ctx, d: Delivery, before_status: str, before_eta: date | None) -> None:
    """Queue what this change owes (called under the lock, before the delivery is written)."""
    tag = next_version_tag(d)
    if d.status != before_status:
        kind = CUSTOMER_MESSAGE.get(d.status)
        if kind == "order_shipped" and before_status not in ("pending", "info_received"):
            kind = None  # back in transit after an attempt or a pickup point: nothing new to say
        if kind == "delivered":
            _queue_delivered(ctx, d, tag)
        elif kind:
            _queue(ctx, kind, d, tag)
        if d.status in STAFF_ALERT:
            ctx.notifier.alert("delivery_problem", f"delivery:{d.id}:{d.status}:{tag}", order=d.order,
                               problem=STAFF_ALERT[d.status], carrier=d.carrier, tracking=d.tracking, status=d.status,
                               note=d.events[-1].note if d.events else "")
    told = d.delay_told_eta or d.promised
    if d.open and d.eta and told and d.eta > told and d.eta != before_eta:
        # A new date later than the one the customer has: tell them now, before they ask.
        _queue(ctx, "delivery_delayed", d, f"eta-{d.eta.isoformat()}")
        ctx.notifier.alert("delivery_slipped", f"delayed:{d.id}:{d.eta.isoformat()}", order=d.order,
                           eta=d.eta.isoformat(), date=d.promised.isoformat() if d.promised else "-")
        d.delay_told_eta = d.eta


def _queue_delivered(ctx, d: Delivery, tag: str) -> None:
    from shopcare.services.returns import rights_view

    order = ctx.store.get("order", d.order)
    customer = ctx.store.find("customer", order.customer)
    if customer is None:
        return
    delivered_on = d.delivered_at.astimezone(ctx.tz).date()
    loyalty = _loyalty_promise(ctx, order, customer, delivered_on)
    _queue(ctx, "delivered", d, tag, rights=rights_view(ctx, customer, delivered_on), loyalty=loyalty)


def _loyalty_promise(ctx, order, customer, delivered_on: date) -> dict | None:
    """The loyalty discount the shop promises in the `delivered` message, recorded as a promise."""
    from datetime import timedelta

    from shopcare.model.promise import Promise

    cfg = ctx.config.loyalty
    if not cfg.discount or customer.forgotten:
        return None
    delivered_orders = sum(1 for o in ctx.store.list("order", customer=customer.id) if o["status"] in ("delivered", "completed"))
    if delivered_orders + 1 < cfg.after_orders:  # this order is not counted as delivered yet
        return None
    store = ctx.store
    existing = [store.get("promise", i) for i in store.ids("promise", ref=order.number)]
    promise = next((p for p in existing if p.kind == "loyalty"), None)
    if promise is None:
        now = ctx.now()
        code = f"{cfg.code_prefix}-{order.number.replace('/', '-')}"
        discount = cfg.discount if cfg.discount.endswith("%") else f"{cfg.discount} {order.currency}"
        promise = Promise(id=store.next_id("promise", "P"), customer=customer.id, order=order.number,
                          what=f"{discount} off the next order, code {code}", created=now, updated=now,
                          due=delivered_on + timedelta(days=cfg.valid_days), kind="loyalty", code=code)
        store.create(promise, "loyalty discount promised with the delivered message")
    return {"discount": promise.what.split(" off ")[0], "code": promise.code, "valid_until": promise.due}


def sync_order(ctx, number: str, at: datetime) -> None:
    """Bring the order's status in line with its deliveries (idempotent)."""
    deliveries = deliveries_of(ctx, number)
    if not deliveries:
        return
    # Left the shop: the carrier has it (an `exception` straight from a label says nothing of that).
    moving = ("in_transit", "out_for_delivery", "attempt_failed", "available_for_pickup", "delivered", "returned_to_sender")
    left = any(d.status in moving or any(e.status in moving for e in d.events) for d in deliveries)
    all_delivered = all(d.status == "delivered" for d in deliveries)

    def apply(o):
        changed = False
        if left and o.status == "confirmed":
            o.move_to("shipped", at)
            changed = True
        if all_delivered and o.status == "shipped":
            o.move_to("delivered", max(d.delivered_at for d in deliveries))
            customer = ctx.store.find("customer", o.customer)
            if customer is not None and customer.channel != "none" and not customer.forgotten:
                o.rights_told = at  # the delivered message told them of their rights
            changed = True
        return None if changed else UNCHANGED

    ctx.store.update("order", number, apply, "follows its deliveries")


def add_delivery(ctx, order_ref: str, *, carrier: str, tracking: str, at: datetime, status: str = "in_transit",
                 eta: date | None = None, tracking_url: str | None = None, pickup_point: str = "", note: str = "",
                 source: str = "manual", ref: str = "") -> Delivery:
    from shopcare.model import states

    carrier = clean_text(carrier, "carrier", max_len=80)
    tracking = clean_text(tracking, "tracking number", max_len=80)
    if not carrier:
        raise BadInput("a delivery needs a carrier (--carrier)")
    if status not in states.DELIVERY:
        raise BadInput(f"--status {status!r} is not a delivery status ({', '.join(states.DELIVERY)})")
    store = ctx.store
    with store.lock:
        order = store.get("order", order_ref)
        if order.status == "new":
            raise RefusedError(f"order {order.number} is not confirmed yet; confirm it first (`shopcare order confirm {order.number}`)")
        if order.status == "cancelled":
            raise RefusedError(f"order {order.number} is cancelled")
        existing = deliveries_of(ctx, order.number)
        if tracking and any(d.tracking == tracking for d in existing):
            raise RefusedError(f"order {order.number} already has a delivery with tracking number {tracking}")
        now = ctx.now()
        d = Delivery(
            id=f"{order.number}-{len(existing) + 1}", order=order.number, customer=order.customer, carrier=carrier,
            created=at, updated=now, tracking=tracking,
            tracking_url=tracking_url or tracking_link(carrier, tracking, ctx.config.sections.get("carriers")),
            promised=order.promised_by, pickup_point=clean_text(pickup_point, "pickup point", max_len=200),
        )
        if status != "pending" or eta or note:
            d.move_to(status, at, note=clean_text(note, "note", max_len=500), eta=eta, source=source, ref=ref)

        def queue(rec: Delivery) -> None:
            _messages_for_change(ctx, rec, "pending", None)

        store.create(d, f"delivery added ({carrier} {tracking})".strip(), before_save=queue)
        sync_order(ctx, order.number, at)
    return d


def update_delivery(ctx, order_ref: str, *, status: str | None, at: datetime, eta: date | None = None,
                    note: str = "", tracking: str | None = None, pickup_point: str | None = None,
                    pickup_until: date | None = None, source: str = "manual", ref: str = "") -> tuple[Delivery, bool]:
    from shopcare.model import states

    if status is not None and status not in states.DELIVERY:
        raise BadInput(f"--status {status!r} is not a delivery status ({', '.join(states.DELIVERY)})")
    note = clean_text(note, "note", max_len=500)
    store = ctx.store
    with store.lock:
        d0 = pick_delivery(ctx, order_ref, tracking)
        before: dict[str, Any] = {}

        def apply(d: Delivery):
            before["status"], before["eta"] = d.status, d.eta
            if ref and any(e.ref == ref for e in d.events):
                return UNCHANGED  # this tracking event was imported before
            changed = False
            if pickup_point is not None and pickup_point != d.pickup_point:
                d.pickup_point, changed = clean_text(pickup_point, "pickup point", max_len=200), True
            if pickup_until is not None and pickup_until != d.pickup_until:
                d.pickup_until, changed = pickup_until, True
            if d.move_to(status or d.status, at, note=note, eta=eta, source=source, ref=ref):
                changed = True
            return None if changed else UNCHANGED

        def queue(d: Delivery, _result) -> None:
            _messages_for_change(ctx, d, before["status"], before["eta"])

        desc = f"status {status}" if status else "tracking news"
        d, result = store.update("delivery", d0.id, apply, desc, before_save=queue)
        sync_order(ctx, d.order, at)
    return d, result is not UNCHANGED
