"""Eurostat Comext SDMX-CSV (dataset DS-045409 and its kin), the importer-side mirror.

One observation a row: ``DATAFLOW, LAST UPDATE, freq, reporter, partner, product, flow,
indicators, TIME_PERIOD, OBS_VALUE`` (and optionally ``OBS_FLAG``, ``OBS_STATUS``,
``CONF_STATUS``). ``indicators`` says what ``OBS_VALUE`` is: ``VALUE_IN_EUROS`` (euro) or
``QUANTITY_IN_100KG`` (hundreds of kg); the reader pivots the indicators of a cell into one
flow with value and kg (``data/official/comext_indicators.csv``). ``flow`` 1 is imports,
2 exports. Reporters and partners are ISO alpha-2 codes with Eurostat's exceptions (EL, UK,
EU27_2020, WORLD: ``data/official/comext_partner_codes.csv``); a ``CODE:Label`` cell (SDMX-CSV
with labels) is read by its code. The release's publication date defaults to the latest
``LAST UPDATE`` in the file.

EU CN8 codes are classified ``CN8-EU``: the EU's 85051110 is not China's 85051110, so Comext
rows feed the mirror view (``mineralflow.mirror``), not figures of China's series.
"""

from __future__ import annotations

from typing import Any

import pycountry

from .. import catalog
from ..errors import InputError
from .official import FLOW_CODES, Plan, RowCheck, partner_keys, quoted
from .textfile import TextFile

__all__ = ["OPTIONAL", "REQUIRED", "matches", "plan"]

REQUIRED = (
    "DATAFLOW",
    "LAST UPDATE",
    "freq",
    "reporter",
    "partner",
    "product",
    "flow",
    "indicators",
    "TIME_PERIOD",
    "OBS_VALUE",
)
OPTIONAL = ("OBS_FLAG", "OBS_STATUS", "CONF_STATUS")

CODE_FIX = (
    "use Eurostat's codes (ISO alpha-2 such as DE or CN, EL for Greece, EU27_2020, WORLD); "
    "the exceptions are in src/mineralflow/data/official/comext_partner_codes.csv"
)


def matches(header: list[str]) -> bool:
    return len(set(header) & set(REQUIRED)) >= 6


def _columns(tf: TextFile) -> dict[str, str]:
    header = tf.header
    tf.check_header(
        header,
        delimiters="SDMX-CSV is comma-separated",
        fix="download the file again as SDMX-CSV (format=SDMX-CSV)",
        first_column=REQUIRED[0],
    )
    seen = set(header)
    for name in header:
        if name not in REQUIRED and name not in OPTIONAL:
            raise InputError(
                f"column {name!r} is not an SDMX-CSV column of Comext",
                column=name,
                fix="expected columns: "
                + ", ".join(REQUIRED)
                + " (optional: "
                + ", ".join(OPTIONAL)
                + ")",
                path=tf.path,
                row=1,
            )
    for name in REQUIRED:
        if name not in seen:
            raise InputError(
                f"missing column {name!r}",
                column=name,
                fix="download the file again as SDMX-CSV with every dimension",
                path=tf.path,
                row=1,
            )
    return {name: "DOUBLE" if name == "OBS_VALUE" else "VARCHAR" for name in header}


def _codes() -> list[dict[str, Any]]:
    known = catalog.countries()
    rows: dict[str, str] = {}
    for c in pycountry.countries:
        if c.alpha_3 in known:
            rows[c.alpha_2] = c.alpha_3
    for r in catalog.read_table("comext_partner_codes.csv", "data/official"):
        rows[r["code"]] = r["partner"] or f"comext:{r['code']}"
    keys = partner_keys()
    return [{"code": k, "partner": keys[v]} for k, v in sorted(rows.items())]


def _indicators() -> list[dict[str, Any]]:
    return [
        {
            "indicator": r["indicator"],
            "measure": r["measure"],
            "factor": float(r["factor"]) if r["factor"] else None,
        }
        for r in catalog.read_table("comext_indicators.csv", "data/official")
    ]


def _code(name: str) -> str:
    return f"upper(trim(split_part(c.{quoted(name)}, ':', 1)))"


def plan(tf: TextFile, **_: Any) -> Plan:
    """The plan for a Comext SDMX-CSV file."""
    columns = _columns(tf)
    freq, period_text = _code("freq"), f"trim(c.{quoted('TIME_PERIOD')})"
    period = (
        f"CASE WHEN {freq} = 'M' AND regexp_full_match({period_text}, '[0-9]{{4}}-[0-9]{{2}}') "
        f"THEN CAST(try_strptime({period_text}, '%Y-%m') AS DATE) "
        f"WHEN {freq} = 'A' AND regexp_full_match({period_text}, '[0-9]{{4}}') "
        f"THEN CAST(try_strptime({period_text}, '%Y') AS DATE) END"
    )
    period_end = (
        f"CASE WHEN {freq} = 'A' THEN CAST(({period}) + INTERVAL 11 MONTH AS DATE) "
        f"ELSE {period} END"
    )
    product = _code("product")
    classification = (
        f"CASE WHEN {product} = 'TOTAL' THEN 'TOTAL' WHEN length({product}) = 8 THEN 'CN8-EU' "
        f"ELSE 'HS' || length({product}) END"
    )
    joins = (
        f"LEFT JOIN _map_comext_code rep ON rep.code = {_code('reporter')} "
        f"LEFT JOIN _map_comext_code par ON par.code = {_code('partner')} "
        f"LEFT JOIN _map_comext_indicator ind ON ind.indicator = {_code('indicators')}"
    )
    obs = 'round(c."OBS_VALUE" * ind.factor, 6)'
    row_select = {
        "reporter": "rep.partner",
        "partner": "par.partner",
        "classification": classification,
        "product_code": product,
        "flow": f"CASE {_code('flow')} WHEN '1' THEN {FLOW_CODES['import']} "
        f"WHEN '2' THEN {FLOW_CODES['export']} END",
        "period": period,
        "period_end": period_end,
        "quantity_kg": f"CASE WHEN ind.measure = 'quantity_kg' THEN {obs} END",
        "value": f"CASE WHEN ind.measure = 'value' THEN {obs} END",
        "trade_mode": "CAST(NULL AS VARCHAR)",
        "measure": "ind.measure",
        "seen": (
            "count(*) OVER (PARTITION BY "
            + ", ".join(
                _code(n) for n in ("reporter", "partner", "product", "flow", "freq", "indicators")
            )
            + f", {period_text} ORDER BY c._row ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        ),
    }

    def text(name: str) -> str:
        return f"coalesce('''' || CAST(c.{quoted(name)} AS VARCHAR) || '''', 'an empty cell')"

    checks = [
        RowCheck(
            "reporter", "m_reporter IS NULL", f"'unknown reporter ' || {text('reporter')}", CODE_FIX
        ),
        RowCheck(
            "partner", "m_partner IS NULL", f"'unknown partner ' || {text('partner')}", CODE_FIX
        ),
        RowCheck(
            "flow",
            "m_flow IS NULL",
            f"'flow ' || {text('flow')} || ' is not 1 (imports) or 2 (exports)'",
            "Comext writes imports as 1 and exports as 2",
        ),
        RowCheck(
            "TIME_PERIOD",
            "m_period IS NULL",
            f"'TIME_PERIOD ' || {text('TIME_PERIOD')} || ' with freq ' || {text('freq')} "
            "|| ' is not a month (M, YYYY-MM) or a year (A, YYYY)'",
            "write months as YYYY-MM with freq M, years as YYYY with freq A",
        ),
        RowCheck(
            "product",
            f"NOT regexp_full_match(coalesce({product}, ''), '[0-9]{{2,10}}|TOTAL')",
            f"'product ' || {text('product')} || ' is not a CN or HS code'",
            "product codes are 2 to 10 digits (keep leading zeros) or TOTAL",
        ),
        RowCheck(
            "indicators",
            "m_measure IS NULL",
            f"'unknown indicator (unit) ' || {text('indicators')}",
            "known indicators: VALUE_IN_EUROS, QUANTITY_IN_100KG (and those in "
            "src/mineralflow/data/official/comext_indicators.csv)",
        ),
        RowCheck(
            "OBS_VALUE",
            'c."OBS_VALUE" < 0',
            f"'negative value ' || {text('OBS_VALUE')}",
            "observations cannot be negative; correct the value",
        ),
        RowCheck(
            "OBS_VALUE",
            "m_seen > 1",
            "'the same observation (reporter, partner, product, flow, period, indicator) "
            "appears on an earlier line'",
            "remove the repeated line; a file must state each observation once",
        ),
    ]
    group = (
        "m_reporter, m_partner, m_classification, m_product_code, m_flow, m_period, m_period_end"
    )
    flows_select = (
        f"SELECT {group}, sum(m_quantity_kg), sum(m_value), CAST(NULL AS VARCHAR) "
        f"FROM _mapped c WHERE {{where}} AND m_measure <> 'ignored' GROUP BY {group}"
    )
    last_update = f"trim(split_part(c.{quoted('LAST UPDATE')}, ' ', 1))"
    return Plan(
        file=tf,
        format="comext",
        layout="Eurostat Comext (SDMX-CSV)",
        publisher="Eurostat",
        outlet="Eurostat (Comext)",
        prefix="comext",
        currency="EUR",
        columns=columns,
        row_select=row_select,
        joins=joins,
        checks=checks,
        flows_select=flows_select,
        fast=False,
        maps={
            "_map_comext_code": _codes(),
            "_map_comext_indicator": _indicators(),
        },
        published_sql=(
            f"CAST(max(coalesce(try_strptime({last_update}, '%d/%m/%y'), "
            f"try_strptime({last_update}, '%Y-%m-%d'))) AS DATE)"
        ),
        column_fix={"OBS_VALUE": "write a plain number, or leave the cell empty"},
        locator=lambda cell: _locator(tf, cell),
    )


def _locator(tf: TextFile, cell: dict[str, Any]) -> str:
    flow = "1" if cell["flow"] == "import" else "2"
    period = (
        f"{cell['period']:%Y-%m}"
        if cell["period"] == cell["period_end"]
        else f"{cell['period']:%Y}"
    )
    return (
        f"{tf.name}: rows with reporter {cell['reporter']}, partner {cell['partner']}, product "
        f"{cell['product_code']}, flow {flow}, TIME_PERIOD {period}"
    )
