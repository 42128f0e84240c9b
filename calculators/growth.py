"""Growth planning: usage month by month, when each plan runs out, and the cheapest path.

Domain rules (the contract is ``calculators/contracts/growth.md``):

- month 0 is today; the horizon is the next ``horizon_months`` months (1 to 60), and those are
  the months that are paid for: each month's plan, with its add-ons, must hold that month's usage;
- a growth rate is a percentage per month, compounded monthly: usage in month m is today's usage
  times (1 + rate/100) to the power m, computed exactly from the unrounded value (never from
  last month's rounded one) and then rounded *up* to a whole unit, because a part of a GB or seat
  cannot be bought and rounding up never under-plans;
- a forecast gives expected usage at some months; between two known months usage moves in a
  straight line (rounded up the same way), after the last known month it stays where it is;
- a plan *runs out* of a resource in the first month whose usage is above its limit (without
  add-ons, and separately with every add-on at its maximum);
- paths are priced month by month with the cheapest add-ons each month needs. A path may move to
  any plan now (before month 1) and afterwards only moves up (a higher plan), never down: the
  cheapest of all such paths is recommended. Ties go to fewer plan changes, then fewer add-on
  units over the horizon, then higher plans earlier (more included for the same money), as in
  the plan comparison;
- annual prices are spread evenly over their 12 months to compare paths; a path's total is
  rounded half up to the minor unit once, at the end (the invoices for a mid-year change are the
  proration engine's business);
- when usage outgrows every self-serve plan, even with every add-on, the answer is the
  contact-sales plan from that month, and paths are compared only over the months before it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, Final

from calculators import changes, money
from calculators.catalogue import Catalogue, Plan, describe
from calculators.plans import (
    MAX_UNITS,
    Errors,
    Fit,
    Needs,
    add_error,
    error_response,
    fit_cost,
    fit_plan,
    join,
    read_count,
    read_currency,
    read_features,
    read_interval,
    read_object,
    read_per_resource,
    read_plan,
    read_support,
    read_usage,
    shortfall_reasons,
    units_phrase,
)
from calculators.render import esc

MAX_HORIZON: Final = 60
DEFAULT_HORIZON: Final = 12
MONTHS_PER_INTERVAL: Final[Mapping[str, int]] = {"month": 1, "year": 12}

# A growth rate: up to 4 digits before and 6 after the point; above -100% (usage cannot fall
# below nothing) and at most 1000% a month.
_RATE_TEXT: Final = re.compile(r"-?[0-9]{1,4}(\.[0-9]{1,6})?")
_MIN_RATE: Final = Fraction(-100)
_MAX_RATE: Final = Fraction(1000)

_REQUEST_KEYS: Final = (
    "currency",
    "interval",
    "plan",
    "usage",
    "growth",
    "horizon_months",
    "features",
    "support",
)


@dataclass(frozen=True)
class Growth:
    method: str  # "rate", "rates" or "forecast"
    rates: Mapping[str, Fraction]  # percent a month per resource (rate/rates)
    forecast: tuple[tuple[int, Mapping[str, int]], ...]  # (month, usage given) in month order
    echo: Mapping[str, Any]  # the growth as read, for the response


@dataclass(frozen=True)
class _Request:
    currency: str
    interval: str
    current: Plan | None
    usage: Mapping[str, int]
    growth: Growth
    horizon: int
    features: tuple[str, ...]
    support: str | None


# --------------------------------------------------------------------------------------------
# Reading


def project(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """Project usage, find when each plan runs out, and compare the paths over the horizon."""
    errors: Errors = []
    parsed = _read(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    months = project_usage(parsed.usage, parsed.growth, parsed.horizon)
    for month, usage in enumerate(months):
        for rid, amount in usage.items():
            if amount > MAX_UNITS:
                add_error(
                    errors,
                    "growth",
                    f"{rid} would reach more than {MAX_UNITS:,} "
                    f"{catalogue.resource(rid).unit} by month {month}; lower the growth or "
                    "shorten the horizon",
                )
                return error_response(errors)
    return _plan(parsed, months, catalogue)


def _read(request: object, catalogue: Catalogue, errors: Errors) -> _Request | None:
    body = read_object(request, "", errors, required=("usage", "growth"), optional=_REQUEST_KEYS)
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    interval = read_interval(
        body.get("interval"), "interval", catalogue, errors, allowed=tuple(MONTHS_PER_INTERVAL)
    )
    current = None
    if body.get("plan") is not None:
        current = read_plan(body["plan"], "plan", catalogue, errors, self_serve=True)
    usage = None
    if "usage" in body:
        usage = read_usage(body["usage"], "usage", catalogue, errors)
    horizon: int | None = DEFAULT_HORIZON
    if body.get("horizon_months") is not None:
        horizon = read_count(
            body["horizon_months"], "horizon_months", errors, minimum=1, maximum=MAX_HORIZON
        )
    growth = None
    if "growth" in body:
        growth = _read_growth(body["growth"], catalogue, errors, horizon=horizon or MAX_HORIZON)
    features = read_features(body.get("features"), "features", catalogue, errors)
    support = read_support(body.get("support"), "support", catalogue, errors)
    if (
        currency is None
        or interval is None
        or usage is None
        or horizon is None
        or growth is None
        or features is None
        or errors
    ):
        return None
    return _Request(currency, interval, current, usage, growth, horizon, features, support)


def _read_rate(value: object, field: str, errors: Errors) -> Fraction | None:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        hint = ' (write it as a quoted decimal such as "8.5")' if isinstance(value, float) else ""
        add_error(
            errors,
            field,
            f'must be a decimal percentage such as "8" or "2.5", got {describe(value)}{hint}',
        )
        return None
    if not _RATE_TEXT.fullmatch(text):
        add_error(
            errors,
            field,
            f'must be a decimal percentage such as "8" or "2.5" (at most '
            f"6 decimals), got {describe(value)}",
        )
        return None
    rate = Fraction(Decimal(text))
    if not _MIN_RATE < rate <= _MAX_RATE:
        add_error(errors, field, f"must be above -100 and at most 1000 percent a month, got {text}")
        return None
    return rate


def _rate_text(rate: Fraction) -> str:
    """A rate back as the decimal string it was read from (it has at most 6 decimals)."""
    value = money.divide(rate.numerator, rate.denominator)
    return f"{value.normalize():f}"


def _read_growth(
    value: object, catalogue: Catalogue, errors: Errors, *, horizon: int
) -> Growth | None:
    methods = ("rate_percent", "rates_percent", "forecast")
    body = read_object(value, "growth", errors, optional=methods)
    if body is None:
        return None
    given = [m for m in methods if m in body]
    if len(given) != 1:
        add_error(
            errors,
            "growth",
            "give exactly one of rate_percent (one rate for every "
            "resource), rates_percent (a rate per resource) or forecast (expected usage "
            f"by month); got {', '.join(given) or 'none'}",
        )
        return None
    ids = [r.id for r in catalogue.resources]
    if given[0] == "rate_percent":
        rate = _read_rate(body["rate_percent"], "growth.rate_percent", errors)
        if rate is None:
            return None
        return Growth("rate", dict.fromkeys(ids, rate), (), {"rate_percent": _rate_text(rate)})
    if given[0] == "rates_percent":
        rates = read_per_resource(
            body["rates_percent"],
            "growth.rates_percent",
            catalogue,
            errors,
            read_item=_read_rate,
            default=Fraction(0),
            expected='an object of percentages per resource such as {"storage": "10"}',
        )
        if rates is None:
            return None
        # Resources without a rate of their own do not grow.
        return Growth(
            "rates", rates, (), {"rates_percent": {rid: _rate_text(r) for rid, r in rates.items()}}
        )
    return _read_forecast(body["forecast"], catalogue, errors, horizon=horizon)


def _read_forecast(
    value: object, catalogue: Catalogue, errors: Errors, *, horizon: int
) -> Growth | None:
    field = "growth.forecast"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        add_error(
            errors,
            field,
            'must be a non-empty list such as [{"month": 3, "usage": '
            f'{{"storage": 200}}}}], got {describe(value)}',
        )
        return None
    points: list[tuple[int, Mapping[str, int]]] = []
    ok = True
    last = 0
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        point = read_object(item, where, errors, required=("month", "usage"))
        if point is None or "month" not in point or "usage" not in point:
            ok = False
            continue
        month = read_count(point["month"], join(where, "month"), errors, minimum=1, maximum=horizon)
        usage = _read_partial_usage(point["usage"], join(where, "usage"), catalogue, errors)
        if month is not None and month <= last:
            add_error(
                errors,
                join(where, "month"),
                f"months must increase from one entry to "
                f"the next; month {month} is not after month {last}",
            )
            ok = False
        if month is None or usage is None:
            ok = False
            continue
        last = max(last, month)
        points.append((month, usage))
    if not ok:
        return None
    echo = [{"month": m, "usage": dict(u)} for m, u in points]
    return Growth("forecast", {}, tuple(points), {"forecast": echo})


def _read_partial_usage(
    value: object, field: str, catalogue: Catalogue, errors: Errors
) -> dict[str, int] | None:
    """Usage for only the resources given, in catalogue order."""
    full = read_usage(value, field, catalogue, errors)
    if full is None or not isinstance(value, Mapping):
        return None
    return {rid: amount for rid, amount in full.items() if rid in value}


# --------------------------------------------------------------------------------------------
# Projection


def project_usage(usage: Mapping[str, int], growth: Growth, horizon: int) -> list[dict[str, int]]:
    """Usage for months 0 (today) to ``horizon``, whole units, rounded up."""
    months: list[dict[str, int]] = []
    for month in range(horizon + 1):
        row = {}
        for rid, today in usage.items():
            if growth.method == "forecast":
                row[rid] = _forecast_at(rid, today, growth.forecast, month)
            else:
                factor = (1 + growth.rates[rid] / 100) ** month
                row[rid] = math.ceil(today * factor)
        months.append(row)
    return months


def _forecast_at(
    rid: str, today: int, points: Sequence[tuple[int, Mapping[str, int]]], month: int
) -> int:
    known = [(0, today)] + [(m, u[rid]) for m, u in points if rid in u]
    before = max((p for p in known if p[0] <= month), key=lambda p: p[0])
    after = [p for p in known if p[0] > month]
    if before[0] == month or not after:
        return before[1]
    (m0, u0), (m1, u1) = before, after[0]
    # A straight line between the two known months, rounded up to a whole unit.
    return math.ceil(u0 + Fraction((u1 - u0) * (month - m0), m1 - m0))


# --------------------------------------------------------------------------------------------
# Paths


@dataclass(frozen=True)
class _Month:
    """One paid month on one plan: the cheapest fit and its price for one billing interval."""

    fit: Fit
    cost: Decimal  # price for one interval; a month is cost / MONTHS_PER_INTERVAL[interval]


@dataclass(frozen=True)
class _Path:
    plans: tuple[str, ...]  # the plan for each paid month, months 1..n
    total: Decimal  # sum of interval prices; divide by months per interval for money
    changes: int
    addon_units: int
    ranks: tuple[int, ...]

    @property
    def key(self) -> tuple[Decimal, int, int, tuple[int, ...]]:
        return (self.total, self.changes, self.addon_units, tuple(-r for r in self.ranks))


def _changes(plans: Sequence[str], current: Plan | None) -> int:
    moves = sum(1 for a, b in pairwise(plans) if a != b)
    if current is not None and plans and plans[0] != current.id:
        moves += 1
    return moves


def _path(
    plans: Sequence[str],
    table: Sequence[Mapping[str, _Month]],
    catalogue: Catalogue,
    current: Plan | None,
) -> _Path | int:
    """The priced path, or the first month (1-based) it cannot hold."""
    total = Decimal(0)
    units = 0
    for index, plan_id in enumerate(plans):
        month = table[index].get(plan_id)
        if month is None:
            return index + 1
        total = money.add(total, month.cost)
        units += month.fit.addon_units
    ranks = tuple(catalogue.plan(p).rank for p in plans)
    return _Path(tuple(plans), total, _changes(plans, current), units, ranks)


def _cheapest_path(
    table: Sequence[Mapping[str, _Month]], catalogue: Catalogue, current: Plan | None
) -> _Path | None:
    """The cheapest path that starts on any plan and afterwards only moves up."""
    best: dict[str, _Path] = {}
    for index, row in enumerate(table):
        step: dict[str, _Path] = {}
        for plan_id, month in row.items():
            rank = catalogue.plan(plan_id).rank
            if index == 0:
                sources: list[tuple[str, ...]] = [()]
            else:
                # A path never downgrades: staying or upgrading only.
                sources = [
                    p.plans
                    for q, p in best.items()
                    if changes.plan_move(catalogue.plan(q), month.fit.plan) != changes.DOWNGRADE
                ]
            candidates = []
            for before in sources:
                plans = (*before, plan_id)
                previous = best.get(before[-1]) if before else None
                total = money.add(previous.total if previous else Decimal(0), month.cost)
                units = (previous.addon_units if previous else 0) + month.fit.addon_units
                ranks = (*(previous.ranks if previous else ()), rank)
                candidates.append(_Path(plans, total, _changes(plans, current), units, ranks))
            if candidates:
                step[plan_id] = min(candidates, key=lambda p: p.key)
        best = step
    return min(best.values(), key=lambda p: p.key) if best else None


def _segments(plans: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of the same plan as (plan, first month, last month), months counted from 1."""
    runs: list[tuple[str, int, int]] = []
    for month, plan_id in enumerate(plans, start=1):
        if runs and runs[-1][0] == plan_id:
            runs[-1] = (plan_id, runs[-1][1], month)
        else:
            runs.append((plan_id, month, month))
    return runs


def _kind(plans: Sequence[str], current: Plan | None) -> str:
    runs = _segments(plans)
    if len(runs) == 1:
        return "stay" if current is not None and runs[0][0] == current.id else "move_now"
    starts_on_current = current is None or runs[0][0] == current.id
    return "upgrade_at" if len(runs) == 2 and starts_on_current else "steps"


# --------------------------------------------------------------------------------------------
# The calculator


def _plan(req: _Request, months: list[dict[str, int]], catalogue: Catalogue) -> dict[str, Any]:
    currency, interval = req.currency, req.interval
    fits = [
        [
            fit_plan(
                catalogue,
                plan,
                Needs(usage, req.features, req.support),
                currency=currency,
                interval=interval,
            )
            for plan in catalogue.plans
        ]
        for usage in months
    ]
    # Paid months 1..horizon: the plans that can hold each month, with their cheapest price.
    table: list[dict[str, _Month]] = []
    for row in fits[1:]:
        options = {}
        for fit in row:
            cost = fit_cost(fit, currency=currency, interval=interval)
            if fit.fits and cost is not None:
                options[fit.plan.id] = _Month(fit, cost)
        table.append(options)
    outgrown = next((i + 1 for i, options in enumerate(table) if not options), None)
    span = table[: outgrown - 1] if outgrown is not None else table

    paths = _alternatives(span, catalogue, req.current)
    best = _cheapest_path(span, catalogue, req.current) if span else None
    if best is not None and all(p.plans != best.plans for p in paths if isinstance(p, _Path)):
        paths.append(best)
    priced = sorted((p for p in paths if isinstance(p, _Path)), key=lambda p: p.key)

    response: dict[str, Any] = {
        "currency": currency,
        "interval": interval,
        "plan": req.current.id if req.current else None,
        "horizon_months": req.horizon,
        "growth": dict(req.growth.echo),
        "rounding": "Usage is compounded monthly from the exact value and rounded up to a whole "
        "unit each month.",
        "resources": [
            {"resource": r.id, "label": r.label, "unit": r.unit} for r in catalogue.resources
        ],
        "months": [{"month": m, "usage": usage} for m, usage in enumerate(months)],
        "plans": [
            _plan_row(catalogue, [row[i] for row in fits], months)
            for i in range(len(catalogue.plans))
        ],
        "paths": [],
        "recommendation": None,
        "contact_sales": None,
    }
    if interval != "month":
        response["rounding"] += (
            " Annual prices are spread evenly over 12 months; each amount "
            "is rounded half up on its own, so monthly amounts may not add "
            "up to the total to the last minor unit."
        )
    cheapest = priced[0] if priced else None
    response["paths"] = [
        _path_row(catalogue, req, p, span, cheapest, fits) for p in sorted(paths, key=_path_order)
    ]
    if outgrown is not None:
        response["contact_sales"] = _contact_sales(catalogue, req, fits[outgrown], outgrown)
    response["recommendation"] = _recommendation(
        catalogue, req, priced, span, response["contact_sales"]
    )
    return response


def _path_order(path: _Path | tuple[str, tuple[str, ...], int]) -> tuple[int, Any]:
    """Priced paths cheapest first; paths that cannot hold the usage last, in listing order."""
    if isinstance(path, _Path):
        return (0, path.key)
    return (1, ())


def _alternatives(
    span: Sequence[Mapping[str, _Month]], catalogue: Catalogue, current: Plan | None
) -> list[Any]:
    """Stay on the current plan, move now to each other plan, upgrade to each higher plan.

    The upgrade to each higher plan is at its cheapest month, and listed only when staying
    cannot hold the usage or costs more.
    """
    if not span:
        return []
    n = len(span)
    paths: list[Any] = []
    self_serve = catalogue.self_serve_plans
    staying: _Path | None = None
    if current is not None:
        stay = [current.id] * n
        priced = _path(stay, span, catalogue, current)
        paths.append(priced if isinstance(priced, _Path) else ("stay", tuple(stay), priced))
        staying = priced if isinstance(priced, _Path) else None
    for plan in self_serve:
        if current is not None and plan.id == current.id:
            continue
        moved = [plan.id] * n
        priced = _path(moved, span, catalogue, current)
        paths.append(priced if isinstance(priced, _Path) else ("move_now", tuple(moved), priced))
    if current is None:
        return paths
    for plan in self_serve:
        if changes.plan_move(current, plan) != changes.UPGRADE:
            continue
        options = []
        for month in range(2, n + 1):
            plans = [current.id] * (month - 1) + [plan.id] * (n - month + 1)
            priced = _path(plans, span, catalogue, current)
            if isinstance(priced, _Path):
                options.append(priced)
        best = min(options, key=lambda p: p.key) if options else None
        # An upgrade is an alternative when staying cannot hold the usage or costs more.
        if best is not None and (staying is None or best.total < staying.total):
            paths.append(best)
    return paths


def _amount(catalogue: Catalogue, req: _Request, total: Decimal) -> Decimal:
    """Money for paid months: interval prices spread evenly over their months, rounded once."""
    months = MONTHS_PER_INTERVAL[req.interval]
    return money.quantize(
        money.divide(total, months), req.currency, rounding="half_up", extra=catalogue.minor_units
    )


def _text(catalogue: Catalogue, req: _Request, total: Decimal) -> str:
    return money.to_text(_amount(catalogue, req, total), req.currency, extra=catalogue.minor_units)


def _show(catalogue: Catalogue, req: _Request, total: Decimal) -> str:
    return money.display(_amount(catalogue, req, total), req.currency, extra=catalogue.minor_units)


def _describe_path(catalogue: Catalogue, req: _Request, plans: Sequence[str]) -> str:
    runs = _segments(plans)
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


def _sentence(words: str, path: _Path) -> str:
    suffix = ", adding add-ons as usage needs them" if path.addon_units else ""
    return words[0].upper() + words[1:] + suffix + "."


def _path_row(
    catalogue: Catalogue,
    req: _Request,
    path: _Path | tuple[str, tuple[str, ...], int],
    span: Sequence[Mapping[str, _Month]],
    cheapest: _Path | None,
    fits: Sequence[Sequence[Fit]],
) -> dict[str, Any]:
    if not isinstance(path, _Path):
        kind, plans, failed = path
        fit = next(f for f in fits[failed] if f.plan.id == plans[0])
        needs = Needs({r.resource: r.need for r in fit.resources}, req.features, req.support)
        why = " ".join(shortfall_reasons(catalogue, fit, needs))
        return {
            "kind": kind,
            "plans": [plans[0]],
            "feasible": False,
            "fails_at_month": failed,
            "description": f"{fit.plan.name} cannot hold month {failed}'s usage: {why}",
            "segments": [],
            "upgrade_month": None,
            "total": None,
            "more_than_cheapest": None,
            "recommended": False,
        }
    runs = _segments(path.plans)
    segments = []
    for plan_id, first, last in runs:
        subtotal = money.add(*(span[m - 1][plan_id].cost for m in range(first, last + 1)))
        segments.append(
            {
                "plan": plan_id,
                "name": catalogue.plan(plan_id).name,
                "from_month": first,
                "to_month": last,
                "cost": _text(catalogue, req, subtotal),
            }
        )
    more = None
    if cheapest is not None:
        more = money.add(
            _amount(catalogue, req, path.total), -_amount(catalogue, req, cheapest.total)
        )
    return {
        "kind": _kind(path.plans, req.current),
        "plans": [run[0] for run in runs],
        "feasible": True,
        "fails_at_month": None,
        "description": _sentence(_describe_path(catalogue, req, path.plans), path),
        "segments": segments,
        "upgrade_month": runs[1][1] if len(runs) > 1 else None,
        "total": _text(catalogue, req, path.total),
        "more_than_cheapest": None
        if more is None
        else money.to_text(more, req.currency, extra=catalogue.minor_units),
        "recommended": cheapest is not None and path.plans == cheapest.plans,
    }


def _plan_row(
    catalogue: Catalogue, fits: Sequence[Fit], months: Sequence[Mapping[str, int]]
) -> dict[str, Any]:
    plan = fits[0].plan
    runs_out: dict[str, int | None] = {}
    runs_out_max: dict[str, int | None] = {}
    for resource in catalogue.resources:
        limit = plan.limits.get(resource.id)
        most = next(r.max_with_addons for r in fits[0].resources if r.resource == resource.id)
        runs_out[resource.id] = (
            None
            if limit is None
            else next((m for m, u in enumerate(months) if u[resource.id] > limit), None)
        )
        runs_out_max[resource.id] = (
            None
            if most is None
            else next((m for m, u in enumerate(months) if u[resource.id] > most), None)
        )
    return {
        "plan": plan.id,
        "name": plan.name,
        "self_serve": plan.self_serve,
        "limits": {r.id: plan.limits.get(r.id) for r in catalogue.resources},
        "max_with_addons": {r.resource: r.max_with_addons for r in fits[0].resources},
        "runs_out": runs_out,
        "runs_out_with_addons": runs_out_max,
        "first_month_without_fit": next((m for m, f in enumerate(fits) if not f.fits), None),
    }


def _contact_sales(
    catalogue: Catalogue, req: _Request, row: Sequence[Fit], month: int
) -> dict[str, Any]:
    contact = next((f for f in row if not f.plan.self_serve and f.fits), None)
    top = max((f for f in row if f.plan.self_serve), key=lambda f: f.plan.rank)
    needs = Needs({r.resource: r.need for r in top.resources}, req.features, req.support)
    why = " ".join(shortfall_reasons(catalogue, top, needs))
    reason = f"In month {month} no self-serve plan can hold your usage: {why}"
    if contact is None:
        return {
            "plan": None,
            "name": None,
            "from_month": month,
            "reason": reason + " No plan in the catalogue covers it, not even through "
            "the sales team.",
        }
    policy = catalogue.policy
    reason += (
        f" {contact.plan.name} is sold by the sales team with limits set by contract "
        f"(minimum term {policy.contact_sales_minimum_term_months} months); contact "
        f"{catalogue.company.sales_email} before month {month}."
    )
    return {
        "plan": contact.plan.id,
        "name": contact.plan.name,
        "from_month": month,
        "reason": reason,
    }


def _recommendation(
    catalogue: Catalogue,
    req: _Request,
    priced: Sequence[_Path],
    span: Sequence[Mapping[str, _Month]],
    contact: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if not priced:
        empty: dict[str, Any] = {"path": [], "total": None, "months": [], "addons_note": None}
        if contact is not None:
            return {
                "kind": "contact_sales",
                "plan": contact["plan"],
                **empty,
                "reason": contact["reason"],
            }
        return {
            "kind": None,
            "plan": None,
            **empty,
            "reason": "No self-serve path holds this usage over the horizon.",
        }
    best = priced[0]
    horizon = len(best.plans)
    over = "month 1" if horizon == 1 else f"months 1 to {horizon}"
    words = _describe_path(catalogue, req, best.plans)
    extra = ", adding add-ons as usage needs them" if best.addon_units else ""
    reason = (
        f"Over {over}, the cheapest path is to {words}{extra}: "
        f"{_show(catalogue, req, best.total)} in total."
    )
    others = [p for p in priced[1:] if p.plans != best.plans]
    if others:
        other = others[0]
        difference = money.add(
            _amount(catalogue, req, other.total), -_amount(catalogue, req, best.total)
        )
        show = money.display(difference, req.currency, extra=catalogue.minor_units)
        words = _describe_path(catalogue, req, other.plans)
        reason += (
            f" The next cheapest alternative ({words}) costs "
            f"{_show(catalogue, req, other.total)}, {show} more."
        )
    kind = _kind(best.plans, req.current)
    if contact is not None:
        kind = "contact_sales"
        reason = contact["reason"] + " Until then, " + reason[0].lower() + reason[1:]
    detail = []
    for month, plan_id in enumerate(best.plans, start=1):
        item = span[month - 1][plan_id]
        detail.append(
            {
                "month": month,
                "plan": plan_id,
                "addons": [{"addon": u.addon.id, "quantity": u.quantity} for u in item.fit.units],
                "cost": _text(catalogue, req, item.cost),
            }
        )
    return {
        "kind": kind,
        "plan": best.plans[-1] if contact is None else contact["plan"],
        "path": [run[0] for run in _segments(best.plans)],
        "total": _text(catalogue, req, best.total),
        "months": detail,
        "addons_note": _addons_note(best, span),
        "reason": reason,
    }


def _addons_note(best: _Path, span: Sequence[Mapping[str, _Month]]) -> str | None:
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


# --------------------------------------------------------------------------------------------
# Chart


_WIDTH: Final = 640
_HEIGHT: Final = 360
_LEFT: Final = 64
_RIGHT: Final = 16
_TOP: Final = 24
_BOTTOM: Final = 56
# The theme's link colour is its primary colour made lighter in the dark scheme, so the usage
# line keeps its contrast on a dark background; outside the theme, the primary colour.
_USAGE_COLOUR: Final = "var(--md-typeset-a-color, var(--md-primary-fg-color, #4051b5))"
_LIMIT_COLOUR: Final = "var(--md-default-fg-color--light, currentColor)"


def _coord(value: Fraction) -> str:
    """A coordinate to one decimal, rounded half up, from exact arithmetic."""
    tenths = math.floor(value * 10 + Fraction(1, 2))
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _nice_step(span: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about four ticks."""
    raw = max(1, span) / 4
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10


def _unavailable(reason: str) -> str:
    # No ids: a page may hold several charts; <title> and <desc> name and describe the image.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} 40" role="img" '
        f'aria-label="Chart unavailable" class="growth-chart">'
        f"<title>Chart unavailable</title>"
        f"<desc>{esc(reason)}</desc>"
        f'<text x="8" y="24" fill="currentColor">{esc(reason)}</text></svg>'
    )


def render_chart_svg(response: Mapping[str, Any], *, resource: str) -> str:
    """An SVG line chart of one resource's usage against the plans' limits.

    Theme-neutral: lines and text use ``currentColor`` and the theme's custom properties, and
    there is no background, so it reads in light and dark themes. ``<title>`` and ``<desc>``
    carry a text alternative with the numbers.
    """
    try:
        months = [(int(m["month"]), int(m["usage"][resource])) for m in response["months"]]
        info = next(r for r in response["resources"] if r["resource"] == resource)
        label, unit = str(info["label"]), str(info["unit"])
        limits = [
            (str(p["name"]), p["limits"][resource], p["runs_out"][resource])
            for p in response["plans"]
        ]
    except (KeyError, TypeError, ValueError, StopIteration):
        return _unavailable(f"No projection of {resource} to chart.")
    if not months:
        return _unavailable(f"No projection of {resource} to chart.")
    horizon = max(1, months[-1][0])
    top_usage = max(u for _, u in months)
    numbered = sorted(
        (
            (int(limit), name, out)
            for name, limit, out in limits
            if isinstance(limit, int) and not isinstance(limit, bool)
        ),
        key=lambda item: item[0],
    )
    # The limits that matter: from the highest one today's usage is already above (the plan
    # being outgrown) to the first one above the highest usage (the plan that still holds it).
    start = months[0][1]
    below = [item for item in numbered if item[0] <= start]
    shown = below[-1:] + [item for item in numbered if start < item[0] <= top_usage]
    above = [item for item in numbered if item[0] > top_usage]
    if above:
        shown.append(above[0])
    ceiling = max([top_usage, 1, *(item[0] for item in shown)])
    step = _nice_step(ceiling)
    ceiling = -(-ceiling // step) * step
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    # Lines closer than a label's height would overprint: the higher one is kept.
    kept: list[tuple[int, str, Any]] = []
    for item in sorted(shown, key=lambda i: -i[0]):
        if all(Fraction(plot_h * (k[0] - item[0]), ceiling) >= 16 or k[0] == item[0] for k in kept):
            kept.append(item)
    shown = sorted(kept, key=lambda i: i[0])

    def x(month: int) -> str:
        return _coord(_LEFT + Fraction(plot_w * month, horizon))

    def y(value: int) -> str:
        return _coord(_TOP + plot_h - Fraction(plot_h * value, ceiling))

    title = f"{label} ({unit}) over {horizon} months against plan limits"
    desc = _chart_desc(label, unit, months, shown, numbered)
    sales = response.get("contact_sales")
    if isinstance(sales, Mapping) and isinstance(sales.get("from_month"), int):
        desc += (
            f" From month {sales['from_month']} no self-serve plan holds the usage, even "
            "with add-ons."
        )
    e = esc
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{e(title)}" class="growth-chart" font-family="inherit">',
        f"<title>{e(title)}</title>",
        f"<desc>{e(desc)}</desc>",
        '<g fill="currentColor" font-size="12">',
    ]
    # Axes and ticks.
    base = y(0)
    parts.append(
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}" '
        'stroke="currentColor" stroke-opacity="0.5"/>'
    )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" '
        'stroke="currentColor" stroke-opacity="0.5"/>'
    )
    for value in range(0, ceiling + 1, step):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value)}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{y(value)}" stroke="currentColor" stroke-opacity="0.1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y(value)}" text-anchor="end" '
            f'dominant-baseline="middle">{value:,}</text>'
        )
    every = next(k for k in (1, 2, 3, 6, 12) if horizon / k <= 12)
    for month in range(0, horizon + 1, every):
        parts.append(
            f'<text x="{x(month)}" y="{_coord(Fraction(_HEIGHT - _BOTTOM + 18))}" '
            f'text-anchor="middle">{month}</text>'
        )
    parts.append(
        f'<text x="{_coord(_LEFT + Fraction(plot_w, 2))}" y="{_HEIGHT - 8}" '
        f'text-anchor="middle">Month (0 is today)</text>'
    )
    parts.append(
        f'<text x="14" y="{_coord(_TOP + Fraction(plot_h, 2))}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_coord(_TOP + Fraction(plot_h, 2))})">'
        f"{e(label)} ({e(unit)})</text>"
    )
    # Plan limits: dashed lines, each labelled with the plan(s) and the limit.
    for value in sorted({item[0] for item in shown}):
        names = ", ".join(name for limit, name, _ in shown if limit == value)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value)}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{y(value)}" stroke="{_LIMIT_COLOUR}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{_WIDTH - _RIGHT - 4}" y="{_coord(Fraction(y(value)) - 5)}" '
            f'text-anchor="end">{e(names)}: {value:,} {e(unit)}</text>'
        )
    parts.append("</g>")
    # Usage: a line with a dot per month.
    points = " ".join(f"{x(m)},{y(u)}" for m, u in months)
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{_USAGE_COLOUR}" '
        'stroke-width="2.5" stroke-linejoin="round"/>'
    )
    parts.append(f'<g fill="{_USAGE_COLOUR}">')
    for m, u in months:
        parts.append(
            f'<circle cx="{x(m)}" cy="{y(u)}" r="3"><title>Month {m}: {u:,} '
            f"{e(unit)}</title></circle>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _chart_desc(
    label: str,
    unit: str,
    months: Sequence[tuple[int, int]],
    shown: Sequence[tuple[int, str, Any]],
    every_limit: Sequence[tuple[int, str, Any]],
) -> str:
    first, last = months[0], months[-1]
    text = f"{label} grows from {first[1]:,} {unit} today to {last[1]:,} {unit} in month {last[0]}."
    for limit, name, out in shown:
        if isinstance(out, int) and not isinstance(out, bool):
            when = "already today" if out == 0 else f"in month {out}"
            text += f" {name}'s limit of {limit:,} {unit} is exceeded {when}."
        else:
            text += f" {name}'s limit of {limit:,} {unit} is not reached."
    hidden = [item for item in every_limit if item not in shown]
    if hidden:
        text += (
            " Limits not drawn: "
            + ", ".join(f"{name} {limit:,} {unit}" for limit, name, _ in hidden)
            + "."
        )
    return text
