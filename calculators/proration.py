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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal, cast

from calculators import money, periods, presets
from calculators.periods import Interval, Period, PeriodError, Share

Kind = Literal["credit", "charge"]
Apply = Literal["immediately", "next_invoice", "period_end", "without_proration"]

TIMES: Final = "\N{MULTIPLICATION SIGN}"
ELLIPSIS: Final = "\N{HORIZONTAL ELLIPSIS}"

PRORATION_POLICY_FIELDS: Final[tuple[str, ...]] = (
    "time_basis", "day_count", "rounding", "factor_decimals", "credit_basis", "apply",
    "interval_change", "negative_total", "tax", "minimum_charge",
)  # fmt: skip

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
}
_DEFAULTS: Final[Mapping[str, object]] = MappingProxyType(dict(DEFAULT_POLICY))

POLICY_CHOICES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "time_basis": periods.TIME_BASES,
    "day_count": periods.DAY_COUNTS,
    "rounding": money.ROUNDINGS,
    "credit_basis": ("price", "paid"),
    "apply": ("immediately", "next_invoice", "period_end", "without_proration"),
    "interval_change": ("restart", "keep_anchor"),
    "negative_total": ("credit_balance", "refund"),
})  # fmt: skip

REQUEST_FIELDS: Final = (
    "currency", "change_at", "current", "new", "policy", "preset", "minor_unit",
)  # fmt: skip
CURRENT_FIELDS: Final = (
    "price", "quantity", "interval", "interval_count", "period_start", "period_end", "amount_paid",
)  # fmt: skip
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
    credit_basis: Literal["price", "paid"]
    apply: Apply
    interval_change: Literal["restart", "keep_anchor"]
    negative_total: Literal["credit_balance", "refund"]
    tax: Tax | None
    minimum_charge: Decimal


@dataclass(frozen=True)
class CurrentPlan:
    price: Decimal
    quantity: int
    interval: Interval
    period: Period
    amount_paid: Decimal


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
        # Only the new plan's own period can still leave the calendar (a year after 9999-06-01).
        return {"errors": [{"field": "new.interval", "message": str(error)}]}
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
    change_at, period, renews_at = dates
    plan: CurrentPlan | None = None
    if current is not None:
        assert current.price is not None and current.quantity is not None
        assert current.interval is not None and period is not None
        paid = current.amount_paid
        if paid is None:
            paid = money.multiply(current.price, current.quantity)
        plan = CurrentPlan(current.price, current.quantity, current.interval, period, paid)
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
        problems.add("currency", "is required: an ISO 4217 code such as \"USD\"")
        return None
    if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
        hint = ""
        if isinstance(code, str) and _CURRENCY_CODE.fullmatch(code.strip().upper()):
            hint = f"; did you mean {code.strip().upper()!r}?"
        problems.add("currency", f"{_show(code)} is not an ISO 4217 code such as \"USD\"{hint}")
        return None
    if money.is_known_currency(code):
        known = money.minor_unit(code)
        if digits is not None and digits != known:
            problems.add(
                "minor_unit", f"{code} has {known} decimals in ISO 4217, not {digits}"
            )
            return None
        return Currency(code, known)
    if digits is None:
        problems.add(
            "currency",
            f"unknown currency {code!r}; give its decimals in \"minor_unit\" if it is real",
        )
        return None
    return Currency(code, digits)


def _read_preset(
    name: object, problems: _Problems
) -> tuple[str | None, Mapping[str, object]]:
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
    if len(problems.items) > before:
        return None
    return Policy(
        time_basis=cast(periods.TimeBasis, choices["time_basis"]),
        day_count=cast(periods.DayCount, choices["day_count"]),
        rounding=cast(money.Rounding, choices["rounding"]),
        factor_decimals=factor_decimals,
        credit_basis=cast(Literal["price", "paid"], choices["credit_basis"]),
        apply=cast(Apply, choices["apply"]),
        interval_change=cast(Literal["restart", "keep_anchor"], choices["interval_change"]),
        negative_total=cast(Literal["credit_balance", "refund"], choices["negative_total"]),
        tax=tax,
        minimum_charge=minimum,
    )


def _read_tax(raw: object, field: str, problems: _Problems) -> Tax | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(field, f"must be null or an object such as {{\"rate\": \"0.20\"}}, got "
                            f"{_json_type(raw)}")  # fmt: skip
        return None
    _unknown_keys(raw, TAX_FIELDS, field, problems)
    rate_raw = raw.get("rate")
    rate: Decimal | None = None
    if rate_raw is None:
        problems.add(f"{field}.rate", "is required: a decimal fraction such as \"0.20\" for 20%")
    elif not isinstance(rate_raw, str) or not _RATE_TEXT.fullmatch(rate_raw):
        problems.add(
            f"{field}.rate",
            f"must be a decimal fraction as a string such as \"0.20\", got {_show(rate_raw)}",
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
        problems.add("current", "is required: the plan the customer has now, or null for a new "
                                "subscription that starts mid-cycle")  # fmt: skip
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
        start=_read_instant(value, "period_start", "current.period_start", problems,
                            required=True),
        end=_read_instant(value, "period_end", "current.period_end", problems, required=False),
        amount_paid=_read_amount(value.get("amount_paid"), "current.amount_paid", currency,
                                 problems),
    )  # fmt: skip


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
            problems.add(field, "is required: a decimal string such as \"249.95\"")
        return None
    if isinstance(raw, int):  # bool is an int too
        problems.add(
            field, f"must be a decimal string such as \"249.95\", not the number {_show(raw)}"
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
            f"{prefix}.interval", f"unknown interval {_show(unit)}; use one of "
            f"{', '.join(periods.UNITS)}"
        )  # fmt: skip
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
            problems.add(field, "is required: a date such as \"2012-05-12\"")
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
) -> tuple[date, Period | None, date | None] | None:
    """Put the instants on the policy's time basis and check how they relate.

    Returns ``(change_at, current period, new.renews_at)`` on that basis, or ``None`` when a part
    is missing. With ``time_basis`` day only calendar dates count, so datetimes lose their time.
    """
    basis = policy.time_basis if policy is not None else "day"
    convert = periods.as_date if basis == "day" else periods.as_datetime
    at = None if change_at is None else convert(change_at)

    period: Period | None = None
    if isinstance(current, _Parts) and current.start is not None:
        start, end = convert(current.start), current.end
        if end is None and current.interval is not None:
            # The period runs one interval from its start, the start's day being the anchor.
            try:
                end = periods.shift(start, current.interval)
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
    if at is None or (current is not None and period is None):
        return None
    return at, period, renews_at


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


def _new_term(request: Request) -> _NewTerm:
    """Which span the new plan's charge covers, and the full interval it is a share of."""
    change_at, current, new = request.change_at, request.current, request.new
    if new.renews_at is not None:
        end = new.renews_at
        if current is not None and end == current.period.end and (
            new.interval.same_length(current.interval)
        ):
            # Renewing with the current period: measure against it, whose anchor day is known.
            return _NewTerm(Period(change_at, end), current.period, False)
        return _NewTerm(Period(change_at, end), periods.period_ending(end, new.interval), False)
    assert current is not None  # checked while parsing
    if new.interval.same_length(current.interval):
        return _NewTerm(Period(change_at, current.period.end), current.period, False)
    if request.policy.interval_change == "restart":
        whole = periods.period_starting(change_at, new.interval)
        return _NewTerm(whole, whole, True)
    # keep_anchor: the new plan's periods stay aligned to the current period's start.
    whole = periods.anchored_period_containing(current.period.start, new.interval, change_at)
    return _NewTerm(Period(change_at, whole.end), whole, False)


def quote(request: Request) -> Quote:
    """Every figure of the response for a validated request."""
    policy, currency, new = request.policy, request.currency, request.new
    term = _new_term(request)
    explanation: list[str] = []
    lines: list[Line] = []

    prorates = policy.apply in ("immediately", "next_invoice")
    if prorates and request.current is not None:
        credit = _credit_line(request)
        if credit is not None:
            lines.append(credit)
    if prorates and new.quantity > 0 and new.price > 0:
        lines.append(_charge_line(request, term))
    explanation.extend(line.explanation for line in lines)

    subtotal = money.add(*(line.amount for line in lines))
    tax, total = _tax(subtotal, policy, currency)
    if lines:
        explanation.append(_subtotal_sentence(lines, subtotal, currency))
    if policy.tax is not None and lines:
        explanation.append(_tax_sentence(subtotal, tax, total, policy, currency))

    renewal = money.multiply(new.price, new.quantity)
    zero = Decimal(0)
    due_now = credit_to_balance = refund = zero
    deferred_minimum = False
    carried = zero  # proration subtotal carried to the next invoice
    renewal_included = True

    if policy.apply in ("period_end", "without_proration"):
        # The new plan starts (period_end) or its price first applies (without_proration) at the
        # next renewal: the current period's end, unless the request moves it with renews_at.
        current = request.current
        if current is None or (policy.apply == "without_proration" and new.renews_at is not None):
            next_date = term.part.end
        else:
            next_date = current.period.end
        explanation.append(_no_proration_sentence(request, next_date))
    elif policy.apply == "next_invoice":
        carried = subtotal
        if term.restarts:
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
            + ("goes to the account's credit balance." if policy.negative_total ==
               "credit_balance" else "is refunded.")
        )  # fmt: skip
    explanation.append(
        _next_invoice_sentence(
            request, next_date, next_total, renewal if renewal_included else None, carried
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
    )


def _credit_line(request: Request) -> Line | None:
    current, policy, currency = request.current, request.policy, request.currency
    assert current is not None
    if policy.credit_basis == "paid":
        quantity, unit_price = 1, current.amount_paid
    else:
        quantity, unit_price = current.quantity, current.price
    base = money.multiply(unit_price, quantity)
    if base == 0:
        return None  # nothing was billed for the current period, so nothing is unused
    part = Period(request.change_at, current.period.end)
    share = periods.share(
        part, current.period, interval=current.interval, basis=policy.time_basis,
        day_count=policy.day_count,
    )  # fmt: skip
    factor, exact, amount = line_amount(
        base, share, currency=currency.code, rounding=policy.rounding,
        factor_decimals=policy.factor_decimals, extra=currency.units,
    )  # fmt: skip
    value = (
        f"{_money(current.amount_paid, currency)} paid"
        if policy.credit_basis == "paid"
        else _price_times(quantity, unit_price, currency)
    )
    description = f"Unused time on the current plan, {_span(part)}"
    sentence = _line_sentence(
        "unused", share, value, factor, exact, amount, "credit", policy, currency
    )
    return Line("credit", description, quantity, unit_price, part, share, factor, exact,
                -amount, sentence)  # fmt: skip


def _charge_line(request: Request, term: _NewTerm) -> Line:
    new, policy, currency = request.new, request.policy, request.currency
    share = periods.share(
        term.part, term.whole, interval=new.interval, basis=policy.time_basis,
        day_count=policy.day_count,
    )  # fmt: skip
    base = money.multiply(new.price, new.quantity)
    factor, exact, amount = line_amount(
        base, share, currency=currency.code, rounding=policy.rounding,
        factor_decimals=policy.factor_decimals, extra=currency.units,
    )  # fmt: skip
    if term.restarts:
        description = f"New plan, {_span(term.part)}"
        word = "in the new period"
    else:
        description = f"Remaining time on the new plan, {_span(term.part)}"
        word = "remaining"
    sentence = _line_sentence(
        word, share, _price_times(new.quantity, new.price, currency), factor, exact, amount,
        "charge", policy, currency,
    )  # fmt: skip
    if term.restarts:
        sentence += (
            f" The billing interval changes, so the new {new.interval.describe()} starts on "
            f"{_day(term.part.start)} and is charged in full."
        )
    return Line("charge", description, new.quantity, new.price, term.part, share, factor, exact,
                amount, sentence)  # fmt: skip


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
        step = money.to_text(money.step(currency.code, extra=currency.units), currency.code,
                             extra=currency.units)  # fmt: skip
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
) -> str:
    currency, new = request.currency, request.new
    parts: list[str] = []
    if renewal is not None and new.quantity == 0:
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
    decimals = (
        FACTOR_DISPLAY_DECIMALS if policy.factor_decimals is None else policy.factor_decimals
    )
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
    }


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
