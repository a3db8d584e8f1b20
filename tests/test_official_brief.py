"""Acceptance: the China customs fixture (12 months x 10 partners of 85051110) is the top
authority; the brief shows the official figure first and checks the bundled news figures
against it; "as published on" shows an older vintage; the mirror appears when both sides
report. (The fixture is synthetic: tests/data/README.md says which cells equal the news.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from mineralflow import Ledger, build_brief
from mineralflow.ingestion import ingest
from support import copy_ledger

DATA = Path(__file__).parent / "data"
GAC_2025 = DATA / "china-customs" / "2025年出口85051110按月按国别_美元.csv"
GAC_REVISED = DATA / "china-customs" / "2025年6月出口85051110_修订_美元.csv"
COMEXT = DATA / "comext" / "comext-DS-045409-85051110-imports-from-CN-2025.csv"


@pytest.fixture(scope="module")
def official_db(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_ledger(bundled_db, tmp_path_factory.mktemp("official") / "ledger.duckdb")
    with Ledger.open(path) as ledger:
        ingest(ledger, [GAC_2025], published="2026-01-20")
    return path


@pytest.fixture
def official(official_db: Path):
    with Ledger.open(official_db, read_only=True) as ledger:
        yield ledger


def test_official_figures_are_the_top_authority_for_the_reconciler(official):
    df = official.figures_df(product="rare-earth-magnets", period="2025-06")
    gac = df[df.source_id == "gac-r1"]
    assert len(gac) == 10
    assert set(gac.authority) == {"official"}
    assert set(gac.authority_rank) == {1}
    assert set(gac.source_kind) == {"official_release"}
    assert gac.authority_rank.max() < df[df.source_id != "gac-r1"].authority_rank.min()


def test_brief_leads_with_the_official_figure_and_cites_agreeing_news(official):
    b = build_brief(official, product="rare-earth-magnets", period="2025-06")
    usa = next(line for line in b.destinations if line.partner == "USA")
    assert usa.level is not None
    assert (usa.level.value, usa.level.stated) == (pytest.approx(352.88), "352,880 kg")
    cited = {b.sources[n - 1].source_id for n in usa.level.sources}
    # The official release and the two news outlets that state 353 t, which agree.
    assert cited == {"gac-r1", "timeslive-reuters-2025-07-20", "daily8-scmp-2025-06"}
    assert usa.level.disagreeing == ()
    text = b.to_markdown()
    n = next(s.number for s in b.sources if s.source_id == "gac-r1")
    line = next(x for x in text.splitlines() if x.startswith("- United States: "))
    assert line.startswith("- United States: **352.880 t (stated as 352,880 kg)** [")
    assert f"[{n}]" in line.split(";")[0]
    assert f'[{n}] China customs (GAC): "China customs query export' in text


def test_brief_checks_each_news_level_against_the_official_release(official):
    b = build_brief(official, product="rare-earth-magnets", period="2025-06")
    checks = [c for c in b.checks if "against the official release" in c.subject]
    subjects = sorted((c.subject.split(" level")[0], c.stated, c.verdict) for c in checks)
    assert subjects == [
        ("Germany", "WIOBS states 764 t", "consistent"),
        ("India", "Lapaas Voice states 172 t", "consistent"),
        ("United States", "Daily8 states 353 t", "consistent"),
        ("United States", "TimesLIVE states 353 t", "consistent"),
    ]
    # The news m/m change is now checked against the official levels (46.412 -> 352.880 t).
    mom = next(c for c in b.checks if c.subject == "United States m/m change, 2025-06")
    assert mom.verdict == "consistent"
    assert "46.412 t" in mom.computed


def test_brief_flags_news_that_disagrees_with_the_official_release(official):
    b = build_brief(official, product="rare-earth-magnets", period="2025-08")
    deu = next(line for line in b.destinations if line.partner == "DEU")
    assert deu.level is not None
    assert deu.level.value == pytest.approx(1341.08)
    assert [d.text() for d in deu.level.disagreeing] == ["1,346 t"]
    bad = [c for c in b.checks if c.verdict == "inconsistent" and "official" in c.subject]
    assert [(c.subject, c.stated, c.gap) for c in bad] == [
        (
            "Germany level, 2025-08, against the official release",
            "Tradium states 1,346 t",
            pytest.approx(4.4195, abs=1e-3),
        )
    ]
    text = b.to_markdown()
    assert "**Disagreement**, Germany level, 2025-08, against the official release" in text


def test_brief_as_published_on_a_date(bundled_copy, run_cli):
    db = bundled_copy
    with Ledger.open(db) as ledger:
        ingest(ledger, [GAC_2025], published="2026-01-20")
        ingest(ledger, [GAC_REVISED], published="2026-02-20")
        latest = build_brief(ledger, product="rare-earth-magnets", period="2025-06")
        old = build_brief(
            ledger, product="rare-earth-magnets", period="2025-06", as_of="2026-02-01"
        )

    def usa(b):  # type: ignore[no-untyped-def]
        return next(x for x in b.destinations if x.partner == "USA").level

    assert usa(latest).value == pytest.approx(354.12)
    assert usa(old).value == pytest.approx(352.88)
    assert old.as_of == "2026-02-01"
    assert latest.as_of is None
    code, out, _ = run_cli("brief", "--period", "2025-06", "--as-of", "2026-02-01", "--db", str(db))
    assert code == 0
    assert "**352.880 t (stated as 352,880 kg)**" in out
    assert "Official figures as published on 2026-02-01" in out
    code, out, _ = run_cli("brief", "--period", "2025-06", "--db", str(db))
    assert "**354.120 t (stated as 354,120 kg)**" in out


def test_brief_shows_the_mirror_when_both_sides_report(bundled_copy):
    with Ledger.open(bundled_copy) as ledger:
        ingest(ledger, [GAC_2025])
        without = build_brief(ledger, product="rare-earth-magnets", period="2025-06")
        ingest(ledger, [COMEXT])
        b = build_brief(ledger, product="rare-earth-magnets", period="2025-06")
    assert without.mirror == []
    assert "## Mirror" not in without.to_markdown()
    got = {(m.importer, m.members, m.gap_pct) for m in b.mirror}
    assert got == {("DEU", 1, -33.8), ("ITA", 1, -31.2), ("NLD", 1, -33.3), ("EU27", 3, -33.4)}
    text = b.to_markdown()
    assert "## Mirror: what the importers report" in text
    assert "- Germany: China reports 764.402 t [" in text
    assert "Germany reports 506.250 t [" in text
    assert "CIF" in text
    assert "FOB" in text
    comext = next(s for s in b.sources if s.source_id == "comext-r1")
    assert comext.outlet == "Eurostat (Comext)"


def test_bundled_brief_is_unchanged_without_official_data(bundled):
    text = build_brief(bundled, product="rare-earth-magnets", period="2025-06").to_markdown()
    assert "**3,188 t**" in text
    assert "official release" not in text
    assert "## Mirror" not in text


def test_cli_mirror(tmp_path, run_cli):
    db = str(tmp_path / "ledger.duckdb")
    code, _, err = run_cli("ingest", str(GAC_2025), "--db", db)
    assert code == 0, err
    code, out, err = run_cli("mirror", "--period", "2025-06", "--db", db)
    assert code == 0
    assert "no month where both CHN and an importer report" in err
    run_cli("ingest", str(COMEXT), "--db", db)
    code, out, err = run_cli("mirror", "--period", "2025-06", "--format", "csv", "--db", db)
    rows = [line.split(",") for line in out.strip().splitlines()]
    header = rows[0]
    deu = dict(zip(header, next(r for r in rows if r[0] == "DEU"), strict=True))
    assert (deu["exporter_kg"], deu["importer_kg"]) == ("764402.0", "506250.0")
    assert float(deu["gap_pct"]) == pytest.approx(-33.77, abs=0.01)
