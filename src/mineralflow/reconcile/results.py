"""What a reconciliation found, and where to get one: stored in the ledger or computed.

:func:`reconcile` answers from the ledger's stored reconciliation when it is current
(:mod:`~mineralflow.reconcile.store`) and otherwise reconciles the figures in memory
(:func:`~mineralflow.reconcile.reconciler.reconcile_figures`). :class:`Reconciliation` holds
the result. Nothing here imports Ibis or pandas until a result is read as a table or a
DataFrame, so a command that reads stored verdicts as rows (:meth:`Reconciliation.rows`)
never waits for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..ledger import MEASURE_WORDS
from ..periods import Period

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from ..ledger import Ledger
    from .prepare import Scratch

__all__ = ["VERDICTS", "Later", "Reconciliation", "reconcile", "subject"]

VERDICTS = ("consistent", "inconsistent", "unverifiable")


@dataclass(frozen=True)
class Later:
    """A table made when first asked for (building it needs Ibis)."""

    make: Callable[[], Any]


_SUBJECTS = {
    "same_cell": "{name} {measure}, {period}",
    "change_mom": "{name} m/m change, {period}",
    "change_yoy": "{name} y/y change, {period}",
    "cumulative_change_yoy": "{name} y/y change of {described}",
    "cumulative_sum": "{name}, {described}, against its months",
    "year_shift": "{name}, {described} as labelled",
    "part_of": "{name} within a larger total, {period}",
    "parts_sum": "{name} against the sum of its members, {period}",
    "rank_order": "{name} ranked, {period}",
    "product_scope": "{name}, a wider product than its parts, {period}",
}


def subject(kind: str, partner: str, period: str, measure: str = "") -> str:
    """What a check is about, in words::

    >>> subject("change_mom", "USA", "2025-08")
    'United States m/m change, 2025-08'
    >>> subject("same_cell", "DEU", "2025-08", "level")
    'Germany level, 2025-08'
    """
    name = "World" if partner == "WLD" else catalog.partner_name(partner)
    return _SUBJECTS[kind].format(
        name=name,
        period=period,
        described=Period.parse(period).describe(),
        measure=MEASURE_WORDS.get(measure, measure),
    )


_ORDER = {
    "checks": ["period_end", "period_start", "partner", "kind"],
    "conflicts": ["period_end", "period_start", "partner", "kind"],
    "best": ["period_end", "period_start", "partner", "measure"],
}
_TIES = ("figure_id", "computed_lo", "computed_hi", "note", "lo", "value")


@dataclass
class Reconciliation:
    """What :func:`reconcile` found. The tables are Ibis expressions over the ledger's
    connection; the DataFrames (``checks``, ``conflicts``, ``best``) are read on first use,
    so read them before closing the ledger (which drops the tables behind them)."""

    counts: dict[str, int]
    product: str | None = None
    period: str | None = None
    stored: bool = False  # read from the ledger's stored reconciliation
    _scratch: Scratch | None = field(default=None, repr=False)
    # checks, conflicts, best: each an Ibis table, or a function that makes it when asked
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)
    # The same results as SQL on the ledger's connection (FROM ... WHERE ..., parameters),
    # when they are stored tables: read as rows without Ibis or pandas (:meth:`rows`).
    _sources: dict[str, tuple[str, list[Any]]] | None = field(default=None, repr=False)
    _con: Any = field(default=None, repr=False)

    def _table(self, name: str) -> ir.Table:
        t = self._tables[name]
        if isinstance(t, Later):
            t = self._tables[name] = t.make()
        table: ir.Table = t
        return table

    @property
    def checks_table(self) -> ir.Table:
        return self._table("checks")

    @property
    def conflicts_table(self) -> ir.Table:
        return self._table("conflicts")

    @property
    def best_table(self) -> ir.Table:
        return self._table("best")

    def close(self) -> None:
        """Drop the temporary tables behind the results now, rather than when the ledger
        closes (read the DataFrames first)."""
        if self._scratch is not None:
            self._scratch.drop()
            self._scratch = None

    def __enter__(self) -> Reconciliation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @cached_property
    def checks(self) -> pd.DataFrame:
        """One row per check: kind, cells, figure ids, stated and computed interval,
        verdict, gap, note."""
        return _frame(self.checks_table, _ORDER["checks"])

    @cached_property
    def conflicts(self) -> pd.DataFrame:
        """The inconsistent checks, each with the figure most likely wrong and why."""
        return _frame(self.conflicts_table, _ORDER["conflicts"])

    @cached_property
    def best(self) -> pd.DataFrame:
        """The best estimate per cell, with the figures and sources behind it."""
        return _frame(self.best_table, _ORDER["best"])

    def rows(self, name: str, **equal: Any) -> list[dict[str, Any]] | None:
        """``checks``, ``conflicts`` or ``best`` as dicts (arrays as lists, missing values
        None), in the order of the DataFrame, read by SQL when the results are stored
        tables (None otherwise: read the DataFrame); only rows whose columns have the
        values ``equal`` gives (text or dates)."""
        if self._sources is None:
            return None
        from ..engines import sql_literal

        source, params = self._sources[name]
        if equal:
            tests = " AND ".join(f'"{k}" = {sql_literal(v)}' for k, v in equal.items())
            source = f"FROM (SELECT * {source}) WHERE {tests}"
        return ordered_rows(self._con, name, source, params)

    def summary(self) -> dict[str, int]:
        """Counts: checks run, consistent, inconsistent, unverifiable; figures in force,
        and older official vintages set aside (``revised``)."""
        return dict(self.counts)

    def to_dict(self, *, checks: bool = True) -> dict[str, Any]:
        """Plain data (JSON-ready): summary, conflicts and (unless ``checks=False``) every
        check."""
        data: dict[str, Any] = {
            "product": self.product,
            "period": self.period,
            "summary": self.summary(),
            "conflicts": self._plain("conflicts"),
        }
        if checks:
            data["checks"] = self._plain("checks")
        return data

    def _plain(self, name: str) -> list[dict[str, Any]]:
        rows = self.rows(name)
        if rows is None:
            return _records(getattr(self, name))
        return [
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows
        ]


def ordered_rows(con: Any, name: str, source: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of ``checks``, ``conflicts`` or ``best`` read by ``SELECT * <source>``
    as dicts, in the order of the DataFrames."""
    # No parameters when there are none: binding one makes DuckDB import pandas.
    args = [params] if params else []
    cursor = con.execute(f"SELECT * {source} LIMIT 0", *args)
    columns = [d[0] for d in cursor.description]
    keys = _ORDER[name] + [c for c in _TIES if c in columns]
    order = ", ".join(f'"{k}" NULLS LAST' for k in keys)
    cursor = con.execute(f"SELECT * {source} ORDER BY {order}", *args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _frame(t: ir.Table, order: list[str]) -> pd.DataFrame:
    import pandas as pd  # noqa: F401  (to_pandas needs it; imported here, when first read)

    df: pd.DataFrame = t.to_pandas()
    tie = [
        c
        for c in ("figure_id", "computed_lo", "computed_hi", "note", "lo", "value")
        if c in df.columns
    ]
    if "figure_ids" not in df.columns or df.empty:
        return df.sort_values(order + tie, kind="stable", na_position="last").reset_index(drop=True)
    # Two checks can differ only in the figures they hold (a sum with one part or another).
    ids = df["figure_ids"].map(lambda v: ",".join(sorted(v)) if v is not None else "")
    df = df.assign(_ids=ids).sort_values([*order, *tie, "_ids"], kind="stable", na_position="last")
    return df.drop(columns="_ids").reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if hasattr(v, "tolist"):
                v = v.tolist()
            if isinstance(v, float) and v != v:  # NaN
                v = None
            if isinstance(v, dt.datetime):  # a pandas Timestamp
                v = v.date().isoformat()
            clean[str(k)] = v
        out.append(clean)
    return out


def reconcile(
    source: Ledger | ir.Table, *, product: str | None = None, period: str | None = None
) -> Reconciliation:
    """Check every figure against every other it relates to, name the conflicts and pick
    the best estimate per cell.

    ``source`` is a :class:`~mineralflow.Ledger` or an Ibis table with the columns of the
    ledger's ``figures_v``. ``product`` keeps that product (and the wider or narrower
    products compared with it); ``period`` (``YYYY-MM`` or a span) keeps the checks and
    estimates whose period ends in it, judged against every figure in the ledger.

    A ledger whose reconciliation is stored and current (:mod:`~mineralflow.reconcile.store`:
    every write recomputes it) is answered from the stored tables; otherwise the figures
    are reconciled here, in memory.
    """
    from ..ledger import Ledger

    if isinstance(source, Ledger) and product is not None:
        from .store import stored

        catalog.product(product)
        span = Period.parse(period) if period is not None else None
        found = stored(source, product=product, span=span)
        if found is not None:
            return found
    from .reconciler import reconcile_figures

    return reconcile_figures(source, product=product, period=period)
