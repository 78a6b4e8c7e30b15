"""From an event to the messages it owes, and the rules that decide when each may go out.

Planning (when the event happens): which kinds are sent, on which channel (the customer's
choice; `none` means none; SMS falls back to email when the shop has no SMS provider),
marketing only with consent, rendered in the customer's language, frozen into the outbox.

Sending (when a message is due): SMS to customers wait out quiet hours in the customer's time
zone (never dropped; time-critical kinds may be exempt), SMS stop at the shop's daily cap
(held to the next day, staff told once), a customer gets at most N messages an hour, and staff
alerts wait for someone on duty.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shopcare.notify.kinds import KINDS
from shopcare.notify.message import OutboxMessage


class Notifier:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self._renderer = None
        self.on_enqueue = None  # the daemon's hook: wake its sender at once

    @property
    def renderer(self):
        if self._renderer is None:
            from shopcare.notify.render import Renderer

            self._renderer = Renderer(self.ctx.data_dir / "templates")
        return self._renderer

    def channels_for(self, customer) -> list[str]:
        cfg = self.ctx.config
        email = customer.channel in ("email", "both") and bool(customer.email)
        sms = customer.channel in ("sms", "both") and bool(customer.phone) and cfg.sms.provider != "none"
        if customer.channel in ("sms", "both") and not sms and customer.email:
            email = True  # no SMS provider (or no phone): the message still reaches them
        return [c for c, want in (("email", email), ("sms", sms)) if want]

    def _sms_text(self, text: str) -> tuple[str, Any]:
        from shopcare.notify import smstext

        if self.ctx.config.sms.transliterate:
            text = smstext.transliterate(text)
        return text, smstext.count(text)

    def for_customer(self, kind: str, customer, variables: dict[str, Any], record: str, tag: str, *,
                     channels: list[str] | None = None, reply_to: tuple[str, list[str]] | None = None) -> list[OutboxMessage]:
        """The messages `kind` owes `customer` about `record`; `tag` makes the key unique per event."""
        cfg = self.ctx.config
        info = KINDS[kind]
        if kind in cfg.notify.disabled_kinds or customer is None or customer.forgotten:
            return []
        if info.marketing and not customer.marketing_consent:
            return []
        chosen = channels if channels is not None else self.channels_for(customer)
        if not chosen:
            return []
        lang = customer.language
        blocks = (("subject", "email") if "email" in chosen else ()) + (("sms",) if "sms" in chosen else ())
        rendered = self.renderer.render(kind, lang, variables, blocks)
        now = self.ctx.now()
        out = []
        for channel in chosen:
            to = customer.email if channel == "email" else customer.phone
            if not to:
                continue
            msg = OutboxMessage(
                key=f"{kind}:{record}:{tag}:{channel}", kind=kind, channel=channel, to=to, to_name=customer.name,
                lang=lang, created=now.isoformat(), next_try=now.isoformat(), customer=customer.id, record=record,
                tz=customer.timezone or cfg.shop.timezone, marketing=info.marketing,
            )
            if channel == "email":
                msg.subject, msg.body = rendered.subject, rendered.email
            else:
                msg.body, count = self._sms_text(rendered.sms)
                msg.sms_parts, msg.sms_encoding = count.parts, count.encoding
            if reply_to:
                msg.in_reply_to, msg.references = reply_to[0], list(reply_to[1])
                msg.auto_submitted = "auto-replied"
            out.append(msg)
        return out

    def for_staff(self, title: str, lines: list[str], key: str, *, avoid: set[str] = frozenset()) -> list[OutboxMessage]:
        """One alert per staff member (on their channel, or the other one when `avoid` names
        a channel that is down). Empty when no staff are configured."""
        cfg = self.ctx.config
        lang = cfg.shop.default_language
        from shopcare.notify.views import base_vars

        variables = {**base_vars(self.ctx, lang), "alert": {"title": title, "lines": lines}}
        rendered = self.renderer.render("staff_alert", lang, variables)
        now = self.ctx.now()
        out = []
        for i, member in enumerate(self.ctx.config.staff):
            wanted = {"email": ["email"], "sms": ["sms"], "both": ["email", "sms"], "none": []}[member.channel]
            have = {"email": bool(member.email), "sms": bool(member.phone) and cfg.sms.provider != "none"}
            chans = [c for c in wanted if have[c] and c not in avoid]
            if not chans:
                chans = [c for c in ("email", "sms") if have[c] and c not in avoid][:1]
            if not chans:  # their only way is the one that is down: it goes when it works again
                chans = [c for c in wanted if have[c]]
            for channel in chans:
                to = member.email if channel == "email" else _e164(member.phone, cfg.shop.country)
                msg = OutboxMessage(
                    key=f"staff_alert:{key}:{i}:{channel}", kind="staff_alert", channel=channel, to=to,
                    to_name=member.name, lang=lang, created=now.isoformat(), next_try=now.isoformat(),
                    audience="staff", record=key, tz=cfg.shop.timezone, on_duty=member.on_duty,
                )
                if channel == "email":
                    msg.subject, msg.body = rendered.subject, rendered.email
                else:
                    msg.body, count = self._sms_text(rendered.sms[:300])
                    msg.sms_parts, msg.sms_encoding = count.parts, count.encoding
                out.append(msg)
        return out

    def enqueue(self, messages: list[OutboxMessage]) -> int:
        """Queue messages; returns how many were new (an event seen before queues nothing)."""
        outbox = self.ctx.outbox
        n = sum(1 for m in messages if outbox.enqueue(m))
        if n and self.on_enqueue is not None:
            self.on_enqueue()
        return n

    def alert_staff(self, title: str, lines: list[str], key: str, *, avoid: set[str] = frozenset()) -> int:
        return self.enqueue(self.for_staff(title, lines, key, avoid=avoid))

    def alert(self, code: str, key: str, *, avoid: set[str] = frozenset(), **facts) -> int:
        """Alert staff with catalogue text `code` (notify/staff_text.py) in the shop's language.
        `key` names the occasion: the same key never alerts twice."""
        from shopcare.notify.staff_text import staff_text

        title, lines = staff_text(code, self.ctx.config.shop.default_language, **facts)
        return self.alert_staff(title, lines, key, avoid=avoid)


def _e164(phone: str, country: str) -> str:
    from shopcare.model.contact import normalize_phone

    return normalize_phone(phone, country)


# -- send-time rules --------------------------------------------------------------------------

class SendState:
    """Counters the send rules share across runs and processes: SMS parts per day, recent
    messages per customer, open outages, alerts already given (outbox/state.sqlite3).

    SQLite because two senders (the daemon and a cron `outbox send`) update it at once: a
    message's SMS parts are reserved in one transaction before it is sent, so the daily cap
    holds strictly, and given back if the send fails.
    """

    def __init__(self, path: Path) -> None:
        from shopcare.store.sqlite import connect

        self.db = connect(path)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS sms_parts (day TEXT PRIMARY KEY, parts INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS recent (customer TEXT NOT NULL, at TEXT NOT NULL);"
            "CREATE INDEX IF NOT EXISTS recent_customer ON recent (customer, at);"
            "CREATE TABLE IF NOT EXISTS outages (channel TEXT PRIMARY KEY, since TEXT, error TEXT, tries INTEGER, retry_at TEXT);"
            "CREATE TABLE IF NOT EXISTS alerts (key TEXT PRIMARY KEY, at TEXT);"
        )

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        return _Txn(self.db)

    def sms_parts(self, day: str) -> int:
        row = self.db.execute("SELECT parts FROM sms_parts WHERE day=?", (day,)).fetchone()
        return row[0] if row else 0

    def add_sms_parts(self, day: str, parts: int) -> None:
        self.db.execute("INSERT INTO sms_parts VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET parts = MAX(0, parts + ?)",
                        (day, max(parts, 0), parts))

    def recent(self, customer: str, since: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT at FROM recent WHERE customer=? AND at>? ORDER BY at", (customer, since))]

    def add_recent(self, customer: str, at: str) -> None:
        self.db.execute("INSERT INTO recent VALUES (?, ?)", (customer, at))

    def remove_recent(self, customer: str, at: str) -> None:
        self.db.execute("DELETE FROM recent WHERE rowid IN (SELECT rowid FROM recent WHERE customer=? AND at=? LIMIT 1)",
                        (customer, at))

    def outage(self, channel: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT since, error, tries, retry_at FROM outages WHERE channel=?", (channel,)).fetchone()
        return dict(zip(("since", "error", "tries", "retry_at"), row)) if row else None

    def outages(self) -> dict[str, dict[str, Any]]:
        return {r[0]: dict(zip(("since", "error", "tries", "retry_at"), r[1:]))
                for r in self.db.execute("SELECT channel, since, error, tries, retry_at FROM outages")}

    def set_outage(self, channel: str, since: str, error: str, tries: int, retry_at: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO outages VALUES (?,?,?,?,?)", (channel, since, error, tries, retry_at))

    def end_outage(self, channel: str) -> bool:
        return self.db.execute("DELETE FROM outages WHERE channel=?", (channel,)).rowcount > 0

    def first_time(self, key: str, at: str) -> bool:
        """True once per key: for alerts that must be given once (per outage, per day)."""
        return self.db.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?)", (key, at)).rowcount > 0

    def prune(self, now: datetime) -> None:
        self.db.execute("DELETE FROM recent WHERE at < ?", ((now - timedelta(hours=2)).isoformat(),))
        self.db.execute("DELETE FROM sms_parts WHERE day < ?", ((now - timedelta(days=40)).date().isoformat(),))
        self.db.execute("DELETE FROM alerts WHERE at < ?", ((now - timedelta(days=90)).isoformat(),))


class _Txn:
    def __init__(self, db) -> None:
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _in_window(local: time, start: time, end: time) -> bool:
    return start <= local < end if start < end else (local >= start or local < end)


def _window_end(now_local: datetime, end: time) -> datetime:
    candidate = datetime.combine(now_local.date(), end, now_local.tzinfo)
    if candidate <= now_local:
        candidate += timedelta(days=1)
    return candidate


class Policy:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.cfg = ctx.config
        self.shop_tz = ZoneInfo(self.cfg.shop.timezone)

    def _day(self, now: datetime) -> str:
        return now.astimezone(self.shop_tz).date().isoformat()

    def hold(self, msg: OutboxMessage, now: datetime, state: SendState, recent: list[str] | None = None) -> tuple[datetime, str] | None:
        """When `msg` may not go out now: (the earliest moment it may, why). Call inside a
        state transaction, then `reserve` in the same one when it may go. `recent` (times of
        this customer's messages in the last hour) may come from the caller's own count."""
        cfg = self.cfg
        if msg.audience == "staff":
            if msg.on_duty:
                from shopcare.model.calendar import BusinessCalendar, parse_business_hours

                cal = BusinessCalendar(parse_business_hours(msg.on_duty), self.shop_tz, cfg.shop.country)
                if not cal.is_open(now):
                    return cal.next_open(now), "staff member off duty"
            return None
        if msg.channel == "sms":
            window = cfg.notify.quiet_hours
            if window and msg.kind not in cfg.notify.quiet_hours_exempt:
                local = now.astimezone(ZoneInfo(msg.tz or cfg.shop.timezone))
                if _in_window(local.time(), *window):
                    return _window_end(local, window[1]), "quiet hours"
            spent = state.sms_parts(self._day(now))
            if cfg.sms.daily_cap and spent + max(msg.sms_parts, 1) > cfg.sms.daily_cap:
                tomorrow = datetime.combine(now.astimezone(self.shop_tz).date() + timedelta(days=1), time(0, 5), self.shop_tz)
                return tomorrow, "daily SMS cap reached"
        if msg.customer and msg.kind != "inquiry_ack":
            # The limit keeps notifications from piling up; an answer to a mail the customer
            # has just written is not one of them.
            limit = cfg.notify.customer_hourly_limit
            if recent is None:
                recent = state.recent(msg.customer, (now - timedelta(hours=1)).isoformat())
            if len(recent) >= limit:
                return datetime.fromisoformat(recent[-limit]) + timedelta(hours=1), "hourly limit of messages to this customer"
        return None

    def reserve(self, msg: OutboxMessage, now: datetime, state: SendState, recent: bool = True) -> None:
        if msg.channel == "sms" and msg.audience == "customer":
            state.add_sms_parts(self._day(now), max(msg.sms_parts, 1))
        if recent and msg.customer and msg.audience == "customer":
            state.add_recent(msg.customer, now.isoformat())

    def unreserve(self, msg: OutboxMessage, now: datetime, state: SendState) -> None:
        if msg.channel == "sms" and msg.audience == "customer":
            state.add_sms_parts(self._day(now), -max(msg.sms_parts, 1))
        if msg.customer and msg.audience == "customer":
            state.remove_recent(msg.customer, now.isoformat())


def backoff(attempts: int, base: float, cap: float, key: str) -> float:
    """Seconds to wait before try `attempts + 1`: exponential, capped, with jitter that is
    different for each message (so a queue that failed together does not retry together)."""
    delay = min(cap, base * (2 ** max(attempts - 1, 0)))
    jitter = int(hashlib.sha256(f"{key}:{attempts}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return delay * (0.8 + 0.4 * jitter)
