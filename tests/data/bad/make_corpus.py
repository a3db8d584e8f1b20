"""Write the bad-input corpus: small hand-made files, each with one defect, and
``expected.csv`` saying where the error must point (line, column) and what it must say.

Run it after changing a case: ``python tests/data/bad/make_corpus.py``. Every file is
synthetic (made-up values in the real layouts), like the fixtures beside it.

Columns of ``expected.csv``: ``file, format, line, column, says`` (a fragment of the one-line
message) and ``good_rows``: for defects in single rows, how many flows ``--on-bad-row
collect`` still loads (empty for defects of the whole file).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from mineralflow.sources.comtrade import FINAL_COLUMNS, TARIFFLINE_COLUMNS  # noqa: E402

CASES: list[dict[str, object]] = []


def case(
    name: str,
    fmt: str,
    data: bytes,
    line: int,
    column: str,
    says: str,
    good_rows: int | None = None,
) -> None:
    (HERE / name).write_bytes(data)
    CASES.append(
        {
            "file": name,
            "format": fmt,
            "line": line,
            "column": column,
            "says": says,
            "good_rows": "" if good_rows is None else good_rows,
        }
    )


# -- China customs: GBK, Chinese headers, thousands separators, trailing comma ---------------
CC_HEADER = "数据年月,商品编码,商品名称,贸易伙伴编码,贸易伙伴名称,第一数量,第一计量单位,美元,"
CC_ROWS = [
    '202506,85051110,稀土永磁铁及稀土永磁体,502,美国,"352,880",千克,"18,102,744",',
    '202506,85051110,稀土永磁铁及稀土永磁体,304,德国,"764,402",千克,"37,226,378",',
    '202506,85051110,稀土永磁铁及稀土永磁体,116,日本,"140,000",千克,"7,728,000",',
    '202506,85051110,稀土永磁铁及稀土永磁体,133,韩国,"280,200",千克,"13,141,380",',
]


def cc(header: str = CC_HEADER, rows: list[str] | None = None, encoding: str = "gbk") -> bytes:
    lines = [header, *(CC_ROWS if rows is None else rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def cc_row(index: int, old: str, new: str) -> list[str]:
    rows = list(CC_ROWS)
    assert old in rows[index]
    rows[index] = rows[index].replace(old, new, 1)
    return rows


F = "china-customs"
case("cc-export-utf16-no-bom.csv", F, cc(encoding="utf-16-le"), 1, "数据年月", "NUL bytes")
case(
    "cc-export-big5-encoding.csv",
    F,
    cc(  # the same table in traditional characters, saved as Big5
        "數據年月,商品編碼,商品名稱,貿易夥伴編碼,貿易夥伴名稱,第一數量,第一計量單位,美元,",
        ['202506,85051110,稀土永磁體,502,美國,"352,880",千克,"18,102,744",'],
        encoding="big5",
    ),
    1,
    "",
    "not a China customs query column",
)
case(
    "cc-export-missing-quantity.csv",
    F,
    cc(
        CC_HEADER.replace("第一数量,", ""),
        [
            '202506,85051110,稀土永磁铁及稀土永磁体,502,美国,千克,"18,102,744",',
            '202506,85051110,稀土永磁铁及稀土永磁体,304,德国,千克,"37,226,378",',
        ],
    ),
    1,
    "第一数量",
    "missing column '第一数量'",
)
case(
    "cc-export-renamed-column.csv",
    F,
    cc(CC_HEADER.replace("第一数量", "数量")),
    1,
    "数量",
    "not a China customs query column",
)
case(
    "cc-export-extra-column.csv",
    F,
    cc(CC_HEADER.replace("美元,", "美元,备注,"), [r + "x," for r in CC_ROWS]),
    1,
    "备注",
    "not a China customs query column",
)
case(
    "cc-export-duplicated-column.csv",
    F,
    cc(CC_HEADER.replace("商品名称", "美元")),
    1,
    "美元",
    "names column '美元' twice",
)
case(
    "cc-export-repeated-header-row.csv",
    F,
    cc(rows=[CC_ROWS[0], CC_HEADER, *CC_ROWS[1:]]),
    3,
    "第一数量",
    "repeats the header row",
    good_rows=4,
)
case(
    "cc-export-non-numeric-quantity.csv",
    F,
    cc(rows=cc_row(2, '"140,000"', "约十四万")),
    4,
    "第一数量",
    "cannot read '约十四万' as a number",
    good_rows=3,
)
case(
    "cc-export-negative-quantity.csv",
    F,
    cc(rows=cc_row(2, '"140,000"', '"-140,000"')),
    4,
    "第一数量",
    "negative quantity",
    good_rows=3,
)
case(
    "cc-export-unknown-unit.csv",
    F,
    cc(rows=cc_row(1, "千克", "公斤斤")),
    3,
    "第一计量单位",
    "unknown unit '公斤斤'",
    good_rows=3,
)
case(
    "cc-export-unknown-partner-code.csv",
    F,
    cc(rows=cc_row(3, ",133,", ",998,")),
    5,
    "贸易伙伴编码",
    "unknown partner code '998'",
    good_rows=3,
)
case(
    "cc-export-unknown-partner-name.csv",
    F,
    cc(
        CC_HEADER.replace("贸易伙伴编码,", ""),
        [r.replace(r.split(",")[3] + ",", "", 1) for r in cc_row(2, "日本", "火星国")],
    ),
    4,
    "贸易伙伴名称",
    "unknown partner name '火星国'",
    good_rows=3,
)
case(
    "cc-export-impossible-period.csv",
    F,
    cc(rows=cc_row(0, "202506", "202513")),
    2,
    "数据年月",
    "'202513' is not a month",
    good_rows=3,
)
case(
    "cc-export-truncated.csv",
    F,
    cc(rows=[*CC_ROWS[:3], '202506,85051110,稀土永磁铁及稀土永磁体,133,韩国,"280,2']),
    5,
    "第一数量",
    "a quote opened in this field is never closed",
    good_rows=3,
)
case("cc-export-empty.csv", F, b"", 1, "数据年月", "the file is empty")
case(
    "cc-export-mixed-currencies.csv",
    F,
    cc(CC_HEADER.replace("美元,", "美元,人民币,"), [r + '"1,000",' for r in CC_ROWS]),
    1,
    "人民币",
    "mixed currencies",
)
case(
    "cc-export-wrong-delimiter.csv",
    F,
    cc(
        CC_HEADER.replace(",", ";"),
        [r.replace('"', "").replace(",", ";") for r in CC_ROWS],
    ),
    1,
    "数据年月",
    "separated by ';'",
)
case(
    "cc-export-bom-on-gbk.csv",
    F,
    b"\xef\xbb\xbf" + cc(),
    1,
    "数据年月",
    "byte-order mark but is not UTF-8",
)
case(
    "cc-export-cut-inside-character.csv",
    F,
    cc()[:-2] + "稀".encode("gbk")[:1],
    5,
    "(the trailing empty column)",
    "is not GB18030/GBK text",
)
case(
    "cc-noflow-in-name.csv",
    F,
    cc(),
    1,
    "数据年月",
    "cannot tell whether the file holds exports or imports",
)


# -- UN Comtrade final data (47 columns) and tariff lines (34) ----------------------------------
def ct_row(columns: list[str], **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(columns, "")
    row.update(
        typeCode="C",
        freqCode="M",
        refPeriodId="20250601",
        refYear=2025,
        refMonth=6,
        period=202506,
        reporterCode=156,
        reporterISO="CHN",
        reporterDesc="China",
        flowCode="X",
        flowDesc="Export",
        partner2Code=0,
        partner2ISO="W00",
        partner2Desc="World",
        classificationCode="H6",
        classificationSearchCode="HS",
        isOriginalClassification="True",
        cmdCode="850511",
        cmdDesc="Permanent magnets of metal",
        aggrLevel=6,
        isLeaf="True",
        customsCode="C00",
        customsDesc="TOTAL CPC",
        mosCode=0,
        motCode=0,
        motDesc="TOTAL MOT",
        qtyUnitCode=8,
        qtyUnitAbbr="kg",
        altQtyUnitCode=-1,
        altQtyUnitAbbr="N/A",
        isReported="True",
        isAggregate="False",
        legacyEstimationFlag=0,
    )
    row.update(values)
    return {k: v for k, v in row.items() if k in columns}


CT_PARTNERS = [(842, "USA", 402315, 18949036.5), (276, "DEU", 821977, 37153360.4)]
CT_PARTNERS += [(392, "JPN", 168420, 8522052.0), (410, "KOR", 301877, 12512800.5)]


def ct_rows(columns: list[str] = FINAL_COLUMNS) -> list[dict[str, object]]:
    return [
        ct_row(
            columns,
            partnerCode=code,
            partnerISO=iso,
            partnerDesc=iso,
            qty=kg,
            netWgt=kg,
            fobvalue=usd,
            primaryValue=usd,
        )
        for code, iso, kg, usd in CT_PARTNERS
    ]


def ct(
    rows: list[dict[str, object]] | None = None,
    columns: list[str] = FINAL_COLUMNS,
    sep: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    rows = ct_rows(columns) if rows is None else rows
    lines = [sep.join(columns)]
    lines += [sep.join(str(r.get(c, "")) for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def ct_bad(index: int, **values: object) -> list[dict[str, object]]:
    rows = ct_rows()
    rows[index] = {**rows[index], **values}
    return rows


def renamed(columns: list[str], old: str, new: str) -> list[str]:
    return [new if c == old else c for c in columns]


C = "comtrade"
case(
    "ct-missing-column.csv",
    C,
    ct(columns=[c for c in FINAL_COLUMNS if c != "netWgt"]),
    1,
    "netWgt",
    "missing column 'netWgt'",
)
case(
    "ct-renamed-column.csv",
    C,
    ct(
        [{("netWeight" if k == "netWgt" else k): v for k, v in r.items()} for r in ct_rows()],
        renamed(FINAL_COLUMNS, "netWgt", "netWeight"),
    ),
    1,
    "netWeight",
    "the layout has 'netWgt' there",
)
case(
    "ct-extra-column.csv",
    C,
    ct([{**r, "note": "x"} for r in ct_rows()], [*FINAL_COLUMNS, "note"]),
    1,
    "note",
    "unexpected extra column 'note'",
)
case(
    "ct-duplicated-column.csv",
    C,
    ct(columns=renamed(FINAL_COLUMNS, "altQty", "qty")),
    1,
    "qty",
    "names column 'qty' twice",
)
case(
    "ct-non-numeric-netwgt.csv",
    C,
    ct(ct_bad(2, netWgt="12O00")),
    4,
    "netWgt",
    "cannot read '12O00' as a number",
    good_rows=3,
)
case(
    "ct-negative-netwgt.csv",
    C,
    ct(ct_bad(1, netWgt=-821977)),
    3,
    "netWgt",
    "negative net weight",
    good_rows=3,
)
case(
    "ct-unknown-unit.csv",
    C,
    ct(ct_bad(3, qtyUnitCode=99)),
    5,
    "qtyUnitCode",
    "unknown quantity unit code '99'",
    good_rows=3,
)
case(
    "ct-unknown-partner.csv",
    C,
    ct(ct_bad(0, partnerCode=998)),
    2,
    "partnerCode",
    "unknown partner code '998'",
    good_rows=3,
)
case(
    "ct-impossible-period.csv",
    C,
    ct(ct_bad(2, refPeriodId="20251301")),
    4,
    "refPeriodId",
    "'20251301' is not the first day of a month",
    good_rows=3,
)
case(
    "ct-unknown-flow.csv",
    C,
    ct(ct_bad(1, flowCode="DX")),
    3,
    "flowCode",
    "is not X, M, RX or RM",
    good_rows=3,
)
case(
    "ct-truncated.csv",
    C,
    ct()[:-60],
    5,
    "isQtyEstimated",
    "fewer fields than the header",
    good_rows=3,
)
case("ct-empty.csv", C, b"", 1, "typeCode", "the file is empty")
case(
    "ct-header-only.csv",
    C,
    ct(rows=[]),
    2,
    "typeCode",
    "a header but no data rows",
)
case(
    "ct-wrong-delimiter.csv",
    C,
    ct(sep=";"),
    1,
    "typeCode",
    "separated by ';'",
)
case(
    "ct-utf16-bom.csv",
    C,
    b"\xff\xfe" + ct().decode().encode("utf-16-le"),
    1,
    "typeCode",
    "UTF-16",
)
case(
    "ct-tariffline-bad-code.csv",
    C,
    ct(
        [
            {**r, "cmdCode": "85O51110" if i == 1 else "85051110"}
            for i, r in enumerate(ct_rows(TARIFFLINE_COLUMNS))
        ],
        TARIFFLINE_COLUMNS,
    ),
    3,
    "cmdCode",
    "is not a commodity code",
    good_rows=3,
)
case(
    "ct-tab-short-row.txt",
    C,
    ct(sep="\t").replace(b"\t2025\t6\t202506\t156", b"\t2025\t6\t202506", 1),
    2,
    "isAggregate",
    "fewer fields than the header",
    good_rows=3,
)

# -- Eurostat Comext SDMX-CSV -------------------------------------------------------------------
CX_HEADER = (
    "DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE"
)
CX_CELLS = [("DE", "5062.50", "23945625"), ("IT", "827.70", "3790866")]
CX_CELLS += [("NL", "591.60", "2756856"), ("FR", "832.00", "4068480")]


def cx_rows() -> list[str]:
    rows = []
    for reporter, qty, eur in CX_CELLS:
        for indicator, value in (("QUANTITY_IN_100KG", qty), ("VALUE_IN_EUROS", eur)):
            rows.append(
                f"ESTAT:DS-045409(1.0),16/02/26 11:00:00,M,{reporter},CN,85051110,1,"
                f"{indicator},2025-06,{value}"
            )
    return rows


def cx(header: str = CX_HEADER, rows: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *(cx_rows() if rows is None else rows)]) + "\n").encode(encoding)


def cx_bad(index: int, old: str, new: str) -> list[str]:
    rows = cx_rows()
    assert old in rows[index]
    rows[index] = rows[index].replace(old, new, 1)
    return rows


X = "comext"
case(
    "cx-missing-column.csv",
    X,
    cx(CX_HEADER.removesuffix(",OBS_VALUE"), [r.rsplit(",", 1)[0] for r in cx_rows()]),
    1,
    "OBS_VALUE",
    "missing column 'OBS_VALUE'",
)
case(
    "cx-renamed-column.csv",
    X,
    cx(CX_HEADER.replace("TIME_PERIOD", "TIME")),
    1,
    "TIME",
    "not an SDMX-CSV column",
)
case(
    "cx-extra-column.csv",
    X,
    cx(CX_HEADER + ",unit", [r + ",EUR" for r in cx_rows()]),
    1,
    "unit",
    "not an SDMX-CSV column",
)
case(
    "cx-duplicated-column.csv",
    X,
    cx(CX_HEADER.replace("DATAFLOW", "partner")),
    1,
    "partner",
    "names column 'partner' twice",
)
case(
    "cx-non-numeric-value.csv",
    X,
    cx(rows=cx_bad(3, "3790866", "n/a")),
    5,
    "OBS_VALUE",
    "cannot read 'n/a' as a number",
    good_rows=4,
)
case(
    "cx-negative-value.csv",
    X,
    cx(rows=cx_bad(2, "827.70", "-827.70")),
    4,
    "OBS_VALUE",
    "negative value",
    good_rows=4,
)
case(
    "cx-unknown-indicator.csv",
    X,
    cx(rows=cx_bad(4, "QUANTITY_IN_100KG", "QUANTITY_IN_TONNES")),
    6,
    "indicators",
    "unknown indicator (unit) 'QUANTITY_IN_TONNES'",
    good_rows=4,
)
case(
    "cx-unknown-partner.csv",
    X,
    cx(rows=cx_bad(0, ",CN,", ",ZZ,")),
    2,
    "partner",
    "unknown partner 'ZZ'",
    good_rows=4,
)
case(
    "cx-impossible-period.csv",
    X,
    cx(rows=cx_bad(6, "2025-06", "2025-13")),
    8,
    "TIME_PERIOD",
    "'2025-13' with freq 'M' is not a month",
    good_rows=4,
)
case(
    "cx-duplicate-observation.csv",
    X,
    cx(rows=[*cx_rows()[:3], cx_rows()[0], *cx_rows()[3:]]),
    5,
    "OBS_VALUE",
    "appears on an earlier line",
    good_rows=4,
)
case(
    "cx-truncated.csv",
    X,
    cx()[:-30],
    9,
    "TIME_PERIOD",
    "fewer fields than the header",
    good_rows=4,
)
case("cx-empty.csv", X, b"", 1, "DATAFLOW", "the file is empty")
case(
    "cx-wrong-delimiter.csv",
    X,
    cx(CX_HEADER.replace(",", ";"), [r.replace(",", ";") for r in cx_rows()]),
    1,
    "DATAFLOW",
    "separated by ';'",
)
case(
    "cx-utf16-no-bom.csv",
    X,
    cx(encoding="utf-16-le"),
    1,
    "DATAFLOW",
    "NUL bytes",
)


def main() -> None:
    with (HERE / "expected.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(CASES[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(CASES)
    print(f"wrote {len(CASES)} bad files and expected.csv to {HERE}")


if __name__ == "__main__":
    main()
