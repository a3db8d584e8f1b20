"""The brief's Analysis section in Markdown, from :class:`mineralflow.analysis.Analysis`
(what the metrics computed for the month)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..analysis import Analysis, WindowMonth
from ..periods import Month


def _tonnes(value: float, resolution: float) -> str:
    decimals = max(0, -math.floor(math.log10(resolution) + 1e-9))
    return f"{value:,.{decimals}f} t"


def _mean(value: float) -> str:
    """An average in tonnes: whole tonnes for magnets' thousands, three significant digits
    for the few tonnes of gallium or germanium (``6.12``, not ``6``)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _cite(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _span(start: str, end: str) -> str:
    a, b = Month.parse(start), Month.parse(end)
    if a == b:
        return a.name
    if a.year == b.year:
        return f"{a.name.split()[0]} to {b.name}"
    return f"{a.name} to {b.name}"


def _window_month(m: WindowMonth) -> str:
    bits = []
    if m.change_pct is not None:
        bits.append(f"{m.change_pct:+.1f}%")
    if m.z is not None:
        bits.append(f"z = {m.z:.1f}")
    if m.unusual is not None:
        bits.append("unusual" if m.unusual else "within the usual range")
    detail = f" ({', '.join(bits)})" if bits else ""
    return f"{Month.parse(m.period).name} {_tonnes(m.value, m.resolution)}{detail}"


def to_markdown(a: Analysis) -> list[str]:
    """The Analysis section's lines (without a trailing blank line)."""
    month = Month.parse(a.period)
    out = [
        "## Analysis",
        "",
        "Computed from one level per partner and month (the reconciler's best estimate, as "
        "shown above); a month no source states is a gap and is never filled in. "
        "Formulas: docs/metrics.md.",
        "",
    ]
    if a.ranked:
        items = []
        words = " of the world total"
        for r in a.ranked:
            share = ""
            if r.share_pct is not None:
                share, words = f" ({r.share_pct:.1f}%{words})", ""
            items.append(f"{r.rank}. {r.name} {_tonnes(r.value, r.resolution)}{share}")
        srcs = sorted({n for r in a.ranked for n in r.sources})
        out.append(
            f"- Countries with a level in {month.name}, ranked by it: "
            f"{', '.join(items)} {_cite(srcs)}."
        )
    if a.movements:
        items = []
        for m in a.movements:
            head = f"{m.name} {m.change_pct:+.1f}% from {_tonnes(m.base_value, m.base_resolution)}"
            if m.verdict is None:
                judged = f"too little history to judge ({m.changes} changes)"
            else:
                word = {"surge": "a surge", "collapse": "a collapse"}.get(
                    m.verdict, "within its usual range"
                )
                judged = f"{word} (z = {m.z:.1f} against {m.changes} changes)"
            items.append(f"{head}: {judged} {_cite(m.sources)}")
        out.append(
            f"- Month-on-month changes in {month.name}, each judged against all the changes of "
            f"its series in the ledger (a surge or collapse lies more than {a.k:g} robust "
            f"deviations from their median): " + "; ".join(items) + "."
        )
    for w in a.windows:
        when = f"announced {w.date_announced}"
        if w.date_effective == w.date_announced:
            when = f"effective {w.date_effective}"
        elif w.date_effective:
            when += f", effective {w.date_effective}"
        if w.before_mean is None:
            base = (
                f"no level for exports to the world in the {a.window_months} months before "
                f"({_span(w.before_start, w.before_end)}), so nothing to compare with"
            )
        else:
            base = (
                f"exports to the world averaged {_mean(w.before_mean)} t a month in the "
                f"{a.window_months} months before ({_span(w.before_start, w.before_end)}; "
                f"{w.before_observed} of them with a level)"
            )
        names = " and ".join(w.instruments)
        text = f"- Around {names} ({when}) {_cite(w.event_sources)}: {base}"
        if w.between:
            text += "; between announcement and effect: " + ", ".join(
                _window_month(m) for m in w.between
            )
        if w.after:
            text += "; from the effective month: " + ", ".join(_window_month(m) for m in w.after)
        out.append(f"{text} {_cite(w.sources)}.")
    if a.gaps:
        by: dict[str, list[str]] = {}
        for g in a.gaps:
            by.setdefault(g.name, []).append(_span(g.start, g.end))
        out.append(
            f"- Months without a level, {Month.parse(a.gap_start).name} to {month.name}: "
            + "; ".join(f"{name}: {', '.join(spans)}" for name, spans in by.items())
            + "."
        )
    return out
