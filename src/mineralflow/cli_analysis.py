"""The commands that judge and analyse the figures: ``check`` (the reconciler's conflicts),
``event-window`` and ``surges`` (the metrics), registered on :data:`mineralflow.cli.app` when
:mod:`mineralflow.cli` loads. Ibis and pandas are imported inside the commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from . import catalog
from .cli import (
    AnyProductOption,
    DbOption,
    Engine,
    EngineOption,
    OutputOption,
    ProductOption,
    TableFormat,
    _emit,
    _json,
    _write_frame,
    app,
    out,
)
from .ledger import Ledger


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def check(
    product: AnyProductOption = None,
    period: Annotated[
        str | None, typer.Option(help="Keep checks whose period ends in YYYY-MM or a span.")
    ] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.table,
    db: DbOption = None,
) -> None:
    """Check every figure against the others it relates to, within rounding: conflicts
    first, each with the figure most likely wrong, then a summary. Exits 0 even when
    figures conflict (a conflict is a finding, not an error); 2 for a bad request."""
    from .reconcile import Interval, reconcile

    with Ledger.open(db, read_only=True) as ledger:
        rec = reconcile(ledger, product=product, period=period)
        if format is CheckFormat.json:
            _emit(_json(rec.to_dict()), None)
            return
        result = rec.to_dict(checks=False)
    conflicts, summary = result["conflicts"], result["summary"]
    for r in conflicts:
        gap = f" (off by {r['gap']:.4g} {r['unit']})" if r["gap"] is not None else ""
        computed = (
            "nothing (stated with a mislabelled figure)"
            if r["computed_lo"] is None
            else str(Interval(r["computed_lo"], r["computed_hi"]))
        )
        blame = f"most likely wrong: {r['suspect']}; {r['why']}" if r["suspect"] else r["why"]
        for line in (
            f"{r['period']} {r['partner']} {r['kind']}: inconsistent{gap}",
            f"  cells: {'; '.join(r['cells'])}",
            f"  stated {Interval(r['stated_lo'], r['stated_hi'])}, computed {computed}",
            f"  {blame}",
        ):
            out.print(line, markup=False, highlight=False)
    if not conflicts:
        out.print("No conflicts.")
    out.print(
        f"{summary['checks']} checks run: {summary['consistent']} consistent, "
        f"{summary['inconsistent']} inconsistent, {summary['unverifiable']} unverifiable "
        f"({summary['figures']} figures; {summary['revised']} older official vintages set aside)"
    )


@app.command("event-window")
def event_window(
    product: ProductOption = "rare-earth-magnets",
    event: Annotated[str, typer.Option(help="Event id (see `mineralflow events`).")] = ...,  # type: ignore[assignment]
    partner: Annotated[str | None, typer.Option(help="Only this partner (WLD, DEU...).")] = None,
    months: Annotated[int, typer.Option(min=1, help="Months before and after.")] = 12,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """The flow before, between and after a policy event, month by month: change from the
    mean before the event and a robust z-score against the months before it."""
    from .analysis import event_window as window

    with Ledger.open(db, read_only=True) as ledger:
        df = window(
            ledger,
            product=product,
            event_id=event,
            partner=catalog.resolve_partner(partner) if partner else None,
            months=months,
            engine=engine.value,
        )
    _emit_frame(
        df.drop(columns=["event_id", "product"]),
        format,
        output,
        table=["partner", "period", "phase", "value", "change_pct", "z", "unusual"],
    )  # fmt: skip


@app.command()
def surges(
    product: ProductOption = "rare-earth-magnets",
    partner: Annotated[str | None, typer.Option(help="Only this partner (WLD, USA...).")] = None,
    k: Annotated[float, typer.Option(min=0.5, help="Robust deviations for a verdict.")] = 3.5,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """Month-on-month changes with their robust z-scores: surges, collapses, normal months."""
    from .analysis import surges_for

    with Ledger.open(db, read_only=True) as ledger:
        df = surges_for(
            ledger,
            product=product,
            partner=catalog.resolve_partner(partner) if partner else None,
            k=k,
            engine=engine.value,
        )
    _emit_frame(
        df.drop(columns=["product"]),
        format,
        output,
        table=["partner", "period", "value", "base_value", "change_pct", "z", "verdict"],
    )  # fmt: skip


def _emit_frame(df: Any, format: TableFormat, output: Path | None, *, table: list[str]) -> None:
    """A metric's result as CSV, JSON or Parquet (every column), or as a table on screen
    (the ``table`` columns, numbers rounded, months as YYYY-MM)."""
    if format is not TableFormat.table:
        _write_frame(df, format, output, noun="rows")
    else:
        shown = df[table].copy()
        shown["period"] = shown["period"].astype(str).str[:7]
        grid = Table(*table)
        for r in shown.itertuples(index=False):
            grid.add_row(*("" if v is None or v != v else f"{v:,.2f}" if isinstance(v, float)
                           else str(v) for v in r))  # fmt: skip
        out.print(grid)
