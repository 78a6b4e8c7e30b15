"""`shopcare demo`: the whole care loop on a throwaway data directory, with no server.

A fictional Polish tea shop imports its Shopify export, records what matters to a customer,
confirms orders and tells customers on the channel they chose. The demo runs on a pinned
clock (Monday 2026-11-23 09:30 in Warsaw) so that what it prints is the same on every run,
and leaves its directory behind for the newcomer to look at.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

DEMO_NOW = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Warsaw"))

DEMO_CONFIG = """\
# The demo shop's configuration. Every key is documented in config.example.toml.
data_dir = "data"

[shop]
name = "Herbaciarnia Lipowa"
email = "sklep@herbaciarnia.example"
phone = "+48 600 000 000"
website = "https://herbaciarnia.example"
timezone = "Europe/Warsaw"
country = "PL"
default_language = "pl"
currency = "PLN"
business_hours = "Mon-Fri 09:00-17:00; Sat 10:00-14:00"

[email]
transport = "maildir"       # sent mail lands in data/sent-mail/ (a Maildir)

[sms]
provider = "file"           # SMS land in data/sms-sent.jsonl
daily_cap = 50

[mailbox]
source = "maildir"          # customer mail is read from inbox/ (a Maildir)
path = "inbox"

[inquiries]
response_time = "2h"
escalate_before = "30m"

[[inquiries.staff]]
name = "Kasia"
email = "kasia@herbaciarnia.example"
phone = "+48 600 100 200"
channel = "sms"
on_duty = "Mon-Fri 08:00-18:00"

[loyalty]
discount = "10%"
after_orders = 1
"""


@dataclass
class Step:
    title: str
    run: Callable[["Demo"], None]


class Demo:
    def __init__(self, root: Path, out=None) -> None:
        self.root = root
        self.out = out or sys.stdout
        self.config_path = root / "config.toml"
        self.ctx = None

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def setup(self) -> None:
        from shopcare import config as config_mod
        from shopcare.context import Clock, Context
        from shopcare.store import Store

        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(DEMO_CONFIG, encoding="utf-8")
        cfg = config_mod.load(self.config_path)
        data = config_mod.resolve_data_dir(None, cfg)
        (self.root / "inbox").mkdir(exist_ok=True)
        Store.init(data)[0].close()
        self.ctx = Context(config=cfg, data_dir=data, clock=Clock(ZoneInfo("Europe/Warsaw"), DEMO_NOW), actor="demo")

    def cli(self, args: str) -> str:
        return f"shopcare --config {self.config_path} {args}"


def _import(demo: Demo) -> None:
    from shopcare.importers import import_file

    sample = resources.files("shopcare") / "data" / "sample-shopify-orders.csv"
    with resources.as_file(sample) as path:
        report = import_file(demo.ctx, path)
    demo.say(f"Imported the shop's Shopify export ({path.name}): {report.describe()}.")
    for w in report.warnings:
        demo.say(f"  note, line {w.line}: {w.message}")
    again = import_file(demo.ctx, path)
    demo.say(f"Imported it again: {again.describe()}. Re-importing never duplicates anything.")
    demo.say(f"  try: {demo.cli('order list')}")


def _requirements(demo: Demo) -> None:
    from shopcare.services.customers import edit_customer, find_by_email

    anna = find_by_email(demo.ctx, "anna.nowak@example.pl")
    edit_customer(demo.ctx, anna.id, {"requirements": "Deliver only after 16:00 (works mornings); call before courier delivery.",
                                      "channel": "both"})
    demo.say(f"Recorded what matters to {anna.name} ({anna.id}): deliver after 16:00, call first;")
    demo.say("she wants news by email and SMS. Every order of hers now shows it:")
    order = demo.ctx.store.get("order", "1001")
    demo.say(f"  order {order.number}: {order.status}, {order.total} {order.currency}, {order.delivery.method}")
    demo.say(f"  KEY REQUIREMENTS: {demo.ctx.store.get('customer', anna.id).requirements}")
    demo.say(f"  try: {demo.cli('order show 1001')}")


def _confirm(demo: Demo) -> None:
    from shopcare.services.lifecycle import confirm_order

    from datetime import date

    for number, promised in (("1001", date(2026, 11, 25)), ("1002", date(2026, 11, 27)), ("1003", date(2026, 11, 30))):
        confirm_order(demo.ctx, number, by="email", at=demo.ctx.now(), promised=promised)
    demo.say("Confirmed orders 1001 (Anna, Polish, email + SMS), 1002 (Jonas, Lithuanian) and 1003 (Olga, Russian)")
    demo.say("at once. Each confirmation names the agreed delivery terms and a date, never 'soon'.")
    _order, changed = confirm_order(demo.ctx, "1001", by="email", at=demo.ctx.now())
    demo.say(f"Confirmed 1001 again: {'changed' if changed else 'nothing new'} - confirming twice never sends twice.")
    queued = demo.ctx.outbox.counts()["new"]
    demo.say(f"The outbox holds {queued} message(s), each a JSON file in {demo.ctx.data_dir / 'outbox' / 'new'}.")
    demo.say(f"  try: {demo.cli('outbox list')}")


def _send(demo: Demo) -> None:
    import asyncio

    from shopcare.notify.sender import drain_once

    report = asyncio.run(drain_once(demo.ctx))
    demo.say(f"Sent what was due, as `shopcare outbox send` does from cron: {report.describe()}.")
    for msg in sorted(demo.ctx.outbox.iter_state("sent"), key=lambda m: (m.record, m.channel)):
        if msg.channel == "email":
            demo.say(f"  email to {msg.to} ({msg.lang}): {msg.subject}")
        else:
            demo.say(f"  SMS to {msg.to} ({msg.sms_parts} part(s), {msg.sms_encoding}): {msg.body}")
    mail_dir = demo.ctx.data_dir / "sent-mail" / "new"
    demo.say(f"The emails are .eml files in {mail_dir} (open them with any mail client);")
    demo.say(f"the SMS are lines in {demo.ctx.data_dir / 'sms-sent.jsonl'}. With SMTP and SMSAPI configured,")
    demo.say("the same messages go to real inboxes and phones; nothing else changes.")
    hist = demo.ctx.store.history("order", "1001")
    demo.say(f"The journal says who did what: {len(hist)} change(s) to order 1001, the last '{hist[-1]['change']}'.")
    demo.say(f"  try: {demo.cli('order history 1001')}")
    demo.say(f"  try: {demo.cli('template render order_confirmed --lang lt --order 1002')}")


def _deliver(demo: Demo) -> None:
    import asyncio
    from datetime import date, datetime, timedelta

    from shopcare.notify.sender import drain_once
    from shopcare.services.deadlines import check
    from shopcare.services.deliveries import add_delivery, update_delivery

    ctx = demo.ctx
    now = ctx.now()
    add_delivery(ctx, "1001", carrier="InPost", tracking="620111222333444555666777", at=now, eta=date(2026, 11, 25))
    add_delivery(ctx, "1002", carrier="Omniva", tracking="CC123456789EE", at=now, eta=date(2026, 11, 26))
    demo.say("Shipped 1001 with InPost (promised for Wednesday 25 November) and 1002 with Omniva.")
    # InPost's feed moves the date: the customer hears it now, before she has to ask.
    update_delivery(ctx, "1001", status="in_transit", at=now + timedelta(minutes=5), eta=date(2026, 11, 27),
                    note="sorting centre backlog")
    update_delivery(ctx, "1002", status="delivered", at=datetime(2026, 11, 23, 9, 20, tzinfo=now.tzinfo))
    report = asyncio.run(drain_once(ctx))
    demo.say(f"InPost moved 1001 to Friday 27 November; Omniva delivered 1002. Sent: {report.describe()}.")
    for msg in sorted(ctx.outbox.iter_state("sent"), key=lambda m: m.created):
        if msg.kind in ("delivery_delayed", "delivered", "staff_alert"):
            text = msg.subject if msg.channel == "email" else msg.body
            demo.say(f"  {msg.kind} by {msg.channel} to {msg.to_name or msg.to}: {text}")
    findings = check(ctx)
    demo.say("`shopcare deadlines check` (the daemon runs it every minute) found:")
    for f in findings:
        demo.say(f"  {f.what} {f.record}: {f.action}" + (f" ({f.detail})" if f.detail else ""))
    demo.say(f"Run again at once, it finds {len(check(ctx))} new thing(s): each promise is acted on once.")
    demo.say(f"  try: {demo.cli('delivery list --late')}")
    demo.say(f"  try: {demo.cli('promise list')}    (the loyalty discount promised to Jonas)")


def _mail(demo: Demo) -> None:
    import asyncio
    import shutil

    from shopcare.notify.sender import drain_once
    from shopcare.services.mail import poll_once

    ctx = demo.ctx
    inbox = demo.root / "inbox"
    poll_once(ctx)  # the first look at the mailbox: what is already there is not answered
    src = resources.files("shopcare") / "data" / "demo-mail"
    (inbox / "new").mkdir(parents=True, exist_ok=True)
    for item in sorted(src.iterdir(), key=lambda p: p.name):
        with resources.as_file(item) as path:
            shutil.copy(path, inbox / "new" / path.name)
    demo.say(f"Five emails arrived in the shop's mailbox ({inbox}): two customers and three robots.")
    report = poll_once(ctx)
    sent = asyncio.run(drain_once(ctx))
    demo.say(f"Fetched them ({report.describe().split(': ', 1)[1]}); sent: {sent.describe()}.")
    for row in ctx.store.list("inquiry"):
        q = ctx.store.get("inquiry", row["id"])
        if q.status == "skipped":
            demo.say(f"  {q.sender:<36} no acknowledgement: {q.skip_rule}")
        else:
            due = q.due.astimezone(ctx.tz)
            about = f", order {q.order}" if q.order else ""
            demo.say(f"  {q.sender:<36} acknowledged in {q.language}{about}; a person answers by {due:%a %d %b %H:%M}")
    demo.say("The acknowledgements are threaded replies (In-Reply-To), marked Auto-Submitted: auto-replied,")
    demo.say("so a well-behaved autoresponder never answers them, and give a time, never 'soon'.")
    demo.say("With the daemon running (`shopcare daemon run`), this happens within a second of the mail's arrival.")
    demo.say(f"  try: {demo.cli('inquiry list --all')}")


STEPS: list[Step] = [
    Step("Import the shop's orders", _import),
    Step("Record what matters to a customer", _requirements),
    Step("Confirm orders at once, with a delivery date, in each customer's language", _confirm),
    Step("Tell customers on the channel they chose", _send),
    Step("A delivery slips: the customer is told before she asks", _deliver),
    Step("Customer email: acknowledged at once, robots never", _mail),
]


def run(root: Path | None = None, out=None) -> Path:
    root = root or Path(tempfile.mkdtemp(prefix="shopcare-demo-"))
    demo = Demo(root, out)
    demo.setup()
    demo.say(f"shopcare demo: a small Polish tea shop, on a throwaway directory {root}")
    demo.say(f"(clock pinned at {DEMO_NOW:%A %Y-%m-%d %H:%M} Europe/Warsaw; no server is needed)")
    for i, step in enumerate(STEPS, 1):
        demo.say("")
        demo.say(f"{i}. {step.title}")
        step.run(demo)
    demo.say("")
    demo.say("Where everything is (plain files: read them, grep them, back them up, put them in git):")
    for label, path in _places(demo):
        demo.say(f"  {label:<26} {path}")
    demo.say("")
    demo.say(f"Run any command against the demo shop with --config {demo.config_path}")
    demo.say(f"Remove it with: rm -rf {root}")
    demo.ctx.close()
    return root


def _places(demo: Demo) -> list[tuple[str, Path]]:
    data = demo.ctx.data_dir
    places = [
        ("config", demo.config_path),
        ("orders (one TOML each)", data / "orders"),
        ("customers", data / "customers"),
        ("journal (who did what)", data / "journal"),
    ]
    for label, path in (("outbox (messages)", data / "outbox"), ("sent email (Maildir)", data / "sent-mail"),
                        ("sent SMS (JSON lines)", data / "sms-sent.jsonl"), ("customer mail (Maildir)", demo.root / "inbox"),
                        ("inquiries", data / "inquiries"), ("deliveries", data / "deliveries")):
        if path.exists() and (path.is_file() or any(path.iterdir())):
            places.append((label, path))
    return places
