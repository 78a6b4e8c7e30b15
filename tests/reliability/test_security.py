"""Secrets never reach logs, records, JSON or `daemon status`; credential files readable by
others are warned about; nothing from a mail or the command line leaves the data directory."""

import time
from pathlib import Path

import pytest

from daemonproc import DaemonProcess
from servers import SmsapiServer

pytestmark = pytest.mark.integration

SECRETS = {"imap": "Imap-S3cret-Value-91", "smtp": "Smtp-S3cret-Value-42", "sms": "Sms-T0ken-Value-77"}


def test_secrets_never_leak_anywhere(shop, imap, smtp, tmp_path):
    imap.users["shop"] = SECRETS["imap"]
    (imap.base / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in imap.users.items()))
    gw = SmsapiServer(token=SECRETS["sms"]).start()
    smtp_pw = tmp_path / "smtp-password"
    smtp_pw.write_text(SECRETS["smtp"])
    smtp_pw.chmod(0o600)
    try:
        shop.add_config(imap.config() + smtp.config(username="shop", password_file=str(smtp_pw)) + gw.config()
                        + '[daemon]\nheartbeat_interval = "0.2s"\nlog_level = "debug"\n')
        env = {"TEST_IMAP_PASSWORD": SECRETS["imap"], "TEST_SMSAPI_TOKEN": SECRETS["sms"]}
        shop.env.update(env)
        d = DaemonProcess(shop.config, shop.data, env=env).start()
        cid = shop.customer(phone="+48 600 000 000", channel="both")
        shop.order("A1", cid)
        shop.ok("order", "confirm", "A1", now=None)
        imap.append(b"From: Anna <anna@example.pl>\r\nTo: shop@shop.example\r\nSubject: Pytanie\r\n"
                    b"Message-ID: <sec1@example.pl>\r\n\r\nKiedy?\r\n")
        time.sleep(3)
        outputs = [shop.run("daemon", "status", "--json").stdout, shop.run("config", "show").stdout,
                   shop.run("outbox", "list", "--json").stdout, shop.run("inquiry", "list", "--all", "--json").stdout,
                   shop.run("doctor", "--json").stdout]
        d.stop()
        texts = outputs + [d.log.read_text()]
        for path in shop.data.rglob("*"):
            if path.is_file() and path.suffix not in (".key",):
                texts.append(path.read_bytes().decode("utf-8", "replace"))
        for name, secret in SECRETS.items():
            assert not any(secret in t for t in texts), f"the {name} secret leaked"
    finally:
        gw.stop()


def test_readable_credential_files_are_warned_about(shop, tmp_path):
    pw = tmp_path / "imap-password"
    pw.write_text("x")
    pw.chmod(0o644)
    shop.add_config(f'[mailbox]\npassword_file = "{pw}"\n')
    r = shop.run("config", "check")
    assert "readable by other users" in r.stderr and str(pw) in r.stderr
    pw.chmod(0o600)
    assert "readable by other users" not in shop.run("config", "check").stderr


@pytest.mark.parametrize("hostile", ["../../../outside", "/etc/passwd", "..", "a/../../b", "x\x00y"])
def test_ids_from_the_command_line_never_leave_the_data_dir(shop, hostile):
    before = set(Path(shop.root).parent.iterdir())
    for args in (["order", "show", hostile], ["customer", "show", hostile], ["order", "note", hostile, "x"],
                 ["return", "show", hostile], ["inquiry", "answer", hostile], ["outbox", "show", hostile],
                 ["delivery", "show", hostile], ["promise", "keep", hostile]):
        r = shop.run(*args)
        assert r.exit_code in (2, 4), (args, r.exit_code)
    assert set(Path(shop.root).parent.iterdir()) == before


def test_paths_from_mail_never_leave_the_data_dir(shop, tmp_path):
    shop.add_config('[mailbox]\nsource = "maildir"\n')
    shop.ok("mailbox", "poll", "--once")
    inbox = shop.data / "inbox" / "new"
    for i, mid in enumerate(["<../../../../tmp/evil@x>", "</etc/passwd>", "<a/../../b@c>"]):
        (inbox / f"m{i}").write_bytes(f"From: a@example.pl\r\nSubject: ../../etc\r\nMessage-ID: {mid}\r\n\r\nx\r\n".encode())
    (inbox / "garbage").write_bytes(b"\x00\x00 not mail")
    before = {p for p in tmp_path.parent.iterdir()}
    shop.ok("mailbox", "poll", "--once")
    assert {p for p in tmp_path.parent.iterdir()} == before
    for path in shop.data.rglob("*"):
        assert shop.data in path.resolve().parents or path.resolve() == shop.data
