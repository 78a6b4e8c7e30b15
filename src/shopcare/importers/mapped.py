"""Any other CSV, through a column-mapping file (TOML) that names your columns.

    [csv]                       # all optional
    delimiter = ";"
    encoding = "utf-8"
    date_format = "%d.%m.%Y %H:%M"

    [columns]                   # shopcare field = "your column header"
    number = "Nr zamówienia"    # required; rows with the same number form one order
    email = "E-mail"
    name = "Klient"
    item_name = "Produkt"
    qty = "Ilość"
    unit_price = "Cena"

    [values.status]             # your values -> shopcare's
    "Wysłane" = "shipped"

    [defaults]
    currency = "PLN"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Iterator

from shopcare.errors import BadInput
from shopcare.importers.base import (
    ParsedItem, ParsedOrder, RowError, as_bool, cell, customer_name, money, payment_method, quantity, timestamp,
)
from shopcare.model import states

FIELDS = {
    "number": "order number (required)", "email": "customer email", "name": "customer full name",
    "first_name": "customer first name", "last_name": "customer last name", "phone": "customer phone",
    "country": "customer country (two letters)", "marketing": "marketing consent (yes/no)",
    "created": "order date and time", "currency": "currency code", "total": "order total",
    "status": "order status", "payment_method": "payment method", "payment_state": "payment state",
    "delivery_method": "delivery method", "delivery_cost": "delivery cost", "promised": "promised delivery date",
    "address": "delivery address", "note": "customer note", "sku": "item SKU", "item_name": "item name",
    "qty": "item quantity", "unit_price": "item unit price",
}
VALUE_CHOICES = {
    "status": tuple(states.ORDER),
    "payment_method": states.PAYMENT_METHODS,
    "payment_state": tuple(states.PAYMENT),
}


class Mapping:
    def __init__(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise BadInput(f"mapping file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"mapping file {path}: {exc}") from None
        self.path = path
        csv_opts = data.get("csv", {})
        self.delimiter: str | None = csv_opts.get("delimiter")
        self.encoding: str | None = csv_opts.get("encoding")
        self.date_format: str | None = csv_opts.get("date_format")
        self.columns: dict[str, str] = data.get("columns", {})
        self.values: dict[str, dict[str, str]] = data.get("values", {})
        self.defaults: dict[str, Any] = data.get("defaults", {})
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise BadInput(f"mapping file {path}: unknown field(s) in [columns]: {', '.join(unknown)} "
                           f"(known: {', '.join(FIELDS)})")
        if "number" not in self.columns:
            raise BadInput(f"mapping file {path}: [columns] must name the order number column (number = \"...\")")
        for field, table in self.values.items():
            for source, target in table.items():
                if field in VALUE_CHOICES and target not in VALUE_CHOICES[field]:
                    raise BadInput(f"mapping file {path}: [values.{field}] {source!r} = {target!r}: "
                                   f"must be one of {', '.join(VALUE_CHOICES[field])}")

    def check_header(self, header: list[str]) -> None:
        missing = [f"{field} = {col!r}" for field, col in self.columns.items() if col not in header]
        if missing:
            raise BadInput(f"mapping file {self.path}: column(s) not in the CSV header: {'; '.join(missing)}")

    def get(self, row: dict[str, str], field: str) -> str:
        col = self.columns.get(field)
        value = cell(row, col) if col else ""
        if not value and field in self.defaults:
            value = str(self.defaults[field])
        table = self.values.get(field)
        if table and value in table:
            value = table[value]
        return value


def parse(rows: Iterator[tuple[int, dict[str, str]]], tz, mapping: Mapping) -> Iterator[ParsedOrder | tuple[int, str]]:
    orders: dict[str, ParsedOrder] = {}
    refused: set[str] = set()
    for line, row in rows:
        number = mapping.get(row, "number")
        if not number:
            yield line, "no order number"
            continue
        if number in refused:
            continue
        try:
            order = orders.get(number)
            if order is None:
                order = orders[number] = _order(number, line, row, tz, mapping)
            if mapping.columns.get("item_name") or mapping.columns.get("sku"):
                order.items.append(_item(row, mapping))
        except RowError as exc:
            yield line, f"order {number}: {exc}"
            orders.pop(number, None)
            refused.add(number)
    yield from orders.values()


def _choice(mapping: Mapping, row: dict[str, str], field: str, default: str) -> str:
    value = mapping.get(row, field)
    if not value:
        return default
    if field == "payment_method" and value not in states.PAYMENT_METHODS:
        return payment_method(value)
    if value not in VALUE_CHOICES[field]:
        raise RowError(f"{field} {value!r} is not one of {', '.join(VALUE_CHOICES[field])} "
                       f"(map it in [values.{field}] of the mapping file)")
    return value


def _order(number: str, line: int, row: dict[str, str], tz, mapping: Mapping) -> ParsedOrder:
    from shopcare.context import parse_day

    order = ParsedOrder(number=number, line=line)
    order.created = timestamp(mapping.get(row, "created"), tz, mapping.date_format)
    order.email = mapping.get(row, "email")
    order.name = mapping.get(row, "name") or customer_name(mapping.get(row, "first_name"), mapping.get(row, "last_name"))
    order.phone = mapping.get(row, "phone")
    order.country = mapping.get(row, "country")
    order.marketing = as_bool(mapping.get(row, "marketing"))
    order.currency = mapping.get(row, "currency")
    order.total = money(mapping.get(row, "total"), "total")
    order.status = _choice(mapping, row, "status", "new")
    order.payment_raw = mapping.get(row, "payment_method")
    order.payment_method = _choice(mapping, row, "payment_method", "other")
    order.payment_state = _choice(mapping, row, "payment_state", "unpaid")
    order.delivery_method = mapping.get(row, "delivery_method")
    order.delivery_cost = money(mapping.get(row, "delivery_cost"), "delivery cost")
    promised = mapping.get(row, "promised")
    if promised:
        try:
            order.promised = parse_day(promised)
        except BadInput as exc:
            raise RowError(exc.message) from None
    order.address = mapping.get(row, "address")
    order.note = mapping.get(row, "note")
    order.source_status = mapping.get(row, "status")
    return order


def _item(row: dict[str, str], mapping: Mapping) -> ParsedItem:
    name = mapping.get(row, "item_name") or mapping.get(row, "sku")
    if not name:
        raise RowError("a line item without a name or SKU")
    price = money(mapping.get(row, "unit_price"), "unit price")
    if price is None:
        raise RowError(f"item {name!r} has no price")
    qty_text = mapping.get(row, "qty") or "1"
    return ParsedItem(sku=mapping.get(row, "sku") or name[:40], name=name, qty=quantity(qty_text), unit_price=price)
