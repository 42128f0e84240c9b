"""Reads the catalogue's ``policy`` section as a whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calculators.domain.catalogue import APPLY_MODES, CHANGE_KINDS, INTERVAL_CHANGES, TIME_ZONES
from calculators.domain.policy import ChangeRule, Policy
from calculators.requests.catalogue_base import Invalid, ReaderContext, key_path
from calculators.requests.catalogue_policy_parts import PolicyPartsReader


class PolicyReader(PolicyPartsReader):
    """Reads ``policy`` as a whole."""

    def policy(self, value: object, path: str, context: ReaderContext) -> Policy:
        sections = (
            "proration",
            "changes",
            "change_precedence",
            "over_limit",
            "feature_end",
            "addons_on_plan_change",
            "credit_balance",
            "refunds",
            "failed_payment",
            "tax",
            "several_changes",
            "discounts",
            "day_of_change",
            "cancellation",
            "trials",
            "records",
            "contact_sales",
        )
        raw = self.mapping(value, path, required=sections)
        proration = self.attempt(
            key_path(path, "proration"),
            self.proration,
            raw.get("proration"),
            key_path(path, "proration"),
            context,
        )
        changes_path = key_path(path, "changes")
        changes: dict[str, ChangeRule] = {}
        raw_changes = (
            self.attempt(
                changes_path, self.mapping, raw.get("changes"), changes_path, required=CHANGE_KINDS
            )
            or {}
        )
        for kind in CHANGE_KINDS:
            if kind not in raw_changes:
                continue
            where = key_path(changes_path, kind)
            try:
                rule = self.mapping(
                    raw_changes[kind], where, required=("apply",), optional=("interval_change",)
                )
                changes[kind] = ChangeRule(
                    apply=self.choice(rule.get("apply"), key_path(where, "apply"), APPLY_MODES),
                    interval_change=self.choice(
                        rule.get("interval_change", "restart"),
                        key_path(where, "interval_change"),
                        INTERVAL_CHANGES,
                    ),
                )
            except Invalid:
                continue

        def section(name: str, keys: Sequence[str]) -> Mapping[str, Any]:
            where = key_path(path, name)
            return self.attempt(where, self.mapping, raw.get(name), where, required=keys) or {}

        def read(
            section_name: str, mapping: Mapping[str, Any], key: str, reader: Any, *args: Any
        ) -> Any:
            where = key_path(key_path(path, section_name), key)
            if key not in mapping:
                return None
            return self.attempt(where, reader, mapping[key], where, *args)

        def read_keyed(
            section_name: str,
            mapping: Mapping[str, Any],
            key: str,
            ids: Sequence[str],
            kind: str,
            item: Any,
        ) -> Any:
            return read(section_name, mapping, key, self.keyed, ids, kind, item)

        over = section("over_limit", ("grace_period_days", "deleted_data", "resources"))
        over_rules = read_keyed(
            "over_limit", over, "resources", context.resources, "resource", self.over_limit_rule
        )
        feature_end = self.attempt(
            key_path(path, "feature_end"),
            self.keyed,
            raw.get("feature_end"),
            key_path(path, "feature_end"),
            context.features,
            "feature",
            self.feature_end,
        )
        on_change = section("addons_on_plan_change", ("not_available_on_new_plan",))
        refunds = section("refunds", ("after_window",))
        tax = self.attempt(
            key_path(path, "tax"), self.tax_display, raw.get("tax"), key_path(path, "tax")
        )
        several = self.attempt(
            key_path(path, "several_changes"),
            self.several_changes,
            raw.get("several_changes"),
            key_path(path, "several_changes"),
        )
        discounts = self.attempt(
            key_path(path, "discounts"),
            self.discounts,
            raw.get("discounts"),
            key_path(path, "discounts"),
        )
        day = section("day_of_change", ("time_zone",))
        cancellation = self.attempt(
            key_path(path, "cancellation"),
            self.cancellation,
            raw.get("cancellation"),
            key_path(path, "cancellation"),
        )
        trials = self.attempt(
            key_path(path, "trials"),
            self.trials,
            raw.get("trials"),
            key_path(path, "trials"),
            context,
        )
        precedence = self.attempt(
            key_path(path, "change_precedence"),
            self.change_precedence,
            raw.get("change_precedence"),
            key_path(path, "change_precedence"),
        )
        credit = self.attempt(
            key_path(path, "credit_balance"),
            self.credit_policy,
            raw.get("credit_balance"),
            key_path(path, "credit_balance"),
        )
        failed = section(
            "failed_payment",
            (
                "retry_after_days",
                "grace_period_days",
                "upgrade_reverted_after_days",
                "declined_at_confirmation",
                "renewal_after_grace",
                "closed_after_suspension_days",
            ),
        )
        records = section("records", ("retention_years", "visible_to"))
        sales = section("contact_sales", ("plan", "minimum_term_months"))

        retry = read("failed_payment", failed, "retry_after_days", self.sequence)
        retry_days = tuple(
            self.attempt(
                f"{path}.failed_payment.retry_after_days[{i}]",
                self.integer,
                d,
                f"{path}.failed_payment.retry_after_days[{i}]",
                minimum=1,
            )
            for i, d in enumerate(retry or ())
        )
        visible = read("records", records, "visible_to", self.sequence) or ()
        sales_plan = read("contact_sales", sales, "plan", self.choice, context.plans)
        declined = read_keyed(
            "failed_payment",
            failed,
            "declined_at_confirmation",
            CHANGE_KINDS,
            "change kind",
            self.declined_payment,
        )
        taxed_calculators = proration is not None and proration.tax is not None
        if tax is not None and taxed_calculators and tax.due_today != "with_tax":
            self.fail(
                key_path(key_path(path, "tax"), "due_today"),
                "must be with_tax when "
                "policy.proration.tax is set: the calculators then include tax",
            )
        # Every field is read before the check, so that each problem is reported at once.
        fields = dict(
            proration=proration,
            changes=changes,
            over_limit_grace_period_days=read(
                "over_limit", over, "grace_period_days", self.integer
            ),
            over_limit_deleted_data=read(
                "over_limit", over, "deleted_data", self.choice, ("never",)
            ),
            over_limit=over_rules,
            feature_end=feature_end,
            addons_not_available_on_new_plan=read(
                "addons_on_plan_change",
                on_change,
                "not_available_on_new_plan",
                self.choice,
                ("removed", "blocks_change"),
            ),
            refunds_after_window=read(
                "refunds", refunds, "after_window", self.choice, ("stays_on_balance",)
            ),
            change_precedence=precedence,
            credit=credit,
            failed_payment_retry_after_days=retry_days,
            failed_payment_grace_period_days=read(
                "failed_payment", failed, "grace_period_days", self.integer
            ),
            failed_payment_upgrade_reverted_after_days=read(
                "failed_payment", failed, "upgrade_reverted_after_days", self.integer
            ),
            failed_payment_declined_at_confirmation=declined,
            failed_payment_renewal_after_grace=read(
                "failed_payment",
                failed,
                "renewal_after_grace",
                self.choice,
                ("suspended", "downgraded"),
            ),
            failed_payment_closed_after_suspension_days=read(
                "failed_payment", failed, "closed_after_suspension_days", self.positive
            ),
            tax=tax,
            several_changes=several,
            discounts=discounts,
            day_of_change_time_zone=read(
                "day_of_change", day, "time_zone", self.choice, TIME_ZONES
            ),
            cancellation=cancellation,
            trials=trials,
            records_retention_years=read("records", records, "retention_years", self.positive),
            records_visible_to=tuple(str(v) for v in visible),
            contact_sales_plan=sales_plan,
            contact_sales_minimum_term_months=read(
                "contact_sales", sales, "minimum_term_months", self.positive
            ),
        )
        if self.problems:
            raise Invalid(path)
        return Policy(**fields)
