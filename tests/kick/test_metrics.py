"""Finish metrics: final 100/200/400 m times, kick speeds, heart rate, decomposition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.kick.detect import detect_kick
from kicklab.kick.metrics import final_time_s, kick_metrics
from kicklab.kick.result import Kick
from kicklab.samples import sample_race
from kicklab.signal import clean


def test_final_time_constant_speed():
    t = np.arange(0.0, 81.0)  # 400 m at 5 m/s: 80 s
    d = 5.0 * t
    assert final_time_s(t, d, 400.0) == pytest.approx(80.0, abs=1e-12)
    assert final_time_s(t, d, 200.0) == pytest.approx(40.0, abs=1e-12)
    assert final_time_s(t, d, 100.0) == pytest.approx(20.0, abs=1e-12)
    assert final_time_s(t, d, 33.0) == pytest.approx(6.6, abs=1e-12)  # interpolated
    assert math.isnan(final_time_s(t, d, 400.5))  # race shorter than the stretch
    assert math.isnan(final_time_s([0.0], [0.0], 100.0))


def test_final_time_uses_the_finish_and_interpolates():
    # 300 m at 4 m/s (75 s) then 100 m at 5 m/s (20 s)
    t = np.arange(0.0, 96.0)
    d = np.where(t <= 75, 4.0 * t, 300.0 + 5.0 * (t - 75))
    assert final_time_s(t, d, 100.0) == pytest.approx(20.0, abs=1e-12)
    assert final_time_s(t, d, 200.0) == pytest.approx(45.0, abs=1e-12)


def test_final_time_tolerates_nan_and_backward_distance():
    t = np.arange(0.0, 81.0)
    d = 5.0 * t
    d[10] = np.nan
    d[50] = d[49] - 3  # a GPS step back is ignored (distance is made non-decreasing)
    assert final_time_s(t, d, 100.0) == pytest.approx(20.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(2.0, 9.0), st.floats(100.0, 2000.0), st.floats(0.05, 1.0))
def test_final_time_property_constant_speed(speed, distance, frac):
    t = np.linspace(0.0, distance / speed, 200)
    d = speed * t
    last = frac * distance
    assert final_time_s(t, d, last) == pytest.approx(last / speed, rel=1e-9)


def _kick(**kw) -> Kick:
    base = dict(detected=True, onset_time_s=250.0, onset_distance_m=1250.0, ramp_s=4.0)
    base.update(kw)
    return Kick(**base)


def test_kick_metrics_mean_and_peak_after_onset():
    # 1250 m at 5 m/s (250 s), then 6.25 m/s to 1500 m (40 s)
    t = np.arange(0.0, 291.0)
    d = np.where(t <= 250, 5.0 * t, 1250.0 + 6.25 * (t - 250))
    v = np.where(t < 250, 5.0, 6.25)
    v[270] = 6.6  # a peak
    hr = np.linspace(150.0, 190.0, t.size)
    out = kick_metrics(_kick(), t, d, v, heart_rate_bpm=hr)
    assert out.detected
    assert out.mean_speed_mps == pytest.approx((1500 - 1250) / (290 - 250), rel=1e-12)
    assert out.peak_speed_mps == 6.6
    assert out.final_100_s == pytest.approx(16.0, abs=1e-12)
    assert out.final_200_s == pytest.approx(32.0, abs=1e-12)
    assert out.final_400_s == pytest.approx(40.0 + 150 / 5.0, abs=1e-12)
    assert out.hr_end_bpm == 190.0
    assert out.hr_onset_bpm == pytest.approx(hr[250], rel=1e-12)
    # no cadence: no decomposition
    assert math.isnan(out.cadence_share_pct) and math.isnan(out.pre_cadence_spm)


def test_kick_metrics_leaves_the_input_unchanged():
    k = _kick()
    t = np.arange(0.0, 291.0)
    kick_metrics(k, t, 5.0 * t, np.full(t.size, 5.0))
    assert math.isnan(k.final_400_s) and math.isnan(k.mean_speed_mps)


def test_kick_metrics_without_kick_fills_only_the_finish():
    t = np.arange(0.0, 81.0)
    out = kick_metrics(
        Kick(detected=False, reason="none"),
        t,
        5.0 * t,
        np.full(t.size, 5.0),
        heart_rate_bpm=np.r_[np.full(80, 170.0), np.nan],
        cadence_spm=np.full(t.size, 180.0),
    )
    assert out.final_400_s == pytest.approx(80.0)
    assert out.hr_end_bpm == 170.0  # last valid value
    assert math.isnan(out.mean_speed_mps) and math.isnan(out.peak_speed_mps)
    assert math.isnan(out.cadence_share_pct) and math.isnan(out.hr_onset_bpm)
    assert out.reason == "none"


def test_kick_metrics_decomposition_uses_pre_and_kick_stretches():
    t = np.arange(0.0, 291.0)
    d = np.where(t <= 250, 5.0 * t, 1250.0 + 6.25 * (t - 250))
    v = np.where(t < 250, 5.0, 6.25)
    cad = np.where(t < 250, 180.0, 180.0 * 1.25**0.3)  # cadence carries 30 % in log terms
    kick = _kick(onset_time_s=249.0, onset_distance_m=1245.0, ramp_s=1.0)
    out = kick_metrics(kick, t, d, v, cadence_spm=cad)
    # pre: the 400 m up to the onset (5 m/s); during: from the end of the ramp (6.25 m/s)
    assert out.cadence_share_pct == pytest.approx(30.0, abs=1e-9)
    assert out.step_length_share_pct == pytest.approx(70.0, abs=1e-9)
    assert out.cadence_gain_pct == pytest.approx(100 * (1.25**0.3 - 1), rel=1e-9)
    assert out.kick_step_length_m == pytest.approx(60 * 6.25 / (180 * 1.25**0.3), rel=1e-12)
    assert out.pre_cadence_spm == pytest.approx(180.0, rel=1e-12)
    assert out.pre_step_length_m == pytest.approx(60 * 5.0 / 180.0, rel=1e-12)


def test_kick_metrics_on_sample_race_cadence_share():
    race = sample_race(1500.0, cadence_share=0.6, seed=2)
    rec = clean(race).records
    t, d = rec["time_s"].to_numpy(), rec["distance_m"].to_numpy()
    k = detect_kick(t, d, rec["speed_mps"].to_numpy())
    out = kick_metrics(
        k, t, d, rec["speed_mps"].to_numpy(), cadence_spm=rec["cadence_spm"].to_numpy()
    )
    assert out.cadence_share_pct == pytest.approx(60.0, abs=5.0)
    assert out.cadence_share_pct + out.step_length_share_pct == pytest.approx(100.0, abs=1e-9)
    assert out.kick_cadence_spm > out.pre_cadence_spm
    assert out.mean_speed_mps == pytest.approx(
        (d[-1] - out.onset_distance_m) / (t[-1] - out.onset_time_s), rel=1e-12
    )
    assert out.peak_speed_mps >= out.mean_speed_mps
