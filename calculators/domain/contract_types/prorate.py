"""The ``prorate`` request and response: ``contracts/prorate.md``."""

from __future__ import annotations

from typing import NotRequired, Required, TypedDict, final


class ProrateCurrent(TypedDict, total=False):
    price: Required[str]
    quantity: int
    interval: str
    interval_count: int
    period_start: Required[str]
    period_end: str
    amount_paid: str
    billing_cycle_day: int
    service_start: str


class ProrateNew(TypedDict, total=False):
    price: Required[str]
    quantity: int
    interval: str
    interval_count: int
    renews_at: str


class ProrateTax(TypedDict):
    rate: str
    inclusive: bool


class ProrateTaxRequest(TypedDict, total=False):
    rate: Required[str]
    inclusive: bool  # false when left out


class ProratePolicy(TypedDict, total=False):
    time_basis: str
    day_count: str
    rounding: str
    factor_decimals: int | None
    credit_basis: str
    apply: str
    interval_change: str
    negative_total: str
    tax: ProrateTaxRequest | None
    minimum_charge: str
    change_day: str
    timing: str
    quantity_change: str


class ProrateRequest(TypedDict, total=False):
    currency: Required[str]
    minor_unit: int
    change_at: Required[str]
    current: Required[ProrateCurrent | None]
    new: Required[ProrateNew]
    preset: str | None
    policy: ProratePolicy


class ProrateLine(TypedDict):
    kind: str
    description: str
    quantity: int
    unit_price: str
    start: str
    end: str
    factor: str
    amount: str


class NextInvoice(TypedDict):
    date: str
    amount: str


class ProrateExtension(TypedDict):
    days: int
    until: str


class EffectivePolicy(TypedDict):
    """The policy a quote used; the three later fields appear only when not the default.

    The same names as ``ProratePolicy``, which a request may give in any subset: a TypedDict
    cannot be derived from another with its keys made optional, so both are written out."""

    time_basis: str
    day_count: str
    rounding: str
    factor_decimals: int | None
    credit_basis: str
    apply: str
    interval_change: str
    negative_total: str
    tax: ProrateTax | None
    minimum_charge: str
    change_day: NotRequired[str]
    timing: NotRequired[str]
    quantity_change: NotRequired[str]


@final
class ProrateResponse(TypedDict):
    currency: str
    lines: list[ProrateLine]
    subtotal: str
    tax: str
    total: str
    due_now: str
    credit_to_balance: str
    refund: str
    next_invoice: NextInvoice
    explanation: list[str]
    minimum_charge_deferred: bool
    preset: str | None
    policy: EffectivePolicy
    # Only under negative_total extend_period; null when the credit bought nothing.
    extension: NotRequired[ProrateExtension | None]
