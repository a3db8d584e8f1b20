"""The local web view: a Starlette app on uvicorn over a ledger opened read-only.

Pages: ``/`` (products and their latest months), ``/products/P`` (its months and
partners), ``/products/P/YYYY-MM`` (the month: brief, charts, conflicts, claims,
figures), ``/products/P/partners/CODE`` (one partner's series), ``/sources``,
``/conflicts`` and ``/events`` (both take ``?product=P``). Add ``.json`` to any path for
the same page as data (``/index.json`` for the home page).

    >>> with Ledger.open("mineralflow.duckdb", read_only=True) as ledger:  # doctest: +SKIP
    ...     status, media_type, body = get(ledger, "/products/rare-earth-magnets.json")

No page runs a script or loads anything from elsewhere: every response carries a
Content-Security-Policy that forbids both.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import UsageError
from ..ledger import Ledger
from ..render.html import css
from .pages import MAX_VALUE, Site

__all__ = ["SECURITY_HEADERS", "create_app", "get", "serve"]

MAX_QUERY = 4 * MAX_VALUE
MAX_PATH = 8 * MAX_VALUE
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}


class _SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in SECURITY_HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(ledger: Ledger) -> ASGIApp:
    """The ASGI app serving ``ledger``'s pages; the ledger must be open read-only."""
    if not ledger.read_only:
        raise UsageError(
            "the web view serves a ledger opened read-only; open it with "
            "Ledger.open(path, read_only=True)"
        )
    site = Site(ledger)

    def respond(status: int, media_type: str, body: bytes) -> Response:
        return Response(body, status_code=status, media_type=media_type)

    async def page(request: Request) -> Response:
        path: str = request.scope["path"]
        raw_query = request.scope.get("query_string", b"")
        as_json = path.endswith(".json")
        if len(path) > MAX_PATH or len(raw_query) > MAX_QUERY:
            r = site.error(400, "the address is too long", as_json=as_json)
            return respond(r.status, r.media_type, r.body)
        query: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            query.setdefault(name, []).append(value)
        # A page rendered before is answered here; a new one is built in a worker thread.
        page = site.cached(path, query)
        if page is None:
            page = await run_in_threadpool(site.render, path, query)
        return respond(page.status, page.media_type, page.body)

    async def stylesheet(request: Request) -> Response:
        return Response(str(css()), media_type="text/css; charset=utf-8")

    async def no_icon(request: Request) -> Response:
        # Browsers ask for an icon even on JSON pages; answer "nothing" rather than 404.
        return Response(status_code=204)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = {
            404: "there is no page at this address",
            405: "this site only answers GET (and HEAD): it is read-only",
        }.get(status, "the request could not be answered")
        r = site.error(status, message, as_json=request.scope["path"].endswith(".json"))
        headers = {"allow": "GET, HEAD"} if status == 405 else None
        return Response(r.body, status_code=status, media_type=r.media_type, headers=headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server's log; the page says only that it failed.
        r = site.error(500, "the page failed to render; the server log has the details")
        return Response(r.body, status_code=500, media_type=r.media_type)

    app = Starlette(
        routes=[
            Route("/static/style.css", stylesheet),
            Route("/favicon.ico", no_icon),
            Route("/{path:path}", page),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
    )
    return _SecurityHeaders(app)


def get(ledger: Ledger, path: str) -> tuple[int, str, bytes]:
    """Render one page without a server, as a browser would ask for it: returns
    (status, media type, body). ``path`` is the URL path, with a query if any."""
    if not path.startswith("/"):
        raise UsageError(f"--get takes a path that starts with '/', e.g. /index.json; got {path!r}")
    parts = urlsplit(path)
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(parts.path),
        "raw_path": parts.path.encode("utf-8", "replace"),
        "query_string": parts.query.encode("utf-8", "replace"),
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    app = create_app(ledger)
    start: dict[str, Any] = {}
    body = bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    async def call() -> None:
        await app(scope, receive, send)

    asyncio.run(call())
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    return int(start["status"]), headers.get("content-type", ""), bytes(body)


def serve(
    ledger: Ledger, *, host: str = "127.0.0.1", port: int = 8000, access_log: bool = True
) -> None:
    """Serve ``ledger`` (opened read-only) until interrupted."""
    import uvicorn  # only a running server needs it (not `serve --get`)

    uvicorn.run(
        create_app(ledger),
        host=host,
        port=port,
        access_log=access_log,
        server_header=False,
        log_level="info",
    )
