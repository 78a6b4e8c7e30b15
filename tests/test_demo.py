"""`shopcare demo` runs the whole loop with no server and leaves files a newcomer can open."""

import json
import subprocess
import sys


def test_demo_runs_end_to_end_and_shows_where_files_are(tmp_path):
    d = tmp_path / "demo"
    r = subprocess.run([sys.executable, "-m", "shopcare", "demo", "--dir", str(d)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "6 created" in out and "nothing changed" in out
    assert "KEY REQUIREMENTS" in out
    data = d / "data"
    assert len(list((data / "orders").glob("*.toml"))) == 6
    assert "delivery_delayed by sms to Anna Nowak" in out and "delivered by email to Jonas" in out
    assert "it finds 0 new thing(s)" in out
    from email import message_from_bytes, policy

    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (data / "sent-mail" / "new").iterdir()]
    subjects = sorted(str(m["Subject"]) for m in mails)
    assert any("1001" in s and "27 listopada 2026" in s for s in subjects)  # the delay, in Polish
    assert any("1002" in s and "pristatytas" in s for s in subjects)  # delivered, in Lithuanian
    sms = [json.loads(l) for l in (data / "sms-sent.jsonl").read_text().splitlines()]
    assert {s["to"] for s in sms} == {"+48601234567", "+48600100200"}  # Anna, and Kasia (staff)
    for path in (data / "orders", data / "sent-mail", data / "sms-sent.jsonl", d / "config.toml"):
        assert str(path) in out
    # The demo's config works for any command afterwards.
    r = subprocess.run([sys.executable, "-m", "shopcare", "--config", str(d / "config.toml"), "order", "list", "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 6


def test_demo_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").write_text("mine")
    r = subprocess.run([sys.executable, "-m", "shopcare", "demo", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "not empty" in r.stderr
    assert (tmp_path / "x").read_text() == "mine"
