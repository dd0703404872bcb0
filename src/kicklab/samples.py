"""Built-in sample activities with a known truth, for demos, tutorials and tests.

:func:`sample_race` synthesises a track race with a finishing kick whose onset, size and
finish time are known exactly (``metadata["truth"]``), recorded the way a GPS watch with a
foot pod would record it: 1 Hz samples, noisy GPS positions, distance and speed from the true
path, cadence and step length, heart rate.

Track geometry
--------------
A standard 400 m track (World Athletics): two straights of 84.39 m and two semicircular bends
whose lane-1 running line lies 0.30 m outside the 36.50 m kerb, i.e. has a radius of 36.80 m,
so that one lap of lane 1 is 2 × 84.39 + 2π × 36.80 = 400.001 m. Races are run anticlockwise
and finish at the end of the home straight; a race of ``distance_m`` starts ``distance_m``
before the finish along lane 1 (a 1500 m starts at the 100 m mark, 300 m before the usual
start/finish line). Positions are placed near Hayward Field (Eugene, Oregon) with a local
tangent-plane (equirectangular) conversion, only so that they look like real coordinates; the
geometry is idealised and is not a survey of that stadium.
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np
import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.geo import EARTH_RADIUS_M

__all__ = [
    "TRACK_STRAIGHT_M",
    "TRACK_LANE1_RADIUS_M",
    "TRACK_LAP_M",
    "TRACK_ORIGIN_DEG",
    "TRACK_AXIS_BEARING_DEG",
    "DEFAULT_RACE_START",
    "sample_race",
    "track_xy",
    "local_to_latlon",
    "latlon_to_local",
    "race_session",
    "utc_start",
]

#: Length of each straight of a standard track, m.
TRACK_STRAIGHT_M = 84.39
#: Radius of the lane-1 running line in the bends (36.50 m kerb + 0.30 m), m.
TRACK_LANE1_RADIUS_M = 36.80
#: Length of one lap of lane 1 along its running line, m (400.001).
TRACK_LAP_M = 2 * TRACK_STRAIGHT_M + 2 * math.pi * TRACK_LANE1_RADIUS_M
#: Latitude and longitude (degrees) of the centre of the sample track (near Hayward Field).
TRACK_ORIGIN_DEG = (44.04236, -123.07073)
#: Compass bearing of the home straight's running direction, degrees clockwise from north.
TRACK_AXIS_BEARING_DEG = 0.0
#: Start time of sample races unless given (UTC).
DEFAULT_RACE_START = pd.Timestamp("2024-06-15T19:30:00Z")

_ALTITUDE_M = 130.0  # flat track
_DT_S = 0.02  # integration step of the speed profile, s
_MAX_STEPS = 2_000_000  # at most this many integration steps (longer races use a longer step)
_ACCEL_TAU_S = 1.2  # time constant of the acceleration from the start, s
_HR_START_BPM = 95.0  # heart rate on the start line
_HR_REST_BPM = 60.0
_HR_TAU_S = 30.0  # time constant of the heart-rate response, s


def track_xy(s_m: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Position on the lane-1 running line at ``s_m`` metres after the finish line.

    Parameters
    ----------
    s_m
        Distance along lane 1 in the running (anticlockwise) direction from the finish line,
        m; any real value (taken modulo :data:`TRACK_LAP_M`).

    Returns
    -------
    x_m, y_m
        Coordinates in the track frame, m: origin at the centre of the track, ``x`` along the
        home straight's running direction, ``y`` to the runner's left there; the home straight
        lies at ``y = -R`` and the finish line at ``(84.39 / 2, -R)``.
    """
    s = np.mod(np.asarray(s_m, dtype="float64"), TRACK_LAP_M)
    half, r = TRACK_STRAIGHT_M / 2, TRACK_LANE1_RADIUS_M
    bend = math.pi * r
    seg1 = s < bend  # first bend, around (+half, 0)
    seg2 = (s >= bend) & (s < bend + TRACK_STRAIGHT_M)  # back straight
    seg3 = (s >= bend + TRACK_STRAIGHT_M) & (s < 2 * bend + TRACK_STRAIGHT_M)  # second bend
    phi1 = -math.pi / 2 + s / r
    phi3 = math.pi / 2 + (s - bend - TRACK_STRAIGHT_M) / r
    x = np.select(
        [seg1, seg2, seg3],
        [half + r * np.cos(phi1), half - (s - bend), -half + r * np.cos(phi3)],
        -half + (s - 2 * bend - TRACK_STRAIGHT_M),
    )
    y = np.select([seg1, seg2, seg3], [r * np.sin(phi1), np.full_like(s, r), r * np.sin(phi3)], -r)
    return x, y


def local_to_latlon(
    x_m: np.ndarray, y_m: np.ndarray, origin_deg: tuple[float, float] = TRACK_ORIGIN_DEG
) -> tuple[np.ndarray, np.ndarray]:
    """Track-frame coordinates (m, see :func:`track_xy`) to latitude and longitude, degrees.

    The frame is rotated to :data:`TRACK_AXIS_BEARING_DEG` and placed at ``origin_deg`` with an
    equirectangular (local tangent-plane) projection, accurate to millimetres over a stadium.
    """
    beta = math.radians(TRACK_AXIS_BEARING_DEG)
    x, y = np.asarray(x_m, dtype="float64"), np.asarray(y_m, dtype="float64")
    east = x * math.sin(beta) - y * math.cos(beta)
    north = x * math.cos(beta) + y * math.sin(beta)
    lat0, lon0 = origin_deg
    lat = lat0 + np.degrees(north / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    return lat, lon


def latlon_to_local(
    lat_deg: np.ndarray, lon_deg: np.ndarray, origin_deg: tuple[float, float] = TRACK_ORIGIN_DEG
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`local_to_latlon`: degrees to track-frame ``x, y`` in m."""
    beta = math.radians(TRACK_AXIS_BEARING_DEG)
    lat0, lon0 = origin_deg
    north = np.radians(np.asarray(lat_deg, dtype="float64") - lat0) * EARTH_RADIUS_M
    east = (
        np.radians(np.asarray(lon_deg, dtype="float64") - lon0)
        * EARTH_RADIUS_M
        * math.cos(math.radians(lat0))
    )
    x = east * math.sin(beta) + north * math.cos(beta)
    y = -east * math.cos(beta) + north * math.sin(beta)
    return x, y


def _ar1(rng: np.random.Generator, n: int, tau_steps: float, sigma: float) -> np.ndarray:
    """A stationary AR(1) series of ``n`` steps, correlation time ``tau_steps``, std ``sigma``."""
    if sigma == 0 or n == 0:
        return np.zeros(n)
    phi = math.exp(-1.0 / tau_steps)
    innov = math.sqrt(1 - phi * phi)
    eps = rng.standard_normal(n)
    eps[0] /= innov  # stationary start: e[0] ~ N(0, sigma)
    # e[k] = phi e[k-1] + sigma*innov*eps[k]  ==  eps convolved with phi**m; phi**m < 1e-12 is cut
    kernel = phi ** np.arange(min(n, math.ceil(28 * tau_steps) + 1))
    return sigma * innov * np.convolve(eps, kernel)[:n]


def _first_order(target: np.ndarray, start: float, tau_steps: float) -> np.ndarray:
    """Exact discrete first-order response ``y[k] = a y[k-1] + (1-a) target[k]``, y[0] = start."""
    a = math.exp(-1.0 / tau_steps)
    n = target.size
    k = np.arange(n)
    kernel = a ** np.arange(min(n, math.ceil(28 * tau_steps) + 1))  # a**m < 1e-12 is cut
    forced = np.zeros(n)
    if n > 1:
        forced[1:] = (1 - a) * np.convolve(target[1:], kernel)[: n - 1]
    return start * a**k + forced


def _cumtrapz(v: np.ndarray, dt: float) -> np.ndarray:
    out = np.empty_like(v)
    out[0] = 0.0
    np.cumsum((v[1:] + v[:-1]) * (dt / 2), out=out[1:])
    return out


def race_session(sub_sport: str, finish_time_s: float, distance_m: float) -> pd.DataFrame:
    """The one session row of a synthetic race run without a stop: sport running, the given
    sub-sport, from the gun (0 s) to ``finish_time_s`` (s) over ``distance_m`` (m)."""
    return pd.DataFrame(
        {
            "sport": ["running"],
            "sub_sport": [sub_sport],
            "start_time_s": [0.0],
            "end_time_s": [finish_time_s],
            "elapsed_s": [finish_time_s],
            "timer_s": [finish_time_s],
            "distance_m": [distance_m],
        }
    )


def utc_start(start_time: str | _dt.datetime | pd.Timestamp | None) -> pd.Timestamp | None:
    """A gun time as a UTC timestamp (a naive time is taken as UTC), or None."""
    if start_time is None:
        return None
    start = pd.Timestamp(start_time)
    return start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise InvalidValue(reason, "sample_race")


def sample_race(
    distance_m: float = 1500.0,
    *,
    pace_mps: float | None = None,
    kick_distance_to_go_m: float = 250.0,
    kick_gain: float = 0.12,
    kick_ramp_s: float = 6.0,
    cadence_share: float = 0.4,
    end_fade: float = 0.03,
    end_fade_m: float = 40.0,
    pace_noise: float = 0.015,
    pace_noise_tau_s: float = 20.0,
    hr_max_bpm: float = 195.0,
    seed: int | np.random.Generator = 0,
    gps_noise_m: float = 3.0,
    track: bool = True,
    start_time: str | _dt.datetime | pd.Timestamp | None = DEFAULT_RACE_START,
) -> Activity:
    """A synthetic race with a finishing kick, recorded at 1 Hz.

    The runner starts from rest (acceleration time constant 1.2 s), holds an even pace with
    small smooth fluctuations, kicks when ``kick_distance_to_go_m`` remain — speed rises by
    ``kick_gain`` along a smooth step lasting ``kick_ramp_s`` and is held — and fades slightly
    over the last metres. The athlete covers exactly ``distance_m`` along lane 1 and stops on
    the finish line.

    Parameters
    ----------
    distance_m
        Race distance, m (0 < distance ≤ 100 km).
    pace_mps
        Even race pace, m/s. Default: 4.5 m/s at 1500 m scaled with Riegel's exponent
        (speed ∝ distance^-0.07), a good club runner.
    kick_distance_to_go_m
        Distance before the finish where the kick starts, m (0 = no kick; < ``distance_m``).
    kick_gain
        Relative speed increase of the kick (0.12 = 12 % faster than the pace just before).
    kick_ramp_s
        Duration of the smooth (cubic) rise of speed at the kick, s.
    cadence_share
        Share of any speed change carried by cadence, in log terms; step length carries the
        rest: ``log(c/c0) = share·log(v/v0)``, ``log(L/L0) = (1-share)·log(v/v0)``, where
        the cadence at race pace ``c0`` is 160 + 6·pace steps/min (≈ 187 at 4.5 m/s).
    end_fade
        Relative speed lost, linearly, over the last ``end_fade_m`` metres (at most half of
        the kick distance) — the runner tying up.
    end_fade_m
        Length of the fade, m.
    pace_noise
        Standard deviation of the relative pace fluctuation (AR(1) process).
    pace_noise_tau_s
        Correlation time of the pace fluctuation, s.
    hr_max_bpm
        Maximum heart rate, bpm; heart rate follows a first-order response (τ = 30 s) toward
        a target that rises with speed (95 % of the reserve at race pace).
    seed
        Seed or :class:`numpy.random.Generator` for the pace fluctuation and the GPS noise.
    gps_noise_m
        Standard deviation of the GPS position error, m, independently east and north.
    track
        True: laps of a 400 m track (sub-sport ``track``). False: a straight road along the
        track axis ending at the track's centre (sub-sport ``road``).
    start_time
        UTC time of the gun (None: records have relative times only).

    Returns
    -------
    Activity
        Records ``time_s`` (0 = gun, 1 Hz, plus a last sample exactly at the finish; a 1 Hz
        sample less than 0.5 s before the finish is left out, so every sample keeps its own
        whole-second FIT timestamp), ``distance_m`` (true path, m), ``speed_mps`` (true speed), ``lat_deg``,
        ``lon_deg`` (with GPS noise), ``altitude_m``, ``heart_rate_bpm`` (whole bpm),
        ``cadence_spm`` and ``step_length_m`` (``speed = cadence/60 · step_length`` exactly);
        one lap per 400 m (trigger ``distance``) plus the final partial lap (trigger
        ``session``); one session. ``metadata["truth"]`` holds ``kick_onset_distance_to_go_m``,
        ``kick_onset_time_s``, ``kick_gain``, ``finish_time_s``, ``pace_mps``,
        ``cadence_share``, ``kick_ramp_s``.

    Raises
    ------
    InvalidValue
        A parameter outside its meaningful range.
    """
    d_race = float(distance_m)
    _check(0 < d_race <= 100_000, f"distance_m must be in (0, 100000] m, got {distance_m}")
    pace = 4.5 * (1500.0 / d_race) ** 0.07 if pace_mps is None else float(pace_mps)
    _check(0.5 <= pace <= 12.0, f"pace_mps must be in [0.5, 12] m/s, got {pace}")
    dtg = float(kick_distance_to_go_m)
    _check(0 <= dtg < d_race, "kick_distance_to_go_m must be in [0, distance_m)")
    _check(-0.5 < kick_gain <= 1.0, f"kick_gain must be in (-0.5, 1], got {kick_gain}")
    _check(kick_ramp_s > 0, "kick_ramp_s must be positive")
    _check(0 <= cadence_share <= 1, "cadence_share must be in [0, 1]")
    _check(0 <= end_fade < 0.5 and end_fade_m >= 0, "end_fade must be in [0, 0.5), end_fade_m >= 0")
    _check(0 <= pace_noise < 0.2 and pace_noise_tau_s > 0, "pace_noise must be in [0, 0.2)")
    _check(80 <= hr_max_bpm <= 250, "hr_max_bpm must be in [80, 250]")
    _check(0 <= gps_noise_m <= 100, "gps_noise_m must be in [0, 100] m")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    # --- speed profile on a fine time grid (vectorised; the horizon covers any valid input)
    horizon = 2.5 * d_race / pace + 60.0
    dt = max(_DT_S, horizon / _MAX_STEPS)  # bounds memory for very long or slow races
    t = np.arange(0.0, horizon, dt)
    t1 = np.arange(math.ceil(horizon) + 1.0)
    noise = np.interp(t, t1, _ar1(rng, t1.size, pace_noise_tau_s, pace_noise))
    v_base = pace * (1.0 + noise) * -np.expm1(-t / _ACCEL_TAU_S)
    d_base = _cumtrapz(v_base, dt)
    t_onset = float(np.interp(d_race - dtg, d_base, t))
    u = np.clip((t - t_onset) / kick_ramp_s, 0.0, 1.0)
    v_kick = v_base * (1.0 + kick_gain * u * u * (3.0 - 2.0 * u))
    fade_m = min(float(end_fade_m), dtg / 2)
    if fade_m > 1e-3 and end_fade > 0:  # a fade shorter than 1 mm is no fade
        d_kick = _cumtrapz(v_kick, dt)
        v = v_kick * (1.0 - end_fade * np.clip((d_kick - (d_race - fade_m)) / fade_m, 0.0, 1.0))
    else:
        v = v_kick
    d = _cumtrapz(v, dt)
    _check(bool(d[-1] >= d_race), "parameters leave the race unfinished")
    t_finish = float(np.interp(d_race, d, t))
    t_onset = min(t_onset, t_finish)

    # --- 1 Hz samples, the last one on the finish line
    ts = np.append(np.arange(math.ceil(t_finish - 0.5), dtype="float64"), t_finish)
    speed = np.interp(ts, t, v)
    dist = np.interp(ts, t, d)
    dist[-1] = d_race

    share = float(cadence_share)
    cadence_at_pace = 160.0 + 6.0 * pace  # steps/min; ~187 at 4.5 m/s
    ratio = speed / pace
    cadence = cadence_at_pace * ratio**share
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(cadence > 0, speed * 60.0 / cadence, 0.0)

    tg = np.arange(math.ceil(t_finish) + 1.0)
    target = _HR_REST_BPM + (hr_max_bpm - _HR_REST_BPM) * np.clip(
        0.55 + 0.40 * np.interp(tg, t, v) / pace, 0.0, 1.0
    )
    hr = np.round(np.interp(ts, tg, _first_order(target, _HR_START_BPM, _HR_TAU_S)))

    if track:
        x, y = track_xy(dist - d_race + TRACK_LAP_M)  # the finish is at s = 0 (mod a lap)
    else:
        x, y = dist - d_race, np.zeros_like(dist)
    if gps_noise_m > 0:
        x = x + gps_noise_m * rng.standard_normal(ts.size)
        y = y + gps_noise_m * rng.standard_normal(ts.size)
    lat, lon = local_to_latlon(x, y)

    records = pd.DataFrame(
        {
            "time_s": ts,
            "distance_m": dist,
            "speed_mps": speed,
            "lat_deg": lat,
            "lon_deg": lon,
            "altitude_m": np.full(ts.size, _ALTITUDE_M),
            "heart_rate_bpm": hr,
            "cadence_spm": cadence,
            "step_length_m": step,
        }
    )

    # --- auto laps every 400 m, then the final partial lap
    lap_m = 400.0
    marks = np.append(np.arange(0.0, d_race, lap_m), d_race)
    lap_t = np.interp(marks, d, t)
    lap_t[0], lap_t[-1] = 0.0, t_finish
    elapsed = np.diff(lap_t)
    triggers = ["distance"] * (marks.size - 2) + ["session"]
    laps = pd.DataFrame(
        {
            "start_time_s": lap_t[:-1],
            "end_time_s": lap_t[1:],
            "elapsed_s": elapsed,
            "timer_s": elapsed,
            "distance_m": np.diff(marks),
            "avg_speed_mps": np.diff(marks) / elapsed,
            "trigger": triggers,
        }
    )
    sub_sport = "track" if track else "road"
    sessions = race_session(sub_sport, t_finish, d_race)
    start = utc_start(start_time)
    seed_label = "generator" if isinstance(seed, np.random.Generator) else seed
    metadata = {
        "format": "synthetic",
        "source": "kicklab-sample",
        "sport": "running",
        "sub_sport": sub_sport,
        "start_time": start,
        "device": {"manufacturer": "kicklab", "product": "sample_race"},
        "name": f"Sample {d_race:g} m race (seed {seed_label})",
        "truth": {
            "kick_onset_distance_to_go_m": dtg,
            "kick_onset_time_s": t_onset,
            "kick_gain": float(kick_gain),
            "finish_time_s": t_finish,
            "pace_mps": pace,
            "cadence_share": share,
            "kick_ramp_s": float(kick_ramp_s),
        },
    }
    return Activity(records, laps, sessions, None, metadata)
