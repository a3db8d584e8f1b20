"""The command line: each command parses options, calls one library function, prints.

Errors come out as one line on stderr (``Error: ...``) with exit code 2 for bad requests and
bad input, 1 for anything else; tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import catalog
from .brief import build_brief
from .errors import MineralflowError
from .ledger import DEFAULT_DB, Ledger

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
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")] = ...,  # type: ignore[assignment]
    format: Annotated[BriefFormat, typer.Option("--format", "-f")] = BriefFormat.markdown,
    output: OutputOption = None,
    db: DbOption = None,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """The month's brief for a product: world total, destinations, year to date, policy
    events, checks, an analysis, and the numbered sources every figure points to."""
    with Ledger.open(db, read_only=True) as ledger:
        b = build_brief(ledger, product=product, period=period, engine=engine.value)
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
    if format is TableFormat.parquet:
        if output is None:
            raise typer.BadParameter("Parquet needs --output FILE", param_hint="--format")
        output.parent.mkdir(parents=True, exist_ok=True)
        df.to_parquet(output, index=False)
        err.print(f"wrote {len(df)} rows to {output}")
    elif format is TableFormat.csv:
        _emit(df.to_csv(index=False), output)
    elif format is TableFormat.json:
        _emit(df.to_json(orient="records", date_format="iso", indent=2) + "\n", output)
    else:
        shown = df[table].copy()
        shown["period"] = shown["period"].astype(str).str[:7]
        grid = Table(*table)
        for r in shown.itertuples(index=False):
            grid.add_row(*("" if v is None or v != v else f"{v:,.2f}" if isinstance(v, float)
                           else str(v) for v in r))  # fmt: skip
        out.print(grid)


def main() -> None:
    """Entry point: run the app, turning mineralflow errors into one-line messages."""
    try:
        app()
    except MineralflowError as e:
        err.print(f"Error: {e}", markup=False, highlight=False)
        raise SystemExit(e.exit_code) from None
