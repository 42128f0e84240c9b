"""The JSON shapes of the contracts (``calculators/contracts/*.md``) as ``TypedDict``s, so the
code that builds a request or answers one is checked against what the contract writes down: the
``prorate`` request (which the widgets, ``addons`` and ``change`` build), the error response every
command shares, and each command's response.

Money is a decimal string in major units, a date an ISO 8601 string, as the contracts say.
"""

from __future__ import annotations

from typing import NotRequired, Required, TypedDict, final

# --- errors: every contract's "Errors" section ---------------------------------------------------


class FieldError(TypedDict):
    """One problem of a request: the field's path (``""`` for the whole request) and why."""

    field: str
    message: str


@final
class ErrorResponse(TypedDict):
    """The answer to a request that could not be computed: exactly one field, ``errors``."""

    errors: list[FieldError]


# The responses are final so that ``"errors" in response`` tells an error response from an answer.


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


# --- record and notice: contracts/records.md ----------------------------------------------------


class RecordSide(TypedDict):
    plan: str
    plan_name: str
    interval: str
    quantity: int
    unit_price: str | None


class RecordReason(TypedDict):
    code: str
    label: str
    text: str


class RequestedBy(TypedDict):
    name: str
    role: str


class RecordLine(TypedDict):
    kind: str
    description: str
    amount: str


RecordBody = TypedDict(
    "RecordBody",
    {
        "account": str,
        "kind": str,
        "effective": str,
        "currency": str,
        "from": RecordSide,
        "to": RecordSide,
        "reason": RecordReason,
        "requested_by": RequestedBy,
        # subtotal, tax, total, due_now, credit_to_balance, refund (domain.records.MONEY_FIELDS)
        "amounts": dict[str, str],
        "next_invoice": NextInvoice | None,
        "lines": list[RecordLine],
        "retention_years": int,
        "visible_to": list[str],
    },
)


class ChangeRecord(RecordBody):
    """The record: its body and the id made from the body's digest."""

    id: str


@final
class RecordResponse(TypedDict):
    record: ChangeRecord
    csv_header: str
    csv_row: str
    summary_markdown: str


@final
class NoticeResponse(TypedDict):
    kind: str
    audience: str
    subject: str
    body_text: str
    body_markdown: str


# --- change: contracts/change.md ----------------------------------------------------------------


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


# --- addons: contracts/addons.md ----------------------------------------------------------------


class AddonsLine(TypedDict):
    kind: str  # "plan", then one "addon" line per add-on
    id: str
    name: str
    quantity: int
    unit_price: str
    amount: str
    grants: str


class AddonsLimit(TypedDict):
    resource: str
    label: str
    unit: str
    plan: int | None  # null: set by contract
    added: int
    total: int | None


class AddonsFeature(TypedDict):
    feature: str
    label: str
    source: str  # "plan" or "addon"


AddonsChangeItem = TypedDict(
    "AddonsChangeItem",
    {
        "addon": str,
        "name": str,
        "from": int,
        "to": int,
        "kind": str | None,
        "proration": ProrateResponse,
    },
)


class AddonsChangeResult(TypedDict):
    period_start: str
    change_at: str
    addons: list[AddonsChangeItem]
    due_now: str
    credit_to_balance: str
    refund: str
    note: str


@final
class AddonsResponse(TypedDict):
    plan: str
    currency: str
    interval: str
    lines: list[AddonsLine]
    total: str
    totals: dict[str, str]  # by catalogue interval
    limits: list[AddonsLimit]
    features: list[AddonsFeature]
    change: AddonsChangeResult | None
