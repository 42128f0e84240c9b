"""The proration article's "how days are counted and amounts rounded" passage, from the catalogue.

``{{ proration_conventions() }}`` prints the counting and rounding paragraphs for the catalogue's
effective proration policy (its preset and overrides); the words come from
``calculators.conventions``.
"""

from __future__ import annotations

from calculators import conventions
from calculators.catalogue import Catalogue
from macros.environment import MacroEnvironment


def register(env: MacroEnvironment, catalogue: Catalogue) -> None:
    def proration_conventions() -> str:
        policy = conventions.page_policy(catalogue)
        currencies = conventions.catalogue_currencies(catalogue)
        return (
            f"**Counting days.** {conventions.counting_sentence(policy)}\n\n"
            f"**Rounding.** {conventions.rounding_sentence(policy, currencies)}"
        )

    env.macro(proration_conventions, "proration_conventions")
