"""Tests of race advice: kick onset, long surge against a kicker, surge threshold."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("kicklab.environment.air")  # the simulator needs the air/drafting models
pytest.importorskip("kicklab.environment.track")

from kicklab.errors import InvalidValue
from kicklab.race.course import Course
from kicklab.race.runner import Runner, even, follow, sit_and_kick
from kicklab.race.tactics import (
    Advice,
    KickAdvice,
    SurgeAdvice,
    _near_best,
    _threshold,
    advise,
    advise_kick,
    advise_surge,
    default_onsets_m,
    default_speeds_mps,
    default_starts_m,
    surge_threshold,
)

#: Day-to-day variation of the scenarios: 2 % CS, 10 % D', 3 % MSS (as in test_simulate).
SD = {"sd_cs": 0.02, "sd_d_prime": 0.1, "sd_mss": 0.03}
#: A slow, tactical early pace (m/s): about CS, so the race is decided late.
LEAD = 5.6
#: Simulator step for these tests, s: 0.2 s gives the same probabilities as 0.1 s to within a
#: race or two in 300 here, in less than half the time.
DT = 0.2
#: Races per candidate.
TRIALS = 300


def json_ok(d: dict) -> dict:
    return json.loads(json.dumps(d, allow_nan=False))


def kicker(**kw) -> Runner:
    return Runner("K", 5.5, 150.0, 8.5, tactic=sit_and_kick(200, lead_mps=LEAD), **SD, **kw)


def surger(delta_cs: float = 0.0) -> Runner:
    return Runner("S", 5.5 + delta_cs, 150.0, 7.5, tactic=follow(lead_mps=LEAD), **SD)


# ----------------------------------------------------------------------------- kick
@pytest.fixture(scope="module")
def kick_curve():
    # a strong kicker against an even-pace rival with a higher CS, into a 5 m/s headwind on
    # the home straight: a long kick leaves the kicker leading into the wind
    athlete = Runner("A", 5.5, 150.0, 8.5, **SD)
    rival = Runner("B", 5.7, 150.0, 7.5, tactic=even(), **SD)
    course = Course(1500, wind_mps=5.0, wind_dir_deg=180.0)
    calls = []
    adv = advise_kick(
        athlete,
        [rival],
        course,
        onsets_m=[800, 100, 200, 300, 400, 600],  # sorted by advise_kick
        trials=TRIALS,
        seed=0,
        dt_s=DT,
        progress=lambda done, total: calls.append((done, total)),
    )
    return adv, calls


def test_kick_curve_has_an_interior_best(kick_curve):
    adv, calls = kick_curve
    assert isinstance(adv, KickAdvice)
    assert list(adv.onsets_m) == [100, 200, 300, 400, 600, 800]
    # progress counts candidates: here all six run in one batch
    assert calls[-1] == (6, 6) and all(a[0] < b[0] for a, b in zip(calls, calls[1:]))
    assert adv.trials == TRIALS and adv.objective == "win"
    # the best is the maximum of the curve, at a grid point short of the longest kicks
    assert adv.best_probability == adv.probability.max()
    assert adv.best_kick_onset_m in adv.onsets_m
    assert 100 < adv.best_kick_onset_m <= 400
    lo, hi = adv.best_ci
    assert lo < adv.best_probability < hi
    assert hi - lo == pytest.approx(2 * 1.96 * np.sqrt(0.25 / TRIALS), abs=0.02)
    # kicking from 800 m is worse than the best by more than the best's interval
    p800 = adv.probability[-1]
    assert p800 < lo
    assert adv.best_probability - p800 > 0.05
    # win objective: probability is the win probability, intervals contain it
    np.testing.assert_array_equal(adv.probability, adv.win_probability)
    assert ((adv.ci[:, 0] <= adv.probability) & (adv.probability <= adv.ci[:, 1])).all()
    assert adv.best_kick_onset_m in adv.near_best_m and 800 not in adv.near_best_m


def test_kick_text_and_dict(kick_curve):
    adv, _ = kick_curve
    best = f"{adv.best_kick_onset_m:.0f} m to go"
    assert best in adv.text[0] and "A wins" in adv.text[0] and "95 % CI" in adv.text[0]
    assert any(t.startswith("Kicking from 800 m drops that to") for t in adv.text)
    d = json_ok(adv.to_dict())
    for key in (
        "athlete",
        "objective",
        "onsets_m",
        "probability",
        "ci",
        "win_probability",
        "best_kick_onset_m",
        "best_probability",
        "trials",
        "text",
        "curve",
    ):
        assert key in d
    assert len(d["curve"]) == 6
    assert d["curve"][-1]["onset_m"] == 800
    assert d["curve"][-1]["ci_low"] <= d["curve"][-1]["probability"] <= d["curve"][-1]["ci_high"]
    assert d["best_probability"] == max(d["probability"])


def test_higher_mss_wins_more():
    rival = Runner("B", 5.7, 150.0, 7.5, tactic=even(), **SD)
    best = {}
    for mss in (8.5, 7.8):
        athlete = Runner("A", 5.5, 150.0, mss, **SD)
        adv = advise_kick(
            athlete, [rival], Course(800), onsets_m=[100, 200, 300], trials=TRIALS, dt_s=DT
        )
        best[mss] = adv.best_probability
    # same rivals, same seed: the same days, only a faster sprint
    assert best[8.5] > best[7.8]


def test_podium_objective_counts_top_three():
    field = [
        Runner(n, 5.5 + 0.05 * i, 150.0, 7.8, tactic=sit_and_kick(200, lead_mps=LEAD), **SD)
        for i, n in enumerate("BCD")
    ]
    athlete = Runner("A", 5.5, 150.0, 8.2, **SD)
    adv = advise_kick(
        athlete, field, Course(400), onsets_m=[100, 200], objective="podium", trials=100, dt_s=DT
    )
    assert adv.objective == "podium"
    # a podium place is at least as likely as a win, in every column
    assert (adv.probability >= adv.win_probability).all()
    assert (adv.probability > adv.win_probability).any()
    assert "top 3" in adv.text[0]


# ----------------------------------------------------------------------------- surge
def run_surge(delta_cs: float) -> SurgeAdvice:
    return advise_surge(
        surger(delta_cs),
        [kicker()],
        Course(1500),
        starts_m=[600, 1100],
        speeds_mps=[7.0],
        onsets_m=[300, 600],
        trials=TRIALS,
        seed=0,
        dt_s=DT,
    )


def test_surge_beats_kicker_with_higher_cs():
    adv = run_surge(0.3)
    assert adv.kicker == "K"
    assert adv.win_probability.shape == (2, 1)
    assert adv.best_win_probability == adv.win_probability.max()
    lo, hi = adv.best_win_ci
    assert lo < adv.best_win_probability < hi
    # with CS 0.3 m/s (5 %) higher, the best surge beats sitting and kicking, and wins
    assert adv.best_win_probability > adv.kick_win_probability
    assert lo > 0.5
    assert adv.best_surge_start_m == 1100  # the longer surge: more time to drain the kicker
    # Direction found: the kicker does better covering the move. When it lets the surge go
    # it loses the draft and contact, and its own even pace plus its kick do not close a gap
    # of tens of metres; when it covers, it sits in the surger's draft and keeps its kick
    # within reach. So the surger's chance is at least as high when the kicker lets it go.
    assert adv.kicker_lets_go_win_probability >= adv.best_win_probability
    assert adv.kicker_lets_go_kicker_win_probability <= adv.kicker_win_probability
    assert "1100 m to go" in adv.text[0]
    d = json_ok(adv.to_dict())
    assert d["best_surge_start_m"] == 1100 and len(d["win_probability"]) == 2


def test_surge_fails_with_equal_cs():
    adv = run_surge(0.0)
    assert adv.best_win_ci[1] < 0.5
    assert any("less than half" in t for t in adv.text)


def test_surge_threshold_between_zero_and_point_six():
    calls = []
    res = surge_threshold(
        kicker(),
        surger(),
        Course(1500),
        deltas_cs_mps=[0.0, 0.3, 0.6],
        starts_m=[1100],
        speed_factors=[1.11, 1.17],
        onsets_m=[500],
        trials=TRIALS,
        seed=0,
        dt_s=DT,
        progress=lambda done, total: calls.append((done, total)),
    )
    # 3 × (1 onset + up to 2 speeds): at +0.6 m/s the fastest factor reaches the MSS cap
    n = calls[-1][1]
    assert 6 < n <= 9 and calls[-1] == (n, n)
    assert all(a[0] < b[0] and a[1] == n for a, b in zip(calls, calls[1:]))
    json_ok(res)
    thr = res["threshold_cs_mps"]
    assert thr is not None and 0.0 < thr < 0.6
    surge_p = np.array(res["best_surge_win_probability"])
    kick_p = np.array(res["kick_win_probability"])
    # equal CS: the surge loses; at +0.6 m/s it wins and beats the kick; more CS helps
    assert surge_p[0] < 0.5 and surge_p[-1] > 0.5 and surge_p[-1] > kick_p[-1]
    assert (np.diff(surge_p) > 0).all()
    assert f"{5.5 + thr:.2f} m/s" in res["text"][0]


# ----------------------------------------------------------------------------- advise
def test_advise_gives_surge_advice_only_to_a_non_kicker():
    course = Course(400)
    k, s = kicker(), surger(0.3)
    calls = []
    best_kicker = advise(k, [s], course, trials=100, dt_s=DT)
    assert isinstance(best_kicker, Advice) and best_kicker.surge is None
    non_kicker = advise(
        s, [k], course, trials=100, dt_s=DT, progress=lambda d, t: calls.append((d, t))
    )
    assert non_kicker.surge is not None and non_kicker.surge.kicker == "K"
    # default grids at 400 m: onsets 50–200 m, one surge start (300 m), and the speeds of
    # 1.02–1.17 × the best even pace (6.8 m/s) below 0.99 × MSS: 1.02, 1.05 and 1.08
    assert list(non_kicker.kick.onsets_m) == [50, 100, 150, 200]
    assert list(non_kicker.surge.starts_m) == [300]
    speeds = default_speeds_mps(s, 400)
    np.testing.assert_allclose(non_kicker.surge.speeds_mps, speeds)
    assert speeds.size == 3 and speeds.max() < 0.99 * s.mss_mps
    # the kick advice is reused as the surge's baseline: 4 + 3 + 1 candidates, one batch
    # per grid
    assert calls == [(4, 8), (7, 8), (8, 8)]
    assert non_kicker.surge.kick_win_probability == non_kicker.kick.win_probability.max()
    for adv in (best_kicker, non_kicker):
        d = json_ok(adv.to_dict())
        assert set(d) >= {
            "athlete",
            "course",
            "best_kick_onset_m",
            "win_probability",
            "kick",
            "best_surge_start_m",
            "best_surge_speed_mps",
            "surge",
            "text",
        }
        assert d["course"]["distance_m"] == 400
        assert d["text"] and all(isinstance(t, str) for t in d["text"])
    assert best_kicker.to_dict()["best_surge_start_m"] is None
    assert non_kicker.to_dict()["best_surge_speed_mps"] == non_kicker.surge.best_surge_speed_mps


def test_batched_and_one_call_per_candidate_advice_agree():
    # simulate_many (default) and one simulate call per candidate give the same advice; only
    # the progress reports differ (per batch, per candidate)
    course = Course(800)
    kw = dict(trials=60, seed=3, dt_s=DT, onsets_m=[100, 250], starts_m=[400, 600])
    kw["speeds_mps"] = [6.8, 7.2]
    calls = {True: [], False: []}
    advice = {
        batch: advise(
            surger(0.2),
            [kicker()],
            course,
            batch=batch,
            progress=lambda d, t, b=batch: calls[b].append((d, t)),
            **kw,
        ).to_dict()
        for batch in (True, False)
    }
    assert advice[True] == advice[False]
    assert calls[False] == [(i, 7) for i in range(1, 8)]  # 2 onsets + 2 × 2 surges + 1
    assert calls[True] == [(2, 7), (6, 7), (7, 7)]
    with pytest.raises(InvalidValue):
        advise_kick(surger(), [kicker()], course, batch="no")


# ----------------------------------------------------------------------------- helpers
@settings(max_examples=50, deadline=None)
@given(st.floats(60, 100_000))
def test_default_grids_inside_the_race(distance):
    for grid in (default_onsets_m(distance), default_starts_m(distance)):
        assert grid.size >= 1
        assert (grid > 0).all() and (grid < distance).all()
        assert (np.diff(grid) > 0).all()
    onsets = default_onsets_m(distance)
    assert onsets.max() <= min(800, 0.6 * distance) + 1e-9 or onsets.size == 1
    assert default_starts_m(distance).max() <= max(2000, 300)


def test_default_speeds_below_mss():
    r = surger()
    v = default_speeds_mps(r, 1500)
    assert v.size == 6 and (v < r.mss_mps).all() and (np.diff(v) > 0).all()
    # a runner with little reserve keeps only the speeds below its MSS
    low = Runner("L", 5.5, 150.0, 6.3)
    assert (default_speeds_mps(low, 1500) < 6.3).all()


@given(
    st.lists(st.floats(0, 1), min_size=2, max_size=8),
    st.lists(st.floats(0, 1), min_size=2, max_size=8),
)
def test_threshold_interpolation(surge, kick):
    n = min(len(surge), len(kick))
    s, k = np.array(surge[:n]), np.array(kick[:n])
    deltas = np.linspace(0.0, 0.6, n)
    thr = _threshold(deltas, s, k)
    ok = (s > 0.5) & (s > k)
    if not ok.any():
        assert thr is None
        return
    i = int(np.argmax(ok))
    # the first qualifying grid point bounds the threshold from above, the one before from below
    assert deltas[max(i - 1, 0)] - 1e-12 <= thr <= deltas[i] + 1e-12


@settings(max_examples=50)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(5, 200))
def test_near_best_keeps_the_best_and_drops_dominated(seed, n, trials):
    rng = np.random.default_rng(seed)
    hits = rng.random((n, trials)) < rng.random((n, 1))
    best = int(np.argmax(hits.sum(axis=1)))
    near = _near_best(hits, best)
    assert near[best]
    # a candidate that achieves nothing is dropped once the best wins enough days
    none = np.vstack([hits, np.zeros(trials, bool)])
    if hits[best].sum() >= 4:  # McNemar: b − c = b > 1.96·√b needs b ≥ 4
        assert not _near_best(none, best)[-1]
    # an identical copy of the best is always kept
    assert _near_best(np.vstack([hits, hits[best]]), best)[-1]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs",
    [
        {"onsets_m": [0, 100]},
        {"onsets_m": [100, 1500]},
        {"onsets_m": []},
        {"onsets_m": [100, float("nan")]},
        {"onsets_m": "x"},
        {"objective": "medal"},
        {"objective": "podium"},  # two runners: both are always on the podium
        {"trials": 0},
        {"seed": 1.5},
        {"dt_s": 0.0},
        {"progress": "yes"},
    ],
)
def test_bad_kick_arguments(kwargs):
    with pytest.raises(InvalidValue):
        advise_kick(surger(), [kicker()], Course(1500), **kwargs)


@pytest.mark.parametrize(
    "athlete, rivals",
    [
        ("S", [kicker()]),
        (surger(), []),
        (surger(), kicker()),
        (surger(), ["K"]),
        (surger(), [kicker(), kicker()]),
        (Runner("K", 5.5, 150.0, 7.5), [kicker()]),
    ],
)
def test_bad_field(athlete, rivals):
    with pytest.raises(InvalidValue):
        advise(athlete, rivals, Course(1500))


def test_bad_surge_and_threshold_arguments():
    course = Course(1500)
    with pytest.raises(InvalidValue):
        advise_surge(surger(), [kicker()], course, starts_m=[300, 2000])
    with pytest.raises(InvalidValue):
        advise_surge(surger(), [kicker()], course, speeds_mps=[-1.0])
    with pytest.raises(InvalidValue):
        advise_surge(surger(), [kicker()], "1500 m")
    with pytest.raises(InvalidValue):
        advise(surger(), [kicker()], course, surge="yes")
    with pytest.raises(InvalidValue):  # CS + 2.5 would exceed the surger's MSS
        surge_threshold(kicker(), surger(), course, deltas_cs_mps=[0.0, 2.5])
    with pytest.raises(InvalidValue):
        surge_threshold(kicker(), kicker(), course)
