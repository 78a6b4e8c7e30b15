"""Order operations shared by the CLI, the importers and the daemon."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from shopcare.errors import BadInput, NotFound, RefusedError
from shopcare.ids import validate_id
from shopcare.model import states
from shopcare.model.order import DeliveryTerms, Item, Note, Order, Payment
from shopcare.services.customers import check_choice, clean_text, find_by_email


def check_currency(currency: str) -> str:
    cur = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", cur):
        raise BadInput(f"currency {currency!r} is not a three-letter code like PLN or EUR")
    return cur


def resolve_customer(ctx, ref: str):
    """A customer by id (C00001) or by email address."""
    ref = (ref or "").strip()
    if "@" in ref:
        customer = find_by_email(ctx, ref)
        if customer is None:
            raise NotFound(f"no customer with the email {ref}", hint="add one with `shopcare customer add`")
        return customer
    return ctx.store.get("customer", ref)


def build_order(ctx, number: str, *, customer_id: str, items: list[Item], currency: str,
                payment_method: str = "other", payment_state: str = "unpaid", total: Decimal | None = None,
                delivery: DeliveryTerms | None = None, note: str | None = None, created: datetime | None = None,
                source: str = "manual", source_ref: str | None = None, status: str = "new",
                phone_confirmation: bool = False) -> Order:
    number = validate_id(number, "order number")
    check_choice(payment_method, states.PAYMENT_METHODS, "payment method")
    check_choice(payment_state, tuple(states.PAYMENT), "payment state")
    check_choice(status, tuple(states.ORDER), "order status")
    currency = check_currency(currency)
    delivery = delivery or DeliveryTerms()
    if delivery.promised and delivery.promised_until and delivery.promised_until < delivery.promised:
        raise BadInput("the promised window ends before it starts")
    if total is None:
        total = sum((i.line_total for i in items), Decimal("0")) + (delivery.cost or Decimal("0"))
    now = ctx.now()
    created = created or now
    order = Order(
        number=number, customer=customer_id, currency=currency, created=created, updated=now, status=status,
        total=total, items=items, payment=Payment(method=payment_method, state=payment_state), delivery=delivery,
        source=source, source_ref=source_ref, phone_confirmation=phone_confirmation,
    )
    if payment_state == "paid":
        order.payment.paid_at = created
    if note:
        order.notes.append(Note(at=created, by=ctx.store.actor if source == "manual" else f"{source} (customer note)", text=clean_text(note, "note", max_len=4000, multiline=True)))
    return order


def create_order(ctx, number: str, *, customer: str, items: list[Item], currency: str, notify: bool = False, **kw) -> Order:
    """Create an order; it tells the customer nothing unless `notify` (order_received)."""
    if not items:
        raise BadInput("an order needs at least one --item SKU:QTY:PRICE[:NAME]")
    cust = resolve_customer(ctx, customer)
    if cust.forgotten:
        raise RefusedError(f"customer {cust.id} was forgotten (GDPR); add them again as a new customer")
    order = build_order(ctx, number, customer_id=cust.id, items=items, currency=currency, **kw)

    def queue(o: Order) -> None:
        from shopcare.services.notifications import queue_for_order

        queue_for_order(ctx, "order_received", o, "v1")

    return ctx.store.create(order, "order created", before_save=queue if notify else None)


def delivery_terms(ctx, method: str | None, cost: Decimal | None, promised: date | None,
                   promised_until: date | None = None, address: str | None = None) -> DeliveryTerms:
    return DeliveryTerms(
        method=clean_text(method, "delivery method"),
        cost=cost,
        promised=promised,
        promised_until=promised_until,
        address=clean_text(address, "address", max_len=500, multiline=True),
    )


def add_note(ctx, number: str, text: str, *, expect_version: int | None = None) -> Order:
    text = clean_text(text, "note", max_len=4000, multiline=True)
    if not text:
        raise BadInput("the note is empty")

    def apply(o: Order):
        o.notes.append(Note(at=ctx.now(), by=ctx.store.actor, text=text))

    order, _ = ctx.store.update("order", number, apply, "note added", expect_version=expect_version)
    return order
