"""What every order importer produces, and reading CSV the way shops actually save it.

Exports arrive as UTF-8 with or without a BOM, CRLF or LF, comma- or (Polish Excel)
semicolon-separated, and now and then re-saved by a spreadsheet in windows-1250.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from shopcare.errors import BadInput


@dataclass
class ParsedItem:
    sku: str
    name: str
    qty: int
    unit_price: Decimal


@dataclass
class ParsedOrder:
    """One order as read from an export, before it touches the store."""

    number: str
    line: int
    created: datetime | None = None
    email: str = ""
    name: str = ""
    phone: str = ""
    country: str = ""
    marketing: bool = False
    currency: str = ""
    total: Decimal | None = None
    status: str = "new"
    payment_method: str = "other"
    payment_state: str = "unpaid"
    payment_raw: str = ""
    delivery_method: str = ""
    delivery_cost: Decimal | None = None
    promised: date | None = None
    address: str = ""
    note: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    source_status: str = ""
    refunded: Decimal | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Problem:
    line: int
    message: str


class RowError(Exception):
    """A row that cannot be imported; the message says why."""


def read_csv(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> tuple[list[str], Iterator[tuple[int, list[str]]], list[str]]:
    """Header, an iterator of (line number, row) and notices about how the file was read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a directory, not a CSV file") from None
    notices: list[str] = []
    if encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise BadInput(f"{path}: cannot decode as {encoding}: {exc}") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            try:
                text = raw.decode("cp1250")
                notices.append(f"not UTF-8 (line {line}); read as windows-1250, as Excel saves CSV on a Polish Windows")
            except UnicodeDecodeError:
                raise BadInput(f"{path}:{line}: not UTF-8 text; export the file again as UTF-8") from None
    if "\x00" in text:
        raise BadInput(f"{path}: contains NUL bytes; is it a spreadsheet (.xlsx) rather than CSV?")
    first = text.split("\n", 1)[0]
    if delimiter is None:
        delimiter = ";" if first.count(";") > first.count(",") else ("\t" if first.count("\t") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise BadInput(f"{path}: the file is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield start, row
                start = reader.line_num + 1
        except csv.Error as exc:
            raise BadInput(f"{path}:{reader.line_num}: broken CSV: {exc}") from None

    return header, rows(), notices


def cell(row: dict[str, str], name: str) -> str:
    """A cell, stripped, without the leading apostrophe that exports add to stop spreadsheet formulas."""
    value = (row.get(name) or "").strip()
    if value.startswith("'") and len(value) > 1 and value[1] in "+-=@0123456789":
        value = value[1:]
    return value


def money(text: str, what: str) -> Decimal | None:
    from shopcare.model.order import parse_money

    if not text.strip():
        return None
    try:
        return parse_money(text, what)
    except BadInput as exc:
        raise RowError(exc.message) from None


def quantity(text: str, what: str = "quantity") -> int:
    text = text.strip()
    try:
        value = Decimal(text.replace(",", "."))
    except Exception:
        raise RowError(f"{what} {text!r} is not a number") from None
    if value != value.to_integral_value() or value <= 0:
        raise RowError(f"{what} {text!r} is not a whole number of at least 1")
    return int(value)


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


def timestamp(text: str, tz, fmt: str | None = None) -> datetime | None:
    """A platform timestamp; one without an offset is in the shop's time zone."""
    text = text.strip()
    if not text:
        return None
    formats = (fmt,) if fmt else _DATE_FORMATS
    for f in formats:
        try:
            value = datetime.strptime(text, f)
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=tz)
    try:
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.replace(tzinfo=tz)
    except ValueError:
        raise RowError(f"{text!r} is not a date and time this importer understands") from None


# Payment gateways as platforms name them -> shopcare's payment methods.
_PAYMENT_WORDS = [
    (r"\bcod\b|cash on delivery|pobrani|наложен|išperkam", "cod"),
    (r"blik", "blik"),
    (r"paypal", "paypal"),
    (r"bacs|bank|transfer|przelew\b|przelew tradycyjny|manual|pavedim|банковск", "transfer"),
    (r"card|karta|stripe|shopify_payments|shopify payments|apple pay|google pay|kortel", "card"),
]


def payment_method(raw: str) -> str:
    low = raw.lower()
    for pattern, method in _PAYMENT_WORDS:
        if re.search(pattern, low):
            return method
    return "other"


def customer_name(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def join_address(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def as_bool(text: str) -> bool:
    return text.strip().lower() in ("yes", "true", "1", "y", "tak", "taip", "да")


def dict_rows(header: list[str], rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    for line, row in rows:
        yield line, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}


def to_dict(value: Any) -> Any:
    return value
