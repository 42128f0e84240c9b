"""Calculator widgets and worked examples for pages (filled in with the in-browser calculators)."""

from __future__ import annotations

from typing import Any

from calculators.catalogue import Catalogue


def register(env: Any, catalogue: Catalogue) -> None:
    """Register the calculator macros."""
