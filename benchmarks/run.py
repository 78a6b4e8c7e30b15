"""Run shopcare's benchmarks and print their figures: `python benchmarks/run.py [NAME ...]`.

Names: see the ALL tables of the bench_*.py modules (no name runs every one).
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

MODULES = ["bench_store", "bench_outbox", "bench_mailbox", "bench_reliability"]


def main(argv: list[str]) -> int:
    benches = {}
    for mod in MODULES:
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        benches.update(m.ALL)
    wanted = argv or list(benches)
    unknown = [w for w in wanted if w not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benches)}", file=sys.stderr)
        return 2
    import os

    print(f"shopcare benchmarks on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    for name in wanted:
        t = time.perf_counter()
        benches[name]()
        print(f"  ({name}: {time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
