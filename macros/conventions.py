"""The proration article's "how days are counted and amounts rounded" passage, from the catalogue.

``{{ proration_conventions() }}`` prints the counting and rounding paragraphs for the catalogue's
effective proration policy (its preset and overrides); the words come from
``calculators.wording.conventions``.
"""

from __future__ import annotations

from typing import Any

from calculators.domain.catalogue import Catalogue
from calculators.wording import conventions


def register(env: Any, catalogue: Catalogue) -> None:
    def proration_conventions() -> str:
        policy = conventions.page_policy(catalogue)
        currencies = conventions.catalogue_currencies(catalogue)
        return (
            f"**Counting days.** {conventions.counting_sentence(policy)}\n\n"
            f"**Rounding.** {conventions.rounding_sentence(policy, currencies)}"
        )

    env.macro(proration_conventions, "proration_conventions")
