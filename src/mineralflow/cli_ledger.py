"""The commands that load the ledger and show what it and the catalogs hold: ``load``,
``figures``, ``sources``, ``events``, ``products`` and ``partners`` (registered on
:data:`mineralflow.cli.app` when :mod:`mineralflow.cli` loads)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from . import catalog
from .cli import AnyProductOption, DbOption, OutputOption, TableFormat, _write_frame, app, err, out
from .ledger import Ledger


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
