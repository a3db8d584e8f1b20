"""The CLI as a user meets it: help, load, brief, figures, errors as one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest


def test_help_lists_the_commands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for command in ("load", "brief", "figures", "sources", "events", "products"):
        assert command in out


def test_load_then_brief(run_cli, db_path):
    code, out, _ = run_cli("load", "--db", str(db_path))
    assert code == 0
    assert "387 figures added" in out  # 194 from the reference data, 193 news figures
    code, out, _ = run_cli("load", "--db", str(db_path))
    assert "nothing changed" in out
    code, out, err = run_cli("brief", "--period", "2025-06", "--db", str(db_path))
    assert code == 0, err
    assert "**3,188 t** [1]" in out


def test_db_from_environment(run_cli, db_path):
    run_cli("load", env={"MINERALFLOW_DB": str(db_path)})
    assert db_path.exists()
    code, out, _ = run_cli("brief", "--period", "2025-06", "--format", "json")
    assert code == 0
    assert json.loads(out)["world"]["level"]["value"] == 3188


def test_brief_for_a_month_without_data_exits_2_with_one_line(run_cli, bundled_db):
    code, out, err = run_cli("brief", "--period", "2023-03", "--db", str(bundled_db))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("Error: no figures for rare-earth-magnets in 2023-03; periods with data:")


def test_unknown_product_exits_2(run_cli, bundled_db):
    code, _, err = run_cli(
        "brief", "-p", "unobtainium", "--period", "2025-06", "--db", str(bundled_db)
    )
    assert code == 2
    assert "unknown product 'unobtainium'" in err


def test_brief_without_a_ledger_says_how_to_make_one(run_cli, tmp_path):
    code, _, err = run_cli("brief", "--period", "2025-06", "--db", str(tmp_path / "x.duckdb"))
    assert code == 1
    assert "mineralflow load" in err


def test_brief_writes_a_file(run_cli, bundled_db, tmp_path):
    target = tmp_path / "out" / "brief.md"
    code, _, _ = run_cli("brief", "--period", "2025-06", "--db", str(bundled_db), "-o", str(target))
    assert code == 0
    assert "3,188 t" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_figures_export(run_cli, bundled_db, tmp_path, fmt):
    target = tmp_path / f"figures.{fmt}"
    code, _, err = run_cli(
        "figures",
        "--partner",
        "U.S.",
        "--period",
        "2025-06",
        "--format",
        fmt,
        "-o",
        str(target),
        "--db",
        str(bundled_db),
    )
    assert code == 0, err
    df = {"csv": pd.read_csv, "json": pd.read_json, "parquet": pd.read_parquet}[fmt](target)
    assert set(df.partner) == {"USA"}
    assert 353 in set(df.value)
    assert {"source_id", "outlet", "source_url", "locator"} <= set(df.columns)


def test_figures_table_goes_to_stdout(run_cli, bundled_db):
    code, out, err = run_cli("figures", "--period", "2025-06", "--db", str(bundled_db))
    assert code == 0
    assert "TimesLIVE" in out
    assert "figures" in err


def test_sources_events_products(run_cli, bundled_db):
    assert "timeslive" in run_cli("sources", "--db", str(bundled_db))[1].lower()
    code, out, _ = run_cli("events", "--product", "rare-earth-magnets", "--db", str(bundled_db))
    assert code == 0
    assert "Announcement No. 18" in out
    assert "85051110" in run_cli("products")[1]


def test_partners_lists_the_catalog_by_kind_and_text(run_cli):
    code, out, _ = run_cli("partners", "--kind", "bloc")
    assert code == 0
    assert "EU27" in out
    assert "DEU" not in out
    code, out, _ = run_cli("partners", "korea")
    assert code == 0
    assert "KOR" in out
    assert "韩国" in out
    assert "PRK" in out
    assert "USA" not in out
    code, _, err = run_cli("partners", "narnia")
    assert code == 2
    assert "no partner matches 'narnia'" in err


def test_tests_never_see_the_users_ledger(run_cli):
    # After `make demo`, ./mineralflow.duckdb in the checkout holds the user's ledger; a test
    # that found it would depend on what the user did (issue 11's acceptance).
    from support import ROOT

    assert Path.cwd().resolve() != ROOT
    assert not Path("mineralflow.duckdb").exists()
    assert "MINERALFLOW_DB" not in os.environ
    code, _, err = run_cli("figures")
    assert code != 0
    assert "mineralflow.duckdb" in err


@pytest.mark.parametrize("args", [["--help"], ["products"]])
def test_a_light_command_imports_neither_pydantic_nor_the_heavy_libraries(args):
    # What keeps `--help` and the light commands instant (docs/BENCHMARKS.md): checked, not
    # timed. Typer 0.29 imported pydantic for every command; rich's Markdown help formatter
    # and Ibis, pandas and Altair are for the commands that use them.
    import subprocess
    import sys

    from support import ROOT

    code = (
        "import json, sys\n"
        f"sys.argv = ['mineralflow', *{args!r}]\n"
        "from mineralflow.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('pydantic', 'rich.markdown', 'ibis', 'pandas', 'altair', 'statsmodels')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert "Usage" in done.stdout or "rare-earth-magnets" in done.stdout
