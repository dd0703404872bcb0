"""Tests for kicklab.environment.terrain (Minetti 2002 grade cost)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kicklab.environment.terrain import (
    TERRAIN_MODELS,
    constant_cost,
    flat_equivalent_speed,
    metabolic_cost,
    speed_at_equal_cost,
)
from kicklab.errors import InvalidValue
from kicklab.signal import grade_adjusted_speed

grades = st.floats(-0.45, 0.45)
speeds = st.floats(0.0, 12.0)


def test_minetti_published_values() -> None:
    # SCIENCE.md §4: C(0) = 3.6, C(0.1) ≈ 5.97, C(−0.1) ≈ 2.15 J/kg/m
    assert metabolic_cost(0.0) == pytest.approx(3.6)
    assert metabolic_cost(0.1) == pytest.approx(5.97, abs=0.01)
    assert metabolic_cost(-0.1) == pytest.approx(2.15, abs=0.01)


def test_minimum_near_minus_twenty_percent() -> None:
    g = np.linspace(-0.45, 0.45, 9001)
    assert g[np.argmin(metabolic_cost(g))] == pytest.approx(-0.2, abs=0.03)


def test_flat_equivalent_speed_uphill_example() -> None:
    # 4 m/s up 10 % ≈ 6.63 m/s on the flat (4 × 5.968/3.6)
    assert flat_equivalent_speed(4.0, 0.1) == pytest.approx(6.631, abs=0.002)
    assert speed_at_equal_cost(5.0, 0.1) == pytest.approx(3.016, abs=0.002)


def test_matches_signal_grade_adjusted_speed() -> None:
    v = np.array([3.0, 4.0, 5.0, 6.0])
    g = np.array([-0.2, -0.05, 0.03, 0.3])
    np.testing.assert_allclose(flat_equivalent_speed(v, g), grade_adjusted_speed(v, g))


def test_nan_grade_counts_as_level() -> None:
    assert flat_equivalent_speed(5.0, np.nan) == pytest.approx(5.0)


def test_constant_model_agrees_near_level_and_has_floor() -> None:
    g = np.linspace(-0.03, 0.03, 13)
    np.testing.assert_allclose(constant_cost(g), metabolic_cost(g), rtol=0.03)
    assert np.all(constant_cost(np.linspace(-0.45, 0.45, 91)) > 0)
    assert flat_equivalent_speed(5.0, 0.02, model="constant") == pytest.approx(
        5.0 * (1 + 19.5 / 3.6 * 0.02)
    )


def test_registry_and_callable_models() -> None:
    assert set(TERRAIN_MODELS) >= {"minetti", "constant"}
    assert flat_equivalent_speed(4.0, 0.1, model=lambda i: 1.0 + np.asarray(i) * 0) == 4.0
    with pytest.raises(InvalidValue, match="unknown terrain model"):
        flat_equivalent_speed(4.0, 0.1, model="nope")
    with pytest.raises(InvalidValue, match="speed_mps"):
        flat_equivalent_speed(-1.0, 0.0)


@given(speeds, grades)
def test_inverse_round_trip(v: float, g: float) -> None:
    for model in TERRAIN_MODELS:
        back = speed_at_equal_cost(flat_equivalent_speed(v, g, model), g, model)
        assert back == pytest.approx(v, rel=1e-9, abs=1e-12)


@given(speeds.filter(lambda v: v > 0.1), st.floats(0.0, 0.44), st.floats(0.001, 0.01))
def test_uphill_costs_more_the_steeper(v: float, g: float, dg: float) -> None:
    # above the level, cost rises with grade, so the flat-equivalent speed does too
    assert flat_equivalent_speed(v, g + dg) > flat_equivalent_speed(v, g)
    assert speed_at_equal_cost(v, g + dg) < speed_at_equal_cost(v, g)
