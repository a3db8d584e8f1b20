"""What a sentence states as a quantity: tonnages, changes, multipliers and ranks.

Each quantity keeps the words as written (``stated``), its value in the ledger's unit (tonnes;
signed percent; rank position), the size of its last stated digit (``resolution``) and the
qualifier before it ("nearly", "about"). What is *not* a quantity is decided here too: shares
("a 26% share"), rates a figure rises to ("jumped to 43%"), money and prices::

    >>> [(q.kind, float(q.value)) for q in read_quantities("exports fell 52.9% to 1,238 tons")]
    [('change', -52.9), ('tonnage', 1238.0)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from . import lexicon as lx
from . import names as nm
from .sentences import Span, chunk_of, chunks

__all__ = [
    "Quantity",
    "direction_before",
    "number",
    "partner_list",
    "qualifier",
    "read_quantities",
    "read_ranks",
]


@dataclass
class Quantity:
    """One quantity as stated in a sentence (``start``/``end`` index the sentence, or the
    article once the reader has placed it)."""

    kind: str  # tonnage, change, rank
    start: int
    end: int
    value: Decimal
    resolution: Decimal
    stated: str
    qualifier: str
    partner: str | None = None  # ranks name their partner
    compared: bool = False  # "still far below 3,989 tons": a level the figure is compared to
    doubt: str | None = None  # why the number cannot be read with confidence

    @property
    def span(self) -> Span:
        return (self.start, self.end)


def number(text: str, *, dot_thousands: bool = False) -> tuple[Decimal, Decimal]:
    """The value and resolution (size of the last stated digit) of a written number.

    ``dot_thousands``: the article writes decimal commas ("18,9%"), so "22.319" is 22,319.
    """
    if re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(",", ".")
    elif dot_thousands and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")
    else:
        text = text.replace(",", "")
    d = Decimal(text)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    return d, Decimal(1).scaleb(exponent)


_TONNE_FACTORS = {
    "kg": Decimal("0.001"),
    "kilogram": Decimal("0.001"),
    "kilograms": Decimal("0.001"),
    "kilo": Decimal("0.001"),
    "kilos": Decimal("0.001"),
    "short ton": Decimal("0.90718474"),
    "short tons": Decimal("0.90718474"),
}
_FRACTIONS = {"third": 3, "quarter": 4, "fifth": 5}
_STEPS = {"doubled": 100, "tripled": 200, "trebled": 200, "quadrupled": 300}
# "jumped to 43%", "at 26%": the level of a rate or share, not a change ...
_RATE_LEVEL = re.compile(r"\b(?:to|at|from)\s+(?:about\s+|around\s+|nearly\s+|over\s+)?$", re.I)
# ... unless a change is what stands at it: "the decline was even steeper at 74%".
_CHANGE_AT = re.compile(
    r"\b(?:decline|drop|fall|decrease|contraction|slump|plunge|rise|increase|growth|gain|jump|"
    r"surge)\b[^;:%\d]{0,40}\bat\s+(?:about\s+|around\s+|nearly\s+|over\s+)?$",
    re.I,
)
# "eleven percent", "just over one percent": a percentage written in words.
_WORD_PERCENT = re.compile(r"\b(?P<wn>" + lx.WORDNUM + r")\s+(?:percent|per\s+cent)\b", re.I)
# Spun copies replace "tons" by its informal synonyms ("808 heaps", "3,989 loads"): read as
# tonnes only in an article that writes tons elsewhere (see docs/claims.md).
_SPUN_HINT = re.compile(r"heaps|loads|lots|piles")
_SPUN_TONNES = re.compile(
    r"(?<![\w.,/$€£¥-])(?P<num>" + lx.NUM + r")\s+(?:heaps|loads|lots|piles)\b"
)
_MOVE_VERB = re.compile(r"\b(?:went|moved|climbed|rose|jumped|shot|picked|increased|ramped)\s+$")


def read_quantities(
    s: str, *, decimal_comma: bool = False, spun: bool = False
) -> Iterator[Quantity]:
    """The tonnages, changes and multipliers sentence ``s`` states, in the order found.

    ``spun``: the article writes tons, so "808 heaps" is a spun copy's 808 tons.
    """
    parts: list[Span] = []  # the sentence's clauses, found when a percentage needs them
    for m in lx.QUANTITY.finditer(s):
        value, resolution = number(m.group("num"), dot_thousands=decimal_comma)
        q = qualifier(s, m.start())
        if m.group("pct"):
            parts = parts or chunks(s)
            change = _change(s, m, value, resolution, q, parts)
            if change is not None:
                yield change
        elif m.group("tunit"):
            unit = re.sub(r"\s+", " ", m.group("tunit").casefold())
            factor = _TONNE_FACTORS.get(unit, Decimal(1))
            scale = m.group("scale")
            if scale:
                factor *= lx.SCALES[scale.casefold()]
            if m.group("sign"):
                continue  # "-5 t" is a typo or a table; not a stated level
            compared = bool(_COMPARED.search(s, max(0, m.start() - 40), m.start()))
            doubt = None
            if not decimal_comma and factor >= 1 and _POINT_THOUSANDS.fullmatch(m.group("num")):
                doubt = (
                    f"'{m.group('num')}' may be {m.group('num').replace('.', ',')} written with a "
                    "thousands point; check the source"
                )
            yield Quantity(
                "tonnage",
                m.start(),
                m.end(),
                value * factor,
                resolution * factor,
                m.group(),
                q,
                compared=compared,
                doubt=doubt,
            )
        else:  # fold / times with a digit: "7.6 times the May level"
            if direction_before(s, m.start()) < 0:
                continue
            yield Quantity(
                "change",
                m.start(),
                m.end(),
                (value - 1) * 100,
                resolution * 100,
                m.group().strip(),
                q,
            )
    for m in _WORD_PERCENT.finditer(s) if "cent" in s else ():
        parts = parts or chunks(s)
        value = Decimal(lx.WORD_NUMBERS[m.group("wn").casefold()])
        change = _change(s, m, value, Decimal(1), qualifier(s, m.start()), parts)
        if change is not None:
            yield change
    for m in _SPUN_TONNES.finditer(s) if spun and _SPUN_HINT.search(s) else ():
        value, resolution = number(m.group("num"), dot_thousands=decimal_comma)
        q = qualifier(s, m.start())
        compared = bool(_COMPARED.search(s, max(0, m.start() - 40), m.start()))
        yield Quantity(
            "tonnage", m.start(), m.end(), value, resolution, m.group(), q, compared=compared
        )
    if lx.MULTIPLIER_HINT.search(s):
        yield from _word_multipliers(s)


def _change(
    s: str, m: re.Match[str], value: Decimal, resolution: Decimal, q: str, parts: list[Span]
) -> Quantity | None:
    """The change a percentage states, or None when it is no change of the flow (a share, a
    rate, a price, a direction nobody states)."""
    sign = _direction(s, m)
    if sign == 0 or _not_a_change(s, m, parts):
        return None
    window = max(0, m.start() - 20)
    if _RATE_LEVEL.search(s, window, m.start()) and not _CHANGE_AT.search(
        s, max(0, m.start() - 80), m.start()
    ):
        return None
    return Quantity("change", m.start(), m.end(), value * sign, resolution, m.group().strip(), q)


def _word_multipliers(s: str) -> Iterator[Quantity]:
    """ "more than sevenfold", "doubled", "halved", "down about a third", "about half"."""
    for m in lx.WORD_MULTIPLIER.finditer(s):
        q = qualifier(s, m.start())
        word = m.group().strip()
        if m.group("wnum"):
            if direction_before(s, m.start()) < 0:
                continue
            n = lx.WORD_NUMBERS[m.group("wnum").casefold()]
            value, resolution = Decimal((n - 1) * 100), Decimal(100)
        elif m.group("verb"):
            verb = m.group("verb").casefold()
            if verb == "halved":
                value, resolution = Decimal(-50), Decimal(10)
                q = "about"
            else:
                value, resolution = Decimal(_STEPS[verb]), Decimal(100)
        elif m.group("twice"):
            value, resolution = Decimal(100), Decimal(100)
        elif m.group("frac"):
            # "down about a third": a fall by that fraction, read like "half".
            sign = direction_before(s, m.start())
            if sign == 0:
                continue
            part = _FRACTIONS[re.split(r"[\s-]", m.group("frac"))[-1].casefold()]
            value, resolution = Decimal(100) / part * sign, Decimal(10)
            value = value.quantize(Decimal("0.1"))
            if q not in ("about", "around", "roughly"):
                q = "about"
        else:  # half: "about half of what they were", "fell by half"
            if q not in ("about", "around", "roughly"):
                q = "about"
            start = m.start("half") if m.group("half") else m.start("byhalf")
            yield Quantity("change", start, start + 4, Decimal(-50), Decimal(10), "half", q)
            continue
        yield Quantity("change", m.start(), m.end(), value, resolution, word, q)


def read_ranks(s: str, partners: list[nm.PartnerMention]) -> list[Quantity]:
    """Ranks of destinations: "the top importers were A, B and C", "A, B and C were the top
    three destinations" (every member of a list read whole, or none), "the second-largest
    destination, after Germany", "... followed by B and C"."""
    mentions = [p for p in partners if p.role not in ("reporter", "actor")]
    out: dict[str, Quantity] = {}

    def add(code: str, rank: int, start: int, end: int) -> None:
        if code not in out:
            stated = s[start:end]
            one = Decimal(1)
            out[code] = Quantity("rank", start, end, Decimal(rank), one, stated, "exact", code)

    lists: list[Span] = []  # a whole list decides the ranks of its members
    for m in lx.TOP_LIST.finditer(s):
        listed = partner_list(s, mentions, m.end())
        if _whole_list(s, listed, m.group("n") or m.group("n0")):
            lists.append((m.start(), listed[-1].end))
            for i, p in enumerate(listed, start=1):
                add(p.code, i, p.start, p.end)
    for m in lx.LIST_TOP.finditer(s):
        listed = _list_before(s, mentions, m.start())
        if _whole_list(s, listed, m.group("n") or m.group("n0")):
            lists.append((listed[0].start, m.end()))
            for i, p in enumerate(listed, start=1):
                add(p.code, i, p.start, p.end)
    for m in lx.ORDINAL_RANK.finditer(s):
        word = m.group("ord").casefold()
        if word in ("top", "largest", "biggest") and m.group().endswith("s"):
            continue  # "the top destinations": a list, read whole above or not at all
        if any(x < m.end() and m.start() < y for x, y in lists):
            continue
        n = lx.ORDINALS[word]
        subject = [p for p in mentions if p.end <= m.start()]
        if not subject:
            continue
        subj = subject[-1]
        add(subj.code, n, m.start("ord"), m.end())
        rest = s[m.end() :]
        after = re.match(r"[\s\w',’-]{0,60}?,?\s*after\s+", rest)
        if after and n >= 2:
            listed = partner_list(s, mentions, m.end() + after.end())
            if len(listed) == n - 1:
                for i, p in enumerate(listed, start=1):
                    add(p.code, i, p.start, p.end)
        ahead = re.search(r"\bahead\s+of\s+", rest)
        if ahead and lx.DESCENDING.search(rest):
            for i, p in enumerate(partner_list(s, mentions, m.end() + ahead.end()), n + 1):
                add(p.code, i, p.start, p.end)
        follow = lx.FOLLOWED_BY.search(rest)
        if follow:
            for i, p in enumerate(partner_list(s, mentions, m.end() + follow.end()), n + 1):
                add(p.code, i, p.start, p.end)
    return sorted(out.values(), key=lambda q: q.start)


# Between listed partners: commas and "and", and what each received ("Japan, with 2,004 kg,
# and Germany"; "Japan (2,004 kg) and Germany").
_LIST_GAP = re.compile(
    r"(?:\s*(?:,\s*with\s+|\()(?:about\s+|nearly\s+|around\s+)?\d[^;:()]{0,30}?\)?)?"
    r"[\s,]*(?:and\s+)?(?:the\s+)?",
    re.I,
)
# A name the catalog does not know, right before or after a list: the list is not whole.
_NAME_BEFORE = re.compile(r"[A-Z][\w.’'-]*\s*(?:,|\band)\s*(?:the\s+)?$")
_MORE_AFTER = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?[A-Z]")


def _whole_list(s: str, listed: list[nm.PartnerMention], size: str | None) -> bool:
    """A top-N list ranks its members only when it is read whole: as many members as it
    says ("top three"), and no unknown name beside the ones read. Else none is ranked."""
    if not listed:
        return False
    if size is not None:
        n = int(size) if size.isdigit() else lx.WORD_NUMBERS[size.casefold()]
        return len(listed) == n
    return not (_NAME_BEFORE.search(s, 0, listed[0].start) or _MORE_AFTER.match(s, listed[-1].end))


def _list_before(s: str, mentions: list[nm.PartnerMention], end: int) -> list[nm.PartnerMention]:
    """Partners listed right up to ``end``, separated only by commas and "and"."""
    out: list[nm.PartnerMention] = []
    pos = end
    for p in reversed([p for p in mentions if p.end <= end]):
        if not _LIST_GAP.fullmatch(s, p.end, pos):
            break
        out.append(p)
        pos = p.start
    return out[::-1]


def partner_list(s: str, mentions: list[nm.PartnerMention], start: int) -> list[nm.PartnerMention]:
    """Partners listed from ``start`` on, separated only by commas and "and"."""
    out: list[nm.PartnerMention] = []
    pos = start
    for p in mentions:
        if p.start < pos:
            continue
        if not _LIST_GAP.fullmatch(s, pos, p.start):
            break
        out.append(p)
        pos = p.end
    return out


def qualifier(s: str, start: int) -> str:
    """The qualifier word right before position ``start`` ("nearly", "about"), else exact."""
    before = s[max(0, start - 32) : start]
    m = lx.qualifier_pattern().search(before)
    if m is None:
        return "exact"
    word = m.group("q")
    if word.casefold() == "up to" and _MOVE_VERB.search(before[: m.start()]):
        return "exact"  # "went up to 353 tons": a rise to, not at most
    if _FAR.search(before, 0, m.start()):
        return "exact"  # "still far below 3,989 tons": a comparison, not a bound
    return lx.qualifier_words()[word.casefold()]


# "far below", "well above": the figure compared with the level after it.
# "62.585 metric tons" of a 62,585-ton year: a point before exactly three digits.
_POINT_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_FAR = re.compile(r"\b(?:far|well|much|way|significantly|considerably)\s+$", re.I)
_COMPARED = re.compile(
    r"\b(?:far|well|much|way|significantly|considerably)\s+(?:below|above|under|over|"
    r"short\s+of|less\s+than|more\s+than)\s+(?:the\s+)?$",
    re.I,
)


def _direction(s: str, m: re.Match[str]) -> int:
    sign = m.groupdict().get("sign")
    if sign:
        return 1 if sign == "+" else -1
    after = lx.DIRECTION_AFTER.match(s, m.end(), min(len(s), m.end() + 40))
    if after:
        return 1 if after.group("up") else -1
    # "plummeted by more than 80%": the qualifier's "more" is no direction
    start = m.start()
    if (said := lx.qualifier_pattern().search(s, max(0, start - 32), start)) is not None:
        start = said.start()
    sign = direction_before(s, start)
    if sign == 0 and _BY.search(s, max(0, start - 12), start):
        # "increased its exports of rare earth metals to other countries by 23%"
        sign = direction_before(s, start, reach=150)
    return sign


_BY = re.compile(r"\bby\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+)?$")


def direction_before(s: str, start: int, *, reach: int = 48) -> int:
    """+1 for a rise, -1 for a fall, 0 when the words before ``start`` (in its clause, within
    ``reach`` characters) say neither."""
    window_start = max(0, start - reach)
    cut = lx.CHUNK_BREAK.search(s[window_start:start][::-1])
    if cut is not None:
        window_start = start - cut.start()
    hits = list(lx.DIRECTION_BEFORE.finditer(s, window_start, start))
    if not hits:
        return 0
    return 1 if hits[-1].group("up") else -1


def _not_a_change(s: str, m: re.Match[str], parts: list[Span]) -> bool:
    if lx.NOT_A_CHANGE_AFTER.match(s, m.end(), min(len(s), m.end() + 30)):
        return True
    window = max(0, m.start() - 40)
    if lx.NOT_A_CHANGE_HINT.search(s, window, m.start()) and lx.NOT_A_CHANGE_BEFORE.search(
        s, window, m.start()
    ):
        return True
    chunk = chunk_of(parts, m.start())
    return lx.VALUE_WORDS.search(s, chunk[0], chunk[1]) is not None
