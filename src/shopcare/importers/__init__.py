"""`shopcare order import`: orders and their customers from a shop platform's CSV export.

The format is detected from the header row. Re-importing a file changes nothing; importing a
newer export of the same orders brings their payment state and platform status up to date but
never moves an order's shopcare status backwards or overwrites a customer's details that the
shop edited. A bad row is reported with its line number and the rest still import.
Importing sends nothing to customers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopcare.errors import BadInput, ShopcareError
from shopcare.importers import base, mapped, shopify, woocommerce
from shopcare.importers.base import ParsedOrder, Problem

BATCH = 200


@dataclass
class ImportReport:
    file: str
    format: str
    rows_orders: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "format": self.format, "orders": self.rows_orders, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "customers_created": self.customers_created,
            "problems": [{"line": p.line, "message": p.message} for p in self.problems],
            "warnings": [{"line": p.line, "message": p.message} for p in self.warnings],
            "notices": self.notices, "dry_run": self.dry_run,
        }

    def describe(self) -> str:
        verb = "would be" if self.dry_run else ""
        parts = [f"{self.format} export: {self.rows_orders} order(s)"]
        if self.created or self.updated:
            parts.append(f"{self.created} {verb} created, {self.updated} {verb} updated".replace("  ", " "))
        if self.unchanged:
            parts.append(f"{self.unchanged} already up to date")
        if self.customers_created:
            parts.append(f"{self.customers_created} new customer(s)")
        if self.problems:
            parts.append(f"{len(self.problems)} row problem(s) (not imported)")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning(s)")
        text = "; ".join(parts)
        if not self.created and not self.updated and self.unchanged and not self.problems:
            text += " - nothing changed"
        return text


def detect(header: list[str]) -> str:
    if shopify.matches(header):
        return "shopify"
    if woocommerce.matches(header):
        return "woocommerce"
    raise BadInput(
        "cannot tell which shop platform made this file from its header row",
        hint="pass --mapping FILE naming your columns (see `shopcare order import --help` and README)",
    )


def import_file(ctx, path: Path, *, fmt: str | None = None, mapping: Path | None = None, dry_run: bool = False) -> ImportReport:
    mapper = mapped.Mapping(mapping) if mapping else None
    header, rows, notices = base.read_csv(
        path, encoding=mapper.encoding if mapper else None, delimiter=mapper.delimiter if mapper else None
    )
    if mapper:
        fmt = "mapped"
        mapper.check_header(header)
    fmt = fmt or detect(header)
    if fmt not in ("shopify", "woocommerce", "mapped"):
        raise BadInput(f"--format must be shopify, woocommerce or mapped, not {fmt!r}")
    if fmt == "mapped" and mapper is None:
        raise BadInput("--format mapped needs --mapping FILE")
    dict_rows = base.dict_rows(header, rows)
    tz = ctx.tz
    if fmt == "shopify":
        parsed_iter = shopify.parse(dict_rows, tz)
    elif fmt == "woocommerce":
        parsed_iter = woocommerce.parse(dict_rows, tz)
    else:
        parsed_iter = mapped.parse(dict_rows, tz, mapper)
    report = ImportReport(file=str(path), format=fmt, notices=notices, dry_run=dry_run)
    parsed: list[ParsedOrder] = []
    seen: dict[str, int] = {}
    for item in parsed_iter:
        if isinstance(item, tuple):
            report.problems.append(Problem(*item))
            continue
        if item.number.lstrip("#") in seen:
            report.problems.append(Problem(item.line, f"order {item.number} appears again (first at line {seen[item.number.lstrip('#')]}); "
                                                      "its rows must be next to each other"))
            continue
        seen[item.number.lstrip("#")] = item.line
        parsed.append(item)
    report.rows_orders = len(parsed)
    _apply(ctx, path, parsed, report)
    return report


def _apply(ctx, path: Path, parsed: list[ParsedOrder], report: ImportReport) -> None:
    from shopcare.cli.common import is_quiet

    store = ctx.store
    progress = None
    if len(parsed) > 500 and not is_quiet() and not report.dry_run:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task(f"importing {path.name}", total=len(parsed))
    try:
        for start in range(0, len(parsed), BATCH):
            chunk = parsed[start:start + BATCH]
            if report.dry_run:
                for p in chunk:
                    _one(ctx, path, p, report, write=False)
            else:
                with store.batch():
                    for p in chunk:
                        _one(ctx, path, p, report, write=True)
            if progress:
                progress.update(task, advance=len(chunk))
    finally:
        if progress:
            progress.stop()


def _one(ctx, path: Path, p: ParsedOrder, report: ImportReport, *, write: bool) -> None:
    try:
        outcome = _upsert(ctx, path, p, report, write)
    except ShopcareError as exc:
        report.problems.append(Problem(p.line, f"order {p.number}: {exc.message}"))
        return
    setattr(report, outcome, getattr(report, outcome) + 1)


def _contact(ctx, p: ParsedOrder, report: ImportReport) -> tuple[str | None, str | None]:
    from shopcare.model.contact import normalize_phone, validate_email

    email = phone = None
    if p.email:
        try:
            email = validate_email(p.email)
        except BadInput as exc:
            report.warnings.append(Problem(p.line, f"order {p.number}: {exc.message}; imported without the email"))
    if p.phone:
        region = (p.country or ctx.config.shop.country).upper()[:2]
        try:
            phone = normalize_phone(p.phone, region)
        except BadInput as exc:
            report.warnings.append(Problem(p.line, f"order {p.number}: {exc.message}; imported without the phone"))
    return email, phone


def _customer_for(ctx, p: ParsedOrder, report: ImportReport, write: bool) -> str:
    from shopcare.model.customer import Customer
    from shopcare.services.customers import COUNTRY_LANGUAGE, find_by_email

    store = ctx.store
    email, phone = _contact(ctx, p, report)
    if email:
        existing = find_by_email(ctx, email)
        if existing is not None:
            return existing.id
    country = (p.country or "").upper()[:2] or None
    name = (p.name or email or f"customer of order {p.number}").replace("\r", " ").replace("\n", " ")[:200]
    channel = "email" if email else ("sms" if phone else "none")
    report.customers_created += 1
    if not write:
        return "(new)"
    now = ctx.now()
    customer = Customer(
        id=store.next_id("customer", "C"), name=name, created=p.created or now, updated=now, email=email,
        phone=phone, language=COUNTRY_LANGUAGE.get(country or "", ctx.config.shop.default_language),
        channel=channel, country=country, marketing_consent=p.marketing,
        marketing_consent_at=(p.created or now) if p.marketing else None, source=report.format,
    )
    store.create(customer, f"imported from {path_name(report.file)} line {p.line}")
    return customer.id


def path_name(file: str) -> str:
    return Path(file).name


def _upsert(ctx, path: Path, p: ParsedOrder, report: ImportReport, write: bool) -> str:
    from shopcare.ids import validate_id
    from shopcare.model import states
    from shopcare.model.order import Item
    from shopcare.services.orders import build_order, check_currency, delivery_terms

    number = validate_id(p.number, "order number")
    if not p.items:
        raise BadInput("no line items")
    currency = p.currency or ctx.config.shop.currency
    if not p.currency:
        report.warnings.append(Problem(p.line, f"order {number}: no currency; assumed {currency}"))
    currency = check_currency(currency)
    items = [Item(sku=i.sku[:64], name=i.name[:200], qty=i.qty, unit_price=i.unit_price) for i in p.items]
    store = ctx.store
    existing = store.find("order", number)
    if existing is None:
        customer_id = _customer_for(ctx, p, report, write)
        terms = delivery_terms(ctx, p.delivery_method[:200], p.delivery_cost, p.promised, None, p.address[:500])
        order = build_order(
            ctx, number, customer_id=customer_id, items=items, currency=currency, payment_method=p.payment_method,
            payment_state=p.payment_state, total=p.total, delivery=terms, note=p.note[:4000] or None,
            created=p.created, source=report.format, source_ref=p.source_status or None, status=p.status,
        )
        if p.payment_raw and p.payment_method == "other":
            order.extra = {"payment_gateway": p.payment_raw}
        if p.refunded:
            order.payment.refunded = p.refunded
        if write:
            store.create(order, f"imported from {path.name} line {p.line}")
        return "created"

    # Known order: take the platform's newer facts, never move shopcare's own status backwards.
    def refresh(o) -> bool:
        changed = False
        if p.source_status and o.source_ref != p.source_status:
            o.source_ref = p.source_status
            changed = True
        if p.payment_state != o.payment.state and p.payment_state in states.PAYMENT.get(o.payment.state, ()):
            o.set_payment(p.payment_state, ctx.now(), p.refunded)
            changed = True
        if p.status == "cancelled" and o.status in ("new", "confirmed"):
            o.move_to("cancelled", ctx.now())
            o.cancel_reason = o.cancel_reason or f"cancelled in {report.format}"
            changed = True
        if p.total is not None and p.total != o.total:
            o.total = p.total
            changed = True
        if [(i.sku, i.qty, i.unit_price) for i in items] != [(i.sku, i.qty, i.unit_price) for i in o.items]:
            o.items = items
            changed = True
        return changed

    probe = store.get("order", number)
    if not refresh(probe):
        return "unchanged"
    if write:
        from shopcare.store import UNCHANGED

        store.update("order", number, lambda o: None if refresh(o) else UNCHANGED,
                     f"updated from {path.name} line {p.line}")
    return "updated"
