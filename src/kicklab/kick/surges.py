"""Pace phases and mid-race surges — the non-kicker's weapon.

The race's speed is cut into constant-pace phases by binary segmentation
(:func:`kicklab.kick.phases.segment`; a phase lasts at least 20 s and differs from its
neighbour by at least 2 %, significantly against correlated noise). A **surge** is a run of
phases before the kick that is at least 3 % faster than the phase before it and at least
100 m long (it lasts while the pace stays above that and does not drop by 3 % from the
surge's own pace: an interval session's repetitions are separate surges); what follows it
shows its price (:attr:`~kicklab.kick.result.Surge.after_pct`).
The start (first 10 %, at most 200 m) is never a surge: everyone accelerates from the line.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kicklab.kick import rules
from kicklab.kick.phases import segment
from kicklab.kick.result import Kick, Phase, Surge

__all__ = ["pace_phases", "find_surges"]


def pace_phases(time_s: Any, distance_m: Any, speed_mps: Any) -> list[Phase]:
    """Constant-pace phases of a race (race-relative time and distance).

    Parameters
    ----------
    time_s, distance_m
        Race time (s) and distance (m) per sample, 0 at the start, 1 Hz.
    speed_mps
        Speed per sample, m/s (smoothed; grade-adjusted on hills).

    Returns
    -------
    list of Phase
        In race order; ``mean_speed_mps`` is the mean of the analysed speed over the phase.
    """
    t = np.asarray(time_s, dtype=float)
    d = np.asarray(distance_m, dtype=float)
    v = np.asarray(speed_mps, dtype=float)
    ok = np.isfinite(t) & np.isfinite(d) & np.isfinite(v)
    t, d, v = t[ok], d[ok], v[ok]
    if t.size < 2:
        return []
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    min_size = max(1, int(round(rules.MIN_PHASE_S / max(dt, 1e-9))))
    bounds = segment(v, min_size=min_size, min_rel_change=rules.MIN_PHASE_CHANGE, z=rules.KICK_Z)
    phases = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        last = min(e, t.size - 1)
        phases.append(
            Phase(
                start_time_s=float(t[s]),
                end_time_s=float(t[last]),
                start_distance_m=float(d[s]),
                end_distance_m=float(d[last]),
                mean_speed_mps=float(np.mean(v[s:e])),
            )
        )
    return phases


def find_surges(
    phases: list[Phase], race_distance_m: float, kick: Kick | None = None
) -> list[Surge]:
    """Surges among the pace phases (see the module docstring).

    Parameters
    ----------
    phases
        From :func:`pace_phases` (race-relative).
    race_distance_m
        Race distance, m.
    kick
        The detected kick (race-relative); phases from its onset on are the kick, not surges.

    Returns
    -------
    list of Surge
        Race-relative, in race order.
    """
    start_ex = min(rules.START_EXCLUDE_FRACTION * race_distance_m, rules.START_EXCLUDE_MAX_M)
    kick_from = (
        kick.onset_distance_m
        if kick is not None and kick.detected and math.isfinite(kick.onset_distance_m)
        else math.inf
    )
    surges: list[Surge] = []
    j = 1
    while j < len(phases):
        pre = phases[j - 1]
        ph = phases[j]
        threshold = (1 + rules.MIN_SURGE_GAIN) * pre.mean_speed_mps
        if ph.start_distance_m < start_ex or ph.start_distance_m >= kick_from - 1e-6:
            j += 1
            continue
        if ph.mean_speed_mps < threshold:
            j += 1
            continue
        # the surge goes on while the pace stays up: still faster than the threshold and not
        # clearly (by the surge gain) slower than the surge so far
        k = j
        while k + 1 < len(phases):
            nxt = phases[k + 1]
            members = phases[j : k + 1]
            so_far = np.average(
                [p.mean_speed_mps for p in members],
                weights=[max(p.end_time_s - p.start_time_s, 1e-9) for p in members],
            )
            if (
                nxt.mean_speed_mps < threshold
                or nxt.mean_speed_mps < (1 - rules.MIN_SURGE_GAIN) * so_far
                or nxt.start_distance_m >= kick_from - 1e-6
            ):
                break
            k += 1
        first, last = phases[j], phases[k]
        dist = last.end_distance_m - first.start_distance_m
        dur = last.end_time_s - first.start_time_s
        if dist >= rules.MIN_SURGE_M and dur > 0:
            members = phases[j : k + 1]
            weights = np.array([p.end_time_s - p.start_time_s for p in members])
            mean = float(np.average([p.mean_speed_mps for p in members], weights=weights))
            nxt = phases[k + 1] if k + 1 < len(phases) else None
            after = (
                nxt.mean_speed_mps
                if nxt is not None and nxt.start_distance_m < kick_from - 1e-6
                else math.nan
            )
            surges.append(
                Surge(
                    start_time_s=first.start_time_s,
                    end_time_s=last.end_time_s,
                    start_distance_m=first.start_distance_m,
                    end_distance_m=last.end_distance_m,
                    start_distance_to_go_m=race_distance_m - first.start_distance_m,
                    duration_s=dur,
                    distance_m=dist,
                    pre_speed_mps=pre.mean_speed_mps,
                    mean_speed_mps=mean,
                    after_speed_mps=after,
                    gain_pct=100.0 * (mean / pre.mean_speed_mps - 1.0),
                    after_pct=100.0 * (after / pre.mean_speed_mps - 1.0),
                )
            )
        j = k + 1
    return surges
