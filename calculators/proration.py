"""The proration engine: what a plan, quantity or interval change costs, line by line.

``prorate(request)`` takes the JSON request of the proration contract
(``calculators/contracts/prorate.md``) and returns its JSON response. It never raises: bad input
comes back as ``{"errors": [{"field": "current.price", "message": "..."}, ...]}`` listing every
problem found.

The billing rules, which the ``policy`` object chooses between:
- the unused time of the current period is credited and the time left until the new plan's
  renewal is charged, each as its own invoice line, each rounded on its own at the currency's
  minor unit (credits are rounded on their magnitude, so a credit mirrors the equal charge);
- a share of a period is days (or seconds) used over days (or seconds) in the period, under the
  policy's day-count convention, optionally rounded to ``factor_decimals`` places half up first;
- tax is computed once per invoice on the net of its lines, never per line.

Parsing (request -> frozen values), computing (values -> ``Quote``) and rendering (``Quote`` ->
JSON) are separate steps; the two public building blocks besides ``prorate`` are
``check_policy`` (for code that stores policies, such as the catalogue) and ``line_amount``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal, cast

from calculators import money, periods, presets
from calculators.periods import Interval, Period, PeriodError, Share

Kind = Literal["credit", "charge"]
Apply = Literal["immediately", "next_invoice", "period_end", "without_proration"]
CreditBasis = Literal["price", "paid", "price_capped_at_paid"]
NegativeTotal = Literal["credit_balance", "refund", "extend_period"]

TIMES: Final = "\N{MULTIPLICATION SIGN}"
ELLIPSIS: Final = "\N{HORIZONTAL ELLIPSIS}"

PRORATION_POLICY_FIELDS: Final[tuple[str, ...]] = (
    "time_basis",
    "day_count",
    "rounding",
    "factor_decimals",
    "credit_basis",
    "apply",
    "interval_change",
    "negative_total",
    "tax",
    "minimum_charge",
    "change_day",
    "timing",
    "quantity_change",
)
# The conventions added after the first ten fields; a response echoes them only when they differ
# from the default, so a request that does not use them gets the response it always got.
LATER_POLICY_FIELDS: Final = ("change_day", "timing", "quantity_change")

# The contract's defaults. A plain dict for callers; the engine reads its own frozen copy.
DEFAULT_POLICY: Final[dict[str, object]] = {
    "time_basis": "day",
    "day_count": "actual",
    "rounding": "half_up",
    "factor_decimals": None,
    "credit_basis": "price",
    "apply": "immediately",
    "interval_change": "restart",
    "negative_total": "credit_balance",
    "tax": None,
    # "0" rather than "0.00": it is valid in every currency, including JPY's whole yen.
    "minimum_charge": "0",
    "change_day": "new_plan",
    "timing": "in_advance",
    "quantity_change": "credit_and_charge",
}
_DEFAULTS: Final[Mapping[str, object]] = MappingProxyType(dict(DEFAULT_POLICY))

POLICY_CHOICES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "time_basis": periods.TIME_BASES,
        "day_count": periods.DAY_COUNTS,
        "rounding": money.ROUNDINGS,
        "credit_basis": ("price", "paid", "price_capped_at_paid"),
        "apply": ("immediately", "next_invoice", "period_end", "without_proration"),
        "interval_change": ("restart", "keep_anchor"),
        "negative_total": ("credit_balance", "refund", "extend_period"),
        "change_day": ("new_plan", "current_plan"),
        "timing": ("in_advance", "in_arrears"),
        "quantity_change": ("credit_and_charge", "delta"),
    }
)

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
TAX_FIELDS: Final = ("rate", "inclusive")

# Limits that keep every figure a plausible invoice amount and every date inside the calendar.
MAX_AMOUNT: Final = Decimal(10) ** 15
MAX_QUANTITY: Final = 1_000_000_000
MAX_INTERVAL_COUNT: Final = 1_000
MAX_FACTOR_DECIMALS: Final = 20
MAX_MINOR_UNIT: Final = 6
FACTOR_DISPLAY_DECIMALS: Final = 9

_CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")
_RATE_TEXT: Final = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Currency:
    code: str
    digits: int

    @property
    def units(self) -> Mapping[str, int]:
        return {self.code: self.digits}


@dataclass(frozen=True)
class Tax:
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Policy:
    time_basis: periods.TimeBasis
    day_count: periods.DayCount
    rounding: money.Rounding
    factor_decimals: int | None
    credit_basis: CreditBasis
    apply: Apply
    interval_change: Literal["restart", "keep_anchor"]
    negative_total: NegativeTotal
    tax: Tax | None
    minimum_charge: Decimal
    change_day: Literal["new_plan", "current_plan"] = "new_plan"
    timing: Literal["in_advance", "in_arrears"] = "in_advance"
    quantity_change: Literal["credit_and_charge", "delta"] = "credit_and_charge"


@dataclass(frozen=True)
class CurrentPlan:
    price: Decimal
    quantity: int
    interval: Interval
    period: Period
    amount_paid: Decimal
    billing_cycle_day: int | None = None  # the anchor day, when period_start's day is clamped
    service_start: date | None = None  # in arrears: the service began inside the period


@dataclass(frozen=True)
class NewPlan:
    price: Decimal
    quantity: int
    interval: Interval
    renews_at: date | None


@dataclass(frozen=True)
class Request:
    currency: Currency
    change_at: date
    current: CurrentPlan | None
    new: NewPlan
    policy: Policy
    preset: str | None


@dataclass(frozen=True)
class Line:
    kind: Kind
    description: str
    quantity: int
    unit_price: Decimal
    part: Period
    share: Share
    factor: Decimal  # the factor the amount used: exact, or rounded to factor_decimals
    exact: Decimal  # the amount before rounding, a magnitude
    amount: Decimal  # rounded, negative for a credit
    explanation: str


@dataclass(frozen=True)
class Extension:
    """The new plan's days a credit buys under ``negative_total`` ``extend_period``."""

    days: int
    until: date


@dataclass(frozen=True)
class Quote:
    lines: tuple[Line, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    due_now: Decimal
    credit_to_balance: Decimal
    refund: Decimal
    next_invoice_date: date
    next_invoice_amount: Decimal
    minimum_charge_deferred: bool
    explanation: tuple[str, ...]
    extension: Extension | None = None  # negative_total extend_period: the days bought


class _Problems:
    """Collects every problem found in a request, each with the field path it concerns."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})


# --- the public entry point ----------------------------------------------------------------


def prorate(request: object) -> dict[str, object]:
    """The proration contract: a JSON request in, a JSON response (or ``{"errors": [...]}``) out."""
    try:
        parsed = parse_request(request)
        if isinstance(parsed, list):
            return {"errors": parsed}
        return render(parsed, quote(parsed))
    except PeriodError as error:
        # Only the new plan's own period (a year after 9999-06-01) or the days a credit buys
        # under extend_period can still leave the calendar.
        field = error.field if isinstance(error, _CalendarError) else "new.interval"
        return {"errors": [{"field": field, "message": str(error)}]}
    except Exception as error:  # a safety net: the contract promises nothing raises
        message = f"the request could not be computed ({type(error).__name__})"
        return {"errors": [{"field": "", "message": message}]}


# --- parsing -------------------------------------------------------------------------------


def parse_request(raw: object) -> Request | list[dict[str, str]]:
    """Validate a JSON request into a ``Request``, or return every problem found."""
    problems = _Problems()
    if not isinstance(raw, Mapping):
        problems.add("", f"the request must be a JSON object, got {_json_type(raw)}")
        return problems.items
    _unknown_keys(raw, REQUEST_FIELDS, "", problems)

    currency = _read_currency(raw, problems)
    preset_name, base = _read_preset(raw.get("preset"), problems)
    policy = _read_policy(raw.get("policy"), base, currency, problems, field="policy")
    change_at = _read_instant(raw, "change_at", "change_at", problems, required=True)
    current = _read_current(raw, currency, problems)
    new = _read_new(raw, currency, problems)
    # How the dates relate is checked with whatever parts could be read, so one bad price does
    # not hide a change date outside the period.
    dates = _check_dates(change_at, current, new, policy, problems)

    if problems.items:
        return problems.items
    assert currency is not None and policy is not None and dates is not None
    assert isinstance(new, _Parts) and not isinstance(current, _Missing)
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


@dataclass(frozen=True)
class _Parts:
    """The parts of ``current`` or ``new`` that could be read; ``None`` where one could not."""

    price: Decimal | None
    quantity: int | None
    interval: Interval | None
    start: date | None = None  # current.period_start
    end: date | None = None  # current.period_end, when given
    amount_paid: Decimal | None = None
    renews_at: date | None = None
    billing_cycle_day: int | None = None  # current.billing_cycle_day
    service_start: date | None = None  # current.service_start


class _Missing:
    """Marks a part of the request that could not be read (as opposed to an explicit null)."""


_MISSING: Final = _Missing()


def _read_currency(raw: Mapping[str, object], problems: _Problems) -> Currency | None:
    code = raw.get("currency")
    declared = raw.get("minor_unit")
    digits: int | None = None
    if declared is not None:
        if isinstance(declared, bool) or not isinstance(declared, int):
            problems.add("minor_unit", f"must be a whole number of decimals, got {_show(declared)}")
        elif not 0 <= declared <= MAX_MINOR_UNIT:
            problems.add("minor_unit", f"must be from 0 to {MAX_MINOR_UNIT}, got {declared}")
        else:
            digits = declared
    if code is None:
        problems.add("currency", 'is required: an ISO 4217 code such as "USD"')
        return None
    if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
        hint = ""
        if isinstance(code, str) and _CURRENCY_CODE.fullmatch(code.strip().upper()):
            hint = f"; did you mean {code.strip().upper()!r}?"
        problems.add("currency", f'{_show(code)} is not an ISO 4217 code such as "USD"{hint}')
        return None
    if money.is_known_currency(code):
        known = money.minor_unit(code)
        if digits is not None and digits != known:
            problems.add("minor_unit", f"{code} has {known} decimals in ISO 4217, not {digits}")
            return None
        return Currency(code, known)
    if digits is None:
        problems.add(
            "currency",
            f'unknown currency {code!r}; give its decimals in "minor_unit" if it is real',
        )
        return None
    return Currency(code, digits)


def _read_preset(name: object, problems: _Problems) -> tuple[str | None, Mapping[str, object]]:
    if name is None:
        return None, _DEFAULTS
    if not isinstance(name, str) or name not in presets.PRESETS:
        problems.add(
            "preset", f"unknown preset {_show(name)}; use one of {', '.join(presets.PRESETS)}"
        )
        return None, _DEFAULTS
    return name, {**_DEFAULTS, **presets.PRESETS[name]}


def check_policy(
    value: object, *, currency: str = "USD", field: str = "policy"
) -> list[dict[str, str]]:
    """Every problem in a ``policy`` object (partial policies are fine: defaults fill the rest)."""
    problems = _Problems()
    digits = money.minor_unit(currency) if money.is_known_currency(currency) else None
    known = None if digits is None else Currency(currency, digits)
    _read_policy(value, _DEFAULTS, known, problems, field=field)
    return problems.items


def _read_policy(
    raw: object,
    base: Mapping[str, object],
    currency: Currency | None,
    problems: _Problems,
    *,
    field: str,
) -> Policy | None:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problems.add(field, f"must be an object of policy fields, got {_json_type(raw)}")
        return None
    _unknown_keys(raw, PRORATION_POLICY_FIELDS, field, problems)
    merged = {**base, **{key: value for key, value in raw.items() if key in _DEFAULTS}}
    before = len(problems.items)

    choices: dict[str, str] = {}
    for key, allowed in POLICY_CHOICES.items():
        value = merged[key]
        if isinstance(value, str) and value in allowed:
            choices[key] = value
        else:
            problems.add(
                f"{field}.{key}", f"unknown value {_show(value)}; use one of {', '.join(allowed)}"
            )

    decimals = merged["factor_decimals"]
    factor_decimals: int | None = None
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            problems.add(
                f"{field}.factor_decimals",
                f"must be null or a whole number of decimals, got {_show(decimals)}",
            )
        elif not 0 <= decimals <= MAX_FACTOR_DECIMALS:
            problems.add(
                f"{field}.factor_decimals",
                f"must be from 0 to {MAX_FACTOR_DECIMALS}, got {decimals}",
            )
        else:
            factor_decimals = decimals

    tax = _read_tax(merged["tax"], f"{field}.tax", problems)

    minimum = Decimal(0)
    if merged["minimum_charge"] is not None:
        parsed = _read_amount(
            merged["minimum_charge"], f"{field}.minimum_charge", currency, problems
        )
        minimum = parsed if parsed is not None else minimum

    if choices.get("day_count") == "30_360" and choices.get("time_basis") == "second":
        problems.add(
            f"{field}.day_count",
            "30_360 counts whole days on a 30-day-month calendar; use it with time_basis day",
        )
    if choices.get("change_day") == "current_plan" and choices.get("time_basis") == "second":
        problems.add(
            f"{field}.change_day",
            "current_plan gives the whole change day to the current plan; use it with "
            "time_basis day (to the second there is no change day)",
        )
    if choices.get("negative_total") == "extend_period" and choices.get("timing") == "in_arrears":
        problems.add(
            f"{field}.negative_total",
            "extend_period turns a credit for time paid ahead into days; in_arrears nothing is "
            "paid ahead, so nothing is credited",
        )
    if len(problems.items) > before:
        return None
    return Policy(
        time_basis=cast(periods.TimeBasis, choices["time_basis"]),
        day_count=cast(periods.DayCount, choices["day_count"]),
        rounding=cast(money.Rounding, choices["rounding"]),
        factor_decimals=factor_decimals,
        credit_basis=cast(CreditBasis, choices["credit_basis"]),
        apply=cast(Apply, choices["apply"]),
        interval_change=cast(Literal["restart", "keep_anchor"], choices["interval_change"]),
        negative_total=cast(NegativeTotal, choices["negative_total"]),
        tax=tax,
        minimum_charge=minimum,
        change_day=cast(Literal["new_plan", "current_plan"], choices["change_day"]),
        timing=cast(Literal["in_advance", "in_arrears"], choices["timing"]),
        quantity_change=cast(Literal["credit_and_charge", "delta"], choices["quantity_change"]),
    )


def _read_tax(raw: object, field: str, problems: _Problems) -> Tax | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(
            field, f'must be null or an object such as {{"rate": "0.20"}}, got {_json_type(raw)}'
        )
        return None
    _unknown_keys(raw, TAX_FIELDS, field, problems)
    rate_raw = raw.get("rate")
    rate: Decimal | None = None
    if rate_raw is None:
        problems.add(f"{field}.rate", 'is required: a decimal fraction such as "0.20" for 20%')
    elif not isinstance(rate_raw, str) or not _RATE_TEXT.fullmatch(rate_raw):
        problems.add(
            f"{field}.rate",
            f'must be a decimal fraction as a string such as "0.20", got {_show(rate_raw)}',
        )
    elif len(rate_raw) > 20 or Decimal(rate_raw) >= 1:
        problems.add(f"{field}.rate", f"must be at least 0 and below 1 (100%), got {rate_raw}")
    else:
        rate = Decimal(rate_raw)
    inclusive = raw.get("inclusive", False)
    if not isinstance(inclusive, bool):
        problems.add(f"{field}.inclusive", f"must be true or false, got {_show(inclusive)}")
        return None
    return None if rate is None else Tax(rate, inclusive)


def _read_current(
    raw: Mapping[str, object], currency: Currency | None, problems: _Problems
) -> _Parts | _Missing | None:
    if "current" not in raw:
        problems.add(
            "current",
            "is required: the plan the customer has now, or null for a new "
            "subscription that starts mid-cycle",
        )
        return _MISSING
    value = raw["current"]
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.add("current", f"must be an object or null, got {_json_type(value)}")
        return _MISSING
    _unknown_keys(value, CURRENT_FIELDS, "current", problems)
    return _Parts(
        price=_read_amount(value.get("price"), "current.price", currency, problems, required=True),
        quantity=_read_quantity(value.get("quantity"), "current.quantity", problems),
        interval=_read_interval(value, "current", problems),
        start=_read_instant(value, "period_start", "current.period_start", problems, required=True),
        end=_read_instant(value, "period_end", "current.period_end", problems, required=False),
        amount_paid=_read_amount(
            value.get("amount_paid"), "current.amount_paid", currency, problems
        ),
        billing_cycle_day=_read_billing_day(value.get("billing_cycle_day"), problems),
        service_start=_read_instant(
            value, "service_start", "current.service_start", problems, required=False
        ),
    )


def _read_billing_day(raw: object, problems: _Problems) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 31:
        problems.add(
            "current.billing_cycle_day",
            f"must be a day of the month from 1 to 31, got {_show(raw)}",
        )
        return None
    return raw


def _read_new(
    raw: Mapping[str, object], currency: Currency | None, problems: _Problems
) -> _Parts | _Missing:
    value = raw.get("new")
    if value is None:
        problems.add("new", "is required: the plan after the change (quantity 0 removes it)")
        return _MISSING
    if not isinstance(value, Mapping):
        problems.add("new", f"must be an object, got {_json_type(value)}")
        return _MISSING
    _unknown_keys(value, NEW_FIELDS, "new", problems)
    return _Parts(
        price=_read_amount(value.get("price"), "new.price", currency, problems, required=True),
        quantity=_read_quantity(value.get("quantity"), "new.quantity", problems),
        interval=_read_interval(value, "new", problems),
        renews_at=_read_instant(value, "renews_at", "new.renews_at", problems, required=False),
    )


def _read_amount(
    raw: object,
    field: str,
    currency: Currency | None,
    problems: _Problems,
    *,
    required: bool = False,
) -> Decimal | None:
    if raw is None:
        if required:
            problems.add(field, 'is required: a decimal string such as "249.95"')
        return None
    if isinstance(raw, int):  # bool is an int too
        problems.add(
            field, f'must be a decimal string such as "249.95", not the number {_show(raw)}'
        )
        return None
    # With an unknown currency the format is still checked; only the decimals cannot be.
    code, units = ("USD", {"USD": 10**6}) if currency is None else (currency.code, currency.units)
    try:
        amount = money.parse_amount(raw, code, extra=units)
    except money.MoneyError as error:
        problems.add(field, str(error))
        return None
    if amount >= MAX_AMOUNT:
        problems.add(field, f"{_short(raw)} is too large: amounts go up to 999999999999999")
        return None
    return amount


def _read_quantity(raw: object, field: str, problems: _Problems) -> int | None:
    if raw is None:
        return 1
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, str):
            problems.add(field, f"must be a whole number such as 2, not the string {_show(raw)}")
        else:
            problems.add(field, f"must be a whole number such as 2, got {_show(raw)}")
        return None
    if raw < 0:
        problems.add(field, f"{raw} is negative; 0 removes the item, more adds units")
        return None
    if raw > MAX_QUANTITY:
        problems.add(field, f"{_short(raw)} is too large: at most {MAX_QUANTITY}")
        return None
    return raw


def _read_interval(
    value: Mapping[str, object], prefix: str, problems: _Problems
) -> Interval | None:
    unit = value.get("interval", "month")
    count = value.get("interval_count", 1)
    ok = True
    if unit is None:
        unit = "month"
    if count is None:
        count = 1
    if not isinstance(unit, str) or unit not in periods.UNITS:
        problems.add(
            f"{prefix}.interval",
            f"unknown interval {_show(unit)}; use one of {', '.join(periods.UNITS)}",
        )
        ok = False
    if isinstance(count, bool) or not isinstance(count, int):
        problems.add(
            f"{prefix}.interval_count", f"must be a whole number such as 1, got {_show(count)}"
        )
        ok = False
    elif not 1 <= count <= MAX_INTERVAL_COUNT:
        problems.add(
            f"{prefix}.interval_count",
            f"must be from 1 to {MAX_INTERVAL_COUNT}, got {_short(count)}",
        )
        ok = False
    if not ok:
        return None
    return Interval(cast(periods.Unit, unit), cast(int, count))


def _read_instant(
    value: Mapping[str, object], key: str, field: str, problems: _Problems, *, required: bool
) -> date | None:
    raw = value.get(key)
    if raw is None:
        if required:
            problems.add(field, 'is required: a date such as "2012-05-12"')
        return None
    try:
        return periods.parse_instant(raw)
    except PeriodError as error:
        problems.add(field, str(error))
        return None


def _check_dates(
    change_at: date | None,
    current: _Parts | _Missing | None,
    new: _Parts | _Missing,
    policy: Policy | None,
    problems: _Problems,
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
    if isinstance(current, _Parts) and current.start is not None:
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
                problems.add("current.period_start", str(error))
        if end is not None:
            end = convert(end)
            if end <= start:
                given = (current.start, current.end)
                timed = any(value is not None and periods.is_datetime(value) for value in given)
                note = " (time_basis day counts whole dates)" if basis == "day" and timed else ""
                problems.add(
                    "current.period_end",
                    f"{periods.format_iso(end)} must be after period_start "
                    f"{periods.format_iso(start)}{note}",
                )
            else:
                period = Period(start, end)
    if period is not None and at is not None and not period.contains(at):
        problems.add(
            "change_at",
            f"{periods.format_iso(at)} is outside the current period "
            f"{periods.format_iso(period.start)} to {periods.format_iso(period.end)} "
            "(the end belongs to the next period)",
        )

    renews_at: date | None = None
    if isinstance(new, _Parts) and new.renews_at is not None:
        renews_at = convert(new.renews_at)
        if at is not None and renews_at <= at:
            problems.add(
                "new.renews_at",
                f"{periods.format_iso(renews_at)} must be after change_at {periods.format_iso(at)}",
            )
        elif at is not None and new.interval is not None:
            try:
                first = periods.shift(renews_at, new.interval, -1)
            except PeriodError as error:
                problems.add("new.renews_at", str(error))
            else:
                if first > at:
                    problems.add(
                        "new.renews_at",
                        f"{periods.format_iso(renews_at)} is more than one "
                        f"{new.interval.describe()} after change_at {periods.format_iso(at)}",
                    )
    elif current is None and isinstance(new, _Parts):
        problems.add(
            "new.renews_at",
            "is required when current is null: the new subscription's first, partial period "
            "runs from change_at to it",
        )
    if current is None and policy is not None and policy.apply == "period_end":
        problems.add(
            "policy.apply", "period_end waits for the current period to end, but current is null"
        )
    service_start = _check_service_start(at, current, period, policy, convert, problems)
    if at is None or (current is not None and period is None):
        return None
    return at, period, renews_at, service_start


def _check_billing_day(start: date, day: int, interval: Interval, problems: _Problems) -> None:
    """A billing cycle day is the anchor of month and year periods; ``period_start`` is on it."""
    field = "current.billing_cycle_day"
    if interval.months is None:
        problems.add(field, f"applies to month and year intervals, not {interval.describe()}")
        return
    clamped = periods.shift(start, Interval("month", 1), 0, anchor_day=day).day
    if start.day != clamped:
        note = f", which that month clamps to the {clamped}th" if clamped != day else ""
        problems.add(
            field, f"period_start {periods.format_iso(start)} is not on billing day {day}{note}"
        )


def _check_service_start(
    at: date | None,
    current: _Parts | _Missing | None,
    period: Period | None,
    policy: Policy | None,
    convert: Callable[[date], date],
    problems: _Problems,
) -> date | None:
    """``current.service_start``: when a service billed in arrears began inside its period."""
    if not isinstance(current, _Parts) or current.service_start is None:
        return None
    field = "current.service_start"
    if policy is not None and policy.timing != "in_arrears":
        problems.add(
            field,
            "is for timing in_arrears (the used part is billed from it); in "
            "advance the credit counts from change_at",
        )
        return None
    start = convert(current.service_start)
    if period is not None and at is not None and not period.start <= start <= at:
        problems.add(
            field,
            f"{periods.format_iso(start)} must lie from period_start "
            f"{periods.format_iso(period.start)} to change_at {periods.format_iso(at)}",
        )
        return None
    return start


def _unknown_keys(
    value: Mapping[object, object], known: Sequence[str], prefix: str, problems: _Problems
) -> None:
    for key in value:
        if key not in known:
            path = f"{prefix}.{key}" if prefix else str(key)
            problems.add(path, f"unknown field; known fields here: {', '.join(known)}")


# --- computing -----------------------------------------------------------------------------


def line_amount(
    base: Decimal,
    share: Share,
    *,
    currency: str,
    rounding: money.Rounding,
    factor_decimals: int | None,
    extra: Mapping[str, int] | None = None,
) -> tuple[Decimal, Decimal, Decimal]:
    """``(factor, exact, amount)`` for ``share`` of ``base`` (a non-negative period value).

    With ``factor_decimals`` null the factor stays an exact fraction until the amount is rounded
    once; otherwise it is rounded half up to that many places first, as some engines do.
    """
    if factor_decimals is None:
        factor = money.divide(share.numerator, share.denominator)
        exact = money.divide(money.multiply(base, share.numerator), share.denominator)
    else:
        factor = money.round_to(
            money.divide(share.numerator, share.denominator), factor_decimals, rounding="half_up"
        )
        exact = money.multiply(base, factor)
    return factor, exact, money.quantize(exact, currency, rounding=rounding, extra=extra)


@dataclass(frozen=True)
class _NewTerm:
    part: Period  # what the charge line covers
    whole: Period  # the full interval it is measured against
    restarts: bool  # the billing period starts again at change_at


def _switch(request: Request) -> date:
    """When the new plan takes over: ``change_at``, or the day after it when the change day
    counts as used on the current plan (``change_day`` ``current_plan``, day basis only)."""
    if request.policy.change_day == "current_plan" and request.current is not None:
        return request.change_at + timedelta(days=1)
    return request.change_at


def _new_term(request: Request) -> _NewTerm:
    """Which span the new plan's charge covers, and the full interval it is a share of."""
    change_at, current, new = _switch(request), request.current, request.new
    anchor_day = None if current is None else current.billing_cycle_day
    if new.renews_at is not None:
        end = new.renews_at
        if (
            current is not None
            and end == current.period.end
            and (new.interval.same_length(current.interval))
        ):
            # Renewing with the current period: measure against it, whose anchor day is known.
            return _NewTerm(Period(change_at, end), current.period, False)
        whole = Period(periods.shift(end, new.interval, -1, anchor_day=anchor_day), end)
        return _NewTerm(Period(change_at, end), whole, False)
    assert current is not None  # checked while parsing
    if new.interval.same_length(current.interval):
        return _NewTerm(Period(change_at, current.period.end), current.period, False)
    if request.policy.interval_change == "restart":
        whole = periods.period_starting(change_at, new.interval)
        return _NewTerm(whole, whole, True)
    # keep_anchor: the new plan's periods stay aligned to the current period's start.
    whole = periods.anchored_period_containing(
        current.period.start, new.interval, change_at, anchor_day=anchor_day
    )
    return _NewTerm(Period(change_at, whole.end), whole, False)


def _extends(request: Request) -> bool:
    """Whether the credit buys days of the new plan instead of being set against a charge."""
    policy, new = request.policy, request.new
    return (
        policy.negative_total == "extend_period"
        and policy.apply in ("immediately", "next_invoice")
        and request.current is not None
        and new.quantity > 0
        and new.price > 0
    )


def _lines(request: Request, term: _NewTerm) -> list[Line]:
    """The invoice lines of the change, in invoice order (none when it is not prorated)."""
    policy, current, new = request.policy, request.current, request.new
    if policy.apply not in ("immediately", "next_invoice") or (
        current is None and policy.timing == "in_arrears"
    ):
        return []
    if policy.timing == "in_arrears":
        # Nothing was paid ahead, so nothing is credited: the used part is charged now and the
        # new plan is billed when its own period ends.
        used = _used_line(request)
        return [] if used is None else [used]
    extends = _extends(request)
    delta = None if extends else _delta_line(request, term)
    if delta is not None:
        return [delta]
    lines: list[Line] = []
    credit = None if current is None else _credit_line(request)
    if credit is not None:
        lines.append(credit)
    if not extends and new.quantity > 0 and new.price > 0 and term.part.end > term.part.start:
        lines.append(_charge_line(request, term))
    return lines


def quote(request: Request) -> Quote:
    """Every figure of the response for a validated request."""
    policy, currency, new = request.policy, request.currency, request.new
    term = _new_term(request)
    explanation: list[str] = []
    lines = _lines(request, term)
    explanation.extend(line.explanation for line in lines)

    subtotal = money.add(*(line.amount for line in lines))
    tax, total = _tax(subtotal, policy, currency)
    if lines:
        explanation.append(_subtotal_sentence(lines, subtotal, currency))
    if policy.tax is not None and lines:
        explanation.append(_tax_sentence(subtotal, tax, total, policy, currency))

    renewal, renewal_words = money.multiply(new.price, new.quantity), None
    if policy.timing == "in_arrears":
        renewal, renewal_words = _arrears_invoice(request, term)
    zero = Decimal(0)
    due_now = credit_to_balance = refund = zero
    deferred_minimum = False
    carried = zero  # proration subtotal carried to the next invoice
    renewal_included = True
    extension: Extension | None = None

    if policy.apply in ("period_end", "without_proration"):
        # The new plan starts (period_end) or its price first applies (without_proration) at the
        # next renewal: the current period's end, unless the request moves it with renews_at.
        current = request.current
        if current is None or (policy.apply == "without_proration" and new.renews_at is not None):
            next_date = term.part.end
        else:
            next_date = current.period.end
        explanation.append(_no_proration_sentence(request, next_date))
    elif _extends(request):
        extension = _extension(request, term, -subtotal)
        next_date = extension.until
        explanation.append(_extension_sentence(request, term, -subtotal, extension))
    elif policy.apply == "next_invoice":
        carried = subtotal
        if term.restarts and policy.timing == "in_advance":
            # The billing period starts again now, so the next invoice is the one issued today:
            # it carries the credit and the new period's full price, and no separate renewal.
            next_date, renewal_included = term.part.start, False
            explanation.append(
                f"The billing period restarts on {_day(term.part.start)}, so the next invoice is "
                f"issued that day and carries these lines."
            )
        else:
            next_date = term.part.end
            explanation.append(
                f"Nothing is invoiced now: these lines are added to the next invoice on "
                f"{_day(next_date)}."
            )
    else:
        next_date = term.part.end
        if total > 0 and total < policy.minimum_charge:
            deferred_minimum, carried = True, subtotal
            explanation.append(
                f"The charge of {_money(total, currency)} is below the minimum charge of "
                f"{_money(policy.minimum_charge, currency)}, so it is not invoiced now: it is "
                f"added to the next invoice on {_day(next_date)}."
            )
        elif total > 0:
            due_now = total
            explanation.append(f"Charged now: {_money(total, currency)}.")
        elif total < 0:
            credit_to_balance, refund = _place_credit(-total, policy)
            explanation.append(_credit_sentence(-total, policy, currency))
        elif lines:
            explanation.append("The credit and the charge cancel out: nothing is due now.")

    next_subtotal = money.add(renewal if renewal_included else zero, carried)
    _, next_total = _tax(next_subtotal, policy, currency)
    if next_total < 0:
        # An invoice is never negative: what the credit leaves over goes where net credits go.
        left_over = -next_total
        extra_balance, extra_refund = _place_credit(left_over, policy)
        credit_to_balance = money.add(credit_to_balance, extra_balance)
        refund = money.add(refund, extra_refund)
        next_total = zero
        explanation.append(
            f"The credit exceeds the next invoice, so that invoice is {_money(zero, currency)} "
            f"and the remaining "
            f"{_money(left_over, currency)} "
            + (
                "is refunded."
                if policy.negative_total == "refund"
                else "goes to the account's credit balance."
            )
        )
    explanation.append(
        _next_invoice_sentence(
            request,
            next_date,
            next_total,
            renewal if renewal_included else None,
            carried,
            renewal_words,
        )
    )
    return Quote(
        lines=tuple(lines),
        subtotal=subtotal,
        tax=tax,
        total=total,
        due_now=due_now,
        credit_to_balance=credit_to_balance,
        refund=refund,
        next_invoice_date=next_date,
        next_invoice_amount=next_total,
        minimum_charge_deferred=deferred_minimum,
        explanation=tuple(explanation),
        extension=extension,
    )


@dataclass(frozen=True)
class _Priced:
    share: Share
    factor: Decimal
    exact: Decimal
    amount: Decimal  # rounded, a magnitude


def _priced(
    base: Decimal, part: Period, whole: Period, interval: Interval, request: Request
) -> _Priced:
    """``part``'s share of ``whole`` (one ``interval``) of ``base``, under the policy."""
    policy, currency = request.policy, request.currency
    share = periods.share(
        part, whole, interval=interval, basis=policy.time_basis, day_count=policy.day_count
    )
    factor, exact, amount = line_amount(
        base,
        share,
        currency=currency.code,
        rounding=policy.rounding,
        factor_decimals=policy.factor_decimals,
        extra=currency.units,
    )
    return _Priced(share, factor, exact, amount)


def _credit_line(request: Request) -> Line | None:
    current, policy, currency = request.current, request.policy, request.currency
    assert current is not None
    if policy.credit_basis == "paid":
        quantity, unit_price = 1, current.amount_paid
    else:
        quantity, unit_price = current.quantity, current.price
    base = money.multiply(unit_price, quantity)
    part = Period(_switch(request), current.period.end)
    nothing_paid = current.amount_paid == 0 and policy.credit_basis != "price"
    if base == 0 or nothing_paid or part.end == part.start:
        return None  # nothing was billed for the current period, or none of it is unused
    priced = _priced(base, part, current.period, current.interval, request)
    value = (
        f"{_money(current.amount_paid, currency)} paid"
        if policy.credit_basis == "paid"
        else _price_times(quantity, unit_price, currency)
    )
    description = f"Unused time on the current plan, {_span(part)}"
    sentence = _line_sentence(
        "unused",
        priced.share,
        value,
        priced.factor,
        priced.exact,
        priced.amount,
        "credit",
        policy,
        currency,
    )
    exact, amount = priced.exact, priced.amount
    if policy.credit_basis == "price_capped_at_paid" and amount > current.amount_paid:
        # No more is credited than is still on the item (what was billed, net of adjustments).
        exact = amount = current.amount_paid
        sentence += (
            f" Capped at the {_money(amount, currency)} still on the item: "
            f"{_money(amount, currency)} credit."
        )
    return Line(
        "credit",
        description,
        quantity,
        unit_price,
        part,
        priced.share,
        priced.factor,
        exact,
        -amount,
        sentence,
    )


def _charge_line(request: Request, term: _NewTerm) -> Line:
    new, policy, currency = request.new, request.policy, request.currency
    base = money.multiply(new.price, new.quantity)
    priced = _priced(base, term.part, term.whole, new.interval, request)
    if term.restarts:
        description = f"New plan, {_span(term.part)}"
        word = "in the new period"
    else:
        description = f"Remaining time on the new plan, {_span(term.part)}"
        word = "remaining"
    sentence = _line_sentence(
        word,
        priced.share,
        _price_times(new.quantity, new.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        "charge",
        policy,
        currency,
    )
    if term.restarts:
        sentence += (
            f" The billing interval changes, so the new {new.interval.describe()} starts on "
            f"{_day(term.part.start)} and is charged in full."
        )
    return Line(
        "charge",
        description,
        new.quantity,
        new.price,
        term.part,
        priced.share,
        priced.factor,
        priced.exact,
        priced.amount,
        sentence,
    )


def _used_line(request: Request) -> Line | None:
    """In arrears: the charge for the part of the current period used before the change."""
    current, policy, currency = request.current, request.policy, request.currency
    assert current is not None
    base = money.multiply(current.price, current.quantity)
    part = Period(current.service_start or current.period.start, _switch(request))
    if base == 0 or part.end == part.start:
        return None
    priced = _priced(base, part, current.period, current.interval, request)
    sentence = _line_sentence(
        "used",
        priced.share,
        _price_times(current.quantity, current.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        "charge",
        policy,
        currency,
    )
    return Line(
        "charge",
        f"Used time on the current plan, {_span(part)}",
        current.quantity,
        current.price,
        part,
        priced.share,
        priced.factor,
        priced.exact,
        priced.amount,
        sentence,
    )


def _arrears_invoice(request: Request, term: _NewTerm) -> tuple[Decimal, str]:
    """In arrears, what the next invoice bills for time (before carried lines), and in words.

    A prorated change bills the new plan's part of its period when that period ends; without
    proration the current plan's period is billed at its end at the price it had.
    """
    current, new, policy, currency = request.current, request.new, request.policy, request.currency
    if policy.apply in ("immediately", "next_invoice"):
        plan, price, quantity = "new plan", new.price, new.quantity
        part, whole, interval = term.part, term.whole, new.interval
    elif current is None:
        return Decimal(0), "nothing: the first, partial period is free"
    else:
        plan, price, quantity = "current plan", current.price, current.quantity
        part = Period(current.service_start or current.period.start, current.period.end)
        whole, interval = current.period, current.interval
    base = money.multiply(price, quantity)
    if quantity == 0:
        return Decimal(0), "nothing: the quantity is 0"
    if base == 0 or part.end == part.start:
        return Decimal(0), f"nothing: the {plan} costs nothing"
    priced = _priced(base, part, whole, interval, request)
    share = priced.share
    return priced.amount, (
        f"the {plan}'s {share.numerator:,} of {share.denominator:,} {share.unit} "
        f"{TIMES} {_price_times(quantity, price, currency)}, billed in arrears"
    )


def _delta_line(request: Request, term: _NewTerm) -> Line | None:
    """``quantity_change`` ``delta``: a quantity change at an unchanged unit price and period,
    priced as one line for the units added or removed and rounded once (Zuora, Recurly)."""
    current, new, policy, currency = request.current, request.new, request.policy, request.currency
    if policy.quantity_change != "delta" or current is None or term.restarts:
        return None
    same_terms = (
        current.price == new.price
        and term.whole == current.period
        and term.part == Period(_switch(request), current.period.end)
    )
    paid_at_price = policy.credit_basis == "price" or current.amount_paid == money.multiply(
        current.price, current.quantity
    )
    units = abs(new.quantity - current.quantity)
    if (
        not (same_terms and paid_at_price)
        or units == 0
        or new.price == 0
        or (term.part.end == term.part.start)
    ):
        return None
    kind: Kind = "charge" if new.quantity > current.quantity else "credit"
    priced = _priced(money.multiply(new.price, units), term.part, term.whole, new.interval, request)
    word = "added" if kind == "charge" else "removed"
    sentence = _line_sentence(
        "remaining",
        priced.share,
        _price_times(units, new.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        kind,
        policy,
        currency,
    ) + (
        f" Only the {units:,} {word} units are priced, rounded once."
        if units != 1
        else f" Only the {word} unit is priced, rounded once."
    )
    amount = priced.amount if kind == "charge" else -priced.amount
    return Line(
        kind,
        f"{word.capitalize()} quantity, {_span(term.part)}",
        units,
        new.price,
        term.part,
        priced.share,
        priced.factor,
        priced.exact,
        amount,
        sentence,
    )


def _extension(request: Request, term: _NewTerm, credit: Decimal) -> Extension:
    """``negative_total`` ``extend_period``: the whole days of the new plan ``credit`` buys.

    A day is worth the new plan's price over the days of the period its charge would be measured
    against; the days are rounded up and counted from ``change_at`` (Samsung: 15.00 of credit on
    a 60.00 plan of 30 days buys 7.5 days, so 8, from 15 Sep to 23 Sep).
    """
    new, currency, policy = request.new, request.currency, request.policy
    scale = 10**currency.digits
    credit_units = int(credit * scale)
    price_units = int(money.multiply(new.price, new.quantity) * scale)
    length = periods.length(term.whole, basis=policy.time_basis)
    per_day = 1 if policy.time_basis == "day" else periods.SECONDS_PER_DAY
    days = -(-(credit_units * length) // (price_units * per_day))
    try:
        until = request.change_at + timedelta(days=days)
    except OverflowError:
        raise _CalendarError(
            "policy.negative_total",
            f"extend_period: the credit buys {days:,} days of the new plan, which ends after "
            "the year 9999; use credit_balance or refund",
        ) from None
    return Extension(days, until)


class _CalendarError(PeriodError):
    """A computed date outside the calendar, reported against the field that caused it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _extension_sentence(
    request: Request, term: _NewTerm, credit: Decimal, extension: Extension
) -> str:
    currency, new, policy = request.currency, request.new, request.policy
    base = money.multiply(new.price, new.quantity)
    length = Decimal(periods.length(term.whole, basis=policy.time_basis))
    if policy.time_basis == "second":
        length = money.divide(length, periods.SECONDS_PER_DAY)
    exact = money.divide(money.multiply(credit, length), base) if base else Decimal(0)
    return (
        f"Nothing is charged now: the credit of {_money(credit, currency)} buys days of the new "
        f"plan at {_price_times(new.quantity, new.price, currency)} for {_approx(length)} days, "
        f"{_money(credit, currency)} {TIMES} {_approx(length)} / {_money(base, currency)} = "
        f"{_approx(exact)} days, rounded up to {extension.days:,}: the new plan is paid from "
        f"{_day(request.change_at)} until {_day(extension.until)}, when its next invoice is due."
    )


def _tax(subtotal: Decimal, policy: Policy, currency: Currency) -> tuple[Decimal, Decimal]:
    """``(tax, total)`` for an invoice whose lines add up to ``subtotal``; rounded once."""
    if policy.tax is None:
        return Decimal(0), subtotal
    rate = policy.tax.rate
    if policy.tax.inclusive:
        # Prices already contain the tax: the invoice total is the subtotal, of which
        # rate / (1 + rate) is tax.
        contained = money.divide(money.multiply(subtotal, rate), money.add(Decimal(1), rate))
        return _round(contained, policy, currency), subtotal
    tax = _round(money.multiply(subtotal, rate), policy, currency)
    return tax, money.add(subtotal, tax)


def _round(amount: Decimal, policy: Policy, currency: Currency) -> Decimal:
    return money.quantize(amount, currency.code, rounding=policy.rounding, extra=currency.units)


def _place_credit(amount: Decimal, policy: Policy) -> tuple[Decimal, Decimal]:
    """``(to credit balance, refunded)`` for a net credit of ``amount``."""
    if policy.negative_total == "refund":
        return Decimal(0), amount
    return amount, Decimal(0)


# --- explaining ----------------------------------------------------------------------------


def _line_sentence(
    word: str,
    share: Share,
    value: str,
    factor: Decimal,
    exact: Decimal,
    amount: Decimal,
    kind: Kind,
    policy: Policy,
    currency: Currency,
) -> str:
    """One line's arithmetic, such as (with a multiplication sign for x)
    "20 of 31 days unused x 249.95 = 161.26 credit (161.2580645161... rounded half up to 0.01)".
    """
    count = f"{share.numerator:,} of {share.denominator:,} {share.unit} {word}"
    if share.day_count == "30_day_month":
        count += " (30-day months)"
        if share.capped:
            count += f", capped at one full {share.unit[:-1]} count"
    elif share.day_count == "30_360":
        count += " (30/360 calendar)"
    if policy.factor_decimals is not None:
        count += (
            f" = factor {_factor_text(factor, policy)} (rounded half up to "
            f"{policy.factor_decimals} decimals)"
        )
    sentence = f"{count} {TIMES} {value} = {_money(amount, currency)} {kind}"
    if exact != amount:
        step = money.to_text(
            money.step(currency.code, extra=currency.units), currency.code, extra=currency.units
        )
        sentence += f" ({_approx(exact)} rounded {_rounding(policy)} to {step})"
    return sentence + "."


def _subtotal_sentence(lines: Sequence[Line], subtotal: Decimal, currency: Currency) -> str:
    if len(lines) == 1:
        return f"Subtotal: {_money(subtotal, currency)}."
    terms = " + ".join(_money(line.amount, currency) for line in lines).replace("+ -", "- ")
    return f"Subtotal: {terms} = {_money(subtotal, currency)}."


def _tax_sentence(
    subtotal: Decimal, tax: Decimal, total: Decimal, policy: Policy, currency: Currency
) -> str:
    assert policy.tax is not None
    rate = policy.tax.rate
    percent = f"{money.multiply(rate, 100).normalize():f}%"
    if policy.tax.inclusive:
        return (
            f"Prices include {percent} tax: the total {_money(total, currency)} contains "
            f"{_money(subtotal, currency)} {TIMES} {rate} / {money.add(Decimal(1), rate)} = "
            f"{_money(tax, currency)} tax, rounded {_rounding(policy)} once for the invoice."
        )
    exact = money.multiply(subtotal, rate)
    return (
        f"Tax at {percent}: {_money(subtotal, currency)} {TIMES} {rate} = {_approx(exact)}, "
        f"rounded {_rounding(policy)} once for the invoice to {_money(tax, currency)}; "
        f"total {_money(total, currency)}."
    )


def _credit_sentence(amount: Decimal, policy: Policy, currency: Currency) -> str:
    if policy.negative_total == "refund":
        return f"The net credit of {_money(amount, currency)} is refunded."
    return (
        f"The net credit of {_money(amount, currency)} goes to the account's credit balance "
        "and is used on the next invoices."
    )


def _no_proration_sentence(request: Request, renewal: date) -> str:
    if request.policy.apply == "period_end":
        return (
            f"No proration: the current plan stays until {_day(renewal)} and the new plan "
            "starts then."
        )
    return (
        f"The plan changes on {_day(request.change_at)} with no credit and no charge; the new "
        f"price applies from the renewal on {_day(renewal)}."
    )


def _next_invoice_sentence(
    request: Request,
    on: date,
    amount: Decimal,
    renewal: Decimal | None,
    carried: Decimal,
    renewal_words: str | None = None,
) -> str:
    currency, new = request.currency, request.new
    parts: list[str] = []
    if renewal is not None and renewal_words is not None:
        parts.append(renewal_words)
    elif renewal is not None and new.quantity == 0:
        parts.append("nothing renews: the quantity is 0")
    elif renewal is not None:
        parts.append(
            f"{_price_times(new.quantity, new.price, currency)} for the next "
            f"{new.interval.describe()}"
        )
    if carried != 0 or renewal is None:
        parts.append(f"{_money(carried, currency)} of proration carried over")
    text = f"Next invoice on {_day(on)}: {_money(amount, currency)} ({'; '.join(parts)}"
    if request.policy.tax is not None:
        text += ", tax " + ("included" if request.policy.tax.inclusive else "added")
    return text + ")."


def _price_times(quantity: int, price: Decimal, currency: Currency) -> str:
    if quantity == 1:
        return _money(price, currency)
    return f"{quantity:,} {TIMES} {_money(price, currency)}"


def _approx(value: Decimal) -> str:
    """A long exact figure cut after 10 decimals with an ellipsis: "161.2580645161…"."""
    text = f"{value:f}"
    if "." not in text:
        return text
    whole, fraction = text.split(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > 10:
        return f"{whole}.{fraction[:10]}{ELLIPSIS}"
    return f"{whole}.{fraction}" if fraction else whole


def _rounding(policy: Policy) -> str:
    return policy.rounding.replace("_", " ")


def _money(amount: Decimal, currency: Currency) -> str:
    # Every amount shown is already rounded to the minor unit; ``to_text`` refuses one that isn't.
    return money.to_text(amount, currency.code, extra=currency.units)


def _day(instant: date) -> str:
    return periods.format_human(instant)


def _span(period: Period) -> str:
    return f"{_day(period.start)} to {_day(period.end)}"


def _factor_text(factor: Decimal, policy: Policy) -> str:
    decimals = FACTOR_DISPLAY_DECIMALS if policy.factor_decimals is None else policy.factor_decimals
    return f"{money.round_to(factor, decimals, rounding='half_up'):f}"


# --- rendering -----------------------------------------------------------------------------


def render(request: Request, result: Quote) -> dict[str, object]:
    """The contract's JSON response for a computed quote."""
    currency = request.currency
    return {
        "currency": currency.code,
        "lines": [_line_json(line, request.policy, currency) for line in result.lines],
        "subtotal": _money(result.subtotal, currency),
        "tax": _money(result.tax, currency),
        "total": _money(result.total, currency),
        "due_now": _money(result.due_now, currency),
        "credit_to_balance": _money(result.credit_to_balance, currency),
        "refund": _money(result.refund, currency),
        "next_invoice": {
            "date": periods.format_iso(result.next_invoice_date),
            "amount": _money(result.next_invoice_amount, currency),
        },
        "explanation": list(result.explanation),
        "minimum_charge_deferred": result.minimum_charge_deferred,
        "preset": request.preset,
        "policy": _policy_json(request.policy, currency),
        **_extension_json(request.policy, result.extension),
    }


def _extension_json(policy: Policy, extension: Extension | None) -> dict[str, object]:
    """``extension``, present only under ``negative_total`` ``extend_period``: the days the
    credit bought and the date the new plan is paid until (``null`` when nothing was bought)."""
    if policy.negative_total != "extend_period":
        return {}
    if extension is None:
        return {"extension": None}
    return {"extension": {"days": extension.days, "until": periods.format_iso(extension.until)}}


def _line_json(line: Line, policy: Policy, currency: Currency) -> dict[str, object]:
    return {
        "kind": line.kind,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": _money(line.unit_price, currency),
        "start": periods.format_iso(line.part.start),
        "end": periods.format_iso(line.part.end),
        "factor": _factor_text(line.factor, policy),
        "amount": _money(line.amount, currency),
    }


def _policy_json(policy: Policy, currency: Currency) -> dict[str, object]:
    tax: dict[str, object] | None = None
    if policy.tax is not None:
        tax = {"rate": f"{policy.tax.rate:f}", "inclusive": policy.tax.inclusive}
    return {
        "time_basis": policy.time_basis,
        "day_count": policy.day_count,
        "rounding": policy.rounding,
        "factor_decimals": policy.factor_decimals,
        "credit_basis": policy.credit_basis,
        "apply": policy.apply,
        "interval_change": policy.interval_change,
        "negative_total": policy.negative_total,
        "tax": tax,
        "minimum_charge": _money(policy.minimum_charge, currency),
        **{
            key: getattr(policy, key)
            for key in LATER_POLICY_FIELDS
            if getattr(policy, key) != _DEFAULTS[key]
        },
    }


# --- small helpers -------------------------------------------------------------------------


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _show(value: object) -> str:
    """A value as it would appear in JSON, shortened: "2", true, null, [...]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return _short(value)
    if isinstance(value, float):
        return repr(value)
    return _json_type(value)


def _short(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return "a number with more than 40 digits"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
