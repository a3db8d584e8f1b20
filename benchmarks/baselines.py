"""The benchmark's workloads written by hand: DuckDB SQL and pandas.

Each function computes exactly what the matching :mod:`mineralflow.metrics` expressions
compute (same columns, same nulls), the way an analyst would write it without Ibis. The
runner checks that all implementations agree before it reports a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

KEYS = ["reporter", "partner", "product", "flow"]
K = 3.5
MIN_BEFORE = 4
WINDOW = 12


# -- DuckDB SQL ---------------------------------------------------------------------------------
def _brief_input(product: str, month: dt.date) -> str:
    start = dt.date(month.year - 1, 1, 1)
    return f"""
        lv AS (
            SELECT reporter, partner, product, flow, period, value,
                   year(period) * 12 + month(period) - 1 AS m
            FROM levels
            WHERE product = '{product}' AND flow = 'export'
              AND period BETWEEN DATE '{start}' AND DATE '{month}'
        )"""


def sql_brief(con: Any, product: str, month: dt.date) -> dict[str, pa.Table]:
    lv = _brief_input(product, month)
    change = """
        WITH {lv}
        SELECT c.reporter, c.partner, c.product, c.flow, c.period, c.value,
               b.period AS base_period, b.value AS base_value,
               CASE WHEN b.value > 0 THEN (c.value / b.value - 1) * 100 END AS change_pct
        FROM lv c LEFT JOIN lv b
          ON b.reporter = c.reporter AND b.partner = c.partner AND b.product = c.product
         AND b.flow = c.flow AND b.m = c.m - {lag}
        WHERE c.period = DATE '{month}'
    """
    queries = {
        "change_mom": change.format(lv=lv, lag=1, month=month),
        "change_yoy": change.format(lv=lv, lag=12, month=month),
        "cumulative_yoy": f"""
            WITH {lv}, ytd AS (
                SELECT reporter, partner, product, flow, year(period) AS y,
                       count(value) AS observed, sum(value) AS total
                FROM lv WHERE month(period) <= {month.month}
                GROUP BY ALL
            ), cur AS (
                SELECT * FROM ytd
                WHERE y = {month.year} AND (reporter, partner, product, flow) IN (
                    SELECT (reporter, partner, product, flow) FROM lv
                    WHERE period = DATE '{month}')
            )
            SELECT c.reporter, c.partner, c.product, c.flow, DATE '{month}' AS period,
                   {month.month} AS months,
                   CASE WHEN c.observed = {month.month} THEN c.total END AS total,
                   CASE WHEN b.observed = {month.month} THEN b.total END AS base_total,
                   CASE WHEN b.observed = {month.month} AND b.total > 0
                         AND c.observed = {month.month}
                        THEN (c.total / b.total - 1) * 100 END AS change_pct
            FROM cur c LEFT JOIN ytd b
              ON b.reporter = c.reporter AND b.partner = c.partner AND b.product = c.product
             AND b.flow = c.flow AND b.y = c.y - 1
        """,
        "shares": f"""
            WITH {lv}
            SELECT p.reporter, p.partner, p.product, p.flow, p.period, p.value,
                   w.value AS total_value,
                   CASE WHEN w.value > 0 THEN 100 * p.value / w.value END AS share_pct
            FROM lv p LEFT JOIN lv w
              ON w.partner = 'WLD' AND w.reporter = p.reporter AND w.product = p.product
             AND w.flow = p.flow AND w.period = p.period
            WHERE p.period = DATE '{month}' AND p.partner <> 'WLD'
        """,
        "ranks": f"""
            WITH {lv}
            SELECT reporter, partner, product, flow, period, value,
                   rank() OVER (PARTITION BY reporter, product, flow ORDER BY value DESC)
                     AS rank,
                   count(value) OVER (PARTITION BY reporter, product, flow) AS ranked
            FROM lv
            WHERE period = DATE '{month}'
              AND partner IN (SELECT code FROM partners WHERE kind = 'country')
        """,
    }
    return {name: con.execute(q).arrow().read_all() for name, q in queries.items()}


def sql_suite(con: Any) -> dict[str, pa.Table]:
    hhi = """
        WITH c AS (
            SELECT reporter, product, flow, period, count(value) AS partners,
                   sum(value) AS covered_value, sum(value * value) AS sq
            FROM levels
            WHERE flow = 'export'
              AND partner IN (SELECT code FROM partners WHERE kind = 'country')
            GROUP BY ALL
        )
        SELECT c.reporter, c.product, c.flow, c.period, c.partners, c.covered_value,
               CASE WHEN c.covered_value > 0
                    THEN 10000 * c.sq / (c.covered_value * c.covered_value) END AS hhi,
               w.value AS total_value,
               CASE WHEN w.value > 0 THEN 100 * c.covered_value / w.value END AS coverage_pct
        FROM c LEFT JOIN levels w
          ON w.partner = 'WLD' AND w.reporter = c.reporter AND w.product = c.product
         AND w.flow = c.flow AND w.period = c.period
    """
    events = f"""
        WITH ev AS (
            SELECT e.event_id, l.product,
                   year(e.date_announced) * 12 + month(e.date_announced) - 1 AS ann,
                   greatest(
                     year(coalesce(e.date_effective, e.date_announced)) * 12
                       + month(coalesce(e.date_effective, e.date_announced)) - 1,
                     year(e.date_announced) * 12 + month(e.date_announced) - 1) AS eff
            FROM events e JOIN event_products l ON l.event_id = e.event_id
            WHERE l.link IN ('code', 'term', 'group')
        ), w AS (
            SELECT ev.event_id, lv.reporter, lv.partner, lv.product, lv.flow, lv.value,
                   CASE WHEN lv.m < ev.ann THEN 'before'
                        WHEN lv.m < ev.eff THEN 'between' ELSE 'after' END AS phase
            FROM (SELECT *, year(period) * 12 + month(period) - 1 AS m FROM levels) lv
            JOIN ev ON lv.product = ev.product
             AND lv.m BETWEEN ev.ann - {WINDOW} AND ev.eff + {WINDOW - 1}
        ), centre AS (
            SELECT event_id, reporter, partner, product, flow, count(value) AS n,
                   avg(value) AS mean, median(value) AS med
            FROM w WHERE phase = 'before' GROUP BY ALL
        ), spread AS (
            SELECT w.event_id, w.reporter, w.partner, w.product, w.flow,
                   median(abs(w.value - c.med)) AS mad, avg(abs(w.value - c.med)) AS meanad
            FROM w JOIN centre c USING (event_id, reporter, partner, product, flow)
            WHERE w.phase = 'before' GROUP BY ALL
        ), stats AS (
            SELECT c.*, CASE WHEN s.mad > 0 THEN s.mad * 1.4826
                             WHEN s.meanad > 0 THEN s.meanad * 1.2533 END AS scale
            FROM centre c JOIN spread s USING (event_id, reporter, partner, product, flow)
        ), z AS (
            SELECT w.*, s.n, s.mean, s.med, s.scale, (w.value - s.med) / s.scale AS z
            FROM w LEFT JOIN stats s USING (event_id, reporter, partner, product, flow)
        ), g AS (
            SELECT event_id, reporter, partner, product, flow,
                   coalesce(max(n), 0) AS before_months, max(mean) AS before_mean,
                   max(med) AS before_median, max(scale) AS before_scale,
                   count(*) FILTER (WHERE phase = 'after') AS after_months,
                   avg(value) FILTER (WHERE phase = 'after') AS after_mean,
                   count(*) FILTER (WHERE phase = 'between') AS between_months,
                   max(z) FILTER (WHERE phase = 'between') AS between_max_z
            FROM z GROUP BY ALL
        )
        SELECT event_id, reporter, partner, product, flow, before_months, before_mean,
               after_months, after_mean,
               CASE WHEN before_mean > 0 THEN 100 * (after_mean / before_mean - 1) END
                 AS change_pct,
               (after_mean - before_median) / before_scale AS after_z,
               CASE WHEN before_months >= {MIN_BEFORE} AND before_scale IS NOT NULL
                         AND after_mean IS NOT NULL
                    THEN abs((after_mean - before_median) / before_scale) >= {K} END
                 AS unusual,
               between_months, between_max_z,
               CASE WHEN before_months >= {MIN_BEFORE} AND before_scale IS NOT NULL
                         AND between_max_z IS NOT NULL
                    THEN between_max_z >= {K} END AS anticipatory_surge
        FROM g
    """
    return {
        "destination_concentration": con.execute(hhi).arrow().read_all(),
        "event_summary": con.execute(events).arrow().read_all(),
    }


# -- pandas -------------------------------------------------------------------------------------
def _m(period: pd.Series) -> pd.Series:
    return period.dt.year * 12 + period.dt.month - 1


def _pct(new: pd.Series, base: pd.Series) -> pd.Series:
    return ((new / base - 1) * 100).where(base > 0)


def pandas_brief(
    df: pd.DataFrame, partners: pd.DataFrame, product: str, month: dt.date
) -> dict[str, pd.DataFrame]:
    m_ts = pd.Timestamp(month)
    start = pd.Timestamp(month.year - 1, 1, 1)
    lv = df[
        (df["product"] == product)
        & (df["flow"] == "export")
        & (df["period"] >= start)
        & (df["period"] <= m_ts)
    ].copy()
    lv["m"] = _m(lv["period"])
    cur = lv[lv["period"] == m_ts]
    out: dict[str, pd.DataFrame] = {}
    for name, lag in (("change_mom", 1), ("change_yoy", 12)):
        base = lv[[*KEYS, "m", "period", "value"]].rename(
            columns={"period": "base_period", "value": "base_value"}
        )
        base["m"] = base["m"] + lag
        j = cur.merge(base, on=[*KEYS, "m"], how="left")
        j["change_pct"] = _pct(j["value"], j["base_value"])
        out[name] = j.drop(columns=["m"])
    upto = lv[lv["period"].dt.month <= month.month]
    ytd = (
        upto.groupby([*KEYS, upto["period"].dt.year.rename("y")], observed=True)["value"]
        .agg(observed="count", total="sum")
        .reset_index()
    )
    c = ytd[ytd["y"] == month.year].merge(cur[KEYS], on=KEYS)
    b = ytd[ytd["y"] == month.year - 1].rename(
        columns={"observed": "b_observed", "total": "b_total"}
    )
    j = c.merge(b.drop(columns=["y"]), on=KEYS, how="left")
    j["total"] = j["total"].where(j["observed"] == month.month)
    j["base_total"] = j["b_total"].where(j["b_observed"] == month.month)
    j["change_pct"] = _pct(j["total"], j["base_total"])
    out["cumulative_yoy"] = j[[*KEYS, "total", "base_total", "change_pct"]]
    world = cur[cur["partner"] == "WLD"][["reporter", "product", "flow", "value"]]
    parts = cur[cur["partner"] != "WLD"]
    j = parts.merge(
        world.rename(columns={"value": "total_value"}),
        on=["reporter", "product", "flow"],
        how="left",
    )
    j["share_pct"] = (100 * j["value"] / j["total_value"]).where(j["total_value"] > 0)
    out["shares"] = j.drop(columns=["m"])
    countries = set(partners.loc[partners["kind"] == "country", "code"])
    r = cur[cur["partner"].isin(countries)].copy()
    g = r.groupby(["reporter", "product", "flow"], observed=True)["value"]
    r["rank"] = g.rank(method="min", ascending=False).astype("int64")
    r["ranked"] = g.transform("count")
    out["ranks"] = r.drop(columns=["m"])
    return out


def pandas_suite(
    df: pd.DataFrame,
    partners: pd.DataFrame,
    events: pd.DataFrame,
    event_products: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    countries = set(partners.loc[partners["kind"] == "country", "code"])
    grp = ["reporter", "product", "flow", "period"]
    x = df[(df["flow"] == "export") & df["partner"].isin(countries)]
    h = (
        x.assign(sq=x["value"] * x["value"])
        .groupby(grp, observed=True)
        .agg(partners=("value", "count"), covered_value=("value", "sum"), sq=("sq", "sum"))
        .reset_index()
    )
    h["hhi"] = (10_000 * h["sq"] / (h["covered_value"] ** 2)).where(h["covered_value"] > 0)
    world = df[(df["partner"] == "WLD") & (df["flow"] == "export")][[*grp, "value"]]
    h = h.merge(world.rename(columns={"value": "total_value"}), on=grp, how="left")
    h["coverage_pct"] = (100 * h["covered_value"] / h["total_value"]).where(h["total_value"] > 0)
    out["destination_concentration"] = h.drop(columns=["sq"])

    ev = events.merge(event_products[event_products["link"].isin(["code", "term", "group"])])
    ev["ann"] = _m(ev["date_announced"])
    ev["eff"] = np.maximum(_m(ev["date_effective"].fillna(ev["date_announced"])), ev["ann"])
    linked = df[df["product"].isin(set(ev["product"]))]
    lv = linked.assign(m=_m(linked["period"]), product=linked["product"].astype(str))
    w = lv.merge(ev[["event_id", "product", "ann", "eff"]], on="product")
    w = w[(w["m"] >= w["ann"] - WINDOW) & (w["m"] <= w["eff"] + WINDOW - 1)]
    w["phase"] = np.where(
        w["m"] < w["ann"], "before", np.where(w["m"] < w["eff"], "between", "after")
    )
    key = ["event_id", *KEYS]
    before = w[w["phase"] == "before"]
    centre = (
        before.groupby(key, observed=True)["value"]
        .agg(n="count", mean="mean", med="median")
        .reset_index()
    )
    d = before.merge(centre, on=key)
    d["ad"] = (d["value"] - d["med"]).abs()
    spread = d.groupby(key, observed=True)["ad"].agg(mad="median", meanad="mean").reset_index()
    stats = centre.merge(spread, on=key)
    stats["scale"] = np.where(
        stats["mad"] > 0,
        stats["mad"] * 1.4826,
        np.where(stats["meanad"] > 0, stats["meanad"] * 1.2533, np.nan),
    )
    z = w.merge(stats[[*key, "n", "mean", "med", "scale"]], on=key, how="left")
    z["z"] = (z["value"] - z["med"]) / z["scale"]
    z["after_value"] = z["value"].where(z["phase"] == "after")
    z["between_z"] = z["z"].where(z["phase"] == "between")
    g = (
        z.groupby(key, observed=True)
        .agg(
            before_months=("n", "max"),
            before_mean=("mean", "max"),
            before_median=("med", "max"),
            before_scale=("scale", "max"),
            after_months=("after_value", "count"),
            after_mean=("after_value", "mean"),
            between_months=("phase", lambda p: int((p == "between").sum())),
            between_max_z=("between_z", "max"),
        )
        .reset_index()
    )
    g["before_months"] = g["before_months"].fillna(0).astype("int64")
    g["change_pct"] = (100 * (g["after_mean"] / g["before_mean"] - 1)).where(g["before_mean"] > 0)
    g["after_z"] = (g["after_mean"] - g["before_median"]) / g["before_scale"]
    judged = (g["before_months"] >= MIN_BEFORE) & g["before_scale"].notna()
    g["unusual"] = (g["after_z"].abs() >= K).where(judged & g["after_mean"].notna())
    g["anticipatory_surge"] = (g["between_max_z"] >= K).where(judged & g["between_max_z"].notna())
    out["event_summary"] = g.drop(columns=["before_median", "before_scale"])
    return out
