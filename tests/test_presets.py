"""Each preset against its source's published worked examples, figure for figure.

The sources are cited beside each case; ``calculators/presets.py`` documents what each preset
takes from them.
"""

from __future__ import annotations

from typing import Any

import pytest

from calculators import presets
from calculators.proration import PRORATION_POLICY_FIELDS, prorate


def run(body: dict[str, Any]) -> dict[str, Any]:
    response = prorate(body)
    assert "errors" not in response, response
    return response


def lines(response: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(line["kind"], line["start"], line["end"], line["amount"])
            for line in response["lines"]]  # fmt: skip


def test_every_preset_sets_every_policy_field_and_is_valid() -> None:
    for name, policy in presets.PRESETS.items():
        assert tuple(policy) == PRORATION_POLICY_FIELDS, name
        assert presets.SOURCES[name].strip(), name
        assert presets.preset(name) == dict(policy)
    with pytest.raises(KeyError, match="unknown preset 'paypal'; known: stripe, killbill"):
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
    return {"preset": "killbill", "currency": "USD", "change_at": change_at,
            "current": current, "new": new}  # fmt: skip


def test_killbill_monthly_to_annual() -> None:
    # testChangeMonthlyToAnnual: REPAIR_ADJ 2012-05-12..2012-06-01 of -161.26 and RECURRING
    # 2012-05-12..2013-05-01 of 2327.62 (Shotgun, 249.95 a month, 2399.95 a year). This is the
    # proration contract's own example.
    response = run(killbill(
        {"price": "249.95", "interval": "month", "period_start": "2012-05-01"},
        {"price": "2399.95", "interval": "year"},
        "2012-05-12",
    ))  # fmt: skip
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
    response = run(killbill(
        {"price": "29.95", "interval": "month", "period_start": "2012-05-01"},
        {"price": "69.95", "interval": "month", "interval_count": 3},
        "2012-05-12",
    ))  # fmt: skip
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
    paused = run(killbill(
        {"price": "2399.95", "interval": "year", "period_start": "2012-05-01"},
        {"price": "2399.95", "interval": "year", "quantity": 0},
        "2012-05-12",
    ))  # fmt: skip
    assert lines(paused) == [("credit", "2012-05-12", "2013-05-01", "-2327.62")]
    assert paused["credit_to_balance"] == "2327.62"
    resumed = run(killbill(
        None, {"price": "2399.95", "interval": "year", "renews_at": "2013-06-01"}, "2012-06-04"
    ))
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
    response = run(killbill(
        None, {"price": "100.00", "interval": "month", "renews_at": renews_at}, change_at
    ))  # fmt: skip
    assert response["lines"][0]["factor"] == factor


def test_killbill_rounds_the_factor_before_the_amount() -> None:
    # Kill Bill multiplies by the 9-decimal factor: 249.95 x 0.645161290 = 161.25806443550.
    response = run(killbill(
        {"price": "249.95", "interval": "month", "period_start": "2012-05-01"},
        {"price": "249.95", "interval": "month", "quantity": 0},
        "2012-05-12",
    ))  # fmt: skip
    assert "161.2580644355 rounded half up to 0.01" in response["explanation"][0]
