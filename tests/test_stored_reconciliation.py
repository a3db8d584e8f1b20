"""The stored reconciliation: written by every write, read by briefs, never stale.

Every write transaction that changes the ledger bumps its content version and stores each
product's reconciliation (mineralflow.reconcile.store) and the brief's compiled queries
(mineralflow.compiled); a reader finding them stale reconciles in memory instead.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mineralflow import build_brief, compiled
from mineralflow.analysis import WORLD
from mineralflow.ledger import Ledger
from mineralflow.metrics import WORLD as METRICS_WORLD
from mineralflow.reconcile import reconcile
from mineralflow.reconcile.reconciler import reconcile_figures
from mineralflow.reconcile.store import is_current
from support import ROOT

MAGNETS = "rare-earth-magnets"
GOLDEN = ROOT / "tests" / "golden"


def _source(source_id: str) -> dict[str, object]:
    return {
        "source_id": source_id,
        "kind": "news_article",
        "authority": "news",
        "outlet": "Test Wire",
        "original_publisher": None,
        "title": "A test article (written for this test)",
        "url": None,
        "published": dt.date(2025, 7, 30),
        "content_hash": source_id,
        "note": "written for the stored-reconciliation tests",
    }


def _world_level(figure_id: str, source_id: str, value: float) -> dict[str, object]:
    return {
        "figure_id": figure_id,
        "source_id": source_id,
        "reporter": "CHN",
        "partner": "WLD",
        "product": MAGNETS,
        "flow": "export",
        "period_start": dt.date(2025, 6, 1),
        "period_end": dt.date(2025, 6, 1),
        "measure": "level",
        "value": value,
        "unit": "t",
        "stated": f"{value:g}",
        "resolution": 1.0,
        "qualifier": "exact",
        "locator": "paragraph 1",
        "note": None,
    }


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    # The figures of a sum are collected in no particular order (in memory too): as sets.
    def plain(df: pd.DataFrame) -> pd.DataFrame:
        df = df.drop(columns="check_id", errors="ignore").copy()
        for column in ("figure_ids", "cells"):
            if column in df.columns:
                df[column] = df[column].map(lambda ids: sorted(ids))
        return df

    pd.testing.assert_frame_equal(plain(a), plain(b))


def _same_as_in_memory(led: Ledger, product: str) -> None:
    stored = reconcile(led, product=product)
    assert stored.stored
    with reconcile_figures(led, product=product) as live:
        assert stored.summary() == live.summary()
        _frames_equal(stored.best, live.best)
        _frames_equal(stored.checks, live.checks)
        _frames_equal(stored.conflicts, live.conflicts)
        assert stored.rows("best") is not None
        assert len(stored.rows("checks") or []) == len(live.checks)


@pytest.fixture
def loaded(bundled_copy: Path) -> Path:
    return bundled_copy


def test_a_load_stores_every_products_reconciliation(loaded):
    with Ledger.open(loaded, read_only=True) as led:
        products = [
            r[0] for r in led.con.execute("SELECT DISTINCT product FROM figures").fetchall()
        ]
        assert products
        for product in products:
            assert is_current(led, product)
            _same_as_in_memory(led, product)
        assert compiled.is_current(led)


def test_a_load_that_changes_nothing_keeps_the_content_version(loaded):
    with Ledger.open(loaded) as led:
        before = led.content_version()
        assert not led.load_bundled().changed
        assert led.content_version() == before


def test_writing_a_figure_recomputes_the_stored_verdicts(loaded):
    with Ledger.open(loaded) as led:
        before = led.content_version()
        led.add_documents(
            "test", [_source("test-wire-1")], [_world_level("test-wld-1", "test-wire-1", 4100)]
        )
        assert led.content_version() == before + 1
        assert is_current(led, MAGNETS)
        rec = reconcile(led, product=MAGNETS)
        assert rec.stored
        # The new figure disagrees with the bundled world total for June: a conflict now.
        assert "test-wld-1" in {i for ids in rec.checks["figure_ids"] for i in ids}
        assert (rec.conflicts["figure_ids"].map(lambda ids: "test-wld-1" in ids)).any()
        _same_as_in_memory(led, MAGNETS)


def test_a_write_recomputes_only_the_products_whose_figures_changed(loaded):
    def computed_at(led: Ledger) -> dict[str, object]:
        return dict(led.con.execute("SELECT scope, computed_at FROM reconciliations").fetchall())

    with Ledger.open(loaded) as led:
        before = computed_at(led)
        assert "gallium" in before
        assert MAGNETS in before
        level = {**_world_level("test-ga-1", "test-wire-3", 12), "product": "gallium"}
        led.add_documents("test", [_source("test-wire-3")], [level])
        after = computed_at(led)
        assert after["gallium"] != before["gallium"]
        # Magnets and their scope share no figure with gallium: kept, and current.
        assert after[MAGNETS] == before[MAGNETS]
        assert set(after) == set(before)
        for product in after:
            assert is_current(led, product)
            _same_as_in_memory(led, product)
        # A magnets figure changes the products whose scope holds magnets, not gallium.
        led.add_documents(
            "test", [_source("test-wire-4")], [_world_level("test-wld-4", "test-wire-4", 4100)]
        )
        last = computed_at(led)
        assert last[MAGNETS] != after[MAGNETS]
        assert last["gallium"] == after["gallium"]
        _same_as_in_memory(led, MAGNETS)


def test_a_read_only_ledger_with_stale_verdicts_gives_the_right_brief(loaded):
    # Another figure written without its verdicts (as if by a writer that stopped before
    # storing them): the ledger's content version moved on, the stored verdicts did not.
    with Ledger.open(loaded) as led:
        led.con.execute(
            "INSERT INTO sources VALUES ('test-wire-2', 'news_article', 'news', 'Test Wire', "
            "NULL, 'A test article', NULL, DATE '2025-07-30', now(), 'x', 'test', NULL)"
        )
        led.con.execute(
            "INSERT INTO figures VALUES ('test-wld-2', 'test-wire-2', 'CHN', 'WLD', "
            "'rare-earth-magnets', 'export', DATE '2025-06-01', DATE '2025-06-01', 'level', "
            "4100, 't', '4100', 1, 'exact', 'paragraph 1', NULL)"
        )
        led.con.execute("UPDATE ledger_state SET content_version = content_version + 1")
    with Ledger.open(loaded, read_only=True) as led:
        assert not is_current(led, MAGNETS)
        rec = reconcile(led, product=MAGNETS)
        assert not rec.stored
        assert "test-wld-2" in {i for ids in rec.checks["figure_ids"] for i in ids}
        rec.close()
        stale = build_brief(led, product=MAGNETS, period="2025-06").to_markdown()
    # The same ledger with its verdicts stored again gives the same brief.
    with Ledger.open(loaded) as led:
        led.load_bundled()  # changes nothing, but stores what is stale
        assert is_current(led, MAGNETS)
    with Ledger.open(loaded, read_only=True) as led:
        assert reconcile(led, product=MAGNETS).stored
        fresh = build_brief(led, product=MAGNETS, period="2025-06").to_markdown()
    assert stale == fresh
    assert "Test Wire" in fresh


def test_verdicts_stored_by_other_code_are_not_used(loaded):
    with Ledger.open(loaded) as led:
        led.con.execute("UPDATE reconciliations SET code_key = 'other code'")
    with Ledger.open(loaded, read_only=True) as led:
        assert not is_current(led, MAGNETS)
        assert not reconcile(led, product=MAGNETS).stored
        brief = build_brief(led, product=MAGNETS, period="2025-06")
    assert brief.to_markdown() == (GOLDEN / "brief-2025-06.md").read_text(encoding="utf-8")


def test_a_brief_from_stored_verdicts_imports_neither_ibis_nor_pandas(loaded):
    # What keeps `mineralflow brief` fast (docs/BENCHMARKS.md): checked, not timed. The
    # nowcast's model (statsmodels, pandas) runs once per series and is kept beside the
    # ledger: the first brief fits it, the next ones read it.
    with Ledger.open(loaded, read_only=True) as led:
        build_brief(led, product=MAGNETS, period="2025-06")
    code = (
        "import json, sys\n"
        "from mineralflow import Ledger, build_brief\n"
        f"with Ledger.open({str(loaded)!r}, read_only=True) as led:\n"
        f"    text = build_brief(led, product={MAGNETS!r}, period='2025-06').to_markdown()\n"
        "print(json.dumps({'text': text, 'modules': sorted(m for m in "
        "('ibis', 'pandas', 'pyarrow', 'sqlglot') if m in sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(done.stdout)
    assert result["modules"] == []
    assert result["text"] == (GOLDEN / "brief-2025-06.md").read_text(encoding="utf-8")


def test_the_analysis_names_the_world_as_the_metrics_do():
    assert WORLD == METRICS_WORLD


HEAVY = ("ibis", "pandas", "pyarrow", "sqlglot", "altair", "vl_convert", "statsmodels")


def pages_in_a_fresh_process(db: Path, paths: list[str]) -> tuple[list[list[object]], list[str]]:
    """Each page of ``db`` as [status, media type, body] rendered by a new Python process,
    and which of :data:`HEAVY` that process imported."""
    code = (
        "import json, sys\n"
        "from mineralflow import Ledger\n"
        "from mineralflow.web import get\n"
        f"with Ledger.open({str(db)!r}, read_only=True) as led:\n"
        f"    pages = [get(led, p) for p in {paths!r}]\n"
        "print(json.dumps({'pages': [[s, t, b.decode()] for s, t, b in pages], "
        f"'modules': sorted(m for m in {HEAVY!r} if m in sys.modules)}}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(done.stdout)
    return result["pages"], result["modules"]


def test_the_home_and_conflicts_pages_from_stored_verdicts_import_neither_ibis_nor_pandas(
    loaded,
):
    # What keeps a cold `serve --get` of these pages fast (docs/BENCHMARKS.md): checked, not
    # timed. With the verdicts and queries stored by other code, the same pages come from
    # verdicts reconciled in memory (Ibis and pandas), and must be the same bytes.
    paths = ["/", "/conflicts", "/conflicts.json", "/conflicts?product=gallium"]
    pages, modules = pages_in_a_fresh_process(loaded, paths)
    assert modules == []
    with Ledger.open(loaded) as led:
        led.con.execute("UPDATE reconciliations SET code_key = 'other code'")
        led.con.execute("UPDATE compiled_queries SET code_key = 'other code'")
    from mineralflow.web import get

    with Ledger.open(loaded, read_only=True) as led:
        assert not reconcile(led, product=MAGNETS).stored
        fresh = [get(led, p) for p in paths]
    assert [[s, t, b.decode()] for s, t, b in fresh] == pages
    statuses = {s for s, _, _ in fresh}
    assert statuses == {200}
    assert "conflict" in fresh[1][2].decode().lower()


def test_the_report_pages_load_neither_ibis_pandas_nor_altair(loaded):
    # The month page (and the others that read figures or verdicts) from a current ledger:
    # compiled queries and stored verdicts only, charts named by address, not drawn.
    month = f"/products/{MAGNETS}/2025-06"
    from mineralflow.web import get

    with Ledger.open(loaded, read_only=True) as led:
        # The brief's nowcast, fitted once and kept beside the ledger (statsmodels and
        # pandas load for that fit only).
        assert get(led, month)[0] == 200
    paths = [
        month,
        f"{month}.json",
        f"/products/{MAGNETS}",
        f"/products/{MAGNETS}/partners/USA",
        "/sources",
        f"/events?product={MAGNETS}",
        "/coverage",
        "/outlets",
        "/outlets?product=gallium",
    ]
    pages, modules = pages_in_a_fresh_process(loaded, paths)
    assert [status for status, _, _ in pages] == [200] * len(paths)
    assert modules == []


def test_one_plan_serves_every_product(loaded, monkeypatch):
    # The reconciler compiles its steps once and runs them again for the next product, the
    # product's id a placeholder in the SQL: each product's verdicts must be those of a
    # plan built for that product alone.
    from mineralflow.reconcile import plans

    monkeypatch.setattr(plans, "_read", lambda ledger, key: None)  # compile, never read

    def verdicts(product: str, *, fresh: bool) -> dict[str, object]:
        if fresh:
            monkeypatch.setattr(plans, "_PLANS", {})
        with (
            Ledger.open(loaded, read_only=True) as led,
            reconcile_figures(led, product=product) as rec,
        ):
            return rec.to_dict()

    monkeypatch.setattr(plans, "_PLANS", {})
    first = verdicts(MAGNETS, fresh=False)
    assert len(plans._PLANS) == 1
    for product in ("rare-earth-products", "gallium"):
        replayed = verdicts(product, fresh=False)
        assert len(plans._PLANS) == 1  # no new plan: the magnets' one ran again
        assert replayed == verdicts(product, fresh=True)
        assert replayed["product"] == product
        assert replayed["summary"]["checks"] > 0
        assert replayed != first


def test_a_write_stores_the_plan_the_next_process_replays(loaded, monkeypatch):
    # A write keeps the reconciler's SQL in the ledger: a process that has compiled nothing
    # reads it (no Ibis expression built) and reaches the verdicts of a fresh compile.
    from mineralflow.reconcile import plans, reconciler

    with Ledger.open(loaded, read_only=True) as led:
        (stored,) = led.con.execute("SELECT count(*) FROM reconcile_plans").fetchone()
    assert stored >= 1

    def verdicts(product: str) -> dict[str, object]:
        with (
            Ledger.open(loaded, read_only=True) as led,
            reconcile_figures(led, product=product) as rec,
        ):
            return rec.to_dict()

    built: list[str] = []
    compile_ = reconciler._reconcile
    monkeypatch.setattr(
        reconciler, "_reconcile", lambda *a, **k: (built.append("x"), compile_(*a, **k))[1]
    )
    monkeypatch.setattr(plans, "_PLANS", {})
    replayed = {p: verdicts(p) for p in (MAGNETS, "gallium")}
    assert built == []  # read from the ledger, not compiled
    monkeypatch.setattr(plans, "_PLANS", {})
    monkeypatch.setattr(plans, "_read", lambda ledger, key: None)
    compiled = {p: verdicts(p) for p in (MAGNETS, "gallium")}
    assert built == ["x"]  # one compile, then its plan ran for gallium
    assert replayed == compiled


def test_a_plan_of_other_code_is_not_read(loaded, monkeypatch):
    from mineralflow.reconcile import plans, reconciler, store

    built: list[str] = []
    compile_ = reconciler._reconcile
    monkeypatch.setattr(
        reconciler, "_reconcile", lambda *a, **k: (built.append("x"), compile_(*a, **k))[1]
    )
    monkeypatch.setattr(plans, "_PLANS", {})
    monkeypatch.setattr(store, "code_key", lambda: "other-code")
    with Ledger.open(loaded, read_only=True) as led, reconcile_figures(led, product=MAGNETS):
        pass
    assert built == ["x"]
