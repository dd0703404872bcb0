"""Pace phases and mid-race surges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kicklab.kick import rules
from kicklab.kick.detect import detect_kick
from kicklab.kick.result import Kick, Phase
from kicklab.kick.surges import find_surges, pace_phases
from kicklab.samples import sample_race
from kicklab.signal import clean, smooth_speed


def _profile(levels, total_m, *, noise=0.0, seed=0, smooth=False):
    """1 Hz race at speeds set by distance: ``levels`` = [(from_m, speed_mps), ...]."""
    starts = np.array([a for a, _ in levels])
    speeds = np.array([s for _, s in levels])
    d, v = [0.0], []
    while d[-1] < total_m:
        s = float(speeds[np.searchsorted(starts, d[-1], side="right") - 1])
        v.append(s)
        d.append(d[-1] + s)
    v.append(v[-1])
    v, d = np.array(v), np.array(d)
    t = np.arange(d.size, dtype=float)
    if noise:
        v = v * (1 + noise * np.random.default_rng(seed).standard_normal(v.size))
    if smooth:
        v = smooth_speed(t, v)
    return t, d, v


#: 1500 m at 4.5 m/s with a surge to 5.0 m/s from 600 to 800 m, then 4.3 m/s
_SURGE = [(0.0, 4.5), (600.0, 5.0), (800.0, 4.3)]


def test_mid_race_surge_noiseless():
    t, d, v = _profile(_SURGE, 1500.0)
    phases = pace_phases(t, d, v)
    assert [round(p.mean_speed_mps, 9) for p in phases] == [4.5, 5.0, 4.3]
    assert phases[0].start_time_s == 0.0 and phases[-1].end_distance_m == d[-1]
    surges = find_surges(phases, float(d[-1]), detect_kick(t, d, v))
    assert len(surges) == 1
    s = surges[0]
    assert s.start_distance_m == pytest.approx(600.0, abs=20.0)
    assert s.end_distance_m == pytest.approx(800.0, abs=20.0)
    assert s.start_distance_to_go_m == pytest.approx(d[-1] - s.start_distance_m)
    assert s.distance_m == pytest.approx(s.end_distance_m - s.start_distance_m)
    assert s.duration_s == pytest.approx(s.end_time_s - s.start_time_s)
    assert s.pre_speed_mps == pytest.approx(4.5)
    assert s.mean_speed_mps == pytest.approx(5.0)
    assert s.after_speed_mps == pytest.approx(4.3)
    assert s.gain_pct == pytest.approx(100 * (5.0 / 4.5 - 1), abs=1e-6)  # 11.1 %
    assert s.after_pct == pytest.approx(100 * (4.3 / 4.5 - 1), abs=1e-6)  # -4.4 %


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mid_race_surge_with_noise_and_smoothing(seed):
    t, d, v = _profile(_SURGE, 1500.0, noise=0.015, seed=seed, smooth=True)
    surges = find_surges(pace_phases(t, d, v), float(d[-1]), detect_kick(t, d, v))
    assert len(surges) == 1
    s = surges[0]
    assert s.start_distance_m == pytest.approx(600.0, abs=20.0)
    assert s.gain_pct == pytest.approx(11.1, abs=1.5)
    assert s.after_pct == pytest.approx(-4.4, abs=0.7)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_no_surge_in_even_pace(seed):
    race = clean(sample_race(1500.0, kick_distance_to_go_m=0.0, seed=seed))
    rec = race.records
    t, d, v = (rec[c].to_numpy() for c in ("time_s", "distance_m", "speed_mps"))
    assert find_surges(pace_phases(t, d, v), float(d[-1])) == []


def test_start_is_never_a_surge():
    # a slow first 120 m (inside the excluded start of a 1500 m: 150 m), then race pace
    t, d, v = _profile([(0.0, 3.6), (120.0, 4.5)], 1500.0)
    phases = pace_phases(t, d, v)
    assert len(phases) == 2 and phases[1].mean_speed_mps > 1.2 * phases[0].mean_speed_mps
    assert find_surges(phases, float(d[-1])) == []
    # the same jump after the start is a surge
    t, d, v = _profile([(0.0, 3.6), (400.0, 4.5)], 1500.0)
    assert len(find_surges(pace_phases(t, d, v), float(d[-1]))) == 1


def test_consecutive_fast_phases_make_one_surge():
    phases = [
        Phase(0.0, 100.0, 0.0, 450.0, 4.5),
        Phase(100.0, 130.0, 450.0, 594.0, 4.8),
        Phase(130.0, 170.0, 594.0, 794.0, 5.0),
        Phase(170.0, 330.0, 794.0, 1500.0, 4.4),
    ]
    (s,) = find_surges(phases, 1500.0)
    assert (s.start_distance_m, s.end_distance_m) == (450.0, 794.0)
    assert s.mean_speed_mps == pytest.approx((4.8 * 30 + 5.0 * 40) / 70, rel=1e-12)
    assert s.after_speed_mps == 4.4
    assert s.gain_pct == pytest.approx(100 * (s.mean_speed_mps / 4.5 - 1), rel=1e-12)


def test_short_or_small_moves_are_not_surges():
    assert rules.MIN_SURGE_M == 100.0 and rules.MIN_SURGE_GAIN == 0.03
    short = [
        Phase(0.0, 100.0, 0.0, 450.0, 4.5),
        Phase(100.0, 118.0, 450.0, 540.0, 5.0),  # 90 m
        Phase(118.0, 330.0, 540.0, 1500.0, 4.5),
    ]
    assert find_surges(short, 1500.0) == []
    small = [
        Phase(0.0, 100.0, 0.0, 450.0, 4.5),
        Phase(100.0, 160.0, 450.0, 725.0, 4.6),  # +2.2 %
        Phase(160.0, 330.0, 725.0, 1500.0, 4.5),
    ]
    assert find_surges(small, 1500.0) == []


def test_kick_phases_are_not_surges():
    phases = [
        Phase(0.0, 280.0, 0.0, 1250.0, 4.5),
        Phase(280.0, 320.0, 1250.0, 1500.0, 5.2),
    ]
    (s,) = find_surges(phases, 1500.0)  # without a kick the final move is a surge ...
    assert math.isnan(s.after_speed_mps) and math.isnan(s.after_pct)
    kick = Kick(detected=True, onset_distance_m=1250.0)
    assert find_surges(phases, 1500.0, kick) == []  # ... with one it is the kick
    assert len(find_surges(phases, 1500.0, Kick(detected=False))) == 1


def test_pace_phases_degenerate():
    assert pace_phases([0.0], [0.0], [4.0]) == []
    t = np.arange(30.0)
    phases = pace_phases(t, 4.0 * t, np.full(30, 4.0))
    assert len(phases) == 1 and phases[0].mean_speed_mps == 4.0
    assert phases[0].end_distance_m == 116.0


def test_three_level_staircase_gives_three_phases():
    t, d, v = _profile([(0.0, 4.5), (720.0, 4.9), (1308.0, 5.6)], 1504.0)
    phases = pace_phases(t, d, v)
    assert [round(p.mean_speed_mps, 6) for p in phases] == [4.5, 4.9, 5.6]


def test_interval_repetitions_are_separate_surges():
    # jog 1.85 m/s, rep 3.0, jog 2.0, rep 3.0, jog 2.0 (a recovery is > 3 % faster than the
    # first jog but far slower than the rep: the surge ends with the rep)
    speeds = [(600, 1.85), (70, 3.0), (600, 2.0), (60, 3.0), (600, 2.0)]
    phases, t, d = [], 0.0, 0.0
    for dur, v in speeds:
        phases.append(Phase(t, t + dur, d, d + v * dur, v))
        t, d = t + dur, d + v * dur
    surges = find_surges(phases, d)
    assert len(surges) == 2
    first, second = surges
    assert first.distance_m == pytest.approx(210.0) and second.distance_m == pytest.approx(180.0)
    assert first.gain_pct == pytest.approx(100 * (3.0 / 1.85 - 1))
    assert first.after_pct == pytest.approx(100 * (2.0 / 1.85 - 1))
    assert second.gain_pct == pytest.approx(50.0)
    assert second.after_pct == pytest.approx(0.0)
