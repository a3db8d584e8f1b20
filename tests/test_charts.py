"""Charts: Vega-Lite specs rendered offline to SVG and PNG, gaps kept, events labelled."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mineralflow.periods import Month, Period
from mineralflow.render import EventMark, Point, change_chart, destinations_chart, level_chart
from mineralflow.render.charts import Chart, ChartError

WINDOW = Period.parse("2025-01/2025-06")


def point(month: str, value: float, *, conflict: bool = False, unit: str = "t") -> Point:
    m = Month.parse(month)
    return Point(m, m, value, unit, f"{value:g}", ("Outlet",), (f"f-{month}",), conflict)


def event(day: dt.date, *, effective: bool = True) -> EventMark:
    return EventMark(
        event_id=f"ev-{day}",
        date=day,
        announced=day,
        effective=day if effective else None,
        jurisdiction="CN",
        kind="export_control",
        instrument="Announcement",
        link="term",
        summary="",
        source_url="https://example.org/",
    )


def marks(svg: str, kind: str) -> int:
    """How many drawn items a Vega mark group holds (paths of symbols, rects of bars)."""
    groups = re.findall(rf'<g class="mark-{kind} role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    return sum(len(re.findall(r"<path\b", g)) for g in groups)


def test_line_segments_join_consecutive_months_only():
    # January alone, then April-May-June: two runs, so two separate line paths.
    points = [point("2025-01", 100), point("2025-04", 80), point("2025-05", 40),
              point("2025-06", 90)]  # fmt: skip
    chart = level_chart(key="w", title="World", points=points, events=[], window=WINDOW)
    svg = chart.svg()
    assert marks(svg, "symbol") == 4
    lines = re.findall(r'<g class="mark-line role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    paths = [p for g in lines for p in re.findall(r'<path[^>]* d="([^"]+)"', g)]
    assert len(paths) == 2
    # The April-June run is one path through three points; January draws no line at all.
    assert sorted(p.count("L") for p in paths) == [0, 2]


def test_event_rules_are_labelled_and_dashed_when_only_announced():
    events = [event(dt.date(2025, 4, 4)), event(dt.date(2025, 6, 10), effective=False)]
    chart = level_chart(
        key="w", title="World", points=[point("2025-04", 10)], events=events, window=WINDOW,
        highlight=Month(2025, 6),
    )  # fmt: skip
    svg = chart.svg()
    assert "Apr 4 CN export control" in svg
    assert "Jun 10 CN export control" in svg
    assert "stroke-dasharray" in svg
    assert len(re.findall(r'class="mark-rule role-mark', svg)) >= 2


def test_a_failed_figure_is_drawn_differently_and_says_so():
    points = [point("2025-05", 40), point("2025-06", 90, conflict=True)]
    svg = level_chart(key="w", title="W", points=points, events=[], window=WINDOW).svg()
    assert "90 (conflict)" in svg
    assert "#c62828" in svg  # the conflict colour is used by a drawn mark
    plain = level_chart(
        key="w", title="W", points=[point("2025-05", 40)], events=[], window=WINDOW
    ).svg()
    assert "(conflict)" not in plain


def test_change_bars_have_a_bar_per_stated_month():
    points = [point("2025-04", -45, unit="%"), point("2025-06", 12, unit="%")]
    svg = change_chart(key="c", title="y/y", points=points, window=WINDOW).svg()
    assert marks(svg, "rect") == 2
    assert "-45%" in svg
    assert "+12%" in svg


def test_destinations_are_ranked_largest_first():
    bars = [("India", point("2025-06", 172), 5.4), ("Germany", point("2025-06", 764), 24.0)]
    chart = destinations_chart(key="d", title="Destinations", bars=bars, unrated=["Vietnam"])
    svg = chart.svg()
    assert svg.index(">Germany<") < svg.index(">India<")
    assert "764 t · 24.0%" in svg
    assert "Vietnam" in chart.caption


def test_svg_is_safe_to_inline_and_png_is_a_png():
    chart = level_chart(key="partner-USA", title='A "quoted" <title>',
                        points=[point("2025-06", 1)], events=[], window=WINDOW)  # fmt: skip
    svg = chart.svg()
    assert svg.startswith("<svg ")
    assert 'data-chart="partner-USA"' in svg
    assert 'aria-label="A &quot;quoted&quot; &lt;title&gt;"' in svg
    assert "<script" not in svg
    assert chart.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_never_fetch_data_from_the_network():
    spec = {"data": {"url": "https://example.org/data.csv"}, "mark": "point"}
    with pytest.raises(ValueError, match="External data url not allowed"):
        Chart(key="x", title="x", caption="", spec=spec).svg()


def test_a_rendered_svg_with_script_is_refused():
    from mineralflow.render.charts import _inline_svg

    with pytest.raises(ChartError, match="refusing"):
        _inline_svg('<svg width="1"><script>alert(1)</script></svg>', "k", "t")
