"""`shopcare calls list`: the phone work of the day."""

from __future__ import annotations

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Phone work: orders to confirm by phone, promised call-backs.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Phone work: orders to confirm by phone, promised call-backs."""


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Orders waiting for a phone confirmation and promised call-backs, with the numbers to call.
    `shopcare order confirm N --by phone` and `shopcare promise keep ID` close them."""
    from shopcare.services.calls import phone_work

    c = ctx_of(ctx)
    rows = phone_work(c)
    if as_json:
        emit_json(rows)
    else:
        table([("what", "What"), ("ref", "Order/promise"), ("name", "Customer"), ("phone", "Phone"),
               ("requirements", "Key requirements"), ("due", "Due"), ("detail", "Detail")], rows)
