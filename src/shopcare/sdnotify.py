"""Telling systemd how the daemon is (sd_notify protocol: a datagram to $NOTIFY_SOCKET).

READY=1 once it serves, WATCHDOG=1 while its loops run (WatchdogSec= restarts a hung daemon),
STATUS= a line `systemctl status` shows. Without systemd (no NOTIFY_SOCKET) it does nothing.
"""

from __future__ import annotations

import os
import socket


def notify(*fields: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(address)
            s.sendall("\n".join(fields).encode())
        return True
    except OSError:
        return False


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings (half of what systemd allows), or None."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 2_000_000
    except ValueError:
        return None
