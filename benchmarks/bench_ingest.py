"""Benchmark: ingesting a SYNTHETIC UN Comtrade-shaped CSV (47 columns), against DuckDB's own
``CREATE TABLE AS SELECT`` of the same columns and against pandas.

Each measurement runs in its own subprocess; a runner process starts it, waits, and reads the
child's peak memory from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``. Wall time covers
the work and closing the database (its checkpoint), not the Python start-up::

    flock /tmp/mineralflow-heavy.lock .venv/bin/python benchmarks/bench_ingest.py \\
        --rows 20000000 --flat-rows 40000000 --repeat 3

The files are generated into ``benchmarks/data/`` (git-ignored) by generate_comtrade.py and
deleted at the end unless ``--keep``. Results go to stdout as Markdown and to
``benchmarks/data/ingest-results.json``.

- ``duckdb-ctas``: ``CREATE TABLE t AS SELECT <the 13 columns the reader keeps> FROM
  read_csv(...)`` with the very ``read_csv`` call the reader makes (same types, same options):
  the practical limit of reading the file into a table.
- ``mineralflow``: :func:`mineralflow.ingest` into a new ledger file: hashing, mapping,
  validation, flows, figures and release bookkeeping, one transaction.
- ``pandas``: what analysts do today: ``pandas.read_csv`` of the same columns, the same
  normalisation (codes to partners, flows, periods, products, totals only, the same checks)
  and ``to_parquet``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
KEEP = [
    "freqCode",
    "refPeriodId",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "qtyUnitCode",
    "qty",
    "netWgt",
    "primaryValue",
]


def _plan(path: Path, workdir: Path) -> Any:
    from mineralflow.sources import comtrade
    from mineralflow.sources.textfile import open_text

    tf = open_text(path, encodings=("utf-8", "latin-1"), workdir=workdir)
    return comtrade.plan(tf)


def work_ctas(path: Path, db: Path) -> float:
    import duckdb

    from mineralflow.sources.official import _read_csv

    plan = _plan(path, db.parent)
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    columns = ", ".join(f'"{c}"' for c in KEEP)
    con.execute(f"CREATE TABLE t AS SELECT {columns} FROM {_read_csv(plan)}")
    con.close()
    return time.perf_counter() - start


def work_ingest(path: Path, db: Path) -> float:
    from mineralflow import Ledger
    from mineralflow.ingestion import ingest

    ledger = Ledger.open(db)
    start = time.perf_counter()
    report = ingest(ledger, [path])
    ledger.close()
    seconds = time.perf_counter() - start
    assert report.files[0].rows_loaded > 0
    return seconds


def work_pandas(path: Path, out: Path) -> float:
    import pandas as pd

    from mineralflow import catalog

    start = time.perf_counter()
    df = pd.read_csv(
        path,
        usecols=KEEP,
        dtype={
            "freqCode": "string",
            "refPeriodId": "string",
            "flowCode": "string",
            "cmdCode": "string",
            "customsCode": "string",
            "reporterCode": "Int64",
            "partnerCode": "Int64",
            "partner2Code": "Int64",
            "motCode": "Int64",
            "qtyUnitCode": "Int64",
            "qty": "float64",
            "netWgt": "float64",
            "primaryValue": "float64",
        },
    )
    codes = {int(c.m49): c.code for c in catalog.countries().values() if c.kind == "country"}
    for r in catalog.read_table("comtrade_partner_codes.csv", "data/official"):
        codes[int(r["code"])] = r["partner"] or f"comtrade:{r['code']}"
    units = {
        int(r["code"]): float(r["kg_factor"]) if r["kg_factor"] else None
        for r in catalog.read_table("comtrade_quantity_units.csv", "data/official")
    }
    products = {
        (r["classification"], r["code"]): r["product"]
        for r in catalog.read_table("product_codes.csv")
        if r["relation"] == "exact"
    }
    df = df[
        (df["partner2Code"].fillna(0) == 0)
        & (df["motCode"].fillna(0) == 0)
        & (df["customsCode"].fillna("C00") == "C00")
    ]
    out_df = pd.DataFrame(
        {
            "reporter": df["reporterCode"].map(codes),
            "partner": df["partnerCode"].map(codes),
            "classification": "HS" + df["cmdCode"].str.len().astype("string"),
            "product_code": df["cmdCode"],
            "flow": df["flowCode"].map(
                {"X": "export", "M": "import", "RX": "re-export", "RM": "re-import"}
            ),
            "period": pd.to_datetime(df["refPeriodId"], format="%Y%m%d", errors="coerce"),
            "quantity_kg": df["netWgt"].fillna(df["qty"] * df["qtyUnitCode"].map(units)),
            "value": df["primaryValue"],
            "currency": "USD",
        }
    )
    out_df["period_end"] = out_df["period"].where(
        df["freqCode"] == "M", out_df["period"] + pd.DateOffset(months=11)
    )
    catalog_products = pd.DataFrame(
        [(cl, code, p) for (cl, code), p in products.items()],
        columns=["classification", "product_code", "product"],
    ).astype("string")
    out_df = out_df.merge(catalog_products, on=["classification", "product_code"], how="left")
    bad = (
        out_df["reporter"].isna()
        | out_df["partner"].isna()
        | out_df["flow"].isna()
        | out_df["period"].isna()
        | (out_df["quantity_kg"] < 0)
        | (out_df["value"] < 0)
        | ~df["cmdCode"].str.fullmatch(r"[0-9]{2,12}|TOTAL").fillna(False)
        | (df["qtyUnitCode"].notna() & ~df["qtyUnitCode"].isin(list(units)))
    )
    if bad.any():
        raise ValueError(f"bad row at index {bad.idxmax()}")
    out_df.to_parquet(out, index=False)
    return time.perf_counter() - start


WORK = {"duckdb-ctas": work_ctas, "mineralflow": work_ingest, "pandas": work_pandas}


def measure(mode: str, path: Path) -> dict[str, Any]:
    """Run one measurement in a worker subprocess; return seconds and its peak memory."""
    with tempfile.TemporaryDirectory(dir=DATA, prefix="run-") as tmp:
        target = Path(tmp) / ("out.parquet" if mode == "pandas" else "db.duckdb")
        proc = subprocess.run(
            [sys.executable, __file__, "--work", mode, str(path), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{mode} failed:\n{proc.stderr}")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    return {"seconds": float(proc.stdout.strip()), "peak_mb": peak_kb / 1024, "out_bytes": size}


def measure_in_runner(mode: str, path: Path) -> dict[str, Any]:
    """A fresh runner per measurement, so RUSAGE_CHILDREN sees one child only."""
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def generate(rows: int) -> Path:
    path = DATA / f"synthetic-comtrade-{rows}.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, HERE / "generate_comtrade.py", "--rows", str(rows), "--out", path],
            check=True,
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--flat-rows", type=int, default=0, help="second size for flatness")
    parser.add_argument("--pandas-rows", type=int, default=None, help="default: --rows")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--work", nargs=3, metavar=("MODE", "FILE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work:
        mode, file, out = args.work
        print(WORK[mode](Path(file), Path(out)))
        return
    if args.measure:
        mode, file = args.measure
        print(json.dumps(measure(mode, Path(file))))
        return

    DATA.mkdir(exist_ok=True)
    main_file = generate(args.rows)
    runs: dict[str, list[dict[str, Any]]] = {"duckdb-ctas": [], "mineralflow": []}
    for i in range(args.repeat):  # interleaved, so background load hits both alike
        for mode in runs:
            runs[mode].append(measure_in_runner(mode, main_file))
            print(f"run {i + 1} {mode}: {runs[mode][-1]}", file=sys.stderr)
    pandas_rows = args.pandas_rows or args.rows
    pandas_file = generate(pandas_rows)
    pandas = measure_in_runner("pandas", pandas_file)
    print(f"pandas: {pandas}", file=sys.stderr)
    flat = None
    if args.flat_rows:
        flat_file = generate(args.flat_rows)
        flat = measure_in_runner("mineralflow", flat_file)
        print(f"mineralflow at {args.flat_rows:,} rows: {flat}", file=sys.stderr)

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[mode])

    ctas, ours = median("duckdb-ctas", "seconds"), median("mineralflow", "seconds")
    ours_mb = median("mineralflow", "peak_mb")
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "rows": args.rows,
        "file_bytes": main_file.stat().st_size,
        "runs": runs,
        "pandas": {"rows": pandas_rows, **pandas},
        "flat": {"rows": args.flat_rows, **flat} if flat else None,
        "ingest_over_ctas": ours / ctas,
        "pandas_over_ingest": pandas["seconds"] / ours if pandas_rows == args.rows else None,
        "ingest_memory_over_pandas": ours_mb / pandas["peak_mb"],
        "flat_memory_ratio": flat["peak_mb"] / ours_mb if flat else None,
    }
    (DATA / "ingest-results.json").write_text(json.dumps(result, indent=2))
    print(f"| measure | {args.rows:,} rows ({main_file.stat().st_size / 1e9:.1f} GB) |")
    print("|---|---|")
    ctas_mb = median("duckdb-ctas", "peak_mb")
    print(f"| DuckDB CTAS, median of {args.repeat} | {ctas:.1f} s, {ctas_mb:.0f} MB |")
    print(f"| mineralflow ingest, median of {args.repeat} | {ours:.1f} s, {ours_mb:.0f} MB |")
    p_s, p_mb = pandas["seconds"], pandas["peak_mb"]
    print(f"| pandas ({pandas_rows:,} rows) | {p_s:.1f} s, {p_mb:.0f} MB |")
    if flat:
        print(
            f"| mineralflow ingest, {args.flat_rows:,} rows | {flat['seconds']:.1f} s, "
            f"{flat['peak_mb']:.0f} MB |"
        )
    print(f"\ningest / CTAS time: {result['ingest_over_ctas']:.2f} (goal <= 1.25)")
    if result["pandas_over_ingest"]:
        print(f"pandas / ingest time: {result['pandas_over_ingest']:.2f} (goal >= 2.5)")
    print(f"ingest / pandas peak memory: {result['ingest_memory_over_pandas']:.2f} (goal <= 0.33)")
    if flat:
        ratio = result["flat_memory_ratio"]
        print(f"peak memory {args.flat_rows:,} / {args.rows:,} rows: {ratio:.2f} (goal 0.8-1.2)")
    if not args.keep:
        for p in DATA.glob("synthetic-comtrade-*.csv"):
            p.unlink()
        shutil.rmtree(DATA / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
