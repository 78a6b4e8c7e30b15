"""Turning record dataclasses into TOML and back, with errors that name the file and line.

Money is a Decimal written as a string ("249.00"), never a float; timestamps are TOML
datetimes with their UTC offset; a value that is None is left out of the file.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from shopcare.errors import DamagedRecord


class _FieldError(Exception):
    def __init__(self, path: list[str], reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def to_toml_dict(obj: Any) -> Any:
    """A dataclass (or value) as plain TOML-able data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            if f.metadata.get("transient"):
                continue
            value = getattr(obj, f.name)
            if value is None:
                continue
            out[f.name] = to_toml_dict(value)
        return out
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, (list, tuple)):
        return [to_toml_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_toml_dict(v) for k, v in obj.items() if v is not None}
    return obj


def dumps(obj: Any) -> str:
    return dumps_dict(to_toml_dict(obj))


def dumps_dict(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(data)


def _convert(value: Any, hint: Any, path: list[str]) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        errors = []
        for arg in args:
            try:
                return _convert(value, arg, path)
            except _FieldError as exc:
                errors.append(exc)
        raise errors[0]
    if hint is Any:
        return value
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        if not isinstance(value, list):
            raise _FieldError(path, f"expected a list, got {_kind(value)}")
        return [_convert(v, item, path + [str(i)]) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _FieldError(path, f"expected a table, got {_kind(value)}")
        _k, v_hint = typing.get_args(hint) or (str, Any)
        return {k: _convert(v, v_hint, path + [k]) for k, v in value.items()}
    if typing.get_origin(hint) is typing.Literal:
        if value not in typing.get_args(hint):
            allowed = ", ".join(map(str, typing.get_args(hint)))
            raise _FieldError(path, f"{value!r} is not one of: {allowed}")
        return value
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _FieldError(path, f"expected a table, got {_kind(value)}")
        return from_dict(hint, value, path)
    if hint is Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _FieldError(path, f"expected an amount as text like \"12.50\", got {_kind(value)}")
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            raise _FieldError(path, f"{value!r} is not an amount like \"12.50\"") from None
        if not d.is_finite():
            raise _FieldError(path, f"{value!r} is not an amount")
        return d
    if hint is datetime:
        if not isinstance(value, datetime):
            raise _FieldError(path, f"expected a date and time like 2026-11-20T10:00:00+01:00, got {_kind(value)}")
        if value.tzinfo is None:
            raise _FieldError(path, "date and time needs its UTC offset, like 2026-11-20T10:00:00+01:00")
        return value
    if hint is date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _FieldError(path, f"expected a date like 2026-11-20, got {_kind(value)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise _FieldError(path, f"expected true or false, got {_kind(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _FieldError(path, f"expected a whole number, got {_kind(value)}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _FieldError(path, f"expected text, got {_kind(value)}")
        return value
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    return {str: "text", int: "a whole number", float: "a decimal number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def from_dict(cls: type, data: dict[str, Any], path: list[str] | None = None) -> Any:
    """Build dataclass `cls` from TOML data, checking every field's type."""
    path = path or []
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    names = set()
    for f in dataclasses.fields(cls):
        names.add(f.name)
        if f.metadata.get("transient"):
            continue
        if f.name in data:
            kwargs[f.name] = _convert(data[f.name], hints[f.name], path + [f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _FieldError(path + [f.name], f"missing field {'.'.join(path + [f.name])!r}")
    obj = cls(**kwargs)
    extra = {k: v for k, v in data.items() if k not in names}
    if extra and hasattr(obj, "extra"):
        # Keys a shop added by hand are kept and written back, never silently dropped.
        obj.extra = {**(obj.extra or {}), **extra}
    return obj


def _line_of(text: str, path: list[str]) -> int | None:
    """Best effort: the line where the last key of `path` is written."""
    keys = [p for p in path if not p.isdigit()]
    if not keys:
        return None
    key = re.escape(keys[-1])
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{key}\s*=", line) or re.search(rf"[{{,]\s*{key}\s*=", line):
            return i
    return None


def loads(cls: type, text: str, path: Path | str) -> Any:
    """Parse a record file's text into `cls`; raises DamagedRecord naming file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise DamagedRecord(path, int(m.group(1)) if m else None, f"not valid TOML: {reason}") from None
    try:
        return from_dict(cls, data)
    except _FieldError as exc:
        field = ".".join(exc.path)
        line = _line_of(text, exc.path)
        reason = exc.reason if exc.reason.startswith("missing") else f"field {field!r}: {exc.reason}"
        raise DamagedRecord(path, line, reason) from None
    except (TypeError, ValueError) as exc:
        raise DamagedRecord(path, None, str(exc)) from None


def load_file(cls: type, path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DamagedRecord(path, line, "not UTF-8 text") from None
    return loads(cls, text, path)
