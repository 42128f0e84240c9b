"""Growth planning: compounding and rounding, run-out months, cheapest paths, chart, errors."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.commands.growth import project
from calculators.domain.plans import Needs, fit_cost, fit_plan
from calculators.requests.catalogue import read_catalogue_file
from calculators.web.growth_chart import render_chart_svg

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.json"
CATALOGUE = read_catalogue_file(FIXTURE)
RESOURCES = [r.id for r in CATALOGUE.resources]
SVG = "{http://www.w3.org/2000/svg}"


def run(**request: Any) -> dict[str, Any]:
    request.setdefault("currency", "USD")
    request.setdefault("interval", "month")
    response = project(request, catalogue=CATALOGUE)
    assert "errors" not in response, response
    return response


def series(response: dict[str, Any], rid: str) -> list[int]:
    return [m["usage"][rid] for m in response["months"]]


def plan_row(response: dict[str, Any], plan: str) -> dict[str, Any]:
    return next(p for p in response["plans"] if p["plan"] == plan)


# --------------------------------------------------------------------------------------------
# Projection


def test_compounding_is_exact_and_rounds_up_each_month() -> None:
    response = run(usage={"storage": 100}, growth={"rate_percent": "10"}, horizon_months=6)
    # 100 x 1.1^m = 100, 110, 121, 133.1, 146.41, 161.051, 177.1561; rounded up. Month 4 is
    # 147, not 148 as compounding the rounded 134 would give.
    assert series(response, "storage") == [100, 110, 121, 134, 147, 162, 178]
    assert series(response, "seats") == [0] * 7


def test_zero_growth() -> None:
    response = run(
        plan="team",
        usage={"storage": 50, "seats": 3},
        growth={"rate_percent": "0"},
        horizon_months=12,
    )
    assert series(response, "storage") == [50] * 13
    assert plan_row(response, "team")["runs_out"] == dict.fromkeys(RESOURCES)
    assert plan_row(response, "team")["first_month_without_fit"] is None
    recommendation = response["recommendation"]
    assert recommendation["kind"] == "stay"
    assert recommendation["total"] == "348.00"  # 12 x 29.00
    assert recommendation["path"] == ["team"]
    assert recommendation["addons_note"] is None
    assert response["contact_sales"] is None


def test_rates_per_resource_and_decline() -> None:
    response = run(
        usage={"storage": 100, "seats": 10},
        growth={"rates_percent": {"storage": "2.5", "seats": "-10"}},
        horizon_months=3,
    )
    assert response["growth"] == {
        "rates_percent": {
            "bandwidth": "0",
            "processing": "0",
            "projects": "0",
            "seats": "-10",
            "storage": "2.5",
        }
    }
    # 100 x 1.025^m = 102.5, 105.0625, 107.6890625; seats 9, 8.1, 7.29.
    assert series(response, "storage") == [100, 103, 106, 108]
    assert series(response, "seats") == [10, 9, 9, 8]


def test_forecast_is_linear_between_points_then_flat() -> None:
    response = run(
        usage={"storage": 100, "seats": 2},
        growth={
            "forecast": [
                {"month": 3, "usage": {"storage": 200}},
                {"month": 5, "usage": {"storage": 150, "seats": 7}},
            ]
        },
        horizon_months=7,
    )
    # storage: 100 → 200 over 3 months (133.3, 166.7 rounded up), then down to 150, then flat.
    assert series(response, "storage") == [100, 134, 167, 200, 175, 150, 150, 150]
    # seats: only known at month 5: a line from 2 today.
    assert series(response, "seats") == [2, 3, 4, 5, 6, 7, 7, 7]


def test_runs_out_months() -> None:
    response = run(
        plan="team",
        usage={"storage": 80, "bandwidth": 600, "processing": 2, "seats": 4, "projects": 5},
        growth={"rate_percent": "8"},
        horizon_months=12,
    )
    team = plan_row(response, "team")
    assert series(response, "storage")[:4] == [80, 87, 94, 101]
    assert team["runs_out"] == {
        "bandwidth": 7,
        "processing": 1,
        "projects": 10,
        "seats": 3,
        "storage": 3,
    }
    # Projects cannot be bought as an add-on: Team is outgrown at month 10.
    assert team["runs_out_with_addons"] == {
        "bandwidth": None,
        "processing": None,
        "projects": 10,
        "seats": None,
        "storage": None,
    }
    assert team["first_month_without_fit"] == 10
    assert plan_row(response, "enterprise")["runs_out"] == dict.fromkeys(RESOURCES)


# --------------------------------------------------------------------------------------------
# Paths


def test_cheapest_path_is_stay_with_add_ons_then_upgrade() -> None:
    response = run(
        plan="team",
        usage={"storage": 80, "bandwidth": 600, "processing": 2, "seats": 4, "projects": 5},
        growth={"rate_percent": "8"},
        horizon_months=12,
    )
    recommendation = response["recommendation"]
    assert recommendation["kind"] == "upgrade_at"
    assert recommendation["path"] == ["team", "business"]
    assert recommendation["total"] == "877.00"
    assert [m["cost"] for m in recommendation["months"]][:6] == [
        "54.00",
        "54.00",
        "72.00",
        "72.00",
        "72.00",
        "79.00",
    ]
    assert recommendation["reason"].startswith(
        "Over months 1 to 12, the cheapest path is to stay on Team for months 1 to 5, then "
        "upgrade to Business from month 6, adding add-ons as usage needs them: $877.00 in total. "
        "The next cheapest alternative (move to Business now and keep it for months 1 to 12) "
        "costs $948.00, $71.00 more."
    )
    paths = response["paths"]
    assert [(p["kind"], p["plans"], p["total"]) for p in paths] == [
        ("upgrade_at", ["team", "business"], "877.00"),
        ("move_now", ["business"], "948.00"),
        ("upgrade_at", ["team", "scale"], "1302.00"),
        ("move_now", ["scale"], "2388.00"),
        ("stay", ["team"], None),
        ("move_now", ["starter"], None),
    ]
    assert paths[0]["recommended"] is True
    assert paths[0]["upgrade_month"] == 6
    assert paths[1]["more_than_cheapest"] == "71.00"
    assert paths[4]["fails_at_month"] == 10
    assert "Projects: 11 needed; Team holds 10 (1 short)" in paths[4]["description"]


def test_move_now_when_it_is_cheapest() -> None:
    response = run(
        plan="starter", usage={"seats": 3}, growth={"rate_percent": "0"}, horizon_months=3
    )
    assert response["recommendation"]["kind"] == "move_now"
    assert response["recommendation"]["path"] == ["team"]
    assert response["recommendation"]["total"] == "87.00"


def test_without_a_current_plan_every_start_is_free() -> None:
    response = run(usage={"storage": 10}, growth={"rate_percent": "0"}, horizon_months=2)
    assert response["plan"] is None
    assert response["recommendation"]["path"] == ["starter"]
    assert response["recommendation"]["kind"] == "move_now"
    assert response["recommendation"]["total"] == "18.00"


def test_yearly_prices_are_spread_over_twelve_months() -> None:
    response = run(
        interval="year",
        plan="team",
        usage={"seats": 3},
        growth={"rate_percent": "0"},
        horizon_months=12,
    )
    assert response["recommendation"]["total"] == "290.00"
    assert response["recommendation"]["months"][0]["cost"] == "24.17"  # 290 / 12
    assert "spread evenly over 12 months" in response["rounding"]


def test_growth_that_outruns_every_plan_goes_to_contact_sales() -> None:
    response = run(
        currency="EUR",
        interval="year",
        usage={"storage": 1500, "seats": 30},
        growth={"rates_percent": {"storage": "20"}},
        horizon_months=12,
    )
    assert series(response, "storage")[5:7] == [3733, 4479]
    sales = response["contact_sales"]
    assert sales["plan"] == "enterprise"
    assert sales["from_month"] == 6
    assert (
        "Scale holds 2,000 GB, and at most 4,000 GB with every add-on, still 479 GB short"
        in (sales["reason"])
    )
    assert "sales@lumen-cloud.example" in sales["reason"]
    recommendation = response["recommendation"]
    assert recommendation["kind"] == "contact_sales"
    assert recommendation["plan"] == "enterprise"
    # Until month 6, Scale with growing storage blocks is the only path.
    assert recommendation["path"] == ["scale"]
    assert [m["month"] for m in recommendation["months"]] == [1, 2, 3, 4, 5]
    assert recommendation["months"][-1]["addons"] == [{"addon": "extra_storage", "quantity": 18}]
    assert plan_row(response, "scale")["runs_out_with_addons"]["storage"] == 6


def test_outgrown_from_the_first_month() -> None:
    response = run(usage={"storage": 5000}, growth={"rate_percent": "1"}, horizon_months=3)
    assert response["paths"] == []
    assert response["contact_sales"]["from_month"] == 1
    assert response["recommendation"]["kind"] == "contact_sales"
    assert response["recommendation"]["total"] is None


# --------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (None, [""]),
        ({}, ["usage", "growth"]),
        ({"usage": {}, "growth": {}}, ["growth"]),
        ({"usage": {}, "growth": {"rate_percent": "1", "forecast": []}}, ["growth"]),
        ({"usage": {}, "growth": {"rate_percent": 8.5}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rate_percent": "eight"}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rate_percent": "1e3"}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rate_percent": "-100"}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rate_percent": "1001"}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rate_percent": "1.1234567"}}, ["growth.rate_percent"]),
        ({"usage": {}, "growth": {"rates_percent": {"disk": "3"}}}, ["growth.rates_percent.disk"]),
        ({"usage": {}, "growth": {"rates_percent": ["3"]}}, ["growth.rates_percent"]),
        ({"usage": {}, "growth": {"forecast": []}}, ["growth.forecast"]),
        (
            {
                "usage": {},
                "growth": {"forecast": [{"month": 2, "usage": {}}, {"month": 2, "usage": {}}]},
            },
            ["growth.forecast[1].month"],
        ),
        (
            {"usage": {}, "growth": {"forecast": [{"month": 13, "usage": {"storage": 1}}]}},
            ["growth.forecast[0].month"],
        ),
        (
            {"usage": {}, "growth": {"forecast": [{"month": 1, "usage": {"storage": -1}}]}},
            ["growth.forecast[0].usage.storage"],
        ),
        ({"usage": {}, "growth": {"forecast": [{"usage": {}}]}}, ["growth.forecast[0].month"]),
        ({"usage": {"storage": -5}, "growth": {"rate_percent": "1"}}, ["usage.storage"]),
        ({"usage": {"storage": 1.5}, "growth": {"rate_percent": "1"}}, ["usage.storage"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "horizon_months": 61}, ["horizon_months"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "horizon_months": 0}, ["horizon_months"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "plan": "gold"}, ["plan"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "plan": "enterprise"}, ["plan"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "currency": "XYZ"}, ["currency"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "interval": "week"}, ["interval"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "features": ["x"]}, ["features[0]"]),
        ({"usage": {}, "growth": {"rate_percent": "1"}, "horizon": 5}, ["horizon"]),
        ({"usage": {"storage": 10**12}, "growth": {"rate_percent": "1000"}}, ["growth"]),
    ],
)
def test_errors_name_every_field(request_: Any, fields: list[str]) -> None:
    response = project(request_, catalogue=CATALOGUE)
    assert list(response) == ["errors"]
    assert [e["field"] for e in response["errors"]] == fields


# --------------------------------------------------------------------------------------------
# Chart


def _chart(response: dict[str, Any], rid: str = "storage") -> tuple[str, ET.Element]:
    svg = render_chart_svg(response, resource=rid)
    return svg, ET.fromstring(svg)


def test_chart_is_accessible_and_theme_neutral() -> None:
    response = run(plan="team", usage={"storage": 80}, growth={"rate_percent": "8"})
    svg, root = _chart(response)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    # Named by its own <title> and aria-label, with no ids: a page may hold several charts.
    assert root.get("aria-label") == title.text
    assert not any(element.get("id") for element in root.iter())
    assert title.text == "Storage (GB) over 12 months against plan limits"
    assert desc.text is not None
    assert desc.text.startswith("Storage grows from 80 GB today to 202 GB in month 12.")
    assert "Team's limit of 100 GB is exceeded in month 3." in desc.text
    assert "currentColor" in svg
    assert "var(--md-primary-fg-color, #4051b5)" in svg
    lowered = svg.lower()
    for colour in ("#000", "#fff", "black", "white", "<rect"):
        assert colour not in lowered
    # One usage point per month, each with its own tooltip.
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 13
    assert render_chart_svg(response, resource="storage") == svg


def test_chart_escapes_every_text() -> None:
    response = run(usage={"storage": 80}, growth={"rate_percent": "8"})
    hostile = json.loads(json.dumps(response))
    hostile["resources"][-1]["label"] = "<script>alert('x')</script>"
    hostile["plans"][1]["name"] = "Team & <b>Co</b>"
    svg, root = _chart(hostile)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    assert root.find(f"{SVG}title") is not None


def test_chart_for_missing_data_says_so() -> None:
    svg, root = _chart({"errors": [{"field": "usage", "message": "bad"}]})
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Chart unavailable"
    svg, root = _chart(run(usage={}, growth={"rate_percent": "1"}), rid="<nope>")
    assert "&lt;nope&gt;" in svg
    assert root.get("role") == "img"


def test_chart_mentions_contact_sales() -> None:
    response = run(usage={"storage": 1500}, growth={"rate_percent": "20"}, horizon_months=12)
    _, root = _chart(response)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert desc.text.endswith("From month 6 no self-serve plan holds the usage, even with add-ons.")


# --------------------------------------------------------------------------------------------
# Properties


def _brute_force_cheapest(request: dict[str, Any], response: dict[str, Any]) -> Decimal | None:
    """Every path that starts anywhere and then only moves up, priced month by month."""
    months = [m["usage"] for m in response["months"]][1:]
    plans = CATALOGUE.self_serve_plans
    costs = []
    for usage in months:
        row = {}
        for plan in plans:
            fit = fit_plan(
                CATALOGUE, plan, Needs(usage, (), None), currency="USD", interval="month"
            )
            if fit.fits:
                cost = fit_cost(fit, currency="USD", interval="month")
                assert cost is not None
                row[plan.rank] = cost
        costs.append(row)
    best = None
    for ranks in itertools.product(range(len(plans)), repeat=len(months)):
        if any(a > b for a, b in itertools.pairwise(ranks)):
            continue
        if any(r not in costs[i] for i, r in enumerate(ranks)):
            continue
        total = sum((costs[i][r] for i, r in enumerate(ranks)), Decimal(0))
        best = total if best is None or total < best else best
    return best


@settings(max_examples=60, deadline=None)
@given(
    storage=st.integers(0, 2500),
    seats=st.integers(0, 60),
    processing=st.integers(0, 20),
    rate=st.integers(0, 60),
    horizon=st.integers(1, 5),
    current=st.none() | st.sampled_from(["starter", "team", "business", "scale"]),
)
def test_recommended_path_is_the_cheapest_monotone_path(
    storage: int, seats: int, processing: int, rate: int, horizon: int, current: str | None
) -> None:
    request = {
        "usage": {"storage": storage, "seats": seats, "processing": processing},
        "growth": {"rate_percent": str(rate)},
        "horizon_months": horizon,
        "plan": current,
    }
    response = run(**request)
    for month, item in enumerate(response["months"]):
        factor = (1 + Fraction(rate, 100)) ** month
        assert item["usage"]["storage"] == math.ceil(storage * factor)
    if response["contact_sales"] is not None:
        return
    expected = _brute_force_cheapest(request, response)
    assert expected is not None
    assert Decimal(response["recommendation"]["total"]) == expected
    assert all(Decimal(p["total"]) >= expected for p in response["paths"] if p["feasible"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
near_requests = st.fixed_dictionaries(
    {
        "usage": st.dictionaries(st.sampled_from([*RESOURCES, "x"]), json_values, max_size=4),
        "growth": st.dictionaries(
            st.sampled_from(["rate_percent", "rates_percent", "forecast"]), json_values, max_size=2
        ),
    },
    optional={"horizon_months": json_values, "plan": json_values, "interval": json_values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=json_values | near_requests)
def test_garbage_never_raises(request: Any) -> None:
    response = project(request, catalogue=CATALOGUE)
    json.dumps(response)
    svg = render_chart_svg(response, resource="storage")
    ET.fromstring(svg)


@settings(max_examples=40, deadline=None)
@given(
    storage=st.integers(0, 5000),
    rate=st.integers(-50, 80),
    horizon=st.integers(1, 24),
    interval=st.sampled_from(["month", "year"]),
)
def test_response_and_chart_are_json_and_deterministic(
    storage: int, rate: int, horizon: int, interval: str
) -> None:
    request = {
        "interval": interval,
        "usage": {"storage": storage, "seats": 2},
        "growth": {"rate_percent": str(rate)},
        "horizon_months": horizon,
    }
    first = run(**request)
    assert json.dumps(first) == json.dumps(run(**json.loads(json.dumps(request))))
    svg = render_chart_svg(first, resource="storage")
    assert svg == render_chart_svg(json.loads(json.dumps(first)), resource="storage")
    ET.fromstring(svg)
