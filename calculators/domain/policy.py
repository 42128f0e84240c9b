"""The catalogue's policy model: proration, credit, tax, over-limit rules, discounts,
cancellation and trials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from calculators.domain.catalogue_errors import UnknownIdError
from calculators.domain.contract_types.prorate import ProratePolicy, ProrateTaxRequest


@dataclass(frozen=True)
class TaxPolicy:
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class ProrationPolicy:
    """The effective proration policy: the named preset's fields, overridden by those given."""

    time_basis: str
    day_count: str
    rounding: str
    factor_decimals: int | None
    credit_basis: str
    negative_total: str
    tax: TaxPolicy | None
    minimum_charge: Mapping[str, Decimal]
    preset: str | None = None
    change_day: str = "new_plan"
    timing: str = "in_advance"
    quantity_change: str = "credit_and_charge"


@dataclass(frozen=True)
class ChangeRule:
    apply: str
    interval_change: str


@dataclass(frozen=True)
class CreditPolicy:
    """What a credit balance pays for, and in what order with tax."""

    reduces_due_now: bool  # a balance pays for what a change makes due at once
    reduces_next_invoice: bool  # and for the next invoices until it is used up
    applied: str  # "after_tax": it pays the taxed total; "before_tax": it lowers the taxable amount
    refund_on_request_days: int  # a balance this recent is refunded on request
    expires: str  # "never"


@dataclass(frozen=True)
class OverLimitRule:
    """What one resource does above a lower limit, and from when."""

    starts: str  # "at_change": the day the lower limit applies; "after_grace": after the grace
    effect: str  # one of OVER_LIMIT_EFFECTS


@dataclass(frozen=True)
class FeatureEnd:
    """What happens to one feature's data and settings when the feature ends."""

    stops: str  # what stops on the day, in a customer's words
    data: str | None  # what the feature holds, or None when it holds nothing
    kept_days: int | None  # kept this long, then deleted; None: kept while the account exists
    exportable: bool  # it can be downloaded while it is kept


@dataclass(frozen=True)
class TaxDisplay:
    due_today: str  # "with_tax": "Due today" is what the payment method is charged
    based_on: tuple[str, ...]  # what decides the tax on an invoice


@dataclass(frozen=True)
class SeveralChanges:
    billing: str  # "each_invoiced": each confirmed change is prorated and invoiced on its own
    max_per_period: int | None  # None: no limit


@dataclass(frozen=True)
class DiscountPolicy:
    on_plan_change: str  # "kept" on the new plan, or "ends"
    applies_to_addons: bool


@dataclass(frozen=True)
class CancellationPolicy:
    takes_effect: str  # "period_end" or "immediately"
    unused_time: str  # "not_refunded" or "credited"
    credit_balance: str  # a balance left when the account closes: "refunded" or "forfeited"
    data_kept_days: int  # kept (downloadable, account reopenable) this long after closing


@dataclass(frozen=True)
class TrialPolicy:
    offered: bool
    days: int | None  # None when no trial is offered
    plan: str | None
    card_required: bool | None
    at_end: str | None  # "paused" or "lowest_plan"


@dataclass(frozen=True)
class Policy:
    proration: ProrationPolicy
    changes: Mapping[str, ChangeRule]
    # When one change combines several kinds, the rule of the kind listed first applies.
    change_precedence: tuple[str, ...]
    credit: CreditPolicy
    over_limit_grace_period_days: int
    over_limit_deleted_data: str
    # Keyed by resource id: every resource of the catalogue has a rule.
    over_limit: Mapping[str, OverLimitRule]
    # Keyed by feature id: every feature of the catalogue has one.
    feature_end: Mapping[str, FeatureEnd]
    addons_not_available_on_new_plan: str  # "removed" with the change, or "blocks_change"
    refunds_after_window: str  # "stays_on_balance"
    failed_payment_retry_after_days: tuple[int, ...]
    failed_payment_grace_period_days: int
    failed_payment_upgrade_reverted_after_days: int
    # Keyed by change kind: what a payment declined at confirmation does.
    failed_payment_declined_at_confirmation: Mapping[str, str]
    failed_payment_renewal_after_grace: str  # "suspended" or "downgraded"
    failed_payment_closed_after_suspension_days: int
    tax: TaxDisplay
    several_changes: SeveralChanges
    discounts: DiscountPolicy
    day_of_change_time_zone: str
    cancellation: CancellationPolicy
    trials: TrialPolicy
    records_retention_years: int
    records_visible_to: tuple[str, ...]
    contact_sales_plan: str
    contact_sales_minimum_term_months: int

    def request_policy(self, change_kind: str, currency: str) -> ProratePolicy:
        """The proration contract's ``policy`` object for one kind of change."""
        if change_kind not in self.changes:
            raise UnknownIdError("change kind", change_kind, list(self.changes))
        rule = self.changes[change_kind]
        p = self.proration
        tax: ProrateTaxRequest | None = None
        if p.tax is not None:
            tax = {"rate": f"{p.tax.rate:f}", "inclusive": p.tax.inclusive}
        minimum = p.minimum_charge.get(currency, Decimal(0))
        return {
            "time_basis": p.time_basis,
            "day_count": p.day_count,
            "rounding": p.rounding,
            "factor_decimals": p.factor_decimals,
            "credit_basis": p.credit_basis,
            "apply": rule.apply,
            "interval_change": rule.interval_change,
            "negative_total": p.negative_total,
            "tax": tax,
            "minimum_charge": f"{minimum:f}",
            "change_day": p.change_day,
            "timing": p.timing,
            "quantity_change": p.quantity_change,
        }
