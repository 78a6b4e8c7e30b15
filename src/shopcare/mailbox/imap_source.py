"""The shop's IMAP mailbox (imapclient, synchronous: the daemon runs it in a worker thread).

- The first time shopcare sees a folder it records where the mailbox stands (UIDVALIDITY and
  the highest UID) and acknowledges nothing that was already there; `--backfill DAYS` records
  that mail as inquiries, without acknowledgements.
- After that, every UID above the last one recorded is fetched in UID order and the last UID
  advances after each mail is recorded, so a crash re-fetches at most the mail in hand.
- A changed UIDVALIDITY (the folder was rebuilt) makes every UID meaningless: the folder's
  Message-IDs are read again and only mail not recorded yet is fetched.
- Mail bigger than `max_message_bytes` is fetched as headers only, recorded and flagged.
- IDLE where the server has it (re-issued well before the 29-minute limit of RFC 2177),
  polling every `poll_interval` where it does not.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from shopcare.errors import ConfigError
from shopcare.mailbox.parse import head_only

log = logging.getLogger("shopcare.imap")
IDLE_RENEW = 25 * 60  # seconds; servers may drop an IDLE after 30 minutes
CHUNK = 50


class ImapSource:
    def __init__(self, ctx, state, *, folder: str | None = None) -> None:
        cfg = ctx.config.mailbox
        self.ctx = ctx
        self.state = state
        self.host, self.port, self.security = cfg.host, cfg.port, cfg.security
        self.username = cfg.username
        self.folder = folder or cfg.folder
        self.sent_folder = cfg.sent_folder
        self.timeout = cfg.timeout
        self.max_bytes = cfg.max_message_bytes
        self.ca_file = cfg.ca_file or None
        self.label = f"imap:{self.username}@{self.host}:{self.port}/{self.folder}"
        self.client = None
        self.last_fetch: datetime | None = None
        self.stop_event: threading.Event | None = None  # set by the daemon: stop after the mail in hand

    def __repr__(self) -> str:  # never the password
        return f"ImapSource({self.label})"

    # -- connection ---------------------------------------------------------------------------
    def connect(self):
        from imapclient import IMAPClient

        if not self.username:
            raise ConfigError("[mailbox] source = \"imap\" needs a username", [("mailbox.username", "missing")])
        password = self.ctx.config.secret("mailbox", "password") or ""
        context = ssl.create_default_context(cafile=self.ca_file)
        client = IMAPClient(self.host, port=self.port, ssl=self.security == "tls", ssl_context=context,
                            timeout=self.timeout, use_uid=True)
        try:
            if self.security == "starttls":
                client.starttls(context)
            client.normalise_times = False  # INTERNALDATE with its offset, not naive local time
            client.login(self.username, password)
        except Exception:
            _quietly(client.logout)
            raise
        self.client = client
        return client

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            _quietly(client.logout)

    def has_idle(self) -> bool:
        return b"IDLE" in self.client.capabilities()

    # -- fetching -----------------------------------------------------------------------------
    def sync(self, process_many: Callable, *, backfill_days: int | None = None) -> int:
        """Fetch and record what is new in the folder; returns how many mails were handled.
        `process_many(list of mails)` records a chunk of mails together."""
        process = process_many
        info = self.client.select_folder(self.folder, readonly=True)
        return self._sync_selected(process, info, backfill_days)

    def _sync_selected(self, process, info, backfill_days: int | None = None) -> int:
        """`sync` on the folder already selected (`info`: what SELECT answered)."""
        client = self.client
        uidvalidity = int(info[b"UIDVALIDITY"])
        known = self.state.folder(self.label)
        self.last_fetch = datetime.now(timezone.utc)
        if known is None:
            return self._first_start(process, uidvalidity, info, backfill_days)
        if known[0] != uidvalidity:
            log.warning("%s: UIDVALIDITY changed (%s -> %s): reading the folder again", self.label, known[0], uidvalidity)
            return self._resync(process, uidvalidity)
        last = known[1]
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        return self._fetch(process, uidvalidity, uids)

    def _first_start(self, process, uidvalidity: int, info, backfill_days: int | None) -> int:
        uids = self.client.search(["ALL"])
        top = max(uids) if uids else int(info.get(b"UIDNEXT", 1)) - 1
        n = 0
        if backfill_days:
            since = (datetime.now(timezone.utc) - timedelta(days=backfill_days)).date()
            old = sorted(self.client.search(["SINCE", since]))
            n = self._fetch(process, uidvalidity, old, backfill=True)
        self.state.set_folder(self.label, uidvalidity, max(top, 0))
        log.info("%s: first start; %d mail(s) already there are not acknowledged", self.label, len(uids))
        return n

    def _resync(self, process, uidvalidity: int) -> int:
        client = self.client
        uids = sorted(client.search(["ALL"]))
        unknown = []
        for i in range(0, len(uids), 500):
            chunk = uids[i:i + 500]
            for uid, data in client.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).items():
                raw = data.get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]", b"") or b""
                from shopcare.mailbox.parse import _MSGID_RE

                ids = _MSGID_RE.findall(raw.decode("latin-1"))
                if not ids or not self.ctx.store.ids("inquiry", ref=ids[0]):
                    unknown.append(uid)
        n = self._fetch(process, uidvalidity, sorted(unknown))
        self.state.set_folder(self.label, uidvalidity, max(uids) if uids else 0)
        return n

    def _fetch(self, process_many, uidvalidity: int, uids: list[int], *, backfill: bool = False) -> int:
        """Fetch and record mails in chunks; `process_many` takes a list of mails (keyword dicts)
        and records them together (one flush to disk per chunk)."""
        client = self.client
        n = 0
        for i in range(0, len(uids), CHUNK):
            chunk = uids[i:i + CHUNK]
            # One round trip: the size, the date and at most max_message_bytes of each mail (a
            # partial FETCH, RFC 3501 6.4.5); a bigger mail keeps its headers only.
            meta = client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE", f"BODY.PEEK[]<0.{self.max_bytes}>"])
            items, last_uid = [], None
            for uid in chunk:
                if self.stop_event is not None and self.stop_event.is_set():
                    break
                if uid not in meta:
                    continue  # expunged meanwhile
                raw = next((v for k, v in meta[uid].items() if k.startswith(b"BODY[]")), None) or b""
                truncated = meta[uid].get(b"RFC822.SIZE", len(raw)) > self.max_bytes or len(raw) > self.max_bytes
                if truncated:
                    raw = head_only(raw[:self.max_bytes])
                received = meta[uid].get(b"INTERNALDATE")
                if isinstance(received, datetime) and received.tzinfo is None:
                    received = None
                items.append(dict(raw=raw, source=f"{self.label}:{uidvalidity}:{uid}", received=received,
                                  truncated=truncated, backfill=backfill))
                last_uid = uid
            if items:
                process_many(items)
                n += len(items)
            if last_uid is not None and not backfill:
                self.state.set_folder(self.label, uidvalidity, last_uid)  # only once they are recorded
            if self.stop_event is not None and self.stop_event.is_set():
                return n
        return n

    # -- staff replies in the Sent folder -----------------------------------------------------
    def find_sent(self) -> str | None:
        if self.sent_folder:
            return self.sent_folder
        try:
            from imapclient import SENT

            return self.client.find_special_folder(SENT)
        except Exception:
            return None

    def sync_sent(self, on_reply: Callable[[list[str], datetime], None]) -> int:
        """Replies staff sent from their own mail client: the Message-IDs each one answers."""
        folder = self.find_sent()
        if not folder:
            return 0
        client = self.client
        label = f"imap:{self.username}@{self.host}:{self.port}/{folder}"
        try:
            info = client.select_folder(folder, readonly=True)
        except Exception as exc:
            log.warning("cannot open the Sent folder %r: %s", folder, exc)
            return 0
        uidvalidity = int(info[b"UIDVALIDITY"])
        known = self.state.folder(label)
        if known is None or known[0] != uidvalidity:
            uids = client.search(["ALL"])
            self.state.set_folder(label, uidvalidity, max(uids) if uids else 0)
            return 0
        uids = sorted(u for u in client.search(["UID", f"{known[1] + 1}:*"]) if u > known[1])
        n = 0
        for i in range(0, len(uids), CHUNK):
            chunk = uids[i:i + CHUNK]
            data = client.fetch(chunk, ["BODY.PEEK[HEADER.FIELDS (IN-REPLY-TO REFERENCES)]", "INTERNALDATE"])
            for uid in chunk:
                item = data.get(uid, {})
                raw = item.get(b"BODY[HEADER.FIELDS (IN-REPLY-TO REFERENCES)]", b"") or b""
                from shopcare.mailbox.parse import _MSGID_RE

                ids = _MSGID_RE.findall(raw.decode("latin-1"))
                when = item.get(b"INTERNALDATE")
                if ids:
                    on_reply(ids, when if isinstance(when, datetime) and when.tzinfo else datetime.now(timezone.utc))
                    n += 1
                self.state.set_folder(label, uidvalidity, uid)
        return n

    # -- watching -----------------------------------------------------------------------------
    def watch(self, process_many: Callable, on_reply: Callable, stop: threading.Event, *,
              heartbeat: Callable[[], None] = lambda: None) -> None:
        """Fetch, then wait for news (IDLE or polling) until `stop`; raises on a connection error
        (the daemon reconnects with backoff)."""
        cfg = self.ctx.config.mailbox
        process = process_many
        self.connect()
        try:
            self.sync(process)
            self.sync_sent(on_reply)
            use_idle = cfg.idle and self.has_idle()
            last_sent_check = time.monotonic()
            while not stop.is_set():
                if use_idle:
                    info = self.client.select_folder(self.folder, readonly=True)
                    known = self.state.folder(self.label)
                    if known and int(info.get(b"UIDNEXT", 0)) - 1 > known[1] and int(info[b"UIDVALIDITY"]) == known[0]:
                        # Mail that came in after the last SEARCH and before IDLE starts announces
                        # nothing during IDLE: fetch it now.
                        self._sync_selected(process, info)
                        continue
                    self.client.idle()
                    started = time.monotonic()
                    while not stop.is_set() and time.monotonic() - started < IDLE_RENEW:
                        responses = self.client.idle_check(timeout=1.0)
                        heartbeat()
                        if any(r[1] in (b"EXISTS", b"RECENT") for r in responses if isinstance(r, tuple) and len(r) > 1):
                            break
                        if time.monotonic() - last_sent_check > cfg.poll_interval:
                            break
                    self.client.idle_done()
                    # After news, a renewal or a pause for the Sent folder: the folder is still
                    # selected, so one UID SEARCH and one FETCH (the SELECT above comes next round).
                    self._sync_selected(process, info)
                else:
                    stop.wait(cfg.poll_interval)
                    heartbeat()
                    self.sync(process)
                if time.monotonic() - last_sent_check > cfg.poll_interval:
                    self.sync_sent(on_reply)
                    last_sent_check = time.monotonic()
        finally:
            self.close()


def _quietly(fn) -> None:
    """Closing a connection that may already be broken must not hide what broke it."""
    try:
        fn()
    except Exception:
        pass
