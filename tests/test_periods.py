from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.errors import PeriodError
from mineralflow.periods import Month, Period

months = st.builds(Month, st.integers(1990, 2100), st.integers(1, 12))


@given(months, st.integers(-500, 500))
def test_shift_round_trips(month, n):
    assert month.shift(n).shift(-n) == month


@given(months)
def test_month_text_round_trips(month):
    assert Month.parse(str(month)) == month
    assert Period.parse(str(Period.month(month))) == Period.month(month)


@given(months, st.integers(0, 40))
def test_span_text_round_trips_and_counts_months(start, n):
    p = Period(start, start.shift(n))
    assert Period.parse(str(p)) == p
    assert p.months == n + 1 == len(p.month_list())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2025-06", "June 2025"),
        ("2025-01/2025-06", "the first half of 2025"),
        ("2025-01/2025-05", "January-May 2025"),
        ("2025-01/2025-09", "the first three quarters of 2025"),
        ("2024-01/2024-12", "the full year 2024"),
        ("2024-11/2025-02", "November 2024 to February 2025"),
    ],
)
def test_describe(text, words):
    assert Period.parse(text).describe() == words


@pytest.mark.parametrize("bad", ["2025-13", "2025-6", "June 2025", "2025-06/2025-01", "", "2025"])
def test_bad_periods_say_how_to_write_them(bad):
    with pytest.raises(PeriodError):
        Period.parse(bad)
