"""WooCommerce orders from the SkyVerge "Customer/Order/Coupon Export" plugin.

Two layouts: "Default - One Row per Item" (item_* columns, every row repeats the order's
columns) and "Default" (one row per order, the items packed into `line_items` as
`key:value|...` entries separated by `;`, with `:`, `|` and `;` backslash-escaped).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from shopcare.importers.base import (
    ParsedItem, ParsedOrder, RowError, cell, customer_name, join_address, money, payment_method, quantity,
    timestamp,
)

PER_ITEM = {"order_id", "status", "order_total", "billing_email", "item_name", "item_quantity"}
PACKED = {"order_id", "status", "order_total", "billing_email", "line_items"}

STATUS = {
    "pending": ("new", "unpaid"), "on-hold": ("new", "unpaid"), "processing": ("new", "paid"),
    "completed": ("completed", "paid"), "cancelled": ("cancelled", "unpaid"), "refunded": ("cancelled", "refunded"),
    "failed": ("cancelled", "unpaid"), "checkout-draft": ("new", "unpaid"), "shipped": ("shipped", "paid"),
}
# Cash on delivery orders go straight to 'processing' before any money arrives; bank transfers
# (bacs) wait in 'on-hold' until the shop sees the money and moves them on.
_PAY_LATER = {"cod"}


def matches(header: list[str]) -> bool:
    h = set(header)
    return PER_ITEM <= h or PACKED <= h


def split_escaped(text: str, sep: str) -> list[str]:
    """Split on `sep` except where it is backslash-escaped; unescape the parts."""
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i: i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def packed_entries(text: str) -> list[dict[str, str]]:
    entries = []
    for chunk in split_escaped(text, ";"):
        if not chunk.strip():
            continue
        entry = {}
        for pair in split_escaped(chunk, "|"):
            key, *rest = split_escaped(pair, ":")
            entry[unescape(key)] = unescape(":".join(rest))
        entries.append(entry)
    return entries


def parse(rows: Iterator[tuple[int, dict[str, str]]], tz) -> Iterator[ParsedOrder | tuple[int, str]]:
    current: ParsedOrder | None = None
    current_id = None
    bad_id = None
    for line, row in rows:
        order_id = cell(row, "order_id")
        number = cell(row, "order_number_formatted") or cell(row, "order_number") or order_id
        if not number:
            yield line, "no order number (columns order_number / order_id)"
            continue
        if bad_id == order_id:
            continue
        try:
            if current is None or order_id != current_id:
                if current is not None:
                    yield current
                current, bad_id = None, None
                current = _order(number, line, row, tz)
                current_id = order_id
            if "line_items" in row:
                for entry in packed_entries(row["line_items"]):
                    current.items.append(_packed_item(entry))
            else:
                current.items.append(_item(row))
        except RowError as exc:
            yield line, f"order {number}: {exc}"
            current, bad_id = None, order_id
    if current is not None:
        yield current


def _order(number: str, line: int, row: dict[str, str], tz) -> ParsedOrder:
    raw_status = cell(row, "status").lower().removeprefix("wc-")
    status, paid = STATUS.get(raw_status, ("new", "unpaid"))
    gateway = cell(row, "payment_method")
    order = ParsedOrder(number=number, line=line)
    order.created = timestamp(cell(row, "date") or cell(row, "order_date"), tz)
    order.email = cell(row, "billing_email")
    order.name = customer_name(cell(row, "billing_first_name"), cell(row, "billing_last_name"))
    order.phone = cell(row, "billing_phone")
    order.country = cell(row, "billing_country") or cell(row, "shipping_country")
    order.currency = cell(row, "order_currency")
    order.total = money(cell(row, "order_total"), "order_total")
    order.payment_raw = gateway
    order.payment_method = payment_method(gateway) if gateway not in ("bacs", "cheque") else "transfer"
    if gateway in ("p24-blik", "payublik"):
        order.payment_method = "blik"
    if paid == "paid" and gateway.lower() in _PAY_LATER and raw_status == "processing":
        paid = "unpaid"  # cod orders are 'processing' before the money arrives
    order.payment_state = paid
    refunded = money(cell(row, "refunded_total"), "refunded_total")
    if refunded and order.total and refunded < order.total and paid in ("paid", "refunded"):
        order.payment_state = "partially_refunded"
    order.refunded = refunded or None
    order.delivery_method = cell(row, "shipping_method")
    order.delivery_cost = money(cell(row, "shipping_total"), "shipping_total")
    order.address = join_address(
        customer_name(cell(row, "shipping_first_name"), cell(row, "shipping_last_name")),
        cell(row, "shipping_address_1"), cell(row, "shipping_address_2"), cell(row, "shipping_postcode"),
        cell(row, "shipping_city"), cell(row, "shipping_country"),
    )
    order.note = cell(row, "customer_note")
    order.status = status
    order.source_status = raw_status
    return order


def _unit_price(subtotal: str, subtotal_tax: str, total: str, qty: int, what: str) -> Decimal:
    """The price a customer paid per unit, tax included (the plugin's amounts are net)."""
    base = money(subtotal, f"{what} subtotal")
    if base is None:
        base = money(total, f"{what} total")
    if base is None:
        raise RowError(f"{what} has no price")
    tax = money(subtotal_tax, f"{what} tax") or Decimal("0")
    return ((base + tax) / qty).quantize(Decimal("0.01"))


def _item(row: dict[str, str]) -> ParsedItem:
    name = cell(row, "item_name")
    if not name:
        raise RowError("a line item without a name")
    qty = quantity(cell(row, "item_quantity"), "item_quantity")
    return ParsedItem(
        sku=cell(row, "item_sku") or name[:40], name=name, qty=qty,
        unit_price=_unit_price(cell(row, "item_subtotal"), cell(row, "item_subtotal_tax"), cell(row, "item_total"), qty, f"item {name!r}"),
    )


def _packed_item(entry: dict[str, str]) -> ParsedItem:
    name = entry.get("name", "").strip()
    if not name:
        raise RowError("a line item without a name in line_items")
    qty = quantity(entry.get("quantity", ""), "line_items quantity")
    return ParsedItem(
        sku=entry.get("sku", "").strip() or name[:40], name=name, qty=qty,
        unit_price=_unit_price(entry.get("subtotal", ""), entry.get("subtotal_tax", ""), entry.get("total", ""), qty, f"item {name!r}"),
    )
