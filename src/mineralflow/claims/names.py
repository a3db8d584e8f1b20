"""Who and what a sentence names: partners (countries, blocs, regions, with the role each
plays in the sentence) and products (catalog terms and tariff codes), looked up in the
catalogs (``data/catalog/country_aliases.csv``, ``product_terms.csv``, ``claim_terms.csv``,
``product_codes.csv``)::

    >>> [(p.code, p.role) for p in find_partners("Exports to the U.S. rose; Japan imported more")]
    [('USA', 'dest'), ('JPN', 'importer')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import catalog

# -- partners -----------------------------------------------------------------------------
# Capitals name governments: "between Washington and Beijing" is never a trade partner.
ACTOR_ONLY = frozenset({"Washington", "Beijing", "Brussels", "Tokyo", "Seoul", "New Delhi"})
ACTOR_AFTER = re.compile(
    r"^(?:'s|’s)?\s+(?:tariffs?|President|president|administration|government|officials?|"
    r"Commerce|Treasury|trade\s+chief|embassy|minister|military|Congress|lawmakers|dollar|"
    r"tech\s+giant|chipmaker|authorities|regulators|counterpart|negotiators)\b"
)
ACTOR_BEFORE = re.compile(r"\b(?:between|against)\s+(?:the\s+)?$", re.I)
DESTINATION_BEFORE = re.compile(
    r"\b(?:to|into|for|bound\s+for|destined\s+for|headed\s+(?:to|for)|sent\s+to|sold\s+to|"
    r"shipped\s+to|went\s+to|exports?\s+to|shipments?\s+to)\s+(?:the\s+)?$",
    re.I,
)
IMPORTER_AFTER = re.compile(
    r"^(?:'s|’s)?\s+(?:imported|imports|bought|purchased|received|took|takes|buyers|importers)\b"
)
_TOKEN = re.compile(r"[^\W\d_](?:[\w.'’&]|-(?!bound\b))*")
_SPACES = re.compile(r"\s+")
_MAX_ALIAS_WORDS = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class PartnerMention:
    """A partner named in a sentence: where, which code, and how (dest, importer, actor...)."""

    start: int
    end: int
    code: str
    role: str  # dest, importer, mention, actor, reporter


@cache
def _alias_table() -> tuple[dict[str, str], dict[str, str]]:
    """Latin aliases by exact (case-kept) text without a leading "the", and CJK aliases."""
    latin: dict[str, str] = {}
    cjk: dict[str, str] = {}
    for c in catalog.countries().values():
        if c.kind == "country":
            latin.setdefault(c.name, c.code)
    for row in catalog.read_table("country_aliases.csv"):
        alias = row["alias"]
        if _CJK.search(alias):
            cjk.setdefault(alias, row["code"])
            continue
        if alias.lower().startswith("the "):
            alias = alias[4:]
        if alias[:1].isupper():
            latin.setdefault(alias, row["code"])
    return latin, cjk


# Lower-case names that are partners: "the 27-country bloc". World words ("global") are
# world cues; "the bloc" alone is too loose (catalog note) and is left out.
_LOWER_ALIASES = re.compile(r"\b27[- ](?:country|nation|member)\s+bloc\b", re.I)


@cache
def _first_words() -> dict[str, int]:
    """First word of each Latin alias -> the most words an alias starting with it has."""
    latin, _ = _alias_table()
    out: dict[str, int] = {}
    for alias in latin:
        words = alias.split()
        out[words[0]] = max(out.get(words[0], 0), len(words))
    return out


@cache
def _cjk_pattern() -> re.Pattern[str] | None:
    _, cjk = _alias_table()
    if not cjk:
        return None
    return re.compile("|".join(re.escape(a) for a in sorted(cjk, key=len, reverse=True)))


def find_partners(text: str) -> list[PartnerMention]:
    """Every partner named in ``text``, longest name first, with its role in the sentence.

    Looked up by word n-grams in the alias table rather than one huge alternation, so the
    cost is linear in the sentence length.
    """
    latin, cjk = _alias_table()
    first = _first_words()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    found: list[PartnerMention] = []
    i = 0
    while i < len(tokens):
        start, _, word = tokens[i]
        longest = first.get(word)
        if longest is None and word[-1] in "s'’.,":
            longest = first.get(_strip_possessive(word))
        if not longest:  # no alias starts with this word: the common case, kept cheap
            i += 1
            continue
        hit: tuple[int, int, str] | None = None
        for n in range(min(longest, len(tokens) - i), 0, -1):
            end = tokens[i + n - 1][1]
            key = _SPACES.sub(" ", text[start:end])
            for candidate in (key, _strip_possessive(key)):
                if candidate in latin:
                    hit = (n, start + len(candidate), latin[candidate])
                    break
            if hit:
                break
        if hit is None:
            i += 1
            continue
        n, end, code = hit
        found.append(PartnerMention(start, end, code, role_of(text, start, end, code)))
        i += n
    for m in _LOWER_ALIASES.finditer(text):
        found.append(PartnerMention(m.start(), m.end(), "EU27", role_of(text, *m.span(), "EU27")))
    if cjk and _CJK.search(text):
        pattern = _cjk_pattern()
        assert pattern is not None
        for m in pattern.finditer(text):
            code = cjk[m.group()]
            found.append(PartnerMention(m.start(), m.end(), code, role_of(text, *m.span(), code)))
    return sorted(found, key=lambda p: p.start)


def find_region(word: str) -> str | None:
    """The region a word names ("Asian" -> ``REG_ASIA``), else None."""
    code = _alias_table()[0].get(word)
    return code if code is not None and code.startswith("REG_") else None


def _strip_possessive(key: str) -> str:
    for suffix in ("'s", "’s", "'", "’", ".", ","):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
    return key


def role_of(text: str, start: int, end: int, code: str) -> str:
    """How the name at ``text[start:end]`` is used: dest, importer, actor, reporter, mention."""
    name = text[start:end]
    if code == "CHN":
        return "reporter"
    if name in ACTOR_ONLY:
        return "actor"
    after = text[end : end + 40]
    before = text[max(0, start - 40) : start]
    if ACTOR_AFTER.match(after) or ACTOR_BEFORE.search(before):
        return "actor"
    if DESTINATION_BEFORE.search(before):
        return "dest"
    if IMPORTER_AFTER.match(after):
        return "importer"
    if after.startswith("-bound"):
        return "dest"
    return "mention"


# -- products -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A product word and how to read it: strict (names the product), loose (names the
    rare-earth field; read as the product in context), ambiguous (several products: no
    figure) or unplaced (a scope the catalog has no product for: the figure stays
    unresolved, ``why`` says so)."""

    product: str
    reading: str  # strict, loose, ambiguous, unplaced, code
    needs_rare_earth: bool = False
    why: str | None = None  # for an unplaced scope: the catalog's note


@cache
def product_terms() -> dict[str, Term]:
    """Every product word, lower-cased, from product_terms.csv and claim_terms.csv."""
    table: dict[str, Term] = {}
    for p in catalog.products().values():
        for t in p.terms:
            if _CJK.search(t) is None:
                key = _fold(t)
                table[key] = Term(p.id, "strict", key in _NEEDS_RARE_EARTH)
    for row in catalog.read_table("claim_terms.csv"):
        key = _fold(row["term"])
        why = row["note"] if row["reading"] == "unplaced" else None
        table[key] = Term(row["product"], row["reading"], key in _NEEDS_RARE_EARTH, why)
    return table


# Bare "magnet" (catalog note): rare-earth magnets only where the article names rare earths.
_NEEDS_RARE_EARTH = frozenset({"magnet", "magnetic material", "permanent magnet"})


def _fold(term: str) -> str:
    return _SPACES.sub(" ", term.casefold().replace("-", " ")).strip()


@cache
def product_pattern() -> re.Pattern[str]:
    alt = "|".join(
        re.escape(t).replace(r"\ ", r"[\s-]+")
        for t in sorted(product_terms(), key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alt})(?:s|es)?(?![\w])", re.I)


def lookup_term(text: str) -> Term | None:
    """The term a matched product word is (plural or hyphen variants folded)."""
    table = product_terms()
    key = _fold(text)
    for candidate in (key, key[:-1], key[:-2]):
        term = table.get(candidate)
        if term is not None:
            return term
    return None


# Tariff codes written in the text ("HS 850511", "8505.11.10"): exact codes of the catalog.
CODE = re.compile(r"(?<![\d.])(\d{4}(?:\.\d{2}){1,3}|\d{6}(?:\d{2}){0,2})(?![\d])")


@cache
def code_products() -> dict[str, str]:
    """Catalog codes (exact relation) to their product, digits only."""
    out: dict[str, str] = {}
    for p in catalog.products().values():
        for _classification, code, relation in p.codes:
            if relation == "exact":
                out.setdefault(code, p.id)
    return out


RARE_EARTH_WORD = re.compile(r"\brare[\s-]earths?\b|\bNdFeB\b|\bneodymium\b", re.I)
