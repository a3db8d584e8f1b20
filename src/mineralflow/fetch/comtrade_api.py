"""UN Comtrade's API, through the ``comtradeapicall`` package, into the ledger exactly as a
downloaded Comtrade CSV goes.

    >>> with Ledger.open("mineralflow.duckdb") as ledger:              # doctest: +SKIP
    ...     got = fetch_comtrade(ledger, reporter="CHN", cmd="850511",
    ...                          period="2025-01:2025-12", cache=Cache("mineralflow.cache"))
    ...     got.report.files[0].release_id

**One path into the ledger.** The API's answer is a list of records whose fields are the 47
columns of Comtrade's final-data CSV. They are written, as they came, to a CSV in that layout
(``<ledger>.cache/comtrade/``) and that file is ingested by :func:`mineralflow.ingest` with the
``comtrade`` reader: the same checks, the same release, vintages and figures as a CSV
downloaded by hand. The same answer twice is the same file, so a no-op; a changed answer is a
new vintage.

**How comtradeapicall is used (decision).** comtradeapicall 1.3.2 is UN Comtrade's own client:
it knows the endpoints (the public preview without a key, ``/data/v1/get`` with one) and their
parameters. It offers no hook for the HTTP layer: each call builds its URL from a literal
``https://comtradeapi.un.org`` and sends it with ``urllib3.PoolManager()``, prints the body of
an error answer and returns None, retries after a fixed 10 s sleep, and sends no User-Agent
of ours. So while one call runs, :func:`_through` swaps the name ``urllib3`` *inside
comtradeapicall's PreviewGet module only* for a shim whose ``PoolManager().request`` sends
the request through mineralflow's polite client (:mod:`mineralflow.fetch.http`), under a
lock, and puts it back after. That one place also moves the call to another address
(``api``: ``$MINERALFLOW_COMTRADE_API``, which the tests point at a server on 127.0.0.1) and
refuses any URL outside the expected host, so a future comtradeapicall cannot send a call
elsewhere unnoticed. The JSON is read from the bytes our client received, not from
comtradeapicall's DataFrame (``json_normalize`` turns integer columns with gaps into floats);
the call goes through ``previewFinalData``/``getFinalData`` (not the ``_``-prefixed
variants that sleep and retry on any exception).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .. import catalog
from ..errors import FetchError, HTTPStatusError, NotReadable, QuotaExceeded, UsageError
from ..files import write_atomic
from ..ingestion import IngestReport, ingest
from ..ledger import Ledger
from ..periods import Month, Period, parse_date
from ..sources.comtrade import FINAL_COLUMNS, area_code
from .cache import Cache
from .http import Client

__all__ = ["API", "ComtradeFetch", "ComtradeQuery", "fetch_comtrade", "records_csv"]

API = "https://comtradeapi.un.org"
"""The address comtradeapicall 1.3.2 writes into every URL it builds."""
PREVIEW_MAX = 500  # rows the public preview gives at most for one call
KEY_MAX = 100_000  # rows asked for with a subscription key
MONTHS_PER_CALL = 12  # periods the API takes in one call
FLOWS = {
    "x": "X", "export": "X", "exports": "X",
    "m": "M", "import": "M", "imports": "M",
    "rx": "RX", "re-export": "RX",
    "rm": "RM", "re-import": "RM",
}  # fmt: skip
_ORDER = ("refPeriodId", "flowCode", "reporterCode", "partnerCode", "cmdCode")
_SPAN = re.compile(r"^\s*(\d{4}-\d{2})\s*(?:[:/]\s*(\d{4}-\d{2}))?\s*$")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ComtradeQuery:
    """What to ask UN Comtrade for: monthly final data (HS) of one reporter."""

    reporter: str  # ISO alpha-3
    code: int  # Comtrade's number for the reporter
    cmd: tuple[str, ...]
    months: tuple[Month, ...]
    flow: str | None  # X, M, RX, RM; None for every flow

    @classmethod
    def parse(
        cls, *, reporter: str, cmd: str, period: str, flow: str | None = None
    ) -> ComtradeQuery:
        """Check and normalise the options (``period``: ``YYYY-MM``, ``YYYY-MM:YYYY-MM`` or
        ``YYYY-MM/YYYY-MM``)."""
        iso = catalog.resolve_partner(reporter)
        code = area_code(iso)
        if code is None:
            raise UsageError(
                f"--reporter {reporter!r} is not a country UN Comtrade reports for; use an "
                "ISO alpha-3 code such as CHN or DEU (see `mineralflow partners`)"
            )
        codes = tuple(c.strip() for c in cmd.split(",") if c.strip())
        bad = [c for c in codes if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|TOTAL", c)]
        if not codes or bad:
            raise UsageError(
                f"--cmd {cmd!r}: give HS codes of 2, 4 or 6 digits (e.g. 850511), comma-separated"
            )
        m = _SPAN.match(period)
        if m is None:
            raise UsageError(
                f"--period {period!r}: write a month YYYY-MM or a span YYYY-MM:YYYY-MM"
            )
        span = Period.parse(m.group(1) + (f"/{m.group(2)}" if m.group(2) else ""))
        flow_code = None
        if flow is not None:
            flow_code = FLOWS.get(flow.strip().lower())
            if flow_code is None:
                raise UsageError(f"--flow {flow!r}: use X (exports), M (imports), RX or RM")
        return cls(iso, code, codes, tuple(span.month_list()), flow_code)

    @property
    def stem(self) -> str:
        first, last = self.months[0], self.months[-1]
        span = f"{first.first_day:%Y%m}" + (f"-{last.first_day:%Y%m}" if last != first else "")
        flow = f"-{self.flow}" if self.flow else ""
        return f"comtrade-api-{self.reporter}-{'+'.join(self.cmd)}-{span}{flow}"

    def describe(self) -> str:
        first, last = self.months[0], self.months[-1]
        span = str(first) if first == last else f"{first} to {last}"
        flow = f", flow {self.flow}" if self.flow else ""
        return f"reporter {self.reporter}, cmd {','.join(self.cmd)}, {span}{flow}"


@dataclass
class ComtradeFetch:
    """What a fetch did: the calls (addresses without the key), the rows, the CSV written
    and the ingest's report."""

    query: ComtradeQuery
    calls: list[str] = field(default_factory=list)
    rows: int = 0
    csv_path: Path | None = None
    report: IngestReport | None = None


# -- comtradeapicall's HTTP, sent through our client ----------------------------------------


@dataclass(frozen=True)
class _Answer:
    """The two attributes comtradeapicall reads of a urllib3 response."""

    status: int
    data: bytes


class _Wire:
    """Stands in for the ``urllib3.PoolManager`` comtradeapicall makes for each call."""

    def __init__(self, client: Client, api: str, label: str) -> None:
        self.client = client
        self.api = api.rstrip("/")
        self.label = label  # what errors call the call: the query, not its long URL
        self.calls: list[str] = []
        self.answers: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []

    def request(
        self, method: str, url: str, fields: dict[str, Any] | None = None, **_: Any
    ) -> _Answer:
        if method != "GET" or not url.startswith(API + "/"):
            raise RuntimeError(
                f"comtradeapicall asked for {method} {url}, not a GET at {API}: this "
                "mineralflow was written against comtradeapicall 1.3.2"
            )
        target = self.api + url[len(API) :]
        params = {k: str(v) for k, v in (fields or {}).items() if v is not None}
        shown = f"{target}?{urlencode({k: v for k, v in params.items() if 'key' not in k})}"
        self.calls.append(shown)
        named = f"{target} ({self.label})"
        try:
            fetched = self.client.get(target, accept="json", params=params, shown_url=named)
        except HTTPStatusError as e:
            raise _comtrade_error(e) from None
        answer = _json_answer(fetched.body, named)
        self.bodies.append(fetched.body)
        self.answers.append(answer)
        return _Answer(fetched.status, fetched.body)


@contextmanager
def _through(wire: _Wire) -> Iterator[Any]:
    """comtradeapicall with its HTTP sent through ``wire``: the one place that reaches into
    comtradeapicall (see the module docstring)."""
    import comtradeapicall
    import comtradeapicall.PreviewGet as preview
    import urllib3

    shim = types.SimpleNamespace(
        PoolManager=lambda *a, **k: wire,
        ProxyManager=lambda *a, **k: wire,
        exceptions=urllib3.exceptions,
    )
    with _LOCK:
        original = preview.urllib3
        preview.urllib3 = shim
        try:
            yield comtradeapicall
        finally:
            preview.urllib3 = original


def _json_answer(body: bytes, shown: str) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise NotReadable(
            "UN Comtrade's answer is not the JSON its API gives (no 'data' list)",
            url=shown,
            fix="the API may have changed or be failing; try again later",
        )
    if answer.get("error"):
        raise NotReadable(
            f"UN Comtrade answered with an error: {str(answer['error'])[:200]}",
            url=shown,
            fix="check --reporter, --cmd and --period",
        )
    return answer


def _comtrade_error(e: HTTPStatusError) -> FetchError:
    """Comtrade's own words for a refused call (its gateway answers JSON with a message)."""
    try:
        said = str(json.loads(e.body).get("message", ""))[:200]
    except (ValueError, AttributeError):
        said = ""
    url = e.url
    if e.status == 429 or (e.status == 403 and "quota" in said.lower()):
        return QuotaExceeded(
            f"UN Comtrade refused the call: {said or e.problem}",
            url=url,
            fix="wait until the quota is replenished, then run the command again (a "
            "subscription key in COMTRADE_KEY has higher limits)",
            status=e.status,
            body=e.body,
        )
    if e.status == 401:
        return HTTPStatusError(
            f"UN Comtrade refused the subscription key: {said or e.problem}",
            url=url,
            fix="check COMTRADE_KEY (a key from comtradedeveloper.un.org), or unset it to use "
            "the public preview",
            status=e.status,
            body=e.body,
        )
    if said:
        return HTTPStatusError(
            f"{e.problem}: {said}", url=url, fix=e.fix or "", status=e.status, body=e.body
        )
    return e


# -- the answer as a Comtrade CSV ------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"  # as Comtrade's CSV writes them
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def records_csv(records: list[dict[str, Any]]) -> bytes:
    """The API's records as a Comtrade final-data CSV (the 47 columns, in a stable order, so
    the same answer is always the same bytes). Fields outside the layout are left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FINAL_COLUMNS)

    def order(r: dict[str, Any]) -> tuple[str, ...]:
        return (*(_cell(r.get(c)).zfill(12) for c in _ORDER), json.dumps(r, sort_keys=True))

    for record in sorted(records, key=order):
        writer.writerow([_cell(record.get(c)) for c in FINAL_COLUMNS])
    return buffer.getvalue().encode("utf-8")


# -- the fetch ----------------------------------------------------------------------------------


def fetch_comtrade(
    ledger: Ledger,
    *,
    reporter: str,
    cmd: str,
    period: str,
    cache: Cache,
    flow: str | None = None,
    key: str | None = None,
    api: str | None = None,
    published: str | None = None,
    client: Client | None = None,
) -> ComtradeFetch:
    """Ask UN Comtrade for monthly final data and ingest the answer as an official release.

    ``key`` is a subscription key (default ``$COMTRADE_KEY``; without one, the public
    preview, at most 500 rows a call). ``api`` replaces the address the calls go to (default
    ``$MINERALFLOW_COMTRADE_API``, else UN Comtrade's). ``published`` is the release's
    publication date when known. Nothing is written when any call fails.
    """
    query = ComtradeQuery.parse(reporter=reporter, cmd=cmd, period=period, flow=flow)
    when = parse_date(published, option="--published")
    key = key if key is not None else os.environ.get("COMTRADE_KEY") or None
    api = api or os.environ.get("MINERALFLOW_COMTRADE_API") or API
    result = ComtradeFetch(query)
    own = client is None
    client = client or Client()
    wire = _Wire(client, api, query.describe())
    limit = KEY_MAX if key else PREVIEW_MAX
    try:
        with _through(wire) as comtradeapicall:
            for start in range(0, len(query.months), MONTHS_PER_CALL):
                months = query.months[start : start + MONTHS_PER_CALL]
                periods = ",".join(f"{m.first_day:%Y%m}" for m in months)
                args = {
                    "typeCode": "C", "freqCode": "M", "clCode": "HS", "period": periods,
                    "reporterCode": str(query.code), "cmdCode": ",".join(query.cmd),
                    "flowCode": query.flow, "partnerCode": None,
                    # Only the totals the Comtrade reader keeps: fewer rows, same figures.
                    "partner2Code": "0", "customsCode": "C00", "motCode": "0",
                    "maxRecords": limit, "includeDesc": True,
                }  # fmt: skip
                if key:
                    comtradeapicall.getFinalData(key, **args)
                else:
                    comtradeapicall.previewFinalData(**args)
                if len(wire.answers) != len(wire.calls):
                    raise RuntimeError("comtradeapicall returned without an answer")
                if len(wire.answers[-1]["data"]) >= limit:
                    raise NotReadable(
                        f"UN Comtrade gave {limit:,} rows, its most for one call: the answer "
                        "may be cut",
                        url=f"{wire.calls[-1].split('?')[0]} ({query.describe()})",
                        fix="ask for fewer months or one --flow"
                        + ("" if key else ", or set COMTRADE_KEY (a subscription key)"),
                    )
    finally:
        if own:
            client.close()
    records = [r for a in wire.answers for r in a["data"] if isinstance(r, dict)]
    result.calls, result.rows = wire.calls, len(records)
    if not records:
        raise UsageError(
            f"UN Comtrade has no data for {query.describe()}; check the codes (HS6 such as "
            "850511), or the months may not be published yet"
        )
    folder = cache.folder("comtrade")
    for body in wire.bodies:
        write_atomic(folder / "answers" / f"{hashlib.sha256(body).hexdigest()}.json", body)
    data = records_csv(records)
    result.csv_path = folder / f"{query.stem}-{hashlib.sha256(data).hexdigest()[:12]}.csv"
    if not result.csv_path.is_file():
        write_atomic(result.csv_path, data)
    result.report = ingest(
        ledger, [result.csv_path], format="comtrade", published=when, url=wire.calls[0]
    )
    return result
