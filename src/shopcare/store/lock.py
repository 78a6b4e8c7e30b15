"""An inter-process lock on a file (fcntl.flock): released by the kernel when a holder dies."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from shopcare.errors import StoreError


class FileLock:
    """Exclusive, re-entrant within one thread, waits up to `timeout` seconds.

    flock (not fcntl.lockf) because its locks belong to the open file description: a crashed
    holder can never leave the store locked, and a forked child does not inherit a lock it
    might release by accident when it closes its copy.
    """

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._owner: int | None = None
        self._mutex = threading.Lock()

    def acquire(self) -> None:
        me = threading.get_ident()
        if self._fd is not None and self._owner == me:
            self._depth += 1
            return
        self._mutex.acquire()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    self._mutex.release()
                    raise StoreError(
                        f"{self.path} has been locked by another shopcare process for {self.timeout:.0f}s",
                        hint="wait for it to finish; a lock is freed when its process ends",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        self._fd, self._owner, self._depth = fd, me, 1

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth:
            return
        fd, self._fd, self._owner = self._fd, None, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
            self._mutex.release()

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
