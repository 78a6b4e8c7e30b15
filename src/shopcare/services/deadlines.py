"""`shopcare deadlines check`: every promise at risk or broken, acted on once.

Run by the daemon every minute, or from cron. Each finding is written into the record it is
about (the date that was missed, the reminder count, the deadline staff were warned about) in
the same change that queues its messages, so running the check again does nothing new until
something else happens.

What it finds:
- a delivery not delivered past the date the customer has (the promise, or the new date they
  were told): customer told (a new date if the carrier gave one) and staff told;
- an order with a promised date that has not shipped: staff warned when there is less than
  `warn_before` of business time left, and, once the date has passed, handled like a late
  delivery;
- an unpaid transfer or cash-on-delivery order past its reminder schedule: `payment_reminder`,
  at most one per entry of `[deadlines] payment_reminder_after`;
- a return whose refund is coming due or overdue; a complaint whose answer is; a promise
  made to a customer that is coming due; a loyalty discount about to expire (marketing);
- (with the mailbox) customer emails nobody has answered, `escalate_before` their due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from shopcare.store import UNCHANGED


@dataclass
class Finding:
    what: str
    record: str
    action: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Checker:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.now = ctx.now()
        self.today = self.now.astimezone(ctx.tz).date()
        self.cfg = ctx.config
        self.findings: list[Finding] = []

    def note(self, what: str, record: str, action: str, detail: str = "") -> None:
        self.findings.append(Finding(what, record, action, detail))

    def end_of(self, day: date) -> datetime:
        """The moment `day` is over in the shop's time zone (plus the configured grace)."""
        end = datetime.combine(day + timedelta(days=1), time(0), self.ctx.tz)
        return end + timedelta(seconds=self.cfg.deadlines.delivery_grace)

    def due_soon(self, day: date) -> bool:
        """Less than `warn_before` of business time is left until `day` ends."""
        left = self.ctx.calendar.business_seconds_between(self.now, datetime.combine(day + timedelta(days=1), time(0), self.ctx.tz))
        return left <= self.cfg.deadlines.warn_before

    def run(self) -> list[Finding]:
        self.deliveries()
        self.unshipped_orders()
        self.payments()
        self.returns()
        self.complaints()
        self.promises()
        try:
            from shopcare.services.inquiries import escalate

            escalate(self)
        except ModuleNotFoundError as exc:  # the mailbox part is optional in a build without it
            if exc.name != "shopcare.services.inquiries":
                raise
        return self.findings

    # -- deliveries and orders ----------------------------------------------------------------
    def deliveries(self) -> None:
        from shopcare.services.deliveries import _queue

        open_states = ["pending", "info_received", "in_transit", "out_for_delivery", "attempt_failed",
                       "available_for_pickup", "exception"]
        for row in self.store.list("delivery", status=open_states, has_due=True):
            d = self.store.get("delivery", row["id"])
            told = d.delay_told_eta or d.promised
            if told is None or self.now < self.end_of(told) or d.late_for == told:
                continue
            new_date = d.eta if d.eta and d.eta > self.today else None

            def apply(rec, told=told, new_date=new_date):
                if rec.late_for == told:
                    return UNCHANGED
                rec.late_for = told
                if new_date:
                    rec.delay_told_eta = new_date

            def queue(rec, _r, told=told, new_date=new_date):
                _queue(self.ctx, "delivery_delayed", rec, f"late-{told.isoformat()}")
                self.ctx.notifier.alert("delivery_late", f"late:{rec.id}:{told.isoformat()}", order=rec.order,
                                        date=told.isoformat(), carrier=rec.carrier, tracking=rec.tracking,
                                        **_new_date_facts(new_date))

            self.store.update("delivery", d.id, apply, f"late: the {told.isoformat()} date passed", before_save=queue)
            self.note("delivery_late", f"delivery/{d.id}", "customer and staff told", f"promised {told.isoformat()}")

    def unshipped_orders(self) -> None:
        from shopcare.services.deliveries import deliveries_of, update_by
        from shopcare.services.notifications import queue_for_order

        for row in self.store.list("order", status=["new", "confirmed"], has_due=True):
            order = self.store.get("order", row["number"])
            promised = order.promised_by
            if promised is None or deliveries_of(self.ctx, order.number):
                continue
            if self.now >= self.end_of(promised):
                if order.late_for == promised:
                    continue

                def apply(o, promised=promised):
                    if o.late_for == promised:
                        return UNCHANGED
                    o.late_for = promised

                def queue(o, _r, promised=promised):
                    customer = self.store.find("customer", o.customer)
                    delivery = {"id": "", "carrier": o.delivery.method, "tracking": "", "tracking_url": "", "eta": None,
                                "promised": promised, "status": "pending", "pickup_point": "", "pickup_until": None,
                                "note": "", "attempts": 0, "requirements": customer.requirements if customer else "",
                                "update_by": update_by(self.ctx)}
                    queue_for_order(self.ctx, "delivery_delayed", o, f"late-{promised.isoformat()}", delivery=delivery)
                    self.ctx.notifier.alert("delivery_late", f"late:order/{o.number}:{promised.isoformat()}",
                                            order=o.number, date=promised.isoformat(), carrier=o.delivery.method,
                                            **_new_date_facts(None))

                self.store.update("order", order.number, apply, f"late: the {promised.isoformat()} date passed", before_save=queue)
                self.note("order_late", f"order/{order.number}", "customer and staff told", f"promised {promised.isoformat()}, not shipped")
            elif order.status == "confirmed" and self.due_soon(promised) and order.at_risk_told != promised:
                def apply(o, promised=promised):
                    if o.at_risk_told == promised:
                        return UNCHANGED
                    o.at_risk_told = promised

                self.store.update("order", order.number, apply, "promised date at risk: staff warned",
                                  before_save=lambda o, _r, promised=promised: self.ctx.notifier.alert(
                                      "order_at_risk", f"at_risk:{o.number}:{promised.isoformat()}", order=o.number,
                                      date=promised.isoformat()))
                self.note("order_at_risk", f"order/{order.number}", "staff warned", f"promised {promised.isoformat()}, not shipped")

    # -- payments -----------------------------------------------------------------------------
    def payments(self) -> None:
        from shopcare.config_schema import parse_duration
        from shopcare.services.notifications import queue_for_order

        schedule = [parse_duration(d) for d in self.cfg.deadlines.payment_reminder_after]
        if not schedule:
            return
        cal = self.ctx.calendar
        for row in self.store.list("order", status=["new", "confirmed", "shipped"], ref="unpaid"):
            if row.get("payment_method") not in ("transfer", "cod"):
                continue
            sent = row.get("reminders_sent", 0)
            if sent >= len(schedule):
                continue
            due_at = self._after(datetime.fromisoformat(row["created"]), schedule[sent])
            if sent and row.get("reminded_at"):
                # An order found late (cron was off, or imported old) gets its reminders spaced
                # as the schedule spaces them, never two in a row.
                due_at = max(due_at, self._after(datetime.fromisoformat(row["reminded_at"]), schedule[sent] - schedule[sent - 1]))
            if self.now < due_at:
                continue

            def apply(o, sent=sent):
                if o.reminders_sent != sent or o.payment.state != "unpaid":
                    return UNCHANGED
                o.reminders_sent = sent + 1
                o.reminded_at = self.now

            def queue(o, _r, sent=sent):
                pay_by = cal.add_business_days(self.today, 3)
                queue_for_order(self.ctx, "payment_reminder", o, f"reminder-{sent + 1}",
                                reminder={"number": sent + 1, "amount": o.total, "pay_by": pay_by, "title": o.number})

            _, result = self.store.update("order", row["number"], apply, f"payment reminder {sent + 1} sent", before_save=queue)
            if result is not UNCHANGED:
                self.note("payment_reminder", f"order/{row['number']}", f"reminder {sent + 1} sent")

    def _after(self, start: datetime, wait: float) -> datetime:
        """`wait` after `start`: whole days as business days (no reminder lands on a Sunday),
        the rest as business hours."""
        cal = self.ctx.calendar
        if wait % 86400 == 0:
            local = start.astimezone(self.ctx.tz)
            day = cal.add_business_days(local.date(), int(wait // 86400))
            return cal.next_open(datetime.combine(day, local.time(), self.ctx.tz))
        return cal.add_business_time(start, wait)

    # -- returns, complaints, promises ---------------------------------------------------------
    def returns(self) -> None:
        for row in self.store.list("return", status=["requested", "approved", "received"]):
            r = self.store.get("return", row["id"])
            overdue = self.now >= self.end_of(r.refund_due)
            marker = r.refund_due if not overdue else r.refund_due + timedelta(days=1)
            if r.warned == marker or not (overdue or self.due_soon(r.refund_due)):
                continue
            code = "refund_overdue" if overdue else "refund_due"

            def apply(rec, marker=marker):
                if rec.warned == marker:
                    return UNCHANGED
                rec.warned = marker

            self.store.update("return", r.id, apply, f"staff told: {code.replace('_', ' ')}",
                              before_save=lambda rec, _r, code=code, marker=marker: self.ctx.notifier.alert(
                                  code, f"{code}:{rec.id}:{marker.isoformat()}", id=rec.id, order=rec.order,
                                  date=rec.refund_due.isoformat(), items=rec.items))
            self.note(code, f"return/{r.id}", "staff told", f"refund due {r.refund_due.isoformat()}")

    def complaints(self) -> None:
        silence = {"en": "If it is not answered by then, the law treats it as accepted.",
                   "pl": "Brak odpowiedzi w terminie oznacza uznanie reklamacji.",
                   "lt": "Neatsakius iki šios datos, pretenzija laikoma patenkinta.",
                   "ru": "Если не ответить до этой даты, претензия считается удовлетворённой."}
        for row in self.store.list("complaint", status=["open"]):
            c = self.store.get("complaint", row["id"])
            overdue = self.now >= self.end_of(c.due)
            if overdue:
                if c.overdue_told == c.due:
                    continue
                field, code = "overdue_told", "complaint_overdue"
            else:
                if c.warned == c.due or not self.due_soon(c.due):
                    continue
                field, code = "warned", "complaint_due"

            def apply(rec, field=field):
                if getattr(rec, field) == rec.due:
                    return UNCHANGED
                setattr(rec, field, rec.due)

            lang = self.cfg.shop.default_language
            self.store.update("complaint", c.id, apply, f"staff told: {code.replace('_', ' ')}",
                              before_save=lambda rec, _r, code=code: self.ctx.notifier.alert(
                                  code, f"{code}:{rec.id}:{rec.due.isoformat()}", id=rec.id, order=rec.order,
                                  date=rec.due.isoformat(), silence=silence.get(lang, "") if rec.silence_accepts else ""))
            self.note(code, f"complaint/{c.id}", "staff told", f"answer due {c.due.isoformat()}")

    def promises(self) -> None:
        from shopcare.notify.views import base_vars

        remind = self.cfg.loyalty.remind_before
        for row in self.store.list("promise", status=["open"], has_due=True):
            p = self.store.get("promise", row["id"])
            if p.kind == "loyalty":
                # Remind the customer before the discount they were promised runs out (marketing).
                if p.reminded or self.now < self.end_of(p.due) - timedelta(seconds=remind) or self.today > p.due:
                    continue
                customer = self.store.find("customer", p.customer)

                def apply(rec):
                    if rec.reminded:
                        return UNCHANGED
                    rec.reminded = self.today

                def queue(rec, _r, customer=customer):
                    if customer is None:
                        return
                    variables = {**base_vars(self.ctx, customer.language, customer),
                                 "promise": {"what": rec.what, "due": rec.due}}
                    self.ctx.notifier.enqueue(self.ctx.notifier.for_customer(
                        "loyalty_reminder", customer, variables, f"promise/{rec.id}", "reminder"))

                self.store.update("promise", p.id, apply, "loyalty reminder", before_save=queue)
                self.note("loyalty_reminder", f"promise/{p.id}", "customer reminded (if they agreed to offers)")
                continue
            if p.warned == p.due or not self.due_soon(p.due):
                continue
            customer = self.store.find("customer", p.customer)

            def apply_w(rec):
                if rec.warned == rec.due:
                    return UNCHANGED
                rec.warned = rec.due

            self.store.update("promise", p.id, apply_w, "staff told: promise due",
                              before_save=lambda rec, _r, customer=customer: self.ctx.notifier.alert(
                                  "promise_due", f"promise:{rec.id}:{rec.due.isoformat()}", id=rec.id,
                                  customer=customer.name if customer else rec.customer, date=rec.due.isoformat(), what=rec.what))
            self.note("promise_due", f"promise/{p.id}", "staff told", f"due {p.due.isoformat()}")


def _new_date_facts(new_date: date | None) -> dict[str, str]:
    if new_date is None:
        return {"new_date_en": " and promised the new date by the next business day",
                "new_date_pl": " i obiecano mu nowy termin w następnym dniu roboczym",
                "new_date_lt": " ir pažadėta naują datą pranešti kitą darbo dieną",
                "new_date_ru": " и обещали сообщить новую дату на следующий рабочий день"}
    d = new_date.isoformat()
    return {"new_date_en": f" of the new date {d}", "new_date_pl": f" o nowym terminie {d}",
            "new_date_lt": f" apie naują datą {d}", "new_date_ru": f" о новой дате {d}"}


def check(ctx) -> list[Finding]:
    return Checker(ctx).run()
