"""Generate a SYNTHETIC UN Comtrade-shaped CSV (the 47 final-data columns) for benchmarks.

Every row is made up: reporters, partners, codes and numbers come from a hash of the row
number, and the description columns say ``SYNTHETIC``. The file is for timing the readers,
never for analysis. DuckDB's ``COPY`` writes it, so 20 million rows take seconds, not minutes::

    python benchmarks/generate_comtrade.py --rows 20000000 \\
        --out benchmarks/data/synthetic-comtrade-20m.csv

``benchmarks/data/`` is git-ignored; delete the files after a run (they are several GB).
"""

from __future__ import annotations

import argparse
import csv
import time
from importlib import resources
from pathlib import Path

import duckdb

from mineralflow.sources.comtrade import FINAL_COLUMNS

COLUMNS = FINAL_COLUMNS  # the 47 columns of a Comtrade final-data file, as the reader knows them


def _m49_codes() -> list[int]:
    """Numeric codes a Comtrade file uses for countries: the catalog's M49 codes, with
    Comtrade's own numbers where they differ (842 for the USA ...), and 0 for the world."""
    folder = resources.files("mineralflow").joinpath("data/catalog")
    text = folder.joinpath("countries.csv").read_text(encoding="utf-8")
    codes = {int(r["m49"]) for r in csv.DictReader(text.splitlines()) if r["kind"] == "country"}
    official = resources.files("mineralflow").joinpath("data/official")
    extra = official.joinpath("comtrade_partner_codes.csv").read_text(encoding="utf-8")
    codes |= {int(r["code"]) for r in csv.DictReader(extra.splitlines()) if r["partner"]}
    return sorted(codes)


def generate(rows: int, out: Path, *, delimiter: str = ",") -> float:
    """Write ``rows`` synthetic rows to ``out``; returns the seconds it took."""
    out.parent.mkdir(parents=True, exist_ok=True)
    codes = _m49_codes()
    con = duckdb.connect()
    con.execute("CREATE TABLE m49 AS SELECT unnest(?::INTEGER[]) AS code", [codes])
    con.execute("CREATE TABLE m49i AS SELECT row_number() OVER () - 1 AS i, code FROM m49")
    con.execute(
        "CREATE TABLE repi AS SELECT row_number() OVER () - 1 AS i, code FROM m49 WHERE code <> 0"
    )
    n = len(codes)
    # Months 2019-01 .. 2025-12; 5,000 HS6 codes (about as many as HS has), one of them
    # 850511, many with a leading zero (010197) so readers must keep codes as text.
    sql = f"""
    COPY (
      WITH r AS (
        SELECT i,
               hash(i) AS h,
               hash(i * 7 + 3) AS h2,
               (hash(i * 13 + 5) % 84)::INTEGER AS m
        FROM range({rows}) t(i)
      ), p AS (
        SELECT r.*, rep.code AS reporterCode, par.code AS partnerCode,
               2019 + m // 12 AS y, m % 12 + 1 AS mo,
               CASE WHEN h2 % 5000 = 0 THEN '850511'
                    ELSE lpad((10000 + (h2 % 5000) * 197)::VARCHAR, 6, '0') END AS cmd,
               CASE WHEN h % 2 = 0 THEN 'X' ELSE 'M' END AS flow,
               round((h2 % 100000000) / 100.0, 2) AS wgt,
               round((h % 1000000000) / 10.0, 1) AS val
        FROM r
        JOIN repi rep ON rep.i = (r.h % {n - 1})
        JOIN m49i par ON par.i = (r.h2 % {n})
      )
      SELECT 'C' AS typeCode, 'M' AS freqCode,
             strftime(make_date(y, mo, 1), '%Y%m%d') AS refPeriodId, y AS refYear,
             mo AS refMonth, y * 100 + mo AS period,
             reporterCode, 'SYN' AS reporterISO, 'SYNTHETIC' AS reporterDesc,
             flow AS flowCode, CASE flow WHEN 'X' THEN 'Export' ELSE 'Import' END AS flowDesc,
             partnerCode, 'SYN' AS partnerISO, 'SYNTHETIC' AS partnerDesc,
             0 AS partner2Code, 'W00' AS partner2ISO, 'World' AS partner2Desc,
             'H6' AS classificationCode, 'HS' AS classificationSearchCode,
             true AS isOriginalClassification, cmd AS cmdCode,
             'SYNTHETIC benchmark row, not real trade data' AS cmdDesc, 6 AS aggrLevel,
             true AS isLeaf, 'C00' AS customsCode, 'TOTAL CPC' AS customsDesc, 0 AS mosCode,
             0 AS motCode, 'TOTAL MOT' AS motDesc, 8 AS qtyUnitCode, 'kg' AS qtyUnitAbbr,
             wgt AS qty, false AS isQtyEstimated, -1 AS altQtyUnitCode, 'N/A' AS altQtyUnitAbbr,
             0 AS altQty, false AS isAltQtyEstimated,
             CASE WHEN h2 % 50 <> 0 THEN wgt END AS netWgt, false AS isNetWgtEstimated,
             0 AS grossWgt, false AS isGrossWgtEstimated,
             CASE flow WHEN 'M' THEN val END AS cifvalue,
             CASE flow WHEN 'X' THEN val END AS fobvalue, val AS primaryValue,
             0 AS legacyEstimationFlag, true AS isReported, false AS isAggregate
      FROM p
    ) TO '{out}' (HEADER, DELIMITER '{delimiter}')
    """
    start = time.perf_counter()
    con.execute(sql)
    con.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tab", action="store_true", help="tab-separated instead of commas")
    args = parser.parse_args()
    seconds = generate(args.rows, args.out, delimiter="\t" if args.tab else ",")
    size = args.out.stat().st_size / 1e9
    print(f"wrote {args.rows:,} SYNTHETIC rows, {size:.2f} GB, to {args.out} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
