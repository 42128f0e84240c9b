"""calculators.domain.money.Money: an amount that knows its currency and refuses another."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from calculators.domain.money import Money, MoneyError


def test_amounts_in_one_currency_add_subtract_and_multiply_exactly() -> None:
    seat = Money(Decimal("8.00"), "USD")
    assert seat.times(3) + Money(Decimal("49.00"), "USD") == Money(Decimal("73.00"), "USD")
    assert seat - Money(Decimal("0.01"), "USD") == Money(Decimal("7.99"), "USD")
    assert -seat == Money(Decimal("-8.00"), "USD")
    assert Money.total("JPY", []) == Money(Decimal(0), "JPY")


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: Money.total("USD", [a, b]),
    ],
    ids=["add", "subtract", "total"],
)
def test_two_currencies_never_meet(combine: Callable[[Money, Money], Money]) -> None:
    usd, eur = Money(Decimal("10.00"), "USD"), Money(Decimal("10.00"), "EUR")
    with pytest.raises(MoneyError, match="EUR cannot be counted in USD"):
        combine(usd, eur)
