"""Command line: ``python -m calculators NAME [--file request.json] [--catalogue FILE]``.

Reads the JSON request from standard input (or ``--file``), prints the JSON response, and exits
0 on a result, 2 when the response lists errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from calculators import api
from calculators.catalogue import Catalogue, CatalogueError, read_catalogue_file

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
        help="plan catalogue (.yaml needs PyYAML, .json does not); default: %(default)s",
    )
    args = parser.parse_args(argv)

    try:
        if args.file:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
        else:
            text = sys.stdin.read()
    except OSError as error:
        return _emit(api.error_response("file", f"cannot read {args.file}: {error.strerror}"))
    try:
        request = json.loads(text)
    except json.JSONDecodeError as error:
        return _emit(api.error_response("", f"the request is not valid JSON: {error}"))

    catalogue: Catalogue | None = None
    if api.COMMANDS[args.calculator].needs_catalogue:
        try:
            catalogue = read_catalogue_file(args.catalogue)
        except CatalogueError as error:
            return _emit(api.error_response("catalogue", str(error)))
    return _emit(api.run(args.calculator, request, catalogue=catalogue))


def _emit(response: api.Response) -> int:
    json.dump(response, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 2 if "errors" in response else 0


if __name__ == "__main__":
    raise SystemExit(main())
