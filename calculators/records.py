"""Change records and customer notices, built from a plan change and its proration result.

Domain rules (the contract is ``calculators/contracts/records.md``):

- a record needs a reason: one of ``REASON_CODES``, with words in ``text`` when the code is
  ``other``; who asked for the change; the account; the change (from, to, effective date); and
  the proration engine's response for it;
- the kind of change is the kind whose rule applies, decided by ``calculators.changes`` (a
  different plan is an ``upgrade`` or a ``downgrade``, another interval ``monthly_to_annual`` or
  ``annual_to_monthly``, another quantity ``seats_added`` or ``seats_removed``; of several, the
  one the catalogue's ``change_precedence`` lists first);
- the effective date must be a date the proration result covers (the start of one of its lines,
  or the date of its next invoice), and both must be in the same currency, so a record never
  pairs a change with somebody else's numbers;
- a record's ``id`` is derived from its content (SHA-256), so recording the same change twice
  gives the same id, and nothing in it depends on the clock;
- a notice to the customer covers an upgrade or a downgrade, and states no number that is not in
  the proration result or the catalogue: amounts and dates come from the proration result, limits
  and response times from the catalogue.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from calculators import changes, money, periods, policy_words
from calculators.catalogue import Catalogue, Plan, describe
from calculators.plans import (
    Errors,
    add_error,
    error_response,
    join,
    plan_has_feature,
    read_count,
    read_currency,
    read_interval,
    read_object,
    read_plan,
    units_text,
)

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

MAX_TEXT: Final = 1000
_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UTC_TIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:Z|\+00:00)"
)
_INTERVAL_WORDS: Final[Mapping[str, str]] = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "year": "yearly",
}
_MONEY_FIELDS: Final = ("subtotal", "tax", "total", "due_now", "credit_to_balance", "refund")
_SIGNED: Final = ("subtotal", "total")
# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------------------------
# Reading


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
    amounts: Mapping[str, Decimal]  # _MONEY_FIELDS
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


# One request shape serves both: a record ignores ``audience``, a notice ignores ``account``,
# ``reason`` and ``requested_by`` (it checks them when they are given).
_CHANGE_KEYS: Final = (
    "account",
    "from",
    "to",
    "effective",
    "currency",
    "reason",
    "requested_by",
    "proration",
    "audience",
)


def _read_text(value: object, field: str, errors: Errors, *, required: bool = True) -> str | None:
    if not required and (value is None or (isinstance(value, str) and not value.strip())):
        return ""
    if not isinstance(value, str) or not value.strip():
        add_error(errors, field, f"must be non-empty text, got {describe(value)}")
        return None
    if len(value) > MAX_TEXT:
        add_error(errors, field, f"must be at most {MAX_TEXT} characters, got {len(value)}")
        return None
    return value.strip()


def _read_side(value: object, field: str, catalogue: Catalogue, errors: Errors) -> Side | None:
    body = read_object(
        value, field, errors, required=("plan",), optional=("plan", "interval", "quantity")
    )
    if body is None:
        return None
    plan = None
    if "plan" in body:
        plan = read_plan(body["plan"], join(field, "plan"), catalogue, errors)
    interval = read_interval(body.get("interval"), join(field, "interval"), catalogue, errors)
    quantity: int | None = 1
    if body.get("quantity") is not None:
        quantity = read_count(body["quantity"], join(field, "quantity"), errors, minimum=1)
    if plan is None or interval is None or quantity is None:
        return None
    return Side(plan, interval, quantity)


def _read_instant(value: object, field: str, errors: Errors) -> str | None:
    """An ISO 8601 date ("2026-03-14") or an RFC 3339 UTC time ("2026-03-14T09:30:00Z", or
    with "+00:00"), returned with "Z"."""
    text = value if isinstance(value, str) else ""
    match = _DATE.fullmatch(text) or _UTC_TIME.fullmatch(text)
    if match is not None:
        try:
            date(int(match[1]), int(match[2]), int(match[3]))
            if match.re is _UTC_TIME and (
                int(match[4]) > 23 or int(match[5]) > 59 or int(match[6]) > 59
            ):
                raise ValueError
            # One spelling of UTC, so the same instant always compares equal.
            return text.replace("+00:00", "Z")
        except ValueError:
            pass
    add_error(
        errors,
        field,
        f'must be a date such as "2026-03-14" or a UTC time such as '
        f'"2026-03-14T09:30:00Z", got {describe(value)}',
    )
    return None


def _read_amount(
    value: object,
    field: str,
    currency: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    signed: bool,
) -> Decimal | None:
    try:
        return money.parse_amount(
            value, currency, allow_negative=signed, extra=catalogue.minor_units
        )
    except money.MoneyError as error:
        add_error(errors, field, str(error))
        return None


def read_proration(
    value: object, field: str, currency: str | None, catalogue: Catalogue, errors: Errors
) -> Proration | None:
    """Check the proration response a record or notice is built from."""
    if not isinstance(value, Mapping):
        add_error(
            errors,
            field,
            f"must be the proration calculator's response (an object), got {describe(value)}",
        )
        return None
    if "errors" in value:
        add_error(
            errors,
            field,
            "is a proration response with errors; correct the change and prorate it again first",
        )
        return None
    start = len(errors)
    code = value.get("currency")
    if currency is not None and code != currency:
        add_error(
            errors,
            join(field, "currency"),
            f"must be the change's currency {currency}, got {describe(code)}",
        )
    if currency is None or len(errors) > start:
        return None
    amounts = {}
    for key in _MONEY_FIELDS:
        amount = _read_amount(
            value.get(key), join(field, key), currency, catalogue, errors, signed=key in _SIGNED
        )
        if amount is not None:
            amounts[key] = amount
    lines = []
    dates = set()
    # Billed in arrears, the used part ends on the change; when the day of the change counts as
    # used on the current plan, the new plan's lines start the day after it.
    policy_echo = value.get("policy")
    change_day_is_used = (
        isinstance(policy_echo, Mapping) and policy_echo.get("change_day") == "current_plan"
    )
    raw_lines = value.get("lines")
    if isinstance(raw_lines, (str, bytes)) or not isinstance(raw_lines, Sequence):
        add_error(errors, join(field, "lines"), f"must be a list, got {describe(raw_lines)}")
        raw_lines = ()
    for index, item in enumerate(raw_lines):
        where = f"{join(field, 'lines')}[{index}]"
        if not isinstance(item, Mapping):
            add_error(errors, where, f"must be an object, got {describe(item)}")
            continue
        kind = _read_text(item.get("kind"), join(where, "kind"), errors)
        text = _read_text(item.get("description"), join(where, "description"), errors)
        amount = _read_amount(
            item.get("amount"), join(where, "amount"), currency, catalogue, errors, signed=True
        )
        for edge in ("start", "end"):
            if edge in item:
                instant = _read_instant(item.get(edge), join(where, edge), errors)
                if instant is not None:
                    dates.add(instant)
                    if edge == "start" and change_day_is_used:
                        dates.add(_day_before(instant))
        if kind is not None and text is not None and amount is not None:
            lines.append(Line(kind, text, amount))
    following = value.get("next_invoice")
    next_invoice = None
    if following is not None:
        where = join(field, "next_invoice")
        if not isinstance(following, Mapping):
            add_error(errors, where, f"must be an object or null, got {describe(following)}")
        else:
            when = _read_instant(following.get("date"), join(where, "date"), errors)
            amount = _read_amount(
                following.get("amount"),
                join(where, "amount"),
                currency,
                catalogue,
                errors,
                signed=False,
            )
            if when is not None and amount is not None:
                next_invoice = (when, amount)
                dates.add(when)
    if len(errors) > start:
        return None
    deferred = value.get("minimum_charge_deferred") is True
    return Proration(currency, amounts, tuple(lines), next_invoice, frozenset(dates), deferred)


def _read_change(
    request: object,
    catalogue: Catalogue,
    errors: Errors,
    *,
    for_record: bool,
) -> Change | None:
    required: tuple[str, ...] = ("from", "to", "effective", "proration")
    if for_record:
        required += ("account", "reason", "requested_by")
    body = read_object(request, "", errors, required=required, optional=_CHANGE_KEYS)
    if body is None:
        return None
    account = None
    if "account" in body and (for_record or body["account"] is not None):
        account = _read_text(body["account"], "account", errors)
    before = _read_side(body["from"], "from", catalogue, errors) if "from" in body else None
    after = _read_side(body["to"], "to", catalogue, errors) if "to" in body else None
    effective = None
    if "effective" in body:
        effective = _read_instant(body["effective"], "effective", errors)
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    reason = None
    if "reason" in body and (for_record or body["reason"] is not None):
        reason = _read_reason(body["reason"], errors)
    requested_by = None
    if "requested_by" in body and (for_record or body["requested_by"] is not None):
        requested_by = _read_requested_by(body["requested_by"], errors)
    proration = None
    if "proration" in body:
        proration = read_proration(body["proration"], "proration", currency, catalogue, errors)
    if (
        before is not None
        and after is not None
        and not changes.kinds_of(catalogue, _subscription(before), _subscription(after))
    ):
        add_error(
            errors,
            "to",
            "is the same as from: a change must change the plan, the "
            "billing interval or the quantity",
        )
    if effective is not None and proration is not None and not _covers(proration, effective):
        covered = ", ".join(sorted(proration.dates)) or "no dates"
        add_error(
            errors,
            "effective",
            f"{effective} is not a date the proration result covers "
            f"({covered}); prorate the change for this date first",
        )
    if errors or before is None or after is None or effective is None or currency is None:
        return None
    if proration is None:
        return None
    return Change(account, before, after, effective, currency, reason, requested_by, proration)


def _day_before(instant: str) -> str:
    """The calendar day before a date; a datetime is left as it is (seconds basis)."""
    if _DATE.fullmatch(instant) is None:
        return instant
    return (date.fromisoformat(instant) - timedelta(days=1)).isoformat()


def _covers(proration: Proration, effective: str) -> bool:
    """The effective instant is one of the proration's, or the date of one of them."""
    if effective in proration.dates:
        return True
    return _DATE.fullmatch(effective) is not None and any(
        d[:10] == effective for d in proration.dates
    )


def _read_reason(value: object, errors: Errors) -> tuple[str, str] | None:
    body = read_object(value, "reason", errors, required=("code",), optional=("code", "text"))
    if body is None:
        return None
    code = body.get("code")
    if "code" in body and (not isinstance(code, str) or code not in REASON_CODES):
        add_error(
            errors,
            "reason.code",
            f"unknown reason {describe(code)}; use one of: {', '.join(REASON_CODES)}",
        )
        return None
    if not isinstance(code, str):
        return None
    raw = body.get("text")
    if code == "other" and (raw is None or (isinstance(raw, str) and not raw.strip())):
        add_error(errors, "reason.text", "is required when the reason code is other: say why")
        return None
    text = _read_text(raw, "reason.text", errors, required=False)
    return None if text is None else (code, text)


def _read_requested_by(value: object, errors: Errors) -> tuple[str, str] | None:
    body = read_object(value, "requested_by", errors, required=("name", "role"))
    if body is None:
        return None
    name = _read_text(body.get("name"), "requested_by.name", errors) if "name" in body else None
    role = _read_text(body.get("role"), "requested_by.role", errors) if "role" in body else None
    if name is None or role is None:
        return None
    return name, role


# --------------------------------------------------------------------------------------------
# Kinds and words


def _subscription(side: Side) -> changes.Subscription:
    """A record's side as the classification reads it: the plan's quantity counts seats."""
    return changes.Subscription(side.plan, side.interval, quantity=side.quantity)


def format_instant(text: str) -> str:
    """ "2026-03-14" as "14 March 2026"; a UTC time adds "at 09:30 UTC"."""
    match = _DATE.fullmatch(text) or _UTC_TIME.fullmatch(text)
    if match is None:
        return text
    day = f"{int(match[3])} {periods.MONTH_NAMES[int(match[2]) - 1]} {match[1]}"
    if match.re is _UTC_TIME:
        return f"{day} at {match[4]}:{match[5]} UTC"
    return day


def _price(side: Side, currency: str, catalogue: Catalogue) -> str | None:
    if not side.plan.self_serve:
        return None
    return money.to_text(
        side.plan.price(currency, side.interval), currency, extra=catalogue.minor_units
    )


def _text_out(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return money.to_text(amount, currency, extra=catalogue.minor_units)


def _show(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    return money.display(amount, currency, extra=catalogue.minor_units)


def markdown_escape(text: str) -> str:
    """Text a person typed, safe inside Markdown: one line, no markup, no HTML."""
    flat = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", flat)


def _cell(text: str) -> str:
    """Free text for a spreadsheet cell: a leading formula character is neutralised with '."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# --------------------------------------------------------------------------------------------
# Record


def record(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """An audit record of a plan change: JSON, a CSV row and a Markdown summary."""
    errors: Errors = []
    change = _read_change(request, catalogue, errors, for_record=True)
    if change is None or errors:
        return error_response(errors)
    assert change.reason is not None and change.requested_by is not None
    assert change.account is not None
    currency = change.currency
    p = change.proration
    kind = changes.classify(
        catalogue, _subscription(change.before), _subscription(change.after)
    ).rule_kind
    body: dict[str, Any] = {
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
        "amounts": {key: _text_out(catalogue, p.amounts[key], currency) for key in _MONEY_FIELDS},
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
    entry = {"id": "chg_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16], **body}
    return {
        "record": entry,
        "csv_header": _csv_line(CSV_COLUMNS),
        "csv_row": _csv_line(_csv_values(entry)),
        "summary_markdown": _summary(entry, change, catalogue),
    }


def _side_json(side: Side, currency: str, catalogue: Catalogue) -> dict[str, Any]:
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


def _csv_values(entry: Mapping[str, Any]) -> list[str]:
    following = entry["next_invoice"] or {}
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
        *(amounts[key] for key in _MONEY_FIELDS),
        following.get("date", ""),
        following.get("amount", ""),
        entry["reason"]["code"],
        _cell(entry["reason"]["text"]),
        _cell(entry["requested_by"]["name"]),
        _cell(entry["requested_by"]["role"]),
    ]


def _side_words(side: Side) -> str:
    quantity = f", quantity {side.quantity}" if side.quantity != 1 else ""
    return f"{markdown_escape(side.plan.name)} ({_INTERVAL_WORDS[side.interval]}{quantity})"


def _summary(entry: Mapping[str, Any], change: Change, catalogue: Catalogue) -> str:
    currency = change.currency
    p = change.proration
    reason = entry["reason"]
    why = reason["label"] + (f": {markdown_escape(reason['text'])}" if reason["text"] else "")
    kind = entry["kind"].replace("_", " ")
    lines = [
        f"**Plan change `{entry['id']}`**: {kind}, {_side_words(change.before)} to "
        f"{_side_words(change.after)}, effective {format_instant(change.effective)}.",
        "",
        f"- Account: {markdown_escape(entry['account'])}",
        f"- Requested by: {markdown_escape(entry['requested_by']['name'])} "
        f"({markdown_escape(entry['requested_by']['role'])})",
        f"- Reason: {why}",
        f"- Due now: {_show(catalogue, p.amounts['due_now'], currency)}; credit to balance: "
        f"{_show(catalogue, p.amounts['credit_to_balance'], currency)}; refund: "
        f"{_show(catalogue, p.amounts['refund'], currency)}",
    ]
    if p.next_invoice is not None:
        lines.append(
            f"- Next invoice: {format_instant(p.next_invoice[0])}, "
            f"{_show(catalogue, p.next_invoice[1], currency)}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Notice


def notice(request: object, *, catalogue: Catalogue) -> dict[str, Any]:
    """A draft notice to the customer about an upgrade or a downgrade."""
    errors: Errors = []
    body = request if isinstance(request, Mapping) else None
    change = _read_change(request, catalogue, errors, for_record=False)
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
    sections = _notice_sections(change, kind, catalogue)
    company = catalogue.company
    subject = (
        f"Your {company.product} plan: {kind} from {change.before.plan.name} to "
        f"{change.after.plan.name}"
    )
    return {
        "kind": kind,
        "audience": audience,
        "subject": subject,
        "body_text": _render_text(sections),
        "body_markdown": _render_markdown(sections),
    }


@dataclass(frozen=True)
class _Section:
    heading: str | None
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


def _notice_sections(change: Change, kind: str, catalogue: Catalogue) -> list[_Section]:
    before, after = change.before, change.after
    currency = change.currency
    p = change.proration

    def show(amount: Decimal) -> str:
        return _show(catalogue, amount, currency)

    opening = (
        f"Your {catalogue.company.product} plan changes from {before.plan.name} to "
        f"{after.plan.name} on {format_instant(change.effective)}."
    )
    if before.interval != after.interval:
        opening += (
            f" Billing changes from {_INTERVAL_WORDS[before.interval]} to "
            f"{_INTERVAL_WORDS[after.interval]}."
        )
    sections = [_Section(None, ("Hello,", opening))]

    pay = []
    due = p.amounts["due_now"]
    pay.append(f"Charged now: {show(due)}." if due > 0 else "Nothing is charged now.")
    if p.deferred:
        pay.append(
            "The charge for this change is below our minimum charge, so it is added to "
            "your next invoice instead."
        )
    if p.amounts["credit_to_balance"] > 0:
        pay.append(
            f"Added to your account credit: {show(p.amounts['credit_to_balance'])}. "
            f"{policy_words.credit_use(catalogue)}"
        )
    if p.amounts["refund"] > 0:
        pay.append(f"Refunded to your payment method: {show(p.amounts['refund'])}.")
    if p.amounts["tax"] != 0:
        pay.append(f"Tax included in this change: {show(p.amounts['tax'])}.")
    if p.next_invoice is not None:
        pay.append(
            f"Your next invoice, on {format_instant(p.next_invoice[0])}: {show(p.next_invoice[1])}."
        )
    sections.append(_Section("What you pay", bullets=tuple(pay)))
    if p.lines:
        sections.append(
            _Section(
                "How this is worked out",
                bullets=tuple(f"{line.description}: {show(line.amount)}" for line in p.lines),
            )
        )

    gains, losses = _differences(before.plan, after.plan, catalogue)
    if gains:
        sections.append(_Section("What you gain", bullets=tuple(gains)))
    if losses:
        sections.append(_Section("What you lose", bullets=tuple(losses)))
    lowered = [
        r.id
        for r in catalogue.resources
        if _lowered(before.plan.limits.get(r.id), after.plan.limits.get(r.id))
    ]
    if kind == changes.DOWNGRADE and lowered:
        kept = policy_words.nothing_deleted(catalogue)
        sections.append(
            _Section(
                "Usage above the new limits",
                (kept,) if kept else (),
                tuple(policy_words.over_limit_sentence(catalogue, rid) for rid in lowered),
            )
        )
    company = catalogue.company
    sections.append(
        _Section(
            None,
            (
                f"Questions? Reply to this message or write to {company.support_email}.",
                f"The {company.name} team",
            ),
        )
    )
    return sections


def _lowered(old: int | None, new: int | None) -> bool:
    """A limit that goes down (``None`` is a limit set by contract, above every number)."""
    return new is not None and (old is None or new < old)


def _differences(before: Plan, after: Plan, catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """What the new plan adds and takes away, in words, from the catalogue."""
    gains: list[str] = []
    losses: list[str] = []
    for resource in catalogue.resources:
        old, new = before.limits.get(resource.id), after.limits.get(resource.id)
        if old == new:
            continue
        old_text = "set by contract" if old is None else units_text(catalogue, resource.id, old)
        new_text = "set by contract" if new is None else units_text(catalogue, resource.id, new)
        line = f"{resource.label}: {old_text} \N{RIGHTWARDS ARROW} {new_text}"
        (gains if new is None or (old is not None and new > old) else losses).append(line)
    for fid, feature in catalogue.features.items():
        had = plan_has_feature(catalogue, before, fid)
        has = plan_has_feature(catalogue, after, fid)
        if has and not had:
            gains.append(feature.label)
        elif had and not has:
            losses.append(feature.label)
    old_level = catalogue.support_level(before.support)
    new_level = catalogue.support_level(after.support)
    if old_level.id != new_level.id:
        line = (
            f"Support: {_support_words(old_level.id, catalogue)} \N{RIGHTWARDS ARROW} "
            f"{_support_words(new_level.id, catalogue)}"
        )
        (gains if new_level.rank > old_level.rank else losses).append(line)
    return gains, losses


def _support_words(level_id: str, catalogue: Catalogue) -> str:
    level = catalogue.support_level(level_id)
    if level.first_response_hours is None:
        return level.label
    hours = level.first_response_hours
    return f"{level.label} (first reply within {hours} hour{'s' if hours != 1 else ''})"


def _render_text(sections: Sequence[_Section]) -> str:
    blocks = []
    for section in sections:
        parts = list(section.paragraphs)
        if section.bullets:
            parts.append("\n".join(f"- {item}" for item in section.bullets))
        body = "\n\n".join(parts)
        blocks.append(f"{section.heading}\n{body}" if section.heading else body)
    return "\n\n".join(blocks) + "\n"


def _render_markdown(sections: Sequence[_Section]) -> str:
    blocks = []
    for section in sections:
        if section.heading:
            blocks.append(f"### {section.heading}")
        blocks.extend(markdown_escape(paragraph) for paragraph in section.paragraphs)
        if section.bullets:
            blocks.append("\n".join(f"- {markdown_escape(item)}" for item in section.bullets))
    return "\n\n".join(blocks) + "\n"
