"""The proration policy in words: how days are counted, how lines are rounded, what to do by hand.

Every sentence is generated from an effective proration policy (the contract's ``policy``
object with all its fields, as ``Catalogue.policy.request_policy`` gives it) and the currencies'
minor units, so a page never says "to the cent" for yen or dinars, nor "calendar days" for a
policy that counts seconds. Standard library only; no amounts are computed here (the rounding
step is the money module's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from calculators.domain.catalogue import Catalogue
from calculators.domain import money
from calculators.domain.contract_types.prorate import ProratePolicy

Policy = Mapping[str, object]
Currencies = Sequence[tuple[str, int]]  # (code, minor-unit digits), in the order to name them
ROUNDING_WORDS: dict[str, str] = {
    "half_up": "an exact half rounded up, away from zero",
    "half_even": "an exact half rounded to the even digit",
}


def rounding_step(code: str, digits: int) -> str:
    """The currency's smallest unit as a figure: "0.01 USD", "1 JPY", "0.001 KWD"."""
    return f"{_step(code, digits)} {code}"


def _step(code: str, digits: int) -> str:
    units = {code: digits}
    return money.to_text(money.step(code, extra=units), code, extra=units)


def steps_phrase(currencies: Currencies) -> str:
    """ "0.01 for USD, EUR and GBP; 1 for JPY": each distinct step with the currencies using it."""
    by_digits: dict[int, list[str]] = {}
    for code, digits in currencies:
        by_digits.setdefault(digits, []).append(code)
    parts = []
    for digits, codes in by_digits.items():
        parts.append(f"{_step(codes[0], digits)} for {_and(codes)}")
    return "; ".join(parts)


def counting_sentence(policy: Policy) -> str:
    """How time is counted and turned into a share of the period."""
    if policy["time_basis"] == "second":
        text = "Time is counted to the second, in UTC, from the moment of the change."
    else:
        text = (
            "Time is counted in whole calendar days. A period runs from its start date up to, "
            "but not including, its end date: a monthly period from 1 March to 1 April has 31 "
            "days, and 1 April already belongs to the next period."
        )
        if policy["change_day"] == "current_plan":
            text += (
                " The day of a change counts as used on the current plan, so the new plan's "
                "share starts the next day."
            )
        else:
            text += " The day of a change counts as a day on the new plan."
    return f"{text} {_share_sentence(policy)}{_timing_sentence(policy)}"


def rounding_sentence(policy: Policy, currencies: Currencies) -> str:
    """How each line is rounded, in every currency named."""
    text = (
        f"Each invoice line is rounded on its own to the currency's smallest unit "
        f"({steps_phrase(currencies)}), {ROUNDING_WORDS[str(policy['rounding'])]}."
    )
    if policy["factor_decimals"] is None:
        text += (
            " The share of the period is not rounded before it is multiplied, so no precision "
            "is lost before the final amount."
        )
    else:
        text += (
            f" The share of the period is first rounded to {policy['factor_decimals']} decimal "
            "places, then multiplied."
        )
    if policy["quantity_change"] == "delta":
        text += (
            " A change of quantity alone is priced as one line for the units added or removed, "
            "rounded once."
        )
    return text + " The total is the exact sum of the rounded lines."


def interval_change_sentence(policy: Policy) -> str:
    """What happens to the billing period when the billing interval changes."""
    if policy["interval_change"] == "keep_anchor":
        return (
            "When the billing interval changes, the renewal date stays aligned to the current "
            "period's start: the new plan is charged for the days from the change to its next "
            "renewal date, as a share of its full billing period on the new interval."
        )
    return (
        "When the billing interval changes, a new billing period starts on the day of the "
        "change and the new plan's full price is charged, less the credit."
    )


def negative_total_sentence(policy: Policy) -> str:
    """Where a net credit goes."""
    if policy["negative_total"] == "refund":
        return "A net credit is refunded."
    if policy["negative_total"] == "extend_period":
        return (
            "Nothing is charged on the day: the credit buys days of the new plan at its daily "
            "price (its price divided by the days of the period), rounded up to a whole day, "
            "and the next invoice comes when those days end."
        )
    return "A net credit goes to the credit balance and is used on the next invoices."


class Overview(NamedTuple):
    """The proration article's opening: a sentence, the lines on the invoice, and what happens
    next (introduced by ``next_words``)."""

    opening: str
    lines: list[str]
    next_words: str
    outcomes: list[str]


def overview(policy: Policy) -> Overview:
    """What a change in the middle of a period turns into, for the proration article's opening."""
    if policy["timing"] == "in_arrears":
        return Overview(
            "It is billed in arrears, at the end of the period, for the time you had the plan. "
            "When you change plan in the middle of a period, nothing has been paid ahead, so "
            "nothing is credited:",
            [
                "**A charge** for the used part of the current plan: the share of the period "
                "already used, times your current price, on the day of the change.",
                "**The new plan** is billed when its period ends, for the part of the period "
                "you had it.",
            ],
            "After the change:",
            [
                "From the next period on, you pay the new plan's full price at the end of each "
                "period."
            ],
        )
    if policy["time_basis"] == "second":
        paid = (
            "When you upgrade halfway through a month, the rest of the month is already paid "
            "for on the old plan, to the second."
        )
    elif policy["change_day"] == "current_plan":
        paid = (
            "When you upgrade on day 16 of a 31-day month, day 16 is still on the old plan and "
            "you have already paid for days 17 to 31 on it."
        )
    else:
        paid = (
            "When you upgrade on day 16 of a 31-day month, you have already paid for days 16 "
            "to 31 on the old plan."
        )
    steps = [
        f"**A credit** for the unused part of the old plan: the share of the period that is "
        f"left, times {_credit_words(policy)}.",
        "**A charge** for the new plan over the same remaining time: the same share, times the "
        "new plan's price.",
    ]
    if policy["quantity_change"] == "delta":
        steps.append(
            "**A change of quantity alone** (more or fewer seats at the same price) is one line "
            "instead: the units added or removed, times the same share, times the unit price."
        )
    if policy["negative_total"] == "extend_period":
        credit = (
            "If the credit is larger (a downgrade), nothing is charged and nothing is kept on "
            "a balance: the credit buys days of the new plan at its daily price, rounded up to "
            "a whole day, and your next invoice comes when those days end."
        )
    elif policy["negative_total"] == "refund":
        credit = "If the credit is larger (a downgrade), the difference is refunded to your "
        credit += "payment method."
    else:
        credit = "If the credit is larger (a downgrade), the difference goes to your credit "
        credit += "balance."
    return Overview(
        f"It is paid in advance. {paid} Proration turns that into lines on the invoice:",
        steps,
        "The difference is what happens on the day:",
        [
            "If the charge is larger (an upgrade), you pay the difference **now**.",
            credit,
            "From your next invoice on, you pay the new plan's full price.",
        ],
    )


def manual_method(policy: Policy, currencies: Currencies) -> str:
    """The "work it out by hand" method for the proration calculator."""
    rounding = (
        f"Round each line to the currency's smallest unit ({steps_phrase(currencies)}), "
        f"{ROUNDING_WORDS[str(policy['rounding'])]}."
    )
    seconds = policy["time_basis"] == "second"
    current_day = policy["change_day"] == "current_plan"
    if policy["timing"] == "in_arrears":
        if seconds:
            count = "Work out the time of your current billing period used before the change, to "
            count += "the second."
        elif current_day:
            count = "Count the days of your current billing period used up to and including the "
            count += "day of the change."
        else:
            count = "Count the days of your current billing period used before the day of the "
            count += "change."
        return (
            f"Fees are billed in arrears. {count} Charge now: your current price × the time "
            "used ÷ the length of the period. Nothing is credited, because nothing was paid "
            f"ahead; the new plan is billed when its period ends, for the part you had it. "
            f"{rounding}"
        )
    if seconds:
        count = "Work out the time left in your current billing period from the moment of the "
        count += "change, to the second."
    elif current_day:
        count = "Count the days left in your current billing period after the day of the change "
        count += "(that day is still on your current plan)."
    else:
        count = "Count the days left in your current billing period, starting on the day of the "
        count += "change."
    text = (
        f"{count} Credit: {_credit_words(policy)} × the time left ÷ the length of the period. "
        f"Charge: the new price × the time left ÷ the length of the period. "
        f"{interval_change_sentence(policy)} {rounding}"
    )
    if policy["quantity_change"] == "delta":
        text += " For a change of quantity alone, price only the units added or removed."
    if policy["negative_total"] == "extend_period":
        return f"{text} {negative_total_sentence(policy)}"
    return f"{text} Due today is the charge minus the credit. {negative_total_sentence(policy)}"


def example_rule(policy: Policy, code: str, digits: int) -> str:
    """The one-line rule printed under a worked example, for its currency."""
    rounding = str(policy["rounding"]).replace("_", " ")
    if policy["time_basis"] == "second":
        counting = "time is counted to the second in UTC"
    elif policy["change_day"] == "current_plan":
        counting = "days are counted as calendar days, the change day used on the current plan"
    else:
        counting = "days are counted as calendar days, the change day included in the new plan"
    timing = "; fees are billed in arrears" if policy["timing"] == "in_arrears" else ""
    return f"Each line is rounded to {rounding_step(code, digits)}, {rounding}; {counting}{timing}."


def _share_sentence(policy: Policy) -> str:
    if policy["day_count"] == "30_day_month":
        return (
            "The share of the period is the time left divided by 30 days for each month of the "
            "period, and never more than the whole period."
        )
    if policy["day_count"] == "30_360":
        return (
            "Both the time left and the period are counted on a calendar where every month has "
            "30 days."
        )
    return (
        "The share of the period is the time left divided by the actual length of this "
        "period, so a day is worth a little more in February than in March."
    )


def _timing_sentence(policy: Policy) -> str:
    if policy["timing"] != "in_arrears":
        return ""
    return (
        " Fees are billed in arrears, at the end of each period: a change charges the part of "
        "the current period already used and credits nothing, and the new plan is billed when "
        "its period ends."
    )


def _credit_words(policy: Policy) -> str:
    if policy["credit_basis"] == "paid":
        return "what you paid for the period"
    if policy["credit_basis"] == "price_capped_at_paid":
        return "your current price (never more than what is left of what you paid)"
    return "your current price"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def page_policy(catalogue: Catalogue) -> ProratePolicy:
    """The policy a page describes: the upgrade rule's, with the monthly-to-annual rule's
    interval change (the change the interval sentence is about)."""
    policy = catalogue.policy.request_policy("upgrade", catalogue.default_currency)
    switch = catalogue.policy.changes.get("monthly_to_annual")
    if switch is not None:
        policy["interval_change"] = switch.interval_change
    return policy


def catalogue_currencies(catalogue: Catalogue) -> list[tuple[str, int]]:
    """Every currency of the catalogue with its minor-unit digits, the default one first."""
    codes = [
        catalogue.default_currency,
        *(c for c in catalogue.currencies if c != catalogue.default_currency),
    ]
    return [(code, catalogue.currencies[code].minor_unit) for code in codes]
