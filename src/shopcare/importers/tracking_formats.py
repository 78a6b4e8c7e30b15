"""Reading tracking files: AfterShip and InPost webhook payloads (JSON lines) and CSV whose
header is in English, Polish, Lithuanian or Russian, each turned into `ParsedEvent`s (see
tracking.py for how they are applied)."""

from __future__ import annotations

import bisect
import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from shopcare.errors import BadInput
from shopcare.importers.base import Problem, RowError, cell, dict_rows, read_csv
from shopcare.importers.tracking_events import (
    INPOST_STATUSES, ParsedEvent, Skipped, UnknownStatus, _clean, _day, _norm, _tracking, _when, carrier_from_slug,
    map_status, tracking_key,
)

if TYPE_CHECKING:
    from shopcare.importers.tracking import TrackingReport

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
