"""8 CLI processes x 500 updates on the same orders while the daemon runs: no lost update,
conflicts refused with exit 1, the journal consistent with the records."""

import collections
import json
import subprocess
import sys
import textwrap

import pytest

from daemonproc import DaemonProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKER = textwrap.dedent("""
    import json, sys
    from typer.testing import CliRunner
    from shopcare.cli import app
    config, data, worker, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    runner = CliRunner()
    base = ["--config", config, "--data-dir", data]
    done = {"ok": 0, "refused": 0, "other": 0, "notes": []}
    for j in range(n):
        order = f"A{j % 4}"
        if j % 5 == 4:
            # A script that read the order earlier and insists on that version: usually stale.
            r = runner.invoke(app, [*base, "order", "note", order, f"w{worker}-{j}", "--if-version", "2"])
        else:
            r = runner.invoke(app, [*base, "order", "note", order, f"w{worker}-{j}"])
        if r.exit_code == 0:
            done["ok"] += 1
            done["notes"].append(f"{order}:w{worker}-{j}")
        elif r.exit_code == 1 and "changed by someone else" in r.stderr:
            done["refused"] += 1
        else:
            done["other"] += 1
            print(r.exit_code, r.stderr, file=sys.stderr)
    print(json.dumps(done))
""")


def test_eight_cli_processes_and_the_daemon(shop):
    shop.add_config('[mailbox]\nsource = "maildir"\n[deadlines]\ncheck_interval = "1s"\n')
    cid = shop.customer()
    for k in range(4):
        shop.order(f"A{k}", cid, "--promised", "2026-11-24", "--payment", "transfer")
    daemon = DaemonProcess(shop.config, shop.data).start()
    try:
        procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(shop.config), str(shop.data), str(w), "500"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(8)]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=900)
            assert p.returncode == 0, err[-2000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        daemon.stop()
    assert sum(r["other"] for r in results) == 0
    ok = sum(r["ok"] for r in results)
    refused = sum(r["refused"] for r in results)
    assert ok + refused == 8 * 500 and refused > 0
    expected = collections.Counter(n.split(":")[0] for r in results for n in r["notes"])
    for k in range(4):
        order = shop.ok("order", "show", f"A{k}", "--json").json()
        texts = {n["text"] for n in order["notes"]}
        mine = {n.split(":", 1)[1] for r in results for n in r["notes"] if n.startswith(f"A{k}:")}
        assert mine <= texts, "a successful update was lost"
        assert len([t for t in texts if t.startswith("w")]) == expected[f"A{k}"]
        history = shop.ok("order", "history", f"A{k}", "--json").json()
        versions = [h["version"] for h in history]
        assert versions == list(range(1, len(versions) + 1)) and versions[-1] == order["version"]
