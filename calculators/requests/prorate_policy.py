"""Reads the policy, preset, currency and tax of a ``prorate`` request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final, Literal, cast

from calculators.domain import money, periods, presets
from calculators.domain.proration_model import (
    DEFAULTS,
    MAX_FACTOR_DECIMALS,
    MAX_MINOR_UNIT,
    POLICY_CHOICES,
    PRORATION_POLICY_FIELDS,
    Apply,
    CreditBasis,
    Currency,
    NegativeTotal,
    Policy,
    Tax,
)
from calculators.requests.errors import Errors, add_error
from calculators.requests.prorate_parts import (
    CURRENCY_CODE,
    TAX_FIELDS,
    json_type,
    read_amount,
    unknown_keys,
    value_shown,
)

_RATE_TEXT: Final = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


def read_currency(raw: Mapping[str, object], problems: Errors) -> Currency | None:
    code = raw.get("currency")
    declared = raw.get("minor_unit")
    digits: int | None = None
    if declared is not None:
        if isinstance(declared, bool) or not isinstance(declared, int):
            add_error(
                problems,
                "minor_unit",
                f"must be a whole number of decimals, got {value_shown(declared)}",
            )
        elif not 0 <= declared <= MAX_MINOR_UNIT:
            add_error(problems, "minor_unit", f"must be from 0 to {MAX_MINOR_UNIT}, got {declared}")
        else:
            digits = declared
    if code is None:
        add_error(problems, "currency", 'is required: an ISO 4217 code such as "USD"')
        return None
    if not isinstance(code, str) or not CURRENCY_CODE.fullmatch(code):
        hint = ""
        if isinstance(code, str) and CURRENCY_CODE.fullmatch(code.strip().upper()):
            hint = f"; did you mean {code.strip().upper()!r}?"
        add_error(
            problems, "currency", f'{value_shown(code)} is not an ISO 4217 code such as "USD"{hint}'
        )
        return None
    if money.is_known_currency(code):
        known = money.minor_unit(code)
        if digits is not None and digits != known:
            add_error(
                problems, "minor_unit", f"{code} has {known} decimals in ISO 4217, not {digits}"
            )
            return None
        return Currency(code, known)
    if digits is None:
        add_error(
            problems,
            "currency",
            f'unknown currency {code!r}; give its decimals in "minor_unit" if it is real',
        )
        return None
    return Currency(code, digits)


def read_preset(name: object, problems: Errors) -> tuple[str | None, Mapping[str, object]]:
    if name is None:
        return None, DEFAULTS
    if not isinstance(name, str) or name not in presets.PRESETS:
        add_error(
            problems,
            "preset",
            f"unknown preset {value_shown(name)}; use one of {', '.join(presets.PRESETS)}",
        )
        return None, DEFAULTS
    return name, {**DEFAULTS, **presets.PRESETS[name]}


def check_policy(value: object, *, currency: str = "USD", field: str = "policy") -> Errors:
    """Every problem in a ``policy`` object (partial policies are fine: defaults fill the rest)."""
    problems: Errors = []
    digits = money.minor_unit(currency) if money.is_known_currency(currency) else None
    known = None if digits is None else Currency(currency, digits)
    read_policy(value, DEFAULTS, known, problems, field=field)
    return problems


def read_policy(
    raw: object,
    base: Mapping[str, object],
    currency: Currency | None,
    problems: Errors,
    *,
    field: str,
) -> Policy | None:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        add_error(problems, field, f"must be an object of policy fields, got {json_type(raw)}")
        return None
    unknown_keys(raw, PRORATION_POLICY_FIELDS, field, problems)
    merged = {**base, **{key: value for key, value in raw.items() if key in DEFAULTS}}
    before = len(problems)

    choices: dict[str, str] = {}
    for key, allowed in POLICY_CHOICES.items():
        value = merged[key]
        if isinstance(value, str) and value in allowed:
            choices[key] = value
        else:
            add_error(
                problems,
                f"{field}.{key}",
                f"unknown value {value_shown(value)}; use one of {', '.join(allowed)}",
            )

    decimals = merged["factor_decimals"]
    factor_decimals: int | None = None
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            add_error(
                problems,
                f"{field}.factor_decimals",
                f"must be null or a whole number of decimals, got {value_shown(decimals)}",
            )
        elif not 0 <= decimals <= MAX_FACTOR_DECIMALS:
            add_error(
                problems,
                f"{field}.factor_decimals",
                f"must be from 0 to {MAX_FACTOR_DECIMALS}, got {decimals}",
            )
        else:
            factor_decimals = decimals

    tax = _read_tax(merged["tax"], f"{field}.tax", problems)

    minimum = Decimal(0)
    if merged["minimum_charge"] is not None:
        parsed = read_amount(
            merged["minimum_charge"], f"{field}.minimum_charge", currency, problems
        )
        minimum = parsed if parsed is not None else minimum

    if choices.get("day_count") == "30_360" and choices.get("time_basis") == "second":
        add_error(
            problems,
            f"{field}.day_count",
            "30_360 counts whole days on a 30-day-month calendar; use it with time_basis day",
        )
    if choices.get("change_day") == "current_plan" and choices.get("time_basis") == "second":
        add_error(
            problems,
            f"{field}.change_day",
            "current_plan gives the whole change day to the current plan; use it with "
            "time_basis day (to the second there is no change day)",
        )
    if choices.get("negative_total") == "extend_period" and choices.get("timing") == "in_arrears":
        add_error(
            problems,
            f"{field}.negative_total",
            "extend_period turns a credit for time paid ahead into days; in_arrears nothing is "
            "paid ahead, so nothing is credited",
        )
    if len(problems) > before:
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


def _read_tax(raw: object, field: str, problems: Errors) -> Tax | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        add_error(
            problems,
            field,
            f'must be null or an object such as {{"rate": "0.20"}}, got {json_type(raw)}',
        )
        return None
    unknown_keys(raw, TAX_FIELDS, field, problems)
    rate_raw = raw.get("rate")
    rate: Decimal | None = None
    if rate_raw is None:
        add_error(
            problems, f"{field}.rate", 'is required: a decimal fraction such as "0.20" for 20%'
        )
    elif not isinstance(rate_raw, str) or not _RATE_TEXT.fullmatch(rate_raw):
        add_error(
            problems,
            f"{field}.rate",
            f'must be a decimal fraction as a string such as "0.20", got {value_shown(rate_raw)}',
        )
    elif len(rate_raw) > 20 or Decimal(rate_raw) >= 1:
        add_error(
            problems, f"{field}.rate", f"must be at least 0 and below 1 (100%), got {rate_raw}"
        )
    else:
        rate = Decimal(rate_raw)
    inclusive = raw.get("inclusive", False)
    if not isinstance(inclusive, bool):
        add_error(
            problems, f"{field}.inclusive", f"must be true or false, got {value_shown(inclusive)}"
        )
        return None
    return None if rate is None else Tax(rate, inclusive)
