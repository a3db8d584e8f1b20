"""The polite client: User-Agent, per-host rate limit, retries with backoff, redirects, size
cap, schemes, the network failures each named with what to do, and the cache. No time passes:
the client's clock and sleep are replaced."""

from __future__ import annotations

import errno
import socket

import httpx
import pytest

import mineralflow
from fetchtools import Route, Site, loopback_only
from mineralflow.errors import FetchError, HTTPStatusError, NetworkError, NotReadable
from mineralflow.fetch import Cache, Client, Policy, canonical_url
from mineralflow.fetch.http import user_agent


class FakeTime:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    loopback_only(monkeypatch)


def client_for(handler, policy: Policy | None = None) -> tuple[Client, FakeTime, list]:
    seen: list[httpx.Request] = []
    time = FakeTime()

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = Client(
        policy, transport=httpx.MockTransport(record), sleep=time.sleep, clock=time.clock
    )
    return client, time, seen


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="<html><body>hello</body></html>")


def test_user_agent_names_mineralflow_its_version_and_the_contact(monkeypatch):
    client, _, seen = client_for(ok)
    client.get("https://news.example.test/a")
    assert seen[0].headers["user-agent"].startswith(f"mineralflow/{mineralflow.__version__} ")
    monkeypatch.setenv("MINERALFLOW_CONTACT", "desk@example.test")
    assert f"mineralflow/{mineralflow.__version__} (+desk@example.test)" in user_agent()


def test_one_request_per_second_per_host_redirects_included():
    client, time, _ = client_for(ok)
    client.get("https://a.example.test/1")
    client.get("https://b.example.test/1")  # another host: no wait
    assert time.slept == []
    time.now += 0.25
    client.get("https://a.example.test/2")  # the same host 0.25 s later: waits the rest
    assert time.slept == [0.75]


def test_a_failing_server_is_retried_with_exponential_backoff_then_named():
    answers = iter([503, 503, 200])
    client, time, seen = client_for(lambda r: httpx.Response(next(answers), text="x"))
    assert client.get("https://a.example.test/").status == 200
    assert len(seen) == 3
    backoff = [s for s in time.slept if s >= 1]  # the rest is the per-host pacing
    assert backoff == [1.0, 2.0]

    client, time, seen = client_for(lambda r: httpx.Response(503, text="down"))
    with pytest.raises(HTTPStatusError) as info:
        client.get("https://a.example.test/page")
    assert len(seen) == 4  # the first try and three retries
    assert str(info.value) == (
        "https://a.example.test/page: HTTP 503 Service Unavailable (tried 4 times); "
        "the site is failing; try again later"
    )
    assert info.value.exit_code == 1


def test_retry_after_is_honoured_up_to_a_cap():
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])
    client, time, _ = client_for(lambda r: next(answers))
    client.get("https://a.example.test/")
    assert 7.0 in time.slept
    answers = iter([httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200)])
    client, time, _ = client_for(lambda r: next(answers))
    client.get("https://a.example.test/")
    assert max(time.slept) == 60.0


def test_a_missing_page_is_not_retried_and_says_what_to_do():
    client, _, seen = client_for(lambda r: httpx.Response(404))
    with pytest.raises(HTTPStatusError) as info:
        client.get("https://a.example.test/gone")
    assert len(seen) == 1
    assert str(info.value) == (
        "https://a.example.test/gone: HTTP 404 Not Found; check the address; the page may "
        "have moved or been taken down"
    )
    assert info.value.exit_code == 2


def test_redirects_are_followed_checked_and_capped():
    def hop(request: httpx.Request) -> httpx.Response:
        n = int(request.url.path.strip("/") or 0)
        if n < 3:
            return httpx.Response(302, headers={"Location": f"/{n + 1}"})
        return httpx.Response(200, text="arrived")

    client, _, _seen = client_for(hop)
    got = client.get("https://a.example.test/0")
    assert got.final_url == "https://a.example.test/3"
    assert got.redirects == tuple(f"https://a.example.test/{n}" for n in (1, 2, 3))

    client, _, _ = client_for(hop, Policy(max_redirects=2))
    with pytest.raises(NotReadable, match="more than 2 redirects"):
        client.get("https://a.example.test/0")

    client, _, _ = client_for(lambda r: httpx.Response(301, headers={"Location": "ftp://x/f"}))
    with pytest.raises(NotReadable, match="not http or https"):
        client.get("https://a.example.test/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://a.example.test/x", "javascript:1"])
def test_only_http_and_https_are_fetched(url):
    client, _, seen = client_for(ok)
    with pytest.raises(FetchError, match="only http and https"):
        client.get(url)
    assert seen == []


def test_bodies_over_the_cap_are_refused_declared_or_streamed():
    big = b"x" * 2048
    client, _, _ = client_for(lambda r: httpx.Response(200, content=big), Policy(max_bytes=1024))
    with pytest.raises(NotReadable, match="over the"):
        client.get("https://a.example.test/")

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(big))  # no Content-Length

    client, _, _ = client_for(streamed, Policy(max_bytes=1024))
    with pytest.raises(NotReadable, match="over the"):
        client.get("https://a.example.test/")


def _instant() -> Client:
    time = FakeTime()
    return Client(sleep=time.sleep, clock=time.clock)


def test_a_dns_failure_names_the_host_and_is_not_retried(monkeypatch):
    calls = []

    def no_such_host(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(NetworkError) as info:
        _instant().get("https://news.example.test/a")
    assert str(info.value) == (
        "https://news.example.test/a: the host news.example.test was not found (DNS: Name or "
        "service not known); check the address for a typo; the site may have moved"
    )
    assert len(calls) == 1


def test_offline_says_to_check_the_connection_after_retrying(monkeypatch):
    calls = []

    def offline(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    with pytest.raises(NetworkError) as info:
        _instant().get("https://news.example.test/a")
    assert "no network" in str(info.value)
    assert str(info.value).endswith("check that this machine is online (and its DNS works), "
                                    "then run the command again")  # fmt: skip
    assert len(calls) == 4


def test_an_unreachable_network_is_named(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(NetworkError, match=r"no network: 127\.0\.0\.1 cannot be reached"):
        _instant().get("http://127.0.0.1:9/a")


def test_a_refused_connection_is_named():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError, match=r"127\.0\.0\.1 refused the connection"):
        _instant().get(f"http://127.0.0.1:{port}/")


def test_canonical_url_drops_what_does_not_name_the_page():
    assert canonical_url("HTTP://Example.Test:80/a?utm_source=rss&b=2&fbclid=x#c") == (
        "http://example.test/a?b=2"
    )
    assert canonical_url("https://example.test") == "https://example.test/"
    assert canonical_url("https://example.test:8443/a") == "https://example.test:8443/a"


def test_the_cache_keeps_bytes_time_and_hash_and_asks_conditionally(tmp_path):
    with Site() as site:
        site.routes["/a.html"] = Route(b"<html>one</html>", headers={"ETag": '"v1"'})
        cache = Cache(tmp_path / "x.cache")
        with _instant() as client:
            first = cache.fetch(client, site.url("/a.html"), kind="pages", accept="page")
            again = cache.fetch(client, site.url("/a.html"), kind="pages", accept="page")
        assert first.body == b"<html>one</html>"
        assert first.path.name == f"{first.sha256}.html"
        assert first.path.parent == tmp_path / "x.cache" / "pages"
        assert not first.not_modified
        assert again.not_modified
        assert again.sha256 == first.sha256
        assert again.fetched_at == first.fetched_at
        assert site.requests[1][1]["if-none-match"] == '"v1"'
        record = cache.record("pages", site.url("/a.html"))
        assert record is not None
        assert record["sha256"] == first.sha256
        assert record["fetched_at"] == first.fetched_at.isoformat()


def test_the_fetch_api_is_exported_and_documented():
    import mineralflow.fetch as fetch

    for name in fetch.__all__:
        assert getattr(fetch, name).__doc__, f"{name} has no docstring"


def test_the_cli_loads_no_fetch_library_until_a_fetch_command_runs():
    import subprocess
    import sys

    code = (
        "import sys; import mineralflow.cli; "
        "print(sorted(m for m in ('httpx', 'feedparser', 'comtradeapicall') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
