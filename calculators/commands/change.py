"""The ``change`` command: what happens if a customer makes this change, in one answer.

Given the subscription now (plan, interval, add-ons, the paid period and any credit balance)
and the one wanted, it answers with the change kinds the move combines and the one rule that
applies (``calculators.domain.changes``), when the new subscription starts, the proration
engine's full answer under that rule, and what the credit balance pays now and on the next
invoice under the catalogue's credit policy (``calculators.domain.credit``). The contract is
``contracts/change.md``.

A subscription is priced as one line: the plan's price plus each add-on's unit price times its
quantity, each side in its own billing interval. ``new.interval`` left out keeps the current
interval; ``new.addons`` left out keeps the current add-ons.
"""

from __future__ import annotations

from decimal import Decimal

from calculators.commands.prorate import prorate
from calculators.domain import changes, credit, money
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.change import ChangeResponse
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.prorate import ProrateCurrent, ProrateRequest
from calculators.domain.money import Money
from calculators.requests.change import ParsedChange, read_request
from calculators.requests.errors import Errors, error_response, single_error
from calculators.wording.amounts import amount_text


def change(request: object, *, catalogue: Catalogue) -> ChangeResponse | ErrorResponse:
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


def subscription_price(catalogue: Catalogue, side: changes.Subscription, currency: str) -> str:
    """The plan's price plus its add-ons, for one of the side's intervals, as a money string."""
    plan = Money(side.plan.price(currency, side.interval), currency).times(side.quantity)
    addons = (
        Money(catalogue.addon(a).price(currency, side.interval), currency).times(q)
        for a, q in side.addons.items()
    )
    return amount_text(catalogue, Money.total(currency, [plan, *addons]).amount, currency)


def proration_request(
    catalogue: Catalogue, req: ParsedChange, classification: changes.Classification
) -> ProrateRequest:
    """The proration contract's request for the change, under the rule that applies."""
    current: ProrateCurrent = {
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
    catalogue: Catalogue, req: ParsedChange, classification: changes.Classification
) -> ChangeResponse | ErrorResponse:
    request = proration_request(catalogue, req, classification)
    priced = prorate(request)
    if "errors" in priced:
        return priced
    extra = catalogue.minor_units

    def amount(value: object) -> Decimal:
        return money.parse_amount(value, req.currency, allow_negative=True, extra=extra)

    def text(value: Decimal) -> str:
        return amount_text(catalogue, value, req.currency)

    following = priced["next_invoice"]
    due_now = amount(priced["due_now"])
    next_total = amount(following["amount"])
    due_net, next_net = due_now, next_total
    policy = catalogue.policy
    tax = policy.proration.tax
    if policy.credit.applied == "before_tax" and tax is not None and not tax.inclusive:
        # The same change priced without tax gives the amounts the balance lowers before tax.
        untaxed = prorate({**request, "policy": {**request["policy"], "tax": None}})
        assert "errors" not in untaxed  # the request was priced with tax, so it is valid
        due_net = amount(untaxed["due_now"])
        next_net = amount(untaxed["next_invoice"]["amount"])
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
