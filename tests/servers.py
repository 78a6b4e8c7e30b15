"""Real servers for integration tests and benchmarks, all on loopback.

- SmtpServer: aiosmtpd in this process (optionally STARTTLS and AUTH), recording every mail,
  able to refuse (4xx/5xx) or to be stopped and started again (an outage).
- SmsapiServer: an HTTP server that answers POST /sms.do the way SMSAPI documents it (success
  lists, `{"error": N, "message": ...}` bodies with HTTP 200, idx/check_idx duplicates, HTTP 5xx),
  so the real smsapi-client can be pointed at it.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs


def free_port() -> int:
    # aiosmtpd's Controller probes its port at start, so it cannot take port 0 itself.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 / localhost."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    at: float

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.server.refuse_rcpt.get(address)
        if code:
            return code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            import asyncio

            await asyncio.sleep(self.server.delay)  # a server that answers, slowly
        if self.server.data_reply:
            return self.server.data_reply
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content, time.time()))
        for cb in list(self.server.on_message):
            cb()
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, *, tls: tuple[Path, Path] | None = None, auth: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.tls = tls
        self.auth = auth
        self.received: list[Received] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.data_reply: str | None = None
        self.delay = 0.0
        self.on_message: list = []
        self.controller = None

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        kwargs = {}
        if self.tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            kwargs.update(tls_context=ctx, require_starttls=True)
        if self.auth:
            user, password = self.auth

            def authenticator(server, session, envelope, mechanism, auth_data):
                from aiosmtpd.smtp import AuthResult

                def text(v):
                    return v.decode() if isinstance(v, bytes) else str(v)

                ok = text(auth_data.login) == user and text(auth_data.password) == password
                return AuthResult(success=ok, handled=False)

            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(self.tls))
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list:
        return [r.message for r in self.received]

    def config(self, **extra) -> str:
        lines = ['[email]', 'transport = "smtp"', 'host = "127.0.0.1"', f"port = {self.port}",
                 f'security = "{"starttls" if self.tls else "none"}"']
        lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
        return "\n".join(lines) + "\n"


@dataclass
class SmsapiServer:
    """Speaks SMSAPI's sms.do as documented (see tests/data/README or the smsapi research)."""

    token: str = "test-token-123"
    received: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    number_errors: dict[str, int] = field(default_factory=dict)  # number -> SMSAPI error code
    error: int | None = None  # every request answers this SMSAPI error code
    http_status: int | None = None  # every request answers this HTTP status
    delay: float = 0.0
    seen_idx: set = field(default_factory=set)

    def start(self) -> "SmsapiServer":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
                if outer.delay:
                    time.sleep(outer.delay)
                outer.headers.append(dict(self.headers))
                if self.path.rstrip("/") != "/sms.do":
                    return self._send(404, {"error": 404, "message": "Not found"})
                if outer.http_status:
                    return self._send(outer.http_status, {"message": "Service Unavailable"})
                if self.headers.get("Authorization") != f"Bearer {outer.token}":
                    return self._send(200, {"error": 101, "message": "Authorization failed"})
                if outer.error:
                    return self._send(200, {"error": outer.error, "message": f"error {outer.error}"})
                to = form.get("to", "")
                if to in outer.number_errors:
                    code = outer.number_errors[to]
                    body = {"error": code, "message": "Recipient number is not valid"}
                    if code == 13:
                        body["invalid_numbers"] = [{"number": to, "submitted_number": to, "message": "Invalid phone number"}]
                    return self._send(200, body)
                idx = form.get("idx")
                if idx and form.get("check_idx") == "1" and idx in outer.seen_idx:
                    return self._send(200, {"error": 53, "message": "Not unique idx"})
                if idx:
                    outer.seen_idx.add(idx)
                outer.received.append(form)
                parts = 1
                self._send(200, {"count": 1, "list": [{
                    "id": uuid.uuid4().hex[:24], "points": 0.16 * parts, "number": to, "date_sent": int(time.time()),
                    "submitted_number": to, "status": "QUEUE", "idx": idx, "error": None}]})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def config(self) -> str:
        return (f'[sms]\nprovider = "smsapi"\nbase_url = "{self.base_url}"\ntoken_env = "TEST_SMSAPI_TOKEN"\n'
                f'sender = "Lipowa"\n')


class MtaServer(SmtpServer):
    """An SMTP server that delivers each recipient's mail into their Dovecot mailbox (IMAP
    APPEND as that user): the last hop of real mail, for end-to-end tests like the probe's."""

    def __init__(self, dovecot, mailboxes: dict[str, str]) -> None:
        super().__init__()
        self.dovecot = dovecot
        self.mailboxes = {a.lower(): u for a, u in mailboxes.items()}  # address -> Dovecot user
        self.on_message.append(self._deliver)

    def _deliver(self) -> None:
        rec = self.received[-1]
        for rcpt in rec.rcpt_tos:
            user = self.mailboxes.get(rcpt.lower())
            if user:
                threading.Thread(target=self.dovecot.append, args=(rec.data, user), daemon=True).start()
