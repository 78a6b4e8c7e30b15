"""The data directory: one TOML file per record, written atomically, under one lock.

Every change goes through `Store.update` (or `create`): take the store lock, read the record
fresh, apply the change, write it atomically with `version + 1`, append a journal line, update
the index. A caller that read a record earlier passes the version it read; if the file has
moved on since, the write is refused (StaleVersion) instead of overwriting someone's change.
"""

from __future__ import annotations

import importlib
import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from shopcare.errors import DamagedRecord, NotFound, RefusedError, StaleVersion, StoreError
from shopcare.ids import to_filename, validate_id
from shopcare.store import codec
from shopcare.store.atomic import append_durable, fsync_dir, remove_stale_temps, stage_file, sync_filesystem, write_atomic
from shopcare.store.index import Index
from shopcare.store.lock import FileLock

DATA_FORMAT = 1
MARKER = "shopcare-data.toml"


class Kind:
    """A kind of record: its directory and model class (imported only when used)."""

    __slots__ = ("name", "directory", "cls_path", "id_field", "label")

    def __init__(self, name: str, directory: str, cls_path: str, id_field: str, label: str) -> None:
        self.name, self.directory, self.cls_path, self.id_field, self.label = name, directory, cls_path, id_field, label

    @property
    def cls(self) -> type:
        module, _, name = self.cls_path.partition(":")
        return getattr(importlib.import_module(module), name)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("customer", "customers", "shopcare.model.customer:Customer", "id", "customer"),
        Kind("order", "orders", "shopcare.model.order:Order", "number", "order"),
        Kind("delivery", "deliveries", "shopcare.model.delivery:Delivery", "id", "delivery"),
        Kind("return", "returns", "shopcare.model.returns:Return", "id", "return"),
        Kind("complaint", "complaints", "shopcare.model.complaint:Complaint", "id", "complaint"),
        Kind("promise", "promises", "shopcare.model.promise:Promise", "id", "promise"),
        Kind("inquiry", "inquiries", "shopcare.model.inquiry:Inquiry", "id", "inquiry"),
    )
}

LAYOUT_README = """\
This is a shopcare data directory. Every file here is plain text you may read, grep and back up.

  customers/  orders/  deliveries/  returns/  complaints/  promises/  inquiries/
      one TOML file per record; `version` counts its changes. Order numbers with characters
      that are not safe in a file name are written with %XX (2026/11/0042 -> 2026%2F11%2F0042).
  journal/    who changed what and when, one JSON line per change (append-only)
  outbox/     messages to customers and staff: new/ (waiting), cur/ (being sent), sent/, failed/
  sent-mail/  email sent by the built-in transport (a Maildir: open it with any mail client)
  sms-sent.jsonl  SMS sent by the built-in file provider
  templates/  your own versions of message templates (see `shopcare template list`)
  index.sqlite3   a cache for fast listing; delete it or run `shopcare doctor --reindex` any time

Edit a record by hand if you must: keep it valid TOML, and `shopcare doctor` will tell you if not.
"""

GITIGNORE = "index.sqlite3*\n.lock\n*.tmp\noutbox/tmp/\nstate/heartbeat.json\n"


def default_actor() -> str:
    actor = os.environ.get("SHOPCARE_ACTOR")
    if actor:
        return actor
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class Store:
    def __init__(self, root: Path, *, actor: str | None = None, now: Callable[[], datetime] | None = None) -> None:
        self.root = Path(root)
        self.actor = actor or default_actor()
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.lock = FileLock(self.root / ".lock")
        self._index: Index | None = None
        self._batch: dict[str, Any] | None = None
        self._fresh: set[str] = set()

    # -- layout -------------------------------------------------------------------------------
    @staticmethod
    def is_initialised(root: Path) -> bool:
        return (Path(root) / MARKER).is_file()

    @classmethod
    def open(cls, root: Path, **kw) -> "Store":
        root = Path(root)
        if not cls.is_initialised(root):
            why = "does not exist" if not root.exists() else "is not a shopcare data directory"
            raise StoreError(
                f"data directory {root} {why}",
                hint=f"create it with `shopcare --data-dir {root} init` (or point --data-dir / SHOPCARE_DATA_DIR at yours)",
            )
        return cls(root, **kw)

    @classmethod
    def init(cls, root: Path, **kw) -> tuple["Store", bool]:
        """Create the layout; returns (store, created). Safe to run on an existing directory."""
        root = Path(root)
        created = not cls.is_initialised(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} exists and is not a directory")
        root.mkdir(parents=True, exist_ok=True)
        for kind in KINDS.values():
            (root / kind.directory).mkdir(exist_ok=True)
        for sub in ("journal", "state", "templates", "quarantine"):
            (root / sub).mkdir(exist_ok=True)
        if not (root / "README.txt").exists():
            write_atomic(root / "README.txt", LAYOUT_README.encode())
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", GITIGNORE.encode())
        if created:
            stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
            write_atomic(root / MARKER, f"format = {DATA_FORMAT}\ncreated = {stamp}\n".encode())
        return cls(root, **kw), created

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.root / "index.sqlite3")
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def now(self) -> datetime:
        return self._now()

    def kind(self, name: str) -> Kind:
        return KINDS[name]

    def path_for(self, kind: str, record_id: str) -> Path:
        k = KINDS[kind]
        return self.root / k.directory / (to_filename(record_id) + ".toml")

    # -- reading ------------------------------------------------------------------------------
    def _load(self, kind: str, path: Path) -> Any:
        return codec.load_file(KINDS[kind].cls, path)

    def find(self, kind: str, record_id: str) -> Any | None:
        record_id = validate_id(record_id, f"{KINDS[kind].label} id")
        path = self.path_for(kind, record_id)
        if self._batch is not None and (kind, record_id) in self._batch["overlay"]:
            return codec.loads(KINDS[kind].cls, self._batch["overlay"][(kind, record_id)].decode("utf-8"), path)
        try:
            record = self._load(kind, path)
        except FileNotFoundError:
            return None
        except DamagedRecord as exc:
            # Edited in place by hand and broken: keep it out of listings from now on.
            try:
                self.index.mark_damaged(kind, path.name, path.stat(), exc.message)
            except Exception:
                pass
            raise
        self._refresh_if_edited(kind, path, record)
        return record

    def get(self, kind: str, record_id: str) -> Any:
        record = self.find(kind, record_id)
        if record is None:
            raise NotFound(f"no {KINDS[kind].label} {record_id!r}", hint=f"`shopcare {kind} list` shows them")
        return record

    def exists(self, kind: str, record_id: str) -> bool:
        record_id = validate_id(record_id)
        if self._batch is not None and (kind, record_id) in self._batch["overlay"]:
            return True
        return self.path_for(kind, record_id).exists()

    def _refresh_if_edited(self, kind: str, path: Path, record: Any) -> None:
        """A record edited in place by hand: bring its index row up to date."""
        try:
            st = path.stat()
            known = self.index.stat_of(kind, path.name)
            if known != (st.st_mtime_ns, st.st_size):
                self._index_record(kind, path, record, st)
        except Exception:
            pass  # the index is a cache; reading must never fail because of it

    def iter_all(self, kind: str) -> Iterator[tuple[Path, Any]]:
        """Every record file of a kind: (path, record), or (path, DamagedRecord)."""
        directory = self.root / KINDS[kind].directory
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            if not entry.name.endswith(".toml") or entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                yield path, self._load(kind, path)
            except DamagedRecord as exc:
                yield path, exc
            except FileNotFoundError:
                continue

    # -- listing ------------------------------------------------------------------------------
    def _dir_mtime(self, kind: str) -> str:
        return str(os.stat(self.root / KINDS[kind].directory).st_mtime_ns)

    def ensure_fresh(self, kind: str, *, full: bool = False) -> None:
        """Rescan a kind's directory when it changed behind the index's back."""
        if kind in self._fresh and not full:
            return
        key = f"dirmtime:{kind}"
        current = self._dir_mtime(kind)
        if not full and self.index.get_meta(key) == current:
            self._fresh.add(kind)
            return
        with self.lock:
            current = self._dir_mtime(kind)
            directory = self.root / KINDS[kind].directory
            known = self.index.files(kind)
            seen = set()
            in_batch = self._batch is not None
            if not in_batch:
                self.index.begin()
            try:
                for entry in os.scandir(directory):
                    name = entry.name
                    if not name.endswith(".toml") or name.startswith("."):
                        continue
                    seen.add(name)
                    st = entry.stat()
                    if known.get(name) == (st.st_mtime_ns, st.st_size):
                        continue
                    path = Path(entry.path)
                    try:
                        record = self._load(kind, path)
                    except DamagedRecord as exc:
                        self.index.mark_damaged(kind, name, st, exc.message)
                        continue
                    except FileNotFoundError:
                        continue
                    self._index_record(kind, path, record, st)
                for name in set(known) - seen:
                    self.index.remove_file(kind, name)
                self.index.set_meta(key, current)
                if not in_batch:
                    self.index.commit()
            except BaseException:
                if not in_batch:
                    self.index.rollback()
                raise
        self._fresh.add(kind)

    def _index_record(self, kind: str, path: Path, record: Any, st: os.stat_result | None = None) -> None:
        st = st or path.stat()
        self.index.upsert(kind, record.key, path.name, st, record.version, record.index_columns(), record.summary())

    def list(self, kind: str, **query) -> list[dict[str, Any]]:
        self.ensure_fresh(kind)
        return self.index.query(kind, **query)

    def ids(self, kind: str, **query) -> list[str]:
        self.ensure_fresh(kind)
        return self.index.ids(kind, **query)

    def damaged(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        for k in [kind] if kind else KINDS:
            self.ensure_fresh(k)
        return self.index.damaged(kind)

    def reindex(self) -> dict[str, int]:
        counts = {}
        with self.lock:
            for kind in KINDS:
                self.index.begin()
                self.index.clear(kind)
                self.index.set_meta(f"dirmtime:{kind}", "")
                self.index.db.execute("DELETE FROM meta WHERE key LIKE ?", (f"next:{kind}:%",))
                self.index.commit()
                self._fresh.discard(kind)
                self.ensure_fresh(kind, full=True)
                counts[kind] = self.index.count(kind)
        return counts

    # -- writing ------------------------------------------------------------------------------
    def _write(self, kind: str, record: Any, change: str, before: dict[str, Any] | None) -> None:
        """Journal line first, then the record; then the index.

        The journal line is written ahead of the rename, so a change that reached the disk is
        always in the journal. A crash between the two leaves a line for a version that never
        landed; the next change writes the same version again and `history` keeps the last
        line of each version.
        """
        path = self.path_for(kind, record.key)
        after = codec.to_toml_dict(record)
        data = codec.dumps_dict(after).encode("utf-8")
        fields = _diff(before, after)
        line = {
            "time": self.now().isoformat(timespec="seconds"),
            "actor": self.actor,
            "record": f"{kind}/{record.key}",
            "version": record.version,
            "change": change,
        }
        if fields:
            line["fields"] = fields
        text = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        batch = self._batch
        if batch is None:
            append_durable(self._journal_path(), text)
            write_atomic(path, data)
            self.index.begin()
            self._index_record(kind, path, record)
            self.index.set_meta(f"dirmtime:{kind}", self._dir_mtime(kind))
            self.index.commit()
            return
        # In a batch the record is staged in a temp file and renamed into place when the batch
        # commits (see `batch`); until then readers of this Store see it through the overlay.
        os.write(self._batch_journal_fd(), text)
        tmp = stage_file(path, data)
        batch["renames"].append((tmp, path))
        batch["overlay"][(kind, record.key)] = data
        batch["dirs"].add(path.parent)
        batch["kinds"].add(kind)
        self._index_record(kind, path, record, os.stat(tmp))

    def _batch_journal_fd(self) -> int:
        batch = self._batch
        if batch.get("fd") is None:
            batch["fd"] = os.open(self._journal_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return batch["fd"]

    def _journal_path(self) -> Path:
        return self.root / "journal" / (self.now().astimezone(timezone.utc).strftime("%Y-%m") + ".jsonl")

    def _append_journal(self, text: str) -> None:
        append_durable(self._journal_path(), text.encode("utf-8"))

    def create(self, record: Any, change: str = "created", *, before_save: Callable[[Any], None] | None = None) -> Any:
        """Write a new record (version 1). `before_save(record)` runs under the lock just before
        the write: it is where the messages a change owes are queued, so that a crash between
        the two leaves a queued message and no change (re-running the command queues nothing
        new, its idempotency key being the same) rather than a change whose message is lost."""
        kind = record.KIND
        validate_id(record.key, f"{KINDS[kind].label} id")
        with self.lock:
            if self.exists(kind, record.key):
                raise RefusedError(f"{KINDS[kind].label} {record.key!r} already exists")
            record.version = 1
            if before_save is not None:
                before_save(record)
            self._write(kind, record, change, None)
        return record

    def save(self, record: Any, expected_version: int, change: str, before: dict[str, Any] | None = None) -> Any:
        """Write `record` if the file is still at `expected_version`; else StaleVersion."""
        kind = record.KIND
        with self.lock:
            current = self.find(kind, record.key)
            if current is None:
                raise NotFound(f"no {KINDS[kind].label} {record.key!r}")
            if current.version != expected_version:
                raise StaleVersion(
                    f"{KINDS[kind].label} {record.key} was changed by someone else "
                    f"(version {current.version}, you had {expected_version}); retry",
                )
            if before is None:
                before = codec.to_toml_dict(current)
            record.version = expected_version + 1
            record.updated = self.now()
            self._write(kind, record, change, before)
        return record

    def update(self, kind: str, record_id: str, change: Callable[[Any], Any], description: str | Callable[[Any], str],
               *, expect_version: int | None = None, before_save: Callable[[Any, Any], None] | None = None) -> tuple[Any, Any]:
        """Read, change and write a record under the lock; returns (record, change's result).

        `change` mutates the record and returns a result; returning the sentinel `UNCHANGED`
        (or raising) writes nothing. `before_save(record, result)` runs just before the write,
        with `record.version` still the old one (see `create`).
        """
        with self.lock:
            record = self.get(kind, record_id)
            if expect_version is not None and record.version != expect_version:
                raise StaleVersion(
                    f"{KINDS[kind].label} {record.key} was changed by someone else "
                    f"(version {record.version}, you had {expect_version}); retry",
                )
            before = codec.to_toml_dict(record)
            result = change(record)
            if result is UNCHANGED:
                return record, result
            desc = description(record) if callable(description) else description
            if before_save is not None:
                before_save(record, result)
            self.save(record, record.version, desc, before)
        return record, result

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes (an import) into one commit, under one lock.

        Records are staged in temp files. On success: the journal is fsynced, then the temp
        files are flushed with one syncfs instead of one fsync each, then all are renamed into
        place and each directory is fsynced once, then the index transaction commits. If the
        block raises, nothing of it lands: the temp files are removed and the index rolled
        back (the journal keeps lines for versions that never landed, as after any crash).
        """
        with self.lock:
            for kind in KINDS:
                self.ensure_fresh(kind)
            self._batch = {"dirs": set(), "next": {}, "kinds": set(), "renames": [], "overlay": {}}
            self.index.begin()
            try:
                yield
                self._commit_batch()
                self.index.commit()
            except BaseException:
                self._abort_batch()
                self.index.rollback()
                raise
            finally:
                self._batch = None

    def _commit_batch(self) -> None:
        batch = self._batch
        fd = batch.pop("fd", None)
        if fd is not None:
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if batch["renames"]:
            sync_filesystem(self.root, [tmp for tmp, _ in batch["renames"]])
        for tmp, path in batch["renames"]:
            os.replace(tmp, path)
        for d in batch["dirs"]:
            fsync_dir(d)
        for kind in batch["kinds"]:
            self.index.set_meta(f"dirmtime:{kind}", self._dir_mtime(kind))

    def _abort_batch(self) -> None:
        batch = self._batch
        fd = batch.pop("fd", None)
        if fd is not None:
            os.close(fd)
        for tmp, _ in batch["renames"]:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass

    def next_id(self, kind: str, prefix: str, width: int = 5) -> str:
        """The next sequential id (C00001, C00002...); call with the lock held.

        The counter lives in the index (a cache: when it is missing, the ids on disk are
        scanned once); the existence check below keeps it right even if it lags behind.
        """
        cache = self._batch["next"] if self._batch is not None else {}
        n = cache.get((kind, prefix))
        if n is None:
            self.ensure_fresh(kind)
            stored = self.index.get_meta(f"next:{kind}:{prefix}")
            n = int(stored) if stored and stored.isdigit() else self.index.max_id_number(kind, prefix) + 1
        while self.exists(kind, f"{prefix}{n:0{width}d}"):
            n += 1
        cache[(kind, prefix)] = n + 1
        self.index.set_meta(f"next:{kind}:{prefix}", str(n + 1))
        return f"{prefix}{n:0{width}d}"

    # -- history ------------------------------------------------------------------------------
    def history(self, kind: str, record_id: str) -> list[dict[str, Any]]:
        """The journal of one record, oldest first; of two lines for one version (a write that
        crashed before its rename, then the one that landed), the later one is kept."""
        target = f"{kind}/{record_id}"
        needle = json.dumps(target, ensure_ascii=False)
        by_version: dict[int, dict[str, Any]] = {}
        for path in sorted((self.root / "journal").glob("*.jsonl")):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if needle in line:
                        try:
                            entry = json.loads(line)
                        except json.JSONDecodeError:
                            continue
                        if entry.get("record") == target:
                            by_version[entry.get("version", 0)] = entry
        return [by_version[v] for v in sorted(by_version)]

    def clean_temps(self) -> int:
        return sum(remove_stale_temps(self.root / k.directory) for k in KINDS.values())


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


# Fields whose values may hold personal data: the append-only journal records only that they
# changed, so erasing a customer (GDPR) never has to rewrite history.
PERSONAL_FIELDS = frozenset({
    "name", "email", "phone", "requirements", "address", "text", "notes", "extra", "subject",
    "sender", "to", "excerpt", "answer", "what", "reason", "note", "contact",
})


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key not in PERSONAL_FIELDS:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """Fields that changed: {field: [old, new]}, or "changed" for personal or bulky values."""
    if before is None:
        return {}
    b, a = _flatten(before), _flatten(after)
    out: dict[str, Any] = {}
    for key in sorted(set(b) | set(a)):
        if key in ("version", "updated"):
            continue
        old, new = b.get(key), a.get(key)
        if old == new:
            continue
        leaf = key.rsplit(".", 1)[-1]
        scalar = all(isinstance(v, (str, int, float, bool, type(None))) or hasattr(v, "isoformat") for v in (old, new))
        out[key] = [old, new] if scalar and leaf not in PERSONAL_FIELDS else "changed"
    return out
