"""The embedded SMS provider: each SMS becomes one JSON line in DATA/sms-sent.jsonl."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from shopcare.channels.base import Channel
from shopcare.errors import ChannelDown
from shopcare.notify.message import OutboxMessage
from shopcare.store.atomic import append_durable


class FileSmsChannel(Channel):
    name = "sms"

    def __init__(self, path: Path, sender: str = "") -> None:
        self.path = Path(path)
        self.sender = sender

    async def send(self, msg: OutboxMessage) -> str:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "to": msg.to, "from": self.sender,
                "text": msg.body, "parts": msg.sms_parts, "encoding": msg.sms_encoding, "idx": msg.id, "kind": msg.kind}
        try:
            append_durable(self.path, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError as exc:
            raise ChannelDown(f"cannot write to {self.path}: {exc.strerror}") from None
        return msg.id
