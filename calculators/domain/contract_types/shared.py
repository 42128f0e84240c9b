"""Shapes several contracts share: whole numbers as requests may send them, usage, add-on units."""

from __future__ import annotations

from typing import TypedDict

# A whole number in a request: a JSON integer, or a string of digits as a form sends it.
Count = int | str

# Usage or needs per resource id: one whole number per resource of the catalogue.
Usage = dict[str, Count]


class AddonUnits(TypedDict):
    """So many units of one add-on, as a recommendation lists them."""

    addon: str
    quantity: int
