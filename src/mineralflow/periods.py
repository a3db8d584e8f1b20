"""Months and periods: a month, a half-year and a year-to-date are all one shape.

A :class:`Period` runs from a first to a last month, both included. It is written
``YYYY-MM`` for one month and ``YYYY-MM/YYYY-MM`` for a span::

    >>> Period.parse("2025-01/2025-06").months
    6
    >>> str(Month.parse("2025-06").shift(-1))
    '2025-05'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import PeriodError, UsageError

__all__ = ["Month", "Period", "parse_date"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2999:
            raise PeriodError(f"impossible month {self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``YYYY-MM``."""
        m = _MONTH.match(text.strip())
        if not m:
            raise PeriodError(f"{text!r} is not a month; write it YYYY-MM, e.g. 2025-06")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def name(self) -> str:
        """``June 2025``."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """A span of whole months, ``start`` to ``end`` inclusive."""

    start: Month
    end: Month

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"period {self.start}/{self.end} ends before it starts")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``YYYY-MM`` or ``YYYY-MM/YYYY-MM``."""
        first, sep, last = text.strip().partition("/")
        start = Month.parse(first)
        return cls(start, Month.parse(last) if sep else start)

    @classmethod
    def month(cls, month: Month) -> Period:
        return cls(month, month)

    @classmethod
    def from_dates(cls, start: dt.date, end: dt.date) -> Period:
        return cls(Month.of(start), Month.of(end))

    @property
    def months(self) -> int:
        """How many months the period spans."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_month(self) -> bool:
        return self.start == self.end

    @property
    def is_year_to_date(self) -> bool:
        """True for January-to-month spans within one year (H1, first N months, full year)."""
        return self.start.month == 1 and self.start.year == self.end.year

    def shift(self, months: int) -> Period:
        return Period(self.start.shift(months), self.end.shift(months))

    def month_list(self) -> list[Month]:
        return [self.start.shift(i) for i in range(self.months)]

    def describe(self) -> str:
        """Words for the period: ``June 2025``, ``the first half of 2025``, ``January-May 2025``."""
        if self.is_month:
            return self.start.name
        if self.is_year_to_date:
            y, n = self.end.year, self.end.month
            named = {3: "the first quarter", 6: "the first half", 9: "the first three quarters"}
            if n == 12:
                return f"the full year {y}"
            if n in named:
                return f"{named[n]} of {y}"
            return f"January-{MONTH_NAMES[n - 1]} {y}"
        return f"{self.start.name} to {self.end.name}"

    def __str__(self) -> str:
        return str(self.start) if self.is_month else f"{self.start}/{self.end}"


def parse_date(value: str | dt.date | None, *, option: str = "") -> dt.date | None:
    """``value`` as a date: a date or None passes through, text must be ``YYYY-MM-DD``.

    ``option`` names the command-line option the text came from, for the error message.
    """
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        said = f"{option} {value!r}" if option else repr(value)
        raise UsageError(f"{said} is not a date; write it YYYY-MM-DD") from None
