"""Parsing opening hours like 'Mon-Fri 09:00-17:00; Sat 10:00-14:00' (no other imports, so
validating a config stays cheap)."""

from __future__ import annotations

import re
from datetime import time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {d: i for i, d in enumerate(DAYS)}
_RANGE_RE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")

Interval = tuple[time, time]


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        # No cut to 7 characters: it turned 'Tuesday-Friday' into 'tuesday' (Tuesday only).
        part = part.strip().lower()
        if "-" in part:
            a, b = (p.strip()[:3] for p in part.split("-", 1))
            if a not in _DAY_NAMES or b not in _DAY_NAMES:
                raise ValueError(f"{part!r} is not a day range like 'Mon-Fri'")
            i, j = _DAY_NAMES[a], _DAY_NAMES[b]
            days.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        else:
            if part[:3] not in _DAY_NAMES:
                raise ValueError(f"{part!r} is not a day like 'Mon'")
            days.append(_DAY_NAMES[part[:3]])
    return days


def parse_business_hours(text: str) -> dict[int, list[Interval]]:
    """'Mon-Fri 09:00-17:00; Sat 10:00-14:00' -> {weekday: [(start, end), ...]}.

    '24/7' means always open. Raises ValueError with the part that is wrong.
    """
    text = (text or "").strip()
    if text.lower() in ("24/7", "always"):
        return {d: [(time(0, 0), time(23, 59, 59, 999999))] for d in range(7)}
    if not text:
        raise ValueError("business hours are empty (use e.g. 'Mon-Fri 09:00-17:00' or '24/7')")
    hours: dict[int, list[Interval]] = {}
    for chunk in re.split(r"[;\n]", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        m = re.match(r"([A-Za-z,\-\s]+?)\s+(\d.*)$", chunk)
        if not m:
            raise ValueError(f"{chunk!r} is not like 'Mon-Fri 09:00-17:00'")
        days = _parse_days(m.group(1))
        for rng in m.group(2).split(","):
            r = _RANGE_RE.fullmatch(rng.strip())
            if not r:
                raise ValueError(f"{rng.strip()!r} is not a time range like '09:00-17:00'")
            h1, m1, h2, m2 = map(int, r.groups())
            if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
                raise ValueError(f"{rng.strip()!r} has an impossible time")
            start = time(h1, m1)
            end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
            if end <= start:
                raise ValueError(f"{rng.strip()!r} ends before it starts (split overnight hours in two)")
            for d in days:
                hours.setdefault(d, []).append((start, end))
    for d in hours:
        # Merge overlapping intervals ('Mon-Fri 09:00-17:00; Mon 16:00-18:00'): kept apart,
        # business_seconds_between counted the shared time twice.
        merged: list[Interval] = []
        for start, end in sorted(hours[d]):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        hours[d] = merged
    return hours


