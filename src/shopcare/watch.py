"""Waking the daemon the moment a file lands in a folder (Linux inotify), instead of polling.

Used for the outbox (a message queued by the CLI or cron) and a Maildir inbox (mail delivered
on the host). Where inotify is missing, the folder's mtime is polled twice a second.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import Callable

IN_CREATE, IN_MOVED_TO, IN_CLOSE_WRITE = 0x100, 0x80, 0x08
IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000


class FolderWatch:
    def __init__(self, folders: list[Path], on_change: Callable[[], None]) -> None:
        self.folders = [Path(f) for f in folders]
        self.on_change = on_change
        self.fd: int | None = None
        self._poll_task: asyncio.Task | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> str:
        for f in self.folders:
            f.mkdir(parents=True, exist_ok=True)
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "inotify_init1")
            for f in self.folders:
                if libc.inotify_add_watch(fd, str(f).encode(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0:
                    raise OSError(ctypes.get_errno(), f"inotify_add_watch {f}")
            self.fd = fd
            loop.add_reader(fd, self._read)
            return "inotify"
        except (OSError, AttributeError):
            self._poll_task = loop.create_task(self._poll())
            return "polling"

    def _read(self) -> None:
        # The events are only a nudge: whatever changed, the owner rescans the folder.
        try:
            while os.read(self.fd, 65536):
                pass
        except BlockingIOError:
            pass
        self.on_change()

    async def _poll(self) -> None:
        last = None
        while True:
            stamp = tuple(_mtime(f) for f in self.folders)
            if last is not None and stamp != last:
                self.on_change()
            last = stamp
            await asyncio.sleep(0.5)

    def stop(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.fd is not None:
            loop.remove_reader(self.fd)
            os.close(self.fd)
            self.fd = None
        if self._poll_task is not None:
            self._poll_task.cancel()


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0
