"""The reconciler on the bundled data: the acceptance checks of issue 3, and its API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import mineralflow
from mineralflow import Ledger
from mineralflow.errors import PeriodError, UnknownProduct
from mineralflow.reconcile import VERDICTS, reconcile


@dataclass
class Found:
    checks: pd.DataFrame
    conflicts: pd.DataFrame
    best: pd.DataFrame
    figures: pd.DataFrame
    summary: dict[str, int]

    def fid(self, source: str, partner: str, period: str, measure: str) -> str:
        f = self.figures
        rows = f[
            (f.source_id == source)
            & (f.partner == partner)
            & (f.period == period)
            & (f.measure == measure)
        ]
        assert len(rows) == 1, (source, partner, period, measure)
        return str(rows.figure_id.iloc[0])

    def involving(self, *ids: str, kind: str | None = None) -> pd.DataFrame:
        c = self.checks
        mask = c.figure_ids.map(lambda xs: all(i in list(xs) for i in ids))
        if kind is not None:
            mask &= c.kind == kind
        return c[mask]


@pytest.fixture(scope="module")
def found(bundled_db: Path) -> Iterator[Found]:
    with Ledger.open(bundled_db, read_only=True) as ledger:
        rec = reconcile(ledger)
        yield Found(rec.checks, rec.conflicts, rec.best, ledger.figures_df(), rec.summary())


def test_us_august_changes_disagree_and_the_one_off_the_tonnages_is_named(found: Found) -> None:
    reuters = found.fid("newszop-reuters-2025-09", "USA", "2025-08", "change_mom")
    smm = found.fid("smm-2025-08", "USA", "2025-08", "change_mom")
    pair = found.involving(reuters, smm, kind="same_cell")
    assert pair.verdict.tolist() == ["inconsistent"]
    assert pair.gap.iloc[0] == pytest.approx(3.0)
    # Against the July (619 t) and August (590 / 589.85 t) tonnages: -4.7% fits, -1.6% not.
    july = found.fid("kitco-reuters-2025-08-20", "USA", "2025-07", "level")
    for fid, verdict in ((reuters, "consistent"), (smm, "inconsistent")):
        c = found.checks[(found.checks.kind == "change_mom") & (found.checks.figure_id == fid)]
        assert c.verdict.tolist() == [verdict]
        assert july in list(c.figure_ids.iloc[0])
    blamed = found.conflicts[found.conflicts.figure_ids.map(lambda xs: smm in list(xs))]
    assert len(blamed) == 2
    assert set(blamed.suspect_figure_id) == {smm}
    assert "-1.6%" in blamed.suspect.iloc[0]


def test_germany_august_tonnages_disagree(found: Found) -> None:
    smm = found.fid("smm-2025-08", "DEU", "2025-08", "level")
    tradium = found.fid("tradium-2025-08", "DEU", "2025-08", "level")
    pair = found.involving(smm, tradium, kind="same_cell")
    assert pair.verdict.tolist() == ["inconsistent"]
    assert pair.gap.iloc[0] == pytest.approx(1345.5 - 1341.085)
    conflict = found.conflicts[found.conflicts.check_id == pair.check_id.iloc[0]]
    # 1,346 t also fails SMM's +20.19% m/m from July; 1,341.08 t fits it.
    assert conflict.suspect_figure_id.tolist() == [tradium]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("rawmaterials-2025-05", "USA"), ("groundnews-scmp-2025-05", "USA")),  # 46 vs 46.4 t
        (("daily8-reuters-2025-06-20", "WLD"), ("smm-2025-05", "WLD")),  # 1,238 vs 1,238.47 t
    ],
)
def test_same_figure_at_two_precisions_is_consistent(found: Found, a: tuple, b: tuple) -> None:
    ids = [found.fid(src, partner, "2025-05", "level") for src, partner in (a, b)]
    pair = found.involving(*ids, kind="same_cell")
    assert pair.verdict.tolist() == ["consistent"]
    assert pair.gap.tolist() == [0.0]


def test_june_world_change_fits_the_may_and_june_levels(found: Found) -> None:
    change = found.fid("timeslive-reuters-2025-07-20", "WLD", "2025-06", "change_mom")
    may = found.fid("daily8-reuters-2025-06-20", "WLD", "2025-05", "level")
    june = found.fid("timeslive-reuters-2025-07-20", "WLD", "2025-06", "level")
    c = found.involving(change, may, june, kind="change_mom")
    assert c.verdict.tolist() == ["consistent"]
    # 3,188 / 1,238 - 1 = +157.5%; the levels' rounding allows a little either side.
    assert c.computed_lo.iloc[0] < 157.5 < c.computed_hi.iloc[0]
    assert c.computed_hi.iloc[0] - c.computed_lo.iloc[0] < 0.5


def test_2025_world_year_to_date_totals_fit_their_months(found: Found) -> None:
    c = found.checks
    ytd = c[
        (c["product"] == "rare-earth-magnets")
        & (c.kind == "cumulative_sum")
        & (c.partner == "WLD")
        & c.period.str.startswith("2025-01/")
    ]
    verdicts = dict(zip(ytd.period, ytd.verdict, strict=True))
    # January-May is the first total: February and March are stated nowhere.
    assert verdicts.pop("2025-01/2025-05") == "unverifiable"
    assert sorted(verdicts) == [f"2025-01/2025-{m:02d}" for m in range(6, 13)]
    assert set(verdicts.values()) == {"consistent"}
    # Jan-May + June = Jan-Jun: the derived difference stands in for the missing months.
    h1 = ytd[ytd.period == "2025-01/2025-06"].iloc[0]
    jan_may = found.fid("econotimes-2025-06", "WLD", "2025-01/2025-05", "cumulative")
    assert jan_may in list(h1.figure_ids)
    assert (h1.computed_lo, h1.computed_hi) == (19131.5 + 3187.5, 19132.5 + 3188.5)


def test_the_wrong_year_is_found_by_the_year_to_date_arithmetic(found: Found) -> None:
    total = found.fid("metalnomist-2025-01", "WLD", "2023-01/2023-10", "cumulative")
    change = found.fid("metalnomist-2025-01", "WLD", "2023-01/2023-10", "cumulative_change_yoy")
    shifts = found.conflicts[found.conflicts.kind == "year_shift"]
    assert set(shifts.figure_id) == {total, change}
    row = shifts[shifts.figure_id == total].iloc[0]
    assert "fits 2024-01/2024-10" in row.note
    # The 2024 months and totals add up to 47,778 t within their rounding.
    assert row.computed_lo <= 47778 <= row.computed_hi
    assert row.suspect_figure_id == total
    # Its own year cannot be checked: 2023 has no months after July in the ledger.
    own = found.checks[(found.checks.kind == "cumulative_sum") & (found.checks.figure_id == total)]
    assert own.verdict.tolist() == ["unverifiable"]


def test_every_conflict_names_a_suspect_or_says_why_not(found: Found) -> None:
    c = found.conflicts
    assert len(c) == found.summary["inconsistent"] > 0
    named = c[c.suspect_figure_id.notna()]
    assert all(
        s in list(ids) for s, ids in zip(named.suspect_figure_id, named.figure_ids, strict=True)
    )
    assert c[c.suspect_figure_id.isna()].why.str.startswith("no figure stands out").all()


def test_summary_counts_add_up(found: Found) -> None:
    s = found.summary
    assert (
        s["checks"] == len(found.checks) == s["consistent"] + s["inconsistent"] + s["unverifiable"]
    )
    assert s["figures"] == len(found.figures)
    assert s["revised"] == 0
    assert set(found.checks.verdict) <= set(VERDICTS)


def test_best_estimate_prefers_the_precise_figure_and_cites_both(found: Found) -> None:
    b = found.best
    us_may = b[(b.partner == "USA") & (b.period == "2025-05") & (b.measure == "level")].iloc[0]
    assert us_may.value == 46.4
    assert sorted(us_may.source_ids) == ["groundnews-scmp-2025-05", "rawmaterials-2025-05"]
    de_aug = b[(b.partner == "DEU") & (b.period == "2025-08") & (b.measure == "level")].iloc[0]
    assert de_aug.value == 1341.08
    tradium = found.fid("tradium-2025-08", "DEU", "2025-08", "level")
    assert list(de_aug.disagreeing_figure_ids) == [tradium]
    assert list(de_aug.flagged_figure_ids) == [tradium]
    assert not b.derived[b.figure_id.notna()].any()


def test_derived_estimates_are_labelled_with_inputs_and_interval(found: Found) -> None:
    b = found.best
    d = b[b.derived]
    assert len(d) > 0
    assert d.figure_id.isna().all()
    assert d.stated.isna().all()
    assert (d.inputs.map(len) == 2).all()
    # The US in June 2024: 353 t in June 2025 was stated as -52% y/y.
    us = d[(d.partner == "USA") & (d.period == "2024-06")].iloc[0]
    assert us.lo <= 353 / 0.48 <= us.hi
    assert "USA 2025-06 level" in us.note
    assert "change_yoy" in us.note


def test_product_and_period_filters(bundled: Ledger) -> None:
    rec = reconcile(bundled, product="rare-earth-magnets", period="2025-08")
    checks = rec.checks
    assert checks.period.str.endswith("2025-08").all()
    # Magnets, and Bloomberg's wider rare-earth products aggregate checked against them.
    assert set(checks["product"]) == {"rare-earth-magnets", "rare-earth-products"}
    assert set(checks[checks["product"] == "rare-earth-products"].kind) <= {
        "product_scope",
        "same_cell",
    }
    assert "same_cell" in set(checks.kind)
    assert rec.best.period.str.endswith("2025-08").all()
    scope = reconcile(bundled, product="rare-earth-magnets", period="2024-01/2024-12").checks
    wider = scope[scope.kind == "product_scope"]
    assert wider.verdict.tolist() == ["consistent"]  # 58,152 t with alloys >= 58,120 t


def test_bad_requests_raise_usage_errors(bundled: Ledger) -> None:
    with pytest.raises(UnknownProduct):
        reconcile(bundled, product="magnets")
    with pytest.raises(PeriodError):
        reconcile(bundled, period="August 2025")


def test_public_names() -> None:
    assert mineralflow.check is reconcile
    assert {"check", "Reconciliation"} <= set(mineralflow.__all__)
    # The package stays reachable under its own name (the function is `check`, like the CLI).
    import mineralflow.reconcile.intervals as intervals

    assert intervals.Interval is mineralflow.reconcile.Interval


def test_docs_describe_every_qualifier_and_relation() -> None:
    from mineralflow.reconcile import KINDS, qualifiers

    text = (Path(__file__).resolve().parent.parent / "docs" / "reconcile.md").read_text()
    for name in qualifiers():
        assert f"| `{name}` |" in text, name
    for kind in KINDS:
        assert f"`{kind}`" in text, kind


def test_an_ibis_table_of_figures_reconciles_like_the_ledger(bundled: Ledger) -> None:
    from_table = reconcile(bundled.table("figures_v"), period="2025-08").summary()
    assert from_table == reconcile(bundled, period="2025-08").summary()
    # Magnets' six, and Bloomberg's two figures for its August aggregate (7,336 / 7,338 t).
    assert from_table["inconsistent"] == 7


@pytest.mark.shared
def test_the_seed_articles_restate_june_within_rounding(shared: Path, bundled_copy: Path) -> None:
    """Five outlets' June 2025 stories ("around 160%", "157%", "about half" of the US a year
    earlier) read as claims and checked against the bundled figures: no false alarm."""
    from mineralflow import read_claims, save_claims

    with Ledger.open(bundled_copy) as ledger:
        save_claims(ledger, read_claims([shared / "seeds"], published="2025-07-20"))
        s = ledger.table("sources")
        news = ledger.table("figures").join(s.filter(s.dataset != "bundled"), "source_id")
        claimed = set(news.figure_id.to_pyarrow().to_pylist())
        with reconcile(ledger, period="2025-06") as rec:
            summary, checks = rec.summary(), rec.checks
    assert len(claimed) > 20
    # The only conflicts of June 2025 are the bundled rare-earth group's (WION's +30.8% m/m,
    # docs/data.md); none involves a claim (below).
    inconsistent = checks[checks.verdict == "inconsistent"]
    assert summary["inconsistent"] == len(inconsistent) == 2
    assert set(inconsistent["product"]) == {"rare-earths"}
    with_claims = checks[checks.figure_ids.map(lambda ids: bool(claimed & set(ids)))]
    assert (with_claims.verdict != "inconsistent").all()
    pairs = with_claims[with_claims.kind == "same_cell"]
    assert len(pairs[pairs.verdict == "consistent"]) > 10
