"""Each widget's form fields, built from the catalogue."""

from __future__ import annotations

from typing import Final

from calculators.domain.catalogue import Catalogue
from calculators.web.forms import Field
from calculators.wording.units import interval_label, label_with_unit


def _plan_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((p.id, p.name) for p in catalogue.self_serve_plans)


def _interval_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((i, interval_label(i)) for i in catalogue.intervals)


def _currency_options(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((code, f"{code} ({c.name})") for code, c in catalogue.currencies.items())


def proration_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    """The change, then the optional inputs: the credit balance and every add-on of the
    catalogue now and after."""
    now, change = _change_fields(catalogue)
    return (
        *now,
        *change,
        Field(
            "credit_balance",
            "Credit balance",
            "decimal",
            required=False,
            minimum=0,
            group="Credit",
            hint="Credit already on your account, if any; leave empty for none.",
        ),
        *_addon_quantity_fields(catalogue, NOW_SUFFIX, "now", "Add-ons now"),
        *_addon_quantity_fields(
            catalogue, NEW_SUFFIX, "after the change", "Add-ons after the change"
        ),
    )


# An add-on's quantity fields: "<add-on id>_now" and "<add-on id>_new"; empty means none now,
# and unchanged after the change.
NOW_SUFFIX: Final = "_now"
NEW_SUFFIX: Final = "_new"


def _addon_quantity_fields(
    catalogue: Catalogue, suffix: str, when: str, group: str
) -> tuple[Field, ...]:
    return tuple(
        Field(
            a.id + suffix,
            f"{a.name} {when} (units)",
            "integer",
            required=False,
            minimum=0,
            maximum=a.max_quantity,
            group=group,
        )
        for a in catalogue.addons
    )


def _change_fields(catalogue: Catalogue) -> tuple[tuple[Field, ...], tuple[Field, ...]]:
    """The plan, billing and dates of a change: what there is now, and what changes."""
    plans = _plan_options(catalogue)
    intervals = _interval_options(catalogue)
    now = (
        Field("from_plan", "Current plan", "select", plans, group="Now"),
        Field("from_interval", "Current billing", "select", intervals, group="Now"),
        Field(
            "period_start",
            "Current period started",
            "date",
            group="Now",
            hint="The date of your last renewal, shown on the Plan & billing tab.",
        ),
    )
    change = (
        Field("to_plan", "New plan", "select", plans, group="Change"),
        Field("to_interval", "New billing", "select", intervals, group="Change"),
        Field("change_at", "Change on", "date", group="Change"),
        Field("currency", "Currency", "select", _currency_options(catalogue), group="Change"),
    )
    return now, change


MAX_USAGE: Final = 10_000_000


def _usage_fields(catalogue: Catalogue, group: str) -> tuple[Field, ...]:
    return tuple(
        Field(
            r.id,
            label_with_unit(r.label, r.unit),
            "integer",
            minimum=0,
            maximum=MAX_USAGE,
            group=group,
        )
        for r in catalogue.resources
    )


def resource_ids(catalogue: Catalogue) -> tuple[str, ...]:
    """Every resource of the catalogue is a usage field, named by its id."""
    return tuple(r.id for r in catalogue.resources)


def _money_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    return (
        Field("currency", "Currency", "select", _currency_options(catalogue), group="Billing"),
        Field("interval", "Billing", "select", _interval_options(catalogue), group="Billing"),
    )


def comparison_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    features = tuple((f.id, f.label) for f in catalogue.features.values())
    levels = tuple((s.id, s.label) for s in catalogue.support_levels)
    return (
        *_usage_fields(catalogue, "What you need"),
        Field(
            "features",
            "Features you need",
            "multi",
            features,
            required=False,
            group="What you need",
        ),
        Field(
            "support", "Support you need", "select", levels, required=False, group="What you need"
        ),
        Field(
            "current_plan",
            "Your plan now",
            "select",
            _plan_options(catalogue),
            required=False,
            group="Billing",
        ),
        *_money_fields(catalogue),
    )


def growth_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    charts = tuple((r.id, r.label) for r in catalogue.resources)
    return (
        *_usage_fields(catalogue, "Your usage today"),
        Field("rate", "Growth per month (%)", "decimal", minimum=-99, maximum=1000, group="Growth"),
        Field("horizon", "Months to plan for", "integer", minimum=1, maximum=60, group="Growth"),
        Field("chart", "Chart", "select", charts, group="Growth"),
        Field(
            "plan",
            "Your plan now",
            "select",
            _plan_options(catalogue),
            required=False,
            group="Billing",
        ),
        *_money_fields(catalogue),
    )


def addon_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    return (
        Field("plan", "Plan", "select", _plan_options(catalogue), group="Plan"),
        *_money_fields(catalogue),
        *(
            Field(
                a.id,
                f"{a.name} (units)",
                "integer",
                minimum=0,
                maximum=a.max_quantity,
                group="Add-ons",
            )
            for a in catalogue.addons
        ),
    )


def record_fields(catalogue: Catalogue) -> tuple[Field, ...]:
    from calculators.domain.records import REASON_CODES

    return (
        *(f for part in _change_fields(catalogue) for f in part),
        Field("account", "Account", "text", group="Record"),
        Field("reason", "Reason", "select", tuple(REASON_CODES.items()), group="Record"),
        Field(
            "reason_text",
            "Reason in words",
            "textarea",
            required=False,
            group="Record",
            hint="Required when the reason is Other; useful for every reason.",
        ),
        Field("requested_by", "Requested by", "text", group="Record"),
        Field("role", "Their role", "text", group="Record"),
    )
