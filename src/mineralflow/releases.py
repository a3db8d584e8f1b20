"""Releases and their vintages: which official numbers are in force, what was published on a
given day, and what a revision changed.

A release is one official file, ingested by :func:`mineralflow.ingest`: a ``sources`` row of
kind ``official_release`` (its id is the release id, e.g. ``gac-r2``) plus a ``releases``
row. Two releases of the same publisher that state the same cell (reporter, partner,
product code, flow, period) are two **vintages** of it:

- the vintage **in force** is the one published last (then the one ingested last); the
  others are **revised**. A release with no known publication date counts as published on
  the day it was ingested;
- **as published on D** (``as_of=D``) keeps only releases published (or, undated, ingested)
  on or before D, so it answers with the number that stood on that day.

Only official releases have vintages; news figures are never filtered here::

    >>> from mineralflow import Ledger
    >>> from mineralflow.releases import figures_in_force, releases
    >>> with Ledger.open(read_only=True) as ledger:                     # doctest: +SKIP
    ...     [r.release_id for r in releases(ledger)]
    ...     figures_in_force(ledger, as_of="2026-01-31").execute()
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import pandas as pd

from .errors import UnknownRelease
from .ledger import Ledger
from .periods import parse_date

__all__ = [
    "FLOW_CELL",
    "Release",
    "ReleaseDiff",
    "diff_releases",
    "figures_in_force",
    "flows_in_force",
    "release",
    "releases",
]

FLOW_CELL = (
    "reporter",
    "partner",
    "classification",
    "product_code",
    "flow",
    "period",
    "period_end",
)
FIGURE_CELL = (
    "outlet",
    "reporter",
    "partner",
    "product",
    "flow",
    "period_start",
    "period_end",
    "measure",
)


def _vintages(ledger: Ledger) -> ibis.Table:
    """Each release with the day it became known and when it was ingested."""
    s = ledger.table("sources")
    r = ledger.table("releases").select("source_id", "publisher")
    s = s.filter(s.kind == "official_release").select(
        "source_id",
        "ingested_at",
        known_on=s.published.coalesce(s.ingested_at.date()),
    )
    return r.join(s, "source_id")


def flows_in_force(ledger: Ledger, *, as_of: str | dt.date | None = None) -> ibis.Table:
    """The flows of the vintage in force for each cell (as published on ``as_of`` if given),
    with the release's ``publisher`` and ``known_on`` date."""
    day = parse_date(as_of)
    f = ledger.table("flows")
    v = _vintages(ledger)
    t = f.join(v, f.release_id == v.source_id).drop("source_id")
    if day is not None:
        t = t.filter(t.known_on <= day)
    w = ibis.window(
        group_by=["publisher", *FLOW_CELL],
        order_by=[ibis.desc(t.known_on), ibis.desc(t.ingested_at), ibis.desc(t.release_id)],
    )
    t = t.mutate(_vintage=ibis.dense_rank().over(w))
    return t.filter(t._vintage == 0).drop("_vintage", "ingested_at")


def figures_in_force(
    ledger: Ledger, *, as_of: str | dt.date | None = None, revised: bool = False
) -> ibis.Table:
    """``figures_v`` without revised official figures (with them when ``revised``), and,
    with ``as_of``, without official releases published after that day. News figures pass
    through untouched (and cheaply: only official rows are ranked)."""
    day = parse_date(as_of)
    t = ledger.table("figures_v")
    columns = t.columns
    official = t.filter(t.source_kind == "official_release")
    s = ledger.table("sources")
    official = official.join(s.select("source_id", _ingested_at=s.ingested_at), "source_id")
    official = official.mutate(
        _known_on=official.source_published.coalesce(official._ingested_at.date())
    )
    if day is not None:
        official = official.filter(official._known_on <= day)
    if not revised:
        w = ibis.window(
            group_by=list(FIGURE_CELL),
            order_by=[
                ibis.desc(official._known_on),
                ibis.desc(official._ingested_at),
                ibis.desc(official.source_id),
            ],
        )
        official = official.mutate(_vintage=ibis.dense_rank().over(w))
        official = official.filter(official._vintage == 0)
    news = t.filter(t.source_kind != "official_release").select(*columns)
    # The join makes some columns non-nullable; the union needs one schema.
    return news.union(official.select(*columns).cast(news.schema()))


@dataclass(frozen=True)
class Release:
    """One release as :func:`releases` lists it."""

    release_id: str
    publisher: str
    format: str
    title: str
    file_name: str
    published: dt.date | None
    ingested_at: dt.datetime
    known_on: dt.date
    first_period: dt.date | None
    last_period: dt.date | None
    rows_loaded: int
    rows_rejected: int
    rows_left_out: int | None
    figures: int
    revises: tuple[str, ...]  # earlier vintages of cells it states
    revised_by: tuple[str, ...]  # later vintages of cells it states

    @property
    def in_force(self) -> bool:
        """True unless a later vintage restates every cell of this release... or some:
        a release is wholly in force when nothing revises it."""
        return not self.revised_by

    @property
    def periods(self) -> str:
        if self.first_period is None or self.last_period is None:
            return ""
        a, b = f"{self.first_period:%Y-%m}", f"{self.last_period:%Y-%m}"
        return a if a == b else f"{a}/{b}"


def releases(ledger: Ledger) -> list[Release]:
    """Every release in the ledger, oldest known first, with what revises what."""
    con = ledger.con
    rows = con.execute(
        """
        WITH v AS (
            SELECT r.*, s.title, s.published, s.ingested_at,
                   coalesce(s.published, CAST(s.ingested_at AS DATE)) AS known_on
            FROM releases r JOIN sources s USING (source_id)
        ), spans AS (
            SELECT source_id, min(period) AS first_period, max(period_end) AS last_period
            FROM release_periods GROUP BY source_id
        ), pairs AS (
            SELECT DISTINCT a.source_id AS older, b.source_id AS newer
            FROM release_periods a
            JOIN release_periods b USING (reporter, flow, period, period_end)
            JOIN v va ON va.source_id = a.source_id
            JOIN v vb ON vb.source_id = b.source_id
            WHERE va.publisher = vb.publisher AND a.source_id <> b.source_id
              AND (va.known_on, va.ingested_at, va.source_id)
                  < (vb.known_on, vb.ingested_at, vb.source_id)
        )
        SELECT v.source_id, v.publisher, v.format, v.title, v.file_name, v.published,
               v.ingested_at, v.known_on, spans.first_period, spans.last_period,
               v.rows_loaded, v.rows_rejected, v.rows_left_out, v.figures,
               coalesce((SELECT list(older ORDER BY older) FROM pairs
                         WHERE newer = v.source_id), []) AS revises,
               coalesce((SELECT list(newer ORDER BY newer) FROM pairs
                         WHERE older = v.source_id), []) AS revised_by
        FROM v LEFT JOIN spans USING (source_id)
        ORDER BY v.known_on, v.ingested_at, v.source_id
        """
    ).fetchall()
    return [
        Release(*r[:14], revises=tuple(r[14]), revised_by=tuple(r[15]))  # type: ignore[misc]
        for r in rows
    ]


def release(ledger: Ledger, release_id: str) -> Release:
    """One release by id; :class:`UnknownRelease` when there is none."""
    found = {r.release_id: r for r in releases(ledger)}
    if release_id not in found:
        raise UnknownRelease(release_id, sorted(found))
    return found[release_id]


@dataclass
class ReleaseDiff:
    """What changed from release ``a`` to release ``b`` in the periods both state.

    A cell is (reporter, partner, classification, product code, flow, period), summed over
    trade modes. Cells of periods only one release covers are not compared: a revision of
    June says nothing about May (``not_compared`` counts those cells of ``a``)."""

    a: Release
    b: Release
    changes: pd.DataFrame  # status (changed, added, removed), the cell, kg and value a/b
    unchanged: int
    not_compared: int

    @property
    def changed(self) -> int:
        return int((self.changes["status"] == "changed").sum())

    @property
    def added(self) -> int:
        return int((self.changes["status"] == "added").sum())

    @property
    def removed(self) -> int:
        return int((self.changes["status"] == "removed").sum())


def diff_releases(ledger: Ledger, a: str, b: str) -> ReleaseDiff:
    """Compare two releases, usually two vintages of the same publisher::

    >>> d = diff_releases(ledger, "gac-r1", "gac-r2")          # doctest: +SKIP
    >>> d.changes[["status", "partner", "period", "kg_a", "kg_b"]]   # doctest: +SKIP
    """
    ra, rb = release(ledger, a), release(ledger, b)
    f = ledger.table("flows")
    rp = ledger.table("release_periods")
    span = ["reporter", "flow", "period", "period_end"]
    common = (
        rp.filter(rp.source_id == a)
        .select(*span)
        .intersect(rp.filter(rp.source_id == b).select(*span))
    )
    key = list(FLOW_CELL)

    def side(release_id: str, suffix: str) -> ibis.Table:
        t = f.filter(f.release_id == release_id)
        return t.group_by(key).aggregate(
            **{
                f"kg_{suffix}": t.quantity_kg.sum(),
                f"value_{suffix}": t.value.sum(),
                f"currency_{suffix}": t.currency.max(),
            }
        )

    left, right = side(a, "a"), side(b, "b")
    all_a = int(left.count().execute())
    left = left.semi_join(common, span)
    right = right.semi_join(common, span)
    joined = left.outer_join(right, key)
    # An outer join keeps both copies of the key; take whichever side has it.
    cells = {k: ibis.coalesce(joined[k], joined[f"{k}_right"]) for k in key}
    t = joined.select(
        **cells,
        kg_a=joined.kg_a,
        kg_b=joined.kg_b,
        value_a=joined.value_a,
        value_b=joined.value_b,
        currency=ibis.coalesce(joined.currency_b, joined.currency_a),
        _in_a=joined.currency_a.notnull(),
        _in_b=joined.currency_b.notnull(),
    )
    differs = t.kg_a.isnull().ifelse(t.kg_b.notnull(), t.kg_b.isnull() | (t.kg_a != t.kg_b)) | (
        t.value_a.isnull().ifelse(
            t.value_b.notnull(), t.value_b.isnull() | (t.value_a != t.value_b)
        )
    )
    status = ibis.cases(
        (~t._in_a, "added"), (~t._in_b, "removed"), (differs, "changed"), else_="same"
    )
    t = t.mutate(status=status).drop("_in_a", "_in_b")
    df: pd.DataFrame = t.order_by(key).execute()
    compared_a = int(df["kg_a"].notna().sum() + (df["value_a"].notna() & df["kg_a"].isna()).sum())
    unchanged = int((df["status"] == "same").sum())
    changes = df[df["status"] != "same"].reset_index(drop=True)
    changes.insert(0, "status", changes.pop("status"))
    changes["kg_change"] = changes["kg_b"] - changes["kg_a"]
    return ReleaseDiff(ra, rb, changes, unchanged, all_a - compared_a)
