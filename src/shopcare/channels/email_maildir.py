"""The embedded email transport: each message becomes an .eml file in DATA/sent-mail/ (a Maildir
that any mail client, mutt or Thunderbird, can open), so shopcare runs with no mail server."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from shopcare.channels.base import Channel
from shopcare.errors import ChannelDown
from shopcare.notify.message import OutboxMessage
from shopcare.notify.mime import email_bytes, message_id, shop_domain
from shopcare.store.atomic import fsync_dir


class MaildirChannel(Channel):
    name = "email"

    def __init__(self, cfg, root: Path) -> None:
        self.cfg = cfg
        self.root = Path(root)

    async def send(self, msg: OutboxMessage) -> str:
        data = email_bytes(msg, self.cfg, wire=False)
        try:
            for sub in ("tmp", "new", "cur"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            # Named after the message id: a copy written again after a crash replaces itself.
            name = f"{msg.id}.{socket.gethostname().replace('/', '_')}"
            tmp = self.root / "tmp" / name
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.root / "new" / name)
            fsync_dir(self.root / "new")
        except OSError as exc:
            raise ChannelDown(f"cannot write to {self.root}: {exc.strerror}") from None
        return message_id(msg, shop_domain(self.cfg))
