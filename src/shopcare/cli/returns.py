"""`shopcare return ...`: withdrawals within the legal window, and their refunds."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Returns (withdrawals): the legal window, approval, refund deadline.", no_args_is_help=True)

COLUMNS = [("id", "Return"), ("order", "Order"), ("status", "Status"), ("items", "Items"), ("opened", "Opened"),
           ("refund_due", "Refund due"), ("goodwill", "Goodwill")]


def _out(r, as_json: bool, text: str) -> None:
    from shopcare.store.codec import to_toml_dict

    if as_json:
        emit_json(to_toml_dict(r))
    else:
        info(text)


@app.command("open")
def open_(
    ctx: typer.Context,
    order: str = typer.Argument(..., metavar="ORDER"),
    items: str = typer.Option(..., "--items", help="What comes back, e.g. 'MUG-01:1' or 'the blue mug'."),
    reason: str = typer.Option("", "--reason", help="Why (a withdrawal needs no reason; record one if given)."),
    force: bool = typer.Option(False, "--force", help="Accept it after the legal window closed, as a goodwill return."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Open a return; refused (exit 1) after the legal window, naming the date it closed."""
    from shopcare.services.returns import open_return

    c = ctx_of(ctx)
    r = open_return(c, order, items=items, reason=reason, at=c.when(at), force=force)
    if as_json:
        _out(r, True, "")
    else:
        typer.echo(r.id)
        info(f"return {r.id} for order {r.order}: refund due by {r.refund_due.isoformat()}"
             + (f" (window closes {r.window_closes.isoformat()})" if r.window_closes else "") + (" - goodwill" if r.goodwill else ""))


def _move(ctx, return_id: str, status: str, at, reason: str = "", amount=None, as_json: bool = False) -> None:
    from shopcare.model.order import parse_money
    from shopcare.services.returns import move_return

    c = ctx_of(ctx)
    r = move_return(c, return_id, status, at=c.when(at), reason=reason,
                    amount=parse_money(amount, "--amount") if amount else None)
    _out(r, as_json, f"return {r.id}: {r.status}")


@app.command("approve")
def approve(ctx: typer.Context, return_id: str = typer.Argument(..., metavar="ID"), at: Optional[str] = AT_OPTION,
            as_json: bool = JSON_OPTION) -> None:
    """Approve a return; tells the customer where to send the goods (return_approved)."""
    _move(ctx, return_id, "approved", at, as_json=as_json)


@app.command("receive")
def receive(ctx: typer.Context, return_id: str = typer.Argument(..., metavar="ID"), at: Optional[str] = AT_OPTION,
            as_json: bool = JSON_OPTION) -> None:
    """Record that the returned goods arrived."""
    _move(ctx, return_id, "received", at, as_json=as_json)


@app.command("refund")
def refund(ctx: typer.Context, return_id: str = typer.Argument(..., metavar="ID"),
           amount: Optional[str] = typer.Option(None, "--amount", help="Amount refunded (default: the order total)."),
           at: Optional[str] = AT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Record the refund; tells the customer (refund_issued) and updates the order's payment."""
    _move(ctx, return_id, "refunded", at, amount=amount, as_json=as_json)


@app.command("reject")
def reject(ctx: typer.Context, return_id: str = typer.Argument(..., metavar="ID"),
           reason: str = typer.Option(..., "--reason", help="Why: told to the customer."),
           at: Optional[str] = AT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Reject a return with a reason (told to the customer: return_rejected)."""
    _move(ctx, return_id, "rejected", at, reason=reason, as_json=as_json)


@app.command("list")
def list_(ctx: typer.Context,
          due: bool = typer.Option(False, "--due", help="Only open returns, by refund deadline (soonest first)."),
          as_json: bool = JSON_OPTION) -> None:
    """List returns."""
    c = ctx_of(ctx)
    if due:
        rows = c.store.list("return", status=["requested", "approved", "received"], order="due")
        today = c.today().isoformat()
        for r in rows:
            r["overdue"] = r["refund_due"] < today
    else:
        rows = c.store.list("return")
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS + ([("overdue", "Overdue")] if due else []), rows)


@app.command("show")
def show(ctx: typer.Context, return_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """Show one return."""
    from shopcare.cli.common import show_fields

    c = ctx_of(ctx)
    r = c.store.get("return", return_id)
    if as_json:
        _out(r, True, "")
        return
    show_fields([("Return", r.id), ("Order", r.order), ("Status", r.status), ("Items", r.items), ("Reason", r.reason),
                 ("Opened", r.opened), ("Window closes", r.window_closes), ("Refund due", r.refund_due),
                 ("Goodwill", r.goodwill), ("Approved", r.approved_at), ("Received", r.received_at),
                 ("Refunded", r.refunded_at), ("Amount", r.refund_amount), ("Rejected", r.rejected_reason)])
