"""The one way shopcare opens its SQLite files (the record index, the outbox state, the
mailbox state): autocommit, a 30 s busy timeout, and a small page cache.

Every daemon holds several of these connections for months; SQLite's default 2 MiB page cache
per connection fills as the files grow and accounted for most of a daemon's memory growth
under a mail soak. Half a MiB keeps the hot pages (the last inquiries, today's counters)
while the operating system's file cache serves the rest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

CACHE_KIB = 512


def connect(path: Path, *, wal: bool = True, threads: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=not threads)
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    # Each of these files can be rebuilt (the index) or holds counters whose loss after a power
    # cut costs at most a repeat the outbox keys catch: NORMAL skips an fsync per transaction.
    db.execute("PRAGMA synchronous=NORMAL")
    return db
