"""The engine the official-statistics readers share: stage a file, check it, load its flows,
and record the release with its figures.

A reader (``comtrade``, ``china_customs``, ``comext``) turns a file into a :class:`Plan`:
the DuckDB column types of the file, the SQL that maps a row to a flow (``m_*`` columns over
the file's typed columns ``c``), the checks that mark a bad row, and what to call things.
The engine runs a plan one of two ways, both through DuckDB's CSV reader, never a Python
loop per row:

- **fast**: one ``INSERT INTO flow_rows SELECT ... FROM read_csv(...)``, in parallel,
  streaming (flat memory). The plan's checks as a guard, the table's NOT NULL and CHECK
  constraints and DuckDB's typed CSV reader stop it at the first bad value; the caller then
  rolls back and runs the careful way.
- **careful**: stage the file with row numbers (``row_number() OVER ()`` over a serial read;
  DuckDB's ``store_rejects`` keeps the lines it cannot parse, with line and column), run every
  check as SQL over the staged rows, then raise on the first bad row or load the good ones and
  report the bad (``--on-bad-row warn|collect``).

Line numbers count the header as line 1 and assume no blank lines inside the data (DuckDB
skips those); lines DuckDB rejects carry their exact number.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from .. import catalog
from ..engines import EngineError, scratch_connection
from ..errors import InputError
from .textfile import TextFile

__all__ = [
    "FLOW_CODES",
    "FLOW_COLUMNS",
    "FastPathFailed",
    "LoadResult",
    "OnBadRow",
    "Plan",
    "Reject",
    "RowCheck",
    "load",
    "partner_keys",
    "quoted",
    "record_release",
    "sql_text",
]

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


# -- running a plan -------------------------------------------------------------------------


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


def _register_maps(con: Any, plan: Plan) -> None:
    for name, rows in plan.maps.items():
        staged = pa.Table.from_pylist(rows)
        con.register("_map_rows", staged)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _map_rows")
        finally:
            con.unregister("_map_rows")


def _insert_columns() -> str:
    return ", ".join(("release", *FLOW_COLUMNS))


def load(
    con: Any,
    plan: Plan,
    *,
    release_no: int,
    on_bad_row: OnBadRow,
    careful: bool,
) -> LoadResult:
    """Load the plan's rows into ``flow_rows`` as release ``release_no`` (inside the caller's
    transaction).

    The fast way raises :class:`FastPathFailed` on a bad value; the careful way raises
    :class:`InputError` (``raise``) or loads the good rows and returns the rejects.
    """
    _register_maps(con, plan)
    if plan.fast and not careful:
        return _load_fast(con, plan, release_no)
    return _load_careful(con, plan, release_no, on_bad_row)


def _load_fast(con: Any, plan: Plan, release_no: int) -> LoadResult:
    mapped = ", ".join(f"{expr} AS m_{name}" for name, expr in plan.row_select.items())
    select = ", ".join(f"m_{c}" for c in FLOW_COLUMNS)
    # The plan's checks run here too, as a guard that stops the insert at the first bad
    # row (DuckDB prunes the file's columns no check or mapping uses).
    guard = " OR ".join(f"coalesce(({c.when}), false)" for c in plan.checks if not c.constraint)
    guard = f"CASE WHEN {guard} THEN error('bad row') ELSE true END" if guard else "true"
    sql = (
        f"INSERT INTO flow_rows ({_insert_columns()}) SELECT {release_no}, {select} "
        f"FROM (SELECT c.*, {mapped} FROM {_read_csv(plan)} c {plan.joins} "
        f"WHERE {plan.keep}) c "
        f"WHERE {guard}"
    )
    # DuckDB keeps the blocks it writes cached up to its memory limit, so an ingest's peak
    # memory would grow with the file. A small limit keeps it flat (the caller sets the earlier
    # one back: ingestion.restore_settings): the blocks are on disk already and leave the
    # cache for free.
    # (Only for a ledger file: an in-memory ledger's blocks have nowhere to go.)
    threads, on_disk = con.execute(
        "SELECT current_setting('threads'), path IS NOT NULL AND path <> '' "
        "FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if on_disk:
        con.execute(f"SET memory_limit = '{max(192, 96 * int(threads))}MB'")
    # Flows have no order to keep, and without it DuckDB appends from every thread directly.
    con.execute("SET preserve_insertion_order = false")
    with tempfile.TemporaryDirectory(prefix="mineralflow-profile-") as tmp:
        # DuckDB's profiler counts the rows the CSV reader produced: the rows read, for free.
        profile = Path(tmp) / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = {sql_text(str(profile))}")
        try:
            row = con.execute(sql).fetchone()
        except EngineError as e:
            # The transaction is aborted: the caller rolls back, then stops the profiler.
            raise FastPathFailed(plan.file.path, str(e).splitlines()[0]) from None
        con.execute("PRAGMA disable_profiling")
        read = _rows_scanned(profile)
    loaded = int(row[0]) if row else 0
    if loaded == 0:
        # Say why (no data rows, or every row left out) the careful way.
        raise FastPathFailed(plan.file.path, "no rows loaded")
    left_out = read - loaded if read is not None else None
    return LoadResult(loaded=loaded, left_out=left_out, read=read, rejects=[])


def _rows_scanned(profile: Path) -> int | None:
    """The cardinality of the READ_CSV scan in a DuckDB JSON profile."""
    try:
        tree = json.loads(profile.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.get("operator_name") == "READ_CSV" or "READ_CSV" in str(
            node.get("extra_info", {}).get("Function", "")
        ):
            return int(node.get("operator_cardinality", 0))
        stack.extend(node.get("children", []))
    return None


_REJECT_WORDS = {
    "CAST": "cannot read {value} as {kind}",
    "MISSING COLUMNS": "the row has fewer fields than the header ({fields} of {expected})",
    "TOO MANY COLUMNS": "the row has more fields than the header ({fields} of {expected})",
    "UNQUOTED VALUE": "a quote character inside a field that is not quoted",
    "LINE SIZE OVER MAXIMUM": "the line is longer than DuckDB's maximum line size",
    "INVALID ENCODING": "the line is not valid {encoding} text",
    "INVALID STATE": "the line cannot be parsed as CSV",
}
_REJECT_FIX = {
    "MISSING COLUMNS": (
        "the file may be cut short or the row broken over two lines; download or export it again"
    ),
    "TOO MANY COLUMNS": (
        "quote values that contain the delimiter, and check the whole file uses one delimiter"
    ),
    "UNQUOTED VALUE": "quote the whole field, and double quotes inside it",
    "LINE SIZE OVER MAXIMUM": "check the file's line breaks; export it again",
    "INVALID ENCODING": "save the file in one encoding (UTF-8), or export it again",
    "INVALID STATE": "export the file again",
}
_KIND = {
    "DOUBLE": "a number",
    "INTEGER": "a whole number",
    "BIGINT": "a whole number",
    "DATE": "a date",
    "VARCHAR": "text",
}


def _reject_from_duckdb(plan: Plan, row: tuple[Any, ...]) -> Reject:
    line, column, error_type, csv_line, message = row
    tf = plan.file
    csv_line = (csv_line or "").replace("\r", "").rstrip("\n")
    try:
        fields = next(csv.reader([csv_line], delimiter=tf.delimiter), []) if csv_line else []
    except csv.Error:
        fields = csv_line.split(tf.delimiter)
    if csv_line.strip() == tf.header_text.strip() or [f.strip() for f in fields] == tf.header:
        return Reject(
            line,
            column or (tf.header[0] if tf.header else None),
            "the line repeats the header row (two files joined together?)",
            "remove the repeated header line, or ingest the files one by one",
            csv_line,
        )
    names = list(plan.columns)
    value = ""
    if column in names:
        index = names.index(column)
        value = repr(fields[index]) if index < len(fields) else "''"
    template = _REJECT_WORDS.get(error_type, "cannot read the line ({message})")
    problem = template.format(
        value=value,
        kind=_KIND.get(plan.columns.get(column or "", ""), "a value of this column"),
        fields=len(fields),
        expected=len(names),
        encoding="UTF-8" if tf.duckdb_encoding == "utf-8" else tf.duckdb_encoding,
        message=str(message).splitlines()[0] if message else error_type,
    )
    fix = (
        plan.column_fix.get(column or "", "")
        if error_type == "CAST"
        else _REJECT_FIX.get(error_type, "")
    ) or "correct the value, or load the other rows with --on-bad-row collect"
    if error_type == "TOO MANY COLUMNS":
        column = names[-1] if names else None
    return Reject(line, column, problem, fix, csv_line)


def _dropped_lines(con: Any, plan: Plan, token: str, rejected: int) -> list[Reject]:
    """Lines DuckDB's strict reader skips without a reject record (a quote left open at the
    end of a cut file): found by reading again leniently and comparing the counts."""
    staged = con.execute("SELECT count(*) FROM _staged").fetchone()[0]
    lenient = _read_csv(plan, rejects=(f"_rejl_{token}", f"_rejlscan_{token}"))
    lenient = lenient[:-1] + ", strict_mode=false)"
    read = con.execute(f"SELECT count(*) FROM {lenient}").fetchone()[0]
    lines = con.execute(f"SELECT count(DISTINCT line) FROM _rejl_{token}").fetchone()[0]
    if read + lines <= staged + rejected:
        return []
    scratch = scratch_connection()
    try:
        scratch.execute(f"SELECT count(*) FROM {_read_csv(plan)}")
    except EngineError as e:
        text = str(e)
        found = re.search(r"CSV Error on Line: (\d+)", text)
        if found:
            original = re.search(r"Original Line: \n?(.*)", text)
            raw = original.group(1).rstrip("\r") if original else ""
            column = _open_quote_column(plan, raw)
            problem = (
                "a quote opened in this field is never closed"
                if "unterminated quote" in text
                else f"the line cannot be read ({text.splitlines()[0]})"
            )
            return [
                Reject(
                    int(found.group(1)),
                    column,
                    problem,
                    "close the quote, or download or export the file again (it may be cut short)",
                    raw,
                )
            ]
    finally:
        scratch.close()
    return []


def _read_failure(plan: Plan, error: Exception) -> InputError:
    """An InputError for a file DuckDB's reader gives up on, at the line it names."""
    text = str(error)
    found = re.search(r"Line: (\d+)", text)
    original = re.search(r"Original Line: \n?(.*)", text)
    column = _open_quote_column(plan, original.group(1)) if original else None
    names = list(plan.columns)
    first = text.splitlines()[0].removeprefix("Invalid Input Error: ")
    return InputError(
        f"cannot read the file as CSV ({first})",
        path=plan.file.path,
        row=int(found.group(1)) if found else 1,
        column=column or (names[0] if names else None),
        fix="check it is a CSV export in the expected layout, with balanced quotes",
    )


def _open_quote_column(plan: Plan, raw: str) -> str | None:
    """The header name of the field in which ``raw`` leaves a quote open."""
    inside, opened_at, fields = False, None, 0
    for ch in raw:
        if ch == '"':
            inside = not inside
            opened_at = fields if inside else None
        elif ch == plan.file.delimiter and not inside:
            fields += 1
    names = list(plan.columns)
    if opened_at is not None and opened_at < len(names):
        return names[opened_at]
    return None


def _load_careful(con: Any, plan: Plan, release_no: int, on_bad_row: OnBadRow) -> LoadResult:
    token = hashlib.sha256(f"{release_no}{plan.file.path}".encode()).hexdigest()[:8]
    rejects_table, rejects_scan = f"_rej_{token}", f"_rejscan_{token}"
    tf = plan.file
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _staged AS SELECT row_number() OVER () AS _row, * "
            f"FROM {_read_csv(plan, rejects=(rejects_table, rejects_scan))}"
        )
        raw_rejects = con.execute(
            "SELECT line, column_name, error_type, csv_line, error_message "
            f"FROM {rejects_table} ORDER BY line, "
            "error_type NOT IN ('MISSING COLUMNS', 'TOO MANY COLUMNS'), column_idx"
        ).fetchall()
    except EngineError as e:
        raise _read_failure(plan, e) from None
    duck_rejects: dict[int, Reject] = {}
    for r in raw_rejects:
        duck_rejects.setdefault(int(r[0]), _reject_from_duckdb(plan, r))
    for r in _dropped_lines(con, plan, token, len(duck_rejects)):
        duck_rejects.setdefault(r.line, r)
    header = 1
    if duck_rejects:
        # The k-th staged row sits after every rejected line r_i with r_i - i - header < k.
        adj = [line - i - header for i, line in enumerate(sorted(duck_rejects), start=1)]
        con.register("_rejected_lines", pa.table({"adj": pa.array(adj, pa.int64())}))
        line_sql = (
            f"c._row + {header} + (SELECT count(*) FROM _rejected_lines j WHERE j.adj < c._row)"
        )
    else:
        line_sql = f"c._row + {header}"
    mapped = ", ".join(f"{expr} AS m_{name}" for name, expr in plan.row_select.items())
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _mapped AS SELECT {line_sql} AS _line, c.*, {mapped} "
        f"FROM _staged c {plan.joins}"
    )
    if duck_rejects:
        con.unregister("_rejected_lines")
    staged = con.execute("SELECT count(*) FROM _staged").fetchone()[0]
    read = staged + len(duck_rejects)
    if read == 0:
        raise InputError(
            "the file has a header but no data rows",
            path=tf.path,
            row=2,
            column=tf.header[0] if tf.header else None,
            fix="check the query or download returned rows; nothing was loaded",
        )
    checks = plan.checks
    keep = f"coalesce(({plan.keep}), false)"
    flags = [f"coalesce(({c.when}), false)" for c in checks]
    published = None
    if plan.published_sql:
        published = con.execute(f"SELECT {plan.published_sql} FROM _staged c").fetchone()[0]
    if on_bad_row == "raise":
        firsts = (
            con.execute(
                "SELECT "
                + ", ".join(f"min(_line) FILTER (WHERE {keep} AND {f})" for f in flags)
                + " FROM _mapped c"
            ).fetchone()
            if flags
            else ()
        )
        candidates = [(line, i) for i, line in enumerate(firsts) if line is not None]
        first_check = min(candidates) if candidates else None
        first_reject = min(duck_rejects) if duck_rejects else None
        if first_reject is not None and (first_check is None or first_reject <= first_check[0]):
            r = duck_rejects[first_reject]
            raise InputError(r.problem, path=tf.path, row=r.line, column=r.column, fix=r.fix)
        if first_check is not None:
            line, i = first_check
            check = checks[i]
            problem = con.execute(
                f"SELECT {check.problem} FROM _mapped c WHERE _line = ? AND {flags[i]} LIMIT 1",
                [line],
            ).fetchone()[0]
            raise InputError(problem, path=tf.path, row=line, column=check.column, fix=check.fix)
    rejects = list(duck_rejects.values())
    if flags:
        which = " ".join(f"WHEN {f} THEN {i}" for i, f in enumerate(flags))
        words = " ".join(f"WHEN {f} THEN {c.problem}" for f, c in zip(flags, checks, strict=True))
        bad_rows = con.execute(
            f"SELECT _line, CASE {which} END, CASE {words} END FROM _mapped c "
            f"WHERE {keep} AND ({' OR '.join(flags)}) ORDER BY _line"
        ).fetchall()
        rejects += [
            Reject(line, checks[i].column, problem, checks[i].fix) for line, i, problem in bad_rows
        ]
    rejects.sort(key=lambda r: r.line)
    good = f"{keep}" + (f" AND NOT ({' OR '.join(flags)})" if flags else "")
    if plan.flows_select:
        select = plan.flows_select.format(where=good)
    else:
        select = (
            "SELECT " + ", ".join(f"m_{n}" for n in FLOW_COLUMNS) + f" FROM _mapped c WHERE {good}"
        )
    try:
        loaded = con.execute(
            f"INSERT INTO flow_rows ({_insert_columns()}) SELECT {release_no}, * FROM ({select})"
        ).fetchone()[0]
    except EngineError as e:
        # A check the plan lacks; still name the file, and keep the ledger as it was.
        raise InputError(
            f"a row breaks a rule of the ledger ({str(e).splitlines()[0]})",
            path=tf.path,
            row=None,
            fix="report this file to the mineralflow developers",
        ) from None
    left_out = con.execute(f"SELECT count(*) FROM _mapped c WHERE NOT {keep}").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _mapped")
    con.execute("DROP TABLE IF EXISTS _staged")
    if loaded == 0:
        if rejects:
            raise InputError(
                f"no row could be loaded: all {len(rejects)} data rows are bad "
                f"(first: {rejects[0].problem})",
                path=tf.path,
                row=rejects[0].line,
                column=rejects[0].column,
                fix=rejects[0].fix,
            )
        raise InputError(
            f"nothing to load: all {left_out} data rows are {plan.left_out_words}",
            path=tf.path,
            row=2,
            column=tf.header[0] if tf.header else None,
            fix="download the totals, not only their breakdowns",
        )
    if rejects:
        _attach_text(tf, rejects)
    return LoadResult(
        loaded=int(loaded),
        left_out=int(left_out),
        read=int(read),
        rejects=rejects,
        published=published,
    )


def _attach_text(tf: TextFile, rejects: list[Reject]) -> None:
    """Fill in the text of rejected lines (error path only: one pass over the lines)."""
    wanted = {r.line for r in rejects if not r.text}
    if not wanted:
        return
    found: dict[int, str] = {}
    last = max(wanted)
    with tf.read_path.open(encoding=tf.duckdb_encoding.replace("utf-8", "utf-8-sig")) as f:
        for number, text in enumerate(itertools.islice(f, last), start=1):
            if number in wanted:
                found[number] = text.rstrip("\r\n")
    for i, r in enumerate(rejects):
        if not r.text and r.line in found:
            rejects[i] = Reject(r.line, r.column, r.problem, r.fix, found[r.line])


def write_rejects(path: Path, source: Path, rejects: Sequence[Reject]) -> None:
    """The reject file: one row per bad line, with the line as it stands in the source."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "line", "column", "problem", "fix", "text"])
    for r in rejects:
        writer.writerow([source.name, r.line, r.column or "", r.problem, r.fix, r.text])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# -- the release: periods, figures, sources row ---------------------------------------------


def _decimals(kg: float) -> int:
    for d in range(4):
        if abs(kg - round(kg, d)) < 1e-6:
            return d
    return 3


def stated_kg(kg: float) -> tuple[str, float]:
    """How a kg figure is written, and its resolution in tonnes (its last digit)."""
    d = _decimals(kg)
    return f"{kg:,.{d}f} kg", 10.0**-d / 1000


def figure_id(source_id: str, cell: dict[str, Any]) -> str:
    key = "|".join(
        str(cell[k])
        for k in ("reporter", "partner", "product", "flow", "period", "period_end", "product_code")
    )
    return "f-" + hashlib.sha256(f"{source_id}|{key}|level".encode()).hexdigest()[:16]


FLOW_NAMES = {code: name for name, code in FLOW_CODES.items()}


def release_figures(
    con: Any, plan: Plan, release_id: str, release_no: int
) -> tuple[list[dict[str, Any]], int]:
    """The official figures of a release: one level in tonnes per cell whose product maps
    exactly to a catalog product, summed over trade modes, for catalog partners only (never
    summing partners into a world total). Returns the figures and the cells skipped because
    a row had no quantity."""
    known = set(catalog.countries())
    exact = [r for r in catalog.read_table("product_codes.csv") if r["relation"] == "exact"]
    if not exact:
        return [], 0
    codes = ", ".join(sorted({sql_text(r["code"]) for r in exact}))
    cells = con.execute(
        "WITH exact AS (SELECT classification, code, min(product) AS product "
        "FROM catalog_product_codes WHERE relation = 'exact' GROUP BY ALL) "
        "SELECT rep.code, par.code, e.product, f.flow, f.period, f.period_end, "
        "f.classification, f.product_code, sum(f.quantity_kg), count(*), "
        "count(f.quantity_kg), count(DISTINCT f.trade_mode) "
        "FROM flow_rows f "
        "JOIN exact e ON e.classification = f.classification AND e.code = f.product_code "
        "JOIN partner_keys rep ON rep.key = f.reporter "
        "JOIN partner_keys par ON par.key = f.partner "
        f"WHERE f.release = ? AND f.product_code IN ({codes}) AND f.flow IN (1, 2) "
        "GROUP BY ALL ORDER BY ALL",
        [release_no],
    ).fetchall()
    names: tuple[str, ...] = ("reporter", "partner", "product", "flow", "period", "period_end")
    names += ("classification", "product_code", "kg", "n", "nq", "modes")
    figures = []
    skipped = 0
    for values in cells:
        cell = dict(zip(names, values, strict=True))
        cell["flow"] = FLOW_NAMES[cell["flow"]]
        if cell["reporter"] not in known or cell["partner"] not in known:
            continue
        if cell["nq"] < cell["n"] or cell["kg"] is None:
            skipped += 1
            continue
        stated, resolution = stated_kg(float(cell["kg"]))
        figures.append(
            {
                "figure_id": figure_id(release_id, cell),
                "source_id": release_id,
                "reporter": cell["reporter"],
                "partner": cell["partner"],
                "product": cell["product"],
                "flow": cell["flow"],
                "period_start": cell["period"],
                "period_end": cell["period_end"],
                "measure": "level",
                "value": float(cell["kg"]) / 1000,
                "unit": "t",
                "stated": stated,
                "resolution": resolution,
                "qualifier": "exact",
                "locator": plan.locator(cell),
                "note": (
                    f"{cell['classification']} {cell['product_code']}; the sum of "
                    f"{cell['n']} rows over {cell['modes']} trade modes"
                    if cell["modes"] > 1
                    else f"{cell['classification']} {cell['product_code']}"
                ),
            }
        )
    return figures, skipped


def _span(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return "no periods"
    a, b = f"{first:%Y-%m}", f"{last:%Y-%m}"
    return a if a == b else f"{a} to {b}"


PLURAL = {"export": "exports", "import": "imports", "re-export": "re-exports"}
PLURAL["re-import"] = "re-imports"


def _listed(items: Sequence[str], many: str, limit: int = 3) -> str:
    return ", ".join(items) if len(items) <= limit else f"{len(items)} {many}"


def record_release(
    con: Any,
    plan: Plan,
    *,
    release_id: str,
    release_no: int,
    result: LoadResult,
    content_hash: str,
    published: dt.date | None,
    url: str | None,
    ingested_at: dt.datetime,
) -> dict[str, Any]:
    """Write the release's periods, figures, sources row and releases row; return a summary."""
    flow_name = " ".join(f"WHEN {code} THEN {sql_text(name)}" for code, name in FLOW_NAMES.items())
    con.execute(
        f"INSERT INTO release_periods SELECT ?, k.code, CASE g.flow {flow_name} END, g.period, "
        "g.period_end, g.n FROM (SELECT reporter, flow, period, period_end, count(*) AS n "
        "FROM flow_rows WHERE release = ? GROUP BY ALL) g "
        "JOIN partner_keys k ON k.key = g.reporter",
        [release_id, release_no],
    )
    first, last = con.execute(
        "SELECT min(period), max(period_end) FROM release_periods WHERE source_id = ?",
        [release_id],
    ).fetchone()
    reporters = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT reporter FROM release_periods WHERE source_id = ? ORDER BY 1",
            [release_id],
        ).fetchall()
    ]
    flows = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT flow FROM release_periods WHERE source_id = ? ORDER BY 1",
            [release_id],
        ).fetchall()
    ]
    # The codes a title names: from the first rows only (a file of many codes shows many
    # within them), so a release of tens of millions of rows is not scanned again for this.
    codes = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT product_code FROM (SELECT product_code FROM flow_rows "
            "WHERE release = ? LIMIT 100000) ORDER BY 1 LIMIT 4",
            [release_no],
        ).fetchall()
    ]
    figures, skipped = release_figures(con, plan, release_id, release_no)
    if figures:
        staged = pa.Table.from_pylist(figures)
        con.register("_figures_rows", staged)
        try:
            columns = ", ".join(figures[0])
            con.execute(f"INSERT INTO figures ({columns}) SELECT {columns} FROM _figures_rows")
        finally:
            con.unregister("_figures_rows")
    code_words = _listed(codes, "codes") if len(codes) < 4 else "many codes"
    names = [catalog.partner_name(r) for r in reporters]
    title = (
        f"{plan.layout}: {' and '.join(PLURAL.get(f, f) for f in flows)} of {code_words} "
        f"reported by {_listed(names, 'reporters')}, {_span(first, last)}"
    )
    tf = plan.file
    note = f"read from the file {tf.name} ({tf.size:,} bytes, {tf.encoding})"
    if not url:
        note += ", downloaded or exported by hand; no URL recorded"
    con.execute(
        "INSERT INTO sources (source_id, kind, authority, outlet, original_publisher, title, "
        "url, published, ingested_at, content_hash, dataset, note) "
        "VALUES (?, 'official_release', 'official', ?, NULL, ?, ?, ?, ?, ?, 'official', ?)",
        [release_id, plan.outlet, title, url or None, published, ingested_at, content_hash, note],
    )
    read = result.read
    left_out = result.left_out
    if left_out is None and read is not None:
        left_out = max(read - result.loaded, 0)
    con.execute(
        "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            release_id,
            release_no,
            plan.publisher,
            plan.format,
            plan.currency,
            tf.name,
            tf.size,
            tf.encoding,
            read,
            result.loaded,
            len(result.rejects),
            left_out,
            len(figures),
            skipped,
        ],
    )
    return {
        "title": title,
        "first": first,
        "last": last,
        "figures": len(figures),
        "cells_without_quantity": skipped,
        "read": read,
        "left_out": left_out,
    }
