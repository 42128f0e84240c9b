"""Billing periods: intervals, anchor days, and how much of a period a span of time is.

Rules this module encodes:
- a period is half-open, ``[start, end)``: a monthly period "1 May to 1 Jun" covers 31 days and
  1 Jun already belongs to the next period;
- adding months remembers the anchor day: a subscription that started on Jan 31 renews on
  Feb 28 (Feb 29 in a leap year), then Mar 31, then Apr 30; the day is clamped to the month's
  last day, never rolled over into the next month;
- time is counted either in calendar days (dates only) or in exact seconds of UTC time;
- three day-count conventions turn a span into a share of a period: ``actual`` days,
  ``30_day_month`` (actual days over 30 per month of the interval) and ``30_360`` (both sides on a
  calendar where every month has 30 days).

Instants are ``datetime.date`` values (day basis) or timezone-aware UTC ``datetime`` values
(second basis). Everything here is a pure function over frozen values.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal, TypeVar

Unit = Literal["day", "week", "month", "year"]
UNITS: Final[tuple[Unit, ...]] = ("day", "week", "month", "year")
TimeBasis = Literal["day", "second"]
TIME_BASES: Final[tuple[TimeBasis, ...]] = ("day", "second")
DayCount = Literal["actual", "30_day_month", "30_360"]
DAY_COUNTS: Final[tuple[DayCount, ...]] = ("actual", "30_day_month", "30_360")
MONTH_ABBREVIATIONS: Final[tuple[str, ...]] = tuple(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
)
MONTH_NAMES: Final[tuple[str, ...]] = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
SECONDS_PER_DAY: Final = 86_400
Instant = date  # a ``datetime`` is a ``date`` too; second-basis instants are aware UTC datetimes
_I = TypeVar("_I", date, datetime)
# ASCII digits only: "\d" would also take Arabic-Indic or full-width digits for a date.
_DATE_TEXT: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME_TEXT: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class PeriodError(ValueError):
    """A date, interval or period that cannot be used; the message names the value and why."""


@dataclass(frozen=True)
class Interval:
    """A billing interval: ``count`` days, weeks, months or years."""

    unit: Unit = "month"
    count: int = 1

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise PeriodError(f"unknown interval {self.unit!r}; use one of {', '.join(UNITS)}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise PeriodError(
                f"interval count must be a whole number of at least 1, got {self.count!r}"
            )

    @property
    def months(self) -> int | None:
        """Length in months for month and year intervals; ``None`` for day and week intervals."""
        if self.unit == "month":
            return self.count
        if self.unit == "year":
            return 12 * self.count
        return None

    @property
    def days(self) -> int | None:
        """Length in days for day and week intervals; ``None`` for month and year intervals."""
        if self.unit == "day":
            return self.count
        if self.unit == "week":
            return 7 * self.count
        return None

    def same_length(self, other: Interval) -> bool:
        """Whether both intervals step the calendar identically (12 months is one year)."""
        return (self.months, self.days) == (other.months, other.days)

    def describe(self) -> str:
        """ "month", "3 months", "year", "2 weeks"."""
        return self.unit if self.count == 1 else f"{self.count} {self.unit}s"


@dataclass(frozen=True)
class Period:
    """A half-open span of time ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if type(self.start) is not type(self.end):
            raise PeriodError("a period's start and end must both be dates or both be datetimes")
        if self.end < self.start:
            raise PeriodError(
                f"period end {format_iso(self.end)} is before its start {format_iso(self.start)}"
            )

    def contains(self, instant: date) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class Share:
    """How much of a whole period a part of it is, as an exact fraction of whole units.

    ``numerator`` and ``denominator`` count ``unit`` ("days" or "seconds") under ``day_count``;
    ``capped`` says the count exceeded a full period and was limited to it.
    """

    numerator: int
    denominator: int
    unit: Literal["days", "seconds"]
    day_count: DayCount
    capped: bool = False

    def __post_init__(self) -> None:
        if self.denominator <= 0 or not 0 <= self.numerator <= self.denominator:
            raise PeriodError(
                f"a share must be between 0 and 1, got {self.numerator}/{self.denominator}"
            )


def parse_instant(text: object) -> date:
    """Read an ISO date ("2012-05-12") or an RFC 3339 UTC datetime ("2020-09-01T17:42:28Z").

    A date comes back as ``date``; a datetime as an aware UTC ``datetime``. Dates that do not
    exist (2023-02-30), offsets other than UTC and fractions of a second are refused.
    """
    if not isinstance(text, str):
        raise PeriodError(f'must be a date such as "2012-05-12", got {type(text).__name__}')
    raw = text.strip()
    match = _DATE_TEXT.fullmatch(raw)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _checked_date(raw, year, month, day)
    match = _DATETIME_TEXT.fullmatch(raw)
    if match is None:
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise PeriodError(
            f'{shown!r} is not a date ("2012-05-12") or a UTC datetime ("2020-09-01T17:42:28Z")'
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    if offset.upper() != "Z" and offset not in ("+00:00", "-00:00"):
        raise PeriodError(f"{raw!r} is not in UTC: write the time in UTC with a trailing Z")
    if fraction is not None and fraction.strip(".0") != "":
        raise PeriodError(f"{raw!r} has a fraction of a second; billing counts whole seconds")
    day_value = _checked_date(raw, year, month, day)
    if hour > 23 or minute > 59 or second > 59:
        raise PeriodError(
            f"{raw!r} is not a time of day: hours go to 23, minutes and seconds to 59"
        )
    return datetime(
        day_value.year, day_value.month, day_value.day, hour, minute, second, tzinfo=UTC
    )


def _checked_date(raw: str, year: int, month: int, day: int) -> date:
    if year < 1:
        raise PeriodError(f"{raw!r} is not a date: years start at 0001")
    if not 1 <= month <= 12:
        raise PeriodError(f"{raw!r} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise PeriodError(f"{raw!r} is not a date: {MONTH_NAMES[month - 1]} {year} has {last} days")
    return date(year, month, day)


def is_datetime(instant: date) -> bool:
    return isinstance(instant, datetime)


def as_date(instant: date) -> date:
    """The calendar date of an instant (a UTC datetime's date)."""
    if isinstance(instant, datetime):
        return instant.date()
    return instant


def as_datetime(instant: date) -> datetime:
    """An aware UTC datetime; a plain date means the start of that day in UTC."""
    if isinstance(instant, datetime):
        return instant
    return datetime(instant.year, instant.month, instant.day, tzinfo=UTC)


def format_iso(instant: date) -> str:
    """The wire form: "2012-05-12" or "2020-09-01T17:42:28Z"."""
    if isinstance(instant, datetime):
        return as_datetime(instant).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d}"


def format_human(instant: date) -> str:
    """How an invoice writes it: "12 May 2012", or "1 Sep 2020 17:42:28 UTC" for a datetime.

    English month abbreviations are spelled out here rather than taken from ``strftime("%b")``,
    whose output depends on the machine's locale.
    """
    text = f"{instant.day} {MONTH_ABBREVIATIONS[instant.month - 1]} {instant.year}"
    if isinstance(instant, datetime):
        moment = as_datetime(instant)
        text += f" {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} UTC"
    return text


def shift(instant: _I, interval: Interval, times: int = 1, *, anchor_day: int | None = None) -> _I:
    """Move ``instant`` by ``times`` intervals (negative goes back), keeping the anchor day.

    Months and years are counted on the calendar: Jan 31 + 1 month is Feb 28 (Feb 29 in a leap
    year) and Jan 31 + 2 months is Mar 31, because the anchor day (the 31st) is remembered rather
    than carried over from the clamped Feb 28. ``anchor_day`` defaults to ``instant``'s own day.
    Days and weeks are exact: a week is always 7 days. The time of day of a datetime is kept.
    """
    try:
        if interval.days is not None:
            return instant + timedelta(days=interval.days * times)
        months = interval.months
        assert months is not None
        return _add_months(instant, months * times, anchor_day or instant.day)
    except (OverflowError, ValueError):
        steps = Interval(interval.unit, interval.count * abs(times)) if times else interval
        direction = "after" if times >= 0 else "before"
        raise PeriodError(
            f"{steps.count} {steps.unit}{'s' if steps.count != 1 else ''} {direction} "
            f"{format_iso(instant)} is outside the years 0001 to 9999"
        ) from None


def _add_months(instant: _I, months: int, anchor_day: int) -> _I:
    index = instant.year * 12 + (instant.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError
    last = calendar.monthrange(year, month0 + 1)[1]
    # The anchor day is clamped to the month's last day: the 31st of a 30-day month is its 30th.
    return instant.replace(year=year, month=month0 + 1, day=min(anchor_day, last))


def period_starting(start: _I, interval: Interval) -> Period:
    """The period of one interval that starts at ``start``."""
    return Period(start, shift(start, interval))


def period_ending(end: _I, interval: Interval) -> Period:
    """The period of one interval that ends at ``end`` (counted back from ``end``'s own day)."""
    return Period(shift(end, interval, -1), end)


def anchored_period_containing(
    anchor: _I, interval: Interval, instant: _I, *, anchor_day: int | None = None
) -> Period:
    """The period of the series ``anchor + k * interval`` (k = 0, 1, ...) that contains ``instant``.

    Every boundary is computed from ``anchor`` itself, so a series anchored on Jan 31 has the
    boundaries Jan 31, Feb 29, Mar 31, Apr 30: a clamped month end never shortens later months.
    ``anchor_day`` is the billing day when ``anchor`` is itself clamped (a series on the 30th
    that starts on Feb 29).
    """
    if instant < anchor:
        raise PeriodError(f"{format_iso(instant)} is before the anchor {format_iso(anchor)}")
    if interval.days is not None:
        elapsed = (as_date(instant) - as_date(anchor)).days
        k = max(elapsed // interval.days - 1, 0)
    else:
        months = interval.months
        assert months is not None
        elapsed = (instant.year - anchor.year) * 12 + (instant.month - anchor.month)
        k = max(elapsed // months - 1, 0)
    start = shift(anchor, interval, k, anchor_day=anchor_day)
    end = shift(anchor, interval, k + 1, anchor_day=anchor_day)
    while end <= instant:
        k += 1
        start, end = end, shift(anchor, interval, k + 1, anchor_day=anchor_day)
    return Period(start, end)


def days_between(start: date, end: date) -> int:
    """Calendar days in ``[start, end)``: 1 May to 1 Jun is 31. Times of day are ignored."""
    return (as_date(end) - as_date(start)).days


def seconds_between(start: date, end: date) -> int:
    """Exact UTC seconds in ``[start, end)``; a plain date counts from its midnight UTC."""
    delta = as_datetime(end) - as_datetime(start)
    return delta.days * SECONDS_PER_DAY + delta.seconds


def days_360(start: date, end: date) -> int:
    """Days from ``start`` to ``end`` on a calendar where every month has 30 days.

    The 30E/360 (ISDA) rule: the 31st and the last day of February both count as the 30th, so a
    month from any anchor day up to the 27th, or from the 30th or 31st, is exactly 30 days, and a
    year is 360. (From the 28th or 29th across a short February a month can count 28 to 32.)
    """
    first, last = as_date(start), as_date(end)
    return (
        (last.year - first.year) * 360
        + (last.month - first.month) * 30
        + (_day_360(last) - _day_360(first))
    )


def _day_360(value: date) -> int:
    month_end = calendar.monthrange(value.year, value.month)[1]
    return 30 if value.day == month_end or value.day > 30 else value.day


def elapsed(period: Period, instant: date, *, basis: TimeBasis) -> int:
    """Days or seconds of ``period`` before ``instant`` (0 before the start, all after the end)."""
    moment = min(max(instant, period.start), period.end)
    return _count(period.start, moment, basis)


def remaining(period: Period, instant: date, *, basis: TimeBasis) -> int:
    """Days or seconds of ``period`` from ``instant`` to its end (half-open)."""
    moment = min(max(instant, period.start), period.end)
    return _count(moment, period.end, basis)


def length(period: Period, *, basis: TimeBasis) -> int:
    return _count(period.start, period.end, basis)


def _count(start: date, end: date, basis: TimeBasis) -> int:
    return days_between(start, end) if basis == "day" else seconds_between(start, end)


def share(
    part: Period,
    whole: Period,
    *,
    interval: Interval,
    basis: TimeBasis,
    day_count: DayCount,
) -> Share:
    """What share of ``whole`` (one ``interval`` long) the sub-span ``part`` is.

    - ``actual``: days (or seconds) in ``part`` over days (or seconds) in ``whole``.
    - ``30_day_month``: actual days (or seconds) in ``part`` over 30 days per month of
      ``interval`` (360 a year); a share above one whole interval is capped at 1, because no
      period is worth more than its price (the 31st day of a month is free).
    - ``30_360``: both counted with :func:`days_360`; day basis only.

    Day and week intervals have no months, so both 30-day conventions count them in actual days.
    """
    if not (whole.start <= part.start <= part.end <= whole.end):
        raise PeriodError(
            f"{format_iso(part.start)} to {format_iso(part.end)} is not inside "
            f"{format_iso(whole.start)} to {format_iso(whole.end)}"
        )
    unit: Literal["days", "seconds"] = "days" if basis == "day" else "seconds"
    months = interval.months
    if day_count == "actual" or months is None:
        numerator = _count(part.start, part.end, basis)
        return Share(numerator, _count(whole.start, whole.end, basis), unit, day_count)
    if day_count == "30_day_month":
        per_day = 1 if basis == "day" else SECONDS_PER_DAY
        denominator = 30 * months * per_day
        numerator = _count(part.start, part.end, basis)
        capped = numerator > denominator
        return Share(min(numerator, denominator), denominator, unit, day_count, capped)
    if basis != "day":
        raise PeriodError("the 30_360 day count counts whole days; use it with time_basis day")
    denominator = days_360(whole.start, whole.end)
    if denominator == 0:
        # A period inside the 30th and 31st of one month has no length on a 30/360 calendar;
        # only an explicit, shorter-than-a-month period can be that short: count actual days.
        return Share(
            days_between(part.start, part.end), days_between(whole.start, whole.end), unit, "actual"
        )
    return Share(days_360(part.start, part.end), denominator, unit, day_count)
