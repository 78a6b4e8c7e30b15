"""Everything a command needs from its surroundings, in one object tests can replace.

Paths, configuration, the clock and the store (and, lazily, the outbox and channels) come from
here and nowhere else, so a test points everything at a temp dir and a fixed clock.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from shopcare.config import Config
from shopcare.errors import BadInput


def parse_when(text: str, tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """'2026-11-20 14:00', '2026-11-20T14:00+01:00', '2026-11-20', 'now', 'yesterday 14:00'.

    A time without an offset is read in the shop's time zone.
    """
    from datetime import timedelta

    raw = text.strip()
    low = raw.lower()
    base = now or datetime.now(tz)
    for word, delta in (("today", 0), ("yesterday", -1), ("tomorrow", 1)):
        if low.startswith(word):
            day = (base.astimezone(tz) + timedelta(days=delta)).date()
            rest = low[len(word):].strip() or "00:00"
            raw = f"{day.isoformat()}T{rest}"
            break
    else:
        if low == "now":
            return base
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
    except ValueError:
        raise BadInput(f"{text!r} is not a date/time like 2026-11-20 14:00 or 2026-11-20T14:00+01:00") from None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def parse_day(text: str, tz: ZoneInfo | None = None):
    """'2026-11-25' -> date; also 'today', 'tomorrow', '+3d'."""
    from datetime import date, timedelta

    raw = text.strip().lower()
    today = datetime.now(tz or timezone.utc).date()
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw.startswith("+") and raw.endswith("d") and raw[1:-1].isdigit():
        return today + timedelta(days=int(raw[1:-1]))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{text!r} is not a date like 2026-11-25") from None


class Clock:
    """Now, in the shop's time zone. SHOPCARE_NOW pins it (tests, replaying late news)."""

    def __init__(self, tz: ZoneInfo, fixed: datetime | None = None) -> None:
        self.tz = tz
        self.fixed = fixed

    @classmethod
    def from_env(cls, tz: ZoneInfo) -> "Clock":
        pinned = os.environ.get("SHOPCARE_NOW")
        return cls(tz, parse_when(pinned, tz) if pinned else None)

    def now(self) -> datetime:
        if self.fixed is not None:
            return self.fixed.astimezone(self.tz)
        return datetime.now(self.tz)

    def today(self):
        return self.now().date()


class Context:
    """Configuration, data dir, clock and actor; the store, calendar and outbox come lazily."""

    def __init__(self, config: Config, data_dir: Path, clock: Clock, actor: str | None = None) -> None:
        self.config = config
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.actor = actor

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.shop.timezone)

    @cached_property
    def store(self):
        from shopcare.store import Store

        return Store.open(self.data_dir, actor=self.actor, now=self.clock.now)

    @cached_property
    def calendar(self):
        from shopcare.model.calendar import BusinessCalendar

        shop = self.config.shop
        return BusinessCalendar.from_config(shop.business_hours, shop.timezone, shop.country)

    @cached_property
    def outbox(self):
        from shopcare.notify.outbox import Outbox

        return Outbox(self.data_dir / "outbox", now=self.clock.now)

    @cached_property
    def notifier(self):
        from shopcare.notify.rules import Notifier

        return Notifier(self)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self):
        """Today in the shop's time zone."""
        return self.clock.now().astimezone(self.tz).date()

    def when(self, text: str | None) -> datetime:
        """--at TEXT (default now) as an aware datetime."""
        return parse_when(text, self.tz, self.now()) if text else self.now()

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def make_context(config_path: str | None = None, data_dir: str | None = None, *, actor: str | None = None) -> Context:
    from shopcare import config as config_mod

    cfg = config_mod.load(config_path)
    root = config_mod.resolve_data_dir(data_dir, cfg)
    tz = ZoneInfo(cfg.shop.timezone)
    return Context(config=cfg, data_dir=root, clock=Clock.from_env(tz), actor=actor)
