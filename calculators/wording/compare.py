"""The recommendation and change sentences of a plan comparison."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from calculators.domain import money
from calculators.domain.catalogue import Catalogue, Plan
from calculators.domain.contract_types.compare import (
    AddonsVsUpgrade,
    CompareChange,
    CompareRecommendation,
    Losses,
)
from calculators.domain.plans import Fit, change_kind, fit_cost, fit_plan, losses
from calculators.requests.compare import ParsedCompare
from calculators.wording import policy_words
from calculators.wording.amounts import amount_shown, amount_text
from calculators.wording.plans import (
    option_name,
    units_phrase,
    units_text,
)
from calculators.wording.units import per_interval


def compare_recommendation(
    catalogue: Catalogue,
    req: ParsedCompare,
    options: Sequence[tuple[Fit, Decimal]],
    contact: Fit | None,
) -> CompareRecommendation:
    currency, interval = req.currency, req.interval
    every = per_interval(interval)
    if options:
        fit, cost = options[0]
        reason = (
            f"{option_name(fit)} is the cheapest way to cover everything you need, at "
            f"{amount_shown(catalogue, cost, currency)} {every}."
        )
        tied = [f for f, c in options[1:] if c == cost]
        if tied:
            why = (
                "it needs no add-ons"
                if not fit.uses_addons and tied[0].uses_addons
                else "it is the higher plan, with more included for the same price"
            )
            reason += (
                f" {option_name(tied[0])} costs the same; {fit.plan.name} is preferred "
                f"because {why}."
            )
        dearer = [(f, c) for f, c in options[1:] if c != cost]
        if dearer:
            other, other_cost = dearer[0]
            reason += (
                f" The next cheapest option, {option_name(other)}, costs "
                f"{amount_shown(catalogue, other_cost, currency)} {every}."
            )
        return {
            "plan": fit.plan.id,
            "name": fit.plan.name,
            "contact_sales": False,
            "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in fit.units],
            "total": amount_text(catalogue, cost, currency),
            "reason": reason,
        }
    if contact is not None:
        plan = contact.plan
        company = catalogue.company
        reason = (
            f"No self-serve plan covers what you need, even with add-ons. {plan.name} is "
            f"sold by the sales team with limits set by contract (minimum term "
            f"{catalogue.policy.contact_sales_minimum_term_months} months); contact "
            f"{company.sales_email}."
        )
        return {
            "plan": plan.id,
            "name": plan.name,
            "contact_sales": True,
            "addons": [],
            "total": None,
            "reason": reason,
        }
    return {
        "plan": None,
        "name": None,
        "contact_sales": False,
        "addons": [],
        "total": None,
        "reason": "No plan in the catalogue covers these needs, not even through the sales "
        "team; see each plan's shortfalls.",
    }


def _addons_vs_upgrade(
    catalogue: Catalogue,
    req: ParsedCompare,
    best: tuple[Fit, Decimal],
    options: Sequence[tuple[Fit, Decimal]],
) -> AddonsVsUpgrade | None:
    """When the cheapest option is a plan plus add-ons, compare it with the higher plans."""
    fit, cost = best
    if not fit.uses_addons:
        return None
    higher = [(f, c) for f, c in options if f.plan.rank > fit.plan.rank]
    if not higher:
        return None
    other, other_cost = higher[0]
    saving = money.add(other_cost, -cost)
    every = per_interval(req.interval)
    show = amount_shown
    if saving > 0:
        text = (
            f"{option_name(fit)} ({show(catalogue, cost, req.currency)} {every}) is "
            f"{show(catalogue, saving, req.currency)} {every} cheaper than moving up to "
            f"{option_name(other)} ({show(catalogue, other_cost, req.currency)} {every})."
        )
    else:
        text = (
            f"{option_name(fit)} costs the same as {option_name(other)} "
            f"({show(catalogue, cost, req.currency)} {every})."
        )
    return {
        "plan": fit.plan.id,
        "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in fit.units],
        "total": amount_text(catalogue, cost, req.currency),
        "instead_of": other.plan.id,
        "instead_of_addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in other.units],
        "instead_of_total": amount_text(catalogue, other_cost, req.currency),
        "saving": amount_text(catalogue, saving, req.currency),
        "text": text,
    }


def change_advice(
    catalogue: Catalogue, req: ParsedCompare, current: Plan, target: Fit | None
) -> CompareChange:
    current_fit = fit_plan(
        catalogue, current, req.needs, currency=req.currency, interval=req.interval
    )
    if target is None:
        return {
            "from": current.id,
            "to": None,
            "kind": None,
            "current_fits": current_fit.fits,
            "losses": None,
            "summary": "No plan covers these needs, so no change is recommended.",
        }
    kind = change_kind(current, target.plan, currency=req.currency, interval=req.interval)
    lost = losses(catalogue, current, target, current_usage=req.current_usage)
    summary = _change_summary(catalogue, current, target, kind, lost)
    current_cost = fit_cost(current_fit, currency=req.currency, interval=req.interval)
    if kind != "same" and current_fit.fits and current_cost is not None:
        summary += (
            f" Staying on {option_name(current_fit)} would also cover your needs, at "
            f"{amount_shown(catalogue, current_cost, req.currency)} {per_interval(req.interval)}."
        )
    return {
        "from": current.id,
        "to": target.plan.id,
        "kind": kind,
        "current_fits": current_fit.fits,
        "losses": lost,
        "summary": summary,
    }


def _change_summary(
    catalogue: Catalogue, current: Plan, target: Fit, kind: str, lost: Losses
) -> str:
    name = option_name(target)
    if kind == "same":
        if not target.uses_addons:
            return f"Stay on {current.name}: it already covers what you need."
        return f"Stay on {current.name} and add {units_phrase(target.units)}."
    sentences = {
        "upgrade": f"Upgrade from {current.name} to {name}.",
        "downgrade": f"Downgrade from {current.name} to {name}.",
        "sideways": (
            f"Move sideways from {current.name} to {name} (a different plan level at "
            f"a price that does not follow the plan order)."
        ),
    }
    parts = [sentences[kind]]
    if lost["features"]:
        labels = ", ".join(f["label"] for f in lost["features"])
        parts.append(f"You would lose: {labels}.")
    if lost["support"] is not None:
        parts.append(
            f"Support changes from {lost['support']['from_label']} to "
            f"{lost['support']['to_label']}."
        )
    for item in lost["usage_over_new_limits"] or ():
        resource = catalogue.resource(item["resource"])
        amounts = [
            units_text(catalogue, item["resource"], item[key])
            for key in ("reduce_by", "usage", "limit")
        ]
        parts.append(
            f"Reduce {resource.label.lower()} by {amounts[0]} (from {amounts[1]} to "
            f"{amounts[2]}) before the change."
        )
    parts.extend(
        policy_words.over_limit_sentence(catalogue, item["resource"])
        for item in lost["usage_over_new_limits"] or ()
    )
    return " ".join(parts)
