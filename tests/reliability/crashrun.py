"""SIGKILL a real daemon at random moments while mail arrives over IMAP and the outbox drains to
SMTP; then count. Used by tests/reliability/test_crash.py (a few dozen kills) and by
benchmarks/bench_reliability.py (hundreds).

The counting is done from outside: Message-IDs appended to Dovecot, the In-Reply-To of every
message the SMTP server accepted, and the inquiry records read straight from their TOML files.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from daemonproc import DaemonProcess


@dataclass
class CrashResult:
    mails: int
    kills: int
    recorded_twice: dict[str, int] = field(default_factory=dict)   # Message-ID -> extra records
    not_recorded: list[str] = field(default_factory=list)
    never_acked: list[str] = field(default_factory=list)
    acked_twice: dict[str, int] = field(default_factory=dict)      # Message-ID -> extra acks
    recovered_claims: set[str] = field(default_factory=set)        # In-Reply-To of recovered claims
    dead: int = 0                                                  # messages given up on (failed/)

    @property
    def duplicates(self) -> int:
        return sum(self.acked_twice.values())

    @property
    def duplicates_outside_window(self) -> list[str]:
        """Second acknowledgements with no recovered claim behind them: a broken promise."""
        return [m for m in self.acked_twice if m not in self.recovered_claims]

    def summary(self) -> str:
        return (f"{self.mails} mails, {self.kills} SIGKILLs: {len(self.not_recorded)} not recorded, "
                f"{sum(self.recorded_twice.values())} recorded twice, {len(self.never_acked)} never acknowledged, "
                f"{self.duplicates} acknowledged twice ({len(self.duplicates_outside_window)} outside the "
                f"documented window), {len(self.recovered_claims)} claim(s) recovered, {self.dead} dead")


def _mail(tag: str, i: int) -> tuple[str, bytes]:
    mid = f"<crash.{tag}.{i}.{time.time_ns()}@example.pl>"
    return mid, (f"From: Klient {i} <k{i}.{tag}@example.pl>\r\nTo: shop@shop.example\r\nSubject: Pytanie {i}\r\n"
                 f"Message-ID: {mid}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n\r\nKiedy wysyłka?\r\n").encode()


def run(config: Path, data: Path, imap, smtp, env: dict, *, mails: int, kills: int, seed: int = 42,
        pause: tuple[float, float] = (0.2, 1.2), mail_gap: tuple[float, float] = (0.01, 0.08),
        settle: float = 120.0, progress=None) -> CrashResult:
    """Start the daemon, append `mails` mails at random gaps, and SIGKILL the daemon after a
    random pause (restarting it at once, without waiting for it to be ready) until `kills`
    kills are done and every mail is appended; then let the last daemon finish and count."""
    rng = random.Random(seed)
    daemon = DaemonProcess(config, data, env=env).start()  # the first start records where the mailbox stands
    appended: list[str] = []
    tag = f"{seed}.{time.time_ns()}"

    def writer():
        c = imap.client()
        for i in range(mails):
            mid, raw = _mail(tag, i)
            c.append("INBOX", raw)
            appended.append(mid)
            time.sleep(rng.uniform(*mail_gap))
        c.logout()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    done = 0
    killer = random.Random(seed + 1)
    try:
        while done < kills or t.is_alive():
            time.sleep(killer.uniform(*pause))
            if done < kills:
                daemon.kill()
                done += 1
                daemon = DaemonProcess(config, data, env=env).start(wait_ready=False)
                if progress and done % 25 == 0:
                    progress(done, len(appended))
    finally:
        t.join()
    try:
        daemon.wait_for(lambda b: b["loops"]["mailbox"]["state"] == "running", timeout=60)
        deadline = time.time() + settle
        while time.time() < deadline:
            if set(appended) <= _acks(smtp).keys():
                break
            time.sleep(0.3)
        time.sleep(1.0)
    finally:
        daemon.stop()
    return _count(data, appended, _acks(smtp), done)


def _acks(smtp) -> collections.Counter:
    return collections.Counter(message_from_bytes(r.data, policy=policy.compat32)["In-Reply-To"]
                               for r in list(smtp.received))


def _count(data: Path, appended: list[str], acks: collections.Counter, kills: int) -> CrashResult:
    recorded = collections.Counter()
    for path in (data / "inquiries").glob("*.toml"):
        with open(path, "rb") as f:
            recorded[tomllib.load(f).get("message_id", "")] += 1
    recovered, dead = set(), 0
    for state in ("sent", "failed"):
        for path in (data / "outbox" / state).glob("*.json"):
            msg = json.loads(path.read_text())
            if state == "failed":
                dead += 1
            elif msg.get("recovered"):
                recovered.add(msg.get("in_reply_to", ""))
    return CrashResult(
        mails=len(appended), kills=kills,
        recorded_twice={m: n - 1 for m, n in recorded.items() if n > 1 and m in set(appended)},
        not_recorded=[m for m in appended if recorded[m] == 0],
        never_acked=[m for m in appended if acks[m] == 0],
        acked_twice={m: n - 1 for m, n in acks.items() if n > 1},
        recovered_claims=recovered, dead=dead,
    )
