"""Generate SYNTHETIC Comtrade-shaped monthly trade data for the metric benchmark.

Nothing here is real trade: values are drawn from skewed distributions so that the
data has the shape of UN Comtrade's monthly HS6 bulk files (reporters x partners x HS6
products x months, a world total per reporter, product, flow and month; a few large
flows and a long tail of small, sporadic ones), and every file says it is synthetic
(name, Parquet metadata, and a ``source_id`` column). Never load it into a ledger.

Shape of the draw (all from a fixed seed, reproducible whatever the thread count):

- reporters and partners: the catalog's 249 countries, picked with Zipf-like weights
  (P(rank k) ~ 1/k); products: 5,000 synthetic HS6 codes, also Zipf-like;
- a series (reporter, partner, product, flow) has a lognormal size that falls with the
  reporter's, partner's and product's ranks; each month it is reported with a
  probability from 55% to 95% (gaps), with lognormal month-to-month noise;
- partner ``WLD`` rows are the sum of the partners, as Comtrade publishes them;
- synthetic policy events on random dates, each linked to 1-20 products.

Usage (about 30 s and 1.5 GB of memory per 10 million rows on 2 cores)::

    python benchmarks/generate.py --rows 10_000_000 --out benchmarks/data
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from mineralflow import catalog

MONTHS = 36  # 2023-01 to 2025-12
PRODUCTS = 5_000
EVENTS = 40
ROWS_PER_COMBO = 200  # a first guess: ~8 partners and the world, 36 months, 75% reported
SYNTHETIC = "synthetic:benchmarks/generate.py"


def uniform(salt: int, *keys: str) -> str:
    """A uniform [0, 1) draw from a hash of ``keys``: the same on any thread count."""
    # One hash of one string: hash(a, b) combines per-column hashes in a way that leaves
    # draws with different salts correlated.
    key = f"concat_ws(':', {', '.join(keys)}, {salt})"
    return f"((hash({key}) % 9007199254740992)::DOUBLE / 9007199254740992)"


def normal(salt: int, *keys: str) -> str:
    """A standard normal draw (Box-Muller) from two hashed uniforms."""
    u1 = uniform(salt, *keys)
    u2 = uniform(salt + 1, *keys)
    return f"(sqrt(-2 * ln(greatest({u1}, 1e-12))) * cos(2 * pi() * {u2}))"


def zipf(n: int, salt: int, *keys: str) -> str:
    """An index 1..n with P(k) about 1/k: floor(n^u), u uniform."""
    return f"least(floor(pow({n}, {uniform(salt, *keys)}))::INTEGER, {n})"


def _draw(con: duckdb.DuckDBPyConnection, n: int, combos: int, s: int) -> int:
    """Draw ``combos`` reporter-product-flow combinations into table ``levels``; return
    its row count."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE combos AS
        WITH draw AS (
            SELECT {zipf(n, s + 1, "i")} AS r, {zipf(PRODUCTS, s + 3, "i")} AS h,
                   CASE WHEN {uniform(s + 4, "i")} < 0.5 THEN 'export' ELSE 'import' END AS flow
            FROM range({combos}) t(i)
        )
        SELECT DISTINCT r, h, flow FROM draw
        """
    )
    # Each reporter, product and flow trades with a few partners (lognormal count, median
    # 6, a long tail up to 150), drawn Zipf-like: most flows go to the big partners.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE series AS
        WITH c AS (
            SELECT r, h, flow, row_number() OVER (ORDER BY r, h, flow) AS cid FROM combos
        ), k AS (
            SELECT *, least(150, 1 + floor(exp(1.8 + 1.0 * {normal(s + 2, "cid")})))::INTEGER
                      AS partners
            FROM c
        )
        SELECT DISTINCT r, {zipf(n, s + 6, "cid", "j")} AS p, h, flow
        FROM k, range(partners) t(j)
        """
    )
    con.execute(
        """
        DELETE FROM series WHERE r = p
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE series2 AS
        SELECT *, row_number() OVER (ORDER BY r, p, h, flow) AS sid FROM series
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE flows AS
        WITH s AS (
            SELECT sid, r, p, h, flow,
                   ln(20000) - 0.9 * ln(r) - 0.9 * ln(p) - 0.5 * ln(h)
                     + 1.5 * {normal(s + 5, "sid")} AS mu,
                   0.55 + 0.40 * {uniform(s + 7, "sid")} AS present
            FROM series2
        ), m AS (SELECT range AS mi FROM range({MONTHS}))
        SELECT rc.code AS reporter, pc.code AS partner,
               lpad((1 + (h * 7919) % 97)::VARCHAR, 2, '0')
                 || lpad(((h * 104729) % 9999)::VARCHAR, 4, '0') AS product,
               flow,
               (DATE '2023-01-01' + to_months(mi::INTEGER))::DATE AS period,
               round(exp(mu + 0.35 * {normal(s + 8, "sid", "mi")}
                         + 0.1 * sin(2 * pi() * mi / 12)), 3) AS value
        FROM s CROSS JOIN m
        JOIN countries rc ON rc.k = s.r
        JOIN countries pc ON pc.k = s.p
        WHERE {uniform(s + 10, "sid", "mi")} < present
        """
    )
    # Two series could map to one product code (the code is a hash of the rank): merge.
    con.execute(
        """
        CREATE OR REPLACE TABLE levels AS
        WITH partners AS (
            SELECT reporter, partner, product, flow, period, sum(value) AS value
            FROM flows GROUP BY ALL
        )
        SELECT * FROM partners
        UNION ALL
        SELECT reporter, 'WLD', product, flow, period, sum(value) FROM partners GROUP BY ALL
        """
    )
    count: int = con.execute("SELECT count(*) FROM levels").fetchone()[0]
    return count


def generate(rows: int, out: Path, *, seed: int = 6, threads: int = 2) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    countries = sorted(c.code for c in catalog.countries().values() if c.kind == "country")
    kinds = [(c.code, c.kind) for c in catalog.countries().values()]
    con.register(
        "countries_src",
        pa.table({"code": countries, "k": list(range(1, len(countries) + 1))}),
    )
    # Ranks are shuffled by hash so that big reporters are not simply the first letters.
    con.execute(
        f"""CREATE TABLE countries AS SELECT code,
               row_number() OVER (ORDER BY {uniform(seed, "code")}) AS k FROM countries_src"""
    )
    n = len(countries)
    combos = int(rows / ROWS_PER_COMBO)
    s = seed * 100
    for _ in range(4):  # rows per draw depend on the size (repeated draws merge)
        got = _draw(con, n, combos, s)
        if abs(got / rows - 1) <= 0.02:
            break
        combos = int(combos * rows / got)
    meta = {
        b"mineralflow.synthetic": b"true",
        b"generator": b"benchmarks/generate.py",
        b"seed": str(seed).encode(),
        b"note": b"SYNTHETIC benchmark data shaped like UN Comtrade monthly HS6; not real trade",
    }
    table = con.execute(
        f"""SELECT reporter, partner, product, flow, period, value,
                   '{SYNTHETIC}' AS source_id
            FROM levels ORDER BY period, reporter, product, partner, flow"""
    ).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table
    size = f"{rows / 1e6:g}m"
    path = out / f"synthetic-comtrade-{size}.parquet"
    pq.write_table(
        table.replace_schema_metadata({**(table.schema.metadata or {}), **meta}),
        path,
        row_group_size=1_000_000,
        compression="zstd",
    )
    # Events on random days of 2024-01..2025-06, a third with a later effective date,
    # linked to 1-20 products drawn like the trade (big products more often).
    events = con.execute(
        f"""
        SELECT 'synthetic-event-' || lpad(i::VARCHAR, 3, '0') AS event_id,
               (DATE '2024-01-01' + ({uniform(s + 11, "i")} * 545)::INTEGER) AS date_announced,
               CASE WHEN {uniform(s + 12, "i")} < 0.33
                    THEN (DATE '2024-01-01' + ({uniform(s + 11, "i")} * 545)::INTEGER
                          + (30 + {uniform(s + 13, "i")} * 60)::INTEGER)
               END AS date_effective,
               1 + ({uniform(s + 14, "i")} * 20)::INTEGER AS products
        FROM range({EVENTS}) t(i)
        """
    ).arrow()
    events = events.read_all() if hasattr(events, "read_all") else events
    con.register("ev", events)
    links = con.execute(
        f"""
        SELECT DISTINCT event_id,
               lpad((1 + (h * 7919) % 97)::VARCHAR, 2, '0')
                 || lpad(((h * 104729) % 9999)::VARCHAR, 4, '0') AS product,
               'code' AS link
        FROM (SELECT event_id, {zipf(PRODUCTS, s + 15, "event_id", "j")} AS h
              FROM ev, range(products) t(j))
        """
    ).arrow()
    links = links.read_all() if hasattr(links, "read_all") else links
    pq.write_table(
        events.drop(["products"]).replace_schema_metadata(meta),
        out / f"synthetic-events-{size}.parquet",
    )
    pq.write_table(
        links.replace_schema_metadata(meta), out / f"synthetic-event-products-{size}.parquet"
    )
    pq.write_table(
        pa.table({"code": [c for c, _ in kinds], "kind": [k for _, k in kinds]}),
        out / "partners.parquet",
    )
    con.close()
    return {"rows": table.num_rows, "events": events.num_rows, "links": links.num_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data"))
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    counts = generate(args.rows, args.out, seed=args.seed, threads=args.threads)
    print(f"{counts} in {time.perf_counter() - start:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
