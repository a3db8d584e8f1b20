"""The brief's computed figures and Analysis section, and the metric commands."""

from __future__ import annotations

import json

import pytest

from mineralflow import build_brief


@pytest.fixture(scope="module")
def june(bundled_db):
    from mineralflow.ledger import Ledger

    with Ledger.open(bundled_db, read_only=True) as ledger:
        return build_brief(ledger, product="rare-earth-magnets", period="2025-06")


def test_stated_figures_and_shares_are_unchanged(june):
    text = june.to_markdown()
    for part in (
        "**3,188 t** [1] of rare-earth permanent magnets in June 2025: +157.5% m/m [1], "
        "-38.1% y/y [1].",
        "- Germany: **764 t** [3]; -25% y/y [4]; 24.0% of the world total; rank 1.",
        "- United States: **353 t** [1][5]; +660% m/m [1][5], -52% y/y [5]; "
        "11.1% of the world total; rank 2.",
        "**22,319 t** [1], -18.9% y/y [1].",
        "- European Union (EU27): **1,364 t** [5]; 42.8% of the world total.",
    ):
        assert part in text
    deu = next(line for line in june.destinations if line.partner == "DEU")
    assert deu.share_of_world == round(100 * 764 / 3188, 1) == 24.0


def test_analysis_sits_between_checks_and_sources(june):
    text = june.to_markdown()
    assert text.index("## Checks") < text.index("## Analysis") < text.index("## Sources")


def test_analysis_marks_the_us_surge_and_the_april_controls(june):
    text = june.to_markdown()
    assert "United States +660.8% from 46.4 t: a surge (z = 4.5 against 7 changes)" in text
    assert "Around MOFCOM/GAC Announcement No. 18 of 2025 (effective 2025-04-04) [13]" in text
    assert "April 2025 2,627 t (-50.6%, z = -4.9, unusual)" in text
    assert "May 2025 1,238.47 t (-76.7%, z = -7.5, unusual)" in text
    assert "World: June 2024, November to December 2024, February to March 2025" in text
    ranked = [(r.partner, r.rank) for r in june.analysis.ranked]
    assert ranked == [("DEU", 1), ("USA", 2), ("IND", 3)]


def test_every_analysis_citation_resolves(june):
    numbers = {s.number for s in june.sources}
    assert numbers == set(range(1, len(june.sources) + 1))
    a = june.analysis
    cited = {n for part in (a.ranked, a.movements, a.windows) for x in part for n in x.sources}
    assert cited
    assert cited <= numbers
    # The levels before the April controls come from sources the rest of the brief
    # does not cite; they are added to the list, after the brief's own.
    assert max(cited) == len(june.sources) > 16


def test_json_brief_carries_the_analysis(june):
    data = json.loads(json.dumps(june.to_dict(), default=str))
    window = data["analysis"]["windows"][0]
    assert window["event_ids"] == ["ev-2025-04-04-cn-6122cf"]
    assert [m["unusual"] for m in window["after"]] == [True, True, True]


def test_cli_event_window(run_cli, bundled_db):
    code, out, err = run_cli(
        "event-window", "--event", "ev-2025-04-04-cn-6122cf", "--partner", "WLD",
        "--format", "csv", "--db", str(bundled_db),
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("reporter,partner,flow,period,phase,offset,value")
    april = next(line for line in lines if ",2025-04-01," in line)
    assert ",after,0,2627.0,5," in april
    assert april.endswith(",True")


def test_cli_event_window_unknown_event(run_cli, bundled_db):
    code, _, err = run_cli("event-window", "--event", "ev-nope", "--db", str(bundled_db))
    assert code == 2
    assert "Error: event 'ev-nope' is not linked to rare-earth-magnets; `mineralflow events" in err


def test_cli_surges(run_cli, bundled_db):
    code, out, err = run_cli(
        "surges", "--partner", "USA", "--format", "json", "--db", str(bundled_db)
    )
    assert code == 0, err
    rows = json.loads(out)
    june = next(r for r in rows if r["period"].startswith("2025-06"))
    assert (june["verdict"], round(june["change_pct"], 1)) == ("surge", 660.8)


def test_cli_event_window_table(run_cli, bundled_db):
    code, out, err = run_cli(
        "event-window", "--event", "ev-2025-04-04-cn-6122cf", "--partner", "WLD",
        "--db", str(bundled_db),
    )  # fmt: skip
    assert code == 0, err
    may = next(line for line in out.splitlines() if "2025-05" in line)
    assert [c.strip() for c in may.strip("│ ").split("│")] == [
        "WLD", "2025-05", "after", "1,238.47", "-76.72", "-7.51", "True",
    ]  # fmt: skip
