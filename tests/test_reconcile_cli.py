"""`mineralflow check` and the brief's use of the reconciler, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from mineralflow import build_brief
from mineralflow.ledger import Ledger
from support import CliRunner


def test_check_prints_conflicts_first_then_a_summary_and_exits_0(
    run_cli: CliRunner, bundled_db: Path
) -> None:
    code, out, _ = run_cli(
        "check", "--product", "rare-earth-magnets", "--period", "2025-08", "--db", str(bundled_db)
    )
    assert code == 0  # conflicts are findings, not errors
    lines = out.rstrip("\n").splitlines()
    summary = lines[-1]
    # Two of the checks compare magnets with Bloomberg's wider rare-earth products aggregate.
    assert summary.startswith("41 checks run: 31 consistent, 6 inconsistent, 4 unverifiable")
    heads = [line for line in lines[:-1] if not line.startswith("  ")]
    assert len(heads) == 6
    assert "2025-08 USA change_mom: inconsistent (off by 2.877 points)" in heads
    assert "2025-08 DEU same_cell: inconsistent (off by 4.415 t)" in heads
    blamed = [line.strip() for line in lines if line.startswith("  most likely wrong:")]
    assert any(b.startswith("most likely wrong: -1.6% (SMM") for b in blamed)
    assert any(b.startswith("most likely wrong: 1346 t (Tradium") for b in blamed)


def test_a_figure_stated_with_its_own_unit_is_quoted_as_stated(
    run_cli: CliRunner, bundled_db: Path
) -> None:
    # Two outlets' gallium totals for 2024, stated in kilograms (docs/data.md), conflict.
    code, out, _ = run_cli("check", "--product", "gallium", "--db", str(bundled_db))
    assert code == 0
    quoted = [line for line in out.splitlines() if "no figure stands out" in line]
    assert quoted, out
    assert " kg (" in quoted[0]
    assert " kg t" not in out
    assert "Kilogramm t" not in out


def test_check_json_is_the_library_result(run_cli: CliRunner, bundled_db: Path) -> None:
    code, out, _ = run_cli(
        "check", "--product", "rare-earth-magnets", "--format", "json", "--db", str(bundled_db)
    )
    assert code == 0
    data = json.loads(out)
    assert data["product"] == "rare-earth-magnets"
    s = data["summary"]
    assert (
        s["checks"]
        == len(data["checks"])
        == s["consistent"] + s["inconsistent"] + s["unverifiable"]
    )
    assert len(data["conflicts"]) == s["inconsistent"]
    kinds = {c["kind"] for c in data["conflicts"]}
    assert {"same_cell", "change_mom", "year_shift"} <= kinds
    assert all(isinstance(c["figure_ids"], list) for c in data["checks"])


def test_check_without_conflicts_says_so(run_cli: CliRunner, bundled_db: Path) -> None:
    code, out, _ = run_cli(
        "check", "--product", "rare-earth-magnets", "--period", "2025-06", "--db", str(bundled_db)
    )
    assert code == 0
    assert out.startswith("No conflicts.\n")


def test_check_usage_errors(run_cli: CliRunner, bundled_db: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("check", "--product", "magnets", "--db", str(bundled_db))
    assert code == 2
    assert err.startswith("Error: unknown product 'magnets'; known products:")
    code, _, err = run_cli("check", "--period", "Aug 2025", "--db", str(bundled_db))
    assert code == 2
    assert "write it YYYY-MM" in err
    code, _, err = run_cli("check", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1
    assert "no ledger at" in err


def test_june_brief_keeps_its_figures_and_lists_the_checks(bundled: Ledger) -> None:
    text = build_brief(bundled, product="rare-earth-magnets", period="2025-06").to_markdown()
    for figure in (
        "**3,188 t** [1]",
        "+157.5% m/m [1]",
        "-38.1% y/y [1]",
        "- United States: **353 t** [1][",
        "+660% m/m [1][",
        "**22,319 t** [1], -18.9% y/y [1]",
        "Germany was the largest destination.",
    ):
        assert figure in text
    checks = text.split("## Checks", 1)[1].split("## Sources", 1)[0]
    assert "0 failed" in checks
    assert "⚠" not in text
    assert (
        "- World m/m change, 2025-06: stated +157.5%; the levels 1,238 t / 1,238.47 t "
        "(2025-05) and 3,188 t (2025-06) give +157.4% to +157.7%: consistent"
    ) in checks
    assert "- World, the first half of 2025, against its months: stated 22,319 t;" in checks


def test_august_brief_marks_the_figures_the_checks_blame(bundled: Ledger) -> None:
    b = build_brief(bundled, product="rare-earth-magnets", period="2025-08")
    text = b.to_markdown()
    assert "Germany: **1,341.08 t** [2] (another source states 1,346 t [3] ⚠)" in text
    assert "-4.7% m/m [1] (another source states -1.6% [2] ⚠)" in text
    failed = [c for c in b.checks if c.verdict == "inconsistent"]
    assert {c.kind for c in failed} >= {"same_cell", "change_mom"}
    assert any(c.suspect and c.suspect.startswith("-1.6% (SMM") for c in failed)
    assert "**Disagreement**, United States m/m change, 2025-08: stated -1.6%" in text
    data = b.to_dict()
    assert data["checks"][0]["verdict"] == "inconsistent"
