"""Metrics of a race's finish: final 100/200/400 m, peak and mean kick speed, HR, decomposition.

All inputs are race-relative (time 0 and distance 0 at the start); see
:func:`kicklab.kick.detect.detect_kick` for the onset itself.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from kicklab.kick.decompose import DECOMPOSITION_KEYS, decompose_gain
from kicklab.kick.detect import PRE_WINDOW_M
from kicklab.kick.result import Kick

__all__ = ["final_time_s", "kick_metrics"]


def final_time_s(time_s: Any, distance_m: Any, last_m: float) -> float:
    """Time over the last ``last_m`` metres of the race, s (NaN when the race is shorter).

    The time at ``race distance − last_m`` is interpolated on the distance trace (distance is
    made non-decreasing first; 1 Hz samples put it within a fraction of a second).
    """
    t = np.asarray(time_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    ok = np.isfinite(t) & np.isfinite(d)
    t, d = t[ok], np.maximum.accumulate(d[ok]) if ok.any() else d[ok]
    if t.size < 2 or d[-1] - d[0] < last_m - 1e-9:
        return math.nan
    return float(t[-1] - np.interp(d[-1] - last_m, d, t))


def _at(t: np.ndarray, x: np.ndarray, when: float) -> float:
    ok = np.isfinite(x)
    if not ok.any():
        return math.nan
    return float(np.interp(when, t[ok], x[ok]))


def kick_metrics(
    kick: Kick,
    time_s: Any,
    distance_m: Any,
    speed_mps: Any,
    *,
    heart_rate_bpm: Any = None,
    cadence_spm: Any = None,
) -> Kick:
    """A copy of ``kick`` with the finish metrics filled in.

    Parameters
    ----------
    kick
        From :func:`~kicklab.kick.detect.detect_kick` (race-relative onset).
    time_s, distance_m
        Race time (s) and distance (m) of each sample, 0 at the start.
    speed_mps
        Measured speed, m/s (not grade-adjusted: these are the speeds the runner ran).
    heart_rate_bpm, cadence_spm
        Optional heart rate (bpm) and cadence (steps/min) per sample.

    Returns
    -------
    Kick
        ``final_100_s``/``final_200_s``/``final_400_s`` and ``hr_end_bpm`` always (NaN when
        the race is shorter or HR is missing); when a kick was detected also ``peak_speed_mps``
        (highest speed from onset to finish), ``mean_speed_mps`` (distance / time from onset
        to finish), ``hr_onset_bpm`` and the cadence/step-length decomposition
        (:func:`~kicklab.kick.decompose.decompose_gain`) between the last 400 m before the
        onset and the stretch from the end of the acceleration to the finish.
    """
    t = np.asarray(time_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    v = np.asarray(speed_mps, dtype=float)
    n = t.size
    hr = np.full(n, np.nan) if heart_rate_bpm is None else np.asarray(heart_rate_bpm, float)
    cad = np.full(n, np.nan) if cadence_spm is None else np.asarray(cadence_spm, float)
    out = dataclasses.replace(kick)
    out.final_100_s = final_time_s(t, d, 100.0)
    out.final_200_s = final_time_s(t, d, 200.0)
    out.final_400_s = final_time_s(t, d, 400.0)
    ok_hr = np.isfinite(hr)
    out.hr_end_bpm = float(hr[ok_hr][-1]) if ok_hr.any() else math.nan
    if not kick.detected or n < 2:
        return out
    T = float(np.nanmax(t))
    D = float(np.nanmax(d))
    on_t, on_d = kick.onset_time_s, kick.onset_distance_m
    in_kick = t >= on_t
    vk = v[in_kick]
    out.peak_speed_mps = float(np.nanmax(vk)) if np.isfinite(vk).any() else math.nan
    out.mean_speed_mps = (D - on_d) / (T - on_t) if on_t < T else math.nan
    out.hr_onset_bpm = _at(t, hr, on_t)
    pre = (d >= on_d - PRE_WINDOW_M) & (t <= on_t)
    during = t >= on_t + (kick.ramp_s if math.isfinite(kick.ramp_s) else 0.0)
    parts = decompose_gain(v[pre], cad[pre], v[during], cad[during])
    for key in DECOMPOSITION_KEYS:
        setattr(out, key, parts[key])
    return out
