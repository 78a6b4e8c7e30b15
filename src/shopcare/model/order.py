"""An order: what was bought, how it is paid, the delivery terms agreed, and its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from shopcare.errors import BadInput, RefusedError
from shopcare.model import states

CONFIRM_CHANNELS = ("email", "sms", "phone")


@dataclass
class Item:
    sku: str
    name: str
    qty: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.qty


@dataclass
class Payment:
    method: str = "other"
    state: str = "unpaid"
    paid_at: datetime | None = None
    refunded: Decimal | None = None


@dataclass
class DeliveryTerms:
    """What was agreed with the customer: how, at what cost (0 = free) and by when."""

    method: str = ""
    cost: Decimal | None = None
    promised: date | None = None
    promised_until: date | None = None
    address: str = ""


@dataclass
class Note:
    at: datetime
    by: str
    text: str


@dataclass
class Order:
    KIND: ClassVar[str] = "order"

    number: str
    customer: str
    currency: str
    created: datetime
    updated: datetime
    version: int = 0
    status: str = "new"
    total: Decimal = Decimal("0")
    items: list[Item] = field(default_factory=list)
    payment: Payment = field(default_factory=Payment)
    delivery: DeliveryTerms = field(default_factory=DeliveryTerms)
    notes: list[Note] = field(default_factory=list)
    confirmed_at: datetime | None = None
    confirmed_by: list[str] = field(default_factory=list)
    phone_confirmation: bool = False
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    source: str = "manual"
    source_ref: str | None = None
    # What shopcare has already done about this order's deadlines (so it acts once).
    reminders_sent: int = 0
    reminded_at: datetime | None = None
    late_for: date | None = None  # the missed promised date customer and staff were told about
    at_risk_told: date | None = None  # staff warned that this promised date is at risk
    rights_told: datetime | None = None  # the customer was told of their return and warranty rights
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.number

    def items_total(self) -> Decimal:
        return sum((i.line_total for i in self.items), Decimal("0"))

    def summary(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "status": self.status,
            "customer": self.customer,
            "total": format(self.total, "f"),
            "currency": self.currency,
            "payment_state": self.payment.state,
            "payment_method": self.payment.method,
            "created": self.created.isoformat(),
            "promised": self.delivery.promised.isoformat() if self.delivery.promised else None,
            "reminders_sent": self.reminders_sent,
            "reminded_at": self.reminded_at.isoformat() if self.reminded_at else None,
        }

    def index_columns(self) -> dict[str, Any]:
        # `due`: the promised date of an order not yet delivered, so deadline checks find it fast.
        promised = self.delivery.promised_until or self.delivery.promised
        due = None
        if promised and self.status in ("new", "confirmed", "shipped"):
            due = datetime.combine(promised, datetime.min.time(), self.created.tzinfo)
        return {"status": self.status, "customer": self.customer, "ref": self.payment.state, "created": self.created, "due": due}

    @property
    def promised_by(self) -> date | None:
        """The last day of the promise: the window's end, else the promised date."""
        return self.delivery.promised_until or self.delivery.promised

    # -- rules --------------------------------------------------------------------------------
    def move_to(self, new: str, at: datetime) -> None:
        states.check(states.ORDER, f"order {self.number}", self.status, new)
        self.status = new
        stamp = {"confirmed": "confirmed_at", "shipped": "shipped_at", "delivered": "delivered_at",
                 "completed": "completed_at", "cancelled": "cancelled_at"}.get(new)
        if stamp and getattr(self, stamp) is None:
            setattr(self, stamp, at)

    def confirm(self, by: str, at: datetime) -> bool:
        """Record a confirmation on channel `by`; False when it was already confirmed that way."""
        if by not in CONFIRM_CHANNELS:
            raise BadInput(f"--by must be one of {', '.join(CONFIRM_CHANNELS)}, not {by!r}")
        if self.status == "cancelled":
            raise RefusedError(f"order {self.number} is cancelled; it cannot be confirmed")
        changed = False
        if self.status == "new":
            self.move_to("confirmed", at)
            changed = True
        if by not in self.confirmed_by:
            self.confirmed_by.append(by)
            changed = True
        return changed

    def cancel(self, reason: str, at: datetime) -> None:
        if not reason.strip():
            raise BadInput("a cancellation needs a reason (--reason)")
        self.move_to("cancelled", at)
        self.cancel_reason = reason.strip()

    def set_payment(self, state: str, at: datetime, amount: Decimal | None = None) -> None:
        if state == self.payment.state:
            return
        states.check(states.PAYMENT, f"payment of order {self.number}", self.payment.state, state)
        self.payment.state = state
        if state == "paid":
            self.payment.paid_at = at
        if state in ("refunded", "partially_refunded"):
            self.payment.refunded = amount if amount is not None else (self.total if state == "refunded" else None)


def parse_item(spec: str) -> Item:
    """'SKU:QTY:PRICE[:NAME]' -> Item (the name may itself contain ':')."""
    parts = spec.split(":", 3)
    if len(parts) < 3:
        raise BadInput(f"item {spec!r} is not SKU:QTY:PRICE[:NAME]")
    sku, qty_text, price_text = (p.strip() for p in parts[:3])
    name = parts[3].strip() if len(parts) == 4 else sku
    if not sku:
        raise BadInput(f"item {spec!r} has no SKU")
    try:
        qty = int(qty_text)
    except ValueError:
        raise BadInput(f"item {spec!r}: quantity {qty_text!r} is not a whole number") from None
    if qty <= 0:
        raise BadInput(f"item {spec!r}: quantity must be at least 1")
    price = parse_money(price_text, f"item {spec!r}: price")
    return Item(sku=sku, name=name, qty=qty, unit_price=price)


def parse_money(text: str, what: str = "amount") -> Decimal:
    """'12.50', '12,50', '1 234,50' -> Decimal; refuses negatives and more than 4 decimals."""
    from decimal import InvalidOperation

    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        # '1,234.50' (en) or '1.234,50' (pl/lt/ru): the last separator is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BadInput(f"{what} {text!r} is not an amount like 12.50") from None
    if not value.is_finite() or value < 0:
        raise BadInput(f"{what} {text!r} must be zero or more")
    if value.as_tuple().exponent < -4:
        raise BadInput(f"{what} {text!r} has too many decimal places")
    return value
