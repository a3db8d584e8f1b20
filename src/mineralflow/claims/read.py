"""Read files and folders of articles into claims, and save them into the ledger.

    >>> report = read_claims([Path("../shared/seeds")], published="2025-07-20")  # doctest: +SKIP
    >>> with Ledger.open("mineralflow.duckdb") as ledger:                   # doctest: +SKIP
    ...     save_claims(ledger, report)

A file that cannot be read becomes one :class:`~mineralflow.errors.InputError` in
``report.errors``; the other files are still read. Saving stores every article read as a
source and its resolved claims as figures, all in one transaction; an article already in the
ledger (same bytes, same source id) is skipped, so saving twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..ledger import Ledger, LoadReport
from ..periods import Period, parse_date
from ..sources.articles import Article, ArticleMeta, article_paths, read_article, source_row
from ..sources.bundled import figure_id
from .extract import Claim, extract_claims

__all__ = ["NEWS_DATASET", "ArticleClaims", "ClaimsReport", "read_claims", "save_claims"]

NEWS_DATASET = "news"


@dataclass(frozen=True)
class ArticleClaims:
    """One article and the claims read from it."""

    article: Article
    claims: list[Claim]


@dataclass
class ClaimsReport:
    """What a read found: articles with their claims, and one error per bad file."""

    articles: list[ArticleClaims] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return [c for a in self.articles for c in a.claims]

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def records(self) -> list[dict[str, Any]]:
        """Every claim as a JSON-ready dict (the contract in ``docs/claims.md``), with the
        article's outlet and publication date."""
        return [
            {
                **c.to_dict(),
                "outlet": a.article.outlet,
                "published": a.article.published.isoformat() if a.article.published else None,
            }
            for a in self.articles
            for c in a.claims
        ]


def read_claims(
    paths: list[Path] | list[str],
    *,
    published: dt.date | str | None = None,
    meta: ArticleMeta | None = None,
) -> ClaimsReport:
    """Read every article under ``paths`` and the claims each states.

    ``published`` is the publication date to use for pages that state none; ``meta`` (outlet,
    title, URL) describes a single article and needs exactly one file.
    """
    when = parse_date(published, option="--published")
    files, errors = article_paths([Path(p) for p in paths])
    if meta and len(files) + len(errors) != 1:
        raise UsageError(
            f"--outlet, --title and --url describe one article, but {len(files)} files were "
            "given; pass one file, or put a header block (url:, outlet:, title:) in each"
        )
    report = ClaimsReport(errors=list(errors))
    for path in files:
        try:
            article = read_article(path, published=when, meta=meta)
        except InputError as e:
            report.errors.append(e)
            continue
        claims = extract_claims(article.readable, source=article.name, published=article.published)
        report.articles.append(ArticleClaims(article, claims))
    return report


def figure_row(article: Article, claim: Claim) -> dict[str, Any]:
    """The ledger's ``figures`` row for a resolved claim."""
    if not claim.resolved or claim.period is None or claim.measure is None:
        raise ValueError(f"claim at {claim.span} is unresolved: {claim.unresolved}")
    period = Period.parse(claim.period)
    locator = f"{article.name} chars {claim.span[0]}-{claim.span[1]}"
    row: dict[str, Any] = {
        "source_id": article.source_id,
        "reporter": claim.reporter,
        "partner": claim.partner,
        "product": claim.product,
        "flow": claim.flow,
        "period": claim.period,
        "measure": claim.measure,
        "stated": claim.stated,
        "qualifier": claim.qualifier,
        "locator": locator,
    }
    row["figure_id"] = figure_id(row)
    del row["period"]
    row.update(
        period_start=period.start.first_day,
        period_end=period.end.first_day,
        value=claim.value,
        unit=claim.unit,
        resolution=claim.resolution,
        note=claim.note,
    )
    return row


def save_claims(ledger: Ledger, report: ClaimsReport) -> LoadReport:
    """Store each article read as a source and its resolved claims as figures, atomically.

    Unresolved claims (no period or no measure) are not stored: the ledger holds only
    figures it can place. Articles already in the ledger are skipped with their figures.
    """
    sources: dict[str, dict[str, Any]] = {}
    figures: list[dict[str, Any]] = []
    for item in report.articles:
        sid = item.article.source_id
        if sid in sources:
            continue  # the same bytes under two names: one source
        sources[sid] = source_row(item.article)
        figures.extend(figure_row(item.article, c) for c in item.claims if c.resolved)
    return ledger.add_documents(NEWS_DATASET, list(sources.values()), figures)
