"""Reads the catalogue's items: company, currencies, resources, features, plans, add-ons."""

from __future__ import annotations

from decimal import Decimal

from calculators.domain import money
from calculators.domain.catalogue import (
    INTERVALS,
    AddOn,
    Company,
    Currency,
    Feature,
    Plan,
    Resource,
    SupportLevel,
)
from calculators.requests.catalogue_base import CURRENCY_CODE, Invalid, ReaderContext, key_path
from calculators.requests.catalogue_policy import PolicyReader


class ItemsReader(PolicyReader):
    """Reads the catalogue's items, from the company to the plans and add-ons."""

    def company(self, value: object, path: str) -> Company:
        names = (
            "name",
            "product",
            "account_area",
            "support_email",
            "support_form_url",
            "sales_email",
            "status_page_url",
        )
        raw = self.mapping(value, path, required=names)
        texts = {
            name: self.attempt(key_path(path, name), self.text, raw.get(name), key_path(path, name))
            for name in names
        }
        if any(v is None for v in texts.values()):
            raise Invalid(path)
        return Company(**texts)

    def currencies(self, value: object, path: str) -> dict[str, Currency]:
        raw = self.mapping(value, path, free_keys=True)
        if not raw:
            raise self.fail(path, "list at least one currency")
        result: dict[str, Currency] = {}
        for code, spec in raw.items():
            where = key_path(path, str(code))
            if not isinstance(code, str) or not CURRENCY_CODE.fullmatch(code):
                self.fail(where, f"{code!r} is not an ISO 4217 code of three capital letters")
                continue
            try:
                item = self.mapping(spec, where, required=("name", "minor_unit"))
                name = self.text(item.get("name"), key_path(where, "name"))
                unit = self.integer(item.get("minor_unit"), key_path(where, "minor_unit"))
            except Invalid:
                continue
            if unit > 4:
                self.fail(key_path(where, "minor_unit"), f"must be 0 to 4, got {unit}")
                continue
            iso = money.ISO_4217_MINOR_UNITS.get(code)
            if iso is not None and iso != unit:
                self.fail(
                    key_path(where, "minor_unit"),
                    f"ISO 4217 gives {code} {iso} decimals, not {unit}",
                )
                continue
            result[code] = Currency(code=code, name=name, minor_unit=unit)
        return result

    def intervals(self, value: object, path: str) -> tuple[str, ...]:
        items = self.sequence(value, path)
        result = []
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            chosen = self.attempt(where, self.choice, item, where, INTERVALS)
            if chosen in result:
                self.fail(where, f"duplicate interval {chosen!r}")
            elif chosen is not None:
                result.append(chosen)
        if not result:
            raise self.fail(path, "list at least one billing interval")
        return tuple(result)

    def resources(self, value: object, path: str) -> tuple[Resource, ...]:
        raw = self.mapping(value, path, free_keys=True)
        result = []
        for key, spec in raw.items():
            where = key_path(path, str(key))
            try:
                rid = self.ident(key, where)
                item = self.mapping(spec, where, required=("label", "unit", "description"))
                result.append(
                    Resource(
                        id=rid,
                        label=self.text(item.get("label"), key_path(where, "label")),
                        unit=self.text(item.get("unit"), key_path(where, "unit")),
                        description=self.text(
                            item.get("description"), key_path(where, "description")
                        ),
                    )
                )
            except Invalid:
                continue
        return tuple(result)

    def support_levels(self, value: object, path: str) -> tuple[SupportLevel, ...]:
        items = self.sequence(value, path)
        result = []
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(
                    spec, where, required=("id", "label", "first_response_hours", "channels")
                )
                hours = item.get("first_response_hours")
                channels = self.sequence(item.get("channels"), key_path(where, "channels"))
                result.append(
                    SupportLevel(
                        id=self.ident(item.get("id"), key_path(where, "id")),
                        label=self.text(item.get("label"), key_path(where, "label")),
                        rank=index,
                        first_response_hours=None
                        if hours is None
                        else self.integer(
                            hours, key_path(where, "first_response_hours"), minimum=1
                        ),
                        channels=tuple(
                            self.text(c, f"{where}.channels[{i}]") for i, c in enumerate(channels)
                        ),
                    )
                )
            except Invalid:
                continue
        self.unique([(f"{path}[{i}].id", s.id) for i, s in enumerate(result)], "support level")
        return tuple(result)

    def features(self, value: object, path: str) -> dict[str, Feature]:
        raw = self.mapping(value, path, free_keys=True)
        result = {}
        for key, spec in raw.items():
            where = key_path(path, str(key))
            try:
                fid = self.ident(key, where)
                item = self.mapping(spec, where, required=("label", "description"))
                result[fid] = Feature(
                    id=fid,
                    label=self.text(item.get("label"), key_path(where, "label")),
                    description=self.text(item.get("description"), key_path(where, "description")),
                )
            except Invalid:
                continue
        return result

    def prices(
        self, value: object, path: str, context: ReaderContext, *, required: bool
    ) -> dict[str, dict[str, Decimal]]:
        raw = self.mapping(value, path, free_keys=True)
        result: dict[str, dict[str, Decimal]] = {}
        for interval in raw:
            if interval not in context.intervals:
                self.fail(
                    key_path(path, str(interval)),
                    f"unknown interval {interval!r} (the "
                    f"catalogue's intervals: {', '.join(context.intervals)})",
                )
        if not required and not raw:
            return result
        for interval in context.intervals:
            where = key_path(path, interval)
            if interval not in raw:
                self.fail(where, "missing prices for this interval")
                continue
            try:
                by_code = self.mapping(raw[interval], where, free_keys=True)
            except Invalid:
                continue
            result[interval] = {}
            for code in by_code:
                if code not in context.currencies:
                    self.fail(
                        key_path(where, str(code)),
                        f"unknown currency {code!r} (add it under currencies first)",
                    )
            for code in context.currencies:
                if code not in by_code:
                    self.fail(
                        key_path(where, code),
                        "missing price (every currency needs a price for every interval)",
                    )
                    continue
                amount = self.attempt(
                    key_path(where, code),
                    self.amount,
                    by_code[code],
                    key_path(where, code),
                    code,
                    context.units,
                )
                if amount is not None:
                    result[interval][code] = amount
        return result

    def plans(self, value: object, path: str, context: ReaderContext) -> tuple[Plan, ...]:
        items = self.sequence(value, path)
        result = []
        keys = ("id", "name", "summary", "self_serve", "prices", "limits", "support", "features")
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(spec, where, required=keys)
                self_serve = self.boolean(item.get("self_serve"), key_path(where, "self_serve"))
                prices = self.prices(
                    item.get("prices"), key_path(where, "prices"), context, required=self_serve
                )
                limits = self.limits(
                    item.get("limits"), key_path(where, "limits"), context, self_serve=self_serve
                )
                features = self.id_list(
                    item.get("features"), key_path(where, "features"), context.features, "feature"
                )
                result.append(
                    Plan(
                        id=self.ident(item.get("id"), key_path(where, "id")),
                        name=self.text(item.get("name"), key_path(where, "name")),
                        summary=self.text(item.get("summary"), key_path(where, "summary")),
                        rank=index,
                        self_serve=self_serve,
                        prices=prices,
                        limits=limits,
                        support=self.choice(
                            item.get("support"), key_path(where, "support"), context.support_levels
                        ),
                        features=frozenset(features),
                    )
                )
            except Invalid:
                continue
        self.unique([(f"{path}[{i}].id", p.id) for i, p in enumerate(result)], "plan")
        if items and not any(p.self_serve for p in result):
            self.fail(path, "at least one plan must be self_serve: true")
        return tuple(result)

    def limits(
        self, value: object, path: str, context: ReaderContext, *, self_serve: bool
    ) -> dict[str, int | None]:
        raw = self.mapping(value, path, required=context.resources)
        result: dict[str, int | None] = {}
        for rid in context.resources:
            where = key_path(path, rid)
            if rid not in raw:
                continue
            limit = raw[rid]
            if limit is None:
                if self_serve:
                    self.fail(
                        where,
                        "a self-serve plan needs a number here (null means a limit "
                        "set by contract)",
                    )
                result[rid] = None
                continue
            number = self.attempt(where, self.integer, limit, where, minimum=0)
            if number is not None:
                result[rid] = number
        return result

    def addons(self, value: object, path: str, context: ReaderContext) -> tuple[AddOn, ...]:
        items = self.sequence(value, path)
        result = []
        keys = (
            "id",
            "name",
            "description",
            "grants",
            "prices",
            "max_quantity",
            "available_on",
            "included_in",
        )
        for index, spec in enumerate(items):
            where = f"{path}[{index}]"
            try:
                item = self.mapping(spec, where, required=keys)
                grants_path = key_path(where, "grants")
                grants = self.mapping(
                    item.get("grants"), grants_path, optional=("resource", "unit_size", "feature")
                )
                resource = feature = None
                unit_size = 1
                if "resource" in grants:
                    resource = self.choice(
                        grants["resource"], key_path(grants_path, "resource"), context.resources
                    )
                    unit_size = self.integer(
                        grants.get("unit_size"), key_path(grants_path, "unit_size"), minimum=1
                    )
                    if "feature" in grants:
                        self.fail(grants_path, "grant a resource or a feature, not both")
                elif "feature" in grants:
                    feature = self.choice(
                        grants["feature"], key_path(grants_path, "feature"), context.features
                    )
                    if "unit_size" in grants:
                        self.fail(
                            key_path(grants_path, "unit_size"),
                            "only resource add-ons have a unit size",
                        )
                else:
                    raise self.fail(
                        grants_path, "must grant a resource (with unit_size) or a feature"
                    )
                available = self.id_list(
                    item.get("available_on"), key_path(where, "available_on"), context.plans, "plan"
                )
                included = self.id_list(
                    item.get("included_in"), key_path(where, "included_in"), context.plans, "plan"
                )
                for plan_id in set(available) & set(included):
                    self.fail(
                        key_path(where, "available_on"),
                        f"plan {plan_id!r} both includes this add-on and sells it",
                    )
                max_quantity = self.integer(
                    item.get("max_quantity"), key_path(where, "max_quantity"), minimum=1
                )
                if feature is not None and max_quantity != 1:
                    self.fail(
                        key_path(where, "max_quantity"),
                        "a feature add-on is bought once: max_quantity must be 1",
                    )
                result.append(
                    AddOn(
                        id=self.ident(item.get("id"), key_path(where, "id")),
                        name=self.text(item.get("name"), key_path(where, "name")),
                        description=self.text(
                            item.get("description"), key_path(where, "description")
                        ),
                        resource=resource,
                        unit_size=unit_size,
                        feature=feature,
                        prices=self.prices(
                            item.get("prices"), key_path(where, "prices"), context, required=True
                        ),
                        max_quantity=max_quantity,
                        available_on=frozenset(available),
                        included_in=frozenset(included),
                    )
                )
            except Invalid:
                continue
        self.unique([(f"{path}[{i}].id", a.id) for i, a in enumerate(result)], "add-on")
        return tuple(result)
