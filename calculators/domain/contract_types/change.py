"""The ``change`` request and response: ``contracts/change.md``."""

from __future__ import annotations

from typing import Required, TypedDict, final

from calculators.domain.contract_types.prorate import ProrateResponse
from calculators.domain.contract_types.shared import Count


class ChangeCurrent(TypedDict, total=False):
    plan: Required[str]
    interval: str
    period_start: Required[str]
    period_end: str
    addons: dict[str, Count]  # add-on id -> quantity
    credit_balance: str


class ChangeNew(TypedDict, total=False):
    plan: Required[str]
    interval: str
    addons: dict[str, Count]


class ChangeRequest(TypedDict, total=False):
    currency: str
    change_at: Required[str]
    current: Required[ChangeCurrent]
    new: Required[ChangeNew]


class ChangeRuleFields(TypedDict):
    """The catalogue's rule for the change, named as the proration contract names its fields."""

    apply: str
    interval_change: str


class ChangeNextInvoice(TypedDict):
    date: str
    amount: str
    credit_applied: str
    due: str


@final
class ChangeResponse(TypedDict):
    currency: str
    kinds: list[str]
    rule: ChangeRuleFields
    effective_at: str
    proration: ProrateResponse
    credit_balance: str
    due_now: str
    credit_applied: str
    credit_balance_after: str
    next_invoice: ChangeNextInvoice
