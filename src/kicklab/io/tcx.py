"""TCX reader (Garmin Training Center Database v2 with ActivityExtension v2).

A TCX file holds one or more ``<Activity>`` elements (also inside ``MultiSportSession``);
:func:`read_tcx` returns them as **one** :class:`~kicklab.activity.Activity` in time order —
one ``sessions`` row per ``<Activity>``, the time between them as pauses of kind
``session_gap`` — and :func:`read_tcx_all` returns one Activity per ``<Activity>``. Courses
and workouts are ignored. Elements are matched on local names, so any namespace prefix works.

Per trackpoint
--------------
==============================================  =================  =====================
TCX                                             column             unit
==============================================  =================  =====================
``Time``                                        timestamp, time_s  UTC, s from first point
``Position/LatitudeDegrees``, ``Longitude...``  lat_deg, lon_deg   degree
``AltitudeMeters``                              altitude_m         m
``DistanceMeters``                              distance_m         m (cumulative)
``HeartRateBpm/Value``                          heart_rate_bpm     1/min
``Extensions/TPX/RunCadence`` (or ``Cadence``)  cadence_spm        steps/min (see below)
``Extensions/TPX/Speed``                        speed_mps          m/s
``Extensions/TPX/Watts``                        power_w            W
``SensorState`` and other leaves                their snake_case   as written
==============================================  =================  =====================

* Trackpoints without a (parsable) ``Time`` are dropped.
* ``distance_m``: the file's ``DistanceMeters`` when any trackpoint has one (made
  non-decreasing: devices step back by a metre when they re-sync), else the cumulative
  haversine distance of the positions (not counting the step into a lap's second Track). Each ``<Activity>`` restarts its distance,
  so in :func:`read_tcx` later activities are offset by the distance reached before them.
* Cadence: ``RunCadence`` / trackpoint ``Cadence`` of a run are per-foot rpm and are doubled
  to steps/min unless the values already are steps/min by the rule of
  :mod:`kicklab.io._xml` (median of non-zero values > 120 or 90th percentile > 150). In a
  ``Biking`` activity ``Cadence`` is pedal rpm and goes to ``cadence_rpm``. Cadence and power
  that are zero on every trackpoint are treated as missing (no sensor).
* Laps: ``start_time_s`` from the ``StartTime`` attribute (s from the first trackpoint of the
  result), ``elapsed_s = timer_s = TotalTimeSeconds``, ``end_time_s = start + elapsed``,
  ``distance_m = DistanceMeters``, ``avg_speed_mps = distance / time``, ``trigger`` from
  ``TriggerMethod`` (Manual → manual, Distance → distance, Location → position, Time → time,
  HeartRate → heart_rate); extra columns ``calories``, ``max_speed_mps``,
  ``avg_heart_rate_bpm``, ``max_heart_rate_bpm``, ``intensity``, ``avg_cadence_spm``,
  ``max_cadence_spm``, ``avg_power_w``, ``max_power_w``, ``steps`` where present.
* Pauses: the time between ``<Activity>`` elements (``session_gap``), between a lap's second
  or later ``<Track>`` and the one before (``segment_gap``: the timer was stopped), and any
  other interval longer than 60 s between trackpoints (``gap``).
* Metadata: ``format="tcx"``, ``sport`` from the ``Sport`` attribute (Running → running,
  Biking → cycling, Other → other; ``multisport`` when the activities differ), ``device`` from
  ``Creator`` (``name``, ``unit_id``, ``product_id``, ``version``) plus the root's
  non-standard ``creator`` attribute; ``Author`` (the exporting software) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import CANONICAL_COLUMNS, Activity, empty_laps
from kicklab.errors import CorruptFile, EmptyActivity
from kicklab.geo import cumulative_distance_m
from kicklab.io._xml import (
    ColumnBuffer,
    blank_if_all_zero,
    cadence_is_spm,
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

__all__ = ["read_tcx", "read_tcx_all", "MAX_ACTIVITIES", "MAX_LAPS"]

#: Most ``<Activity>`` elements read from one file (bounds memory on hostile input).
MAX_ACTIVITIES: int = 10_000
#: Most ``<Lap>`` elements read from one file (a marathon with 1 km laps has 43).
MAX_LAPS: int = 100_000

_ROOT = "TrainingCenterDatabase"
_ACTIVITY_PARENTS = frozenset({"Activities", "FirstSport", "NextSport"})

# leaf local name inside a Trackpoint → column (``_cad``/``_run_cad`` are converted later)
_POINT_FIELDS: dict[str, str] = {
    "LatitudeDegrees": "lat_deg",
    "LongitudeDegrees": "lon_deg",
    "AltitudeMeters": "altitude_m",
    "DistanceMeters": "distance_m",
    "Cadence": "_cad",
    "RunCadence": "_run_cad",
    "Speed": "speed_mps",
    "Watts": "power_w",
}
_NUMERIC_POINT_KEYS = ("lat_deg", "lon_deg", "altitude_m", "heart_rate_bpm", "speed_mps")
_RESERVED = set(CANONICAL_COLUMNS) | {"timestamp", "time", "cadence_rpm"}

# leaf local name inside a Lap (outside its Tracks) → lap field
_LAP_FIELDS: dict[str, str] = {
    "TotalTimeSeconds": "total_time_s",
    "DistanceMeters": "distance_m",
    "MaximumSpeed": "max_speed_mps",
    "Calories": "calories",
    "Intensity": "intensity",
    "TriggerMethod": "trigger",
    "Cadence": "cadence",
    "AvgRunCadence": "avg_run_cadence",
    "MaxRunCadence": "max_run_cadence",
    "MaxBikeCadence": "max_bike_cadence",
    "AvgWatts": "avg_power_w",
    "MaxWatts": "max_power_w",
    "Steps": "steps",
}
_LAP_HR = {"AverageHeartRateBpm": "avg_heart_rate_bpm", "MaximumHeartRateBpm": "max_heart_rate_bpm"}

_TRIGGERS: dict[str, str] = {
    "manual": "manual",
    "distance": "distance",
    "location": "position",
    "position": "position",
    "time": "time",
    "heartrate": "heart_rate",
}

_CREATOR_FIELDS = {"Name": "name", "UnitId": "unit_id", "ProductID": "product_id"}
_VERSION_PARTS = ("VersionMajor", "VersionMinor", "BuildMajor", "BuildMinor")


@dataclass
class _ParsedActivity:
    """Texts collected from one ``<Activity>`` while streaming."""

    sport_word: str | None
    id: str | None = None
    notes: str | None = None
    device: dict[str, Any] = field(default_factory=dict)
    version: dict[str, str] = field(default_factory=dict)
    points: ColumnBuffer = field(default_factory=ColumnBuffer)
    laps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Frame:
    """One ``<Activity>`` converted to arrays (trackpoints in time order)."""

    sport: str | None
    id: str | None
    notes: str | None
    device: dict[str, Any]
    times: np.ndarray  # datetime64, UTC
    columns: dict[str, np.ndarray]
    new_track: np.ndarray  # bool: sample starts a lap's 2nd+ Track (timer restarted)
    laps: pd.DataFrame  # lap table with absolute "start" datetime64 instead of start_time_s
    distance_from_positions: bool = False  # no DistanceMeters: summed from positions


def read_tcx(data: bytes, source: str = "<bytes>") -> Activity:
    """Read a TCX document into one :class:`~kicklab.activity.Activity`.

    All ``<Activity>`` elements are combined in time order: one ``sessions`` row each, the
    time between them as pauses (``session_gap``), distances of later activities offset by the
    distance reached before them.

    Parameters
    ----------
    data
        The TCX file's bytes.
    source
        Label used in errors and ``metadata["source"]``.

    Returns
    -------
    Activity
        Records with ``time_s`` (s), ``distance_m`` (m), ``lat_deg``/``lon_deg`` (degree),
        ``altitude_m`` (m), ``heart_rate_bpm`` (1/min), ``cadence_spm`` (steps/min),
        ``speed_mps`` (m/s), ``power_w`` (W) where present, plus ``timestamp`` (UTC); laps,
        sessions and pauses as described in the module docstring.

    Raises
    ------
    CorruptFile
        Malformed or truncated XML, entity declarations, nesting deeper than
        :data:`kicklab.io.limits.MAX_XML_DEPTH`.
    UnsupportedFormat
        The root element is not ``<TrainingCenterDatabase>``.
    EmptyActivity
        No ``<Activity>`` has a trackpoint with a time.
    """
    root_creator, parsed = _parse(data, source)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd numbers become NaN in Activity
        frames = _frames(parsed, source)
        return _assemble(frames, source, root_creator)


def read_tcx_all(data: bytes, source: str = "<bytes>") -> list[Activity]:
    """Read every ``<Activity>`` of a TCX document as its own :class:`~kicklab.activity.Activity`.

    Activities without any timed trackpoint are skipped; the list is in time order and each
    Activity's times count from its own first trackpoint. ``metadata["id"]`` holds the
    ``<Id>``. See :func:`read_tcx` for columns, units and errors.
    """
    root_creator, parsed = _parse(data, source)
    with np.errstate(over="ignore", invalid="ignore"):
        frames = _frames(parsed, source)
        return [_assemble([f], source, root_creator) for f in frames]


# ---------------------------------------------------------------------------------- parsing
def _parse(data: bytes, source: str) -> tuple[str | None, list[_ParsedActivity]]:
    acts: list[_ParsedActivity] = []
    act: _ParsedActivity | None = None
    lap: dict[str, Any] | None = None
    point: dict[str, Any] | None = None
    act_depth = lap_depth = track_depth = point_depth = creator_depth = 0
    seg = track_in_lap = n_laps = 0
    root_creator = None
    extras: set[str] = set()
    for is_start, name, elem, stack in iter_xml(data, source, root=_ROOT):
        depth = len(stack)
        if is_start:
            if point is not None:
                continue
            if act is None:
                if name == "Activity" and depth >= 2 and stack[-2] in _ACTIVITY_PARENTS:
                    if len(acts) >= MAX_ACTIVITIES:
                        raise CorruptFile(f"more than {MAX_ACTIVITIES} <Activity> elements", source)
                    act = _ParsedActivity(elem.get("Sport"))
                    acts.append(act)
                    act_depth = depth
                elif depth == 1:
                    root_creator = elem.get("creator")
            elif name == "Lap" and lap is None and depth == act_depth + 1:
                n_laps += 1
                if n_laps > MAX_LAPS:
                    raise CorruptFile(f"more than {MAX_LAPS} <Lap> elements", source)
                lap = {"start": elem.get("StartTime")}
                act.laps.append(lap)
                lap_depth = depth
                track_in_lap = 0
            elif name == "Track" and not track_depth:
                if depth == (lap_depth if lap is not None else act_depth) + 1:
                    track_depth = depth
                    seg += 1
                    track_in_lap += 1
            elif name == "Trackpoint" and track_depth and depth == track_depth + 1:
                point = {"_seg": seg, "_lap": len(act.laps) - 1, "_trk": track_in_lap - 1}
                point_depth = depth
            elif name == "Creator" and depth == act_depth + 1:
                creator_depth = depth
            continue

        # ---- end events
        if point is not None:
            if depth == point_depth:
                if "time" in point:  # untimed trackpoints are dropped anyway
                    act.points.append(point)  # type: ignore[union-attr]
                point = None
                continue
            text = elem.text
            if text is None or len(elem):
                continue
            if name == "Time":
                if depth == point_depth + 1:
                    point.setdefault("time", text)
            elif name == "Value":
                if stack[-2] == "HeartRateBpm":
                    point.setdefault("heart_rate_bpm", text)
            else:
                key = _POINT_FIELDS.get(name)
                if key is None:
                    key = extra_key(name, "tcx", _RESERVED, extras)
                    if key is None:
                        continue
                point.setdefault(key, text)
            continue
        if act is None:
            continue
        if depth == act_depth:
            act = lap = None
            track_depth = creator_depth = 0
            continue
        if track_depth:
            if depth == track_depth:
                track_depth = 0
            continue
        if lap is not None:
            if depth == lap_depth:
                lap = None
                continue
            text = elem.text
            if text is None or len(elem):
                continue
            key = _LAP_HR.get(stack[-2]) if name == "Value" else _LAP_FIELDS.get(name)
            if key is not None:
                lap.setdefault(key, text.strip())
            continue
        if creator_depth:
            if depth == creator_depth:
                creator_depth = 0
                continue
            text = elem.text
            if text is None or len(elem):
                continue
            if name in _CREATOR_FIELDS:
                act.device.setdefault(_CREATOR_FIELDS[name], text.strip())
            elif name in _VERSION_PARTS:
                act.version.setdefault(name, text.strip())
            continue
        if depth == act_depth + 1 and elem.text is not None:
            if name == "Id":
                act.id = act.id or elem.text.strip()
            elif name == "Notes":
                act.notes = act.notes or elem.text.strip()
    return clean_text(root_creator), acts


# ---------------------------------------------------------------------------------- arrays
def _frames(parsed: list[_ParsedActivity], source: str) -> list[_Frame]:
    frames = [f for f in (_frame(p) for p in parsed) if f is not None]
    if not frames:
        if not parsed:
            raise EmptyActivity("no <Activity> in the file (courses or workouts only?)", source)
        raise EmptyActivity("no trackpoint with a <Time> in any <Activity>", source)
    frames.sort(key=lambda f: f.times[0])
    return frames


def _frame(act: _ParsedActivity) -> _Frame | None:
    buf = act.points
    if len(buf) == 0:
        return None
    times = to_utc(buf.get("time"))
    keep = ~np.isnat(times)
    if not keep.any():
        return None
    idx = np.flatnonzero(keep)
    idx = idx[np.argsort(times[idx], kind="stable")]
    times = times[idx]
    sport = map_sport(act.sport_word)

    def col(key: str) -> np.ndarray:
        return to_float(buf.get(key))[idx]

    cols: dict[str, np.ndarray] = {k: col(k) for k in _NUMERIC_POINT_KEYS}
    cols["power_w"] = blank_if_all_zero(col("power_w"))
    seg = np.asarray(buf.get("_seg"), dtype=np.int64)[idx]
    trk = np.asarray(buf.get("_trk"), dtype=np.int64)[idx]
    lap_of = np.asarray(buf.get("_lap"), dtype=np.int64)[idx]
    new_seg = np.zeros(idx.size, dtype=bool)
    new_seg[1:] = seg[1:] != seg[:-1]
    new_track = new_seg & (trk > 0)

    dist = _non_decreasing(col("distance_m"))
    from_positions = not np.isfinite(dist).any() and bool(np.isfinite(cols["lat_deg"]).any())
    if from_positions:
        dist = cumulative_distance_m(cols["lat_deg"], cols["lon_deg"], breaks=new_track)
    cols["distance_m"] = dist

    factor: float | None = None
    if buf.has("_run_cad") or buf.has("_cad"):
        run_cad, cad = col("_run_cad"), col("_cad")
        if sport == "cycling":
            cols["cadence_rpm"] = blank_if_all_zero(np.where(np.isfinite(cad), cad, run_cad))
        else:
            raw = blank_if_all_zero(np.where(np.isfinite(run_cad), run_cad, cad))
            if np.isfinite(raw).any():
                cols["cadence_spm"], factor = cadence_to_spm(raw)
    for key in sorted(k for k in buf.cols if not k.startswith("_") and k not in cols):
        if key != "time":
            cols[key] = extra_column(buf.get(key))[idx]

    device = dict(act.device)
    if act.version:
        parts = [act.version.get(p) for p in _VERSION_PARTS]
        device["version"] = ".".join(p for p in parts if p is not None)
    return _Frame(
        sport=sport,
        id=act.id,
        notes=act.notes,
        device=device,
        times=times,
        columns=cols,
        new_track=new_track,
        laps=_laps(act.laps, times, lap_of, sport, factor),
        distance_from_positions=from_positions,
    )


def _non_decreasing(dist: np.ndarray) -> np.ndarray:
    """Running maximum of a cumulative distance, NaN kept: devices sometimes step back by a
    metre when they re-sync (e.g. at a lap), which is noise, not running backwards."""
    finite = np.isfinite(dist)
    if not finite.any():
        return dist
    out = np.fmax.accumulate(np.where(finite, dist, -np.inf))
    return np.where(finite, out, np.nan)


def _laps(
    laps: list[dict[str, Any]],
    times: np.ndarray,
    lap_of: np.ndarray,
    sport: str | None,
    factor: float | None,
) -> pd.DataFrame:
    """Lap table of one activity with an absolute ``start`` (datetime64, UTC) column."""
    if not laps:
        return pd.DataFrame({"start": np.empty(0, dtype="datetime64[us]")})
    start = to_utc([lap.get("start") for lap in laps])
    # a lap without a usable StartTime starts at its first trackpoint (times are sorted)
    missing = np.isnat(start)
    if missing.any():
        laps_seen, first = np.unique(lap_of, return_index=True)
        first_time = np.full(len(laps), np.datetime64("NaT"), dtype=times.dtype)
        ok = (laps_seen >= 0) & (laps_seen < len(laps))
        first_time[laps_seen[ok]] = times[first[ok]]
        start = start.astype(times.dtype)
        start[missing] = first_time[missing]

    def num(key: str) -> np.ndarray:
        return to_float([lap.get(key) for lap in laps])

    total = num("total_time_s")
    dist = num("distance_m")
    with np.errstate(divide="ignore", invalid="ignore"):
        avg_speed = np.where(total > 0, dist / total, np.nan)
    trig = [_TRIGGERS.get((lap.get("trigger") or "").lower(), "unknown") for lap in laps]
    table: dict[str, Any] = {
        "start": start,
        "elapsed_s": total,
        "timer_s": total,
        "distance_m": dist,
        "avg_speed_mps": avg_speed,
        "trigger": trig,
    }
    for key in ("calories", "max_speed_mps", "avg_heart_rate_bpm", "max_heart_rate_bpm"):
        if any(key in lap for lap in laps):
            table[key] = num(key)
    if any("intensity" in lap for lap in laps):
        table["intensity"] = [(lap.get("intensity") or "").lower() or None for lap in laps]
    for key in ("avg_power_w", "max_power_w", "steps"):
        if any(key in lap for lap in laps):
            table[key] = num(key)
    if sport == "cycling":
        if any("cadence" in lap for lap in laps):
            table["avg_cadence_rpm"] = num("cadence")
        if any("max_bike_cadence" in lap for lap in laps):
            table["max_cadence_rpm"] = num("max_bike_cadence")
    else:
        avg = num("avg_run_cadence")
        avg = np.where(np.isfinite(avg), avg, num("cadence"))
        if np.isfinite(avg).any():
            f = factor if factor is not None else (1.0 if cadence_is_spm(avg) else 2.0)
            table["avg_cadence_spm"] = avg * f
            if any("max_run_cadence" in lap for lap in laps):
                table["max_cadence_spm"] = num("max_run_cadence") * f
    return pd.DataFrame(table)


# ---------------------------------------------------------------------------------- assembly
def _assemble(frames: list[_Frame], source: str, root_creator: str | None) -> Activity:
    t0 = frames[0].times[0]
    parts: list[pd.DataFrame] = []
    kinds: list[np.ndarray] = []
    laps: list[pd.DataFrame] = []
    sessions: list[dict[str, Any]] = []
    offset = 0.0
    for k, fr in enumerate(frames):
        time_s = seconds_since(fr.times, t0)
        cols = dict(fr.columns)
        dist = cols["distance_m"]
        if k and offset:
            cols["distance_m"] = dist + offset
        valid = cols["distance_m"][np.isfinite(cols["distance_m"])]
        if valid.size:
            offset = float(valid[-1])
        part = pd.DataFrame({"time_s": time_s, **cols})
        part["timestamp"] = fr.times
        parts.append(part)
        kind = np.where(fr.new_track, "segment_gap", "").astype(object)
        if k:
            kind[0] = "session_gap"
        kinds.append(kind)

        lap = fr.laps.copy()
        if len(lap):
            lap.insert(0, "start_time_s", seconds_since(lap.pop("start").to_numpy(), t0))
            lap.insert(1, "end_time_s", lap["start_time_s"] + lap["elapsed_s"])
            laps.append(lap)
        lap_total = fr.laps["timer_s"].sum(min_count=1) if len(fr.laps) else np.nan
        lap_dist = fr.laps["distance_m"].sum(min_count=1) if len(fr.laps) else np.nan
        if not np.isfinite(lap_dist) and np.isfinite(dist).any():
            d = dist[np.isfinite(dist)]
            lap_dist = float(d[-1] - d[0])
        sessions.append(
            {
                "sport": fr.sport,
                "sub_sport": None,
                "start_time_s": float(time_s[0]),
                "end_time_s": float(time_s[-1]),
                "elapsed_s": float(time_s[-1] - time_s[0]),
                "timer_s": float(lap_total),
                "distance_m": float(lap_dist),
            }
        )

    records = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    kind_all = np.concatenate(kinds)
    order = np.argsort(records["time_s"].to_numpy(), kind="stable")
    if (np.diff(order) != 1).any():  # activities overlapping in time
        records = records.iloc[order].reset_index(drop=True)
        kind_all = kind_all[order]
    pauses = pauses_from_gaps(records["time_s"].to_numpy(), kind_all)
    lap_table = (
        empty_laps()
        if not laps
        else laps[0]
        if len(laps) == 1
        else pd.concat(laps, ignore_index=True)
    )

    sports = {fr.sport for fr in frames}
    device = next((fr.device for fr in frames if fr.device), {})
    if root_creator:
        device = {**device, "creator": root_creator}
    metadata: dict[str, Any] = {
        "format": "tcx",
        "source": source,
        "sport": frames[0].sport if len(sports) == 1 else "multisport",
        "sub_sport": None,
        "start_time": utc_timestamp(t0),
        "device": device,
        "name": None,
    }
    if any(fr.distance_from_positions for fr in frames):
        metadata["distance_source"] = "positions"
    if len(frames) == 1:
        metadata["id"] = frames[0].id
    else:
        metadata["ids"] = [fr.id for fr in frames]
    notes = [fr.notes for fr in frames if fr.notes]
    if notes:
        metadata["notes"] = "\n".join(notes)
    return Activity(records, lap_table, pd.DataFrame(sessions), pauses, metadata)
