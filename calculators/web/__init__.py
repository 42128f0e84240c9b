"""The web side, and the entry point of the browser's Web Worker (Pyodide): JSON in, JSON out.

The sub-modules hold form fields from the catalogue (``forms``, ``widget_fields``), the page
widgets (``widgets``, ``widget_requests``) and every HTML fragment (``html``, ``form_html``,
``proration_html``, ``results``, ``growth_chart``). This module is what the worker imports.

The worker calls ``session(catalogue_json)`` once, then the returned function for every form
change. See contracts/worker-protocol.md for the messages around it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from calculators.domain.catalogue import Catalogue
from calculators.requests import untrusted
from calculators.requests.catalogue import parse_catalogue
from calculators.requests.errors import single_error
from calculators.web.widgets import WidgetResult, evaluate


def session(catalogue_json: str) -> Callable[[str, str, str], str]:
    """Parse the page's catalogue with the same loader as the build; return ``evaluate_json``."""
    catalogue = parse_catalogue(json.loads(catalogue_json), source="the page's catalogue")

    def evaluate_json(widget: str, params_json: str, today: str) -> str:
        return dumps(evaluate_text(widget, params_json, today, catalogue))

    return evaluate_json


def evaluate_text(widget: str, params_json: str, today: str, catalogue: Catalogue) -> WidgetResult:
    try:
        params = untrusted.parse_json(params_json, what="the calculator's inputs")
    except untrusted.InputError:
        params = None
    if not isinstance(params, dict):
        return {
            "widget": widget,
            "params": {},
            "errors": single_error("", "the calculator's inputs could not be read")["errors"],
            "html": None,
            "figures": {},
            "text": [],
        }
    try:
        day = date.fromisoformat(today)
    except ValueError:
        day = date.today()
    return evaluate(widget, params, catalogue, today=day)


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
