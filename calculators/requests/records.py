"""Reads ``record`` and ``notice`` requests."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from calculators.domain import changes, money
from calculators.domain.catalogue import Catalogue, describe
from calculators.domain.records import (
    MONEY_FIELDS,
    REASON_CODES,
    SIGNED,
    Change,
    Line,
    Proration,
    Side,
    subscription_of,
)
from calculators.requests.errors import Errors, add_error, join
from calculators.requests.fields import (
    read_count,
    read_currency,
    read_interval,
    read_object,
    read_plan,
)

MAX_TEXT: Final = 1000
DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
UTC_TIME: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:Z|\+00:00)"
)
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
    # JSON can spell half a character ("\ud800"); a record's text is stored as UTF-8.
    if any("\ud800" <= character <= "\udfff" for character in value):
        add_error(errors, field, "must be text, without unpaired surrogates such as \\ud800")
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
    match = DATE.fullmatch(text) or UTC_TIME.fullmatch(text)
    if match is not None:
        try:
            date(int(match[1]), int(match[2]), int(match[3]))
            if match.re is UTC_TIME and (
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
    for key in MONEY_FIELDS:
        amount = _read_amount(
            value.get(key), join(field, key), currency, catalogue, errors, signed=key in SIGNED
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


def read_change(
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
        and not changes.kinds_of(catalogue, subscription_of(before), subscription_of(after))
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
    if DATE.fullmatch(instant) is None:
        return instant
    return (date.fromisoformat(instant) - timedelta(days=1)).isoformat()


def _covers(proration: Proration, effective: str) -> bool:
    """The effective instant is one of the proration's, or the date of one of them."""
    if effective in proration.dates:
        return True
    return DATE.fullmatch(effective) is not None and any(
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
