"""Charts as Vega-Lite specs (built with Altair), exported offline to SVG and PNG.

vl-convert renders in-process with no browser and no network (``allowed_base_urls=[]``:
a spec cannot fetch anything). Specs are built without Altair's schema validation (it costs
more than the rendering); the tests validate every chart of a report against the schema.
Every chart is a :class:`Chart`; build them with the functions below from
:mod:`mineralflow.render.data` points::

    >>> chart = level_chart(key="world", title="World", points=points, events=marks,
    ...                     window=Period.parse("2023-07/2025-06"))   # doctest: +SKIP
    >>> chart.svg()[:4], chart.png()[:4]                                # doctest: +SKIP
    ('<svg', b'\\x89PNG')

Series are drawn as points, with line segments only between consecutive months: a month
no source states stays a gap. A figure that failed reconciliation is drawn in red (a
diamond, or a red outline on a bar) and its label says "conflict".
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..periods import MONTH_NAMES, Month, Period
from .data import EventMark, Point

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "Chart",
    "change_chart",
    "cumulative_chart",
    "destinations_chart",
    "level_chart",
]

WIDTH = 640
HEIGHT = 240
BLUE = "#1f5f8b"
LIGHT = "#9ab8cf"
RED = "#c62828"
UP = "#2e7d32"
DOWN = "#ef6c00"
GREY = "#6b6b6b"
STATUS = {"domain": ["as stated", "conflict"], "range": [BLUE, RED]}  # alt.Scale(**STATUS)
SHAPES = {"domain": ["as stated", "conflict"], "range": ["circle", "diamond"]}
JURISDICTION_COLOURS = {"CN": "#b71c1c", "US": "#0d47a1", "US-CN": "#6a1b9a"}
CHAR_WIDTH = 5.8  # a generous average for 10px sans-serif, to keep labels from touching
LABEL_ROW = 13


class ChartError(RuntimeError):
    """Raised when a rendered SVG holds something that could run (a bug, never data)."""


class Chart:
    """A chart: its key, title and caption, and its Vega-Lite spec, built when first asked
    for (``build``; Altair is imported then, so a page that only lists its charts never
    loads it). ``svg()`` and ``png()`` render it; the SVG once."""

    def __init__(
        self,
        key: str,
        title: str,
        caption: str,
        spec: dict[str, Any] | None = None,
        *,
        build: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        if (spec is None) == (build is None):
            raise TypeError("a Chart takes its spec or a function that builds it, not both")
        self.key = key
        self.title = title
        self.caption = caption
        self._spec = spec
        self._build = build
        self._svg: str | None = None

    def __repr__(self) -> str:
        return f"Chart(key={self.key!r}, title={self.title!r})"

    @property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec (a dict), built on first use."""
        if self._spec is None:
            assert self._build is not None
            self._spec = self._build()
        return self._spec

    def svg(self) -> str:
        """The chart as an SVG element, safe to place inline in HTML: its ids are prefixed
        with the chart's key so several charts share a page, and it holds no script."""
        if self._svg is None:
            import vl_convert  # the renderer: loaded when a chart is first drawn

            raw = vl_convert.vegalite_to_svg(self.spec, allowed_base_urls=[])
            self._svg = _inline_svg(raw, self.key, self.title)
        return self._svg

    def png(self, *, scale: float = 2.0) -> bytes:
        import vl_convert

        png: bytes = vl_convert.vegalite_to_png(self.spec, scale=scale, allowed_base_urls=[])
        return png


_UNSAFE = re.compile(r"<\s*(script|foreignObject|iframe)|\son[a-z]+\s*=|javascript:", re.I)


def _inline_svg(svg: str, key: str, title: str) -> str:
    prefix = re.sub(r"[^A-Za-z0-9-]", "-", key)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    if _UNSAFE.search(svg):
        raise ChartError(f"chart {key!r} rendered something executable; refusing to inline it")
    label = html.escape(title, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" data-chart="{prefix}" ', 1)


def _data(values: list[dict[str, Any]]) -> Any:
    """Inline data for a chart (the values travel inside the spec: nothing is fetched)."""
    return {"values": values}


def _iso(day: dt.date) -> str:
    # Local midnight (no "Z"): Vega reads it in the same zone it draws the axis in.
    return f"{day.isoformat()}T00:00:00"


def _mid(m: Month) -> str:
    return _iso(m.first_day.replace(day=15))


def _label(p: Point) -> str:
    text = f"{p.value:,.0f}" if p.unit == "t" else p.stated
    if p.unit == "%":
        text = f"{p.value:+g}%"
    return f"{text} (conflict)" if p.conflict else text


def _runs(points: Sequence[Point]) -> list[int]:
    """A run number per point: consecutive months share one, so lines join only them."""
    runs, run = [], 0
    for i, p in enumerate(points):
        if i and p.end != points[i - 1].end.shift(1):
            run += 1
        runs.append(run)
    return runs


def _unit_title(unit: str) -> str:
    return {"t": "tonnes", "%": "per cent"}.get(unit, unit)


def _x_domain(window: Period) -> list[str]:
    return [_iso(window.start.first_day), _iso(window.end.shift(1).first_day)]


def _x_axis(window: Period) -> alt.Axis:
    import altair as alt

    step = 1 if window.months <= 8 else 3 if window.months <= 30 else 6
    return alt.Axis(
        title=None,
        format="%b %Y",
        labelAngle=0,
        tickCount=alt.TimeIntervalStep(interval="month", step=step),
        grid=False,
    )


@dataclass(frozen=True)
class _Rule:
    """One vertical rule: the events of one day, jurisdiction and kind share it."""

    date: dt.date
    label: str
    timing: str
    jurisdiction: str


def _rules(events: Sequence[EventMark]) -> list[_Rule]:
    groups: dict[tuple[dt.date, str, str, bool], list[EventMark]] = {}
    for e in events:
        groups.setdefault((e.date, e.jurisdiction, e.kind, e.at_effective), []).append(e)
    return [
        _Rule(
            date=date,
            label=same[0].label + (f" ×{len(same)}" if len(same) > 1 else ""),
            timing="effective" if effective else "announced",
            jurisdiction=jurisdiction,
        )
        for (date, jurisdiction, _kind, effective), same in sorted(groups.items())
    ]


def _label_layout(rules: Sequence[_Rule], window: Period, width: float) -> list[tuple[int, str]]:
    """Row and alignment for each rule's label so no two labels overlap: each goes in the
    first row where it fits, to the right of its rule or else to the left (greedy)."""
    start = window.start.first_day
    span = (window.end.shift(1).first_day - start).days
    rows: list[list[tuple[float, float]]] = []
    out = []
    for rule in rules:
        x = width * (rule.date - start).days / span
        w = CHAR_WIDTH * len(rule.label) + 6
        spans = [(lo, hi, align) for lo, hi, align in ((x, x + w, "left"), (x - w, x, "right"))
                 if lo >= 0 and hi <= width] or [(x - w, x, "right")]  # fmt: skip
        for r in range(len(rows) + 1):
            if r == len(rows):
                rows.append([])
            free = [
                (lo, hi, align)
                for lo, hi, align in spans
                if all(hi + 4 < a or b + 4 < lo for a, b in rows[r])
            ]
            if free:
                lo, hi, align = free[0]
                rows[r].append((lo, hi))
                out.append((r, align))
                break
    return out


def level_chart(
    *,
    key: str,
    title: str,
    points: Sequence[Point],
    events: Sequence[EventMark],
    window: Period,
    highlight: Month | None = None,
) -> Chart:
    """Monthly levels as points (segments between consecutive months), the policy events
    that name the product as labelled vertical rules at their effective dates (dashed when
    an event states only its announcement), and the ``highlight`` month shaded."""
    caption = (
        "Points are the months some source states; lines join consecutive months only, so a "
        "gap is a month no source in the ledger states. Vertical rules: policy events that "
        "name the product, at their effective date (dashed: announced, no effective date "
        "stated). Red diamonds: figures that failed reconciliation."
    )
    if highlight is not None:
        caption += f" Shaded: {highlight.name}."

    def build() -> dict[str, Any]:
        return _level_spec(title, points, events, window, highlight)

    return Chart(key, title, caption, build=build)


def _level_spec(
    title: str,
    points: Sequence[Point],
    events: Sequence[EventMark],
    window: Period,
    highlight: Month | None,
) -> dict[str, Any]:
    import altair as alt

    unit = points[0].unit if points else "t"
    domain = _x_domain(window)
    x_scale = alt.Scale(domain=domain)
    runs = _runs(points)
    values = [
        {
            "date": _mid(p.month),
            "period": str(p.month),
            "value": p.value,
            "label": _label(p),
            "status": "conflict" if p.conflict else "as stated",
            "run": runs[i],
        }
        for i, p in enumerate(points)
    ]
    rules = _rules(events)
    layout = _label_layout(rules, window, WIDTH)
    rows = max((r for r, _ in layout), default=0) + 1
    strip_height = rows * LABEL_ROW + 4
    event_values = [
        {
            "date": _iso(rule.date),
            "label": rule.label,
            "timing": rule.timing,
            "jurisdiction": rule.jurisdiction,
            "y": r * LABEL_ROW + 9,
            "align": align,
        }
        for rule, (r, align) in zip(rules, layout, strict=True)
    ]
    colour = alt.Color(
        "jurisdiction:N",
        scale=alt.Scale(
            domain=list(JURISDICTION_COLOURS), range=list(JURISDICTION_COLOURS.values())
        ),
        legend=None,
    )
    x = alt.X("date:T", scale=x_scale, axis=_x_axis(window))
    data = _data(values)
    layers: list[alt.Chart] = []
    if highlight is not None:
        layers.append(
            alt.Chart(
                _data(
                    [
                        {
                            "start": _iso(highlight.first_day),
                            "end": _iso(highlight.shift(1).first_day),
                        }
                    ]
                )
            )
            .mark_rect(color="#fff1b8")
            .encode(x=alt.X("start:T", scale=x_scale, axis=_x_axis(window)), x2="end:T")
        )
    if event_values:
        layers.append(
            alt.Chart(_data(event_values))
            .mark_rule(strokeWidth=1.2, opacity=0.8)
            .encode(
                x=alt.X("date:T", scale=x_scale, axis=_x_axis(window)),
                color=colour,
                strokeDash=alt.StrokeDash(
                    "timing:N",
                    scale=alt.Scale(domain=["effective", "announced"], range=[[1, 0], [4, 3]]),
                    legend=None,
                ),
            )
        )
    layers += [
        alt.Chart(data)
        .mark_line(color=BLUE, strokeWidth=2)
        .encode(x=x, y=alt.Y("value:Q"), detail="run:N"),
        alt.Chart(data)
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=_unit_title(unit)),
            color=alt.Color("status:N", scale=alt.Scale(**STATUS), title="figure"),
            shape=alt.Shape("status:N", scale=alt.Scale(**SHAPES), title="figure"),
        ),
        alt.Chart(data)
        .mark_text(dy=-10, fontSize=10, color="#222")
        .encode(x=x, y=alt.Y("value:Q"), text="label:N"),
    ]
    # Rules are coloured by jurisdiction and points by status: two scales, not one merged.
    main = (
        alt.layer(*layers)
        .resolve_scale(color="independent", strokeDash="independent", shape="independent")
        .properties(width=WIDTH, height=HEIGHT)
    )
    if event_values:
        ev = _data(event_values)
        pixels = alt.Scale(domain=[0, strip_height], range=[0, strip_height])
        y = alt.Y("y:Q", scale=pixels, axis=None)
        strip_layers = [
            alt.Chart(ev)
            .mark_rule(strokeWidth=1, opacity=0.8)
            .encode(
                x=alt.X("date:T", scale=x_scale, axis=None),
                y=alt.Y("zero:Q", scale=pixels, axis=None),
                y2="y:Q",
                color=colour,
            )
            .transform_calculate(zero="0"),
        ]
        for align in ("left", "right"):
            strip_layers.append(
                alt.Chart(ev)
                .transform_filter(alt.datum.align == align)
                .mark_text(
                    align=align, baseline="middle", fontSize=10, dx=3 if align == "left" else -3
                )
                .encode(
                    x=alt.X("date:T", scale=x_scale, axis=None),
                    y=y,
                    text="label:N",
                    color=colour,
                )
            )
        strip = alt.layer(*strip_layers).properties(width=WIDTH, height=strip_height)
        spec_chart: Any = alt.vconcat(strip, main, spacing=2)
    else:
        spec_chart = main
    spec: dict[str, Any] = (
        spec_chart.properties(title=title)
        .configure_view(stroke=None)
        .configure_legend(orient="bottom")
        .to_dict(validate=False)
    )
    return spec


def change_chart(*, key: str, title: str, points: Sequence[Point], window: Period) -> Chart:
    """Year-on-year changes as bars (rises green, falls orange, conflicts outlined red)."""
    caption = (
        "Changes from the same month a year earlier, as the sources state them (not computed "
        "here); a missing bar is a month no source states. Red outline: a figure that failed "
        "reconciliation."
    )

    def build() -> dict[str, Any]:
        return _change_spec(title, points, window)

    return Chart(key, title, caption, build=build)


def _change_spec(title: str, points: Sequence[Point], window: Period) -> dict[str, Any]:
    import altair as alt

    x_scale = alt.Scale(domain=_x_domain(window))
    values = [
        {
            "start": _iso(p.month.first_day + dt.timedelta(days=4)),
            "end": _iso(p.month.shift(1).first_day - dt.timedelta(days=4)),
            "date": _mid(p.month),
            "value": p.value,
            "label": _label(p),
            "direction": "rise" if p.value >= 0 else "fall",
            "status": "conflict" if p.conflict else "as stated",
        }
        for p in points
    ]
    data = _data(values)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("start:T", scale=x_scale, axis=_x_axis(window)),
            x2="end:T",
            y=alt.Y("value:Q", title="y/y change, per cent"),
            y2=alt.datum(0),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=["rise", "fall"], range=[UP, DOWN]),
                title="y/y",
            ),
            stroke=alt.Stroke("status:N", scale=alt.Scale(range=["#0000", RED]), legend=None),
            strokeWidth=alt.StrokeWidth(
                "status:N",
                scale=alt.Scale(domain=["as stated", "conflict"], range=[0, 3]),
                legend=None,
            ),
        )
    )
    zero = alt.Chart(_data([{"zero": 0}])).mark_rule(color=GREY).encode(y="zero:Q")
    labels = [
        alt.Chart(data)
        .transform_filter(alt.datum.direction == direction)
        .mark_text(fontSize=10, color="#222", dy=-8 if direction == "rise" else 9)
        .encode(
            x=alt.X("date:T", scale=x_scale, axis=_x_axis(window)),
            y=alt.Y("value:Q"),
            text="label:N",
        )
        for direction in ("rise", "fall")
    ]
    spec: dict[str, Any] = (
        alt.layer(bars, zero, *labels)
        .properties(width=WIDTH, height=HEIGHT, title=title)
        .configure_view(stroke=None)
        .configure_legend(orient="bottom")
        .to_dict(validate=False)
    )
    return spec


def destinations_chart(
    *, key: str, title: str, bars: Sequence[tuple[str, Point, float | None]], unrated: Sequence[str]
) -> Chart:
    """One month's destinations as ranked horizontal bars: (partner name, level, share of the
    world total). ``unrated`` names partners a source ranks without stating a tonnage."""
    caption = "Tonnes to each destination as stated, largest first, with its share of the world."
    if unrated:
        caption += (
            f" Also among the top destinations, with no tonnage stated: {', '.join(unrated)}."
        )

    def build() -> dict[str, Any]:
        return _destinations_spec(title, bars)

    return Chart(key, title, caption, build=build)


def _destinations_spec(
    title: str, bars: Sequence[tuple[str, Point, float | None]]
) -> dict[str, Any]:
    import altair as alt

    values = [
        {
            "partner": name,
            "value": p.value,
            "label": f"{p.value:,.0f} t"
            + (f" · {share:.1f}%" if share is not None else "")
            + (" (conflict)" if p.conflict else ""),
            "status": "conflict" if p.conflict else "as stated",
        }
        for name, p, share in bars
    ]
    data = _data(values)
    # An explicit order: a sort by field is not shared across the layers of a chart.
    order = [str(v["partner"]) for v in sorted(values, key=lambda v: -float(v["value"]))]
    y = alt.Y("partner:N", sort=order, title=None)
    chart = alt.layer(
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("value:Q", title="tonnes"),
            color=alt.Color("status:N", scale=alt.Scale(**STATUS), title="figure"),
        ),
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=10, color="#222")
        .encode(y=y, x="value:Q", text="label:N"),
    ).properties(width=WIDTH - 120, height=max(60, 28 * len(values)), title=title)
    spec: dict[str, Any] = (
        chart.configure_view(stroke=None).configure_legend(orient="bottom").to_dict(validate=False)
    )
    return spec


def cumulative_chart(
    *, key: str, title: str, this_year: Sequence[Point], last_year: Sequence[Point], year: int
) -> Chart:
    """Year-to-date totals of this year against last year, by month of the year."""
    caption = (
        f"Totals from January to each month, {year} against {year - 1}, as the sources state "
        "them; lines join consecutive months only. Diamonds ringed in red: figures that "
        "failed reconciliation."
    )

    def build() -> dict[str, Any]:
        return _cumulative_spec(title, this_year, last_year, year)

    return Chart(key, title, caption, build=build)


def _cumulative_spec(
    title: str, this_year: Sequence[Point], last_year: Sequence[Point], year: int
) -> dict[str, Any]:
    import altair as alt

    values = []
    for y, points in ((year - 1, last_year), (year, this_year)):
        runs = _runs(points)
        for i, p in enumerate(points):
            values.append(
                {
                    "month": p.end.month,
                    "year": str(y),
                    "value": p.value,
                    "label": _label(p),
                    "status": "conflict" if p.conflict else "as stated",
                    "run": f"{y}-{runs[i]}",
                }
            )
    data = _data(values)
    names = [m[:3] for m in MONTH_NAMES]
    x = alt.X(
        "month:Q",
        scale=alt.Scale(domain=[1, 12]),
        axis=alt.Axis(
            title=None,
            values=list(range(1, 13)),
            labelExpr=f"{names!r}[datum.value - 1]",
            grid=False,
        ),
    )
    colour = alt.Color(
        "year:N", scale=alt.Scale(domain=[str(year - 1), str(year)], range=[LIGHT, BLUE])
    )
    spec: dict[str, Any] = (
        alt.layer(
            alt.Chart(data)
            .mark_line(strokeWidth=2)
            .encode(x=x, y="value:Q", color=colour, detail="run:N"),
            alt.Chart(data)
            .mark_point(filled=True, size=60, opacity=1)
            .encode(
                x=x,
                y=alt.Y("value:Q", title="tonnes, January to the month"),
                color=colour,
                shape=alt.Shape("status:N", scale=alt.Scale(**SHAPES), title="figure"),
            ),
            alt.Chart(data)
            .transform_filter(alt.datum.status == "conflict")
            .mark_point(shape="circle", size=220, color=RED, strokeWidth=2, filled=False)
            .encode(x=x, y="value:Q"),
            alt.Chart(data)
            .mark_text(dy=-10, fontSize=10, color="#222")
            .encode(x=x, y="value:Q", text="label:N"),
        )
        .properties(width=WIDTH, height=HEIGHT, title=title)
        .configure_view(stroke=None)
        .configure_legend(orient="bottom")
        .to_dict(validate=False)
    )
    return spec
