"""A customer's email: who wrote, about which order, by when a person must answer it.

States: open -> acknowledged -> answered, or skipped (a robot's mail, recorded with the rule
that skipped it). Mail that could not be read is recorded as `quarantined` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass
class Inquiry:
    KIND: ClassVar[str] = "inquiry"

    id: str
    received: datetime
    sender: str
    created: datetime
    updated: datetime
    version: int = 0
    sender_name: str = ""
    subject: str = ""
    message_id: str = ""
    thread: str = ""  # the Message-ID that started the conversation
    references: list[str] = field(default_factory=list)
    customer: str = ""
    order: str = ""
    language: str = ""
    due: datetime | None = None
    status: str = "open"
    skip_rule: str = ""
    ack: str = ""  # outbox id of the acknowledgement
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str = ""
    assigned_to: str = ""
    escalated_at: datetime | None = None
    overdue_told: datetime | None = None
    size: int = 0
    flags: list[str] = field(default_factory=list)  # large, quarantined, probe, backfill
    problem: str = ""  # why it was set aside (quarantined), if it was
    excerpt: str = ""  # the start of the text, for staff lists (erased with the customer)
    source: str = ""  # where it came from: imap:INBOX:<uidvalidity>:<uid>, or a maildir file
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    @property
    def open(self) -> bool:
        return self.status in ("open", "acknowledged")

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "received": self.received.isoformat(), "sender": self.sender,
                "sender_name": self.sender_name, "subject": self.subject, "customer": self.customer or None,
                "order": self.order or None, "language": self.language, "status": self.status,
                "skip_rule": self.skip_rule or None, "due": self.due.isoformat() if self.due else None,
                "answered_at": self.answered_at.isoformat() if self.answered_at else None,
                "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
                "assigned_to": self.assigned_to or None, "flags": self.flags, "probe": "probe" in self.flags}

    def index_columns(self) -> dict[str, Any]:
        # ref: the Message-ID, so the same mail is recognised however it comes back (a new
        # UIDVALIDITY, a restore, a second copy in the Maildir).
        # due: only while staff may still need to be alerted, so the deadline watcher's query
        # stays small however much unanswered mail piles up (`inquiry list --overdue` reads the
        # summaries' own due time).
        return {"status": self.status, "customer": self.customer or None, "ref": self.message_id or None,
                "created": self.received, "due": self.due if self.open and self.escalated_at is None else None}

    def forget(self) -> None:
        """Erase personal data (the customer was forgotten); keep when and what state."""
        self.sender = "(forgotten)"
        self.sender_name = ""
        self.subject = ""
        self.excerpt = ""
        self.references = []
        self.extra = None
