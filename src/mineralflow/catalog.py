"""Catalogs: products with their codes and the words that name them, and partners.

The catalogs are data files in ``mineralflow/data/catalog/`` (one table each, documented in
``docs/catalog.md``); this module only reads them. Codes are text and keep leading zeros::

    >>> product("rare-earth-magnets").codes_for("CN8-CHN")
    ['85051110']
    >>> partner_name("DEU")
    'Germany'
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from .errors import UnknownPartner, UnknownProduct

__all__ = [
    "Country",
    "Product",
    "countries",
    "link_event",
    "partner_name",
    "product",
    "products",
    "read_table",
    "resolve_partner",
    "with_article",
]

CATALOG = "data/catalog"


def read_table(name: str, folder: str = CATALOG) -> list[dict[str, str]]:
    """Rows of one packaged CSV file, every cell as text (codes keep leading zeros)."""
    text = resources.files("mineralflow").joinpath(folder, name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class Product:
    """A traded product: its catalog id, its codes per classification, the words for it."""

    id: str
    name: str
    group: str
    tracked: bool
    scope_note: str
    codes: tuple[tuple[str, str, str], ...] = field(default=())  # (classification, code, relation)
    terms: tuple[str, ...] = field(default=())

    def codes_for(
        self, classification: str, *, relations: tuple[str, ...] = ("exact",)
    ) -> list[str]:
        return [c for cl, c, rel in self.codes if cl == classification and rel in relations]


@cache
def products() -> dict[str, Product]:
    """Every product in the catalog, by id."""
    codes: dict[str, list[tuple[str, str, str]]] = {}
    for row in read_table("product_codes.csv"):
        codes.setdefault(row["product"], []).append(
            (row["classification"], row["code"], row["relation"])
        )
    terms: dict[str, list[str]] = {}
    for row in read_table("product_terms.csv"):
        terms.setdefault(row["product"], []).append(row["term"])
    return {
        row["product"]: Product(
            id=row["product"],
            name=row["name"],
            group=row["group"],
            tracked=row["tracked"] == "true",
            scope_note=row["scope_note"],
            codes=tuple(codes.get(row["product"], ())),
            terms=tuple(terms.get(row["product"], ())),
        )
        for row in read_table("products.csv")
    }


def product(product_id: str) -> Product:
    """The catalog entry for ``product_id``; :class:`UnknownProduct` if there is none."""
    try:
        return products()[product_id]
    except KeyError:
        raise UnknownProduct(product_id, sorted(products())) from None


@dataclass(frozen=True)
class Country:
    """A partner: an ISO 3166 country or an aggregate (WLD, EU27, REG_*)."""

    code: str
    kind: str  # country, world, bloc, region
    name: str
    m49: str
    china_customs_code: str
    name_zh: str
    continent: str


@cache
def countries() -> dict[str, Country]:
    """Every partner in the catalog, by code."""
    return {
        row["code"]: Country(
            code=row["code"],
            kind=row["kind"],
            name=row["name"],
            m49=row["m49"],
            china_customs_code=row["china_customs_code"],
            name_zh=row["name_zh"],
            continent=row["continent"],
        )
        for row in read_table("countries.csv")
    }


@cache
def _aliases() -> dict[str, str]:
    table = {c.code.casefold(): c.code for c in countries().values()}
    table.update({c.name.casefold(): c.code for c in countries().values()})
    for row in read_table("country_aliases.csv"):
        table.setdefault(row["alias"].casefold(), row["code"])
    return table


def resolve_partner(text: str) -> str:
    """The partner code for a code, name or alias (``"U.S."`` -> ``"USA"``)."""
    code = _aliases().get(text.strip().casefold())
    if code is None:
        raise UnknownPartner(text)
    return code


def partner_name(code: str) -> str:
    """A partner's display name; the code itself when the catalog has none."""
    country = countries().get(code)
    return country.name if country else code


_THE = (
    "United ",
    "European Union",
    "Netherlands",
    "Philippines",
    "Czech Republic",
    "Bahamas",
    "Gambia",
    "Maldives",
    "Marshall Islands",
    "Solomon Islands",
    "Dominican Republic",
    "Central African Republic",
    "Comoros",
    "Seychelles",
)


def with_article(name: str) -> str:
    """A name as a sentence needs it: ``the United States``, ``the Netherlands``, ``Germany``."""
    return f"the {name}" if name.startswith(_THE) else name


# Event text that names every good rather than a product ("all goods of Chinese origin").
_ALL_GOODS = re.compile(r"\ball (?:goods|imports|[\w-]+-origin goods|dual-use items)\b", re.I)


def _term_pattern(term: str) -> re.Pattern[str]:
    # Whole words, case-insensitive, plural allowed: "magnet" matches "magnets", not "magnetic".
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w])", re.I)


@cache
def _term_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(p.id, _term_pattern(t)) for p in products().values() for t in p.terms]


@cache
def _group_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(row["group"], _term_pattern(row["term"])) for row in read_table("product_groups.csv")]


def link_event(commodities: str, hs_codes: str) -> Iterator[tuple[str, str]]:
    """The products a policy event touches, as ``(product, link)`` pairs.

    ``link`` says how the event names the product, strongest first: ``code`` (an HS or
    national code of the product is listed), ``term`` (a word for the product appears),
    ``group`` (the product's group is named, e.g. "rare earths"), ``all_goods`` (the event
    covers all goods, e.g. a general tariff).
    """
    found: dict[str, str] = {}
    listed = re.findall(r"\d{4,10}", hs_codes.replace(".", ""))
    for p in products().values():
        for _classification, code, _relation in p.codes:
            if any(c.startswith(code) or code.startswith(c) for c in listed if len(c) >= 6):
                found.setdefault(p.id, "code")
    for pid, pattern in _term_patterns():
        if pattern.search(commodities):
            found.setdefault(pid, "term")
    groups = {g for g, pattern in _group_patterns() if pattern.search(commodities)}
    for p in products().values():
        if p.group in groups:
            found.setdefault(p.id, "group")
    if _ALL_GOODS.search(commodities):
        for p in products().values():
            found.setdefault(p.id, "all_goods")
    yield from sorted(found.items())
