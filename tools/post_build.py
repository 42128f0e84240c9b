"""After either engine has built the site: the steps that read or rewrite the built pages.

1. The search index (``tools/search_index.py``), from the text readers see.
2. The redirect pages (``tools/redirect_pages.py``), rewritten to run under the strict CSP.

Under MkDocs this module is a hook (mkdocs.yml ``hooks:``, after the plugins, so after the
redirects plugin has written its pages): every ``mkdocs build`` and ``mkdocs serve`` rebuild
runs both steps. Zensical loads no hooks, so ``make build`` and the tests run
``python -m tools.post_build SITE_DIR`` after it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from calculators.requests.catalogue import read_catalogue_file
from tools.redirect_pages import RedirectPageError, rewrite_redirect_pages
from tools.search_index import SearchIndexError, build_search

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class PostBuildError(ValueError):
    """A post-build step failed; the message says which and why."""


def post_build(site_dir: Path, extra: Mapping[str, Any], project_root: Path) -> Path:
    """Run every step on ``site_dir``; ``extra`` is mkdocs.yml's ``extra``. Returns the index."""
    catalogue_file = os.environ.get("KB_CATALOGUE") or project_root / extra.get(
        "catalogue", "catalogue/catalogue.yaml"
    )
    try:
        index = build_search(
            site_dir,
            catalogue=read_catalogue_file(catalogue_file),
            search_synonyms=extra.get("search_synonyms"),
        )
        rewrite_redirect_pages(site_dir)
    except (SearchIndexError, RedirectPageError, OSError, ValueError) as error:
        raise PostBuildError(str(error)) from None
    return index


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml, with its !ENV and !relative tags resolved as MkDocs resolves them."""
    from mkdocs.utils.yaml import yaml_load

    with config_file.open(encoding="utf-8") as stream:
        return dict(yaml_load(stream) or {})


def main(arguments: Sequence[str] | None = None) -> int:
    """``python -m tools.post_build SITE_DIR [CONFIG]``: after a build by either engine."""
    args = list(sys.argv[1:] if arguments is None else arguments)
    if not args or len(args) > 2:
        print("usage: python -m tools.post_build SITE_DIR [mkdocs.yml]", file=sys.stderr)
        return 2
    config_file = Path(args[1]) if len(args) > 1 else PROJECT_ROOT / "mkdocs.yml"
    extra = read_config(config_file).get("extra") or {}
    try:
        index = post_build(Path(args[0]), extra, config_file.parent)
    except PostBuildError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"search index: {index}")
    return 0


def on_post_build(config: Any) -> None:
    """MkDocs hook: the steps on the site just built (``mkdocs build``, each serve rebuild)."""
    from mkdocs.exceptions import PluginError

    try:
        post_build(Path(config["site_dir"]), config.get("extra") or {}, PROJECT_ROOT)
    except PostBuildError as error:
        raise PluginError(str(error)) from None


if __name__ == "__main__":
    sys.exit(main())
