"""Figures from the sentences of a news article, by rules a reader can check.

One pass over the sentences, in order. A sentence yields figures when it states a quantity
(a tonnage, a percentage change, a multiplier such as "more than sevenfold", a rank) and
speaks of trade (exports, shipments, destinations...) or continues the previous figure ("the
figure", "this represents"). For each quantity the reader decides, nearest words first:

- the **product**: the nearest product word (``product_terms.csv``, ``claim_terms.csv``); a
  loose word ("rare earth exports") or none at all means the product the article is about;
- the **partner**: a destination ("to the US"), an importer ("the US imported"), a world cue
  ("globally", "total"), else the partner of the figure the sentence continues, else the world;
- the **period**: a month, a span ("first half of 2025"), "last month", resolved against the
  publication date; else derived from the change's base; else the previous figure's period;
- the **measure**: level or cumulative for tonnages; for changes the base ("from May", "the
  same month last year") decides month-on-month or year-on-year.

What cannot be decided stays unresolved and says why (a month without a year and no
publication date; a change with no base and no restatement that gives one)::

    >>> import datetime as dt
    >>> [c.to_dict()["value"] for c in extract_claims(
    ...     "China exported 3,188 tons of rare earth magnets in June, up 157.5% from May.",
    ...     source="a.txt", published=dt.date(2025, 7, 20))]
    [3188.0, 157.5]
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise
from typing import Any

from .. import catalog
from ..periods import Month, Period
from . import lexicon as lx

__all__ = ["Claim", "extract_claims", "split_sentences"]

CHANGE_MEASURES = ("change_mom", "change_yoy", "cumulative_change_yoy")
_RECENT_WINDOW = 6  # sentences a product word keeps its hold on what follows


@dataclass(frozen=True)
class Claim:
    """One figure an article states, with where it stands in the text.

    ``value`` is in tonnes for levels and cumulative totals, in percent (signed) for changes
    and a position for ranks. ``span`` is the character span of the stated number in the
    article text; ``sentence`` the span of its sentence. ``period`` or ``measure`` is None
    when the article does not say enough, and ``unresolved`` then says what is missing.
    """

    reporter: str
    partner: str
    product: str
    flow: str
    period: str | None
    measure: str | None
    value: float
    unit: str
    stated: str
    resolution: float
    qualifier: str
    source: str
    span: tuple[int, int]
    sentence: tuple[int, int]
    unresolved: str | None = None
    note: str | None = None

    @property
    def resolved(self) -> bool:
        return self.period is not None and self.measure is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (``docs/claims.md``)."""
        return {
            "reporter": self.reporter,
            "partner": self.partner,
            "product": self.product,
            "flow": self.flow,
            "period": self.period,
            "measure": self.measure,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "source": self.source,
            "span": list(self.span),
            "stated": self.stated,
            "resolution": self.resolution,
            "sentence_span": list(self.sentence),
            "unresolved": self.unresolved,
            "note": self.note,
        }


# -- sentences ----------------------------------------------------------------------------
_BULLET = re.compile(r"[ \t]*(?:[-•*–][ \t]+)?")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]?(\w+)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; every line break ends a sentence.

    "U.S." and other abbreviations do not end a sentence unless a usual sentence opener
    follows ("... to the U.S. The figure ...").
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos < n:
        eol = text.find("\n", pos)
        le = n if eol < 0 else eol
        start = _BULLET.match(text, pos, le).end()  # type: ignore[union-attr]
        for b in lx.SENTENCE_END.finditer(text, start, le):
            stop = b.start() + len(b.group().rstrip())
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


# -- internal drafts ----------------------------------------------------------------------
@dataclass
class _Quantity:
    kind: str  # tonnage, change, rank
    start: int
    end: int
    value: Decimal
    resolution: Decimal
    stated: str
    qualifier: str
    partner: str | None = None  # ranks name their partner
    inside_base: tuple[int, int, int | None] | None = None  # (month, year, ...) for levels


@dataclass(frozen=True)
class _PeriodMark:
    start: int
    end: int
    period: Period | None
    month: int | None = None  # a month named without a year, kept for later resolution
    why: str | None = None  # what is missing when period is None


@dataclass(frozen=True)
class _Base:
    start: int
    end: int
    kind: str  # mom, yoy, month
    month: int | None = None
    year: int | None = None
    last_year: bool = False


@dataclass
class _Timing:
    """When a quantity is and what it measures, as far as its sentence says."""

    period: Period | None
    why: str | None  # what is missing when period is None
    measure: str | None
    base_found: bool
    explicit: bool  # the period is stated in the sentence (not carried over)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    q: _Quantity
    sentence: tuple[int, int]
    reporter: str
    partner: str
    product: str
    flow: str
    period: Period | None
    period_why: str | None
    measure: str | None
    base_found: bool
    explicit_period: bool
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        q: _Quantity,
        sentence: tuple[int, int],
        who: tuple[str, str, str, str],
        timing: _Timing,
    ) -> _Draft:
        reporter, partner, product, flow = who
        return cls(
            q, sentence, reporter, partner, product, flow, timing.period, timing.why,
            timing.measure, timing.base_found, timing.explicit, list(timing.notes),
        )  # fmt: skip


@dataclass(frozen=True)
class _Frame:
    """The last figure read: what "the figure" or "this represents" refers to."""

    partner: str
    period: Period | None


def _number(text: str, *, dot_thousands: bool = False) -> tuple[Decimal, Decimal]:
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
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d{1,3},\d{1,2}\s?%")
# "jumped to 43%", "at 26%": the level of a rate or share, not a change.
_RATE_LEVEL = re.compile(r"\b(?:to|at|from)\s+(?:about\s+|around\s+|nearly\s+|over\s+)?$", re.I)
_MOVE_VERB = re.compile(r"\b(?:went|moved|climbed|rose|jumped|shot|picked|increased|ramped)\s+$")


class _Reader:
    def __init__(self, text: str, source: str, published: dt.date | None) -> None:
        self.text = text
        self.source = source
        self.published = published
        self.pub_month = Month.of(published) if published else None
        self.rare_earth_named = bool(lx.RARE_EARTH_WORD.search(text))
        self.decimal_comma = bool(_DECIMAL_COMMA.search(text))
        self.topic = self._topic()
        self.recent: tuple[str, int] | None = None
        self.frame: _Frame | None = None
        self.drafts: list[_Draft] = []

    # -- article-level context ------------------------------------------------------------
    def _topic(self) -> str | None:
        """The product the article is about: the one its strict product words name most."""
        counts: Counter[str] = Counter()
        for m in lx.product_pattern().finditer(self.text):
            term = lx.lookup_term(m.group())
            if term is None or term.reading != "strict":
                continue
            if term.needs_rare_earth and not self.rare_earth_named:
                continue
            counts[term.product] += 1
        if not counts:
            return None
        tracked = {p.id for p in catalog.products().values() if p.tracked}
        return max(counts, key=lambda p: (counts[p], p in tracked))

    # -- the pass -------------------------------------------------------------------------
    def read(self) -> list[Claim]:
        for index, (a, b) in enumerate(split_sentences(self.text)):
            self._sentence(index, a, b)
        return self._finish()

    def _sentence(self, index: int, a: int, b: int) -> None:
        s = self.text[a:b]
        terms = [
            (m.start(), m.end(), t)
            for m in lx.product_pattern().finditer(s)
            if (t := lx.lookup_term(m.group())) is not None
        ]
        codes = lx.code_products()
        for m in lx.CODE.finditer(s):
            product = codes.get(m.group().replace(".", ""))
            if product is not None:
                terms.append((m.start(), m.end(), lx.Term(product, "code")))
        terms.sort(key=lambda t: t[0])
        quantities = list(self._quantities(s))
        trade = lx.TRADE.search(s) is not None
        ranked = trade and lx.RANK_HINT.search(s) is not None
        partners = lx.find_partners(s) if quantities or ranked else []
        ranks = self._ranks(s, partners) if ranked else []
        if quantities or ranks:
            self._figures(index, a, b, s, terms, quantities, ranks, partners, trade)
        strict = [
            t
            for _, _, t in terms
            if t.reading in ("strict", "code") and (self.rare_earth_named or not t.needs_rare_earth)
        ]
        if strict:
            self.recent = (strict[-1].product, index)

    def _figures(
        self,
        index: int,
        a: int,
        b: int,
        s: str,
        terms: list[tuple[int, int, lx.Term]],
        quantities: list[_Quantity],
        ranks: list[_Quantity],
        mentions: list[lx.PartnerMention],
        trade: bool,
    ) -> None:
        anaphora = lx.ANAPHORA.search(s) is not None
        if not trade and not (anaphora and self.frame is not None):
            return
        chunks = _chunks(s)
        partners = [p for p in mentions if p.role not in ("reporter", "actor")]
        world = [(m.start(), m.end()) for m in lx.WORLD.finditer(s)]
        bases = _bases(s)
        periods = self._periods(s, bases)
        china_customs = lx.CHINA_CUSTOMS.search(s) is not None
        goods = [m.start() for m in lx.OTHER_GOODS.finditer(s)] if not terms else []
        made: list[_Draft] = []
        changes = [q for q in quantities if q.kind == "change"]
        for q in quantities:
            chunk = _chunk_of(chunks, q.start)
            if lx.FORECAST.search(s, chunk[0], q.start):
                continue
            if (
                q.kind == "tonnage"
                and lx.NOT_A_FLOW.search(s, *chunk)
                and not lx.TRADE.search(s, *chunk)
            ):
                continue  # output, capacity, quotas: not a flow
            product = self._product(index, s, q, terms, chunk, goods)
            if product is None:
                continue
            reporter, partner, flow = self._partner(
                s, q, chunks, partners, world, anaphora, china_customs
            )
            timing = self._measure(q, changes, bases, periods, chunks)
            shifted = replace(q, start=q.start + a, end=q.end + a)
            made.append(_Draft.of(shifted, (a, b), (reporter, partner, product, flow), timing))
        self.drafts.extend(made)
        if made:
            last = made[-1]
            period = next((d.period for d in reversed(made) if d.period), None)
            if period is None and self.frame is not None:
                period = self.frame.period
            self.frame = _Frame(last.partner, period)
        for r in ranks:
            product = self._product(index, s, r, terms, _chunk_of(chunks, r.start), goods)
            if product is None:
                continue
            period, why, explicit = self._pick_period(r, periods, chunks, bases, None)
            timing = _Timing(period, why, "rank", True, explicit)
            shifted = replace(r, start=r.start + a, end=r.end + a)
            who = ("CHN", r.partner or "WLD", product, "export")
            self.drafts.append(_Draft.of(shifted, (a, b), who, timing))

    # -- quantities -----------------------------------------------------------------------
    def _quantities(self, s: str) -> Iterator[_Quantity]:
        chunks: list[tuple[int, int]] | None = None
        for m in lx.QUANTITY.finditer(s):
            value, resolution = _number(m.group("num"), dot_thousands=self.decimal_comma)
            qualifier = _qualifier(s, m.start())
            if m.group("pct"):
                direction = _direction(s, m)
                chunks = chunks or _chunks(s)
                if direction == 0 or _not_a_change(s, m, chunks):
                    continue
                if _RATE_LEVEL.search(s, max(0, m.start() - 20), m.start()):
                    continue
                yield _Quantity(
                    "change",
                    m.start(),
                    m.end(),
                    value * direction,
                    resolution,
                    m.group().strip(),
                    qualifier,
                )
            elif m.group("tunit"):
                unit = re.sub(r"\s+", " ", m.group("tunit").casefold())
                factor = _TONNE_FACTORS.get(unit, Decimal(1))
                scale = m.group("scale")
                if scale:
                    factor *= lx.SCALES[scale.casefold()]
                if m.group("sign"):
                    continue  # "-5 t" is a typo or a table; not a stated level
                yield _Quantity(
                    "tonnage",
                    m.start(),
                    m.end(),
                    value * factor,
                    resolution * factor,
                    m.group(),
                    qualifier,
                )
            else:  # fold / times with a digit: "7.6 times the May level"
                if _direction_before(s, m.start()) < 0:
                    continue
                yield _Quantity(
                    "change",
                    m.start(),
                    m.end(),
                    (value - 1) * 100,
                    resolution * 100,
                    m.group().strip(),
                    qualifier,
                )
        if not lx.MULTIPLIER_HINT.search(s):
            return
        for m in lx.WORD_MULTIPLIER.finditer(s):
            qualifier = _qualifier(s, m.start())
            word = m.group().strip()
            if m.group("wnum"):
                if _direction_before(s, m.start()) < 0:
                    continue
                n = lx.WORD_NUMBERS[m.group("wnum").casefold()]
                value, resolution = Decimal((n - 1) * 100), Decimal(100)
            elif m.group("verb"):
                verb = m.group("verb").casefold()
                steps = {"doubled": 100, "tripled": 200, "trebled": 200, "quadrupled": 300}
                if verb == "halved":
                    value, resolution = Decimal(-50), Decimal(10)
                    qualifier = "about"
                else:
                    value, resolution = Decimal(steps[verb]), Decimal(100)
            elif m.group("twice"):
                value, resolution = Decimal(100), Decimal(100)
            elif m.group("frac"):
                # "down about a third": a fall by that fraction, read like "half".
                direction = _direction_before(s, m.start())
                if direction == 0:
                    continue
                part = _FRACTIONS[re.split(r"[\s-]", m.group("frac"))[-1].casefold()]
                value, resolution = Decimal(100) / part * direction, Decimal(10)
                value = value.quantize(Decimal("0.1"))
                if qualifier not in ("about", "around", "roughly"):
                    qualifier = "about"
            else:  # half: "about half of what they were", "fell by half"
                value, resolution = Decimal(-50), Decimal(10)
                if qualifier not in ("about", "around", "roughly"):
                    qualifier = "about"
                start = m.start("half") if m.group("half") else m.start("byhalf")
                word = "half"
                yield _Quantity("change", start, start + 4, value, resolution, word, qualifier)
                continue
            yield _Quantity("change", m.start(), m.end(), value, resolution, word, qualifier)

    def _ranks(self, s: str, partners: list[lx.PartnerMention]) -> list[_Quantity]:
        """Ranks of destinations: "the second-largest destination, after Germany", "the top
        importers were A, B and C", "... followed by B and C"."""
        mentions = [p for p in partners if p.role not in ("reporter", "actor")]
        out: dict[str, _Quantity] = {}

        def add(code: str, rank: int, start: int, end: int) -> None:
            if code not in out:
                stated = s[start:end]
                one = Decimal(1)
                out[code] = _Quantity("rank", start, end, Decimal(rank), one, stated, "exact", code)

        for m in lx.ORDINAL_RANK.finditer(s):
            n = lx.ORDINALS[m.group("ord").casefold()]
            subject = [p for p in mentions if p.end <= m.start()]
            if not subject:
                continue
            subj = subject[-1]
            add(subj.code, n, m.start("ord"), m.end())
            rest = s[m.end() :]
            after = re.match(r"[\s\w',’-]{0,60}?,?\s*after\s+", rest)
            if after and n >= 2:
                listed = _partner_list(s, mentions, m.end() + after.end())
                if len(listed) == n - 1:
                    for i, p in enumerate(listed, start=1):
                        add(p.code, i, p.start, p.end)
            ahead = re.search(r"\bahead\s+of\s+", rest)
            if ahead and lx.DESCENDING.search(rest):
                for i, p in enumerate(_partner_list(s, mentions, m.end() + ahead.end()), n + 1):
                    add(p.code, i, p.start, p.end)
            follow = lx.FOLLOWED_BY.search(rest)
            if follow:
                for i, p in enumerate(_partner_list(s, mentions, m.end() + follow.end()), n + 1):
                    add(p.code, i, p.start, p.end)
        for m in lx.TOP_LIST.finditer(s):
            for i, p in enumerate(_partner_list(s, mentions, m.end()), start=1):
                add(p.code, i, p.start, p.end)
        return sorted(out.values(), key=lambda q: q.start)

    # -- product --------------------------------------------------------------------------
    def _product(
        self,
        index: int,
        s: str,
        q: _Quantity,
        terms: list[tuple[int, int, lx.Term]],
        chunk: tuple[int, int],
        goods: list[int],
    ) -> str | None:
        coded = [t for t in terms if t[2].reading == "code"]
        if coded:  # a tariff code is exact: it decides over words
            return min(coded, key=lambda t: _distance((t[0], t[1]), q))[2].product
        in_chunk = [t for t in terms if chunk[0] <= t[0] < chunk[1]]
        before = [t for t in terms if t[1] <= q.start]
        after = [t for t in terms if t[0] >= q.end]
        if in_chunk:
            term = min(in_chunk, key=lambda t: _distance((t[0], t[1]), q))[2]
        elif before:
            term = before[-1][2]
        elif after:
            term = after[0][2]
        else:
            if any(chunk[0] <= g < chunk[1] for g in goods):
                return None  # soybeans, steel...: another commodity's figure
            return self._context_product(index)
        if term.reading == "ambiguous":
            return None
        if term.reading == "loose":
            context = self._context_product(index)
            return context if context and _same_group(context, term.product) else term.product
        if term.needs_rare_earth and not self.rare_earth_named:
            return None
        return term.product

    def _context_product(self, index: int) -> str | None:
        if self.recent and index - self.recent[1] <= _RECENT_WINDOW:
            return self.recent[0]
        return self.topic

    # -- partner --------------------------------------------------------------------------
    def _partner(
        self,
        s: str,
        q: _Quantity,
        chunks: list[tuple[int, int]],
        partners: list[lx.PartnerMention],
        world: list[tuple[int, int]],
        anaphora: bool,
        china_customs: bool,
    ) -> tuple[str, str, str]:
        at = chunks.index(_chunk_of(chunks, q.start))
        found: lx.PartnerMention | str | None = None
        for c in range(at, -1, -1):
            lo, hi = chunks[c]
            here = [p for p in partners if lo <= p.start < hi]
            for role in ("dest", "importer"):
                picked = [p for p in here if p.role == role]
                if picked:
                    found = min(picked, key=lambda p: _distance((p.start, p.end), q))
                    break
            if found is None and any(lo <= w[0] < hi for w in world):
                found = "WLD"
            if found is None and here:
                found = min(here, key=lambda p: _distance((p.start, p.end), q))
            if found is not None:
                break
        if found is None:
            partner = self.frame.partner if anaphora and self.frame else "WLD"
            return "CHN", partner, "export"
        if isinstance(found, str):
            return "CHN", found, "export"
        # "Japan's imports of magnets from China", per Japan's own data: the importer reports.
        if lx.IMPORT_WORD.search(s) and lx.FROM_CHINA.search(s) and not china_customs:
            return found.code, "CHN", "import"
        return "CHN", found.code, "export"

    # -- period and measure ---------------------------------------------------------------
    def _periods(self, s: str, bases: list[_Base]) -> list[_PeriodMark]:
        marks: list[_PeriodMark] = []
        taken: list[tuple[int, int]] = [(b.start, b.end) for b in bases]
        spans = lx.SPAN_PERIOD.finditer(s) if lx.SPAN_HINT.search(s) else iter(())
        for m in spans:
            if _overlaps(taken, m.start(), m.end()):
                continue
            marks.append(self._span_mark(m))
            taken.append((m.start(), m.end()))
        for m in lx.MONTH_PERIOD.finditer(s):
            if _overlaps(taken, m.start(), m.end()):
                continue
            if lx.DATE_DAY_BEFORE.search(s, max(0, m.start() - 6), m.start()):
                continue  # "20 July": a date, not a period
            month = lx.MONTHS[m.group("m").rstrip(".").casefold()]
            year = int(m.group("y")) if m.group("y") else None
            marks.append(self._month_mark(m.start(), m.end(), month, year))
        for m in lx.LAST_MONTH.finditer(s):
            if _overlaps(taken, m.start(), m.end()):
                continue
            if self.pub_month is None:
                why = f"'{m.group()}' needs a publication date; pass --published YYYY-MM-DD"
                marks.append(_PeriodMark(m.start(), m.end(), None, why=why))
            else:
                marks.append(
                    _PeriodMark(m.start(), m.end(), Period.month(self.pub_month.shift(-1)))
                )
        return sorted(marks, key=lambda p: p.start)

    def _month_mark(self, start: int, end: int, month: int, year: int | None) -> _PeriodMark:
        if year is not None:
            return _PeriodMark(start, end, Period.month(Month(year, month)))
        if self.pub_month is None:
            why = (
                f"'{_month_name(month)}' has no year and the article no date; "
                "pass --published YYYY-MM-DD"
            )
            return _PeriodMark(start, end, None, month=month, why=why)
        return _PeriodMark(start, end, Period.month(_latest(month, self.pub_month)))

    def _span_mark(self, m: re.Match[str]) -> _PeriodMark:
        g = m.groupdict()
        year: int | None = None
        if g["fm"]:
            first = lx.MONTHS[g["fm"].rstrip(".").casefold()]
            last = lx.MONTHS[g["lm"].rstrip(".").casefold()]
            year = int(g["ry"]) if g["ry"] else None
        elif g["nm"]:
            first = 1
            last = int(g["nm"]) if g["nm"].isdigit() else lx.WORD_NUMBERS[g["nm"].casefold()]
            year = int(g["ny"]) if g["ny"] else None
            if not 1 <= last <= 12:
                why = f"'{m.group()}' is not a span within one year"
                return _PeriodMark(m.start(), m.end(), None, why=why)
        elif g["part"] or g["h"]:
            key = re.sub(r"\s+", " ", (g["part"] or g["h"]).casefold())
            first, last = lx.PARTS[key]
            y = g["py"] or g["hy"]
            year = int(y) if y else None
        elif g["fy"]:
            first, last, year = 1, 12, int(g["fy"])
        elif g["ly"]:
            if self.pub_month is None:
                why = "'last year' needs a publication date; pass --published YYYY-MM-DD"
                return _PeriodMark(m.start(), m.end(), None, why=why)
            first, last, year = 1, 12, self.pub_month.year - 1
        else:  # year to date: January to the month the article reports
            if self.pub_month is None:
                why = "'year to date' needs a publication date; pass --published YYYY-MM-DD"
                return _PeriodMark(m.start(), m.end(), None, why=why)
            end = self.frame.period.end if self.frame and self.frame.period else None
            end = end or self.pub_month.shift(-1)
            return _PeriodMark(m.start(), m.end(), Period(Month(end.year, 1), end))
        if year is None:
            if self.pub_month is None:
                why = (
                    f"'{m.group()}' has no year and the article no date; "
                    "pass --published YYYY-MM-DD"
                )
                return _PeriodMark(m.start(), m.end(), None, why=why)
            year = self.pub_month.year
            if Month(year, last) > self.pub_month:
                year -= 1
        # "December-January": the span crosses a year end; the year named is the end's.
        start = Month(year if first <= last else year - 1, first)
        return _PeriodMark(m.start(), m.end(), Period(start, Month(year, last)))

    def _measure(
        self,
        q: _Quantity,
        changes: list[_Quantity],
        bases: list[_Base],
        periods: list[_PeriodMark],
        chunks: list[tuple[int, int]],
    ) -> _Timing:
        base = _base_for(q, changes, bases) if q.kind == "change" else None
        inside = next((b for b in bases if b.kind == "month" and b.start <= q.start < b.end), None)
        if q.kind == "tonnage" and inside is not None and inside.month is not None:
            # "up 160% from 1,238 tons in May": 1,238 t is May's level.
            month = self._base_month(inside, None)
            if month is None:
                missing = "the base month has no year; pass --published YYYY-MM-DD"
                return _Timing(None, missing, None, True, True)
            return _Timing(Period.month(month), None, "level", True, True)
        period, why, explicit = self._pick_period(q, periods, chunks, bases, base)
        measure: str | None = None
        notes: list[str] = []
        if q.kind == "tonnage":
            if period is not None:
                measure = "level" if period.is_month else "cumulative"
        elif base is not None:
            measure, period, why = self._change_measure(base, period, why)
        elif period is not None and not period.is_month:
            # "fell 18.9% in the first half": a multi-month total changes year on year.
            measure = "cumulative_change_yoy"
            notes.append("no base stated; a multi-month total's change is year on year")
        return _Timing(period, why, measure, base is not None, explicit, notes)

    def _pick_period(
        self,
        q: _Quantity,
        periods: list[_PeriodMark],
        chunks: list[tuple[int, int]],
        bases: list[_Base],
        base: _Base | None,
    ) -> tuple[Period | None, str | None, bool]:
        """The period of a quantity: (period, why it is missing, stated in this sentence)."""
        chunk = _chunk_of(chunks, q.start)
        here = [p for p in periods if chunk[0] <= p.start < chunk[1]]
        before = [p for p in periods if p.end <= q.start]
        after = [p for p in periods if p.start >= q.end]
        mark: _PeriodMark | None = None
        if here:
            mark = min(here, key=lambda p: _distance((p.start, p.end), q))
        elif before:
            mark = before[-1]
        elif after:
            mark = after[0]
        if mark is not None:
            if mark.period is None and mark.month is not None:
                # "June's total ... than the same month in 2024": the base gives the year.
                for b in [base, *bases]:
                    if b is not None and b.kind in ("yoy", "month") and b.year:
                        return Period.month(Month(b.year + 1, mark.month)), None, True
            return mark.period, mark.why, True
        for b in [base, *bases]:
            derived = self._period_from_base(b) if b is not None else None
            if derived is not None:
                return Period.month(derived), None, True
        if self.frame is not None and self.frame.period is not None:
            return self.frame.period, None, False
        return None, None, False

    def _period_from_base(self, b: _Base) -> Month | None:
        if b.kind != "month" or b.month is None:
            return None
        if b.year is not None:
            return Month(b.year + 1, b.month)  # "than June 2024": June 2025's change
        if b.last_year:
            return None
        month = self._base_month(b, None)
        return month.shift(1) if month else None

    def _base_month(self, b: _Base, period: Period | None) -> Month | None:
        assert b.month is not None
        if b.year is not None:
            return Month(b.year, b.month)
        if period is not None:
            if b.last_year:
                return Month(period.end.year - 1, b.month)
            return _latest(b.month, period.end.shift(-1))
        if self.pub_month is None:
            return None
        return _latest(b.month, self.pub_month)

    def _change_measure(
        self, base: _Base, period: Period | None, why: str | None
    ) -> tuple[str | None, Period | None, str | None]:
        kind = base.kind
        if kind == "month":
            if period is None:
                derived = self._period_from_base(base)
                if derived is None:
                    return None, None, why or "the base month has no year; pass --published"
                period = Period.month(derived)
            b = self._base_month(base, period)
            if b is None:
                return None, period, "cannot place the base month"
            gap = (period.end.year - b.year) * 12 + period.end.month - b.month
            kind = {1: "mom", 12: "yoy"}.get(gap, "")
            if not kind:
                return None, period, f"the base {b} is {gap} months before {period}"
        if period is None:
            return None, None, why
        if not period.is_month:
            if kind == "yoy":
                return "cumulative_change_yoy", period, None
            return None, period, "a month-on-month change of a multi-month total"
        return ("change_mom" if kind == "mom" else "change_yoy"), period, None

    # -- the end of the article -----------------------------------------------------------
    def _finish(self) -> list[Claim]:
        drafts = self.drafts
        stated = Counter(
            d.period for d in drafts if d.explicit_period and d.period and d.period.is_month
        )
        main = stated.most_common(1)[0][0] if stated else None
        for d in drafts:
            if d.period is None and d.period_why is None and main is not None:
                d.period = main
                d.notes.append(f"period {main} is the article's main month")
                if d.q.kind == "tonnage":
                    d.measure = "level"
        for d in drafts:
            if d.q.kind == "change" and d.measure is None and not d.base_found:
                twin = next(
                    (
                        o
                        for o in drafts
                        if o is not d
                        and o.measure in CHANGE_MEASURES
                        and o.base_found
                        and o.q.value == d.q.value
                        and o.partner == d.partner
                        and o.product == d.product
                    ),
                    None,
                )
                if twin is not None:
                    d.measure = twin.measure
                    d.period = d.period or twin.period
                    d.notes.append(
                        f"base from the restatement at chars {twin.q.start}-{twin.q.end}"
                    )
        return [self._claim(d) for d in sorted(drafts, key=lambda d: d.q.start)]

    def _claim(self, d: _Draft) -> Claim:
        why = d.period_why
        if d.measure is None and why is None:
            why = (
                "a change with no stated base (month on month or year on year?)"
                if d.q.kind == "change"
                else "no period stated"
            )
        if d.period is None and why is None:
            why = "no period stated"
        unit = {"tonnage": "t", "change": "%", "rank": "rank"}[d.q.kind]
        return Claim(
            reporter=d.reporter,
            partner=d.partner,
            product=d.product,
            flow=d.flow,
            period=str(d.period) if d.period else None,
            measure=d.measure,
            value=float(d.q.value),
            unit=unit,
            stated=d.q.stated,
            resolution=float(d.q.resolution),
            qualifier=d.q.qualifier,
            source=self.source,
            span=(d.q.start, d.q.end),
            sentence=d.sentence,
            unresolved=None if d.period and d.measure else why,
            note="; ".join(d.notes) or None,
        )


# -- helpers ------------------------------------------------------------------------------
def _month_name(month: int) -> str:
    return Month(2000, month).name.split()[0]


def _latest(month: int, not_after: Month) -> Month:
    """The latest month named ``month`` that is not after ``not_after``."""
    year = not_after.year if month <= not_after.month else not_after.year - 1
    return Month(year, month)


def _chunks(s: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in lx.CHUNK_BREAK.finditer(s)), len(s)]
    return [(lo, hi) for lo, hi in pairwise(cuts) if hi > lo] or [(0, len(s))]


def _chunk_of(chunks: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for c in chunks:
        if c[0] <= pos < c[1]:
            return c
    return chunks[-1]


def _distance(span: tuple[int, int], q: _Quantity) -> int:
    start, end = span[0], span[1]
    if end <= q.start:
        return q.start - end
    if start >= q.end:
        return start - q.end
    return 0


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def _same_group(a: str, b: str) -> bool:
    products = catalog.products()
    return a in products and b in products and products[a].group == products[b].group


def _qualifier(s: str, start: int) -> str:
    before = s[max(0, start - 32) : start]
    m = lx.qualifier_pattern().search(before)
    if m is None:
        return "exact"
    word = m.group("q")
    if word.casefold() == "up to" and _MOVE_VERB.search(before[: m.start()]):
        return "exact"  # "went up to 353 tons": a rise to, not at most
    return lx.qualifier_words()[word.casefold()]


def _direction(s: str, m: re.Match[str]) -> int:
    sign = m.group("sign")
    if sign:
        return 1 if sign == "+" else -1
    after = lx.DIRECTION_AFTER.match(s, m.end(), min(len(s), m.end() + 40))
    if after:
        return 1 if after.group("up") else -1
    return _direction_before(s, m.start())


def _direction_before(s: str, start: int) -> int:
    window_start = max(0, start - 48)
    cut = lx.CHUNK_BREAK.search(s[window_start:start][::-1])
    if cut is not None:
        window_start = start - cut.start()
    hits = list(lx.DIRECTION_BEFORE.finditer(s, window_start, start))
    if not hits:
        return 0
    return 1 if hits[-1].group("up") else -1


def _not_a_change(s: str, m: re.Match[str], chunks: list[tuple[int, int]]) -> bool:
    if lx.NOT_A_CHANGE_AFTER.match(s, m.end(), min(len(s), m.end() + 30)):
        return True
    window = max(0, m.start() - 40)
    if lx.NOT_A_CHANGE_HINT.search(s, window, m.start()) and lx.NOT_A_CHANGE_BEFORE.search(
        s, window, m.start()
    ):
        return True
    chunk = _chunk_of(chunks, m.start())
    return lx.VALUE_WORDS.search(s, chunk[0], chunk[1]) is not None


def _bases(s: str) -> list[_Base]:
    found: list[_Base] = []
    hinted = lx.BASE_HINT.search(s) is not None or lx.SPAN_HINT.search(s) is not None
    for m in lx.MOM.finditer(s) if hinted else ():
        found.append(_Base(m.start(), m.end(), "mom"))
    for m in lx.YOY.finditer(s) if hinted else ():
        # "the same month in 2024" names the base year, which dates the change.
        named = m.group("sy") or m.group("sy2")
        year = int(named) if named else None
        found.append(_Base(m.start(), m.end(), "yoy", year=year))
    for m in lx.BASE_MONTH.finditer(s):
        if _overlaps([(b.start, b.end) for b in found], m.start(), m.end()):
            continue
        name = m.group("bm") or m.group("bm2")
        year = int(m.group("by")) if m.group("by") else None
        last_year = bool(m.group("bly") or m.group("bly2"))
        found.append(
            _Base(
                m.start(),
                m.end(),
                "month",
                lx.MONTHS[name.rstrip(".").casefold()],
                year,
                last_year,
            )
        )
    return sorted(found, key=lambda b: b.start)


def _base_for(q: _Quantity, changes: list[_Quantity], bases: list[_Base]) -> _Base | None:
    """The base of a change: the first base phrase after it (before the next change), else
    the last one before it (after the previous change)."""
    later = [c.start for c in changes if c.start > q.start]
    earlier = [c.end for c in changes if c.end < q.start]
    limit = min(later) if later else 10**9
    floor = max(earlier) if earlier else -1
    # ">= q.start": in "seven times the May level" the base phrase starts at "times".
    after = [b for b in bases if b.start >= q.start and b.end > q.end and b.start < limit]
    if after:
        return after[0]
    before = [b for b in bases if floor < b.start and b.end <= q.start]
    return before[-1] if before else None


def _partner_list(s: str, mentions: list[lx.PartnerMention], start: int) -> list[lx.PartnerMention]:
    """Partners listed from ``start`` on, separated only by commas and "and"."""
    out: list[lx.PartnerMention] = []
    pos = start
    for p in mentions:
        if p.start < pos:
            continue
        gap = s[pos : p.start]
        if not re.fullmatch(r"[\s,]*(?:and\s+)?(?:the\s+)?", gap, re.I):
            break
        out.append(p)
        pos = p.end
    return out


def extract_claims(text: str, *, source: str, published: dt.date | None = None) -> list[Claim]:
    """Every figure ``text`` states, in text order (see the module docstring for the rules).

    ``source`` names the article in each claim (a file name or URL); ``published`` resolves
    "last month", "June" and "first half" (without it they stay unresolved).
    """
    return _Reader(text, source, published).read()
