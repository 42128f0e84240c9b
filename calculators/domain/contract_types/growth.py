"""The ``growth`` request and response: ``contracts/growth.md``."""

from __future__ import annotations

from typing import Required, TypedDict, final

from calculators.domain.contract_types.shared import AddonUnits, Count, Usage

# A rate in percent a month: a decimal string, or a JSON integer.
Rate = str | int


class ForecastPoint(TypedDict):
    month: Count
    usage: Usage  # only the resources it knows


class GrowthForm(TypedDict, total=False):
    """Exactly one of the three."""

    rate_percent: Rate
    rates_percent: dict[str, Rate]
    forecast: list[ForecastPoint]


class GrowthRequest(TypedDict, total=False):
    currency: str
    interval: str
    plan: str | None
    usage: Required[Usage]
    growth: Required[GrowthForm]
    horizon_months: Count
    features: list[str]
    support: str | None


class ForecastEcho(TypedDict):
    month: int
    usage: dict[str, int]


class GrowthEcho(TypedDict, total=False):
    """The growth as read: one of the forms, rates as text, every resource in rates_percent."""

    rate_percent: str
    rates_percent: dict[str, str]
    forecast: list[ForecastEcho]


class GrowthResource(TypedDict):
    resource: str
    label: str
    unit: str


class GrowthMonthUsage(TypedDict):
    month: int
    usage: dict[str, int]


class GrowthPlan(TypedDict):
    plan: str
    name: str
    self_serve: bool
    limits: dict[str, int | None]
    max_with_addons: dict[str, int | None]
    runs_out: dict[str, int | None]
    runs_out_with_addons: dict[str, int | None]
    first_month_without_fit: int | None


class GrowthSegment(TypedDict):
    plan: str
    name: str
    from_month: int
    to_month: int
    cost: str


class GrowthPathRow(TypedDict):
    kind: str  # stay, move_now, upgrade_at, steps
    plans: list[str]
    feasible: bool
    fails_at_month: int | None
    description: str
    segments: list[GrowthSegment]
    upgrade_month: int | None
    total: str | None
    more_than_cheapest: str | None
    recommended: bool


class GrowthMonthPlan(TypedDict):
    month: int
    plan: str
    addons: list[AddonUnits]
    cost: str


class GrowthRecommendation(TypedDict):
    kind: str | None  # a path kind or contact_sales; null when nothing holds the usage
    plan: str | None
    path: list[str]
    total: str | None
    months: list[GrowthMonthPlan]
    addons_note: str | None
    reason: str


class ContactSales(TypedDict):
    plan: str | None  # null: no plan covers it, not even through the sales team
    name: str | None
    from_month: int
    reason: str


@final
class GrowthResponse(TypedDict):
    currency: str
    interval: str
    plan: str | None
    horizon_months: int
    growth: GrowthEcho
    rounding: str
    resources: list[GrowthResource]
    months: list[GrowthMonthUsage]
    plans: list[GrowthPlan]
    paths: list[GrowthPathRow]
    recommendation: GrowthRecommendation
    contact_sales: ContactSales | None
