"""Deliveries through the CLI: each change tells the customer what they care about, once."""


import pytest

STAFF = '[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n'


@pytest.fixture
def sold(shop):
    """A confirmed order with a promised date, and staff to alert."""
    shop.add_config(STAFF + '[loyalty]\ndiscount = "10%"\n')
    cid = shop.customer(requirements="Leave at the neighbour's, no. 5")
    shop.order("A1001", cid, "--promised", "2026-11-26", "--delivery-method", "InPost", "--delivery-cost", "0", "--paid")
    shop.ok("order", "confirm", "A1001")
    return shop


def kinds(shop, state=None):
    args = ["outbox", "list", "--json"] + (["--state", state] if state else [])
    return [m["kind"] for m in shop.ok(*args).json()]


def test_the_life_of_a_parcel(sold):
    shop = sold
    r = shop.ok("delivery", "add", "A1001", "--carrier", "InPost", "--tracking", "620111222333444555666777",
                "--eta", "2026-11-25", "--json").json()
    assert r["id"] == "A1001-1" and r["status"] == "in_transit" and r["promised"] == "2026-11-26"
    assert r["tracking_url"] == "https://inpost.pl/sledzenie-przesylek?number=620111222333444555666777"
    assert shop.ok("order", "show", "A1001", "--json").json()["status"] == "shipped"
    assert kinds(shop).count("order_shipped") == 1
    shop.ok("delivery", "update", "A1001", "--status", "out_for_delivery", now="2026-11-25T08:00:00+01:00")
    shop.ok("delivery", "update", "A1001", "--status", "out_for_delivery", now="2026-11-25T08:05:00+01:00")
    assert kinds(shop).count("out_for_delivery") == 1
    shop.ok("delivery", "update", "A1001", "--status", "delivered", "--at", "2026-11-25 14:00", now="2026-11-25T15:00:00+01:00")
    order = shop.ok("order", "show", "A1001", "--json").json()
    assert order["status"] == "delivered" and order["delivered_at"].startswith("2026-11-25T14:00:00")
    delivered = [m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "delivered"]
    assert len(delivered) == 1
    body = shop.ok("outbox", "show", delivered[0]["id"], "--json").json()["body"]
    # 14 days from 25 Nov is 9 Dec (a Wednesday); the 2-year guarantee; the loyalty code.
    assert "Wednesday, 9 December 2026" in body and "Saturday, 25 November 2028" in body and "THANKS-A1001" in body
    promises = shop.ok("promise", "list", "--json").json()
    assert [(p["kind"], p["code"], p["due"]) for p in promises] == [("loyalty", "THANKS-A1001", "2027-02-23")]
    history = shop.ok("delivery", "show", "A1001", "--json").json()["events"]
    assert [e["status"] for e in history] == ["in_transit", "out_for_delivery", "delivered"]


def test_a_slipped_date_tells_the_customer_once_and_staff_once(sold):
    shop = sold
    shop.ok("delivery", "add", "A1001", "--carrier", "DPD", "--tracking", "13845000123456")
    shop.ok("delivery", "update", "A1001", "--eta", "2026-11-28", "--note", "sorting centre backlog")
    shop.ok("delivery", "update", "A1001", "--eta", "2026-11-28")
    shop.ok("delivery", "update", "A1001", "--status", "in_transit", "--eta", "2026-11-28")
    assert kinds(shop).count("delivery_delayed") == 1
    alerts = [m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "staff_alert"]
    assert len(alerts) == 1
    msg = [m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "delivery_delayed"][0]
    assert "Saturday, 28 November 2026" in shop.ok("outbox", "show", msg["id"], "--json").json()["body"]
    listed = shop.ok("delivery", "list", "--late", "--json").json()
    assert [d["order"] for d in listed] == ["A1001"] and listed[0]["late"]


@pytest.mark.slow
def test_deadlines_every_minute_for_a_day_sends_exactly_one_delay(sold):
    """The seed of issue 5: a delivery that slips triggers exactly one "delayed" message and one
    staff alert, with `deadlines check` run every minute for a day."""
    from datetime import datetime, timedelta

    shop = sold
    shop.ok("delivery", "add", "A1001", "--carrier", "InPost", "--tracking", "620000000000000000000001")
    start = datetime.fromisoformat("2026-11-26T12:00:00+01:00")  # the promised day
    for minute in range(0, 24 * 60):
        now = (start + timedelta(minutes=minute)).isoformat()
        shop.ok("deadlines", "check", now=now)
    kinds_now = kinds(shop)
    assert kinds_now.count("delivery_delayed") == 1 and kinds_now.count("staff_alert") == 1
    body = shop.ok("outbox", "show", [m["id"] for m in shop.ok("outbox", "list", "--json").json()
                                      if m["kind"] == "delivery_delayed"][0], "--json").json()["body"]
    assert "Friday, 27 November 2026" in body  # they will hear the new date by the next business day
    # The carrier then gives a date: that is news, told once more.
    shop.ok("delivery", "update", "A1001", "--eta", "2026-11-30", now="2026-11-27T13:00:00+01:00")
    shop.ok("deadlines", "check", now="2026-11-27T13:01:00+01:00")
    assert kinds(shop).count("delivery_delayed") == 2


def test_an_unshipped_promised_order_warns_staff_then_tells_the_customer(sold):
    shop = sold
    r = shop.ok("deadlines", "check", "--json", now="2026-11-25T16:30:00+01:00").json()
    assert [f["what"] for f in r] == ["order_at_risk"]
    assert shop.ok("deadlines", "check", "--json", now="2026-11-25T16:45:00+01:00").json() == []
    r = shop.ok("deadlines", "check", "--json", now="2026-11-27T09:00:00+01:00").json()
    assert [f["what"] for f in r] == ["order_late"]
    assert kinds(shop).count("delivery_delayed") == 1
    assert shop.ok("deadlines", "check", "--json", now="2026-11-27T09:01:00+01:00").json() == []


def test_shipping_a_new_order_or_an_unknown_status_is_refused(shop):
    cid = shop.customer()
    shop.order("A1", cid)
    r = shop.run("delivery", "add", "A1", "--carrier", "DPD", "--tracking", "1")
    assert r.exit_code == 1 and "confirm it first" in r.stderr
    shop.ok("order", "confirm", "A1")
    shop.ok("delivery", "add", "A1", "--carrier", "DPD", "--tracking", "1")
    assert shop.run("delivery", "update", "A1", "--status", "teleported").exit_code == 2
    shop.ok("delivery", "update", "A1", "--status", "delivered")
    r = shop.run("delivery", "update", "A1", "--status", "in_transit")
    assert r.exit_code == 1 and "final" in r.stderr


def test_problems_and_pickup_points(sold):
    shop = sold
    shop.ok("delivery", "add", "A1001", "--carrier", "InPost", "--tracking", "620000000000000000000009")
    shop.ok("delivery", "update", "A1001", "--status", "attempt_failed", "--note", "nobody home", "--eta", "2026-11-26")
    shop.ok("delivery", "update", "A1001", "--status", "available_for_pickup", "--pickup-point", "KRA01M, ul. Długa 5",
            "--pickup-until", "2026-11-28")
    shop.ok("delivery", "update", "A1001", "--status", "exception", "--note", "parcel damaged")
    k = kinds(shop)
    assert k.count("attempt_failed") == 1 and k.count("available_for_pickup") == 1 and k.count("staff_alert") == 1
