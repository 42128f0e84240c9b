"""Add-ons: itemised totals, availability rules, and mid-period changes via the proration engine."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.commands.addons import price_addons, proration_request
from calculators.requests.catalogue import read_catalogue_file

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.json"
CATALOGUE = read_catalogue_file(FIXTURE)


def run(**request: Any) -> dict[str, Any]:
    request.setdefault("currency", "USD")
    request.setdefault("interval", "month")
    response = price_addons(request, catalogue=CATALOGUE)
    assert "errors" not in response, response
    return response


def test_itemised_total() -> None:
    response = run(plan="team", addons={"extra_storage": 2, "sso": 1})
    assert [
        (line["kind"], line["id"], line["quantity"], line["unit_price"], line["amount"])
        for line in response["lines"]
    ] == [
        ("plan", "team", 1, "29.00", "29.00"),
        ("addon", "extra_storage", 2, "10.00", "20.00"),
        ("addon", "sso", 1, "30.00", "30.00"),
    ]
    assert response["lines"][1]["grants"] == "Storage: +200 GB"
    assert response["lines"][2]["grants"] == "Single sign-on (SAML)"
    assert response["lines"][0]["grants"].startswith("Monthly bandwidth: 1,000 GB,")
    assert response["total"] == "79.00"
    assert response["totals"] == {"month": "79.00", "year": "790.00"}
    storage = next(item for item in response["limits"] if item["resource"] == "storage")
    assert storage == {
        "resource": "storage",
        "label": "Storage",
        "unit": "GB",
        "plan": 100,
        "added": 200,
        "total": 300,
    }
    assert {f["feature"]: f["source"] for f in response["features"]} == {
        "custom_domains": "plan",
        "daily_backups": "plan",
        "sso": "addon",
        "staging": "plan",
    }
    assert response["change"] is None


def test_lines_follow_catalogue_order_and_skip_zero_quantities() -> None:
    first = run(plan="business", addons={"extra_seat": 3, "extra_storage": 1, "extra_bandwidth": 0})
    second = run(plan="business", addons={"extra_storage": 1, "extra_seat": 3})
    assert first == second
    assert [line["id"] for line in first["lines"]] == ["business", "extra_storage", "extra_seat"]


@pytest.mark.parametrize(
    ("currency", "interval", "plan", "addons", "total"),
    [
        ("USD", "year", "team", {"extra_seat": 5}, "690.00"),  # 290 + 5 x 80
        ("JPY", "month", "starter", {"extra_storage": 3, "daily_backups": 1}, "6650"),
        ("EUR", "month", "scale", {}, "185.00"),
        ("GBP", "month", "team", {"extra_storage": 20}, "184.00"),  # the maximum
        ("USD", "month", "team", {"extra_seat": 50, "extra_processing": 8}, "629.00"),
    ],
)
def test_totals(
    currency: str, interval: str, plan: str, addons: dict[str, int], total: str
) -> None:
    response = run(currency=currency, interval=interval, plan=plan, addons=addons)
    assert response["total"] == total
    assert response["totals"][interval] == total


@pytest.mark.parametrize(
    ("request_", "errors"),
    [
        (
            {"plan": "starter", "addons": {"sso": 1}},
            [
                (
                    "addons.sso",
                    "Single sign-on is not available on Starter; it can be bought on: Team",
                )
            ],
        ),
        (
            {"plan": "starter", "addons": {"extra_bandwidth": 1}},
            [
                (
                    "addons.extra_bandwidth",
                    "Extra bandwidth is not available on Starter; it can be "
                    "bought on: Team, Business, Scale",
                )
            ],
        ),
        (
            {"plan": "business", "addons": {"sso": 1}},
            [
                (
                    "addons.sso",
                    "Single sign-on is already included in Business; it cannot be bought "
                    "on this plan",
                )
            ],
        ),
        (
            {"plan": "team", "addons": {"daily_backups": 1}},
            [
                (
                    "addons.daily_backups",
                    "Daily backups is already included in Team; it cannot be bought on this plan",
                )
            ],
        ),
        (
            {"plan": "team", "addons": {"extra_storage": 21}},
            [("addons.extra_storage", "at most 20 of Extra storage can be bought, got 21")],
        ),
        (
            {"plan": "team", "addons": {"sso": 2}},
            [("addons.sso", "at most 1 of Single sign-on can be bought, got 2")],
        ),
        (
            {"plan": "team", "addons": {"extra_gpu": 1}},
            [
                (
                    "addons.extra_gpu",
                    "unknown add-on 'extra_gpu'; the catalogue has: extra_storage, "
                    "extra_bandwidth, extra_processing, extra_seat, daily_backups, "
                    "sso",
                )
            ],
        ),
    ],
)
def test_availability_errors(request_: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    response = price_addons(request_, catalogue=CATALOGUE)
    assert [(e["field"], e["message"]) for e in response["errors"]] == errors


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (42, [""]),
        ({}, ["plan", "addons"]),
        ({"plan": "enterprise", "addons": {}}, ["plan"]),
        ({"plan": "gold", "addons": {}}, ["plan"]),
        ({"plan": "team", "addons": []}, ["addons"]),
        ({"plan": "team", "addons": {"extra_seat": -1}}, ["addons.extra_seat"]),
        ({"plan": "team", "addons": {"extra_seat": 1.5}}, ["addons.extra_seat"]),
        ({"plan": "team", "addons": {"extra_seat": None}}, ["addons.extra_seat"]),
        ({"plan": "team", "addons": {}, "currency": "usd"}, ["currency"]),
        ({"plan": "team", "addons": {}, "interval": "quarter"}, ["interval"]),
        ({"plan": "team", "addons": {}, "change": {}}, ["change.period_start", "change.change_at"]),
        (
            {
                "plan": "team",
                "addons": {},
                "change": {"period_start": 5, "change_at": "x", "from": {"sso": 2}},
            },
            ["change.period_start", "change.from.sso"],
        ),
        (
            {"plan": "starter", "addons": {"sso": 1, "extra_storage": 99}, "currency": "XXX"},
            ["addons.sso", "addons.extra_storage", "currency"],
        ),
    ],
)
def test_errors_name_every_field(request_: Any, fields: list[str]) -> None:
    response = price_addons(request_, catalogue=CATALOGUE)
    assert list(response) == ["errors"]
    assert sorted(e["field"] for e in response["errors"]) == sorted(fields)


# --------------------------------------------------------------------------------------------
# Mid-period changes: priced by the proration engine


def test_proration_request_is_a_quantity_change_under_the_catalogue_policy() -> None:
    addon = CATALOGUE.addon("extra_storage")
    request = proration_request(
        CATALOGUE,
        addon,
        currency="USD",
        interval="month",
        change_at="2026-03-14",
        period_start="2026-03-01",
        period_end=None,
        before=1,
        after=3,
    )
    assert request == {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {
            "price": "10.00",
            "quantity": 1,
            "interval": "month",
            "interval_count": 1,
            "period_start": "2026-03-01",
        },
        "new": {"price": "10.00", "quantity": 3, "interval": "month", "interval_count": 1},
        "policy": CATALOGUE.policy.request_policy("addon_added", "USD"),
    }
    removal = proration_request(
        CATALOGUE,
        addon,
        currency="USD",
        interval="month",
        change_at="2026-03-14",
        period_start="2026-03-01",
        period_end="2026-04-01",
        before=3,
        after=0,
    )
    assert removal["policy"]["apply"] == "period_end"
    assert removal["current"]["period_end"] == "2026-04-01"


def test_change_calls_the_engine_once_per_changed_add_on(monkeypatch: pytest.MonkeyPatch) -> None:
    proration = pytest.importorskip("calculators.commands.prorate")
    calls: list[dict[str, Any]] = []

    def fake(request: dict[str, Any]) -> dict[str, Any]:
        calls.append(request)
        return {"due_now": "1.00", "credit_to_balance": "0.25", "refund": "0.00", "lines": []}

    monkeypatch.setattr(proration, "prorate", fake)
    response = run(
        plan="team",
        addons={"extra_storage": 3, "extra_seat": 1},
        change={
            "period_start": "2026-03-01",
            "change_at": "2026-03-14",
            "from": {"extra_seat": 2, "extra_storage": 3, "sso": 1},
        },
    )
    assert [
        (c["current"]["quantity"], c["new"]["quantity"], c["policy"]["apply"]) for c in calls
    ] == [(2, 1, "period_end"), (1, 0, "period_end")]
    change = response["change"]
    assert [
        (item["addon"], item["from"], item["to"], item["kind"]) for item in change["addons"]
    ] == [
        # A seat add-on is a seat change (as in every other calculator); SSO an add-on change.
        ("extra_seat", 2, 1, "seats_removed"),
        ("sso", 1, 0, "addon_removed"),
    ]
    assert (change["due_now"], change["credit_to_balance"], change["refund"]) == (
        "2.00",
        "0.50",
        "0.00",
    )


def test_no_engine_call_when_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    proration = pytest.importorskip("calculators.commands.prorate")

    def fail(request: object) -> dict[str, Any]:
        raise AssertionError("the engine must not be called")

    monkeypatch.setattr(proration, "prorate", fail)
    response = run(
        plan="team",
        addons={"extra_storage": 1},
        change={
            "period_start": "2026-03-01",
            "change_at": "2026-03-14",
            "from": {"extra_storage": 1},
        },
    )
    assert response["change"]["addons"] == []
    assert response["change"]["due_now"] == "0.00"


def test_mid_period_change_with_the_real_engine() -> None:
    proration = pytest.importorskip("calculators.commands.prorate")
    response = run(
        plan="team",
        addons={"extra_storage": 3},
        change={
            "period_start": "2026-03-01",
            "change_at": "2026-03-14",
            "from": {"extra_storage": 1},
        },
    )
    item = response["change"]["addons"][0]
    direct = proration.prorate(
        proration_request(
            CATALOGUE,
            CATALOGUE.addon("extra_storage"),
            currency="USD",
            interval="month",
            change_at="2026-03-14",
            period_start="2026-03-01",
            period_end=None,
            before=1,
            after=3,
        )
    )
    assert item["proration"] == direct
    # 18 of 31 days: credit 1 x 10.00 paid, charge 3 x 10.00.
    assert [line["amount"] for line in direct["lines"]] == ["-5.81", "17.42"]
    assert response["change"]["due_now"] == direct["due_now"] == "11.61"
    assert response["total"] == "59.00"


def test_engine_errors_come_back_on_the_change_fields() -> None:
    response = price_addons(
        {
            "plan": "team",
            "addons": {"extra_storage": 2},
            "change": {"period_start": "2026-02-30", "change_at": "2026-03-14"},
        },
        catalogue=CATALOGUE,
    )
    assert [e["field"] for e in response["errors"]] == ["change.period_start"]
    response = price_addons(
        {
            "plan": "team",
            "addons": {"extra_storage": 2},
            "change": {"period_start": "2026-03-01", "change_at": "2026-05-14"},
        },
        catalogue=CATALOGUE,
    )
    assert response["errors"][0]["field"].startswith("change.")


# --------------------------------------------------------------------------------------------
# Properties


@st.composite
def valid_orders(draw: st.DrawFn) -> tuple[str, str, str, dict[str, int]]:
    plan = draw(st.sampled_from(CATALOGUE.self_serve_plans))
    currency = draw(st.sampled_from(sorted(CATALOGUE.currencies)))
    interval = draw(st.sampled_from(list(CATALOGUE.intervals)))
    buyable = [
        a for a in CATALOGUE.addons if plan.id in a.available_on and plan.id not in a.included_in
    ]
    quantities = {
        a.id: draw(st.integers(0, a.max_quantity)) for a in buyable if draw(st.booleans())
    }
    return plan.id, currency, interval, quantities


@settings(max_examples=200, deadline=None)
@given(order=valid_orders())
def test_total_is_plan_plus_quantity_times_price(
    order: tuple[str, str, str, dict[str, int]],
) -> None:
    plan_id, currency, interval, quantities = order
    response = run(plan=plan_id, currency=currency, interval=interval, addons=quantities)
    expected = CATALOGUE.plan(plan_id).price(currency, interval) + sum(
        (CATALOGUE.addon(a).price(currency, interval) * q for a, q in quantities.items()),
        Decimal(0),
    )
    assert Decimal(response["total"]) == expected
    assert sum(Decimal(line["amount"]) for line in response["lines"]) == expected
    digits = CATALOGUE.currency(currency).minor_unit
    for line in response["lines"]:
        text = line["amount"]
        assert ("." in text) is (digits > 0)
        assert digits == 0 or len(text.split(".")[1]) == digits
    assert json.dumps(response) == json.dumps(
        run(plan=plan_id, currency=currency, interval=interval, addons=quantities)
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
near_requests = st.fixed_dictionaries(
    {
        "plan": st.sampled_from(["starter", "team", "enterprise", "x"]) | json_values,
        "addons": st.dictionaries(
            st.sampled_from([a.id for a in CATALOGUE.addons] + ["x"]),
            json_values | st.integers(-3, 60),
            max_size=4,
        ),
    },
    optional={
        "currency": json_values,
        "interval": json_values,
        "change": st.fixed_dictionaries(
            {
                "period_start": st.sampled_from(["2026-03-01", "2026-13-01"]) | json_values,
                "change_at": st.sampled_from(["2026-03-14", "2025-01-01"]) | json_values,
            },
            optional={"from": json_values, "period_end": json_values},
        ),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=json_values | near_requests)
def test_garbage_never_raises(request: Any) -> None:
    response = price_addons(request, catalogue=CATALOGUE)
    json.dumps(response)
    if "errors" in response:
        assert all(set(e) == {"field", "message"} for e in response["errors"])
