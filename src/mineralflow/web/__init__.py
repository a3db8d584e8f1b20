"""The local, read-only web view of the ledger (Starlette on uvicorn), every page with a
``.json`` twin; :func:`get` renders one page without a server.

    >>> with Ledger.open("mineralflow.duckdb", read_only=True) as ledger:  # doctest: +SKIP
    ...     serve(ledger, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from .app import SECURITY_HEADERS, create_app, get, serve
from .pages import PageError, Rendered, Site, url

__all__ = ["SECURITY_HEADERS", "PageError", "Rendered", "Site", "create_app", "get", "serve", "url"]
