"""Catalogue views and tables for Markdown pages: formatting only, numbers from calculators."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from calculators import money
from calculators.catalogue import AddOn, Catalogue, Plan, UnknownIdError

INTERVAL_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "year": "annual"}
BILLED_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "year": "annually"}


def quantity_text(number: int, unit: str) -> str:
    """ "100 GB", "2 vCPU", "1 seat", "5 seats": counted units are singular for one."""
    if number == 1 and unit.endswith("s") and unit.islower():
        unit = unit[:-1]
    return f"{number:,} {unit}"
PER_INTERVAL = {"day": "/day", "week": "/week", "month": "/month", "year": "/year"}

# What each apply mode means for the customer, in the words the articles use.
APPLY_WORDS = {
    "immediately": (
        "at once",
        "the difference for the rest of the current period is invoiced now (a net credit goes "
        "to your credit balance)",
    ),
    "next_invoice": (
        "at once",
        "the prorated difference is added to your next regular invoice",
    ),
    "period_end": (
        "at the end of the current billing period",
        "nothing is charged or credited now; the new price applies from the next renewal",
    ),
    "without_proration": (
        "at once",
        "nothing is charged or credited now; the new price applies from the next renewal",
    ),
}
CHANGE_WORDS = {
    "upgrade": "Upgrade to a higher plan",
    "downgrade": "Downgrade to a lower plan",
    "monthly_to_annual": "Switch from monthly to annual billing",
    "annual_to_monthly": "Switch from annual to monthly billing",
    "seats_added": "Add seats",
    "seats_removed": "Remove seats",
    "addon_added": "Add an add-on",
    "addon_removed": "Remove an add-on",
}


def _fail_unknown(error: UnknownIdError) -> Exception:
    return ValueError(str(error))


@dataclass(frozen=True)
class ChangeRuleView:
    kind: str
    title: str
    when: str
    billing: str
    apply: str


class PlanView:
    def __init__(self, plan: Plan, catalogue: Catalogue) -> None:
        self._plan = plan
        self._catalogue = catalogue
        self.id = plan.id
        self.name = plan.name
        self.summary = plan.summary
        self.self_serve = plan.self_serve
        level = catalogue.support_level(plan.support)
        self.support = level.label
        self.first_response_hours = level.first_response_hours
        self.features = [catalogue.feature(f).label for f in _ordered(plan.features, catalogue)]

    def __str__(self) -> str:
        return self.name

    def price(self, currency: str | None = None, interval: str = "month") -> str:
        if not self._plan.self_serve:
            return "Contact sales"
        code = currency or self._catalogue.default_currency
        return _price(self._plan.price(code, interval), code, self._catalogue)

    def amount(self, currency: str | None = None, interval: str = "month") -> Decimal:
        return self._plan.price(currency or self._catalogue.default_currency, interval)

    def annual_saving(self, currency: str | None = None) -> str:
        code = currency or self._catalogue.default_currency
        return _price(self._plan.annual_saving(code), code, self._catalogue)

    def annual_discount(self, currency: str | None = None) -> str:
        code = currency or self._catalogue.default_currency
        return f"{self._plan.annual_discount_percent(code)}%"

    def limit(self, resource: str) -> str:
        if resource not in self._plan.limits:
            raise ValueError(f"unknown resource {resource!r} for plan {self.id!r}; known: "
                             f"{', '.join(self._plan.limits)}")  # fmt: skip
        value = self._plan.limits[resource]
        unit = self._catalogue.resource(resource).unit
        return "Set by contract" if value is None else quantity_text(value, unit)

    def limit_number(self, resource: str) -> int | None:
        return self._plan.limits[resource]

    def has(self, feature: str) -> bool:
        self._catalogue.feature(feature)
        return feature in self._plan.features


class AddOnView:
    def __init__(self, addon: AddOn, catalogue: Catalogue) -> None:
        self._addon = addon
        self._catalogue = catalogue
        self.id = addon.id
        self.name = addon.name
        self.description = addon.description
        self.max_quantity = addon.max_quantity
        self.available_on = [p.name for p in catalogue.plans if p.id in addon.available_on]
        self.included_in = [p.name for p in catalogue.plans if p.id in addon.included_in]
        if addon.resource is not None:
            resource = catalogue.resource(addon.resource)
            amount = quantity_text(addon.unit_size, resource.unit)
            # "+100 GB of storage", but "+1 seat" (the unit already names the resource).
            counted = resource.unit.islower() and resource.unit.rstrip("s") in resource.id
            self.grants = f"+{amount}" if counted else f"+{amount} of {resource.label.lower()}"
        else:
            assert addon.feature is not None
            self.grants = catalogue.feature(addon.feature).label

    def __str__(self) -> str:
        return self.name

    def price(self, currency: str | None = None, interval: str = "month") -> str:
        code = currency or self._catalogue.default_currency
        return _price(self._addon.price(code, interval), code, self._catalogue)


class CatalogueView:
    """What templates see: lookups that fail the build on an unknown id."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.policy = catalogue.policy

    def plan(self, plan_id: str) -> PlanView:
        try:
            return PlanView(self.catalogue.plan(plan_id), self.catalogue)
        except UnknownIdError as error:
            raise _fail_unknown(error) from None

    def addon(self, addon_id: str) -> AddOnView:
        try:
            return AddOnView(self.catalogue.addon(addon_id), self.catalogue)
        except UnknownIdError as error:
            raise _fail_unknown(error) from None

    def plans(self, self_serve_only: bool = False) -> list[PlanView]:
        return [PlanView(p, self.catalogue) for p in self.catalogue.plans
                if p.self_serve or not self_serve_only]  # fmt: skip

    def addons(self) -> list[AddOnView]:
        return [AddOnView(a, self.catalogue) for a in self.catalogue.addons]

    def resource(self, resource_id: str) -> Any:
        try:
            return self.catalogue.resource(resource_id)
        except UnknownIdError as error:
            raise _fail_unknown(error) from None

    def support_level(self, level_id: str) -> Any:
        try:
            return self.catalogue.support_level(level_id)
        except UnknownIdError as error:
            raise _fail_unknown(error) from None

    def feature(self, feature_id: str) -> Any:
        try:
            return self.catalogue.feature(feature_id)
        except UnknownIdError as error:
            raise _fail_unknown(error) from None

    def currencies(self) -> list[str]:
        return list(self.catalogue.currencies)

    def default_currency(self) -> str:
        return self.catalogue.default_currency

    def change_rule(self, kind: str) -> ChangeRuleView:
        if kind not in self.catalogue.policy.changes:
            raise ValueError(f"unknown change kind {kind!r}; known: "
                             f"{', '.join(self.catalogue.policy.changes)}")  # fmt: skip
        rule = self.catalogue.policy.changes[kind]
        when, billing = APPLY_WORDS[rule.apply]
        return ChangeRuleView(kind=kind, title=CHANGE_WORDS[kind], when=when, billing=billing,
                              apply=rule.apply)  # fmt: skip

    def money(self, amount: object, currency: str | None = None) -> str:
        code = currency or self.catalogue.default_currency
        value = money.parse_amount(amount, code, allow_negative=True,
                                   extra=self.catalogue.minor_units)  # fmt: skip
        return money.display(value, code, extra=self.catalogue.minor_units)


def _price(amount: Decimal, currency: str, catalogue: Catalogue) -> str:
    return money.display(amount, currency, extra=catalogue.minor_units)


def _ordered(ids: frozenset[str], catalogue: Catalogue) -> list[str]:
    return [f for f in catalogue.features if f in ids]


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "&#124;")


def plan_table(catalogue: Catalogue) -> Callable[..., str]:
    """``plan_table(currency=None, plans=None)``: plans side by side, as a Markdown table."""

    def render(currency: str | None = None, plans: list[str] | None = None) -> str:
        code = currency or catalogue.default_currency
        catalogue.currency(code)
        chosen = [catalogue.plan(p) for p in plans] if plans else list(catalogue.plans)
        header = "| Plan | " + " | ".join(f"**{_cell(p.name)}**" for p in chosen) + " |"
        rule = "|---|" + "---|" * len(chosen)
        rows = [header, rule]

        def row(label: str, cells: list[str]) -> None:
            rows.append(f"| {label} | " + " | ".join(cells) + " |")

        for interval in catalogue.intervals:
            row(f"Price, billed {BILLED_WORDS[interval]}", [
                _cell(_price(p.price(code, interval), code, catalogue) + PER_INTERVAL[interval])
                if p.self_serve else "Contact sales" for p in chosen
            ])  # fmt: skip
        if "month" in catalogue.intervals and "year" in catalogue.intervals:
            row("Annual billing saves", [
                _cell(f"{_price(p.annual_saving(code), code, catalogue)} "
                      f"({p.annual_discount_percent(code)}%)") if p.self_serve else "By contract"
                for p in chosen
            ])  # fmt: skip
        for resource in catalogue.resources:
            row(_cell(resource.label), [
                _cell("Set by contract" if p.limits[resource.id] is None
                      else quantity_text(p.limits[resource.id] or 0, resource.unit))
                for p in chosen
            ])  # fmt: skip
        row("Support", [_cell(catalogue.support_level(p.support).label) for p in chosen])
        for feature in catalogue.features.values():
            row(_cell(feature.label), [
                '<span title="Included">✓ Included</span>' if feature.id in p.features
                else _addon_or_dash(catalogue, p, feature.id) for p in chosen
            ])  # fmt: skip
        return "\n".join(rows) + "\n"

    return render


def _addon_or_dash(catalogue: Catalogue, plan: Plan, feature_id: str) -> str:
    for addon in catalogue.addons:
        if addon.feature == feature_id and plan.id in addon.available_on:
            return "Add-on"
    return "—"


def addon_table(catalogue: Catalogue) -> Callable[..., str]:
    """``addon_table(currency=None)``: every add-on with prices, limits and availability."""

    def render(currency: str | None = None) -> str:
        code = currency or catalogue.default_currency
        catalogue.currency(code)
        prices = " | ".join(f"Price {INTERVAL_WORDS[i]}" for i in catalogue.intervals)
        rows = [
            f"| Add-on | What one unit gives | {prices} | Most per account | Available on "
            "| Included in |",
            "|---|---|" + "---|" * len(catalogue.intervals) + "---|---|---|",
        ]
        for addon in catalogue.addons:
            view = AddOnView(addon, catalogue)
            cells = [
                f"**{_cell(addon.name)}**", _cell(view.grants),
                *(_cell(_price(addon.price(code, i), code, catalogue) + PER_INTERVAL[i])
                  for i in catalogue.intervals),
                str(addon.max_quantity),
                _cell(", ".join(view.available_on) or "—"),
                _cell(", ".join(view.included_in) or "—"),
            ]  # fmt: skip
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows) + "\n"

    return render


def billing_rules_table(catalogue: Catalogue) -> Callable[[], str]:
    """``billing_rules_table()``: when each kind of change takes effect and how it is billed."""

    def render() -> str:
        rows = ["| Change | Takes effect | Billing |", "|---|---|---|"]
        for kind, rule in catalogue.policy.changes.items():
            when, billing = APPLY_WORDS[rule.apply]
            rows.append(f"| {_cell(CHANGE_WORDS[kind])} | {_cell(when.capitalize())} "
                        f"| {_cell(billing.capitalize())} |")  # fmt: skip
        return "\n".join(rows) + "\n"

    return render


def support_table(catalogue: Catalogue) -> Callable[[], str]:
    """``support_table()``: support levels, their channels and first-response targets."""

    def render() -> str:
        rows = ["| Support level | Channels | First response within | Plans |", "|---|---|---|---|"]
        for level in catalogue.support_levels:
            hours = level.first_response_hours
            target = "Best effort" if hours is None else f"{hours} hour{'s' if hours != 1 else ''}"
            plans = ", ".join(p.name for p in catalogue.plans if p.support == level.id) or "—"
            rows.append(f"| {_cell(level.label)} | {_cell(', '.join(level.channels))} "
                        f"| {target} | {_cell(plans)} |")  # fmt: skip
        return "\n".join(rows) + "\n"

    return render
