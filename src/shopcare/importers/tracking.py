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

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from shopcare.errors import BadInput, InvalidTransition, RefusedError, ShopcareError
from shopcare.importers.base import Problem
from shopcare.importers.tracking_events import ParsedEvent, event_ref, tracking_key
from shopcare.importers.tracking_formats import _read_csv, _read_json

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
