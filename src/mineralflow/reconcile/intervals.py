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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..catalog import read_table

__all__ = [
    "PYTHON_OPS",
    "QUALIFIERS",
    "Coefficients",
    "Interval",
    "Ops",
    "Qualifier",
    "bounds",
    "change_between",
    "qualifiers",
]


@dataclass(frozen=True)
class Coefficients:
    """A qualifier's rule as numbers: how far below and above the stated magnitude it reaches.

    The lower bound is ``size - max(lo_res * resolution, lo_rel * size)``, or zero when
    ``lo_zero``; the upper bound is ``size + max(hi_res * resolution, hi_rel * size)``, or
    unbounded when ``hi_open``. :func:`bounds` applies them, to Python numbers and to Ibis
    columns alike, so the arithmetic exists once.
    """

    lo_res: float
    lo_rel: float
    lo_zero: bool
    hi_res: float
    hi_rel: float
    hi_open: bool


@dataclass(frozen=True)
class Qualifier:
    """One row of the qualifier table."""

    name: str
    words: tuple[str, ...]
    side: str  # both, below, above
    widen_rel: float

    @property
    def coefficients(self) -> Coefficients:
        """The rule of this row (``side``, ``widen_rel``) as the numbers :func:`bounds` uses."""
        w = self.widen_rel
        unbounded = math.isinf(w)
        if self.side == "both":
            return Coefficients(0.5, w, False, 0.5, w, False)
        if self.side == "below":
            # A figure "under" its value reaches at least one last digit below it.
            return Coefficients(1.0, 0.0 if unbounded else w, unbounded, 0.5, 0.0, False)
        if self.side == "above":
            return Coefficients(0.5, 0.0, False, 1.0, 0.0 if unbounded else w, unbounded)
        raise ValueError(f"qualifier {self.name!r}: side must be both, below or above")


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
class Ops:
    """The four operations :func:`bounds` needs, for one kind of number (Python or Ibis)."""

    abs: Callable[[Any], Any]
    greatest: Callable[[Any, Any], Any]
    choose: Callable[[Any, Any, Any], Any]  # (condition, if true, if false)
    inf: Any


PYTHON_OPS = Ops(abs=abs, greatest=max, choose=lambda c, a, b: a if c else b, inf=math.inf)


def bounds(value: Any, resolution: Any, c: Any, ops: Ops = PYTHON_OPS) -> tuple[Any, Any]:
    """``(lo, hi)`` of a stated figure: the one definition of what a figure means.

    ``c`` has the fields of :class:`Coefficients` (a ``Coefficients``, or a table joined to
    :func:`mineralflow.reconcile.qualifier_table`); ``ops`` says how to compute with
    ``value``. Qualifiers speak of magnitude ("nearly 19% lower" is a fall of up to 19%), so
    the bounds of a negative figure are those of its magnitude, mirrored::

        >>> bounds(-19.0, 1.0, qualifiers()["nearly"].coefficients)
        (-19.5, -18.0)
    """
    size = ops.abs(value)
    lo = ops.choose(c.lo_zero, 0.0, size - ops.greatest(c.lo_res * resolution, c.lo_rel * size))
    hi = ops.choose(c.hi_open, ops.inf, size + ops.greatest(c.hi_res * resolution, c.hi_rel * size))
    negative = value < 0
    return ops.choose(negative, -hi, lo), ops.choose(negative, -lo, hi)


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
        lo, hi = bounds(value, resolution, qualifiers()[qualifier].coefficients)
        return cls(lo, hi)

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    def meets(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        return self.lo <= other.hi and other.lo <= self.hi

    def gap(self, other: Interval) -> float:
        """Distance between the intervals; 0 when they meet."""
        return max(0.0, self.lo - other.hi, other.lo - self.hi)

    def __str__(self) -> str:
        return f"[{self.lo:.10g}, {self.hi:.10g}]"


def change_between(new: Interval, old: Interval) -> Interval | None:
    """The percentage change from ``old`` to ``new`` (both levels), as an interval.

    None when the old level can be zero or negative, where a percentage means nothing.
    """
    if old.lo <= 0 or new.lo < 0:
        return None
    return Interval((new.lo / old.hi - 1) * 100, (new.hi / old.lo - 1) * 100)
