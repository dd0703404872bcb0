"""Best efforts: from ``distance:time`` strings and from the mean-maximal speed of activities.

Critical speed and D' are fitted to *maximal* efforts — the fastest the athlete could run for
each duration. kicklab takes them from two places:

* a string of best efforts, ``"1500:3:26.00,mile:3:43.13,3000:7:20.67,5k:12:35.36"``
  (:func:`parse_efforts`);
* activity files: the mean-maximal speed curve — the best mean speed over every window of a
  given duration (:func:`mean_max_speed`), grade-adjusted on hills, the best over many files
  (:func:`best_efforts`), and from it the efforts worth fitting (:func:`efforts_for_fit`).

Mean-maximal speed
    For each duration ``T`` and each start sample ``i`` the window ``[t_i, t_i + T]`` covers a
    distance ``D(t_i + T) − D(t_i)`` of the cumulative distance ``D``; the best window is found
    with one vectorised pass per duration (``searchsorted`` and ``interp`` on cumulative sums;
    no loop over samples). A window is *invalid* when it touches a pause (timer stop,
    recording gap, standstill — the activity's ``pauses``) or a step without distance or speed:
    the athlete was not running throughout, and a distance that jumps across a gap is not
    running speed. A window faster than anyone has run for that duration
    (:data:`RECORD_ENVELOPE`), or whose steps would be longer than a human's
    (:data:`MAX_STEP_LENGTH_M`, where cadence is recorded), is a GPS error, a bike or a car,
    and is invalid too.

Grade adjustment
    On hills a window's distance is scaled by the energy cost of running on its *mean* grade
    (rise over run of the whole window, from the cleaned ``grade``), ``C(ī)/C(0)`` (Minetti et
    al. 2002, :func:`kicklab.signal.minetti_cost`): 1 km at an average 10 % up counts as
    ~1.66 km on the flat. A grade-adjusted effort is the flat-ground effort of the same
    metabolic cost, which is what the critical-speed model describes. The window's mean grade
    is used rather than each second's: recorded altitude (GPS altitude above all) is noisy, and
    the convex cost curve turns noise that averages to zero into extra "cost" — summed per
    second it credited a 3.5 m/s run on noisy altitude in a shared file with 7.7 m/s over
    2 min. The price is that the extra cost of rolling terrain (up and down within one window)
    is not credited: hilly efforts are slightly under-credited, the safe side for a
    critical-speed fit. Windows shorter than :data:`GRADE_MIN_S` are not adjusted (sprints are
    not limited by metabolic cost, and their few metres of altitude are mostly noise).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import EmptyActivity, InvalidValue, KicklabError
from kicklab.io.splits import MAX_SPLITS, MIN_SPLIT_SPEED, read_pairs
from kicklab.physiology.models import speed_3p
from kicklab.signal import MAX_GRADE, MAX_RUNNING_SPEED_MPS, STOP_SPEED_MPS, clean, minetti_cost

__all__ = [
    "parse_efforts",
    "mean_max_speed",
    "best_efforts",
    "efforts_for_fit",
    "DEFAULT_DURATIONS_S",
    "FIT_DURATIONS_S",
    "FIT_RANGE_S",
    "RECORD_ENVELOPE",
    "GRADE_MIN_S",
    "MAX_STEP_LENGTH_M",
    "MIN_RUNNING_CADENCE_SPM",
    "RUNNING_SPORTS",
    "BLOCK_GAP_S",
    "MIN_RUN_MEDIAN_MPS",
    "MAX_EFFORTS",
]

#: Durations of the default mean-maximal curve, s: 1 s to 4 h, roughly log-spaced (about four
#: per decade, more between 2 and 20 min where critical speed is fitted). Durations longer than
#: the activity are left out of the default curve.
DEFAULT_DURATIONS_S: tuple[float, ...] = (
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300, 420, 600,
    720, 900, 1200, 1500, 1800, 2700, 3600, 5400, 7200, 10800, 14400,
)  # fmt: skip
#: Durations :func:`best_efforts` looks for by default, s: 2, 3, 5, 7, 10, 15 and 20 min,
#: spread over the range that identifies critical speed and D' (:data:`FIT_RANGE_S`).
FIT_DURATIONS_S: tuple[float, ...] = (120, 180, 300, 420, 600, 900, 1200)
#: Efforts used for the critical-speed fit, s: ~2 to ~20 min. Below ~2 min the 2-parameter
#: hyperbola overestimates speed (it has no ceiling at sprint speed: D' cannot be spent
#: arbitrarily fast); beyond ~15–20 min speed drifts below it (glycogen, heat), pulling CS
#: down (Jones & Vanhatalo 2017, Sports Med 47:65: efforts of 2–15 min; Smyth &
#: Muniz-Pumares 2020, MSSE 52:2637: best efforts from 400 m to 5000 m).
FIT_RANGE_S: tuple[float, float] = (120.0, 1200.0)
#: Upper envelope of human running speed over a duration, as Morton 3-parameter parameters
#: (CS m/s, D' m, MSS m/s). It lies at least 5 % above every men's outdoor world record
#: from 100 m (9.58 s) to the marathon (2:00:35) — e.g. 7.0 m/s for 12:35 (5000 m record
#: 6.62 m/s), 6.47 m/s for 2 h (marathon record 5.83 m/s) — and never above
#: :data:`kicklab.signal.MAX_RUNNING_SPEED_MPS`. A window faster than this is not running.
RECORD_ENVELOPE: tuple[float, float, float] = (6.4, 500.0, MAX_RUNNING_SPEED_MPS)
#: Shortest window that is grade-adjusted, s. Minetti's costs are steady-state metabolic
#: costs, which is what limits efforts of minutes, not a sprint of seconds (limited by how
#: fast the legs can push); and over a few seconds (10–20 m) one metre of altitude noise is
#: a grade of 5–10 %. From one minute on (≥ ~200 m) that noise is below ~1 % of grade.
GRADE_MIN_S: float = 60.0
#: Longest plausible mean step length, m. Sprinters' steps at top speed are ~2.3–2.7 m
#: (Usain Bolt's ~2.7–2.8 m is the longest measured); the margin allows for a watch's
#: cadence lagging a sprint by a few seconds. Longer "steps" mean the speed is a GPS artefact.
MAX_STEP_LENGTH_M: float = 3.5
#: Cadence below this is a missing sensor, not running, steps/min: walking is ~100–120 and
#: running ~150–200 steps/min; devices without a footpod often record 0.
MIN_RUNNING_CADENCE_SPM: float = 100.0
#: Sports whose files give running efforts. ``None`` (GPX and other files that do not say)
#: is accepted when the file moves at running pace (:data:`MIN_RUN_MEDIAN_MPS`); the record
#: envelope still rejects anything faster than running.
RUNNING_SPORTS: frozenset[str | None] = frozenset(
    {None, "running", "trail_running", "track_running", "treadmill_running"}
)
#: Median moving speed below which a file that does not name its sport is taken for a walk or
#: hike and skipped, m/s: people switch from walking to running near 2 m/s (Hreljac 1993,
#: MSSE 25:1158: preferred transition speed ~2.1 m/s), so an easy jog is faster.
MIN_RUN_MEDIAN_MPS: float = 2.0
#: A recording gap longer than this splits a file into separate outings before cleaning, s:
#: no effort spans an hour without records, and a file whose clock jumps by days (or that holds
#: several runs) would otherwise be resampled at 1 Hz across the whole span.
BLOCK_GAP_S: float = 3600.0
#: Most efforts accepted in one string (the split parser's bound on its input).
MAX_EFFORTS: int = MAX_SPLITS

_HINT = "expected distance:time pairs such as 1500:3:26.00,mile:3:43.13,5k:12:35.36"
# Aliases runners write that the split-string grammar has no unit for; rewritten to it before
# the shared tokeniser reads the pairs. "5k" is 5 km; the road distances are World Athletics'.
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![\w.])half[\s_-]*marathon(?=\s*:)", re.I), "21097.5m"),
    (re.compile(r"(?<![\w.])marathon(?=\s*:)", re.I), "42195m"),
    (re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*k(?=\s*:)", re.I), r"\1km"),
)
# Distance increments more negative than this are a distance reset, not GPS jitter, m.
_BACKWARDS_M = -0.5
# Float round-off allowance on window end times, s.
_EPS_S = 1e-6


# --------------------------------------------------------------------------- effort strings
def parse_efforts(text: str, *, source: str | None = None) -> pd.DataFrame:
    """Read best efforts from a ``distance:time`` string.

    Parameters
    ----------
    text
        Pairs such as ``"1500:3:26.00,1609.34:3:43.13,mile:3:43.13,3000:7:20.67,5k:12:35.36"``
        separated by commas, semicolons, newlines or spaces; the first colon separates the
        distance from the time. Distances in m with an optional suffix ``m``, ``km``, ``k``
        (``5k``), ``mi``/``mile``/``miles`` (``mile`` alone is 1609.344 m); the words
        ``marathon`` (42195 m) and ``half marathon`` (21097.5 m). Times as seconds, ``m:ss.xx``
        or ``h:mm:ss.xx``. The pair grammar is the one of
        :func:`kicklab.io.parse_splits`; unlike splits, efforts are independent, so they need
        not increase.
    source
        Name used in errors.

    Returns
    -------
    pandas.DataFrame
        ``distance_m`` (m) and ``time_s`` (s), float64, one row per effort in the order given.

    Raises
    ------
    InvalidValue
        Nothing given, an unreadable token (named), a zero distance or time, or an effort whose
        mean speed is below :data:`kicklab.io.splits.MIN_SPLIT_SPEED` or above the record
        envelope for its duration (:data:`RECORD_ENVELOPE`: faster than anyone has run).
    """
    if not isinstance(text, str):
        raise InvalidValue(f"efforts must be text, not {type(text).__name__}", source)
    body = text.lstrip("\ufeff").strip()
    if not body:
        raise InvalidValue("no efforts given", source)
    for pattern, replacement in _ALIASES:
        body = pattern.sub(replacement, body)
    dist, time, labels = read_pairs(
        body, source, limit=MAX_EFFORTS, error=InvalidValue, what="efforts", hint=_HINT
    )
    _check_efforts(dist, time, labels, source)
    return pd.DataFrame({"distance_m": dist.astype("float64"), "time_s": time.astype("float64")})


def _check_efforts(
    dist: np.ndarray, time: np.ndarray, labels: list[str], source: str | None
) -> None:
    """Raise InvalidValue naming the first effort that cannot be a run."""
    bad_time = ~np.isfinite(time) | (time <= 0)
    bad_dist = ~np.isfinite(dist) | (dist <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = dist / time
        limit = _envelope(time)
    too_slow = speed < MIN_SPLIT_SPEED
    too_fast = speed > limit
    for i in range(len(labels)):  # a handful of efforts: report the first bad one in words
        if bad_time[i]:
            why = (
                "must be positive"
                if np.isfinite(time[i])
                else "cannot be read (expected seconds, m:ss.xx or h:mm:ss.xx with seconds "
                "and minutes below 60)"
            )
            raise InvalidValue(f"effort {i + 1} ({labels[i]!r}): the time {why}", source)
        if bad_dist[i]:
            raise InvalidValue(
                f"effort {i + 1} ({labels[i]!r}): the distance must be positive", source
            )
        if too_slow[i] or too_fast[i]:
            bound = (
                f"below the slowest plausible {MIN_SPLIT_SPEED:g} m/s"
                if too_slow[i]
                else f"faster than anyone has run for {time[i]:.1f} s ({limit[i]:.2f} m/s)"
            )
            raise InvalidValue(
                f"effort {i + 1} ({labels[i]!r}): {dist[i]:g} m in {time[i]:.2f} s is "
                f"{speed[i]:.2f} m/s, {bound}",
                source,
            )


def _envelope(duration_s: Any) -> np.ndarray:
    """Fastest plausible mean running speed over ``duration_s``, m/s (:data:`RECORD_ENVELOPE`)."""
    cs, d_prime, mss = RECORD_ENVELOPE
    t = np.asarray(duration_s, dtype=float)
    return np.where(np.isfinite(t) & (t >= 0), speed_3p(np.nan_to_num(t), cs, d_prime, mss), mss)


# --------------------------------------------------------------------------- windows
def _durations(durations_s: Any) -> np.ndarray:
    try:
        d = np.asarray(durations_s, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidValue(f"durations_s must be numbers of seconds, got {durations_s!r}") from None
    if d.size == 0:
        raise InvalidValue("durations_s is empty")
    if not np.all(np.isfinite(d) & (d > 0)):
        raise InvalidValue(f"durations_s must be positive finite seconds, got {durations_s!r}")
    return np.unique(d)


def _pause_steps(t: np.ndarray, pauses: pd.DataFrame) -> np.ndarray:
    """For each step ``t[k] → t[k+1]``: does it overlap a pause ``[start, end)``? (vectorised)"""
    n_steps = t.size - 1
    hit = np.zeros(n_steps, dtype=bool)
    if n_steps <= 0 or pauses is None or len(pauses) == 0:
        return hit
    s = pd.to_numeric(pauses["start_time_s"], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(pauses["end_time_s"], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(s) & np.isfinite(e) & (e > s)
    s, e = s[keep], e[keep]
    # steps k with t[k] < e and t[k+1] > s: from the step containing s to the last starting
    # before e; marked with a difference array (+1 at the first, −1 after the last)
    lo = np.clip(np.searchsorted(t, s, side="right") - 1, 0, n_steps)
    hi = np.clip(np.searchsorted(t, e, side="left") - 1, -1, n_steps - 1)
    ok = hi >= lo
    mark = np.zeros(n_steps + 1, dtype=np.int64)
    np.add.at(mark, lo[ok], 1)
    np.add.at(mark, hi[ok] + 1, -1)
    return np.cumsum(mark)[:-1] > 0


def _best_windows(
    t: np.ndarray,
    increment: np.ndarray,
    invalid: np.ndarray,
    durations: np.ndarray,
    limit: np.ndarray,
    climb: np.ndarray | None = None,
    cadence: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Best mean speed over windows of each duration, and the start time of the best window.

    ``increment[k]`` is the distance of step ``t[k] → t[k+1]`` (m) and ``invalid[k]`` marks a
    step no window may contain; ``limit`` is the fastest plausible speed per duration (m/s).
    With ``climb`` (the rise of each step, m) a window of at least :data:`GRADE_MIN_S` is
    grade-adjusted by its mean grade, ``C(rise/run)/C(0)`` (Minetti 2002). With ``cadence``
    (steps/min of each step, NaN where unknown) a window whose mean step length would exceed
    :data:`MAX_STEP_LENGTH_M` is rejected when its cadence is known throughout. One vectorised
    pass over all start samples per duration. NaN where no valid window exists.
    """
    inc = np.where(invalid, 0.0, increment)
    cum = np.concatenate(([0.0], np.cumsum(inc)))
    bad = np.concatenate(([0], np.cumsum(invalid.astype(np.int64))))
    rise = None
    if climb is not None:
        rise = np.concatenate(([0.0], np.cumsum(np.where(invalid, 0.0, climb))))
    steps_known = None
    if cadence is not None:
        cad = np.where(invalid, np.nan, cadence)
        known = np.isfinite(cad)
        steps_known = np.concatenate(([0.0], np.cumsum(np.where(known, cad, 0.0) * np.diff(t))))
        no_cad = np.concatenate(([0], np.cumsum(~known)))
    speed = np.full(durations.size, np.nan)
    start = np.full(durations.size, np.nan)
    if t.size < 2:
        return speed, start
    for k, dur in enumerate(durations):  # ~30 durations at most; each pass is vectorised
        ends = t + dur
        fits = ends <= t[-1] + _EPS_S
        if not fits.any():
            continue
        i = np.flatnonzero(fits)
        j = np.searchsorted(t, ends[i] - _EPS_S, side="left")  # first sample at or after the end
        j = np.minimum(j, t.size - 1)
        clean_window = (bad[j] - bad[i]) == 0
        d_run = np.interp(ends[i], t, cum) - cum[i]
        d = d_run
        if rise is not None and dur >= GRADE_MIN_S:
            h = np.interp(ends[i], t, rise) - rise[i]
            with np.errstate(divide="ignore", invalid="ignore"):
                g = np.where(d_run > 0, h / d_run, 0.0)
            d = d_run * minetti_cost(np.clip(g, -MAX_GRADE, MAX_GRADE)) / minetti_cost(0.0)
        v = d / dur
        ok = clean_window & (v <= limit[k])
        if steps_known is not None:
            # steps/min × min = steps taken; distance per step must be humanly possible
            n_steps = (np.interp(ends[i], t, steps_known) - steps_known[i]) / 60.0
            with np.errstate(divide="ignore", invalid="ignore"):
                step_m = d_run / n_steps
            checkable = (no_cad[j] - no_cad[i]) == 0
            ok &= ~(checkable & (step_m > MAX_STEP_LENGTH_M))
        if not ok.any():
            continue
        best = int(np.argmax(np.where(ok, v, -np.inf)))
        speed[k] = v[best]
        start[k] = t[i[best]]
    return speed, start


def _step_cadence(rec: pd.DataFrame) -> np.ndarray | None:
    """Cadence of each step ``k → k+1`` (its start sample), steps/min; None without cadence."""
    cad = rec["cadence_spm"].to_numpy(dtype=float)
    cad = np.where(cad >= MIN_RUNNING_CADENCE_SPM, cad, np.nan)
    return cad[:-1] if np.isfinite(cad).any() else None


def _ensure_clean(activity: Activity) -> Activity:
    if not isinstance(activity, Activity):
        raise InvalidValue(f"expected an Activity, got {type(activity).__name__}")
    return activity if "cleaned" in activity.metadata else clean(activity)


def mean_max_speed(
    activity: Activity,
    durations_s: Sequence[float] | np.ndarray | None = None,
    grade_adjusted: bool = True,
) -> pd.DataFrame:
    """The best mean speed the activity holds over each duration (its mean-maximal curve).

    Parameters
    ----------
    activity
        An activity; cleaned by :func:`kicklab.signal.clean` first unless it already is (1 Hz,
        despiked, with ``grade`` and ``pauses``). Use one running session of a multisport file
        (:meth:`~kicklab.activity.Activity.session`).
    durations_s
        Window durations, s. Default :data:`DEFAULT_DURATIONS_S` up to the activity's length.
    grade_adjusted
        Scale each window's distance by ``C(ī)/C(0)`` for its mean grade ``ī`` (Minetti 2002;
        see the module docstring) where a grade exists, so hills count at their flat-ground
        cost (default True). Without a grade nothing changes.

    Returns
    -------
    pandas.DataFrame
        One row per duration, sorted: ``duration_s`` (s), ``speed_mps`` (m/s, the best mean
        speed; NaN when no window of that length is free of pauses and gaps), ``distance_m``
        (m, covered in that window — flat-equivalent when grade-adjusted), ``start_time_s``
        (s from the activity's first record). ``attrs["grade_adjusted"]`` says whether any grade
        was used, ``attrs["source"]`` names the activity.

    Distances come from the ``distance_m`` column step by step (speed × time where it is
    missing; a step where the distance goes back by more than 0.5 m is treated as a gap).
    Windows touching a pause or a step without distance, faster than
    :data:`RECORD_ENVELOPE`, or with steps longer than :data:`MAX_STEP_LENGTH_M` are skipped
    (see the module docstring).

    Raises
    ------
    EmptyActivity
        The activity has neither distance nor speed.
    InvalidValue
        Bad ``durations_s``.
    """
    act = _ensure_clean(activity)
    rec = act.records
    t = rec["time_s"].to_numpy(dtype=float)
    src = act.metadata.get("source")
    dist = rec["distance_m"].to_numpy(dtype=float)
    v = rec["speed_mps"].to_numpy(dtype=float)
    if not (np.isfinite(dist).any() or np.isfinite(v).any()):
        raise EmptyActivity("no distance or speed: best efforts need one", src)
    if durations_s is None:
        span = float(t[-1] - t[0]) if t.size else 0.0
        durations = np.asarray([d for d in DEFAULT_DURATIONS_S if d <= span], dtype=float)
        if durations.size == 0:
            durations = np.asarray(DEFAULT_DURATIONS_S[:1], dtype=float)
    else:
        durations = _durations(durations_s)

    dt = np.diff(t)
    step = np.diff(dist)
    step = np.where(np.isfinite(step), step, v[:-1] * dt)  # speed × time where no distance
    backwards = step < _BACKWARDS_M
    step = np.where(np.isfinite(step), np.maximum(step, 0.0), np.nan)
    invalid = ~np.isfinite(step) | backwards | (dt <= 0) | _pause_steps(t, act.pauses)
    climb = None
    if grade_adjusted:
        grade = rec["grade"].to_numpy(dtype=float)
        step_grade = np.where(np.isfinite(grade[:-1]), grade[:-1], grade[1:])
        if np.isfinite(step_grade).any():
            climb = np.where(np.isfinite(step_grade), step_grade, 0.0) * np.nan_to_num(step)
    speed, start = _best_windows(
        t, step, invalid, durations, _envelope(durations), climb, _step_cadence(rec)
    )
    out = pd.DataFrame(
        {
            "duration_s": durations,
            "speed_mps": speed,
            "distance_m": speed * durations,
            "start_time_s": start,
        }
    )
    out.attrs["grade_adjusted"] = climb is not None
    out.attrs["source"] = src
    return out


# --------------------------------------------------------------------------- many activities
def _label(item: Any, index: int) -> str:
    if isinstance(item, Activity):
        return str(item.metadata.get("source") or f"activity {index + 1}")
    if isinstance(item, str | Path):
        return str(item)
    return f"input {index + 1}"


def _blocks(activity: Activity) -> list[Activity]:
    """The activity split at recording gaps longer than :data:`BLOCK_GAP_S`."""
    t = activity.records["time_s"].to_numpy(dtype=float)
    if t.size < 2:
        return [activity]
    breaks = np.flatnonzero(np.diff(t) > BLOCK_GAP_S)
    if breaks.size == 0:
        return [activity]
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, t.size - 1]
    return [activity.between(float(t[s]), float(t[e])) for s, e in zip(starts, ends, strict=True)]


def _running_parts(item: Any, label: str) -> tuple[list[Activity], list[str]]:
    """Cleaned running parts of one input (path, bytes or Activity) and why others were skipped.

    A multisport file gives its running sessions (each on its own); a file holding several
    outings gives each block between gaps longer than :data:`BLOCK_GAP_S`; other sports are
    skipped with a reason, as is anything that cannot be read or cleaned, and a file that does
    not name its sport when it moves at walking pace (:data:`MIN_RUN_MEDIAN_MPS`).
    """
    skipped: list[str] = []
    try:
        if isinstance(item, Activity):
            act = item
        else:
            from kicklab.io import read

            act = read(item)
        if "cleaned" in act.metadata:
            sessions = [act]
        elif len(act.sessions) > 1:
            sports = act.sessions["sport"].tolist()
            idx = [i for i, s in enumerate(sports) if s in RUNNING_SPORTS and s is not None]
            if not idx:
                listed = ", ".join(str(s) for s in sports)
                return [], [f"{label}: no running session (sessions: {listed})"]
            sessions = [act.session(i) for i in idx]
        else:
            sessions = [act]
    except KicklabError as exc:
        return [], [f"{label}: {exc.reason}"]
    parts: list[Activity] = []
    for ses in sessions:
        if ses.sport not in RUNNING_SPORTS:
            skipped.append(f"{label}: a {ses.sport} activity, not running")
            continue
        blocks = [ses] if "cleaned" in ses.metadata else _blocks(ses)
        for block in blocks:
            try:
                part = _ensure_clean(block)
            except KicklabError as exc:
                skipped.append(f"{label}: {exc.reason}")
                continue
            if part.sport is None:
                v = part.records["speed_mps"].to_numpy(dtype=float)
                moving = v[np.isfinite(v) & (v >= STOP_SPEED_MPS)]
                median = float(np.median(moving)) if moving.size else math.nan
                if not median >= MIN_RUN_MEDIAN_MPS:
                    skipped.append(
                        f"{label}: sport not recorded and the median moving speed "
                        f"({median:.1f} m/s) is a walk, not a run"
                    )
                    continue
            parts.append(part)
    return parts, skipped


def best_efforts(
    activities_or_paths: Iterable[Any] | Activity | str | Path,
    durations_s: Sequence[float] | np.ndarray = FIT_DURATIONS_S,
    *,
    grade_adjusted: bool = True,
) -> pd.DataFrame:
    """The best mean speed over each duration across many activities, with where it came from.

    Parameters
    ----------
    activities_or_paths
        Activities (raw or cleaned) and/or paths or bytes of activity files; one item alone is
        accepted too. Multisport files give their running sessions; other sports, files
        without distance or speed, and unreadable files are skipped with a reason (see
        ``attrs["skipped"]``), never an error.
    durations_s
        Durations, s (default :data:`FIT_DURATIONS_S`: 2–20 min).
    grade_adjusted
        As in :func:`mean_max_speed`.

    Returns
    -------
    pandas.DataFrame
        One row per duration that has a valid effort, sorted by duration: ``duration_s`` and
        ``time_s`` (the same number: the effort's time, s, as the critical-speed fit takes it),
        ``distance_m`` (m, flat-equivalent when grade-adjusted), ``speed_mps`` (m/s),
        ``start_time_s`` (s from the start of its activity), ``source`` (file or activity
        name). ``attrs``: ``skipped`` (list of "source: reason"), ``missing_durations_s``
        (durations no activity could fill), ``n_activities`` (activity parts used).
    """
    items: list[Any]
    if isinstance(activities_or_paths, Activity | str | Path | bytes | bytearray):
        items = [activities_or_paths]
    else:
        try:
            items = list(activities_or_paths)
        except TypeError:
            raise InvalidValue(
                f"best_efforts needs activities or paths, got {type(activities_or_paths).__name__}"
            ) from None
    durations = _durations(durations_s)
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    n_parts = 0
    for index, item in enumerate(items):  # files: a Python loop over inputs, not samples
        label = _label(item, index)
        parts, why = _running_parts(item, label)
        skipped.extend(why)
        for part in parts:
            try:
                mm = mean_max_speed(part, durations, grade_adjusted=grade_adjusted)
            except KicklabError as exc:
                skipped.append(f"{label}: {exc.reason}")
                continue
            n_parts += 1
            frames.append(mm.assign(source=label))
    columns = ["duration_s", "time_s", "distance_m", "speed_mps", "start_time_s", "source"]
    if frames:
        allmm = pd.concat(frames, ignore_index=True).dropna(subset=["speed_mps"])
    else:
        allmm = pd.DataFrame(columns=["duration_s", "speed_mps", "distance_m", "start_time_s"])
    if len(allmm):
        best = allmm.loc[allmm.groupby("duration_s")["speed_mps"].idxmax()]
        best = best.sort_values("duration_s").reset_index(drop=True)
        best["time_s"] = best["duration_s"]
        out = best[columns].astype({c: "float64" for c in columns if c != "source"})
    else:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns[:-1]})
        out["source"] = pd.Series(dtype=object)
    found = set(out["duration_s"].tolist())
    out.attrs["skipped"] = skipped
    out.attrs["missing_durations_s"] = [float(d) for d in durations if float(d) not in found]
    out.attrs["n_activities"] = n_parts
    return out


def efforts_for_fit(
    efforts: pd.DataFrame,
    *,
    min_time_s: float = FIT_RANGE_S[0],
    max_time_s: float = FIT_RANGE_S[1],
) -> pd.DataFrame:
    """The efforts worth fitting critical speed and D' to.

    Keeps efforts lasting ``min_time_s``–``max_time_s`` (default :data:`FIT_RANGE_S`, ~2 to
    ~20 min, as in Jones & Vanhatalo 2017 and Smyth & Muniz-Pumares 2020) and drops the
    *dominated* ones: an effort no faster than a longer effort was not maximal (had the athlete
    gone all out, the shorter duration would have been run faster), so it would bend the fitted
    line down. Mean-maximal efforts from training often are submaximal in this sense.

    Parameters
    ----------
    efforts
        A table with ``distance_m`` (m) and ``time_s`` (s) — e.g. :func:`best_efforts` or
        :func:`parse_efforts` — and any other columns (kept).
    min_time_s, max_time_s
        Duration range kept, s (inclusive).

    Returns
    -------
    pandas.DataFrame
        The kept rows, sorted by ``time_s``, with ``speed_mps`` (m/s) added when missing;
        ``attrs["dropped"]`` lists each dropped effort with its reason (``attrs`` of the input
        are kept).

    Raises
    ------
    InvalidValue
        ``efforts`` lacks the columns, or the range is empty.
    """
    if not isinstance(efforts, pd.DataFrame) or not {"distance_m", "time_s"} <= set(
        efforts.columns
    ):
        raise InvalidValue("efforts must be a table with distance_m and time_s columns")
    lo, hi = float(min_time_s), float(max_time_s)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi):
        raise InvalidValue(f"the effort range {min_time_s!r}–{max_time_s!r} s is empty")
    table = efforts.copy()
    table["distance_m"] = pd.to_numeric(table["distance_m"], errors="coerce").astype(float)
    table["time_s"] = pd.to_numeric(table["time_s"], errors="coerce").astype(float)
    table["speed_mps"] = table["distance_m"] / table["time_s"]
    # fastest first among equal times, so a repeated duration keeps its best effort
    table = table.iloc[np.lexsort((-table["speed_mps"].to_numpy(), table["time_s"].to_numpy()))]
    table = table.reset_index(drop=True)
    t = table["time_s"].to_numpy()
    v = table["speed_mps"].to_numpy()
    dropped: list[str] = []
    usable = np.isfinite(t) & np.isfinite(v) & (t > 0) & (v > 0)
    in_range = usable & (t >= lo) & (t <= hi)
    longer_best = _next_longer_best(t, np.where(in_range, v, -np.inf))
    repeat = in_range & np.r_[False, t[1:] == t[:-1]] & np.r_[False, in_range[:-1]]
    dominated = in_range & ((v <= longer_best) | repeat)
    for i in np.flatnonzero(~in_range | dominated):  # a handful of efforts
        what = f"{t[i]:.0f} s at {v[i]:.2f} m/s" if usable[i] else f"row {i + 1}"
        if not usable[i]:
            why = "no valid distance and time"
        elif not in_range[i]:
            why = f"outside the {lo:.0f}–{hi:.0f} s fitting range"
        elif repeat[i]:
            why = "a faster effort of the same duration is kept"
        else:
            why = f"not maximal: a longer effort was as fast ({longer_best[i]:.2f} m/s)"
        dropped.append(f"{what}: {why}")
    out = table.loc[in_range & ~dominated].reset_index(drop=True)
    out.attrs = dict(efforts.attrs)
    out.attrs["dropped"] = dropped
    return out


def _next_longer_best(t: np.ndarray, v_in: np.ndarray) -> np.ndarray:
    """Best ``v_in`` among efforts strictly longer than each one (t sorted), vectorised."""
    rev_max = np.maximum.accumulate(v_in[::-1])[::-1]  # best from index k on
    first_longer = np.searchsorted(t, t, side="right")
    padded = np.r_[rev_max, -np.inf]
    return padded[first_longer]
