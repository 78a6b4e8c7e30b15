"""Issue 6 figures: acknowledgement latency (APPEND done -> acknowledgement accepted by SMTP) of
the shopcare daemon against the floor (a bare IDLE + fetch headers + reply script), on the same
Dovecot, same SMTP receiver, same run; and the daemon's memory over a long run of mail.

    python benchmarks/run.py latency      # 200 mails at 10/s, then a 1,000-mail burst
    python benchmarks/run.py mailsoak     # RSS over SHOPCARE_BENCH_SOAK mails (default 100,000) after a first burst
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from common import PY, figure, heading, pct, rss_mib, scratch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def _mail(tag: str, i: int) -> tuple[str, bytes]:
    mid = f"<{tag}.{i}.{time.time_ns()}@example.pl>"
    raw = (f"From: Klient {i} <klient{i}.{tag}@example.pl>\r\nTo: sklep@example.pl\r\nSubject: Pytanie {i}\r\n"
           f"Message-ID: {mid}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nDzień dobry, kiedy wysyłka mojego zamówienia?\r\n").encode()
    return mid, raw


def _append(dovecot, user: str, tag: str, n: int, rate: float | None) -> dict[str, float]:
    """APPEND n mails (at `rate` per second, or as fast as one connection goes); Message-ID ->
    the moment its APPEND completed."""
    c = dovecot.client(user)
    done: dict[str, float] = {}
    start = time.time()
    for i in range(n):
        if rate:
            wait = start + i / rate - time.time()
            if wait > 0:
                time.sleep(wait)
        mid, raw = _mail(tag, i)
        c.append("INBOX", raw)
        done[mid] = time.time()
    c.logout()
    return done


def _expunge(dovecot, user: str) -> None:
    """Empty the INBOX, as a shop's mail client moves mail out of it: Dovecot's APPEND and
    SELECT slow down as one folder passes tens of thousands of mails, which would measure
    Dovecot, not shopcare."""
    c = dovecot.client(user)
    c.select_folder("INBOX")
    if c.search(["ALL"]):
        c.delete_messages("1:*", silent=True)  # a range: a list of 100,000 UIDs is too long a command
        c.expunge()
    c.logout()


def _read_sink(path: Path) -> list[tuple[float, str]]:
    out = []
    for line in path.read_text().splitlines():
        t, _, irt = line.partition(" ")
        out.append((float(t), irt.strip()))
    return out


def _latencies(sink: Path, appended: dict[str, float], timeout: float) -> tuple[list[float], int, int]:
    """(latencies of the acknowledged, how many were never acknowledged, how many twice)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = [irt for _t, irt in _read_sink(sink) if irt in appended]
        if len(set(got)) >= len(appended):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    first: dict[str, float] = {}
    twice = 0
    for t, irt in _read_sink(sink):
        if irt in appended:
            if irt in first:
                twice += 1
            else:
                first[irt] = t
    lat = [first[m] - appended[m] for m in appended if m in first]
    return lat, len(appended) - len(first), twice


def _start(cmd: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL
    p = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE if not log else out,
                         stderr=out if log else subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return p


def _wait_line(p: subprocess.Popen, word: str) -> None:
    line = p.stdout.readline().decode()
    if word not in line:
        raise RuntimeError(f"expected {word!r}, got {line!r}")


def _shop(base: Path, dovecot, smtp_port: int) -> tuple[Path, Path]:
    cfg = base / "config.toml"
    cfg.write_text(
        '[shop]\nname = "Bench"\nemail = "sklep@example.pl"\ntimezone = "Europe/Warsaw"\ndefault_language = "pl"\n'
        f'[email]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        f'[mailbox]\nsource = "imap"\nhost = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\n'
        'username = "shop"\npassword_env = "BENCH_IMAP_PASSWORD"\n[daemon]\nheartbeat_interval = "1s"\n')
    data = base / "data"
    subprocess.run([PY, "-m", "shopcare", "--config", str(cfg), "--data-dir", str(data), "init"], check=True, capture_output=True)
    return cfg, data


def _report(label: str, lat: list[float], missing: int, twice: int, floor: list[float] | None = None, target: float | None = None) -> None:
    p50, p99 = pct(lat, 50), pct(lat, 99)
    text = f"p50 {p50:.3f} s, p99 {p99:.3f} s, max {max(lat) if lat else float('nan'):.3f} s; never acked {missing}, twice {twice}"
    if floor:
        ratio = p99 / pct(floor, 99)
        text += f"; p99 = {ratio:.2f}x floor" + (f" (target <= {target:g}x)" if target else "")
    figure(label, text)


def bench_latency(steady: int = 200, rate: float = 10.0, burst: int = 1000) -> None:
    from dovecot import Dovecot
    from servers import free_port
    from daemonproc import DaemonProcess

    heading(f"acknowledgement latency: APPEND done -> ack accepted by SMTP ({steady} at {rate:g}/s, then a {burst}-mail burst)")
    base = scratch("latency")
    dovecot = Dovecot(base / "dovecot", users={"shop": "shop-pass", "floor": "floor-pass"}).setup().start()
    smtp_port = free_port()
    sink_file = base / "sink.txt"
    sink = _start([PY, str(HERE / "smtp_sink.py"), str(smtp_port), str(sink_file)])
    _wait_line(sink, "ready")
    try:
        floor = _start([PY, str(HERE / "floor_acker.py"), str(dovecot.port), "floor", "floor-pass", str(smtp_port)])
        _wait_line(floor, "ready")
        f_steady = _latencies(sink_file, _append(dovecot, "floor", "fs", steady, rate), 60)
        f_burst = _latencies(sink_file, _append(dovecot, "floor", "fb", burst, None), 120)
        floor.terminate()
        floor.wait()
        _report("floor, steady", *f_steady)
        _report("floor, burst", *f_burst)

        cfg, data = _shop(base, dovecot, smtp_port)
        daemon = DaemonProcess(cfg, data, env={"BENCH_IMAP_PASSWORD": "shop-pass"}).start()
        try:
            s_steady = _latencies(sink_file, _append(dovecot, "shop", "ss", steady, rate), 60)
            s_burst = _latencies(sink_file, _append(dovecot, "shop", "sb", burst, None), 180)
            rss = rss_mib(daemon.proc.pid)
        finally:
            daemon.stop()
        _report("shopcare daemon, steady", *s_steady, floor=f_steady[0], target=2)
        _report("shopcare daemon, burst", *s_burst, floor=f_burst[0], target=3)
        figure("shopcare daemon RSS after the run", f"{rss:.1f} MiB (target < 80 MiB)")
    finally:
        sink.terminate()
        dovecot.stop()


def bench_soak(n: int | None = None) -> None:
    from dovecot import Dovecot
    from servers import free_port
    from daemonproc import DaemonProcess

    n = n or int(os.environ.get("SHOPCARE_BENCH_SOAK", "100000"))
    heading(f"daemon memory over {n:,} mails (IMAP in, acknowledgements out)")
    base = scratch("soak")
    dovecot = Dovecot(base / "dovecot").setup().start()
    smtp_port = free_port()
    sink_file = base / "sink.txt"
    sink = _start([PY, str(HERE / "smtp_sink.py"), str(smtp_port), str(sink_file)])
    _wait_line(sink, "ready")
    cfg, data = _shop(base, dovecot, smtp_port)
    daemon = DaemonProcess(cfg, data, env={"BENCH_IMAP_PASSWORD": "shop-pass"}).start()
    from shopcare.daemon import TRIM_EVERY

    step_size = min(10_000, max(n // 10, 1))

    def burst(tag: str, size: int) -> tuple[float, list[float], int, int]:
        appended = _append(dovecot, "shop", tag, size, None)
        lat, missing, twice = _latencies(sink_file, appended, 900)
        _expunge(dovecot, "shop")
        time.sleep(TRIM_EVERY + 5)  # past the daemon's heap trim after work
        return rss_mib(daemon.proc.pid), lat, missing, twice

    try:
        # Two baselines: after 2,000 mails, and after a first burst of the same size as the
        # measured ones (a burst's high-water mark is reached once; a leak grows on every one).
        warm = min(2000, step_size)
        rss_small, _, missing_w, twice_w = burst("w", warm)
        rss0, _, missing_b, twice_b = burst("b", step_size)
        figure(f"RSS after {warm:,} mails / after a first {step_size:,}-mail burst",
               f"{rss_small:.1f} / {rss0:.1f} MiB, never acked {missing_w + missing_b}, twice {twice_w + twice_b}")
        t = time.time()
        done = 0
        samples = []
        while done < n:
            step = min(step_size, n - done)
            rss, lat, missing, twice = burst(f"s{done}", step)
            done += step
            samples.append(rss)
            figure(f"after {done:,} more mails", f"RSS {rss:.1f} MiB, burst p99 {pct(lat, 99):.2f} s, "
                                                 f"never acked {missing}, twice {twice}")
        elapsed = time.time() - t
        figure(f"RSS before / after the {n:,} mails", f"{rss0:.1f} / {samples[-1]:.1f} MiB (growth {samples[-1] - rss0:+.1f} MiB, "
                                                       f"highest {max(samples):.1f}; targets < 80, growth < 5)")
        figure(f"growth counted from the {warm:,}-mail baseline", f"{samples[-1] - rss_small:+.1f} MiB")
        figure("throughput", f"{n / elapsed:,.0f} mails/s acknowledged end to end (with a {TRIM_EVERY + 5:g} s pause per step)")
    finally:
        daemon.stop()
        sink.terminate()
        dovecot.stop()


ALL = {"latency": bench_latency, "mailsoak": bench_soak}
