"""The ``prorate`` command: request in, quote computed, the contract's JSON out."""

from __future__ import annotations

from calculators.domain import periods
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.prorate import (
    EffectivePolicy,
    ProrateExtension,
    ProrateLine,
    ProrateResponse,
    ProrateTax,
)
from calculators.domain.periods import PeriodError
from calculators.domain.proration import quote
from calculators.domain.proration_lines import CalendarError
from calculators.domain.proration_model import (
    DEFAULTS,
    LATER_POLICY_FIELDS,
    Currency,
    Extension,
    Line,
    Policy,
    Quote,
    Request,
)
from calculators.requests.errors import single_error
from calculators.requests.prorate import parse_request
from calculators.wording.proration import amount_in, factor_text


def prorate(request: object) -> ProrateResponse | ErrorResponse:
    """The proration contract: a JSON request in, a JSON response (or ``{"errors": [...]}``) out."""
    try:
        parsed = parse_request(request)
        if isinstance(parsed, list):
            return {"errors": parsed}
        return render(parsed, quote(parsed))
    except PeriodError as error:
        # Only the new plan's own period (a year after 9999-06-01) or the days a credit buys
        # under extend_period can still leave the calendar.
        field = error.field if isinstance(error, CalendarError) else "new.interval"
        return single_error(field, str(error))
    except Exception as error:  # a safety net: the contract promises nothing raises
        message = f"the request could not be computed ({type(error).__name__})"
        return single_error("", message)


def render(request: Request, result: Quote) -> ProrateResponse:
    """The contract's JSON response for a computed quote."""
    currency = request.currency
    response: ProrateResponse = {
        "currency": currency.code,
        "lines": [_line_json(line, request.policy, currency) for line in result.lines],
        "subtotal": amount_in(result.subtotal, currency),
        "tax": amount_in(result.tax, currency),
        "total": amount_in(result.total, currency),
        "due_now": amount_in(result.due_now, currency),
        "credit_to_balance": amount_in(result.credit_to_balance, currency),
        "refund": amount_in(result.refund, currency),
        "next_invoice": {
            "date": periods.format_iso(result.next_invoice_date),
            "amount": amount_in(result.next_invoice_amount, currency),
        },
        "explanation": list(result.explanation),
        "minimum_charge_deferred": result.minimum_charge_deferred,
        "preset": request.preset,
        "policy": _policy_json(request.policy, currency),
    }
    if request.policy.negative_total == "extend_period":
        response["extension"] = _extension_json(result.extension)
    return response


def _extension_json(extension: Extension | None) -> ProrateExtension | None:
    """``extension``, present only under ``negative_total`` ``extend_period``: the days the
    credit bought and the date the new plan is paid until (``null`` when nothing was bought)."""
    if extension is None:
        return None
    return {"days": extension.days, "until": periods.format_iso(extension.until)}


def _line_json(line: Line, policy: Policy, currency: Currency) -> ProrateLine:
    return {
        "kind": line.kind,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": amount_in(line.unit_price, currency),
        "start": periods.format_iso(line.part.start),
        "end": periods.format_iso(line.part.end),
        "factor": factor_text(line.factor, policy),
        "amount": amount_in(line.amount, currency),
    }


def _policy_json(policy: Policy, currency: Currency) -> EffectivePolicy:
    tax: ProrateTax | None = None
    if policy.tax is not None:
        tax = {"rate": f"{policy.tax.rate:f}", "inclusive": policy.tax.inclusive}
    effective: EffectivePolicy = {
        "time_basis": policy.time_basis,
        "day_count": policy.day_count,
        "rounding": policy.rounding,
        "factor_decimals": policy.factor_decimals,
        "credit_basis": policy.credit_basis,
        "apply": policy.apply,
        "interval_change": policy.interval_change,
        "negative_total": policy.negative_total,
        "tax": tax,
        "minimum_charge": amount_in(policy.minimum_charge, currency),
    }
    for key in LATER_POLICY_FIELDS:
        if getattr(policy, key) != DEFAULTS[key]:
            effective[key] = getattr(policy, key)
    return effective
