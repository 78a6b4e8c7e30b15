"""`shopcare probe`: the mystery shopper. It writes to the shop like a customer would and checks
the acknowledgement the way a demanding customer would read it.

The probe sends a realistic question (in the chosen language, optionally about an order) from
a mailbox of the shop's own (`[probe] from`) to the shop's address, through SMTP, then watches
that mailbox over IMAP for the acknowledgement and checks: it came within `max_ack_seconds`,
it is threaded to the question (In-Reply-To), it is in the right language, it is marked
`Auto-Submitted: auto-replied`, and it promises a time to answer that is in the future and is
written in the text. The mail carries the shop's own signature (X-Shopcare-Probe, an HMAC keyed
by DATA/state/probe.key), so the shop recognises it: it is acknowledged like any mail, but never
counted in reports and never escalated to staff.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from shopcare.errors import ConfigError

QUESTIONS = {
    "en": ("Question about delivery", "Hello,\n\ncould you tell me when {what} will arrive? I need it before the weekend.\n\nThank you,\nAlex"),
    "pl": ("Pytanie o dostawę", "Dzień dobry,\n\nczy mogą Państwo powiedzieć, kiedy dotrze {what}? Potrzebuję przed weekendem.\n\nPozdrawiam\nAlicja"),
    "lt": ("Klausimas dėl pristatymo", "Laba diena,\n\nar galite pasakyti, kada bus pristatytas {what}? Man reikia iki savaitgalio.\n\nAčiū,\nAgnė"),
    "ru": ("Вопрос о доставке", "Здравствуйте!\n\nПодскажите, пожалуйста, когда придёт {what}? Нужно до выходных.\n\nСпасибо,\nАнна"),
}
WHAT = {"en": ("my order {order}", "my order"), "pl": ("zamówienie {order}", "moje zamówienie"),
        "lt": ("užsakymas {order}", "mano užsakymas"), "ru": ("заказ {order}", "мой заказ")}


@dataclass
class ProbeResult:
    ok: bool
    seconds: float | None
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    message_id: str = ""
    language: str = ""
    at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "seconds": round(self.seconds, 3) if self.seconds is not None else None,
                "checks": self.checks, "message_id": self.message_id, "language": self.language, "at": self.at}


def _smtp_settings(ctx) -> dict[str, Any]:
    p, e = ctx.config.probe, ctx.config.email
    if p.smtp_host:
        password = ctx.config.secret("probe", "smtp_password") if p.smtp_username else None
        return dict(hostname=p.smtp_host, port=p.smtp_port or 587, security=p.smtp_security or "starttls",
                    username=p.smtp_username or None, password=password, ca=None)
    if e.transport != "smtp":
        raise ConfigError("the probe sends real mail: set [probe] smtp_host, or [email] transport = \"smtp\"",
                          [("probe.smtp_host", "no SMTP server to send the probe through")])
    password = ctx.config.secret("email", "password") if e.username else None
    return dict(hostname=e.host, port=e.port, security=e.security, username=e.username or None, password=password,
                ca=e.ca_file or None)


def build(ctx, language: str, order: str) -> tuple[str, bytes]:
    from email.header import Header
    from email.mime.text import MIMEText

    from shopcare.mailbox.pipeline import PROBE_HEADER, probe_signature

    p = ctx.config.probe
    sender = p["from"]
    if not sender:
        raise ConfigError("[probe] from is not set: the mailbox the mystery shopper writes from",
                          [("probe.from", "missing")])
    to = p.to or ctx.config.shop.email
    domain = parseaddr(sender)[1].rsplit("@", 1)[-1] or "probe.invalid"
    message_id = make_msgid(idstring=f"probe.{uuid.uuid4().hex[:12]}", domain=domain)
    subject, body = QUESTIONS[language]
    with_order, without = WHAT[language]
    text = body.format(what=with_order.format(order=order) if order else without)
    if order:
        subject = f"{subject} {order}"
    msg = MIMEText(text, "plain", "utf-8")
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = message_id
    msg["Content-Language"] = language
    msg[PROBE_HEADER] = probe_signature(ctx, message_id)
    return message_id, msg.as_bytes()


async def _send(ctx, raw: bytes, sender: str, to: str) -> None:
    import aiosmtplib

    s = _smtp_settings(ctx)
    smtp = aiosmtplib.SMTP(hostname=s["hostname"], port=s["port"], use_tls=s["security"] == "tls",
                           start_tls=s["security"] == "starttls", username=s["username"],
                           password=s["password"] if s["username"] else None, timeout=30, cert_bundle=s["ca"])
    async with smtp:
        await smtp.sendmail(parseaddr(sender)[1], [parseaddr(to)[1]], raw)


def _imap(ctx):
    from imapclient import IMAPClient

    p = ctx.config.probe
    if not p.imap_username:
        raise ConfigError("[probe] imap_username is not set: the probe mailbox to watch for the answer",
                          [("probe.imap_username", "missing")])
    context = ssl.create_default_context()
    c = IMAPClient(p.imap_host, port=p.imap_port, ssl=p.imap_security == "tls", ssl_context=context, timeout=30)
    if p.imap_security == "starttls":
        c.starttls(context)
    c.login(p.imap_username, ctx.config.secret("probe", "imap_password") or "")
    c.select_folder(p.imap_folder, readonly=True)
    return c


def _wait_for_ack(c, message_id: str, deadline: float) -> bytes | None:
    while time.monotonic() < deadline:
        uids = c.search(["HEADER", "In-Reply-To", message_id])
        if uids:
            data = c.fetch(uids[:1], ["BODY.PEEK[]"])
            return next(iter(data.values()))[b"BODY[]"]
        c.noop()
        time.sleep(0.25)
    return None


def check_ack(raw: bytes, message_id: str, language: str, sent_at: datetime) -> dict[str, dict[str, Any]]:
    from email import message_from_bytes, policy

    m = message_from_bytes(raw, policy=policy.default)
    checks: dict[str, dict[str, Any]] = {}
    checks["threaded"] = {"ok": m.get("In-Reply-To", "").strip() == message_id, "got": m.get("In-Reply-To", "")}
    lang = (m.get("Content-Language") or "").strip().lower()
    checks["language"] = {"ok": lang == language, "got": lang, "want": language}
    auto = (m.get("Auto-Submitted") or "").split(";")[0].strip().lower()
    checks["auto_submitted"] = {"ok": auto == "auto-replied", "got": auto}
    answer_by = (m.get("X-Shopcare-Answer-By") or "").strip()
    ok, got = False, answer_by or "(no X-Shopcare-Answer-By header)"
    try:
        due = datetime.fromisoformat(answer_by)
        body = m.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        ok = due > sent_at and f"{due:%H:%M}" in text
        got = f"{answer_by}" + ("" if f"{due:%H:%M}" in text else " (not in the text)")
    except (ValueError, KeyError, LookupError):
        pass
    checks["answer_time"] = {"ok": ok, "got": got}
    return checks


def run(ctx, *, language: str | None = None, order: str | None = None) -> ProbeResult:
    import asyncio

    p = ctx.config.probe
    language = language or p.language
    order = order if order is not None else p.order
    message_id, raw = build(ctx, language, order)
    imap = _imap(ctx)  # before sending: a wrong password fails fast, not after the wait
    try:
        sent_at = datetime.now(timezone.utc)
        asyncio.run(_send(ctx, raw, p["from"], p.to or ctx.config.shop.email))
        start = time.monotonic()
        ack = _wait_for_ack(imap, message_id, start + p.max_ack_seconds)
        seconds = time.monotonic() - start if ack is not None else None
    finally:
        try:
            imap.logout()
        except Exception:
            pass
    result = ProbeResult(ok=False, seconds=seconds, message_id=message_id, language=language,
                         at=sent_at.isoformat(timespec="seconds"))
    result.checks["arrived"] = {"ok": ack is not None,
                                "got": f"{seconds:.2f} s" if seconds is not None else f"nothing in {p.max_ack_seconds} s",
                                "limit": p.max_ack_seconds}
    if ack is not None:
        result.checks.update(check_ack(ack, message_id, language, sent_at))
    result.ok = all(c["ok"] for c in result.checks.values())
    _record(ctx, result)
    return result


def _record(ctx, result: ProbeResult) -> None:
    """Kept for `report sla` (DATA/state/probes.jsonl)."""
    from shopcare.store.atomic import append_durable

    path = ctx.data_dir / "state" / "probes.jsonl"
    try:
        path.parent.mkdir(exist_ok=True)
        append_durable(path, (json.dumps(result.as_dict(), ensure_ascii=False) + "\n").encode())
    except OSError:
        pass


def results(ctx) -> list[dict[str, Any]]:
    path = ctx.data_dir / "state" / "probes.jsonl"
    out = []
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    except FileNotFoundError:
        pass
    return out
