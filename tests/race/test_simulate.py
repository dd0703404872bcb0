"""Tests of the Monte Carlo race simulator (issue 6 "Done when" list and invariants)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

pytest.importorskip("kicklab.environment.air")  # the simulator needs the air/drafting models

from kicklab.errors import InvalidValue
from kicklab.physiology.predict import predict_time_s
from kicklab.race import simulate as sim_module
from kicklab.race.course import Course
from kicklab.race.runner import (
    Runner,
    TacticTable,
    even,
    follow,
    front_run,
    long_surge,
    sit_and_kick,
)
from kicklab.race.simulate import RaceResult, simulate, simulate_many, wilson_interval

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


# ----------------------------------------------------------------------------- many variants
def field_of_four() -> list[Runner]:
    return [
        Runner("A", 5.5, 150.0, 8.5, tactic=sit_and_kick(200, lead_mps=LEAD), **SD),
        Runner("B", 5.6, 140.0, 8.0, tactic=follow(lead_mps=LEAD), **SD),
        Runner("C", 5.8, 150.0, 7.5, tactic=even(), draft=False, **SD),
        Runner("D", 5.4, 180.0, 8.2, tactic=long_surge(600, 6.6, lead_mps=5.7), **SD),
    ]


#: Candidate tactic sets for the field of four (None: the runner's own tactic): the field
#: itself twice, kicks close together (two variants start to differ in the same step), moves
#: in two columns, surges, a kick before the first step, and tactics that differ from the gun.
VARIANTS = [
    [None, None, None, None],
    [None, None, None, None],
    [sit_and_kick(300, lead_mps=LEAD), None, None, None],
    [sit_and_kick(301, lead_mps=LEAD), None, None, None],
    [sit_and_kick(300, lead_mps=LEAD), sit_and_kick(500, lead_mps=LEAD), None, None],
    [None, None, None, long_surge(900, 6.8, lead_mps=5.7)],
    [long_surge(700, 6.7, kick_at_m=100, lead_mps=LEAD), None, None, None],
    [sit_and_kick(1400, lead_mps=LEAD), None, None, None],
    [follow(lead_mps=5.9), None, None, None],
    [None, None, front_run(5.9), None],
]


@pytest.mark.parametrize(
    "course, batch_cells, dt_s",
    [
        (Course(1500), None, 0.1),  # one batch
        (Course(1500, wind_mps=4.0, wind_dir_deg=30.0), 4 * 25, 0.25),  # trials split
        (Course(3000, steeple=True), 4 * 40 * 3, 0.25),  # batches of three variants
    ],
)
def test_simulate_many_equals_simulate_per_variant(course, batch_cells, dt_s):
    pytest.importorskip("kicklab.environment.track")
    runners = field_of_four()
    calls = []
    many = simulate_many(
        runners,
        course,
        VARIANTS,
        trials=40,
        seed=9,
        dt_s=dt_s,
        batch_cells=batch_cells,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(many) == len(VARIANTS)
    assert calls[-1] == (len(VARIANTS), len(VARIANTS))
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
    for k, tactics in enumerate(VARIANTS):
        field = [r if t is None else replace(r, tactic=t) for r, t in zip(runners, tactics)]
        one = simulate(field, course, trials=40, seed=9, dt_s=dt_s)
        np.testing.assert_allclose(many[k].finish_time_s, one.finish_time_s, rtol=0, atol=1e-9)
        np.testing.assert_allclose(many[k].split_times_s, one.split_times_s, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(many[k].place, one.place)
        assert many[k].settings == one.settings  # steps, tactics, seed
    # the tactics matter: a surge from 900 m changes D's race
    assert not np.allclose(many[5].finish_time_s[:, 3], many[0].finish_time_s[:, 3])
    np.testing.assert_array_equal(many[1].finish_time_s, many[0].finish_time_s)


def test_simulate_many_with_a_generator_seed():
    runners = field_of_four()[:2]
    sets = [[None, None], [sit_and_kick(400, lead_mps=LEAD), None]]
    many = simulate_many(runners, track(800), sets, trials=15, seed=np.random.default_rng(4))
    one = simulate(runners, track(800), trials=15, seed=np.random.default_rng(4))
    np.testing.assert_array_equal(many[0].finish_time_s, one.finish_time_s)
    assert many[0].settings["seed"] == "generator"


@pytest.mark.parametrize(
    "sets, kwargs",
    [
        ([], {}),
        ("even", {}),
        ([[even()]], {}),  # one tactic for two runners
        ([[even(), "follow"]], {}),
        ([even(), even()], {}),  # not a list of lists
        ([[None, None]], {"batch_cells": 0}),
        ([[None, None]], {"batch_cells": 2.5}),
        ([[None, None]], {"progress": "yes"}),
        ([[None, None]], {"trials": 0}),
    ],
)
def test_simulate_many_bad_arguments(sets, kwargs):
    with pytest.raises(InvalidValue):
        simulate_many(
            [kicker(), Runner("b", 5.6, 120.0, 8.0)], Course(400, kind="road"), sets, **kwargs
        )


def test_batches_and_dropped_trials_do_not_change_results(monkeypatch):
    # the same races in one loop with traces (no trial is dropped when it finishes) and in
    # five loops of 7 trials (monkeypatched batch size) give the same results
    field = [kicker(), Runner("b", 5.6, 120.0, 8.0, tactic=even(), **SD)]
    calls = {"whole": [], "batched": []}
    whole = simulate(
        field,
        track(800),
        trials=30,
        seed=2,
        traces=True,
        progress=lambda s, n: calls["whole"].append((s, n)),
    )
    monkeypatch.setattr(sim_module, "_BATCH_CELLS", 2 * 7)
    batched = simulate(
        field, track(800), trials=30, seed=2, progress=lambda s, n: calls["batched"].append((s, n))
    )
    np.testing.assert_array_equal(batched.split_times_s, whole.split_times_s)
    np.testing.assert_array_equal(batched.place, whole.place)
    assert batched.settings["steps"] == whole.settings["steps"] == whole.traces["time_s"].size
    n_steps = calls["whole"][-1][1]
    assert calls["batched"][-1] == (5 * n_steps, 5 * n_steps)
    assert all(a[0] <= b[0] for a, b in zip(calls["batched"], calls["batched"][1:]))


def test_cost_helpers_match_the_environment_models():
    # the step loop evaluates the air, draft and bend costs itself: the same numbers, bit for
    # bit, as kicklab.environment
    pytest.importorskip("kicklab.environment.track")
    from kicklab.environment.air import air_cost_fraction, draft_factor
    from kicklab.environment.track import G_MPS2, bend_cost_factor

    env = sim_module._environment(Course(1500), Course(1500).profile())
    rng = np.random.default_rng(0)
    gap = np.concatenate(
        [[-0.3, 0.0, 0.5, 1.0, 1.0 + 1e-12, 2.0, 40.0, 1e3], rng.uniform(0, 6, 200)]
    )
    np.testing.assert_array_equal(
        sim_module._draft_factor(env, gap), draft_factor(np.maximum(gap, 0.0))
    )
    v = rng.uniform(1.0, 12.0, 300)
    draft = rng.uniform(0.2, 1.0, 300)
    wind = rng.uniform(-8.0, 8.0, 300)
    for w in (None, wind):
        a_now, one_plus_ref = sim_module._air_costs(env, v, draft, w)
        expected = air_cost_fraction(v, 0.0 if w is None else w, draft)
        np.testing.assert_array_equal(a_now, expected)
        np.testing.assert_array_equal(one_plus_ref, 1.0 + air_cost_fraction(v))
    for r in (np.inf, 36.8, 37.92):
        np.testing.assert_array_equal(
            sim_module._bend_factor(env, v, np.full(300, G_MPS2 * r)), bend_cost_factor(v, r)
        )


# ----------------------------------------------------------------------------- tactic tables
def table_of(tactics):
    runners = [Runner(f"r{i}", 5.5, 150.0, 8.0, tactic=t) for i, t in enumerate(tactics)]
    return TacticTable.from_runners(runners, 1500.0)


move = st.one_of(
    st.builds(lambda o: sit_and_kick(o, lead_mps=LEAD), st.floats(10, 1400)),
    st.builds(
        lambda s, v, k: long_surge(s, v, kick_at_m=k, lead_mps=LEAD),
        st.floats(100, 1400),
        st.floats(6.0, 8.0),
        st.floats(0, 100),
    ),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(move, min_size=2, max_size=4), st.integers(0, 2**32 - 1))
def test_stacked_tables_and_shared_starts(moves, seed):
    # variants that differ only in the first runner's move: a stacked (rows, R) table gives
    # each variant's (R,) answer, and every variant asks for the first variant's speeds while
    # the first runner is further out than the distance _share_plan gives for it
    rest = [follow(lead_mps=LEAD), even(6.1), front_run(6.0)]
    tables = [table_of([m, *rest]) for m in moves]
    rng = np.random.default_rng(seed)
    n = 50
    to_go = rng.uniform(-10, 1500, (n, 4))
    gap = np.where(rng.random((n, 4)) < 0.2, np.inf, rng.uniform(-0.5, 20, (n, 4)))
    v_ahead = rng.uniform(0, 9, (n, 4))
    stacked = TacticTable.stack(tables, n)
    want = stacked.desired_speed(
        np.tile(to_go, (len(moves), 1)),
        np.tile(gap, (len(moves), 1)),
        np.tile(v_ahead, (len(moves), 1)),
    )
    assert want.shape == (len(moves) * n, 4)
    for k, t in enumerate(tables):
        np.testing.assert_array_equal(
            want[k * n : (k + 1) * n], t.desired_speed(to_go, gap, v_ahead)
        )
    first, cols, later = sim_module._share_plan(tables)
    assert list(cols) == [0] and len(later) == len(moves) - 1
    assert [d for d, _ in later] == sorted((d for d, _ in later), reverse=True)
    ref = tables[first].desired_speed(to_go, gap, v_ahead)
    for start, k in later:
        out = to_go[:, 0] > start
        np.testing.assert_array_equal(tables[k].desired_speed(to_go, gap, v_ahead)[out], ref[out])


def test_share_plan_runs_the_largest_group_from_the_gun():
    # three variants differ only in A's kick onset; one follows at another pace from the gun
    tables = [
        table_of([sit_and_kick(600, lead_mps=LEAD), even()]),
        table_of([sit_and_kick(300, lead_mps=LEAD), even()]),
        table_of([follow(lead_mps=5.9), even()]),
        table_of([sit_and_kick(300, lead_mps=LEAD), even()]),
    ]
    first, cols, later = sim_module._share_plan(tables)
    assert first == 1 and list(cols) == [0]
    assert later == [(np.inf, 2), (600.0, 0), (300.0, 3)]
    # just inside 600 m to go the 600 m kick differs from the first variant, not before
    gap, v_ahead = np.array([[1.0, np.inf]]), np.array([[6.0, 0.0]])
    for to_go, differs in ((600.01, False), (599.99, True)):
        here = np.full((1, 2), to_go)
        a = tables[0].desired_speed(here, gap, v_ahead)
        b = tables[1].desired_speed(here, gap, v_ahead)
        assert (a[0, 0] != b[0, 0]) == differs
