"""Tests for kicklab.environment.air (air density, aerodynamic power, drafting)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

from kicklab.environment.air import (
    aero_power_w,
    air_cost_fraction,
    air_density,
    draft_factor,
)
from kicklab.errors import InvalidValue

#: World-record mile pace in Kyle's day (Coe 3:49.0, 1979), m/s.
WR_MILE_MPS = 1609.344 / 229.0


def test_air_density_reference_values() -> None:
    assert air_density() == pytest.approx(1.225, abs=0.001)  # ISA sea level
    # ISA at Mexico City's 2240 m (T = 15 − 6.5 × 2.24 = 0.44 °C): ≈ 0.98 kg/m³
    assert air_density(0.44, altitude_m=2240) == pytest.approx(0.982, abs=0.003)
    # saturated air at 30 °C is lighter than dry air (≈ 1.146 vs 1.164 kg/m³)
    assert air_density(30, humidity=1.0) == pytest.approx(1.146, abs=0.002)
    assert air_density(30) == pytest.approx(1.164, abs=0.002)


def test_aero_power() -> None:
    # ½ × 1.2 × 0.40 × 6² × 6 = 51.84 W
    assert aero_power_w(6.0) == pytest.approx(51.84)
    assert aero_power_w(6.0, wind_mps=6.0) == 0.0
    assert aero_power_w(6.0, wind_mps=-2.0) == pytest.approx(0.24 * 64 * 6)
    assert aero_power_w(5.0, wind_mps=10.0) < 0  # a strong tailwind pushes


def test_air_cost_matches_davies_1980() -> None:
    # SCIENCE.md §4: ≈ 2 % at 5 m/s, 4 % at 6 m/s, 8 % at 10 m/s; a v² law meets them within 25 %
    a = air_cost_fraction([5.0, 6.0, 10.0])
    np.testing.assert_allclose(a, [0.02, 0.04, 0.08], rtol=0.25)
    assert a[2] / a[0] == pytest.approx(4.0)  # quadratic in air speed


def test_tailwind_helps_half_as_much_as_headwind_hurts() -> None:
    calm = air_cost_fraction(6.0)
    head = air_cost_fraction(6.0, wind_mps=-3.0) - calm
    tail = calm - air_cost_fraction(6.0, wind_mps=3.0)
    assert head > 0 and tail > 0
    # exact half of the headwind's force change at the same |Δ| of force … for the same wind:
    f_head, f_tail = (6 + 3) ** 2 - 36, 36 - (6 - 3) ** 2
    assert tail / head == pytest.approx(0.5 * f_tail / f_head)
    small = 0.1
    ratio = (calm - air_cost_fraction(6.0, wind_mps=small)) / (
        air_cost_fraction(6.0, wind_mps=-small) - calm
    )
    assert ratio == pytest.approx(0.5, abs=0.01)


def test_draft_factor_pugh_and_shape() -> None:
    np.testing.assert_allclose(draft_factor([0.0, 0.5, 1.0]), 0.2)  # Pugh 1971: 80 % removed
    f = draft_factor([2.0, 3.0, 5.0, np.inf])
    assert 0.6 < f[0] < 0.8
    assert f[2] > 0.98  # back to nearly full exposure by a few metres
    assert f[3] == 1.0
    with pytest.raises(InvalidValue, match="gap_m"):
        draft_factor(-1.0)


def _lap_saving_s(speed_mps: float, gap_m: float) -> float:
    """Seconds per 400 m saved by drafting at ``gap_m`` at equal metabolic rate."""
    power = speed_mps * (1 + air_cost_fraction(speed_mps))
    f = float(draft_factor(gap_m))
    v2 = brentq(lambda v: v * (1 + air_cost_fraction(v, draft=f)) - power, speed_mps, 2 * speed_mps)
    return 400 / speed_mps - 400 / v2


def test_kyle_1979_relative_to_pugh() -> None:
    # Pugh: 1 m behind saves ≈ 4 s per lap at 6 m/s, ∝ v at other speeds (air ∝ v², lap ∝ 1/v);
    # Kyle: 2 m behind saves ≈ 1.66 s per lap at world-record mile pace → ratio ≈ 0.35
    pugh_at_wr = 4.0 * WR_MILE_MPS / 6.0
    ratio = _lap_saving_s(WR_MILE_MPS, 2.0) / _lap_saving_s(WR_MILE_MPS, 1.0)
    assert ratio == pytest.approx(1.66 / pugh_at_wr, abs=0.05)


def test_kyle_1979_absolute_saving() -> None:
    # with Davies's (smaller) air-cost fractions the absolute saving is about half Kyle's
    # 1.66 s, which rests on Pugh's air cost (≈ 8 % at 6 m/s); same direction, same order
    saving = _lap_saving_s(WR_MILE_MPS, 2.0)
    assert 0.5 < saving < 1.66  # 0.67 s measured


def test_bad_input() -> None:
    with pytest.raises(InvalidValue, match="speed_mps"):
        air_cost_fraction(-1.0)
    with pytest.raises(InvalidValue, match="draft"):
        air_cost_fraction(5.0, draft=1.5)
    with pytest.raises(InvalidValue, match="humidity"):
        air_density(humidity=2.0)


@given(st.floats(0.0, 100.0), st.floats(0.0, 5.0))
def test_draft_factor_monotone_bounded(g: float, dg: float) -> None:
    a, b = draft_factor(g), draft_factor(g + dg)
    assert 0.2 <= a <= b <= 1.0


@given(st.floats(1.0, 12.0), st.floats(0.0, 8.0), st.floats(0.2, 1.0))
def test_headwind_costs_more_than_tailwind_saves(v: float, w: float, d: float) -> None:
    calm = air_cost_fraction(v, draft=d)
    head = air_cost_fraction(v, wind_mps=-w, draft=d)
    tail = air_cost_fraction(v, wind_mps=w, draft=d)
    assert tail <= calm + 1e-15 <= head + 2e-15
    assert head - calm >= calm - tail - 1e-15
    assert air_cost_fraction(v, draft=d) <= air_cost_fraction(v) + 1e-15
