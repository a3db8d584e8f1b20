"""The brief's numbers as plain DuckDB SQL in one process: the practical limit for a brief.

The baseline of ``benchmarks/latency.py``. It reads the same ledger file read-only and
computes what the brief shows for one product and month: every figure of the month and the
year before with its source, one figure per cell (official first, then the strongest
source, then the most precise) with every agreeing source, each country's share of the world
total, the stated changes against the levels they relate, the ranking of countries by level,
the month-on-month changes of the levels, the year-to-date totals and the policy events of
the six months to the month. It prints them as plain lines. It does not reconcile (no
intervals by qualifier, no blame, no derived cells) and writes no sentences: it is the cost of
asking DuckDB for those numbers, nothing else.

    python benchmarks/brief_sql.py --db mineralflow.duckdb --period 2025-06

Only ``duckdb`` is imported, so the time of the whole process is Python's start, DuckDB's
import, opening the file and the queries.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

WINDOW = """
CREATE TEMP TABLE w AS
SELECT f.*, s.outlet, s.title, s.url, s.published, s.note AS source_note, s.authority,
       s.kind AS source_kind, coalesce(a.rank, 99) AS authority_rank,
       (s.kind = 'official_release' AND s.authority = 'official') AS official
FROM figures f JOIN sources s USING (source_id)
LEFT JOIN catalog_authorities a ON a.authority = s.authority
WHERE f.product = $product AND f.reporter = $reporter AND f.flow = 'export'
  AND f.period_end BETWEEN $month - INTERVAL 12 MONTH AND $month
"""

BEST = """
CREATE TEMP TABLE best AS
SELECT * FROM (
  SELECT *, row_number() OVER (
      PARTITION BY partner, measure, period_start, period_end
      ORDER BY official DESC, authority_rank, resolution, qualifier <> 'exact', source_id) AS pick,
    list(source_id ORDER BY source_id) FILTER (WHERE TRUE) OVER (
      PARTITION BY partner, measure, period_start, period_end, value) AS agreeing
  FROM w) WHERE pick = 1
"""

QUERIES = {
    "cells": """
        SELECT partner, measure, strftime(period_start, '%Y-%m'), strftime(period_end, '%Y-%m'),
               value, stated, unit, agreeing
        FROM best WHERE period_end = $month ORDER BY partner, measure, period_start""",
    "shares": """
        SELECT b.partner, round(100 * b.value / wld.value, 1) AS share
        FROM best b JOIN best wld ON wld.partner = 'WLD' AND wld.measure = 'level'
          AND wld.period_start = $month AND wld.period_end = $month
        WHERE b.measure = 'level' AND b.period_start = $month AND b.period_end = $month
          AND b.partner <> 'WLD' ORDER BY b.partner""",
    "stated_changes": """
        SELECT c.partner, c.measure, c.value AS stated,
               round(100 * (l.value / p.value - 1), 1) AS from_levels
        FROM best c
        JOIN best l ON l.partner = c.partner AND l.measure = 'level'
          AND l.period_start = l.period_end AND l.period_end = c.period_end
        JOIN best p ON p.partner = c.partner AND p.measure = 'level'
          AND p.period_start = p.period_end
          AND p.period_end = c.period_end - CASE c.measure WHEN 'change_mom' THEN INTERVAL 1 MONTH
                                                          ELSE INTERVAL 12 MONTH END
        WHERE c.measure IN ('change_mom', 'change_yoy') AND c.period_end = $month
        ORDER BY c.partner, c.measure""",
    "ranked": """
        SELECT b.partner, rank() OVER (ORDER BY b.value DESC) AS rank, b.value
        FROM best b JOIN catalog_partners p ON p.code = b.partner AND p.kind = 'country'
        WHERE b.measure = 'level' AND b.period_start = $month AND b.period_end = $month
        ORDER BY rank, partner""",
    "movements": """
        SELECT partner, period_end, value,
               100 * (value / lag(value) OVER (PARTITION BY partner ORDER BY period_end) - 1)
        FROM best WHERE measure = 'level' AND period_start = period_end
        QUALIFY period_end = $month ORDER BY partner""",
    "year_to_date": """
        SELECT partner, measure, strftime(period_start, '%Y-%m'), value, stated
        FROM best WHERE measure LIKE 'cumulative%' AND period_end = $month
          AND period_start < $month ORDER BY partner, period_start, measure""",
    "events": """
        SELECT e.event_id, e.date_announced, e.instrument, e.source_url
        FROM events e JOIN event_products l USING (event_id)
        WHERE l.product = $product AND l.link <> 'all_goods'
          AND (e.date_announced BETWEEN $month - INTERVAL 5 MONTH
               AND $month + INTERVAL 1 MONTH - INTERVAL 1 DAY
            OR e.date_effective BETWEEN $month - INTERVAL 5 MONTH
               AND $month + INTERVAL 1 MONTH - INTERVAL 1 DAY)
        ORDER BY e.date_announced, e.event_id""",
    "sources": """
        SELECT DISTINCT source_id, outlet, title, url, published FROM w
        WHERE period_end = $month ORDER BY source_id""",
}


def _literal(value: str) -> str:
    # Values go into the SQL as literals: DuckDB's Python client imports pandas the first
    # time a statement takes parameters, which would cost this baseline half a second.
    return "'" + value.replace("'", "''") + "'"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--product", default="rare-earth-magnets")
    parser.add_argument("--period", default="2025-06")
    parser.add_argument("--reporter", default="CHN")
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    values = {
        "$product": _literal(args.product),
        "$reporter": _literal(args.reporter),
        "$month": f"DATE {_literal(args.period + '-01')}",
    }

    def sql(text: str) -> str:
        for name, value in values.items():
            text = text.replace(name, value)
        return text

    con.execute(sql(WINDOW))
    con.execute(BEST)
    out = []
    for name, text in QUERIES.items():
        out.append(f"## {name}")
        out += ["\t".join(map(str, row)) for row in con.execute(sql(text)).fetchall()]
    sys.stdout.write("\n".join(out) + "\n")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
