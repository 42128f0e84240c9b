"""MkDocs hook (mkdocs.yml ``hooks:``): quiet builds.

mkdocs-macros lists, on every build, the module it found, its functions, variables, macros and
filters, at INFO level. This keeps its logger at WARNING, so its warnings and errors (a macro that
fails, an undefined variable) still show. Zensical loads no hooks and prints no such listing.
"""

from __future__ import annotations

import logging

MACROS_LOGGER = "mkdocs.plugins.mkdocs_macros"


def on_startup(command: str, dirty: bool) -> None:
    logging.getLogger(MACROS_LOGGER).setLevel(logging.WARNING)
