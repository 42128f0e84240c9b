"""Dates as a reader sees them."""

from __future__ import annotations

from datetime import date

from calculators.domain import periods


def long_date(value: date | str) -> str:
    """ "1 Apr 2026", as the invoice lines write it (``periods.format_human``)."""
    day = value if isinstance(value, date) else periods.parse_instant(str(value))
    return periods.format_human(day)
