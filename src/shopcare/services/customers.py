"""Customer operations shared by the CLI, the importers and the mailbox pipeline."""

from __future__ import annotations

from typing import Any

from shopcare.errors import BadInput, RefusedError
from shopcare.model.customer import CHANNELS, LANGUAGES, Customer
from shopcare.store import UNCHANGED

COUNTRY_LANGUAGE = {"PL": "pl", "LT": "lt", "RU": "ru", "BY": "ru", "KZ": "ru", "KG": "ru"}


def clean_text(value: str | None, what: str, *, max_len: int = 200, multiline: bool = False) -> str:
    text = (value or "").strip()
    if any(ord(c) < 32 and not (multiline and c in "\n\t") for c in text) or "\x7f" in text:
        raise BadInput(f"{what} contains a control character or line break")
    if len(text) > max_len:
        raise BadInput(f"{what} is longer than {max_len} characters")
    return text


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise BadInput(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value


def check_channel(channel: str, email: str | None, phone: str | None) -> None:
    check_choice(channel, CHANNELS, "channel")
    if channel in ("email", "both") and not email:
        raise BadInput(f"channel {channel!r} needs an email address (--email)")
    if channel in ("sms", "both") and not phone:
        raise BadInput(f"channel {channel!r} needs a phone number (--phone)")


def find_by_email(ctx, email: str) -> Customer | None:
    ids = ctx.store.ids("customer", ref=email.strip().lower())
    return ctx.store.get("customer", ids[0]) if ids else None


def add_customer(ctx, *, name: str, email: str | None = None, phone: str | None = None,
                 language: str | None = None, channel: str | None = None, requirements: str = "",
                 country: str | None = None, timezone: str | None = None, marketing_consent: bool = False,
                 allow_duplicate: bool = False, source: str = "manual") -> Customer:
    from shopcare.model.contact import normalize_phone, validate_email

    name = clean_text(name, "name")
    if not name:
        raise BadInput("a customer needs a name (--name)")
    shop = ctx.config.shop
    country = (country or "").strip().upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        raise BadInput(f"country {country!r} is not a two-letter code like PL")
    email_n = validate_email(email) if email else None
    phone_n = normalize_phone(phone, country or shop.country) if phone else None
    language = language or COUNTRY_LANGUAGE.get(country or "", None) or shop.default_language
    check_choice(language, LANGUAGES, "language")
    if channel is None:
        channel = "email" if email_n else ("sms" if phone_n else "none")
    check_channel(channel, email_n, phone_n)
    if timezone:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(timezone)
        except Exception:
            raise BadInput(f"time zone {timezone!r} is not known (e.g. Europe/Vilnius)") from None
    now = ctx.now()
    store = ctx.store
    with store.lock:
        if email_n and not allow_duplicate:
            existing = find_by_email(ctx, email_n)
            if existing is not None:
                raise RefusedError(
                    f"customer {existing.id} already has the email {email_n}",
                    hint="use that customer, or add --allow-duplicate to create another with the same email",
                )
        customer = Customer(
            id=store.next_id("customer", "C"), name=name, created=now, updated=now, email=email_n,
            phone=phone_n, language=language, channel=channel, country=country, timezone=timezone,
            marketing_consent=marketing_consent, marketing_consent_at=now if marketing_consent else None,
            requirements=clean_text(requirements, "requirements", max_len=2000, multiline=True), source=source,
        )
        store.create(customer, "customer added")
    return customer


def edit_customer(ctx, customer_id: str, changes: dict[str, Any], *, expect_version: int | None = None) -> Customer:
    from shopcare.model.contact import normalize_phone, validate_email

    def apply(c: Customer):
        if c.forgotten:
            raise RefusedError(f"customer {c.id} was forgotten (GDPR); their data cannot be changed")
        before = (c.name, c.email, c.phone, c.language, c.channel, c.requirements, c.country, c.timezone, c.marketing_consent)
        if "name" in changes:
            c.name = clean_text(changes["name"], "name")
            if not c.name:
                raise BadInput("name cannot be empty")
        if "country" in changes:
            c.country = (changes["country"] or "").upper() or None
        if "email" in changes:
            c.email = validate_email(changes["email"]) if changes["email"] else None
        if "phone" in changes:
            c.phone = normalize_phone(changes["phone"], c.country or ctx.config.shop.country) if changes["phone"] else None
        if "language" in changes:
            c.language = check_choice(changes["language"], LANGUAGES, "language")
        if "channel" in changes:
            c.channel = changes["channel"]
        if "requirements" in changes:
            c.requirements = clean_text(changes["requirements"], "requirements", max_len=2000, multiline=True)
        if "timezone" in changes:
            c.timezone = changes["timezone"] or None
        if "marketing_consent" in changes and changes["marketing_consent"] != c.marketing_consent:
            c.marketing_consent = changes["marketing_consent"]
            c.marketing_consent_at = ctx.now() if c.marketing_consent else None
        check_channel(c.channel, c.email, c.phone)
        if "email" in changes and c.email:
            other = find_by_email(ctx, c.email)
            if other is not None and other.id != c.id:
                raise RefusedError(f"customer {other.id} already has the email {c.email}")
        after = (c.name, c.email, c.phone, c.language, c.channel, c.requirements, c.country, c.timezone, c.marketing_consent)
        return UNCHANGED if before == after else None

    customer, _ = ctx.store.update("customer", customer_id, apply, "customer edited", expect_version=expect_version)
    return customer


def forget_customer(ctx, customer_id: str) -> tuple[Customer, dict[str, int]]:
    """Erase a customer's personal data everywhere shopcare keeps it; keep anonymised facts.

    The customer record keeps its id (so orders still add up), orders lose the delivery address
    and notes, inquiries lose sender, subject and text, and queued or sent messages to them are
    deleted from the outbox.
    """
    store = ctx.store
    counts = {"orders": 0, "inquiries": 0, "messages": 0}
    with store.lock:
        customer = store.get("customer", customer_id)
        if customer.forgotten:
            return customer, counts
        contacts = {v for v in (customer.email, customer.phone) if v}
        now = ctx.now()
        store.update("customer", customer.id, lambda c: c.forget(now), "customer forgotten (GDPR)")
        for number in store.ids("order", customer=customer.id):
            def scrub(o):
                o.delivery.address = ""
                o.notes = []
                o.extra = None
            store.update("order", number, scrub, "personal data erased (customer forgotten)")
            counts["orders"] += 1
        for inquiry_id in store.ids("inquiry", customer=customer.id):
            store.update("inquiry", inquiry_id, lambda i: i.forget(), "personal data erased (customer forgotten)")
            counts["inquiries"] += 1
    try:
        counts["messages"] = ctx.outbox.forget(contacts)
    except FileNotFoundError:
        pass
    return store.get("customer", customer.id), counts
