"""The proration article's policy passages, from the catalogue's effective proration policy.

``{{ proration_overview() }}`` prints "how proration works" (the lines on the invoice and what
happens on the day); ``{{ proration_conventions() }}`` the counting and rounding paragraphs. Both
follow the catalogue's preset and overrides; the words come from
``calculators.wording.conventions``.
"""

from __future__ import annotations

from calculators.domain.catalogue import Catalogue
from calculators.wording import conventions
from macros.environment import MacroEnvironment


def register(env: MacroEnvironment, catalogue: Catalogue) -> None:
    def proration_conventions() -> str:
        policy = conventions.page_policy(catalogue)
        currencies = conventions.catalogue_currencies(catalogue)
        return (
            f"**Counting days.** {conventions.counting_sentence(policy)}\n\n"
            f"**Rounding.** {conventions.rounding_sentence(policy, currencies)}"
        )

    def proration_overview() -> str:
        words = conventions.overview(conventions.page_policy(catalogue))
        numbered = "\n".join(f"{number}. {line}" for number, line in enumerate(words.lines, 1))
        bullets = "\n".join(f"- {outcome}" for outcome in words.outcomes)
        return f"{words.opening}\n\n{numbered}\n\n{words.next_words}\n\n{bullets}"

    env.macro(proration_conventions, "proration_conventions")
    env.macro(proration_overview, "proration_overview")
