"""The mystery shopper end to end: it mails the shop through a real MTA into a real Dovecot, the
daemon acknowledges, the acknowledgement lands in the probe's mailbox, and the probe checks it."""

import pytest

from daemonproc import DaemonProcess
from dovecot import Dovecot
from servers import MtaServer

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shop, tmp_path):
    dovecot = Dovecot(tmp_path / "dovecot").setup().start()
    mta = MtaServer(dovecot, {"shop@shop.example": "shop", "tajemniczy@probe.example": "probe"}).start()
    shop.add_config(dovecot.config())
    shop.add_config(mta.config())
    shop.add_config('[daemon]\nheartbeat_interval = "0.2s"\n'
                    '[probe]\nfrom = "Tajemniczy Klient <tajemniczy@probe.example>"\nlanguage = "pl"\n'
                    f'imap_host = "127.0.0.1"\nimap_port = {dovecot.port}\nimap_security = "none"\n'
                    'imap_username = "probe"\nimap_password_env = "TEST_PROBE_PASSWORD"\nmax_ack_seconds = 15\n'
                    '[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\n')
    env = {"TEST_IMAP_PASSWORD": "shop-pass", "TEST_PROBE_PASSWORD": "probe-pass"}
    shop.env.update(env)
    daemon = DaemonProcess(shop.config, shop.data, env=env)
    yield shop, dovecot, mta, daemon
    daemon.stop()
    mta.stop()
    dovecot.stop()


def test_probe_passes_when_the_shop_answers_and_is_left_out_of_reports(world):
    shop, dovecot, mta, daemon = world
    daemon.start()
    r = shop.run("probe", "--json", now=None)
    assert r.exit_code == 0, r.stdout + r.stderr
    out = r.json()
    assert out["ok"] and 0 < out["seconds"] < 15
    assert set(out["checks"]) == {"arrived", "threaded", "language", "auto_submitted", "answer_time"}
    assert all(c["ok"] for c in out["checks"].values())
    # Recognised as a probe: acknowledged, but not a customer inquiry and never escalated.
    assert shop.ok("inquiry", "list", "--json", now=None).json() == []
    rows = shop.ok("inquiry", "list", "--all", "--json", now=None).json()
    assert len(rows) == 1 and rows[0]["probe"] and rows[0]["status"] == "acknowledged"
    sla = shop.ok("report", "sla", "--json", now=None).json()
    assert sla["probes"]["runs"] == 1 and sla["probes"]["ok"] == 1 and sla["inquiries"]["count"] == 0
    assert "inquiry_due" not in [f["what"] for f in shop.ok("deadlines", "check", "--json", now="2030-01-01T12:00:00+01:00").json()]
    # Hourly probes never meet the loop guard.
    for _ in range(2):
        assert shop.run("probe", now=None).exit_code == 0


def test_probe_fails_with_exit_1_when_no_answer_comes(world):
    shop, dovecot, mta, daemon = world
    shop.add_config('[probe]\nmax_ack_seconds = 2\n')
    r = shop.run("probe", "--json", now=None)
    assert r.exit_code == 1
    out = r.json()
    assert not out["ok"] and out["seconds"] is None and not out["checks"]["arrived"]["ok"]
    assert shop.ok("report", "sla", "--json", now=None).json()["probes"]["failures"][0]["failed"] == ["arrived"]


def test_a_forged_probe_header_gets_no_special_treatment(world):
    shop, dovecot, mta, daemon = world
    daemon.start()
    raw = (b"From: x@evil.example\r\nTo: shop@shop.example\r\nSubject: hi\r\nMessage-ID: <forged@evil.example>\r\n"
           b"X-Shopcare-Probe: 0123456789abcdef0123456789abcdef\r\n\r\nhello\r\n")
    dovecot.append(raw)
    daemon.wait_for(lambda b: True, timeout=2)
    import time

    deadline = time.time() + 10
    while time.time() < deadline and not shop.ok("inquiry", "list", "--all", "--json", now=None).json():
        time.sleep(0.2)
    rows = shop.ok("inquiry", "list", "--all", "--json", now=None).json()
    assert len(rows) == 1 and not rows[0]["probe"]
