"""The configuration keys shopcare understands: type, default and check of each.

One table drives loading, `shopcare config check` and the test that `config.example.toml`
documents every key, so the three can never drift apart.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Callable

LANGUAGES = ("en", "pl", "lt", "ru")
CHANNELS = ("email", "sms", "both", "none")

_DURATION_RE = re.compile(r"(?:(\d+(?:\.\d+)?)\s*([dhms]))", re.I)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: Any) -> float:
    """'2h', '30m', '1h30m', '1d', '45s' or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like '2h' or '30m'")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    text = str(value).strip().replace(" ", "")
    if not text:
        raise ValueError("expected a duration like '2h' or '30m'")
    pos, total = 0, 0.0
    for m in _DURATION_RE.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]
        pos = m.end()
    if pos != len(text):
        raise ValueError(f"{value!r} is not a duration like '2h', '30m', '1h30m' or '1d'")
    return total


def parse_clock(text: str) -> time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise ValueError(f"{text!r} is not a time of day like '08:00'")
    h, mi = int(m.group(1)), int(m.group(2))
    return time(23, 59, 59) if h == 24 else time(h, mi)


def parse_time_range(value: Any) -> tuple[time, time] | None:
    """'21:00-08:00' -> (21:00, 08:00); '' -> None (no range)."""
    text = str(value).strip()
    if not text:
        return None
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"{value!r} is not a range like '21:00-08:00'")
    return parse_clock(parts[0]), parse_clock(parts[1])


def _check_choice(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if v not in choices:
            raise ValueError(f"{v!r} is not one of: {', '.join(choices)}")
        return v

    return check


def _check_timezone(v: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(v)
    except Exception:
        raise ValueError(f"{v!r} is not a known time zone (e.g. 'Europe/Warsaw')") from None
    return v


def _check_country(v: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", v):
        raise ValueError(f"{v!r} is not a two-letter country code like 'PL'")
    return v


def _check_currency(v: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", v):
        raise ValueError(f"{v!r} is not a three-letter currency code like 'PLN'")
    return v


def _check_port(v: int) -> int:
    if not 0 <= v <= 65535:
        raise ValueError(f"{v} is not a TCP port")
    return v


def _check_positive(v: Any) -> Any:
    if v <= 0:
        raise ValueError("must be greater than zero")
    return v


def _check_non_negative(v: Any) -> Any:
    if v < 0:
        raise ValueError("must not be negative")
    return v


def _check_business_hours(v: str) -> str:
    from shopcare.model.hours import parse_business_hours

    parse_business_hours(v)
    return v


def _check_env_name(v: str) -> str:
    if v and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
        raise ValueError(f"{v!r} is not an environment variable name")
    return v


def _check_pattern(v: str) -> str:
    try:
        re.compile(v)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return v


def _check_percent_or_amount(v: str) -> str:
    if v and not re.fullmatch(r"\d+(\.\d+)?%?", v.strip()):
        raise ValueError(f"{v!r} is neither a percentage like '10%' nor an amount like '20.00'")
    return v


class Key:
    """One config key: its type(s), default and check (a plain class: cheap to import)."""

    __slots__ = ("type", "default", "check")

    def __init__(self, type: type | tuple[type, ...], default: Any, check: Callable[[Any], Any] | None = None) -> None:
        self.type = type
        self.default = default
        self.check = check


_DURATION = (str, int, float)

SCHEMA: dict[str, dict[str, Key]] = {
    "": {"data_dir": Key(str, "")},
    "shop": {
        "name": Key(str, "My Shop"),
        "email": Key(str, "shop@example.com"),
        "phone": Key(str, ""),
        "website": Key(str, ""),
        "timezone": Key(str, "Europe/Warsaw", _check_timezone),
        "country": Key(str, "PL", _check_country),
        "default_language": Key(str, "en", _check_choice(LANGUAGES)),
        "currency": Key(str, "PLN", _check_currency),
        "business_hours": Key(str, "Mon-Fri 09:00-17:00", _check_business_hours),
        "dispatch_days": Key(int, 2, _check_non_negative),
        "bank_account": Key(str, ""),
        "return_address": Key(str, ""),
    },
    "email": {
        "transport": Key(str, "maildir", _check_choice(("maildir", "smtp"))),
        "host": Key(str, "localhost"),
        "port": Key(int, 587, _check_port),
        "security": Key(str, "starttls", _check_choice(("starttls", "tls", "none"))),
        "username": Key(str, ""),
        "password_env": Key(str, "", _check_env_name),
        "password_file": Key(str, ""),
        "from": Key(str, ""),
        "reply_to": Key(str, ""),
        "timeout": Key(_DURATION, "30s", parse_duration),
        "ca_file": Key(str, ""),
    },
    "sms": {
        "provider": Key(str, "file", _check_choice(("smsapi", "file", "none"))),
        "token_env": Key(str, "SHOPCARE_SMSAPI_TOKEN", _check_env_name),
        "token_file": Key(str, ""),
        "sender": Key(str, ""),
        "base_url": Key(str, "https://api.smsapi.pl/"),
        "daily_cap": Key(int, 200, _check_non_negative),
        "max_segments": Key(int, 3, _check_positive),
        "transliterate": Key(bool, False),
        "price_per_segment": Key(str, "0.16"),
        "timeout": Key(_DURATION, "20s", parse_duration),
    },
    "notify": {
        "quiet_hours": Key(str, "21:00-08:00", parse_time_range),
        "quiet_hours_exempt": Key(list, ["out_for_delivery"]),
        "max_attempts": Key(int, 8, _check_positive),
        "retry_base": Key(_DURATION, "30s", parse_duration),
        "retry_max": Key(_DURATION, "1h", parse_duration),
        "customer_hourly_limit": Key(int, 6, _check_positive),
        "disabled_kinds": Key(list, []),
    },
    "mailbox": {
        "source": Key(str, "maildir", _check_choice(("imap", "maildir"))),
        "path": Key(str, ""),
        "host": Key(str, "localhost"),
        "port": Key(int, 993, _check_port),
        "security": Key(str, "tls", _check_choice(("tls", "starttls", "none"))),
        "username": Key(str, ""),
        "password_env": Key(str, "", _check_env_name),
        "password_file": Key(str, ""),
        "folder": Key(str, "INBOX"),
        "sent_folder": Key(str, ""),
        "idle": Key(bool, True),
        "poll_interval": Key(_DURATION, "60s", parse_duration),
        "max_message_bytes": Key(int, 10_000_000, _check_positive),
        "ca_file": Key(str, ""),
        "order_pattern": Key(str, r"(?<![\w/])#?([A-Z]{0,3}\d{3,}(?:/\d+){0,2})(?![\w/])", _check_pattern),
        "timeout": Key(_DURATION, "60s", parse_duration),
    },
    "inquiries": {
        "response_time": Key(_DURATION, "2h", parse_duration),
        "escalate_before": Key(_DURATION, "30m", parse_duration),
        "ack_grace": Key(_DURATION, "12h", parse_duration),
        "max_acks_per_sender_per_day": Key(int, 5, _check_positive),
        "staff": Key(list, []),
    },
    "carriers": {},
    "deadlines": {
        "payment_reminder_after": Key(list, ["2d", "5d"]),
        "delivery_grace": Key(_DURATION, "0s", parse_duration),
        "warn_before": Key(_DURATION, "1d", parse_duration),
        "check_interval": Key(_DURATION, "60s", parse_duration),
    },
    "legal": {
        "withdrawal_days": Key(int, 0, _check_non_negative),
        "withdrawal_uninformed_extension_months": Key(int, 0, _check_non_negative),
        "refund_days": Key(int, 0, _check_non_negative),
        "guarantee_days": Key(int, 0, _check_non_negative),
        "complaint_goods_days": Key(int, 0, _check_non_negative),
        "complaint_service_days": Key(int, 0, _check_non_negative),
    },
    "loyalty": {
        "discount": Key(str, "", _check_percent_or_amount),
        "after_orders": Key(int, 1, _check_positive),
        "valid_days": Key(int, 90, _check_positive),
        "code_prefix": Key(str, "THANKS"),
        "remind_before": Key(_DURATION, "3d", parse_duration),
    },
    "probe": {
        "from": Key(str, ""),
        "to": Key(str, ""),
        "language": Key(str, "en", _check_choice(LANGUAGES)),
        "order": Key(str, ""),
        "imap_host": Key(str, "localhost"),
        "imap_port": Key(int, 993, _check_port),
        "imap_security": Key(str, "tls", _check_choice(("tls", "starttls", "none"))),
        "imap_username": Key(str, ""),
        "imap_password_env": Key(str, "", _check_env_name),
        "imap_password_file": Key(str, ""),
        "imap_folder": Key(str, "INBOX"),
        "max_ack_seconds": Key((int, float), 60, _check_positive),
        "smtp_host": Key(str, ""),
        "smtp_port": Key(int, 0, _check_port),
        "smtp_security": Key(str, "", lambda v: v if v == "" else _check_choice(("starttls", "tls", "none"))(v)),
        "smtp_username": Key(str, ""),
        "smtp_password_env": Key(str, "", _check_env_name),
        "smtp_password_file": Key(str, ""),
    },
    "daemon": {
        "heartbeat_interval": Key(_DURATION, "5s", parse_duration),
        "log_level": Key(str, "info", _check_choice(("debug", "info", "warning", "error"))),
    },
}

STAFF_KEYS: dict[str, Key] = {
    "name": Key(str, ""),
    "email": Key(str, ""),
    "phone": Key(str, ""),
    "channel": Key(str, "email", _check_choice(CHANNELS)),
    "on_duty": Key(str, "", _check_business_hours),
}
