"""Command line: ``python -m calculators NAME [--file request.json] [--catalogue FILE]``.

Reads the JSON request from standard input (or ``--file``), prints the JSON response, and exits
0 on a result, 2 when the response lists errors: a request that is not JSON (or not UTF-8, too
deep, with too long a number) and a bad catalogue are errors too, each a one-line message with
the file and the line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from calculators import api
from calculators.domain.catalogue import Catalogue
from calculators.domain.catalogue_errors import CatalogueError
from calculators.requests import untrusted
from calculators.requests.catalogue import read_catalogue_file
from calculators.requests.errors import single_error

DEFAULT_CATALOGUE = os.path.join("catalogue", "catalogue.yaml")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calculators",
        description="Plan-change calculators: JSON request in, JSON response out.",
        epilog="\n".join(f"  {c.name:<8} {c.summary}" for c in api.COMMANDS.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("calculator", choices=sorted(api.COMMANDS), help="which calculator")
    parser.add_argument("--file", help="read the request from this file instead of stdin")
    parser.add_argument(
        "--catalogue",
        default=os.environ.get("CALCULATORS_CATALOGUE", DEFAULT_CATALOGUE),
        help="plan catalogue (.yaml or .json); default: %(default)s",
    )
    args = parser.parse_args(argv)

    source = args.file or "standard input"
    try:
        if args.file:
            data = untrusted.read_file(args.file)
        else:
            data = untrusted.read_stream(sys.stdin.buffer)
    except OSError as error:
        return _emit(single_error("file", f"cannot read {source}: {error.strerror}"))
    try:
        request = api.read_request(data)
    except untrusted.InputError as error:
        where = f"{source}, line {error.line}" if error.line is not None else source
        return _emit(single_error("", f"{where}: {error.reason}"))

    catalogue: Catalogue | None = None
    if api.COMMANDS[args.calculator].needs_catalogue:
        try:
            catalogue = read_catalogue_file(args.catalogue)
        except CatalogueError as error:
            return _emit(
                {
                    "errors": [
                        {"field": "catalogue", "message": message} for message in error.messages
                    ]
                }
            )
    return _emit(api.run(args.calculator, request, catalogue=catalogue))


def _emit(response: api.Response) -> int:
    text = json.dumps(response, indent=2, ensure_ascii=False)
    # A lone surrogate from the request (JSON allows "\ud800") is printed escaped, not fatal.
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
    return 2 if "errors" in response else 0


if __name__ == "__main__":
    raise SystemExit(main())
