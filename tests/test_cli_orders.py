"""`shopcare order ...`: the contract scripts rely on (options, JSON keys, exit codes)."""

import pytest


def test_create_and_show_json_contract(shop):
    cid = shop.customer()
    r = shop.ok("order", "create", "#1001", "--customer", cid, "--item", "MUG:2:49.50:Mug: blue", "--item", "TEA:1:12,00",
                "--currency", "pln", "--payment", "transfer", "--delivery-method", "InPost", "--delivery-cost", "0",
                "--promised", "2026-11-27")
    assert r.stdout.strip() == "1001"
    data = shop.ok("order", "show", "1001", "--json").json()
    for key in ("number", "status", "payment", "customer", "total", "currency", "version", "notes"):
        assert key in data
    assert data["number"] == "1001" and data["status"] == "new" and data["currency"] == "PLN"
    assert data["total"] == "111.00" and data["payment"] == {"method": "transfer", "state": "unpaid"}
    assert data["items"][0]["name"] == "Mug: blue" and data["delivery"]["promised"] == "2026-11-27"
    assert data["delivery"]["cost"] == "0" and data["version"] == 1
    assert shop.ok("order", "show", "#1001", "--json").json()["number"] == "1001"


def test_shop_number_forms_map_to_safe_files(shop):
    cid = shop.customer()
    shop.order("2026/11/0042", cid)
    assert (shop.data / "orders" / "2026%2F11%2F0042.toml").exists()
    assert shop.ok("order", "show", "2026/11/0042", "--json").json()["number"] == "2026/11/0042"


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a\x00b", "x" * 65, "a\x1bb"])
def test_unsafe_numbers_are_refused_and_nothing_written(shop, bad):
    cid = shop.customer()
    r = shop.run("order", "create", bad, "--customer", cid, "--item", "A:1:1", "--currency", "PLN")
    assert r.exit_code == 2
    assert list((shop.data / "orders").iterdir()) == []
    assert not (shop.root / "x.toml").exists() and not (shop.root.parent / "x.toml").exists()


def test_bad_items_and_values_exit_2(shop):
    cid = shop.customer()
    for item in ("MUG", "MUG:0:1", "MUG:x:1", "MUG:1:-3", "MUG:1:abc", ":1:1"):
        r = shop.run("order", "create", "A1", "--customer", cid, "--item", item, "--currency", "PLN")
        assert r.exit_code == 2, (item, r.stderr)
    assert shop.run("order", "create", "A1", "--customer", cid, "--item", "A:1:1", "--currency", "zł").exit_code == 2
    assert shop.run("order", "create", "A1", "--customer", cid, "--item", "A:1:1", "--currency", "PLN", "--payment", "cash").exit_code == 2
    assert shop.run("order", "create", "A1", "--customer", "C404", "--item", "A:1:1", "--currency", "PLN").exit_code == 4


def test_duplicate_number_is_refused(shop):
    cid = shop.customer()
    shop.order("A1", cid)
    assert shop.run("order", "create", "#A1", "--customer", cid, "--item", "A:1:1", "--currency", "PLN").exit_code == 1


def test_transitions_are_rules_and_name_the_allowed_ones(shop):
    shop.order("A1")
    r = shop.run("order", "cancel", "A1", "--reason", "")
    assert r.exit_code == 2
    shop.ok("order", "confirm", "A1")
    r = shop.ok("order", "confirm", "A1")
    assert "already confirmed" in r.stderr
    assert shop.ok("order", "show", "A1", "--json").json()["version"] == 2
    shop.ok("order", "cancel", "A1", "--reason", "customer changed mind")
    r = shop.run("order", "confirm", "A1")
    assert r.exit_code == 1 and "cancelled" in r.stderr
    r = shop.run("order", "cancel", "A1", "--reason", "again")
    assert r.exit_code == 1 and "allowed next: none" in r.stderr


def test_list_filters_and_json(shop):
    a = shop.customer()
    b = shop.customer(name="Jonas", email="jonas@example.lt")
    shop.ok("order", "create", "A1", "--customer", a, "--item", "X:1:1", "--currency", "PLN", now="2026-11-01T10:00:00+01:00")
    shop.ok("order", "create", "A2", "--customer", b, "--item", "X:1:1", "--currency", "EUR", now="2026-11-20T10:00:00+01:00")
    shop.ok("order", "create", "A3", "--customer", a, "--item", "X:1:1", "--currency", "PLN", now="2026-11-21T10:00:00+01:00")
    shop.ok("order", "confirm", "A3")
    assert [o["number"] for o in shop.ok("order", "list", "--json").json()] == ["A1", "A2", "A3"]
    assert [o["number"] for o in shop.ok("order", "list", "--status", "confirmed", "--json").json()] == ["A3"]
    assert [o["number"] for o in shop.ok("order", "list", "--customer", a, "--json").json()] == ["A1", "A3"]
    assert [o["number"] for o in shop.ok("order", "list", "--since", "2026-11-20", "--json").json()] == ["A2", "A3"]
    row = shop.ok("order", "list", "--json").json()[0]
    assert set(row) >= {"number", "status", "customer", "total", "currency", "payment_state", "created"}
    assert shop.run("order", "list", "--status", "shipped-ish").exit_code == 2
    # Plain lines in a pipe: one tab-separated row per order, nothing else on stdout.
    lines = shop.ok("order", "list").stdout.splitlines()
    assert len(lines) == 3 and lines[0].split("\t")[0] == "A1"


def test_notes_and_history(shop):
    shop.order("A1")
    shop.ok("order", "note", "A1", "customer asked for gift wrap")
    shop.ok("order", "confirm", "A1", "--by", "phone")
    hist = shop.ok("order", "history", "A1", "--json").json()
    assert [h["change"] for h in hist] == ["order created", "note added", "confirmed by phone"]
    assert all(h["actor"] == "tester" for h in hist)
    assert hist[2]["fields"]["status"] == ["new", "confirmed"]
    text = shop.ok("order", "history", "A1").stdout
    assert "confirmed by phone" in text and "status: new -> confirmed" in text
    assert shop.run("order", "history", "NOPE").exit_code == 4


def test_uninitialised_data_dir_says_how_to_fix(shop, tmp_path):
    r = shop.run("--data-dir", str(tmp_path / "elsewhere"), "order", "list")
    assert r.exit_code == 3 and "init" in r.stderr


def test_damaged_record_error_names_file_and_line(shop):
    shop.order("A1")
    shop.order("A2", shop.customer(name="B", email="b@example.pl"))
    path = shop.data / "orders" / "A1.toml"
    path.write_text(path.read_text().replace('status = "new"', 'status = new'))
    r = shop.run("order", "show", "A1")
    assert r.exit_code == 3 and f"{path}:" in r.stderr and "not valid TOML" in r.stderr
    line = int(r.stderr.split(f"{path}:")[1].split(":")[0])
    assert path.read_text().splitlines()[line - 1].startswith("status")
    assert shop.ok("order", "show", "A2").exit_code == 0
    r = shop.run("order", "list", "--json")
    assert r.exit_code == 0 and [o["number"] for o in r.json()] == ["A2"] and "damaged" in r.stderr
    r = shop.run("doctor")
    assert r.exit_code == 3 and "A1.toml" in r.stdout


def test_traceback_flag_shows_the_stack(shop):
    r = shop.run("--traceback", "order", "show", "NOPE")
    assert r.exit_code == 4 and "Traceback" in r.stderr
    assert "Traceback" not in shop.run("order", "show", "NOPE").stderr
