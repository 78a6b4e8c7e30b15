"""State machines as data: which state may follow which, for every kind of record."""

from __future__ import annotations

from shopcare.errors import InvalidTransition

ORDER = {
    "new": ("confirmed", "cancelled"),
    "confirmed": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": ("completed",),
    "completed": (),
    "cancelled": (),
}

PAYMENT_METHODS = ("cod", "transfer", "card", "paypal", "blik", "other")
PAYMENT = {
    "unpaid": ("paid",),
    "paid": ("refunded", "partially_refunded"),
    "partially_refunded": ("refunded",),
    "refunded": (),
}

# Close to what carriers and AfterShip report; `exception` covers customs, damage, lost.
DELIVERY = {
    "pending": ("info_received", "in_transit", "out_for_delivery", "available_for_pickup", "delivered", "exception"),
    "info_received": ("in_transit", "out_for_delivery", "available_for_pickup", "delivered", "attempt_failed", "exception", "returned_to_sender"),
    "in_transit": ("in_transit", "out_for_delivery", "available_for_pickup", "delivered", "attempt_failed", "exception", "returned_to_sender"),
    "out_for_delivery": ("delivered", "attempt_failed", "available_for_pickup", "exception", "in_transit", "returned_to_sender"),
    "attempt_failed": ("out_for_delivery", "in_transit", "available_for_pickup", "delivered", "exception", "returned_to_sender"),
    # InPost moves a parcel nobody collected from a locker to a courier: pickup -> out for delivery.
    "available_for_pickup": ("delivered", "returned_to_sender", "exception", "in_transit", "out_for_delivery"),
    "exception": ("in_transit", "out_for_delivery", "available_for_pickup", "delivered", "returned_to_sender", "attempt_failed"),
    "delivered": (),
    "returned_to_sender": (),
}

RETURN = {
    "requested": ("approved", "rejected"),
    "approved": ("received", "rejected"),
    "received": ("refunded", "rejected"),
    "refunded": (),
    "rejected": (),
}

COMPLAINT = {
    "open": ("answered",),
    "answered": (),
}

INQUIRY = {
    "open": ("acknowledged", "answered", "skipped"),
    "acknowledged": ("answered",),
    "skipped": ("answered",),
    "answered": (),
}


def check(table: dict[str, tuple[str, ...]], what: str, current: str, new: str) -> None:
    """Raise InvalidTransition naming the allowed next states."""
    if new not in table:
        raise InvalidTransition(f"{new!r} is not a {what} state (states: {', '.join(table)})")
    if new not in table.get(current, ()):
        allowed = table.get(current, ())
        nxt = ", ".join(allowed) if allowed else "none: it is final"
        raise InvalidTransition(f"{what} is {current}; it cannot become {new} (allowed next: {nxt})")
