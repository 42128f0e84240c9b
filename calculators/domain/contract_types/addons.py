"""The ``addons`` request and response: ``contracts/addons.md``."""

from __future__ import annotations

from typing import Required, TypedDict, final

from calculators.domain.contract_types.prorate import ProrateResponse
from calculators.domain.contract_types.shared import Count

AddonsChangeRequest = TypedDict(
    "AddonsChangeRequest",
    {
        "period_start": Required[str],
        "change_at": Required[str],
        "period_end": str,
        "from": dict[str, Count],  # the quantities before the change
    },
    total=False,
)


class AddonsRequest(TypedDict, total=False):
    plan: Required[str]
    interval: str
    currency: str
    addons: Required[dict[str, Count]]  # add-on id -> quantity after any change
    change: AddonsChangeRequest | None


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
