"""Classify how a race was finished: ``kick``, ``long_surge``, ``fade``, ``progressive``, ``even``.

The classes, tested in this order (thresholds and their reasons in :mod:`kicklab.kick.rules`):

``undetermined``
    The race is shorter than 200 m or 30 s, or has too little speed data.
``kick``
    A finishing kick was detected (:func:`kicklab.kick.detect.detect_kick`: a final sustained
    acceleration of at least 2 %, significant against the pace noise) whose onset lies within
    :func:`~kicklab.kick.rules.kick_max_to_go_m` of the finish (600 m in a 1500 m).
``long_surge``
    The final sustained acceleration began further out than a kick and was a clear change of
    gear (the rise took at most half of the remaining race): the non-kicker's "long run for
    home" that takes the sting out of the kickers.
``fade``
    No kick, and the final stretch (last ``min(400 m, 25 %)``) was at least 3 % slower than the
    rest of the race.
``progressive``
    No distinct finishing move, but the pace rose: a final acceleration from far out that was
    gradual, a final stretch at least 3 % faster than the rest without a sustained kick, or a
    pace trend of at least +3 % from the early race to the end.
``fade`` (again)
    A pace trend of −3 % or worse (a positive split) without a faster finish.
``even``
    None of the above: the pace stayed within ±3 % to the line.

The start (first 10 % of the distance, at most 200 m) is left out of the pace trend and of
the reference for a fade.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kicklab.kick import rules
from kicklab.kick.result import Kick

__all__ = ["classify", "pace_trend_pct", "end_change_pct"]


def _valid(distance_m: Any, speed_mps: Any, weights: Any) -> tuple[np.ndarray, ...]:
    d = np.asarray(distance_m, dtype=float)
    v = np.asarray(speed_mps, dtype=float)
    w = np.ones(d.size) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(d) & np.isfinite(v) & np.isfinite(w) & (w > 0)
    return d[ok], v[ok], w[ok]


def _start_exclude(race_distance_m: float) -> float:
    return min(rules.START_EXCLUDE_FRACTION * race_distance_m, rules.START_EXCLUDE_MAX_M)


def pace_trend_pct(
    distance_m: Any, speed_mps: Any, race_distance_m: float, weights: Any = None
) -> float:
    """Change of pace across the race from a weighted linear fit of speed on distance, %.

    ``100 · slope · span / mean`` over the race after the start (first 10 %, ≤ 200 m):
    positive when the runner sped up. ``distance_m`` is each sample's distance from the race
    start, m; ``weights`` the time each sample stands for (default equal). NaN when fewer
    than 3 samples remain.
    """
    d, v, w = _valid(distance_m, speed_mps, weights)
    keep = d >= _start_exclude(race_distance_m)
    d, v, w = d[keep], v[keep], w[keep]
    if d.size < 3 or np.ptp(d) <= 0:
        return math.nan
    dm = np.average(d, weights=w)
    vm = np.average(v, weights=w)
    slope = np.sum(w * (d - dm) * (v - vm)) / np.sum(w * (d - dm) ** 2)
    return float(100.0 * slope * (d.max() - d.min()) / vm) if vm > 0 else math.nan


def end_change_pct(
    distance_m: Any, speed_mps: Any, race_distance_m: float, weights: Any = None
) -> float:
    """Mean speed over the final stretch against the rest of the race (after the start), %.

    The final stretch is :func:`~kicklab.kick.rules.end_window_m` long; negative when the
    runner slowed at the end. NaN when either part holds no samples.
    """
    d, v, w = _valid(distance_m, speed_mps, weights)
    end = d > race_distance_m - rules.end_window_m(race_distance_m)
    body = (d >= _start_exclude(race_distance_m)) & ~end
    if not end.any() or not body.any():
        return math.nan
    v_end = np.average(v[end], weights=w[end])
    v_body = np.average(v[body], weights=w[body])
    return float(100.0 * (v_end / v_body - 1.0)) if v_body > 0 else math.nan


def classify(
    kick: Kick,
    *,
    race_distance_m: float,
    race_duration_s: float,
    distance_m: Any,
    speed_mps: Any,
    weights: Any = None,
) -> tuple[str, str]:
    """The finish class of a race and the rule that gave it (see the module docstring).

    Parameters
    ----------
    kick
        The detected kick (``kick.detected`` False when none).
    race_distance_m, race_duration_s
        Race distance, m, and time, s.
    distance_m
        Each sample's distance from the race start, m (split tables: each split's midpoint).
    speed_mps
        Speed of each sample, m/s (split tables: each split's mean speed).
    weights
        Time each sample stands for, s (default equal: 1 Hz samples).

    Returns
    -------
    tuple of (str, str)
        The class (one of :data:`kicklab.kick.result.FINISH_CLASSES`) and its reason in words.
    """
    d, v, _ = _valid(distance_m, speed_mps, weights)
    if (
        not race_distance_m >= rules.MIN_RACE_M
        or not race_duration_s >= rules.MIN_RACE_S
        or d.size < 3
    ):
        return "undetermined", (
            f"race of {race_distance_m:.0f} m / {race_duration_s:.0f} s is too short "
            f"(at least {rules.MIN_RACE_M:.0f} m and {rules.MIN_RACE_S:.0f} s with speed data)"
        )
    limit = rules.kick_max_to_go_m(race_distance_m)
    if kick.detected:
        to_go, gain = kick.onset_distance_to_go_m, kick.gain_pct
        if to_go <= limit:
            return "kick", (
                f"kicked {gain:.1f} % faster from {to_go:.0f} m to go "
                f"(a kick starts within {limit:.0f} m of the finish at this distance)"
            )
        if not kick.ramp_s > 0.5 * kick.duration_s:
            return "long_surge", (
                f"a sustained move {gain:.1f} % faster from {to_go:.0f} m to go, "
                f"further out than a kick ({limit:.0f} m) and held to the line"
            )
        return "progressive", (
            f"speed rose gradually by {gain:.1f} % over the last {to_go:.0f} m, "
            "with no distinct change of gear"
        )
    trend = pace_trend_pct(distance_m, speed_mps, race_distance_m, weights)
    end = end_change_pct(distance_m, speed_mps, race_distance_m, weights)
    window = rules.end_window_m(race_distance_m)
    if end <= -rules.FADE_PCT:
        return "fade", f"the last {window:.0f} m were {-end:.1f} % slower than the race before"
    if end >= rules.FADE_PCT:
        return "progressive", (
            f"the last {window:.0f} m were {end:.1f} % faster than the race before, "
            "but with no distinct, sustained kick"
        )
    if trend >= rules.TREND_PCT:
        return "progressive", f"pace rose {trend:.1f} % through the race with no distinct kick"
    if trend <= -rules.TREND_PCT:
        return "fade", f"pace fell {-trend:.1f} % through the race"
    return "even", (
        f"no kick; pace stayed within ±{rules.TREND_PCT:.0f} % to the line "
        f"(trend {trend:+.1f} %, last {window:.0f} m {end:+.1f} %)"
    )
