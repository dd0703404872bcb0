"""D' balance: how much of the capacity above critical speed (D', m) is left, sample by sample.

Running faster than critical speed (CS) spends D' at the rate of the excess speed; running
slower restores it, exponentially, with a time constant τ (SCIENCE.md §2). The models below
differ only in τ and in how recovery is timed; each is a plain function with one signature::

    f(intensity, critical, capacity, *, time_s=None, dt_s=1.0, tau_s=None,
      watts_per_mps=WATTS_PER_MPS, units="mps") -> ndarray

and returns the remaining capacity after each sample (same units as ``capacity``), starting
full. Choose one by name with :func:`balance` (``model="differential"``, ``"skiba"``,
``"bartram"``, see :data:`BALANCE_MODELS`) or pass any callable with that signature.

``"differential"``
    Skiba & Clarke 2021: ``τ = D' / (CS − v)`` below CS. Unit-consistent (m / (m/s) = s), so it
    carries over to running speed unchanged; the default.
``"skiba"``
    Skiba et al. 2012 integral model, one τ for the whole activity from the mean recovery
    intensity; τ in watts.
``"bartram"``
    Bartram et al. 2018: ``τ = 2287.2·DCP^−0.688`` below CP; τ in watts.

Units
    ``units="mps"`` (default): intensity is speed (m/s), ``critical`` CS (m/s), ``capacity`` D'
    (m). ``units="W"``: intensity is power (W), ``critical`` CP (W), ``capacity`` W' (J). The
    Skiba 2012 and Bartram τ formulas were fitted in watts on cyclists; with speed input the
    deficit below CS is converted to an *equivalent* power with ``watts_per_mps`` (default
    :data:`WATTS_PER_MPS` = 63 W per m/s, an assumption: read its comment).

Timing
    Sample ``i``'s intensity is held over the step that *ends* at sample ``i``. Without
    ``time_s`` every step lasts ``dt_s`` (a number, or one duration per sample — the lap mode of
    :func:`balance_laps`). With ``time_s`` the step ending at sample ``i`` lasts
    ``time_s[i] − time_s[i−1]`` and the first lasts ``dt_s``, so ``time_s = 0, 1, 2, …`` gives
    the same result as no ``time_s``. Each step is solved exactly for a constant intensity:
    linear expenditure above CS, exponential recovery below it.

Missing samples
    A NaN intensity (a recording gap in a cleaned 1 Hz activity) leaves D'bal unchanged over
    its step: nothing is known about what the runner did. Pass 0 for a known standstill to
    let the runner recover.

Negative balance
    D'bal is not clipped at 0. A negative value means the runner went further above CS than
    the given D' allows: the athlete's CS or D' is underestimated (or the speed is wrong).

Vectorisation
    Every model is a linear recurrence on the deficit ``e = D' − D'bal`` with coefficients
    that do not depend on the state: ``e[i] = a[i]·e[i−1] + b[i]``, with decay
    ``a[i] = exp(−r[i])`` (``r`` = step duration / τ) and expenditure ``b[i] ≥ 0``. It is solved
    in closed form with cumulative sums, ``e[i] = Σ_j b[j]·exp(L[j] − L[i])`` where ``L`` is
    the cumulative sum of ``r``; to keep the exponentials in floating-point range the series
    is cut into blocks in which ``L`` grows by at most :data:`_BLOCK_RATE` and the deficit is
    carried from block to block (a Python loop over a handful of blocks, never over samples).

Parameters may be arrays (e.g. many draws of CS and D' from a fit): ``critical`` and
``capacity`` broadcast together to a shape ``P`` and the result has shape ``P + (n,)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue

__all__ = [
    "WATTS_PER_MPS",
    "BALANCE_MODELS",
    "UNITS",
    "balance",
    "differential",
    "skiba",
    "bartram",
    "balance_laps",
    "balance_splits",
    "tau_differential_s",
    "tau_skiba_s",
    "tau_bartram_s",
    "RecoveryData",
    "RecoveryError",
    "caen_recovery",
    "recovery_error",
]

#: Equivalent external power per m/s of running speed, W/(m/s) — an ASSUMPTION used only to
#: feed a speed deficit below CS into the watt-based τ formulas of Skiba 2012 and Bartram 2018.
#: 70 kg (a typical adult runner) × 3.6 J·kg⁻¹·m⁻¹ (Minetti 2002 metabolic cost of level
#: running, C(0)) × 0.25 (gross mechanical efficiency, as for cycling) = 63 W per m/s. Both
#: formulas were fitted on cyclists; their τ for a runner is only as good as this conversion.
#: Pass the athlete's own value (body mass × 3.6 × 0.25) or use the "differential" model,
#: which needs no conversion.
WATTS_PER_MPS: float = 70.0 * 3.6 * 0.25
#: Accepted values of ``units``: speed (m/s, D' in m) or power (W, W' in J).
UNITS: tuple[str, ...] = ("mps", "W")

#: Skiba et al. 2012 τ = A·exp(−k·DCP) + B, s (DCP in W).
_SKIBA_A_S = 546.0
_SKIBA_K_PER_W = 0.01
_SKIBA_B_S = 316.0
#: Bartram et al. 2018 τ = A·DCP^−p, s (DCP in W).
_BARTRAM_A = 2287.2
_BARTRAM_P = 0.688
#: Largest decay exponent applied in one step: exp(−40) ≈ 4e−18 is below the relative precision
#: of float64, so any larger exponent (a long pause) gives the same (fully recovered) result.
_MAX_STEP_RATE = 40.0
#: Largest growth of the cumulative decay exponent within one solver block; with
#: :data:`_MAX_STEP_RATE` the exponentials inside a block stay below exp(2·300 + 40) ≈ 1e278,
#: inside float64 range (1.8e308).
_BLOCK_RATE = 300.0


# ----------------------------------------------------------------------------- validation
def _param(value: Any, name: str) -> np.ndarray:
    """A model parameter (scalar or array) as float64, every value finite and positive."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numeric, got {value!r}") from None
    if arr.size == 0:
        raise InvalidValue(f"{name} is empty")
    if not (np.isfinite(arr).all() and (arr > 0).all()):
        raise InvalidValue(f"{name} must be finite and positive, got {value!r}")
    return arr


def _series(value: Any, name: str) -> np.ndarray:
    """A 1-D float64 series (non-finite values become NaN)."""
    try:
        arr = np.array(value, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numeric") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    elif arr.ndim != 1:
        raise InvalidValue(f"{name} must be one-dimensional, got shape {arr.shape}")
    arr[~np.isfinite(arr)] = np.nan
    return arr


def _units(units: str) -> str:
    if units not in UNITS:
        raise InvalidValue(f"units must be one of {', '.join(UNITS)}, got {units!r}")
    return units


def _steps(n: int, time_s: Any, dt_s: Any) -> np.ndarray:
    """Duration of the step ending at each sample, s."""
    dt_arr = np.asarray(dt_s, dtype=float) if dt_s is not None else np.asarray(np.nan)
    if time_s is None:
        if dt_arr.ndim == 0:
            dt = np.full(n, float(dt_arr))
        elif dt_arr.shape == (n,):
            dt = dt_arr.astype(float)
        else:
            raise InvalidValue(
                f"dt_s must be a number or one step per sample ({n}), got shape {dt_arr.shape}"
            )
    else:
        t = _series(time_s, "time_s")
        if t.size != n:
            raise InvalidValue(f"time_s has {t.size} values but the intensity has {n}")
        if np.isnan(t).any():
            raise InvalidValue("time_s has missing (NaN) values")
        if dt_arr.ndim != 0:
            raise InvalidValue("dt_s must be a single number (the first step) when time_s is given")
        dt = np.empty(n)
        if n:
            dt[0] = float(dt_arr)
            dt[1:] = np.diff(t)
        if n > 1 and (dt[1:] < 0).any():
            raise InvalidValue("time_s must be non-decreasing")
    if n and not (np.isfinite(dt).all() and (dt >= 0).all()):
        raise InvalidValue("step durations (dt_s) must be finite and >= 0 s")
    return dt


@dataclass(frozen=True)
class _Input:
    x: np.ndarray  # intensity, shape (n,)
    c: np.ndarray  # critical, shape P + (1,)
    w: np.ndarray  # capacity, shape P + (1,)
    dt: np.ndarray  # step durations, shape (n,)
    tau: np.ndarray | None  # τ override, broadcastable to P + (n,)
    to_w: float  # W per unit of intensity (1 for power input)
    shape: tuple[int, ...]  # P + (n,)


def _prepare(
    intensity: Any,
    critical: Any,
    capacity: Any,
    time_s: Any,
    dt_s: Any,
    tau_s: Any,
    watts_per_mps: float,
    units: str,
) -> _Input:
    x = _series(intensity, "intensity")
    if (x[np.isfinite(x)] < 0).any():
        raise InvalidValue("intensity (speed or power) must not be negative")
    c = _param(critical, "critical speed/power")
    w = _param(capacity, "capacity (D' or W')")
    try:
        pshape = np.broadcast_shapes(c.shape, w.shape)
    except ValueError:
        raise InvalidValue(
            f"critical (shape {c.shape}) and capacity (shape {w.shape}) do not broadcast"
        ) from None
    c = np.broadcast_to(c, pshape)[..., None]
    w = np.broadcast_to(w, pshape)[..., None]
    dt = _steps(x.size, time_s, dt_s)
    shape = (*pshape, x.size)
    tau = None
    if tau_s is not None:
        tau = _param(tau_s, "tau_s")
        try:
            np.broadcast_shapes(tau.shape, shape)
        except ValueError:
            raise InvalidValue(
                f"tau_s (shape {tau.shape}) does not match the samples (shape {shape})"
            ) from None
    k = 1.0
    if _units(units) == "mps":
        k = float(_param(watts_per_mps, "watts_per_mps"))
    return _Input(x, c, w, dt, tau, k, shape)


# ----------------------------------------------------------------------------- solver
def _solve(rate: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Deficit ``e`` of the recurrence ``e[i] = exp(−rate[i])·e[i−1] + spend[i]``, ``e[−1] = 0``.

    Closed form per block (see the module docstring); the last axis is the sample axis.
    """
    rate = np.minimum(rate, _MAX_STEP_RATE)
    n = rate.shape[-1]
    out = np.empty(rate.shape)
    if n == 0:
        return out
    L = np.cumsum(rate, axis=-1)
    # Block boundaries from the fastest-decaying row, so that every row's exponent range within a
    # block is bounded by it.
    lead = np.cumsum(rate.reshape(-1, n).max(axis=0))
    block = np.floor(lead / _BLOCK_RATE)
    starts = np.flatnonzero(np.r_[True, np.diff(block) > 0])
    ends = np.r_[starts[1:], n]
    carry = np.zeros(rate.shape[:-1])
    ref = np.zeros(rate.shape[:-1])
    for s, t in zip(starts, ends, strict=True):
        rel = L[..., s:t] - ref[..., None]  # cumulative decay since the block's start, >= 0
        gain = np.exp(-rel)
        out[..., s:t] = gain * (carry[..., None] + np.cumsum(spend[..., s:t] / gain, axis=-1))
        carry = out[..., t - 1]
        ref = L[..., t - 1]
    return out


def _result(inp: _Input, rate: np.ndarray, spend: np.ndarray) -> np.ndarray:
    rate = np.broadcast_to(rate, inp.shape)
    spend = np.broadcast_to(spend, inp.shape)
    return np.broadcast_to(inp.w, inp.shape) - _solve(rate, spend)


# ----------------------------------------------------------------------------- τ formulas
def tau_differential_s(deficit: Any, capacity: Any) -> np.ndarray:
    """Recovery time constant of the differential model, s (Skiba & Clarke 2021).

    ``τ = D' / (CS − v)``: ``deficit`` is how far below critical the intensity is (CS − v in
    m/s with D' in m, or CP − P in W with W' in J). Infinite at zero deficit (no recovery at
    CS). Skiba PF, Clarke DC. The W′ balance model: mathematical and methodological
    considerations. Int J Sports Physiol Perform 2021;16:1561–1572.
    """
    d = np.asarray(deficit, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(d > 0, np.asarray(capacity, dtype=float) / np.where(d > 0, d, 1.0), np.inf)


def tau_skiba_s(dcp_w: Any) -> np.ndarray:
    """Recovery time constant of the Skiba 2012 integral model, s.

    ``τ = 546·exp(−0.01·DCP) + 316`` with ``DCP`` = CP − mean recovery power, W (fitted on
    cyclists). Skiba PF, Chidnok W, Vanhatalo A, Jones AM. Modeling the expenditure and
    reconstitution of work capacity above critical power. Med Sci Sports Exerc
    2012;44:1526–1532.
    """
    return _SKIBA_A_S * np.exp(-_SKIBA_K_PER_W * np.asarray(dcp_w, dtype=float)) + _SKIBA_B_S


def tau_bartram_s(dcp_w: Any) -> np.ndarray:
    """Recovery time constant of Bartram et al. 2018, s.

    ``τ = 2287.2·DCP^−0.688`` with ``DCP`` = CP − recovery power, W (fitted on elite cyclists);
    infinite at ``DCP <= 0``. Bartram JC, Thewlis D, Martin DT, Norton KI. Accuracy of W′
    recovery kinetics in high performance cyclists — modeling intermittent work capacity. Int
    J Sports Physiol Perform 2018;13:724–728.
    """
    d = np.asarray(dcp_w, dtype=float)
    safe = np.where(d > 0, d, 1.0)
    return np.where(d > 0, _BARTRAM_A * safe**-_BARTRAM_P, np.inf)


# ----------------------------------------------------------------------------- models
def differential(
    intensity: Any,
    critical: Any,
    capacity: Any,
    *,
    time_s: Any = None,
    dt_s: Any = 1.0,
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
    units: str = "mps",
) -> np.ndarray:
    """D' balance by the differential model (Skiba & Clarke 2021), same units as ``capacity``.

    Above CS: ``dD'bal/dt = −(v − CS)``. Below CS: ``dD'bal/dt = (CS − v)·(D' − D'bal)/D'``,
    i.e. exponential recovery with ``τ = D'/(CS − v)`` (:func:`tau_differential_s`), solved
    exactly over each step. Unit-consistent: it works on speed (m/s, D' in m) without any
    conversion, so ``watts_per_mps`` and ``units`` do not change the result. ``tau_s``
    replaces τ (s) when given. Skiba PF, Clarke DC, Int J Sports Physiol Perform
    2021;16:1561–1572. See the module docstring for the parameters.
    """
    inp = _prepare(intensity, critical, capacity, time_s, dt_s, tau_s, watts_per_mps, units)
    x, c, dt = inp.x, inp.c, inp.dt
    below = x < c  # NaN compares False: gaps neither spend nor recover
    above = x > c
    if inp.tau is None:
        rate = np.where(below, (c - x) * dt / inp.w, 0.0)
    else:
        rate = np.where(below, dt / inp.tau, 0.0)
    spend = np.where(above, (x - c) * dt, 0.0)
    return _result(inp, rate, spend)


def bartram(
    intensity: Any,
    critical: Any,
    capacity: Any,
    *,
    time_s: Any = None,
    dt_s: Any = 1.0,
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
    units: str = "mps",
) -> np.ndarray:
    """D' balance with the Bartram et al. 2018 recovery constant, same units as ``capacity``.

    Linear expenditure above CS; below CS exponential recovery towards D' with
    ``τ = 2287.2·DCP^−0.688`` s (:func:`tau_bartram_s`), DCP the sample's deficit below CP
    in W. With speed input (``units="mps"``) DCP = ``watts_per_mps``·(CS − v): an assumed
    conversion (:data:`WATTS_PER_MPS`), because the formula was fitted in watts on cyclists.
    ``tau_s`` replaces τ (s). Bartram JC et al., Int J Sports Physiol Perform
    2018;13:724–728. See the module docstring for the parameters.
    """
    inp = _prepare(intensity, critical, capacity, time_s, dt_s, tau_s, watts_per_mps, units)
    x, c, dt = inp.x, inp.c, inp.dt
    below = x < c
    above = x > c
    tau = tau_bartram_s(inp.to_w * (c - x)) if inp.tau is None else inp.tau
    rate = np.where(below, dt / tau, 0.0)
    spend = np.where(above, (x - c) * dt, 0.0)
    return _result(inp, rate, spend)


def skiba(
    intensity: Any,
    critical: Any,
    capacity: Any,
    *,
    time_s: Any = None,
    dt_s: Any = 1.0,
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
    units: str = "mps",
) -> np.ndarray:
    """D' balance by the Skiba et al. 2012 integral model, same units as ``capacity``.

    ``D'bal(t) = D' − ∫₀ᵗ D'exp(u)·exp(−(t − u)/τ) du`` with ``D'exp(u) = v(u) − CS`` above CS
    and 0 below, and one τ for the whole activity: ``τ = 546·exp(−0.01·DCP) + 316`` s
    (:func:`tau_skiba_s`) where DCP = CP − time-weighted mean intensity of the samples below
    CP, in W (with speed input: ``watts_per_mps``·(CS − mean recovery speed), an assumed
    conversion, :data:`WATTS_PER_MPS`; with no sample below CS, DCP = 0 and τ = 862 s).

    Unlike the other two models, every past expenditure keeps decaying *while* the runner is
    above CS, so D'bal can rise while running just above CS after a hard effort; it never
    exceeds D'. τ depends on the whole activity (the model is not causal). Each step's
    expenditure is the exact integral for a constant intensity, ``(v − CS)·τ·(1 − e^(−dt/τ))``.
    ``tau_s`` replaces τ (s). Skiba PF et al., Med Sci Sports Exerc 2012;44:1526–1532. See the
    module docstring for the parameters.
    """
    inp = _prepare(intensity, critical, capacity, time_s, dt_s, tau_s, watts_per_mps, units)
    x, c, dt = inp.x, inp.c, inp.dt
    valid = np.isfinite(x)
    below = x < c
    above = x > c
    if inp.tau is None:
        weight = np.where(below, dt, 0.0)
        total = weight.sum(axis=-1, keepdims=True)
        mean_below = np.where(
            total > 0,
            (weight * np.where(below, x, 0.0)).sum(axis=-1, keepdims=True)
            / np.where(total > 0, total, 1.0),
            c,  # no recovery sample: DCP = 0
        )
        tau = tau_skiba_s(inp.to_w * (c - mean_below))
    else:
        tau = inp.tau
    rate = np.where(valid, dt / tau, 0.0)
    spend = np.where(above, (x - c) * tau * -np.expm1(-dt / tau), 0.0)
    return _result(inp, rate, spend)


#: The D' balance models by name; every member has the signature of :func:`differential`.
BALANCE_MODELS: dict[str, Callable[..., np.ndarray]] = {
    "differential": differential,
    "skiba": skiba,
    "bartram": bartram,
}


def _model(model: str | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    if callable(model):
        return model
    try:
        return BALANCE_MODELS[model]
    except (KeyError, TypeError):
        raise InvalidValue(
            f"unknown D' balance model {model!r}; choose one of {', '.join(BALANCE_MODELS)}"
        ) from None


def balance(
    intensity: Any,
    critical: Any,
    capacity: Any,
    *,
    time_s: Any = None,
    dt_s: Any = 1.0,
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
    units: str = "mps",
    model: str | Callable[..., np.ndarray] = "differential",
) -> np.ndarray:
    """D' balance after each sample by the chosen model, same units as ``capacity``.

    Parameters
    ----------
    intensity
        Speed, m/s (grade-adjusted on hills: :func:`kicklab.signal.grade_adjusted_speed`), or
        power, W, with ``units="W"``. One-dimensional; NaN = no data (D'bal held).
    critical, capacity
        Critical speed (m/s) and D' (m), or CP (W) and W' (J). Scalars or arrays that
        broadcast together (shape ``P``; the result then has shape ``P + (n,)``).
    time_s
        Sample times, s, non-decreasing; the step ending at sample ``i`` lasts
        ``time_s[i] − time_s[i−1]``, the first ``dt_s``.
    dt_s
        Step duration, s: one number, or (without ``time_s``) one per sample.
    tau_s
        Recovery time constant, s, replacing the model's own (scalar or per sample).
    watts_per_mps
        W per m/s for the watt-based τ formulas with speed input (:data:`WATTS_PER_MPS`).
    units
        ``"mps"`` or ``"W"``.
    model
        A name in :data:`BALANCE_MODELS` or a callable with the same signature.
    """
    return _model(model)(
        intensity,
        critical,
        capacity,
        time_s=time_s,
        dt_s=dt_s,
        tau_s=tau_s,
        watts_per_mps=watts_per_mps,
        units=units,
    )


# ----------------------------------------------------------------------------- lap mode
def balance_laps(
    lap_time_s: Any,
    lap_speed_mps: Any,
    cs_mps: Any,
    d_prime_m: Any,
    *,
    model: str | Callable[..., np.ndarray] = "differential",
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
    units: str = "mps",
) -> np.ndarray:
    """D' balance at the end of each lap, each lap one step at its mean speed, m.

    The lap-by-lap approach of Kirby, Winn, Wilkins & Jones 2021 (J Appl Physiol
    131:1532–1542), who modelled D'bal in World Championship 5000/10 000 m finals from lap
    splits. ``lap_time_s`` is each lap's *duration* (s, > 0), not the cumulative race time
    (for cumulative split tables use :func:`balance_splits`); ``lap_speed_mps`` each lap's mean
    speed. Averaging hides variation within a lap: with speeds either side of CS inside one lap
    the true expenditure is larger than the lap mean shows.
    """
    dt = _series(lap_time_s, "lap_time_s")
    v = _series(lap_speed_mps, "lap_speed_mps")
    if dt.size != v.size:
        raise InvalidValue(f"lap_time_s has {dt.size} laps but lap_speed_mps has {v.size}")
    if not (np.isfinite(dt).all() and (dt > 0).all()):
        raise InvalidValue("lap_time_s must hold positive lap durations, s")
    return balance(
        v,
        cs_mps,
        d_prime_m,
        dt_s=dt,
        tau_s=tau_s,
        watts_per_mps=watts_per_mps,
        units=units,
        model=model,
    )


def balance_splits(
    distance_m: Any,
    time_s: Any,
    cs_mps: Any,
    d_prime_m: Any,
    *,
    model: str | Callable[..., np.ndarray] = "differential",
    tau_s: Any = None,
    watts_per_mps: float = WATTS_PER_MPS,
) -> np.ndarray:
    """D' balance at each split of a cumulative split table, m (lap mode, Kirby et al. 2021).

    ``distance_m`` and ``time_s`` are cumulative from the start (the columns of
    :func:`kicklab.io.parse_splits`), strictly increasing; the race starts at 0 m, 0 s. Each
    split interval is one step at its mean speed (:func:`balance_laps`).
    """
    d = _series(distance_m, "distance_m")
    t = _series(time_s, "time_s")
    if d.size != t.size or d.size == 0:
        raise InvalidValue(f"need matching split distances and times, got {d.size} and {t.size}")
    if not (np.isfinite(d).all() and np.isfinite(t).all()):
        raise InvalidValue("split distances and times must be finite")
    lap_d = np.diff(d, prepend=0.0)
    lap_t = np.diff(t, prepend=0.0)
    if (lap_d <= 0).any() or (lap_t <= 0).any():
        raise InvalidValue("split distances and times must increase strictly from 0")
    return balance_laps(
        lap_t,
        lap_d / lap_t,
        cs_mps,
        d_prime_m,
        model=model,
        tau_s=tau_s,
        watts_per_mps=watts_per_mps,
    )


# ----------------------------------------------------------------------------- validation data
@dataclass(frozen=True)
class RecoveryData:
    """A W' recovery experiment: exhaust W' at ``work_w``, recover at ``recovery_w`` for
    ``recovery_s``; ``recovered_pct`` of W' was measured back (cycling, watts)."""

    critical_w: float
    capacity_j: float
    work_w: float
    recovery_w: float
    recovery_s: tuple[float, ...]
    recovered_pct: tuple[float, ...]
    source: str

    def to_frame(self) -> pd.DataFrame:
        """The measurements: columns ``recovery_s``, ``recovered_pct``."""
        return pd.DataFrame(
            {"recovery_s": list(self.recovery_s), "recovered_pct": list(self.recovered_pct)}
        )


def caen_recovery() -> RecoveryData:
    """Published W' recovery data of Caen et al. (SCIENCE.md §2).

    CP 269 W, W' 19.2 kJ, exhausting work at 349 W, recovery at 161 W for
    30/60/120/180/240/300/600/900 s → 28.6/34.8/44.2/50.5/55.1/56.8/73.7/71.3 % of W'
    recovered.
    """
    return RecoveryData(
        critical_w=269.0,
        capacity_j=19_200.0,
        work_w=349.0,
        recovery_w=161.0,
        recovery_s=(30.0, 60.0, 120.0, 180.0, 240.0, 300.0, 600.0, 900.0),
        recovered_pct=(28.6, 34.8, 44.2, 50.5, 55.1, 56.8, 73.7, 71.3),
        source="Caen et al. (cycling; SCIENCE.md §2)",
    )


@dataclass(frozen=True)
class RecoveryError:
    """A D' balance model against recovery data: predicted and observed %, RMSE in % points."""

    model: str
    recovery_s: np.ndarray
    observed_pct: np.ndarray
    predicted_pct: np.ndarray
    rmse_pct: float

    def to_frame(self) -> pd.DataFrame:
        """Columns ``recovery_s``, ``observed_pct``, ``predicted_pct``, ``error_pct``."""
        return pd.DataFrame(
            {
                "recovery_s": self.recovery_s,
                "observed_pct": self.observed_pct,
                "predicted_pct": self.predicted_pct,
                "error_pct": self.predicted_pct - self.observed_pct,
            }
        )


def recovery_error(
    model: str | Callable[..., np.ndarray] = "differential",
    data: RecoveryData | None = None,
    *,
    tau_s: Any = None,
) -> RecoveryError:
    """Predicted % of W' recovered by ``model`` in a recovery experiment, and the RMSE.

    The experiment is run through the model itself (in watts, ``units="W"``): work at
    ``work_w`` for ``W' / (work − CP)`` s (the time that exhausts W' by linear expenditure),
    then recovery at ``recovery_w`` for each recovery duration — two steps, each solved
    exactly. The recovered percentage is the part of the deficit at the end of the work that
    has come back (for the integral model, whose deficit decays during the work too, this is
    the same fraction as after full exhaustion). ``data`` defaults to :func:`caen_recovery`.
    RMSE in percentage points.
    """
    data = caen_recovery() if data is None else data
    fn = _model(model)
    name = model if isinstance(model, str) else getattr(model, "__name__", "custom")
    work_s = data.capacity_j / (data.work_w - data.critical_w)
    rec = np.asarray(data.recovery_s, dtype=float)
    obs = np.asarray(data.recovered_pct, dtype=float)
    pred = np.empty(rec.size)
    for k, r in enumerate(rec):  # one two-step experiment per recovery duration (8)
        bal = fn(
            [data.work_w, data.recovery_w],
            data.critical_w,
            data.capacity_j,
            dt_s=np.array([work_s, r]),
            tau_s=tau_s,
            units="W",
        )
        spent = data.capacity_j - bal[0]
        pred[k] = 100.0 * (bal[1] - bal[0]) / spent
    rmse = math.sqrt(float(np.mean((pred - obs) ** 2)))
    return RecoveryError(str(name), rec, obs, pred, rmse)
