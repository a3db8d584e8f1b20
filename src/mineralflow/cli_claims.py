"""The ``claims`` command: figures stated in news articles, from files, folders or URLs,
shown per figure, per outlet or as the figures that could not be placed, and saved with
``--save`` (registered on :data:`mineralflow.cli.app` when :mod:`mineralflow.cli` loads; the
claim rules are imported when it runs)."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cli import DbOption, OutputOption, _emit, _json, app, err, out
from .ledger import Ledger, default_path


class ClaimsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ClaimsView(StrEnum):
    figures = "figures"
    outlets = "outlets"
    unresolved = "unresolved"


_CLAIM_COLUMNS = [
    "source", "span", "reporter", "partner", "product", "flow", "period", "measure", "value",
    "unit", "stated", "qualifier", "unresolved",
]  # fmt: skip
_UNRESOLVED_COLUMNS = ["source", "span", "stated", "partner", "product", "period", "unresolved"]


@app.command()
def claims(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Article files (.html, .htm, .txt), folders of them, or article URLs (http, "
            "https: fetched and kept in the cache beside the ledger).",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None, typer.Option("--urls", help="A file of article URLs, one a line.")
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD for pages that state none."),
    ] = None,
    format: Annotated[ClaimsFormat, typer.Option("--format", "-f")] = ClaimsFormat.table,
    view: Annotated[
        ClaimsView,
        typer.Option(
            help="figures: one row per stated figure; outlets: per cell and measure, every "
            "outlet stating it and whether it agrees with the others and with official data; "
            "unresolved: the figures that could not be placed (never saved), and why."
        ),
    ] = ClaimsView.figures,
    outlet: Annotated[
        str | None, typer.Option(help="The outlet's name, for one article file.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The article's title, for one file.")] = None,
    url: Annotated[str | None, typer.Option(help="The article's address, for one file.")] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Store the articles and their figures in the ledger.")
    ] = False,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """Figures stated in news articles, with period, partner and product scope.

    A `.txt` file may open with a header block (`url:`, `published:`, `outlet:`, `title:`
    lines); `--outlet`, `--title` and `--url` say the same for a single file. A file or URL
    that cannot be read gets a one-line error; the others are still read (and saved), and
    the exit code is 2. A page is one source per address: saving a URL the ledger already
    holds adds nothing.
    """
    from .claims import outlet_view
    from .fetch import Cache, read_inputs, save_report
    from .sources.articles import ArticleMeta

    meta = ArticleMeta(outlet=outlet, title=title, url=url)
    cache = Cache.beside(db if db is not None else default_path())
    report = read_inputs(
        inputs or [], urls_file=urls, published=published, cache=cache, meta=meta or None
    )
    for e in report.errors:
        err.print(f"Error: {e}", markup=False, highlight=False)
    if save and not report.articles:
        err.print("nothing saved: no article could be read", markup=False, highlight=False)
    elif save:
        with Ledger.open(db) as ledger:
            saved, booked = save_report(ledger, report)
        err.print(
            f"{ledger.path}: {saved.sources_added} articles and {saved.figures_added} figures "
            "added"
            + ("" if saved.changed else " (all already in the ledger)")
            + (f"; {len(booked)} pages already in the ledger by address" if booked else ""),
            markup=False,
            highlight=False,
        )
    if view is ClaimsView.outlets:
        path = db if db is not None else default_path()
        led = Ledger.open(path, read_only=True) if db is not None or path.exists() else None
        try:
            cells = outlet_view(report, ledger=led)
        finally:
            if led is not None:
                led.close()
        if format is ClaimsFormat.json:
            _emit(_json([c.to_dict() for c in cells]), output)
        else:
            rows = [
                [c.partner, c.period, c.product, c.measure, s.stated.source, s.stated.outlet,
                 s.stated.stated, s.stated.qualifier, f"{s.stated.value:g}",
                 {None: "only one", True: "agrees"}.get(
                     s.agrees_with_others, "conflicts: " + ", ".join(s.conflicts_with)),
                 s.official]
                for c in cells
                for s in c.statements
            ]  # fmt: skip
            header = ["partner", "period", "product", "measure", "source", "outlet", "stated",
                      "qualifier", "value", "others", "official"]  # fmt: skip
            _emit_rows(header, rows, format, output)
    elif view is ClaimsView.unresolved:
        records = [r for r in report.records() if r["unresolved"]]
        if format is ClaimsFormat.json:
            _emit(_json(records), output)
        else:
            rows = [
                [r["source"], f"{r['span'][0]}-{r['span'][1]}",
                 *(r[k] for k in _UNRESOLVED_COLUMNS[2:])]
                for r in records
            ]  # fmt: skip
            _emit_rows(_UNRESOLVED_COLUMNS, rows, format, output)
    else:
        records = report.records()
        if format is ClaimsFormat.json:
            _emit(_json(records), output)
        else:
            rows = [
                [r["source"], f"{r['span'][0]}-{r['span'][1]}",
                 *(r[k] for k in _CLAIM_COLUMNS[2:8]), f"{r['value']:g}",
                 *(r[k] for k in _CLAIM_COLUMNS[9:])]
                for r in records
            ]  # fmt: skip
            _emit_rows(_CLAIM_COLUMNS, rows, format, output)
    n = len(report.claims)
    unresolved = sum(not c.resolved for c in report.claims)
    err.print(
        f"{len(report.articles)} articles, {n} figures ({unresolved} unresolved)"
        + (f"; {len(report.errors)} files failed" if report.errors else ""),
        markup=False,
        highlight=False,
    )
    if report.failed:
        raise typer.Exit(2)


def _emit_rows(
    header: list[str], rows: list[list[Any]], format: ClaimsFormat, output: Path | None
) -> None:
    """Rows as CSV or as a table; article text stays text (no console markup)."""
    cells = [["" if v is None else str(v) for v in r] for r in rows]
    if format is ClaimsFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(cells)
        _emit(buffer.getvalue(), output)
        return
    table = Table(*header)
    for r in cells:
        table.add_row(*(Text(v) for v in r))
    if output is None:
        out.print(table)
    else:
        console = Console(file=io.StringIO(), width=200)
        console.print(table)
        _emit(console.file.getvalue(), output)  # type: ignore[attr-defined]
