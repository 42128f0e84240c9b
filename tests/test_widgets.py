"""Page widgets: untrusted form and URL input is read by one set of rules, never trusted."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from calculators import web
from calculators.domain.catalogue import Catalogue
from calculators.web import widgets

TODAY = date(2026, 3, 16)


def evaluate(catalogue: Catalogue, **params: str) -> dict[str, object]:
    return widgets.evaluate("proration", params, catalogue, today=TODAY)


def error_fields(result: dict[str, object]) -> list[str]:
    errors = result["errors"]
    assert isinstance(errors, list)
    return [e["field"] for e in errors]


def test_defaults_give_a_result_with_the_headline_figures(catalogue: Catalogue) -> None:
    result = evaluate(catalogue)
    assert result["errors"] == []
    html = result["html"]
    assert isinstance(html, str)
    for name in ("due_now", "credit_to_balance", "next_invoice"):
        assert f'data-field="{name}"' in html
    assert result["figures"] == {
        # 16 of 31 March days, each line rounded: 79.00 x 16/31 = 40.77, 29.00 x 16/31 = 14.97
        "due_now": "$25.80",
        "credit_to_balance": "$0.00",
        "next_invoice": "$79.00 on 1 Apr 2026",
    }


def test_a_downgrade_credits_the_balance(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, from_plan="business", to_plan="team")
    assert result["figures"]["due_now"] == "$0.00"  # type: ignore[index]
    assert result["figures"]["credit_to_balance"] == "$25.80"  # type: ignore[index]


HOSTILE = [
    ("to_plan", "<script>alert(1)</script>"),
    ("to_plan", "gold"),
    ("from_plan", '" onmouseover="alert(1)'),
    ("change_at", "2026-02-30"),
    ("change_at", "\uff12\uff10\uff12\uff16-03-16"),  # full-width digits
    ("change_at", "16/03/2026"),
    ("change_at", "2026-03-16T00:00:00Z<img src=x>"),
    ("period_start", "NaN"),
    ("currency", "XXX"),
    ("currency", "usd"),
    ("from_interval", "fortnight"),
    ("change_at", "9" * 10_000),
    ("change_at", "-2026-03-16"),
    ("period_start", "1e3"),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE)
def test_hostile_inputs_become_field_errors(catalogue: Catalogue, field: str, value: str) -> None:
    result = evaluate(catalogue, **{field: value})
    assert error_fields(result) == [field]
    assert result["html"] is None
    message = result["errors"][0]["message"]  # type: ignore[index]
    assert len(message) < 200


def test_a_change_outside_the_period_names_the_change_date(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, change_at="2026-04-02")
    assert error_fields(result) == ["change_at"]


def test_every_problem_is_reported_at_once(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, to_plan="gold", change_at="2026-13-01", currency="")
    assert sorted(error_fields(result)) == ["change_at", "currency", "to_plan"]


def test_unknown_parameters_and_non_string_values_are_harmless(catalogue: Catalogue) -> None:
    result = widgets.evaluate(
        "proration", {"evil": "<b>", "to_plan": ["scale"]}, catalogue, today=TODAY
    )
    assert result["errors"] == []
    assert "evil" not in result["params"]  # type: ignore[operator]
    assert widgets.evaluate("nope", {}, catalogue, today=TODAY)["errors"]


def test_rendered_html_escapes_everything_it_is_given(catalogue: Catalogue) -> None:
    from calculators.web import proration_html as render

    html = render.proration_result(
        {
            "currency": "USD",
            "lines": [
                {
                    "kind": "<x>",
                    "description": "<script>",
                    "quantity": 1,
                    "unit_price": "1.00",
                    "start": "2026-03-01",
                    "end": "2026-04-01",
                    "factor": "1",
                    "amount": "1.00",
                }
            ],
            "subtotal": "1.00",
            "tax": "0.00",
            "total": "1.00",
            "due_now": "1.00",
            "credit_to_balance": "0.00",
            "refund": "0.00",
            "next_invoice": {"date": "2026-04-01", "amount": "1.00"},
            "explanation": ["<img src=x onerror=alert(1)>"],
            "minimum_charge_deferred": False,
        },
        catalogue,
        scenario="<b>bold</b>",
    ).html
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_the_worker_entry_point_speaks_json(catalogue: Catalogue) -> None:
    evaluate_json = web.session(catalogue.to_json())
    out = json.loads(evaluate_json("proration", json.dumps({"to_plan": "scale"}), "2026-03-16"))
    direct = widgets.evaluate("proration", {"to_plan": "scale"}, catalogue, today=TODAY)
    assert out == direct
    broken = json.loads(evaluate_json("proration", "not json", "2026-03-16"))
    assert broken["errors"][0]["field"] == ""


# --------------------------------------------------------------------------------------------
# The proration widget answers through the change command; its credit balance field


def test_the_widget_answers_with_the_change_command(catalogue: Catalogue) -> None:
    from calculators import api

    params = {
        "from_plan": "team",
        "to_plan": "business",
        "period_start": "2026-03-01",
        "change_at": "2026-03-16",
        "credit_balance": "10.00",
    }
    _outcome, response = widgets.evaluate_with_response("proration", params, catalogue, today=TODAY)
    request = {
        "currency": "USD",
        "change_at": "2026-03-16",
        "current": {
            "plan": "team",
            "interval": "month",
            "period_start": "2026-03-01",
            "credit_balance": "10.00",
        },
        "new": {"plan": "business", "interval": "month"},
    }
    assert response == api.run("change", request, catalogue=catalogue)


def test_a_credit_balance_reduces_due_today_then_the_next_invoice(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, credit_balance="30.00")
    assert result["errors"] == []
    # 25.80 due today is paid from the balance; the 4.20 left pays part of the next 79.00.
    assert result["figures"] == {
        "due_now": "$0.00",
        "credit_applied": "$25.80",
        "credit_to_balance": "$0.00",
        "next_invoice": "$74.80 on 1 Apr 2026 ($79.00 less $4.20 from your credit balance)",
        "credit_balance_after": "$4.20",
    }
    html = result["html"]
    assert isinstance(html, str)
    assert 'data-field="credit_applied">$25.80<' in html
    assert "Credit balance after the change: $4.20" in result["text"]  # type: ignore[operator]
    small = evaluate(catalogue, credit_balance="5")
    assert small["figures"]["due_now"] == "$20.80"  # type: ignore[index]


def test_an_empty_credit_balance_shows_the_figures_without_it(catalogue: Catalogue) -> None:
    assert evaluate(catalogue, credit_balance="")["figures"] == evaluate(catalogue)["figures"]
    zero = evaluate(catalogue, credit_balance="0")
    assert zero["figures"]["credit_applied"] == "$0.00"  # type: ignore[index]


@pytest.mark.parametrize("value", ["-5", "lots", "1e3", "12.345678"])
def test_a_bad_credit_balance_is_a_field_error(catalogue: Catalogue, value: str) -> None:
    assert error_fields(evaluate(catalogue, credit_balance=value)) == ["credit_balance"]


def test_a_credit_balance_in_yen_has_no_decimals(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, currency="JPY", credit_balance="10.50")
    assert error_fields(result) == ["credit_balance"]


def test_the_same_plan_and_billing_is_no_change(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, to_plan="team")
    assert error_fields(result) == ["to_plan"]


def test_a_downgrade_to_monthly_waits_for_the_period_end(catalogue: Catalogue) -> None:
    result = evaluate(
        catalogue,
        from_plan="business",
        from_interval="year",
        to_plan="team",
        to_interval="month",
        period_start="2026-01-10",
    )
    assert result["figures"]["credit_to_balance"] == "$0.00"  # type: ignore[index]
    assert result["figures"]["next_invoice"] == "$29.00 on 10 Jan 2027"  # type: ignore[index]
    html = result["html"]
    assert isinstance(html, str)
    assert "Downgrade: Business (annual) to Team (monthly)" in html


# --------------------------------------------------------------------------------------------
# Form fields come from the catalogue: a new resource gets a field with no code change


def _with_new_resource(catalogue: Catalogue) -> Catalogue:
    import copy

    from calculators.requests.catalogue import parse_catalogue

    data = copy.deepcopy(dict(catalogue.data))
    data["resources"]["gpus"] = {
        "label": "GPUs",
        "unit": "GPUs",
        "description": "Graphics processors for model training.",
    }
    for plan in data["plans"]:
        plan["limits"]["gpus"] = plan["limits"]["seats"] and 2
    # Any per-resource policy table gets an entry like the first resource's.
    for section in data["policy"].values():
        per_resource = section.get("resources") if isinstance(section, dict) else None
        if isinstance(per_resource, dict):
            per_resource["gpus"] = next(iter(per_resource.values()))
    return parse_catalogue(data, source="test")


@pytest.mark.parametrize("name", ["plan-comparison", "growth"])
def test_a_new_catalogue_resource_gets_a_form_field(catalogue: Catalogue, name: str) -> None:
    bigger = _with_new_resource(catalogue)
    fields = {f.name: f for f in widgets.widget_fields(name, bigger)}
    assert [r.id for r in bigger.resources] == [
        n for n in fields if n in {r.id for r in bigger.resources}
    ]
    assert fields["gpus"].label == "GPUs"
    result = widgets.evaluate(name, {"gpus": "3"}, bigger, today=TODAY)
    assert result["errors"] == []
    bad = widgets.evaluate(name, {"gpus": "-1"}, bigger, today=TODAY)
    assert error_fields(bad) == ["gpus"]


def test_a_new_resource_reaches_the_comparison_request(catalogue: Catalogue) -> None:
    bigger = _with_new_resource(catalogue)
    _outcome, response = widgets.evaluate_with_response(
        "plan-comparison", {"gpus": "3"}, bigger, today=TODAY
    )
    assert response["needs"]["gpus"] == 3
    assert widgets.default_params("growth", bigger, TODAY)["gpus"] == "0"


# --------------------------------------------------------------------------------------------
# The proration widget's add-on fields: one pair per catalogue add-on


def test_every_catalogue_add_on_has_a_field_now_and_after(catalogue: Catalogue) -> None:
    names = [f.name for f in widgets.widget_fields("proration", catalogue)]
    for addon in catalogue.addons:
        assert f"{addon.id}_now" in names and f"{addon.id}_new" in names
    fields = {f.name: f for f in widgets.widget_fields("proration", catalogue)}
    assert fields["extra_seat_new"].maximum == catalogue.addon("extra_seat").max_quantity


def test_add_ons_go_into_the_change_request(catalogue: Catalogue) -> None:
    params = {
        "from_plan": "team",
        "to_plan": "team",
        "period_start": "2026-03-01",
        "change_at": "2026-03-11",
        "extra_seat_now": "1",
        "extra_seat_new": "3",
        "extra_storage_now": "2",
    }
    _outcome, response = widgets.evaluate_with_response("proration", params, catalogue, today=TODAY)
    assert response["kinds"] == ["seats_added"]
    # Team 29.00 + 1 seat 8.00 + 2 × 10.00 of storage now; the storage is kept.
    assert [line["unit_price"] for line in response["proration"]["lines"]] == ["57.00", "73.00"]
    html = _outcome["html"]
    assert isinstance(html, str) and html.startswith(
        '<p class="kb-calc__scenario">Change: add-ons on Team (monthly), on 11 Mar 2026</p>'
    )


def test_an_add_on_the_plan_cannot_hold_is_an_error_on_its_field(catalogue: Catalogue) -> None:
    kept = evaluate(catalogue, from_plan="team", to_plan="business", sso_now="1")
    assert error_fields(kept) == ["sso_new"]
    assert "already included in Business" in kept["errors"][0]["message"]  # type: ignore[index]
    dropped = evaluate(catalogue, from_plan="team", to_plan="business", sso_now="1", sso_new="0")
    assert dropped["errors"] == []
    assert error_fields(
        evaluate(catalogue, from_plan="starter", to_plan="starter", sso_now="1", sso_new="0")
    ) == ["sso_now"]
    assert error_fields(evaluate(catalogue, extra_seat_new="51")) == ["extra_seat_new"]


def test_a_new_catalogue_add_on_gets_proration_fields(catalogue: Catalogue) -> None:
    import copy

    from calculators.requests.catalogue import parse_catalogue

    data = copy.deepcopy(dict(catalogue.data))
    extra = copy.deepcopy(data["addons"][0])
    extra.update(
        id="extra_projects", name="Extra projects", grants={"resource": "projects", "unit_size": 5}
    )
    data["addons"].append(extra)
    bigger = parse_catalogue(data, source="test")
    names = [f.name for f in widgets.widget_fields("proration", bigger)]
    assert "extra_projects_now" in names and "extra_projects_new" in names
    result = widgets.evaluate(
        "proration", {"to_plan": "team", "extra_projects_new": "2"}, bigger, today=TODAY
    )
    assert result["errors"] == []


# --------------------------------------------------------------------------------------------
# The comparison widget on catalogues unlike the sample


def _variant(catalogue: Catalogue, change: Callable[[dict[str, Any]], None]) -> Catalogue:
    import copy

    from calculators.requests.catalogue import parse_catalogue

    data = copy.deepcopy(dict(catalogue.data))
    change(data)
    return parse_catalogue(data, source="test")


def test_the_comparison_shows_its_cost_in_a_catalogue_with_one_interval(
    catalogue: Catalogue,
) -> None:
    def monthly_only(data: dict[str, Any]) -> None:
        data["intervals"] = ["month"]
        for item in [*data["plans"], *data["addons"]]:
            item["prices"].pop("year", None)

    monthly = _variant(catalogue, monthly_only)
    out = widgets.evaluate(
        "plan-comparison", {"storage": "150", "seats": "3"}, monthly, today=TODAY
    )
    assert out["errors"] == []
    assert out["figures"] == {"recommended_plan": "Team", "recommended_total": "$39.00 a month"}
    assert '<td class="kb-num">$39.00</td>' in str(out["html"])


def test_the_comparison_says_so_when_no_plan_covers_the_needs(catalogue: Catalogue) -> None:
    def feature_no_plan_has(data: dict[str, Any]) -> None:
        data["features"]["on_premises"] = {
            "label": "On-premises install",
            "description": "Run it in your own data centre.",
        }
        data["policy"]["feature_end"]["on_premises"] = data["policy"]["feature_end"]["sso"]

    variant = _variant(catalogue, feature_no_plan_has)
    out = widgets.evaluate("plan-comparison", {"features": "on_premises"}, variant, today=TODAY)
    assert out["errors"] == []
    assert out["figures"] == {"recommended_plan": "—", "recommended_total": "—"}
    assert out["text"][:2] == [
        "Recommended: — (—)",
        "No plan in the catalogue covers these needs, not even through the sales team; see "
        "each plan's shortfalls.",
    ]
