"""Reading article files: HTML main text, publication dates, authority, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mineralflow.errors import InputError
from mineralflow.sources.articles import MAX_BYTES, read_article, source_row

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
PAGE = FIXTURES / "magnet-exports-july.html"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_html_main_text_without_comments_related_links_or_footer() -> None:
    a = read_article(PAGE)
    assert "5,577 metric tons" in a.text
    assert a.text.startswith("China's magnet exports hit six-month high in July\n")
    for noise in ("99%", "Lithium prices", "1,234 employees", "LME copper"):
        assert noise not in a.text


def test_html_metadata_gives_date_outlet_and_url() -> None:
    a = read_article(PAGE, published=dt.date(2020, 1, 1))
    assert a.published == dt.date(2025, 8, 20)
    assert a.published_how == "page metadata"
    assert a.outlet == "Example Metals Daily"
    assert a.url == "https://metals.example.com/news/2025/08/20/china-magnet-exports-july"
    assert a.authority == "trade_press"


def test_source_id_comes_from_the_bytes(tmp_path: Path) -> None:
    one = read_article(write(tmp_path, "a.txt", "Exports of magnets rose."))
    two = read_article(write(tmp_path, "b.txt", "Exports of magnets rose."))
    three = read_article(write(tmp_path, "c.txt", "Exports of magnets fell."))
    assert one.source_id == two.source_id != three.source_id
    assert one.source_id.startswith("news-")
    assert source_row(one)["kind"] == "news_article"


@pytest.mark.parametrize(
    ("head", "published", "expected", "how"),
    [
        ("Bota Posted on 2025-07-21 09:35:00\nText.", None, dt.date(2025, 7, 21), "Posted on"),
        (
            "Headline\nCHINA, JUL 20 – Exports rose.",
            dt.date(2025, 7, 25),
            dt.date(2025, 7, 20),
            "JUL 20",
        ),
        ("On 20/7, customs reported exports.", dt.date(2025, 7, 20), dt.date(2025, 7, 20), "20/7"),
        ("BEIJING, July 20, 2025 - Exports rose.", None, dt.date(2025, 7, 20), "July 20, 2025"),
        ("Exports rose in June.", dt.date(2025, 7, 20), dt.date(2025, 7, 20), "--published"),
    ],
)
def test_publication_date_from_the_text_else_the_option(
    tmp_path: Path, head: str, published: dt.date | None, expected: dt.date, how: str
) -> None:
    a = read_article(write(tmp_path, "a.txt", head), published=published)
    assert a.published == expected
    assert how in a.published_how


def test_a_dateline_without_a_year_and_no_option_stays_unknown(tmp_path: Path) -> None:
    a = read_article(write(tmp_path, "a.txt", "CHINA, JUL 20 – Exports rose."))
    assert a.published is None
    assert "--published" in a.published_how


@pytest.mark.parametrize(
    ("text", "authority", "original"),
    [
        (
            "Exports rose 10%.\nAnalysts expect more. - Reuters\n\nRelated Articles\n",
            "wire",
            "Reuters",
        ),
        ("HONG KONG (Reuters) - Exports rose.", "wire", "Reuters"),
        ("Exports rose.\nPhoto: Reuters\nHa Thu (Reuters)", "trade_press", "Reuters"),
        ("Exports rose.\nPhoto: Reuters", "trade_press", None),
        ("Exports rose.\n\nRelated Articles\nStocks fell. - Reuters", "trade_press", None),
    ],
)
def test_authority_wire_only_for_a_verbatim_wire_story(
    tmp_path: Path, text: str, authority: str, original: str | None
) -> None:
    a = read_article(write(tmp_path, "a.txt", text))
    assert (a.authority, a.original_publisher) == (authority, original)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "no text in the file"),
        ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        ("latin1.txt", "Exports to Curaçao rose.".encode("latin-1"), "not UTF-8"),
        (
            "broken.html",
            b"<html><head><title></title></head><body><div></div></body>",
            "no article text",
        ),
    ],
)
def test_bad_files_raise_a_one_line_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read_article(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text
    assert info.value.fix


def test_non_utf8_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "line one\nline two \xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_article(path)
    assert info.value.row == 2
    assert "iconv" in str(info.value)


def test_a_file_over_20_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(InputError, match="over the 20 MB limit"):
        read_article(path)


# -- the header block of a text article, and what the caller says -----------------------
HEADED = (
    "url: https://www.metals.example.org/2025/08/magnets\n"
    "published: 2025-08-20\n"
    "fetched-from: a copy saved by hand\n"
    "title: Magnet exports to India rose 143% in July\n"
    "\n"
    "China's rare earth magnet exports to India rose to 418 tons in July, customs data "
    "showed.\n"
)


def test_header_block_gives_url_date_title_and_the_outlet_from_the_url(tmp_path: Path) -> None:
    a = read_article(write(tmp_path, "story.txt", HEADED), published=dt.date(2020, 1, 1))
    assert a.url == "https://www.metals.example.org/2025/08/magnets"
    assert a.published == dt.date(2025, 8, 20)
    assert a.published_how == "header 'published: 2025-08-20'"
    assert a.title == "Magnet exports to India rose 143% in July"
    assert a.outlet == "metals.example.org"  # no outlet: line, so the URL's host, not the file
    assert source_row(a)["url"] == a.url


def test_header_keeps_offsets_and_is_never_read_as_sentences(tmp_path: Path) -> None:
    from mineralflow.claims import extract_claims

    a = read_article(write(tmp_path, "story.txt", HEADED))
    assert a.text == HEADED  # spans index into the file's own text
    assert len(a.readable) == len(a.text)
    assert "2025-08-20" not in a.readable
    assert "fetched" not in a.readable
    claims = extract_claims(a.readable, source=a.name, published=a.published)
    stated = {a.text[c.span[0] : c.span[1]] for c in claims}
    assert stated == {"143%", "418 tons"}  # the title is read as the headline it is
    assert all(c.period == "2025-07" and c.partner == "IND" for c in claims)


def test_header_outlet_and_the_callers_meta_win_in_that_order(tmp_path: Path) -> None:
    from mineralflow.sources.articles import ArticleMeta

    path = write(tmp_path, "story.txt", "outlet: Metals Weekly\n" + HEADED)
    assert read_article(path).outlet == "Metals Weekly"
    meta = ArticleMeta(outlet="Another Outlet", title="T", url="https://reuters.com/x")
    a = read_article(path, meta=meta)
    assert (a.outlet, a.title, a.url) == ("Another Outlet", "T", "https://reuters.com/x")
    assert a.authority == "wire"  # the URL says whose page it is


def test_a_text_without_header_keeps_the_file_name_as_outlet(tmp_path: Path) -> None:
    text = "Note: exports of rare earth magnets to India rose to 418 tons in July.\n"
    a = read_article(write(tmp_path, "desk-notes.txt", text))
    assert a.outlet == "desk-notes"
    assert a.readable == a.text  # "Note:" is not a header key
    assert a.url is None


def test_a_paragraph_is_cut_to_a_title(tmp_path: Path) -> None:
    long = (
        "China's exports of rare earth magnets to India rose to 418 tons in July, the highest "
        "since the curbs began. " + "Analysts expected more of the same in the months ahead. " * 3
    )
    a = read_article(write(tmp_path, "a.txt", long + "\n"))
    assert a.title.startswith("China's exports of rare earth magnets to India rose")
    assert len(a.title) <= 161
    assert a.title.endswith(".") or a.title.endswith("…")


def test_a_url_that_is_not_http_is_refused() -> None:
    from mineralflow.errors import UsageError
    from mineralflow.sources.articles import ArticleMeta

    with pytest.raises(UsageError, match="not an http"):
        ArticleMeta(url="file:///etc/passwd")


_META_PAGES = [
    # JSON-LD, a relative canonical link, a lower-case site name, a date in the URL
    """<html><head><title>Magnets | metals.example.com</title>
<link rel="canonical" href="/news/2025/07/20/magnets">
<meta property="og:url" content="https://metals.example.com/">
<meta name="twitter:site" content="@metalsdaily">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Magnet exports rise",
"datePublished": "2025-07-20", "author": {"name": "A Writer"},
"publisher": {"name": "metals daily"}}</script></head><body><article><h1>Magnet exports rise</h1>
<p>China's exports of rare earth magnets rose 20% in June from May to 3,188 tons.</p>
<p>Shipments to the US climbed to 353 tons, customs data showed on Sunday.</p>
</article></body></html>""",
    # no metadata at all: the title from the page's headings, no date, no site
    """<html><body><div><h2>Exports</h2><p>Exports of gallium fell to 7 tons in May, down 20%
from April, customs data showed. Germanium exports were 8 tons.</p></div></body></html>""",
]


@pytest.mark.parametrize("html", [PAGE.read_text(encoding="utf-8"), *_META_PAGES])
def test_page_reading_matches_trafilatura_in_full(html: str) -> None:
    """html_page skips trafilatura's fallbacks and the metadata articles do not use; what
    it does read is what trafilatura's full extraction reads (a guard for upgrades)."""
    import trafilatura

    from mineralflow.sources.html_page import read_page

    params = {"original_date": True, "extensive_search": False, "max_date": "2030-01-01"}
    full = trafilatura.bare_extraction(
        html, include_comments=False, with_metadata=True, date_extraction_params=params
    )
    page = read_page(html, params)
    assert full is not None
    assert page is not None
    fields = ("text", "title", "date", "url", "sitename", "hostname")
    assert [getattr(page, f) for f in fields] == [getattr(full, f) for f in fields]
