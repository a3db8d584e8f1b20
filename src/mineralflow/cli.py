"""The command line: each command parses options, calls one library function, prints.

Errors come out as one line on stderr (``Error: ...``) with exit code 2 for bad requests and
bad input, 1 for anything else; tracebacks are for bugs only.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from rich.text import Text

from . import catalog
from .errors import MineralflowError
from .ledger import DEFAULT_DB, Ledger, default_path

if TYPE_CHECKING:
    from .ingestion import FileReport

# Each command imports what it needs when it runs (Ibis, pandas, the renderers, the claim
# rules take seconds to import), so `--help` and light commands start at once.

app = typer.Typer(
    name="mineralflow",
    help=(
        "Critical-mineral trade flows, export controls and news figures, every number traced "
        "to its source. Start with `mineralflow load`, then `mineralflow brief`."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Docstrings are paragraphs: their line breaks are not kept in --help.
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
# Tables piped to a file or another program get room to breathe instead of rich's 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
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
AnyProductOption = Annotated[
    str | None,
    typer.Option("--product", "-p", help="Only this catalog product id (default: every product)."),
]


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        envvar="MINERALFLOW_ENGINE",
        help="Where the metrics run: duckdb, or spark (the [spark] extra and Java 17; "
        "master from $MINERALFLOW_SPARK_MASTER, default local[*]).",
    ),
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


def _write_frame(df: Any, format: TableFormat, output: Path | None, *, noun: str) -> None:
    """A DataFrame as CSV or JSON (to stdout or ``output``) or Parquet (``output`` needed)."""
    if format is TableFormat.parquet:
        if output is None:
            raise typer.BadParameter("Parquet needs --output FILE", param_hint="--format")
        output.parent.mkdir(parents=True, exist_ok=True)
        df.to_parquet(output, index=False)
        err.print(f"wrote {len(df)} {noun} to {output}")
    elif format is TableFormat.csv:
        _emit(df.to_csv(index=False), output)
    else:
        _emit(df.to_json(orient="records", date_format="iso", indent=2) + "\n", output)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


@app.command()
def figures(
    product: AnyProductOption = None,
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
    if format is not TableFormat.table:
        _write_frame(df, format, output, noun="figures")
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
        rows = ledger.table("sources").order_by("source_id").to_pyarrow().to_pylist()
    table = Table("source_id", "authority", "outlet", "published", "title", "url")
    for r in rows:
        table.add_row(
            r["source_id"],
            r["authority"],
            r["outlet"],
            _text(r["published"]),
            r["title"],
            _text(r["url"]),
        )
    out.print(table)


def _text(value: object) -> str:
    return "" if value is None else str(value)


@app.command()
def events(
    product: AnyProductOption = None,
    db: DbOption = None,
) -> None:
    """Dated policy events, optionally only those touching a product (and how they name it)."""
    with Ledger.open(db, read_only=True) as ledger:
        e = ledger.table("events")
        if product is not None:
            catalog.product(product)
            links = ledger.table("event_products")
            e = e.join(links.filter(links.product == product), "event_id")
        rows = e.order_by(["date_announced", "event_id"]).to_pyarrow().to_pylist()
    table = Table("announced", "effective", "where", "kind", "instrument", "link")
    for r in rows:
        table.add_row(
            _text(r["date_announced"]),
            _text(r["date_effective"]),
            r["jurisdiction"],
            r["kind"],
            r["instrument"],
            _text(r.get("link")),
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


class PartnerKind(StrEnum):
    country = "country"
    world = "world"
    bloc = "bloc"
    region = "region"


@app.command()
def partners(
    search: Annotated[
        str | None, typer.Argument(help="Only partners whose code or name contains this text.")
    ] = None,
    kind: Annotated[PartnerKind | None, typer.Option(help="Only this kind of partner.")] = None,
) -> None:
    """The partner catalog: ISO alpha-3 codes and the aggregates (WLD, EU27, REG_*), with
    their UN M49 and China customs codes and Chinese names."""
    wanted = (search or "").casefold()
    table = Table("code", "kind", "name", "M49", "China customs", "Chinese name", "continent")
    for c in catalog.countries().values():
        if kind is not None and c.kind != kind:
            continue
        if wanted and wanted not in c.code.casefold() and wanted not in c.name.casefold():
            continue
        table.add_row(c.code, c.kind, c.name, c.m49, c.china_customs_code, c.name_zh, c.continent)
    if not table.rows:
        raise typer.BadParameter(f"no partner matches {search!r}", param_hint="SEARCH")
    out.print(table)


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


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def check(
    product: AnyProductOption = None,
    period: Annotated[
        str | None, typer.Option(help="Keep checks whose period ends in YYYY-MM or a span.")
    ] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.table,
    db: DbOption = None,
) -> None:
    """Check every figure against the others it relates to, within rounding: conflicts
    first, each with the figure most likely wrong, then a summary. Exits 0 even when
    figures conflict (a conflict is a finding, not an error); 2 for a bad request."""
    from .reconcile import Interval, reconcile

    with Ledger.open(db, read_only=True) as ledger:
        rec = reconcile(ledger, product=product, period=period)
        if format is CheckFormat.json:
            _emit(_json(rec.to_dict()), None)
            return
        result = rec.to_dict(checks=False)
    conflicts, summary = result["conflicts"], result["summary"]
    for r in conflicts:
        gap = f" (off by {r['gap']:.4g} {r['unit']})" if r["gap"] is not None else ""
        computed = (
            "nothing (stated with a mislabelled figure)"
            if r["computed_lo"] is None
            else str(Interval(r["computed_lo"], r["computed_hi"]))
        )
        blame = f"most likely wrong: {r['suspect']}; {r['why']}" if r["suspect"] else r["why"]
        for line in (
            f"{r['period']} {r['partner']} {r['kind']}: inconsistent{gap}",
            f"  cells: {'; '.join(r['cells'])}",
            f"  stated {Interval(r['stated_lo'], r['stated_hi'])}, computed {computed}",
            f"  {blame}",
        ):
            out.print(line, markup=False, highlight=False)
    if not conflicts:
        out.print("No conflicts.")
    out.print(
        f"{summary['checks']} checks run: {summary['consistent']} consistent, "
        f"{summary['inconsistent']} inconsistent, {summary['unverifiable']} unverifiable "
        f"({summary['figures']} figures; {summary['revised']} older official vintages set aside)"
    )


@app.command("event-window")
def event_window(
    product: ProductOption = "rare-earth-magnets",
    event: Annotated[str, typer.Option(help="Event id (see `mineralflow events`).")] = ...,  # type: ignore[assignment]
    partner: Annotated[str | None, typer.Option(help="Only this partner (WLD, DEU...).")] = None,
    months: Annotated[int, typer.Option(min=1, help="Months before and after.")] = 12,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """The flow before, between and after a policy event, month by month: change from the
    mean before the event and a robust z-score against the months before it."""
    from .analysis import event_window as window

    with Ledger.open(db, read_only=True) as ledger:
        df = window(
            ledger,
            product=product,
            event_id=event,
            partner=catalog.resolve_partner(partner) if partner else None,
            months=months,
            engine=engine.value,
        )
    _emit_frame(
        df.drop(columns=["event_id", "product"]),
        format,
        output,
        table=["partner", "period", "phase", "value", "change_pct", "z", "unusual"],
    )  # fmt: skip


@app.command()
def surges(
    product: ProductOption = "rare-earth-magnets",
    partner: Annotated[str | None, typer.Option(help="Only this partner (WLD, USA...).")] = None,
    k: Annotated[float, typer.Option(min=0.5, help="Robust deviations for a verdict.")] = 3.5,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """Month-on-month changes with their robust z-scores: surges, collapses, normal months."""
    from .analysis import surges_for

    with Ledger.open(db, read_only=True) as ledger:
        df = surges_for(
            ledger,
            product=product,
            partner=catalog.resolve_partner(partner) if partner else None,
            k=k,
            engine=engine.value,
        )
    _emit_frame(
        df.drop(columns=["product"]),
        format,
        output,
        table=["partner", "period", "value", "base_value", "change_pct", "z", "verdict"],
    )  # fmt: skip


def _emit_frame(df: Any, format: TableFormat, output: Path | None, *, table: list[str]) -> None:
    """A metric's result as CSV, JSON or Parquet (every column), or as a table on screen
    (the ``table`` columns, numbers rounded, months as YYYY-MM)."""
    if format is not TableFormat.table:
        _write_frame(df, format, output, noun="rows")
    else:
        shown = df[table].copy()
        shown["period"] = shown["period"].astype(str).str[:7]
        grid = Table(*table)
        for r in shown.itertuples(index=False):
            grid.add_row(*("" if v is None or v != v else f"{v:,.2f}" if isinstance(v, float)
                           else str(v) for v in r))  # fmt: skip
        out.print(grid)


# -- official statistics releases --


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
    from .mirror import MIRROR_NOTE, mirror_df

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


# Commands kept in their own modules register on `app` when imported.
from . import cli_coverage, cli_fetch, cli_nowcast, cli_outlets  # noqa: E402, F401


def main() -> None:
    """Entry point: run the app, turning mineralflow errors into one-line messages."""
    try:
        app()
    except MineralflowError as e:
        err.print(f"Error: {e}", markup=False, highlight=False)
        raise SystemExit(e.exit_code) from None
