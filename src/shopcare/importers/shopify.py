"""Shopify's admin "Export orders" CSV.

One row per line item; the order's own columns are filled on its first row only (later rows
repeat Name, Email, Created at and the Lineitem columns). Columns are looked up by name:
older exports have fewer of them, in the same order.
"""

from __future__ import annotations

from typing import Iterator

from shopcare.importers.base import (
    ParsedItem, ParsedOrder, RowError, as_bool, cell, customer_name, join_address, money, payment_method,
    quantity, timestamp,
)

REQUIRED = {"Name", "Email", "Financial Status", "Lineitem quantity", "Lineitem name", "Lineitem price"}

FINANCIAL = {
    "paid": "paid", "pending": "unpaid", "authorized": "unpaid", "partially_paid": "unpaid",
    "refunded": "refunded", "partially_refunded": "partially_refunded", "voided": "unpaid", "expired": "unpaid",
}


def matches(header: list[str]) -> bool:
    return REQUIRED <= set(header)


def parse(rows: Iterator[tuple[int, dict[str, str]]], tz) -> Iterator[ParsedOrder | tuple[int, str]]:
    """Yields ParsedOrder, or (line, reason) for a row that cannot be read."""
    current: ParsedOrder | None = None
    bad_number: str | None = None
    for line, row in rows:
        number = cell(row, "Name")
        if not number:
            yield line, "no order number (column 'Name')"
            continue
        if bad_number == number:
            continue  # later rows of an order already refused
        try:
            if current is None or number != current.number:
                if current is not None:
                    yield current
                current = None
                bad_number = None
                current = _first_row(number, line, row, tz)
            current.items.append(_item(row))
        except RowError as exc:
            yield line, f"order {number}: {exc}"
            current, bad_number = None, number
    if current is not None:
        yield current


def _first_row(number: str, line: int, row: dict[str, str], tz) -> ParsedOrder:
    financial = cell(row, "Financial Status").lower()
    fulfillment = cell(row, "Fulfillment Status").lower()
    cancelled = cell(row, "Cancelled at")
    if not financial and not cell(row, "Total"):
        raise RowError("its first row has no Financial Status or Total (is the file sorted by order?)")
    status = "cancelled" if cancelled or financial == "voided" else {
        "fulfilled": "shipped", "partial": "confirmed", "restocked": "cancelled",
    }.get(fulfillment, "new")
    order = ParsedOrder(number=number, line=line)
    order.created = timestamp(cell(row, "Created at"), tz)
    order.email = cell(row, "Email")
    order.name = cell(row, "Billing Name") or cell(row, "Shipping Name")
    order.phone = cell(row, "Billing Phone") or cell(row, "Shipping Phone") or cell(row, "Phone")
    order.country = cell(row, "Billing Country") or cell(row, "Shipping Country")
    order.marketing = as_bool(cell(row, "Accepts Marketing"))
    order.currency = cell(row, "Currency")
    order.total = money(cell(row, "Total"), "Total")
    order.payment_state = FINANCIAL.get(financial, "unpaid")
    order.payment_raw = cell(row, "Payment Method")
    order.payment_method = payment_method(order.payment_raw)
    order.delivery_method = cell(row, "Shipping Method")
    order.delivery_cost = money(cell(row, "Shipping"), "Shipping")
    order.address = join_address(
        cell(row, "Shipping Name"), cell(row, "Shipping Street") or cell(row, "Shipping Address1"),
        cell(row, "Shipping Zip"), cell(row, "Shipping City"), cell(row, "Shipping Country"),
    )
    order.note = cell(row, "Notes")
    order.status = status
    order.source_status = "/".join(x for x in (financial, fulfillment) if x)
    order.refunded = money(cell(row, "Refunded Amount"), "Refunded Amount")
    if financial == "paid" and cell(row, "Paid at"):
        order.created = order.created or timestamp(cell(row, "Paid at"), tz)
    return order


def _item(row: dict[str, str]) -> ParsedItem:
    name = cell(row, "Lineitem name")
    if not name:
        raise RowError("a line item without a name")
    price = money(cell(row, "Lineitem price"), "Lineitem price")
    if price is None:
        raise RowError(f"item {name!r} has no price")
    return ParsedItem(
        sku=cell(row, "Lineitem sku") or name[:40],
        name=name,
        qty=quantity(cell(row, "Lineitem quantity"), "Lineitem quantity"),
        unit_price=price,
    )


def customer_full_name(order: ParsedOrder) -> str:
    return customer_name(order.name) or order.email
