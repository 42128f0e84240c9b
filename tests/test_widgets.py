"""Page widgets: untrusted form and URL input is read by one set of rules, never trusted."""

from __future__ import annotations

import json
from datetime import date

import pytest

from calculators import web, widgets
from calculators.catalogue import Catalogue

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
    ("from_plan", "\" onmouseover=\"alert(1)"),
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
    result = widgets.evaluate("proration", {"evil": "<b>", "to_plan": ["scale"]}, catalogue,
                              today=TODAY)  # fmt: skip
    assert result["errors"] == []
    assert "evil" not in result["params"]  # type: ignore[operator]
    assert widgets.evaluate("nope", {}, catalogue, today=TODAY)["errors"]


def test_rendered_html_escapes_everything_it_is_given(catalogue: Catalogue) -> None:
    from calculators import render

    html = render.proration_result(
        {"currency": "USD", "lines": [{"kind": "<x>", "description": "<script>", "amount": "1.00"}],
         "subtotal": "1.00", "tax": "0.00", "total": "1.00", "due_now": "1.00",
         "credit_to_balance": "0.00", "refund": "0.00", "next_invoice": None,
         "explanation": ["<img src=x onerror=alert(1)>"]},
        catalogue, scenario="<b>bold</b>",
    ).html  # fmt: skip
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_the_worker_entry_point_speaks_json(catalogue: Catalogue) -> None:
    evaluate_json = web.session(catalogue.to_json())
    out = json.loads(evaluate_json("proration", json.dumps({"to_plan": "scale"}), "2026-03-16"))
    direct = widgets.evaluate("proration", {"to_plan": "scale"}, catalogue, today=TODAY)
    assert out == direct
    broken = json.loads(evaluate_json("proration", "not json", "2026-03-16"))
    assert broken["errors"][0]["field"] == ""
