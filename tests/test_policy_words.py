"""The policy in words: each sentence follows the catalogue's rule, not a fixed text."""

from __future__ import annotations

import copy
import dataclasses

from calculators.domain.catalogue import Catalogue
from calculators.domain.policy import CreditPolicy, OverLimitRule
from calculators.wording import policy_words


def with_policy(catalogue: Catalogue, **changes: object) -> Catalogue:
    policy = dataclasses.replace(catalogue.policy, **changes)
    return dataclasses.replace(copy.copy(catalogue), policy=policy)


def test_over_limit_sentences_follow_each_resource_rule(catalogue: Catalogue) -> None:
    grace = catalogue.policy.over_limit_grace_period_days
    for resource in catalogue.resources:
        rule = catalogue.policy.over_limit[resource.id]
        sentence = policy_words.over_limit_sentence(catalogue, resource.id)
        assert sentence.startswith(resource.label)
        assert (f"{grace} days" in sentence) == (rule.starts == "after_grace")
    rules = dict(catalogue.policy.over_limit)
    rules["storage"] = OverLimitRule(starts="at_change", effect="no_new")
    changed = with_policy(catalogue, over_limit=rules)
    sentence = policy_words.over_limit_sentence(changed, "storage")
    assert "from the day the lower limit applies" in sentence
    assert "no new storage can be created" in sentence


def test_credit_sentences_follow_the_credit_policy(catalogue: Catalogue) -> None:
    credit = catalogue.policy.credit
    words = policy_words.credit_use(catalogue)
    assert ("charges due at once" in words) == credit.reduces_due_now
    assert ("your next invoices" in words) == credit.reduces_next_invoice
    only_invoices = CreditPolicy(
        reduces_due_now=False,
        reduces_next_invoice=True,
        applied="before_tax",
        refund_on_request_days=10,
        expires="never",
    )
    changed = with_policy(catalogue, credit=only_invoices)
    words = policy_words.credit_use(changed)
    assert "charges due at once" not in words
    assert "before tax is worked out" in words
    assert "within 10 days" in policy_words.credit_refund(changed)


def test_feature_end_sentences_name_the_time_kept(catalogue: Catalogue) -> None:
    for feature_id, end in catalogue.policy.feature_end.items():
        kept = policy_words.feature_end_kept(catalogue, feature_id)
        if end.kept_days is not None:
            assert f"{end.kept_days} days" in kept
        assert ("download" in kept) == end.exportable


def test_declined_payment_words_follow_the_kind(catalogue: Catalogue) -> None:
    declined = catalogue.policy.failed_payment_declined_at_confirmation
    for kind, rule in declined.items():
        words = policy_words.declined_at_confirmation(catalogue, kind)
        assert ("reverted" in words) == (rule == "applied_then_reverted")
