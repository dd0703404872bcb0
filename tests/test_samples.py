"""Tests of kicklab.samples: the synthetic track race and its known truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.io import write_fit
from kicklab.samples import (
    DEFAULT_RACE_START,
    TRACK_LANE1_RADIUS_M,
    TRACK_LAP_M,
    TRACK_STRAIGHT_M,
    latlon_to_local,
    local_to_latlon,
    sample_race,
    track_xy,
)


def offset_from_lane1(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Signed distance (m) of track-frame points from the lane-1 line (> 0 outside).

    Lane 1's running line is the set of points at distance R from the segment joining the two
    bend centres.
    """
    along = np.maximum(np.abs(x) - TRACK_STRAIGHT_M / 2, 0.0)
    return np.hypot(along, y) - TRACK_LANE1_RADIUS_M


@pytest.fixture(scope="module")
def race() -> Activity:
    return sample_race()


# ----------------------------------------------------------------------------- geometry


def test_lap_of_lane_one_is_400_m() -> None:
    assert abs(TRACK_LAP_M - 400.0) < 0.002
    assert TRACK_STRAIGHT_M == 84.39 and TRACK_LANE1_RADIUS_M == 36.80


def test_track_xy_walks_the_running_line_at_unit_speed() -> None:
    s = np.linspace(0, 2 * TRACK_LAP_M, 20001)
    x, y = track_xy(s)
    np.testing.assert_allclose(offset_from_lane1(x, y), 0.0, atol=1e-9)
    step = np.hypot(np.diff(x), np.diff(y))
    np.testing.assert_allclose(step, s[1] - s[0], rtol=1e-4)  # no jumps between segments
    # finish line at the end of the home straight; the home straight at y = -R
    fx, fy = track_xy(0.0)
    assert (float(fx), float(fy)) == pytest.approx((TRACK_STRAIGHT_M / 2, -TRACK_LANE1_RADIUS_M))
    hx, hy = track_xy(TRACK_LAP_M - 10.0)
    assert float(hy) == pytest.approx(-TRACK_LANE1_RADIUS_M) and float(hx) < float(fx)
    # anticlockwise: the first bend turns left (y grows after the finish line)
    assert float(track_xy(20.0)[1]) > -TRACK_LANE1_RADIUS_M


@given(
    st.floats(-500, 500),
    st.floats(-500, 500),
)
def test_local_latlon_round_trip(x: float, y: float) -> None:
    lat, lon = local_to_latlon(np.array([x]), np.array([y]))
    bx, by = latlon_to_local(lat, lon)
    assert float(bx[0]) == pytest.approx(x, abs=1e-6)
    assert float(by[0]) == pytest.approx(y, abs=1e-6)


def test_one_metre_north_is_one_metre_on_the_globe() -> None:
    from kicklab.geo import haversine_m

    lat, lon = local_to_latlon(np.array([0.0, 100.0, 0.0]), np.array([0.0, 0.0, 100.0]))
    assert haversine_m(lat[0], lon[0], lat[1], lon[1]) == pytest.approx(100.0, rel=1e-6)
    assert haversine_m(lat[0], lon[0], lat[2], lon[2]) == pytest.approx(100.0, rel=1e-6)


# ----------------------------------------------------------------------------- the race


def test_race_covers_exactly_its_distance(race: Activity) -> None:
    rec = race.records
    truth = race.metadata["truth"]
    t = rec["time_s"].to_numpy()
    d = rec["distance_m"].to_numpy()
    v = rec["speed_mps"].to_numpy()
    assert d[0] == 0.0 and d[-1] == 1500.0
    assert t[-1] == truth["finish_time_s"]
    assert np.all(np.diff(d) > 0)
    # the recorded distance is the integral of the recorded speed (1 Hz trapezoids)
    assert np.trapezoid(v, t) == pytest.approx(1500.0, abs=1.0)
    inc = np.diff(d)
    trap = (v[1:] + v[:-1]) / 2 * np.diff(t)
    np.testing.assert_allclose(inc[5:], trap[5:], atol=0.02)
    assert truth["finish_time_s"] == pytest.approx(1500 / 4.5, rel=0.05)


def test_sampling_is_1_hz_with_a_last_sample_on_the_line(race: Activity) -> None:
    t = race.records["time_s"].to_numpy()
    np.testing.assert_array_equal(t[:-1], np.arange(t.size - 1))
    assert 0.5 < t[-1] - t[-2] < 1.5
    assert race.metadata["start_time"] == DEFAULT_RACE_START
    assert race.records["timestamp"].iloc[0] == DEFAULT_RACE_START


@pytest.mark.parametrize("pace_noise", [0.0, 0.015])
def test_truth_onset_is_where_speed_rises(pace_noise: float) -> None:
    race = sample_race(pace_noise=pace_noise)
    rec = race.records
    truth = race.metadata["truth"]
    t = rec["time_s"].to_numpy()
    v = rec["speed_mps"].to_numpy()
    d = rec["distance_m"].to_numpy()
    onset = truth["kick_onset_time_s"]
    assert truth["kick_onset_distance_to_go_m"] == 250.0
    assert np.interp(onset, t, d) == pytest.approx(1500.0 - 250.0, abs=0.05)
    before = v[(t >= onset - 10) & (t < onset)].mean()
    after = v[(t >= onset + 6.0) & (t < onset + 12.0)].mean()
    gain = truth["kick_gain"]
    # the kick multiplies the pace, fluctuations included, by 1 + gain
    assert after / before == pytest.approx(1 + gain, abs=0.001 if pace_noise == 0 else 0.04)
    # the first sample clearly above the pre-kick level comes within the 6 s ramp
    rise = t[(t > onset - 60) & (v > before * (1 + gain / 2))][0]
    assert onset < rise <= onset + 6.0
    # nothing like a kick in the minute before the onset
    window = v[(t >= onset - 60) & (t < onset)]
    assert window.max() < before * (1 + gain / 2)


def test_slight_fade_at_the_very_end(race: Activity) -> None:
    rec = race.records
    v = rec["speed_mps"].to_numpy()
    d = rec["distance_m"].to_numpy()
    peak = v[(d > 1300) & (d < 1460)].mean()
    assert 0.95 * peak < v[-1] < peak


def test_cadence_times_step_length_is_speed(race: Activity) -> None:
    rec = race.records
    c, step, v = rec["cadence_spm"], rec["step_length_m"], rec["speed_mps"]
    np.testing.assert_allclose(c * step / 60, v, rtol=0, atol=1e-9)
    running = v > 3
    assert c[running].between(170, 215).all()
    assert step[running].between(1.1, 1.8).all()


def test_kick_is_shared_between_cadence_and_step_length(race: Activity) -> None:
    rec = race.records
    onset = race.metadata["truth"]["kick_onset_time_s"]
    t = rec["time_s"].to_numpy()
    pre = (t >= onset - 10) & (t < onset)
    post = (t >= onset + 8) & (t < onset + 18)
    dv = np.log(rec["speed_mps"][post].mean() / rec["speed_mps"][pre].mean())
    dc = np.log(rec["cadence_spm"][post].mean() / rec["cadence_spm"][pre].mean())
    dl = np.log(rec["step_length_m"][post].mean() / rec["step_length_m"][pre].mean())
    assert dc / dv == pytest.approx(0.4, abs=0.02)
    assert dl / dv == pytest.approx(0.6, abs=0.02)


def test_heart_rate_rises_toward_a_speed_dependent_target(race: Activity) -> None:
    hr = race.records["heart_rate_bpm"].to_numpy()
    assert np.all(hr == np.round(hr))
    assert hr[0] < 110 and hr.max() <= 195
    assert np.all(np.diff(hr[:60]) >= 0)  # steady rise from the start line
    t = race.records["time_s"].to_numpy()
    onset = race.metadata["truth"]["kick_onset_time_s"]
    assert hr[-1] > hr[(t < onset)][-1]  # the kick lifts it further


def test_positions_lie_on_the_track_within_gps_noise(race: Activity) -> None:
    rec = race.records
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    off = offset_from_lane1(x, y)
    assert np.abs(off).max() < 4 * 3.0
    assert np.sqrt(np.mean(off**2)) == pytest.approx(3.0, rel=0.2)


def test_noise_free_positions_start_300_m_before_the_line_and_finish_on_it() -> None:
    race = sample_race(gps_noise_m=0.0)
    rec = race.records
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    np.testing.assert_allclose(offset_from_lane1(x, y), 0.0, atol=1e-6)
    sx, sy = track_xy(-1500.0)  # 1500 m = 3 laps + 300 m: the 100 m mark
    hx, hy = track_xy(100.0)
    assert (x[0], y[0]) == pytest.approx((float(sx), float(sy)), abs=1e-6)
    assert (float(sx), float(sy)) == pytest.approx((float(hx), float(hy)), abs=0.01)
    assert (x[-1], y[-1]) == pytest.approx((TRACK_STRAIGHT_M / 2, -TRACK_LANE1_RADIUS_M), abs=1e-6)


def test_laps_every_400_m_plus_a_partial_lap(race: Activity) -> None:
    laps = race.laps
    assert list(laps["trigger"]) == ["distance", "distance", "distance", "session"]
    np.testing.assert_allclose(laps["distance_m"], [400, 400, 400, 300])
    rec = race.records
    t, d = rec["time_s"].to_numpy(), rec["distance_m"].to_numpy()
    np.testing.assert_allclose(
        np.interp(laps["end_time_s"], t, d), [400, 800, 1200, 1500], atol=0.05
    )
    assert laps["start_time_s"].iloc[0] == 0.0
    np.testing.assert_allclose(laps["start_time_s"].iloc[1:], laps["end_time_s"].iloc[:-1])
    assert laps["end_time_s"].iloc[-1] == race.metadata["truth"]["finish_time_s"]
    np.testing.assert_allclose(laps["avg_speed_mps"], laps["distance_m"] / laps["elapsed_s"])
    (session,) = race.sessions.itertuples()
    assert (session.sport, session.sub_sport, session.distance_m) == ("running", "track", 1500.0)


def test_metadata(race: Activity) -> None:
    meta = race.metadata
    assert meta["format"] == "synthetic"
    assert meta["source"] == "kicklab-sample"
    assert meta["sport"] == "running"
    assert set(meta["truth"]) >= {
        "kick_onset_distance_to_go_m",
        "kick_onset_time_s",
        "kick_gain",
        "finish_time_s",
    }


def test_seeds_are_reproducible() -> None:
    a, b = sample_race(seed=7), sample_race(seed=7)
    pd.testing.assert_frame_equal(a.records, b.records)
    pd.testing.assert_frame_equal(a.laps, b.laps)
    assert a.metadata["truth"] == b.metadata["truth"]
    c = sample_race(seed=8)
    n = min(len(a.records), len(c.records))
    assert not np.allclose(a.records["speed_mps"][:n], c.records["speed_mps"][:n])
    gen = sample_race(seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a.records, gen.records)


def test_road_variant_runs_straight_to_the_origin() -> None:
    race = sample_race(800.0, track=False, gps_noise_m=0.0, kick_distance_to_go_m=150.0)
    rec = race.records
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    np.testing.assert_allclose(y, 0.0, atol=1e-6)
    np.testing.assert_allclose(x, rec["distance_m"] - 800.0, atol=1e-6)
    assert race.metadata["sub_sport"] == "road"


def test_no_kick_and_no_start_time() -> None:
    race = sample_race(kick_gain=0.0, start_time=None, pace_noise=0.0, end_fade=0.0)
    assert race.start_time is None
    v = race.records["speed_mps"].to_numpy()
    np.testing.assert_allclose(v[40:], 4.5, rtol=1e-9)  # even pace once up to speed


def test_invalid_parameters_raise() -> None:
    for kwargs in (
        {"distance_m": 0.0},
        {"distance_m": 1500.0, "kick_distance_to_go_m": 1500.0},
        {"kick_distance_to_go_m": -1.0},
        {"pace_mps": 40.0},
        {"kick_gain": -0.9},
        {"cadence_share": 1.5},
        {"gps_noise_m": -1.0},
    ):
        with pytest.raises(InvalidValue, match="sample_race"):
            sample_race(**kwargs)


@settings(max_examples=20, deadline=None)
@given(
    distance=st.floats(200.0, 10_000.0),
    kick_fraction=st.floats(0.0, 0.9),
    gain=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_for_any_race(
    distance: float, kick_fraction: float, gain: float, seed: int
) -> None:
    race = sample_race(
        distance, kick_distance_to_go_m=kick_fraction * distance, kick_gain=gain, seed=seed
    )
    rec = race.records
    truth = race.metadata["truth"]
    t, d = rec["time_s"].to_numpy(), rec["distance_m"].to_numpy()
    assert d[-1] == distance and t[-1] == truth["finish_time_s"]
    assert np.all(np.diff(d) > 0) and np.all(np.diff(t) >= 0.5)
    assert np.interp(truth["kick_onset_time_s"], t, d) == pytest.approx(
        distance - truth["kick_onset_distance_to_go_m"], abs=0.1
    )
    np.testing.assert_allclose(
        rec["cadence_spm"] * rec["step_length_m"] / 60, rec["speed_mps"], atol=1e-9
    )
    assert race.laps["distance_m"].sum() == pytest.approx(distance)
    assert len(race.laps) == math.ceil(distance / 400.0)


# ----------------------------------------------------------------------------- FIT output


def test_writes_a_fit_file_garmin_decodes(race: Activity) -> None:
    data = write_fit(race)
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    rows = messages["record_mesgs"]
    assert len(rows) == len(race.records)
    ts = np.array([r["timestamp"].timestamp() for r in rows]) - DEFAULT_RACE_START.timestamp()
    assert np.all(np.diff(ts) > 0)  # the last sample keeps its own whole-second timestamp
    np.testing.assert_array_equal(ts, np.round(race.records["time_s"].to_numpy()))
    hr = np.array([r["heart_rate"] for r in rows])
    np.testing.assert_array_equal(hr, race.records["heart_rate_bpm"].to_numpy())
    spm = np.array([2 * (r["cadence"] + r["fractional_cadence"]) for r in rows])
    np.testing.assert_allclose(spm, race.records["cadence_spm"], atol=1 / 128 + 1e-9)
    assert [lap["lap_trigger"] for lap in messages["lap_mesgs"]] == ["distance"] * 3 + [
        "session_end"
    ]
    (session,) = messages["session_mesgs"]
    assert (session["sport"], session["sub_sport"]) == ("running", "track")
    assert session["total_distance"] == pytest.approx(1500.0, abs=0.01)
