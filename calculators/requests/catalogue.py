"""Reads and validates the catalogue file into a ``Catalogue``; every problem names the file, the
line and the key path."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from calculators.domain.catalogue import SCHEMA_VERSION, Catalogue
from calculators.domain.catalogue_errors import CatalogueError
from calculators.requests import untrusted
from calculators.requests.catalogue_base import Invalid, ReaderContext
from calculators.requests.catalogue_items import ItemsReader
from calculators.requests.yaml_scanner import YamlError
from calculators.requests.yaml_subset import Document, parse


def read_catalogue_file(path: str | Path) -> Catalogue:
    """Read and validate a catalogue file (.yaml/.yml, or .json); every problem with its line."""
    source = str(path)
    try:
        text = untrusted.decode(untrusted.read_file(path))
        if source.endswith((".yaml", ".yml")):
            document = parse(text)
        else:
            document = Document(untrusted.parse_json(text, what="the catalogue"), {})
    except OSError as error:
        raise CatalogueError(source, [("", f"cannot read the file: {error.strerror}")]) from None
    except untrusted.InputError as error:
        where = error.path if isinstance(error, YamlError) else ""
        raise CatalogueError(source, [(where, error.reason)], lines=[error.line]) from None
    try:
        return parse_catalogue(document.data, source=source)
    except CatalogueError as error:
        lines = [document.line_of(key_path) for key_path, _ in error.problems]
        raise CatalogueError(source, error.problems, lines=lines) from None


def parse_catalogue(data: object, *, source: str) -> Catalogue:
    """Validate ``data`` and build the catalogue; raise ``CatalogueError`` listing every problem."""
    return _Reader(source).catalogue(data)


class _Reader(ItemsReader):
    def catalogue(self, data: object) -> Catalogue:
        sections = (
            "schema_version",
            "company",
            "currencies",
            "default_currency",
            "intervals",
            "resources",
            "support_levels",
            "features",
            "plans",
            "addons",
            "policy",
        )
        try:
            root = self.mapping(data, "", required=sections)
        except Invalid:
            raise CatalogueError(self.source, self.problems) from None
        get = root.get
        if "schema_version" in root and get("schema_version") != SCHEMA_VERSION:
            self.fail("schema_version", f"must be {SCHEMA_VERSION}, got {get('schema_version')!r}")
        company = self.attempt("company", self.company, get("company"), "company")
        currencies = self.attempt("currencies", self.currencies, get("currencies"), "currencies")
        currencies = currencies or {}
        units = {code: c.minor_unit for code, c in currencies.items()}
        default_currency = self.attempt(
            "default_currency",
            self.choice,
            get("default_currency"),
            "default_currency",
            list(currencies) or ["(a currency listed under currencies)"],
        )
        intervals = self.attempt("intervals", self.intervals, get("intervals"), "intervals") or ()
        resources = self.attempt("resources", self.resources, get("resources"), "resources") or ()
        support_levels = (
            self.attempt(
                "support_levels", self.support_levels, get("support_levels"), "support_levels"
            )
            or ()
        )
        features = self.attempt("features", self.features, get("features"), "features") or {}
        context = ReaderContext(
            currencies=tuple(currencies),
            units=units,
            intervals=intervals,
            resources=tuple(r.id for r in resources),
            support_levels=tuple(s.id for s in support_levels),
            features=tuple(features),
        )
        plans = self.attempt("plans", self.plans, get("plans"), "plans", context) or ()
        context.plans = tuple(p.id for p in plans)
        addons = self.attempt("addons", self.addons, get("addons"), "addons", context) or ()
        policy = self.attempt("policy", self.policy, get("policy"), "policy", context)
        if self.problems:
            raise CatalogueError(self.source, self.problems)
        return Catalogue(
            source=self.source,
            company=company,
            currencies=currencies,
            default_currency=default_currency,
            intervals=intervals,
            resources=resources,
            support_levels=support_levels,
            features=features,
            plans=plans,
            addons=addons,
            policy=policy,
            data=_plain(root),
        )


def _plain(value: object) -> Any:
    """A JSON-compatible copy (YAML may give tuples or subclasses)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
