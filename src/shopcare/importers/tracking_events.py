"""What a tracking file says: shopcare's delivery statuses and the words carriers, tracking
services and shop staff use for them (English, Polish, Lithuanian, Russian), and one tracking
event as read from a file."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from shopcare.importers.base import Problem, RowError, timestamp

# -- vocabularies -------------------------------------------------------------------------------

def _norm(text: str) -> str:
    """'In Transit', 'in_transit', 'InTransit' -> 'intransit' (letters of any script and digits)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# shopcare's own statuses (states.DELIVERY).
SHOPCARE_STATUSES = ("pending", "info_received", "in_transit", "out_for_delivery", "attempt_failed",
                     "available_for_pickup", "delivered", "exception", "returned_to_sender")

# AfterShip's nine tags (and the labels its dashboard shows). None: not news about the parcel.
AFTERSHIP_TAGS: dict[str, str | None] = {
    "Pending": "pending",
    "InfoReceived": "info_received", "Info Received": "info_received", "Information Received": "info_received",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AttemptFail": "attempt_failed", "Failed Attempt": "attempt_failed",
    "Delivered": "delivered",
    "AvailableForPickup": "available_for_pickup",
    "Exception": "exception",
    "Expired": None,  # AfterShip stopped tracking it: no news for 30 days
}

# InPost ShipX statuses. None: known, but says nothing about where the parcel is.
INPOST_STATUSES: dict[str, str | None] = {
    "created": "pending", "offers_prepared": "pending", "offer_selected": "pending",
    "confirmed": "info_received",
    "dispatched_by_sender": "in_transit", "dispatched_by_sender_to_pok": "in_transit",
    "collected_from_sender": "in_transit", "taken_by_courier": "in_transit", "taken_by_courier_from_pok": "in_transit",
    "adopted_at_source_branch": "in_transit", "sent_from_source_branch": "in_transit",
    "adopted_at_sorting_center": "in_transit", "sent_from_sorting_center": "in_transit",
    "adopted_at_sorting_hub": "in_transit", "sent_from_sorting_hub": "in_transit",
    "adopted_at_target_branch": "in_transit",
    "delay_in_delivery": "in_transit", "redirect_to_box": "in_transit", "canceled_redirect_to_box": "in_transit",
    "readdressed": "in_transit", "permanently_redirected_to_box_machine": "in_transit",
    "permanently_redirected_to_customer_service_point": "in_transit", "oversized": "in_transit",
    "unstack_from_box_machine": "in_transit", "unstack_from_customer_service_point": "in_transit",
    "taken_by_courier_from_customer_service_point": "in_transit",
    "out_for_delivery": "out_for_delivery", "out_for_delivery_to_address": "out_for_delivery",
    "ready_to_pickup": "available_for_pickup", "pickup_reminder_sent": "available_for_pickup",
    "ready_to_pickup_from_pok": "available_for_pickup", "ready_to_pickup_from_pok_registered": "available_for_pickup",
    "ready_to_pickup_from_branch": "available_for_pickup", "stack_in_box_machine": "available_for_pickup",
    "stack_in_customer_service_point": "available_for_pickup",
    "courier_avizo_in_customer_service_point": "available_for_pickup",
    "avizo": "attempt_failed",
    "delivered": "delivered",
    "pickup_time_expired": "exception", "stack_parcel_pickup_time_expired": "exception",
    "stack_parcel_in_box_machine_pickup_time_expired": "exception",
    "undelivered": "exception", "undelivered_wrong_address": "exception",
    "undelivered_incomplete_address": "exception", "undelivered_unknown_receiver": "exception",
    "undelivered_cod_cash_receiver": "exception", "undelivered_no_mailbox": "exception",
    "undelivered_not_live_address": "exception", "undelivered_lack_of_access_letterbox": "exception",
    "rejected_by_receiver": "exception", "missing": "exception", "claimed": "exception",
    "claim_rejected": "exception",
    "canceled": None,  # the label was cancelled: nothing left the shop (an exception would mark the order shipped)
    "returned_to_sender": "returned_to_sender", "return_pickup_confirmation_to_sender": "returned_to_sender",
    "other": None,
}

# What shops type into their own spreadsheets (PL, LT, RU).
LOCAL_WORDS: dict[str, str] = {
    # Polish
    "nadana": "in_transit", "w drodze": "in_transit", "w transporcie": "in_transit", "w doręczeniu": "out_for_delivery",
    "wydana do doręczenia": "out_for_delivery", "przekazana do doręczenia": "out_for_delivery",
    "gotowa do odbioru": "available_for_pickup", "czeka na odbiór": "available_for_pickup",
    "awizo": "attempt_failed", "nieudana próba doręczenia": "attempt_failed",
    "doręczona": "delivered", "doręczono": "delivered", "dostarczona": "delivered", "odebrana": "delivered",
    "zwrot do nadawcy": "returned_to_sender", "zwrócona do nadawcy": "returned_to_sender",
    "problem": "exception", "wyjątek": "exception", "oczekuje na nadanie": "info_received",
    # Lithuanian
    "vežama": "in_transit", "kelyje": "in_transit", "pristatoma": "out_for_delivery",
    "laukia atsiėmimo": "available_for_pickup", "galima atsiimti": "available_for_pickup",
    "nepavyko pristatyti": "attempt_failed", "pristatyta": "delivered", "įteikta": "delivered",
    "grąžinta siuntėjui": "returned_to_sender",
    # Russian
    "в пути": "in_transit", "принято в отделении": "in_transit", "передано курьеру": "out_for_delivery",
    "доставляется курьером": "out_for_delivery", "прибыло в место вручения": "available_for_pickup",
    "ожидает получения": "available_for_pickup", "готово к выдаче": "available_for_pickup",
    "неудачная попытка вручения": "attempt_failed", "вручено": "delivered", "доставлено": "delivered",
    "получено": "delivered", "возвращено отправителю": "returned_to_sender", "возврат отправителю": "returned_to_sender",
}

_STATUS_WORDS: dict[str, str | None] = {}
for _table in (LOCAL_WORDS, INPOST_STATUSES, AFTERSHIP_TAGS, {s: s for s in SHOPCARE_STATUSES}):
    _STATUS_WORDS.update({_norm(k): v for k, v in _table.items()})


class UnknownStatus(RowError):
    """A status no vocabulary here knows."""


def map_status(raw: str) -> str | None:
    """Any vocabulary's status -> shopcare's; None for a known status that is not parcel news.

    Raises UnknownStatus for a word none of the vocabularies has. AfterShip subtags
    (`Delivered_002`) are read by their tag.
    """
    text = raw.strip()
    key = _norm(text)
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    m = re.fullmatch(r"([A-Za-z]+)_\d{3}", text)
    if m and _norm(m.group(1)) in _STATUS_WORDS:
        return _STATUS_WORDS[_norm(m.group(1))]
    raise UnknownStatus(f"status {raw!r} is not one shopcare knows (shopcare, AfterShip or InPost statuses)")


# AfterShip slugs -> the carrier name shopcare knows (for the tracking link); others are tidied up.
AFTERSHIP_SLUGS = {
    "inpost-paczkomaty": "InPost", "inpost": "InPost", "dpd-poland": "DPD", "dpd": "DPD", "dhl": "DHL",
    "dhl-poland": "DHL", "gls": "GLS", "ups": "UPS", "fedex": "FedEx", "poczta-polska": "Poczta Polska",
    "omniva": "Omniva", "lietuvos-pastas": "LP Express", "venipak": "Venipak", "russian-post": "Почта России",
    "cdek": "CDEK", "boxberry": "Boxberry", "orlen-paczka": "Orlen Paczka",
}


def carrier_from_slug(slug: str) -> str:
    slug = slug.strip()
    if not slug:
        return ""
    return AFTERSHIP_SLUGS.get(slug.lower(), slug.replace("-", " ").replace("_", " ").title())


# -- what a file says ---------------------------------------------------------------------------

class Skipped(Problem):
    """Something in the file that is not tracking news (reported as a warning, not a problem)."""


@dataclass
class ParsedEvent:
    """One piece of tracking news, as read from a file, before it touches the store."""

    line: int
    source: str
    tracking: str
    status: str  # shopcare's vocabulary
    at: datetime
    raw_status: str = ""
    eta: date | None = None
    note: str = ""
    orders: tuple[str, ...] = ()  # order numbers the row names, most specific first
    carrier: str = ""
    pickup_point: str = ""
    eta_only: bool = False  # a new expected date without a new checkpoint (AfterShip edd_revise)
    sent: datetime | None = None  # when the payload that gave `eta` was sent

    @property
    def key(self) -> str:
        return tracking_key(self.tracking)

    @property
    def ref(self) -> str:
        return event_ref(self.tracking, self.status, self.at, self.source, self.eta if self.eta_only else None)


def tracking_key(tracking: str) -> str:
    """A tracking number as compared: no spaces, upper case."""
    return re.sub(r"\s+", "", tracking).upper()


def event_ref(tracking: str, status: str, at: datetime, source: str, eta: date | None = None) -> str:
    """The idempotency key of one tracking event: the same news gives the same ref however the
    file writes the time (local or with an offset)."""
    parts = [source, tracking_key(tracking), status, at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")]
    if eta is not None:
        parts.append(f"eta={eta.isoformat()}")
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def _clean(text: Any, max_len: int) -> str:
    """One line of printable text, at most max_len characters."""
    if text is None:
        return ""
    value = " ".join(str(text).split())
    value = "".join(ch for ch in value if ch.isprintable())
    return value if len(value) <= max_len else value[: max_len - 1].rstrip() + "…"


def _day(text: Any, tz) -> date | None:
    """An expected delivery date: '2026-11-21', '21.11.2026', or a date and time."""
    if text is None or text == "":
        return None
    raw = str(text).strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise RowError(f"expected delivery {raw!r} is not a date") from None
    try:
        value = timestamp(raw, tz)
    except RowError:
        raise RowError(f"expected delivery {raw!r} is not a date") from None
    return value.astimezone(tz).date() if value else None


def _when(text: Any, tz, what: str) -> datetime:
    """An event's moment, in the shop's time zone; one written without an offset is shop time."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return datetime.fromtimestamp(text, tz)  # a unix timestamp (AfterShip's `ts`)
    raw = str(text or "").strip()
    if not raw:
        raise RowError(f"no {what}")
    if re.fullmatch(r"\d{9,11}", raw):  # a unix timestamp in a text field
        return datetime.fromtimestamp(int(raw), tz)
    try:
        value = timestamp(raw, tz)
    except RowError:
        raise RowError(f"{what} {raw!r} is not a date and time this importer understands") from None
    return value.astimezone(tz)


_MANGLED = re.compile(r"\d(?:[.,]\d+)?E\+\d+", re.IGNORECASE)


def _tracking(value: Any) -> str:
    text = re.sub(r"\s+", "", _clean(value, 80))
    if _MANGLED.fullmatch(text):
        raise RowError(f"tracking number {text!r} was turned into a number by a spreadsheet; "
                       "export it again with the column formatted as text")
    return text
