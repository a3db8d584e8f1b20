"""The pages of the local web view, each as data (its ``.json`` twin) and as HTML.

:class:`Site` builds a page from the read-only ledger, renders it, and keeps the result:
a ledger opened read-only cannot change while it is open (DuckDB refuses a writer while a
reader holds the file), so a page built once stays true for the life of the server::

    >>> site = Site(Ledger.open("mineralflow.duckdb", read_only=True))  # doctest: +SKIP
    >>> site.render("/products/rare-earth-magnets/2025-06.json").status  # doctest: +SKIP
    200

Every value that arrives in a URL is checked against the catalog and the ledger before it
reaches a query; anything else is a :class:`PageError` (404 or 400) with a page that says
what exists.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import catalog
from ..coverage import coverage, latest_month
from ..errors import MineralflowError
from ..ledger import Ledger
from ..render import data
from ..render.html import page_environment

if TYPE_CHECKING:
    from ..render.charts import Chart

__all__ = ["MAX_VALUE", "PageError", "Rendered", "Site", "chart_url", "url"]

MAX_VALUE = 100  # longest product, period, partner or query value a page accepts
CACHE_PAGES = 512
_PRODUCT = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PARTNER = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
# A chart of a month or partner page, drawn on its own: <page>/charts/<key>.svg
_CHART = re.compile(
    r"^(/products/[^/]+/(?:[^/]+|partners/[^/]+))/charts/([A-Za-z0-9-]{1,64})\.svg$"
)


class PageError(Exception):
    """A request the site cannot answer: ``status`` 404 (no such thing) or 400 (malformed),
    with a message that says what exists and links to go on from."""

    def __init__(self, status: int, message: str, links: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.links = links


@dataclass(frozen=True)
class Rendered:
    """A rendered page: status, media type and body."""

    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Page:
    """A page before rendering: its data (the JSON twin) and what the template needs."""

    template: str
    title: str
    path: str  # the HTML page's path; the twin is path + ".json"
    data: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)
    query: str = ""  # the query string the page was asked with, kept on its twin
    charts: tuple[Chart, ...] = ()  # drawn on request at chart_url(path, key)


def url(*segments: str, json_twin: bool = False) -> str:
    """A site path from raw segments, each percent-encoded: ``url("products", p, m)``."""
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    if json_twin:
        return ("/index" if path == "/" else path) + ".json"
    return path


def chart_url(page_path: str, key: str) -> str:
    """Where a page's chart is drawn as SVG: ``<page>/charts/<key>.svg``."""
    return f"{page_path}/charts/{quote(key, safe='')}.svg"


def _json_path(path: str) -> str:
    return "/index.json" if path == "/" else path + ".json"


def _check_length(name: str, value: str) -> None:
    if len(value) > MAX_VALUE:
        raise PageError(
            400,
            f"the {name} is too long ({len(value)} characters; at most {MAX_VALUE})",
            (("Home", "/"),),
        )


def _product_links() -> tuple[tuple[str, str], ...]:
    return (("Home: products with figures", "/"), ("Events", "/events"))


class Site:
    """The pages of one read-only ledger, rendered on demand and kept."""

    def __init__(self, ledger: Ledger, *, cache_pages: int = CACHE_PAGES) -> None:
        self.ledger = ledger
        self.cache_pages = cache_pages
        # Two locks: one held only for a dict look-up (safe from the event loop), one held
        # while a page is built (the DuckDB connection serves one thread at a time).
        self._cache_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._pages: OrderedDict[tuple[str, str], Page] = OrderedDict()
        self._env = page_environment()

    @staticmethod
    def _key(path: str, query: Mapping[str, list[str]]) -> tuple[str, str]:
        return (path, json.dumps(sorted(query.items())))

    def cached(self, path: str, query: Mapping[str, list[str]] | None = None) -> Rendered | None:
        """The page if it has been rendered already (a quick look-up, never a build)."""
        key = self._key(path, query or {})
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    # -- the one entry point ----------------------------------------------------------------
    def render(self, path: str, query: Mapping[str, list[str]] | None = None) -> Rendered:
        """The page at ``path`` (already percent-decoded) with ``query`` (each name's values),
        as HTML, or as JSON when the path ends in ``.json``."""
        query = dict(query or {})
        hit = self.cached(path, query)
        if hit is not None:
            return hit
        as_json = path.endswith(".json")
        base = path[: -len(".json")] if as_json else path
        # "/sources/" is "/sources"; the home page answers "/", "/index.json" and "/.json".
        base = base.rstrip("/") or "/"
        if base in ("/index", "/."):
            base = "/"
        with self._build_lock:
            hit = self.cached(path, query)
            if hit is not None:
                return hit
            rendered = self._render(base, query, as_json)
        if rendered.status == 200:
            # Only pages are kept: error answers are cheap, and arbitrary bad addresses must
            # not push real pages out of the cache.
            with self._cache_lock:
                self._cache[self._key(path, query)] = rendered
                if len(self._cache) > self.cache_pages:
                    self._cache.popitem(last=False)
        return rendered

    def _page(self, base: str, query: dict[str, list[str]]) -> Page:
        """The page's data, built once for both the HTML page and its JSON twin."""
        key = self._key(base, query)
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = self._route(base, query)
            if len(self._pages) > self.cache_pages:
                self._pages.popitem(last=False)
        return page

    def _render(self, base: str, query: dict[str, list[str]], as_json: bool) -> Rendered:
        drawn = None if as_json else _CHART.match(base)
        try:
            if drawn is not None:
                return self._chart(drawn[1], drawn[2], query)
            page = self._page(base, query)
        except PageError as e:
            return self.error(e.status, e.message, e.links, as_json=as_json)
        except MineralflowError as e:
            # Unknown product, no data for a month...: the library's message says what exists.
            return self.error(404, str(e), _product_links(), as_json=as_json)
        if as_json:
            body = json.dumps(
                {**page.data, "html": page.path}, indent=2, ensure_ascii=False, default=str
            )
            return Rendered(200, "application/json", body.encode() + b"\n")
        html = self._env.get_template(page.template).render(
            page=page,
            title=page.title,
            json_path=_json_path(page.path) + page.query,
            **page.data,
            **page.context,
        )
        return Rendered(200, "text/html; charset=utf-8", html.encode())

    def _chart(self, path: str, key: str, query: dict[str, list[str]]) -> Rendered:
        """One chart of the page at ``path`` as an SVG image (the page lists its charts by
        address: the HTML arrives without waiting for them to be drawn)."""
        page = self._page(path, query)
        for chart in page.charts:
            if chart.key == key:
                svg = chart.svg()  # inline-safe: no script, ids prefixed by the key
                return Rendered(200, "image/svg+xml", svg.encode())
        raise PageError(
            404,
            f"no chart {key!r} on {path}; its charts: "
            + (", ".join(c.key for c in page.charts) or "none"),
            ((page.title, path),),
        )

    def error(
        self,
        status: int,
        message: str,
        links: tuple[tuple[str, str], ...] = (),
        *,
        as_json: bool = False,
    ) -> Rendered:
        """An error page (or JSON) that says what went wrong and where to go instead."""
        if as_json:
            body = json.dumps(
                {"error": message, "status": status, "links": [href for _, href in links]},
                ensure_ascii=False,
            )
            return Rendered(status, "application/json", body.encode() + b"\n")
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
        html = self._env.get_template("error.html").render(
            title=titles.get(status, "Error"),
            status=status,
            message=message,
            links=links or (("Home", "/"),),
            json_path=None,
        )
        return Rendered(status, "text/html; charset=utf-8", html.encode())

    # -- routing ----------------------------------------------------------------------------
    def _route(self, base: str, query: dict[str, list[str]]) -> Page:
        parts = base.split("/")[1:]
        for part in parts:
            _check_length("path segment", part)
        handlers: dict[str, Callable[[dict[str, list[str]]], Page]] = {
            "": self.home,
            "sources": self.sources,
            "conflicts": self.conflicts,
            "events": self.events,
            "coverage": self.coverage,
            "outlets": self.outlets,
        }
        if len(parts) == 1 and parts[0] in handlers:
            return handlers[parts[0]](query)
        if parts and parts[0] == "products" and 2 <= len(parts) <= 4:
            _no_query(query)
            product = self._product(parts[1])
            if len(parts) == 2:
                return self.product(product)
            if len(parts) == 3:
                return self.product_period(product, parts[2])
            if parts[2] == "partners":
                return self.partner(product, parts[3])
        raise PageError(404, f"there is no page at {base!r}", _product_links())

    def _product(self, text: str) -> str:
        if not _PRODUCT.match(text) or text not in catalog.products():
            known = [p["product"] for p in data.products_summary(self.ledger)]
            raise PageError(
                404,
                f"unknown product {text!r}; products with figures: {', '.join(known) or 'none'}",
                tuple((p, url("products", p)) for p in known) + _product_links(),
            )
        return text

    def _query_product(self, query: dict[str, list[str]]) -> str | None:
        unknown = sorted(set(query) - {"product"})
        if unknown:
            raise PageError(400, f"unknown parameter {unknown[0]!r}; this page takes: product")
        values = query.get("product", [])
        if len(values) > 1:
            raise PageError(400, "give the parameter 'product' once")
        if not values or values[0] == "":
            return None
        _check_length("product", values[0])
        return self._product(values[0])

    # -- pages ------------------------------------------------------------------------------
    def home(self, query: dict[str, list[str]]) -> Page:
        _no_query(query)
        summary = data.products_summary(self.ledger)
        for p in summary:
            # The month a brief shows by default (a world figure first), as `brief` picks it.
            p["latest"] = latest_month(self.ledger, p["product"])
            p["url"] = url("products", p["product"])
            p["latest_url"] = (
                url("products", p["product"], p["latest"]) if p["latest"] in p["periods"] else None
            )
        counts = data.row_counts(self.ledger, ("figures", "sources", "events"))
        return Page(
            "home.html",
            "mineralflow: trade flows, export controls and what the news says",
            "/",
            {"products": summary, "ledger": counts},
        )

    def product(self, product: str) -> Page:
        prod = catalog.product(product)
        periods = self.ledger.periods(product)
        rows = data.read_figures(self.ledger, product=product)
        partners = sorted({(r.partner != "WLD", r.partner_name, r.partner) for r in rows})
        return Page(
            "product.html",
            prod.name,
            url("products", product),
            {
                "product": product,
                "product_name": prod.name,
                "scope_note": prod.scope_note,
                "periods": [{"period": p, "url": url("products", product, p)} for p in periods],
                "partners": [
                    {
                        "partner": code,
                        "name": name,
                        "url": url("products", product, "partners", code),
                    }
                    for _, name, code in partners
                ],
                "figures": len(rows),
            },
        )

    def product_period(self, product: str, period: str) -> Page:
        periods = self.ledger.periods(product)
        if not _MONTH.match(period) or period not in periods:
            raise PageError(
                404,
                f"no figures for {product} in {period!r}; months with figures: "
                + (", ".join(periods) or "none"),
                (
                    *((p, url("products", product, p)) for p in periods[-6:]),
                    ("All months of " + product, url("products", product)),
                ),
            )
        from ..render.report import build_report  # charts: imported for the pages that show them

        report = build_report(self.ledger, product=product, period=period)

        def partner_url(code: str) -> str:
            return url("products", product, "partners", code)

        path = url("products", product, period)
        return Page(
            "month.html",
            report.title,
            path,
            _with_chart_urls(report.to_dict(), path),
            {
                "report": report,
                "partner_url": partner_url,
                "product_url": url("products", product),
                "chart_url": lambda c: chart_url(path, c.key),
            },
            charts=tuple(report.charts),
        )

    def partner(self, product: str, partner: str) -> Page:
        if not _PARTNER.match(partner) or partner not in catalog.countries():
            raise PageError(
                404,
                f"unknown partner {partner!r}; partners are ISO 3166 alpha-3 codes (DEU, USA), "
                "WLD, EU27 or REG_* regions",
                (("Partners of " + product, url("products", product)),),
            )
        from ..render.report import build_partner_view

        view = build_partner_view(self.ledger, product=product, partner=partner)
        months = set(self.ledger.periods(product))
        if not view.figures:
            raise PageError(
                404,
                f"no figures for {product} with partner {partner}",
                (("Partners with figures", url("products", product)),),
            )

        path = url("products", product, "partners", partner)
        return Page(
            "partner.html",
            f"{view.partner_name}: {view.product.name}",
            path,
            _with_chart_urls(view.to_dict(), path),
            {
                "view": view,
                "partner_url": None,
                "product_url": url("products", product),
                "chart_url": lambda c: chart_url(path, c.key),
                "period_urls": {
                    p: url("products", product, p) for p in view.periods if p in months
                },
            },
            charts=tuple(view.charts),
        )

    def sources(self, query: dict[str, list[str]]) -> Page:
        _no_query(query)
        rows = data.sources(self.ledger)
        return Page("sources.html", "Sources", "/sources", {"sources": rows})

    def conflicts(self, query: dict[str, list[str]]) -> Page:
        product = self._query_product(query)
        products = (
            [product] if product else [p["product"] for p in data.products_summary(self.ledger)]
        )
        from ..render.conflicts import find_conflicts

        # Each product's verdicts are stored in the ledger (read, not recomputed) when current.
        found = [c for p in products for c in find_conflicts(self.ledger, product=p)]
        known = {p: set(self.ledger.periods(p)) for p in products}
        items = [
            {
                **c.to_dict(),
                "url": url("products", c.product, c.period)
                if c.period in known[c.product]
                else None,
            }
            for c in found
        ]
        return Page(
            "conflicts.html",
            "Conflicts" + (f": {product}" if product else ""),
            "/conflicts",
            {"product": product, "conflicts": items},
            query=_product_query(product),
        )

    def coverage(self, query: dict[str, list[str]]) -> Page:
        product = self._query_product(query)
        found = coverage(self.ledger, product=product)
        months = {c.product: set(self.ledger.periods(c.product)) for c in found}
        return Page(
            "coverage.html",
            "Coverage" + (f": {product}" if product else ""),
            "/coverage",
            {"product": product, "products": [c.to_dict() for c in found]},
            {
                "years": {c.product: sorted({m[:4] for m in c.months}) for c in found},
                "month_url": lambda p, m: url("products", p, m) if m in months[p] else None,
            },
            query=_product_query(product),
        )

    def events(self, query: dict[str, list[str]]) -> Page:
        product = self._query_product(query)
        marks = data.events(self.ledger, product=product)
        return Page(
            "events.html",
            "Policy events" + (f": {product}" if product else ""),
            "/events",
            {"product": product, "events": [e.to_dict() for e in marks]},
            query=_product_query(product),
        )

    def outlets(self, query: dict[str, list[str]]) -> Page:
        from ..outlet_record import outlet_record

        product = self._query_product(query)
        record = outlet_record(self.ledger, product=product)
        return Page(
            "outlets.html",
            "Outlet record" + (f": {product}" if product else ""),
            "/outlets",
            record.to_dict(),
            query=_product_query(product),
        )


def _with_chart_urls(data: dict[str, Any], path: str) -> dict[str, Any]:
    """A page's data with the address of each of its charts' SVG."""
    charts = [{**c, "url": chart_url(path, c["key"])} for c in data["charts"]]
    return {**data, "charts": charts}


def _no_query(query: Mapping[str, list[str]]) -> None:
    if query:
        name = sorted(query)[0]
        raise PageError(400, f"unknown parameter {name!r}; this page takes none")


def _product_query(product: str | None) -> str:
    return f"?product={quote(product, safe='')}" if product else ""
