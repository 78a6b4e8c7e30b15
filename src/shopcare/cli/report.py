"""`shopcare report ...`: deliveries on time, returns, and the load by weekday and hour.

Every report takes --since DATE (records on or after it, in the shop's time zone) and prints a
table, JSON (--json, stable keys) or RFC 4180 CSV with a header row (--csv).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Reports: deliveries on time, returns, load by weekday and hour, response times.", no_args_is_help=True)

SINCE_OPTION = typer.Option(None, "--since", metavar="DATE",
                            help="Only records on or after this date/time (shop's time zone), e.g. 2026-11-01.")
CSV_OPTION = typer.Option(False, "--csv", help="Print CSV (RFC 4180, with a header row) instead of a table.")

DELIVERY_COLUMNS = [("carrier", "Carrier"), ("delivered", "Delivered"), ("with_promise", "Promised"),
                    ("on_time", "On time"), ("late", "Late"), ("on_time_pct", "On time"),
                    ("avg_days_late", "Days late"), ("open", "Open"), ("open_late", "Open late")]
RETURN_COLUMNS = [("section", "Section"), ("name", "What"), ("value", "Value")]
LOAD_CSV_KEYS = ("weekday", "hour", "orders", "inquiries")


def _start(c, since: Optional[str]):
    """--since as an aware datetime in the shop's time zone (None: everything)."""
    from shopcare.context import parse_when

    return parse_when(since, c.tz, c.now()) if since else None


def _check_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        from shopcare.errors import BadInput

        raise BadInput("give --json or --csv, not both")


def _csv(keys: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """RFC 4180 CSV on stdout: a header row, CRLF line ends, quoting where needed."""
    import csv
    import sys

    writer = csv.writer(sys.stdout, lineterminator="\r\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in keys])


def _warn_damaged(c, *kinds: str) -> None:
    for kind in kinds:
        damaged = c.store.index.damaged(kind)
        if damaged:
            info(f"shopcare: warning: {len(damaged)} damaged {kind} record(s) left out; `shopcare doctor` lists them")


def _pct(rate: Optional[float]) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


@app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    since: Optional[str] = SINCE_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """On-time deliveries against the promised date, by carrier, with a TOTAL row.

    A delivered parcel counts when it had a promised date; it is on time when it arrived on or
    before that day. Open parcels are counted too, and those already late (past the promised
    date, or expected after it). --since counts deliveries recorded on or after the date.
    """
    from shopcare.services.reports import DELIVERY_KEYS, delivery_report

    _check_format(as_json, as_csv)
    c = ctx_of(ctx)
    report = delivery_report(c, _start(c, since))
    _warn_damaged(c, "delivery")
    rows = [*report["carriers"], report["total"]]
    if as_json:
        emit_json(report)
    elif as_csv:
        _csv(DELIVERY_KEYS, rows)
    else:
        table(DELIVERY_COLUMNS, [{**r, "on_time_pct": _pct(r["on_time_rate"])} for r in rows],
              title="Deliveries on time, by carrier")


@app.command("returns")
def returns(
    ctx: typer.Context,
    since: Optional[str] = SINCE_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Returns opened in the period: by status, refunds on time or after the refund deadline,
    average days to refund, goodwill returns, the top 5 reasons, and returns as a share of the
    orders delivered in the period."""
    from shopcare.services.reports import returns_report, returns_rows

    _check_format(as_json, as_csv)
    c = ctx_of(ctx)
    report = returns_report(c, _start(c, since))
    _warn_damaged(c, "return", "order")
    if as_json:
        emit_json(report)
    elif as_csv:
        _csv([k for k, _ in RETURN_COLUMNS], returns_rows(report))
    else:
        rows = returns_rows(report)
        for row in rows:
            if row["name"] in ("on_time_rate", "return_rate"):
                row["value"] = _pct(row["value"])
        table(RETURN_COLUMNS, rows, title="Returns")


@app.command("load")
def load(
    ctx: typer.Context,
    since: Optional[str] = SINCE_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Orders and customer inquiries by weekday and hour (shop's local time), to plan who answers
    when. The table shows 'orders/inquiries' per hour band; --json gives the full 7x24 grids,
    totals and the busiest hours; --csv one row per weekday and hour."""
    from shopcare.services.reports import HOUR_BANDS, band_label, load_band_rows, load_cells, load_report

    _check_format(as_json, as_csv)
    c = ctx_of(ctx)
    report = load_report(c, _start(c, since))
    _warn_damaged(c, "order")
    if as_json:
        emit_json(report)
    elif as_csv:
        _csv(LOAD_CSV_KEYS, load_cells(report))
    else:
        bands = [(band_label(s, e), band_label(s, e)) for s, e in HOUR_BANDS]
        table([("weekday", "Day"), *bands, ("total", "Total")], load_band_rows(report),
              title="Orders/inquiries by weekday and hour")
        if not report["inquiries_tracked"]:
            info("(inquiries are not recorded in this build: counted as 0)")


SLA_COLUMNS = [("date", "Day"), ("probes", "Probes"), ("probes_ok", "Probes ok"), ("probe_p50_seconds", "Probe s (p50)"),
               ("inquiries", "Emails"), ("ack_p50_seconds", "Ack s p50"), ("ack_p90_seconds", "Ack s p90"),
               ("answer_p50_minutes", "Answer min p50"), ("answer_p90_minutes", "Answer min p90"), ("overdue", "Overdue")]


@app.command("sla")
def sla(
    ctx: typer.Context,
    since: Optional[str] = SINCE_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """How fast customers hear back, day by day: the mystery shopper's results beside real
    customer email (time to the acknowledgement, time to a person's answer p50/p90, overdue)."""
    from shopcare.services.sla import sla_report

    _check_format(as_json, as_csv)
    c = ctx_of(ctx)
    report = sla_report(c, _start(c, since))
    if as_json:
        emit_json(report)
    elif as_csv:
        _csv([k for k, _ in SLA_COLUMNS], report["days"])
    else:
        table(SLA_COLUMNS, report["days"])
        p, q = report["probes"], report["inquiries"]
        info(f"probes: {p['ok']}/{p['runs']} ok, p50 {p['p50_seconds']} s; emails: {q['count']}, "
             f"acknowledged p50 {q['ack_p50_seconds']} s, answered p50 {q['answer_p50_minutes']} min, "
             f"{q['overdue']} overdue ({q['open_overdue']} still open)")
