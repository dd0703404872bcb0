"""Kick analysis from splits only: published races computed by hand, properties, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.activity import Activity
from kicklab.errors import InvalidSplits, InvalidValue, KicklabError
from kicklab.io import read_splits
from kicklab.kick import rules
from kicklab.kick.analysis import analyze
from kicklab.kick.splits import analyze_splits, split_frame

COE_1984 = "400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"
INGEBRIGTSEN_2024 = "400:54.82,800:1:51.38,1200:2:47.27,1500:3:28.24"


def _z_by_hand(times: list[float], dists: list[float], n_pre: int) -> tuple[float, float]:
    """Gain (%) and z of the step after split ``n_pre`` (levels = distance / time)."""
    d = np.diff(np.r_[0.0, dists])
    t = np.diff(np.r_[0.0, times])
    v = d / t
    mu1 = d[:n_pre].sum() / t[:n_pre].sum()
    mu2 = d[n_pre:].sum() / t[n_pre:].sum()
    resid = v - np.where(np.arange(v.size) < n_pre, mu1, mu2)
    sigma = math.sqrt(np.sum(t * resid**2) / t.sum())
    # lag-1 autocorrelation of these residuals is negative → no correction (factor 1)
    assert np.sum(resid[1:] * resid[:-1]) <= 0
    se = sigma * math.sqrt(1 / n_pre + 1 / (v.size - n_pre))
    return 100 * (mu2 / mu1 - 1), (mu2 - mu1) / se


# --------------------------------------------------------------------------- published races
def test_coe_1984_kick_at_the_bell_boundary():
    a = analyze_splits(COE_1984, source="coe")
    k = a.kick
    assert k.detected
    assert k.onset_distance_m == 1200.0
    assert k.onset_distance_to_go_m == 300.0
    assert k.onset_time_s == pytest.approx(173.21)
    assert k.onset_time_to_go_s == pytest.approx(212.53 - 173.21)
    assert k.duration_s == pytest.approx(39.32)
    assert k.onset_resolution_m == 400.0  # the split ending at the boundary
    assert k.ramp_s == 0.0
    pre, kick = 1200 / 173.21, 300 / 39.32  # race pace to 1200 m, the last 300 m
    assert k.pre_kick_speed_mps == pytest.approx(pre, rel=1e-12)
    assert k.kick_speed_mps == pytest.approx(kick, rel=1e-12)
    assert k.mean_speed_mps == pytest.approx(kick, rel=1e-12)
    assert k.peak_speed_mps == pytest.approx(kick, rel=1e-12)
    assert k.gain_pct == pytest.approx(100 * (kick / pre - 1), rel=1e-10)
    assert k.gain_pct == pytest.approx(10.13, abs=0.01)
    gain, z = _z_by_hand([58.85, 116.81, 173.21, 212.53], [400, 800, 1200, 1500], 3)
    assert k.gain_pct == pytest.approx(gain, rel=1e-10)
    assert f"z = {z:.1f}" in k.reason
    assert z > rules.KICK_Z
    # last 400/200/100 m interpolated at even pace inside the 800–1200 and 1200–1500 splits
    assert k.final_400_s == pytest.approx(212.53 - (116.81 + 0.75 * 56.40), abs=1e-9)
    assert k.final_200_s == pytest.approx(39.32 * 2 / 3, abs=1e-9)
    assert k.final_100_s == pytest.approx(39.32 / 3, abs=1e-9)
    assert math.isnan(k.hr_onset_bpm) and math.isnan(k.hr_end_bpm)
    assert math.isnan(k.cadence_share_pct) and math.isnan(k.pre_cadence_spm)
    assert a.finish_class == "kick"
    assert any("final_100_s, final_200_s, final_400_s interpolated" in n for n in a.notes)
    assert any("onset_resolution_m" in n for n in a.notes)
    assert any("fastest split's average" in n for n in a.notes)


def test_coe_1984_race_summary_and_series():
    a = analyze_splits(COE_1984, source="coe")
    assert a.source == "coe"
    assert a.speed_basis == "splits" and a.coarse
    assert a.race.rule == "splits"
    assert (a.race.start_time_s, a.race.start_distance_m) == (0.0, 0.0)
    assert a.race.end_distance_m == 1500.0 and a.race.end_time_s == pytest.approx(212.53)
    assert a.mean_speed_mps == pytest.approx(1500 / 212.53)
    half = 58.85 + 350 / 400 * 57.96  # 750 m, inside the second lap
    assert a.first_half_s == pytest.approx(half)
    assert a.second_half_s == pytest.approx(212.53 - half)
    s = a.series
    assert list(s.columns) == [
        "distance_m",
        "distance_to_go_m",
        "time_s",
        "split_distance_m",
        "split_time_s",
        "speed_mps",
    ]
    assert s["distance_m"].tolist() == [400, 800, 1200, 1500]
    assert s["distance_to_go_m"].tolist() == [1100, 700, 300, 0]
    np.testing.assert_allclose(s["split_time_s"], [58.85, 57.96, 56.40, 39.32], atol=1e-9)
    np.testing.assert_allclose(
        s["speed_mps"], [400 / 58.85, 400 / 57.96, 400 / 56.40, 300 / 39.32], rtol=1e-12
    )
    # phases tile the race; the third lap (56.40 s) is a 3.5 % surge into the kick
    assert a.phases[0].start_distance_m == 0 and a.phases[-1].end_distance_m == 1500
    assert [p.end_distance_m for p in a.phases] == [800, 1200, 1500]
    assert len(a.surges) == 1
    surge = a.surges[0]
    assert (surge.start_distance_m, surge.end_distance_m) == (800, 1200)
    assert surge.gain_pct == pytest.approx(100 * ((400 / 56.40) / (800 / 116.81) - 1))
    assert math.isnan(surge.after_speed_mps)  # it runs into the kick
    out = json.loads(json.dumps(a.to_dict()))
    assert out["class"] == "kick" and out["kick"]["hr_onset_bpm"] is None


def test_paris_2024_leader_even_pace_no_kick():
    a = analyze_splits(INGEBRIGTSEN_2024)
    k = a.kick
    assert not k.detected
    assert math.isnan(k.onset_distance_m) and math.isnan(k.gain_pct)
    gain, z = _z_by_hand([54.82, 111.38, 167.27, 208.24], [400, 800, 1200, 1500], 3)
    assert gain == pytest.approx(2.07, abs=0.01)  # ≥ 2 %, but within the lap-to-lap swings
    assert z < rules.KICK_Z
    assert f"{gain:+.1f} %" in k.reason and f"z = {z:.1f}" in k.reason
    assert k.final_400_s == pytest.approx(208.24 - (111.38 + 0.75 * 55.89), abs=1e-9)
    assert a.finish_class == "even"
    assert a.surges == []


def test_billy_mills_two_splits_no_kick_but_exact_last_lap():
    a = analyze_splits("9600:27:24.6,10000:28:24.4")
    assert not a.kick.detected
    assert "2 splits" in a.kick.reason
    assert a.finish_class == "undetermined"
    assert a.kick.final_400_s == pytest.approx(59.8, abs=1e-9)
    assert not any("final_400_s" in n for n in a.notes)  # exact: a boundary sits at 400 m to go
    assert any("final_100_s, final_200_s interpolated" in n for n in a.notes)


def test_later_sprint_after_a_long_drive_is_the_kick():
    # 5000 m in 400 m laps (200 m first): 66 s laps, a drive at 58 s from 1600 m to go, then
    # a 54 s last lap. The biggest step is the drive; the sprint after it is the kick, the
    # drive is the pace it rose from, and the drive itself is a surge into the kick.
    laps = [33.0] + [66.0] * 8 + [58.0] * 3 + [54.0]
    dist = np.r_[200.0, 200.0 + 400.0 * np.arange(1, 13)]
    a = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": np.cumsum(laps)}))
    assert a.kick.detected
    assert a.kick.onset_distance_to_go_m == 400.0
    assert a.kick.pre_kick_speed_mps == pytest.approx(400 / 58.0)
    assert a.kick.gain_pct == pytest.approx(100 * (58 / 54 - 1))
    assert a.kick.final_400_s == pytest.approx(54.0)
    assert a.finish_class == "kick"
    (drive,) = a.surges
    assert (drive.start_distance_to_go_m, drive.end_distance_m) == (1600.0, 4600.0)
    assert drive.gain_pct == pytest.approx(100 * (66 / 58 - 1))


def test_long_drive_from_far_out_is_a_surge_not_a_kick():
    # 10 000 m: 20 laps at 68 s, then 64 s from 2000 m to go (beyond the 800 m kick limit)
    laps = [68.0] * 20 + [64.0] * 5
    splits = ",".join(f"{400 * (i + 1)}:{t:.2f}" for i, t in enumerate(np.cumsum(laps)))
    a = analyze_splits(splits)
    assert not a.kick.detected
    assert a.finish_class == "long_surge"
    move = a.surges[-1]
    assert move.start_distance_to_go_m == 2000.0 and move.end_distance_m == 10000.0
    assert move.gain_pct == pytest.approx(100 * (68 / 64 - 1))
    assert a.kick.final_400_s == pytest.approx(64.0)
    assert any("reported as a surge" in n for n in a.notes)


def test_mid_race_surge_before_the_kick():
    # 13 laps: 75 s, a two-lap surge at 66 s from 2400 m, 69 s laps, then a 62 s last lap
    laps = [75.0] * 6 + [66.0] * 2 + [69.0] * 4 + [62.0]
    splits = ",".join(f"{400 * (i + 1)}:{t:.2f}" for i, t in enumerate(np.cumsum(laps)))
    a = analyze_splits(splits)
    assert [p.end_distance_m for p in a.phases] == [2400, 3200, 4800, 5200]
    assert [p.mean_speed_mps for p in a.phases] == pytest.approx(
        [400 / 75, 400 / 66, 400 / 69, 400 / 62]
    )
    assert a.kick.detected and a.kick.onset_distance_m == 4800
    # race pace from the split holding 400 m before the search window (last 2000 m) on
    assert a.kick.pre_kick_speed_mps == pytest.approx(2000 / (66 + 4 * 69))
    # the surge is the two 66 s laps: the 69 s laps after it are 4.3 % slower than the surge
    # (its price), though still faster than the 75 s pace before it
    (surge,) = a.surges
    assert (surge.start_distance_m, surge.end_distance_m) == (2400, 3200)
    assert surge.start_distance_to_go_m == 2800 and surge.distance_m == 800
    assert surge.duration_s == pytest.approx(2 * 66)
    assert surge.pre_speed_mps == pytest.approx(400 / 75)
    assert surge.mean_speed_mps == pytest.approx(400 / 66)
    assert surge.gain_pct == pytest.approx(100 * (75 / 66 - 1))
    assert surge.after_speed_mps == pytest.approx(400 / 69)
    assert surge.after_pct == pytest.approx(100 * (75 / 69 - 1))


# --------------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 25),
    lap=st.sampled_from([200.0, 400.0, 1000.0]),
    lap_speed=st.floats(3.0, 8.0),
)
def test_even_splits_have_no_kick(n, lap, lap_speed):
    dist = lap * np.arange(1, n + 1)
    time = dist / lap_speed
    a = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": time}))
    assert not a.kick.detected
    assert a.surges == []
    expected = "even" if n >= 3 and dist[-1] >= rules.MIN_RACE_M else "undetermined"
    assert a.finish_class == expected


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 12),
    lap_s=st.floats(55.0, 90.0),
    last_m=st.sampled_from([100.0, 200.0, 300.0, 400.0]),
    k=st.floats(0.03, 0.30),
)
def test_a_final_split_k_percent_faster_gives_gain_k(n, lap_s, last_m, k):
    v = 400.0 / lap_s
    dist = np.r_[400.0 * np.arange(1, n + 1), 400.0 * n + last_m]
    seg_t = np.r_[np.full(n, lap_s), last_m / (v * (1 + k))]
    a = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": np.cumsum(seg_t)}))
    assert a.kick.detected
    assert a.kick.onset_distance_to_go_m == pytest.approx(last_m)
    assert a.kick.gain_pct == pytest.approx(100 * k, rel=1e-6)
    assert a.finish_class == "kick"


@st.composite
def _races(draw):
    n = draw(st.integers(3, 10))
    laps = draw(st.lists(st.floats(55.0, 80.0), min_size=n, max_size=n))
    last_m = draw(st.sampled_from([200.0, 300.0, 400.0]))
    dist = np.r_[400.0 * np.arange(1, n), 400.0 * (n - 1) + last_m]
    seg_t = np.asarray(laps) * np.r_[np.ones(n - 1), last_m / 400.0]
    return dist, np.cumsum(seg_t)


@settings(max_examples=40, deadline=None)
@given(race=_races(), scale=st.sampled_from([0.5, 2.0]))
def test_scaling_all_times_leaves_the_kick_unchanged(race, scale):
    dist, time = race
    a = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": time}))
    b = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": time * scale}))
    assert a.kick.detected == b.kick.detected
    assert a.finish_class == b.finish_class
    if a.kick.detected:
        assert b.kick.onset_distance_m == a.kick.onset_distance_m
        assert b.kick.gain_pct == pytest.approx(a.kick.gain_pct, rel=1e-12)
        assert b.kick.onset_time_to_go_s == pytest.approx(scale * a.kick.onset_time_to_go_s)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(3, 10),
    lap_s=st.floats(58.0, 80.0),
    k=st.floats(0.04, 0.25),
    scale=st.floats(0.8, 1.25),
)
def test_any_time_scale_keeps_onset_and_gain(n, lap_s, k, scale):
    wobble = np.resize([0.0, 0.4, -0.3, 0.2], n)  # a little lap-to-lap variation
    seg_t = np.r_[lap_s + wobble, lap_s / (1 + k)]
    dist = 400.0 * np.arange(1, n + 2)
    a = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": np.cumsum(seg_t)}))
    b = analyze_splits(pd.DataFrame({"distance_m": dist, "time_s": scale * np.cumsum(seg_t)}))
    assert a.kick.detected and b.kick.detected
    assert b.kick.onset_distance_m == a.kick.onset_distance_m == 400.0 * n
    assert b.kick.gain_pct == pytest.approx(a.kick.gain_pct, rel=1e-9)


# --------------------------------------------------------------------------- inputs
def test_string_frame_and_activity_give_the_same_analysis():
    by_text = analyze_splits(COE_1984)
    frame = pd.DataFrame(
        {"distance_m": [0, 400, 800, 1200, 1500], "time_s": [0, 58.85, 116.81, 173.21, 212.53]}
    )
    by_frame = analyze_splits(frame)
    activity = read_splits(COE_1984, "coe.txt")
    by_activity = analyze_splits(activity)
    assert by_activity.source == "coe.txt"
    for other in (by_frame, by_activity):
        assert other.kick.to_dict() == by_text.kick.to_dict()
        assert other.finish_class == by_text.finish_class
    # the orchestrator hands split tables to analyze_splits
    via_analyze = analyze(activity)
    assert via_analyze.coarse and via_analyze.kick.to_dict() == by_text.kick.to_dict()


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "400:60,300:70",  # distance goes back
        "400:60,800:50",  # time goes back
        "400:1",  # 400 m/s
        "hello",
        pd.DataFrame({"distance": [400], "time": [60]}),
        pd.DataFrame({"distance_m": [400, 800], "time_s": [60, np.nan]}),
        pd.DataFrame({"distance_m": [400, 800], "time_s": [60, 60]}),
        pd.DataFrame({"distance_m": [-400, 800], "time_s": [60, 120]}),
        pd.DataFrame({"distance_m": ["a", "b"], "time_s": [60, 120]}),
        pd.DataFrame({"distance_m": [], "time_s": []}),
    ],
)
def test_invalid_splits_raise_invalid_splits(bad):
    with pytest.raises(InvalidSplits):
        analyze_splits(bad, source="bad")


@pytest.mark.parametrize("bad", [None, 42, [400, 60], b"400:60"])
def test_other_inputs_raise_invalid_value(bad):
    with pytest.raises(InvalidValue):
        analyze_splits(bad)


def test_a_sampled_activity_is_refused():
    act = Activity(pd.DataFrame({"time_s": [0.0, 1.0, 2.0], "distance_m": [0.0, 4.0, 8.0]}))
    with pytest.raises(InvalidValue, match="not a split table"):
        split_frame(act)


def test_errors_name_the_source():
    with pytest.raises(KicklabError) as info:
        analyze_splits("400:60,300:70", source="race.txt")
    assert str(info.value).startswith("race.txt:")


def test_short_races():
    one = analyze_splits("1500:3:40")
    assert not one.kick.detected and one.finish_class == "undetermined"
    assert len(one.series) == 1 and len(one.phases) == 1
    assert one.kick.final_400_s == pytest.approx(400 / 1500 * 220)
    tiny = analyze_splits("50:7.5,100:14.5,150:21")
    assert not tiny.kick.detected and "too short" in tiny.kick.reason
    assert tiny.finish_class == "undetermined"
    assert math.isnan(tiny.kick.final_200_s) and math.isnan(tiny.kick.final_400_s)
    assert tiny.kick.final_100_s == pytest.approx(13.5)
