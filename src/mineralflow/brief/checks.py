"""The month's checks as the brief words them: every failed check with the figure it
blames, the listed kinds that hold, and a count of the rest."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..periods import Month, Period
from ..reconcile import subject
from .model import Check
from .read import _Citations, _records, _Row

if TYPE_CHECKING:
    import pandas as pd


# Checks the brief lists one by one when they hold; the rest (figures against each other,
# members against their bloc or the world) are counted.
_LISTED = (
    "change_mom",
    "change_yoy",
    "cumulative_change_yoy",
    "cumulative_sum",
    "rank_order",
    "product_scope",
)


def _checks(
    checks: pd.DataFrame | list[dict[str, Any]],
    conflicts: pd.DataFrame | list[dict[str, Any]],
    rows: dict[str, _Row],
    cite: _Citations,
) -> list[Check]:
    """The reconciler's checks of the month, as the brief words them: every failed check,
    and the listed kinds that hold. Two sources stating the same figure give the same
    line once, citing both."""
    blamed = {c["check_id"]: c for c in _records(conflicts)}
    out: dict[tuple[str, str, str, str], Check] = {}
    for c in _records(checks):
        if c["verdict"] == "unverifiable":
            continue
        head = rows.get(c["figure_id"])
        terms = [rows[i] for i in c["figure_ids"] if i in rows and i != c["figure_id"]]
        official = _official_side(c, head, terms)
        if c["verdict"] == "consistent" and c["kind"] not in _LISTED and official is None:
            continue
        if official is not None:
            # Another source's figure for a cell an official release states: always listed.
            news = next(r for r in (head, *terms) if r is not None and r is not official)
            subject = f"{_name(c['partner'])} {official.measure}, {c['period']}, " + (
                "against the official release"
            )
            stated = f"{news.outlet} states {news.text()}"
            computed = f"the official release states {official.text()}"
        else:
            subject, stated, computed = _words(c, head, terms)
        conflict = blamed.get(c["check_id"])
        gap = c["gap"]
        sources = {cite.number(r) for r in ([head, *terms] if head else terms)}
        key = (subject, stated, computed, c["verdict"])
        if key in out:
            sources |= set(out[key].sources)
        out[key] = Check(
            kind=c["kind"],
            subject=subject,
            stated=stated,
            computed=computed,
            verdict=c["verdict"],
            gap=None if gap is None else round(float(gap), 2),  # None: a year shift
            gap_unit=c["unit"],
            sources=tuple(sorted(sources)),
            suspect=conflict["suspect"] if conflict is not None else None,
            why=conflict["why"] if conflict is not None else None,
        )
    return list(out.values())


def _official_side(c: dict[str, Any], head: _Row | None, terms: list[_Row]) -> _Row | None:
    """In a same-cell check of an official figure against another source's, the official
    one; None for every other check."""
    if c["kind"] != "same_cell":
        return None
    sides = [r for r in (head, *terms) if r is not None]
    official = [r for r in sides if r.authority == "official"]
    return official[0] if len(official) == 1 and len(sides) == 2 else None


def _name(code: str) -> str:
    return "World" if code == "WLD" else catalog.partner_name(code)


def _words(c: dict[str, Any], head: _Row | None, terms: list[_Row]) -> tuple[str, str, str]:
    """(subject, what is stated, what the other figures allow) of one check, in words."""
    name, period = _name(c["partner"]), c["period"]
    stated = f"stated {head.text()}" if head else "stated"
    unit = "%" if c["unit"] == "points" else f" {c['unit']}"
    lo, hi = c["computed_lo"], c["computed_hi"]
    if lo is None:
        allowed = ""
    elif unit == "%":
        allowed = _pct_range(lo, hi)
    elif math.isinf(hi):
        allowed = f"at least {_num(lo)}{unit}"
    else:
        allowed = f"{_num(lo)} to {_num(hi)}{unit}"

    # Each cell's figures as stated, smallest first (not in the order the check lists them).
    stated_in: dict[tuple[str, Month, Month, str], dict[str, float]] = {}
    for r in terms:
        stated_in.setdefault((r.partner, r.start, r.end, r.measure), {})[r.text()] = r.value
    cells = {
        k: [t for t, _ in sorted(v.items(), key=lambda tv: (tv[1], tv[0]))]
        for k, v in stated_in.items()
    }
    by_time = sorted(cells.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0]))

    def listed(with_partner: bool = False) -> str:
        return " and ".join(
            f"{' / '.join(texts)} ({_name(p) + ' ' if with_partner else ''}{Period(s, e)})"
            for (p, s, e, _), texts in by_time
        )

    kind = c["kind"]
    measure = head.measure if head else ""
    about = subject(kind, c["partner"], period, measure)
    if kind in ("change_mom", "change_yoy"):
        return about, stated, f"the levels {listed()} give {allowed}"
    if kind == "cumulative_change_yoy":
        return about, stated, f"the totals {listed()} give {allowed}"
    if kind == "cumulative_sum":
        return about, stated, f"{listed()} add up to {allowed}"
    if kind == "rank_order":
        ranks = [r for r in terms if r.measure == "rank"]
        levels = {p: " / ".join(texts) for (p, _, _, m), texts in by_time if m == "level"}
        other = next((p for p in levels if p != c["partner"]), "")
        mine = levels.get(c["partner"], "")
        theirs = levels.get(other, "")
        if ranks:
            about = f"{name} ranked above {_name(other)}, {period}"
            stated = f"ranks {head.stated if head else '?'} and {ranks[0].stated}"
        else:
            about = f"{name} ranked, {_name(other)} not, {period}"
            stated = f"rank {head.stated if head else '?'}"
        return about, stated, f"levels {mine} and {theirs}"
    if kind == "same_cell":
        return about, stated, f"another source states {listed()}"
    if kind == "part_of":
        return about, stated, f"{listed(True)}: at most {_num(hi)}{unit}"
    if kind == "parts_sum":
        return about, stated, f"{listed(True)} add up to {allowed}"
    if kind == "product_scope":
        return about, stated, f"{listed()}: {allowed}"
    # year_shift
    fits = f" ({listed()} add up to {allowed})" if terms and allowed else ""
    return about, stated, f"{c['note']}{fits}"


def _num(x: float) -> str:
    """A bound as text: ``22,319``, ``1,341.075``, ``no limit`` for infinity."""
    if math.isinf(x):
        return "no limit"
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def _pct_range(lo: float, hi: float) -> str:
    """``+157.4% to +157.7%``, with as many decimals (up to three) as tell the ends apart."""
    for decimals in (1, 2, 3):
        a, b = f"{lo:+.{decimals}f}%", f"{hi:+.{decimals}f}%"
        if a != b:
            break
    return f"{a} to {b}"
