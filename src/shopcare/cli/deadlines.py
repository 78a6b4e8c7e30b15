"""`shopcare deadlines check`: find every promise at risk or broken and act on it once."""

from __future__ import annotations

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Find promises at risk or broken and act on each once.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Find promises at risk or broken and act on each once."""


@app.command("check")
def check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Late deliveries, unshipped promised orders, payment reminders, refunds and complaint answers
    coming due, promises to keep: tell the customer and staff once. Running it again does
    nothing new; run it every few minutes from cron, or let the daemon do it."""
    from shopcare.services.deadlines import check as run_check

    c = ctx_of(ctx)
    findings = [f.as_dict() for f in run_check(c)]
    if as_json:
        emit_json(findings)
    else:
        table([("what", "What"), ("record", "About"), ("action", "Done"), ("detail", "Detail")], findings)
        info(f"{len(findings)} finding(s) acted on")
