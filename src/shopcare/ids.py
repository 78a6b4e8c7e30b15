"""Record ids: validated before they touch the filesystem, mapped to safe file names.

Order numbers keep the shop's own form (`A1001`, `#1001`, `2026/11/0042`); a leading `#`
is the same order without it. The file name encodes every character outside a small safe set
as `%XX`, so `2026/11/0042` is stored as `2026%2F11%2F0042.toml` and can never name a path
outside its directory.
"""

from __future__ import annotations

import re

from shopcare.errors import UnsafeId

MAX_ID_LENGTH = 64
# Letters, digits and a few separators shops use in order numbers. Anything else (spaces,
# quotes, control characters, NUL, non-ASCII) is refused rather than guessed at.
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/+:]*")
_SAFE_FILE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


def _describe(value: str) -> str:
    return repr(value) if len(value) <= 80 else repr(value[:77] + "...")


def validate_id(value: str, what: str = "id") -> str:
    """Return `value` (without a leading `#`) if it is a safe record id, else raise UnsafeId."""
    if not isinstance(value, str):
        raise UnsafeId(f"{what} must be text")
    raw = value
    if value.startswith("#"):
        value = value[1:]
    if not value:
        raise UnsafeId(f"{what} is empty")
    if len(value) > MAX_ID_LENGTH:
        raise UnsafeId(f"{what} {_describe(raw)} is longer than {MAX_ID_LENGTH} characters")
    bad = [c for c in value if ord(c) < 32 or ord(c) == 127]
    if bad:
        raise UnsafeId(f"{what} {_describe(raw)} contains a control character")
    if value.startswith("/"):
        raise UnsafeId(f"{what} {_describe(raw)} is an absolute path")
    parts = value.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise UnsafeId(f"{what} {_describe(raw)} contains an empty, '.' or '..' path segment")
    if not _ID_RE.fullmatch(value):
        raise UnsafeId(
            f"{what} {_describe(raw)} may hold only letters A-Z, digits and . _ - / + : "
            "and must start with a letter or digit"
        )
    return value


def to_filename(record_id: str) -> str:
    """Map a validated id to a file name (without extension) that is safe in one directory."""
    out = []
    for i, ch in enumerate(record_id):
        if ch in _SAFE_FILE_CHARS and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def from_filename(name: str) -> str:
    """Inverse of `to_filename`."""
    if "%" not in name:
        return name
    raw = bytearray()
    i = 0
    while i < len(name):
        if name[i] == "%" and i + 2 < len(name) + 0 and re.fullmatch(r"[0-9A-Fa-f]{2}", name[i + 1 : i + 3]):
            raw.append(int(name[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(name[i].encode("utf-8"))
            i += 1
    return raw.decode("utf-8", errors="replace")
