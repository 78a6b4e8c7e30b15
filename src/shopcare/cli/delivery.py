"""`shopcare delivery ...`: shipments, their tracking news, and who is told what."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Deliveries: carrier, tracking, promised date, status; each change tells the customer.", no_args_is_help=True)

COLUMNS = [("order", "Order"), ("carrier", "Carrier"), ("tracking", "Tracking"), ("status", "Status"),
           ("promised", "Promised"), ("eta", "ETA"), ("late", "Late")]


def _day(c, text):
    from shopcare.context import parse_day

    return parse_day(text, c.tz) if text else None


@app.command("add")
def add(
    ctx: typer.Context,
    order: str = typer.Argument(..., metavar="ORDER"),
    carrier: str = typer.Option(..., "--carrier", help="InPost, DPD, DHL, Poczta Polska, Omniva, CDEK..."),
    tracking: str = typer.Option("", "--tracking", help="The parcel's tracking number."),
    status: str = typer.Option("in_transit", "--status", help="Where it is now (in_transit: handed to the carrier; info_received: only a label so far)."),
    eta: Optional[str] = typer.Option(None, "--eta", metavar="DATE", help="The carrier's expected delivery date."),
    tracking_url: Optional[str] = typer.Option(None, "--tracking-url", help="Tracking link (default: built from the carrier and number)."),
    pickup_point: str = typer.Option("", "--pickup-point", help="Parcel locker or pickup point."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a shipment of a confirmed order; tells the customer it is on its way (order_shipped)."""
    from shopcare.services.deliveries import add_delivery

    c = ctx_of(ctx)
    d = add_delivery(c, order, carrier=carrier, tracking=tracking, at=c.when(at), status=status, eta=_day(c, eta),
                     tracking_url=tracking_url, pickup_point=pickup_point)
    if as_json:
        emit_json(_json(d))
    else:
        typer.echo(d.id)


def _json(d) -> dict:
    from shopcare.store.codec import to_toml_dict

    return {**to_toml_dict(d), "late": d.summary()["late"]}


@app.command("update")
def update(
    ctx: typer.Context,
    order: str = typer.Argument(..., metavar="ORDER"),
    status: Optional[str] = typer.Option(None, "--status", help="pending, info_received, in_transit, out_for_delivery, attempt_failed, available_for_pickup, delivered, exception, returned_to_sender."),
    eta: Optional[str] = typer.Option(None, "--eta", metavar="DATE", help="A new expected date; later than promised tells the customer now (delivery_delayed)."),
    note: str = typer.Option("", "--note", help="What happened (passed on to the customer where it helps)."),
    tracking: Optional[str] = typer.Option(None, "--tracking", help="Which delivery, when the order has several."),
    pickup_point: Optional[str] = typer.Option(None, "--pickup-point"),
    pickup_until: Optional[str] = typer.Option(None, "--pickup-until", metavar="DATE", help="Last day to collect it."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record tracking news; the customer hears what they care about (shipped, out for delivery,
    waiting at a pickup point, a failed attempt, a new date, delivered)."""
    from shopcare.errors import BadInput
    from shopcare.services.deliveries import update_delivery

    c = ctx_of(ctx)
    if not (status or eta or note or pickup_point or pickup_until):
        raise BadInput("nothing to record: give --status, --eta, --note or --pickup-point")
    d, changed = update_delivery(c, order, status=status, at=c.when(at), eta=_day(c, eta), note=note, tracking=tracking,
                                 pickup_point=pickup_point, pickup_until=_day(c, pickup_until))
    if as_json:
        emit_json(_json(d))
    else:
        info(f"delivery {d.id}: {d.status}" + (f", expected {d.eta.isoformat()}" if d.eta else "") + ("" if changed else " (nothing new)"))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="Tracking updates: CSV, AfterShip or InPost webhook JSON lines."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import tracking updates as a carrier or tracking service exports them. Importing the same
    file again changes nothing; a bad row is reported with its line number."""
    from shopcare.importers.tracking import import_tracking

    c = ctx_of(ctx)
    report = import_tracking(c, file)
    if as_json:
        emit_json(report.as_dict())
    else:
        for p in report.problems:
            info(f"{file}:{p.line}: {p.message}")
        for w in report.warnings:
            info(f"{file}:{w.line}: warning: {w.message}")
        info(report.describe())


@app.command("list")
def list_(
    ctx: typer.Context,
    late: bool = typer.Option(False, "--late", help="Only deliveries that are late or will be (past or expected after the promised date)."),
    status: Optional[str] = typer.Option(None, "--status", help="Only this status."),
    order: Optional[str] = typer.Option(None, "--order", help="Only this order's deliveries."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List deliveries."""
    from datetime import date

    c = ctx_of(ctx)
    rows = c.store.list("delivery", status=[status] if status else None, ref=order.lstrip("#") if order else None)
    today = c.today()
    for r in rows:
        promised = date.fromisoformat(r["promised"]) if r["promised"] else None
        eta = date.fromisoformat(r["eta"]) if r["eta"] else None
        r["late"] = bool(promised and r["status"] not in ("delivered", "returned_to_sender")
                         and (today > promised or (eta is not None and eta > promised)))
    if late:
        rows = [r for r in rows if r["late"]]
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


@app.command("show")
def show(ctx: typer.Context, order: str = typer.Argument(..., metavar="ORDER"),
         tracking: Optional[str] = typer.Option(None, "--tracking"), as_json: bool = JSON_OPTION) -> None:
    """Show a delivery with its tracking history."""
    from shopcare.services.deliveries import pick_delivery

    c = ctx_of(ctx)
    d = pick_delivery(c, order, tracking)
    if as_json:
        emit_json(_json(d))
        return
    show_fields([("Delivery", d.id), ("Order", d.order), ("Carrier", d.carrier), ("Tracking", d.tracking),
                 ("Link", d.tracking_url), ("Status", d.status), ("Promised", d.promised), ("ETA", d.eta),
                 ("Pickup point", d.pickup_point), ("Collect by", d.pickup_until), ("Shipped", d.shipped_at),
                 ("Delivered", d.delivered_at)])
    for e in d.events:
        typer.echo(f"  {e.at:%Y-%m-%d %H:%M}  {e.status}" + (f"  eta {e.eta.isoformat()}" if e.eta else "") + (f"  {e.note}" if e.note else ""))
