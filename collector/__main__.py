"""Command line: `python -m collector serve | export | migrate` (settings: COLLECTOR_*).

- serve: the HTTP service on COLLECTOR_HOST:COLLECTOR_PORT (127.0.0.1:8001), `--workers N`
  processes against the one database.
- export: the public counts (kb-feedback-counts/1, as GET /counts answers) to a file or stdout,
  for `KB_FEEDBACK_COUNTS=<file> make build`.
- migrate: create or upgrade the database and exit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from collector.database import DatabaseUnavailable, Store, describe_url
from collector.schema import utc_text
from collector.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m collector",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    export = commands.add_parser("export", help="write the public counts as JSON")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    commands.add_parser("migrate", help="create or upgrade the database")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"collector: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(settings, args.workers)
    try:
        store = Store(settings.database)
        now = datetime.now(UTC)
        applied = store.migrate(now=utc_text(now))
        if args.command == "migrate":
            print(
                f"{describe_url(settings.database)}: schema version {store.schema_version()}"
                + (f" (applied {', '.join(map(str, applied))})" if applied else "")
            )
            return 0
        from collector.app import counts_document

        text = json.dumps(counts_document(store, now), indent=2, sort_keys=True) + "\n"
        store.close()
    except (ValueError, DatabaseUnavailable) as error:
        print(f"collector: {error}", file=sys.stderr)
        return 1
    if args.output:
        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)  # a build never reads a half-written export
        print(f"collector: counts written to {target}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _serve(settings: Settings, workers: int) -> int:
    import uvicorn

    print(
        f"collector: {describe_url(settings.database)} on http://{settings.host}:{settings.port}/"
        f" (origins allowed: {', '.join(settings.allowed_origins) or 'none'})",
        file=sys.stderr,
    )
    uvicorn.run(
        "collector.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
