"""Optimal pacing: Keller 1974 and Morton 3-parameter optimal control (CasADi + IPOPT)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytest.importorskip("casadi")

from kicklab.environment.air import air_cost_fraction
from kicklab.errors import InvalidValue
from kicklab.physiology.models import speed_3p
from kicklab.race import optimal
from kicklab.race.optimal import (
    KELLER_E0,
    KELLER_F_MAX,
    KELLER_SIGMA,
    KELLER_TAU_S,
    even_pace_3p,
    keller,
    keller_all_out,
    keller_critical_distance,
    morton_pacing,
)

# Solver checks run with few examples (each solve takes milliseconds to a second) and without
# shrinking, which would re-solve hundreds of times on a failure; the failing example is shown.
FEW = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@pytest.fixture(scope="module")
def k1500() -> optimal.KellerResult:
    return keller(1500.0)


# ----------------------------------------------------------------------------- Keller
def test_all_out_closed_form_100m() -> None:
    # Fτ = 10.88 m/s; T = 100/10.88 + τ(1 − e^(−T/τ)) ≈ 10.08 s (Keller's 100 m, recalled 10.07).
    assert keller_all_out(100.0) == pytest.approx(10.081, abs=1e-3)


def test_critical_distance_is_291m() -> None:
    # Keller 1973/1974: below ≈ 291 m the optimal race is all out (SCIENCE.md §5).
    assert keller_critical_distance() == pytest.approx(291.86, abs=0.05)


@pytest.mark.parametrize("distance", [100.0, 200.0, 285.0])
def test_short_races_are_all_out(distance: float) -> None:
    r = keller(distance, n=80)
    assert r.success
    assert r.time_s == pytest.approx(keller_all_out(distance), abs=1e-4)
    # Full force the whole way (1 % covers the interior-point distance to the bound).
    assert r.force.min() >= 0.99 * KELLER_F_MAX
    assert r.all_out
    # Accelerating throughout (near Fτ the speed saturates: allow solver-level wiggles).
    assert np.all(np.diff(r.speed_mps) > -1e-4)


@pytest.mark.parametrize("distance", [300.0, 400.0, 1500.0])
def test_longer_races_ease_off(distance: float) -> None:
    r = keller(distance, n=80)
    assert r.success
    assert not r.all_out
    assert r.force.min() < 0.7 * KELLER_F_MAX
    assert r.time_s > keller_all_out(distance) + 0.1  # energy, not force, limits them


def test_1500m_accelerate_hold_slow(k1500: optimal.KellerResult) -> None:
    r = k1500
    t, v = r.t_s, r.speed_mps
    assert r.success
    # Full force off the start.
    assert r.force[0] == pytest.approx(KELLER_F_MAX, rel=1e-3)
    # Hold: one speed from 5 % to 95 % of the race.
    hold = (t > 0.05 * r.time_s) & (t < 0.95 * r.time_s)
    cruise = float(np.median(v[hold]))
    assert np.ptp(v[hold]) < 1e-3 * cruise
    # On the constant-speed arc the force just balances the resistance: f = v/τ.
    assert np.allclose(r.force[hold], cruise / KELLER_TAU_S, rtol=1e-3)
    # Slow at the very end: the last ~1.4 s on empty, ending ≥ 5 % below the cruise speed.
    assert v[-1] < 0.95 * cruise
    slowing = t[v < 0.99 * cruise]
    slowing = slowing[slowing > 0.5 * r.time_s]
    assert 0.0 < r.time_s - slowing.min() < 0.02 * r.time_s
    assert r.energy[-1] == pytest.approx(0.0, abs=1e-3)
    assert r.energy[hold].min() > 0.0


def test_1500m_energy_balance(k1500: optimal.KellerResult) -> None:
    r = k1500
    # E0 + σ·T = ∫ f·v dt + E(T); ∫ f·v dt = Σ f·Δx for a force held over each interval.
    work = float(np.sum(r.force[:-1] * np.diff(r.distance_m)))
    assert KELLER_E0 + KELLER_SIGMA * r.time_s == pytest.approx(work + r.energy[-1], rel=1e-8)
    assert r.distance_m[-1] == pytest.approx(1500.0, abs=1e-6)


def test_long_race_close_to_constant_speed_energy_balance(k1500: optimal.KellerResult) -> None:
    # Constant speed V over the whole race: (V²/τ)·T = σ·T + E0 with T = D/V (Keller 1974);
    # the optimum differs only by the short start and finish phases.
    d, tau, sig, e0 = 1500.0, KELLER_TAU_S, KELLER_SIGMA, KELLER_E0
    v = (e0 + np.sqrt(e0**2 + 4 * sig * d * d / tau)) / (2 * d / tau)
    assert k1500.time_s == pytest.approx(d / v, rel=3e-3)
    assert k1500.time_s == pytest.approx(219.41, abs=0.02)


def test_published_times_close() -> None:
    # Keller's 400 m, recalled as 43.27 s (not checked against the paper): within 0.1 s.
    assert keller(400.0, n=120).time_s == pytest.approx(43.27, abs=0.1)


def test_grid_convergence() -> None:
    assert keller(1500.0, n=40).time_s == pytest.approx(keller(1500.0, n=400).time_s, abs=0.01)


@FEW
@given(st.floats(50.0, 3000.0), st.floats(1.05, 1.5))
def test_keller_properties(distance: float, stretch: float) -> None:
    short = keller(distance, n=40)
    long = keller(distance * stretch, n=40)
    assert short.success and long.success
    # Never faster than running all out with no energy limit; longer races take longer.
    assert short.time_s >= keller_all_out(distance) - 1e-6
    assert long.time_s > short.time_s
    assert np.all(short.energy >= 0.0)
    assert np.all((short.force >= -1e-9) & (short.force <= KELLER_F_MAX + 1e-9))


def test_more_energy_is_faster() -> None:
    base = keller(1500.0, n=60).time_s
    assert keller(1500.0, e0=1.2 * KELLER_E0, n=60).time_s < base
    assert keller(1500.0, sigma=1.05 * KELLER_SIGMA, n=60).time_s < base


def test_keller_to_dict_is_json(k1500: optimal.KellerResult) -> None:
    d = json.loads(json.dumps(k1500.to_dict()))
    assert d["time_s"] == pytest.approx(k1500.time_s)
    assert len(d["speed_mps"]) == len(d["t_s"]) == len(d["force"]) == 201


@pytest.mark.parametrize(
    "kwargs",
    [
        {"distance_m": -5.0},
        {"distance_m": float("nan")},
        {"distance_m": "far"},
        {"distance_m": 400.0, "n": 3},
        {"distance_m": 400.0, "n": True},
        {"distance_m": 400.0, "n": 20.5},
        {"distance_m": 400.0, "tau_s": 0.0},
    ],
)
def test_keller_bad_input(kwargs: dict) -> None:
    with pytest.raises(InvalidValue):
        keller(**kwargs)


def test_missing_casadi_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "casadi", None)  # import casadi → ImportError
    with pytest.raises(InvalidValue, match=r"kicklab\[opt\]"):
        keller(400.0)


# ----------------------------------------------------------------------------- Morton 3P
CS, DP, MSS = 5.5, 250.0, 9.0  # a 3:45-ish 1500 m runner


def test_even_pace_matches_3p_model() -> None:
    t = even_pace_3p(1500.0, CS, DP, MSS)
    # Even pace v over T is the 3P speed for T: v = CS + D'/(T + D'/(MSS − CS)).
    assert 1500.0 / t == pytest.approx(float(speed_3p(t, CS, DP, MSS)), rel=1e-9)


@pytest.mark.parametrize("distance", [800.0, 1500.0, 5000.0])
def test_flat_never_slower_than_even_pace(distance: float) -> None:
    r = morton_pacing(distance, CS, DP, MSS, n=100)
    assert r.success
    assert r.time_s <= r.even_time_s + 1e-6
    # …and never better than spending all of D' at CS (2-parameter bound).
    assert r.time_s >= (distance - DP) / CS - 1e-6
    # Close to the even-pace bound: within 7 % (800 m gains most from a fast start).
    assert r.time_s > 0.93 * r.even_time_s


def test_flat_profile_rides_the_cap() -> None:
    r = morton_pacing(1500.0, CS, DP, MSS, n=100)
    eff, bal = r.effort_mps[:-1], r.d_balance_m
    cap = CS + (MSS - CS) * bal[1:] / DP
    assert np.all(eff <= cap + 1e-3)
    assert bal[0] == DP and np.all(bal >= -1e-6)
    # Fast start, steady fade: speed falls monotonically towards CS, D' almost spent.
    assert np.all(np.diff(r.speed_mps[:-1]) <= 1e-6)
    assert r.speed_mps[0] > 0.95 * MSS
    assert bal[-1] < 0.1 * DP
    assert r.distance_m[-1] == 1500.0 and r.t_s[-1] == pytest.approx(r.time_s)


def test_hills_and_wind_move_time_the_right_way() -> None:
    flat = morton_pacing(1500.0, CS, DP, MSS, n=60).time_s
    up = morton_pacing(1500.0, CS, DP, MSS, grade=0.03, n=60).time_s
    down = morton_pacing(1500.0, CS, DP, MSS, grade=-0.03, n=60).time_s
    head = morton_pacing(1500.0, CS, DP, MSS, wind_mps=-3.0, n=60).time_s
    tail = morton_pacing(1500.0, CS, DP, MSS, wind_mps=3.0, n=60).time_s
    assert down < flat < up
    assert tail < flat < head
    # A tailwind helps less than a headwind of the same speed hurts: Davies 1980 credits a
    # tailwind's change of air force at half, and the v² law already makes that change smaller
    # (3 m/s at ≈ 6.5 m/s: ½·(6.5² − 3.5²) = 15 against 9.5² − 6.5² = 48, a ratio ≈ 0.31).
    ratio = (flat - tail) / (head - flat)
    assert 0.25 < ratio < 0.45
    # Out and back in the wind, or over and back on a hill, is slower than calm and flat.
    hill = morton_pacing(
        1500.0, CS, DP, MSS, grade=lambda x: 0.05 * np.sin(2 * np.pi * x / 1500.0), n=60
    )
    windy = morton_pacing(
        1500.0, CS, DP, MSS, wind_mps=lambda x: np.where(x < 750.0, -3.0, 3.0), n=60
    )
    assert hill.time_s > flat and windy.time_s > flat


def test_grade_forms_agree() -> None:
    a = morton_pacing(1000.0, CS, DP, MSS, grade=0.02, n=40).time_s
    b = morton_pacing(1000.0, CS, DP, MSS, grade=lambda x: np.full_like(x, 0.02), n=40).time_s
    c = morton_pacing(1000.0, CS, DP, MSS, grade=[0.02, 0.02, 0.02], n=40).time_s
    assert a == pytest.approx(b, rel=1e-9) and a == pytest.approx(c, rel=1e-9)


@pytest.mark.parametrize("v", [4.0, 6.0, 8.0])
@pytest.mark.parametrize("w", [-4.0, 2.0, 5.0])
def test_air_term_matches_environment_model(v: float, w: float) -> None:
    import casadi

    got = float(optimal._air_term(casadi, casadi.DM(v), np.array([w]), 70.0))
    want = float(air_cost_fraction(v, w) - air_cost_fraction(v, 0.0))
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


@FEW
@given(
    cs=st.floats(3.0, 6.5),
    dp=st.floats(80.0, 400.0),
    reserve=st.floats(1.3, 2.0),
    distance=st.floats(600.0, 10_000.0),
)
def test_morton_bounds_property(cs: float, dp: float, reserve: float, distance: float) -> None:
    r = morton_pacing(distance, cs, dp, cs * reserve, n=40)
    assert r.success
    # Tolerances: the solver integrates recovery with the trapezoidal rule, the reported D'bal
    # and the bound use the exact exponential (≈ 1e-8 relative apart).
    tol = 1e-7 * r.time_s
    assert (distance - dp) / cs - tol <= r.time_s <= r.even_time_s + tol
    assert np.all(r.d_balance_m >= -1e-4) and np.all(r.d_balance_m <= dp + 1e-9)


def test_morton_to_dict_is_json() -> None:
    r = morton_pacing(800.0, CS, DP, MSS, n=20)
    d = json.loads(json.dumps(r.to_dict()))
    assert len(d["distance_m"]) == len(d["speed_mps"]) == len(d["d_balance_m"]) == 21
    assert d["params"]["cs_mps"] == CS


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mss_mps": 5.0},
        {"cs_mps": -1.0},
        {"d_prime_m": 0.0},
        {"grade": 0.6},
        {"grade": [[0.0, 0.1]]},
        {"grade": [0.01]},
        {"grade": lambda x: x * np.nan},
        {"wind_mps": 40.0},
        {"n": 5},
    ],
)
def test_morton_bad_input(kwargs: dict) -> None:
    args = {"distance_m": 1500.0, "cs_mps": CS, "d_prime_m": DP, "mss_mps": MSS} | kwargs
    with pytest.raises(InvalidValue):
        morton_pacing(**args)


# ----------------------------------------------------------------------------- Morton + inertia
def _start_loss_bound(v_mps: float, start_mps: float, accel: float) -> float:
    """Time lost reaching ``v`` from ``start`` at ``accel`` against holding ``v`` from the gun, s.

    ``(v − s)/a`` to cover ``(v² − s²)/(2a)``, which takes ``(v² − s²)/(2a·v)`` at ``v``:
    the difference is ``(v − s)²/(2a·v)`` (≈ ``v/(2a)`` from rest).
    """
    return (v_mps - start_mps) ** 2 / (2.0 * accel * v_mps)


def _assert_kinematic(r: optimal.MortonResult, accel: float) -> None:
    s = r.node_speed_mps
    step = r.race_distance_m / (s.size - 1)
    assert s.size == r.distance_m.size
    # |s_{k+1}² − s_k²| ≤ 2·a·Δd at every node, and each interval is run at its mean speed.
    assert np.all(np.abs(np.diff(s**2)) <= 2.0 * accel * step + 1e-6)
    np.testing.assert_allclose(r.speed_mps[:-1], 0.5 * (s[:-1] + s[1:]), rtol=1e-8)


def test_accel_limit_costs_a_plausible_start() -> None:
    from kicklab.race.simulate import ACCEL_MPS2

    free = morton_pacing(1500.0, CS, DP, MSS, n=100)
    r = morton_pacing(1500.0, CS, DP, MSS, n=100, accel_mps2=ACCEL_MPS2, start_speed_mps=0.5)
    assert r.success and free.success
    _assert_kinematic(r, ACCEL_MPS2)
    assert r.node_speed_mps[0] == 0.5
    assert r.params["accel_mps2"] == ACCEL_MPS2 and r.params["start_speed_mps"] == 0.5
    # Lost time against the free optimum: measured 2.39 s (n = 100); the kinematic estimate at the
    # race's mean speed (6.54 m/s) is 2.79 s. The optimum loses a little less because the
    # slow first metres spend less D'.
    loss = r.time_s - free.time_s
    bound = _start_loss_bound(1500.0 / free.time_s, 0.5, ACCEL_MPS2)
    assert 0.8 * bound <= loss < 3.0 * bound
    # The acceleration phase: full acceleration off the line (s_k² = s_0² + 2·a·k·Δd) for
    # the first 30 m, then the usual fade towards CS.
    k = np.arange(3)
    np.testing.assert_allclose(
        r.node_speed_mps[k], np.sqrt(0.25 + 2.0 * ACCEL_MPS2 * 15.0 * k), rtol=1e-5
    )
    assert r.speed_mps.max() > 0.95 * MSS and r.speed_mps[-1] < 1.05 * CS


def test_standing_start_and_stronger_acceleration() -> None:
    # n = 200 (7.5 m steps): a 3 m/s² start reaches pace in ≈ 14 m, which coarser grids smear.
    free = morton_pacing(1500.0, CS, DP, MSS, n=200).time_s
    still = morton_pacing(1500.0, CS, DP, MSS, n=200, accel_mps2=1.0, start_speed_mps=0.0)
    rolling = morton_pacing(1500.0, CS, DP, MSS, n=200, accel_mps2=1.0, start_speed_mps=0.5)
    quick = morton_pacing(1500.0, CS, DP, MSS, n=200, accel_mps2=3.0, start_speed_mps=0.0)
    assert still.success and rolling.success and quick.success
    assert np.all(np.isfinite(still.t_s)) and still.node_speed_mps[0] == 0.0
    _assert_kinematic(still, 1.0)
    _assert_kinematic(quick, 3.0)
    # From rest: measured 2.87 s lost; v/(2a) at the mean speed is 3.27 s.
    bound = _start_loss_bound(1500.0 / free, 0.0, 1.0)
    assert 0.8 * bound <= still.time_s - free < 3.0 * bound
    # From rest is slower than from 0.5 m/s; a 3 m/s² start loses about a third as much
    # (measured 0.92 s against 2.87 s).
    assert free < quick.time_s < rolling.time_s < still.time_s
    ratio = (quick.time_s - free) / (still.time_s - free)
    assert 0.2 < ratio < 0.5
    # No instant above the cap: the speed never passes MSS on the flat.
    assert quick.node_speed_mps.max() <= MSS + 1e-6


def test_accel_limit_without_start_speed_barely_matters_on_the_flat() -> None:
    # A rolling start at the best speed: the fade towards CS is far gentler than 1 m/s²
    # (measured: the same time to 1e-5 s).
    free = morton_pacing(1500.0, CS, DP, MSS, n=60)
    r = morton_pacing(1500.0, CS, DP, MSS, n=60, accel_mps2=1.0)
    assert r.success
    _assert_kinematic(r, 1.0)
    assert r.time_s == pytest.approx(free.time_s, abs=1e-3)
    assert r.time_s >= free.time_s - 1e-6


def test_defaults_unchanged_by_the_new_arguments() -> None:
    a = morton_pacing(1500.0, CS, DP, MSS, n=100)
    b = morton_pacing(1500.0, CS, DP, MSS, n=100, accel_mps2=None, start_speed_mps=None)
    assert a.time_s == b.time_s
    np.testing.assert_array_equal(a.speed_mps, b.speed_mps)
    assert a.node_speed_mps is None and "accel_mps2" not in a.params
    # The documented flat optimum (docs/race.md).
    assert a.time_s == pytest.approx(229.2057, abs=1e-3)


@FEW
@given(accel=st.floats(0.3, 5.0), start=st.floats(0.0, 6.0), distance=st.floats(400.0, 3000.0))
def test_accel_limit_property(accel: float, start: float, distance: float) -> None:
    free = morton_pacing(distance, CS, DP, MSS, n=30)
    r = morton_pacing(distance, CS, DP, MSS, n=30, accel_mps2=accel, start_speed_mps=start)
    assert r.success
    _assert_kinematic(r, accel)
    assert r.node_speed_mps[0] == pytest.approx(start, abs=1e-9)
    assert r.time_s >= free.time_s - 1e-6 * free.time_s


def test_accel_to_dict_is_json() -> None:
    r = morton_pacing(800.0, CS, DP, MSS, n=20, accel_mps2=1.0, start_speed_mps=0.0)
    d = json.loads(json.dumps(r.to_dict()))
    assert len(d["node_speed_mps"]) == 21 and d["node_speed_mps"][0] == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"accel_mps2": 0.0},
        {"accel_mps2": -1.0},
        {"accel_mps2": float("nan")},
        {"accel_mps2": "fast"},
        {"accel_mps2": 50.0},
        {"accel_mps2": 1.0, "start_speed_mps": -0.1},
        {"accel_mps2": 1.0, "start_speed_mps": MSS + 0.1},
        {"accel_mps2": 1.0, "start_speed_mps": float("inf")},
        {"accel_mps2": 1.0, "start_speed_mps": "rest"},
        {"start_speed_mps": 0.0},
    ],
)
def test_accel_bad_input(kwargs: dict) -> None:
    args = {"distance_m": 1500.0, "cs_mps": CS, "d_prime_m": DP, "mss_mps": MSS} | kwargs
    with pytest.raises(InvalidValue):
        morton_pacing(**args)
