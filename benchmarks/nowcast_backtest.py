"""The nowcast's backtest on the bundled data: every stated month forecast from the months
before it, against the naive last-month and same-month-last-year forecasts.

    python benchmarks/nowcast_backtest.py [--db PATH] [--product rare-earth-magnets] [--rows]

Without ``--db`` the bundled data set is loaded into a ledger in memory. Prints Markdown: one
line per series with enough stated months (with and without the event regressor), the pooled
total, and with ``--rows`` every forecast month of the default model; the numbers in
docs/BENCHMARKS.md come from this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mineralflow
from mineralflow.analysis import reconciled_levels
from mineralflow.ledger import Ledger
from mineralflow.nowcast import MIN_OBSERVED, Backtest, BacktestRow, backtest_series, series_for


def pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}%"


def scores(name: str, rows: list[BacktestRow]) -> str:
    bt = Backtest("", "", rows)
    n = len(bt.forecast_rows)
    covered = sum(bool(r.covered) for r in bt.forecast_rows)
    cells = [name, str(n), f"{covered} ({pct(bt.coverage())})", pct(bt.mape())]
    for naive in ("last_month", "last_year"):
        k, model, other = bt.against(naive)
        cells.append(f"{k}: {pct(model)} vs {pct(other)}" if k else "0: no month")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a ledger file (default: the bundled data)")
    parser.add_argument("--product", default="rare-earth-magnets")
    parser.add_argument("--rows", action="store_true", help="every forecast month too")
    args = parser.parse_args()
    ledger = Ledger.open(args.db, read_only=True) if args.db else Ledger.memory()
    if args.db is None:
        ledger.load_bundled()
    with mineralflow.check(ledger, product=args.product) as rec:
        levels = reconciled_levels(rec, reporter="CHN", flow="export")
        partners = sorted({r["partner"] for r in levels.to_pylist()})
        every = [
            series_for(ledger, product=args.product, partner=p, reconciliation=rec)
            for p in partners
        ]
    long_enough = [s for s in every if len(s.points) > MIN_OBSERVED]
    print(
        "| series | months forecast | inside the 80% interval | MAPE | "
        "against last month (months: model vs naive MAPE) | against same month last year |"
    )
    print("|---|---|---|---|---|---|")
    pooled: dict[bool, list[BacktestRow]] = {False: [], True: []}
    for events in (False, True):
        label = "with the event regressor" if events else "default (no event regressor)"
        for s in long_enough:
            bt = backtest_series(s, events=events)
            pooled[events] += bt.rows
            print(scores(f"{s.partner}, {label}", bt.rows))
        print(scores(f"**all, {label}**", pooled[events]))
    if args.rows:
        print()
        print(
            "| series | month | stated | forecast | 80% interval | inside | last month "
            "| last year |"
        )
        print("|---|---|---:|---:|---|---|---:|---:|")
        for s in long_enough:
            for r in backtest_series(s).forecast_rows:

                def t(x: float | None) -> str:
                    return "" if x is None else f"{x:,.0f}"

                print(
                    f"| {s.partner} | {r.period} | {t(r.actual)} | {t(r.forecast)} | "
                    f"{t(r.lo)} to {t(r.hi)} | {'yes' if r.covered else 'no'} | "
                    f"{t(r.last_month)} | {t(r.last_year)} |"
                )
    ledger.close()


if __name__ == "__main__":
    main()
