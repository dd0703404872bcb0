"""Steeplechase obstacles: where they stand in a 3000 m race and what each clearance costs.

Layout (World Athletics Technical Rules, steeplechase; SCIENCE.md §4): 28 barrier jumps and 7
water jumps; five jumps per complete lap with the water jump fourth, evenly spread about a fifth
of a lap apart; the part of the race before the first complete lap has no jumps (barriers
removed until the runners enter the first lap). Barriers are 0.914 m high for men and 0.762 m
for women.

Geometry used by kicklab: the usual track with the water jump *inside* the second bend. The
steeplechase lap is then 396.084 m and a 3000 m race starts 227.412 m before the finish line on
the back straight (227.412 + 7 × 396.084 = 3000.000 m; the figures of the World Athletics
facilities manual, also used by public steeplechase lap calculators; with the water jump
outside the track the lap is 419.407 m and the run-in 64.151 m). Jumps are 396.084/5 =
79.217 m apart and the last barrier stands 68 m before the finish, on the home straight — so a
kick must survive it.

Clearance costs (kicklab's estimates, calibrated on world records; no published per-jump
breakdown is used):

- time: a clearance loses :data:`CLEARANCE_LOSS_M` of running (barrier 1.5 m, water 3.0 m —
  a longer, higher flight and a slow exit from the water), i.e. ``loss/v`` seconds;
- energy, in metres of running that cost the same work: lifting the centre of mass ≈ 0.35 m more than a running stride over a
  0.914 m barrier costs ``g·0.35/0.25 ≈ 13.7 J/kg`` at a muscle efficiency of 0.25, i.e.
  ≈ 3.8 m of running at 3.6 J·kg⁻¹·m⁻¹ (Minetti) → 4 m; the water jump (step onto the barrier,
  land in the pit) 1.5× that → 6 m. Scaled by barrier height for women.

The work of a jump is done within the race's metabolic mix, so the race simulator
(:mod:`kicklab.race.simulate`) pays it as that many more metres run at the runner's current
effort, not from D' alone. Check: at the 3000 m world-record pace (Komen 7:20.67, 6.81 m/s)
these add 28 × 1.5 + 7 × 3.0 = 63 m of lost running and 28 × 4 + 7 × 6 = 154 m of work — 217 m,
≈ 32 s, against the 31.4 s between the steeplechase record (Girma 7:52.11, 2023) and the flat
3000 m record; the simulator gives 31.0 s for a runner of that level
(``tests/race/test_effects.py``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue

__all__ = [
    "STEEPLE_LAP_M",
    "STEEPLE_RUN_IN_M",
    "LAST_BARRIER_TO_GO_M",
    "BARRIER_HEIGHT_M",
    "CLEARANCE_LOSS_M",
    "CLEARANCE_ENERGY_M",
    "steeplechase_layout",
    "clearance_time_s",
    "clearance_energy_m",
]

#: Steeplechase lap with the water jump inside the second bend, m.
STEEPLE_LAP_M = 396.084
#: Number of complete laps (with jumps) in a 3000 m steeplechase.
STEEPLE_LAPS = 7
#: Jumps per complete lap (the 4th is the water jump).
JUMPS_PER_LAP = 5
#: Index (0-based) of the water jump within a lap's five jumps.
WATER_JUMP_INDEX = 3
#: Distance run before the first complete lap (no jumps), m: 3000 − 7 × 396.084.
STEEPLE_RUN_IN_M = 3000.0 - STEEPLE_LAPS * STEEPLE_LAP_M
#: The last barrier stands this far before the finish line (on the home straight), m.
LAST_BARRIER_TO_GO_M = 68.0
#: Barrier heights, m.
BARRIER_HEIGHT_M = {"men": 0.914, "women": 0.762}
#: Running distance lost per clearance, m (estimate; see the module docstring).
CLEARANCE_LOSS_M = {"barrier": 1.5, "water": 3.0}
#: Extra work per clearance over a men's 0.914 m barrier, in metres of running that cost the
#: same energy (estimate; see the module docstring).
CLEARANCE_ENERGY_M = {"barrier": 4.0, "water": 6.0}
#: Race distances kicklab lays out, m.
_SUPPORTED_DISTANCES_M = (3000.0,)


def steeplechase_layout(
    distance_m: float = 3000.0, sex: Literal["men", "women"] = "men"
) -> pd.DataFrame:
    """Obstacles of a steeplechase, in race order.

    Parameters
    ----------
    distance_m
        Race distance, m (3000; other distances raise
        :class:`~kicklab.errors.InvalidValue`).
    sex
        ``"men"`` (0.914 m barriers) or ``"women"`` (0.762 m).

    Returns
    -------
    DataFrame with one row per jump (35 rows): ``distance_m`` (from the start, m), ``kind``
    (``"barrier"`` or ``"water"``), ``lap`` (1–7, complete laps), ``height_m``.
    """
    d = float(np.asarray(distance_m, dtype=float))
    if not any(math.isclose(d, s) for s in _SUPPORTED_DISTANCES_M):
        raise InvalidValue(
            f"steeplechase layout is defined for 3000 m (28 barriers + 7 water jumps), got {distance_m!r}"
        )
    if sex not in BARRIER_HEIGHT_M:
        raise InvalidValue(f"sex must be 'men' or 'women', got {sex!r}")
    spacing = STEEPLE_LAP_M / JUMPS_PER_LAP
    # position of each of a lap's five jumps measured from the start of that lap
    in_lap = STEEPLE_LAP_M - LAST_BARRIER_TO_GO_M - spacing * np.arange(JUMPS_PER_LAP - 1, -1, -1)
    lap_start = STEEPLE_RUN_IN_M + STEEPLE_LAP_M * np.arange(STEEPLE_LAPS)
    pos = (lap_start[:, None] + in_lap[None, :]).ravel()
    kinds = np.where(np.arange(JUMPS_PER_LAP) == WATER_JUMP_INDEX, "water", "barrier")
    return pd.DataFrame(
        {
            "distance_m": pos,
            "kind": np.tile(kinds, STEEPLE_LAPS),
            "lap": np.repeat(np.arange(1, STEEPLE_LAPS + 1), JUMPS_PER_LAP),
            "height_m": BARRIER_HEIGHT_M[sex],
        }
    )


def _kind(kind: str) -> str:
    if kind not in CLEARANCE_LOSS_M:
        raise InvalidValue(f"obstacle kind must be 'barrier' or 'water', got {kind!r}")
    return kind


def clearance_time_s(kind: str, speed_mps: Any) -> np.ndarray | float:
    """Time lost clearing one obstacle at ``speed_mps`` (m/s), s: ``CLEARANCE_LOSS_M[kind]/v``.

    At 6.8 m/s (world-record pace) a barrier costs 0.22 s and the water jump 0.44 s; slower
    runners lose more time for the same lost distance.
    """
    loss = CLEARANCE_LOSS_M[_kind(kind)]
    v = np.asarray(speed_mps, dtype=float)
    if np.any(~(v > 0)) or np.any(~np.isfinite(v)):
        raise InvalidValue("speed_mps must be a positive finite speed to clear an obstacle")
    out = loss / v
    return float(out) if np.ndim(out) == 0 else out


def clearance_energy_m(kind: str, height_m: float = BARRIER_HEIGHT_M["men"]) -> float:
    """Extra work of clearing one obstacle, in metres of running that cost the same energy
    (barrier 4 m, water 6 m at 0.914 m).

    Scaled in proportion to ``height_m`` (0.762 m women's barriers: 3.3 / 5.0 m); an estimate
    from the work of lifting the centre of mass, see the module docstring.
    """
    h = float(np.asarray(height_m, dtype=float))
    if not math.isfinite(h) or h <= 0 or h > 1.5:
        raise InvalidValue(f"height_m must be a barrier height in (0, 1.5] m, got {height_m!r}")
    return CLEARANCE_ENERGY_M[_kind(kind)] * h / BARRIER_HEIGHT_M["men"]
