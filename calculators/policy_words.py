"""The adjustment policy in a customer's words: one sentence per catalogue rule.

The help pages (through ``macros``) and the calculators' notices say what the catalogue's
``policy`` decides with these sentences, so a rule changed in the catalogue changes every page and
notice at once. Nothing here decides a rule: each sentence only reads one.
"""

from __future__ import annotations

from calculators.catalogue import Catalogue

# What a resource above a lower limit does, per ``policy.over_limit.resources[].effect``.
# {resource} is the resource's label in lower case.
OVER_LIMIT_EFFECTS = {
    "read_only": (
        "{resource} becomes read-only: everything you have stays and can be opened and "
        "downloaded, but nothing new can be added"
    ),
    "throttled": (
        "{resource} above the limit is served at reduced speed: your sites stay online but load "
        "more slowly"
    ),
    "capped": (
        "{resource} is held to the limit: your services keep running on less power, so builds "
        "and background jobs take longer"
    ),
    "sign_in_blocked": (
        "people beyond the limit cannot sign in: no member is removed, and the Owner and "
        "Billing admins can always sign in"
    ),
    "no_new": "no new {resource} can be created: the existing ones keep running",
}

DECLINED_WORDS = {
    "applied_then_reverted": "the change still takes effect and the invoice is marked **Failed**",
    "not_applied": "the change is not made and nothing is charged",
}


def days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def over_limit_when(catalogue: Catalogue, resource_id: str) -> str:
    """From when a resource above a lower limit is restricted."""
    rule = catalogue.policy.over_limit[resource_id]
    if rule.starts == "at_change":
        return "from the day the lower limit applies"
    return f"after a grace period of {days(catalogue.policy.over_limit_grace_period_days)}"


def over_limit_effect(catalogue: Catalogue, resource_id: str) -> str:
    """What a resource above a lower limit does, as a clause."""
    rule = catalogue.policy.over_limit[resource_id]
    label = catalogue.resource(resource_id).label.lower()
    return OVER_LIMIT_EFFECTS[rule.effect].format(resource=label)


def over_limit_sentence(catalogue: Catalogue, resource_id: str) -> str:
    """``Storage: after a grace period of 14 days, storage becomes read-only: ...``"""
    label = catalogue.resource(resource_id).label
    when = over_limit_when(catalogue, resource_id)
    return (f"{label}: {when}, {over_limit_effect(catalogue, resource_id)}, until usage is back "
            "under the limit or the limit is raised.")  # fmt: skip


def nothing_deleted(catalogue: Catalogue) -> str:
    if catalogue.policy.over_limit_deleted_data == "never":
        return "Nothing above a limit is deleted."
    return ""


def credit_use(catalogue: Catalogue) -> str:
    """What a credit balance pays for, and how it meets tax (``policy.credit_balance``)."""
    credit = catalogue.policy.credit
    uses = []
    if credit.reduces_due_now:
        uses.append("what a later change makes due at once")
    if credit.reduces_next_invoice:
        uses.append("your next invoices")
    if not uses:
        paid = "It is paid out only on request."
    else:
        paid = f"It pays automatically for {' and then '.join(uses)}, until it is used up."
    taxed = ("It pays the total including tax." if credit.applied == "after_tax"
             else "It is taken off before tax is worked out, so you pay tax only on the rest.")
    expires = " It never expires." if credit.expires == "never" else ""
    return f"{paid} {taxed}{expires}"


def credit_refund(catalogue: Catalogue) -> str:
    credit = catalogue.policy.credit
    after = ""
    if catalogue.policy.refunds_after_window == "stays_on_balance":
        after = " After that it stays on your balance and keeps paying, but it is not refunded."
    return (f"You can ask for a credit to be refunded to your payment method within "
            f"{days(credit.refund_on_request_days)} of the change that created it.{after}")


def declined_at_confirmation(catalogue: Catalogue, kind: str) -> str:
    """What a payment declined when a change of this kind is confirmed does."""
    policy = catalogue.policy
    rule = policy.failed_payment_declined_at_confirmation[kind]
    text = DECLINED_WORDS[rule]
    if rule == "applied_then_reverted":
        text += (f"; it is reverted if the invoice is still unpaid "
                 f"{days(policy.failed_payment_upgrade_reverted_after_days)} after the change")
    return text
