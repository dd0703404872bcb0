"""Race-time prediction: CS/D' (2P, Morton 3P), intervals over draws, Riegel, VDOT."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.physiology.predict import (
    Prediction,
    fraction_vo2max,
    predict_time_s,
    predict_with_interval,
    prediction_notes,
    riegel_time_s,
    vdot,
    vdot_time_s,
    vo2_demand,
)

MARATHON_M = 42_195.0
HALF_M = 21_097.5
MILE_M = 1609.344


def _hms(h: int, m: int, s: float) -> float:
    return 3600.0 * h + 60.0 * m + s


# ----------------------------------------------------------------------------- CS / D'
def test_two_parameter_line():
    t = predict_time_s([1500.0, 5000.0], 5.0, 200.0)
    np.testing.assert_allclose(t, [260.0, 960.0])
    assert isinstance(predict_time_s(5000.0, 5.0, 200.0), float)
    # The model needs infinite speed at d <= D': no prediction.
    assert np.isnan(predict_time_s(150.0, 5.0, 200.0))


def test_morton_worked_value():
    # SCIENCE.md §1 in power units: CP 300 W, W' 20 000 J, Pmax 1000 W, t = 300 s → 360.87 W.
    # Work done in 300 s is 360.87 × 300 J; the prediction must invert it to 300 s.
    assert predict_time_s(360.87 * 300.0, 300.0, 20_000.0, 1000.0) == pytest.approx(300.0, rel=1e-4)


def test_three_parameter_short_and_long():
    # At a very short distance the 3P time approaches d / MSS; the 2P model has none.
    assert predict_time_s(1.0, 5.0, 200.0, 9.0) == pytest.approx(1.0 / 9.0, rel=1e-3)
    # Long distances: 2P and 3P agree (difference ~ D'·k / (CS·t), k = D'/(MSS − CS)).
    t2 = predict_time_s(MARATHON_M, 5.0, 200.0)
    t3 = predict_time_s(MARATHON_M, 5.0, 200.0, 9.0)
    assert t3 > t2
    assert (t3 - t2) / t2 < 1e-4


def test_nan_mss_is_two_parameter_and_broadcasting():
    t = predict_time_s(5000.0, [5.0, 5.0], 200.0, [np.nan, 9.0])
    assert t[0] == predict_time_s(5000.0, 5.0, 200.0)
    assert t[1] == predict_time_s(5000.0, 5.0, 200.0, 9.0)
    grid = predict_time_s(np.array([[800.0], [1500.0]]), np.array([4.5, 5.0, 5.5]), 200.0, 8.0)
    assert grid.shape == (2, 3)


@given(
    st.floats(2.5, 7.0),
    st.floats(30.0, 500.0),
    st.floats(0.5, 6.0),
    st.floats(100.0, 100_000.0),
)
@settings(max_examples=200, deadline=None)
def test_identities(cs, dp, reserve, d):
    mss = cs + reserve
    t3 = predict_time_s(d, cs, dp, mss)
    k = dp / (mss - cs)
    # d = v(t)·t with Morton's v(t) = CS + D'/(t + k).
    assert (cs + dp / (t3 + k)) * t3 == pytest.approx(d, rel=1e-9)
    assert t3 > d / mss  # never faster than the sprint speed
    if d > dp:
        t2 = predict_time_s(d, cs, dp)
        assert cs * t2 + dp == pytest.approx(d, rel=1e-9)  # CS·t + D' identity
        assert t3 >= t2 * (1 - 1e-12)  # 3P speed curve lies below 2P's


@given(st.floats(2.5, 7.0), st.floats(30.0, 500.0), st.floats(0.5, 6.0))
@settings(max_examples=100, deadline=None)
def test_time_increases_with_distance(cs, dp, reserve):
    d = np.geomspace(50.0, 200_000.0, 60)
    t3 = predict_time_s(d, cs, dp, cs + reserve)
    assert (np.diff(t3) > 0).all()
    t2 = predict_time_s(d[d > dp], cs, dp)
    assert (np.diff(t2) > 0).all()


def test_predict_errors():
    with pytest.raises(InvalidValue, match="mss_mps"):
        predict_time_s(1500.0, 5.0, 200.0, 4.0)
    with pytest.raises(InvalidValue, match="distance_m"):
        predict_time_s(-5.0, 5.0, 200.0)
    with pytest.raises(InvalidValue, match="cs_mps"):
        predict_time_s(1500.0, "fast", 200.0)
    with pytest.raises(InvalidValue, match="broadcast"):
        predict_time_s([1.0, 2.0], [5.0, 5.0, 5.0], 200.0)


# ----------------------------------------------------------------------------- intervals
def test_interval_of_identical_draws_is_the_point():
    draws = np.tile([5.0, 200.0, 8.0], (50, 1))
    pred = predict_with_interval(5000.0, draws)
    assert isinstance(pred, Prediction)
    point = predict_time_s(5000.0, 5.0, 200.0, 8.0)
    assert pred == pytest.approx((point, point, point))
    median, lo, hi = pred  # unpacks as (median, lo, hi)
    assert median == point


def test_interval_covers_and_narrows():
    rng = np.random.default_rng(7)
    n = 2000
    draws = np.column_stack(
        [rng.normal(5.0, 0.05, n), rng.normal(200.0, 20.0, n), np.full(n, np.nan)]
    )
    dist = np.array([1500.0, 5000.0, 10_000.0])
    med, lo, hi = predict_with_interval(dist, draws)
    point = predict_time_s(dist, 5.0, 200.0)
    assert med.shape == (3,)
    np.testing.assert_allclose(med, point, rtol=5e-3)
    assert (lo < med).all() and (med < hi).all()
    # An 80 % interval lies inside the 95 % one.
    _, lo80, hi80 = predict_with_interval(dist, draws, ci=0.8)
    assert (lo80 > lo).all() and (hi80 < hi).all()
    # Two columns = 2P draws.
    for got, want in zip(predict_with_interval(dist, draws[:, :2]), (med, lo, hi), strict=True):
        np.testing.assert_array_equal(got, want)


def test_interval_with_unpredictable_draws():
    # 2P draws with D' beyond the distance cannot predict it: a few are left out, many → NaN.
    draws = np.column_stack([np.full(100, 5.0), np.linspace(100.0, 300.0, 100)])
    ok = predict_with_interval(297.0, draws)  # 2 of 100 draws (< 2.5 %) have D' >= 297 m
    assert np.isfinite(ok.median_s) and np.isfinite(ok.lo_s)
    bad = predict_with_interval(250.0, draws)  # a quarter of the draws cannot predict 250 m
    assert np.isnan(bad.median_s) and np.isnan(bad.lo_s) and np.isnan(bad.hi_s)


@pytest.mark.parametrize(
    ("samples", "ci", "match"),
    [
        (np.ones((5, 4)), 0.95, "n×3"),
        (np.ones(3), 0.95, "n×3"),
        (np.empty((0, 3)), 0.95, "n×3"),
        (np.tile([5.0, 200.0, 8.0], (5, 1)), 1.5, "ci"),
        (np.tile([5.0, 200.0, 8.0], (5, 1)), "x", "ci"),
        (np.tile([-5.0, 200.0, 8.0], (5, 1)), 0.95, "cs_mps"),
    ],
)
def test_interval_errors(samples, ci, match):
    with pytest.raises(InvalidValue, match=match):
        predict_with_interval(5000.0, samples, ci=ci)


# ----------------------------------------------------------------------------- Riegel
def test_riegel():
    # 5000 m in 20:00 → 10 000 m in 1200·2^1.06 = 2501.9 s (41:41.9).
    assert riegel_time_s(10_000.0, 5000.0, 1200.0) == pytest.approx(2501.92, abs=0.01)
    # Half marathon 1:30:00 → marathon 5400·2^1.06 = 11 258.6 s (3:07:38.6).
    assert riegel_time_s(MARATHON_M, HALF_M, 5400.0) == pytest.approx(_hms(3, 7, 38.63), abs=0.01)
    np.testing.assert_allclose(
        riegel_time_s([5000.0, 10_000.0], 5000.0, 1200.0, exponent=1.0), [1200.0, 2400.0]
    )
    with pytest.raises(InvalidValue, match="ref_time_s"):
        riegel_time_s(10_000.0, 5000.0, 0.0)


@given(st.floats(400.0, 50_000.0), st.floats(400.0, 50_000.0), st.floats(60.0, 20_000.0))
@settings(max_examples=100, deadline=None)
def test_riegel_round_trip(d1, d2, t1):
    t2 = riegel_time_s(d2, d1, t1)
    assert riegel_time_s(d1, d2, t2) == pytest.approx(t1, rel=1e-12)


# ----------------------------------------------------------------------------- VDOT
def test_vdot_published_values():
    # Daniels & Gilbert formula: 5000 m in 20:00 → 49.8; a 3:00:00 marathon → 53.5.
    assert vdot(5000.0, 1200.0) == pytest.approx(49.8, abs=0.05)
    assert vdot(MARATHON_M, _hms(3, 0, 0)) == pytest.approx(53.5, abs=0.05)
    # The two parts at 5000 m in 20 min: 250 m/min costs 47.46 ml/kg/min, held at 95.3 % VO2max.
    assert vo2_demand(250.0) == pytest.approx(47.4645, abs=1e-4)
    assert fraction_vo2max(20.0) == pytest.approx(0.95298, abs=1e-5)
    np.testing.assert_allclose(
        vdot([5000.0, MARATHON_M], [1200.0, _hms(3, 0, 0)]), [49.81, 53.53], atol=0.01
    )


# Daniels' Running Formula, table of VDOT values (equivalent race times); the book's table
# rounds differently from the 1979 equations, so agreement is within 0.2 %.
DANIELS_TABLE = [
    (50.0, MILE_M, _hms(0, 5, 50.0)),
    (50.0, 5000.0, _hms(0, 19, 57.0)),
    (50.0, 10_000.0, _hms(0, 41, 21.0)),
    (50.0, HALF_M, _hms(1, 31, 35.0)),
    (50.0, MARATHON_M, _hms(3, 10, 49.0)),
    (40.0, 5000.0, _hms(0, 24, 8.0)),
    (40.0, MARATHON_M, _hms(3, 49, 45.0)),
    (30.0, 5000.0, _hms(0, 30, 40.0)),
    (60.0, MILE_M, _hms(0, 4, 57.0)),
]


@pytest.mark.parametrize(("value", "distance", "time"), DANIELS_TABLE)
def test_vdot_time_against_daniels_table(value, distance, time):
    assert vdot_time_s(distance, value) == pytest.approx(time, rel=2e-3)


def test_vdot_time_broadcasts_and_errors():
    t = vdot_time_s([5000.0, 10_000.0], 50.0)
    assert t.shape == (2,) and (np.diff(t) > 0).all()
    with pytest.raises(InvalidValue, match="no race time"):
        vdot_time_s(5000.0, 500.0)
    with pytest.raises(InvalidValue, match="vdot"):
        vdot_time_s(5000.0, -3.0)


@given(st.floats(800.0, 100_000.0), st.floats(25.0, 85.0))
@settings(max_examples=60, deadline=None)
def test_vdot_round_trip(distance, value):
    t = vdot_time_s(distance, value)
    assert vdot(distance, t) == pytest.approx(value, rel=1e-9)


@given(st.floats(800.0, 100_000.0), st.floats(25.0, 85.0), st.floats(1.001, 1.5))
@settings(max_examples=60, deadline=None)
def test_vdot_time_increases_with_distance(distance, value, factor):
    assert vdot_time_s(distance * factor, value) > vdot_time_s(distance, value)


# ----------------------------------------------------------------------------- peers agree
def test_methods_agree_in_their_common_range():
    # An athlete with CS 4.5 m/s, D' 200 m: 5000 m in 17:46.7 by the 2P model. From that 5000 m,
    # Riegel (37:03.9) and VDOT (36:52.2) predict 10 000 m within 2.5 % of the model (36:17.8),
    # the model being the most optimistic: CS is held as if for ever (its long-distance limit).
    t5 = predict_time_s(5000.0, 4.5, 200.0)
    t10 = predict_time_s(10_000.0, 4.5, 200.0)
    for peer in (riegel_time_s(10_000.0, 5000.0, t5), vdot_time_s(10_000.0, vdot(5000.0, t5))):
        assert t10 < peer < 1.025 * t10


def test_prediction_notes():
    notes = prediction_notes()
    assert set(notes) == {"2p", "3p", "riegel", "vdot"}
    assert "2 min" in notes["2p"] and "marathon" in notes["riegel"]
    assert "3.5 min" in notes["vdot"] and "MSS" in notes["3p"]
