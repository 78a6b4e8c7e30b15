"""What the rest of shopcare needs from a store: the contract another backend would implement.

`Store` (records.py) implements it on a local directory of TOML files, serialised by one flock
and indexed by a SQLite cache. That is right for one host per shop. When one shop's data must be
shared by several hosts (two daemons for failover, staff machines writing at once), flock and
SQLite on a network file system are not safe; a database backend would implement this protocol
instead, and the services would not change. What each method must guarantee:

- `create` writes version 1 or refuses (RefusedError) when the id exists; `save` writes
  `expected_version + 1` only if the stored record is still at `expected_version` (a
  compare-and-set: `UPDATE ... WHERE id = ? AND version = ?`), else StaleVersion. `update` is
  read-change-save under the backend's lock or transaction.
- `before_save` hooks run inside the same transaction as the write: they queue the messages a
  change owes, so a change and its messages land together or not at all.
- Every write appends to the record's history (`history`), with who/what changed and the
  before/after of changed fields, never personal data beyond the record itself.
- `next_id` hands out sequential ids (C00001...) without gaps that could repeat: a sequence.
- `batch` groups many writes into one transaction (an import): all of them land or none.
- `list`/`ids` answer the index queries the CLI uses (status, customer, dates, limit) without
  reading every record.

The outbox (notify/outbox.py: one file per message, claimed with flock) and the mailbox state
(mailbox/state.py: SQLite) make the same single-host assumption; a shared backend would claim
outbox rows with `SELECT ... FOR UPDATE SKIP LOCKED` and keep the mailbox state's UID marks and
Message-ID set in tables of the same database.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Callable, Iterator, Protocol, runtime_checkable


@runtime_checkable
class RecordStore(Protocol):
    def now(self) -> datetime: ...

    # reading
    def find(self, kind: str, record_id: str) -> Any | None: ...
    def get(self, kind: str, record_id: str) -> Any: ...
    def exists(self, kind: str, record_id: str) -> bool: ...
    def iter_all(self, kind: str) -> Iterator[tuple[Any, Any]]: ...
    def list(self, kind: str, **query: Any) -> list[dict[str, Any]]: ...
    def ids(self, kind: str, **query: Any) -> list[str]: ...
    def history(self, kind: str, record_id: str) -> list[dict[str, Any]]: ...

    # writing
    def create(self, record: Any, change: str = "created", *,
               before_save: Callable[[Any], None] | None = None) -> Any: ...
    def save(self, record: Any, expected_version: int, change: str,
             before: dict[str, Any] | None = None) -> Any: ...
    def update(self, kind: str, record_id: str, change: Callable[[Any], Any],
               description: str | Callable[[Any], str], *, expect_version: int | None = None,
               before_save: Callable[[Any, Any], None] | None = None) -> tuple[Any, Any]: ...
    def batch(self) -> AbstractContextManager[None]: ...
    def next_id(self, kind: str, prefix: str, width: int = 5) -> str: ...
