"""Running `shopcare daemon run` as a real process for tests and benchmarks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


class DaemonProcess:
    def __init__(self, config: Path, data: Path, env: dict | None = None) -> None:
        self.config, self.data = Path(config), Path(data)
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log = self.data.parent / "daemon.log"

    def start(self, wait_ready: bool = True) -> "DaemonProcess":
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCARE_")}
        env.update(self.env)
        self._out = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "shopcare", "--config", str(self.config), "--data-dir",
                                      str(self.data), "daemon", "run"], env=env, stdout=self._out, stderr=self._out,
                                     stdin=subprocess.DEVNULL)
        if wait_ready:
            self.wait_for(lambda b: b["loops"]["mailbox"]["state"] == "running", timeout=20)
        return self

    def heartbeat(self) -> dict | None:
        try:
            return json.loads((self.data / "state" / "heartbeat.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def wait_for(self, cond, timeout: float = 10.0) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the daemon exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            beat = self.heartbeat()
            if beat and beat.get("pid") == self.proc.pid and cond(beat):
                return beat
            time.sleep(0.05)
        raise TimeoutError(f"daemon condition not met in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def signal(self, sig) -> None:
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 15) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self._out.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self._out.close()
