"""Changes in an order's life (confirm, cancel, pay, refund) and the messages they owe."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shopcare.errors import BadInput, RefusedError
from shopcare.model.order import Order
from shopcare.services.customers import clean_text
from shopcare.services.notifications import next_version_tag, queue_for_order
from shopcare.store import UNCHANGED


def confirm_order(ctx, number: str, *, by: str, at: datetime, promised=None, promised_until=None,
                  expect_version: int | None = None) -> tuple[Order, bool]:
    """Confirm; the first confirmation tells the customer (order_confirmed), with the delivery
    date agreed now if one is given. Twice: nothing new."""
    was: dict[str, str] = {}
    if promised_until and not promised:
        raise BadInput("--promised-until needs --promised (the window's first day)")
    if promised and promised_until and promised_until < promised:
        raise BadInput("the promised window ends before it starts")

    def apply(o: Order):
        was["status"] = o.status
        terms_changed = False
        if promised and o.status == "new":
            terms_changed = (o.delivery.promised, o.delivery.promised_until) != (promised, promised_until)
            o.delivery.promised, o.delivery.promised_until = promised, promised_until
        elif promised and (o.delivery.promised, o.delivery.promised_until) != (promised, promised_until):
            raise RefusedError(f"order {o.number} is already {o.status}; a new date is news for the customer: "
                               f"record it on the delivery (`shopcare delivery update {o.number} --eta DATE`)")
        return (o.confirm(by, at) or terms_changed) or UNCHANGED

    def notify(o: Order, _result) -> None:
        if was["status"] == "new":
            queue_for_order(ctx, "order_confirmed", o, next_version_tag(o))

    order, result = ctx.store.update("order", number, apply, f"confirmed by {by}", before_save=notify,
                                     expect_version=expect_version)
    return order, result is not UNCHANGED


def cancel_order(ctx, number: str, *, reason: str, at: datetime, expect_version: int | None = None) -> Order:
    reason = clean_text(reason, "reason", max_len=500)

    def notify(o: Order, _result) -> None:
        queue_for_order(ctx, "order_cancelled", o, next_version_tag(o))

    order, _ = ctx.store.update("order", number, lambda o: o.cancel(reason, at), "cancelled", before_save=notify,
                                expect_version=expect_version)
    return order


def set_payment(ctx, number: str, state: str, *, at: datetime, amount: Decimal | None = None,
                expect_version: int | None = None) -> Order:
    """Record a payment or a refund; a refund tells the customer (refund_issued)."""
    if state not in ("paid", "refunded", "partially_refunded"):
        raise BadInput(f"--state must be paid, refunded or partially_refunded, not {state!r}")
    if amount is not None and state == "paid":
        raise BadInput("--amount is for refunds")

    def apply(o: Order):
        if o.payment.state == state:
            return UNCHANGED
        if amount is not None and amount > o.total:
            raise BadInput(f"a refund of {amount} is more than the order total {o.total}")
        o.set_payment(state, at, amount)

    def notify(o: Order, _result) -> None:
        if state in ("refunded", "partially_refunded"):
            refunded = o.payment.refunded if o.payment.refunded is not None else o.total
            queue_for_order(ctx, "refund_issued", o, next_version_tag(o),
                            refund={"amount": refunded, "currency": o.currency, "method": o.payment.method,
                                    "when": at.astimezone(ctx.tz).date()})

    order, _ = ctx.store.update("order", number, apply, f"payment {state}", before_save=notify,
                                expect_version=expect_version)
    return order
