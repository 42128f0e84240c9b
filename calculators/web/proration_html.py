"""HTML fragments of a proration scenario and its result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from calculators.domain import changes
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.change import ChangeResponse
from calculators.domain.contract_types.prorate import ProrateResponse
from calculators.web.html import Rendered, amount, esc
from calculators.wording.dates import long_date
from calculators.wording.units import interval_adjective


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
    whose rule applies, named by ``calculators.domain.changes`` (a plan move names the plan's
    kind)."""
    old, new = catalogue.plan(from_plan), catalogue.plan(to_plan)
    before, after = interval_adjective(from_interval), interval_adjective(to_interval)
    if old.id == new.id and from_interval == to_interval:
        what = f"add-ons on {old.name} ({before})"
    elif old.id == new.id:
        what = f"{old.name}: {before} to {after} billing"
    else:
        what = f"{old.name} ({before}) to {new.name} ({after})"
    words = {
        "upgrade": "Upgrade",
        "downgrade": "Downgrade",
        "monthly_to_annual": "Switch",
        "annual_to_monthly": "Switch",
    }
    word = words[changes.plan_move(old, new) or kind] if kind in words else "Change"
    return f"{word}: {what}, on {long_date(change_at)}"


def proration_result(
    response: ProrateResponse,
    catalogue: Catalogue,
    *,
    scenario: str,
    credit: ChangeResponse | None = None,
) -> Rendered:
    """A proration response; with ``credit`` (a ``change`` response), what a credit balance
    pays now and on the next invoice."""
    currency = response["currency"]

    def show(value: object) -> str:
        return amount(value, currency, catalogue)

    next_invoice = response["next_invoice"]
    next_text = f"{show(next_invoice['amount'])} on {long_date(next_invoice['date'])}"
    figures = {
        "due_now": show(response["due_now"]),
        "credit_to_balance": show(response["credit_to_balance"]),
        "next_invoice": next_text,
    }
    if Decimal(response["refund"]):
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
    if response["minimum_charge_deferred"]:
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
    lines = response["lines"]
    if not lines:
        parts.append(
            '<tr><td colspan="2">No prorated lines: nothing is charged or credited '
            "for this change now.</td></tr>"
        )
    for line in lines:
        parts.append(
            f'<tr data-kind="{esc(line["kind"])}"><td>'
            f"{esc(line['description'])}</td>"
            f'<td class="kb-num">{esc(show(line["amount"]))}</td></tr>'
        )
        text.append(f"{line['description']}: {show(line['amount'])}")
    parts.append("</tbody><tfoot>")
    totals = [
        ("Subtotal", response["subtotal"]),
        ("Tax", response["tax"]),
        ("Total", response["total"]),
    ]
    for label, value in totals:
        parts.append(
            f'<tr><th scope="row">{label}</th><td class="kb-num">{esc(show(value))}</td></tr>'
        )
    parts.append("</tfoot></table>")
    explanation = response["explanation"]
    if explanation:
        parts.append(
            '<details class="kb-calc__explanation"><summary>How this was calculated</summary><ol>'
        )
        parts.extend(f"<li>{esc(step)}</li>" for step in explanation)
        parts.append("</ol></details>")
    text.extend(f"{label}: {figures[key]}" for key, label in labels.items() if key in figures)
    return Rendered(html="".join(parts), figures=figures, text=text)


def _credit_figures(change: ChangeResponse, show: Callable[[object], str]) -> dict[str, str]:
    """Due today and the next invoice after the credit balance, and what is left of it."""
    following = change["next_invoice"]
    next_text = f"{show(following['due'])} on {long_date(following['date'])}"
    if Decimal(following["credit_applied"]):
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
