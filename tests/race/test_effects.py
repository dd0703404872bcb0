"""Environment effects through :func:`kicklab.race.simulate.simulate`: heat, drafting, wind,
hills, track bends and lanes, steeplechase barriers move race times in the published direction
and by the published size.

Each expected value is computed here from the cited relation (Ely 2007's table, Minetti 2002's
cost polynomial, equal metabolic power with the air-cost fractions of Pugh 1971 / Davies 1980,
the World Athletics track geometry, Taboga & Kram 2019), not from the simulator's code path.

Most tests use an *even-effort* runner: a D' of 1–3 m and a pace asked for above what is
sustainable, so that the Morton cap holds the runner at the critical-speed effort throughout.
Its speed then shows the environment's cost directly, without the pacing choices of a tactic.
Runners on the road that do not interact (``draft=False``) share one simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

pytest.importorskip("kicklab.environment.air")

from kicklab.environment.air import air_cost_fraction, draft_factor
from kicklab.race.course import Course
from kicklab.race.runner import Runner, even, follow
from kicklab.race.simulate import simulate

#: Fixed seed (common random numbers: every condition draws the same runners).
SEED = 7
#: Trials per condition: few, the runners vary by 1 % CS only.
TRIALS = 20


def effort_runner(cs_mps: float, name: str = "effort", d_prime_m: float = 1.0, **kw) -> Runner:
    """A runner held at the critical-speed effort (tiny D', pace asked above the cap)."""
    kw.setdefault("tactic", even(min(1.6 * cs_mps, 14.0)))
    return Runner(name, cs_mps, d_prime_m, 1.05 * cs_mps, **kw)


def mean_times(runners, course, dt_s=0.1, trials=TRIALS, **kw):
    res = simulate(runners, course, trials=trials, seed=SEED, dt_s=dt_s, **kw)
    assert np.isfinite(res.finish_time_s).all()
    return np.mean(res.finish_time_s, axis=0), res


def minetti(i):
    """Minetti et al. 2002 energy cost of running at grade ``i``, J/kg/m (SCIENCE.md §4)."""
    i = np.asarray(i, dtype=float)
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6


# ----------------------------------------------------------------------------- heat
#: Ely et al. 2007 (MSSE 39:487), men's top-three finishers: % slower than the course record
#: in the WBGT bins 5–10, 10–15, 15–20, 20–25 °C (centres 7.5 … 22.5 °C).
ELY_MEN_TOP = {7.5: 1.7, 12.5: 2.5, 17.5: 3.3, 22.5: 4.5}


def ely_slowdown(wbgt_c: float) -> float:
    """Slowdown relative to the coolest bin, from Ely's table (linear between bin centres,
    the last slope continued above 22.5 °C)."""
    x = np.array(list(ELY_MEN_TOP))
    y = np.array(list(ELY_MEN_TOP.values())) / 100.0
    value = np.interp(wbgt_c, x, y)
    if wbgt_c > x[-1]:
        value = y[-1] + (y[-1] - y[-2]) / (x[-1] - x[-2]) * (wbgt_c - x[-1])
    return float(value - y[0])


def test_heat_slows_5k_and_10k_runners_as_ely_2007():
    pytest.importorskip("kicklab.environment.heat")
    from kicklab.environment.heat import heat_slowdown_fraction

    expected = ely_slowdown(25.0)  # 3.4 %: bin 20–25 °C (2.8 %) and its slope continued
    assert float(heat_slowdown_fraction(25.0)) == pytest.approx(expected, abs=1e-9)
    sd = {"sd_cs": 0.01}
    five = [
        Runner("5k", 6.0, 250.0, 9.0, draft=False, **sd),
        effort_runner(6.0, draft=False, **sd),
    ]
    ten = [Runner("10k", 5.8, 250.0, 8.5, draft=False, **sd)]
    loss = {}
    for label, distance, field in (("5k", 5000.0, five), ("10k", 10000.0, ten)):
        cool, _ = mean_times(field, Course(distance, kind="road", wbgt_c=8.0), dt_s=0.5)
        hot, _ = mean_times(field, Course(distance, kind="road", wbgt_c=25.0), dt_s=0.5)
        loss[label] = hot / cool - 1.0
    # an even effort slows by exactly the heat cost
    assert loss["5k"][1] == pytest.approx(expected, abs=0.003)
    # racers at their cool-weather best pace: within 1 point of Ely's value, and in the
    # band of the paper's top finishers at WBGT 20–25 °C (2–4.5 % over the coolest bin)
    for value in (loss["5k"][0], loss["10k"][0]):
        assert value == pytest.approx(expected, abs=0.01)
        assert 0.015 < value < 0.045


# ----------------------------------------------------------------------------- drafting
def drafted_speed_mps(cs_mps: float, gap_m: float = 1.0) -> float:
    """Speed at which a runner ``gap_m`` behind another spends the metabolic power it spends
    alone at CS: ``v·(1 + f·a(v)) = CS·(1 + a(CS))`` (Pugh 1971; a = air share of the cost)."""
    f = float(draft_factor(gap_m))
    power = cs_mps * (1.0 + float(air_cost_fraction(cs_mps)))
    return brentq(lambda v: v * (1.0 + f * float(air_cost_fraction(v))) - power, cs_mps, 2 * cs_mps)


def test_drafting_gain_matches_pugh():
    """A runner 1 m behind a pacemaker for a whole 1500 m at ~6.3 m/s is faster than the same
    runner with ``draft=False`` by the air share × the draft saving (≈ 3.4 % × 80 %)."""
    cs, dp, dist = 6.2, 3.0, 1500.0
    v_d = drafted_speed_mps(cs)
    gain_frac = v_d / cs - 1.0  # ≈ 2.7 %
    assert 0.02 < gain_frac < 0.035
    # the pacemaker runs exactly at the drafted speed; the undrafted runner falls back to CS
    # after spending its D' (2-parameter model: distance = CS·t + D')
    expected = dist / cs - dist / v_d - dp / cs  # ≈ 5.8 s

    def race(pace_mps: float, draft: bool) -> np.ndarray:
        pacer = Runner("pacer", 8.0, 400.0, 10.0, tactic=even(pace_mps))
        runner = Runner("runner", cs, dp, 1.3 * cs, tactic=follow(1.0), draft=draft)
        return mean_times([pacer, runner], Course(dist, kind="road"))[0]

    sheltered = race(v_d, True)
    exposed = race(v_d, False)
    # sheltered: stays 1 m behind the pacemaker to the line (1 m ≈ 0.16 s)
    assert sheltered[1] - sheltered[0] == pytest.approx(1.0 / v_d, abs=0.1)
    gain = exposed[1] - sheltered[1]
    assert gain == pytest.approx(expected, rel=0.4)
    # and the saving is not larger than 1.4× Pugh's: at 1.4× the drafted speed gain the
    # sheltered runner cannot hold the pacemaker
    too_fast = race(cs * (1.0 + 1.4 * gain_frac), True)
    assert too_fast[1] - too_fast[0] > 2.0


# ----------------------------------------------------------------------------- wind
def wind_speed_mps(cs_mps: float, wind_mps: float) -> float:
    """Speed at the CS effort in a wind along the course (+ tailwind): equal metabolic power
    ``v·(1 + a(v, w)) = CS·(1 + a(CS, 0))`` with Davies 1980's air-cost fractions (a tailwind
    helps half as much as a headwind hurts)."""
    power = cs_mps * (1.0 + float(air_cost_fraction(cs_mps)))
    return brentq(
        lambda v: v * (1.0 + float(air_cost_fraction(v, wind_mps=wind_mps))) - power,
        0.5 * cs_mps,
        1.5 * cs_mps,
    )


def test_wind_headwind_costs_more_than_tailwind_gives():
    cs, dist, w = 6.2, 1500.0, 3.0
    t = {}
    for label, speed, direction in (("calm", 0.0, 0.0), ("head", w, 180.0), ("tail", w, 0.0)):
        course = Course(dist, kind="road", wind_mps=speed, wind_dir_deg=direction)
        t[label] = mean_times([effort_runner(cs)], course, dt_s=0.25)[0][0]
    loss, gain = t["head"] - t["calm"], t["calm"] - t["tail"]
    assert loss > 0 and gain > 0
    exp_loss = dist / wind_speed_mps(cs, -w) - dist / cs  # ≈ 9 s
    exp_gain = dist / cs - dist / wind_speed_mps(cs, w)  # ≈ 3 s
    assert loss == pytest.approx(exp_loss, rel=0.25)
    assert gain == pytest.approx(exp_gain, rel=0.25)
    # asymmetry (Pugh 1971, Davies 1980): the headwind loss is well over the tailwind gain
    assert loss > 2.0 * gain


# ----------------------------------------------------------------------------- hills
def test_hills_out_and_back_and_uniform_climb_follow_minetti():
    pytest.importorskip("kicklab.environment.terrain")
    from kicklab.environment.terrain import speed_at_equal_cost

    cs, dist = 5.5, 5000.0
    runner = [effort_runner(cs, sd_cs=0.01)]
    flat_t, flat = mean_times(runner, Course(dist, kind="road"), dt_s=0.5)
    out_back = Course(dist, kind="road", grade=lambda d: np.where(d < dist / 2, 0.04, -0.04))
    hill_t, hill = mean_times(runner, out_back, dt_s=0.5, traces=True)
    up_t, up = mean_times(runner, Course(dist, kind="road", grade=[0.02, 0.02]), dt_s=0.5)

    # out and back at ±4 %: at an even effort the time grows by the mean cost ratio
    expected = float((minetti(0.04) + minetti(-0.04)) / (2 * minetti(0.0))) - 1.0  # ≈ 2.1 %
    loss = hill_t[0] / flat_t[0] - 1.0
    assert loss == pytest.approx(expected, rel=0.25)
    # up costs more than down saves: the climb's extra time exceeds the descent's saving
    tr = hill.traces
    t_turn = np.interp(dist / 2, tr["distance_m"][:, 0, 0], tr["time_s"])
    climb_extra = t_turn - flat_t[0] / 2
    descent_saving = flat_t[0] / 2 - (hill_t[0] - t_turn)
    assert climb_extra > descent_saving > 0
    # Minetti: (C(0.04) − C(0)) / (C(0) − C(−0.04)) ≈ 0.85 / 0.70 ≈ 1.21
    exp_ratio = float((minetti(0.04) - minetti(0.0)) / (minetti(0.0) - minetti(-0.04)))
    assert climb_extra / descent_saving == pytest.approx(exp_ratio, rel=0.1)

    # uniform 2 % climb: the steady speed (800 m → 4800 m) is speed_at_equal_cost of the flat
    def steady_speed(res) -> float:
        st = res.split_times_s.mean(axis=0)[0]
        marks = res.split_distances_m
        i, j = np.searchsorted(marks, [800.0, 4800.0])
        return float((marks[j] - marks[i]) / (st[j] - st[i]))

    v_flat, v_up = steady_speed(flat), steady_speed(up)
    assert v_up == pytest.approx(float(speed_at_equal_cost(v_flat, 0.02)), rel=0.01)
    assert v_up / v_flat == pytest.approx(float(minetti(0.0) / minetti(0.02)), rel=0.01)


# ----------------------------------------------------------------------------- track
#: World Athletics 400 m track: inner kerb radius, lane width, running-line offsets (m).
KERB_M, LANE_W_M = 36.5, 1.22


def test_lane_two_runs_the_extra_lane_distance():
    pytest.importorskip("kicklab.environment.track")
    cs = 6.0
    t1 = mean_times([effort_runner(cs)], Course(1600.0, lane=1), dt_s=0.25)[0][0]
    t2 = mean_times([effort_runner(cs)], Course(1600.0, lane=2), dt_s=0.25)[0][0]
    # 4 laps; per lap two 180° bends of radius 36.8 m (lane 1) or 37.92 m (lane 2)
    extra_m = 4 * 2 * math.pi * ((KERB_M + LANE_W_M + 0.20) - (KERB_M + 0.30))  # 28.15 m
    assert (t2 - t1) * cs == pytest.approx(extra_m, rel=0.05)


def test_bends_cost_time_as_taboga_and_kram():
    """Taboga & Kram 2019: a 2:01:39 marathon on a 400 m track is 2:01:32 on a straight
    road — bends cost 7 s in 7299 s (0.096 %) at 5.78 m/s."""
    pytest.importorskip("kicklab.environment.track")
    cs = 42195.0 / (2 * 3600 + 60 + 39)
    expected = 7.0 / (2 * 3600 + 60 + 32)
    runner = [effort_runner(cs)]
    track_t = mean_times(runner, Course(10000.0), dt_s=0.5)[0][0]
    road_t = mean_times(runner, Course(10000.0, kind="road"), dt_s=0.5)[0][0]
    assert track_t > road_t
    assert track_t / road_t - 1.0 == pytest.approx(expected, rel=0.3)


# ----------------------------------------------------------------------------- steeplechase
#: Men's world records: 3000 m steeplechase 7:52.11 (Girma 2023) and 3000 m 7:20.67 (Komen
#: 1996): the barriers cost 31.4 s at that level (cited in kicklab.environment.barriers).
STEEPLE_GAP_S = (7 * 60 + 52.11) - (7 * 60 + 20.67)
#: Range accepted for elite men: the record gap ± ~25 % (25–40 s).
STEEPLE_RANGE_S = (25.0, 40.0)


@pytest.fixture(scope="module")
def steeple_penalty_s() -> float:
    pytest.importorskip("kicklab.environment.barriers")
    elite = [Runner("elite", 6.55, 300.0, 9.5, sd_cs=0.01)]  # ≈ 7:05 flat 3000 m
    flat = mean_times(elite, Course(3000.0))[0][0]
    steeple = mean_times(elite, Course(3000.0, steeple=True))[0][0]
    return float(steeple - flat)


def test_steeplechase_is_slower(steeple_penalty_s):
    assert steeple_penalty_s > 5.0


def test_steeplechase_penalty_in_published_range(steeple_penalty_s):
    assert STEEPLE_RANGE_S[0] <= steeple_penalty_s <= STEEPLE_RANGE_S[1]
    assert steeple_penalty_s == pytest.approx(STEEPLE_GAP_S, rel=0.25)


def test_steeplechase_penalty_does_not_depend_on_the_time_step():
    """A clearance's lost distance is paid in full however short the step is."""
    elite = [Runner("elite", 6.55, 300.0, 9.5)]
    gaps = []
    for dt in (0.05, 0.25):
        flat = mean_times(elite, Course(3000.0), dt_s=dt)[0][0]
        steeple = mean_times(elite, Course(3000.0, steeple=True), dt_s=dt)[0][0]
        gaps.append(steeple - flat)
    assert gaps[0] == pytest.approx(gaps[1], abs=0.3)


def test_women_clear_lower_barriers():
    """0.762 m barriers for women cost less work than the men's 0.914 m (same runner)."""
    runner = [Runner("r", 5.9, 250.0, 8.6)]
    gap = {}
    for sex in ("men", "women"):
        flat = mean_times(runner, Course(3000.0, sex=sex), dt_s=0.25)[0][0]
        steeple = mean_times(runner, Course(3000.0, steeple=True, sex=sex), dt_s=0.25)[0][0]
        gap[sex] = steeple - flat
    assert 0 < gap["women"] < gap["men"]
