"""Business hours, public holidays and the deadlines counted on them.

A response due "in 2 business hours" from Friday 16:30 on a Mon-Fri 09:00-17:00 calendar is
due Monday 10:30 (or Tuesday when Monday is a public holiday). Hours are wall-clock times in the
shop's time zone, so a day with a DST change still has the hours the shop keeps; arithmetic is
done on absolute (UTC) instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from shopcare.model.hours import Interval, parse_business_hours  # noqa: F401 (re-exported)


_UTC = ZoneInfo("UTC")


@lru_cache(maxsize=64)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except (NotImplementedError, KeyError):
        return frozenset()


@dataclass
class BusinessCalendar:
    """Opening hours in a time zone, closed on the country's public holidays."""

    hours: dict[int, list[Interval]]
    tz: ZoneInfo
    country: str = ""
    extra_closed: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_config(cls, business_hours: str, timezone: str, country: str) -> "BusinessCalendar":
        return cls(parse_business_hours(business_hours), ZoneInfo(timezone), country)

    # -- days ---------------------------------------------------------------------------------
    def is_holiday(self, day: date) -> bool:
        if day in self.extra_closed:
            return True
        return bool(self.country) and day in _holiday_dates(self.country, day.year)

    def is_business_day(self, day: date) -> bool:
        return bool(self.hours.get(day.weekday())) and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the next one."""
        for _ in range(400):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no business day within a year: check business_hours")

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (n = 0: `day` or the next business day)."""
        if n <= 0:
            return self.next_business_day(day)
        count = 0
        for _ in range(n * 7 + 400):
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
                if count == n:
                    return day
        raise ValueError("no business day within a year: check business_hours")

    def legal_deadline(self, start: date, days: int) -> date:
        """`days` calendar days after `start`; a deadline that ends on a Saturday, Sunday or
        public holiday moves to the next working day (Polish Civil Code art. 115; the same rule
        in LT CC art. 1.121 and RU CC art. 193)."""
        end = start + timedelta(days=days)
        for _ in range(30):
            if end.weekday() < 5 and not (self.country and end in _holiday_dates(self.country, end.year)):
                return end
            end += timedelta(days=1)
        return end

    # -- hours --------------------------------------------------------------------------------
    def _intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.is_holiday(day):
            return []
        out = []
        for start, end in self.hours.get(day.weekday(), []):
            a = datetime.combine(day, start, self.tz)
            # '24:00' (and 24/7) is stored as 23:59:59.999999; end at the next midnight, not
            # 1 µs before it (a 24/7 shop was closed for that µs and each day lost it).
            if end == time.max:
                b = datetime.combine(day + timedelta(days=1), time(0), self.tz)
            else:
                b = datetime.combine(day, end, self.tz)
            # As UTC instants: aware datetimes sharing one tzinfo compare and subtract by wall
            # clock, which miscounts across a DST change (a 23 h day counted as 24 h) and in
            # the repeated hour (fold).
            out.append((a.astimezone(_UTC), b.astimezone(_UTC)))
        return out

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(a <= local < b for a, b in self._intervals_on(local.date()))

    def next_open(self, moment: datetime) -> datetime:
        """`moment` when open, else the start of the next opening interval."""
        local = moment.astimezone(self.tz)
        day = local.date()
        for _ in range(400):
            for a, b in self._intervals_on(day):
                if local < b:
                    return max(local, a).astimezone(self.tz)  # a is UTC (see _intervals_on)
            day += timedelta(days=1)
        raise ValueError("never open within a year: check business_hours")

    def add_business_time(self, moment: datetime, seconds: float) -> datetime:
        """The instant when `seconds` of opening time have passed since `moment`."""
        local = moment.astimezone(self.tz)
        remaining = timedelta(seconds=seconds)
        day = local.date()
        for _ in range(800):
            for a, b in self._intervals_on(day):
                if local >= b:
                    continue
                start = max(local, a)
                # Compare absolute durations: a DST jump inside an interval changes its length.
                available = b.astimezone(ZoneInfo("UTC")) - start.astimezone(ZoneInfo("UTC"))
                if remaining <= available:
                    return (start.astimezone(ZoneInfo("UTC")) + remaining).astimezone(self.tz)
                remaining -= available
                local = b
            day += timedelta(days=1)
            local = max(local, datetime.combine(day, time(0), self.tz))
        raise ValueError("deadline more than two years away: check business_hours")

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Opening time between two instants (0 when end <= start)."""
        # As UTC instants: two datetimes in the shop's zone would compare and subtract by wall
        # clock (wrong in the repeated hour, and for a moment in the skipped one).
        start, end = start.astimezone(_UTC), end.astimezone(_UTC)
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self._intervals_on(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


def on_duty(spec: str, moment: datetime, tz: ZoneInfo, country: str = "") -> bool:
    """Whether a staff member with on-duty hours `spec` ('' = always) is on duty at `moment`."""
    if not spec.strip():
        return True
    cal = BusinessCalendar(parse_business_hours(spec), tz, country)
    return cal.is_open(moment)
