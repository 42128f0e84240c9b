"""Add-ons: the itemised recurring total of a plan with add-ons, and mid-period changes.

Domain rules (the contract is ``calculators/contracts/addons.md``):

- an add-on can be bought only on the plans it is ``available_on``; on a plan it is
  ``included_in`` it is already part of the plan and cannot be bought again; never more than its
  ``max_quantity``; a quantity of 0 means "not bought" and is always accepted;
- a resource add-on raises one resource by ``unit_size`` per unit; a feature add-on switches one
  feature on;
- the recurring total is the plan's list price plus unit price times quantity of every add-on, in
  the requested currency and interval; nothing is rounded because catalogue prices already are;
- adding or removing add-ons in the middle of a billing period is a quantity change priced by the
  proration engine (``calculators.proration.prorate``), one line item per add-on, under the
  catalogue's policy for the kind ``calculators.changes`` gives it (``seats_added`` /
  ``seats_removed`` for an add-on that grants seats, ``addon_added`` / ``addon_removed`` for any
  other). This module does no time arithmetic.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from calculators import changes, money
from calculators.catalogue import AddOn, Catalogue, Plan, describe
from calculators.plans import (
    Errors,
    add_error,
    error_response,
    grants_text,
    join,
    plan_has_feature,
    read_count,
    read_currency,
    read_interval,
    read_object,
    read_plan,
    units_text,
)

_REQUEST_KEYS: Final = ("plan", "interval", "currency", "addons", "change")
_CHANGE_KEYS: Final = ("period_start", "change_at", "period_end", "from")

# Where the proration engine's error fields land in this calculator's request.
_PRORATION_FIELDS: Final[Mapping[str, str]] = {
    "change_at": "change.change_at",
    "current.period_start": "change.period_start",
    "current.period_end": "change.period_end",
}


@dataclass(frozen=True)
class _Change:
    period_start: str
    change_at: str
    period_end: str | None
    before: Mapping[str, int]


@dataclass(frozen=True)
class _Request:
    plan: Plan
    currency: str
    interval: str
    quantities: Mapping[str, int]  # catalogue add-on order, only quantities above 0
    change: _Change | None


def price_addons(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """The itemised recurring total; with ``change``, the prorated mid-period adjustment."""
    errors: Errors = []
    parsed = _read(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    response = _price(parsed, catalogue)
    if parsed.change is not None:
        change = _prorate_change(parsed, parsed.change, catalogue, errors)
        if errors:
            return error_response(errors)
        response["change"] = change
    return response


def _read(request: object, catalogue: Catalogue, errors: Errors) -> _Request | None:
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
    return _Request(plan, currency, interval, quantities, change)


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
) -> _Change | None:
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
    return _Change(start, at, texts.get("period_end"), before)


def _money(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return money.to_text(amount, currency, extra=catalogue.minor_units)


def plan_grants(catalogue: Catalogue, plan: Plan) -> str:
    """What a plan includes, in words, from the catalogue."""
    limits = []
    for resource in catalogue.resources:
        limit = plan.limits.get(resource.id)
        amount = "set by contract" if limit is None else units_text(catalogue, resource.id, limit)
        limits.append(f"{resource.label}: {amount}")
    support = catalogue.support_level(plan.support).label
    features = [catalogue.feature(f).label for f in catalogue.features if f in plan.features]
    return "; ".join([", ".join(limits), support, ", ".join(features) or "no extra features"])


def _total(req: _Request, catalogue: Catalogue, interval: str) -> Decimal:
    parts = [req.plan.price(req.currency, interval)]
    parts.extend(
        money.multiply(catalogue.addon(a).price(req.currency, interval), q)
        for a, q in req.quantities.items()
    )
    return money.add(*parts)


def _price(req: _Request, catalogue: Catalogue) -> dict[str, Any]:
    currency, interval = req.currency, req.interval
    plan_price = req.plan.price(currency, interval)
    lines: list[dict[str, Any]] = [
        {
            "kind": "plan",
            "id": req.plan.id,
            "name": req.plan.name,
            "quantity": 1,
            "unit_price": _money(catalogue, plan_price, currency),
            "amount": _money(catalogue, plan_price, currency),
            "grants": plan_grants(catalogue, req.plan),
        }
    ]
    for addon_id, quantity in req.quantities.items():
        addon = catalogue.addon(addon_id)
        price = addon.price(currency, interval)
        lines.append(
            {
                "kind": "addon",
                "id": addon.id,
                "name": addon.name,
                "quantity": quantity,
                "unit_price": _money(catalogue, price, currency),
                "amount": _money(catalogue, money.multiply(price, quantity), currency),
                "grants": grants_text(catalogue, addon, quantity),
            }
        )
    limits = []
    for resource in catalogue.resources:
        base = req.plan.limits.get(resource.id)
        added = sum(
            catalogue.addon(a).unit_size * q
            for a, q in req.quantities.items()
            if catalogue.addon(a).resource == resource.id
        )
        limits.append(
            {
                "resource": resource.id,
                "label": resource.label,
                "unit": resource.unit,
                "plan": base,
                "added": added,
                "total": None if base is None else base + added,
            }
        )
    bought = {catalogue.addon(a).feature for a in req.quantities}
    features = [
        {
            "feature": f,
            "label": catalogue.feature(f).label,
            "source": "plan" if plan_has_feature(catalogue, req.plan, f) else "addon",
        }
        for f in catalogue.features
        if plan_has_feature(catalogue, req.plan, f) or f in bought
    ]
    return {
        "plan": req.plan.id,
        "currency": currency,
        "interval": interval,
        "lines": lines,
        "total": _money(catalogue, _total(req, catalogue, interval), currency),
        "totals": {
            i: _money(catalogue, _total(req, catalogue, i), currency) for i in catalogue.intervals
        },
        "limits": limits,
        "features": features,
        "change": None,
    }


def proration_request(
    catalogue: Catalogue,
    addon: AddOn,
    *,
    currency: str,
    interval: str,
    change_at: str,
    period_start: str,
    period_end: str | None,
    before: int,
    after: int,
) -> dict[str, Any]:
    """The proration contract's request for one add-on's quantity change."""
    price = _money(catalogue, addon.price(currency, interval), currency)
    kind = changes.quantity_move(catalogue, addon, before, after) or changes.ADDON_ADDED
    current: dict[str, Any] = {
        "price": price,
        "quantity": before,
        "interval": interval,
        "interval_count": 1,
        "period_start": period_start,
    }
    if period_end is not None:
        current["period_end"] = period_end
    return {
        "currency": currency,
        "change_at": change_at,
        "current": current,
        "new": {"price": price, "quantity": after, "interval": interval, "interval_count": 1},
        "policy": catalogue.policy.request_policy(kind, currency),
    }


def _prorate_change(
    req: _Request, change: _Change, catalogue: Catalogue, errors: Errors
) -> dict[str, Any] | None:
    changed = [
        (a, change.before.get(a.id, 0), req.quantities.get(a.id, 0))
        for a in catalogue.addons
        if change.before.get(a.id, 0) != req.quantities.get(a.id, 0)
    ]
    items = []
    sums = {"due_now": Decimal(0), "credit_to_balance": Decimal(0), "refund": Decimal(0)}
    if changed:
        try:
            # Imported only when a mid-period change is asked for: plain totals never need it.
            prorate = importlib.import_module("calculators.proration").prorate
        except (ImportError, AttributeError):
            add_error(
                errors,
                "change",
                "mid-period changes are priced by the proration engine, "
                "which is not available here",
            )
            return None
    for addon, before, after in changed:
        kind = changes.quantity_move(catalogue, addon, before, after)
        result = prorate(
            proration_request(
                catalogue,
                addon,
                currency=req.currency,
                interval=req.interval,
                change_at=change.change_at,
                period_start=change.period_start,
                period_end=change.period_end,
                before=before,
                after=after,
            )
        )
        if "errors" in result:
            for problem in result["errors"]:
                field = str(problem.get("field", ""))
                add_error(
                    errors,
                    _PRORATION_FIELDS.get(field, join("change", field)),
                    str(problem.get("message", "")),
                )
            return None
        try:
            for key in sums:
                sums[key] = money.add(
                    sums[key],
                    money.parse_amount(
                        result.get(key, "0"), req.currency, extra=catalogue.minor_units
                    ),
                )
        except money.MoneyError as error:
            add_error(errors, "change", f"the proration engine's answer cannot be read: {error}")
            return None
        items.append(
            {
                "addon": addon.id,
                "name": addon.name,
                "from": before,
                "to": after,
                "kind": kind,
                "proration": result,
            }
        )
    return {
        "period_start": change.period_start,
        "change_at": change.change_at,
        "addons": items,
        **{key: _money(catalogue, value, req.currency) for key, value in sums.items()},
        "note": "Each add-on whose quantity changes is prorated as its own line by the "
        "proration engine, under the catalogue's policy for its kind of change "
        "(seats for an add-on that grants seats, add-ons for any other).",
    }
