"""One classification: every consumer names a change's kinds and rule as
``calculators.domain.changes``.

A table over every pair of the catalogue's self-serve plans and billing intervals, and over every
add-on (and seat) quantity change each plan can make, asks every consumer: the ``change``
command, the proration widget (through ``evaluate``, the page's path), the proration request the
page's examples use, the change record and the customer notice, the plan comparison, the growth
planner and the add-ons calculator. They must all agree with the one classification.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import pairwise, product
from pathlib import Path
from typing import Any

import pytest

from calculators import api
from calculators.domain import changes, plans
from calculators.domain.catalogue import CHANGE_KINDS, INTERVALS
from calculators.requests.catalogue import read_catalogue_file
from calculators.web import widget_requests, widgets

CATALOGUE = read_catalogue_file(Path(__file__).parent / "fixtures" / "catalogue.json")
POLICY = CATALOGUE.policy
SELF_SERVE = CATALOGUE.self_serve_plans
SIDES = [(p.id, i) for p in SELF_SERVE for i in CATALOGUE.intervals]
PAIRS = [(a, b) for a, b in product(SIDES, SIDES) if a != b]
PERIOD_START, CHANGE_AT = "2026-03-01", "2026-03-14"
ADDON_CHANGES = [
    (plan.id, addon.id, before, after)
    for plan in SELF_SERVE
    for addon in CATALOGUE.addons
    if plan.id in addon.available_on
    for before, after in ((0, 1), (1, 0), (1, addon.max_quantity))
    if before != after
]


def side(plan: str, interval: str, **addons: int) -> changes.Subscription:
    return changes.Subscription(CATALOGUE.plan(plan), interval, addons)


def change_request(before: tuple[str, str], after: tuple[str, str]) -> dict[str, Any]:
    return {
        "currency": "USD",
        "change_at": CHANGE_AT,
        "current": {"plan": before[0], "interval": before[1], "period_start": PERIOD_START},
        "new": {"plan": after[0], "interval": after[1]},
    }


def expected_kinds(before: tuple[str, str], after: tuple[str, str]) -> set[str]:
    """What the definitions say, written out independently: rank, then interval length."""
    old, new = CATALOGUE.plan(before[0]), CATALOGUE.plan(after[0])
    kinds = set()
    if new.rank != old.rank:
        kinds.add("upgrade" if new.rank > old.rank else "downgrade")
    if before[1] != after[1]:
        longer = INTERVALS.index(after[1]) > INTERVALS.index(before[1])
        kinds.add("monthly_to_annual" if longer else "annual_to_monthly")
    return kinds


def test_the_table_covers_every_plan_interval_and_add_on() -> None:
    assert len(PAIRS) == len(SIDES) * (len(SIDES) - 1) >= 50
    assert {a for _, a, _, _ in ADDON_CHANGES} == {a.id for a in CATALOGUE.addons}


@pytest.mark.parametrize(
    ("before", "after"), PAIRS, ids=[f"{a[0]}-{a[1]}_to_{b[0]}-{b[1]}" for a, b in PAIRS]
)
def test_every_consumer_agrees_on_a_plan_or_interval_change(
    before: tuple[str, str], after: tuple[str, str]
) -> None:
    decided = changes.classify(CATALOGUE, side(*before), side(*after))
    assert set(decided.kinds) == expected_kinds(before, after)
    assert list(decided.kinds) == sorted(decided.kinds, key=POLICY.change_precedence.index)
    assert decided.rule == POLICY.changes[decided.kinds[0]]
    rule = {"apply": decided.rule.apply, "interval_change": decided.rule.interval_change}

    # The change command.
    response = api.run("change", change_request(before, after), catalogue=CATALOGUE)
    assert response["kinds"] == list(decided.kinds)
    assert response["rule"] == rule
    assert response["proration"]["policy"]["apply"] == decided.rule.apply
    waits = decided.rule.apply == "period_end"
    assert (
        response["effective_at"] == ("2026-04-01" if before[1] == "month" else "2027-03-01")
        if waits
        else CHANGE_AT
    )

    # The page's proration widget goes through the same command.
    params = {
        "from_plan": before[0],
        "from_interval": before[1],
        "to_plan": after[0],
        "to_interval": after[1],
        "period_start": PERIOD_START,
        "change_at": CHANGE_AT,
        "currency": "USD",
    }
    outcome, widget_response = widgets.evaluate_with_response(
        "proration", params, CATALOGUE, today=date(2026, 3, 14)
    )
    assert outcome["errors"] == []
    assert widget_response == response

    # The page's worked examples build their proration request the same way.
    kind, request = widget_requests.proration_request(
        CATALOGUE,
        from_plan=before[0],
        from_interval=before[1],
        to_plan=after[0],
        to_interval=after[1],
        period_start=date(2026, 3, 1),
        change_at=date(2026, 3, 14),
        currency="USD",
    )
    assert kind == decided.rule_kind
    assert request["policy"] == POLICY.request_policy(kind, "USD")

    # The change record, from the command's own proration and effective date.
    record = api.run(
        "record",
        {
            "account": "acct_1",
            "from": {"plan": before[0], "interval": before[1]},
            "to": {"plan": after[0], "interval": after[1]},
            "effective": response["effective_at"],
            "currency": "USD",
            "reason": {"code": "other", "text": "table test"},
            "requested_by": {"name": "Owner", "role": "owner"},
            "proration": response["proration"],
        },
        catalogue=CATALOGUE,
    )
    assert record["record"]["kind"] == decided.rule_kind

    plan_kind = changes.plan_move(CATALOGUE.plan(before[0]), CATALOGUE.plan(after[0]))
    if plan_kind is None:
        return
    assert plan_kind in decided.kinds
    # The notice names the plan move; the comparison too (or "sideways" against the price).
    notice = api.run(
        "notice",
        {
            "from": {"plan": before[0], "interval": before[1]},
            "to": {"plan": after[0], "interval": after[1]},
            "effective": response["effective_at"],
            "currency": "USD",
            "proration": response["proration"],
        },
        catalogue=CATALOGUE,
    )
    assert notice["kind"] == plan_kind
    compared = plans.change_kind(
        CATALOGUE.plan(before[0]), CATALOGUE.plan(after[0]), currency="USD", interval=after[1]
    )
    assert compared in (plan_kind, "sideways")


@pytest.mark.parametrize(
    ("plan", "addon", "before", "after"),
    ADDON_CHANGES,
    ids=[f"{p}-{a}-{b}to{c}" for p, a, b, c in ADDON_CHANGES],
)
def test_every_consumer_agrees_on_an_add_on_or_seat_change(
    plan: str, addon: str, before: int, after: int
) -> None:
    item = CATALOGUE.addon(addon)
    seats = item.resource is not None and item.resource == changes.seat_resource(CATALOGUE)
    direction = "added" if after > before else "removed"
    expected = f"{'seats' if seats else 'addon'}_{direction}"
    decided = changes.classify(
        CATALOGUE, side(plan, "month", **{addon: before}), side(plan, "month", **{addon: after})
    )
    assert decided.kinds == (expected,)

    command = api.run(
        "change",
        {
            "currency": "USD",
            "change_at": CHANGE_AT,
            "current": {"plan": plan, "period_start": PERIOD_START, "addons": {addon: before}},
            "new": {"plan": plan, "addons": {addon: after}},
        },
        catalogue=CATALOGUE,
    )
    assert command["kinds"] == [expected]

    priced = api.run(
        "addons",
        {
            "plan": plan,
            "addons": {addon: after},
            "change": {
                "period_start": PERIOD_START,
                "change_at": CHANGE_AT,
                "from": {addon: before},
            },
        },
        catalogue=CATALOGUE,
    )
    assert [line["kind"] for line in priced["change"]["addons"]] == [expected]

    kind, request = widget_requests.proration_request(
        CATALOGUE,
        from_plan=plan,
        from_interval="month",
        to_plan=plan,
        to_interval="month",
        period_start=date(2026, 3, 1),
        change_at=date(2026, 3, 14),
        currency="USD",
        from_quantity=before,
        to_quantity=after,
        addon=addon,
    )
    assert kind == expected
    assert request["policy"] == POLICY.request_policy(expected, "USD")


def test_the_catalogue_has_a_seat_add_on_and_other_add_ons() -> None:
    """The add-on table above exercises both branches of the seat rule."""
    kinds = {changes.quantity_move(CATALOGUE, a, 0, 1) for a in CATALOGUE.addons}
    assert kinds == {"seats_added", "addon_added"}


@pytest.mark.parametrize(
    ("before", "after", "kind"), [(2, 5, "seats_added"), (5, 2, "seats_removed")]
)
def test_plan_quantity_counts_seats_in_records_and_the_classification(
    before: int, after: int, kind: str
) -> None:
    decided = changes.classify(
        CATALOGUE,
        replace(side("team", "month"), quantity=before),
        replace(side("team", "month"), quantity=after),
    )
    assert decided.kinds == (kind,)


@pytest.mark.parametrize("current", [p.id for p in SELF_SERVE])
def test_growth_paths_never_downgrade(current: str) -> None:
    response = api.run(
        "growth",
        {
            "currency": "USD",
            "interval": "month",
            "plan": current,
            "usage": {r.id: 1 for r in CATALOGUE.resources},
            "growth": {"rate_percent": "40"},
            "horizon_months": 24,
        },
        catalogue=CATALOGUE,
    )
    assert "errors" not in response
    moves = 0
    for path in response["paths"]:
        ids = path["plans"]
        for a, b in pairwise(ids):
            if a != b:
                moves += 1
                assert changes.plan_move(CATALOGUE.plan(a), CATALOGUE.plan(b)) == "upgrade"
        if path["kind"] == "upgrade_at":
            assert ids[0] == current
    assert moves > 0


def test_combined_change_takes_the_first_kind_in_the_catalogue_precedence() -> None:
    """Business annual to Team monthly is a downgrade and a switch to monthly billing."""
    decided = changes.classify(CATALOGUE, side("business", "year"), side("team", "month"))
    assert set(decided.kinds) == {"downgrade", "annual_to_monthly"}
    first = min(decided.kinds, key=POLICY.change_precedence.index)
    assert decided.rule_kind == first
    # Reversing the precedence flips the rule: the order is policy, read from the catalogue.
    reversed_policy = replace(POLICY, change_precedence=tuple(reversed(POLICY.change_precedence)))
    flipped = changes.classify(
        replace(CATALOGUE, policy=reversed_policy), side("business", "year"), side("team", "month")
    )
    assert flipped.kinds == tuple(reversed(decided.kinds))
    assert flipped.rule == POLICY.changes[flipped.kinds[0]]


def test_a_change_that_changes_nothing_is_refused_with_a_field_path() -> None:
    with pytest.raises(changes.NoChange) as caught:
        changes.classify(
            CATALOGUE,
            side("team", "month", extra_seat=2),
            side("team", "month", extra_seat=2, extra_storage=0),
        )
    assert caught.value.field == "new"
    assert changes.kinds_of(CATALOGUE, side("team", "year"), side("team", "year")) == ()


def test_every_kind_the_classification_returns_is_a_catalogue_kind() -> None:
    found: set[str] = set()
    for (a, b), (_p, addon, q0, q1) in product(PAIRS, ADDON_CHANGES[:4]):
        found |= set(changes.kinds_of(CATALOGUE, side(*a, **{addon: q0}), side(*b, **{addon: q1})))
    assert found <= set(CHANGE_KINDS)
    assert found >= {"upgrade", "downgrade", "monthly_to_annual", "annual_to_monthly"}
