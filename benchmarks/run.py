"""Time the metrics (Ibis on DuckDB) against hand-written DuckDB SQL and pandas, and Ibis
on Spark local for the record, on SYNTHETIC Comtrade-shaped data (benchmarks/generate.py).

Two workloads:

- ``brief``: the brief's metrics for one product and month, every reporter: m/m and y/y
  changes, year-to-date totals and their y/y change, shares of the world total, ranks;
- ``suite``: HHI of every exporter's destinations for every product and month, and the
  policy-event windows (before/after means, robust z-scores, buying ahead) summarised
  per event and series, for every synthetic event.

The brief through Ibis on DuckDB is timed three ways: ``ibis-duckdb-first`` (a first call:
build the expressions, compile them to SQL, run it), ``ibis-duckdb`` (repeated calls: the
library's ``compiled.brief_metrics`` runs the SQL compiled once, with the product and month
as parameters; the goal is about these) and ``ibis-duckdb-uncached`` (Ibis builds, compiles
and runs the expressions on every call). ``--cluster`` loads the levels with the library's
``engines.load_levels`` (a DuckDB table sorted by product and period).

Every implementation's results are checked against the others (row counts and column
sums) before any time is reported. Times are wall-clock seconds, best and median of
``--repeat`` runs, with the data already in memory (loading is timed separately).

    python benchmarks/run.py --data benchmarks/data/synthetic-comtrade-10m.parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))

import baselines
from mineralflow import compiled, engines, metrics

MONTH = dt.date(2025, 6, 1)


def ibis_brief(levels: ibis.Table, partners: ibis.Table, product: str) -> dict[str, pa.Table]:
    """The brief's metrics (metrics.brief_metrics) through the library's compiled path: on
    DuckDB SQL compiled once per table shape and run with the product and month as
    parameters; on Spark through Ibis."""
    return compiled.brief_metrics(levels, partners, product=product, month=MONTH)


def ibis_brief_first(levels: ibis.Table, partners: ibis.Table, product: str) -> dict[str, pa.Table]:
    """A first call: the compiled SQL is dropped, so this builds and compiles it again."""
    compiled.forget_shapes()
    return ibis_brief(levels, partners, product)


def ibis_brief_uncached(
    levels: ibis.Table, partners: ibis.Table, product: str
) -> dict[str, pa.Table]:
    """The same expressions built, compiled and run by Ibis on every call."""
    exprs = metrics.brief_metrics(levels, partners, product=product, month=MONTH)
    return {name: e.to_pyarrow() for name, e in exprs.items()}


def ibis_suite(
    levels: ibis.Table, partners: ibis.Table, events: ibis.Table, links: ibis.Table
) -> dict[str, pa.Table]:
    windows = metrics.event_windows(levels, events, links)
    return {
        "destination_concentration": metrics.destination_concentration(
            levels, partners
        ).to_pyarrow(),
        "event_summary": metrics.event_summary(windows).to_pyarrow(),
    }


def fingerprint(table: pa.Table | pd.DataFrame) -> dict[str, Any]:
    """Rows, and per numeric column the sum and null count; per boolean column the trues."""
    t = table if isinstance(table, pa.Table) else pa.Table.from_pandas(table, preserve_index=False)
    out: dict[str, Any] = {"rows": t.num_rows}
    for name in sorted(t.column_names):
        col = t.column(name)
        if pa.types.is_boolean(col.type):
            out[name] = ("true", int(pc.sum(col.cast(pa.int64())).as_py() or 0), col.null_count)
        elif pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            nan_free = pc.if_else(pc.is_nan(col.cast(pa.float64())), None, col.cast(pa.float64()))
            total = pc.sum(nan_free).as_py() or 0.0
            out[name] = ("sum", float(total), nan_free.null_count)
    return out


def same(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    problems = []
    for key in sorted(set(a) & set(b)):
        x, y = a[key], b[key]
        if key == "rows":
            if x != y:
                problems.append(f"rows {x} != {y}")
            continue
        if x[0] != y[0] or x[2] != y[2]:
            problems.append(f"{key}: {x} != {y}")
        elif not math.isclose(x[1], y[1], rel_tol=1e-9, abs_tol=1e-6):
            problems.append(f"{key}: sum {x[1]} != {y[1]}")
    return problems


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-repeat", type=int, help="default: --repeat")
    parser.add_argument("--spark-repeat", type=int, default=1)
    parser.add_argument(
        "--only", default="ibis,sql,pandas,spark", help="comma-separated implementations"
    )
    parser.add_argument("--workloads", default="brief,suite")
    parser.add_argument("--spark-workloads", help="default: --workloads")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="load DuckDB's copy of the levels with the library's loader "
        "(engines.load_levels: sorted by product and period, so that its zone maps skip "
        "most of the table for one product)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    workloads = args.workloads.split(",")
    folder = args.data.parent
    size = args.data.stem.removeprefix("synthetic-comtrade-")
    paths = {
        "levels": args.data,
        "events": folder / f"synthetic-events-{size}.parquet",
        "event_products": folder / f"synthetic-event-products-{size}.parquet",
        "partners": folder / "partners.parquet",
    }
    meta = pq.read_schema(args.data).metadata or {}
    assert meta.get(b"mineralflow.synthetic") == b"true", "benchmark data must be synthetic"

    results: dict[str, Any] = {
        "data": str(args.data),
        "duckdb_clustered_by_product": args.cluster,
        "machine": f"{platform.machine()}, {platform.system()}, python {platform.python_version()}",
        "month": str(MONTH),
        "loadavg": {"start": os.getloadavg()},
        "times": {},
        "load": {},
    }
    answers: dict[str, dict[str, dict[str, Any]]] = {w: {} for w in workloads}

    def record(impl: str, workload: str, times: list[float], out: dict[str, Any]) -> None:
        results["times"].setdefault(workload, {})[impl] = {
            "best": min(times),
            "median": statistics.median(times),
            "runs": times,
        }
        answers[workload][impl] = {k: fingerprint(v) for k, v in out.items()}
        print(f"{workload:6s} {impl:14s} best {min(times):8.3f} s  median "
              f"{statistics.median(times):8.3f} s", flush=True)  # fmt: skip

    # DuckDB: one in-memory database holds the data for Ibis and for the hand-written SQL.
    backend = engines.duckdb_connect(None)
    con = backend.con
    con.execute("SET threads = 2")
    start = time.perf_counter()
    for name, path in paths.items():
        if name == "levels" and args.cluster:
            engines.load_levels(backend, name, path)
            continue
        # The levels' provenance column (source_id) is not needed: leave it on disk.
        cols = "* EXCLUDE (source_id)" if name == "levels" else "*"
        con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM read_parquet('{path}')")
    results["load"]["duckdb"] = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM levels").fetchone()[0]
    product = con.execute(
        "SELECT product FROM levels WHERE flow = 'export' AND period = ? "
        "GROUP BY product ORDER BY count(*) DESC, product LIMIT 1",
        [MONTH],
    ).fetchone()[0]
    results.update(rows=rows, product=product)
    print(f"{rows:,} rows; brief product {product}, month {MONTH}", flush=True)
    tables = {n: backend.table(n) for n in paths}

    lv, partners = tables["levels"], tables["partners"]
    for w in workloads:
        if "ibis" in only and w == "brief":
            # Every call of a fresh process: build the expressions, compile, run.
            times, out = timed(lambda: ibis_brief_first(lv, partners, product), args.repeat)
            record("ibis-duckdb-first", w, times, out)
            # Repeated calls (the goal): the SQL compiled by the last first call, run again.
            times, out = timed(lambda: ibis_brief(lv, partners, product), args.repeat)
            assert compiled.compilations["metrics.brief"] == args.repeat, "compiled again"
            record("ibis-duckdb", w, times, out)
            times, out = timed(lambda: ibis_brief_uncached(lv, partners, product), args.repeat)
            record("ibis-duckdb-uncached", w, times, out)
        elif "ibis" in only:
            fn = lambda: ibis_suite(  # noqa: E731
                tables["levels"], tables["partners"], tables["events"], tables["event_products"]
            )
            times, out = timed(fn, args.repeat)
            record("ibis-duckdb", w, times, out)
        if "sql" in only:
            fn = (
                (lambda: baselines.sql_brief(con, product, MONTH))
                if w == "brief"
                else (lambda: baselines.sql_suite(con))
            )
            times, out = timed(fn, args.repeat)
            record("duckdb-sql", w, times, out)
    backend.disconnect()

    if "pandas" in only:
        start = time.perf_counter()
        df = pq.read_table(
            paths["levels"],
            columns=["reporter", "partner", "product", "flow", "period", "value"],
            read_dictionary=["reporter", "partner", "product", "flow"],
        ).to_pandas(date_as_object=False)
        frames = {
            n: pq.read_table(p).to_pandas(date_as_object=False)
            for n, p in paths.items()
            if n != "levels"
        }
        results["load"]["pandas"] = time.perf_counter() - start
        for w in workloads:
            fn = (
                (lambda: baselines.pandas_brief(df, frames["partners"], product, MONTH))
                if w == "brief"
                else (
                    lambda: baselines.pandas_suite(
                        df, frames["partners"], frames["events"], frames["event_products"]
                    )
                )
            )
            times, out = timed(fn, args.pandas_repeat or args.repeat)
            record("pandas", w, times, out)
        del df, frames

    if "spark" in only:
        spark = engines.spark_connect(
            conf={"spark.driver.memory": "12g", "spark.sql.shuffle.partitions": "8"}
        )
        session = spark._session
        start = time.perf_counter()
        st = {}
        for name, path in paths.items():
            sdf = session.read.parquet(str(path.resolve()))
            if name == "levels":
                sdf = sdf.drop("source_id")
            sdf = sdf.cache()
            sdf.count()
            sdf.createOrReplaceTempView(f"bench_{name}")
            st[name] = spark.table(f"bench_{name}")
        results["load"]["spark"] = time.perf_counter() - start
        for w in (args.spark_workloads or args.workloads).split(","):
            fn = (
                (lambda: ibis_brief(st["levels"], st["partners"], product))
                if w == "brief"
                else (
                    lambda: ibis_suite(
                        st["levels"], st["partners"], st["events"], st["event_products"]
                    )
                )
            )
            times, out = timed(fn, args.spark_repeat)
            record("ibis-spark", w, times, out)

    failed = False
    for w, by_impl in answers.items():
        impls = sorted(by_impl)
        for impl in impls[1:]:
            for part in by_impl[impls[0]]:
                problems = same(by_impl[impls[0]][part], by_impl[impl][part])
                if problems:
                    failed = True
                    print(f"MISMATCH {w}/{part}: {impls[0]} vs {impl}: {problems[:4]}")
        results.setdefault("checked", {})[w] = {
            impl: {part: fp["rows"] for part, fp in by_impl[impl].items()} for impl in impls
        }
    t = results["times"]
    for w in workloads:
        if "ibis-duckdb" in t.get(w, {}):
            base = t[w]["ibis-duckdb"]["median"]
            ratios = {impl: v["median"] / base for impl, v in t[w].items()}
            results.setdefault("ratio_to_ibis_duckdb", {})[w] = ratios
            print(f"{w}: median time relative to Ibis on DuckDB: "
                  + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))  # fmt: skip
    results["loadavg"]["end"] = os.getloadavg()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    if failed:
        raise SystemExit("implementations disagree: no times are valid")


if __name__ == "__main__":
    main()
