"""Issue 4 figure: draining 10,000 emails through the durable outbox to a local aiosmtpd, as a
ratio to a bare aiosmtplib loop sending the same messages over one connection (same run)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from common import PY, figure, heading, scratch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _sink(port: int) -> subprocess.Popen:
    p = subprocess.Popen([PY, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("aiosmtpd did not start")


async def _bare(port: int, n: int) -> float:
    import aiosmtplib
    from email.message import EmailMessage

    msgs = []
    for i in range(n):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "shop@example.pl", f"c{i}@example.pl", f"Order {i} confirmed"
        m.set_content(f"Hello,\n\nyour order {i} is confirmed.\n" * 5)
        msgs.append(m)
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    t = time.perf_counter()
    for m in msgs:
        await smtp.send_message(m)
    elapsed = time.perf_counter() - t
    await smtp.quit()
    return elapsed


def bench_drain(n: int = 10_000) -> None:
    heading(f"outbox send: {n:,} emails to a local aiosmtpd vs a bare aiosmtplib loop")
    from servers import free_port

    from shopcare.context import make_context
    from shopcare.notify.message import OutboxMessage
    from shopcare.notify.sender import Sender
    from shopcare.store import Store

    port = free_port()
    sink = _sink(port)
    try:
        base = scratch("outbox")
        cfg = base / "config.toml"
        cfg.write_text(f'[shop]\nemail = "shop@example.pl"\n[email]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {port}\n'
                       f'security = "none"\n[notify]\ncustomer_hourly_limit = 100000\n')
        Store.init(base / "data")[0].close()
        ctx = make_context(str(cfg), str(base / "data"))
        now = ctx.now().isoformat()
        t = time.perf_counter()
        for i in range(n):
            ctx.outbox.enqueue(OutboxMessage(key=f"bench:{i}", kind="order_confirmed", channel="email", to=f"c{i}@example.pl",
                                             lang="en", created=now, next_try=now, subject=f"Order {i} confirmed",
                                             body=f"Hello,\n\nyour order {i} is confirmed.\n" * 5, customer=f"C{i}"))
        figure(f"enqueue {n:,} (durable, idempotent)", f"{n / (time.perf_counter() - t):,.0f} msg/s")
        bare = asyncio.run(_bare(port, n))

        async def ours() -> tuple[float, object]:
            sender = Sender(ctx)
            t0 = time.perf_counter()
            report = await sender.drain(max_rounds=2)
            elapsed = time.perf_counter() - t0
            await sender.close()
            return elapsed, report

        elapsed, report = asyncio.run(ours())
        figure("bare aiosmtplib loop, one connection", f"{n / bare:,.0f} msg/s ({bare:.1f} s)")
        figure("shopcare outbox drain (claim, send, durable move to sent/)", f"{n / elapsed:,.0f} msg/s ({elapsed:.1f} s)")
        figure("messages sent / failed / left", f"{report.sent:,} / {report.failed} / {ctx.outbox.counts()['new']}")
        figure("ratio shopcare / bare (target >= 0.5)", f"{bare / elapsed:.2f}x")
    finally:
        sink.terminate()
        sink.wait()


ALL = {"outbox": bench_drain}
