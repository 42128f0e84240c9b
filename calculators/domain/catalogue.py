"""The catalogue model: company, currencies, resources, features, plans and add-ons, and the
catalogue that holds them (read from a file by ``calculators.requests.catalogue``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Protocol, TypeVar

from calculators.domain import money
from calculators.domain.catalogue_errors import UnknownIdError
from calculators.domain.policy import Policy

SCHEMA_VERSION: Final = 1
INTERVALS: Final = ("day", "week", "month", "year")
CHANGE_KINDS: Final = (
    "upgrade",
    "downgrade",
    "monthly_to_annual",
    "annual_to_monthly",
    "seats_added",
    "seats_removed",
    "addon_added",
    "addon_removed",
)
APPLY_MODES: Final = ("immediately", "next_invoice", "period_end", "without_proration")
INTERVAL_CHANGES: Final = ("restart", "keep_anchor")
CREDIT_APPLIED: Final = ("after_tax", "before_tax")
CREDIT_EXPIRES: Final = ("never",)
OVER_LIMIT_STARTS: Final = ("at_change", "after_grace")
OVER_LIMIT_EFFECTS: Final = ("read_only", "throttled", "capped", "sign_in_blocked", "no_new")
DECLINED_PAYMENT: Final = ("applied_then_reverted", "not_applied")
TIME_ZONES: Final = ("UTC", "account")


@dataclass(frozen=True)
class Company:
    name: str
    product: str
    account_area: str
    support_email: str
    support_form_url: str
    sales_email: str
    status_page_url: str


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    minor_unit: int


@dataclass(frozen=True)
class Resource:
    id: str
    label: str
    unit: str
    description: str


@dataclass(frozen=True)
class SupportLevel:
    id: str
    label: str
    rank: int
    first_response_hours: int | None
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Feature:
    id: str
    label: str
    description: str


Prices = Mapping[str, Mapping[str, Decimal]]  # interval -> currency -> price of one unit


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    summary: str
    rank: int
    self_serve: bool
    prices: Prices
    # None means no fixed limit: the contract sets it (contact-sales plans).
    limits: Mapping[str, int | None]
    support: str
    features: frozenset[str]

    def price(self, currency: str, interval: str) -> Decimal:
        try:
            return self.prices[interval][currency]
        except KeyError:
            raise UnknownIdError(
                "price", f"{self.id}/{interval}/{currency}", _price_keys(self.prices)
            ) from None

    def limit(self, resource: str) -> int | None:
        return self.limits[resource]

    def annual_saving(self, currency: str) -> Decimal:
        """What paying yearly saves against twelve monthly payments."""
        return money.add(
            money.multiply(self.price(currency, "month"), 12), -self.price(currency, "year")
        )

    def annual_discount_percent(self, currency: str) -> Decimal:
        """The annual discount as a percentage of twelve monthly payments, to one decimal
        (half up), as shown next to annual prices."""
        twelve_months = money.multiply(self.price(currency, "month"), 12)
        if twelve_months == 0:
            return Decimal(0)
        share = money.divide(money.multiply(self.annual_saving(currency), 100), twelve_months)
        return money.round_to(share, 1, rounding="half_up")


@dataclass(frozen=True)
class AddOn:
    id: str
    name: str
    description: str
    resource: str | None
    unit_size: int
    feature: str | None
    prices: Prices
    max_quantity: int
    available_on: frozenset[str]
    included_in: frozenset[str]

    def price(self, currency: str, interval: str) -> Decimal:
        try:
            return self.prices[interval][currency]
        except KeyError:
            raise UnknownIdError(
                "price", f"{self.id}/{interval}/{currency}", _price_keys(self.prices)
            ) from None


@dataclass(frozen=True)
class Catalogue:
    source: str
    company: Company
    currencies: Mapping[str, Currency]
    default_currency: str
    intervals: tuple[str, ...]
    resources: tuple[Resource, ...]
    support_levels: tuple[SupportLevel, ...]
    features: Mapping[str, Feature]
    plans: tuple[Plan, ...]
    addons: tuple[AddOn, ...]
    policy: Policy
    # The validated mapping this was built from, JSON-compatible, for embedding in pages.
    data: Mapping[str, Any] = field(repr=False, compare=False)

    def plan(self, plan_id: str) -> Plan:
        return _by_id("plan", self.plans, plan_id)

    def addon(self, addon_id: str) -> AddOn:
        return _by_id("add-on", self.addons, addon_id)

    def resource(self, resource_id: str) -> Resource:
        return _by_id("resource", self.resources, resource_id)

    def support_level(self, level_id: str) -> SupportLevel:
        return _by_id("support level", self.support_levels, level_id)

    def feature(self, feature_id: str) -> Feature:
        try:
            return self.features[feature_id]
        except KeyError:
            raise UnknownIdError("feature", feature_id, list(self.features)) from None

    def currency(self, code: str) -> Currency:
        try:
            return self.currencies[code]
        except KeyError:
            raise UnknownIdError("currency", code, list(self.currencies)) from None

    @property
    def self_serve_plans(self) -> tuple[Plan, ...]:
        return tuple(p for p in self.plans if p.self_serve)

    @property
    def minor_units(self) -> Mapping[str, int]:
        """Minor units of the catalogue's currencies, for ``money`` functions' ``extra``."""
        return {code: c.minor_unit for code, c in self.currencies.items()}

    def to_json(self) -> str:
        """Compact JSON of the validated data, parsed again by ``parse_catalogue`` in Pyodide."""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _price_keys(prices: Prices) -> list[str]:
    return [f"{interval}/{code}" for interval, by_code in prices.items() for code in by_code]


def describe(value: object) -> str:
    """A short, safe description of a value for an error message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**40 else "a very large number"
        return f"the number {text}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def _by_id(kind: str, items: Sequence[_Item], wanted: str) -> _Item:
    """The item whose id is ``wanted``; an unknown id is refused with the known ones."""
    for item in items:
        if item.id == wanted:
            return item
    raise UnknownIdError(kind, wanted, [item.id for item in items])
