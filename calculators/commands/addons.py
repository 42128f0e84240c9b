"""The ``addons`` command: a plan's itemised recurring total with add-ons, and mid-period
changes priced by the proration engine."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from calculators.commands import prorate as proration
from calculators.domain import changes, money
from calculators.domain.catalogue import AddOn, Catalogue, Plan
from calculators.domain.contract_types.addons import (
    AddonsChangeItem,
    AddonsChangeResult,
    AddonsFeature,
    AddonsLimit,
    AddonsLine,
    AddonsResponse,
)
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.prorate import ProrateCurrent, ProrateRequest
from calculators.domain.money import Money
from calculators.domain.plans import plan_has_feature
from calculators.requests.addons import AddonsChange, ParsedAddons, read_addons_request
from calculators.requests.errors import Errors, add_error, error_response, join
from calculators.wording.amounts import amount_text
from calculators.wording.plans import grants_text, units_text

# Where the proration engine's error fields land in this calculator's request.
_PRORATION_FIELDS: Final[Mapping[str, str]] = {
    "change_at": "change.change_at",
    "current.period_start": "change.period_start",
    "current.period_end": "change.period_end",
}


def price_addons(request: object, *, catalogue: Catalogue) -> AddonsResponse | ErrorResponse:
    """The itemised recurring total; with ``change``, the prorated mid-period adjustment."""
    errors: Errors = []
    parsed = read_addons_request(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    response = _price(parsed, catalogue)
    if parsed.change is not None:
        change = _prorate_change(parsed, parsed.change, catalogue, errors)
        if errors:
            return error_response(errors)
        response["change"] = change
    return response


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


def _total(req: ParsedAddons, catalogue: Catalogue, interval: str) -> Decimal:
    plan = Money(req.plan.price(req.currency, interval), req.currency)
    addons = (
        Money(catalogue.addon(a).price(req.currency, interval), req.currency).times(q)
        for a, q in req.quantities.items()
    )
    return Money.total(req.currency, [plan, *addons]).amount


def _price(req: ParsedAddons, catalogue: Catalogue) -> AddonsResponse:
    currency, interval = req.currency, req.interval
    plan_price = req.plan.price(currency, interval)
    lines: list[AddonsLine] = [
        {
            "kind": "plan",
            "id": req.plan.id,
            "name": req.plan.name,
            "quantity": 1,
            "unit_price": amount_text(catalogue, plan_price, currency),
            "amount": amount_text(catalogue, plan_price, currency),
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
                "unit_price": amount_text(catalogue, price, currency),
                "amount": amount_text(catalogue, money.multiply(price, quantity), currency),
                "grants": grants_text(catalogue, addon, quantity),
            }
        )
    limits: list[AddonsLimit] = []
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
    features: list[AddonsFeature] = [
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
        "total": amount_text(catalogue, _total(req, catalogue, interval), currency),
        "totals": {
            i: amount_text(catalogue, _total(req, catalogue, i), currency)
            for i in catalogue.intervals
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
) -> ProrateRequest:
    """The proration contract's request for one add-on's quantity change."""
    price = amount_text(catalogue, addon.price(currency, interval), currency)
    kind = changes.quantity_move(catalogue, addon, before, after) or changes.ADDON_ADDED
    current: ProrateCurrent = {
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
    req: ParsedAddons, change: AddonsChange, catalogue: Catalogue, errors: Errors
) -> AddonsChangeResult | None:
    changed = [
        (a, change.before.get(a.id, 0), req.quantities.get(a.id, 0))
        for a in catalogue.addons
        if change.before.get(a.id, 0) != req.quantities.get(a.id, 0)
    ]
    items: list[AddonsChangeItem] = []
    sums = {"due_now": Decimal(0), "credit_to_balance": Decimal(0), "refund": Decimal(0)}
    for addon, before, after in changed:
        kind = changes.quantity_move(catalogue, addon, before, after)
        result = proration.prorate(
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
        "due_now": amount_text(catalogue, sums["due_now"], req.currency),
        "credit_to_balance": amount_text(catalogue, sums["credit_to_balance"], req.currency),
        "refund": amount_text(catalogue, sums["refund"], req.currency),
        "note": "Each add-on whose quantity changes is prorated as its own line by the "
        "proration engine, under the catalogue's policy for its kind of change "
        "(seats for an add-on that grants seats, add-ons for any other).",
    }
