"""The report: one self-contained HTML file (or Markdown with PNGs) for a product and month."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from mineralflow.ledger import Ledger
from mineralflow.render import build_report, write_report

PRODUCT = "rare-earth-magnets"


@pytest.fixture(scope="module")
def june(bundled_db):
    with Ledger.open(bundled_db, read_only=True) as led:
        report = build_report(led, product=PRODUCT, period="2025-06")
        yield report, report.to_html()


def test_report_html_is_self_contained(june):
    _, html = june
    assert "<script" not in html
    # Nothing is loaded from elsewhere: no src= or stylesheet links; only <a href> to sources.
    assert not re.search(r"\ssrc\s*=", html)
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert not re.search(r"url\((?!#)", html)
    assert "@import" not in html
    links = re.findall(r'<a [^>]*href="([^"]+)"', html)
    assert links
    assert all(h.startswith(("#", "https://", "http://")) for h in links)


def test_report_csp_allows_exactly_its_own_stylesheet(june):
    _, html = june
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert f"style-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_report_holds_the_brief_charts_conflicts_claims_and_figures(june):
    report, html = june
    for section in ("brief", "charts", "conflicts", "claims", "figures", "sources"):
        assert f'<section id="{section}">' in html
    assert "<strong>3,188 t</strong>" in html
    assert 'href="#source-1"' in html
    assert 'id="source-1"' in html
    keys = [c.key for c in report.charts]
    assert keys[:4] == ["world", "world-yoy", "cumulative", "destinations"]
    assert "partner-USA" in keys
    assert html.count("<svg ") == len(report.charts)
    # Every figure ending in June 2025 has a row, linked to its source.
    assert html.count('<tr class="" id="figure-') + html.count(
        '<tr class="conflict" id="figure-'
    ) == len(report.figures)
    assert "No conflict among the figures for June 2025" in html


def test_every_chart_spec_is_valid_vega_lite(june):
    import altair as alt

    report, _ = june
    for chart in report.charts:
        alt.TopLevelSpec.validate(chart.spec)


def rows_of(spec):
    """Every inline data row anywhere in a spec (Altair may hoist data to ``datasets``)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "values" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, dict))
            else:
                yield from rows_of(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from rows_of(item)
    if isinstance(spec, dict) and "datasets" in spec:
        for rows in spec["datasets"].values():
            yield from rows


def test_world_chart_shows_the_april_controls_and_the_june_rebound(june):
    report, _ = june
    world = next(c for c in report.charts if c.key == "world")
    svg = world.svg()
    assert "Apr 4 CN export control" in svg
    values = {row["period"]: row["value"] for row in rows_of(world.spec) if "period" in row}
    assert values["2025-04"] > values["2025-05"] < values["2025-06"]
    assert values["2025-06"] == 3188


def test_report_marks_conflicts(bundled):
    report = build_report(bundled, product=PRODUCT, period="2025-08")
    html = report.to_html()
    assert {c.subject for c in report.conflicts} >= {"United States m/m change, 2025-08"}
    assert "sources disagree" in html
    assert "failed check" in html
    assert 'class="conflict" id="figure-' in html
    assert "(conflict)" in next(c for c in report.charts if c.key == "destinations").svg()


def test_markdown_report_writes_pngs_beside_it(bundled, tmp_path):
    written = write_report(
        bundled, product=PRODUCT, period="2025-06", path=tmp_path / "r.md", format="md"
    )
    md = written[0].read_text()
    assert written[0].name == "r.md"
    pngs = written[1:]
    assert pngs
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    for p in pngs:
        assert f"]({p.name})" in md
    assert "3,188 t" in md
    assert "[TimesLIVE](https://www.timeslive.co.za/" in md


def test_cli_report_writes_the_file(run_cli, bundled_db, tmp_path):
    out = tmp_path / "out" / "report.html"
    code, _, err = run_cli("report", "--period", "2025-06", "--db", str(bundled_db), "-o", str(out))
    assert code == 0, err
    assert f"wrote {out}" in err
    assert out.read_text().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--product", "magnets", "unknown product 'magnets'; known products:"),
        ("--period", "2031-01", "no figures for rare-earth-magnets in 2031-01; periods with"),
        ("--period", "2025-01/2025-06", "a report covers one month"),
        ("--period", "June", "'June' is not a month; write it YYYY-MM"),
    ],
)
def test_cli_report_errors_are_one_line(run_cli, bundled_db, tmp_path, option, value, message):
    options = {"--period": "2025-06", "--db": str(bundled_db), "-o": str(tmp_path / "r.html")}
    options[option] = value
    code, _, err = run_cli("report", *(x for kv in options.items() for x in kv))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()
