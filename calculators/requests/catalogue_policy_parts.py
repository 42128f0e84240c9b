"""Reads the parts of the catalogue's ``policy`` section."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from calculators.domain import presets
from calculators.domain.catalogue import (
    CHANGE_KINDS,
    CREDIT_APPLIED,
    CREDIT_EXPIRES,
    DECLINED_PAYMENT,
    OVER_LIMIT_EFFECTS,
    OVER_LIMIT_STARTS,
    describe,
)
from calculators.domain.policy import (
    CancellationPolicy,
    CreditPolicy,
    DiscountPolicy,
    FeatureEnd,
    OverLimitRule,
    ProrationPolicy,
    SeveralChanges,
    TaxDisplay,
    TaxPolicy,
    TrialPolicy,
)
from calculators.domain.proration_model import DEFAULT_POLICY, POLICY_CHOICES
from calculators.requests.catalogue_base import Invalid, ReaderBase, ReaderContext, key_path
from calculators.requests.prorate_policy import check_policy


class PolicyPartsReader(ReaderBase):
    """Reads the parts of ``policy``: rules, tax display, trials, credit, proration."""

    def change_precedence(self, value: object, path: str) -> tuple[str, ...]:
        """Every change kind exactly once, the one whose rule wins first."""
        items = self.sequence(value, path)
        kinds = self.id_list(items, path, CHANGE_KINDS, "change kind")
        missing = [kind for kind in CHANGE_KINDS if kind not in kinds]
        if missing:
            self.fail(path, f"must list every change kind once; missing: {', '.join(missing)}")
        if len(kinds) != len(items) or missing:
            raise Invalid(path)
        return tuple(kinds)

    def over_limit_rule(self, value: object, path: str) -> OverLimitRule:
        return OverLimitRule(
            **self.fields(
                value,
                path,
                {
                    "starts": self.choices(OVER_LIMIT_STARTS),
                    "effect": self.choices(OVER_LIMIT_EFFECTS),
                },
            )
        )

    def feature_end(self, value: object, path: str) -> FeatureEnd:
        read = self.fields(
            value,
            path,
            {
                "stops": self.text,
                "data": self.optional(self.text),
                "kept_days": self.optional(self.positive),
                "exportable": self.boolean,
            },
        )
        if read["data"] is None and (read["kept_days"] is not None or read["exportable"]):
            raise self.fail(
                key_path(path, "data"),
                "a feature that holds no data (data: null) "
                "needs kept_days: null and exportable: false",
            )
        return FeatureEnd(**read)

    def declined_payment(self, value: object, path: str) -> str:
        return self.choice(value, path, DECLINED_PAYMENT)

    def tax_display(self, value: object, path: str) -> TaxDisplay:
        read = self.fields(
            value,
            path,
            {
                "due_today": self.choices(("with_tax", "before_tax")),
                "based_on": self.sequence,
            },
        )
        based_on = self.id_list(
            read["based_on"], key_path(path, "based_on"), ("billing_address", "tax_id"), "tax basis"
        )
        if not based_on:
            raise self.fail(
                key_path(path, "based_on"), "list at least one of billing_address, tax_id"
            )
        return TaxDisplay(due_today=read["due_today"], based_on=tuple(based_on))

    def several_changes(self, value: object, path: str) -> SeveralChanges:
        return SeveralChanges(
            **self.fields(
                value,
                path,
                {
                    "billing": self.choices(("each_invoiced",)),
                    "max_per_period": self.optional(self.positive),
                },
            )
        )

    def discounts(self, value: object, path: str) -> DiscountPolicy:
        return DiscountPolicy(
            **self.fields(
                value,
                path,
                {
                    "on_plan_change": self.choices(("kept", "ends")),
                    "applies_to_addons": self.boolean,
                },
            )
        )

    def cancellation(self, value: object, path: str) -> CancellationPolicy:
        return CancellationPolicy(
            **self.fields(
                value,
                path,
                {
                    "takes_effect": self.choices(("period_end", "immediately")),
                    "unused_time": self.choices(("not_refunded", "credited")),
                    "credit_balance": self.choices(("refunded", "forfeited")),
                    "data_kept_days": self.positive,
                },
            )
        )

    def trials(self, value: object, path: str, context: ReaderContext) -> TrialPolicy:
        read = self.fields(
            value,
            path,
            {
                "offered": self.boolean,
                "days": self.optional(self.positive),
                "plan": self.optional(self.choices(context.plans)),
                "card_required": self.optional(self.boolean),
                "at_end": self.optional(self.choices(("paused", "lowest_plan"))),
            },
        )
        offered = read["offered"]
        wrong = [
            key
            for key in ("days", "plan", "card_required", "at_end")
            if (read[key] is None) == offered
        ]
        for key in wrong:
            self.fail(
                key_path(path, key),
                "needed when trials are offered (offered: true)"
                if offered
                else "must be null when no trial is offered (offered: false)",
            )
        if wrong:
            raise Invalid(path)
        return TrialPolicy(**read)

    def credit_policy(self, value: object, path: str) -> CreditPolicy:
        keys = (
            "reduces_due_now",
            "reduces_next_invoice",
            "applied",
            "refund_on_request_days",
            "expires",
        )
        raw = self.mapping(value, path, required=keys)

        def field_(key: str, reader: Any, *args: Any) -> Any:
            where = key_path(path, key)
            if key not in raw:  # already reported as missing
                return None
            return self.attempt(where, reader, raw[key], where, *args)

        credit = CreditPolicy(
            reduces_due_now=field_("reduces_due_now", self.boolean),
            reduces_next_invoice=field_("reduces_next_invoice", self.boolean),
            applied=field_("applied", self.choice, CREDIT_APPLIED),
            refund_on_request_days=field_("refund_on_request_days", self.integer),
            expires=field_("expires", self.choice, CREDIT_EXPIRES),
        )
        if any(getattr(credit, key) is None for key in keys):
            raise Invalid(path)
        return credit

    def proration(self, value: object, path: str, context: ReaderContext) -> ProrationPolicy:
        keys = (
            "time_basis",
            "day_count",
            "rounding",
            "factor_decimals",
            "credit_basis",
            "negative_total",
            "tax",
            "minimum_charge",
        )
        later = ("change_day", "timing", "quantity_change")
        # Naming a preset makes every other field an override of the preset's value.
        named = value.get("preset") if isinstance(value, Mapping) else None
        required = () if named is not None else keys
        raw = self.mapping(value, path, required=required, optional=(*keys, *later, "preset"))
        preset = (
            None
            if named is None
            else self.attempt(
                key_path(path, "preset"),
                self.choice,
                named,
                key_path(path, "preset"),
                tuple(presets.PRESETS),
            )
        )
        base = {**DEFAULT_POLICY, **(presets.PRESETS.get(preset or "") or {})}
        given = {**base, **raw}

        def field_(key: str, reader: Any, *args: Any) -> Any:
            where = key_path(path, key)
            return self.attempt(where, reader, given.get(key), where, *args)

        def convention(key: str) -> Any:
            return field_(key, self.choice, POLICY_CHOICES[key])

        decimals = given.get("factor_decimals")
        tax_raw = raw.get("tax")
        tax = None
        if tax_raw is not None:
            where = key_path(path, "tax")
            tax_map = self.mapping(tax_raw, where, required=("rate", "inclusive"))
            rate_text = tax_map.get("rate")
            try:
                if isinstance(rate_text, float) or not isinstance(rate_text, str):
                    raise ValueError
                rate = Decimal(rate_text)
                if not rate.is_finite() or not 0 <= rate < 1:
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise self.fail(
                    key_path(where, "rate"),
                    "must be a quoted decimal fraction "
                    f'from "0" to below "1" such as "0.20", got '
                    f"{describe(rate_text)}",
                ) from None
            tax = TaxPolicy(
                rate=rate,
                inclusive=self.boolean(tax_map.get("inclusive"), key_path(where, "inclusive")),
            )
        minimum_path = key_path(path, "minimum_charge")
        minimum_raw = self.mapping(raw.get("minimum_charge", {}), minimum_path, free_keys=True)
        minimum: dict[str, Decimal] = {}
        for code, amount in minimum_raw.items():
            where = key_path(minimum_path, str(code))
            if code not in context.currencies:
                self.fail(where, f"unknown currency {code!r}")
                continue
            parsed = self.attempt(where, self.amount, amount, where, code, context.units)
            if parsed is not None:
                minimum[code] = parsed
        policy = ProrationPolicy(
            time_basis=convention("time_basis"),
            day_count=convention("day_count"),
            rounding=convention("rounding"),
            factor_decimals=None if decimals is None else field_("factor_decimals", self.integer),
            credit_basis=convention("credit_basis"),
            negative_total=convention("negative_total"),
            tax=tax,
            minimum_charge=minimum,
            preset=preset,
            change_day=convention("change_day"),
            timing=convention("timing"),
            quantity_change=convention("quantity_change"),
        )
        self.proration_combinations(policy, path)
        return policy

    def proration_combinations(self, policy: ProrationPolicy, path: str) -> None:
        """Conventions that cannot go together, as the proration engine decides them."""
        if any(
            getattr(policy, key) is None
            for key in ("time_basis", "credit_basis", "negative_total", "change_day", "timing")
        ):
            return  # already reported
        fields = {
            key: getattr(policy, key)
            for key in (
                "time_basis",
                "day_count",
                "rounding",
                "credit_basis",
                "negative_total",
                "change_day",
                "timing",
                "quantity_change",
            )
        }
        for problem in check_policy(fields, field=path):
            self.fail(problem["field"], problem["message"])
