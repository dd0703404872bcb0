"""Tests of kicklab.signal on synthetic tracks with known truth, on real files, and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kicklab.activity import PAUSE_COLUMNS, Activity
from kicklab.errors import EmptyActivity, InvalidValue, KicklabError
from kicklab.geo import EARTH_RADIUS_M
from kicklab.signal import (
    MAX_GRADE,
    clean,
    detect_pauses,
    distance_from_positions,
    grade_from_altitude,
    merge_pauses,
    position_noise_m,
    remove_spikes,
    resample_1hz,
    smooth_positions,
    smooth_speed,
    speed_from_distance,
)
from tests.conftest import shared_file

LAT0, LON0 = 48.0, 11.0
KERB_R = 36.5 + 0.30  # lane 1 is measured 0.30 m outside the 36.5 m kerb (SCIENCE.md §4)
STRAIGHT = (400.0 - 2 * np.pi * KERB_R) / 2


# ----------------------------------------------------------------------------- helpers
def track_xy(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local x, y (m) of a point ``s`` metres along lane 1 of a 400 m track."""
    s = np.mod(s, 400.0)
    x = np.empty_like(s)
    y = np.empty_like(s)
    b1 = STRAIGHT + np.pi * KERB_R
    b2 = 2 * STRAIGHT + np.pi * KERB_R
    a = s < STRAIGHT
    x[a], y[a] = s[a], -KERB_R
    b = (s >= STRAIGHT) & (s < b1)
    th = (s[b] - STRAIGHT) / KERB_R - np.pi / 2
    x[b], y[b] = STRAIGHT + KERB_R * np.cos(th), KERB_R * np.sin(th)
    c = (s >= b1) & (s < b2)
    x[c], y[c] = STRAIGHT - (s[c] - b1), KERB_R
    d = s >= b2
    th = (s[d] - b2) / KERB_R + np.pi / 2
    x[d], y[d] = KERB_R * np.cos(th), KERB_R * np.sin(th)
    return x, y


def to_deg(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m_per_deg = EARTH_RADIUS_M * np.pi / 180.0
    return LAT0 + y / m_per_deg, LON0 + x / (m_per_deg * np.cos(np.radians(LAT0)))


def noisy_track(speed: float, duration: int, sigma_m: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(duration + 1.0)
    x, y = track_xy(speed * t)
    lat, lon = to_deg(x + rng.normal(0, sigma_m, t.size), y + rng.normal(0, sigma_m, t.size))
    return pd.DataFrame({"time_s": t, "lat_deg": lat, "lon_deg": lon})


def crossing_time(t: np.ndarray, v: np.ndarray, level: float, after: float) -> float:
    """First time after ``after`` where v crosses ``level`` upwards (linear interpolation)."""
    k = np.flatnonzero((t[:-1] >= after) & (v[:-1] < level) & (v[1:] >= level))[0]
    return float(t[k] + (level - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k]))


# ----------------------------------------------------------------------------- clean() on a track
@pytest.mark.parametrize("speed", [4.0, 5.0])
def test_clean_track_with_gps_noise_recovers_speed_and_distance(speed):
    duration = 1200
    act = Activity(noisy_track(speed, duration, sigma_m=3.0, seed=int(speed)))
    raw = distance_from_positions(act.records["lat_deg"], act.records["lon_deg"])
    assert raw[-1] > 1.2 * speed * duration  # raw 3 m noise overstates distance a lot
    out = clean(act)
    rec = out.records
    truth = speed * duration
    assert out.distance_m == pytest.approx(truth, rel=0.02)
    assert np.nanmean(rec["speed_mps"]) == pytest.approx(speed, rel=0.01)
    assert np.array_equal(rec["time_s"], np.arange(duration + 1.0))
    assert (np.diff(rec["distance_m"]) >= 0).all()
    assert out.metadata["cleaned"]["speed_source"] == "positions"
    assert len(out.pauses) == 0


def test_clean_sums_device_filtered_positions_as_recorded():
    act = Activity(noisy_track(4.0, 1200, sigma_m=0.0, seed=0))  # like a watch's own track
    out = clean(act)
    meta = out.metadata["cleaned"]
    assert meta["position_noise_m"] < 0.1
    assert meta["position_window_used_s"] == 0.0
    # 4 m chords on the 36.8 m bends fall short of the arcs by only ~0.05 %
    assert out.distance_m == pytest.approx(4.0 * 1200, rel=0.002)


def test_position_noise_estimate():
    df = noisy_track(4.0, 1200, sigma_m=3.0, seed=1)
    est = position_noise_m(df["time_s"], df["lat_deg"], df["lon_deg"])
    assert 2.2 < est < 3.0  # ~0.85 σ: the fit absorbs part of the noise


def test_clean_recomputes_a_gpx_readers_raw_distance_when_positions_are_noisy():
    df = noisy_track(4.0, 1200, sigma_m=3.0, seed=2)
    df["distance_m"] = distance_from_positions(
        df["lat_deg"], df["lon_deg"]
    )  # what a GPX reader does
    gpx = Activity(df, metadata={"format": "gpx"})
    out = clean(gpx)
    assert out.metadata["cleaned"]["distance_from_positions"]
    assert out.distance_m == pytest.approx(4.0 * 1200, rel=0.02)
    kept = clean(gpx, distance_source="recorded")
    assert kept.distance_m == pytest.approx(df["distance_m"].iloc[-1])
    fit = clean(Activity(df, metadata={"format": "fit"}))  # a device's distance is trusted
    assert fit.distance_m == pytest.approx(df["distance_m"].iloc[-1])


def test_clean_recomputes_a_gpx_distance_that_summed_a_spike():
    df = noisy_track(4.0, 600, sigma_m=0.0, seed=0)
    x, y = track_xy(np.array([4.0 * 300]))
    lat, lon = to_deg(x, y + 200.0)
    df.loc[300, ["lat_deg", "lon_deg"]] = lat[0], lon[0]
    df["distance_m"] = distance_from_positions(df["lat_deg"], df["lon_deg"])
    assert df["distance_m"].iloc[-1] > 4.0 * 600 + 350  # the reader summed the jump
    out = clean(Activity(df, metadata={"format": "gpx"}))
    assert out.metadata["cleaned"]["position_window_used_s"] == 0.0  # clean fixes: no smoothing
    assert out.distance_m == pytest.approx(4.0 * 600, rel=0.002)


def test_clean_keeps_raw_speed_and_records_parameters():
    t = np.arange(0.0, 600.0)
    rng = np.random.default_rng(1)
    v = 4.0 + rng.normal(0, 0.2, t.size)
    act = Activity(pd.DataFrame({"time_s": t, "speed_mps": v, "distance_m": np.cumsum(v)}))
    out = clean(act, speed_window_s=7.0)
    rec = out.records
    assert "speed_raw_mps" in rec.columns
    np.testing.assert_allclose(rec["speed_raw_mps"], v)
    assert rec["speed_mps"].std() < 0.5 * rec["speed_raw_mps"].std()
    meta = out.metadata["cleaned"]
    assert meta["speed_window_s"] == 7.0
    assert meta["resample"] is True
    assert meta["speed_source"] == "device"
    assert act.records["speed_mps"].equals(pd.Series(v, name="speed_mps"))  # input untouched


# ----------------------------------------------------------------------------- smoothing
def test_step_50_percent_crossing_does_not_move():
    t = np.arange(0.0, 600.0)
    rng = np.random.default_rng(2)
    v = np.where(t < 300, 4.0, 6.0)
    exact = smooth_speed(t, v)
    assert crossing_time(t, exact, 5.0, 250) == pytest.approx(299.5, abs=0.5)
    noisy = smooth_speed(t, v + rng.normal(0, 0.15, t.size))
    assert abs(crossing_time(t, noisy, 5.0, 250) - 300.0) <= 1.0


def test_step_through_clean_stays_at_300_s():
    t = np.arange(0.0, 600.0)
    rng = np.random.default_rng(3)
    v = np.where(t < 300, 4.0, 6.0) + rng.normal(0, 0.15, t.size)
    act = Activity(pd.DataFrame({"time_s": t, "speed_mps": v}))
    rec = clean(act).records
    tc = crossing_time(rec["time_s"].to_numpy(), rec["speed_mps"].to_numpy(), 5.0, 250)
    assert abs(tc - 300.0) <= 1.0


def test_symmetric_bump_peak_stays():
    t = np.arange(0.0, 800.0)
    v = 4.0 + 2.0 * np.exp(-0.5 * ((t - 400.0) / 6.0) ** 2)
    s = smooth_speed(t, v, window_s=8.0)
    assert t[np.argmax(s)] == 400.0
    assert s.max() < v.max()  # it did smooth
    np.testing.assert_allclose(s[400 - 50 : 400], s[400 + 50 : 400 : -1], rtol=1e-12)


def test_smooth_speed_irregular_times_and_nan_holes():
    rng = np.random.default_rng(4)
    t = np.cumsum(rng.uniform(0.5, 3.0, 400))
    v = 3.0 + 0.01 * t  # a linear trend passes through a symmetric kernel unchanged
    v[[50, 51, 200]] = np.nan
    s = smooth_speed(t, v)
    assert np.isnan(s[[50, 51, 200]]).all()
    inner = (t > t[0] + 10) & (t < t[-1] - 10) & np.isfinite(v)
    # uneven spacing makes the local mean slightly off-centre, but only by a few cm/s
    np.testing.assert_allclose(s[inner], v[inner], atol=0.03)


def test_smooth_speed_matches_normalised_numpy_convolution_on_a_grid():
    rng = np.random.default_rng(5)
    t = np.arange(300.0)
    v = 4 + rng.normal(0, 0.5, t.size)
    v[rng.random(t.size) < 0.1] = np.nan
    sigma = 5.0 / np.sqrt(12.0)
    k = int(3 * sigma)
    kern = np.exp(-0.5 * (np.arange(-k, k + 1) / sigma) ** 2)
    ok = np.isfinite(v)
    num = np.convolve(np.where(ok, v, 0.0), kern, mode="same")
    den = np.convolve(ok.astype(float), kern, mode="same")
    ref = np.where(ok, num / den, np.nan)
    np.testing.assert_allclose(smooth_speed(t, v, window_s=5.0), ref, rtol=1e-10)


def test_smooth_positions_keeps_a_straight_line_and_nan():
    t = np.arange(100.0)
    lat, lon = to_deg(4.0 * t, 0.5 * t)
    lat[10] = np.nan
    la, lo = smooth_positions(t, lat, lon)
    ok = np.isfinite(lat)
    np.testing.assert_allclose(la[ok], lat[ok], atol=1e-9)
    np.testing.assert_allclose(lo[ok], lon[ok], atol=1e-9)
    assert np.isnan(la[10]) and np.isnan(lo[10])


# ----------------------------------------------------------------------------- spikes
def test_position_spike_of_200_m_is_removed():
    df = noisy_track(4.0, 900, sigma_m=2.0, seed=6)
    x, y = track_xy(4.0 * df["time_s"].to_numpy())
    bad = [150, 500, 501]  # one single-sample jump and one two-sample jump
    lat, lon = to_deg(x, y + np.isin(np.arange(x.size), bad) * 200.0)
    df.loc[bad, "lat_deg"], df.loc[bad, "lon_deg"] = lat[bad], lon[bad]
    mask = remove_spikes(df["time_s"], lat_deg=df["lat_deg"], lon_deg=df["lon_deg"])
    assert set(np.flatnonzero(mask)) == set(bad)
    out = clean(Activity(df))
    assert out.distance_m == pytest.approx(4.0 * 900, rel=0.02)  # the 3 × 400 m is gone
    assert out.metadata["cleaned"]["spikes_removed"] == 3
    assert np.nanmax(out.records["speed_mps"]) < 5.0


def test_speed_spikes_flagged_but_a_kick_ramp_is_not():
    rng = np.random.default_rng(7)
    t = np.arange(0.0, 400.0)
    v = np.interp(t, [0, 300, 306, 400], [4.5, 4.5, 7.0, 7.0]) + rng.normal(0, 0.08, t.size)
    clean_mask = remove_spikes(t, speed_mps=v)
    assert not clean_mask.any()
    spiky = v.copy()
    spiky[100] = 11.0  # one-sample jump: > 6 m/s² up and down
    spiky[200:202] += 1.5  # a two-sample bump: Hampel outlier
    spiky[250] = 14.0  # above the running speed limit
    mask = remove_spikes(t, speed_mps=spiky)
    assert set(np.flatnonzero(mask)) == {100, 200, 201, 250}


def test_distance_glitch_flagged_and_lasting_shift_kept():
    t = np.arange(0.0, 100.0)
    d = 4.0 * t
    d[40] += 300.0  # out and back
    d[70:] += 150.0  # a lasting jump (e.g. GPS re-acquired elsewhere): not a spike
    assert np.flatnonzero(remove_spikes(t, distance_m=d)).tolist() == [40]


def test_remove_spikes_validates_input():
    t = np.arange(10.0)
    with pytest.raises(InvalidValue):
        remove_spikes(t, lat_deg=np.zeros(10))
    with pytest.raises(InvalidValue):
        remove_spikes(t, speed_mps=np.zeros(9))
    with pytest.raises(InvalidValue):
        remove_spikes(t, speed_mps=np.zeros(10), window_samples=4)
    with pytest.raises(InvalidValue):
        remove_spikes(t[::-1], speed_mps=np.zeros(10))


# ----------------------------------------------------------------------------- resampling
def test_irregular_smart_recording_resampled_exactly_for_linear_signals():
    rng = np.random.default_rng(8)
    t = np.r_[0.0, np.cumsum(rng.integers(1, 9, 300)).astype(float)]  # 1-8 s spacing
    t = t + np.r_[0.0, rng.uniform(-0.3, 0.3, t.size - 1)]  # and not on whole seconds
    df = pd.DataFrame(
        {
            "time_s": t,
            "distance_m": 3.5 * t,
            "heart_rate_bpm": 140.0 + 0.02 * t,
            "zone": [f"z{int(x) // 300}" for x in t],
        }
    )
    out = resample_1hz(df)
    grid = np.arange(0.0, np.floor(t[-1]) + 1)
    np.testing.assert_array_equal(out["time_s"], grid)
    np.testing.assert_allclose(out["distance_m"], 3.5 * grid, rtol=1e-12)
    np.testing.assert_allclose(out["heart_rate_bpm"], 140.0 + 0.02 * grid, rtol=1e-12)
    prev = np.searchsorted(t, grid, side="right") - 1
    assert out["zone"].tolist() == [df["zone"][i] for i in prev]
    assert list(out.columns) == list(df.columns)


def test_resample_leaves_long_gaps_nan_but_interpolates_distance_and_timestamps():
    t = np.r_[np.arange(0.0, 100.0), np.arange(160.0, 200.0)]
    start = pd.Timestamp("2024-05-01 08:00:00", tz="UTC")
    df = pd.DataFrame(
        {
            "time_s": t,
            "distance_m": 4.0 * t,
            "heart_rate_bpm": 150.0,
            "timestamp": start + pd.to_timedelta(t, unit="s"),
        }
    )
    out = resample_1hz(df, max_gap_s=10.0)
    hr = out["heart_rate_bpm"].to_numpy()
    inside = (out["time_s"] > 99) & (out["time_s"] < 160)
    assert np.isnan(hr[inside]).all()
    assert np.isfinite(hr[~inside]).all()
    np.testing.assert_allclose(out["distance_m"], 4.0 * out["time_s"])
    expected = start + pd.to_timedelta(out["time_s"], unit="s")
    assert (out["timestamp"] == expected).all()
    assert str(out["timestamp"].dt.tz) == "UTC"


def test_resample_sub_second_input_is_averaged_without_time_shift():
    rng = np.random.default_rng(9)
    t = np.arange(0.0, 120.0, 0.1)
    df = pd.DataFrame(
        {"time_s": t, "speed_mps": 0.05 * t, "power_w": 300 + rng.normal(0, 20, t.size)}
    )
    out = resample_1hz(df)
    np.testing.assert_array_equal(out["time_s"], np.arange(0.0, 120.0))
    np.testing.assert_allclose(out["speed_mps"], 0.05 * out["time_s"], atol=1e-9)
    assert out["power_w"].iloc[1:-1].std() < 10.0  # ~20/sqrt(10): averaged, not picked


def test_resample_sorts_and_drops_duplicate_times():
    df = pd.DataFrame({"time_s": [2.0, 0.0, 1.0, 1.0, 3.0], "speed_mps": [3, 1, 2, 99, 4]})
    out = resample_1hz(df)
    assert out["speed_mps"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_resample_errors():
    with pytest.raises(EmptyActivity):
        resample_1hz(pd.DataFrame({"speed_mps": [1.0]}))
    with pytest.raises(EmptyActivity):
        resample_1hz(pd.DataFrame({"time_s": [np.nan]}))
    with pytest.raises(InvalidValue):
        resample_1hz(pd.DataFrame({"time_s": [0.0, 1.0]}), max_gap_s=0)
    with pytest.raises(InvalidValue, match="days"):
        resample_1hz(pd.DataFrame({"time_s": [0.0, 40 * 86400.0]}))


# ----------------------------------------------------------------------------- distance, speed
def test_speed_from_distance_central_differences_nan_robust():
    t = np.array([0.0, 1.0, 2.0, 4.0, 7.0, 8.0, 9.0])
    d = 3.0 * t
    d[4] = np.nan
    v = speed_from_distance(t, d)
    assert np.isnan(v[4])
    np.testing.assert_allclose(v[np.isfinite(d)], 3.0)
    d2 = np.array([0.0, 5.0, 10.0, 2.0, 3.0])  # a reset: distance goes backwards
    v2 = speed_from_distance(np.arange(5.0), d2)
    assert np.isnan(v2[[2, 3]]).all() and np.isfinite(v2[[0, 1, 4]]).all()


def test_distance_from_positions_nan_where_no_fix():
    lat, lon = to_deg(np.array([0.0, 3.0, 6.0, 9.0]), np.zeros(4))
    lat[1] = np.nan
    d = distance_from_positions(lat, lon)
    assert np.isnan(d[1])
    np.testing.assert_allclose(d[[0, 2, 3]], [0.0, 6.0, 9.0], atol=1e-3)


# ----------------------------------------------------------------------------- grade
def hill(noise_m: float, seed: int):
    rng = np.random.default_rng(seed)
    d = np.arange(0.0, 3000.0, 4.0)  # a sample every 4 m (4 m/s at 1 Hz)
    alt = 100 + 0.05 * np.clip(d - 1000.0, 0.0, 1000.0)
    alt = np.round((alt + rng.normal(0, noise_m, d.size)) / 0.2) * 0.2  # FIT's 0.2 m steps
    return d, alt


def test_grade_on_a_5_percent_hill():
    d, alt = hill(0.0, 10)
    g = grade_from_altitude(d, alt)
    middle = (d > 1100) & (d < 1900)
    np.testing.assert_allclose(g[middle], 0.05, atol=0.005)
    flat = (d > 100) & (d < 900)
    np.testing.assert_allclose(g[flat], 0.0, atol=0.005)
    d, alt = hill(0.3, 11)
    g = grade_from_altitude(d, alt)
    assert np.mean(g[middle]) == pytest.approx(0.05, abs=0.005)
    assert np.percentile(np.abs(g[middle] - 0.05), 90) < 0.02


def test_grade_nan_where_distance_does_not_advance_and_clipped():
    d = np.r_[np.arange(0.0, 400.0, 4.0), np.full(20, 396.0), np.arange(400.0, 800.0, 4.0)]
    alt = 0.9 * d  # 90 %: beyond Minetti's range
    g = grade_from_altitude(d, alt)
    assert np.isnan(g[101:119]).all()
    assert np.nanmax(g) == MAX_GRADE
    assert np.nanmin(g) == MAX_GRADE


def test_clean_computes_grade_from_altitude():
    t = np.arange(0.0, 900.0)
    d = 4.0 * t
    act = Activity(
        pd.DataFrame({"time_s": t, "distance_m": d, "speed_mps": 4.0, "altitude_m": 10 + 0.05 * d})
    )
    g = clean(act).records["grade"].to_numpy()
    np.testing.assert_allclose(g[10:-10], 0.05, atol=1e-9)


# ----------------------------------------------------------------------------- pauses
def pause_case() -> tuple[np.ndarray, np.ndarray]:
    """1 Hz run with a 120 s recording gap (300 → 420) and a 30 s standstill (600 → 630)."""
    rng = np.random.default_rng(12)
    t = np.r_[np.arange(0.0, 301.0), np.arange(420.0, 1000.0)]
    v = 4.0 + rng.normal(0, 0.1, t.size)
    stand = (t >= 600) & (t < 630)
    v[stand] = np.abs(rng.normal(0, 0.1, stand.sum()))
    return t, v


def test_detect_gap_and_standstill_bounds():
    t, v = pause_case()
    p = detect_pauses(t, v)
    assert list(p.columns) == list(PAUSE_COLUMNS)
    assert p["kind"].tolist() == ["gap", "stopped"]
    gap, stop = p.iloc[0], p.iloc[1]
    assert gap["start_time_s"] == pytest.approx(300, abs=1)
    assert gap["end_time_s"] == pytest.approx(420, abs=1)
    assert stop["start_time_s"] == pytest.approx(600, abs=1)
    assert stop["end_time_s"] == pytest.approx(630, abs=1)
    np.testing.assert_allclose(p["duration_s"], p["end_time_s"] - p["start_time_s"])


def test_detect_pauses_from_distance_and_relative_gap_threshold():
    t = np.arange(0.0, 600.0, 4.0)  # sparse file: one sample every 4 s
    d = 3.0 * t
    d[(t >= 200) & (t < 260)] = 3.0 * 200  # standing still for 60 s
    p = detect_pauses(t, distance_m=d)
    assert p["kind"].tolist() == ["stopped"]  # 4 s spacing is no gap
    t2 = np.r_[t, 700.0]  # 100 s hole, > 5 × 4 s
    assert detect_pauses(t2)["kind"].tolist() == ["gap"]
    assert len(detect_pauses(t2, gap_s=10.0, gap_factor=30.0)) == 0  # 100 < 30 × 4 s


def test_short_stop_and_noise_do_not_make_pauses():
    t = np.arange(0.0, 200.0)
    v = np.full(t.size, 4.0)
    v[50:55] = 0.0  # 5 s: shorter than min_duration_s
    v[120] = 0.1  # one noisy sample
    assert len(detect_pauses(t, v)) == 0


def test_merge_pauses_union_without_duplicates():
    existing = pd.DataFrame(
        {"start_time_s": [300.0], "end_time_s": [420.0], "duration_s": [120.0], "kind": ["timer"]}
    )
    t, v = pause_case()
    merged = merge_pauses(existing, detect_pauses(t, v))
    assert merged["kind"].tolist() == ["timer", "stopped"]
    assert merged["start_time_s"].tolist() == [300.0, 600.0]
    overlap = pd.DataFrame(
        {
            "start_time_s": [10.0, 15.0, 30.0],
            "end_time_s": [20.0, 25.0, 40.0],
            "kind": ["stopped", "gap", "stopped"],
        }
    )
    m = merge_pauses(overlap)
    assert m[["start_time_s", "end_time_s"]].to_numpy().tolist() == [[10.0, 25.0], [30.0, 40.0]]
    assert m["kind"].tolist() == ["gap", "stopped"]
    touching = pd.DataFrame({"start_time_s": [0.0, 5.0], "end_time_s": [5.0, 9.0]})
    assert len(merge_pauses(touching)) == 2
    assert len(merge_pauses(None, pd.DataFrame())) == 0


def test_clean_merges_detected_pauses_with_existing_ones():
    t, v = pause_case()
    existing = pd.DataFrame(
        {"start_time_s": [300.0], "end_time_s": [420.0], "duration_s": [120.0], "kind": ["timer"]}
    )
    act = Activity(pd.DataFrame({"time_s": t, "speed_mps": v}), pauses=existing)
    out = clean(act)
    p = out.pauses
    assert p["kind"].tolist() == ["timer", "stopped"]
    assert p["start_time_s"].iloc[1] == pytest.approx(600, abs=1)
    assert p["end_time_s"].iloc[1] == pytest.approx(630, abs=1)
    rec = out.records
    gap = (rec["time_s"] > 300) & (rec["time_s"] < 420)
    assert rec.loc[gap, "speed_mps"].isna().all()
    assert out.moving_time_s == pytest.approx(999 - 120 - 30, abs=2)


# ----------------------------------------------------------------------------- clean(): options
def test_clean_without_resampling_keeps_sample_times():
    rng = np.random.default_rng(13)
    t = np.r_[0.0, np.cumsum(rng.integers(1, 5, 200)).astype(float)]
    v = 4.0 + rng.normal(0, 0.1, t.size)
    v[80] = 11.0
    act = Activity(pd.DataFrame({"time_s": t, "speed_mps": v}))
    out = clean(act, resample=False)
    np.testing.assert_array_equal(out.records["time_s"], t)
    assert out.records["speed_raw_mps"].iloc[80] == pytest.approx(4.0, abs=0.5)


def test_clean_rejects_bad_parameters_with_source():
    act = Activity(pd.DataFrame({"time_s": [0.0, 1.0]}), metadata={"source": "run.fit"})
    with pytest.raises(InvalidValue, match="run.fit"):
        clean(act, speed_window_s=-1)
    with pytest.raises(InvalidValue):
        clean("not an activity")  # type: ignore[arg-type]


def test_clean_cycling_uses_a_higher_speed_limit():
    t = np.arange(0.0, 300.0)
    v = np.full(t.size, 15.0)  # 54 km/h: fine on a bike, impossible on foot
    run = clean(
        Activity(pd.DataFrame({"time_s": t, "speed_mps": v}), metadata={"sport": "running"})
    )
    bike = clean(
        Activity(pd.DataFrame({"time_s": t, "speed_mps": v}), metadata={"sport": "cycling"})
    )
    assert run.records["speed_mps"].isna().all()
    np.testing.assert_allclose(bike.records["speed_mps"], 15.0)


# ----------------------------------------------------------------------------- real files
REAL_FILES = [
    "runalyze__Fenix-2-pauses.fit",
    "fitdecode__activity-small-fenix2-run.fit",
    "gc__Move_2020_01_15_19_27_16_Running.fit",
    "runalyze__FR70-intervals.fit",
    "runalyze__strava-export.gpx",
    "gpxpy__cerknicko-jezero.gpx",
    "tcxparser__test.tcx",
]


@pytest.mark.parametrize("name", REAL_FILES)
def test_clean_real_files(name):
    from kicklab.io import read

    try:
        act = read(shared_file(name))
    except KicklabError as exc:
        if "not available yet" in str(exc):
            pytest.skip(f"reader not implemented yet: {exc}")
        raise
    out = clean(act)
    rec = out.records
    t = rec["time_s"].to_numpy()
    np.testing.assert_array_equal(t, np.arange(t.size, dtype=float))
    assert t[-1] == np.floor(act.duration_s)
    v = rec["speed_mps"].dropna()
    assert len(v) >= 0.5 * out.moving_time_s  # 1 Hz: one value per second outside pauses
    assert v.between(0.0, 12.5).all()
    d = rec["distance_m"].dropna().to_numpy()
    assert (np.diff(d) >= -1e-6).all()
    # cleaning must not invent or lose much distance against the records' own figure
    own = act.records["distance_m"].dropna()
    if len(own):
        assert out.distance_m == pytest.approx(own.iloc[-1], rel=0.02)
    g = rec["grade"].dropna()
    assert g.between(-MAX_GRADE, MAX_GRADE).all()
    p = out.pauses
    assert (p["start_time_s"].to_numpy()[1:] >= p["end_time_s"].to_numpy()[:-1]).all()
    # every pause of the file is kept (possibly merged into a larger one), never dropped
    k = np.searchsorted(p["start_time_s"].to_numpy(), act.pauses["start_time_s"], "right") - 1
    assert (k >= 0).all()
    assert (p["end_time_s"].to_numpy()[k] >= act.pauses["end_time_s"].to_numpy()).all()
    assert out.moving_time_s <= act.duration_s


def test_clean_real_file_with_a_corrupt_clock_fails_clearly():
    from kicklab.io import read

    act = read(shared_file("runalyze__time-jump.fit"))
    with pytest.raises(InvalidValue, match=r"time-jump\.fit: .*days"):
        clean(act)


# ----------------------------------------------------------------------------- properties
finite_speeds = st.floats(0.0, 12.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(
    steps=hnp.arrays(np.float64, st.integers(1, 60), elements=st.floats(0.05, 15.0)),
    incr=st.data(),
)
def test_resample_output_is_consecutive_seconds_and_distance_monotonic(steps, incr):
    t = np.r_[0.0, np.cumsum(steps)]
    dd = incr.draw(hnp.arrays(np.float64, t.size, elements=st.floats(0.0, 50.0)))
    d = np.cumsum(dd)
    out = resample_1hz(pd.DataFrame({"time_s": t, "distance_m": d}))
    times = out["time_s"].to_numpy()
    assert times[0] == 0.0
    assert (np.diff(times) == 1.0).all()
    assert times[-1] == np.floor(t[-1] + 1e-6)
    dist = out["distance_m"].to_numpy()
    assert np.isfinite(dist).all()
    assert (np.diff(dist) >= -1e-9 * max(1.0, dist.max())).all()
    assert dist.min() >= d.min() - 1e-9 and dist.max() <= d.max() + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    c=finite_speeds,
    n=st.integers(1, 80),
    window=st.floats(0.5, 30.0),
)
def test_smooth_speed_preserves_a_constant_exactly(c, n, window):
    t = np.arange(float(n))
    out = smooth_speed(t, np.full(n, c), window_s=window)
    assert (out == c).all()


@settings(max_examples=100, deadline=None)
@given(
    v=hnp.arrays(
        np.float64,
        st.integers(1, 120),
        elements=st.one_of(finite_speeds, st.just(np.nan)),
    ),
    window=st.floats(0.5, 30.0),
    irregular=st.booleans(),
)
def test_smooth_speed_stays_within_input_range(v, window, irregular):
    t = np.arange(float(v.size))
    if irregular:
        t = np.cumsum(np.r_[0.0, np.linspace(0.2, 3.0, v.size - 1)])
    out = smooth_speed(t, v, window_s=window)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(v))
    if np.isfinite(v).any():
        assert np.nanmin(out) >= np.nanmin(v)
        assert np.nanmax(out) <= np.nanmax(v)


@settings(max_examples=100, deadline=None)
@given(
    steps=hnp.arrays(np.float64, st.integers(2, 150), elements=st.floats(0.0, 20.0)),
    alt_data=st.data(),
    window=st.floats(1.0, 200.0),
)
def test_grade_is_bounded(steps, alt_data, window):
    d = np.cumsum(steps)
    alt = alt_data.draw(
        hnp.arrays(np.float64, d.size, elements=st.floats(-400.0, 8000.0) | st.just(np.nan))
    )
    g = grade_from_altitude(d, alt, window_m=window)
    fin = g[np.isfinite(g)]
    assert (np.abs(fin) <= MAX_GRADE).all()
    assert np.isnan(g[np.isnan(alt)]).all()
