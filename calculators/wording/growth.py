"""The recommendation sentences of a growth projection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.growth import (
    ContactSales,
    GrowthMonthPlan,
    GrowthRecommendation,
)
from calculators.domain.growth import (
    MONTHS_PER_INTERVAL,
    GrowthMonth,
    GrowthPath,
    path_kind,
    path_segments,
)
from calculators.requests.growth import ParsedGrowth
from calculators.wording.amounts import amount_shown, amount_text
from calculators.wording.plans import units_phrase


def total_amount(catalogue: Catalogue, req: ParsedGrowth, total: Decimal) -> Decimal:
    """Money for paid months: interval prices spread evenly over their months, rounded once."""
    months = MONTHS_PER_INTERVAL[req.interval]
    return money.quantize(
        money.divide(total, months), req.currency, rounding="half_up", extra=catalogue.minor_units
    )


def total_text(catalogue: Catalogue, req: ParsedGrowth, total: Decimal) -> str:
    return amount_text(catalogue, total_amount(catalogue, req, total), req.currency)


def _show(catalogue: Catalogue, req: ParsedGrowth, total: Decimal) -> str:
    return amount_shown(catalogue, total_amount(catalogue, req, total), req.currency)


def describe_path(catalogue: Catalogue, req: ParsedGrowth, plans: Sequence[str]) -> str:
    runs = path_segments(plans)
    parts = []
    for index, (plan_id, first, last) in enumerate(runs):
        name = catalogue.plan(plan_id).name
        months = f"month {first}" if first == last else f"months {first} to {last}"
        if index == 0 and req.current is not None and plan_id == req.current.id:
            parts.append(f"stay on {name} for {months}")
        elif index == 0:
            parts.append(f"move to {name} now and keep it for {months}")
        else:
            parts.append(
                f"upgrade to {name} from month {first}"
                + ("" if last == len(plans) else f" to month {last}")
            )
    return ", then ".join(parts)


def path_sentence(words: str, path: GrowthPath) -> str:
    suffix = ", adding add-ons as usage needs them" if path.addon_units else ""
    return words[0].upper() + words[1:] + suffix + "."


def growth_recommendation(
    catalogue: Catalogue,
    req: ParsedGrowth,
    priced: Sequence[GrowthPath],
    span: Sequence[Mapping[str, GrowthMonth]],
    contact: ContactSales | None,
) -> GrowthRecommendation:
    if not priced:
        if contact is not None:
            kind, plan, reason = "contact_sales", contact["plan"], contact["reason"]
        else:
            kind, plan = None, None
            reason = "No self-serve path holds this usage over the horizon."
        return {
            "kind": kind,
            "plan": plan,
            "path": [],
            "total": None,
            "months": [],
            "addons_note": None,
            "reason": reason,
        }
    best = priced[0]
    horizon = len(best.plans)
    over = "month 1" if horizon == 1 else f"months 1 to {horizon}"
    words = describe_path(catalogue, req, best.plans)
    extra = ", adding add-ons as usage needs them" if best.addon_units else ""
    reason = (
        f"Over {over}, the cheapest path is to {words}{extra}: "
        f"{_show(catalogue, req, best.total)} in total."
    )
    others = [p for p in priced[1:] if p.plans != best.plans]
    if others:
        other = others[0]
        difference = money.add(
            total_amount(catalogue, req, other.total), -total_amount(catalogue, req, best.total)
        )
        show = amount_shown(catalogue, difference, req.currency)
        words = describe_path(catalogue, req, other.plans)
        reason += (
            f" The next cheapest alternative ({words}) costs "
            f"{_show(catalogue, req, other.total)}, {show} more."
        )
    kind = path_kind(best.plans, req.current)
    if contact is not None:
        kind = "contact_sales"
        reason = contact["reason"] + " Until then, " + reason[0].lower() + reason[1:]
    detail: list[GrowthMonthPlan] = []
    for month, plan_id in enumerate(best.plans, start=1):
        item = span[month - 1][plan_id]
        detail.append(
            {
                "month": month,
                "plan": plan_id,
                "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in item.fit.units],
                "cost": total_text(catalogue, req, item.cost),
            }
        )
    return {
        "kind": kind,
        "plan": best.plans[-1] if contact is None else contact["plan"],
        "path": [run[0] for run in path_segments(best.plans)],
        "total": total_text(catalogue, req, best.total),
        "months": detail,
        "addons_note": _addons_note(best, span),
        "reason": reason,
    }


def _addons_note(best: GrowthPath, span: Sequence[Mapping[str, GrowthMonth]]) -> str | None:
    """When add-ons change along the path, the months they change in, in words."""
    notes = []
    previous = ""
    for month, plan_id in enumerate(best.plans, start=1):
        units = span[month - 1][plan_id].fit.units
        phrase = units_phrase(units) if units else "no add-ons"
        if phrase != previous:
            notes.append(f"month {month}: {phrase}")
            previous = phrase
    if len(notes) == 1 and notes[0].endswith("no add-ons"):
        return None
    return "Add-ons by month: " + "; ".join(notes) + "."
