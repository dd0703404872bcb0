"""Tests for kicklab.environment.track (lanes, bends, bend cost)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import brentq

from kicklab.environment.track import (
    bend_cost_factor,
    extra_distance_m,
    lane_length_m,
    lane_radius_m,
    on_bend,
)
from kicklab.errors import InvalidValue
from kicklab.samples import TRACK_LANE1_RADIUS_M, TRACK_LAP_M, track_xy


def test_lane_geometry() -> None:
    assert lane_radius_m(1) == pytest.approx(36.80)  # 36.5 + 0.30
    assert lane_radius_m(2) == pytest.approx(37.92)  # 36.5 + 1.22 + 0.20
    assert lane_radius_m(1) == pytest.approx(TRACK_LANE1_RADIUS_M)
    assert lane_length_m(1) == pytest.approx(400.0, abs=0.01)
    assert lane_length_m(1) == pytest.approx(TRACK_LAP_M)
    np.testing.assert_allclose(
        lane_radius_m([3, 8]), [36.5 + 2 * 1.22 + 0.2, 36.5 + 7 * 1.22 + 0.2]
    )


def test_extra_distance_lane_two() -> None:
    # SCIENCE.md §4: ≈ 3.5 m per 180° bend in lane 2, ≈ 7 m per lap
    assert extra_distance_m(2, 1) == pytest.approx(3.5, abs=0.05)
    assert extra_distance_m(2, 2) == pytest.approx(lane_length_m(2) - lane_length_m(1))
    assert extra_distance_m(1, 5) == 0.0


def test_bad_lane() -> None:
    for bad in (0, 10, 1.5, "x"):
        with pytest.raises(InvalidValue, match="lane"):
            lane_radius_m(bad)
    with pytest.raises(InvalidValue, match="n_bends"):
        extra_distance_m(2, -1)


def test_on_bend_matches_sample_track_geometry() -> None:
    # the finish is at the end of the home straight: the last 84.39 m are straight
    race = 1500.0
    d = np.linspace(0, race, 3001)
    bend = on_bend(d, race)
    assert not bend[d > race - 84.3].any()
    assert bend[(d > race - 84.39 - 115) & (d < race - 84.5)].all()
    # compare with the curvature of kicklab.samples.track_xy: on a bend |y| < r or |x| > half
    x, y = track_xy(d - race + TRACK_LAP_M)
    on_curve = np.abs(x) > 84.39 / 2 + 1e-6
    inner = np.abs(np.abs(x) - 84.39 / 2) > 0.05  # skip points at a tangent
    np.testing.assert_array_equal(bend[inner], on_curve[inner])
    # 1500 m: about 58 % of a lap is on bends
    assert bend.mean() == pytest.approx(2 * math.pi * 36.8 / 400, abs=0.03)
    with pytest.raises(InvalidValue, match="race_distance_m"):
        on_bend(d, 0)


def test_bend_cost_values() -> None:
    assert bend_cost_factor(7.0, np.inf) == 1.0
    assert bend_cost_factor(0.0, 36.8) == 1.0
    lateral = 49 / (9.80665 * 36.8)
    assert bend_cost_factor(7.0, 36.8) == pytest.approx(1 + 0.39 * (math.hypot(1, lateral) - 1))
    with pytest.raises(InvalidValue, match="radius_m"):
        bend_cost_factor(5.0, 0.0)


def _track_marathon_s(radius_m: float, lap_m: float, straight_time_s: float = 7292.0) -> float:
    """Marathon time at the metabolic rate of a ``straight_time_s`` straight-road marathon."""
    v0 = 42195 / straight_time_s
    vb = brentq(lambda v: v * bend_cost_factor(v, radius_m) - v0, 1.0, v0)
    bend_share = 2 * math.pi * radius_m / lap_m
    return 42195 * ((1 - bend_share) / v0 + bend_share / vb)


def test_taboga_kram_2019_marathon_on_tracks() -> None:
    # Taboga & Kram 2019: 2:01:32 on a straight ≙ 2:01:39 on a 400 m track ≙ 2:02:00 on 200 m
    assert _track_marathon_s(lane_radius_m(1), 400.0) == pytest.approx(7299, abs=1.0)
    # not fitted: 200 m indoor track, kerb radius 17.2 m, line 0.30 m outside
    assert _track_marathon_s(17.5, 200.0) == pytest.approx(7320, abs=3.0)


@given(st.floats(0.0, 12.0), st.floats(1.0, 200.0), st.floats(0.01, 2.0))
def test_bend_cost_grows_with_speed_and_tightness(v: float, r: float, dv: float) -> None:
    k = bend_cost_factor(v, r)
    assert k >= 1.0
    assert bend_cost_factor(v + dv, r) >= k
    assert bend_cost_factor(v, r * 1.5) <= k


@given(st.floats(0.0, 20000.0), st.floats(100.0, 20000.0))
def test_on_bend_is_lap_periodic(d: float, race: float) -> None:
    u = (race - d) % TRACK_LAP_M
    tangents = np.array([0.0, 84.39, 84.39 + 115.61, 2 * 84.39 + 115.61, TRACK_LAP_M])
    assume(np.min(np.abs(u - tangents)) > 0.01)  # rounding may move a tangent point
    assert on_bend(d, race) == on_bend(d + TRACK_LAP_M, race)
