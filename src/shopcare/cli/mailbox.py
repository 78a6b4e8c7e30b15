"""`shopcare mailbox poll`: fetch customer mail, acknowledge people, never robots."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Fetch customer mail (the cron form of the daemon's mailbox watcher).", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Fetch customer mail (the cron form of the daemon's mailbox watcher)."""


@app.command("poll")
def poll(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Fetch once and exit (the cron form); without it, keep polling."),
    backfill: Optional[int] = typer.Option(None, "--backfill", metavar="DAYS",
                                           help="On the first run, record the last DAYS of mail already there as inquiries (no acknowledgements)."),
    send: bool = typer.Option(False, "--send", help="Also send the acknowledgements right away (else `shopcare outbox send` does)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Fetch new mail, record each as an inquiry, and queue an acknowledgement for each real
    customer email (robots, lists, bounces and auto-replies are recorded and skipped)."""
    import asyncio
    import time

    from shopcare.services.mail import poll_once

    c = ctx_of(ctx)
    while True:
        report = poll_once(c, backfill_days=backfill)
        backfill = None
        sent = None
        if send:
            from shopcare.notify.sender import drain_once

            sent = asyncio.run(drain_once(c))
        if as_json:
            emit_json({**report.as_dict(), **({"sent": sent.as_dict()} if sent else {})})
        else:
            info(report.describe() + (f"; outbox: {sent.describe()}" if sent else ""))
        if once:
            return
        time.sleep(c.config.mailbox.poll_interval)
