"""Change-point models: the ramp-step fit against brute force, segmentation, effective n."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.kick import phases
from kicklab.kick.phases import effective_n_factor, fit_ramp_step, segment


# --------------------------------------------------------------------------- brute force
def _design(x: np.ndarray, a: int, b: int) -> np.ndarray:
    """The ramp shape g: 0 up to a, linear from a to b, 1 from b on."""
    g = np.zeros(x.size)
    g[b:] = 1.0
    if b - a > 1:
        g[a + 1 : b] = (x[a + 1 : b] - x[a]) / (x[b] - x[a])
    return g


def _brute(x, y, w=None, onset_range=None, max_ramp=None, rising=True):
    """Least squares for every (a, b) pair with numpy lstsq; (sse, a, b, mu1, mu2, profile)."""
    n = x.size
    w = np.ones(n) if w is None else w
    lo, hi = (1, n - 2) if onset_range is None else onset_range
    hi = min(hi, n - 2)
    ramp = n - 1 if max_ramp is None else max_ramp
    sw = np.sqrt(w)
    best = None
    profile = {}
    for a in range(lo, hi + 1):
        for b in range(a + 1, min(a + ramp, n - 1) + 1):
            g = _design(x, a, b)
            A = np.column_stack([np.ones(n), g]) * sw[:, None]
            coef, *_ = np.linalg.lstsq(A, y * sw, rcond=None)
            mu1, delta = coef
            if rising and not delta > 0:
                continue
            sse = float(np.sum(w * (y - mu1 - delta * g) ** 2))
            profile[a] = min(profile.get(a, math.inf), sse)
            if best is None or sse < best[0]:
                best = (sse, a, b, mu1, mu1 + delta)
    return best, profile


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_ramp_step_agrees_with_brute_force(seed, weighted):
    rng = np.random.default_rng(seed)
    n = 14
    x = np.cumsum(rng.uniform(0.5, 2.0, n))  # irregular spacing
    y = rng.normal(4.0, 0.3, n) + np.where(np.arange(n) > 8, 0.5, 0.0)
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    for rising in (True, False):
        for max_ramp in (None, 1, 3):
            fit = fit_ramp_step(x, y, w, max_ramp=max_ramp, rising=rising)
            (sse, a, b, mu1, mu2), profile = _brute(x, y, w, max_ramp=max_ramp, rising=rising)
            assert fit is not None
            assert (fit.onset, fit.ramp_end) == (a, b)
            assert fit.sse == pytest.approx(sse, rel=1e-7, abs=1e-10)
            assert fit.mu1 == pytest.approx(mu1, rel=1e-9)
            assert fit.mu2 == pytest.approx(mu2, rel=1e-9)
            ww = np.ones(n) if w is None else w
            flat = float(np.sum(ww * (y - np.average(y, weights=ww)) ** 2))
            assert fit.sse_flat == pytest.approx(flat, rel=1e-9)
            # the onset profile is the best residual per onset
            prof = np.array([profile.get(int(o), math.inf) for o in fit.onsets])
            np.testing.assert_allclose(fit.onset_sse, prof, rtol=1e-7, atol=1e-10)
            assert float(np.min(fit.onset_sse)) == pytest.approx(fit.sse, rel=1e-9, abs=1e-12)


def test_fit_ramp_step_onset_range_is_respected():
    rng = np.random.default_rng(11)
    x = np.arange(20.0)
    y = rng.normal(0, 1, 20)
    fit = fit_ramp_step(x, y, onset_range=(5, 9), rising=False)
    (sse, a, b, *_), _ = _brute(x, y, onset_range=(5, 9), rising=False)
    assert 5 <= fit.onset <= 9
    assert (fit.onset, fit.ramp_end) == (a, b)
    assert fit.sse == pytest.approx(sse, rel=1e-7)
    assert fit.onsets.tolist() == [5, 6, 7, 8, 9]


def test_blocked_evaluation_matches_single_block(monkeypatch):
    """Ramp lengths evaluated in several blocks (bounded memory) give the same answer."""
    rng = np.random.default_rng(3)
    x = np.arange(40.0)
    y = rng.normal(4.0, 0.2, 40) + np.clip((x - 25) / 4, 0, 1) * 0.6
    whole = fit_ramp_step(x, y)
    monkeypatch.setattr(phases, "_MAX_PAIRS", 50)  # 38 onsets → one ramp length per block
    blocked = fit_ramp_step(x, y)
    assert (blocked.onset, blocked.ramp_end) == (whole.onset, whole.ramp_end)
    assert blocked.sse == pytest.approx(whole.sse, rel=1e-12)
    np.testing.assert_allclose(blocked.onset_sse, whole.onset_sse, rtol=1e-12)


def test_recovers_noiseless_step_exactly():
    x = np.arange(60.0)
    y = np.where(x <= 41, 4.2, 4.9)
    fit = fit_ramp_step(x, y, max_ramp=1)
    assert (fit.onset, fit.ramp_end) == (41, 42)
    assert fit.mu1 == pytest.approx(4.2, abs=1e-9)
    assert fit.mu2 == pytest.approx(4.9, abs=1e-9)
    assert fit.sse == pytest.approx(0.0, abs=1e-9)
    # a free ramp also finds the step (a one-sample ramp is a step)
    free = fit_ramp_step(x, y)
    assert (free.onset, free.ramp_end) == (41, 42)


def test_recovers_noiseless_ramp_exactly_on_irregular_x():
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.6, 1.6, 80))
    a, b = 50, 58
    y = 4.0 + 0.8 * _design(x, a, b)
    fit = fit_ramp_step(x, y)
    assert (fit.onset, fit.ramp_end) == (a, b)
    assert fit.mu1 == pytest.approx(4.0, abs=1e-9)
    assert fit.mu2 == pytest.approx(4.8, abs=1e-9)
    assert fit.sse == pytest.approx(0.0, abs=1e-9)
    assert fit.sse_flat > 1.0


def test_falling_step_needs_rising_false():
    x = np.arange(30.0)
    y = np.where(x <= 20, 5.0, 4.0)
    down = fit_ramp_step(x, y, max_ramp=1, rising=False)
    assert (down.onset, down.mu1, down.mu2) == (20, pytest.approx(5.0), pytest.approx(4.0))
    up = fit_ramp_step(x, y, max_ramp=1, rising=True)
    assert up is None or up.mu2 > up.mu1


def test_degenerate_inputs_give_none():
    assert fit_ramp_step([0.0, 1.0], [1.0, 2.0]) is None  # fewer than 3 samples
    assert fit_ramp_step([0.0, 1.0, 2.0], [1.0, 2.0]) is None  # length mismatch
    assert fit_ramp_step(np.arange(10.0), np.ones(10), onset_range=(7, 3)) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-5.0, 5.0, allow_nan=False), min_size=3, max_size=30),
    st.one_of(st.none(), st.integers(1, 5)),
)
def test_rising_never_returns_a_fall(values, max_ramp):
    y = np.asarray(values)
    x = np.arange(y.size, dtype=float)
    fit = fit_ramp_step(x, y, max_ramp=max_ramp, rising=True)
    if fit is not None:
        assert fit.mu2 > fit.mu1
        assert fit.onset < fit.ramp_end <= y.size - 1
        assert fit.sse <= fit.sse_flat + 1e-9 * max(1.0, fit.sse_flat)
        assert float(np.min(fit.onset_sse)) == pytest.approx(fit.sse, abs=1e-9)


# --------------------------------------------------------------------------- segment
def test_segment_splits_piecewise_constant_at_true_boundaries():
    y = np.concatenate([np.full(30, 3.0), np.full(40, 4.0), np.full(25, 3.5), np.full(20, 3.6)])
    assert segment(y, min_size=10, min_rel_change=0.02) == [0, 30, 70, 95, 115]


def test_segment_weighted_boundaries():
    y = np.concatenate([np.full(12, 4.0), np.full(8, 4.6)])
    w = np.linspace(0.5, 2.0, 20)
    assert segment(y, w, min_size=3, min_rel_change=0.02) == [0, 12, 20]


def test_segment_respects_min_rel_change():
    y = np.concatenate([np.full(30, 4.0), np.full(30, 4.04)])  # 1 % change
    assert segment(y, min_size=5, min_rel_change=0.02) == [0, 60]
    assert segment(y, min_size=5, min_rel_change=0.005) == [0, 30, 60]


def test_segment_ignores_change_within_correlated_noise():
    rng = np.random.default_rng(0)
    noise = np.convolve(rng.standard_normal(400), np.ones(15) / 15, mode="same")
    y = 4.5 + 0.2 * noise / noise.std()
    assert segment(y, min_size=20, min_rel_change=0.02, z=3.0) == [0, 400]


def test_segment_constant_series_is_one_phase():
    assert segment(np.full(100, 4.5), min_size=10, min_rel_change=0.02) == [0, 100]
    assert segment(np.full(5, 4.5), min_size=10, min_rel_change=0.02) == [0, 5]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.5, 8.0, allow_nan=False), min_size=1, max_size=120),
    st.integers(1, 25),
)
def test_segment_min_size_respected(values, min_size):
    y = np.asarray(values)
    bounds = segment(y, min_size=min_size, min_rel_change=0.0, z=0.0)
    assert bounds[0] == 0 and bounds[-1] == y.size
    assert bounds == sorted(set(bounds))
    if len(bounds) > 2:
        assert min(np.diff(bounds)) >= min_size


# --------------------------------------------------------------------------- effective n
@pytest.mark.parametrize("seed", range(4))
def test_effective_n_factor_white_noise_near_one(seed):
    w = np.random.default_rng(seed).standard_normal(4000)
    assert 1.0 <= effective_n_factor(w) < 1.15


@pytest.mark.parametrize("seed", range(4))
def test_effective_n_factor_smoothed_noise(seed):
    w = np.random.default_rng(seed).standard_normal(4000)
    ma5 = np.convolve(w, np.ones(5) / 5, mode="valid")  # theory: 1 + 2·(4+3+2+1)/5 = 5
    c = effective_n_factor(ma5)
    assert c > 3.0
    assert c == pytest.approx(5.0, abs=0.6)


def test_effective_n_factor_edge_cases():
    assert effective_n_factor([1.0, 2.0]) == 1.0
    assert effective_n_factor(np.full(50, 3.0)) == 1.0  # no variance
    alt = np.tile([1.0, -1.0], 50)  # anticorrelated: never below 1
    assert effective_n_factor(alt) == 1.0
    # NaNs are dropped; a slow sine is heavily correlated but capped at n
    s = np.sin(np.linspace(0, 1, 30))
    assert 1.0 < effective_n_factor(np.r_[s, np.nan]) <= 30


def test_segment_noiseless_staircase():
    y = np.concatenate([np.full(160, 4.5), np.full(120, 4.9), np.full(36, 5.6)])
    assert segment(y, min_size=20, min_rel_change=0.02, z=3.0) == [0, 160, 280, 316]
