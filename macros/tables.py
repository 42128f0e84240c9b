"""Catalogue views and tables for Markdown pages: formatting only, numbers from calculators."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Final

from markupsafe import Markup

from calculators.domain.catalogue import AddOn, Catalogue, Plan
from calculators.domain.catalogue_errors import UnknownIdError
from calculators.domain.records import REASON_CODES
from calculators.wording import policy_words
from macros.currency import Money, PerCurrency
from macros.environment import MacroEnvironment

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
        """The price in the reader's currency, or in ``currency`` when a page names one."""
        if not self._plan.self_serve:
            return "Contact sales"
        return _shown(self._catalogue, lambda code: self._plan.price(code, interval), currency)

    def amount(self, currency: str | None = None, interval: str = "month") -> Decimal | PerCurrency:
        """The price in every currency (for arithmetic and the ``money`` filter), or in one."""
        if currency is not None:
            return self._plan.price(currency, interval)
        return Money(self._catalogue).per_currency(lambda code: self._plan.price(code, interval))

    def annual_saving(self, currency: str | None = None) -> str:
        return _shown(self._catalogue, self._plan.annual_saving, currency)

    def annual_discount(self, currency: str | None = None) -> str:
        if currency is not None:
            return f"{self._plan.annual_discount_percent(currency)}%"
        return Money(self._catalogue).words(
            {
                code: f"{self._plan.annual_discount_percent(code)}%"
                for code in self._catalogue.currencies
            }
        )

    def limit(self, resource: str) -> str:
        if resource not in self._plan.limits:
            raise ValueError(
                f"unknown resource {resource!r} for plan {self.id!r}; known: "
                f"{', '.join(self._plan.limits)}"
            )
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
        """The price in the reader's currency, or in ``currency`` when a page names one."""
        return _shown(self._catalogue, lambda code: self._addon.price(code, interval), currency)

    def amount(self, currency: str | None = None, interval: str = "month") -> Decimal | PerCurrency:
        """The price in every currency (for arithmetic and the ``money`` filter), or in one."""
        if currency is not None:
            return self._addon.price(currency, interval)
        return Money(self._catalogue).per_currency(lambda code: self._addon.price(code, interval))


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
        return [
            PlanView(p, self.catalogue)
            for p in self.catalogue.plans
            if p.self_serve or not self_serve_only
        ]

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

    def site_currency(self) -> Markup:
        """The reader's currency code, for copy such as "Prices are in USD"."""
        return Money(self.catalogue).code()

    def change_rule(self, kind: str) -> ChangeRuleView:
        if kind not in self.catalogue.policy.changes:
            raise ValueError(
                f"unknown change kind {kind!r}; known: {', '.join(self.catalogue.policy.changes)}"
            )
        rule = self.catalogue.policy.changes[kind]
        when, billing = APPLY_WORDS[rule.apply]
        return ChangeRuleView(
            kind=kind, title=CHANGE_WORDS[kind], when=when, billing=billing, apply=rule.apply
        )

    def money(self, amount: object, currency: str | None = None) -> Markup:
        return Money(self.catalogue).filter(amount, currency)


def _shown(
    catalogue: Catalogue,
    amount_in: Callable[[str], Decimal],
    currency: str | None,
    suffix: str = "",
) -> Markup:
    """A price in every currency (the reader's shows), or fixed in ``currency``."""
    prices = Money(catalogue)
    if currency is not None:
        return prices.fixed(amount_in(currency), currency, suffix)
    return prices.figure(prices.per_currency(amount_in), suffix)


def _ordered(ids: frozenset[str], catalogue: Catalogue) -> list[str]:
    return [f for f in catalogue.features if f in ids]


# What HTML or Markdown (with this site's extensions: tables, attr_list, md_in_html, abbr,
# footnotes) reads as syntax. An underscore inside a word is not emphasis, and ids such as
# "extra_storage" stay as written.
_SYNTAX: Final = re.compile(r"[&<>\"'`\\*{}\[\]#!|~^]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_BREAK: Final = re.compile(r"[\r\n\u2028\u2029]+")


def page_text(value: object) -> str:
    """``value`` as literal text anywhere in a Markdown page: in prose, a heading, a table cell
    or an HTML attribute. Syntax characters become character references, which HTML shows as
    the characters themselves; line breaks become spaces, so no text starts a block.

    Catalogue text is written by people who are not programmers and is never trusted: a plan
    named ``<script>`` or ``[x](javascript:...)`` or ``a | b`` shows exactly that.
    """
    return _SYNTAX.sub(lambda m: f"&#{ord(m.group())};", _LINE_BREAK.sub(" ", str(value)))


# Values a page may print as they are: numbers (an amount in every currency too), dates,
# booleans and nothing.
_PLAIN_VALUES: Final = (bool, int, float, Decimal, PerCurrency, date, type(None))


def page_value(value: Any) -> Any:
    """``value`` as pages see it: every catalogue string it holds, however deep, reads as
    literal text (``page_text``) when ``{{ ... }}`` prints it.

    Neither engine lets a macros module change how its Jinja prints values (MkDocs' macros
    plugin makes its Jinja environment after ``define_env``, Zensical's has none to reach), so
    the values themselves are escaped: strings become escaped ``Markup``, containers and objects
    (a plan view, the policy) give escaped values when read. ``Markup`` is what a macro built,
    already escaped, and passes as it is; numbers and dates are not text.
    """
    if isinstance(value, (Markup, *_PLAIN_VALUES)):
        return value
    if isinstance(value, str):
        return Markup(page_text(value))
    if isinstance(value, Mapping):
        return _PageMapping(value)
    if isinstance(value, (list, tuple, frozenset, set)):
        return [page_value(item) for item in value]
    return _PageObject(value)


class _PageMapping(Mapping[Any, Any]):
    """A mapping whose values are read through ``page_value`` (its keys are ids)."""

    def __init__(self, mapping: Mapping[Any, Any]) -> None:
        self._mapping = mapping

    def __getitem__(self, key: Any) -> Any:
        return page_value(self._mapping[key])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)

    def __str__(self) -> str:
        return page_text(str(dict(self._mapping)))


class _PageObject:
    """An object whose attributes, items and method results are read through ``page_value``."""

    def __init__(self, wrapped: Any) -> None:
        object.__setattr__(self, "_wrapped", wrapped)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._wrapped, name)
        if callable(attribute) and not isinstance(attribute, type):
            return _page_callable(attribute)
        return page_value(attribute)

    def __getitem__(self, key: Any) -> Any:
        return page_value(self._wrapped[key])

    def __iter__(self) -> Iterator[Any]:
        return (page_value(item) for item in self._wrapped)

    def __len__(self) -> int:
        return len(self._wrapped)

    def __bool__(self) -> bool:
        return bool(self._wrapped)

    def __eq__(self, other: object) -> bool:
        other = other._wrapped if isinstance(other, _PageObject) else other
        return bool(self._wrapped == other)

    def __hash__(self) -> int:
        return hash(self._wrapped)

    def __str__(self) -> str:
        return str(page_value(str(self._wrapped)))

    __html__ = __str__


def _page_callable(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        return page_value(function(*args, **kwargs))

    return call


def trust_macro_results(macros: MutableMapping[str, Any]) -> None:
    """The text each of this project's macros returns is Markdown or HTML built by code, which
    escapes the catalogue text it puts in it (``page_text``, ``calculators.web.html.esc``): it is
    marked ``Markup`` and printed as it is. Objects they return (a plan view) give escaped
    values (``page_value``). The macros plugin's own (``macros_info`` prints every variable as
    is) are not trusted: what they return is escaped."""
    for name, macro in list(macros.items()):
        if not callable(macro) or getattr(macro, "_kb_trusted", False):
            continue
        module = getattr(macro, "__module__", None) or ""
        ours = not module.startswith(("mkdocs_macros", "zensical"))
        macros[name] = _trusted(macro) if ours else _page_callable(macro)


def _trusted(macro: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(macro)
    def call(*args: Any, **kwargs: Any) -> Any:
        result = macro(*args, **kwargs)
        return Markup(result) if type(result) is str else page_value(result)

    # A mark on the function object, read back above; functions declare no such attribute.
    call._kb_trusted = True  # type: ignore[attr-defined]
    return call


_cell = page_text


def plan_table(catalogue: Catalogue) -> Callable[..., str]:
    """``plan_table(currency=None, plans=None)``: plans side by side, as a Markdown table."""

    def render(currency: str | None = None, plans: list[str] | None = None) -> str:
        if currency is not None:
            catalogue.currency(currency)
        prices = Money(catalogue)
        chosen = [catalogue.plan(p) for p in plans] if plans else list(catalogue.plans)
        header = "| Plan | " + " | ".join(f"**{_cell(p.name)}**" for p in chosen) + " |"
        rule = "|---|" + "---|" * len(chosen)
        rows = [header, rule]

        def row(label: str, cells: list[str]) -> None:
            rows.append(f"| {label} | " + " | ".join(cells) + " |")

        for interval in catalogue.intervals:
            row(
                f"Price, billed {BILLED_WORDS[interval]}",
                [
                    _shown(
                        catalogue,
                        partial(p.price, interval=interval),
                        currency,
                        PER_INTERVAL[interval],
                    )
                    if p.self_serve
                    else "Contact sales"
                    for p in chosen
                ],
            )
        if "month" in catalogue.intervals and "year" in catalogue.intervals:
            row(
                "Annual billing saves",
                [_saving(prices, p, currency) if p.self_serve else "By contract" for p in chosen],
            )
        for resource in catalogue.resources:
            row(
                _cell(resource.label),
                [
                    _cell(
                        "Set by contract"
                        if p.limits[resource.id] is None
                        else quantity_text(p.limits[resource.id] or 0, resource.unit)
                    )
                    for p in chosen
                ],
            )
        row("Support", [_cell(catalogue.support_level(p.support).label) for p in chosen])
        for feature in catalogue.features.values():
            row(
                _cell(feature.label),
                [
                    '<span title="Included">✓ Included</span>'
                    if feature.id in p.features
                    else _addon_or_dash(catalogue, p, feature.id)
                    for p in chosen
                ],
            )
        return "\n".join(rows) + "\n"

    return render


def _saving(prices: Money, plan: Plan, currency: str | None) -> str:
    """The saving as "$60.00 (17%)"; the discount may differ by currency, so each has its own."""
    codes = [currency] if currency is not None else prices.codes
    texts = {
        code: f"{prices.text(plan.annual_saving(code), code)} "
        f"({plan.annual_discount_percent(code)}%)"
        for code in codes
    }
    if currency is not None:
        return prices.fixed_words(texts[currency], currency)
    return prices.words(texts)


def _addon_or_dash(catalogue: Catalogue, plan: Plan, feature_id: str) -> str:
    for addon in catalogue.addons:
        if addon.feature == feature_id and plan.id in addon.available_on:
            return "Add-on"
    return "—"


def addon_table(catalogue: Catalogue) -> Callable[..., str]:
    """``addon_table(currency=None)``: every add-on with prices, limits and availability."""

    def render(currency: str | None = None) -> str:
        if currency is not None:
            catalogue.currency(currency)
        prices = " | ".join(f"Price {INTERVAL_WORDS[i]}" for i in catalogue.intervals)
        rows = [
            f"| Add-on | What one unit gives | {prices} | Most per account | Available on "
            "| Included in |",
            "|---|---|" + "---|" * len(catalogue.intervals) + "---|---|---|",
        ]
        for addon in catalogue.addons:
            view = AddOnView(addon, catalogue)
            cells = [
                f"**{_cell(addon.name)}**",
                _cell(view.grants),
                *(
                    _shown(catalogue, partial(addon.price, interval=i), currency, PER_INTERVAL[i])
                    for i in catalogue.intervals
                ),
                str(addon.max_quantity),
                _cell(", ".join(view.available_on) or "—"),
                _cell(", ".join(view.included_in) or "—"),
            ]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows) + "\n"

    return render


def billing_rules_table(catalogue: Catalogue) -> Callable[[], str]:
    """``billing_rules_table()``: when each kind of change takes effect and how it is billed."""

    def render() -> str:
        rows = ["| Change | Takes effect | Billing |", "|---|---|---|"]
        for kind, rule in catalogue.policy.changes.items():
            when, billing = APPLY_WORDS[rule.apply]
            rows.append(
                f"| {_cell(CHANGE_WORDS[kind])} | {_cell(when.capitalize())} "
                f"| {_cell(billing.capitalize())} |"
            )
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
            rows.append(
                f"| {_cell(level.label)} | {_cell(', '.join(level.channels))} "
                f"| {target} | {_cell(plans)} |"
            )
        return "\n".join(rows) + "\n"

    return render


# --------------------------------------------------------------------------------------------
# Policy macros: every sentence about over-limit usage, features that end, credit, tax and
# declined payments comes from calculators.wording.policy_words, which reads the catalogue's policy.


@dataclass(frozen=True)
class OverLimitView:
    resource: str
    label: str
    starts: str
    effect_id: str
    when: str  # "after a grace period of 14 days"
    restriction: str  # "storage becomes read-only"
    meaning: str  # "Everything you have stays and can be opened and downloaded, ..."
    effect: str  # "Storage becomes read-only until ... Everything you have stays ..."
    sentence: str  # "Storage, after a grace period of 14 days: storage becomes read-only ..."


@dataclass(frozen=True)
class FeatureEndView:
    feature: str
    label: str
    stops: str
    kept: str
    data: str | None
    kept_days: int | None
    exportable: bool


def register_policy(env: MacroEnvironment, catalogue: Catalogue) -> None:
    """Register the policy macros and the ``days`` filter on the mkdocs-macros ``env``."""
    view = CatalogueView(catalogue)
    policy = catalogue.policy

    def over_limit(resource_id: str) -> OverLimitView:
        view.resource(resource_id)
        rule = policy.over_limit[resource_id]
        return OverLimitView(
            resource=resource_id,
            label=catalogue.resource(resource_id).label,
            starts=rule.starts,
            effect_id=rule.effect,
            when=policy_words.over_limit_when(catalogue, resource_id),
            restriction=policy_words.over_limit_restriction(catalogue, resource_id),
            meaning=policy_words.over_limit_meaning(catalogue, resource_id),
            effect=policy_words.over_limit_effect(catalogue, resource_id),
            sentence=policy_words.over_limit_sentence(catalogue, resource_id),
        )

    def over_limit_table() -> str:
        """``over_limit_table()``: what each resource does above a lower limit, and from when."""
        rows = ["| Resource | From when | What happens above the limit |", "|---|---|---|"]
        for resource in catalogue.resources:
            item = over_limit(resource.id)
            rows.append(
                f"| {_cell(item.label)} | {_cell(item.when.capitalize())} | {_cell(item.effect)} |"
            )
        return "\n".join(rows) + "\n"

    def feature_end(feature_id: str) -> FeatureEndView:
        feature = view.feature(feature_id)
        end = policy.feature_end[feature_id]
        return FeatureEndView(
            feature=feature_id,
            label=feature.label,
            stops=end.stops,
            kept=policy_words.feature_end_kept(catalogue, feature_id),
            data=end.data,
            kept_days=end.kept_days,
            exportable=end.exportable,
        )

    def feature_end_table(features: list[str] | None = None) -> str:
        """``feature_end_table(features=None)``: what stops and what is kept when a feature ends."""
        rows = ["| Feature | What stops | Your data and settings |", "|---|---|---|"]
        for feature_id in features or list(catalogue.features):
            item = feature_end(feature_id)
            rows.append(f"| {_cell(item.label)} | {_cell(item.stops)} | {_cell(item.kept)} |")
        return "\n".join(rows) + "\n"

    def change_precedence() -> list[ChangeRuleView]:
        return [view.change_rule(kind) for kind in policy.change_precedence]

    def combined_rule(*kinds: str) -> ChangeRuleView:
        """The rule a change combining these kinds follows: the first in the precedence."""
        for kind in kinds:
            view.change_rule(kind)
        return view.change_rule(min(kinds, key=policy.change_precedence.index))

    def declined_payment(kind: str) -> str:
        view.change_rule(kind)
        return policy_words.declined_at_confirmation(catalogue, kind)

    def reason_codes() -> list[tuple[str, str]]:
        return list(REASON_CODES.items())

    env.macro(over_limit, "over_limit")
    env.macro(over_limit_table, "over_limit_table")
    env.macro(feature_end, "feature_end")
    env.macro(feature_end_table, "feature_end_table")
    env.macro(change_precedence, "change_precedence")
    env.macro(combined_rule, "combined_rule")
    env.macro(declined_payment, "declined_payment")
    env.macro(reason_codes, "reason_codes")
    env.macro(lambda: policy_words.credit_use(catalogue), "credit_use")
    env.macro(lambda: policy_words.credit_refund(catalogue), "credit_refund")
    env.macro(lambda: policy_words.tax_due_today(catalogue), "tax_due_today")
    env.macro(lambda: policy_words.renewal_after_grace(catalogue), "renewal_after_grace")
    env.macro(lambda: policy_words.nothing_deleted(catalogue), "nothing_deleted")
    env.filter(policy_words.days, "days")
    env.filter(lambda text: text[:1].upper() + text[1:], "sentence_case")
