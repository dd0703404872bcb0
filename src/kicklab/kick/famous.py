"""Famous finishing kicks: a small built-in table of historic races, and how yours compares.

The table (``kicklab/kick/data/famous_kicks.csv``) holds races whose cumulative splits are
published, with columns

``key``
    Short identifier, e.g. ``coe-1984-olympic-1500`` (lower case, digits, hyphens; unique).
``race``, ``athlete``, ``year``
    What, who and when.
``event_m``
    Race distance, m (equals the last split's distance).
``splits``
    Cumulative splits in the compact split-string format of :func:`kicklab.io.parse_splits`
    (``"400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"``).
``final_time_s``
    Finishing time, s (equals the last split's time).
``source``
    Where the splits were published: one or more URLs separated by spaces.
``notes``
    Whose splits they are and how exact (e.g. the leader's splits with the winner's finish,
    which makes the winner's kick gain approximate).

Only races whose splits agree in two independent published sources are included, apart from
the reference cases of the kicklab science notes. :func:`compare` puts the finish of any
:class:`~kicklab.kick.result.KickAnalysis` beside them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from kicklab.errors import InvalidSplits, InvalidValue
from kicklab.io.splits import parse_splits
from kicklab.kick.result import KickAnalysis
from kicklab.kick.splits import analyze_splits

__all__ = [
    "FamousKick",
    "famous_kicks",
    "load_famous_kicks",
    "get",
    "compare",
    "COLUMNS",
    "COMPARE_COLUMNS",
    "LAP_M",
]

#: Columns of the famous-kick table, in order.
COLUMNS: tuple[str, ...] = (
    "key",
    "race",
    "athlete",
    "year",
    "event_m",
    "splits",
    "final_time_s",
    "source",
    "notes",
)
#: Columns of :func:`compare`'s table, in order.
COMPARE_COLUMNS: tuple[str, ...] = (
    "key",
    "race",
    "athlete",
    "year",
    "event_m",
    "finish_s",
    "finish_class",
    "kick_detected",
    "kick_onset_to_go_m",
    "gain_pct",
    "final_400_s",
    "mean_400_s",
    "final_400_ratio",
    "final_400_equivalent_s",
)
#: One lap of a standard track, m: the "last lap" the finishes are compared over.
LAP_M: float = 400.0
#: Largest difference between ``final_time_s`` and the last split's time, s: the table gives
#: times to 0.01 s, so anything beyond half of that is a typing error, not rounding.
_TIME_TOLERANCE_S: float = 0.005
#: Largest difference between ``event_m`` and the last split's distance, m (float round-off).
_DISTANCE_TOLERANCE_M: float = 1e-6
#: Plausible years of a race with published splits (the first timed miles were run in the
#: 1850s; a year beyond 2100 is a typing error).
_YEARS: tuple[int, int] = (1850, 2100)
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_BUILTIN = "famous_kicks.csv"


@dataclass(frozen=True)
class FamousKick:
    """One historic race of the built-in table (see the module docstring for the fields).

    Attributes
    ----------
    key, race, athlete
        Identifier, race name and athlete.
    year
        Year of the race.
    event_m
        Race distance, m.
    splits
        Cumulative splits as a compact split string.
    final_time_s
        Finishing time, s.
    source
        URL(s) of the published splits, separated by spaces.
    notes
        Whose splits these are and how exact.
    """

    key: str
    race: str
    athlete: str
    year: int
    event_m: float
    splits: str
    final_time_s: float
    source: str
    notes: str

    def table(self) -> pd.DataFrame:
        """The splits as cumulative ``distance_m`` (m) and ``time_s`` (s)."""
        return parse_splits(self.splits, source=self.key)

    def analysis(self) -> KickAnalysis:
        """The race analysed from its splits (:func:`kicklab.kick.splits.analyze_splits`)."""
        return analyze_splits(self.splits, source=self.key)


def _row(raw: dict[str, str | None], line: int, label: str) -> FamousKick:
    key = (raw.get("key") or "").strip()
    name = f"famous kick {key!r}" if key else f"famous kick on line {line}"

    def bad(why: str) -> InvalidValue:
        return InvalidValue(f"{name}: {why}", label)

    if not _KEY.fullmatch(key):
        raise bad("the key must be lower-case letters, digits and hyphens")
    text = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    for c in ("race", "athlete", "splits", "source"):
        if not text[c]:
            raise bad(f"{c} is empty")
    try:
        year = int(text["year"])
        event_m = float(text["event_m"])
        final_time_s = float(text["final_time_s"])
    except ValueError:
        raise bad(
            "year, event_m and final_time_s must be numbers (got "
            f"{text['year']!r}, {text['event_m']!r}, {text['final_time_s']!r})"
        ) from None
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise bad(f"year {year} is outside {_YEARS[0]}–{_YEARS[1]}")
    if not (math.isfinite(event_m) and event_m > 0):
        raise bad(f"event_m must be a positive distance in m, got {text['event_m']!r}")
    if not (math.isfinite(final_time_s) and final_time_s > 0):
        raise bad(f"final_time_s must be a positive time in s, got {text['final_time_s']!r}")
    try:
        table = parse_splits(text["splits"], source=key)
    except InvalidSplits as exc:
        raise bad(f"splits: {exc.reason}") from None
    last_d, last_t = float(table["distance_m"].iloc[-1]), float(table["time_s"].iloc[-1])
    if abs(last_d - event_m) > _DISTANCE_TOLERANCE_M:
        raise bad(f"the last split is at {last_d:g} m, not at the event distance {event_m:g} m")
    if abs(last_t - final_time_s) > _TIME_TOLERANCE_S:
        raise bad(
            f"the last split's time {last_t:.2f} s differs from final_time_s {final_time_s:.2f} s"
        )
    return FamousKick(
        key=key,
        race=text["race"],
        athlete=text["athlete"],
        year=year,
        event_m=event_m,
        splits=text["splits"],
        final_time_s=final_time_s,
        source=text["source"],
        notes=text["notes"],
    )


def load_famous_kicks(path: str | Path | None = None) -> list[FamousKick]:
    """Read and validate a famous-kick table (the built-in one when ``path`` is None).

    Parameters
    ----------
    path
        A CSV file with the :data:`COLUMNS` (header row first).

    Returns
    -------
    list of FamousKick
        In file order.

    Raises
    ------
    InvalidValue
        A missing column, a duplicate key, or a bad row (named by its key): unreadable or
        invalid splits, a last split that is not at ``event_m`` / ``final_time_s``, a
        non-numeric year, distance or time.
    """
    if path is None:
        label = f"kicklab/kick/data/{_BUILTIN}"
        text = (
            resources.files("kicklab.kick")
            .joinpath("data")
            .joinpath(_BUILTIN)
            .read_text(encoding="utf-8")
        )
    else:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidValue(f"cannot read the famous-kick table: {exc}", label) from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidValue(f"the famous-kick table lacks columns {', '.join(missing)}", label)
    rows: list[FamousKick] = []
    seen: set[str] = set()
    for raw in reader:
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a blank line
        row = _row(raw, reader.line_num, label)
        if row.key in seen:
            raise InvalidValue(f"famous kick {row.key!r}: the key appears twice", label)
        seen.add(row.key)
        rows.append(row)
    return rows


@lru_cache(maxsize=1)
def _builtin() -> tuple[FamousKick, ...]:
    return tuple(load_famous_kicks())


def famous_kicks() -> list[FamousKick]:
    """The built-in table of famous kicks, validated (see the module docstring)."""
    return list(_builtin())


def get(key: str) -> FamousKick:
    """The famous race with this ``key``.

    Raises
    ------
    InvalidValue
        No race has that key (the message lists the keys).
    """
    for row in _builtin():
        if row.key == key:
            return row
    keys = ", ".join(r.key for r in _builtin())
    raise InvalidValue(f"no famous kick {key!r}; known: {keys}")


def _lap_numbers(distance_m: float, finish_s: float, final_400_s: float) -> tuple[float, float]:
    """Mean time per 400 m over the whole race and the last 400 m's ratio to it."""
    if not (distance_m >= LAP_M and finish_s > 0):
        return math.nan, math.nan
    mean_400 = finish_s * LAP_M / distance_m
    return mean_400, final_400_s / mean_400


def _compare_row(
    key: str | None,
    race: str,
    athlete: str,
    year: int | None,
    analysis: KickAnalysis,
) -> dict[str, object]:
    D, T = analysis.race.distance_m, analysis.race.duration_s
    kick = analysis.kick
    final_400 = kick.final_400_s if D >= LAP_M else math.nan
    mean_400, ratio = _lap_numbers(D, T, final_400)
    return {
        "key": key,
        "race": race,
        "athlete": athlete,
        "year": year,
        "event_m": D,
        "finish_s": T,
        "finish_class": analysis.finish_class,
        "kick_detected": bool(kick.detected),
        "kick_onset_to_go_m": kick.onset_distance_to_go_m if kick.detected else math.nan,
        "gain_pct": kick.gain_pct if kick.detected else math.nan,
        "final_400_s": final_400,
        "mean_400_s": mean_400,
        "final_400_ratio": ratio,
    }


def compare(
    analysis: KickAnalysis, races: Iterable[str | FamousKick] | None = None
) -> pd.DataFrame:
    """Put a race's finish beside famous kicks.

    Parameters
    ----------
    analysis
        Any kick analysis (:func:`kicklab.kick.analysis.analyze` on samples or
        :func:`kicklab.kick.splits.analyze_splits`).
    races
        Keys or :class:`FamousKick` rows to compare with (default: the whole built-in table).

    Returns
    -------
    pandas.DataFrame
        One row for the analysed race first (``key`` None, ``race`` the analysis source or
        ``"you"``, ``athlete`` ``"you"``), then one per famous race, with the
        :data:`COMPARE_COLUMNS`: ``event_m`` (m), ``finish_s`` (s), ``finish_class``,
        ``kick_detected``, ``kick_onset_to_go_m`` (m) and ``gain_pct`` (%) (NaN without a
        detected kick; famous races are analysed from their splits, so their onsets are split
        boundaries), ``final_400_s`` (s), ``mean_400_s`` (the whole race's mean time per
        400 m, s), ``final_400_ratio`` (= final 400 / mean 400; below 1 means the last 400 m
        was faster than the race average) and ``final_400_equivalent_s`` — the analysed
        race's ratio applied to that race's mean 400 m pace, s: "your finish at Coe's pace
        would be a 52.6 s last lap" (on the first row it is the race's own last 400 m).
        Races shorter than 400 m have NaN in the 400-based columns.

    Raises
    ------
    InvalidValue
        ``analysis`` is not a KickAnalysis, or an unknown key.
    """
    if not isinstance(analysis, KickAnalysis):
        raise InvalidValue(f"compare() needs a KickAnalysis, got {type(analysis).__name__}")
    chosen = (
        list(_builtin())
        if races is None
        else [r if isinstance(r, FamousKick) else get(str(r)) for r in races]
    )
    label = analysis.source if analysis.source else "you"
    rows = [_compare_row(None, str(label), "you", None, analysis)]
    for famous in chosen:
        rows.append(
            _compare_row(famous.key, famous.race, famous.athlete, famous.year, famous.analysis())
        )
    years = [row["year"] for row in rows]
    out = pd.DataFrame(rows)
    user_ratio = float(out["final_400_ratio"].iloc[0])
    out["final_400_equivalent_s"] = user_ratio * out["mean_400_s"].to_numpy(dtype=float)
    # whole years, None on the analysed race's row (plain Python objects: no pandas NA)
    out["year"] = pd.Series([None if y is None else int(y) for y in years], dtype=object)
    for c in ("event_m", "finish_s", "kick_onset_to_go_m", "gain_pct", "final_400_s"):
        out[c] = out[c].astype("float64")
    out["final_400_ratio"] = out["final_400_ratio"].astype("float64")
    return out[list(COMPARE_COLUMNS)]
