"""Release bookkeeping, once a release's flows are loaded: its periods, its official figures
(one level in tonnes per exact-product cell), its ``sources`` row with a title naming what it
holds, and its ``releases`` row with the counts (:func:`record_release`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from .. import catalog
from .official_plan import FLOW_CODES, LoadResult, Plan, sql_text


def _decimals(kg: float) -> int:
    for d in range(4):
        if abs(kg - round(kg, d)) < 1e-6:
            return d
    return 3


def stated_kg(kg: float) -> tuple[str, float]:
    """How a kg figure is written, and its resolution in tonnes (its last digit)."""
    d = _decimals(kg)
    return f"{kg:,.{d}f} kg", 10.0**-d / 1000


def figure_id(source_id: str, cell: dict[str, Any]) -> str:
    key = "|".join(
        str(cell[k])
        for k in ("reporter", "partner", "product", "flow", "period", "period_end", "product_code")
    )
    return "f-" + hashlib.sha256(f"{source_id}|{key}|level".encode()).hexdigest()[:16]


FLOW_NAMES = {code: name for name, code in FLOW_CODES.items()}


def release_figures(
    con: Any, plan: Plan, release_id: str, release_no: int
) -> tuple[list[dict[str, Any]], int]:
    """The official figures of a release: one level in tonnes per cell whose product maps
    exactly to a catalog product, summed over trade modes, for catalog partners only (never
    summing partners into a world total). Returns the figures and the cells skipped because
    a row had no quantity."""
    known = set(catalog.countries())
    exact = [r for r in catalog.read_table("product_codes.csv") if r["relation"] == "exact"]
    if not exact:
        return [], 0
    codes = ", ".join(sorted({sql_text(r["code"]) for r in exact}))
    cells = con.execute(
        "WITH exact AS (SELECT classification, code, min(product) AS product "
        "FROM catalog_product_codes WHERE relation = 'exact' GROUP BY ALL) "
        "SELECT rep.code, par.code, e.product, f.flow, f.period, f.period_end, "
        "f.classification, f.product_code, sum(f.quantity_kg), count(*), "
        "count(f.quantity_kg), count(DISTINCT f.trade_mode) "
        "FROM flow_rows f "
        "JOIN exact e ON e.classification = f.classification AND e.code = f.product_code "
        "JOIN partner_keys rep ON rep.key = f.reporter "
        "JOIN partner_keys par ON par.key = f.partner "
        f"WHERE f.release = ? AND f.product_code IN ({codes}) AND f.flow IN (1, 2) "
        "GROUP BY ALL ORDER BY ALL",
        [release_no],
    ).fetchall()
    names: tuple[str, ...] = ("reporter", "partner", "product", "flow", "period", "period_end")
    names += ("classification", "product_code", "kg", "n", "nq", "modes")
    figures = []
    skipped = 0
    for values in cells:
        cell = dict(zip(names, values, strict=True))
        cell["flow"] = FLOW_NAMES[cell["flow"]]
        if cell["reporter"] not in known or cell["partner"] not in known:
            continue
        if cell["nq"] < cell["n"] or cell["kg"] is None:
            skipped += 1
            continue
        stated, resolution = stated_kg(float(cell["kg"]))
        figures.append(
            {
                "figure_id": figure_id(release_id, cell),
                "source_id": release_id,
                "reporter": cell["reporter"],
                "partner": cell["partner"],
                "product": cell["product"],
                "flow": cell["flow"],
                "period_start": cell["period"],
                "period_end": cell["period_end"],
                "measure": "level",
                "value": float(cell["kg"]) / 1000,
                "unit": "t",
                "stated": stated,
                "resolution": resolution,
                "qualifier": "exact",
                "locator": plan.locator(cell),
                "note": (
                    f"{cell['classification']} {cell['product_code']}; the sum of "
                    f"{cell['n']} rows over {cell['modes']} trade modes"
                    if cell["modes"] > 1
                    else f"{cell['classification']} {cell['product_code']}"
                ),
            }
        )
    return figures, skipped


def _span(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return "no periods"
    a, b = f"{first:%Y-%m}", f"{last:%Y-%m}"
    return a if a == b else f"{a} to {b}"


PLURAL = {"export": "exports", "import": "imports", "re-export": "re-exports"}
PLURAL["re-import"] = "re-imports"


def _listed(items: Sequence[str], many: str, limit: int = 3) -> str:
    return ", ".join(items) if len(items) <= limit else f"{len(items)} {many}"


def record_release(
    con: Any,
    plan: Plan,
    *,
    release_id: str,
    release_no: int,
    result: LoadResult,
    content_hash: str,
    published: dt.date | None,
    url: str | None,
    ingested_at: dt.datetime,
) -> dict[str, Any]:
    """Write the release's periods, figures, sources row and releases row; return a summary."""
    flow_name = " ".join(f"WHEN {code} THEN {sql_text(name)}" for code, name in FLOW_NAMES.items())
    con.execute(
        f"INSERT INTO release_periods SELECT ?, k.code, CASE g.flow {flow_name} END, g.period, "
        "g.period_end, g.n FROM (SELECT reporter, flow, period, period_end, count(*) AS n "
        "FROM flow_rows WHERE release = ? GROUP BY ALL) g "
        "JOIN partner_keys k ON k.key = g.reporter",
        [release_id, release_no],
    )
    first, last = con.execute(
        "SELECT min(period), max(period_end) FROM release_periods WHERE source_id = ?",
        [release_id],
    ).fetchone()
    reporters = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT reporter FROM release_periods WHERE source_id = ? ORDER BY 1",
            [release_id],
        ).fetchall()
    ]
    flows = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT flow FROM release_periods WHERE source_id = ? ORDER BY 1",
            [release_id],
        ).fetchall()
    ]
    # The codes a title names: from the first rows only (a file of many codes shows many
    # within them), so a release of tens of millions of rows is not scanned again for this.
    codes = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT product_code FROM (SELECT product_code FROM flow_rows "
            "WHERE release = ? LIMIT 100000) ORDER BY 1 LIMIT 4",
            [release_no],
        ).fetchall()
    ]
    figures, skipped = release_figures(con, plan, release_id, release_no)
    if figures:
        staged = pa.Table.from_pylist(figures)
        con.register("_figures_rows", staged)
        try:
            columns = ", ".join(figures[0])
            con.execute(f"INSERT INTO figures ({columns}) SELECT {columns} FROM _figures_rows")
        finally:
            con.unregister("_figures_rows")
    code_words = _listed(codes, "codes") if len(codes) < 4 else "many codes"
    names = [catalog.partner_name(r) for r in reporters]
    title = (
        f"{plan.layout}: {' and '.join(PLURAL.get(f, f) for f in flows)} of {code_words} "
        f"reported by {_listed(names, 'reporters')}, {_span(first, last)}"
    )
    tf = plan.file
    note = f"read from the file {tf.name} ({tf.size:,} bytes, {tf.encoding})"
    if not url:
        note += ", downloaded or exported by hand; no URL recorded"
    con.execute(
        "INSERT INTO sources (source_id, kind, authority, outlet, original_publisher, title, "
        "url, published, ingested_at, content_hash, dataset, note) "
        "VALUES (?, 'official_release', 'official', ?, NULL, ?, ?, ?, ?, ?, 'official', ?)",
        [release_id, plan.outlet, title, url or None, published, ingested_at, content_hash, note],
    )
    read = result.read
    left_out = result.left_out
    if left_out is None and read is not None:
        left_out = max(read - result.loaded, 0)
    con.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            release_id,
            release_no,
            plan.publisher,
            plan.format,
            plan.currency,
            tf.name,
            tf.size,
            tf.encoding,
            read,
            result.loaded,
            len(result.rejects),
            left_out,
            len(figures),
            skipped,
        ],
    )
    return {
        "title": title,
        "first": first,
        "last": last,
        "figures": len(figures),
        "cells_without_quantity": skipped,
        "read": read,
        "left_out": left_out,
    }
