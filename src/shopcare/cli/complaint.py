"""`shopcare complaint ...`: warranty and service complaints, answered in time."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Complaints: recorded with their legal answer date, answered.", no_args_is_help=True)

COLUMNS = [("id", "Complaint"), ("order", "Order"), ("kind", "Kind"), ("status", "Status"), ("opened", "Opened"),
           ("due", "Answer due"), ("decision", "Decision")]


@app.command("open")
def open_(
    ctx: typer.Context,
    order: str = typer.Argument(..., metavar="ORDER"),
    text: str = typer.Option(..., "--text", help="What the customer complains about."),
    kind: str = typer.Option("goods", "--kind", help="goods (a fault, under the legal guarantee) or service."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a complaint with the date it must be answered by (refused when the guarantee ran out)."""
    from shopcare.services.complaints import open_complaint
    from shopcare.store.codec import to_toml_dict

    c = ctx_of(ctx)
    comp = open_complaint(c, order, text=text, kind=kind, at=c.when(at))
    if as_json:
        emit_json(to_toml_dict(comp))
    else:
        typer.echo(comp.id)
        info(f"complaint {comp.id}: answer due by {comp.due.isoformat()}"
             + (" (no answer by then = accepted)" if comp.silence_accepts else ""))


@app.command("answer")
def answer(
    ctx: typer.Context,
    complaint_id: str = typer.Argument(..., metavar="ID"),
    decision: str = typer.Option(..., "--decision", help="accepted, rejected, repair, replace or refund."),
    text: str = typer.Option(..., "--text", help="The answer the customer reads."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Answer a complaint; sends the answer to the customer (complaint_answer)."""
    from shopcare.services.complaints import answer_complaint
    from shopcare.store.codec import to_toml_dict

    c = ctx_of(ctx)
    comp = answer_complaint(c, complaint_id, decision=decision, text=text, at=c.when(at))
    if as_json:
        emit_json(to_toml_dict(comp))
    else:
        info(f"complaint {comp.id} answered: {comp.decision}")


@app.command("list")
def list_(ctx: typer.Context, open_only: bool = typer.Option(False, "--open", help="Only complaints not yet answered."),
          as_json: bool = JSON_OPTION) -> None:
    """List complaints (open ones by answer date)."""
    c = ctx_of(ctx)
    rows = c.store.list("complaint", status=["open"], order="due") if open_only else c.store.list("complaint")
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


@app.command("show")
def show(ctx: typer.Context, complaint_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """Show one complaint."""
    from shopcare.store.codec import to_toml_dict

    c = ctx_of(ctx)
    comp = c.store.get("complaint", complaint_id)
    if as_json:
        emit_json(to_toml_dict(comp))
        return
    show_fields([("Complaint", comp.id), ("Order", comp.order), ("Kind", comp.kind), ("Status", comp.status),
                 ("Opened", comp.opened), ("Answer due", comp.due), ("Guarantee until", comp.guarantee_until),
                 ("Silence accepts", comp.silence_accepts), ("Text", comp.text), ("Decision", comp.decision),
                 ("Answer", comp.answer), ("Answered", comp.answered_at)])
