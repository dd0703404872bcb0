"""FIT activity files → :class:`~kicklab.activity.Activity`.

Decoding is done by :mod:`kicklab.io.fitcodec` (vectorised; values identical to fitdecode);
this module maps the FIT profile onto kicklab's canonical SI columns:

===================  ===============================================================
canonical column     FIT source (``record`` message)
===================  ===============================================================
time_s, timestamp    ``timestamp`` (full or compressed header), s from the first record
distance_m           ``distance`` (or ``compressed_speed_distance``'s accumulated part)
speed_mps            ``enhanced_speed``, else ``speed``
lat_deg, lon_deg     ``position_lat``/``position_long`` semicircles × 180 / 2³¹
altitude_m           ``enhanced_altitude``, else ``altitude``
grade                ``grade`` (%) / 100
heart_rate_bpm       ``heart_rate``
cadence_spm          foot sports: 2 × (``cadence`` + ``fractional_cadence``) — FIT counts
                     one foot's cycles per minute; cycling cadence goes to ``cadence_rpm``
step_length_m        ``step_length`` (mm) / 1000
power_w              ``power``, else a developer field whose native field is power
===================  ===============================================================

Every other record field (running dynamics, temperature, developer fields by their
snake-cased names, ...) is kept under its own name in the FIT profile's units
(``metadata["units"]``). Timer stop/start events become pauses (kind ``"timer"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kicklab.activity import MAX_SPAN_S, Activity, empty_laps, empty_pauses, empty_sessions
from kicklab.errors import EmptyActivity, KicklabError
from kicklab.io.cadence import cadence_to_spm
from kicklab.io.fitcodec import FIT_EPOCH_S, FIT_MIN_ABSOLUTE_TIME, FitData, decode_fit

__all__ = ["read_fit", "FOOT_SPORTS"]

SEMICIRCLE_DEG = 180.0 / 2**31

#: Sports whose FIT cadence counts one foot (×2 gives steps/min). Unknown sports count as foot
#: sports: kicklab is about running.
FOOT_SPORTS = frozenset(
    {
        "running",
        "walking",
        "hiking",
        "generic",
        "training",
        "fitness_equipment",
        "mountaineering",
        "transition",
        "multisport",
        None,
    }
)

_LAP_TRIGGER = {
    "manual": "manual",
    "time": "time",
    "distance": "distance",
    "position_start": "position",
    "position_lap": "position",
    "position_waypoint": "position",
    "position_marked": "position",
    "session_end": "session",
    "fitness_equipment": "fitness_equipment",
}

# record fields consumed into canonical columns (not repeated as extras)
_CONSUMED = {
    "_order",
    "timestamp",
    "distance",
    "speed",
    "enhanced_speed",
    "altitude",
    "enhanced_altitude",
    "position_lat",
    "position_long",
    "grade",
    "heart_rate",
    "cadence",
    "fractional_cadence",
    "step_length",
    "power",
}

# FIT record field numbers a developer field may stand in for (native_field_num)
_NATIVE = {
    2: "altitude_m",
    3: "heart_rate_bpm",
    4: "cadence_spm",
    5: "distance_m",
    6: "speed_mps",
    7: "power_w",
}


def _col(table: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float64 (NaN where missing, or where a damaged file put non-numbers)."""
    if name not in table.columns:
        return np.full(len(table), np.nan)
    col = table[name]
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64)
    return np.array([_number(v) for v in col.tolist()], dtype=np.float64)


def _number(value) -> float:
    """``value`` as a float, NaN unless it is a real number."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def _first_valid(*arrays: np.ndarray) -> np.ndarray:
    out = arrays[0].copy()
    for a in arrays[1:]:
        out = np.where(np.isnan(out), a, out)
    return out


def _to_utc(raw: np.ndarray) -> pd.DatetimeIndex:
    """FIT ``date_time`` seconds → UTC datetimes (NaT for relative or missing times)."""
    absolute = np.where(raw >= FIT_MIN_ABSOLUTE_TIME, raw + FIT_EPOCH_S, np.nan)
    return pd.to_datetime(absolute, unit="s", utc=True)


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def read_fit(data: bytes, source: str = "<bytes>", *, strict: bool = True) -> Activity:
    """Read a FIT activity file.

    Parameters
    ----------
    data
        The file's bytes (gzip already removed; see :func:`kicklab.io.read`).
    source
        Name used in errors and ``metadata["source"]``.
    strict
        Raise :class:`~kicklab.errors.CorruptFile` on a CRC mismatch, truncation or an
        undefined message (default). When False, keep what was decoded before the damage and
        list the problems in ``metadata["warnings"]``.

    Returns
    -------
    Activity
        All sessions of a multisport file (select one with :meth:`Activity.session`).
    """
    try:
        fd = decode_fit(data, strict=strict)
    except KicklabError as exc:
        raise exc.with_source(source) from None
    return _activity(fd, source)


def _activity(fd: FitData, source: str) -> Activity:
    rec = fd.get("record")
    if len(rec) == 0:
        raise EmptyActivity("FIT file has no record messages", source)
    ts_raw = _col(rec, "timestamp")
    keep = ~np.isnan(ts_raw)
    if not keep.any():
        raise EmptyActivity("FIT records have no timestamps", source)
    if fd.warnings:
        # a damaged file may end in garbage timestamps: keep the plausible span only
        first = ts_raw[keep][0]
        sane = keep & (ts_raw >= first) & (ts_raw <= first + MAX_SPAN_S)
        if (keep & ~sane).any():
            fd.warnings.append(
                f"{int((keep & ~sane).sum())} records with corrupt timestamps dropped"
            )
        keep = sane
    rec = rec.loc[keep].reset_index(drop=True)
    ts_raw = ts_raw[keep]
    t0 = float(ts_raw[0])

    sessions = _sessions(fd.get("session"), t0)
    sports = [s for s in sessions["sport"].tolist() if s not in (None, "transition")]
    if len(set(sports)) > 1:
        sport = "multisport"
    elif sports:
        sport = sports[0]
    else:
        sp = fd.get("sport")
        sport = _text(sp["sport"].iloc[0]) if "sport" in sp.columns and len(sp) else None
    sub_sport = _text(sessions["sub_sport"].iloc[0]) if len(sessions) == 1 else None

    time_s = ts_raw - t0
    out: dict[str, np.ndarray] = {
        "time_s": time_s,
        "distance_m": _col(rec, "distance"),
        "speed_mps": _first_valid(_col(rec, "enhanced_speed"), _col(rec, "speed")),
        "lat_deg": _col(rec, "position_lat") * SEMICIRCLE_DEG,
        "lon_deg": _col(rec, "position_long") * SEMICIRCLE_DEG,
        "altitude_m": _first_valid(_col(rec, "enhanced_altitude"), _col(rec, "altitude")),
        "grade": _col(rec, "grade") / 100.0,
        "heart_rate_bpm": _col(rec, "heart_rate"),
        "step_length_m": _col(rec, "step_length") / 1000.0,
        "power_w": _col(rec, "power"),
    }
    cadence = _col(rec, "cadence") + np.nan_to_num(_col(rec, "fractional_cadence"))
    foot = _foot_mask(time_s, sessions, sport)
    out["cadence_spm"] = np.where(foot, 2.0 * cadence, np.nan)
    if not foot.all() and not np.isnan(cadence[~foot]).all():
        out["cadence_rpm"] = np.where(foot, np.nan, cadence)

    for col, desc in fd.developer_fields.items():
        target = _NATIVE.get(desc.get("native_field_num"))  # type: ignore[arg-type]
        if target and col in rec.columns and np.isnan(out[target]).all():
            vals = _col(rec, col)
            out[target] = cadence_to_spm(vals)[0] if target == "cadence_spm" else vals

    columns: dict[str, object] = dict(out)
    columns["timestamp"] = _to_utc(ts_raw)
    for c in rec.columns:
        if c not in _CONSUMED and c != "compressed_speed_distance" and c not in columns:
            columns[c] = rec[c].to_numpy()
    records = pd.DataFrame(columns)

    device = _device(fd)
    start = records["timestamp"].iloc[0]
    meta = {
        "format": "fit",
        "source": source,
        "sport": sport,
        "sub_sport": sub_sport,
        "start_time": None if pd.isna(start) else start,
        "device": device,
        "name": None,
        "units": {k: v for k, v in fd.units.get("record", {}).items() if k in records.columns},
        "developer_fields": fd.developer_fields,
        "fit_files": fd.n_files,
    }
    if fd.warnings:
        meta["warnings"] = list(fd.warnings)
    return Activity(
        records,
        laps=_laps(fd.get("lap"), t0),
        sessions=sessions,
        pauses=_pauses(fd.get("event"), t0, float(time_s[-1])),
        metadata=meta,
    )


def _foot_mask(time_s: np.ndarray, sessions: pd.DataFrame, sport: str | None) -> np.ndarray:
    """Per record: does its cadence count one foot (True) or pedal revolutions (False)?"""
    if len(sessions) == 0:
        return np.full(time_s.size, sport in FOOT_SPORTS)
    starts = sessions["start_time_s"].to_numpy(dtype=float)
    order = np.argsort(np.nan_to_num(starts, nan=np.inf), kind="stable")
    starts = np.nan_to_num(starts[order], nan=np.inf)
    is_foot = np.array([s in FOOT_SPORTS for s in sessions["sport"].to_numpy()[order]])
    idx = np.clip(np.searchsorted(starts, time_s, side="right") - 1, 0, len(starts) - 1)
    return is_foot[idx]


def _sessions(ses: pd.DataFrame, t0: float) -> pd.DataFrame:
    if len(ses) == 0:
        return empty_sessions()
    start = _col(ses, "start_time") - t0
    elapsed = _col(ses, "total_elapsed_time")
    end_ts = _col(ses, "timestamp") - t0
    end = np.where(np.isnan(elapsed), end_ts, start + elapsed)
    return pd.DataFrame(
        {
            "sport": [_text(s) for s in ses.get("sport", pd.Series([None] * len(ses)))],
            "sub_sport": [_text(s) for s in ses.get("sub_sport", pd.Series([None] * len(ses)))],
            "start_time_s": start,
            "end_time_s": end,
            "elapsed_s": elapsed,
            "timer_s": _col(ses, "total_timer_time"),
            "distance_m": _col(ses, "total_distance"),
        }
    )


def _laps(lap: pd.DataFrame, t0: float) -> pd.DataFrame:
    if len(lap) == 0:
        return empty_laps()
    start = _col(lap, "start_time") - t0
    elapsed = _col(lap, "total_elapsed_time")
    end = np.where(np.isnan(elapsed), _col(lap, "timestamp") - t0, start + elapsed)
    timer = _col(lap, "total_timer_time")
    dist = _col(lap, "total_distance")
    avg = _first_valid(_col(lap, "enhanced_avg_speed"), _col(lap, "avg_speed"))
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(np.isnan(avg), dist / timer, avg)
    trig = lap.get("lap_trigger", pd.Series([None] * len(lap)))
    return pd.DataFrame(
        {
            "start_time_s": start,
            "end_time_s": end,
            "elapsed_s": elapsed,
            "timer_s": timer,
            "distance_m": dist,
            "avg_speed_mps": avg,
            "trigger": [_LAP_TRIGGER.get(str(t), "unknown") for t in trig],
        }
    )


def _pauses(ev: pd.DataFrame, t0: float, t_end: float) -> pd.DataFrame:
    """Timer stop → start intervals from ``event`` messages (a handful: a loop is fine)."""
    if len(ev) == 0 or not {"event", "event_type", "timestamp"} <= set(ev.columns):
        return empty_pauses()
    ts = _col(ev, "timestamp")
    is_timer = (ev["event"] == "timer").to_numpy() & ~np.isnan(ts)
    rows = []
    stopped_at: float | None = None
    for t, kind in zip(ts[is_timer] - t0, ev["event_type"].to_numpy()[is_timer]):
        kind = str(kind)
        if kind.startswith("stop"):
            if stopped_at is None:
                stopped_at = t
        elif kind == "start" and stopped_at is not None:
            if t > stopped_at:
                rows.append((stopped_at, t))
            stopped_at = None
    rows = [(max(a, 0.0), min(b, t_end)) for a, b in rows if b > 0 and a < t_end]
    if not rows:
        return empty_pauses()
    a = np.array(rows)
    return pd.DataFrame(
        {
            "start_time_s": a[:, 0],
            "end_time_s": a[:, 1],
            "duration_s": a[:, 1] - a[:, 0],
            "kind": "timer",
        }
    )


def _device(fd: FitData) -> dict:
    dev: dict = {}
    fid = fd.get("file_id")
    if len(fid):
        row = fid.iloc[0]
        for key in ("manufacturer", "product", "garmin_product", "serial_number", "product_name"):
            if key in fid.columns and _text(row[key]) is not None:
                val = row[key]
                dev[key] = int(val) if isinstance(val, float) and val.is_integer() else _text(val)
        created_raw = _col(fid, "time_created")[0]
        if not np.isnan(created_raw):
            created = _to_utc(np.array([created_raw]))[0]
            if not pd.isna(created):
                dev["time_created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    info = fd.get("device_info")
    if len(info) and "software_version" in info.columns:
        creator = info
        if "device_index" in info.columns:
            creator = info[info["device_index"].astype(str).isin(["creator", "0", "0.0"])]
        sw = _col(creator, "software_version")
        sw = sw[~np.isnan(sw)]
        if sw.size:
            dev["software_version"] = float(sw[0])
    return dev
