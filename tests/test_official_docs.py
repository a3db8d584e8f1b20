"""The README's official-statistics example runs as written, from the repository root."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def official_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Official statistics") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README's official-statistics section has no example"
    return [shlex.split(line)[1:] for line in block.group(1).splitlines() if line.strip()]


def test_readme_official_example_runs_from_the_repository_root(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    db = str(tmp_path / "readme.duckdb")
    assert run_cli("load", "--db", db)[0] == 0
    outputs = []
    for args in official_commands():
        code, out, err = run_cli(*args, "--db", db)
        assert code == 0, (args, err)
        outputs.append(out)
    assert "release gac-r1" in outputs[0]
    assert "gac-r2" in outputs[3]
    assert "+1,240" in outputs[4]
    assert "352.880 t" in outputs[5]


def test_docs_name_the_data_tables_that_exist():
    text = (ROOT / "docs" / "official-statistics.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+\.csv)`", text)) - {"countries.csv", "product_codes.csv"}
    folder = ROOT / "src" / "mineralflow" / "data" / "official"
    assert named == {p.name for p in folder.glob("*.csv")}
