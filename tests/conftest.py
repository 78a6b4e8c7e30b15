"""Shared fixtures: a real data directory in a temp dir, the real CLI, a pinned clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import BASE_CONFIG, Shop

@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    config = tmp_path / "config.toml"
    config.write_text(BASE_CONFIG)
    data = tmp_path / "data"
    s = Shop(root=tmp_path, config=config, data=data)
    s.ok("init")
    return s


@pytest.fixture
def ctx(shop: Shop):
    """A library-level Context on the same shop (for tests below the CLI)."""
    from shopcare.context import Clock, Context, parse_when
    from shopcare import config as config_mod
    from zoneinfo import ZoneInfo

    cfg = config_mod.load(shop.config)
    tz = ZoneInfo(cfg.shop.timezone)
    c = Context(config=cfg, data_dir=shop.data, clock=Clock(tz, parse_when(shop.now, tz)), actor="tester")
    yield c
    c.close()


@pytest.fixture
def imap(tmp_path):
    """A real Dovecot on a loopback port, from a throwaway config (integration and reliability)."""
    from dovecot import Dovecot

    d = Dovecot(tmp_path / "dovecot").setup().start()
    yield d
    d.stop()


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd, in process) that keeps what it receives."""
    from servers import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()
