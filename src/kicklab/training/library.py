"""The drill and session library: what each drill, exercise or run session trains, and how.

The library is data (``kicklab/training/data/library.toml``), validated on load by
:func:`load_library`. Each entry is a :class:`Drill` — a form drill, a strength or
plyometric exercise, a mental skill or a run session — with its purpose, the qualities it
trains (a closed vocabulary, :data:`QUALITIES`), coaching cues, a :class:`Dosage`, a
progression, cautions, whether it counts as a hard day, the lowest level it suits, and its
source. The plan generator (:mod:`kicklab.training.plan`) picks entries by id and sets their
speeds from the athlete's profile.

Distances are metres, durations seconds.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kicklab.errors import InvalidValue

__all__ = [
    "QUALITIES",
    "KINDS",
    "LEVELS",
    "Dosage",
    "Drill",
    "load_library",
    "level_rank",
]

#: What a drill or session trains (closed vocabulary): sprint speed, using the speed reserve
#: (MSS − CS, Sandford et al. 2019), D' (anaerobic capacity above critical speed), the
#: aerobic engine (CS), the two levers of speed (cadence × step length), running form, kick
#: timing, and the mental side of the finish.
QUALITIES: tuple[str, ...] = (
    "max_speed",
    "speed_reserve",
    "d_prime",
    "aerobic",
    "cadence",
    "step_length",
    "form",
    "timing",
    "mental",
)
#: Kinds of library entry.
KINDS: tuple[str, ...] = ("drill", "strength", "plyometric", "run", "mental")
#: Athlete levels, least trained first (an entry's ``min_level`` is the lowest that may do it).
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
#: File name of the built-in library inside the package.
_BUILTIN = "library.toml"
#: Longest id accepted, characters (a slug, also used in file names by the exports).
_MAX_ID_CHARS = 40


@dataclass(frozen=True)
class Dosage:
    """How much of a drill or session: sets × reps of a distance or a duration, with rests.

    Attributes
    ----------
    sets
        Number of sets (≥ 1).
    reps
        Repetitions per set (≥ 1); for plyometrics, foot contacts per set.
    distance_m
        Distance per rep, m (None: not distance-based).
    duration_s
        Duration per rep, s (None: not time-based).
    rest_s
        Rest between reps, s.
    set_rest_s
        Rest between sets, s.
    intensity
        Intensity in words, e.g. ``"max"``, ``"95–100 % MSS"``, ``"100–102 % CS"``, ``"easy"``.
    text
        The dosage as a coach writes it, e.g. ``"3 × 4 × 30 m, walk back"``.
    """

    sets: int = 1
    reps: int = 1
    distance_m: float | None = None
    duration_s: float | None = None
    rest_s: float | None = None
    set_rest_s: float | None = None
    intensity: str = ""
    text: str = ""

    @property
    def contacts(self) -> int:
        """Total repetitions (for plyometrics: foot contacts), ``sets × reps``."""
        return self.sets * self.reps


@dataclass(frozen=True)
class Drill:
    """One library entry: a drill, a strength or plyometric exercise, a run or a mental skill.

    Attributes
    ----------
    id
        Unique slug, e.g. ``"arm-drive"``, ``"flying-30s"``.
    name
        Display name.
    kind
        One of :data:`KINDS`.
    purpose
        What it is for, in a sentence or two.
    qualities
        The qualities it trains, a non-empty subset of :data:`QUALITIES` (main one first).
    cues
        Coaching cues, in the order they are given.
    dosage
        The standard dosage.
    progression
        How it progresses over weeks.
    cautions
        When to stop or not do it.
    hard
        True when it counts as a hard (high-intensity or high-impact) stimulus.
    min_level
        The lowest :data:`LEVELS` entry that may do it.
    source
        Reference or rationale.
    """

    id: str
    name: str
    kind: str
    purpose: str
    qualities: tuple[str, ...]
    cues: tuple[str, ...]
    dosage: Dosage
    progression: str
    cautions: str
    hard: bool
    min_level: str = "beginner"
    source: str = ""


def level_rank(level: str) -> int:
    """Position of ``level`` in :data:`LEVELS` (0 = beginner); InvalidValue for another word."""
    if level not in LEVELS:
        raise InvalidValue(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    return LEVELS.index(level)


# ----------------------------------------------------------------------------- validation
_DRILL_FIELDS = {f.name for f in fields(Drill)}
_DOSAGE_FIELDS = {f.name for f in fields(Dosage)}
_REQUIRED = ("id", "name", "kind", "purpose", "qualities", "cues", "dosage", "hard")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dosage(raw: Any, where: str, label: str) -> Dosage:
    if not isinstance(raw, dict):
        raise InvalidValue(f"{where}: dosage must be a table, got {type(raw).__name__}", label)
    unknown = sorted(set(raw) - _DOSAGE_FIELDS)
    if unknown:
        raise InvalidValue(f"{where}: unknown dosage key(s) {', '.join(unknown)}", label)
    out: dict[str, Any] = {}
    for key in ("sets", "reps"):
        if key in raw:
            v = raw[key]
            if not (isinstance(v, int) and not isinstance(v, bool)):
                raise InvalidValue(
                    f"{where}: dosage {key} must be a whole number, got {v!r}", label
                )
            if v < 1:
                raise InvalidValue(f"{where}: dosage {key} must be at least 1, got {v}", label)
            out[key] = v
    for key in ("distance_m", "duration_s", "rest_s", "set_rest_s"):
        if key in raw:
            v = raw[key]
            if not _is_number(v) or not math.isfinite(float(v)):
                raise InvalidValue(f"{where}: dosage {key} must be a number, got {v!r}", label)
            if v < 0:
                raise InvalidValue(f"{where}: dosage {key} must not be negative, got {v!r}", label)
            if key in ("distance_m", "duration_s") and v == 0:
                raise InvalidValue(f"{where}: dosage {key} must be positive, got {v!r}", label)
            out[key] = float(v)
    for key in ("intensity", "text"):
        if key in raw:
            if not isinstance(raw[key], str):
                raise InvalidValue(f"{where}: dosage {key} must be text, got {raw[key]!r}", label)
            out[key] = raw[key]
    return Dosage(**out)


def _text(raw: dict[str, Any], key: str, where: str, label: str, *, required: bool) -> str:
    if key not in raw:
        if required:
            raise InvalidValue(f"{where}: missing key {key}", label)
        return ""
    v = raw[key]
    if not isinstance(v, str):
        raise InvalidValue(f"{where}: {key} must be text, got {v!r}", label)
    if required and not v.strip():
        raise InvalidValue(f"{where}: {key} must not be empty", label)
    return v


def _texts(raw: dict[str, Any], key: str, where: str, label: str) -> tuple[str, ...]:
    v = raw[key]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise InvalidValue(f"{where}: {key} must be a list of non-empty texts, got {v!r}", label)
    return tuple(v)


def _drill(raw: Any, index: int, label: str) -> Drill:
    if not isinstance(raw, dict):
        raise InvalidValue(f"entry {index + 1} is not a table", label)
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise InvalidValue(f"entry {index + 1}: missing or empty id", label)
    where = f"drill {ident!r}"
    if (
        len(ident) > _MAX_ID_CHARS
        or ident != ident.lower()
        or not all(c.isalnum() or c == "-" for c in ident)
    ):
        raise InvalidValue(
            f"{where}: an id is a slug of lower-case letters, digits and '-' "
            f"(at most {_MAX_ID_CHARS} characters)",
            label,
        )
    unknown = sorted(set(raw) - _DRILL_FIELDS)
    if unknown:
        raise InvalidValue(f"{where}: unknown key(s) {', '.join(unknown)}", label)
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise InvalidValue(f"{where}: missing key(s) {', '.join(missing)}", label)
    kind = _text(raw, "kind", where, label, required=True)
    if kind not in KINDS:
        raise InvalidValue(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}", label)
    qualities = _texts(raw, "qualities", where, label)
    if not qualities:
        raise InvalidValue(f"{where}: qualities must not be empty", label)
    bad = [q for q in qualities if q not in QUALITIES]
    if bad:
        raise InvalidValue(
            f"{where}: unknown quality {bad[0]!r} (known: {', '.join(QUALITIES)})", label
        )
    if len(set(qualities)) != len(qualities):
        raise InvalidValue(f"{where}: a quality is listed twice", label)
    hard = raw["hard"]
    if not isinstance(hard, bool):
        raise InvalidValue(f"{where}: hard must be true or false, got {hard!r}", label)
    min_level = raw.get("min_level", "beginner")
    if min_level not in LEVELS:
        raise InvalidValue(
            f"{where}: min_level must be one of {', '.join(LEVELS)}, got {min_level!r}", label
        )
    return Drill(
        id=ident,
        name=_text(raw, "name", where, label, required=True),
        kind=kind,
        purpose=_text(raw, "purpose", where, label, required=True),
        qualities=qualities,
        cues=_texts(raw, "cues", where, label),
        dosage=_dosage(raw["dosage"], where, label),
        progression=_text(raw, "progression", where, label, required=False),
        cautions=_text(raw, "cautions", where, label, required=False),
        hard=hard,
        min_level=min_level,
        source=_text(raw, "source", where, label, required=False),
    )


def _parse(text: str, label: str) -> dict[str, Drill]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue(f"not valid TOML: {exc}", label) from None
    extra = sorted(set(data) - {"drill"})
    if extra:
        raise InvalidValue(
            f"unknown top-level key(s) {', '.join(extra)} (entries are [[drill]] tables)", label
        )
    entries = data.get("drill")
    if not isinstance(entries, list) or not entries:
        raise InvalidValue("no [[drill]] entries", label)
    out: dict[str, Drill] = {}
    for i, raw in enumerate(entries):  # a few dozen entries
        drill = _drill(raw, i, label)
        if drill.id in out:
            raise InvalidValue(f"drill {drill.id!r}: the id appears twice", label)
        out[drill.id] = drill
    return out


@lru_cache(maxsize=1)
def _builtin() -> tuple[tuple[str, Drill], ...]:
    text = (
        resources.files("kicklab.training")
        .joinpath("data")
        .joinpath(_BUILTIN)
        .read_text(encoding="utf-8")
    )
    return tuple(_parse(text, f"kicklab/training/data/{_BUILTIN}").items())


def load_library(path: str | Path | None = None) -> dict[str, Drill]:
    """Read and validate a drill library (kicklab's own when ``path`` is None).

    Parameters
    ----------
    path
        A TOML file of ``[[drill]]`` tables, each followed by its ``[drill.dosage]`` table
        (keys: the fields of :class:`Drill` and :class:`Dosage`).

    Returns
    -------
    dict
        Drill id → :class:`Drill`, in file order (a new dict on every call).

    Raises
    ------
    InvalidValue
        The file cannot be read or is not TOML; an entry has an unknown or missing key, a
        value of the wrong type, an unknown kind, quality or level, no qualities, a negative
        or zero dosage, or an id used twice. The error's source is the file and its reason
        names the drill id.
    """
    if path is None:
        return dict(_builtin())
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue(f"cannot read the drill library: {exc}", label) from None
    return _parse(text, label)
