"""The commands that fetch from the web: ``watch`` and ``fetch comtrade`` (``claims URL`` is
the ``claims`` command in ``cli_claims.py``). They register on the same Typer app; httpx,
feedparser and comtradeapicall are imported inside the commands, so ``mineralflow --help``
does not load them. Library: :mod:`mineralflow.fetch`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from .cli import DbOption, _count, _emit, _json, app, err, out
from .cli_claims import ClaimsFormat
from .cli_official import _ingest_summary
from .ledger import Ledger, default_path
from .periods import parse_date

if TYPE_CHECKING:
    from .fetch import WatchReport

fetch_app = typer.Typer(
    help="Fetch official statistics from their publishers' APIs into the ledger.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(fetch_app, name="fetch")


def _say(text: str) -> None:
    err.print(text, markup=False, highlight=False)


@app.command()
def watch(
    feeds: Annotated[
        list[str] | None,
        typer.Argument(help="RSS or Atom feed URLs of the outlets to follow.", show_default=False),
    ] = None,
    feeds_file: Annotated[
        Path | None,
        typer.Option("--feeds", help="A file of feed URLs, one a line (# comments allowed)."),
    ] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save", help="Book the new articles as claims and remember the entries seen."
        ),
    ] = False,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD for pages and entries that state none."),
    ] = None,
    format: Annotated[ClaimsFormat, typer.Option("--format", "-f")] = ClaimsFormat.table,
    db: DbOption = None,
) -> None:
    """What is new in the outlets' feeds since the last run: the new entries that name a
    catalog product, their pages fetched and read, with the figures they state.

    Without --save nothing is written (the run shows what --save would book); with --save the
    articles are booked as claims and the entries remembered, so the next run shows only what
    came after. Pages are kept in the cache beside the ledger. A feed or page that fails gets a
    one-line error, the others are still read (and saved), and the exit code is 2.
    """
    from .fetch import Cache, read_url_list
    from .fetch import watch as watch_feeds

    urls = list(feeds or [])
    if feeds_file is not None:
        listed, bad = read_url_list(feeds_file)
        for e in bad:
            _say(f"Error: {e}")
        if bad:
            raise typer.Exit(2)
        urls += listed
    when = parse_date(published, option="--published")
    path = db if db is not None else default_path()
    ledger: Ledger | None = None
    if save:
        ledger = Ledger.open(path)
    elif path.exists():
        ledger = Ledger.open(path, read_only=True)
    try:
        with _bar("reading new articles") as progress:
            report = watch_feeds(
                ledger, urls, cache=Cache.beside(path), save=save, published=when,
                progress=progress,
            )  # fmt: skip
    finally:
        if ledger is not None:
            ledger.close()
    for e in report.errors:
        _say(f"Error: {e}")
    if format is ClaimsFormat.json:
        _emit(_json(_watch_records(report)), None)
    elif report.read:
        _watch_table(report, format)
    _say(_watch_summary(report, path if save else None))
    if report.failed:
        raise typer.Exit(2)


class _bar:
    """A progress bar on stderr while pages are fetched (only on a terminal)."""

    def __init__(self, what: str) -> None:
        self.progress = Progress(
            TextColumn(what),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.task: Any = None

    def __enter__(self) -> Any:
        self.progress.__enter__()

        def step(done: int, total: int, title: str) -> None:
            if self.task is None:
                self.task = self.progress.add_task("", total=total)
            self.progress.update(self.task, completed=done, description=title[:50])

        return step

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)


def _status(r: Any, saved: bool) -> str:
    if r.error is not None:
        return "failed"
    if not saved:
        return "read"
    return f"already in the ledger ({r.source_id})" if r.already_booked else "booked"


def _watch_records(report: WatchReport) -> list[dict[str, Any]]:
    saved = report.saved is not None
    return [
        {
            "feed": r.entry.feed_url,
            "entry": r.entry.key,
            "title": r.entry.title,
            "link": r.entry.link,
            "published": r.entry.published.isoformat() if r.entry.published else None,
            "products": list(r.entry.products),
            "status": _status(r, saved),
            "source_id": r.source_id,
            "error": str(r.error) if r.error else None,
            "figures": [c.to_dict() for c in r.claims],
        }
        for r in report.read
    ]


def _watch_table(report: WatchReport, format: ClaimsFormat) -> None:
    saved = report.saved is not None
    header = ["published", "products", "title", "figures", "status", "link"]
    rows = [
        [
            r.entry.published.isoformat() if r.entry.published else "",
            ", ".join(r.entry.products),
            r.entry.title,
            str(sum(c.resolved for c in r.claims)),
            _status(r, saved),
            r.entry.link or "",
        ]
        for r in report.read
    ]
    if format is ClaimsFormat.csv:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([header, *rows])
        _emit(buffer.getvalue(), None)
        return
    table = Table(*header)
    for row in rows:
        table.add_row(*(Text(v) for v in row))  # feed text stays text (no console markup)
    out.print(table)


def _watch_summary(report: WatchReport, ledger_path: Path | None) -> str:
    feeds = [f for f in report.feeds if f.error is None]
    entries = sum(len(f.entries) for f in feeds)
    head = f"{_count(len(feeds), 'feed')} read, {entries:,} entr{'y' if entries == 1 else 'ies'}"
    if len(feeds) < len(report.feeds):
        head += f" ({len(report.feeds) - len(feeds)} failed)"
    new = report.new
    if not new:
        since = f" ({report.since:%Y-%m-%d %H:%M} UTC)" if report.since else ""
        return f"{head}: nothing new since the last run{since}"
    relevant = [e for e in new if e.products]
    articles = report.claims_report()
    figures = sum(c.resolved for c in articles.claims)
    text = (
        f"{head}: {len(new)} new, {len(relevant)} about catalog products; "
        f"{_count(len(articles.articles), 'article')} read, {_count(figures, 'figure')}"
    )
    if report.saved is None:
        return text + "; nothing saved (add --save to book them)"
    already = sum(r.already_booked for r in report.read)
    text += (
        f"; {ledger_path}: {report.saved.sources_added} articles and "
        f"{report.saved.figures_added} figures added"
    )
    return text + (f", {already} already in the ledger" if already else "")


@fetch_app.command("comtrade")
def fetch_comtrade_command(
    reporter: Annotated[
        str, typer.Option(help="The reporting country, ISO alpha-3 (CHN, DEU ...).")
    ] = ...,  # type: ignore[assignment]
    cmd: Annotated[
        str, typer.Option(help="HS code(s), 2, 4 or 6 digits, comma-separated (e.g. 850511).")
    ] = ...,  # type: ignore[assignment]
    period: Annotated[str, typer.Option(help="A month YYYY-MM, or months YYYY-MM:YYYY-MM.")] = ...,  # type: ignore[assignment]
    flow: Annotated[
        str | None,
        typer.Option(help="X (exports), M (imports), RX or RM (default: every flow)."),
    ] = None,
    published: Annotated[
        str | None, typer.Option(help="The release's publication date, YYYY-MM-DD, if known.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Monthly UN Comtrade data (final, HS) from its API, loaded as an official release
    exactly as a downloaded Comtrade CSV is: the same answer twice changes nothing, a
    changed answer is a new vintage.

    Uses the public preview (at most 500 rows a call) unless COMTRADE_KEY holds a
    subscription key. The answer is kept as JSON and CSV in the cache beside the ledger.
    """
    from .fetch import Cache, fetch_comtrade

    path = db if db is not None else default_path()
    with Ledger.open(path) as ledger:
        got = fetch_comtrade(
            ledger,
            reporter=reporter,
            cmd=cmd,
            period=period,
            flow=flow,
            published=published,
            cache=Cache.beside(path),
        )
    assert got.report is not None
    _say(
        f"UN Comtrade: {_count(len(got.calls), 'call')}, {_count(got.rows, 'row')} for "
        f"{got.query.describe()}; kept as {got.csv_path}"
    )
    for f in got.report.files:
        out.print(_ingest_summary(f), markup=False, highlight=False)
