"""A customer: how to reach them, in which language, and what matters to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

LANGUAGES = ("en", "pl", "lt", "ru")
CHANNELS = ("email", "sms", "both", "none")


@dataclass
class Customer:
    KIND: ClassVar[str] = "customer"

    id: str
    name: str
    created: datetime
    updated: datetime
    version: int = 0
    email: str | None = None
    phone: str | None = None
    language: str = "en"
    channel: str = "email"
    country: str | None = None
    timezone: str | None = None
    # Service messages (order, delivery, inquiry) never depend on this; marketing always does.
    marketing_consent: bool = False
    marketing_consent_at: datetime | None = None
    # What matters to this customer, above all about delivery ("leave at the neighbour's").
    requirements: str = ""
    forgotten: datetime | None = None
    source: str = "manual"
    extra: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id

    def wants_email(self) -> bool:
        return self.channel in ("email", "both") and bool(self.email)

    def wants_sms(self) -> bool:
        return self.channel in ("sms", "both") and bool(self.phone)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "language": self.language,
            "channel": self.channel,
            "requirements": self.requirements,
            "forgotten": self.forgotten is not None,
        }

    def index_columns(self) -> dict[str, Any]:
        return {"status": "forgotten" if self.forgotten else "active", "customer": self.id, "ref": (self.email or "").lower(), "created": self.created, "due": None}

    def forget(self, at: datetime) -> None:
        """Erase personal data (GDPR art. 17); the id stays so orders keep their facts."""
        self.name = "(forgotten)"
        self.email = None
        self.phone = None
        self.requirements = ""
        self.country = None
        self.timezone = None
        self.marketing_consent = False
        self.marketing_consent_at = None
        self.channel = "none"
        self.extra = None
        self.forgotten = at
