"""Split a kick's speed gain into its cadence and step-length parts — exactly.

Speed is cadence times step length, ``v = c/60 · L`` (c in steps/min, L in m), so for any two
stretches of running

``Δ ln v = Δ ln c + Δ ln L``

holds exactly when each stretch is summarised by the geometric mean (the mean of the logs).
The share of the gain carried by cadence is ``Δ ln c / Δ ln v``, the rest is step length; the
two shares add to 100 % by construction. Step length is taken as ``60 · v / c`` sample by
sample so that the identity holds for the measured speed even when a device reports its own
(foot-pod) step length or speed from a different sensor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["decompose_gain", "MIN_LOG_GAIN", "DECOMPOSITION_KEYS"]

#: Keys of :func:`decompose_gain`'s result that a :class:`~kicklab.kick.result.Kick` carries.
DECOMPOSITION_KEYS = (
    "cadence_share_pct",
    "step_length_share_pct",
    "cadence_gain_pct",
    "step_length_gain_pct",
    "pre_cadence_spm",
    "kick_cadence_spm",
    "pre_step_length_m",
    "kick_step_length_m",
)

#: Below this change of ln v (0.5 % in speed) the shares are ill defined (a ratio of two
#: near-zero numbers) and are reported as NaN.
MIN_LOG_GAIN: float = 0.005


def _log_means(speed: np.ndarray, cadence: np.ndarray) -> tuple[float, float, int]:
    ok = np.isfinite(speed) & np.isfinite(cadence) & (speed > 0) & (cadence > 0)
    if ok.sum() == 0:
        return math.nan, math.nan, 0
    return float(np.mean(np.log(speed[ok]))), float(np.mean(np.log(cadence[ok]))), int(ok.sum())


def decompose_gain(
    speed_before_mps: Any,
    cadence_before_spm: Any,
    speed_during_mps: Any,
    cadence_during_spm: Any,
    *,
    min_samples: int = 3,
) -> dict[str, float]:
    """Cadence and step-length shares of the speed change between two stretches.

    Parameters
    ----------
    speed_before_mps, cadence_before_spm
        Samples before the kick (race pace): speed in m/s and cadence in steps/min.
    speed_during_mps, cadence_during_spm
        Samples during the kick, same units.
    min_samples
        Fewest valid samples (speed and cadence both positive) per stretch.

    Returns
    -------
    dict
        ``cadence_share_pct`` and ``step_length_share_pct`` (%, summing to 100; NaN when the
        speed change is below :data:`MIN_LOG_GAIN` or data are missing), ``speed_gain_pct``,
        ``cadence_gain_pct``, ``step_length_gain_pct`` (% change of the geometric means),
        ``pre_cadence_spm``, ``kick_cadence_spm``, ``pre_step_length_m``,
        ``kick_step_length_m`` (geometric means).
    """
    v0, c0 = np.asarray(speed_before_mps, float), np.asarray(cadence_before_spm, float)
    v1, c1 = np.asarray(speed_during_mps, float), np.asarray(cadence_during_spm, float)
    lv0, lc0, n0 = _log_means(v0, c0)
    lv1, lc1, n1 = _log_means(v1, c1)
    out = dict.fromkeys(("speed_gain_pct", *DECOMPOSITION_KEYS), math.nan)
    if n0 < min_samples or n1 < min_samples:
        return out
    # step length per sample is 60·v/c, so its mean log is ln 60 + mean ln v − mean ln c
    ll0, ll1 = math.log(60.0) + lv0 - lc0, math.log(60.0) + lv1 - lc1
    dv, dc, dl = lv1 - lv0, lc1 - lc0, ll1 - ll0
    out.update(
        speed_gain_pct=100.0 * math.expm1(dv),
        cadence_gain_pct=100.0 * math.expm1(dc),
        step_length_gain_pct=100.0 * math.expm1(dl),
        pre_cadence_spm=math.exp(lc0),
        kick_cadence_spm=math.exp(lc1),
        pre_step_length_m=math.exp(ll0),
        kick_step_length_m=math.exp(ll1),
    )
    if abs(dv) >= MIN_LOG_GAIN:
        share = 100.0 * dc / dv
        out["cadence_share_pct"] = share
        out["step_length_share_pct"] = 100.0 - share
    return out
