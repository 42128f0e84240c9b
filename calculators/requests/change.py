"""Reads a ``change`` request: the subscription now, the one wanted, the dates and the credit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from calculators.domain import changes, money
from calculators.domain.catalogue import Catalogue
from calculators.requests.addons import read_quantities
from calculators.requests.errors import Errors, add_error, join
from calculators.requests.fields import read_currency, read_interval, read_object, read_plan

_TOP_KEYS: Final = ("currency", "change_at", "current", "new")
_CURRENT_KEYS: Final = (
    "plan",
    "interval",
    "period_start",
    "period_end",
    "addons",
    "credit_balance",
)
_NEW_KEYS: Final = ("plan", "interval", "addons")


@dataclass(frozen=True)
class ParsedChange:
    """A ``change`` request as read and checked (its JSON shape: ``contract_types.change``)."""

    currency: str
    change_at: str
    period_start: str
    period_end: str | None
    before: changes.Subscription
    after: changes.Subscription
    credit_balance: Decimal


def read_request(request: object, catalogue: Catalogue, errors: Errors) -> ParsedChange | None:
    body = read_object(
        request, "", errors, required=("change_at", "current", "new"), optional=_TOP_KEYS
    )
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    # A missing field is already reported by read_object; only present ones are read further.
    change_at = period_start = period_end = None
    if "change_at" in body:
        change_at = _read_text(body["change_at"], "change_at", errors)
    current = new = None
    if "current" in body:
        current = read_object(
            body["current"],
            "current",
            errors,
            required=("plan", "period_start"),
            optional=_CURRENT_KEYS,
        )
    if "new" in body:
        new = read_object(body["new"], "new", errors, required=("plan",), optional=_NEW_KEYS)
    if current is None:
        return None
    before = _read_side(current, "current", None, catalogue, errors)
    after = None if new is None else _read_side(new, "new", before, catalogue, errors)
    if "period_start" in current:
        period_start = _read_text(current["period_start"], "current.period_start", errors)
    if current.get("period_end") is not None:
        period_end = _read_text(current["period_end"], "current.period_end", errors)
    balance = Decimal(0)
    if currency is not None and current.get("credit_balance") is not None:
        try:
            balance = money.parse_amount(
                current["credit_balance"], currency, extra=catalogue.minor_units
            )
        except money.MoneyError as error:
            add_error(errors, "current.credit_balance", str(error))
    if (
        currency is None
        or change_at is None
        or period_start is None
        or before is None
        or after is None
        or errors
    ):
        return None
    return ParsedChange(currency, change_at, period_start, period_end, before, after, balance)


def _read_text(value: object, field: str, errors: Errors) -> str | None:
    if not isinstance(value, str) or not value.strip():
        add_error(
            errors, field, 'must be an ISO 8601 date such as "2026-03-14" or an RFC 3339 UTC time'
        )
        return None
    return value


def _read_side(
    body: Mapping[str, object],
    field: str,
    current: changes.Subscription | None,
    catalogue: Catalogue,
    errors: Errors,
) -> changes.Subscription | None:
    plan = None
    if "plan" in body:
        plan = read_plan(body["plan"], join(field, "plan"), catalogue, errors, self_serve=True)
    if body.get("interval") is None and current is not None:
        interval: str | None = current.interval
    else:
        interval = read_interval(body.get("interval"), join(field, "interval"), catalogue, errors)
    addons: Mapping[str, int] | None
    if body.get("addons") is None and current is not None:
        # Kept add-ons must still be allowed on the new plan.
        addons = read_quantities(
            dict(current.addons), join(field, "addons"), plan, catalogue, errors
        )
    else:
        addons = read_quantities(
            body.get("addons", {}), join(field, "addons"), plan, catalogue, errors
        )
    if plan is None or interval is None or addons is None:
        return None
    return changes.Subscription(plan, interval, addons)
