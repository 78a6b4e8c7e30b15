"""Complaints: recorded with the date the law gives the shop to answer, and answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shopcare.errors import BadInput, RefusedError
from shopcare.model.complaint import DECISIONS, KINDS, Complaint
from shopcare.services.customers import check_choice, clean_text
from shopcare.services.notifications import next_version_tag, order_vars
from shopcare.services.returns import delivered_on, legal


def complaint_view(c: Complaint) -> dict[str, Any]:
    return {"id": c.id, "due": c.due, "kind": c.kind, "decision": c.decision, "text": c.answer,
            "silence_accepts": c.silence_accepts}


def _queue(ctx, kind: str, c: Complaint, tag: str) -> None:
    order = ctx.store.get("order", c.order)
    customer = ctx.store.find("customer", order.customer)
    if customer is None:
        return
    variables = order_vars(ctx, order, customer, complaint=complaint_view(c))
    ctx.notifier.enqueue(ctx.notifier.for_customer(kind, customer, variables, f"complaint/{c.id}", tag))


def open_complaint(ctx, order_ref: str, *, text: str, kind: str, at: datetime) -> Complaint:
    check_choice(kind, KINDS, "--kind")
    text = clean_text(text, "text", max_len=4000, multiline=True)
    if not text:
        raise BadInput("say what the complaint is about (--text)")
    store = ctx.store
    with store.lock:
        order = store.get("order", order_ref)
        customer = store.find("customer", order.customer)
        rules = legal(ctx, customer)
        opened_on = at.astimezone(ctx.tz).date()
        guarantee_until = None
        if kind == "goods":
            day = delivered_on(ctx, order)
            if day is None and order.status not in ("delivered", "completed"):
                raise RefusedError(f"order {order.number} has not been delivered; a complaint about the goods needs them delivered",
                                   hint="for a complaint about the service, use --kind service")
            if day is not None:
                guarantee_until = rules.guarantee_until(day)
                if opened_on > guarantee_until:
                    raise RefusedError(f"the legal guarantee for order {order.number} ran out on {guarantee_until.isoformat()} "
                                       f"(delivered on {day.isoformat()})",
                                       hint="answer the customer yourself; a goodwill repair is still possible")
        days = rules.complaint_goods_days if kind == "goods" else rules.complaint_service_days
        now = ctx.now()
        c = Complaint(id=store.next_id("complaint", "K"), order=order.number, customer=order.customer, kind=kind,
                      text=text, opened=at, due=ctx.calendar.legal_deadline(opened_on, days), created=now, updated=now,
                      guarantee_until=guarantee_until, silence_accepts=rules.silence_accepts and kind == "goods")
        store.create(c, f"complaint opened ({kind})", before_save=lambda rec: _queue(ctx, "complaint_received", rec, "v1"))
    return c


def answer_complaint(ctx, complaint_id: str, *, decision: str, text: str, at: datetime) -> Complaint:
    check_choice(decision, DECISIONS, "--decision")
    text = clean_text(text, "text", max_len=4000, multiline=True)
    if not text:
        raise BadInput("the answer needs a text (--text): it is what the customer reads")
    c, _ = ctx.store.update("complaint", complaint_id, lambda c: c.answer_with(decision, text, at), f"answered: {decision}",
                            before_save=lambda c, _r: _queue(ctx, "complaint_answer", c, next_version_tag(c)))
    return c
