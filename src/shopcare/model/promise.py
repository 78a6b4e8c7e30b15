"""A promise made to a customer (a loyalty discount, a call-back, a gift) that must be kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar


@dataclass
class Promise:
    KIND: ClassVar[str] = "promise"

    id: str
    customer: str
    what: str
    created: datetime
    updated: datetime
    version: int = 0
    order: str = ""
    due: date | None = None
    status: str = "open"  # open, kept
    kind: str = "other"  # other, loyalty, call
    code: str = ""  # a discount code, for loyalty promises
    kept_at: datetime | None = None
    warned: date | None = None
    reminded: date | None = None  # loyalty: the customer was reminded before it expired
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "customer": self.customer, "order": self.order or None, "what": self.what,
                "due": self.due.isoformat() if self.due else None, "status": self.status, "kind": self.kind,
                "code": self.code or None, "kept_at": self.kept_at.isoformat() if self.kept_at else None}

    def index_columns(self) -> dict[str, Any]:
        due = datetime.combine(self.due, datetime.min.time(), self.created.tzinfo) if self.due and self.status == "open" else None
        return {"status": self.status, "customer": self.customer, "ref": self.order or None, "created": self.created, "due": due}
