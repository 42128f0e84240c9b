"""calculators.domain.money: exact amounts in a currency's minor unit, named roundings, no
floats."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from calculators.domain import money


@pytest.mark.parametrize(
    ("currency", "digits", "step"),
    [
        ("USD", 2, "0.01"),
        ("EUR", 2, "0.01"),
        ("JPY", 0, "1"),
        ("KRW", 0, "1"),
        ("KWD", 3, "0.001"),
        ("BHD", 3, "0.001"),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, digits: int, step: str) -> None:
    assert money.minor_unit(currency) == digits
    assert money.step(currency) == Decimal(step)
    assert money.is_known_currency(currency)


def test_unknown_currency_is_refused_unless_declared() -> None:
    with pytest.raises(money.MoneyError, match="unknown currency 'XTS'"):
        money.minor_unit("XTS")
    assert not money.is_known_currency("XTS")
    assert money.is_known_currency("XTS", extra={"XTS": 4})
    assert money.minor_unit("XTS", extra={"XTS": 4}) == 4
    assert money.step("XTS", extra={"XTS": 4}) == Decimal("0.0001")


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("249.95", "USD", "249.95"),
        ("0", "USD", "0"),
        ("10", "USD", "10"),
        ("10.5", "USD", "10.5"),
        ("1800", "JPY", "1800"),
        ("0.125", "KWD", "0.125"),
        ("  7.25 ", "USD", "7.25"),
        (12, "USD", "12"),
        (Decimal("3.10"), "EUR", "3.10"),
    ],
)
def test_parse_amount_accepts_plain_decimals(text: object, currency: str, expected: str) -> None:
    value = money.parse_amount(text, currency)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(money.MoneyError, match="not a float"):
        money.parse_amount(0.1, "USD")
    with pytest.raises(money.MoneyError, match="got float"):
        money.quantize(0.1, "USD", rounding="half_up")  # type: ignore[arg-type]
    with pytest.raises(money.MoneyError, match="got float"):
        money.add(Decimal("0.1"), 0.2)  # type: ignore[arg-type]


def test_multiply_and_divide_refuse_floats() -> None:
    with pytest.raises((money.MoneyError, TypeError)):
        money.multiply(Decimal("1"), 0.1)  # type: ignore[arg-type]
    with pytest.raises((money.MoneyError, TypeError)):
        money.divide(Decimal("1"), 0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e3", "not a decimal amount"),
        ("NaN", "not a decimal amount"),
        ("Infinity", "not a decimal amount"),
        ("1,000.00", "not a decimal amount"),
        ("+5", "not a decimal amount"),
        ("5.", "not a decimal amount"),
        (".5", "not a decimal amount"),
        ("0x10", "not a decimal amount"),
        ("٣", "not a decimal amount"),
        ("", "not a decimal amount"),
        ("-5", "is negative"),
        ("10.005", "too many decimals: USD amounts have at most 2 decimals"),
        (True, "got bool"),
        (None, "got NoneType"),
        ([1], "got list"),
    ],
)
def test_parse_amount_refuses_what_is_not_a_plain_amount(text: object, message: str) -> None:
    with pytest.raises(money.MoneyError, match=message):
        money.parse_amount(text, "USD")


def test_decimals_are_checked_against_each_currency() -> None:
    with pytest.raises(money.MoneyError, match="JPY amounts have no decimals"):
        money.parse_amount("1800.5", "JPY")
    with pytest.raises(money.MoneyError, match="KWD amounts have at most 3 decimals"):
        money.parse_amount("1.2345", "KWD")
    assert money.parse_amount("-5.25", "USD", allow_negative=True) == Decimal("-5.25")
    with pytest.raises(money.MoneyError, match="must be a finite amount"):
        money.parse_amount(Decimal("NaN"), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "half_up", "half_even"),
    [
        # Ties: half up goes away from zero, half even goes to the even neighbour.
        ("0.125", "USD", "0.13", "0.12"),
        ("0.135", "USD", "0.14", "0.14"),
        ("2.5", "JPY", "3", "2"),
        ("3.5", "JPY", "4", "4"),
        ("0.0125", "KWD", "0.013", "0.012"),
        ("-0.125", "USD", "-0.13", "-0.12"),
        ("-2.5", "JPY", "-3", "-2"),
        # Not ties: both round to the nearest.
        ("0.12499999", "USD", "0.12", "0.12"),
        ("0.12500001", "USD", "0.13", "0.13"),
        ("161.2580645161", "USD", "161.26", "161.26"),
    ],
)
def test_half_up_and_half_even_differ_only_on_ties(
    amount: str, currency: str, half_up: str, half_even: str
) -> None:
    value = Decimal(amount)
    up = money.quantize(value, currency, rounding="half_up")
    even = money.quantize(value, currency, rounding="half_even")
    assert (str(up), str(even)) == (half_up, half_even)


def test_quantize_names_an_unknown_rounding() -> None:
    with pytest.raises(money.MoneyError, match="unknown rounding 'up'"):
        money.quantize(Decimal("1"), "USD", rounding="up")  # type: ignore[arg-type]


def test_round_to_rounds_a_time_factor() -> None:
    assert money.round_to(Decimal(20) / Decimal(31), 9, rounding="half_up") == Decimal(
        "0.645161290"
    )
    assert money.round_to(Decimal("0.0000000005"), 9, rounding="half_up") == Decimal("1E-9")
    assert money.round_to(Decimal("0.0000000005"), 9, rounding="half_even") == Decimal("0E-9")


def test_arithmetic_ignores_the_global_decimal_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        assert money.multiply(Decimal("249.95"), 12) == Decimal("2999.40")
        assert money.divide(1, 3) == Decimal("0." + "3" * 60)
        assert money.add(Decimal("0.1"), Decimal("0.2"), Decimal("1000000")) == Decimal("1000000.3")
        assert money.quantize(Decimal("0.125"), "USD", rounding="half_up") == Decimal("0.13")
        # 2399.95 x 354 / 365 to 60 significant digits, whatever the global precision is.
        assert money.divide(money.multiply(Decimal("2399.95"), 354), 365) == Decimal(
            "2327.62273972602739726027397260273972602739726027397260273973"
        )


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("249.95", "USD", "249.95"),
        ("10", "USD", "10.00"),
        ("-161.26", "USD", "-161.26"),
        ("1800", "JPY", "1800"),
        ("0.125", "KWD", "0.125"),
        ("2", "KWD", "2.000"),
        ("-0.00", "USD", "0.00"),
        ("0", "JPY", "0"),
        ("1234567.5", "EUR", "1234567.50"),
    ],
)
def test_to_text_writes_exactly_the_minor_unit_digits(
    amount: str, currency: str, text: str
) -> None:
    assert money.to_text(Decimal(amount), currency) == text


def test_to_text_refuses_an_unrounded_amount() -> None:
    with pytest.raises(money.MoneyError, match="not rounded to the USD minor unit"):
        money.to_text(Decimal("0.125"), "USD")
    with pytest.raises(money.MoneyError, match="not rounded to the JPY minor unit"):
        money.to_text(Decimal("1.5"), "JPY")


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.5", "USD", "$1,234.50"),
        ("-3.1", "EUR", "-€3.10"),
        ("1800", "JPY", "¥1,800"),
        ("0.125", "KWD", "KD 0.125"),
        ("1000", "SEK", "SEK 1,000.00"),
        ("0", "GBP", "£0.00"),
        ("1234567.891", "BHD", "BD 1,234,567.891"),
        ("12.50", "CHF", "CHF 12.50"),
    ],
)
def test_display_is_how_a_person_reads_it(amount: str, currency: str, shown: str) -> None:
    assert money.display(Decimal(amount), currency) == shown
