"""HTML fragments of calculator results, shared by the build and the browser.

The same function renders a result at build time (CPython, prerendered into the page) and in the
Web Worker (Pyodide, swapped in live), so both are byte-identical. Every value from a request or
a catalogue is escaped; nothing here trusts its input.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from calculators import money
from calculators.catalogue import Catalogue

MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")  # fmt: skip
INTERVAL_NOUNS: Final = {"day": "daily", "week": "weekly", "month": "monthly", "year": "annual"}


@dataclass(frozen=True)
class Rendered:
    """A result's HTML, its headline figures as displayed, and plain-text lines."""

    html: str
    figures: dict[str, str]
    text: list[str]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def long_date(value: date | str) -> str:
    """ "1 Apr 2026": unambiguous in every locale, independent of the machine's locale."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def amount(text: object, currency: str, catalogue: Catalogue) -> str:
    value = Decimal(str(text))
    return money.display(value, currency, extra=catalogue.minor_units)


def proration_scenario(
    catalogue: Catalogue,
    *,
    from_plan: str,
    from_interval: str,
    to_plan: str,
    to_interval: str,
    change_at: date,
    kind: str,
) -> str:
    old, new = catalogue.plan(from_plan), catalogue.plan(to_plan)
    if kind in ("monthly_to_annual", "annual_to_monthly") or old.id == new.id:
        what = (f"{old.name}: {INTERVAL_NOUNS[from_interval]} to {INTERVAL_NOUNS[to_interval]} "
                "billing")  # fmt: skip
    else:
        what = (f"{old.name} ({INTERVAL_NOUNS[from_interval]}) to {new.name} "
                f"({INTERVAL_NOUNS[to_interval]})")  # fmt: skip
    words = {"upgrade": "Upgrade", "downgrade": "Downgrade", "monthly_to_annual": "Switch",
             "annual_to_monthly": "Switch"}  # fmt: skip
    return f"{words.get(kind, 'Change')}: {what}, on {long_date(change_at)}"


def proration_result(
    response: Mapping[str, Any], catalogue: Catalogue, *, scenario: str
) -> Rendered:
    currency = str(response["currency"])

    def show(value: object) -> str:
        return amount(value, currency, catalogue)

    next_invoice = response.get("next_invoice") or {}
    next_text = "—"
    if next_invoice:
        next_text = f"{show(next_invoice['amount'])} on {long_date(next_invoice['date'])}"
    figures = {
        "due_now": show(response["due_now"]),
        "credit_to_balance": show(response["credit_to_balance"]),
        "next_invoice": next_text,
    }
    refund = Decimal(str(response.get("refund", "0")))
    if refund:
        figures["refund"] = show(response["refund"])

    parts = [f'<p class="kb-calc__scenario">{esc(scenario)}</p>', '<dl class="kb-figures">']
    labels = {"due_now": "Due today", "credit_to_balance": "Credit to your balance",
              "refund": "Refund", "next_invoice": "Next invoice"}  # fmt: skip
    for key in ("due_now", "credit_to_balance", "refund", "next_invoice"):
        if key in figures:
            parts.append(f'<div class="kb-figure"><dt>{labels[key]}</dt>'
                         f'<dd data-field="{key}">{esc(figures[key])}</dd></div>')  # fmt: skip
    parts.append("</dl>")
    for note in response.get("notes", []) or []:
        parts.append(f'<p class="kb-calc__note">{esc(note)}</p>')

    parts.append('<table class="kb-invoice"><caption>Invoice preview</caption><thead><tr>'
                 '<th scope="col">Line</th><th scope="col" class="kb-num">Amount</th></tr>'
                 "</thead><tbody>")  # fmt: skip
    text = [scenario]
    lines: Sequence[Mapping[str, Any]] = response.get("lines", []) or []
    if not lines:
        parts.append('<tr><td colspan="2">No prorated lines: nothing is charged or credited '
                     "for this change now.</td></tr>")  # fmt: skip
    for line in lines:
        parts.append(f'<tr data-kind="{esc(line.get("kind", ""))}"><td>'
                     f'{esc(line.get("description", ""))}</td>'
                     f'<td class="kb-num">{esc(show(line["amount"]))}</td></tr>')  # fmt: skip
        text.append(f"{line.get('description', '')}: {show(line['amount'])}")
    parts.append("</tbody><tfoot>")
    totals = [("Subtotal", response.get("subtotal")), ("Tax", response.get("tax")),
              ("Total", response.get("total"))]  # fmt: skip
    for label, value in totals:
        if value is None:
            continue
        parts.append(f'<tr><th scope="row">{label}</th><td class="kb-num">{esc(show(value))}'
                     "</td></tr>")  # fmt: skip
    parts.append("</tfoot></table>")
    explanation: Sequence[str] = response.get("explanation", []) or []
    if explanation:
        parts.append('<details class="kb-calc__explanation"><summary>How this was calculated'
                     "</summary><ol>")  # fmt: skip
        parts.extend(f"<li>{esc(step)}</li>" for step in explanation)
        parts.append("</ol></details>")
    text.append(f"Due today: {figures['due_now']}")
    text.append(f"Credit to your balance: {figures['credit_to_balance']}")
    if "refund" in figures:
        text.append(f"Refund: {figures['refund']}")
    text.append(f"Next invoice: {figures['next_invoice']}")
    return Rendered(html="".join(parts), figures=figures, text=text)


def form_fields_html(widget_id: str, fields: Sequence[Any], values: Mapping[str, str]) -> str:
    """The form controls of a widget, labelled, each with its error slot."""
    parts = []
    group = None
    for spec in fields:
        if spec.group != group:
            if group is not None:
                parts.append("</fieldset>")
            group = spec.group
            parts.append(f'<fieldset class="kb-calc__group"><legend>{esc(group)}</legend>'
                         if group else '<fieldset class="kb-calc__group">')  # fmt: skip
        control_id = f"{widget_id}-{spec.name}"
        error_id = f"{control_id}-error"
        hint_id = f"{control_id}-hint"
        described = error_id + (f" {hint_id}" if spec.hint else "")
        value = values.get(spec.name, "")
        common = (f'id="{esc(control_id)}" name="{esc(spec.name)}" '
                  f'aria-describedby="{esc(described)}"')  # fmt: skip
        parts.append(f'<div class="kb-calc__field" data-field-name="{esc(spec.name)}">')
        if spec.kind == "multi":
            chosen = {v for v in value.split(",") if v}
            parts.append(f'<fieldset class="kb-calc__checks" id="{esc(control_id)}" '
                         f'aria-describedby="{esc(described)}" data-multi="{esc(spec.name)}">'
                         f"<legend>{esc(spec.label)}</legend>")  # fmt: skip
            for option, label in spec.options:
                checked = " checked" if option in chosen else ""
                parts.append(f'<label><input type="checkbox" name="{esc(spec.name)}" '
                             f'value="{esc(option)}"{checked}> {esc(label)}</label>')  # fmt: skip
            parts.append("</fieldset>")
        else:
            parts.append(f'<label for="{esc(control_id)}">{esc(spec.label)}</label>')
            if spec.kind == "select":
                options = []
                if not spec.required:
                    options.append('<option value="">None</option>')
                for option, label in spec.options:
                    selected = " selected" if option == value else ""
                    options.append(f'<option value="{esc(option)}"{selected}>{esc(label)}'
                                   "</option>")  # fmt: skip
                parts.append(f"<select {common}>{''.join(options)}</select>")
            elif spec.kind == "textarea":
                parts.append(f'<textarea {common} rows="3">{esc(value)}</textarea>')
            else:
                kind = {"date": "date", "integer": "number", "decimal": "text"}.get(spec.kind,
                                                                                   "text")
                extra = ""
                if spec.kind == "integer":
                    extra = ' inputmode="numeric" step="1"'
                    if spec.minimum is not None:
                        extra += f' min="{spec.minimum}"'
                    if spec.maximum is not None:
                        extra += f' max="{spec.maximum}"'
                elif spec.kind == "decimal":
                    extra = ' inputmode="decimal"'
                parts.append(f'<input type="{kind}" {common} value="{esc(value)}"{extra}>')
        if spec.hint:
            parts.append(f'<p class="kb-calc__hint" id="{esc(hint_id)}">{esc(spec.hint)}</p>')
        parts.append(f'<p class="kb-calc__error" id="{esc(error_id)}" hidden></p></div>')
    if group is not None:
        parts.append("</fieldset>")
    return "".join(parts)
