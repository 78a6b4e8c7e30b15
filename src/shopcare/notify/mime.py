"""Building the email a customer receives from an outbox message (RFC 5322, RFC 3834)."""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from shopcare.notify.message import OutboxMessage

SHOPCARE_HEADER = "X-Shopcare-Message"


def clean_header(value: str, limit: int = 900) -> str:
    """A header value with no way to start a new header: CR, LF and other controls become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value or "").strip()[:limit]


def shop_domain(cfg) -> str:
    addr = parseaddr(cfg.email["from"] or cfg.shop.email)[1] or cfg.shop.email
    return addr.rsplit("@", 1)[-1] or "localhost"


def from_header(cfg) -> str:
    name, addr = parseaddr(cfg.email["from"] or "")
    if not addr:
        name, addr = cfg.shop.name, cfg.shop.email
    return formataddr((clean_header(name or cfg.shop.name), addr))


def message_id(msg: OutboxMessage, domain: str) -> str:
    """Stable per message: a copy sent again after a crash carries the same Message-ID."""
    return f"<shopcare.{msg.id}@{domain}>"


def build_email(msg: OutboxMessage, cfg) -> EmailMessage:
    em = EmailMessage()
    domain = shop_domain(cfg)
    em["From"] = from_header(cfg)
    em["To"] = formataddr((clean_header(msg.to_name), clean_header(msg.to))) if msg.to_name else clean_header(msg.to)
    if cfg.email["reply_to"]:
        em["Reply-To"] = clean_header(cfg.email["reply_to"])
    em["Subject"] = clean_header(msg.subject)
    em["Date"] = format_datetime(datetime.fromisoformat(msg.created))
    em["Message-ID"] = message_id(msg, domain)
    if msg.in_reply_to:
        em["In-Reply-To"] = clean_header(msg.in_reply_to)
        refs = [clean_header(r) for r in msg.references if r] or [clean_header(msg.in_reply_to)]
        em["References"] = " ".join(refs[-20:])
    # RFC 3834: mark every mail we generate, so well-behaved responders never answer it, and ask
    # Exchange not to send out-of-office replies to it.
    em["Auto-Submitted"] = msg.auto_submitted or "auto-generated"
    em["X-Auto-Response-Suppress"] = "All"
    em[SHOPCARE_HEADER] = msg.id
    em.set_content(msg.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    em["Content-Language"] = msg.lang  # after set_content, which drops Content-* headers
    return em
