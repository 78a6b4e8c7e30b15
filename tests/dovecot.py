"""A real Dovecot IMAP server for tests and benchmarks, from a throwaway config on loopback.

Debian's dovecot-imapd must be installed (scripts/test installs it; without it the integration
tests fail rather than skip). Facts from shared/TESTING.md: Dovecot refuses uid 0 for mail
users, so mail belongs to `nobody`; its auth and mail processes must be able to enter every
parent directory; it daemonizes and writes master.pid under base_dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONF = """\
base_dir = {base}/run
state_dir = {base}/state
instance_name = shopcare-test-{port}
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_min_avail = 1
}}
service imap {{
  process_limit = 1024
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
default_process_limit = 1024
default_client_limit = 4096
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


class Dovecot:
    def __init__(self, base: Path, users: dict[str, str] | None = None) -> None:
        self.base = Path(base)
        self.port = free_port()
        self.users = users or {"shop": "shop-pass", "probe": "probe-pass"}
        self.conf = self.base / "dovecot.conf"

    def setup(self) -> "Dovecot":
        if not os.path.exists(DOVECOT):
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd); scripts/test installs it")
        for d in ("run", "state", "mail", "home"):
            (self.base / d).mkdir(parents=True, exist_ok=True)
        (self.base / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items()))
        self.conf.write_text(CONF.format(base=self.base, port=self.port))
        # Dovecot's own users must reach and read these paths (pytest's tmp dirs are 0700, root's).
        p = self.base
        while p != p.parent:
            try:
                os.chmod(p, os.stat(p).st_mode | 0o055)
            except PermissionError:
                break
            p = p.parent
        os.chmod(self.base / "users", 0o644)
        subprocess.run(["chown", "-R", "nobody:nogroup", str(self.base / "mail"), str(self.base / "home")], check=True)
        return self

    def start(self) -> "Dovecot":
        # Not captured: the daemonized master would keep the pipes open and run() would wait forever.
        with open(self.base / "start.log", "ab") as out:
            subprocess.run([DOVECOT, "-c", str(self.conf)], check=True, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"dovecot did not start: {(self.base / 'dovecot.log').read_text()[-2000:]}")

    def pid(self) -> int | None:
        try:
            return int((self.base / "run" / "master.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        # Its imap processes may linger a moment; they die with their master.
        subprocess.run(["pkill", "-f", f"shopcare-test-{self.port}"], capture_output=True)

    def maildir(self, user: str, folder: str = "") -> Path:
        base = self.base / "mail" / user
        return base / f".{folder}" if folder else base

    def client(self, user: str = "shop"):
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        c.login(user, self.users[user])
        return c

    def append(self, raw: bytes, user: str = "shop", folder: str = "INBOX") -> None:
        c = self.client(user)
        try:
            c.append(folder, raw)
        finally:
            c.logout()

    def config(self, user: str = "shop", **extra) -> str:
        lines = ['[mailbox]', 'source = "imap"', 'host = "127.0.0.1"', f"port = {self.port}", 'security = "none"',
                 f'username = "{user}"', 'password_env = "TEST_IMAP_PASSWORD"', 'poll_interval = "2s"']
        lines += [f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else f"{k} = {v}" for k, v in extra.items()]
        return "\n".join(lines) + "\n"
