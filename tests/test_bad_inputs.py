"""The bad-input corpus (``tests/data/bad/``, written by ``make_corpus.py``).

Every file must give one line on stderr that names the file, the line, the column, the
problem and a fix; exit code 2; and a ledger exactly as it was. With ``--on-bad-row
collect`` the good rows of a file with bad rows load and the bad ones go to a reject file.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from mineralflow import InputError, Ledger
from mineralflow.ingestion import ingest
from support import copy_ledger

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
CORPUS = list(csv.DictReader((BAD / "expected.csv").read_text(encoding="utf-8").splitlines()))
ROW_LEVEL = [c for c in CORPUS if c["good_rows"]]
TABLES = (
    "sources",
    "figures",
    "events",
    "flow_rows",
    "partner_keys",
    "releases",
    "release_periods",
    "schema_version",
)


def test_corpus_is_large_and_covers_every_reader():
    files = {p.name for p in BAD.iterdir() if p.name not in ("expected.csv", "make_corpus.py")}
    assert files == {c["file"] for c in CORPUS}
    assert len(CORPUS) >= 40
    assert {c["format"] for c in CORPUS} == {"comtrade", "china-customs", "comext"}
    for fmt in ("comtrade", "china-customs", "comext"):
        assert sum(c["format"] == fmt for c in CORPUS) >= 12


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with Ledger.open(path, read_only=True) as ledger:
        return {t: ledger.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def loaded_db(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with the bundled data and one official release, so 'unchanged' means
    something."""
    path = copy_ledger(bundled_db, tmp_path_factory.mktemp("bad") / "ledger.duckdb")
    with Ledger.open(path) as ledger:
        ingest(ledger, [DATA / "china-customs" / "2025年6月出口85051110_修订_美元.csv"])
    return path


@pytest.mark.parametrize("case", CORPUS, ids=[c["file"] for c in CORPUS])
def test_bad_file_gives_one_line_error_and_leaves_the_ledger_as_it_was(case, loaded_db, run_cli):
    path = BAD / case["file"]
    before = snapshot(loaded_db)
    code, out, err = run_cli(
        "ingest", str(path), "--format", case["format"], "--db", str(loaded_db)
    )
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    message = lines[0]
    assert message.startswith("Error: ")
    assert f"{path}:{case['line']}: " in message
    assert "column '" in message
    if case["column"]:
        assert f"column '{case['column']}'" in message
    assert case["says"] in message
    _problem, _, fix = message.partition("; ")
    assert fix, "the message must say how to fix it"
    assert snapshot(loaded_db) == before


@pytest.mark.parametrize("case", CORPUS, ids=[c["file"] for c in CORPUS])
def test_library_raises_input_error_with_location(case, ledger):
    with pytest.raises(InputError) as caught:
        ingest(ledger, [BAD / case["file"]], format=case["format"])
    e = caught.value
    assert Path(str(e.path)).name == case["file"]
    assert e.row == int(case["line"])
    assert e.fix
    assert ledger.con.execute("SELECT count(*) FROM flows").fetchone()[0] == 0


@pytest.mark.parametrize("case", ROW_LEVEL, ids=[c["file"] for c in ROW_LEVEL])
def test_collect_loads_the_good_rows_and_writes_the_bad_to_a_reject_file(case, tmp_path, run_cli):
    source = tmp_path / case["file"]
    shutil.copy(BAD / case["file"], source)
    db = tmp_path / "ledger.duckdb"
    code, out, err = run_cli(
        "ingest",
        str(source),
        "--format",
        case["format"],
        "--on-bad-row",
        "collect",
        "--db",
        str(db),
    )
    assert code == 0, err
    rejects = tmp_path / f"{case['file']}.rejects.csv"
    assert f"written to {rejects}" in out
    rows = list(csv.DictReader(rejects.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 1
    assert rows[0]["file"] == case["file"]
    assert rows[0]["line"] == case["line"]
    if case["column"]:
        assert rows[0]["column"] == case["column"]
    assert rows[0]["text"], "the reject file keeps the line as it stands"
    assert rows[0]["fix"]
    with Ledger.open(db, read_only=True) as ledger:
        assert ledger.con.execute("SELECT count(*) FROM flows").fetchone()[0] == int(
            case["good_rows"]
        )
        assert ledger.con.execute("SELECT rows_rejected FROM releases").fetchone()[0] == 1


def test_warn_loads_the_good_rows_and_lists_the_bad(tmp_path, run_cli):
    db = tmp_path / "ledger.duckdb"
    path = BAD / "ct-negative-netwgt.csv"
    code, out, err = run_cli("ingest", str(path), "--on-bad-row", "warn", "--db", str(db))
    assert code == 0
    assert err.strip().splitlines() == [
        f"Warning: {path}:3: column 'netWgt': negative net weight '-821977.0'; "
        "quantities cannot be negative; correct the value or leave it empty"
    ]
    assert "1 bad row skipped" in out
    assert not list(tmp_path.glob("*.rejects.csv"))


def test_a_file_with_only_bad_rows_loads_nothing_even_when_collecting(tmp_path, ledger):
    path = tmp_path / "all-bad-export.csv"
    rows = [
        "数据年月,商品编码,商品名称,贸易伙伴编码,贸易伙伴名称,第一数量,第一计量单位,美元,",
        "202506,85051110,x,998,x,1,千克,1,",
        "202506,85051110,x,997,x,1,千克,1,",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no row could be loaded: all 2 data rows are bad"):
        ingest(ledger, [path], on_bad_row="collect", rejects_dir=tmp_path)
    assert ledger.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_one_bad_file_among_good_ones_loads_none_of_them(tmp_path, run_cli):
    db = tmp_path / "ledger.duckdb"
    good = DATA / "comext" / "comext-DS-045409-85051110-imports-from-CN-2025.csv"
    code, _, err = run_cli(
        "ingest", str(good), str(BAD / "ct-unknown-partner.csv"), "--db", str(db)
    )
    assert code == 2
    assert "ct-unknown-partner.csv:2:" in err
    with Ledger.open(db, read_only=True) as ledger:
        assert ledger.con.execute("SELECT count(*) FROM releases").fetchone()[0] == 0
