"""Phone work: orders to confirm by phone, promised call-backs."""

from __future__ import annotations

from typing import Any


def phone_work(ctx) -> list[dict[str, Any]]:
    store = ctx.store
    rows: list[dict[str, Any]] = []
    for row in store.list("order", status=["new", "confirmed"]):
        order = store.get("order", row["number"])
        if not order.phone_confirmation or "phone" in order.confirmed_by:
            continue
        customer = store.find("customer", order.customer)
        rows.append({"what": "confirm order", "ref": order.number, "customer": order.customer,
                     "name": customer.name if customer else "", "phone": customer.phone if customer else "",
                     "requirements": customer.requirements if customer else "", "due": None,
                     "detail": f"{order.total} {order.currency}, {order.delivery.method or 'delivery not agreed'}"})
    for row in store.list("promise", status=["open"], order="id"):
        if row.get("kind") != "call":
            continue
        customer = store.find("customer", row["customer"])
        rows.append({"what": "call back", "ref": row["id"], "customer": row["customer"],
                     "name": customer.name if customer else "", "phone": customer.phone if customer else "",
                     "requirements": customer.requirements if customer else "", "due": row["due"], "detail": row["what"]})
    return rows
