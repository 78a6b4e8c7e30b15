"""Linking a mail to what it is about: the order, the customer, the conversation, the language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopcare.mailbox.language import detect
from shopcare.mailbox.parse import ParsedMail

LANGS = ("en", "pl", "lt", "ru")
_OUR_ID = re.compile(r"<shopcare\.([0-9a-f]{24})@")


@dataclass
class Thread:
    order: str = ""
    customer: str = ""
    language: str = ""
    thread: str = ""  # the Message-ID that started the conversation
    reply_to_ours: bool = False  # it answers a message shopcare sent
    earlier: str = ""  # an earlier inquiry in the same conversation


def find_order(ctx, m: ParsedMail) -> str:
    """The first order number in the subject, then the text, that names an order the shop has."""
    pattern = re.compile(ctx.config.mailbox.order_pattern)
    seen = set()
    for source in (m.subject, m.text[:5000]):
        for match in pattern.finditer(source):
            number = (match.group(1) if match.groups() else match.group(0)).lstrip("#")
            if number in seen:
                continue
            seen.add(number)
            try:
                if ctx.store.exists("order", number):
                    return number
            except Exception:  # not a valid id (the pattern is the shop's): not an order then
                continue
    return ""


def _from_our_messages(ctx, m: ParsedMail, t: Thread) -> None:
    """A reply to one of our messages: the order or inquiry that message was about."""
    outbox = ctx.outbox
    for ref in [m.in_reply_to, *reversed(m.references)]:
        hit = _OUR_ID.match(ref or "")
        if not hit:
            continue
        t.reply_to_ours = True
        try:
            _state, msg = outbox.find(hit.group(1))
        except Exception:
            continue
        kind, _, rid = msg.record.partition("/")
        if kind == "order" and not t.order:
            t.order = rid
        elif kind == "inquiry":
            earlier = ctx.store.find("inquiry", rid)
            if earlier is not None:
                t.earlier = earlier.id
                t.order = t.order or earlier.order
                t.thread = earlier.thread or earlier.message_id
        elif kind in ("delivery", "return", "complaint"):
            rec = ctx.store.find(kind, rid)
            if rec is not None and not t.order:
                t.order = rec.order
        if msg.customer and not t.customer:
            t.customer = msg.customer
        return


def thread(ctx, m: ParsedMail) -> Thread:
    from shopcare.services.customers import find_by_email

    t = Thread()
    _from_our_messages(ctx, m, t)
    if not t.thread:
        refs = [r for r in m.references if r] or ([m.in_reply_to] if m.in_reply_to else [])
        t.thread = refs[0] if refs else m.message_id
        if refs and not t.earlier:
            ids = ctx.store.ids("inquiry", ref=refs[0])
            if ids:
                earlier = ctx.store.get("inquiry", ids[0])
                t.earlier, t.order, t.customer = earlier.id, earlier.order, t.customer or earlier.customer
    if not t.order:
        t.order = find_order(ctx, m)
    customer = None
    if m.sender:
        customer = find_by_email(ctx, m.sender)
    if customer is None and t.customer:
        customer = ctx.store.find("customer", t.customer)
    if customer is None and t.order:
        order = ctx.store.find("order", t.order)
        owner = ctx.store.find("customer", order.customer) if order else None
        if owner is not None and owner.email and owner.email.lower() == m.sender:
            customer = owner
    if customer is not None and not customer.forgotten:
        t.customer = customer.id
        t.language = customer.language
    if not t.language:
        tag = (m.content_language or "")[:2]
        t.language = tag if tag in LANGS else detect(m.subject + "\n" + m.text, ctx.config.shop.default_language)
    return t
