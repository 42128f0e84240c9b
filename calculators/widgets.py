"""The calculators as page widgets: form fields, reading form or URL input, and evaluating it.

A widget's inputs arrive as strings, from a form or from URL parameters a support agent shared,
and are untrusted either way. ``evaluate`` reads them with the same rules in both places, turns
them into the calculator's JSON request, runs the calculator and returns the result with its
HTML fragment (rendered by ``calculators.render``), so the result prerendered at build time and
the one computed live in the browser are byte-identical.

Wire format of ``evaluate`` (the worker protocol's ``result``; see contracts/worker-protocol.md):
``{"widget", "params", "errors": [{"field", "message"}], "html", "figures", "text"}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from calculators import api, changes, render
from calculators.catalogue import Catalogue

MAX_TEXT: Final = 500
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER: Final = re.compile(r"[0-9]{1,9}")
_DECIMAL: Final = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,4})?")
INTERVAL_LABELS: Final = {"day": "Daily", "week": "Weekly", "month": "Monthly", "year": "Annual"}


@dataclass(frozen=True)
class Field:
    """One form control; ``name`` is also its URL parameter."""

    name: str
    label: str
    kind: str  # select, date, integer, decimal, text, textarea, multi
    options: tuple[tuple[str, str], ...] = ()
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    hint: str = ""
    group: str = ""


@dataclass
class Reading:
    """Form input read so far: typed values and every problem, keyed by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        if not any(e["field"] == name for e in self.errors):
            self.errors.append({"field": name, "message": message})


@dataclass(frozen=True)
class Widget:
    name: str
    title: str
    fields: Callable[[Catalogue], tuple[Field, ...]]
    # Runs the calculator(s) on the form's values; a response with "errors" on bad input.
    compute: Callable[[Reading, Catalogue], Mapping[str, Any]]
    render_result: Callable[[Mapping[str, Any], Reading, Catalogue], render.Rendered]
    # Contract field paths of the calculator's errors -> the form field that caused them.
    error_fields: Mapping[str, str]
    defaults: Callable[[Catalogue, date], dict[str, str]]


# --------------------------------------------------------------------------------------------
# Reading untrusted strings


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def read_params(
    fields_: Sequence[Field], params: Mapping[str, object], defaults: Mapping[str, str]
) -> tuple[Reading, dict[str, str]]:
    """Validate every field; return typed values, errors and the canonical parameters."""
    reading = Reading()
    canonical: dict[str, str] = {}
    for spec in fields_:
        raw_value = params.get(spec.name, defaults.get(spec.name, ""))
        if isinstance(raw_value, list):
            raw_value = ",".join(str(v) for v in raw_value)
        if not isinstance(raw_value, str):
            raw_value = str(raw_value)
        raw = raw_value.strip()
        canonical[spec.name] = raw[:MAX_TEXT]
        if len(raw) > MAX_TEXT:
            reading.fail(spec.name, f"{spec.label} is too long (at most {MAX_TEXT} characters)")
            continue
        if raw == "":
            if spec.required:
                reading.fail(spec.name, f"{spec.label} is required")
            else:
                reading.values[spec.name] = None
            continue
        _read_one(spec, raw, reading)
    return reading, canonical


def _read_one(spec: Field, raw: str, reading: Reading) -> None:
    label = spec.label
    if spec.kind == "select":
        allowed = {value for value, _ in spec.options}
        if raw not in allowed:
            reading.fail(spec.name, f"{label}: {_short(raw)!r} is not one of the choices")
            return
        reading.values[spec.name] = raw
    elif spec.kind == "multi":
        allowed = {value for value, _ in spec.options}
        chosen = [part.strip() for part in raw.split(",") if part.strip()]
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            reading.fail(spec.name, f"{label}: {_short(unknown[0])!r} is not one of the choices")
            return
        reading.values[spec.name] = [v for v, _ in spec.options if v in chosen]
    elif spec.kind == "date":
        if not raw.isascii() or not _DATE.fullmatch(raw):
            reading.fail(spec.name, f"{label}: enter a date as YYYY-MM-DD, got {_short(raw)!r}")
            return
        try:
            reading.values[spec.name] = date.fromisoformat(raw)
        except ValueError:
            reading.fail(spec.name, f"{label}: {raw} is not a date in the calendar")
    elif spec.kind == "integer":
        if not raw.isascii() or not _INTEGER.fullmatch(raw):
            reading.fail(
                spec.name, f"{label}: enter a whole number such as 12, got {_short(raw)!r}"
            )
            return
        number = int(raw)
        if spec.minimum is not None and number < spec.minimum:
            reading.fail(spec.name, f"{label}: must be at least {spec.minimum}")
        elif spec.maximum is not None and number > spec.maximum:
            reading.fail(spec.name, f"{label}: must be at most {spec.maximum:,}")
        else:
            reading.values[spec.name] = number
    elif spec.kind == "decimal":
        if not raw.isascii() or not _DECIMAL.fullmatch(raw):
            reading.fail(spec.name, f"{label}: enter a number such as 7.5, got {_short(raw)!r}")
            return
        try:
            number_d = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            reading.fail(spec.name, f"{label}: {_short(raw)!r} is not a number")
            return
        if spec.minimum is not None and number_d < spec.minimum:
            reading.fail(spec.name, f"{label}: must be at least {spec.minimum}")
        elif spec.maximum is not None and number_d > spec.maximum:
            reading.fail(spec.name, f"{label}: must be at most {spec.maximum}")
        else:
            reading.values[spec.name] = raw
    else:  # text, textarea
        reading.values[spec.name] = raw


# --------------------------------------------------------------------------------------------
# Evaluation


def evaluate(
    widget_name: str, params: Mapping[str, object], catalogue: Catalogue, *, today: date
) -> dict[str, Any]:
    """Read ``params``, run the calculator, render the result; never raises for bad input."""
    return evaluate_with_response(widget_name, params, catalogue, today=today)[0]


def evaluate_with_response(
    widget_name: str, params: Mapping[str, object], catalogue: Catalogue, *, today: date
) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """``evaluate``, plus the calculator's own response (empty on bad input)."""
    widget = WIDGETS.get(widget_name)
    if widget is None:
        return _outcome(
            widget_name,
            {},
            [{"field": "", "message": f"unknown calculator {_short(widget_name)!r}"}],
        ), {}
    if not isinstance(params, Mapping):
        params = {}
    fields_ = widget.fields(catalogue)
    reading, canonical = read_params(fields_, params, widget.defaults(catalogue, today))
    if reading.errors:
        return _outcome(widget.name, canonical, reading.errors), {}
    response = widget.compute(reading, catalogue)
    if reading.errors:
        return _outcome(widget.name, canonical, reading.errors), {}
    errors = response.get("errors")
    if errors:
        mapped = []
        for error in errors:
            where = str(error.get("field", ""))
            target = _map_field(where, widget.error_fields, {f.name for f in fields_})
            mapped.append({"field": target, "message": str(error.get("message", ""))})
        return _outcome(widget.name, canonical, mapped), {}
    rendered = widget.render_result(response, reading, catalogue)
    return {
        "widget": widget.name,
        "params": canonical,
        "errors": [],
        "html": rendered.html,
        "figures": rendered.figures,
        "text": rendered.text,
    }, response


def _map_field(path: str, table: Mapping[str, str], names: set[str]) -> str:
    """The form field a calculator's error path points at ("" for the whole form)."""
    if path in table:
        return table[path]
    last = path.rpartition(".")[2]
    if last in names:
        return last
    while path:
        if path in table:
            return table[path]
        path = path.rpartition(".")[0]
    return ""


def _outcome(name: str, canonical: dict[str, str], errors: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "widget": name,
        "params": canonical,
        "errors": errors,
        "html": None,
        "figures": {},
        "text": [],
    }


def default_params(widget_name: str, catalogue: Catalogue, today: date) -> dict[str, str]:
    return WIDGETS[widget_name].defaults(catalogue, today)


def widget_fields(widget_name: str, catalogue: Catalogue) -> tuple[Field, ...]:
    return WIDGETS[widget_name].fields(catalogue)


# --------------------------------------------------------------------------------------------
# Proration: what a plan change costs today and on the next invoice


def _plan_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((p.id, p.name) for p in catalogue.self_serve_plans)


def _interval_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((i, INTERVAL_LABELS[i]) for i in catalogue.intervals)


def _currency_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((code, f"{code} ({c.name})") for code, c in catalogue.currencies.items())


def _proration_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    """The change, then the optional inputs: the credit balance and every add-on of the
    catalogue now and after."""
    now, change = _change_fields(catalogue)
    return (
        *now,
        *change,
        Field(
            "credit_balance",
            "Credit balance",
            "decimal",
            required=False,
            minimum=0,
            group="Credit",
            hint="Credit already on your account, if any; leave empty for none.",
        ),
        *_addon_quantity_fields(catalogue, NOW_SUFFIX, "now", "Add-ons now"),
        *_addon_quantity_fields(
            catalogue, NEW_SUFFIX, "after the change", "Add-ons after the change"
        ),
    )


# An add-on's quantity fields: "<add-on id>_now" and "<add-on id>_new"; empty means none now,
# and unchanged after the change.
NOW_SUFFIX: Final = "_now"
NEW_SUFFIX: Final = "_new"


def _addon_quantity_fields(
    catalogue: Catalogue, suffix: str, when: str, group: str
) -> tuple[Field, ...]:
    return tuple(
        Field(
            a.id + suffix,
            f"{a.name} {when} (units)",
            "integer",
            required=False,
            minimum=0,
            maximum=a.max_quantity,
            group=group,
        )
        for a in catalogue.addons
    )


def _change_fields(catalogue: Catalogue) -> tuple[tuple[Field, ...], tuple[Field, ...]]:
    """The plan, billing and dates of a change: what there is now, and what changes."""
    plans = _plan_options(catalogue)
    intervals = _interval_options(catalogue)
    now = (
        Field("from_plan", "Current plan", "select", plans, group="Now"),
        Field("from_interval", "Current billing", "select", intervals, group="Now"),
        Field(
            "period_start",
            "Current period started",
            "date",
            group="Now",
            hint="The date of your last renewal, shown on the Plan & billing tab.",
        ),
    )
    change = (
        Field("to_plan", "New plan", "select", plans, group="Change"),
        Field("to_interval", "New billing", "select", intervals, group="Change"),
        Field("change_at", "Change on", "date", group="Change"),
        Field("currency", "Currency", "select", _currency_options(catalogue), group="Change"),
    )
    return now, change


def _proration_defaults(catalogue: Catalogue, today: date) -> dict[str, str]:
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
) -> tuple[str, dict[str, Any]]:
    """The rule's kind and the proration contract's request for a plan (or one add-on's
    quantity) change, classified by ``calculators.changes``; ``NoChange`` when nothing changes."""
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
    request = {
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


def change_request(values: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """The ``change`` command's request for the change a form describes."""
    current: dict[str, Any] = {
        "plan": values["from_plan"],
        "interval": values["from_interval"],
        "period_start": values["period_start"].isoformat(),
    }
    if values.get("credit_balance") is not None:
        current["credit_balance"] = values["credit_balance"]
    now = _quantities(values, catalogue, NOW_SUFFIX)
    if now:
        current["addons"] = now
    new: dict[str, Any] = {"plan": values["to_plan"], "interval": values["to_interval"]}
    changed = _quantities(values, catalogue, NEW_SUFFIX)
    if changed:
        new["addons"] = {**now, **changed}
    return {
        "currency": values["currency"],
        "change_at": values["change_at"].isoformat(),
        "current": current,
        "new": new,
    }


def _quantities(values: Mapping[str, Any], catalogue: Catalogue, suffix: str) -> dict[str, int]:
    return {
        a.id: values[a.id + suffix]
        for a in catalogue.addons
        if values.get(a.id + suffix) is not None
    }


def _proration_compute(reading: Reading, catalogue: Catalogue) -> Mapping[str, Any]:
    """The ``change`` command's answer (kinds, rule, proration, credit) for the form's change."""
    response = api.run("change", change_request(reading.values, catalogue), catalogue=catalogue)
    # An add-on's error lands on its own field: current.addons.<id> -> <id>_now, new -> _new.
    for error in response.get("errors", ()):
        side, _, addon = str(error.get("field", "")).partition(".addons.")
        if addon:
            error["field"] = addon + (NOW_SUFFIX if side == "current" else NEW_SUFFIX)
    return response


MAX_USAGE: Final = 10_000_000


def _usage_label(label: str, unit: str) -> str:
    """ "Storage (GB)", but "Team seats": a counted unit the label already names is not repeated."""
    return label if unit.lower() in label.lower() else f"{label} ({unit})"


def _usage_fields(catalogue: Catalogue, group: str) -> tuple[Field, ...]:
    return tuple(
        Field(
            r.id,
            _usage_label(r.label, r.unit),
            "integer",
            minimum=0,
            maximum=MAX_USAGE,
            group=group,
        )
        for r in catalogue.resources
    )


def _resource_ids(catalogue: Catalogue) -> tuple[str, ...]:
    """Every resource of the catalogue is a usage field, named by its id."""
    return tuple(r.id for r in catalogue.resources)


def _money_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    return (
        Field("currency", "Currency", "select", _currency_options(catalogue), group="Billing"),
        Field("interval", "Billing", "select", _interval_options(catalogue), group="Billing"),
    )


def _money_defaults(catalogue: Catalogue) -> dict[str, str]:
    interval = "month" if "month" in catalogue.intervals else catalogue.intervals[0]
    return {"currency": catalogue.default_currency, "interval": interval}


# ---- plan comparison


def _comparison_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    features = tuple((f.id, f.label) for f in catalogue.features.values())
    levels = tuple((s.id, s.label) for s in catalogue.support_levels)
    return (
        *_usage_fields(catalogue, "What you need"),
        Field(
            "features",
            "Features you need",
            "multi",
            features,
            required=False,
            group="What you need",
        ),
        Field(
            "support", "Support you need", "select", levels, required=False, group="What you need"
        ),
        Field(
            "current_plan",
            "Your plan now",
            "select",
            _plan_options(catalogue),
            required=False,
            group="Billing",
        ),
        *_money_fields(catalogue),
    )


def _comparison_defaults(catalogue: Catalogue) -> dict[str, str]:
    return {
        **{name: "0" for name in _resource_ids(catalogue)},
        "features": "",
        "support": "",
        "current_plan": "",
        **_money_defaults(catalogue),
    }


def _comparison_compute(reading: Reading, catalogue: Catalogue) -> Mapping[str, Any]:
    v = reading.values
    needs: dict[str, Any] = {name: v[name] for name in _resource_ids(catalogue) if name in v}
    needs["features"] = v.get("features") or []
    if v.get("support"):
        needs["support"] = v["support"]
    request: dict[str, Any] = {"currency": v["currency"], "interval": v["interval"], "needs": needs}
    if v.get("current_plan"):
        request["current_plan"] = v["current_plan"]
    return api.run("compare", request, catalogue=catalogue)


# ---- growth


def _growth_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    charts = tuple((r.id, r.label) for r in catalogue.resources)
    return (
        *_usage_fields(catalogue, "Your usage today"),
        Field("rate", "Growth per month (%)", "decimal", minimum=-99, maximum=1000, group="Growth"),
        Field("horizon", "Months to plan for", "integer", minimum=1, maximum=60, group="Growth"),
        Field("chart", "Chart", "select", charts, group="Growth"),
        Field(
            "plan",
            "Your plan now",
            "select",
            _plan_options(catalogue),
            required=False,
            group="Billing",
        ),
        *_money_fields(catalogue),
    )


def _growth_defaults(catalogue: Catalogue) -> dict[str, str]:
    resources = _resource_ids(catalogue)
    return {
        **{name: "0" for name in resources},
        "rate": "5",
        "horizon": "12",
        "chart": resources[0],
        "plan": "",
        **_money_defaults(catalogue),
    }


def _growth_compute(reading: Reading, catalogue: Catalogue) -> Mapping[str, Any]:
    v = reading.values
    request: dict[str, Any] = {
        "currency": v["currency"],
        "interval": v["interval"],
        "usage": {name: v[name] for name in _resource_ids(catalogue) if name in v},
        "growth": {"rate_percent": v["rate"]},
        "horizon_months": v["horizon"],
    }
    if v.get("plan"):
        request["plan"] = v["plan"]
    return api.run("growth", request, catalogue=catalogue)


# ---- add-ons


def _addon_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    return (
        Field("plan", "Plan", "select", _plan_options(catalogue), group="Plan"),
        *_money_fields(catalogue),
        *(
            Field(
                a.id,
                f"{a.name} (units)",
                "integer",
                minimum=0,
                maximum=a.max_quantity,
                group="Add-ons",
            )
            for a in catalogue.addons
        ),
    )


def _addon_defaults(catalogue: Catalogue) -> dict[str, str]:
    plans = catalogue.self_serve_plans
    return {
        "plan": plans[min(1, len(plans) - 1)].id,
        **_money_defaults(catalogue),
        **{a.id: "0" for a in catalogue.addons},
    }


def _addon_compute(reading: Reading, catalogue: Catalogue) -> Mapping[str, Any]:
    v = reading.values
    plan = catalogue.plan(v["plan"])
    quantities = {}
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
    request = {
        "plan": plan.id,
        "interval": v["interval"],
        "currency": v["currency"],
        "addons": quantities,
    }
    return api.run("addons", request, catalogue=catalogue)


# ---- change record and customer notice


def _record_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    from calculators.records import REASON_CODES

    return (
        *(f for part in _change_fields(catalogue) for f in part),
        Field("account", "Account", "text", group="Record"),
        Field("reason", "Reason", "select", tuple(REASON_CODES.items()), group="Record"),
        Field(
            "reason_text",
            "Reason in words",
            "textarea",
            required=False,
            group="Record",
            hint="Required when the reason is Other; useful for every reason.",
        ),
        Field("requested_by", "Requested by", "text", group="Record"),
        Field("role", "Their role", "text", group="Record"),
    )


def _record_defaults(catalogue: Catalogue, today: date) -> dict[str, str]:
    return {
        **_proration_defaults(catalogue, today),
        "account": "ACME-1042",
        "reason": "needs_more_resources",
        "reason_text": "",
        "requested_by": "Account owner",
        "role": "Owner",
    }


def _record_compute(reading: Reading, catalogue: Catalogue) -> Mapping[str, Any]:
    v = reading.values
    outcome = _proration_compute(reading, catalogue)
    if "errors" in outcome:
        return outcome
    proration = outcome["proration"]
    change = {
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
    notice: Mapping[str, Any] = {}
    if changes.plan_move(catalogue.plan(v["from_plan"]), catalogue.plan(v["to_plan"])):
        notice = api.run("notice", {**change, "audience": "customer"}, catalogue=catalogue)
        if "errors" in notice:
            return notice
    return {"proration": proration, "record": record, "notice": notice}


def _proration_render(
    response: Mapping[str, Any], reading: Reading, catalogue: Catalogue
) -> render.Rendered:
    v = reading.values
    scenario = render.proration_scenario(
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
    return render.proration_result(
        response["proration"], catalogue, scenario=scenario, credit=credit
    )


WIDGETS: Final[dict[str, Widget]] = {
    "proration": Widget(
        name="proration",
        title="What will this change cost?",
        fields=_proration_fields,
        compute=_proration_compute,
        render_result=_proration_render,
        error_fields={
            "change_at": "change_at",
            "current.period_start": "period_start",
            "current.period_end": "period_start",
            "current.plan": "from_plan",
            "current.interval": "from_interval",
            "new.plan": "to_plan",
            "new": "to_plan",
            "new.interval": "to_interval",
            "current.credit_balance": "credit_balance",
            "currency": "currency",
        },
        defaults=_proration_defaults,
    ),
    "plan-comparison": Widget(
        name="plan-comparison",
        title="Which plan fits what you need?",
        fields=_comparison_fields,
        compute=_comparison_compute,
        render_result=lambda resp, r, c: render.comparison_result(resp, c),
        # needs.<resource> lands on the resource's own field (its last path segment).
        error_fields={
            "needs.features": "features",
            "needs.support": "support",
            "current_plan": "current_plan",
            "currency": "currency",
            "interval": "interval",
        },
        defaults=lambda c, t: _comparison_defaults(c),
    ),
    "growth": Widget(
        name="growth",
        title="How long will your plan last as you grow?",
        fields=_growth_fields,
        compute=_growth_compute,
        render_result=lambda resp, r, c: render.growth_result(resp, c, chart=r.values["chart"]),
        error_fields={
            "growth.rate_percent": "rate",
            "horizon_months": "horizon",
            "plan": "plan",
            "currency": "currency",
            "interval": "interval",
        },
        defaults=lambda c, t: _growth_defaults(c),
    ),
    "add-ons": Widget(
        name="add-ons",
        title="What will your plan cost with add-ons?",
        fields=_addon_fields,
        compute=_addon_compute,
        render_result=lambda resp, r, c: render.addons_result(resp, c),
        error_fields={
            "plan": "plan",
            "currency": "currency",
            "interval": "interval",
            "addons": "plan",
        },
        defaults=lambda c, t: _addon_defaults(c),
    ),
    "change-record": Widget(
        name="change-record",
        title="Record the change and draft the notice",
        fields=_record_fields,
        compute=_record_compute,
        render_result=lambda resp, r, c: render.record_result(resp, c),
        error_fields={
            "account": "account",
            "reason.code": "reason",
            "reason.text": "reason_text",
            "requested_by.name": "requested_by",
            "requested_by.role": "role",
            "from": "from_plan",
            "to": "to_plan",
            "change_at": "change_at",
            "current.period_start": "period_start",
            "effective": "change_at",
            "currency": "currency",
            "current.plan": "from_plan",
            "current.interval": "from_interval",
            "new.plan": "to_plan",
            "new": "to_plan",
            "new.interval": "to_interval",
        },
        defaults=lambda c, t: _record_defaults(c, t),
    ),
}
