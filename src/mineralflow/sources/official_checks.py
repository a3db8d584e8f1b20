"""Bad rows and what a user is told about them: the words and fixes for the lines DuckDB's
CSV reader rejects, the lines its strict reader drops without a record, a file it gives up
on, the text of rejected lines, and the reject file (``--on-bad-row collect``). The checks a
plan's own rules run are SQL in :func:`.official.load`; this module turns what fails into
:class:`~.official_plan.Reject` rows and :class:`~mineralflow.errors.InputError` messages."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engines import EngineError, scratch_connection
from ..errors import InputError
from .official_plan import Plan, Reject, _read_csv
from .textfile import TextFile

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


def reject_from_duckdb(plan: Plan, row: tuple[Any, ...]) -> Reject:
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


def dropped_lines(con: Any, plan: Plan, token: str, rejected: int) -> list[Reject]:
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


def read_failure(plan: Plan, error: Exception) -> InputError:
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


def attach_text(tf: TextFile, rejects: list[Reject]) -> None:
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
