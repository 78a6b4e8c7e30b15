"""Queueing the messages an event owes a customer, from inside the change that causes it."""

from __future__ import annotations

from typing import Any

from shopcare.notify.views import base_vars, order_view


def order_vars(ctx, order, customer, **extra: Any) -> dict[str, Any]:
    lang = customer.language if customer else ctx.config.shop.default_language
    return {**base_vars(ctx, lang, customer, order.currency), "order": order_view(ctx, order), **extra}


def queue_for_order(ctx, kind: str, order, tag: str, **extra: Any) -> int:
    """Queue `kind` about `order` to its customer, on their channel(s); `tag` names the event
    (normally the order version the change creates), so the same event never queues twice."""
    customer = ctx.store.find("customer", order.customer)
    if customer is None:
        return 0
    messages = ctx.notifier.for_customer(kind, customer, order_vars(ctx, order, customer, **extra),
                                         f"order/{order.number}", tag)
    return ctx.notifier.enqueue(messages)


def next_version_tag(record) -> str:
    return f"v{record.version + 1}"
