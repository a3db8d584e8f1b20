"""Hand-written sources and figures in the ledger's row layout, for reconciler tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mineralflow.ledger import Ledger
from mineralflow.periods import Period

PRODUCT = "rare-earth-magnets"


def source(
    source_id: str,
    *,
    authority: str = "wire",
    kind: str = "news_article",
    published: dt.date | None = None,
    outlet: str | None = None,
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "kind": kind,
        "authority": authority,
        "outlet": outlet or f"Outlet {source_id}",
        "original_publisher": None,
        "title": f"Test source {source_id}",
        "url": None,
        "published": published,
        "content_hash": f"hash-{source_id}",
        "note": None,
    }


def figure(
    source_id: str,
    partner: str,
    period: str,
    measure: str,
    value: float,
    *,
    resolution: float = 1.0,
    qualifier: str = "exact",
    stated: str | None = None,
    unit: str | None = None,
    product: str = PRODUCT,
) -> dict[str, Any]:
    p = Period.parse(period)
    if unit is None:
        unit = {"rank": "rank"}.get(measure, "%" if "change" in measure else "t")
    text = stated if stated is not None else f"{value:g}"
    return {
        "figure_id": f"{source_id}|{partner}|{period}|{measure}|{product}|{text}|{qualifier}",
        "source_id": source_id,
        "reporter": "CHN",
        "partner": partner,
        "product": product,
        "flow": "export",
        "period_start": p.start.first_day,
        "period_end": p.end.first_day,
        "measure": measure,
        "value": float(value),
        "unit": unit,
        "stated": text,
        "resolution": resolution,
        "qualifier": qualifier,
        "locator": "test",
        "note": None,
    }


def load(
    ledger: Ledger, sources: list[dict[str, Any]], figures: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    ledger.add_documents("test", sources, figures)
    return figures
