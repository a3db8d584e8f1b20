"""Property tests of the readers.

- Fuzzing: a valid file of each layout, damaged at random (bytes replaced, cut, lines
  repeated, delimiters and quotes inserted), either loads or raises InputError; no other
  exception escapes, and a failed ingest leaves the ledger as it was.
- What goes in comes out: generated China customs rows (thousands separators, trade modes)
  sum to the flows and figures the ledger holds; commodity codes keep their leading zeros.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineralflow import InputError, Ledger, catalog
from mineralflow.ingestion import ingest

DATA = Path(__file__).parent / "data"
SEEDS = {
    "comtrade": (DATA / "comtrade" / "comtrade-final-CHN-850511-2025-05-06.csv").read_bytes(),
    "china-customs": (DATA / "china-customs" / "2025年6月出口85051110_修订_美元.csv").read_bytes(),
    "comext": b"\n".join(
        (DATA / "comext" / "comext-DS-045409-85051110-imports-from-CN-2025.csv")
        .read_bytes()
        .splitlines()[:21]
    )
    + b"\n",
}
NOISE = st.sampled_from(
    [b",", b"\t", b";", b'"', b"\n", b"\r\n", b"-", b"0", b"9", b".", b" ", b"", b"\xff",
     "千克".encode("gbk"), "美国".encode(), b"WORLD", b"X", b"1e309", b"NaN"]
)  # fmt: skip

_counter = itertools.count()


@st.composite
def damaged(draw: st.DrawFn, seed: bytes) -> bytes:
    data = seed
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "delete", "insert", "cut", "repeat", "swap"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        j = min(len(data), i + draw(st.integers(1, 12)))
        if kind == "replace":
            data = data[:i] + draw(st.binary(min_size=1, max_size=6)) + data[j:]
        elif kind == "delete":
            data = data[:i] + data[j:]
        elif kind == "insert":
            data = data[:i] + b"".join(draw(st.lists(NOISE, min_size=1, max_size=4))) + data[i:]
        elif kind == "cut":
            data = data[:i]
        elif kind == "repeat":
            lines = data.split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[draw(st.integers(0, len(lines) - 1))])
            data = b"\n".join(lines)
        else:
            a, b = draw(
                st.sampled_from([(b",", b"\t"), (b'"', b""), (b"\n", b"\n\n"), (b"1", b"-")])
            )
            data = data.replace(a, b, draw(st.integers(1, 3)))
    return data


@pytest.fixture(scope="module")
def shared_ledger() -> Iterator[Ledger]:
    led = Ledger.memory()
    yield led
    led.close()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mineralflow-fuzz-") as tmp:
        yield Path(tmp)


def _counts(ledger: Ledger) -> tuple[int, ...]:
    return tuple(
        ledger.con.execute(
            "SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM sources), "
            "(SELECT count(*) FROM figures), (SELECT count(*) FROM releases)"
        ).fetchone()
    )


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_damaged_files_load_or_raise_input_error(fmt, data, shared_ledger, workdir):
    content = data.draw(damaged(SEEDS[fmt]))
    path = workdir / f"fuzz-{next(_counter)}-export.csv"
    path.write_bytes(content)
    before = _counts(shared_ledger)
    for mode in ("raise", "collect"):
        failure: InputError | None = None
        try:
            ingest(shared_ledger, [path], format=fmt, on_bad_row=mode, rejects_dir=workdir)
        except InputError as e:
            failure = e
        if failure is None:
            break
        assert "\n" not in str(failure)
        assert Path(str(failure.path)).name == path.name
        assert _counts(shared_ledger) == before


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@pytest.mark.parametrize("damage", ["before the first byte", "after the first comma"])
def test_a_carriage_return_inside_the_header_is_an_input_error(fmt, damage, workdir):
    # Found by the test above: a header line "\rATAFLOW,..." (a stray or old-Mac line break)
    # made the CSV reader raise its own error instead of an InputError.
    seed = SEEDS[fmt]
    i = 0 if damage == "before the first byte" else seed.index(b",") + 1  # between two characters
    path = workdir / f"cr-{fmt}-{damage.replace(' ', '-')}-export.csv"
    path.write_bytes(seed[:i] + b"\r" + seed[i:])
    with Ledger.memory() as led:
        with pytest.raises(InputError, match="carriage return") as raised:
            ingest(led, [path], format=fmt)
        assert _counts(led) == (0, 0, 0, 0)
    assert raised.value.row == 1
    assert Path(str(raised.value.path)).name == path.name


PARTNERS = sorted(
    c.china_customs_code for c in catalog.countries().values() if c.china_customs_code
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(PARTNERS),
            st.integers(1, 12),
            st.sampled_from(["一般贸易", "进料加工贸易", "来料加工装配贸易"]),
            st.integers(0, 10**10),
            st.integers(0, 10**12),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_what_goes_in_comes_out(rows, workdir):
    header = "数据年月,商品编码,贸易伙伴编码,贸易方式名称,第一数量,第一计量单位,美元,"
    lines = [header] + [
        f'2025{m:02d},85051110,{p},{mode},"{kg:,}",千克,"{usd:,}",' for p, m, mode, kg, usd in rows
    ]
    path = workdir / f"roundtrip-{next(_counter)}-出口.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    expected: dict[tuple[str, int], int] = defaultdict(int)
    by_code = {c.china_customs_code: c.code for c in catalog.countries().values()}
    for p, m, _, kg, _ in rows:
        expected[(by_code[p], m)] += kg
    with Ledger.memory() as ledger:
        report = ingest(ledger, [path])
        assert report.files[0].rows_loaded == len(rows)
        got = ledger.con.execute(
            "SELECT partner, month(period), sum(quantity_kg) FROM flows GROUP BY ALL"
        ).fetchall()
        assert {(p, m): kg for p, m, kg in got} == expected
        figures = ledger.con.execute(
            "SELECT partner, month(period_start), value, stated FROM figures"
        ).fetchall()
        assert {(p, m): v for p, m, v, _ in figures} == pytest.approx(
            {k: kg / 1000 for k, kg in expected.items()}
        )
        assert all(s == f"{expected[(p, m)]:,} kg" for p, m, _, s in figures)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(codes=st.lists(st.from_regex(r"0[0-9]{5}", fullmatch=True), min_size=1, max_size=8))
def test_commodity_codes_keep_their_leading_zeros(codes, workdir):
    from mineralflow.sources.comtrade import FINAL_COLUMNS

    base = dict.fromkeys(FINAL_COLUMNS, "")
    base.update(freqCode="M", refPeriodId="20250601", reporterCode="156", partnerCode="842")
    base.update(flowCode="X", partner2Code="0", motCode="0", customsCode="C00", qtyUnitCode="8")
    base.update(netWgt="10", primaryValue="20")
    lines = [",".join(FINAL_COLUMNS)]
    lines += [",".join({**base, "cmdCode": code}[c] for c in FINAL_COLUMNS) for code in codes]
    path = workdir / f"codes-{next(_counter)}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Ledger.memory() as ledger:
        ingest(ledger, [path])
        got = [r[0] for r in ledger.con.execute("SELECT product_code FROM flows").fetchall()]
    assert sorted(got) == sorted(codes)
