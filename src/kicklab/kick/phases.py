"""Change-point models of a speed series: the race-pace → kick ramp and piecewise-constant phases.

Both models are least-squares fits evaluated for *every* candidate change point at once from
prefix sums (no loop over samples), with optional weights so that the same code serves 1 Hz
samples (weight 1) and split tables (weight = the split's duration).

* :func:`fit_ramp_step` — "flat, ramp, flat": speed holds a level ``μ₁`` until the onset,
  rises linearly to ``μ₂`` and holds it to the end. Every (onset, ramp-end) pair is scored;
  the best one is the kick model. A pure step is the one-sample ramp.
* :func:`segment` — binary segmentation into constant-mean phases; a split is kept only when
  both sides are long enough, their means differ by a minimum relative amount, and the
  difference is significant against autocorrelated noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RampFit", "fit_ramp_step", "segment", "effective_n_factor"]

#: Largest grid of (onset, ramp end) pairs evaluated at once (bounds memory to ~100 MB).
_MAX_PAIRS = 4_000_000


@dataclass
class RampFit:
    """Best "flat – linear ramp – flat" fit.

    Attributes
    ----------
    onset, ramp_end
        Sample indices: the level ``mu1`` holds up to and including ``onset``; the ramp reaches
        ``mu2`` at ``ramp_end`` and holds it after.
    mu1, mu2
        Levels before and after (units of the fitted series).
    sse, sse_flat
        Weighted residual sum of squares of this fit and of a single constant.
    onsets, onset_sse
        The onset indices tried and, for each, the least residual over all ramp ends (the
        profile of the fit along the onset, for confidence intervals); in units of the
        centred series (compare differences only).
    """

    onset: int
    ramp_end: int
    mu1: float
    mu2: float
    sse: float
    sse_flat: float
    onsets: np.ndarray | None = None
    onset_sse: np.ndarray | None = None


def _prefix(a: np.ndarray) -> np.ndarray:
    return np.concatenate(([0.0], np.cumsum(a)))


def fit_ramp_step(
    x: Any,
    y: Any,
    weights: Any = None,
    *,
    onset_range: tuple[int, int] | None = None,
    max_ramp: int | None = None,
    rising: bool = True,
) -> RampFit | None:
    """Least-squares "flat – ramp – flat" fit of ``y`` against ``x`` over all change points.

    Model: ``y = μ₁ + (μ₂ − μ₁)·g`` with ``g = 0`` up to sample ``a`` (the onset),
    ``g = (x − x_a)/(x_b − x_a)`` between ``a`` and ``b`` (the ramp end) and ``g = 1`` from
    ``b`` on. For every pair ``a < b`` the two levels have a closed-form weighted
    least-squares solution from prefix sums of ``w``, ``w·x``, ``w·x²``, ``w·y``, ``w·x·y``,
    so all pairs are scored at once.

    Parameters
    ----------
    x
        Increasing coordinate (time in s, or distance in m), finite.
    y
        Series to fit (speed, m/s), finite.
    weights
        Non-negative sample weights (default 1).
    onset_range
        Inclusive range of onset indices ``a`` to try (default: ``1 … n−2``).
    max_ramp
        Largest ``b − a`` in samples (default: up to the last sample).
    rising
        Keep only fits with ``μ₂ > μ₁`` (an acceleration).

    Returns
    -------
    RampFit or None
        The pair with the least residual; None when no admissible pair exists.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n < 3 or y.size != n or w.size != n:
        return None
    lo, hi = (1, n - 2) if onset_range is None else onset_range
    lo, hi = max(int(lo), 0), min(int(hi), n - 2)
    if hi < lo:
        return None
    ramp = n - 1 if max_ramp is None else max(1, int(max_ramp))
    x = (x - x[0]) / max(x[-1] - x[0], 1e-12)  # scale-free, well conditioned
    ymean = float(np.average(y, weights=w)) if w.sum() > 0 else 0.0
    y = y - ymean
    W, Sy, Syy = w.sum(), (w * y).sum(), (w * y * y).sum()
    sse_flat = Syy - Sy * Sy / W
    P0, P1, P2 = _prefix(w), _prefix(w * x), _prefix(w * x * x)
    Q0, Q1 = _prefix(w * y), _prefix(w * x * y)

    best: RampFit | None = None
    onsets = np.arange(lo, hi + 1)
    profile = np.full(onsets.size, np.inf)
    # evaluate in blocks of ramp lengths so the (onset × ramp) grid stays bounded
    per_block = max(1, _MAX_PAIRS // max(onsets.size, 1))
    for r0 in range(1, ramp + 1, per_block):
        r = np.arange(r0, min(ramp, r0 + per_block - 1) + 1)
        a = onsets[:, None]
        b = a + r[None, :]
        ok = b <= n - 1
        b = np.where(ok, b, n - 1)
        xa, L = x[a], x[b] - x[a]
        ok &= L > 0
        L = np.where(L > 0, L, 1.0)
        i0, i1 = a + 1, b  # ramp interior: a < i < b
        w_in = P0[i1] - P0[i0]
        wx_in = P1[i1] - P1[i0]
        wxx_in = P2[i1] - P2[i0]
        wy_in = Q0[i1] - Q0[i0]
        wxy_in = Q1[i1] - Q1[i0]
        w_post = W - P0[b]
        y_post = Sy - Q0[b]
        Sg = (wx_in - xa * w_in) / L + w_post
        Sgg = (wxx_in - 2 * xa * wx_in + xa * xa * w_in) / (L * L) + w_post
        Sgy = (wxy_in - xa * wy_in) / L + y_post
        den = W * Sgg - Sg * Sg
        ok &= den > 1e-12 * W * W
        den = np.where(ok, den, 1.0)
        delta = (W * Sgy - Sg * Sy) / den
        mu1 = (Sy - delta * Sg) / W
        sse = Syy - mu1 * Sy - delta * Sgy
        if rising:
            ok &= delta > 0
        sse = np.where(ok, sse, np.inf)
        profile = np.minimum(profile, sse.min(axis=1))
        k = int(np.argmin(sse))
        if not np.isfinite(sse.flat[k]):
            continue
        ia, ir = np.unravel_index(k, sse.shape)
        if best is None or sse.flat[k] < best.sse:
            m1 = float(mu1.flat[k])
            best = RampFit(
                onset=int(onsets[ia]),
                ramp_end=int(onsets[ia] + r[ir]),
                mu1=m1 + ymean,
                mu2=m1 + float(delta.flat[k]) + ymean,
                sse=max(float(sse.flat[k]), 0.0),
                sse_flat=max(float(sse_flat), 0.0),
            )
    if best is not None:
        best.onsets, best.onset_sse = onsets, profile
    return best


def effective_n_factor(residuals: Any) -> float:
    """Samples per independent observation of a correlated series (integrated autocorrelation).

    ``c = 1 + 2 Σ ρ_k``, summing the autocorrelations ``ρ_k`` (computed with an FFT) over
    the initial positive run of lags (Geyer's initial-sequence rule, 1992). White noise gives
    1; 1 Hz speed smoothed with a 5 s Gaussian about 5; slow pace fluctuations more. Dividing
    a sample count by ``c`` gives the effective sample size of a mean, so a level difference
    is not called significant just because correlated noise was sampled often.
    """
    r = np.asarray(residuals, dtype=float)
    r = r[np.isfinite(r)]
    n = r.size
    if n < 3:
        return 1.0
    r = r - r.mean()
    size = 1 << int(2 * n - 1).bit_length()
    f = np.fft.rfft(r, size)
    acov = np.fft.irfft(f * np.conj(f), size)[:n]
    if acov[0] <= 0:
        return 1.0
    rho = acov[1:] / acov[0]
    stop = np.flatnonzero(rho <= 0)
    k = int(stop[0]) if stop.size else rho.size
    return float(min(max(1.0 + 2.0 * rho[:k].sum(), 1.0), n))


def _bonferroni_z(z: float, m: int) -> float:
    """One-sided normal quantile for the tail probability of ``z`` shared among ``m`` tests."""
    if not z > 0 or m <= 1:
        return z
    tail = 0.5 * math.erfc(z / math.sqrt(2.0)) / m
    lo, hi = z, 40.0
    for _ in range(80):  # bisection on the monotone normal tail
        mid = 0.5 * (lo + hi)
        if 0.5 * math.erfc(mid / math.sqrt(2.0)) > tail:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def segment(
    y: Any,
    weights: Any = None,
    *,
    min_size: int,
    min_rel_change: float,
    z: float = 3.0,
    max_phases: int = 64,
) -> list[int]:
    """Constant-mean phases of ``y``: over-segment, then merge what is not a real change.

    1. **Split** (best-first binary segmentation): the phase whose best split point lowers the
       weighted squared error most is split, every split point of a phase scored at once from
       prefix sums, until ``max_phases`` or no phase can be split into two of ``min_size``.
    2. **Merge** (bottom-up): σ and the autocorrelation factor ``c``
       (:func:`effective_n_factor`) of the residuals about the current phases are measured;
       if some neighbouring pair differs by less than ``min_rel_change`` of its mean, or not
       significantly (``|μ_L − μ_R| < z·σ·√(c/n_L + c/n_R)``), the least distinct pair is
       merged and the noise measured again. ``z`` is raised for the ``n / min_size`` places a
       boundary could sit (Bonferroni: the fine phases are cut at the most extreme stretches
       of the noise, so each surviving boundary is a chosen, not a random, one). Starting
       fine keeps the noise estimate free of
       unmodelled levels (an interval session holds many); re-measuring after each merge
       returns the slow fluctuations the fine phases had absorbed to the noise, so correlated
       noise does not pass for a change of pace.

    Returns
    -------
    list of int
        Boundaries ``[0, k₁, …, n]``: phase ``j`` is ``y[k_j:k_{j+1}]``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    min_size = max(1, int(min_size))
    if n < 2 * min_size:
        return [0, n]
    P0, P1, P2 = _prefix(w), _prefix(w * y), _prefix(w * y * y)

    def sse(s: np.ndarray | int, e: np.ndarray | int) -> np.ndarray:
        W = P0[e] - P0[s]
        S = P1[e] - P1[s]
        return (P2[e] - P2[s]) - np.where(W > 0, S * S / np.where(W > 0, W, 1.0), 0.0)

    def mean(s: int, e: int) -> float:
        W = P0[e] - P0[s]
        return float((P1[e] - P1[s]) / W) if W > 0 else math.nan

    def best_split(s: int, e: int) -> tuple[float, int]:
        if e - s < 2 * min_size:
            return -math.inf, -1
        ks = np.arange(s + min_size, e - min_size + 1)
        gain = sse(s, e) - sse(s, ks) - sse(ks, e)
        i = int(np.argmax(gain))
        return float(gain[i]), int(ks[i])

    # 1. split, best first
    tiny = 1e-12 * max(float(sse(0, n)), 1e-300)
    cands = {(0, n): best_split(0, n)}
    while len(cands) < max_phases:
        (s, e), (g, k) = max(cands.items(), key=lambda item: item[1][0])
        if not g > tiny:
            break
        del cands[(s, e)]
        cands[(s, k)] = best_split(s, k)
        cands[(k, e)] = best_split(k, e)
    bounds = sorted({0, n, *(s for s, _ in cands)})
    if len(bounds) == 2:
        return bounds

    # the fine phases sit on the most extreme stretches of the noise: the significance level
    # is shared among the ~n/min_size places a boundary could be (Bonferroni)
    z = _bonferroni_z(z, max(1, n // min_size))
    # 2.-3. noise about the current phases, then merge the least distinct neighbours; repeat
    # until no pair merges (each merge makes the model coarser and the noise estimate more
    # honest: slow fluctuations the fine phases had absorbed return to the residuals)
    while len(bounds) > 2:
        b = np.asarray(bounds)
        idx = np.searchsorted(b, np.arange(n), side="right") - 1
        means = np.array([mean(s, e) for s, e in zip(b[:-1], b[1:])])
        resid = y - means[idx]
        sigma = float(np.sqrt(np.sum(w * resid * resid) / np.sum(w))) if w.sum() > 0 else 0.0
        c = effective_n_factor(resid)
        scores = []
        for j in range(1, len(bounds) - 1):
            s, k, e = bounds[j - 1], bounds[j], bounds[j + 1]
            m_l, m_r = mean(s, k), mean(k, e)
            diff = abs(m_r - m_l)
            se = sigma * math.sqrt(c / (k - s) + c / (e - k))
            ref = 0.5 * abs(m_l + m_r)
            ok = diff >= min_rel_change * ref and diff >= z * se
            # distinctness: the smaller of the two margins, in units of its threshold
            score = min(
                diff / (min_rel_change * ref) if min_rel_change * ref > 0 else math.inf,
                diff / (z * se) if z * se > 0 else math.inf,
            )
            scores.append((ok, score, j))
        failing = [(score, j) for ok, score, j in scores if not ok]
        if not failing:
            break
        _, j = min(failing)
        del bounds[j]
    return bounds
