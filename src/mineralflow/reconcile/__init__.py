"""Reconcile: what a stated figure means, and which figures agree, conflict, and win.

- :mod:`~mineralflow.reconcile.intervals`: a stated figure as the interval it means
  (precision and qualifier, from ``data/catalog/qualifiers.csv``).
- :mod:`~mineralflow.reconcile.prepare`: the same intervals as Ibis columns, month numbers,
  official vintages and the cells relations use as terms.
- :mod:`~mineralflow.reconcile.relations`: the relations between figures, as set operations.
- :mod:`~mineralflow.reconcile.reconciler`: :func:`reconcile`, verdicts, the figure most
  likely wrong in each conflict, and the best estimate per cell.

See ``docs/reconcile.md``.
"""

from .intervals import Interval, change_between, qualifiers
from .reconciler import VERDICTS, Reconciliation, reconcile, subject
from .relations import KINDS

__all__ = [
    "KINDS",
    "VERDICTS",
    "Interval",
    "Reconciliation",
    "change_between",
    "qualifiers",
    "reconcile",
    "subject",
]
