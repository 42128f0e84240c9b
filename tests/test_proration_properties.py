"""Invariants of the proration engine, checked with Hypothesis over generated requests."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators.commands.prorate import prorate
from calculators.domain import money, periods
from calculators.domain.periods import Interval, Period
from calculators.domain.proration_lines import line_amount
from calculators.domain.proration_model import LATER_POLICY_FIELDS, POLICY_CHOICES

CONTRACT_FIELDS = (
    "currency",
    "lines",
    "subtotal",
    "tax",
    "total",
    "due_now",
    "credit_to_balance",
    "refund",
    "next_invoice",
    "explanation",
)
LINE_FIELDS = ("kind", "description", "quantity", "unit_price", "start", "end", "factor", "amount")
MONEY_FIELDS = ("subtotal", "tax", "total", "due_now", "credit_to_balance", "refund")
CURRENCIES = ("USD", "JPY", "KWD", "EUR")

# Set per test rather than as a profile, so other test modules keep their own settings.
SETTINGS = settings(deadline=None, max_examples=150)


def amount_text(currency: str, minor: int) -> str:
    return money.to_text(Decimal(minor).scaleb(-money.minor_unit(currency)), currency)


def dec(text: str) -> Decimal:
    return Decimal(text)


intervals = st.builds(
    Interval, st.sampled_from(periods.UNITS), st.integers(min_value=1, max_value=3)
)


# The choices the first ten policy fields had. The conventions added later (issue 11) keep their
# defaults here, so every property below holds unchanged with the defaults; the new conventions
# have their own properties in tests/test_proration_conventions.py.
ORIGINAL_CHOICES = {
    key: tuple(value for value in values if value not in ("price_capped_at_paid", "extend_period"))
    for key, values in POLICY_CHOICES.items()
    if key not in LATER_POLICY_FIELDS
}


@st.composite
def policies(draw: st.DrawFn, *, basis: str, currency: str, has_current: bool) -> dict[str, Any]:
    policy: dict[str, Any] = {
        key: draw(st.sampled_from(values)) for key, values in ORIGINAL_CHOICES.items()
    }
    policy["time_basis"] = basis
    if basis == "second" and policy["day_count"] == "30_360":
        policy["day_count"] = "actual"
    if not has_current and policy["apply"] == "period_end":
        policy["apply"] = "immediately"
    policy["factor_decimals"] = draw(st.none() | st.integers(min_value=0, max_value=12))
    policy["tax"] = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "rate": st.sampled_from(["0", "0.05", "0.20", "0.175", "0.0725"]),
                "inclusive": st.booleans(),
            }
        )
    )
    policy["minimum_charge"] = amount_text(currency, draw(st.integers(0, 500)))
    return policy


def instant(day: date, seconds: int, basis: str) -> str:
    if basis == "day":
        return day.isoformat()
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def requests(
    draw: st.DrawFn,
    *,
    with_current: bool | None = None,
    policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid request: the change falls inside the current period, renews_at where needed."""
    currency = draw(st.sampled_from(CURRENCIES))
    basis = str((policy or {}).get("time_basis") or draw(st.sampled_from(periods.TIME_BASES)))
    has_current = draw(st.booleans()) if with_current is None else with_current
    start = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
    start_seconds = draw(st.integers(0, 86_399)) if basis == "second" else 0
    current_interval = draw(intervals)
    new_interval = draw(st.just(current_interval) | intervals)
    body: dict[str, Any] = {"currency": currency}

    if has_current:
        first = periods.parse_instant(instant(start, start_seconds, basis))
        end = periods.shift(first, current_interval)
        offset = draw(st.integers(0, periods.seconds_between(first, end) - 1))
        change = periods.as_datetime(first) + timedelta(seconds=offset)
        if basis == "day":
            change = periods.as_datetime(change.date())
        body["change_at"] = instant(
            change.date(), change.hour * 3600 + change.minute * 60 + change.second, basis
        )
        body["current"] = {
            "price": amount_text(currency, draw(st.integers(0, 10**8))),
            "quantity": draw(st.integers(0, 20)),
            "interval": current_interval.unit,
            "interval_count": current_interval.count,
            "period_start": instant(start, start_seconds, basis),
        }
        if draw(st.booleans()):
            body["current"]["amount_paid"] = amount_text(currency, draw(st.integers(0, 10**8)))
    else:
        body["change_at"] = instant(start, start_seconds, basis)
        body["current"] = None
    body["new"] = {
        "price": amount_text(currency, draw(st.integers(0, 10**8))),
        "quantity": draw(st.integers(0, 20)),
        "interval": new_interval.unit,
        "interval_count": new_interval.count,
    }
    if not has_current or draw(st.booleans()):
        at = periods.parse_instant(body["change_at"])
        renews = periods.shift(at, new_interval) - timedelta(days=draw(st.integers(0, 27)))
        assume(renews > at and periods.shift(renews, new_interval, -1) <= at)
        body["new"]["renews_at"] = periods.format_iso(renews)
    body["policy"] = draw(policies(basis=basis, currency=currency, has_current=has_current))
    if policy:
        body["policy"].update(policy)
    return body


def run(body: dict[str, Any]) -> dict[str, Any]:
    response = prorate(body)
    assert "errors" not in response, (body, response)
    return response


def check_money_text(text: object, currency: str) -> None:
    digits = money.minor_unit(currency)
    pattern = r"-?(0|[1-9][0-9]*)" + (rf"\.[0-9]{{{digits}}}" if digits else "")
    assert isinstance(text, str) and re.fullmatch(pattern, text), (text, currency)
    assert not re.fullmatch(r"-0(\.0+)?", text), text  # never "-0.00"


@SETTINGS
@given(requests())
def test_every_valid_request_gets_a_consistent_response(body: dict[str, Any]) -> None:
    response = run(body)
    currency = body["currency"]
    json.dumps(response)
    assert tuple(response)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    for field in MONEY_FIELDS:
        check_money_text(response[field], currency)
    check_money_text(response["next_invoice"]["amount"], currency)
    for line in response["lines"]:
        assert tuple(line) == LINE_FIELDS
        check_money_text(line["amount"], currency)
        check_money_text(line["unit_price"], currency)
        assert (dec(line["amount"]) <= 0) == (line["kind"] == "credit") or dec(line["amount"]) == 0
    # The lines add up exactly to the subtotal; the total is the subtotal plus any added tax.
    subtotal = sum((dec(line["amount"]) for line in response["lines"]), Decimal(0))
    assert subtotal == dec(response["subtotal"])
    tax = body["policy"]["tax"]
    if tax is None:
        assert dec(response["tax"]) == 0
    if tax is None or tax["inclusive"]:
        assert dec(response["total"]) == subtotal
    else:
        assert dec(response["total"]) == subtotal + dec(response["tax"])
    # Money only ever moves one way, and never a negative amount.
    due, balance, refund = (
        dec(response[key]) for key in ("due_now", "credit_to_balance", "refund")
    )
    assert min(due, balance, refund, dec(response["next_invoice"]["amount"])) >= 0
    assert due == 0 or (balance == 0 and refund == 0)
    if body["policy"]["apply"] != "immediately":
        assert due == 0
    assert response["explanation"] and all(
        isinstance(s, str) and s for s in response["explanation"]
    )


@SETTINGS
@given(
    requests(
        with_current=True,
        policy={
            "day_count": "actual",
            "factor_decimals": None,
            "credit_basis": "price",
            "apply": "immediately",
        },
    )
)
def test_credit_never_exceeds_what_the_remaining_time_is_worth(body: dict[str, Any]) -> None:
    response = run(body)
    credits = [line for line in response["lines"] if line["kind"] == "credit"]
    current = body["current"]
    base = dec(current["price"]) * current["quantity"]
    if not credits:
        assert base == 0
        return
    (credit,) = credits
    # Measured independently of the engine: Python's own date and datetime subtraction.
    start = periods.parse_instant(current["period_start"])
    end = periods.parse_instant(credit["end"])
    change = periods.parse_instant(credit["start"])
    if body["policy"]["time_basis"] == "day":
        remaining, whole = (end - change).days, (end - start).days
    else:
        remaining = int((periods.as_datetime(end) - periods.as_datetime(change)).total_seconds())
        whole = int((periods.as_datetime(end) - periods.as_datetime(start)).total_seconds())
    worth = base * remaining / whole
    half_step = money.step(body["currency"]) / 2
    assert -dec(credit["amount"]) <= worth + half_step
    assert -dec(credit["amount"]) <= base


@SETTINGS
@given(
    requests(with_current=True), st.sampled_from(periods.DAY_COUNTS), st.none() | st.integers(0, 12)
)
def test_the_same_plan_and_quantity_nets_zero(
    body: dict[str, Any], day_count: str, factor_decimals: int | None
) -> None:
    body["new"] = {
        key: body["current"][key] for key in ("price", "quantity", "interval", "interval_count")
    }
    body["current"].pop("amount_paid", None)
    if body["policy"]["time_basis"] == "second":
        day_count = "actual"
    body["policy"].update(
        credit_basis="price",
        apply="immediately",
        factor_decimals=factor_decimals,
        day_count=day_count,
    )
    response = run(body)
    assert dec(response["subtotal"]) == 0
    assert dec(response["total"]) == 0
    assert dec(response["due_now"]) == 0 and dec(response["credit_to_balance"]) == 0


@SETTINGS
@given(
    requests(with_current=True, policy={"credit_basis": "price", "apply": "immediately"}),
    st.sampled_from(["actual", "30_360"]),
)
def test_a_change_at_the_period_start_credits_the_whole_period(
    body: dict[str, Any], day_count: str
) -> None:
    body["change_at"] = body["current"]["period_start"]
    # 30_day_month is left out on purpose: it measures against 30 days a month, so February
    # credited from its first day is 28/30 of the price (see contracts/prorate.md).
    body["policy"]["day_count"] = day_count if body["policy"]["time_basis"] == "day" else "actual"
    body["new"].pop("renews_at", None)
    response = run(body)
    current = body["current"]
    whole = dec(current["price"]) * current["quantity"]
    credits = [dec(line["amount"]) for line in response["lines"] if line["kind"] == "credit"]
    assert credits == ([-whole] if whole else [])


@SETTINGS
@given(
    st.sampled_from(CURRENCIES),
    st.integers(0, 10**9),
    st.integers(1, 50),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    intervals,
    st.integers(0, 10**6),
    st.sampled_from(periods.TIME_BASES),
    st.sampled_from(money.ROUNDINGS),
)
def test_splitting_a_period_anywhere_sums_to_the_whole_within_a_minor_unit_per_part(
    currency: str,
    minor: int,
    quantity: int,
    start: date,
    interval: Interval,
    millionths: int,
    basis: str,
    rounding: money.Rounding,
) -> None:
    price = Decimal(minor).scaleb(-money.minor_unit(currency))
    base = price * quantity
    first: date = start if basis == "day" else periods.as_datetime(start)
    whole = periods.period_starting(first, interval)
    length = periods.length(whole, basis="second")
    split = periods.as_datetime(whole.start) + timedelta(seconds=length * millionths // 10**6)
    middle: date = split if basis == "second" else split.date()
    assume(whole.start <= middle <= whole.end)
    parts = []
    for part in (Period(whole.start, middle), Period(middle, whole.end)):
        share = periods.share(
            part,
            whole,
            interval=interval,
            basis=basis,  # type: ignore[arg-type]
            day_count="actual",
        )
        parts.append(
            line_amount(base, share, currency=currency, rounding=rounding, factor_decimals=None)[2]
        )
    assert abs(parts[0] + parts[1] - base) <= money.step(currency)  # half a unit per part
    # The engine's credit for the second part is that same line amount.
    if middle < whole.end:
        body = {
            "currency": currency,
            "change_at": periods.format_iso(middle),
            "current": {
                "price": money.to_text(price, currency),
                "quantity": quantity,
                "interval": interval.unit,
                "interval_count": interval.count,
                "period_start": periods.format_iso(whole.start),
            },
            "new": {
                "price": money.to_text(price, currency),
                "quantity": 0,
                "interval": interval.unit,
                "interval_count": interval.count,
            },
            "policy": {"time_basis": basis, "rounding": rounding},
        }
        credit = run(body)["lines"]
        assert [dec(line["amount"]) for line in credit] == ([-parts[1]] if base else [])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "2012-05-12",
            "2023-02-30",
            "USD",
            "JPY",
            "NaN",
            "1e3",
            "-1",
            "0.005",
            "month",
            "year",
            "immediately",
            "2020-09-01T17:42:28Z",
            "249.95",
            "",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=12)
            | st.sampled_from(
                [
                    "currency",
                    "change_at",
                    "current",
                    "new",
                    "policy",
                    "price",
                    "quantity",
                    "interval",
                    "period_start",
                    "renews_at",
                    "tax",
                    "rate",
                    "apply",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


def check_response_shape(response: dict[str, Any]) -> None:
    json.dumps(response, allow_nan=False)
    if "errors" in response:
        assert set(response) == {"errors"}
        assert isinstance(response["errors"], list) and response["errors"]
        for problem in response["errors"]:
            assert set(problem) == {"field", "message"}
            assert isinstance(problem["field"], str) and isinstance(problem["message"], str)
            assert problem["message"]
    else:
        assert set(CONTRACT_FIELDS) <= set(response)


@SETTINGS
@given(json_values)
def test_any_json_value_gets_errors_or_a_full_response(value: object) -> None:
    check_response_shape(prorate(value))


@SETTINGS
@given(requests(), st.data())
def test_a_corrupted_field_never_breaks_the_response(
    body: dict[str, Any], data: st.DataObject
) -> None:
    section = data.draw(st.sampled_from(["", "current", "new", "policy"]))
    target = body if section == "" or not isinstance(body.get(section), dict) else body[section]
    key = data.draw(st.sampled_from(sorted(target)) | st.text(max_size=8))
    target[key] = data.draw(json_values)
    check_response_shape(prorate(body))
