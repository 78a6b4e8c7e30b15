"""Helpers shared by the benchmarks: timing commands, a scratch shop, printing figures."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SHOPCARE = [PY, "-m", "shopcare"]


def time_cmd(cmd: list[str], runs: int = 11, env: dict | None = None, warmup: int = 2, stdout=subprocess.DEVNULL) -> list[float]:
    """Wall time of each of `runs` runs (after `warmup` untimed runs)."""
    full_env = {**os.environ, **(env or {})}
    out = []
    for i in range(warmup + runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=full_env, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        if i >= warmup:
            out.append(time.perf_counter() - t)
    return out


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def scratch(name: str) -> Path:
    base = Path(os.environ.get("SHOPCARE_BENCH_DIR", tempfile.gettempdir())) / f"shopcare-bench-{name}"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    return base


def figure(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
