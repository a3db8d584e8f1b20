from mineralflow import build_brief


def test_bundled_brief_june_2025_names_the_world_total(bundled):
    text = build_brief(bundled, product="rare-earth-magnets", period="2025-06").to_markdown()
    assert "**3,188 t**" in text


def test_add_documents_twice_is_a_no_op(ledger):
    source = {
        "source_id": "s1",
        "kind": "news_article",
        "authority": "wire",
        "outlet": "Example",
        "original_publisher": None,
        "title": "A title",
        "url": None,
        "published": None,
        "content_hash": "h",
        "note": None,
    }
    import datetime as dt

    fig = {
        "figure_id": "f1",
        "source_id": "s1",
        "reporter": "CHN",
        "partner": "USA",
        "product": "rare-earth-magnets",
        "flow": "export",
        "period_start": dt.date(2025, 6, 1),
        "period_end": dt.date(2025, 6, 1),
        "measure": "level",
        "value": 353.0,
        "unit": "t",
        "stated": "353",
        "resolution": 1.0,
        "qualifier": "exact",
        "locator": "chars 1-9",
        "note": None,
    }
    first = ledger.add_documents("articles", [source], [fig])
    second = ledger.add_documents("articles", [source], [fig])
    assert (first.sources_added, first.figures_added) == (1, 1)
    assert not second.changed
    assert ledger.table("figures").count().execute() == 1
