"""Words for intervals and units: the one table of interval words, and the one rule for a
label that names its own unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class IntervalWords:
    adjective: str  # an annual plan, annual billing
    cadence: str  # how often a change record says the plan bills: "yearly"
    per: str  # 10.00 USD a year


INTERVAL_WORDS: Final[Mapping[str, IntervalWords]] = MappingProxyType(
    {
        "day": IntervalWords("daily", "daily", "a day"),
        "week": IntervalWords("weekly", "weekly", "a week"),
        "month": IntervalWords("monthly", "monthly", "a month"),
        "year": IntervalWords("annual", "yearly", "a year"),
    }
)


def interval_adjective(interval: str) -> str:
    """ "monthly", "annual": the interval before a noun."""
    return INTERVAL_WORDS[interval].adjective


def interval_label(interval: str) -> str:
    """ "Monthly", "Annual": the interval as a form option."""
    return INTERVAL_WORDS[interval].adjective.capitalize()


def billing_cadence(interval: str) -> str:
    """ "monthly", "yearly": how often a plan bills, as a change record says it."""
    return INTERVAL_WORDS[interval].cadence


def per_interval(interval: str) -> str:
    """ "a month", "a year": after a price."""
    return INTERVAL_WORDS[interval].per


def label_names_unit(label: str, unit: str) -> bool:
    """A label that names its unit does not repeat it: "Team seats" already counts seats."""
    return unit.lower() in label.lower()


def label_with_unit(label: str, unit: str) -> str:
    """ "Storage (GB)", but "Team seats"."""
    return label if label_names_unit(label, unit) else f"{label} ({unit})"
