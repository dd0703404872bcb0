"""The :class:`Activity`: one recorded run (or other sport) in SI units.

An activity holds

* ``records`` — a per-sample :class:`pandas.DataFrame` with the canonical columns below
  (float64, NaN where missing) plus ``timestamp`` (UTC) and any format-specific fields the
  reader found, kept under their own names (e.g. ``vertical_oscillation``, developer fields);
* ``laps`` — one row per lap (see :data:`LAP_COLUMNS`);
* ``sessions`` — one row per session: a multisport file has several (see
  :meth:`Activity.session`);
* ``pauses`` — intervals where the recording was stopped or the athlete stood still;
* ``metadata`` — format, source, sport, device and start time.

Canonical record columns (the nomenclature of ``docs/nomenclature.md``):

================  ==========  ===============================================
column            unit        meaning
================  ==========  ===============================================
time_s            s           time since the first record, monotonic
distance_m        m           cumulative distance
speed_mps         m/s         instantaneous speed
lat_deg           degree      WGS-84 latitude
lon_deg           degree      WGS-84 longitude
altitude_m        m           altitude above sea level
grade             1           rise over run (0.05 = 5 %)
heart_rate_bpm    1/min       heart rate
cadence_spm       steps/min   cadence counted in steps (a FIT 90 rpm = 180)
step_length_m     m           length of one step (not a stride of two steps)
power_w           W           running power
================  ==========  ===============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import EmptyActivity, InvalidValue

__all__ = [
    "CANONICAL_COLUMNS",
    "LAP_COLUMNS",
    "SESSION_COLUMNS",
    "PAUSE_COLUMNS",
    "LAP_TRIGGERS",
    "Activity",
    "empty_laps",
    "empty_sessions",
    "empty_pauses",
]

CANONICAL_COLUMNS: tuple[str, ...] = (
    "time_s",
    "distance_m",
    "speed_mps",
    "lat_deg",
    "lon_deg",
    "altitude_m",
    "grade",
    "heart_rate_bpm",
    "cadence_spm",
    "step_length_m",
    "power_w",
)

#: Lap table columns: times in s from the activity's first record, distance in m, speeds m/s.
LAP_COLUMNS: tuple[str, ...] = (
    "start_time_s",
    "end_time_s",
    "elapsed_s",
    "timer_s",
    "distance_m",
    "avg_speed_mps",
    "trigger",
)

#: Session table columns (a multisport file has one row per leg).
SESSION_COLUMNS: tuple[str, ...] = (
    "sport",
    "sub_sport",
    "start_time_s",
    "end_time_s",
    "elapsed_s",
    "timer_s",
    "distance_m",
)

#: Pause table columns: interval [start_time_s, end_time_s) in s from the first record.
PAUSE_COLUMNS: tuple[str, ...] = ("start_time_s", "end_time_s", "duration_s", "kind")

#: Why a lap ended. ``session`` is the implicit lap closed by the end of the activity.
LAP_TRIGGERS: frozenset[str] = frozenset(
    {
        "manual",
        "distance",
        "time",
        "position",
        "session",
        "heart_rate",
        "fitness_equipment",
        "unknown",
    }
)

#: Longest span of record times accepted in one activity, s (a corrupt clock gives decades).
MAX_SPAN_S: float = 10 * 365 * 86400.0

# Values outside these bounds cannot come from a human on foot or bike; readers set them to NaN
# (sensor glitches), and Activity refuses a file whose *time* axis is unusable.
_PLAUSIBLE: dict[str, tuple[float, float]] = {
    "speed_mps": (0.0, 30.0),
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 180.0),
    "altitude_m": (-500.0, 9000.0),
    "heart_rate_bpm": (20.0, 260.0),
    "cadence_spm": (0.0, 400.0),
    "step_length_m": (0.0, 4.0),
    "power_w": (0.0, 3000.0),
}


def _typed_frame(columns: tuple[str, ...], dtypes: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "float64")) for c in columns})


def empty_laps() -> pd.DataFrame:
    """An empty lap table with the :data:`LAP_COLUMNS`."""
    return _typed_frame(LAP_COLUMNS, {"trigger": "object"})


def empty_sessions() -> pd.DataFrame:
    """An empty session table with the :data:`SESSION_COLUMNS`."""
    return _typed_frame(SESSION_COLUMNS, {"sport": "object", "sub_sport": "object"})


def empty_pauses() -> pd.DataFrame:
    """An empty pause table with the :data:`PAUSE_COLUMNS`."""
    return _typed_frame(PAUSE_COLUMNS, {"kind": "object"})


def _conform(table: pd.DataFrame | None, empty: pd.DataFrame) -> pd.DataFrame:
    """Give ``table`` at least the columns of ``empty`` (NaN-filled), in that order first."""
    if table is None or len(table) == 0:
        extra = [] if table is None else [c for c in table.columns if c not in empty.columns]
        out = empty.copy()
        for c in extra:
            out[c] = pd.Series(dtype=table[c].dtype)
        return out
    out = table.reset_index(drop=True).copy()
    for c in empty.columns:
        if c not in out.columns:
            out[c] = np.nan if empty[c].dtype == "float64" else None
        elif empty[c].dtype == "float64":
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    order = list(empty.columns) + [c for c in out.columns if c not in empty.columns]
    return out[order]


@dataclass
class Activity:
    """A recorded activity in SI units (see the module docstring for the columns).

    Build one from any per-sample table; the constructor conforms it: the canonical columns
    exist (float64, NaN when missing), records are sorted by ``time_s`` with duplicate times
    dropped, ``time_s`` starts at 0, implausible sensor values become NaN, and ``timestamp``
    is a UTC datetime column (NaT when the file has no absolute time).

    Attributes
    ----------
    records : pandas.DataFrame
        Per-sample data, canonical columns first, then ``timestamp``, then extra fields.
    laps, sessions, pauses : pandas.DataFrame
        See :data:`LAP_COLUMNS`, :data:`SESSION_COLUMNS`, :data:`PAUSE_COLUMNS`.
    metadata : dict
        ``format`` (fit/gpx/tcx/csv/splits), ``source`` (path or name), ``sport``,
        ``sub_sport``, ``start_time`` (:class:`pandas.Timestamp`, UTC, or None), ``device``
        (dict), ``name``; readers may add more.
    """

    records: pd.DataFrame
    laps: pd.DataFrame = field(default_factory=empty_laps)
    sessions: pd.DataFrame = field(default_factory=empty_sessions)
    pauses: pd.DataFrame = field(default_factory=empty_pauses)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        source = self.metadata.get("source")
        self.records = _conform_records(self.records, source)
        self.laps = _conform(self.laps, empty_laps())
        self.sessions = _conform(self.sessions, empty_sessions())
        self.pauses = _conform(self.pauses, empty_pauses())
        self.metadata = dict(self.metadata)
        self.metadata.setdefault("format", None)
        self.metadata.setdefault("source", None)
        self.metadata.setdefault("sport", None)
        self.metadata.setdefault("sub_sport", None)
        self.metadata.setdefault("device", {})
        self.metadata.setdefault("name", None)
        start = self.metadata.get("start_time")
        if start is None or pd.isna(start):
            ts = self.records["timestamp"].dropna()
            start = (
                ts.iloc[0] - pd.to_timedelta(self.records.loc[ts.index[0], "time_s"], unit="s")
                if len(ts)
                else None
            )
        else:
            start = pd.Timestamp(start)
            start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        self.metadata["start_time"] = start
        if self.records["timestamp"].isna().all() and start is not None:
            self.records["timestamp"] = start + pd.to_timedelta(self.records["time_s"], unit="s")

    # ------------------------------------------------------------------ accessors
    @property
    def format(self) -> str | None:
        """The source format: ``fit``, ``gpx``, ``tcx``, ``csv`` or ``splits``."""
        return self.metadata.get("format")

    @property
    def sport(self) -> str | None:
        """Sport as a lower-case word (``running``, ``cycling``, ...), or None when unknown."""
        return self.metadata.get("sport")

    @property
    def start_time(self) -> pd.Timestamp | None:
        """UTC time of the first record (None when the file has no absolute time)."""
        return self.metadata.get("start_time")

    @property
    def duration_s(self) -> float:
        """Elapsed wall-clock time from the first to the last record, in s (pauses included)."""
        t = self.records["time_s"].to_numpy()
        return float(t[-1] - t[0]) if len(t) else 0.0

    @property
    def paused_s(self) -> float:
        """Total time inside :attr:`pauses`, in s."""
        return float(self.pauses["duration_s"].sum()) if len(self.pauses) else 0.0

    @property
    def moving_time_s(self) -> float:
        """Elapsed time minus pauses (timer stops, standstills and recording gaps), in s."""
        return max(self.duration_s - self.paused_s, 0.0)

    @property
    def distance_m(self) -> float:
        """Distance covered, in m: the records' last cumulative distance when present, else the
        sessions' total, else the laps' sum, else NaN."""
        d = self.records["distance_m"].dropna()
        if len(d):
            return float(d.iloc[-1])
        if self.sessions["distance_m"].notna().any():
            return float(self.sessions["distance_m"].sum())
        if self.laps["distance_m"].notna().any():
            return float(self.laps["distance_m"].sum())
        return float("nan")

    @property
    def fields(self) -> list[str]:
        """Canonical columns that hold at least one value."""
        rec = self.records
        return [c for c in CANONICAL_COLUMNS if rec[c].notna().any()]

    @property
    def extra_fields(self) -> list[str]:
        """Non-canonical record columns (format-specific or developer fields), kept by name."""
        skip = set(CANONICAL_COLUMNS) | {"timestamp"}
        return [c for c in self.records.columns if c not in skip]

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        return (
            f"Activity(format={self.format!r}, sport={self.sport!r}, start_time={self.start_time}, "
            f"records={len(self.records)}, laps={len(self.laps)}, sessions={len(self.sessions)}, "
            f"distance_m={self.distance_m:.1f}, duration_s={self.duration_s:.1f})"
        )

    # ------------------------------------------------------------------ derived activities
    def with_records(self, records: pd.DataFrame, **metadata: Any) -> Activity:
        """A copy with new records (laps, sessions and pauses kept; metadata updated)."""
        meta = {**self.metadata, **metadata}
        return Activity(records, self.laps.copy(), self.sessions.copy(), self.pauses.copy(), meta)

    def between(self, start_s: float, end_s: float) -> Activity:
        """The part of the activity with ``start_s <= time_s <= end_s`` (s from the first record).

        Times in the result are re-based to start at 0; laps and pauses are clipped to the window.
        """
        rec = self.records
        mask = (rec["time_s"] >= start_s) & (rec["time_s"] <= end_s)
        if not mask.any():
            raise EmptyActivity(
                f"no records between {start_s:.0f} s and {end_s:.0f} s", self.metadata.get("source")
            )
        sub = rec.loc[mask].copy()
        t0 = float(sub["time_s"].iloc[0])
        sub["time_s"] = sub["time_s"] - t0
        d = sub["distance_m"].dropna()
        if len(d):
            sub["distance_m"] = sub["distance_m"] - d.iloc[0]

        def clip(table: pd.DataFrame) -> pd.DataFrame:
            if len(table) == 0:
                return table.copy()
            keep = (table["end_time_s"] > start_s) & (table["start_time_s"] < end_s)
            out = table.loc[keep].copy()
            out["start_time_s"] = out["start_time_s"].clip(lower=start_s) - t0
            out["end_time_s"] = out["end_time_s"].clip(upper=end_s) - t0
            if "duration_s" in out:
                out["duration_s"] = out["end_time_s"] - out["start_time_s"]
            return out

        meta = dict(self.metadata)
        meta["start_time"] = sub["timestamp"].iloc[0] if sub["timestamp"].notna().any() else None
        return Activity(sub, clip(self.laps), clip(self.sessions), clip(self.pauses), meta)

    def session(self, which: int | str = "running") -> Activity:
        """One session of a multisport file, chosen by index or by sport name.

        ``which="running"`` (the default) picks the longest running session. Raises
        :class:`~kicklab.errors.EmptyActivity` when no session matches.
        """
        ses = self.sessions
        src = self.metadata.get("source")
        if len(ses) == 0:
            if isinstance(which, str) and self.sport not in (None, which):
                raise EmptyActivity(f"no {which} session (activity sport is {self.sport})", src)
            return self
        if isinstance(which, int):
            if not -len(ses) <= which < len(ses):
                raise EmptyActivity(f"session {which} does not exist ({len(ses)} sessions)", src)
            row = ses.iloc[which]
        else:
            match = ses[ses["sport"] == which]
            if len(match) == 0:
                sports = ", ".join(str(s) for s in ses["sport"])
                raise EmptyActivity(f"no {which} session (sessions: {sports})", src)
            row = match.loc[(match["end_time_s"] - match["start_time_s"]).idxmax()]
        if len(ses) == 1:
            return self
        out = self.between(float(row["start_time_s"]), float(row["end_time_s"]))
        out.metadata["sport"] = row["sport"]
        out.metadata["sub_sport"] = row["sub_sport"]
        return out

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict of the headline facts (what ``kicklab inspect --json`` prints)."""
        start = self.start_time
        return {
            "path": self.metadata.get("source"),
            "format": self.format,
            "sport": self.sport,
            "sub_sport": self.metadata.get("sub_sport"),
            "start_time": None if start is None else start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": round(self.duration_s, 3),
            "moving_time_s": round(self.moving_time_s, 3),
            "distance_m": None if np.isnan(self.distance_m) else round(self.distance_m, 2),
            "n_records": len(self.records),
            "n_laps": len(self.laps),
            "n_sessions": len(self.sessions),
            "n_pauses": len(self.pauses),
            "fields": self.fields,
            "extra_fields": self.extra_fields,
            "device": self.metadata.get("device") or {},
        }


def _conform_records(records: pd.DataFrame, source: str | None) -> pd.DataFrame:
    if not isinstance(records, pd.DataFrame):
        records = pd.DataFrame(records)
    if "time_s" not in records.columns or len(records) == 0:
        raise EmptyActivity("no timed records", source)
    rec = records.reset_index(drop=True)
    data: dict[str, Any] = {}
    for c in CANONICAL_COLUMNS:
        if c in rec.columns:
            col = pd.to_numeric(rec[c], errors="coerce").to_numpy(dtype="float64", copy=True)
        else:
            col = np.full(len(rec), np.nan)
        col[~np.isfinite(col)] = np.nan
        bounds = _PLAUSIBLE.get(c)
        if bounds is not None:
            col[(col < bounds[0]) | (col > bounds[1])] = np.nan
        data[c] = col
    if "timestamp" in rec.columns:
        ts = pd.to_datetime(rec["timestamp"], utc=True, errors="coerce")
    else:
        ts = pd.Series(pd.NaT, index=rec.index, dtype="datetime64[ns, UTC]")
    data["timestamp"] = pd.DatetimeIndex(ts)
    for c in rec.columns:
        if c not in data:
            data[c] = rec[c].to_numpy()
    out = pd.DataFrame(data)
    out = out[out["time_s"].notna()]
    if len(out) == 0:
        raise EmptyActivity("no records with a valid time", source)
    t = out["time_s"].to_numpy()
    if (np.diff(t) < 0).any():
        out = out.sort_values("time_s", kind="stable")
    out = out.drop_duplicates("time_s", keep="first").reset_index(drop=True)
    t0 = out["time_s"].iloc[0]
    if abs(t0) > 0:
        out["time_s"] = out["time_s"] - t0
    if out["time_s"].iloc[-1] > MAX_SPAN_S:
        raise InvalidValue("record times span more than ten years (corrupt clock?)", source)
    return out
