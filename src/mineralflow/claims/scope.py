"""Which product a figure is about: the product scope, from the words and codes around it.

The nearest product word or tariff code decides (a code over words); a *loose* word ("rare
earth exports") or no product word at all means the product the article is about: the last
product named strictly in a sentence with figures or as the subject of the trade ("germanium
shipments also recovered"), until another is; before any, the one the article names most. Bare
"magnets" count only where the article names rare earths; another commodity named in the
clause (soybeans, steel) means no figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .. import catalog
from . import names as nm
from .sentences import Span, distance

__all__ = ["UNPLACED", "Scope", "TermAt"]

UNPLACED = "?"  # the product of a figure whose scope the catalog cannot hold
_NO_PRODUCT = "a scope the catalog has no product for"

_LEAD_WEIGHT = 3  # a product word in the headline or lead says what the story is about
# A product word that is the subject of the trade: "germanium shipments", "exports of gallium".
_FLOW_AFTER = re.compile(r"\s*(?:exports?|shipments?|deliveries|sales|imports?|outflows?)\b", re.I)
_FLOW_BEFORE = re.compile(
    r"\b(?:exports?|shipments?|deliveries|sales|imports?)\s+of\s+(?:the\s+)?$", re.I
)


@dataclass(frozen=True)
class TermAt:
    """A product word or tariff code found in a sentence, with its span there."""

    start: int
    end: int
    term: nm.Term


class Scope:
    """The product context of one article, updated sentence by sentence."""

    def __init__(self, text: str) -> None:
        self.rare_earth_named = bool(nm.RARE_EARTH_WORD.search(text))
        self.topic = self._topic(text)
        self.recent: str | None = None  # the product last named strictly
        self.unplaced: str | None = None  # why the scope last named is UNPLACED

    def _topic(self, text: str) -> str | None:
        """The product the article is about: the one its strict product words name most,
        a word in the headline or lead (the first two lines) counting three times. Loose
        words do not vote: headlines say "rare earth exports" of magnet figures."""
        counts: Counter[str] = Counter()
        lead = _lead_end(text)
        for m in nm.product_pattern().finditer(text):
            term = nm.lookup_term(m.group())
            if term is None or term.reading != "strict":
                continue
            if term.needs_rare_earth and not self.rare_earth_named:
                continue
            counts[term.product] += _LEAD_WEIGHT if m.start() < lead else 1
        if not counts:
            return None
        tracked = {p.id for p in catalog.products().values() if p.tracked}
        return max(counts, key=lambda p: (counts[p], p in tracked))

    @staticmethod
    def terms(s: str) -> list[TermAt]:
        """The product words and tariff codes of sentence ``s``, in text order."""
        found = [
            TermAt(m.start(), m.end(), t)
            for m in nm.product_pattern().finditer(s)
            if (t := nm.lookup_term(m.group())) is not None
        ]
        codes = nm.code_products()
        for m in nm.CODE.finditer(s):
            product = codes.get(m.group().replace(".", ""))
            if product is not None:
                found.append(TermAt(m.start(), m.end(), nm.Term(product, "code")))
        return sorted(found, key=lambda t: t.start)

    def product(self, q: Span, terms: list[TermAt], chunk: Span, goods: list[int]) -> str | None:
        """The product of the quantity at ``q`` in its sentence (None: no figure;
        :data:`UNPLACED`: a scope the catalog has no product for, :attr:`unplaced` says
        which)."""
        coded = [t for t in terms if t.term.reading == "code"]
        if coded:  # a tariff code is exact: it decides over words
            return min(coded, key=lambda t: distance((t.start, t.end), q)).term.product
        in_chunk = [t for t in terms if chunk[0] <= t.start < chunk[1]]
        before = [t for t in terms if t.end <= q[0]]
        after = [t for t in terms if t.start >= q[1]]
        if in_chunk:
            term = min(in_chunk, key=lambda t: distance((t.start, t.end), q)).term
        elif before:
            term = before[-1].term
        elif after:
            term = after[0].term
        else:
            if any(chunk[0] <= g < chunk[1] for g in goods):
                return None  # soybeans, steel...: another commodity's figure
            return self.context()
        if term.reading == "ambiguous":
            return None
        if term.reading == "unplaced":
            self.unplaced = term.why or _NO_PRODUCT
            return UNPLACED
        if term.reading == "loose":
            context = self.context()
            return context if context and _same_group(context, term.product) else term.product
        if term.needs_rare_earth and not self.rare_earth_named:
            return None
        return term.product

    def context(self) -> str | None:
        """The product a sentence without a strict product word is about."""
        if self.recent:
            if self.recent == UNPLACED and self.unplaced is None:
                return self.topic
            return self.recent
        return self.topic

    def turns_to(self, s: str, terms: list[TermAt], *, aside: bool = False) -> None:
        """A sentence without figures that makes one product the subject of the trade
        ("Germanium shipments also recovered", "China resumed gallium exports") turns the
        story to it; a product named in passing ("a breakdown, including magnets") or in an
        ``aside`` about other months ("a drop in magnet exports in April and May") does not."""
        if aside:
            return
        subjects = {
            UNPLACED if t.term.reading == "unplaced" else t.term.product
            for t in terms
            if t.term.reading in ("strict", "code", "unplaced")
            and (self.rare_earth_named or not t.term.needs_rare_earth)
            and (
                _FLOW_AFTER.match(s, t.end) or _FLOW_BEFORE.search(s, max(0, t.start - 30), t.start)
            )
        }
        if len(subjects) == 1:
            self.recent = subjects.pop()
            self._note_unplaced(terms)

    def saw(self, terms: list[TermAt], products: set[str]) -> None:
        """Remember the last product a sentence names strictly; the reader calls
        this for sentences that state figures only, so an aside ("a fuller breakdown,
        including magnets, comes later") does not change what the story is about. Before
        any product is known, the one product the sentence's figures were given ("rare earth
        exports were 4,000 tons": the group) carries on ("That compared to 5,900 tons")."""
        strict = [
            t.term
            for t in terms
            if t.term.reading in ("strict", "code", "unplaced")
            and (self.rare_earth_named or not t.term.needs_rare_earth)
        ]
        if strict:
            last = strict[-1]
            self.recent = UNPLACED if last.reading == "unplaced" else last.product
            self._note_unplaced(terms)
        elif self.recent is None and self.topic is None and len(products) == 1:
            self.recent = next(iter(products))

    def _note_unplaced(self, terms: list[TermAt]) -> None:
        term = next((t.term for t in reversed(terms) if t.term.reading == "unplaced"), None)
        if term is not None:
            self.unplaced = term.why or _NO_PRODUCT


def _lead_end(text: str) -> int:
    """Where the headline and lead end: after the first two non-empty lines."""
    pos, seen = 0, 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        seen += bool(line.strip())
        if seen == 2:
            break
    return pos


def _same_group(a: str, b: str) -> bool:
    products = catalog.products()
    return a in products and b in products and products[a].group == products[b].group
