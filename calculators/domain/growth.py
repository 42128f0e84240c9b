"""Growth projection: usage month by month and the cheapest path through the plans."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Final, NamedTuple

from calculators.domain import changes, money
from calculators.domain.catalogue import Catalogue, Plan
from calculators.domain.contract_types.growth import GrowthEcho
from calculators.domain.plans import Fit

MAX_HORIZON: Final = 60
DEFAULT_HORIZON: Final = 12
MONTHS_PER_INTERVAL: Final[Mapping[str, int]] = {"month": 1, "year": 12}


@dataclass(frozen=True)
class Growth:
    method: str  # "rate", "rates" or "forecast"
    rates: Mapping[str, Fraction]  # percent a month per resource (rate/rates)
    forecast: tuple[tuple[int, Mapping[str, int]], ...]  # (month, usage given) in month order
    echo: GrowthEcho  # the growth as read, for the response


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


@dataclass(frozen=True)
class GrowthMonth:
    """One paid month on one plan: the cheapest fit and its price for one billing interval."""

    fit: Fit
    cost: Decimal  # price for one interval; a month is cost / MONTHS_PER_INTERVAL[interval]


# Cheapest first; then fewer plan changes, fewer add-on units, higher plans earlier.
PathKey = tuple[Decimal, int, int, tuple[int, ...]]


@dataclass(frozen=True)
class GrowthPath:
    plans: tuple[str, ...]  # the plan for each paid month, months 1..n
    total: Decimal  # sum of interval prices; divide by months per interval for money
    changes: int
    addon_units: int
    ranks: tuple[int, ...]

    @property
    def key(self) -> PathKey:
        return (self.total, self.changes, self.addon_units, tuple(-r for r in self.ranks))


def _changes(plans: Sequence[str], current: Plan | None) -> int:
    moves = sum(1 for a, b in pairwise(plans) if a != b)
    if current is not None and plans and plans[0] != current.id:
        moves += 1
    return moves


def _path(
    plans: Sequence[str],
    table: Sequence[Mapping[str, GrowthMonth]],
    catalogue: Catalogue,
    current: Plan | None,
) -> GrowthPath | int:
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
    return GrowthPath(tuple(plans), total, _changes(plans, current), units, ranks)


def cheapest_path(
    table: Sequence[Mapping[str, GrowthMonth]], catalogue: Catalogue, current: Plan | None
) -> GrowthPath | None:
    """The cheapest path that starts on any plan and afterwards only moves up."""
    best: dict[str, GrowthPath] = {}
    for index, row in enumerate(table):
        step: dict[str, GrowthPath] = {}
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
                candidates.append(GrowthPath(plans, total, _changes(plans, current), units, ranks))
            if candidates:
                step[plan_id] = min(candidates, key=lambda p: p.key)
        best = step
    return min(best.values(), key=lambda p: p.key) if best else None


def path_segments(plans: Sequence[str]) -> list[tuple[str, int, int]]:
    """Runs of the same plan as (plan, first month, last month), months counted from 1."""
    runs: list[tuple[str, int, int]] = []
    for month, plan_id in enumerate(plans, start=1):
        if runs and runs[-1][0] == plan_id:
            runs[-1] = (plan_id, runs[-1][1], month)
        else:
            runs.append((plan_id, month, month))
    return runs


def path_kind(plans: Sequence[str], current: Plan | None) -> str:
    runs = path_segments(plans)
    if len(runs) == 1:
        return "stay" if current is not None and runs[0][0] == current.id else "move_now"
    starts_on_current = current is None or runs[0][0] == current.id
    return "upgrade_at" if len(runs) == 2 and starts_on_current else "steps"


class FailedPath(NamedTuple):
    """An alternative that cannot hold the usage: its kind, its plans and the month it fails."""

    kind: str
    plans: tuple[str, ...]
    fails_at_month: int


def path_order(path: GrowthPath | FailedPath) -> tuple[int, PathKey | tuple[()]]:
    """Priced paths cheapest first; paths that cannot hold the usage last, in listing order."""
    if isinstance(path, GrowthPath):
        return (0, path.key)
    return (1, ())


def alternatives(
    span: Sequence[Mapping[str, GrowthMonth]], catalogue: Catalogue, current: Plan | None
) -> list[GrowthPath | FailedPath]:
    """Stay on the current plan, move now to each other plan, upgrade to each higher plan.

    The upgrade to each higher plan is at its cheapest month, and listed only when staying
    cannot hold the usage or costs more.
    """
    if not span:
        return []
    n = len(span)
    paths: list[GrowthPath | FailedPath] = []
    self_serve = catalogue.self_serve_plans
    staying: GrowthPath | None = None
    if current is not None:
        stay = [current.id] * n
        priced = _path(stay, span, catalogue, current)
        paths.append(
            priced if isinstance(priced, GrowthPath) else FailedPath("stay", tuple(stay), priced)
        )
        staying = priced if isinstance(priced, GrowthPath) else None
    for plan in self_serve:
        if current is not None and plan.id == current.id:
            continue
        moved = [plan.id] * n
        priced = _path(moved, span, catalogue, current)
        paths.append(
            priced
            if isinstance(priced, GrowthPath)
            else FailedPath("move_now", tuple(moved), priced)
        )
    if current is None:
        return paths
    for plan in self_serve:
        if changes.plan_move(current, plan) != changes.UPGRADE:
            continue
        options = []
        for month in range(2, n + 1):
            plans = [current.id] * (month - 1) + [plan.id] * (n - month + 1)
            priced = _path(plans, span, catalogue, current)
            if isinstance(priced, GrowthPath):
                options.append(priced)
        best = min(options, key=lambda p: p.key) if options else None
        # An upgrade is an alternative when staying cannot hold the usage or costs more.
        if best is not None and (staying is None or best.total < staying.total):
            paths.append(best)
    return paths
