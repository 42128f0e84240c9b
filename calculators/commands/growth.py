"""The ``growth`` command: the projection, its paths and plans as the contract's JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.growth import (
    ContactSales,
    GrowthPathRow,
    GrowthPlan,
    GrowthResponse,
    GrowthSegment,
)
from calculators.domain.growth import (
    FailedPath,
    GrowthMonth,
    GrowthPath,
    alternatives,
    cheapest_path,
    path_kind,
    path_order,
    path_segments,
    project_usage,
)
from calculators.domain.plans import Fit, Needs, fit_cost, fit_plan
from calculators.requests.errors import Errors, add_error, error_response
from calculators.requests.fields import MAX_UNITS
from calculators.requests.growth import ParsedGrowth, read_growth_request
from calculators.wording.amounts import amount_text
from calculators.wording.growth import (
    describe_path,
    growth_recommendation,
    path_sentence,
    total_amount,
    total_text,
)
from calculators.wording.plans import shortfall_reasons


def project(request: object, *, catalogue: Catalogue) -> GrowthResponse | ErrorResponse:
    """Project usage, find when each plan runs out, and compare the paths over the horizon."""
    errors: Errors = []
    parsed = read_growth_request(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    months = project_usage(parsed.usage, parsed.growth, parsed.horizon)
    for month, usage in enumerate(months):
        for rid, amount in usage.items():
            if amount > MAX_UNITS:
                add_error(
                    errors,
                    "growth",
                    f"{rid} would reach more than {MAX_UNITS:,} "
                    f"{catalogue.resource(rid).unit} by month {month}; lower the growth or "
                    "shorten the horizon",
                )
                return error_response(errors)
    return _plan(parsed, months, catalogue)


def _plan(req: ParsedGrowth, months: list[dict[str, int]], catalogue: Catalogue) -> GrowthResponse:
    currency, interval = req.currency, req.interval
    fits = [
        [
            fit_plan(
                catalogue,
                plan,
                Needs(usage, req.features, req.support),
                currency=currency,
                interval=interval,
            )
            for plan in catalogue.plans
        ]
        for usage in months
    ]
    # Paid months 1..horizon: the plans that can hold each month, with their cheapest price.
    table: list[dict[str, GrowthMonth]] = []
    for row in fits[1:]:
        options = {}
        for fit in row:
            cost = fit_cost(fit, currency=currency, interval=interval)
            if fit.fits and cost is not None:
                options[fit.plan.id] = GrowthMonth(fit, cost)
        table.append(options)
    outgrown = next((i + 1 for i, options in enumerate(table) if not options), None)
    span = table[: outgrown - 1] if outgrown is not None else table

    paths = alternatives(span, catalogue, req.current)
    best = cheapest_path(span, catalogue, req.current) if span else None
    if best is not None and all(p.plans != best.plans for p in paths if isinstance(p, GrowthPath)):
        paths.append(best)
    priced = sorted((p for p in paths if isinstance(p, GrowthPath)), key=lambda p: p.key)

    rounding = (
        "Usage is compounded monthly from the exact value and rounded up to a whole unit each "
        "month."
    )
    if interval != "month":
        rounding += (
            " Annual prices are spread evenly over 12 months; each amount "
            "is rounded half up on its own, so monthly amounts may not add "
            "up to the total to the last minor unit."
        )
    cheapest = priced[0] if priced else None
    contact = None if outgrown is None else _contact_sales(catalogue, req, fits[outgrown], outgrown)
    return {
        "currency": currency,
        "interval": interval,
        "plan": req.current.id if req.current else None,
        "horizon_months": req.horizon,
        "growth": req.growth.echo,
        "rounding": rounding,
        "resources": [
            {"resource": r.id, "label": r.label, "unit": r.unit} for r in catalogue.resources
        ],
        "months": [{"month": m, "usage": usage} for m, usage in enumerate(months)],
        "plans": [
            _plan_row(catalogue, [row[i] for row in fits], months)
            for i in range(len(catalogue.plans))
        ],
        "paths": [
            _path_row(catalogue, req, p, span, cheapest, fits)
            for p in sorted(paths, key=path_order)
        ],
        "recommendation": growth_recommendation(catalogue, req, priced, span, contact),
        "contact_sales": contact,
    }


def _path_row(
    catalogue: Catalogue,
    req: ParsedGrowth,
    path: GrowthPath | FailedPath,
    span: Sequence[Mapping[str, GrowthMonth]],
    cheapest: GrowthPath | None,
    fits: Sequence[Sequence[Fit]],
) -> GrowthPathRow:
    if not isinstance(path, GrowthPath):
        kind, plans, failed = path
        fit = next(f for f in fits[failed] if f.plan.id == plans[0])
        needs = Needs({r.resource: r.need for r in fit.resources}, req.features, req.support)
        why = " ".join(shortfall_reasons(catalogue, fit, needs))
        return {
            "kind": kind,
            "plans": [plans[0]],
            "feasible": False,
            "fails_at_month": failed,
            "description": f"{fit.plan.name} cannot hold month {failed}'s usage: {why}",
            "segments": [],
            "upgrade_month": None,
            "total": None,
            "more_than_cheapest": None,
            "recommended": False,
        }
    runs = path_segments(path.plans)
    segments: list[GrowthSegment] = []
    for plan_id, first, last in runs:
        subtotal = money.add(*(span[m - 1][plan_id].cost for m in range(first, last + 1)))
        segments.append(
            {
                "plan": plan_id,
                "name": catalogue.plan(plan_id).name,
                "from_month": first,
                "to_month": last,
                "cost": total_text(catalogue, req, subtotal),
            }
        )
    more = None
    if cheapest is not None:
        more = money.add(
            total_amount(catalogue, req, path.total), -total_amount(catalogue, req, cheapest.total)
        )
    return {
        "kind": path_kind(path.plans, req.current),
        "plans": [run[0] for run in runs],
        "feasible": True,
        "fails_at_month": None,
        "description": path_sentence(describe_path(catalogue, req, path.plans), path),
        "segments": segments,
        "upgrade_month": runs[1][1] if len(runs) > 1 else None,
        "total": total_text(catalogue, req, path.total),
        "more_than_cheapest": None if more is None else amount_text(catalogue, more, req.currency),
        "recommended": cheapest is not None and path.plans == cheapest.plans,
    }


def _plan_row(
    catalogue: Catalogue, fits: Sequence[Fit], months: Sequence[Mapping[str, int]]
) -> GrowthPlan:
    plan = fits[0].plan
    runs_out: dict[str, int | None] = {}
    runs_out_max: dict[str, int | None] = {}
    for resource in catalogue.resources:
        limit = plan.limits.get(resource.id)
        most = next(r.max_with_addons for r in fits[0].resources if r.resource == resource.id)
        runs_out[resource.id] = (
            None
            if limit is None
            else next((m for m, u in enumerate(months) if u[resource.id] > limit), None)
        )
        runs_out_max[resource.id] = (
            None
            if most is None
            else next((m for m, u in enumerate(months) if u[resource.id] > most), None)
        )
    return {
        "plan": plan.id,
        "name": plan.name,
        "self_serve": plan.self_serve,
        "limits": {r.id: plan.limits.get(r.id) for r in catalogue.resources},
        "max_with_addons": {r.resource: r.max_with_addons for r in fits[0].resources},
        "runs_out": runs_out,
        "runs_out_with_addons": runs_out_max,
        "first_month_without_fit": next((m for m, f in enumerate(fits) if not f.fits), None),
    }


def _contact_sales(
    catalogue: Catalogue, req: ParsedGrowth, row: Sequence[Fit], month: int
) -> ContactSales:
    contact = next((f for f in row if not f.plan.self_serve and f.fits), None)
    top = max((f for f in row if f.plan.self_serve), key=lambda f: f.plan.rank)
    needs = Needs({r.resource: r.need for r in top.resources}, req.features, req.support)
    why = " ".join(shortfall_reasons(catalogue, top, needs))
    reason = f"In month {month} no self-serve plan can hold your usage: {why}"
    if contact is None:
        return {
            "plan": None,
            "name": None,
            "from_month": month,
            "reason": reason + " No plan in the catalogue covers it, not even through "
            "the sales team.",
        }
    policy = catalogue.policy
    reason += (
        f" {contact.plan.name} is sold by the sales team with limits set by contract "
        f"(minimum term {policy.contact_sales_minimum_term_months} months); contact "
        f"{catalogue.company.sales_email} before month {month}."
    )
    return {
        "plan": contact.plan.id,
        "name": contact.plan.name,
        "from_month": month,
        "reason": reason,
    }
