"""Coverage at a glance, the latest month, and the commands that follow the data."""

from __future__ import annotations

import json

import pytest

from mineralflow.coverage import coverage, latest_month
from mineralflow.errors import NoData
from mineralflow.web import get


def test_latest_month_comes_from_the_data(bundled):
    # Magnets: the latest world level (March 2026), not any later month of the calendar.
    assert latest_month(bundled, "rare-earth-magnets") == "2026-03"
    # The rare-earth group has a Jan-Feb 2026 total, but its latest month of its own is 2025-12.
    assert latest_month(bundled, "rare-earths") == "2025-12"
    assert latest_month(bundled, "gallium") == "2025-12"


def test_latest_month_of_a_product_without_figures_says_so(bundled):
    with pytest.raises(NoData, match="no figures for tungsten"):
        latest_month(bundled, "tungsten")


def test_coverage_marks_reported_months_gaps_and_conflicts(bundled):
    (gallium,) = coverage(bundled, product="gallium")
    assert gallium.months[0] == "2022-10"
    assert gallium.months[-1] == "2025-12"
    assert gallium.cell("WLD", "2025-07").status == "reported"
    assert gallium.cell("DEU", "2025-07").reported == 1
    # August 2025 is a month no stored page states: a gap, never filled in.
    assert gallium.cell("WLD", "2025-08").status == "none"
    assert gallium.cell("WLD", "2025-08").reported == 0
    # Two outlets give different 2024 totals: one conflict, in the month the total ends.
    assert gallium.cell("WLD", "2024-12").conflicts == 1
    assert gallium.cell("WLD", "2024-12").spans >= 2
    assert gallium.conflicts_by_month()["2024-12"] == 1
    assert sum(gallium.conflicts_by_month().values()) == 1


def test_coverage_counts_the_reconcilers_conflicts_per_month(bundled):
    (group,) = coverage(bundled, product="rare-earths")
    by_month = group.conflicts_by_month()
    assert by_month["2025-06"] == 2  # WION's +30.8% m/m against the levels and against +32%
    assert by_month["2025-03"] == 1  # 5,600 t against 5,666.3 t
    assert sum(by_month.values()) == 3


def test_coverage_of_every_product_lists_each_with_figures(bundled):
    found = {c.product for c in coverage(bundled)}
    assert {"rare-earth-magnets", "rare-earths", "gallium", "germanium", "antimony"} <= found
    assert "tungsten" not in found


def test_every_products_coverage_from_stored_verdicts_is_that_of_one_reconciliation(
    bundled, monkeypatch
):
    # Stored per-product verdicts (the fast path) and one reconciliation of the whole
    # ledger in memory (when they are stale) give the same conflicts in every cell.
    from mineralflow import coverage as module

    stored = [c.to_dict() for c in coverage(bundled)]
    monkeypatch.setattr(module, "every_product", lambda ledger: None)
    in_memory = [c.to_dict() for c in coverage(bundled)]
    assert stored == in_memory
    assert sum(sum(c["conflicts_by_month"].values()) for c in stored) > 0


def test_coverage_of_an_empty_ledger_says_so(ledger):
    with pytest.raises(NoData):
        coverage(ledger)


def test_coverage_text_grid(bundled):
    (antimony,) = coverage(bundled, product="antimony")
    text = antimony.to_text()
    assert text.splitlines()[0] == "antimony (Antimony): 2023-10 to 2025-06"
    # 2024: July (a stated change only), August to December; June from another outlet.
    assert "WLD        2024 · · · · · R R R R R R R" in text
    assert "NLD" in text


def test_cli_coverage_latest_and_json(run_cli, bundled_db):
    code, out, _ = run_cli(
        "coverage", "--product", "rare-earth-magnets", "--latest", "--db", str(bundled_db)
    )
    assert code == 0
    assert out == "2026-03\n"
    code, out, _ = run_cli("coverage", "-p", "germanium", "-f", "json", "--db", str(bundled_db))
    assert code == 0
    (germanium,) = json.loads(out)
    world = next(p for p in germanium["partners"] if p["partner"] == "WLD")
    statuses = {c["period"]: c["status"] for c in world["cells"]}
    assert statuses["2025-07"] == "reported"
    assert statuses["2025-08"] == "none"


def test_cli_coverage_latest_needs_a_product(run_cli, bundled_db):
    code, _, err = run_cli("coverage", "--latest", "--db", str(bundled_db))
    assert code == 2
    assert "--latest needs --product" in err


@pytest.mark.parametrize(
    ("product", "month", "words"),
    [
        ("gallium", "December 2025", "10.809 t (stated as 10,809 kg)"),
        ("gallium", "December 2025", "averaged 6.42 t a month"),  # not rounded to "6 t"
        ("germanium", "December 2025", "-44% m/m"),
        ("rare-earths", "December 2025", "**4,392 t**"),
        ("antimony", "June 2025", "**107 t**"),
        ("rare-earth-magnets", "March 2026", "**5,238 t**"),
    ],
)
def test_brief_without_period_shows_the_latest_month(run_cli, bundled_db, product, month, words):
    code, out, _ = run_cli("brief", "--product", product, "--db", str(bundled_db))
    assert code == 0
    assert f"China's exports, {month}" in out.splitlines()[0]
    assert words in out
    assert "## Sources" in out
    assert "[1] " in out


def test_web_coverage_page_and_twin(bundled):
    status, _, body = get(bundled, "/coverage.json?product=gallium")
    assert status == 200
    page = json.loads(body)
    assert [p["product"] for p in page["products"]] == ["gallium"]
    assert page["products"][0]["latest"] == "2025-12"
    status, media, html = get(bundled, "/coverage?product=gallium")
    assert status == 200
    assert "text/html" in media
    assert 'title="2025-07: 0 official, 1 reported">R</td>' in html.decode()
    status, _, _ = get(bundled, "/coverage?product=no-such-thing")
    assert status == 404


def test_web_home_lists_every_product_with_its_latest_month(bundled):
    status, _, body = get(bundled, "/index.json")
    assert status == 200
    latest = {p["product"]: p["latest"] for p in json.loads(body)["products"]}
    assert latest["rare-earth-magnets"] == "2026-03"
    assert latest["gallium"] == "2025-12"
    assert latest["antimony"] == "2025-06"


def test_demo_month_is_read_from_the_makefile_command():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    demo = makefile[makefile.index("demo: install") : makefile.index("CODE :=")]
    assert "--latest" in demo
    assert "2025-06" not in demo


def test_one_reconciliation_for_every_product_counts_as_each_alone(bundled):
    """Coverage of every product reconciles the ledger once; the counts match each product
    reconciled on its own (magnets keep their eight conflicts beside the other products)."""
    together = {c.product: c.conflicts_by_month() for c in coverage(bundled)}
    for product in ("rare-earth-magnets", "rare-earths"):
        (alone,) = coverage(bundled, product=product)
        assert together[product] == alone.conflicts_by_month()
    assert sum(together["rare-earth-magnets"].values()) == 8


def test_web_conflicts_of_every_product_match_each_alone(bundled):
    status, _, body = get(bundled, "/conflicts.json")
    assert status == 200
    every = json.loads(body)["conflicts"]
    status, _, body = get(bundled, "/conflicts.json?product=rare-earths")
    alone = json.loads(body)["conflicts"]

    def key(c):
        return (c["period"], c["kind"], c["subject"], sorted(c["source_ids"]))

    assert sorted(key(c) for c in every if c["product"] == "rare-earths") == sorted(
        key(c) for c in alone
    )
    assert len(alone) == 3
