"""Changes in an order's life: confirm, cancel, pay and refund."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shopcare.errors import BadInput
from shopcare.model.order import Order
from shopcare.services.customers import clean_text
from shopcare.store import UNCHANGED


def confirm_order(ctx, number: str, *, by: str, at: datetime) -> tuple[Order, bool]:
    def apply(o: Order):
        return o.confirm(by, at) or UNCHANGED

    order, result = ctx.store.update("order", number, apply, f"confirmed by {by}")
    return order, result is not UNCHANGED


def cancel_order(ctx, number: str, *, reason: str, at: datetime) -> Order:
    reason = clean_text(reason, "reason", max_len=500)

    def apply(o: Order):
        o.cancel(reason, at)

    order, _ = ctx.store.update("order", number, apply, "cancelled")
    return order


def set_payment(ctx, number: str, state: str, *, at: datetime, amount: Decimal | None = None) -> Order:
    if state not in ("paid", "refunded", "partially_refunded"):
        raise BadInput(f"--state must be paid, refunded or partially_refunded, not {state!r}")

    def apply(o: Order):
        if o.payment.state == state:
            return UNCHANGED
        o.set_payment(state, at, amount)

    order, _ = ctx.store.update("order", number, apply, f"payment {state}")
    return order
