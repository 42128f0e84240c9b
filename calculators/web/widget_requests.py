"""Each widget's defaults, and its form values turned into a command request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

from calculators import api
from calculators.domain import changes
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.addons import AddonsRequest, AddonsResponse
from calculators.domain.contract_types.change import (
    ChangeCurrent,
    ChangeNew,
    ChangeRequest,
    ChangeResponse,
)
from calculators.domain.contract_types.compare import CompareRequest, CompareResponse, Needs
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.growth import GrowthRequest, GrowthResponse
from calculators.domain.contract_types.prorate import ProrateRequest, ProrateResponse
from calculators.domain.contract_types.records import (
    NoticeResponse,
    RecordRequest,
    RecordResponse,
)
from calculators.domain.contract_types.shared import Count
from calculators.web.forms import Reading
from calculators.web.html import Rendered
from calculators.web.proration_html import proration_result, proration_scenario
from calculators.web.widget_fields import NEW_SUFFIX, NOW_SUFFIX, resource_ids


def proration_defaults(catalogue: Catalogue, today: date) -> dict[str, str]:
    plans = catalogue.self_serve_plans
    lower = plans[min(1, len(plans) - 1)]
    higher = plans[min(2, len(plans) - 1)]
    interval = "month" if "month" in catalogue.intervals else catalogue.intervals[0]
    return {
        "from_plan": lower.id,
        "from_interval": interval,
        "period_start": today.replace(day=1).isoformat(),
        "to_plan": higher.id,
        "to_interval": interval,
        "change_at": today.isoformat(),
        "currency": catalogue.default_currency,
    }


def proration_request(
    catalogue: Catalogue,
    *,
    from_plan: str,
    from_interval: str,
    to_plan: str,
    to_interval: str,
    period_start: date,
    change_at: date,
    currency: str,
    from_quantity: int = 1,
    to_quantity: int = 1,
    addon: str | None = None,
) -> tuple[str, ProrateRequest]:
    """The rule's kind and the proration contract's request for a plan (or one add-on's
    quantity) change, classified by ``calculators.domain.changes``; ``NoChange`` when nothing
    changes."""
    old, new = catalogue.plan(from_plan), catalogue.plan(to_plan)
    if addon is not None:
        item = catalogue.addon(addon)
        from_price, to_price = (
            item.price(currency, from_interval),
            item.price(currency, to_interval),
        )
        before = changes.Subscription(old, from_interval, {item.id: from_quantity})
        after = changes.Subscription(new, to_interval, {item.id: to_quantity})
    else:
        from_price = old.price(currency, from_interval)
        to_price = new.price(currency, to_interval)
        before = changes.Subscription(old, from_interval, quantity=from_quantity)
        after = changes.Subscription(new, to_interval, quantity=to_quantity)
    kind = changes.classify(catalogue, before, after).rule_kind
    request: ProrateRequest = {
        "currency": currency,
        "change_at": change_at.isoformat(),
        "current": {
            "price": f"{from_price:f}",
            "quantity": from_quantity,
            "interval": from_interval,
            "interval_count": 1,
            "period_start": period_start.isoformat(),
        },
        "new": {
            "price": f"{to_price:f}",
            "quantity": to_quantity,
            "interval": to_interval,
            "interval_count": 1,
        },
        "policy": catalogue.policy.request_policy(kind, currency),
    }
    return kind, request


def change_request(values: Mapping[str, Any], catalogue: Catalogue) -> ChangeRequest:
    """The ``change`` command's request for the change a form describes."""
    current: ChangeCurrent = {
        "plan": values["from_plan"],
        "interval": values["from_interval"],
        "period_start": values["period_start"].isoformat(),
    }
    if values.get("credit_balance") is not None:
        current["credit_balance"] = values["credit_balance"]
    now = _quantities(values, catalogue, NOW_SUFFIX)
    if now:
        current["addons"] = now
    new: ChangeNew = {"plan": values["to_plan"], "interval": values["to_interval"]}
    changed = _quantities(values, catalogue, NEW_SUFFIX)
    if changed:
        new["addons"] = {**now, **changed}
    return {
        "currency": values["currency"],
        "change_at": values["change_at"].isoformat(),
        "current": current,
        "new": new,
    }


def _quantities(values: Mapping[str, Any], catalogue: Catalogue, suffix: str) -> dict[str, Count]:
    return {
        a.id: values[a.id + suffix]
        for a in catalogue.addons
        if values.get(a.id + suffix) is not None
    }


def proration_compute(reading: Reading, catalogue: Catalogue) -> ChangeResponse | ErrorResponse:
    """The ``change`` command's answer (kinds, rule, proration, credit) for the form's change."""
    response = api.run("change", change_request(reading.values, catalogue), catalogue=catalogue)
    # An add-on's error lands on its own field: current.addons.<id> -> <id>_now, new -> _new.
    if "errors" in response:
        for error in response["errors"]:
            side, _, addon = str(error.get("field", "")).partition(".addons.")
            if addon:
                error["field"] = addon + (NOW_SUFFIX if side == "current" else NEW_SUFFIX)
    return response


def _money_defaults(catalogue: Catalogue) -> dict[str, str]:
    interval = "month" if "month" in catalogue.intervals else catalogue.intervals[0]
    return {"currency": catalogue.default_currency, "interval": interval}


def comparison_defaults(catalogue: Catalogue) -> dict[str, str]:
    return {
        **{name: "0" for name in resource_ids(catalogue)},
        "features": "",
        "support": "",
        "current_plan": "",
        **_money_defaults(catalogue),
    }


def comparison_compute(reading: Reading, catalogue: Catalogue) -> CompareResponse | ErrorResponse:
    v = reading.values
    needs: Needs = {name: v[name] for name in resource_ids(catalogue) if name in v}
    needs["features"] = v.get("features") or []
    if v.get("support"):
        needs["support"] = v["support"]
    request: CompareRequest = {"currency": v["currency"], "interval": v["interval"], "needs": needs}
    if v.get("current_plan"):
        request["current_plan"] = v["current_plan"]
    return api.run("compare", request, catalogue=catalogue)


def growth_defaults(catalogue: Catalogue) -> dict[str, str]:
    resources = resource_ids(catalogue)
    return {
        **{name: "0" for name in resources},
        "rate": "5",
        "horizon": "12",
        "chart": resources[0],
        "plan": "",
        **_money_defaults(catalogue),
    }


def growth_compute(reading: Reading, catalogue: Catalogue) -> GrowthResponse | ErrorResponse:
    v = reading.values
    request: GrowthRequest = {
        "currency": v["currency"],
        "interval": v["interval"],
        "usage": {name: v[name] for name in resource_ids(catalogue) if name in v},
        "growth": {"rate_percent": v["rate"]},
        "horizon_months": v["horizon"],
    }
    if v.get("plan"):
        request["plan"] = v["plan"]
    return api.run("growth", request, catalogue=catalogue)


def addon_defaults(catalogue: Catalogue) -> dict[str, str]:
    plans = catalogue.self_serve_plans
    return {
        "plan": plans[min(1, len(plans) - 1)].id,
        **_money_defaults(catalogue),
        **{a.id: "0" for a in catalogue.addons},
    }


def addon_compute(reading: Reading, catalogue: Catalogue) -> AddonsResponse | ErrorResponse:
    v = reading.values
    plan = catalogue.plan(v["plan"])
    quantities: dict[str, Count] = {}
    for addon in catalogue.addons:
        wanted = v.get(addon.id) or 0
        if not wanted:
            continue
        # Say so beside the add-on's own field, in the words a customer needs.
        if plan.id in addon.included_in:
            reading.fail(addon.id, f"{addon.name} is already included in {plan.name}")
        elif plan.id not in addon.available_on:
            reading.fail(addon.id, f"{addon.name} is not available on {plan.name}")
        quantities[addon.id] = wanted
    request: AddonsRequest = {
        "plan": plan.id,
        "interval": v["interval"],
        "currency": v["currency"],
        "addons": quantities,
    }
    return api.run("addons", request, catalogue=catalogue)


def record_defaults(catalogue: Catalogue, today: date) -> dict[str, str]:
    return {
        **proration_defaults(catalogue, today),
        "account": "ACME-1042",
        "reason": "needs_more_resources",
        "reason_text": "",
        "requested_by": "Account owner",
        "role": "Owner",
    }


class RecordResult(TypedDict):
    """What the record widget shows: the proration, its record and, for a plan move, the
    notice."""

    proration: ProrateResponse
    record: RecordResponse
    notice: NoticeResponse | None


def record_compute(reading: Reading, catalogue: Catalogue) -> RecordResult | ErrorResponse:
    v = reading.values
    outcome = proration_compute(reading, catalogue)
    if "errors" in outcome:
        return outcome
    proration = outcome["proration"]
    change: RecordRequest = {
        "account": v["account"],
        "effective": outcome["effective_at"],
        "currency": v["currency"],
        "from": {"plan": v["from_plan"], "interval": v["from_interval"]},
        "to": {"plan": v["to_plan"], "interval": v["to_interval"]},
        "reason": {"code": v["reason"], "text": v.get("reason_text") or ""},
        "requested_by": {"name": v["requested_by"], "role": v["role"]},
        "proration": proration,
    }
    record = api.run("record", change, catalogue=catalogue)
    if "errors" in record:
        return record
    notice: NoticeResponse | None = None
    if changes.plan_move(catalogue.plan(v["from_plan"]), catalogue.plan(v["to_plan"])):
        drafted = api.run("notice", {**change, "audience": "customer"}, catalogue=catalogue)
        if "errors" in drafted:
            return drafted
        notice = drafted
    return {"proration": proration, "record": record, "notice": notice}


def proration_render(response: ChangeResponse, reading: Reading, catalogue: Catalogue) -> Rendered:
    v = reading.values
    scenario = proration_scenario(
        catalogue,
        from_plan=v["from_plan"],
        from_interval=v["from_interval"],
        to_plan=v["to_plan"],
        to_interval=v["to_interval"],
        change_at=v["change_at"],
        kind=response["kinds"][0],
    )
    # The balance's effect is shown only when the reader gave one.
    credit = response if v.get("credit_balance") is not None else None
    return proration_result(response["proration"], catalogue, scenario=scenario, credit=credit)
