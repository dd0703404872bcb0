"""Speed reserve: maximal sprint speed, maximal aerobic speed, ASR, SRR and the kick profile.

The kick is spent from two reserves. D' says how much running above critical speed is left;
the *anaerobic speed reserve* says how much faster than aerobic speed the legs can go
(SCIENCE.md §3; Sandford et al. 2019, IJSPP 14:501):

* ``MSS`` — maximal sprint speed, m/s: the best 3–5 s of an activity
  (:func:`mss_from_activity`) or a timed sprint (:func:`mss_from_sprint`);
* ``MAS`` — maximal aerobic speed (≈ speed at VO2max), m/s: here the speed the fitted
  critical-speed model sustains for :data:`MAS_DURATION_S` (:func:`mas_from_model`);
* ``ASR = MSS − MAS`` (:func:`asr`) and ``SRR = MSS / MAS`` (:func:`srr`);
* the Sandford profile type from the SRR (:func:`profile_type`);
* :class:`KickProfile`, which holds them all and says in words what kind of finisher the
  athlete is (:meth:`KickProfile.summary`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special

from kicklab.activity import Activity
from kicklab.errors import EmptyActivity, InvalidValue
from kicklab.physiology.efforts import (
    _best_windows,
    _pause_steps,
    _running_parts,
    _step_cadence,
)
from kicklab.physiology.models import speed_2p, speed_3p
from kicklab.signal import MAX_RUNNING_SPEED_MPS

__all__ = [
    "MSS_WINDOW_S",
    "MSS_WINDOW_RANGE_S",
    "SETTLE_S",
    "MIN_SPRINT_RATIO",
    "MAX_SPRINT_S",
    "SPRINT_TAU_S",
    "MAS_DURATION_S",
    "SRR_BANDS",
    "PROFILE_TYPES",
    "mss_from_activity",
    "mss_from_sprint",
    "mas_from_model",
    "asr",
    "srr",
    "profile_type",
    "KickProfile",
]

#: Window of the maximal sprint speed from an activity, s: the shortest of the 3–5 s range.
#: A sprinter holds near-top speed for only ~2–4 s, so a shorter window is closer to the true
#: peak, while the mean of three 1 Hz samples cuts independent speed noise by √3.
MSS_WINDOW_S: float = 3.0
#: Windows accepted for the maximal sprint speed, s ("best 3–5 s").
MSS_WINDOW_RANGE_S: tuple[float, float] = (3.0, 5.0)
#: Time after the start of a recording or after a gap in it during which no sprint is taken, s.
#: A GNSS receiver settling on its first fixes reports speeds that decay from 10–12 m/s to the
#: real pace over 20–50 s (seen in the shared Garmin files), indistinguishable from a sprint;
#: standstills (``stopped`` pauses) keep the fix and do not count, so a sprint from a standing
#: start is kept.
SETTLE_S: float = 60.0
#: Least ratio of sprint speed to critical speed for the best 3 s to count as a sprint. Sprint
#: speed is ≥ ~1.5 × CS even in the most endurance-type elite runners (Sandford's lowest SRR
#: 1.36 × MAS, with MAS ~10 % above CS), ~1.9 × CS in recreational runners (MSS ~7 m/s,
#: CS ~3.7 m/s); the best 3 s of a run without a sprint are within ~1.2 × CS.
MIN_SPRINT_RATIO: float = 1.3
#: Longest sprint test accepted, s: a 150 m dash takes ~15–20 s; longer efforts measure speed
#: endurance, not maximal sprint speed.
MAX_SPRINT_S: float = 20.0
#: Time constant of acceleration used when a standing-start sprint has a single split, s.
#: In the mono-exponential sprint model ``v(t) = MSS·(1 − e^(−t/τ))`` (Furusawa, Hill &
#: Parkinson 1927) τ is about 1 s across sports and levels (Clark & Ryan 2022, recalled);
#: with two or more splits τ is fitted instead.
SPRINT_TAU_S: float = 1.0
#: Duration whose model speed stands for the maximal aerobic speed, s. Speed at VO2max
#: (vVO2max) can be held for ~4–8 min, ~6 min on average (Billat et al. 1994, time limit at
#: vVO2max); Sandford et al. 2019 predicted MAS from 1500 m race speed (3.5–4 min for their
#: elite athletes). Six minutes sits in the middle; it is a little faster than CS by D'/360 s.
MAS_DURATION_S: float = 360.0
#: Lower SRR edge of each Sandford et al. (2019) profile, highest first. The published bands
#: (elite male 800 and 1500 m runners) are SRR ≥ 1.58, 1.48–1.57 and 1.36–1.47, given to two
#: decimals; the edges sit half-way between (1.575, 1.475) so that no SRR falls between bands.
#: Below 1.355 the published bands end: the last type is kicklab's extrapolation.
SRR_BANDS: tuple[tuple[float, str], ...] = (
    (1.575, "400–800 type (speed)"),
    (1.475, "800 type"),
    (1.355, "800–1500 type (endurance)"),
    (1.0, "1500+ endurance type"),
)
#: The profile types, speed first.
PROFILE_TYPES: tuple[str, ...] = tuple(name for _, name in SRR_BANDS)


# --------------------------------------------------------------------------- helpers
def _finite_positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidValue(f"{name} must be a positive number, got {value!r}")
    return v


def _optional(value: Any) -> float | None:
    """``None`` for a missing value (None or NaN), else the float."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"expected a number or None, got {value!r}") from None
    return None if math.isnan(v) else v


def _out(x: np.ndarray) -> float | np.ndarray:
    """A Python float for 0-d results, else the array."""
    return float(x) if np.ndim(x) == 0 else x


def _pace(speed_mps: float) -> str:
    """Pace per km as ``m:ss/km`` for a speed in m/s."""
    sec = round(1000.0 / speed_mps)
    return f"{sec // 60}:{sec % 60:02d}/km"


# --------------------------------------------------------------------------- sprint speed
def _sprint_parts(item: Any) -> list[Activity]:
    """Cleaned running parts of an activity or file (see ``efforts._running_parts``)."""
    if not isinstance(item, Activity | str | Path | bytes | bytearray):
        raise InvalidValue(
            "mss_from_activity needs an Activity, a path or a mean-maximal table, "
            f"got {type(item).__name__}"
        )
    if not isinstance(item, Activity):
        from kicklab.io import read

        item = read(item)  # an unreadable file raises its own error (CorruptFile, ...)
    label = str(item.metadata.get("source") or "activity")
    parts, skipped = _running_parts(item, label)
    if not parts:
        reason = "; ".join(s.split(": ", 1)[-1] for s in skipped) or "no running data"
        raise EmptyActivity(reason, item.metadata.get("source"))
    return parts


def _from_mean_max(table: pd.DataFrame, window_s: float) -> float:
    if not {"duration_s", "speed_mps"} <= set(table.columns):
        raise InvalidValue("a mean-maximal table needs duration_s and speed_mps columns")
    dur = pd.to_numeric(table["duration_s"], errors="coerce").to_numpy(dtype=float)
    v = pd.to_numeric(table["speed_mps"], errors="coerce").to_numpy(dtype=float)
    lo, hi = MSS_WINDOW_RANGE_S
    ok = (dur >= lo) & (dur <= hi) & np.isfinite(v) & (v <= MAX_RUNNING_SPEED_MPS)
    if not ok.any():
        raise InvalidValue(
            f"the mean-maximal table has no plausible speed over {lo:g}–{hi:g} s to take "
            "the sprint speed from"
        )
    # the row nearest the requested window (the shortest of equals: its speed is the peak)
    idx = np.flatnonzero(ok)
    best = idx[np.lexsort((dur[idx], np.abs(dur[idx] - window_s)))[0]]
    return float(v[best])


def _from_activity(act: Activity, window_s: float) -> float:
    rec = act.records
    src = act.metadata.get("source")
    speed_source = (act.metadata.get("cleaned") or {}).get("speed_source")
    if speed_source in ("distance", "positions"):
        # a 3 s speed differentiated from GPS fixes is position noise over ~10–30 m (±3 m
        # per fix is ±2 m/s), and sparse recordings hold no sample inside the window at all
        raise EmptyActivity(
            f"speed was derived from {speed_source}, too coarse for a {window_s:g} s sprint "
            "speed; a device-measured speed (GNSS Doppler or footpod) or a timed sprint "
            "(mss_from_sprint) is needed",
            src,
        )
    t = rec["time_s"].to_numpy(dtype=float)
    column = "speed_raw_mps" if "speed_raw_mps" in rec.columns else "speed_mps"
    v = rec[column].to_numpy(dtype=float)
    if not np.isfinite(v).any() and column != "speed_mps":
        v = rec["speed_mps"].to_numpy(dtype=float)
    if t.size < 2 or not np.isfinite(v).any():
        raise EmptyActivity("no speed to take a sprint speed from", src)
    dt = np.diff(t)
    inc = v[:-1] * dt  # the mean of the 1 Hz samples in a window: left sums
    pauses = act.pauses
    in_pause = _pause_steps(t, pauses)
    # GNSS settling: the recording start and every gap or timer stop restart the clock;
    # a standstill does not (the receiver keeps its fix)
    lost = pauses[pauses["kind"].astype(str) != "stopped"] if len(pauses) else pauses
    restart = ~np.isfinite(inc) | (dt <= 0) | _pause_steps(t, lost)
    last = np.maximum.accumulate(np.where(restart, np.arange(restart.size), -1))
    settle_from = t[last + 1]  # time of the first sample after the latest restart (or t[0])
    settling = t[:-1] < settle_from + SETTLE_S
    invalid = restart | in_pause | settling
    limit = np.asarray([MAX_RUNNING_SPEED_MPS])
    speed, _ = _best_windows(
        t, inc, invalid, np.asarray([window_s]), limit, cadence=_step_cadence(rec)
    )
    if not np.isfinite(speed[0]):
        raise EmptyActivity(
            f"no {window_s:g} s stretch of plausible running speed (at least {SETTLE_S:.0f} s "
            "after the start of the recording or a gap) to take a sprint speed from",
            src,
        )
    return float(speed[0])


def mss_from_activity(
    activity_or_mean_max: Activity | pd.DataFrame | str | Path,
    *,
    window_s: float = MSS_WINDOW_S,
    cs_mps: float | None = None,
) -> float:
    """Maximal sprint speed from an activity: its best mean speed over 3–5 s, m/s.

    Parameters
    ----------
    activity_or_mean_max
        An activity (raw or cleaned; a multisport file's running session is used), a path to
        one, or a mean-maximal table from :func:`~kicklab.physiology.efforts.mean_max_speed`
        (its row nearest ``window_s`` within 3–5 s is taken).
    window_s
        Window, s, within :data:`MSS_WINDOW_RANGE_S` (default :data:`MSS_WINDOW_S`).
    cs_mps
        The athlete's critical speed, m/s, if known: the result must then be at least
        :data:`MIN_SPRINT_RATIO` × CS to count as a sprint.

    Returns
    -------
    float
        MSS, m/s. From an activity it is the best window mean of the raw (despiked, not
        smoothed) speed ``speed_raw_mps`` — smoothing would shave the peak — falling back to
        ``speed_mps``; only a speed the device measured counts (not one derived from GPS
        positions or distance, too noisy over 3 s). Windows are skipped when they touch a
        pause, lie within :data:`SETTLE_S` of the start of the recording or of a gap (GNSS
        settling), exceed :data:`kicklab.signal.MAX_RUNNING_SPEED_MPS` (12.5 m/s), or, where
        cadence is recorded, imply steps longer than
        :data:`~kicklab.physiology.efforts.MAX_STEP_LENGTH_M`. A multisport file's running
        legs and a file's separate outings are all searched; other sports are refused.

    Raises
    ------
    EmptyActivity
        Not a run, no measured speed, or no valid window.
    InvalidValue
        ``window_s`` outside 3–5 s; or the best window is below ``MIN_SPRINT_RATIO × cs_mps``
        — the activity holds no maximal sprint.
    """
    lo, hi = MSS_WINDOW_RANGE_S
    w = _finite_positive(window_s, "window_s")
    if not lo <= w <= hi:
        raise InvalidValue(f"window_s must be {lo:g}–{hi:g} s (best 3–5 s), got {window_s!r}")
    if isinstance(activity_or_mean_max, pd.DataFrame):
        mss = _from_mean_max(activity_or_mean_max, w)
        src = activity_or_mean_max.attrs.get("source")
    else:
        found: list[float] = []
        errors: list[EmptyActivity] = []
        for part in _sprint_parts(activity_or_mean_max):  # legs and outings of one file
            src = part.metadata.get("source")
            try:
                found.append(_from_activity(part, w))
            except EmptyActivity as exc:
                errors.append(exc)
        if not found:
            raise errors[0]
        mss = max(found)
    if cs_mps is not None:
        cs = _finite_positive(cs_mps, "cs_mps")
        if mss < MIN_SPRINT_RATIO * cs:
            raise InvalidValue(
                f"no maximal sprint: the best {w:g} s ({mss:.2f} m/s) is only "
                f"{mss / cs:.2f} × critical speed (a sprint is at least {MIN_SPRINT_RATIO:g} ×)",
                None if src is None else str(src),
            )
    return mss


def _sprint_time(distance: np.ndarray, mss: float, tau: float) -> np.ndarray:
    """Time to cover ``distance`` from a standing start, s (mono-exponential model).

    Inverting ``d(t) = MSS·(t − τ·(1 − e^(−t/τ)))`` with the Lambert W function:
    ``t = τ·W₀(−e^(−d/(MSS·τ) − 1)) + d/MSS + τ``.
    """
    arg = -np.exp(-distance / (mss * tau) - 1.0)
    return tau * special.lambertw(arg, 0).real + distance / mss + tau


def mss_from_sprint(
    distance_m: ArrayLike,
    time_s: ArrayLike,
    flying: bool = True,
    *,
    tau_s: float | None = None,
) -> float:
    """Maximal sprint speed from a timed sprint test, m/s.

    Parameters
    ----------
    distance_m, time_s
        The sprint's distance (m) and time (s), or cumulative splits (arrays, increasing) from
        the timing start, e.g. ``[10, 20, 30]`` m in ``[1.9, 3.2, 4.4]`` s.
    flying
        True (default): timing starts with the athlete already at speed (a flying 20–30 m):
        MSS is the fastest mean speed of any split. False: a standing start; the
        mono-exponential model ``v(t) = MSS·(1 − e^(−t/τ))`` (Furusawa, Hill & Parkinson
        1927; the split-time method of Samozino et al. 2016) is fitted to the splits by
        least squares on time — two splits or more fit MSS and τ, a single split uses
        ``tau_s`` (default :data:`SPRINT_TAU_S`).
    tau_s
        Acceleration time constant for a standing start, s; fixes τ instead of fitting it.

    Returns
    -------
    float
        MSS, m/s.

    Raises
    ------
    InvalidValue
        Mismatched or non-increasing splits, non-positive values, a sprint longer than
        :data:`MAX_SPRINT_S`, or a speed above 12.5 m/s.
    """
    try:
        d = np.atleast_1d(np.asarray(distance_m, dtype=float))
        t = np.atleast_1d(np.asarray(time_s, dtype=float))
    except (TypeError, ValueError):
        raise InvalidValue("sprint distances and times must be numbers") from None
    if d.ndim != 1 or d.shape != t.shape or d.size == 0:
        raise InvalidValue(
            f"give as many sprint distances as times ({d.size} distances, {t.size} times)"
        )
    if not (np.all(np.isfinite(d) & (d > 0)) and np.all(np.isfinite(t) & (t > 0))):
        raise InvalidValue("sprint distances and times must be positive numbers")
    if np.any(np.diff(d) <= 0) or np.any(np.diff(t) <= 0):
        raise InvalidValue("sprint splits must be cumulative: distances and times increasing")
    if t[-1] > MAX_SPRINT_S:
        raise InvalidValue(
            f"a {t[-1]:.1f} s run is not a sprint test (at most {MAX_SPRINT_S:g} s): it "
            "measures speed endurance, not maximal sprint speed"
        )
    seg = np.diff(d, prepend=0.0) / np.diff(t, prepend=0.0)
    if np.any(seg > MAX_RUNNING_SPEED_MPS):
        raise InvalidValue(
            f"a split of {seg.max():.2f} m/s is faster than anyone has run "
            f"({MAX_RUNNING_SPEED_MPS:g} m/s)"
        )
    if flying:
        return float(seg.max())
    fixed = tau_s is not None or d.size == 1
    tau = _finite_positive(SPRINT_TAU_S if tau_s is None else tau_s, "tau_s") if fixed else 0.0

    def residuals(p: np.ndarray) -> np.ndarray:
        return _sprint_time(d, p[0], tau if fixed else p[1]) - t

    # MSS is above the mean speed from the start to any split (the athlete accelerated from
    # rest; single segments can be faster through timing noise); the upper bound is loose so
    # that impossible splits are reported below, not clipped. τ between 0.2 and 5 s covers
    # everyone from elite sprinters to walkers.
    v_lo = float(np.max(d / t))
    lower = [v_lo] if fixed else [v_lo, 0.2]
    upper = [3 * MAX_RUNNING_SPEED_MPS] if fixed else [3 * MAX_RUNNING_SPEED_MPS, 5.0]
    x0 = [min(v_lo * 1.2, 2 * MAX_RUNNING_SPEED_MPS)] + ([] if fixed else [SPRINT_TAU_S])
    mss = float(optimize.least_squares(residuals, x0=x0, bounds=(lower, upper)).x[0])
    if mss > MAX_RUNNING_SPEED_MPS:
        raise InvalidValue(
            f"these splits give a sprint speed of {mss:.2f} m/s, faster than anyone has run "
            f"({MAX_RUNNING_SPEED_MPS:g} m/s)"
        )
    return float(mss)


# --------------------------------------------------------------------------- aerobic speed
def mas_from_model(
    cs_mps: ArrayLike,
    d_prime_m: ArrayLike,
    mss_mps: ArrayLike | None = None,
    *,
    duration_s: float = MAS_DURATION_S,
) -> float | np.ndarray:
    """Maximal aerobic speed approximated as the speed the model sustains for ~6 min, m/s.

    ``MAS ≈ v(360 s)`` (:data:`MAS_DURATION_S`: vVO2max is held ~4–8 min, Billat et al. 1994)
    with Morton's 3-parameter model ``CS + D'/(t + D'/(MSS − CS))``
    (:func:`~kicklab.physiology.models.speed_3p`) when MSS is known, else the 2-parameter
    ``CS + D'/t`` (:func:`~kicklab.physiology.models.speed_2p`). It lies between CS and MSS.

    Parameters
    ----------
    cs_mps, d_prime_m
        Critical speed, m/s, and D', m (arrays broadcast).
    mss_mps
        Maximal sprint speed, m/s (> CS), or None / NaN when unknown.
    duration_s
        Duration standing for MAS, s.

    Raises
    ------
    InvalidValue
        Non-positive CS, negative D', MSS not above CS, or a non-positive duration.
    """
    dur = _finite_positive(duration_s, "duration_s")
    if mss_mps is None:
        return _out(speed_2p(dur, cs_mps, d_prime_m))
    mss = np.asarray(mss_mps, dtype=float)
    if np.all(np.isnan(mss)):
        return _out(speed_2p(dur, cs_mps, d_prime_m))
    # NaN entries (unknown MSS) take the 2-parameter speed; the others Morton's
    two = speed_2p(dur, cs_mps, d_prime_m)
    safe = np.where(np.isnan(mss), np.inf, mss)
    three = speed_3p(dur, cs_mps, d_prime_m, safe)
    return _out(np.where(np.isnan(mss), two, three))


# --------------------------------------------------------------------------- reserve
def _pair(mss_mps: ArrayLike, mas_mps: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    try:
        mss = np.asarray(mss_mps, dtype=float)
        mas = np.asarray(mas_mps, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue("mss_mps and mas_mps must be numbers") from None
    if np.any(mss <= 0) or np.any(mas <= 0) or np.any(np.isinf(mss)) or np.any(np.isinf(mas)):
        raise InvalidValue(
            f"speeds must be positive and finite (mss_mps={mss_mps!r}, mas_mps={mas_mps!r})"
        )
    return mss, mas


def asr(mss_mps: ArrayLike, mas_mps: ArrayLike) -> float | np.ndarray:
    """Anaerobic speed reserve ``ASR = MSS − MAS``, m/s (Sandford et al. 2019).

    The speed range above aerobic speed the athlete can call on; NaN in, NaN out.
    """
    mss, mas = _pair(mss_mps, mas_mps)
    return _out(mss - mas)


def srr(mss_mps: ArrayLike, mas_mps: ArrayLike) -> float | np.ndarray:
    """Speed reserve ratio ``SRR = MSS / MAS`` (Sandford et al. 2019, IJSPP 14:501), unitless.

    NaN in, NaN out.
    """
    mss, mas = _pair(mss_mps, mas_mps)
    return _out(mss / mas)


def profile_type(srr_value: ArrayLike) -> str | None | np.ndarray:
    """Sandford et al. (2019) 800 m profile from the speed reserve ratio.

    ============================  ===================  ==================================
    type                          SRR                  runner
    ============================  ===================  ==================================
    ``400–800 type (speed)``      ≥ 1.58               big reserve: a sprinter's finish
    ``800 type``                  1.48–1.57            balanced
    ``800–1500 type (endurance)`` 1.36–1.47            aerobic, moderate reserve
    ``1500+ endurance type``      below 1.36           beyond the published bands
    ============================  ===================  ==================================

    The bands come from 19 elite male 800 and 1500 m runners and end at 1.36; the last type is
    kicklab's extrapolation. Edges are half-way between the published two-decimal bounds
    (:data:`SRR_BANDS`). Recreational runners, whose aerobic speed is low, often come out as
    "speed" types: the label compares an athlete with elite middle-distance runners.

    Parameters
    ----------
    srr_value
        SRR (scalar or array). NaN gives None.

    Returns
    -------
    str or None, or an object array of them for array input.

    Raises
    ------
    InvalidValue
        SRR below 1 (sprint speed below aerobic speed: the inputs are inconsistent).
    """
    try:
        x = np.asarray(srr_value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue(f"srr must be a number, got {srr_value!r}") from None
    if np.any(x < 1.0):
        raise InvalidValue(
            f"a speed reserve ratio below 1 ({np.nanmin(x):.3f}) means sprint speed below "
            "aerobic speed: check MSS and MAS"
        )
    edges = np.asarray([edge for edge, _ in SRR_BANDS])
    names = np.asarray([*PROFILE_TYPES, None], dtype=object)
    # index of the first band whose lower edge the value reaches; NaN → the None slot
    idx = np.where(np.isnan(x), len(SRR_BANDS), np.argmax(x[..., None] >= edges, axis=-1))
    if np.ndim(idx) == 0:
        return names[int(idx)]
    return names[idx]


# --------------------------------------------------------------------------- the profile
_ADVICE: dict[str | None, str] = {
    PROFILE_TYPES[0]: (
        "Big speed reserve: a natural kicker — keep the race slow and together, sit in "
        "contact, and strike in the last 150–200 m."
    ),
    PROFILE_TYPES[1]: (
        "Good speed reserve: dangerous in a tactical race — stay near the front and go with "
        "200–300 m to run; against a purer sprinter, wind it up earlier."
    ),
    PROFILE_TYPES[2]: (
        "Moderate speed reserve: do not leave it to a sprint — keep the pace honest and start "
        "the long drive 300–400 m out, before the kickers are ready."
    ),
    PROFILE_TYPES[3]: (
        "Small speed reserve: break the kickers with a long surge from 600–800 m out (or a "
        "hard pace from the gun); a slow, bunched race plays into their hands."
    ),
    None: (
        "Sprint speed unknown: add a flat-out sprint (a timed 30 m fly, or a file with one) "
        "to judge the kick."
    ),
}


@dataclass
class KickProfile:
    """What kind of finisher an athlete is: aerobic engine, D', sprint speed and reserve.

    Attributes
    ----------
    cs_mps
        Critical speed, m/s.
    d_prime_m
        D', m.
    mss_mps
        Maximal sprint speed, m/s, or None when unknown.
    mas_mps
        Maximal aerobic speed, m/s (:func:`mas_from_model` unless given).
    asr_mps
        Anaerobic speed reserve MSS − MAS, m/s (None without MSS).
    srr
        Speed reserve ratio MSS / MAS (None without MSS).
    profile_type
        Sandford type (:func:`profile_type`), None without MSS.
    notes
        Caveats in words.
    """

    cs_mps: float
    d_prime_m: float
    mss_mps: float | None
    mas_mps: float
    asr_mps: float | None
    srr: float | None
    profile_type: str | None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_values(
        cls,
        cs_mps: float,
        d_prime_m: float,
        mss_mps: float | None = None,
        mas_mps: float | None = None,
    ) -> KickProfile:
        """Build a profile from CS (m/s), D' (m), and MSS / MAS (m/s) when known.

        MAS defaults to :func:`mas_from_model`; ASR, SRR and the type follow from MSS and
        MAS. Raises :class:`~kicklab.errors.InvalidValue` for impossible values (CS ≤ 0,
        D' < 0, MSS not above CS, MAS not positive).
        """
        cs = _finite_positive(cs_mps, "cs_mps")
        try:
            dp = float(d_prime_m)
        except (TypeError, ValueError):
            raise InvalidValue(f"d_prime_m must be a number, got {d_prime_m!r}") from None
        if not (math.isfinite(dp) and dp >= 0):
            raise InvalidValue(f"d_prime_m must be a finite number >= 0 m, got {d_prime_m!r}")
        mss = _optional(mss_mps)
        if mss is not None and not (cs < mss <= MAX_RUNNING_SPEED_MPS):
            raise InvalidValue(
                f"mss_mps {mss:g} m/s must lie above critical speed ({cs:.2f} m/s) and at most "
                f"{MAX_RUNNING_SPEED_MPS:g} m/s"
            )
        mas_given = _optional(mas_mps)
        mas = (
            float(mas_from_model(cs, dp, mss))
            if mas_given is None
            else _finite_positive(mas_given, "mas_mps")
        )
        notes: list[str] = []
        reserve = ratio = kind = None
        if mss is not None:
            reserve = float(asr(mss, mas))
            ratio = float(srr(mss, mas))
            if ratio < 1.0:
                notes.append(
                    f"sprint speed {mss:.2f} m/s is below aerobic speed {mas:.2f} m/s: "
                    "no profile type"
                )
            else:
                kind = profile_type(ratio)
                if ratio < SRR_BANDS[-2][0]:
                    notes.append(
                        f"SRR {ratio:.2f} lies below Sandford's published bands (1.36–1.58+, "
                        "elite 800–1500 m men): the type is an extrapolation"
                    )
        return cls(cs, dp, mss, mas, reserve, ratio, kind, notes)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``cs_mps``, ``d_prime_m``, ``mss_mps``, ``mas_mps``, ``asr_mps``, ``srr``
        (floats, None when unknown) and ``profile_type`` (str or None)."""

        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        return {
            "cs_mps": num(self.cs_mps),
            "d_prime_m": num(self.d_prime_m),
            "mss_mps": num(self.mss_mps),
            "mas_mps": num(self.mas_mps),
            "asr_mps": num(self.asr_mps),
            "srr": num(self.srr),
            "profile_type": self.profile_type,
        }

    def summary(self) -> str:
        """A few sentences a coach understands: engine, reserve, and how to race it."""
        cs, dp, mas = self.cs_mps, self.d_prime_m, self.mas_mps
        kick_s = 400.0 / (cs + 1.0)  # a final 400 m run 1 m/s above critical speed
        parts = [
            f"Critical speed {cs:.2f} m/s ({_pace(cs)}) with D′ {dp:.0f} m: a last 400 m "
            f"run 1 m/s faster than critical speed ({kick_s:.0f} s) spends {kick_s:.0f} m of "
            f"it. Aerobic speed about {mas:.2f} m/s ({_pace(mas)}, what can be held for "
            f"~{MAS_DURATION_S / 60:.0f} min)."
        ]
        if self.mss_mps is not None and self.asr_mps is not None and self.srr is not None:
            kind = f" — a {self.profile_type}" if self.profile_type else ""
            parts.append(
                f"Sprint speed {self.mss_mps:.2f} m/s: a speed reserve of {self.asr_mps:.2f} m/s "
                f"(ratio {self.srr:.2f}){kind}."
            )
        if self.mss_mps is None:
            parts.append(_ADVICE[None])
        elif self.profile_type is not None:
            parts.append(_ADVICE[self.profile_type])
        parts.extend(n[:1].upper() + n[1:] for n in self.notes)
        return " ".join(p if p.endswith(".") else p + "." for p in parts)
