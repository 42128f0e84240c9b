"""HTML fragments of the comparison, growth, add-on and record results."""

from __future__ import annotations

from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.addons import AddonsResponse
from calculators.domain.contract_types.compare import CompareResponse
from calculators.domain.contract_types.growth import GrowthResponse
from calculators.web.html import STATUS_WORDS, Rendered, _figure, _spare, amount, esc
from calculators.web.widget_requests import RecordResult
from calculators.wording.units import per_interval


def comparison_result(response: CompareResponse, catalogue: Catalogue) -> Rendered:
    currency = response["currency"]
    interval = response["interval"]
    per = per_interval(interval)
    recommendation = response["recommendation"]
    # No plan at all when nothing covers the needs, not even through the sales team.
    plan_name = recommendation["name"] or "—"
    total = recommendation["total"]
    if recommendation["contact_sales"]:
        total_text = "Priced by contract"
    elif total is None:
        total_text = "—"
    else:
        total_text = f"{amount(total, currency, catalogue)} {per}"
    figures = {"recommended_plan": plan_name, "recommended_total": total_text}
    parts = [
        '<dl class="kb-figures">',
        _figure("recommended_plan", "Recommended", plan_name),
        _figure("recommended_total", "Cost", total_text),
        "</dl>",
    ]
    text = [f"Recommended: {plan_name} ({total_text})"]
    reason = recommendation["reason"]
    parts.append(f'<p class="kb-calc__reason">{esc(reason)}</p>')
    text.append(reason)
    saving = response["addons_vs_upgrade"]
    if saving is not None:
        parts.append(f'<p class="kb-calc__note">{esc(saving["text"])}</p>')
        text.append(saving["text"])
    change = response["change"]
    if change is not None:
        parts.append(f'<p class="kb-calc__note" data-field="change">{esc(change["summary"])}</p>')
        text.append(change["summary"])
    parts.append(
        '<table class="kb-compare"><caption>Every plan against what you need</caption>'
        '<thead><tr><th scope="col">Plan</th><th scope="col">Fit</th>'
        f'<th scope="col" class="kb-num">Cost {per}</th>'
        '<th scope="col">Add-ons needed</th><th scope="col">Notes</th></tr></thead>'
        "<tbody>"
    )
    for plan in response["plans"]:
        cost = plan["cost"]
        cost_text = (
            "By contract"
            if not plan["self_serve"]
            else "—"
            if cost is None
            else amount(cost["total"], currency, catalogue)
        )
        addons = ", ".join(f"{a['quantity']} × {a['name']}" for a in plan["addons"])
        notes = " ".join(plan["shortfalls"])
        if not notes and plan["fits"]:
            headroom = [
                _spare(r) for r in plan["resources"] if r["headroom"] is not None and r["need"]
            ]
            notes = ("Room to spare: " + ", ".join(headroom)) if headroom else ""
        marker = ' data-recommended="true"' if plan["plan"] == recommendation["plan"] else ""
        parts.append(
            f'<tr{marker}><th scope="row">{esc(plan["name"])}</th>'
            f"<td>{esc(STATUS_WORDS.get(plan['status'], ''))}</td>"
            f'<td class="kb-num">{esc(cost_text)}</td><td>{esc(addons or "—")}</td>'
            f"<td>{esc(notes)}</td></tr>"
        )
    parts.append("</tbody></table>")
    return Rendered(html="".join(parts), figures=figures, text=text)


def growth_result(response: GrowthResponse, catalogue: Catalogue, *, chart: str) -> Rendered:
    from calculators.web.growth_chart import render_chart_svg

    currency = response["currency"]
    recommendation = response["recommendation"]
    months = response["horizon_months"]
    plan_id = recommendation["plan"]
    plan_name = catalogue.plan(plan_id).name if plan_id else "—"
    total = recommendation["total"]
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
    # Under contact sales the reason begins with why and from which month.
    parts.append(f'<p class="kb-calc__reason">{esc(recommendation["reason"])}</p>')
    text.append(recommendation["reason"])
    parts.append(
        f'<figure class="kb-chart-figure">{render_chart_svg(response, resource=chart)}</figure>'
    )
    paths = response["paths"]
    if paths:
        parts.append(
            '<table class="kb-paths"><caption>Ways to cover your growth</caption>'
            '<thead><tr><th scope="col">Path</th><th scope="col" class="kb-num">Total'
            '</th><th scope="col" class="kb-num">More than the cheapest</th></tr>'
            "</thead><tbody>"
        )
        for path in paths:
            if not path["feasible"]:
                continue
            parts.append(
                f"<tr><td>{esc(path['description'])}</td>"
                f'<td class="kb-num">{esc(amount(path["total"], currency, catalogue))}'
                '</td><td class="kb-num">'
                f"{esc(amount(path['more_than_cheapest'], currency, catalogue))}"
                "</td></tr>"
            )
        parts.append("</tbody></table>")
    return Rendered(html="".join(parts), figures=figures, text=text)


def addons_result(response: AddonsResponse, catalogue: Catalogue) -> Rendered:
    currency = response["currency"]
    interval = response["interval"]
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
    for line in response["lines"]:
        shown = amount(line["amount"], currency, catalogue)
        parts.append(
            f"<tr><td>{esc(line['name'])}</td><td>{esc(line['grants'])}"
            f'</td><td class="kb-num">{esc(line["quantity"])}</td>'
            f'<td class="kb-num">{esc(shown)}</td></tr>'
        )
        text.append(f"{line['name']} × {line['quantity']}: {shown}")
    parts.append("</tbody></table>")
    limits = response["limits"]
    if limits:
        summary = ", ".join(
            f"{r['label']} {r['total']:,} {r['unit']}" for r in limits if r["total"] is not None
        )
        parts.append(f'<p class="kb-calc__note">Your limits with these add-ons: {esc(summary)}</p>')
    return Rendered(html="".join(parts), figures=figures, text=text)


def record_result(response: RecordResult, catalogue: Catalogue) -> Rendered:
    record = response["record"]
    notice = response["notice"]
    proration = response["proration"]
    currency = proration["currency"]
    due = amount(proration["due_now"], currency, catalogue)
    figures = {"record_id": record["record"]["id"], "due_now": due}
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
    text = [record["summary_markdown"]]
    if notice is not None:
        figures["notice_subject"] = notice["subject"]
        parts.extend(
            [
                '<h4 class="kb-calc__subtitle">Draft notice to the customer</h4>',
                f'<p data-field="notice_subject"><strong>{esc(notice["subject"])}</strong></p>',
                f'<pre class="kb-calc__text" data-field="notice_body">{esc(notice["body_text"])}'
                "</pre>",
            ]
        )
    return Rendered(html="".join(parts), figures=figures, text=text)


def growth_months_table(response: GrowthResponse, catalogue: Catalogue) -> str:
    """Month-by-month usage of the resources that are in use, as projected."""
    used = [
        r
        for r in response["resources"]
        if any(m["usage"].get(r["resource"]) for m in response["months"])
    ]
    header = "".join(
        f'<th scope="col" class="kb-num">{esc(r["label"])} ({esc(r["unit"])})</th>' for r in used
    )
    rows = []
    for month in response["months"]:
        label = "Today" if month["month"] == 0 else f"Month {month['month']}"
        cells = "".join(f'<td class="kb-num">{month["usage"][r["resource"]]:,}</td>' for r in used)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    return (
        '<table class="kb-growth"><caption>Projected usage, month by month</caption>'
        f'<thead><tr><th scope="col">Month</th>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
