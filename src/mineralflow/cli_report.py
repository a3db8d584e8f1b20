"""The commands that present a month: ``brief`` (Markdown or JSON), ``report`` (HTML or
Markdown with charts) and ``serve`` (the web view), registered on :data:`mineralflow.cli.app`
when :mod:`mineralflow.cli` loads. The renderers and the web app are imported inside the
commands."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .cli import DbOption, Engine, EngineOption, OutputOption, ProductOption, _emit, _json, app, err
from .ledger import Ledger


class BriefFormat(StrEnum):
    markdown = "markdown"
    json = "json"


@app.command()
def brief(
    product: ProductOption = "rare-earth-magnets",
    period: Annotated[
        str | None,
        typer.Option(help="The month, YYYY-MM (default: the latest month with a world figure)."),
    ] = None,
    format: Annotated[BriefFormat, typer.Option("--format", "-f")] = BriefFormat.markdown,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Official figures as published on this day, YYYY-MM-DD (default: the latest).",
        ),
    ] = None,
) -> None:
    """The month's brief for a product: world total, destinations, year to date, policy
    events, checks, an analysis, and the numbered sources every figure points to."""
    from .brief import build_brief

    with Ledger.open(db, read_only=True) as ledger:
        if period is None:
            from .coverage import latest_month

            period = latest_month(ledger, product)
        b = build_brief(ledger, product=product, period=period, engine=engine.value, as_of=as_of)
    text = b.to_markdown() if format is BriefFormat.markdown else _json(b.to_dict())
    _emit(text, output)


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


@app.command()
def report(
    product: ProductOption = "rare-earth-magnets",
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")] = ...,  # type: ignore[assignment]
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Report file. Default: report-PERIOD.html (or .md)."),
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.html,
    db: DbOption = None,
) -> None:
    """The month's report: one self-contained HTML file with the brief, charts, conflicts,
    the claims of every outlet and every figure with its source. --format md writes Markdown
    and one PNG per chart beside it."""
    from .render import write_report

    path = output or Path(f"report-{period}.{format.value}")
    with Ledger.open(db, read_only=True) as ledger:
        written = write_report(
            ledger, product=product, period=period, path=path, format=format.value
        )
    for p in written:
        err.print(f"wrote {p}", markup=False, highlight=False)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Default 127.0.0.1, so only this machine can connect: "
            "the pages have no login. Use 0.0.0.0 only on a network you trust."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    get: Annotated[
        str | None,
        typer.Option(
            "--get",
            metavar="PATH",
            help="Print the page at PATH (e.g. /index.json) and exit, without a server; "
            "exit code 1 when the page is an error.",
        ),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log each request.")] = True,
) -> None:
    """Browse the ledger in a web browser: products, months, partners, sources, conflicts
    and events; add .json to any page for its data. The ledger is opened read-only."""
    from . import web

    with Ledger.open(db, read_only=True) as ledger:
        if get is not None:
            status, _media_type, body = web.get(ledger, get)
            sys.stdout.write(body.decode("utf-8"))
            if status >= 400:
                err.print(f"{get}: HTTP {status}", markup=False, highlight=False)
                raise typer.Exit(1)
            return
        err.print(
            f"serving {ledger.path} read-only at http://{host}:{port}/ (Ctrl-C to stop)",
            markup=False,
            highlight=False,
        )
        web.serve(ledger, host=host, port=port, access_log=access_log)
