"""Race courses: a track race (distance, lane, flat or steeplechase) or a road course (grade
profile), with the weather (wind, WBGT) the race is run in.

A :class:`Course` only holds parameters. :meth:`Course.profile` turns it into arrays over a
fine distance grid — grade, tail-wind component, bend radius — that the simulator looks up
once per time step (one ``take`` per quantity for every runner of every trial at once).

Distances are race distances in metres from the start line; on a track the finish is at the
end of the home straight (as in :mod:`kicklab.samples`), so a race of ``d`` metres starts
``d`` metres before the finish line, measured along the lane-1 running line.

A road course may follow a :class:`Route` read from a GPX file (:meth:`Course.from_gpx`): the
grade profile then comes from the route's smoothed elevation and the running direction (for
the wind) from its compass bearing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue, KicklabError, UnsupportedFormat
from kicklab.geo import EARTH_RADIUS_M, haversine_m
from kicklab.samples import TRACK_LAP_M, track_xy

if TYPE_CHECKING:
    from kicklab.io.source import Source

__all__ = ["Course", "CourseProfile", "Route", "COURSE_KINDS", "ROUTE_GRID_M"]

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
#: WBGT range accepted, °C: the range of the heat model (up to its
#: :data:`kicklab.environment.heat.MAX_WBGT_C`, 35 °C, far past the 28 °C at which ACSM advises
#: cancelling races).
_WBGT_RANGE_C = (-10.0, 35.0)
#: Steepest grade accepted: the validity range of Minetti 2002's cost polynomial (SCIENCE.md §4).
_MAX_GRADE = 0.45
#: Spacing of the course profile grid, m: a runner covers ≤ 1 m per 0.1 s step at ≤ 10 m/s,
#: so 1 m resolves every bend entry and hill to within one step.
PROFILE_STEP_M = 1.0
#: Half-width of the finite difference used for the running direction on the track, m.
_HEADING_DS_M = 0.25
#: Spacing of the distance grid a route's elevation is resampled to and its grade profile
#: given on, m: GPX points are 1–100 m apart; 10 m resolves every hill a runner notices.
ROUTE_GRID_M = 10.0
#: Width of the moving average (same variance as the Gaussian actually used, σ = w/√12) that
#: smooths route elevation, m. GPS altitude wanders by metres from fix to fix and
#: barometric/SRTM profiles step by 0.2–1 m, so raw point-to-point grades reach ±30 % on level
#: roads; over ~50 m a 1 m error moves the grade by ≈ 2 %, while a climb of 100 m or more keeps
#: its grade (a bridge ramp is rounded off).
ROUTE_ALTITUDE_WINDOW_M = 50.0
#: Width of the rolling window of the elevation despiking (Hampel identifier), m. GPS altitude
#: spikes last one to three fixes (≤ 30 m at a fix every ~10 m, e.g. the first fix after the
#: GPS comes back on); a window more than twice as wide keeps them a minority, so its median is
#: the ground's, while it stays short enough to follow the hills a runner notices.
ROUTE_SPIKE_WINDOW_M = 100.0
#: Threshold of the despiking in robust standard deviations (1.4826·MAD): Hampel's usual
#: 3 σ. A straight ramp or a triangular summit deviates from its window's median by exactly
#: 3 MADs (≈ 2 σ), so real grades and hill tops are never taken for spikes.
_SPIKE_SIGMAS = 3.0
#: Smallest deviation from the window's median treated as a spike, m: on a flat, clean
#: (barometric or DEM) profile the MAD is nearly 0, and steps of a metre or two are ordinary
#: noise that the smoothing removes; 5 m off within 50 m is beyond either.
ROUTE_SPIKE_MIN_M = 5.0
#: MAD → standard deviation of a normal distribution (1/Φ⁻¹(3/4)).
_MAD_TO_SIGMA = 1.4826
#: Length over which the compass bearing of a route is taken, m (the direction of the chord
#: from 10 m before to 10 m after): removes GPS zig-zag between close points, keeps corners.
ROUTE_HEADING_WINDOW_M = 20.0
#: Largest distance accepted between consecutive points of one GPX segment, m: a route drawn in
#: a planner has a point at least every few hundred metres; a longer straight jump is a
#: corrupt point or a missing piece of the route, and racing along it would be invented.
ROUTE_MAX_POINT_GAP_M = 1000.0
#: Distance counted between the last point of a GPX segment and the first point of the next,
#: m: none (GPS was off in between, as in :mod:`kicklab.io.gpx` and the shared MANIFEST);
#: a millimetre keeps the route's distances strictly increasing.
_SEGMENT_JOIN_M = 1e-3
#: A route step whose end points lie this much further apart than the distance counted for it
#: is a segment join (a jump), m; its displacement is left out of the running direction.
_JOIN_EXCESS_M = 1.0


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


def _smooth_gaussian(values: np.ndarray, step_m: float, window_m: float) -> np.ndarray:
    """Gaussian smoothing of evenly spaced ``values`` (spacing ``step_m``, m), σ = window/√12.

    The ends are extended by odd reflection (``2·v₀ − v_k``), so a straight ramp comes back
    unchanged up to the first and last sample instead of being pulled towards the middle.
    """
    sigma = window_m / math.sqrt(12.0)
    half = max(1, int(math.ceil(3.0 * sigma / step_m)))
    u = np.arange(-half, half + 1) * (step_m / sigma)
    w = np.exp(-0.5 * u * u)
    w /= w.sum()
    n = values.size
    if n < 2:
        return values.copy()
    pad = min(half, n - 1)
    padded = np.pad(values, pad, mode="reflect", reflect_type="odd")
    if pad < half:  # very short profile: hold the reflected ends for the rest of the kernel
        padded = np.pad(padded, half - pad, mode="edge")
    return np.convolve(padded, w, mode="valid")


def _spike_max_m() -> float:
    """Largest deviation from a window's median that ground within ±0.45 grades can make, m."""
    return _MAX_GRADE * 0.3 * ROUTE_SPIKE_WINDOW_M


def _despike_points(
    dist: np.ndarray, ele: np.ndarray, seg: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """Elevation spikes of GPS points replaced by the ground's level (a Hampel identifier).

    The elevation (``ele``, m, no NaN, as recorded: segment joins not yet levelled) is
    resampled to ``grid`` (evenly spaced distances, m); each grid node gets the median and MAD
    of the nodes within ±:data:`ROUTE_SPIKE_WINDOW_M`/2 (windows shrink at the ends). A point
    (at ``dist``, m) deviating from the median there by more than ``3·1.4826·MAD`` (MAD
    there too), at least :data:`ROUTE_SPIKE_MIN_M` and at most 13.5 m, is a spike and
    takes that median. The cap is the most ground with grades within ±0.45 can stand off the
    median of a 100 m window: 7 of its 11 nodes lie within 30 m, so within 0.45·30 m.

    A point is judged against the median interpolated between the two nodes around it or,
    next to a segment join, at the nearest node of its own segment (``seg``, the segment of
    a node being that of the last point at or before it): a genuine level shift
    across a join (a barometer recalibrated while the GPS was off) is a step, which a median
    keeps, so neither side of it is taken for a spike; the levelling of joins then removes it.

    Returns
    -------
    numpy.ndarray
        The despiked elevations, m.
    """
    raw = np.interp(grid, dist, ele)
    # a node between the two points of a join takes the earlier one (no blend of two levels)
    before = np.searchsorted(dist, grid, side="right") - 1
    node_seg = seg[before]
    after = np.minimum(before + 1, dist.size - 1)
    raw = np.where(seg[after] != node_seg, ele[before], raw)
    n = raw.size
    spacing = float(grid[1] - grid[0])
    half = min(n - 1, max(1, round(0.5 * ROUTE_SPIKE_WINDOW_M / spacing)))
    padded = np.pad(raw, half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    med = np.nanmedian(windows, axis=1)
    mad = np.nanmedian(np.abs(windows - med[:, None]), axis=1)
    thresh = np.clip(_SPIKE_SIGMAS * _MAD_TO_SIGMA * mad, ROUTE_SPIKE_MIN_M, _spike_max_m())
    lo = np.clip(np.searchsorted(grid, dist, side="right") - 1, 0, n - 1)
    hi = np.minimum(lo + 1, n - 1)
    near_lo = dist - grid[lo] <= grid[hi] - dist
    near = np.where(near_lo, lo, hi)
    far = np.where(near_lo, hi, lo)
    node = np.where(node_seg[near] == seg, near, np.where(node_seg[far] == seg, far, near))
    # between two nodes of the point's own segment: interpolate (a ramp's median is the ramp)
    inside = (node_seg[lo] == seg) & (node_seg[hi] == seg) & (hi > lo)
    w = np.clip((dist - grid[lo]) / spacing, 0.0, 1.0)
    level = np.where(inside, med[lo] + w * (med[hi] - med[lo]), med[node])
    limit = np.where(inside, thresh[lo] + w * (thresh[hi] - thresh[lo]), thresh[node])
    spike = np.abs(ele - level) > limit
    return np.where(spike, level, ele)


@dataclass(frozen=True, eq=False)
class Route:
    """A road or cross-country route: positions and smoothed elevation along its distance.

    Build one with :meth:`from_gpx` (a GPX track or route; times are not needed) or directly
    from arrays. Equality compares the arrays; the hash uses the name, source, number of
    points and length, so a :class:`Course` holding a route stays hashable.

    Attributes
    ----------
    distance_m
        Cumulative distance along the route from its first point, m: starts at 0, strictly
        increasing.
    lat_deg, lon_deg
        Position of each point, degrees (WGS-84).
    altitude_m
        Despiked, smoothed elevation of each point, m (no NaN; all 0 when the file has no
        elevation).
        Read from GPX, a segment after a join continues at the elevation where the previous
        one ended (the jump across the join is not a climb).
    name
        The route's name (GPX ``trk/name``, ``rte/name`` or ``metadata/name``), or None.
    source
        Where it was read from (file path or ``"<bytes>"``), or None.
    has_elevation
        False when the file gave no elevation (then the route is taken as flat).
    """

    distance_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    altitude_m: np.ndarray
    name: str | None = None
    source: str | None = None
    has_elevation: bool = True
    _east_m: np.ndarray = field(init=False, repr=False)
    _north_m: np.ndarray = field(init=False, repr=False)
    _lon_unwrapped: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        src = self.source
        arrays = {}
        for key in ("distance_m", "lat_deg", "lon_deg", "altitude_m"):
            try:
                a = np.array(getattr(self, key), dtype=float)
            except (TypeError, ValueError):
                raise InvalidValue(f"route {key} must be an array of numbers", src) from None
            if a.ndim != 1:
                raise InvalidValue(f"route {key} must be one-dimensional", src)
            if not np.isfinite(a).all():
                raise InvalidValue(f"route {key} must be finite (no NaN)", src)
            a.setflags(write=False)
            arrays[key] = a
        d = arrays["distance_m"]
        if d.size < 2:
            raise InvalidValue("a route needs at least two points", src)
        if any(a.size != d.size for a in arrays.values()):
            raise InvalidValue("route arrays must all have the same length", src)
        if d[0] != 0.0 or not (np.diff(d) > 0).all():
            raise InvalidValue("route distance_m must start at 0 and be strictly increasing", src)
        if (np.abs(arrays["lat_deg"]) > 90).any() or (np.abs(arrays["lon_deg"]) > 360).any():
            raise InvalidValue("route latitudes must be within ±90° and longitudes ±360°", src)
        for key, a in arrays.items():
            object.__setattr__(self, key, a)
        object.__setattr__(self, "has_elevation", bool(self.has_elevation))
        lat = np.radians(arrays["lat_deg"])
        lon = np.unwrap(np.radians(arrays["lon_deg"]))  # continuous across ±180°
        object.__setattr__(self, "_lon_unwrapped", np.degrees(lon))
        # east/north displacement of each step (local tangent plane); a segment join (a jump
        # much longer than the distance counted for it) does not turn the runner
        d_north = np.diff(lat) * EARTH_RADIUS_M
        d_east = np.diff(lon) * np.cos(0.5 * (lat[1:] + lat[:-1])) * EARTH_RADIUS_M
        jump = np.hypot(d_east, d_north) > np.diff(d) + _JOIN_EXCESS_M
        d_east[jump] = 0.0
        d_north[jump] = 0.0
        object.__setattr__(self, "_east_m", np.concatenate([[0.0], np.cumsum(d_east)]))
        object.__setattr__(self, "_north_m", np.concatenate([[0.0], np.cumsum(d_north)]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Route):
            return NotImplemented
        return (
            self.name == other.name
            and self.source == other.source
            and self.has_elevation == other.has_elevation
            and all(
                np.array_equal(getattr(self, k), getattr(other, k))
                for k in ("distance_m", "lat_deg", "lon_deg", "altitude_m")
            )
        )

    def __hash__(self) -> int:
        return hash((self.name, self.source, self.distance_m.size, float(self.distance_m[-1])))

    # ------------------------------------------------------------------ geometry
    @property
    def length_m(self) -> float:
        """Length of the route, m."""
        return float(self.distance_m[-1])

    @property
    def ascent_m(self) -> float:
        """Total climb of the smoothed elevation, m."""
        dz = np.diff(self.altitude_m)
        return float(dz[dz > 0].sum())

    @property
    def descent_m(self) -> float:
        """Total descent of the smoothed elevation, m (positive)."""
        dz = np.diff(self.altitude_m)
        return float(-dz[dz < 0].sum())

    def latlon(self, distance_m: Any) -> tuple[np.ndarray, np.ndarray]:
        """Position at distances along the route (m, clipped to the route), degrees.

        Linear interpolation between points (exact to millimetres over the ≤ 1 km between
        points); longitudes are returned within ±180°.
        """
        x = np.clip(np.asarray(distance_m, dtype=float), 0.0, self.length_m)
        lat = np.interp(x, self.distance_m, self.lat_deg)
        lon = np.interp(x, self.distance_m, self._lon_unwrapped)
        return lat, (lon + 180.0) % 360.0 - 180.0

    def altitude_at(self, distance_m: Any) -> np.ndarray:
        """Smoothed elevation at distances along the route (m, clipped to the route), m."""
        x = np.clip(np.asarray(distance_m, dtype=float), 0.0, self.length_m)
        return np.interp(x, self.distance_m, self.altitude_m)

    def bearing_rad(self, distance_m: Any, window_m: float = ROUTE_HEADING_WINDOW_M) -> np.ndarray:
        """Compass bearing of the running direction at distances along the route, radians.

        0 = north, π/2 = east (clockwise), in [0, 2π): the direction of the chord from
        ``window_m/2`` before to ``window_m/2`` after the point (clipped at the route's ends),
        with the jumps between GPX segments left out. At a hairpin turn where the chord
        vanishes the bearing is 0 (north) for the few metres of the turn.
        """
        half = 0.5 * _finite(window_m, "window_m", 0.1, 1000.0)
        x = np.asarray(distance_m, dtype=float)
        lo = np.clip(x - half, 0.0, self.length_m)
        hi = np.clip(x + half, 0.0, self.length_m)
        de = np.interp(hi, self.distance_m, self._east_m) - np.interp(
            lo, self.distance_m, self._east_m
        )
        dn = np.interp(hi, self.distance_m, self._north_m) - np.interp(
            lo, self.distance_m, self._north_m
        )
        return np.mod(np.arctan2(de, dn), 2.0 * math.pi)

    def grade_profile(
        self, distance_m: float | None = None, step_m: float = ROUTE_GRID_M
    ) -> np.ndarray:
        """Grades evenly spaced from the start to ``distance_m`` (m, default the whole route).

        The smoothed elevation is sampled every ≤ ``step_m`` metres and differentiated with
        central differences; grades are clipped to ±0.45 (Minetti 2002's range). This is the
        array :class:`Course` takes as ``grade``.
        """
        end = self.length_m if distance_m is None else float(distance_m)
        if not (0.0 < end <= self.length_m * (1.0 + 1e-9)):
            raise InvalidValue(
                f"distance_m must be within the route (0–{self.length_m:.1f} m), got {distance_m!r}",
                self.source,
            )
        step = _finite(step_m, "step_m", 0.1, 1000.0)
        grid = np.linspace(0.0, end, max(2, int(math.ceil(end / step - 1e-3)) + 1))
        grade = np.gradient(self.altitude_at(grid), grid)
        return np.clip(grade, -_MAX_GRADE, _MAX_GRADE)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: name, source, number of points, length, ascent and descent (m)."""
        return {
            "name": self.name,
            "source": self.source,
            "points": int(self.distance_m.size),
            "length_m": self.length_m,
            "ascent_m": self.ascent_m,
            "descent_m": self.descent_m,
            "has_elevation": self.has_elevation,
        }

    # ------------------------------------------------------------------ GPX
    @classmethod
    def from_gpx(cls, path_or_bytes: Source, *, name: str | None = None) -> Route:
        """Read a route from a GPX file's track points (``trk/trkseg/trkpt``) or, when it has
        none, its route points (``rte/rtept``). Times are not needed.

        Parameters
        ----------
        path_or_bytes
            Path, bytes or binary file object (gzip-compressed content is unwrapped).
        name
            Label used in errors and as :attr:`source` (defaults to the path).

        Notes
        -----
        * Distance is the cumulative great-circle (haversine) distance between points; the
          jump from one segment (or track) to the next is not counted (GPS was off), as in
          :func:`kicklab.io.read_gpx`. Repeated positions are dropped.
        * Elevation (``ele``) is interpolated over distance where a point lacks it, made
          despiked (a point standing more than 3 robust σ — at least
          :data:`ROUTE_SPIKE_MIN_M`, at most 13.5 m — off the median of the
          :data:`ROUTE_SPIKE_WINDOW_M` around it takes that median: GPS fixes just after the
          receiver comes back on are often tens of metres off), made continuous across segment
          joins (a later segment is shifted by the jump), resampled to a :data:`ROUTE_GRID_M`
          grid and smoothed over :data:`ROUTE_ALTITUDE_WINDOW_M`.
          A file without any elevation gives a flat route (``has_elevation=False``).
        * The document is parsed with the safe streaming reader of :mod:`kicklab.io._xml`
          (entity declarations refused, nesting and size bounded).

        Raises
        ------
        CorruptFile
            Malformed or truncated XML, entity declarations.
        UnsupportedFormat
            Not a GPX document.
        InvalidValue
            Fewer than two points with a position, a route shorter than 60 m, or two
            consecutive points of one segment more than :data:`ROUTE_MAX_POINT_GAP_M` apart.
        """
        from kicklab.io.sniff import sniff
        from kicklab.io.source import gunzip, load_bytes

        data, label = load_bytes(path_or_bytes, name)
        try:
            if sniff(data) == "gzip":
                data = gunzip(data, label)
            if sniff(data) != "gpx":
                raise UnsupportedFormat("not a GPX document (no <gpx> root element)", label)
            return _route_from_points(_gpx_points(data, label), label)
        except KicklabError as exc:
            raise exc.with_source(label) from None
        except RecursionError:
            raise UnsupportedFormat("input nests too deeply", label) from None


def _gpx_points(data: bytes, source: str) -> dict[str, Any]:
    """Positions and elevations (float arrays, NaN where missing or unparsable) and segment
    numbers of a GPX document's track points (or, when there are none, its route points), in
    document order, with the name of the track, route or document."""
    from kicklab.io._xml import clean_text, iter_xml, to_float

    cols: dict[str, dict[str, list[Any]]] = {
        kind: {"lat": [], "lon": [], "ele": [], "seg": []} for kind in ("trk", "rte")
    }
    point_tags = {"trkpt": "trk", "rtept": "rte"}
    names: dict[str, str | None] = {"trk": None, "rte": None, "metadata": None}
    seg = 0
    point: dict[str, Any] | None = None
    point_depth = 0
    for is_start, tag, elem, stack in iter_xml(data, source, root="gpx"):
        depth = len(stack)
        if is_start:
            if point is None:
                if tag in point_tags and depth >= 2 and stack[-2] in ("trkseg", "trk", "rte"):
                    point = {"ele": None}
                    point_depth = depth
                elif tag in ("trkseg", "trk", "rte"):
                    seg += 1
            continue
        if point is not None:
            if depth == point_depth:
                col = cols[point_tags[tag]]
                col["lat"].append(elem.get("lat"))
                col["lon"].append(elem.get("lon"))
                col["ele"].append(point["ele"])
                col["seg"].append(seg)
                point = None
            elif depth == point_depth + 1 and tag == "ele" and point["ele"] is None:
                point["ele"] = elem.text
            continue
        if tag == "name" and depth >= 2:
            # GPX 1.0 puts the document's name directly under <gpx>, GPX 1.1 in <metadata>
            parent = "metadata" if stack[-2] == "gpx" else stack[-2]
            if parent in names and names[parent] is None:
                names[parent] = clean_text(elem.text)
    kind = "trk" if cols["trk"]["lat"] else "rte"
    col = cols[kind]
    return {
        "lat": to_float(col["lat"]),
        "lon": to_float(col["lon"]),
        "ele": to_float(col["ele"]),
        "seg": np.asarray(col["seg"], dtype=np.int64),
        "name": names[kind] or names["metadata"] or names["trk"] or names["rte"],
    }


def _route_from_points(points: dict[str, Any], source: str) -> Route:
    """A :class:`Route` from parsed GPX points: distance, jump checks, smoothed elevation."""
    lat, lon, ele, seg = points["lat"], points["lon"], points["ele"], points["seg"]
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if ok.sum() < 2:
        what = "track or route points" if lat.size == 0 else "points with a valid position"
        raise InvalidValue(f"a route needs at least two {what}, found {int(ok.sum())}", source)
    lat, lon, ele, seg = lat[ok], lon[ok], ele[ok], seg[ok]
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    join = seg[1:] != seg[:-1]
    too_far = ~join & (step > ROUTE_MAX_POINT_GAP_M)
    if too_far.any():
        i = int(np.flatnonzero(too_far)[0])
        raise InvalidValue(
            f"{int(too_far.sum())} step(s) longer than {ROUTE_MAX_POINT_GAP_M:g} m between "
            f"consecutive points (the first: {step[i]:.0f} m after point {i + 1} of "
            f"{lat.size}); the route has a gap or a corrupt position",
            source,
        )
    step = np.where(join, _SEGMENT_JOIN_M, step)
    # of repeated positions (a standstill) keep the last: its elevation is the one the route
    # leaves with (a barometer may still be settling before the start)
    keep = np.concatenate([step > 0, [True]])
    dist = np.concatenate([[0.0], np.cumsum(step)])[keep]
    lat, lon, ele, seg = lat[keep], lon[keep], ele[keep], seg[keep]
    length = float(dist[-1])
    if length < _MIN_DISTANCE_M:
        raise InvalidValue(
            f"the route is {length:.1f} m long, shorter than the {_MIN_DISTANCE_M:g} m of the "
            "shortest race",
            source,
        )
    has_ele = int(np.isfinite(ele).sum()) >= 2
    if has_ele:
        good = np.isfinite(ele)
        ele = np.interp(dist, dist[good], ele[good])
        grid = np.linspace(0.0, length, int(math.ceil(length / ROUTE_GRID_M - 1e-3)) + 1)
        ele = _despike_points(dist, ele, seg, grid)
        # a later segment continues at the elevation where the previous one ended: the jump
        # across a join is not a climb the runner makes
        jump = np.concatenate([[0.0], np.where(seg[1:] != seg[:-1], np.diff(ele), 0.0)])
        ele = ele - np.cumsum(jump)
        raw = np.interp(grid, dist, ele)
        smooth = _smooth_gaussian(raw, float(grid[1] - grid[0]), ROUTE_ALTITUDE_WINDOW_M)
        altitude = np.interp(dist, grid, smooth)
    else:
        altitude = np.zeros(dist.size)
    return Route(dist, lat, lon, altitude, points["name"], source, has_ele)


@dataclass(frozen=True)
class Course:
    """Where and in what weather a race is run.

    Parameters
    ----------
    distance_m
        Race distance, m (measured on the lane-1 running line on a track).
    kind
        ``"track"`` (400 m oval, bends and lanes) or ``"road"`` (a road or cross-country course:
        no bends; a straight line unless it follows a ``route``).
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
        Direction the wind blows *towards*, degrees. Without a route: relative to the running
        direction on the home straight (track) or on the whole course (road), 0 = tailwind
        there, 180 = headwind. With a ``route``: a compass bearing (0 = towards north, 90 =
        towards east), so the meteorological "wind from the south" is 0 and "from the west"
        is 90; the tail-wind component then turns with the route.
    wbgt_c
        Wet-bulb globe temperature, °C, or ``None`` for no heat penalty.
    sex
        ``"men"`` or ``"women"``: barrier height and the heat-penalty table.
    heat_level
        ``"top"`` or ``"slower"`` runners in Ely 2007's heat table.
    route
        A :class:`Route` the road course follows from its first point (see :meth:`from_gpx`);
        the race uses its first ``distance_m`` metres. ``grade`` should then come from
        :meth:`Route.grade_profile`.
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
    route: Route | None = None

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
        if self.steeple and abs(d - 3000.0) > 1e-6:
            raise InvalidValue(
                f"a steeplechase is run over 3000 m here (the layout of its 35 jumps), got {d:g} m"
            )
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
        if self.route is not None:
            if not isinstance(self.route, Route):
                raise InvalidValue(f"route must be a Route, got {type(self.route).__name__}")
            if self.kind != "road":
                raise InvalidValue("a route needs kind='road' (a track has its own geometry)")
            if d > self.route.length_m * (1.0 + 1e-9):
                raise InvalidValue(
                    f"distance_m ({d:g} m) is longer than the route ({self.route.length_m:.1f} m)",
                    self.route.source,
                )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_gpx(
        cls,
        path_or_bytes: Source,
        *,
        distance_m: float | None = None,
        wind_mps: float = 0.0,
        wind_dir_deg: float = 0.0,
        wbgt_c: float | None = None,
        sex: str = "men",
        heat_level: str = "top",
        kind: str = "road",
    ) -> Course:
        """A road (or cross-country) course following a GPX track or route.

        Parameters
        ----------
        path_or_bytes
            GPX file: path, bytes or binary file object (read by :meth:`Route.from_gpx`;
            times are not needed, so a route drawn in a planner works).
        distance_m
            Race distance, m; default the route's length. A shorter race uses the route's
            first ``distance_m`` metres; a longer one raises
            :class:`~kicklab.errors.InvalidValue`.
        wind_mps
            Wind speed, m/s.
        wind_dir_deg
            Compass bearing the wind blows *towards*, degrees (0 = towards north: a wind
            *from* the south).
        wbgt_c, sex, heat_level
            As for :class:`Course`.
        kind
            ``"road"`` (the only kind that follows a route).

        Returns
        -------
        Course
            With ``route`` set and ``grade`` the route's smoothed grade every ≤ 10 m
            (:meth:`Route.grade_profile`).
        """
        if kind != "road":
            raise InvalidValue(f"a course from a GPX route must have kind='road', got {kind!r}")
        route = Route.from_gpx(path_or_bytes)
        if distance_m is None:
            d = route.length_m
        else:
            d = _finite(distance_m, "distance_m", _MIN_DISTANCE_M, _MAX_DISTANCE_M)
            if d > route.length_m * (1.0 + 1e-9):
                raise InvalidValue(
                    f"distance_m ({d:g} m) is longer than the route ({route.length_m:.1f} m)",
                    route.source,
                )
        if not _MIN_DISTANCE_M <= d <= _MAX_DISTANCE_M:
            raise InvalidValue(
                f"the route is {d / 1000:.1f} km long; give distance_m within "
                f"{_MIN_DISTANCE_M:g}–{_MAX_DISTANCE_M:g} m to race on part of it",
                route.source,
            )
        grade = tuple(float(g) for g in route.grade_profile(d))
        return cls(
            d,
            kind="road",
            grade=grade,
            wind_mps=wind_mps,
            wind_dir_deg=wind_dir_deg,
            wbgt_c=wbgt_c,
            sex=sex,
            heat_level=heat_level,
            route=route,
        )

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
        """Running direction at race distances (rad).

        Track: relative to the home straight's direction. Road without a route: 0 (the
        course direction). Road with a route: the route's compass bearing (0 = north,
        clockwise, smoothed over :data:`ROUTE_HEADING_WINDOW_M`), held at its finish value
        past the finish."""
        x = np.asarray(distance_m, dtype=float)
        if self.route is not None:
            return self.route.bearing_rad(np.clip(x, 0.0, self.distance_m))
        if self.kind == "road":
            return np.zeros_like(x)
        s = x - self.distance_m  # distance after the finish line along lane 1
        x0, y0 = track_xy(s - _HEADING_DS_M)
        x1, y1 = track_xy(s + _HEADING_DS_M)
        return np.arctan2(y1 - y0, x1 - x0)

    def tailwind_mps(self, distance_m: Any) -> np.ndarray:
        """Wind component along the running direction at race distances (m/s, + = tailwind):
        ``wind_mps·cos(heading − wind_dir)`` (see ``wind_dir_deg`` for the reference)."""
        rel = self.heading_rad(distance_m) - math.radians(self.wind_dir_deg)
        return self.wind_mps * np.cos(rel)

    def route_latlon(self, distance_m: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """Position (latitude, longitude in degrees) at race distances ``distance_m`` (m) on
        the route, interpolated between its points and held at the finish past it; ``None``
        for a course without a route."""
        if self.route is None:
            return None
        x = np.clip(np.asarray(distance_m, dtype=float), 0.0, self.distance_m)
        return self.route.latlon(x)

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

            barriers = steeplechase_layout(self.distance_m, sex=self.sex).reset_index(drop=True)
        return CourseProfile(step, x, grade, tail, radius, wide, barriers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (a grade callable is described, not serialised; a route is
        summarised: name, source, points, length, ascent and descent)."""
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
            "route": None if self.route is None else self.route.to_dict(),
        }
