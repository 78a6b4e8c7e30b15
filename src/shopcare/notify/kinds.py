"""The kinds of message shopcare sends, and what each one needs to be written.

Service messages (everything about an order a customer placed) never depend on marketing
consent; marketing kinds always do. Time-critical kinds may be exempted from quiet hours.
"""

from __future__ import annotations


class Kind:
    __slots__ = ("name", "audience", "marketing", "needs", "about")

    def __init__(self, name: str, about: str, needs: tuple[str, ...], audience: str = "customer", marketing: bool = False) -> None:
        self.name = name
        self.about = about
        self.needs = needs  # the template variables this kind is rendered with, beside shop and customer
        self.audience = audience
        self.marketing = marketing


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("order_received", "we have your order (sent with `order create --notify`)", ("order",)),
    Kind("order_confirmed", "order confirmed, with the agreed delivery terms and a date", ("order",)),
    Kind("payment_reminder", "an unpaid transfer or cash-on-delivery order", ("order", "reminder")),
    Kind("order_shipped", "handed to the carrier: carrier, tracking link, expected date", ("order", "delivery")),
    Kind("delivery_delayed", "an apology and the new delivery date, before the customer asks", ("order", "delivery")),
    Kind("out_for_delivery", "the courier brings it today", ("order", "delivery")),
    Kind("available_for_pickup", "waiting at the pickup point, and until when", ("order", "delivery")),
    Kind("attempt_failed", "the courier could not deliver; what happens next", ("order", "delivery")),
    Kind("delivered", "delivered: warranty and return rights with their dates, any loyalty discount", ("order", "delivery", "rights", "loyalty")),
    Kind("order_cancelled", "the order is cancelled, why, and the refund if paid", ("order",)),
    Kind("refund_issued", "money sent back", ("order", "refund")),
    Kind("return_received", "a return (withdrawal) request recorded, with the refund deadline", ("order", "ret")),
    Kind("return_approved", "the return is approved: how to send the goods", ("order", "ret")),
    Kind("return_rejected", "the return is rejected, and why", ("order", "ret")),
    Kind("complaint_received", "a complaint recorded, with the date it will be answered by", ("order", "complaint")),
    Kind("complaint_answer", "the shop's answer to a complaint", ("order", "complaint")),
    Kind("inquiry_ack", "we got your email; a person answers by a given time", ("inquiry",)),
    Kind("loyalty_reminder", "a promised discount is about to expire (marketing)", ("promise",), marketing=True),
    Kind("staff_alert", "for staff: something needs a person (a deadline, a failed message)", ("alert",), audience="staff"),
)}

CUSTOMER_KINDS = tuple(k for k, v in KINDS.items() if v.audience == "customer")
