"""The inbound pipeline on the Maildir source: every real customer email acknowledged once,
in their language and threaded to it; every robot recorded and skipped with its rule."""

import re
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from helpers import DATA

MAIL = DATA / "mail"
INDEX = (MAIL / "INDEX.md").read_text()
STAFF = '[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n'


def allowed_rules(name: str) -> set[str]:
    row = next(l for l in INDEX.splitlines() if f"`{name}`" in l)
    return set(re.findall(r"`(\w+)`", row)) - {name.removesuffix(".eml")}


def expected_human(name: str) -> tuple[str, str]:
    row = next(l for l in INDEX.splitlines() if f"`{name}`" in l)
    cells = [c.strip() for c in row.split("|")]
    return cells[5], cells[6].strip("`- ")


@pytest.fixture
def inbox(shop):
    shop.add_config('[mailbox]\nsource = "maildir"\n')
    path = shop.data / "inbox"
    shop.ok("mailbox", "poll", "--once")  # first start: nothing there yet
    return path


def deliver(inbox: Path, *files: Path) -> None:
    (inbox / "new").mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, inbox / "new" / f.name)


def sent_mails(shop):
    new = shop.data / "sent-mail" / "new"
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(new.iterdir())] if new.exists() else []


def test_every_robot_is_skipped_with_its_rule_every_person_acknowledged(shop, inbox):
    for number in ("1001", "2026/11/0042", "1073", "A1001", "1041", "1052"):
        shop.order(number, shop.customer(name=f"C {number}", email=f"c{number.replace('/', '')}@example.pl"))
    deliver(inbox, *sorted((MAIL / "robots").glob("*.eml")), *sorted((MAIL / "humans").glob("*.eml")))
    report = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert report["outcomes"]["acknowledged"] + report["outcomes"].get("skipped", 0) == 45
    rows = {r["subject"]: r for r in shop.ok("inquiry", "list", "--all", "--json").json()}
    assert len(rows) == 45
    by_source = {}
    for q in shop.ok("inquiry", "list", "--all", "--json").json():
        full = shop.ok("inquiry", "show", q["id"], "--json").json()
        by_source[full["source"].rsplit(":", 1)[-1]] = full
    for f in (MAIL / "robots").glob("*.eml"):
        q = by_source[f.name]
        assert q["status"] == "skipped", f.name
        assert q["skip_rule"] in allowed_rules(f.name), (f.name, q["skip_rule"])
    for f in (MAIL / "humans").glob("*.eml"):
        q = by_source[f.name]
        lang, order = expected_human(f.name)
        if q["status"] == "skipped":
            assert q["skip_rule"] == "grace" and "reply_to_ack" in f.name, f.name  # a second mail in one thread
            continue
        assert q["status"] == "acknowledged", f.name
        assert q["language"] == lang, (f.name, q["language"])
        if order in ("1001", "2026/11/0042", "1073", "A1001", "1041", "1052") and "reply_to_ack" not in f.name:
            assert q.get("order") == order, (f.name, q.get("order"))
    shop.ok("outbox", "send")
    acks = sent_mails(shop)
    assert len(acks) == sum(1 for q in by_source.values() if q["status"] == "acknowledged")
    for m in acks:
        assert m["Auto-Submitted"] == "auto-replied"
        assert m["In-Reply-To"] and m["References"] and str(m["Subject"]).startswith("Re: ")
        assert "Re: Re:" not in str(m["Subject"]) and "Odp:" not in str(m["Subject"])
        body = m.get_content()
        assert re.search(r"\d{1,2}:\d{2}", body), "the answer time is a time, never 'soon'"


def test_auto_submitted_no_is_a_person(shop, inbox):
    deliver(inbox, MAIL / "humans" / "en_auto_submitted_no_order_1099.eml")
    assert shop.ok("mailbox", "poll", "--once", "--json").json()["outcomes"] == {"acknowledged": 1}


def test_mail_already_there_on_the_first_start_is_not_acknowledged_backfill_records_it(shop):
    shop.add_config('[mailbox]\nsource = "maildir"\n')
    deliver(shop.data / "inbox", MAIL / "humans" / "en_iphone_mail_multipart_alternative_order_1064.eml")
    r = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert r["first_start"] and r["already_there"] == 1 and r["outcomes"] == {}
    assert shop.ok("inquiry", "list", "--json").json() == []
    assert shop.ok("mailbox", "poll", "--once", "--json").json()["outcomes"] == {}
    # A second shop on the same mail, with --backfill: recorded as open inquiries, no acks.
    other = shop.root / "other"
    shop.ok("--data-dir", str(other), "init")
    shop.add_config(f'[mailbox]\npath = "{shop.data / "inbox"}"\n')
    r = shop.ok("--data-dir", str(other), "mailbox", "poll", "--once", "--backfill", "30", "--json",
                now="2026-11-23T10:00:00+01:00").json()
    rows = shop.ok("--data-dir", str(other), "inquiry", "list", "--json").json()
    assert r["first_start"] and len(rows) == 1 and rows[0]["status"] == "open" and "backfill" in rows[0]["flags"]
    assert shop.ok("--data-dir", str(other), "outbox", "list", "--json").json() == []


def test_the_same_mail_twice_is_recorded_and_acknowledged_once(shop, inbox):
    f = MAIL / "humans" / "pl_outlook_windows1250_qp_order_1001.eml"
    deliver(inbox, f)
    shop.ok("mailbox", "poll", "--once")
    shutil.copy(f, inbox / "new" / "copy-of-the-same-mail")
    assert shop.ok("mailbox", "poll", "--once", "--json").json()["outcomes"] == {"duplicate": 1}
    assert len(shop.ok("inquiry", "list", "--json").json()) == 1
    assert len(shop.ok("outbox", "list", "--json").json()) == 1


def test_loop_guard_caps_acks_per_sender_per_day_whatever_the_headers(shop, inbox):
    shop.add_config('[inquiries]\nmax_acks_per_sender_per_day = 3\n')
    raw = (MAIL / "humans" / "en_auto_submitted_no_order_1099.eml").read_bytes()
    (inbox / "new").mkdir(exist_ok=True)
    for i in range(6):
        mail = raw.replace(b"Message-ID: <", f"Message-ID: <n{i}-".encode(), 1).replace(b"Subject: ", f"Subject: [{i}] ".encode(), 1)
        (inbox / "new" / f"m{i}").write_bytes(mail)
    r = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert r["outcomes"] == {"acknowledged": 3, "skipped": 3} and r["skipped_by_rule"] == {"loop_guard": 3}


def test_unreadable_mail_is_quarantined_and_staff_told(shop, inbox):
    shop.add_config(STAFF)
    (inbox / "new").mkdir(exist_ok=True)
    (inbox / "new" / "garbage").write_bytes(b"\x00\x01\x02 this is not an email at all " * 10)
    (inbox / "new" / "empty").write_bytes(b"")
    r = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert r["outcomes"] == {"quarantined": 2}
    rows = shop.ok("inquiry", "list", "--all", "--json").json()
    assert all(q["skip_rule"] == "unreadable" and "quarantined" in q["flags"] for q in rows)
    assert len(list((shop.data / "quarantine").glob("*.eml"))) == 2
    assert [m["kind"] for m in shop.ok("outbox", "list", "--json").json()] == ["staff_alert", "staff_alert"]


def test_a_mail_too_big_is_recorded_from_its_headers_flagged_and_acknowledged(shop, inbox):
    shop.add_config('[mailbox]\nmax_message_bytes = 2000\n' + STAFF)
    raw = (MAIL / "humans" / "pl_complaint_pdf_attachment_thunderbird.eml").read_bytes()
    assert len(raw) > 2000
    deliver(inbox, MAIL / "humans" / "pl_complaint_pdf_attachment_thunderbird.eml")
    shop.ok("mailbox", "poll", "--once")
    q = shop.ok("inquiry", "list", "--json").json()[0]
    assert q["status"] == "acknowledged" and "large" in q["flags"]
    assert sorted(m["kind"] for m in shop.ok("outbox", "list", "--json").json()) == ["inquiry_ack", "staff_alert"]


def test_our_own_mail_coming_back_is_never_answered(shop, inbox):
    deliver(inbox, MAIL / "humans" / "en_auto_submitted_no_order_1099.eml")
    shop.ok("mailbox", "poll", "--once")
    shop.ok("outbox", "send")
    ack = next((shop.data / "sent-mail" / "new").iterdir())
    shutil.copy(ack, inbox / "new" / "our-ack-came-back")  # e.g. the shop BCCs itself
    r = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert r["skipped_by_rule"] == {"own_message": 1}


def test_reply_to_our_ack_is_threaded_to_the_first_mail(shop, inbox):
    cid = shop.customer(email="jonas@example.lt", lang="lt")
    shop.order("A1001", cid)
    deliver(inbox, MAIL / "humans" / "lt_thunderbird60_iso8859_13_uzsakymas_A1001.eml")
    shop.ok("mailbox", "poll", "--once")
    shop.ok("outbox", "send")
    ack = message_from_bytes(next((shop.data / "sent-mail" / "new").iterdir()).read_bytes(), policy=policy.default)
    reply = (f"From: Ruta <ruta.zemaitiene@inbox-lt.example>\r\nTo: shop@shop.example\r\nSubject: Re: Užsakymas\r\n"
             f"Message-ID: <r2@inbox-lt.example>\r\nIn-Reply-To: {ack['Message-ID']}\r\nReferences: {ack['References']} {ack['Message-ID']}\r\n"
             "Date: Mon, 23 Nov 2026 10:30:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAčiū, laukiu.\r\n")
    (inbox / "new" / "reply").write_bytes(reply.encode())
    shop.ok("mailbox", "poll", "--once", now="2026-11-24T10:00:00+01:00")
    rows = shop.ok("inquiry", "list", "--all", "--json").json()
    assert rows[-1]["order"] == "A1001"
    # Within the grace period of the same conversation: recorded, not acknowledged again.
    assert rows[-1]["status"] in ("acknowledged", "skipped")


def test_escalation_once_before_due_and_overdue_listing(shop, inbox):
    shop.add_config(STAFF)
    deliver(inbox, MAIL / "humans" / "en_iphone_mail_multipart_alternative_order_1064.eml")
    shop.ok("mailbox", "poll", "--once")
    q = shop.ok("inquiry", "list", "--json").json()[0]
    due = q["due"]
    assert shop.ok("deadlines", "check", "--json", now="2026-11-23T09:05:00+01:00").json() == []
    from datetime import datetime, timedelta

    before = (datetime.fromisoformat(due) - timedelta(minutes=20)).isoformat()
    r = shop.ok("deadlines", "check", "--json", now=before).json()
    assert [f["what"] for f in r] == ["inquiry_due"]
    assert shop.ok("deadlines", "check", "--json", now=before).json() == []
    after = (datetime.fromisoformat(due) + timedelta(minutes=5)).isoformat()
    assert [x["id"] for x in shop.ok("inquiry", "list", "--overdue", "--json", now=after).json()] == [q["id"]]
    shop.ok("inquiry", "assign", q["id"], "--to", "Kasia")
    shop.ok("inquiry", "answer", q["id"])
    assert shop.ok("inquiry", "list", "--overdue", "--json", now=after).json() == []
    assert shop.ok("inquiry", "show", q["id"], "--json").json()["assigned_to"] == "Kasia"


def test_a_staff_reply_in_the_sent_folder_marks_it_answered(shop, inbox):
    shop.add_config('[mailbox]\nsent_folder = ".Sent"\n')
    sent = inbox / ".Sent"
    for sub in ("new", "cur", "tmp"):
        (sent / sub).mkdir(parents=True, exist_ok=True)
    shop.ok("mailbox", "poll", "--once")  # first start of the Sent folder
    f = MAIL / "humans" / "pl_outlook_windows1250_qp_order_1001.eml"
    deliver(inbox, f)
    shop.ok("mailbox", "poll", "--once")
    mid = re.search(rb"Message-ID: (<[^>]+>)", f.read_bytes(), re.I).group(1).decode()
    (sent / "new" / "staff-reply").write_bytes(
        f"From: shop@shop.example\nTo: jan.kowalski@interia.example\nSubject: Re: x\nIn-Reply-To: {mid}\nReferences: {mid}\n\nWysyłamy jutro.\n".encode())
    r = shop.ok("mailbox", "poll", "--once", "--json").json()
    assert len(r["answered"]) == 1
    q = shop.ok("inquiry", "show", r["answered"][0], "--json").json()
    assert q["status"] == "answered" and "Sent" in q["answered_by"]


@pytest.mark.parametrize("header, name, addr", [
    ("Jan Kowalski <Jan.Kowalski@Example.PL>", "Jan Kowalski", "jan.kowalski@example.pl"),
    ('"Kowalski, Jan" <jan@example.pl>', "Kowalski, Jan", "jan@example.pl"),
    ("jan@example.pl (Jan)", "Jan", "jan@example.pl"),
    # A display name with specials nobody quoted: the closing angle-addr is the address.
    ("x@y> Ola <ola@example.pl>", "x@y> Ola", "ola@example.pl"),
    ("Ona <ona@žemaitė.lt>", "Ona", "ona@xn--emait-b0a92e.lt"),
    # Nothing a reply could be sent to without SMTPUTF8, or nothing at all.
    ("Иван <иван@почта.рф>", "Иван", ""),
    ("undisclosed-recipients:;", "", ""),
    ("<a b@example.pl>", "", ""),
])
def test_sender_addresses_as_real_mail_writes_them(header, name, addr):
    from shopcare.mailbox.parse import _address

    assert _address(header) == (name, addr)


def test_an_unusable_recipient_fails_that_message_for_good():
    from shopcare.errors import PermanentChannelError
    from shopcare.notify.mime import rcpt_address

    assert rcpt_address("jan@żółw.pl") == "jan@xn--w-uga1v8h.pl"
    for bad in ("иван@почта.рф", "a\r\nBcc: x@evil.example", "no-at-sign"):
        with pytest.raises(PermanentChannelError):
            rcpt_address(bad)


def test_pruning_old_acknowledgements_uses_an_index(tmp_path):
    """add_ack prunes acks older than three days on every call; a full-table scan there made
    each mail cost O(acks kept) (7.7 ms per mail at 100,000)."""
    from datetime import datetime, timedelta, timezone

    from shopcare.mailbox.state import MailboxState

    st = MailboxState(tmp_path / "mailbox.sqlite3")
    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    st.add_ack("old@example.pl", "t1", now - timedelta(days=5))
    st.add_ack("new@example.pl", "t2", now)
    plan = " ".join(r[-1] for r in st.db.execute("EXPLAIN QUERY PLAN DELETE FROM acks WHERE at < ?", ("x",)))
    assert "USING INDEX acks_at" in plan or "USING COVERING INDEX acks_at" in plan, plan
    assert st.acks_since("old@example.pl", now - timedelta(days=10)) == 0  # pruned
    assert st.acked_recently("new@example.pl", "t2", now - timedelta(hours=1))
    st.close()
