"""What an official-statistics reader hands the loading engine (:mod:`.official`): the
:class:`Plan` of a file, its :class:`RowCheck` rules, the :class:`Reject` a bad row becomes, the
flow codes and partner keys of ``flow_rows``, SQL quoting, and the ``read_csv`` call a plan
reads its file with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from .. import catalog
from ..errors import InputError
from .textfile import TextFile

OnBadRow = Literal["raise", "warn", "collect"]

# The flow_rows columns a plan's ``row_select`` provides, in table order (the release number
# comes first). reporter and partner are partner keys, flow a FLOW_CODES number.
FLOW_COLUMNS = (
    "reporter",
    "partner",
    "classification",
    "product_code",
    "flow",
    "period",
    "period_end",
    "quantity_kg",
    "value",
    "trade_mode",
)
FLOW_CODES = {"export": 1, "import": 2, "re-export": 3, "re-import": 4}

# Partner keys are fixed numbers, so rows written by any version keep their meaning: the
# M49 number of a country or region (WLD is 0), these for the aggregates without one, and
# 10000 + the code for Comtrade's residual areas, 20000 + the code for China customs' special
# codes, 30000 + the row number in comext_partner_codes.csv for Eurostat's (append only).
AGGREGATE_KEYS = {"EU27": 1000, "REG_NORTH_AMERICA": 1001}


def partner_keys() -> dict[str, int]:
    """Every partner code a reader can write, with its key in ``flow_rows``."""
    keys: dict[str, int] = {}
    for c in catalog.countries().values():
        keys[c.code] = int(c.m49) if c.m49 else AGGREGATE_KEYS[c.code]
    for r in catalog.read_table("comtrade_partner_codes.csv", "data/official"):
        if not r["partner"]:
            keys[f"comtrade:{r['code']}"] = 10000 + int(r["code"])
    for r in catalog.read_table("china_customs_partner_codes.csv", "data/official"):
        if r["code"] and not r["partner"]:
            keys[f"gac:{r['code']}"] = 20000 + int(r["code"])
    for i, r in enumerate(catalog.read_table("comext_partner_codes.csv", "data/official")):
        if not r["partner"]:
            keys[f"comext:{r['code']}"] = 30000 + i
    return keys


def sync_partner_keys(con: Any) -> None:
    """Make the ledger's partner_keys hold every key (inside the caller's transaction)."""
    rows = [{"key": k, "code": c} for c, k in partner_keys().items()]
    con.register("_partner_key_rows", pa.Table.from_pylist(rows))
    try:
        con.execute(
            "INSERT INTO partner_keys SELECT key, code FROM _partner_key_rows "
            "ON CONFLICT (key) DO NOTHING"
        )
    finally:
        con.unregister("_partner_key_rows")


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def quoted(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class RowCheck:
    """One rule a row must keep. ``when`` is SQL over the mapped rows (the file's columns as
    ``c."name"`` were staged, the mapping as ``m_*``); true marks the row bad. ``problem`` is
    SQL giving the words for that row (it may quote the row's value)."""

    column: str
    when: str
    problem: str
    fix: str
    # True when a constraint of the flows table (NOT NULL, CHECK) already stops the fast load
    # on such a row, so the fast load's guard need not test it again.
    constraint: bool = False


@dataclass
class Plan:
    """How one file becomes flows; a reader makes it, the engine runs it."""

    file: TextFile
    format: str  # comtrade-final, comtrade-tariffline, china-customs, comext
    layout: str  # words for the layout, in titles
    publisher: str  # short: GAC, UN Comtrade, Eurostat
    outlet: str  # the sources.outlet of the release
    prefix: str  # release ids are <prefix>-r<n>
    currency: str  # of every value in the file
    columns: dict[str, str]  # every column of the file, in order -> DuckDB type
    row_select: dict[str, str]  # FLOW_COLUMNS (and helpers) -> SQL over c and the joins
    checks: list[RowCheck]
    joins: str = ""
    keep: str = "true"  # rows loaded; the others are left out on purpose (not errors)
    left_out_words: str = "rows"
    flows_select: str | None = None  # a grouping SELECT over _mapped (pivoted layouts)
    fast: bool = False
    dateformat: str | None = None
    thousands: str | None = None
    maps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    published_sql: str | None = None  # SQL aggregate over c giving a publication DATE
    column_fix: dict[str, str] = field(default_factory=dict)  # fix text per file column
    locator: Callable[[dict[str, Any]], str] = lambda cell: ""


@dataclass(frozen=True)
class Reject:
    """A row that was not loaded: where, what, and the line as it stands in the file."""

    line: int
    column: str | None
    problem: str
    fix: str
    text: str = ""

    def message(self, path: Path) -> str:
        return str(
            InputError(self.problem, path=path, row=self.line, column=self.column, fix=self.fix)
        )


@dataclass
class LoadResult:
    loaded: int
    left_out: int | None
    read: int | None
    rejects: list[Reject]
    published: dt.date | None = None


class FastPathFailed(Exception):
    """The fast load stopped on a bad value; the caller rolls back and loads carefully."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


# -- reading a plan's file ------------------------------------------------------------------


def _read_csv(plan: Plan, *, rejects: tuple[str, str] | None = None) -> str:
    spec = ", ".join(f"{sql_text(n)}: {sql_text(t)}" for n, t in plan.columns.items())
    tf = plan.file
    opts = [
        sql_text(str(tf.read_path)),
        f"columns={{{spec}}}",
        "header=true",
        "auto_detect=false",
        f"delim={sql_text(tf.delimiter)}",
        "quote='\"'",
        "escape='\"'",
        f"encoding={sql_text(tf.duckdb_encoding)}",
    ]
    if plan.dateformat:
        opts.append(f"dateformat={sql_text(plan.dateformat)}")
    if plan.thousands:
        opts.append(f"thousands={sql_text(plan.thousands)}")
    if rejects:
        # Serial, so row_number() follows the file; rejects keep their exact line numbers.
        opts += [
            "parallel=false",
            "store_rejects=true",
            "ignore_errors=true",
            f"rejects_table={sql_text(rejects[0])}",
            f"rejects_scan={sql_text(rejects[1])}",
        ]
    return f"read_csv({', '.join(opts)})"
