"""The page widgets: which calculators a page can hold, and evaluating one from its inputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final, TypedDict

from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.errors import FieldError
from calculators.requests.errors import Errors, add_error, single_error
from calculators.web.forms import Field, Widget, read_params, short
from calculators.web.results import addons_result, comparison_result, growth_result, record_result
from calculators.web.widget_fields import (
    addon_fields,
    comparison_fields,
    growth_fields,
    proration_fields,
    record_fields,
)
from calculators.web.widget_requests import (
    addon_compute,
    addon_defaults,
    comparison_compute,
    comparison_defaults,
    growth_compute,
    growth_defaults,
    proration_compute,
    proration_defaults,
    proration_render,
    record_compute,
    record_defaults,
)


class WidgetResult(TypedDict):
    """What ``evaluate`` answers, the worker's ``result`` (``contracts/worker-protocol.md``)."""

    widget: str
    params: dict[str, str]  # the inputs as read, one per form field
    errors: list[FieldError]  # each names a form field; "" is the whole form
    html: str | None  # null when there are errors
    figures: dict[str, str]
    text: list[str]


def evaluate(
    widget_name: str, params: Mapping[str, object], catalogue: Catalogue, *, today: date
) -> WidgetResult:
    """Read ``params``, run the calculator, render the result; never raises for bad input."""
    return evaluate_with_response(widget_name, params, catalogue, today=today)[0]


def evaluate_with_response(
    widget_name: str, params: Mapping[str, object], catalogue: Catalogue, *, today: date
) -> tuple[WidgetResult, Any]:
    """``evaluate``, plus the calculator's own response (the widget's response type; empty on
    bad input)."""
    widget = WIDGETS.get(widget_name)
    if widget is None:
        return _outcome(
            widget_name,
            {},
            single_error("", f"unknown calculator {short(widget_name)!r}")["errors"],
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
        mapped: Errors = []
        for error in errors:
            where = str(error.get("field", ""))
            target = _map_field(where, widget.error_fields, {f.name for f in fields_})
            add_error(mapped, target, str(error.get("message", "")))
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


def _outcome(name: str, canonical: dict[str, str], errors: Errors) -> WidgetResult:
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


# Each widget is a constant of its own response type, so its compute and render_result are
# checked against each other; the table holds them all.
_PRORATION: Final = Widget(
    name="proration",
    title="What will this change cost?",
    fields=proration_fields,
    compute=proration_compute,
    render_result=proration_render,
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
    defaults=proration_defaults,
)

_COMPARISON: Final = Widget(
    name="plan-comparison",
    title="Which plan fits what you need?",
    fields=comparison_fields,
    compute=comparison_compute,
    render_result=lambda resp, r, c: comparison_result(resp, c),
    # needs.<resource> lands on the resource's own field (its last path segment).
    error_fields={
        "needs.features": "features",
        "needs.support": "support",
        "current_plan": "current_plan",
        "currency": "currency",
        "interval": "interval",
    },
    defaults=lambda c, t: comparison_defaults(c),
)

_GROWTH: Final = Widget(
    name="growth",
    title="How long will your plan last as you grow?",
    fields=growth_fields,
    compute=growth_compute,
    render_result=lambda resp, r, c: growth_result(resp, c, chart=r.values["chart"]),
    error_fields={
        "growth.rate_percent": "rate",
        "horizon_months": "horizon",
        "plan": "plan",
        "currency": "currency",
        "interval": "interval",
    },
    defaults=lambda c, t: growth_defaults(c),
)

_ADDONS: Final = Widget(
    name="add-ons",
    title="What will your plan cost with add-ons?",
    fields=addon_fields,
    compute=addon_compute,
    render_result=lambda resp, r, c: addons_result(resp, c),
    error_fields={
        "plan": "plan",
        "currency": "currency",
        "interval": "interval",
        "addons": "plan",
    },
    defaults=lambda c, t: addon_defaults(c),
)

_RECORD: Final = Widget(
    name="change-record",
    title="Record the change and draft the notice",
    fields=record_fields,
    compute=record_compute,
    render_result=lambda resp, r, c: record_result(resp, c),
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
    defaults=lambda c, t: record_defaults(c, t),
)

WIDGETS: Final[dict[str, Widget[Any]]] = {
    widget.name: widget for widget in (_PRORATION, _COMPARISON, _GROWTH, _ADDONS, _RECORD)
}
