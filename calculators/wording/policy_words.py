"""The adjustment policy in a customer's words: one sentence per catalogue rule.

The help pages (through ``macros``) and the calculators' notices say what the catalogue's
``policy`` decides with these sentences, so a rule changed in the catalogue changes every page and
notice at once. Nothing here decides a rule: each sentence only reads one.
"""

from __future__ import annotations

from calculators.domain.catalogue import Catalogue

# What a resource above a lower limit does, per ``policy.over_limit.resources[].effect``: the
# restriction ({resource} is the resource's label in lower case) and what it means day to day.
OVER_LIMIT_EFFECTS = {
    "read_only": (
        "{resource} becomes read-only",
        "Everything you have stays and can be opened and downloaded, but nothing new can be added.",
    ),
    "throttled": (
        "{resource} above the limit is served at reduced speed",
        "Your sites stay online but load more slowly.",
    ),
    "capped": (
        "{resource} is held to the limit",
        "Your services keep running on less power, so builds and background jobs take longer.",
    ),
    "sign_in_blocked": (
        "people beyond the limit cannot sign in",
        "No member is removed, and the Owner and Billing admins can always sign in.",
    ),
    "no_new": (
        "no new {resource} can be created",
        "The existing ones keep running.",
    ),
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


def over_limit_restriction(catalogue: Catalogue, resource_id: str) -> str:
    """``storage becomes read-only``: the restriction on a resource above a lower limit."""
    rule = catalogue.policy.over_limit[resource_id]
    label = catalogue.resource(resource_id).label.lower()
    return OVER_LIMIT_EFFECTS[rule.effect][0].format(resource=label)


def over_limit_meaning(catalogue: Catalogue, resource_id: str) -> str:
    """``The existing ones keep running.``: what the restriction means day to day."""
    return OVER_LIMIT_EFFECTS[catalogue.policy.over_limit[resource_id].effect][1]


def over_limit_effect(catalogue: Catalogue, resource_id: str) -> str:
    """The restriction on a resource above a lower limit, and what it means, as sentences."""
    restriction = over_limit_restriction(catalogue, resource_id)
    meaning = over_limit_meaning(catalogue, resource_id)
    return (
        f"{restriction[0].upper()}{restriction[1:]} until usage is back under the limit or "
        f"the limit is raised. {meaning}"
    )


def over_limit_sentence(catalogue: Catalogue, resource_id: str) -> str:
    """``Storage, after a grace period of 14 days: storage becomes read-only until ...``"""
    label = catalogue.resource(resource_id).label
    effect = over_limit_effect(catalogue, resource_id)
    return f"{label}, {over_limit_when(catalogue, resource_id)}: {effect[0].lower()}{effect[1:]}"


def nothing_deleted(catalogue: Catalogue) -> str:
    if catalogue.policy.over_limit_deleted_data == "never":
        return "Nothing above a limit is deleted."
    return ""


def credit_use(catalogue: Catalogue) -> str:
    """What a credit balance pays for, and how it meets tax (``policy.credit_balance``)."""
    credit = catalogue.policy.credit
    uses = []
    if credit.reduces_due_now:
        uses.append("charges due at once when you make another change")
    if credit.reduces_next_invoice:
        uses.append("your next invoices")
    if not uses:
        paid = "It is paid out only on request."
    else:
        paid = f"It pays automatically for {', and for '.join(uses)}, until it is used up."
    taxed = (
        "It pays the total including tax."
        if credit.applied == "after_tax"
        else "It is taken off before tax is worked out, so you pay tax only on the rest."
    )
    expires = " It never expires." if credit.expires == "never" else ""
    return f"{paid} {taxed}{expires}"


def credit_refund(catalogue: Catalogue) -> str:
    credit = catalogue.policy.credit
    after = ""
    if catalogue.policy.refunds_after_window == "stays_on_balance":
        after = " After that it stays on your balance and keeps paying, but it is not refunded."
    return (
        f"You can ask for a credit to be refunded to your payment method within "
        f"{days(credit.refund_on_request_days)} of the change that created it.{after}"
    )


def declined_at_confirmation(catalogue: Catalogue, kind: str) -> str:
    """What a payment declined when a change of this kind is confirmed does."""
    policy = catalogue.policy
    rule = policy.failed_payment_declined_at_confirmation[kind]
    text = DECLINED_WORDS[rule]
    if rule == "applied_then_reverted":
        text += (
            f"; it is reverted if the invoice is still unpaid "
            f"{days(policy.failed_payment_upgrade_reverted_after_days)} after the change"
        )
    return text


def feature_end_kept(catalogue: Catalogue, feature_id: str) -> str:
    """What happens to a feature's data when the feature ends (``policy.feature_end``)."""
    end = catalogue.policy.feature_end[feature_id]
    if end.data is None:
        return "It holds no data of yours, so nothing is kept or deleted."
    if end.kept_days is None:
        return (
            f"We keep {end.data} while your account exists, and use them again if the "
            "feature comes back."
        )
    download = " You can download them until then." if end.exportable else ""
    return (
        f"We keep {end.data} for {days(end.kept_days)} after the feature ends, then delete "
        f"them.{download}"
    )


def tax_due_today(catalogue: Catalogue) -> str:
    """Whether "Due today" and the site's calculators include tax (``policy.tax``)."""
    policy = catalogue.policy
    basis = " and ".join(
        {"billing_address": "the country of your billing address", "tax_id": "your tax ID"}[b]
        for b in policy.tax.based_on
    )
    if policy.proration.tax is not None:
        return (
            f"Amounts on the **Review change** screen and in the calculators include tax, as "
            f"your invoice does. Tax depends on {basis}."
        )
    if policy.tax.due_today == "with_tax":
        return (
            "**Due today** on the **Review change** screen includes any sales tax or VAT: it "
            "is the amount your payment method is charged. The calculators on this site show "
            f"amounts before tax, because tax depends on {basis}, so **Due today** can be "
            "higher than the calculator by that tax."
        )
    return (
        "**Due today** on the **Review change** screen and the calculators on this site show "
        f"amounts before tax. Any sales tax or VAT is added on the invoice, from {basis}."
    )


def renewal_after_grace(catalogue: Catalogue) -> str:
    """What a renewal still unpaid at the end of the payment grace period does."""
    policy = catalogue.policy
    grace = days(policy.failed_payment_grace_period_days)
    if policy.failed_payment_renewal_after_grace == "suspended":
        return (
            f"If a renewal is still unpaid {grace} after it failed, the account is suspended: "
            "your sites stop serving and only billing can be changed, but nothing is deleted, "
            "and paying the invoice restores everything at once. An account still unpaid "
            f"{days(policy.failed_payment_closed_after_suspension_days)} after it was "
            "suspended is closed, as if it had been cancelled."
        )
    lowest = catalogue.self_serve_plans[0].name
    return (
        f"If a renewal is still unpaid {grace} after it failed, the account moves to the "
        f"{lowest} plan, and the over-limit rules apply to anything above its limits."
    )
