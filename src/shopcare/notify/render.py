"""Rendering message templates: one file per kind and language, three blocks in each.

    {% block subject %}...{% endblock %}   the email subject (one line)
    {% block email %}...{% endblock %}     the email body (plain text)
    {% block sms %}...{% endblock %}       the short SMS form

Templates run in Jinja2's sandbox (no attribute of Python internals is reachable, whatever a
shop writes into its own templates) with strict undefined variables, so a typo fails loudly in
`shopcare template check` instead of sending "Dear ,". A shop overrides a template by putting
a file of the same name under DATA/templates/<lang>/. Dates, times and money are formatted for
the customer's language with babel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shopcare.errors import BadInput, ShopcareError

LOCALES = {"en": "en_GB", "pl": "pl_PL", "lt": "lt_LT", "ru": "ru_RU"}
# A weekday with the date, in each language's own order ("2026 m. lapkričio 27 d., penktadienis").
DAY_PATTERNS = {"lt": "y 'm'. MMMM d 'd'., EEEE"}
BLOCKS = ("subject", "email", "sms")
BUILTIN = Path(str(resources.files("shopcare") / "notify" / "templates"))


class TemplateError(ShopcareError):
    """A template cannot be rendered (syntax error, missing variable, missing block)."""

    exit_status = 3


@dataclass
class Rendered:
    kind: str
    lang: str
    subject: str
    email: str
    sms: str
    source: str


def _locale(ctx) -> str:
    return LOCALES.get(ctx.get("lang", "en"), "en_GB")


def _tz(ctx) -> ZoneInfo:
    return ZoneInfo(ctx.get("tz", "UTC"))


def _defined(value: Any) -> Any:
    """A filter given an undefined variable fails with Jinja's own message naming it."""
    from jinja2 import Undefined

    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _as_date(ctx, value: Any) -> date:
    value = _defined(value)
    if isinstance(value, datetime):
        return value.astimezone(_tz(ctx)).date()  # the recipient's calendar day
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


def _as_datetime(ctx, value: Any) -> datetime:
    value = _defined(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a date and time: {value!r}")
    return value.astimezone(_tz(ctx))


def _filters() -> dict[str, Any]:
    from babel.dates import format_date, format_time, get_timezone_location
    from babel.numbers import format_currency, format_decimal
    from jinja2 import pass_context

    @pass_context
    def f_date(ctx, value):
        return format_date(_as_date(ctx, value), format="long", locale=_locale(ctx))

    @pass_context
    def f_day(ctx, value):
        pattern = DAY_PATTERNS.get(ctx.get("lang"), "EEEE, d MMMM y")
        return format_date(_as_date(ctx, value), format=pattern, locale=_locale(ctx))

    @pass_context
    def f_shortdate(ctx, value):
        return format_date(_as_date(ctx, value), format="short", locale=_locale(ctx))

    @pass_context
    def f_time(ctx, value):
        return format_time(_as_datetime(ctx, value), format="HH:mm", locale=_locale(ctx))

    @pass_context
    def f_datetime(ctx, value):
        dt = _as_datetime(ctx, value)
        text = f"{f_day(ctx, dt)}, {f_time(ctx, dt)}"
        if ctx.get("tz") and ctx.get("shop_tz") and ctx.get("tz") != ctx.get("shop_tz"):
            text += f" ({get_timezone_location(_tz(ctx), locale=_locale(ctx), return_city=True)})"
        return text

    @pass_context
    def f_money(ctx, value, currency=None):
        currency = currency or ctx.get("currency") or "EUR"
        return format_currency(Decimal(str(_defined(value))), currency, locale=_locale(ctx))

    @pass_context
    def f_number(ctx, value):
        return format_decimal(Decimal(str(value)), locale=_locale(ctx))

    return {"date": f_date, "day": f_day, "shortdate": f_shortdate, "time": f_time, "datetime": f_datetime,
            "money": f_money, "number": f_number}


class Renderer:
    def __init__(self, overrides: Path | None = None) -> None:
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.overrides = overrides
        paths = [str(overrides)] if overrides and overrides.is_dir() else []
        paths.append(str(BUILTIN))
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(paths), undefined=StrictUndefined, autoescape=False,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
        )
        self.env.filters.update(_filters())

    def source_of(self, kind: str, lang: str) -> str:
        name = f"{lang}/{kind}.j2"
        if self.overrides and (self.overrides / name).is_file():
            return str(self.overrides / name)
        if (BUILTIN / name).is_file():
            return "built-in"
        return "missing"

    def render(self, kind: str, lang: str, variables: dict[str, Any], blocks: tuple[str, ...] = BLOCKS) -> Rendered:
        """Render a kind's template; `blocks` limits the work to the parts needed (an email
        needs no SMS text), the others come back empty."""
        from jinja2 import TemplateError as JinjaError
        from jinja2 import TemplateNotFound

        name = f"{lang}/{kind}.j2"
        try:
            template = self.env.get_template(name)
        except TemplateNotFound:
            raise TemplateError(f"no template {name} (built in or under templates/ in the data dir)") from None
        except JinjaError as exc:
            raise TemplateError(f"template {name}, line {getattr(exc, 'lineno', '?')}: {exc}") from None
        missing = [b for b in BLOCKS if b not in template.blocks]
        if missing:
            raise TemplateError(f"template {name} has no block(s) {', '.join(missing)}")
        parts = dict.fromkeys(BLOCKS, "")
        try:
            ctx = template.new_context(variables)
            for block in blocks:
                parts[block] = "".join(template.blocks[block](ctx))
        except JinjaError as exc:
            raise TemplateError(f"template {name}: {exc}") from None
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateError(f"template {name}: {exc}") from None
        return Rendered(
            kind=kind, lang=lang, subject=one_line(parts["subject"]),
            email=tidy_body(parts["email"]) if parts["email"] else "", sms=one_line(parts["sms"]),
            source=self.source_of(kind, lang),
        )


def one_line(text: str) -> str:
    """Collapse whitespace (and the non-breaking spaces babel writes, which would force an SMS
    into the expensive UCS-2 encoding) to single plain spaces."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text).strip()


def tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue  # no runs of blank lines where an {% if %} left a gap
        out.append(line)
    return "\n".join(out).strip() + "\n"


def check_lang(lang: str) -> str:
    if lang not in LOCALES:
        raise BadInput(f"language {lang!r} is not one of {', '.join(LOCALES)}")
    return lang
