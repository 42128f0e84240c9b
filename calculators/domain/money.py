"""Money: exact decimal amounts in a currency's minor unit.

Rules this module enforces:
- an amount is a ``Decimal``; a ``float`` is refused, because 0.1 + 0.2 is not 0.3 in binary;
- every rounding is named at the call site (``half_up`` or ``half_even``) and happens at the
  currency's minor unit (USD cents, JPY whole yen, KWD fils);
- nothing reads or changes the global decimal context: every operation that could round
  is done in a private context with enough precision for any invoice.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

# No count, amount or rate a calculator accepts comes near this many digits (the bound on
# every number of untrusted input too).
MAX_NUMBER_DIGITS: Final = 30


Rounding = Literal["half_up", "half_even"]
ROUNDINGS: Final[tuple[Rounding, ...]] = ("half_up", "half_even")
_DECIMAL_ROUNDING: Final[dict[str, str]] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
}
# Precision high enough that no realistic invoice arithmetic is ever rounded implicitly;
# traps make an inexact or overflowing operation an error rather than a silent change.
_CONTEXT: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
# ISO 4217 minor units (number of digits after the decimal point) for common currencies.
# A catalogue may declare more currencies; ``minor_unit`` takes those through ``extra``.
ISO_4217_MINOR_UNITS: Final[Mapping[str, int]] = {
    "AED": 2,
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PHP": 2,
    "PLN": 2,
    "RON": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "TWD": 2,
    "UAH": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}
# Symbols used when an amount is shown to a person; anything else is shown with its code.
CURRENCY_SYMBOLS: Final[Mapping[str, str]] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "AUD": "A$",
    "CAD": "C$",
    "CHF": "CHF ",
    "INR": "₹",
    "KRW": "₩",
    "KWD": "KD ",
    "BHD": "BD ",
}
_AMOUNT_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_LARGEST: Final = 10**MAX_NUMBER_DIGITS


class MoneyError(ValueError):
    """An amount or currency that cannot be used; the message says which value and why."""


def minor_unit(currency: str, *, extra: Mapping[str, int] | None = None) -> int:
    """Digits after the decimal point for ``currency`` (USD 2, JPY 0, KWD 3)."""
    if extra is not None and currency in extra:
        return extra[currency]
    try:
        return ISO_4217_MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def is_known_currency(currency: str, *, extra: Mapping[str, int] | None = None) -> bool:
    return currency in ISO_4217_MINOR_UNITS or (extra is not None and currency in extra)


def step(currency: str, *, extra: Mapping[str, int] | None = None) -> Decimal:
    """The smallest amount of ``currency``: 0.01 for USD, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-minor_unit(currency, extra=extra), context=_CONTEXT)


def parse_amount(
    text: object,
    currency: str,
    *,
    allow_negative: bool = False,
    extra: Mapping[str, int] | None = None,
) -> Decimal:
    """Read an amount written as a decimal string in major units ("249.95", "1800").

    Refuses floats, exponents, thousands separators, signs other than a leading minus (and that
    only with ``allow_negative``), more decimals than the currency has, and more than
    ``MAX_NUMBER_DIGITS`` digits (which keeps every later operation exact in the private context).
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, Decimal)):
        if isinstance(text, float):
            raise MoneyError('must be a decimal string such as "249.95", not a float')
        raise MoneyError(f'must be a decimal string such as "249.95", got {type(text).__name__}')
    if isinstance(text, int) and not -_LARGEST < text < _LARGEST:
        raise MoneyError(f"has more than {MAX_NUMBER_DIGITS} digits; no amount is that large")
    if isinstance(text, Decimal):
        value = text
        if not value.is_finite():
            raise MoneyError("must be a finite amount")
    else:
        raw = str(text).strip() if isinstance(text, str) else str(text)
        if not raw.isascii() or not _AMOUNT_TEXT.fullmatch(raw):
            raise MoneyError(f'{_short(raw)!r} is not a decimal amount such as "249.95"')
        value = Decimal(raw)
    if _digit_count(value) > MAX_NUMBER_DIGITS:
        raise MoneyError(
            f"{_short(str(value))} has more than {MAX_NUMBER_DIGITS} digits; "
            "no amount is that large"
        )
    if value < 0 and not allow_negative:
        raise MoneyError(f"{value} is negative; amounts must be zero or more")
    digits = minor_unit(currency, extra=extra)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked above
    if -exponent > digits:
        unit = "no decimals" if digits == 0 else f"at most {digits} decimals"
        raise MoneyError(f"{value} has too many decimals: {currency} amounts have {unit}")
    return value


def quantize(
    amount: Decimal,
    currency: str,
    *,
    rounding: Rounding,
    extra: Mapping[str, int] | None = None,
) -> Decimal:
    """Round ``amount`` to the currency's minor unit with the named rule."""
    if not isinstance(amount, Decimal):
        raise MoneyError(f"amounts must be Decimal, got {type(amount).__name__}")
    try:
        mode = _DECIMAL_ROUNDING[rounding]
    except KeyError:
        raise MoneyError(f"unknown rounding {rounding!r}") from None
    return amount.quantize(step(currency, extra=extra), rounding=mode, context=_CONTEXT)


def round_to(amount: Decimal, decimals: int, *, rounding: Rounding) -> Decimal:
    """Round a non-money quantity (a time factor) to ``decimals`` places with the named rule."""
    return amount.quantize(
        Decimal(1).scaleb(-decimals, context=_CONTEXT),
        rounding=_DECIMAL_ROUNDING[rounding],
        context=_CONTEXT,
    )


def multiply(a: Decimal, b: Decimal | int) -> Decimal:
    """Exact product (no rounding at 60 significant digits for any realistic amount)."""
    return _CONTEXT.multiply(_exact(a), _exact(b))


def divide(a: Decimal | int, b: Decimal | int) -> Decimal:
    """Quotient to 60 significant digits; callers round it with a named rule."""
    return _CONTEXT.divide(_exact(a), _exact(b))


def add(*amounts: Decimal) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        total = _CONTEXT.add(total, _exact(amount))
    return total


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency. Amounts in two currencies never meet: adding,
    subtracting or summing them raises ``MoneyError``."""

    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        return Money(add(self.amount, self._same(other).amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(add(self.amount, -self._same(other).amount), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, quantity: Decimal | int) -> Money:
        """This amount ``quantity`` times over: a unit price times the units bought."""
        return Money(multiply(self.amount, quantity), self.currency)

    @staticmethod
    def total(currency: str, items: Iterable[Money]) -> Money:
        """The sum of ``items``, every one in ``currency`` (zero when there is none)."""
        return Money(add(*(item.in_currency(currency).amount for item in items)), currency)

    def in_currency(self, currency: str) -> Money:
        """This amount, checked to be in ``currency``."""
        if self.currency != currency:
            raise MoneyError(f"an amount in {self.currency} cannot be counted in {currency}")
        return self

    def _same(self, other: Money) -> Money:
        return other.in_currency(self.currency)


def _exact(value: object) -> Decimal:
    """A Decimal, or an int made one; a float (or a bool) is refused, never converted."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise MoneyError(f"amounts must be Decimal or int, got {type(value).__name__}")


def to_text(amount: Decimal, currency: str, *, extra: Mapping[str, int] | None = None) -> str:
    """The contract's wire form: a plain decimal string with exactly the minor-unit digits."""
    digits = minor_unit(currency, extra=extra)
    exact = amount.quantize(Decimal(1).scaleb(-digits, context=_CONTEXT), context=_CONTEXT)
    if exact != amount:
        raise MoneyError(f"{amount} is not rounded to the {currency} minor unit")
    if exact == 0:
        exact = abs(exact)  # never print "-0.00"
    return f"{exact:f}"


def display(amount: Decimal, currency: str, *, extra: Mapping[str, int] | None = None) -> str:
    """How a person reads it: "$1,234.50", "-€3.10", "¥1,800", "KWD 0.125"."""
    digits = minor_unit(currency, extra=extra)
    exact = amount.quantize(Decimal(1).scaleb(-digits, context=_CONTEXT), context=_CONTEXT)
    sign = "-" if exact < 0 else ""
    body = f"{abs(exact):,.{digits}f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None:
        return f"{sign}{currency} {body}"
    return f"{sign}{symbol}{body}"


def _digit_count(value: Decimal) -> int:
    """Digits written out in full: 1200 has 4, 0.005 has 3 (decimals), 5E+3 has 4."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the caller
    return len(digits) + exponent if exponent >= 0 else max(len(digits), -exponent)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
