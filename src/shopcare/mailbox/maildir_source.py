"""A local Maildir as the mailbox (the embedded default, and shops whose mail is delivered on
the host): new mail is every file not yet recorded; the shop's own mail client keeps working
on the same Maildir (shopcare never moves or changes a file)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from shopcare.mailbox.parse import head_only


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

    def _entries(self) -> Iterator[tuple[str, str]]:
        """(unique name, path) of every mail in new/ and cur/; plain strings, because a
        Maildir kept for years holds tens of thousands of files and this runs on every poll."""
        for sub in ("new", "cur"):
            try:
                with os.scandir(self.path / sub) as it:
                    for e in it:
                        if not e.name.startswith(".") and e.is_file():
                            yield unique_name(e.name), e.path
            except FileNotFoundError:
                continue

    def _files(self) -> Iterator[tuple[str, Path]]:
        for name, path in self._entries():
            yield name, Path(path)

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
        seen = self.state.seen_names(self.label)  # one query, not one per file
        out = [(n, Path(p)) for n, p in self._entries() if n not in seen]
        return sorted(out, key=lambda np: _mtime(np[1]))

    def all_files(self) -> list[tuple[str, Path]]:
        return sorted(self._files(), key=lambda np: _mtime(np[1]))

    def read(self, path: Path, limit: int) -> tuple[bytes, bool, datetime]:
        """(bytes, truncated, received) of one file; a file over `limit` gives its headers only."""
        with open(path, "rb") as f:
            data = f.read(limit + 1)
        truncated = len(data) > limit
        if truncated:
            data = head_only(data[:limit])
        return data, truncated, datetime.fromtimestamp(_mtime(path), timezone.utc)

    def done(self, name: str) -> None:
        self.state.mark_seen(self.label, [name])


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
