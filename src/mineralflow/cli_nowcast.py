"""The ``nowcast`` command: next month's level with an 80% interval, and with ``--backtest``
its record against the naive forecasts (registered on :data:`mineralflow.cli.app`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from . import catalog
from .cli import DbOption, OutputOption, ProductOption, _emit, _json, app, out
from .ledger import Ledger


class NowcastFormat(StrEnum):
    table = "table"
    json = "json"


def _t(x: float | None) -> str:
    return "" if x is None else f"{x:,.0f}"


def _p(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}%"


@app.command()
def nowcast(
    product: ProductOption = "rare-earth-magnets",
    partner: Annotated[str, typer.Option(help="The partner: WLD, USA, DEU ...")] = "WLD",
    upto: Annotated[
        str | None,
        typer.Option(help="Use the months up to YYYY-MM and estimate the next (default: all)."),
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest",
            help="Forecast every stated month from the months before it, beside the last "
            "month's and the same month last year's level: interval coverage and MAPE.",
        ),
    ] = False,
    events: Annotated[
        bool,
        typer.Option(
            "--events/--no-events",
            help="Add the policy-event regressor where it can be estimated (off by default: "
            "it makes the bundled backtest worse; see docs/metrics.md).",
        ),
    ] = False,
    format: Annotated[NowcastFormat, typer.Option("--format", "-f")] = NowcastFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """Next month's level of one series, estimated by a model (SARIMAX on log tonnes) with
    an 80% interval: an estimate, never a stated figure. Where the series is too short for a
    model it says so."""
    from . import nowcast as nc

    code = catalog.resolve_partner(partner)
    with Ledger.open(db, read_only=True) as ledger:
        if backtest:
            bt = nc.backtest(ledger, product=product, partner=code, events=events)
            if format is NowcastFormat.json:
                _emit(_json(bt.to_dict()), output)
                return
            table = Table("month", "stated", "forecast", "80% interval", "covered", "last month",
                          "last year")  # fmt: skip
            for r in bt.rows:
                interval = f"{_t(r.lo)} to {_t(r.hi)}" if r.lo is not None else ""
                covered = {None: "", True: "yes", False: "no"}[r.covered]
                table.add_row(r.period, _t(r.actual), _t(r.forecast), interval, covered,
                              _t(r.last_month), _t(r.last_year))  # fmt: skip
            out.print(table)
            lines = [
                f"{len(bt.forecast_rows)} of {len(bt.rows)} stated months forecast "
                f"(a model needs {nc.MIN_OBSERVED} stated months before): "
                f"coverage of the 80% interval {_p(bt.coverage())}, MAPE {_p(bt.mape())}.",
            ]
            naive_words = (("last_month", "last month"), ("last_year", "same month last year"))
            for naive, words in naive_words:
                n, model, other = bt.against(naive)
                lines.append(
                    f"On the {n} months with a {words} level: model MAPE {_p(model)}, "
                    f"{words} {_p(other)}."
                    if n
                    else f"No forecast month has a {words} level to compare with."
                )
            out.print("\n".join(lines), markup=False, highlight=False)
            return
        estimate = nc.nowcast(ledger, product=product, partner=code, upto=upto, events=events)
    if format is NowcastFormat.json:
        _emit(_json(estimate.to_dict()), output)
        return
    out.print(nc.describe(estimate), markup=False, highlight=False)
