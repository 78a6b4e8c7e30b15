"""A local Maildir as the mailbox (the embedded default, and shops whose mail is delivered on
the host): new mail is every file not yet recorded; the shop's own mail client keeps working
on the same Maildir (shopcare never moves or changes a file)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator


def unique_name(filename: str) -> str:
    """A Maildir file's unique name: the part before the ':2,flags' info a mail client adds."""
    return filename.split(":", 1)[0]


class MaildirSource:
    def __init__(self, path: Path, state, label: str | None = None) -> None:
        self.path = Path(path)
        self.state = state
        self.label = label or f"maildir:{self.path}"

    def ensure(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)

    def _files(self) -> Iterator[tuple[str, Path]]:
        for sub in ("new", "cur"):
            try:
                entries = list(os.scandir(self.path / sub))
            except FileNotFoundError:
                continue
            for e in entries:
                if e.is_file() and not e.name.startswith("."):
                    yield unique_name(e.name), Path(e.path)

    def first_start(self) -> bool:
        return not self.state.started(self.label)

    def baseline(self) -> int:
        """Mark the mail already there as seen (a shop installing shopcare must not
        acknowledge last month's mail)."""
        names = [n for n, _ in self._files()]
        self.state.mark_seen(self.label, names)
        self.state.mark_started(self.label)
        return len(names)

    def pending(self) -> list[tuple[str, Path]]:
        out = [(n, p) for n, p in self._files() if not self.state.seen(self.label, n)]
        return sorted(out, key=lambda np: _mtime(np[1]))

    def all_files(self) -> list[tuple[str, Path]]:
        return sorted(self._files(), key=lambda np: _mtime(np[1]))

    def read(self, path: Path, limit: int) -> tuple[bytes, bool, datetime]:
        """(bytes, truncated, received) of one file; a file over `limit` gives its headers only."""
        with open(path, "rb") as f:
            data = f.read(limit + 1)
        truncated = len(data) > limit
        if truncated:
            end = data.find(b"\n\n")
            end2 = data.find(b"\r\n\r\n")
            cut = min(x for x in (end, end2, limit) if x >= 0)
            data = data[:cut] + b"\n\n"
        return data, truncated, datetime.fromtimestamp(_mtime(path), timezone.utc)

    def done(self, name: str) -> None:
        self.state.mark_seen(self.label, [name])


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
