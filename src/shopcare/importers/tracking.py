"""`shopcare delivery import`: tracking news as carriers and tracking services export it.

Three shapes are read, told apart by the content (not the file name):

* AfterShip webhook payloads, one JSON object per line (`{"event": "tracking_update", "ts": ...,
  "msg": {tracking}}`; also `edd_revise` and `tracking_pending_time`). Every checkpoint of a
  payload is one event; a payload repeats the checkpoints of the ones before it, so an event is
  taken once. The expected delivery date goes with the payload's newest new checkpoint, or, when
  only the date changed, with an event of its own.
* InPost ShipX webhook payloads, one JSON object per line (`shipment_status_changed`,
  `shipment_confirmed`).
* CSV, comma or semicolon, UTF-8 with or without a BOM (or windows-1250), whose header names the
  columns in English, Polish, Lithuanian or Russian (tracking number, status, time; optionally
  order, carrier, expected date, message, location, pickup point). Statuses may be shopcare's,
  AfterShip's tags or InPost's statuses (and the common Polish, Lithuanian and Russian words).

Every status becomes one of shopcare's delivery statuses. Each event carries a short hash of
(source, tracking number, status, moment) as its `ref`: an event whose ref a delivery already
records is skipped, so importing a file again changes nothing. A parcel's events are applied
oldest first; one older than the parcel's last recorded event, or one its current status may
not move to, is a warning and is skipped. A row that cannot be used at all (unreadable, no
tracking number, a parcel shopcare does not know) is a problem named by its line; the rest
still import. A parcel shopcare does not know yet is added as a delivery when its rows name a
confirmed order.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from shopcare.errors import BadInput, InvalidTransition, RefusedError, ShopcareError
from shopcare.importers.base import Problem, RowError, cell, dict_rows, read_csv, timestamp

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


# -- JSON lines ---------------------------------------------------------------------------------

def _json_values(text: str) -> Iterator[tuple[int, Any]]:
    """(line, value) for each JSON value in the text: JSON lines, concatenated objects or one
    array. A value that cannot be read is yielded as (line, RowError)."""
    decoder = json.JSONDecoder()
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    ws = re.compile(r"[\s\ufeff]*")
    pos = ws.match(text, 0).end()
    if text.startswith("[", pos):  # one JSON array of payloads
        pos = ws.match(text, pos + 1).end()
        while pos < len(text) and text[pos] != "]":
            start = pos
            try:
                value, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                yield line_of(exc.pos), RowError(f"not valid JSON: {exc.msg} (the rest of the array is not read)")
                return
            yield line_of(start), value
            pos = ws.match(text, pos).end()
            if text.startswith(",", pos):
                pos = ws.match(text, pos + 1).end()
        return
    while pos < len(text):
        start = pos
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield line_of(start), RowError(f"not valid JSON: {exc.msg}")
            nl = text.find("\n", start)  # go on with the next line
            if nl < 0:
                return
            pos = nl + 1
        else:
            yield line_of(start), value
        pos = ws.match(text, pos).end()


def _kind_of(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("msg"), dict) and "tracking_number" in value["msg"]:
        return "aftership"
    if isinstance(value.get("payload"), dict) and ("event_ts" in value or str(value.get("event", "")).startswith(("shipment_", "offers_"))):
        return "inpost"
    return None


def _aftership(line: int, payload: dict, tz, state: dict[str, dict]) -> Iterator[ParsedEvent | Problem]:
    """Events of one AfterShip webhook payload. `state` (per parcel) remembers which checkpoints
    and which expected date earlier payloads of this file gave, so each is taken once."""
    msg = payload["msg"]
    tracking = _tracking(msg.get("tracking_number"))
    if not tracking:
        raise RowError("AfterShip payload without a tracking_number")
    parcel = state.setdefault(tracking_key(tracking), {"refs": set(), "eta": None})
    carrier = carrier_from_slug(str(msg.get("slug") or ""))
    orders = tuple(dict.fromkeys(
        str(v).strip() for v in (msg.get("order_number"), msg.get("order_id"), msg.get("title"))
        if v not in (None, "") and tracking_key(str(v)) != tracking_key(tracking)))
    return_to_sender = bool(msg.get("return_to_sender"))
    pickup = _clean(msg.get("pickup_location") if isinstance(msg.get("pickup_location"), str) else "", 200)
    eta = _aftership_eta(msg, tz)
    sent = _when(payload["ts"], tz, "ts") if payload.get("ts") not in (None, "") else None

    events: list[ParsedEvent] = []
    checkpoints = msg.get("checkpoints") or []
    if not isinstance(checkpoints, list):
        raise RowError("msg.checkpoints is not a list")
    for i, cp in enumerate(checkpoints):
        if not isinstance(cp, dict):
            yield Problem(line, f"parcel {tracking}: checkpoint {i + 1} is not an object; skipped")
            continue
        tag = str(cp.get("tag") or "") or (str(msg.get("tag") or "") if i == len(checkpoints) - 1 else "")
        if not tag:
            continue
        try:
            at = _when(cp.get("checkpoint_time"), tz, "checkpoint_time")
            status = map_status(tag)
        except RowError as exc:
            yield Problem(line, f"parcel {tracking}, checkpoint {i + 1}: {exc}")
            continue
        if status is None:
            yield ParsedEvent(line, "aftership", tracking, "", at, raw_status=tag)  # reported as skipped
            continue
        sub = f"{cp.get('subtag_message') or ''}".casefold()
        if status == "exception" and ("returned to sender" in sub or (return_to_sender and i == len(checkpoints) - 1)):
            status = "returned_to_sender"
        place = cp.get("location") if isinstance(cp.get("location"), str) else ""
        place = place or ", ".join(str(cp[k]) for k in ("city", "country_name") if cp.get(k))
        note = _clean(cp.get("message"), 400)
        if place and str(place).casefold() not in note.casefold():
            note = _clean(f"{note} ({place})" if note else str(place), 500)
        events.append(ParsedEvent(line, "aftership", tracking, status, at, raw_status=tag, note=note, orders=orders,
                                    carrier=carrier, pickup_point=pickup if status == "available_for_pickup" else ""))
    if not checkpoints:
        tag = str(msg.get("tag") or "")
        when = msg.get("last_updated_at") or msg.get("updated_at") or payload.get("ts")
        at = _when(when, tz, "time of the update")
        status = map_status(tag) if tag else None
        if status is None:
            yield ParsedEvent(line, "aftership", tracking, "", at, raw_status=tag or "(no tag)")
        else:
            events.append(ParsedEvent(line, "aftership", tracking, status, at, raw_status=tag, orders=orders,
                                        carrier=carrier))
    new: list[ParsedEvent] = []
    for e in events:
        if e.ref not in parcel["refs"]:
            parcel["refs"].add(e.ref)
            new.append(e)
    if eta is not None and eta != parcel["eta"]:
        if new:
            newest = max(new, key=lambda e: e.at)
            newest.eta, newest.sent = eta, sent
        elif events or sent:
            latest = max(events, key=lambda e: e.at) if events else None
            status = latest.status if latest else map_status(str(msg.get("tag") or "Pending"))
            at = max([t for t in (sent, latest.at if latest else None) if t is not None])
            if status:
                revise = ParsedEvent(line, "aftership", tracking, status, at, raw_status="expected_delivery", eta=eta,
                                       orders=orders, carrier=carrier, eta_only=True)
                parcel["refs"].add(revise.ref)
                new.append(revise)
        parcel["eta"] = eta
    yield from new


def _aftership_eta(msg: dict, tz) -> date | None:
    latest = msg.get("latest_estimated_delivery")
    if isinstance(latest, dict):
        value = latest.get("datetime") or latest.get("datetime_max")
        if value:
            return _day(value, tz)
    return _day(msg.get("expected_delivery"), tz)


def _inpost(line: int, payload: dict, tz) -> Iterator[ParsedEvent | Problem]:
    body = payload["payload"]
    event = str(payload.get("event") or "")
    if event == "shipment_status_changed":
        raw = str(body.get("status") or "")
    elif event == "shipment_confirmed":
        raw = "confirmed"
    else:
        yield Skipped(line, f"InPost {event or 'webhook'} is not a tracking update; skipped")
        return
    tracking = _tracking(body.get("tracking_number"))
    if not tracking:
        raise RowError(f"InPost {event} without a tracking_number (shipment {body.get('shipment_id', '?')}); "
                       "shopcare finds parcels by tracking number")
    at = _when(payload.get("event_ts"), tz, "event_ts")
    if not raw:
        raise RowError(f"parcel {tracking}: InPost {event} without a status")
    status = INPOST_STATUSES.get(raw.strip().lower(), "?")
    if status == "?":
        try:
            status = map_status(raw)
        except UnknownStatus:
            status = None
    yield ParsedEvent(line, "inpost", tracking, status or "", at, raw_status=raw, carrier="InPost")


def _read_json(path: Path, text: str, tz, report: "TrackingReport") -> list[ParsedEvent]:
    events: list[ParsedEvent] = []
    state: dict[str, dict] = {}
    kinds: list[str] = []
    payloads: list[tuple[float, int, str, dict]] = []
    for line, value in _json_values(text):
        if isinstance(value, RowError):
            report.problems.append(Problem(line, str(value)))
            continue
        kind = _kind_of(value)
        if kind is None:
            report.problems.append(Problem(line, "not an AfterShip or InPost tracking webhook payload"))
            continue
        if kind not in kinds:
            kinds.append(kind)
        payloads.append((_sent_at(value) if kind == "aftership" else 0.0, line, kind, value))
    # AfterShip payloads oldest first: each repeats the checkpoints before it, and which expected
    # date is news depends on the one before.
    payloads.sort(key=lambda p: (p[0], p[1]))
    for _, line, kind, value in payloads:
        try:
            items = list(_aftership(line, value, tz, state) if kind == "aftership" else _inpost(line, value, tz))
        except RowError as exc:
            report.problems.append(Problem(line, str(exc)))
            continue
        for item in items:
            if isinstance(item, Problem):
                (report.warnings if isinstance(item, Skipped) else report.problems).append(item)
            else:
                events.append(item)
    report.format = "+".join(kinds) or "json"
    return events


def _sent_at(payload: dict) -> float:
    ts = payload.get("ts")
    try:
        return float(ts)
    except (TypeError, ValueError):
        return 0.0


# -- CSV ----------------------------------------------------------------------------------------

# Column names, compared after _norm(). The first one found wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "tracking": ("tracking_number", "tracking number", "tracking", "tracking no", "tracking code", "tracking id",
                 "parcel number", "waybill", "awb", "numer przesyłki", "nr przesyłki", "numer paczki",
                 "numer listu przewozowego", "list przewozowy", "siuntos numeris", "siuntos nr", "trek numeris",
                 "трек-номер", "трек номер", "трек", "номер отправления", "шпи"),
    "status": ("status", "tag", "delivery status", "shipment status", "status przesyłki", "statusas",
               "siuntos būsena", "būsena", "статус", "статус отправления"),
    "time": ("time", "event_time", "event time", "checkpoint_time", "checkpoint time", "last checkpoint time",
             "last updated at", "updated at", "date", "datetime", "timestamp", "data zdarzenia", "data i godzina",
             "data statusu", "czas", "data", "įvykio laikas", "laikas", "дата и время", "дата операции", "время", "дата"),
    "eta": ("eta", "expected_delivery", "expected delivery", "expected delivery date", "estimated delivery",
            "estimated delivery date", "planowana data doręczenia", "przewidywana data doręczenia",
            "numatoma pristatymo data", "ожидаемая дата доставки", "плановая дата доставки"),
    "order": ("order", "order_number", "order number", "order id", "order_id", "order no", "zamówienie",
              "numer zamówienia", "nr zamówienia", "užsakymas", "užsakymo numeris", "заказ", "номер заказа"),
    "carrier": ("carrier", "courier", "slug", "przewoźnik", "kurier", "vežėjas", "kurjeris", "перевозчик",
                "служба доставки"),
    "note": ("note", "message", "checkpoint message", "last checkpoint", "description", "opis", "uwagi",
             "komentarz", "pastaba", "aprašymas", "комментарий", "описание", "сообщение"),
    "location": ("location", "city", "lokalizacja", "miejsce", "miasto", "vieta", "место", "город"),
    "pickup_point": ("pickup point", "pickup location", "paczkomat", "punkt odbioru", "atsiėmimo vieta",
                     "paštomatas", "пункт выдачи"),
}


def csv_columns(header: list[str]) -> dict[str, str]:
    """shopcare's field -> the header cell that holds it."""
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(_norm(h), h)
    found: dict[str, str] = {}
    for fieldname, names in COLUMNS.items():
        for name in names:
            h = by_norm.get(_norm(name))
            if h is not None and h not in found.values():
                found[fieldname] = h
                break
    return found


def _read_csv(path: Path, tz, report: "TrackingReport") -> list[ParsedEvent]:
    header, rows, notices = read_csv(path)
    report.notices.extend(notices)
    report.format = "csv"
    cols = csv_columns(header)
    missing = [f for f in ("tracking", "status", "time") if f not in cols]
    if missing:
        raise BadInput(
            f"{path}: cannot find the {', '.join(missing)} column(s) in the header ({', '.join(header)})",
            hint="name them e.g. tracking_number / numer przesyłki, status, time / data zdarzenia "
                 "(optional: order, carrier, eta, note, location, pickup point)",
        )
    events: list[ParsedEvent] = []
    for line, row in dict_rows(header, rows):
        def get(name: str) -> str:
            return cell(row, cols[name]) if name in cols else ""

        try:
            tracking = _tracking(get("tracking"))
            if not tracking:
                raise RowError("no tracking number")
            raw = get("status")
            if not raw:
                raise RowError(f"parcel {tracking}: no status")
            try:
                status = map_status(raw)
            except UnknownStatus as exc:
                raise RowError(f"parcel {tracking}: {exc}") from None
            at = _when(get("time"), tz, "event time")
            eta = _day(get("eta"), tz)
        except RowError as exc:
            report.problems.append(Problem(line, str(exc)))
            continue
        note = _clean(get("note"), 400)
        place = get("location")
        if place and place.casefold() not in note.casefold():
            note = _clean(f"{note} ({place})" if note else place, 500)
        carrier = get("carrier")
        carrier = carrier_from_slug(carrier) if re.fullmatch(r"[a-z0-9-]+", carrier) else _clean(carrier, 80)
        order = get("order")
        events.append(ParsedEvent(line, "csv", tracking, status or "", at, raw_status=raw, eta=eta, note=note,
                                    orders=(order,) if order else (), carrier=carrier,
                                    pickup_point=_clean(get("pickup_point"), 200)))
    return events


# -- the report ---------------------------------------------------------------------------------

@dataclass
class TrackingReport:
    file: str
    format: str = ""
    events: int = 0  # distinct tracking events read
    parcels: int = 0
    applied: int = 0
    already_known: int = 0  # recorded before (by ref), or saying nothing new
    skipped: int = 0  # not applied: older than what is recorded, a transition not allowed, no status
    deliveries_added: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied or self.deliveries_added)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "format": self.format, "events": self.events, "parcels": self.parcels,
            "applied": self.applied, "already_known": self.already_known, "skipped": self.skipped,
            "deliveries_added": self.deliveries_added, "changed": self.changed,
            "problems": [{"line": p.line, "message": p.message} for p in self.problems],
            "warnings": [{"line": p.line, "message": p.message} for p in self.warnings],
            "notices": self.notices,
        }

    def describe(self) -> str:
        names = {"aftership": "AfterShip webhooks", "inpost": "InPost webhooks", "csv": "CSV"}
        fmt = " + ".join(names.get(f, f) for f in self.format.split("+")) if self.format else "tracking file"
        parts = [f"{fmt}: {self.events} tracking event(s) for {self.parcels} parcel(s)"]
        if self.applied:
            parts.append(f"{self.applied} applied")
        if self.deliveries_added:
            parts.append(f"{self.deliveries_added} new deliver{'y' if self.deliveries_added == 1 else 'ies'}")
        if self.already_known:
            parts.append(f"{self.already_known} already known")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} row problem(s) (not imported)")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning(s)")
        text = "; ".join(parts)
        if not self.changed:
            text += " - nothing changed"
        return text


# -- applying -----------------------------------------------------------------------------------

def import_tracking(ctx, path: Path | str) -> TrackingReport:
    """Read a tracking file (format detected from its content) and apply its events."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a directory, not a tracking file") from None
    head = raw[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if not head:
        raise BadInput(f"{path}: the file is empty")
    report = TrackingReport(file=str(path))
    tz = ctx.tz
    if head[0] in "{[":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BadInput(f"{path}:{line}: not UTF-8 text; JSON webhook payloads are UTF-8") from None
        events = _read_json(path, text, tz, report)
    else:
        events = _read_csv(path, tz, report)
    _apply(ctx, events, report)
    report.problems.sort(key=lambda p: p.line)
    report.warnings.sort(key=lambda p: p.line)
    return report


def _apply(ctx, events: list[ParsedEvent], report: TrackingReport) -> None:
    # Each event once (a file may repeat one); the parcels in the order the file first names them.
    parcels: dict[str, list[ParsedEvent]] = {}
    seen: set[str] = set()
    for e in events:
        if not e.status:
            quiet = event_ref(e.tracking, f"raw:{e.raw_status}", e.at, e.source)
            if quiet in seen:
                continue
            seen.add(quiet)
            report.warnings.append(Problem(e.line, f"parcel {e.tracking}: {e.source} status {e.raw_status!r} "
                                                   "is not news shopcare tracks; skipped"))
            report.skipped += 1
            continue
        if e.ref in seen:
            continue
        seen.add(e.ref)
        parcels.setdefault(e.key, []).append(e)
    report.events = sum(len(v) for v in parcels.values())
    report.parcels = len(parcels)
    if not parcels:
        return
    known: dict[str, list[dict]] = {}
    for s in ctx.store.list("delivery"):
        if s.get("tracking"):
            known.setdefault(tracking_key(s["tracking"]), []).append(s)
    for key, evs in parcels.items():
        evs.sort(key=lambda e: (e.at, e.line))
        try:
            _apply_parcel(ctx, evs, known.get(key, []), report)
        except ShopcareError as exc:  # the store itself refused: name the parcel, go on with the rest
            report.problems.append(Problem(evs[0].line, f"parcel {evs[0].tracking}: {exc.message}"))


def _problem_for_parcel(report: TrackingReport, evs: list[ParsedEvent], message: str) -> None:
    """A parcel none of whose events can be imported: one problem per line naming it."""
    for line in sorted({e.line for e in evs}):
        report.problems.append(Problem(line, message))


def _find_order(ctx, evs: list[ParsedEvent]):
    for e in evs:
        for number in e.orders:
            try:
                order = ctx.store.find("order", number)
            except BadInput:
                continue
            if order is not None:
                return order
    return None


def _guess_carrier(tracking: str) -> str:
    return "InPost" if re.fullmatch(r"\d{24}", tracking_key(tracking)) else ""


def _apply_parcel(ctx, evs: list[ParsedEvent], found: list[dict], report: TrackingReport) -> None:
    from shopcare.services.deliveries import add_delivery

    first = evs[0]
    tracking = first.tracking
    if len(found) > 1:
        orders = ", ".join(sorted(s["order"] for s in found))
        _problem_for_parcel(report, evs, f"tracking number {tracking} belongs to deliveries of several orders ({orders}); "
                                         "update them one by one with `shopcare delivery update`")
        return
    if not found:
        order = _find_order(ctx, evs)
        if order is None:
            named = sorted({n for e in evs for n in e.orders})
            extra = f" and no known order ({', '.join(named)})" if named else ""
            _problem_for_parcel(report, evs, f"unknown tracking number {tracking}{extra}; "
                                             f"add it first: `shopcare delivery add ORDER --carrier ... --tracking {tracking}`")
            return
        carrier = next((e.carrier for e in evs if e.carrier), "") or _guess_carrier(tracking)
        if not carrier:
            _problem_for_parcel(report, evs, f"parcel {tracking} is new (order {order.number}) but no carrier is named; "
                                             "add a carrier column or add the delivery by hand")
            return
        while evs:
            e = evs.pop(0)
            try:
                d = add_delivery(ctx, order.number, carrier=carrier, tracking=tracking, at=e.at, status=e.status,
                                 eta=e.eta, pickup_point=e.pickup_point, note=e.note, source=e.source, ref=e.ref)
            except InvalidTransition as exc:
                report.warnings.append(Problem(e.line, f"parcel {tracking}: {exc.message}; event skipped"))
                report.skipped += 1
                continue
            except RefusedError as exc:
                _problem_for_parcel(report, [e, *evs], f"parcel {tracking}: {exc.message}")
                return
            except ShopcareError as exc:
                _problem_for_parcel(report, [e, *evs], f"parcel {tracking}: cannot add a delivery to order {order.number}: {exc.message}")
                return
            report.deliveries_added += 1
            report.applied += 1
            break
        else:
            return
    else:
        d = ctx.store.get("delivery", found[0]["id"])
        other = _find_order(ctx, evs)
        if other is not None and other.number != d.order:
            report.warnings.append(Problem(first.line, f"parcel {tracking} belongs to order {d.order}, "
                                                       f"not {other.number} as the file says; applied to {d.order}"))
    for e in evs:
        d = _apply_event(ctx, d, e, report)


def _history_at(d, at: datetime) -> tuple[str, date | None]:
    """The delivery's status and expected date as its recorded events had them at `at`."""
    status, eta = "pending", None
    for ev in d.events:
        if ev.at > at:
            break
        status = ev.status
        if ev.eta is not None:
            eta = ev.eta
    return status, eta


def _apply_event(ctx, d, e: ParsedEvent, report: TrackingReport):
    from shopcare.services.deliveries import update_delivery

    recorded = next((ev for ev in d.events if ev.ref == e.ref), None) if e.ref else None
    if recorded is not None:
        if e.eta is not None and not e.eta_only and recorded.eta != e.eta:
            # A known checkpoint with a date it did not bring before (an earlier file ended just
            # before this payload): the date is news of its own, at the moment the payload said it.
            revised = replace(e, at=max(e.at, e.sent or e.at), note="", eta_only=True)
            return _apply_event(ctx, d, revised, report)
        report.already_known += 1
        return d
    if d.events and e.at < d.events[-1].at:
        status, eta = _history_at(d, e.at)
        if (e.eta_only or status == e.status) and not e.note and (e.eta is None or e.eta == eta):
            report.already_known += 1  # agrees with what was recorded by then: nothing new
            return d
        last = d.events[-1]
        report.warnings.append(Problem(e.line, (
            f"parcel {e.tracking}: {e.status} at {e.at.astimezone(ctx.tz):%Y-%m-%d %H:%M} is older than its last "
            f"recorded event ({last.status} at {last.at.astimezone(ctx.tz):%Y-%m-%d %H:%M}); skipped")))
        report.skipped += 1
        return d
    try:
        d, changed = update_delivery(ctx, d.order, status=None if e.eta_only else e.status, at=e.at, eta=e.eta, note=e.note, tracking=d.tracking,
                                     pickup_point=e.pickup_point or None, source=e.source, ref=e.ref)
    except InvalidTransition as exc:
        report.warnings.append(Problem(e.line, f"parcel {e.tracking}: {exc.message}; event skipped"))
        report.skipped += 1
        return d
    except ShopcareError as exc:
        report.problems.append(Problem(e.line, f"parcel {e.tracking}: {exc.message}"))
        return d
    if changed:
        report.applied += 1
    else:
        report.already_known += 1
    return d
