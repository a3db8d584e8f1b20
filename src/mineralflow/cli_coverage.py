"""``mineralflow coverage``: which months of each product hold official, reported or no
figures, with the reconciler's conflicts per month. Registered on the app of :mod:`.cli`."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli import AnyProductOption, DbOption, OutputOption, _emit, _json, app
from .ledger import Ledger


@app.command("coverage")
def coverage_command(
    product: AnyProductOption = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="text (a grid per partner and year), json or csv.")
    ] = "text",
    output: OutputOption = None,
    latest: Annotated[
        bool,
        typer.Option(
            "--latest",
            help="Print only the latest month with a world figure of --product (for scripts).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Months with figures, per product and partner: O official, R reported (news and market
    reports), · none, and each month's conflicts from `mineralflow check`."""
    if format not in ("text", "json", "csv"):
        raise typer.BadParameter("use text, json or csv", param_hint="--format")
    if latest:
        if product is None:
            raise typer.BadParameter("--latest needs --product", param_hint="--latest")
        from .coverage import latest_month

        with Ledger.open(db, read_only=True) as ledger:
            _emit(latest_month(ledger, product) + "\n", output)
        return
    from .coverage import coverage  # the reconciler behind it is heavy

    with Ledger.open(db, read_only=True) as ledger:
        found = coverage(ledger, product=product)
    if format == "json":
        _emit(_json([c.to_dict() for c in found]), output)
    elif format == "csv":
        import pandas as pd

        frame = pd.DataFrame([r for c in found for r in c.records()])
        _emit(frame.to_csv(index=False), output)
    else:
        _emit("\n".join(c.to_text() for c in found), output)
