"""Building the email a customer receives from an outbox message (RFC 5322, 2047, 3834).

Written directly as bytes (one text/plain part): the email package's header registry parses
every header it is given, which cost more than the SMTP exchange itself when the outbox drains
thousands of messages. Tests parse the result back with the email package.
"""

from __future__ import annotations

import binascii
import re
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from shopcare.errors import PermanentChannelError
from shopcare.model.contact import wire_address
from shopcare.notify.message import OutboxMessage

SHOPCARE_HEADER = "X-Shopcare-Message"


def clean_header(value: str, limit: int = 900) -> str:
    """A header value with no way to start a new header: CR, LF and other controls become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value or "").strip()[:limit]


def _addr(name: str, addr: str) -> str:
    name, addr = clean_header(name), clean_header(addr)
    return formataddr((name, addr), charset="utf-8") if name else addr


@lru_cache(maxsize=8)
def _shop_parts(from_cfg: str, shop_name: str, shop_email: str) -> tuple[str, str, str]:
    name, addr = parseaddr(from_cfg or "")
    if not addr:
        name, addr = shop_name, shop_email
    domain = addr.rsplit("@", 1)[-1] or "localhost"
    return _addr(name or shop_name, addr), addr, domain


def shop_domain(cfg) -> str:
    return _shop_parts(cfg.email["from"], cfg.shop.name, cfg.shop.email)[2]


def envelope_sender(cfg) -> str:
    return _shop_parts(cfg.email["from"], cfg.shop.name, cfg.shop.email)[1]


def from_header(cfg) -> str:
    return _shop_parts(cfg.email["from"], cfg.shop.name, cfg.shop.email)[0]


def message_id(msg: OutboxMessage, domain: str) -> str:
    """Stable per message: a copy sent again after a crash carries the same Message-ID."""
    return f"<shopcare.{msg.id}@{domain}>"


def _encoded(value: str, name: str) -> str:
    """A header value as it goes on the wire: ASCII as is, anything else RFC 2047 encoded."""
    value = clean_header(value)
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def rcpt_address(addr: str) -> str:
    """The recipient as the SMTP envelope and the To header carry it (IDNA domain); an address
    no SMTP server could take without SMTPUTF8 is a permanent failure of this message."""
    wire = wire_address(clean_header(addr))
    if wire is None:
        raise PermanentChannelError(f"cannot send to {addr!r}: not an address an ASCII mail envelope can carry")
    return wire


def _addr_wire(name: str, addr: str) -> str:
    name, addr = clean_header(name), rcpt_address(addr)
    if not name:
        return addr
    return formataddr((name, addr), charset="utf-8")


def email_bytes(msg: OutboxMessage, cfg, *, wire: bool = True) -> bytes:
    """The message as bytes: CRLF line ends for SMTP (`wire`), LF for a Maildir file.

    One text/plain part in UTF-8, quoted-printable. Every header value passes through
    `clean_header` first, so nothing a customer typed can start a header of its own.
    """
    headers = [
        ("From", from_header(cfg)),
        ("To", _addr_wire(msg.to_name, msg.to)),
    ]
    if cfg.email["reply_to"]:
        headers.append(("Reply-To", clean_header(cfg.email["reply_to"])))
    headers += [
        ("Subject", _encoded(msg.subject, "Subject")),
        ("Date", format_datetime(datetime.fromisoformat(msg.created))),
        ("Message-ID", message_id(msg, shop_domain(cfg))),
    ]
    if msg.in_reply_to:
        refs = [clean_header(r) for r in msg.references if r] or [clean_header(msg.in_reply_to)]
        headers += [("In-Reply-To", clean_header(msg.in_reply_to)), ("References", " ".join(refs[-20:]))]
    # RFC 3834: mark every mail we generate, so well-behaved responders never answer it, and ask
    # Exchange not to send out-of-office replies to it.
    headers += [
        ("Auto-Submitted", clean_header(msg.auto_submitted) or "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("Content-Language", clean_header(msg.lang)),
        (SHOPCARE_HEADER, msg.id),
        *((clean_header(k, 60), clean_header(v)) for k, v in msg.headers.items() if k.lower().startswith("x-shopcare-")),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    eol = "\r\n" if wire else "\n"
    head = eol.join(f"{k}: {v}" for k, v in headers).replace("\r\n", eol)
    body = binascii.b2a_qp(msg.body.replace("\r\n", "\n").encode("utf-8"), istext=True)
    if wire:
        body = body.replace(b"\n", b"\r\n")
    return head.encode("ascii") + (eol + eol).encode("ascii") + body
