"""Crash-safe file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename or create in `directory` durable (the entry lives in the directory)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True, mode: int = 0o644) -> None:
    """Write `data` to `path` atomically.

    The bytes go to a temp file in the same directory (rename is only atomic within one file
    system), are fsynced so the rename can never publish an empty or partial file after a power
    loss, then renamed over the target; the directory is fsynced last so the rename itself
    survives a crash.
    """
    import tempfile  # here, not at the top: it pulls in shutil and random, which reads never need

    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir:
        fsync_dir(directory)


def stage_file(path: Path, data: bytes) -> Path:
    """Write `data` to a new temp file beside `path` (not synced, not renamed): for batches."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, 0o644)
    finally:
        os.close(fd)
    return Path(tmp)


def sync_filesystem(root: Path, files: list[Path]) -> None:
    """Make the contents of many just-written files durable.

    On Linux one syncfs(2) of the file system holding `root` does it in a single journal
    commit, where an fsync per file would pay one commit each; elsewhere, fsync each file.
    """
    libc = _libc()
    if libc is not None:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_LIBC: list = []


def _libc():
    """glibc through ctypes (for syncfs), loaded once; None where there is none."""
    import sys

    if not _LIBC:
        lib = None
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                lib = ctypes.CDLL("libc.so.6", use_errno=True)
                lib.syncfs  # noqa: B018 (raises AttributeError on a libc without it)
            except (OSError, AttributeError):
                lib = None
        _LIBC.append(lib)
    return _LIBC[0]


def append_durable(path: Path, data: bytes) -> None:
    """Append one chunk (a journal line) and fsync it.

    O_APPEND makes every write land at the end even with several writers; callers hold the
    store lock anyway so lines never interleave.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(directory: Path, older_than: float = 3600.0) -> int:
    """Remove temp files a crashed writer left behind (they were never renamed into place)."""
    import time

    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            try:
                if now - entry.stat().st_mtime > older_than:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                pass
    return removed
