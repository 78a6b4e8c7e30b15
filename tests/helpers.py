"""Helpers shared by the tests: paths, and a shop on a temp data dir driven through the real CLI."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from shopcare.cli import app

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

BASE_CONFIG = """\
[shop]
name = "Test Shop"
email = "shop@shop.example"
timezone = "Europe/Warsaw"
country = "PL"
default_language = "en"
currency = "PLN"
business_hours = "Mon-Fri 09:00-17:00"
"""


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@dataclass
class Shop:
    """A shop on a temp data dir; `run` invokes the real CLI in-process."""

    root: Path
    config: Path
    data: Path
    now: str = "2026-11-23T10:00:00+01:00"
    env: dict = field(default_factory=dict)

    def run(self, *args: str, now: str | None = "default", input: str | None = None, env: dict | None = None) -> Result:
        if len(args) == 1 and " " in args[0]:
            args = tuple(shlex.split(args[0]))
        runner = CliRunner()
        # now=None: the real clock (tests against real servers and a running daemon).
        pinned = self.now if now == "default" else now
        full_env = {"SHOPCARE_NOW": pinned, "SHOPCARE_ACTOR": "tester", "SHOPCARE_CONFIG": None,
                    "SHOPCARE_DATA_DIR": None, **self.env, **(env or {})}
        r = runner.invoke(app, ["--config", str(self.config), "--data-dir", str(self.data), *args],
                          env=full_env, input=input, catch_exceptions=False)
        return Result(r.exit_code, r.stdout, r.stderr)

    def ok(self, *args: str, **kw) -> Result:
        r = self.run(*args, **kw)
        assert r.exit_code == 0, f"exit {r.exit_code}\nstdout: {r.stdout}\nstderr: {r.stderr}"
        return r

    def subprocess(self, *args: str, now: str | None = None, check: bool = False, **kw) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
        env.update({"SHOPCARE_NOW": now or self.now, "SHOPCARE_ACTOR": "tester", **self.env})
        cmd = [sys.executable, "-m", "shopcare", "--config", str(self.config), "--data-dir", str(self.data), *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, check=check, **kw)

    def add_config(self, text: str) -> None:
        """Merge a TOML fragment into the shop's config (tables merged, arrays of tables added)."""
        import tomllib

        import tomli_w

        data = tomllib.loads(self.config.read_text())
        merge(data, tomllib.loads(text))
        self.config.write_text(tomli_w.dumps(data))

    def customer(self, name="Anna Nowak", email="anna@example.pl", **opts) -> str:
        args = ["customer", "add", "--name", name]
        if email:
            args += ["--email", email]
        for k, v in opts.items():
            args += [f"--{k.replace('_', '-')}", v]
        return self.ok(*args).stdout.strip()

    def order(self, number="A1001", customer=None, *extra: str) -> str:
        customer = customer or self.customer()
        return self.ok("order", "create", number, "--customer", customer, "--item", "MUG:2:49.50:Mug",
                       "--currency", "PLN", *extra).stdout.strip()


def merge(into: dict, new: dict) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        elif isinstance(value, list) and value and isinstance(value[0], dict) and isinstance(into.get(key), list):
            into[key].extend(value)
        else:
            into[key] = value
