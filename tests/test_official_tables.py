"""The code tables the official readers use (src/mineralflow/data/official/) and the fixed
partner keys of flow_rows."""

from __future__ import annotations

from collections import Counter

from mineralflow import Ledger, catalog
from mineralflow.sources.official import AGGREGATE_KEYS, partner_keys, sync_partner_keys

OFFICIAL = "data/official"


def test_partner_keys_are_unique_and_fixed():
    keys = partner_keys()
    assert len(set(keys.values())) == len(keys)
    for c in catalog.countries().values():
        assert keys[c.code] == (int(c.m49) if c.m49 else AGGREGATE_KEYS[c.code])
    assert keys["WLD"] == 0
    assert keys["comtrade:899"] == 10899
    assert keys["gac:701"] == 20701


def test_partner_keys_sync_is_idempotent(ledger: Ledger):
    with ledger.transaction() as con:
        sync_partner_keys(con)
        sync_partner_keys(con)
    rows = dict(ledger.con.execute("SELECT code, key FROM partner_keys").fetchall())
    assert rows == partner_keys()


def test_comtrade_partner_codes_map_to_catalog_partners_or_stay_apart():
    rows = catalog.read_table("comtrade_partner_codes.csv", OFFICIAL)
    assert len({r["code"] for r in rows}) == len(rows)
    countries = catalog.countries()
    m49 = {int(c.m49): c.code for c in countries.values() if c.m49}
    # Comtrade's 492 is "Europe EU, nes"; ISO's 492 is Monaco. The only number Comtrade
    # uses for something else than ISO does.
    clashes = {r["code"] for r in rows if not r["partner"] and int(r["code"]) in m49}
    assert clashes == {"492"}
    for r in rows:
        if r["partner"]:
            assert r["partner"] in countries
    assert {r["code"]: r["partner"] for r in rows if r["partner"]} == {
        "0": "WLD",
        "842": "USA",
        "251": "FRA",
        "699": "IND",
        "579": "NOR",
        "757": "CHE",
        "490": "TWN",
    }


def test_china_customs_special_codes_do_not_clash_with_country_codes():
    rows = catalog.read_table("china_customs_partner_codes.csv", OFFICIAL)
    codes = [r["code"] for r in rows if r["code"]]
    assert len(set(codes)) == len(codes)
    country_codes = {c.china_customs_code for c in catalog.countries().values()}
    assert not set(codes) & country_codes
    assert [r["partner"] for r in rows if r["name_zh"] == "总值"] == ["WLD"]


def test_units_and_indicators_say_what_is_mass():
    units = catalog.read_table("china_customs_units.csv", OFFICIAL)
    assert Counter(u["unit"] for u in units).most_common(1)[0][1] == 1
    mass = {u["unit"]: float(u["kg_factor"]) for u in units if u["kind"] == "mass"}
    assert mass == {"千克": 1.0, "克": 0.001, "吨": 1000.0}
    assert all(not u["kg_factor"] for u in units if u["kind"] != "mass")
    indicators = {r["indicator"]: r for r in catalog.read_table("comext_indicators.csv", OFFICIAL)}
    assert indicators["QUANTITY_IN_100KG"]["factor"] == "100"
    assert indicators["VALUE_IN_EUROS"]["currency"] == "EUR"
    assert {r["measure"] for r in indicators.values()} <= {"value", "quantity_kg", "ignored"}
    comtrade_units = catalog.read_table("comtrade_quantity_units.csv", OFFICIAL)
    assert [u["code"] for u in comtrade_units if u["kg_factor"]] == ["8"]


def test_exact_product_codes_are_unique_so_a_flow_has_one_product():
    exact = [
        (r["classification"], r["code"])
        for r in catalog.read_table("product_codes.csv")
        if r["relation"] == "exact"
    ]
    assert len(exact) == len(set(exact))
