"""The catalogue loader: every kind of bad catalogue is reported with file, key path and reason."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from calculators.domain.catalogue import Catalogue
from calculators.domain.catalogue_errors import CatalogueError, UnknownIdError
from calculators.requests.catalogue import parse_catalogue, read_catalogue_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "catalogue" / "catalogue.yaml"


@pytest.fixture
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(loaded)


def problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data, source="broken.yaml")
    assert str(caught.value).startswith("broken.yaml: ")
    return list(caught.value.problems)


def paths(data: object) -> list[str]:
    return [path for path, _ in problems(data)]


def test_the_sample_catalogue_is_valid_and_rich(catalogue: Catalogue) -> None:
    self_serve = catalogue.self_serve_plans
    assert len(self_serve) >= 4
    assert any(not p.self_serve for p in catalogue.plans)
    assert {"USD", "EUR", "JPY"} <= set(catalogue.currencies)
    assert catalogue.currency("JPY").minor_unit == 0
    assert {r.id for r in catalogue.resources} >= {"storage", "bandwidth", "processing", "seats"}
    assert set(catalogue.intervals) == {"month", "year"}
    for plan in self_serve:
        for code in catalogue.currencies:
            assert plan.price(code, "year") < plan.price(code, "month") * 12
    assert catalogue.addons and all(a.max_quantity >= 1 for a in catalogue.addons)


def test_prices_are_decimals_and_lookups_name_unknown_ids(catalogue: Catalogue) -> None:
    assert catalogue.plan("team").price("USD", "month") == Decimal("29.00")
    with pytest.raises(UnknownIdError, match="'gold'"):
        catalogue.plan("gold")
    with pytest.raises(UnknownIdError, match=r"team/week/USD"):
        catalogue.plan("team").price("USD", "week")


def test_annual_discount_is_computed_from_explicit_prices(catalogue: Catalogue) -> None:
    team = catalogue.plan("team")
    assert team.annual_saving("USD") == Decimal("58.00")
    assert team.annual_discount_percent("USD") == Decimal("16.7")


def test_the_json_copy_parses_to_the_same_catalogue(catalogue: Catalogue) -> None:
    again = parse_catalogue(json.loads(catalogue.to_json()), source="page")
    assert again.plans == catalogue.plans
    assert again.addons == catalogue.addons
    assert again.policy == catalogue.policy


def test_unknown_keys_are_reported_at_their_path(data: dict[str, Any]) -> None:
    data["plans"][0]["colour"] = "red"
    data["policy"]["proration"]["rounding_mode"] = "up"
    assert paths(data) == ["plans[0].colour", "policy.proration.rounding_mode"]


def test_a_missing_price_is_reported(data: dict[str, Any]) -> None:
    del data["plans"][1]["prices"]["year"]["JPY"]
    [(path, reason)] = problems(data)
    assert path == "plans[1].prices.year.JPY"
    assert "missing price" in reason


def test_a_currency_without_prices_is_reported_everywhere(data: dict[str, Any]) -> None:
    data["currencies"]["CHF"] = {"name": "Swiss franc", "minor_unit": 2}
    found = paths(data)
    assert "plans[0].prices.month.CHF" in found
    assert "addons[0].prices.year.CHF" in found


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-9.00", "negative"),
        ("nine", "not a decimal amount"),
        (9.5, "not a bare number"),
        ("9.001", "too many decimals"),
        ("1e3", "not a decimal amount"),
    ],
)
def test_bad_amounts_are_refused(data: dict[str, Any], amount: object, reason: str) -> None:
    data["plans"][0]["prices"]["month"]["USD"] = amount
    [(path, message)] = problems(data)
    assert path == "plans[0].prices.month.USD"
    assert reason in message


def test_yen_amounts_may_not_have_decimals(data: dict[str, Any]) -> None:
    data["plans"][0]["prices"]["month"]["JPY"] = "1400.50"
    [(path, message)] = problems(data)
    assert path == "plans[0].prices.month.JPY"
    assert "no decimals" in message


def test_add_ons_naming_unknown_plans_are_reported(data: dict[str, Any]) -> None:
    data["addons"][0]["available_on"].append("gold")
    data["addons"][5]["included_in"].append("platinum")
    [(first, reason), (second, _)] = problems(data)
    assert first == "addons[0].available_on[4]"
    assert "'gold'" in reason
    assert second == "addons[5].included_in[3]"


def test_duplicate_ids_are_reported_with_the_first_place(data: dict[str, Any]) -> None:
    data["plans"][3]["id"] = "team"
    data["addons"][1]["id"] = "extra_storage"
    found = problems(data)
    assert ("plans[3].id", "duplicate plan id 'team' (first at plans[1].id)") in found
    assert any(path == "addons[1].id" for path, _ in found)


def test_every_problem_is_reported_at_once(data: dict[str, Any]) -> None:
    data["plans"][0]["colour"] = "red"
    del data["plans"][1]["prices"]["month"]["EUR"]
    data["plans"][2]["limits"]["storage"] = -5
    data["policy"]["changes"]["upgrade"]["apply"] = "sometime"
    data["default_currency"] = "XYZ"
    assert len(problems(data)) == 5


def test_limits_must_be_whole_numbers_and_only_contract_plans_may_omit_them(
    data: dict[str, Any],
) -> None:
    data["plans"][0]["limits"]["seats"] = "2"
    data["plans"][1]["limits"]["storage"] = None
    assert paths(data) == ["plans[0].limits.seats", "plans[1].limits.storage"]


def test_missing_sections_and_wrong_types(data: dict[str, Any]) -> None:
    del data["addons"]
    data["intervals"] = "month"
    found = problems(data)
    assert ("addons", "missing (required)") in found
    assert any(path == "intervals" for path, _ in found)


def test_a_feature_add_on_cannot_be_bought_twice(data: dict[str, Any]) -> None:
    data["addons"][5]["max_quantity"] = 3
    assert paths(data) == ["addons[5].max_quantity"]


def test_a_plan_cannot_both_include_and_sell_an_add_on(data: dict[str, Any]) -> None:
    data["addons"][5]["available_on"].append("business")
    assert paths(data) == ["addons[5].available_on"]


def test_garbage_is_an_error_not_a_crash() -> None:
    for garbage in (None, [], "plans", 42, {"plans": None}):
        assert problems(garbage)


def test_read_catalogue_file_reports_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "bad.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"bad\.json"):
        read_catalogue_file(broken)
    with pytest.raises(CatalogueError, match="cannot read"):
        read_catalogue_file(tmp_path / "missing.json")


def test_change_precedence_and_credit_policy_are_read(catalogue: Catalogue) -> None:
    from calculators.domain.catalogue import CHANGE_KINDS

    policy = catalogue.policy
    assert sorted(policy.change_precedence) == sorted(CHANGE_KINDS)
    assert policy.change_precedence[0] == "annual_to_monthly"
    assert policy.credit.applied in ("after_tax", "before_tax")
    assert policy.credit.refund_on_request_days >= 0
    assert set(policy.changes) == set(CHANGE_KINDS)


def test_change_precedence_must_list_every_kind_once(data: dict[str, Any]) -> None:
    data["policy"]["change_precedence"] = ["upgrade", "upgrade", "sideways"]
    found = problems(data)
    assert ("policy.change_precedence[1]", "change kind 'upgrade' is listed twice") in found
    assert any(
        path == "policy.change_precedence[2]" and "'sideways'" in reason for path, reason in found
    )
    assert any(
        path == "policy.change_precedence" and "missing: downgrade" in reason
        for path, reason in found
    )


def test_credit_policy_fields_are_checked(data: dict[str, Any]) -> None:
    credit = data["policy"]["credit_balance"]
    credit["reduces_due_now"] = "yes"
    credit["applied"] = "sometimes"
    del credit["expires"]
    assert sorted(paths(data)) == [
        "policy.credit_balance.applied",
        "policy.credit_balance.expires",
        "policy.credit_balance.reduces_due_now",
    ]


def test_policy_keyed_by_resource_and_feature_follows_the_catalogue(catalogue: Catalogue) -> None:
    policy = catalogue.policy
    assert set(policy.over_limit) == {r.id for r in catalogue.resources}
    assert set(policy.feature_end) == set(catalogue.features)
    assert set(policy.failed_payment_declined_at_confirmation) == set(policy.changes)


def test_a_new_resource_or_feature_needs_its_policy(data: dict[str, Any]) -> None:
    data["resources"]["gpus"] = {"label": "GPUs", "unit": "GPU", "description": "Accelerators."}
    for plan in data["plans"]:
        plan["limits"]["gpus"] = None if not plan["self_serve"] else 0
    data["features"]["webhooks"] = {"label": "Webhooks", "description": "Event callbacks."}
    data["policy"]["over_limit"]["resources"]["tapes"] = {"starts": "at_change", "effect": "capped"}
    found = problems(data)
    assert (
        "policy.over_limit.resources.gpus",
        "missing (every resource needs an entry here)",
    ) in found
    assert any(
        path == "policy.over_limit.resources.tapes" and "unknown resource" in reason
        for path, reason in found
    )
    assert ("policy.feature_end.webhooks", "missing (every feature needs an entry here)") in found


def test_over_limit_and_feature_end_values_are_checked(data: dict[str, Any]) -> None:
    policy = data["policy"]
    policy["over_limit"]["resources"]["bandwidth"]["effect"] = "deleted"
    policy["over_limit"]["resources"]["seats"]["starts"] = "later"
    policy["feature_end"]["uptime_sla"]["exportable"] = True
    policy["feature_end"]["daily_backups"]["kept_days"] = 0
    assert sorted(paths(data)) == [
        "policy.feature_end.daily_backups.kept_days",
        "policy.feature_end.uptime_sla.data",
        "policy.over_limit.resources.bandwidth.effect",
        "policy.over_limit.resources.seats.starts",
    ]


def test_declined_payments_cover_every_change_kind(data: dict[str, Any]) -> None:
    declined = data["policy"]["failed_payment"]["declined_at_confirmation"]
    del declined["addon_added"]
    declined["upgrade"] = "maybe"
    assert sorted(paths(data)) == [
        "policy.failed_payment.declined_at_confirmation.addon_added",
        "policy.failed_payment.declined_at_confirmation.upgrade",
    ]


def test_trial_details_follow_whether_trials_are_offered(data: dict[str, Any]) -> None:
    data["policy"]["trials"]["offered"] = False
    assert sorted(paths(data)) == [
        f"policy.trials.{key}" for key in ("at_end", "card_required", "days", "plan")
    ]
    data["policy"]["trials"] = {
        "offered": False,
        "days": None,
        "plan": None,
        "card_required": None,
        "at_end": None,
    }
    assert parse_catalogue(data, source="ok.yaml").policy.trials.offered is False


def test_tax_shown_before_tax_contradicts_taxed_calculators(data: dict[str, Any]) -> None:
    data["policy"]["proration"]["tax"] = {"rate": "0.20", "inclusive": False}
    data["policy"]["tax"]["due_today"] = "before_tax"
    [(path, reason)] = problems(data)
    assert path == "policy.tax.due_today"
    assert "with_tax" in reason


def test_every_policy_problem_is_reported_at_once(data: dict[str, Any]) -> None:
    policy = data["policy"]
    policy["over_limit"]["resources"]["seats"]["effect"] = "vanish"
    policy["day_of_change"]["time_zone"] = "Mars"
    policy["records"]["retention_years"] = 0
    assert sorted(paths(data)) == [
        "policy.day_of_change.time_zone",
        "policy.over_limit.resources.seats.effect",
        "policy.records.retention_years",
    ]
