"""The command line: each command parses options, calls one library function, prints.

Errors come out as one line on stderr (``Error: ...``) with exit code 2 for bad requests and
bad input, 1 for anything else; tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import catalog
from .brief import build_brief
from .errors import MineralflowError
from .ingestion import FileReport
from .ingestion import ingest as ingest_files
from .ledger import DEFAULT_DB, Ledger
from .mirror import MIRROR_NOTE, mirror_df
from .releases import diff_releases
from .releases import releases as list_releases

app = typer.Typer(
    name="mineralflow",
    help=(
        "Critical-mineral trade flows, export controls and news figures, every number traced "
        "to its source. Start with `mineralflow load`, then `mineralflow brief`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class BriefFormat(StrEnum):
    markdown = "markdown"
    json = "json"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="MINERALFLOW_DB",
        help=f"Ledger file. Default: $MINERALFLOW_DB, else ./{DEFAULT_DB}.",
        show_default=False,
    ),
]
ProductOption = Annotated[
    str, typer.Option("--product", "-p", help="Catalog product id (see `mineralflow products`).")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


@app.command()
def load(db: DbOption = None) -> None:
    """Create the ledger if needed and load the bundled, cited data set (idempotent)."""
    with Ledger.open(db) as ledger:
        report = ledger.load_bundled()
    if report.changed:
        out.print(
            f"{ledger.path}: {report.sources_added} sources added, "
            f"{report.sources_updated} updated; {report.figures_added} figures added, "
            f"{report.figures_removed} removed; {report.events_added} events added, "
            f"{report.events_removed} removed"
        )
    else:
        out.print(f"{ledger.path}: already up to date, nothing changed")


@app.command()
def brief(
    product: ProductOption = "rare-earth-magnets",
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")] = ...,  # type: ignore[assignment]
    format: Annotated[BriefFormat, typer.Option("--format", "-f")] = BriefFormat.markdown,
    output: OutputOption = None,
    db: DbOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Official figures as published on this day, YYYY-MM-DD (default: the latest).",
        ),
    ] = None,
) -> None:
    """The month's brief for a product: world total, destinations, year to date, policy
    events, checks, and the numbered sources every figure points to."""
    with Ledger.open(db, read_only=True) as ledger:
        b = build_brief(ledger, product=product, period=period, as_of=as_of)
    text = b.to_markdown() if format is BriefFormat.markdown else _json(b.to_dict())
    _emit(text, output)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


@app.command()
def figures(
    product: Annotated[str | None, typer.Option("--product", "-p")] = None,
    period: Annotated[str | None, typer.Option(help="YYYY-MM or YYYY-MM/YYYY-MM.")] = None,
    partner: Annotated[
        list[str] | None, typer.Option(help="ISO alpha-3, WLD, EU27 or REG_*; repeatable.")
    ] = None,
    measure: Annotated[list[str] | None, typer.Option(help="level, change_mom, ...")] = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """Stated figures with their sources, as a table, CSV, JSON or Parquet."""
    partners = [catalog.resolve_partner(p) for p in partner] if partner else None
    with Ledger.open(db, read_only=True) as ledger:
        df = ledger.figures_df(product=product, period=period, partner=partners, measure=measure)
    df = df.drop(columns=["period_start", "period_end"])
    front = ["period", "partner", "product", "measure", "value", "unit", "stated", "qualifier"]
    df = df[front + [c for c in df.columns if c not in front]]
    if format is TableFormat.parquet:
        if output is None:
            raise typer.BadParameter("Parquet needs --output FILE", param_hint="--format")
        output.parent.mkdir(parents=True, exist_ok=True)
        df.to_parquet(output, index=False)
        err.print(f"wrote {len(df)} figures to {output}")
    elif format is TableFormat.csv:
        _emit(df.to_csv(index=False), output)
    elif format is TableFormat.json:
        _emit(df.to_json(orient="records", date_format="iso", indent=2) + "\n", output)
    else:
        table = Table(*front, "outlet")
        for r in df[[*front, "outlet"]].astype(str).itertuples(index=False):
            table.add_row(*(str(v) for v in r))
        out.print(table)
        err.print(f"{len(df)} figures")


@app.command()
def sources(db: DbOption = None) -> None:
    """Every source in the ledger: outlet, title, date, URL, authority."""
    with Ledger.open(db, read_only=True) as ledger:
        df = ledger.table("sources").order_by("source_id").execute()
    table = Table("source_id", "authority", "outlet", "published", "title", "url")
    for r in df.itertuples(index=False):
        published = (
            "" if r.published is None or str(r.published) == "NaT" else str(r.published)[:10]
        )
        table.add_row(r.source_id, r.authority, r.outlet, published, r.title, r.url or "")
    out.print(table)


@app.command()
def events(
    product: Annotated[str | None, typer.Option("--product", "-p")] = None,
    db: DbOption = None,
) -> None:
    """Dated policy events, optionally only those touching a product (and how they name it)."""
    with Ledger.open(db, read_only=True) as ledger:
        e = ledger.table("events")
        if product is not None:
            catalog.product(product)
            links = ledger.table("event_products")
            e = e.join(links.filter(links.product == product), "event_id")
        df = e.order_by(["date_announced", "event_id"]).execute()
    table = Table("announced", "effective", "where", "kind", "instrument", "link")
    for r in df.itertuples(index=False):
        eff = (
            ""
            if r.date_effective is None or str(r.date_effective) == "NaT"
            else str(r.date_effective)[:10]
        )
        table.add_row(
            str(r.date_announced)[:10],
            eff,
            r.jurisdiction,
            r.kind,
            r.instrument,
            getattr(r, "link", ""),
        )
    out.print(table)


@app.command()
def products() -> None:
    """The product catalog: ids, names and codes."""
    table = Table("product", "name", "codes", "scope")
    for p in catalog.products().values():
        codes = ", ".join(
            f"{cl} {c}" + ("" if rel == "exact" else f" ({rel})") for cl, c, rel in p.codes
        )
        table.add_row(p.id, p.name, codes, p.scope_note)
    out.print(table)


# -- official statistics releases (issue 5) ---------------------------------------------------


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


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


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
    with Ledger.open(db, read_only=True) as ledger:
        d = diff_releases(ledger, a, b)
    df = d.changes
    if format is TableFormat.csv:
        _emit(df.to_csv(index=False), None)
    elif format is TableFormat.json:
        _emit(df.to_json(orient="records", date_format="iso", indent=2) + "\n", None)
    elif format is TableFormat.parquet:
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
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
    with Ledger.open(db, read_only=True) as ledger:
        df = mirror_df(
            ledger, product=product, exporter=exporter, period=period, lag=lag, as_of=as_of
        )
    if format is TableFormat.csv:
        _emit(df.to_csv(index=False), None)
    elif format is TableFormat.json:
        _emit(df.to_json(orient="records", date_format="iso", indent=2) + "\n", None)
    elif format is TableFormat.parquet:
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
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


def main() -> None:
    """Entry point: run the app, turning mineralflow errors into one-line messages."""
    try:
        app()
    except MineralflowError as e:
        err.print(f"Error: {e}", markup=False, highlight=False)
        raise SystemExit(e.exit_code) from None
