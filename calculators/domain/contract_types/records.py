"""The ``record`` and ``notice`` requests and responses: ``contracts/records.md``."""

from __future__ import annotations

from typing import Required, TypedDict, final

from calculators.domain.contract_types.prorate import NextInvoice, ProrateResponse
from calculators.domain.contract_types.shared import Count


class SideRequest(TypedDict, total=False):
    plan: Required[str]
    interval: str
    quantity: Count


class ReasonRequest(TypedDict, total=False):
    code: Required[str]
    text: str


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


# One shape serves both commands: a record needs account, reason and requested_by and ignores
# audience; a notice checks those three only when they are given.
_ChangeRequest = TypedDict(
    "_ChangeRequest",
    {"from": SideRequest, "to": SideRequest, "effective": str, "proration": ProrateResponse},
)


class RecordRequest(_ChangeRequest, total=False):
    account: Required[str]
    reason: Required[ReasonRequest]
    requested_by: Required[RequestedBy]
    currency: str
    audience: str  # ignored


class NoticeRequest(_ChangeRequest, total=False):
    audience: str  # who the notice is written for: "customer"
    currency: str
    account: str  # ignored
    reason: ReasonRequest
    requested_by: RequestedBy


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
