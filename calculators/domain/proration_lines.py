"""The proration engine's invoice lines: credit, charge, used time, arrears and deltas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from calculators.domain import money, periods
from calculators.domain.periods import Interval, Period, PeriodError, Share
from calculators.domain.proration_model import Extension, Kind, Line, NewTerm, Request
from calculators.wording.proration import (
    TIMES,
    amount_in,
    day_text,
    line_sentence,
    price_times,
    span_text,
)


def line_amount(
    base: Decimal,
    share: Share,
    *,
    currency: str,
    rounding: money.Rounding,
    factor_decimals: int | None,
    extra: Mapping[str, int] | None = None,
) -> tuple[Decimal, Decimal, Decimal]:
    """``(factor, exact, amount)`` for ``share`` of ``base`` (a non-negative period value).

    With ``factor_decimals`` null the factor stays an exact fraction until the amount is rounded
    once; otherwise it is rounded half up to that many places first, as some engines do.
    """
    if factor_decimals is None:
        factor = money.divide(share.numerator, share.denominator)
        exact = money.divide(money.multiply(base, share.numerator), share.denominator)
    else:
        factor = money.round_to(
            money.divide(share.numerator, share.denominator), factor_decimals, rounding="half_up"
        )
        exact = money.multiply(base, factor)
    return factor, exact, money.quantize(exact, currency, rounding=rounding, extra=extra)


def switch(request: Request) -> date:
    """When the new plan takes over: ``change_at``, or the day after it when the change day
    counts as used on the current plan (``change_day`` ``current_plan``, day basis only)."""
    if request.policy.change_day == "current_plan" and request.current is not None:
        return request.change_at + timedelta(days=1)
    return request.change_at


@dataclass(frozen=True)
class _Priced:
    share: Share
    factor: Decimal
    exact: Decimal
    amount: Decimal  # rounded, a magnitude


def _priced(
    base: Decimal, part: Period, whole: Period, interval: Interval, request: Request
) -> _Priced:
    """``part``'s share of ``whole`` (one ``interval``) of ``base``, under the policy."""
    policy, currency = request.policy, request.currency
    share = periods.share(
        part, whole, interval=interval, basis=policy.time_basis, day_count=policy.day_count
    )
    factor, exact, amount = line_amount(
        base,
        share,
        currency=currency.code,
        rounding=policy.rounding,
        factor_decimals=policy.factor_decimals,
        extra=currency.units,
    )
    return _Priced(share, factor, exact, amount)


def credit_line(request: Request) -> Line | None:
    current, policy, currency = request.current, request.policy, request.currency
    assert current is not None
    if policy.credit_basis == "paid":
        quantity, unit_price = 1, current.amount_paid
    else:
        quantity, unit_price = current.quantity, current.price
    base = money.multiply(unit_price, quantity)
    part = Period(switch(request), current.period.end)
    nothing_paid = current.amount_paid == 0 and policy.credit_basis != "price"
    if base == 0 or nothing_paid or part.end == part.start:
        return None  # nothing was billed for the current period, or none of it is unused
    priced = _priced(base, part, current.period, current.interval, request)
    value = (
        f"{amount_in(current.amount_paid, currency)} paid"
        if policy.credit_basis == "paid"
        else price_times(quantity, unit_price, currency)
    )
    description = f"Unused time on the current plan, {span_text(part)}"
    sentence = line_sentence(
        "unused",
        priced.share,
        value,
        priced.factor,
        priced.exact,
        priced.amount,
        "credit",
        policy,
        currency,
    )
    exact, amount = priced.exact, priced.amount
    if policy.credit_basis == "price_capped_at_paid" and amount > current.amount_paid:
        # No more is credited than is still on the item (what was billed, net of adjustments).
        exact = amount = current.amount_paid
        sentence += (
            f" Capped at the {amount_in(amount, currency)} still on the item: "
            f"{amount_in(amount, currency)} credit."
        )
    return Line(
        "credit",
        description,
        quantity,
        unit_price,
        part,
        priced.share,
        priced.factor,
        exact,
        -amount,
        sentence,
    )


def charge_line(request: Request, term: NewTerm) -> Line:
    new, policy, currency = request.new, request.policy, request.currency
    base = money.multiply(new.price, new.quantity)
    priced = _priced(base, term.part, term.whole, new.interval, request)
    if term.restarts:
        description = f"New plan, {span_text(term.part)}"
        word = "in the new period"
    else:
        description = f"Remaining time on the new plan, {span_text(term.part)}"
        word = "remaining"
    sentence = line_sentence(
        word,
        priced.share,
        price_times(new.quantity, new.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        "charge",
        policy,
        currency,
    )
    if term.restarts:
        sentence += (
            f" The billing interval changes, so the new {new.interval.describe()} starts on "
            f"{day_text(term.part.start)} and is charged in full."
        )
    return Line(
        "charge",
        description,
        new.quantity,
        new.price,
        term.part,
        priced.share,
        priced.factor,
        priced.exact,
        priced.amount,
        sentence,
    )


def used_line(request: Request) -> Line | None:
    """In arrears: the charge for the part of the current period used before the change."""
    current, policy, currency = request.current, request.policy, request.currency
    assert current is not None
    base = money.multiply(current.price, current.quantity)
    part = Period(current.service_start or current.period.start, switch(request))
    if base == 0 or part.end == part.start:
        return None
    priced = _priced(base, part, current.period, current.interval, request)
    sentence = line_sentence(
        "used",
        priced.share,
        price_times(current.quantity, current.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        "charge",
        policy,
        currency,
    )
    return Line(
        "charge",
        f"Used time on the current plan, {span_text(part)}",
        current.quantity,
        current.price,
        part,
        priced.share,
        priced.factor,
        priced.exact,
        priced.amount,
        sentence,
    )


def arrears_invoice(request: Request, term: NewTerm) -> tuple[Decimal, str]:
    """In arrears, what the next invoice bills for time (before carried lines), and in words.

    A prorated change bills the new plan's part of its period when that period ends; without
    proration the current plan's period is billed at its end at the price it had.
    """
    current, new, policy, currency = request.current, request.new, request.policy, request.currency
    if policy.apply in ("immediately", "next_invoice"):
        plan, price, quantity = "new plan", new.price, new.quantity
        part, whole, interval = term.part, term.whole, new.interval
    elif current is None:
        return Decimal(0), "nothing: the first, partial period is free"
    else:
        plan, price, quantity = "current plan", current.price, current.quantity
        part = Period(current.service_start or current.period.start, current.period.end)
        whole, interval = current.period, current.interval
    base = money.multiply(price, quantity)
    if quantity == 0:
        return Decimal(0), "nothing: the quantity is 0"
    if base == 0 or part.end == part.start:
        return Decimal(0), f"nothing: the {plan} costs nothing"
    priced = _priced(base, part, whole, interval, request)
    share = priced.share
    return priced.amount, (
        f"the {plan}'s {share.numerator:,} of {share.denominator:,} {share.unit} "
        f"{TIMES} {price_times(quantity, price, currency)}, billed in arrears"
    )


def delta_line(request: Request, term: NewTerm) -> Line | None:
    """``quantity_change`` ``delta``: a quantity change at an unchanged unit price and period,
    priced as one line for the units added or removed and rounded once (Zuora, Recurly)."""
    current, new, policy, currency = request.current, request.new, request.policy, request.currency
    if policy.quantity_change != "delta" or current is None or term.restarts:
        return None
    same_terms = (
        current.price == new.price
        and term.whole == current.period
        and term.part == Period(switch(request), current.period.end)
    )
    paid_at_price = policy.credit_basis == "price" or current.amount_paid == money.multiply(
        current.price, current.quantity
    )
    units = abs(new.quantity - current.quantity)
    if (
        not (same_terms and paid_at_price)
        or units == 0
        or new.price == 0
        or (term.part.end == term.part.start)
    ):
        return None
    kind: Kind = "charge" if new.quantity > current.quantity else "credit"
    priced = _priced(money.multiply(new.price, units), term.part, term.whole, new.interval, request)
    word = "added" if kind == "charge" else "removed"
    sentence = line_sentence(
        "remaining",
        priced.share,
        price_times(units, new.price, currency),
        priced.factor,
        priced.exact,
        priced.amount,
        kind,
        policy,
        currency,
    ) + (
        f" Only the {units:,} {word} units are priced, rounded once."
        if units != 1
        else f" Only the {word} unit is priced, rounded once."
    )
    amount = priced.amount if kind == "charge" else -priced.amount
    return Line(
        kind,
        f"{word.capitalize()} quantity, {span_text(term.part)}",
        units,
        new.price,
        term.part,
        priced.share,
        priced.factor,
        priced.exact,
        amount,
        sentence,
    )


def _extension(request: Request, term: NewTerm, credit: Decimal) -> Extension:
    """``negative_total`` ``extend_period``: the whole days of the new plan ``credit`` buys.

    A day is worth the new plan's price over the days of the period its charge would be measured
    against; the days are rounded up and counted from ``change_at`` (Samsung: 15.00 of credit on
    a 60.00 plan of 30 days buys 7.5 days, so 8, from 15 Sep to 23 Sep).
    """
    new, currency, policy = request.new, request.currency, request.policy
    scale = 10**currency.digits
    credit_units = int(credit * scale)
    price_units = int(money.multiply(new.price, new.quantity) * scale)
    length = periods.length(term.whole, basis=policy.time_basis)
    per_day = 1 if policy.time_basis == "day" else periods.SECONDS_PER_DAY
    days = -(-(credit_units * length) // (price_units * per_day))
    try:
        until = request.change_at + timedelta(days=days)
    except OverflowError:
        raise CalendarError(
            "policy.negative_total",
            f"extend_period: the credit buys {days:,} days of the new plan, which ends after "
            "the year 9999; use credit_balance or refund",
        ) from None
    return Extension(days, until)


class CalendarError(PeriodError):
    """A computed date outside the calendar, reported against the field that caused it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
