"""The one classification of a change: which catalogue change kinds it combines, and which rule.

A subscription is a plan, a billing interval and add-on quantities. A change from one
subscription to another combines one or more of the catalogue's change kinds
(``catalogue.CHANGE_KINDS``), decided here and nowhere else (contract: ``contracts/change.md``):

- ``upgrade`` / ``downgrade``: the new plan comes later / earlier in the catalogue's list of
  plans (its rank). Prices do not decide: the catalogue lists plans from smallest to largest.
- ``monthly_to_annual`` / ``annual_to_monthly``: the new billing interval is longer / shorter
  (day < week < month < year, the order of ``catalogue.INTERVALS``).
- ``seats_added`` / ``seats_removed``: more / fewer seats, that is units of an add-on that grants
  the resource the seat kinds are named after (the catalogue's ``seats`` resource), or more /
  fewer units of the plan itself when it is sold per seat.
- ``addon_added`` / ``addon_removed``: more / fewer units of any other add-on.

The kinds are listed in the catalogue's ``policy.change_precedence`` order, and the rule that
applies to the whole change is the rule of the first one: a downgrade that also switches from
annual to monthly billing is both, and is billed as the kind the catalogue lists first. A change
that changes nothing is refused (``NoChange``, with the field path of the new subscription).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from calculators.domain.catalogue import INTERVALS, AddOn, Catalogue, Plan
from calculators.domain.contract_types.change import ChangeRuleFields
from calculators.domain.policy import ChangeRule

UPGRADE: Final = "upgrade"
DOWNGRADE: Final = "downgrade"
LONGER_INTERVAL: Final = "monthly_to_annual"
SHORTER_INTERVAL: Final = "annual_to_monthly"
SEATS_ADDED: Final = "seats_added"
SEATS_REMOVED: Final = "seats_removed"
ADDON_ADDED: Final = "addon_added"
ADDON_REMOVED: Final = "addon_removed"


@dataclass(frozen=True)
class Subscription:
    """One side of a change. ``addons`` maps add-on id to quantity (0 or absent: not bought);
    ``quantity`` counts units of the plan itself (seats, when the plan is priced per seat)."""

    plan: Plan
    interval: str
    addons: Mapping[str, int] = field(default_factory=dict)
    quantity: int = 1


@dataclass(frozen=True)
class Classification:
    """The kinds a change combines, in precedence order, and the rule of the first one."""

    kinds: tuple[str, ...]
    rule: ChangeRule

    @property
    def rule_kind(self) -> str:
        return self.kinds[0]

    def rule_json(self) -> ChangeRuleFields:
        """The rule as the proration contract names its fields."""
        return {"apply": self.rule.apply, "interval_change": self.rule.interval_change}


class NoChange(ValueError):
    """The new subscription is the current one: there is nothing to classify or bill."""

    def __init__(self, field_path: str) -> None:
        self.field = field_path
        super().__init__(
            "the new plan, billing interval and add-ons are the same as the "
            "current ones: there is no change to make"
        )


def plan_move(before: Plan, after: Plan) -> str | None:
    """``upgrade`` or ``downgrade`` by the plans' order in the catalogue; None for the same plan."""
    if after.rank > before.rank:
        return UPGRADE
    if after.rank < before.rank:
        return DOWNGRADE
    return None


def interval_move(before: str, after: str) -> str | None:
    """The interval kind of a switch to a longer or shorter billing interval; None when equal."""
    if INTERVALS.index(after) > INTERVALS.index(before):
        return LONGER_INTERVAL
    if INTERVALS.index(after) < INTERVALS.index(before):
        return SHORTER_INTERVAL
    return None


def seat_resource(catalogue: Catalogue) -> str | None:
    """The resource the seat kinds count: the catalogue resource they are named after."""
    wanted = SEATS_ADDED.removesuffix("_added")
    return wanted if any(r.id == wanted for r in catalogue.resources) else None


def is_seat_addon(catalogue: Catalogue, addon: AddOn) -> bool:
    return addon.resource is not None and addon.resource == seat_resource(catalogue)


def quantity_move(catalogue: Catalogue, addon: AddOn | None, before: int, after: int) -> str | None:
    """The kind of a quantity change of one add-on (``None``: of the plan itself, in seats)."""
    if after == before:
        return None
    seats = addon is None or is_seat_addon(catalogue, addon)
    if after > before:
        return SEATS_ADDED if seats else ADDON_ADDED
    return SEATS_REMOVED if seats else ADDON_REMOVED


def kinds_of(catalogue: Catalogue, before: Subscription, after: Subscription) -> tuple[str, ...]:
    """Every change kind the change combines, in the catalogue's precedence order (may be empty)."""
    found = {
        plan_move(before.plan, after.plan),
        interval_move(before.interval, after.interval),
        quantity_move(catalogue, None, before.quantity, after.quantity),
    }
    for addon in catalogue.addons:
        found.add(
            quantity_move(
                catalogue, addon, before.addons.get(addon.id, 0), after.addons.get(addon.id, 0)
            )
        )
    return tuple(k for k in catalogue.policy.change_precedence if k in found)


def classify(
    catalogue: Catalogue, before: Subscription, after: Subscription, *, field_path: str = "new"
) -> Classification:
    """The kinds and the one rule of a change; ``NoChange`` when nothing changes."""
    kinds = kinds_of(catalogue, before, after)
    if not kinds:
        raise NoChange(field_path)
    return Classification(kinds, catalogue.policy.changes[kinds[0]])
