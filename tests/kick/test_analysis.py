"""The kick-analysis orchestrator: sample races, FIT round trip, embedded races, real files."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kicklab.activity import Activity
from kicklab.errors import InvalidValue, KicklabError
from kicklab.io import read, write_fit
from kicklab.kick import FINISH_CLASSES, analyze
from kicklab.samples import sample_race
from tests.conftest import SHARED, shared_manifest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import validate_kick

_KICK_KEYS = {
    "detected",
    "onset_distance_to_go_m",
    "onset_time_to_go_s",
    "peak_speed_mps",
    "mean_speed_mps",
    "gain_pct",
    "final_400_s",
    "cadence_share_pct",
    "step_length_share_pct",
}


@pytest.fixture(scope="module")
def race() -> Activity:
    return sample_race()


@pytest.fixture(scope="module")
def result(race):
    return analyze(race)


def test_sample_race_is_a_kick(race, result):
    truth = race.metadata["truth"]
    assert result.finish_class == "kick"
    k = result.kick
    assert k.detected
    assert abs(k.onset_distance_to_go_m - truth["kick_onset_distance_to_go_m"]) < 15.0
    assert abs(k.onset_time_s - truth["kick_onset_time_s"]) < 4.0
    assert abs(k.gain_pct - validate_kick.true_gain_pct(race)) < 2.0
    assert k.cadence_share_pct == pytest.approx(100 * truth["cadence_share"], abs=5.0)
    assert k.cadence_share_pct + k.step_length_share_pct == pytest.approx(100.0, abs=1e-9)
    assert result.race.rule == "whole_activity"
    assert result.race.distance_m == pytest.approx(1500.0, abs=1.0)
    assert result.race.duration_s == pytest.approx(truth["finish_time_s"], abs=0.5)
    assert result.speed_basis == "speed" and not result.coarse
    assert result.mean_speed_mps == pytest.approx(
        result.race.distance_m / result.race.duration_s, rel=1e-12
    )
    assert result.first_half_s + result.second_half_s == pytest.approx(result.race.duration_s)
    assert result.second_half_s < result.first_half_s  # a kick makes a negative split


def test_final_times_match_the_truth(race, result):
    r = race.records
    t, d = r["time_s"].to_numpy(), r["distance_m"].to_numpy()
    truth_400 = t[-1] - np.interp(1100.0, d, t)
    assert result.kick.final_400_s == pytest.approx(truth_400, abs=0.5)
    assert result.kick.final_100_s < result.kick.final_200_s < result.kick.final_400_s


def test_to_dict_is_json_ready(result):
    out = result.to_dict()
    assert {"class", "kick", "surges", "race", "phases"} <= set(out)
    assert out["class"] == "kick"
    assert set(out["kick"]) >= _KICK_KEYS
    assert out["kick"]["detected"] is True
    assert isinstance(out["surges"], list)
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert back["kick"]["gain_pct"] == pytest.approx(result.kick.gain_pct)
    for key in _KICK_KEYS - {"detected"}:
        assert isinstance(back["kick"][key], float), key
    assert back["race"]["distance_m"] == pytest.approx(result.race.distance_m)


def test_series_for_plots(result):
    s = result.series
    for col in ("time_s", "distance_m", "distance_to_go_m", "speed_mps", "speed_analysed_mps"):
        assert col in s
    assert s["distance_to_go_m"].iloc[0] == pytest.approx(result.race.distance_m)
    assert s["distance_to_go_m"].iloc[-1] == pytest.approx(0.0, abs=1e-9)


def test_fit_round_trip(race, result):
    data = write_fit(race)
    from_bytes = analyze(data, name="race.fit")
    from_read = analyze(read(data))
    for a in (from_bytes, from_read):
        assert a.finish_class == "kick"
        assert a.kick.onset_distance_to_go_m == pytest.approx(
            result.kick.onset_distance_to_go_m, abs=5.0
        )
        assert a.kick.gain_pct == pytest.approx(result.kick.gain_pct, abs=0.5)
        assert a.kick.cadence_share_pct == pytest.approx(result.kick.cadence_share_pct, abs=3.0)
    assert from_bytes.source == "race.fit"
    json.dumps(from_bytes.to_dict(), allow_nan=False)


def test_no_kick_race_is_not_a_kick():
    a = analyze(sample_race(5000.0, kick_distance_to_go_m=0.0, seed=1))
    assert not a.kick.detected
    assert a.finish_class in {"even", "fade", "progressive"}
    assert math.isfinite(a.kick.final_400_s)
    d = a.to_dict()
    assert d["kick"]["onset_distance_to_go_m"] is None  # NaN → null
    json.dumps(d, allow_nan=False)


def _embedded(race: Activity, t0: float = 600.0, d0: float = 1800.0) -> Activity:
    """Warm-up at 3 m/s for t0 s, the race, then a 2.5 m/s cool-down (device data only)."""
    cols = ["time_s", "distance_m", "speed_mps", "heart_rate_bpm", "cadence_spm"]
    wt = np.arange(0.0, t0)
    warm = pd.DataFrame(
        {
            "time_s": wt,
            "distance_m": 3.0 * wt,
            "speed_mps": 3.0,
            "heart_rate_bpm": 130.0,
            "cadence_spm": 165.0,
        }
    )
    r = race.records[cols].copy()
    r["time_s"] += t0
    r["distance_m"] += d0
    tf, df = float(r["time_s"].iloc[-1]), float(r["distance_m"].iloc[-1])
    ct = np.arange(math.ceil(tf) + 1.0, math.ceil(tf) + 400.0)
    cool = pd.DataFrame(
        {
            "time_s": ct,
            "distance_m": df + 2.5 * (ct - tf),
            "speed_mps": 2.5,
            "heart_rate_bpm": 150.0,
            "cadence_spm": 160.0,
        }
    )
    records = pd.concat([warm, r, cool], ignore_index=True)
    return Activity(records, metadata={"sport": "running", "source": "session"})


def test_race_distance_finds_race_in_a_session(race):
    act = _embedded(race)
    a = analyze(act, race_distance_m=1500)
    assert a.race.rule == "race_distance"
    assert a.race.start_time_s == pytest.approx(600.0, abs=2.0)
    assert a.race.start_distance_m == pytest.approx(1800.0, abs=10.0)
    assert a.race.distance_m == pytest.approx(1500.0, abs=1e-6)
    assert a.finish_class == "kick"
    truth = race.metadata["truth"]
    assert abs(a.kick.onset_distance_to_go_m - truth["kick_onset_distance_to_go_m"]) < 15.0
    # onsets are reported in activity time and distance
    assert a.kick.onset_time_s == pytest.approx(600.0 + truth["kick_onset_time_s"], abs=4.0)
    assert a.kick.onset_distance_m == pytest.approx(
        a.race.end_distance_m - a.kick.onset_distance_to_go_m, abs=1e-6
    )
    for item in (*a.phases, *a.surges):
        assert a.race.start_time_s - 1e-6 <= item.start_time_s <= a.race.end_time_s + 1e-6
    # without the distance the whole session (warm-up included) is analysed
    assert analyze(act).race.rule == "whole_activity"


def test_explicit_start_end(race):
    act = _embedded(race)
    a = analyze(act, start="10:00", end="3300m")
    assert a.race.rule == "start_end"
    assert a.race.start_time_s == 600.0
    assert a.race.end_distance_m == pytest.approx(3300.0, abs=1e-6)
    assert a.race.duration_s == pytest.approx(race.metadata["truth"]["finish_time_s"], abs=1.0)
    assert a.finish_class == "kick"
    # a "race" of a second is too short to classify
    assert analyze(act, start="10:00", end="1800m").finish_class == "undetermined"
    with pytest.raises(InvalidValue) as info:
        analyze(act, start="0:10", end="0:05")
    assert info.value.source == "session"


def test_race_longer_than_activity_raises(race):
    with pytest.raises(InvalidValue):
        analyze(race, race_distance_m=3000)


def test_hills_use_grade_adjusted_speed():
    race = sample_race(1500.0, seed=0)
    rec = race.records.copy()
    rec["altitude_m"] = 130.0 + 0.03 * rec["distance_m"]  # a steady 3 % climb
    a = analyze(race.with_records(rec))
    assert a.speed_basis == "grade_adjusted"
    assert any("grade-adjusted" in n for n in a.notes)
    assert a.finish_class == "kick"
    # detection is on grade-adjusted speed, the reported speeds are the ones run
    s = a.series
    inner = s["grade"].between(0.025, 0.035)
    assert inner.mean() > 0.8
    assert (s["speed_analysed_mps"][inner] > s["speed_mps"][inner]).all()
    assert a.kick.mean_speed_mps < 6.0


def test_long_surge_is_reported_as_a_move_not_a_kick():
    # 5000 m: 4.2 m/s, then 4.5 m/s (+7 %) from 1200 m to go (beyond the 800 m kick limit)
    rng = np.random.default_rng(0)
    n1, n2 = int(3800 / 4.2), math.ceil(1200 / 4.5) + 1
    sp = np.r_[np.full(n1, 4.2), np.full(n2, 4.5)] * (1 + 0.01 * rng.standard_normal(n1 + n2))
    t = np.arange(sp.size, dtype=float)
    d = np.r_[0.0, np.cumsum(sp[:-1])]
    rec = pd.DataFrame({"time_s": t, "distance_m": d, "speed_mps": sp})
    a = analyze(Activity(rec, metadata={"sport": "running"}))
    assert a.finish_class == "long_surge"
    assert "800 m" in a.class_reason
    assert not a.kick.detected and a.kick.reason.startswith("no kick:")
    assert math.isnan(a.kick.onset_distance_m) and math.isfinite(a.kick.final_400_s)
    move = a.surges[-1]
    assert move.start_distance_to_go_m == pytest.approx(d[-1] - d[n1], abs=25.0)
    assert move.end_distance_m == pytest.approx(a.race.end_distance_m)
    assert move.gain_pct == pytest.approx(100 * (4.5 / 4.2 - 1), abs=1.0)
    assert math.isnan(move.after_speed_mps)
    json.dumps(a.to_dict(), allow_nan=False)


def test_bad_source_type():
    with pytest.raises(InvalidValue):
        analyze(12345)


# --------------------------------------------------------------------------- real files
def _readable_rows():
    return [r for r in shared_manifest() if "MALFORMED" not in r["notes"]]


def _malformed_rows():
    return [r for r in shared_manifest() if "MALFORMED" in r["notes"]]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/activities is absent")
def test_every_shared_file_analyses():
    rows = _readable_rows()
    assert rows
    classes = {}
    for row in rows:
        path = SHARED / row["file"]
        if not path.is_file():
            continue
        a = analyze(path)
        assert a.finish_class in FINISH_CLASSES, row["file"]
        json.dumps(a.to_dict(), allow_nan=False)
        if a.kick.detected:
            assert 0 < a.kick.onset_distance_to_go_m <= a.race.distance_m, row["file"]
        classes[row["file"]] = a.finish_class
    assert len(classes) >= 0.8 * len(rows)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/activities is absent")
def test_malformed_shared_files_raise():
    rows = _malformed_rows()
    assert len(rows) == 4
    for row in rows:
        path = SHARED / row["file"]
        if not path.is_file():
            continue
        with pytest.raises(KicklabError) as info:
            analyze(path)
        assert info.value.source  # the error names the file


# --------------------------------------------------------------------------- validation
def test_synthetic_validation():
    df = validate_kick.run(n_races=8, seed=0, modes=("gps", "device"))
    assert len(df) == 16
    device = df[df["mode"] == "device"]
    detected = device[device["detected"]]
    assert device["detected"].mean() >= 0.75
    assert df["detected"].mean() >= 0.75
    assert detected["onset_error_m"].abs().median() < 20.0
    assert detected["gain_error_pp"].abs().median() < 2.0
    share_err = (detected["cadence_share_pct"] - detected["true_cadence_share_pct"]).abs()
    assert share_err.median() < 5.0
    assert (df.loc[df["detected"], "class"] == "kick").mean() >= 0.75


# --------------------------------------------------------------------------- D' balance
def test_d_balance_with_an_athlete_profile():
    race = sample_race(seed=2)
    plain = analyze(race)
    assert math.isnan(plain.kick.d_balance_at_onset_m)
    result = analyze(race, athlete={"cs_mps": 4.4, "d_prime_m": 180.0})
    k = result.kick
    bal = result.series["d_balance_m"].to_numpy()
    assert np.all(bal <= 180.0 + 1e-9)
    # racing above CS spends D': less left at the onset than at the start, least at the finish
    assert k.d_balance_min_m <= k.d_balance_at_onset_m < 180.0
    assert k.d_balance_at_finish_m == pytest.approx(bal[-1])
    assert k.d_balance_at_onset_pct == pytest.approx(100 * k.d_balance_at_onset_m / 180.0)
    # the kick (above CS) spends at least (kick speed − CS) × kick time of it, less recovery = 0
    spent = k.d_balance_at_onset_m - k.d_balance_at_finish_m
    assert spent == pytest.approx((k.mean_speed_mps - 4.4) * k.duration_s, rel=0.05)
    assert any("D' balance" in n for n in result.notes)


def test_d_balance_stays_full_below_critical_speed():
    result = analyze(sample_race(seed=2), athlete={"cs_mps": 7.0, "d_prime_m": 150.0})
    assert result.kick.d_balance_min_m == pytest.approx(150.0)


def test_d_balance_needs_positive_values():
    with pytest.raises(KicklabError, match="cs_mps"):
        analyze(sample_race(seed=2), athlete={"cs_mps": -1, "d_prime_m": 150.0})
