"""The three official-statistics readers on hand-written fixtures in their exact layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mineralflow import InputError, Ledger
from mineralflow.ingestion import detect_format, ingest

DATA = Path(__file__).parent / "data"
GAC_2025 = DATA / "china-customs" / "2025年出口85051110按月按国别_美元.csv"
GAC_REVISED = DATA / "china-customs" / "2025年6月出口85051110_修订_美元.csv"
GAC_NAMES = DATA / "china-customs" / "202506出口85051110_人民币_按国别名称.csv"
CT_FINAL = DATA / "comtrade" / "comtrade-final-CHN-850511-2025-05-06.csv"
CT_TAB = DATA / "comtrade" / "COMTRADE-FINAL-CM156202507H6.txt"
CT_LATIN1 = DATA / "comtrade" / "comtrade-final-CHN-850511-CIV-latin1.csv"
CT_TARIFF = DATA / "comtrade" / "comtrade-tariffline-DEU-85051110-2025-06-07.csv"
COMEXT = DATA / "comext" / "comext-DS-045409-85051110-imports-from-CN-2025.csv"

JUNE = dt.date(2025, 6, 1)


def rows(ledger: Ledger, sql: str, *params: object) -> list[tuple[object, ...]]:
    return ledger.con.execute(sql, list(params)).fetchall()


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (GAC_2025, "china-customs"),
        (GAC_NAMES, "china-customs"),
        (CT_FINAL, "comtrade"),
        (CT_TAB, "comtrade"),
        (CT_LATIN1, "comtrade"),
        (CT_TARIFF, "comtrade"),
        (COMEXT, "comext"),
    ],
)
def test_format_is_read_from_the_header(path, fmt):
    assert detect_format(path) == fmt


def test_china_customs_twelve_months_by_ten_partners_load(ledger):
    report = ingest(ledger, [GAC_2025], published="2026-01-20")
    f = report.files[0]
    assert (f.release_id, f.format) == ("gac-r1", "china-customs")
    # 120 cells; the US, German and Japanese cells of even months are split over two
    # trade modes, so the file has 138 rows.
    assert (f.rows_read, f.rows_loaded, f.figures) == (138, 138, 120)
    cells = rows(
        ledger,
        "SELECT count(DISTINCT period_end), count(DISTINCT partner), count(*) FROM figures "
        "WHERE source_id = 'gac-r1'",
    )
    assert cells == [(12, 10, 120)]
    flows = rows(
        ledger,
        "SELECT DISTINCT reporter, classification, product_code, product, flow, currency "
        "FROM flows",
    )
    assert flows == [("CHN", "CN8-CHN", "85051110", "rare-earth-magnets", "export", "USD")]
    assert rows(ledger, "SELECT encoding FROM releases") == [("gb18030",)]


def test_china_customs_figure_sums_trade_modes_and_says_where_it_comes_from(ledger):
    ingest(ledger, [GAC_2025])
    modes = rows(
        ledger,
        "SELECT trade_mode, quantity_kg FROM flows WHERE partner = 'USA' AND period = ? ORDER BY 1",
        JUNE,
    )
    assert modes == [("一般贸易", 292890.0), ("进料加工贸易", 59990.0)]
    fig = ledger.figures_df(product="rare-earth-magnets", period="2025-06", partner="USA")
    official = fig[fig.source_kind == "official_release"].iloc[0]
    assert official.value == pytest.approx(352.880)
    assert (official.unit, official.stated, official.resolution) == ("t", "352,880 kg", 0.001)
    assert (official.qualifier, official.measure, official.authority) == (
        "exact",
        "level",
        "official",
    )
    assert official.locator == (
        f"{GAC_2025.name}: 2 rows with 数据年月 202506, 贸易伙伴编码 502 (美国), "
        "商品编码 85051110, summed over 2 贸易方式"
    )


def test_china_customs_without_a_world_row_states_no_world_figure(ledger):
    ingest(ledger, [GAC_2025])
    assert rows(
        ledger, "SELECT count(*) FROM figures WHERE partner = 'WLD' AND source_id LIKE 'gac-%'"
    ) == [(0,)]


def test_china_customs_names_only_month_from_file_name_units_and_world_total(ledger):
    report = ingest(ledger, [GAC_NAMES])
    assert report.files[0].rows_loaded == 6
    got = {
        p: (q, v, c)
        for p, q, v, c in rows(ledger, "SELECT partner, quantity_kg, value, currency FROM flows")
    }
    assert got["WLD"] == (3_188_270.0, 1_301_886_420.0, "CNY")  # 总值: the file's own total
    assert got["JPN"][0] == 140_500.0  # 140.5 吨
    assert got["TWN"][0] == 9_830.0  # 中国台湾: first unit 个, second 千克
    assert got["gac:300"][0] == 1_012_400.0  # 欧洲: a customs continent, kept apart
    assert rows(ledger, "SELECT DISTINCT period FROM flows") == [(JUNE,)]
    figures = dict(rows(ledger, "SELECT partner, value FROM figures"))
    assert figures["WLD"] == pytest.approx(3188.27)
    assert "gac:300" not in figures


def test_flow_comes_from_the_option_when_the_name_does_not_say(ledger, tmp_path):
    path = tmp_path / "query.csv"
    path.write_bytes(GAC_REVISED.read_bytes())
    with pytest.raises(InputError, match="exports or imports"):
        ingest(ledger, [path])
    ingest(ledger, [path], flow="import")
    assert rows(ledger, "SELECT DISTINCT flow FROM flows") == [("import",)]


def test_comtrade_final_data_totals_world_and_residual_partners(ledger):
    report = ingest(ledger, [CT_FINAL])
    f = report.files[0]
    assert f.format == "comtrade-final"
    # One row is a mode-of-transport breakdown (motCode 1000): left out, not summed.
    assert (f.rows_read, f.rows_loaded, f.rows_left_out) == (13, 12, 1)
    usa = rows(ledger, "SELECT quantity_kg FROM flows WHERE partner = 'USA' AND period = ?", JUNE)
    assert usa == [(402315.0,)]
    partners = {r[0] for r in rows(ledger, "SELECT DISTINCT partner FROM flows")}
    assert partners == {"WLD", "USA", "DEU", "JPN", "KOR", "VNM", "comtrade:899"}
    assert rows(ledger, "SELECT DISTINCT classification, product FROM flows") == [
        ("HS6", "permanent-magnets-hs6")
    ]
    # netWgt empty, qty in kg (unit 8): read; neither: no quantity, so no figure.
    assert rows(ledger, "SELECT quantity_kg FROM flows WHERE partner = 'KOR'") == [(301877.0,)]
    assert rows(ledger, "SELECT quantity_kg FROM flows WHERE partner = 'VNM'") == [(None,)]
    figs = set(rows(ledger, "SELECT partner, period_start FROM figures"))
    assert ("WLD", JUNE) in figs  # partnerCode 0: the world total the file states
    assert ("VNM", JUNE) not in figs
    assert not any(p.startswith("comtrade:") for p, _ in figs)
    assert f.cells_without_quantity == 1


def test_comtrade_tab_separated_and_comtrade_partner_numbers(ledger):
    ingest(ledger, [CT_TAB])
    got = dict(rows(ledger, "SELECT partner, quantity_kg FROM flows"))
    # 842, 251 and 699 are Comtrade's own numbers for the USA, France and India.
    assert got == {"WLD": 5921077.0, "USA": 688102.0, "FRA": 97120.0, "IND": 455430.0}


def test_comtrade_latin1(ledger):
    ingest(ledger, [CT_LATIN1])
    assert rows(ledger, "SELECT encoding FROM releases") == [("latin-1",)]
    assert rows(ledger, "SELECT partner FROM flows") == [("CIV",)]


def test_comtrade_tariff_line_keeps_the_national_nomenclature(ledger):
    report = ingest(ledger, [CT_TARIFF])
    assert report.files[0].format == "comtrade-tariffline"
    got = rows(
        ledger,
        "SELECT reporter, partner, classification, product_code, product, flow FROM flows "
        "WHERE partner = 'CHN' ORDER BY period",
    )
    assert got == [("DEU", "CHN", "CN8-EU", "85051110", None, "import")] * 2
    # The EU's CN 85051110 is not China's 85051110: no figure of China's series.
    assert report.files[0].figures == 0


def test_comext_pivots_indicators_and_reads_the_publication_date(ledger):
    report = ingest(ledger, [COMEXT])
    f = report.files[0]
    assert (f.rows_read, f.rows_loaded, f.figures) == (120, 60, 0)
    assert f.published == dt.date(2026, 2, 16)  # LAST UPDATE
    de = rows(
        ledger,
        "SELECT reporter, partner, classification, quantity_kg, value, currency FROM flows "
        "WHERE reporter = 'DEU' AND period = ?",
        JUNE,
    )
    assert de == [("DEU", "CHN", "CN8-EU", 506250.0, 23945625.0, "EUR")]  # 5062.50 x 100 kg
    reporters = {r[0] for r in rows(ledger, "SELECT DISTINCT reporter FROM flows")}
    assert reporters == {"DEU", "ITA", "NLD", "FRA", "EU27"}


def test_published_option_wins_over_the_file(ledger):
    report = ingest(ledger, [COMEXT], published="2026-03-01")
    assert report.files[0].published == dt.date(2026, 3, 1)
    assert rows(ledger, "SELECT published FROM sources WHERE kind = 'official_release'") == [
        (dt.date(2026, 3, 1),)
    ]


def test_release_source_row_is_an_official_release(ledger):
    ingest(ledger, [CT_FINAL], url="https://comtradeapi.un.org/example")
    (row,) = rows(
        ledger,
        "SELECT source_id, kind, authority, outlet, url, length(content_hash) - 7, dataset, title "
        "FROM sources",
    )
    assert row[:7] == (
        "comtrade-r1",
        "official_release",
        "official",
        "UN Comtrade",
        "https://comtradeapi.un.org/example",
        64,
        "official",
    )
    assert row[7] == (
        "UN Comtrade final data (HS): exports of 850511 reported by China, 2025-05 to 2025-06"
    )


def test_unknown_format_option_is_a_usage_error(ledger):
    from mineralflow import UsageError

    with pytest.raises(UsageError, match="unknown format"):
        ingest(ledger, [CT_FINAL], format="excel")


def test_content_hash_is_sha256_for_small_files_and_a_fingerprint_for_large(tmp_path):
    import hashlib
    import zlib

    from mineralflow.sources.textfile import FULL_HASH_LIMIT, hash_file

    small = tmp_path / "small.csv"
    small.write_bytes(b"a,b\n1,2\n")
    assert hash_file(small) == "sha256:" + hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    data = bytearray(b"x" * (FULL_HASH_LIMIT + 1000))
    big, other = tmp_path / "big.csv", tmp_path / "other.csv"
    big.write_bytes(data)
    data[len(data) // 2] = ord("y")  # one byte in the middle: only the CRC-32 sees it
    other.write_bytes(data)
    first = hash_file(big)
    assert first.startswith(f"crc32:{len(data)}:{zlib.crc32(big.read_bytes()):08x}:")
    assert first == hash_file(big)
    assert first != hash_file(other)
