"""The daemon's heap trim after a burst of work."""

from __future__ import annotations

import platform

import pytest

from shopcare import memory


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0] == "glibc", reason="malloc_trim is glibc's")
def test_trim_hands_back_the_free_pages_of_a_burst():
    # A burst: many mid-sized blocks (above pymalloc's 512 bytes, below the mmap threshold, so
    # they come from glibc's heap), with every 50th kept, as a daemon keeps a few records.
    burst = [bytearray(4000) for _ in range(20_000)]
    keep = burst[::50]
    before_free = _rss_kib()
    del burst
    after_free = _rss_kib()
    assert memory.release_free_memory() is True
    after_trim = _rss_kib()
    # The kept blocks pin the heap: freeing alone gives little back; the trim gives the pages.
    assert after_trim < after_free - 20_000, (before_free, after_free, after_trim)
    assert len(keep) == 400


def test_trim_is_harmless_without_glibc(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_free_memory() is False
