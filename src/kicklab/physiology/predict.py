"""Race-time prediction from critical speed and D', beside two classic peers.

* :func:`predict_time_s` — the time at which the athlete's speed–duration curve covers the
  distance: 2-parameter ``d = CS·t + D'`` or Morton's 3-parameter curve (SCIENCE.md §1).
* :func:`predict_with_interval` — the same over draws of (CS, D', MSS) from a fit (e.g.
  ``CriticalSpeed.param_samples_``): median and a central interval.
* :func:`riegel_time_s` — Riegel's power law from one reference race.
* :func:`vdot`, :func:`vdot_time_s` — Daniels & Gilbert's VDOT and the equivalent time.

Each method breaks somewhere; :func:`prediction_notes` says where, in words for the user.
Distances in m, times in s, speeds in m/s.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import brentq

from kicklab.errors import InvalidValue

__all__ = [
    "RIEGEL_EXPONENT",
    "Prediction",
    "predict_time_s",
    "predict_with_interval",
    "riegel_time_s",
    "vdot",
    "vdot_time_s",
    "vo2_demand",
    "fraction_vo2max",
    "prediction_notes",
]

#: Riegel's fatigue exponent for running (Riegel 1981, world records ~3.5 min to ~4 h).
RIEGEL_EXPONENT: float = 1.06
#: Slowest and fastest mean race speed searched for an equivalent VDOT time, m/s: a brisk walk
#: (below it the VO2 regression goes negative) and the 100 m world-record average (~10.4 m/s)
#: with a margin.
_VDOT_SPEED_RANGE_MPS = (1.0, 12.5)
#: Grid points (log-spaced in time) scanned for a sign change before brentq polishes the root.
_VDOT_GRID = 256


class Prediction(NamedTuple):
    """A predicted time with its interval, s (floats for a scalar distance, else arrays)."""

    median_s: Any
    lo_s: Any
    hi_s: Any


def _array(value: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numeric, got {value!r}") from None


def _positive(value: Any, name: str) -> np.ndarray:
    arr = _array(value, name)
    if arr.size == 0 or not (np.isfinite(arr).all() and (arr > 0).all()):
        raise InvalidValue(f"{name} must be finite and positive, got {value!r}")
    return arr


def _out(arr: np.ndarray) -> Any:
    return float(arr) if np.ndim(arr) == 0 else arr


# ----------------------------------------------------------------------------- CS / D'
def predict_time_s(distance_m: Any, cs_mps: Any, d_prime_m: Any, mss_mps: Any = None) -> Any:
    """Predicted race time over ``distance_m`` from CS, D' (and MSS), s.

    2-parameter model (``mss_mps`` None or NaN): the distance–time line ``d = CS·t + D'``
    gives ``t = (d − D')/CS``; NaN where ``d <= D'`` (the model would need an infinite speed).
    3-parameter model (Morton 1996, ``v(t) = CS + D'/(t + k)``, ``k = D'/(MSS − CS)``):
    ``d = v(t)·t`` is the quadratic ``CS·t² + (CS·k + D' − d)·t − d·k = 0``, whose one
    positive root is the time (computed without cancellation). Morton RH. A 3-parameter
    critical power model. Ergonomics 1996;39:611–619.

    All arguments broadcast (e.g. arrays of parameter draws against a scalar distance); a
    scalar result is a float. MSS must exceed CS where given.
    """
    d = _positive(distance_m, "distance_m")
    cs = _positive(cs_mps, "cs_mps")
    dp = _positive(d_prime_m, "d_prime_m")
    mss = np.asarray(np.nan) if mss_mps is None else _array(mss_mps, "mss_mps")
    try:
        d, cs, dp, mss = np.broadcast_arrays(d, cs, dp, mss)
    except ValueError:
        raise InvalidValue("distance and parameters do not broadcast together") from None
    three = np.isfinite(mss)
    if (mss[three] <= cs[three]).any():
        raise InvalidValue("mss_mps must be greater than cs_mps")
    with np.errstate(invalid="ignore", divide="ignore"):
        t2 = np.where(d > dp, (d - dp) / cs, np.nan)
        k = dp / np.where(three, mss - cs, 1.0)
        b = cs * k + dp - d
        root = np.sqrt(b * b + 4.0 * cs * d * k)
        # b >= 0: the '+' root is 2dk/(b + root) (no cancellation); b < 0: (−b + root)/(2CS).
        t3 = np.where(b >= 0, 2.0 * d * k / (b + root), (root - b) / (2.0 * cs))
    return _out(np.where(three, t3, t2))


def predict_with_interval(distance_m: Any, param_samples: Any, ci: float = 0.95) -> Prediction:
    """Median and central ``ci`` interval of the predicted time over parameter draws, s.

    ``param_samples`` is an ``n×3`` array of plausible (CS m/s, D' m, MSS m/s) draws — e.g.
    ``CriticalSpeed.param_samples_`` (bootstrap or draws from the linear fit's covariance); a
    NaN MSS (or an ``n×2`` array) uses the 2-parameter model for that draw. Draws that cannot
    predict the distance (2-parameter with ``d <= D'``) are left out; when more than the tail
    probability ``(1 − ci)/2`` of the draws are left out the result is NaN, because the
    interval's lower end would be decided by them.
    """
    try:
        ci = float(ci)
    except (TypeError, ValueError):
        raise InvalidValue(f"ci must be a number, got {ci!r}") from None
    if not 0.0 < ci < 1.0:
        raise InvalidValue(f"ci must be between 0 and 1, got {ci!r}")
    p = _array(param_samples, "param_samples")
    if p.ndim != 2 or p.shape[1] not in (2, 3) or p.shape[0] == 0:
        raise InvalidValue(
            f"param_samples must be an n×3 array of (cs, d', mss) draws, got shape {p.shape}"
        )
    d = _positive(distance_m, "distance_m")
    mss = p[:, 2] if p.shape[1] == 3 else np.full(p.shape[0], np.nan)
    shape = (p.shape[0],) + (1,) * d.ndim
    t = np.asarray(
        predict_time_s(d, p[:, 0].reshape(shape), p[:, 1].reshape(shape), mss.reshape(shape))
    )
    tail = (1.0 - ci) / 2.0
    bad = np.isnan(t).mean(axis=0) > tail
    t = np.where(bad[None], 0.0, t)  # placeholder so nanquantile never sees an all-NaN column
    q = np.nanquantile(t, [0.5, tail, 1.0 - tail], axis=0)
    q = np.where(bad[None], np.nan, q)
    return Prediction(_out(q[0]), _out(q[1]), _out(q[2]))


# ----------------------------------------------------------------------------- Riegel
def riegel_time_s(
    distance_m: Any, ref_distance_m: Any, ref_time_s: Any, exponent: float = RIEGEL_EXPONENT
) -> Any:
    """Riegel's power law: ``t = t_ref·(d/d_ref)^exponent``, s.

    Riegel PS. Athletic records and human endurance. Am Sci 1981;69:285–290 (exponent 1.06
    for running, fitted on world records of about 3.5 min to about 4 h). Broadcasts.
    """
    d = _positive(distance_m, "distance_m")
    d0 = _positive(ref_distance_m, "ref_distance_m")
    t0 = _positive(ref_time_s, "ref_time_s")
    e = _positive(exponent, "exponent")
    return _out(t0 * (d / d0) ** e)


# ----------------------------------------------------------------------------- VDOT
def vo2_demand(speed_m_per_min: Any) -> np.ndarray:
    """Oxygen cost of running at a speed, ml·kg⁻¹·min⁻¹ (Daniels & Gilbert 1979).

    ``VO2 = −4.60 + 0.182258·v + 0.000104·v²`` with ``v`` in **m/min**. Daniels J, Gilbert J.
    Oxygen Power: Performance Tables for Distance Runners. Tempe, AZ, 1979.
    """
    v = np.asarray(speed_m_per_min, dtype=float)
    return -4.60 + 0.182258 * v + 0.000104 * v * v


def fraction_vo2max(duration_min: Any) -> np.ndarray:
    """Fraction of VO2max sustainable for a race of the given duration (Daniels & Gilbert 1979).

    ``0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t)`` with ``t`` in **min**;
    1.0 near 11 min, above 1 for shorter races.
    """
    t = np.asarray(duration_min, dtype=float)
    return 0.8 + 0.1894393 * np.exp(-0.012778 * t) + 0.2989558 * np.exp(-0.1932605 * t)


def vdot(distance_m: Any, time_s: Any) -> Any:
    """VDOT of a race performance, ml·kg⁻¹·min⁻¹ (Daniels & Gilbert 1979).

    ``VDOT = VO2(v) / %VO2max(t)`` (:func:`vo2_demand`, :func:`fraction_vo2max`) with the race's
    mean speed ``v`` in m/min and duration ``t`` in min. 5000 m in 20:00 → 49.8; a 3:00:00
    marathon → 53.5. Broadcasts.
    """
    d = _positive(distance_m, "distance_m")
    t = _positive(time_s, "time_s")
    t_min = t / 60.0
    return _out(vo2_demand(d / t_min) / fraction_vo2max(t_min))


def _vdot_one(d: float, target: float) -> float:
    lo = d / _VDOT_SPEED_RANGE_MPS[1]
    hi = d / _VDOT_SPEED_RANGE_MPS[0]
    grid = np.geomspace(lo, hi, _VDOT_GRID)
    f = np.asarray(vdot(d, grid)) - target  # falls with time over the searched range
    cross = np.flatnonzero((f[:-1] >= 0) & (f[1:] < 0))
    if cross.size == 0:
        raise InvalidValue(
            f"no race time over {d:g} m gives VDOT {target:g} at a mean speed of "
            f"{_VDOT_SPEED_RANGE_MPS[0]:g}–{_VDOT_SPEED_RANGE_MPS[1]:g} m/s"
        )
    i = int(cross[0])
    return float(brentq(lambda s: float(vdot(d, s)) - target, grid[i], grid[i + 1], xtol=1e-9))


def vdot_time_s(distance_m: Any, vdot_value: Any) -> Any:
    """Race time over ``distance_m`` that has the given VDOT, s (inverse of :func:`vdot`).

    Solved with brentq after a scan for the bracket (the first sign change over mean speeds
    1–12.5 m/s); a loop over the distance/VDOT pairs, not over samples. VDOT 50 gives 5000 m in
    ≈ 19:57 and a marathon in ≈ 3:10:49 (Daniels' Running Formula, table of VDOT values).
    """
    d = _positive(distance_m, "distance_m")
    v = _positive(vdot_value, "vdot")
    d, v = np.broadcast_arrays(d, v)
    out = np.empty(d.shape)
    for idx in np.ndindex(d.shape):
        out[idx] = _vdot_one(float(d[idx]), float(v[idx]))
    return _out(out)


# ----------------------------------------------------------------------------- limits
def prediction_notes() -> dict[str, str]:
    """Where each prediction method breaks, one sentence or two per method (key = method)."""
    return {
        "2p": (
            "Critical speed and D' (2-parameter): sound for races of about 2–30 min, the range "
            "of the efforts it is fitted on (Jones & Vanhatalo 2017: 2–15 min). Below ~2 min "
            "it is too fast (it needs infinite speed as the distance approaches D'); beyond "
            "~30–60 min it is too optimistic, because CS cannot be held that long "
            "(recreational marathoners race at ~85 % of CS)."
        ),
        "3p": (
            "Morton 3-parameter: the sprint speed MSS caps the short end, so 400–800 m are "
            "plausible, but only when MSS is measured (efforts all longer than ~3 min do not "
            "identify it); the long end has the same optimism as the 2-parameter model beyond "
            "~30–60 min."
        ),
        "riegel": (
            "Riegel power law (exponent 1.06): fitted on races of ~3.5 min to ~4 h; below "
            "1500 m the anaerobic share breaks it, beyond the marathon (ultras) the exponent "
            "rises, and from a short race to the marathon it is optimistic for runners "
            "without marathon training."
        ),
        "vdot": (
            "Daniels–Gilbert VDOT: tables cover 1500 m to the marathon; below ~3.5 min the "
            "%VO2max curve is extrapolated far above 100 %, and ultras lie outside its data. "
            "It assumes the runner trained for the distance."
        ),
    }
