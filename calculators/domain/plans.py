"""Plan fitting: what a plan (with add-ons) covers of a customer's needs, and the cheapest fit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from typing import Final

from calculators.domain import changes, money
from calculators.domain.catalogue import AddOn, Catalogue, Plan
from calculators.domain.contract_types.compare import (
    Losses,
    LostFeature,
    LostLimit,
    LostSupport,
    UsageOverLimit,
)

CHANGE_KINDS: Final = ("upgrade", "downgrade", "same", "sideways")


@dataclass(frozen=True)
class Needs:
    usage: Mapping[str, int]  # every catalogue resource, in catalogue order
    features: tuple[str, ...]  # catalogue order
    support: str | None


@dataclass(frozen=True)
class Units:
    """Some units of one add-on."""

    addon: AddOn
    quantity: int


@dataclass(frozen=True)
class ResourceFit:
    resource: str
    need: int
    limit: int | None  # None: set by contract
    units: tuple[Units, ...]  # the cheapest add-on units that cover the shortfall
    max_with_addons: int | None  # the plan's limit with every add-on for it at max_quantity
    fits: bool

    @property
    def shortfall(self) -> int:
        """How far the need is above the plan's own limit."""
        if self.limit is None:
            return 0
        return max(0, self.need - self.limit)

    @property
    def added(self) -> int:
        return sum(u.quantity * u.addon.unit_size for u in self.units)

    @property
    def limit_with_addons(self) -> int | None:
        return None if self.limit is None else self.limit + self.added

    @property
    def headroom(self) -> int | None:
        limit = self.limit_with_addons
        return None if limit is None or not self.fits else limit - self.need

    @property
    def shortfall_after_addons(self) -> int:
        if self.fits or self.max_with_addons is None:
            return 0
        return self.need - self.max_with_addons


@dataclass(frozen=True)
class Fit:
    plan: Plan
    resources: tuple[ResourceFit, ...]
    feature_addons: tuple[AddOn, ...]  # bought to switch on required features
    missing_features: tuple[str, ...]  # required, neither in the plan nor buyable on it
    support_ok: bool

    @property
    def fits(self) -> bool:
        return all(r.fits for r in self.resources) and not self.missing_features and self.support_ok

    @property
    def units(self) -> tuple[Units, ...]:
        """Every add-on bought, resource add-ons then feature add-ons, in catalogue order."""
        bought = [u for r in self.resources for u in r.units if u.quantity > 0]
        bought.extend(Units(a, 1) for a in self.feature_addons)
        return tuple(bought)

    @property
    def uses_addons(self) -> bool:
        return bool(self.units)

    @property
    def addon_units(self) -> int:
        return sum(u.quantity for u in self.units)


def plan_has_feature(catalogue: Catalogue, plan: Plan, feature: str) -> bool:
    """A plan has a feature when it lists it or a feature add-on is included in it."""
    return feature in plan.features or any(
        a.feature == feature and plan.id in a.included_in for a in catalogue.addons
    )


def can_buy(addon: AddOn, plan: Plan) -> bool:
    return plan.id in addon.available_on and plan.id not in addon.included_in


def fit_plan(
    catalogue: Catalogue, plan: Plan, needs: Needs, *, currency: str, interval: str
) -> Fit:
    """How ``plan`` covers ``needs``, with the cheapest add-ons priced in currency/interval."""
    resources = []
    for resource in catalogue.resources:
        need = needs.usage.get(resource.id, 0)
        limit = plan.limits.get(resource.id)
        buyable = tuple(
            a for a in catalogue.addons if a.resource == resource.id and can_buy(a, plan)
        )
        if limit is None:
            resources.append(ResourceFit(resource.id, need, None, (), None, True))
            continue
        most = limit + sum(a.unit_size * a.max_quantity for a in buyable)
        if need <= limit:
            resources.append(ResourceFit(resource.id, need, limit, (), most, True))
            continue
        units = _cheapest_units(buyable, need - limit, plan, currency=currency, interval=interval)
        resources.append(
            ResourceFit(resource.id, need, limit, units or (), most, units is not None)
        )
    feature_addons = []
    missing = []
    for feature in needs.features:
        if plan_has_feature(catalogue, plan, feature):
            continue
        offers = [a for a in catalogue.addons if a.feature == feature and can_buy(a, plan)]
        if not offers or not plan.self_serve:
            missing.append(feature)
            continue
        # The cheapest offer, then the first in the catalogue.
        feature_addons.append(min(offers, key=lambda a: a.price(currency, interval)))
    support_ok = needs.support is None or (
        catalogue.support_level(plan.support).rank >= catalogue.support_level(needs.support).rank
    )
    return Fit(plan, tuple(resources), tuple(feature_addons), tuple(missing), support_ok)


def _cheapest_units(
    addons: Sequence[AddOn], shortfall: int, plan: Plan, *, currency: str, interval: str
) -> tuple[Units, ...] | None:
    """The cheapest whole add-on units covering ``shortfall``, or None when none can.

    Ties go to fewer units, then to the add-on listed first in the catalogue. Contact-sales plans
    buy nothing from the price list: their limits come from the contract.
    """
    if not plan.self_serve or not addons:
        return None
    *others, last = addons
    # Every mix of the other add-ons; the last one then takes the fewest units that cover the
    # rest, which is both its cheapest and its smallest choice.
    ranges = [range(min(a.max_quantity, -(-shortfall // a.unit_size)) + 1) for a in others]
    best: tuple[tuple[Decimal, int, tuple[int, ...]], tuple[int, ...]] | None = None
    for chosen in product(*ranges):
        rest = shortfall - sum(q * a.unit_size for q, a in zip(chosen, others, strict=True))
        needed = max(0, -(-rest // last.unit_size))
        if needed > last.max_quantity:
            continue
        quantities = (*chosen, needed)
        cost = money.add(
            *(
                money.multiply(a.price(currency, interval), q)
                for q, a in zip(quantities, addons, strict=True)
            )
        )
        # Later add-ons first in the last key, so the earlier add-on is preferred on a tie.
        key = (cost, sum(quantities), tuple(-q for q in quantities))
        if best is None or key < best[0]:
            best = (key, quantities)
    if best is None:
        return None
    return tuple(Units(a, q) for a, q in zip(addons, best[1], strict=True) if q > 0)


def fit_cost(fit: Fit, *, currency: str, interval: str) -> Decimal | None:
    """Plan plus add-ons for one interval; None for a plan without a list price."""
    if not fit.plan.self_serve:
        return None
    parts = [fit.plan.price(currency, interval)]
    parts.extend(money.multiply(u.addon.price(currency, interval), u.quantity) for u in fit.units)
    return money.add(*parts)


def option_key(fit: Fit, cost: Decimal) -> tuple[Decimal, bool, int]:
    """Order of preference between fitting options: cheapest, then no add-ons, then higher plan."""
    return (cost, fit.uses_addons, -fit.plan.rank)


def change_kind(current: Plan, target: Plan, *, currency: str, interval: str) -> str:
    """The plan move as ``calculators.domain.changes`` names it (``upgrade`` or ``downgrade``),
    ``same`` for the same plan, or ``sideways`` when the list price points the other way (billed
    as the plan move)."""
    move = changes.plan_move(current, target)
    if move is None:
        return "same"
    if current.self_serve and target.self_serve:
        before = current.price(currency, interval)
        after = target.price(currency, interval)
        if (move == changes.UPGRADE and after < before) or (
            move == changes.DOWNGRADE and after > before
        ):
            return "sideways"
    return move


def losses(
    catalogue: Catalogue,
    current: Plan,
    target: Fit,
    *,
    current_usage: Mapping[str, int] | None,
) -> Losses:
    """What moving from ``current`` to ``target`` (with its add-ons) takes away."""
    bought = {a.feature for a in target.feature_addons}
    features: list[LostFeature] = []
    for fid in catalogue.features:
        has_now = plan_has_feature(catalogue, current, fid)
        if not has_now or plan_has_feature(catalogue, target.plan, fid) or fid in bought:
            continue
        offer = next(
            (a.id for a in catalogue.addons if a.feature == fid and can_buy(a, target.plan)), None
        )
        features.append(
            {"feature": fid, "label": catalogue.feature(fid).label, "available_as_addon": offer}
        )
    support: LostSupport | None = None
    now = catalogue.support_level(current.support)
    then = catalogue.support_level(target.plan.support)
    if then.rank < now.rank:
        support = {"from": now.id, "from_label": now.label, "to": then.id, "to_label": then.label}
    limits: list[LostLimit] = []
    over: list[UsageOverLimit] = []
    for r in target.resources:
        before = current.limits.get(r.resource)
        after = r.limit_with_addons
        if after is not None and (before is None or after < before):
            limits.append(
                {
                    "resource": r.resource,
                    "unit": catalogue.resource(r.resource).unit,
                    "from": before,
                    "to": after,
                }
            )
        used = None if current_usage is None else current_usage.get(r.resource, 0)
        if used is not None and after is not None and used > after:
            over.append(
                {
                    "resource": r.resource,
                    "unit": catalogue.resource(r.resource).unit,
                    "usage": used,
                    "limit": after,
                    "reduce_by": used - after,
                }
            )
    return {
        "features": features,
        "support": support,
        "limits": limits,
        "usage_over_new_limits": None if current_usage is None else over,
    }
