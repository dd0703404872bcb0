"""Kick detection: onset and gain against known synthetic races, no kick where there is none."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from kicklab.kick import rules
from kicklab.kick.detect import detect_kick
from kicklab.samples import sample_race
from kicklab.signal import clean, smooth_speed

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from validate_kick import true_gain_pct


def _blocks(blocks, *, noise=0.0, seed=0, smooth=False):
    """Race-relative 1 Hz (t, d, v) of constant-speed blocks ``(duration_s, speed_mps)``."""
    sp = np.concatenate([np.full(int(n), float(v)) for n, v in blocks] + [[float(blocks[-1][1])]])
    if noise:
        sp = sp * (1 + noise * np.random.default_rng(seed).standard_normal(sp.size))
    t = np.arange(sp.size, dtype=float)
    d = np.r_[0.0, np.cumsum(sp[:-1])]
    if smooth:
        sp = smooth_speed(t, sp)
    return t, d, sp


def _device(race):
    """The race as kicklab analyses it with a watch's own speed: cleaned, race-relative."""
    rec = clean(race).records
    return rec["time_s"].to_numpy(), rec["distance_m"].to_numpy(), rec["speed_mps"].to_numpy()


@pytest.mark.parametrize(
    ("distance", "to_go", "gain", "seed"),
    [
        (1500.0, 250.0, 0.12, 0),
        (1500.0, 250.0, 0.12, 2),
        (1500.0, 400.0, 0.08, 1),
        (1500.0, 150.0, 0.20, 3),
        (800.0, 200.0, 0.10, 1),
        (5000.0, 600.0, 0.10, 1),
    ],
)
def test_onset_and_gain_on_sample_races(distance, to_go, gain, seed):
    race = sample_race(distance, kick_distance_to_go_m=to_go, kick_gain=gain, seed=seed)
    t, d, v = _device(race)
    k = detect_kick(t, d, v)
    assert k.detected, k.reason
    assert abs(k.onset_distance_to_go_m - to_go) < 15.0
    assert abs(k.gain_pct - true_gain_pct(race)) < 2.0
    # the fields agree with one another
    D, T = d[-1], t[-1]
    assert k.onset_distance_to_go_m == pytest.approx(D - k.onset_distance_m, abs=1e-9)
    assert k.onset_time_to_go_s == pytest.approx(T - k.onset_time_s, abs=1e-9)
    assert k.duration_s == pytest.approx(k.onset_time_to_go_s, abs=1e-9)
    assert k.gain_pct == pytest.approx(100 * (k.kick_speed_mps / k.pre_kick_speed_mps - 1))
    assert k.pre_kick_speed_mps == pytest.approx(race.metadata["truth"]["pace_mps"], rel=0.03)
    assert 0 < k.ramp_s <= 60.0
    assert 0 < k.onset_resolution_m < 100.0
    assert f"{k.onset_distance_to_go_m:.0f} m to go" in k.reason


@pytest.mark.parametrize("distance", [1500.0, 5000.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_kick_on_even_races(distance, seed):
    race = sample_race(distance, kick_distance_to_go_m=0.0, seed=seed)
    k = detect_kick(*_device(race))
    assert not k.detected
    # a race that only slows in its final part has no rising fit at all ("no room" wording)
    assert "no final sustained acceleration" in k.reason or "no acceleration" in k.reason
    assert math.isnan(k.onset_distance_m) and math.isnan(k.gain_pct)


@pytest.mark.parametrize("seed", [3, 4])
def test_no_kick_when_gain_is_zero(seed):
    race = sample_race(1500.0, kick_gain=0.0, seed=seed)
    assert not detect_kick(*_device(race)).detected


def test_noiseless_step_is_found_exactly():
    # 1250 m at 5 m/s, then 250 m at 6.25 m/s (+25 %): the step lies between samples 249/250
    t, d, v = _blocks([(250, 5.0), (40, 6.25)])
    k = detect_kick(t, d, v)
    assert k.detected
    assert k.onset_time_s == 249.0 and k.onset_distance_m == 1245.0
    assert k.onset_distance_to_go_m == 255.0
    assert k.ramp_s == 1.0
    assert k.pre_kick_speed_mps == pytest.approx(5.0, abs=1e-9)
    assert k.kick_speed_mps == pytest.approx(6.25, abs=1e-9)
    assert k.gain_pct == pytest.approx(25.0, abs=1e-9)


def test_smoothed_step_onset_within_smoothing_width():
    t, d, v = _blocks([(250, 5.0), (40, 6.25)], noise=0.01, seed=4, smooth=True)
    k = detect_kick(t, d, v)
    assert k.detected
    # the 5 s smoothing starts the rise at most ~3 s (≈ 15 m) before the step at 250 m to go
    assert 250.0 <= k.onset_distance_to_go_m <= 270.0
    assert k.gain_pct == pytest.approx(25.0, abs=1.0)


def test_surge_that_fades_back_is_not_a_kick():
    # 4.5 m/s with 40 s at 5.0 m/s from ~720 m, then back to 4.5 m/s to the line
    t, d, v = _blocks([(160, 4.5), (40, 5.0), (140, 4.5)], noise=0.01, smooth=True)
    k = detect_kick(t, d, v)
    assert not k.detected
    assert "best candidate" in k.reason


def test_kick_outside_search_window_is_not_searched():
    # an acceleration at 95 % to go of a 1500 m is a change of race pace, never a kick onset
    t, d, v = _blocks([(60, 4.0), (270, 5.0)], noise=0.005, smooth=True)
    k = detect_kick(t, d, v)
    assert not k.detected


def test_constant_speed_has_no_room_for_a_rise():
    t, d, v = _blocks([(300, 5.0)])
    k = detect_kick(t, d, v)
    assert not k.detected and k.reason


def test_too_short_race():
    t, d, v = _blocks([(29, 5.0)])  # 145 m in 29 s
    k = detect_kick(t, d, v)
    assert not k.detected
    assert "race too short" in k.reason and "145 m" in k.reason
    k = detect_kick(np.arange(5.0), np.arange(5.0) * 5, np.full(5, 5.0))
    assert not k.detected and "too few speed samples" in k.reason


def test_nan_samples_are_ignored():
    t, d, v = _blocks([(250, 5.0), (40, 6.25)])
    v = v.copy()
    v[[10, 100, 200]] = np.nan
    k = detect_kick(t, d, v)
    assert k.detected and k.onset_distance_to_go_m == 255.0


def test_thresholds_gate_the_gain():
    """A clean 1.5 % rise is below MIN_KICK_GAIN however significant; 2.5 % is a kick."""
    assert rules.MIN_KICK_GAIN == 0.02
    t, d, v = _blocks([(250, 5.0), (40, 5.075)], noise=0.002, seed=1)
    assert not detect_kick(t, d, v).detected
    t, d, v = _blocks([(250, 5.0), (40, 5.125)], noise=0.002, seed=1)
    k = detect_kick(t, d, v)
    assert k.detected and k.gain_pct == pytest.approx(2.5, abs=0.2)


def test_drive_then_sprint_is_a_kick():
    # 4.5 m/s, a drive at 4.9 m/s from ~784 m to go, a sprint at 5.6 m/s from ~196 m to go
    t, d, v = _blocks([(160, 4.5), (120, 4.9), (36, 5.6)])
    k = detect_kick(t, d, v)
    assert k.detected, k.reason
    sprint_to_go = d[-1] - d[280]
    assert abs(k.onset_distance_to_go_m - sprint_to_go) < 15.0
    assert k.pre_kick_speed_mps == pytest.approx(4.9, rel=0.02)


def test_sprint_after_covering_a_surge_is_the_kick():
    """A kicker covers a surge from 600 m to go and a drive from 400 m, then sprints from 200 m
    and ties up (a simulated tactical 1500 m): one loose ramp over the last 700 m fits better
    than any single step, but the kick is the sprint from 200 m."""
    from kicklab.race.course import Course
    from kicklab.race.runner import Runner, long_surge, sit_and_kick
    from kicklab.race.simulate import simulate
    from kicklab.race.synthetic import activity_from_race

    lead = 5.55
    field = [
        Runner("kicker", 5.45, 160.0, 8.9, tactic=sit_and_kick(200, lead_mps=lead)),
        Runner("surger", 5.62, 180.0, 7.5, tactic=long_surge(600, 6.4, lead_mps=lead)),
        Runner("driver", 5.55, 170.0, 7.8, tactic=sit_and_kick(400, lead_mps=lead)),
    ]
    course = Course(1500.0)
    result = simulate(field, course, trials=1, seed=0, traces=True)
    race = activity_from_race(result, course, "kicker", gps_noise_m=0.0)
    k = detect_kick(*_device(race))
    assert k.detected, k.reason
    assert k.onset_distance_to_go_m == pytest.approx(200.0, abs=25.0)
    assert k.pre_kick_speed_mps > 6.0  # the pace it rose from is the covered surge, not 5.55
