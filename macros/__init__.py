"""mkdocs-macros module: hands the plan catalogue and the calculators to the Markdown pages.

Glue only: every number comes from ``calculators``; this module formats and places it. A bad
catalogue, an unknown plan or add-on id, or a macro error stops the build with the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from calculators.catalogue import Catalogue, CatalogueError, parse_catalogue
from macros import tables
from macros.catalogue_file import read_yaml_catalogue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOGUE = "catalogue/catalogue.yaml"


def load_catalogue(path: str | Path) -> Catalogue:
    """Read the YAML catalogue; raise PluginError naming file, line, key path and reason."""
    try:
        data, locate = read_yaml_catalogue(Path(path))
    except CatalogueError as error:
        raise PluginError(str(error)) from None
    try:
        return parse_catalogue(data, source=str(path))
    except CatalogueError as error:
        lines = [f"{error.source}: the catalogue has {len(error.problems)} problem(s):"]
        for key_path, reason in error.problems:
            line = locate(key_path)
            where = f"{error.source}, line {line}" if line else error.source
            lines.append(f"  {where}: {key_path or '(top level)'}: {reason}")
        raise PluginError("\n".join(lines)) from None


def define_env(env: Any) -> None:
    extra = env.conf.get("extra") or {}
    # KB_CATALOGUE lets a build (or a test) use another catalogue file without editing mkdocs.yml.
    catalogue_path = Path(os.environ.get("KB_CATALOGUE") or
                          PROJECT_ROOT / extra.get("catalogue", DEFAULT_CATALOGUE))
    catalogue = load_catalogue(catalogue_path)
    view = tables.CatalogueView(catalogue)

    env.variables["catalogue"] = catalogue
    env.variables["company"] = catalogue.company
    env.variables["policy"] = view.policy
    # Theme templates without a page (overrides/404.html) read the support contact from here.
    extra["kb_support"] = {"company": catalogue.company.name,
                           "email": catalogue.company.support_email,
                           "form_url": catalogue.company.support_form_url}  # fmt: skip

    env.macro(view.plan, "plan")
    env.macro(view.addon, "addon")
    env.macro(view.plans, "plans")
    env.macro(view.addons, "addons")
    env.macro(view.resource, "resource")
    env.macro(view.support_level, "support_level")
    env.macro(view.feature, "feature")
    env.macro(view.currencies, "currencies")
    env.macro(view.default_currency, "default_currency")
    env.macro(view.change_rule, "change_rule")
    env.macro(tables.plan_table(catalogue), "plan_table")
    env.macro(tables.addon_table(catalogue), "addon_table")
    env.macro(tables.billing_rules_table(catalogue), "billing_rules_table")
    env.macro(tables.support_table(catalogue), "support_table")
    env.filter(view.money, "money")

    _register_calculators(env, catalogue)
    _register_links(env)


# Short links and redirects of the current build (mkdocs serve rebuilds call define_env again).
_LINKS: dict[str, Any] = {}


def _register_links(env: Any) -> None:
    from macros import links

    docs_dir = Path(env.conf["docs_dir"])
    extra = env.conf.get("extra") or {}
    try:
        short = links.short_links(env.conf.get("nav") or [], docs_dir)
        redirects = links.read_redirects(extra.get("redirects"), docs_dir)
    except (OSError, ValueError) as error:
        raise PluginError(f"permanent links: {error}") from None
    _LINKS.clear()
    _LINKS.update(short=short, redirects=redirects,
                  by_source={link.source: link for link in short.values()},
                  synonyms=extra.get("search_synonyms") or {})  # fmt: skip


def on_pre_page_macros(env: Any) -> None:
    """Give each page its short address and renamed anchors (read by overrides/main.html)."""
    from macros import links

    source = env.page.file.src_uri
    link = _LINKS.get("by_source", {}).get(source)
    if link is not None:
        env.page.meta["kb_short"] = link.key
        env.page.meta["kb_number"] = link.number
    renamed = _LINKS["redirects"].anchors.get(links.page_url(source), {})
    env.page.meta["kb_anchor_redirects"] = json.dumps(renamed, sort_keys=True)


def on_post_page_macros(env: Any) -> None:
    """Let search find each page by the words readers use (mkdocs.yml extra.search_synonyms)."""
    from macros import search

    env.markdown = search.add_synonyms(env.markdown, _LINKS.get("synonyms", {}))


def _register_calculators(env: Any, catalogue: Catalogue) -> None:
    """Calculator widgets and build-time worked examples (see macros/widgets.py)."""
    from macros import widgets

    widgets.register(env, catalogue)


def on_post_build(env: Any) -> None:
    """Copy the browser runtime (Pyodide, stdlib, calculators wheel) into the built site."""
    from macros import links, widgets

    widgets.post_build(env)
    links.write_redirects(Path(env.conf["site_dir"]), _LINKS["short"], _LINKS["redirects"])
