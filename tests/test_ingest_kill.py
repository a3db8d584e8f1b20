"""Atomic ingests: kill an ingest subprocess with SIGKILL at random moments, at least 20
times; after each the ledger opens and holds either the state before or the complete ingest,
never a part. The input is a SYNTHETIC Comtrade-shaped file (benchmarks/generate_comtrade.py).
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mineralflow import Ledger
from mineralflow.ingestion import ingest

ROOT = Path(__file__).resolve().parent.parent
ROWS = 120_000
KILLS = 22


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_comtrade", ROOT / "benchmarks" / "generate_comtrade.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "synthetic-comtrade.csv"
    _generator().generate(ROWS, path)
    return path


def fingerprint(path: Path) -> tuple[Any, ...]:
    """The ledger's content in a few numbers (opened for writing, as the next command would)."""
    with Ledger.open(path) as ledger:
        return tuple(
            ledger.con.execute(
                "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM releases), "
                "(SELECT count(*) FROM figures), (SELECT count(*) FROM release_periods), "
                "(SELECT count(*) FROM flows), "
                # Exact sums: a float sum's last digits depend on the order threads add.
                "(SELECT sum(CAST(round(quantity_kg * 100) AS HUGEINT)) FROM flows), "
                "(SELECT sum(CAST(round(value * 100) AS HUGEINT)) FROM flows), "
                "(SELECT count(DISTINCT partner) FROM flows)"
            ).fetchone()
        )


def _command(source: Path, db: Path) -> list[str]:
    code = "from mineralflow.cli import main; main()"
    return [sys.executable, "-c", code, "ingest", str(source), "--db", str(db)]


@pytest.mark.slow
def test_sigkill_leaves_the_ledger_before_or_complete(synthetic, bundled_copy, tmp_path):
    base = bundled_copy
    before = fingerprint(base)

    complete_db = tmp_path / "complete.duckdb"
    shutil.copy(base, complete_db)
    started = time.perf_counter()
    subprocess.run(_command(synthetic, complete_db), check=True, capture_output=True)
    total = time.perf_counter() - started
    complete = fingerprint(complete_db)
    assert complete[4] > 0.9 * ROWS  # the flows arrived
    assert complete != before

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import mineralflow.cli"], check=True)
    startup = time.perf_counter() - started

    rng = random.Random(20250605)
    outcomes: list[str] = []
    attempts = 0
    while sum(o != "finished" for o in outcomes) < KILLS:
        attempts += 1
        assert attempts < 4 * KILLS, f"could not land {KILLS} kills: {outcomes}"
        db = tmp_path / f"kill-{attempts}.duckdb"
        shutil.copy(base, db)
        proc = subprocess.Popen(
            _command(synthetic, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Mostly while DuckDB works (after the imports), sometimes during start-up.
        time.sleep(rng.uniform(0.5 * startup, 0.95 * total))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            state = fingerprint(db)
            assert state in (before, complete), f"a partial ingest after kill {attempts}"
            outcomes.append("before" if state == before else "complete")
        else:
            outcomes.append("finished")
            assert fingerprint(db) == complete
        for leftover in tmp_path.glob(f"kill-{attempts}.duckdb*"):
            # DuckDB's spill folder (kill-N.duckdb.tmp) may be left by a killed process.
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
    killed = [o for o in outcomes if o != "finished"]
    assert len(killed) >= 20
    assert "before" in killed


@pytest.mark.slow
def test_progress_is_reported_for_large_files(synthetic, ledger):
    seen: list[float] = []
    report = ingest(ledger, [synthetic], progress=lambda path, done: seen.append(done))
    assert report.files[0].rows_loaded > 0.9 * ROWS
    assert seen
    assert seen[-1] == 1.0
    assert all(0.0 <= x <= 1.0 for x in seen)
