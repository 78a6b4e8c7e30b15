"""`shopcare inquiry ...`: customer emails, who answers them, by when."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Customer emails: open, overdue, answered, assigned.", no_args_is_help=True)

COLUMNS = [("id", "Inquiry"), ("received", "Received"), ("sender", "From"), ("subject", "Subject"), ("order", "Order"),
           ("status", "Status"), ("due", "Answer by"), ("assigned_to", "Who")]


@app.command("list")
def list_(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only emails nobody has answered yet."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open emails past their answer time."),
    all_: bool = typer.Option(False, "--all", help="Include mail from robots (skipped) and probes."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List customer emails, oldest first (robots and mystery-shopper probes left out)."""
    c = ctx_of(ctx)
    if open_only or overdue:
        rows = sorted(c.store.list("inquiry", status=["open", "acknowledged"]), key=lambda r: r["due"] or "")
    else:
        rows = c.store.list("inquiry", status=None if all_ else ["open", "acknowledged", "answered"])
    if overdue:
        now = c.now().isoformat()
        rows = [r for r in rows if r["due"] and r["due"] < now]
    if not all_:
        rows = [r for r in rows if not r.get("probe")]
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS + ([("skip_rule", "Skipped")] if all_ else []), rows)


@app.command("show")
def show(ctx: typer.Context, inquiry_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """Show one email: sender, order, answer time, and the start of its text."""
    from shopcare.store.codec import to_toml_dict

    c = ctx_of(ctx)
    q = c.store.get("inquiry", inquiry_id)
    if as_json:
        emit_json(to_toml_dict(q))
        return
    show_fields([("Inquiry", q.id), ("Received", q.received), ("From", f"{q.sender_name} <{q.sender}>" if q.sender_name else q.sender),
                 ("Subject", q.subject), ("Order", q.order), ("Customer", q.customer), ("Language", q.language),
                 ("Status", q.status), ("Skipped because", q.skip_rule), ("Answer by", q.due), ("Acknowledged", q.acknowledged_at),
                 ("Answered", f"{q.answered_at:%Y-%m-%d %H:%M} ({q.answered_by})" if q.answered_at else None),
                 ("Assigned to", q.assigned_to), ("Flags", ", ".join(q.flags)), ("Problems", q.problem), ("Text", q.excerpt)])


@app.command("answer")
def answer(ctx: typer.Context, inquiry_id: str = typer.Argument(..., metavar="ID"),
           by: str = typer.Option("by hand", "--by", help="Who answered, or how (kept on the inquiry)."),
           at: Optional[str] = AT_OPTION) -> None:
    """Mark an email answered (a reply sent from the Sent folder is seen by itself)."""
    from shopcare.services.inquiries import answer as do_answer

    c = ctx_of(ctx)
    q, changed = do_answer(c, inquiry_id, at=c.when(at), by=by)
    info(f"inquiry {q.id} answered" if changed else f"inquiry {q.id} was already answered")


@app.command("assign")
def assign(ctx: typer.Context, inquiry_id: str = typer.Argument(..., metavar="ID"),
           to: str = typer.Option(..., "--to", metavar="NAME", help="Who takes it.")) -> None:
    """Give an email to a person."""
    from shopcare.services.inquiries import assign as do_assign

    q = do_assign(ctx_of(ctx), inquiry_id, to)
    info(f"inquiry {q.id} is {q.assigned_to}'s")
