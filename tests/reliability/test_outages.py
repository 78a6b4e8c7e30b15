"""Outages: SMTP, IMAP and the SMS gateway each down for a while, slow, or answering errors.
Nothing is lost, retries back off, and staff are told once per outage, not once per message."""

import time

import pytest

from daemonproc import DaemonProcess
from servers import SmsapiServer, SmtpServer

pytestmark = pytest.mark.integration

STAFF = '[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\nphone = "+48 600 100 200"\nchannel = "both"\n'


def confirm_many(shop, n: int, channel: str) -> None:
    for i in range(n):
        cid = shop.customer(name=f"C{i}", email=f"c{i}@example.pl", phone=f"+48 600 000 {i:03d}", channel=channel)
        shop.order(f"A{i}", cid)
        shop.ok("order", "confirm", f"A{i}")


def staff_alerts(shop) -> list[dict]:
    return [m for m in shop.ok("outbox", "list", "--json").json() if m["kind"] == "staff_alert"]


def test_slow_smtp_times_out_is_retried_and_told_once(shop):
    slow = SmtpServer().start()
    slow.delay = 3.0  # answers, but only after the client gave up
    try:
        shop.add_config(slow.config(timeout="1s") + STAFF + '[sms]\nprovider = "file"\n')
        confirm_many(shop, 5, "email")
        r = shop.ok("outbox", "send", "--json").json()
        assert r["sent"] <= 1 and "email" in r["down"]
        for minute in range(1, 4):
            shop.ok("outbox", "send", now=f"2026-11-23T10:0{minute}:00+01:00")
        alerts = staff_alerts(shop)
        assert len([a for a in alerts if a["channel"] == "sms"]) == 1  # once, by the other way
        waiting = [m for m in shop.ok("outbox", "list", "--state", "new", "--json").json() if m["kind"] == "order_confirmed"]
        assert len(waiting) == 5 and all(m["attempts"] == 0 for m in waiting)  # an outage uses up no tries
    finally:
        slow.stop()


def test_sms_gateway_down_slow_then_erroring_then_back(shop):
    gw = SmsapiServer().start()
    try:
        shop.add_config(gw.config() + STAFF)
        shop.add_config('[sms]\ntimeout = "1s"\n')
        shop.env["TEST_SMSAPI_TOKEN"] = gw.token
        confirm_many(shop, 4, "sms")
        gw.delay = 2.0  # slower than the client waits: a timeout
        r = shop.ok("outbox", "send", "--json").json()
        assert "sms" in r["down"] and r["waiting_for_channel"] >= 4
        gw.delay = 0
        gw.http_status = 502
        for minute in (5, 20, 40):
            shop.ok("outbox", "send", now=f"2026-11-23T10:{minute:02d}:00+01:00")
        assert len([a for a in staff_alerts(shop) if a["channel"] == "email"]) == 1
        gw.http_status = None
        r = shop.ok("outbox", "send", "--json", now="2026-11-23T12:00:00+01:00").json()
        assert r["sent"] >= 4 and not r["down"]
        assert len({f["idx"] for f in gw.received}) == len(gw.received) == 4  # nothing twice
        # A second outage is a second alert.
        gw.error = 103
        confirm_many(shop, 0, "sms")
        cid = shop.customer(name="Late", email="late@example.pl", phone="+48 600 000 999", channel="sms")
        shop.order("B1", cid)
        shop.ok("order", "confirm", "B1", now="2026-11-23T12:30:00+01:00")
        shop.ok("outbox", "send", now="2026-11-23T12:31:00+01:00")
        assert len([a for a in staff_alerts(shop) if a["channel"] == "email"]) == 2
    finally:
        gw.stop()


def test_imap_down_at_start_the_daemon_waits_and_catches_up(shop, imap, smtp):
    shop.add_config(imap.config() + smtp.config() + '[daemon]\nheartbeat_interval = "0.2s"\n')
    env = {"TEST_IMAP_PASSWORD": "shop-pass"}
    d = DaemonProcess(shop.config, shop.data, env=env).start()
    d.stop()
    imap.stop()
    d = DaemonProcess(shop.config, shop.data, env=env).start(wait_ready=False)
    try:
        d.wait_for(lambda b: b["loops"]["mailbox"]["errors"] >= 1, timeout=20)
        assert d.heartbeat()["loops"]["sender"]["state"] == "running"  # the other loops go on
        imap.start()
        imap.append(b"From: Anna <anna@example.pl>\r\nTo: shop@shop.example\r\nSubject: Pytanie\r\n"
                    b"Message-ID: <down1@example.pl>\r\n\r\nKiedy?\r\n")
        deadline = time.time() + 40
        while time.time() < deadline and not smtp.received:
            time.sleep(0.2)
        assert len(smtp.received) == 1
        assert "again in" in d.log.read_text()  # it backed off
    finally:
        d.stop()
