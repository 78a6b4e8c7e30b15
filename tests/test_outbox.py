"""The outbox: every message owed goes out once, on the customer's channel, in their language."""

import json
import signal
import subprocess
import sys
import textwrap


from shopcare.notify.message import OutboxMessage
from shopcare.notify.outbox import Outbox


def _sms_lines(shop):
    path = shop.data / "sms-sent.jsonl"
    return [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []


def _mails(shop):
    from email import message_from_bytes, policy

    new = shop.data / "sent-mail" / "new"
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(new.iterdir())] if new.exists() else []


def test_create_sends_nothing_unless_notify(shop):
    cid = shop.customer()
    shop.order("A1", cid)
    assert shop.ok("outbox", "list", "--json").json() == []
    shop.ok("order", "create", "A2", "--customer", cid, "--item", "X:1:5", "--currency", "PLN", "--notify")
    rows = shop.ok("outbox", "list", "--json").json()
    assert [(r["kind"], r["channel"], r["to"], r["state"]) for r in rows] == [("order_received", "email", "anna@example.pl", "new")]
    assert set(rows[0]) >= {"id", "state", "kind", "channel", "to", "attempts", "next_try"}


def test_confirm_on_both_channels_once(shop):
    cid = shop.customer(phone="+48 600 000 000", channel="both")
    shop.order("A1", cid, "--promised", "2026-11-27", "--delivery-method", "InPost", "--delivery-cost", "0")
    shop.ok("order", "confirm", "A1")
    shop.ok("order", "confirm", "A1")
    shop.ok("order", "confirm", "A1", "--by", "phone")
    rows = shop.ok("outbox", "list", "--json").json()
    assert sorted((r["kind"], r["channel"]) for r in rows) == [("order_confirmed", "email"), ("order_confirmed", "sms")]
    r = shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 2 and r["failed"] == 0
    assert shop.ok("outbox", "send", "--json").json()["sent"] == 0
    mails = _mails(shop)
    assert len(mails) == 1
    m = mails[0]
    assert m["To"] == "Anna Nowak <anna@example.pl>" and "A1" in m["Subject"] and "27 November 2026" in m["Subject"]
    assert m["Auto-Submitted"] == "auto-generated" and m["Message-ID"].startswith("<shopcare.")
    body = m.get_content()
    assert "Friday, 27 November 2026" in body and "free" in body and "InPost" in body
    sms = _sms_lines(shop)
    assert len(sms) == 1 and sms[0]["to"] == "+48600000000" and "27/11/2026" in sms[0]["text"]
    assert sms[0]["parts"] == 1 and sms[0]["encoding"] == "gsm7"
    assert {r["state"] for r in shop.ok("outbox", "list", "--json").json()} == {"sent"}


def test_channel_none_sends_nothing_and_sms_falls_back_to_email(shop):
    quiet = shop.customer(name="Quiet", email="q@example.pl", channel="none")
    shop.order("A1", quiet)
    shop.ok("order", "confirm", "A1")
    assert shop.ok("outbox", "list", "--json").json() == []
    shop.add_config('[sms]\nprovider = "none"\n')
    smsy = shop.customer(name="Smsy", email="s@example.pl", phone="+48 600 000 001", channel="sms")
    shop.order("A2", smsy)
    shop.ok("order", "confirm", "A2")
    assert [(r["channel"], r["to"]) for r in shop.ok("outbox", "list", "--json").json()] == [("email", "s@example.pl")]


def test_cancel_and_refund_tell_the_customer(shop):
    cid = shop.customer()
    shop.order("A1", cid, "--paid")
    shop.ok("order", "cancel", "A1", "--reason", "out of stock")
    shop.ok("order", "pay", "A1", "--state", "refunded")
    kinds = [r["kind"] for r in shop.ok("outbox", "list", "--json").json()]
    assert sorted(kinds) == ["order_cancelled", "refund_issued"]
    shop.ok("outbox", "send")
    bodies = [m.get_content() for m in _mails(shop)]
    assert any("out of stock" in b for b in bodies) and any("99.00" in b for b in bodies)


def test_header_injection_through_a_name_is_impossible(shop, ctx):
    cid = shop.customer(name="Anna")
    # A name that got past input checks (e.g. an old record edited by hand) still cannot inject.
    path = shop.data / "customers" / f"{cid}.toml"
    path.write_text(path.read_text().replace('name = "Anna"', 'name = "Anna\\r\\nBcc: victim@evil.example"'))
    shop.order("A1", cid)
    shop.ok("order", "confirm", "A1")
    shop.ok("outbox", "send")
    raw = next((shop.data / "sent-mail" / "new").iterdir()).read_bytes()
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw


def test_failed_message_goes_to_failed_staff_told_once_and_retry(shop):
    shop.add_config('[sms]\nmax_segments = 1\n[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n')
    cid = shop.customer(phone="+48 600 000 000", channel="sms")
    shop.order("A1", cid, "--delivery-method", "Kurier DPD z dostawą do drzwi, prosimy o kontakt telefoniczny przed")
    shop.ok("order", "confirm", "A1")
    r = shop.ok("outbox", "send", "--json").json()
    assert r["failed"] == 1
    failed = shop.ok("outbox", "list", "--state", "failed", "--json").json()
    assert len(failed) == 1 and "max_segments" in failed[0]["failed_reason"]
    alerts = [m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "staff_alert"]
    assert len(alerts) == 1 and alerts[0]["to"] == "kasia@shop.example"
    shop.ok("outbox", "send")
    assert len([m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "staff_alert"]) == 1
    shop.config.write_text(shop.config.read_text().replace("max_segments = 1", "max_segments = 5"))
    shop.ok("outbox", "retry", failed[0]["id"][:8])
    assert shop.ok("outbox", "send", "--json").json()["sent"] == 1
    assert shop.run("outbox", "retry", failed[0]["id"]).exit_code == 1


def test_quiet_hours_hold_sms_until_morning_never_drop(shop):
    cid = shop.customer(phone="+48 600 000 000", channel="both")
    shop.order("A1", cid)
    shop.ok("order", "confirm", "A1", now="2026-11-23T22:30:00+01:00")
    r = shop.ok("outbox", "send", "--json", now="2026-11-23T22:31:00+01:00").json()
    assert r["sent"] == 1 and r["held"] == 1
    held = shop.ok("outbox", "list", "--state", "new", "--json").json()
    assert held[0]["channel"] == "sms" and held[0]["hold_reason"] == "quiet hours"
    assert held[0]["next_try"].startswith("2026-11-24T08:00:00+01:00")
    assert shop.ok("outbox", "send", "--json", now="2026-11-24T07:59:00+01:00").json()["sent"] == 0
    assert shop.ok("outbox", "send", "--json", now="2026-11-24T08:00:30+01:00").json()["sent"] == 1


def test_daily_sms_cap_holds_and_tells_staff_once(shop):
    shop.add_config('[sms]\ndaily_cap = 2\n[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n')
    for i in range(4):
        cid = shop.customer(name=f"C{i}", email=f"c{i}@example.pl", phone=f"+48 600 000 00{i}", channel="sms")
        shop.order(f"A{i}", cid)
        shop.ok("order", "confirm", f"A{i}")
    r = shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 3 and r["held"] == 2  # 2 SMS + the staff alert email; 2 SMS held
    assert len(_sms_lines(shop)) == 2
    assert len([m for m in _mails(shop) if "cap" in m["Subject"]]) == 1
    assert shop.ok("outbox", "send", "--json").json()["sent"] == 0
    r = shop.ok("outbox", "send", "--json", now="2026-11-24T10:00:00+01:00").json()
    assert r["sent"] == 2 and len(_sms_lines(shop)) == 4


def test_customer_hourly_limit(shop):
    shop.add_config('[notify]\ncustomer_hourly_limit = 2\n')
    cid = shop.customer()
    for i in range(3):
        shop.order(f"A{i}", cid)
        shop.ok("order", "confirm", f"A{i}")
    r = shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 2 and r["held"] == 1
    assert shop.ok("outbox", "send", "--json", now="2026-11-23T11:00:01+01:00").json()["sent"] == 1


def test_marketing_needs_consent_service_never_does(shop, ctx):
    from shopcare.notify.views import sample_vars

    no = ctx.store.get("customer", shop.customer(name="No", email="no@example.pl"))
    yes_id = shop.ok("customer", "add", "--name", "Yes", "--email", "yes@example.pl", "--marketing-consent").stdout.strip()
    yes = ctx.store.get("customer", yes_id)
    n = ctx.notifier
    assert n.for_customer("loyalty_reminder", no, sample_vars(ctx, "loyalty_reminder", "en"), "promise/P1", "v1") == []
    assert len(n.for_customer("loyalty_reminder", yes, sample_vars(ctx, "loyalty_reminder", "en"), "promise/P1", "v1")) == 1
    assert len(n.for_customer("order_confirmed", no, sample_vars(ctx, "order_confirmed", "en"), "order/A1", "v2")) == 1


def test_purge_and_show(shop):
    cid = shop.customer()
    shop.order("A1", cid)
    shop.ok("order", "confirm", "A1")
    shop.ok("outbox", "send")
    msg = shop.ok("outbox", "list", "--json").json()[0]
    text = shop.ok("outbox", "show", msg["id"]).stdout
    assert "order_confirmed" in text and "sent (email)" in text
    assert shop.ok("outbox", "purge", "--sent-before", "2026-11-23").stdout.strip() == "0"
    assert shop.ok("outbox", "purge", "--sent-before", "2026-11-25").stdout.strip() == "1"
    assert shop.run("outbox", "show", msg["id"]).exit_code == 4


def _msg(i: int, now: str = "2026-11-23T10:00:00+01:00") -> OutboxMessage:
    return OutboxMessage(key=f"k{i}", kind="order_confirmed", channel="email", to=f"c{i}@example.pl", lang="en",
                         created=now, next_try=now, subject="s", body="b")


def test_enqueue_is_idempotent_across_states(tmp_path):
    ob = Outbox(tmp_path / "outbox")
    m = _msg(1)
    assert ob.enqueue(m) and not ob.enqueue(m)
    claim = ob.claim(m.id)
    assert not ob.enqueue(m)  # claimed (in cur/)
    assert ob.claim(m.id) is None  # cannot be claimed twice
    ob.release(claim, "sent")
    assert not ob.enqueue(m)  # already sent
    assert ob.counts() == {"new": 0, "cur": 0, "sent": 1, "failed": 0}


def test_a_live_claim_is_never_recovered_a_dead_one_is(tmp_path):
    ob = Outbox(tmp_path / "outbox")
    for i in range(2):
        ob.enqueue(_msg(i))
    live = ob.claim(_msg(0).id)
    assert ob.recover() == 0 and ob.counts()["cur"] == 1
    # A claim whose holder died: made by a child process that is then killed.
    code = textwrap.dedent(f"""
        import sys, time
        from shopcare.notify.outbox import Outbox
        ob = Outbox(sys.argv[1])
        assert ob.claim("{_msg(1).id}") is not None
        print("claimed", flush=True)
        time.sleep(60)
    """)
    p = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "outbox")], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "claimed"
    assert ob.recover() == 0  # still alive
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert ob.recover() == 1
    back = ob.read("new", _msg(1).id)
    assert back.recovered == 1 and back.attempts == 1 and "crash" in back.history[-1]
    ob.release(live, "sent")
