"""HTML fragments of calculator results, shared by the build and the browser.

The same function renders a result at build time (CPython, prerendered into the page) and in the
Web Worker (Pyodide, swapped in live), so both are byte-identical. Every value from a request or
a catalogue is escaped; nothing here trusts its input.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from calculators import changes, money, periods
from calculators.catalogue import Catalogue

INTERVAL_NOUNS: Final = {"day": "daily", "week": "weekly", "month": "monthly", "year": "annual"}


@dataclass(frozen=True)
class Rendered:
    """A result's HTML, its headline figures as displayed, and plain-text lines."""

    html: str
    figures: dict[str, str]
    text: list[str]


def esc(value: object) -> str:
    """Text or attribute value for HTML. Line breaks become character references too: HTML shows
    them the same, and no catalogue text can start a Markdown line in the page around it."""
    return html.escape(str(value), quote=True).translate(_LINE_BREAKS)


_LINE_BREAKS: Final = str.maketrans({"\n": "&#10;", "\r": "&#13;"})


# In a <script> element the HTML parser ends the script at "</script" and changes state at
# "<!--"; as \u escapes these characters mean the same to JSON and to JavaScript.
_SCRIPT_UNSAFE: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    """``value`` as compact JSON that can sit inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_UNSAFE)


def long_date(value: date | str) -> str:
    """ "1 Apr 2026", as the invoice lines write it (``periods.format_human``)."""
    day = value if isinstance(value, date) else periods.parse_instant(str(value))
    return periods.format_human(day)


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
    """ "Upgrade: Team (monthly) to Business (monthly), on 14 Mar 2026"; ``kind`` is the kind
    whose rule applies, named by ``calculators.changes`` (a plan move names the plan's kind)."""
    old, new = catalogue.plan(from_plan), catalogue.plan(to_plan)
    if old.id == new.id and from_interval == to_interval:
        what = f"add-ons on {old.name} ({INTERVAL_NOUNS[from_interval]})"
    elif old.id == new.id:
        what = (
            f"{old.name}: {INTERVAL_NOUNS[from_interval]} to {INTERVAL_NOUNS[to_interval]} billing"
        )
    else:
        what = (
            f"{old.name} ({INTERVAL_NOUNS[from_interval]}) to {new.name} "
            f"({INTERVAL_NOUNS[to_interval]})"
        )
    words = {
        "upgrade": "Upgrade",
        "downgrade": "Downgrade",
        "monthly_to_annual": "Switch",
        "annual_to_monthly": "Switch",
    }
    word = words[changes.plan_move(old, new) or kind] if kind in words else "Change"
    return f"{word}: {what}, on {long_date(change_at)}"


def proration_result(
    response: Mapping[str, Any],
    catalogue: Catalogue,
    *,
    scenario: str,
    credit: Mapping[str, Any] | None = None,
) -> Rendered:
    """A proration response; with ``credit`` (a ``change`` response), what a credit balance
    pays now and on the next invoice."""
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
    if credit is not None:
        figures.update(_credit_figures(credit, show))

    parts = [f'<p class="kb-calc__scenario">{esc(scenario)}</p>', '<dl class="kb-figures">']
    labels = {
        "due_now": "Due today",
        "credit_applied": "Paid from your credit balance",
        "credit_to_balance": "Credit to your balance",
        "refund": "Refund",
        "next_invoice": "Next invoice",
        "credit_balance_after": "Credit balance after the change",
    }
    for key in labels:
        if key in figures:
            parts.append(
                f'<div class="kb-figure"><dt>{labels[key]}</dt>'
                f'<dd data-field="{key}">{esc(figures[key])}</dd></div>'
            )
    parts.append("</dl>")
    deferred = response.get("minimum_charge_deferred")
    if deferred:
        parts.append(
            '<p class="kb-calc__note">This charge is below the minimum we invoice on its '
            "own, so it is added to your next invoice instead of being charged today."
            "</p>"
        )

    parts.append(
        '<table class="kb-invoice"><caption>Invoice preview</caption><thead><tr>'
        '<th scope="col">Line</th><th scope="col" class="kb-num">Amount</th></tr>'
        "</thead><tbody>"
    )
    text = [scenario]
    lines: Sequence[Mapping[str, Any]] = response.get("lines", []) or []
    if not lines:
        parts.append(
            '<tr><td colspan="2">No prorated lines: nothing is charged or credited '
            "for this change now.</td></tr>"
        )
    for line in lines:
        parts.append(
            f'<tr data-kind="{esc(line.get("kind", ""))}"><td>'
            f"{esc(line.get('description', ''))}</td>"
            f'<td class="kb-num">{esc(show(line["amount"]))}</td></tr>'
        )
        text.append(f"{line.get('description', '')}: {show(line['amount'])}")
    parts.append("</tbody><tfoot>")
    totals = [
        ("Subtotal", response.get("subtotal")),
        ("Tax", response.get("tax")),
        ("Total", response.get("total")),
    ]
    for label, value in totals:
        if value is None:
            continue
        parts.append(
            f'<tr><th scope="row">{label}</th><td class="kb-num">{esc(show(value))}</td></tr>'
        )
    parts.append("</tfoot></table>")
    explanation: Sequence[str] = response.get("explanation", []) or []
    if explanation:
        parts.append(
            '<details class="kb-calc__explanation"><summary>How this was calculated</summary><ol>'
        )
        parts.extend(f"<li>{esc(step)}</li>" for step in explanation)
        parts.append("</ol></details>")
    text.extend(f"{label}: {figures[key]}" for key, label in labels.items() if key in figures)
    return Rendered(html="".join(parts), figures=figures, text=text)


def _credit_figures(change: Mapping[str, Any], show: Any) -> dict[str, str]:
    """Due today and the next invoice after the credit balance, and what is left of it."""
    following = change["next_invoice"]
    next_text = f"{show(following['due'])} on {long_date(following['date'])}"
    if Decimal(str(following["credit_applied"])):
        next_text += (
            f" ({show(following['amount'])} less {show(following['credit_applied'])} "
            "from your credit balance)"
        )
    return {
        "due_now": show(change["due_now"]),
        "credit_applied": show(change["credit_applied"]),
        "next_invoice": next_text,
        "credit_balance_after": show(change["credit_balance_after"]),
    }


def form_fields_html(widget_id: str, fields: Sequence[Any], values: Mapping[str, str]) -> str:
    """The form controls of a widget, labelled, each with its error slot."""
    parts = []
    group = None
    for spec in fields:
        if spec.group != group:
            if group is not None:
                parts.append("</fieldset>")
            group = spec.group
            parts.append(
                f'<fieldset class="kb-calc__group"><legend>{esc(group)}</legend>'
                if group
                else '<fieldset class="kb-calc__group">'
            )
        control_id = f"{widget_id}-{spec.name}"
        error_id = f"{control_id}-error"
        hint_id = f"{control_id}-hint"
        described = error_id + (f" {hint_id}" if spec.hint else "")
        value = values.get(spec.name, "")
        common = (
            f'id="{esc(control_id)}" name="{esc(spec.name)}" aria-describedby="{esc(described)}"'
        )
        parts.append(f'<div class="kb-calc__field" data-field-name="{esc(spec.name)}">')
        if spec.kind == "multi":
            chosen = {v for v in value.split(",") if v}
            parts.append(
                f'<fieldset class="kb-calc__checks" id="{esc(control_id)}" '
                f'aria-describedby="{esc(described)}" data-multi="{esc(spec.name)}">'
                f"<legend>{esc(spec.label)}</legend>"
            )
            for option, label in spec.options:
                checked = " checked" if option in chosen else ""
                parts.append(
                    f'<label><input type="checkbox" name="{esc(spec.name)}" '
                    f'value="{esc(option)}"{checked}> {esc(label)}</label>'
                )
            parts.append("</fieldset>")
        else:
            parts.append(f'<label for="{esc(control_id)}">{esc(spec.label)}</label>')
            if spec.kind == "select":
                options = []
                if not spec.required:
                    options.append('<option value="">None</option>')
                for option, label in spec.options:
                    selected = " selected" if option == value else ""
                    options.append(f'<option value="{esc(option)}"{selected}>{esc(label)}</option>')
                parts.append(f"<select {common}>{''.join(options)}</select>")
            elif spec.kind == "textarea":
                parts.append(f'<textarea {common} rows="3">{esc(value)}</textarea>')
            else:
                kind = {"date": "date", "integer": "number", "decimal": "text"}.get(
                    spec.kind, "text"
                )
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


# --------------------------------------------------------------------------------------------
# Plan comparison


STATUS_WORDS: Final = {
    "fits": "Fits",
    "fits_with_addons": "Fits with add-ons",
    "does_not_fit": "Does not fit",
    "contact_sales": "Contact sales",
}


def _figure(key: str, label: str, value: str) -> str:
    return (
        f'<div class="kb-figure"><dt>{esc(label)}</dt><dd data-field="{esc(key)}">'
        f"{esc(value)}</dd></div>"
    )


def _spare(resource: Mapping[str, Any]) -> str:
    """ "50 GB of storage", "12 team seats": a counted unit its label names is not repeated."""
    label, unit = str(resource["label"]).lower(), str(resource["unit"])
    spare = resource["headroom"]
    if unit.lower() in label:
        return f"{spare:,} {label}"
    return f"{spare:,} {unit} of {label}"


def comparison_result(response: Mapping[str, Any], catalogue: Catalogue) -> Rendered:
    currency = str(response["currency"])
    interval = str(response["interval"])
    per = "a month" if interval == "month" else "a year"
    recommendation = response.get("recommendation") or {}
    plan_name = str(recommendation.get("name", "—"))
    if recommendation.get("contact_sales"):
        total_text = "Priced by contract"
    else:
        total_text = f"{amount(recommendation.get('total', '0'), currency, catalogue)} {per}"
    figures = {"recommended_plan": plan_name, "recommended_total": total_text}
    parts = [
        '<dl class="kb-figures">',
        _figure("recommended_plan", "Recommended", plan_name),
        _figure("recommended_total", "Cost", total_text),
        "</dl>",
    ]
    text = [f"Recommended: {plan_name} ({total_text})"]
    reason = recommendation.get("reason")
    if reason:
        parts.append(f'<p class="kb-calc__reason">{esc(reason)}</p>')
        text.append(str(reason))
    saving = response.get("addons_vs_upgrade")
    if saving and saving.get("text"):
        parts.append(f'<p class="kb-calc__note">{esc(saving["text"])}</p>')
        text.append(str(saving["text"]))
    change = response.get("change")
    if change and change.get("summary"):
        parts.append(f'<p class="kb-calc__note" data-field="change">{esc(change["summary"])}</p>')
        text.append(str(change["summary"]))
    parts.append(
        '<table class="kb-compare"><caption>Every plan against what you need</caption>'
        '<thead><tr><th scope="col">Plan</th><th scope="col">Fit</th>'
        f'<th scope="col" class="kb-num">Cost {per}</th>'
        '<th scope="col">Add-ons needed</th><th scope="col">Notes</th></tr></thead>'
        "<tbody>"
    )
    for plan in response.get("plans", []) or []:
        cost = plan.get("cost")
        cost_text = (
            "By contract"
            if not plan.get("self_serve")
            else "—"
            if not cost
            else amount(cost[interval], currency, catalogue)
        )
        addons = ", ".join(f"{a['quantity']} × {a['name']}" for a in plan.get("addons") or [])
        notes = " ".join(plan.get("shortfalls") or [])
        if not notes and plan.get("fits"):
            headroom = [
                _spare(r)
                for r in plan.get("resources") or []
                if r.get("headroom") is not None and r.get("need")
            ]
            notes = ("Room to spare: " + ", ".join(headroom)) if headroom else ""
        marker = (
            ' data-recommended="true"' if plan.get("plan") == recommendation.get("plan") else ""
        )
        parts.append(
            f'<tr{marker}><th scope="row">{esc(plan.get("name", ""))}</th>'
            f"<td>{esc(STATUS_WORDS.get(str(plan.get('status')), ''))}</td>"
            f'<td class="kb-num">{esc(cost_text)}</td><td>{esc(addons or "—")}</td>'
            f"<td>{esc(notes)}</td></tr>"
        )
    parts.append("</tbody></table>")
    return Rendered(html="".join(parts), figures=figures, text=text)


# --------------------------------------------------------------------------------------------
# Growth


def growth_result(response: Mapping[str, Any], catalogue: Catalogue, *, chart: str) -> Rendered:
    from calculators.growth import render_chart_svg

    currency = str(response["currency"])
    recommendation = response.get("recommendation") or {}
    months = int(response.get("horizon_months", 0))
    contact = response.get("contact_sales")
    plan_id = recommendation.get("plan")
    plan_name = catalogue.plan(str(plan_id)).name if plan_id else "—"
    total = recommendation.get("total")
    total_text = (
        f"{amount(total, currency, catalogue)} over {months} months" if total is not None else "—"
    )
    figures = {"recommended_plan": plan_name, "path_total": total_text}
    parts = [
        '<dl class="kb-figures">',
        _figure("recommended_plan", "Plan to end on", plan_name),
        _figure("path_total", "Cheapest path", total_text),
        "</dl>",
    ]
    text = [f"Plan to end on: {plan_name}", f"Cheapest path: {total_text}"]
    for key in ("text", "reason", "description"):
        if recommendation.get(key):
            parts.append(f'<p class="kb-calc__reason">{esc(recommendation[key])}</p>')
            text.append(str(recommendation[key]))
            break
    if contact and contact.get("text"):
        parts.append(f'<p class="kb-calc__note">{esc(contact["text"])}</p>')
        text.append(str(contact["text"]))
    parts.append(
        f'<figure class="kb-chart-figure">{render_chart_svg(response, resource=chart)}</figure>'
    )
    paths = response.get("paths") or []
    if paths:
        parts.append(
            '<table class="kb-paths"><caption>Ways to cover your growth</caption>'
            '<thead><tr><th scope="col">Path</th><th scope="col" class="kb-num">Total'
            '</th><th scope="col" class="kb-num">More than the cheapest</th></tr>'
            "</thead><tbody>"
        )
        for path in paths:
            if not path.get("feasible"):
                continue
            parts.append(
                f"<tr><td>{esc(path.get('description', ''))}</td>"
                f'<td class="kb-num">{esc(amount(path["total"], currency, catalogue))}'
                '</td><td class="kb-num">'
                f"{esc(amount(path.get('more_than_cheapest', '0'), currency, catalogue))}"
                "</td></tr>"
            )
        parts.append("</tbody></table>")
    return Rendered(html="".join(parts), figures=figures, text=text)


# --------------------------------------------------------------------------------------------
# Add-ons


def addons_result(response: Mapping[str, Any], catalogue: Catalogue) -> Rendered:
    currency = str(response["currency"])
    interval = str(response["interval"])
    per = "a month" if interval == "month" else "a year"
    total = f"{amount(response['total'], currency, catalogue)} {per}"
    figures = {"total": total}
    parts = [
        '<dl class="kb-figures">',
        _figure("total", "Recurring total", total),
        "</dl>",
        '<table class="kb-invoice"><caption>Itemised</caption><thead><tr>'
        '<th scope="col">Item</th><th scope="col">Gives</th>'
        '<th scope="col" class="kb-num">Quantity</th>'
        '<th scope="col" class="kb-num">Amount</th></tr></thead><tbody>',
    ]
    text = [f"Recurring total: {total}"]
    for line in response.get("lines", []) or []:
        shown = amount(line["amount"], currency, catalogue)
        parts.append(
            f"<tr><td>{esc(line.get('name', ''))}</td><td>{esc(line.get('grants', ''))}"
            f'</td><td class="kb-num">{esc(line.get("quantity", ""))}</td>'
            f'<td class="kb-num">{esc(shown)}</td></tr>'
        )
        text.append(f"{line.get('name', '')} × {line.get('quantity', '')}: {shown}")
    parts.append("</tbody></table>")
    limits = response.get("limits") or []
    if limits:
        summary = ", ".join(
            f"{r['label']} {r['total']:,} {r['unit']}" for r in limits if r.get("total") is not None
        )
        parts.append(f'<p class="kb-calc__note">Your limits with these add-ons: {esc(summary)}</p>')
    return Rendered(html="".join(parts), figures=figures, text=text)


# --------------------------------------------------------------------------------------------
# Change record and notice


def record_result(response: Mapping[str, Any], catalogue: Catalogue) -> Rendered:
    record = response["record"]
    notice = response.get("notice") or {}
    proration = response["proration"]
    currency = str(proration["currency"])
    due = amount(proration["due_now"], currency, catalogue)
    figures = {"record_id": str(record["record"]["id"]), "due_now": due}
    parts = [
        '<dl class="kb-figures">',
        _figure("record_id", "Record", figures["record_id"]),
        _figure("due_now", "Due today", due),
        "</dl>",
        '<h4 class="kb-calc__subtitle">Summary for the ticket</h4>',
        f'<pre class="kb-calc__text" data-field="summary_markdown">'
        f"{esc(record['summary_markdown'])}</pre>",
        '<h4 class="kb-calc__subtitle">Spreadsheet row (CSV)</h4>',
        f'<pre class="kb-calc__text" data-field="csv">{esc(record["csv_header"])}\n'
        f"{esc(record['csv_row'])}</pre>",
    ]
    text = [str(record["summary_markdown"])]
    if notice:
        figures["notice_subject"] = str(notice["subject"])
        parts.extend(
            [
                '<h4 class="kb-calc__subtitle">Draft notice to the customer</h4>',
                f'<p data-field="notice_subject"><strong>{esc(notice["subject"])}</strong></p>',
                f'<pre class="kb-calc__text" data-field="notice_body">{esc(notice["body_text"])}'
                "</pre>",
            ]
        )
    return Rendered(html="".join(parts), figures=figures, text=text)


def growth_months_table(response: Mapping[str, Any], catalogue: Catalogue) -> str:
    """Month-by-month usage of the resources that are in use, as projected."""
    used = [
        r
        for r in response.get("resources", []) or []
        if any(m["usage"].get(r["resource"]) for m in response.get("months", []) or [])
    ]
    header = "".join(
        f'<th scope="col" class="kb-num">{esc(r["label"])} ({esc(r["unit"])})</th>' for r in used
    )
    rows = []
    for month in response.get("months", []) or []:
        label = "Today" if month["month"] == 0 else f"Month {month['month']}"
        cells = "".join(f'<td class="kb-num">{month["usage"][r["resource"]]:,}</td>' for r in used)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    return (
        '<table class="kb-growth"><caption>Projected usage, month by month</caption>'
        f'<thead><tr><th scope="col">Month</th>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
