"""The plan catalogue: plans, add-ons, prices, currencies and the adjustment policy.

``parse_catalogue`` turns the mapping read from ``catalogue/catalogue.yaml`` (or its JSON copy
embedded in a page) into frozen dataclasses, after checking all of it. Every problem is collected
and reported at once, each naming the file, the key path and the reason, for example::

    catalogue/catalogue.yaml: plans[1].prices.year.JPY: missing price (every plan sold
    self-serve needs a price in every currency for every interval)

Standard library only: ``read_catalogue_file`` reads the YAML with ``calculators.yaml_subset``
(for the build and the command line alike) and names the line of each problem; the browser
passes the same data as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from calculators import money, presets, proration, untrusted, yaml_subset

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
_ID: Final = re.compile(r"[a-z][a-z0-9_]*")
_CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")


class CatalogueError(ValueError):
    """The catalogue is invalid; ``problems`` lists every one found, ``lines`` their lines."""

    def __init__(
        self,
        source: str,
        problems: Sequence[tuple[str, str]],
        *,
        lines: Sequence[int | None] = (),
    ) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.lines = tuple(lines) or (None,) * len(self.problems)
        located = [f"{source}, line {line}" if line else source for line in self.lines]
        # One line per problem: file, line (when known), key path, reason.
        self.messages = tuple(
            f"{where}: {path or '(top level)'}: {reason}"
            for where, (path, reason) in zip(located, problems, strict=True)
        )
        count = len(self.messages)
        header = f"{source}: the catalogue has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *("  " + line for line in self.messages)]))


class UnknownIdError(KeyError):
    """A plan, add-on or currency id that the catalogue does not have."""

    def __init__(self, kind: str, wanted: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.wanted = wanted
        self.known = tuple(known)
        super().__init__(f"unknown {kind} {wanted!r}; the catalogue has: {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


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
class TaxPolicy:
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class ProrationPolicy:
    """The effective proration policy: the named preset's fields, overridden by those given."""

    time_basis: str
    day_count: str
    rounding: str
    factor_decimals: int | None
    credit_basis: str
    negative_total: str
    tax: TaxPolicy | None
    minimum_charge: Mapping[str, Decimal]
    preset: str | None = None
    change_day: str = "new_plan"
    timing: str = "in_advance"
    quantity_change: str = "credit_and_charge"


@dataclass(frozen=True)
class ChangeRule:
    apply: str
    interval_change: str


@dataclass(frozen=True)
class CreditPolicy:
    """What a credit balance pays for, and in what order with tax."""

    reduces_due_now: bool  # a balance pays for what a change makes due at once
    reduces_next_invoice: bool  # and for the next invoices until it is used up
    applied: str  # "after_tax": it pays the taxed total; "before_tax": it lowers the taxable amount
    refund_on_request_days: int  # a balance this recent is refunded on request
    expires: str  # "never"


@dataclass(frozen=True)
class OverLimitRule:
    """What one resource does above a lower limit, and from when."""

    starts: str  # "at_change": the day the lower limit applies; "after_grace": after the grace
    effect: str  # one of OVER_LIMIT_EFFECTS


@dataclass(frozen=True)
class FeatureEnd:
    """What happens to one feature's data and settings when the feature ends."""

    stops: str  # what stops on the day, in a customer's words
    data: str | None  # what the feature holds, or None when it holds nothing
    kept_days: int | None  # kept this long, then deleted; None: kept while the account exists
    exportable: bool  # it can be downloaded while it is kept


@dataclass(frozen=True)
class TaxDisplay:
    due_today: str  # "with_tax": "Due today" is what the payment method is charged
    based_on: tuple[str, ...]  # what decides the tax on an invoice


@dataclass(frozen=True)
class SeveralChanges:
    billing: str  # "each_invoiced": each confirmed change is prorated and invoiced on its own
    max_per_period: int | None  # None: no limit


@dataclass(frozen=True)
class DiscountPolicy:
    on_plan_change: str  # "kept" on the new plan, or "ends"
    applies_to_addons: bool


@dataclass(frozen=True)
class CancellationPolicy:
    takes_effect: str  # "period_end" or "immediately"
    unused_time: str  # "not_refunded" or "credited"
    credit_balance: str  # a balance left when the account closes: "refunded" or "forfeited"
    data_kept_days: int  # kept (downloadable, account reopenable) this long after closing


@dataclass(frozen=True)
class TrialPolicy:
    offered: bool
    days: int | None  # None when no trial is offered
    plan: str | None
    card_required: bool | None
    at_end: str | None  # "paused" or "lowest_plan"


@dataclass(frozen=True)
class Policy:
    proration: ProrationPolicy
    changes: Mapping[str, ChangeRule]
    # When one change combines several kinds, the rule of the kind listed first applies.
    change_precedence: tuple[str, ...]
    credit: CreditPolicy
    over_limit_grace_period_days: int
    over_limit_deleted_data: str
    # Keyed by resource id: every resource of the catalogue has a rule.
    over_limit: Mapping[str, OverLimitRule]
    # Keyed by feature id: every feature of the catalogue has one.
    feature_end: Mapping[str, FeatureEnd]
    addons_not_available_on_new_plan: str  # "removed" with the change, or "blocks_change"
    refunds_after_window: str  # "stays_on_balance"
    failed_payment_retry_after_days: tuple[int, ...]
    failed_payment_grace_period_days: int
    failed_payment_upgrade_reverted_after_days: int
    # Keyed by change kind: what a payment declined at confirmation does.
    failed_payment_declined_at_confirmation: Mapping[str, str]
    failed_payment_renewal_after_grace: str  # "suspended" or "downgraded"
    failed_payment_closed_after_suspension_days: int
    tax: TaxDisplay
    several_changes: SeveralChanges
    discounts: DiscountPolicy
    day_of_change_time_zone: str
    cancellation: CancellationPolicy
    trials: TrialPolicy
    records_retention_years: int
    records_visible_to: tuple[str, ...]
    contact_sales_plan: str
    contact_sales_minimum_term_months: int

    def request_policy(self, change_kind: str, currency: str) -> dict[str, object]:
        """The proration contract's ``policy`` object for one kind of change."""
        if change_kind not in self.changes:
            raise UnknownIdError("change kind", change_kind, list(self.changes))
        rule = self.changes[change_kind]
        p = self.proration
        tax: dict[str, object] | None = None
        if p.tax is not None:
            tax = {"rate": f"{p.tax.rate:f}", "inclusive": p.tax.inclusive}
        minimum = p.minimum_charge.get(currency, Decimal(0))
        return {
            "time_basis": p.time_basis,
            "day_count": p.day_count,
            "rounding": p.rounding,
            "factor_decimals": p.factor_decimals,
            "credit_basis": p.credit_basis,
            "apply": rule.apply,
            "interval_change": rule.interval_change,
            "negative_total": p.negative_total,
            "tax": tax,
            "minimum_charge": f"{minimum:f}",
            "change_day": p.change_day,
            "timing": p.timing,
            "quantity_change": p.quantity_change,
        }


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
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise UnknownIdError("plan", plan_id, [p.id for p in self.plans])

    def addon(self, addon_id: str) -> AddOn:
        for addon in self.addons:
            if addon.id == addon_id:
                return addon
        raise UnknownIdError("add-on", addon_id, [a.id for a in self.addons])

    def resource(self, resource_id: str) -> Resource:
        for resource in self.resources:
            if resource.id == resource_id:
                return resource
        raise UnknownIdError("resource", resource_id, [r.id for r in self.resources])

    def support_level(self, level_id: str) -> SupportLevel:
        for level in self.support_levels:
            if level.id == level_id:
                return level
        raise UnknownIdError("support level", level_id, [s.id for s in self.support_levels])

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


# --------------------------------------------------------------------------------------------
# Reading


def read_catalogue_file(path: str | Path) -> Catalogue:
    """Read and validate a catalogue file (.yaml/.yml, or .json); every problem with its line."""
    source = str(path)
    try:
        text = untrusted.decode(untrusted.read_file(path))
        if source.endswith((".yaml", ".yml")):
            document = yaml_subset.parse(text)
        else:
            document = yaml_subset.Document(untrusted.parse_json(text, what="the catalogue"), {})
    except OSError as error:
        raise CatalogueError(source, [("", f"cannot read the file: {error.strerror}")]) from None
    except untrusted.InputError as error:
        where = error.path if isinstance(error, yaml_subset.YamlError) else ""
        raise CatalogueError(source, [(where, error.reason)], lines=[error.line]) from None
    try:
        return parse_catalogue(document.data, source=source)
    except CatalogueError as error:
        lines = [document.line_of(key_path) for key_path, _ in error.problems]
        raise CatalogueError(source, error.problems, lines=lines) from None


def parse_catalogue(data: object, *, source: str) -> Catalogue:
    """Validate ``data`` and build the catalogue; raise ``CatalogueError`` listing every problem."""
    return _Reader(source).catalogue(data)


# --------------------------------------------------------------------------------------------
# Validation


class _Invalid(Exception):
    """Internal: a value that cannot be read further; already recorded as a problem."""


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[str, str]] = []

    # ---- primitives ------------------------------------------------------------------------

    def fail(self, path: str, reason: str) -> _Invalid:
        self.problems.append((path, reason))
        return _Invalid(path)

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        free_keys: bool = False,
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a mapping, got {describe(value)}")
        for key in value:
            if not isinstance(key, str):
                self.fail(_join(path, str(key)), "keys must be text")
            elif not free_keys and key not in required and key not in optional:
                allowed = ", ".join([*required, *optional])
                self.fail(_join(path, key), f"unknown key {key!r} (allowed here: {allowed})")
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "missing (required)")
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be non-empty text, got {describe(value)}")
        return value

    def ident(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise self.fail(
                path, f"must be an id of lowercase letters, digits and _, got {describe(value)}"
            )
        return value

    def integer(self, value: object, path: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a whole number, got {describe(value)}")
        if value < minimum:
            raise self.fail(path, f"must be at least {minimum}, got {value}")
        return value

    def positive(self, value: object, path: str) -> int:
        return self.integer(value, path, minimum=1)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, got {describe(value)}")
        return value

    def choice(self, value: object, path: str, allowed: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(path, f"must be one of {', '.join(allowed)}, got {describe(value)}")
        return value

    def sequence(self, value: object, path: str) -> Sequence[Any]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise self.fail(path, f"must be a list, got {describe(value)}")
        return value

    def amount(self, value: object, path: str, currency: str, units: Mapping[str, int]) -> Decimal:
        if isinstance(value, float):
            raise self.fail(
                path,
                f'write money as a quoted string such as "{value:.2f}", '
                "not a bare number (it would be read as a float)",
            )
        try:
            return money.parse_amount(value, currency, extra=units)
        except money.MoneyError as error:
            raise self.fail(path, str(error)) from None

    def attempt(self, path: str, read: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one reader; on failure the problem is already recorded and None is returned."""
        try:
            return read(*args, **kwargs)
        except _Invalid:
            return None
        except (KeyError, TypeError, ValueError) as error:  # defensive: never crash the build
            self.fail(path, f"cannot be read: {error}")
            return None

    def unique(self, ids: Sequence[tuple[str, str]], kind: str) -> None:
        seen: dict[str, str] = {}
        for path, item_id in ids:
            if item_id in seen:
                self.fail(path, f"duplicate {kind} id {item_id!r} (first at {seen[item_id]})")
            else:
                seen[item_id] = path

    # ---- sections --------------------------------------------------------------------------

    def catalogue(self, data: object) -> Catalogue:
        sections = (
            "schema_version",
            "company",
            "currencies",
            "default_currency",
            "intervals",
            "resources",
            "support_levels",
            "features",
            "plans",
            "addons",
            "policy",
        )
        try:
            root = self.mapping(data, "", required=sections)
        except _Invalid:
            raise CatalogueError(self.source, self.problems) from None
        get = root.get
        if "schema_version" in root and get("schema_version") != SCHEMA_VERSION:
            self.fail("schema_version", f"must be {SCHEMA_VERSION}, got {get('schema_version')!r}")
        company = self.attempt("company", self.company, get("company"), "company")
        currencies = self.attempt("currencies", self.currencies, get("currencies"), "currencies")
        currencies = currencies or {}
        units = {code: c.minor_unit for code, c in currencies.items()}
        default_currency = self.attempt(
            "default_currency",
            self.choice,
            get("default_currency"),
            "default_currency",
            list(currencies) or ["(a currency listed under currencies)"],
        )
        intervals = self.attempt("intervals", self.intervals, get("intervals"), "intervals") or ()
        resources = self.attempt("resources", self.resources, get("resources"), "resources") or ()
        support_levels = (
            self.attempt(
                "support_levels", self.support_levels, get("support_levels"), "support_levels"
            )
            or ()
        )
        features = self.attempt("features", self.features, get("features"), "features") or {}
        context = _Context(
            currencies=tuple(currencies),
            units=units,
            intervals=intervals,
            resources=tuple(r.id for r in resources),
            support_levels=tuple(s.id for s in support_levels),
            features=tuple(features),
        )
        plans = self.attempt("plans", self.plans, get("plans"), "plans", context) or ()
        context.plans = tuple(p.id for p in plans)
        addons = self.attempt("addons", self.addons, get("addons"), "addons", context) or ()
        policy = self.attempt("policy", self.policy, get("policy"), "policy", context)
        if self.problems:
            raise CatalogueError(self.source, self.problems)
        return Catalogue(
            source=self.source,
            company=company,
            currencies=currencies,
            default_currency=default_currency,
            intervals=intervals,
            resources=resources,
            support_levels=support_levels,
            features=features,
            plans=plans,
            addons=addons,
            policy=policy,
            data=_plain(root),
        )

    def company(self, value: object, path: str) -> Company:
        names = (
            "name",
            "product",
            "account_area",
            "support_email",
            "support_form_url",
            "sales_email",
            "status_page_url",
        )
        raw = self.mapping(value, path, required=names)
        texts = {
            name: self.attempt(_join(path, name), self.text, raw.get(name), _join(path, name))
            for name in names
        }
        if any(v is None for v in texts.values()):
            raise _Invalid(path)
        return Company(**texts)

    def currencies(self, value: object, path: str) -> dict[str, Currency]:
        raw = self.mapping(value, path, free_keys=True)
        if not raw:
            raise self.fail(path, "list at least one currency")
        result: dict[str, Currency] = {}
        for code, spec in raw.items():
            where = _join(path, str(code))
            if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
                self.fail(where, f"{code!r} is not an ISO 4217 code of three capital letters")
                continue
            try:
                item = self.mapping(spec, where, required=("name", "minor_unit"))
                name = self.text(item.get("name"), _join(where, "name"))
                unit = self.integer(item.get("minor_unit"), _join(where, "minor_unit"))
            except _Invalid:
                continue
            if unit > 4:
                self.fail(_join(where, "minor_unit"), f"must be 0 to 4, got {unit}")
                continue
            iso = money.ISO_4217_MINOR_UNITS.get(code)
            if iso is not None and iso != unit:
                self.fail(
                    _join(where, "minor_unit"), f"ISO 4217 gives {code} {iso} decimals, not {unit}"
                )
                continue
            result[code] = Currency(code=code, name=name, minor_unit=unit)
        return result

    def intervals(self, value: object, path: str) -> tuple[str, ...]:
        items = self.sequence(value, path)
        result = []
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            chosen = self.attempt(where, self.choice, item, where, INTERVALS)
            if chosen in result:
                self.fail(where, f"duplicate interval {chosen!r}")
            elif chosen is not None:
                result.append(chosen)
        if not result:
            raise self.fail(path, "list at least one billing interval")
        return tuple(result)

    def resources(self, value: object, path: str) -> tuple[Resource, ...]:
        raw = self.mapping(value, path, free_keys=True)
        result = []
        for key, spec in raw.items():
            where = _join(path, str(key))
            try:
                rid = self.ident(key, where)
                item = self.mapping(spec, where, required=("label", "unit", "description"))
                result.append(
                    Resource(
                        id=rid,
                        label=self.text(item.get("label"), _join(where, "label")),
                        unit=self.text(item.get("unit"), _join(where, "unit")),
                        description=self.text(item.get("description"), _join(where, "description")),
                    )
                )
            except _Invalid:
                continue
        return tuple(result)

    def support_levels(self, value: object, path: str) -> tuple[SupportLevel, ...]:
        items = self.sequence(value, path)
        result = []
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(
                    spec, where, required=("id", "label", "first_response_hours", "channels")
                )
                hours = item.get("first_response_hours")
                channels = self.sequence(item.get("channels"), _join(where, "channels"))
                result.append(
                    SupportLevel(
                        id=self.ident(item.get("id"), _join(where, "id")),
                        label=self.text(item.get("label"), _join(where, "label")),
                        rank=index,
                        first_response_hours=None
                        if hours is None
                        else self.integer(hours, _join(where, "first_response_hours"), minimum=1),
                        channels=tuple(
                            self.text(c, f"{where}.channels[{i}]") for i, c in enumerate(channels)
                        ),
                    )
                )
            except _Invalid:
                continue
        self.unique([(f"{path}[{i}].id", s.id) for i, s in enumerate(result)], "support level")
        return tuple(result)

    def features(self, value: object, path: str) -> dict[str, Feature]:
        raw = self.mapping(value, path, free_keys=True)
        result = {}
        for key, spec in raw.items():
            where = _join(path, str(key))
            try:
                fid = self.ident(key, where)
                item = self.mapping(spec, where, required=("label", "description"))
                result[fid] = Feature(
                    id=fid,
                    label=self.text(item.get("label"), _join(where, "label")),
                    description=self.text(item.get("description"), _join(where, "description")),
                )
            except _Invalid:
                continue
        return result

    def prices(
        self, value: object, path: str, context: _Context, *, required: bool
    ) -> dict[str, dict[str, Decimal]]:
        raw = self.mapping(value, path, free_keys=True)
        result: dict[str, dict[str, Decimal]] = {}
        for interval in raw:
            if interval not in context.intervals:
                self.fail(
                    _join(path, str(interval)),
                    f"unknown interval {interval!r} (the "
                    f"catalogue's intervals: {', '.join(context.intervals)})",
                )
        if not required and not raw:
            return result
        for interval in context.intervals:
            where = _join(path, interval)
            if interval not in raw:
                self.fail(where, "missing prices for this interval")
                continue
            try:
                by_code = self.mapping(raw[interval], where, free_keys=True)
            except _Invalid:
                continue
            result[interval] = {}
            for code in by_code:
                if code not in context.currencies:
                    self.fail(
                        _join(where, str(code)),
                        f"unknown currency {code!r} (add it under currencies first)",
                    )
            for code in context.currencies:
                if code not in by_code:
                    self.fail(
                        _join(where, code),
                        "missing price (every currency needs a price for every interval)",
                    )
                    continue
                amount = self.attempt(
                    _join(where, code),
                    self.amount,
                    by_code[code],
                    _join(where, code),
                    code,
                    context.units,
                )
                if amount is not None:
                    result[interval][code] = amount
        return result

    def plans(self, value: object, path: str, context: _Context) -> tuple[Plan, ...]:
        items = self.sequence(value, path)
        result = []
        keys = ("id", "name", "summary", "self_serve", "prices", "limits", "support", "features")
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(spec, where, required=keys)
                self_serve = self.boolean(item.get("self_serve"), _join(where, "self_serve"))
                prices = self.prices(
                    item.get("prices"), _join(where, "prices"), context, required=self_serve
                )
                limits = self.limits(
                    item.get("limits"), _join(where, "limits"), context, self_serve=self_serve
                )
                features = self.id_list(
                    item.get("features"), _join(where, "features"), context.features, "feature"
                )
                result.append(
                    Plan(
                        id=self.ident(item.get("id"), _join(where, "id")),
                        name=self.text(item.get("name"), _join(where, "name")),
                        summary=self.text(item.get("summary"), _join(where, "summary")),
                        rank=index,
                        self_serve=self_serve,
                        prices=prices,
                        limits=limits,
                        support=self.choice(
                            item.get("support"), _join(where, "support"), context.support_levels
                        ),
                        features=frozenset(features),
                    )
                )
            except _Invalid:
                continue
        self.unique([(f"{path}[{i}].id", p.id) for i, p in enumerate(result)], "plan")
        if items and not any(p.self_serve for p in result):
            self.fail(path, "at least one plan must be self_serve: true")
        return tuple(result)

    def limits(
        self, value: object, path: str, context: _Context, *, self_serve: bool
    ) -> dict[str, int | None]:
        raw = self.mapping(value, path, required=context.resources)
        result: dict[str, int | None] = {}
        for rid in context.resources:
            where = _join(path, rid)
            if rid not in raw:
                continue
            limit = raw[rid]
            if limit is None:
                if self_serve:
                    self.fail(
                        where,
                        "a self-serve plan needs a number here (null means a limit "
                        "set by contract)",
                    )
                result[rid] = None
                continue
            number = self.attempt(where, self.integer, limit, where, minimum=0)
            if number is not None:
                result[rid] = number
        return result

    def id_list(self, value: object, path: str, known: Sequence[str], kind: str) -> list[str]:
        items = self.sequence(value, path)
        result: list[str] = []
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            if not isinstance(item, str) or item not in known:
                self.fail(where, f"unknown {kind} {item!r} (known: {', '.join(known)})")
            elif item in result:
                self.fail(where, f"{kind} {item!r} is listed twice")
            else:
                result.append(item)
        return result

    def addons(self, value: object, path: str, context: _Context) -> tuple[AddOn, ...]:
        items = self.sequence(value, path)
        result = []
        keys = (
            "id",
            "name",
            "description",
            "grants",
            "prices",
            "max_quantity",
            "available_on",
            "included_in",
        )
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(spec, where, required=keys)
                grants_path = _join(where, "grants")
                grants = self.mapping(
                    item.get("grants"), grants_path, optional=("resource", "unit_size", "feature")
                )
                resource = feature = None
                unit_size = 1
                if "resource" in grants:
                    resource = self.choice(
                        grants["resource"], _join(grants_path, "resource"), context.resources
                    )
                    unit_size = self.integer(
                        grants.get("unit_size"), _join(grants_path, "unit_size"), minimum=1
                    )
                    if "feature" in grants:
                        self.fail(grants_path, "grant a resource or a feature, not both")
                elif "feature" in grants:
                    feature = self.choice(
                        grants["feature"], _join(grants_path, "feature"), context.features
                    )
                    if "unit_size" in grants:
                        self.fail(
                            _join(grants_path, "unit_size"),
                            "only resource add-ons have a unit size",
                        )
                else:
                    raise self.fail(
                        grants_path, "must grant a resource (with unit_size) or a feature"
                    )
                available = self.id_list(
                    item.get("available_on"), _join(where, "available_on"), context.plans, "plan"
                )
                included = self.id_list(
                    item.get("included_in"), _join(where, "included_in"), context.plans, "plan"
                )
                for plan_id in set(available) & set(included):
                    self.fail(
                        _join(where, "available_on"),
                        f"plan {plan_id!r} both includes this add-on and sells it",
                    )
                max_quantity = self.integer(
                    item.get("max_quantity"), _join(where, "max_quantity"), minimum=1
                )
                if feature is not None and max_quantity != 1:
                    self.fail(
                        _join(where, "max_quantity"),
                        "a feature add-on is bought once: max_quantity must be 1",
                    )
                result.append(
                    AddOn(
                        id=self.ident(item.get("id"), _join(where, "id")),
                        name=self.text(item.get("name"), _join(where, "name")),
                        description=self.text(item.get("description"), _join(where, "description")),
                        resource=resource,
                        unit_size=unit_size,
                        feature=feature,
                        prices=self.prices(
                            item.get("prices"), _join(where, "prices"), context, required=True
                        ),
                        max_quantity=max_quantity,
                        available_on=frozenset(available),
                        included_in=frozenset(included),
                    )
                )
            except _Invalid:
                continue
        self.unique([(f"{path}[{i}].id", a.id) for i, a in enumerate(result)], "add-on")
        return tuple(result)

    def policy(self, value: object, path: str, context: _Context) -> Policy:
        sections = (
            "proration",
            "changes",
            "change_precedence",
            "over_limit",
            "feature_end",
            "addons_on_plan_change",
            "credit_balance",
            "refunds",
            "failed_payment",
            "tax",
            "several_changes",
            "discounts",
            "day_of_change",
            "cancellation",
            "trials",
            "records",
            "contact_sales",
        )
        raw = self.mapping(value, path, required=sections)
        proration = self.attempt(
            _join(path, "proration"),
            self.proration,
            raw.get("proration"),
            _join(path, "proration"),
            context,
        )
        changes_path = _join(path, "changes")
        changes: dict[str, ChangeRule] = {}
        raw_changes = (
            self.attempt(
                changes_path, self.mapping, raw.get("changes"), changes_path, required=CHANGE_KINDS
            )
            or {}
        )
        for kind in CHANGE_KINDS:
            if kind not in raw_changes:
                continue
            where = _join(changes_path, kind)
            try:
                rule = self.mapping(
                    raw_changes[kind], where, required=("apply",), optional=("interval_change",)
                )
                changes[kind] = ChangeRule(
                    apply=self.choice(rule.get("apply"), _join(where, "apply"), APPLY_MODES),
                    interval_change=self.choice(
                        rule.get("interval_change", "restart"),
                        _join(where, "interval_change"),
                        INTERVAL_CHANGES,
                    ),
                )
            except _Invalid:
                continue

        def section(name: str, keys: Sequence[str]) -> Mapping[str, Any]:
            where = _join(path, name)
            return self.attempt(where, self.mapping, raw.get(name), where, required=keys) or {}

        def read(
            section_name: str, mapping: Mapping[str, Any], key: str, reader: Any, *args: Any
        ) -> Any:
            where = _join(_join(path, section_name), key)
            if key not in mapping:
                return None
            return self.attempt(where, reader, mapping[key], where, *args)

        def read_keyed(
            section_name: str,
            mapping: Mapping[str, Any],
            key: str,
            ids: Sequence[str],
            kind: str,
            item: Any,
        ) -> Any:
            return read(section_name, mapping, key, self.keyed, ids, kind, item)

        over = section("over_limit", ("grace_period_days", "deleted_data", "resources"))
        over_rules = read_keyed(
            "over_limit", over, "resources", context.resources, "resource", self.over_limit_rule
        )
        feature_end = self.attempt(
            _join(path, "feature_end"),
            self.keyed,
            raw.get("feature_end"),
            _join(path, "feature_end"),
            context.features,
            "feature",
            self.feature_end,
        )
        on_change = section("addons_on_plan_change", ("not_available_on_new_plan",))
        refunds = section("refunds", ("after_window",))
        tax = self.attempt(_join(path, "tax"), self.tax_display, raw.get("tax"), _join(path, "tax"))
        several = self.attempt(
            _join(path, "several_changes"),
            self.several_changes,
            raw.get("several_changes"),
            _join(path, "several_changes"),
        )
        discounts = self.attempt(
            _join(path, "discounts"), self.discounts, raw.get("discounts"), _join(path, "discounts")
        )
        day = section("day_of_change", ("time_zone",))
        cancellation = self.attempt(
            _join(path, "cancellation"),
            self.cancellation,
            raw.get("cancellation"),
            _join(path, "cancellation"),
        )
        trials = self.attempt(
            _join(path, "trials"), self.trials, raw.get("trials"), _join(path, "trials"), context
        )
        precedence = self.attempt(
            _join(path, "change_precedence"),
            self.change_precedence,
            raw.get("change_precedence"),
            _join(path, "change_precedence"),
        )
        credit = self.attempt(
            _join(path, "credit_balance"),
            self.credit_policy,
            raw.get("credit_balance"),
            _join(path, "credit_balance"),
        )
        failed = section(
            "failed_payment",
            (
                "retry_after_days",
                "grace_period_days",
                "upgrade_reverted_after_days",
                "declined_at_confirmation",
                "renewal_after_grace",
                "closed_after_suspension_days",
            ),
        )
        records = section("records", ("retention_years", "visible_to"))
        sales = section("contact_sales", ("plan", "minimum_term_months"))

        retry = read("failed_payment", failed, "retry_after_days", self.sequence)
        retry_days = tuple(
            self.attempt(
                f"{path}.failed_payment.retry_after_days[{i}]",
                self.integer,
                d,
                f"{path}.failed_payment.retry_after_days[{i}]",
                minimum=1,
            )
            for i, d in enumerate(retry or ())
        )
        visible = read("records", records, "visible_to", self.sequence) or ()
        sales_plan = read("contact_sales", sales, "plan", self.choice, context.plans)
        declined = read_keyed(
            "failed_payment",
            failed,
            "declined_at_confirmation",
            CHANGE_KINDS,
            "change kind",
            self.declined_payment,
        )
        taxed_calculators = proration is not None and proration.tax is not None
        if tax is not None and taxed_calculators and tax.due_today != "with_tax":
            self.fail(
                _join(_join(path, "tax"), "due_today"),
                "must be with_tax when "
                "policy.proration.tax is set: the calculators then include tax",
            )
        # Every field is read before the check, so that each problem is reported at once.
        fields = dict(
            proration=proration,
            changes=changes,
            over_limit_grace_period_days=read(
                "over_limit", over, "grace_period_days", self.integer
            ),
            over_limit_deleted_data=read(
                "over_limit", over, "deleted_data", self.choice, ("never",)
            ),
            over_limit=over_rules,
            feature_end=feature_end,
            addons_not_available_on_new_plan=read(
                "addons_on_plan_change",
                on_change,
                "not_available_on_new_plan",
                self.choice,
                ("removed", "blocks_change"),
            ),
            refunds_after_window=read(
                "refunds", refunds, "after_window", self.choice, ("stays_on_balance",)
            ),
            change_precedence=precedence,
            credit=credit,
            failed_payment_retry_after_days=retry_days,
            failed_payment_grace_period_days=read(
                "failed_payment", failed, "grace_period_days", self.integer
            ),
            failed_payment_upgrade_reverted_after_days=read(
                "failed_payment", failed, "upgrade_reverted_after_days", self.integer
            ),
            failed_payment_declined_at_confirmation=declined,
            failed_payment_renewal_after_grace=read(
                "failed_payment",
                failed,
                "renewal_after_grace",
                self.choice,
                ("suspended", "downgraded"),
            ),
            failed_payment_closed_after_suspension_days=read(
                "failed_payment", failed, "closed_after_suspension_days", self.positive
            ),
            tax=tax,
            several_changes=several,
            discounts=discounts,
            day_of_change_time_zone=read(
                "day_of_change", day, "time_zone", self.choice, TIME_ZONES
            ),
            cancellation=cancellation,
            trials=trials,
            records_retention_years=read("records", records, "retention_years", self.positive),
            records_visible_to=tuple(str(v) for v in visible),
            contact_sales_plan=sales_plan,
            contact_sales_minimum_term_months=read(
                "contact_sales", sales, "minimum_term_months", self.positive
            ),
        )
        if self.problems:
            raise _Invalid(path)
        return Policy(**fields)

    def change_precedence(self, value: object, path: str) -> tuple[str, ...]:
        """Every change kind exactly once, the one whose rule wins first."""
        items = self.sequence(value, path)
        kinds = self.id_list(items, path, CHANGE_KINDS, "change kind")
        missing = [kind for kind in CHANGE_KINDS if kind not in kinds]
        if missing:
            self.fail(path, f"must list every change kind once; missing: {', '.join(missing)}")
        if len(kinds) != len(items) or missing:
            raise _Invalid(path)
        return tuple(kinds)

    def fields(self, value: object, path: str, readers: Mapping[str, Any]) -> dict[str, Any]:
        """A mapping with exactly these keys, each read by its reader(value, path)."""
        raw = self.mapping(value, path, required=tuple(readers))
        result: dict[str, Any] = {}
        complete = True
        for key, reader in readers.items():
            if key not in raw:  # already reported as missing
                complete = False
                continue
            try:
                result[key] = reader(raw[key], _join(path, key))
            except _Invalid:
                complete = False
        if not complete:
            raise _Invalid(path)
        return result

    def keyed(
        self, value: object, path: str, ids: Sequence[str], kind: str, item: Any
    ) -> dict[str, Any]:
        """One entry per known id (policy keyed by catalogue ids), each read by item()."""
        raw = self.mapping(value, path, free_keys=True)
        result: dict[str, Any] = {}
        for key in raw:
            if key not in ids:
                self.fail(
                    _join(path, str(key)), f"unknown {kind} {key!r} (known: {', '.join(ids)})"
                )
        for key in ids:
            where = _join(path, key)
            if key not in raw:
                self.fail(where, f"missing (every {kind} needs an entry here)")
                continue
            read = self.attempt(where, item, raw[key], where)
            if read is not None:
                result[key] = read
        if len(result) != len(ids) or len(raw) != len(ids):
            raise _Invalid(path)
        return result

    def choices(self, allowed: Sequence[str]) -> Any:
        return lambda value, where: self.choice(value, where, allowed)

    def optional(self, reader: Any) -> Any:
        """``reader`` for a value that may also be null."""
        return lambda value, where: None if value is None else reader(value, where)

    def over_limit_rule(self, value: object, path: str) -> OverLimitRule:
        return OverLimitRule(
            **self.fields(
                value,
                path,
                {
                    "starts": self.choices(OVER_LIMIT_STARTS),
                    "effect": self.choices(OVER_LIMIT_EFFECTS),
                },
            )
        )

    def feature_end(self, value: object, path: str) -> FeatureEnd:
        read = self.fields(
            value,
            path,
            {
                "stops": self.text,
                "data": self.optional(self.text),
                "kept_days": self.optional(self.positive),
                "exportable": self.boolean,
            },
        )
        if read["data"] is None and (read["kept_days"] is not None or read["exportable"]):
            raise self.fail(
                _join(path, "data"),
                "a feature that holds no data (data: null) "
                "needs kept_days: null and exportable: false",
            )
        return FeatureEnd(**read)

    def declined_payment(self, value: object, path: str) -> str:
        return self.choice(value, path, DECLINED_PAYMENT)

    def tax_display(self, value: object, path: str) -> TaxDisplay:
        read = self.fields(
            value,
            path,
            {
                "due_today": self.choices(("with_tax", "before_tax")),
                "based_on": self.sequence,
            },
        )
        based_on = self.id_list(
            read["based_on"], _join(path, "based_on"), ("billing_address", "tax_id"), "tax basis"
        )
        if not based_on:
            raise self.fail(_join(path, "based_on"), "list at least one of billing_address, tax_id")
        return TaxDisplay(due_today=read["due_today"], based_on=tuple(based_on))

    def several_changes(self, value: object, path: str) -> SeveralChanges:
        return SeveralChanges(
            **self.fields(
                value,
                path,
                {
                    "billing": self.choices(("each_invoiced",)),
                    "max_per_period": self.optional(self.positive),
                },
            )
        )

    def discounts(self, value: object, path: str) -> DiscountPolicy:
        return DiscountPolicy(
            **self.fields(
                value,
                path,
                {
                    "on_plan_change": self.choices(("kept", "ends")),
                    "applies_to_addons": self.boolean,
                },
            )
        )

    def cancellation(self, value: object, path: str) -> CancellationPolicy:
        return CancellationPolicy(
            **self.fields(
                value,
                path,
                {
                    "takes_effect": self.choices(("period_end", "immediately")),
                    "unused_time": self.choices(("not_refunded", "credited")),
                    "credit_balance": self.choices(("refunded", "forfeited")),
                    "data_kept_days": self.positive,
                },
            )
        )

    def trials(self, value: object, path: str, context: _Context) -> TrialPolicy:
        read = self.fields(
            value,
            path,
            {
                "offered": self.boolean,
                "days": self.optional(self.positive),
                "plan": self.optional(self.choices(context.plans)),
                "card_required": self.optional(self.boolean),
                "at_end": self.optional(self.choices(("paused", "lowest_plan"))),
            },
        )
        offered = read["offered"]
        wrong = [
            key
            for key in ("days", "plan", "card_required", "at_end")
            if (read[key] is None) == offered
        ]
        for key in wrong:
            self.fail(
                _join(path, key),
                "needed when trials are offered (offered: true)"
                if offered
                else "must be null when no trial is offered (offered: false)",
            )
        if wrong:
            raise _Invalid(path)
        return TrialPolicy(**read)

    def credit_policy(self, value: object, path: str) -> CreditPolicy:
        keys = (
            "reduces_due_now",
            "reduces_next_invoice",
            "applied",
            "refund_on_request_days",
            "expires",
        )
        raw = self.mapping(value, path, required=keys)

        def field_(key: str, reader: Any, *args: Any) -> Any:
            where = _join(path, key)
            if key not in raw:  # already reported as missing
                return None
            return self.attempt(where, reader, raw[key], where, *args)

        credit = CreditPolicy(
            reduces_due_now=field_("reduces_due_now", self.boolean),
            reduces_next_invoice=field_("reduces_next_invoice", self.boolean),
            applied=field_("applied", self.choice, CREDIT_APPLIED),
            refund_on_request_days=field_("refund_on_request_days", self.integer),
            expires=field_("expires", self.choice, CREDIT_EXPIRES),
        )
        if any(getattr(credit, key) is None for key in keys):
            raise _Invalid(path)
        return credit

    def proration(self, value: object, path: str, context: _Context) -> ProrationPolicy:
        keys = (
            "time_basis",
            "day_count",
            "rounding",
            "factor_decimals",
            "credit_basis",
            "negative_total",
            "tax",
            "minimum_charge",
        )
        later = ("change_day", "timing", "quantity_change")
        # Naming a preset makes every other field an override of the preset's value.
        named = value.get("preset") if isinstance(value, Mapping) else None
        required = () if named is not None else keys
        raw = self.mapping(value, path, required=required, optional=(*keys, *later, "preset"))
        preset = (
            None
            if named is None
            else self.attempt(
                _join(path, "preset"),
                self.choice,
                named,
                _join(path, "preset"),
                tuple(presets.PRESETS),
            )
        )
        base = {**proration.DEFAULT_POLICY, **(presets.PRESETS.get(preset or "") or {})}
        given = {**base, **raw}

        def field_(key: str, reader: Any, *args: Any) -> Any:
            where = _join(path, key)
            return self.attempt(where, reader, given.get(key), where, *args)

        def convention(key: str) -> Any:
            return field_(key, self.choice, proration.POLICY_CHOICES[key])

        decimals = given.get("factor_decimals")
        tax_raw = raw.get("tax")
        tax = None
        if tax_raw is not None:
            where = _join(path, "tax")
            tax_map = self.mapping(tax_raw, where, required=("rate", "inclusive"))
            rate_text = tax_map.get("rate")
            try:
                if isinstance(rate_text, float) or not isinstance(rate_text, str):
                    raise ValueError
                rate = Decimal(rate_text)
                if not rate.is_finite() or not 0 <= rate < 1:
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise self.fail(
                    _join(where, "rate"),
                    "must be a quoted decimal fraction "
                    f'from "0" to below "1" such as "0.20", got '
                    f"{describe(rate_text)}",
                ) from None
            tax = TaxPolicy(
                rate=rate,
                inclusive=self.boolean(tax_map.get("inclusive"), _join(where, "inclusive")),
            )
        minimum_path = _join(path, "minimum_charge")
        minimum_raw = self.mapping(raw.get("minimum_charge", {}), minimum_path, free_keys=True)
        minimum: dict[str, Decimal] = {}
        for code, amount in minimum_raw.items():
            where = _join(minimum_path, str(code))
            if code not in context.currencies:
                self.fail(where, f"unknown currency {code!r}")
                continue
            parsed = self.attempt(where, self.amount, amount, where, code, context.units)
            if parsed is not None:
                minimum[code] = parsed
        policy = ProrationPolicy(
            time_basis=convention("time_basis"),
            day_count=convention("day_count"),
            rounding=convention("rounding"),
            factor_decimals=None if decimals is None else field_("factor_decimals", self.integer),
            credit_basis=convention("credit_basis"),
            negative_total=convention("negative_total"),
            tax=tax,
            minimum_charge=minimum,
            preset=preset,
            change_day=convention("change_day"),
            timing=convention("timing"),
            quantity_change=convention("quantity_change"),
        )
        self.proration_combinations(policy, path)
        return policy

    def proration_combinations(self, policy: ProrationPolicy, path: str) -> None:
        """Conventions that cannot go together, as the proration engine decides them."""
        if any(
            getattr(policy, key) is None
            for key in ("time_basis", "credit_basis", "negative_total", "change_day", "timing")
        ):
            return  # already reported
        fields = {
            key: getattr(policy, key)
            for key in (
                "time_basis",
                "day_count",
                "rounding",
                "credit_basis",
                "negative_total",
                "change_day",
                "timing",
                "quantity_change",
            )
        }
        for problem in proration.check_policy(fields, field=path):
            self.fail(problem["field"], problem["message"])


@dataclass
class _Context:
    currencies: tuple[str, ...]
    units: Mapping[str, int]
    intervals: tuple[str, ...]
    resources: tuple[str, ...]
    support_levels: tuple[str, ...]
    features: tuple[str, ...]
    plans: tuple[str, ...] = ()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


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


def _plain(value: object) -> Any:
    """A JSON-compatible copy (YAML may give tuples or subclasses)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
