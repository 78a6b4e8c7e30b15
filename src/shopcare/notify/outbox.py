"""The outbox: a durable queue of messages, one JSON file each, in maildir-like folders.

    tmp/    being written
    new/    waiting (a message held for quiet hours or a retry waits here with its next_try)
    cur/    claimed by a sender that is sending it now
    sent/   sent (kept until `outbox purge`)
    failed/ given up on, with the reason (`outbox retry ID` puts it back)

Enqueueing is one atomic step: the file is written and fsynced in tmp/, then hard-linked into
new/ under its id, which fails if it is already there, and the enqueuer first checks cur/,
sent/ and failed/ under the outbox lock; so the same event (same idempotency key, same id)
is never queued twice.

A sender claims a message by locking the file (flock) and then renaming it into cur/; the
lock lives as long as the sender, so a claim in cur/ that nobody holds was left by a crash
and goes back to new/ (counted in `recovered`). Every move writes the message's new version
first and removes the old one second, so at every instant it is in at least one folder.

The one window where a message can go out twice: the server accepted it and the sender died
before renaming its claim into sent/ (a rename and one directory fsync, well under a
millisecond). The recovered claim is sent again. SMSAPI is given the
message id as `idx` with `check_idx=1`, so the gateway refuses that second send; an email is
sent again with the same Message-ID, which mail clients show once.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from shopcare.errors import NotFound, RefusedError
from shopcare.notify.message import OutboxMessage
from shopcare.store.atomic import fsync_dir
from shopcare.store.lock import FileLock

STATES = ("new", "cur", "sent", "failed")


@dataclass
class Claim:
    id: str
    fd: int
    message: OutboxMessage


class Due(NamedTuple):
    id: str
    channel: str


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Outbox:
    def __init__(self, root: Path, now: Callable[[], datetime] | None = None) -> None:
        self.root = Path(root)
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.lock = FileLock(self.root / ".lock")
        self._ready = False
        self._batch: list | None = None

    def ensure(self) -> None:
        if self._ready:
            return
        for d in ("tmp", *STATES):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self._ready = True

    def path(self, state: str, msg_id: str) -> Path:
        return self.root / state / f"{msg_id}.json"

    # -- writing ------------------------------------------------------------------------------
    def _write_tmp(self, msg: OutboxMessage, sync: bool = True) -> Path:
        tmp = self.root / "tmp" / f"{msg.id}.{os.getpid()}.{os.urandom(4).hex()}.json"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            data = msg.to_json()
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        return tmp

    def enqueue(self, msg: OutboxMessage) -> bool:
        """Queue `msg`; False (and nothing written) when its key was queued before."""
        self.ensure()
        if self._batch is not None:
            return self._stage(msg)
        with self.lock:
            for state in ("cur", "sent", "failed"):
                if self.path(state, msg.id).exists():
                    return False
            tmp = self._write_tmp(msg)
            try:
                os.link(tmp, self.path("new", msg.id))
            except FileExistsError:
                return False
            finally:
                os.unlink(tmp)
            fsync_dir(self.root / "new")
        return True

    @contextmanager
    def batch(self) -> Iterator[list[str]]:
        """Queue many messages with one flush to disk: each is written to tmp/ unsynced, then one
        syncfs makes them durable together and each is linked into new/ (as `enqueue` does).
        Yields the list that receives the ids queued; nothing is queued if the block raises."""
        from shopcare.store.atomic import sync_filesystem

        self.ensure()
        with self.lock:
            self._batch = []
            queued: list[str] = []
            try:
                yield queued
                staged, self._batch = self._batch, None
                if staged:
                    sync_filesystem(self.root, [tmp for tmp, _ in staged])
                for tmp, msg_id in staged:
                    try:
                        if not any(self.path(s, msg_id).exists() for s in ("cur", "sent", "failed")):
                            os.link(tmp, self.path("new", msg_id))
                            queued.append(msg_id)
                    except FileExistsError:
                        pass
                    finally:
                        os.unlink(tmp)
                if queued:
                    fsync_dir(self.root / "new")
            finally:
                for tmp, _ in self._batch or []:
                    try:
                        os.unlink(tmp)
                    except FileNotFoundError:
                        pass
                self._batch = None

    def _stage(self, msg: OutboxMessage) -> bool:
        if any(mid == msg.id for _, mid in self._batch) or any(
                self.path(s, msg.id).exists() for s in ("new", "cur", "sent", "failed")):
            return False
        self._batch.append((self._write_tmp(msg, sync=False), msg.id))
        return True

    def _move(self, msg: OutboxMessage, from_state: str, to_state: str) -> None:
        """Write the message's new version into `to_state`, then remove it from `from_state`."""
        tmp = self._write_tmp(msg)
        os.replace(tmp, self.path(to_state, msg.id))
        fsync_dir(self.root / to_state)
        if from_state != to_state:
            try:
                os.unlink(self.path(from_state, msg.id))
            except FileNotFoundError:
                pass

    # -- claiming -----------------------------------------------------------------------------
    def claim(self, msg_id: str) -> Claim | None:
        """Take a waiting message for sending, or None if another sender has it."""
        src = self.path("new", msg_id)
        try:
            fd = os.open(src, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            os.rename(src, self.path("cur", msg_id))
        except FileNotFoundError:  # another sender finished with it between our open and lock
            os.close(fd)
            return None
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
        return Claim(msg_id, fd, OutboxMessage.from_json(raw))

    def release(self, claim: Claim, to_state: str) -> None:
        """Finish a claim: the message (as it is now) goes to new/, sent/ or failed/."""
        if to_state == "sent":
            self.mark_sent(claim)()
            return
        try:
            self._move(claim.message, "cur", to_state)
        finally:
            os.close(claim.fd)  # drops the flock

    def mark_sent(self, claim: Claim) -> Callable[[], None]:
        """Move a sent message's claim into sent/ now; return the rest of the work (making it
        durable, writing when and how it was sent) for the caller to run, maybe in a thread.

        The duplicate window runs from the server's "accepted" to this rename, so it renames
        the claimed file itself: once the rename returns, no other process will send the
        message again. The directory fsync follows in `settle`; until it completes, only a
        power loss (not a crash of the process) could undo the rename.
        """
        os.rename(self.path("cur", claim.id), self.path("sent", claim.id))

        def settle() -> None:
            try:
                fsync_dir(self.root / "sent")
                # The details (when, provider id) are not fsynced: the message itself is durable
                # in sent/ already, and a power loss may at worst cost these notes.
                tmp = self._write_tmp(claim.message, sync=False)
                os.replace(tmp, self.path("sent", claim.id))
            finally:
                os.close(claim.fd)

        return settle

    def recover(self) -> int:
        """Return claims left in cur/ by crashed senders to the queue; how many."""
        self.ensure()
        count = 0
        for entry in list(os.scandir(self.root / "cur")):
            if not entry.name.endswith(".json"):
                continue
            msg_id = entry.name[:-5]
            try:
                fd = os.open(entry.path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live sender holds it
                if not os.path.exists(entry.path):
                    continue
                if self.path("sent", msg_id).exists() or self.path("failed", msg_id).exists():
                    os.unlink(entry.path)  # it was finished; only the removal from cur/ was lost
                    continue
                with open(fd, "rb", closefd=False) as f:
                    msg = OutboxMessage.from_json(f.read())
                msg.recovered += 1
                msg.attempts += 1
                msg.note(self._now(), "claim recovered after a sender crash (it may have been sent once already)")
                self._move(msg, "cur", "new")
                count += 1
            finally:
                os.close(fd)
        return count

    # -- reading ------------------------------------------------------------------------------
    def read(self, state: str, msg_id: str) -> OutboxMessage:
        return OutboxMessage.from_json(self.path(state, msg_id).read_bytes())

    def find(self, msg_id: str) -> tuple[str, OutboxMessage]:
        import re

        from shopcare.errors import BadInput

        if not re.fullmatch(r"[0-9a-f]{1,24}", msg_id or ""):
            raise BadInput(f"{msg_id!r} is not an outbox message id (24 hexadecimal characters, or the first 6+)")
        self.ensure()
        for state in STATES:
            try:
                return state, self.read(state, msg_id)
            except FileNotFoundError:
                continue
        matches = [(s, p.name[:-5]) for s in STATES for p in (self.root / s).glob(f"{msg_id}*.json")] if len(msg_id) >= 6 else []
        if len(matches) == 1:
            return matches[0][0], self.read(*matches[0])
        raise NotFound(f"no message {msg_id!r} in the outbox", hint="`shopcare outbox list` shows them")

    def iter_state(self, state: str) -> Iterator[OutboxMessage]:
        self.ensure()
        for entry in sorted(os.scandir(self.root / state), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                try:
                    with open(entry.path, "rb") as f:
                        yield OutboxMessage.from_json(f.read())
                except (FileNotFoundError, json.JSONDecodeError):
                    continue

    def due(self, now: datetime | None = None) -> list[Due]:
        """Waiting messages whose time has come, staff alerts first, then oldest next_try.

        Their ids and channels only: a backlog of thousands (after an outage, or a burst of
        mail) must not sit in memory whole; the sender reads each message when it claims it."""
        now = now or self._now()
        out = [(m.audience != "staff", m.next_try, Due(m.id, m.channel))
               for m in self.iter_state("new") if _parse_time(m.next_try) <= now]
        out.sort(key=lambda t: t[:2])
        return [t[2] for t in out]

    def next_due(self) -> datetime | None:
        times = [_parse_time(m.next_try) for m in self.iter_state("new")]
        return min(times) if times else None

    def counts(self, states: tuple[str, ...] = STATES) -> dict[str, int]:
        self.ensure()
        return {s: sum(1 for e in os.scandir(self.root / s) if e.name.endswith(".json")) for s in states}

    def health(self) -> dict:
        counts = self.counts()
        oldest = None
        for m in self.iter_state("new"):
            t = _parse_time(m.created)
            oldest = t if oldest is None or t < oldest else oldest
        return {**counts, "oldest_waiting": oldest.isoformat() if oldest else None}

    # -- managing -----------------------------------------------------------------------------
    def retry(self, msg_id: str) -> OutboxMessage:
        state, msg = self.find(msg_id)
        if state != "failed":
            raise RefusedError(f"message {msg.id} is {state}, not failed; only failed messages can be retried")
        msg.attempts = 0
        msg.failed_reason = ""
        msg.next_try = self._now().isoformat()
        msg.note(self._now(), "put back in the queue by hand")
        with self.lock:
            self._move(msg, "failed", "new")
        return msg

    def purge(self, sent_before: datetime) -> int:
        """Delete sent messages sent before `sent_before` (their idempotency keys are forgotten)."""
        n = 0
        for msg in list(self.iter_state("sent")):
            when = _parse_time(msg.sent_at or msg.created)
            if when < sent_before:
                try:
                    os.unlink(self.path("sent", msg.id))
                    n += 1
                except FileNotFoundError:
                    pass
        return n

    def forget(self, contacts: set[str]) -> int:
        """Delete every message to these addresses or numbers (a customer forgotten under GDPR)."""
        if not contacts or not self.root.exists():
            return 0
        n = 0
        with self.lock:
            for state in ("new", "sent", "failed"):
                for msg in list(self.iter_state(state)):
                    if msg.to in contacts:
                        try:
                            os.unlink(self.path(state, msg.id))
                            n += 1
                        except FileNotFoundError:
                            pass
        return n

    def clean_tmp(self, older_than: float = 3600.0) -> int:
        import time

        n = 0
        for entry in os.scandir(self.root / "tmp"):
            try:
                if time.time() - entry.stat().st_mtime > older_than:
                    os.unlink(entry.path)
                    n += 1
            except FileNotFoundError:
                pass
        return n
