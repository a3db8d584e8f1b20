"""The command line: each command parses options, calls one library function, prints.

Errors come out as one line on stderr (``Error: ...``) with exit code 2 for bad requests and
bad input, 1 for anything else; tracebacks are for bugs only.

This module holds the app, the options and helpers the commands share, the order `--help`
lists them in, and :func:`main`. The commands live in modules that register on :data:`app`
when this one imports them: ``cli_ledger`` (load and show the ledger and catalogs),
``cli_report`` (brief, report, serve), ``cli_claims``, ``cli_analysis`` (check, event-window,
surges), ``cli_official`` (ingest, releases, diff-releases, mirror), ``cli_coverage``,
``cli_fetch``, ``cli_nowcast`` and ``cli_outlets``.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from .errors import MineralflowError
from .ledger import DEFAULT_DB

if TYPE_CHECKING:
    from typer.models import CommandInfo

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
    # Help as plain text (click's formatter: paragraphs rewrapped, blank lines kept). Rich's
    # help formatter imports its Markdown renderer and costs 0.15 s per call, most of the
    # 0.4 s --help may take (docs/BENCHMARKS.md); tables and progress still use rich.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
# Tables piped to a file or another program get room to breathe instead of rich's 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
err = Console(stderr=True, soft_wrap=True)


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


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# Commands kept in their own modules register on `app` when imported.
from . import (  # noqa: E402, F401
    cli_analysis,
    cli_claims,
    cli_coverage,
    cli_fetch,
    cli_ledger,
    cli_nowcast,
    cli_official,
    cli_outlets,
    cli_report,
)

# `--help` lists the commands in this order, whichever module registers them (Typer lists
# them in the order of `app.registered_commands`); a command not named here comes after these,
# and the `fetch` group after every command.
HELP_ORDER = (
    "load", "brief", "figures", "sources", "events", "products", "partners", "claims",
    "report", "serve", "check", "event-window", "surges", "ingest", "releases",
    "diff-releases", "mirror", "coverage", "watch", "nowcast", "outlets",
)  # fmt: skip


def _help_position(info: CommandInfo) -> int:
    name = info.name or (info.callback.__name__.lower().replace("_", "-") if info.callback else "")
    return HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER)


app.registered_commands.sort(key=_help_position)


def main() -> None:
    """Entry point: run the app, turning mineralflow errors into one-line messages."""
    try:
        app()
    except MineralflowError as e:
        err.print(f"Error: {e}", markup=False, highlight=False)
        raise SystemExit(e.exit_code) from None
