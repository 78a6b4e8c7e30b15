"""The legal deadlines a shop must keep, per country, each with its source.

Overridable shop-wide in config [legal] (0 = use this table). Periods are calendar days; one
that ends on a Saturday, Sunday or public holiday runs to the end of the next working day
(EU Regulation 1182/71 art. 3(4); PL Civil Code art. 115; RU Civil Code art. 193).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

EU_COUNTRIES = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())


@dataclass(frozen=True)
class LegalRules:
    country: str
    withdrawal_days: int  # from receipt of the (last) goods
    uninformed_extension_months: int  # added when the customer was not told of the right
    refund_days: int  # from the withdrawal notice
    guarantee_months: int  # legal guarantee (conformity), from delivery
    complaint_goods_days: int  # the shop's answer to a complaint about the goods
    complaint_service_days: int  # ... about anything else
    silence_accepts: bool  # no answer in time = complaint accepted
    source: str
    guarantee_days: int = 0  # a shop's own override in days (config [legal] guarantee_days)

    def guarantee_until(self, delivered):
        from datetime import timedelta

        if self.guarantee_days:
            return delivered + timedelta(days=self.guarantee_days)
        return add_months(delivered, self.guarantee_months)


TABLE: dict[str, LegalRules] = {
    # Directive 2011/83/EU art. 9 (14 days), art. 10 (+12 months if not informed), art. 13 (refund
    # within 14 days); Directive 2019/771 art. 10 (2-year legal guarantee).
    "EU": LegalRules("EU", 14, 12, 14, 24, 14, 30, False, "Directives 2011/83/EU and 2019/771"),
    # PL Consumer Rights Act (ustawa o prawach konsumenta) art. 27, 29, 32; art. 7a (answer a
    # complaint within 14 days, else it is accepted); Civil Code art. 568 / Consumer Rights Act
    # art. 43c (2 years); 30 days for other complaints (ustawa o pozasądowym rozwiązywaniu
    # sporów konsumenckich, art. 31).
    "PL": LegalRules("PL", 14, 12, 14, 24, 14, 30, True, "PL Consumer Rights Act art. 7a, 27, 29, 32, 43c"),
    # LT Civil Code art. 6.228^10 (14 days), 6.228^11 (+12 months), 6.228^13 (refund 14 days);
    # Law on Consumer Protection art. 22 (answer within 14 days).
    "LT": LegalRules("LT", 14, 12, 14, 24, 14, 14, False, "LT Civil Code art. 6.228^10-13; Consumer Protection Law art. 22"),
    # RU Law on Protection of Consumer Rights art. 26.1 (7 days after delivery, 3 months if not
    # informed in writing; refund within 10 days), art. 19 (2 years when no warranty is set),
    # art. 22 (refund and price claims answered within 10 days).
    "RU": LegalRules("RU", 7, 3, 10, 24, 10, 10, False, "RU Consumer Rights Law art. 19, 22, 26.1"),
}


def rules_for(country: str | None, shop_country: str, overrides: dict | None = None) -> LegalRules:
    """The rules for a customer in `country` (else the shop's), with config [legal] overrides."""
    c = (country or shop_country or "").upper()
    rules = TABLE.get(c) or (TABLE["EU"] if c in EU_COUNTRIES else TABLE.get(shop_country.upper(), TABLE["EU"]))
    if overrides:
        changes = {
            "withdrawal_days": overrides.get("withdrawal_days"),
            "uninformed_extension_months": overrides.get("withdrawal_uninformed_extension_months"),
            "refund_days": overrides.get("refund_days"),
            "guarantee_days": overrides.get("guarantee_days"),
            "complaint_goods_days": overrides.get("complaint_goods_days"),
            "complaint_service_days": overrides.get("complaint_service_days"),
        }
        rules = replace(rules, **{k: v for k, v in changes.items() if v})
    return rules


def add_months(day, months: int):
    """The same day `months` later (the last day of the month when it has no such day)."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
