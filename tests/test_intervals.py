from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.reconcile.intervals import Interval, change_between, qualifiers


def test_examples_from_the_domain():
    assert Interval.of(46, resolution=1) == Interval(45.5, 46.5)
    assert Interval.of(660, resolution=1) == Interval(659.5, 660.5)
    iv = Interval.of(1238.47, resolution=0.01)
    assert iv.lo == pytest.approx(1238.465)
    assert iv.hi == pytest.approx(1238.475)
    assert Interval.of(46, resolution=1).meets(Interval.of(46.4, resolution=0.1))
    assert Interval.of(160, resolution=1, qualifier="around").contains(157.5)
    assert not Interval.of(160, resolution=1).contains(157.5)
    assert Interval.of(-19, resolution=1, qualifier="nearly").contains(-18.9)
    assert not Interval.of(-19, resolution=1, qualifier="nearly").contains(-19.6)
    assert Interval.of(600, resolution=1, qualifier="more_than").contains(660)
    assert math.isinf(Interval.of(600, resolution=1, qualifier="more_than").hi)


def test_change_from_levels():
    computed = change_between(Interval.of(3188, resolution=1), Interval.of(1238, resolution=1))
    assert computed is not None
    assert computed.contains(157.5)
    assert Interval.of(157.5, resolution=0.1).meets(computed)
    assert change_between(Interval(1, 2), Interval(0, 1)) is None


def test_every_qualifier_has_words_or_is_exact():
    for q in qualifiers().values():
        assert q.side in ("both", "below", "above")
        assert q.words or q.name == "exact"


@given(
    st.floats(0.5, 1e6, allow_nan=False),
    st.sampled_from([1.0, 0.1, 0.01]),
    st.sampled_from(sorted(qualifiers())),
)
def test_a_figure_lies_in_its_own_interval(value, resolution, qualifier):
    rounded = round(value / resolution) * resolution
    iv = Interval.of(rounded, resolution=resolution, qualifier=qualifier)
    assert iv.lo <= iv.hi
    assert iv.contains(rounded)
    neg = Interval.of(-rounded, resolution=resolution, qualifier=qualifier)
    assert neg.contains(-rounded)
