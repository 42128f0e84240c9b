"""Reads a ``growth`` request."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from calculators.domain import money
from calculators.domain.catalogue import Catalogue, Plan, describe
from calculators.domain.contract_types.growth import ForecastEcho
from calculators.domain.growth import DEFAULT_HORIZON, MAX_HORIZON, MONTHS_PER_INTERVAL, Growth
from calculators.requests.errors import Errors, add_error, join
from calculators.requests.fields import (
    read_count,
    read_currency,
    read_features,
    read_interval,
    read_object,
    read_per_resource,
    read_plan,
    read_support,
    read_usage,
)

# A growth rate: up to 4 digits before and 6 after the point; above -100% (usage cannot fall
# below nothing) and at most 1000% a month.
_RATE_TEXT: Final = re.compile(r"-?[0-9]{1,4}(\.[0-9]{1,6})?")
_MIN_RATE: Final = Fraction(-100)
_MAX_RATE: Final = Fraction(1000)
_REQUEST_KEYS: Final = (
    "currency",
    "interval",
    "plan",
    "usage",
    "growth",
    "horizon_months",
    "features",
    "support",
)


@dataclass(frozen=True)
class ParsedGrowth:
    """A ``growth`` request as read and checked (its JSON shape: ``contract_types.growth``)."""

    currency: str
    interval: str
    current: Plan | None
    usage: Mapping[str, int]
    growth: Growth
    horizon: int
    features: tuple[str, ...]
    support: str | None


def read_growth_request(
    request: object, catalogue: Catalogue, errors: Errors
) -> ParsedGrowth | None:
    body = read_object(request, "", errors, required=("usage", "growth"), optional=_REQUEST_KEYS)
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    interval = read_interval(
        body.get("interval"), "interval", catalogue, errors, allowed=tuple(MONTHS_PER_INTERVAL)
    )
    current = None
    if body.get("plan") is not None:
        current = read_plan(body["plan"], "plan", catalogue, errors, self_serve=True)
    usage = None
    if "usage" in body:
        usage = read_usage(body["usage"], "usage", catalogue, errors)
    horizon: int | None = DEFAULT_HORIZON
    if body.get("horizon_months") is not None:
        horizon = read_count(
            body["horizon_months"], "horizon_months", errors, minimum=1, maximum=MAX_HORIZON
        )
    growth = None
    if "growth" in body:
        growth = _read_growth(body["growth"], catalogue, errors, horizon=horizon or MAX_HORIZON)
    features = read_features(body.get("features"), "features", catalogue, errors)
    support = read_support(body.get("support"), "support", catalogue, errors)
    if (
        currency is None
        or interval is None
        or usage is None
        or horizon is None
        or growth is None
        or features is None
        or errors
    ):
        return None
    return ParsedGrowth(currency, interval, current, usage, growth, horizon, features, support)


def _read_rate(value: object, field: str, errors: Errors) -> Fraction | None:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        hint = ' (write it as a quoted decimal such as "8.5")' if isinstance(value, float) else ""
        add_error(
            errors,
            field,
            f'must be a decimal percentage such as "8" or "2.5", got {describe(value)}{hint}',
        )
        return None
    if not _RATE_TEXT.fullmatch(text):
        add_error(
            errors,
            field,
            f'must be a decimal percentage such as "8" or "2.5" (at most '
            f"6 decimals), got {describe(value)}",
        )
        return None
    rate = Fraction(Decimal(text))
    if not _MIN_RATE < rate <= _MAX_RATE:
        add_error(errors, field, f"must be above -100 and at most 1000 percent a month, got {text}")
        return None
    return rate


def _rate_text(rate: Fraction) -> str:
    """A rate back as the decimal string it was read from (it has at most 6 decimals)."""
    value = money.divide(rate.numerator, rate.denominator)
    return f"{value.normalize():f}"


def _read_growth(
    value: object, catalogue: Catalogue, errors: Errors, *, horizon: int
) -> Growth | None:
    methods = ("rate_percent", "rates_percent", "forecast")
    body = read_object(value, "growth", errors, optional=methods)
    if body is None:
        return None
    given = [m for m in methods if m in body]
    if len(given) != 1:
        add_error(
            errors,
            "growth",
            "give exactly one of rate_percent (one rate for every "
            "resource), rates_percent (a rate per resource) or forecast (expected usage "
            f"by month); got {', '.join(given) or 'none'}",
        )
        return None
    ids = [r.id for r in catalogue.resources]
    if given[0] == "rate_percent":
        rate = _read_rate(body["rate_percent"], "growth.rate_percent", errors)
        if rate is None:
            return None
        return Growth("rate", dict.fromkeys(ids, rate), (), {"rate_percent": _rate_text(rate)})
    if given[0] == "rates_percent":
        rates = read_per_resource(
            body["rates_percent"],
            "growth.rates_percent",
            catalogue,
            errors,
            read_item=_read_rate,
            default=Fraction(0),
            expected='an object of percentages per resource such as {"storage": "10"}',
        )
        if rates is None:
            return None
        # Resources without a rate of their own do not grow.
        return Growth(
            "rates", rates, (), {"rates_percent": {rid: _rate_text(r) for rid, r in rates.items()}}
        )
    return _read_forecast(body["forecast"], catalogue, errors, horizon=horizon)


def _read_forecast(
    value: object, catalogue: Catalogue, errors: Errors, *, horizon: int
) -> Growth | None:
    field = "growth.forecast"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        add_error(
            errors,
            field,
            'must be a non-empty list such as [{"month": 3, "usage": '
            f'{{"storage": 200}}}}], got {describe(value)}',
        )
        return None
    points: list[tuple[int, Mapping[str, int]]] = []
    ok = True
    last = 0
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        point = read_object(item, where, errors, required=("month", "usage"))
        if point is None or "month" not in point or "usage" not in point:
            ok = False
            continue
        month = read_count(point["month"], join(where, "month"), errors, minimum=1, maximum=horizon)
        usage = _read_partial_usage(point["usage"], join(where, "usage"), catalogue, errors)
        if month is not None and month <= last:
            add_error(
                errors,
                join(where, "month"),
                f"months must increase from one entry to "
                f"the next; month {month} is not after month {last}",
            )
            ok = False
        if month is None or usage is None:
            ok = False
            continue
        last = max(last, month)
        points.append((month, usage))
    if not ok:
        return None
    echo: list[ForecastEcho] = [{"month": m, "usage": dict(u)} for m, u in points]
    return Growth("forecast", {}, tuple(points), {"forecast": echo})


def _read_partial_usage(
    value: object, field: str, catalogue: Catalogue, errors: Errors
) -> dict[str, int] | None:
    """Usage for only the resources given, in catalogue order."""
    full = read_usage(value, field, catalogue, errors)
    if full is None or not isinstance(value, Mapping):
        return None
    return {rid: amount for rid, amount in full.items() if rid in value}
