"""The one exception tree of mineralflow.

Every error the library raises on purpose is a :class:`MineralflowError`; the CLI turns each
into a one-line message and a non-zero exit code (2 for usage and data errors, 1 otherwise)::

    MineralflowError
     ├── UsageError                a request that cannot be answered as asked
     │    ├── UnknownProduct       a product id that is not in the catalog
     │    ├── UnknownPartner       a partner code or name that is not in the catalog
     │    ├── PeriodError          a period that is not YYYY-MM or YYYY-MM/YYYY-MM
     │    ├── NoData               a product/period the ledger holds no figures for
     │    └── UnknownRelease       a release id that is not in the ledger
     ├── LedgerError               the ledger file itself
     │    ├── LedgerNotFound       no ledger at the path
     │    ├── LedgerReadOnly       a write on a ledger opened read-only
     │    └── SchemaError          a ledger written by a newer mineralflow, or damaged
     └── InputError                a bad input: a file (names file, row, column and the fix),
          │                        or a page, feed or API answer (names the URL and the fix)
          └── FetchError           a URL that could not be fetched or read as asked
               ├── NetworkError    no answer: offline, DNS failure, refused, timeout, TLS
               ├── HTTPStatusError an HTTP error status (4xx, 5xx) after the retries
               │    └── QuotaExceeded  UN Comtrade's rate limit or call-volume quota
               └── NotReadable     an answer that is not what was asked for: not a feed, a
                                   paywall or cookie page with no article, too large
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "FetchError",
    "HTTPStatusError",
    "InputError",
    "LedgerError",
    "LedgerNotFound",
    "LedgerReadOnly",
    "MineralflowError",
    "NetworkError",
    "NoData",
    "NotReadable",
    "PeriodError",
    "QuotaExceeded",
    "SchemaError",
    "UnknownPartner",
    "UnknownProduct",
    "UnknownRelease",
    "UsageError",
]


class MineralflowError(Exception):
    """Base of every error mineralflow raises on purpose."""

    exit_code = 1


class UsageError(MineralflowError):
    """Raised when a request (CLI options or library arguments) cannot be answered as asked."""

    exit_code = 2


def _choices(values: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(values[:limit])
    more = len(values) - limit
    return f"{shown} ... and {more} more" if more > 0 else shown


class UnknownProduct(UsageError):
    """Raised when a product id is not in the product catalog."""

    def __init__(self, product: str, known: Sequence[str]) -> None:
        self.product = product
        # Ids that contain what was typed come first ('magnets' -> rare-earth-magnets, ...).
        typed = product.lower()
        known = sorted(known, key=lambda k: (typed not in k, k))
        super().__init__(f"unknown product {product!r}; known products: {_choices(known)}")


class UnknownPartner(UsageError):
    """Raised when a partner code or name is not in the country catalog."""

    def __init__(self, partner: str) -> None:
        self.partner = partner
        super().__init__(
            f"unknown partner {partner!r}; use an ISO 3166 alpha-3 code (DEU, USA), "
            "WLD, EU27 or a REG_* region (see `mineralflow partners`)"
        )


class PeriodError(UsageError):
    """Raised when a period is not written YYYY-MM or YYYY-MM/YYYY-MM."""


class NoData(UsageError):
    """Raised when the ledger holds no figures for a product and period.

    ``available`` lists the periods that do exist, so the message can say what to ask for.
    """

    def __init__(self, what: str, available: Sequence[str]) -> None:
        self.available = list(available)
        if available:
            hint = f"periods with data: {_choices(list(available), 24)}"
        else:
            hint = (
                "the ledger holds none for it (the bundled data set covers rare-earth magnets, "
                "the rare-earth group, gallium, germanium and antimony; "
                "`mineralflow load` loads it); add figures with `mineralflow ingest FILE` or "
                "`mineralflow claims PATH --save`"
            )
        super().__init__(f"no figures for {what}; {hint}")


class UnknownRelease(UsageError):
    """Raised when a release id (``gac-r1``, ``comtrade-r2`` ...) is not in the ledger."""

    def __init__(self, release_id: str, known: Sequence[str]) -> None:
        self.release_id = release_id
        hint = (
            f"releases in the ledger: {_choices(known)}"
            if known
            else "the ledger holds no release; add one with `mineralflow ingest FILE`"
        )
        super().__init__(f"unknown release {release_id!r}; {hint} (see `mineralflow releases`)")


class LedgerError(MineralflowError):
    """Raised for problems with the ledger file itself."""


class LedgerNotFound(LedgerError):
    """Raised when a read needs a ledger file that does not exist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"no ledger at {path}; create it with `mineralflow load` "
            "(or point --db / MINERALFLOW_DB at an existing one)"
        )


class LedgerReadOnly(LedgerError):
    """Raised when something tries to write to a ledger opened read-only."""


class SchemaError(LedgerError):
    """Raised when a ledger's schema version is newer than this mineralflow knows, or damaged."""


def _one_line(text: str) -> str:
    """Control characters (a damaged file's header can hold any) escaped, so a message stays
    one printable line."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class InputError(MineralflowError):
    """Raised for a bad input file; carries where the problem is and how to fix it.

    The message reads ``FILE:ROW: column COLUMN: PROBLEM; FIX``, one line.
    """

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        path: Path | str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem, self.path, self.row, self.column, self.fix = problem, path, row, column, fix
        where = str(path) if path is not None else "<input>"
        problem, column = _one_line(problem), None if column is None else _one_line(column)
        if row is not None:
            where += f":{row}"
        text = f"{where}: "
        if column is not None:
            text += f"column {column!r}: "
        text += problem
        if fix:
            text += f"; {fix}"
        super().__init__(text)


class FetchError(InputError):
    """Raised when a URL (a page, a feed, an API call) cannot be fetched or read as asked.

    The message reads ``URL: PROBLEM; FIX``, one line; ``url`` is the address asked for.
    Commands that read many inputs (``claims``, ``watch``) collect one per failed URL and go
    on with the others, as they do with bad files.
    """

    def __init__(self, problem: str, *, url: str, fix: str) -> None:
        self.url = url
        super().__init__(problem, path=url, fix=fix)


class NetworkError(FetchError):
    """Raised when no HTTP answer came: no network, a DNS failure, a refused connection, a
    timeout or a failed TLS handshake (after the retries)."""

    exit_code = 1


class HTTPStatusError(FetchError):
    """Raised when the server answered with an HTTP error status (4xx or 5xx), after the
    retries for the statuses worth retrying (429, 5xx)."""

    def __init__(self, problem: str, *, url: str, fix: str, status: int, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        super().__init__(problem, url=url, fix=fix)
        if status >= 500:
            self.exit_code = 1


class QuotaExceeded(HTTPStatusError):
    """Raised when UN Comtrade refuses a call for its rate limit (HTTP 429) or its
    call-volume quota (HTTP 403), with Comtrade's own message."""

    exit_code = 1


class NotReadable(FetchError):
    """Raised when an answer came but is not what was asked for: a feed that is not RSS or
    Atom, a page with no article text (a paywall or cookie page), a body over the size cap,
    an API answer of another shape."""
