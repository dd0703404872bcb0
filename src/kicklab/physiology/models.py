"""Speed–duration models: critical speed (CS), D' and maximal sprint speed (MSS).

Two families of same-signature plain functions, each with a registry and a dispatcher (pass a
model name or any callable with the same signature):

* speed sustainable for a duration — :func:`speed_2p`, :func:`speed_3p`
  (:data:`SPEED_MODELS`, :func:`speed`);
* time to exhaustion at a speed, the inverse — :func:`time_to_exhaustion_2p`,
  :func:`time_to_exhaustion_3p` (:data:`TIME_TO_EXHAUSTION_MODELS`,
  :func:`time_to_exhaustion`).

Every function broadcasts numpy arrays (durations against parameter draws, for example), takes
SI units (s, m/s, m) and returns ``float64`` arrays (0-d for scalar input). The formulas are
unit-agnostic: fed watts and joules they are the critical-power models they come from.

The 2-parameter model has no MSS; its functions accept ``mss_mps`` only so that every member of
a family has one signature, and ignore it. In the 3-parameter model ``mss_mps=inf`` is allowed
and is exactly the 2-parameter model (Morton's extra term ``D'/(MSS − CS)`` vanishes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kicklab.errors import InvalidValue

__all__ = [
    "SpeedModel",
    "TimeToExhaustionModel",
    "speed_2p",
    "speed_3p",
    "time_to_exhaustion_2p",
    "time_to_exhaustion_3p",
    "SPEED_MODELS",
    "TIME_TO_EXHAUSTION_MODELS",
    "speed",
    "time_to_exhaustion",
]

#: Signature of a speed model: ``f(duration_s, cs_mps, d_prime_m, mss_mps=None) -> speed_mps``.
SpeedModel = Callable[..., np.ndarray]
#: Signature of a time-to-exhaustion model: ``f(speed_mps, cs_mps, d_prime_m, mss_mps=None)``.
TimeToExhaustionModel = Callable[..., np.ndarray]


# ----------------------------------------------------------------------------- validation
def _array(value: ArrayLike, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numeric, got {value!r}") from None
    return arr


def _params(
    cs_mps: ArrayLike, d_prime_m: ArrayLike, mss_mps: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check model parameters: CS > 0 and finite, D' ≥ 0 and finite, CS < MSS (MSS may be inf)."""
    cs = _array(cs_mps, "cs_mps")
    dp = _array(d_prime_m, "d_prime_m")
    if not np.all(np.isfinite(cs) & (cs > 0)):
        raise InvalidValue(f"cs_mps must be finite and > 0 m/s, got {cs_mps!r}")
    if not np.all(np.isfinite(dp) & (dp >= 0)):
        raise InvalidValue(f"d_prime_m must be finite and >= 0 m, got {d_prime_m!r}")
    if mss_mps is None:
        return cs, dp, None
    mss = _array(mss_mps, "mss_mps")
    # MSS = inf is the 2-parameter limit; NaN or MSS <= CS has no meaning.
    if not np.all((mss > cs) & ~np.isnan(mss)):
        raise InvalidValue(
            f"mss_mps must exceed cs_mps (sprint speed above critical speed), got "
            f"mss_mps={mss_mps!r}, cs_mps={cs_mps!r}"
        )
    return cs, dp, mss


def _durations(duration_s: ArrayLike) -> np.ndarray:
    t = _array(duration_s, "duration_s")
    if np.any(t < 0):  # NaN compares False: a missing duration gives a NaN speed
        raise InvalidValue(f"duration_s must be >= 0 s, got {duration_s!r}")
    return t


def _speeds(speed_mps: ArrayLike) -> np.ndarray:
    v = _array(speed_mps, "speed_mps")
    if np.any(v < 0):  # NaN compares False: a missing speed gives a NaN time
        raise InvalidValue(f"speed_mps must be >= 0 m/s, got {speed_mps!r}")
    return v


# ----------------------------------------------------------------------------- speed models
def speed_2p(
    duration_s: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
) -> np.ndarray:
    """Speed sustainable for ``duration_s`` in the 2-parameter model, m/s.

    ``v(t) = CS + D'/t`` — the hyperbola of Monod & Scherrer (1965), Hill (1925); for running,
    Hughson, Orok & Staudt (1984). Equivalent to the linear distance–time relation
    ``d = CS·t + D'`` (SCIENCE.md §1). Valid for efforts of roughly 2–20 min; shorter ones
    are overestimated (``v → ∞`` as ``t → 0``).

    Parameters
    ----------
    duration_s
        Effort duration, s (≥ 0; 0 gives ``inf``).
    cs_mps
        Critical speed, m/s (> 0).
    d_prime_m
        D', the distance that can be covered above CS, m (≥ 0).
    mss_mps
        Ignored (the 2-parameter model has no sprint speed); accepted so that every speed model
        has the same signature.

    Returns
    -------
    numpy.ndarray
        Speed, m/s, broadcast over all inputs.
    """
    t = _durations(duration_s)
    cs, dp, _ = _params(cs_mps, d_prime_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = dp / t  # inf at t = 0; NaN where the duration is missing
    # D' = 0 at t = 0 is 0/0: without D' the runner holds CS at any duration
    extra = np.where((t == 0) & (dp == 0), 0.0, extra)
    return np.asarray(cs + extra, dtype=float)


def speed_3p(
    duration_s: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
) -> np.ndarray:
    """Speed sustainable for ``duration_s`` in Morton's 3-parameter model, m/s.

    ``v(t) = CS + D' / (t + D'/(MSS − CS))`` (Morton 1996, Eur J Appl Physiol 73:491), where
    MSS is the speed at ``t = 0``. Worked check (power units, SCIENCE.md §1): CP 300 W,
    W' 20 000 J, Pmax 1000 W, t = 300 s → 360.87 W. ``MSS = inf`` gives the 2-parameter model.

    Parameters
    ----------
    duration_s
        Effort duration, s (≥ 0; 0 gives MSS).
    cs_mps
        Critical speed, m/s (> 0).
    d_prime_m
        D', m (≥ 0).
    mss_mps
        Maximal sprint speed, m/s (> CS; ``inf`` allowed). Required.

    Returns
    -------
    numpy.ndarray
        Speed, m/s, broadcast over all inputs.
    """
    if mss_mps is None:
        raise InvalidValue("speed_3p needs mss_mps (maximal sprint speed)")
    t = _durations(duration_s)
    cs, dp, mss = _params(cs_mps, d_prime_m, mss_mps)
    assert mss is not None
    k = dp / (mss - cs)  # s: Morton's time shift; 0 when MSS = inf
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = dp / (t + k)  # t + k > 0 except at t = 0 with k = 0, handled below
    # t = 0 is MSS by definition (also when D' = 0 or MSS = inf, where the formula is 0/0 or
    # x/0); a missing duration stays NaN
    out = np.where(t == 0, mss, cs + extra)
    return np.asarray(out, dtype=float)


# ----------------------------------------------------------------------------- inverses
def time_to_exhaustion_2p(
    speed_mps: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
) -> np.ndarray:
    """Time to exhaustion at ``speed_mps`` in the 2-parameter model, s.

    ``t = D' / (v − CS)`` for ``v > CS`` (Monod & Scherrer 1965; SCIENCE.md §1); ``inf`` at or
    below CS (the model's sustainable domain). The inverse of :func:`speed_2p`.

    Parameters
    ----------
    speed_mps
        Running speed, m/s (≥ 0).
    cs_mps, d_prime_m
        Critical speed, m/s, and D', m.
    mss_mps
        Ignored (same signature as :func:`time_to_exhaustion_3p`).

    Returns
    -------
    numpy.ndarray
        Time, s, broadcast over all inputs.
    """
    v = _speeds(speed_mps)
    cs, dp, _ = _params(cs_mps, d_prime_m)
    above = v > cs
    with np.errstate(divide="ignore", invalid="ignore"):
        t = dp / np.where(above, v - cs, 1.0)
    out = np.where(above, t, np.inf)
    return np.asarray(np.where(np.isnan(v), np.nan, out), dtype=float)


def time_to_exhaustion_3p(
    speed_mps: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
) -> np.ndarray:
    """Time to exhaustion at ``speed_mps`` in Morton's 3-parameter model, s.

    Inverting ``v = CS + D'/(t + D'/(MSS − CS))`` gives
    ``t = D'/(v − CS) − D'/(MSS − CS)`` (Morton 1996): ``inf`` at or below CS, 0 at or above
    MSS (no time can be held beyond the fastest speed). The inverse of :func:`speed_3p`.

    Parameters
    ----------
    speed_mps
        Running speed, m/s (≥ 0).
    cs_mps, d_prime_m, mss_mps
        Critical speed, m/s; D', m; maximal sprint speed, m/s (> CS, ``inf`` allowed). MSS is
        required.

    Returns
    -------
    numpy.ndarray
        Time, s, broadcast over all inputs.
    """
    if mss_mps is None:
        raise InvalidValue("time_to_exhaustion_3p needs mss_mps (maximal sprint speed)")
    v = _speeds(speed_mps)
    cs, dp, mss = _params(cs_mps, d_prime_m, mss_mps)
    assert mss is not None
    above = v > cs
    with np.errstate(divide="ignore", invalid="ignore"):
        t = dp / np.where(above, v - cs, 1.0) - dp / (mss - cs)
    out = np.where(above, np.maximum(t, 0.0), np.inf)
    out = np.where(v >= mss, 0.0, out)
    return np.asarray(np.where(np.isnan(v), np.nan, out), dtype=float)


# ----------------------------------------------------------------------------- registries
#: Speed models by name; every member has the signature of :data:`SpeedModel`.
SPEED_MODELS: dict[str, SpeedModel] = {"2p": speed_2p, "3p": speed_3p}
#: Time-to-exhaustion models by name (inverses of :data:`SPEED_MODELS`).
TIME_TO_EXHAUSTION_MODELS: dict[str, TimeToExhaustionModel] = {
    "2p": time_to_exhaustion_2p,
    "3p": time_to_exhaustion_3p,
}


def _resolve(model: str | Callable[..., Any], registry: dict[str, Any], family: str) -> Any:
    if callable(model):
        return model
    try:
        return registry[str(model).lower()]
    except KeyError:
        names = ", ".join(sorted(registry))
        raise InvalidValue(f"unknown {family} model {model!r}: choose one of {names}") from None


def speed(
    duration_s: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
    *,
    model: str | SpeedModel = "2p",
) -> np.ndarray:
    """Speed sustainable for ``duration_s``, m/s, by the model named (or given) in ``model``.

    Parameters
    ----------
    duration_s, cs_mps, d_prime_m, mss_mps
        As in :func:`speed_2p` / :func:`speed_3p` (s, m/s, m, m/s).
    model
        ``"2p"`` (Monod & Scherrer), ``"3p"`` (Morton 1996; needs ``mss_mps``), or a callable
        with the same signature.

    Raises
    ------
    InvalidValue
        Unknown model name or impossible parameters.
    """
    func = _resolve(model, SPEED_MODELS, "speed")
    return np.asarray(func(duration_s, cs_mps, d_prime_m, mss_mps), dtype=float)


def time_to_exhaustion(
    speed_mps: ArrayLike,
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
    *,
    model: str | TimeToExhaustionModel = "2p",
) -> np.ndarray:
    """Time to exhaustion at ``speed_mps``, s, by the model named (or given) in ``model``.

    Parameters
    ----------
    speed_mps, cs_mps, d_prime_m, mss_mps
        As in :func:`time_to_exhaustion_2p` / :func:`time_to_exhaustion_3p` (m/s, m/s, m, m/s).
    model
        ``"2p"``, ``"3p"`` (needs ``mss_mps``) or a callable with the same signature.

    Raises
    ------
    InvalidValue
        Unknown model name or impossible parameters.
    """
    func = _resolve(model, TIME_TO_EXHAUSTION_MODELS, "time-to-exhaustion")
    return np.asarray(func(speed_mps, cs_mps, d_prime_m, mss_mps), dtype=float)
