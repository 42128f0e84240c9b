"""Change records and customer notices: audit fields, CSV, summaries, kinds, errors, numbers."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.commands.records import notice, record
from calculators.domain.records import CSV_COLUMNS, REASON_CODES
from calculators.requests.catalogue import read_catalogue_file
from calculators.wording import policy_words

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue.json"
CATALOGUE = read_catalogue_file(FIXTURE)

# A proration response as the engine gives it for Team -> Business on 14 Mar 2026 (monthly,
# period 1 Mar to 1 Apr, credit for what was paid): written out so these tests stand alone.
UPGRADE_PRORATION: dict[str, Any] = {
    "currency": "USD",
    "lines": [
        {
            "kind": "credit",
            "description": "Unused time on the current plan, 14 Mar 2026 to 1 Apr 2026",
            "quantity": 1,
            "unit_price": "29.00",
            "start": "2026-03-14",
            "end": "2026-04-01",
            "factor": "0.580645161",
            "amount": "-16.84",
        },
        {
            "kind": "charge",
            "description": "Remaining time on the new plan, 14 Mar 2026 to 1 Apr 2026",
            "quantity": 1,
            "unit_price": "79.00",
            "start": "2026-03-14",
            "end": "2026-04-01",
            "factor": "0.580645161",
            "amount": "45.87",
        },
    ],
    "subtotal": "29.03",
    "tax": "0.00",
    "total": "29.03",
    "due_now": "29.03",
    "credit_to_balance": "0.00",
    "refund": "0.00",
    "next_invoice": {"date": "2026-04-01", "amount": "79.00"},
    "explanation": ["18 of 31 days unused x 29.00 paid = 16.84 credit"],
}
DOWNGRADE_PRORATION: dict[str, Any] = {
    "currency": "USD",
    "lines": [
        {
            "kind": "credit",
            "description": "Unused time on the current plan, 14 Mar 2026 to 1 Apr 2026",
            "start": "2026-03-14",
            "end": "2026-04-01",
            "amount": "-45.87",
        },
        {
            "kind": "charge",
            "description": "Remaining time on the new plan, 14 Mar 2026 to 1 Apr 2026",
            "start": "2026-03-14",
            "end": "2026-04-01",
            "amount": "16.84",
        },
    ],
    "subtotal": "-29.03",
    "tax": "0.00",
    "total": "-29.03",
    "due_now": "0.00",
    "credit_to_balance": "29.03",
    "refund": "0.00",
    "next_invoice": {"date": "2026-04-01", "amount": "29.00"},
}


def base_record(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "account": "acct_42",
        "from": {"plan": "team", "interval": "month", "quantity": 1},
        "to": {"plan": "business", "interval": "month", "quantity": 1},
        "effective": "2026-03-14",
        "reason": {"code": "needs_more_resources", "text": "Launching a second shop"},
        "requested_by": {"name": "Ana García", "role": "account owner"},
        "currency": "USD",
        "proration": copy.deepcopy(UPGRADE_PRORATION),
    }
    request.update(changes)
    return request


def base_notice(**changes: Any) -> dict[str, Any]:
    request = base_record(**{"audience": "customer", **changes})
    for key in ("account", "reason", "requested_by"):
        if key not in changes:
            del request[key]
    return request


def ok(response: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in response, response
    return response


# --------------------------------------------------------------------------------------------
# Record


def test_record_fields() -> None:
    entry = ok(record(base_record(), catalogue=CATALOGUE))["record"]
    assert re.fullmatch(r"chg_[0-9a-f]{16}", entry["id"])
    assert entry["kind"] == "upgrade"
    assert entry["from"] == {
        "plan": "team",
        "plan_name": "Team",
        "interval": "month",
        "quantity": 1,
        "unit_price": "29.00",
    }
    assert entry["to"]["unit_price"] == "79.00"
    assert entry["reason"] == {
        "code": "needs_more_resources",
        "label": "Needs more resources",
        "text": "Launching a second shop",
    }
    assert entry["requested_by"] == {"name": "Ana García", "role": "account owner"}
    assert entry["amounts"] == {
        "subtotal": "29.03",
        "tax": "0.00",
        "total": "29.03",
        "due_now": "29.03",
        "credit_to_balance": "0.00",
        "refund": "0.00",
    }
    assert entry["next_invoice"] == {"date": "2026-04-01", "amount": "79.00"}
    assert [line["amount"] for line in entry["lines"]] == ["-16.84", "45.87"]
    assert entry["retention_years"] == 7
    assert entry["visible_to"] == ["owner", "billing admins"]


def test_record_id_is_derived_from_the_content() -> None:
    first = record(base_record(), catalogue=CATALOGUE)
    again = record(json.loads(json.dumps(base_record())), catalogue=CATALOGUE)
    assert first == again
    other = record(base_record(reason={"code": "business_growth"}), catalogue=CATALOGUE)
    assert other["record"]["id"] != first["record"]["id"]


def test_csv_row_round_trips_through_a_csv_reader() -> None:
    text = 'Needs "more", now,\nand =SUM(A1)'
    response = ok(
        record(
            base_record(reason={"code": "other", "text": text}, account='=HYPERLINK("x")'),
            catalogue=CATALOGUE,
        )
    )
    header = next(csv.reader(io.StringIO(response["csv_header"])))
    assert tuple(header) == CSV_COLUMNS
    assert not response["csv_row"].endswith(("\n", "\r"))
    rows = list(csv.reader(io.StringIO(response["csv_row"], newline="")))
    assert len(rows) == 1
    values = dict(zip(header, rows[0], strict=True))
    entry = response["record"]
    assert values["id"] == entry["id"]
    assert values["reason_text"] == text  # quoted per RFC 4180, the newline kept inside
    assert values["account"] == '\'=HYPERLINK("x")'  # a spreadsheet would run it otherwise
    assert entry["account"] == '=HYPERLINK("x")'  # the JSON record keeps the text as given
    assert values["due_now"] == "29.03"
    assert values["next_invoice_date"] == "2026-04-01"
    assert '"Needs ""more"", now,' in response["csv_row"]


def test_summary_markdown() -> None:
    response = ok(
        record(
            base_record(reason={"code": "other", "text": "see *ticket* <b>1</b>"}),
            catalogue=CATALOGUE,
        )
    )
    summary = response["summary_markdown"]
    assert summary.splitlines()[0] == (
        f"**Plan change `{response['record']['id']}`**: upgrade, Team (monthly) to Business "
        "(monthly), effective 14 March 2026."
    )
    assert "- Reason: Other: see \\*ticket\\* \\<b\\>1\\</b\\>" in summary
    assert "- Account: acct\\_42" in summary
    assert "- Due now: $29.03; credit to balance: $0.00; refund: $0.00" in summary
    assert "- Next invoice: 1 April 2026, $79.00" in summary


def _proration_at(day: str) -> dict[str, Any]:
    response = copy.deepcopy(UPGRADE_PRORATION)
    for line in response["lines"]:
        line["start"] = day
    return response


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ({"plan": "team"}, {"plan": "business"}, "upgrade"),
        ({"plan": "scale"}, {"plan": "starter"}, "downgrade"),
        ({"plan": "business"}, {"plan": "enterprise"}, "upgrade"),
        (
            {"plan": "team", "interval": "month"},
            {"plan": "team", "interval": "year"},
            "monthly_to_annual",
        ),
        (
            {"plan": "team", "interval": "year"},
            {"plan": "team", "interval": "month"},
            "annual_to_monthly",
        ),
        ({"plan": "team", "quantity": 2}, {"plan": "team", "quantity": 5}, "seats_added"),
        ({"plan": "team", "quantity": 5}, {"plan": "team", "quantity": 2}, "seats_removed"),
        # An upgrade and a switch to annual billing at once: the catalogue's precedence lists
        # the switch first, so its rule, and its kind, apply.
        (
            {"plan": "team", "interval": "month"},
            {"plan": "scale", "interval": "year"},
            "monthly_to_annual",
        ),
    ],
)
def test_kinds(before: dict[str, Any], after: dict[str, Any], kind: str) -> None:
    response = ok(record(base_record(**{"from": before, "to": after}), catalogue=CATALOGUE))
    assert response["record"]["kind"] == kind


def test_effective_may_be_the_next_invoice_date_or_a_utc_time() -> None:
    # apply: period_end gives no lines; the new plan starts on the next invoice date.
    deferred = {
        **UPGRADE_PRORATION,
        "lines": [],
        "subtotal": "0.00",
        "total": "0.00",
        "due_now": "0.00",
    }
    response = ok(
        record(base_record(effective="2026-04-01", proration=deferred), catalogue=CATALOGUE)
    )
    assert response["record"]["effective"] == "2026-04-01"
    timed = _proration_at("2026-03-14T09:30:00Z")
    ok(record(base_record(effective="2026-03-14T09:30:00Z", proration=timed), catalogue=CATALOGUE))
    ok(record(base_record(effective="2026-03-14", proration=timed), catalogue=CATALOGUE))


def test_effective_may_be_the_change_day_under_the_engine_conventions() -> None:
    # Billed in arrears, the used part of the current plan ends on the day of the change.
    arrears = {
        **UPGRADE_PRORATION,
        "lines": [
            {
                "kind": "charge",
                "description": "Used time on the current plan, 1 Mar 2026 to 14 Mar 2026",
                "start": "2026-03-01",
                "end": "2026-03-14",
                "amount": "12.16",
            }
        ],
        "subtotal": "12.16",
        "total": "12.16",
        "due_now": "12.16",
        "policy": {"timing": "in_arrears"},
    }
    ok(record(base_record(effective="2026-03-14", proration=arrears), catalogue=CATALOGUE))
    # When the day of the change is used on the current plan, the new plan starts the day after.
    current_plan_day = copy.deepcopy(UPGRADE_PRORATION)
    for line in current_plan_day["lines"]:
        line["start"] = "2026-03-15"
    current_plan_day["policy"] = {"change_day": "current_plan"}
    ok(record(base_record(effective="2026-03-14", proration=current_plan_day), catalogue=CATALOGUE))
    del current_plan_day["policy"]
    response = record(
        base_record(effective="2026-03-14", proration=current_plan_day), catalogue=CATALOGUE
    )
    assert [error["field"] for error in response["errors"]] == ["effective"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"reason": None}, ["reason"]),
        ({"reason": {}}, ["reason.code"]),
        ({"reason": {"code": "bored"}}, ["reason.code"]),
        ({"reason": {"code": "other"}}, ["reason.text"]),
        ({"reason": {"code": "other", "text": "   "}}, ["reason.text"]),
        ({"reason": {"code": "cost_reduction", "text": 5}}, ["reason.text"]),
        ({"requested_by": {"name": "Ana"}}, ["requested_by.role"]),
        ({"requested_by": "Ana"}, ["requested_by"]),
        ({"account": ""}, ["account"]),
        ({"account": "x" * 1001}, ["account"]),
        ({"effective": "14/03/2026"}, ["effective"]),
        ({"effective": "2026-02-30"}, ["effective"]),
        ({"effective": "2026-03-15"}, ["effective"]),
        ({"currency": "EUR"}, ["proration.currency"]),
        ({"currency": "XXX"}, ["currency"]),
        ({"from": {"plan": "gold"}}, ["from.plan"]),
        ({"from": {"plan": "team", "quantity": 0}}, ["from.quantity"]),
        ({"to": {"plan": "team", "interval": "month", "quantity": 1}}, ["to"]),
        ({"proration": {"errors": [{"field": "change_at", "message": "bad"}]}}, ["proration"]),
        ({"proration": "29.03"}, ["proration"]),
        ({"proration": {**UPGRADE_PRORATION, "due_now": 29.03}}, ["proration.due_now"]),
        ({"proration": {**UPGRADE_PRORATION, "due_now": "29.031"}}, ["proration.due_now"]),
        ({"proration": {**UPGRADE_PRORATION, "refund": "-1.00"}}, ["proration.refund"]),
        ({"proration": {**UPGRADE_PRORATION, "lines": "none"}}, ["proration.lines"]),
        (
            {"proration": {**UPGRADE_PRORATION, "next_invoice": {"date": "soon", "amount": "1"}}},
            ["proration.next_invoice.date"],
        ),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_record_errors(changes: dict[str, Any], fields: list[str]) -> None:
    response = record(base_record(**changes), catalogue=CATALOGUE)
    assert list(response) == ["errors"]
    assert [e["field"] for e in response["errors"]] == fields


def test_record_requires_every_part() -> None:
    response = record({}, catalogue=CATALOGUE)
    assert [e["field"] for e in response["errors"]] == [
        "from",
        "to",
        "effective",
        "proration",
        "account",
        "reason",
        "requested_by",
    ]
    assert record([], catalogue=CATALOGUE)["errors"][0]["field"] == ""


def test_reason_codes_are_documented() -> None:
    contract = Path(__file__).parent.parent / "calculators" / "contracts" / "records.md"
    text = contract.read_text(encoding="utf-8")
    for code in REASON_CODES:
        assert f"`{code}`" in text


# --------------------------------------------------------------------------------------------
# Notice

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[Decimal]:
    return {Decimal(match.rstrip(",").replace(",", "")) for match in NUMBER.findall(text)}


def allowed_numbers(request: dict[str, Any]) -> set[Decimal]:
    """Every number in the proration response and in the catalogue data of the two plans."""
    data = CATALOGUE.data
    plans = [
        p for p in data["plans"] if p["id"] in (request["from"]["plan"], request["to"]["plan"])
    ]
    levels = [s for s in data["support_levels"] if s["id"] in {p["support"] for p in plans}]
    return (
        numbers(json.dumps(request["proration"]))
        | numbers(json.dumps(plans))
        | numbers(json.dumps(levels))
        | numbers(json.dumps(data["policy"]))
    )


def assert_only_known_numbers(request: dict[str, Any], response: dict[str, Any]) -> None:
    stated = numbers(
        " ".join([response["subject"], response["body_text"], response["body_markdown"]])
    )
    unknown = stated - allowed_numbers(request)
    assert not unknown, f"the notice states numbers from nowhere: {sorted(unknown)}"


def test_upgrade_notice() -> None:
    request = base_notice()
    response = ok(notice(request, catalogue=CATALOGUE))
    assert response["kind"] == "upgrade"
    assert response["audience"] == "customer"
    assert response["subject"] == "Your Lumen Cloud hosting plan: upgrade from Team to Business"
    text = response["body_text"]
    assert "Your Lumen Cloud hosting plan changes from Team to Business on 14 March 2026." in text
    assert "- Charged now: $29.03." in text
    assert "- Your next invoice, on 1 April 2026: $79.00." in text
    assert "What you gain\n" in text
    assert "- Storage: 100 GB → 500 GB" in text
    assert "- Single sign-on (SAML)" in text
    assert (
        "- Support: Email support (first reply within 24 hours) → Priority email and chat "
        "(first reply within 4 hours)"
    ) in text
    assert "What you lose" not in text
    assert "### What you pay" in response["body_markdown"]
    assert_only_known_numbers(request, response)


def test_downgrade_notice() -> None:
    request = base_notice(
        **{
            "from": {"plan": "business"},
            "to": {"plan": "team"},
            "proration": copy.deepcopy(DOWNGRADE_PRORATION),
        }
    )
    response = ok(notice(request, catalogue=CATALOGUE))
    assert response["kind"] == "downgrade"
    text = response["body_text"]
    assert "- Nothing is charged now." in text
    # Credit and over-limit sentences are the catalogue policy's, in policy_words' words.
    assert f"- Added to your account credit: $29.03. {policy_words.credit_use(CATALOGUE)}" in text
    assert "What you lose\n" in text
    assert "- Audit log" in text
    assert "- Team seats: 20 → 5" in text
    assert f"Usage above the new limits\n{policy_words.nothing_deleted(CATALOGUE)}" in text
    for resource in CATALOGUE.resources:  # every limit goes down from Business to Team
        assert f"- {policy_words.over_limit_sentence(CATALOGUE, resource.id)}\n" in text
    assert_only_known_numbers(request, response)


def test_notice_says_when_a_small_charge_moves_to_the_next_invoice() -> None:
    proration = {**UPGRADE_PRORATION, "due_now": "0.00", "minimum_charge_deferred": True}
    response = ok(notice(base_notice(proration=proration), catalogue=CATALOGUE))
    assert (
        "- Nothing is charged now.\n- The charge for this change is below our minimum "
        in (response["body_text"])
    )


def test_notice_to_the_contact_sales_plan() -> None:
    request = base_notice(**{"from": {"plan": "scale"}, "to": {"plan": "enterprise"}})
    response = ok(notice(request, catalogue=CATALOGUE))
    assert "- Storage: 2,000 GB → set by contract" in response["body_text"]
    assert_only_known_numbers(request, response)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"audience": "press"}, ["audience"]),
        ({"to": {"plan": "team", "interval": "year"}}, ["to.plan"]),
        ({"effective": "2026-03-13"}, ["effective"]),
        ({"proration": None}, ["proration"]),
        ({"reason": {"code": "nope"}}, ["reason.code"]),
    ],
)
def test_notice_errors(changes: dict[str, Any], fields: list[str]) -> None:
    response = notice(base_notice(**changes), catalogue=CATALOGUE)
    assert [e["field"] for e in response["errors"]] == fields


def test_notice_accepts_the_record_request() -> None:
    assert ok(notice(base_record(), catalogue=CATALOGUE))["kind"] == "upgrade"


# --------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=80, deadline=None)
@given(
    pair=st.permutations([p.id for p in CATALOGUE.self_serve_plans]).map(lambda p: p[:2]),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)),
    offset=st.integers(0, 27),
    currency=st.sampled_from(sorted(CATALOGUE.currencies)),
    interval=st.sampled_from(["month", "year"]),
)
def test_notice_states_only_numbers_from_the_proration_and_the_catalogue(
    pair: list[str], start: date, offset: int, currency: str, interval: str
) -> None:
    proration = pytest.importorskip("calculators.commands.prorate")
    before, after = (CATALOGUE.plan(p) for p in pair)
    kind = "upgrade" if after.rank > before.rank else "downgrade"
    change_at = start + timedelta(days=offset)
    result = proration.prorate(
        {
            "currency": currency,
            "change_at": change_at.isoformat(),
            "current": {
                "price": f"{before.price(currency, interval):f}",
                "interval": interval,
                "period_start": start.isoformat(),
            },
            "new": {"price": f"{after.price(currency, interval):f}", "interval": interval},
            "policy": CATALOGUE.policy.request_policy(kind, currency),
        }
    )
    assert "errors" not in result, result
    request = {
        "from": {"plan": before.id, "interval": interval},
        "to": {"plan": after.id, "interval": interval},
        "effective": change_at.isoformat(),
        "currency": currency,
        "proration": result,
        "audience": "customer",
    }
    response = ok(notice(request, catalogue=CATALOGUE))
    assert response["kind"] == kind
    assert_only_known_numbers(request, response)
    full = dict(
        request,
        account="acct",
        reason={"code": "seasonal"},
        requested_by={"name": "N", "role": "owner"},
    )
    entry = ok(record(full, catalogue=CATALOGUE))
    assert entry["record"]["amounts"]["due_now"] == result["due_now"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def damaged(draw: st.DrawFn) -> Any:
    request = base_record()
    for key in draw(st.lists(st.sampled_from(sorted(request)), max_size=3, unique=True)):
        request[key] = draw(json_values)
    if draw(st.booleans()):
        proration = copy.deepcopy(UPGRADE_PRORATION)
        proration[draw(st.sampled_from(sorted(proration)))] = draw(json_values)
        request["proration"] = proration
    return request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=json_values | damaged())
def test_garbage_never_raises(request: Any) -> None:
    for function in (record, notice):
        response = function(request, catalogue=CATALOGUE)
        json.dumps(response)
        if "errors" in response:
            assert all(set(e) == {"field", "message"} for e in response["errors"])
