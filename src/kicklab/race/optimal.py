"""Optimal solo pacing: the speed profile that covers a distance in the least time.

Two optimal-control models, each solved as a nonlinear program with CasADi + IPOPT (install
``kicklab[opt]``):

:func:`keller`
    Keller 1974 (Amer Math Monthly 81:474; SCIENCE.md §5). Per kg of body mass::

        dv/dt = f − v/τ,   dE/dt = σ − f·v,   0 ≤ f ≤ F,   E ≥ 0,   v(0) = 0,   E(0) = E0

    with ``f`` the propulsive force (N/kg = m/s²), ``E`` the anaerobic energy left (J/kg),
    ``σ`` the aerobic supply (W/kg) and ``τ`` the resistance time constant (s). Keller's
    answer: accelerate at full force, hold a constant speed, slow slightly at the very end;
    below a critical distance (≈ 291 m, :func:`keller_critical_distance`) run all out.
:func:`morton_pacing`
    Morton's 3-parameter dynamics (SCIENCE.md §5): the fastest effort available is
    ``CS + (MSS − CS)·D'bal/D'``; effort above CS spends D', effort below restores it by the
    differential model ``dD'bal/dt = (CS − v)·(D' − D'bal)/D'`` (Skiba & Clarke 2021,
    SCIENCE.md §2). *Effort* is the metabolic-equivalent flat, calm-air speed: the grade cost
    ratio of :mod:`kicklab.environment.terrain` and the wind term of
    :func:`kicklab.environment.air.air_cost_fraction`.

Discretisation (direct multiple shooting)
    Keller: ``n`` intervals in time with piecewise-constant force, integrated *exactly*
    (the dynamics are linear in ``v`` for a constant ``f``), so every solution is a true
    trajectory of the model and the energy balance ``E0 + σ·T = ∫ f·v dt + E(T)`` holds to
    solver precision. The grid is clustered at both ends (cosine spacing) where the short
    acceleration and final slowing phases happen. Morton: ``n`` equal intervals in distance
    with piecewise-constant speed; D'bal is integrated with the trapezoidal rule (exact while
    spending, second order while recovering) and reported by
    :func:`kicklab.physiology.balance.differential` from the solved effort. With an
    acceleration limit, node speeds are added: constant acceleration (≤ ``a``) within each
    interval, whose speed is the mean of its two nodes, and the cap holds at both nodes.

Profiles are arrays over the ``n + 1`` grid nodes (``t_s``, ``distance_m``). A quantity held
constant over an interval (Keller's force; Morton's speed and effort) is stored at the node
that starts the interval, and the last entry repeats the final interval's value.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from kicklab.environment import air as _air
from kicklab.environment.terrain import flat_equivalent_speed
from kicklab.errors import InvalidValue
from kicklab.physiology.balance import differential as _dbal_differential
from kicklab.physiology.models import time_to_exhaustion_3p

__all__ = [
    "KELLER_TAU_S",
    "KELLER_F_MAX",
    "KELLER_SIGMA",
    "KELLER_E0",
    "KellerResult",
    "MortonResult",
    "keller",
    "keller_all_out",
    "keller_critical_distance",
    "morton_pacing",
    "even_pace_3p",
    "CourseProfile",
]

#: Keller 1973/1974 parameters fitted to the world records of the day (SCIENCE.md §5):
#: resistance time constant, s;
KELLER_TAU_S = 0.892
#: maximal propulsive force per kg, m/s²;
KELLER_F_MAX = 12.2
#: aerobic energy supply per kg, W/kg;
KELLER_SIGMA = 41.56
#: initial anaerobic energy per kg, J/kg.
KELLER_E0 = 2409.0

#: A course profile (grade or wind): a number, samples from start to finish, or a callable of
#: distance (m, array) returning one value per distance.
CourseProfile = float | np.ndarray | Callable[[np.ndarray], np.ndarray] | None

#: Longest race accepted, m: the models are for track and road races (100 km covers ultras);
#: beyond that neither Keller's constants nor Morton's D' mean anything.
_MAX_DISTANCE_M = 100_000.0
#: Grid size limits: fewer than 10 intervals cannot show the accelerate–hold–slow shape;
#: more than 5000 only costs solve time (the profile is converged long before).
_MIN_N, _MAX_N = 10, 5000
#: IPOPT stopping tolerance (relative KKT error): times agree to ≪ 1 ms at this level.
_IPOPT_TOL = 1e-9
#: IPOPT iteration cap: these problems converge in tens of iterations (a few hundred at worst
#: for tiny D'); the cap bounds the time spent on hopeless input.
_IPOPT_MAX_ITER = 500
#: Weight of the tie-break ``Σ excess·deficit·dt`` (s per (m/s)²·s) in the Morton objective.
#: Effort is split as CS + excess − deficit with both ≥ 0; the physical split has one of them
#: zero. Splitting both positive only loses D'bal, so an optimum never wants it where D'bal
#: matters; the tiny penalty picks the physical split where it does not. 1e-4 changes the
#: time by ≪ 1 ms.
_SPLIT_PENALTY = 1e-4
#: Weight of the tie-break ``Σ (s_{k+1} − s_k)²`` ((m/s)⁻², objective scaled to the even-pace
#: time) on the node speeds under an acceleration limit: it only picks a smooth profile among
#: (nearly) equally fast ones. 1e-7 leaves small zigzags after the start; 1e-5 smooths them
#: and changes the time of a 1500 m start from rest by < 0.1 ms.
_NODE_SMOOTHING = 1e-5
#: Largest acceleration limit accepted, m/s²: a sprint start peaks near 10 m/s² (Keller's
#: F = 12.2 m/s² is the force before resistance); 20 only rejects nonsense.
_MAX_ACCEL_MPS2 = 20.0


# ----------------------------------------------------------------------------- helpers
def _casadi() -> Any:
    try:
        import casadi
    except ImportError:  # pragma: no cover - depends on the environment
        raise InvalidValue(
            "optimal pacing needs CasADi; install it with: pip install 'kicklab[opt]'"
        ) from None
    return casadi


def _positive(value: Any, name: str, hi: float = math.inf) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(x) and 0 < x <= hi):
        raise InvalidValue(f"{name} must be finite, > 0 and ≤ {hi:g}, got {value!r}")
    return x


def _grid_size(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise InvalidValue(f"n must be an integer number of intervals, got {n!r}")
    if not _MIN_N <= int(n) <= _MAX_N:
        raise InvalidValue(f"n must be between {_MIN_N} and {_MAX_N} intervals, got {n}")
    return int(n)


def _ipopt_options() -> dict[str, Any]:
    return {
        "ipopt.print_level": 0,
        "ipopt.sb": "yes",
        "print_time": False,
        "ipopt.tol": _IPOPT_TOL,
        "ipopt.max_iter": _IPOPT_MAX_ITER,
        # Adaptive barrier update: the monotone default stalls on Morton problems whose
        # optimum sits on the 2-parameter bound (small D' over a long race); it is as fast
        # or faster on every Keller case.
        "ipopt.mu_strategy": "adaptive",
    }


def _hold_last(values: np.ndarray) -> np.ndarray:
    """Interval values (n) as node values (n + 1): the last one repeated."""
    return np.append(values, values[-1])


# ----------------------------------------------------------------------------- Keller
@dataclass(frozen=True)
class KellerResult:
    """Keller 1974 optimal race.

    Attributes
    ----------
    race_distance_m, time_s
        Race distance (m) and the optimal time (s).
    t_s, distance_m, speed_mps
        Time (s), distance covered (m) and speed (m/s) at the ``n + 1`` grid nodes.
    force
        Propulsive force per kg, m/s² (held from node k to k + 1; last entry repeated).
    energy
        Anaerobic energy left per kg, J/kg, at the nodes.
    all_out
        True when the force stays at its maximum the whole race (below the critical distance).
    params
        ``tau_s``, ``f_max``, ``sigma``, ``e0`` used.
    solve_time_s, status, success
        Wall time of the IPOPT solve (s), its return status, and whether it converged.
    """

    race_distance_m: float
    time_s: float
    t_s: np.ndarray
    distance_m: np.ndarray
    speed_mps: np.ndarray
    force: np.ndarray
    energy: np.ndarray
    all_out: bool
    params: dict[str, float]
    solve_time_s: float
    status: str
    success: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (arrays become lists)."""
        return _plain(asdict(self))


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            out[k] = v.tolist()
        elif isinstance(v, np.generic):
            out[k] = v.item()
        elif isinstance(v, dict):
            out[k] = _plain(v)
        else:
            out[k] = v
    return out


def _keller_params(tau_s: Any, f_max: Any, sigma: Any, e0: Any) -> tuple[float, ...]:
    # Upper limits are far beyond any human value and only reject nonsense.
    return (
        _positive(tau_s, "tau_s", 100.0),
        _positive(f_max, "f_max", 100.0),
        _positive(sigma, "sigma", 1000.0),
        _positive(e0, "e0", 1e6),
    )


def keller_all_out(
    distance_m: float, *, tau_s: float = KELLER_TAU_S, f_max: float = KELLER_F_MAX
) -> float:
    """Time to run ``distance_m`` at full force from a standing start, s (Keller 1973).

    ``v(t) = Fτ(1 − e^(−t/τ))`` so ``D(T) = Fτ²(T/τ − 1 + e^(−T/τ))``; solved for ``T``. This is
    the optimal time below :func:`keller_critical_distance` (energy permitting). 100 m with
    Keller's constants → 10.08 s.
    """
    d = _positive(distance_m, "distance_m", _MAX_DISTANCE_M)
    tau = _positive(tau_s, "tau_s", 100.0)
    f = _positive(f_max, "f_max", 100.0)

    def gap(t: float) -> float:
        return f * tau * tau * (t / tau + math.expm1(-t / tau)) - d

    # D(T) ≥ Fτ(T − τ), so T ≤ d/(Fτ) + τ brackets the root from above.
    return float(brentq(gap, 0.0, d / (f * tau) + tau + 1.0, xtol=1e-12))


def keller_critical_distance(
    *,
    tau_s: float = KELLER_TAU_S,
    f_max: float = KELLER_F_MAX,
    sigma: float = KELLER_SIGMA,
    e0: float = KELLER_E0,
) -> float:
    """Longest distance that can be run at full force the whole way, m (Keller 1973/1974).

    Running all out, the energy left at time ``T`` is ``E0 + σT − F·D(T)``; the critical
    distance is where it reaches zero exactly at the finish. Keller's constants → ≈ 291 m.
    """
    tau, f, sig, e = _keller_params(tau_s, f_max, sigma, e0)

    def left(t: float) -> float:
        dist = f * tau * tau * (t / tau + math.expm1(-t / tau))
        return e + sig * t - f * dist

    # left(0) = E0 > 0 and left(T) → −∞ (F·Fτ·T outgrows σT when F²τ > σ, always here).
    if f * f * tau <= sig:
        raise InvalidValue("f_max²·tau_s must exceed sigma: otherwise energy never runs out")
    hi = 1.0
    while left(hi) > 0:
        hi *= 2.0
    t_c = brentq(left, 0.0, hi, xtol=1e-12)
    return f * tau * tau * (t_c / tau + math.expm1(-t_c / tau))


def _keller_guess(
    d: float, tau: float, f: float, sig: float, e: float, frac: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A feasible-looking start: Keller's constant-speed estimate (or all out when short)."""
    t_all = keller_all_out(d, tau_s=tau, f_max=f)
    if e + sig * t_all - f * d >= 0:
        t_total = t_all
        speed_cap = f * tau
    else:
        # Constant speed V held the whole race: V²/τ·(D/V) = σ·D/V + E0 (power f·v = V²/τ).
        speed_cap = (e + math.sqrt(e * e + 4.0 * sig * d * d / tau)) / (2.0 * d / tau)
        speed_cap = min(speed_cap, f * tau)
        t_total = d / speed_cap + tau
    t = frac * t_total
    v = speed_cap * -np.expm1(-t / tau)
    x = speed_cap * (t + tau * np.expm1(-t / tau))
    x *= d / x[-1]
    energy = e * (1.0 - frac)
    force = np.full(frac.size - 1, min(speed_cap / tau, f))
    return t_total, v, x, energy, force


def keller(
    distance_m: float,
    *,
    tau_s: float = KELLER_TAU_S,
    f_max: float = KELLER_F_MAX,
    sigma: float = KELLER_SIGMA,
    e0: float = KELLER_E0,
    n: int = 200,
) -> KellerResult:
    """Keller 1974 optimal race over ``distance_m``: least time, force and speed profiles.

    Parameters
    ----------
    distance_m
        Race distance, m (> 0, ≤ 100 km; Keller fitted 50 m – 10 km).
    tau_s
        Resistance time constant τ, s (Keller: 0.892).
    f_max
        Maximal propulsive force per kg F, m/s² (Keller: 12.2).
    sigma
        Aerobic energy supply per kg σ, W/kg (Keller: 41.56).
    e0
        Initial anaerobic energy per kg E0, J/kg (Keller: 2409).
    n
        Number of time intervals (10–5000).

    Returns
    -------
    KellerResult
        With ``time_s`` and the ``t_s``, ``distance_m``, ``speed_mps``, ``force`` and
        ``energy`` profiles. 1500 m with Keller's constants: 219.41 s (3:39.4), full force
        for ≈ 0.7 s, then 6.85 m/s held, then ≈ 1.4 s on empty easing to 6.13 m/s.
    """
    ca = _casadi()
    d = _positive(distance_m, "distance_m", _MAX_DISTANCE_M)
    tau, f_cap, sig, e = _keller_params(tau_s, f_max, sigma, e0)
    n = _grid_size(n)

    # Cosine-clustered fractions of the race time: short intervals at the start (the
    # acceleration lasts ~τ) and at the finish (the final slowing), longer in between.
    frac = 0.5 * (1.0 - np.cos(np.pi * np.arange(n + 1) / n))
    dfrac = np.diff(frac)
    t0, v0, x0, e_guess, f0 = _keller_guess(d, tau, f_cap, sig, e, frac)

    # Scaled unknowns (all O(1)): T/t0, v/(Fτ), x/d, E/E0, f/F.
    ts = ca.SX.sym("T")
    vs = ca.SX.sym("v", n + 1)
    xs = ca.SX.sym("x", n + 1)
    es = ca.SX.sym("E", n + 1)
    fs = ca.SX.sym("f", n)
    v_ref = f_cap * tau
    total = ts * t0
    v, x, energy, force = vs * v_ref, xs * d, es * e, fs * f_cap
    h = total * ca.DM(dfrac)
    decay = ca.exp(-h / tau)
    ft = force * tau
    v_next = ft + (v[:-1] - ft) * decay
    # ∫ v dt over an interval with v → fτ exponentially.
    dx = ft * h + (v[:-1] - ft) * tau * (1.0 - decay)
    e_next = energy[:-1] + sig * h - force * dx
    g = ca.vertcat(
        (vs[1:] - v_next / v_ref),
        (xs[1:] - (x[:-1] + dx) / d),
        (es[1:] - e_next / e),
    )
    w = ca.vertcat(ts, vs, xs, es, fs)
    nlp = {"x": w, "f": ts, "g": g}
    solver = ca.nlpsol("keller", "ipopt", nlp, _ipopt_options())

    inf = np.inf
    lbw = np.concatenate([[1e-3], np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1), np.zeros(n)])
    ubw = np.concatenate(
        [[1e3], np.full(n + 1, inf), np.full(n + 1, inf), np.full(n + 1, inf), np.ones(n)]
    )
    # Fixed ends: standing start, full energy, the race distance at the finish.
    lbw[1] = ubw[1] = 0.0
    lbw[1 + n + 1] = ubw[1 + n + 1] = 0.0
    lbw[1 + 2 * (n + 1)] = ubw[1 + 2 * (n + 1)] = 1.0
    lbw[1 + 2 * (n + 1) - 1] = ubw[1 + 2 * (n + 1) - 1] = 1.0
    w0 = np.concatenate([[1.0], v0 / v_ref, x0 / d, e_guess / e, f0 / f_cap])

    started = time.perf_counter()
    sol = solver(x0=w0, lbx=lbw, ubx=ubw, lbg=0.0, ubg=0.0)
    elapsed = time.perf_counter() - started
    stats = solver.stats()

    wv = np.asarray(sol["x"]).ravel()
    t_total = float(wv[0] * t0)
    speed = wv[1 : n + 2] * v_ref
    dist = wv[n + 2 : 2 * n + 3] * d
    en = wv[2 * n + 3 : 3 * n + 4] * e
    # IPOPT may overstep a bound by its relaxation (~1e-8 relative): clip to the model's range.
    fo = np.clip(wv[3 * n + 4 :] * f_cap, 0.0, f_cap)
    # "All out": the force never drops below 99 % of F. The interior-point solution sits up to
    # ~0.5 % inside the bound; past the critical distance the force drops to ~v/τ ≈ 0.3–0.6 F.
    all_out = bool(np.all(fo >= 0.99 * f_cap))
    return KellerResult(
        race_distance_m=d,
        time_s=t_total,
        t_s=frac * t_total,
        distance_m=dist,
        speed_mps=speed,
        force=_hold_last(fo),
        energy=np.maximum(en, 0.0),
        all_out=all_out,
        params={"tau_s": tau, "f_max": f_cap, "sigma": sig, "e0": e},
        solve_time_s=elapsed,
        status=str(stats.get("return_status", "")),
        success=bool(stats.get("success", False)),
    )


# ----------------------------------------------------------------------------- Morton 3P
@dataclass(frozen=True)
class MortonResult:
    """Optimal pacing with Morton's 3-parameter dynamics.

    Attributes
    ----------
    race_distance_m, time_s
        Race distance (m) and the optimal time (s).
    distance_m, t_s
        Distance (m) and time (s) at the ``n + 1`` grid nodes (equal distance steps).
    speed_mps
        Running speed, m/s (held from node k to k + 1; last entry repeated).
    effort_mps
        Metabolic-equivalent flat, calm-air speed of that running, m/s (same layout).
    d_balance_m
        D' left at the nodes, m (differential model, from the solved effort).
    grade, wind_mps
        Grade and wind (+ tailwind) used on each interval (same layout as ``speed_mps``).
    even_time_s
        Time of the best even effort from the 3-parameter model on the flat
        (:func:`even_pace_3p`), s — the bound the optimum never exceeds on a flat, calm course.
    params
        ``cs_mps``, ``d_prime_m``, ``mss_mps``, ``mass_kg``, and ``accel_mps2`` /
        ``start_speed_mps`` when given.
    node_speed_mps
        With an acceleration limit: speed at the ``n + 1`` nodes, m/s (``speed_mps`` is the
        mean of neighbouring nodes); ``None`` without.
    solve_time_s, status, success
        Wall time of the IPOPT solve (s), its return status, and whether it converged.
    """

    race_distance_m: float
    time_s: float
    distance_m: np.ndarray
    t_s: np.ndarray
    speed_mps: np.ndarray
    effort_mps: np.ndarray
    d_balance_m: np.ndarray
    grade: np.ndarray
    wind_mps: np.ndarray
    even_time_s: float
    params: dict[str, float] = field(default_factory=dict)
    node_speed_mps: np.ndarray | None = None
    solve_time_s: float = 0.0
    status: str = ""
    success: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (arrays become lists)."""
        return _plain(asdict(self))


def even_pace_3p(distance_m: float, cs_mps: float, d_prime_m: float, mss_mps: float) -> float:
    """Time of the fastest *even* pace over ``distance_m`` in Morton's 3P model, s.

    The speed ``v`` with ``v·t_lim(v) = distance`` where
    ``t_lim = D'/(v − CS) − D'/(MSS − CS)`` (:func:`kicklab.physiology.models.time_to_exhaustion_3p`):
    held from the gun, D'bal reaches exactly the level where the cap equals ``v`` at the finish.
    """
    d = _positive(distance_m, "distance_m", _MAX_DISTANCE_M)
    cs, dp, mss = _morton_params(cs_mps, d_prime_m, mss_mps)

    def gap(v: float) -> float:
        return v * float(time_to_exhaustion_3p(v, cs, dp, mss)) - d

    # gap → +∞ just above CS and → −d at MSS, so the root lies between.
    lo = cs * (1.0 + 1e-12) + 1e-12
    v = brentq(gap, lo, mss, xtol=1e-13, rtol=1e-14)
    return d / v


def _morton_params(cs: Any, dp: Any, mss: Any) -> tuple[float, float, float]:
    # Bounds only reject nonsense: no runner holds 15 m/s, and D' of 5 km is far past any fit.
    c = _positive(cs, "cs_mps", 15.0)
    p = _positive(dp, "d_prime_m", 5000.0)
    m = _positive(mss, "mss_mps", 15.0)
    if m <= c:
        raise InvalidValue(f"mss_mps must exceed cs_mps, got mss_mps={mss!r}, cs_mps={cs!r}")
    return c, p, m


def _profile(value: Any, name: str, d: float, mid: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """A course profile at the interval midpoints: number, callable(distance_m) or samples."""
    if value is None:
        out = np.zeros_like(mid)
    elif callable(value):
        out = np.broadcast_to(np.asarray(value(mid.copy()), dtype=float), mid.shape).copy()
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            out = np.full_like(mid, float(arr))
        elif arr.ndim == 1 and arr.size >= 2:
            # Samples evenly spaced from the start (0 m) to the finish (d).
            out = np.interp(mid, np.linspace(0.0, d, arr.size), arr)
        else:
            raise InvalidValue(
                f"{name} must be a number, a callable of distance_m or ≥ 2 samples over the "
                f"course, got shape {arr.shape}"
            )
    if not np.all(np.isfinite(out)) or np.any(out < lo) or np.any(out > hi):
        raise InvalidValue(f"{name} must be finite and within [{lo:g}, {hi:g}]")
    return out


def _start_speed(value: Any, mss: float) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"start_speed_mps must be a number, got {value!r}") from None
    # Above MSS the first interval cannot be run without breaking the cap on the flat.
    if not (math.isfinite(x) and 0.0 <= x <= mss):
        raise InvalidValue(f"start_speed_mps must be within [0, mss_mps={mss:g}], got {value!r}")
    return x


def _with_accel(
    ca: Any,
    w: Any,
    objective: Any,
    g: Any,
    over_cap: Callable[[Any, Any], Any],
    bounds: tuple[np.ndarray, ...],
    accel: float,
    start: float | None,
    step: float,
    n: int,
) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add node speeds and the kinematic limit to the Morton NLP (layout ``[v, p, q, b, s]``).

    ``v_k = (s_k + s_{k+1})/2`` and ``|s_{k+1}² − s_k²|/(2·a·Δd) ≤ 1``. The interval speed's
    lower bound is lowered where even full acceleration from the start speed cannot reach it
    (on a fine grid near a standing start), so the problem stays feasible. Speed is monotone
    within an interval, so capping the effort at both of its nodes (``over_cap(speed) ≤ 0``)
    caps it throughout: a mean speed under the cap cannot hide a peak above it.
    ``over_cap(speed, b)`` is the effort over the cap at D'bal/D' ``b``, ≤ 0 when allowed.
    """
    lbw, ubw, lbg, ubg, w0 = bounds
    v, b = w[:n], w[3 * n :]
    s = ca.SX.sym("s", n + 1)
    reach = 2.0 * accel * step
    g2 = ca.vertcat(
        g,
        v - 0.5 * (s[:-1] + s[1:]),  # = 0: an interval is run at its mean speed
        (s[1:] ** 2 - s[:-1] ** 2) / reach,  # within ±1: at most a over the interval
        over_cap(s[:-1], b[:-1]),  # ≤ 0: the cap at the start of each interval
        over_cap(s[1:], b[1:]),  # ≤ 0: and at its end
    )
    v_lo, v_hi = lbw[0], ubw[0]
    if start is None:
        s_lo, s_hi = np.full(n + 1, 0.0), np.full(n + 1, v_hi)
        s_guess = np.append(w0[:n], w0[n - 1])
    else:
        # Fastest node speeds from the start; the guess follows them up to the plain guess.
        fastest = np.sqrt(start * start + reach * np.arange(n + 1))
        s_lo, s_hi = np.zeros(n + 1), np.full(n + 1, v_hi)
        s_lo[0] = s_hi[0] = start
        s_guess = np.minimum(np.append(w0[:n], w0[n - 1]), fastest)
        s_guess[0] = start
        lbw = lbw.copy()
        lbw[:n] = np.minimum(v_lo, 0.5 * (fastest[:-1] + fastest[1:]))
    v_guess = np.clip(0.5 * (s_guess[:-1] + s_guess[1:]), lbw[:n], v_hi)
    w0 = np.concatenate([v_guess, w0[n:], s_guess])
    # Tie-break against zigzags of s: any node sequence with the right means is allowed, and
    # alternately speeding up and slowing down at up to a is a feasible but silly plan.
    smooth = objective + _NODE_SMOOTHING * ca.sumsqr(s[1:] - s[:-1])
    solver = ca.nlpsol(
        "morton", "ipopt", {"x": ca.vertcat(w, s), "f": smooth, "g": g2}, _ipopt_options()
    )
    return (
        solver,
        np.concatenate([lbw, s_lo]),
        np.concatenate([ubw, s_hi]),
        np.concatenate([lbg, np.zeros(n), -np.ones(n), np.full(2 * n, -np.inf)]),
        np.concatenate([ubg, np.zeros(n), np.ones(n), np.zeros(2 * n)]),
        w0,
    )


def _air_term(ca: Any, v: Any, wind: np.ndarray, mass_kg: float) -> Any:
    """Wind's change of the air cost, as a fraction of the flat calm cost (CasADi expression).

    The same model as :func:`kicklab.environment.air.air_cost_fraction` minus its calm-air
    value (the flat CS already includes running through still air): ``ΔF/(η·m·C(0))`` with
    ``ΔF = F(v − w) − F(v)``, ``F(x) = ½ρCdA·x|x|``, a tailwind's saving counted at
    :data:`~kicklab.environment.air.TAILWIND_BENEFIT`. ΔF has the sign of −w, so the weight
    is known per interval before solving.
    """
    k = 0.5 * _air.RHO_KG_M3 * _air.CDA_M2
    weight = np.where(wind > 0, _air.TAILWIND_BENEFIT, 1.0)
    rel = v - ca.DM(wind)
    delta = k * (rel * ca.fabs(rel) - v * v)
    return ca.DM(weight) * delta / (_air.AIR_COST_EFFICIENCY * mass_kg * _air.FLAT_COST_J_PER_KG_M)


def morton_pacing(
    distance_m: float,
    cs_mps: float,
    d_prime_m: float,
    mss_mps: float,
    *,
    grade: CourseProfile = None,
    wind_mps: CourseProfile = 0.0,
    mass_kg: float = 70.0,
    n: int = 200,
    accel_mps2: float | None = None,
    start_speed_mps: float | None = None,
) -> MortonResult:
    """Least-time speed profile under Morton's 3-parameter dynamics, with hills and wind.

    At every moment the effort ``u`` (metabolic-equivalent flat, calm-air speed) is capped:
    ``u ≤ CS + (MSS − CS)·D'bal/D'``; D'bal starts full, falls by ``(u − CS)`` per second above
    CS and recovers by ``(CS − u)·(D' − D'bal)/D'`` per second below (differential model,
    SCIENCE.md §2, §5). The effort of running at ``v`` is
    ``u = v·(C(i)/C(0) + Δa(v, w))`` with the terrain cost ratio of
    :func:`kicklab.environment.terrain.flat_equivalent_speed` (Minetti 2002) and the wind's
    change of the air cost ``Δa`` (:func:`kicklab.environment.air.air_cost_fraction`, Davies
    1980). By default there is no inertia (a pacing model, not a start model): the speed may
    jump between intervals and the race starts at whatever speed is best. ``accel_mps2`` and
    ``start_speed_mps`` add kinematics (below).

    Parameters
    ----------
    distance_m
        Race distance, m.
    cs_mps, d_prime_m, mss_mps
        Critical speed (m/s), D' (m), maximal sprint speed (m/s, > CS).
    grade
        Rise over run along the course: ``None`` (flat), a number, a callable
        ``grade(distance_m)`` (array in, array out), or samples evenly spaced from start to
        finish. Within ±0.45 (Minetti's measured range).
    wind_mps
        Wind along the running direction, m/s (+ tailwind, − headwind), in the same forms.
    mass_kg
        Body mass, kg (air cost per kg falls with mass).
    n
        Number of equal distance intervals (10–5000).
    accel_mps2
        Largest change of speed, m/s² (> 0, ≤ 20), speeding up or slowing down; ``None`` (the
        default) for no limit. :mod:`kicklab.race.simulate` uses
        :data:`~kicklab.race.simulate.ACCEL_MPS2` = 1.0 m/s². With a limit the speed is
        piecewise linear in v² over the grid: node speeds ``s_0 … s_n`` with
        ``|s_{k+1}² − s_k²| ≤ 2·a·Δd`` (constant acceleration of at most ``a`` within each
        interval), and each interval is run at its mean speed ``(s_k + s_{k+1})/2``, which is
        exactly ``Δd`` over the interval's time under constant acceleration. The effort cap
        also holds at both nodes of each interval, so no instant within it runs above the
        cap. ``speed_mps`` still holds the interval speeds; ``node_speed_mps`` holds ``s``.
    start_speed_mps
        Speed at the gun, m/s (0 ≤ start ≤ MSS; 0 for a standing start); needs
        ``accel_mps2``. Fixes ``s_0``. The interval times ``2·Δd/(s_k + s_{k+1})`` stay finite
        from a standing start because ``s_1 > 0``, so no tiny positive start speed is needed.
        ``None`` (the default): ``s_0`` is free (a rolling start at the best speed).

    Returns
    -------
    MortonResult
        ``time_s``, the ``distance_m`` grid, ``speed_mps`` and ``d_balance_m`` profiles.
        On a flat, calm course the time is never below the 2-parameter bound
        ``(distance − D')/CS`` and, without ``start_speed_mps``, never above
        :func:`even_pace_3p` (even pace is one feasible plan). A start from ``s`` at ``a`` loses
        about ``(v − s)²/(2a·v)`` (``v/(2a)`` from rest) at the race's mean speed ``v``: CS
        5.5 m/s, D' 250 m, MSS 9 m/s over 1500 m at 1 m/s² lose 2.87 s from rest (estimate
        3.27 s; the slow first metres spend less D').
    """
    ca = _casadi()
    d = _positive(distance_m, "distance_m", _MAX_DISTANCE_M)
    cs, dp, mss = _morton_params(cs_mps, d_prime_m, mss_mps)
    mass = _positive(mass_kg, "mass_kg", 200.0)
    n = _grid_size(n)
    accel = None if accel_mps2 is None else _positive(accel_mps2, "accel_mps2", _MAX_ACCEL_MPS2)
    start = _start_speed(start_speed_mps, mss)
    if start is not None and accel is None:
        raise InvalidValue(
            "start_speed_mps needs accel_mps2: without inertia a start speed is void"
        )

    nodes = np.linspace(0.0, d, n + 1)
    mid = 0.5 * (nodes[:-1] + nodes[1:])
    # ±0.45: Minetti's measured range; ±25 m/s: beyond any wind a race would be held in.
    gr = _profile(grade, "grade", d, mid, -0.45, 0.45)
    wind = _profile(wind_mps, "wind_mps", d, mid, -25.0, 25.0)
    ratio = np.asarray(flat_equivalent_speed(1.0, gr), dtype=float)
    step = d / n
    t_even = even_pace_3p(d, cs, dp, mss)
    v_even = d / t_even

    # Unknowns: speed v (n), excess p and deficit q of effort over CS (n each, ≥ 0), D'bal/D'
    # at the nodes (n + 1).
    v = ca.SX.sym("v", n)
    p = ca.SX.sym("p", n)
    q = ca.SX.sym("q", n)
    b = ca.SX.sym("b", n + 1)
    dt = step / v
    effort = v * (ca.DM(ratio) + _air_term(ca, v, wind, mass))
    # Trapezoidal step of dB/dt = (−p + q·(1 − B))/D' in B = D'bal/D' (linear in B).
    a = q / dp
    rhs0 = (q - p) / dp - a * b[:-1]
    b_next = (b[:-1] + 0.5 * dt * (rhs0 + (q - p) / dp)) / (1.0 + 0.5 * dt * a)
    g = ca.vertcat(
        effort - cs - p + q,  # = 0: the split of effort into excess and deficit
        b[1:] - b_next,  # = 0: D'bal dynamics
        (p - q) - (mss - cs) * b[1:],  # ≤ 0: the cap, at the end of the interval (tightest)
    )
    # Scaled by the even-pace time so that IPOPT's tolerance is relative to the race time.
    objective = (ca.sum1(dt) + _SPLIT_PENALTY * ca.sum1(p * q * dt)) / t_even
    w = ca.vertcat(v, p, q, b)

    # Speed bounds: well below CS (a walk up a wall) to well above MSS (a steep descent).
    v_lo, v_hi = 0.2 * cs, 2.0 * mss
    lbw = np.concatenate([np.full(n, v_lo), np.zeros(2 * n), np.zeros(n + 1)])
    ubw = np.concatenate([np.full(n, v_hi), np.full(2 * n, np.inf), np.ones(n + 1)])
    lbw[3 * n] = 1.0  # D'bal starts full
    lbg = np.concatenate([np.zeros(2 * n), np.full(n, -np.inf)])
    ubg = np.zeros(3 * n)
    v0 = np.clip(v_even / ratio, v_lo, v_hi)
    u0 = v_even * np.ones(n)
    w0 = np.concatenate(
        [v0, np.maximum(u0 - cs, 0.0), np.maximum(cs - u0, 0.0), np.linspace(1.0, 0.05, n + 1)]
    )
    if accel is None:
        solver = ca.nlpsol("morton", "ipopt", {"x": w, "f": objective, "g": g}, _ipopt_options())
    else:

        def over_cap(speed: Any, bal: Any) -> Any:
            # ≤ 0: the cap on an interval's effort at a speed within it, D'bal/D' = bal.
            effort_at = speed * (ca.DM(ratio) + _air_term(ca, speed, wind, mass))
            return effort_at - cs - (mss - cs) * bal

        solver, lbw, ubw, lbg, ubg, w0 = _with_accel(
            ca, w, objective, g, over_cap, (lbw, ubw, lbg, ubg, w0), accel, start, step, n
        )

    started = time.perf_counter()
    sol = solver(x0=w0, lbx=lbw, ubx=ubw, lbg=lbg, ubg=ubg)
    elapsed = time.perf_counter() - started
    stats = solver.stats()

    wv = np.asarray(sol["x"]).ravel()
    speed = wv[:n]
    eff = cs + wv[n : 2 * n] - wv[2 * n : 3 * n]
    steps = step / speed
    t_nodes = np.concatenate([[0.0], np.cumsum(steps)])
    d_bal = np.concatenate([[dp], _dbal_differential(eff, cs, dp, dt_s=steps)])
    nodes_v = wv[4 * n + 1 :] if accel is not None else None
    return MortonResult(
        race_distance_m=d,
        time_s=float(t_nodes[-1]),
        distance_m=nodes,
        t_s=t_nodes,
        speed_mps=_hold_last(speed),
        effort_mps=_hold_last(eff),
        d_balance_m=d_bal,
        grade=_hold_last(gr),
        wind_mps=_hold_last(wind),
        even_time_s=t_even,
        params={"cs_mps": cs, "d_prime_m": dp, "mss_mps": mss, "mass_kg": mass}
        | ({} if accel is None else {"accel_mps2": accel})
        | ({} if start is None else {"start_speed_mps": start}),
        node_speed_mps=nodes_v,
        solve_time_s=elapsed,
        status=str(stats.get("return_status", "")),
        success=bool(stats.get("success", False)),
    )
