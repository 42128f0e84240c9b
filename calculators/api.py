"""The calculators' public JSON API: one pure function per calculator.

Every calculator takes a JSON-compatible request and returns a JSON-compatible response; on bad
input the response is ``{"errors": [{"field": ..., "message": ...}]}`` and nothing is raised.
The same functions serve the command line (``python -m calculators NAME``), the build-time macros
and the Web Worker in the browser.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, overload

from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.addons import AddonsResponse
from calculators.domain.contract_types.change import ChangeResponse
from calculators.domain.contract_types.compare import CompareResponse
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.growth import GrowthResponse
from calculators.domain.contract_types.prorate import ProrateResponse
from calculators.domain.contract_types.records import NoticeResponse, RecordResponse
from calculators.requests import untrusted
from calculators.requests.errors import join, single_error

# What a command answers: one of the contracts' responses, or the errors of its request.
Response = (
    ProrateResponse
    | CompareResponse
    | GrowthResponse
    | AddonsResponse
    | ChangeResponse
    | RecordResponse
    | NoticeResponse
    | ErrorResponse
)


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    function: str
    needs_catalogue: bool
    summary: str


COMMANDS: Final[Mapping[str, Command]] = {
    command.name: command
    for command in (
        Command(
            "prorate",
            "calculators.commands.prorate",
            "prorate",
            False,
            "prorated invoice lines for a plan, quantity or interval change",
        ),
        Command(
            "compare",
            "calculators.commands.compare",
            "compare",
            True,
            "every plan against what a customer needs, with the cheapest fit",
        ),
        Command(
            "growth",
            "calculators.commands.growth",
            "project",
            True,
            "usage growth month by month, when each plan runs out, and the cheapest path",
        ),
        Command(
            "addons",
            "calculators.commands.addons",
            "price_addons",
            True,
            "the itemised recurring total of a plan with add-ons",
        ),
        Command(
            "record",
            "calculators.commands.records",
            "record",
            True,
            "an audit record of a plan change (JSON, CSV row, ticket summary)",
        ),
        Command(
            "notice",
            "calculators.commands.records",
            "notice",
            True,
            "a draft notice to the customer about an upgrade or downgrade",
        ),
        Command(
            "change",
            "calculators.commands.change",
            "change",
            True,
            "what a change does: its kinds, the rule, proration and the credit balance",
        ),
    )
}


def read_request(data: bytes | str, *, what: str = "the request") -> object:
    """The request in JSON ``data``; ``untrusted.InputError`` (with its line) if it has none.

    Bytes must be UTF-8; the size, the nesting and the length of numbers are bounded
    (``calculators.requests.untrusted``), so what comes back can be given to ``run`` safely.
    """
    text = untrusted.decode(data, what=what) if isinstance(data, bytes) else data
    return untrusted.parse_json(text, what=what)


# The answer of each command by its name, so a caller that names its command gets that
# command's response type.
@overload
def run(
    name: Literal["prorate"], request: object, *, catalogue: Catalogue | None = None
) -> ProrateResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["compare"], request: object, *, catalogue: Catalogue | None = None
) -> CompareResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["growth"], request: object, *, catalogue: Catalogue | None = None
) -> GrowthResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["addons"], request: object, *, catalogue: Catalogue | None = None
) -> AddonsResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["record"], request: object, *, catalogue: Catalogue | None = None
) -> RecordResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["notice"], request: object, *, catalogue: Catalogue | None = None
) -> NoticeResponse | ErrorResponse: ...
@overload
def run(
    name: Literal["change"], request: object, *, catalogue: Catalogue | None = None
) -> ChangeResponse | ErrorResponse: ...
@overload
def run(name: str, request: object, *, catalogue: Catalogue | None = None) -> Response: ...
def run(name: str, request: object, *, catalogue: Catalogue | None = None) -> Response:
    """Run calculator ``name`` on ``request``; never raises for bad input."""
    command = COMMANDS.get(name)
    if command is None:
        return single_error("command", f"unknown calculator {name!r}; known: {', '.join(COMMANDS)}")
    # Bounded once here, so no calculator meets a number it cannot print or a nesting that
    # would exhaust the stack.
    oversized = untrusted.oversized(request)
    if oversized is not None:
        keys, reason = oversized
        return single_error(functools.reduce(_field, keys, ""), reason)
    function = load(command)
    if command.needs_catalogue:
        if catalogue is None:
            return single_error("catalogue", f"the {name} calculator needs the plan catalogue")
        return function(request, catalogue=catalogue)
    return function(request)


def _field(path: str, key: object) -> str:
    """A field's path as the calculators write it: "proration.lines[0].amount"."""
    return f"{path}[{key}]" if isinstance(key, int) else join(path, key)


def load(command: Command) -> Callable[..., Response]:
    module = importlib.import_module(command.module)
    function: Callable[..., Response] = getattr(module, command.function)
    return function
