"""The JSON shapes of the contracts (``calculators/contracts/*.md``) as ``TypedDict``s, so the
code that builds a request is checked against what the contract writes down (today the
``prorate`` request, which the widgets, ``addons`` and ``change`` build).

Money is a decimal string in major units, a date an ISO 8601 string, as the contracts say.
"""

from __future__ import annotations

from typing import Required, TypedDict

# --- prorate: contracts/prorate.md --------------------------------------------------------------


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


class ProratePolicy(TypedDict, total=False):
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
