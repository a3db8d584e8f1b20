"""Which figures failed reconciliation, and why: the conflicts the charts, the report and the
web pages mark.

One function decides, :func:`find_conflicts`; everything downstream (marked chart points,
the conflicts tables, :func:`failed_figures`) takes its result: the reconciler's failed
checks (:func:`mineralflow.reconcile`), a ``disagreement`` where two sources state one cell
differently beyond rounding, a ``check`` where a figure contradicts the figures it relates
to (a change and its levels, a total and its months, a ranking, a member and its bloc)::

    >>> with Ledger.open(read_only=True) as ledger:                      # doctest: +SKIP
    ...     found = find_conflicts(ledger, product="rare-earth-magnets", months=["2025-08"])
    ...     [c.subject for c in found]
    ['United States m/m change, 2025-08', ...]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import compiled
from ..brief import Stated
from ..ledger import Ledger
from ..periods import Month
from ..reconcile import Reconciliation, reconcile, subject

__all__ = ["Conflict", "failed_figures", "find_conflicts"]


@dataclass(frozen=True)
class Conflict:
    """Figures that do not reconcile: a failed check or sources that disagree on one cell."""

    product: str
    period: str  # the month whose figures were checked
    kind: str  # "check" (a stated figure against the levels it relates) or "disagreement"
    subject: str  # "United States m/m change, 2025-08"
    detail: str
    figure_ids: tuple[str, ...]
    source_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "period": self.period,
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "figure_ids": list(self.figure_ids),
            "source_ids": list(self.source_ids),
        }


def failed_figures(conflicts: Iterable[Conflict]) -> set[str]:
    """The ids of every figure some conflict names."""
    return {f for c in conflicts for f in c.figure_ids}


def find_conflicts(
    ledger: Ledger,
    *,
    product: str,
    months: Iterable[Month | str] | None = None,
    reporter: str = "CHN",
    flow: str = "export",
    reconciliation: Reconciliation | None = None,
) -> list[Conflict]:
    """Conflicts among the figures of ``product`` in each of ``months`` (default: all),
    oldest month first: the reconciler's failed checks whose figure's period ends in one of
    the months. The whole product is reconciled (or ``reconciliation`` used, which may cover
    the whole ledger: one reconciliation serves every product), so a verdict is the same
    whichever months are asked for."""
    if reconciliation is None:
        with reconcile(ledger, product=product) as rec:
            return find_conflicts(
                ledger,
                product=product,
                months=months,
                reporter=reporter,
                flow=flow,
                reconciliation=rec,
            )
    wanted = (
        None if months is None else {m if isinstance(m, Month) else Month.parse(m) for m in months}
    )
    failed = [
        r
        for r in _failed_rows(reconciliation, product=product, reporter=reporter, flow=flow)
        if wanted is None or Month.of(r["period_end"]) in wanted
    ]
    ids = sorted({str(f) for r in failed for f in r["figure_ids"]})
    said = _said(ledger, ids)
    found: list[Conflict] = []
    for r in failed:
        figure_ids = tuple(str(f) for f in r["figure_ids"])
        same = r["kind"] == "same_cell"
        if same:
            detail = " vs ".join(said[f][0] for f in figure_ids if f in said)
        else:
            gap = "" if _missing(r["gap"]) else f" (off by {r['gap']:.4g} {r['unit']})"
            computed = (
                "nothing computed"  # stated with a mislabelled figure
                if _missing(r["computed_lo"])
                else f"the others allow {_interval(r['computed_lo'], r['computed_hi'])}"
            )
            head = said.get(r["figure_id"], ("",))[0]
            detail = f"stated {head}, but {computed}{gap}"
        blame = (
            r["why"]
            if not isinstance(r["suspect"], str)
            else (f"most likely wrong: {r['suspect']}")
        )
        found.append(
            Conflict(
                product=product,
                period=str(Month.of(r["period_end"])),
                kind="disagreement" if same else "check",
                subject=subject(r["kind"], r["partner"], r["period"], r["measure"]),
                detail=f"{detail}; {blame}",
                figure_ids=figure_ids,
                source_ids=tuple(sorted({said[f][1] for f in figure_ids if f in said})),
            )
        )
    return found


def _failed_rows(
    rec: Reconciliation, *, product: str, reporter: str, flow: str
) -> list[dict[str, Any]]:
    """The reconciliation's conflicts of one product, reporter and flow, in its order: read
    by SQL from stored verdicts (no Ibis, no pandas), else from the DataFrame (a
    reconciliation of the whole ledger holds every product's)."""
    wanted = {"product": product, "reporter": reporter, "flow": flow}
    rows = rec.rows("conflicts", **wanted)
    if rows is not None:
        return rows
    return [
        {str(k): v for k, v in r.items()}
        for r in rec.conflicts.to_dict(orient="records")
        if all(r[k] == v for k, v in wanted.items())
    ]


def _missing(x: Any) -> bool:
    """None (read by SQL) or NaN (read through pandas)."""
    return x is None or x != x


def _said(ledger: Ledger, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """figure_id -> (the figure as stated with its outlet, its source id)."""
    if not ids:
        return {}
    out = {}
    for r in compiled.rows(ledger, "conflicts.said", ids=list(ids)):
        text = Stated(
            r["measure"], r["value"], r["stated"], r["unit"], r["qualifier"], r["resolution"], ()
        ).text()
        out[r["figure_id"]] = (f"{text} ({r['outlet']})", r["source_id"])
    return out


@compiled.query("conflicts.said", tables=("figures_v",), order=("figure_id",), ids="array<string>")
def _said_query(tables: Any, p: compiled.Params) -> Any:
    t = tables["figures_v"]
    t = t.filter(p.ids.contains(t.figure_id))
    return t.select(
        "figure_id",
        "measure",
        "value",
        "stated",
        "unit",
        "qualifier",
        "resolution",
        "outlet",
        "source_id",
    )


def _interval(lo: float, hi: float) -> str:
    def num(x: float) -> str:
        return "no limit" if x == float("inf") else f"{x:,.3f}".rstrip("0").rstrip(".")

    return f"{num(lo)} to {num(hi)}"
