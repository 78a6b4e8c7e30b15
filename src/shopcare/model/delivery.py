"""A shipment of an order: carrier, tracking, the date promised to the customer, and its status.

The statuses follow what carriers and AfterShip report. What a customer is told about a
change is decided here (pure); queueing it is the service's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from shopcare.model import states

FINAL = ("delivered", "returned_to_sender")

# The message a status change owes the customer (None: nothing to tell them).
CUSTOMER_MESSAGE = {
    "in_transit": "order_shipped",
    "out_for_delivery": "out_for_delivery",
    "available_for_pickup": "available_for_pickup",
    "attempt_failed": "attempt_failed",
    "delivered": "delivered",
}
# Statuses that need a person at the shop.
STAFF_ALERT = {"exception": "a problem with the parcel", "returned_to_sender": "the parcel is going back to the shop"}

# Tracking links of carriers a shop in PL, LT or RU uses ({tracking} is the parcel number).
CARRIER_LINKS = {
    "inpost": "https://inpost.pl/sledzenie-przesylek?number={tracking}",
    "paczkomat": "https://inpost.pl/sledzenie-przesylek?number={tracking}",
    "dpd": "https://tracktrace.dpd.com.pl/parcelDetails?typ=1&p1={tracking}",
    "dhl": "https://www.dhl.com/pl-pl/home/sledzenie-przesylek.html?tracking-id={tracking}",
    "gls": "https://gls-group.com/PL/pl/sledzenie-paczek?match={tracking}",
    "ups": "https://www.ups.com/track?tracknum={tracking}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={tracking}",
    "poczta polska": "https://emonitoring.poczta-polska.pl/?numer={tracking}",
    "pocztex": "https://emonitoring.poczta-polska.pl/?numer={tracking}",
    "orlen": "https://www.orlenpaczka.pl/sledz-paczke/?numer={tracking}",
    "omniva": "https://www.omniva.lt/verslo/siuntos_sekimas?barcode={tracking}",
    "lp express": "https://www.lpexpress.lt/siuntu-sekimas?parcel={tracking}",
    "venipak": "https://venipak.lt/lt/siuntos-sekimas?code={tracking}",
    "почта россии": "https://www.pochta.ru/tracking?barcode={tracking}",
    "pochta": "https://www.pochta.ru/tracking?barcode={tracking}",
    "cdek": "https://www.cdek.ru/ru/tracking?order_id={tracking}",
    "сдэк": "https://www.cdek.ru/ru/tracking?order_id={tracking}",
    "boxberry": "https://boxberry.ru/tracking-page?id={tracking}",
}


def tracking_link(carrier: str, tracking: str, extra: dict[str, str] | None = None) -> str:
    """The carrier's tracking page for a parcel, or '' when the carrier is not known."""
    if not tracking:
        return ""
    from urllib.parse import quote

    low = carrier.strip().lower()
    for name, url in {**{k.lower(): v for k, v in (extra or {}).items()}, **CARRIER_LINKS}.items():
        if name == low or name in low:
            return url.replace("{tracking}", quote(tracking, safe=""))
    return ""


@dataclass
class TrackingEvent:
    at: datetime
    status: str
    note: str = ""
    eta: date | None = None
    source: str = "manual"
    ref: str = ""  # the import's own id of the event, so importing it again changes nothing


@dataclass
class Delivery:
    KIND: ClassVar[str] = "delivery"

    id: str
    order: str
    customer: str
    carrier: str
    created: datetime
    updated: datetime
    version: int = 0
    tracking: str = ""
    tracking_url: str = ""
    status: str = "pending"
    promised: date | None = None  # what the order's agreed terms promised (the window's end)
    eta: date | None = None  # the carrier's (or the shop's) current estimate
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    pickup_point: str = ""
    pickup_until: date | None = None
    late_for: date | None = None  # the missed date the customer and staff were told about
    delay_told_eta: date | None = None  # the new date the last delay message gave
    events: list[TrackingEvent] = field(default_factory=list)
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    @property
    def open(self) -> bool:
        return self.status not in FINAL

    def expected(self) -> date | None:
        """The date the customer can expect it now: the ETA, else the promise."""
        return self.eta or self.promised

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "order": self.order, "customer": self.customer, "carrier": self.carrier,
                "tracking": self.tracking, "status": self.status,
                "promised": self.promised.isoformat() if self.promised else None,
                "eta": self.eta.isoformat() if self.eta else None,
                "shipped_at": self.shipped_at.isoformat() if self.shipped_at else None,
                "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
                "late": self.is_late_on(None)}

    def index_columns(self) -> dict[str, Any]:
        due = self.expected() if self.open else None
        return {"status": self.status, "customer": self.customer, "ref": self.order, "created": self.created,
                "due": datetime.combine(due, datetime.min.time(), self.created.tzinfo) if due else None}

    def is_late_on(self, today: date | None) -> bool:
        """Late: not delivered and past (or, given today, expected after) the promised date."""
        if not self.open or not self.promised:
            return False
        if self.eta and self.eta > self.promised:
            return True
        return today is not None and today > self.promised

    def move_to(self, status: str, at: datetime, *, note: str = "", eta: date | None = None,
                source: str = "manual", ref: str = "") -> bool:
        """Record a tracking update; False when it says nothing new (same status, same ETA)."""
        if status == self.status and (eta is None or eta == self.eta) and not note:
            return False
        if status != self.status:
            states.check(states.DELIVERY, f"delivery {self.id}", self.status, status)
        self.status = status
        if eta is not None:
            self.eta = eta
        if status not in ("pending", "info_received") and self.shipped_at is None:
            self.shipped_at = at
        if status == "delivered":
            self.delivered_at = at
        self.events.append(TrackingEvent(at=at, status=status, note=note, eta=eta, source=source, ref=ref))
        return True
