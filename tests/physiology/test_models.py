"""Tests of kicklab.physiology.models: published values, inverses, limits and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.physiology.models import (
    SPEED_MODELS,
    TIME_TO_EXHAUSTION_MODELS,
    speed,
    speed_2p,
    speed_3p,
    time_to_exhaustion,
    time_to_exhaustion_2p,
    time_to_exhaustion_3p,
)

# runner-like parameter ranges (SCIENCE.md §1: CS ≈ 3.7–6.4 m/s, D' 50–400 m; MSS 7–12 m/s)
CS = st.floats(2.5, 6.5)
D_PRIME = st.floats(30.0, 500.0)
MSS_GAP = st.floats(0.5, 6.0)  # MSS − CS, m/s
DURATION = st.floats(1.0, 4.0 * 3600.0)


# ----------------------------------------------------------------------------- published values
def test_morton_worked_value_in_power_units() -> None:
    # SCIENCE.md §1: CP 300 W, W' 20 000 J, Pmax 1000 W, t = 300 s → 360.87 W (Morton 1996)
    assert float(speed_3p(300.0, 300.0, 20_000.0, 1000.0)) == pytest.approx(360.87, abs=0.005)


def test_morton_worked_value_inverse() -> None:
    assert float(time_to_exhaustion_3p(360.8695652, 300.0, 20_000.0, 1000.0)) == pytest.approx(
        300.0, abs=1e-3
    )


def test_two_parameter_hand_values() -> None:
    # CS 4.5 m/s, D' 200 m: 5 min → 4.5 + 200/300 m/s; at 5 m/s D' lasts 200/0.5 = 400 s
    assert float(speed_2p(300.0, 4.5, 200.0)) == pytest.approx(4.5 + 200.0 / 300.0)
    assert float(time_to_exhaustion_2p(5.0, 4.5, 200.0)) == pytest.approx(400.0)


def test_three_parameter_hand_value() -> None:
    # CS 4, D' 200, MSS 9: shift k = 200/5 = 40 s; at t = 60 s, v = 4 + 200/100 = 6 m/s
    assert float(speed_3p(60.0, 4.0, 200.0, 9.0)) == pytest.approx(6.0)
    assert float(time_to_exhaustion_3p(6.0, 4.0, 200.0, 9.0)) == pytest.approx(60.0)


# ----------------------------------------------------------------------------- limits and edges
def test_time_to_exhaustion_edges() -> None:
    v = np.array([3.0, 4.0, 9.0, 10.0])
    np.testing.assert_array_equal(time_to_exhaustion_2p(v[:2], 4.0, 200.0), [np.inf, np.inf])
    np.testing.assert_array_equal(time_to_exhaustion_3p(v, 4.0, 200.0, 9.0), [np.inf, np.inf, 0, 0])


def test_zero_duration() -> None:
    assert float(speed_2p(0.0, 4.0, 200.0)) == np.inf
    assert float(speed_3p(0.0, 4.0, 200.0, 9.0)) == 9.0
    assert float(speed_3p(0.0, 4.0, 0.0, 9.0)) == 9.0


def test_infinite_mss_is_the_two_parameter_model() -> None:
    t = np.array([30.0, 120.0, 600.0, 3600.0])
    np.testing.assert_allclose(speed_3p(t, 4.5, 200.0, np.inf), speed_2p(t, 4.5, 200.0))
    v = np.array([4.0, 4.6, 6.0, 11.0])
    np.testing.assert_allclose(
        time_to_exhaustion_3p(v, 4.5, 200.0, np.inf), time_to_exhaustion_2p(v, 4.5, 200.0)
    )


def test_nan_input_gives_nan() -> None:
    out = speed_2p([np.nan, 300.0], 4.5, 200.0)
    assert np.isnan(out[0]) and np.isfinite(out[1])
    out = time_to_exhaustion_3p([np.nan, 5.0], 4.5, 200.0, 9.0)
    assert np.isnan(out[0]) and np.isfinite(out[1])


def test_broadcasts_durations_against_parameter_draws() -> None:
    t = np.array([180.0, 600.0, 1800.0])[:, None]
    cs = np.array([4.4, 4.5, 4.6])
    dp = np.array([180.0, 200.0, 220.0])
    mss = np.array([8.0, 8.5, 9.0])
    out = speed_3p(t, cs, dp, mss)
    assert out.shape == (3, 3)
    assert float(out[1, 2]) == pytest.approx(float(speed_3p(600.0, 4.6, 220.0, 9.0)))


# ----------------------------------------------------------------------------- registry
def test_registries_and_dispatchers() -> None:
    assert set(SPEED_MODELS) == {"2p", "3p"} == set(TIME_TO_EXHAUSTION_MODELS)
    assert float(speed(300.0, 4.5, 200.0)) == float(speed_2p(300.0, 4.5, 200.0))
    assert float(speed(300.0, 4.5, 200.0, 9.0, model="3P")) == float(
        speed_3p(300.0, 4.5, 200.0, 9.0)
    )
    assert float(time_to_exhaustion(5.0, 4.5, 200.0, 9.0, model="3p")) == float(
        time_to_exhaustion_3p(5.0, 4.5, 200.0, 9.0)
    )

    def flat(duration_s, cs_mps, d_prime_m, mss_mps=None):  # a user model, same signature
        return np.broadcast_to(np.asarray(cs_mps, dtype=float), np.shape(duration_s))

    np.testing.assert_array_equal(speed([60.0, 600.0], 4.5, 200.0, model=flat), [4.5, 4.5])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: speed(300.0, 4.5, 200.0, model="4p"), "unknown speed model"),
        (lambda: time_to_exhaustion(5.0, 4.5, 200.0, model="x"), "unknown time-to-exhaustion"),
        (lambda: speed_3p(300.0, 4.5, 200.0), "needs mss_mps"),
        (lambda: time_to_exhaustion_3p(5.0, 4.5, 200.0), "needs mss_mps"),
        (lambda: speed_2p(300.0, 0.0, 200.0), "cs_mps"),
        (lambda: speed_2p(300.0, np.nan, 200.0), "cs_mps"),
        (lambda: speed_2p(300.0, 4.5, -1.0), "d_prime_m"),
        (lambda: speed_3p(300.0, 4.5, 200.0, 4.5), "mss_mps must exceed"),
        (lambda: speed_3p(300.0, 4.5, 200.0, np.nan), "mss_mps must exceed"),
        (lambda: speed_2p(-1.0, 4.5, 200.0), "duration_s"),
        (lambda: time_to_exhaustion_2p(-1.0, 4.5, 200.0), "speed_mps"),
        (lambda: speed_2p("fast", 4.5, 200.0), "duration_s must be numeric"),
    ],
)
def test_bad_input_raises_invalid_value(call, words) -> None:
    with pytest.raises(InvalidValue, match=words):
        call()


# ----------------------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None)
@given(cs=CS, dp=D_PRIME, gap=MSS_GAP, t=st.lists(DURATION, min_size=2, max_size=8))
def test_speed_decreases_with_duration(cs, dp, gap, t) -> None:
    t = np.unique(np.asarray(t))
    for v in (speed_2p(t, cs, dp), speed_3p(t, cs, dp, cs + gap)):
        assert np.all(np.diff(v) <= 0)  # equal only where durations differ by rounding
        assert np.all(v > cs)
        if t[-1] > 1.001 * t[0]:
            assert v[-1] < v[0]


@settings(max_examples=60, deadline=None)
@given(cs=CS, dp=D_PRIME, gap=MSS_GAP)
def test_speed_tends_to_cs_and_3p_starts_at_mss(cs, dp, gap) -> None:
    mss = cs + gap
    far = 1e12  # s: D'/t is below 1e-9 m/s
    assert float(speed_2p(far, cs, dp)) == pytest.approx(cs, abs=1e-8)
    assert float(speed_3p(far, cs, dp, mss)) == pytest.approx(cs, abs=1e-8)
    assert float(speed_3p(0.0, cs, dp, mss)) == mss
    # continuous at t = 0: a millisecond in, the speed is still MSS to within the slope
    assert float(speed_3p(1e-3, cs, dp, mss)) == pytest.approx(mss, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(cs=CS, dp=D_PRIME, gap=MSS_GAP, t=DURATION)
def test_three_parameter_curve_below_mss_and_below_hyperbola(cs, dp, gap, t) -> None:
    mss = cs + gap
    v3 = float(speed_3p(t, cs, dp, mss))
    assert cs < v3 < mss
    assert v3 < float(speed_2p(t, cs, dp))


@settings(max_examples=60, deadline=None)
@given(cs=CS, dp=D_PRIME, gap=MSS_GAP, t=DURATION)
def test_time_to_exhaustion_inverts_speed(cs, dp, gap, t) -> None:
    mss = cs + gap
    assert float(time_to_exhaustion_2p(speed_2p(t, cs, dp), cs, dp)) == pytest.approx(t, rel=1e-6)
    assert float(time_to_exhaustion_3p(speed_3p(t, cs, dp, mss), cs, dp, mss)) == pytest.approx(
        t, rel=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(cs=CS, dp=D_PRIME, t=DURATION)
def test_distance_is_linear_in_time(cs, dp, t) -> None:
    # d = v(t)·t = CS·t + D' (SCIENCE.md §1)
    assert float(speed_2p(t, cs, dp)) * t == pytest.approx(cs * t + dp, rel=1e-12)
