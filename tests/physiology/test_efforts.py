"""Best efforts: effort strings, the mean-maximal speed curve, best efforts over files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.physiology.efforts import (
    GRADE_MIN_S,
    RECORD_ENVELOPE,
    _envelope,
    best_efforts,
    efforts_for_fit,
    mean_max_speed,
    parse_efforts,
)
from kicklab.signal import minetti_cost
from tests.conftest import shared_file


def run(
    speed: np.ndarray,
    *,
    altitude: np.ndarray | None = None,
    cadence: float | None = None,
    sport: str | None = "running",
    source: str = "run",
    cleaned: bool = False,
    **extra: np.ndarray,
) -> Activity:
    """A 1 Hz activity from per-second speeds (m/s); distance is their running sum."""
    v = np.asarray(speed, dtype=float)
    t = np.arange(v.size, dtype=float)
    d = np.concatenate(([0.0], np.cumsum(v[:-1])))  # sample k+1 is v[k] metres further on
    cols = {"time_s": t, "distance_m": d, "speed_mps": v}
    if altitude is not None:
        cols["altitude_m"] = altitude
    if cadence is not None:
        cols["cadence_spm"] = np.full(v.size, cadence)
    cols.update(extra)
    meta = {"sport": sport, "source": source}
    if cleaned:
        meta["cleaned"] = {}
    return Activity(pd.DataFrame(cols), metadata=meta)


# --------------------------------------------------------------------------- parse_efforts
def test_parse_efforts_example_string():
    e = parse_efforts("1500:3:26.00,1609.34:3:43.13,mile:3:43.13,3000:7:20.67,5k:12:35.36")
    np.testing.assert_allclose(e["distance_m"], [1500, 1609.34, 1609.344, 3000, 5000])
    np.testing.assert_allclose(e["time_s"], [206.0, 223.13, 223.13, 440.67, 755.36])
    assert list(e.columns) == ["distance_m", "time_s"]


def test_parse_efforts_units_and_words():
    e = parse_efforts("1km:2:35.1; 2 mi:9:30 3000m:8:00\nmarathon:2:59:59, half marathon:1:25:00")
    np.testing.assert_allclose(
        e["distance_m"], [1000, 2 * 1609.344, 3000, 42195, 21097.5], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(e["time_s"], [155.1, 570, 480, 3 * 3600 - 1, 5100])


def test_parse_efforts_need_not_increase():
    e = parse_efforts("5000:15:00,1500:4:10")  # efforts, not splits: any order
    assert e["distance_m"].tolist() == [5000.0, 1500.0]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("1500:3:26,xx", "'xx'"),
        ("1500:3:75", "1500:3:75"),
        ("100:5", "faster than anyone"),
        ("0:10", "distance must be positive"),
        ("1500", "'1500'"),
        ("400:00", "must be positive"),
        ("42195:99:00:00", "42195:99:00:00"),
        ("100:10:00", "below the slowest"),
        ("", "no efforts"),
    ],
)
def test_parse_efforts_bad_tokens(text, named):
    with pytest.raises(InvalidValue) as err:
        parse_efforts(text)
    assert named in str(err.value)


def test_parse_efforts_not_text():
    with pytest.raises(InvalidValue, match="must be text"):
        parse_efforts(1500)  # type: ignore[arg-type]


def test_record_envelope_lies_above_world_records():
    # men's outdoor world records: 100 m to the marathon (distance m, time s)
    records = np.array(
        [
            (100, 9.58),
            (400, 43.03),
            (800, 100.91),
            (1500, 206.00),
            (5000, 755.36),
            (10000, 1571.00),
            (21097.5, 3451.0),
            (42195, 7235.0),
        ]
    )
    v = records[:, 0] / records[:, 1]
    limit = _envelope(records[:, 1])
    assert np.all(limit >= 1.05 * v)  # at least 5 % above every record
    assert np.all(limit <= RECORD_ENVELOPE[2])
    parse_efforts("1500:3:26.00,5000:12:35.36,42195:2:00:35")  # records themselves pass


# --------------------------------------------------------------------------- mean_max_speed
def test_constant_speed_gives_flat_curve():
    mm = mean_max_speed(run(np.full(1201, 4.0)), [1, 30, 120, 600, 1200])
    np.testing.assert_allclose(mm["speed_mps"], 4.0, rtol=1e-9)
    np.testing.assert_allclose(mm["distance_m"], 4.0 * mm["duration_s"], rtol=1e-9)
    assert list(mm.columns) == ["duration_s", "speed_mps", "distance_m", "start_time_s"]


def test_fast_block_inside_slow_run():
    v = np.r_[np.full(600, 3.0), np.full(300, 5.0), np.full(601, 3.0)]
    mm = mean_max_speed(run(v), [60, 120, 300, 600, 2000]).set_index("duration_s")
    assert mm.loc[300, "speed_mps"] == pytest.approx(5.0, rel=1e-9)
    assert mm.loc[300, "start_time_s"] == 600.0
    assert mm.loc[120, "speed_mps"] == pytest.approx(5.0, rel=1e-9)
    assert mm.loc[600, "speed_mps"] == pytest.approx((300 * 5 + 300 * 3) / 600, rel=1e-9)
    assert np.isnan(mm.loc[2000, "speed_mps"])  # longer than the run


def test_window_across_a_gap_is_invalid():
    # 300 s at 4 m/s, the watch stops for 100 s while 1000 m go by, 300 s more at 4 m/s
    v = np.full(301, 4.0)
    a = run(v)
    rec2 = a.records.copy()
    rec2["time_s"] += 400.0
    rec2["distance_m"] += 1200.0 + 1000.0
    act = Activity(pd.concat([a.records, rec2], ignore_index=True), metadata={"sport": "running"})
    mm = mean_max_speed(act, [60, 300, 600]).set_index("duration_s")
    assert mm.loc[60, "speed_mps"] == pytest.approx(4.0, rel=1e-6)
    assert mm.loc[300, "speed_mps"] == pytest.approx(4.0, rel=1e-6)  # not inflated by the jump
    assert np.isnan(mm.loc[600, "speed_mps"])  # every 600 s window spans the gap


def test_window_touching_a_timer_pause_is_invalid():
    act = run(np.full(1001, 4.0), cleaned=True)
    act.pauses = pd.DataFrame(
        {"start_time_s": [499.5], "end_time_s": [520.0], "duration_s": [20.5], "kind": ["timer"]}
    )
    mm = mean_max_speed(act, [400, 490, 500]).set_index("duration_s")
    assert mm.loc[400, "speed_mps"] == pytest.approx(4.0)
    assert mm.loc[490, "start_time_s"] == 0.0  # windows starting at 0–9 s end before 499.5
    assert np.isnan(mm.loc[500, "speed_mps"])  # 0–500 touches the pause, 520–1000 is 480 s


def test_grade_adjusted_uphill_counts_at_flat_cost():
    v = np.full(1201, 3.0)
    d = np.concatenate(([0.0], np.cumsum(v[:-1])))
    act = run(v, altitude=100.0 + 0.1 * d)  # a steady 10 % climb
    mm = mean_max_speed(act, [30, 300]).set_index("duration_s")
    flat = 3.0 * float(minetti_cost(0.1)) / 3.6  # ≈ 4.98 m/s
    assert mm.loc[300, "speed_mps"] == pytest.approx(flat, rel=0.01)
    assert mm.loc[30, "speed_mps"] == pytest.approx(3.0, rel=1e-6)  # below GRADE_MIN_S
    assert mm.attrs["grade_adjusted"] is True
    raw = mean_max_speed(act, [300], grade_adjusted=False)
    assert raw["speed_mps"].iloc[0] == pytest.approx(3.0, rel=1e-6)
    assert GRADE_MIN_S > 30


def test_grade_noise_is_not_credited():
    # flat run with ±2 m of altitude noise every second: the mean grade over a window is ~0,
    # so a per-second cost (convex in grade) would inflate the speed but the window's does not
    rng = np.random.default_rng(1)
    v = np.full(1201, 4.0)
    act = run(v, altitude=200.0 + rng.normal(0.0, 2.0, v.size))
    mm = mean_max_speed(act, [120, 600])
    np.testing.assert_allclose(mm["speed_mps"], 4.0, rtol=0.03)


def test_faster_than_any_human_is_not_an_effort():
    bike = mean_max_speed(run(np.full(1500, 11.0), cleaned=True), [60, 1200])
    assert bike["speed_mps"].isna().all()  # 11 m/s for a minute or 20 min is not running
    tempo = mean_max_speed(run(np.full(1500, 6.0), cleaned=True), [60, 1200])
    np.testing.assert_allclose(tempo["speed_mps"], 6.0)  # world-class, but human


def test_cadence_rules_out_impossible_steps():
    v = np.r_[np.full(200, 3.0), np.full(60, 6.0), np.full(200, 3.0)]
    ok = mean_max_speed(run(v, cadence=180.0, cleaned=True), [60])
    assert ok["speed_mps"].iloc[0] == pytest.approx(6.0)  # 2.0 m steps: fine
    odd = mean_max_speed(run(v, cadence=100.0, cleaned=True), [60])
    assert odd["speed_mps"].iloc[0] < 6.0  # 3.6 m steps at 100 spm: an artefact


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.0, 6.0), min_size=12, max_size=120),
    st.lists(st.integers(1, 60), min_size=1, max_size=5),
)
def test_mean_max_matches_brute_force(speeds, durations):
    v = np.asarray(speeds)
    act = run(v, cleaned=True)
    d = act.records["distance_m"].to_numpy()
    mm = mean_max_speed(act, durations)
    for dur, got in zip(mm["duration_s"], mm["speed_mps"], strict=True):
        n = int(dur)
        if n >= v.size:
            assert np.isnan(got)
            continue
        best = np.max(d[n:] - d[:-n]) / n  # every window, by brute force
        assert got == pytest.approx(best, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.5, 6.0), min_size=40, max_size=150))
def test_twice_as_long_is_never_faster(speeds):
    mm = mean_max_speed(run(np.asarray(speeds), cleaned=True), [2, 4, 5, 10, 20])
    s = mm.set_index("duration_s")["speed_mps"]
    for short, long in ((2, 4), (5, 10), (10, 20)):
        assert s[long] <= s[short] + 1e-12
    assert s.max() <= max(speeds) + 1e-12


def test_mean_max_needs_distance_or_speed():
    act = Activity(pd.DataFrame({"time_s": np.arange(100.0), "heart_rate_bpm": 150.0}))
    with pytest.raises(Exception) as err:
        mean_max_speed(act, [60])
    assert "distance" in str(err.value) or "speed" in str(err.value)


def test_bad_durations():
    with pytest.raises(InvalidValue, match="durations_s"):
        mean_max_speed(run(np.full(100, 4.0), cleaned=True), [0, 60])


# --------------------------------------------------------------------------- best_efforts
def test_best_efforts_over_several_activities():
    a = run(np.r_[np.full(600, 4.0), np.full(300, 5.0), np.full(601, 4.0)], source="a.fit")
    b = run(np.full(1501, 4.5), source="b.fit")
    bike = run(np.full(600, 9.0), sport="cycling", source="ride.fit")
    best = best_efforts([a, b, bike], durations_s=[120, 300, 900])
    assert best["duration_s"].tolist() == [120.0, 300.0, 900.0]
    assert best["source"].tolist() == ["a.fit", "a.fit", "b.fit"]
    np.testing.assert_allclose(best["speed_mps"], [5.0, 5.0, 4.5], rtol=1e-9)
    np.testing.assert_array_equal(best["time_s"], best["duration_s"])
    np.testing.assert_allclose(best["distance_m"], best["speed_mps"] * best["time_s"])
    assert best.attrs["skipped"] == ["ride.fit: a cycling activity, not running"]
    assert best.attrs["n_activities"] == 2


def test_best_efforts_multisport_uses_the_running_leg():
    v = np.r_[np.full(900, 9.0), np.full(900, 4.0)]
    act = run(v, sport="multisport", source="tri.fit")
    act.sessions = pd.DataFrame(
        {
            "sport": ["cycling", "running"],
            "sub_sport": [None, None],
            "start_time_s": [0.0, 900.0],
            "end_time_s": [899.0, 1799.0],
            "elapsed_s": [899.0, 899.0],
            "timer_s": [899.0, 899.0],
            "distance_m": [8091.0, 3596.0],
        }
    )
    best = best_efforts(act, durations_s=[120, 600])
    np.testing.assert_allclose(best["speed_mps"], 4.0, rtol=1e-6)


def test_best_efforts_splits_outings_and_skips_walks():
    a = run(np.full(601, 4.0)).records
    b = run(np.full(601, 5.0)).records
    b["time_s"] += 30 * 86400.0  # a month later (a clock jump or a second run)
    two = Activity(pd.concat([a, b], ignore_index=True), metadata={"sport": "running"})
    walk = run(np.full(600, 1.3), sport=None, source="walk.gpx")
    best = best_efforts([two, walk], durations_s=[300])
    assert best["speed_mps"].iloc[0] == pytest.approx(5.0, rel=1e-6)
    assert best.attrs["n_activities"] == 2
    assert "walk.gpx" in best.attrs["skipped"][0] and "walk" in best.attrs["skipped"][0]


def test_best_efforts_of_nothing_is_empty_not_an_error():
    best = best_efforts([run(np.full(50, 9.5), sport="cycling")])
    assert len(best) == 0 and list(best.columns)[:2] == ["duration_s", "time_s"]
    assert len(best.attrs["missing_durations_s"]) == 7


# --------------------------------------------------------------------------- efforts_for_fit
def test_efforts_for_fit_keeps_maximal_efforts_in_range():
    table = pd.DataFrame(
        {
            "distance_m": [400, 800, 1000, 1500, 1700, 3000, 5000, 10000],
            "time_s": [55, 118, 170, 250, 330, 620, 1100, 2400],
            "source": list("abcdefgh"),
        }
    )
    out = efforts_for_fit(table)
    # 55 s, 118 s and 2400 s are out of range; 1000 m in 170 s (5.88 m/s) is slower than
    # 1500 m in 250 s (6.00 m/s): not maximal
    assert out["time_s"].tolist() == [250.0, 330.0, 620.0, 1100.0]
    assert out["source"].tolist() == ["d", "e", "f", "g"]
    np.testing.assert_allclose(out["speed_mps"], out["distance_m"] / out["time_s"])
    dropped = " | ".join(out.attrs["dropped"])
    assert "170 s" in dropped and "not maximal" in dropped
    assert "55 s" in dropped and "outside" in dropped


def test_efforts_for_fit_keeps_the_fastest_of_a_repeated_duration():
    table = parse_efforts("1609.34:3:43.13,mile:3:43.13,3000:7:20.67,5000:12:35.36")
    out = efforts_for_fit(table)
    assert len(out) == 3 and out["distance_m"].iloc[0] == pytest.approx(1609.344)


def test_efforts_for_fit_bad_input():
    with pytest.raises(InvalidValue):
        efforts_for_fit(pd.DataFrame({"distance_m": [1000]}))
    with pytest.raises(InvalidValue):
        efforts_for_fit(parse_efforts("1500:4:00"), min_time_s=300, max_time_s=100)


# --------------------------------------------------------------------------- shared files
def test_shared_10k_race_best_efforts():
    path = shared_file("gc__10kUNLP2014-Garmin15.fit")
    best = best_efforts([path]).set_index("duration_s")
    # an evenly paced 10 km race (2224 s, no altitude): 4.5–4.9 m/s at every duration
    assert best.loc[300, "speed_mps"] == pytest.approx(4.65, abs=0.03)
    assert best.loc[1200, "speed_mps"] == pytest.approx(4.56, abs=0.03)
    assert (best["speed_mps"].diff().dropna() <= 0.01).all()


def test_shared_multisport_file_gives_only_the_run():
    best = best_efforts([shared_file("fitparse__sample_mulitple_header.fit")], [120, 1200])
    # the triathlon's bike leg rides at 8–10 m/s; the run is ~3.5–3.8 m/s
    assert best["speed_mps"].between(3.3, 4.0).all()
    assert best.attrs["n_activities"] == 1


def test_shared_files_skip_with_reasons(shared_dir):
    paths = [
        shared_dir / "fitdecode__garmin-fenix-5-bike.fit",
        shared_dir / "fitdecode__invalid_activity-filecrc.fit",
        shared_dir / "runalyze__time-jump.fit",
    ]
    best = best_efforts(paths, [120, 300])
    skipped = " | ".join(best.attrs["skipped"])
    assert "cycling" in skipped and "CRC" in skipped
    assert best.attrs["n_activities"] == 2  # the time-jump file: two outings
    assert set(best["source"]) == {str(paths[2])}
