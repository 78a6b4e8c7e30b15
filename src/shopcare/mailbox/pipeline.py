"""One mail in: parse, screen, thread, record an Inquiry, and queue its acknowledgement.

Safe to repeat: a mail is recognised by its Message-ID (one without gets one made from its
bytes), so a mail fetched twice (after a crash, a new UIDVALIDITY, a restored mailbox) is
recorded and acknowledged once. The acknowledgement is queued inside the inquiry's write,
under a key made from the Message-ID.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from shopcare.mailbox.parse import ParseError, ParsedMail, parse
from shopcare.mailbox.screen import screen
from shopcare.mailbox.state import MailboxState
from shopcare.mailbox.thread import thread
from shopcare.model.inquiry import Inquiry

log = logging.getLogger("shopcare.mailbox")
PROBE_HEADER = "X-Shopcare-Probe"
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|odp|pd|ats|отв|ответ|re\[\d+\])\s*:\s*)+", re.I)


@dataclass
class Outcome:
    status: str  # acknowledged, skipped, open (backfill), quarantined, duplicate
    inquiry: str = ""
    rule: str = ""
    ack: str = ""
    flags: list[str] = field(default_factory=list)


class Recipient:
    """Whom an acknowledgement goes to: a known customer, or just the sender's address."""

    def __init__(self, email: str, name: str, language: str, customer=None) -> None:
        self.id = customer.id if customer else ""
        self.name = (customer.name if customer else name) or ""
        self.email = email
        self.phone = None
        self.language = language
        self.channel = "email"  # an acknowledgement answers an email, whatever the customer chose
        self.timezone = customer.timezone if customer else None
        self.forgotten = None
        self.marketing_consent = False
        self.requirements = customer.requirements if customer else ""


def probe_key(ctx) -> bytes:
    """The shop's secret for signing its own mystery-shopper mail (DATA/state/probe.key)."""
    import os

    path = ctx.data_dir / "state" / "probe.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(exist_ok=True)
        key = os.urandom(32)
        try:
            with open(path, "xb") as f:  # two probes starting at once keep the first key
                f.write(key)
            os.chmod(path, 0o600)
        except FileExistsError:
            return path.read_bytes()
        return key


def probe_signature(ctx, message_id: str) -> str:
    import hmac

    return hmac.new(probe_key(ctx), message_id.encode(), "sha256").hexdigest()[:32]


def probe_signature_ok(ctx, message_id: str, value: str) -> bool:
    """A probe is recognised only with the shop's own signature: nobody else can mark a mail
    as a probe to slip past the loop guard or out of the reports."""
    import hmac

    return hmac.compare_digest(probe_signature(ctx, message_id), value.strip()[:32])


def clean_subject(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject or "").strip() or "(no subject)"


class Pipeline:
    def __init__(self, ctx) -> None:
        from shopcare.notify.mime import envelope_sender, shop_domain

        self.ctx = ctx
        cfg = ctx.config
        self.own = {a.lower() for a in (cfg.shop.email, envelope_sender(cfg), parseaddr(cfg.email["reply_to"])[1]) if a}
        self.domain = shop_domain(cfg)
        self.state = MailboxState(ctx.data_dir / "state" / "mailbox.sqlite3")
        self._batch_acks: list[tuple[str, str, datetime]] | None = None

    def close(self) -> None:
        self.state.close()

    def process_many(self, items: list[dict]) -> list[Outcome]:
        """Several mails with one flush to disk (a chunk fetched from IMAP): the inquiries in one
        store batch, the acknowledgements in one outbox batch. The outbox commits first: a crash
        in between leaves acknowledgements queued and no inquiries, and fetching the mail again
        records them without queueing anything twice (the keys are the same)."""
        ctx = self.ctx
        self._batch_acks = []
        outcomes: list[Outcome] = []
        try:
            with ctx.store.batch(), ctx.outbox.batch():
                for item in items:
                    outcomes.append(self.process(**item))
            for sender, conversation, received in self._batch_acks:
                self.state.add_ack(sender, conversation, received)
        finally:
            self._batch_acks = None
        if any(o.ack for o in outcomes) and ctx.notifier.on_enqueue is not None:
            ctx.notifier.on_enqueue()  # now that they are in new/
        return outcomes

    def _acked_recently(self, sender: str, thread: str, since: datetime) -> bool:
        if any(s == sender and t == thread and at > since for s, t, at in self._batch_acks or ()):
            return True
        return self.state.acked_recently(sender, thread, since)

    def _acks_since(self, sender: str, since: datetime) -> int:
        pending = sum(1 for s, _t, at in self._batch_acks or () if s == sender and at > since)
        return pending + self.state.acks_since(sender, since)

    def process(self, raw: bytes, *, source: str, received: datetime | None = None, truncated: bool = False,
                backfill: bool = False) -> Outcome:
        ctx = self.ctx
        received = received or ctx.now()
        try:
            m = parse(raw, truncated=truncated)
        except ParseError as exc:
            return self._quarantine(raw, str(exc), source, received)
        message_id = m.message_id or f"<{hashlib.sha256(raw).hexdigest()[:32]}@shopcare.invalid>"
        if ctx.store.ids("inquiry", ref=message_id):
            return Outcome("duplicate")
        rule = screen(m, self.own, self.domain)
        t = thread(ctx, m)
        flags = []
        if truncated:
            flags.append("large")
        if m.has(PROBE_HEADER) and probe_signature_ok(ctx, message_id, m.header(PROBE_HEADER)):
            flags.append("probe")
        if backfill:
            flags.append("backfill")
        inq_cfg = ctx.config.inquiries
        if rule is None and not backfill and m.sender and "probe" not in flags:
            if self._acked_recently(m.sender, t.thread, received - timedelta(seconds=inq_cfg.ack_grace)):
                rule = "grace"
            elif self._acks_since(m.sender, received - timedelta(days=1)) >= inq_cfg.max_acks_per_sender_per_day:
                rule = "loop_guard"
        status = "skipped" if rule else ("open" if backfill else "acknowledged")
        now = ctx.now()
        due = None
        if status != "skipped":
            due = ctx.calendar.add_business_time(received, inq_cfg.response_time)
        inq = Inquiry(
            id="", received=received, sender=m.sender, created=now, updated=now, sender_name=m.sender_name[:200],
            subject=m.subject[:500], message_id=message_id, thread=t.thread or message_id, references=m.references[-20:],
            customer=t.customer, order=t.order, language=t.language, due=due, status=status, skip_rule=rule or "",
            size=m.size, flags=flags, problem="; ".join(m.problems[:5])[:500], excerpt=m.text[:500], source=source,
        )
        ack_key = "inquiry_ack:" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
        outcome = Outcome(status, rule=rule or "", flags=flags)

        def queue(rec: Inquiry) -> None:
            if rec.status == "acknowledged":
                msgs = self._ack_messages(rec, m, ack_key)
                ctx.notifier.enqueue(msgs)
                if msgs:
                    rec.ack = msgs[0].id
                    rec.acknowledged_at = now
                    outcome.ack = rec.ack
                else:
                    rec.status = "open"
            if truncated:
                ctx.notifier.alert("mail_set_aside", f"large:{ack_key}", reason="too large to read automatically",
                                   sender=rec.sender, subject=rec.subject, id=rec.id)

        store = ctx.store
        with store.lock:
            if store.ids("inquiry", ref=message_id):  # another process got it first
                return Outcome("duplicate")
            inq.id = store.next_id("inquiry", "Q")
            store.create(inq, f"mail {status}" + (f" ({rule})" if rule else ""), before_save=queue)
        if outcome.ack:
            if self._batch_acks is not None:
                self._batch_acks.append((m.sender, t.thread, received))
            else:
                self.state.add_ack(m.sender, t.thread, received)
        outcome.inquiry = inq.id
        log.info("mail %s from %s: %s%s", inq.id, "known customer" if inq.customer else "new sender", status,
                 f" ({rule})" if rule else "")
        return outcome

    def _ack_messages(self, rec: Inquiry, m: ParsedMail, key: str) -> list:
        from shopcare.notify.views import base_vars, order_view

        ctx = self.ctx
        customer = ctx.store.find("customer", rec.customer) if rec.customer else None
        to = m.reply_to if m.reply_to and m.reply_to not in self.own else m.sender
        recipient = Recipient(to, m.sender_name, rec.language, customer)
        order = ctx.store.find("order", rec.order) if rec.order else None
        variables = {**base_vars(ctx, rec.language, recipient), "inquiry": {
            "id": rec.id, "subject": clean_subject(rec.subject), "due": rec.due, "received": rec.received,
            "order": order_view(ctx, order) if order else None}}
        msgs = ctx.notifier.for_customer("inquiry_ack", recipient, variables, f"inquiry/{rec.id}", "ack",
                                         channels=["email"], reply_to=(rec.message_id, [*rec.references, rec.message_id]))
        for msg in msgs:
            msg.key = key  # one acknowledgement per mail, however often the mail is seen
            if rec.due:
                # The promised time, for machines (the mystery shopper checks it against the text).
                msg.headers["X-Shopcare-Answer-By"] = rec.due.isoformat(timespec="minutes")
        return msgs

    def _quarantine(self, raw: bytes, reason: str, source: str, received: datetime) -> Outcome:
        from shopcare.store.atomic import write_atomic

        ctx = self.ctx
        digest = hashlib.sha256(raw).hexdigest()[:32]
        message_id = f"<{digest}@shopcare.invalid>"
        if ctx.store.ids("inquiry", ref=message_id):
            return Outcome("duplicate")
        qdir = ctx.data_dir / "quarantine"
        qdir.mkdir(exist_ok=True)
        write_atomic(qdir / f"{digest}.eml", raw[: ctx.config.mailbox.max_message_bytes], mode=0o600)
        now = ctx.now()
        inq = Inquiry(id="", received=received, sender="", created=now, updated=now, message_id=message_id,
                      status="skipped", skip_rule="unreadable", flags=["quarantined"], problem=reason[:500],
                      size=len(raw), source=source)
        with ctx.store.lock:
            inq.id = ctx.store.next_id("inquiry", "Q")
            ctx.store.create(inq, "mail set aside: unreadable", before_save=lambda rec: ctx.notifier.alert(
                "mail_set_aside", f"quarantine:{digest}", reason=reason[:200], sender="?", subject=f"quarantine/{digest}.eml",
                id=rec.id))
        log.warning("mail %s set aside: %s", inq.id, reason)
        return Outcome("quarantined", inquiry=inq.id, rule="unreadable", flags=["quarantined"])
