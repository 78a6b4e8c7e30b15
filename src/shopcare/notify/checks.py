"""`template check`: every kind in every language renders, and its SMS fits, in each of the
situations that take a template down another branch."""

from __future__ import annotations

import copy
from typing import Any, Callable

from shopcare.errors import ShopcareError


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def apply(v: dict) -> None:
        *parents, last = path.split(".")
        node = v
        for p in parents:
            node = node[p]
        node[last] = value
    return apply


# Besides the sample data: the situations that change what a template says.
VARIANTS: dict[str, list[tuple[str, Callable[[dict], None]]]] = {
    "order_confirmed": [("no agreed date", _set("order.promised", None)),
                        ("a delivery window", _set("order.promised_until", "2026-11-30")),
                        ("cash on delivery", _set("order.cod", True))],
    "delivery_delayed": [("late, no new date yet", _set("delivery.eta", None))],
    "delivered": [("no loyalty discount", _set("loyalty", None))],
    "inquiry_ack": [("no order found", _set("inquiry.order", None))],
    "payment_reminder": [("cash on delivery", _set("order.cod", True)), ("no bank account", _set("shop.bank_account", ""))],
    "order_cancelled": [("paid: a refund follows", _set("order.paid", True))],
    "complaint_answer": [("rejected", _set("complaint.decision", "rejected"))],
    "return_received": [("goodwill", _set("ret.goodwill", True))],
}


def check_templates(ctx) -> list[dict]:
    from shopcare.notify import smstext
    from shopcare.notify.kinds import KINDS
    from shopcare.notify.render import LOCALES, Renderer
    from shopcare.notify.views import sample_vars

    renderer = Renderer(ctx.data_dir / "templates")
    limit = ctx.config.sms.max_segments
    out = []
    for kind in KINDS:
        for lang in LOCALES:
            row = {"kind": kind, "lang": lang, "source": renderer.source_of(kind, lang), "problem": "",
                   "sms_parts": None, "sms_encoding": None}
            base = sample_vars(ctx, kind, lang)
            for label, change in [("", None), *VARIANTS.get(kind, [])]:
                variables = copy.deepcopy(base)
                if change:
                    change(variables)
                where = f" (when {label})" if label else ""
                try:
                    r = renderer.render(kind, lang, variables)
                except ShopcareError as exc:
                    row["problem"] = exc.message + where
                    break
                sms = smstext.transliterate(r.sms) if ctx.config.sms.transliterate else r.sms
                count = smstext.count(sms)
                if not label:
                    row["sms_parts"], row["sms_encoding"] = count.parts, count.encoding
                if not r.subject or not r.email.strip() or not sms:
                    row["problem"] = "an empty subject, email or SMS" + where
                    break
                if count.parts > limit:
                    row["problem"] = f"SMS is {count.parts} parts ({count.encoding}), over [sms] max_segments = {limit}" + where
                    break
            out.append(row)
    return out
