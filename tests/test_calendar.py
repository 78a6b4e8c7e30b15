"""Business hours, public holidays (PL, LT, RU) and the deadlines counted on them.

Covers `shopcare.model.hours.parse_business_hours` and `shopcare.model.calendar`
(`BusinessCalendar`, `on_duty`): parsing and its error messages, business-day and legal
deadlines, business-time arithmetic across weekends, public holidays and DST changes, and
hypothesis properties tying `add_business_time`, `business_seconds_between`, `is_open`,
`next_open` and `add_business_days` together.

Holiday facts are checked against the `holidays` package first, so a change there shows up
as a clear failure of the fact rather than a puzzling deadline.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopcare.model.calendar import BusinessCalendar, on_duty
from shopcare.model.hours import parse_business_hours

UTC = timezone.utc
WAW = ZoneInfo("Europe/Warsaw")
VNO = ZoneInfo("Europe/Vilnius")
MOW = ZoneInfo("Europe/Moscow")
VVO = ZoneInfo("Asia/Vladivostok")
NYC = ZoneInfo("America/New_York")

H = 3600
MIDNIGHT_END = time(23, 59, 59, 999999)  # how the parser stores "24:00"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

FAST = settings(max_examples=200, deadline=None)


def cal(spec: str = "Mon-Fri 09:00-17:00", tz: str = "Europe/Warsaw", country: str = "PL") -> BusinessCalendar:
    return BusinessCalendar.from_config(spec, tz, country)


def local(y, mo, d, h=0, mi=0, tz=WAW, fold=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz, fold=fold)


def same_instant(a: datetime, b: datetime) -> bool:
    return a.astimezone(UTC) == b.astimezone(UTC)


def public_holidays(country: str, year: int) -> set[date]:
    return set(holidays.country_holidays(country, years=year).keys())


# ------------------------------------------------------------------------------------------
# parsing
# ------------------------------------------------------------------------------------------
class TestParse:
    def test_weekdays(self):
        h = parse_business_hours("Mon-Fri 09:00-17:00")
        assert h == {d: [(time(9), time(17))] for d in (MON, TUE, WED, THU, FRI)}
        assert SAT not in h and SUN not in h

    def test_two_chunks(self):
        h = parse_business_hours("Mon-Fri 09:00-17:00; Sat 10:00-14:00")
        assert set(h) == {MON, TUE, WED, THU, FRI, SAT}
        assert h[FRI] == [(time(9), time(17))]
        assert h[SAT] == [(time(10), time(14))]

    def test_newline_separates_chunks_too(self):
        assert parse_business_hours("Mon-Fri 09:00-17:00\nSat 10:00-14:00") == parse_business_hours(
            "Mon-Fri 09:00-17:00; Sat 10:00-14:00"
        )

    def test_day_and_time_lists(self):
        h = parse_business_hours("Mon,Wed,Fri 08:00-12:00,13:00-16:00")
        assert set(h) == {MON, WED, FRI}
        for d in (MON, WED, FRI):
            assert h[d] == [(time(8), time(12)), (time(13), time(16))]

    def test_lists_with_spaces_and_single_digit_hours(self):
        h = parse_business_hours("Mon, Wed 8:00 - 12:00, 13:00-16:30")
        assert set(h) == {MON, WED}
        assert h[WED] == [(time(8), time(12)), (time(13), time(16, 30))]

    def test_wrap_around_day_range(self):
        h = parse_business_hours("Fri-Mon 10:00-18:00")
        assert set(h) == {FRI, SAT, SUN, MON}
        assert all(v == [(time(10), time(18))] for v in h.values())

    def test_sat_sun_range_and_single_day(self):
        assert set(parse_business_hours("Sat-Sun 10:00-14:00")) == {SAT, SUN}
        assert set(parse_business_hours("Sun 10:00-14:00")) == {SUN}
        assert set(parse_business_hours("Mon-Mon 10:00-14:00")) == {MON}

    def test_intervals_are_sorted(self):
        h = parse_business_hours("Mon 13:00-16:00,08:00-12:00")
        assert h[MON] == [(time(8), time(12)), (time(13), time(16))]

    @pytest.mark.parametrize("spec", ["24/7", "24/7 ", " 24/7", "always", "ALWAYS"])
    def test_24_7(self, spec):
        h = parse_business_hours(spec)
        assert set(h) == set(range(7))
        assert all(v == [(time(0), MIDNIGHT_END)] for v in h.values())

    def test_24_00_end(self):
        assert parse_business_hours("Mon-Sun 00:00-24:00") == parse_business_hours("24/7")
        assert parse_business_hours("Sat 22:00-24:00")[SAT] == [(time(22), MIDNIGHT_END)]

    @pytest.mark.parametrize(
        "spec",
        ["mon-fri 09:00-17:00", "MON-FRI 09:00-17:00", "mOn-FrI 09:00-17:00", "Monday-Friday 09:00-17:00"],
    )
    def test_case_and_long_names(self, spec):
        assert parse_business_hours(spec) == parse_business_hours("Mon-Fri 09:00-17:00")

    @pytest.mark.parametrize(
        "spec, days",
        [
            ("Tuesday-Friday 09:00-17:00", {TUE, WED, THU, FRI}),
            ("Thursday-Sunday 09:00-17:00", {THU, FRI, SAT, SUN}),
            ("Wednesday, Saturday 09:00-17:00", {WED, SAT}),
        ],
    )
    def test_full_day_names_in_ranges(self, spec, days):
        # Regression: day text used to be cut to 7 characters, so 'tuesday-friday' became
        # 'tuesday' and silently meant Tuesday only.
        assert set(parse_business_hours(spec)) == days

    @pytest.mark.parametrize(
        "spec, message",
        [
            ("Mon-Fri", "'Mon-Fri' is not like 'Mon-Fri 09:00-17:00'"),
            ("9-17", "'9-17' is not like 'Mon-Fri 09:00-17:00'"),
            ("Mon-Fri 9-17", "'9-17' is not a time range like '09:00-17:00'"),
            ("Mon-Fri 09:00", "'09:00' is not a time range"),
            ("Mon-Fri 09:00-17:00 please", "'09:00-17:00 please' is not a time range"),
            ("Xyz 09:00-10:00", "'xyz' is not a day like 'Mon'"),
            ("Mon-Xyz 09:00-10:00", "'mon-xyz' is not a day range like 'Mon-Fri'"),
            ("Mon,Xy 09:00-10:00", "'xy' is not a day like 'Mon'"),
            ("Mon 17:00-09:00", "'17:00-09:00' ends before it starts"),
            ("Mon 09:00-09:00", "'09:00-09:00' ends before it starts"),
            ("Mon 22:00-02:00", "split overnight hours in two"),
            ("Mon 25:00-26:00", "'25:00-26:00' has an impossible time"),
            ("Mon 09:00-25:00", "'09:00-25:00' has an impossible time"),
            ("Mon 09:60-10:00", "'09:60-10:00' has an impossible time"),
            ("Mon 09:00-24:30", "'09:00-24:30' has an impossible time"),
            ("Mon-Fri 09:00-17:00; Sat 25:00-26:00", "'25:00-26:00' has an impossible time"),
            ("", "business hours are empty"),
            ("   ", "business hours are empty"),
        ],
    )
    def test_garbage_is_a_clear_value_error(self, spec, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_business_hours(spec)

    def test_none_is_empty(self):
        with pytest.raises(ValueError, match="empty"):
            parse_business_hours(None)  # type: ignore[arg-type]

    def test_overlapping_intervals_are_merged(self):
        # Regression: overlaps were kept as two intervals, and business_seconds_between then
        # counted the shared hour twice.
        h = parse_business_hours("Mon-Fri 09:00-17:00; Mon 16:00-18:00, 08:00-10:00")
        assert h[MON] == [(time(8), time(18))]
        assert h[TUE] == [(time(9), time(17))]
        # touching intervals stay as written (no time is lost or gained either way)
        assert parse_business_hours("Mon 08:00-12:00,12:00-16:00")[MON] in (
            [(time(8), time(12)), (time(12), time(16))],
            [(time(8), time(16))],
        )


# ------------------------------------------------------------------------------------------
# holidays and business days
# ------------------------------------------------------------------------------------------
class TestHolidayFacts:
    """What the `holidays` package says, which everything below relies on."""

    def test_poland(self):
        assert date(2026, 11, 11).weekday() == WED
        assert date(2026, 11, 11) in public_holidays("PL", 2026)
        # Christmas Eve is a public holiday in Poland from 2025 on (not in 2024).
        assert date(2024, 12, 24) not in public_holidays("PL", 2024)
        for y in (2025, 2026, 2030):
            assert {date(y, 12, 24), date(y, 12, 25), date(y, 12, 26)} <= public_holidays("PL", y)

    def test_lithuania(self):
        lt = public_holidays("LT", 2026)
        assert {date(2026, 2, 16), date(2026, 3, 11), date(2026, 7, 6), date(2026, 12, 24)} <= lt

    def test_russia_new_year_holidays(self):
        for y in (2026, 2027):
            assert {date(y, 1, d) for d in range(1, 9)} <= public_holidays("RU", y)


class TestBusinessDays:
    def test_is_holiday(self):
        pl, lt, ru = cal(country="PL"), cal(country="LT"), cal(tz="Europe/Moscow", country="RU")
        assert pl.is_holiday(date(2026, 11, 11))
        assert not pl.is_holiday(date(2026, 11, 12))
        assert pl.is_holiday(date(2026, 12, 24)) and not pl.is_holiday(date(2024, 12, 24))
        assert lt.is_holiday(date(2026, 2, 16)) and lt.is_holiday(date(2026, 3, 11))
        assert not lt.is_holiday(date(2026, 11, 11))
        assert all(ru.is_holiday(date(2027, 1, d)) for d in range(1, 9))
        assert not ru.is_holiday(date(2026, 11, 11))

    def test_no_country_and_unknown_country_mean_no_holidays(self):
        assert not cal(country="").is_holiday(date(2026, 12, 25))
        assert not cal(country="XX").is_holiday(date(2026, 12, 25))
        assert cal(country="XX").is_business_day(date(2026, 12, 25))

    def test_extra_closed(self):
        c = BusinessCalendar(parse_business_hours("Mon-Fri 09:00-17:00"), WAW, "PL", frozenset({date(2026, 3, 9)}))
        assert c.is_holiday(date(2026, 3, 9))
        assert not c.is_business_day(date(2026, 3, 9))
        assert c.next_business_day(date(2026, 3, 7)) == date(2026, 3, 10)
        assert not c.is_open(local(2026, 3, 9, 12))

    def test_is_business_day_follows_the_spec(self):
        c = cal("Mon,Wed,Fri 08:00-12:00,13:00-16:00")
        assert [c.is_business_day(date(2026, 3, 2) + timedelta(days=i)) for i in range(7)] == [
            True, False, True, False, True, False, False,
        ]
        weekend = cal("Sat-Sun 10:00-14:00")
        assert weekend.is_business_day(date(2026, 3, 7)) and not weekend.is_business_day(date(2026, 3, 9))

    def test_next_business_day(self):
        c = cal()
        assert c.next_business_day(date(2026, 3, 6)) == date(2026, 3, 6)  # a Friday
        assert c.next_business_day(date(2026, 3, 7)) == date(2026, 3, 9)  # Sat -> Mon
        assert c.next_business_day(date(2026, 11, 11)) == date(2026, 11, 12)
        assert c.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)

    def test_add_business_days(self):
        c = cal()
        assert c.add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri + 1 -> Mon
        assert c.add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat + 1 -> Mon
        assert c.add_business_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
        assert c.add_business_days(date(2026, 11, 10), 1) == date(2026, 11, 12)  # over 11 Nov
        assert c.add_business_days(date(2026, 12, 23), 1) == date(2026, 12, 28)  # over 24-27 Dec
        assert c.add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 9)
        assert c.add_business_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
        assert c.add_business_days(date(2026, 3, 9), -3) == date(2026, 3, 9)

    def test_add_business_days_lt_ru(self):
        assert cal(country="LT").add_business_days(date(2026, 2, 13), 1) == date(2026, 2, 17)
        assert cal(country="LT").add_business_days(date(2026, 3, 10), 1) == date(2026, 3, 12)
        # RU: 31 Dec 2026 is a day off, then 1-8 Jan, then a weekend.
        ru = cal(tz="Europe/Moscow", country="RU")
        assert ru.add_business_days(date(2026, 12, 30), 1) == date(2027, 1, 11)

    def test_a_calendar_that_is_never_open(self):
        c = BusinessCalendar({}, WAW, "")
        with pytest.raises(ValueError, match="check business_hours"):
            c.next_business_day(date(2026, 1, 1))
        with pytest.raises(ValueError, match="check business_hours"):
            c.add_business_days(date(2026, 1, 1), 1)
        with pytest.raises(ValueError, match="check business_hours"):
            c.next_open(local(2026, 1, 1))
        with pytest.raises(ValueError, match="check business_hours"):
            c.add_business_time(local(2026, 1, 1), 60)


# ------------------------------------------------------------------------------------------
# legal deadlines
# ------------------------------------------------------------------------------------------
class TestLegalDeadline:
    def test_plain(self):
        assert cal().legal_deadline(date(2026, 3, 2), 14) == date(2026, 3, 16)  # Mon -> Mon

    def test_saturday_and_sunday_move_to_monday(self):
        assert date(2026, 3, 21).weekday() == SAT
        assert cal().legal_deadline(date(2026, 3, 7), 14) == date(2026, 3, 23)
        assert cal().legal_deadline(date(2026, 3, 8), 14) == date(2026, 3, 23)

    def test_polish_holidays(self):
        assert cal().legal_deadline(date(2026, 10, 28), 14) == date(2026, 11, 12)  # 11 Nov
        assert cal().legal_deadline(date(2026, 12, 10), 14) == date(2026, 12, 28)  # 24-27 Dec
        assert cal().legal_deadline(date(2026, 3, 23), 14) == date(2026, 4, 7)  # Easter Monday
        assert cal().legal_deadline(date(2025, 12, 18), 14) == date(2026, 1, 2)  # New Year, over the year end
        # 2024: Christmas Eve was still a working day
        assert cal().legal_deadline(date(2024, 12, 10), 14) == date(2024, 12, 24)

    def test_lithuania_and_russia(self):
        assert cal(country="LT").legal_deadline(date(2026, 2, 2), 14) == date(2026, 2, 17)
        assert cal(country="LT").legal_deadline(date(2026, 2, 25), 14) == date(2026, 3, 12)
        # 8 Jan 2026 and the 9 Jan day off, then Sat/Sun
        assert cal(tz="Europe/Moscow", country="RU").legal_deadline(date(2025, 12, 25), 14) == date(2026, 1, 12)

    def test_counts_legal_working_days_not_the_shop_hours(self):
        # A shop open on Saturdays, or closed on Mondays, or on its own holiday: the statute
        # only knows Saturdays, Sundays and public holidays.
        assert cal("Mon-Sun 09:00-17:00").legal_deadline(date(2026, 3, 7), 14) == date(2026, 3, 23)
        assert cal("Tue-Sat 09:00-17:00").legal_deadline(date(2026, 3, 7), 14) == date(2026, 3, 23)
        vacation = BusinessCalendar(parse_business_hours("Mon-Fri 09:00-17:00"), WAW, "PL", frozenset({date(2026, 3, 16)}))
        assert vacation.legal_deadline(date(2026, 3, 2), 14) == date(2026, 3, 16)

    def test_no_country_only_skips_weekends(self):
        assert cal(country="").legal_deadline(date(2026, 10, 28), 14) == date(2026, 11, 11)

    @FAST
    @given(
        start=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
        days=st.integers(1, 60),
        country=st.sampled_from(["PL", "LT", "RU"]),
    )
    def test_property_never_on_a_weekend_or_holiday(self, start, days, country):
        end = cal(country=country).legal_deadline(start, days)
        closed = public_holidays(country, end.year) | public_holidays(country, end.year - 1)
        assert end >= start + timedelta(days=days)
        assert end.weekday() < 5
        assert end not in closed
        # ... and it is the *first* such day: everything skipped was a weekend or holiday.
        d = start + timedelta(days=days)
        while d < end:
            assert d.weekday() >= 5 or d in closed, d
            d += timedelta(days=1)


# ------------------------------------------------------------------------------------------
# hours: is_open, next_open, on_duty
# ------------------------------------------------------------------------------------------
class TestOpen:
    def test_is_open_boundaries(self):
        c = cal()
        assert not c.is_open(local(2026, 3, 9, 8, 59))
        assert c.is_open(local(2026, 3, 9, 9, 0))  # start is inclusive
        assert c.is_open(local(2026, 3, 9, 16, 59))
        assert not c.is_open(local(2026, 3, 9, 17, 0))  # end is exclusive
        assert not c.is_open(local(2026, 3, 7, 12))  # Saturday
        assert not c.is_open(local(2026, 11, 11, 12))  # Independence Day
        assert not c.is_open(local(2026, 12, 24, 12))  # Christmas Eve (holiday from 2025)

    def test_is_open_converts_the_moment(self):
        c = cal()
        assert c.is_open(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))  # 09:00 in Warsaw (CET)
        assert not c.is_open(datetime(2026, 3, 9, 7, 59, tzinfo=UTC))
        assert c.is_open(datetime(2026, 6, 8, 7, 0, tzinfo=UTC))  # 09:00 in Warsaw (CEST)
        assert not c.is_open(datetime(2026, 6, 8, 15, 0, tzinfo=UTC))  # 17:00 CEST

    def test_lunch_break(self):
        c = cal("Mon,Wed,Fri 08:00-12:00,13:00-16:00")
        assert c.is_open(local(2026, 3, 9, 11, 59))
        assert not c.is_open(local(2026, 3, 9, 12, 30))
        assert c.is_open(local(2026, 3, 9, 13, 0))
        assert not c.is_open(local(2026, 3, 10, 10))  # Tuesday

    def test_24_7_is_open_at_every_instant(self):
        c = cal("24/7", country="")
        for m in (local(2026, 3, 9, 0, 0), local(2026, 3, 9, 12), datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=WAW)):
            assert c.is_open(m)
        # but a country's holiday still closes a 24/7 shop
        assert not cal("24/7").is_open(local(2026, 11, 11, 12))

    def test_next_open(self):
        c = cal()
        m = local(2026, 3, 9, 10, 15)
        assert c.next_open(m) == m  # open: the moment itself
        assert c.next_open(local(2026, 3, 9, 7)) == local(2026, 3, 9, 9)
        assert c.next_open(local(2026, 3, 9, 17)) == local(2026, 3, 10, 9)
        assert c.next_open(local(2026, 3, 6, 18)) == local(2026, 3, 9, 9)  # Fri evening -> Mon
        assert c.next_open(local(2026, 11, 10, 17, 30)) == local(2026, 11, 12, 9)  # over 11 Nov
        assert c.next_open(local(2026, 12, 23, 17, 30)) == local(2026, 12, 28, 9)
        r = c.next_open(datetime(2026, 3, 7, 12, tzinfo=UTC))
        assert r == local(2026, 3, 9, 9) and r.utcoffset() == timedelta(hours=1)
        assert r.tzinfo == WAW

    def test_next_open_lunch_and_list(self):
        c = cal("Mon,Wed,Fri 08:00-12:00,13:00-16:00")
        assert c.next_open(local(2026, 3, 9, 12, 30)) == local(2026, 3, 9, 13)
        assert c.next_open(local(2026, 3, 9, 16)) == local(2026, 3, 11, 8)
        assert c.next_open(local(2026, 3, 10, 9)) == local(2026, 3, 11, 8)

    def test_next_open_far_zones(self):
        # Vladivostok is UTC+10 all year: Sunday 23:30 UTC is Monday 09:30 there.
        # (Monday 9 March 2026 is a Russian holiday: Women's Day observed; use the next week.)
        vvo = cal(tz="Asia/Vladivostok", country="RU")
        m = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
        assert vvo.is_open(m)
        assert same_instant(vvo.next_open(m), m)
        assert vvo.next_open(datetime(2026, 3, 13, 7, 0, tzinfo=UTC)) == local(2026, 3, 16, 9, tz=VVO)
        assert vvo.next_open(datetime(2026, 3, 6, 7, 0, tzinfo=UTC)) == local(2026, 3, 10, 9, tz=VVO)
        # New York: Monday 13:00 UTC is 09:00 EDT (after 8 Mar 2026) but 08:00 EST before.
        nyc = cal(tz="America/New_York", country="")
        assert nyc.is_open(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
        assert not nyc.is_open(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))
        assert nyc.next_open(datetime(2026, 3, 2, 13, 0, tzinfo=UTC)) == local(2026, 3, 2, 9, tz=NYC)

    def test_on_duty(self):
        spec = "Mon-Fri 08:00-18:00"
        assert on_duty(spec, local(2026, 3, 9, 8), WAW)
        assert on_duty(spec, local(2026, 3, 9, 17, 59), WAW)
        assert not on_duty(spec, local(2026, 3, 9, 18), WAW)
        assert not on_duty(spec, local(2026, 3, 9, 7, 59), WAW)
        assert not on_duty(spec, local(2026, 3, 7, 12), WAW)  # Saturday
        assert on_duty(spec, datetime(2026, 3, 9, 7, 0, tzinfo=UTC), WAW)  # 08:00 CET
        assert on_duty(spec, datetime(2026, 3, 9, 7, 0, tzinfo=UTC), VVO)  # 17:00 in Vladivostok
        # holidays only count when a country is given
        assert on_duty(spec, local(2026, 11, 11, 12), WAW)
        assert not on_duty(spec, local(2026, 11, 11, 12), WAW, "PL")

    def test_on_duty_vladivostok(self):
        spec = "Mon-Fri 08:00-18:00"
        assert on_duty(spec, datetime(2026, 3, 8, 22, 0, tzinfo=UTC), VVO)  # Mon 08:00 local
        assert not on_duty(spec, datetime(2026, 3, 9, 8, 0, tzinfo=UTC), VVO)  # Mon 18:00 local

    @pytest.mark.parametrize("spec", ["", "   ", "\n"])
    def test_on_duty_empty_means_always(self, spec):
        for m in (local(2026, 3, 7, 3), local(2026, 11, 11, 12), datetime(2026, 3, 9, tzinfo=UTC)):
            assert on_duty(spec, m, WAW, "PL") is True

    def test_on_duty_garbage(self):
        with pytest.raises(ValueError):
            on_duty("Mon-Fri", local(2026, 3, 9, 12), WAW)


# ------------------------------------------------------------------------------------------
# business time
# ------------------------------------------------------------------------------------------
class TestAddBusinessTime:
    def test_friday_afternoon_to_monday(self):
        assert date(2026, 3, 6).weekday() == FRI
        r = cal().add_business_time(local(2026, 3, 6, 16, 30), 2 * H)
        assert r == local(2026, 3, 9, 10, 30)
        assert r.tzinfo == WAW

    def test_mail_on_saturday_night(self):
        assert cal().add_business_time(local(2026, 3, 7, 3), 2 * H) == local(2026, 3, 9, 11)

    def test_within_the_day_and_exact_end(self):
        c = cal()
        assert c.add_business_time(local(2026, 3, 9, 9), 8 * H) == local(2026, 3, 9, 17)
        assert c.add_business_time(local(2026, 3, 9, 9), 8 * H + 1) == local(2026, 3, 10, 9) + timedelta(seconds=1)
        assert c.add_business_time(local(2026, 3, 9, 10), 90) == local(2026, 3, 9, 10, 1) + timedelta(seconds=30)

    def test_zero_seconds_waits_for_opening(self):
        c = cal()
        assert c.add_business_time(local(2026, 3, 7, 3), 0) == local(2026, 3, 9, 9)
        assert c.add_business_time(local(2026, 3, 9, 10), 0) == local(2026, 3, 9, 10)

    def test_a_week_of_business_hours(self):
        assert cal().add_business_time(local(2026, 3, 9, 9), 40 * H) == local(2026, 3, 13, 17)
        assert cal().add_business_time(local(2026, 3, 9, 9), 40 * H + 60) == local(2026, 3, 16, 9, 1)

    def test_moment_in_another_zone(self):
        # Friday 15:30 UTC = 16:30 in Warsaw
        r = cal().add_business_time(datetime(2026, 3, 6, 15, 30, tzinfo=UTC), 2 * H)
        assert r == local(2026, 3, 9, 10, 30)

    def test_lunch_break(self):
        c = cal("Mon,Wed,Fri 08:00-12:00,13:00-16:00")
        assert c.add_business_time(local(2026, 3, 9, 11), 2 * H) == local(2026, 3, 9, 14)
        assert c.add_business_time(local(2026, 3, 9, 15), 2 * H) == local(2026, 3, 11, 9)

    def test_saturday_hours(self):
        c = cal("Mon-Fri 09:00-17:00; Sat 10:00-14:00")
        assert c.add_business_time(local(2026, 3, 6, 16, 30), 2 * H) == local(2026, 3, 7, 11, 30)
        assert c.add_business_time(local(2026, 3, 7, 13), 2 * H) == local(2026, 3, 9, 10)

    def test_wrap_around_week(self):
        c = cal("Fri-Mon 10:00-18:00", country="")
        assert c.add_business_time(local(2026, 3, 10, 12), 1 * H) == local(2026, 3, 13, 11)
        assert c.add_business_time(local(2026, 3, 9, 17), 2 * H) == local(2026, 3, 13, 11)

    def test_polish_independence_day(self):
        assert date(2026, 11, 11).weekday() == WED
        assert cal().add_business_time(local(2026, 11, 10, 16), 2 * H) == local(2026, 11, 12, 10)
        assert cal().add_business_time(local(2026, 11, 11, 12), 1 * H) == local(2026, 11, 12, 10)
        # without a country it is an ordinary Wednesday
        assert cal(country="").add_business_time(local(2026, 11, 10, 16), 2 * H) == local(2026, 11, 11, 10)

    def test_polish_christmas(self):
        # 24 (Thu, holiday from 2025), 25 (Fri), 26 (Sat), 27 (Sun) December 2026
        assert cal().add_business_time(local(2026, 12, 23, 16), 2 * H) == local(2026, 12, 28, 10)
        # 2024: Christmas Eve was still a working day
        assert cal().add_business_time(local(2024, 12, 23, 16), 2 * H) == local(2024, 12, 24, 10)

    def test_lithuanian_holidays(self):
        lt = cal(tz="Europe/Vilnius", country="LT")
        assert date(2026, 2, 16).weekday() == MON and date(2026, 3, 11).weekday() == WED
        assert lt.add_business_time(local(2026, 2, 13, 16, tz=VNO), 2 * H) == local(2026, 2, 17, 10, tz=VNO)
        assert lt.add_business_time(local(2026, 3, 10, 16, tz=VNO), 2 * H) == local(2026, 3, 12, 10, tz=VNO)
        # Poland does not close on 16 February
        assert cal(tz="Europe/Vilnius").add_business_time(local(2026, 2, 13, 16, tz=VNO), 2 * H) == local(
            2026, 2, 16, 10, tz=VNO
        )

    def test_russian_new_year(self):
        ru = cal(tz="Europe/Moscow", country="RU")
        # 31 Dec 2026 day off, 1-8 Jan holidays, 9-10 Jan weekend
        assert ru.add_business_time(local(2026, 12, 30, 16, tz=MOW), 2 * H) == local(2027, 1, 11, 10, tz=MOW)
        # 31 Dec 2025 is a day off too, then 1-8 Jan and the 9th (a day off), then a weekend
        assert ru.add_business_time(local(2025, 12, 31, 16, tz=MOW), 2 * H) == local(2026, 1, 12, 11, tz=MOW)
        for d in range(1, 9):
            assert not ru.is_open(local(2027, 1, d, 12, tz=MOW))

    def test_vladivostok(self):
        vvo = cal(tz="Asia/Vladivostok", country="RU")
        # Friday 07:00 UTC = 17:00 in Vladivostok: closed, so +1h is Monday 10:00 there
        r = vvo.add_business_time(datetime(2026, 3, 13, 7, 0, tzinfo=UTC), 1 * H)
        assert r == local(2026, 3, 16, 10, tz=VVO)
        assert r.astimezone(UTC) == datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
        # Sunday 23:00 UTC is already Monday 09:00 in Vladivostok
        assert vvo.add_business_time(datetime(2026, 3, 15, 23, 0, tzinfo=UTC), 1 * H) == local(2026, 3, 16, 10, tz=VVO)
        # ... and Monday 9 March is Women's Day (observed) in Russia: Tuesday then
        assert vvo.add_business_time(datetime(2026, 3, 6, 7, 0, tzinfo=UTC), 1 * H) == local(2026, 3, 10, 10, tz=VVO)

    def test_new_york(self):
        nyc = cal(tz="America/New_York", country="")
        # Friday before the 8 March 2026 US DST change: 16:30 EST + 2h -> Monday 10:30 EDT
        r = nyc.add_business_time(local(2026, 3, 6, 16, 30, tz=NYC), 2 * H)
        assert r == local(2026, 3, 9, 10, 30, tz=NYC)
        assert r.astimezone(UTC) == datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
        # Saturday 02:00 UTC is still Friday 21:00 in New York
        assert nyc.add_business_time(datetime(2026, 3, 7, 2, 0, tzinfo=UTC), 1 * H) == local(2026, 3, 9, 10, tz=NYC)


class TestDST:
    """Europe/Warsaw: 2026-03-29 02:00 -> 03:00 (23 h day), 2026-10-25 03:00 -> 02:00 (25 h)."""

    def test_facts(self):
        assert local(2026, 3, 29, 1).utcoffset() == timedelta(hours=1)
        assert local(2026, 3, 29, 4).utcoffset() == timedelta(hours=2)
        assert local(2026, 10, 25, 2, 30, fold=0).utcoffset() == timedelta(hours=2)
        assert local(2026, 10, 25, 2, 30, fold=1).utcoffset() == timedelta(hours=1)

    @pytest.mark.parametrize("spec", ["24/7", "Mon-Sun 00:00-24:00"])
    @pytest.mark.parametrize("start", [local(2026, 3, 28, 12), local(2026, 10, 24, 12), local(2026, 3, 29, 0), local(2026, 10, 25, 0)])
    def test_24_7_adds_real_hours(self, spec, start):
        c = cal(spec, country="")
        r = c.add_business_time(start, 24 * H)
        assert r.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
        assert c.business_seconds_between(start, r) == 24 * H

    def test_24_7_wall_clock_results(self):
        c = cal("24/7", country="")
        assert c.add_business_time(local(2026, 3, 28, 12), 24 * H) == local(2026, 3, 29, 13)
        r = c.add_business_time(local(2026, 10, 24, 12), 24 * H)
        assert r == local(2026, 10, 25, 11) and r.utcoffset() == timedelta(hours=1)

    @pytest.mark.parametrize("spec", ["24/7", "Mon-Sun 00:00-24:00"])
    def test_change_days_have_23_and_25_hours(self, spec):
        c = cal(spec, country="")
        assert c.business_seconds_between(local(2026, 3, 29), local(2026, 3, 30)) == 23 * H
        assert c.business_seconds_between(local(2026, 10, 25), local(2026, 10, 26)) == 25 * H
        assert c.business_seconds_between(local(2026, 3, 30), local(2026, 3, 31)) == 24 * H
        assert c.add_business_time(local(2026, 3, 29), 23 * H) == local(2026, 3, 30)
        assert c.add_business_time(local(2026, 10, 25), 25 * H) == local(2026, 10, 26)

    def test_shop_keeps_its_wall_clock_hours_on_the_change_day(self):
        c = cal("Mon-Sun 09:00-17:00", country="")
        for day in (date(2026, 3, 29), date(2026, 10, 25)):
            assert day.weekday() == SUN
            y, m, d = day.year, day.month, day.day
            assert c.business_seconds_between(local(y, m, d), local(y, m, d) + timedelta(days=1)) == 8 * H
            assert c.add_business_time(local(y, m, d - 1, 17), 8 * H) == local(y, m, d, 17)
            assert c.add_business_time(local(y, m, d - 1, 16), 2 * H) == local(y, m, d, 10)
            assert c.is_open(local(y, m, d, 9)) and not c.is_open(local(y, m, d, 8, 59))
            assert c.next_open(local(y, m, d, 1)) == local(y, m, d, 9)

    def test_moment_in_the_skipped_hour(self):
        # 02:30 does not exist on 2026-03-29; fold=0 reads it with the old offset (= 03:30 CEST).
        c = cal("24/7", country="")
        ghost = local(2026, 3, 29, 2, 30)
        r = c.add_business_time(ghost, H)
        assert r.astimezone(UTC) == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
        assert r == local(2026, 3, 29, 4, 30)
        assert c.business_seconds_between(ghost, r) == H

    @pytest.mark.parametrize("fold, utc_hour", [(0, 0), (1, 1)])
    def test_moment_in_the_repeated_hour(self, fold, utc_hour):
        c = cal("24/7", country="")
        m = local(2026, 10, 25, 2, 30, fold=fold)
        assert m.astimezone(UTC) == datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC)
        r = c.add_business_time(m, 30 * 60)
        assert r.astimezone(UTC) == datetime(2026, 10, 25, utc_hour + 1, 0, tzinfo=UTC)
        assert c.business_seconds_between(m, r) == 30 * 60

    def test_opening_inside_the_repeated_hour(self):
        # Opens at 02:30, which happens twice on 2026-10-25: the first time (00:30 UTC).
        c = cal("Mon-Sun 02:30-05:00", country="")
        opened = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert c.next_open(local(2026, 10, 25, 1)).astimezone(UTC) == opened
        second_215 = local(2026, 10, 25, 2, 15, fold=1)  # 01:15 UTC: after the opening
        assert second_215.astimezone(UTC) > opened
        assert c.is_open(second_215)
        assert same_instant(c.next_open(second_215), second_215)
        r = c.add_business_time(second_215, 15 * 60)
        assert r.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        # the whole day: 00:30 UTC (02:30 CEST) .. 04:00 UTC (05:00 CET) = 3.5 h
        assert c.business_seconds_between(local(2026, 10, 25), local(2026, 10, 26)) == 3.5 * H

    def test_interval_over_the_spring_gap(self):
        # 01:30 CET .. 03:30 CEST is one real hour on 2026-03-29
        c = cal("Mon-Sun 01:30-03:30", country="")
        assert c.business_seconds_between(local(2026, 3, 29), local(2026, 3, 30)) == H
        assert c.add_business_time(local(2026, 3, 29, 1), H) == local(2026, 3, 29, 3, 30)
        assert c.add_business_time(local(2026, 3, 29, 1), H + 60) == local(2026, 3, 30, 1, 31)

    def test_new_york_24_7(self):
        # US change: 2026-03-08 02:00 -> 03:00 and 2026-11-01 02:00 -> 01:00
        c = cal("24/7", tz="America/New_York", country="")
        for start in (local(2026, 3, 7, 12, tz=NYC), local(2026, 10, 31, 12, tz=NYC)):
            r = c.add_business_time(start, 24 * H)
            assert r.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
        assert c.business_seconds_between(local(2026, 3, 8, tz=NYC), local(2026, 3, 9, tz=NYC)) == 23 * H
        assert c.business_seconds_between(local(2026, 11, 1, tz=NYC), local(2026, 11, 2, tz=NYC)) == 25 * H

    def test_vladivostok_has_no_dst(self):
        c = cal("24/7", tz="Asia/Vladivostok", country="")
        start = local(2026, 3, 28, 12, tz=VVO)
        assert c.add_business_time(start, 24 * H) == local(2026, 3, 29, 12, tz=VVO)
        assert c.business_seconds_between(local(2026, 10, 25, tz=VVO), local(2026, 10, 26, tz=VVO)) == 24 * H


class TestBusinessSecondsBetween:
    def test_basic(self):
        c = cal()
        assert c.business_seconds_between(local(2026, 3, 9, 10), local(2026, 3, 9, 12)) == 2 * H
        assert c.business_seconds_between(local(2026, 3, 6, 16, 30), local(2026, 3, 9, 10, 30)) == 2 * H
        assert c.business_seconds_between(local(2026, 3, 9), local(2026, 3, 16)) == 40 * H
        assert c.business_seconds_between(local(2026, 11, 9), local(2026, 11, 16)) == 32 * H  # 11 Nov

    def test_empty_or_reversed(self):
        c = cal()
        assert c.business_seconds_between(local(2026, 3, 9, 12), local(2026, 3, 9, 12)) == 0
        assert c.business_seconds_between(local(2026, 3, 9, 12), local(2026, 3, 9, 10)) == 0
        assert c.business_seconds_between(local(2026, 3, 7), local(2026, 3, 8, 23)) == 0

    def test_mixed_zones(self):
        c = cal()
        assert c.business_seconds_between(datetime(2026, 3, 9, 0, tzinfo=UTC), local(2026, 3, 9, 12)) == 3 * H
        assert c.business_seconds_between(local(2026, 3, 9, 16), datetime(2026, 3, 10, 9, tzinfo=UTC)) == 2 * H

    def test_overlapping_spec_is_not_counted_twice(self):
        c = cal("Mon 09:00-12:00; Mon 11:00-13:00", country="")
        start = local(2026, 3, 9, 8)
        assert c.hours[MON] == [(time(9), time(13))]
        assert c.business_seconds_between(start, local(2026, 3, 10)) == 4 * H
        assert c.add_business_time(start, 4 * H) == local(2026, 3, 9, 13)
        end = c.add_business_time(start, 5 * H)
        assert end == local(2026, 3, 16, 10)
        assert c.business_seconds_between(start, end) == 5 * H


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------
SPECS = [
    "Mon-Fri 09:00-17:00",
    "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
    "Mon,Wed,Fri 08:00-12:00,13:00-16:00",
    "Fri-Mon 10:00-18:00",
    "Sat 10:00-14:00",
    "24/7",
    "Mon-Sun 00:00-24:00",
    "Mon-Sun 22:00-24:00; Mon-Sun 00:00-06:00",
    "Mon-Sun 01:30-03:30",  # straddles both European DST changes
]
SHOP_ZONES = ["Europe/Warsaw", "Europe/Vilnius", "Europe/Moscow", "Asia/Vladivostok", "America/New_York"]
MOMENT_ZONES = [ZoneInfo(z) for z in SHOP_ZONES] + [UTC, ZoneInfo("Pacific/Kiritimati")]

specs = st.sampled_from(SPECS)
countries = st.sampled_from(["PL", "LT", "RU"])
shop_zones = st.sampled_from(SHOP_ZONES)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31, 23, 59, 59), timezones=st.sampled_from(MOMENT_ZONES)
)
durations = st.integers(60, 80 * H)


def _open_weekdays(spec: str) -> set[int]:
    return set(parse_business_hours(spec))


class TestProperties:
    @FAST
    @given(start=moments, spec=specs, seconds=durations, country=countries, zone=shop_zones)
    def test_add_business_time(self, start, spec, seconds, country, zone):
        c = cal(spec, zone, country)
        end = c.add_business_time(start, seconds)
        assert end.tzinfo == c.tz
        assert end.astimezone(UTC) > start.astimezone(UTC)
        assert end.astimezone(UTC) - start.astimezone(UTC) >= timedelta(seconds=seconds)
        # Inside an opening interval or exactly at its end: open just before the deadline.
        just_before = end.astimezone(UTC) - timedelta(microseconds=1)
        assert c.is_open(just_before)
        # ... on a day the shop keeps (its weekdays) that is no public holiday.
        day = just_before.astimezone(c.tz).date()
        assert day.weekday() in _open_weekdays(spec)
        assert day not in public_holidays(country, day.year)
        # And the opening time in between is what was asked for.
        assert abs(c.business_seconds_between(start, end) - seconds) <= 1

    @FAST
    @given(start=moments, spec=specs, country=countries, zone=shop_zones)
    def test_next_open_and_is_open_agree(self, start, spec, country, zone):
        c = cal(spec, zone, country)
        nxt = c.next_open(start)
        assert nxt.astimezone(UTC) >= start.astimezone(UTC)
        assert c.is_open(nxt)
        assert c.business_seconds_between(start, nxt) == 0
        assert same_instant(c.add_business_time(start, 0), nxt)
        if c.is_open(start):
            assert same_instant(nxt, start)
            # (+1 s in UTC: wall-clock arithmetic in the start's own zone can jump a DST gap)
            assert c.business_seconds_between(start, start.astimezone(UTC) + timedelta(seconds=1)) > 0
        day = nxt.astimezone(c.tz).date()
        assert day.weekday() in _open_weekdays(spec) and day not in public_holidays(country, day.year)

    @FAST
    @given(
        start=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
        n=st.integers(0, 30),
        spec=specs,
        country=countries,
    )
    def test_add_business_days(self, start, n, spec, country):
        c = cal(spec, "Europe/Warsaw", country)
        end = c.add_business_days(start, n)
        assert end >= start
        assert end.weekday() in _open_weekdays(spec)
        assert end not in public_holidays(country, end.year)
        assert c.is_business_day(end)
        if n == 0:
            assert end == c.next_business_day(start)
            skipped = [start + timedelta(days=i) for i in range((end - start).days)]
            assert not any(c.is_business_day(d) for d in skipped)
        else:
            assert end > start
            between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
            assert sum(c.is_business_day(d) for d in between) == n
