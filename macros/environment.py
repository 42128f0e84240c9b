"""What the macros use of the environment either engine hands to ``define_env``.

mkdocs-macros passes its plugin, Zensical's macros extension an object of its own; both offer
these members, so the macros depend on this description and import neither engine.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

# A macro or filter: whatever a page may call with the arguments it writes.
PageFunction = Callable[..., object]


class RenderedPage(Protocol):
    """The page Zensical renders (``env.page``): the theme reads its metadata."""

    meta: dict[str, Any]


class MacroEnvironment(Protocol):
    """The engine's side of ``define_env``."""

    @property
    def conf(self) -> MutableMapping[str, Any]:
        """The site configuration as read from mkdocs.yml (values of every YAML type)."""

    @property
    def variables(self) -> MutableMapping[str, Any]:
        """The names every page's Jinja sees (values of any type a page prints or loops over)."""

    @property
    def macros(self) -> MutableMapping[str, PageFunction]:
        """The macros registered so far, by name."""

    def macro(self, function: PageFunction, name: str = "") -> PageFunction:
        """Make ``function`` callable from every page as ``name``."""

    def filter(self, function: PageFunction, name: str = "") -> PageFunction:
        """Make ``function`` usable as the Jinja filter ``name``."""
