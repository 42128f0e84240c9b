"""Reads an ``addons`` request: add-on quantities and the change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from calculators.domain.catalogue import AddOn, Catalogue, Plan, describe
from calculators.domain.plans import plan_has_feature
from calculators.requests.errors import Errors, add_error, join
from calculators.requests.fields import (
    read_count,
    read_currency,
    read_interval,
    read_object,
    read_plan,
)

_REQUEST_KEYS: Final = ("plan", "interval", "currency", "addons", "change")
_CHANGE_KEYS: Final = ("period_start", "change_at", "period_end", "from")


@dataclass(frozen=True)
class AddonsChange:
    period_start: str
    change_at: str
    period_end: str | None
    before: Mapping[str, int]


@dataclass(frozen=True)
class ParsedAddons:
    """An ``addons`` request as read and checked (its JSON shape: ``contract_types.addons``)."""

    plan: Plan
    currency: str
    interval: str
    quantities: Mapping[str, int]  # catalogue add-on order, only quantities above 0
    change: AddonsChange | None


def read_addons_request(
    request: object, catalogue: Catalogue, errors: Errors
) -> ParsedAddons | None:
    body = read_object(request, "", errors, required=("plan", "addons"), optional=_REQUEST_KEYS)
    if body is None:
        return None
    plan = None
    if "plan" in body:
        plan = read_plan(body["plan"], "plan", catalogue, errors, self_serve=True)
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    interval = read_interval(body.get("interval"), "interval", catalogue, errors)
    quantities = None
    if "addons" in body:
        quantities = read_quantities(body["addons"], "addons", plan, catalogue, errors)
    change = None
    if body.get("change") is not None:
        change = _read_change(body["change"], plan, catalogue, errors)
    if plan is None or currency is None or interval is None or quantities is None or errors:
        return None
    return ParsedAddons(plan, currency, interval, quantities, change)


def read_quantities(
    value: object, field: str, plan: Plan | None, catalogue: Catalogue, errors: Errors
) -> dict[str, int] | None:
    """Add-on quantities, checked against the plan: availability, inclusion and maximum."""
    if not isinstance(value, Mapping):
        add_error(
            errors,
            field,
            f"must be an object of add-on quantities such as "
            f'{{"extra_storage": 2}}, got {describe(value)}',
        )
        return None
    known = [a.id for a in catalogue.addons]
    ok = True
    parsed: dict[str, int] = {}
    for key, amount in value.items():
        where = join(field, key)
        if key not in known:
            add_error(
                errors,
                where,
                f"unknown add-on {describe(key)}; the catalogue has: {', '.join(known)}",
            )
            ok = False
            continue
        quantity = read_count(amount, where, errors)
        if quantity is None:
            ok = False
        elif quantity > 0:
            parsed[key] = quantity
            if plan is not None:
                ok = (
                    _check_addon(catalogue.addon(key), quantity, plan, where, catalogue, errors)
                    and ok
                )
    if not ok:
        return None
    # Catalogue order, so the same set of add-ons always gives the same lines.
    return {a.id: parsed[a.id] for a in catalogue.addons if a.id in parsed}


def _check_addon(
    addon: AddOn, quantity: int, plan: Plan, field: str, catalogue: Catalogue, errors: Errors
) -> bool:
    ok = True
    if plan.id in addon.included_in or (
        addon.feature is not None and plan_has_feature(catalogue, plan, addon.feature)
    ):
        add_error(
            errors,
            field,
            f"{addon.name} is already included in {plan.name}; it cannot be bought on this plan",
        )
        return False
    if plan.id not in addon.available_on:
        where = ", ".join(p.name for p in catalogue.plans if p.id in addon.available_on)
        add_error(
            errors,
            field,
            f"{addon.name} is not available on {plan.name}; it can be "
            f"bought on: {where or 'no plan'}",
        )
        ok = False
    if quantity > addon.max_quantity:
        add_error(
            errors,
            field,
            f"at most {addon.max_quantity} of {addon.name} can be bought, got {quantity}",
        )
        ok = False
    return ok


def _read_change(
    value: object, plan: Plan | None, catalogue: Catalogue, errors: Errors
) -> AddonsChange | None:
    body = read_object(
        value, "change", errors, required=("period_start", "change_at"), optional=_CHANGE_KEYS
    )
    if body is None:
        return None
    texts: dict[str, str | None] = {}
    for key in ("period_start", "change_at", "period_end"):
        item = body.get(key)
        if item is None:
            texts[key] = None
        elif not isinstance(item, str) or not item.strip():
            add_error(
                errors,
                join("change", key),
                "must be an ISO 8601 date such as "
                f'"2026-03-14" or an RFC 3339 UTC time, got {describe(item)}',
            )
        else:
            texts[key] = item
    before = read_quantities(body.get("from", {}), "change.from", plan, catalogue, errors)
    start, at = texts.get("period_start"), texts.get("change_at")
    if start is None or at is None or before is None:
        return None
    return AddonsChange(start, at, texts.get("period_end"), before)
