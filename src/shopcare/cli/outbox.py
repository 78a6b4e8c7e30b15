"""`shopcare outbox ...`: what waits to be sent, what was sent, what failed; send it now."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Messages to customers and staff: the durable queue, sending, retrying.", no_args_is_help=True)

COLUMNS = [("id", "ID"), ("state", "State"), ("kind", "Kind"), ("channel", "Channel"), ("to", "To"),
           ("attempts", "Tries"), ("next_try", "Next try"), ("hold_reason", "Held for"), ("failed_reason", "Why failed")]


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Optional[str] = typer.Option(None, "--state", help="new (waiting), cur (being sent), sent or failed; default all."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only this message kind."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List messages: id, state, kind, channel, to, attempts, next try."""
    from shopcare.errors import BadInput
    from shopcare.notify.outbox import STATES

    c = ctx_of(ctx)
    if state is not None and state not in STATES:
        raise BadInput(f"--state must be one of {', '.join(STATES)}")
    outbox = c.outbox
    rows = []
    for s in [state] if state else STATES:
        rows += [m.summary(s) for m in outbox.iter_state(s) if not kind or m.kind == kind]
    rows.sort(key=lambda r: (r["created"], r["id"]))
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


@app.command("show")
def show(ctx: typer.Context, msg_id: str = typer.Argument(..., metavar="ID", help="A message id (or its first 6+ characters)."),
         as_json: bool = JSON_OPTION) -> None:
    """Show one message: its text, where it is, and its history."""
    import dataclasses

    c = ctx_of(ctx)
    state, msg = c.outbox.find(msg_id)
    if as_json:
        emit_json({"id": msg.id, "state": state, **dataclasses.asdict(msg)})
        return
    show_fields([("ID", msg.id), ("State", state), ("Kind", msg.kind), ("Channel", msg.channel), ("To", f"{msg.to_name} <{msg.to}>" if msg.to_name else msg.to),
                 ("About", msg.record), ("Language", msg.lang), ("Created", msg.created), ("Next try", msg.next_try if state == "new" else None),
                 ("Held for", msg.hold_reason), ("Attempts", msg.attempts), ("Last error", msg.last_error),
                 ("Failed", msg.failed_reason), ("Sent", msg.sent_at), ("SMS", f"{msg.sms_parts} part(s), {msg.sms_encoding}" if msg.channel == "sms" else None),
                 ("Subject", msg.subject)])
    typer.echo("")
    typer.echo(msg.body.rstrip())
    if msg.history:
        typer.echo("")
        typer.echo("History:")
        for line in msg.history:
            typer.echo(f"  {line}")


@app.command("send")
def send(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Send every message that is due, then exit (the cron form of the daemon's sender)."""
    import asyncio

    from shopcare.notify.sender import drain_once

    c = ctx_of(ctx)
    report = asyncio.run(drain_once(c))
    if as_json:
        emit_json(report.as_dict())
    else:
        info(f"outbox: {report.describe()}")


@app.command("retry")
def retry(ctx: typer.Context, msg_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Put a failed message back in the queue (after fixing the contact or template)."""
    c = ctx_of(ctx)
    msg = c.outbox.retry(msg_id)
    info(f"message {msg.id} is waiting again; `shopcare outbox send` sends it")


@app.command("purge")
def purge(ctx: typer.Context, sent_before: str = typer.Option(..., "--sent-before", metavar="DATE",
                                                             help="Delete sent messages sent before this date.")) -> None:
    """Delete sent messages older than a date (keeps the outbox small)."""
    c = ctx_of(ctx)
    n = c.outbox.purge(c.when(sent_before))
    info(f"deleted {n} sent message(s)")
    typer.echo(n)
