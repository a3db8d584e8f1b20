"""UN Comtrade CSV: final data (47 columns, HS) and tariff-line data (34 columns, national
codes), comma- or tab-separated, UTF-8 or ISO-8859-1 (layouts: shared/docs/data-formats.md (c)).

Read: ``freqCode, refPeriodId, reporterCode, flowCode, partnerCode, partner2Code, cmdCode,
customsCode, motCode, qtyUnitCode, qty, netWgt, primaryValue``; every other column is skipped
by DuckDB's projection pushdown. Rows are loaded when they are totals over the second partner,
the mode of transport and the customs procedure (``partner2Code 0, motCode 0, customsCode
C00``); breakdown rows would double count and are left out (the summary counts them).

- quantity: ``netWgt`` (kg); when empty, ``qty`` if its unit is kg (``qtyUnitCode`` 8);
- value: ``primaryValue`` in US dollars (FOB for exports, CIF for imports);
- partners and reporters: M49 numbers through ``countries.csv``, with Comtrade's own numbers
  (842 USA, 251 FRA, 699 IND, 579 NOR, 757 CHE, 490 TWN) and its residual areas from
  ``data/official/comtrade_partner_codes.csv``; 0 is the world (WLD), stated by the file;
- classification: ``HS<n>`` for final data, ``CN<n>-<reporter>`` (``CN8-EU`` for EU members)
  for tariff lines.
"""

from __future__ import annotations

from typing import Any

from .. import catalog
from ..errors import InputError
from .official import FLOW_CODES, Plan, RowCheck, partner_keys, quoted, sql_text
from .textfile import TextFile

__all__ = ["FINAL_COLUMNS", "TARIFFLINE_COLUMNS", "area_code", "matches", "plan"]

FINAL_COLUMNS = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
]
TARIFFLINE_COLUMNS = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "period",
    "reporterCode",
    "reporterDesc",
    "reporterISO",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerDesc",
    "partnerISO",
    "partner2Code",
    "partner2Desc",
    "partner2ISO",
    "classificationCode",
    "cmdCode",
    "cmdDesc",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "netWgt",
    "grossWgt",
    "cifvalue",
    "fobvalue",
    "primaryValue",
]
assert len(FINAL_COLUMNS) == 47
assert len(TARIFFLINE_COLUMNS) == 34

TYPES = {
    "refPeriodId": "INTEGER",
    "reporterCode": "INTEGER",
    "partnerCode": "INTEGER",
    "partner2Code": "INTEGER",
    "motCode": "INTEGER",
    "qtyUnitCode": "INTEGER",
    "qty": "DOUBLE",
    "netWgt": "DOUBLE",
    "primaryValue": "DOUBLE",
}
FLOWS = {"X": "export", "M": "import", "RX": "re-export", "RM": "re-import"}

NUMBER_FIX = "write a plain number (digits and a decimal point), or leave the cell empty"
CODE_FIX = (
    "use the numeric M49 code Comtrade gives (e.g. 156 for China, 842 for the USA); "
    "codes are listed in src/mineralflow/data/official/comtrade_partner_codes.csv and "
    "data/catalog/countries.csv"
)


def matches(header: list[str]) -> bool:
    """True when a header is (close to) one of the two Comtrade layouts."""
    names = set(header)
    return len(names & set(FINAL_COLUMNS)) >= 20 or len(names & set(TARIFFLINE_COLUMNS)) >= 20


def _layout(tf: TextFile) -> tuple[str, list[str]]:
    header = tf.header
    if header == FINAL_COLUMNS:
        return "final", FINAL_COLUMNS
    if header == TARIFFLINE_COLUMNS:
        return "tariffline", TARIFFLINE_COLUMNS
    expected = max(
        (FINAL_COLUMNS, TARIFFLINE_COLUMNS), key=lambda cols: len(set(cols) & set(header))
    )
    kind = "final-data" if expected is FINAL_COLUMNS else "tariff-line"
    tf.check_header(
        header,
        delimiters="UN Comtrade files are comma- or tab-separated",
        fix="save the file with commas (or tabs) between columns",
        first_column=expected[0],
    )
    seen = set(header)
    if seen == set(expected):
        # Same columns in another order: DuckDB is told the file's own order.
        return ("final" if expected is FINAL_COLUMNS else "tariffline"), header
    missing = [c for c in expected if c not in seen]
    unknown = [c for c in header if c not in expected]
    if unknown and missing:
        name = unknown[0]
        at = header.index(name)
        hint = (
            f"; the layout has {expected[at]!r} there"
            if at < len(expected) and expected[at] in missing
            else ""
        )
        raise InputError(
            f"column {name!r} is not a UN Comtrade {kind} column{hint} "
            f"(missing: {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''})",
            path=tf.path,
            row=1,
            column=name or f"column {at + 1}",
            fix=(
                f"rename it back to {expected[at]!r}"
                if hint
                else "restore the header as UN Comtrade writes it"
            ),
        )
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}: the header has {len(header)} of the "
            f"{len(expected)} UN Comtrade {kind} columns",
            path=tf.path,
            row=1,
            column=missing[0],
            fix="download the file again with every column",
        )
    raise InputError(
        f"unexpected extra column {unknown[0]!r}: not one of the {len(expected)} UN Comtrade "
        f"{kind} columns",
        path=tf.path,
        row=1,
        column=unknown[0] or f"column {header.index(unknown[0]) + 1}",
        fix="remove the extra column",
    )


def _partner_maps() -> list[dict[str, Any]]:
    rows: dict[int, str] = {}
    for c in catalog.countries().values():
        if c.kind == "country" and c.m49:
            rows[int(c.m49)] = c.code
    for r in catalog.read_table("comtrade_partner_codes.csv", "data/official"):
        rows[int(r["code"])] = r["partner"] or f"comtrade:{r['code']}"
    return [{"code": code, "partner": partner} for code, partner in sorted(rows.items())]


def area_code(iso: str) -> int | None:
    """Comtrade's number for a country (ISO alpha-3), as its files and API use it: its own
    number where it has one (842 for the USA, 251 for France), else the M49 code; None for an
    aggregate or a code outside the catalog.

    >>> area_code("USA"), area_code("CHN"), area_code("EU27")
    (842, 156, None)
    """
    for r in catalog.read_table("comtrade_partner_codes.csv", "data/official"):
        if r["partner"] == iso and iso != "WLD":
            return int(r["code"])
    country = catalog.countries().get(iso)
    if country is None or country.kind != "country" or not country.m49:
        return None
    return int(country.m49)


def _units() -> list[dict[str, Any]]:
    return [
        {"code": int(r["code"]), "kg_factor": float(r["kg_factor"]) if r["kg_factor"] else None}
        for r in catalog.read_table("comtrade_quantity_units.csv", "data/official")
    ]


EU_MEMBERS = ", ".join(
    sql_text(r["member"])
    for r in catalog.read_table("aggregate_members.csv")
    if r["aggregate"] == "EU27"
)
_FIRST_DAY = (
    'c."refPeriodId" BETWEEN 19000101 AND 29991231 AND c."refPeriodId" % 100 = 1 '
    'AND c."refPeriodId" // 100 % 100 BETWEEN 1 AND 12'
)


def _lookup(table: dict[int, Any], code: str) -> str:
    """A code's entry in a small table, as an index into a constant SQL list: cheaper per row
    than a join for the ~1,000 numeric codes Comtrade uses (NULL for codes not in it)."""
    low, high = min(table), max(table)
    items = ", ".join(
        "NULL" if table.get(i) is None else _literal(table[i]) for i in range(low, high + 1)
    )
    return f"CASE WHEN {code} BETWEEN {low} AND {high} THEN [{items}][{code} - {low - 1}] END"


def _literal(value: Any) -> str:
    return sql_text(value) if isinstance(value, str) else repr(value)


def plan(tf: TextFile, **_: Any) -> Plan:
    """The plan for a Comtrade CSV (final or tariff-line, told apart by the header)."""
    kind, columns = _layout(tf)
    partners = {r["code"]: r["partner"] for r in _partner_maps()}
    keys = partner_keys()
    partner_key = {code: keys[iso] for code, iso in partners.items()}
    units = _units()
    factors = {u["code"]: u["kg_factor"] for u in units}
    known_units = {u["code"]: True for u in units}
    qty_unit = 'c."qtyUnitCode"'
    reporter = _lookup(partners, 'c."reporterCode"')  # ISO code, for tariff-line names
    if kind == "final":
        # Constant strings by length: no string built per row.
        lengths = " ".join(f"WHEN {n} THEN 'HS{n}'" for n in range(2, 13))
        classification = (
            f"CASE WHEN c.\"cmdCode\" = 'TOTAL' THEN 'TOTAL' "
            f'ELSE CASE length(c."cmdCode") {lengths} END END'
        )
    else:
        classification = (
            "'CN' || length(c.\"cmdCode\") || '-' || "
            f"CASE WHEN {reporter} IN ({EU_MEMBERS}) THEN 'EU' ELSE {reporter} END"
        )
    flow_case = " ".join(f"WHEN {sql_text(k)} THEN {FLOW_CODES[v]}" for k, v in FLOWS.items())
    row_select = {
        "reporter": _lookup(partner_key, 'c."reporterCode"'),
        "partner": _lookup(partner_key, 'c."partnerCode"'),
        "classification": classification,
        "product_code": 'c."cmdCode"',
        "flow": f'CASE c."flowCode" {flow_case} END',
        # refPeriodId is the period's first day, YYYYMMDD: integer arithmetic is cheaper
        # per row than parsing a date, and anything else is no period at all.
        "period": (
            f"CASE WHEN {_FIRST_DAY} THEN make_date("
            'c."refPeriodId" // 10000, c."refPeriodId" // 100 % 100, 1) END'
        ),
        "period_end": (
            f"CASE WHEN {_FIRST_DAY} AND c.\"freqCode\" = 'M' THEN make_date("
            'c."refPeriodId" // 10000, c."refPeriodId" // 100 % 100, 1) '
            f'WHEN {_FIRST_DAY} AND c."freqCode" = \'A\' AND c."refPeriodId" // 100 % 100 = 1 '
            'THEN make_date(c."refPeriodId" // 10000, 12, 1) END'
        ),
        "quantity_kg": f'coalesce(c."netWgt", c."qty" * {_lookup(factors, qty_unit)})',
        "value": 'c."primaryValue"',
        "trade_mode": "CAST(NULL AS VARCHAR)",
        "unit_known": f"{_lookup(known_units, qty_unit)} IS NOT NULL",
    }
    joins = ""

    def text(col: str) -> str:
        return f"coalesce('''' || CAST(c.{quoted(col)} AS VARCHAR) || '''', 'an empty cell')"

    checks = [
        RowCheck(
            "reporterCode",
            "m_reporter IS NULL",
            f"'unknown reporter code ' || {text('reporterCode')}",
            CODE_FIX,
            constraint=True,
        ),
        RowCheck(
            "partnerCode",
            "m_partner IS NULL",
            f"'unknown partner code ' || {text('partnerCode')}",
            CODE_FIX,
            constraint=True,
        ),
        RowCheck(
            "flowCode",
            "m_flow IS NULL",
            f"'flowCode ' || {text('flowCode')} || ' is not X, M, RX or RM'",
            "this reader loads exports (X), imports (M), re-exports (RX) and re-imports (RM); "
            "remove rows of other flows",
            constraint=True,
        ),
        RowCheck(
            "refPeriodId",
            "m_period IS NULL",
            f"'refPeriodId ' || {text('refPeriodId')} || ' is not the first day of a month "
            "(YYYYMM01)'",
            "give the period's first day as YYYYMMDD, e.g. 20250601",
            constraint=True,
        ),
        RowCheck(
            "freqCode",
            "m_period_end IS NULL",
            f"'freqCode ' || {text('freqCode')} || ' with refPeriodId ' || "
            f"{text('refPeriodId')} || ' is not a month (M) or a year (A, YYYY0101)'",
            "use freqCode M or A with refPeriodId the first day of the period",
            constraint=True,
        ),
        RowCheck(
            "cmdCode",
            "NOT regexp_full_match(coalesce(c.\"cmdCode\", ''), '[0-9]{2,12}|TOTAL')",
            f"'cmdCode ' || {text('cmdCode')} || ' is not a commodity code'",
            "commodity codes are 2 to 12 digits (keep leading zeros) or TOTAL",
        ),
        RowCheck(
            "qtyUnitCode",
            'NOT m_unit_known AND c."qtyUnitCode" IS NOT NULL',
            f"'unknown quantity unit code ' || {text('qtyUnitCode')}",
            "use a UN Comtrade unit code (8 is kg; the list is in "
            "src/mineralflow/data/official/comtrade_quantity_units.csv)",
        ),
        RowCheck(
            "netWgt",
            "m_quantity_kg < 0",
            f"'negative net weight ' || {text('netWgt')}",
            "quantities cannot be negative; correct the value or leave it empty",
            constraint=True,
        ),
        RowCheck(
            "primaryValue",
            'c."primaryValue" < 0',
            f"'negative value ' || {text('primaryValue')}",
            "trade values cannot be negative; correct the value or leave it empty",
            constraint=True,
        ),
    ]
    return Plan(
        file=tf,
        format=f"comtrade-{kind}",
        layout="UN Comtrade " + ("final data (HS)" if kind == "final" else "tariff-line data"),
        publisher="UN Comtrade",
        outlet="UN Comtrade",
        prefix="comtrade",
        currency="USD",
        columns={name: TYPES.get(name, "VARCHAR") for name in columns},
        row_select=row_select,
        joins=joins,
        keep=(
            'coalesce(c."partner2Code", 0) = 0 AND coalesce(c."motCode", 0) = 0 '
            "AND coalesce(c.\"customsCode\", 'C00') = 'C00'"
        ),
        left_out_words=(
            "breakdowns by second partner, mode of transport or customs procedure "
            "(partner2Code, motCode or customsCode not a total)"
        ),
        checks=checks,
        fast=True,
        column_fix={
            "refPeriodId": "give the period's first day as a number YYYYMMDD, e.g. 20250601",
            "reporterCode": CODE_FIX,
            "partnerCode": CODE_FIX,
            "partner2Code": CODE_FIX,
            "motCode": "use a numeric mode-of-transport code (0 for all modes)",
            "qtyUnitCode": "use a numeric UN Comtrade unit code (8 is kg)",
            "qty": NUMBER_FIX,
            "netWgt": NUMBER_FIX,
            "primaryValue": NUMBER_FIX,
        },
        locator=lambda cell: _locator(tf, cell),
    )


def _locator(tf: TextFile, cell: dict[str, Any]) -> str:
    n = cell["n"]
    flow = {v: k for k, v in FLOWS.items()}[cell["flow"]]
    return (
        f"{tf.name}: {n} row{'s' if n > 1 else ''} with reporter {cell['reporter']}, partner "
        f"{cell['partner']}, flowCode {flow}, cmdCode {cell['product_code']}, "
        f"refPeriodId {cell['period']:%Y%m%d}"
    )
