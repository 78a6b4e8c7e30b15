"""What every way out (email, SMS) looks like to the outbox sender."""

from __future__ import annotations

from abc import ABC, abstractmethod

from shopcare.notify.message import OutboxMessage


class Channel(ABC):
    """Open once, send many, close: an SMTP connection is reused for a whole drain.

    `send` returns the provider's id for the message (or ""), and raises
    TemporaryChannelError (retry later), ChannelDown (retry later; the whole channel is
    failing) or PermanentChannelError (this message will never go out as it is).
    """

    name = "channel"

    async def open(self) -> None:
        """Connect, if the channel has a connection."""

    @abstractmethod
    async def send(self, msg: OutboxMessage) -> str:
        """Send one message; return the provider's id for it."""

    async def close(self) -> None:
        """Disconnect, if connected."""
