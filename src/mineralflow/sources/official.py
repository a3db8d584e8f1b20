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

The plan and its parts are in :mod:`.official_plan`, what a bad row becomes and the messages
about it in :mod:`.official_checks`, and the release's bookkeeping (periods, figures, sources
row) in :mod:`.official_release`; their names are importable from here as before.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..engines import EngineError
from ..errors import InputError
from .official_checks import attach_text, dropped_lines, read_failure, reject_from_duckdb
from .official_checks import write_rejects as write_rejects
from .official_plan import AGGREGATE_KEYS as AGGREGATE_KEYS
from .official_plan import (
    FLOW_CODES,
    FLOW_COLUMNS,
    FastPathFailed,
    LoadResult,
    OnBadRow,
    Plan,
    Reject,
    RowCheck,
    _read_csv,
    partner_keys,
    quoted,
    sql_text,
)
from .official_plan import sync_partner_keys as sync_partner_keys
from .official_release import record_release

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


# -- running a plan -------------------------------------------------------------------------


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
        raise read_failure(plan, e) from None
    duck_rejects: dict[int, Reject] = {}
    for r in raw_rejects:
        duck_rejects.setdefault(int(r[0]), reject_from_duckdb(plan, r))
    for r in dropped_lines(con, plan, token, len(duck_rejects)):
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
        attach_text(tf, rejects)
    return LoadResult(
        loaded=int(loaded),
        left_out=int(left_out),
        read=int(read),
        rejects=rejects,
        published=published,
    )
