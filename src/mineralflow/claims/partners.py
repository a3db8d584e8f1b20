"""Who a figure is about: the reporter, the partner and the flow's direction.

In the quantity's clause, then in the clauses before it: a destination ("to the US"), an
importer ("the US imported"), a world cue ("globally", "in total"), any other country named.
Capitals and governments ("Washington", "US tariffs") are never partners (``lexicon``'s
roles). Else the partner of the figure the sentence continues ("the figure"), else the world.
An importer's own data ("Japan's imports ... from China") makes the importer the reporter.

A country named by what it is rather than by its name ("its Asian neighbour", "the East
Asian nation") is the one country of that kind the article names (any region word narrows
it: "Asian" keeps the Asian ones); when the article names none or several, the figure's
partner is :data:`UNPLACED` and the figure stays unresolved. Never the region itself::

    >>> [(m.code, why) for m, why in indirect_partners(
    ...     "Shipments to its Asian neighbour rose.", "Japan, the U.S. and China")]
    [('JPN', None)]
"""

from __future__ import annotations

import re

from .. import catalog
from . import lexicon as lx
from . import names as nm
from .sentences import Span, chunk_of, distance

__all__ = ["UNPLACED", "Who", "indirect_partners", "partner_of"]

Who = tuple[str, str, str]  # reporter, partner, flow
UNPLACED = "?"  # the partner of a figure whose indirect partner names no one country

_INDIRECT = re.compile(
    r"\b(?:(?:its|their|China['’]s|Beijing['’]s)\s+(?P<adj1>(?:[A-Z][a-z]+[\s-]+){0,2})"
    r"(?:neighbou?r|ally|rival|trading\s+partner)"
    r"|the\s+(?P<adj2>(?:[A-Z][a-z]+[\s-]+){1,2})(?:neighbou?r|nation|country|economy))\b"
)


def indirect_partners(s: str, article: str) -> list[tuple[nm.PartnerMention, str | None]]:
    """The indirect partner phrases of sentence ``s``, each as a mention of the country it
    means (code :data:`UNPLACED` when it means no one country) and the reason it is unplaced.

    ``article`` is the whole text, read for the countries it names only when ``s`` has an
    indirect phrase.
    """
    found = list(_INDIRECT.finditer(s))
    if not found:
        return []
    named = nm.find_partners(article)
    countries = catalog.countries()
    inside = [m.span() for m in _INDIRECT.finditer(article)]
    candidates = {
        p.code
        for p in named
        if p.role not in ("reporter", "actor")
        and p.code in countries
        and countries[p.code].kind == "country"
        and not any(a <= p.start < b for a, b in inside)
    }
    out: list[tuple[nm.PartnerMention, str | None]] = []
    for m in found:
        phrase = m.group()
        adjective = (m.group("adj1") or m.group("adj2") or "").split()
        regions = {nm.find_region(word) for word in adjective} - {None}
        fits = sorted(c for c in candidates if not regions or countries[c].continent in regions)
        role = nm.role_of(s, m.start(), m.end(), "")
        if len(fits) == 1:
            out.append((nm.PartnerMention(m.start(), m.end(), fits[0], role), None))
            continue
        if fits:
            names = ", ".join(catalog.partner_name(c) for c in fits)
            why = f"'{phrase}' could be any of {names}, all named in the article"
        else:
            why = f"'{phrase}' names no country, and the article names none it could be"
        out.append((nm.PartnerMention(m.start(), m.end(), UNPLACED, role), why))
    return out


def partner_of(
    s: str,
    q: Span,
    parts: list[Span],
    partners: list[nm.PartnerMention],
    world: list[Span],
    *,
    carried: str | None,
    china_customs: bool,
) -> Who:
    """(reporter, partner, flow) of the quantity at ``q`` in sentence ``s``.

    ``carried``: the partner of the figure this sentence continues ("the figure", "this
    represents"), when it continues one.
    """
    at = parts.index(chunk_of(parts, q[0]))
    found: nm.PartnerMention | str | None = None
    # "Germany received 390 kg and Japan 350 kg": a name right before the number is its partner.
    right_before = [p for p in partners if p.end <= q[0] and not s[p.end : q[0]].strip(" :")]
    if right_before and right_before[-1].role not in ("reporter", "actor"):
        found = right_before[-1]
    for c in range(at, -1, -1) if found is None else ():
        lo, hi = parts[c]
        here = [p for p in partners if lo <= p.start < hi]
        for role in ("dest", "importer"):
            picked = [p for p in here if p.role == role]
            if picked:
                found = min(picked, key=lambda p: distance((p.start, p.end), q))
                break
        if found is None and any(lo <= w[0] < hi for w in world):
            found = "WLD"
        if found is None and here:
            found = min(here, key=lambda p: distance((p.start, p.end), q))
        if found is not None:
            break
    lo, hi = parts[at]
    if lx.CHINA_IMPORTS.search(s) and not lx.EXPORT_WORD.search(s, lo, hi):
        # "China's rare earth imports fell 18.6% to 22,285 tons": China reports its imports.
        code = found if isinstance(found, str) else found.code if found else None
        return "CHN", code or "WLD", "import"
    if found is None:
        return "CHN", carried or "WLD", "export"
    if isinstance(found, str):
        return "CHN", found, "export"
    # "Japan's imports of magnets from China", per Japan's own data: the importer reports.
    if lx.IMPORT_WORD.search(s) and lx.FROM_CHINA.search(s) and not china_customs:
        return found.code, "CHN", "import"
    return "CHN", found.code, "export"
