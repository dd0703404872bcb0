"""Synthetic activities from simulated races: a runner of a :class:`RaceResult` as a watch file.

:func:`activity_from_race` turns one runner of one traced trial of
:func:`kicklab.race.simulate.simulate` into an :class:`~kicklab.activity.Activity` recorded
the way a GPS watch with a foot pod records a race (the conventions of
:func:`kicklab.samples.sample_race`): 1 Hz samples from the gun to the finish line, noisy GPS
positions on the track or route, distance and speed from the simulated path, cadence and step
length, heart rate, one lap per 400 m. The simulated truth (tactic, kick onset, finish time,
place, model parameters) is kept in ``metadata["truth"]``, so the activity is ground truth for
kick detection (:func:`kicklab.kick.analysis.analyze`) and for demos.
:func:`race_to_fit` writes it as a FIT file.

Models
------
Cadence and step length
    ``speed = cadence/60 · step_length`` exactly. At the runner's cruising speed ``v0`` (the
    median speed over the first 60 % of the race) the cadence is ``c0 = 160 + 6·v0`` steps/min
    (as in :func:`~kicklab.samples.sample_race`); away from it ``log(c/c0) = share·log(v/v0)``
    and step length carries the rest of the speed change. By default the cadence share
    depends on the speed reserve ``MSS − CS``:
    ``share = clip(0.6 − 0.1·(MSS − CS − 2 m/s), 0.25, 0.7)``: a runner with a large reserve
    (a sprinter's kick) gains more speed by lengthening the step, one with a small reserve
    leans more on turnover. Cadence wanders by about ±1 step/min (AR(1) noise); step length is
    recomputed from it so that the identity stays exact.
Heart rate
    A first-order response (τ = 30 s, from 95 bpm on the start line) toward
    ``rest + (max − rest)·clip(0.55 + 0.40·v/v0 + 0.05·(1 − D'bal/D'), 0, 1)``: the
    speed term of :func:`~kicklab.samples.sample_race` (95 % of the reserve at cruising speed)
    plus a drift as D' is used up (5 % of the reserve when D' is empty).
Positions
    Track: the lane-1 running line (:func:`kicklab.samples.track_xy`), the finish at the end of
    the home straight. Road: the course's route when it has one
    (:meth:`~kicklab.race.course.Course.route_latlon`, or a ``route_xy(distance_m)`` method
    giving local metres), else a straight line along the track axis ending at the track's
    centre (as :func:`~kicklab.samples.sample_race`). Gaussian GPS noise east and north, in
    metres (a route's positions are moved in its local tangent plane and converted back).
Altitude
    Track: flat at 130 m. Road: the route's altitude profile (``course.route.altitude_m`` on
    ``course.route.distance_m``) when it has one, else 100 m plus the integral of the course
    grade over distance.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.race.course import Course
from kicklab.race.simulate import RaceResult
from kicklab.samples import (
    DEFAULT_RACE_START,
    TRACK_LAP_M,
    latlon_to_local,
    local_to_latlon,
    race_session,
    track_xy,
    utc_start,
)

__all__ = ["activity_from_race", "race_to_fit", "default_cadence_share"]

#: Altitude of a track, m: flat, the value :func:`kicklab.samples.sample_race` uses.
TRACK_ALTITUDE_M = 130.0
#: Altitude of the start of a road course without an altitude profile, m (an arbitrary base;
#: only changes of altitude carry information).
ROAD_BASE_ALTITUDE_M = 100.0
#: Length of an auto lap, m: one lap of a standard track, the default auto-lap of watches.
LAP_M = 400.0
#: Share of the race (from the start) over which the cruising speed ``v0`` is taken, as a
#: median: long enough to ignore the start, short enough to leave out every late move of the
#: built-in tactics (kicks and surges are decided in the last third).
CRUISE_SHARE = 0.6
#: Cadence at cruising speed ``v0`` is ``CADENCE_BASE_SPM + CADENCE_SLOPE_SPM_PER_MPS·v0``,
#: steps/min: ≈ 187 at 4.5 m/s and ≈ 196 at 6 m/s, the relation used by
#: :func:`kicklab.samples.sample_race` (trained runners at 1500 m pace run 180–200 steps/min).
CADENCE_BASE_SPM = 160.0
#: See :data:`CADENCE_BASE_SPM`, steps/min per m/s.
CADENCE_SLOPE_SPM_PER_MPS = 6.0
#: Default cadence share rule ``clip(SHARE_AT_2 − SHARE_SLOPE·(MSS − CS − 2), lo, hi)``: a
#: modelling choice (no published law), with 0.6 for a 2 m/s speed reserve (a distance runner)
#: falling by 0.1 per m/s of extra reserve, kept within 0.25–0.7 (the range of cadence shares
#: reported for runners' sprint accelerations is roughly one third to two thirds).
SHARE_AT_2 = 0.6
#: Slope of the default cadence share rule, per m/s of speed reserve (see :data:`SHARE_AT_2`).
SHARE_SLOPE = 0.1
#: Bounds of the default cadence share (see :data:`SHARE_AT_2`).
SHARE_RANGE = (0.25, 0.7)
#: Standard deviation of the cadence noise, steps/min: the stride-to-stride wander of a foot
#: pod's 1 Hz cadence at steady pace (about ±1 step/min).
CADENCE_NOISE_SPM = 1.0
#: Correlation time of the cadence noise, s: a few strides.
CADENCE_NOISE_TAU_S = 5.0
#: Resting heart rate, bpm (the value of :func:`kicklab.samples.sample_race`).
HR_REST_BPM = 60.0
#: Heart rate on the start line, bpm (pre-race nerves and warm-up; as ``sample_race``).
HR_START_BPM = 95.0
#: Time constant of the heart-rate response to a change of effort, s (the ~30 s on-kinetics
#: of heart rate in moderate exercise; as ``sample_race``).
HR_TAU_S = 30.0
#: Heart-rate target coefficients: ``clip(HR_BASE + HR_SPEED·v/v0 + HR_DRIFT·(1 − D'bal/D'))``
#: of the heart-rate reserve. 0.55 + 0.40 = 95 % of the reserve at cruising speed (as
#: ``sample_race``); the drift adds up to 5 % as D' runs out (the slow component of
#: exhausting efforts).
HR_BASE = 0.55
#: See :data:`HR_BASE`.
HR_SPEED = 0.40
#: See :data:`HR_BASE`.
HR_DRIFT = 0.05
#: Grid step for integrating the road grade into an altitude profile, m (the simulator's
#: course-profile step).
ALTITUDE_STEP_M = 1.0
#: A 1 Hz sample closer to the finish than this is left out (the finish sample replaces it),
#: s: every sample then keeps its own whole-second FIT timestamp (as ``sample_race``).
MIN_FINISH_GAP_S = 0.5

_SOURCE = "activity_from_race"


def _fail(reason: str) -> InvalidValue:
    return InvalidValue(reason, _SOURCE)


def _number(value: Any, name: str, lo: float, hi: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise _fail(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise _fail(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return v


def default_cadence_share(cs_mps: float, mss_mps: float) -> float:
    """Default share of a speed change carried by cadence, from the speed reserve.

    ``clip(0.6 − 0.1·(MSS − CS − 2), 0.25, 0.7)`` with CS and MSS in m/s: runners with a
    large speed reserve gain more by step length (see :data:`SHARE_AT_2`).

    Parameters
    ----------
    cs_mps, mss_mps
        Critical speed and maximal sprint speed, m/s.

    Returns
    -------
    float
        Share in [0.25, 0.7] (dimensionless; ``log(c/c0) = share·log(v/v0)``).
    """
    reserve = float(mss_mps) - float(cs_mps)
    return float(np.clip(SHARE_AT_2 - SHARE_SLOPE * (reserve - 2.0), *SHARE_RANGE))


def _runner_index(result: RaceResult, runner: int | str) -> int:
    names = list(result.runners)
    if isinstance(runner, str):
        if runner not in names:
            raise _fail(f"no runner named {runner!r} in the race (runners: {', '.join(names)})")
        return names.index(runner)
    if isinstance(runner, bool) or not isinstance(runner, int | np.integer):
        raise _fail(f"runner must be an index or a name, got {runner!r}")
    if not 0 <= int(runner) < len(names):
        raise _fail(f"runner index {runner} out of range: the race has {len(names)} runners")
    return int(runner)


def _trace_count(result: RaceResult, trial: int) -> int:
    if isinstance(trial, bool) or not isinstance(trial, int | np.integer) or trial < 0:
        raise _fail(f"trial must be a non-negative integer, got {trial!r}")
    traces = result.traces
    if not traces or "distance_m" not in traces:
        raise _fail(
            "the race result has no traces: simulate with traces=True, trace_trials > trial"
        )
    k = int(traces["distance_m"].shape[1])
    if trial >= k:
        raise _fail(
            f"trial {trial} has no trace (the result traces {k} trial(s)): simulate with "
            f"traces=True, trace_trials > trial"
        )
    return k


def _check_course(result: RaceResult, course: Course) -> None:
    if not isinstance(course, Course):
        raise _fail(f"course must be a Course, got {course!r}")
    simulated = result.settings.get("course") if isinstance(result.settings, dict) else None
    if simulated:
        d = simulated.get("distance_m")
        if d is not None and abs(float(d) - course.distance_m) > 1e-6:
            raise _fail(
                f"the course ({course.distance_m:g} m) is not the simulated one ({float(d):g} m)"
            )
        kind = simulated.get("kind")
        if kind is not None and kind != course.kind:
            raise _fail(f"the course is a {course.kind} course, the race was run on a {kind}")


def _ar1(rng: np.random.Generator, n: int, tau_steps: float, sigma: float) -> np.ndarray:
    """Stationary AR(1) noise of ``n`` steps, correlation time ``tau_steps``, std ``sigma``."""
    phi = math.exp(-1.0 / tau_steps)
    eps = rng.standard_normal(n)
    if n == 0:
        return eps
    eps[0] /= math.sqrt(1.0 - phi * phi)  # stationary start
    return lfilter([sigma * math.sqrt(1.0 - phi * phi)], [1.0, -phi], eps)


def _first_order(target: np.ndarray, start: float, tau_steps: float) -> np.ndarray:
    """``y[k] = a·y[k-1] + (1 − a)·target[k]`` with ``y[0] = start``, ``a = exp(-1/τ)``."""
    a = math.exp(-1.0 / tau_steps)
    out = np.empty_like(target)
    out[0] = start
    if target.size > 1:
        out[1:] = lfilter([1.0 - a], [1.0, -a], target[1:], zi=[a * start])[0]
    return out


def _road_altitude(course: Course, dist: np.ndarray, d_race: float) -> np.ndarray:
    route = getattr(course, "route", None)
    r_alt = getattr(route, "altitude_m", None)
    r_dist = getattr(route, "distance_m", None)
    if r_alt is not None and r_dist is not None:
        r_alt = np.asarray(r_alt, dtype=float)
        r_dist = np.asarray(r_dist, dtype=float)
        ok = np.isfinite(r_alt) & np.isfinite(r_dist)
        if ok.sum() >= 2:
            return np.interp(dist, r_dist[ok], r_alt[ok])
    grid = np.linspace(0.0, d_race, int(math.ceil(d_race / ALTITUDE_STEP_M)) + 1)
    g = course.grade_at(grid)
    rise = np.concatenate(([0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(grid))))
    return ROAD_BASE_ALTITUDE_M + np.interp(dist, grid, rise)


def _positions(
    course: Course, dist: np.ndarray, rng: np.random.Generator, noise_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, longitude (degrees, with GPS noise) and altitude (m) at race distances."""
    d_race = course.distance_m
    n = dist.size
    noise_x = noise_m * rng.standard_normal(n)
    noise_y = noise_m * rng.standard_normal(n)
    if course.kind == "track":
        x, y = track_xy(dist - d_race + TRACK_LAP_M)  # the finish is at s = 0 (mod a lap)
        lat, lon = local_to_latlon(x + noise_x, y + noise_y)
        return lat, lon, np.full(n, TRACK_ALTITUDE_M)
    alt = _road_altitude(course, dist, d_race)
    route_latlon = getattr(course, "route_latlon", None)
    ll = route_latlon(dist) if callable(route_latlon) else None
    if ll is not None:
        lat0, lon0 = (np.asarray(v, dtype=float) for v in ll)
        origin = (float(lat0[0]), float(lon0[0]))
        x, y = latlon_to_local(lat0, lon0, origin_deg=origin)
        lat, lon = local_to_latlon(x + noise_x, y + noise_y, origin_deg=origin)
        return lat, lon, alt
    route_xy = getattr(course, "route_xy", None)
    xy = route_xy(dist) if callable(route_xy) else None
    if xy is not None:
        x, y = (np.asarray(v, dtype=float) for v in xy)
    else:
        x, y = dist - d_race, np.zeros(n)  # straight along the track axis, ending at its centre
    lat, lon = local_to_latlon(x + noise_x, y + noise_y)
    return lat, lon, alt


def _onset_to_go(tactic: dict[str, Any]) -> float | None:
    kick = float(tactic.get("kick_at_m") or 0.0)
    if kick > 0:
        return kick
    if tactic.get("kind") == "long_surge" and tactic.get("surge_at_m") is not None:
        return float(tactic["surge_at_m"])
    return None


def activity_from_race(
    result: RaceResult,
    course: Course,
    runner: int | str,
    *,
    trial: int = 0,
    seed: int | np.random.Generator = 0,
    gps_noise_m: float = 3.0,
    hr_max_bpm: float = 195.0,
    cadence_share: float | None = None,
    start_time: str | _dt.datetime | pd.Timestamp | None = DEFAULT_RACE_START,
    name: str | None = None,
) -> Activity:
    """One simulated runner's race as a recorded activity (1 Hz, GPS, HR, cadence).

    Parameters
    ----------
    result
        A :class:`~kicklab.race.simulate.RaceResult` from ``simulate(..., traces=True,
        trace_trials=k)`` with ``k > trial``.
    course
        The course the race was simulated on (same distance and kind).
    runner
        The runner, by index (column of ``result``) or by name.
    trial
        Which traced trial, 0-based.
    seed
        Seed or :class:`numpy.random.Generator` for the cadence and GPS noise.
    gps_noise_m
        Standard deviation of the GPS position error, m, independently east and north
        (0–100).
    hr_max_bpm
        Maximum heart rate, bpm (80–250).
    cadence_share
        Share of a speed change carried by cadence, in log terms (0–1); default from the
        runner's speed reserve, :func:`default_cadence_share`.
    start_time
        UTC time of the gun (None: records have relative times only).
    name
        Activity name (default: runner, distance, course kind and trial).

    Returns
    -------
    Activity
        Records ``time_s`` (0 = gun, 1 Hz, plus a last sample exactly on the finish line at
        the simulated finish time; a 1 Hz sample less than 0.5 s before it is left out),
        ``distance_m`` (simulated path, m, 0 to the race distance, non-decreasing),
        ``speed_mps`` (simulated speed), ``lat_deg``, ``lon_deg`` (with GPS noise),
        ``altitude_m``, ``heart_rate_bpm`` (whole bpm), ``cadence_spm`` and ``step_length_m``
        (``speed = cadence/60 · step_length`` exactly); one lap per 400 m (trigger
        ``distance``, at the simulator's split times) plus the final partial lap (trigger
        ``session``); one session (sport ``running``, sub-sport ``track`` or ``road``).
        ``metadata["truth"]`` holds ``kick_onset_distance_to_go_m`` (the tactic's
        ``kick_at_m`` if > 0, else a long surge's ``surge_at_m``, else None),
        ``kick_onset_time_s`` (when the runner reached it, s, or None), ``finish_time_s``,
        ``place``, ``runner`` (name), ``trial``, ``cs_mps``, ``d_prime_m``, ``mss_mps``
        (nominal parameters), ``tactic`` (dict) and ``cadence_share``.

    Raises
    ------
    InvalidValue
        No trace for ``trial``, unknown runner, a runner who did not finish, a course that is
        not the simulated one, or a parameter out of range.
    """
    _check_course(result, course)
    _trace_count(result, trial)
    r = _runner_index(result, runner)
    noise_m = _number(gps_noise_m, "gps_noise_m", 0.0, 100.0)
    hr_max = _number(hr_max_bpm, "hr_max_bpm", 80.0, 250.0)
    params = (result.settings.get("runners") or [None] * (r + 1))[r]
    if not isinstance(params, dict):
        raise _fail("the race result lacks the runners' parameters (settings['runners'])")
    cs, dp_nominal, mss = (float(params[k]) for k in ("cs_mps", "d_prime_m", "mss_mps"))
    tactic = dict(params.get("tactic") or {})
    share = (
        default_cadence_share(cs, mss)
        if cadence_share is None
        else _number(cadence_share, "cadence_share", 0.0, 1.0)
    )
    t_finish = float(result.finish_time_s[trial, r])
    if not math.isfinite(t_finish):
        raise _fail(f"runner {result.runners[r]!r} did not finish in trial {trial}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    d_race = course.distance_m

    # --- traces with the gun (t = 0, at rest on the line, D' full) prepended
    tr = result.traces
    assert tr is not None  # checked by _trace_count
    bal_trace = tr["d_balance_m"][:, trial, r]
    d_prime = float(bal_trace[0])  # this trial's D': nothing is used in the first 0.1 s
    t = np.concatenate(([0.0], tr["time_s"]))
    x = np.concatenate(([0.0], np.clip(tr["distance_m"][:, trial, r], 0.0, None)))
    v = np.concatenate(([0.0], tr["speed_mps"][:, trial, r]))
    bal = np.concatenate(([d_prime], bal_trace))

    # --- 1 Hz samples, the last one on the finish line
    ts = np.append(np.arange(math.ceil(t_finish - MIN_FINISH_GAP_S), dtype="float64"), t_finish)
    dist = np.maximum.accumulate(np.clip(np.interp(ts, t, x), 0.0, d_race))
    dist[-1] = d_race
    speed = np.interp(ts, t, v)

    # --- cadence and step length (speed = cadence/60 · step length exactly)
    cruising = speed[dist <= CRUISE_SHARE * d_race]
    v0 = float(np.median(cruising)) if cruising.size else float(np.median(speed))
    if not v0 > 0:
        raise _fail(f"runner {result.runners[r]!r} has no cruising speed in trial {trial}")
    c0 = CADENCE_BASE_SPM + CADENCE_SLOPE_SPM_PER_MPS * v0
    cad_model = c0 * (speed / v0) ** share
    wander = _ar1(rng, ts.size, CADENCE_NOISE_TAU_S, CADENCE_NOISE_SPM)
    moving = cad_model > 0
    cadence = np.where(moving, np.maximum(cad_model + wander, 0.5 * cad_model), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(moving, speed * 60.0 / cadence, 0.0)

    # --- heart rate: first-order response on a 1 Hz grid toward the effort target
    tg = np.arange(math.ceil(t_finish) + 1.0)
    effort = (
        HR_BASE
        + HR_SPEED * np.interp(tg, t, v) / v0
        + HR_DRIFT * (1.0 - np.interp(tg, t, bal) / d_prime)
    )
    target = HR_REST_BPM + (hr_max - HR_REST_BPM) * np.clip(effort, 0.0, 1.0)
    hr = np.round(np.interp(ts, tg, _first_order(target, HR_START_BPM, HR_TAU_S)))

    lat, lon, alt = _positions(course, dist, rng, noise_m)
    records = pd.DataFrame(
        {
            "time_s": ts,
            "distance_m": dist,
            "speed_mps": speed,
            "lat_deg": lat,
            "lon_deg": lon,
            "altitude_m": alt,
            "heart_rate_bpm": hr,
            "cadence_spm": cadence,
            "step_length_m": step,
        }
    )

    # --- auto laps every 400 m at the simulator's split times, then the final partial lap
    marks = np.append(np.arange(LAP_M, d_race - 1e-9, LAP_M), d_race)
    lap_end = np.interp(marks, x, t)  # x is non-decreasing; ends on the finish time
    lap_end[-1] = t_finish
    sim_marks = np.asarray(result.split_distances_m, dtype=float)
    sim_t = np.asarray(result.split_times_s[trial, r], dtype=float)
    if (
        sim_marks.shape == marks.shape
        and np.allclose(sim_marks, marks)
        and np.isfinite(sim_t).all()
    ):
        lap_end = sim_t.copy()
    lap_start = np.concatenate(([0.0], lap_end[:-1]))
    elapsed = lap_end - lap_start
    lap_d = np.diff(np.concatenate(([0.0], marks)))
    laps = pd.DataFrame(
        {
            "start_time_s": lap_start,
            "end_time_s": lap_end,
            "elapsed_s": elapsed,
            "timer_s": elapsed,
            "distance_m": lap_d,
            "avg_speed_mps": lap_d / elapsed,
            "trigger": ["distance"] * (marks.size - 1) + ["session"],
        }
    )
    sub_sport = "track" if course.kind == "track" else "road"
    sessions = race_session(sub_sport, t_finish, d_race)
    start = utc_start(start_time)
    onset = _onset_to_go(tactic)
    onset_time = None
    if onset is not None:
        onset_time = float(np.interp(d_race - onset, x, t)) if onset < d_race else 0.0
    runner_name = result.runners[r]
    metadata = {
        "format": "synthetic",
        "source": "kicklab-simulate",
        "sport": "running",
        "sub_sport": sub_sport,
        "start_time": start,
        "device": {"manufacturer": "kicklab", "product": "simulate"},
        "name": name
        if name is not None
        else f"{runner_name}: simulated {d_race:g} m {course.kind} race (trial {trial})",
        "truth": {
            "kick_onset_distance_to_go_m": onset,
            "kick_onset_time_s": onset_time,
            "finish_time_s": t_finish,
            "place": int(result.place[trial, r]),
            "runner": runner_name,
            "trial": int(trial),
            "cs_mps": cs,
            "d_prime_m": dp_nominal,
            "mss_mps": mss,
            "tactic": tactic,
            "cadence_share": share,
        },
    }
    return Activity(records, laps, sessions, None, metadata)


def race_to_fit(
    result: RaceResult,
    course: Course,
    runner: int | str,
    path: str | os.PathLike[str],
    **kw: Any,
) -> Activity:
    """Write one simulated runner's race as a FIT activity file.

    :func:`activity_from_race` (``**kw`` are its keyword arguments) followed by
    :func:`kicklab.io.fitwrite.write_fit`.

    Parameters
    ----------
    result, course, runner
        See :func:`activity_from_race`.
    path
        FIT file to write (created or overwritten).

    Returns
    -------
    Activity
        The activity that was written (with its ``metadata["truth"]``, which the FIT file
        does not hold).
    """
    from kicklab.io.fitwrite import write_fit

    activity = activity_from_race(result, course, runner, **kw)
    write_fit(activity, path)
    return activity
