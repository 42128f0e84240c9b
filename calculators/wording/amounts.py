"""Money as text in a catalogue's currencies: the one pair of helpers every response and
sentence uses (``money`` does the arithmetic and the formatting rules)."""

from __future__ import annotations

from decimal import Decimal

from calculators.domain import money
from calculators.domain.catalogue import Catalogue


def amount_text(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    """The amount as a JSON response writes it: "1234.50"."""
    return money.to_text(amount, currency, extra=catalogue.minor_units)


def amount_shown(catalogue: Catalogue, amount: Decimal, currency: str) -> str:
    """The amount as a reader sees it, with its currency."""
    return money.display(amount, currency, extra=catalogue.minor_units)
