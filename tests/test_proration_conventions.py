"""The conventions of issue 11: each field's worked example, its errors, its invariants, the
catalogue naming a preset, and the sentences generated from the effective policy."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.commands.prorate import prorate
from calculators.domain import money, periods
from calculators.domain import proration_model as proration
from calculators.domain.catalogue_errors import CatalogueError
from calculators.requests import prorate_policy
from calculators.requests.catalogue import parse_catalogue
from calculators.web import widgets
from calculators.wording import conventions

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(deadline=None, max_examples=150)


def run(body: dict[str, Any]) -> dict[str, Any]:
    response = prorate(body)
    assert "errors" not in response, (body, response)
    return response


def amounts(response: dict[str, Any]) -> list[str]:
    return [line["amount"] for line in response["lines"]]


def samsung(**policy: Any) -> dict[str, Any]:
    """30.00 a month for the 30 days of September, changed on 15 Sep to 60.00."""
    return {
        "currency": "USD",
        "change_at": "2024-09-15",
        "current": {"price": "30.00", "period_start": "2024-09-01"},
        "new": {"price": "60.00"},
        "policy": policy,
    }


# --- 1. change_day -------------------------------------------------------------------------


def test_change_day_current_plan_counts_the_day_as_used() -> None:
    response = run(samsung(change_day="current_plan"))
    assert amounts(response) == ["-15.00", "30.00"]
    assert response["due_now"] == "15.00"
    assert response["policy"]["change_day"] == "current_plan"
    default = run(samsung())
    assert amounts(default) == ["-16.00", "32.00"]
    assert "change_day" not in default["policy"]  # a default convention is not echoed


def test_change_day_current_plan_with_seconds_is_refused() -> None:
    body = samsung(change_day="current_plan", time_basis="second")
    assert prorate(body)["errors"][0]["field"] == "policy.change_day"


# --- 2. timing -----------------------------------------------------------------------------


def test_in_arrears_charges_the_used_part_and_bills_the_new_plan_at_its_end() -> None:
    response = run(samsung(timing="in_arrears"))
    assert [
        (line["kind"], line["start"], line["end"], line["amount"]) for line in response["lines"]
    ] == [("charge", "2024-09-01", "2024-09-15", "14.00")]
    assert response["due_now"] == "14.00"
    # The new plan's 16 of 30 days, billed when its period ends.
    assert response["next_invoice"] == {"date": "2024-10-01", "amount": "32.00"}


def test_in_arrears_period_end_bills_the_current_period_at_its_end() -> None:
    response = run(samsung(timing="in_arrears", apply="period_end"))
    assert response["lines"] == []
    assert response["next_invoice"] == {"date": "2024-10-01", "amount": "30.00"}


def test_service_start_must_be_inside_the_used_part() -> None:
    body = samsung(timing="in_arrears")
    body["current"]["service_start"] = "2024-09-20"
    [error] = prorate(body)["errors"]
    assert error["field"] == "current.service_start"
    assert (
        "2024-09-20 must lie from period_start 2024-09-01 to change_at 2024-09-15"
        in (error["message"])
    )


# --- 3. billing_cycle_day ------------------------------------------------------------------


def test_billing_cycle_day_renews_on_the_anchor_not_the_clamped_start() -> None:
    body = {
        "currency": "USD",
        "change_at": "2012-03-10",
        "current": {"price": "30.00", "period_start": "2012-02-29", "billing_cycle_day": 30},
        "new": {"price": "60.00"},
    }
    assert run(body)["next_invoice"]["date"] == "2012-03-30"
    del body["current"]["billing_cycle_day"]
    assert run(body)["next_invoice"]["date"] == "2012-03-29"


def test_billing_cycle_day_keeps_the_anchor_of_a_longer_new_interval() -> None:
    body = {
        "currency": "USD",
        "change_at": "2012-03-10",
        "preset": "killbill",
        "current": {"price": "30.00", "period_start": "2012-02-29", "billing_cycle_day": 31},
        "new": {"price": "300.00", "interval": "month", "interval_count": 3},
    }
    # Quarters from the 31st: 29 Feb 2012, 31 May 2012 (not 29 May).
    assert run(body)["next_invoice"]["date"] == "2012-05-31"


@pytest.mark.parametrize(
    ("current", "message"),
    [
        (
            {"period_start": "2012-03-15", "billing_cycle_day": 30},
            "period_start 2012-03-15 is not on billing day 30",
        ),
        (
            {"period_start": "2012-02-28", "billing_cycle_day": 31},
            "period_start 2012-02-28 is not on billing day 31, which that month clamps to the 29th",
        ),
        (
            {"period_start": "2012-03-15", "billing_cycle_day": 15, "interval": "week"},
            "applies to month and year intervals, not week",
        ),
        (
            {"period_start": "2012-03-15", "billing_cycle_day": True},
            "must be a day of the month from 1 to 31, got true",
        ),
    ],
)
def test_billing_cycle_day_errors(current: dict[str, Any], message: str) -> None:
    body = {
        "currency": "USD",
        "change_at": "2012-03-20",
        "current": {"price": "30.00", **current},
        "new": {"price": "30.00"},
    }
    errors = prorate(body)["errors"]
    assert {"field": "current.billing_cycle_day", "message": message} in errors


# --- 4. quantity_change --------------------------------------------------------------------


def test_delta_applies_only_to_a_pure_quantity_change() -> None:
    body = {
        "currency": "USD",
        "change_at": "2024-09-17",
        "current": {"price": "5.00", "quantity": 13, "period_start": "2024-09-01"},
        "new": {"price": "5.00", "quantity": 20},
        "policy": {"quantity_change": "delta"},
    }
    assert amounts(run(body)) == ["16.33"]
    repriced = copy.deepcopy(body)
    repriced["new"]["price"] = "6.00"  # a new unit price: credit and charge as usual
    assert len(run(repriced)["lines"]) == 2
    discounted = copy.deepcopy(body)  # credited at what was paid, which is not the price
    discounted["current"]["amount_paid"] = "60.00"
    discounted["policy"]["credit_basis"] = "paid"
    assert len(run(discounted)["lines"]) == 2


# --- 5. credit_basis price_capped_at_paid --------------------------------------------------


def test_capped_credit_is_the_price_share_when_below_what_was_paid() -> None:
    body = samsung(credit_basis="price_capped_at_paid")
    body["current"]["amount_paid"] = "25.00"
    assert amounts(run(body))[0] == "-16.00"  # 30.00 x 16/30 = 16.00, below 25.00
    body["current"]["amount_paid"] = "12.50"
    response = run(body)
    assert amounts(response)[0] == "-12.50"
    assert "Capped at the 12.50 still on the item: 12.50 credit." in response["explanation"][0]


# --- 6. negative_total extend_period -------------------------------------------------------


def test_extend_period_turns_the_credit_into_days() -> None:
    response = run(samsung(change_day="current_plan", negative_total="extend_period"))
    assert amounts(response) == ["-15.00"]
    assert response["extension"] == {"days": 8, "until": "2024-09-23"}
    assert response["next_invoice"] == {"date": "2024-09-23", "amount": "60.00"}
    assert (response["due_now"], response["credit_to_balance"]) == ("0.00", "0.00")


def test_extend_period_with_nothing_to_extend_onto_credits_the_balance() -> None:
    body = samsung(negative_total="extend_period")
    body["new"]["quantity"] = 0
    response = run(body)
    assert response["extension"] is None
    assert response["credit_to_balance"] == "16.00"
    assert "extension" not in run(samsung())  # only under extend_period


def test_extend_period_in_arrears_is_refused() -> None:
    errors = prorate(samsung(negative_total="extend_period", timing="in_arrears"))["errors"]
    assert errors == [
        {
            "field": "policy.negative_total",
            "message": (
                "extend_period turns a credit for time paid ahead into days; in_arrears nothing is "
                "paid ahead, so nothing is credited"
            ),
        }
    ]


def test_new_fields_are_listed_in_the_contract_order() -> None:
    assert proration.PRORATION_POLICY_FIELDS[-3:] == proration.LATER_POLICY_FIELDS
    assert prorate_policy.check_policy({"timing": "later"}) == [
        {
            "field": "policy.timing",
            "message": 'unknown value "later"; use one of in_advance, in_arrears',
        }
    ]


# --- properties ----------------------------------------------------------------------------

CURRENCIES = ("USD", "JPY", "KWD")
intervals = st.sampled_from(
    [
        periods.Interval("month", 1),
        periods.Interval("month", 3),
        periods.Interval("year", 1),
        periods.Interval("week", 1),
    ]
)


def amount(currency: str, minor: int) -> str:
    return money.to_text(Decimal(minor).scaleb(-money.minor_unit(currency)), currency)


@st.composite
def changes(draw: st.DrawFn, **policy: Any) -> dict[str, Any]:
    """A day-based change inside the current period, same interval, with ``policy``."""
    currency = draw(st.sampled_from(CURRENCIES))
    interval = draw(intervals)
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31)))
    end = periods.shift(start, interval)
    change = start + timedelta(days=draw(st.integers(0, (end - start).days - 1)))
    price = amount(currency, draw(st.integers(1, 10**7)))
    return {
        "currency": currency,
        "change_at": change.isoformat(),
        "current": {
            "price": price,
            "quantity": draw(st.integers(1, 30)),
            "interval": interval.unit,
            "interval_count": interval.count,
            "period_start": start.isoformat(),
        },
        "new": {
            "price": draw(
                st.just(price) | st.builds(amount, st.just(currency), st.integers(0, 10**7))
            ),
            "quantity": draw(st.integers(0, 30)),
            "interval": interval.unit,
            "interval_count": interval.count,
        },
        "policy": {"change_day": draw(st.sampled_from(("new_plan", "current_plan"))), **policy},
    }


@SETTINGS
@given(changes(timing="in_arrears"), st.sampled_from(proration.POLICY_CHOICES["apply"]))
def test_in_arrears_never_credits(body: dict[str, Any], apply: str) -> None:
    body["policy"]["apply"] = apply
    response = run(body)
    assert all(line["kind"] == "charge" for line in response["lines"])
    assert (response["credit_to_balance"], response["refund"]) == (
        amount(body["currency"], 0),
        amount(body["currency"], 0),
    )
    assert not response["total"].startswith("-")


@SETTINGS
@given(changes(quantity_change="delta"))
def test_delta_and_credit_and_charge_differ_by_at_most_one_minor_unit(body: dict[str, Any]) -> None:
    body["new"]["price"] = body["current"]["price"]
    delta = run(body)
    body["policy"]["quantity_change"] = "credit_and_charge"
    both = run(body)
    step = money.step(body["currency"])
    assert abs(Decimal(delta["total"]) - Decimal(both["total"])) <= step
    if body["current"]["quantity"] != body["new"]["quantity"]:
        assert len(delta["lines"]) <= 1  # one line for the units added or removed


@SETTINGS
@given(changes(negative_total="extend_period"), st.sampled_from(("immediately", "next_invoice")))
def test_extend_period_never_charges_now(body: dict[str, Any], apply: str) -> None:
    body["policy"]["apply"] = apply
    response = prorate(body)
    if "errors" in response:  # a credit worth more days than the calendar has left
        [error] = response["errors"]
        assert error["field"] == "policy.negative_total" and "year 9999" in error["message"]
        return
    zero = amount(body["currency"], 0)
    assert response["due_now"] == zero
    if body["new"]["quantity"] and Decimal(body["new"]["price"]):
        extension = response["extension"]
        assert extension is not None and extension["until"] == response["next_invoice"]["date"]
        assert (response["credit_to_balance"], response["refund"]) == (zero, zero)


@SETTINGS
@given(changes(change_day="current_plan"))
def test_current_plan_on_the_last_day_of_a_period_credits_nothing(body: dict[str, Any]) -> None:
    current = body["current"]
    interval = periods.Interval(current["interval"], current["interval_count"])
    end = periods.shift(date.fromisoformat(current["period_start"]), interval)
    body["change_at"] = (end - timedelta(days=1)).isoformat()
    response = run(body)
    assert [line for line in response["lines"] if line["kind"] == "credit"] == []
    assert response["credit_to_balance"] == amount(body["currency"], 0)


@SETTINGS
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31)), st.integers(28, 31))
def test_a_billing_cycle_day_period_ends_on_that_day_clamped(start: date, day: int) -> None:
    clamped = periods.shift(start, periods.Interval("month", 1), 0, anchor_day=day)
    body = {
        "currency": "USD",
        "change_at": clamped.isoformat(),
        "current": {
            "price": "10.00",
            "period_start": clamped.isoformat(),
            "billing_cycle_day": day,
        },
        "new": {"price": "10.00"},
    }
    end = date.fromisoformat(run(body)["next_invoice"]["date"])
    assert end.day == min(
        day, periods.shift(end, periods.Interval("month", 1), 0, anchor_day=31).day
    )


# --- the catalogue names a preset ----------------------------------------------------------


@pytest.fixture
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "catalogue" / "catalogue.yaml").read_text())
    return loaded


def with_proration(data: dict[str, Any], proration_policy: dict[str, Any]) -> Any:
    changed = copy.deepcopy(data)
    changed["policy"]["proration"] = proration_policy
    return parse_catalogue(changed, source="catalogue.yaml")


def test_a_catalogue_preset_fills_every_field_and_overrides_win(data: dict[str, Any]) -> None:
    catalogue = with_proration(
        data, {"preset": "lago", "timing": "in_arrears", "minimum_charge": {"USD": "0.50"}}
    )
    policy = catalogue.policy.request_policy("upgrade", "USD")
    assert policy == {
        "time_basis": "day",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price_capped_at_paid",
        "apply": "immediately",
        "interval_change": "restart",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0.50",
        "change_day": "new_plan",
        "timing": "in_arrears",
        "quantity_change": "credit_and_charge",
    }
    assert catalogue.policy.proration.preset == "lago"


def test_catalogue_preset_errors_name_the_key_path(data: dict[str, Any]) -> None:
    with pytest.raises(CatalogueError) as caught:
        with_proration(data, {"preset": "paypal", "change_day": "yesterday"})
    assert [path for path, _ in caught.value.problems] == [
        "policy.proration.preset",
        "policy.proration.change_day",
    ]
    with pytest.raises(CatalogueError) as caught:
        with_proration(data, {"preset": "stripe", "change_day": "current_plan"})
    assert caught.value.problems[0][0] == "policy.proration.change_day"
    with pytest.raises(CatalogueError) as caught:  # without a preset every field is required
        with_proration(data, {"time_basis": "day"})
    assert ("policy.proration.rounding", "missing (required)") in caught.value.problems


def test_the_page_calculator_follows_the_catalogue_preset(data: dict[str, Any]) -> None:
    today = date(2026, 3, 16)
    default = with_proration(data, data["policy"]["proration"])
    arrears = with_proration(data, {"preset": "lago", "timing": "in_arrears"})
    params = widgets.default_params("proration", default, today)
    # The page's proration widget answers with the change command's response.
    _, before_change = widgets.evaluate_with_response("proration", params, default, today=today)
    _, after_change = widgets.evaluate_with_response("proration", params, arrears, today=today)
    before, after = before_change["proration"], after_change["proration"]
    assert [line["kind"] for line in before["lines"]] == ["credit", "charge"]
    assert [line["kind"] for line in after["lines"]] == ["charge"]
    assert after["lines"][0]["description"].startswith("Used time on the current plan")
    assert after["policy"]["timing"] == "in_arrears"


# --- the policy in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "digits", "step"),
    [("USD", 2, "0.01 USD"), ("JPY", 0, "1 JPY"), ("KWD", 3, "0.001 KWD")],
)
def test_rounding_step_follows_the_minor_unit(code: str, digits: int, step: str) -> None:
    assert conventions.rounding_step(code, digits) == step


def test_the_hand_method_follows_the_policy() -> None:
    policy = {**proration.DEFAULT_POLICY}
    yen = [("JPY", 0), ("KWD", 3)]
    text = conventions.manual_method(policy, yen)
    assert "cent" not in text
    assert "(1 for JPY; 0.001 for KWD)" in text
    assert "a new billing period starts on the day of the change" in text
    kept = conventions.manual_method({**policy, "interval_change": "keep_anchor"}, yen)
    assert "renewal date stays aligned" in kept and "full price" not in kept
    arrears = conventions.manual_method(
        {**policy, "timing": "in_arrears", "change_day": "current_plan"}, yen
    )
    assert arrears.startswith(
        "Fees are billed in arrears. Count the days of your current "
        "billing period used up to and including the day of the change."
    )
    extend = conventions.manual_method({**policy, "negative_total": "extend_period"}, yen)
    assert "Due today" not in extend and "rounded up to a whole day" in extend


def test_the_counting_sentence_follows_the_policy() -> None:
    policy = {**proration.DEFAULT_POLICY}
    assert "counts as a day on the new plan" in conventions.counting_sentence(policy)
    assert "counts as used on the current plan" in conventions.counting_sentence(
        {**policy, "change_day": "current_plan"}
    )
    seconds = conventions.counting_sentence({**policy, "time_basis": "second"})
    assert seconds.startswith("Time is counted to the second") and "calendar" not in seconds
    assert conventions.example_rule(policy, "KWD", 3) == (
        "Each line is rounded to 0.001 KWD, half up; days are counted as calendar days, the "
        "change day included in the new plan."
    )


def test_the_article_macro_reads_the_catalogue_preset(data: dict[str, Any]) -> None:
    from macros import conventions as article

    macros: dict[str, Any] = {}

    class Env:
        def macro(self, function: Any, name: str) -> None:
            macros[name] = function

    article.register(Env(), with_proration(data, {"preset": "chargebee"}))
    text = macros["proration_conventions"]()
    assert text.startswith("**Counting days.** Time is counted to the second, in UTC")
    assert (
        "**Rounding.** Each invoice line is rounded on its own to the currency's smallest "
        "unit (0.01 for USD, EUR and GBP; 1 for JPY)" in text
    )


def test_the_overview_follows_the_policy() -> None:
    policy = {**proration.DEFAULT_POLICY}
    opening, lines, next_words, outcomes = conventions.overview(policy)
    assert next_words == "The difference is what happens on the day:"
    assert opening == (
        "It is paid in advance. When you upgrade on day 16 of a 31-day month, you have already "
        "paid for days 16 to 31 on the old plan. Proration turns that into lines on the invoice:"
    )
    assert lines == [
        "**A credit** for the unused part of the old plan: the share of the period that is left, "
        "times your current price.",
        "**A charge** for the new plan over the same remaining time: the same share, times the "
        "new plan's price.",
    ]
    assert outcomes[1] == (
        "If the credit is larger (a downgrade), the difference goes to your credit balance."
    )
    refund = conventions.overview({**policy, "negative_total": "refund"})[3][1]
    assert refund.endswith("the difference is refunded to your payment method.")
    extend = conventions.overview({**policy, "negative_total": "extend_period"})[3][1]
    assert "buys days of the new plan" in extend and "credit balance" not in extend
    capped = conventions.overview({**policy, "credit_basis": "price_capped_at_paid"})[1][0]
    assert capped.endswith(
        "times your current price (never more than what is left of what you paid)."
    )
    day = conventions.overview({**policy, "change_day": "current_plan"})[0]
    assert "day 16 is still on the old plan and you have already paid for days 17 to 31" in day
    delta = conventions.overview({**policy, "quantity_change": "delta"})[1]
    assert len(delta) == 3 and delta[2].startswith("**A change of quantity alone**")


def test_the_overview_in_arrears_credits_nothing() -> None:
    opening, lines, next_words, outcomes = conventions.overview(
        {**proration.DEFAULT_POLICY, "timing": "in_arrears"}
    )
    assert next_words == "After the change:"
    assert opening.startswith("It is billed in arrears") and "nothing is credited" in opening
    assert [line.split("**")[1] for line in lines] == ["A charge", "The new plan"]
    assert not any("credit" in text.lower() for text in [*lines, *outcomes])


def test_the_article_overview_macro_reads_the_catalogue_preset(data: dict[str, Any]) -> None:
    from macros import conventions as article

    macros: dict[str, Any] = {}

    class Env:
        def macro(self, function: Any, name: str) -> None:
            macros[name] = function

    article.register(Env(), with_proration(data, {"preset": "lago", "timing": "in_arrears"}))
    text = macros["proration_overview"]()
    assert text.startswith("It is billed in arrears")
    assert "\n\n1. **A charge** for the used part" in text
    assert "\n2. **The new plan** is billed when its period ends" in text
    assert "\n\nAfter the change:\n\n- From the next period on" in text
