"""The polite HTTP client every fetch goes through: pages, feeds and the UN Comtrade API.

    >>> with Client() as client:                                  # doctest: +SKIP
    ...     page = client.get("https://example.test/news/magnets.html")
    ...     page.status, len(page.body), page.final_url

What "polite" means here (the numbers are :class:`Policy`'s defaults):

- a User-Agent naming mineralflow and its version (and ``$MINERALFLOW_CONTACT`` when set, so
  a site can reach whoever runs it);
- at most one request per second to one host (``per_host_interval``), redirects included;
- timeouts: 10 s to connect, 30 s between bytes;
- retries with exponential backoff (1 s, 2 s, 4 s) for what may pass: no connection, a timeout,
  HTTP 429 and 5xx; a ``Retry-After`` the server sends is honoured up to 60 s;
- at most 5 redirects, each checked: only ``http`` and ``https`` URLs are fetched;
- bodies are read as a stream and cut off at 20 MB (the article reader's own limit), checked
  on ``Content-Length`` first and on the decoded bytes as they arrive;
- conditional requests: given the ``ETag``/``Last-Modified`` of a cached copy, a ``304 Not
  Modified`` costs the site nothing.

Every failure becomes one :class:`~mineralflow.errors.FetchError` whose message names the URL,
what happened and what to do (``docs/fetch.md`` lists them).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..errors import FetchError, HTTPStatusError, NetworkError, NotReadable
from ..sources.articles import MAX_BYTES

__all__ = ["ACCEPT", "Client", "Fetched", "Policy", "check_url", "is_url", "user_agent"]

ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "*/*;q=0.1",
    "json": "application/json",
}
SCHEMES = ("http", "https")
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Policy:
    """How hard and how fast the client tries; the defaults are for other people's servers."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 60.0
    per_host_interval: float = 1.0
    max_redirects: int = 5
    max_bytes: int = MAX_BYTES


@dataclass(frozen=True)
class Fetched:
    """One answer: the bytes and what is known of where and when they came from."""

    url: str
    final_url: str
    status: int  # 200, or 304 when a conditional request found the cached copy current
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime  # UTC, naive (as the ledger stores times)
    redirects: tuple[str, ...] = field(default=())


def user_agent() -> str:
    """``mineralflow/0.1.0 (+CONTACT) httpx/0.28.1``: who is asking, and how to reach them."""
    contact = os.environ.get("MINERALFLOW_CONTACT", "").strip()
    who = f" (+{contact})" if contact and contact.isprintable() else ""
    return f"mineralflow/{__version__}{who} httpx/{httpx.__version__}"


def is_url(text: str) -> bool:
    """True for text written as an address with a scheme (``https://...``, ``ftp://...``)."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").replace(".", "").isalnum()


def check_url(url: str) -> str:
    """The URL if it may be fetched (http or https, with a host); else :class:`FetchError`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise FetchError(
            f"only http and https addresses are fetched, not {parts.scheme or 'a bare name'}",
            url=url,
            fix="pass an http(s) address, or a saved file by its path",
        )
    if not parts.hostname:
        raise FetchError("the address has no host name", url=url, fix="check the address")
    return url


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Client:
    """An HTTP client that keeps :class:`Policy`. Use it as a context manager, or close it.

    ``transport`` replaces the network (tests use :class:`httpx.MockTransport`); ``sleep``
    and ``clock`` replace the waiting, so the rate limit and backoff are testable without time
    passing.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or Policy()
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._http = httpx.Client(
            timeout=httpx.Timeout(
                self.policy.read_timeout, connect=self.policy.connect_timeout, pool=None
            ),
            follow_redirects=False,  # followed by hand: each hop is checked and rate-limited
            headers={"User-Agent": user_agent()},
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- waiting ----------------------------------------------------------------------------
    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            # Looked up at call time, so tests can replace the module's sleep.
            (self._sleep or sleep)(seconds)

    def _pace(self, url: str) -> None:
        """Wait until the host may be asked again."""
        host = _host(url)
        last = self._last.get(host)
        if last is not None:
            self._wait(self.policy.per_host_interval - (self._clock() - last))
        self._last[host] = self._clock()

    def _backoff(self, attempt: int, retry_after: str | None = None) -> None:
        delay = self.policy.backoff * 2**attempt
        if retry_after:
            delay = max(delay, _retry_after(retry_after, self.policy.retry_after_cap))
        self._wait(delay)

    # -- fetching ---------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        accept: str = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        params: Mapping[str, str] | None = None,
        shown_url: str | None = None,
    ) -> Fetched:
        """GET ``url`` (with ``params`` as its query) under the policy.

        ``accept`` is a key of :data:`ACCEPT`. ``etag``/``last_modified`` make the request
        conditional (an answer of 304 has an empty body: use the cached copy). ``shown_url``
        is the address errors name, when ``url`` or ``params`` hold a secret (an API key).
        """
        shown = shown_url or url
        check_url(url)
        headers = {"Accept": ACCEPT[accept]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = self._http.build_request("GET", url, params=params, headers=headers)
        for attempt in range(self.policy.retries + 1):
            last_try = attempt == self.policy.retries
            try:
                fetched = self._follow(request, shown)
            except _Retryable as e:
                if last_try or not e.worth_retrying:
                    raise e.error from None
                self._backoff(attempt)
                continue
            except _StatusError as e:
                if last_try or e.status not in RETRY_STATUS:
                    raise _status_error(shown, e, tries=attempt + 1) from None
                self._backoff(attempt, e.retry_after)
                continue
            return fetched
        raise AssertionError("unreachable: the last try returns or raises")

    def _follow(self, request: httpx.Request, shown: str) -> Fetched:
        redirects: list[str] = []
        while True:
            self._pace(str(request.url))
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as e:
                raise _Retryable.of(e, shown, request, self.policy) from None
            try:
                if response.has_redirect_location:
                    if len(redirects) >= self.policy.max_redirects:
                        raise NotReadable(
                            f"more than {self.policy.max_redirects} redirects "
                            f"(last to {response.headers.get('location', '?')})",
                            url=shown,
                            fix="check the address in a browser: the site may redirect in a loop",
                        )
                    following = response.next_request
                    if following is None or following.url.scheme not in SCHEMES:
                        raise NotReadable(
                            "redirected to an address that is not http or https "
                            f"({response.headers.get('location', '?')!r})",
                            url=shown,
                            fix="open the address in a browser and save the page by hand",
                        )
                    redirects.append(str(following.url))
                    request = following
                    continue
                body = b"" if response.status_code == 304 else self._read(response, shown)
                if response.status_code >= 400:
                    raise _StatusError(response, body)
                if response.status_code >= 300 and response.status_code != 304:
                    raise NotReadable(
                        f"HTTP {response.status_code} {response.reason_phrase} with no address "
                        "to go to",
                        url=shown,
                        fix="open the address in a browser and save the page by hand",
                    )
                return Fetched(
                    url=shown,
                    final_url=str(response.url),
                    status=response.status_code,
                    body=body,
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    fetched_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    redirects=tuple(redirects),
                )
            finally:
                response.close()

    def _read(self, response: httpx.Response, shown: str) -> bytes:
        cap = self.policy.max_bytes
        too_large = NotReadable(
            f"the answer is over the {cap / 2**20:g} MB limit",
            url=shown,
            fix="pass the article page itself (not a file or archive), or save it by hand",
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise too_large
                chunks.append(chunk)
        except httpx.TransportError as e:
            raise _Retryable.of(e, shown, response.request, self.policy) from None
        return b"".join(chunks)


# -- what went wrong -----------------------------------------------------------------------


class _StatusError(Exception):
    def __init__(self, response: httpx.Response, body: bytes) -> None:
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.retry_after = response.headers.get("retry-after")
        self.body = body[:4096]


class _Retryable(Exception):
    """A transport failure, classified once: the error to raise and whether to retry."""

    def __init__(self, error: FetchError, *, worth_retrying: bool) -> None:
        self.error = error
        self.worth_retrying = worth_retrying

    @classmethod
    def of(
        cls, exc: httpx.TransportError, shown: str, request: httpx.Request, policy: Policy
    ) -> _Retryable:
        host = request.url.host
        cause = _root_cause(exc)
        if isinstance(exc, httpx.TimeoutException):
            which = "connect" if isinstance(exc, httpx.ConnectTimeout) else "answer"
            limit = policy.connect_timeout if which == "connect" else policy.read_timeout
            return cls(
                NetworkError(
                    f"{host} did not {which} within {limit:g} s (tried {policy.retries + 1} times)",
                    url=shown,
                    fix="the site may be down or slow; try again later",
                ),
                worth_retrying=True,
            )
        if isinstance(cause, socket.gaierror):
            if cause.errno == socket.EAI_AGAIN:  # what a machine without network answers
                return cls(
                    NetworkError(
                        f"no network: the name {host} could not be looked up ({cause.strerror})",
                        url=shown,
                        fix="check that this machine is online (and its DNS works), then run "
                        "the command again",
                    ),
                    worth_retrying=True,
                )
            return cls(
                NetworkError(
                    f"the host {host} was not found (DNS: {cause.strerror})",
                    url=shown,
                    fix="check the address for a typo; the site may have moved",
                ),
                worth_retrying=False,
            )
        if isinstance(cause, ssl.SSLError):
            return cls(
                NetworkError(
                    f"the secure connection to {host} failed ({cause.reason or cause})",
                    url=shown,
                    fix="check the address, and this machine's date and certificates",
                ),
                worth_retrying=False,
            )
        code = cause.errno if isinstance(cause, OSError) else None
        if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return cls(
                NetworkError(
                    f"no network: {host} cannot be reached ({os.strerror(code)})",
                    url=shown,
                    fix="check that this machine is online, then run the command again",
                ),
                worth_retrying=True,
            )
        if code == errno.ECONNREFUSED:
            return cls(
                NetworkError(
                    f"{host} refused the connection",
                    url=shown,
                    fix="check the address and port; the site may be down, try again later",
                ),
                worth_retrying=True,
            )
        detail = str(cause) or type(cause).__name__
        return cls(
            NetworkError(
                f"the connection to {host} failed ({detail})",
                url=shown,
                fix="check that this machine is online and the address is right, then try again",
            ),
            worth_retrying=True,
        )


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a chain (httpx wraps httpcore wraps the socket error)."""
    seen = {id(exc)}
    while True:
        nxt = exc.__cause__ or exc.__context__
        if nxt is None or id(nxt) in seen:
            return exc
        seen.add(id(nxt))
        exc = nxt


_STATUS_FIX = {
    401: "the page needs a login; open it in a browser, save it and run `mineralflow claims FILE`",
    403: "the site refuses automated readers (login, paywall or bot block); open it in a "
    "browser, save the page and run `mineralflow claims FILE`",
    404: "check the address; the page may have moved or been taken down",
    410: "the page was taken down; look for it elsewhere, or drop the address",
    429: "the site asks for fewer requests; wait a while and run the command again",
}


def _status_error(shown: str, e: _StatusError, *, tries: int) -> HTTPStatusError:
    tried = f" (tried {tries} times)" if tries > 1 else ""
    if e.status >= 500:
        fix = "the site is failing; try again later"
    else:
        fix = _STATUS_FIX.get(e.status, "check the address")
    return HTTPStatusError(
        f"HTTP {e.status} {e.reason}{tried}".rstrip(),
        url=shown,
        fix=fix,
        status=e.status,
        body=e.body,
    )


def _retry_after(value: str, cap: float) -> float:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), at most ``cap``."""
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), cap)


def sleep(seconds: float) -> None:
    """How the client waits (one name, so tests can make waiting instant)."""
    time.sleep(seconds)
