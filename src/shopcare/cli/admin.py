"""`shopcare init`, `shopcare config ...` and `shopcare doctor`: setting up and looking after."""

from __future__ import annotations

import typer

from shopcare.cli.common import JSON_OPTION, emit_json, info

init_app = typer.Typer(add_completion=False, rich_markup_mode=None)
config_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Check the configuration.", no_args_is_help=True)
doctor_app = typer.Typer(add_completion=False, rich_markup_mode=None)


@init_app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the data directory layout (safe to run again)."""
    from shopcare import config as config_mod
    from shopcare.store import Store

    holder = ctx.find_root().obj
    cfg = config_mod.load(holder.config_path)
    root = config_mod.resolve_data_dir(holder.data_dir, cfg)
    _store, created = Store.init(root)
    _store.close()
    info(f"{'created' if created else 'already initialised:'} data directory {root}")
    typer.echo(str(root))


@config_app.command("check")
def config_check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Validate the config file; name each key that is wrong and why (exit 3 if any)."""
    from shopcare import config as config_mod
    from shopcare.errors import ConfigError

    holder = ctx.find_root().obj
    path, _ = config_mod.find_config_path(holder.config_path)
    try:
        problems = config_mod.check_problems(path)
    except ConfigError as exc:
        problems = exc.problems or [("(file)", exc.message)]
    warnings: list[str] = []
    if path is not None:
        cfg = config_mod.load(path, strict=False)
        warnings = cfg.warnings
    if as_json:
        emit_json({"config": str(path) if path else None, "ok": not problems,
                   "problems": [{"key": k, "reason": r} for k, r in problems], "warnings": warnings})
    else:
        for w in warnings:
            info(f"warning: {w}")
        for key, reason in problems:
            typer.echo(f"{key}: {reason}")
        if not problems:
            info(f"{path or 'no config file (embedded defaults)'}: OK")
    if problems:
        raise typer.Exit(3)


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective configuration (defaults filled in; secrets are never in it)."""
    import tomli_w

    from shopcare import config as config_mod

    holder = ctx.find_root().obj
    cfg = config_mod.load(holder.config_path)
    out = {k: v for k, v in cfg.sections[""].items()}
    for name, section in cfg.sections.items():
        if not name:
            continue
        raw = (cfg.raw.get(name) or {}) if isinstance(cfg.raw.get(name), dict) else {}
        from shopcare.config_schema import SCHEMA

        out[name] = {k: raw.get(k, SCHEMA[name][k].default) for k in SCHEMA[name]}
    info(f"# {cfg.path or 'embedded defaults (no config file)'}")
    typer.echo(tomli_w.dumps(out), nl=False)


@doctor_app.command("doctor")
def doctor(
    ctx: typer.Context,
    reindex: bool = typer.Option(False, "--reindex", help="Rebuild the listing index from the record files."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List damaged records and other problems in the data directory (exit 3 if any record is damaged)."""
    from shopcare.cli.common import ctx_of

    c = ctx_of(ctx)
    store = c.store
    counts = store.reindex() if reindex else None
    damaged = store.damaged()
    temps = store.clean_temps()
    result = {"data_dir": str(store.root), "damaged": [{"kind": k, "file": f, "reason": r} for k, f, r in damaged],
              "stale_temp_files_removed": temps}
    if counts is not None:
        result["reindexed"] = counts
    if (c.data_dir / "outbox").is_dir():
        result["outbox"] = c.outbox.health()
        result["outbox"]["stale_temp_files_removed"] = c.outbox.clean_tmp()
    if as_json:
        emit_json(result)
    else:
        if counts is not None:
            info("index rebuilt: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        for k, f, r in damaged:
            typer.echo(r)
        if temps:
            info(f"removed {temps} temp file(s) left by an interrupted write")
        if "outbox" in result:
            ob = result["outbox"]
            info(f"outbox: {ob['new']} waiting, {ob['cur']} being sent, {ob['sent']} sent, {ob['failed']} failed"
                 + (f"; oldest waiting since {ob['oldest_waiting'][:16]}" if ob["oldest_waiting"] else ""))
        if not damaged:
            info(f"{store.root}: no damaged records")
        else:
            info(f"{len(damaged)} damaged record(s): fix each file (other records stay usable)")
    if damaged:
        raise typer.Exit(3)
