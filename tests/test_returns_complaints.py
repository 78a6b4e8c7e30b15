"""Returns, complaints, promises and phone work, with their legal dates."""

import pytest

STAFF = '[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n'


def delivered(shop, number="A1", *, country=None, channel=None, at="2026-11-25 14:00", **cust):
    args = dict(cust)
    if country:
        args["country"] = country
    if channel:
        args["channel"] = channel
    cid = shop.customer(email=f"{number.lower()}@example.pl", **args)
    shop.order(number, cid, "--paid")
    shop.ok("order", "confirm", number)
    shop.ok("delivery", "add", number, "--carrier", "DPD", "--tracking", f"T{number}")
    shop.ok("delivery", "update", number, "--status", "delivered", "--at", at)
    return cid


def test_return_inside_the_window_and_its_refund(shop):
    delivered(shop)
    rid = shop.ok("return", "open", "A1", "--items", "MUG:1", "--reason", "too small", "--at", "2026-12-01 10:00").stdout.strip()
    r = shop.ok("return", "show", rid, "--json").json()
    # Delivered 25 Nov: 14 days end 9 Dec. Refund 14 days from the notice on 1 Dec: 15 Dec.
    assert r["window_closes"] == "2026-12-09" and r["refund_due"] == "2026-12-15" and not r.get("goodwill")
    shop.ok("return", "approve", rid)
    shop.ok("return", "receive", rid)
    shop.ok("return", "refund", rid, "--amount", "49.50")
    o = shop.ok("order", "show", "A1", "--json").json()
    assert o["payment"]["state"] == "partially_refunded"
    kinds = [m["kind"] for m in shop.ok("outbox", "list", "--json").json()]
    assert {"return_received", "return_approved", "refund_issued"} <= set(kinds)
    assert shop.run("return", "approve", rid).exit_code == 1  # refunded is final


def test_return_after_the_window_is_refused_with_the_date_unless_forced(shop):
    delivered(shop)
    r = shop.run("return", "open", "A1", "--items", "MUG:1", "--at", "2026-12-10 09:00")
    assert r.exit_code == 1 and "closed on 2026-12-09" in r.stderr
    rid = shop.ok("return", "open", "A1", "--items", "MUG:1", "--at", "2026-12-10 09:00", "--force").stdout.strip()
    assert shop.ok("return", "show", rid, "--json").json()["goodwill"] is True


def test_russian_customer_has_7_days_and_uninformed_ones_get_longer(shop):
    delivered(shop, "R1", country="RU", lang="ru")
    r = shop.run("return", "open", "R1", "--items", "x", "--at", "2026-12-03 09:00")
    assert r.exit_code == 1 and "closed on 2026-12-02" in r.stderr
    # Never told of their rights (no channel): the window runs 12 months longer (PL).
    delivered(shop, "N1", channel="none")
    rid = shop.ok("return", "open", "N1", "--items", "x", "--at", "2027-06-01 09:00").stdout.strip()
    assert shop.ok("return", "show", rid, "--json").json()["window_closes"] == "2027-12-09"


def test_returns_list_due_and_deadline_warnings(shop):
    shop.add_config(STAFF)
    delivered(shop)
    rid = shop.ok("return", "open", "A1", "--items", "x", "--at", "2026-12-01 10:00").stdout.strip()
    rows = shop.ok("return", "list", "--due", "--json").json()
    assert [r["id"] for r in rows] == [rid] and rows[0]["overdue"] is False
    r = shop.ok("deadlines", "check", "--json", now="2026-12-14T15:00:00+01:00").json()
    assert [f["what"] for f in r] == ["refund_due"]
    assert shop.ok("deadlines", "check", "--json", now="2026-12-14T15:05:00+01:00").json() == []
    r = shop.ok("deadlines", "check", "--json", now="2026-12-16T09:00:00+01:00").json()
    assert [f["what"] for f in r] == ["refund_overdue"]
    assert shop.ok("return", "list", "--due", "--json", now="2026-12-16T09:00:00+01:00").json()[0]["overdue"] is True


@pytest.mark.parametrize("country, kind, due, silence", [
    ("PL", "goods", "2026-12-14", True), ("PL", "service", "2026-12-30", False),
    ("LT", "goods", "2026-12-14", False), ("RU", "goods", "2026-12-10", False)])
def test_complaint_answer_dates_per_country(shop, country, kind, due, silence):
    delivered(shop, country=country)
    out = shop.ok("complaint", "open", "A1", "--text", "The handle broke off", "--kind", kind,
                  "--at", "2026-11-30 10:00", "--json").json()
    assert out["due"] == due and out["silence_accepts"] is silence
    kinds = [m["kind"] for m in shop.ok("outbox", "list", "--json").json()]
    assert "complaint_received" in kinds


def test_complaint_after_the_guarantee_is_refused_and_answers_are_sent(shop):
    shop.add_config(STAFF)
    delivered(shop, at="2024-11-01 10:00")
    r = shop.run("complaint", "open", "A1", "--text", "broken", "--at", "2026-11-30 10:00")
    assert r.exit_code == 1 and "ran out on 2026-11-01" in r.stderr
    delivered(shop, "A2")
    kid = shop.ok("complaint", "open", "A2", "--text", "broken", "--at", "2026-11-30 10:00").stdout.strip()
    r = shop.ok("deadlines", "check", "--json", now="2026-12-14T14:00:00+01:00").json()
    assert [f["what"] for f in r] == ["complaint_due"]
    shop.ok("complaint", "answer", kid, "--decision", "replace", "--text", "A new mug is on its way.")
    kinds = [m["kind"] for m in shop.ok("outbox", "list", "--json").json()]
    assert "complaint_answer" in kinds
    assert shop.ok("complaint", "list", "--open", "--json").json() == []
    assert shop.run("complaint", "answer", kid, "--decision", "maybe", "--text", "x").exit_code == 2


def test_promises_and_phone_work(shop):
    shop.add_config(STAFF)
    cid = shop.customer(phone="+48 600 000 000")
    shop.order("A1", cid, "--phone-confirm")
    pid = shop.ok("promise", "add", cid, "--what", "Call back about the colour", "--due", "2026-11-24", "--call").stdout.strip()
    pid2 = shop.ok("promise", "add", "A1", "--what", "Free gift wrap", "--due", "2026-11-27").stdout.strip()
    calls = shop.ok("calls", "list", "--json").json()
    assert [(c["what"], c["ref"]) for c in calls] == [("confirm order", "A1"), ("call back", pid)]
    assert calls[0]["phone"] == "+48600000000"
    shop.ok("order", "confirm", "A1", "--by", "phone")
    shop.ok("promise", "keep", pid)
    assert shop.ok("calls", "list", "--json").json() == []
    assert [p["id"] for p in shop.ok("promise", "list", "--open", "--json").json()] == [pid2]
    r = shop.ok("deadlines", "check", "--json", now="2026-11-26T16:00:00+01:00").json()
    assert [f["what"] for f in r] == ["promise_due"]
    assert shop.run("promise", "keep", pid).exit_code == 1
    assert shop.run("promise", "add", "NOPE", "--what", "x").exit_code == 4


def test_payment_reminders_follow_the_schedule_and_stop(shop):
    cid = shop.customer()
    shop.ok("order", "create", "T1", "--customer", cid, "--item", "X:1:10", "--currency", "PLN", "--payment", "transfer",
            now="2026-11-23T10:00:00+01:00")
    shop.ok("order", "create", "P1", "--customer", cid, "--item", "X:1:10", "--currency", "PLN", "--payment", "card",
            now="2026-11-23T10:00:00+01:00")
    assert shop.ok("deadlines", "check", "--json", now="2026-11-24T10:00:00+01:00").json() == []
    r = shop.ok("deadlines", "check", "--json", now="2026-11-25T10:00:00+01:00").json()
    assert [(f["what"], f["record"]) for f in r] == [("payment_reminder", "order/T1")]
    assert shop.ok("deadlines", "check", "--json", now="2026-11-25T11:00:00+01:00").json() == []
    # 5 business days after Monday 23 Nov is Monday 30 Nov (the weekend does not count).
    assert shop.ok("deadlines", "check", "--json", now="2026-11-29T12:00:00+01:00").json() == []
    assert len(shop.ok("deadlines", "check", "--json", now="2026-11-30T10:00:00+01:00").json()) == 1
    assert shop.ok("deadlines", "check", "--json", now="2026-12-30T10:00:00+01:00").json() == []
    kinds = [m["kind"] for m in shop.ok("outbox", "list", "--json").json()]
    assert kinds.count("payment_reminder") == 2
