"""Speed reserve: sprint speed, aerobic speed, ASR/SRR, Sandford types and the kick profile."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import EmptyActivity, InvalidValue, KicklabError
from kicklab.physiology.efforts import mean_max_speed
from kicklab.physiology.reserve import (
    MAS_DURATION_S,
    PROFILE_TYPES,
    SETTLE_S,
    KickProfile,
    _sprint_time,
    asr,
    mas_from_model,
    mss_from_activity,
    mss_from_sprint,
    profile_type,
    srr,
)
from tests.conftest import shared_file
from tests.physiology.test_efforts import run

# a sprint inside a jog: accelerate at ≤ 1.5 m/s², hold 8 m/s for 5 s, ease off
SPRINT = [4.5, 6.0, 7.5, 8.0, 8.0, 8.0, 8.0, 8.0, 7.0, 5.5, 4.0]


def jog_with_sprint(at_s: int, n: int = 600, jog: float = 3.0) -> np.ndarray:
    v = np.full(n, jog)
    v[at_s : at_s + len(SPRINT)] = SPRINT
    return v


# --------------------------------------------------------------------------- from activities
def test_mss_from_activity_finds_the_sprint():
    act = run(jog_with_sprint(300), cadence=180.0)
    assert mss_from_activity(act) == pytest.approx(8.0, abs=0.01)
    assert mss_from_activity(act, window_s=5) == pytest.approx(8.0, abs=0.01)


def test_mss_from_activity_uses_raw_not_smoothed_speed():
    # a 3 s peak: smoothing (5 s window) would shave it, the raw despiked speed keeps it
    v = np.full(400, 3.0)
    v[200:209] = [4.0, 5.0, 6.0, 7.0, 7.0, 7.0, 6.0, 5.0, 4.0]
    act = run(v)
    assert mss_from_activity(act) == pytest.approx(7.0, abs=0.01)
    from kicklab.signal import clean

    smooth = clean(act).records["speed_mps"].max()
    assert smooth < 6.9  # the smoothed peak is lower: the raw speed is what is used


def test_gnss_settling_at_the_start_is_not_a_sprint():
    early = run(jog_with_sprint(int(SETTLE_S) // 3))  # "sprint" 20 s after the start
    assert mss_from_activity(early) == pytest.approx(3.0, abs=0.01)
    with pytest.raises(InvalidValue, match="no maximal sprint"):
        mss_from_activity(early, cs_mps=2.8)  # 3.0 m/s is 1.07 × CS


def test_a_sprint_after_standing_still_counts():
    v = np.r_[np.full(200, 3.0), np.zeros(30), [2.0, 4.0, 5.5, 7.0, 7.5, 7.5, 7.5, 6.0, 4.0]]
    v = np.r_[v, np.full(200, 3.0)]
    act = run(v)
    assert mss_from_activity(act) == pytest.approx(7.5, abs=0.01)


def test_steps_too_long_for_a_human_reveal_a_gps_artefact():
    v = jog_with_sprint(300)
    v[100:104] = 12.0  # four samples of GPS nonsense at a jogging cadence
    with_cadence = run(v, cadence=150.0)
    assert mss_from_activity(with_cadence) == pytest.approx(8.0, abs=0.01)  # 4.8 m steps: out
    without = run(v)
    assert mss_from_activity(without) == pytest.approx(12.0)  # nothing to check it against


def test_speed_from_positions_is_too_coarse_for_a_sprint():
    v = jog_with_sprint(300)
    act = run(v)
    act.records["speed_mps"] = np.nan  # distance only: speed gets derived from it
    with pytest.raises(EmptyActivity, match="derived from distance"):
        mss_from_activity(act)


def test_mss_from_a_mean_max_table():
    mm = mean_max_speed(run(jog_with_sprint(300), cleaned=True), [1, 3, 5, 60])
    assert mss_from_activity(mm) == pytest.approx(8.0)
    assert mss_from_activity(mm, window_s=5) == pytest.approx(8.0)
    with pytest.raises(InvalidValue, match="3–5 s"):
        mss_from_activity(mm[mm["duration_s"] == 60])


def test_mss_window_must_be_3_to_5_s():
    with pytest.raises(InvalidValue, match="window_s"):
        mss_from_activity(run(np.full(100, 3.0)), window_s=10)


def test_mss_refuses_other_sports():
    with pytest.raises(EmptyActivity, match="cycling"):
        mss_from_activity(run(jog_with_sprint(300), sport="cycling"))


def test_mss_bad_input():
    with pytest.raises(InvalidValue):
        mss_from_activity(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- sprint tests
def test_flying_sprint():
    assert mss_from_sprint(20, 2.0) == pytest.approx(10.0)
    # splits from a flying start: the fastest split is the sprint speed
    assert mss_from_sprint([10, 20, 30], [1.10, 2.15, 3.22]) == pytest.approx(10 / 1.05)


def test_standing_start_published_example():
    # split-time example of the 'shorts' R package (Jovanović & Vescovi 2022), fitted with the
    # same mono-exponential model and least squares on time: MSS 7.553 m/s, TAU 0.707 s
    mss = mss_from_sprint([5, 10, 20, 30, 35], [1.21, 1.99, 3.38, 4.71, 5.30], flying=False)
    assert mss == pytest.approx(7.553, abs=0.001)


@pytest.mark.parametrize(("mss", "tau"), [(9.2, 1.1), (7.0, 0.8), (11.5, 1.3)])
def test_standing_start_recovers_the_model(mss, tau):
    d = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    t = _sprint_time(d, mss, tau)
    # the model itself: d(t) = MSS (t − τ (1 − e^(−t/τ)))
    np.testing.assert_allclose(mss * (t - tau * (1 - np.exp(-t / tau))), d, rtol=1e-10)
    assert mss_from_sprint(d, t, flying=False) == pytest.approx(mss, rel=1e-6)
    one = mss_from_sprint(d[2], t[2], flying=False, tau_s=tau)  # one split with τ known
    assert one == pytest.approx(mss, rel=1e-6)


@pytest.mark.parametrize(
    ("d", "t", "match"),
    [
        ([10, 20], [1.0], "as many"),
        ([20, 10], [2.0, 3.0], "cumulative"),
        ([150], [25.0], "not a sprint"),
        ([30], [2.0], "faster than anyone"),
        ([-5], [1.0], "positive"),
    ],
)
def test_sprint_bad_input(d, t, match):
    with pytest.raises(InvalidValue, match=match):
        mss_from_sprint(d, t)


# --------------------------------------------------------------------------- aerobic speed
def test_mas_is_the_six_minute_model_speed():
    assert MAS_DURATION_S == 360.0
    assert mas_from_model(4.9, 150.0) == pytest.approx(4.9 + 150.0 / 360.0)
    assert mas_from_model(4.9, 150.0, float("nan")) == pytest.approx(4.9 + 150.0 / 360.0)
    # Morton's worked check in power units (SCIENCE.md §1): CP 300 W, W' 20 kJ, Pmax 1000 W
    assert mas_from_model(300.0, 20000.0, 1000.0, duration_s=300) == pytest.approx(
        360.87, abs=0.005
    )
    both = mas_from_model([4.9, 5.0], [150.0, 150.0], [np.nan, 8.0])
    assert both[0] == pytest.approx(4.9 + 150 / 360)
    assert both[1] == pytest.approx(5.0 + 150 / (360 + 150 / 3.0))


def test_mas_bad_input():
    with pytest.raises(InvalidValue):
        mas_from_model(5.0, 150.0, 4.0)  # MSS below CS
    with pytest.raises(InvalidValue):
        mas_from_model(-1.0, 150.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(2.0, 7.0), st.floats(20.0, 600.0), st.floats(0.05, 6.0))
def test_mas_lies_between_cs_and_mss(cs, d_prime, extra):
    mss = cs + extra
    mas = mas_from_model(cs, d_prime, mss)
    assert cs < mas < mss
    assert mas <= mas_from_model(cs, d_prime)  # the sprint ceiling lowers the 2P speed


# --------------------------------------------------------------------------- ASR, SRR, types
def test_asr_and_srr_values():
    assert asr(8.6, 5.5) == pytest.approx(3.1)
    assert srr(8.6, 5.5) == pytest.approx(8.6 / 5.5)
    np.testing.assert_allclose(srr([8.0, 9.0], 5.0), [1.6, 1.8])
    assert math.isnan(asr(float("nan"), 5.0))
    with pytest.raises(InvalidValue):
        srr(0.0, 5.0)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 12.5), st.floats(0.5, 12.5))
def test_reserve_is_positive_exactly_when_ratio_reaches_one(mss, mas):
    assert (asr(mss, mas) >= 0) == (srr(mss, mas) >= 1)
    assert srr(mss, mas) * mas == pytest.approx(mss)


@pytest.mark.parametrize(
    ("ratio", "kind"),
    [
        (1.80, 0),
        (1.58, 0),
        (1.575, 0),
        (1.57, 1),
        (1.48, 1),
        (1.47, 2),
        (1.36, 2),
        (1.35, 3),
        (1.00, 3),
    ],
)
def test_sandford_band_edges(ratio, kind):
    assert profile_type(ratio) == PROFILE_TYPES[kind]


def test_profile_type_names_and_arrays():
    assert PROFILE_TYPES == (
        "400–800 type (speed)",
        "800 type",
        "800–1500 type (endurance)",
        "1500+ endurance type",
    )
    assert profile_type(float("nan")) is None
    out = profile_type([1.6, 1.5, 1.4, np.nan])
    assert list(out) == [*PROFILE_TYPES[:3], None]
    with pytest.raises(InvalidValue, match="below 1"):
        profile_type(0.95)


# --------------------------------------------------------------------------- KickProfile
def test_kick_profile_of_a_kicker():
    kp = KickProfile.from_values(cs_mps=4.9, d_prime_m=150.0, mss_mps=8.6)
    assert kp.mas_mps == pytest.approx(mas_from_model(4.9, 150.0, 8.6))
    assert kp.asr_mps == pytest.approx(8.6 - kp.mas_mps)
    assert kp.srr == pytest.approx(8.6 / kp.mas_mps)
    assert kp.profile_type == "400–800 type (speed)"
    d = kp.to_dict()
    assert list(d) == [
        "cs_mps",
        "d_prime_m",
        "mss_mps",
        "mas_mps",
        "asr_mps",
        "srr",
        "profile_type",
    ]
    assert json.loads(json.dumps(d)) == d
    text = kp.summary()
    assert "natural kicker" in text and "3.3" in text and "3:24/km" in text


def test_kick_profile_of_a_grinder():
    kp = KickProfile.from_values(cs_mps=5.0, d_prime_m=200.0, mss_mps=7.2)
    assert kp.profile_type == "1500+ endurance type"
    text = kp.summary()
    assert "long surge from 600–800 m" in text
    assert "below Sandford's published bands" in text


def test_kick_profile_without_sprint_speed():
    kp = KickProfile.from_values(cs_mps=4.0, d_prime_m=180.0)
    d = kp.to_dict()
    assert d["mss_mps"] is None and d["srr"] is None and d["profile_type"] is None
    assert d["mas_mps"] == pytest.approx(4.5)
    assert "Sprint speed unknown" in kp.summary()
    nan = KickProfile.from_values(cs_mps=4.0, d_prime_m=180.0, mss_mps=float("nan"))
    assert nan.mss_mps is None


def test_kick_profile_rejects_impossible_values():
    with pytest.raises(InvalidValue):
        KickProfile.from_values(cs_mps=5.0, d_prime_m=150.0, mss_mps=4.5)
    with pytest.raises(InvalidValue):
        KickProfile.from_values(cs_mps=0.0, d_prime_m=150.0)
    with pytest.raises(InvalidValue):
        KickProfile.from_values(cs_mps=5.0, d_prime_m=-1.0)
    odd = KickProfile.from_values(cs_mps=4.0, d_prime_m=150.0, mss_mps=6.0, mas_mps=6.5)
    assert odd.profile_type is None and odd.srr < 1 and "below aerobic speed" in odd.summary()


# --------------------------------------------------------------------------- shared files
def test_shared_race_has_no_sprint_worth_the_name():
    path = shared_file("gc__10kUNLP2014-Garmin15.fit")
    mss = mss_from_activity(path)
    assert mss == pytest.approx(5.22, abs=0.02)  # the best 3 s of an evenly paced 10 km
    with pytest.raises(InvalidValue, match="no maximal sprint"):
        mss_from_activity(path, cs_mps=4.4)


def test_shared_gpx_speed_is_derived():
    with pytest.raises(KicklabError, match="derived"):
        mss_from_activity(shared_file("runalyze__strava-export.gpx"))


def test_shared_multisport_file_takes_the_run():
    mss = mss_from_activity(shared_file("fitparse__sample_mulitple_header.fit"))
    assert 3.5 < mss < 4.5  # the run leg, not the bike's 10+ m/s


def test_kick_profile_from_a_table():
    # a KickProfile is plain data: a row per athlete builds a table
    rows = [KickProfile.from_values(4.9, 150, m).to_dict() for m in (7.5, 8.0, 9.0)]
    table = pd.DataFrame(rows)
    assert table["profile_type"].tolist() == [
        "800–1500 type (endurance)",
        "800 type",
        "400–800 type (speed)",
    ]
