"""The words of a change summary and a customer notice, as text and Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from calculators.domain import changes, periods
from calculators.domain.catalogue import Catalogue, Plan
from calculators.domain.contract_types.records import ChangeRecord
from calculators.domain.plans import plan_has_feature
from calculators.domain.records import Change, Side
from calculators.requests.records import DATE, UTC_TIME
from calculators.wording import policy_words
from calculators.wording.amounts import amount_shown
from calculators.wording.plans import units_text
from calculators.wording.units import billing_cadence


def format_instant(text: str) -> str:
    """ "2026-03-14" as "14 March 2026"; a UTC time adds "at 09:30 UTC"."""
    match = DATE.fullmatch(text) or UTC_TIME.fullmatch(text)
    if match is None:
        return text
    day = f"{int(match[3])} {periods.MONTH_NAMES[int(match[2]) - 1]} {match[1]}"
    if match.re is UTC_TIME:
        return f"{day} at {match[4]}:{match[5]} UTC"
    return day


def markdown_escape(text: str) -> str:
    """Text a person typed, safe inside Markdown: one line, no markup, no HTML."""
    flat = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", flat)


def _side_words(side: Side) -> str:
    quantity = f", quantity {side.quantity}" if side.quantity != 1 else ""
    return f"{markdown_escape(side.plan.name)} ({billing_cadence(side.interval)}{quantity})"


def change_summary(entry: ChangeRecord, change: Change, catalogue: Catalogue) -> str:
    currency = change.currency
    p = change.proration
    reason = entry["reason"]
    why = reason["label"] + (f": {markdown_escape(reason['text'])}" if reason["text"] else "")
    kind = entry["kind"].replace("_", " ")
    lines = [
        f"**Plan change `{entry['id']}`**: {kind}, {_side_words(change.before)} to "
        f"{_side_words(change.after)}, effective {format_instant(change.effective)}.",
        "",
        f"- Account: {markdown_escape(entry['account'])}",
        f"- Requested by: {markdown_escape(entry['requested_by']['name'])} "
        f"({markdown_escape(entry['requested_by']['role'])})",
        f"- Reason: {why}",
        f"- Due now: {amount_shown(catalogue, p.amounts['due_now'], currency)}; credit to balance: "
        f"{amount_shown(catalogue, p.amounts['credit_to_balance'], currency)}; refund: "
        f"{amount_shown(catalogue, p.amounts['refund'], currency)}",
    ]
    if p.next_invoice is not None:
        lines.append(
            f"- Next invoice: {format_instant(p.next_invoice[0])}, "
            f"{amount_shown(catalogue, p.next_invoice[1], currency)}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class _Section:
    heading: str | None
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


def notice_sections(change: Change, kind: str, catalogue: Catalogue) -> list[_Section]:
    before, after = change.before, change.after
    currency = change.currency
    p = change.proration

    def show(amount: Decimal) -> str:
        return amount_shown(catalogue, amount, currency)

    opening = (
        f"Your {catalogue.company.product} plan changes from {before.plan.name} to "
        f"{after.plan.name} on {format_instant(change.effective)}."
    )
    if before.interval != after.interval:
        opening += (
            f" Billing changes from {billing_cadence(before.interval)} to "
            f"{billing_cadence(after.interval)}."
        )
    sections = [_Section(None, ("Hello,", opening))]

    pay = []
    due = p.amounts["due_now"]
    pay.append(f"Charged now: {show(due)}." if due > 0 else "Nothing is charged now.")
    if p.deferred:
        pay.append(
            "The charge for this change is below our minimum charge, so it is added to "
            "your next invoice instead."
        )
    if p.amounts["credit_to_balance"] > 0:
        pay.append(
            f"Added to your account credit: {show(p.amounts['credit_to_balance'])}. "
            f"{policy_words.credit_use(catalogue)}"
        )
    if p.amounts["refund"] > 0:
        pay.append(f"Refunded to your payment method: {show(p.amounts['refund'])}.")
    if p.amounts["tax"] != 0:
        pay.append(f"Tax included in this change: {show(p.amounts['tax'])}.")
    if p.next_invoice is not None:
        pay.append(
            f"Your next invoice, on {format_instant(p.next_invoice[0])}: {show(p.next_invoice[1])}."
        )
    sections.append(_Section("What you pay", bullets=tuple(pay)))
    if p.lines:
        sections.append(
            _Section(
                "How this is worked out",
                bullets=tuple(f"{line.description}: {show(line.amount)}" for line in p.lines),
            )
        )

    gains, losses = _differences(before.plan, after.plan, catalogue)
    if gains:
        sections.append(_Section("What you gain", bullets=tuple(gains)))
    if losses:
        sections.append(_Section("What you lose", bullets=tuple(losses)))
    lowered = [
        r.id
        for r in catalogue.resources
        if _lowered(before.plan.limits.get(r.id), after.plan.limits.get(r.id))
    ]
    if kind == changes.DOWNGRADE and lowered:
        kept = policy_words.nothing_deleted(catalogue)
        sections.append(
            _Section(
                "Usage above the new limits",
                (kept,) if kept else (),
                tuple(policy_words.over_limit_sentence(catalogue, rid) for rid in lowered),
            )
        )
    company = catalogue.company
    sections.append(
        _Section(
            None,
            (
                f"Questions? Reply to this message or write to {company.support_email}.",
                f"The {company.name} team",
            ),
        )
    )
    return sections


def _lowered(old: int | None, new: int | None) -> bool:
    """A limit that goes down (``None`` is a limit set by contract, above every number)."""
    return new is not None and (old is None or new < old)


def _differences(before: Plan, after: Plan, catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """What the new plan adds and takes away, in words, from the catalogue."""
    gains: list[str] = []
    losses: list[str] = []
    for resource in catalogue.resources:
        old, new = before.limits.get(resource.id), after.limits.get(resource.id)
        if old == new:
            continue
        old_text = "set by contract" if old is None else units_text(catalogue, resource.id, old)
        new_text = "set by contract" if new is None else units_text(catalogue, resource.id, new)
        line = f"{resource.label}: {old_text} \N{RIGHTWARDS ARROW} {new_text}"
        (gains if new is None or (old is not None and new > old) else losses).append(line)
    for fid, feature in catalogue.features.items():
        had = plan_has_feature(catalogue, before, fid)
        has = plan_has_feature(catalogue, after, fid)
        if has and not had:
            gains.append(feature.label)
        elif had and not has:
            losses.append(feature.label)
    old_level = catalogue.support_level(before.support)
    new_level = catalogue.support_level(after.support)
    if old_level.id != new_level.id:
        line = (
            f"Support: {_support_words(old_level.id, catalogue)} \N{RIGHTWARDS ARROW} "
            f"{_support_words(new_level.id, catalogue)}"
        )
        (gains if new_level.rank > old_level.rank else losses).append(line)
    return gains, losses


def _support_words(level_id: str, catalogue: Catalogue) -> str:
    level = catalogue.support_level(level_id)
    if level.first_response_hours is None:
        return level.label
    hours = level.first_response_hours
    return f"{level.label} (first reply within {hours} hour{'s' if hours != 1 else ''})"


def render_text(sections: Sequence[_Section]) -> str:
    blocks = []
    for section in sections:
        parts = list(section.paragraphs)
        if section.bullets:
            parts.append("\n".join(f"- {item}" for item in section.bullets))
        body = "\n\n".join(parts)
        blocks.append(f"{section.heading}\n{body}" if section.heading else body)
    return "\n\n".join(blocks) + "\n"


def render_markdown(sections: Sequence[_Section]) -> str:
    blocks = []
    for section in sections:
        if section.heading:
            blocks.append(f"### {section.heading}")
        blocks.extend(markdown_escape(paragraph) for paragraph in section.paragraphs)
        if section.bullets:
            blocks.append("\n".join(f"- {markdown_escape(item)}" for item in section.bullets))
    return "\n\n".join(blocks) + "\n"
