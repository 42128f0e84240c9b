"""Money in every catalogue currency on pages (macros/currency.py) and in the built site."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from macros.currency import Money, PerCurrency, money_markup
from macros.tables import CatalogueView, addon_table, plan_table
from tests.conftest import BUILD_DAY


def shown(catalogue: Catalogue, amount: Decimal, code: str) -> str:
    return money.display(amount, code, extra=catalogue.minor_units)


class Figures(HTMLParser):
    """Every money figure (``span.kb-money``) and currency block in a page, with attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict[str, str | None]] = []
        self.blocks: list[dict[str, str | None]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "span" and found.get("class") == "kb-money":
            self._open = {**found, "text": ""}
            self.figures.append(self._open)
        if tag == "section" and found.get("class") == "kb-currency":
            self.blocks.append(found)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] = (self._open["text"] or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._open = None


def parse(path: Path) -> Figures:
    parser = Figures()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ---- the one place that writes money HTML ----------------------------------------------------


def test_a_figure_shows_the_default_and_carries_every_currency_escaped() -> None:
    html = money_markup({"USD": "$1 <b>", "EUR": '€1 "x"'}, default="USD")
    assert html == (
        '<span class="kb-money" data-currency="USD" data-currency-usd="$1 &lt;b&gt;"'
        ' data-currency-eur="€1 &quot;x&quot;">$1 &lt;b&gt;</span>'
    )


def test_blocks_hide_every_currency_but_the_default_from_readers_and_search() -> None:
    html = money_markup({"USD": "<p>a</p>", "EUR": "<p>b</p>"}, default="USD", kind="blocks")
    assert html == (
        '<section class="kb-currency" data-currency="USD"><p>a</p></section>'
        '<section class="kb-currency" data-currency="EUR" hidden data-search-exclude>'
        "<p>b</p></section>"
    )


def test_a_fixed_figure_names_its_currency_and_has_no_variants() -> None:
    html = money_markup({"EUR": "€0.50"}, default="EUR", kind="fixed")
    assert html == '<span class="kb-money" data-currency-fixed="EUR">€0.50</span>'


# ---- amounts in every currency ----------------------------------------------------------------


def test_prices_in_every_currency_add_subtract_and_multiply_per_currency(
    catalogue: Catalogue,
) -> None:
    view = CatalogueView(catalogue)
    team, business = view.plan("team").amount(), view.plan("business").amount()
    assert isinstance(team, PerCurrency) and isinstance(business, PerCurrency)
    difference = business - team
    yearly = team * 12
    for code in catalogue.currencies:
        assert difference[code] == (
            catalogue.plan("business").price(code, "month")
            - catalogue.plan("team").price(code, "month")
        )
        assert yearly[code] == catalogue.plan("team").price(code, "month") * 12
    assert (team + difference)["JPY"] == catalogue.plan("business").price("JPY", "month")


def test_a_comparison_that_differs_between_currencies_stops_the_build() -> None:
    cheap_in_euros = PerCurrency({"USD": Decimal("10"), "EUR": Decimal("5")})
    flat = PerCurrency({"USD": Decimal("8"), "EUR": Decimal("8")})
    with pytest.raises(ValueError, match="differs between currencies"):
        assert cheap_in_euros > flat
    assert flat <= PerCurrency({"USD": Decimal("9"), "EUR": Decimal("9")})
    with pytest.raises(TypeError):
        assert flat > Decimal("1")


def test_the_money_filter_needs_a_currency_for_anything_but_zero(catalogue: Catalogue) -> None:
    view = CatalogueView(catalogue)
    with pytest.raises(ValueError, match="has no currency"):
        view.money("5")
    zero = view.money("0")
    for code in catalogue.currencies:
        assert f'data-currency-{code.lower()}="{shown(catalogue, Decimal(0), code)}"' in zero
    assert view.money("0.50", "EUR") == money_markup({"EUR": "€0.50"}, default="EUR", kind="fixed")


def test_the_minimum_charge_follows_the_currency(catalogue: Catalogue) -> None:
    html = CatalogueView(catalogue).money(catalogue.policy.proration.minimum_charge)
    for code, amount in catalogue.policy.proration.minimum_charge.items():
        assert f'data-currency-{code.lower()}="{shown(catalogue, amount, code)}"' in html


def test_a_price_with_a_named_currency_stays_in_it(catalogue: Catalogue) -> None:
    view = CatalogueView(catalogue)
    price = catalogue.plan("team").price("JPY", "year")
    assert view.plan("team").price("JPY", "year") == money_markup(
        {"JPY": shown(catalogue, price, "JPY")}, default="JPY", kind="fixed"
    )
    assert "." not in shown(catalogue, price, "JPY")


def test_the_discount_and_saving_are_worked_out_in_each_currency(catalogue: Catalogue) -> None:
    plan = catalogue.plan("team")
    discount = CatalogueView(catalogue).plan("team").annual_discount()
    table = plan_table(catalogue)(plans=["team"])
    for code in catalogue.currencies:
        assert f'data-currency-{code.lower()}="{plan.annual_discount_percent(code)}%"' in discount
        saving = f"{shown(catalogue, plan.annual_saving(code), code)} "
        assert f"{saving}({plan.annual_discount_percent(code)}%)" in table


def test_tables_carry_every_catalogue_price_in_every_currency(catalogue: Catalogue) -> None:
    plans, addons = plan_table(catalogue)(), addon_table(catalogue)()
    for code in catalogue.currencies:
        for interval, per in (("month", "/month"), ("year", "/year")):
            for plan in catalogue.plans:
                if plan.self_serve:
                    text = shown(catalogue, plan.price(code, interval), code) + per
                    assert f'data-currency-{code.lower()}="{text}"' in plans
            for addon in catalogue.addons:
                text = shown(catalogue, addon.price(code, interval), code) + per
                assert f'data-currency-{code.lower()}="{text}"' in addons


def test_the_site_currency_code_follows_the_choice(catalogue: Catalogue) -> None:
    code = CatalogueView(catalogue).site_currency()
    assert code == Money(catalogue).words({c: c for c in catalogue.currencies})
    assert f">{catalogue.default_currency}</span>" in code


# ---- the built site ---------------------------------------------------------------------------


def test_every_figure_on_every_page_has_every_currency(
    built_site: Path, catalogue: Catalogue
) -> None:
    pages = sorted(built_site.rglob("*.html"))
    counted = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "&lt;span class=" not in text, f"{page}: a money element was escaped into text"
        for figure in parse(page).figures:
            if "data-currency-fixed" in figure:
                continue
            counted += 1
            assert figure["data-currency"] == catalogue.default_currency, page
            assert figure["text"] == figure[f"data-currency-{catalogue.default_currency.lower()}"]
            for code in catalogue.currencies:
                assert figure.get(f"data-currency-{code.lower()}"), (page, figure)
    assert counted > 100


def test_worked_examples_are_computed_for_every_currency(
    built_site: Path, catalogue: Catalogue
) -> None:
    html = (built_site / "billing" / "prorated-charges" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(
        r'<section class="kb-currency" data-currency="([A-Z]+)"([^>]*)>(.*?)'
        r"</section>",
        html,
        re.S,
    )
    assert {code for code, _, _ in blocks} == set(catalogue.currencies)
    for code, attributes, _ in blocks:
        assert ("hidden" in attributes) == (code != catalogue.default_currency)
    # The first example: Team to Business on March 16 of a period from March 1.
    params = widgets.default_params("proration", catalogue, date.fromisoformat(BUILD_DAY))
    params.update(
        from_plan="team",
        to_plan="business",
        from_interval="month",
        to_interval="month",
        period_start="2026-03-01",
        change_at="2026-03-16",
    )
    for code in catalogue.currencies:
        result = widgets.evaluate(
            "proration",
            {**params, "currency": code},
            catalogue,
            today=date.fromisoformat(BUILD_DAY),
        )
        first = next(body for shown_code, _, body in blocks if shown_code == code)
        due = re.search(r'data-field="due_now">([^<]*)<', first)
        assert due and due.group(1) == result["figures"]["due_now"], code


def test_the_search_index_holds_the_default_currency_only(
    built_site: Path, catalogue: Catalogue
) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    examples = [
        doc
        for doc in index["docs"]
        if doc["location"].startswith("billing/prorated-charges/#example-")
    ]
    assert examples
    default_symbol = shown(catalogue, Decimal(1), catalogue.default_currency)[0]
    for doc in examples:
        for code in catalogue.currencies:
            if code != catalogue.default_currency:
                symbol = shown(catalogue, Decimal(1), code)[0]
                assert symbol not in doc["text"], (doc["location"], code)
        assert default_symbol in doc["text"]


def test_the_header_control_offers_the_catalogues_currencies(
    built_site: Path, catalogue: Catalogue
) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    control = re.search(r"<form[^>]*data-kb-currency-control[^>]*>(.*?)</form>", html, re.S)
    assert control and " hidden" in control.group(0).split(">")[0]
    assert re.findall(r'<option value="([A-Z]+)"', control.group(1)) == list(catalogue.currencies)
