"""The ``change`` command: kinds, rule, effective date, proration and the credit balance."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from calculators import api
from calculators.domain.catalogue import Catalogue
from calculators.domain.policy import CreditPolicy, TaxPolicy
from calculators.requests.catalogue import read_catalogue_file

ROOT = Path(__file__).parent
CATALOGUE = read_catalogue_file(ROOT / "fixtures" / "catalogue.json")

ISSUE_EXAMPLE: dict[str, Any] = {
    "currency": "USD",
    "change_at": "2026-03-14",
    "current": {
        "plan": "business",
        "interval": "year",
        "period_start": "2026-01-10",
        "addons": {"extra_storage": 2},
        "credit_balance": "50.00",
    },
    "new": {"plan": "team", "interval": "month", "addons": {"extra_storage": 2}},
}


def run(request: dict[str, Any], catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    return api.run("change", request, catalogue=catalogue)


def upgrade(balance: str | None = None, **current: Any) -> dict[str, Any]:
    side: dict[str, Any] = {"plan": "team", "period_start": "2026-03-01", **current}
    if balance is not None:
        side["credit_balance"] = balance
    return {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": side,
        "new": {"plan": "business"},
    }


def with_policy(*, credit: dict[str, Any] | None = None, tax: TaxPolicy | None = None) -> Catalogue:
    policy = CATALOGUE.policy
    proration = replace(policy.proration, tax=tax) if tax is not None else policy.proration
    new_credit = replace(policy.credit, **(credit or {}))
    return replace(CATALOGUE, policy=replace(policy, proration=proration, credit=new_credit))


def money(text: str) -> Decimal:
    return Decimal(text)


def test_the_issue_example_waits_for_the_period_end_and_credit_pays_the_next_invoice() -> None:
    response = run(ISSUE_EXAMPLE)
    assert response["kinds"] == ["annual_to_monthly", "downgrade"]
    assert response["rule"] == {"apply": "period_end", "interval_change": "restart"}
    assert response["effective_at"] == "2027-01-10"
    proration = response["proration"]
    assert proration["lines"] == []
    assert proration["next_invoice"] == {"date": "2027-01-10", "amount": "49.00"}  # 29 + 2 × 10
    assert (response["due_now"], response["credit_applied"]) == ("0.00", "0.00")
    assert response["credit_balance_after"] == "50.00"
    assert response["next_invoice"] == {
        "date": "2027-01-10",
        "amount": "49.00",
        "credit_applied": "49.00",
        "due": "0.00",
    }


def test_the_balance_pays_what_is_due_now_then_the_next_invoice() -> None:
    plain = run(upgrade())
    assert plain["kinds"] == ["upgrade"]
    assert plain["due_now"] == plain["proration"]["due_now"] == "29.03"
    response = run(upgrade("30.00"))
    assert response["credit_applied"] == "29.03"
    assert response["due_now"] == "0.00"
    assert response["credit_balance_after"] == "0.97"
    assert response["next_invoice"] == {
        "date": "2026-04-01",
        "amount": "79.00",
        "credit_applied": "0.97",
        "due": "78.03",
    }


@pytest.mark.parametrize("balance", ["0", "5.00", "29.03", "100.00"])
def test_money_adds_up_with_the_balance(balance: str) -> None:
    response = run(upgrade(balance))
    proration = response["proration"]
    applied = money(response["credit_applied"])
    assert applied == min(money(balance), money(proration["due_now"]))
    assert money(response["due_now"]) + applied == money(proration["due_now"])
    after = money(balance) - applied + money(proration["credit_to_balance"])
    assert money(response["credit_balance_after"]) == after
    following = response["next_invoice"]
    assert money(following["due"]) + money(following["credit_applied"]) == money(
        following["amount"]
    )
    assert money(following["credit_applied"]) == min(after, money(following["amount"]))


def test_a_downgrade_credit_joins_the_balance_for_the_next_invoice() -> None:
    request = {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {"plan": "business", "period_start": "2026-03-01", "credit_balance": "10.00"},
        "new": {"plan": "team"},
    }
    response = run(request)
    assert response["kinds"] == ["downgrade"]
    credit = money(response["proration"]["credit_to_balance"])
    assert credit > 0
    assert response["credit_applied"] == "0.00"
    assert money(response["credit_balance_after"]) == credit + 10
    assert response["next_invoice"]["amount"] == "29.00"
    assert response["next_invoice"]["credit_applied"] == "29.00"
    assert response["next_invoice"]["due"] == "0.00"


def test_a_policy_that_keeps_the_balance_away_from_invoices_applies_none() -> None:
    catalogue = with_policy(credit={"reduces_due_now": False, "reduces_next_invoice": False})
    response = run(upgrade("30.00"), catalogue)
    assert (response["credit_applied"], response["due_now"]) == ("0.00", "29.03")
    assert response["credit_balance_after"] == "30.00"
    assert response["next_invoice"]["credit_applied"] == "0.00"
    only_next = with_policy(credit={"reduces_due_now": False})
    response = run(upgrade("30.00"), only_next)
    assert response["due_now"] == "29.03"
    assert response["next_invoice"]["credit_applied"] == "30.00"
    assert response["next_invoice"]["due"] == "49.00"


def test_credit_before_tax_lowers_the_taxable_amount() -> None:
    tax = TaxPolicy(rate=Decimal("0.20"), inclusive=False)
    after_tax = run(upgrade("10.00"), with_policy(tax=tax))
    before_tax = run(upgrade("10.00"), with_policy(tax=tax, credit={"applied": "before_tax"}))
    # 29.03 of net, 5.81 of tax: 34.84 due before any credit.
    assert after_tax["proration"]["due_now"] == before_tax["proration"]["due_now"] == "34.84"
    assert (after_tax["credit_applied"], after_tax["due_now"]) == ("10.00", "24.84")
    # Before tax: 29.03 - 10.00 = 19.03 taxed at 20 % (3.806 → 3.81) = 22.84.
    assert (before_tax["credit_applied"], before_tax["due_now"]) == ("10.00", "22.84")
    # The next invoice: 79.00 net, 94.80 with tax; nothing is left of the balance.
    assert before_tax["next_invoice"]["due"] == "94.80"


def test_credit_before_tax_on_the_next_invoice() -> None:
    tax = TaxPolicy(rate=Decimal("0.20"), inclusive=False)
    catalogue = with_policy(tax=tax, credit={"applied": "before_tax", "reduces_due_now": False})
    response = run(upgrade("50.00"), catalogue)
    assert response["next_invoice"]["amount"] == "94.80"
    # 79.00 - 50.00 = 29.00, plus 20 % tax = 34.80.
    assert response["next_invoice"] == {
        "date": "2026-04-01",
        "amount": "94.80",
        "credit_applied": "50.00",
        "due": "34.80",
    }


def test_inclusive_tax_gives_the_same_payment_in_either_order() -> None:
    tax = TaxPolicy(rate=Decimal("0.20"), inclusive=True)
    first = run(upgrade("10.00"), with_policy(tax=tax))
    second = run(upgrade("10.00"), with_policy(tax=tax, credit={"applied": "before_tax"}))
    assert first == second


def test_left_out_new_interval_and_add_ons_keep_the_current_ones() -> None:
    request = {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {
            "plan": "team",
            "interval": "year",
            "period_start": "2026-01-10",
            "addons": {"extra_seat": 2},
        },
        "new": {"plan": "business"},
    }
    response = run(request)
    assert response["kinds"] == ["upgrade"]
    proration = response["proration"]
    # Team 290 + 2 × 80 a year, to Business 790 + 2 × 80: the same interval, the same add-ons.
    assert [line["unit_price"] for line in proration["lines"]] == ["450.00", "950.00"]


def test_an_add_on_the_new_plan_cannot_hold_is_named() -> None:
    request = {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {"plan": "team", "period_start": "2026-03-01", "addons": {"sso": 1}},
        "new": {"plan": "business"},
    }
    assert run(request) == {
        "errors": [
            {
                "field": "new.addons.sso",
                "message": "Single sign-on is already included in Business; it cannot be "
                "bought on this plan",
            }
        ]
    }
    assert run({**request, "new": {"plan": "business", "addons": {}}})["kinds"] == [
        "addon_removed",
        "upgrade",
    ]


def test_a_seat_add_on_with_a_plan_change_combines_the_kinds() -> None:
    request = {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {"plan": "team", "period_start": "2026-03-01", "addons": {"extra_seat": 3}},
        "new": {"plan": "business", "addons": {"extra_seat": 1, "extra_storage": 1}},
    }
    response = run(request)
    assert response["kinds"] == ["seats_removed", "upgrade", "addon_added"]
    assert response["rule"]["apply"] == CATALOGUE.policy.changes["seats_removed"].apply


def test_no_change_is_an_error_on_new() -> None:
    request = {
        "currency": "USD",
        "change_at": "2026-03-14",
        "current": {"plan": "team", "period_start": "2026-03-01"},
        "new": {"plan": "team", "interval": "month"},
    }
    response = run(request)
    assert [e["field"] for e in response["errors"]] == ["new"]


def test_every_bad_field_is_named_with_its_path() -> None:
    request = {
        "currency": "XYZ",
        "change_at": 5,
        "extra": 1,
        "current": {
            "plan": "enterprise",
            "interval": "fortnight",
            "period_start": "",
            "addons": {"nope": 1},
            "credit_balance": "-1",
        },
        "new": {"plan": "gold", "addons": {"extra_storage": 99}},
    }
    fields = [e["field"] for e in run(request)["errors"]]
    assert fields == [
        "extra",
        "currency",
        "change_at",
        "current.plan",
        "current.interval",
        "current.addons.nope",
        "new.plan",
        "current.period_start",
    ]


def test_dates_are_checked_by_the_proration_engine_at_the_same_paths() -> None:
    response = run(upgrade() | {"change_at": "2026-04-14"})
    assert [e["field"] for e in response["errors"]] == ["change_at"]
    bad_start = upgrade(period_start="2026-02-30")
    assert [e["field"] for e in run(bad_start)["errors"]] == ["current.period_start"]


def test_a_balance_with_too_many_decimals_for_the_currency() -> None:
    request = upgrade("5.5") | {"currency": "JPY"}
    response = run(request)
    assert response["errors"][0]["field"] == "current.credit_balance"


def test_the_command_line_prints_the_answer_and_exits_2_on_errors(tmp_path: Path) -> None:
    catalogue = str(ROOT / "fixtures" / "catalogue.json")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ISSUE_EXAMPLE), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calculators",
            "change",
            "--file",
            str(good),
            "--catalogue",
            catalogue,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run(ISSUE_EXAMPLE)
    bad = subprocess.run(
        [sys.executable, "-m", "calculators", "change", "--catalogue", catalogue],
        input='{"current": {}}',
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        check=False,
    )
    assert bad.returncode == 2
    assert [e["field"] for e in json.loads(bad.stdout)["errors"]] == [
        "change_at",
        "new",
        "current.plan",
        "current.period_start",
    ]


def test_credit_policy_fields_are_the_catalogues() -> None:
    assert isinstance(CATALOGUE.policy.credit, CreditPolicy)
