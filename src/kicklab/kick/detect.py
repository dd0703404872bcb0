"""Detect the finishing kick: the onset of the final sustained acceleration before the finish.

Method
------
The kick is a change point. On the race's speed (smoothed, zero-phase, and grade-adjusted
where altitude exists — see :func:`kicklab.kick.analysis.analyze`) a "flat – linear ramp –
flat" model is fitted by least squares for every pair (onset, end of the ramp) at once
(:func:`kicklab.kick.phases.fit_ramp_step`):

* the **fit window** runs from one lap (400 m) before the search window to the finish, never
  into the start (first 10 % of the race, at most 200 m) — its flat part is the race pace
  the kick is measured against;
* the **onset** is searched in the last ``min(60 %, 2000 m)`` of the race and must leave at
  least 50 m and 8 s to the finish (:mod:`kicklab.kick.rules` states why);
* the fit is accepted as a kick when the fitted gain ``μ₂/μ₁ − 1`` is at least 2 % **and**
  significant: ``(μ₂ − μ₁) ≥ 3·SE`` with ``SE = σ·√(c/n₁ + c/n₂)``, σ the residual standard
  deviation, ``n₁``/``n₂`` the samples before the onset and after the ramp, and ``c`` the
  autocorrelation factor of the residuals (smoothed speed and real pace fluctuations are
  correlated over many seconds; treating them as independent would find kicks in noise);
* **final and sustained**: the model holds the kick level to the finish, so a surge that
  fades back into the pack fits badly and loses to the acceleration that lasted; the part
  after the ramp is then searched again, and a later accepted acceleration whose gain also
  exceeds three times the pace spread before the first one (the race's own unevenness, as
  relative RMS residual) — a sprint launched from a long drive — is the final kick, the drive
  the pace it rose from;
* the **levels** reported (race pace before, kick speed after) are re-fitted with the onset
  fixed on the 400 m before it and the kick, so an earlier, slower part of the race does
  not dilute the pace the kick rose from;
* the onset's **resolution** is the half-width of its 95 % profile-likelihood interval
  (onsets whose best residual is within ``3.84·σ²·c`` of the optimum), in metres.

Working on a whole, smoothed stretch (not on point-wise thresholds) makes the onset robust to
GPS noise, dropouts and 1 s or "smart" recording: a position error moves the residual, not
the change point, and the 95 % interval widens honestly when the data are poor.

All times and distances here are relative to the race start (``time_s`` 0 at the start,
``distance_m`` 0 at the start); :func:`kicklab.kick.analysis.analyze` shifts them to
activity time.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kicklab.kick import rules
from kicklab.kick.phases import RampFit, effective_n_factor, fit_ramp_step
from kicklab.kick.result import Kick

__all__ = ["detect_kick", "PRE_WINDOW_M", "MIN_PRE_SAMPLES"]

#: The race pace before the kick is measured over at least one lap of a standard track (400 m)
#: before the earliest onset considered: long enough to average out bends and pace noise,
#: short enough to be the pace the kick actually rose from.
PRE_WINDOW_M: float = 400.0
#: Fewest samples before an onset (the pre-kick level needs a few independent values).
MIN_PRE_SAMPLES: int = 5
#: A kick's rise from race pace to kick speed takes ~5–20 s (accelerations of 0.05–0.3 m/s²
#: at 1500–10 000 m speeds); a fit whose ramp is at most 30 s is preferred to a slower one
#: unless the slower one fits significantly better (see :func:`_search`).
SHARP_RAMP_S: float = 30.0
#: Chi-square (1 degree of freedom) 95 % quantile, for the onset's profile interval.
_CHI2_95 = 3.841


def _judge(
    fit: RampFit, x: np.ndarray, y: np.ndarray, dd: np.ndarray
) -> tuple[float, float, float, float, float]:
    """Gain, z-score, residual σ, autocorrelation factor and relative pace spread before the
    onset (RMS residual / μ₁) of a ramp fit.

    The noise is judged locally, on the residuals from :data:`PRE_WINDOW_M` before the onset
    to the finish: the kick is compared with the pace it rose from, and hills or pace changes
    far earlier in a long fit window say nothing about that comparison.
    """
    n = x.size
    a, b = fit.onset, fit.ramp_end
    g = np.zeros(n)
    g[b:] = 1.0
    if b - a > 1:
        g[a + 1 : b] = (x[a + 1 : b] - x[a]) / (x[b] - x[a])
    local = dd >= dd[a] - PRE_WINDOW_M
    resid = (y - (fit.mu1 + (fit.mu2 - fit.mu1) * g))[local]
    sigma = float(np.sqrt(np.mean(resid * resid)))
    c = effective_n_factor(resid)
    n1, n2 = int(local[: a + 1].sum()), n - b
    pre = resid[:n1]
    spread = float(np.sqrt(np.mean(pre * pre))) / fit.mu1 if n1 and fit.mu1 > 0 else math.nan
    se = sigma * math.sqrt(c / max(n1, 1) + c / max(n2, 1))
    gain = fit.mu2 / fit.mu1 - 1.0 if fit.mu1 > 0 else math.nan
    z = (fit.mu2 - fit.mu1) / se if se > 0 else math.inf
    return gain, z, sigma, c, spread


def _search(
    t: np.ndarray,
    d: np.ndarray,
    v: np.ndarray,
    first: int,
    lo_d: float,
    hi_d: float,
    hi_t: float,
    *,
    sharp_only: bool = False,
) -> tuple[RampFit | None, int, tuple[float, ...]]:
    """Best ramp fit on samples ``first:`` with onsets in the given range, and its statistics.

    Two fits compete: the best with a ramp of at most :data:`SHARP_RAMP_S` and the best with
    any ramp. The sharp one is kept unless the free one is significantly better (residual
    lower by more than the 95 % χ² margin ``3.84·σ²·c``) and itself passes the kick test: a
    gradual drift of pace before a kick, within the noise, must not drag its onset back, and
    a loose ramp across a drive and a sprint must not hide the sprint. ``sharp_only``: only
    the sharp fit.
    """
    nan4 = (math.nan,) * 5
    x, y, dd = t[first:], v[first:], d[first:]
    cand = np.flatnonzero((dd >= lo_d) & (dd <= hi_d) & (x <= hi_t))
    cand = cand[cand >= MIN_PRE_SAMPLES]
    if cand.size == 0 or x.size < MIN_PRE_SAMPLES + 3:
        return None, first, nan4
    onsets = (int(cand[0]), int(cand[-1]))
    step = float(np.median(np.diff(x))) if x.size > 1 else 1.0
    sharp = fit_ramp_step(
        x, y, onset_range=onsets, max_ramp=max(1, int(round(SHARP_RAMP_S / max(step, 1e-9))))
    )
    if sharp_only:
        return (sharp, first, _judge(sharp, x, y, dd)) if sharp is not None else (None, first, nan4)
    free = fit_ramp_step(x, y, onset_range=onsets)
    if free is None:
        return None, first, nan4
    stats = _judge(free, x, y, dd)
    if sharp is not None:
        _, _, sigma, c, _ = stats
        sharp_stats = _judge(sharp, x, y, dd)
        # the sharp rise wins when the free one is not significantly better, or when the free
        # one (e.g. a ramp spanning a drive and a sprint) fits so loosely that it fails the
        # test while the sharp one passes
        if sharp.sse - free.sse <= _CHI2_95 * sigma * sigma * c or (
            _accepted(sharp_stats) and not _accepted(stats)
        ):
            return sharp, first, sharp_stats
    return free, first, stats


def _z_text(z: float) -> str:
    return "> 99" if z > 99 else f"{z:.1f}"


def _accepted(stats: tuple[float, ...]) -> bool:
    gain, z = stats[0], stats[1]
    return bool(gain >= rules.MIN_KICK_GAIN and z >= rules.KICK_Z)


def detect_kick(time_s: Any, distance_m: Any, speed_mps: Any) -> Kick:
    """Find the finishing kick in a race (see the module docstring for the method).

    Parameters
    ----------
    time_s
        Race time of each sample, s (0 at the start), increasing.
    distance_m
        Race distance of each sample, m (0 at the start); the last valid value is the race
        distance.
    speed_mps
        Speed to analyse, m/s (smoothed; grade-adjusted on hills).

    Returns
    -------
    Kick
        ``detected``, ``onset_time_s``/``onset_distance_m`` (race-relative),
        ``onset_distance_to_go_m``, ``onset_time_to_go_s``, ``onset_resolution_m``,
        ``ramp_s``, ``pre_kick_speed_mps``, ``kick_speed_mps``, ``gain_pct``, ``duration_s``
        and ``reason``; the other metrics are left NaN (see
        :func:`kicklab.kick.metrics.kick_metrics`). When no kick is accepted, the best
        candidate's gain is given in ``reason`` only.
    """
    t = np.asarray(time_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    v = np.asarray(speed_mps, dtype=float)
    ok = np.isfinite(t) & np.isfinite(d) & np.isfinite(v)
    t, d, v = t[ok], d[ok], v[ok]
    if t.size < 2 * MIN_PRE_SAMPLES:
        return Kick(detected=False, reason="too few speed samples to look for a kick")
    D, T = float(d[-1]), float(t[-1])
    if D < rules.MIN_RACE_M or T < rules.MIN_RACE_S:
        return Kick(detected=False, reason=f"race too short ({D:.0f} m, {T:.0f} s) for a kick")
    search_from = D - min(rules.SEARCH_FRACTION * D, rules.SEARCH_MAX_M)
    start_ex = min(rules.START_EXCLUDE_FRACTION * D, rules.START_EXCLUDE_MAX_M)
    fit_from = max(start_ex, search_from - PRE_WINDOW_M)
    first = int(np.searchsorted(d, fit_from))
    hi_d, hi_t = D - rules.MIN_KICK_M, T - rules.MIN_KICK_S

    fit, base, stats = _search(t, d, v, first, search_from, hi_d, hi_t)
    if fit is None:
        return Kick(detected=False, reason="no acceleration in the final part of the race")
    if not _accepted(stats):
        gain, z = stats[0], stats[1]
        return Kick(
            detected=False,
            reason=(
                f"no final sustained acceleration: the best candidate was {100 * gain:+.1f} % "
                f"(z = {_z_text(z)}); a kick needs ≥ {100 * rules.MIN_KICK_GAIN:.0f} % and "
                f"z ≥ {rules.KICK_Z:.0f}"
            ),
        )
    # a gradual ramp may span a step up in pace (a drive, or covering a rival's surge) and a
    # sprint from the new pace: when a sharp rise inside it is followed by a distinct, sharp,
    # later one, the later one is the kick (the earlier step shows among the surges)
    if t[base + fit.ramp_end] - t[base + fit.onset] > SHARP_RAMP_S:
        sfit, sbase, sstats = _search(t, d, v, first, search_from, hi_d, hi_t, sharp_only=True)
        if sfit is not None and _accepted(sstats):
            later, lbase, lstats = _search(
                t, d, v, sbase + sfit.ramp_end, search_from, hi_d, hi_t, sharp_only=True
            )
            if later is not None and _accepted(lstats) and lstats[0] >= rules.KICK_Z * sstats[4]:
                fit, base, stats = later, lbase, lstats
    # a clearly distinct, later acceleration (a sprint launched from a drive) is the final one
    for _ in range(4):
        later, lbase, lstats = _search(t, d, v, base + fit.ramp_end, search_from, hi_d, hi_t)
        if later is None or not _accepted(lstats) or lstats[0] < rules.KICK_Z * stats[4]:
            break
        fit, base, stats = later, lbase, lstats
    gain, z, sigma, c, _ = stats
    ia = base + fit.onset
    ramp_s = float(t[base + fit.ramp_end] - t[ia])
    onset_d, onset_t = float(d[ia]), float(t[ia])
    # levels re-measured locally: the pace in the 400 m before the onset, not the mean of a
    # long fit window that may hold an earlier, slower part of the race (e.g. before a drive)
    mu1, mu2 = fit.mu1, fit.mu2
    loc = int(np.searchsorted(d, onset_d - PRE_WINDOW_M))
    if ia - loc >= MIN_PRE_SAMPLES:
        local = fit_ramp_step(
            t[loc:], v[loc:], onset_range=(ia - loc, ia - loc), max_ramp=fit.ramp_end - fit.onset
        )
        if local is not None:
            mu1, mu2 = local.mu1, local.mu2
            ramp_s = float(t[loc + local.ramp_end] - t[ia])
            gain = mu2 / mu1 - 1.0
    # 95 % profile interval of the onset, in metres
    resolution = math.nan
    if fit.onset_sse is not None and fit.onsets is not None:
        within = fit.onset_sse <= fit.sse + _CHI2_95 * sigma * sigma * c
        idx = base + fit.onsets[within]
        if idx.size:
            resolution = 0.5 * float(d[idx.max()] - d[idx.min()])
            resolution = max(resolution, float(v[ia]) * 0.5)  # never finer than half a sample
    return Kick(
        detected=True,
        onset_time_s=onset_t,
        onset_distance_m=onset_d,
        onset_distance_to_go_m=D - onset_d,
        onset_time_to_go_s=T - onset_t,
        onset_resolution_m=resolution,
        ramp_s=ramp_s,
        pre_kick_speed_mps=mu1,
        kick_speed_mps=mu2,
        gain_pct=100.0 * gain,
        duration_s=T - onset_t,
        reason=(
            f"speed rose {100 * gain:.1f} % (z = {_z_text(z)}) from {D - onset_d:.0f} m to go "
            f"and stayed up to the finish"
        ),
    )
