"""Which figure the brief shows for each cell (the reconciler's best estimate) and which
sources it cites: those that state it within their own precision; the others that agree
are shown with their own wording, and those that disagree beside it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..periods import Month
from .model import Stated
from .read import _Citations, _records, _Row

if TYPE_CHECKING:
    import pandas as pd


class _Estimates:
    """The reconciler's best estimates for the brief's cells, as :class:`Stated` figures."""

    def __init__(
        self, best: pd.DataFrame | list[dict[str, Any]], rows: dict[str, _Row], cite: _Citations
    ) -> None:
        self.rows = rows
        self.cite = cite
        self.cells: dict[tuple[str, str, Month, Month], dict[str, Any]] = {
            (b["partner"], b["measure"], Month.of(b["period_start"]), Month.of(b["period_end"])): b
            for b in _records(best)
            if not b["derived"]
        }

    def stated(self, partner: str, measure: str, start: Month, end: Month) -> Stated | None:
        """The figure to show for one cell, citing every source that agrees with it."""
        b = self.cells.get((partner, measure, start, end))
        if b is None:
            return None
        flagged = set(b["flagged_figure_ids"])
        value, qualifier = float(b["value"]), str(b["qualifier"])
        agree = self._rows(b["figure_ids"])
        citing = [r for r in agree if _states(r, value, qualifier)]
        numbers = tuple(sorted({self.cite.number(r) for r in citing}))
        worded = [r for r in agree if r not in citing]
        return Stated(
            measure,
            value,
            str(b["stated"]),
            str(b["unit"]),
            qualifier,
            float(b["resolution"]),
            numbers,
            self._grouped(self._rows(b["disagreeing_figure_ids"]), flagged),
            flagged=bool(b["flagged"]),
            worded=self._grouped(worded, flagged),
        )

    def _grouped(self, rows: list[_Row], flagged: set[str]) -> tuple[Stated, ...]:
        """Figures as their sources word them, one per wording as printed, with its sources."""
        groups: dict[str, list[_Row]] = {}
        for r in rows:
            groups.setdefault(r.text(), []).append(r)
        return tuple(
            Stated(
                head.measure,
                head.value,
                head.stated,
                head.unit,
                head.qualifier,
                head.resolution,
                tuple(sorted({self.cite.number(r) for r in group})),
                flagged=any(r.figure_id in flagged for r in group),
            )
            for head, group in ((g[0], g) for g in groups.values())
        )

    def _rows(self, ids: Iterable[str]) -> list[_Row]:
        return sorted((self.rows[i] for i in ids if i in self.rows), key=lambda r: r.sort_key)


def _states(r: _Row, value: float, qualifier: str) -> bool:
    """Whether the figure ``r`` states ``value`` (with ``qualifier``) within its own precision:
    the same qualifier, and ``value`` rounded (half up) to ``r``'s last stated digit is ``r``'s
    value. 3,188 states 3,188.0 and 1,238 states 1,238.47; 157% does not state 157.5% (it
    rounds to 158), nor does "around 160%"."""
    if r.qualifier != qualifier:
        return False
    step = Decimal(repr(r.resolution))
    rounded = (Decimal(repr(value)) / step).to_integral_value(ROUND_HALF_UP) * step
    return rounded == Decimal(repr(r.value))
