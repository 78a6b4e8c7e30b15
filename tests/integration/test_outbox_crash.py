"""SIGKILL `shopcare outbox send` at random moments while it drains 1,000 emails to a real SMTP
server: afterwards nothing is lost, and a message arrives twice only when the sender was killed
after the server accepted it and before it was moved to sent/ (the documented window)."""

import collections
import os
import random
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _fill(shop, n: int) -> list[str]:
    from shopcare.notify.message import OutboxMessage
    from shopcare.notify.outbox import Outbox

    ob = Outbox(shop.data / "outbox")
    ids = []
    for i in range(n):
        m = OutboxMessage(key=f"crash-test:{i}", kind="order_confirmed", channel="email", to=f"c{i}@example.pl",
                          lang="en", created=shop.now, next_try=shop.now, subject=f"Order {i}", body=f"Body {i}\n")
        assert ob.enqueue(m)
        ids.append(m.id)
    return ids


def test_sigkill_during_drain_loses_nothing_and_duplicates_only_in_the_window(shop, smtp):
    shop.add_config(smtp.config())
    shop.add_config('[notify]\ncustomer_hourly_limit = 1000\n')
    ids = _fill(shop, 1000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
    env.update(SHOPCARE_NOW=shop.now)
    cmd = [sys.executable, "-m", "shopcare", "--config", str(shop.config), "--data-dir", str(shop.data), "outbox", "send"]
    rng = random.Random(1234)
    kills = 0
    pending = lambda: len(os.listdir(shop.data / "outbox" / "new")) + len(os.listdir(shop.data / "outbox" / "cur"))
    for _ in range(200):
        if kills >= 36 or not pending():
            break
        before = len(smtp.received)
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill at a random moment once it is sending (start-up takes ~0.3 s).
        deadline = time.time() + 10
        while len(smtp.received) == before and p.poll() is None and time.time() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.25))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    received = collections.Counter(r.message["X-Shopcare-Message"] for r in smtp.received)
    lost = [i for i in ids if received[i] == 0]
    dups = {i: n - 1 for i, n in received.items() if n > 1}
    from shopcare.notify.outbox import Outbox

    ob = Outbox(shop.data / "outbox")
    assert ob.counts() == {"new": 0, "cur": 0, "sent": 1000, "failed": 0}
    assert lost == []
    # Every duplicate is a message whose claim was recovered after a kill, one kill at most each.
    for i in dups:
        assert ob.read("sent", i).recovered >= 1
    assert sum(dups.values()) <= kills
    print(f"\n1000 messages, {kills} SIGKILLs: 0 lost, {sum(dups.values())} duplicate(s) "
          f"({sum(1 for i in ids if ob.read('sent', i).recovered)} claims recovered)")
