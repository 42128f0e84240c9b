"""Each preset against its source's published worked examples, figure for figure.

The sources are cited beside each case; ``calculators/domain/presets.py`` documents what each preset
takes from them.
"""

from __future__ import annotations

from typing import Any

import pytest

from calculators.commands.prorate import prorate
from calculators.domain import presets
from calculators.domain.proration_model import PRORATION_POLICY_FIELDS


def run(body: dict[str, Any]) -> dict[str, Any]:
    response = prorate(body)
    assert "errors" not in response, response
    return response


def lines(response: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (line["kind"], line["start"], line["end"], line["amount"]) for line in response["lines"]
    ]


def test_every_preset_sets_every_policy_field_and_is_valid() -> None:
    for name, policy in presets.PRESETS.items():
        assert tuple(policy) == PRORATION_POLICY_FIELDS, name
        assert presets.SOURCES[name].strip(), name
        assert presets.preset(name) == dict(policy)
    with pytest.raises(
        KeyError,
        match="unknown preset 'paypal'; known: stripe, killbill, lago, zuora, chargebee, recurly",
    ):
        presets.preset("paypal")
    copy = presets.preset("stripe")
    copy["apply"] = "immediately"
    assert presets.PRESETS["stripe"]["apply"] == "next_invoice"  # a copy, not the preset


# --- Stripe --------------------------------------------------------------------------------

# A monthly period of exactly 30 days, so "halfway through the billing period" is one instant:
# 1 Sep 2020 00:00:00 UTC to 1 Oct 2020 00:00:00 UTC, halfway at 16 Sep 2020 00:00:00 UTC.
STRIPE_MONTH = {"period_start": "2020-09-01T00:00:00Z", "interval": "month"}
HALFWAY = "2020-09-16T00:00:00Z"


def stripe(old: str, new: str, **policy: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "preset": "stripe",
        "currency": "USD",
        "change_at": HALFWAY,
        "current": {"price": old, **STRIPE_MONTH},
        "new": {"price": new, "interval": "month"},
    }
    if policy:
        body["policy"] = policy
    return body


def test_stripe_upgrade_10_to_20_halfway() -> None:
    # https://docs.stripe.com/billing/subscriptions/prorations ("How prorations work"): a
    # customer upgrading from a 10 USD monthly plan to a 20 USD option halfway through the
    # billing period is billed an additional 5 USD: -5 USD for unused time on the original
    # plan, +10 USD for the remaining time on the new one. "Positive prorations aren't
    # immediately billed": they ride on the renewal, 20 + 5 = 25 USD (the figure Stripe's
    # earlier "upgrading and downgrading plans" guide gave for the same change).
    response = run(stripe("10.00", "20.00"))
    assert lines(response) == [
        ("credit", "2020-09-16T00:00:00Z", "2020-10-01T00:00:00Z", "-5.00"),
        ("charge", "2020-09-16T00:00:00Z", "2020-10-01T00:00:00Z", "10.00"),
    ]
    assert response["total"] == "5.00"
    assert response["due_now"] == "0.00"
    assert response["next_invoice"] == {"date": "2020-10-01T00:00:00Z", "amount": "25.00"}
    assert response["explanation"][0].startswith(
        "1,296,000 of 2,592,000 seconds unused \u00d7 10.00 = 5.00 credit"
    )


def test_stripe_upgrade_10_to_100_halfway() -> None:
    # https://support.stripe.com/questions/refunding-credit-balance-to-customer-after-subscription-downgrade-or-cancellation
    # "moved from a $10.00/mo subscription price to a $100.00/mo subscription price in the
    # middle of their billing cycle, they are owed a $5.00 credit for the first price and they
    # owe $50.00 for the new price ... a total of $45.00 ... can be charged at the end of the
    # billing cycle or immediately by creating an invoice."
    at_renewal = run(stripe("10.00", "100.00"))
    assert [line["amount"] for line in at_renewal["lines"]] == ["-5.00", "50.00"]
    assert at_renewal["total"] == "45.00"
    assert at_renewal["next_invoice"]["amount"] == "145.00"  # 100.00 renewal + 45.00
    now = run(stripe("10.00", "100.00", apply="immediately"))  # proration_behavior=always_invoice
    assert now["due_now"] == "45.00"


def test_stripe_downgrade_100_to_10_halfway_credits_the_balance() -> None:
    # Same support article: "If a customer moves from a $100.00/mo subscription price to a
    # $10.00/mo subscription price in the middle of the billing cycle, they are owed $50.00 for
    # the first price and owe $5.00 for the new price. A total of $45.00 is now owed to the
    # customer ... added to their credit balance to be applied to future invoices."
    now = run(stripe("100.00", "10.00", apply="immediately"))
    assert [line["amount"] for line in now["lines"]] == ["-50.00", "5.00"]
    assert now["total"] == "-45.00"
    assert now["credit_to_balance"] == "45.00"
    assert now["refund"] == "0.00"
    # Left on the next invoice (the preset's default), the 45.00 first pays the 10.00 renewal and
    # the remaining 35.00 stays on the balance: the same money, seen at the renewal.
    later = run(stripe("100.00", "10.00"))
    assert later["next_invoice"]["amount"] == "0.00"
    assert later["credit_to_balance"] == "35.00"


def test_stripe_anchor_day_is_clamped_to_month_end() -> None:
    # https://stripe.com/docs/subscriptions/billing-cycle: "A monthly subscription with a billing
    # cycle anchor date of January 31 bills the last day of the month closest to the anchor
    # date, so February 28 (or February 29 in a leap year), then March 31, April 30".
    body = stripe("10.00", "10.00")
    body["current"]["period_start"] = "2024-01-31T00:00:00Z"
    body["change_at"] = "2024-02-10T00:00:00Z"
    response = run(body)
    assert response["lines"][0]["end"] == "2024-02-29T00:00:00Z"
    assert response["total"] == "0.00"


def test_stripe_counts_seconds_not_days() -> None:
    # "Stripe calculates proration down to the second" (docs.stripe.com/billing/scripts/
    # prorations): 17:42:28 into 16 Sep leaves 1,232,252 of 2,592,000 seconds.
    body = stripe("10.00", "20.00")
    body["change_at"] = "2020-09-16T17:42:28Z"
    response = run(body)
    # 10 x 1232252/2592000 = 4.754 -> 4.75; 20 x ... = 9.508 -> 9.51.
    assert [line["amount"] for line in response["lines"]] == ["-4.75", "9.51"]


# --- Kill Bill -----------------------------------------------------------------------------
# killbill/killbill: beatrix/src/test/java/org/killbill/billing/beatrix/integration/
# TestIntegrationWithDifferentBillingPeriods.java. The account's billing-cycle day is the 1st;
# the monthly period 2012-05-01 to 2012-06-01 was invoiced in full, and the change is made on
# 2012-05-12 (the test's clock: 2012-04-01 + 31 + 10 days).


def killbill(current: dict[str, Any] | None, new: dict[str, Any], change_at: str) -> dict[str, Any]:
    return {
        "preset": "killbill",
        "currency": "USD",
        "change_at": change_at,
        "current": current,
        "new": new,
    }


def test_killbill_monthly_to_annual() -> None:
    # testChangeMonthlyToAnnual: REPAIR_ADJ 2012-05-12..2012-06-01 of -161.26 and RECURRING
    # 2012-05-12..2013-05-01 of 2327.62 (Shotgun, 249.95 a month, 2399.95 a year). This is the
    # proration contract's own example.
    response = run(
        killbill(
            {"price": "249.95", "interval": "month", "period_start": "2012-05-01"},
            {"price": "2399.95", "interval": "year"},
            "2012-05-12",
        )
    )
    assert lines(response) == [
        ("credit", "2012-05-12", "2012-06-01", "-161.26"),
        ("charge", "2012-05-12", "2013-05-01", "2327.62"),
    ]
    assert [line["factor"] for line in response["lines"]] == ["0.645161290", "0.969863014"]
    assert response["due_now"] == "2166.36"
    assert response["next_invoice"] == {"date": "2013-05-01", "amount": "2399.95"}


def test_killbill_monthly_to_quarterly() -> None:
    # testChangeMonthlyToQuarterly: REPAIR_ADJ 2012-05-12..2012-06-01 of -19.32, RECURRING
    # 2012-05-12..2012-08-01 of 61.59 (Pistol, 29.95 a month, 69.95 a quarter), then the next
    # invoice on 2012-08-01 of 69.95. 81/92 = 0.880434783 at 9 decimals; x 69.95 = 61.586.
    response = run(
        killbill(
            {"price": "29.95", "interval": "month", "period_start": "2012-05-01"},
            {"price": "69.95", "interval": "month", "interval_count": 3},
            "2012-05-12",
        )
    )
    assert lines(response) == [
        ("credit", "2012-05-12", "2012-06-01", "-19.32"),
        ("charge", "2012-05-12", "2012-08-01", "61.59"),
    ]
    assert response["lines"][1]["factor"] == "0.880434783"
    assert response["next_invoice"] == {"date": "2012-08-01", "amount": "69.95"}


def test_killbill_annual_paused_then_resumed() -> None:
    # testPauseResumeAnnual: pausing the 2399.95 annual (2012-05-01..2013-05-01) on 2012-05-12
    # repairs -2327.62 into account credit (CBA_ADJ 2327.62); resuming on 2012-06-04 bills
    # 2012-06-04..2013-06-01 at 2380.22 (362 of 365 days, 0.991780822).
    paused = run(
        killbill(
            {"price": "2399.95", "interval": "year", "period_start": "2012-05-01"},
            {"price": "2399.95", "interval": "year", "quantity": 0},
            "2012-05-12",
        )
    )
    assert lines(paused) == [("credit", "2012-05-12", "2013-05-01", "-2327.62")]
    assert paused["credit_to_balance"] == "2327.62"
    resumed = run(
        killbill(
            None, {"price": "2399.95", "interval": "year", "renews_at": "2013-06-01"}, "2012-06-04"
        )
    )
    assert lines(resumed) == [("charge", "2012-06-04", "2013-06-01", "2380.22")]
    assert resumed["lines"][0]["factor"] == "0.991780822"
    assert resumed["next_invoice"] == {"date": "2013-06-01", "amount": "2399.95"}


@pytest.mark.parametrize(
    ("change_at", "renews_at", "factor"),
    [
        # invoice/src/test/java/org/killbill/billing/invoice/tests/inAdvance/monthly/
        # TestLeadingProRation.java: start 2011-02-01, billing-cycle day 13: the leading
        # pro-ration is TWELVE.divide(THIRTY_ONE, HALF_UP) at scale 9, since the month that
        # ends on 2011-02-13 began on 2011-01-13 (31 days).
        ("2011-02-01", "2011-02-13", "0.387096774"),
        # .../monthly/TestProRation.java, testSinglePlan_ChangeBCDTo31: from 2011-02-14 to the
        # clamped billing day 2011-02-28, FOURTEEN.divide(THIRTY_ONE): the month ending on
        # Feb 28 is counted back from the 28th, to Jan 28.
        ("2011-02-14", "2011-02-28", "0.451612903"),
        # testSinglePlan_ChangeBCD: 2011-02-14 to billing day 27, THIRTEEN.divide(THIRTY_ONE).
        ("2011-02-14", "2011-02-27", "0.419354839"),
        # testPlanChange_AfterBillingDay: 2011-03-10 to billing day 15, FIVE.divide(TWENTY_EIGHT).
        ("2011-03-10", "2011-03-15", "0.178571429"),
    ],
)
def test_killbill_leading_proration_factors(change_at: str, renews_at: str, factor: str) -> None:
    response = run(
        killbill(None, {"price": "100.00", "interval": "month", "renews_at": renews_at}, change_at)
    )
    assert response["lines"][0]["factor"] == factor


def test_killbill_rounds_the_factor_before_the_amount() -> None:
    # Kill Bill multiplies by the 9-decimal factor: 249.95 x 0.645161290 = 161.25806443550.
    response = run(
        killbill(
            {"price": "249.95", "interval": "month", "period_start": "2012-05-01"},
            {"price": "249.95", "interval": "month", "quantity": 0},
            "2012-05-12",
        )
    )
    assert "161.2580644355 rounded half up to 0.01" in response["explanation"][0]


def test_killbill_credit_is_the_price_capped_at_what_is_left_on_the_item() -> None:
    # Kill Bill repairs an item for its unused time but never beyond what is left on it: a
    # 249.95 monthly item already adjusted down to 239.95 and changed on 2 May 2012 is credited
    # 239.95, not 241.89 (the price's 30/31) nor 232.21 (the paid amount's 30/31).
    body = killbill(
        {
            "price": "249.95",
            "interval": "month",
            "period_start": "2012-05-01",
            "amount_paid": "239.95",
        },
        {"price": "2399.95", "interval": "year"},
        "2012-05-02",
    )
    assert run(body)["lines"][0]["amount"] == "-239.95"
    as_price = run({**body, "policy": {"credit_basis": "price"}})
    as_paid = run({**body, "policy": {"credit_basis": "paid"}})
    assert (as_price["lines"][0]["amount"], as_paid["lines"][0]["amount"]) == ("-241.89", "-232.21")


def test_killbill_billing_cycle_day_survives_a_clamped_february() -> None:
    # A BCD of 30 on a period that began on the clamped 29 Feb 2012 renews on 30 Mar 2012.
    body = killbill(
        {
            "price": "29.95",
            "interval": "month",
            "period_start": "2012-02-29",
            "billing_cycle_day": 30,
        },
        {"price": "29.95", "interval": "month", "quantity": 2},
        "2012-03-10",
    )
    response = run(body)
    assert response["lines"][0]["end"] == "2012-03-30"
    assert response["next_invoice"]["date"] == "2012-03-30"


# --- Lago ----------------------------------------------------------------------------------
# getlago/lago-api: spec/services/credit_notes/create_from_termination_spec.rb and
# spec/scenarios/subscriptions/upgrade_proration_spec.rb; getlago.com/docs/guide/subscriptions/
# upgrades-downgrades.


def lago(
    current: dict[str, Any], new: dict[str, Any], change_at: str, **policy: Any
) -> dict[str, Any]:
    return {
        "preset": "lago",
        "currency": "EUR",
        "change_at": change_at,
        "current": current,
        "new": new,
        "policy": policy,
    }


def test_lago_termination_counts_its_day_as_used() -> None:
    # "Unused subscription (16 days) EUR16.00 ... Tax (20%) EUR3.20 ... Total creditable
    # EUR19.20": a 31.00 monthly plan (calendar billing) terminated on 15 Oct 2022.
    response = run(
        lago(
            {"price": "31.00", "period_start": "2022-10-01"},
            {"price": "31.00", "quantity": 0},
            "2022-10-15",
            change_day="current_plan",
            tax={"rate": "0.20"},
        )
    )
    assert lines(response) == [("credit", "2022-10-16", "2022-11-01", "-16.00")]
    assert (response["tax"], response["credit_to_balance"]) == ("-3.20", "19.20")


def test_lago_upgrade_gives_the_change_day_to_the_new_plan() -> None:
    # The preset models an upgrade: the same day changed to another plan credits 17 days.
    response = run(
        lago({"price": "31.00", "period_start": "2022-10-01"}, {"price": "62.00"}, "2022-10-15")
    )
    assert lines(response) == [
        ("credit", "2022-10-15", "2022-11-01", "-17.00"),
        ("charge", "2022-10-15", "2022-11-01", "34.00"),
    ]


def test_lago_credit_is_capped_at_the_fee() -> None:
    # "if the fee was already prorated ... the amount could be greater than the last
    # subscription fee amount. In that case, we have to use the last subscription fee amount".
    response = run(
        lago(
            {"price": "31.00", "period_start": "2022-10-01", "amount_paid": "10.00"},
            {"price": "31.00", "quantity": 0},
            "2022-10-15",
        )
    )
    assert response["lines"][0]["amount"] == "-10.00"


@pytest.mark.parametrize(
    "period_start", ["2024-04-01", "2024-04-15"], ids=["calendar", "anniversary"]
)
def test_lago_quarterly_in_arrears_charges_the_days_used(period_start: str) -> None:
    # "prorates the terminated fee on the whole period": 910.00 a quarter ("a single day costs
    # 1000 cents"), started on 20 May 2024, terminated on 20 Jun 2024: 32_000 cents, in the
    # calendar quarter from 1 Apr and in the anniversary quarter from 15 Apr (both 91 days).
    quarter = {"interval": "month", "interval_count": 3}
    response = run(
        lago(
            {
                "price": "910.00",
                **quarter,
                "period_start": period_start,
                "service_start": "2024-05-20",
            },
            {"price": "910.00", "quantity": 0, **quarter},
            "2024-06-20",
            timing="in_arrears",
            change_day="current_plan",
        )
    )
    assert lines(response) == [("charge", "2024-05-20", "2024-06-21", "320.00")]
    assert response["explanation"][0].startswith("32 of 91 days used")
    assert (response["credit_to_balance"], response["due_now"]) == ("0.00", "320.00")


def test_lago_upgrade_in_arrears_charges_the_old_plan_now() -> None:
    # "January 15th - Invoice for Plan A: 14 days prorated = EUR45.16 (14/31 x EUR100)"; the
    # new plan's 17 days are billed at the end of the period.
    response = run(
        lago(
            {"price": "100.00", "period_start": "2025-01-01"},
            {"price": "200.00"},
            "2025-01-15",
            timing="in_arrears",
        )
    )
    assert lines(response) == [("charge", "2025-01-01", "2025-01-15", "45.16")]
    assert response["next_invoice"] == {"date": "2025-02-01", "amount": "109.68"}


# --- Zuora ---------------------------------------------------------------------------------


def test_zuora_prices_a_quantity_change_as_its_delta() -> None:
    # 13 -> 20 units at 5.00 with 14 of 30 days left: 7 x 5.00 x 14/30 = 16.33 once; a credit
    # (30.33) and a charge (46.67) would give 16.34.
    body = {
        "preset": "zuora",
        "currency": "USD",
        "change_at": "2024-09-17",
        "current": {"price": "5.00", "quantity": 13, "period_start": "2024-09-01"},
        "new": {"price": "5.00", "quantity": 20},
    }
    delta = run(body)
    assert [(line["kind"], line["quantity"], line["amount"]) for line in delta["lines"]] == [
        ("charge", 7, "16.33")
    ]
    both = run({**body, "policy": {"quantity_change": "credit_and_charge"}})
    assert [line["amount"] for line in both["lines"]] == ["-30.33", "46.67"]
    assert both["total"] == "16.34"


# --- Chargebee -----------------------------------------------------------------------------
# Chargebee counts to the second; its articles count whole days, so a change "on the 15th" with
# 15 days left is written as the change at the end of that day.


def chargebee(old: str, new: str, start: str, change_at: str, **quantities: int) -> dict[str, Any]:
    return {
        "preset": "chargebee",
        "currency": "USD",
        "change_at": change_at,
        "current": {
            "price": old,
            "period_start": start,
            "quantity": quantities.get("from_quantity", 1),
        },
        "new": {"price": new, "quantity": quantities.get("to_quantity", 1)},
    }


def test_chargebee_upgrade_30_to_100() -> None:
    # "Credits issues from Plan A for the unused term = ($30/30)*15 = $15 ... Charges for the new
    # Plan B for the remaining term = ($100/30)*15 = $50 ... Amount to be charged = $50-$15
    # (Credits) = $35 ... Renewal amount(Plan B) = $100" (support.chargebee.com, 15293).
    response = run(chargebee("30.00", "100.00", "2012-11-01T00:00:00Z", "2012-11-16T00:00:00Z"))
    assert [line["amount"] for line in response["lines"]] == ["-15.00", "50.00"]
    assert response["due_now"] == "35.00"
    assert response["next_invoice"]["amount"] == "100.00"


def test_chargebee_downgrade_60_to_30_credits_the_subscription() -> None:
    # "Current Plan: $60/Month, Current Billing Period: 1 Apr 2012 to 1 May 2012, Downgraded On:
    # 21 Apr 2012 ... Prorated Amount: $20 ... Amount for the remaining 10 days ...: $10 ...
    # $10 ... can be added as credit" (chargebee.com/docs/proration-old.html).
    response = run(chargebee("60.00", "30.00", "2012-04-01T00:00:00Z", "2012-04-21T00:00:00Z"))
    assert [line["amount"] for line in response["lines"]] == ["-20.00", "10.00"]
    assert response["credit_to_balance"] == "10.00"


def test_chargebee_reducing_quantity_3_to_2() -> None:
    # "Cost per Quantity: $30 ... 1 April 2013 to 1 May 2013 ... Current Quantity Used for: 10
    # days ... Prorated Amount: $60 ... charged for the remaining 20 days for 2 units is $40".
    response = run(
        chargebee(
            "30.00",
            "30.00",
            "2013-04-01T00:00:00Z",
            "2013-04-11T00:00:00Z",
            from_quantity=3,
            to_quantity=2,
        )
    )
    assert [line["amount"] for line in response["lines"]] == ["-60.00", "40.00"]
    assert response["credit_to_balance"] == "20.00"


# --- Recurly -------------------------------------------------------------------------------


def test_recurly_charges_an_added_user_alone() -> None:
    # "if adding an additional user costs $10, but you add them halfway through the month of
    # June, the customer would be charged $5 for the remainder of the month".
    body = {
        "preset": "recurly",
        "currency": "USD",
        "change_at": "2024-06-16T00:00:00Z",
        "current": {"price": "10.00", "quantity": 3, "period_start": "2024-06-01T00:00:00Z"},
        "new": {"price": "10.00", "quantity": 4},
    }
    response = run(body)
    assert [(line["kind"], line["quantity"], line["amount"]) for line in response["lines"]] == [
        ("charge", 1, "5.00")
    ]
    assert response["due_now"] == "5.00"


def test_recurly_prorates_by_the_time_remaining() -> None:
    # "[(current billing period end date - time of change) / (plan period end date - plan period
    # start date)] x (per unit price)": 17:42:28 into 16 Jun leaves 1,232,252 of 2,592,000 s.
    body = {
        "preset": "recurly",
        "currency": "USD",
        "change_at": "2024-06-16T17:42:28Z",
        "current": {"price": "10.00", "period_start": "2024-06-01T00:00:00Z"},
        "new": {"price": "20.00"},
    }
    assert [line["amount"] for line in run(body)["lines"]] == ["-4.75", "9.51"]
