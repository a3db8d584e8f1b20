"""Known gaps between the engines, kept as tests that fail loudly once they close.

Each is written the natural way; the metrics avoid the construct (and say how) until
the gap closes, when ``xfail(strict=True)`` turns the pass into a failure to act on.
"""

from __future__ import annotations

import pytest
from ibis.common.exceptions import OperationNotDefinedError, UnsupportedOperationError

from mineralflow.periods import Month

D = lambda text: Month.parse(text).first_day  # noqa: E731
ROWS = [
    {"partner": "WLD", "period": D("2025-01"), "value": 5.0},
    {"partner": "WLD", "period": D("2025-02"), "value": 7.0},
    {"partner": "USA", "period": D("2025-01"), "value": 3.0},
]


def spark_gap(request, engine, reason, raises):
    if engine.name == "spark":
        request.applymarker(pytest.mark.xfail(strict=True, raises=raises, reason=reason))


def test_latest_level_by_an_ordered_aggregate(request, engine):
    spark_gap(
        request,
        engine,
        "ibis 12's PySpark compiler rejects order-sensitive aggregates (first/last/collect "
        "with order_by); monthly_levels picks with row_number() over a window instead",
        UnsupportedOperationError,
    )
    t = engine.levels(ROWS)
    latest = t.group_by("partner").aggregate(value=t.value.first(order_by=t.period.desc()))
    assert engine.rows(latest, ["partner"]) == [
        {"partner": "USA", "value": 3.0},
        {"partner": "WLD", "value": 7.0},
    ]


def test_most_common_partner_by_mode(request, engine):
    spark_gap(
        request,
        engine,
        "ibis 12 has no PySpark rule for mode(); count and rank instead",
        OperationNotDefinedError,
    )
    t = engine.levels(ROWS)
    assert t.partner.mode().to_pyarrow().as_py() == "WLD"
