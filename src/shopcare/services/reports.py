"""Reports: deliveries on time by carrier, returns, and the shop's load by weekday and hour.

Each report is a function of the context and an optional start (`since`: an aware datetime;
records created on or after it) that returns plain dicts and lists with stable keys; the CLI
turns them into a table, JSON or CSV. Dates are compared in the shop's time zone. Listing
uses the index summaries; full records are read only where a summary lacks a field.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOUR_BANDS = ((0, 6), (6, 9), (9, 12), (12, 15), (15, 18), (18, 21), (21, 24))
RETURN_STATUSES = ("requested", "approved", "received", "refunded", "rejected")
DELIVERY_KEYS = ("carrier", "delivered", "with_promise", "on_time", "late", "on_time_rate", "avg_days_late",
                 "open", "open_late")
TOTAL = "TOTAL"


def _stamp(value: Any) -> datetime | None:
    """An ISO timestamp from a summary (or a datetime) as an aware datetime, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _local_day(ctx, value: Any) -> date | None:
    stamp = _stamp(value)
    if stamp is None:
        return None
    return stamp.astimezone(ctx.tz).date() if stamp.tzinfo else stamp.date()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _mean(values: list[int | float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _period(ctx, since: datetime | None) -> dict[str, Any]:
    return {"since": since.isoformat() if since else None, "today": ctx.today().isoformat(),
            "timezone": str(ctx.tz)}


# -- deliveries -------------------------------------------------------------------------------
def _carrier_row(name: str, days_late: list[int], counts: Counter) -> dict[str, Any]:
    return {"carrier": name, "delivered": counts["delivered"], "with_promise": counts["with_promise"],
            "on_time": counts["on_time"], "late": counts["late"],
            "on_time_rate": _rate(counts["on_time"], counts["with_promise"]), "avg_days_late": _mean(days_late),
            "open": counts["open"], "open_late": counts["open_late"]}


def delivery_report(ctx, since: datetime | None = None) -> dict[str, Any]:
    """On-time rate against the promised date, by carrier, plus a TOTAL row.

    A delivered parcel with a promised date is on time when it arrived (in the shop's time zone)
    on or before that date. Open parcels (neither delivered nor sent back) are late already when
    today is past the promised date or the carrier's ETA is after it.
    """
    from shopcare.model.delivery import FINAL

    today = ctx.today()
    names: dict[str, str] = {}  # carrier folded -> first spelling seen
    counts: dict[str, Counter] = {}
    late_days: dict[str, list[int]] = {}
    for s in ctx.store.list("delivery", since=since):
        carrier = " ".join(str(s.get("carrier") or "").split()) or "(none)"
        key = carrier.casefold()
        names.setdefault(key, carrier)
        c = counts.setdefault(key, Counter())
        days = late_days.setdefault(key, [])
        status = s.get("status")
        promised = _day(s.get("promised"))
        if status == "delivered":
            c["delivered"] += 1
            arrived = _local_day(ctx, s.get("delivered_at"))
            if promised is not None and arrived is not None:
                c["with_promise"] += 1
                if arrived <= promised:
                    c["on_time"] += 1
                else:
                    c["late"] += 1
                    days.append((arrived - promised).days)
        elif status not in FINAL:
            c["open"] += 1
            eta = _day(s.get("eta"))
            if promised is not None and (today > promised or (eta is not None and eta > promised)):
                c["open_late"] += 1
    order = sorted(counts, key=lambda k: (k, names[k]))
    rows = [_carrier_row(names[k], late_days[k], counts[k]) for k in order]
    total = _carrier_row(TOTAL, [d for k in order for d in late_days[k]], sum(counts.values(), Counter()))
    return {**_period(ctx, since), "carriers": rows, "total": total}


# -- returns ----------------------------------------------------------------------------------
def _delivered_orders(ctx, since: datetime | None) -> int:
    """Orders delivered (on or after `since`): delivered or completed, by their delivery time."""
    rows = ctx.store.list("order", status=["delivered", "completed"])
    if since is None:
        return len(rows)
    count = 0
    for row in rows:
        order = ctx.store.find("order", row["number"])
        if order is not None and order.delivered_at is not None and order.delivered_at >= since:
            count += 1
    return count


def returns_report(ctx, since: datetime | None = None, *, top: int = 5) -> dict[str, Any]:
    """Returns opened on or after `since`: by status, refunds on time, reasons, share of orders."""
    returns = [r for r in (ctx.store.find("return", s["id"]) for s in ctx.store.list("return", since=since)) if r]
    by_status = {status: 0 for status in RETURN_STATUSES}
    on_time = late = goodwill = 0
    to_refund: list[int] = []
    reasons: Counter = Counter()
    spelling: dict[str, str] = {}
    for r in returns:
        by_status[r.status] = by_status.get(r.status, 0) + 1
        goodwill += bool(r.goodwill)
        if r.status == "refunded" and r.refunded_at is not None:
            refunded_on = _local_day(ctx, r.refunded_at)
            if refunded_on <= r.refund_due:
                on_time += 1
            else:
                late += 1
            to_refund.append((refunded_on - _local_day(ctx, r.opened)).days)
        reason = " ".join((r.reason or "").split())
        if reason:
            key = reason.casefold()
            spelling.setdefault(key, reason)
            reasons[key] += 1
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    delivered = _delivered_orders(ctx, since)
    return {
        **_period(ctx, since),
        "total": len(returns),
        "by_status": by_status,
        "refunds": {"refunded": on_time + late, "on_time": on_time, "late": late,
                    "on_time_rate": _rate(on_time, on_time + late), "avg_days_to_refund": _mean(to_refund)},
        "goodwill": goodwill,
        "top_reasons": [{"reason": spelling[k], "count": n} for k, n in ranked],
        "delivered_orders": delivered,
        "return_rate": _rate(len(returns), delivered),
    }


def returns_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The returns report flattened to (section, name, value) rows, for a table or CSV."""
    rows = [{"section": "returns", "name": "total", "value": report["total"]}]
    rows += [{"section": "status", "name": k, "value": v} for k, v in report["by_status"].items()]
    rows += [{"section": "refunds", "name": k, "value": v} for k, v in report["refunds"].items()]
    rows.append({"section": "returns", "name": "goodwill", "value": report["goodwill"]})
    rows += [{"section": "reason", "name": r["reason"], "value": r["count"]} for r in report["top_reasons"]]
    rows.append({"section": "share", "name": "delivered_orders", "value": report["delivered_orders"]})
    rows.append({"section": "share", "name": "return_rate", "value": report["return_rate"]})
    return rows


# -- load -------------------------------------------------------------------------------------
def inquiries_tracked() -> bool:
    """Whether inquiries (customer mail) are recorded at all."""
    return True


def customer_inquiries(ctx) -> list[dict[str, Any]]:
    """Mail from customers: robots (skipped) and the shop's own mystery-shopper probes left out."""
    return [s for s in ctx.store.list("inquiry", status=["open", "acknowledged", "answered"]) if not s.get("probe")]


def _inquiry_stamps(ctx) -> list[datetime]:
    """When each customer's email arrived."""
    stamps = (_stamp(s.get("received") or s.get("created")) for s in customer_inquiries(ctx))
    return [s for s in stamps if s is not None]


def _grid() -> list[list[int]]:
    return [[0] * 24 for _ in WEEKDAYS]


def load_report(ctx, since: datetime | None = None, *, busiest: int = 5) -> dict[str, Any]:
    """Orders (by `created`) and inquiries (by `received`) per weekday x hour, shop's local time."""
    grids = {"orders": _grid(), "inquiries": _grid()}
    stamps = {"orders": [_stamp(s.get("created")) for s in ctx.store.list("order", since=since)],
              "inquiries": [s for s in _inquiry_stamps(ctx) if since is None or s >= since]}
    for name, values in stamps.items():
        for stamp in values:
            if stamp is None:
                continue
            local = stamp.astimezone(ctx.tz) if stamp.tzinfo else stamp
            grids[name][local.weekday()][local.hour] += 1
    orders, inquiries = grids["orders"], grids["inquiries"]
    cells = [{"weekday": WEEKDAYS[d], "hour": h, "orders": orders[d][h], "inquiries": inquiries[d][h],
              "total": orders[d][h] + inquiries[d][h]} for d in range(7) for h in range(24)]
    top = sorted((c for c in cells if c["total"]), key=lambda c: -c["total"])[:busiest]  # ties: week order
    return {
        **_period(ctx, since),
        "weekdays": list(WEEKDAYS),
        "inquiries_tracked": inquiries_tracked(),
        "orders": orders,
        "inquiries": inquiries,
        "totals": {"orders": sum(map(sum, orders)), "inquiries": sum(map(sum, inquiries))},
        "busiest": top,
    }


def band_label(start: int, end: int) -> str:
    return f"{start:02d}-{end:02d}"


def load_band_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per weekday: 'orders/inquiries' per hour band, and the day's totals."""
    rows = []
    for d, day in enumerate(report["weekdays"]):
        o, i = report["orders"][d], report["inquiries"][d]
        row: dict[str, Any] = {"weekday": day}
        for start, end in HOUR_BANDS:
            row[band_label(start, end)] = f"{sum(o[start:end])}/{sum(i[start:end])}"
        row["total"] = f"{sum(o)}/{sum(i)}"
        rows.append(row)
    return rows


def load_cells(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per weekday x hour (7 x 24), for CSV."""
    return [{"weekday": day, "hour": h, "orders": report["orders"][d][h], "inquiries": report["inquiries"][d][h]}
            for d, day in enumerate(report["weekdays"]) for h in range(24)]
