"""Who a figure is about: the reporter, the partner and the flow's direction.

In the quantity's clause, then in the clauses before it: a destination ("to the US"), an
importer ("the US imported"), a world cue ("globally", "in total"), any other country named.
Capitals and governments ("Washington", "US tariffs") are never partners (``lexicon``'s
roles). Else the partner of the figure the sentence continues ("the figure"), else the world.
An importer's own data ("Japan's imports ... from China") makes the importer the reporter.
"""

from __future__ import annotations

from . import lexicon as lx
from .sentences import Span, chunk_of, distance

__all__ = ["Who", "partner_of"]

Who = tuple[str, str, str]  # reporter, partner, flow


def partner_of(
    s: str,
    q: Span,
    parts: list[Span],
    partners: list[lx.PartnerMention],
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
    found: lx.PartnerMention | str | None = None
    for c in range(at, -1, -1):
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
    if found is None:
        return "CHN", carried or "WLD", "export"
    if isinstance(found, str):
        return "CHN", found, "export"
    # "Japan's imports of magnets from China", per Japan's own data: the importer reports.
    if lx.IMPORT_WORD.search(s) and lx.FROM_CHINA.search(s) and not china_customs:
        return found.code, "CHN", "import"
    return "CHN", found.code, "export"
