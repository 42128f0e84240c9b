"""Plan comparison: every plan against what a customer needs, with the cheapest way to fit.

Domain rules this module encodes (the contract is ``calculators/contracts/compare.md``):

- a plan *fits* when, for every resource, its limit plus the add-on units bought for it covers
  the need, every required feature is in the plan or bought as a feature add-on, and its support
  level is at least the one asked for;
- add-on units are whole units: a shortfall of 101 GB with 100 GB blocks needs 2 blocks; a plan
  can buy an add-on only if the add-on is ``available_on`` it and never more than
  ``max_quantity``; an add-on ``included_in`` a plan is already part of it and cannot be bought;
- the cheapest way to fit a plan is priced in the requested currency and interval; the same
  composition is then also priced monthly and yearly;
- a contact-sales plan (``self_serve: false``) has limits set by contract, has no list price, and
  is recommended only when no self-serve plan fits;
- ties between equally cheap options go to the option without add-ons (fewer moving parts),
  then to the higher plan (higher rank, later in the catalogue), which includes more for the same
  price;
- a move from the current plan is the plan move of ``calculators.changes`` (which every
  calculator uses), checked against list price: an *upgrade* when the target is higher in the
  catalogue and its list price is not lower, a *downgrade* when it is lower and its list price
  is not higher, *sideways* when rank and price point in opposite directions, and *same* for the
  same plan.
  Contact-sales plans have no list price, so rank alone decides for them.

The request readers at the top are shared by the other planning calculators (growth, add-ons,
records): every problem found is collected as ``{"field": path, "message": words}`` and the
calculator answers ``{"errors": [...]}`` instead of raising.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from typing import Any, Final, TypeVar

from calculators import changes, money, policy_words
from calculators.catalogue import AddOn, Catalogue, Plan, describe

Errors = list[dict[str, str]]

_T = TypeVar("_T")

# Usage amounts above this are refused: no account is that large, and integers beyond 2**53 do not
# survive a round trip through JavaScript numbers in the browser.
MAX_UNITS: Final = 10**12

_DIGITS: Final = re.compile(r"[0-9]{1,13}")

CHANGE_KINDS: Final = ("upgrade", "downgrade", "same", "sideways")

TIMES: Final = "\N{MULTIPLICATION SIGN}"


# --------------------------------------------------------------------------------------------
# Request reading, shared by the planning calculators


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.append({"field": field, "message": message})


def error_response(errors: Errors) -> dict[str, Any]:
    return {"errors": list(errors)}


def join(path: str, key: object) -> str:
    text = str(key)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{path}.{text}" if path else text


def read_object(
    value: object,
    field: str,
    errors: Errors,
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> Mapping[str, Any] | None:
    """A JSON object with known keys; unknown keys are errors (they are usually typos)."""
    if not isinstance(value, Mapping):
        what = field or "the request"
        add_error(errors, field, f"{what} must be a JSON object, got {describe(value)}")
        return None
    allowed = tuple(dict.fromkeys((*required, *optional)))
    for key in value:
        if key not in allowed:
            add_error(
                errors,
                join(field, key),
                f"unknown field {describe(key)}; allowed here: {', '.join(allowed)}",
            )
    for key in required:
        if key not in value:
            add_error(errors, join(field, key), "missing (required)")
    return value


def read_count(
    value: object, field: str, errors: Errors, *, minimum: int = 0, maximum: int = MAX_UNITS
) -> int | None:
    """A whole number of units: a JSON integer, or a string of digits as forms send it."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None:
        add_error(errors, field, f"must be a whole number, got {describe(value)}")
        return None
    if number < minimum:
        add_error(errors, field, f"must be at least {minimum}, got {number}")
        return None
    if number > maximum:
        add_error(errors, field, f"must be at most {maximum:,}, got {describe(number)}")
        return None
    return number


def read_currency(value: object, field: str, catalogue: Catalogue, errors: Errors) -> str | None:
    """A currency the catalogue sells in; missing means the catalogue's default currency."""
    if value is None:
        return catalogue.default_currency
    if not isinstance(value, str) or value not in catalogue.currencies:
        add_error(
            errors,
            field,
            f"unknown currency {describe(value)}; the catalogue sells in: "
            f"{', '.join(catalogue.currencies)}",
        )
        return None
    return value


def read_interval(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    allowed: Sequence[str] | None = None,
) -> str | None:
    """A billing interval the catalogue offers; missing means monthly when offered."""
    offered = [i for i in catalogue.intervals if allowed is None or i in allowed]
    if value is None and offered:
        return "month" if "month" in offered else offered[0]
    if not isinstance(value, str) or value not in offered:
        add_error(
            errors,
            field,
            f"unknown billing interval {describe(value)}; offered: {', '.join(offered) or 'none'}",
        )
        return None
    return value


def read_plan(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    self_serve: bool = False,
) -> Plan | None:
    """A plan id from the catalogue; ``self_serve`` refuses plans sold by the sales team."""
    known = [p.id for p in catalogue.plans]
    if not isinstance(value, str) or value not in known:
        add_error(
            errors, field, f"unknown plan {describe(value)}; the catalogue has: {', '.join(known)}"
        )
        return None
    plan = catalogue.plan(value)
    if self_serve and not plan.self_serve:
        add_error(
            errors,
            field,
            f"{plan.name} is sold by the sales team and has no list price; "
            f"choose one of: {', '.join(p.id for p in catalogue.self_serve_plans)}",
        )
        return None
    return plan


def read_usage(
    value: object, field: str, catalogue: Catalogue, errors: Errors, *, extra: Sequence[str] = ()
) -> dict[str, int] | None:
    """Usage per resource in the resource's unit; resources left out count as 0.

    ``extra`` names further keys the caller reads itself (``features``, ``support``).
    """
    return read_per_resource(
        value,
        field,
        catalogue,
        errors,
        read_item=read_count,
        default=0,
        expected="an object of resource amounts",
        extra=extra,
    )


def read_per_resource(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    read_item: Callable[[object, str, Errors], _T | None],
    default: _T,
    expected: str,
    extra: Sequence[str] = (),
) -> dict[str, _T] | None:
    """One value per catalogue resource, each read by ``read_item``; left out is ``default``.

    Every unknown resource and every bad value is reported, at its own key path.
    """
    if not isinstance(value, Mapping):
        add_error(errors, field, f"must be {expected}, got {describe(value)}")
        return None
    ids = [r.id for r in catalogue.resources]
    found: dict[str, _T] = {}
    ok = True
    for key, item in value.items():
        if key in extra:
            continue
        where = join(field, key)
        if key not in ids:
            add_error(
                errors,
                where,
                f"unknown resource {describe(key)}; the catalogue measures: {', '.join(ids)}",
            )
            ok = False
            continue
        parsed = read_item(item, where, errors)
        if parsed is None:
            ok = False
        else:
            found[key] = parsed
    if not ok:
        return None
    return {rid: found.get(rid, default) for rid in ids}


def read_features(
    value: object, field: str, catalogue: Catalogue, errors: Errors
) -> tuple[str, ...] | None:
    """Required feature ids, returned in catalogue order without repeats."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        add_error(errors, field, f"must be a list of feature ids, got {describe(value)}")
        return None
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in catalogue.features:
            add_error(
                errors,
                f"{field}[{index}]",
                f"unknown feature {describe(item)}; the "
                f"catalogue has: {', '.join(catalogue.features)}",
            )
            ok = False
    if not ok:
        return None
    return tuple(f for f in catalogue.features if f in value)


def read_support(value: object, field: str, catalogue: Catalogue, errors: Errors) -> str | None:
    """A support level id, or None when the customer has no requirement."""
    if value is None:
        return None
    known = [s.id for s in catalogue.support_levels]
    if not isinstance(value, str) or value not in known:
        add_error(
            errors,
            field,
            f"unknown support level {describe(value)}; the catalogue has: {', '.join(known)}",
        )
        return None
    return value


# --------------------------------------------------------------------------------------------
# Fitting a plan to needs


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
    """The plan move as ``calculators.changes`` names it (``upgrade`` or ``downgrade``), ``same``
    for the same plan, or ``sideways`` when the list price points the other way (billed as the
    plan move)."""
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


# --------------------------------------------------------------------------------------------
# Words


def _unit_in_label(catalogue: Catalogue, resource: str) -> bool:
    found = catalogue.resource(resource)
    return found.unit.lower() in found.label.lower()


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


def per_interval(interval: str) -> str:
    return {"day": "a day", "week": "a week", "month": "a month", "year": "a year"}[interval]


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


# --------------------------------------------------------------------------------------------
# The calculator


_REQUEST_KEYS: Final = ("currency", "interval", "needs", "current_plan", "current_usage")


@dataclass(frozen=True)
class _Request:
    currency: str
    interval: str
    needs: Needs
    current: Plan | None
    current_usage: Mapping[str, int] | None


def compare(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """Every plan side by side against the needs, the cheapest fit, and a recommendation."""
    errors: Errors = []
    parsed = _read(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    return _compare(parsed, catalogue)


def _read(request: object, catalogue: Catalogue, errors: Errors) -> _Request | None:
    body = read_object(request, "", errors, required=("needs",), optional=_REQUEST_KEYS)
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    interval = read_interval(body.get("interval"), "interval", catalogue, errors)
    needs = None
    if "needs" in body:
        needs = read_needs(body["needs"], "needs", catalogue, errors)
    current = None
    if body.get("current_plan") is not None:
        current = read_plan(body["current_plan"], "current_plan", catalogue, errors)
    current_usage = None
    if body.get("current_usage") is not None:
        current_usage = read_usage(body["current_usage"], "current_usage", catalogue, errors)
    if currency is None or interval is None or needs is None or errors:
        return None
    return _Request(currency, interval, needs, current, current_usage)


def read_needs(value: object, field: str, catalogue: Catalogue, errors: Errors) -> Needs | None:
    """Resource amounts plus optional ``features`` (list) and ``support`` (level id)."""
    usage = read_usage(value, field, catalogue, errors, extra=("features", "support"))
    if usage is None or not isinstance(value, Mapping):
        return None
    features = read_features(value.get("features"), join(field, "features"), catalogue, errors)
    support = read_support(value.get("support"), join(field, "support"), catalogue, errors)
    if features is None or (value.get("support") is not None and support is None):
        return None
    return Needs(usage, features, support)


def _compare(req: _Request, catalogue: Catalogue) -> dict[str, Any]:
    currency, interval = req.currency, req.interval
    fits = [
        fit_plan(catalogue, p, req.needs, currency=currency, interval=interval)
        for p in catalogue.plans
    ]
    options = sorted(
        (
            (f, cost)
            for f in fits
            if f.fits and (cost := fit_cost(f, currency=currency, interval=interval)) is not None
        ),
        key=lambda pair: option_key(*pair),
    )
    best = options[0] if options else None
    contact = next((f for f in fits if not f.plan.self_serve and f.fits), None)
    target = best[0] if best else contact

    response: dict[str, Any] = {
        "currency": currency,
        "interval": interval,
        "needs": {
            **req.needs.usage,
            "features": list(req.needs.features),
            "support": req.needs.support,
        },
        "plans": [_plan_row(catalogue, f, req) for f in fits],
        "recommendation": _recommendation(catalogue, req, options, contact),
        "addons_vs_upgrade": None,
        "change": None,
    }
    if best is not None:
        response["addons_vs_upgrade"] = _addons_vs_upgrade(catalogue, req, best, options)
    if req.current is not None:
        response["change"] = _change(catalogue, req, req.current, target)
    return response


def _money(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return money.to_text(amount, currency, extra=catalogue.minor_units)


def _show(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return money.display(amount, currency, extra=catalogue.minor_units)


def costs(catalogue: Catalogue, fit: Fit, *, currency: str, interval: str) -> dict[str, Any] | None:
    """The option's price for the requested interval, and the same composition monthly/yearly."""
    total = fit_cost(fit, currency=currency, interval=interval)
    if total is None:
        return None
    result: dict[str, Any] = {"total": _money(catalogue, total, currency)}
    if "month" in catalogue.intervals and "year" in catalogue.intervals:
        month = fit_cost(fit, currency=currency, interval="month")
        year = fit_cost(fit, currency=currency, interval="year")
        assert month is not None and year is not None
        # The monthly equivalent of the annual price is rounded half up to the minor unit.
        per_month = money.quantize(
            money.divide(year, 12), currency, rounding="half_up", extra=catalogue.minor_units
        )
        result.update(
            {
                "month": _money(catalogue, month, currency),
                "year": _money(catalogue, year, currency),
                "year_per_month": _money(catalogue, per_month, currency),
                "annual_saving": _money(
                    catalogue, money.add(money.multiply(month, 12), -year), currency
                ),
            }
        )
    return result


def addon_lines(
    catalogue: Catalogue, units: Sequence[Units], *, currency: str, interval: str
) -> list[dict[str, Any]]:
    lines = []
    for u in units:
        price = u.addon.price(currency, interval)
        lines.append(
            {
                "addon": u.addon.id,
                "name": u.addon.name,
                "quantity": u.quantity,
                "grants": grants_text(catalogue, u.addon, u.quantity),
                "unit_price": _money(catalogue, price, currency),
                "amount": _money(catalogue, money.multiply(price, u.quantity), currency),
            }
        )
    return lines


def _plan_row(catalogue: Catalogue, fit: Fit, req: _Request) -> dict[str, Any]:
    plan = fit.plan
    if not fit.fits:
        status = "does_not_fit"
    elif not plan.self_serve:
        status = "contact_sales"
    else:
        status = "fits_with_addons" if fit.uses_addons else "fits"
    needed = req.needs.features
    row: dict[str, Any] = {
        "plan": plan.id,
        "name": plan.name,
        "rank": plan.rank,
        "self_serve": plan.self_serve,
        "status": status,
        "fits": fit.fits,
        "fits_alone": fit.fits and not fit.uses_addons,
        "resources": [_resource_row(catalogue, r) for r in fit.resources],
        "features": {
            "needed": list(needed),
            "included": [f for f in needed if plan_has_feature(catalogue, plan, f)],
            "via_addons": [a.feature for a in fit.feature_addons],
            "missing": list(fit.missing_features),
        },
        "support": {
            "needed": req.needs.support,
            "plan": plan.support,
            "label": catalogue.support_level(plan.support).label,
            "meets": fit.support_ok,
        },
        "addons": [],
        "cost": None,
        "shortfalls": shortfall_reasons(catalogue, fit, req.needs),
    }
    if fit.fits and plan.self_serve:
        row["addons"] = addon_lines(
            catalogue, fit.units, currency=req.currency, interval=req.interval
        )
        row["cost"] = costs(catalogue, fit, currency=req.currency, interval=req.interval)
    if req.current is not None:
        row["change_from_current"] = change_kind(
            req.current, plan, currency=req.currency, interval=req.interval
        )
    return row


def _resource_row(catalogue: Catalogue, r: ResourceFit) -> dict[str, Any]:
    resource = catalogue.resource(r.resource)
    return {
        "resource": r.resource,
        "label": resource.label,
        "unit": resource.unit,
        "need": r.need,
        "limit": r.limit,
        "fits_alone": r.limit is None or r.need <= r.limit,
        "shortfall": r.shortfall,
        "addons": [
            {"addon": u.addon.id, "quantity": u.quantity, "adds": u.quantity * u.addon.unit_size}
            for u in r.units
        ],
        "limit_with_addons": r.limit_with_addons,
        "max_with_addons": r.max_with_addons,
        "fits": r.fits,
        "shortfall_after_addons": r.shortfall_after_addons,
        "headroom": r.headroom,
    }


def _recommendation(
    catalogue: Catalogue,
    req: _Request,
    options: Sequence[tuple[Fit, Decimal]],
    contact: Fit | None,
) -> dict[str, Any]:
    currency, interval = req.currency, req.interval
    every = per_interval(interval)
    if options:
        fit, cost = options[0]
        reason = (
            f"{option_name(fit)} is the cheapest way to cover everything you need, at "
            f"{_show(catalogue, cost, currency)} {every}."
        )
        tied = [f for f, c in options[1:] if c == cost]
        if tied:
            why = (
                "it needs no add-ons"
                if not fit.uses_addons and tied[0].uses_addons
                else "it is the higher plan, with more included for the same price"
            )
            reason += (
                f" {option_name(tied[0])} costs the same; {fit.plan.name} is preferred "
                f"because {why}."
            )
        dearer = [(f, c) for f, c in options[1:] if c != cost]
        if dearer:
            other, other_cost = dearer[0]
            reason += (
                f" The next cheapest option, {option_name(other)}, costs "
                f"{_show(catalogue, other_cost, currency)} {every}."
            )
        return {
            "plan": fit.plan.id,
            "name": fit.plan.name,
            "contact_sales": False,
            "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in fit.units],
            "total": _money(catalogue, cost, currency),
            "reason": reason,
        }
    if contact is not None:
        plan = contact.plan
        company = catalogue.company
        reason = (
            f"No self-serve plan covers what you need, even with add-ons. {plan.name} is "
            f"sold by the sales team with limits set by contract (minimum term "
            f"{catalogue.policy.contact_sales_minimum_term_months} months); contact "
            f"{company.sales_email}."
        )
        return {
            "plan": plan.id,
            "name": plan.name,
            "contact_sales": True,
            "addons": [],
            "total": None,
            "reason": reason,
        }
    return {
        "plan": None,
        "name": None,
        "contact_sales": False,
        "addons": [],
        "total": None,
        "reason": "No plan in the catalogue covers these needs, not even through the sales "
        "team; see each plan's shortfalls.",
    }


def _addons_vs_upgrade(
    catalogue: Catalogue,
    req: _Request,
    best: tuple[Fit, Decimal],
    options: Sequence[tuple[Fit, Decimal]],
) -> dict[str, Any] | None:
    """When the cheapest option is a plan plus add-ons, compare it with the higher plans."""
    fit, cost = best
    if not fit.uses_addons:
        return None
    higher = [(f, c) for f, c in options if f.plan.rank > fit.plan.rank]
    if not higher:
        return None
    other, other_cost = higher[0]
    saving = money.add(other_cost, -cost)
    every = per_interval(req.interval)
    show = _show
    if saving > 0:
        text = (
            f"{option_name(fit)} ({show(catalogue, cost, req.currency)} {every}) is "
            f"{show(catalogue, saving, req.currency)} {every} cheaper than moving up to "
            f"{option_name(other)} ({show(catalogue, other_cost, req.currency)} {every})."
        )
    else:
        text = (
            f"{option_name(fit)} costs the same as {option_name(other)} "
            f"({show(catalogue, cost, req.currency)} {every})."
        )
    return {
        "plan": fit.plan.id,
        "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in fit.units],
        "total": _money(catalogue, cost, req.currency),
        "instead_of": other.plan.id,
        "instead_of_addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in other.units],
        "instead_of_total": _money(catalogue, other_cost, req.currency),
        "saving": _money(catalogue, saving, req.currency),
        "text": text,
    }


def losses(
    catalogue: Catalogue,
    current: Plan,
    target: Fit,
    *,
    current_usage: Mapping[str, int] | None,
) -> dict[str, Any]:
    """What moving from ``current`` to ``target`` (with its add-ons) takes away."""
    bought = {a.feature for a in target.feature_addons}
    features = []
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
    support = None
    now = catalogue.support_level(current.support)
    then = catalogue.support_level(target.plan.support)
    if then.rank < now.rank:
        support = {"from": now.id, "from_label": now.label, "to": then.id, "to_label": then.label}
    limits = []
    over = []
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


def _change(
    catalogue: Catalogue, req: _Request, current: Plan, target: Fit | None
) -> dict[str, Any]:
    current_fit = fit_plan(
        catalogue, current, req.needs, currency=req.currency, interval=req.interval
    )
    if target is None:
        return {
            "from": current.id,
            "to": None,
            "kind": None,
            "current_fits": current_fit.fits,
            "losses": None,
            "summary": "No plan covers these needs, so no change is recommended.",
        }
    kind = change_kind(current, target.plan, currency=req.currency, interval=req.interval)
    lost = losses(catalogue, current, target, current_usage=req.current_usage)
    summary = _change_summary(catalogue, current, target, kind, lost)
    current_cost = fit_cost(current_fit, currency=req.currency, interval=req.interval)
    if kind != "same" and current_fit.fits and current_cost is not None:
        summary += (
            f" Staying on {option_name(current_fit)} would also cover your needs, at "
            f"{_show(catalogue, current_cost, req.currency)} {per_interval(req.interval)}."
        )
    return {
        "from": current.id,
        "to": target.plan.id,
        "kind": kind,
        "current_fits": current_fit.fits,
        "losses": lost,
        "summary": summary,
    }


def _change_summary(
    catalogue: Catalogue, current: Plan, target: Fit, kind: str, lost: Mapping[str, Any]
) -> str:
    name = option_name(target)
    if kind == "same":
        if not target.uses_addons:
            return f"Stay on {current.name}: it already covers what you need."
        return f"Stay on {current.name} and add {units_phrase(target.units)}."
    sentences = {
        "upgrade": f"Upgrade from {current.name} to {name}.",
        "downgrade": f"Downgrade from {current.name} to {name}.",
        "sideways": (
            f"Move sideways from {current.name} to {name} (a different plan level at "
            f"a price that does not follow the plan order)."
        ),
    }
    parts = [sentences[kind]]
    if lost["features"]:
        labels = ", ".join(f["label"] for f in lost["features"])
        parts.append(f"You would lose: {labels}.")
    if lost["support"] is not None:
        parts.append(
            f"Support changes from {lost['support']['from_label']} to "
            f"{lost['support']['to_label']}."
        )
    for item in lost["usage_over_new_limits"] or ():
        resource = catalogue.resource(item["resource"])
        amounts = [
            units_text(catalogue, item["resource"], item[key])
            for key in ("reduce_by", "usage", "limit")
        ]
        parts.append(
            f"Reduce {resource.label.lower()} by {amounts[0]} (from {amounts[1]} to "
            f"{amounts[2]}) before the change."
        )
    parts.extend(
        policy_words.over_limit_sentence(catalogue, item["resource"])
        for item in lost["usage_over_new_limits"] or ()
    )
    return " ".join(parts)
