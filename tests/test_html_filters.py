"""The filters that keep untrusted text inert where autoescape cannot: URLs and Markdown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.render.html import md, md_url, safe_url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "https://exa mple.org/",
        "https://example.org/\nx",
        "http:///no-host",
        "https://" + "a" * 2001,
        None,
        42,
    ],
)
def test_safe_url_refuses_everything_but_absolute_http(url):
    assert safe_url(url) is None


def test_safe_url_keeps_http_and_https():
    assert safe_url("https://example.org/a?b=c#d") == "https://example.org/a?b=c#d"
    assert safe_url("http://example.org") == "http://example.org"


def test_md_url_cannot_close_the_link():
    assert md_url("https://example.org/a)b c") is None  # a space: not a URL we link
    assert md_url("https://example.org/a)(b") == "https://example.org/a%29%28b"


@given(st.text())
def test_md_output_never_holds_a_tag_or_an_unescaped_link(text):
    out = md(text)
    assert "<" not in out
    assert ">" not in out
    assert "\n" not in out
    # Every [ ] | * _ ` is escaped, so the text cannot open a link, a cell or emphasis.
    for ch in "[]|*_`":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)
