"""The bundled, cited data set shipped inside the package (``data/bundled/``).

``sources.csv`` names each outlet's page; ``figures.csv`` holds one stated number a row in
the ledger's long format; ``events.csv`` holds the dated policy events. The files were
converted from the project's reference data by ``scripts/import_reference_data.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..catalog import read_table
from ..periods import Period

__all__ = ["BundledData", "figure_id", "read"]

FOLDER = "data/bundled"


@dataclass(frozen=True)
class BundledData:
    sources: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    events: list[dict[str, Any]]


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def figure_id(row: dict[str, Any]) -> str:
    """A stable id for a stated figure: the same statement always gets the same id."""
    key = "|".join(
        str(row[k])
        for k in (
            "source_id",
            "reporter",
            "partner",
            "product",
            "flow",
            "period",
            "measure",
            "stated",
            "qualifier",
            "locator",
        )
    )
    return "f-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def read() -> BundledData:
    """The bundled data set as ledger rows."""
    raw_sources = read_table("sources.csv", FOLDER)
    raw_figures = read_table("figures.csv", FOLDER)
    by_source: dict[str, list[dict[str, str]]] = {}
    figures = []
    for row in raw_figures:
        by_source.setdefault(row["source_id"], []).append(row)
        period = Period.parse(row["period"])
        figures.append(
            {
                "figure_id": figure_id(row),
                "source_id": row["source_id"],
                "reporter": row["reporter"],
                "partner": row["partner"],
                "product": row["product"],
                "flow": row["flow"],
                "period_start": period.start.first_day,
                "period_end": period.end.first_day,
                "measure": row["measure"],
                "value": float(row["value"]),
                "unit": row["unit"],
                "stated": row["stated"],
                "resolution": float(row["resolution"]),
                "qualifier": row["qualifier"],
                "locator": row["locator"],
                "note": row["note"] or None,
            }
        )
    sources = []
    for row in raw_sources:
        content = json.dumps([row, by_source.get(row["source_id"], [])], sort_keys=True)
        sources.append(
            {
                "source_id": row["source_id"],
                "kind": row["kind"],
                "authority": row["authority"],
                "outlet": row["outlet"],
                "original_publisher": row["original_publisher"] or None,
                "title": row["title"],
                "url": row["url"] or None,
                "published": _date(row["published"]),
                "content_hash": hashlib.sha256(content.encode()).hexdigest(),
                "note": row["note"] or None,
            }
        )
    events = [
        {
            **row,
            "date_announced": _date(row["date_announced"]),
            "date_effective": _date(row["date_effective"]),
            "hs_codes": row["hs_codes"] or None,
        }
        for row in read_table("events.csv", FOLDER)
    ]
    return BundledData(sources, figures, events)
