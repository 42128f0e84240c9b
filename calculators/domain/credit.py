"""A customer's credit balance paying for a change, under the catalogue's credit policy.

Domain rules (``policy.credit_balance`` in the catalogue; contract: ``contracts/change.md``):

- with ``reduces_due_now`` the balance pays, at once, for what a change makes due now; with
  ``reduces_next_invoice`` what is left of it (plus any credit the change itself adds) pays for
  the next invoice. A balance is never negative and never pays more than is due;
- ``applied: after_tax``: the balance pays the invoice's total, tax included, and the tax is
  unchanged. ``before_tax``: the balance lowers the amount before tax and the tax is computed again
  on what is left (rounded once, at the currency's minor unit, with the proration rounding). With
  no tax, or tax included in prices, both orders give the customer the same amount to pay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from calculators.domain import money
from calculators.domain.policy import CreditPolicy, ProrationPolicy


@dataclass(frozen=True)
class Invoice:
    """An amount to pay: ``total`` with tax, ``net`` before exclusive tax (equal without it)."""

    total: Decimal
    net: Decimal


@dataclass(frozen=True)
class Payment:
    credit_applied: Decimal
    due: Decimal


@dataclass(frozen=True)
class CreditUse:
    now: Payment
    balance_after: Decimal  # balance - credit applied now + the change's credit to the balance
    next_invoice: Payment


def pay(
    balance: Decimal,
    invoice: Invoice,
    credit: CreditPolicy,
    proration: ProrationPolicy,
    *,
    currency: str,
    extra: Mapping[str, int],
) -> Payment:
    """What of ``balance`` pays ``invoice``, and what is still due."""
    tax = proration.tax
    if balance <= 0 or invoice.total <= 0:
        return Payment(Decimal(0), invoice.total)
    if credit.applied == "before_tax" and tax is not None and not tax.inclusive:
        used = min(balance, invoice.net)
        taxable = money.add(invoice.net, -used)
        rounding = cast(money.Rounding, proration.rounding)
        new_tax = money.quantize(
            money.multiply(taxable, tax.rate), currency, rounding=rounding, extra=extra
        )
        return Payment(used, money.add(taxable, new_tax))
    used = min(balance, invoice.total)
    return Payment(used, money.add(invoice.total, -used))


def use_credit(
    balance: Decimal,
    *,
    due_now: Invoice,
    credit_to_balance: Decimal,
    next_invoice: Invoice,
    credit: CreditPolicy,
    proration: ProrationPolicy,
    currency: str,
    extra: Mapping[str, int],
) -> CreditUse:
    """The balance against what a change makes due now, then against the next invoice."""
    nothing = Decimal(0)
    now = pay(
        balance if credit.reduces_due_now else nothing,
        due_now,
        credit,
        proration,
        currency=currency,
        extra=extra,
    )
    after = money.add(balance, -now.credit_applied, credit_to_balance)
    following = pay(
        after if credit.reduces_next_invoice else nothing,
        next_invoice,
        credit,
        proration,
        currency=currency,
        extra=extra,
    )
    return CreditUse(now, after, following)
