"""The pieces a ``prorate`` request is read into, and the problems found on the way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from calculators.domain import money
from calculators.domain.periods import Interval
from calculators.domain.proration_model import MAX_AMOUNT, Currency
from calculators.requests.errors import Errors, add_error

TAX_FIELDS: Final = ("rate", "inclusive")
CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Parts:
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


class Missing:
    """Marks a part of the request that could not be read (as opposed to an explicit null)."""


MISSING: Final = Missing()


def read_amount(
    raw: object,
    field: str,
    currency: Currency | None,
    problems: Errors,
    *,
    required: bool = False,
) -> Decimal | None:
    if raw is None:
        if required:
            add_error(problems, field, 'is required: a decimal string such as "249.95"')
        return None
    if isinstance(raw, int):  # bool is an int too
        add_error(
            problems,
            field,
            f'must be a decimal string such as "249.95", not the number {value_shown(raw)}',
        )
        return None
    # With an unknown currency the format is still checked; only the decimals cannot be.
    code, units = ("USD", {"USD": 10**6}) if currency is None else (currency.code, currency.units)
    try:
        amount = money.parse_amount(raw, code, extra=units)
    except money.MoneyError as error:
        add_error(problems, field, str(error))
        return None
    if amount >= MAX_AMOUNT:
        add_error(
            problems,
            field,
            f"{value_shortened(raw)} is too large: amounts go up to 999999999999999",
        )
        return None
    return amount


def unknown_keys(
    value: Mapping[object, object], known: Sequence[str], prefix: str, problems: Errors
) -> None:
    for key in value:
        if key not in known:
            path = f"{prefix}.{key}" if prefix else str(key)
            add_error(problems, path, f"unknown field; known fields here: {', '.join(known)}")


def json_type(value: object) -> str:
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


def value_shown(value: object) -> str:
    """A value as it would appear in JSON, shortened: "2", true, null, [...]."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return value_shortened(value)
    if isinstance(value, float):
        return repr(value)
    return json_type(value)


def value_shortened(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return "a number with more than 40 digits"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
