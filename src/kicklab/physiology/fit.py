"""Fitting critical speed, D' and maximal sprint speed to best efforts, with uncertainty.

:class:`CriticalSpeed` follows the scikit-learn estimator contract: configure it in the
constructor, call :meth:`~CriticalSpeed.fit` with the efforts (distance in m, time in s; each
effort a maximal run over that distance), read the fitted attributes, which end in ``_``, then
evaluate the fitted curve with :meth:`~CriticalSpeed.speed` and its inverse
:meth:`~CriticalSpeed.time_to_exhaustion`.

Three fits (SCIENCE.md §1):

``"linear"``
    ``d = CS·t + D'`` by ordinary least squares of distance on time; standard errors from the
    fit's covariance and Student-t 95 % intervals; :attr:`~CriticalSpeed.param_samples_` are
    draws from the fit's covariance, scaled as a multivariate Student t (the residual variance
    is itself estimated from a handful of efforts). The classic fit (e.g. Smyth &
    Muniz-Pumares 2020, MSSE 52:2637).
``"hyperbolic"``
    ``t = D'/(v − CS)`` by nonlinear least squares (:func:`scipy.optimize.least_squares`)
    bounded to 0 < CS < the slowest effort's speed and D' in :data:`D_PRIME_BOUNDS_M`;
    intervals from a seeded bootstrap.
``"3p"``
    Morton's 3-parameter model ``t = D'/(v − CS) − D'/(MSS − CS)`` (Morton 1996, Eur J Appl
    Physiol 73:491) with the same bounds and MSS between the fastest effort's speed and
    12.5 m/s, bootstrapped like the hyperbolic fit. Efforts all longer than ~3 min do not
    identify MSS: the fit says so in :attr:`~CriticalSpeed.notes_` (or refuses with
    ``require_mss=True``).

The nonlinear fits minimise *relative* time residuals ``(t̂ − t)/t``: how far a best effort
falls short of a maximal one scales with its length (1 % slack costs 9 s in a 15-min effort
and 2 s in a 3-min one), so absolute residuals let the longest effort dominate (on synthetic
efforts with 1 % time noise they double the error of D').

Their bootstrap is parametric: each replicate adds normal relative noise with the residual
scale ``s`` (the standard deviation of the relative residuals, ``dof = n − p`` degrees of
freedom) to the fitted times — each effort keeps its speed — and refits. With three to six
efforts ``s`` is itself uncertain, which a plain bootstrap ignores: resampling residuals,
the 95 % intervals held the true CS in only ~68 % of synthetic trials. So the interval is
t-calibrated — the distances from the estimate to the bootstrap's 2.5 and 97.5 percentiles
are stretched by ``t₀.₉₇₅(dof)/z₀.₉₇₅`` (keeping the asymmetry of the curved model; exactly
the t interval for a linear one) — and :attr:`~CriticalSpeed.param_samples_` stretch each
refit's deviation from the estimate by a draw of ``√(dof/χ²(dof))``, Student-t draws for
prediction intervals. Drawing the noise scale inside the refits instead gives the same
coverage but its long tails made the interval ends wander by 15–25 % of their width from
seed to seed at 500 replicates (2–7 % this way). Resampling efforts breaks down with so few
of them (many resamples hold two distinct efforts).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

from kicklab.errors import InvalidValue
from kicklab.physiology.models import (
    speed_2p,
    speed_3p,
    time_to_exhaustion_2p,
    time_to_exhaustion_3p,
)
from kicklab.signal import MAX_RUNNING_SPEED_MPS

__all__ = [
    "CriticalSpeed",
    "FIT_MODELS",
    "MIN_EFFORT_S",
    "MAX_EFFORT_SPEED_MPS",
    "D_PRIME_BOUNDS_M",
    "D_PRIME_TYPICAL_M",
    "CS_MIN_MPS",
    "MSS_IDENTIFY_MAX_S",
    "MSS_WELL_IDENTIFIED_S",
    "TWO_P_RANGE_S",
    "N_BOOT",
    "CI_LEVEL",
]

#: Names of the fits :class:`CriticalSpeed` knows, with the number of parameters each fits.
FIT_MODELS: dict[str, int] = {"linear": 2, "hyperbolic": 2, "3p": 3}
#: Shortest effort accepted, s: below one second a "best effort" is a timing artefact, not a
#: run (even a 10 m sprint takes ~2 s).
MIN_EFFORT_S: float = 1.0
#: Fastest effort speed accepted, m/s: the plausibility limit of running (Bolt's peak
#: ~12.4 m/s plus a margin; :data:`kicklab.signal.MAX_RUNNING_SPEED_MPS`). Also the upper
#: bound of MSS in the 3-parameter fit.
MAX_EFFORT_SPEED_MPS: float = MAX_RUNNING_SPEED_MPS
#: Bounds of D' in the nonlinear fits, m. Published running D' spans ~50–400 m (SCIENCE.md §1);
#: the bounds leave a factor of 2.5–5 either side so that they only stop runaway fits of data
#: that cannot identify D', never a real athlete.
D_PRIME_BOUNDS_M: tuple[float, float] = (10.0, 1000.0)
#: Usual range of D' in runners, m (SCIENCE.md §1: "D' ranges 50–400 m"); a fit outside it
#: gets a note (often a sign of submaximal or mislabelled efforts).
D_PRIME_TYPICAL_M: tuple[float, float] = (50.0, 400.0)
#: Lower bound of CS in the nonlinear fits, m/s: CS must be > 0 and the optimiser needs a
#: strictly positive bound; 1 mm/s is far below any walking pace.
CS_MIN_MPS: float = 1e-3
#: An effort at most this long is needed to identify MSS in the 3-parameter fit, s. Morton's
#: shift D'/(MSS − CS) is ~20–60 s for runners (D' 100–300 m, MSS − CS 4–6 m/s); beyond ~3 min
#: the curve's dependence on MSS is smaller than the 1 % scatter of best efforts (measured:
#: with the shortest effort at 180 s the median MSS error was 21–25 % and the 90th percentile
#: ran into the 12.5 m/s bound; see :data:`MSS_WELL_IDENTIFIED_S`).
MSS_IDENTIFY_MAX_S: float = 180.0
#: Shortest effort at most this long for MSS to be well determined, s. Measured on synthetic
#: efforts (CS 4.5 m/s, D' 200 m, MSS 8.5 m/s, four more efforts of 2–15 min, 0.5–1 % time
#: scatter): with the shortest effort at 30 / 60 / 90 / 120 / 180 s the median MSS error was
#: 2–4 / 5–7 / 7–11 / 10–15 / 21–25 %. Between this and :data:`MSS_IDENTIFY_MAX_S` the fit
#: gets a "weakly identified" note.
MSS_WELL_IDENTIFIED_S: float = 90.0
#: Durations where the 2-parameter model holds, s: 2–20 min (Jones & Vanhatalo 2017,
#: Sports Med 47:S65, recommend 2–15 min; Smyth & Muniz-Pumares 2020 used 400–5000 m best
#: efforts). Shorter efforts sit on the curved sprint end, longer ones below the hyperbola.
TWO_P_RANGE_S: tuple[float, float] = (120.0, 1200.0)
#: Default number of bootstrap refits (and of parameter draws for the linear fit): with 500
#: the interval ends move by 2–7 % of the interval's width from one seed to another, and a fit
#: takes ~0.4 s (hyperbolic) or ~0.6 s (3P) — measured on four and five synthetic efforts.
N_BOOT: int = 500
#: Confidence level of the ``*_ci95_`` intervals.
CI_LEVEL: float = 0.95
#: Fractional margin that keeps CS strictly below the slowest effort speed and MSS strictly
#: above the fastest (``v − CS`` and ``MSS − v`` are divisors).
_EDGE = 1e-6
#: Relative distance to a bound below which a fitted parameter counts as "at its bound".
_AT_BOUND = 1e-3


# ----------------------------------------------------------------------------- input
def _column(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numbers, got {values!r}") from None
    return arr


def _efforts(distance_m: Any, time_s: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated (distance m, time s) arrays of the efforts."""
    if time_s is None:
        if isinstance(distance_m, pd.DataFrame) and {"distance_m", "time_s"} <= set(
            distance_m.columns
        ):
            distance_m, time_s = distance_m["distance_m"], distance_m["time_s"]
        else:
            raise InvalidValue(
                "efforts need distance_m and time_s (two arrays, or one DataFrame with "
                "those columns)"
            )
    d = _column(distance_m, "distance_m")
    t = _column(time_s, "time_s")
    if d.size != t.size:
        raise InvalidValue(
            f"distance_m has {d.size} values but time_s has {t.size}: give one time per effort"
        )
    if d.size == 0:
        raise InvalidValue("no efforts given")
    for arr, name in ((d, "distance_m"), (t, "time_s")):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InvalidValue(f"{name}[{bad[0]}] is {arr[bad[0]]}: every effort needs a value")
    bad = np.flatnonzero(d <= 0)
    if bad.size:
        raise InvalidValue(f"distance_m[{bad[0]}] = {d[bad[0]]:g} m: distances must be > 0")
    bad = np.flatnonzero(t < MIN_EFFORT_S)
    if bad.size:
        raise InvalidValue(
            f"time_s[{bad[0]}] = {t[bad[0]]:g} s: efforts shorter than {MIN_EFFORT_S:g} s are "
            "not runs"
        )
    v = d / t
    bad = np.flatnonzero(v > MAX_EFFORT_SPEED_MPS)
    if bad.size:
        i = bad[0]
        raise InvalidValue(
            f"effort {i} ({d[i]:g} m in {t[i]:g} s) averages {v[i]:.2f} m/s, faster than "
            f"{MAX_EFFORT_SPEED_MPS:g} m/s (the fastest humanly possible): check units "
            "(metres and seconds)"
        )
    return d, t


def _t_scales(rng: np.random.Generator, n: int, dof: int) -> np.ndarray:
    """``n`` draws of ``√(dof/χ²(dof))``: the factor that turns a normal draw made with an
    estimated variance (``dof`` degrees of freedom) into a Student-t one."""
    return np.sqrt(dof / rng.chisquare(dof, size=n))


def _interval(
    est: float, draws: np.ndarray, dof: int, bounds: tuple[float, float]
) -> tuple[tuple[float, float], bool]:
    """Bootstrap interval at :data:`CI_LEVEL`, t-calibrated, and whether it had to be widened.

    The distances from the estimate to the normal-noise bootstrap's percentiles are stretched
    by ``t(dof)/z`` (the ratio of the Student-t to the normal quantile): this keeps the
    asymmetry the model's curvature gives the interval and adds the uncertainty of the
    estimated noise scale — exactly the t interval for a model linear in its parameters.
    A percentile on the wrong side of the estimate (a lopsided bootstrap) is replaced by the
    estimate; the interval is clipped to the parameter's bounds.
    """
    draws = draws[np.isfinite(draws)]
    if draws.size < 2 or not math.isfinite(est):
        return (math.nan, math.nan), False
    alpha = (1.0 - CI_LEVEL) / 2.0
    q_lo, q_hi = (float(x) for x in np.quantile(draws, [alpha, 1.0 - alpha]))
    stretch = float(stats.t.ppf(1.0 - alpha, dof) / stats.norm.ppf(1.0 - alpha))
    widened = not q_lo <= est <= q_hi
    lo = est - stretch * max(est - q_lo, 0.0)
    hi = est + stretch * max(q_hi - est, 0.0)
    return (max(lo, bounds[0]), min(hi, bounds[1])), widened


# ----------------------------------------------------------------------------- fits
def _linear(d: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    """OLS of d = CS·t + D': (estimate [cs, d'], covariance 2×2 (NaN if no dof), R², dof)."""
    x = np.column_stack([t, np.ones_like(t)])
    coef, *_ = np.linalg.lstsq(x, d, rcond=None)
    resid = d - x @ coef
    dof = t.size - 2
    ss_tot = float(np.sum((d - d.mean()) ** 2))
    r2 = 1.0 - float(resid @ resid) / ss_tot if ss_tot > 0 else math.nan
    if dof > 0:
        s2 = float(resid @ resid) / dof
        cov = s2 * np.linalg.inv(x.T @ x)
    else:
        cov = np.full((2, 2), np.nan)
    return coef, cov, r2, dof


def _model_time(p: np.ndarray, v: np.ndarray, three: bool) -> np.ndarray:
    """Fitted time of each effort, s: D'/(v − CS) [− D'/(MSS − CS) for 3P]."""
    t = p[1] / (v - p[0])
    if three:
        t = t - p[1] / (p[2] - p[0])
    return t


def _residuals(p: np.ndarray, v: np.ndarray, t: np.ndarray, three: bool) -> np.ndarray:
    return _model_time(p, v, three) / t - 1.0


def _jacobian(p: np.ndarray, v: np.ndarray, t: np.ndarray, three: bool) -> np.ndarray:
    cs, dp = p[0], p[1]
    a = 1.0 / (v - cs)
    cols = [dp * a**2, a]
    if three:
        b = 1.0 / (p[2] - cs)
        cols = [dp * (a**2 - b**2), a - b, np.full_like(v, dp * b**2)]
    return np.column_stack(cols) / t[:, None]


def _bounds(v: np.ndarray, three: bool) -> tuple[np.ndarray, np.ndarray]:
    lo = [CS_MIN_MPS, D_PRIME_BOUNDS_M[0]]
    hi = [float(v.min()) * (1.0 - _EDGE), D_PRIME_BOUNDS_M[1]]
    if three:
        mss_lo = float(v.max()) * (1.0 + _EDGE)
        # an effort at the plausibility limit leaves MSS a sliver above it rather than no room
        lo.append(mss_lo)
        hi.append(max(MAX_EFFORT_SPEED_MPS, mss_lo * (1.0 + _EDGE)))
    return np.array(lo), np.array(hi)


def _clip_inside(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``x`` moved strictly inside the box (least_squares needs an interior start); the
    0.1 %-of-span margin is arbitrary, any interior point near the start will do."""
    span = hi - lo
    return np.clip(x, lo + 1e-3 * span, hi - 1e-3 * span)


def _nls(
    v: np.ndarray, t: np.ndarray, three: bool, starts: list[np.ndarray]
) -> tuple[np.ndarray, float] | None:
    """Best bounded least-squares fit over the starting points: (params, cost) or None."""
    lo, hi = _bounds(v, three)
    best: tuple[np.ndarray, float] | None = None
    for x0 in starts:
        try:
            res = optimize.least_squares(
                _residuals,
                _clip_inside(np.asarray(x0, dtype=float), lo, hi),
                jac=_jacobian,
                bounds=(lo, hi),
                args=(v, t, three),
                x_scale="jac",
                method="trf",
            )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        if res.status > 0 and np.all(np.isfinite(res.x)) and (best is None or res.cost < best[1]):
            best = (res.x, float(res.cost))
    return best


def _nls_se(p: np.ndarray, v: np.ndarray, t: np.ndarray, three: bool, dof: int) -> list[float]:
    """Asymptotic standard errors ``√diag(s²·(JᵀJ)⁻¹)`` of a least-squares fit (NaN if none)."""
    if dof <= 0:
        return [math.nan] * p.size
    r = _residuals(p, v, t, three)
    jac = _jacobian(p, v, t, three)
    s2 = float(r @ r) / dof
    try:
        cov = s2 * np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        return [math.nan] * p.size
    diag = np.diag(cov)
    return [float(math.sqrt(x)) if x >= 0 else math.nan for x in diag]


def _starts(v: np.ndarray, d: np.ndarray, t: np.ndarray, three: bool) -> list[np.ndarray]:
    """Starting points: the linear fit, plus a spread of sprint speeds for 3P."""
    (cs0, dp0), *_ = _linear(d, t)
    lo, hi = _bounds(v, three)
    cs0 = float(np.clip(cs0, lo[0], hi[0]))
    dp0 = float(np.clip(dp0, lo[1], hi[1]))
    if not three:
        return [np.array([cs0, dp0])]
    vmax = float(v.max())
    # sprint speed 5 %, 30 % and 60 % above the fastest effort: MSS is often weakly identified,
    # so several starts guard against a local minimum near one bound
    return [np.array([cs0, dp0, vmax * f]) for f in (1.05, 1.3, 1.6)]


# ----------------------------------------------------------------------------- estimator
class CriticalSpeed:
    """Critical speed, D' and (3P) maximal sprint speed fitted to best efforts.

    Parameters
    ----------
    model
        ``"linear"`` (``d = CS·t + D'``, OLS), ``"hyperbolic"`` (``t = D'/(v − CS)``, nonlinear
        least squares) or ``"3p"`` (Morton 1996). See the module docstring.
    n_boot
        Bootstrap refits for the nonlinear fits, and draws of :attr:`param_samples_` for the
        linear fit (default :data:`N_BOOT`); 0 skips them (nonlinear intervals are then NaN).
    seed
        Seed or :class:`numpy.random.Generator` of the bootstrap and draws (reproducible).
    require_mss
        With ``"3p"``: raise :class:`~kicklab.errors.InvalidValue` when no effort is short
        enough (≤ :data:`MSS_IDENTIFY_MAX_S`) to identify MSS, instead of returning a poorly
        determined MSS with a note.

    Attributes
    ----------
    cs_ : float
        Critical speed, m/s.
    d_prime_ : float
        D', m.
    mss_ : float
        Maximal sprint speed, m/s (NaN for the 2-parameter fits).
    cs_se_, d_prime_se_, mss_se_ : float
        Standard errors, m/s, m, m/s: from the fit's covariance — OLS (linear) or the
        asymptotic ``s²·(JᵀJ)⁻¹`` of the nonlinear least squares (not the bootstrap's standard
        deviation: with 2 residual degrees of freedom its Student-t tails have no finite
        variance). NaN when the efforts leave no residual degrees of freedom.
    cs_ci95_, d_prime_ci95_, mss_ci95_ : tuple[float, float]
        95 % intervals (lo, hi): Student-t (linear) or bootstrap percentile (nonlinear; widened
        to contain the estimate when the bootstrap is lopsided, with a note); (NaN, NaN) when
        unknown.
    r2_ : float
        Coefficient of determination in the fitted quantity: distance (linear) or time
        (hyperbolic, 3P).
    n_efforts_ : int
        Number of efforts fitted.
    notes_ : list[str]
        Caveats in words (parameters not identified, at a bound, efforts outside 2–20 min, …).
    param_samples_ : numpy.ndarray
        ``n × 3`` plausible ``(cs_mps, d_prime_m, mss_mps)`` draws for prediction intervals
        (bootstrap refits, or Student-t draws from the linear covariance with D' clipped at 0);
        the MSS column is NaN for the 2-parameter fits. The point estimate repeated when the
        uncertainty cannot be estimated.
    efforts_ : pandas.DataFrame
        The efforts: ``distance_m``, ``time_s``, ``speed_mps``, ``fitted_time_s``.
    """

    def __init__(
        self,
        model: str = "linear",
        *,
        n_boot: int = N_BOOT,
        seed: int | np.random.Generator | None = 0,
        require_mss: bool = False,
    ) -> None:
        self.model = model
        self.n_boot = n_boot
        self.seed = seed
        self.require_mss = require_mss

    # ------------------------------------------------------------------ sklearn plumbing
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (scikit-learn contract)."""
        return {
            "model": self.model,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "require_mss": self.require_mss,
        }

    def set_params(self, **params: Any) -> CriticalSpeed:
        """Set constructor parameters by name; returns self."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise InvalidValue(f"CriticalSpeed has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"CriticalSpeed({args})"

    # ------------------------------------------------------------------ fit
    def fit(
        self, distance_m: ArrayLike | pd.DataFrame, time_s: ArrayLike | None = None
    ) -> CriticalSpeed:
        """Fit the model to efforts; returns self.

        Parameters
        ----------
        distance_m
            Distance of each effort, m — or a DataFrame with ``distance_m`` and ``time_s``
            columns (then leave ``time_s`` out).
        time_s
            Time of each effort, s (maximal efforts: races, time trials, best efforts).

        Raises
        ------
        InvalidValue
            Unknown model, too few efforts (< 2 distinct durations, < 3 for ``"3p"``), an effort
            shorter than 1 s or faster than 12.5 m/s, missing or non-positive values,
            inconsistent efforts (negative D' in the linear fit), or ``require_mss`` with no
            effort short enough to identify MSS.
        """
        model = str(self.model).lower()
        if model not in FIT_MODELS:
            raise InvalidValue(
                f"unknown critical-speed model {self.model!r}: choose one of "
                + ", ".join(FIT_MODELS)
            )
        n_boot = int(self.n_boot)
        if n_boot < 0:
            raise InvalidValue(f"n_boot must be >= 0, got {self.n_boot!r}")
        n_par = FIT_MODELS[model]
        d, t = _efforts(distance_m, time_s)
        n = d.size
        n_distinct = np.unique(t).size
        if n_distinct < n_par:
            need = "3 (Morton's 3-parameter model)" if n_par == 3 else "2"
            raise InvalidValue(
                f"{n_distinct} distinct effort duration(s) cannot fit {model!r}: it needs at "
                f"least {need} efforts of different durations"
            )
        notes: list[str] = []
        rng = np.random.default_rng(self.seed)
        v = d / t
        shortest = float(t.min())
        if model == "3p" and shortest > MSS_IDENTIFY_MAX_S:
            msg = (
                f"MSS is not identified: no effort is shorter than {MSS_IDENTIFY_MAX_S:g} s "
                f"(the shortest is {shortest:.0f} s), so the efforts barely depend on the sprint "
                "speed; add a short effort (e.g. 400–800 m) or a sprint test"
            )
            if self.require_mss:
                raise InvalidValue(msg)
            notes.append(msg + "; its interval shows how little the data say")
        elif model == "3p" and shortest > MSS_WELL_IDENTIFIED_S:
            notes.append(
                f"MSS is only weakly identified: the shortest effort is {shortest:.0f} s; efforts "
                f"of {MSS_WELL_IDENTIFIED_S:g} s or less pin it down (its interval shows how "
                "well this one is known)"
            )
        if model != "3p":
            if shortest < TWO_P_RANGE_S[0]:
                notes.append(
                    f"an effort of {shortest:.0f} s is shorter than {TWO_P_RANGE_S[0]:g} s, where "
                    "the 2-parameter model overestimates speed: CS and D' may be biased "
                    "(use efforts of 2–20 min, or the 3-parameter model)"
                )
            if float(t.max()) > TWO_P_RANGE_S[1]:
                notes.append(
                    f"an effort of {float(t.max()):.0f} s is longer than {TWO_P_RANGE_S[1]:g} s, "
                    "beyond the 2–20 min where the 2-parameter model holds: CS may be "
                    "underestimated"
                )

        if model == "linear":
            est, se, ci, samples, r2, fitted = self._fit_linear(d, t, n_boot, rng, notes)
        else:
            est, se, ci, samples, r2, fitted = self._fit_nonlinear(
                d, t, v, model == "3p", n_boot, rng, notes
            )

        cs, dp, mss = est
        if not D_PRIME_TYPICAL_M[0] <= dp <= D_PRIME_TYPICAL_M[1]:
            notes.append(
                f"D' of {dp:.0f} m is outside the usual {D_PRIME_TYPICAL_M[0]:g}–"
                f"{D_PRIME_TYPICAL_M[1]:g} m of runners: check that every effort was maximal"
            )
        self.model_ = model
        self.cs_, self.d_prime_, self.mss_ = float(cs), float(dp), float(mss)
        self.cs_se_, self.d_prime_se_, self.mss_se_ = (float(x) for x in se)
        self.cs_ci95_, self.d_prime_ci95_, self.mss_ci95_ = ci
        self.r2_ = float(r2)
        self.n_efforts_ = int(n)
        self.notes_ = notes
        self.param_samples_ = samples
        self.efforts_ = pd.DataFrame(
            {"distance_m": d, "time_s": t, "speed_mps": v, "fitted_time_s": fitted}
        )
        return self

    def _fit_linear(
        self,
        d: np.ndarray,
        t: np.ndarray,
        n_boot: int,
        rng: np.random.Generator,
        notes: list[str],
    ) -> tuple[Any, ...]:
        coef, cov, r2, dof = _linear(d, t)
        cs, dp = (float(x) for x in coef)
        if cs <= 0 or dp < 0:
            raise InvalidValue(
                f"the efforts are inconsistent: the linear fit gives CS {cs:.2f} m/s and D' "
                f"{dp:.0f} m (longer efforts as fast as shorter ones); check for submaximal "
                "or mistyped efforts"
            )
        nan_ci = (math.nan, math.nan)
        if dof > 0:
            se = np.sqrt(np.diag(cov))
            q = float(stats.t.ppf(0.5 + CI_LEVEL / 2.0, dof))
            ci = (
                (cs - q * float(se[0]), cs + q * float(se[0])),
                (dp - q * float(se[1]), dp + q * float(se[1])),
                nan_ci,
            )
            # multivariate Student t: normal draws from the covariance, each scaled by
            # sqrt(dof/chi2(dof)) because the residual variance is itself estimated; their
            # percentiles match the t intervals above
            # (square root by eigen-decomposition: a perfect fit has a zero, not positive
            # definite, covariance)
            lam, vec = np.linalg.eigh(cov)
            root = vec * np.sqrt(np.clip(lam, 0.0, None))
            z = rng.standard_normal((n_boot, 2)) @ root.T
            draws = coef + z * _t_scales(rng, n_boot, dof)[:, None]
            clipped = int(np.sum((draws[:, 0] < CS_MIN_MPS) | (draws[:, 1] < 0)))
            if clipped:
                notes.append(
                    f"{clipped} of {n_boot} parameter draws had D' < 0 or CS <= 0 and were "
                    "clipped: the efforts determine D' poorly"
                )
            draws[:, 0] = np.maximum(draws[:, 0], CS_MIN_MPS)
            draws[:, 1] = np.maximum(draws[:, 1], 0.0)
            se3 = (float(se[0]), float(se[1]), math.nan)
        else:
            notes.append(
                f"{t.size} efforts fit the line exactly: no uncertainty can be estimated "
                "(add a third effort)"
            )
            ci = (nan_ci, nan_ci, nan_ci)
            draws = np.tile(coef, (n_boot, 1))
            se3 = (math.nan, math.nan, math.nan)
        samples = np.column_stack([draws, np.full(n_boot, np.nan)])
        fitted = (d - dp) / cs
        return (cs, dp, math.nan), se3, ci, samples, r2, fitted

    def _fit_nonlinear(
        self,
        d: np.ndarray,
        t: np.ndarray,
        v: np.ndarray,
        three: bool,
        n_boot: int,
        rng: np.random.Generator,
        notes: list[str],
    ) -> tuple[Any, ...]:
        n_par = 3 if three else 2
        best = _nls(v, t, three, _starts(v, d, t, three))
        if best is None:
            raise InvalidValue("the fit did not converge on these efforts")
        p = best[0]
        fitted = _model_time(p, v, three)
        ss_tot = float(np.sum((t - t.mean()) ** 2))
        r2 = 1.0 - float(np.sum((t - fitted) ** 2)) / ss_tot if ss_tot > 0 else math.nan

        lo, hi = _bounds(v, three)
        names = ["CS", "D'", "MSS"][:n_par]
        for i, name in enumerate(names):
            span = hi[i] - lo[i]
            if p[i] - lo[i] <= _AT_BOUND * span or hi[i] - p[i] <= _AT_BOUND * span:
                which = "lower" if p[i] - lo[i] <= _AT_BOUND * span else "upper"
                notes.append(
                    f"{name} sits at its {which} bound ({p[i]:.3g}): the efforts do not "
                    f"determine it"
                )

        dof = t.size - n_par
        nan_ci = (math.nan, math.nan)
        if dof > 0 and n_boot > 0:
            draws = self._bootstrap(p, v, t, fitted, three, n_boot, dof, rng, notes)
        else:
            draws = np.empty((0, n_par))
            if dof == 0:
                notes.append(
                    f"{t.size} efforts for {n_par} parameters: the curve passes through every "
                    "effort and no uncertainty can be estimated (add an effort)"
                )
        se = _nls_se(p, v, t, three, dof)
        if draws.shape[0] >= 2:
            ci = []
            widened = False
            for i in range(n_par):
                interval, w = _interval(float(p[i]), draws[:, i], dof, (lo[i], hi[i]))
                ci.append(interval)
                widened |= w
            if widened:
                notes.append(
                    "the bootstrap distribution is lopsided: an interval was widened to "
                    "contain the estimate"
                )
            # Student-t draws for prediction intervals: each refit's deviation from the
            # estimate stretched by its own √(dof/χ²) factor, kept inside the fit's bounds
            scales = _t_scales(rng, draws.shape[0], dof)[:, None]
            samples = np.clip(p + (draws - p) * scales, lo, hi)
        else:
            ci = [nan_ci] * n_par
            samples = np.tile(p, (n_boot, 1))
        if not three:
            se.append(math.nan)
            ci.append(nan_ci)
            samples = np.column_stack([samples, np.full(samples.shape[0], np.nan)])
        est = (float(p[0]), float(p[1]), float(p[2]) if three else math.nan)
        return est, tuple(se), tuple(ci), samples, r2, fitted

    @staticmethod
    def _bootstrap(
        p: np.ndarray,
        v: np.ndarray,
        t: np.ndarray,
        fitted: np.ndarray,
        three: bool,
        n_boot: int,
        dof: int,
        rng: np.random.Generator,
        notes: list[str],
    ) -> np.ndarray:
        """Parametric bootstrap: refits to fitted times × (1 + normal relative noise with the
        residual scale); see the module docstring."""
        n = t.size
        rel = t / fitted - 1.0
        s = math.sqrt(float(rel @ rel) / dof)
        noise = s * rng.standard_normal((n_boot, n))
        # a resampled time must stay positive: cap the shortening at 50 % (relative residuals
        # of best efforts are ~1 %; only wildly inconsistent efforts get near this)
        t_star = fitted * (1.0 + np.maximum(noise, -0.5))
        out = []
        for row in t_star:  # one refit per bootstrap sample (n_boot fits, not per sample)
            res = _nls(v, row, three, [p])
            if res is not None:
                out.append(res[0])
        failed = n_boot - len(out)
        if failed:
            notes.append(f"{failed} of {n_boot} bootstrap refits failed and were left out")
        return np.array(out).reshape(-1, p.size)

    # ------------------------------------------------------------------ use
    def _check_fitted(self) -> None:
        if not hasattr(self, "cs_"):
            raise InvalidValue("this CriticalSpeed is not fitted yet: call fit(distance_m, time_s)")

    def speed(self, duration_s: ArrayLike) -> np.ndarray:
        """Speed sustainable for ``duration_s`` (s) on the fitted curve, m/s."""
        self._check_fitted()
        if self.model_ == "3p":
            return speed_3p(duration_s, self.cs_, self.d_prime_, self.mss_)
        return speed_2p(duration_s, self.cs_, self.d_prime_)

    def time_to_exhaustion(self, speed_mps: ArrayLike) -> np.ndarray:
        """Time to exhaustion at ``speed_mps`` (m/s) on the fitted curve, s (inf at/below CS)."""
        self._check_fitted()
        if self.model_ == "3p":
            return time_to_exhaustion_3p(speed_mps, self.cs_, self.d_prime_, self.mss_)
        return time_to_exhaustion_2p(speed_mps, self.cs_, self.d_prime_)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fitted values: ``cs_mps``, ``d_prime_m``, ``mss_mps`` (None when unknown),
        standard errors, 95 % intervals as ``[lo, hi]``, ``r2``, ``n_efforts``, ``notes``."""
        self._check_fitted()

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "model": self.model_,
            "cs_mps": num(self.cs_),
            "d_prime_m": num(self.d_prime_),
            "mss_mps": num(self.mss_),
            "cs_se_mps": num(self.cs_se_),
            "d_prime_se_m": num(self.d_prime_se_),
            "mss_se_mps": num(self.mss_se_),
            "cs_ci95": [num(x) for x in self.cs_ci95_],
            "d_prime_ci95": [num(x) for x in self.d_prime_ci95_],
            "mss_ci95": [num(x) for x in self.mss_ci95_],
            "r2": num(self.r2_),
            "n_efforts": self.n_efforts_,
            "notes": list(self.notes_),
        }
