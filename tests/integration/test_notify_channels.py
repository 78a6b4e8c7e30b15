"""Email through a real SMTP server (aiosmtpd) and SMS through the real smsapi-client against a
local server that answers like SMSAPI: what arrives, byte for byte where it matters."""

import pytest

pytestmark = pytest.mark.integration


def _confirm(shop, number="A1", **customer):
    cid = shop.customer(**customer)
    shop.order(number, cid, "--promised", "2026-11-27", "--delivery-method", "InPost", "--delivery-cost", "0")
    shop.ok("order", "confirm", number)
    return cid


def test_email_arrives_as_a_proper_mime_message(real_shop, smtp):
    _confirm(real_shop, name="Łukasz Wiśniewski", email="lukasz@example.pl")
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 1, r
    assert len(smtp.received) == 1
    rec = smtp.received[0]
    assert rec.mail_from == "shop@shop.example" and rec.rcpt_tos == ["lukasz@example.pl"]
    raw = rec.data
    assert b"\r\n\r\n" in raw or b"\n\n" in raw
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    # Non-ASCII names travel RFC 2047-encoded, never raw 8-bit in headers.
    assert b"=?utf-8?" in head.lower() and "Łukasz".encode() not in head
    m = rec.message
    assert str(m["To"]) == "Łukasz Wiśniewski <lukasz@example.pl>"
    assert str(m["From"]) == "Test Shop <shop@shop.example>"
    assert m["Auto-Submitted"] == "auto-generated" and m["X-Auto-Response-Suppress"] == "All"
    assert m["Message-ID"].startswith("<shopcare.") and m["Message-ID"].endswith("@shop.example>")
    assert m["Date"] and m["Content-Language"] == "en"
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    assert "Friday, 27 November 2026" in m.get_content()


def test_starttls_and_login_with_password_from_env(shop, cert, tmp_path):
    from servers import SmtpServer

    server = SmtpServer(tls=cert, auth=("shop@shop.example", "s3cret-pw")).start()
    try:
        shop.add_config(server.config(username="shop@shop.example", password_env="TEST_SMTP_PW", ca_file=str(cert[0])))
        shop.env["TEST_SMTP_PW"] = "s3cret-pw"
        _confirm(shop)
        assert shop.ok("outbox", "send", "--json").json()["sent"] == 1
        assert len(server.received) == 1
        # A wrong password is an outage of the channel, not a lost message; the secret is never shown.
        shop.env["TEST_SMTP_PW"] = "wrong"
        shop.order("A2", shop.customer(name="B", email="b@example.pl"))
        shop.ok("order", "confirm", "A2")
        r = shop.ok("outbox", "send", "--json")
        assert r.json()["sent"] == 0 and "email" in r.json()["down"]
        assert "wrong" not in r.stdout + r.stderr and "s3cret" not in r.stdout + r.stderr
        assert len(shop.ok("outbox", "list", "--state", "new", "--json").json()) == 1
    finally:
        server.stop()


def test_sms_through_smsapi_client_with_idempotency_id(real_shop, smsapi):
    _confirm(real_shop, name="Anna", email="anna@example.pl", phone="+48 600 000 000", channel="sms")
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 1
    form = smsapi.received[0]
    assert form["to"] == "48600000000" and form["from"] == "Lipowa" and form["check_idx"] == "1"
    assert form["format"] == "json" and form["encoding"] == "utf-8" and len(form["idx"]) == 24
    assert "27/11/2026" in form["message"]
    assert smsapi.headers[0]["Authorization"] == "Bearer test-token-123"
    msg = real_shop.ok("outbox", "list", "--json").json()[0]
    assert msg["state"] == "sent" and msg["id"] == form["idx"]


def test_resend_of_an_accepted_sms_is_refused_by_the_gateway(real_shop, smsapi, ctx):
    """The duplicate window closed by idx: a message sent, then (after a crash) sent again."""
    import asyncio

    from shopcare.channels.sms_smsapi import SmsapiChannel
    from shopcare.notify.message import OutboxMessage

    ch = SmsapiChannel(smsapi.token, smsapi.base_url)
    m = OutboxMessage(key="k", kind="order_confirmed", channel="sms", to="+48600000000", lang="en",
                      created="2026-11-23T10:00:00+01:00", next_try="2026-11-23T10:00:00+01:00", body="hello")
    first = asyncio.run(ch.send(m))
    again = asyncio.run(ch.send(m))
    assert first and again == f"idx:{m.id}" and len(smsapi.received) == 1


@pytest.mark.parametrize("code, outcome", [(13, "failed"), (11, "failed"), (57, "failed"), (103, "down"), (101, "down"),
                                           (14, "down"), (201, "retried"), (203, "retried"), (8, "retried")])
def test_smsapi_error_codes_map_to_permanent_temporary_or_down(real_shop, smsapi, code, outcome):
    if code in (101, 103, 14):
        smsapi.error = code
    elif code in (201, 203, 8):
        smsapi.error = code
    else:
        smsapi.number_errors["48600000000"] = code
    _confirm(real_shop, name="Anna", email="anna@example.pl", phone="+48 600 000 000", channel="sms")
    r = real_shop.ok("outbox", "send", "--json").json()
    key = {"failed": "failed", "down": "waiting_for_channel", "retried": "retried"}[outcome]
    assert r[key] >= 1, r
    states = {m["kind"]: m for m in real_shop.ok("outbox", "list", "--json").json()}
    msg = states["order_confirmed"]
    if outcome == "failed":
        assert msg["state"] == "failed" and f"error {code}" in msg["failed_reason"]
    else:
        assert msg["state"] == "new" and msg["attempts"] == (1 if outcome == "retried" else 0)
    if outcome in ("failed", "down"):
        alerts = [m for m in states.values() if m["kind"] == "staff_alert"]
        # Staff are told once; when SMS itself is down, by email instead of their usual SMS.
        assert len(alerts) == 1 and alerts[0]["channel"] == ("email" if outcome == "down" else "sms"), states


def test_http_5xx_is_an_outage_told_once_then_everything_goes(real_shop, smsapi, smtp):
    smsapi.http_status = 503
    for i in range(3):
        _confirm(real_shop, f"A{i}", name=f"C{i}", email=f"c{i}@example.pl", phone=f"+48 600 000 00{i}", channel="sms")
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 1 and "sms" in r["down"]  # the staff alert went by email
    assert len(smtp.received) == 1 and "SMS" in str(smtp.received[0].message["Subject"])
    assert len(smsapi.headers) == 1  # one probe, not one request per message
    for minute in range(1, 6):
        real_shop.ok("outbox", "send", now=f"2026-11-23T10:{minute:02d}:00+01:00")
    assert len(smtp.received) == 1  # told once per outage
    smsapi.http_status = None
    r = real_shop.ok("outbox", "send", "--json", now="2026-11-23T11:30:00+01:00").json()
    assert r["sent"] == 3 and len(smsapi.received) == 3
    assert {m["state"] for m in real_shop.ok("outbox", "list", "--json").json()} == {"sent"}


def test_smtp_refusals_temporary_and_permanent(real_shop, smtp):
    smtp.refuse_rcpt["gone@example.pl"] = "550 5.1.1 No such user"
    smtp.refuse_rcpt["busy@example.pl"] = "452 4.2.2 Mailbox full, try later"
    _confirm(real_shop, "A1", name="Gone", email="gone@example.pl")
    _confirm(real_shop, "A2", name="Busy", email="busy@example.pl")
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["failed"] == 1 and r["retried"] == 1
    by = {m["to"]: m for m in real_shop.ok("outbox", "list", "--json").json()}
    assert by["gone@example.pl"]["state"] == "failed" and "550" in by["gone@example.pl"]["failed_reason"]
    assert by["busy@example.pl"]["state"] == "new" and by["busy@example.pl"]["attempts"] == 1
    # Staff are told about the failed one (by SMS, their channel).
    assert any(m["kind"] == "staff_alert" and m["channel"] == "sms" for m in by.values())
    smtp.refuse_rcpt.clear()
    r = real_shop.ok("outbox", "send", "--json", now="2026-11-23T10:05:00+01:00").json()
    assert r["sent"] >= 1 and any(rc.rcpt_tos == ["busy@example.pl"] for rc in smtp.received)


def test_smtp_server_down_then_back(real_shop, smtp):
    _confirm(real_shop)
    smtp.stop()
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["sent"] == 1 and "email" in r["down"]  # the one sent is the staff SMS alert
    smtp.start()
    r = real_shop.ok("outbox", "send", "--json", now="2026-11-23T10:30:00+01:00").json()
    assert r["sent"] == 1 and len(smtp.received) == 1


def test_421_during_data_is_retried_not_lost(real_shop, smtp):
    _confirm(real_shop)
    smtp.data_reply = "421 4.3.0 Service shutting down, try again"
    r = real_shop.ok("outbox", "send", "--json").json()
    assert r["sent"] in (0, 1) and not smtp.received
    smtp.data_reply = None
    real_shop.ok("outbox", "send", now="2026-11-23T10:30:00+01:00")
    assert len([r for r in smtp.received if r.rcpt_tos == ["anna@example.pl"]]) == 1
