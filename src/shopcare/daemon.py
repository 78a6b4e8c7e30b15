"""`shopcare daemon run`: one asyncio process, three loops that cannot stop each other.

- mailbox watcher: IMAP IDLE (or the Maildir, woken by inotify) -> pipeline -> acknowledgement
  queued; runs in a worker thread with its own Context (SQLite connections stay per thread);
- outbox sender: woken the moment a message is queued (in this process directly, from other
  processes through inotify on outbox/new), else at the next retry time; keeps its SMTP
  connection between messages;
- deadline watcher: `deadlines check` every `[deadlines] check_interval`.

Each loop is restarted with backoff when it fails (a server down, a network cut) and records
its state in DATA/state/heartbeat.json, which `shopcare daemon status` reads. SIGTERM: the
message in hand is finished, the process exits 0 within seconds. SIGHUP: the configuration is
read again and the loops restart with it. systemd is told READY=1, WATCHDOG=1 and a STATUS line.
Logs are one line per event on stderr (journald), never a password, a token or a message body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from shopcare import __version__, sdnotify
from shopcare.memory import release_free_memory

log = logging.getLogger("shopcare.daemon")
BACKOFF = (1, 2, 5, 10, 30, 60)
TRIM_EVERY = 30.0  # seconds between asking malloc to hand back free pages, when work was done


class LoopState:
    def __init__(self, name: str) -> None:
        self.name = name
        self.state = "starting"
        self.last_ok: str | None = None
        self.last_error: str | None = None
        self.errors = 0

    def ok(self) -> None:
        self.state = "running"
        self.last_ok = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "last_ok": self.last_ok, "last_error": self.last_error, "errors": self.errors}


class Daemon:
    def __init__(self, make_ctx: Callable[[str], Any]) -> None:
        self.make_ctx = make_ctx  # actor -> a fresh Context (config read again on SIGHUP)
        self.stop = asyncio.Event()
        self.reload = asyncio.Event()
        self.wake = asyncio.Event()
        self.loops = {n: LoopState(n) for n in ("mailbox", "sender", "deadlines")}
        self.started = datetime.now(timezone.utc)
        self.last_fetch: str | None = None
        self.thread_stop = threading.Event()
        self.ctx = None
        self.sender = None
        self.work = 0  # mails and messages handled; the heartbeat trims the heaps after work

    # -- running ------------------------------------------------------------------------------
    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig, event in ((signal.SIGTERM, self.stop), (signal.SIGINT, self.stop), (signal.SIGHUP, self.reload)):
            loop.add_signal_handler(sig, event.set)
        while True:
            code = await self._generation(loop)
            if code is not None:
                return code
            log.info("configuration reloaded")

    async def _generation(self, loop) -> int | None:
        """Run the loops on one configuration; None when SIGHUP asks for a new one."""
        from shopcare.watch import FolderWatch

        self.reload.clear()
        self.thread_stop.clear()
        self.ctx = self.make_ctx("daemon")
        self.ctx.store.clean_temps()
        folders = [self.ctx.data_dir / "outbox" / "new"]
        maildir = None
        if self.ctx.config.mailbox.source == "maildir":
            from shopcare.services.mail import maildir_path

            maildir = maildir_path(self.ctx)
            folders += [maildir / "new", maildir / "cur"]
        self.mail_news = threading.Event()

        def changed() -> None:
            self.wake.set()
            self.mail_news.set()

        watcher = FolderWatch(folders, changed)
        how = watcher.start(loop)
        tasks = [
            loop.create_task(self._supervise("mailbox", self._mailbox_loop)),
            loop.create_task(self._supervise("sender", self._sender_loop)),
            loop.create_task(self._supervise("deadlines", self._deadline_loop)),
            loop.create_task(self._heartbeat_loop()),
        ]
        log.info("shopcare %s daemon started (pid %d, mailbox %s, woken by %s)", __version__, os.getpid(),
                 self.ctx.config.mailbox.source, how)
        sdnotify.notify("READY=1", f"STATUS=watching the {self.ctx.config.mailbox.source} mailbox")
        stop_wait = loop.create_task(self.stop.wait())
        reload_wait = loop.create_task(self.reload.wait())
        await asyncio.wait([stop_wait, reload_wait], return_when=asyncio.FIRST_COMPLETED)
        reloading = self.reload.is_set() and not self.stop.is_set()
        if reloading:
            sdnotify.notify("RELOADING=1")
        else:
            sdnotify.notify("STOPPING=1")
            log.info("stopping: finishing the message in hand")
        self.thread_stop.set()
        self.wake.set()
        self.mail_news.set()
        tasks[-1].cancel()  # the heartbeat; the loops end by themselves after the message in hand
        _done, pending = await asyncio.wait(tasks[:-1], timeout=8)
        for t in pending:
            t.cancel()
        for t in (stop_wait, reload_wait):
            t.cancel()
        watcher.stop(loop)
        if self.sender is not None:
            await self.sender.close()
            self.sender = None
        self._write_heartbeat(final=True)
        self.ctx.close()
        if reloading:
            return None
        log.info("stopped")
        return 0

    def _stopping(self) -> bool:
        return self.stop.is_set() or self.reload.is_set()

    async def _supervise(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        """Run a loop; when it fails, note why, wait (backing off), and run it again."""
        state = self.loops[name]
        failures = 0
        while not self._stopping():
            try:
                await body()
                if self._stopping():
                    break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a server down must never stop the other loops
                failures += 1
                state.errors += 1
                state.state = "backoff"
                state.last_error = f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {type(exc).__name__}: {_safe(exc)}"
                wait = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
                log.warning("%s loop failed (%s: %s); again in %ss", name, type(exc).__name__, _safe(exc), wait)
                try:
                    await asyncio.wait_for(self._until_stopping(), timeout=wait)
                except asyncio.TimeoutError:
                    pass
                continue
            failures = 0
        state.state = "stopped"

    async def _until_stopping(self) -> None:
        while not self._stopping():
            await asyncio.sleep(0.2)

    # -- the loops ----------------------------------------------------------------------------
    async def _mailbox_loop(self) -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1, thread_name_prefix="mailbox") as pool:
            await loop.run_in_executor(pool, self._mailbox_thread, self.loops["mailbox"], loop)

    def _mailbox_thread(self, state: LoopState, loop) -> None:
        from shopcare.mailbox.pipeline import Pipeline
        from shopcare.services.inquiries import answered_by_reply
        from shopcare.services.mail import poll_once

        # Its own Context, made and closed in this thread: SQLite connections stay in one thread.
        ctx = self.make_ctx("daemon/mailbox")
        ctx.notifier.on_enqueue = lambda: loop.call_soon_threadsafe(self.wake.set)
        pipeline = Pipeline(ctx)
        try:
            def process_many(items):
                self.work += 1
                return pipeline.process_many(items)

            def on_reply(ids, when):
                answered_by_reply(ctx, ids, when)

            def beat():
                state.ok()
                self.last_fetch = datetime.now(timezone.utc).isoformat(timespec="seconds")

            if ctx.config.mailbox.source == "imap":
                from shopcare.mailbox.imap_source import ImapSource

                src = ImapSource(ctx, pipeline.state)
                src.stop_event = self.thread_stop
                src.watch(process_many, on_reply, self.thread_stop, heartbeat=beat)
                return
            while not self.thread_stop.is_set():
                self.mail_news.clear()
                poll_once(ctx)
                beat()
                self.mail_news.wait(ctx.config.mailbox.poll_interval)
        finally:
            pipeline.close()
            ctx.close()

    async def _sender_loop(self) -> None:
        from shopcare.notify.sender import Sender

        state = self.loops["sender"]
        if self.sender is None:
            self.sender = Sender(self.ctx)
        while not self._stopping():
            self.wake.clear()
            report = await self.sender.drain(stop=_Either(self.stop, self.reload))
            state.ok()
            if report.sent or report.failed or report.retried:
                self.work += 1
                log.info("outbox: %s", report.describe())
            if self._stopping():
                return
            nxt = self.sender.next_wakeup()
            timeout = 60.0
            if nxt is not None:
                timeout = min(max((nxt - self.ctx.now()).total_seconds(), 0.05), 60.0)
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass

    async def _deadline_loop(self) -> None:
        from shopcare.services.deadlines import check

        state = self.loops["deadlines"]
        loop = asyncio.get_running_loop()
        pool = ThreadPoolExecutor(1, thread_name_prefix="deadlines")  # one thread: its SQLite stays there
        ctx = await loop.run_in_executor(pool, self.make_ctx, "daemon/deadlines")
        try:
            while not self._stopping():
                findings = await loop.run_in_executor(pool, check, ctx)
                state.ok()
                for f in findings:
                    log.info("deadline: %s %s: %s", f.what, f.record, f.action)
                if findings:
                    self.wake.set()
                try:
                    await asyncio.wait_for(self._until_stopping(), timeout=ctx.config.deadlines.check_interval)
                except asyncio.TimeoutError:
                    pass
        finally:
            await loop.run_in_executor(pool, ctx.close)
            pool.shutdown(wait=False)

    async def _heartbeat_loop(self) -> None:
        interval = self.ctx.config.daemon.heartbeat_interval
        dog = sdnotify.watchdog_interval()
        tick = min(interval, dog) if dog else interval
        last_beat = 0.0
        trimmed_at, trimmed_work = time.monotonic(), self.work
        while True:
            if time.monotonic() - last_beat >= interval:
                self._write_heartbeat()
                last_beat = time.monotonic()
            if self.work != trimmed_work and time.monotonic() - trimmed_at >= TRIM_EVERY:
                # After a burst, not during one: a few milliseconds, at most twice a minute.
                release_free_memory()
                trimmed_at, trimmed_work = time.monotonic(), self.work
            healthy = all(s.state != "backoff" or s.errors < 50 for s in self.loops.values())
            if dog and healthy:
                sdnotify.notify("WATCHDOG=1", f"STATUS={self._status_line()}")
            await asyncio.sleep(tick)

    # -- heartbeat ----------------------------------------------------------------------------
    def _status_line(self) -> str:
        waiting = self._outbox_counts().get("new", "?")
        return f"mailbox {self.loops['mailbox'].state}, outbox {waiting} waiting, last fetch {self.last_fetch or '-'}"

    def _outbox_counts(self) -> dict[str, int]:
        try:
            # Not sent/: it holds every message ever sent (until `outbox purge`).
            return self.ctx.outbox.counts(("new", "cur", "failed"))
        except Exception:
            return {}

    def _write_heartbeat(self, final: bool = False) -> None:
        from shopcare.store.atomic import write_atomic

        ctx = self.ctx
        oldest = None
        try:
            # File times only: parsing every waiting message each second would cost the most
            # exactly when the queue is longest.
            stamps = [e.stat().st_mtime for e in os.scandir(ctx.data_dir / "outbox" / "new") if e.name.endswith(".json")]
            if stamps:
                oldest = datetime.fromtimestamp(min(stamps), timezone.utc).isoformat(timespec="seconds")
        except OSError:
            pass
        data = {
            "pid": os.getpid(), "version": __version__, "started": self.started.isoformat(timespec="seconds"),
            "now": datetime.now(timezone.utc).isoformat(timespec="seconds"), "stopped": final,
            "interval": ctx.config.daemon.heartbeat_interval, "mailbox": ctx.config.mailbox.source,
            "loops": {n: s.as_dict() for n, s in self.loops.items()}, "last_fetch": self.last_fetch,
            "outbox": self._outbox_counts(), "oldest_waiting_message": oldest,
        }
        path = ctx.data_dir / "state" / "heartbeat.json"
        try:
            path.parent.mkdir(exist_ok=True)
            write_atomic(path, json.dumps(data, indent=1).encode(), sync_dir=False)
        except OSError as exc:
            log.warning("cannot write the heartbeat: %s", exc.strerror)


class _Either:
    """`is_set` of either of two events (the sender stops for SIGTERM and for SIGHUP)."""

    def __init__(self, a: asyncio.Event, b: asyncio.Event) -> None:
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()


def _safe(exc: Exception) -> str:
    """An error for the log: its text without anything that looks like a credential."""
    import re

    text = str(exc)[:300]
    return re.sub(r"(?i)(password|token|secret|authorization)[=: ]+\S+", r"\1=***", text)


def run(make_ctx: Callable[[str], Any], log_level: str = "info") -> int:
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(Daemon(make_ctx).run())
