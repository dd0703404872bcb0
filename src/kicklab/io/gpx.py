"""GPX reader (GPX 1.0 and 1.1 with Garmin TrackPointExtension v1/v2 and similar extensions).

Every ``<trk>/<trkseg>/<trkpt>`` of every track is read, in time order; a file without track
points falls back to its ``<rte>/<rtept>`` route points (which rarely carry times). Elements
are matched on their local names, so any namespace prefix works (``gpxtpx:``, ``ns3:``,
``gpxdata:``, ...).

Per point
---------
=====================================  =======================  ==========================
GPX                                    column                   unit
=====================================  =======================  ==========================
``lat`` / ``lon`` attributes           lat_deg / lon_deg        degree
``ele``                                altitude_m               m
``time``                               timestamp, time_s        UTC, s from first point
extension ``hr``                       heart_rate_bpm           1/min
extension ``cad``                      cadence_spm              steps/min (see below)
extension ``speed``                    speed_mps                m/s
extension ``atemp`` / ``temp``         temperature_c            °C
extension ``course``                   course_deg               degree
extension ``power``                    power_w                  W
other leaves (``hdop``, ``sat``, ...)  their snake_case name    as written
=====================================  =======================  ==========================

* Points without a (parsable) time are dropped; a file none of whose points has a time (a
  route or a planned track) raises :class:`~kicklab.errors.EmptyActivity` ("no timestamps").
* ``distance_m`` is the cumulative great-circle (haversine) distance. The jump from the last
  point of one segment (or track) to the first point of the next is *not* counted: GPS was
  off in between, and the shared MANIFEST's distances (e.g. 4575 m for the 8-segment
  ``cerknicko-jezero.gpx``, 13.7 km if the jumps were counted) agree.
* Cadence: GPX ``cad`` of a run is per-foot rpm and is doubled to steps/min unless the values
  are already steps/min by the rule of :mod:`kicklab.io._xml` (median of non-zero values
  > 120 or 90th percentile > 150). For cycling the pedal rpm goes to ``cadence_rpm``.
* Cadence and power columns that are zero on every point are treated as missing (exporters
  write 0 placeholders when no sensor was paired).
* Pauses: every segment/track boundary (kind ``segment_gap``) and every other interval longer
  than 60 s between consecutive points (kind ``gap``).
* Metadata: ``format="gpx"``, ``name`` from the first ``trk/name`` (else ``metadata/name``),
  ``sport`` from ``trk/type`` (``running``/``run`` → running, ``cycling``/``biking``/``ride``
  → cycling, ``walking``, ``hiking``; None when absent), ``device = {"creator": ...}`` from
  the root's ``creator`` attribute. GPX has no laps; one session row covers the file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import CANONICAL_COLUMNS, Activity, empty_laps
from kicklab.errors import EmptyActivity
from kicklab.geo import cumulative_distance_m
from kicklab.io._xml import (
    ColumnBuffer,
    blank_if_all_zero,
    cadence_to_spm,
    clean_text,
    extra_column,
    extra_key,
    iter_xml,
    map_sport,
    pauses_from_gaps,
    seconds_since,
    to_float,
    to_utc,
    utc_timestamp,
)

__all__ = ["read_gpx"]

# lower-cased local name of a leaf inside a point → column (``_cad`` is converted later)
_POINT_FIELDS: dict[str, str] = {
    "ele": "altitude_m",
    "hr": "heart_rate_bpm",
    "heartrate": "heart_rate_bpm",
    "heart_rate": "heart_rate_bpm",
    "cad": "_cad",
    "cadence": "_cad",
    "runcadence": "_cad",
    "atemp": "temperature_c",
    "temp": "temperature_c",
    "temperature": "temperature_c",
    "wtemp": "water_temperature_c",
    "speed": "speed_mps",
    "course": "course_deg",
    "bearing": "course_deg",
    "power": "power_w",
    "watts": "power_w",
}
_RESERVED = set(CANONICAL_COLUMNS) | {"timestamp", "time", "lat", "lon", "cadence_rpm"}
_POINT_TAGS = {"trkpt": "trk", "rtept": "rte"}


def read_gpx(data: bytes, source: str = "<bytes>") -> Activity:
    """Read a GPX document into an :class:`~kicklab.activity.Activity`.

    Parameters
    ----------
    data
        The GPX file's bytes (any encoding declared in its XML header).
    source
        Label used in errors and ``metadata["source"]``.

    Returns
    -------
    Activity
        Records with ``time_s`` (s), ``distance_m`` (m, haversine, segment jumps excluded),
        ``lat_deg``/``lon_deg`` (degree), ``altitude_m`` (m), ``heart_rate_bpm`` (1/min),
        ``cadence_spm`` (steps/min), ``speed_mps`` (m/s) where present, plus ``timestamp``
        (UTC) and extension fields under their own names; no laps; one session; pauses at
        segment boundaries and gaps > 60 s.

    Raises
    ------
    CorruptFile
        Malformed or truncated XML, entity declarations, nesting deeper than
        :data:`kicklab.io.limits.MAX_XML_DEPTH`.
    UnsupportedFormat
        The root element is not ``<gpx>``.
    EmptyActivity
        No point with a time.
    """
    parsed = _parse(data, source)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd numbers become NaN in Activity
        return _build(parsed, source)


def _parse(data: bytes, source: str) -> dict[str, Any]:
    buffers = {"trk": ColumnBuffer(), "rte": ColumnBuffer()}
    untimed = 0  # points without <time> are counted, not stored (they are dropped anyway)
    creator = version = trk_name = meta_name = sport_word = None
    seg = 0
    point: dict[str, Any] | None = None
    point_depth = 0
    extras: set[str] = set()
    for is_start, name, elem, stack in iter_xml(data, source, root="gpx"):
        depth = len(stack)
        if is_start:
            if point is not None:
                continue
            if name in _POINT_TAGS and depth >= 2 and stack[-2] in ("trkseg", "trk", "rte"):
                point = {"_seg": seg}
                point_depth = depth
            elif name in ("trkseg", "trk", "rte"):
                seg += 1
            elif depth == 1:
                creator = elem.get("creator")
                version = elem.get("version")
            continue
        if point is not None:
            if depth == point_depth:
                if "time" in point:
                    point["lat_deg"] = elem.get("lat")
                    point["lon_deg"] = elem.get("lon")
                    buffers[_POINT_TAGS[name]].append(point)
                else:
                    untimed += 1
                point = None
            elif len(elem) == 0:
                text = elem.text
                if text is None or stack[-2] == "link":
                    continue
                low = name.lower()
                if low == "time":
                    if depth == point_depth + 1:
                        point.setdefault("time", text)
                    continue
                key = _POINT_FIELDS.get(low)
                if key is None:
                    key = extra_key(name, "gpx", _RESERVED, extras)
                    if key is None:
                        continue
                point.setdefault(key, text)
            continue
        if depth < 2:
            continue
        parent = stack[-2]
        if name == "name":
            if parent == "trk" and trk_name is None:
                trk_name = elem.text
            elif parent in ("metadata", "gpx") and meta_name is None:
                meta_name = elem.text
        elif name == "type" and parent == "trk" and sport_word is None:
            sport_word = elem.text
    route = len(buffers["trk"]) == 0 and len(buffers["rte"]) > 0
    return {
        "buffer": buffers["rte"] if route else buffers["trk"],
        "route": route,
        "untimed": untimed,
        "extras": extras,
        "creator": clean_text(creator),
        "version": version,
        "name": clean_text(trk_name) or clean_text(meta_name),
        "sport_word": clean_text(sport_word),
    }


def _build(parsed: dict[str, Any], source: str) -> Activity:
    buf: ColumnBuffer = parsed["buffer"]
    times = to_utc(buf.get("time"))
    keep = ~np.isnat(times)
    if not keep.any():
        n = parsed["untimed"] + len(buf)
        if n == 0:
            raise EmptyActivity("no track or route points", source)
        raise EmptyActivity(
            f"no timestamps: none of the {n} track/route points has a valid <time> "
            "(a route or planned track, not a recording)",
            source,
        )
    # points with a time, in time order (segments may be stored out of order)
    idx = np.flatnonzero(keep)
    idx = idx[np.argsort(times[idx], kind="stable")]
    ts = times[idx]

    def col(key: str) -> np.ndarray:
        return to_float(buf.get(key))[idx]

    time_s = seconds_since(ts, ts[0])
    lat, lon = col("lat_deg"), col("lon_deg")
    seg = np.asarray(buf.get("_seg"), dtype=np.int64)[idx]
    new_seg = np.zeros(seg.size, dtype=bool)
    new_seg[1:] = seg[1:] != seg[:-1]

    sport = map_sport(parsed["sport_word"])
    records: dict[str, Any] = {
        "time_s": time_s,
        "distance_m": cumulative_distance_m(lat, lon, breaks=new_seg),
        "lat_deg": lat,
        "lon_deg": lon,
        "timestamp": ts,
    }
    for key in ("altitude_m", "heart_rate_bpm", "speed_mps"):
        records[key] = col(key)
    records["power_w"] = blank_if_all_zero(col("power_w"))
    if buf.has("_cad"):
        cad = blank_if_all_zero(col("_cad"))
        if sport == "cycling":
            records["cadence_rpm"] = cad
        else:
            records["cadence_spm"], _ = cadence_to_spm(cad)
    for key in ("temperature_c", "water_temperature_c", "course_deg"):
        if buf.has(key):
            records[key] = col(key)
    for key in sorted(parsed["extras"]):
        records[key] = extra_column(buf.get(key))[idx]

    kinds = np.where(new_seg, "segment_gap", "").astype(object)
    pauses = pauses_from_gaps(time_s, kinds)
    duration = float(time_s[-1])
    sessions = pd.DataFrame(
        {
            "sport": [sport],
            "sub_sport": [None],
            "start_time_s": [0.0],
            "end_time_s": [duration],
            "elapsed_s": [duration],
            "timer_s": [duration - float(pauses["duration_s"].sum())],
            "distance_m": [float(records["distance_m"][-1])],
        }
    )
    device = {"creator": parsed["creator"]} if parsed["creator"] else {}
    metadata = {
        "format": "gpx",
        "distance_source": "positions",
        "source": source,
        "sport": sport,
        "sub_sport": None,
        "start_time": utc_timestamp(ts[0]),
        "device": device,
        "name": parsed["name"],
        "gpx_version": parsed["version"],
    }
    return Activity(pd.DataFrame(records), empty_laps(), sessions, pauses, metadata)
