"""Ingest official statistics files into the ledger: each file one release, all in one
transaction.

    >>> from mineralflow import Ledger, ingest
    >>> with Ledger.open("mineralflow.duckdb") as ledger:          # doctest: +SKIP
    ...     report = ingest(ledger, ["2025年出口稀土永磁.csv"], published="2026-01-20")
    ...     print(report.files[0].release_id, report.files[0].rows_loaded)

The same file twice (same bytes) is a no-op. A file that restates periods already loaded is
a new vintage beside the old one (:mod:`mineralflow.releases` says which is in force).
Bad input raises :class:`~mineralflow.errors.InputError` naming file, line, column and fix,
and leaves the ledger as it was; ``on_bad_row="collect"`` loads the good rows and writes the
bad ones to ``<file>.rejects.csv``, ``"warn"`` loads the good rows and reports the bad.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import InputError, UsageError
from .ledger import Ledger
from .periods import parse_date
from .sources import china_customs, comext, comtrade
from .sources.official import (
    FastPathFailed,
    OnBadRow,
    Plan,
    Reject,
    load,
    record_release,
    sync_partner_keys,
)
from .sources.official import write_rejects as _write_rejects
from .sources.textfile import UTF8_BOM, TextFile, hash_file, open_text

__all__ = ["FORMATS", "FileReport", "IngestReport", "Progress", "detect_format", "ingest"]

READERS: dict[str, ModuleType] = {
    "comtrade": comtrade,
    "china-customs": china_customs,
    "comext": comext,
}
FORMATS = ("auto", *READERS)
ENCODINGS = {
    "comtrade": ("utf-8", "latin-1"),
    "china-customs": ("utf-8", "gb18030"),
    "comext": ("utf-8", "latin-1"),
}
FIRST_COLUMN = {"comtrade": "typeCode", "china-customs": "数据年月", "comext": "DATAFLOW"}
BAD_ROW_MODES = ("raise", "warn", "collect")

Progress = Callable[[Path, float], None]
"""Called with the file and the fraction done (0 to 1) while a large file loads."""


@dataclass
class FileReport:
    """What the ingest did with one file."""

    path: Path
    format: str
    release_id: str | None = None
    duplicate_of: str | None = None
    title: str = ""
    published: dt.date | None = None
    rows_read: int | None = None
    rows_loaded: int = 0
    rows_left_out: int | None = None
    left_out_words: str = ""
    figures: int = 0
    cells_without_quantity: int = 0
    first_period: dt.date | None = None
    last_period: dt.date | None = None
    revises: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rejects_file: Path | None = None

    @property
    def warnings(self) -> list[str]:
        """One line per rejected row: file, line, column, problem, fix."""
        return [r.message(self.path) for r in self.rejects]


@dataclass
class IngestReport:
    """What one ingest did: a :class:`FileReport` per file, in the order given."""

    files: list[FileReport]

    @property
    def changed(self) -> bool:
        return any(f.release_id for f in self.files)


def detect_format(path: Path) -> str:
    """The reader for a file, from its header row (UTF-8, then GB18030)."""
    try:
        with path.open("rb") as f:
            first = f.read(64 * 1024).split(b"\n", 1)[0].removeprefix(UTF8_BOM)
    except OSError as e:
        raise InputError(
            f"cannot read the file ({e.strerror})", path=path, fix="check the path"
        ) from None
    if not first.strip():
        raise InputError(
            "the file is empty or starts with an empty line, so its layout is unknown",
            path=path,
            row=1,
            fix="export the file again, or pass --format",
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            text = first.decode(encoding).rstrip("\r")
        except UnicodeDecodeError:
            continue
        header = [h.strip().strip('"') for h in text.split("\t" if "\t" in text else ",")]
        for name, reader in READERS.items():
            if reader.matches(header):
                return name
    raise InputError(
        "the header matches none of the known layouts (UN Comtrade final or tariff-line, "
        "China customs query export, Eurostat Comext SDMX-CSV)",
        path=path,
        row=1,
        fix="pass --format, and check the file's encoding and delimiter",
    )


class _Hasher:
    """Hashes a file in a thread while DuckDB reads it (both release the GIL)."""

    def __init__(self, path: Path) -> None:
        self.result: str | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        self.result = hash_file(path)

    def join(self) -> str:
        self._thread.join()
        assert self.result is not None
        return self.result


class _Poller:
    """Reports DuckDB's progress on the running query to a callback."""

    def __init__(self, con: Any, path: Path, progress: Progress | None) -> None:
        self.con, self.path, self.progress = con, path, progress
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Poller:
        if self.progress is not None:
            self.con.execute("SET enable_progress_bar = true")
            self.con.execute("SET enable_progress_bar_print = false")
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        assert self.progress is not None
        while not self._stop.wait(0.2):
            done = self.con.query_progress()
            if done >= 0:
                self.progress(self.path, min(done, 100.0) / 100)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.con.execute("SET enable_progress_bar = false")
            assert self.progress is not None
            self.progress(self.path, 1.0)


def _next_release(con: Any, prefix: str) -> tuple[str, int]:
    """The next release id of a publisher (``gac-r3``) and the next release number."""
    row = con.execute(
        "SELECT max(CAST(regexp_extract(source_id, '-r([0-9]+)$', 1) AS INTEGER)) "
        "FILTER (WHERE source_id LIKE ?), max(release_no) FROM releases",
        [f"{prefix}-r%"],
    ).fetchone()
    return f"{prefix}-r{(row[0] or 0) + 1}", (row[1] or 0) + 1


def _ingest_one(
    con: Any,
    tf: TextFile,
    plan: Plan,
    *,
    careful: bool,
    on_bad_row: OnBadRow,
    published: dt.date | None,
    url: str | None,
    progress: Progress | None,
) -> FileReport:
    report = FileReport(path=tf.path, format=plan.format, left_out_words=plan.left_out_words)
    content_hash = tf.content_hash
    if content_hash is None:
        same_size = con.execute(
            "SELECT count(*) FROM releases WHERE file_bytes = ?", [tf.size]
        ).fetchone()[0]
        if same_size:
            # Only a file of the same size can be the same file: hash it before loading.
            content_hash = hash_file(tf.path)
    if content_hash is not None:
        dup = con.execute(
            "SELECT source_id FROM sources WHERE kind = 'official_release' AND content_hash = ?",
            [content_hash],
        ).fetchone()
        if dup:
            report.duplicate_of = dup[0]
            return report
    release_id, release_no = _next_release(con, plan.prefix)
    hasher = _Hasher(tf.path) if content_hash is None else None
    with _Poller(con, tf.path, progress if tf.size > 8 << 20 else None):
        result = load(con, plan, release_no=release_no, on_bad_row=on_bad_row, careful=careful)
    if hasher is not None:
        content_hash = hasher.join()
    assert content_hash is not None
    published = published or result.published
    summary = record_release(
        con,
        plan,
        release_id=release_id,
        release_no=release_no,
        result=result,
        content_hash=content_hash,
        published=published,
        url=url,
        ingested_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    report.release_id = release_id
    report.title = summary["title"]
    report.published = published
    report.rows_read = summary["read"]
    report.rows_loaded = result.loaded
    report.rows_left_out = summary["left_out"]
    report.figures = summary["figures"]
    report.cells_without_quantity = summary["cells_without_quantity"]
    report.first_period, report.last_period = summary["first"], summary["last"]
    report.rejects = result.rejects
    report.revises = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT o.source_id FROM release_periods o "
            "JOIN release_periods n USING (reporter, flow, period, period_end) "
            "JOIN releases r ON r.source_id = o.source_id "
            "WHERE n.source_id = ? AND o.source_id <> ? AND r.publisher = ? ORDER BY 1",
            [release_id, release_id, plan.publisher],
        ).fetchall()
    ]
    return report


def restore_settings(con: Any, limit: str) -> None:
    """Undo the fast load's settings. The memory limit is set back to its earlier value
    rather than RESET: in DuckDB 1.5 a RESET inside a transaction shows the default again
    but leaves the buffer pool at the small limit, and the reconciliation stored at commit
    then runs out of memory on a big ledger."""
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute("RESET preserve_insertion_order")


def ingest(
    ledger: Ledger,
    paths: Sequence[Path | str],
    *,
    format: str = "auto",
    on_bad_row: OnBadRow = "raise",
    published: str | dt.date | None = None,
    flow: str | None = None,
    url: str | None = None,
    rejects_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Load official statistics files as releases, in one transaction.

    ``format`` is ``auto`` (from the header), ``comtrade``, ``china-customs`` or ``comext``.
    ``published`` is the release's publication date when known (Comext files carry one).
    ``flow`` (``export``/``import``) is for China customs files whose name does not say.
    With ``on_bad_row="collect"`` bad rows go to ``<rejects_dir or the file's
    folder>/<file>.rejects.csv``.
    """
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if on_bad_row not in BAD_ROW_MODES:
        raise UsageError(f"--on-bad-row must be one of {', '.join(BAD_ROW_MODES)}")
    if flow not in (None, "export", "import"):
        raise UsageError(f"--flow must be export or import, not {flow!r}")
    when = parse_date(published)
    files = [Path(p) for p in paths]
    if not files:
        raise UsageError("name at least one file to ingest")
    careful: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="mineralflow-ingest-") as tmp:
        opened: list[tuple[TextFile, Plan]] = []
        for path in files:
            name = detect_format(path) if format == "auto" else format
            tf = open_text(
                path,
                encodings=ENCODINGS[name],
                workdir=Path(tmp),
                first_column=FIRST_COLUMN[name],
            )
            plan = READERS[name].plan(tf, flow=flow)
            opened.append((tf, plan))
        limit = ledger.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        try:
            while True:
                try:
                    with ledger.transaction() as con:
                        sync_partner_keys(con)
                        reports = [
                            _ingest_one(
                                con,
                                tf,
                                plan,
                                careful=i in careful,
                                on_bad_row=on_bad_row,
                                published=when,
                                url=url,
                                progress=progress,
                            )
                            for i, (tf, plan) in enumerate(opened)
                        ]
                        if all(r.duplicate_of for r in reports):
                            ledger.mark_unchanged()  # partner keys come from the catalog
                        # Before the transaction stores the reconciliation (Ledger.transaction)
                        # with the settings every other reconciliation has.
                        restore_settings(con, limit)
                    break
                except FastPathFailed as failed:
                    # Rolled back; load that file the careful way this time.
                    ledger.con.execute("PRAGMA disable_profiling")
                    index = next(i for i, (tf, _) in enumerate(opened) if tf.path == failed.path)
                    if index in careful:
                        raise InputError(
                            failed.reason, path=failed.path, fix="check the file's layout"
                        ) from None
                    careful.add(index)
        finally:
            # The fast load changes these two settings for its statement.
            restore_settings(ledger.con, limit)
    if on_bad_row == "collect":
        for report in reports:
            if report.rejects:
                folder = Path(rejects_dir) if rejects_dir else report.path.parent
                report.rejects_file = folder / f"{report.path.name}.rejects.csv"
                _write_rejects(report.rejects_file, report.path, report.rejects)
    return IngestReport(reports)
