"""Split tables: the cumulative distance and time at each split of a race.

Championship results often publish nothing but splits — e.g. Sebastian Coe's 1984 Olympic
1500 m, ``"400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"``. :func:`parse_splits` reads
such a compact string or a small CSV table into a frame of cumulative ``distance_m`` and
``time_s``; :func:`read_splits` turns it into a (coarse) :class:`~kicklab.activity.Activity`.

Compact strings
    Pairs ``distance:time`` separated by commas, semicolons, newlines or whitespace. The
    *first* colon of a pair separates the distance from the time, so ``1500:3:32.53`` is
    1500 m in 3 min 32.53 s. Distances in metres with an optional ``m`` suffix, or with ``km``
    (``1km:2:35.1``) or ``mi``/``mile``/``miles`` (1609.344 m; ``mile:3:43.13`` is one mile).
    Times as seconds (``58.85``, ``111.38``), ``m:ss.xx`` or ``h:mm:ss.xx``; a decimal point,
    not a comma.

Tables
    A delimited table (comma, semicolon or tab, decimal comma recognised) with a distance
    column and a time column; without a header the first column is the distance and the
    second the time. A lap-number column (1, 2, 3, ...) is ignored. Which time column is used
    and how it is read:

    * a header saying ``cumulative``, ``total``, ``elapsed``, ``running`` or ``clock`` is
      cumulative time and preferred;
    * otherwise a plain header (``time``, ``time (s)``) is read as cumulative when its values
      increase and give plausible split speeds, and as per-split times (summed) when they do
      not (e.g. ``58.85, 57.96, 56.40`` is not monotonic, so these are lap times);
    * a header saying ``lap`` or ``split`` (``lap time``, ``split``) without a cumulative word
      holds per-split times, which are summed.

    A distance column is per-split (summed) when all its values are equal (``400, 400, 400``)
    or when its header says lap/split and its values do not increase; otherwise cumulative.

Validation
    At least one split; distances and times strictly increasing and positive; every split's
    mean speed within :data:`MIN_SPLIT_SPEED`–:data:`MAX_SPLIT_SPEED` m/s. A leading
    ``0:0`` start row is dropped. Anything else raises :class:`~kicklab.errors.InvalidSplits`
    naming the offending token or split.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import CorruptFile, EmptyActivity, FileTooLarge, InvalidSplits, KicklabError
from kicklab.io import limits
from kicklab.io.csvfile import _encoding, duration_seconds, header_info, read_table

__all__ = [
    "parse_splits",
    "read_splits",
    "MILE_M",
    "MAX_SPLITS",
    "MIN_SPLIT_SPEED",
    "MAX_SPLIT_SPEED",
]

#: One international mile, in m.
MILE_M: float = 1609.344
#: Most splits accepted in one table.
MAX_SPLITS: int = 100_000
#: Slowest plausible mean speed over any split, in m/s.
MIN_SPLIT_SPEED: float = 0.5
#: Fastest plausible mean speed over any split, in m/s (the 100 m record averages ~10.4 m/s).
MAX_SPLIT_SPEED: float = 15.0

_LENGTH = {"m": 1.0, "km": 1000.0, "mi": MILE_M, "mile": MILE_M, "miles": MILE_M}
_UNIT = r"km|mi(?:les?)?|m"
_PAIR = re.compile(
    rf"(?P<dist>(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT})?|(?P<word>{_UNIT}))"
    r"\s*:\s*(?P<time>\d+(?::\d+){0,2}(?:\.\d+)?|\.\d+)",
    re.IGNORECASE,
)
_SEPARATORS = " \t\r\n,;"
_DIST_VALUE = rf"^(\d+(?:\.\d+)?)?\s*({_UNIT})?$"
_CUMULATIVE_WORDS = frozenset(
    {"cumulative", "cum", "total", "elapsed", "running", "clock", "overall", "accumulated"}
)
_LAP_WORDS = frozenset({"lap", "laps", "split", "splits", "segment", "interval"})
_INDEX_WORDS = frozenset({"lap", "split", "#", "no", "nr", "n", "number", "index", "idx"})


# --------------------------------------------------------------------------- validation
def _validate(
    dist: np.ndarray, time: np.ndarray, labels: list[str], source: str | None
) -> pd.DataFrame:
    """Check cumulative splits and return the frame (see the module docstring)."""
    if len(dist) and dist[0] == 0 and time[0] == 0:
        dist, time, labels = dist[1:], time[1:], labels[1:]
    if len(dist) == 0:
        raise InvalidSplits("no splits found", source)
    for what, values in (("distance", dist), ("time", time)):
        bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
        if len(bad):
            i = int(bad[0])
            why = "cannot be read" if not np.isfinite(values[i]) else "must be positive"
            raise InvalidSplits(f"split {i + 1} ({labels[i]}): the {what} {why}", source)
        back = np.flatnonzero(np.diff(values) <= 0)
        if len(back):
            i = int(back[0]) + 1
            raise InvalidSplits(
                f"split {i + 1} ({labels[i]}): the {what} does not increase past split {i} "
                f"({labels[i - 1]}); {what}s must be cumulative and strictly increasing",
                source,
            )
    seg_d = np.diff(dist, prepend=0.0)
    seg_t = np.diff(time, prepend=0.0)
    speed = seg_d / seg_t
    off = np.flatnonzero((speed < MIN_SPLIT_SPEED) | (speed > MAX_SPLIT_SPEED))
    if len(off):
        i = int(off[0])
        raise InvalidSplits(
            f"split {i + 1} ({labels[i]}): {seg_d[i]:g} m in {seg_t[i]:.2f} s is "
            f"{speed[i]:.2f} m/s, outside the plausible {MIN_SPLIT_SPEED:g}–"
            f"{MAX_SPLIT_SPEED:g} m/s",
            source,
        )
    return pd.DataFrame({"distance_m": dist.astype("float64"), "time_s": time.astype("float64")})


def _plausible(dist: np.ndarray, time: np.ndarray) -> bool:
    try:
        _validate(dist, time, [""] * len(dist), None)
    except InvalidSplits:
        return False
    return True


# --------------------------------------------------------------------------- compact strings
def _token_at(text: str, at: int) -> str:
    """The separator-delimited token containing ``text[at]``, for error messages."""
    lo = hi = min(max(at, 0), len(text))
    while lo > 0 and text[lo - 1] not in _SEPARATORS:
        lo -= 1
    while hi < len(text) and text[hi] not in _SEPARATORS:
        hi += 1
    token = text[lo:hi]
    return token if len(token) <= 40 else token[:37] + "..."


def read_pairs(
    text: str,
    source: str | None,
    *,
    limit: int,
    error: type[KicklabError],
    what: str = "splits",
    hint: str = "expected distance:time pairs such as 400:58.85,800:1:56.81",
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Tokenise compact ``distance:time`` pairs: distances (m), times (s, NaN when unreadable)
    and each pair's text. Shared by split strings and best-effort strings.

    Raises ``error`` naming the first unreadable token, or when there are more than ``limit``
    pairs (``what`` names them in the message).
    """
    nums: list[float] = []
    units: list[str] = []
    times: list[str] = []
    labels: list[str] = []
    pos = 0
    for m in _PAIR.finditer(text):
        gap = text[pos : m.start()]
        if gap.strip(_SEPARATORS) or (pos > 0 and not gap):
            junk = m.start() - len(gap.lstrip(_SEPARATORS)) if gap.strip(_SEPARATORS) else pos
            raise error(f"cannot read {_token_at(text, junk)!r} ({hint})", source)
        if len(labels) >= limit:
            raise error(f"more than {limit} {what}", source)
        nums.append(float(m.group("num")) if m.group("num") else 1.0)
        units.append((m.group("unit") or m.group("word") or "m").lower())
        times.append(m.group("time"))
        labels.append(m.group(0))
        pos = m.end()
    rest = text[pos:]
    if rest.strip(_SEPARATORS) or not labels:
        at = pos + len(rest) - len(rest.lstrip(_SEPARATORS))
        raise error(f"cannot read {_token_at(text, at)!r} ({hint})", source)
    dist = np.asarray(nums) * np.asarray([_LENGTH[u] for u in units])
    time = duration_seconds(pd.Series(times, dtype="string"))
    return dist, time, labels


def _parse_compact(text: str, source: str | None) -> pd.DataFrame:
    dist, time, labels = read_pairs(text, source, limit=MAX_SPLITS, error=InvalidSplits)
    bad = np.flatnonzero(np.isnan(time))
    if len(bad):
        i = int(bad[0])
        raise InvalidSplits(
            f"split {i + 1}: cannot read the time in {labels[i]!r} "
            "(expected seconds, m:ss.xx or h:mm:ss.xx with seconds and minutes below 60)",
            source,
        )
    return _validate(dist, time, labels, source)


# --------------------------------------------------------------------------- tables
def _distance_values(values: pd.Series, unit: str | None, decimal: str) -> np.ndarray:
    """Distances in m from numbers or strings with an optional m/km/mi suffix."""
    text = values.astype("string").str.strip().str.lower()
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    parts = text.str.extract(_DIST_VALUE)
    num = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    suffix = parts[1].to_numpy(dtype=object, na_value=None)
    default = {"km": 1000.0, "mi": MILE_M, "ft": 0.3048, "yd": 0.9144}.get(unit or "m", 1.0)
    factor = np.array([_LENGTH[s] if s else default for s in suffix], dtype="float64")
    has_suffix = np.array([bool(s) for s in suffix])
    num = np.where(np.isnan(num) & has_suffix, 1.0, num)  # "mile" alone is one mile
    return num * factor


def _header_says(words: tuple[str, ...], vocabulary: frozenset[str]) -> bool:
    return bool(set(words) & vocabulary)


def _has_header(first_line: str) -> bool:
    words = re.findall(r"[A-Za-z]+", first_line)
    return any(w.lower() not in _LENGTH for w in words)


def _parse_table(text: str, source: str | None) -> pd.DataFrame:
    label = source or "<splits>"
    first = next(line for line in text.splitlines() if line.strip())
    header = _has_header(first)
    try:
        frame, decimal = read_table(text.encode("utf-8"), label, header=header, dtype=str)
    except (CorruptFile, EmptyActivity) as exc:
        raise InvalidSplits(exc.reason, source) from None
    frame = frame.dropna(how="all")
    if len(frame) == 0:
        raise InvalidSplits("the table has a header but no splits", source)
    if not header:
        frame.columns = [
            "distance",
            "time",
            *[f"column_{i}" for i in range(3, frame.shape[1] + 1)],
        ][: frame.shape[1]]
    if len(frame) > MAX_SPLITS:
        raise InvalidSplits(f"more than {MAX_SPLITS} splits", source)
    infos = {c: header_info(c) for c in frame.columns}
    cols = []
    for c in frame.columns:
        values = frame[c]
        if values.isna().all():
            continue
        if _header_says(infos[c].words, _INDEX_WORDS):
            num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            finite = bool(np.isfinite(num).all())
            consecutive = finite and (len(num) < 2 or bool((np.diff(num) == 1).all()))
            if consecutive and num[0] in (0.0, 1.0):
                continue  # a lap number
        cols.append(c)
    if len(cols) < 2:
        shown = first if len(first) <= 40 else first[:37] + "..."
        raise InvalidSplits(
            f"cannot read {shown!r}: neither distance:time pairs such as 400:58.85,800:1:56.81 "
            "nor a table with a distance and a time column",
            source,
        )

    dist_col = next((c for c in cols if infos[c].quantity == "distance"), None)
    if dist_col is None:

        def suffixed(c: str) -> bool:
            text = frame[c].dropna().astype("string").str.strip()
            return bool(text.str.fullmatch(rf"\d*(?:\.\d+)?\s*(?:{_UNIT})", case=False).all())

        dist_col = next((c for c in cols if suffixed(c)), cols[0])
    rest = [c for c in cols if c != dist_col]
    timeish = [
        c
        for c in rest
        if infos[c].quantity == "time" or _header_says(infos[c].words, _LAP_WORDS | {"time"})
    ] or rest[:1]

    def kind(c: str) -> str:
        words = infos[c].words
        if _header_says(words, _CUMULATIVE_WORDS):
            return "cumulative"
        return "lap" if _header_says(words, _LAP_WORDS) else "auto"

    order = {"cumulative": 0, "auto": 1, "lap": 2}
    time_col = min(timeish, key=lambda c: order[kind(c)])
    time_kind = kind(time_col)

    labels = [
        f"row {i + 1}: {d}, {t}"
        for i, (d, t) in enumerate(zip(frame[dist_col], frame[time_col], strict=True))
    ]
    dist = _distance_values(frame[dist_col], infos[dist_col].unit, decimal)
    tinfo = infos[time_col]
    tfactor = {"ms": 1e-3, "min": 60.0, "h": 3600.0}.get(tinfo.unit or "s", 1.0)
    time = duration_seconds(frame[time_col], numeric_factor=tfactor, decimal=decimal)
    for what, values, col in (("distance", dist, dist_col), ("time", time, time_col)):
        bad = np.flatnonzero(np.isnan(values))
        if len(bad):
            i = int(bad[0])
            raise InvalidSplits(
                f"{labels[i]}: cannot read the {what} {frame[col].iloc[i]!r} (column {col!r})",
                source,
            )

    finite = dist[np.isfinite(dist)]
    if len(finite) > 1 and (
        (finite == finite[0]).all()
        or (_header_says(infos[dist_col].words, _LAP_WORDS) and (np.diff(finite) <= 0).any())
    ):
        dist = np.cumsum(dist)  # per-split distances
    if time_kind == "lap":
        time = np.cumsum(time)
    elif time_kind == "auto" and not _plausible(dist, time) and _plausible(dist, np.cumsum(time)):
        time = np.cumsum(time)  # a plain "time" column holding per-split times
    return _validate(dist, time, labels, source)


# --------------------------------------------------------------------------- public
def parse_splits(text: str, *, source: str | None = None) -> pd.DataFrame:
    """Parse a split string or split table into cumulative distances and times.

    Parameters
    ----------
    text
        A compact string (``"400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"``; pairs
        separated by ``,``, ``;``, newlines or whitespace, the first colon of each pair
        separating distance from time, ``m``/``km``/``mile`` suffixes allowed) or a delimited
        table with distance and time columns. See the module docstring for the rules.
    source
        Name used in errors.

    Returns
    -------
    pandas.DataFrame
        Columns ``distance_m`` (m) and ``time_s`` (s), both cumulative float64, one row per
        split; the first row is the first split (a ``0:0`` start row is dropped).

    Raises
    ------
    InvalidSplits
        Nothing to parse, an unreadable token (named in the message), distances or times not
        strictly increasing and positive, or a split whose mean speed is outside
        :data:`MIN_SPLIT_SPEED`–:data:`MAX_SPLIT_SPEED` m/s (the split is named).
    """
    if not isinstance(text, str):
        raise InvalidSplits(f"splits must be text, not {type(text).__name__}", source)
    body = text.lstrip("\ufeff").strip()
    if not body:
        raise InvalidSplits("no splits given", source)
    if "\x00" in body:
        raise InvalidSplits("binary data (NUL bytes) in a split table", source)
    first = next(line for line in body.splitlines() if line.strip()).strip()
    if _PAIR.match(first) or not re.search(r"[,;\t]", first):
        return _parse_compact(body, source)
    return _parse_table(body, source)


def read_splits(data: bytes | str, source: str = "<bytes>") -> Activity:
    """Read a split string or split table as a coarse :class:`~kicklab.activity.Activity`.

    A split-based activity is coarse: it knows only where the athlete was at each split, so
    its records are the cumulative points — a start row (``time_s`` 0, ``distance_m`` 0) and
    one row per split carrying the mean speed over that split (``speed_mps``, placed at the
    split's end; NaN at the start). Nothing within a split (a kick that starts 150 m out, the
    cadence, the heart rate) can be seen; analyses must treat each split as one average.

    Parameters
    ----------
    data
        The split string or table as text or bytes (UTF-8, else cp1252).
    source
        Name used in errors and ``metadata["source"]``.

    Returns
    -------
    Activity
        Records as above; ``laps`` one per split (``start_time_s``, ``end_time_s``,
        ``elapsed_s`` = ``timer_s`` in s, ``distance_m`` = split distance in m,
        ``avg_speed_mps`` in m/s, ``trigger`` ``"distance"``); one running session;
        ``metadata``: ``format="splits"``, ``sport="running"``, ``start_time=None`` and
        ``splits`` = the :func:`parse_splits` frame.

    Raises
    ------
    InvalidSplits
        See :func:`parse_splits`.
    FileTooLarge
        More bytes than :data:`kicklab.io.limits.MAX_FILE_BYTES`.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > limits.MAX_FILE_BYTES:
            raise FileTooLarge(
                f"input is larger than the {limits.MAX_FILE_BYTES}-byte limit", source
            )
        text = raw.decode(_encoding(raw[:65536]), errors="replace")
    elif isinstance(data, str):
        text = data
    else:
        raise InvalidSplits(f"splits must be text or bytes, not {type(data).__name__}", source)
    splits = parse_splits(text, source=source)
    dist = splits["distance_m"].to_numpy()
    time = splits["time_s"].to_numpy()
    seg_d = np.diff(dist, prepend=0.0)
    seg_t = np.diff(time, prepend=0.0)
    speed = seg_d / seg_t
    records = pd.DataFrame(
        {
            "time_s": np.concatenate([[0.0], time]),
            "distance_m": np.concatenate([[0.0], dist]),
            "speed_mps": np.concatenate([[np.nan], speed]),
        }
    )
    laps = pd.DataFrame(
        {
            "start_time_s": time - seg_t,
            "end_time_s": time,
            "elapsed_s": seg_t,
            "timer_s": seg_t,
            "distance_m": seg_d,
            "avg_speed_mps": speed,
            "trigger": "distance",
        }
    )
    sessions = pd.DataFrame(
        {
            "sport": ["running"],
            "sub_sport": [None],
            "start_time_s": [0.0],
            "end_time_s": [float(time[-1])],
            "elapsed_s": [float(time[-1])],
            "timer_s": [float(time[-1])],
            "distance_m": [float(dist[-1])],
        }
    )
    meta = {
        "format": "splits",
        "source": source,
        "sport": "running",
        "sub_sport": None,
        "start_time": None,
        "device": {},
        "name": None,
        "splits": splits,
    }
    return Activity(records, laps, sessions, None, meta)
