"""Text specifications of tactics, runners, fields and courses, as typed on the command line.

The command line (``kicklab race``, ``kicklab advise``) and the demo describe a race in short
strings; this module turns them into the library's objects so that a notebook user gets exactly
what the command line simulates.

Tactics (case-insensitive; distances are **distance to go**, like
:mod:`kicklab.race.runner`)::

    even              best even pace for the distance
    even@6.2          even pace at 6.2 m/s
    follow            sit behind the runner ahead, never kick
    follow@300        sit behind, all out from 300 m to go
    kick@200          sit and kick from 200 m to go (sit_and_kick)
    surge@800:6.8     sit, then from 800 m to go run at 6.8 m/s (long_surge)
    front@6.3         lead at 6.3 m/s, retake the lead when passed (front_run)

Optional suffixes: ``/lead=5.9`` (m/s, pace of a following tactic when it leads) and
``/gap=1.5`` (m, gap held to the runner ahead) for ``follow``, ``kick`` and ``surge``;
``/kick=200`` (m to go, all out) for ``even``, ``surge`` and ``front``. Distances take units:
``200``, ``200m``, ``0.2km``, ``1mile``/``1mi``; speeds are m/s.

Runners: ``NAME:CS:DPRIME:MSS[:TACTIC]``, e.g. ``Kim:5.6:160:8.6:kick@250`` (CS and MSS in
m/s, D' in m).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from kicklab.errors import InvalidValue, KicklabError
from kicklab.race.course import Course
from kicklab.race.runner import (
    FOLLOW_GAP_M,
    Runner,
    Tactic,
    best_even_speed_mps,
    even,
    follow,
    front_run,
    long_surge,
    sit_and_kick,
)

__all__ = [
    "TACTIC_FORMS",
    "RUNNER_FORM",
    "SD_CS",
    "SD_D_PRIME",
    "SD_MSS",
    "DEFAULT_CS_MPS",
    "DEFAULT_D_PRIME_M",
    "DEFAULT_MSS_MPS",
    "DEFAULT_KICK_AT_M",
    "TACTICAL_LEAD_FRACTION",
    "MAX_DEFAULT_FIELD",
    "parse_distance",
    "parse_tactic",
    "format_tactic",
    "parse_runner",
    "runner_from_profile",
    "default_field",
    "course_from_options",
]

#: The tactic forms accepted by :func:`parse_tactic`, quoted in its error messages.
TACTIC_FORMS = (
    "even, even@M/S, follow, follow@M, kick@M, surge@M:M/S, front@M/S "
    "(M = metres to go, e.g. 200, 200m, 0.2km; M/S = speed in m/s), optionally followed by "
    "/lead=M/S or /gap=M (follow, kick, surge) and /kick=M (even, surge, front)"
)
#: The runner form accepted by :func:`parse_runner`, quoted in its error messages.
RUNNER_FORM = (
    "NAME:CS:DPRIME:MSS[:TACTIC] (CS and MSS in m/s, D' in m), e.g. Kim:5.6:160:8.6:kick@250"
)

#: Day-to-day variation of critical speed, relative SD. Assumed (SCIENCE.md gives no number):
#: a trained runner's performance over 1500 m – 10 km typically varies by ~1–2 % from one
#: race to the next, and CS, the aerobic part, is the most stable of the three parameters.
SD_CS = 0.01
#: Day-to-day variation of D', relative SD. Assumed: D' is the least reliable parameter (fits
#: from single-visit tests scatter by tens of metres, SCIENCE.md §1, Galbraith 2014), so its
#: day-to-day SD is taken several times that of CS.
SD_D_PRIME = 0.05
#: Day-to-day variation of maximal sprint speed, relative SD. Assumed: flying sprints repeat
#: within a few per cent; 2 % sits between CS and D'.
SD_MSS = 0.02

#: Critical speed of a default runner, m/s: a trained middle-distance runner (SCIENCE.md §1:
#: trained ≈ 4.9 m/s; 5.5 m/s is a ~3:50 1500 m runner, the level of a national final).
DEFAULT_CS_MPS = 5.5
#: D' of a default runner, m: inside SCIENCE.md §1's 50–400 m range, near the trained value.
DEFAULT_D_PRIME_M = 150.0
#: Maximal sprint speed of a default runner, m/s: SRR ≈ 1.4 against a MAS a little above CS,
#: an "800–1500 type" (SCIENCE.md §3).
DEFAULT_MSS_MPS = 8.0
#: Kick distance of a default runner, m to go: the last 200 m, where 1500 m finals are decided
#: (SCIENCE.md §3: men's finals separate in the last 100–200 m).
DEFAULT_KICK_AT_M = 200.0
#: Pace of the default field when leading, as a fraction of the best even pace: a tactical
#: (sit-and-wait) championship race runs the early laps a few per cent slower than the even
#: pace the athletes could hold (assumed 3 %, ≈ 7 s over 1500 m), so the kick decides it.
TACTICAL_LEAD_FRACTION = 0.97
#: Largest default field: a track final has 12–16 runners and the largest 10 000 m fields
#: ~40; more runners only slow the simulation down.
MAX_DEFAULT_FIELD = 40

#: Metres per unit of a distance string.
_UNITS_M: dict[str, float] = {"km": 1000.0, "mile": 1609.344, "mi": 1609.344, "m": 1.0}
#: A number followed by an optional unit.
_DISTANCE_RE = re.compile(r"(.*?)(km|mile|mi|m)?")
#: Tactic names as typed (and the runner module's own names as synonyms).
_NAMES: dict[str, str] = {
    "even": "even",
    "follow": "follow",
    "kick": "sit_and_kick",
    "sit_and_kick": "sit_and_kick",
    "surge": "long_surge",
    "long_surge": "long_surge",
    "front": "front_run",
    "front_run": "front_run",
}
#: The name :func:`format_tactic` writes for each tactic kind.
_SHORT: dict[str, str] = {
    "even": "even",
    "follow": "follow",
    "sit_and_kick": "kick",
    "long_surge": "surge",
    "front_run": "front",
}
#: Suffixes each tactic kind accepts.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "even": ("kick",),
    "follow": ("lead", "gap"),
    "sit_and_kick": ("lead", "gap"),
    "long_surge": ("lead", "gap", "kick"),
    "front_run": ("kick",),
}


def _number(text: Any) -> float:
    """A finite float, or ValueError."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_distance(text: str | float) -> float:
    """A distance such as ``200``, ``200m``, ``0.2km``, ``1mile`` or ``1mi`` in metres.

    Raises
    ------
    InvalidValue
        Not a finite, non-negative distance.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        raw = repr(float(text))
    else:
        raw = str(text).strip().lower().replace(" ", "")
    match = _DISTANCE_RE.fullmatch(raw)
    scale = _UNITS_M[match.group(2)] if match and match.group(2) else 1.0
    raw = match.group(1) if match else raw
    try:
        value = _number(raw) * scale
    except ValueError:
        raise InvalidValue(
            f"cannot read distance {text!r}: give metres (200, 200m) or 0.2km, 1mile"
        ) from None
    if value < 0:
        raise InvalidValue(f"distance {text!r} must not be negative")
    return value


def _speed(text: str, what: str) -> float:
    try:
        return _number(text)
    except ValueError:
        raise InvalidValue(f"{what} {text!r} is not a speed in m/s") from None


def parse_tactic(text: str, distance_m: float) -> Tactic:
    """A :class:`~kicklab.race.runner.Tactic` from its text form (see the module docstring).

    Parameters
    ----------
    text
        E.g. ``"kick@200"``, ``"surge@800:6.8/lead=5.9"``, ``"even@6.2"`` (case-insensitive).
    distance_m
        Race distance, m: a kick or surge must start within the race.

    Raises
    ------
    InvalidValue
        Unknown form, unreadable number or a value out of range; the message quotes the text
        and the allowed forms.
    """
    source = str(text)
    try:
        race_m = _number(distance_m)
    except (TypeError, ValueError):
        race_m = math.nan
    if not race_m > 0:
        raise InvalidValue(f"race distance must be a number of metres > 0, got {distance_m!r}")
    try:
        return _parse_tactic(source, race_m)
    except KicklabError as exc:
        raise InvalidValue(f"tactic {source!r}: {exc.reason}; allowed: {TACTIC_FORMS}") from None


def _to_go(text: str, race_m: float, what: str, *, zero_ok: bool = False) -> float:
    d = parse_distance(text)
    if d > race_m or (d == 0 and not zero_ok):
        lo = "0" if zero_ok else "more than 0"
        raise InvalidValue(f"{what} {text!r} must be {lo} and at most the race ({race_m:g} m)")
    return d


def _parse_tactic(text: str, race_m: float) -> Tactic:
    head, *suffixes = text.strip().lower().replace(" ", "").split("/")
    name, at, arg = head.partition("@")
    kind = _NAMES.get(name)
    if kind is None:
        raise InvalidValue(f"unknown tactic {name!r}")
    extra: dict[str, float] = {}
    for suffix in suffixes:
        key, eq, value = suffix.partition("=")
        if not eq or key not in ("lead", "gap", "kick"):
            raise InvalidValue(f"cannot read suffix {suffix!r}")
        if key not in _SUFFIXES[kind]:
            raise InvalidValue(f"/{key}= does not apply to {_SHORT[kind]}")
        if key in extra:
            raise InvalidValue(f"/{key}= given twice")
        if key == "lead":
            extra[key] = _speed(value, "lead pace")
        elif key == "gap":
            extra[key] = parse_distance(value)
        else:
            extra[key] = _to_go(value, race_m, "kick distance")
    if at and not arg:
        raise InvalidValue(f"nothing after '@' in {head!r}")
    kick = extra.get("kick", 0.0)
    lead = extra.get("lead")
    gap = extra.get("gap", FOLLOW_GAP_M)
    if kind == "even":
        return even(_speed(arg, "pace") if at else None, kick_at_m=kick)
    if kind == "follow":
        kick_at = _to_go(arg, race_m, "kick distance", zero_ok=True) if at else 0.0
        return follow(gap, kick_at_m=kick_at, lead_mps=lead)
    if not at:
        needs = {"sit_and_kick": "@M", "long_surge": "@M:M/S", "front_run": "@M/S"}[kind]
        raise InvalidValue(f"{_SHORT[kind]} needs {needs}")
    if kind == "sit_and_kick":
        return sit_and_kick(_to_go(arg, race_m, "kick distance"), gap_m=gap, lead_mps=lead)
    if kind == "front_run":
        return front_run(_speed(arg, "pace"), kick_at_m=kick)
    where, colon, speed = arg.partition(":")
    if not colon:
        raise InvalidValue("surge needs @M:M/S (distance to go and speed)")
    return long_surge(
        _to_go(where, race_m, "surge distance"),
        _speed(speed, "surge speed"),
        kick_at_m=kick,
        gap_m=gap,
        lead_mps=lead,
    )


def _fmt(x: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{round(float(x), decimals):g}"
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def format_tactic(tactic: Tactic, *, decimals: int | None = None) -> str:
    """The text form of ``tactic``, the inverse of :func:`parse_tactic`.

    Parameters
    ----------
    tactic
        Any :class:`~kicklab.race.runner.Tactic`.
    decimals
        ``None``: numbers written exactly, so ``parse_tactic(format_tactic(t), d) == t``;
        an integer: numbers rounded to that many decimals (for tables).
    """
    if not isinstance(tactic, Tactic):
        raise InvalidValue(f"tactic must be a Tactic, got {tactic!r}")
    t = tactic

    def num(x: float) -> str:
        return _fmt(x, decimals)

    if t.kind == "even":
        text = "even" if t.speed_mps is None else f"even@{num(t.speed_mps)}"
    elif t.kind == "follow":
        text = "follow" if t.kick_at_m == 0 else f"follow@{num(t.kick_at_m)}"
    elif t.kind == "sit_and_kick":
        text = f"kick@{num(t.kick_at_m)}"
    elif t.kind == "long_surge":
        text = f"surge@{num(t.surge_at_m)}:{num(t.speed_mps)}"  # type: ignore[arg-type]
    else:
        text = f"front@{num(t.speed_mps)}"  # type: ignore[arg-type]
    if t.follows and t.lead_mps is not None:
        text += f"/lead={num(t.lead_mps)}"
    if t.follows and t.gap_m != FOLLOW_GAP_M:
        text += f"/gap={num(t.gap_m)}"
    if t.kind in ("even", "long_surge", "front_run") and t.kick_at_m > 0:
        text += f"/kick={num(t.kick_at_m)}"
    return text


def _day_to_day() -> dict[str, float]:
    return {"sd_cs": SD_CS, "sd_d_prime": SD_D_PRIME, "sd_mss": SD_MSS}


def parse_runner(text: str, distance_m: float, *, default_tactic: str = "kick@200") -> Runner:
    """A :class:`~kicklab.race.runner.Runner` from ``NAME:CS:DPRIME:MSS[:TACTIC]``.

    Parameters
    ----------
    text
        E.g. ``"Kim:5.6:160:8.6:kick@250"``: CS and MSS in m/s, D' in m, the tactic in the
        form of :func:`parse_tactic` (it may itself contain ``:``, as in ``surge@800:6.8``).
    distance_m
        Race distance, m (for the tactic).
    default_tactic
        Tactic when none is given.

    Returns
    -------
    Runner
        With the default day-to-day variation :data:`SD_CS`, :data:`SD_D_PRIME`,
        :data:`SD_MSS`.

    Raises
    ------
    InvalidValue
        Wrong number of fields, unreadable number, implausible value or bad tactic; the
        message quotes the text and the allowed form.
    """
    source = str(text)
    parts = source.strip().split(":", 4)
    try:
        if len(parts) < 4:
            raise InvalidValue("needs at least NAME:CS:DPRIME:MSS")
        name = parts[0].strip()
        if not name:
            raise InvalidValue("the name is empty")
        values = []
        for label, part in zip(("CS", "D'", "MSS"), parts[1:4]):
            try:
                values.append(_number(part))
            except ValueError:
                raise InvalidValue(f"{label} {part!r} is not a number") from None
        cs, dp, mss = values
        tactic_text = parts[4] if len(parts) == 5 else default_tactic
        tactic = parse_tactic(tactic_text, distance_m)
        return Runner(name, cs, dp, mss, tactic=tactic, **_day_to_day())
    except KicklabError as exc:
        raise InvalidValue(
            f"runner {source!r}: {exc.reason}"
            + ("" if "allowed:" in exc.reason else f"; give {RUNNER_FORM}")
        ) from None


def runner_from_profile(
    profile: dict[str, Any] | str | Path,
    *,
    name: str | None = None,
    tactic: Tactic | str | None = None,
    mss_mps: float | None = None,
    distance_m: float | None = None,
) -> Runner:
    """A :class:`~kicklab.race.runner.Runner` from an athlete profile.

    Parameters
    ----------
    profile
        A profile dict or the path of a profile JSON written by ``kicklab profile --save``
        (:func:`kicklab.physiology.profile.load_profile`): ``cs_mps`` (m/s), ``d_prime_m``
        (m), ``mss_mps`` (m/s, may be null) and optionally ``name``.
    name
        Runner name; default the profile's ``name``, else the file stem, else ``"athlete"``.
    tactic
        A Tactic or its text form (:func:`parse_tactic`); default ``kick@200``.
    mss_mps
        Maximal sprint speed, m/s; when given it replaces the profile's value. Needed when the
        profile has none (its files held no sprint).
    distance_m
        Race distance, m, against which a text tactic is checked (default: any distance).

    Raises
    ------
    InvalidValue
        Unreadable profile, no CS or D', no MSS, or implausible values.
    """
    from kicklab.physiology.profile import load_profile

    source = None
    stem = None
    if isinstance(profile, str | Path):
        source, stem = str(profile), Path(profile).stem
        data = load_profile(profile)
    elif isinstance(profile, dict):
        data = profile
    else:
        raise InvalidValue(f"profile must be a dict or a path, got {type(profile).__name__}")
    try:
        cs = _required(data, "cs_mps")
        dp = _required(data, "d_prime_m")
        mss = _required(data, "mss_mps") if mss_mps is None else mss_mps
        label = name or data.get("name") or stem or "athlete"
        if tactic is None:
            tactic = sit_and_kick(DEFAULT_KICK_AT_M)
        elif not isinstance(tactic, Tactic):
            tactic = parse_tactic(tactic, 1e5 if distance_m is None else distance_m)
        return Runner(str(label), cs, dp, mss, tactic=tactic, **_day_to_day())
    except KicklabError as exc:
        raise exc.with_source(source) if source else exc from None


def _required(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if value is None:
        hint = " (give the maximal sprint speed, e.g. --mss)" if key == "mss_mps" else ""
        raise InvalidValue(f"profile has no {key}{hint}")
    try:
        return _number(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"profile {key} must be a number, got {value!r}") from None


def default_field(n: int, distance_m: float, *, seed: int = 0) -> list[Runner]:
    """``n`` identical default runners ``R1`` … ``Rn`` for a race of ``distance_m`` metres.

    Each has CS :data:`DEFAULT_CS_MPS`, D' :data:`DEFAULT_D_PRIME_M`, MSS
    :data:`DEFAULT_MSS_MPS`, the default day-to-day variation, and sits and kicks from
    :data:`DEFAULT_KICK_AT_M` to go, leading (when in front) at
    :data:`TACTICAL_LEAD_FRACTION` of the best even pace — a tactical race.

    Parameters
    ----------
    n
        Field size, 1 – :data:`MAX_DEFAULT_FIELD`.
    distance_m
        Race distance, m (sets the lead pace).
    seed
        Accepted so a field and its simulation can share one seed; the default field is
        identical and deterministic, so the seed does not change it.

    Raises
    ------
    InvalidValue
        ``n`` out of range or an implausible distance.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DEFAULT_FIELD:
        raise InvalidValue(
            f"default field size must be an integer 1–{MAX_DEFAULT_FIELD}, got {n!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidValue(f"seed must be an integer, got {seed!r}")
    d = parse_distance(distance_m)
    if d <= 0:
        raise InvalidValue(f"race distance must be > 0 m, got {distance_m!r}")
    best = float(best_even_speed_mps(d, DEFAULT_CS_MPS, DEFAULT_D_PRIME_M, DEFAULT_MSS_MPS))
    tactic = sit_and_kick(min(DEFAULT_KICK_AT_M, d), lead_mps=TACTICAL_LEAD_FRACTION * best)
    return [
        Runner(
            f"R{i}",
            DEFAULT_CS_MPS,
            DEFAULT_D_PRIME_M,
            DEFAULT_MSS_MPS,
            tactic=tactic,
            **_day_to_day(),
        )
        for i in range(1, n + 1)
    ]


def course_from_options(
    distance_m: float,
    *,
    road: bool = False,
    lane: int = 1,
    steeple: bool = False,
    wind_mps: float = 0.0,
    wind_dir_deg: float = 0.0,
    wbgt_c: float | None = None,
    gpx: str | Path | None = None,
) -> Course:
    """A :class:`~kicklab.race.course.Course` from command-line style options.

    Parameters
    ----------
    distance_m
        Race distance, m.
    road
        A road course (straight, no bends) instead of a 400 m track.
    lane
        Track lane the field runs in (1–9).
    steeple
        Steeplechase barriers and water jumps (track only).
    wind_mps, wind_dir_deg
        Wind speed (m/s) and the direction it blows towards (degrees; 0 = tailwind on the
        home straight or along a road course).
    wbgt_c
        Wet-bulb globe temperature, °C (``None``: no heat penalty).
    gpx
        A GPX file of a road course: its grade and heading profile
        (:meth:`Course.from_gpx <kicklab.race.course.Course.from_gpx>`); lanes and the
        steeplechase do not apply.

    Raises
    ------
    InvalidValue
        Out-of-range values or a combination that does not exist (a steeplechase on a road).
    """
    if gpx is not None:
        if steeple or lane != 1:
            raise InvalidValue("a GPX course is a road course: lanes and steeple do not apply")
        return Course.from_gpx(  # type: ignore[attr-defined]
            gpx, distance_m=distance_m, wind_mps=wind_mps, wind_dir_deg=wind_dir_deg, wbgt_c=wbgt_c
        )
    if road and steeple:
        raise InvalidValue("a steeplechase is run on a track, not a road")
    if road and lane != 1:
        raise InvalidValue("lanes apply to a track, not a road")
    return Course(
        distance_m,
        kind="road" if road else "track",
        lane=lane,
        steeple=steeple,
        wind_mps=wind_mps,
        wind_dir_deg=wind_dir_deg,
        wbgt_c=wbgt_c,
    )
