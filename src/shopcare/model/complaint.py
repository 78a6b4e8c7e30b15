"""A complaint (warranty claim about the goods, or about the service) and its answer deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from shopcare.model import states

KINDS = ("goods", "service")
DECISIONS = ("accepted", "rejected", "repair", "replace", "refund")


@dataclass
class Complaint:
    KIND: ClassVar[str] = "complaint"

    id: str
    order: str
    customer: str
    kind: str
    text: str
    opened: datetime
    due: date
    created: datetime
    updated: datetime
    version: int = 0
    status: str = "open"
    guarantee_until: date | None = None
    silence_accepts: bool = False  # no answer by `due` = accepted (PL goods complaints)
    decision: str = ""
    answer: str = ""
    answered_at: datetime | None = None
    warned: date | None = None  # the due date staff were warned about
    overdue_told: date | None = None
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "order": self.order, "customer": self.customer, "kind": self.kind,
                "status": self.status, "opened": self.opened.isoformat(), "due": self.due.isoformat(),
                "decision": self.decision or None,
                "answered_at": self.answered_at.isoformat() if self.answered_at else None}

    def index_columns(self) -> dict[str, Any]:
        due = datetime.combine(self.due, datetime.min.time(), self.opened.tzinfo) if self.status == "open" else None
        return {"status": self.status, "customer": self.customer, "ref": self.order, "created": self.opened, "due": due}

    def answer_with(self, decision: str, text: str, at: datetime) -> None:
        states.check(states.COMPLAINT, f"complaint {self.id}", self.status, "answered")
        self.status = "answered"
        self.decision = decision
        self.answer = text
        self.answered_at = at
