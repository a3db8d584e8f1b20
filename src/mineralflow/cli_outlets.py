"""The ``outlets`` command: each outlet's record, grouped by the publisher whose stories it
carries (registered on :data:`mineralflow.cli.app` when :mod:`mineralflow.cli` loads)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from .cli import AnyProductOption, DbOption, OutputOption, _emit, _json, app, out
from .ledger import Ledger


class OutletsFormat(StrEnum):
    table = "table"
    json = "json"


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.0f}%"


def _days(x: float | None) -> str:
    return "" if x is None else f"{x:+g} d"


@app.command()
def outlets(
    product: AnyProductOption = None,
    outlet: Annotated[
        list[str] | None, typer.Option(help="Only this outlet (as `mineralflow sources` names it).")
    ] = None,
    format: Annotated[OutletsFormat, typer.Option("--format", "-f")] = OutletsFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """Each outlet's record: the figures it stated, how many agree with the official release
    (else the reconciler's best estimate), the conflicts that name it most likely wrong, how
    it rounds, how long after the customs release it publishes, and its wrong figures.
    Copies of one publisher's story (a Reuters story on Kitco) are grouped: one independent
    source. See docs/outlets.md."""
    from .outlet_record import outlet_record

    with Ledger.open(db, read_only=True) as ledger:
        record = outlet_record(ledger, product=product, outlets=outlet)
    if format is OutletsFormat.json:
        _emit(_json(record.to_dict()), output)
        return
    table = Table(
        "publisher",
        "outlet",
        "articles",
        "figures",
        "consistent",
        "wrong",
        "unconfirmed",
        "share consistent",
        "conflicts named",
        "precise / rounded / qualified",
        "median delay",
    )
    for g in record.groups:
        for o in g.outlets:
            h = o.habits()
            table.add_row(
                Text(g.publisher),
                Text(o.outlet + (" (copy)" if o.copies else "")),
                str(len(o.sources)),
                str(len(o.statements)),
                str(o.count("consistent")),
                str(o.count("wrong")),
                str(o.count("unconfirmed")),
                _pct(o.share_consistent),
                str(o.conflicts_named),
                f"{h['precise']} / {h['rounded']} / {h['qualified']}",
                _days(o.median_delay),
            )
    out.print(table)
    copied = [g for g in record.groups if g.copies]
    out.print(
        f"{len({o.outlet for o in record.outlets})} outlets, {len(record.groups)} independent "
        f"sources: copies of one publisher's story count once"
        + (
            " (" + "; ".join(f"{g.publisher}: {len(g.outlets)} outlets" for g in copied[:5]) + ")"
            if copied
            else ""
        )
        + f". Delay: days from the customs release (the {record.release_day}th of the next "
        "month, or an earlier official release) to publication.",
        markup=False,
        highlight=False,
    )
    wrong = [s for o in record.outlets for s in o.wrong]
    if wrong:
        out.print("Wrong figures:", markup=False, highlight=False)
    for s in wrong:
        where = f" <{s.url}>" if s.url else ""
        out.print(
            f"- {s.outlet}: {s.cell}: {s.text} ({s.title}){where}: {s.why}",
            markup=False,
            highlight=False,
        )
