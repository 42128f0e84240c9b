"""Checks the dates of a ``prorate`` request against each other and the billing period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from calculators.domain import periods
from calculators.domain.periods import Interval, Period, PeriodError
from calculators.domain.proration_model import Policy
from calculators.requests.errors import Errors, add_error
from calculators.requests.prorate_parts import Missing, Parts


def check_dates(
    change_at: date | None,
    current: Parts | Missing | None,
    new: Parts | Missing,
    policy: Policy | None,
    problems: Errors,
) -> tuple[date, Period | None, date | None, date | None] | None:
    """Put the instants on the policy's time basis and check how they relate.

    Returns ``(change_at, current period, new.renews_at, current.service_start)`` on that basis,
    or ``None`` when a part is missing. With ``time_basis`` day only calendar dates count, so
    datetimes lose their time.
    """
    basis = policy.time_basis if policy is not None else "day"
    convert = periods.as_date if basis == "day" else periods.as_datetime
    at = None if change_at is None else convert(change_at)

    period: Period | None = None
    if isinstance(current, Parts) and current.start is not None:
        start, end = convert(current.start), current.end
        day = current.billing_cycle_day
        if day is not None and current.interval is not None:
            _check_billing_day(start, day, current.interval, problems)
        if end is None and current.interval is not None:
            # The period runs one interval from its start, the start's day (or the billing
            # cycle day, when the start is that day clamped to a short month) being the anchor.
            try:
                end = periods.shift(start, current.interval, anchor_day=day)
            except PeriodError as error:
                add_error(problems, "current.period_start", str(error))
        if end is not None:
            end = convert(end)
            if end <= start:
                given = (current.start, current.end)
                timed = any(value is not None and periods.is_datetime(value) for value in given)
                note = " (time_basis day counts whole dates)" if basis == "day" and timed else ""
                add_error(
                    problems,
                    "current.period_end",
                    f"{periods.format_iso(end)} must be after period_start "
                    f"{periods.format_iso(start)}{note}",
                )
            else:
                period = Period(start, end)
    if period is not None and at is not None and not period.contains(at):
        add_error(
            problems,
            "change_at",
            f"{periods.format_iso(at)} is outside the current period "
            f"{periods.format_iso(period.start)} to {periods.format_iso(period.end)} "
            "(the end belongs to the next period)",
        )

    renews_at: date | None = None
    if isinstance(new, Parts) and new.renews_at is not None:
        renews_at = convert(new.renews_at)
        if at is not None and renews_at <= at:
            add_error(
                problems,
                "new.renews_at",
                f"{periods.format_iso(renews_at)} must be after change_at {periods.format_iso(at)}",
            )
        elif at is not None and new.interval is not None:
            try:
                first = periods.shift(renews_at, new.interval, -1)
            except PeriodError as error:
                add_error(problems, "new.renews_at", str(error))
            else:
                if first > at:
                    add_error(
                        problems,
                        "new.renews_at",
                        f"{periods.format_iso(renews_at)} is more than one "
                        f"{new.interval.describe()} after change_at {periods.format_iso(at)}",
                    )
    elif current is None and isinstance(new, Parts):
        add_error(
            problems,
            "new.renews_at",
            "is required when current is null: the new subscription's first, partial period "
            "runs from change_at to it",
        )
    if current is None and policy is not None and policy.apply == "period_end":
        add_error(
            problems,
            "policy.apply",
            "period_end waits for the current period to end, but current is null",
        )
    service_start = _check_service_start(at, current, period, policy, convert, problems)
    if at is None or (current is not None and period is None):
        return None
    return at, period, renews_at, service_start


def _check_billing_day(start: date, day: int, interval: Interval, problems: Errors) -> None:
    """A billing cycle day is the anchor of month and year periods; ``period_start`` is on it."""
    field = "current.billing_cycle_day"
    if interval.months is None:
        add_error(
            problems, field, f"applies to month and year intervals, not {interval.describe()}"
        )
        return
    clamped = periods.shift(start, Interval("month", 1), 0, anchor_day=day).day
    if start.day != clamped:
        note = f", which that month clamps to the {clamped}th" if clamped != day else ""
        add_error(
            problems,
            field,
            f"period_start {periods.format_iso(start)} is not on billing day {day}{note}",
        )


def _check_service_start(
    at: date | None,
    current: Parts | Missing | None,
    period: Period | None,
    policy: Policy | None,
    convert: Callable[[date], date],
    problems: Errors,
) -> date | None:
    """``current.service_start``: when a service billed in arrears began inside its period."""
    if not isinstance(current, Parts) or current.service_start is None:
        return None
    field = "current.service_start"
    if policy is not None and policy.timing != "in_arrears":
        add_error(
            problems,
            field,
            "is for timing in_arrears (the used part is billed from it); in "
            "advance the credit counts from change_at",
        )
        return None
    start = convert(current.service_start)
    if period is not None and at is not None and not period.start <= start <= at:
        add_error(
            problems,
            field,
            f"{periods.format_iso(start)} must lie from period_start "
            f"{periods.format_iso(period.start)} to change_at {periods.format_iso(at)}",
        )
        return None
    return start
