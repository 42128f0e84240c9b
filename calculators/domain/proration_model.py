"""The proration model: the policy choices, a validated request and the quote it gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from calculators.domain import money, periods
from calculators.domain.periods import Interval, Period, Share

Kind = Literal["credit", "charge"]
Apply = Literal["immediately", "next_invoice", "period_end", "without_proration"]
CreditBasis = Literal["price", "paid", "price_capped_at_paid"]
NegativeTotal = Literal["credit_balance", "refund", "extend_period"]
PRORATION_POLICY_FIELDS: Final[tuple[str, ...]] = (
    "time_basis",
    "day_count",
    "rounding",
    "factor_decimals",
    "credit_basis",
    "apply",
    "interval_change",
    "negative_total",
    "tax",
    "minimum_charge",
    "change_day",
    "timing",
    "quantity_change",
)
# The conventions added after the first ten fields; a response echoes them only when they differ
# from the default, so a request that does not use them gets the response it always got.
LATER_POLICY_FIELDS: Final = ("change_day", "timing", "quantity_change")
# The contract's defaults. A plain dict for callers; the engine reads its own frozen copy.
DEFAULT_POLICY: Final[dict[str, object]] = {
    "time_basis": "day",
    "day_count": "actual",
    "rounding": "half_up",
    "factor_decimals": None,
    "credit_basis": "price",
    "apply": "immediately",
    "interval_change": "restart",
    "negative_total": "credit_balance",
    "tax": None,
    # "0" rather than "0.00": it is valid in every currency, including JPY's whole yen.
    "minimum_charge": "0",
    "change_day": "new_plan",
    "timing": "in_advance",
    "quantity_change": "credit_and_charge",
}
DEFAULTS: Final[Mapping[str, object]] = MappingProxyType(dict(DEFAULT_POLICY))
POLICY_CHOICES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "time_basis": periods.TIME_BASES,
        "day_count": periods.DAY_COUNTS,
        "rounding": money.ROUNDINGS,
        "credit_basis": ("price", "paid", "price_capped_at_paid"),
        "apply": ("immediately", "next_invoice", "period_end", "without_proration"),
        "interval_change": ("restart", "keep_anchor"),
        "negative_total": ("credit_balance", "refund", "extend_period"),
        "change_day": ("new_plan", "current_plan"),
        "timing": ("in_advance", "in_arrears"),
        "quantity_change": ("credit_and_charge", "delta"),
    }
)
# Limits that keep every figure a plausible invoice amount and every date inside the calendar.
MAX_AMOUNT: Final = Decimal(10) ** 15
MAX_QUANTITY: Final = 1_000_000_000
MAX_INTERVAL_COUNT: Final = 1_000
MAX_FACTOR_DECIMALS: Final = 20
MAX_MINOR_UNIT: Final = 6
FACTOR_DISPLAY_DECIMALS: Final = 9


@dataclass(frozen=True)
class Currency:
    code: str
    digits: int

    @property
    def units(self) -> Mapping[str, int]:
        return {self.code: self.digits}


@dataclass(frozen=True)
class Tax:
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Policy:
    time_basis: periods.TimeBasis
    day_count: periods.DayCount
    rounding: money.Rounding
    factor_decimals: int | None
    credit_basis: CreditBasis
    apply: Apply
    interval_change: Literal["restart", "keep_anchor"]
    negative_total: NegativeTotal
    tax: Tax | None
    minimum_charge: Decimal
    change_day: Literal["new_plan", "current_plan"] = "new_plan"
    timing: Literal["in_advance", "in_arrears"] = "in_advance"
    quantity_change: Literal["credit_and_charge", "delta"] = "credit_and_charge"


@dataclass(frozen=True)
class CurrentPlan:
    price: Decimal
    quantity: int
    interval: Interval
    period: Period
    amount_paid: Decimal
    billing_cycle_day: int | None = None  # the anchor day, when period_start's day is clamped
    service_start: date | None = None  # in arrears: the service began inside the period


@dataclass(frozen=True)
class NewPlan:
    price: Decimal
    quantity: int
    interval: Interval
    renews_at: date | None


@dataclass(frozen=True)
class Request:
    currency: Currency
    change_at: date
    current: CurrentPlan | None
    new: NewPlan
    policy: Policy
    preset: str | None


@dataclass(frozen=True)
class Line:
    kind: Kind
    description: str
    quantity: int
    unit_price: Decimal
    part: Period
    share: Share
    factor: Decimal  # the factor the amount used: exact, or rounded to factor_decimals
    exact: Decimal  # the amount before rounding, a magnitude
    amount: Decimal  # rounded, negative for a credit
    explanation: str


@dataclass(frozen=True)
class Extension:
    """The new plan's days a credit buys under ``negative_total`` ``extend_period``."""

    days: int
    until: date


@dataclass(frozen=True)
class Quote:
    lines: tuple[Line, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    due_now: Decimal
    credit_to_balance: Decimal
    refund: Decimal
    next_invoice_date: date
    next_invoice_amount: Decimal
    minimum_charge_deferred: bool
    explanation: tuple[str, ...]
    extension: Extension | None = None  # negative_total extend_period: the days bought


@dataclass(frozen=True)
class NewTerm:
    part: Period  # what the charge line covers
    whole: Period  # the full interval it is measured against
    restarts: bool  # the billing period starts again at change_at
