"""Customer emails after they are recorded: escalation before they are due, answers, owners."""

from __future__ import annotations

from datetime import datetime, timedelta

from shopcare.errors import BadInput
from shopcare.services.customers import clean_text
from shopcare.store import UNCHANGED


def escalate(checker) -> None:
    """Staff on duty are alerted once about each email nobody has answered `escalate_before`
    its due time (counted in business time); probe mails never alert anyone."""
    ctx, store = checker.ctx, checker.store
    window = ctx.config.inquiries.escalate_before
    # Business time never runs faster than the clock: nothing due later than this needs an alert yet.
    horizon = ctx.calendar.add_business_time(checker.now, window)
    for row in store.list("inquiry", status=["open", "acknowledged"], due_before=horizon + timedelta(seconds=1), order="due"):
        if row.get("probe"):
            continue
        due = datetime.fromisoformat(row["due"])
        left = ctx.calendar.business_seconds_between(checker.now, due)
        if left > window:
            break  # sorted by due time: the rest are later
        inq = store.get("inquiry", row["id"])
        if inq.escalated_at is not None:
            continue

        def apply(rec):
            if rec.escalated_at is not None or rec.status not in ("open", "acknowledged"):
                return UNCHANGED
            rec.escalated_at = checker.now

        def queue(rec, _r):
            local = rec.due.astimezone(ctx.tz)
            order_line = f"Order {rec.order}" if rec.order else ""
            ctx.notifier.alert("inquiry_due", f"inquiry:{rec.id}", sender=rec.sender_name or rec.sender,
                               time=f"{local:%Y-%m-%d %H:%M}", subject=rec.subject, order_line=order_line, id=rec.id)

        _, result = store.update("inquiry", inq.id, apply, "staff alerted: answer due soon", before_save=queue)
        if result is not UNCHANGED:
            checker.note("inquiry_due", f"inquiry/{inq.id}", "staff alerted", f"due {due:%Y-%m-%d %H:%M}")


def answer(ctx, inquiry_id: str, *, at: datetime, by: str) -> tuple[object, bool]:
    def apply(rec):
        if rec.status == "answered":
            return UNCHANGED
        rec.status = "answered"
        rec.answered_at = at
        rec.answered_by = by

    rec, result = ctx.store.update("inquiry", inquiry_id, apply, f"answered ({by})")
    return rec, result is not UNCHANGED


def assign(ctx, inquiry_id: str, to: str):
    name = clean_text(to, "--to", max_len=80)
    if not name:
        raise BadInput("say who takes it (--to NAME)")

    def apply(rec):
        if rec.assigned_to == name:
            return UNCHANGED
        rec.assigned_to = name

    rec, _ = ctx.store.update("inquiry", inquiry_id, apply, f"assigned to {name}")
    return rec


def answered_by_reply(ctx, message_ids: list[str], at: datetime) -> list[str]:
    """A reply staff sent from their own mail client (seen in the Sent folder): the inquiries it
    answers, found by the Message-IDs it refers to (the customer's mail, or our acknowledgement)."""
    import re

    store = ctx.store
    found: list[str] = []
    for mid in message_ids:
        ids = store.ids("inquiry", ref=mid)
        if not ids:
            hit = re.match(r"<shopcare\.([0-9a-f]{24})@", mid)
            if hit:
                try:
                    _state, msg = ctx.outbox.find(hit.group(1))
                except Exception:
                    continue
                kind, _, rid = msg.record.partition("/")
                ids = [rid] if kind == "inquiry" else []
        for iid in ids:
            rec = store.find("inquiry", iid)
            if rec is None or rec.status == "answered" or iid in found:
                continue
            answer(ctx, iid, at=at, by="staff reply (Sent folder)")
            found.append(iid)
    return found
