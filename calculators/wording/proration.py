"""The sentences of a proration explanation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from calculators.domain import money, periods
from calculators.domain.periods import Period, Share
from calculators.domain.proration_model import (
    FACTOR_DISPLAY_DECIMALS,
    Currency,
    Extension,
    Kind,
    Line,
    NewTerm,
    Policy,
    Request,
)

TIMES: Final = "\N{MULTIPLICATION SIGN}"
ELLIPSIS: Final = "\N{HORIZONTAL ELLIPSIS}"


def extension_sentence(
    request: Request, term: NewTerm, credit: Decimal, extension: Extension
) -> str:
    currency, new, policy = request.currency, request.new, request.policy
    base = money.multiply(new.price, new.quantity)
    length = Decimal(periods.length(term.whole, basis=policy.time_basis))
    if policy.time_basis == "second":
        length = money.divide(length, periods.SECONDS_PER_DAY)
    exact = money.divide(money.multiply(credit, length), base) if base else Decimal(0)
    return (
        f"Nothing is charged now: the credit of {amount_in(credit, currency)} buys days of the new "
        f"plan at {price_times(new.quantity, new.price, currency)} for {_approx(length)} days, "
        f"{amount_in(credit, currency)} {TIMES} {_approx(length)} / {amount_in(base, currency)} = "
        f"{_approx(exact)} days, rounded up to {extension.days:,}: the new plan is paid from "
        f"{day_text(request.change_at)} until {day_text(extension.until)}, when its next invoice "
        "is due."
    )


def line_sentence(
    word: str,
    share: Share,
    value: str,
    factor: Decimal,
    exact: Decimal,
    amount: Decimal,
    kind: Kind,
    policy: Policy,
    currency: Currency,
) -> str:
    """One line's arithmetic, such as (with a multiplication sign for x)
    "20 of 31 days unused x 249.95 = 161.26 credit (161.2580645161... rounded half up to 0.01)".
    """
    count = f"{share.numerator:,} of {share.denominator:,} {share.unit} {word}"
    if share.day_count == "30_day_month":
        count += " (30-day months)"
        if share.capped:
            count += f", capped at one full {share.unit[:-1]} count"
    elif share.day_count == "30_360":
        count += " (30/360 calendar)"
    if policy.factor_decimals is not None:
        count += (
            f" = factor {factor_text(factor, policy)} (rounded half up to "
            f"{policy.factor_decimals} decimals)"
        )
    sentence = f"{count} {TIMES} {value} = {amount_in(amount, currency)} {kind}"
    if exact != amount:
        step = money.to_text(
            money.step(currency.code, extra=currency.units), currency.code, extra=currency.units
        )
        sentence += f" ({_approx(exact)} rounded {_rounding(policy)} to {step})"
    return sentence + "."


def subtotal_sentence(lines: Sequence[Line], subtotal: Decimal, currency: Currency) -> str:
    if len(lines) == 1:
        return f"Subtotal: {amount_in(subtotal, currency)}."
    terms = " + ".join(amount_in(line.amount, currency) for line in lines).replace("+ -", "- ")
    return f"Subtotal: {terms} = {amount_in(subtotal, currency)}."


def tax_sentence(
    subtotal: Decimal, tax: Decimal, total: Decimal, policy: Policy, currency: Currency
) -> str:
    assert policy.tax is not None
    rate = policy.tax.rate
    percent = f"{money.multiply(rate, 100).normalize():f}%"
    if policy.tax.inclusive:
        return (
            f"Prices include {percent} tax: the total {amount_in(total, currency)} contains "
            f"{amount_in(subtotal, currency)} {TIMES} {rate} / {money.add(Decimal(1), rate)} = "
            f"{amount_in(tax, currency)} tax, rounded {_rounding(policy)} once for the invoice."
        )
    exact = money.multiply(subtotal, rate)
    return (
        f"Tax at {percent}: {amount_in(subtotal, currency)} {TIMES} {rate} = {_approx(exact)}, "
        f"rounded {_rounding(policy)} once for the invoice to {amount_in(tax, currency)}; "
        f"total {amount_in(total, currency)}."
    )


def credit_sentence(amount: Decimal, policy: Policy, currency: Currency) -> str:
    if policy.negative_total == "refund":
        return f"The net credit of {amount_in(amount, currency)} is refunded."
    return (
        f"The net credit of {amount_in(amount, currency)} goes to the account's credit balance "
        "and is used on the next invoices."
    )


def no_proration_sentence(request: Request, renewal: date) -> str:
    if request.policy.apply == "period_end":
        return (
            f"No proration: the current plan stays until {day_text(renewal)} and the new plan "
            "starts then."
        )
    return (
        f"The plan changes on {day_text(request.change_at)} with no credit and no charge; the new "
        f"price applies from the renewal on {day_text(renewal)}."
    )


def next_invoice_sentence(
    request: Request,
    on: date,
    amount: Decimal,
    renewal: Decimal | None,
    carried: Decimal,
    renewal_words: str | None = None,
) -> str:
    currency, new = request.currency, request.new
    parts: list[str] = []
    if renewal is not None and renewal_words is not None:
        parts.append(renewal_words)
    elif renewal is not None and new.quantity == 0:
        parts.append("nothing renews: the quantity is 0")
    elif renewal is not None:
        parts.append(
            f"{price_times(new.quantity, new.price, currency)} for the next "
            f"{new.interval.describe()}"
        )
    if carried != 0 or renewal is None:
        parts.append(f"{amount_in(carried, currency)} of proration carried over")
    text = f"Next invoice on {day_text(on)}: {amount_in(amount, currency)} ({'; '.join(parts)}"
    if request.policy.tax is not None:
        text += ", tax " + ("included" if request.policy.tax.inclusive else "added")
    return text + ")."


def price_times(quantity: int, price: Decimal, currency: Currency) -> str:
    if quantity == 1:
        return amount_in(price, currency)
    return f"{quantity:,} {TIMES} {amount_in(price, currency)}"


def _approx(value: Decimal) -> str:
    """A long exact figure cut after 10 decimals with an ellipsis: "161.2580645161…"."""
    text = f"{value:f}"
    if "." not in text:
        return text
    whole, fraction = text.split(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > 10:
        return f"{whole}.{fraction[:10]}{ELLIPSIS}"
    return f"{whole}.{fraction}" if fraction else whole


def _rounding(policy: Policy) -> str:
    return policy.rounding.replace("_", " ")


def amount_in(amount: Decimal, currency: Currency) -> str:
    # Every amount shown is already rounded to the minor unit; ``to_text`` refuses one that isn't.
    return money.to_text(amount, currency.code, extra=currency.units)


def day_text(instant: date) -> str:
    return periods.format_human(instant)


def span_text(period: Period) -> str:
    return f"{day_text(period.start)} to {day_text(period.end)}"


def factor_text(factor: Decimal, policy: Policy) -> str:
    decimals = FACTOR_DISPLAY_DECIMALS if policy.factor_decimals is None else policy.factor_decimals
    return f"{money.round_to(factor, decimals, rounding='half_up'):f}"
