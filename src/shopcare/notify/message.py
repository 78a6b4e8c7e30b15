"""One outgoing message, as it waits in the outbox (a JSON file a person can read)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


def message_id_for(key: str) -> str:
    """The outbox id of the message for idempotency key `key`: same event, same id."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass
class OutboxMessage:
    key: str  # idempotency key derived from the event: the same event never enqueues twice
    kind: str
    channel: str  # "email" or "sms"
    to: str  # an email address or an E.164 phone number
    lang: str
    created: str  # ISO 8601
    next_try: str  # ISO 8601: not sent before this moment
    subject: str = ""
    body: str = ""  # email body, or the SMS text
    to_name: str = ""
    audience: str = "customer"  # or "staff"
    marketing: bool = False
    customer: str = ""
    record: str = ""  # "order/A1001": what the message is about
    tz: str = ""  # the recipient's time zone, for quiet hours
    on_duty: str = ""  # a staff member's hours: their alert waits for them
    sms_parts: int = 0
    sms_encoding: str = ""
    in_reply_to: str = ""  # Message-ID we answer (acknowledgements)
    references: list[str] = field(default_factory=list)
    auto_submitted: str = "auto-generated"  # RFC 3834: acks are "auto-replied"
    headers: dict[str, str] = field(default_factory=dict)  # extra headers (X-Shopcare-Answer-By)
    attempts: int = 0
    recovered: int = 0  # times a crashed sender's claim was returned to the queue
    last_error: str = ""
    hold_reason: str = ""  # why it waits (quiet hours, daily cap, rate limit)
    sent_at: str = ""
    provider_id: str = ""
    failed_reason: str = ""
    history: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return message_id_for(self.key)

    def to_json(self) -> bytes:
        # Field by field, not dataclasses.asdict: that deep-copies, and this runs per message sent.
        data = {"id": self.id}
        for name in _FIELDS:
            data[name] = getattr(self, name)
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> "OutboxMessage":
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in _FIELD_SET})

    def note(self, when: datetime, text: str) -> None:
        self.history.append(f"{when.isoformat(timespec='seconds')} {text}")
        del self.history[:-30]  # bounded: a message retried for days must not grow without end

    def summary(self, state: str) -> dict[str, Any]:
        return {"id": self.id, "state": state, "kind": self.kind, "channel": self.channel, "to": self.to,
                "attempts": self.attempts, "next_try": self.next_try if state == "new" else None,
                "created": self.created, "record": self.record, "audience": self.audience,
                "hold_reason": self.hold_reason or None, "last_error": self.last_error or None,
                "sent_at": self.sent_at or None, "failed_reason": self.failed_reason or None}


_FIELDS = tuple(f.name for f in fields(OutboxMessage))
_FIELD_SET = frozenset(_FIELDS)
