"""Minetti's cost of running on a gradient and grade-adjusted speed (SCIENCE.md §4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.signal import MAX_GRADE, grade_adjusted_speed, minetti_cost

#: Grade of least cost of Minetti's polynomial (solved numerically: C'(i) = 0 at i ≈ −0.1814).
_ARGMIN = -0.1814


def _power_sum(i: float) -> float:
    """Minetti's polynomial written term by term (independent of the Horner form)."""
    return 155.4 * i**5 - 30.4 * i**4 - 43.3 * i**3 + 46.3 * i**2 + 19.5 * i + 3.6


@settings(max_examples=100, deadline=None)
@given(st.floats(-MAX_GRADE, MAX_GRADE, allow_nan=False))
def test_polynomial_inside_valid_range(i):
    assert float(minetti_cost(i)) == pytest.approx(_power_sum(i), rel=1e-12, abs=1e-12)


def test_published_values():
    assert float(minetti_cost(0.0)) == 3.6
    assert float(minetti_cost(0.1)) == pytest.approx(5.97, abs=0.005)
    assert float(minetti_cost(-0.1)) == pytest.approx(2.15, abs=0.005)
    # polynomial evaluated by hand at ±0.1
    assert float(minetti_cost(0.1)) == pytest.approx(5.968214, abs=1e-9)
    assert float(minetti_cost(-0.1)) == pytest.approx(2.151706, abs=1e-9)


def test_minimum_near_minus_twenty_percent():
    g = np.linspace(-MAX_GRADE, MAX_GRADE, 90_001)
    c = minetti_cost(g)
    i = int(np.argmin(c))
    assert -0.2 <= g[i] <= -0.17
    assert g[i] == pytest.approx(_ARGMIN, abs=2e-4)
    assert c[i] == pytest.approx(1.781, abs=0.001)
    assert np.all(c > 0)


def test_clipped_beyond_valid_range():
    assert MAX_GRADE == 0.45
    assert float(minetti_cost(0.6)) == float(minetti_cost(0.45))
    assert float(minetti_cost(5.0)) == float(minetti_cost(0.45))
    assert float(minetti_cost(-1.0)) == float(minetti_cost(-0.45))
    assert float(minetti_cost(0.45)) == pytest.approx(_power_sum(0.45), rel=1e-12)
    assert float(minetti_cost(0.45)) == pytest.approx(19.426, abs=1e-3)
    assert float(minetti_cost(-0.45)) == pytest.approx(_power_sum(-0.45), rel=1e-12)


def test_vectorised_and_nan():
    out = minetti_cost([0.0, np.nan, 0.1])
    assert out.shape == (3,)
    assert out[0] == 3.6 and np.isnan(out[1])


def test_grade_adjusted_speed_identity_on_flat_and_missing_grade():
    v = np.array([3.0, 4.5, 6.0, 0.0])
    np.testing.assert_array_equal(grade_adjusted_speed(v, np.zeros(4)), v)
    np.testing.assert_array_equal(grade_adjusted_speed(v, np.full(4, np.nan)), v)
    mixed = grade_adjusted_speed(v, [np.nan, 0.1, np.nan, 0.2])
    assert mixed[0] == 3.0 and mixed[2] == 6.0 and mixed[3] == 0.0
    assert mixed[1] == pytest.approx(4.5 * 5.968214 / 3.6, rel=1e-12)


def test_grade_adjusted_speed_published_example():
    # 4 m/s up a 10 % grade costs as much as ≈ 6.6 m/s on the flat
    assert float(grade_adjusted_speed(4.0, 0.1)) == pytest.approx(6.63, abs=0.01)
    # downhill at -10 %: cheaper, slower equivalent
    assert float(grade_adjusted_speed(4.0, -0.1)) == pytest.approx(4 * 2.151706 / 3.6, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(_ARGMIN + 1e-3, 1.0, allow_nan=False),
    st.floats(_ARGMIN + 1e-3, 1.0, allow_nan=False),
    st.floats(0.5, 10.0, allow_nan=False),
)
def test_grade_adjusted_speed_monotonic_above_the_minimum(g1, g2, v):
    lo, hi = sorted((g1, g2))
    assert grade_adjusted_speed(v, lo) <= grade_adjusted_speed(v, hi)


@settings(max_examples=100, deadline=None)
@given(st.floats(-2.0, 2.0, allow_nan=False), st.floats(0.0, 10.0, allow_nan=False))
def test_grade_adjusted_speed_proportional_to_speed(g, v):
    assert float(grade_adjusted_speed(v, g)) == pytest.approx(
        v * float(minetti_cost(g)) / 3.6, rel=1e-12, abs=1e-12
    )


def test_cost_falls_between_steep_descent_and_minimum():
    """Steeper than the minimum, descending costs more again (braking)."""
    assert minetti_cost(-0.45) > minetti_cost(-0.3) > minetti_cost(_ARGMIN)
