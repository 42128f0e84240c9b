"""calculators.domain.periods: anchor days, month ends, leap years, half-open counts, day-count
rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.domain import periods
from calculators.domain.periods import Interval, Period, PeriodError

MONTH = Interval("month")
YEAR = Interval("year")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- reading and writing instants ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-05-12", date(2012, 5, 12)),
        ("2024-02-29", date(2024, 2, 29)),  # leap year
        ("2000-02-29", date(2000, 2, 29)),  # divisible by 400: leap
        (" 2012-05-12 ", date(2012, 5, 12)),
        ("2020-09-01T17:42:28Z", utc(2020, 9, 1, 17, 42, 28)),
        ("2020-09-01t17:42:28z", utc(2020, 9, 1, 17, 42, 28)),
        ("2020-09-01T17:42:28+00:00", utc(2020, 9, 1, 17, 42, 28)),
        ("2020-09-01T17:42:28.000Z", utc(2020, 9, 1, 17, 42, 28)),
        ("2020-12-31T23:59:59Z", utc(2020, 12, 31, 23, 59, 59)),
    ],
)
def test_parse_instant_reads_dates_and_utc_datetimes(text: str, expected: date) -> None:
    value = periods.parse_instant(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-30", "February 2023 has 28 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("1900-02-29", "February 1900 has 28 days"),  # divisible by 100, not 400: no leap day
        ("2012-04-31", "April 2012 has 30 days"),
        ("2012-13-01", "there is no month 13"),
        ("2012-00-10", "there is no month 0"),
        ("0000-01-01", "years start at 0001"),
        ("2012-5-1", "is not a date"),
        ("12 May 2012", "is not a date"),
        ("2012-05-12T25:00:00Z", "hours go to 23"),
        ("2012-05-12T10:60:00Z", "minutes and seconds to 59"),
        ("2012-05-12T10:00:00+02:00", "is not in UTC"),
        ("2012-05-12T10:00:00", "is not a date"),  # no zone at all: ambiguous
        ("2012-05-12T10:00:00.5Z", "fraction of a second"),
        ("2012-05-12T10:00Z", "is not a date"),
        ("", "is not a date"),
        ("\u0662\u0660\u0661\u0662-05-12", "is not a date"),  # Arabic-Indic digits
        ("\uff12\uff10\uff12\uff16-03-16", "is not a date"),  # full-width digits
    ],
)
def test_parse_instant_refuses_what_does_not_exist(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        periods.parse_instant(text)


@pytest.mark.parametrize("value", [None, 20120512, 2012.5, ["2012-05-12"], True])
def test_parse_instant_refuses_non_strings(value: object) -> None:
    with pytest.raises(PeriodError, match="must be a date"):
        periods.parse_instant(value)


@pytest.mark.parametrize(
    ("instant", "iso", "human"),
    [
        (date(2012, 5, 12), "2012-05-12", "12 May 2012"),
        (date(2012, 6, 1), "2012-06-01", "1 Jun 2012"),  # no leading zero
        (date(2013, 9, 30), "2013-09-30", "30 Sep 2013"),
        (date(999, 12, 1), "0999-12-01", "1 Dec 999"),
        (utc(2020, 9, 1, 17, 42, 28), "2020-09-01T17:42:28Z", "1 Sep 2020 17:42:28 UTC"),
        (utc(2020, 10, 1), "2020-10-01T00:00:00Z", "1 Oct 2020 00:00:00 UTC"),
    ],
)
def test_formats(instant: date, iso: str, human: str) -> None:
    assert periods.format_iso(instant) == iso
    assert periods.format_human(instant) == human


def test_month_abbreviations_are_english_whatever_the_locale() -> None:
    names = [periods.format_human(date(2021, month, 1)).split()[1] for month in range(1, 13)]
    assert names == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]


# --- intervals and anchor days -------------------------------------------------------------


def test_interval_validates_itself() -> None:
    with pytest.raises(PeriodError, match="unknown interval 'monthly'"):
        Interval("monthly")  # type: ignore[arg-type]
    for count in (0, -1, True, 1.5):
        with pytest.raises(PeriodError, match="at least 1"):
            Interval("month", count)  # type: ignore[arg-type]
    assert Interval("year").months == 12
    assert Interval("month", 3).months == 3
    assert Interval("week", 2).days == 14
    assert Interval("day").months is None
    assert Interval("month", 12).same_length(Interval("year"))
    assert Interval("week").same_length(Interval("day", 7))
    assert not Interval("month").same_length(Interval("day", 30))
    assert Interval("month", 3).describe() == "3 months"
    assert Interval("year").describe() == "year"


@pytest.mark.parametrize(
    ("start", "interval", "times", "expected"),
    [
        # The anchor day is remembered and clamped at month end (Stripe documents the same rule:
        # an anchor of January 31 bills Feb 28 or 29, then Mar 31, Apr 30 -
        # https://stripe.com/docs/subscriptions/billing-cycle).
        (date(2013, 1, 31), MONTH, 1, date(2013, 2, 28)),
        (date(2012, 1, 31), MONTH, 1, date(2012, 2, 29)),  # leap year
        (date(2012, 1, 31), MONTH, 2, date(2012, 3, 31)),
        (date(2012, 1, 31), MONTH, 3, date(2012, 4, 30)),
        (date(2012, 1, 31), MONTH, 4, date(2012, 5, 31)),
        (date(2012, 1, 30), MONTH, 1, date(2012, 2, 29)),
        (date(2012, 3, 31), MONTH, -1, date(2012, 2, 29)),
        (date(2012, 12, 15), MONTH, 1, date(2013, 1, 15)),  # across the year end
        (date(2013, 1, 15), MONTH, -1, date(2012, 12, 15)),
        (date(2012, 5, 1), Interval("month", 3), 1, date(2012, 8, 1)),
        (date(2012, 11, 30), Interval("month", 3), 1, date(2013, 2, 28)),
        (date(2012, 2, 29), YEAR, 1, date(2013, 2, 28)),
        (date(2012, 2, 29), YEAR, 4, date(2016, 2, 29)),  # anchor kept across the short years
        (date(2012, 5, 1), YEAR, -1, date(2011, 5, 1)),
        (date(2012, 5, 12), Interval("week"), 1, date(2012, 5, 19)),
        (date(2012, 12, 28), Interval("week", 2), 1, date(2013, 1, 11)),
        (date(2012, 2, 28), Interval("day"), 1, date(2012, 2, 29)),
        (date(2013, 2, 28), Interval("day"), 1, date(2013, 3, 1)),
        (utc(2012, 1, 31, 17, 42, 28), MONTH, 1, utc(2012, 2, 29, 17, 42, 28)),
    ],
)
def test_shift_keeps_the_anchor_day(
    start: date, interval: Interval, times: int, expected: date
) -> None:
    assert periods.shift(start, interval, times) == expected


def test_an_explicit_anchor_day_outlives_a_clamped_month() -> None:
    # Stepping from the clamped Feb 29 would give Mar 29; the subscription's anchor is the 31st.
    assert periods.shift(date(2012, 2, 29), MONTH) == date(2012, 3, 29)
    assert periods.shift(date(2012, 2, 29), MONTH, anchor_day=31) == date(2012, 3, 31)
    assert periods.shift(date(2012, 4, 30), MONTH, anchor_day=31) == date(2012, 5, 31)


def test_shift_outside_the_calendar_is_an_error() -> None:
    with pytest.raises(PeriodError, match="1 year after 9999-12-01 is outside the years"):
        periods.shift(date(9999, 12, 1), YEAR)
    with pytest.raises(PeriodError, match="2 months before 0001-01-15 is outside the years"):
        periods.shift(date(1, 1, 15), MONTH, -2)
    with pytest.raises(PeriodError, match="outside the years"):
        periods.shift(date(9999, 12, 31), Interval("day"))


def test_period_starting_and_ending() -> None:
    assert periods.period_starting(date(2012, 5, 1), MONTH) == Period(
        date(2012, 5, 1), date(2012, 6, 1)
    )
    assert periods.period_ending(date(2013, 5, 1), YEAR) == Period(
        date(2012, 5, 1), date(2013, 5, 1)
    )
    assert periods.period_ending(date(2012, 3, 31), MONTH) == Period(
        date(2012, 2, 29), date(2012, 3, 31)
    )


@pytest.mark.parametrize(
    ("anchor", "interval", "instant", "expected"),
    [
        (
            date(2012, 5, 1),
            Interval("month", 3),
            date(2012, 5, 12),
            (date(2012, 5, 1), date(2012, 8, 1)),
        ),
        (date(2012, 5, 1), MONTH, date(2012, 9, 15), (date(2012, 9, 1), date(2012, 10, 1))),
        (date(2012, 1, 31), MONTH, date(2012, 3, 30), (date(2012, 2, 29), date(2012, 3, 31))),
        (date(2012, 1, 31), MONTH, date(2012, 3, 31), (date(2012, 3, 31), date(2012, 4, 30))),
        (date(2012, 1, 31), MONTH, date(2012, 1, 31), (date(2012, 1, 31), date(2012, 2, 29))),
        (date(2012, 5, 1), YEAR, date(2012, 5, 12), (date(2012, 5, 1), date(2013, 5, 1))),
        (
            date(2012, 5, 1),
            Interval("week"),
            date(2012, 5, 16),
            (date(2012, 5, 15), date(2012, 5, 22)),
        ),
        (
            utc(2012, 5, 1, 12),
            MONTH,
            utc(2012, 6, 1, 11, 59, 59),
            (utc(2012, 5, 1, 12), utc(2012, 6, 1, 12)),
        ),
    ],
)
def test_anchored_period_containing(
    anchor: date, interval: Interval, instant: date, expected: tuple[date, date]
) -> None:
    assert periods.anchored_period_containing(anchor, interval, instant) == Period(*expected)


def test_anchored_period_before_the_anchor_is_an_error() -> None:
    with pytest.raises(PeriodError, match="before the anchor"):
        periods.anchored_period_containing(date(2012, 5, 1), MONTH, date(2012, 4, 30))


def test_period_checks_its_ends() -> None:
    with pytest.raises(PeriodError, match="before its start"):
        Period(date(2012, 6, 1), date(2012, 5, 1))
    with pytest.raises(PeriodError, match="both be dates or both be datetimes"):
        Period(date(2012, 5, 1), utc(2012, 6, 1))
    period = Period(date(2012, 5, 1), date(2012, 6, 1))
    assert period.contains(date(2012, 5, 1))
    assert period.contains(date(2012, 5, 31))
    assert not period.contains(date(2012, 6, 1))  # half-open: the end is the next period's


# --- counting time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2012, 5, 1), date(2012, 6, 1), 31),
        (date(2012, 5, 12), date(2012, 6, 1), 20),
        (date(2012, 2, 1), date(2012, 3, 1), 29),  # leap February
        (date(2013, 2, 1), date(2013, 3, 1), 28),
        (date(2012, 5, 1), date(2013, 5, 1), 365),
        (date(2011, 5, 1), date(2012, 5, 1), 366),  # contains 29 Feb 2012
        (date(2012, 5, 31), date(2012, 6, 1), 1),  # the last day of a period
        (date(2012, 5, 1), date(2012, 5, 1), 0),
        (utc(2012, 5, 1, 23, 59, 59), utc(2012, 5, 2, 0, 0, 1), 1),  # dates only
    ],
)
def test_days_between_is_half_open(start: date, end: date, days: int) -> None:
    assert periods.days_between(start, end) == days


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        (utc(2020, 9, 1), utc(2020, 10, 1), 30 * 86_400),
        (utc(2020, 9, 1, 17, 42, 28), utc(2020, 10, 1), 2_528_252),
        (utc(2020, 9, 30, 23, 59, 59), utc(2020, 10, 1), 1),  # the last second of a period
        (date(2020, 2, 28), date(2020, 3, 1), 2 * 86_400),  # dates count from midnight UTC
        (utc(2016, 12, 31, 23, 59, 59), utc(2017, 1, 1), 1),  # UTC knows no leap second
    ],
)
def test_seconds_between_counts_exact_utc_seconds(start: date, end: date, seconds: int) -> None:
    assert periods.seconds_between(start, end) == seconds


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2012, 5, 1), date(2012, 6, 1), 30),
        (date(2012, 5, 12), date(2012, 6, 1), 19),  # May 31 counts as May 30
        (date(2012, 1, 31), date(2012, 2, 29), 30),  # month ends count as the 30th
        (date(2013, 1, 31), date(2013, 2, 28), 30),
        (date(2013, 2, 28), date(2013, 3, 31), 30),
        (date(2013, 2, 28), date(2013, 3, 1), 1),
        (date(2012, 3, 30), date(2012, 3, 31), 0),  # the 30th and the 31st are the same day
        (date(2012, 5, 1), date(2013, 5, 1), 360),
        (date(2013, 1, 28), date(2013, 2, 28), 32),  # the documented wart of 30E/360
    ],
)
def test_days_360_counts_every_month_as_30_days(start: date, end: date, days: int) -> None:
    assert periods.days_360(start, end) == days


def test_elapsed_and_remaining() -> None:
    period = Period(date(2012, 5, 1), date(2012, 6, 1))
    assert periods.elapsed(period, date(2012, 5, 12), basis="day") == 11
    assert periods.remaining(period, date(2012, 5, 12), basis="day") == 20
    assert periods.remaining(period, date(2012, 4, 1), basis="day") == 31  # clamped to the period
    assert periods.elapsed(period, date(2012, 7, 1), basis="day") == 31
    timed = Period(utc(2020, 9, 1), utc(2020, 10, 1))
    assert periods.remaining(timed, utc(2020, 9, 30, 23, 59, 59), basis="second") == 1
    assert periods.length(timed, basis="second") == 2_592_000


# --- shares of a period --------------------------------------------------------------------


def share(
    part: tuple[date, date],
    whole: tuple[date, date],
    interval: Interval = MONTH,
    basis: periods.TimeBasis = "day",
    day_count: periods.DayCount = "actual",
) -> tuple[int, int, bool]:
    result = periods.share(
        Period(*part), Period(*whole), interval=interval, basis=basis, day_count=day_count
    )
    return result.numerator, result.denominator, result.capped


MAY = (date(2012, 5, 1), date(2012, 6, 1))
FEB = (date(2013, 2, 1), date(2013, 3, 1))


@pytest.mark.parametrize(
    ("part", "whole", "interval", "basis", "day_count", "expected"),
    [
        ((date(2012, 5, 12), MAY[1]), MAY, MONTH, "day", "actual", (20, 31, False)),
        (MAY, MAY, MONTH, "day", "actual", (31, 31, False)),
        ((MAY[1], MAY[1]), MAY, MONTH, "day", "actual", (0, 31, False)),
        ((date(2012, 5, 12), MAY[1]), MAY, MONTH, "day", "30_day_month", (20, 30, False)),
        (MAY, MAY, MONTH, "day", "30_day_month", (30, 30, True)),  # 31 days capped at a month
        (FEB, FEB, MONTH, "day", "30_day_month", (28, 30, False)),  # February is short of 30
        ((date(2012, 5, 12), MAY[1]), MAY, MONTH, "day", "30_360", (19, 30, False)),
        (FEB, FEB, MONTH, "day", "30_360", (30, 30, False)),
        (
            (date(2012, 5, 12), date(2013, 5, 1)),
            (date(2012, 5, 1), date(2013, 5, 1)),
            YEAR,
            "day",
            "30_day_month",
            (354, 360, False),
        ),
        # Weeks have no months: both 30-day conventions count their actual days.
        (
            (date(2012, 5, 3), date(2012, 5, 8)),
            (date(2012, 5, 1), date(2012, 5, 8)),
            Interval("week"),
            "day",
            "30_day_month",
            (5, 7, False),
        ),
        (
            (date(2012, 5, 3), date(2012, 5, 8)),
            (date(2012, 5, 1), date(2012, 5, 8)),
            Interval("week"),
            "day",
            "30_360",
            (5, 7, False),
        ),
        (
            (utc(2020, 9, 16), utc(2020, 10, 1)),
            (utc(2020, 9, 1), utc(2020, 10, 1)),
            MONTH,
            "second",
            "actual",
            (1_296_000, 2_592_000, False),
        ),
        (
            (utc(2020, 9, 16), utc(2020, 10, 1)),
            (utc(2020, 9, 1), utc(2020, 10, 1)),
            MONTH,
            "second",
            "30_day_month",
            (1_296_000, 2_592_000, False),
        ),
        # An explicit period inside the 30th and 31st has no 30/360 length: actual days.
        (
            (date(2012, 3, 30), date(2012, 3, 31)),
            (date(2012, 3, 30), date(2012, 3, 31)),
            MONTH,
            "day",
            "30_360",
            (1, 1, False),
        ),
    ],
)
def test_share(
    part: tuple[date, date],
    whole: tuple[date, date],
    interval: Interval,
    basis: periods.TimeBasis,
    day_count: periods.DayCount,
    expected: tuple[int, int, bool],
) -> None:
    assert share(part, whole, interval, basis, day_count) == expected


def test_share_refuses_a_part_outside_the_whole_and_30_360_in_seconds() -> None:
    with pytest.raises(PeriodError, match="is not inside"):
        share((date(2012, 4, 30), MAY[1]), MAY)
    with pytest.raises(PeriodError, match="use it with time_basis day"):
        share(
            (utc(2020, 9, 16), utc(2020, 10, 1)),
            (utc(2020, 9, 1), utc(2020, 10, 1)),
            basis="second",
            day_count="30_360",
        )


# --- properties ----------------------------------------------------------------------------

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
intervals = st.builds(
    Interval, st.sampled_from(periods.UNITS), st.integers(min_value=1, max_value=24)
)


@given(days, intervals, st.integers(min_value=0, max_value=40))
def test_series_boundaries_never_drift_from_the_anchor(
    anchor: date, interval: Interval, k: int
) -> None:
    boundary = periods.shift(anchor, interval, k)
    if interval.months is not None:
        # Always the anchor day, or the month's last day when the month is shorter.
        assert boundary.day == anchor.day or (
            boundary.day < anchor.day and (boundary + timedelta(days=1)).day == 1
        )
    found = periods.anchored_period_containing(anchor, interval, boundary)
    assert found.start == boundary
    assert found.end == periods.shift(anchor, interval, k + 1)


@given(days, intervals, st.integers(min_value=0, max_value=400))
def test_elapsed_plus_remaining_is_the_whole_period(
    start: date, interval: Interval, offset: int
) -> None:
    period = periods.period_starting(start, interval)
    instant = start + timedelta(days=offset)
    for basis in periods.TIME_BASES:
        total = periods.elapsed(period, instant, basis=basis) + periods.remaining(
            period, instant, basis=basis
        )
        assert total == periods.length(period, basis=basis)


@given(days, intervals, st.integers(min_value=0, max_value=400))
def test_shares_of_the_two_sides_of_a_split_add_up_to_the_period(
    start: date, interval: Interval, offset: int
) -> None:
    whole = periods.period_starting(start, interval)
    split = min(start + timedelta(days=offset), whole.end)
    for day_count in ("actual", "30_360"):
        before = periods.share(
            Period(whole.start, split), whole, interval=interval, basis="day", day_count=day_count
        )
        after = periods.share(
            Period(split, whole.end), whole, interval=interval, basis="day", day_count=day_count
        )
        assert before.denominator == after.denominator
        assert before.numerator + after.numerator == before.denominator
