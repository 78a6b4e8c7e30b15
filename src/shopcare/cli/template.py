"""`shopcare template ...`: list, preview and check the message templates."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json, info, table

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Message templates in en, pl, lt and ru: list, preview, check.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every message kind, what it is for, and which templates the shop has overridden."""
    from shopcare.notify.kinds import KINDS
    from shopcare.notify.render import LOCALES, Renderer

    c = ctx_of(ctx)
    r = Renderer(c.data_dir / "templates")
    rows = []
    for name, kind in KINDS.items():
        sources = {lang: r.source_of(name, lang) for lang in LOCALES}
        rows.append({"kind": name, "about": kind.about, "audience": kind.audience, "marketing": kind.marketing,
                     "overridden": sorted(l for l, s in sources.items() if s not in ("built-in", "missing")),
                     "missing": sorted(l for l, s in sources.items() if s == "missing")})
    if as_json:
        emit_json(rows)
    else:
        table([("kind", "Kind"), ("about", "What it says"), ("overridden", "Shop's own")], rows)
        info(f"override one by copying it to {c.data_dir / 'templates' / '<lang>' / '<kind>.j2'} and editing it")


@app.command("render")
def render(
    ctx: typer.Context,
    kind: str = typer.Argument(..., metavar="KIND"),
    lang: str = typer.Option("en", "--lang", help="en, pl, lt or ru."),
    order: Optional[str] = typer.Option(None, "--order", metavar="N", help="Render with this order's real data (else sample data)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Preview a message: subject, email body and the SMS with its parts and cost."""
    from decimal import Decimal

    from shopcare.errors import BadInput
    from shopcare.notify import smstext
    from shopcare.notify.kinds import KINDS
    from shopcare.notify.render import Renderer, check_lang
    from shopcare.notify.views import sample_vars

    c = ctx_of(ctx)
    check_lang(lang)
    if kind not in KINDS:
        raise BadInput(f"no message kind {kind!r}; `shopcare template list` shows them")
    variables = sample_vars(c, kind, lang)
    if order:
        from shopcare.services.notifications import order_vars

        o = c.store.get("order", order)
        cust = c.store.find("customer", o.customer)
        real = order_vars(c, o, cust)
        real["lang"] = lang
        variables.update(real)
    out = Renderer(c.data_dir / "templates").render(kind, lang, variables)
    sms = smstext.transliterate(out.sms) if c.config.sms.transliterate else out.sms
    count = smstext.count(sms)
    cost = Decimal(c.config.sms.price_per_segment) * count.parts
    if as_json:
        emit_json({"kind": kind, "lang": lang, "source": out.source, "subject": out.subject, "email": out.email,
                   "sms": sms, "sms_parts": count.parts, "sms_encoding": count.encoding, "sms_cost": str(cost)})
        return
    typer.echo(f"Subject: {out.subject}\n")
    typer.echo(out.email)
    typer.echo(f"SMS ({count.parts} part(s), {count.encoding}, about {cost} {c.config.shop.currency}): {sms}")
    info(f"template: {out.source}")


@app.command("check")
def check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Render every kind in every language with sample data; fail (exit 3) on a missing
    variable or block, a syntax error, or an SMS longer than [sms] max_segments."""
    from shopcare.notify.checks import check_templates

    c = ctx_of(ctx)
    results = check_templates(c)
    problems = [r for r in results if r["problem"]]
    if as_json:
        emit_json(results)
    else:
        for r in problems:
            typer.echo(f"{r['lang']}/{r['kind']}: {r['problem']}")
        info(f"{len(results)} template(s) checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(3)
