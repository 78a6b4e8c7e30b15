"""`template check`: every kind in every language renders, and its SMS fits."""

from __future__ import annotations

from shopcare.errors import ShopcareError


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
            try:
                r = renderer.render(kind, lang, sample_vars(ctx, kind, lang))
            except ShopcareError as exc:
                row["problem"] = exc.message
                out.append(row)
                continue
            sms = smstext.transliterate(r.sms) if ctx.config.sms.transliterate else r.sms
            count = smstext.count(sms)
            row["sms_parts"], row["sms_encoding"] = count.parts, count.encoding
            if not r.subject or not r.email.strip() or not sms:
                row["problem"] = "an empty subject, email or SMS"
            elif count.parts > limit:
                row["problem"] = f"SMS is {count.parts} parts ({count.encoding}), over [sms] max_segments = {limit}"
            out.append(row)
    return out
