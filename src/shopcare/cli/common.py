"""What every command module shares: the context, output as table or JSON, messages to stderr.

Only the CLI prints. Results go to stdout (a rich table on a terminal, tab-separated lines in a
pipe, JSON with --json); everything else (progress, notices, warnings) goes to stderr, so a
script that reads stdout gets the result and nothing else.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print JSON (stable keys, for scripts) instead of a table.")
AT_OPTION = typer.Option(None, "--at", help="When it happened (default now), e.g. '2026-11-20 14:00' or 'yesterday 14:00'.")


class LazyContext:
    """Holds the global options; builds the real Context only when a command needs it."""

    def __init__(self, config: str | None, data_dir: str | None) -> None:
        self.config_path = config
        self.data_dir = data_dir
        self._ctx = None

    def get(self):
        if self._ctx is None:
            from shopcare.context import make_context

            self._ctx = make_context(self.config_path, self.data_dir)
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()


def ctx_of(typer_ctx: typer.Context):
    """The shopcare Context for a running command."""
    holder = typer_ctx.find_root().obj
    if holder is None:  # invoked without the root callback (should not happen)
        holder = LazyContext(None, None)
        typer_ctx.find_root().obj = holder
    return holder.get()


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "__dataclass_fields__"):
        from shopcare.store.codec import to_toml_dict

        return to_toml_dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def info(message: str) -> None:
    """A notice for the person at the terminal (stderr, never mixed into results)."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"shopcare: warning: {message}\n")


def _cell(value: Any) -> str:
    if type(value) is str:
        return value if "\t" not in value and "\n" not in value else value.replace("\t", " ").replace("\n", " ")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).replace("\t", " ").replace("\n", " ")


def table(columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]], *, title: str | None = None) -> None:
    """Rows as a table on a terminal, or one tab-separated line per row in a pipe.

    `columns` are (key, heading) pairs.
    """
    rows = list(rows)
    if not sys.stdout.isatty():
        keys = [k for k, _ in columns]
        sys.stdout.write("".join("\t".join([_cell(row.get(k)) for k in keys]) + "\n" for row in rows))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_edge=False, header_style="bold")
    for _, heading in columns:
        t.add_column(heading, overflow="fold")
    for row in rows:
        t.add_row(*(_cell(row.get(k)) for k, _ in columns))
    Console().print(t)
    if not rows:
        info("(none)")


def show_fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """A record for a person: one 'label: value' line each."""
    width = max((len(k) for k, _ in pairs), default=0)
    for label, value in pairs:
        if value in (None, "", [], {}):
            continue
        text = _cell(value) if not isinstance(value, str) else value
        lines = str(text).splitlines() or [""]
        sys.stdout.write(f"{label:<{width}}  {lines[0]}\n")
        for more in lines[1:]:
            sys.stdout.write(f"{'':<{width}}  {more}\n")


def is_quiet() -> bool:
    """True under cron or in a pipe: no progress bars."""
    return not sys.stderr.isatty()
