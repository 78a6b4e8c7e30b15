"""Sending what the outbox holds: `shopcare outbox send` (cron) and the daemon's sender loop.

Per message: claim it, apply the send rules (maybe hold it), reserve its SMS parts, send,
then move it to sent/, back to new/ with a retry time, or to failed/. A per-message temporary
error counts as a try (after `max_attempts` the message fails); a channel that is down (server
unreachable, login refused, no SMS credit) does not: its messages wait, the channel is tried
again with backoff, and staff are told once per outage on another channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shopcare.errors import ChannelDown, PermanentChannelError, ShopcareError, TemporaryChannelError
from shopcare.notify.message import OutboxMessage
from shopcare.notify.rules import Policy, SendState, backoff

log = logging.getLogger("shopcare.sender")


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    recovered: int = 0
    waiting_for_channel: int = 0
    down: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        parts = [f"{self.sent} sent"]
        for label, n in (("retried later", self.retried), ("failed", self.failed), ("held", self.held),
                         ("recovered from a crashed sender", self.recovered),
                         ("waiting for a channel that is down", self.waiting_for_channel)):
            if n:
                parts.append(f"{n} {label}")
        text = ", ".join(parts)
        for channel, error in self.down.items():
            text += f"; {channel} is down: {error}"
        return text


class Sender:
    def __init__(self, ctx, channels: dict | None = None) -> None:
        self.ctx = ctx
        self.outbox = ctx.outbox
        self.outbox.ensure()
        self._channels = channels
        self.policy = Policy(ctx)
        self.state = SendState(self.outbox.root / "state.sqlite3")
        self.cfg = ctx.config
        self._settling: list = []  # sent messages' bookkeeping, running in threads
        self._outages_known: set[str] = set()
        # Email messages per customer in the last hour, counted here and written to the state
        # in batches: the hourly limit is a courtesy, unlike the SMS cap, which is reserved in
        # a transaction per message.
        self._recent: dict[str, list[str]] = {}
        self._recent_unsaved: list[tuple[str, str]] = []

    @property
    def channels(self) -> dict:
        if self._channels is None:
            from shopcare.channels import make_channels

            self._channels = make_channels(self.ctx)
        return self._channels

    def _recent_of(self, customer: str, now: datetime) -> list[str]:
        since = (now - timedelta(hours=1)).isoformat()
        if customer not in self._recent and len(self._recent) >= 4096:
            # A cache of the state, so a daemon running for months stays small: start it afresh.
            self._save_recent()
            self._recent.clear()
        if customer not in self._recent:
            self._recent[customer] = self.state.recent(customer, since)
        times = self._recent[customer]
        times[:] = [t for t in times if t > since]
        return times

    def _save_recent(self) -> None:
        if self._recent_unsaved:
            with self.state.transaction():
                for customer, at in self._recent_unsaved:
                    self.state.add_recent(customer, at)
            self._recent_unsaved = []

    async def _settle(self, settle, depth: int = 4) -> None:
        """Run a sent message's durable bookkeeping in a thread while the next ones are sent;
        at most `depth` at a time (None: wait for all)."""
        import asyncio

        if settle is None:
            pending, self._settling = self._settling, []
            for task in pending:
                await task
            return
        while len(self._settling) >= depth:
            await self._settling.pop(0)
        self._settling.append(asyncio.ensure_future(asyncio.to_thread(settle)))

    async def close(self) -> None:
        await self._settle(None)
        self._save_recent()
        for ch in (self._channels or {}).values():
            try:
                await ch.close()
            except Exception:  # closing must never hide what happened before it
                log.debug("closing %s failed", ch, exc_info=True)
        self.state.close()

    def down_channels(self, now: datetime) -> dict[str, dict]:
        return {c: o for c, o in self.state.outages().items() if o["retry_at"] and datetime.fromisoformat(o["retry_at"]) > now}

    def next_wakeup(self) -> datetime | None:
        """When the sender has something to do next (for the daemon's loop)."""
        now = self.ctx.now()
        down = self.down_channels(now)
        times = []
        for m in self.outbox.iter_state("new"):
            t = datetime.fromisoformat(m.next_try)
            if m.channel in down:
                t = max(t, datetime.fromisoformat(down[m.channel]["retry_at"]))
            times.append(t)
        return min(times) if times else None

    async def drain(self, *, max_rounds: int = 4, stop=None) -> DrainReport:
        report = DrainReport()
        report.recovered = self.outbox.recover()
        self._outages_known = set(self.state.outages())
        failed_now: list[OutboxMessage] = []
        for _ in range(max_rounds):
            now = self.ctx.now()
            down = self.down_channels(now)
            due = self.outbox.due(now)
            todo = [m for m in due if m.channel not in down]
            if not todo:
                break
            for msg in todo:
                if stop is not None and stop.is_set():
                    await self._settle(None)
                    self._save_recent()
                    return report
                if msg.channel in down:
                    continue
                await self._one(msg.id, report, down, failed_now)
            if failed_now:
                self._alert_failed(failed_now)
                failed_now = []
        await self._settle(None)
        self._save_recent()
        down = self.down_channels(self.ctx.now())
        for channel, outage in down.items():
            report.down[channel] = outage["error"]
        if down:  # reading every waiting message is worth it only when some must wait
            report.waiting_for_channel = sum(1 for m in self.outbox.iter_state("new") if m.channel in down)
        with self.state.transaction():
            self.state.prune(self.ctx.now())
        return report

    async def _one(self, msg_id: str, report: DrainReport, down: dict, failed_now: list) -> None:
        claim = self.outbox.claim(msg_id)
        if claim is None:
            return  # another sender has it
        msg = claim.message
        now = self.ctx.now()
        # If anything below raises (a bug, a cancellation) the claim stays in cur/ and the
        # next sender run returns it to the queue.
        recent = self._recent_of(msg.customer, now) if msg.customer and msg.audience == "customer" and msg.kind != "inquiry_ack" else None
        if msg.channel == "sms":
            with self.state.transaction():
                hold = self.policy.hold(msg, now, self.state, recent)
                if hold is None:
                    self.policy.reserve(msg, now, self.state, recent=False)
        else:
            hold = self.policy.hold(msg, now, self.state, recent)
        if hold is None and recent is not None:
            recent.append(now.isoformat())
            self._recent_unsaved.append((msg.customer, now.isoformat()))
            if len(self._recent_unsaved) >= 50:
                self._save_recent()
        if hold is not None:
            msg.next_try, msg.hold_reason = hold[0].isoformat(), hold[1]
            msg.note(now, f"held until {hold[0].isoformat(timespec='minutes')}: {hold[1]}")
            self.outbox.release(claim, "new")
            report.held += 1
            if hold[1] == "daily SMS cap reached":
                self._alert_once(f"sms_cap:{self.policy._day(now)}", "sms_cap", avoid={"sms"}, cap=self.cfg.sms.daily_cap)
            return
        outcome = await self._send(msg, now)
        if outcome == "sent":
            await self._settle(self.outbox.mark_sent(claim))
            report.sent += 1
            if msg.channel in self._outages_known:
                with self.state.transaction():
                    if self.state.end_outage(msg.channel):
                        log.info("channel %s works again", msg.channel)
                self._outages_known.discard(msg.channel)
            return
        if msg.channel == "sms":
            with self.state.transaction():
                self.policy.unreserve(msg, now, self.state)
        if recent is not None and now.isoformat() in recent:
            recent.remove(now.isoformat())
            if (msg.customer, now.isoformat()) in self._recent_unsaved:
                self._recent_unsaved.remove((msg.customer, now.isoformat()))
            else:
                with self.state.transaction():
                    self.state.remove_recent(msg.customer, now.isoformat())
        if outcome == "failed":
            self.outbox.release(claim, "failed")
            report.failed += 1
            if msg.audience == "customer":
                failed_now.append(msg)
        elif outcome == "down":
            self.outbox.release(claim, "new")
            down[msg.channel] = {}
        else:
            self.outbox.release(claim, "new")
            report.retried += 1

    async def _send(self, msg: OutboxMessage, now: datetime) -> str:
        """Send one claimed message; updates it and returns sent, retry, down or failed."""
        channel = self.channels.get(msg.channel)
        if channel is None:
            msg.failed_reason = f"no {msg.channel} channel is configured ([sms] provider = \"none\")"
            msg.note(now, f"failed: {msg.failed_reason}")
            return "failed"
        if msg.channel == "sms" and msg.sms_parts > self.cfg.sms.max_segments:
            msg.failed_reason = f"the SMS is {msg.sms_parts} parts, over [sms] max_segments = {self.cfg.sms.max_segments}"
            msg.note(now, f"failed: {msg.failed_reason}")
            return "failed"
        try:
            provider_id = await channel.send(msg)
        except PermanentChannelError as exc:
            msg.attempts += 1
            msg.failed_reason = exc.message
            msg.note(now, f"failed: {exc.message}")
            log.warning("message %s (%s to %s) failed: %s", msg.id, msg.kind, msg.channel, exc.message)
            return "failed"
        except ChannelDown as exc:
            self._outage(msg.channel, exc.message, now)
            msg.last_error = exc.message
            msg.note(now, f"channel down: {exc.message}")
            outage = self.state.outage(msg.channel)
            msg.next_try = outage["retry_at"] if outage else now.isoformat()
            return "down"
        except TemporaryChannelError as exc:
            msg.attempts += 1
            msg.last_error = exc.message
            if msg.attempts >= self.cfg.notify.max_attempts:
                msg.failed_reason = f"gave up after {msg.attempts} tries: {exc.message}"
                msg.note(now, f"failed: {msg.failed_reason}")
                return "failed"
            wait = backoff(msg.attempts, self.cfg.notify.retry_base, self.cfg.notify.retry_max, msg.key)
            msg.next_try = (now + timedelta(seconds=wait)).isoformat()
            msg.note(now, f"try {msg.attempts} failed ({exc.message}); next at {msg.next_try}")
            return "retry"
        msg.attempts += 1
        msg.sent_at = self.ctx.now().isoformat()
        msg.provider_id = provider_id or ""
        msg.hold_reason = ""
        msg.note(now, f"sent ({msg.channel})")
        log.info("sent %s %s to %s", msg.kind, msg.channel, msg.id)
        return "sent"

    def _outage(self, channel: str, error: str, now: datetime) -> None:
        self._outages_known.add(channel)
        with self.state.transaction():
            outage = self.state.outage(channel)
            tries = (outage["tries"] if outage else 0) + 1
            since = outage["since"] if outage else now.isoformat()
            wait = backoff(tries, self.cfg.notify.retry_base, self.cfg.notify.retry_max, f"outage:{channel}")
            self.state.set_outage(channel, since, error, tries, (now + timedelta(seconds=wait)).isoformat())
        log.warning("channel %s is down: %s", channel, error)
        waiting = sum(1 for m in self.outbox.iter_state("new") if m.channel == channel)
        self._alert_once(f"outage:{channel}:{since}", "channel_down", avoid={channel}, channel=channel.upper(),
                         since=since[:16].replace("T", " "), error=error, waiting=waiting + 1)

    def _alert_once(self, key: str, code: str, avoid: set[str] = frozenset(), **facts) -> None:
        with self.state.transaction():
            first = self.state.first_time(key, self.ctx.now().isoformat())
        if first:
            try:
                self.ctx.notifier.alert(code, key, avoid=set(avoid), **facts)
            except ShopcareError as exc:
                log.error("could not queue a staff alert (%s): %s", code, exc.message)

    def _alert_failed(self, failed: list[OutboxMessage]) -> None:
        lines = [f"{m.kind} by {m.channel} to {m.to_name or m.to} ({m.record}): {m.failed_reason}" for m in failed[:20]]
        if len(failed) > 20:
            lines.append(f"... and {len(failed) - 20} more")
        key = "failed:" + min(m.id for m in failed)
        self._alert_once(key, "messages_failed", count=len(failed), lines="\n".join(lines))


async def drain_once(ctx, channels: dict | None = None) -> DrainReport:
    sender = Sender(ctx, channels)
    try:
        return await sender.drain()
    finally:
        await sender.close()
