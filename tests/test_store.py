"""The store: atomic records, versions, damaged files named with their line, a self-healing index."""

import json
import os
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from shopcare.errors import DamagedRecord, StaleVersion, StoreError
from shopcare.model.customer import Customer
from shopcare.store import Store


def _customer(cid="C00001", name="Anna"):
    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    return Customer(id=cid, name=name, created=now, updated=now, email=f"{cid.lower()}@example.pl")


@pytest.fixture
def store(tmp_path):
    s, created = Store.init(tmp_path / "data", actor="tester")
    assert created
    yield s
    s.close()


def test_open_uninitialised_dir_says_how_to_fix(tmp_path):
    with pytest.raises(StoreError) as exc:
        Store.open(tmp_path / "nope")
    assert "init" in exc.value.hint


def test_create_get_and_version(store):
    c = store.create(_customer())
    assert c.version == 1
    got = store.get("customer", "C00001")
    assert got.name == "Anna" and got.version == 1
    text = store.path_for("customer", "C00001").read_text()
    assert 'name = "Anna"' in text and "version = 1" in text


def test_stale_version_is_refused_and_nothing_is_overwritten(store):
    store.create(_customer())
    a = store.get("customer", "C00001")
    b = store.get("customer", "C00001")
    a.name = "First"
    store.save(a, 1, "edit a")
    b.name = "Second"
    with pytest.raises(StaleVersion) as exc:
        store.save(b, 1, "edit b")
    assert "someone else" in exc.value.message
    assert store.get("customer", "C00001").name == "First"
    assert exc.value.exit_status == 1


def test_journal_records_who_and_what_without_personal_values(store):
    store.create(_customer())
    store.update("customer", "C00001", lambda c: setattr(c, "language", "pl"), "language set")
    store.update("customer", "C00001", lambda c: setattr(c, "email", "new@example.pl"), "email changed")
    lines = [json.loads(l) for f in (store.root / "journal").glob("*.jsonl") for l in f.read_text().splitlines()]
    assert [l["change"] for l in lines] == ["created", "language set", "email changed"]
    assert lines[1]["fields"] == {"language": ["en", "pl"]} and lines[1]["actor"] == "tester"
    assert lines[2]["fields"] == {"email": "changed"}
    assert "new@example.pl" not in json.dumps(lines)
    assert [e["version"] for e in store.history("customer", "C00001")] == [1, 2, 3]


@pytest.mark.parametrize("text, line, words", [
    ('id = "C00001"\nname = "Anna\nversion = 1\n', 2, "not valid TOML"),
    ('id = "C00001"\ncreated = 2026-11-23T10:00:00Z\nupdated = 2026-11-23T10:00:00Z\nversion = 1\n', None, "missing field 'name'"),
    ('id = "C00001"\nname = "A"\ncreated = 2026-11-23T10:00:00Z\nupdated = 2026-11-23T10:00:00Z\nversion = "one"\n', 5, "version"),
    ('id = "C00001"\nname = "A"\ncreated = 2026-11-23\nupdated = 2026-11-23T10:00:00Z\n', 3, "created"),
])
def test_hand_broken_record_names_file_and_line(store, text, line, words):
    store.create(_customer("C00002"))
    path = store.path_for("customer", "C00001")
    path.write_text(text)
    with pytest.raises(DamagedRecord) as exc:
        store.get("customer", "C00001")
    assert exc.value.path == path and words in exc.value.message
    if line:
        assert exc.value.line == line and f"{path}:{line}:" in exc.value.message
    assert exc.value.exit_status == 3
    # Other records stay usable and listing leaves the broken one out, reporting it.
    assert store.get("customer", "C00002").name == "Anna"
    assert [r["id"] for r in store.list("customer")] == ["C00002"]
    assert [d[1] for d in store.damaged()] == ["C00001.toml"]


def test_index_follows_files_changed_behind_its_back(store):
    for i in range(1, 4):
        store.create(_customer(f"C0000{i}"))
    assert len(store.list("customer")) == 3
    # A file deleted and one added by hand (or by git checkout) are noticed on the next listing.
    store.path_for("customer", "C00001").unlink()
    other = Store(store.root)
    text = store.path_for("customer", "C00002").read_text().replace("C00002", "C00009")
    store.path_for("customer", "C00009").write_text(text)
    assert [r["id"] for r in other.list("customer")] == ["C00002", "C00003", "C00009"]
    # An in-place edit is picked up when the record is read, and by reindex.
    p = store.path_for("customer", "C00003")
    p.write_text(p.read_text().replace('name = "Anna"', 'name = "Edited"'))
    other.get("customer", "C00003")
    assert {r["id"]: r["name"] for r in Store(store.root).list("customer")}["C00003"] == "Edited"
    os.unlink(store.root / "index.sqlite3")
    fresh = Store(store.root)
    assert fresh.reindex()["customer"] == 3
    other.close()
    fresh.close()


def test_money_is_written_as_text_never_float(tmp_path, store):
    from shopcare.model.order import Item, Order

    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    o = Order(number="A1", customer="C1", currency="PLN", created=now, updated=now, total=Decimal("0.30"),
              items=[Item("X", "X", 3, Decimal("0.10"))])
    store.create(o)
    text = store.path_for("order", "A1").read_text()
    assert 'total = "0.30"' in text and 'unit_price = "0.10"' in text
    assert store.get("order", "A1").total == Decimal("0.30")


def test_batch_groups_writes_and_next_id_counts_up(store):
    with store.batch():
        ids = []
        for _ in range(3):
            cid = store.next_id("customer", "C")
            store.create(_customer(cid))
            ids.append(cid)
    assert ids == ["C00001", "C00002", "C00003"]
    assert len(store.history("customer", "C00003")) == 1
    assert store.next_id("customer", "C") == "C00004"


def test_store_implements_the_backend_interface(tmp_path):
    """The file store is one implementation of RecordStore; the signatures must agree so that a
    database backend written against the protocol can replace it."""
    import inspect

    from shopcare.store.interface import RecordStore

    store, _ = Store.init(tmp_path / "data")
    assert isinstance(store, RecordStore)
    for name, member in vars(RecordStore).items():
        if name.startswith("_") or not callable(member):
            continue
        want = [(p.name, p.kind) for p in inspect.signature(member).parameters.values()]
        got = [(p.name, p.kind) for p in inspect.signature(getattr(Store, name)).parameters.values()]
        assert got == want, name
