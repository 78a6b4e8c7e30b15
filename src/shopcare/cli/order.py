"""`shopcare order ...`: create, import, list, show, confirm, note, cancel, pay and history."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from shopcare.cli.common import AT_OPTION, JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Orders: create, import, confirm, cancel, notes and history.", no_args_is_help=True)

COLUMNS = [("number", "Order"), ("status", "Status"), ("customer", "Customer"), ("total", "Total"),
           ("currency", "Cur"), ("payment_state", "Payment"), ("promised", "Promised"), ("created", "Created")]


@app.command("create")
def create(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER", help="The shop's order number (A1001, #1001, 2026/11/0042)."),
    customer: str = typer.Option(..., "--customer", metavar="ID", help="Customer id (or their email)."),
    item: List[str] = typer.Option(..., "--item", metavar="SKU:QTY:PRICE[:NAME]", help="A line item; repeat for more."),
    currency: str = typer.Option(..., "--currency", help="Three-letter currency code (PLN, EUR, RUB...)."),
    payment: str = typer.Option("other", "--payment", metavar="METHOD", help="cod, transfer, card, paypal, blik or other."),
    paid: bool = typer.Option(False, "--paid", help="The order is already paid."),
    delivery_method: Optional[str] = typer.Option(None, "--delivery-method", metavar="TEXT", help="Agreed delivery method, e.g. 'InPost Paczkomat'."),
    delivery_cost: Optional[str] = typer.Option(None, "--delivery-cost", metavar="AMOUNT", help="Agreed delivery cost; 0 means free delivery."),
    promised: Optional[str] = typer.Option(None, "--promised", metavar="DATE", help="Delivery date promised to the customer (a date, never 'soon')."),
    promised_until: Optional[str] = typer.Option(None, "--promised-until", metavar="DATE", help="End of the promised window, if a window was agreed."),
    address: Optional[str] = typer.Option(None, "--address", help="Delivery address."),
    total: Optional[str] = typer.Option(None, "--total", metavar="AMOUNT", help="Order total (default: items plus delivery)."),
    note: Optional[str] = typer.Option(None, "--note", help="A first note on the order."),
    phone_confirm: bool = typer.Option(False, "--phone-confirm", help="This order must also be confirmed by phone (`shopcare calls list`)."),
    notify: bool = typer.Option(False, "--notify", help="Tell the customer now (order_received) on their channel."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an order. Sends nothing unless --notify is given."""
    from shopcare.context import parse_day
    from shopcare.model.order import parse_item, parse_money
    from shopcare.services.orders import create_order, delivery_terms

    c = ctx_of(ctx)
    items = [parse_item(s) for s in item]
    terms = delivery_terms(
        c, delivery_method,
        parse_money(delivery_cost, "--delivery-cost") if delivery_cost is not None else None,
        parse_day(promised, c.tz) if promised else None,
        parse_day(promised_until, c.tz) if promised_until else None,
        address,
    )
    order = create_order(
        c, number, customer=customer, items=items, currency=currency, payment_method=payment,
        payment_state="paid" if paid else "unpaid", total=parse_money(total, "--total") if total else None,
        delivery=terms, note=note, phone_confirmation=phone_confirm, notify=notify,
    )
    if as_json:
        emit_json(_order_json(c, order))
    else:
        typer.echo(order.number)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=False, metavar="FILE", help="CSV export (Shopify, WooCommerce, or any with --mapping)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="shopify, woocommerce or mapped (default: detected from the header row)."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", metavar="FILE", help="TOML file mapping your CSV's columns to shopcare's fields."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file and report, write nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import orders (and their customers) from a shop platform's CSV export.

    Re-importing the same file changes nothing. A bad row is reported with its line number and
    the other rows still import. Nothing is sent to customers.
    """
    from shopcare.importers import import_file

    c = ctx_of(ctx)
    report = import_file(c, file, fmt=fmt, mapping=mapping, dry_run=dry_run)
    if as_json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            info(f"{file}:{problem.line}: {problem.message}")
        info(report.describe())
    if report.problems and not report.created and not report.updated and not report.unchanged:
        raise typer.Exit(2)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Optional[List[str]] = typer.Option(None, "--status", help="Only orders in this status (repeatable)."),
    customer: Optional[str] = typer.Option(None, "--customer", metavar="ID", help="Only this customer's orders."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE", help="Only orders created on or after this date."),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many (oldest first)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List orders, oldest first."""
    from shopcare.context import parse_when
    from shopcare.errors import BadInput
    from shopcare.model.states import ORDER

    c = ctx_of(ctx)
    for s in status or ():
        if s not in ORDER:
            raise BadInput(f"--status {s!r} is not an order status ({', '.join(ORDER)})")
    rows = c.store.list("order", status=status or None, customer=customer,
                        since=parse_when(since, c.tz) if since else None, limit=limit)
    damaged = c.store.index.damaged("order")
    if damaged:
        info(f"shopcare: warning: {len(damaged)} damaged order record(s) left out; `shopcare doctor` lists them")
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


def _order_json(c, order) -> dict:
    from shopcare.store.codec import to_toml_dict

    data = to_toml_dict(order)
    customer = c.store.find("customer", order.customer)
    data["customer_name"] = customer.name if customer else None
    data["requirements"] = customer.requirements if customer else ""
    data["items_total"] = format(order.items_total(), "f")
    return data


@app.command("show")
def show(ctx: typer.Context, number: str = typer.Argument(..., metavar="NUMBER"), as_json: bool = JSON_OPTION) -> None:
    """Show one order, with the customer's key requirements."""
    c = ctx_of(ctx)
    order = c.store.get("order", number)
    if as_json:
        emit_json(_order_json(c, order))
        return
    customer = c.store.find("customer", order.customer)
    d = order.delivery
    promised = d.promised.isoformat() if d.promised else None
    if promised and d.promised_until:
        promised += f" .. {d.promised_until.isoformat()}"
    pairs = [
        ("Order", order.number), ("Status", order.status), ("Created", order.created),
        ("Customer", f"{customer.name} ({customer.id})" if customer else order.customer),
    ]
    if customer and customer.requirements:
        pairs.append(("KEY REQUIREMENTS", customer.requirements))
    if customer:
        pairs.append(("Contact", ", ".join(x for x in (customer.email, customer.phone) if x) + f"  [{customer.channel}, {customer.language}]"))
    pairs += [
        ("Total", f"{order.total} {order.currency}"),
        ("Payment", f"{order.payment.method}, {order.payment.state}"),
        ("Delivery", d.method or None),
        ("Delivery cost", ("free" if d.cost == 0 else f"{d.cost} {order.currency}") if d.cost is not None else None),
        ("Promised", promised), ("Address", d.address),
        ("Confirmed", f"{order.confirmed_at:%Y-%m-%d %H:%M} by {', '.join(order.confirmed_by)}" if order.confirmed_at else None),
        ("Phone check", ("needed" if "phone" not in order.confirmed_by else "done") if order.phone_confirmation else None),
        ("Cancelled", f"{order.cancelled_at:%Y-%m-%d %H:%M}: {order.cancel_reason}" if order.cancelled_at else None),
        ("Version", order.version),
    ]
    show_fields(pairs)
    typer.echo("Items:")
    for i in order.items:
        typer.echo(f"  {i.qty} x {i.name} [{i.sku}] @ {i.unit_price} = {i.line_total}")
    if order.notes:
        typer.echo("Notes:")
        for n in order.notes:
            typer.echo(f"  {n.at:%Y-%m-%d %H:%M} {n.by}: {n.text}")


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER"),
    by: str = typer.Option("email", "--by", help="How it was confirmed: email, sms or phone (phone closes the call task)."),
    promised: Optional[str] = typer.Option(None, "--promised", metavar="DATE", help="The delivery date agreed now (kept by `deadlines check`)."),
    promised_until: Optional[str] = typer.Option(None, "--promised-until", metavar="DATE", help="End of the agreed delivery window."),
    if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse (exit 1) unless the order is still at this version."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm an order; tells the customer (order_confirmed) on their channel, with the agreed
    delivery date. Confirming twice changes nothing."""
    from shopcare.context import parse_day
    from shopcare.services.lifecycle import confirm_order

    c = ctx_of(ctx)
    order, changed = confirm_order(c, number, by=by, at=c.when(at),
                                   promised=parse_day(promised, c.tz) if promised else None,
                                   promised_until=parse_day(promised_until, c.tz) if promised_until else None,
                                   expect_version=if_version)
    if as_json:
        emit_json(_order_json(c, order))
    else:
        info(f"order {order.number} confirmed" if changed else f"order {order.number} was already confirmed ({', '.join(order.confirmed_by)})")


@app.command("note")
def note(ctx: typer.Context, number: str = typer.Argument(..., metavar="NUMBER"), text: str = typer.Argument(..., metavar="TEXT"),
         if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse (exit 1) unless the order is still at this version.")) -> None:
    """Add a note to an order."""
    from shopcare.services.orders import add_note

    order = add_note(ctx_of(ctx), number, text, expect_version=if_version)
    info(f"note added to order {order.number}")


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER"),
    reason: str = typer.Option(..., "--reason", help="Why (kept on the order, told to the customer)."),
    if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse (exit 1) unless the order is still at this version."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a new or confirmed order; tells the customer (order_cancelled)."""
    from shopcare.services.lifecycle import cancel_order

    c = ctx_of(ctx)
    order = cancel_order(c, number, reason=reason, at=c.when(at), expect_version=if_version)
    if as_json:
        emit_json(_order_json(c, order))
    else:
        info(f"order {order.number} cancelled")


@app.command("pay")
def pay(
    ctx: typer.Context,
    number: str = typer.Argument(..., metavar="NUMBER"),
    state: str = typer.Option("paid", "--state", help="paid, refunded or partially_refunded."),
    amount: Optional[str] = typer.Option(None, "--amount", help="Amount refunded (for refunds)."),
    if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse (exit 1) unless the order is still at this version."),
    at: Optional[str] = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a payment or a refund (a refund tells the customer: refund_issued)."""
    from shopcare.model.order import parse_money
    from shopcare.services.lifecycle import set_payment

    c = ctx_of(ctx)
    order = set_payment(c, number, state, at=c.when(at), amount=parse_money(amount, "--amount") if amount else None,
                        expect_version=if_version)
    if as_json:
        emit_json(_order_json(c, order))
    else:
        info(f"order {order.number}: payment {order.payment.state}")


@app.command("history")
def history(ctx: typer.Context, number: str = typer.Argument(..., metavar="NUMBER"), as_json: bool = JSON_OPTION) -> None:
    """Who changed the order, what and when (from the journal)."""
    from shopcare.ids import validate_id

    c = ctx_of(ctx)
    number = validate_id(number, "order number")
    entries = c.store.history("order", number)
    if not entries and not c.store.exists("order", number):
        from shopcare.errors import NotFound

        raise NotFound(f"no order {number!r}")
    if as_json:
        emit_json(entries)
        return
    for e in entries:
        fields = e.get("fields") or {}
        detail = "; ".join(f"{k}: {v[0]} -> {v[1]}" if isinstance(v, list) else f"{k} {v}" for k, v in fields.items())
        typer.echo(f"{e['time']}  v{e['version']}  {e['actor']}  {e['change']}" + (f"  ({detail})" if detail else ""))
