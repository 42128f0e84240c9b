"""HTML primitives: escaping, inline JSON, result figures."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.compare import CompareResource
from calculators.wording.amounts import amount_shown


@dataclass(frozen=True)
class Rendered:
    """A result's HTML, its headline figures as displayed, and plain-text lines."""

    html: str
    figures: dict[str, str]
    text: list[str]


def esc(value: object) -> str:
    """Text or attribute value for HTML. Line breaks become character references too: HTML shows
    them the same, and no catalogue text can start a Markdown line in the page around it."""
    return html.escape(str(value), quote=True).translate(_LINE_BREAKS)


_LINE_BREAKS: Final = str.maketrans({"\n": "&#10;", "\r": "&#13;"})
# In a <script> element the HTML parser ends the script at "</script" and changes state at
# "<!--"; as \u escapes these characters mean the same to JSON and to JavaScript.
_SCRIPT_UNSAFE: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    """``value`` as compact JSON that can sit inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_UNSAFE)


def amount(text: object, currency: str, catalogue: Catalogue) -> str:
    value = Decimal(str(text))
    return amount_shown(catalogue, value, currency)


STATUS_WORDS: Final = {
    "fits": "Fits",
    "fits_with_addons": "Fits with add-ons",
    "does_not_fit": "Does not fit",
    "contact_sales": "Contact sales",
}


def _figure(key: str, label: str, value: str) -> str:
    return (
        f'<div class="kb-figure"><dt>{esc(label)}</dt><dd data-field="{esc(key)}">'
        f"{esc(value)}</dd></div>"
    )


def _spare(resource: CompareResource) -> str:
    """ "50 GB of storage", "12 team seats": a counted unit its label names is not repeated."""
    label, unit = resource["label"].lower(), resource["unit"]
    spare = resource["headroom"]
    if unit.lower() in label:
        return f"{spare:,} {label}"
    return f"{spare:,} {unit} of {label}"
