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
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from ..periods import Month, Period
from . import lexicon as lx
from . import names as nm
from .partners import UNPLACED, indirect_partners, partner_of
from .quantities import Quantity, read_quantities, read_ranks
from .scope import UNPLACED as NO_SCOPE
from .scope import Scope, TermAt
from .sentences import Span, chunk_of, chunks, split_sentences
from .timing import Base, Calendar, Timing, base_for, find_bases, story_year

__all__ = ["Claim", "extract_claims", "split_sentences"]

CHANGE_MEASURES = ("change_mom", "change_yoy", "cumulative_change_yoy")


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
        return self.unresolved is None and self.period is not None and self.measure is not None

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


# -- the reading of one article ------------------------------------------------------------
@dataclass
class _Draft:
    q: Quantity
    sentence: Span
    reporter: str
    partner: str
    product: str
    flow: str
    period: Period | None
    period_why: str | None
    measure: str | None
    base_found: bool
    explicit_period: bool
    of_base: bool
    notes: list[str] = field(default_factory=list)
    unplaced: str | None = None  # why the partner or the product cannot be placed

    @classmethod
    def of(
        cls, q: Quantity, sentence: Span, who: tuple[str, str, str, str], timing: Timing
    ) -> _Draft:
        reporter, partner, product, flow = who
        return cls(
            q, sentence, reporter, partner, product, flow, timing.period, timing.why,
            timing.measure, timing.base_found, timing.explicit, timing.of_base, list(timing.notes),
        )  # fmt: skip


@dataclass(frozen=True)
class _Frame:
    """The last figure read: what "the figure" or "this represents" refers to."""

    partner: str
    period: Period | None


class _Reader:
    """One pass over an article's sentences; each decision is its module's (see above)."""

    def __init__(self, text: str, source: str, published: dt.date | None) -> None:
        self.text = text
        self.source = source
        self.calendar = Calendar(
            Month.of(published) if published else None,
            None if published else story_year(text),
        )
        self.scope = Scope(text)
        self.decimal_comma = bool(lx.DECIMAL_COMMA.search(text))
        self.spun = bool(lx.TONS_WORD.search(text))
        self.frame: _Frame | None = None
        self.drafts: list[_Draft] = []
        self.months: Counter[Period] = Counter()  # months the figures so far state explicitly
        # "Compared to February, exports rose slightly. Germanium rose 16%, gallium 1%.": a
        # base named in a sentence without figures is the base of the next one's changes.
        self.pending: tuple[int, list[Base]] | None = None

    def read(self) -> list[Claim]:
        for index, (a, b) in enumerate(split_sentences(self.text)):
            self._sentence(index, a, b)
        return self._finish()

    def _sentence(self, index: int, a: int, b: int) -> None:
        s = self.text[a:b]
        terms = Scope.terms(s)
        quantities = list(read_quantities(s, decimal_comma=self.decimal_comma, spun=self.spun))
        trade = lx.TRADE.search(s) is not None
        ranked = trade and lx.RANK_HINT.search(s) is not None
        partners = nm.find_partners(s) if quantities or ranked else []
        ranks = read_ranks(s, partners) if ranked else []
        bases = find_bases(s) if trade or quantities or ranks else []
        made = len(self.drafts)
        if quantities or ranks:
            self._figures(index, a, b, s, terms, quantities, ranks, partners, bases, trade)
        elif trade:
            aside = self._dates_the_story(s, bases)
            self.scope.turns_to(s, terms, aside=aside)
        if not quantities and bases:
            self.pending = (index, bases)
        if len(self.drafts) > made:
            self.scope.saw(terms, {d.product for d in self.drafts[made:]})

    def _dates_the_story(self, s: str, bases: list[Base]) -> bool:
        """A trade sentence without figures that names one month ("exports fell in
        December") dates the figures that follow it. Returns whether the sentence is an
        aside about other months than the story's (two or more, or one before it)."""
        marks = self.calendar.periods(s, bases, None)
        dated = {m.period for m in marks if m.period is not None and m.context_from is None}
        story = self.frame.period if self.frame else None
        if len(dated) == 1 and (story is None or not dated.issubset({story})):
            month = next(iter(dated))
            if story is not None and month.end < story.end:
                return True  # "a drop in April": history, not the story's new month
            partner = self.frame.partner if self.frame else "WLD"
            self.frame = _Frame(partner, month)
        return len(dated) > 1

    def _figures(
        self,
        index: int,
        a: int,
        b: int,
        s: str,
        terms: list[TermAt],
        quantities: list[Quantity],
        ranks: list[Quantity],
        mentions: list[nm.PartnerMention],
        bases: list[Base],
        trade: bool,
    ) -> None:
        anaphora = lx.ANAPHORA.search(s) is not None
        if not trade and not (anaphora and self.frame is not None):
            return
        parts = chunks(s)
        indirect = indirect_partners(s, self.text)
        if indirect:  # "its Asian neighbour": the country it means, never the region
            spans = [(m.start, m.end) for m, _ in indirect]
            mentions = [p for p in mentions if not any(x <= p.start < y for x, y in spans)]
            mentions = sorted([*mentions, *(m for m, _ in indirect)], key=lambda p: p.start)
        unplaced = next((why for _, why in indirect if why), None)
        partners = [p for p in mentions if p.role not in ("reporter", "actor")]
        world = [(m.start(), m.end()) for m in lx.WORLD.finditer(s)]
        pending = self.pending[1] if self.pending and self.pending[0] == index - 1 else []
        carried = self.frame.period if self.frame else None
        periods = self.calendar.periods(s, bases, carried)
        china_customs = lx.CHINA_CUSTOMS.search(s) is not None
        goods = [m.start() for m in lx.OTHER_GOODS.finditer(s)] if not terms else []
        made: list[_Draft] = []
        changes = [q for q in quantities if q.kind == "change"]
        main = self._main_month()
        # A month that dates a level in another clause, other than the story's month ("while
        # it stood at 6,480 kg in March 2023, exports have now plummeted 80%"), is that
        # level's: it does not date the change.
        level_parts = {chunk_of(parts, q.start) for q in quantities if q.kind == "tonnage"}
        foreign = [
            m
            for m in periods
            if main is not None and m.period is not None and m.period.is_month
            and m.period != main and chunk_of(parts, m.start) in level_parts
        ]  # fmt: skip
        for q in quantities:
            chunk = chunk_of(parts, q.start)
            if lx.FORECAST.search(s, chunk[0], q.start):
                continue
            if lx.NOT_A_FLOW.search(s, *chunk) and not lx.TRADE.search(s, *chunk):
                continue  # output, capacity, quotas (and their changes): not a flow
            if q.kind == "tonnage" and lx.AVERAGE.search(s, max(chunk[0], q.start - 40), q.start):
                continue  # "a monthly average of 3,219 tons": not a flow the ledger holds
            product = self.scope.product(q.span, terms, chunk, goods)
            if product is None:
                continue
            carried_partner = self.frame.partner if anaphora and self.frame else None
            reporter, partner, flow = partner_of(
                s, q.span, parts, partners, world,
                carried=carried_partner, china_customs=china_customs,
            )  # fmt: skip
            known = bases
            if pending and q.kind == "change" and base_for(q, changes, bases) is None:
                known = [*bases, *(replace(p, start=q.start, end=q.start) for p in pending)]
            dated = periods
            if q.kind == "change" and foreign:
                home = chunk_of(parts, q.start)
                dated = [m for m in periods if m not in foreign or chunk_of(parts, m.start) == home]
            timing = self.calendar.timing(s, q, changes, known, dated, parts, carried)
            shifted = replace(q, start=q.start + a, end=q.end + a)
            draft = _Draft.of(shifted, (a, b), (reporter, partner, product, flow), timing)
            draft.of_base = draft.of_base or q.compared
            if q.doubt is not None:
                draft.unplaced = q.doubt
            elif UNPLACED in (partner, reporter):
                draft.unplaced = unplaced
            elif product == NO_SCOPE:
                draft.unplaced = f"scope: {self.scope.unplaced}"
            made.append(draft)
        self._against_levels(made)
        self.drafts.extend(made)
        self.months.update(
            d.period
            for d in made
            if d.explicit_period and d.period and d.period.is_month and not d.of_base
            and d.measure is not None
        )  # fmt: skip
        if made:
            last = made[-1]
            # The sentence's own period (the latest it states: "after dipping to 300 tons in
            # March, shipments rebounded to 4,777 tons in April" goes on about April), not
            # that of a level it compares with.
            own = [d.period for d in made if d.period and not d.of_base]
            period = max(own, key=lambda p: (p.end, p.start)) if own else None
            if period is None and self.frame is not None and all(d.of_base for d in made):
                period = self.frame.period  # only levels compared with: the story's month stays
            period = period or next((d.period for d in reversed(made) if d.period), None)
            if period is None and self.frame is not None:
                period = self.frame.period
            self.frame = _Frame(last.partner, period)
        carried = self.frame.period if self.frame else None  # ranks follow this sentence's figures
        for r in ranks:
            if r.partner == UNPLACED:
                continue
            product = self.scope.product(r.span, terms, chunk_of(parts, r.start), goods)
            if product is None:
                continue
            period, why, explicit = self.calendar.pick_period(
                r, periods, parts, bases, None, carried
            )
            timing = Timing(period, why, "rank", True, explicit)
            shifted = replace(r, start=r.start + a, end=r.end + a)
            who = ("CHN", r.partner or "WLD", product, "export")
            self.drafts.append(_Draft.of(shifted, (a, b), who, timing))

    def _against_levels(self, made: list[_Draft]) -> None:
        """ "While it stood at 6,480 kg in March 2023, exports have now plummeted by more
        than 80%": a change with no base of its own, dated only by a level the sentence
        states for another month, is measured against that level, for the story's month
        (the month its figures so far name most) when that is one month or a year later."""
        main = self._main_month()
        for d in made:
            if d.q.kind != "change" or d.base_found or d.measure is not None or main is None:
                continue
            level = next(
                (
                    o
                    for o in made
                    if o.q.kind == "tonnage" and o.measure == "level" and not o.of_base
                    and o.period != main and d.period in (None, o.period, main)
                ),
                None,
            )  # fmt: skip
            if level is None or level.period is None:
                continue
            gap = (main.end.year - level.period.end.year) * 12 + main.end.month
            gap -= level.period.end.month
            measure = {1: "change_mom", 12: "change_yoy"}.get(gap)
            if measure is not None:
                d.period, d.measure, d.base_found = main, measure, True
                d.notes.append(
                    f"measured against the level at chars {level.q.start}-{level.q.end} "
                    f"({level.period}) for the story's month {main}"
                )

    def _main_month(self) -> Period | None:
        """The month the figures read so far state most (explicitly)."""
        return self.months.most_common(1)[0][0] if self.months else None

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
            unresolved=d.unplaced or (None if d.period and d.measure else why),
            note="; ".join(d.notes) or None,
        )


def extract_claims(text: str, *, source: str, published: dt.date | None = None) -> list[Claim]:
    """Every figure ``text`` states, in text order (see the module docstring for the rules).

    ``source`` names the article in each claim (a file name or URL); ``published`` resolves
    "last month", "June" and "first half" (without it they stay unresolved).
    """
    return _Reader(text, source, published).read()
