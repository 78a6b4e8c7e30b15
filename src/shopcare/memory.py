"""Hand the allocator's free pages back to the system after a burst of work.

A burst of mail leaves glibc's heaps with free chunks between live ones; glibc returns only the
free space at the top of a heap, so the daemon's RSS keeps the burst's high-water mark. Under
the 100,000-mail soak `malloc_trim(0)` (which also releases whole free pages inside the heaps)
gave back 1-2 MiB after each burst. Elsewhere (musl, macOS) this is a no-op."""

from __future__ import annotations

import ctypes
import functools
import logging

log = logging.getLogger("shopcare.memory")


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        # The symbols already loaded into the process (libc among them): no library search,
        # which would run ldconfig in a subprocess.
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """True when the C library was asked to return free pages."""
    trim = _malloc_trim()
    if trim is None:
        return False
    try:
        trim(0)
    except Exception:  # never let housekeeping hurt the daemon
        log.debug("malloc_trim failed", exc_info=True)
        return False
    return True
