"""Reads a ``prorate`` request into a ``Request``, or every problem found."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, cast

from calculators.domain import money, periods
from calculators.domain.periods import Interval, PeriodError
from calculators.domain.proration_model import (
    MAX_INTERVAL_COUNT,
    MAX_QUANTITY,
    Currency,
    CurrentPlan,
    NewPlan,
    Request,
)
from calculators.requests.errors import Errors, add_error
from calculators.requests.prorate_dates import check_dates
from calculators.requests.prorate_parts import (
    MISSING,
    Missing,
    Parts,
    json_type,
    read_amount,
    unknown_keys,
    value_shortened,
    value_shown,
)
from calculators.requests.prorate_policy import read_currency, read_policy, read_preset

REQUEST_FIELDS: Final = (
    "currency",
    "change_at",
    "current",
    "new",
    "policy",
    "preset",
    "minor_unit",
)
CURRENT_FIELDS: Final = (
    "price",
    "quantity",
    "interval",
    "interval_count",
    "period_start",
    "period_end",
    "amount_paid",
    "billing_cycle_day",
    "service_start",
)
NEW_FIELDS: Final = ("price", "quantity", "interval", "interval_count", "renews_at")


def parse_request(raw: object) -> Request | Errors:
    """Validate a JSON request into a ``Request``, or return every problem found."""
    problems: Errors = []
    if not isinstance(raw, Mapping):
        add_error(problems, "", f"the request must be a JSON object, got {json_type(raw)}")
        return problems
    unknown_keys(raw, REQUEST_FIELDS, "", problems)

    currency = read_currency(raw, problems)
    preset_name, base = read_preset(raw.get("preset"), problems)
    policy = read_policy(raw.get("policy"), base, currency, problems, field="policy")
    change_at = _read_instant(raw, "change_at", "change_at", problems, required=True)
    current = _read_current(raw, currency, problems)
    new = _read_new(raw, currency, problems)
    # How the dates relate is checked with whatever parts could be read, so one bad price does
    # not hide a change date outside the period.
    dates = check_dates(change_at, current, new, policy, problems)

    if problems:
        return problems
    assert currency is not None and policy is not None and dates is not None
    assert isinstance(new, Parts) and not isinstance(current, Missing)
    change_at, period, renews_at, service_start = dates
    plan: CurrentPlan | None = None
    if current is not None:
        assert current.price is not None and current.quantity is not None
        assert current.interval is not None and period is not None
        paid = current.amount_paid
        if paid is None:
            paid = money.multiply(current.price, current.quantity)
        plan = CurrentPlan(
            current.price,
            current.quantity,
            current.interval,
            period,
            paid,
            current.billing_cycle_day,
            service_start,
        )
    assert new.price is not None and new.quantity is not None and new.interval is not None
    return Request(
        currency,
        change_at,
        plan,
        NewPlan(new.price, new.quantity, new.interval, renews_at),
        policy,
        preset_name,
    )


def _read_current(
    raw: Mapping[str, object], currency: Currency | None, problems: Errors
) -> Parts | Missing | None:
    if "current" not in raw:
        add_error(
            problems,
            "current",
            "is required: the plan the customer has now, or null for a new "
            "subscription that starts mid-cycle",
        )
        return MISSING
    value = raw["current"]
    if value is None:
        return None
    if not isinstance(value, Mapping):
        add_error(problems, "current", f"must be an object or null, got {json_type(value)}")
        return MISSING
    unknown_keys(value, CURRENT_FIELDS, "current", problems)
    return Parts(
        price=read_amount(value.get("price"), "current.price", currency, problems, required=True),
        quantity=_read_quantity(value.get("quantity"), "current.quantity", problems),
        interval=_read_interval(value, "current", problems),
        start=_read_instant(value, "period_start", "current.period_start", problems, required=True),
        end=_read_instant(value, "period_end", "current.period_end", problems, required=False),
        amount_paid=read_amount(
            value.get("amount_paid"), "current.amount_paid", currency, problems
        ),
        billing_cycle_day=_read_billing_day(value.get("billing_cycle_day"), problems),
        service_start=_read_instant(
            value, "service_start", "current.service_start", problems, required=False
        ),
    )


def _read_billing_day(raw: object, problems: Errors) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 31:
        add_error(
            problems,
            "current.billing_cycle_day",
            f"must be a day of the month from 1 to 31, got {value_shown(raw)}",
        )
        return None
    return raw


def _read_new(
    raw: Mapping[str, object], currency: Currency | None, problems: Errors
) -> Parts | Missing:
    value = raw.get("new")
    if value is None:
        add_error(problems, "new", "is required: the plan after the change (quantity 0 removes it)")
        return MISSING
    if not isinstance(value, Mapping):
        add_error(problems, "new", f"must be an object, got {json_type(value)}")
        return MISSING
    unknown_keys(value, NEW_FIELDS, "new", problems)
    return Parts(
        price=read_amount(value.get("price"), "new.price", currency, problems, required=True),
        quantity=_read_quantity(value.get("quantity"), "new.quantity", problems),
        interval=_read_interval(value, "new", problems),
        renews_at=_read_instant(value, "renews_at", "new.renews_at", problems, required=False),
    )


def _read_quantity(raw: object, field: str, problems: Errors) -> int | None:
    if raw is None:
        return 1
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, str):
            add_error(
                problems,
                field,
                f"must be a whole number such as 2, not the string {value_shown(raw)}",
            )
        else:
            add_error(problems, field, f"must be a whole number such as 2, got {value_shown(raw)}")
        return None
    if raw < 0:
        add_error(problems, field, f"{raw} is negative; 0 removes the item, more adds units")
        return None
    if raw > MAX_QUANTITY:
        add_error(problems, field, f"{value_shortened(raw)} is too large: at most {MAX_QUANTITY}")
        return None
    return raw


def _read_interval(value: Mapping[str, object], prefix: str, problems: Errors) -> Interval | None:
    unit = value.get("interval", "month")
    count = value.get("interval_count", 1)
    ok = True
    if unit is None:
        unit = "month"
    if count is None:
        count = 1
    if not isinstance(unit, str) or unit not in periods.UNITS:
        add_error(
            problems,
            f"{prefix}.interval",
            f"unknown interval {value_shown(unit)}; use one of {', '.join(periods.UNITS)}",
        )
        ok = False
    if isinstance(count, bool) or not isinstance(count, int):
        add_error(
            problems,
            f"{prefix}.interval_count",
            f"must be a whole number such as 1, got {value_shown(count)}",
        )
        ok = False
    elif not 1 <= count <= MAX_INTERVAL_COUNT:
        add_error(
            problems,
            f"{prefix}.interval_count",
            f"must be from 1 to {MAX_INTERVAL_COUNT}, got {value_shortened(count)}",
        )
        ok = False
    if not ok:
        return None
    return Interval(cast(periods.Unit, unit), cast(int, count))


def _read_instant(
    value: Mapping[str, object], key: str, field: str, problems: Errors, *, required: bool
) -> date | None:
    raw = value.get(key)
    if raw is None:
        if required:
            add_error(problems, field, 'is required: a date such as "2012-05-12"')
        return None
    try:
        return periods.parse_instant(raw)
    except PeriodError as error:
        add_error(problems, field, str(error))
        return None
