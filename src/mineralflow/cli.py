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
from .reconcile import Interval, reconcile

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
) -> None:
    """The month's brief for a product: world total, destinations, year to date, policy
    events, checks, and the numbered sources every figure points to."""
    with Ledger.open(db, read_only=True) as ledger:
        b = build_brief(ledger, product=product, period=period)
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


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def check(
    product: Annotated[str | None, typer.Option("--product", "-p")] = None,
    period: Annotated[
        str | None, typer.Option(help="Keep checks whose period ends in YYYY-MM or a span.")
    ] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.table,
    db: DbOption = None,
) -> None:
    """Check every figure against the others it relates to, within rounding: conflicts
    first, each with the figure most likely wrong, then a summary. Exits 0 even when
    figures conflict (a conflict is a finding, not an error); 2 for a bad request."""
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


def main() -> None:
    """Entry point: run the app, turning mineralflow errors into one-line messages."""
    try:
        app()
    except MineralflowError as e:
        err.print(f"Error: {e}", markup=False, highlight=False)
        raise SystemExit(e.exit_code) from None
