"""A return (withdrawal from the contract) and its states: requested, approved, received,
refunded, or rejected with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from shopcare.model import states


@dataclass
class Return:
    KIND: ClassVar[str] = "return"

    id: str
    order: str
    customer: str
    items: str
    reason: str
    opened: datetime  # when the customer gave notice: the refund deadline counts from here
    window_closes: date | None
    refund_due: date
    created: datetime
    updated: datetime
    version: int = 0
    status: str = "requested"
    goodwill: bool = False  # accepted after the legal window closed
    approved_at: datetime | None = None
    received_at: datetime | None = None
    refunded_at: datetime | None = None
    refund_amount: Decimal | None = None
    rejected_reason: str = ""
    warned: date | None = None  # the refund deadline staff were warned about
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    @property
    def open(self) -> bool:
        return self.status in ("requested", "approved", "received")

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "order": self.order, "customer": self.customer, "status": self.status,
                "items": self.items, "opened": self.opened.isoformat(), "refund_due": self.refund_due.isoformat(),
                "window_closes": self.window_closes.isoformat() if self.window_closes else None,
                "goodwill": self.goodwill,
                "refunded_at": self.refunded_at.isoformat() if self.refunded_at else None,
                "refund_amount": format(self.refund_amount, "f") if self.refund_amount is not None else None}

    def index_columns(self) -> dict[str, Any]:
        due = datetime.combine(self.refund_due, datetime.min.time(), self.opened.tzinfo) if self.open else None
        return {"status": self.status, "customer": self.customer, "ref": self.order, "created": self.opened, "due": due}

    def move_to(self, status: str, at: datetime) -> None:
        states.check(states.RETURN, f"return {self.id}", self.status, status)
        self.status = status
        stamp = {"approved": "approved_at", "received": "received_at", "refunded": "refunded_at"}.get(status)
        if stamp:
            setattr(self, stamp, at)
