"""Catalogs are data: complete, consistent, and codes stay text with their leading zeros."""

from __future__ import annotations

import datetime as dt

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralflow import catalog
from mineralflow.errors import UnknownPartner, UnknownProduct
from mineralflow.ledger import Ledger


def test_products_have_codes_names_and_terms():
    products = catalog.products()
    magnets = products["rare-earth-magnets"]
    assert magnets.codes_for("CN8-CHN") == ["85051110"]
    assert magnets.codes_for("CN10-CHN") == ["8505111000"]
    assert magnets.codes_for("HS6", relations=("parent_wider",)) == ["850511"]
    assert "HS6" not in {cl for cl, _c, rel in magnets.codes if rel == "exact"}
    for p in products.values():
        assert p.name
        assert p.scope_note
        assert p.group
    for needed in (
        "rare-earth-metals",
        "rare-earth-compounds",
        "gallium",
        "germanium",
        "graphite",
        "antimony",
        "tungsten",
    ):
        assert products[needed].codes, needed


def test_unknown_product_lists_the_known_ones():
    with pytest.raises(UnknownProduct, match=r"known products: .*rare-earth-magnets"):
        catalog.product("magnets")


def test_countries_cover_pycountry_and_aggregates():
    countries = catalog.countries()
    iso = {c.alpha_3 for c in pycountry.countries}
    assert iso <= set(countries)
    for code in ("WLD", "EU27", "REG_EUROPE", "REG_ASIA", "REG_NORTH_AMERICA"):
        assert countries[code].kind in ("world", "bloc", "region")
    # Codes are text and keep their leading zeros.
    assert countries["AFG"].m49 == "004"
    assert countries["AUS"].m49 == "036"
    assert countries["USA"].china_customs_code == "502"
    assert countries["JPN"].china_customs_code == "116"
    assert countries["DEU"].name_zh == "德国"


def test_eu27_has_27_members():
    members = [r for r in catalog.read_table("aggregate_members.csv") if r["aggregate"] == "EU27"]
    assert len(members) == 27
    assert {"DEU", "FRA", "ITA"} <= {m["member"] for m in members}
    assert "GBR" not in {m["member"] for m in members}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("U.S.", "USA"),
        ("the United States", "USA"),
        ("Germany", "DEU"),
        ("South Korea", "KOR"),
        ("Vietnam", "VNM"),
        ("EU", "EU27"),
        ("usa", "USA"),
        ("美国", "USA"),
    ],
)
def test_resolve_partner(text, code):
    assert catalog.resolve_partner(text) == code


def test_unknown_partner_says_what_to_use():
    with pytest.raises(UnknownPartner, match="ISO 3166 alpha-3"):
        catalog.resolve_partner("Atlantis")


def test_event_links_by_code_term_group_and_all_goods():
    links = dict(catalog.link_event("samarium ... permanent-magnet materials", "2805301910"))
    assert links["rare-earth-magnets"] == "term"
    assert links["rare-earth-metals"] == "code"
    assert dict(catalog.link_event("rare earths (export licensing)", ""))["rare-earth-magnets"] == (
        "group"
    )
    assert dict(catalog.link_event("all goods of Chinese origin (+10%)", ""))["graphite"] == (
        "all_goods"
    )
    assert "rare-earth-magnets" not in dict(catalog.link_event("antimony ores", "2617101000"))


@settings(max_examples=40, deadline=None)
@given(code=st.from_regex(r"0[0-9]{5,9}", fullmatch=True))
def test_codes_keep_leading_zeros_through_the_ledger(code):
    with Ledger.memory() as led:
        led.con.execute(
            "INSERT INTO catalog_product_codes VALUES ('p', 'HS6', ?, 'exact', NULL)", [code]
        )
        out = led.table("catalog_product_codes").filter(lambda t: t.product == "p").execute()
        assert list(out.code) == [code]


def test_bundled_partner_codes_survive_the_ledger(bundled):
    partners = bundled.table("catalog_partners").execute().set_index("code")
    assert partners.loc["AFG", "m49"] == "004"
    day = bundled.table("figures").period_start.min().execute()
    assert isinstance(day, (dt.date, dt.datetime))
