"""Money on pages in every currency of the catalogue, switched in the browser without Python.

The site shows one currency at a time, the reader's choice (``overrides/assets/javascripts/
currency.js``). So that no runtime is needed to switch, every figure is rendered at build time
for every catalogue currency:

- an inline figure is one ``<span class="kb-money">`` whose text is the default currency's and
  whose ``data-currency-<code>`` attributes hold each currency's text; the script copies the
  chosen one into the text. Attributes keep the other currencies out of the search index, out of
  find-in-page and away from readers without JavaScript, who see the default currency;
- a block (a worked example) is rendered once per currency, each ``<section class="kb-currency">``
  marked with its ``data-currency``; all but the default one are ``hidden`` and carry
  ``data-search-exclude`` so that the search index holds the default currency only;
- a figure with an explicit currency (a table of every currency's minimum charge) stays in that
  currency, marked ``data-currency-fixed``.

Every money element the macros build comes from ``money_markup``, the one place that writes
this HTML. Amounts are formatted by ``money.display``; nothing here formats money.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Literal

from markupsafe import Markup

from calculators.domain import money
from calculators.domain.catalogue import Catalogue

Kind = Literal["figure", "fixed", "blocks", "markdown"]


def money_markup(variants: Mapping[str, str], *, default: str, kind: Kind = "figure") -> Markup:
    """The HTML of one money element: ``variants`` maps each currency to its text (``figure``,
    ``fixed``: plain text, escaped here) or to its trusted HTML (``blocks``, built by
    calculators.web.html, escaping every value) or Markdown (``markdown``: a page's own text)."""
    if kind == "fixed":
        return Markup(
            f'<span class="kb-money" data-currency-fixed="{html.escape(default)}">'
            f"{html.escape(variants[default])}</span>"
        )
    if kind == "figure":
        attributes = "".join(
            f' data-currency-{code.lower()}="{html.escape(text)}"'
            for code, text in variants.items()
        )
        return Markup(
            f'<span class="kb-money" data-currency="{html.escape(default)}"'
            f"{attributes}>{html.escape(variants[default])}</span>"
        )
    blocks = []
    for code, body in variants.items():
        hidden = "" if code == default else " hidden data-search-exclude"
        if kind == "markdown":  # md_in_html reads the Markdown inside the element
            hidden += ' markdown="block"'
            body = f"\n\n{body.strip()}\n\n"
        # A <section>, not a <div>: the search plugin ends an exclusion at the first closing
        # tag of the same name, and the blocks hold <div>s but never a <section>.
        blocks.append(
            f'<section class="kb-currency" data-currency="{html.escape(code)}"{hidden}>'
            f"{body}</section>"
        )
    return Markup("".join(blocks))


class PerCurrency(Mapping[str, Decimal]):
    """One amount in each catalogue currency (a plan's price, a difference of prices), with the
    arithmetic pages need: ``+``, ``-`` and ``*`` by a whole number or a Decimal, per currency."""

    def __init__(self, amounts: Mapping[str, Decimal]) -> None:
        self._amounts = dict(amounts)

    def __getitem__(self, code: str) -> Decimal:
        return self._amounts[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._amounts)

    def __len__(self) -> int:
        return len(self._amounts)

    def _combine(self, other: object, step: Callable[[Decimal, Decimal], Decimal]) -> PerCurrency:
        if isinstance(other, PerCurrency):
            if set(other) != set(self):
                raise ValueError("amounts in different sets of currencies cannot be combined")
            return PerCurrency({code: step(value, other[code]) for code, value in self.items()})
        raise TypeError("an amount in every currency combines only with another such amount")

    def __add__(self, other: object) -> PerCurrency:
        return self._combine(other, lambda a, b: money.add(a, b))

    def __sub__(self, other: object) -> PerCurrency:
        return self._combine(other, lambda a, b: money.add(a, -b))

    def __mul__(self, factor: object) -> PerCurrency:
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            raise TypeError("an amount is multiplied by a whole number or a Decimal")
        return PerCurrency({code: money.multiply(value, factor) for code, value in self.items()})

    __rmul__ = __mul__

    def _agree(self, other: object, test: Callable[[Decimal, Decimal], bool]) -> bool:
        """A comparison a page branches on: its prose is the same in every currency only when the
        answer is, so a comparison that differs between currencies stops the build."""
        if not isinstance(other, PerCurrency) or set(other) != set(self):
            raise TypeError("an amount in every currency compares only with another such amount")
        answers = {code: test(value, other[code]) for code, value in self.items()}
        if len(set(answers.values())) > 1:
            split = ", ".join(f"{code}: {answer}" for code, answer in answers.items())
            raise ValueError(
                f"this comparison of prices differs between currencies ({split}); "
                "the page would say something untrue in some of them"
            )
        return next(iter(answers.values()))

    def __lt__(self, other: object) -> bool:
        return self._agree(other, lambda a, b: a < b)

    def __le__(self, other: object) -> bool:
        return self._agree(other, lambda a, b: a <= b)

    def __gt__(self, other: object) -> bool:
        return self._agree(other, lambda a, b: a > b)

    def __ge__(self, other: object) -> bool:
        return self._agree(other, lambda a, b: a >= b)

    def __repr__(self) -> str:
        return f"PerCurrency({self._amounts!r})"


class Money:
    """Money elements for one catalogue: figures in every currency, or in one named currency."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.codes = list(catalogue.currencies)
        self.default = catalogue.default_currency

    def per_currency(self, amount_in: Callable[[str], Decimal]) -> PerCurrency:
        return PerCurrency({code: amount_in(code) for code in self.codes})

    def text(self, amount: Decimal, code: str) -> str:
        return money.display(amount, code, extra=self.catalogue.minor_units)

    def figure(self, amounts: Mapping[str, Decimal], suffix: str = "") -> Markup:
        """An amount in every currency: "$29.00/month" that becomes "€27.00/month"."""
        return self.words({code: self.text(amounts[code], code) + suffix for code in self.codes})

    def words(self, texts: Mapping[str, str]) -> Markup:
        """Any text that depends on the currency (a price with its discount, a currency code)."""
        return money_markup({code: texts[code] for code in self.codes}, default=self.default)

    def fixed(self, amount: Decimal, code: str, suffix: str = "") -> Markup:
        """An amount that stays in ``code`` whatever the reader chooses."""
        return self.fixed_words(self.text(amount, code) + suffix, code)

    def fixed_words(self, text: str, code: str) -> Markup:
        """Text about an amount in ``code`` that stays so whatever the reader chooses."""
        self.catalogue.currency(code)
        return money_markup({code: text}, default=code, kind="fixed")

    def blocks(self, render: Callable[[str], str]) -> Markup:
        """A block rendered for each currency by ``render(code)`` (worked examples)."""
        return money_markup(
            {code: render(code) for code in self.codes}, default=self.default, kind="blocks"
        )

    def each_currency(self, caller: Callable[[str], str]) -> Markup:
        """``{% call(code) each_currency() %}...{% endcall %}``: a passage of the page written
        once per currency (a message template in a code block, where no HTML can go); inside it,
        ``plan(...).price(code) | striptags`` is the plain text of a price in that currency."""
        return money_markup(
            {code: str(caller(code)) for code in self.codes}, default=self.default, kind="markdown"
        )

    def code(self) -> Markup:
        """The chosen currency's code, for copy such as "Prices are in USD"."""
        return self.words({code: code for code in self.codes})

    def filter(self, amount: object, currency: str | None = None) -> Markup:
        """The ``money`` filter: an amount in every currency (a mapping such as a plan's
        ``amount()`` or the policy's ``minimum_charge``), or one amount in a named currency.

        A bare number without a currency is only accepted when it is zero: "5" means a
        different sum in every currency, so a page must say which one it means."""
        if isinstance(amount, Mapping):
            missing = [code for code in self.codes if code not in amount]
            if missing:
                raise ValueError(f"money: no amount in {', '.join(missing)}")
            values = {
                code: money.parse_amount(
                    amount[code], code, allow_negative=True, extra=self.catalogue.minor_units
                )
                for code in self.codes
            }
            if currency is not None:
                return self.fixed(values[currency], currency)
            return self.figure(values)
        if currency is not None:
            value = money.parse_amount(
                amount, currency, allow_negative=True, extra=self.catalogue.minor_units
            )
            return self.fixed(value, currency)
        zero = money.parse_amount(
            amount, self.default, allow_negative=True, extra=self.catalogue.minor_units
        )
        if zero != 0:
            raise ValueError(
                f"money: {amount!r} has no currency; use a plan's or add-on's "
                "amount(), or name the currency: money('EUR')"
            )
        return self.figure({code: Decimal(0) for code in self.codes})

    def choices(self) -> dict[str, object]:
        """What the header's currency control offers (mkdocs.yml ``extra.kb_currency``)."""
        return {
            "default": self.default,
            "choices": [
                {"code": code, "name": self.catalogue.currency(code).name} for code in self.codes
            ],
        }
