"""A rebuildable SQLite index of the records, so listing never parses every file.

The TOML files are the truth; this index is a cache of a few columns per record. It is kept
in step by every write (under the store lock), and checked against the directory: when a
directory's mtime differs from the one the index last saw (a file added, removed or replaced
by hand, a `git checkout`, a crashed writer), the directory is rescanned and only files whose
size or mtime changed are parsed again. A record edited in place by hand is refreshed the next
time it is read, or by `shopcare doctor --reindex`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from shopcare.store.sqlite import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    file TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT,
    customer TEXT,
    ref TEXT,
    created TEXT,
    due TEXT,
    summary TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS records_status ON records (kind, status, created);
CREATE INDEX IF NOT EXISTS records_customer ON records (kind, customer, created);
CREATE INDEX IF NOT EXISTS records_ref ON records (kind, ref);
CREATE INDEX IF NOT EXISTS records_due ON records (kind, due);
CREATE INDEX IF NOT EXISTS records_file ON records (kind, file);
CREATE TABLE IF NOT EXISTS damaged (
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (kind, file)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
SCHEMA_VERSION = 3


def utc_text(value: datetime | None) -> str | None:
    """A sortable UTC timestamp for the index (records keep their own offset)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value.isoformat()
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Index:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            db = connect(self.path, wal=False)  # WAL is persistent: set once with the schema below
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                # A cache: on a new schema drop it whole; the next listing rebuilds it from the records.
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript("DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS damaged; DROP TABLE IF EXISTS meta;")
                db.executescript(SCHEMA)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- writes -------------------------------------------------------------------------------
    def upsert(self, kind: str, record_id: str, file: str, st: os.stat_result, version: int,
               cols: dict[str, Any], summary: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (kind, record_id, file, st.st_mtime_ns, st.st_size, version, cols.get("status"),
             cols.get("customer"), cols.get("ref"), utc_text(cols.get("created")), utc_text(cols.get("due")),
             json.dumps(summary, ensure_ascii=False, default=str)),
        )
        self.db.execute("DELETE FROM damaged WHERE kind=? AND file=?", (kind, file))

    def mark_damaged(self, kind: str, file: str, st: os.stat_result, reason: str) -> None:
        self.db.execute("DELETE FROM records WHERE kind=? AND file=?", (kind, file))
        self.db.execute("INSERT OR REPLACE INTO damaged VALUES (?,?,?,?,?)", (kind, file, st.st_mtime_ns, st.st_size, reason))

    def remove_file(self, kind: str, file: str) -> None:
        self.db.execute("DELETE FROM records WHERE kind=? AND file=?", (kind, file))
        self.db.execute("DELETE FROM damaged WHERE kind=? AND file=?", (kind, file))

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass

    def clear(self, kind: str) -> None:
        self.db.execute("DELETE FROM records WHERE kind=?", (kind,))
        self.db.execute("DELETE FROM damaged WHERE kind=?", (kind,))

    # -- reads --------------------------------------------------------------------------------
    def files(self, kind: str) -> dict[str, tuple[int, int]]:
        rows = self.db.execute("SELECT file, mtime_ns, size FROM records WHERE kind=?", (kind,)).fetchall()
        rows += self.db.execute("SELECT file, mtime_ns, size FROM damaged WHERE kind=?", (kind,)).fetchall()
        return {f: (m, s) for f, m, s in rows}

    def stat_of(self, kind: str, file: str) -> tuple[int, int] | None:
        row = self.db.execute("SELECT mtime_ns, size FROM records WHERE kind=? AND file=?", (kind, file)).fetchone()
        return (row[0], row[1]) if row else None

    def query(self, kind: str, *, status: Iterable[str] | None = None, customer: str | None = None,
              ref: str | None = None, since: datetime | None = None, due_before: datetime | None = None,
              has_due: bool = False, order: str = "created", limit: int | None = None) -> list[dict[str, Any]]:
        sql = ["SELECT summary FROM records WHERE kind=?"]
        args: list[Any] = [kind]
        if status is not None:
            status = list(status)
            sql.append(f"AND status IN ({','.join('?' * len(status))})")
            args += status
        if customer is not None:
            sql.append("AND customer=?")
            args.append(customer)
        if ref is not None:
            sql.append("AND ref=?")
            args.append(ref)
        if since is not None:
            sql.append("AND created>=?")
            args.append(utc_text(since))
        if has_due or due_before is not None:
            sql.append("AND due IS NOT NULL")
        if due_before is not None:
            sql.append("AND due<?")
            args.append(utc_text(due_before))
        sql.append({"created": "ORDER BY created, id", "due": "ORDER BY due, id", "id": "ORDER BY id"}[order])
        if limit:
            sql.append(f"LIMIT {int(limit)}")
        rows = self.db.execute(" ".join(sql), args).fetchall()
        # One parse of one JSON array is several times faster than a json.loads per row.
        return json.loads("[" + ",".join(r[0] for r in rows) + "]")

    def ids(self, kind: str, *, status: Iterable[str] | None = None, ref: str | None = None, customer: str | None = None) -> list[str]:
        sql = "SELECT id FROM records WHERE kind=?"
        args: list[Any] = [kind]
        if status is not None:
            status = list(status)
            sql += f" AND status IN ({','.join('?' * len(status))})"
            args += status
        if ref is not None:
            sql += " AND ref=?"
            args.append(ref)
        if customer is not None:
            sql += " AND customer=?"
            args.append(customer)
        # Sorted here: an ORDER BY id would make SQLite walk the primary key instead of the
        # filter's index.
        return sorted(r[0] for r in self.db.execute(sql, args))

    def count(self, kind: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM records WHERE kind=?", (kind,)).fetchone()[0]

    def damaged(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        if kind:
            rows = self.db.execute("SELECT kind, file, reason FROM damaged WHERE kind=? ORDER BY file", (kind,))
        else:
            rows = self.db.execute("SELECT kind, file, reason FROM damaged ORDER BY kind, file")
        return list(rows)

    def max_id_number(self, kind: str, prefix: str) -> int:
        best = 0
        for (rid,) in self.db.execute("SELECT id FROM records WHERE kind=? AND id LIKE ?", (kind, prefix + "%")):
            tail = rid[len(prefix):]
            if tail.isdigit():
                best = max(best, int(tail))
        return best
