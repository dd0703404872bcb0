"""Find the race inside an activity (warm-up and cool-down are not part of the race).

Rules, in order of precedence (:func:`find_race` says which one it used):

``start_end``
    Explicit start and/or end, as activity time (s, or ``"m:ss"`` / ``"h:mm:ss"`` clock
    strings, or ``"90s"``) or as activity distance (``"800m"``, ``"1.2km"``, ``"1mile"``).
``race_distance``
    The fastest effort of the given distance anywhere in the activity (every start sample is
    tried at once; the end is interpolated on the distance trace).
``lap``
    One manual lap (or one run of consecutive manual laps) stands out as at least 10 % faster
    than the median of the other laps — a race with its warm-up and cool-down lapped off.
    Auto-laps (every km or mile) never count: they cut a race into equal pieces.
``whole_activity``
    Otherwise the whole activity, trimmed of standing before the first movement and of the
    walk or jog after the finish (the last sample still faster than half the median running
    speed ends the race).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from kicklab.activity import Activity
from kicklab.errors import InvalidValue
from kicklab.kick import rules
from kicklab.kick.result import RaceSegment

__all__ = ["find_race", "parse_position", "LAP_SPEED_MARGIN", "FINISH_SPEED_FRACTION"]

#: A manual lap is the race when it is at least this much faster than the median of the other
#: laps: warm-ups and cool-downs are run 20–40 % slower than race pace, while lap-to-lap
#: variation inside a session is a few per cent.
LAP_SPEED_MARGIN: float = 0.10
#: The race ends at the last sample faster than this fraction of the median running speed:
#: walking (1–1.5 m/s) after a race run at ≥ 3 m/s falls below it within a second or two of
#: the line, and no runner in a race drops to half their pace before finishing.
FINISH_SPEED_FRACTION: float = 0.5
#: Speed above which the athlete is moving, m/s (a standstill's GPS noise stays below it;
#: the same value as :data:`kicklab.signal.STOP_SPEED_MPS`).
_MOVING_MPS: float = 0.5

_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "mile": 1609.344, "miles": 1609.344}


def parse_position(value: Any) -> tuple[str, float]:
    """Parse a race boundary into ``("time", s)`` or ``("distance", m)``.

    Numbers are seconds. Strings: ``"754"``/``"754s"``/``"12:34"``/``"1:02:03.5"`` are times;
    ``"800m"``, ``"1.2km"``, ``"1mile"``/``"1mi"`` are distances.

    Raises
    ------
    InvalidValue
        Unreadable or negative.
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        v = float(value)
        kind = "time"
    else:
        text = str(value).strip().lower().replace(" ", "")
        m = re.fullmatch(r"(\d+(?:\.\d*)?)(m|km|mi|mile|miles)", text)
        if m:
            kind, v = "distance", float(m.group(1)) * _UNITS[m.group(2)]
        elif re.fullmatch(r"\d+(?:\.\d*)?s?", text):
            kind, v = "time", float(text.rstrip("s"))
        elif re.fullmatch(r"\d+(?::[0-5]?\d){1,2}(?:\.\d*)?", text):
            parts = [float(p) for p in text.split(":")]
            kind, v = "time", sum(p * 60.0**k for k, p in enumerate(reversed(parts)))
        else:
            raise InvalidValue(
                f"cannot read race boundary {value!r}: give a time (754, 12:34, 1:02:03) "
                "or a distance (800m, 1.2km, 1mile)"
            )
    if not math.isfinite(v) or v < 0:
        raise InvalidValue(f"race boundary {value!r} must be a finite, non-negative value")
    return kind, v


def _arrays(activity: Activity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rec = activity.records
    t = rec["time_s"].to_numpy(dtype=float)
    d = rec["distance_m"].to_numpy(dtype=float)
    v = rec["speed_mps"].to_numpy(dtype=float)
    ok = np.isfinite(d)
    if ok.sum() < 2:
        raise InvalidValue("the activity has no distance to find a race in")
    # distance filled across holes and made non-decreasing (a race never goes backwards)
    d = np.maximum.accumulate(np.interp(t, t[ok], d[ok]))
    return t, d, v


def _time_at(t: np.ndarray, d: np.ndarray, distance: float) -> float:
    return float(np.interp(distance, d, t))


def _distance_at(t: np.ndarray, d: np.ndarray, time: float) -> float:
    return float(np.interp(time, t, d))


def _segment(rule: str, t0: float, t1: float, t, d, text: str) -> RaceSegment:
    return RaceSegment(rule, t0, t1, _distance_at(t, d, t0), _distance_at(t, d, t1), text)


def _by_bounds(t, d, start: Any, end: Any) -> RaceSegment:
    def to_time(value: Any, default: float) -> float:
        if value is None:
            return default
        kind, x = parse_position(value)
        if kind == "distance":
            if x > d[-1] + 1e-6:
                raise InvalidValue(
                    f"race boundary {value!r} lies beyond the activity ({d[-1]:.0f} m)"
                )
            return _time_at(t, d, x)
        if x > t[-1] + 1e-6:
            raise InvalidValue(f"race boundary {value!r} lies beyond the activity ({t[-1]:.0f} s)")
        return x

    t0, t1 = to_time(start, float(t[0])), to_time(end, float(t[-1]))
    if not t1 > t0:
        raise InvalidValue(f"race end ({end!r}) must come after its start ({start!r})")
    return _segment("start_end", t0, t1, t, d, f"from {start or 'the start'} to {end or 'the end'}")


def _by_distance(t, d, race_distance_m: float) -> RaceSegment:
    D = float(race_distance_m)
    if not (math.isfinite(D) and D > 0):
        raise InvalidValue(f"race distance must be positive, got {race_distance_m!r}")
    if d[-1] - d[0] + 1e-6 < D:
        raise InvalidValue(
            f"the activity covers {d[-1] - d[0]:.0f} m, less than the {D:.0f} m race"
        )
    starts = np.flatnonzero(d + D <= d[-1] + 1e-9)
    # first sample where distance reaches each target: the end time, interpolated
    target = d[starts] + D
    j = np.searchsorted(d, target, side="left").clip(1, d.size - 1)
    d0, d1 = d[j - 1], d[j]
    frac = np.where(d1 > d0, (target - d0) / np.where(d1 > d0, d1 - d0, 1.0), 1.0)
    t_end = t[j - 1] + frac * (t[j] - t[j - 1])
    k = int(np.argmin(t_end - t[starts]))
    t0, t1 = float(t[starts[k]]), float(t_end[k])
    seg = _segment("race_distance", t0, t1, t, d, f"fastest {D:g} m effort in the activity")
    seg.end_distance_m = seg.start_distance_m + D
    return seg


def _by_laps(activity: Activity, t, d) -> tuple[RaceSegment | None, str | None]:
    laps = activity.laps
    if len(laps) < 3:
        return None, None
    dist = laps["distance_m"].to_numpy(dtype=float)
    dur = laps["timer_s"].to_numpy(dtype=float)
    dur = np.where(np.isfinite(dur) & (dur > 0), dur, laps["elapsed_s"].to_numpy(dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dur > 0, dist / dur, np.nan)
    manual = (laps["trigger"].astype(str) == "manual").to_numpy().copy()
    # a short remainder lap (the bit run after the last full lap) is never the race
    median_lap = float(np.nanmedian(dist)) if np.isfinite(dist).any() else 0.0
    manual &= dist >= max(rules.MIN_RACE_M, 0.5 * median_lap)
    fast = np.zeros(len(laps), dtype=bool)
    for i in np.flatnonzero(manual & np.isfinite(speed)):
        others = np.delete(speed, i)
        others = others[np.isfinite(others)]
        fast[i] = others.size > 0 and speed[i] >= (1 + LAP_SPEED_MARGIN) * np.median(others)
    if not fast.any():
        return None, None
    runs = np.flatnonzero(np.diff(np.r_[0, fast.astype(int), 0]) != 0).reshape(-1, 2)
    if len(runs) > 1:
        return None, (
            f"{fast.sum()} separate fast manual laps (intervals?): analysing the whole activity; "
            "pick the race with --race-distance or --start/--end"
        )
    i0, i1 = runs[0][0], runs[0][1] - 1
    t0 = float(laps["start_time_s"].iloc[i0])
    t1 = float(laps["end_time_s"].iloc[i1])
    label = f"lap {i0 + 1}" if i0 == i1 else f"laps {i0 + 1}-{i1 + 1}"
    return _segment(
        "lap", t0, t1, t, d, f"{label}: manual lap(s) clearly faster than the rest"
    ), None


def _whole(t, d, v) -> RaceSegment:
    moving = np.flatnonzero(np.isfinite(v) & (v > _MOVING_MPS))
    if moving.size < 2:
        return _segment("whole_activity", float(t[0]), float(t[-1]), t, d, "the whole activity")
    median = float(np.median(v[moving]))
    running = np.flatnonzero(np.isfinite(v) & (v >= FINISH_SPEED_FRACTION * median))
    i0 = max(int(moving[0]) - 1, 0)  # keep the standing sample just before the first step
    i1 = int(running[-1]) if running.size else int(moving[-1])
    if i1 <= i0:
        i0, i1 = 0, t.size - 1
    trimmed = []
    if i0 > 0:
        trimmed.append(f"{t[i0] - t[0]:.0f} s standing before the start")
    if i1 < t.size - 1:
        trimmed.append(f"{t[-1] - t[i1]:.0f} s after the finish")
    text = "the whole activity" + (f" (trimmed {' and '.join(trimmed)})" if trimmed else "")
    return _segment("whole_activity", float(t[i0]), float(t[i1]), t, d, text)


def find_race(
    activity: Activity,
    *,
    race_distance_m: float | None = None,
    start: Any = None,
    end: Any = None,
    use_laps: bool = True,
) -> tuple[RaceSegment, list[str]]:
    """Locate the race inside a (cleaned, 1 Hz) activity.

    Parameters
    ----------
    activity
        Activity with ``time_s``, ``distance_m`` and ``speed_mps`` (see
        :func:`kicklab.signal.clean`).
    race_distance_m
        Race distance, m: the race is the fastest effort of this distance.
    start, end
        Explicit boundaries (see :func:`parse_position`); take precedence over the others.
    use_laps
        Allow the ``lap`` rule.

    Returns
    -------
    (RaceSegment, list of str)
        The race and notes on the choice (e.g. why laps were not used).

    Raises
    ------
    InvalidValue
        Boundaries outside the activity, a race longer than the activity, or no distance.
    """
    t, d, v = _arrays(activity)
    notes: list[str] = []
    if start is not None or end is not None:
        seg = _by_bounds(t, d, start, end)
        if race_distance_m is not None:
            notes.append("--start/--end given: the race distance was not used to find the race")
        return seg, notes
    if race_distance_m is not None:
        return _by_distance(t, d, race_distance_m), notes
    if use_laps:
        seg, note = _by_laps(activity, t, d)
        if note:
            notes.append(note)
        if seg is not None:
            return seg, notes
    return _whole(t, d, v), notes
