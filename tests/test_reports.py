"""`shopcare report deliveries|returns|load`: exact counts and rates, --since, --json, --csv."""

import csv
import io
import os
import subprocess
import sys

import pytest

DELIVERY_KEYS = ["carrier", "delivered", "with_promise", "on_time", "late", "on_time_rate", "avg_days_late",
                 "open", "open_late"]


def _order(shop, cid, number, promised=None, now="2026-11-20T10:00:00+01:00"):
    extra = ["--promised", promised] if promised else []
    shop.ok("order", "create", number, "--customer", cid, "--item", "MUG:1:10", "--currency", "PLN", *extra, now=now)
    shop.ok("order", "confirm", number, now=now)


def _ship(shop, number, carrier, at, tracking=None):
    shop.ok("delivery", "add", number, "--carrier", carrier, "--tracking", tracking or f"T-{number}", "--at", at, now=at)


def _deliver(shop, number, at):
    shop.ok("delivery", "update", number, "--status", "delivered", "--at", at, now=at)


def _csv_rows(text):
    # (click's test runner turns CRLF into LF; the CRLF itself is checked through a real process)
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def deliveries(shop):
    """InPost: on the promised day, 2 days late, open and past the date; DPD: early, no promise,
    open with an ETA after the promise; GLS: before --since."""
    cid = shop.customer()
    _order(shop, cid, "A0", "2026-11-12", now="2026-11-09T10:00:00+01:00")
    _ship(shop, "A0", "GLS", "2026-11-10 10:00")
    _deliver(shop, "A0", "2026-11-14 10:00")
    for number, promised in (("A1", "2026-11-26"), ("A2", "2026-11-25"), ("A3", "2026-11-26"), ("A4", None),
                             ("A5", "2026-11-24"), ("A6", "2026-11-30")):
        _order(shop, cid, number, promised)
    _ship(shop, "A1", "InPost", "2026-11-23 09:00")
    _deliver(shop, "A1", "2026-11-26 23:30")  # on the promised day, late in the evening
    _ship(shop, "A2", "inpost", "2026-11-23 09:00")
    _deliver(shop, "A2", "2026-11-27 09:00")  # two days late
    _ship(shop, "A3", "DPD", "2026-11-23 09:00")
    _deliver(shop, "A3", "2026-11-25 12:00")
    _ship(shop, "A4", "DPD", "2026-11-23 09:00")
    _deliver(shop, "A4", "2026-11-24 12:00")  # delivered, but nothing was promised
    _ship(shop, "A5", "InPost", "2026-11-23 09:00")  # still travelling, promised for the 24th
    _ship(shop, "A6", "DPD", "2026-11-23 09:00")
    shop.ok("delivery", "update", "A6", "--eta", "2026-12-02", "--at", "2026-11-24 08:00", now="2026-11-24T08:00:00+01:00")
    return shop


NOW = "2026-11-28T12:00:00+01:00"


def test_deliveries_json_by_carrier(deliveries):
    data = deliveries.ok("report", "deliveries", "--json", now=NOW).json()
    assert set(data) == {"since", "today", "timezone", "carriers", "total"}
    assert data["since"] is None and data["today"] == "2026-11-28" and data["timezone"] == "Europe/Warsaw"
    rows = {r["carrier"]: r for r in data["carriers"]}
    assert [r["carrier"] for r in data["carriers"]] == ["DPD", "GLS", "InPost"]  # 'inpost' folded into InPost
    assert all(list(r) == DELIVERY_KEYS for r in [*data["carriers"], data["total"]])
    assert rows["InPost"] == {"carrier": "InPost", "delivered": 2, "with_promise": 2, "on_time": 1, "late": 1,
                              "on_time_rate": 0.5, "avg_days_late": 2.0, "open": 1, "open_late": 1}
    assert rows["DPD"] == {"carrier": "DPD", "delivered": 2, "with_promise": 1, "on_time": 1, "late": 0,
                           "on_time_rate": 1.0, "avg_days_late": None, "open": 1, "open_late": 1}
    assert rows["GLS"]["late"] == 1 and rows["GLS"]["avg_days_late"] == 2.0
    assert data["total"] == {"carrier": "TOTAL", "delivered": 5, "with_promise": 4, "on_time": 2, "late": 2,
                             "on_time_rate": 0.5, "avg_days_late": 2.0, "open": 2, "open_late": 2}


def test_deliveries_since_and_open_not_yet_late(deliveries):
    data = deliveries.ok("report", "deliveries", "--since", "2026-11-20", "--json", now=NOW).json()
    assert data["since"] == "2026-11-20T00:00:00+01:00"
    assert [r["carrier"] for r in data["carriers"]] == ["DPD", "InPost"]
    assert data["total"]["delivered"] == 4 and data["total"]["on_time_rate"] == 0.667
    # On the 23rd, A5 (promised the 24th) is not late yet; A6 is already expected after its promise.
    early = deliveries.ok("report", "deliveries", "--since", "2026-11-20", "--json", now="2026-11-23T18:00:00+01:00").json()
    rows = {r["carrier"]: r for r in early["carriers"]}
    assert rows["InPost"]["open_late"] == 0 and rows["DPD"]["open_late"] == 1
    empty = deliveries.ok("report", "deliveries", "--since", "2027-01-01", "--json", now=NOW).json()
    assert empty["carriers"] == [] and empty["total"]["delivered"] == 0 and empty["total"]["on_time_rate"] is None


def test_deliveries_csv_and_table(deliveries):
    rows = _csv_rows(deliveries.ok("report", "deliveries", "--csv", now=NOW).stdout)
    assert list(rows[0]) == DELIVERY_KEYS
    assert [r["carrier"] for r in rows] == ["DPD", "GLS", "InPost", "TOTAL"]
    assert rows[-1]["on_time_rate"] == "0.5" and rows[-1]["late"] == "2"
    assert rows[0]["avg_days_late"] == ""  # null is an empty field
    lines = deliveries.ok("report", "deliveries", now=NOW).stdout.splitlines()  # a pipe: tab-separated
    assert lines[-1].split("\t") == ["TOTAL", "5", "4", "2", "2", "50.0%", "2.0", "2", "2"]
    r = deliveries.run("report", "deliveries", "--json", "--csv", now=NOW)
    assert r.exit_code == 2 and "not both" in r.stderr  # the root's error path still works
    assert deliveries.run("report", "deliveries", "--since", "someday").exit_code == 2


@pytest.fixture
def returns(shop):
    cid = shop.customer()
    for n in ("B1", "B2", "B3", "B4"):
        _order(shop, cid, n, now="2026-10-30T10:00:00+01:00")
        _ship(shop, n, "InPost", "2026-10-31 10:00")
        _deliver(shop, n, "2026-11-02 12:00")

    def ret(number, reason, at, *extra):
        return shop.ok("return", "open", number, "--items", "MUG:1", "--reason", reason, "--at", at, *extra,
                       now=at.replace(" ", "T") + ":00+01:00").stdout.strip()

    def move(rid, *steps):
        for step, at in steps:
            shop.ok("return", step, rid, "--at", at, now=at.replace(" ", "T") + ":00+01:00")

    r1 = ret("B1", "Too small", "2026-11-05 10:00")
    move(r1, ("approve", "2026-11-05 12:00"), ("receive", "2026-11-08 12:00"), ("refund", "2026-11-10 12:00"))
    r2 = ret("B2", "too  SMALL ", "2026-11-05 11:00")
    move(r2, ("approve", "2026-11-06 12:00"), ("receive", "2026-11-20 12:00"), ("refund", "2026-12-01 12:00"))
    r3 = ret("B3", "Broken", "2026-12-10 10:00", "--force")  # after the window: goodwill
    shop.ok("return", "reject", r3, "--reason", "used", "--at", "2026-12-11 10:00", now="2026-12-11T10:00:00+01:00")
    return shop


def test_returns_json(returns):
    data = returns.ok("report", "returns", "--json", now="2026-12-15T12:00:00+01:00").json()
    assert set(data) == {"since", "today", "timezone", "total", "by_status", "refunds", "goodwill", "top_reasons",
                         "delivered_orders", "return_rate"}
    assert data["total"] == 3
    assert data["by_status"] == {"requested": 0, "approved": 0, "received": 0, "refunded": 2, "rejected": 1}
    # R1 refunded 5 days after notice (on time); R2 26 days after, past its refund deadline.
    assert data["refunds"] == {"refunded": 2, "on_time": 1, "late": 1, "on_time_rate": 0.5, "avg_days_to_refund": 15.5}
    assert data["goodwill"] == 1
    assert data["top_reasons"] == [{"reason": "Too small", "count": 2}, {"reason": "Broken", "count": 1}]
    assert data["delivered_orders"] == 4 and data["return_rate"] == 0.75


def test_returns_since_and_csv(returns):
    later = returns.ok("report", "returns", "--since", "2026-12-01", "--json", now="2026-12-15T12:00:00+01:00").json()
    assert later["total"] == 1 and later["by_status"]["rejected"] == 1 and later["goodwill"] == 1
    assert later["refunds"]["refunded"] == 0 and later["refunds"]["avg_days_to_refund"] is None
    assert later["delivered_orders"] == 0 and later["return_rate"] is None
    rows = _csv_rows(returns.ok("report", "returns", "--csv", now="2026-12-15T12:00:00+01:00").stdout)
    assert list(rows[0]) == ["section", "name", "value"]
    values = {(r["section"], r["name"]): r["value"] for r in rows}
    assert values[("returns", "total")] == "3" and values[("status", "refunded")] == "2"
    assert values[("refunds", "late")] == "1" and values[("refunds", "avg_days_to_refund")] == "15.5"
    assert values[("reason", "Too small")] == "2" and values[("share", "return_rate")] == "0.75"


def test_load_grid_in_local_time(shop):
    cid = shop.customer()
    for number, now in (("L1", "2026-11-23T10:00:00+01:00"),   # Monday 10:00 in Warsaw
                        ("L2", "2026-11-22T23:30:00+00:00"),   # UTC Sunday = Monday 00:30 in Warsaw
                        ("L3", "2026-11-29T20:15:00+01:00"),   # Sunday evening
                        ("L4", "2026-11-22T22:00:00+01:00")):  # Sunday before --since
        shop.ok("order", "create", number, "--customer", cid, "--item", "X:1:1", "--currency", "PLN", now=now)
    data = shop.ok("report", "load", "--json", now="2026-11-30T12:00:00+01:00").json()
    assert set(data) == {"since", "today", "timezone", "weekdays", "inquiries_tracked", "orders", "inquiries",
                         "totals", "busiest"}
    assert data["weekdays"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert len(data["orders"]) == 7 and all(len(day) == 24 for day in data["orders"] + data["inquiries"])
    assert data["orders"][0][10] == 1 and data["orders"][0][0] == 1
    assert data["orders"][6][20] == 1 and data["orders"][6][22] == 1
    assert data["totals"] == {"orders": 4, "inquiries": 0}
    assert data["busiest"][0] == {"weekday": "Mon", "hour": 0, "orders": 1, "inquiries": 0, "total": 1}
    since = shop.ok("report", "load", "--since", "2026-11-23", "--json", now="2026-11-30T12:00:00+01:00").json()
    assert since["totals"]["orders"] == 3 and since["orders"][6][22] == 0 and since["orders"][0][0] == 1

    rows = _csv_rows(shop.ok("report", "load", "--csv", now="2026-11-30T12:00:00+01:00").stdout)
    assert list(rows[0]) == ["weekday", "hour", "orders", "inquiries"] and len(rows) == 7 * 24
    assert [r for r in rows if r["orders"] != "0"] == [
        {"weekday": "Mon", "hour": "0", "orders": "1", "inquiries": "0"},
        {"weekday": "Mon", "hour": "10", "orders": "1", "inquiries": "0"},
        {"weekday": "Sun", "hour": "20", "orders": "1", "inquiries": "0"},
        {"weekday": "Sun", "hour": "22", "orders": "1", "inquiries": "0"},
    ]
    lines = shop.ok("report", "load", now="2026-11-30T12:00:00+01:00").stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert lines[0].split("\t") == ["Mon", "1/0", "0/0", "1/0", "0/0", "0/0", "0/0", "0/0", "2/0"]
    assert lines[6].split("\t") == ["Sun", "0/0", "0/0", "0/0", "0/0", "0/0", "1/0", "1/0", "2/0"]


def test_empty_shop_and_help(shop):
    for name in ("deliveries", "returns", "load"):
        help_text = shop.ok("report", name, "--help").stdout
        assert all(opt in help_text for opt in ("--since", "--json", "--csv"))
        assert shop.ok("report", name, "--json").json()["since"] is None
    assert shop.ok("report", "load", "--json").json()["totals"] == {"orders": 0, "inquiries": 0}
    assert shop.ok("report", "returns", "--json").json()["return_rate"] is None


def test_csv_is_rfc4180_in_a_real_process(shop):
    cid = shop.customer(name="Ona, \"Jonaitė\"", email="ona@example.lt")
    _order(shop, cid, "C1")
    _ship(shop, "C1", 'Venipak, "express"', "2026-11-20 12:00")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
    env.update({"SHOPCARE_NOW": shop.now, "SHOPCARE_ACTOR": "tester"})
    p = subprocess.run([sys.executable, "-m", "shopcare", "--config", str(shop.config), "--data-dir", str(shop.data),
                        "report", "deliveries", "--csv"], env=env, capture_output=True, check=True)
    out = p.stdout.decode("utf-8")
    assert out.startswith("carrier,delivered,") and out.count("\r\n") == 3 and out.count("\n") == 3
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[1][0] == 'Venipak, "express"' and rows[1][7] == "1" and rows[2][0] == "TOTAL"
