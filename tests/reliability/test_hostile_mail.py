"""Hostile mail never crashes or stalls anything: CPython's own email test corpus, generated
malformed MIME, and a 50 MB mail are each recorded (acknowledged or skipped) or quarantined
with a reason, memory stays bounded, and the daemon keeps answering the next customer."""

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcare.mailbox.pipeline import Pipeline


def cpython_email_corpus() -> list[Path]:
    """CPython's test/test_email/data/msg_*.txt, found from sys.prefix (scripts/test installs
    Debian's libpython3.11-testsuite when the interpreter lacks it)."""
    v = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    roots = [sysconfig.get_paths()["stdlib"], f"{sys.base_prefix}/lib/{v}", f"{sys.prefix}/lib/{v}", f"/usr/lib/{v}"]
    for root in roots:
        files = sorted(Path(root, "test", "test_email", "data").glob("msg_*.txt"))
        if files:
            return files
    pytest.fail("CPython's email test corpus is missing: apt-get install libpython3.11-testsuite")


@pytest.fixture
def pipeline(ctx):
    p = Pipeline(ctx)
    yield p
    p.close()


def _recorded(ctx, outcome) -> bool:
    if outcome.status == "duplicate":
        return True
    q = ctx.store.get("inquiry", outcome.inquiry)
    return q.status in ("acknowledged", "skipped", "open") and (q.status != "skipped" or q.skip_rule)


def test_every_message_of_cpythons_email_corpus(ctx, pipeline):
    files = cpython_email_corpus()
    assert len(files) >= 40
    outcomes = {}
    for f in files:
        o = pipeline.process(f.read_bytes(), source=f.name)
        outcomes[f.name] = o
        assert _recorded(ctx, o), f.name
    statuses = {o.status for o in outcomes.values()}
    assert statuses <= {"acknowledged", "skipped", "quarantined", "duplicate"}
    print(f"\n{len(files)} corpus mails: " + ", ".join(f"{s} {sum(o.status == s for o in outcomes.values())}" for s in sorted(statuses)))


def _header_value():
    return st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@st.composite
def malformed_mail(draw) -> bytes:
    charset = draw(st.sampled_from(["utf-8", "koi8-r", "windows-1250", "x-unknown", "unknown-8bit", "utf-16",
                                    "iso-2022-jp", "", "bogus\"charset", "utf-7"]))
    subject = draw(_header_value())
    name = draw(_header_value())
    body = draw(st.binary(max_size=3000))
    lines = [b"From: " + name.encode("utf-8", "surrogatepass")[:300] + b" <a@example.pl>",
             b"To: shop@shop.example",
             b"Subject: " + draw(st.sampled_from([subject.encode("utf-8"), b"=?" + charset.encode() + b"?B?" + body[:40] + b"?=",
                                                 b"x\r\nBcc: victim@evil.example", b"a" * 2000])),
             b"Message-ID: <" + draw(st.sampled_from([b"ok@x", b"../../etc/passwd", b"", b"\x00\x01", b"a" * 1200])) + b">"]
    kind = draw(st.sampled_from(["plain", "multipart", "broken-boundary", "nested", "nul"]))
    if kind == "plain":
        lines.append(b"Content-Type: text/plain; charset=" + charset.encode())
        payload = body
    elif kind == "multipart":
        lines.append(b'Content-Type: multipart/mixed; boundary="b1"')
        payload = b"--b1\r\nContent-Type: text/html; charset=" + charset.encode() + b"\r\n\r\n<p>" + body + b"</p>\r\n--b1--\r\n"
    elif kind == "broken-boundary":
        lines.append(b"Content-Type: multipart/alternative; boundary=")
        payload = b"--\r\n" + body + b"\r\n--zz"
    elif kind == "nested":
        depth = draw(st.integers(min_value=50, max_value=1000))
        lines.append(b'Content-Type: multipart/mixed; boundary="d0"')
        payload = b"".join(b'--d%d\r\nContent-Type: multipart/mixed; boundary="d%d"\r\n\r\n' % (i, i + 1) for i in range(depth))
        payload += b"--d%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n" % depth
    else:
        lines.append(b"Content-Type: text/plain")
        payload = b"\x00" * 100 + body + b"\x00"
    if draw(st.booleans()):
        lines.append(b"X-Long: " + b"y" * draw(st.integers(min_value=998, max_value=5000)))
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


@settings(max_examples=int(os.environ.get("SHOPCARE_HYPOTHESIS_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=malformed_mail())
def test_generated_malformed_mime_never_crashes(ctx, pipeline, raw):
    o = pipeline.process(raw, source="hypothesis")
    assert _recorded(ctx, o)
    if o.ack:
        _state, msg = ctx.outbox.find(o.ack)
        from shopcare.notify.mime import email_bytes

        head = email_bytes(msg, ctx.config).split(b"\r\n\r\n", 1)[0]
        assert b"\r\nBcc:" not in head, "a header injected through the mail"
    # Nothing it says can place a file outside the data directory.
    assert not (ctx.data_dir.parent / "etc").exists()


LARGE = """
import resource, sys
from pathlib import Path
from shopcare.context import make_context
from shopcare.services.mail import poll_once
ctx = make_context(sys.argv[1], sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = poll_once(ctx)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(dict(r.outcomes), (after - before) // 1024)
"""


def test_a_50_mb_mail_is_recorded_from_its_headers_with_bounded_memory(shop):
    shop.add_config('[mailbox]\nsource = "maildir"\n')
    shop.ok("mailbox", "poll", "--once")
    inbox = shop.data / "inbox" / "new"
    head = b"From: Anna <anna@example.pl>\r\nTo: shop@shop.example\r\nSubject: Zdjecia\r\nMessage-ID: <big@example.pl>\r\n" \
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n' \
           b"Content-Transfer-Encoding: base64\r\n\r\n"
    with open(inbox / "big", "wb") as f:
        f.write(head)
        line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n"
        for _ in range(50 * 1024 * 1024 // len(line)):
            f.write(line)
        f.write(b"--b--\r\n")
    assert (inbox / "big").stat().st_size >= 50 * 1024 * 1024
    r = subprocess.run([sys.executable, "-c", LARGE, str(shop.config), str(shop.data)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    outcomes, grew_mib = r.stdout.strip().rsplit(" ", 1)
    assert "acknowledged" in outcomes and int(grew_mib) < 40, r.stdout
    q = shop.ok("inquiry", "list", "--json").json()[0]
    assert "large" in q["flags"]


def test_the_daemon_keeps_answering_after_hostile_mail(shop):
    from daemonproc import DaemonProcess

    shop.add_config('[mailbox]\nsource = "maildir"\n[daemon]\nheartbeat_interval = "0.2s"\n')
    daemon = DaemonProcess(shop.config, shop.data).start()
    try:
        inbox = shop.data / "inbox" / "new"
        hostile = [b"", b"\x00" * 1000, b"Subject: x\r\n" + b"Content-Type: multipart/mixed; boundary=a\r\n\r\n" + b"--a\r\n" * 5000]
        hostile += [f.read_bytes() for f in cpython_email_corpus()[:20]]
        for i, raw in enumerate(hostile):
            (inbox / f"h{i}").write_bytes(raw)
        (inbox / "z-person").write_bytes(b"From: Jan <jan@example.pl>\r\nTo: shop@shop.example\r\nSubject: Pytanie\r\n"
                                         b"Message-ID: <person@example.pl>\r\n\r\nKiedy?\r\n")
        deadline = time.time() + 30
        while time.time() < deadline:
            sent = list((shop.data / "sent-mail" / "new").glob("*")) if (shop.data / "sent-mail" / "new").exists() else []
            if any(b"person@example.pl" in p.read_bytes() for p in sent):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the daemon stopped answering after hostile mail")
        assert daemon.proc.poll() is None
        beat = daemon.heartbeat()
        assert beat["loops"]["mailbox"]["errors"] == 0
    finally:
        daemon.stop()
