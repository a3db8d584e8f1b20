"""What a stated figure means: an interval, from its precision and its qualifier.

A figure written "46" means anything that rounds to 46, [45.5, 46.5]; "46.4" means
[46.35, 46.45]; "about 38" widens that to 5% of the value either side; "nearly 19" means
a little under 19 in magnitude; "more than 7" has no upper bound. The qualifiers and their
semantics are one data table, ``data/catalog/qualifiers.csv``, documented in
``docs/reconcile.md``::

    >>> Interval.of(46, resolution=1)
    Interval(lo=45.5, hi=46.5)
    >>> Interval.of(160, resolution=1, qualifier="around").contains(157.5)
    True

Intervals are closed on both ends: a published figure is rounded half-up or half-even by
outlets we cannot see, so either end can be meant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from ..catalog import read_table

__all__ = ["QUALIFIERS", "Interval", "Qualifier", "change_between", "qualifiers"]


@dataclass(frozen=True)
class Qualifier:
    """One row of the qualifier table."""

    name: str
    words: tuple[str, ...]
    side: str  # both, below, above
    widen_rel: float


@cache
def qualifiers() -> dict[str, Qualifier]:
    """The qualifier table by name."""
    return {
        row["qualifier"]: Qualifier(
            name=row["qualifier"],
            words=tuple(w for w in row["words"].split("|") if w),
            side=row["side"],
            widen_rel=float(row["widen_rel"]),
        )
        for row in read_table("qualifiers.csv")
    }


QUALIFIERS = tuple(qualifiers())


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]`` of values a figure can mean."""

    lo: float
    hi: float

    @classmethod
    def of(cls, value: float, *, resolution: float, qualifier: str = "exact") -> Interval:
        """The interval a figure stated as ``value`` with this resolution and qualifier means.

        ``resolution`` is the size of the last stated digit in the figure's unit: 1 for
        "46 t", 0.1 for "46.4 t", 10 for "8.36 million kg" read as tonnes.
        """
        q = qualifiers()[qualifier]
        half = resolution / 2
        size = abs(value)
        if q.side == "both":
            spread = max(half, q.widen_rel * size)
            lo, hi = size - spread, size + spread
        elif q.side == "below":
            lo = 0.0 if math.isinf(q.widen_rel) else size - max(resolution, q.widen_rel * size)
            hi = size + half
        else:  # above
            lo = size - half
            hi = math.inf if math.isinf(q.widen_rel) else size + max(resolution, q.widen_rel * size)
        # Qualifiers speak of magnitude: "nearly 19% lower" is a fall of up to 19%.
        return cls(lo, hi) if value >= 0 else cls(-hi, -lo)

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    def meets(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        return self.lo <= other.hi and other.lo <= self.hi

    def gap(self, other: Interval) -> float:
        """Distance between the intervals; 0 when they meet."""
        return max(0.0, self.lo - other.hi, other.lo - self.hi)

    def __str__(self) -> str:
        return f"[{self.lo:g}, {self.hi:g}]"


def change_between(new: Interval, old: Interval) -> Interval | None:
    """The percentage change from ``old`` to ``new`` (both levels), as an interval.

    None when the old level can be zero or negative, where a percentage means nothing.
    """
    if old.lo <= 0 or new.lo < 0:
        return None
    return Interval((new.lo / old.hi - 1) * 100, (new.hi / old.lo - 1) * 100)
