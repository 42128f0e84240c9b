"""The ``compare`` command: every plan against what a customer needs, with the cheapest fit."""

from __future__ import annotations

from collections.abc import Sequence

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.compare import (
    CompareAddonLine,
    CompareCost,
    ComparePlan,
    CompareResource,
    CompareResponse,
)
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.plans import (
    Fit,
    ResourceFit,
    Units,
    change_kind,
    fit_cost,
    fit_plan,
    option_key,
    plan_has_feature,
)
from calculators.requests.compare import ParsedCompare, read_compare_request
from calculators.requests.errors import Errors, error_response
from calculators.wording.amounts import amount_text
from calculators.wording.compare import _addons_vs_upgrade, change_advice, compare_recommendation
from calculators.wording.plans import grants_text, shortfall_reasons


def compare(request: object, *, catalogue: Catalogue) -> CompareResponse | ErrorResponse:
    """Every plan side by side against the needs, the cheapest fit, and a recommendation."""
    errors: Errors = []
    parsed = read_compare_request(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    return _compare(parsed, catalogue)


def _compare(req: ParsedCompare, catalogue: Catalogue) -> CompareResponse:
    currency, interval = req.currency, req.interval
    fits = [
        fit_plan(catalogue, p, req.needs, currency=currency, interval=interval)
        for p in catalogue.plans
    ]
    options = sorted(
        (
            (f, cost)
            for f in fits
            if f.fits and (cost := fit_cost(f, currency=currency, interval=interval)) is not None
        ),
        key=lambda pair: option_key(*pair),
    )
    best = options[0] if options else None
    contact = next((f for f in fits if not f.plan.self_serve and f.fits), None)
    target = best[0] if best else contact

    response: CompareResponse = {
        "currency": currency,
        "interval": interval,
        "needs": {
            **req.needs.usage,
            "features": list(req.needs.features),
            "support": req.needs.support,
        },
        "plans": [_plan_row(catalogue, f, req) for f in fits],
        "recommendation": compare_recommendation(catalogue, req, options, contact),
        "addons_vs_upgrade": None,
        "change": None,
    }
    if best is not None:
        response["addons_vs_upgrade"] = _addons_vs_upgrade(catalogue, req, best, options)
    if req.current is not None:
        response["change"] = change_advice(catalogue, req, req.current, target)
    return response


def costs(catalogue: Catalogue, fit: Fit, *, currency: str, interval: str) -> CompareCost | None:
    """The option's price for the requested interval, and the same composition monthly/yearly."""
    total = fit_cost(fit, currency=currency, interval=interval)
    if total is None:
        return None
    result: CompareCost = {"total": amount_text(catalogue, total, currency)}
    if "month" in catalogue.intervals and "year" in catalogue.intervals:
        month = fit_cost(fit, currency=currency, interval="month")
        year = fit_cost(fit, currency=currency, interval="year")
        assert month is not None and year is not None
        # The monthly equivalent of the annual price is rounded half up to the minor unit.
        per_month = money.quantize(
            money.divide(year, 12), currency, rounding="half_up", extra=catalogue.minor_units
        )
        result.update(
            {
                "month": amount_text(catalogue, month, currency),
                "year": amount_text(catalogue, year, currency),
                "year_per_month": amount_text(catalogue, per_month, currency),
                "annual_saving": amount_text(
                    catalogue, money.add(money.multiply(month, 12), -year), currency
                ),
            }
        )
    return result


def addon_lines(
    catalogue: Catalogue, units: Sequence[Units], *, currency: str, interval: str
) -> list[CompareAddonLine]:
    lines: list[CompareAddonLine] = []
    for u in units:
        price = u.addon.price(currency, interval)
        lines.append(
            {
                "addon": u.addon.id,
                "name": u.addon.name,
                "quantity": u.quantity,
                "grants": grants_text(catalogue, u.addon, u.quantity),
                "unit_price": amount_text(catalogue, price, currency),
                "amount": amount_text(catalogue, money.multiply(price, u.quantity), currency),
            }
        )
    return lines


def _plan_row(catalogue: Catalogue, fit: Fit, req: ParsedCompare) -> ComparePlan:
    plan = fit.plan
    if not fit.fits:
        status = "does_not_fit"
    elif not plan.self_serve:
        status = "contact_sales"
    else:
        status = "fits_with_addons" if fit.uses_addons else "fits"
    needed = req.needs.features
    row: ComparePlan = {
        "plan": plan.id,
        "name": plan.name,
        "rank": plan.rank,
        "self_serve": plan.self_serve,
        "status": status,
        "fits": fit.fits,
        "fits_alone": fit.fits and not fit.uses_addons,
        "resources": [_resource_row(catalogue, r) for r in fit.resources],
        "features": {
            "needed": list(needed),
            "included": [f for f in needed if plan_has_feature(catalogue, plan, f)],
            "via_addons": [a.feature for a in fit.feature_addons if a.feature is not None],
            "missing": list(fit.missing_features),
        },
        "support": {
            "needed": req.needs.support,
            "plan": plan.support,
            "label": catalogue.support_level(plan.support).label,
            "meets": fit.support_ok,
        },
        "addons": [],
        "cost": None,
        "shortfalls": shortfall_reasons(catalogue, fit, req.needs),
    }
    if fit.fits and plan.self_serve:
        row["addons"] = addon_lines(
            catalogue, fit.units, currency=req.currency, interval=req.interval
        )
        row["cost"] = costs(catalogue, fit, currency=req.currency, interval=req.interval)
    if req.current is not None:
        row["change_from_current"] = change_kind(
            req.current, plan, currency=req.currency, interval=req.interval
        )
    return row


def _resource_row(catalogue: Catalogue, r: ResourceFit) -> CompareResource:
    resource = catalogue.resource(r.resource)
    return {
        "resource": r.resource,
        "label": resource.label,
        "unit": resource.unit,
        "need": r.need,
        "limit": r.limit,
        "fits_alone": r.limit is None or r.need <= r.limit,
        "shortfall": r.shortfall,
        "addons": [
            {"addon": u.addon.id, "quantity": u.quantity, "adds": u.quantity * u.addon.unit_size}
            for u in r.units
        ],
        "limit_with_addons": r.limit_with_addons,
        "max_with_addons": r.max_with_addons,
        "fits": r.fits,
        "shortfall_after_addons": r.shortfall_after_addons,
        "headroom": r.headroom,
    }
