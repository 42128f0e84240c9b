"""Calculator widgets and build-time worked examples for pages.

``calculator(kind, id=..., **inputs)`` places a live calculator: the form, and the result for its
default inputs computed now by the same Python the browser runs later. ``proration_example``
and ``growth_example`` print worked examples computed at build time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from calculators import render
from calculators import widgets as calc_widgets
from calculators.catalogue import Catalogue

_ID = re.compile(r"[a-z][a-z0-9-]*")


def build_date() -> date:
    """"Today" for default inputs: KB_TODAY (YYYY-MM-DD) when set, for reproducible builds."""
    fixed = os.environ.get("KB_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


class Runtime:
    """Where the browser finds Pyodide, the trimmed standard library and the calculators wheel."""

    def __init__(self, project_root: Path, staging: Path) -> None:
        from macros import assets

        self.staging = staging
        staging.mkdir(parents=True, exist_ok=True)
        self.wheel = "calculators/" + assets.build_wheel(project_root, staging / "calculators")
        self.pyodide = "pyodide/" + assets.copy_pyodide(project_root, staging / "pyodide")
        self.stdlib = "pyodide/" + assets.build_stdlib(
            project_root, staging / "pyodide", project_root / "build" / "cache"
        )

    def manifest(self, catalogue: Catalogue) -> str:
        data = {
            "pyodide": f"assets/{self.pyodide.rstrip('/')}/",
            "stdlib": f"assets/{self.stdlib}",
            "wheel": f"assets/{self.wheel}",
            "catalogue": catalogue.data,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return text.replace("</", "<\\/")


def register(env: Any, catalogue: Catalogue) -> None:
    project_root = Path(__file__).resolve().parent.parent
    # A fresh staging folder per build, so a site never ships an earlier build's wheel.
    (project_root / "build").mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="site-assets-", dir=project_root / "build"))
    state: dict[str, Any] = {"runtime": None, "pages": set()}

    def runtime() -> Runtime:
        if state["runtime"] is None:
            state["runtime"] = Runtime(project_root, staging)
        return state["runtime"]  # type: ignore[no-any-return]

    def page_key() -> str:
        page = getattr(env, "page", None)
        return str(getattr(page, "url", "")) if page is not None else ""

    def calculator(kind: str, id: str, **inputs: Any) -> str:  # the HTML id
        if kind not in calc_widgets.WIDGETS:
            raise ValueError(f"unknown calculator {kind!r}; known: "
                             f"{', '.join(calc_widgets.WIDGETS)}")  # fmt: skip
        if not _ID.fullmatch(id):
            raise ValueError(f"calculator id {id!r} must be lowercase letters, digits and -")
        today = build_date()
        params = calc_widgets.default_params(kind, catalogue, today)
        for name, value in inputs.items():
            if name not in params:
                raise ValueError(f"calculator {kind!r} has no input {name!r}; inputs: "
                                 f"{', '.join(params)}")  # fmt: skip
            params[name] = _as_param(value)
        result = calc_widgets.evaluate(kind, params, catalogue, today=today)
        if result["errors"]:
            problems = "; ".join(f"{e['field']}: {e['message']}" for e in result["errors"])
            raise ValueError(f"calculator {id!r} ({kind}) has invalid defaults: {problems}")
        widget = calc_widgets.WIDGETS[kind]
        fields = calc_widgets.widget_fields(kind, catalogue)
        parts = []
        key = page_key()
        if key not in state["pages"]:
            state["pages"].add(key)
            # Inert JSON in an attribute, not a <script>: the theme re-runs every script in
            # the content after instant navigation as JavaScript, which the strict CSP blocks.
            parts.append('<div class="kb-runtime" hidden data-kb-runtime="'
                         f'{render.esc(runtime().manifest(catalogue))}"></div>')  # fmt: skip
        parts.append(
            f'<section class="kb-calc" id="{id}" data-calculator="{kind}" data-state="static" '
            f'aria-labelledby="{id}-title" data-today="{today.isoformat()}">'
            f'<h3 class="kb-calc__title" id="{id}-title">{render.esc(widget.title)}</h3>'
            f'<form class="kb-calc__form" novalidate>'
            f"{render.form_fields_html(id, fields, params)}</form>"
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
            f'aria-atomic="true" data-text="{render.esc(json.dumps(result["text"]))}">'
            f'{result["html"]}</div>'
            f"{_manual(kind)}</section>"
        )
        return "".join(parts)

    def proration_example(
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
        from calculators import proration

        code = currency or catalogue.default_currency
        target_interval = to_interval or from_interval
        kind, request = calc_widgets.proration_request(
            catalogue, from_plan=from_plan, from_interval=from_interval, to_plan=to_plan,
            to_interval=target_interval, period_start=date.fromisoformat(period_start),
            change_at=date.fromisoformat(change_at), currency=code,
            from_quantity=from_quantity, to_quantity=to_quantity, addon=addon,
        )  # fmt: skip
        response = proration.prorate(request)
        if "errors" in response:
            raise ValueError(f"proration_example: {response['errors']}")
        if addon is not None:
            item = catalogue.addon(addon)
            scenario = (f"{item.name}: {from_quantity} to {to_quantity} on "
                        f"{catalogue.plan(from_plan).name}, on "
                        f"{render.long_date(date.fromisoformat(change_at))}")  # fmt: skip
        else:
            scenario = render.proration_scenario(
                catalogue, from_plan=from_plan, from_interval=from_interval, to_plan=to_plan,
                to_interval=target_interval, change_at=date.fromisoformat(change_at), kind=kind,
            )  # fmt: skip
        rendered = render.proration_result(response, catalogue, scenario=scenario)
        rule = catalogue.policy.proration
        rounding = {"half_up": "half up (0.5 rounds away from zero)",
                    "half_even": "half even (0.5 rounds to the even digit)"}[rule.rounding]
        unit = catalogue.currency(code).minor_unit
        step = "a whole unit" if unit == 0 else f"{unit} decimal places"
        return (
            '<div class="kb-example" data-example="proration">'
            f"{rendered.html}"
            f'<p class="kb-example__rule">Each line is rounded to {step} of {code}, {rounding}; '
            f"days are counted as calendar days, the change day included in the new plan."
            "</p></div>"
        )

    def growth_example(**inputs: Any) -> str:
        params = calc_widgets.default_params("growth", catalogue, build_date())
        for name, value in inputs.items():
            if name not in params:
                raise ValueError(f"growth_example has no input {name!r}; inputs: "
                                 f"{', '.join(params)}")  # fmt: skip
            params[name] = _as_param(value)
        outcome, response = calc_widgets.evaluate_with_response("growth", params, catalogue,
                                                                today=build_date())
        if outcome["errors"]:
            raise ValueError(f"growth_example: {outcome['errors']}")
        return ('<div class="kb-example" data-example="growth">'
                f"{render.growth_months_table(response, catalogue)}{outcome['html']}</div>")

    env.macro(calculator, "calculator")
    env.macro(proration_example, "proration_example")
    env.macro(growth_example, "growth_example")

    def on_post_build(macros_env: Any) -> None:
        if state["runtime"] is None:
            shutil.rmtree(staging, ignore_errors=True)
            return  # no page has a calculator: ship none of the runtime

        site_assets = Path(macros_env.conf["site_dir"]) / "assets"
        shutil.copytree(staging, site_assets, dirs_exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)

    _POST_BUILD[:] = [on_post_build]


# The post-build step of the current build (mkdocs serve rebuilds call define_env again).
_POST_BUILD: list[Any] = []


def post_build(macros_env: Any) -> None:
    for step in _POST_BUILD:
        step(macros_env)


def _as_param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


# How to get each calculator's answer without it: shown when live recalculation is unavailable.
MANUAL_METHODS = {
    "proration": (
        "Count the days left in your current billing period, starting on the day of the "
        "change. Credit: your current price × days left ÷ days in the period. Charge: the "
        "new price × days left ÷ days in the period (or the full new price when the billing "
        "interval changes). Round each line to the cent. Due today is the charge minus the "
        "credit; a negative result goes to your credit balance."
    ),
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


def _manual(kind: str) -> str:
    return ('<details class="kb-calc__manual" data-role="manual"><summary>Work it out by hand'
            f"</summary><p>{render.esc(MANUAL_METHODS[kind])}</p></details>")  # fmt: skip
