"""The daemon against a real Dovecot (IMAP IDLE) and a real SMTP server (aiosmtpd): customer
mail is acknowledged threaded within seconds, robots never, and nothing is missed or repeated
across server restarts and a UIDVALIDITY change."""

import os
import shutil
import signal
import time
from email import message_from_bytes, policy

import pytest

from daemonproc import DaemonProcess
from helpers import DATA

pytestmark = pytest.mark.integration
MAIL = DATA / "mail"


def customer_mail(n: int, sender: str = "anna@example.pl", subject: str | None = None, extra: str = "") -> bytes:
    return (f"From: Anna Nowak <{sender}>\r\nTo: shop@shop.example\r\nSubject: {subject or f'Pytanie {n}'}\r\n"
            f"Message-ID: <m{n}.{time.time_ns()}@example.pl>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n{extra}"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDzień dobry, kiedy wysyłka?\r\n").encode()


@pytest.fixture
def daemon_shop(shop, imap, smtp):
    shop.add_config(imap.config(sent_folder="Sent"))
    shop.add_config(smtp.config())
    shop.add_config('[daemon]\nheartbeat_interval = "0.2s"\n')
    shop.env["TEST_IMAP_PASSWORD"] = "shop-pass"
    proc = DaemonProcess(shop.config, shop.data, env={"TEST_IMAP_PASSWORD": "shop-pass"})
    yield shop, imap, smtp, proc
    proc.stop()


def acks(smtp):
    return [r.message for r in smtp.received]


def wait_acks(smtp, n: int, timeout: float = 10.0):
    deadline = time.time() + timeout
    while time.time() < deadline and len(smtp.received) < n:
        time.sleep(0.02)
    return acks(smtp)


def test_mail_already_there_is_not_acked_new_mail_is_acked_threaded_in_seconds(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    imap.append(customer_mail(0))  # last month's mail: there before shopcare
    proc.start()
    raw = customer_mail(1)
    t = time.time()
    imap.append(raw)
    got = wait_acks(smtp, 1)
    elapsed = time.time() - t
    assert len(got) == 1 and elapsed < 5, elapsed
    m = got[0]
    original = message_from_bytes(raw, policy=policy.default)
    assert m["In-Reply-To"] == original["Message-ID"] and original["Message-ID"] in m["References"]
    assert m["Auto-Submitted"] == "auto-replied" and str(m["Subject"]) == "Re: Pytanie 1"
    assert m["Content-Language"] == "pl" and smtp.received[0].rcpt_tos == ["anna@example.pl"]
    time.sleep(1)
    assert len(smtp.received) == 1  # mail 0 never acknowledged
    rows = shop.ok("inquiry", "list", "--json").json()
    assert len(rows) == 1 and rows[0]["status"] == "acknowledged"


def test_robots_get_no_ack(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    for name in ("gmail_vacation_responder", "postfix_dsn_undelivered_mail", "mailman3_list_post",
                 "exchange2010_automatic_reply_no_auto_submitted", "courier_dpd_style_parcel_on_the_way"):
        imap.append((MAIL / "robots" / f"{name}.eml").read_bytes())
    imap.append(customer_mail(9))  # a person last: when it is acked, the robots were handled
    got = wait_acks(smtp, 1)
    time.sleep(0.5)
    assert len(smtp.received) == 1 and "Pytanie 9" in str(got[0]["Subject"])
    skipped = [r for r in shop.ok("inquiry", "list", "--all", "--json").json() if r["status"] == "skipped"]
    assert len(skipped) == 5


def test_server_restart_mid_idle_misses_nothing(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    imap.append(customer_mail(1, "a1@example.pl"))
    wait_acks(smtp, 1)
    imap.stop()
    # Mail delivered while the IMAP server is down (the MTA writes into the Maildir).
    new = imap.maildir("shop") / "new"
    (new / "1795000000.M1P1.test").write_bytes(customer_mail(2, "a2@example.pl"))
    os.system(f"chown -R nobody:nogroup {imap.maildir('shop')}")
    time.sleep(2)
    imap.start()
    got = wait_acks(smtp, 2, timeout=30)
    assert len(got) == 2 and {r.rcpt_tos[0] for r in smtp.received} == {"a1@example.pl", "a2@example.pl"}
    imap.append(customer_mail(3, "a3@example.pl"))
    assert len(wait_acks(smtp, 3, timeout=15)) == 3
    time.sleep(1)
    assert len(smtp.received) == 3  # nothing acknowledged twice
    beat = proc.heartbeat()
    assert beat["loops"]["mailbox"]["errors"] >= 1


def test_uidvalidity_change_skips_nothing_and_acks_nothing_twice(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    imap.append(customer_mail(1, "a1@example.pl"))
    imap.append(customer_mail(2, "a2@example.pl"))
    wait_acks(smtp, 2)
    proc.stop()
    imap.stop()
    box = imap.maildir("shop")
    for f in box.glob("dovecot*"):
        f.unlink() if f.is_file() else shutil.rmtree(f)
    (box / "new" / "1795000001.M2P2.test").write_bytes(customer_mail(3, "a3@example.pl"))
    os.system(f"chown -R nobody:nogroup {box}")
    imap.start()
    c = imap.client()
    assert c.select_folder("INBOX")[b"EXISTS"] == 3
    c.logout()
    proc.start()
    wait_acks(smtp, 3, timeout=15)
    time.sleep(1.5)
    assert len(smtp.received) == 3 and smtp.received[-1].rcpt_tos == ["a3@example.pl"]
    assert "UIDVALIDITY changed" in proc.log.read_text()


def test_a_reply_from_the_sent_folder_marks_the_inquiry_answered(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    raw = customer_mail(1)
    imap.append(raw)
    wait_acks(smtp, 1)
    mid = message_from_bytes(raw, policy=policy.default)["Message-ID"]
    reply = (f"From: shop@shop.example\r\nTo: anna@example.pl\r\nSubject: Re: Pytanie 1\r\nIn-Reply-To: {mid}\r\n"
             f"References: {mid}\r\nMessage-ID: <staff1@shop.example>\r\n\r\nWysyłka jutro.\r\n").encode()
    imap.append(reply, folder="Sent")
    deadline = time.time() + 15
    while time.time() < deadline:
        rows = shop.ok("inquiry", "list", "--json").json()
        if rows and rows[0]["status"] == "answered":
            break
        time.sleep(0.2)
    assert rows[0]["status"] == "answered"


def test_sigterm_stops_within_seconds_and_sighup_reloads(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    proc.signal(signal.SIGHUP)
    time.sleep(1.5)
    assert proc.proc.poll() is None
    proc.wait_for(lambda b: b["loops"]["mailbox"]["state"] == "running", timeout=15)
    imap.append(customer_mail(1))
    assert len(wait_acks(smtp, 1)) == 1
    assert "configuration reloaded" in proc.log.read_text()
    t = time.time()
    assert proc.stop() == 0 and time.time() - t < 5
    r = shop.run("daemon", "status")
    assert r.exit_code == 3 and "NOT RUNNING" in r.stdout


def test_status_reports_loops_queue_and_last_fetch(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    proc.start()
    r = shop.ok("daemon", "status", "--json").json()
    assert r["alive"] and r["mailbox"] == "imap" and r["last_fetch"]
    assert set(r["loops"]) == {"mailbox", "sender", "deadlines"} and "new" in r["outbox"]
    assert "shop-pass" not in (shop.data / "state" / "heartbeat.json").read_text()
    assert "shop-pass" not in proc.log.read_text()


def test_mail_over_max_message_bytes_is_fetched_as_headers_only_and_flagged(daemon_shop):
    shop, imap, smtp, proc = daemon_shop
    shop.add_config("[mailbox]\nmax_message_bytes = 20000\n")
    proc.start()
    big = customer_mail(7, subject="Zdjęcia uszkodzonej paczki").replace(
        b"\r\n\r\nDzie", b"\r\n\r\n" + b"SEKRET-TRESC " * 5000 + b"\r\nDzie")
    assert len(big) > 60000
    imap.append(big)
    imap.append(customer_mail(8))
    got = wait_acks(smtp, 2)
    assert len(got) == 2  # the big mail is acknowledged from its headers; the next one is not held up
    rows = {r["subject"]: r for r in shop.ok("inquiry", "list", "--all", "--json").json()}
    row = rows["Zdjęcia uszkodzonej paczki"]
    assert "large" in row["flags"] and row["status"] == "acknowledged"
    shown = shop.ok("inquiry", "show", row["id"], "--json").json()
    assert shown["size"] <= 20000 and "SEKRET-TRESC" not in (shown.get("excerpt") or "")
