"""Every command has help text, and every command is documented in README.md."""

import re

import typer

from shopcare.cli import app, _available
from helpers import ROOT


def _walk(cmd, path=()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, path + (name,))


def _all_commands():
    root = typer.main.get_command(app)

    ctx = root.make_context("shopcare", ["--help"], resilient_parsing=True)
    for name in _available():
        cmd = root.get_command(ctx, name)
        yield from _walk(cmd, (name,))


def test_every_command_has_help():
    from typer.testing import CliRunner

    runner = CliRunner()
    seen = 0
    for path, cmd in _all_commands():
        help_text = cmd.help or getattr(cmd, "short_help", None)
        assert help_text and help_text.strip(), f"shopcare {' '.join(path)} has no help text"
        r = runner.invoke(app, [*path, "--help"])
        assert r.exit_code == 0 and "Usage:" in r.output, (path, r.output)
        seen += 1
    assert seen > 10


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for path, cmd in _all_commands():
        if getattr(cmd, "commands", None):
            continue
        # `shopcare return approve|receive ID` documents both subcommands.
        words = [re.escape(p) for p in path[:-1]] + [r"(?:[\w-]+\|)*" + re.escape(path[-1]) + r"(?:\|[\w-]+)*"]
        assert re.search(r"shopcare\s+(\[[^\]]*\]\s+)?" + r"\s+".join(words) + r"\b", readme), \
            f"README.md does not show `shopcare {' '.join(path)}`"


def test_version():
    from typer.testing import CliRunner

    from shopcare import __version__

    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"shopcare {__version__}"


def test_python_dash_m_and_console_script_work():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "shopcare", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "order" in r.stdout
