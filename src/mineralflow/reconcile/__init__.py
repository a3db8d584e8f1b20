"""Reconcile: what a stated figure means, and which figures agree, conflict, and win.

- :mod:`~mineralflow.reconcile.intervals`: a stated figure as the interval it means
  (precision and qualifier, from ``data/catalog/qualifiers.csv``).
- :mod:`~mineralflow.reconcile.prepare`: the same intervals as Ibis columns, month numbers,
  official vintages and the cells relations use as terms.
- :mod:`~mineralflow.reconcile.relations`: the relations between figures, as set operations.
- :mod:`~mineralflow.reconcile.reconciler`: verdicts, the figure most likely wrong in each
  conflict, and the best estimate per cell, in memory (``reconcile_figures``).
- :mod:`~mineralflow.reconcile.results`: :class:`Reconciliation` and :func:`reconcile`, which
  reads the stored reconciliation when it is current.
- :mod:`~mineralflow.reconcile.store`: every product's reconciliation stored in the ledger,
  recomputed by each write that changes it.

See ``docs/reconcile.md``.
"""

from typing import TYPE_CHECKING, Any

from .intervals import Interval, change_between, qualifiers
from .results import VERDICTS, Reconciliation, reconcile, subject

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    # The relations build Ibis expressions: imported when first asked for.
    if name == "KINDS":
        from .relations import KINDS

        return KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
