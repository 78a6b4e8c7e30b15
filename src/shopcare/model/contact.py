"""Validating the ways to reach a person: email addresses and phone numbers.

Heavy libraries (email-validator, phonenumbers) are imported inside the functions so that
`shopcare --help` and commands that never touch a contact stay fast.
"""

from __future__ import annotations

import re

from shopcare.errors import BadInput

# Spreadsheets turn long digit strings into floats: '4.86501234567E+11' has lost its digits.
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE]\+?\d+\s*$")


def validate_email(address: str) -> str:
    """Return the normalised address or raise BadInput with the reason."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email as _validate

    text = (address or "").strip()
    if not text:
        raise BadInput("email address is empty")
    if any(c in text for c in "\r\n\x00"):
        raise BadInput("email address contains a line break or NUL")
    try:
        result = _validate(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadInput(f"invalid email {text!r}: {exc}") from None
    return result.normalized


_LOCAL_OK = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")


def wire_address(address: str) -> str | None:
    """The address as it can go into an SMTP envelope and an ASCII header, the domain in IDNA
    form (jan@żółw.pl -> jan@xn--w-uga1v8h.pl); None when it cannot: no local part or domain,
    spaces, control characters or quotes, or a non-ASCII local part (that needs SMTPUTF8,
    which shopcare does not rely on its mail server to offer)."""
    local, sep, domain = (address or "").strip().rpartition("@")
    if not sep or not local or not domain or not _LOCAL_OK.fullmatch(local):
        return None
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", domain) or ".." in domain:
        return None
    return f"{local}@{domain}"


def normalize_phone(number: str, region: str | None = "PL") -> str:
    """Return the number in E.164 (+48600000000) or raise BadInput with the reason.

    `region` is the country used for numbers written without a country code: the customer's
    country when known, else the shop's (`[shop] country`).
    """
    import phonenumbers

    text = (number or "").strip()
    if not text:
        raise BadInput("phone number is empty")
    if _SCIENTIFIC.match(text):
        raise BadInput(
            f"phone {text!r} was turned into a number by a spreadsheet and has lost its digits; "
            "export it again with the phone column formatted as text"
        )
    if any(c in text for c in "\r\n\x00"):
        raise BadInput("phone number contains a line break or NUL")
    candidates = [text]
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and not text.startswith("00") and len(digits) >= 10:
        # A spreadsheet often drops the leading '+' of an international number.
        candidates.append("+" + digits)
    last_reason = "not a valid number"
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException as exc:
            last_reason = str(exc).split(". ", 1)[-1].rstrip(".").lower()
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        last_reason = f"not a valid number for {phonenumbers.region_code_for_number(parsed) or region}"
    raise BadInput(f"invalid phone {text!r}: {last_reason}")


def is_mobile(e164: str) -> bool:
    """True when the number can receive SMS (mobile, or a type that may be mobile)."""
    import phonenumbers

    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
