"""The ``compare`` request and response: ``contracts/compare.md``."""

from __future__ import annotations

from typing import Required, TypedDict, final

from calculators.domain.contract_types.shared import AddonUnits, Usage

# What a customer needs: one whole number per resource id (a resource left out counts as 0),
# plus "features" (feature ids) and "support" (the lowest acceptable support level id). The
# resource ids come from the catalogue, so the type cannot name them.
Needs = dict[str, int | str | list[str] | None]


class CompareRequest(TypedDict, total=False):
    currency: str
    interval: str
    needs: Required[Needs]
    current_plan: str | None
    current_usage: Usage | None


class ResourceAddonUnits(AddonUnits):
    adds: int  # quantity times the add-on's unit size


class CompareResource(TypedDict):
    resource: str
    label: str
    unit: str
    need: int
    limit: int | None  # null: set by contract
    fits_alone: bool
    shortfall: int
    addons: list[ResourceAddonUnits]
    limit_with_addons: int | None
    max_with_addons: int | None
    fits: bool
    shortfall_after_addons: int
    headroom: int | None


class CompareFeatures(TypedDict):
    needed: list[str]
    included: list[str]
    via_addons: list[str]
    missing: list[str]


class CompareSupport(TypedDict):
    needed: str | None
    plan: str
    label: str
    meets: bool


class CompareAddonLine(TypedDict):
    addon: str
    name: str
    quantity: int
    grants: str
    unit_price: str
    amount: str


class CompareCost(TypedDict, total=False):
    """The price at the requested interval; monthly and yearly when the catalogue has both."""

    total: Required[str]
    month: str
    year: str
    year_per_month: str
    annual_saving: str


class ComparePlan(TypedDict, total=False):
    plan: Required[str]
    name: Required[str]
    rank: Required[int]
    self_serve: Required[bool]
    status: Required[str]  # fits, fits_with_addons, does_not_fit, contact_sales
    fits: Required[bool]
    fits_alone: Required[bool]
    resources: Required[list[CompareResource]]
    features: Required[CompareFeatures]
    support: Required[CompareSupport]
    addons: Required[list[CompareAddonLine]]
    cost: Required[CompareCost | None]
    shortfalls: Required[list[str]]
    change_from_current: str  # only with current_plan


class CompareRecommendation(TypedDict):
    plan: str | None  # null: nothing fits at all
    name: str | None
    contact_sales: bool
    addons: list[AddonUnits]
    total: str | None
    reason: str


class AddonsVsUpgrade(TypedDict):
    plan: str
    addons: list[AddonUnits]
    total: str
    instead_of: str
    instead_of_addons: list[AddonUnits]
    instead_of_total: str
    saving: str
    text: str


class LostFeature(TypedDict):
    feature: str
    label: str
    available_as_addon: str | None


LostSupport = TypedDict("LostSupport", {"from": str, "from_label": str, "to": str, "to_label": str})
LostLimit = TypedDict("LostLimit", {"resource": str, "unit": str, "from": int | None, "to": int})


class UsageOverLimit(TypedDict):
    resource: str
    unit: str
    usage: int
    limit: int
    reduce_by: int


class Losses(TypedDict):
    features: list[LostFeature]
    support: LostSupport | None
    limits: list[LostLimit]
    usage_over_new_limits: list[UsageOverLimit] | None  # null without current_usage


CompareChange = TypedDict(
    "CompareChange",
    {
        "from": str,
        "to": str | None,
        "kind": str | None,
        "current_fits": bool,
        "losses": Losses | None,
        "summary": str,
    },
)


@final
class CompareResponse(TypedDict):
    currency: str
    interval: str
    needs: dict[str, int | list[str] | str | None]  # every resource, features, support
    plans: list[ComparePlan]
    recommendation: CompareRecommendation
    addons_vs_upgrade: AddonsVsUpgrade | None
    change: CompareChange | None
