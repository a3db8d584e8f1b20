"""`mineralflow claims`: output formats, saving, the outlet view and bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from mineralflow.ledger import Ledger
from support import CliRunner

PAGE = Path(__file__).parent / "fixtures" / "articles" / "magnet-exports-july.html"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with the HTML page, a text article and a file of another kind."""
    d = tmp_path / "articles"
    d.mkdir()
    shutil.copy(PAGE, d / "page.html")
    (d / "note.txt").write_text(
        "Posted on 2025-08-21\nChina's rare earth magnet exports to India rose to 418 tons in "
        "July, up 143% from June.\n",
        encoding="utf-8",
    )
    (d / "picture.png").write_bytes(b"\x89PNG")
    return d


def add_bad_files(d: Path) -> None:
    (d / "empty.txt").write_bytes(b"")
    (d / "latin1.txt").write_bytes("Curaçao".encode("latin-1"))
    (d / "binary.htm").write_bytes(b"\x00\x01\x02")


def test_json_follows_the_contract(run_cli: CliRunner, folder: Path) -> None:
    code, out, err = run_cli("claims", str(folder), "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == 12
    contract = {
        "reporter", "partner", "product", "flow", "period", "measure", "value", "unit",
        "qualifier", "source", "span",
    }  # fmt: skip
    for r in records:
        assert contract <= set(r)
    india = [r for r in records if r["source"] == "note.txt"]
    assert [(r["measure"], r["value"], r["period"]) for r in india] == [
        ("level", 418.0, "2025-07"),
        ("change_mom", 143.0, "2025-07"),
    ]
    assert "12 figures (0 unresolved)" in err


def test_csv_and_table(run_cli: CliRunner, folder: Path) -> None:
    code, out, _ = run_cli("claims", str(folder / "note.txt"), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    text = (folder / "note.txt").read_text(encoding="utf-8")
    at, pct = text.index("418 tons"), text.index("143%")
    assert [(r["partner"], r["value"], r["span"]) for r in rows] == [
        ("IND", "418", f"{at}-{at + 8}"),
        ("IND", "143", f"{pct}-{pct + 4}"),
    ]
    code, out, _ = run_cli("claims", str(folder / "note.txt"))
    assert code == 0
    assert "IND" in out


def test_bad_files_get_one_line_each_the_rest_is_read_and_exit_is_2(
    run_cli: CliRunner, folder: Path, db_path: Path
) -> None:
    add_bad_files(folder)
    code, out, err = run_cli(
        "claims", str(folder), "--format", "json", "--save", "--db", str(db_path)
    )
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3
    assert any("empty.txt: empty file" in e for e in errors)
    assert any("latin1.txt:1: not UTF-8" in e for e in errors)
    assert any("binary.htm: binary file" in e for e in errors)
    assert len(json.loads(out)) == 12  # the good files are still read
    with Ledger.open(db_path, read_only=True) as ledger:  # ... and saved
        assert ledger.table("sources").count().execute() == 2
        assert ledger.table("figures").count().execute() == 12


def test_only_bad_files_leave_the_ledger_as_it_was(
    run_cli: CliRunner, tmp_path: Path, bundled_copy: Path
) -> None:
    db_path = bundled_copy
    with Ledger.open(db_path) as ledger:
        before = ledger.table("figures").count().execute()
    add_bad_files(tmp_path)
    code, _, err = run_cli("claims", str(tmp_path), "--save", "--db", str(db_path))
    assert code == 2
    assert "3 files failed" in err
    assert "nothing saved" in err
    with Ledger.open(db_path, read_only=True) as ledger:
        assert ledger.table("figures").count().execute() == before


def test_only_bad_files_create_no_ledger(run_cli: CliRunner, tmp_path: Path) -> None:
    add_bad_files(tmp_path)
    db = tmp_path / "new.duckdb"
    code, _, _ = run_cli("claims", str(tmp_path), "--save", "--db", str(db))
    assert code == 2
    assert not db.exists()


def test_missing_path_and_wrong_suffix(run_cli: CliRunner, folder: Path) -> None:
    code, _, err = run_cli("claims", str(folder / "nope.txt"), str(folder / "picture.png"))
    assert code == 2
    assert "nope.txt: no such file or folder" in err
    assert "picture.png: not an article file (.png)" in err


def test_bad_published_date_is_a_usage_error(run_cli: CliRunner, folder: Path) -> None:
    code, _, err = run_cli("claims", str(folder), "--published", "20/07/2025")
    assert code == 2
    assert "YYYY-MM-DD" in err


def test_save_twice_changes_nothing(run_cli: CliRunner, folder: Path, db_path: Path) -> None:
    code, _, err = run_cli("claims", str(folder), "--save", "--db", str(db_path))
    assert code == 0
    assert "2 articles and 12 figures added" in err
    code, _, err = run_cli("claims", str(folder), "--save", "--db", str(db_path))
    assert code == 0
    assert "already in the ledger" in err
    with Ledger.open(db_path, read_only=True) as ledger:
        assert ledger.table("figures").count().execute() == 12


def test_outlet_view_as_json(run_cli: CliRunner, folder: Path, db_path: Path) -> None:
    (folder / "copy.txt").write_text(
        "Posted on 2025-08-21\nExports of rare earth magnets to India jumped about 140% in "
        "July from June.\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("claims", str(folder), "--view", "outlets", "--format", "json")
    assert code == 0, err
    cells = json.loads(out)
    india = next(c for c in cells if c["partner"] == "IND" and c["measure"] == "change_mom")
    assert {o["source"] for o in india["outlets"]} == {"note.txt", "copy.txt"}
    assert all(o["agrees_with_others"] is True for o in india["outlets"])
    assert all(o["official"] == "no ledger" for o in india["outlets"])


def test_table_output_keeps_file_names_as_text(run_cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "[red]a.txt").write_text(
        "Posted on 2025-07-21\nRare earth magnet exports to India rose to 172 tons in June.",
        encoding="utf-8",
    )
    code, out, _ = run_cli("claims", str(tmp_path), env={"COLUMNS": "300"})
    assert code == 0
    assert "[red]a.txt" in out  # shown as written, not read as console markup


def test_outlet_title_and_url_options_for_one_file(
    run_cli: CliRunner, folder: Path, db_path: Path
) -> None:
    args = [
        "--outlet",
        "Metals Weekly",
        "--title",
        "India buys more",
        "--url",
        "https://m.example/x",
    ]
    code, _, err = run_cli(
        "claims", str(folder / "note.txt"), *args, "--save", "--db", str(db_path)
    )
    assert code == 0, err
    with Ledger.open(db_path, read_only=True) as led:
        rows = led.con.execute(
            "SELECT outlet, title, url FROM sources WHERE kind = 'news_article'"
        ).fetchall()
    assert rows == [tuple(args[1::2])]


def test_outlet_option_with_a_folder_is_one_line_error(run_cli: CliRunner, folder: Path) -> None:
    code, out, err = run_cli("claims", str(folder), "--outlet", "Metals Weekly")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "pass one file" in err


def test_unresolved_view_lists_what_was_not_placed_and_why(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(
        "China's rare earth magnet exports to India rose to 418 tons in July, up 143% from "
        "June.\nExports to Japan rose 12%.\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("claims", str(tmp_path), "--view", "unresolved", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    no_year = "'July' has no year and the article no date; pass --published YYYY-MM-DD"
    assert {r["stated"]: r["unresolved"] for r in rows} == {
        "418 tons": no_year,
        "143%": no_year,
        "12%": "a change with no stated base (month on month or year on year?)",
    }
    assert all(r["period"] is None or r["measure"] is None for r in rows)
    code, out, _ = run_cli("claims", str(tmp_path), "--view", "unresolved", "--published",
                           "2025-08-20", "--format", "json")  # fmt: skip
    assert [r["stated"] for r in json.loads(out)] == ["12%"]  # no base: m/m or y/y?
