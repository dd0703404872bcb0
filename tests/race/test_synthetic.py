"""Tests of kicklab.race.synthetic: simulated runners as recorded activities and FIT files."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("kicklab.environment.air")  # the simulator needs the air/drafting models
pytest.importorskip("kicklab.environment.track")

import kicklab
from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.kick.analysis import analyze
from kicklab.race.course import Course, Route
from kicklab.race.runner import Runner, even, long_surge, sit_and_kick
from kicklab.race.simulate import RaceResult, simulate
from kicklab.race.synthetic import (
    activity_from_race,
    default_cadence_share,
    race_to_fit,
)
from kicklab.samples import (
    DEFAULT_RACE_START,
    TRACK_LANE1_RADIUS_M,
    TRACK_ORIGIN_DEG,
    TRACK_STRAIGHT_M,
    latlon_to_local,
    local_to_latlon,
)

#: A slow early pace (m/s) for the following tactics: just above the kicker's CS.
LEAD = 5.6
#: The kicker's onset, m to go.
KICK_AT = 250.0
#: The surger's move, m to go.
SURGE_AT = 800.0


def field() -> list[Runner]:
    """Sit-and-kick runner (large reserve), long surger and an even-paced runner."""
    return [
        Runner("kicker", 5.5, 200.0, 9.0, tactic=sit_and_kick(KICK_AT, lead_mps=LEAD)),
        Runner("surger", 5.6, 150.0, 8.0, tactic=long_surge(SURGE_AT, 6.0, lead_mps=LEAD)),
        Runner("steady", 5.3, 150.0, 8.0, tactic=even()),
    ]


@pytest.fixture(scope="module")
def course() -> Course:
    return Course(1500.0)


@pytest.fixture(scope="module")
def race(course: Course) -> RaceResult:
    return simulate(field(), course, trials=2, seed=0, traces=True, trace_trials=1)


@pytest.fixture(scope="module")
def kicker(race: RaceResult, course: Course) -> Activity:
    return activity_from_race(race, course, "kicker", seed=1)


def offset_from_lane1(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Signed distance (m) of track-frame points from the lane-1 running line."""
    along = np.maximum(np.abs(x) - TRACK_STRAIGHT_M / 2, 0.0)
    return np.hypot(along, y) - TRACK_LANE1_RADIUS_M


# ----------------------------------------------------------------------------- records
@pytest.mark.parametrize("runner", [0, 1, 2])
def test_records_run_at_1_hz_from_the_gun_to_the_line(
    race: RaceResult, course: Course, runner: int
) -> None:
    act = activity_from_race(race, course, runner)
    rec = act.records
    t = rec["time_s"].to_numpy()
    finish = float(race.finish_time_s[0, runner])
    assert t.size == math.ceil(finish - 0.5) + 1
    np.testing.assert_array_equal(t[:-1], np.arange(t.size - 1))
    assert t[-1] == finish and 0.5 <= t[-1] - t[-2] < 1.5
    d = rec["distance_m"].to_numpy()
    assert d[0] == 0.0 and d[-1] == 1500.0
    assert np.all(np.diff(d) >= 0) and np.all(np.diff(d[5:]) > 3.0)  # running after the start
    v = rec["speed_mps"].to_numpy()
    assert v[0] == 0.0 and 5.0 < np.median(v) < 6.5
    # distance is the simulated path: the integral of the recorded speed
    assert np.trapezoid(v, t) == pytest.approx(1500.0, abs=3.0)
    assert act.metadata["start_time"] == DEFAULT_RACE_START
    assert rec["timestamp"].iloc[0] == DEFAULT_RACE_START
    assert act.metadata["sub_sport"] == "track" and act.sessions["sub_sport"].iloc[0] == "track"


def test_records_follow_the_simulated_trace(race: RaceResult, kicker: Activity) -> None:
    rec = kicker.records
    tr = race.traces
    t = rec["time_s"].to_numpy()[1:-1]
    np.testing.assert_allclose(
        rec["distance_m"].to_numpy()[1:-1],
        np.interp(t, tr["time_s"], tr["distance_m"][:, 0, 0]),
        atol=1e-9,
    )
    np.testing.assert_allclose(
        rec["speed_mps"].to_numpy()[1:-1],
        np.interp(t, tr["time_s"], tr["speed_mps"][:, 0, 0]),
        atol=1e-9,
    )


def test_speed_is_cadence_times_step_length_exactly(kicker: Activity) -> None:
    rec = kicker.records
    c, step, v = (rec[k].to_numpy() for k in ("cadence_spm", "step_length_m", "speed_mps"))
    np.testing.assert_allclose(c / 60.0 * step, v, rtol=1e-12, atol=0)
    running = v > 4.0
    assert np.all((c[running] > 165) & (c[running] < 240))
    assert np.all((step[running] > 1.5) & (step[running] < 2.5))


def test_cadence_carries_its_share_of_the_kick(kicker: Activity) -> None:
    rec = kicker.records
    truth = kicker.metadata["truth"]
    share = truth["cadence_share"]
    assert share == pytest.approx(default_cadence_share(5.5, 9.0)) == pytest.approx(0.45)
    t = rec["time_s"].to_numpy()[1:]  # from 1 s: no cadence at rest on the line
    onset = truth["kick_onset_time_s"]
    pre = (t >= onset - 20) & (t < onset - 1)
    post = (t >= onset + 4) & (t < onset + 14)
    mean_log = {
        k: np.log(rec[k].to_numpy()[1:]) for k in ("speed_mps", "cadence_spm", "step_length_m")
    }
    dv = mean_log["speed_mps"][post].mean() - mean_log["speed_mps"][pre].mean()
    dc = mean_log["cadence_spm"][post].mean() - mean_log["cadence_spm"][pre].mean()
    dl = mean_log["step_length_m"][post].mean() - mean_log["step_length_m"][pre].mean()
    assert dv > 0.2  # a big kick: +22 % or more
    assert dc / dv == pytest.approx(share, abs=0.03)  # noise is ±1 step/min on ~195
    assert dl / dv == pytest.approx(1 - share, abs=0.03)
    # cruising cadence: 160 + 6·v0
    v0 = np.median(rec["speed_mps"][rec["distance_m"] <= 900])
    c_pre = rec["cadence_spm"].to_numpy()[1:][pre]
    assert abs(np.median(c_pre) - (160 + 6 * v0)) < 2.0
    assert 0.2 < np.std(np.diff(c_pre)) < 2.0  # a little noise, not a flat line


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_extreme_cadence_shares(race: RaceResult, course: Course, share: float) -> None:
    rec = activity_from_race(race, course, 0, cadence_share=share).records
    running = rec["speed_mps"] > 4.0
    flat = rec["cadence_spm" if share == 0.0 else "step_length_m"][running].to_numpy()
    moving = rec["step_length_m" if share == 0.0 else "cadence_spm"][running].to_numpy()
    # the other quantity carries the whole kick (+30 %), this one only the noise (< 3 %)
    assert flat.max() / flat.min() < 1.04
    assert moving.max() / moving.min() > 1.25


def test_heart_rate_in_range_and_rising(race: RaceResult, course: Course) -> None:
    for runner in range(3):
        act = activity_from_race(race, course, runner, hr_max_bpm=190.0)
        hr = act.records["heart_rate_bpm"].to_numpy()
        assert np.all(hr == np.round(hr))
        assert hr[0] == 95.0 and np.all(hr >= 95.0) and np.all(hr <= 190.0)
        assert np.all(np.diff(hr[:60]) >= 0)
        assert hr[-1] > 175.0
    low = activity_from_race(race, course, 0, hr_max_bpm=170.0).records["heart_rate_bpm"]
    assert low.max() <= 170.0


def test_heart_rate_drifts_as_d_prime_runs_out(race: RaceResult, course: Course) -> None:
    # steady runner: one speed (v = v0) from 400 m to the finish while D' falls; heart rate
    # settles on 95 % of the reserve plus 5 % of the reserve times the share of D' used
    rec = activity_from_race(race, course, "steady").records
    d = rec["distance_m"].to_numpy()
    hr = rec["heart_rate_bpm"].to_numpy()
    v = rec["speed_mps"].to_numpy()
    assert np.ptp(v[d > 400]) < 0.01
    tr = race.traces
    bal = np.interp(d, tr["distance_m"][:, 0, 2], tr["d_balance_m"][:, 0, 2])
    used = 1.0 - bal / 150.0
    assert used[-1] > 0.7  # nearly all of D' is gone at the finish
    target = 60.0 + (195.0 - 60.0) * (0.95 + 0.05 * used)
    late = d > 1000  # > 2 min in: the 30 s response lags the slow drift by < 1 bpm
    np.testing.assert_allclose(hr[late], target[late], atol=1.5)
    assert hr[-1] - hr[d > 900][0] >= 3.0  # without the drift it would stay flat


# ----------------------------------------------------------------------------- positions
def test_positions_on_the_track_within_gps_noise(kicker: Activity) -> None:
    rec = kicker.records
    lat, lon = rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy()
    assert np.all(np.abs(lat - TRACK_ORIGIN_DEG[0]) < 0.001)  # < ~110 m
    assert np.all(np.abs(lon - TRACK_ORIGIN_DEG[1]) < 0.0015)
    x, y = latlon_to_local(lat, lon)
    off = offset_from_lane1(x, y)
    assert np.abs(off).max() < 4.5 * 3.0
    assert np.sqrt(np.mean(off**2)) == pytest.approx(3.0, rel=0.25)


def test_noise_free_positions_finish_on_the_line(race: RaceResult, course: Course) -> None:
    rec = activity_from_race(race, course, 1, gps_noise_m=0.0).records
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    np.testing.assert_allclose(offset_from_lane1(x, y), 0.0, atol=1e-6)
    assert (x[-1], y[-1]) == pytest.approx((TRACK_STRAIGHT_M / 2, -TRACK_LANE1_RADIUS_M), abs=1e-6)
    # a 1500 m starts at the 100 m mark: 100 m after the finish line, on the back of bend 1
    assert y[0] > 0 and x[0] > TRACK_STRAIGHT_M / 2
    assert np.all(rec["altitude_m"] == 130.0)


# ----------------------------------------------------------------------------- laps, truth
def test_laps_every_400_m_at_the_split_times(race: RaceResult, kicker: Activity) -> None:
    laps = kicker.laps
    assert list(laps["trigger"]) == ["distance", "distance", "distance", "session"]
    np.testing.assert_allclose(laps["distance_m"], [400, 400, 400, 300])
    np.testing.assert_allclose(laps["end_time_s"], race.split_times_s[0, 0], rtol=0, atol=1e-9)
    assert laps["start_time_s"].iloc[0] == 0.0
    np.testing.assert_allclose(laps["start_time_s"].iloc[1:], laps["end_time_s"].iloc[:-1])
    assert laps["elapsed_s"].sum() == pytest.approx(race.finish_time_s[0, 0])
    ses = kicker.sessions
    assert len(ses) == 1 and ses["distance_m"].iloc[0] == 1500.0
    assert ses["sport"].iloc[0] == "running"


def test_truth_records_the_tactics(race: RaceResult, course: Course, kicker: Activity) -> None:
    truth = kicker.metadata["truth"]
    assert truth["kick_onset_distance_to_go_m"] == KICK_AT
    assert truth["runner"] == "kicker" and truth["place"] == int(race.place[0, 0])
    assert truth["finish_time_s"] == race.finish_time_s[0, 0]
    assert (truth["cs_mps"], truth["d_prime_m"], truth["mss_mps"]) == (5.5, 200.0, 9.0)
    assert truth["tactic"]["kind"] == "sit_and_kick"
    rec = kicker.records
    at = np.interp(truth["kick_onset_time_s"], rec["time_s"], rec["distance_m"])
    assert at == pytest.approx(1500.0 - KICK_AT, abs=0.5)
    surger = activity_from_race(race, course, "surger").metadata["truth"]
    assert surger["kick_onset_distance_to_go_m"] == SURGE_AT
    assert surger["tactic"]["kind"] == "long_surge"
    steady = activity_from_race(race, course, "steady").metadata["truth"]
    assert steady["kick_onset_distance_to_go_m"] is None and steady["kick_onset_time_s"] is None
    assert sorted([truth["place"], surger["place"], steady["place"]]) == [1, 2, 3]


def test_runner_by_name_or_index_and_seeded(race: RaceResult, course: Course) -> None:
    a = activity_from_race(race, course, "surger", seed=5)
    b = activity_from_race(race, course, 1, seed=np.random.default_rng(5))
    c = activity_from_race(race, course, np.int64(1), seed=6)
    np.testing.assert_array_equal(a.records["lat_deg"], b.records["lat_deg"])
    np.testing.assert_array_equal(a.records["cadence_spm"], b.records["cadence_spm"])
    assert not np.array_equal(a.records["lat_deg"], c.records["lat_deg"])
    np.testing.assert_array_equal(a.records["distance_m"], c.records["distance_m"])
    assert a.metadata["name"] == "surger: simulated 1500 m track race (trial 0)"
    assert activity_from_race(race, course, 1, name="x").metadata["name"] == "x"


@settings(max_examples=25, deadline=None)
@given(
    share=st.none() | st.floats(0.0, 1.0),
    noise=st.floats(0.0, 20.0),
    seed=st.integers(0, 2**32 - 1),
    runner=st.integers(0, 2),
)
def test_invariants_hold_for_any_setting(
    race: RaceResult, course: Course, share: float | None, noise: float, seed: int, runner: int
) -> None:
    rec = activity_from_race(
        race, course, runner, cadence_share=share, gps_noise_m=noise, seed=seed
    ).records
    c, step, v = (rec[k].to_numpy() for k in ("cadence_spm", "step_length_m", "speed_mps"))
    np.testing.assert_allclose(c / 60.0 * step, v, rtol=1e-12, atol=0)
    assert np.all(c[1:] > 0) and np.all(np.isfinite(step))
    d = rec["distance_m"].to_numpy()
    assert np.all(np.diff(d) >= 0) and d[-1] == 1500.0
    hr = rec["heart_rate_bpm"].to_numpy()
    assert np.all((hr >= 60) & (hr <= 195))


@given(st.floats(1.0, 13.0), st.floats(0.0, 8.0), st.floats(0.0, 4.0))
def test_default_cadence_share_falls_with_the_speed_reserve(
    cs: float, reserve: float, more: float
) -> None:
    a = default_cadence_share(cs, cs + reserve)
    b = default_cadence_share(cs, cs + reserve + more)
    assert 0.25 <= b <= a <= 0.7


def test_default_cadence_share_values() -> None:
    assert default_cadence_share(5.0, 7.0) == pytest.approx(0.6)
    assert default_cadence_share(5.0, 9.0) == pytest.approx(0.4)
    assert default_cadence_share(5.0, 5.5) == pytest.approx(0.7)
    assert default_cadence_share(4.0, 11.0) == pytest.approx(0.25)


# ----------------------------------------------------------------------------- FIT and analysis
def test_fit_round_trip_keeps_time_and_distance(race: RaceResult, course: Course, tmp_path):
    path = tmp_path / "kicker.fit"
    act = race_to_fit(race, course, "kicker", path, seed=1)
    assert isinstance(act, Activity) and path.stat().st_size > 1000
    back = kicklab.read(path)
    rec, orig = back.records, act.records
    assert len(rec) == len(orig)
    # FIT timestamps are whole seconds: the finish sample moves by < 0.5 s
    np.testing.assert_allclose(rec["time_s"], orig["time_s"], atol=0.5)
    np.testing.assert_allclose(rec["distance_m"], orig["distance_m"], atol=0.006)
    assert rec["distance_m"].iloc[-1] == pytest.approx(1500.0, abs=0.006)
    np.testing.assert_allclose(rec["speed_mps"], orig["speed_mps"], atol=0.0006)
    np.testing.assert_allclose(rec["heart_rate_bpm"], orig["heart_rate_bpm"])
    np.testing.assert_allclose(rec["lat_deg"], orig["lat_deg"], atol=1e-6)
    assert len(back.laps) == 4 and back.laps["distance_m"].sum() == pytest.approx(1500, abs=0.05)
    assert back.start_time == DEFAULT_RACE_START


def test_analyze_finds_the_simulated_kick(race: RaceResult, course: Course, tmp_path) -> None:
    path = tmp_path / "kicker.fit"
    truth = race_to_fit(race, course, "kicker", path, seed=1).metadata["truth"]
    kick = analyze(path).kick
    assert kick.detected, kick.reason
    # measured: 258 m to go (the 1 Hz fit of the ramp puts the onset ~1 s early)
    assert kick.onset_distance_to_go_m == pytest.approx(
        truth["kick_onset_distance_to_go_m"], abs=40
    )
    assert kick.gain_pct > 20.0
    # the decomposition recovers the cadence share the activity was built with (45 %)
    assert kick.cadence_share_pct == pytest.approx(100 * truth["cadence_share"], abs=6.0)


def test_analyze_classes_the_surger_as_a_long_surge(
    race: RaceResult, course: Course, tmp_path
) -> None:
    path = tmp_path / "surger.fit"
    race_to_fit(race, course, "surger", path, seed=3)
    result = analyze(path)
    assert result.finish_class == "long_surge"
    assert not result.kick.detected
    starts = [s.start_distance_to_go_m for s in result.surges]
    assert len(starts) == 1 and starts[0] == pytest.approx(SURGE_AT, abs=40)  # measured: 814


def test_analyze_finds_no_kick_for_the_even_runner(race: RaceResult, course: Course, tmp_path):
    path = tmp_path / "steady.fit"
    race_to_fit(race, course, "steady", path, seed=2)
    kick = analyze(path).kick
    assert not kick.detected or kick.gain_pct < 5.0


# ----------------------------------------------------------------------------- roads and routes
@pytest.fixture(scope="module")
def road_race() -> RaceResult:
    runner = Runner("roadie", 5.0, 200.0, 8.0)
    return simulate([runner], Course(800.0, kind="road"), trials=1, traces=True, seed=3)


def test_straight_road_with_a_grade(road_race: RaceResult) -> None:
    climb = Course(800.0, kind="road", grade=lambda d: np.where(d < 400, 0.02, -0.01))
    act = activity_from_race(road_race, climb, 0, gps_noise_m=0.0)
    rec = act.records
    assert act.metadata["sub_sport"] == "road"
    d, alt = rec["distance_m"].to_numpy(), rec["altitude_m"].to_numpy()
    assert alt[0] == pytest.approx(100.0)
    expected = 100.0 + np.where(d < 400, 0.02 * d, 8.0 - 0.01 * (d - 400))
    np.testing.assert_allclose(alt, expected, atol=0.02)
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    np.testing.assert_allclose(x, d - 800.0, atol=1e-6)
    np.testing.assert_allclose(y, 0.0, atol=1e-6)
    assert len(act.laps) == 2 and list(act.laps["trigger"]) == ["distance", "session"]


#: A route's origin, degrees (London, far from the sample track).
ROUTE_ORIGIN = (51.5, -0.12)


def quarter_circle_route() -> Route:
    """A route along a quarter circle of radius 600 m (942 m long), climbing 20 m per 800 m."""
    d = np.linspace(0.0, 300 * math.pi, 943)
    phi = d / 600.0
    lat, lon = local_to_latlon(600 * np.sin(phi), 600 * (1 - np.cos(phi)), ROUTE_ORIGIN)
    return Route(d, lat, lon, 10.0 + 20.0 * d / 800.0, name="quarter circle")


class XYRouteCourse(Course):
    """A road course whose route is given in local metres (no lat/lon route)."""

    def route_xy(self, distance_m):
        d = np.asarray(distance_m)
        return 0.6 * d, 0.8 * d


def test_route_latlon_positions_with_noise_in_metres(road_race: RaceResult) -> None:
    course = Course(800.0, kind="road", route=quarter_circle_route())
    exact = activity_from_race(road_race, course, 0, gps_noise_m=0.0).records
    d = exact["distance_m"].to_numpy()
    lat, lon = course.route_latlon(d)
    np.testing.assert_allclose(exact["lat_deg"], lat, atol=1e-9)
    np.testing.assert_allclose(exact["lon_deg"], lon, atol=1e-9)
    x, y = latlon_to_local(exact["lat_deg"], exact["lon_deg"], ROUTE_ORIGIN)
    np.testing.assert_allclose(np.hypot(x, y - 600.0), 600.0, atol=0.01)  # on the circle
    assert x[-1] == pytest.approx(600 * math.sin(800 / 600), abs=0.01)
    np.testing.assert_allclose(exact["altitude_m"], 10.0 + 20.0 * d / 800.0, atol=1e-9)
    noisy = activity_from_race(road_race, course, 0, gps_noise_m=5.0, seed=4).records
    ex, ny = latlon_to_local(noisy["lat_deg"], noisy["lon_deg"], ROUTE_ORIGIN)
    rx, ry = latlon_to_local(lat, lon, ROUTE_ORIGIN)
    err = np.concatenate([ex - rx, ny - ry])
    assert np.std(err) == pytest.approx(5.0, rel=0.15) and abs(np.mean(err)) < 1.0


def test_route_xy_positions(road_race: RaceResult) -> None:
    course = XYRouteCourse(800.0, kind="road")
    rec = activity_from_race(road_race, course, 0, gps_noise_m=0.0).records
    d = rec["distance_m"].to_numpy()
    x, y = latlon_to_local(rec["lat_deg"].to_numpy(), rec["lon_deg"].to_numpy())
    np.testing.assert_allclose(x, 0.6 * d, atol=1e-6)
    np.testing.assert_allclose(y, 0.8 * d, atol=1e-6)
    np.testing.assert_allclose(rec["altitude_m"], 100.0)  # no route altitude, flat grade


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"runner": "nobody"}, "no runner named 'nobody'"),
        ({"runner": 3}, "out of range"),
        ({"runner": -1}, "out of range"),
        ({"runner": True}, "index or a name"),
        ({"runner": 1.0}, "index or a name"),
        ({"trial": 1}, "trace_trials > trial"),
        ({"trial": -1}, "non-negative integer"),
        ({"gps_noise_m": -1.0}, "gps_noise_m"),
        ({"hr_max_bpm": 400}, "hr_max_bpm"),
        ({"cadence_share": 1.5}, "cadence_share"),
        ({"cadence_share": float("nan")}, "cadence_share"),
    ],
)
def test_invalid_input(race: RaceResult, course: Course, kw: dict, match: str) -> None:
    args = {"runner": 0, **kw}
    runner = args.pop("runner")
    with pytest.raises(InvalidValue, match=match):
        activity_from_race(race, course, runner, **args)


def test_result_without_traces_or_another_course(race: RaceResult, course: Course) -> None:
    bare = dataclasses.replace(race, traces=None)
    with pytest.raises(InvalidValue, match="traces=True, trace_trials > trial"):
        activity_from_race(bare, course, 0)
    with pytest.raises(InvalidValue, match="not the simulated one"):
        activity_from_race(race, Course(800.0), 0)
    with pytest.raises(InvalidValue, match="road course"):
        activity_from_race(race, Course(1500.0, kind="road"), 0)
    with pytest.raises(InvalidValue, match="must be a Course"):
        activity_from_race(race, "track", 0)  # type: ignore[arg-type]
