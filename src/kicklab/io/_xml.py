"""Shared helpers of the XML readers (GPX, TCX): safe streaming parse and vectorised conversion.

Safety
------
* :func:`refuse_entities` rejects any document whose DOCTYPE declares an entity (billion
  laughs, external entities / XXE) *before* any parsing happens;
* :func:`iter_xml` streams the document with :func:`lxml.etree.iterparse` with entity
  resolution, DTD loading and network access switched off and libxml2's size limits kept
  (``huge_tree=False``); it refuses documents nesting deeper than
  :data:`kicklab.io.limits.MAX_XML_DEPTH` elements, clears every element once it has been
  handled and drops finished siblings, so memory stays flat whatever the file size;
* malformed or truncated XML becomes :class:`~kicklab.errors.CorruptFile` naming lxml's message
  and the line.

Conversion
----------
Readers collect the *text* of each field into plain lists while streaming and convert each
column once at the end: :func:`to_float` (numbers, unparsable text becomes NaN) and
:func:`to_utc` (ISO 8601 times with ``Z``, offsets or fractional seconds → UTC; times without
an offset are taken as UTC).

The running-cadence rule (per-foot rpm or steps/min) lives in :mod:`kicklab.io.cadence`.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from kicklab.activity import empty_pauses
from kicklab.errors import CorruptFile, UnsupportedFormat
from kicklab.io import limits
from kicklab.io.cadence import SPM_MEDIAN_RPM, SPM_P90_RPM, cadence_is_spm, cadence_to_spm

__all__ = [
    "GAP_S",
    "MAX_EXTRA_FIELDS",
    "SPM_MEDIAN_RPM",
    "SPM_P90_RPM",
    "ColumnBuffer",
    "refuse_entities",
    "iter_xml",
    "local_name",
    "snake_case",
    "to_float",
    "clean_text",
    "extra_column",
    "to_utc",
    "seconds_since",
    "utc_timestamp",
    "blank_if_all_zero",
    "cadence_is_spm",
    "cadence_to_spm",
    "map_sport",
    "pauses_from_gaps",
    "extra_key",
]

#: A pause between two consecutive samples longer than this (s) is recorded as a ``gap``.
GAP_S: float = 60.0
#: Most format-specific per-sample fields a reader keeps (bounds memory on hostile files).
MAX_EXTRA_FIELDS: int = 32

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
    "collect_ids": False,
    "remove_comments": True,
    "remove_pis": True,
}

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_TEXT = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY_TEXT = re.compile(r"<!ENTITY", re.IGNORECASE)

# (byte-order mark or first bytes of "<?"/"<") → codec, for encodings whose markup is not ASCII
_WIDE_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def refuse_entities(data: bytes, source: str | None = None) -> None:
    """Raise :class:`CorruptFile` when ``data`` has a DOCTYPE that declares an entity.

    GPX and TCX never need a DTD; an ``<!ENTITY`` declaration is how billion-laughs
    (exponential expansion) and external-entity (XXE, e.g. ``SYSTEM "file:///etc/passwd"``)
    attacks work, so such documents are refused before any parsing. UTF-16/32 documents are
    decoded for this check only.
    """
    for bom, codec in _WIDE_ENCODINGS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            m = _DOCTYPE_TEXT.search(text)
            found = m is not None and _ENTITY_TEXT.search(text, m.start()) is not None
            break
    else:
        m = _DOCTYPE.search(data)
        found = m is not None and _ENTITY.search(data, m.start()) is not None
    if found:
        raise CorruptFile(
            "document declares XML entities in its DTD (refused: entity expansion and "
            "external entities are unsafe, and GPX/TCX never need them)",
            source,
        )


_LOCAL_CACHE: dict[str, str] = {}


def local_name(tag: str) -> str:
    """The local part of an lxml tag (``{namespace}name`` → ``name``)."""
    name = _LOCAL_CACHE.get(tag)
    if name is None:
        name = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        if len(_LOCAL_CACHE) < 4096:
            _LOCAL_CACHE[tag] = name
    return name


def iter_xml(
    data: bytes, source: str | None, root: str
) -> Iterator[tuple[bool, str, etree._Element, list[str]]]:
    """Stream ``data`` as ``(is_start, local_name, element, stack)`` events.

    ``stack`` holds the local names of the open elements, the current one last (so
    ``stack[-2]`` is the parent). At an end event the element's text and attributes are
    complete; once the consumer asks for the next event the element is cleared and its
    finished previous sibling removed, so the tree holds only the open path plus what lxml
    has parsed ahead (one read chunk), whatever the document's size.

    Parameters
    ----------
    data
        The document's bytes.
    source
        Label used in errors.
    root
        Required local name of the root element (e.g. ``gpx``).

    Raises
    ------
    CorruptFile
        Entity declarations, malformed or truncated XML, nesting deeper than
        :data:`kicklab.io.limits.MAX_XML_DEPTH`.
    UnsupportedFormat
        The root element is not ``root``.
    """
    refuse_entities(data, source)
    max_depth = limits.MAX_XML_DEPTH
    stack: list[str] = []
    etree.clear_error_log()  # thread-local; keeps only this document's errors for the message
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), **_PARSER_OPTIONS)
    try:
        for event, elem in events:
            if event == "start":
                tag = elem.tag
                name = _LOCAL_CACHE.get(tag) or local_name(tag)
                stack.append(name)
                if len(stack) > max_depth:
                    raise CorruptFile(
                        f"XML nests deeper than {max_depth} elements (at <{name}>)", source
                    )
                if len(stack) == 1 and name != root:
                    raise UnsupportedFormat(f"root element is <{name}>, not <{root}>", source)
                yield True, name, elem, stack
            else:
                yield False, stack[-1], elem, stack
                stack.pop()
                elem.clear(keep_tail=True)
                prev = elem.getprevious()
                if prev is not None:
                    elem.getparent().remove(prev)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(_syntax_reason(exc), source) from None
    except etree.LxmlError as exc:
        raise CorruptFile(f"malformed XML ({exc})", source) from None


def _syntax_reason(exc: etree.XMLSyntaxError) -> str:
    """lxml's own words and line for a syntax error (its first logged error when available)."""
    log = getattr(exc, "error_log", None)
    fatal = log.filter_from_errors() if log is not None else []
    entry = fatal[0] if len(fatal) else None
    if entry is not None and entry.message:
        msg, line, column = entry.message.strip(), entry.line, entry.column
        return f"malformed XML at line {line}, column {column}: {msg}"
    msg = (exc.msg or str(exc)).strip()
    if not msg or msg == "no element found" or "Document is empty" in msg:
        return "malformed XML: document is empty or holds no element"
    return f"malformed XML at line {exc.lineno}: {msg}" if exc.lineno else f"malformed XML: {msg}"


class ColumnBuffer:
    """Column-wise accumulator of per-sample texts: ``append(row_dict)`` while streaming, then
    convert each column once (:func:`to_float`, :func:`to_utc`). Missing values are None."""

    __slots__ = ("cols", "n")

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {}
        self.n = 0

    def append(self, row: dict[str, Any]) -> None:
        """Add one sample; keys not seen before become new columns back-filled with None."""
        cols = self.cols
        for key in row.keys() - cols.keys():
            cols[key] = [None] * self.n
        for key, values in cols.items():
            values.append(row.get(key))
        self.n += 1

    def get(self, key: str) -> list[Any]:
        """The texts of one column (all None when the column was never seen)."""
        values = self.cols.get(key)
        return values if values is not None else [None] * self.n

    def has(self, key: str) -> bool:
        """True when at least one sample has ``key``."""
        return key in self.cols

    def __len__(self) -> int:
        return self.n


_SNAKE_1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


@functools.lru_cache(maxsize=1024)
def snake_case(name: str) -> str:
    """``RunCadence`` → ``run_cadence``; ``atemp`` → ``atemp``; ``Some-Thing`` → ``some_thing``."""
    s = _SNAKE_2.sub(r"\1_\2", _SNAKE_1.sub(r"\1_\2", name))
    return _NON_WORD.sub("_", s).strip("_").lower()


def to_float(values: Sequence[Any]) -> np.ndarray:
    """Convert collected texts (or None) to float64 in one pass; unparsable text → NaN."""
    if len(values) == 0:
        return np.empty(0)
    arr = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    out = arr.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isfinite(out), out, np.nan)


def clean_text(text: str | None) -> str | None:
    """Stripped text, or None when missing or blank."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def extra_column(values: Sequence[Any]) -> np.ndarray:
    """A format-specific field: float64 when every present value is a number, else the
    stripped texts (object array, None where missing)."""
    nums = to_float(values)
    texts = pd.Series(values, dtype=object)
    if np.isfinite(nums).sum() == texts.notna().sum():
        return nums
    return texts.str.strip().to_numpy(dtype=object)


def to_utc(values: Sequence[Any]) -> np.ndarray:
    """Parse ISO 8601 time texts to a ``datetime64`` array in UTC (unparsable/missing → NaT).

    ``Z``, ``+hh:mm`` offsets and fractional seconds are honoured; a time without an offset is
    taken as UTC. The result is timezone-naive numpy (UTC) for fast sorting and arithmetic.
    """
    s = pd.Series(values, dtype=object)
    if len(s) == 0:
        return np.empty(0, dtype="datetime64[us]")
    s = s.where(s.notna(), None).str.strip()
    try:
        parsed = pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce")
    except (ValueError, TypeError, OverflowError):  # pragma: no cover - defensive
        parsed = pd.to_datetime(s, utc=True, format="mixed", errors="coerce")
    return parsed.dt.tz_localize(None).to_numpy(copy=True)


def seconds_since(times: np.ndarray, t0: np.datetime64) -> np.ndarray:
    """Seconds (float64) from ``t0`` to each time of a ``datetime64`` array (NaT → NaN)."""
    return (np.asarray(times) - t0) / np.timedelta64(1, "s")


def utc_timestamp(t: np.datetime64) -> pd.Timestamp:
    """A numpy UTC ``datetime64`` as a timezone-aware :class:`pandas.Timestamp`."""
    return pd.Timestamp(t).tz_localize("UTC")


def blank_if_all_zero(values: np.ndarray) -> np.ndarray:
    """NaN everywhere when no sample is non-zero: exporters write 0 placeholders for a sensor
    (cadence, power) that was never paired, and that is "no data", not "standing still"."""
    v = np.asarray(values, dtype="float64")
    if np.nan_to_num(v).any():
        return v
    return np.full(v.shape, np.nan)


_SPORT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("run", "jog", "treadmill"), "running"),
    (("cycl", "bik", "ride", "bicycl"), "cycling"),
    (("walk",), "walking"),
    (("hik",), "hiking"),
    (("swim",), "swimming"),
)


def map_sport(word: str | None) -> str | None:
    """Map a free-text sport (``Running``, ``trail_running``, ``Biking``, ``Ride``, ...) to
    kicklab's lower-case words: running, cycling, walking, hiking, swimming; other words are
    returned in snake_case (``Other`` → ``other``); empty or purely numeric text → None."""
    if word is None:
        return None
    w = word.strip().lower()
    if not w or w.isdigit():
        return None
    for stems, sport in _SPORT_WORDS:
        if any(stem in w for stem in stems):
            return sport
    return snake_case(w) or None


def pauses_from_gaps(
    time_s: np.ndarray, boundary_kind: np.ndarray, gap_s: float = GAP_S
) -> pd.DataFrame:
    """Pause table from sorted sample times and per-sample boundary kinds.

    Parameters
    ----------
    time_s
        Sorted sample times, s.
    boundary_kind
        Per sample (str), the pause kind of the interval *ending* at that sample when that
        sample starts a new segment (e.g. ``"segment_gap"``), else ``""``.
    gap_s
        Any other interval longer than this (s) is a pause of kind ``gap``.

    Returns
    -------
    pandas.DataFrame
        :data:`~kicklab.activity.PAUSE_COLUMNS`; times in s as given.
    """
    t = np.asarray(time_s, dtype="float64")
    if t.size < 2:
        return empty_pauses()
    kinds = np.asarray(boundary_kind, dtype=object)[1:]
    dt = np.diff(t)
    marked = kinds != ""
    is_pause = (marked & (dt > 0)) | (~marked & (dt > gap_s))
    idx = np.flatnonzero(is_pause)
    if idx.size == 0:
        return empty_pauses()
    kind = np.where(marked[idx], kinds[idx], "gap")
    return pd.DataFrame(
        {
            "start_time_s": t[idx],
            "end_time_s": t[idx + 1],
            "duration_s": dt[idx],
            "kind": kind.astype(object),
        }
    )


def extra_key(name: str, prefix: str, reserved: set[str], extras: set[str]) -> str | None:
    """Column name for an unknown per-point element, or None to skip it.

    The element's snake-cased name, prefixed with ``prefix`` when it would shadow a canonical
    or reserved column; None when it has no usable name or when :data:`MAX_EXTRA_FIELDS`
    distinct extra fields are already kept (bounds memory on hostile files). ``extras`` is
    updated with the names handed out.
    """
    key = snake_case(name)
    if not key:
        return None
    if key in reserved:
        key = f"{prefix}_{key}"
    if key not in extras:
        if len(extras) >= MAX_EXTRA_FIELDS:
            return None
        extras.add(key)
    return key
