"""The systemd units verify, and use what the daemon needs (Type=notify, watchdog, credentials)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

UNITS = ROOT / "systemd"


@pytest.mark.parametrize("unit, instance", [("shopcare.service", "shopcare.service"), ("shopcare@.service", "shopcare@lipowa.service")])
def test_units_pass_systemd_analyze_verify(tmp_path, unit, instance):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    exe = Path(sys.executable).parent / "shopcare"
    text = (UNITS / unit).read_text().replace("/usr/local/bin/shopcare", str(exe))
    # A fresh machine has no `shopcare` user until the install steps in the unit's header run.
    text = text.replace("User=shopcare", "User=nobody").replace("Group=shopcare", "Group=nogroup")
    (tmp_path / unit).write_text(text)
    if instance != unit:
        (tmp_path / instance).symlink_to(tmp_path / unit)
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / instance)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_units_say_what_the_daemon_relies_on():
    for unit in ("shopcare.service", "shopcare@.service"):
        text = (UNITS / unit).read_text()
        for line in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "ProtectSystem=strict", "ReadWritePaths=",
                     "NoNewPrivileges=yes", "PrivateTmp=yes", "LoadCredential=", "daemon run", "ExecReload="):
            assert line in text, (unit, line)
    cron = (UNITS / "shopcare.cron").read_text()
    for cmd in ("mailbox poll --once", "outbox send", "deadlines check"):
        assert cmd in cron
