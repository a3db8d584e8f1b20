"""Each relation of the reconciler on small hand-written ledgers."""

from __future__ import annotations

import datetime as dt
import gc
import math
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _figures import figure, load, source
from mineralflow import Ledger
from mineralflow.errors import SchemaError
from mineralflow.reconcile import Interval, qualifiers, reconcile
from mineralflow.reconcile.intervals import bounds
from mineralflow.reconcile.prepare import IBIS_OPS, qualifier_table


def _checks(ledger: Ledger, **kw: str) -> pd.DataFrame:
    with reconcile(ledger, **kw) as rec:
        return rec.checks


def _verdicts(checks: pd.DataFrame, kind: str) -> list[str]:
    return sorted(checks[checks.kind == kind].verdict)


# -- intervals: one definition, in Python and in the engine ---------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
            st.sampled_from([0.001, 0.01, 0.1, 1.0, 10.0, 100.0]),
            st.sampled_from(sorted(qualifiers())),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_engine_intervals_equal_python_intervals(rows: list[tuple[float, float, str]]) -> None:
    t = ibis.memtable(
        {
            "i": list(range(len(rows))),
            "value": [r[0] for r in rows],
            "resolution": [r[1] for r in rows],
            "qualifier": [r[2] for r in rows],
        }
    )
    q = qualifier_table()
    j = t.join(q, "qualifier")
    lo, hi = bounds(j.value, j.resolution, j, IBIS_OPS)
    got = j.select("i", lo=lo, hi=hi).order_by("i").to_pyarrow().to_pylist()
    for (value, resolution, qualifier), row in zip(rows, got, strict=True):
        want = Interval.of(value, resolution=resolution, qualifier=qualifier)
        assert row["lo"] == pytest.approx(want.lo, abs=1e-9)
        assert row["hi"] == pytest.approx(want.hi, abs=1e-9) or row["hi"] == want.hi == math.inf


def test_unknown_qualifier_is_a_clear_error(ledger: Ledger) -> None:
    load(ledger, [source("a")], [figure("a", "WLD", "2025-06", "level", 10, qualifier="roughish")])
    with pytest.raises(SchemaError, match=r"qualifiers\.csv: 'roughish'"):
        reconcile(ledger)


# -- changes, including one-sided qualifiers ------------------------------------------------------
def test_one_sided_change_figures(ledger: Ledger) -> None:
    load(
        ledger,
        [source("a"), source("b"), source("c")],
        [
            figure("a", "USA", "2025-05", "level", 46),
            figure("a", "USA", "2025-06", "level", 353),  # +667%, about 7.7 times
            figure("a", "USA", "2025-06", "change_mom", 600, qualifier="more_than"),
            figure("b", "USA", "2025-06", "change_mom", 800, qualifier="less_than"),
            figure("c", "USA", "2025-06", "change_mom", 700, qualifier="more_than"),
        ],
    )
    c = _checks(ledger)
    mom = c[c.kind == "change_mom"].set_index("figure_id")
    assert mom.verdict.to_dict() == {
        "a|USA|2025-06|change_mom|rare-earth-magnets|600|more_than": "consistent",
        "b|USA|2025-06|change_mom|rare-earth-magnets|800|less_than": "consistent",
        "c|USA|2025-06|change_mom|rare-earth-magnets|700|more_than": "inconsistent",
    }
    assert math.isinf(mom.stated_hi.iloc[0])


def test_change_without_its_base_is_unverifiable(ledger: Ledger) -> None:
    load(
        ledger,
        [source("a")],
        [
            figure("a", "WLD", "2025-06", "level", 3188),
            figure("a", "WLD", "2025-06", "change_yoy", -38.1, resolution=0.1),
        ],
    )
    c = _checks(ledger)
    yoy = c[c.kind == "change_yoy"]
    assert yoy.verdict.tolist() == ["unverifiable"]
    assert "12 month" in yoy.note.iloc[0]


# -- aggregates -----------------------------------------------------------------------------------
def test_members_against_bloc_and_world(ledger: Ledger) -> None:
    load(
        ledger,
        [source("a"), source("b")],
        [
            figure("a", "WLD", "2025-06", "level", 3188),
            figure("a", "EU27", "2025-06", "level", 700),
            figure("a", "DEU", "2025-06", "level", 764),  # more than the whole EU: wrong
            figure("b", "FRA", "2025-06", "level", 100),
            # Before February 2020 the EU27 bloc did not exist as such: no member check.
            figure("a", "EU27", "2019-06", "level", 10),
            figure("a", "DEU", "2019-06", "level", 500),
        ],
    )
    c = _checks(ledger)
    part = c[c.kind == "part_of"]
    bad = part[part.verdict == "inconsistent"]
    assert bad.figure_id.str.startswith("a|DEU|2025-06").all()
    assert list(bad.cells.iloc[0]) == ["DEU 2025-06 level", "EU27 2025-06 level"]
    assert not part.cells.map(lambda cs: "EU27 2019-06 level" in list(cs)).any()
    sums = c[c.kind == "parts_sum"]
    eu = sums[sums.figure_id.str.startswith("a|EU27|2025-06")]
    assert eu.verdict.tolist() == ["inconsistent"]  # 764 + 100 > 700
    assert eu.computed_lo.iloc[0] == 763.5 + 99.5


# -- ranks ----------------------------------------------------------------------------------------
def test_ranks_against_levels(ledger: Ledger) -> None:
    load(
        ledger,
        [source("r"), source("l")],
        [
            figure("r", "DEU", "2025-06", "rank", 1),
            figure("r", "USA", "2025-06", "rank", 2),
            figure("r", "VNM", "2025-06", "rank", 3),
            figure("l", "DEU", "2025-06", "level", 764),
            figure("l", "USA", "2025-06", "level", 353),
            figure("l", "VNM", "2025-06", "level", 400),  # above the US: the ranking is off
            figure("l", "IND", "2025-06", "level", 500),  # unranked, above rank 3: off too
            figure("l", "JPN", "2025-06", "level", 100),
        ],
    )
    c = _checks(ledger)
    ranks = c[c.kind == "rank_order"]
    bad = ranks[ranks.verdict == "inconsistent"]
    assert sorted(bad.note) == ["ranked above VNM", "ranked; IND is not in the ranking"]
    assert _verdicts(ranks, "rank_order").count("consistent") == 1  # DEU above USA


# -- product scope --------------------------------------------------------------------------------
def test_wider_product_is_at_least_the_narrower(ledger: Ledger) -> None:
    load(
        ledger,
        [source("a"), source("b")],
        [
            figure("a", "WLD", "2024-01/2024-12", "cumulative", 58152,
                   product="rare-earth-magnets-and-alloys"),
            figure("b", "WLD", "2024-01/2024-12", "cumulative", 58120),
            figure("a", "WLD", "2023-01/2023-12", "cumulative", 40000,
                   product="rare-earth-magnets-and-alloys"),
            figure("b", "WLD", "2023-01/2023-12", "cumulative", 45000),
        ],
    )  # fmt: skip
    c = _checks(ledger, product="rare-earth-magnets")
    scope = c[c.kind == "product_scope"].sort_values("period")
    assert scope.verdict.tolist() == ["inconsistent", "consistent"]
    # Different scopes are never compared cell by cell.
    assert not (c.kind == "same_cell").any()


# -- official releases and their vintages ---------------------------------------------------------
def _official(source_id: str, published: dt.date) -> dict:
    return source(source_id, authority="official", kind="official_release", published=published)


def test_latest_official_vintage_is_in_force_and_older_ones_are_not_conflicts(
    ledger: Ledger,
) -> None:
    load(
        ledger,
        [
            _official("gac-first", dt.date(2025, 7, 20)),
            _official("gac-revised", dt.date(2025, 8, 20)),
            source("news", authority="wire"),
            source("blog", authority="blog"),
        ],
        [
            figure("gac-first", "WLD", "2025-06", "level", 3188.2, resolution=0.001),
            figure("gac-revised", "WLD", "2025-06", "level", 3190.4, resolution=0.001),
            figure("news", "WLD", "2025-06", "level", 3188),  # quotes the first release
            figure("blog", "WLD", "2025-06", "level", 3190),
        ],
    )
    with reconcile(ledger) as rec:
        checks, conflicts, best, summary = rec.checks, rec.conflicts, rec.best, rec.summary()
    assert summary["revised"] == 1
    first = "gac-first|WLD|2025-06|level|rare-earth-magnets|3188.2|exact"
    assert not checks.figure_ids.map(lambda ids: first in list(ids)).any()
    # The news figure disagrees with the release in force: it, never the release, is named.
    # (it disagrees with the blog's 3,190 t too, so two conflicts name it)
    assert set(conflicts.suspect_figure_id) == {
        "news|WLD|2025-06|level|rare-earth-magnets|3188|exact"
    }
    row = best[(best.period == "2025-06") & (best.measure == "level")].iloc[0]
    assert row.source_id == "gac-revised"
    assert bool(row.official)
    assert list(row.revised_figure_ids) == [first]
    assert sorted(row.source_ids) == ["blog", "gac-revised"]


# -- lifetime of the temporary tables -------------------------------------------------------------
def test_results_outlive_nothing_and_closing_is_quiet(db_path: Path) -> None:
    with Ledger.open(db_path) as ledger:
        load(ledger, [source("a")], [figure("a", "WLD", "2025-06", "level", 1)])
    ledger = Ledger.open(db_path, read_only=True)
    rec = reconcile(ledger)
    tables = set(ledger.backend.list_tables(database=("temp", "main")))
    assert any(t.startswith("_mineralflow_reconcile_") for t in tables)
    assert len(rec.best) == 1
    rec.close()
    left = set(ledger.backend.list_tables(database=("temp", "main")))
    assert not any(t.startswith("_mineralflow_reconcile_") for t in left)
    reconcile(ledger)  # left to the connection: closing the ledger drops its tables
    ledger.close()
    gc.collect()  # no finalizer runs against the closed connection (warnings are errors)
