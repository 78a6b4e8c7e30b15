"""Returns (withdrawal from the contract): the legal window, the refund deadline, the messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shopcare.errors import BadInput, RefusedError
from shopcare.model.legal import add_months, rules_for
from shopcare.model.returns import Return
from shopcare.services.customers import clean_text
from shopcare.services.notifications import next_version_tag, order_vars


def legal(ctx, customer):
    return rules_for(customer.country if customer else None, ctx.config.shop.country, dict(ctx.config.legal))


def rights_view(ctx, customer, delivered_on: date) -> dict[str, Any]:
    rules = legal(ctx, customer)
    cal = ctx.calendar
    return {"withdrawal_days": rules.withdrawal_days,
            "withdrawal_until": cal.legal_deadline(delivered_on, rules.withdrawal_days),
            "guarantee_until": rules.guarantee_until(delivered_on),
            "complaint_days": rules.complaint_goods_days}


def delivered_on(ctx, order) -> date | None:
    return order.delivered_at.astimezone(ctx.tz).date() if order.delivered_at else None


def window_closes(ctx, order, customer) -> date | None:
    """The last day a withdrawal may be given: counted from receipt (of the last parcel), and
    longer when the customer was never told of the right. None: not delivered yet (the right
    already applies)."""
    day = delivered_on(ctx, order)
    if day is None:
        return None
    rules = legal(ctx, customer)
    end = ctx.calendar.legal_deadline(day, rules.withdrawal_days)
    if order.rights_told is None:
        end = add_months(end, rules.uninformed_extension_months)
    return end


def return_view(ctx, r: Return) -> dict[str, Any]:
    return {"id": r.id, "items": r.items, "refund_due": r.refund_due, "reason": r.reason,
            "rejection_reason": r.rejected_reason, "goodwill": r.goodwill,
            "return_address": ctx.config.shop.return_address or f"{ctx.config.shop.name}",
            "send_by": (r.approved_at or ctx.now()).astimezone(ctx.tz).date() + timedelta(days=14)}


def _queue(ctx, kind: str, r: Return, tag: str, **extra: Any) -> None:
    order = ctx.store.get("order", r.order)
    customer = ctx.store.find("customer", order.customer)
    if customer is None:
        return
    variables = order_vars(ctx, order, customer, ret=return_view(ctx, r), **extra)
    ctx.notifier.enqueue(ctx.notifier.for_customer(kind, customer, variables, f"return/{r.id}", tag))


def open_return(ctx, order_ref: str, *, items: str, reason: str, at: datetime, force: bool = False) -> Return:
    items = clean_text(items, "items", max_len=500)
    reason = clean_text(reason, "reason", max_len=1000)
    if not items:
        raise BadInput("say which goods come back (--items, e.g. 'MUG-01:1' or 'the blue mug')")
    store = ctx.store
    with store.lock:
        order = store.get("order", order_ref)
        if order.status == "cancelled":
            raise RefusedError(f"order {order.number} is cancelled; there is nothing to return")
        customer = store.find("customer", order.customer)
        closes = window_closes(ctx, order, customer)
        notice_day = at.astimezone(ctx.tz).date()
        goodwill = False
        if closes is not None and notice_day > closes:
            if not force:
                raise RefusedError(f"the return window for order {order.number} closed on {closes.isoformat()}",
                                   hint="--force records it as a goodwill return")
            goodwill = True
        rules = legal(ctx, customer)
        now = ctx.now()
        r = Return(id=store.next_id("return", "R"), order=order.number, customer=order.customer, items=items,
                   reason=reason, opened=at, window_closes=closes,
                   refund_due=ctx.calendar.legal_deadline(notice_day, rules.refund_days),
                   created=now, updated=now, goodwill=goodwill)
        store.create(r, "return opened" + (" (goodwill, after the window)" if goodwill else ""),
                     before_save=lambda rec: _queue(ctx, "return_received", rec, "v1"))
    return r


def move_return(ctx, return_id: str, status: str, *, at: datetime, reason: str = "", amount: Decimal | None = None) -> Return:
    """approve, receive, refund or reject a return, telling the customer what they need to know."""
    store = ctx.store
    if status == "rejected" and not reason.strip():
        raise BadInput("a rejection needs a reason (--reason)")

    def apply(r: Return):
        r.move_to(status, at)
        if status == "rejected":
            r.rejected_reason = clean_text(reason, "reason", max_len=1000)
        if status == "refunded":
            r.refund_amount = amount

    def queue(r: Return, _result) -> None:
        tag = next_version_tag(r)
        if status == "approved":
            _queue(ctx, "return_approved", r, tag)
        elif status == "rejected":
            _queue(ctx, "return_rejected", r, tag)
        elif status == "refunded":
            order = store.get("order", r.order)
            paid = r.refund_amount if r.refund_amount is not None else order.total
            _queue(ctx, "refund_issued", r, tag, refund={"amount": paid, "currency": order.currency,
                                                         "method": order.payment.method, "when": at.astimezone(ctx.tz).date()})

    with store.lock:
        r0 = store.get("return", return_id)
        order = store.get("order", r0.order)
        if amount is not None and amount > order.total:
            raise BadInput(f"a refund of {amount} is more than the order total {order.total}")
        r, _ = store.update("return", return_id, apply, f"return {status}", before_save=queue)
        if status == "refunded" and order.payment.state in ("paid", "partially_refunded"):
            full = r.refund_amount is None or r.refund_amount >= order.total
            store.update("order", order.number,
                         lambda o: o.set_payment("refunded" if full else "partially_refunded", at, r.refund_amount),
                         f"refund for return {r.id}")
    return r
