"""China customs query exports (stats.customs.gov.cn): GBK/GB18030 CSV with Chinese headers
(layout: shared/docs/data-formats.md (b)).

The columns present depend on the dimensions ticked in the query form; this reader knows
them all and needs 商品编码, 第一数量, 第一计量单位, a partner (贸易伙伴编码 and/or
贸易伙伴名称) and exactly one value column, 人民币 (CNY) or 美元 (USD). Numbers may carry
thousands separators ("353,217"); a trailing empty column is dropped. The month comes from
数据年月 (YYYYMM) or, when the export omits it, from the file name (``202506`` or
``2025年6月``). Exports and imports look alike, so the flow comes from ``--flow`` or the file
name (出口/export, 进口/import).

Partners are joined on the 3-digit customs code through ``countries.csv``
(``china_customs_code``); codes without an ISO country (701, continent totals ...) are kept as
``gac:<code>`` from ``data/official/china_customs_partner_codes.csv``. A file with names only
is joined on the Chinese name (customs names and the ``zh`` aliases). A row named 总值 with no
code is the world total the file states.

Quantities become kg through ``data/official/china_customs_units.csv`` (千克, 克, 吨); when the
first unit is not a mass and the second is, the second quantity is used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import catalog
from ..errors import InputError
from .official import FLOW_CODES, Plan, RowCheck, partner_keys, quoted, sql_text
from .textfile import TextFile

__all__ = ["COLUMNS", "flow_from_name", "matches", "plan"]

COLUMNS = {
    "数据年月": "VARCHAR",
    "商品编码": "VARCHAR",
    "商品名称": "VARCHAR",
    "贸易伙伴编码": "VARCHAR",
    "贸易伙伴名称": "VARCHAR",
    "贸易方式编码": "VARCHAR",
    "贸易方式名称": "VARCHAR",
    "注册地编码": "VARCHAR",
    "注册地名称": "VARCHAR",
    "第一数量": "DOUBLE",
    "第一计量单位": "VARCHAR",
    "第二数量": "DOUBLE",
    "第二计量单位": "VARCHAR",
    "人民币": "DOUBLE",
    "美元": "DOUBLE",
}
CURRENCIES = {"人民币": "CNY", "美元": "USD"}
REQUIRED = ("商品编码", "第一数量", "第一计量单位")
TRAILING = "_trailing_empty"
# Columns other customs reports carry that mean something else than 贸易伙伴 (trading partner).
NOT_PARTNER = (
    "最终目的国（地区）名称",
    "原产国（地区）名称",
    "最终目的国(地区)名称",
    "原产国(地区)名称",
)

NUMBER_FIX = "write a number, with or without thousands separators (353,217)"
CODE_FIX = (
    "use the 3-digit China customs partner code (e.g. 502 for the United States); the codes "
    "are in src/mineralflow/data/catalog/countries.csv (china_customs_code) and "
    "src/mineralflow/data/official/china_customs_partner_codes.csv"
)
NAME_FIX = (
    "use the customs' Chinese partner name (e.g. 美国), or export the 贸易伙伴编码 column too; "
    "names are in src/mineralflow/data/catalog/countries.csv and country_aliases.csv (kind zh)"
)


def matches(header: list[str]) -> bool:
    return len(set(header) & set(COLUMNS)) >= 3


def flow_from_name(name: str) -> str | None:
    """``export`` or ``import`` when the file name says which (出口/进口, export/import)."""
    low = name.lower()
    export = "出口" in name or "export" in low
    imports = "进口" in name or "import" in low
    if export == imports:
        return None
    return "export" if export else "import"


def month_from_name(name: str) -> str | None:
    """``YYYY-MM`` when the file name holds one month (``2025年6月`` or ``202506``)."""
    found = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月", name)
    if not found:
        found = re.search(r"(?<!\d)(\d{4})[-_]?(0[1-9]|1[0-2])(?!\d)", name)
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def _columns(tf: TextFile) -> dict[str, str]:
    header = list(tf.header)
    if header and header[-1] == "":
        header[-1] = TRAILING
    tf.check_header(
        header,
        delimiters="China customs exports are comma-separated",
        fix="save the file with commas between columns",
        first_column=re.split(r"[;|]", header[0])[0] if header else "",
    )
    seen = set(header)
    for i, name in enumerate(header):
        if name == "":
            raise InputError(
                f"column {i + 1} has no name",
                column=f"column {i + 1}",
                fix="only the last column may be empty (the export's trailing comma)",
                path=tf.path,
                row=1,
            )
        if name in NOT_PARTNER:
            raise InputError(
                f"column {name!r} is an origin or final destination, not the trading partner "
                "(贸易伙伴) this reader loads",
                column=name,
                fix="export the query with 贸易伙伴 ticked instead",
                path=tf.path,
                row=1,
            )
        if name not in COLUMNS and name != TRAILING:
            raise InputError(
                f"column {name!r} is not a China customs query column (the file is not "
                "GBK/GB18030 or UTF-8 text, or the header was edited)",
                column=name,
                fix="known columns: " + ", ".join(COLUMNS),
                path=tf.path,
                row=1,
            )
    for name in REQUIRED:
        if name not in seen:
            raise InputError(
                f"missing column {name!r}",
                column=name,
                fix="tick it in the query form and export again",
                path=tf.path,
                row=1,
            )
    if "贸易伙伴编码" not in seen and "贸易伙伴名称" not in seen:
        raise InputError(
            "missing column '贸易伙伴编码' (or '贸易伙伴名称'): the file names no partner",
            column="贸易伙伴编码",
            fix="tick 贸易伙伴 in the query form and export again",
            path=tf.path,
            row=1,
        )
    currencies = [c for c in header if c in CURRENCIES]
    if len(currencies) > 1:
        raise InputError(
            "mixed currencies: the file has both 人民币 (yuan) and 美元 (US dollar) values",
            column=currencies[-1],
            fix="export one currency per file",
            path=tf.path,
            row=1,
        )
    if not currencies:
        raise InputError(
            "missing value column: neither 人民币 nor 美元",
            column="人民币",
            fix="export the query with a currency (人民币 or 美元)",
            path=tf.path,
            row=1,
        )
    return {name: COLUMNS.get(name, "VARCHAR") for name in header}


def _partner_codes() -> list[dict[str, Any]]:
    rows = {
        c.china_customs_code: c.code for c in catalog.countries().values() if c.china_customs_code
    }
    for r in catalog.read_table("china_customs_partner_codes.csv", "data/official"):
        if r["code"]:
            rows[r["code"]] = r["partner"] or f"gac:{r['code']}"
    keys = partner_keys()
    return [{"code": k, "partner": keys[v]} for k, v in sorted(rows.items())]


def _partner_names() -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    for r in catalog.read_table("china_customs_partner_codes.csv", "data/official"):
        if r["name_zh"]:
            names[r["name_zh"]] = r["partner"] or f"gac:{r['code']}"
    for c in catalog.countries().values():
        if c.name_zh:
            names.setdefault(c.name_zh, c.code)
    for r in catalog.read_table("country_aliases.csv"):
        if r["kind"] == "zh":
            names.setdefault(r["alias"], r["code"])
    keys = partner_keys()
    return [{"name": k, "partner": keys[v]} for k, v in sorted(names.items())]


def _units() -> list[dict[str, Any]]:
    return [
        {
            "unit": r["unit"],
            "kind": r["kind"],
            "kg_factor": float(r["kg_factor"]) if r["kg_factor"] else None,
        }
        for r in catalog.read_table("china_customs_units.csv", "data/official")
    ]


def plan(tf: TextFile, *, flow: str | None = None, **_: Any) -> Plan:
    """The plan for a China customs query export."""
    columns = _columns(tf)
    has = set(columns)
    flow = flow or flow_from_name(tf.path.name)
    if flow is None:
        raise InputError(
            "cannot tell whether the file holds exports or imports",
            column=tf.header[0],
            fix="pass --flow export (or import), or keep 出口/进口 in the file name",
            path=tf.path,
            row=1,
        )
    if "数据年月" in has:
        raw = 'trim(c."数据年月")'
        period = (
            f"CASE WHEN regexp_full_match({raw}, '[0-9]{{6}}') "
            f"THEN CAST(try_strptime({raw}, '%Y%m') AS DATE) END"
        )
    else:
        month = month_from_name(tf.path.name)
        if month is None:
            raise InputError(
                "no 数据年月 column and no month in the file name",
                column="数据年月",
                fix="tick 数据年月 when you export, or put the month in the file name (202506)",
                path=tf.path,
                row=1,
            )
        period = f"DATE {sql_text(month + '-01')}"
    currency_column = next(c for c in CURRENCIES if c in has)

    def col(name: str) -> str:
        return f"c.{quoted(name)}"

    def text(name: str) -> str:
        return f"coalesce('''' || CAST({col(name)} AS VARCHAR) || '''', 'an empty cell')"

    code = f"nullif(trim({col('贸易伙伴编码')}), '')" if "贸易伙伴编码" in has else "NULL"
    joins = ""
    if "贸易伙伴编码" in has:
        joins += f" LEFT JOIN _map_gac_code pcode ON pcode.code = {code}"
    if "贸易伙伴名称" in has:
        joins += f" LEFT JOIN _map_gac_name pname ON pname.name = trim({col('贸易伙伴名称')})"
    partner = {
        ("贸易伙伴编码", "贸易伙伴名称"): (
            f"CASE WHEN {code} IS NOT NULL THEN pcode.partner ELSE pname.partner END"
        ),
        ("贸易伙伴编码",): "pcode.partner",
        ("贸易伙伴名称",): "pname.partner",
    }[tuple(c for c in ("贸易伙伴编码", "贸易伙伴名称") if c in has)]
    joins += f" LEFT JOIN _map_gac_unit u1 ON u1.unit = trim({col('第一计量单位')})"
    second = "第二数量" in has and "第二计量单位" in has
    if second:
        joins += f" LEFT JOIN _map_gac_unit u2 ON u2.unit = trim({col('第二计量单位')})"
    product_code = f"trim({col('商品编码')})"
    classification = (
        f"CASE length({product_code}) WHEN 8 THEN 'CN8-CHN' WHEN 10 THEN 'CN10-CHN' "
        f"ELSE 'HS' || length({product_code}) END"
    )
    quantity = f"CASE WHEN u1.kind = 'mass' THEN {col('第一数量')} * u1.kg_factor"
    if second:
        quantity += f" WHEN u2.kind = 'mass' THEN {col('第二数量')} * u2.kg_factor"
    quantity += " END"
    mode_parts = [
        f"nullif(trim({col(c)}), '')" for c in ("贸易方式名称", "贸易方式编码") if c in has
    ]
    trade_mode = f"coalesce({', '.join(mode_parts)})" if mode_parts else "CAST(NULL AS VARCHAR)"
    row_select = {
        "reporter": str(partner_keys()["CHN"]),
        "partner": partner,
        "classification": classification,
        "product_code": product_code,
        "flow": str(FLOW_CODES[flow]),
        "period": period,
        "period_end": period,
        "quantity_kg": quantity,
        "value": col(currency_column),
        "trade_mode": trade_mode,
        "unit1_known": "u1.unit IS NOT NULL",
        "unit2_known": "u2.unit IS NOT NULL" if second else "true",
    }
    partner_column = "贸易伙伴编码" if "贸易伙伴编码" in has else "贸易伙伴名称"
    checks = []
    if "贸易伙伴编码" in has:
        checks.append(
            RowCheck(
                "贸易伙伴编码",
                f"m_partner IS NULL AND {code} IS NOT NULL",
                f"'unknown partner code ' || {text('贸易伙伴编码')}",
                CODE_FIX,
            )
        )
    if "贸易伙伴名称" in has:
        checks.append(
            RowCheck(
                "贸易伙伴名称",
                f"m_partner IS NULL AND {code} IS NULL",
                f"'unknown partner name ' || {text('贸易伙伴名称')}",
                NAME_FIX,
            )
        )
    checks += [
        RowCheck(
            partner_column,
            "m_partner IS NULL",
            "'no partner given'",
            "every row needs a partner code or name",
        ),
        RowCheck(
            "数据年月" if "数据年月" in has else tf.header[0],
            "m_period IS NULL",
            f"'数据年月 ' || {text('数据年月') if '数据年月' in has else sql_text('')} "
            "|| ' is not a month written YYYYMM'",
            "write the month as six digits, e.g. 202506",
        ),
        RowCheck(
            "商品编码",
            f"NOT regexp_full_match(coalesce({product_code}, ''), '[0-9]{{2,10}}')",
            f"'商品编码 ' || {text('商品编码')} || ' is not a commodity code'",
            "commodity codes are 2 to 10 digits, e.g. 85051110 (keep leading zeros)",
        ),
        RowCheck(
            "第一计量单位",
            f"NOT m_unit1_known AND nullif(trim({col('第一计量单位')}), '') IS NOT NULL",
            f"'unknown unit ' || {text('第一计量单位')}",
            "known units are listed in src/mineralflow/data/official/china_customs_units.csv "
            "(千克, 克, 吨 are read as mass); add the unit there if it is genuine",
        ),
        RowCheck(
            "第一计量单位",
            f"nullif(trim({col('第一计量单位')}), '') IS NULL",
            "'第一计量单位 is empty'",
            "every row needs its first unit (千克 for 85051110)",
        ),
        RowCheck(
            "第一数量",
            f"{col('第一数量')} IS NULL",
            "'第一数量 is empty'",
            "every row needs its first quantity",
        ),
        RowCheck(
            "第一数量",
            f"{col('第一数量')} < 0",
            f"'negative quantity ' || {text('第一数量')}",
            "quantities cannot be negative; correct the value",
        ),
        RowCheck(
            currency_column,
            f"{col(currency_column)} IS NULL",
            f"'the value ({currency_column}) is empty'",
            "every row needs its value",
        ),
        RowCheck(
            currency_column,
            f"{col(currency_column)} < 0",
            f"'negative value ' || {text(currency_column)}",
            "values cannot be negative; correct the value",
        ),
    ]
    if second:
        checks.append(
            RowCheck(
                "第二计量单位",
                f"NOT m_unit2_known AND nullif(trim({col('第二计量单位')}), '') IS NOT NULL",
                f"'unknown unit ' || {text('第二计量单位')}",
                "known units are listed in src/mineralflow/data/official/china_customs_units.csv",
            )
        )
        checks.append(
            RowCheck(
                "第二数量",
                f"{col('第二数量')} < 0",
                f"'negative quantity ' || {text('第二数量')}",
                "quantities cannot be negative; correct the value",
            )
        )
    fixes = {name: NUMBER_FIX for name, kind in columns.items() if kind == "DOUBLE"}
    return Plan(
        file=tf,
        format="china-customs",
        layout="China customs query export",
        publisher="GAC",
        outlet="China customs (GAC)",
        prefix="gac",
        currency=CURRENCIES[currency_column],
        columns=columns,
        row_select=row_select,
        joins=joins,
        checks=checks,
        fast=False,
        thousands=",",
        maps={
            "_map_gac_code": _partner_codes(),
            "_map_gac_name": _partner_names(),
            "_map_gac_unit": _units(),
        },
        column_fix=fixes,
        locator=lambda cell: _locator(tf.path, cell, has),
    )


def _locator(path: Path, cell: dict[str, Any], has: set[str]) -> str:
    n = cell["n"]
    partner = cell["partner"]
    country = catalog.countries().get(partner)
    if partner == "WLD":
        who = "贸易伙伴名称 总值 (the file's world total)"
    elif country and country.china_customs_code and "贸易伙伴编码" in has:
        who = f"贸易伙伴编码 {country.china_customs_code} ({country.name_zh})"
    else:
        who = f"a 贸易伙伴名称 naming {partner}"
    month = f"{cell['period']:%Y%m}"
    when = f"数据年月 {month}" if "数据年月" in has else f"month {month} (from the file name)"
    text = (
        f"{path.name}: {n} row{'s' if n > 1 else ''} with {when}, {who}, "
        f"商品编码 {cell['product_code']}"
    )
    if cell["modes"] > 1:
        text += f", summed over {cell['modes']} 贸易方式"
    return text
