"""`shopcare daemon run|status`: the notification daemon, and what it is doing."""

from __future__ import annotations

import typer

from shopcare.cli.common import JSON_OPTION, emit_json, info

app = typer.Typer(add_completion=False, rich_markup_mode=None, help="The notification daemon: run it (systemd, foreground), or read its status.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """The notification daemon: run it (systemd, foreground), or read its status."""


@app.command("run")
def run(ctx: typer.Context) -> None:
    """Run in the foreground: watch the mailbox, send the outbox, check deadlines. For systemd
    (Type=notify) or a terminal; SIGTERM stops it cleanly, SIGHUP reloads the configuration."""
    from shopcare import daemon
    from shopcare.context import make_context

    holder = ctx.find_root().obj
    first = make_context(holder.config_path, holder.data_dir, actor="daemon")
    first.store  # fail now (exit 3) if the data directory is missing
    level = first.config.daemon.log_level
    first.close()
    code = daemon.run(lambda actor: make_context(holder.config_path, holder.data_dir, actor=actor), level)
    raise typer.Exit(code)


@app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Is the daemon alive, are its loops running, how full is the outbox, when did it last
    fetch mail, how long the oldest message has waited, the last error. Exit 3 when it is not
    running (or its heartbeat is stale)."""
    import json
    import os
    from datetime import datetime, timezone

    from shopcare.cli.common import ctx_of

    c = ctx_of(ctx)
    path = c.data_dir / "state" / "heartbeat.json"
    try:
        beat = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        beat = None
    alive = False
    if beat:
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(beat["now"])).total_seconds()
        try:
            os.kill(beat["pid"], 0)
            running = True
        except (ProcessLookupError, PermissionError) as exc:
            running = isinstance(exc, PermissionError)
        alive = running and not beat.get("stopped") and age <= 3 * beat.get("interval", 5) + 5
        beat["alive"] = alive
        beat["heartbeat_age_seconds"] = round(age, 1)
    if as_json:
        emit_json(beat or {"alive": False})
    elif not beat:
        info(f"the daemon has never run on {c.data_dir}")
    else:
        typer.echo(f"daemon: {'running' if alive else 'NOT RUNNING'} (pid {beat['pid']}, since {beat['started']}, "
                   f"heartbeat {beat['heartbeat_age_seconds']}s ago)")
        for name, loop in beat["loops"].items():
            line = f"  {name:<10} {loop['state']:<9} last ok {loop['last_ok'] or '-'}"
            if loop["last_error"]:
                line += f"; last error {loop['last_error']}"
            typer.echo(line)
        ob = beat.get("outbox") or {}
        typer.echo(f"  outbox     {ob.get('new', '?')} waiting, {ob.get('cur', '?')} being sent, {ob.get('failed', '?')} failed")
        typer.echo(f"  last fetch {beat.get('last_fetch') or '-'}; oldest message waiting since: {beat.get('oldest_waiting_message') or 'none'}")
    if not alive:
        raise typer.Exit(3)
