"""`shopcare customer ...`: add, list, show, edit and forget customers."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info, show_fields, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Customers: contacts, language, preferred channel and key requirements.", no_args_is_help=True)

COLUMNS = [("id", "ID"), ("name", "Name"), ("email", "Email"), ("phone", "Phone"), ("language", "Lang"),
           ("channel", "Channel"), ("requirements", "Key requirements")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Full name."),
    email: Optional[str] = typer.Option(None, "--email", help="Email address (validated)."),
    phone: Optional[str] = typer.Option(None, "--phone", help="Phone; normalised to +48600000000 form, region from --country or [shop] country."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of messages: en, pl, lt or ru (default from country, else [shop] default_language)."),
    channel: Optional[str] = typer.Option(None, "--channel", help="How they want to hear from us: email, sms, both or none."),
    requirements: str = typer.Option("", "--requirements", help="What matters to them, above all about delivery; shown on every order."),
    country: Optional[str] = typer.Option(None, "--country", help="Two-letter country code (PL, LT, RU...)."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="Their time zone for quiet hours, e.g. Europe/Vilnius (default the shop's)."),
    marketing: bool = typer.Option(False, "--marketing-consent", help="They agreed to marketing messages (service messages never need this)."),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help="Allow a second customer with the same email."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a customer and print their id."""
    from shopcare.services.customers import add_customer

    c = ctx_of(ctx)
    customer = add_customer(c, name=name, email=email, phone=phone, language=lang, channel=channel,
                            requirements=requirements, country=country, timezone=timezone,
                            marketing_consent=marketing, allow_duplicate=allow_duplicate)
    if as_json:
        emit_json({"id": customer.id, **customer.summary(), "version": customer.version})
    else:
        typer.echo(customer.id)


@app.command("list")
def list_(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(None, "--search", help="Only customers whose name, email or phone contains this."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List customers."""
    c = ctx_of(ctx)
    rows = c.store.list("customer", order="id")
    if search:
        needle = search.lower()
        rows = [r for r in rows if any(needle in (r.get(k) or "").lower() for k in ("name", "email", "phone"))]
    _warn_damaged(c, "customer")
    if as_json:
        emit_json(rows)
    else:
        table(COLUMNS, rows)


def _warn_damaged(c, kind: str) -> None:
    damaged = c.store.index.damaged(kind)
    if damaged:
        info(f"shopcare: warning: {len(damaged)} damaged {kind} record(s) left out; `shopcare doctor` lists them")


@app.command("show")
def show(ctx: typer.Context, customer_id: str = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """Show one customer with their orders."""
    c = ctx_of(ctx)
    customer = c.store.get("customer", customer_id)
    orders = c.store.list("order", customer=customer.id)
    if as_json:
        from shopcare.store.codec import to_toml_dict

        emit_json({**to_toml_dict(customer), "orders": [o["number"] for o in orders]})
        return
    show_fields([
        ("ID", customer.id), ("Name", customer.name), ("Email", customer.email), ("Phone", customer.phone),
        ("Language", customer.language), ("Channel", customer.channel), ("Country", customer.country),
        ("Time zone", customer.timezone), ("Marketing", "consented" if customer.marketing_consent else "no consent"),
        ("Requirements", customer.requirements), ("Forgotten", customer.forgotten),
        ("Orders", ", ".join(o["number"] for o in orders) or "none"), ("Version", customer.version),
    ])


@app.command("edit")
def edit(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., metavar="ID"),
    name: Optional[str] = typer.Option(None, "--name"),
    email: Optional[str] = typer.Option(None, "--email", help="New email ('' to remove)."),
    phone: Optional[str] = typer.Option(None, "--phone", help="New phone ('' to remove)."),
    lang: Optional[str] = typer.Option(None, "--lang"),
    channel: Optional[str] = typer.Option(None, "--channel"),
    requirements: Optional[str] = typer.Option(None, "--requirements"),
    country: Optional[str] = typer.Option(None, "--country"),
    timezone: Optional[str] = typer.Option(None, "--timezone"),
    marketing: Optional[bool] = typer.Option(None, "--marketing-consent/--no-marketing-consent"),
    if_version: Optional[int] = typer.Option(None, "--if-version", help="Refuse (exit 1) unless the record is still at this version."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a customer's details."""
    from shopcare.services.customers import edit_customer

    changes = {k: v for k, v in {
        "name": name, "email": email, "phone": phone, "language": lang, "channel": channel,
        "requirements": requirements, "country": country, "timezone": timezone, "marketing_consent": marketing,
    }.items() if v is not None}
    c = ctx_of(ctx)
    customer = edit_customer(c, customer_id, changes, expect_version=if_version)
    if as_json:
        emit_json({**customer.summary(), "version": customer.version})
    else:
        info(f"customer {customer.id} is at version {customer.version}")


@app.command("forget")
def forget(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation (for scripts)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Erase a customer's personal data (GDPR); order facts stay, anonymised."""
    import sys

    from shopcare.services.customers import forget_customer

    c = ctx_of(ctx)
    customer = c.store.get("customer", customer_id)
    if not yes:
        if not sys.stdin.isatty():
            from shopcare.errors import BadInput

            raise BadInput("forgetting a customer cannot be undone; add --yes to confirm")
        typer.confirm(f"Erase the personal data of {customer.name} ({customer.id})? This cannot be undone", abort=True)
    customer, counts = forget_customer(c, customer_id)
    if as_json:
        emit_json({"id": customer.id, "forgotten": customer.forgotten, **counts})
    else:
        info(f"customer {customer.id} forgotten: {counts['orders']} order(s) and {counts['inquiries']} inquiry(ies) "
             f"anonymised, {counts['messages']} message(s) deleted from the outbox")
