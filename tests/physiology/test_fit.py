"""Tests of kicklab.physiology.fit: exact and noisy recovery, uncertainty, notes and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kicklab.errors import InvalidValue
from kicklab.physiology.fit import (
    D_PRIME_BOUNDS_M,
    MAX_EFFORT_SPEED_MPS,
    CriticalSpeed,
)
from kicklab.physiology.models import speed_2p, speed_3p, time_to_exhaustion_3p

#: Four efforts of 3–15 min, the span the 2-parameter model is fitted on (Jones & Vanhatalo).
T_2P = np.array([180.0, 360.0, 600.0, 900.0])
#: Five efforts of 1–15 min: the short ones identify the sprint speed in Morton's model.
T_3P = np.array([60.0, 120.0, 300.0, 600.0, 900.0])
CS, DP, MSS = 4.5, 200.0, 8.5


def efforts(t: np.ndarray, cs=CS, dp=DP, mss=None, noise=None) -> tuple[np.ndarray, np.ndarray]:
    """(distance m, time s) of maximal efforts lasting ``t`` on the model, times scaled by
    ``1 + noise`` (the runner's day-to-day scatter)."""
    v = speed_2p(t, cs, dp) if mss is None else speed_3p(t, cs, dp, mss)
    d = v * t
    times = t if noise is None else t * (1.0 + noise)
    return d, times


# ----------------------------------------------------------------------------- exact recovery
@settings(max_examples=25, deadline=None)
@given(
    cs=st.floats(3.0, 6.5),
    dp=st.floats(60.0, 400.0),
    model=st.sampled_from(["linear", "hyperbolic"]),
)
def test_two_parameter_fits_recover_noiseless_efforts(cs, dp, model) -> None:
    d, t = efforts(T_2P, cs, dp)
    est = CriticalSpeed(model, n_boot=0).fit(d, t)
    assert est.cs_ == pytest.approx(cs, rel=1e-6)
    assert est.d_prime_ == pytest.approx(dp, rel=1e-5)
    assert np.isnan(est.mss_)
    assert est.r2_ == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(cs=st.floats(3.0, 6.5), dp=st.floats(60.0, 380.0), gap=st.floats(2.0, 5.5))
def test_three_parameter_fit_recovers_noiseless_efforts(cs, dp, gap) -> None:
    # D' inside the usual 50–400 m, so that no note is expected
    mss = min(cs + gap, 12.0)
    d, t = efforts(T_3P, cs, dp, mss)
    est = CriticalSpeed("3p", n_boot=0).fit(d, t)
    assert est.cs_ == pytest.approx(cs, rel=1e-5)
    assert est.d_prime_ == pytest.approx(dp, rel=1e-4)
    assert est.mss_ == pytest.approx(mss, rel=1e-4)
    assert est.notes_ == []


def test_linear_standard_errors_match_scipy_linregress() -> None:
    rng = np.random.default_rng(3)
    d, t = efforts(T_2P, noise=0.01 * rng.standard_normal(4))
    est = CriticalSpeed("linear", n_boot=10).fit(d, t)
    ref = stats.linregress(t, d)
    assert est.cs_ == pytest.approx(ref.slope)
    assert est.d_prime_ == pytest.approx(ref.intercept)
    assert est.cs_se_ == pytest.approx(ref.stderr)
    assert est.d_prime_se_ == pytest.approx(ref.intercept_stderr)
    q = stats.t.ppf(0.975, 2)  # two residual degrees of freedom
    assert est.cs_ci95_ == pytest.approx((ref.slope - q * ref.stderr, ref.slope + q * ref.stderr))
    assert est.r2_ == pytest.approx(ref.rvalue**2)


def test_world_record_efforts() -> None:
    # the efforts of the example: 1500 m 3:26.00, mile 3:43.13, 3000 m 7:20.67,
    # 5000 m 12:35.36 — a world-class runner: CS ≈ 6.37 m/s, D' ≈ 190 m
    d = [1500.0, 1609.34, 3000.0, 5000.0]
    t = [206.0, 223.13, 440.67, 755.36]
    lin = CriticalSpeed("linear", n_boot=50).fit(d, t)
    hyp = CriticalSpeed("hyperbolic", n_boot=50).fit(d, t)
    assert lin.cs_ == pytest.approx(6.372, abs=0.001)
    assert lin.d_prime_ == pytest.approx(188.6, abs=0.1)
    assert lin.r2_ > 0.99999
    assert hyp.cs_ == pytest.approx(lin.cs_, abs=0.01)
    assert hyp.d_prime_ == pytest.approx(lin.d_prime_, rel=0.02)
    three = CriticalSpeed("3p", n_boot=20).fit(d, t)
    assert any("MSS is not identified" in n for n in three.notes_)


# ----------------------------------------------------------------------------- noisy recovery
def _errors(model: str, t: np.ndarray, mss, noise_kind: str, scale: float, seeds: range):
    out = []
    covered = []
    for seed in seeds:
        rng = np.random.default_rng(1000 + seed)
        if noise_kind == "uniform":
            noise = rng.uniform(-scale, scale, t.size)
        else:
            noise = scale * rng.standard_normal(t.size)
        d, times = efforts(t, mss=mss, noise=noise)
        est = CriticalSpeed(model, n_boot=40, seed=seed).fit(d, times)
        out.append((est.cs_ / CS - 1.0, est.d_prime_ / DP - 1.0, est.mss_ / (mss or np.nan) - 1.0))
        covered.append(est.cs_ci95_[0] <= CS <= est.cs_ci95_[1])
    return np.abs(np.array(out)), np.mean(covered)


@pytest.mark.parametrize("model", ["linear", "hyperbolic"])
def test_recovery_from_four_efforts_within_one_percent_time_error(model) -> None:
    # every effort within ±1 % of the maximal time: CS within 1 %, D' within 10 %
    err, _ = _errors(model, T_2P, None, "uniform", 0.01, range(20))
    assert np.median(err[:, 0]) < 0.01
    assert np.median(err[:, 1]) < 0.10
    assert np.mean((err[:, 0] < 0.01) & (err[:, 1] < 0.10)) >= 0.7


@pytest.mark.parametrize("model", ["linear", "hyperbolic"])
def test_recovery_and_coverage_with_one_percent_gaussian_time_noise(model) -> None:
    # time noise with a 1 % standard deviation: over 200 trials the median error was ~0.95 %
    # (CS) and ~8 % (D'), so 20 trials are checked against 1.5 % and 15 %; the 95 % interval
    # held the true CS in 89–94 % of the 200 trials (20 trials: at least 15 expected)
    err, coverage = _errors(model, T_2P, None, "gaussian", 0.01, range(20))
    assert np.median(err[:, 0]) < 0.015
    assert np.median(err[:, 1]) < 0.15
    assert coverage >= 0.75


def test_three_parameter_recovery_with_short_efforts() -> None:
    # 0.5 % time noise, efforts of 1–15 min: over 200 trials the median errors were 0.5 % (CS),
    # 7 % (D'), 3.4 % (MSS) and the CS interval held the truth in 92 %
    err, coverage = _errors("3p", T_3P, MSS, "gaussian", 0.005, range(15))
    assert np.median(err[:, 0]) < 0.01
    assert np.median(err[:, 1]) < 0.15
    assert np.median(err[:, 2]) < 0.07
    assert coverage >= 0.75


# ----------------------------------------------------------------------------- uncertainty
@settings(max_examples=15, deadline=None)
@given(
    model=st.sampled_from(["linear", "hyperbolic", "3p"]),
    cs=st.floats(3.5, 6.0),
    dp=st.floats(80.0, 350.0),
    seed=st.integers(0, 2**16),
)
def test_interval_contains_estimate(model, cs, dp, seed) -> None:
    rng = np.random.default_rng(seed)
    t = T_3P if model == "3p" else T_2P
    mss = cs + 3.5 if model == "3p" else None
    d, times = efforts(t, cs, dp, mss, noise=0.01 * rng.standard_normal(t.size))
    est = CriticalSpeed(model, n_boot=15, seed=seed).fit(d, times)
    names = ["cs", "d_prime"] + (["mss"] if model == "3p" else [])
    for name in names:
        lo, hi = getattr(est, f"{name}_ci95_")
        value = getattr(est, f"{name}_")
        assert lo <= value <= hi
        assert getattr(est, f"{name}_se_") > 0


def test_param_samples_shape_and_reproducibility() -> None:
    rng = np.random.default_rng(5)
    d, t = efforts(T_3P, mss=MSS, noise=0.005 * rng.standard_normal(5))
    for model, n_par in (("linear", 2), ("hyperbolic", 2), ("3p", 3)):
        a = CriticalSpeed(model, n_boot=30, seed=1).fit(d, t)
        b = CriticalSpeed(model, n_boot=30, seed=1).fit(d, t)
        c = CriticalSpeed(model, n_boot=30, seed=2).fit(d, t)
        assert a.param_samples_.shape == (30, 3)
        np.testing.assert_array_equal(a.param_samples_, b.param_samples_)
        assert not np.array_equal(a.param_samples_[:, :2], c.param_samples_[:, :2])
        assert np.all(np.isnan(a.param_samples_[:, 2])) == (n_par == 2)
        assert np.all(a.param_samples_[:, 0] > 0)
        assert np.all(a.param_samples_[:, 1] >= 0)
        # the draws centre on the estimate
        assert np.median(a.param_samples_[:, 0]) == pytest.approx(a.cs_, rel=0.02)
    three = CriticalSpeed("3p", n_boot=30, seed=1).fit(d, t)
    s = three.param_samples_
    assert np.all(s[:, 2] > s[:, 0]) and np.all(s[:, 2] <= MAX_EFFORT_SPEED_MPS)
    assert np.all((s[:, 1] >= D_PRIME_BOUNDS_M[0]) & (s[:, 1] <= D_PRIME_BOUNDS_M[1]))


def test_two_efforts_fit_exactly_without_uncertainty() -> None:
    d, t = efforts(np.array([240.0, 720.0]))
    for model in ("linear", "hyperbolic"):
        est = CriticalSpeed(model, n_boot=20).fit(d, t)
        assert est.cs_ == pytest.approx(CS) and est.d_prime_ == pytest.approx(DP)
        assert np.isnan(est.cs_se_) and all(np.isnan(est.cs_ci95_))
        assert any("no uncertainty" in n for n in est.notes_)
        np.testing.assert_allclose(est.param_samples_[:, 0], est.cs_)
        assert est.param_samples_.shape == (20, 3)


# ----------------------------------------------------------------------------- notes and bounds
def test_mss_not_identified_without_a_short_effort() -> None:
    d, t = efforts(T_2P + 20.0, mss=MSS)  # shortest effort 200 s
    est = CriticalSpeed("3p", n_boot=10).fit(d, t)
    assert any("MSS is not identified" in n and "180 s" in n for n in est.notes_)
    with pytest.raises(InvalidValue, match="MSS is not identified"):
        CriticalSpeed("3p", require_mss=True).fit(d, t)
    d, t = efforts(T_2P, mss=MSS)  # shortest effort 180 s: identified, but weakly
    est = CriticalSpeed("3p", n_boot=10, require_mss=True).fit(d, t)
    assert any("weakly identified" in n for n in est.notes_)
    d, t = efforts(T_3P, mss=MSS)
    est = CriticalSpeed("3p", n_boot=10, require_mss=True).fit(d, t)
    assert not any("MSS" in n for n in est.notes_)


def test_two_parameter_notes_outside_two_to_twenty_minutes() -> None:
    d, t = efforts(np.array([60.0, 300.0, 1500.0]))
    notes = " ".join(CriticalSpeed("linear", n_boot=5).fit(d, t).notes_)
    assert "shorter than 120 s" in notes and "longer than 1200 s" in notes
    d, t = efforts(T_2P)
    assert CriticalSpeed("linear", n_boot=5).fit(d, t).notes_ == []


def test_parameter_at_bound_is_noted() -> None:
    # D' of 3 m lies below the 10 m bound of the nonlinear fits
    d, t = efforts(T_2P, dp=3.0)
    est = CriticalSpeed("hyperbolic", n_boot=0).fit(d, t)
    assert est.d_prime_ == pytest.approx(D_PRIME_BOUNDS_M[0])
    notes = " ".join(est.notes_)
    assert "D' sits at its lower bound" in notes and "outside the usual" in notes


# ----------------------------------------------------------------------------- use
def test_curve_methods_and_dataframe_input() -> None:
    d, t = efforts(T_3P, mss=MSS)
    frame = pd.DataFrame({"distance_m": d, "time_s": t})
    est = CriticalSpeed("3p", n_boot=0).fit(frame)
    assert float(est.speed(0.0)) == pytest.approx(MSS, rel=1e-4)
    np.testing.assert_allclose(est.speed(T_3P), d / t, rtol=1e-5)
    np.testing.assert_allclose(
        est.time_to_exhaustion(6.0), time_to_exhaustion_3p(6.0, est.cs_, est.d_prime_, est.mss_)
    )
    assert list(est.efforts_.columns) == ["distance_m", "time_s", "speed_mps", "fitted_time_s"]
    np.testing.assert_allclose(est.efforts_["fitted_time_s"], t, rtol=1e-5)
    lin = CriticalSpeed().fit(*efforts(T_2P))
    assert float(lin.time_to_exhaustion(CS)) == np.inf
    assert float(lin.speed(400.0)) == pytest.approx(CS + DP / 400.0)


def test_to_dict_is_json_ready() -> None:
    d, t = efforts(T_2P, noise=np.array([0.004, -0.003, 0.002, -0.001]))
    out = CriticalSpeed("linear", n_boot=10).fit(d, t).to_dict()
    text = json.dumps(out)  # no NaN, no numpy scalars
    assert "NaN" not in text
    assert out["mss_mps"] is None and out["mss_ci95"] == [None, None]
    assert out["cs_ci95"][0] < out["cs_mps"] < out["cs_ci95"][1]
    assert out["n_efforts"] == 4 and out["model"] == "linear"


def test_sklearn_style_parameters() -> None:
    est = CriticalSpeed("hyperbolic", n_boot=7, seed=3)
    assert est.get_params() == {
        "model": "hyperbolic",
        "n_boot": 7,
        "seed": 3,
        "require_mss": False,
    }
    assert est.set_params(n_boot=9) is est and est.n_boot == 9
    assert "CriticalSpeed(model='hyperbolic'" in repr(est)
    assert not hasattr(est, "cs_")
    assert est.fit(*efforts(T_2P)) is est


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("model", "d", "t", "words"),
    [
        ("linear", [1500.0], [240.0], "1 distinct effort duration"),
        ("linear", [1500.0, 1500.0], [240.0, 240.0], "different durations"),
        ("3p", [1500.0, 3000.0], [240.0, 540.0], "at least 3"),
        ("linear", [1500.0, 3000.0], [100.0, 540.0], "faster than 12.5 m/s"),
        ("linear", [1.0, 3000.0], [0.5, 540.0], "shorter than 1 s"),
        ("linear", [1500.0, 3000.0], [240.0], "one time per effort"),
        ("linear", [1500.0, np.nan], [240.0, 540.0], r"distance_m\[1\] is nan"),
        ("linear", [-1500.0, 3000.0], [240.0, 540.0], "must be > 0"),
        ("linear", [], [], "no efforts"),
        ("linear", ["a", "b"], [1, 2], "must be numbers"),
        ("2p", [1500.0, 3000.0], [240.0, 540.0], "unknown critical-speed model"),
        # the longer effort is faster: no positive D' fits
        ("linear", [1500.0, 3000.0], [300.0, 500.0], "inconsistent"),
    ],
)
def test_bad_efforts_raise_invalid_value(model, d, t, words) -> None:
    with pytest.raises(InvalidValue, match=words):
        CriticalSpeed(model, n_boot=5).fit(d, t)


def test_missing_times_and_unfitted_use_raise_invalid_value() -> None:
    with pytest.raises(InvalidValue, match="distance_m and time_s"):
        CriticalSpeed().fit([1500.0, 3000.0])
    with pytest.raises(InvalidValue, match="not fitted"):
        CriticalSpeed().speed(300.0)
    with pytest.raises(InvalidValue, match="no parameter"):
        CriticalSpeed().set_params(alpha=1)
    with pytest.raises(InvalidValue, match="n_boot"):
        CriticalSpeed(n_boot=-1).fit(*efforts(T_2P))


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["linear", "hyperbolic", "3p"]),
    pairs=st.lists(
        st.tuples(st.floats(1.0, 50_000.0), st.floats(0.5, 20_000.0)), min_size=0, max_size=6
    ),
)
def test_any_efforts_fit_or_raise_invalid_value(model, pairs) -> None:
    d = [p[0] for p in pairs]
    t = [p[1] for p in pairs]
    try:
        est = CriticalSpeed(model, n_boot=5).fit(d, t)
    except InvalidValue:
        return
    assert est.cs_ > 0 and est.d_prime_ >= 0
    assert est.param_samples_.shape == (5, 3)
    assert np.all(np.isfinite(est.param_samples_[:, :2]))
    json.dumps(est.to_dict())
