"""The commands of official statistics releases: ``ingest`` (Comtrade, China customs and
Comext files), ``releases``, ``diff-releases`` and ``mirror`` (registered on
:data:`mineralflow.cli.app` when :mod:`mineralflow.cli` loads). ``fetch comtrade`` in
:mod:`mineralflow.cli_fetch` prints its files with :func:`_ingest_summary`."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .cli import (
    DbOption,
    ProductOption,
    TableFormat,
    _count,
    _emit,
    _json,
    _write_frame,
    app,
    err,
    out,
)
from .ledger import Ledger

if TYPE_CHECKING:
    from .ingestion import FileReport


class IngestFormat(StrEnum):
    auto = "auto"
    comtrade = "comtrade"
    china_customs = "china-customs"
    comext = "comext"


class BadRows(StrEnum):
    raise_ = "raise"
    warn = "warn"
    collect = "collect"


class Flow(StrEnum):
    export = "export"
    import_ = "import"


WARNINGS_SHOWN = 20


def _ingest_summary(f: FileReport) -> str:
    if f.duplicate_of:
        return f"{f.path}: already loaded as {f.duplicate_of} (same content); nothing changed"
    text = f"{f.path}: release {f.release_id}, {f.title}"
    if f.published:
        text += f", published {f.published}"
    counts = [_count(f.rows_loaded, "flow") + " loaded"]
    if f.rows_read is not None:
        counts.insert(0, _count(f.rows_read, "row") + " read")
    if f.rows_left_out:
        counts.append(f"{f.rows_left_out:,} left out as {f.left_out_words}")
    if f.rejects:
        counts.append(_count(len(f.rejects), "bad row") + " skipped")
    counts.append(_count(f.figures, "figure"))
    text += "; " + ", ".join(counts)
    if f.revises:
        text += f"; a new vintage of cells in {', '.join(f.revises)}"
    return text


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Official statistics files (CSV).")],
    format: Annotated[
        IngestFormat, typer.Option("--format", "-f", help="The layout; auto reads the header.")
    ] = IngestFormat.auto,
    on_bad_row: Annotated[
        BadRows,
        typer.Option(
            "--on-bad-row",
            help="raise: stop at the first bad row and load nothing; warn: load the good rows "
            "and list the bad; collect: load the good rows, write the bad to FILE.rejects.csv.",
        ),
    ] = BadRows.raise_,
    published: Annotated[
        str | None, typer.Option(help="The release's publication date, YYYY-MM-DD.")
    ] = None,
    flow: Annotated[
        Flow | None,
        typer.Option(help="export or import, for China customs files whose name does not say."),
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where the file was downloaded.")] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Folder for reject files (default: beside each file).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Load UN Comtrade, China customs or Eurostat Comext files as official releases, in one
    transaction: each file a release; the same file twice changes nothing; a file that
    restates loaded periods is kept as a new vintage."""
    from .ingestion import ingest as ingest_files

    big = any(p.exists() and p.stat().st_size > 8 << 20 for p in files)
    with (
        Ledger.open(db) as ledger,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not big,
        ) as bar,
    ):
        tasks: dict[Path, TaskID] = {}

        def progress(path: Path, done: float) -> None:
            if path not in tasks:
                tasks[path] = bar.add_task(path.name, total=1.0)
            bar.update(tasks[path], completed=done)

        report = ingest_files(
            ledger,
            files,
            format=format.value,
            on_bad_row=on_bad_row.value,
            published=published,
            flow=flow.value if flow else None,
            url=url,
            rejects_dir=rejects,
            progress=progress,
        )
    for f in report.files:
        out.print(_ingest_summary(f), markup=False, highlight=False)
        if f.rejects_file:
            out.print(
                f"{_count(len(f.rejects), 'bad row')} written to {f.rejects_file}", markup=False
            )
        elif f.rejects:
            for line in f.warnings[:WARNINGS_SHOWN]:
                err.print(f"Warning: {line}", markup=False, highlight=False)
            if len(f.rejects) > WARNINGS_SHOWN:
                err.print(f"Warning: ... and {len(f.rejects) - WARNINGS_SHOWN} more bad rows")


@app.command("releases")
def releases_command(
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    db: DbOption = None,
) -> None:
    """The official releases in the ledger, oldest first, and which revises which."""
    from .releases import releases as list_releases

    with Ledger.open(db, read_only=True) as ledger:
        found = list_releases(ledger)
    if format is TableFormat.json:
        _emit(_json([asdict(r) for r in found]), None)
        return
    if format is not TableFormat.table:
        raise typer.BadParameter("use table or json", param_hint="--format")
    table = Table("release", "publisher", "published", "periods", "flows", "vintage")
    for r in found:
        vintage = []
        if r.revises:
            vintage.append("revises " + ", ".join(r.revises))
        if r.revised_by:
            vintage.append("revised by " + ", ".join(r.revised_by))
        table.add_row(
            r.release_id,
            r.publisher,
            str(r.published) if r.published else f"{r.known_on} (ingested)",
            r.periods,
            f"{r.rows_loaded:,}",
            "; ".join(vintage) or "in force",
        )
    out.print(table)
    err.print(f"{len(found)} releases")


@app.command("diff-releases")
def diff_releases_command(
    a: Annotated[str, typer.Argument(help="The older release id (see `mineralflow releases`).")],
    b: Annotated[str, typer.Argument(help="The newer release id.")],
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    db: DbOption = None,
) -> None:
    """What changed from release A to release B, cell by cell, in the periods both state."""
    from .releases import diff_releases

    with Ledger.open(db, read_only=True) as ledger:
        d = diff_releases(ledger, a, b)
    df = d.changes
    if format is TableFormat.parquet:
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    if format is not TableFormat.table:
        _write_frame(df, format, None, noun="rows")
    else:
        table = Table("status", "flow", "period", "kg A", "kg B", "change")
        for r in df.to_dict("records"):
            table.add_row(
                str(r["status"]),
                f"{r['reporter']}->{r['partner']} {r['product_code']} {r['flow']}",
                str(r["period"])[:7],
                _kg(r["kg_a"]),
                _kg(r["kg_b"]),
                _kg(r["kg_change"], sign=True),
            )
        out.print(table)
    err.print(
        f"{a} -> {b}: {d.changed} changed, {d.added} added, {d.removed} removed, "
        f"{d.unchanged} unchanged; {d.not_compared} cells of {a} in periods {b} does not state"
    )


def _kg(value: Any, *, sign: bool = False) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    return f"{value:+,.0f}" if sign else f"{value:,.0f}"


@app.command("mirror")
def mirror_command(
    product: ProductOption = "rare-earth-magnets",
    period: Annotated[str | None, typer.Option(help="YYYY-MM or YYYY-MM/YYYY-MM.")] = None,
    exporter: Annotated[str, typer.Option(help="The exporting reporter.")] = "CHN",
    lag: Annotated[int, typer.Option(help="Months between departure and arrival.")] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As published on, YYYY-MM-DD.")
    ] = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    db: DbOption = None,
) -> None:
    """Exporter-reported against importer-reported quantities, per importer and month."""
    from .mirror import MIRROR_NOTE, mirror_df

    with Ledger.open(db, read_only=True) as ledger:
        df = mirror_df(
            ledger, product=product, exporter=exporter, period=period, lag=lag, as_of=as_of
        )
    if format is TableFormat.parquet:
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    if format is not TableFormat.table:
        _write_frame(df, format, None, noun="rows")
    elif df.empty:
        err.print(
            f"no month where both {exporter} and an importer report {product}; the mirror needs "
            "the exporter's releases and the importers' (e.g. Eurostat Comext) in the ledger"
        )
    else:
        table = Table("period", "importer", "exporter kg", "importer kg", "gap")
        for r in df.to_dict("records"):
            importer = str(r["importer"])
            if r["members"] != 1:
                importer += f" ({r['members']} members)"
            table.add_row(
                str(r["period"])[:7],
                importer,
                _kg(r["exporter_kg"]),
                _kg(r["importer_kg"]),
                f"{r['gap_pct']:+.1f}%",
            )
        out.print(table)
        err.print(MIRROR_NOTE)
