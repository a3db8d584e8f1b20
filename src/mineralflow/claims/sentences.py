"""Where things stand in a text: sentences, the clauses inside them, distances between spans.

A sentence ends at a line break or at a sentence-ending mark; "U.S." and other abbreviations
end one only when a usual sentence opener follows. Inside a sentence, clause breaks (";",
", while", ...: ``lexicon.CHUNK_BREAK``) cut it into chunks: the words that decide a figure's
partner, product or period are looked for in its own chunk first::

    >>> text = "Exports to the U.S. fell. The figure rose."
    >>> [text[a:b] for a, b in split_sentences(text)]
    ['Exports to the U.S. fell.', 'The figure rose.']
"""

from __future__ import annotations

import re
from itertools import pairwise

from . import lexicon as lx

__all__ = ["Span", "chunk_of", "chunks", "distance", "overlaps", "split_sentences"]

Span = tuple[int, int]

_BULLET = re.compile(r"[ \t]*(?:[-•*–][ \t]+)?")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]?(\w+)")
# "shipped in December. 2023.": a stray stop between a month and its year (garbled copies).
_MONTH_END = re.compile(r"\b(?:" + lx.MONTH_NAMES + r")\.$")
_YEAR_NEXT = re.compile(r"(?:19|20)\d{2}\b")


def split_sentences(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``; every line break ends a sentence.

    "U.S." and other abbreviations do not end a sentence unless a usual sentence opener
    follows ("... to the U.S. The figure ...").
    """
    spans: list[Span] = []
    pos = 0
    n = len(text)
    while pos < n:
        eol = text.find("\n", pos)
        le = n if eol < 0 else eol
        start = _BULLET.match(text, pos, le).end()  # type: ignore[union-attr]
        for b in lx.SENTENCE_END.finditer(text, start, le):
            stop = b.start() + len(b.group().rstrip())
            if _YEAR_NEXT.match(text, b.end(), le) and _MONTH_END.search(
                text, max(start, b.start() - 10), b.start() + 1
            ):
                continue
            if lx.ABBREVIATION.search(text, max(start, b.start() - 12), b.start() + 1):
                nxt = _NEXT_WORD.match(text, b.end(), le)
                if nxt is None or nxt.group(1) not in lx.STARTERS:
                    continue
            if text[start:stop].strip():
                spans.append((start, stop))
            start = b.end()
        tail_end = le
        while tail_end > start and text[tail_end - 1].isspace():
            tail_end -= 1
        if tail_end > start:
            spans.append((start, tail_end))
        pos = le + 1
    return spans


def chunks(s: str) -> list[Span]:
    """The clauses of sentence ``s``, as spans covering it end to end."""
    cuts = [0, *(m.end() for m in lx.CHUNK_BREAK.finditer(s)), len(s)]
    return [(lo, hi) for lo, hi in pairwise(cuts) if hi > lo] or [(0, len(s))]


def chunk_of(parts: list[Span], pos: int) -> Span:
    """The clause holding position ``pos``."""
    for c in parts:
        if c[0] <= pos < c[1]:
            return c
    return parts[-1]


def distance(span: Span, other: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    if span[1] <= other[0]:
        return other[0] - span[1]
    if span[0] >= other[1]:
        return span[0] - other[1]
    return 0


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)
