"""The `shopcare` command: global options, lazily loaded subcommands, and the one place that
turns errors into messages and exit codes.

Subcommand modules are imported only when their command runs, so `shopcare --help` and a
single `shopcare order show` do not pay for every library shopcare can use.
"""

from __future__ import annotations

import importlib
import sys
import traceback as tb
from typing import Any

import typer
from typer.core import TyperGroup

from shopcare import __version__
from shopcare.errors import ExitStatus, ShopcareError

# name -> (module, attribute, one-line help). Order is the order shown in --help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("shopcare.cli.demo", "app", "Run the whole care loop on a throwaway data dir, no server needed."),
    "init": ("shopcare.cli.admin", "init_app", "Create the data directory layout."),
    "customer": ("shopcare.cli.customer", "app", "Customers: contacts, language, channel, key requirements."),
    "order": ("shopcare.cli.order", "app", "Orders: create, import, confirm, cancel, notes, history."),
    "delivery": ("shopcare.cli.delivery", "app", "Deliveries: carrier, tracking, promised date, status."),
    "return": ("shopcare.cli.returns", "app", "Returns (withdrawals) within the legal window."),
    "complaint": ("shopcare.cli.complaint", "app", "Warranty complaints and their answer deadlines."),
    "promise": ("shopcare.cli.promise", "app", "Promises made to customers (discounts, call-backs)."),
    "calls": ("shopcare.cli.calls", "app", "Phone work: orders to confirm by phone, call-backs."),
    "inquiry": ("shopcare.cli.inquiry", "app", "Customer emails: open, overdue, answered."),
    "outbox": ("shopcare.cli.outbox", "app", "Messages to customers and staff: queue, send, retry."),
    "template": ("shopcare.cli.template", "app", "Message templates in en, pl, lt and ru."),
    "mailbox": ("shopcare.cli.mailbox", "app", "Fetch customer mail (the cron form of the daemon's watcher)."),
    "deadlines": ("shopcare.cli.deadlines", "app", "Find promises at risk and act on them once."),
    "daemon": ("shopcare.cli.daemon", "app", "The notification daemon: run it, or read its status."),
    "probe": ("shopcare.cli.probe", "app", "Mystery shopper: mail the shop and time the acknowledgement."),
    "report": ("shopcare.cli.report", "app", "Reports: deliveries on time, returns, load, response times."),
    "config": ("shopcare.cli.admin", "config_app", "Check the configuration."),
    "doctor": ("shopcare.cli.admin", "doctor_app", "Find damaged records; rebuild the index."),
}

_state: dict[str, Any] = {"traceback": False}


def _available() -> list[str]:
    """Commands whose modules are present (later milestones add modules, not entries)."""
    from importlib.util import find_spec

    return [name for name, (mod, _, _) in COMMANDS.items() if find_spec(mod) is not None]


class ShopcareGroup(TyperGroup):
    def list_commands(self, ctx) -> list[str]:
        return _available() + [n for n in super().list_commands(ctx) if n not in COMMANDS]

    def get_command(self, ctx, name: str):
        if name in COMMANDS:
            module, attr, _ = COMMANDS[name]
            try:
                obj = getattr(importlib.import_module(module), attr)
            except ModuleNotFoundError as exc:
                if exc.name == module:
                    return None
                raise
            cmd = typer.main.get_command(obj)
            cmd.name = name
            _name_metavars(cmd)
            return cmd
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in _available()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_help(self, ctx, formatter) -> None:
        # Plain click formatting for the top level: it needs no subcommand module.
        return super(TyperGroup, self).format_help(ctx, formatter)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ShopcareError as exc:
            _report_error(exc)
            raise typer.Exit(int(exc.exit_status)) from None
        except OSError as exc:
            import errno

            if exc.errno == errno.EPIPE:
                raise
            if _state["traceback"]:
                tb.print_exc()
            typer.echo(f"shopcare: error: {exc}", err=True)
            raise typer.Exit(int(ExitStatus.ENVIRONMENT)) from None


def _name_metavars(cmd) -> None:
    """Show `--limit N`, `--status TEXT` in help rather than Typer's `<int>`, `<list[str]>`."""
    names = {"str": "TEXT", "list[str]": "TEXT", "int": "N", "float": "NUMBER", "Path": "PATH"}
    for param in getattr(cmd, "params", ()):
        bare = getattr(param, "bare_type", None)
        if getattr(param, "param_type_name", "") == "option" and param.metavar is None and bare is not None \
                and not getattr(param, "is_flag", False):
            label = names.get(bare())
            if label:
                param.metavar = label
    for sub in getattr(cmd, "commands", {}).values():
        _name_metavars(sub)


def _report_error(exc: ShopcareError) -> None:
    if _state["traceback"]:
        tb.print_exc()
    typer.echo(f"shopcare: error: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"  hint: {exc.hint}", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shopcare {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="shopcare",
    cls=ShopcareGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Customer care for a small online shop: orders, deliveries, returns and customer mail, "
    "as plain files you can read, grep and back up.\n\n"
    "Exit codes: 0 ok, 1 refused by a rule, 2 bad input, 3 configuration/environment/damaged store, "
    "4 not found.",
)


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: str = typer.Option(None, "--data-dir", metavar="DIR",
                                 help="Data directory (else $SHOPCARE_DATA_DIR, the config's data_dir, the user data dir)."),
    config: str = typer.Option(None, "--config", metavar="FILE",
                               help="Config file (else $SHOPCARE_CONFIG, else config.toml in the user config dir)."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the Python stack of an error."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    from shopcare.cli.common import LazyContext

    _state["traceback"] = traceback
    holder = LazyContext(config, data_dir)
    ctx.obj = holder
    ctx.call_on_close(holder.close)


def main() -> None:
    try:
        app(prog_name="shopcare")
    except ShopcareError as exc:  # raised outside a command (e.g. while building the context)
        _report_error(exc)
        sys.exit(int(exc.exit_status))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        tb.print_exc()
        typer.echo("shopcare: internal error (a bug): please report it with the stack above", err=True)
        sys.exit(70)
