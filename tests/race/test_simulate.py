"""Tests of the Monte Carlo race simulator (issue 6 "Done when" list and invariants)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

pytest.importorskip("kicklab.environment.air")  # the simulator needs the air/drafting models

from kicklab.errors import InvalidValue
from kicklab.physiology.predict import predict_time_s
from kicklab.race.course import Course
from kicklab.race.runner import Runner, even, follow, front_run, long_surge, sit_and_kick
from kicklab.race.simulate import RaceResult, simulate, wilson_interval

#: Day-to-day variation used in the tactical scenarios: 2 % CS, 10 % D', 3 % MSS.
SD = {"sd_cs": 0.02, "sd_d_prime": 0.1, "sd_mss": 0.03}
#: A slow, tactical early pace (m/s): about CS, so the race is decided late.
LEAD = 5.6


def track(distance_m: float = 1500.0) -> Course:
    pytest.importorskip("kicklab.environment.track")
    return Course(distance_m)


def kicker(**kw) -> Runner:
    return Runner("kicker", 5.5, 150.0, 9.0, tactic=sit_and_kick(200, lead_mps=LEAD), **SD, **kw)


# ----------------------------------------------------------------------------- Wilson
def test_wilson_interval_known_value():
    # Wilson 95 % interval of 8/10 is 0.490–0.943 (Newcombe 1998, Stat Med 17:857, table I)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=5e-4)
    assert high == pytest.approx(0.9433, abs=5e-4)


@given(st.integers(1, 500), st.data())
def test_wilson_interval_contains_estimate(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1


# ----------------------------------------------------------------------------- Done when
def test_symmetric_runners_split_wins_evenly():
    field = [
        Runner(f"r{i}", 5.5, 150.0, 8.5, tactic=sit_and_kick(200, lead_mps=LEAD), **SD)
        for i in range(4)
    ]
    res = simulate(field, track(), trials=800, seed=11)
    assert res.win_probability.sum() == pytest.approx(1.0)
    # one test of all four shares at once (four separate 95 % intervals would miss 0.25
    # somewhere in ~19 % of fair races): chi-square goodness of fit to 1/4 each
    wins = np.round(res.win_probability * 800).astype(int)
    assert chisquare(wins).pvalue > 0.01
    # and every 95 % interval is within a few points of 1/4
    for lo, hi in res.win_ci:
        assert lo - 0.02 <= 0.25 <= hi + 0.02
    # places are a permutation of 1..4 in every trial
    assert (np.sort(res.place, axis=1) == np.arange(1, 5)).all()


def test_higher_mss_wins_more_sit_and_kick_races():
    fast = Runner("fast", 5.5, 150.0, 9.0, tactic=sit_and_kick(200, lead_mps=LEAD), **SD)
    slow = Runner("slow", 5.5, 150.0, 8.0, tactic=sit_and_kick(200, lead_mps=LEAD), **SD)
    res = simulate([fast, slow], track(), trials=400, seed=5)
    assert res.win_ci[0, 0] > 0.6  # the faster kicker wins clearly more than half


def surger_win(delta_cs: float, tactic) -> RaceResult:
    surger = Runner("surger", 5.5 + delta_cs, 150.0, 7.5, tactic=tactic, **SD)
    return simulate([kicker(), surger], track(), trials=300, seed=3)


def test_long_surge_beats_kicker_only_with_enough_cs():
    surge = long_surge(1000, 7.2, lead_mps=LEAD)
    # equal CS: the surge fails (the kicker follows, drafts and outkicks)
    equal = surger_win(0.0, surge)
    assert equal.win_ci[1, 1] < 0.5
    # CS 0.3 m/s (5 %) higher: the same surge breaks the kicker
    stronger = surger_win(0.3, surge)
    assert stronger.win_ci[1, 0] > 0.5
    # ... whereas waiting for the sprint still loses to the kicker
    waiting = surger_win(0.3, sit_and_kick(200, lead_mps=LEAD))
    assert waiting.win_ci[1, 1] < 0.5


def test_drafting_helps_the_follower():
    pacer = Runner("pacer", 5.5, 150.0, 8.0, tactic=even(5.9))
    times = {}
    for draft in (True, False):
        chaser = Runner("chaser", 5.5, 150.0, 8.0, tactic=follow(kick_at_m=200), draft=draft)
        res = simulate([pacer, chaser], track(), trials=1, seed=0, traces=True)
        times[draft] = res.finish_time_s[0, 1]
        if draft:
            d = res.traces["draft"][:, 0, :]
            t = res.traces["time_s"]
            late = (t > 30) & (t < 180)  # after the pack formed, before the kick (~220 s)
            assert (d[late, 0] == 1.0).all()  # the leader pays the full air cost
            assert np.median(d[late, 1]) < 0.5  # the follower sits in the draft
            assert res.place[0, 1] == 1  # and, fresher, outkicks the pacer
    assert times[True] < times[False] - 0.3


def test_seeded_reproducibility():
    field = [kicker(), Runner("b", 5.6, 120.0, 8.0, tactic=even(), **SD)]
    a = simulate(field, track(800), trials=50, seed=42)
    b = simulate(field, track(800), trials=50, seed=42)
    c = simulate(field, track(800), trials=50, seed=43)
    np.testing.assert_array_equal(a.finish_time_s, b.finish_time_s)
    np.testing.assert_array_equal(a.place, b.place)
    assert not np.array_equal(a.finish_time_s, c.finish_time_s)


# ----------------------------------------------------------------------------- model checks
def test_solo_even_pace_close_to_morton_prediction():
    # alone, calm, flat road: best even pace finishes a little after Morton's 3P prediction
    # (the standing start costs ~ v/(2·a) ≈ 3 s) and never before it
    cs, dp, mss = 5.0, 200.0, 8.0
    res = simulate([Runner("solo", cs, dp, mss)], Course(3000, kind="road"), trials=1)
    t = res.finish_time_s[0, 0]
    pred = float(predict_time_s(3000, cs, dp, mss))
    assert pred < t < pred + 5.0


@settings(max_examples=8, deadline=None)
@given(
    st.floats(3.5, 6.5),
    st.floats(50, 400),
    st.floats(1.2, 1.8),
    st.sampled_from(["even", "kick", "surge"]),
)
def test_result_invariants(cs, dp, ratio, kind):
    tactic = {
        "even": even(),
        "kick": sit_and_kick(100),
        "surge": long_surge(300, cs * 1.2),
    }[kind]
    field = [
        Runner("a", cs, dp, cs * ratio, tactic=tactic, sd_cs=0.03),
        Runner("b", cs, dp, cs * 1.4, tactic=follow(kick_at_m=150), sd_cs=0.03),
    ]
    res = simulate(field, Course(600, kind="road"), trials=20, seed=1)
    ft = res.finish_time_s
    assert np.isfinite(ft).all()
    # no one runs 600 m faster than all out at the (drawn, ≤ +3 SD) MSS
    assert (ft > 600 / (np.array([cs * ratio, cs * 1.4]) * 1.09)).all()
    assert (np.diff(res.split_times_s, axis=2) > 0).all()
    winners = np.argmin(ft, axis=1)
    assert (res.place[np.arange(20), winners] == 1).all()


def test_splits_table_and_to_dict():
    res = simulate([kicker(), Runner("b", 5.6, 120.0, 8.0, **SD)], track(), trials=20, seed=0)
    sp = res.splits
    assert list(res.split_distances_m) == [400.0, 800.0, 1200.0, 1500.0]
    assert set(sp["runner"]) == {"kicker", "b"}
    last = sp[(sp.runner == "b") & (sp.distance_m == 1500.0)]["time_s"].iloc[0]
    assert last == pytest.approx(np.nanmean(res.finish_time_s[:, 1]))
    d = json.loads(json.dumps(res.to_dict()))
    assert [r["name"] for r in d["runners"]] == ["kicker", "b"]
    assert sum(r["win_probability"] for r in d["runners"]) == pytest.approx(1.0)


def test_progress_callback():
    calls = []
    simulate(
        [kicker()], Course(400, kind="road"), trials=2, progress=lambda s, n: calls.append((s, n))
    )
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(a <= b for (a, _), (b, _) in zip(calls, calls[1:]))


@pytest.mark.parametrize(
    "kwargs",
    [{"trials": 0}, {"trials": 2.5}, {"dt_s": 0.0}, {"dt_s": "x"}, {"dt_s": 5}],
)
def test_bad_arguments(kwargs):
    with pytest.raises(InvalidValue):
        simulate([kicker()], Course(400, kind="road"), **kwargs)


def test_bad_field():
    with pytest.raises(InvalidValue):
        simulate([], Course(400, kind="road"))
    with pytest.raises(InvalidValue):
        simulate(["runner"], Course(400, kind="road"))
    with pytest.raises(InvalidValue):
        simulate([kicker()], "1500 m")


def test_mixed_field_of_twelve_runs():
    # a big mixed field bunches runners side by side (gap 0): drafting must cope
    tactics = [even(), sit_and_kick(300, lead_mps=LEAD), follow(), front_run(5.8)]
    field = [
        Runner(f"r{i}", 5.2 + 0.05 * i, 120 + 10 * i, 8.0 + 0.1 * i, tactic=tactics[i % 4])
        for i in range(12)
    ]
    res = simulate(field, track(), trials=20, seed=3)
    assert np.isfinite(res.finish_time_s).all()
    assert res.win_probability.sum() == pytest.approx(1.0)
