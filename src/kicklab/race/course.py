"""Race courses: a track race (distance, lane, flat or steeplechase) or a road course (grade
profile), with the weather (wind, WBGT) the race is run in.

A :class:`Course` only holds parameters. :meth:`Course.profile` turns it into arrays over a
fine distance grid — grade, tail-wind component, bend radius — that the simulator looks up
once per time step (one ``take`` per quantity for every runner of every trial at once).

Distances are race distances in metres from the start line; on a track the finish is at the
end of the home straight (as in :mod:`kicklab.samples`), so a race of ``d`` metres starts
``d`` metres before the finish line, measured along the lane-1 running line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue
from kicklab.samples import TRACK_LAP_M, track_xy

__all__ = ["Course", "CourseProfile", "COURSE_KINDS"]

#: Accepted ``kind`` values.
COURSE_KINDS: tuple[str, ...] = ("track", "road")
#: Lanes of a standard 400 m track.
_MAX_LANE = 9
#: Shortest race the simulator is meant for, m (a 60 m indoor sprint).
_MIN_DISTANCE_M = 60.0
#: Longest race, m (a 100 km ultra): keeps the course profile and the step loop bounded.
_MAX_DISTANCE_M = 100_000.0
#: Strongest wind accepted, m/s (a gale, Beaufort 9); beyond it no race is held.
_MAX_WIND_MPS = 25.0
#: WBGT range of Ely 2007's data and a little beyond, °C.
_WBGT_RANGE_C = (-10.0, 40.0)
#: Steepest grade accepted: the validity range of Minetti 2002's cost polynomial (SCIENCE.md §4).
_MAX_GRADE = 0.45
#: Spacing of the course profile grid, m: a runner covers ≤ 1 m per 0.1 s step at ≤ 10 m/s,
#: so 1 m resolves every bend entry and hill to within one step.
PROFILE_STEP_M = 1.0
#: Half-width of the finite difference used for the running direction on the track, m.
_HEADING_DS_M = 0.25


@dataclass(frozen=True)
class CourseProfile:
    """A course sampled every ``step_m`` metres from the start (index ``i`` ↔ ``i·step_m``).

    Attributes
    ----------
    step_m
        Grid spacing, m.
    distance_m
        Grid positions, m, from 0 to the race distance plus a run-out of one lap.
    grade
        Rise over run (dimensionless) at each position.
    tailwind_mps
        Wind component along the running direction, m/s (positive = tailwind).
    bend_radius_m
        Radius of the running line in the field's lane where the course bends, m; ``inf`` on
        straights and on roads.
    bend_radius_wide_m
        Radius one lane further out (a runner passing on a bend), m; ``inf`` off bends.
    barriers
        Obstacles (steeplechase): DataFrame with ``distance_m`` and ``kind``; empty otherwise.
    """

    step_m: float
    distance_m: np.ndarray
    grade: np.ndarray
    tailwind_mps: np.ndarray
    bend_radius_m: np.ndarray
    bend_radius_wide_m: np.ndarray
    barriers: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"distance_m": [], "kind": []})
    )

    def index(self, x_m: np.ndarray) -> np.ndarray:
        """Grid index of positions ``x_m`` (m), clipped to the grid."""
        i = (np.asarray(x_m) * (1.0 / self.step_m)).astype(np.intp)
        return np.clip(i, 0, self.distance_m.size - 1, out=i)


def _finite(value: Any, name: str, lo: float, hi: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise InvalidValue(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return v


@dataclass(frozen=True)
class Course:
    """Where and in what weather a race is run.

    Parameters
    ----------
    distance_m
        Race distance, m (measured on the lane-1 running line on a track).
    kind
        ``"track"`` (400 m oval, bends and lanes) or ``"road"`` (straight line unless a grade
        profile is given; no bends).
    lane
        Lane the field runs in on a track (1–9); runners passing on a bend run one lane wider.
    steeple
        Steeplechase (track only): barriers and water jumps from
        :func:`kicklab.environment.barriers.steeplechase_layout`.
    grade
        Road grade profile: ``None`` (flat), an array of grades evenly spaced from the start to
        the finish, or a callable ``grade(distance_m) -> grade`` (vectorised). Dimensionless,
        within ±0.45 (Minetti 2002's range).
    wind_mps
        Wind speed, m/s (≥ 0).
    wind_dir_deg
        Direction the wind blows *towards*, degrees, relative to the running direction on the
        home straight (track) or on the whole course (road): 0 = tailwind there, 180 = headwind.
    wbgt_c
        Wet-bulb globe temperature, °C, or ``None`` for no heat penalty.
    sex
        ``"men"`` or ``"women"``: barrier height and the heat-penalty table.
    heat_level
        ``"top"`` or ``"slower"`` runners in Ely 2007's heat table.
    """

    distance_m: float
    kind: str = "track"
    lane: int = 1
    steeple: bool = False
    grade: Any = None
    wind_mps: float = 0.0
    wind_dir_deg: float = 0.0
    wbgt_c: float | None = None
    sex: str = "men"
    heat_level: str = "top"

    def __post_init__(self) -> None:
        d = _finite(self.distance_m, "distance_m", _MIN_DISTANCE_M, _MAX_DISTANCE_M)
        object.__setattr__(self, "distance_m", d)
        if self.kind not in COURSE_KINDS:
            raise InvalidValue(f"kind must be one of {', '.join(COURSE_KINDS)}, got {self.kind!r}")
        if isinstance(self.lane, bool) or not isinstance(self.lane, int | np.integer):
            raise InvalidValue(f"lane must be an integer 1–{_MAX_LANE}, got {self.lane!r}")
        if not 1 <= int(self.lane) <= _MAX_LANE:
            raise InvalidValue(f"lane must be 1–{_MAX_LANE}, got {self.lane}")
        if self.steeple and self.kind != "track":
            raise InvalidValue("steeple=True needs kind='track'")
        if self.grade is not None and self.kind == "track":
            raise InvalidValue("a track is flat: give a grade profile only with kind='road'")
        w = _finite(self.wind_mps, "wind_mps", 0.0, _MAX_WIND_MPS)
        object.__setattr__(self, "wind_mps", w)
        wd = _finite(self.wind_dir_deg, "wind_dir_deg", -360.0, 360.0)
        object.__setattr__(self, "wind_dir_deg", wd)
        if self.wbgt_c is not None:
            object.__setattr__(self, "wbgt_c", _finite(self.wbgt_c, "wbgt_c", *_WBGT_RANGE_C))
        if self.sex not in ("men", "women"):
            raise InvalidValue(f"sex must be 'men' or 'women', got {self.sex!r}")
        if self.heat_level not in ("top", "slower"):
            raise InvalidValue(f"heat_level must be 'top' or 'slower', got {self.heat_level!r}")
        if self.grade is not None and not callable(self.grade):
            g = np.asarray(self.grade, dtype=float)
            if g.ndim != 1 or g.size < 2:
                raise InvalidValue("grade must be a callable or at least two evenly spaced values")

    # ------------------------------------------------------------------ profile
    def grade_at(self, distance_m: Any) -> np.ndarray:
        """Grade (dimensionless) at race distances ``distance_m`` (m); 0 on a track."""
        x = np.asarray(distance_m, dtype=float)
        if self.grade is None:
            return np.zeros_like(x)
        if callable(self.grade):
            fn: Callable[[np.ndarray], Any] = self.grade
            try:
                g = np.broadcast_to(np.asarray(fn(x), dtype=float), x.shape).copy()
            except (TypeError, ValueError) as exc:
                raise InvalidValue(f"grade callable failed: {exc}") from None
        else:
            values = np.asarray(self.grade, dtype=float)
            grid = np.linspace(0.0, self.distance_m, values.size)
            g = np.interp(x, grid, values)
        if not np.isfinite(g).all() or (np.abs(g) > _MAX_GRADE).any():
            raise InvalidValue(f"grade must be finite and within ±{_MAX_GRADE}")
        return g

    def heading_rad(self, distance_m: Any) -> np.ndarray:
        """Running direction at race distances (rad), relative to the home straight's
        direction (track) or to the course direction (road, always 0)."""
        x = np.asarray(distance_m, dtype=float)
        if self.kind == "road":
            return np.zeros_like(x)
        s = x - self.distance_m  # distance after the finish line along lane 1
        x0, y0 = track_xy(s - _HEADING_DS_M)
        x1, y1 = track_xy(s + _HEADING_DS_M)
        return np.arctan2(y1 - y0, x1 - x0)

    def tailwind_mps(self, distance_m: Any) -> np.ndarray:
        """Wind component along the running direction at race distances (m/s, + = tailwind)."""
        rel = self.heading_rad(distance_m) - math.radians(self.wind_dir_deg)
        return self.wind_mps * np.cos(rel)

    def profile(self, step_m: float = PROFILE_STEP_M) -> CourseProfile:
        """The course sampled every ``step_m`` m, with one lap (or 400 m) of run-out past the
        finish so runners who have finished can keep moving without leaving the grid."""
        step = _finite(step_m, "step_m", 0.01, 100.0)
        n = int(math.ceil((self.distance_m + TRACK_LAP_M) / step)) + 1
        x = np.arange(n) * step
        inside = np.minimum(x, self.distance_m)
        grade = self.grade_at(inside)
        tail = self.tailwind_mps(x) if self.wind_mps > 0 else np.zeros(n)
        radius = np.full(n, np.inf)
        wide = np.full(n, np.inf)
        barriers = pd.DataFrame({"distance_m": np.array([], dtype=float), "kind": []})
        if self.kind == "track":
            from kicklab.environment.track import lane_radius_m, on_bend

            bend = np.asarray(on_bend(x, self.distance_m), dtype=bool)
            radius[bend] = float(lane_radius_m(self.lane))
            wide[bend] = float(lane_radius_m(min(self.lane + 1, _MAX_LANE)))
        if self.steeple:
            from kicklab.environment.barriers import steeplechase_layout

            barriers = steeplechase_layout(self.distance_m).reset_index(drop=True)
        return CourseProfile(step, x, grade, tail, radius, wide, barriers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (a grade callable is described, not serialised)."""
        grade: Any = None
        if callable(self.grade):
            grade = "callable"
        elif self.grade is not None:
            grade = [float(g) for g in np.asarray(self.grade, dtype=float)]
        return {
            "distance_m": self.distance_m,
            "kind": self.kind,
            "lane": int(self.lane),
            "steeple": bool(self.steeple),
            "grade": grade,
            "wind_mps": self.wind_mps,
            "wind_dir_deg": self.wind_dir_deg,
            "wbgt_c": self.wbgt_c,
            "sex": self.sex,
            "heat_level": self.heat_level,
        }
