"""`report sla`: how fast customers hear back, from the mystery shopper and from real mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from shopcare.services.reports import customer_inquiries


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 1)


def sla_report(ctx, since: datetime | None = None) -> dict[str, Any]:
    from shopcare import probe as probe_mod

    now = ctx.now()
    days: dict[str, dict[str, Any]] = defaultdict(lambda: {"probes": 0, "probes_ok": 0, "probe_seconds": [],
                                                           "inquiries": 0, "ack_seconds": [], "answer_minutes": [],
                                                           "overdue": 0})
    probes = [p for p in probe_mod.results(ctx) if not since or datetime.fromisoformat(p["at"]) >= since]
    for p in probes:
        day = days[datetime.fromisoformat(p["at"]).astimezone(ctx.tz).date().isoformat()]
        day["probes"] += 1
        day["probes_ok"] += bool(p["ok"])
        if p.get("seconds") is not None:
            day["probe_seconds"].append(p["seconds"])
    outbox = ctx.outbox
    ack_all, answer_all, overdue_total, open_overdue = [], [], 0, 0
    for row in customer_inquiries(ctx):
        received = datetime.fromisoformat(row["received"])
        if since and received < since:
            continue
        q = ctx.store.get("inquiry", row["id"])
        day = days[received.astimezone(ctx.tz).date().isoformat()]
        day["inquiries"] += 1
        if q.ack:
            try:
                state, msg = outbox.find(q.ack)
                if state == "sent" and msg.sent_at:
                    secs = (datetime.fromisoformat(msg.sent_at) - received).total_seconds()
                    day["ack_seconds"].append(secs)
                    ack_all.append(secs)
            except Exception:  # the ack was purged from the outbox: its time is no longer known
                pass
        if q.answered_at:
            minutes = (q.answered_at - received).total_seconds() / 60
            day["answer_minutes"].append(minutes)
            answer_all.append(minutes)
        late = (q.due and ((q.answered_at and q.answered_at > q.due) or (not q.answered_at and now > q.due)))
        if late:
            day["overdue"] += 1
            overdue_total += 1
            open_overdue += not q.answered_at
    rows = []
    for date in sorted(days):
        d = days[date]
        rows.append({"date": date, "probes": d["probes"], "probes_ok": d["probes_ok"],
                     "probe_p50_seconds": _pct(d["probe_seconds"], 50), "inquiries": d["inquiries"],
                     "ack_p50_seconds": _pct(d["ack_seconds"], 50), "ack_p90_seconds": _pct(d["ack_seconds"], 90),
                     "answer_p50_minutes": _pct(d["answer_minutes"], 50), "answer_p90_minutes": _pct(d["answer_minutes"], 90),
                     "overdue": d["overdue"]})
    probe_secs = [p["seconds"] for p in probes if p.get("seconds") is not None]
    return {
        "since": since.isoformat() if since else None, "timezone": ctx.config.shop.timezone,
        "probes": {"runs": len(probes), "ok": sum(1 for p in probes if p["ok"]), "p50_seconds": _pct(probe_secs, 50),
                   "p90_seconds": _pct(probe_secs, 90), "last": probes[-1] if probes else None,
                   "failures": [{"at": p["at"], "failed": [n for n, c in p["checks"].items() if not c["ok"]]}
                                for p in probes if not p["ok"]][-10:]},
        "inquiries": {"count": sum(d["inquiries"] for d in days.values()), "ack_p50_seconds": _pct(ack_all, 50),
                      "ack_p90_seconds": _pct(ack_all, 90), "answer_p50_minutes": _pct(answer_all, 50),
                      "answer_p90_minutes": _pct(answer_all, 90), "overdue": overdue_total, "open_overdue": open_overdue},
        "days": rows,
    }
