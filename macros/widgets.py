"""Calculator widgets and build-time worked examples for pages.

``calculator(kind, id=..., **inputs)`` places a live calculator: the form, and the result for its
default inputs computed now by the same Python the browser runs later. ``proration_example``
and ``growth_example`` print worked examples computed at build time. The first calculator of a
page also places the runtime settings the browser reads: where ``make assets`` put Pyodide, the
trimmed standard library and the calculators wheel (macros/assets.py), and the catalogue.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import jinja2
from jinja2.runtime import Context

from calculators.domain.catalogue import Catalogue
from calculators.web import form_html, proration_html, results, widget_requests
from calculators.web import html as web_html
from calculators.web import widgets as calc_widgets
from calculators.wording import conventions, dates
from macros import assets
from macros.currency import Money
from macros.environment import MacroEnvironment

_ID = re.compile(r"[a-z][a-z0-9-]*")


def build_date() -> date:
    """ "Today" for default inputs: KB_TODAY (YYYY-MM-DD) when set, for reproducible builds."""
    fixed = os.environ.get("KB_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def register(env: MacroEnvironment, catalogue: Catalogue, project_root: Path) -> None:
    """The calculator macro and the worked examples, bound to this build's catalogue."""
    env.macro(PageCalculators(catalogue, project_root).calculator, "calculator")
    env.macro(functools.partial(proration_example, catalogue), "proration_example")
    env.macro(functools.partial(growth_example, catalogue), "growth_example")


class PageCalculators:
    """``calculator()`` for one build: the runtime settings go on each page once, before its
    first calculator (MkDocs renders every page with one instance, Zensical makes one per page)."""

    def __init__(self, catalogue: Catalogue, project_root: Path) -> None:
        self.catalogue = catalogue
        self.project_root = project_root
        self.pages_with_runtime: set[str] = set()

    @jinja2.pass_context
    def calculator(self, context: Context, kind: str, id: str, **inputs: object) -> str:
        """One calculator on the page being rendered; ``id`` is its HTML id."""
        page = context.get("page")
        key = str(getattr(page, "url", "")) if page is not None else ""
        parts = []
        if key not in self.pages_with_runtime:
            self.pages_with_runtime.add(key)
            parts.append(runtime_html(assets.read_runtime(self.project_root), self.catalogue))
        parts.append(calculator_html(self.catalogue, kind, id, inputs, build_date()))
        return "".join(parts)


def runtime_html(runtime: assets.Runtime, catalogue: Catalogue) -> str:
    """The settings the browser's calculators.js reads: asset URLs and the catalogue.

    Inert JSON in an attribute, not a <script>: the theme re-runs every script in the content
    after instant navigation as JavaScript, which the strict CSP blocks.
    """
    data = {
        "pyodide": runtime.pyodide,
        "stdlib": runtime.stdlib,
        "wheel": runtime.wheel,
        "snapshot": runtime.snapshot,
        "catalogue": catalogue.data,
    }
    return (
        '<div class="kb-runtime" hidden data-kb-runtime="'
        f'{web_html.esc(web_html.script_json(data))}"></div>'
    )


def calculator_html(
    catalogue: Catalogue, kind: str, id: str, inputs: Mapping[str, object], today: date
) -> str:
    """The calculator's form, its result for the given inputs and the manual method."""
    if kind not in calc_widgets.WIDGETS:
        raise ValueError(f"unknown calculator {kind!r}; known: {', '.join(calc_widgets.WIDGETS)}")
    if not _ID.fullmatch(id):
        raise ValueError(f"calculator id {id!r} must be lowercase letters, digits and -")
    params = calc_widgets.default_params(kind, catalogue, today)
    for name, value in inputs.items():
        if name not in params:
            raise ValueError(
                f"calculator {kind!r} has no input {name!r}; inputs: {', '.join(params)}"
            )
        params[name] = _as_param(value)
    result = calc_widgets.evaluate(kind, params, catalogue, today=today)
    if result["errors"]:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in result["errors"])
        raise ValueError(f"calculator {id!r} ({kind}) has invalid defaults: {problems}")
    widget = calc_widgets.WIDGETS[kind]
    fields = calc_widgets.widget_fields(kind, catalogue)
    return (
        f'<section class="kb-calc" id="{id}" data-calculator="{kind}" data-state="static" '
        f'aria-labelledby="{id}-title" data-today="{today.isoformat()}">'
        f'<h3 class="kb-calc__title" id="{id}-title">{web_html.esc(widget.title)}</h3>'
        f'<form class="kb-calc__form" novalidate>'
        f"{form_html.form_fields_html(id, fields, params)}</form>"
        '<div class="kb-calc__bar"><p class="kb-calc__status" data-role="status" '
        'role="status">Showing the result for the inputs above, computed when this page '
        "was published.</p>"
        '<div class="kb-calc__actions"><button type="button" class="md-button" '
        'data-action="copy-link">Copy link</button>'
        '<button type="button" class="md-button" data-action="copy-reply" '
        'data-format="text">Copy as ticket reply</button>'
        '<button type="button" class="md-button" data-action="copy-reply" '
        'data-format="markdown">Copy as Markdown</button></div></div>'
        f'<div class="kb-calc__result" data-role="result" aria-live="polite" '
        f'aria-atomic="true" data-text="{web_html.esc(json.dumps(result["text"]))}">'
        f"{result['html']}</div>"
        f"{_manual(kind, catalogue)}</section>"
    )


def proration_example(
    catalogue: Catalogue,
    from_plan: str,
    to_plan: str,
    period_start: str,
    change_at: str,
    from_interval: str = "month",
    to_interval: str | None = None,
    from_quantity: int = 1,
    to_quantity: int = 1,
    currency: str | None = None,
    addon: str | None = None,
) -> str:
    if currency is None:  # the reader's currency: computed in each one, not converted
        return str(
            Money(catalogue).blocks(
                lambda code: proration_example(
                    catalogue,
                    from_plan,
                    to_plan,
                    period_start,
                    change_at,
                    from_interval,
                    to_interval,
                    from_quantity,
                    to_quantity,
                    code,
                    addon,
                )
            )
        )
    from calculators.commands import prorate as proration

    code = currency
    target_interval = to_interval or from_interval
    kind, request = widget_requests.proration_request(
        catalogue,
        from_plan=from_plan,
        from_interval=from_interval,
        to_plan=to_plan,
        to_interval=target_interval,
        period_start=date.fromisoformat(period_start),
        change_at=date.fromisoformat(change_at),
        currency=code,
        from_quantity=from_quantity,
        to_quantity=to_quantity,
        addon=addon,
    )
    response = proration.prorate(request)
    if "errors" in response:
        raise ValueError(f"proration_example: {response['errors']}")
    if addon is not None:
        item = catalogue.addon(addon)
        scenario = (
            f"{item.name}: {from_quantity} to {to_quantity} on "
            f"{catalogue.plan(from_plan).name}, on "
            f"{dates.long_date(date.fromisoformat(change_at))}"
        )
    else:
        scenario = proration_html.proration_scenario(
            catalogue,
            from_plan=from_plan,
            from_interval=from_interval,
            to_plan=to_plan,
            to_interval=target_interval,
            change_at=date.fromisoformat(change_at),
            kind=kind,
        )
    rendered = proration_html.proration_result(response, catalogue, scenario=scenario)
    rule = conventions.example_rule(request["policy"], code, catalogue.currency(code).minor_unit)
    return (
        '<div class="kb-example" data-example="proration">'
        f'{rendered.html}<p class="kb-example__rule">{web_html.esc(rule)}</p></div>'
    )


def growth_example(catalogue: Catalogue, **inputs: object) -> str:
    if "currency" not in inputs:  # the reader's currency: computed in each one
        return str(
            Money(catalogue).blocks(lambda code: growth_example(catalogue, **inputs, currency=code))
        )
    params = calc_widgets.default_params("growth", catalogue, build_date())
    for name, value in inputs.items():
        if name not in params:
            raise ValueError(f"growth_example has no input {name!r}; inputs: {', '.join(params)}")
        params[name] = _as_param(value)
    outcome, response = calc_widgets.evaluate_with_response(
        "growth", params, catalogue, today=build_date()
    )
    if outcome["errors"]:
        raise ValueError(f"growth_example: {outcome['errors']}")
    return (
        '<div class="kb-example" data-example="growth">'
        f"{results.growth_months_table(response, catalogue)}{outcome['html']}</div>"
    )


def _as_param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


# How to get each calculator's answer without it: shown when live recalculation is unavailable.
# The proration method is generated from the catalogue's policy (wording/conventions.py).
MANUAL_METHODS = {
    "plan-comparison": (
        "For each plan, compare every limit in the plan table with what you need. Where a limit "
        "is short, divide the shortfall by the add-on's unit size and round up to get the units "
        "needed, if the plan offers that add-on. The cheapest plan whose price plus add-ons "
        "covers everything is the best fit."
    ),
    "growth": (
        "Multiply today's usage by (1 + monthly growth) once for each month ahead and round up. "
        "The first month a figure exceeds a plan's limit is when that plan runs out."
    ),
    "add-ons": (
        "Add the plan's price to each add-on's price times its quantity, using the prices in the "
        "add-on table for your billing interval and currency."
    ),
    "change-record": (
        "Write down the account, the old and new plan, the date, who asked and why, and the "
        "amounts from the proration calculator."
    ),
}


def _manual(kind: str, catalogue: Catalogue) -> str:
    method = MANUAL_METHODS.get(kind) or conventions.manual_method(
        conventions.page_policy(catalogue), conventions.catalogue_currencies(catalogue)
    )
    return (
        '<details class="kb-calc__manual" data-role="manual"><summary>Work it out by hand'
        f"</summary><p>{web_html.esc(method)}</p></details>"
    )
