"""calculators.commands.prorate: the proration contract, edge case by edge case.

Every expected figure here was worked out by hand; the comment beside a case shows the sum.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from calculators.commands.prorate import prorate
from calculators.domain.proration_model import (
    DEFAULT_POLICY,
    LATER_POLICY_FIELDS,
    PRORATION_POLICY_FIELDS,
)
from calculators.requests import prorate_policy as proration

ROOT = Path(__file__).resolve().parents[1]
DELETE = object()

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

# 100.00 a month -> 200.00 a month on 12 May 2012, in the period 1 May to 1 Jun (31 days):
# 20 days are unused, so the credit is 100 x 20/31 = 64.516 -> 64.52 and the charge
# 200 x 20/31 = 129.032 -> 129.03.
BASE: dict[str, Any] = {
    "currency": "USD",
    "change_at": "2012-05-12",
    "current": {
        "price": "100.00",
        "quantity": 1,
        "interval": "month",
        "interval_count": 1,
        "period_start": "2012-05-01",
    },
    "new": {"price": "200.00", "quantity": 1, "interval": "month", "interval_count": 1},
}

# A 30-day period split exactly in half, for rounding ties: 1 Sep to 1 Oct 2020, change on 16 Sep.
HALF: dict[str, Any] = {
    "change_at": "2020-09-16",
    "current": {"period_start": "2020-09-01"},
}


def request(*changes: dict[str, Any], **top: Any) -> dict[str, Any]:
    """BASE with nested changes merged in (``DELETE`` removes a key, ``None`` sets null)."""
    result = copy.deepcopy(BASE)
    for change in (*changes, top):
        _merge(result, change)
    return result


def _merge(target: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if value is DELETE:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def ok(body: dict[str, Any]) -> dict[str, Any]:
    response = prorate(body)
    assert "errors" not in response, response
    json.dumps(response)  # JSON-compatible
    return response


def errors(body: object) -> list[tuple[str, str]]:
    response = prorate(body)
    assert set(response) == {"errors"}, response
    problems = response["errors"]
    assert isinstance(problems, list)
    return [(problem["field"], problem["message"]) for problem in problems]


def amounts(response: dict[str, Any]) -> list[str]:
    return [line["amount"] for line in response["lines"]]


def figures(response: dict[str, Any]) -> tuple[str, ...]:
    return (
        response["subtotal"],
        response["tax"],
        response["total"],
        response["due_now"],
        response["credit_to_balance"],
        response["refund"],
        response["next_invoice"]["date"],
        response["next_invoice"]["amount"],
    )


# --- the contract's own example ------------------------------------------------------------

CONTRACT_EXAMPLE: dict[str, Any] = {
    "currency": "USD",
    "change_at": "2012-05-12",
    "current": {
        "price": "249.95",
        "quantity": 1,
        "interval": "month",
        "interval_count": 1,
        "period_start": "2012-05-01",
        "period_end": "2012-06-01",
        "amount_paid": "249.95",
    },
    "new": {
        "price": "2399.95",
        "quantity": 1,
        "interval": "year",
        "interval_count": 1,
        "renews_at": "2013-05-01",
    },
    "policy": {
        "time_basis": "day",
        "day_count": "actual",
        "rounding": "half_up",
        "factor_decimals": None,
        "credit_basis": "price",
        "apply": "immediately",
        "interval_change": "restart",
        "negative_total": "credit_balance",
        "tax": None,
        "minimum_charge": "0.00",
    },
}


@pytest.mark.parametrize("with_policy", [True, False])
def test_the_contract_example_to_the_cent(with_policy: bool) -> None:
    body = copy.deepcopy(CONTRACT_EXAMPLE)
    if not with_policy:
        del body["policy"]  # the defaults are the contract's
    response = ok(body)
    # 249.95 x 20/31 = 161.258 -> 161.26; 2399.95 x 354/365 = 2327.623 -> 2327.62.
    assert response["lines"] == [
        {
            "kind": "credit",
            "description": "Unused time on the current plan, 12 May 2012 to 1 Jun 2012",
            "quantity": 1,
            "unit_price": "249.95",
            "start": "2012-05-12",
            "end": "2012-06-01",
            "factor": "0.645161290",
            "amount": "-161.26",
        },
        {
            "kind": "charge",
            "description": "Remaining time on the new plan, 12 May 2012 to 1 May 2013",
            "quantity": 1,
            "unit_price": "2399.95",
            "start": "2012-05-12",
            "end": "2013-05-01",
            "factor": "0.969863014",
            "amount": "2327.62",
        },
    ]
    assert figures(response) == (
        "2166.36",
        "0.00",
        "2166.36",
        "2166.36",
        "0.00",
        "0.00",
        "2013-05-01",
        "2399.95",
    )
    assert response["explanation"][0].startswith(
        "20 of 31 days unused \u00d7 249.95 = 161.26 credit"
    )
    assert response["explanation"][1].startswith(
        "354 of 365 days remaining \u00d7 2399.95 = 2327.62 charge"
    )


def test_the_response_has_every_contract_field_in_order() -> None:
    response = ok(request())
    assert tuple(response)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    assert set(response) - set(CONTRACT_FIELDS) == {"minimum_charge_deferred", "preset", "policy"}
    for line in response["lines"]:
        assert tuple(line) == LINE_FIELDS
    assert set(response["next_invoice"]) == {"date", "amount"}
    # The conventions added later are echoed only when they are not the default.
    first_ten = {
        key: value for key, value in DEFAULT_POLICY.items() if key not in LATER_POLICY_FIELDS
    }
    assert response["policy"] == {**first_ten, "minimum_charge": "0.00"}


# --- month ends, leap days, first and last days and seconds --------------------------------

CALENDAR_CASES = [
    # (name, changes, line amounts, subtotal, line end)
    (
        "change on the first day credits the whole period",
        {"change_at": "2012-05-01"},
        ["-100.00", "200.00"],
        "100.00",
        "2012-06-01",
    ),
    (
        "change on the last day: 1 of 31 days",  # 100/31 = 3.226, 200/31 = 6.452
        {"change_at": "2012-05-31"},
        ["-3.23", "6.45"],
        "3.22",
        "2012-06-01",
    ),
    (
        "leap day is the last day of a 29-day February",  # 100/29 = 3.448, 200/29 = 6.897
        {"change_at": "2012-02-29", "current": {"period_start": "2012-02-01"}},
        ["-3.45", "6.90"],
        "3.45",
        "2012-03-01",
    ),
    (
        "28-day February",  # 100/28 = 3.571, 200/28 = 7.143
        {"change_at": "2013-02-28", "current": {"period_start": "2013-02-01"}},
        ["-3.57", "7.14"],
        "3.57",
        "2013-03-01",
    ),
    (
        "anchor 31: Jan 31 + 1 month is Feb 29 in 2012",  # 14 of 29 days: 48.276, 96.552
        {"change_at": "2012-02-15", "current": {"period_start": "2012-01-31"}},
        ["-48.28", "96.55"],
        "48.27",
        "2012-02-29",
    ),
    (
        "anchor 31: Jan 31 + 1 month is Feb 28 in 2013",  # 14 of 28 days: exactly half
        {"change_at": "2013-02-14", "current": {"period_start": "2013-01-31"}},
        ["-50.00", "100.00"],
        "50.00",
        "2013-02-28",
    ),
    (
        "anchor 31 after a short month: Apr 30 -> May 31 is not assumed; given explicitly",
        {
            "change_at": "2012-05-30",
            "current": {"period_start": "2012-04-30", "period_end": "2012-05-31"},
        },
        ["-3.23", "6.45"],
        "3.22",
        "2012-05-31",
    ),
    (
        "a year from Feb 29 ends on Feb 28: 183 of 365 days",  # 1200 x 183/365 = 601.644
        {
            "change_at": "2012-08-29",
            "current": {"price": "1200.00", "interval": "year", "period_start": "2012-02-29"},
            "new": {"price": "2400.00", "interval": "year"},
        },
        ["-601.64", "1203.29"],
        "601.65",
        "2013-02-28",
    ),
    (
        "a year containing Feb 29 has 366 days",  # 366 x 1.00 over 366 days, change at day 183
        {
            "change_at": "2012-08-01",
            "current": {"price": "366.00", "interval": "year", "period_start": "2012-01-01"},
            "new": {"price": "732.00", "interval": "year"},
        },
        ["-153.00", "306.00"],
        "153.00",
        "2013-01-01",
    ),
    (
        "the last second of a period is worth less than a cent",  # 100 x 1/2592000
        {
            "change_at": "2020-09-30T23:59:59Z",
            "current": {"period_start": "2020-09-01T00:00:00Z"},
            "policy": {"time_basis": "second"},
        },
        ["0.00", "0.00"],
        "0.00",
        "2020-10-01T00:00:00Z",
    ),
    (
        "the first second of a period credits all of it",
        {
            "change_at": "2020-09-01T00:00:00Z",
            "current": {"period_start": "2020-09-01T00:00:00Z"},
            "policy": {"time_basis": "second"},
        },
        ["-100.00", "200.00"],
        "100.00",
        "2020-10-01T00:00:00Z",
    ),
    (
        "seconds: 14.5 of 30 days",  # 100 x 1252800/2592000 = 48.333, 200 x ... = 96.667
        {
            "change_at": "2020-09-16T12:00:00Z",
            "current": {"period_start": "2020-09-01T00:00:00Z"},
            "policy": {"time_basis": "second"},
        },
        ["-48.33", "96.67"],
        "48.34",
        "2020-10-01T00:00:00Z",
    ),
    (
        "a date counts from midnight UTC on a second basis",
        {
            "change_at": "2020-09-16",
            "current": {"period_start": "2020-09-01"},
            "policy": {"time_basis": "second"},
        },
        ["-50.00", "100.00"],
        "50.00",
        "2020-10-01T00:00:00Z",
    ),
    (
        "a datetime counts as its date on a day basis",
        {"change_at": "2020-09-16T23:59:59Z", "current": {"period_start": "2020-09-01T08:00:00Z"}},
        ["-50.00", "100.00"],
        "50.00",
        "2020-10-01",
    ),
    (
        "weekly: 3 of 7 days",  # 100 x 3/7 = 42.857, 200 x 3/7 = 85.714
        {
            "change_at": "2012-05-05",
            "current": {"interval": "week", "period_start": "2012-05-01"},
            "new": {"interval": "week"},
        },
        ["-42.86", "85.71"],
        "42.85",
        "2012-05-08",
    ),
    (
        "every 3 months: 81 of 92 days",  # 100 x 81/92 = 88.043, 200 x 81/92 = 176.087
        {"current": {"interval_count": 3}, "new": {"interval_count": 3}},
        ["-88.04", "176.09"],
        "88.05",
        "2012-08-01",
    ),
]


@pytest.mark.parametrize(
    ("name", "changes", "lines", "subtotal", "end"),
    CALENDAR_CASES,
    ids=[case[0] for case in CALENDAR_CASES],
)
def test_calendar_edges(
    name: str, changes: dict[str, Any], lines: list[str], subtotal: str, end: str
) -> None:
    response = ok(request(changes))
    assert amounts(response) == lines
    assert response["subtotal"] == subtotal
    assert {line["end"] for line in response["lines"]} == {end}
    assert response["next_invoice"]["date"] == end


def test_a_change_on_the_period_end_belongs_to_the_next_period() -> None:
    assert errors(request(change_at="2012-06-01")) == [
        (
            "change_at",
            "2012-06-01 is outside the current period 2012-05-01 to 2012-06-01 "
            "(the end belongs to the next period)",
        )
    ]
    assert errors(request(change_at="2012-04-30"))[0][0] == "change_at"


def test_descriptions_read_like_an_invoice() -> None:
    response = ok(request({"change_at": "2012-05-02"}))
    assert [line["description"] for line in response["lines"]] == [
        "Unused time on the current plan, 2 May 2012 to 1 Jun 2012",
        "Remaining time on the new plan, 2 May 2012 to 1 Jun 2012",
    ]
    timed = ok(
        request(HALF, {"change_at": "2020-09-16T17:42:28Z", "policy": {"time_basis": "second"}})
    )
    assert timed["lines"][0]["description"] == (
        "Unused time on the current plan, 16 Sep 2020 17:42:28 UTC to 1 Oct 2020 00:00:00 UTC"
    )
    assert timed["lines"][0]["start"] == "2020-09-16T17:42:28Z"


# --- currencies and rounding ---------------------------------------------------------------


def test_zero_decimal_jpy() -> None:
    # 1000 x 20/31 = 645.16 -> 645; 3000 x 20/31 = 1935.48 -> 1935.
    response = ok(
        request({"currency": "JPY", "current": {"price": "1000"}, "new": {"price": "3000"}})
    )
    assert amounts(response) == ["-645", "1935"]
    assert figures(response) == ("1290", "0", "1290", "1290", "0", "0", "2012-06-01", "3000")
    assert response["lines"][0]["unit_price"] == "1000"


def test_three_decimal_kwd() -> None:
    # 10.125 x 20/31 = 6.5323 -> 6.532; 20.250 x 20/31 = 13.0645 -> 13.065.
    response = ok(
        request({"currency": "KWD", "current": {"price": "10.125"}, "new": {"price": "20.25"}})
    )
    assert amounts(response) == ["-6.532", "13.065"]
    assert figures(response) == (
        "6.533",
        "0.000",
        "6.533",
        "6.533",
        "0.000",
        "0.000",
        "2012-06-01",
        "20.250",
    )


TIE_CASES = [
    # Half of the period: every line lands exactly on a half minor unit.
    # 0.25 / 2 = 0.125 and 0.75 / 2 = 0.375.
    ("USD", "0.25", "0.75", "half_up", ["-0.13", "0.38"], "0.25"),
    ("USD", "0.25", "0.75", "half_even", ["-0.12", "0.38"], "0.26"),
    # 25 / 2 = 12.5 and 75 / 2 = 37.5 yen.
    ("JPY", "25", "75", "half_up", ["-13", "38"], "25"),
    ("JPY", "25", "75", "half_even", ["-12", "38"], "26"),
    # 0.025 / 2 = 0.0125 and 0.075 / 2 = 0.0375 dinar.
    ("KWD", "0.025", "0.075", "half_up", ["-0.013", "0.038"], "0.025"),
    ("KWD", "0.025", "0.075", "half_even", ["-0.012", "0.038"], "0.026"),
]


@pytest.mark.parametrize(("currency", "old", "new", "rounding", "lines", "subtotal"), TIE_CASES)
def test_rounding_ties_tell_half_up_from_half_even(
    currency: str, old: str, new: str, rounding: str, lines: list[str], subtotal: str
) -> None:
    response = ok(
        request(
            HALF,
            {
                "currency": currency,
                "current": {"price": old},
                "new": {"price": new},
                "policy": {"rounding": rounding},
            },
        )
    )
    assert amounts(response) == lines
    assert response["subtotal"] == subtotal
    assert response["lines"][0]["factor"] == "0.500000000"


@pytest.mark.parametrize(("rounding", "tax"), [("half_up", "0.13"), ("half_even", "0.12")])
def test_tax_is_rounded_once_with_the_policy_rounding(rounding: str, tax: str) -> None:
    # At the period start the subtotal is -100.00 + 200.00 = 100.00; 100.00 x 0.00125 = 0.125.
    response = ok(
        request(
            {
                "change_at": "2012-05-01",
                "policy": {"rounding": rounding, "tax": {"rate": "0.00125"}},
            }
        )
    )
    assert response["tax"] == tax


def test_factor_decimals_round_the_factor_first() -> None:
    # 20/31 = 0.645... -> 0.65 at 2 decimals: 100 x 0.65 = 65.00 and 200 x 0.65 = 130.00.
    response = ok(request({"policy": {"factor_decimals": 2}}))
    assert amounts(response) == ["-65.00", "130.00"]
    assert [line["factor"] for line in response["lines"]] == ["0.65", "0.65"]
    nine = ok(request({"policy": {"factor_decimals": 9}}))
    assert nine["lines"][0]["factor"] == "0.645161290"
    assert "rounded half up to 9 decimals" in nine["explanation"][0]
    zero = ok(request({"policy": {"factor_decimals": 0}}))
    assert amounts(zero) == ["-100.00", "200.00"]  # 0.645 -> 1 at 0 decimals


def test_day_count_conventions() -> None:
    # 30-day months: 20 actual days over 30. 100 x 20/30 = 66.667, 200 x 20/30 = 133.333.
    month30 = ok(request({"policy": {"day_count": "30_day_month"}}))
    assert amounts(month30) == ["-66.67", "133.33"]
    assert "20 of 30 days unused (30-day months)" in month30["explanation"][0]
    # 30/360: 12 May to 1 Jun is 19 days (May 31 counts as the 30th) of 30.
    d360 = ok(request({"policy": {"day_count": "30_360"}}))
    assert amounts(d360) == ["-63.33", "126.67"]
    # A 31-day month credited from its first day is capped at one whole month under 30-day months.
    whole = ok(request({"change_at": "2012-05-01", "policy": {"day_count": "30_day_month"}}))
    assert amounts(whole) == ["-100.00", "200.00"]
    assert "capped" in whole["explanation"][0]
    # February has only 28 of the 30 days.
    february = ok(
        request(
            {
                "change_at": "2013-02-01",
                "current": {"period_start": "2013-02-01"},
                "policy": {"day_count": "30_day_month"},
            }
        )
    )
    assert amounts(february) == ["-93.33", "186.67"]


# --- policies ------------------------------------------------------------------------------

POLICY_CASES = [
    # (name, changes, line amounts, subtotal, tax, total, due now, to balance, refund,
    #  next invoice date, next invoice amount)
    (
        "upgrade, immediately",
        {},
        ["-64.52", "129.03"],
        "64.51",
        "0.00",
        "64.51",
        "64.51",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "upgrade, next invoice: the lines ride on the renewal",
        {"policy": {"apply": "next_invoice"}},
        ["-64.52", "129.03"],
        "64.51",
        "0.00",
        "64.51",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "264.51",
    ),
    (
        "upgrade at period end: no proration",
        {"policy": {"apply": "period_end"}},
        [],
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "upgrade without proration",
        {"policy": {"apply": "without_proration"}},
        [],
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "downgrade: the net credit goes to the balance",
        {"current": {"price": "200.00"}, "new": {"price": "100.00"}},
        ["-129.03", "64.52"],
        "-64.51",
        "0.00",
        "-64.51",
        "0.00",
        "64.51",
        "0.00",
        "2012-06-01",
        "100.00",
    ),
    (
        "downgrade with refunds",
        {
            "current": {"price": "200.00"},
            "new": {"price": "100.00"},
            "policy": {"negative_total": "refund"},
        },
        ["-129.03", "64.52"],
        "-64.51",
        "0.00",
        "-64.51",
        "0.00",
        "0.00",
        "64.51",
        "2012-06-01",
        "100.00",
    ),
    (
        "downgrade on the next invoice: the credit reduces the renewal",
        {
            "current": {"price": "200.00"},
            "new": {"price": "100.00"},
            "policy": {"apply": "next_invoice"},
        },
        ["-129.03", "64.52"],
        "-64.51",
        "0.00",
        "-64.51",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "35.49",
    ),
    (
        "a credit larger than the next invoice: the rest goes to the balance",
        {
            "current": {"price": "1000.00"},
            "new": {"price": "10.00"},
            "policy": {"apply": "next_invoice"},
        },  # -645.16 + 6.45 + 10.00 renewal = -628.71
        ["-645.16", "6.45"],
        "-638.71",
        "0.00",
        "-638.71",
        "0.00",
        "628.71",
        "0.00",
        "2012-06-01",
        "0.00",
    ),
    (
        "seats 3 -> 5",  # 300 x 20/31 = 193.548; 500 x 20/31 = 322.581
        {"current": {"quantity": 3}, "new": {"price": "100.00", "quantity": 5}},
        ["-193.55", "322.58"],
        "129.03",
        "0.00",
        "129.03",
        "129.03",
        "0.00",
        "0.00",
        "2012-06-01",
        "500.00",
    ),
    (
        "seats 5 -> 3",
        {"current": {"quantity": 5}, "new": {"price": "100.00", "quantity": 3}},
        ["-322.58", "193.55"],
        "-129.03",
        "0.00",
        "-129.03",
        "0.00",
        "129.03",
        "0.00",
        "2012-06-01",
        "300.00",
    ),
    (
        "removal: quantity 0 leaves only the credit",
        {"new": {"price": "100.00", "quantity": 0}},
        ["-64.52"],
        "-64.52",
        "0.00",
        "-64.52",
        "0.00",
        "64.52",
        "0.00",
        "2012-06-01",
        "0.00",
    ),
    (
        "adding an add-on the customer had none of",
        {"current": {"quantity": 0}},
        ["129.03"],
        "129.03",
        "0.00",
        "129.03",
        "129.03",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "new subscription mid-cycle up to renews_at",
        {"current": None, "new": {"renews_at": "2012-06-01"}},
        ["129.03"],
        "129.03",
        "0.00",
        "129.03",
        "129.03",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "new subscription mid-cycle without proration: the first part is free",
        {
            "current": None,
            "new": {"renews_at": "2012-06-01"},
            "policy": {"apply": "without_proration"},
        },
        [],
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "monthly -> annual, restart: a full year from the change",
        {"new": {"price": "1000.00", "interval": "year"}},
        ["-64.52", "1000.00"],
        "935.48",
        "0.00",
        "935.48",
        "935.48",
        "0.00",
        "0.00",
        "2013-05-12",
        "1000.00",
    ),
    (
        "monthly -> annual, keep_anchor: 354 of 365 days",  # 1000 x 354/365 = 969.863
        {
            "new": {"price": "1000.00", "interval": "year"},
            "policy": {"interval_change": "keep_anchor"},
        },
        ["-64.52", "969.86"],
        "905.34",
        "0.00",
        "905.34",
        "905.34",
        "0.00",
        "0.00",
        "2013-05-01",
        "1000.00",
    ),
    (
        "monthly -> annual, restart, next invoice: that invoice is issued at once",
        {"new": {"price": "1000.00", "interval": "year"}, "policy": {"apply": "next_invoice"}},
        ["-64.52", "1000.00"],
        "935.48",
        "0.00",
        "935.48",
        "0.00",
        "0.00",
        "0.00",
        "2012-05-12",
        "935.48",
    ),
    (
        "annual -> monthly, keep_anchor: the month that contains the change",
        # 1200 x 228/365 = 749.589 credit; 150 x 16/30 = 80.00 for 15 Sep to 1 Oct.
        {
            "change_at": "2012-09-15",
            "current": {"price": "1200.00", "interval": "year"},
            "new": {"price": "150.00", "interval": "month"},
            "policy": {"interval_change": "keep_anchor"},
        },
        ["-749.59", "80.00"],
        "-669.59",
        "0.00",
        "-669.59",
        "0.00",
        "669.59",
        "0.00",
        "2012-10-01",
        "150.00",
    ),
    (
        "12 months is the same interval as a year",
        {
            "current": {"price": "1200.00", "interval": "year"},
            "new": {"price": "2400.00", "interval": "month", "interval_count": 12},
        },
        ["-1163.84", "2327.67"],
        "1163.83",
        "0.00",
        "1163.83",
        "1163.83",
        "0.00",
        "0.00",
        "2013-05-01",
        "2400.00",
    ),
    (
        "tax exclusive: 64.51 x 0.20 = 12.902 -> 12.90",
        {"policy": {"tax": {"rate": "0.20", "inclusive": False}}},
        ["-64.52", "129.03"],
        "64.51",
        "12.90",
        "77.41",
        "77.41",
        "0.00",
        "0.00",
        "2012-06-01",
        "240.00",
    ),
    (
        "tax inclusive: 64.51 x 0.20 / 1.20 = 10.752 -> 10.75",
        {"policy": {"tax": {"rate": "0.20", "inclusive": True}}},
        ["-64.52", "129.03"],
        "64.51",
        "10.75",
        "64.51",
        "64.51",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "tax on a net credit is credited too",
        {
            "current": {"price": "200.00"},
            "new": {"price": "100.00"},
            "policy": {"tax": {"rate": "0.20"}},
        },
        ["-129.03", "64.52"],
        "-64.51",
        "-12.90",
        "-77.41",
        "0.00",
        "77.41",
        "0.00",
        "2012-06-01",
        "120.00",
    ),
    (
        "tax once on the next invoice: (200.00 + 64.51) x 0.20 = 52.902 -> 52.90",
        {"policy": {"apply": "next_invoice", "tax": {"rate": "0.20"}}},
        ["-64.52", "129.03"],
        "64.51",
        "12.90",
        "77.41",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "317.41",
    ),
    (
        "minimum charge: 0.06 is deferred to the next invoice",
        {"new": {"price": "100.10"}, "policy": {"minimum_charge": "0.50"}},
        ["-64.52", "64.58"],
        "0.06",
        "0.00",
        "0.06",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "100.16",
    ),
    (
        "minimum charge: a charge at the minimum is invoiced",
        {"new": {"price": "100.80"}, "policy": {"minimum_charge": "0.50"}},
        ["-64.52", "65.03"],
        "0.51",
        "0.00",
        "0.51",
        "0.51",
        "0.00",
        "0.00",
        "2012-06-01",
        "100.80",
    ),
    (
        "credit at what was paid (a 20% discount)",  # 80 x 20/31 = 51.613
        {"current": {"amount_paid": "80.00"}, "policy": {"credit_basis": "paid"}},
        ["-51.61", "129.03"],
        "77.42",
        "0.00",
        "77.42",
        "77.42",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "credit at the price ignores what was paid",
        {"current": {"amount_paid": "80.00"}},
        ["-64.52", "129.03"],
        "64.51",
        "0.00",
        "64.51",
        "64.51",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
    (
        "the same plan and quantity nets zero",
        {"new": {"price": "100.00"}},
        ["-64.52", "64.52"],
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "2012-06-01",
        "100.00",
    ),
    (
        "a free plan has nothing to credit",
        {"current": {"price": "0.00"}},
        ["129.03"],
        "129.03",
        "0.00",
        "129.03",
        "129.03",
        "0.00",
        "0.00",
        "2012-06-01",
        "200.00",
    ),
]


@pytest.mark.parametrize(
    (
        "name",
        "changes",
        "lines",
        "subtotal",
        "tax",
        "total",
        "due_now",
        "balance",
        "refund",
        "next_date",
        "next_amount",
    ),
    POLICY_CASES,
    ids=[case[0] for case in POLICY_CASES],
)
def test_policies(
    name: str,
    changes: dict[str, Any],
    lines: list[str],
    subtotal: str,
    tax: str,
    total: str,
    due_now: str,
    balance: str,
    refund: str,
    next_date: str,
    next_amount: str,
) -> None:
    response = ok(request(changes))
    assert amounts(response) == lines
    assert figures(response) == (
        subtotal,
        tax,
        total,
        due_now,
        balance,
        refund,
        next_date,
        next_amount,
    )


def test_minimum_charge_deferral_is_said_in_the_response() -> None:
    deferred = ok(request({"new": {"price": "100.10"}, "policy": {"minimum_charge": "0.50"}}))
    assert deferred["minimum_charge_deferred"] is True
    assert any("below the minimum charge of 0.50" in s for s in deferred["explanation"])
    assert ok(request())["minimum_charge_deferred"] is False


def test_credit_at_paid_shows_what_was_paid_as_one_line() -> None:
    response = ok(
        request(
            {
                "current": {"quantity": 3, "amount_paid": "240.00"},
                "new": {"quantity": 3},
                "policy": {"credit_basis": "paid"},
            }
        )
    )
    credit = response["lines"][0]
    assert (credit["quantity"], credit["unit_price"], credit["amount"]) == (1, "240.00", "-154.84")
    assert "\u00d7 240.00 paid" in response["explanation"][0]


def test_explanations_can_be_checked_by_hand() -> None:
    response = ok(
        request(
            {
                "current": {"quantity": 3},
                "new": {"price": "100.00", "quantity": 5},
                "policy": {"tax": {"rate": "0.20"}},
            }
        )
    )
    assert response["explanation"] == [
        "20 of 31 days unused \u00d7 3 \u00d7 100.00 = 193.55 credit "
        "(193.5483870967\u2026 rounded half up to 0.01).",
        "20 of 31 days remaining \u00d7 5 \u00d7 100.00 = 322.58 charge "
        "(322.5806451612\u2026 rounded half up to 0.01).",
        "Subtotal: -193.55 + 322.58 = 129.03.",
        "Tax at 20%: 129.03 \u00d7 0.20 = 25.806, rounded half up once for the invoice to 25.81; "
        "total 154.84.",
        "Charged now: 154.84.",
        "Next invoice on 1 Jun 2012: 600.00 (5 \u00d7 100.00 for the next month, tax added).",
    ]
    seconds = ok(request(HALF, {"policy": {"time_basis": "second"}}))
    assert seconds["explanation"][0] == (
        "1,296,000 of 2,592,000 seconds unused \u00d7 100.00 = 50.00 credit."
    )


def test_presets_fill_the_policy_and_explicit_fields_win() -> None:
    killbill = ok(request(preset="killbill"))
    assert killbill["preset"] == "killbill"
    assert killbill["policy"]["factor_decimals"] == 9
    assert killbill["policy"]["credit_basis"] == "price_capped_at_paid"
    overridden = ok(
        request({"policy": {"factor_decimals": None, "apply": "next_invoice"}}, preset="killbill")
    )
    assert overridden["policy"]["factor_decimals"] is None
    assert overridden["policy"]["apply"] == "next_invoice"
    assert overridden["policy"]["interval_change"] == "keep_anchor"  # still the preset's


def test_public_policy_helpers() -> None:
    assert tuple(DEFAULT_POLICY) == PRORATION_POLICY_FIELDS
    assert proration.check_policy({"apply": "immediately", "tax": {"rate": "0.2"}}) == []
    assert proration.check_policy({"apply": "soon", "minimum_charge": "0.5"}, currency="JPY") == [
        {
            "field": "policy.apply",
            "message": 'unknown value "soon"; use one of immediately, next_invoice, period_end, '
            "without_proration",
        },
        {
            "field": "policy.minimum_charge",
            "message": "0.5 has too many decimals: JPY amounts have no decimals",
        },
    ]


def test_a_currency_outside_the_table_can_declare_its_minor_unit() -> None:
    response = ok(
        request(
            {
                "currency": "XTS",
                "minor_unit": 4,
                "current": {"price": "1.0000"},
                "new": {"price": "2.0000"},
            }
        )
    )
    assert amounts(response) == ["-0.6452", "1.2903"]
    assert errors(request({"minor_unit": 3})) == [
        ("minor_unit", "USD has 2 decimals in ISO 4217, not 3")
    ]


# --- errors --------------------------------------------------------------------------------

ERROR_CASES = [
    # (name, request, expected (field, message start) pairs, in order)
    (
        "missing everything",
        {},
        [
            ("currency", "is required"),
            ("change_at", "is required"),
            ("current", "is required"),
            ("new", "is required"),
        ],
    ),
    (
        "missing fields inside",
        request({"current": {"price": DELETE, "period_start": DELETE}, "new": {"price": DELETE}}),
        [
            ("current.price", "is required"),
            ("current.period_start", "is required"),
            ("new.price", "is required"),
        ],
    ),
    (
        "non-decimal prices",
        request({"current": {"price": "NaN"}, "new": {"price": "1e3"}}),
        [
            ("current.price", "'NaN' is not a decimal amount"),
            ("new.price", "'1e3' is not a decimal amount"),
        ],
    ),
    (
        "prices as JSON numbers",
        request({"current": {"price": 100}, "new": {"price": 99.5}}),
        [
            ("current.price", 'must be a decimal string such as "249.95", not the number 100'),
            ("new.price", 'must be a decimal string such as "249.95", not a float'),
        ],
    ),
    (
        "negative prices",
        request({"current": {"price": "-1.00"}, "new": {"price": "-0.01"}}),
        [("current.price", "-1.00 is negative"), ("new.price", "-0.01 is negative")],
    ),
    (
        "too many decimals for the currency",
        request({"current": {"price": "10.005"}, "new": {"price": "1.5"}}, currency="JPY"),
        [
            ("current.price", "10.005 has too many decimals: JPY amounts have no decimals"),
            ("new.price", "1.5 has too many decimals: JPY amounts have no decimals"),
        ],
    ),
    (
        "huge amounts",
        request({"current": {"price": "1" + "0" * 15}}),
        [("current.price", "1000000000000000 is too large")],
    ),
    ("unknown currency", request(currency="XYZ"), [("currency", "unknown currency 'XYZ'")]),
    (
        "lower-case currency",
        request(currency="usd"),
        [("currency", '"usd" is not an ISO 4217 code such as "USD"; did you mean \'USD\'?')],
    ),
    (
        "a date that does not exist",
        request(change_at="2023-02-30"),
        [("change_at", "'2023-02-30' is not a date: February 2023 has 28 days")],
    ),
    (
        "not a date",
        request({"current": {"period_start": "May 1st"}}),
        [("current.period_start", "'May 1st' is not a date")],
    ),
    (
        "change before the period",
        request(change_at="2012-04-30"),
        [("change_at", "2012-04-30 is outside the current period 2012-05-01 to 2012-06-01")],
    ),
    (
        "period end before start",
        request({"current": {"period_end": "2012-04-01"}}),
        [("current.period_end", "2012-04-01 must be after period_start 2012-05-01")],
    ),
    (
        "period end equal to start",
        request({"current": {"period_end": "2012-05-01"}}),
        [("current.period_end", "2012-05-01 must be after period_start 2012-05-01")],
    ),
    (
        "negative quantity",
        request({"current": {"quantity": -1}}),
        [("current.quantity", "-1 is negative")],
    ),
    (
        "string quantity",
        request({"new": {"quantity": "2"}}),
        [("new.quantity", 'must be a whole number such as 2, not the string "2"')],
    ),
    (
        "boolean quantity",
        request({"new": {"quantity": True}}),
        [("new.quantity", "must be a whole number such as 2, got true")],
    ),
    (
        "fractional quantity",
        request({"new": {"quantity": 2.5}}),
        [("new.quantity", "must be a whole number such as 2, got 2.5")],
    ),
    (
        "integral float quantity",
        request({"new": {"quantity": 2.0}}),
        [("new.quantity", "must be a whole number such as 2, got 2.0")],
    ),
    (
        "huge quantity",
        request({"new": {"quantity": 10**100}}),
        [("new.quantity", "a number with more than 40 digits is too large")],
    ),
    (
        "unknown interval",
        request({"new": {"interval": "monthly", "interval_count": 0}}),
        [
            ("new.interval", 'unknown interval "monthly"'),
            ("new.interval_count", "must be from 1 to 1000, got 0"),
        ],
    ),
    (
        "unknown policy values",
        request(
            {
                "policy": {
                    "time_basis": "hour",
                    "day_count": "30/360",
                    "rounding": "up",
                    "credit_basis": "list",
                    "apply": "later",
                    "interval_change": "align",
                    "negative_total": "keep",
                    "factor_decimals": "9",
                    "minimum_charge": 1,
                    "tax": {"rate": 0.2, "inclusive": "no"},
                }
            }
        ),
        [
            ("policy.time_basis", 'unknown value "hour"'),
            ("policy.day_count", 'unknown value "30/360"'),
            ("policy.rounding", 'unknown value "up"'),
            ("policy.credit_basis", 'unknown value "list"'),
            ("policy.apply", 'unknown value "later"'),
            ("policy.interval_change", 'unknown value "align"'),
            ("policy.negative_total", 'unknown value "keep"'),
            ("policy.factor_decimals", "must be null or a whole number"),
            ("policy.tax.rate", "must be a decimal fraction as a string"),
            ("policy.tax.inclusive", "must be true or false"),
            ("policy.minimum_charge", "must be a decimal string"),
        ],
    ),
    (
        "tax rate of 100% or more",
        request({"policy": {"tax": {"rate": "1.5"}}}),
        [("policy.tax.rate", "must be at least 0 and below 1")],
    ),
    (
        "30/360 with seconds",
        request({"policy": {"time_basis": "second", "day_count": "30_360"}}),
        [("policy.day_count", "30_360 counts whole days")],
    ),
    (
        "unknown keys at every level",
        request(
            {
                "extra": 1,
                "current": {"plan": "pro"},
                "new": {"seats": 2},
                "policy": {"proration": True, "tax": {"rate": "0.1", "region": "EU"}},
            }
        ),
        [
            ("extra", "unknown field"),
            ("policy.proration", "unknown field"),
            ("policy.tax.region", "unknown field"),
            ("current.plan", "unknown field"),
            ("new.seats", "unknown field"),
        ],
    ),
    (
        "unknown preset",
        request(preset="paypal"),
        [("preset", 'unknown preset "paypal"; use one of stripe, killbill')],
    ),
    (
        "new subscription without renews_at",
        request(current=None),
        [("new.renews_at", "is required when current is null")],
    ),
    (
        "renews_at more than an interval away",
        request({"current": None, "new": {"renews_at": "2012-07-01"}}),
        [("new.renews_at", "2012-07-01 is more than one month after change_at 2012-05-12")],
    ),
    (
        "renews_at before the change",
        request({"new": {"renews_at": "2012-05-12"}}),
        [("new.renews_at", "2012-05-12 must be after change_at 2012-05-12")],
    ),
    (
        "period_end without a current plan",
        request(
            {"current": None, "new": {"renews_at": "2012-06-01"}, "policy": {"apply": "period_end"}}
        ),
        [("policy.apply", "period_end waits for the current period to end")],
    ),
    (
        "a period running past the calendar",
        request({"current": {"period_start": "9999-12-15"}}),
        [("current.period_start", "1 month after 9999-12-15 is outside the years 0001 to 9999")],
    ),
    (
        "wrong shapes",
        {"currency": 840, "change_at": 20120512, "current": [], "new": "pro", "policy": "strict"},
        [
            ("currency", "840 is not an ISO 4217 code"),
            ("policy", "must be an object"),
            ("change_at", "must be a date"),
            ("current", "must be an object or null, got a list"),
            ("new", "must be an object, got a string"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "expected"), ERROR_CASES, ids=[case[0] for case in ERROR_CASES]
)
def test_every_kind_of_bad_input_is_reported_with_its_field(
    name: str, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    found = errors(body)
    assert [field for field, _ in found] == [field for field, _ in expected], found
    for (_, message), (_, start) in zip(found, expected, strict=True):
        assert message.startswith(start), (message, start)


GARBAGE: list[object] = [
    None,
    [],
    {},
    "",
    "prorate",
    0,
    1.5,
    True,
    [{"currency": "USD"}],
    {"current": 5},
    {"current": None},
    {"new": None},
    {"policy": None},
    {"policy": []},
    {1: 2},
    {"currency": None, "change_at": None, "current": None, "new": None, "policy": None},
    {"currency": "USD", "change_at": "NaN", "current": {"price": "NaN"}, "new": {"price": "1e3"}},
    request({"current": {"price": "9" * 5000}}),
    request({"current": {"quantity": 10**5000}}),
    request({"current": {"interval_count": 10**30}}),
    request({"new": {"renews_at": "9999-12-31"}}),
    request({"current": {"period_start": "0001-01-01"}}, change_at="0001-01-15"),
    request({"policy": {"factor_decimals": 10**9}}),
    request({"policy": {"tax": {"rate": "0." + "9" * 5000}}}),
    request({"policy": {"tax": []}}),
    request({"current": {"period_start": {"date": "2012-05-01"}}}),
    request({"new": {"price": ["1"]}}),
    request(change_at="2012-05-12T10:00:00.123456Z"),
    request(change_at="\u0662\u0660\u0661\u0662-05-12"),
    request(preset=["stripe"]),
    request(minor_unit=True),
    request(minor_unit=99),
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_nothing_raises(body: object) -> None:
    response = prorate(body)
    json.dumps(response)
    if "errors" not in response:  # a strange but valid request
        assert set(CONTRACT_FIELDS) <= set(response)
        return
    assert set(response) == {"errors"}
    assert all(set(problem) == {"field", "message"} for problem in response["errors"])
    assert all(problem["message"] for problem in response["errors"])


def test_near_the_end_of_the_calendar_still_works() -> None:
    response = ok(request({"current": {"period_start": "9999-11-01"}}, change_at="9999-11-16"))
    assert response["next_invoice"]["date"] == "9999-12-01"


# --- the command line ----------------------------------------------------------------------

needs_cli = pytest.mark.skipif(
    not (ROOT / "calculators" / "__main__.py").exists(), reason="the CLI is not written yet"
)


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "calculators", "prorate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


@needs_cli
def test_cli_prints_the_response_and_exits_0(tmp_path: Path) -> None:
    result = run_cli(stdin=json.dumps(CONTRACT_EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == prorate(CONTRACT_EXAMPLE)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8")
    from_file = run_cli("--file", str(path))
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout)["total"] == "2166.36"


@needs_cli
def test_cli_exits_2_on_errors() -> None:
    result = run_cli(stdin=json.dumps(request(change_at="2023-02-30")))
    assert result.returncode == 2
    assert json.loads(result.stdout)["errors"][0]["field"] == "change_at"


# --- the documented contract ---------------------------------------------------------------


def test_the_documented_example_is_what_the_engine_answers() -> None:
    text = (ROOT / "calculators" / "contracts" / "prorate.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```json\n")[1:]]
    documented_request, documented_response = (json.loads(block) for block in blocks[:2])
    assert prorate(documented_request) == documented_response


def test_the_documented_worked_example() -> None:
    golden = json.loads(
        (ROOT / "tests" / "golden" / "prorate" / "seats-added.json").read_text(encoding="utf-8")
    )
    assert amounts(golden["response"]) == ["-38.71", "61.94"]
    taxed = ok(request(golden["request"], {"policy": {"tax": {"rate": "0.20"}}}))
    assert (taxed["tax"], taxed["total"]) == ("4.65", "27.88")


def test_without_proration_follows_a_moved_renewal_date() -> None:
    moved = ok(
        request({"new": {"renews_at": "2012-06-12"}, "policy": {"apply": "without_proration"}})
    )
    assert moved["lines"] == []
    assert moved["next_invoice"] == {"date": "2012-06-12", "amount": "200.00"}
    waiting = ok(request({"new": {"renews_at": "2012-06-12"}, "policy": {"apply": "period_end"}}))
    assert waiting["next_invoice"] == {"date": "2012-06-01", "amount": "200.00"}


def test_a_new_period_past_the_calendar_is_an_error_not_a_crash() -> None:
    body = request(
        {"current": {"period_start": "9999-06-01"}, "new": {"interval": "year"}},
        change_at="9999-06-15",
    )
    assert errors(body) == [
        ("new.interval", "1 year after 9999-06-15 is outside the years 0001 to 9999")
    ]
