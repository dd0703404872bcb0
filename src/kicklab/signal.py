"""Signal basics: 1 Hz resampling, GPS spike removal, zero-phase smoothing, grade and pauses.

Everything a kick detector stands on. The plain functions work on numpy arrays (or a records
:class:`~pandas.DataFrame` for :func:`resample_1hz`); :func:`clean` chains them into a ready
:class:`~kicklab.activity.Activity`:

1. :func:`remove_spikes` flags impossible samples (position jumps faster than a human can run,
   speed changes beyond a physical acceleration, Hampel outliers); they become NaN;
2. :func:`resample_1hz` puts the records on an integer-second grid, interpolating short holes
   and leaving recording gaps NaN;
3. when the file has no distance, :func:`smooth_positions` + :func:`distance_from_positions`
   derive it from GPS; when it has no speed, :func:`speed_from_distance` derives it;
4. :func:`smooth_speed` smooths speed without moving it in time (a kick onset stays put); the
   unsmoothed speed is kept as ``speed_raw_mps``;
5. :func:`grade_from_altitude` turns altitude into grade over a distance window;
6. :func:`detect_pauses` finds recording gaps and standstills, merged with the file's own pauses
   by :func:`merge_pauses`.

Every smoother here is *zero phase*: a symmetric (centred) kernel, so a step or a peak stays at
the same time. The kernels are Gaussian-weighted local polynomials evaluated by direct
summation over neighbouring samples (vectorised per offset, never per sample), which handles
NaN holes (normalised convolution) and irregular sampling alike, with numpy only.

Units are SI throughout: s, m, m/s, m/s². The reasons behind every default are in the
constants' comments below and in ``docs/signal.md``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import PAUSE_COLUMNS, Activity, empty_pauses
from kicklab.errors import EmptyActivity, InvalidValue
from kicklab.geo import EARTH_RADIUS_M, cumulative_distance_m, haversine_m

__all__ = [
    "MAX_RUNNING_SPEED_MPS",
    "MAX_CYCLING_SPEED_MPS",
    "MAX_ACCEL_MPS2",
    "SPIKE_WINDOW_SAMPLES",
    "HAMPEL_N_SIGMA",
    "HAMPEL_MIN_DEVIATION_MPS",
    "POSITION_TOLERANCE_M",
    "SPEED_WINDOW_S",
    "POSITION_WINDOW_S",
    "POSITION_NOISE_M",
    "GRADE_WINDOW_M",
    "MAX_GRADE",
    "MAX_GAP_S",
    "GAP_FACTOR",
    "STOP_SPEED_MPS",
    "MIN_STOP_S",
    "MAX_RESAMPLE_SPAN_S",
    "resample_1hz",
    "distance_from_positions",
    "smooth_positions",
    "position_noise_m",
    "speed_from_distance",
    "remove_spikes",
    "smooth_speed",
    "grade_from_altitude",
    "minetti_cost",
    "grade_adjusted_speed",
    "detect_pauses",
    "merge_pauses",
    "clean",
]

# ----------------------------------------------------------------------------- constants
#: Fastest plausible speed on foot, m/s. Usain Bolt's peak in his 9.58 s 100 m (Berlin 2009)
#: was about 12.3-12.4 m/s (≈ 44.5 km/h); 12.5 m/s leaves a small margin above the fastest
#: human ever measured, so anything faster is a GPS error, never a kick.
MAX_RUNNING_SPEED_MPS: float = 12.5
#: Fastest plausible speed for cycling activities, m/s (108 km/h: fast road descents; also the
#: upper plausibility bound the Activity constructor applies to any speed).
MAX_CYCLING_SPEED_MPS: float = 30.0
#: Largest plausible horizontal acceleration (or deceleration) held over one sample, m/s².
#: Elite sprinters reach ~8-10 m/s² only in the first step out of the blocks and are below
#: ~6 m/s² within a second; endurance runners accelerate at < 4 m/s² (a finishing kick is
#: ~0.5-1.5 m/s²). A one-sample up-and-down speed change steeper than this is a sensor glitch.
MAX_ACCEL_MPS2: float = 6.0
#: Samples in the centred spike-detection window (3 either side). A GPS glitch lasts 1-3
#: fixes, so with 7 samples the good ones are still the majority (the median and the
#: reachability vote below both break down only at 4 bad samples); it is short against a kick
#: (20-60 s), and neither rule flags a monotonic ramp, so a real acceleration survives.
SPIKE_WINDOW_SAMPLES: int = 7
#: Hampel threshold in robust standard deviations (1.4826 × MAD). Three is Hampel's and
#: Pearson's (2002) customary choice: ~0.3 % false alarms on Gaussian noise.
HAMPEL_N_SIGMA: float = 3.0
#: Smallest speed deviation the Hampel filter may flag, m/s. On steady or quantised speed
#: (treadmill, footpod) the MAD is 0 and any change would be an "outlier", and a 7-sample MAD
#: is itself noisy. 1 m/s is ~5σ of typical 1 Hz Doppler speed noise (~0.2 m/s), so ordinary
#: noise is left to the smoother, while a bump big enough to pass for a surge (a kick adds
#: 1-3 m/s) is removed.
HAMPEL_MIN_DEVIATION_MPS: float = 1.0
#: Position error allowed on top of ``max_speed × Δt`` when judging a GPS jump, m. Consumer
#: GNSS horizontal error is ~2-5 m (1σ) in open sky, so two independent fixes can lie ~10 m
#: apart with no motion at all; the glitches worth removing jump tens to hundreds of metres.
POSITION_TOLERANCE_M: float = 10.0
#: Default speed smoothing window, s (width of the moving average with the same variance as the
#: Gaussian kernel; σ = window / √12 ≈ 1.44 s). It removes most 1 Hz GPS/Doppler speed noise
#: while a step stays sharp (10-90 % rise ≈ 3.7 s) and, being centred, does not move in time.
SPEED_WINDOW_S: float = 5.0
#: Default window for smoothing GPS positions before summing distance, s (σ ≈ 2.9 s, local
#: quadratic fit). Raw 1 Hz fixes with 3 m noise overstate distance by 30-100 % (noise adds
#: length); too much smoothing cuts corners. A local quadratic with this window keeps the
#: distance of a 400 m track (the tightest bends a runner meets, radius 36.5 m) within ~1 %
#: at 3-6 m/s with 3 m noise (see docs/signal.md).
POSITION_WINDOW_S: float = 10.0
#: Position noise above which :func:`clean` smooths GPS fixes before summing distance, m
#: (robust standard deviation of the fixes about a local quadratic fit,
#: :func:`position_noise_m`). Watches filter positions before recording them: in the shared
#: FIT/GPX/TCX files this noise is 0.0-0.5 m and the raw sum matches the device's distance
#: within ~1 %, while smoothing would only cut real corners. White fix-to-fix noise of 1 m
#: already inflates 1 Hz distance by ~7 % at 4 m/s (excess ≈ σ²/step²), so it is smoothed.
POSITION_NOISE_M: float = 1.0
#: Default distance window for grade, m (σ = window / √12 ≈ 11.5 m). With FIT's 0.2 m altitude
#: resolution or ~0.3 m barometric noise and a sample every 3-6 m it keeps the grade error near
#: ±0.01, yet resolves ramps of bridges and short hills (≥ 50-80 m long).
GRADE_WINDOW_M: float = 40.0
#: Grade clip: Minetti et al. (2002) measured the energy cost of running on gradients -0.45
#: to +0.45 only; beyond that a "grade" from altitude noise is meaningless (SCIENCE.md §4).
MAX_GRADE: float = 0.45
#: Default largest hole interpolated when resampling, and smallest recording gap reported as a
#: pause, s. Smart recording spaces samples 1-8 s apart; a longer hole is a gap (paused timer,
#: lost signal) in which nothing should be invented.
MAX_GAP_S: float = 10.0
#: A gap must also exceed this many times the file's median sample spacing, so sparse files
#: (GPX every 5-15 s) do not turn every ordinary interval into a pause.
GAP_FACTOR: float = 5.0
#: Below this speed a runner is standing still, m/s: slow walking is ~1.0-1.4 m/s, and a
#: standstill's residual GPS/Doppler speed noise is ~0.1-0.3 m/s.
STOP_SPEED_MPS: float = 0.5
#: Shortest standstill reported as a pause, s: briefer halts (a cup at a drinks station, a
#: look at the watch) belong to running, a 10 s stop does not.
MIN_STOP_S: float = 10.0
#: Longest span :func:`resample_1hz` accepts, s (7 days: ~600 000 rows). A corrupt clock can
#: put a few records weeks apart; a 1 Hz grid over that would exhaust memory.
MAX_RESAMPLE_SPAN_S: float = 7 * 86400.0

#: Gaussian kernels are truncated at this many σ (weights below exp(-4.5) ≈ 1 %).
_TRUNCATE = 3.0
#: Robust standard deviation per median absolute deviation for Gaussian data (1 / Φ⁻¹(3/4)).
_MAD_TO_SIGMA = 1.4826
#: Samples in the rolling median applied to speed before the stopped test: an isolated 1-2
#: sample noise excursion above the threshold does not split a standstill, and a median filter
#: keeps the edges of a real stop in place.
_STOP_MEDIAN_SAMPLES = 5
#: Upper bound on (samples × kernel offsets) for the direct-sum smoothers, so an absurdly dense
#: input fails fast with a clear message instead of running for minutes.
_MAX_KERNEL_WORK = 50_000_000
#: Rows of sliding windows sorted at once by the Hampel filter (bounds its memory).
_HAMPEL_CHUNK = 65_536
#: Widest spike window accepted, samples: wider is no longer a spike filter but a smoother.
_MAX_SPIKE_WINDOW = 101
#: Most points on the uniform distance grid used for grade (bounds memory on corrupt distance).
_MAX_GRADE_GRID = 1_000_000
#: Sports whose default speed limit is :data:`MAX_CYCLING_SPEED_MPS` (others are on foot).
_WHEEL_SPORTS = frozenset({"cycling", "e_biking", "inline_skating", "driving", "motorcycling"})
#: Columns that describe position and motion; a spike blanks all of them.
_KINEMATIC = ("speed_mps", "lat_deg", "lon_deg", "distance_m")
#: Priority of pause kinds when overlapping intervals are merged (lower wins); kinds from the
#: file itself (e.g. FIT ``"timer"``) come before any detected kind.
_DETECTED_KIND_PRIORITY = {"gap": 1, "stopped": 2}


# ----------------------------------------------------------------------------- helpers
def _array(x: Any, name: str, n: int | None = None) -> np.ndarray:
    """A 1-D float64 copy of ``x`` (non-finite → NaN); InvalidValue on a wrong shape."""
    try:
        arr = np.array(x, dtype=float, copy=True).reshape(-1) if x is not None else None
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numeric") from None
    if arr is None:
        raise InvalidValue(f"{name} is required")
    if n is not None and arr.size != n:
        raise InvalidValue(f"{name} has {arr.size} values but time_s has {n}")
    arr[~np.isfinite(arr)] = np.nan
    return arr


def _time(time_s: Any) -> np.ndarray:
    """Sample times as float64, required finite and non-decreasing (s)."""
    t = _array(time_s, "time_s")
    if np.isnan(t).any():
        raise InvalidValue("time_s has missing (NaN) values")
    if t.size > 1 and (np.diff(t) < 0).any():
        raise InvalidValue("time_s must be non-decreasing")
    return t


def _positive(value: float, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidValue(f"{name} must be a positive number, got {value!r}")
    return v


def _nonneg(value: float, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise InvalidValue(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def _median_spacing(t: np.ndarray) -> float:
    """Median of the positive sample intervals (s); 1.0 when undefined."""
    dt = np.diff(t)
    dt = dt[dt > 0]
    return float(np.median(dt)) if dt.size else 1.0


def _local_poly(
    t: np.ndarray, x: np.ndarray, sigma: float, degree: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian-weighted local polynomial fit of ``x(t)`` at every sample (zero phase).

    At each sample ``i`` fits ``x_j - x_i ≈ a + b·u + c·u²`` with ``u = (t_j - t_i) / σ`` and
    weights ``exp(-u²/2)`` over the valid samples within ``_TRUNCATE·σ``; returns the fitted
    value ``x_i + a`` and the slope ``b / σ`` (dx/dt). Working with differences ``x_j - x_i``
    makes a constant signal come back exactly. Degree 2 is used only where at least two valid
    neighbours lie on each side (else degree 1, else the sample itself), so edges and gap
    borders are extrapolated linearly rather than pulled inwards. NaN samples stay NaN.

    The moments are accumulated per offset (pairs ``(i, i+o)``, each counted once for both
    ends), so the cost is O(n·K) with K the number of samples within ``_TRUNCATE·σ``.
    """
    n = t.size
    value = x.copy()
    slope = np.full(n, np.nan)
    if n < 2:
        return value, slope
    reach = _TRUNCATE * sigma
    idx = np.arange(n)
    k_right = int((np.searchsorted(t, t + reach, side="right") - 1 - idx).max())
    k_left = int((idx - np.searchsorted(t, t - reach, side="left")).max())
    k_max = max(k_right, k_left)
    if n * k_max > _MAX_KERNEL_WORK:
        raise InvalidValue(
            f"{n} samples with up to {k_max} within ±{reach:.3g} s of each other are too dense "
            "to smooth directly; resample them first (resample_1hz)"
        )
    n_mom = 2 * degree + 1
    s_mom = np.zeros((n_mom, n))
    t_mom = np.zeros((degree + 1, n))
    s_mom[0] = 1.0  # the centre sample itself: weight 1 at u = 0
    n_left = np.zeros(n)
    n_right = np.zeros(n)
    for o in range(1, k_max + 1):
        u = (t[o:] - t[:-o]) / sigma
        dx = x[o:] - x[:-o]
        ok = np.isfinite(dx) & (u <= _TRUNCATE)
        w = np.where(ok, np.exp(-0.5 * u * u), 0.0)
        dx = np.where(ok, dx, 0.0)
        n_right[:-o] += ok
        n_left[o:] += ok
        wk = w
        for k in range(n_mom):
            sign = -1.0 if k % 2 else 1.0  # the right element sees its neighbour at -u
            s_mom[k, :-o] += wk
            s_mom[k, o:] += sign * wk
            if k <= degree:
                t_mom[k, :-o] += wk * dx
                t_mom[k, o:] -= sign * wk * dx
            wk = wk * u
    valid = np.isfinite(x)
    # degree 0 (normalised convolution) everywhere first
    with np.errstate(invalid="ignore", divide="ignore"):
        value = x + t_mom[0] / s_mom[0]
        if degree >= 1:
            det = s_mom[0] * s_mom[2] - s_mom[1] ** 2
            lin = valid & (n_left + n_right >= 1) & (det > 1e-9 * s_mom[0] * s_mom[2])
            a1 = (t_mom[0] * s_mom[2] - t_mom[1] * s_mom[1]) / det
            b1 = (s_mom[0] * t_mom[1] - s_mom[1] * t_mom[0]) / det
            value = np.where(lin, x + a1, value)
            slope = np.where(lin, b1 / sigma, np.nan)
        if degree >= 2:
            quad = valid & (n_left >= 2) & (n_right >= 2)
            if quad.any():
                rows = np.flatnonzero(quad)
                mat = np.empty((rows.size, 3, 3))
                for r in range(3):
                    for c in range(3):
                        mat[:, r, c] = s_mom[r + c, rows]
                # a row is degenerate only when its neighbours share fewer than three
                # distinct times (duplicate time stamps); those keep the linear fit
                scale = s_mom[0, rows] * s_mom[2, rows] * s_mom[4, rows]
                solvable = np.abs(np.linalg.det(mat)) > 1e-9 * scale
                rows, mat = rows[solvable], mat[solvable]
                if rows.size:
                    rhs = t_mom[:3, rows].T[..., None]
                    sol = np.linalg.solve(mat, rhs)[..., 0]
                    good = np.isfinite(sol).all(axis=1)
                    value[rows[good]] = x[rows[good]] + sol[good, 0]
                    slope[rows[good]] = sol[good, 1] / sigma
    value[~valid] = np.nan
    return value, slope


def _interp_column(
    t: np.ndarray,
    x: np.ndarray,
    grid: np.ndarray,
    max_gap_s: float | None,
    bins: np.ndarray | None = None,
    n_bins: int = 0,
) -> np.ndarray:
    """Linear interpolation of ``x(t)`` onto ``grid`` from its valid samples only.

    No extrapolation beyond the first/last valid sample. With ``max_gap_s``, grid points
    strictly inside a hole longer than that between valid samples stay NaN. With ``bins`` (one
    integer per sample), valid samples sharing a bin are first replaced by their mean time and
    mean value: for dense (sub-second) input this averages noise without shifting time, since
    a linear trend passes through its (mean t, mean x) point.
    """
    valid = np.isfinite(x)
    tv = t[valid]
    xv = x[valid]
    if bins is not None and tv.size:
        b = bins[valid]
        cnt = np.bincount(b, minlength=n_bins)
        used = cnt > 0
        t_first, x_first, t_last, x_last = tv[0], xv[0], tv[-1], xv[-1]
        tv = np.bincount(b, weights=tv, minlength=n_bins)[used] / cnt[used]
        xv = np.bincount(b, weights=xv, minlength=n_bins)[used] / cnt[used]
        # keep the first and last samples as anchors: bin means pull the ends inwards
        if t_first < tv[0]:
            tv, xv = np.r_[t_first, tv], np.r_[x_first, xv]
        if t_last > tv[-1]:
            tv, xv = np.r_[tv, t_last], np.r_[xv, x_last]
    if tv.size == 0:
        return np.full(grid.size, np.nan)
    eps = 1e-6  # s: float round-off in times (e.g. 60 × 0.05 s = 2.9999999999999996)
    y = np.interp(grid, tv, xv)
    y[(grid < tv[0] - eps) | (grid > tv[-1] + eps)] = np.nan
    if max_gap_s is not None and tv.size > 1:
        j = np.clip(np.searchsorted(tv, grid, side="right") - 1, 0, tv.size - 2)
        span = tv[j + 1] - tv[j]
        inside = (grid > tv[j] + eps) & (grid < tv[j + 1] - eps)
        y[inside & (span > max_gap_s)] = np.nan
    return y


def _is_interpolable(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


# ----------------------------------------------------------------------------- resampling
def resample_1hz(records: pd.DataFrame, *, max_gap_s: float = MAX_GAP_S) -> pd.DataFrame:
    """Put records on an integer-second grid (1 Hz), from the first to the last whole second.

    Parameters
    ----------
    records
        Per-sample table with a ``time_s`` column (s; an Activity's records start at 0). Rows
        are sorted by time and duplicate times dropped (first kept), as Activity does.
    max_gap_s
        Largest hole between a column's valid samples that is linearly interpolated, s
        (default :data:`MAX_GAP_S`: smart recording spaces samples up to ~8 s). Inside longer
        holes (paused recording, lost signal) values stay NaN.

    Returns
    -------
    pandas.DataFrame
        Same columns in the same order; ``time_s`` is ``ceil(t0), …, floor(t_end)``.

        * numeric columns: linear interpolation from each column's own valid samples (a column
          missing for a while stays NaN there), NaN inside longer holes, never extrapolated;
        * ``distance_m`` (cumulative): interpolated across every hole, so it stays defined and
          non-decreasing when the input is;
        * ``timestamp``: recomputed as start + ``time_s`` (start = first valid timestamp minus
          its ``time_s``);
        * other columns (text, categories, flags): the nearest previous sample's value.

        When the input is denser than 1 Hz (median spacing < 1 s), each column's samples are
        first averaged per second (mean time and mean value), which reduces noise without
        shifting it in time; sparser input is interpolated directly.

    Raises
    ------
    EmptyActivity
        No ``time_s`` column or no valid time, or the records span no whole second.
    InvalidValue
        ``max_gap_s`` not positive, or a span over :data:`MAX_RESAMPLE_SPAN_S`.
    """
    if not isinstance(records, pd.DataFrame) or "time_s" not in records.columns:
        raise EmptyActivity("records have no time_s column")
    max_gap_s = _positive(max_gap_s, "max_gap_s")
    t_all = pd.to_numeric(records["time_s"], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(t_all)
    if not keep.any():
        raise EmptyActivity("no records with a valid time")
    rec = records.loc[keep].reset_index(drop=True)
    t = t_all[keep]
    if t.size > 1 and (np.diff(t) < 0).any():
        order = np.argsort(t, kind="stable")
        rec = rec.iloc[order].reset_index(drop=True)
        t = t[order]
    if t.size > 1:
        first = np.r_[True, np.diff(t) > 0]
        if not first.all():
            rec = rec.loc[first].reset_index(drop=True)
            t = t[first]
    eps = 1e-6
    g0 = math.ceil(t[0] - eps)
    g1 = math.floor(t[-1] + eps)
    if g1 < g0:
        raise EmptyActivity("records span no whole second")
    if g1 - g0 > MAX_RESAMPLE_SPAN_S:
        raise InvalidValue(
            f"records span {(g1 - g0) / 86400:.1f} days; 1 Hz resampling is limited to "
            f"{MAX_RESAMPLE_SPAN_S / 86400:.0f} days (corrupt clock?)"
        )
    grid = np.arange(g0, g1 + 1, dtype=float)
    bins = None
    if t.size > 1 and _median_spacing(t) < 1.0:
        bins = np.clip(np.floor(t - g0 + 0.5).astype(np.int64), 0, grid.size - 1)
    prev = np.clip(np.searchsorted(t, grid + eps, side="right") - 1, 0, t.size - 1)

    out: dict[str, Any] = {}
    for col in rec.columns:
        series = rec[col]
        if col == "time_s":
            out[col] = grid
        elif col == "timestamp":
            ts = pd.to_datetime(series, utc=True, errors="coerce")
            ok = ts.notna().to_numpy()
            if ok.any():
                k = int(np.argmax(ok))
                start = ts.iloc[k] - pd.to_timedelta(t[k], unit="s")
                out[col] = start + pd.to_timedelta(grid, unit="s")
            else:
                out[col] = pd.Series(pd.NaT, index=range(grid.size), dtype=ts.dtype)
        elif _is_interpolable(series):
            x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            gap = None if col == "distance_m" else max_gap_s
            out[col] = _interp_column(t, x, grid, gap, bins, grid.size)
        else:
            out[col] = series.iloc[prev].reset_index(drop=True)
    frame = pd.DataFrame(out, index=pd.RangeIndex(grid.size))  # carried columns keep dtypes
    if "timestamp" in frame.columns:
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


# ----------------------------------------------------------------------------- distance, speed
def distance_from_positions(lat_deg: Any, lon_deg: Any, *, breaks: Any = None) -> np.ndarray:
    """Cumulative great-circle distance along a track, m (via :func:`kicklab.geo.cumulative_distance_m`).

    Parameters
    ----------
    lat_deg, lon_deg
        WGS-84 positions, degrees (NaN where there is no fix).
    breaks
        Optional boolean per sample marking the start of a new segment; the step into it is not
        counted (e.g. GPX ``trkseg`` boundaries).

    Returns
    -------
    numpy.ndarray
        Distance from the first fix, m, NaN where the position is missing. The step across a
        stretch without fixes is the straight line between the fixes either side. Raw 1 Hz
        fixes overstate distance (noise adds length): smooth them first
        (:func:`smooth_positions`), as :func:`clean` does.
    """
    lat = _array(lat_deg, "lat_deg")
    lon = _array(lon_deg, "lon_deg", lat.size)
    if breaks is not None:
        breaks = np.asarray(breaks, dtype=bool).reshape(-1)
        if breaks.size != lat.size:
            raise InvalidValue(f"breaks has {breaks.size} values but lat_deg has {lat.size}")
    dist = cumulative_distance_m(lat, lon, breaks)
    dist[np.isnan(lat) | np.isnan(lon)] = np.nan
    return dist


def smooth_positions(
    time_s: Any, lat_deg: Any, lon_deg: Any, *, window_s: float = POSITION_WINDOW_S
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-phase smoothing of GPS positions (Gaussian-weighted local quadratic in time).

    Parameters
    ----------
    time_s
        Sample times, s, non-decreasing (irregular spacing is fine).
    lat_deg, lon_deg
        WGS-84 positions, degrees; NaN where there is no fix (they stay NaN).
    window_s
        Width of the moving average with the same variance as the Gaussian kernel, s
        (σ = window_s / √12); default :data:`POSITION_WINDOW_S`.

    Returns
    -------
    (lat, lon) : tuple of numpy.ndarray
        Smoothed positions, degrees. A local *quadratic* fit follows bends with far less
        corner-cutting than a moving average of the same noise reduction (its bias on a circle
        is O(σ⁴) instead of O(σ²)). Longitude is unwrapped across ±180° before smoothing.
    """
    t = _time(time_s)
    lat = _array(lat_deg, "lat_deg", t.size)
    lon = _array(lon_deg, "lon_deg", t.size)
    sigma = _positive(window_s, "window_s") / math.sqrt(12.0)
    ok = ~(np.isnan(lat) | np.isnan(lon))
    lat[~ok] = np.nan
    lon[~ok] = np.nan
    if ok.sum() > 1:
        lon_ok = np.unwrap(lon[ok], period=360.0)
        lon[ok] = lon_ok
    lat_s, _ = _local_poly(t, lat, sigma, 2)
    lon_s, _ = _local_poly(t, lon, sigma, 2)
    lat_s = np.clip(lat_s, -90.0, 90.0)
    lon_s = (lon_s + 180.0) % 360.0 - 180.0
    return lat_s, lon_s


def _noise_m(lat: np.ndarray, lon: np.ndarray, lat_s: np.ndarray, lon_s: np.ndarray) -> float:
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(lat_s) & np.isfinite(lon_s)
    if ok.sum() < 5:
        return 0.0
    m_per_deg = EARTH_RADIUS_M * math.pi / 180.0
    dy = (lat[ok] - lat_s[ok]) * m_per_deg
    dlon = (lon[ok] - lon_s[ok] + 180.0) % 360.0 - 180.0
    dx = dlon * m_per_deg * np.cos(np.radians(lat[ok]))
    r = np.r_[dx, dy]
    return float(_MAD_TO_SIGMA * np.median(np.abs(r - np.median(r))))


def position_noise_m(
    time_s: Any, lat_deg: Any, lon_deg: Any, *, window_s: float = POSITION_WINDOW_S
) -> float:
    """Robust estimate of the fix-to-fix (white) noise of GPS positions, m.

    The scaled median absolute deviation (1.4826 × MAD) of the east and north residuals of
    the fixes about their :func:`smooth_positions` fit. The local quadratic follows bends, so
    the estimate measures jitter, not the route's shape; for white noise of σ it returns
    ~0.85σ (part of the noise is absorbed by the fit). Returns 0.0 with fewer than 5 fixes.
    """
    t = _time(time_s)
    lat = _array(lat_deg, "lat_deg", t.size)
    lon = _array(lon_deg, "lon_deg", t.size)
    lat_s, lon_s = smooth_positions(t, lat, lon, window_s=window_s)
    return _noise_m(lat, lon, lat_s, lon_s)


def speed_from_distance(time_s: Any, distance_m: Any) -> np.ndarray:
    """Speed from cumulative distance by central differences, m/s.

    Parameters
    ----------
    time_s
        Sample times, s, non-decreasing (a uniform grid or irregular).
    distance_m
        Cumulative distance, m; NaN samples are skipped.

    Returns
    -------
    numpy.ndarray
        ``d(distance)/dt`` at each sample with a valid distance (NaN elsewhere), from the
        valid samples only: second-order central differences on their (possibly uneven)
        spacing (:func:`numpy.gradient`), one-sided at the ends. Across a long hole the
        uneven-spacing formula leans on the near neighbour, so gap borders are not smeared.
        Negative values (distance going backwards: a reset or a glitch) become NaN; samples
        sharing a time with an earlier one are NaN.
    """
    t = _time(time_s)
    d = _array(distance_m, "distance_m", t.size)
    out = np.full(t.size, np.nan)
    idx = np.flatnonzero(~np.isnan(d))
    if idx.size > 1:
        keep = np.r_[True, np.diff(t[idx]) > 0]
        idx = idx[keep]
    if idx.size < 2:
        return out
    v = np.gradient(d[idx], t[idx])
    v[v < 0] = np.nan
    out[idx] = v
    return out


# ----------------------------------------------------------------------------- spikes
def _reach_vote(t: np.ndarray, gap_fn, half: int, max_speed: float, tol: float) -> np.ndarray:
    """True where a sample is reachable from fewer than half its ±``half`` neighbours.

    ``gap_fn(o)`` returns the separation (m) of each pair ``(i, i+o)``; a pair is consistent
    when that is at most ``max_speed·Δt + tol``. Each pair votes for both of its samples. A
    sample needs at least two neighbours to be judged.
    """
    n = t.size
    reach = np.zeros(n)
    total = np.zeros(n)
    for o in range(1, min(half, n - 1) + 1):
        ok = gap_fn(o) <= max_speed * (t[o:] - t[:-o]) + tol
        total[:-o] += 1
        total[o:] += 1
        reach[:-o] += ok
        reach[o:] += ok
    return (total >= 2) & (2 * reach < total)


def _hampel(v: np.ndarray, half: int, n_sigma: float, min_dev: float) -> np.ndarray:
    """Hampel identifier on a NaN-free series: |v - median| > max(n_sigma·1.4826·MAD, min_dev).

    The windows are centred and shrink at the ends; median and MAD are exact (sorted windows).
    """
    n = v.size
    half = min(half, n - 1)
    pad = np.concatenate([np.full(half, np.nan), v, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    out = np.zeros(n, dtype=bool)
    for lo_row in range(0, n, _HAMPEL_CHUNK):  # chunks bound the memory of the sorted copies
        win = windows[lo_row : lo_row + _HAMPEL_CHUNK]
        cnt = np.isfinite(win).sum(axis=1)
        rows = np.arange(win.shape[0])

        def _median(a: np.ndarray, cnt=cnt, rows=rows) -> np.ndarray:
            s = np.sort(a, axis=1)  # NaN sorts last
            return 0.5 * (s[rows, (cnt - 1) // 2] + s[rows, cnt // 2])

        med = _median(win)
        mad = _median(np.abs(win - med[:, None]))
        thresh = np.maximum(n_sigma * _MAD_TO_SIGMA * mad, min_dev)
        vv = v[lo_row : lo_row + _HAMPEL_CHUNK]
        out[lo_row : lo_row + win.shape[0]] = np.abs(vv - med) > thresh
    return out


def remove_spikes(
    time_s: Any,
    *,
    speed_mps: Any = None,
    lat_deg: Any = None,
    lon_deg: Any = None,
    distance_m: Any = None,
    max_speed_mps: float = MAX_RUNNING_SPEED_MPS,
    max_accel_mps2: float = MAX_ACCEL_MPS2,
    window_samples: int = SPIKE_WINDOW_SAMPLES,
    n_sigma: float = HAMPEL_N_SIGMA,
    min_deviation_mps: float = HAMPEL_MIN_DEVIATION_MPS,
    position_tolerance_m: float = POSITION_TOLERANCE_M,
) -> np.ndarray:
    """Flag GPS and speed-sensor spikes; returns a boolean mask, True = spike.

    A mask (not a cleaned copy) so the caller decides what to blank: :func:`clean` sets the
    position, distance and speed of flagged samples to NaN and lets resampling interpolate the
    short holes. Each rule works on the samples where its input is valid.

    Rules
    -----
    * **position jump** (``lat_deg``/``lon_deg``): a fix is a spike when fewer than half of its
      ±``window_samples // 2`` neighbouring fixes are reachable from it at ``max_speed_mps``
      (great-circle distance ≤ ``max_speed_mps·Δt + position_tolerance_m``). An out-and-back
      glitch of 1-3 fixes is caught; a lasting shift (the track continues from the new place)
      is not, because the samples after it agree with each other.
    * **distance jump** (``distance_m``): the same vote on cumulative distance (an
      out-and-back glitch in a device's distance).
    * **speed** (``speed_mps``): above ``max_speed_mps``; or a one-sample up-and-down change
      steeper than ``max_accel_mps2`` on both sides; or a Hampel outlier — further from the
      centred rolling median of ``window_samples`` than ``n_sigma`` robust standard
      deviations (1.4826 × MAD) and than ``min_deviation_mps``. A median filter tracks ramps
      and steps, so a real kick is not flagged.

    Parameters
    ----------
    time_s
        Sample times, s, non-decreasing.
    speed_mps, lat_deg, lon_deg, distance_m
        Optional inputs (m/s, degrees, m), each as long as ``time_s``; NaN where missing.
    max_speed_mps
        Physical speed limit, m/s (default :data:`MAX_RUNNING_SPEED_MPS`, Bolt plus margin).
    max_accel_mps2
        Physical acceleration limit, m/s² (default :data:`MAX_ACCEL_MPS2`).
    window_samples
        Samples in the centred window, odd, 3-101 (default :data:`SPIKE_WINDOW_SAMPLES`).
    n_sigma, min_deviation_mps
        Hampel threshold (defaults :data:`HAMPEL_N_SIGMA`, :data:`HAMPEL_MIN_DEVIATION_MPS`).
    position_tolerance_m
        GPS error allowance, m (default :data:`POSITION_TOLERANCE_M`).

    Returns
    -------
    numpy.ndarray of bool
        True for samples judged to be spikes by any rule.
    """
    t = _time(time_s)
    n = t.size
    max_speed = _positive(max_speed_mps, "max_speed_mps")
    max_accel = _positive(max_accel_mps2, "max_accel_mps2")
    n_sigma = _positive(n_sigma, "n_sigma")
    min_dev = float(min_deviation_mps)
    tol = float(position_tolerance_m)
    if not (math.isfinite(min_dev) and min_dev >= 0 and math.isfinite(tol) and tol >= 0):
        raise InvalidValue("min_deviation_mps and position_tolerance_m must be >= 0")
    if (
        not isinstance(window_samples, int | np.integer)
        or isinstance(window_samples, bool)
        or not 3 <= window_samples <= _MAX_SPIKE_WINDOW
        or window_samples % 2 == 0
    ):
        raise InvalidValue(
            f"window_samples must be an odd integer from 3 to {_MAX_SPIKE_WINDOW}, "
            f"got {window_samples!r}"
        )
    half = int(window_samples) // 2
    spikes = np.zeros(n, dtype=bool)

    if lat_deg is not None or lon_deg is not None:
        if lat_deg is None or lon_deg is None:
            raise InvalidValue("lat_deg and lon_deg must be given together")
        lat = _array(lat_deg, "lat_deg", n)
        lon = _array(lon_deg, "lon_deg", n)
        idx = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
        if idx.size > 2:
            la, lo, tt = lat[idx], lon[idx], t[idx]

            def pos_gap(o: int) -> np.ndarray:
                return haversine_m(la[:-o], lo[:-o], la[o:], lo[o:])

            spikes[idx[_reach_vote(tt, pos_gap, half, max_speed, tol)]] = True

    if distance_m is not None:
        d = _array(distance_m, "distance_m", n)
        idx = np.flatnonzero(~np.isnan(d))
        if idx.size > 2:
            dv, tt = d[idx], t[idx]
            spikes[
                idx[_reach_vote(tt, lambda o: np.abs(dv[o:] - dv[:-o]), half, max_speed, tol)]
            ] = True

    if speed_mps is not None:
        v = _array(speed_mps, "speed_mps", n)
        idx = np.flatnonzero(~np.isnan(v))
        bad = np.zeros(idx.size, dtype=bool)
        if idx.size:
            vv, tt = v[idx], t[idx]
            bad |= vv > max_speed
            if idx.size > 2:
                with np.errstate(divide="ignore", invalid="ignore"):
                    acc = np.diff(vv) / np.diff(tt)
                a_in, a_out = acc[:-1], acc[1:]
                steep = (np.abs(a_in) > max_accel) & (np.abs(a_out) > max_accel)
                bad[1:-1] |= steep & (np.sign(a_in) != np.sign(a_out))
            if idx.size >= 3:
                # judge the Hampel rule without the samples already known to be impossible
                ok = ~bad
                if ok.sum() >= 3:
                    bad[np.flatnonzero(ok)[_hampel(vv[ok], half, n_sigma, min_dev)]] = True
        spikes[idx[bad]] = True
    return spikes


# ----------------------------------------------------------------------------- smoothing
def smooth_speed(time_s: Any, speed_mps: Any, *, window_s: float = SPEED_WINDOW_S) -> np.ndarray:
    """Zero-phase smoothing of speed: a centred Gaussian-weighted mean (normalised convolution).

    Parameters
    ----------
    time_s
        Sample times, s, non-decreasing (uniform 1 Hz or irregular; weights use real time).
    speed_mps
        Speed, m/s; NaN samples contribute nothing and stay NaN in the output.
    window_s
        Width of the moving average with the same variance as the Gaussian kernel, s
        (σ = window_s / √12, kernel truncated at ±3σ); default :data:`SPEED_WINDOW_S`.

    Returns
    -------
    numpy.ndarray
        Smoothed speed, m/s. The kernel is symmetric, so nothing moves in time: a step's 50 %
        crossing and a symmetric bump's peak stay where they were (a kick onset does not shift,
        unlike a trailing rolling mean, which lags by half its window). Weights are normalised
        over the valid neighbours, so NaN holes and edges do not pull values towards zero. A
        constant comes back exactly, and the output never leaves the input's [min, max].
    """
    t = _time(time_s)
    v = _array(speed_mps, "speed_mps", t.size)
    sigma = _positive(window_s, "window_s") / math.sqrt(12.0)
    out, _ = _local_poly(t, v, sigma, 0)
    if np.isfinite(v).any():
        out = np.clip(out, np.nanmin(v), np.nanmax(v))  # guards the last bit of rounding
    return out


# ----------------------------------------------------------------------------- grade
def grade_from_altitude(
    distance_m: Any,
    altitude_m: Any,
    *,
    window_m: float = GRADE_WINDOW_M,
    max_grade: float = MAX_GRADE,
) -> np.ndarray:
    """Grade (rise over run) from altitude smoothed over distance.

    Parameters
    ----------
    distance_m
        Cumulative distance, m.
    altitude_m
        Altitude, m (GPS or barometric; both noisy at the metre scale).
    window_m
        Width of the moving average with the same variance as the Gaussian kernel, m
        (σ = window_m / √12); default :data:`GRADE_WINDOW_M`. The window is over *distance*,
        not time, so standing still or running slowly does not change the smoothing.
    max_grade
        Clip, unitless (default :data:`MAX_GRADE`, Minetti's valid range ±0.45).

    Returns
    -------
    numpy.ndarray
        Grade (0.05 = 5 %), the slope of a Gaussian-weighted local linear fit of altitude
        against distance, clipped to ±``max_grade``. Altitude is first put on a uniform
        distance grid (σ/4 spacing) from the samples where distance advances, the fit is done
        there and read back at each sample's distance. NaN where distance or altitude is
        missing and where distance does not advance (central difference ≤ 0: a standstill).
    """
    d = _array(distance_m, "distance_m")
    alt = _array(altitude_m, "altitude_m", d.size)
    sigma = _positive(window_m, "window_m") / math.sqrt(12.0)
    limit = _positive(max_grade, "max_grade")
    out = np.full(d.size, np.nan)
    idx = np.flatnonzero(~(np.isnan(d) | np.isnan(alt)))
    if idx.size < 2:
        return out
    dv, av = d[idx], alt[idx]
    running_max = np.maximum.accumulate(dv)
    adv = np.r_[True, dv[1:] > running_max[:-1]]
    da, aa = dv[adv], av[adv]
    span = da[-1] - da[0]
    if da.size < 2 or not span > 0:
        return out
    step = max(sigma / 4.0, span / (_MAX_GRADE_GRID - 1))
    grid = da[0] + np.arange(int(span // step) + 1) * step
    if grid[-1] < da[-1]:
        grid = np.append(grid, da[-1])
    alt_grid = np.interp(grid, da, aa)
    _, slope = _local_poly(grid, alt_grid, sigma, 1)
    g = np.interp(dv, grid, slope)
    # "advancing" per sample: central difference of distance among valid samples
    central = np.empty(dv.size)
    if dv.size > 2:
        central[1:-1] = dv[2:] - dv[:-2]
    central[0] = dv[1] - dv[0]
    central[-1] = dv[-1] - dv[-2]
    g[~(central > 0)] = np.nan
    out[idx] = np.clip(g, -limit, limit)
    return out


def minetti_cost(grade: Any) -> np.ndarray:
    """Energy cost of running on a gradient, J·kg⁻¹·m⁻¹ (Minetti et al. 2002).

    ``C(i) = 155.4 i⁵ − 30.4 i⁴ − 43.3 i³ + 46.3 i² + 19.5 i + 3.6`` for a grade ``i`` (rise
    over run) measured between −0.45 and +0.45 (J Appl Physiol 93:1039); grades outside
    that range are clipped to it. ``C(0) = 3.6``, ``C(0.1) ≈ 5.97``, ``C(−0.1) ≈ 2.15``,
    minimum near ``i = −0.2``. NaN grade gives NaN.
    """
    i = np.clip(np.asarray(grade, dtype=float), -MAX_GRADE, MAX_GRADE)
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6


def grade_adjusted_speed(speed_mps: Any, grade: Any) -> np.ndarray:
    """Speed on the flat at the same metabolic cost per second, m/s.

    ``v_flat = v · C(i) / C(0)`` with :func:`minetti_cost` (SCIENCE.md §4): 4 m/s up a 10 %
    grade costs as much as ≈ 6.6 m/s on the flat. Where the grade is NaN (no altitude, or
    standing still) the speed is returned unchanged.
    """
    v = np.asarray(speed_mps, dtype=float)
    g = np.asarray(grade, dtype=float)
    factor = np.where(np.isnan(g), 1.0, minetti_cost(np.nan_to_num(g)) / 3.6)
    return v * factor


# ----------------------------------------------------------------------------- pauses
def detect_pauses(
    time_s: Any,
    speed_mps: Any = None,
    distance_m: Any = None,
    *,
    gap_s: float = MAX_GAP_S,
    gap_factor: float = GAP_FACTOR,
    stop_speed_mps: float = STOP_SPEED_MPS,
    min_duration_s: float = MIN_STOP_S,
) -> pd.DataFrame:
    """Find recording gaps and standstills.

    Parameters
    ----------
    time_s
        Sample times, s from the first record, non-decreasing (the *recorded* times: gaps are
        found between them, so pass the raw records, not a 1 Hz grid, to find gaps).
    speed_mps
        Speed, m/s (optional). Without it, speed is derived from ``distance_m`` when given;
        with neither, only gaps are found.
    distance_m
        Cumulative distance, m (optional, used only when ``speed_mps`` is None).
    gap_s
        A gap is a time step longer than ``max(gap_s, gap_factor × median spacing)``, s
        (defaults :data:`MAX_GAP_S`, :data:`GAP_FACTOR`); ``math.inf`` finds no gaps (e.g.
        on a 1 Hz grid, where gaps are NaN runs rather than missing times).
    stop_speed_mps
        Standstill threshold, m/s (default :data:`STOP_SPEED_MPS`).
    min_duration_s
        Shortest standstill reported, s (default :data:`MIN_STOP_S`).

    Returns
    -------
    pandas.DataFrame
        :data:`~kicklab.activity.PAUSE_COLUMNS`, sorted by start, non-overlapping:

        * ``kind="gap"``: ``[t_i, t_{i+1})`` for each step longer than the gap threshold (the
          timer was stopped or the signal lost after the sample at ``t_i``);
        * ``kind="stopped"``: a run of samples whose speed (after a 5-sample rolling median,
          which removes isolated noise excursions but keeps the stop's edges) is below
          ``stop_speed_mps``, from its first sample to the next sample after it (or its last
          sample when a gap follows), lasting at least ``min_duration_s``. Runs do not cross
          gaps. Missing speed is never "stopped". Found by run-length encoding of the mask.
    """
    t = _time(time_s)
    n = t.size
    inf = isinstance(gap_s, float | int) and gap_s == math.inf
    gap_s = math.inf if inf else _positive(gap_s, "gap_s")
    gap_factor = _nonneg(gap_factor, "gap_factor")
    stop = _nonneg(stop_speed_mps, "stop_speed_mps")
    min_dur = _nonneg(min_duration_s, "min_duration_s")
    if n < 2:
        return empty_pauses()
    dt = np.diff(t)
    threshold = max(gap_s, gap_factor * _median_spacing(t)) if math.isfinite(gap_s) else math.inf
    gap_after = dt > threshold  # step i -> i+1 is a gap
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    gi = np.flatnonzero(gap_after)
    starts.append(t[gi])
    ends.append(t[gi + 1])
    kinds.append(np.full(gi.size, "gap", dtype=object))

    speed = None
    if speed_mps is not None:
        speed = _array(speed_mps, "speed_mps", n)
    elif distance_m is not None:
        speed = speed_from_distance(t, _array(distance_m, "distance_m", n))
    if speed is not None:
        med = (
            pd.Series(speed)
            .rolling(_STOP_MEDIAN_SAMPLES, center=True, min_periods=1)
            .median()
            .to_numpy()
        )
        stopped = np.isfinite(speed) & (med < stop)
        prev_stopped = np.r_[False, stopped[:-1]] & ~np.r_[True, gap_after]
        next_stopped = np.r_[stopped[1:], False] & ~np.r_[gap_after, True]
        first = np.flatnonzero(stopped & ~prev_stopped)
        last = np.flatnonzero(stopped & ~next_stopped)
        follow = np.minimum(last + 1, n - 1)
        can_extend = (last + 1 < n) & ~np.r_[gap_after, True][last]
        end = np.where(can_extend, t[follow], t[last])
        long_enough = (end - t[first]) >= min_dur
        long_enough &= end > t[first]
        starts.append(t[first][long_enough])
        ends.append(end[long_enough])
        kinds.append(np.full(int(long_enough.sum()), "stopped", dtype=object))

    s = np.concatenate(starts)
    e = np.concatenate(ends)
    k = np.concatenate(kinds)
    if s.size == 0:
        return empty_pauses()
    order = np.lexsort((e, s))
    table = pd.DataFrame(
        {"start_time_s": s[order], "end_time_s": e[order], "duration_s": (e - s)[order]}
    )
    table["kind"] = pd.Series(k[order], dtype=object)
    return table.reset_index(drop=True)


def merge_pauses(*tables: pd.DataFrame | None) -> pd.DataFrame:
    """Union of pause tables: overlapping intervals become one, duplicates disappear.

    Intervals ``[start, end)`` that overlap (touching does not count) are merged into their
    union; the merged row takes its ``kind`` (and any extra columns) from the highest-priority
    member: rows of earlier tables first (pass the file's own pauses first — a device's
    ``"timer"`` pause knows more than a detected one), then ``"gap"`` before ``"stopped"``.
    ``duration_s`` is recomputed as ``end - start``, so time is never counted twice.

    Returns
    -------
    pandas.DataFrame
        A pause table with :data:`~kicklab.activity.PAUSE_COLUMNS` first, sorted by start.
    """
    frames = []
    for rank, table in enumerate(tables):
        if table is None or len(table) == 0:
            continue
        missing = [c for c in ("start_time_s", "end_time_s") if c not in table.columns]
        if missing:
            raise InvalidValue(f"pause table lacks {', '.join(missing)}")
        f = table.reset_index(drop=True).copy()
        if "kind" not in f.columns:
            f["kind"] = None
        kind_rank = f["kind"].map(lambda k: _DETECTED_KIND_PRIORITY.get(k, 0)).to_numpy()
        f["_rank"] = rank * 10 + kind_rank
        frames.append(f)
    if not frames:
        return empty_pauses()
    allp = pd.concat(frames, ignore_index=True)
    allp["start_time_s"] = pd.to_numeric(allp["start_time_s"], errors="coerce")
    allp["end_time_s"] = pd.to_numeric(allp["end_time_s"], errors="coerce")
    allp = allp[
        allp["start_time_s"].notna()
        & allp["end_time_s"].notna()
        & (allp["end_time_s"] >= allp["start_time_s"])
    ]
    if len(allp) == 0:
        return empty_pauses()
    allp = allp.sort_values(["start_time_s", "_rank"], kind="stable").reset_index(drop=True)
    s = allp["start_time_s"].to_numpy(dtype=float)
    e = allp["end_time_s"].to_numpy(dtype=float)
    reach = np.maximum.accumulate(e)
    new_group = np.r_[True, s[1:] >= reach[:-1]]
    group = np.cumsum(new_group) - 1
    allp["_group"] = group
    best = allp.sort_values(["_group", "_rank", "start_time_s"], kind="stable").drop_duplicates(
        "_group"
    )
    best = best.set_index("_group").sort_index()
    g_start = pd.Series(s).groupby(group).min()
    g_end = pd.Series(e).groupby(group).max()
    best["start_time_s"] = g_start.to_numpy()
    best["end_time_s"] = g_end.to_numpy()
    best["duration_s"] = best["end_time_s"] - best["start_time_s"]
    best = best.drop(columns=["_rank"]).reset_index(drop=True)
    order = list(PAUSE_COLUMNS) + [c for c in best.columns if c not in PAUSE_COLUMNS]
    return best[order]


# ----------------------------------------------------------------------------- orchestrator
def _default_max_speed(activity: Activity) -> float:
    sports = {activity.sport}
    if len(activity.sessions):
        sports |= set(activity.sessions["sport"].tolist())
    return MAX_CYCLING_SPEED_MPS if sports & _WHEEL_SPORTS else MAX_RUNNING_SPEED_MPS


def _fill_short_holes(t: np.ndarray, x: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Interpolate NaN holes no longer than ``max_gap_s`` on the samples' own time base."""
    if not np.isnan(x).any():
        return x
    filled = _interp_column(t, x, t, max_gap_s)
    return np.where(np.isnan(x), filled, x)


def clean(
    activity: Activity,
    *,
    resample: bool = True,
    max_gap_s: float = MAX_GAP_S,
    speed_window_s: float = SPEED_WINDOW_S,
    position_window_s: float | None = None,
    distance_source: str = "auto",
    grade_window_m: float = GRADE_WINDOW_M,
    max_speed_mps: float | None = None,
    max_accel_mps2: float = MAX_ACCEL_MPS2,
    spike_window_samples: int = SPIKE_WINDOW_SAMPLES,
    stop_speed_mps: float = STOP_SPEED_MPS,
    min_stop_s: float = MIN_STOP_S,
) -> Activity:
    """A ready-to-analyse copy of an activity: despiked, 1 Hz, smoothed speed, grade, pauses.

    Steps (each is a public function of this module):

    1. :func:`remove_spikes` on the recorded samples; the position, distance and speed of
       flagged samples become NaN;
    2. with no speed but a recorded distance, speed from :func:`speed_from_distance`;
    3. :func:`resample_1hz` (unless ``resample=False``; then the blanked samples are
       interpolated in place), holes up to the gap threshold interpolated;
    4. with no distance but GPS positions (or see ``distance_source``): distance from the
       positions by :func:`distance_from_positions` (linearly filled across position gaps),
       after :func:`smooth_positions` when they are noisy; with no speed, speed from that
       distance (spike rules applied to it as well);
    5. ``speed_raw_mps`` = unsmoothed (despiked) speed; ``speed_mps`` = :func:`smooth_speed`;
    6. ``grade`` from :func:`grade_from_altitude` where altitude and distance exist (the
       device's own grade is kept only when there is no altitude);
    7. pauses: the activity's own, recording gaps found in the *recorded* times and standstills
       found in the unsmoothed speed, merged by :func:`merge_pauses`.

    Parameters
    ----------
    activity
        The activity to clean (not modified).
    resample
        Put the records on a 1 Hz grid (default True).
    max_gap_s
        Holes up to ``max(max_gap_s, GAP_FACTOR × median spacing)`` are interpolated, longer
        ones stay NaN and are reported as ``"gap"`` pauses, s.
    speed_window_s, grade_window_m
        Smoothing windows (s, m); see :func:`smooth_speed`, :func:`grade_from_altitude`.
    position_window_s
        Window for :func:`smooth_positions` before distance is summed from GPS, s. None
        (default): :data:`POSITION_WINDOW_S` when :func:`position_noise_m` is at least
        :data:`POSITION_NOISE_M`, else no smoothing (device-filtered tracks are summed as
        recorded); 0: never smooth; a number: always smooth with it.
    distance_source
        ``"auto"`` (default): keep the recorded distance, except that a distance a reader
        computed from the same positions (``metadata["distance_source"] == "positions"``, or
        any GPX file, which has no distance field) is recomputed when the positions are noisy;
        ``"recorded"``: keep any recorded distance; ``"positions"``: always recompute it from
        the positions when there are any.
    max_speed_mps
        Speed limit for spikes, m/s; default by sport: :data:`MAX_CYCLING_SPEED_MPS` when any
        session is cycling-like, else :data:`MAX_RUNNING_SPEED_MPS`.
    max_accel_mps2, spike_window_samples
        See :func:`remove_spikes`.
    stop_speed_mps, min_stop_s
        See :func:`detect_pauses`.

    Returns
    -------
    Activity
        A new activity (laps and sessions copied) with ``metadata["cleaned"]`` holding the
        parameters used plus ``spikes_removed`` (number of recorded samples flagged).
    """
    if not isinstance(activity, Activity):
        raise InvalidValue(f"clean() needs an Activity, got {type(activity).__name__}")
    source = activity.metadata.get("source")
    try:
        return _clean(
            activity,
            resample=bool(resample),
            max_gap_s=_positive(max_gap_s, "max_gap_s"),
            speed_window_s=_positive(speed_window_s, "speed_window_s"),
            position_window_s=(
                None
                if position_window_s is None
                else 0.0
                if position_window_s == 0
                else _positive(position_window_s, "position_window_s")
            ),
            distance_source=_choice(
                distance_source, "distance_source", ("auto", "recorded", "positions")
            ),
            grade_window_m=_positive(grade_window_m, "grade_window_m"),
            max_speed_mps=(
                _default_max_speed(activity)
                if max_speed_mps is None
                else _positive(max_speed_mps, "max_speed_mps")
            ),
            max_accel_mps2=_positive(max_accel_mps2, "max_accel_mps2"),
            spike_window_samples=spike_window_samples,
            stop_speed_mps=_positive(stop_speed_mps, "stop_speed_mps"),
            min_stop_s=_nonneg(min_stop_s, "min_stop_s"),
        )
    except (InvalidValue, EmptyActivity) as exc:
        if source:
            exc.with_source(str(source))
        raise


def _choice(value: Any, name: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise InvalidValue(f"{name} must be one of {', '.join(options)}, got {value!r}")
    return str(value)


def _any(x: np.ndarray) -> bool:
    return bool(np.isfinite(x).any())


def _clean(activity: Activity, **p: Any) -> Activity:
    rec = activity.records.copy()
    t_raw = rec["time_s"].to_numpy(dtype=float)
    col = {c: rec[c].to_numpy(dtype=float, copy=True) for c in _KINEMATIC}
    had_speed = _any(col["speed_mps"])
    had_distance = _any(col["distance_m"])
    has_pos = _any(col["lat_deg"]) and _any(col["lon_deg"])
    spike_args = {
        "max_speed_mps": p["max_speed_mps"],
        "max_accel_mps2": p["max_accel_mps2"],
        "window_samples": p["spike_window_samples"],
    }

    # 1. spikes on the recorded samples
    spikes = remove_spikes(
        t_raw,
        speed_mps=col["speed_mps"] if had_speed else None,
        lat_deg=col["lat_deg"] if has_pos else None,
        lon_deg=col["lon_deg"] if has_pos else None,
        distance_m=col["distance_m"] if had_distance else None,
        **spike_args,
    )
    for c in _KINEMATIC:
        col[c][spikes] = np.nan
    gap = max(p["max_gap_s"], GAP_FACTOR * _median_spacing(t_raw))

    # which distance: recorded, or from (maybe smoothed) positions
    window = p["position_window_s"]
    noise = None
    from_positions = activity.format == "gpx" or (
        activity.metadata.get("distance_source") == "positions"
    )
    may_recompute = has_pos and (
        not had_distance or p["distance_source"] == "positions" or from_positions
    )
    if may_recompute and window is None:
        lat_s, lon_s = smooth_positions(
            t_raw, col["lat_deg"], col["lon_deg"], window_s=POSITION_WINDOW_S
        )
        noise = _noise_m(col["lat_deg"], col["lon_deg"], lat_s, lon_s)
        window = POSITION_WINDOW_S if noise >= POSITION_NOISE_M else 0.0
    recompute = may_recompute and (
        not had_distance
        or p["distance_source"] == "positions"
        # a reader's sum of the raw fixes is redone when the fixes are noisy or had spikes
        or (p["distance_source"] == "auto" and from_positions and (bool(window) or spikes.any()))
    )

    # 2. speed from a recorded distance (on the recorded times: uneven steps handled)
    speed_source = "device" if had_speed else None
    if not had_speed and had_distance and not recompute:
        col["speed_mps"] = speed_from_distance(t_raw, col["distance_m"])
        speed_source = "distance"
    for c in _KINEMATIC:
        rec[c] = col[c]

    # 3. resample (or fill the blanked samples in place)
    if p["resample"]:
        out = resample_1hz(rec, max_gap_s=gap)
    else:
        out = rec
        for c in _KINEMATIC:
            out[c] = _fill_short_holes(t_raw, col[c], gap)
    t = out["time_s"].to_numpy(dtype=float)
    speed = out["speed_mps"].to_numpy(dtype=float, copy=True)

    # 4. distance (and speed) from positions
    if recompute:
        lat_s = out["lat_deg"].to_numpy(dtype=float)
        lon_s = out["lon_deg"].to_numpy(dtype=float)
        if window:
            lat_s, lon_s = smooth_positions(t, lat_s, lon_s, window_s=window)
        dist = distance_from_positions(lat_s, lon_s)
        if speed_source is None:
            speed = speed_from_distance(t, dist)
            speed_source = "positions"
        ok = ~np.isnan(dist)
        if ok.sum() >= 1:
            first, last = np.flatnonzero(ok)[[0, -1]]
            filled = np.full(t.size, np.nan)
            filled[first : last + 1] = np.interp(t[first : last + 1], t[ok], dist[ok])
            dist = filled
        out["distance_m"] = dist
    if speed_source in ("distance", "positions"):
        bad = remove_spikes(t, speed_mps=speed, **spike_args)
        speed[bad] = np.nan
        speed = _fill_short_holes(t, speed, gap)

    # 5. speed: raw and smoothed
    out["speed_raw_mps"] = speed
    out["speed_mps"] = smooth_speed(t, speed, window_s=p["speed_window_s"])

    # 6. grade
    dist_now = out["distance_m"].to_numpy(dtype=float)
    alt = out["altitude_m"].to_numpy(dtype=float)
    if _any(alt) and _any(dist_now):
        out["grade"] = grade_from_altitude(dist_now, alt, window_m=p["grade_window_m"])

    # 7. pauses
    gaps = detect_pauses(t_raw, gap_s=gap)
    stops = detect_pauses(
        t,
        speed,
        gap_s=math.inf,
        stop_speed_mps=p["stop_speed_mps"],
        min_duration_s=p["min_stop_s"],
    )
    pauses = merge_pauses(activity.pauses, gaps, stops)

    meta = dict(activity.metadata)
    meta["cleaned"] = {
        **{k: v for k, v in p.items()},
        "gap_threshold_s": gap,
        "position_noise_m": noise,
        "position_window_used_s": window if recompute else None,
        "distance_from_positions": bool(recompute),
        "speed_source": speed_source,
        "spikes_removed": int(spikes.sum()),
    }
    return Activity(out, activity.laps.copy(), activity.sessions.copy(), pauses, meta)
