"""Proration arithmetic: the lines, totals, credit placement and next invoice of a quote."""

from __future__ import annotations

from decimal import Decimal

from calculators.domain import money, periods
from calculators.domain.periods import Period
from calculators.domain.proration_lines import (
    _extension,
    arrears_invoice,
    charge_line,
    credit_line,
    delta_line,
    switch,
    used_line,
)
from calculators.domain.proration_model import (
    Currency,
    Extension,
    Line,
    NewTerm,
    Policy,
    Quote,
    Request,
)
from calculators.wording.proration import (
    amount_in,
    credit_sentence,
    day_text,
    extension_sentence,
    next_invoice_sentence,
    no_proration_sentence,
    subtotal_sentence,
    tax_sentence,
)


def _new_term(request: Request) -> NewTerm:
    """Which span the new plan's charge covers, and the full interval it is a share of."""
    change_at, current, new = switch(request), request.current, request.new
    anchor_day = None if current is None else current.billing_cycle_day
    if new.renews_at is not None:
        end = new.renews_at
        if (
            current is not None
            and end == current.period.end
            and (new.interval.same_length(current.interval))
        ):
            # Renewing with the current period: measure against it, whose anchor day is known.
            return NewTerm(Period(change_at, end), current.period, False)
        whole = Period(periods.shift(end, new.interval, -1, anchor_day=anchor_day), end)
        return NewTerm(Period(change_at, end), whole, False)
    assert current is not None  # checked while parsing
    if new.interval.same_length(current.interval):
        return NewTerm(Period(change_at, current.period.end), current.period, False)
    if request.policy.interval_change == "restart":
        whole = periods.period_starting(change_at, new.interval)
        return NewTerm(whole, whole, True)
    # keep_anchor: the new plan's periods stay aligned to the current period's start.
    whole = periods.anchored_period_containing(
        current.period.start, new.interval, change_at, anchor_day=anchor_day
    )
    return NewTerm(Period(change_at, whole.end), whole, False)


def _extends(request: Request) -> bool:
    """Whether the credit buys days of the new plan instead of being set against a charge."""
    policy, new = request.policy, request.new
    return (
        policy.negative_total == "extend_period"
        and policy.apply in ("immediately", "next_invoice")
        and request.current is not None
        and new.quantity > 0
        and new.price > 0
    )


def _lines(request: Request, term: NewTerm) -> list[Line]:
    """The invoice lines of the change, in invoice order (none when it is not prorated)."""
    policy, current, new = request.policy, request.current, request.new
    if policy.apply not in ("immediately", "next_invoice") or (
        current is None and policy.timing == "in_arrears"
    ):
        return []
    if policy.timing == "in_arrears":
        # Nothing was paid ahead, so nothing is credited: the used part is charged now and the
        # new plan is billed when its own period ends.
        used = used_line(request)
        return [] if used is None else [used]
    extends = _extends(request)
    delta = None if extends else delta_line(request, term)
    if delta is not None:
        return [delta]
    lines: list[Line] = []
    credit = None if current is None else credit_line(request)
    if credit is not None:
        lines.append(credit)
    if not extends and new.quantity > 0 and new.price > 0 and term.part.end > term.part.start:
        lines.append(charge_line(request, term))
    return lines


def quote(request: Request) -> Quote:
    """Every figure of the response for a validated request."""
    policy, currency, new = request.policy, request.currency, request.new
    term = _new_term(request)
    explanation: list[str] = []
    lines = _lines(request, term)
    explanation.extend(line.explanation for line in lines)

    subtotal = money.add(*(line.amount for line in lines))
    tax, total = _tax(subtotal, policy, currency)
    if lines:
        explanation.append(subtotal_sentence(lines, subtotal, currency))
    if policy.tax is not None and lines:
        explanation.append(tax_sentence(subtotal, tax, total, policy, currency))

    renewal, renewal_words = money.multiply(new.price, new.quantity), None
    if policy.timing == "in_arrears":
        renewal, renewal_words = arrears_invoice(request, term)
    zero = Decimal(0)
    due_now = credit_to_balance = refund = zero
    deferred_minimum = False
    carried = zero  # proration subtotal carried to the next invoice
    renewal_included = True
    extension: Extension | None = None

    if policy.apply in ("period_end", "without_proration"):
        # The new plan starts (period_end) or its price first applies (without_proration) at the
        # next renewal: the current period's end, unless the request moves it with renews_at.
        current = request.current
        if current is None or (policy.apply == "without_proration" and new.renews_at is not None):
            next_date = term.part.end
        else:
            next_date = current.period.end
        explanation.append(no_proration_sentence(request, next_date))
    elif _extends(request):
        extension = _extension(request, term, -subtotal)
        next_date = extension.until
        explanation.append(extension_sentence(request, term, -subtotal, extension))
    elif policy.apply == "next_invoice":
        carried = subtotal
        if term.restarts and policy.timing == "in_advance":
            # The billing period starts again now, so the next invoice is the one issued today:
            # it carries the credit and the new period's full price, and no separate renewal.
            next_date, renewal_included = term.part.start, False
            explanation.append(
                f"The billing period restarts on {day_text(term.part.start)}, so the next "
                f"invoice is issued that day and carries these lines."
            )
        else:
            next_date = term.part.end
            explanation.append(
                f"Nothing is invoiced now: these lines are added to the next invoice on "
                f"{day_text(next_date)}."
            )
    else:
        next_date = term.part.end
        if total > 0 and total < policy.minimum_charge:
            deferred_minimum, carried = True, subtotal
            explanation.append(
                f"The charge of {amount_in(total, currency)} is below the minimum charge of "
                f"{amount_in(policy.minimum_charge, currency)}, so it is not invoiced now: it is "
                f"added to the next invoice on {day_text(next_date)}."
            )
        elif total > 0:
            due_now = total
            explanation.append(f"Charged now: {amount_in(total, currency)}.")
        elif total < 0:
            credit_to_balance, refund = _place_credit(-total, policy)
            explanation.append(credit_sentence(-total, policy, currency))
        elif lines:
            explanation.append("The credit and the charge cancel out: nothing is due now.")

    next_subtotal = money.add(renewal if renewal_included else zero, carried)
    _, next_total = _tax(next_subtotal, policy, currency)
    if next_total < 0:
        # An invoice is never negative: what the credit leaves over goes where net credits go.
        left_over = -next_total
        extra_balance, extra_refund = _place_credit(left_over, policy)
        credit_to_balance = money.add(credit_to_balance, extra_balance)
        refund = money.add(refund, extra_refund)
        next_total = zero
        explanation.append(
            f"The credit exceeds the next invoice, so that invoice is {amount_in(zero, currency)} "
            f"and the remaining "
            f"{amount_in(left_over, currency)} "
            + (
                "is refunded."
                if policy.negative_total == "refund"
                else "goes to the account's credit balance."
            )
        )
    explanation.append(
        next_invoice_sentence(
            request,
            next_date,
            next_total,
            renewal if renewal_included else None,
            carried,
            renewal_words,
        )
    )
    return Quote(
        lines=tuple(lines),
        subtotal=subtotal,
        tax=tax,
        total=total,
        due_now=due_now,
        credit_to_balance=credit_to_balance,
        refund=refund,
        next_invoice_date=next_date,
        next_invoice_amount=next_total,
        minimum_charge_deferred=deferred_minimum,
        explanation=tuple(explanation),
        extension=extension,
    )


def _tax(subtotal: Decimal, policy: Policy, currency: Currency) -> tuple[Decimal, Decimal]:
    """``(tax, total)`` for an invoice whose lines add up to ``subtotal``; rounded once."""
    if policy.tax is None:
        return Decimal(0), subtotal
    rate = policy.tax.rate
    if policy.tax.inclusive:
        # Prices already contain the tax: the invoice total is the subtotal, of which
        # rate / (1 + rate) is tax.
        contained = money.divide(money.multiply(subtotal, rate), money.add(Decimal(1), rate))
        return _round(contained, policy, currency), subtotal
    tax = _round(money.multiply(subtotal, rate), policy, currency)
    return tax, money.add(subtotal, tax)


def _round(amount: Decimal, policy: Policy, currency: Currency) -> Decimal:
    return money.quantize(amount, currency.code, rounding=policy.rounding, extra=currency.units)


def _place_credit(amount: Decimal, policy: Policy) -> tuple[Decimal, Decimal]:
    """``(to credit balance, refunded)`` for a net credit of ``amount``."""
    if policy.negative_total == "refund":
        return Decimal(0), amount
    return amount, Decimal(0)
