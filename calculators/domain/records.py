"""The change-record model: reason codes, CSV columns, a change and its proration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from calculators.domain import changes
from calculators.domain.catalogue import Plan

# Why a plan changes. ``other`` needs words in ``reason.text``.
REASON_CODES: Final[Mapping[str, str]] = {
    "needs_more_resources": "Needs more resources",
    "needs_fewer_resources": "Needs fewer resources",
    "feature_needed": "Needs a feature of another plan",
    "cost_reduction": "Reducing cost",
    "business_growth": "Business growth",
    "seasonal": "Seasonal change in usage",
    "consolidation": "Consolidating accounts or projects",
    "billing_preference": "Prefers another billing interval",
    "other": "Other",
}
AUDIENCES: Final = ("customer",)
CSV_COLUMNS: Final = (
    "id",
    "account",
    "kind",
    "effective",
    "currency",
    "from_plan",
    "from_interval",
    "from_quantity",
    "to_plan",
    "to_interval",
    "to_quantity",
    "subtotal",
    "tax",
    "total",
    "due_now",
    "credit_to_balance",
    "refund",
    "next_invoice_date",
    "next_invoice_amount",
    "reason_code",
    "reason_text",
    "requested_by_name",
    "requested_by_role",
)
MONEY_FIELDS: Final = ("subtotal", "tax", "total", "due_now", "credit_to_balance", "refund")
SIGNED: Final = ("subtotal", "total")
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Side:
    plan: Plan
    interval: str
    quantity: int


@dataclass(frozen=True)
class Line:
    kind: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Proration:
    """The parts of a proration response a record or notice uses, already checked."""

    currency: str
    amounts: Mapping[str, Decimal]  # MONEY_FIELDS
    lines: tuple[Line, ...]
    next_invoice: tuple[str, Decimal] | None
    dates: frozenset[str]  # every instant the result covers: line edges and the next invoice
    deferred: bool  # a charge below the minimum moved to the next invoice


@dataclass(frozen=True)
class Change:
    account: str | None
    before: Side
    after: Side
    effective: str
    currency: str
    reason: tuple[str, str] | None  # (code, text)
    requested_by: tuple[str, str] | None  # (name, role)
    proration: Proration


def subscription_of(side: Side) -> changes.Subscription:
    """A record's side as the classification reads it: the plan's quantity counts seats."""
    return changes.Subscription(side.plan, side.interval, quantity=side.quantity)
