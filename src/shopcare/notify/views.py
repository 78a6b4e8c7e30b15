"""The variables templates see, built from records (and a sample set for checks and previews).

Templates get plain values (text, numbers, Decimal amounts, dates), never the records
themselves, so what a template can reach is exactly what is listed here (README: Templates).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any


def shop_view(cfg) -> dict[str, Any]:
    s = cfg.shop
    return {"name": s.name, "email": s.email, "phone": s.phone, "website": s.website,
            "bank_account": s.bank_account}


def customer_view(customer) -> dict[str, Any]:
    name = (customer.name or "").strip() if customer else ""
    return {"name": name, "first_name": name.split()[0] if name else "", "id": customer.id if customer else ""}


def order_view(ctx, order) -> dict[str, Any]:
    d = order.delivery
    ship_by = None
    if not d.promised:
        # Never "soon": without an agreed date the customer still gets the day it ships by,
        # counted in business days from now (an old imported order is confirmed today).
        start = max(order.created, ctx.now()).astimezone(ctx.tz).date()
        ship_by = ctx.calendar.add_business_days(start, ctx.config.shop.dispatch_days)
    return {
        "number": order.number, "total": order.total, "currency": order.currency, "status": order.status,
        "items": [{"name": i.name, "sku": i.sku, "qty": i.qty, "unit_price": i.unit_price, "line_total": i.line_total}
                  for i in order.items],
        "payment_method": order.payment.method, "payment_state": order.payment.state,
        "paid": order.payment.state == "paid", "cod": order.payment.method == "cod",
        "delivery_method": d.method, "delivery_cost": d.cost, "delivery_free": d.cost is not None and d.cost == 0,
        "promised": d.promised, "promised_until": d.promised_until, "ship_by": ship_by, "address": d.address,
        "cancel_reason": order.cancel_reason or "", "created": order.created,
        "refunded": order.payment.refunded,
    }


def base_vars(ctx, lang: str, customer=None, currency: str | None = None) -> dict[str, Any]:
    tz = (customer.timezone if customer is not None and customer.timezone else None) or ctx.config.shop.timezone
    return {"lang": lang, "tz": tz, "shop_tz": ctx.config.shop.timezone, "currency": currency or ctx.config.shop.currency,
            "shop": shop_view(ctx.config), "customer": customer_view(customer), "today": ctx.now().date()}


def sample_vars(ctx, kind: str, lang: str) -> dict[str, Any]:
    """Realistic values for every variable any kind may use (template check and previews)."""
    now = ctx.now()
    today = now.date()
    shop = shop_view(ctx.config)
    if not shop["bank_account"]:
        shop["bank_account"] = "PL61 1090 1014 0000 0712 1981 2874"
    order = {
        "number": "A1001", "total": Decimal("249.00"), "currency": "PLN", "status": "confirmed",
        "items": [{"name": "Sencha Kagoshima 100 g", "sku": "TEA-SEN-100", "qty": 2, "unit_price": Decimal("39.00"),
                   "line_total": Decimal("78.00")},
                  {"name": "Czarka ceramiczna", "sku": "CUP-CER-01", "qty": 1, "unit_price": Decimal("171.00"),
                   "line_total": Decimal("171.00")}],
        "payment_method": "transfer", "payment_state": "unpaid", "paid": False, "cod": False,
        "delivery_method": "InPost Paczkomat", "delivery_cost": Decimal("0"), "delivery_free": True,
        "promised": today + timedelta(days=4), "promised_until": None, "ship_by": today + timedelta(days=1),
        "address": "ul. Floriańska 12, 30-001 Kraków", "cancel_reason": "the item is out of stock",
        "created": now - timedelta(hours=2), "refunded": Decimal("249.00"),
    }
    delivery = {
        "id": "A1001-1", "carrier": "InPost", "tracking": "620111222333444555666777",
        "tracking_url": "https://inpost.pl/sledzenie-przesylek?number=620111222333444555666777",
        "eta": today + timedelta(days=5), "promised": today + timedelta(days=4), "status": "in_transit",
        "pickup_point": "KRA01M, ul. Długa 5, Kraków", "pickup_until": today + timedelta(days=2),
        "note": "", "attempts": 1, "requirements": "Deliver after 16:00, please call first",
        "update_by": today + timedelta(days=1),
    }
    values = {
        **base_vars(ctx, lang, None, "PLN"),
        "shop": shop,
        "customer": {"name": "Anna Nowak", "first_name": "Anna", "id": "C00001"},
        "order": order,
        "delivery": delivery,
        "reminder": {"number": 1, "amount": Decimal("249.00"), "pay_by": today + timedelta(days=3),
                     "title": "A1001"},
        "rights": {"withdrawal_days": 14, "withdrawal_until": today + timedelta(days=14),
                   "guarantee_until": today.replace(year=today.year + 2), "complaint_days": 14},
        "loyalty": {"discount": "10%", "code": "THANKS-A1001", "valid_until": today + timedelta(days=90)},
        "refund": {"amount": Decimal("249.00"), "currency": "PLN", "method": "transfer",
                   "when": today},
        "ret": {"id": "R00001", "items": "Czarka ceramiczna x1", "refund_due": today + timedelta(days=14),
                "reason": "changed my mind", "rejection_reason": "the 14-day window closed on 2026-11-01",
                "return_address": "Herbaciarnia Lipowa, ul. Lipowa 1, 31-000 Kraków", "send_by": today + timedelta(days=14),
                "goodwill": False},
        "complaint": {"id": "K00001", "due": today + timedelta(days=14), "kind": "goods", "decision": "replace",
                      "text": "We will send you a new cup by courier; please keep the broken one.",
                      "silence_accepts": True},
        "inquiry": {"id": "Q00001", "subject": "Where is my order A1001?", "due": now + timedelta(hours=2),
                    "received": now, "order": order},
        "promise": {"what": "10% off your next order (code THANKS-A1001)", "due": today + timedelta(days=3)},
        "alert": {"title": "Inquiry Q00001 from Anna Nowak is due at 11:30",
                  "lines": ["Subject: Where is my order A1001?", "Order A1001: confirmed",
                            "Answer it from your mail client; shopcare sees the reply in Sent."]},
    }
    return values
