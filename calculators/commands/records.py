"""The ``record`` and ``notice`` commands: audit record (JSON, CSV row, summary) and notice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

from calculators.domain import changes
from calculators.domain.catalogue import Catalogue, describe
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.records import (
    ChangeRecord,
    NoticeResponse,
    RecordBody,
    RecordResponse,
    RecordSide,
)
from calculators.domain.records import (
    AUDIENCES,
    CSV_COLUMNS,
    FORMULA_START,
    MONEY_FIELDS,
    REASON_CODES,
    Side,
    subscription_of,
)
from calculators.requests.errors import Errors, add_error, error_response
from calculators.requests.records import read_change
from calculators.wording.amounts import amount_text
from calculators.wording.notices import (
    change_summary,
    notice_sections,
    render_markdown,
    render_text,
)


def _price(side: Side, currency: str, catalogue: Catalogue) -> str | None:
    if not side.plan.self_serve:
        return None
    return amount_text(catalogue, side.plan.price(currency, side.interval), currency)


def _text_out(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return amount_text(catalogue, amount, currency)


def _cell(text: str) -> str:
    """Free text for a spreadsheet cell: a leading formula character is neutralised with '."""
    return "'" + text if text.startswith(FORMULA_START) else text


def record(request: object, *, catalogue: Catalogue) -> RecordResponse | ErrorResponse:
    """An audit record of a plan change: JSON, a CSV row and a Markdown summary."""
    errors: Errors = []
    change = read_change(request, catalogue, errors, for_record=True)
    if change is None or errors:
        return error_response(errors)
    assert change.reason is not None and change.requested_by is not None
    assert change.account is not None
    currency = change.currency
    p = change.proration
    kind = changes.classify(
        catalogue, subscription_of(change.before), subscription_of(change.after)
    ).rule_kind
    body: RecordBody = {
        "account": change.account,
        "kind": kind,
        "effective": change.effective,
        "currency": currency,
        "from": _side_json(change.before, currency, catalogue),
        "to": _side_json(change.after, currency, catalogue),
        "reason": {
            "code": change.reason[0],
            "label": REASON_CODES[change.reason[0]],
            "text": change.reason[1],
        },
        "requested_by": {"name": change.requested_by[0], "role": change.requested_by[1]},
        "amounts": {key: _text_out(catalogue, p.amounts[key], currency) for key in MONEY_FIELDS},
        "next_invoice": None
        if p.next_invoice is None
        else {
            "date": p.next_invoice[0],
            "amount": _text_out(catalogue, p.next_invoice[1], currency),
        },
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "amount": _text_out(catalogue, line.amount, currency),
            }
            for line in p.lines
        ],
        "retention_years": catalogue.policy.records_retention_years,
        "visible_to": list(catalogue.policy.records_visible_to),
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    entry: ChangeRecord = {
        "id": "chg_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16],
        **body,
    }
    return {
        "record": entry,
        "csv_header": _csv_line(CSV_COLUMNS),
        "csv_row": _csv_line(_csv_values(entry)),
        "summary_markdown": change_summary(entry, change, catalogue),
    }


def _side_json(side: Side, currency: str, catalogue: Catalogue) -> RecordSide:
    return {
        "plan": side.plan.id,
        "plan_name": side.plan.name,
        "interval": side.interval,
        "quantity": side.quantity,
        "unit_price": _price(side, currency, catalogue),
    }


def _csv_line(values: Sequence[str]) -> str:
    """One RFC 4180 record (quoted where needed, CRLF inside quoted values kept), no line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()[: -len("\r\n")]


def _csv_values(entry: ChangeRecord) -> list[str]:
    following = entry["next_invoice"]
    amounts = entry["amounts"]
    return [
        entry["id"],
        _cell(entry["account"]),
        entry["kind"],
        entry["effective"],
        entry["currency"],
        entry["from"]["plan"],
        entry["from"]["interval"],
        str(entry["from"]["quantity"]),
        entry["to"]["plan"],
        entry["to"]["interval"],
        str(entry["to"]["quantity"]),
        *(amounts[key] for key in MONEY_FIELDS),
        "" if following is None else following["date"],
        "" if following is None else following["amount"],
        entry["reason"]["code"],
        _cell(entry["reason"]["text"]),
        _cell(entry["requested_by"]["name"]),
        _cell(entry["requested_by"]["role"]),
    ]


def notice(request: object, *, catalogue: Catalogue) -> NoticeResponse | ErrorResponse:
    """A draft notice to the customer about an upgrade or a downgrade."""
    errors: Errors = []
    body = request if isinstance(request, Mapping) else None
    change = read_change(request, catalogue, errors, for_record=False)
    audience = body.get("audience") if body is not None else None
    audience = "customer" if audience is None else audience
    if audience not in AUDIENCES:
        add_error(
            errors,
            "audience",
            f"unknown audience {describe(audience)}; notices are "
            f"written for: {', '.join(AUDIENCES)}",
        )
    if change is not None and change.before.plan.id == change.after.plan.id:
        add_error(
            errors,
            "to.plan",
            "a customer notice covers an upgrade or a downgrade; from and to are the same plan",
        )
    if change is None or errors:
        return error_response(errors)
    kind = changes.plan_move(change.before.plan, change.after.plan)
    assert kind is not None  # the same plan was refused above
    sections = notice_sections(change, kind, catalogue)
    company = catalogue.company
    subject = (
        f"Your {company.product} plan: {kind} from {change.before.plan.name} to "
        f"{change.after.plan.name}"
    )
    return {
        "kind": kind,
        "audience": audience,
        "subject": subject,
        "body_text": render_text(sections),
        "body_markdown": render_markdown(sections),
    }
