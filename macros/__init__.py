"""Macros module (mkdocs-macros under MkDocs, the macros extension under Zensical): hands the plan
catalogue and the calculators to the Markdown pages.

Glue only: every number comes from ``calculators``; this module formats and places it. A bad
catalogue, an unknown plan or add-on id, or a macro error stops the build with the reason.

``define_env`` keeps no state between calls and imports nothing from either engine: Zensical
calls it for every page, MkDocs once per build. What both engines need beyond the macros (the
browser runtime, the short links and redirects) is built before either runs, by ``make assets``
(macros/assets.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import calculators
from calculators.domain.catalogue import Catalogue
from calculators.domain.catalogue_errors import CatalogueError
from calculators.requests.catalogue import read_catalogue_file
from macros import conventions, feedback_counts, tables, widgets
from macros.currency import Money
from macros.environment import MacroEnvironment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOGUE = "catalogue/catalogue.yaml"
# The checked catalogue, written by `make assets` so that define_env, which Zensical calls for
# every page, need not parse the YAML again (macros/assets.py).
CATALOGUE_SNAPSHOT = Path("build") / "generated" / "catalogue.pickle"


class CatalogueLoadError(ValueError):
    """The catalogue cannot be used; the message names file, line, key path and reason."""


def catalogue_path(project_root: Path, extra: dict[str, Any] | None = None) -> Path:
    """The catalogue file: KB_CATALOGUE (another file, for a build or a test), else mkdocs.yml's."""
    configured = (extra or {}).get("catalogue", DEFAULT_CATALOGUE)
    return Path(os.environ.get("KB_CATALOGUE") or project_root / configured)


def load_catalogue(path: str | Path) -> Catalogue:
    """Read the YAML catalogue; raise CatalogueLoadError naming file, line, key path and reason."""
    try:
        return read_catalogue_file(path)
    except CatalogueError as error:
        raise CatalogueLoadError(str(error)) from None


def _snapshot_key(path: Path) -> tuple[str, str, str]:
    """What the snapshot was made from: the file, its bytes and the code that parsed them."""
    code = b"".join(p.read_bytes() for p in sorted(Path(calculators.__file__).parent.rglob("*.py")))
    return (
        str(path.resolve()),
        hashlib.sha256(path.read_bytes()).hexdigest(),
        hashlib.sha256(code).hexdigest(),
    )


def write_catalogue_snapshot(path: Path, snapshot: Path) -> Catalogue:
    """Read and check the catalogue once; keep it in ``snapshot`` for ``cached_catalogue``."""
    catalogue = load_catalogue(path)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write_bytes(pickle.dumps((_snapshot_key(path), catalogue)))
    return catalogue


def cached_catalogue(path: Path, snapshot: Path) -> Catalogue:
    """The snapshot's catalogue when it was made from this very file; else read it afresh
    (a catalogue edited under `make serve`, another KB_CATALOGUE, no `make assets` yet)."""
    try:
        key, catalogue = pickle.loads(snapshot.read_bytes())  # our own build output
        if key == _snapshot_key(path) and isinstance(catalogue, Catalogue):
            return catalogue
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass
    return load_catalogue(path)


def define_env(env: MacroEnvironment) -> None:
    path = catalogue_path(PROJECT_ROOT, env.conf.get("extra"))
    catalogue = cached_catalogue(path, PROJECT_ROOT / CATALOGUE_SNAPSHOT)
    register_catalogue(env, catalogue)
    conventions.register(env, catalogue)  # proration_conventions(): days counted and rounded
    widgets.register(env, catalogue, PROJECT_ROOT)
    feedback_counts.register(env)  # "N people found this page helpful", from the export
    # Catalogue text is untrusted: whatever a page prints with {{ ... }} is escaped, except the
    # Markdown and HTML the macros above build (they escape what they put in it).
    tables.trust_macro_results(env.macros)


def register_catalogue(env: MacroEnvironment, catalogue: Catalogue) -> None:
    """The catalogue's variables, views, tables and the money filter (see macros/tables.py)."""
    view = tables.CatalogueView(catalogue)

    env.variables["catalogue"] = tables.page_value(catalogue)
    env.variables["company"] = tables.page_value(catalogue.company)
    env.variables["policy"] = tables.page_value(view.policy)

    env.macro(view.plan, "plan")
    env.macro(view.addon, "addon")
    env.macro(view.plans, "plans")
    env.macro(view.addons, "addons")
    env.macro(view.resource, "resource")
    env.macro(view.support_level, "support_level")
    env.macro(view.feature, "feature")
    env.macro(view.currencies, "currencies")
    env.macro(view.default_currency, "default_currency")
    env.macro(view.site_currency, "site_currency")
    env.macro(Money(catalogue).each_currency, "each_currency")
    env.macro(view.change_rule, "change_rule")
    env.macro(tables.plan_table(catalogue), "plan_table")
    env.macro(tables.addon_table(catalogue), "addon_table")
    env.macro(tables.billing_rules_table(catalogue), "billing_rules_table")
    env.macro(tables.support_table(catalogue), "support_table")
    env.filter(view.money, "money")
    tables.register_policy(env, catalogue)
