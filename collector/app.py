"""The collector's HTTP interface (ASGI, Starlette): votes and zero-result searches in, public
counts and the support team's report out.

- `POST /votes`: one kb-feedback/1 vote (calculators/contracts/feedback.md); the same `id` again
  replaces the earlier answer. `POST /searches`: one kb-search/1 query. Both 202 when stored.
- `GET /counts`: kb-feedback-counts/1, every page's helpful / not helpful votes, keyed by path.
- `GET /report` (HTML), `/report.csv`, `/report/weeks.csv`, `/report/searches.csv`: only with
  the token (`Authorization: Bearer <token>`, or HTTP Basic with the token as password).
- `GET /health`: the schema version, for start-up checks.

Bad input is a 4xx whose JSON body names the field and the reason, never a 500: 400 bad JSON or
field, 403 origin not allowed, 409 id used on another page, 413 body too large, 415 not JSON,
429 too many requests (with Retry-After). A database that cannot be reached is a 503.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from collector import report as reports
from collector.database import DatabaseUnavailable, Store, VoteConflict
from collector.ratelimit import RateLimiter
from collector.schema import (
    COUNTS_SCHEMA,
    InvalidInput,
    parse_json,
    parse_search,
    parse_vote,
    utc_text,
)
from collector.settings import Settings

log = logging.getLogger("collector")
Clock = Callable[[], datetime]
Record = TypeVar("Record")

REPORT_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Refused(Exception):
    """A request answered with a 4xx and a reason."""

    def __init__(
        self, status: int, reason: str, field: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(reason)
        self.status, self.reason, self.field, self.headers = status, reason, field, headers


def counts_document(store: Store, now: datetime) -> dict[str, Any]:
    """What GET /counts answers and `python -m collector export` writes."""
    return {
        "schema": COUNTS_SCHEMA,
        "generated_at": utc_text(now),
        "pages": {
            path: {"helpful": count.helpful, "not_helpful": count.not_helpful}
            for path, count in store.counts().items()
        },
    }


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None
) -> Starlette:
    """The ASGI app. Without arguments (uvicorn's factory), everything comes from COLLECTOR_*."""
    settings = settings or Settings.from_env()
    now = clock or (lambda: datetime.now(UTC))
    limiter = RateLimiter(settings.rate_per_minute)
    allowed_origins = set(settings.allowed_origins)
    holder: dict[str, Store] = {}

    def current_store() -> Store:
        return holder["store"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = store or Store(settings.database)
        await run_in_threadpool(opened.migrate, now=utc_text(now()))
        holder["store"] = opened
        yield
        if store is None:
            opened.close()

    def client_address(request: Request) -> str:
        if settings.trust_proxy:
            forwarded = request.headers.get("x-forwarded-for", "")
            if forwarded.strip():
                return forwarded.split(",")[-1].strip()
        return request.client.host if request.client else ""

    def check_rate(request: Request) -> None:
        wait = limiter.retry_after(client_address(request))
        if wait:
            raise Refused(
                429,
                "too many requests: wait and try again",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

    def check_origin(request: Request) -> None:
        # Browsers send Origin on cross-site POSTs; a page from another site may not vote.
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") not in allowed_origins:
            raise Refused(403, f"origin {origin!r} may not send feedback here")

    async def json_body(request: Request) -> Any:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise Refused(415, "send the record as Content-Type: application/json")
        declared = request.headers.get("content-length")
        if declared is not None and (
            not declared.isdigit() or int(declared) > settings.max_body_bytes
        ):
            raise Refused(413, f"the body is larger than {settings.max_body_bytes} bytes")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > settings.max_body_bytes:
                    raise Refused(413, f"the body is larger than {settings.max_body_bytes} bytes")
        except ClientDisconnect:
            raise Refused(400, "the request body was cut off") from None
        try:
            return parse_json(bytes(body))
        except InvalidInput as error:
            raise Refused(400, error.reason, error.field) from None

    async def received(request: Request, parse: Callable[[Any], Record]) -> Record:
        """The record a page sent: from an allowed origin, within the rate, valid."""
        check_origin(request)
        check_rate(request)
        data = await json_body(request)
        try:
            return parse(data)
        except InvalidInput as error:
            raise Refused(400, error.reason, error.field) from None

    async def post_vote(request: Request) -> Response:
        vote = await received(request, parse_vote)
        try:
            latest = await run_in_threadpool(
                current_store().record_vote, vote, received_at=utc_text(now())
            )
        except VoteConflict as error:
            raise Refused(409, str(error), "id") from None
        answer = "stored" if latest else "kept: a later answer for this id is already stored"
        return JSONResponse({"status": answer}, status_code=202)

    async def post_search(request: Request) -> Response:
        search = await received(request, parse_search)
        day = now().astimezone(UTC).date().isoformat()
        await run_in_threadpool(current_store().record_search, search, day=day)
        return JSONResponse({"status": "stored"}, status_code=202)

    async def get_counts(request: Request) -> Response:
        document = await run_in_threadpool(counts_document, current_store(), now())
        return JSONResponse(document, headers={"Cache-Control": "public, max-age=60"})

    async def health(request: Request) -> Response:
        version = await run_in_threadpool(current_store().schema_version)
        return JSONResponse({"status": "ok", "schema_version": version})

    def check_token(request: Request) -> None:
        check_rate(request)  # guessing the token costs a request like any other
        if not settings.report_token:
            raise Refused(403, "the report is switched off: set COLLECTOR_REPORT_TOKEN")
        given = _presented_token(request.headers.get("authorization", ""))
        expected = settings.report_token.encode("utf-8")
        if given is None or not hmac.compare_digest(given, expected):
            raise Refused(
                401,
                "the report needs the token",
                headers={"WWW-Authenticate": 'Basic realm="feedback report"'},
            )

    def report_view(
        render: Callable[[reports.Report], str], media_type: str, filename: str | None = None
    ) -> Callable[[Request], Awaitable[Response]]:
        async def view(request: Request) -> Response:
            check_token(request)
            today = now().astimezone(UTC).date()
            built = await run_in_threadpool(reports.build_report, current_store(), today)
            headers = dict(REPORT_HEADERS)
            if filename:
                headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            return Response(render(built), media_type=media_type, headers=headers)

        return view

    async def report_css(request: Request) -> Response:
        return Response(reports.STYLESHEET, media_type="text/css", headers=REPORT_HEADERS)

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        body = {"error": error.reason} | ({"field": error.field} if error.field else {})
        return JSONResponse(body, status_code=error.status, headers=error.headers)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return JSONResponse(
            {"error": error.detail}, status_code=error.status_code, headers=error.headers
        )

    async def unavailable(request: Request, error: Exception) -> Response:
        log.warning("database unavailable: %s", error)
        return JSONResponse(
            {"error": "the feedback database is busy or unreachable: try again"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    async def unexpected(request: Request, error: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return PlainTextResponse("the collector could not handle this request", status_code=503)

    csv_type = "text/csv; charset=utf-8"
    routes = [
        Route("/votes", post_vote, methods=["POST"]),
        Route("/searches", post_search, methods=["POST"]),
        Route("/counts", get_counts, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route(
            "/report", report_view(reports.report_html, "text/html; charset=utf-8"), methods=["GET"]
        ),
        Route("/report.css", report_css, methods=["GET"]),
        Route(
            "/report.csv",
            report_view(reports.articles_csv, csv_type, "articles.csv"),
            methods=["GET"],
        ),
        Route(
            "/report/weeks.csv",
            report_view(reports.weeks_csv, csv_type, "weeks.csv"),
            methods=["GET"],
        ),
        Route(
            "/report/searches.csv",
            report_view(reports.searches_csv, csv_type, "searches.csv"),
            methods=["GET"],
        ),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            Refused: refused,
            HTTPException: http_error,
            DatabaseUnavailable: unavailable,
            Exception: unexpected,
        },
    )


def _presented_token(header: str) -> bytes | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip().encode("utf-8")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2].encode("utf-8")  # any user name, the token as password
    return None
