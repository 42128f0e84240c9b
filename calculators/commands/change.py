"""The ``change`` command: what happens if a customer makes this change, in one answer.

Given the subscription now (plan, interval, add-ons, the paid period and any credit balance)
and the one wanted, it answers with the change kinds the move combines and the one rule that
applies (``calculators.changes``), when the new subscription starts, the proration engine's full
answer under that rule, and what the credit balance pays now and on the next invoice under the
catalogue's credit policy (``calculators.credit``). The contract is ``contracts/change.md``.

A subscription is priced as one line: the plan's price plus each add-on's unit price times its
quantity, each side in its own billing interval. ``new.interval`` left out keeps the current
interval; ``new.addons`` left out keeps the current add-ons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from calculators.commands.prorate import prorate
from calculators.domain import changes, credit, money
from calculators.domain.catalogue import Catalogue
from calculators.requests.addons import read_quantities
from calculators.requests.errors import Errors, add_error, error_response, join, single_error
from calculators.requests.fields import read_currency, read_interval, read_object, read_plan
from calculators.wording.amounts import amount_text

_TOP_KEYS: Final = ("currency", "change_at", "current", "new")
_CURRENT_KEYS: Final = (
    "plan",
    "interval",
    "period_start",
    "period_end",
    "addons",
    "credit_balance",
)
_NEW_KEYS: Final = ("plan", "interval", "addons")


@dataclass(frozen=True)
class ChangeRequest:
    currency: str
    change_at: str
    period_start: str
    period_end: str | None
    before: changes.Subscription
    after: changes.Subscription
    credit_balance: Decimal


def change(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """Kinds, rule, effective date, proration and credit for one change; errors with paths."""
    errors: Errors = []
    parsed = read_request(request, catalogue, errors)
    if parsed is None or errors:
        return error_response(errors)
    try:
        classification = changes.classify(catalogue, parsed.before, parsed.after)
    except changes.NoChange as no_change:
        return single_error(no_change.field, str(no_change))
    return answer(catalogue, parsed, classification)


def read_request(request: object, catalogue: Catalogue, errors: Errors) -> ChangeRequest | None:
    body = read_object(
        request, "", errors, required=("change_at", "current", "new"), optional=_TOP_KEYS
    )
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    # A missing field is already reported by read_object; only present ones are read further.
    change_at = period_start = period_end = None
    if "change_at" in body:
        change_at = _read_text(body["change_at"], "change_at", errors)
    current = new = None
    if "current" in body:
        current = read_object(
            body["current"],
            "current",
            errors,
            required=("plan", "period_start"),
            optional=_CURRENT_KEYS,
        )
    if "new" in body:
        new = read_object(body["new"], "new", errors, required=("plan",), optional=_NEW_KEYS)
    if current is None:
        return None
    before = _read_side(current, "current", None, catalogue, errors)
    after = None if new is None else _read_side(new, "new", before, catalogue, errors)
    if "period_start" in current:
        period_start = _read_text(current["period_start"], "current.period_start", errors)
    if current.get("period_end") is not None:
        period_end = _read_text(current["period_end"], "current.period_end", errors)
    balance = Decimal(0)
    if currency is not None and current.get("credit_balance") is not None:
        try:
            balance = money.parse_amount(
                current["credit_balance"], currency, extra=catalogue.minor_units
            )
        except money.MoneyError as error:
            add_error(errors, "current.credit_balance", str(error))
    if (
        currency is None
        or change_at is None
        or period_start is None
        or before is None
        or after is None
        or errors
    ):
        return None
    return ChangeRequest(currency, change_at, period_start, period_end, before, after, balance)


def _read_text(value: object, field: str, errors: Errors) -> str | None:
    if not isinstance(value, str) or not value.strip():
        add_error(
            errors, field, 'must be an ISO 8601 date such as "2026-03-14" or an RFC 3339 UTC time'
        )
        return None
    return value


def _read_side(
    body: Mapping[str, Any],
    field: str,
    current: changes.Subscription | None,
    catalogue: Catalogue,
    errors: Errors,
) -> changes.Subscription | None:
    plan = None
    if "plan" in body:
        plan = read_plan(body["plan"], join(field, "plan"), catalogue, errors, self_serve=True)
    if body.get("interval") is None and current is not None:
        interval: str | None = current.interval
    else:
        interval = read_interval(body.get("interval"), join(field, "interval"), catalogue, errors)
    addons: Mapping[str, int] | None
    if body.get("addons") is None and current is not None:
        # Kept add-ons must still be allowed on the new plan.
        addons = read_quantities(
            dict(current.addons), join(field, "addons"), plan, catalogue, errors
        )
    else:
        addons = read_quantities(
            body.get("addons", {}), join(field, "addons"), plan, catalogue, errors
        )
    if plan is None or interval is None or addons is None:
        return None
    return changes.Subscription(plan, interval, addons)


def subscription_price(catalogue: Catalogue, side: changes.Subscription, currency: str) -> str:
    """The plan's price plus its add-ons, for one of the side's intervals, as a money string."""
    parts = [money.multiply(side.plan.price(currency, side.interval), side.quantity)]
    parts.extend(
        money.multiply(catalogue.addon(a).price(currency, side.interval), q)
        for a, q in side.addons.items()
    )
    return amount_text(catalogue, money.add(*parts), currency)


def proration_request(
    catalogue: Catalogue, req: ChangeRequest, classification: changes.Classification
) -> dict[str, Any]:
    """The proration contract's request for the change, under the rule that applies."""
    current: dict[str, Any] = {
        "price": subscription_price(catalogue, req.before, req.currency),
        "quantity": 1,
        "interval": req.before.interval,
        "interval_count": 1,
        "period_start": req.period_start,
    }
    if req.period_end is not None:
        current["period_end"] = req.period_end
    return {
        "currency": req.currency,
        "change_at": req.change_at,
        "current": current,
        "new": {
            "price": subscription_price(catalogue, req.after, req.currency),
            "quantity": 1,
            "interval": req.after.interval,
            "interval_count": 1,
        },
        "policy": catalogue.policy.request_policy(classification.rule_kind, req.currency),
    }


def answer(
    catalogue: Catalogue, req: ChangeRequest, classification: changes.Classification
) -> dict[str, Any]:
    request = proration_request(catalogue, req, classification)
    priced = prorate(request)
    if "errors" in priced:
        return priced
    extra = catalogue.minor_units

    def amount(value: object) -> Decimal:
        return money.parse_amount(value, req.currency, allow_negative=True, extra=extra)

    def text(value: Decimal) -> str:
        return amount_text(catalogue, value, req.currency)

    following: Mapping[str, Any] = priced["next_invoice"]  # type: ignore[assignment]
    due_now = amount(priced["due_now"])
    next_total = amount(following["amount"])
    due_net, next_net = due_now, next_total
    policy = catalogue.policy
    tax = policy.proration.tax
    if policy.credit.applied == "before_tax" and tax is not None and not tax.inclusive:
        # The same change priced without tax gives the amounts the balance lowers before tax.
        untaxed = prorate({**request, "policy": {**request["policy"], "tax": None}})
        due_net = amount(untaxed["due_now"])
        next_net = amount(untaxed["next_invoice"]["amount"])  # type: ignore[index]
    use = credit.use_credit(
        req.credit_balance,
        due_now=credit.Invoice(due_now, due_net),
        credit_to_balance=amount(priced["credit_to_balance"]),
        next_invoice=credit.Invoice(next_total, next_net),
        credit=policy.credit,
        proration=policy.proration,
        currency=req.currency,
        extra=extra,
    )
    # A rule that waits for the period end starts the new subscription on that renewal.
    waits = classification.rule.apply == "period_end"
    return {
        "currency": req.currency,
        "kinds": list(classification.kinds),
        "rule": classification.rule_json(),
        "effective_at": following["date"] if waits else req.change_at,
        "proration": priced,
        "credit_balance": text(req.credit_balance),
        "due_now": text(use.now.due),
        "credit_applied": text(use.now.credit_applied),
        "credit_balance_after": text(use.balance_after),
        "next_invoice": {
            "date": following["date"],
            "amount": following["amount"],
            "credit_applied": text(use.next_invoice.credit_applied),
            "due": text(use.next_invoice.due),
        },
    }
