"""When a figure is and what it measures: periods, bases of changes, and the measure.

Periods: the nearest month ("in June", "June 2024"), span ("first half of 2025", "January-May",
"year to date", "in 2024") or "last month" that is not part of a change's base; months without
a year are the latest such month not after publication. Bases: "from the previous month",
"from May" (month on month), "year-on-year", "than June 2024" (year on year). The base decides
the measure of a change; tonnages are levels (one month) or cumulative (several).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..periods import Month, Period
from . import lexicon as lx
from .quantities import Quantity
from .sentences import Span, chunk_of, distance, overlaps

__all__ = ["Base", "Calendar", "PeriodMark", "Timing", "base_for", "find_bases", "story_year"]


@dataclass(frozen=True)
class PeriodMark:
    """A period named in a sentence (``period`` None when it cannot be placed)."""

    start: int
    end: int
    period: Period | None
    month: int | None = None  # a month named without a year, kept for later resolution
    why: str | None = None  # what is missing when period is None
    context_from: int | None = None  # named for context: only figures from here on take it

    def dates(self, q: Quantity) -> bool:
        """Whether this mark may be the period of quantity ``q``: a context month ("the
        highest since January") dates only the figures inside its own clause."""
        return self.context_from is None or self.context_from <= q.start < self.start


@dataclass(frozen=True)
class Base:
    """The base of a change: month on month, year on year, or a named month."""

    start: int
    end: int
    kind: str  # mom, yoy, month
    month: int | None = None
    year: int | None = None
    last_year: bool = False


@dataclass
class Timing:
    """When a quantity is and what it measures, as far as its sentence says."""

    period: Period | None
    why: str | None  # what is missing when period is None
    measure: str | None
    base_found: bool
    explicit: bool  # the period is stated in the sentence (not carried over)
    notes: list[str] = field(default_factory=list)
    of_base: bool = False  # the level a change is measured from ("from 305 tons in May")


def find_bases(s: str) -> list[Base]:
    """The bases of changes sentence ``s`` names, in text order."""
    found: list[Base] = []
    hinted = lx.BASE_HINT.search(s) is not None or lx.SPAN_HINT.search(s) is not None
    for m in lx.MOM.finditer(s) if hinted else ():
        found.append(Base(m.start(), m.end(), "mom"))
    for m in lx.YOY.finditer(s) if hinted else ():
        # "the same month in 2024" names the base year, which dates the change.
        named = m.group("sy") or m.group("sy2") or m.group("sy3") or m.group("sy4")
        year = int(named) if named else None
        found.append(Base(m.start(), m.end(), "yoy", year=year))
    for m in lx.BASE_MONTH.finditer(s):
        if overlaps([(b.start, b.end) for b in found], m.start(), m.end()):
            continue
        name = m.group("bm") or m.group("bm2")
        year = int(m.group("by")) if m.group("by") else None
        last_year = bool(m.group("bly") or m.group("bly2"))
        month = lx.MONTHS[name.rstrip(".").casefold()]
        found.append(Base(m.start(), m.end(), "month", month, year, last_year))
    return sorted(found, key=lambda b: b.start)


def base_for(q: Quantity, changes: list[Quantity], bases: list[Base]) -> Base | None:
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


class Calendar:
    """Places periods against the article's publication month."""

    def __init__(self, pub_month: Month | None, story_year: int | None = None) -> None:
        self.pub_month = pub_month
        # An undated article whose own spans name one year ("in the first eight months of
        # 2024"): its months without a year are that year's (see :func:`story_year`).
        self.story_year = story_year if pub_month is None else None

    # -- periods named in a sentence ------------------------------------------------------
    def periods(self, s: str, bases: list[Base], carried: Period | None) -> list[PeriodMark]:
        """The periods sentence ``s`` names outside its bases; ``carried`` is the period of
        the figure read last (the end of "year to date")."""
        marks: list[PeriodMark] = []
        taken: list[Span] = [(b.start, b.end) for b in bases]
        spans = lx.SPAN_PERIOD.finditer(s) if lx.SPAN_HINT.search(s) else iter(())
        for m in spans:
            if overlaps(taken, m.start(), m.end()):
                continue
            marks.append(self._span_mark(m, carried))
            taken.append((m.start(), m.end()))
        for m in lx.MONTH_PERIOD.finditer(s):
            if overlaps(taken, m.start(), m.end()):
                continue
            if lx.DATE_DAY_BEFORE.search(s, max(0, m.start() - 6), m.start()):
                continue  # "20 July": a date, not a period
            month = lx.MONTHS[m.group("m").rstrip(".").casefold()]
            year = int(m.group("y")) if m.group("y") else None
            mark = self._month_mark(m.start(), m.end(), month, year)
            cue = lx.CONTEXT_CUE.search(s, max(0, m.start() - 90), m.start())
            if cue is not None and not s[: cue.start()].strip():
                # "Since January, ...": a span to a month the sentence does not state.
                why = f"'{s[cue.start() : m.end()]}' runs to a month the sentence does not state"
                mark = replace(mark, period=None, month=None, why=why)
            elif cue is not None:
                mark = replace(mark, context_from=cue.start())
            marks.append(mark)
        for m in lx.NEXT_MONTH.finditer(s):
            if overlaps(taken, m.start(), m.end()):
                continue
            named = [p for p in marks if p.end <= m.start() and p.period and p.period.is_month]
            if named:
                after = Period.month(named[-1].period.end.shift(1))  # type: ignore[union-attr]
                marks.append(PeriodMark(m.start(), m.end(), after))
            else:
                why = f"'{m.group()}' follows a month the sentence does not name"
                marks.append(PeriodMark(m.start(), m.end(), None, why=why))
        for m in lx.LAST_MONTH.finditer(s):
            if overlaps(taken, m.start(), m.end()):
                continue
            if self.pub_month is None:
                why = f"'{m.group()}' needs a publication date; pass --published YYYY-MM-DD"
                marks.append(PeriodMark(m.start(), m.end(), None, why=why))
            else:
                last = Period.month(self.pub_month.shift(-1))
                marks.append(PeriodMark(m.start(), m.end(), last))
        return sorted(marks, key=lambda p: p.start)

    def _month_mark(self, start: int, end: int, month: int, year: int | None) -> PeriodMark:
        if year is not None:
            return PeriodMark(start, end, Period.month(Month(year, month)))
        if self.pub_month is None and self.story_year is not None:
            return PeriodMark(start, end, Period.month(Month(self.story_year, month)))
        if self.pub_month is None:
            why = (
                f"'{_month_name(month)}' has no year and the article no date; "
                "pass --published YYYY-MM-DD"
            )
            return PeriodMark(start, end, None, month=month, why=why)
        return PeriodMark(start, end, Period.month(_latest(month, self.pub_month)))

    def _span_mark(self, m: re.Match[str], carried: Period | None) -> PeriodMark:
        g = m.groupdict()
        year: int | None = None
        if g["fm"] or g["am"]:
            first = lx.MONTHS[(g["fm"] or g["am"]).rstrip(".").casefold()]
            last = lx.MONTHS[(g["lm"] or g["an"]).rstrip(".").casefold()]
            year = int(g["ry"] or g["ay"]) if (g["ry"] or g["ay"]) else None
        elif g["nm"]:
            first = 1
            last = int(g["nm"]) if g["nm"].isdigit() else lx.WORD_NUMBERS[g["nm"].casefold()]
            year = int(g["ny"]) if g["ny"] else None
            if not 1 <= last <= 12:
                why = f"'{m.group()}' is not a span within one year"
                return PeriodMark(m.start(), m.end(), None, why=why)
        elif g["part"] or g["h"]:
            key = re.sub(r"\s+", " ", (g["part"] or g["h"]).casefold())
            first, last = lx.PARTS[key]
            y = g["py"] or g["hy"]
            year = int(y) if y else None
        elif g["fy"] or g["fy2"]:
            first, last, year = 1, 12, int(g["fy"] or g["fy2"])
        elif g["ly"] or g["ly2"]:
            if self.pub_month is None:
                why = "'last year' needs a publication date; pass --published YYYY-MM-DD"
                return PeriodMark(m.start(), m.end(), None, why=why)
            first, last, year = 1, 12, self.pub_month.year - 1
        else:  # year to date: January to the month the article reports
            named = int(g["yy"]) if g["yy"] else None
            end = carried.end if carried else None
            if end is None and self.pub_month is not None:
                end = self.pub_month.shift(-1)
            if end is None or (named is not None and end.year != named):
                why = f"'{m.group()}': the month it runs to is not stated"
                if self.pub_month is None and named is None:
                    why = "'year to date' needs a publication date; pass --published YYYY-MM-DD"
                return PeriodMark(m.start(), m.end(), None, why=why)
            return PeriodMark(m.start(), m.end(), Period(Month(end.year, 1), end))
        if year is None:
            if self.pub_month is None:
                why = (
                    f"'{m.group()}' has no year and the article no date; "
                    "pass --published YYYY-MM-DD"
                )
                return PeriodMark(m.start(), m.end(), None, why=why)
            year = self.pub_month.year
            if Month(year, last) > self.pub_month:
                year -= 1
        # "December-January": the span crosses a year end; the year named is the end's.
        start = Month(year if first <= last else year - 1, first)
        return PeriodMark(m.start(), m.end(), Period(start, Month(year, last)))

    # -- a quantity's period and measure --------------------------------------------------
    def timing(
        self,
        s: str,
        q: Quantity,
        changes: list[Quantity],
        bases: list[Base],
        periods: list[PeriodMark],
        parts: list[Span],
        carried: Period | None,
    ) -> Timing:
        """The period and measure of quantity ``q`` in sentence ``s`` (``carried``: the
        previous figure's period, used when the sentence names none)."""
        if q.kind == "tonnage":
            ahead = next((b for b in bases if b.kind in ("mom", "yoy") and b.start >= q.end), None)
            if (
                ahead is not None
                and lx.BASE_LEVEL_GAP.fullmatch(s, q.end, ahead.start)
                and not lx.ADVERB_BASE.fullmatch(s, ahead.start, ahead.end)
            ):
                return self._base_level(q, ahead, periods, parts, bases, carried)
            inside_yoy = next(
                (b for b in bases if b.kind == "yoy" and b.year and b.start <= q.start < b.end),
                None,
            )
            if inside_yoy is not None:  # "than the 3,326 tonnes in 2024"
                return self._base_level(q, inside_yoy, periods, parts, bases, carried)
        base = base_for(q, changes, bases) if q.kind == "change" else None
        inside = next((b for b in bases if b.kind == "month" and b.start <= q.start < b.end), None)
        if q.kind == "tonnage" and inside is not None and inside.month is not None:
            # "up 160% from 1,238 tons in May": 1,238 t is May's level.
            month = self._base_month(inside, None)
            if month is None:
                missing = "the base month has no year; pass --published YYYY-MM-DD"
                return Timing(None, missing, None, True, True)
            return Timing(Period.month(month), None, "level", True, True, of_base=True)
        period, why, explicit = self.pick_period(q, periods, parts, bases, base, carried)
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
        return Timing(period, why, measure, base is not None, explicit, notes)

    def _base_level(
        self,
        q: Quantity,
        base: Base,
        periods: list[PeriodMark],
        parts: list[Span],
        bases: list[Base],
        carried: Period | None,
    ) -> Timing:
        """ "280 tons last month, down from 305 tons the month before": the base's level."""
        period, why, explicit = self.pick_period(q, periods, parts, bases, None, carried)
        if period is None:
            return Timing(None, why or "the period the base is before is not stated", None,
                          True, explicit)  # fmt: skip
        if base.kind == "mom":
            if not period.is_month:
                why = "a month before a multi-month total"
                return Timing(None, why, None, True, explicit)
            shifted = Period.month(period.end.shift(-1))
        elif base.year is not None:
            years = period.end.year - base.year
            shifted = Period(period.start.shift(-12 * years), period.end.shift(-12 * years))
        else:
            shifted = Period(period.start.shift(-12), period.end.shift(-12))
        measure = "level" if shifted.is_month else "cumulative"
        note = f"the level of the base ({shifted}) of the figure for {period}"
        return Timing(shifted, None, measure, True, explicit, [note], of_base=True)

    def pick_period(
        self,
        q: Quantity,
        periods: list[PeriodMark],
        parts: list[Span],
        bases: list[Base],
        base: Base | None,
        carried: Period | None,
    ) -> tuple[Period | None, str | None, bool]:
        """The period of a quantity: (period, why it is missing, stated in this sentence)."""
        chunk = chunk_of(parts, q.start)
        periods = [p for p in periods if p.dates(q)]
        here = [p for p in periods if chunk[0] <= p.start < chunk[1]]
        before = [p for p in periods if p.end <= q.start]
        after = [p for p in periods if p.start >= q.end]
        mark: PeriodMark | None = None
        if here:
            mark = min(here, key=lambda p: distance((p.start, p.end), q.span))
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
        if carried is not None:
            named = {b.year for b in [base, *bases] if b is not None and b.kind == "yoy" and b.year}
            if named and carried.end.year - 1 not in named:
                # "gained 7% compared with 2022 levels" in a story about early 2024
                year = min(named)
                return None, f"compared with {year}, which does not fit {carried}", False
            return carried, None, False
        return None, None, False

    def _period_from_base(self, b: Base) -> Month | None:
        if b.kind != "month" or b.month is None:
            return None
        if b.year is not None:
            return Month(b.year + 1, b.month)  # "than June 2024": June 2025's change
        if b.last_year:
            return None
        month = self._base_month(b, None)
        return month.shift(1) if month else None

    def _base_month(self, b: Base, period: Period | None) -> Month | None:
        assert b.month is not None
        if b.year is not None:
            return Month(b.year, b.month)
        if period is not None:
            if b.last_year:
                return Month(period.end.year - 1, b.month)
            return _latest(b.month, period.end.shift(-1))
        if self.pub_month is None:
            if self.story_year is None or b.last_year:
                return None
            return Month(self.story_year, b.month)
        return _latest(b.month, self.pub_month)

    def _change_measure(
        self, base: Base, period: Period | None, why: str | None
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


def story_year(text: str) -> int | None:
    """The one year an article's trade sentences name in spans of months ("the first eight
    months of 2024", "January-May 2024", "in 2024"), else None (none, or several)."""
    years: set[int] = set()
    for m in lx.SPAN_PERIOD.finditer(text):
        named = next((m.group(g) for g in ("ry", "ay", "ny", "py", "hy") if m.group(g)), None)
        if named and lx.TRADE.search(text, max(0, m.start() - 120), m.end() + 120):
            years.add(int(named))
    return years.pop() if len(years) == 1 else None


def _month_name(month: int) -> str:
    return Month(2000, month).name.split()[0]


def _latest(month: int, not_after: Month) -> Month:
    """The latest month named ``month`` that is not after ``not_after``."""
    year = not_after.year if month <= not_after.month else not_after.year - 1
    return Month(year, month)
