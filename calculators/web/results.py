"""HTML fragments of the comparison, growth, add-on and record results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calculators.domain.catalogue import Catalogue
from calculators.web.html import STATUS_WORDS, Rendered, _figure, _spare, amount, esc
from calculators.wording.units import per_interval


def comparison_result(response: Mapping[str, Any], catalogue: Catalogue) -> Rendered:
    currency = str(response["currency"])
    interval = str(response["interval"])
    per = per_interval(interval)
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


def growth_result(response: Mapping[str, Any], catalogue: Catalogue, *, chart: str) -> Rendered:
    from calculators.web.growth_chart import render_chart_svg

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


def addons_result(response: Mapping[str, Any], catalogue: Catalogue) -> Rendered:
    currency = str(response["currency"])
    interval = str(response["interval"])
    per = per_interval(interval)
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
