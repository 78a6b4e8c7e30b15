"""`shopcare promise ...`: what the shop promised a customer, until it is kept."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Promises to customers (a discount, a call-back, a gift) until they are kept.", no_args_is_help=True)

COLUMNS = [("id", "Promise"), ("customer", "Customer"), ("order", "Order"), ("what", "What"), ("due", "Due"),
           ("status", "Status"), ("kind", "Kind")]


@app.command("add")
def add(
    ctx: typer.Context,
    target: str = typer.Argument(..., metavar="CUSTOMER|ORDER", help="A customer id (C00001) or an order number."),
    what: str = typer.Option(..., "--what", help="What was promised, e.g. '10% off the next order'."),
    due: Optional[str] = typer.Option(None, "--due", metavar="DATE", help="By when (staff are warned before it)."),
    call: bool = typer.Option(False, "--call", help="A promised call-back (shown in `shopcare calls list`)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a promise made to a customer."""
    from shopcare.context import parse_day
    from shopcare.services.promises import add_promise
    from shopcare.store.codec import to_toml_dict

    c = ctx_of(ctx)
    p = add_promise(c, target, what=what, due=parse_day(due, c.tz) if due else None, kind="call" if call else "other")
    if as_json:
        emit_json(to_toml_dict(p))
    else:
        typer.echo(p.id)


@app.command("list")
def list_(ctx: typer.Context, open_only: bool = typer.Option(False, "--open", help="Only promises not kept yet."),
          as_json: bool = JSON_OPTION) -> None:
    """List promises."""
    c = ctx_of(ctx)
    rows = c.store.list("promise", status=["open"] if open_only else None, order="id")
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


@app.command("keep")
def keep(ctx: typer.Context, promise_id: str = typer.Argument(..., metavar="ID"), at: Optional[str] = AT_OPTION) -> None:
    """Mark a promise kept."""
    from shopcare.services.promises import keep_promise

    c = ctx_of(ctx)
    p = keep_promise(c, promise_id, c.when(at))
    info(f"promise {p.id} kept")
