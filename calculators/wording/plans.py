"""Words for plans and units: unit phrases, what a plan grants, why it falls short."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from calculators.domain.catalogue import AddOn, Catalogue
from calculators.domain.plans import Fit, Needs, Units
from calculators.wording.units import label_names_unit

TIMES: Final = "\N{MULTIPLICATION SIGN}"


def _unit_in_label(catalogue: Catalogue, resource: str) -> bool:
    found = catalogue.resource(resource)
    return label_names_unit(found.label, found.unit)


def units_text(catalogue: Catalogue, resource: str, amount: int) -> str:
    """An amount with its unit ("120 GB"), or bare when the label names the unit ("Team seats")."""
    if _unit_in_label(catalogue, resource):
        return f"{amount:,}"
    return f"{amount:,} {catalogue.resource(resource).unit}"


def grants_text(catalogue: Catalogue, addon: AddOn, quantity: int) -> str:
    """What ``quantity`` of an add-on gives, in words: "Storage: +200 GB", "Team seats: +3"."""
    if addon.resource is not None:
        resource = catalogue.resource(addon.resource)
        amount = units_text(catalogue, addon.resource, addon.unit_size * quantity)
        return f"{resource.label}: +{amount}"
    assert addon.feature is not None
    return catalogue.feature(addon.feature).label


def units_phrase(units: Sequence[Units]) -> str:
    return ", ".join(f"{u.quantity} {TIMES} {u.addon.name}" for u in units)


def option_name(fit: Fit) -> str:
    if not fit.units:
        return fit.plan.name
    return f"{fit.plan.name} with {units_phrase(fit.units)}"


def shortfall_reasons(catalogue: Catalogue, fit: Fit, needs: Needs) -> list[str]:
    """Why a plan does not fit, one sentence per problem."""
    reasons = []
    for r in fit.resources:
        if r.fits or r.limit is None:
            continue
        resource = catalogue.resource(r.resource)
        need = units_text(catalogue, r.resource, r.need)
        limit = units_text(catalogue, r.resource, r.limit)
        if r.max_with_addons is not None and r.max_with_addons > r.limit and fit.plan.self_serve:
            most = units_text(catalogue, r.resource, r.max_with_addons)
            short = units_text(catalogue, r.resource, r.shortfall_after_addons)
            reasons.append(
                f"{resource.label}: {need} needed; {fit.plan.name} holds {limit}, and "
                f"at most {most} with every add-on, still {short} short."
            )
        else:
            short = units_text(catalogue, r.resource, r.shortfall)
            reasons.append(
                f"{resource.label}: {need} needed; {fit.plan.name} holds {limit} "
                f"({short} short) and no add-on raises it."
            )
    for feature in fit.missing_features:
        reasons.append(f"{catalogue.feature(feature).label} is not available on {fit.plan.name}.")
    if not fit.support_ok and needs.support is not None:
        wanted = catalogue.support_level(needs.support).label
        has = catalogue.support_level(fit.plan.support).label
        reasons.append(f"Support: {wanted} or better is needed; {fit.plan.name} has {has}.")
    return reasons
