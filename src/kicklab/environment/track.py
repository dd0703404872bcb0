"""Track geometry: lanes, bend radius, the distance lost running wide, and the cost of a bend.

Standard 400 m track (World Athletics Track and Field Facilities Manual; SCIENCE.md §4): two
84.39 m straights and two 180° bends with a 36.50 m inner kerb radius; lane width 1.22 m; the
running line is measured 0.30 m outside the kerb in lane 1 and 0.20 m outside the inner line of
lanes 2 and up. Lane 1's running line is 400.00 m; each lane further out adds
``π·Δr`` per bend (≈ 3.52 m per bend from lane 1 to lane 2).

The race geometry matches :mod:`kicklab.samples`: the finish line is at the end of the home
straight, so the last 84.39 m of every race are straight, and the first bend starts at the
finish line (position measured from the finish, modulo one lap).

Bend cost (:func:`bend_cost_factor`): on a bend of radius ``r`` the legs must also supply the
centripetal force, so the average axial leg force rises from ``m·g`` to
``m·√(g² + (v²/r)²)`` (Taboga & Kram 2019, PeerJ 7:e8222, who derive the slower times of
curved races from it; Aftalion & Martinon 2019, PLoS One 14:e0221572, model the same force as
a reduction of the propulsive force available in the bends). kicklab lets a share ``w`` of the
cost of running scale with that force:
``k = 1 + w·(√(1 + (v²/(g·r))²) − 1)``, with ``w = 0.39`` fitted so that a constant-effort
runner reproduces Taboga & Kram's estimate that a 2:01:39 marathon on a 400 m track is 2:01:32
on a straight road; the same ``w`` then gives 2:02:00 on a 200 m indoor track (radius 17.2 m),
as they also estimate.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue
from kicklab.samples import TRACK_LANE1_RADIUS_M, TRACK_STRAIGHT_M

__all__ = [
    "KERB_RADIUS_M",
    "LANE_WIDTH_M",
    "LANE1_LINE_OFFSET_M",
    "LANE_LINE_OFFSET_M",
    "MAX_LANE",
    "BEND_FORCE_COST_SHARE",
    "lane_radius_m",
    "lane_length_m",
    "extra_distance_m",
    "on_bend",
    "bend_cost_factor",
]

#: Radius of the inner kerb of a standard 400 m track, m.
KERB_RADIUS_M = 36.5
#: Lane width, m.
LANE_WIDTH_M = 1.22
#: Lane 1's running line is measured this far outside the kerb, m.
LANE1_LINE_OFFSET_M = 0.30
#: Lanes 2+ are measured this far outside their inner (painted) line, m.
LANE_LINE_OFFSET_M = 0.20
#: Most lanes on a standard track (8 is usual, 9 exists).
MAX_LANE = 9
#: Share of the cost of running that scales with the axial leg force on a bend (fitted to
#: Taboga & Kram 2019's marathon estimate, see the module docstring).
BEND_FORCE_COST_SHARE = 0.39
#: Standard gravity, m·s⁻².
G_MPS2 = 9.80665


def _lane(lane: Any) -> np.ndarray:
    arr = np.asarray(lane)
    try:
        as_float = arr.astype(float)
    except (TypeError, ValueError):
        raise InvalidValue(
            f"lane must be a whole number from 1 to {MAX_LANE}, got {lane!r}"
        ) from None
    if (
        np.any(~np.isfinite(as_float))
        or np.any(as_float != np.round(as_float))
        or np.any(as_float < 1)
        or np.any(as_float > MAX_LANE)
    ):
        raise InvalidValue(f"lane must be a whole number from 1 to {MAX_LANE}, got {lane!r}")
    return as_float


def lane_radius_m(lane: Any) -> np.ndarray | float:
    """Radius of the running line of ``lane`` in the bends, m (lane 1: 36.80, lane 2: 37.92).

    ``36.5 + 0.30`` in lane 1 and ``36.5 + 1.22·(n − 1) + 0.20`` in lane ``n ≥ 2``.
    A float for a scalar lane.
    """
    n = _lane(lane)
    r = np.where(
        n == 1,
        KERB_RADIUS_M + LANE1_LINE_OFFSET_M,
        KERB_RADIUS_M + LANE_WIDTH_M * (n - 1) + LANE_LINE_OFFSET_M,
    )
    return float(r) if np.ndim(r) == 0 else r


def lane_length_m(lane: Any) -> np.ndarray | float:
    """Length of one lap along the running line of ``lane``, m (lane 1: 400.00, lane 2: 407.04)."""
    out = 2 * TRACK_STRAIGHT_M + 2 * math.pi * np.asarray(lane_radius_m(lane))
    return float(out) if np.ndim(out) == 0 else out


def extra_distance_m(lane: Any, n_bends: Any = 1) -> np.ndarray | float:
    """Distance run beyond lane 1 over ``n_bends`` 180° bends in ``lane``, m.

    ``n_bends·π·(r_lane − r_1)``: ≈ 3.52 m per bend in lane 2 (SCIENCE.md: ≈ 3.5 m), 7.04 m per
    lap. ``n_bends`` may be fractional (half a bend = 90°) and must be ≥ 0.
    """
    nb = np.asarray(n_bends, dtype=float)
    if np.any(~np.isfinite(nb)) or np.any(nb < 0):
        raise InvalidValue(f"n_bends must be ≥ 0, got {n_bends!r}")
    r1 = KERB_RADIUS_M + LANE1_LINE_OFFSET_M
    out = nb * math.pi * (np.asarray(lane_radius_m(lane)) - r1)
    return float(out) if np.ndim(out) == 0 else out


def on_bend(distance_m: Any, race_distance_m: float) -> np.ndarray:
    """Whether race distance ``distance_m`` (m from the start) lies on a bend, bool array.

    The finish is at the end of the home straight (as in :mod:`kicklab.samples`), so a point
    ``d`` metres into a race of ``race_distance_m`` lies ``u = (race_distance_m − d) mod lap``
    metres before a crossing of the finish line; going backwards from the line come the home
    straight (``0 ≤ u < 84.39``), the second bend (``84.39 ≤ u < 84.39 + π·r₁``), the back
    straight and the first bend (lane 1 geometry; staggered lanes share it). The finish line
    itself counts as straight. Distances past the finish continue round the track.
    """
    race = float(np.asarray(race_distance_m, dtype=float))
    if not math.isfinite(race) or race <= 0:
        raise InvalidValue(f"race_distance_m must be a positive distance, got {race_distance_m!r}")
    d = np.asarray(distance_m, dtype=float)
    if np.any(np.isnan(d)):
        raise InvalidValue("distance_m contains NaN")
    bend = math.pi * TRACK_LANE1_RADIUS_M
    lap = 2 * TRACK_STRAIGHT_M + 2 * bend
    u = np.mod(race - d, lap)
    return ((u >= TRACK_STRAIGHT_M) & (u < TRACK_STRAIGHT_M + bend)) | (
        u >= 2 * TRACK_STRAIGHT_M + bend
    )


def bend_cost_factor(speed_mps: Any, radius_m: Any) -> np.ndarray:
    """Cost of running a bend relative to a straight at the same speed (≥ 1), dimensionless.

    ``k = 1 + w·(√(1 + (v²/(g·r))²) − 1)`` with ``w`` = :data:`BEND_FORCE_COST_SHARE` (0.39),
    Taboga & Kram 2019 (see the module docstring). ``radius_m = inf`` (a straight) gives 1.
    Lane 1 (r = 36.80 m): +0.17 % at 5.8 m/s (marathon record pace), +0.36 % at 7 m/s
    (1500 m pace), +1.5 % at 10 m/s.

    Parameters
    ----------
    speed_mps
        Speed, m/s (≥ 0).
    radius_m
        Radius of the path, m (> 0; ``inf`` on a straight). Broadcasts with ``speed_mps``.
    """
    v = np.asarray(speed_mps, dtype=float)
    r = np.asarray(radius_m, dtype=float)
    if np.any(v < 0) or np.any(np.isnan(v)):
        raise InvalidValue("speed_mps must be ≥ 0 m/s")
    if np.any(~(r > 0)):
        raise InvalidValue("radius_m must be > 0 m (inf for a straight)")
    lateral = v * v / (G_MPS2 * r)  # centripetal acceleration in units of g
    return 1.0 + BEND_FORCE_COST_SHARE * (np.sqrt(1.0 + lateral * lateral) - 1.0)
