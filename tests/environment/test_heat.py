"""Tests for kicklab.environment.heat (Ely et al. 2007)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kicklab.environment.heat import SLOWER_RUNNER_FACTOR, heat_slowdown_fraction
from kicklab.errors import InvalidValue

CENTRES = [7.5, 12.5, 17.5, 22.5]


def test_ely_table_at_bin_centres() -> None:
    # Ely 2007 (MSSE 39:487): top finishers vs course record, WBGT 5–10/10–15/15–20/20–25 °C
    men = heat_slowdown_fraction(CENTRES, baseline="record")
    women = heat_slowdown_fraction(CENTRES, sex="women", baseline="record")
    np.testing.assert_allclose(men, [0.017, 0.025, 0.033, 0.045])
    np.testing.assert_allclose(women, [0.032, 0.032, 0.038, 0.054])


def test_optimal_baseline_subtracts_coolest_bin() -> None:
    np.testing.assert_allclose(heat_slowdown_fraction(CENTRES), [0.0, 0.008, 0.016, 0.028])
    assert heat_slowdown_fraction(0.0) == 0.0  # no cold penalty modelled
    assert isinstance(heat_slowdown_fraction(20.0), float)


def test_interpolates_between_centres_and_extends_last_slope() -> None:
    assert heat_slowdown_fraction(15.0, baseline="record") == pytest.approx(0.029)
    # last slope (4.5 − 3.3)/5 % per °C beyond 22.5 °C
    assert heat_slowdown_fraction(27.5, baseline="record") == pytest.approx(0.057)


def test_slower_runners_lose_more() -> None:
    top = heat_slowdown_fraction(22.5)
    slower = heat_slowdown_fraction(22.5, level="slower")
    assert slower == pytest.approx(SLOWER_RUNNER_FACTOR * top)
    assert slower > top


def test_bad_input() -> None:
    with pytest.raises(InvalidValue, match="wbgt_c"):
        heat_slowdown_fraction(50.0)
    with pytest.raises(InvalidValue, match="wbgt_c"):
        heat_slowdown_fraction(np.nan)
    with pytest.raises(InvalidValue, match="sex"):
        heat_slowdown_fraction(20.0, sex="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="level"):
        heat_slowdown_fraction(20.0, level="x")  # type: ignore[arg-type]


@given(st.floats(-30, 35), st.floats(0, 5), st.sampled_from(["men", "women"]))
def test_monotone_and_non_negative(t: float, dt: float, sex: str) -> None:
    t2 = min(t + dt, 35.0)
    for level in ("top", "slower"):
        a = heat_slowdown_fraction(t, level=level, sex=sex)  # type: ignore[arg-type]
        b = heat_slowdown_fraction(t2, level=level, sex=sex)  # type: ignore[arg-type]
        assert 0.0 <= a <= b + 1e-15
