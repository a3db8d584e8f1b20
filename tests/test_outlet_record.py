"""The outlet record (issue 15): each outlet's figures judged against the reconciler's checks,
grouped by the publisher whose stories it carries.

The acceptance test recomputes every count from the reconciler's checks, conflicts and best
estimates with its own code (pandas), not with the module's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mineralflow
from _figures import figure, load, source
from mineralflow.claims import read_claims, save_claims
from mineralflow.ledger import Ledger
from mineralflow.outlet_record import (
    independent_count,
    outlet_record,
    publisher_of,
    release_date,
)
from mineralflow.periods import Month
from support import copy_ledger

PRODUCT = "rare-earth-magnets"
STATEMENT = ["source_id", "reporter", "partner", "product", "flow", "period", "measure", "unit",
             "value", "qualifier", "resolution"]  # fmt: skip


@pytest.fixture(scope="module")
def with_seeds(
    shared: Path, bundled_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    path = copy_ledger(bundled_db, tmp_path_factory.mktemp("outlets") / "ledger.duckdb")
    with Ledger.open(path) as led:
        save_claims(led, read_claims([shared / "seeds"], published="2025-07-20"))
    led = Ledger.open(path, read_only=True)
    yield led
    led.close()


def recount(ledger: Ledger) -> pd.DataFrame:
    """Per outlet and publisher, the counts the record must show, from the checks."""
    figures = ledger.figures(product=PRODUCT).execute()
    figures = figures[figures["authority"] != "official"]
    with mineralflow.check(ledger, product=PRODUCT) as rec:
        checks = rec.checks.explode("figure_ids")
        conflicts = rec.conflicts
        best = rec.best
        checks = checks[checks["verdict"] != "unverifiable"]
        passed = checks[checks["verdict"] == "consistent"]["figure_ids"].value_counts()
        named = conflicts.dropna(subset=["suspect_figure_id"])
        disagree = {i for ids in best["disagreeing_figure_ids"] for i in ids}
    figures = figures.assign(
        passed=figures["figure_id"].map(passed).fillna(0),
        named=figures["figure_id"].isin(set(named["suspect_figure_id"])),
        disagrees=figures["figure_id"].isin(disagree),
        publisher=[
            (p if isinstance(p, str) and p.strip() else o).strip()
            for o, p in zip(figures["outlet"], figures["original_publisher"], strict=True)
        ],
    )
    statements = figures.groupby([*STATEMENT, "outlet", "publisher"], dropna=False).agg(
        passed=("passed", "sum"), named=("named", "any"), disagrees=("disagrees", "any")
    )
    statements = statements.reset_index()
    wrong = statements["named"] | statements["disagrees"]
    statements["verdict"] = "unconfirmed"
    statements.loc[~wrong & (statements["passed"] > 0), "verdict"] = "consistent"
    statements.loc[wrong, "verdict"] = "wrong"
    counts = statements.pivot_table(
        index=["publisher", "outlet"], columns="verdict", aggfunc="size", fill_value=0
    )
    counts["statements"] = counts.sum(axis=1)
    by_fid = figures.set_index("figure_id")
    n_named = (
        named.assign(
            outlet=named["suspect_figure_id"].map(by_fid["outlet"]),
            publisher=named["suspect_figure_id"].map(by_fid["publisher"]),
        )
        .groupby(["publisher", "outlet"])["check_id"]
        .nunique()
    )
    counts["named"] = n_named.reindex(counts.index).fillna(0).astype(int)
    return counts


@pytest.mark.shared
@pytest.mark.slow
def test_each_seed_outlet_is_listed_with_counts_recomputed_from_the_checks(
    with_seeds: Ledger, shared: Path
) -> None:
    record = outlet_record(with_seeds, product=PRODUCT)
    expected = recount(with_seeds)
    got = {(o.publisher, o.outlet): o for o in record.outlets}
    assert set(got) == set(expected.index)
    for key, row in expected.iterrows():
        o = got[key]  # type: ignore[index]
        assert len(o.statements) == row["statements"], key
        for verdict in ("consistent", "wrong", "unconfirmed"):
            assert o.count(verdict) == row.get(verdict, 0), (key, verdict)
        assert o.conflicts_named == row["named"], key
    seeds = {p.stem for p in (shared / "seeds").iterdir() if p.suffix == ".txt"}
    listed = {o.outlet for o in record.outlets}
    assert seeds <= listed, seeds - listed
    assert sum(row["statements"] for _, row in expected.iterrows()) > 150


@pytest.mark.shared
@pytest.mark.slow
def test_the_reuters_copies_are_grouped(with_seeds: Ledger) -> None:
    record = outlet_record(with_seeds, product=PRODUCT)
    groups = {g.publisher: g for g in record.groups}
    reuters = groups["Reuters"]
    sources = with_seeds.table("sources").execute()
    carried = sources[sources["original_publisher"] == "Reuters"]
    figures = with_seeds.figures(product=PRODUCT).execute()
    with_figures = carried[carried["source_id"].isin(set(figures["source_id"]))]
    assert {o.outlet for o in reuters.outlets} == set(with_figures["outlet"])
    assert len(reuters.outlets) > 5
    assert all(o.copies for o in reuters.outlets)
    # A seed copy that ends "- Reuters" and one crediting "(Reuters)" are in the group; the
    # seeds that credit no one stand alone, each its own independent source.
    seeds = {o.outlet for o in reuters.outlets if o.outlet[:4] in ("000_", "004_")}
    assert len(seeds) == 2
    alone = [g for g in record.groups if g.publisher[:4] in ("001_", "002_", "003_")]
    assert [len(g.outlets) for g in alone] == [1, 1, 1]
    assert record.to_dict()["independent"] == len(record.groups) < record.to_dict()["outlets"]


def test_the_bundled_conflicts_are_the_wrong_figures(bundled: Ledger) -> None:
    record = outlet_record(bundled, product=PRODUCT)
    wrong = {(s.outlet, s.cell, s.text) for o in record.outlets for s in o.wrong}
    with mineralflow.check(bundled, product=PRODUCT) as rec:
        named = set(rec.conflicts["suspect_figure_id"].dropna())
        disagree = {i for ids in rec.best["disagreeing_figure_ids"] for i in ids}
    ids = {i for o in record.outlets for s in o.wrong for i in s.figure_ids}
    assert ids == named | disagree
    assert ("Tradium", "Germany level, 2025-08", "1346 t") in wrong
    assert ("SMM (news.metal.com)", "United States m/m change, 2025-08", "-1.6%") in wrong
    # The continents that do not add up to the world total name no figure: none is wrong.
    assert not any(s.partner.startswith("REG_") for o in record.outlets for s in o.wrong)
    tradium = next(o for o in record.outlets if o.outlet == "Tradium")
    assert tradium.conflicts_named == 2
    assert tradium.wrong[0].url.startswith("https://tradium.com/")


def official_ledger(ledger: Ledger) -> Ledger:
    """An official release for June 2025 and four outlets stating it, one wrong."""
    june = dt.date(2025, 7, 18)
    sources = [
        source("gac", authority="official", kind="official_release", published=june),
        {**source("wire-a", published=dt.date(2025, 7, 20), outlet="Wire"), "url": "https://w.example/a"},
        {**source("copy-a", published=dt.date(2025, 7, 22), outlet="Copier"),
         "original_publisher": "Wire"},
        source("blog", authority="blog", outlet="<b>Blog</b>"),
        {**source("press", authority="trade_press", outlet="Press", published=dt.date(2025, 8, 1)),
         "url": "javascript:alert(1)"},
    ]  # fmt: skip
    load(
        ledger,
        sources,
        [
            figure("gac", "WLD", "2025-06", "level", 3188.21, resolution=0.01),
            figure("gac", "WLD", "2025-06", "change_mom", 157.45, resolution=0.01),
            figure("wire-a", "WLD", "2025-06", "level", 3188),
            figure("wire-a", "WLD", "2025-06", "change_mom", 157.5, resolution=0.1),
            figure("copy-a", "WLD", "2025-06", "level", 3188),
            figure("copy-a", "WLD", "2025-06", "change_mom", 157, stated="157"),
            figure("blog", "WLD", "2025-06", "change_mom", 160, qualifier="around"),
            figure("blog", "WLD", "2024-01/2024-12", "cumulative", 58000),
            figure("press", "WLD", "2025-06", "level", 3288),
        ],
    )
    return ledger


def test_every_outlets_record_from_stored_verdicts_is_that_of_one_reconciliation(
    bundled: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record of every product, read from each product's stored verdicts (a check that
    # two products' scopes share counted once), is the record a reconciliation of the
    # whole ledger in memory gives.
    from mineralflow import outlet_record as module

    stored = outlet_record(bundled).to_dict()
    monkeypatch.setattr(module, "every_product", lambda ledger: None)
    in_memory = outlet_record(bundled).to_dict()
    assert stored == in_memory
    outlets = [o for g in stored["groups"] for o in g["outlets"]]
    assert sum(o["wrong"] for o in outlets) > 0
    assert sum(o["consistent"] for o in outlets) > 0


def test_a_release_is_the_reference_and_copies_count_once(ledger: Ledger) -> None:
    record = outlet_record(official_ledger(ledger), product=PRODUCT)
    by = {o.outlet: o for o in record.outlets}
    assert "Outlet gac" not in by  # the release is the yardstick, not an outlet
    assert {g.publisher: [o.outlet for o in g.outlets] for g in record.groups}["Wire"] == [
        "Wire",
        "Copier",
    ]
    assert by["Copier"].copies
    assert not by["Wire"].copies
    assert by["Wire"].against("official") == (2, 2)
    press = by["Press"]
    assert press.count("wrong") == 1
    assert press.wrong[0].reference == "official"
    assert "official release, 3188.21 t" in press.wrong[0].why
    # 2024's total: no month of 2024 to add up, no other source to compare with.
    assert by["<b>Blog</b>"].count("unconfirmed") == 1
    assert independent_count([("Wire", None), ("Copier", "Wire"), ("Press", None)]) == (3, 2)


def test_rounding_habits(ledger: Ledger) -> None:
    record = outlet_record(official_ledger(ledger), product=PRODUCT)
    by = {o.outlet: o.habits() for o in record.outlets}
    # The release states 157.45% and 3,188.21 t: every outlet's digits are fewer.
    assert by["Wire"] == {"precise": 0, "rounded": 2, "qualified": 0, "alone": 0}
    assert by["<b>Blog</b>"] == {"precise": 0, "rounded": 0, "qualified": 1, "alone": 1}


def test_precise_is_the_finest_digit_any_source_gives(ledger: Ledger) -> None:
    load(
        ledger,
        [source("a", outlet="A"), source("b", outlet="B"), source("c", outlet="C")],
        [
            figure("a", "WLD", "2025-06", "change_mom", 157.5, resolution=0.1),
            figure("b", "WLD", "2025-06", "change_mom", 157),
            figure("c", "WLD", "2025-06", "change_mom", 160, qualifier="around"),
        ],
    )
    habits = {o.outlet: o.habits() for o in outlet_record(ledger, product=PRODUCT).outlets}
    assert habits["A"]["precise"] == 1
    assert habits["B"]["rounded"] == 1
    assert habits["C"]["qualified"] == 1
    assert {o.outlet: o.share_precise for o in outlet_record(ledger).outlets}["A"] == 1.0


def test_delay_from_the_release_to_publication(ledger: Ledger) -> None:
    record = outlet_record(official_ledger(ledger), product=PRODUCT)
    by = {o.outlet: o for o in record.outlets}
    # The release was published on 18 July, before customs' rhythm (20 July): it counts.
    assert by["Wire"].delays == [2]
    assert by["Copier"].median_delay == 4
    assert by["Press"].delays == [14]
    assert by["<b>Blog</b>"].delays == []  # undated
    assert release_date(Month(2025, 12)) == dt.date(2026, 1, 20)
    assert release_date(Month(2025, 6), dt.date(2026, 1, 20)) == dt.date(2025, 7, 20)


def test_publisher_of_prefers_the_original() -> None:
    assert publisher_of("Kitco", " Reuters ") == "Reuters"
    assert publisher_of(" Tradium ", "") == "Tradium"


def test_the_outlet_page_escapes_names_and_links_only_http(db_path: Path) -> None:
    from mineralflow.web import get

    with Ledger.open(db_path) as writable:
        official_ledger(writable)
    ledger = Ledger.open(db_path, read_only=True)
    status, _, body = get(ledger, "/outlets")
    html = body.decode()
    assert status == 200
    assert "&lt;b&gt;Blog&lt;/b&gt;" in html
    assert "<b>Blog</b>" not in html
    assert "javascript:" not in html  # Press's wrong figure is listed, without its link
    assert "<strong>3288 t</strong>" in html
    status, _, body = get(ledger, "/outlets.json?product=rare-earth-magnets")
    data: dict[str, Any] = __import__("json").loads(body)
    assert status == 200
    assert data["independent"] == 3
    assert data["outlets"] == 4
    press = next(o for g in data["groups"] for o in g["outlets"] if o["outlet"] == "Press")
    assert press["wrong_figures"][0]["text"] == "3288 t"
    status, _, _ = get(ledger, "/outlets?product=nope")
    ledger.close()
    assert status == 404


def test_outlets_command(run_cli, bundled_db: Path) -> None:
    code, out, _ = run_cli("outlets", "--db", str(bundled_db), "--product", PRODUCT)
    assert code == 0
    assert "Tradium" in out
    assert "independent sources" in out
    assert "- Tradium: Germany level, 2025-08: 1346 t" in out
    code, out, _ = run_cli(
        "outlets", "--db", str(bundled_db), "--outlet", "Tradium", "--format", "json"
    )
    data = __import__("json").loads(out)
    assert code == 0
    assert [o["outlet"] for g in data["groups"] for o in g["outlets"]] == ["Tradium"]
