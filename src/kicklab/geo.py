"""Great-circle geometry on WGS-84 coordinates (vectorised over samples)."""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_M", "haversine_m", "cumulative_distance_m"]

#: Mean Earth radius (IUGG), m.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance between points, in m (inputs in degrees, broadcast element-wise)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def cumulative_distance_m(lat_deg, lon_deg, breaks=None) -> np.ndarray:
    """Cumulative great-circle distance along a track, in m, starting at 0.

    Samples without a position (NaN) add nothing; the step from the last valid position to the
    next valid one is counted. ``breaks`` (boolean, per sample) marks samples that start a new
    segment: the step *into* such a sample is not counted (e.g. GPX ``trkseg`` boundaries).
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    n = lat.size
    out = np.zeros(n)
    valid = np.isfinite(lat) & np.isfinite(lon)
    idx = np.flatnonzero(valid)
    if idx.size < 2:
        return out
    step = haversine_m(lat[idx[:-1]], lon[idx[:-1]], lat[idx[1:]], lon[idx[1:]])
    if breaks is not None:
        brk = np.asarray(breaks, dtype=bool)
        # a break anywhere between two valid samples (inclusive of the later one) cuts the step
        cum_brk = np.cumsum(brk)
        step[(cum_brk[idx[1:]] - cum_brk[idx[:-1]]) > 0] = 0.0
    total = np.zeros(n)
    total[idx[1:]] = step
    return np.cumsum(total)
