"""CSV record files: one row per sample, columns recognised from their headers.

:func:`read_csv` reads the tables that spreadsheets, treadmills, phone apps and other tools
export: the delimiter (comma, semicolon or tab) is sniffed with :class:`csv.Sniffer`, a decimal
comma is recognised, and each header is matched case-insensitively to a canonical column of
:class:`~kicklab.activity.Activity` with its unit taken from the header (``"distance (km)"``,
``"speed_kmh"``, ``"dist_mi"``, ``"cadence (rpm)"``, ...). Columns it does not recognise are kept
under their snake_case names. A table holding only cumulative distances and times (a split
table) is handed to :func:`kicklab.io.splits.read_splits`.

The helpers :func:`read_table`, :func:`duration_seconds`, :func:`header_info` and
:func:`sniff_delimiter` are shared with :mod:`kicklab.io.splits`.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import CANONICAL_COLUMNS, Activity
from kicklab.errors import (
    CorruptFile,
    EmptyActivity,
    FileTooLarge,
    InvalidSplits,
    InvalidValue,
    KicklabError,
)
from kicklab.io import limits

__all__ = [
    "read_csv",
    "read_table",
    "duration_seconds",
    "numeric_values",
    "header_info",
    "snake_case",
    "sniff_delimiter",
    "HeaderInfo",
    "MAX_CSV_ROWS",
    "MAX_CSV_COLUMNS",
]

#: Most data rows read from one CSV file (more raise :class:`~kicklab.errors.FileTooLarge`).
#: ``kicklab.io.limits.MAX_CSV_ROWS`` takes precedence when it exists.
MAX_CSV_ROWS: int = 10_000_000
#: Most columns accepted in one CSV file.
MAX_CSV_COLUMNS: int = 2_000

_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 20

# --------------------------------------------------------------------------- units
# Every spelling of a unit found in headers -> its normalised name.
_UNIT_SPELLINGS: dict[str, str] = {
    # time
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "ms": "ms",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hour": "h",
    "hours": "h",
    "hh:mm:ss": "clock",
    "h:mm:ss": "clock",
    "hh:mm:ss.s": "clock",
    "mm:ss": "clock",
    "m:ss": "clock",
    # length
    "m": "m",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "km": "km",
    "kilometer": "km",
    "kilometers": "km",
    "kilometre": "km",
    "kilometres": "km",
    "mi": "mi",
    "mile": "mi",
    "miles": "mi",
    "ft": "ft",
    "feet": "ft",
    "foot": "ft",
    "yd": "yd",
    "yard": "yd",
    "yards": "yd",
    "cm": "cm",
    "mm": "mm",
    # speed
    "m/s": "m/s",
    "mps": "m/s",
    "km/h": "km/h",
    "kmh": "km/h",
    "kph": "km/h",
    "kmph": "km/h",
    "mph": "mph",
    "mi/h": "mph",
    # pace
    "min/km": "min/km",
    "/km": "min/km",
    "min/mi": "min/mi",
    "min/mile": "min/mi",
    "/mi": "min/mi",
    "s/km": "s/km",
    "sec/km": "s/km",
    "s/mi": "s/mi",
    "sec/mi": "s/mi",
    # rates
    "bpm": "bpm",
    "spm": "spm",
    "steps/min": "spm",
    "step/min": "spm",
    "rpm": "rpm",
    "strides/min": "rpm",
    "stride/min": "rpm",
    "revs/min": "rpm",
    # others
    "w": "w",
    "watt": "w",
    "watts": "w",
    "kw": "kw",
    "deg": "deg",
    "degree": "deg",
    "degrees": "deg",
    "°": "deg",
    "semicircles": "semicircles",
    "%": "%",
    "pct": "%",
    "percent": "%",
    "fraction": "fraction",
}

# Per quantity: accepted unit -> factor to SI (pace: (metres per pace unit, seconds per number)).
_FACTORS: dict[str, dict[str, Any]] = {
    "time": {"s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "clock": 1.0},
    "distance": {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144},
    "speed": {"m/s": 1.0, "ms": 1.0, "km/h": 1 / 3.6, "mph": 0.44704},
    "pace": {
        "min/km": (1000.0, 60.0),
        "min/mi": (1609.344, 60.0),
        "s/km": (1000.0, 1.0),
        "s/mi": (1609.344, 1.0),
        "min": (1000.0, 60.0),
        "s": (1000.0, 1.0),
    },
    "heart_rate": {"bpm": 1.0},
    "cadence": {"spm": 1.0, "rpm": 2.0},
    "altitude": {"m": 1.0, "ft": 0.3048},
    "lat": {"deg": 1.0, "semicircles": 180.0 / 2**31},
    "lon": {"deg": 1.0, "semicircles": 180.0 / 2**31},
    "power": {"w": 1.0, "kw": 1000.0},
    "step_length": {"m": 1.0, "cm": 0.01, "mm": 0.001, "ft": 0.3048},
    "stride_length": {"m": 1.0, "cm": 0.01, "mm": 0.001, "ft": 0.3048},
    "grade": {"fraction": 1.0, "%": 0.01},
    "timestamp": {"s": 1.0, "ms": 1e-3},
}

_DEFAULT_UNIT: dict[str, str] = {
    "time": "s",
    "distance": "m",
    "speed": "m/s",
    "pace": "min/km",
    "heart_rate": "bpm",
    "cadence": "spm",
    "altitude": "m",
    "lat": "deg",
    "lon": "deg",
    "power": "w",
    "step_length": "m",
    "stride_length": "m",
    "grade": "fraction",
    "timestamp": "s",
}

# Header base names (snake_case, units stripped) -> quantity.
_NAMES: dict[str, str] = {}
for _q, _names in {
    "time": (
        "time elapsed_time elapsed time_elapsed elapsed_seconds duration t timer timer_time "
        "total_time time_from_start running_time race_time clock cumulative_time total_elapsed_time"
    ),
    "timestamp": (
        "timestamp datetime date_time date time_utc utc_time timestamp_utc utc iso_time "
        "gmt_time local_time date_and_time time_stamp"
    ),
    "distance": (
        "distance dist total_distance cumulative_distance distance_total distance_covered "
        "odometer cum_distance"
    ),
    "speed": "speed velocity enhanced_speed gps_speed speed_gps instantaneous_speed vel",
    "pace": "pace current_pace instant_pace",
    "heart_rate": "heart_rate heartrate hr heart pulse heart_rate_value",
    "cadence": "cadence cad run_cadence running_cadence step_rate steps_per_minute",
    "altitude": "altitude elevation ele alt enhanced_altitude height elev",
    "lat": "lat latitude position_lat",
    "lon": "lon lng long longitude position_long position_lon",
    "power": "power pwr running_power watts",
    "step_length": "step_length steplength step_len step",
    "stride_length": "stride_length stridelength stride_len stride",
    "grade": "grade gradient slope incline",
}.items():
    for _n in _names.split():
        _NAMES[_n] = _q

# A unit alone as header ("seconds", "bpm", "km/h") names its quantity.
_UNIT_QUANTITY: dict[str, str] = {
    "s": "time",
    "ms": "time",
    "min": "time",
    "h": "time",
    "clock": "time",
    "m": "distance",
    "km": "distance",
    "mi": "distance",
    "m/s": "speed",
    "km/h": "speed",
    "mph": "speed",
    "min/km": "pace",
    "min/mi": "pace",
    "s/km": "pace",
    "s/mi": "pace",
    "bpm": "heart_rate",
    "spm": "cadence",
    "rpm": "cadence",
    "w": "power",
    "kw": "power",
}

#: Canonical record column each quantity fills.
_COLUMN: dict[str, str] = {
    "time": "time_s",
    "distance": "distance_m",
    "speed": "speed_mps",
    "pace": "speed_mps",
    "heart_rate": "heart_rate_bpm",
    "cadence": "cadence_spm",
    "altitude": "altitude_m",
    "lat": "lat_deg",
    "lon": "lon_deg",
    "power": "power_w",
    "step_length": "step_length_m",
    "stride_length": "step_length_m",
    "grade": "grade",
    "timestamp": "timestamp",
}

_OVERRIDE_KEYS: dict[str, str] = {
    **{q: q for q in _DEFAULT_UNIT},
    "time_s": "time",
    "distance_m": "distance",
    "speed_mps": "speed",
    "heart_rate_bpm": "heart_rate",
    "hr": "heart_rate",
    "cadence_spm": "cadence",
    "altitude_m": "altitude",
    "elevation": "altitude",
    "lat_deg": "lat",
    "lon_deg": "lon",
    "power_w": "power",
    "step_length_m": "step_length",
}

_SPLIT_WORDS = frozenset({"split", "splits", "lap", "laps"})
_INDEX_WORDS = frozenset({"lap", "split", "#", "no", "nr", "n", "number", "index", "idx", "id"})


@dataclass(frozen=True)
class HeaderInfo:
    """What a column header says.

    Attributes
    ----------
    quantity
        ``time``, ``timestamp``, ``distance``, ``speed``, ``pace``, ``heart_rate``,
        ``cadence``, ``altitude``, ``lat``, ``lon``, ``power``, ``step_length``,
        ``stride_length``, ``grade`` or None when the header is not recognised.
    unit
        Normalised unit found in the header (``km``, ``km/h``, ``rpm``, ...) or None.
    name
        The header in snake_case (how an unrecognised column is kept).
    words
        The header's lower-case words (``"Lap Time (s)"`` → ``("lap", "time", "s")``).
    """

    quantity: str | None
    unit: str | None
    name: str
    words: tuple[str, ...]


def snake_case(header: str) -> str:
    """``"Heart Rate (bpm)"`` → ``"heart_rate_bpm"``; ``"%"`` → ``"pct"``."""
    h = str(header).strip().lower().replace("%", " pct ").replace("/", " per ")
    return re.sub(r"[^0-9a-z]+", "_", h).strip("_")


def _spell_unit(text: str) -> str:
    """``"min per km"`` → ``"min/km"``; ``"km / h"`` → ``"km/h"``."""
    return re.sub(r"\s+", "", re.sub(r"\bper\b", "/", text.strip()))


def header_info(header: str) -> HeaderInfo:
    """Recognise a column header: quantity, unit and snake_case name.

    Matching is case-insensitive; the unit may be in brackets (``"speed (km/h)"``,
    ``"altitude [ft]"``) or be the trailing word(s) (``"distance_km"``, ``"speed m/s"``,
    ``"pace_min_per_km"``). A header that is only a unit (``"seconds"``, ``"bpm"``) names the
    quantity that unit measures.
    """
    raw = str(header).replace("\ufeff", "").strip()
    low = raw.lower()
    name = snake_case(raw)
    unit: str | None = None
    m = re.search(r"[(\[{]\s*([^)\]}]*?)\s*[)\]}]", low)
    if m:
        unit = _UNIT_SPELLINGS.get(_spell_unit(m.group(1)))
        low = (low[: m.start()] + " " + low[m.end() :]).strip()
    words = tuple(w for w in re.split(r"[^0-9a-z/%°#]+", low) if w)
    all_words = tuple(w for w in re.split(r"[^0-9a-z/%°#]+", raw.lower()) if w)
    whole = "_".join(words)
    if whole in _NAMES:
        return HeaderInfo(_NAMES[whole], unit, name, all_words)
    base = [w for w in words if w != "per"]
    if unit is None:
        for k in (3, 2, 1):
            if len(base) >= k:
                tail = base[-k:]
                spelled = "/".join(tail) if k > 1 else tail[0]
                # "m/s" written as two words, "min/km" as "min km", "km/h" as "km h"
                if spelled in _UNIT_SPELLINGS or (k > 1 and "".join(tail) in _UNIT_SPELLINGS):
                    unit = _UNIT_SPELLINGS.get(spelled) or _UNIT_SPELLINGS["".join(tail)]
                    base = base[:-k]
                    break
    stem = "_".join(base)
    if stem in _NAMES:
        return HeaderInfo(_NAMES[stem], unit, name, all_words)
    if not stem and unit in _UNIT_QUANTITY:
        return HeaderInfo(_UNIT_QUANTITY[unit], unit, name, all_words)
    return HeaderInfo(None, unit, name, all_words)


# --------------------------------------------------------------------------- values
_MAX_CLOCK_CHARS = 32  # longer strings cannot be clock times (bounds the fixed-width array)


def _floats(values: pd.Series | np.ndarray) -> np.ndarray:
    """A float64 array (NaN where missing) from a numeric or nullable series."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64")


def _as_text(values: pd.Series, decimal: str = ".") -> pd.Series:
    s = values.astype("string").str.strip()
    if decimal == ",":
        s = s.str.replace(",", ".", regex=False)
    return s


def numeric_values(values: pd.Series, decimal: str = ".") -> np.ndarray:
    """Numbers from a column (strings parsed, unparseable → NaN), as float64."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return _floats(values.astype("float64"))
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _floats(values)
    return _floats(pd.to_numeric(_as_text(values, decimal), errors="coerce"))


def duration_seconds(
    values: pd.Series | list[str] | np.ndarray, *, numeric_factor: float = 1.0, decimal: str = "."
) -> np.ndarray:
    """Durations in s from numbers or clock strings, vectorised.

    Parameters
    ----------
    values
        Seconds as numbers (``58.85``) or strings: ``"58.85"``, ``"m:ss.xx"`` (``"1:56.81"``),
        ``"h:mm:ss.xx"`` (``"1:02:03.5"``). Minutes may exceed 59 in ``m:ss``; the seconds of a
        clock string must be below 60, and so must the minutes of ``h:mm:ss``.
    numeric_factor
        Seconds per unit of a plain number (60 when the column is in minutes); clock strings
        are always read as clock time.
    decimal
        ``","`` when the file writes a decimal comma.

    Returns
    -------
    numpy.ndarray
        float64 seconds, NaN where a value is missing or unparseable (negative, ``"1:75"``,
        text).
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        out = _floats(s) * numeric_factor
        out[~np.isfinite(out) | (out < 0)] = np.nan
        return out
    text = _as_text(s, decimal)
    out = np.full(len(text), np.nan)
    has_colon = text.str.contains(":", regex=False).fillna(False).to_numpy(dtype=bool)
    if (~has_colon).any():
        plain = pd.to_numeric(text[~has_colon], errors="coerce")
        out[~has_colon] = _floats(plain) * numeric_factor
    if has_colon.any():
        clocks = text[has_colon]
        clocks = clocks.where(clocks.str.len() <= _MAX_CLOCK_CHARS, "").fillna("")
        out[has_colon] = _clock_array(np.asarray(clocks.to_numpy(dtype=object), dtype=str))
    out[~np.isfinite(out) | (out < 0)] = np.nan
    return out


def _rpartition(a: np.ndarray, sep: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    strings = getattr(np, "strings", None)  # numpy >= 2: a tuple, no stacking copy
    if strings is not None and hasattr(strings, "rpartition"):
        return strings.rpartition(a, sep)
    parts = np.char.rpartition(a, sep)
    return parts[:, 0], parts[:, 1], parts[:, 2]


def _clock_array(a: np.ndarray) -> np.ndarray:
    """Seconds from ``m:ss(.xx)`` / ``h:mm:ss(.xx)`` strings in a numpy ``U`` array (NaN when
    malformed), with numpy's vectorised string functions (no per-value Python)."""
    colons = np.char.count(a, ":")
    head, _, sec = _rpartition(a, ":")
    hours, _, minutes = _rpartition(head, ":")
    digits = np.char.replace(sec, ".", "")
    ok = (colons >= 1) & (colons <= 2) & np.char.isdecimal(minutes) & np.char.isdecimal(digits)
    ok &= np.char.count(sec, ".") <= 1
    ok &= (colons == 1) | np.char.isdecimal(hours)
    h = np.where(ok & (colons == 2), hours, "0").astype("float64")
    m = np.where(ok, minutes, "0").astype("float64")
    x = np.where(ok, sec, "0").astype("float64")
    ok &= (x < 60) & ((colons == 1) | (m < 60))
    return np.where(ok, h * 3600 + m * 60 + x, np.nan)


def _timestamps(values: pd.Series, unit_factor: float, decimal: str) -> pd.Series:
    """UTC timestamps from ISO 8601 strings or Unix epoch numbers (naive times taken as UTC)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        num = _floats(values) * unit_factor
        med = np.nanmedian(num) if np.isfinite(num).any() else np.nan
        if np.isfinite(med) and med > 1e11:  # milliseconds since 1970 despite a seconds header
            num = num / 1000.0
        num[(num < 1e8) | (num > 1e10)] = np.nan  # 1973..2286: anything else is not an epoch
        return pd.Series(pd.to_datetime(num, unit="s", utc=True, errors="coerce"))
    text = values.astype("string").str.strip()
    try:
        out = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    return pd.Series(out)


# --------------------------------------------------------------------------- dialect
def _encoding(sample: bytes) -> str:
    """``utf-8`` when the sample decodes as UTF-8 (a cut multi-byte tail allowed), else cp1252."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter of a table: comma, semicolon or tab.

    :class:`csv.Sniffer` decides from the first lines; its answer is kept only when the header
    line contains it (so ``"time;dist"`` over ``"1,5;2,5"`` is ``;`` with a decimal comma),
    otherwise the delimiter most frequent in the header wins. Returns ``","`` for a one-column
    table.
    """
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in ",;\t"}
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        guess = None
    if guess is not None and counts.get(guess, 0) > 0:
        return guess
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _dialect(data: bytes, source: str) -> tuple[str, str, str, list[str]]:
    """``(encoding, delimiter, decimal, sample_lines)`` from the start of ``data``."""
    sample = data[:_SNIFF_BYTES]
    encoding = _encoding(sample)
    text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    if "\x00" in text:
        raise CorruptFile("binary data (NUL bytes) in a text table", source)
    lines = text.splitlines()
    if len(data) > _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    lines = [ln for ln in lines if ln.strip()][:_SNIFF_LINES]
    if not lines:
        raise EmptyActivity("the table is empty", source)
    delimiter = sniff_delimiter(lines)
    if lines[0].count(delimiter) + 1 > MAX_CSV_COLUMNS:
        raise CorruptFile(f"more than {MAX_CSV_COLUMNS} columns; not an activity table", source)
    body = "\n".join(lines[1:])
    decimal = "," if delimiter != "," and re.search(r"\d,\d", body) else "."
    return encoding, delimiter, decimal, lines


def _max_rows() -> int:
    return int(getattr(limits, "MAX_CSV_ROWS", MAX_CSV_ROWS))


def read_table(
    data: bytes, source: str, *, header: bool = True, dtype: Any = None
) -> tuple[pd.DataFrame, str]:
    """Parse a delimited table with pandas; returns ``(frame, decimal)``.

    The delimiter and decimal mark are sniffed; more than ``MAX_CSV_ROWS`` rows raise
    :class:`~kicklab.errors.FileTooLarge`, a malformed table :class:`~kicklab.errors.CorruptFile`.
    """
    if len(data) > limits.MAX_FILE_BYTES:
        raise FileTooLarge(f"input is larger than the {limits.MAX_FILE_BYTES}-byte limit", source)
    encoding, delimiter, decimal, _ = _dialect(data, source)
    max_rows = _max_rows()
    try:
        with warnings.catch_warnings():
            # a trailing delimiter on data rows only: pandas drops the empty field and warns
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                decimal=decimal,
                encoding=encoding,
                encoding_errors="replace",
                skipinitialspace=True,
                skip_blank_lines=True,
                header=0 if header else None,
                index_col=False,
                nrows=max_rows + 1,
                dtype=dtype,
                engine="c",
                low_memory=False,
            )
    except pd.errors.EmptyDataError:
        raise EmptyActivity("the table is empty", source) from None
    except pd.errors.ParserError as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else "malformed table"
        raise CorruptFile(f"malformed table ({why})", source) from None
    except (ValueError, TypeError, OverflowError, UnicodeError, csv.Error) as exc:
        raise CorruptFile(f"cannot parse the table ({exc})", source) from None
    if len(frame) > max_rows:
        raise FileTooLarge(f"more than {max_rows} rows", source)
    if len(frame.columns) > MAX_CSV_COLUMNS:
        raise CorruptFile(f"more than {MAX_CSV_COLUMNS} columns; not an activity table", source)
    if header:
        taken: set[str] = set()
        frame.columns = [
            _unique(str(c).replace("\ufeff", "").strip(), taken) for c in frame.columns
        ]
        unnamed = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].isna().all()]
        frame = frame.drop(columns=unnamed)
    return frame, decimal


# --------------------------------------------------------------------------- reader
def _unit_overrides(units: Mapping[str, str] | None, source: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (units or {}).items():
        q = _OVERRIDE_KEYS.get(str(key).strip().lower())
        if q is None:
            raise InvalidValue(
                f"units: unknown quantity {key!r} (use one of {', '.join(sorted(_DEFAULT_UNIT))})",
                source,
            )
        spelled = _spell_unit(str(value).lower())
        unit = _UNIT_SPELLINGS.get(spelled, spelled)
        if unit not in _FACTORS[q]:
            raise InvalidValue(
                f"units: {value!r} is not a unit of {q} (use one of {', '.join(_FACTORS[q])})",
                source,
            )
        out[q] = unit
    return out


def _is_index_column(info: HeaderInfo, values: pd.Series) -> bool:
    """A lap/split number column (1, 2, 3, ... or 1, 1, 2, 2, ...)."""
    if not (set(info.words) & _INDEX_WORDS) or info.quantity is not None:
        return False
    num = numeric_values(values)
    num = num[np.isfinite(num)]
    if len(num) == 0 or (num != np.round(num)).any():
        return False
    return bool(len(num) < 2 or np.isin(np.diff(num), (0.0, 1.0)).all())


def _split_table_kind(frame: pd.DataFrame, infos: list[HeaderInfo], decimal: str) -> str | None:
    """``"header"`` when headers mark a split table, ``"shape"`` when only its shape does."""
    quantities: list[str] = []
    has_split_word = False
    lap_index = False
    for col, info in zip(frame.columns, infos, strict=True):
        values = frame[col]
        if values.isna().all():
            continue
        if _is_index_column(info, values):
            num = numeric_values(values)
            num = num[np.isfinite(num)]
            lap_index = lap_index or bool(len(num) > 1 and (np.diff(num) == 1).all())
            continue
        split_word = bool(set(info.words) & _SPLIT_WORDS)
        has_split_word = has_split_word or split_word
        if info.quantity is None and split_word:
            quantities.append("split")
        else:
            quantities.append(info.quantity or "other")
    if not set(quantities) <= {"time", "distance", "split"} or len(quantities) < 2:
        return None
    if "distance" not in quantities and "split" not in quantities:
        return None
    if has_split_word or lap_index:
        return "header"
    if len(frame) > 200 or quantities.count("time") != 1:
        return None
    tcol = frame.columns[[i for i, q in enumerate(quantities) if q == "time"][0]]
    t = duration_seconds(frame[tcol], decimal=decimal)
    t = t[~np.isnan(t)]
    if len(t) == 0 or (np.diff(t) <= 0).any() or t[0] <= 0:
        return None
    steps = np.diff(np.concatenate([[0.0], t]))
    return "shape" if np.median(steps) >= 20.0 else None


def _unique(name: str, taken: set[str]) -> str:
    name = name or "column"
    out, k = name, 2
    while out in taken:
        out, k = f"{name}_{k}", k + 1
    taken.add(out)
    return out


def read_csv(
    data: bytes, source: str = "<bytes>", *, units: Mapping[str, str] | None = None
) -> Activity:
    """Read a CSV record file (one row per sample) into an :class:`Activity`.

    Parameters
    ----------
    data
        The file's bytes (UTF-8, or cp1252 when not valid UTF-8). Delimiter ``,``, ``;`` or tab
        (sniffed); a decimal comma is recognised when the delimiter is not a comma.
    source
        Name used in errors and ``metadata["source"]``.
    units
        Unit overrides by quantity, e.g. ``{"distance": "km", "speed": "km/h", "cadence":
        "rpm", "altitude": "ft", "time": "min", "pace": "min/mi", "grade": "%"}``; they win
        over units found in headers.

    Returns
    -------
    Activity
        ``format="csv"``; ``metadata["columns"]`` maps each header to the column it filled and
        ``metadata["warnings"]`` lists columns that could not be used as recognised. A split
        table (only cumulative distance and time columns with few, long rows, or headers
        naming splits/laps) is read by :func:`kicklab.io.splits.read_splits` instead and comes
        back with ``format="splits"``.

    Notes
    -----
    Headers are matched case-insensitively, units from the header (SI results):

    * time: ``time``, ``elapsed_time``, ``time (s)``, ``seconds``, ``duration``, ... as seconds
      or ``h:mm:ss`` / ``m:ss.xx`` strings (``"time (min)"`` scales plain numbers);
    * ``timestamp``/``datetime``/``date`` (ISO 8601, naive taken as UTC, or Unix epoch
      seconds) fill ``timestamp`` and, when there is no elapsed-time column, ``time_s``; a
      ``time`` column holding ISO date-times is read the same way;
    * ``distance``/``dist`` in m, km, mi, ft or yd (``"distance (km)"``, ``"dist_mi"``);
    * ``speed`` in m/s, km/h or mph; ``pace`` in min/km (default), min/mi, s/km, s/mi as
      ``m:ss`` strings or decimal minutes → ``speed_mps``;
    * ``heart_rate``/``hr``/``bpm``; ``cadence`` in steps/min (default) or rpm (× 2);
    * ``altitude``/``elevation``/``ele`` in m or ft; ``lat``/``latitude``,
      ``lon``/``lng``/``longitude`` in degrees (or semicircles); ``power``/``watts`` in W;
      ``grade`` as a fraction (``"grade (%)"`` divided by 100);
    * ``step_length`` in m (cm, mm): the length of one step. A stride is two steps, so a
      column whose header says *stride* (``stride_length``) is halved into ``step_length_m``;
      a column called step length is never halved.

    Unknown columns are kept under snake_case names, as numbers when every value parses.
    Unparseable values become NaN; rows without a time are dropped.

    Raises
    ------
    EmptyActivity
        No time or timestamp column, or no rows.
    CorruptFile
        The table is malformed, or its time column holds no parseable value.
    FileTooLarge
        More than ``MAX_CSV_ROWS`` rows or more bytes than ``limits.MAX_FILE_BYTES``.
    InvalidValue
        An unknown quantity or unit in ``units``.
    """
    overrides = _unit_overrides(units, source)
    frame, decimal = read_table(bytes(data), source)
    if len(frame.columns) == 0:
        raise EmptyActivity("the table has no columns", source)
    infos = [header_info(c) for c in frame.columns]
    if len(frame) == 0:
        raise EmptyActivity("the table has a header but no rows", source)

    kind = _split_table_kind(frame, infos, decimal)
    if kind is not None:
        from kicklab.io.splits import read_splits

        try:
            return read_splits(bytes(data), source)
        except InvalidSplits:
            if kind == "header":
                raise

    columns: dict[str, Any] = {}
    mapping: dict[str, str] = {}
    warnings: list[str] = []
    taken: set[str] = set(_COLUMN.values()) | set(CANONICAL_COLUMNS)  # extras never take these
    elapsed: np.ndarray | None = None
    clock_ts: pd.Series | None = None
    time_header: str | None = None
    bad_timestamp: str | None = None
    used: set[str] = set()

    for col, info in zip(frame.columns, infos, strict=True):
        values = frame[col]
        q = info.quantity
        target = _COLUMN.get(q) if q else None
        if target is not None and target in used:
            q = target = None  # a second column for the same quantity is kept as it is
        nonempty = int(values.notna().sum())
        if q is not None:
            unit = overrides.get(q) or info.unit or _DEFAULT_UNIT[q]
            factors = _FACTORS[q]
            if unit not in factors:
                warnings.append(f"column {col!r}: unit {unit!r} is not a unit of {q}; ignored")
                unit = _DEFAULT_UNIT[q]
            factor = factors[unit]
            arr: Any
            if q == "time":
                arr = duration_seconds(values, numeric_factor=factor, decimal=decimal)
                if nonempty and np.isnan(arr).sum() > values.isna().sum() + nonempty // 2:
                    ts = _timestamps(values, 1.0, decimal)
                    if ts.notna().sum() > nonempty // 2:  # a "time" column of date-times
                        if "timestamp" in used:
                            name = _unique(info.name, taken)
                            columns[name] = values.to_numpy()
                            mapping[col] = name
                        else:
                            clock_ts = ts
                            used.add("timestamp")
                            mapping[col] = "timestamp"
                        continue
                if nonempty and np.isnan(arr).all():
                    raise CorruptFile(
                        f"time column {col!r} holds no parseable time "
                        "(expected seconds or h:mm:ss / m:ss.xx)",
                        source,
                    )
                elapsed, time_header = arr, col
            elif q == "timestamp":
                ts = _timestamps(values, factor, decimal)
                if nonempty and ts.isna().all():
                    bad_timestamp = bad_timestamp or col
                    warnings.append(f"column {col!r}: no parseable date/time; kept as text")
                    name = _unique(info.name, taken)
                    columns[name] = values.to_numpy()
                    mapping[col] = name
                    continue
                clock_ts = ts
                used.add("timestamp")
                mapping[col] = "timestamp"
                continue
            elif q == "pace":
                length, per = factor
                pace = duration_seconds(values, numeric_factor=per, decimal=decimal)
                with np.errstate(divide="ignore", invalid="ignore"):
                    arr = np.where(pace > 0, length / pace, np.nan)
            else:
                arr = numeric_values(values, decimal) * factor
                if q == "stride_length":
                    arr = arr / 2.0
            if nonempty and np.isnan(arr).all():
                warnings.append(f"column {col!r}: no parseable {q} value; kept as text")
                name = _unique(info.name, taken)
                columns[name] = values.to_numpy()
                mapping[col] = name
                continue
            if target == "time_s":
                used.add("time_s")
                mapping[col] = "time_s"
                continue  # added below
            columns[target] = arr
            used.add(target)
            mapping[col] = target
            continue
        # an unrecognised (or second) column: numeric when every value parses
        name = _unique(info.name, taken)
        mapping[col] = name
        if pd.api.types.is_numeric_dtype(values.dtype):
            columns[name] = values.to_numpy()
        else:
            num = numeric_values(values, decimal)
            if nonempty and np.isnan(num).sum() == values.isna().sum():
                columns[name] = num
            else:
                columns[name] = values.to_numpy()

    if elapsed is not None:
        time_s = elapsed
    elif clock_ts is not None:
        if clock_ts.notna().sum() == 0:
            raise CorruptFile("no parseable timestamp", source)
        t0 = clock_ts.min()
        time_s = ((clock_ts - t0).dt.total_seconds()).to_numpy(dtype="float64", na_value=np.nan)
    elif bad_timestamp is not None:
        raise CorruptFile(
            f"timestamp column {bad_timestamp!r} holds no parseable date/time "
            "(expected ISO 8601 or Unix seconds)",
            source,
        )
    else:
        names = ", ".join(repr(c) for c in frame.columns[:12])
        raise EmptyActivity(
            "no time column (looked for time, elapsed_time, seconds, time (s), timestamp, "
            f"datetime, ...); columns are {names}",
            source,
        )
    records = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    records.insert(0, "time_s", time_s)
    if clock_ts is not None:
        records["timestamp"] = clock_ts.reset_index(drop=True)
    if records["time_s"].notna().sum() == 0:
        raise EmptyActivity("no row has a time", source)
    meta = {
        "format": "csv",
        "source": source,
        "sport": None,
        "sub_sport": None,
        "start_time": None,
        "device": {},
        "name": None,
        "columns": mapping,
        "warnings": warnings,
    }
    if time_header is not None:
        meta["time_column"] = time_header
    try:
        return Activity(records, metadata=meta)
    except KicklabError as exc:
        raise exc.with_source(source) from None
