"""`shopcare probe`: the mystery shopper, for cron or a monitoring system."""

from __future__ import annotations

from typing import Optional

import typer

from shopcare.cli.common import JSON_OPTION, ctx_of, emit_json

app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command("probe")
def probe(
    ctx: typer.Context,
    lang: Optional[str] = typer.Option(None, "--lang", help="Language to write in: en, pl, lt or ru (default [probe] language)."),
    order: Optional[str] = typer.Option(None, "--order", help="An order number to ask about (default [probe] order)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write to the shop like a customer and check its acknowledgement: in time, threaded, in
    the right language, marked auto-replied, with a promised answer time in the future.
    Exit 0 when all hold, 1 when one fails or nothing came within [probe] max_ack_seconds."""
    from shopcare import probe as probe_mod
    from shopcare.notify.render import check_lang

    c = ctx_of(ctx)
    if lang:
        check_lang(lang)
    result = probe_mod.run(c, language=lang, order=order)
    if as_json:
        emit_json(result.as_dict())
    else:
        secs = f"{result.seconds:.2f} s" if result.seconds is not None else "no answer"
        typer.echo(f"probe {'OK' if result.ok else 'FAILED'}: acknowledgement after {secs}")
        for name, check in result.checks.items():
            typer.echo(f"  {'ok  ' if check['ok'] else 'FAIL'} {name}: {check.get('got', '')}")
    if not result.ok:
        raise typer.Exit(1)
