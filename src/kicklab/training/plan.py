"""Periodised kick-training plans: weakness diagnosis, the plan generator and its safety rules.

:func:`build_plan` turns a race (date, distance), the athlete's week (days, volume, level), the
athlete's profile (critical speed CS, D', maximal sprint speed MSS — see
:mod:`kicklab.physiology`) and past kicks (:meth:`kicklab.kick.KickAnalysis.to_dict`) into a
:class:`Plan`:

1. **Weakness** (:func:`diagnose`): a small speed reserve (SRR or ASR under the thresholds of
   :mod:`kicklab.training.rules`, reusing Sandford's bands) → max-speed and speed-reserve work;
   a small D' for CS → D' work; kicks carried mostly by step length → cadence work (and the
   reverse → step length); kicks that start late yet gain a lot → timing practice with earlier
   kicks; fades or no kick → D' and timing.
2. **Blocks**: base (volume and critical speed, speed kept, drills and strength), specific
   (the kick: the primary weakness every week, race-pace reps, race simulations, D' work),
   taper (7–14 days, volume −30–50 %, same speeds) and race day.
3. **Weeks** built backwards from race day, so every week ends on the race's weekday: fixed
   day slots for the hard sessions (never back to back), the long run on the race's weekday,
   easy runs carrying drills, strength and mental work, rest days.
4. **Sessions** with workout steps (warm-up → reps with repeat steps → cool-down) whose speed
   bands come from the profile (% CS, % MSS, race speed from
   :func:`~kicklab.physiology.predict.predict_time_s`, ``CS + f·(MSS − CS)``), and targets
   that state each rep's D' spend ``100·(v − CS)·d/v / D'`` %.

:func:`check_safety` checks a plan against the rules (hard-day spacing and count, volume ramp,
long-run share, taper, race-eve, rest days, plyometric gating, workout structure) and lists
what it breaks, in words. Distances are metres (weekly volumes km), times seconds (session
durations minutes), speeds m/s.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue, KicklabError
from kicklab.physiology.predict import predict_time_s
from kicklab.physiology.reserve import KickProfile
from kicklab.training import rules as R
from kicklab.training.library import QUALITIES, Drill, level_rank, load_library

__all__ = [
    "PHASES",
    "SESSION_KINDS",
    "STEP_INTENSITIES",
    "DURATION_TYPES",
    "FOCI",
    "Step",
    "Session",
    "Block",
    "Plan",
    "diagnose",
    "build_plan",
    "check_safety",
]

#: Phases of a plan, in order.
PHASES: tuple[str, ...] = ("base", "specific", "taper", "race")
#: Kinds of session.
SESSION_KINDS: tuple[str, ...] = ("easy", "long", "hard", "strength", "race", "rest")
#: Intensities of a workout step (the FIT workout-step intensities).
STEP_INTENSITIES: tuple[str, ...] = ("warmup", "active", "rest", "recovery", "cooldown")
#: Duration types of a workout step.
DURATION_TYPES: tuple[str, ...] = ("distance", "time", "open")
#: A session's focus: a quality, or recovery, or the race.
FOCI: tuple[str, ...] = (*QUALITIES, "recovery", "race")
#: Fastest speed a target may ask for, m/s (:data:`kicklab.signal.MAX_RUNNING_SPEED_MPS`).
_MAX_SPEED_MPS = 12.5
#: Plausible critical speed, m/s, and D', m (SCIENCE.md §1: CS ≈ 3.7 recreational, ≈ 4.9
#: trained; D' 50–400 m; the fit's bounds are 10–1000 m).
_CS_RANGE = (1.0, 8.0)
_D_PRIME_RANGE = (10.0, 1000.0)
#: Weekday names for the summary.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Focus words in plain English for titles and reasons.
_FOCUS_WORDS = {
    "max_speed": "maximal speed",
    "speed_reserve": "speed reserve",
    "d_prime": "D' (anaerobic capacity)",
    "aerobic": "aerobic engine (CS)",
    "cadence": "cadence",
    "step_length": "step length",
    "form": "form",
    "timing": "kick timing",
    "mental": "mental preparation",
    "recovery": "recovery",
    "race": "race",
}


# ============================================================================ data model
@dataclass(frozen=True)
class Step:
    """One workout step (a FIT workout step; also the plan text).

    Attributes
    ----------
    name
        What to do, e.g. ``"Warm-up jog"``, ``"Flying 30 m"``.
    intensity
        One of :data:`STEP_INTENSITIES`.
    duration_type
        ``"distance"`` (``duration`` in m), ``"time"`` (s) or ``"open"`` (``duration`` None:
        until the lap button; also every repeat step).
    duration
        m for distance, s for time, None for open.
    speed_low_mps, speed_high_mps
        Target speed band, m/s (both None: no speed target).
    repeat_of
        For a repeat step: index (0-based, in the session's steps) of the first step to go back
        to; the steps from there to this one are run ``repeat_count`` times in total.
    repeat_count
        Total times the repeated steps are run (≥ 2).
    notes
        Cues for the step.
    """

    name: str
    intensity: str
    duration_type: str
    duration: float | None
    speed_low_mps: float | None = None
    speed_high_mps: float | None = None
    repeat_of: int | None = None
    repeat_count: int | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the fields)."""
        return asdict(self)


@dataclass(frozen=True)
class Session:
    """One day's session.

    Attributes
    ----------
    date
        The day.
    title
        Short title, e.g. ``"Flying 30s + pogo jumps"``.
    focus
        The quality it mainly trains (:data:`FOCI`).
    phase
        ``"base"``, ``"specific"``, ``"taper"`` or ``"race"``.
    kind
        ``"easy"``, ``"long"``, ``"hard"``, ``"strength"``, ``"race"`` or ``"rest"``.
    drills
        Library ids used (the run session first, then drills, strength, plyometrics, mental).
    steps
        Workout steps; ``()`` for rest days and pure strength sessions.
    distance_m
        Planned running distance, m (0 for strength and rest).
    duration_min
        Planned total time including drills and strength, min.
    targets
        JSON-ready targets: ``what``, ``speed_mps`` (``[low, high]``), ``pace_s_per_km``
        (``[slow, fast]``), ``reps``, ``distance_m`` or ``duration_s``, ``rest_s``,
        ``d_prime_spend_pct`` (per rep: ``100·(v − CS)·d/v / D'``); plyometrics add ``sets``
        and ``contacts``.
    why
        Why the session is here, in a sentence or two.
    """

    date: _dt.date
    title: str
    focus: str
    phase: str
    kind: str
    drills: tuple[str, ...]
    steps: tuple[Step, ...]
    distance_m: float
    duration_min: float
    targets: tuple[dict, ...]
    why: str

    @property
    def hard(self) -> bool:
        """True for a hard session or the race."""
        return self.kind in ("hard", "race")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``date`` as an ISO string, ``steps`` as dicts."""
        return {
            "date": self.date.isoformat(),
            "title": self.title,
            "focus": self.focus,
            "phase": self.phase,
            "kind": self.kind,
            "drills": list(self.drills),
            "steps": [s.to_dict() for s in self.steps],
            "distance_m": self.distance_m,
            "duration_min": self.duration_min,
            "targets": [dict(t) for t in self.targets],
            "why": self.why,
        }


@dataclass(frozen=True)
class Block:
    """A phase of the plan: dates, the qualities it emphasises (most sessions first), why."""

    phase: str
    start: _dt.date
    end: _dt.date
    emphasis: tuple[str, ...]
    why: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates)."""
        return {
            "phase": self.phase,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "emphasis": list(self.emphasis),
            "why": self.why,
        }


@dataclass(frozen=True)
class Plan:
    """A periodised plan to a race (build with :func:`build_plan`).

    Attributes
    ----------
    athlete
        Name.
    race_date
        Race day.
    distance_m
        Race distance, m.
    level
        ``"beginner"``, ``"intermediate"`` or ``"advanced"``.
    days_per_week
        Running days per week.
    weekly_km
        Peak weekly volume, km.
    profile
        ``cs_mps``, ``d_prime_m``, ``mss_mps`` (None when unknown), ``mas_mps``, ``asr_mps``,
        ``srr``, ``profile_type``, ``mss_assumed_mps`` (the MSS used for targets when it is
        unknown), ``race_speed_mps`` and ``race_time_s`` (predicted).
    weakness
        ``primary`` (a quality), ``secondary`` (list), ``reasons`` (list of sentences),
        ``scores`` (quality → severity; ≥ 1 is a weakness).
    blocks
        The phases in order.
    sessions
        Sorted by date, at most one per date; rest days are not listed.
    """

    athlete: str
    race_date: _dt.date
    distance_m: float
    level: str
    days_per_week: int
    weekly_km: float
    profile: dict
    weakness: dict
    blocks: tuple[Block, ...]
    sessions: tuple[Session, ...]

    @property
    def start(self) -> _dt.date:
        """First day of the plan."""
        return self.blocks[0].start

    def weekly_volumes_km(self) -> list[tuple[_dt.date, float]]:
        """Volume of every full week ending on the race's weekday, (first day, km), in order."""
        return [(d0, round(v / 1000.0, 2)) for d0, v in _week_volumes(self)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with ``blocks``, ``sessions`` (:meth:`Session.to_dict`) and
        ``weeks`` (first day and km of every full week)."""
        return {
            "athlete": self.athlete,
            "race_date": self.race_date.isoformat(),
            "distance_m": self.distance_m,
            "level": self.level,
            "days_per_week": self.days_per_week,
            "weekly_km": self.weekly_km,
            "profile": dict(self.profile),
            "weakness": {
                k: (list(v) if isinstance(v, list | tuple) else v) for k, v in self.weakness.items()
            },
            "blocks": [b.to_dict() for b in self.blocks],
            "sessions": [s.to_dict() for s in self.sessions],
            "weeks": [{"start": d.isoformat(), "km": km} for d, km in self.weekly_volumes_km()],
        }

    def summary(self) -> list[str]:
        """Plain lines: the race and the athlete, the weakness, the blocks, the weekly
        structure of each phase, weekly volumes and the hard sessions by focus."""
        p = self.profile
        weeks = (self.race_date - self.start).days / 7.0
        out = [
            f"{self.athlete}: {self.distance_m:g} m on {self.race_date.isoformat()} "
            f"({_WEEKDAYS[self.race_date.weekday()]}); plan from {self.start.isoformat()} "
            f"({weeks:.1f} weeks), {self.level}, {self.days_per_week} days a week, "
            f"peak {self.weekly_km:g} km a week."
        ]
        mss = p.get("mss_mps")
        speed = (
            f"MSS {mss:.2f} m/s, speed reserve {p['asr_mps']:.2f} m/s (ratio {p['srr']:.2f}, "
            f"{p['profile_type']})"
            if mss is not None
            else f"MSS unknown (targets assume {p['mss_assumed_mps']:.2f} m/s)"
        )
        out.append(
            f"Profile: CS {p['cs_mps']:.2f} m/s ({_pace_text(p['cs_mps'])}/km), D' "
            f"{p['d_prime_m']:.0f} m, {speed}; predicted {self.distance_m:g} m in "
            f"{_clock(p['race_time_s'])} ({self.distance_m / p['race_time_s']:.2f} m/s)."
        )
        w = self.weakness
        sec = ", ".join(w.get("secondary", [])) or "none"
        out.append(f"Weakness: {w['primary']} (secondary: {sec}).")
        out.extend(f"  - {r}" for r in w.get("reasons", []))
        out.append("Blocks:")
        for b in self.blocks:
            days = (b.end - b.start).days + 1
            out.append(
                f"  {b.phase} {b.start.isoformat()} → {b.end.isoformat()} ({days} d), "
                f"emphasis {', '.join(b.emphasis) or '-'}: {b.why}"
            )
        out.append("Weekly structure:")
        by_date = {s.date: s for s in self.sessions}
        for phase in ("base", "specific", "taper"):
            week = _first_full_week(self, phase)
            if week is None:
                continue
            cells = []
            for i in range(7):
                day = week + _dt.timedelta(days=i)
                s = by_date.get(day)
                name = _WEEKDAYS[day.weekday()]
                if s is None:
                    cells.append(f"{name} rest")
                elif s.kind == "hard":
                    cells.append(f"{name} hard ({s.focus}: {s.title})")
                else:
                    cells.append(f"{name} {s.kind} ({s.focus})")
            out.append(f"  {phase}: " + " · ".join(cells))
        vols = ", ".join(f"{km:.0f}" for _, km in self.weekly_volumes_km())
        out.append(f"Weekly volume, km: {vols}.")
        hard = Counter(s.focus for s in self.sessions if s.kind == "hard")
        out.append(
            "Hard sessions by focus: "
            + ", ".join(f"{q} {n}" for q, n in sorted(hard.items(), key=lambda x: (-x[1], x[0])))
            + "."
        )
        return out


# ============================================================================ small helpers
def _clock(seconds: float) -> str:
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _pace_text(speed_mps: float) -> str:
    sec = int(round(1000.0 / speed_mps))
    return f"{sec // 60}:{sec % 60:02d}"


def _number(value: Any, name: str, lo: float, hi: float) -> float:
    if isinstance(value, bool):
        raise InvalidValue(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise InvalidValue(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return v


def _as_date(value: Any, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValue(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None
    raise InvalidValue(f"{name} must be a date, got {value!r}")


def _log_interp(table: Mapping[float, float], x: float) -> float:
    """Interpolate a distance-keyed table in log distance (clamped at its ends)."""
    keys = np.asarray(sorted(table), dtype=float)
    vals = np.asarray([table[k] for k in sorted(table)], dtype=float)
    return float(np.interp(np.log(x), np.log(keys), vals))


def _r100(x: float) -> float:
    """Round a distance to 100 m."""
    return float(round(x / 100.0) * 100.0)


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


# ============================================================================ the athlete
@dataclass(frozen=True)
class _Athlete:
    cs: float
    dp: float
    mss: float
    mss_known: bool
    mas: float
    asr: float | None
    srr: float | None
    profile_type: str | None
    race_m: float
    race_s: float

    @property
    def reserve(self) -> float:
        """Speed reserve above CS, MSS − CS, m/s."""
        return self.mss - self.cs

    @property
    def race_speed(self) -> float:
        return self.race_m / self.race_s

    def spend_pct(self, speed: float, distance: float) -> float:
        """D' spent by one rep of ``distance`` m at ``speed`` m/s, % of D' (2-parameter)."""
        return 100.0 * max(speed - self.cs, 0.0) * distance / speed / self.dp

    def kick_speed(self, distance: float, d_prime_left: float) -> float:
        """:data:`~kicklab.training.rules.KICK_FRACTION` of the fastest speed Morton's model
        allows over ``distance`` m with ``d_prime_left`` m of D', m/s (above race speed)."""
        left = max(d_prime_left, 0.05 * self.dp)
        best = distance / float(predict_time_s(distance, self.cs, left, self.mss))
        return max(R.KICK_FRACTION * best, self.cs * 1.02)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cs_mps": _r(self.cs),
            "d_prime_m": _r(self.dp, 1),
            "mss_mps": _r(self.mss) if self.mss_known else None,
            "mas_mps": _r(self.mas),
            "asr_mps": _r(self.asr),
            "srr": _r(self.srr),
            "profile_type": self.profile_type,
            "mss_assumed_mps": None if self.mss_known else _r(self.mss),
            "race_speed_mps": _r(self.race_speed),
            "race_time_s": _r(self.race_s, 1),
        }


def _athlete(profile: Any, distance_m: float) -> _Athlete:
    if not isinstance(profile, Mapping):
        raise InvalidValue(
            "profile must be a dict with cs_mps, d_prime_m and (if known) mss_mps, "
            f"got {type(profile).__name__}"
        )
    for key in ("cs_mps", "d_prime_m"):
        if profile.get(key) is None:
            raise InvalidValue(f"profile has no {key}")
    cs = _number(profile["cs_mps"], "profile cs_mps", *_CS_RANGE)
    dp = _number(profile["d_prime_m"], "profile d_prime_m", *_D_PRIME_RANGE)
    raw_mss = profile.get("mss_mps")
    mss_known = raw_mss is not None and not (isinstance(raw_mss, float) and math.isnan(raw_mss))
    mss_in = _number(raw_mss, "profile mss_mps", 1.0, _MAX_SPEED_MPS) if mss_known else None
    kp = KickProfile.from_values(cs_mps=cs, d_prime_m=dp, mss_mps=mss_in)
    mss = min(R.ASSUMED_SRR * kp.mas_mps, _MAX_SPEED_MPS) if mss_in is None else mss_in
    race_s = float(predict_time_s(distance_m, cs, dp, mss))
    return _Athlete(
        cs=cs,
        dp=dp,
        mss=mss,
        mss_known=mss_in is not None,
        mas=kp.mas_mps,
        asr=kp.asr_mps,
        srr=kp.srr,
        profile_type=kp.profile_type,
        race_m=distance_m,
        race_s=race_s,
    )


# ============================================================================ weakness
@dataclass
class _Weakness:
    primary: str
    secondary: list[str]
    reasons: list[str]
    scores: dict[str, float]
    short: dict[str, str]
    late_onset: bool = False
    flagged: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "primary": self.primary,
            "secondary": list(self.secondary),
            "reasons": list(self.reasons),
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
        }


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _diagnose(ath: _Athlete, history: Sequence[Any], distance_m: float) -> _Weakness:
    scores: dict[str, float] = {}
    reasons: dict[str, str] = {}
    short: dict[str, str] = {}
    notes: list[str] = []
    middle = distance_m <= R.MIDDLE_DISTANCE_MAX_M

    # --- speed reserve (profile)
    if ath.srr is not None and ath.asr is not None:
        thr = R.SRR_LOW_MIDDLE if middle else R.SRR_LOW_LONG
        s_ratio = thr / ath.srr
        s_abs = R.LOW_ASR_MPS / ath.asr if (middle and ath.asr > 0) else 0.0
        scores["max_speed"] = max(s_ratio, s_abs)
        if ath.srr < thr:
            short["max_speed"] = f"speed reserve ratio {ath.srr:.2f} is below {thr:.3f}"
            reasons["max_speed"] = (
                f"Speed reserve ratio {ath.srr:.2f} (MSS {ath.mss:.2f} / MAS {ath.mas:.2f} m/s) "
                f"is below {thr:.3f}, the lower edge of Sandford's "
                f"{'800 type' if middle else '800–1500 type'}: sprint speed caps the kick, so "
                "max-speed and speed-reserve work lead."
            )
        elif s_abs >= 1.0:
            short["max_speed"] = f"speed reserve {ath.asr:.2f} m/s is under {R.LOW_ASR_MPS:g} m/s"
            reasons["max_speed"] = (
                f"Anaerobic speed reserve {ath.asr:.2f} m/s (MSS − MAS) is under "
                f"{R.LOW_ASR_MPS:g} m/s: little room above aerobic speed for a middle-distance "
                "kick, so max-speed and speed-reserve work lead."
            )
        else:
            short["max_speed"] = f"speed reserve ratio {ath.srr:.2f}, threshold {thr:.3f}"
    else:
        scores["max_speed"] = 0.0
        notes.append(
            "Sprint speed unknown: speed targets assume a speed reserve ratio of "
            f"{R.ASSUMED_SRR:g} (MSS {ath.mss:.2f} m/s); time a flying 30 m to replace it."
        )

    # --- D' for CS (profile)
    seconds = ath.dp / ath.cs
    thr_s = _log_interp(R.D_PRIME_SECONDS_LOW, distance_m)
    scores["d_prime"] = thr_s / seconds
    short["d_prime"] = f"D' is {seconds:.0f} s of running at CS, threshold {thr_s:.0f} s"
    if seconds < thr_s:
        reasons["d_prime"] = (
            f"D' {ath.dp:.0f} m is only {seconds:.0f} s of running at CS ({ath.cs:.2f} m/s), "
            f"under the {thr_s:.0f} s a {distance_m:g} m kicker carries: the kick runs out of "
            "anaerobic capacity, so D' sessions lead."
        )

    # --- kick history
    late = False
    items = list(history)
    if items:
        faded = 0
        cadence: list[float] = []
        onset_rel: list[float] = []
        onset_m: list[float] = []
        gains: list[float] = []
        for i, item in enumerate(items):  # a handful of races
            if not isinstance(item, Mapping):
                raise InvalidValue(
                    f"kick history item {i + 1} must be a dict (KickAnalysis.to_dict()), "
                    f"got {type(item).__name__}"
                )
            kick = item.get("kick") or {}
            if not isinstance(kick, Mapping):
                raise InvalidValue(f"kick history item {i + 1}: 'kick' must be a dict")
            race = item.get("race") if isinstance(item.get("race"), Mapping) else {}
            race_d = _finite(race.get("distance_m")) or distance_m
            race_d = min(max(race_d, R.DISTANCE_RANGE_M[0]), R.DISTANCE_RANGE_M[1])
            detected = bool(kick.get("detected"))
            if item.get("class") == "fade" or not detected:
                faded += 1
            if not detected:
                continue
            share = _finite(kick.get("cadence_share_pct"))
            if share is not None:
                cadence.append(share)
            onset = _finite(kick.get("onset_distance_to_go_m"))
            gain = _finite(kick.get("gain_pct"))
            if onset is not None and gain is not None:
                onset_rel.append(onset / _log_interp(R.LATE_ONSET_M, race_d))
                onset_m.append(onset)
                gains.append(gain)
        n = len(items)
        frac = faded / n
        if frac >= R.FADE_SHARE:
            s = 1.0 + frac - R.FADE_SHARE
            for q in ("d_prime", "timing"):
                scores[q] = max(scores.get(q, 0.0), s)
            short["timing"] = short["d_prime"] = f"{faded} of {n} races faded or had no kick"
            text = (
                f"{faded} of {n} past races faded or had no kick: D' runs out before the line "
                "and the kick is not rehearsed, so D' and timing sessions."
            )
            reasons["d_prime"] = reasons.get("d_prime", "") + (" " if "d_prime" in reasons else "")
            reasons["d_prime"] += text
        if cadence:
            med = float(np.median(cadence))
            if med < R.CADENCE_SHARE_LOW_PCT:
                scores["cadence"] = 1.0 + (R.CADENCE_SHARE_LOW_PCT - med) / R.CADENCE_SHARE_LOW_PCT
                short["cadence"] = f"cadence carried only {med:.0f} % of past kicks"
                reasons["cadence"] = (
                    f"Cadence carried only {med:.0f} % of past kicks' speed gain (step length the "
                    f"rest): cadence is the unused lever, so cadence drills and cadence strides."
                )
            elif med > R.CADENCE_SHARE_HIGH_PCT:
                scores["step_length"] = 1.0 + (med - R.CADENCE_SHARE_HIGH_PCT) / (
                    100.0 - R.CADENCE_SHARE_HIGH_PCT
                )
                short["step_length"] = f"cadence carried {med:.0f} % of past kicks"
                reasons["step_length"] = (
                    f"Cadence carried {med:.0f} % of past kicks' speed gain: step length (power) "
                    "is the unused lever, so plyometrics, hill sprints and strength."
                )
        if onset_rel:
            rel = float(np.median(onset_rel))
            gain = float(np.median(gains))
            if rel < 1.0 and gain >= R.STRONG_GAIN_PCT:
                late = True
                scores["timing"] = max(scores.get("timing", 0.0), 2.0 - rel)
                short["timing"] = f"kicks started late (median {np.median(onset_m):.0f} m to go)"
                reasons["timing"] = (
                    f"Kicks started late (median {np.median(onset_m):.0f} m to go) yet gained "
                    f"{gain:.1f} %: there was more to give from further out, so kicks from the "
                    "cone move earlier week by week."
                )
    else:
        notes.append("No kick history: the diagnosis rests on the profile alone.")

    flagged = {q: s for q, s in scores.items() if s >= 1.0}
    order = sorted(scores, key=lambda q: (-scores[q], QUALITIES.index(q)))
    if flagged:
        primary = next(q for q in order if q in flagged)
        secondary = [q for q in order if q in flagged and q != primary][:3]
        out_reasons = [reasons[q] for q in order if q in flagged and q in reasons]
    else:
        primary = order[0] if scores[order[0]] > 0 else "d_prime"
        secondary = []
        out_reasons = [
            f"No clear weakness: {_FOCUS_WORDS[primary]} is the closest to its threshold "
            f"({short.get(primary, '')}), so it comes first in an even rotation."
        ]
    if flagged and primary == "max_speed" and "speed_reserve" not in secondary:
        secondary.insert(0, "speed_reserve")
    scores.setdefault("speed_reserve", scores.get("max_speed", 0.0))
    short.setdefault("speed_reserve", short.get("max_speed", ""))
    return _Weakness(primary, secondary, out_reasons + notes, scores, short, late, bool(flagged))


def diagnose(
    profile: Mapping[str, Any],
    kick_history: Sequence[Mapping[str, Any]] = (),
    distance_m: float = 1500.0,
) -> dict[str, Any]:
    """The athlete's kick weakness from the profile and past kicks.

    Parameters
    ----------
    profile
        ``cs_mps`` (m/s), ``d_prime_m`` (m) and, if known, ``mss_mps`` (m/s) — e.g.
        :meth:`kicklab.physiology.AthleteProfile.to_dict`.
    kick_history
        :meth:`kicklab.kick.KickAnalysis.to_dict` dicts of past races (``class``, ``kick`` with
        ``detected``, ``onset_distance_to_go_m``, ``gain_pct``, ``cadence_share_pct``;
        ``race.distance_m``).
    distance_m
        The target race distance, m.

    Returns
    -------
    dict
        ``primary`` (a quality of :data:`~kicklab.training.library.QUALITIES`), ``secondary``
        (list), ``reasons`` (sentences), ``scores`` (quality → severity; ≥ 1 flags it).
        Rules (thresholds in :mod:`kicklab.training.rules`): speed reserve ratio under
        Sandford's band edge, or ASR under 2.3 m/s at middle distance → ``max_speed`` (with
        ``speed_reserve``); D'/CS under 30 s (800–1500 m) … 20 s (5–10 km) → ``d_prime``;
        median cadence share of past kicks < 40 % → ``cadence``, > 60 % → ``step_length``;
        median onset later than 200 m to go at 1500 m (scaled) with a median gain ≥ 5 % →
        ``timing``; at least half the races faded or had no kick → ``d_prime`` and
        ``timing``. With nothing flagged the quality closest to its threshold leads.

    Raises
    ------
    InvalidValue
        An impossible profile or a history item that is not a dict.
    """
    d = _number(distance_m, "distance_m", *R.DISTANCE_RANGE_M)
    return _diagnose(_athlete(profile, d), kick_history, d).to_dict()


# ============================================================================ steps
def _band(center: float) -> tuple[float, float]:
    lo = center * (1.0 - R.BAND_HALF_WIDTH)
    hi = min(center * (1.0 + R.BAND_HALF_WIDTH), _MAX_SPEED_MPS)
    return round(lo, 3), round(hi, 3)


def _scaled(ref: float, frac: tuple[float, float]) -> tuple[float, float]:
    return round(ref * frac[0], 3), round(min(ref * frac[1], _MAX_SPEED_MPS), 3)


def _target(
    what: str,
    band: tuple[float, float] | None,
    *,
    ath: _Athlete | None = None,
    reps: int | None = None,
    distance_m: float | None = None,
    duration_s: float | None = None,
    rest_s: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    t: dict[str, Any] = {"what": what}
    if band is not None:
        t["speed_mps"] = [band[0], band[1]]
        t["pace_s_per_km"] = [round(1000.0 / band[0], 1), round(1000.0 / band[1], 1)]
    if reps is not None:
        t["reps"] = int(reps)
    if distance_m is not None:
        t["distance_m"] = float(distance_m)
    if duration_s is not None:
        t["duration_s"] = float(duration_s)
    if rest_s is not None:
        t["rest_s"] = float(rest_s)
    if band is not None and distance_m is not None and ath is not None:
        t["d_prime_spend_pct"] = round(ath.spend_pct(0.5 * (band[0] + band[1]), distance_m), 1)
    t.update(extra)
    return t


def _rest_kind(rest_s: float) -> str:
    """Short rests are jogged ("recovery"); long ones walked and stood ("rest")."""
    return "recovery" if rest_s < 180.0 else "rest"


def _rep_block(
    name: str,
    *,
    reps: int,
    sets: int = 1,
    distance_m: float | None = None,
    duration_s: float | None = None,
    band: tuple[float, float] | None = None,
    rest_s: float = 0.0,
    set_rest_s: float = 0.0,
    notes: str = "",
    extra: Sequence[Step] = (),
    offset: int = 0,
    walk: bool = False,
) -> list[Step]:
    """Steps of ``sets`` × ``reps`` (each rep: the active step, ``extra`` steps, the rest),
    with a repeat step per set; indices counted from ``offset``. Rests are jogged
    ("recovery") when short, walked and stood ("rest") when long or when ``walk``."""
    out: list[Step] = []
    for s in range(sets):
        first = offset + len(out)
        kind, dur = ("distance", distance_m) if distance_m is not None else ("time", duration_s)
        out.append(
            Step(
                name,
                "active",
                kind,
                dur,
                band[0] if band else None,
                band[1] if band else None,
                notes=notes,
            )
        )
        out.extend(extra)
        if rest_s > 0 and (reps > 1 or s < sets - 1):
            kind = "rest" if walk else _rest_kind(rest_s)
            out.append(Step("Recover", kind, "time", float(rest_s)))
        if reps > 1:
            out.append(Step("Repeat", "active", "open", None, repeat_of=first, repeat_count=reps))
        if s < sets - 1 and set_rest_s > rest_s:
            out.append(Step("Set rest", "rest", "time", float(set_rest_s - rest_s)))
    return out


def _measure(steps: Sequence[Step], ath: _Athlete) -> tuple[float, float]:
    """Distance (m) and time (s) of a list of steps, repeats expanded."""
    jog = R.JOG_FRACTION_CS * ath.cs
    dist = np.zeros(len(steps))
    time = np.zeros(len(steps))
    for i, st in enumerate(steps):  # a few dozen steps at most
        if st.repeat_of is not None:
            a = st.repeat_of
            dist[i] = (st.repeat_count - 1) * dist[a:i].sum()
            time[i] = (st.repeat_count - 1) * time[a:i].sum()
            continue
        if st.speed_low_mps is not None:
            v = 0.5 * (st.speed_low_mps + st.speed_high_mps)
        elif st.intensity in ("recovery", "warmup", "cooldown"):
            v = jog
        elif st.intensity == "active":
            v = 0.75 * ath.mss
        else:
            v = 0.0
        if st.duration_type == "distance":
            dist[i] = st.duration
            time[i] = st.duration / v if v > 0 else st.duration / jog
        elif st.duration_type == "time":
            time[i] = st.duration
            dist[i] = (
                0.0
                if st.intensity in ("rest", "warmup") and st.speed_low_mps is None
                else (v * st.duration)
            )
    return float(dist.sum()), float(time.sum())


def _addon_s(drill: Drill, scale: float = 1.0) -> float:
    """Time a drill, strength, plyometric or mental add-on takes, s."""
    d = drill.dosage
    reps = max(1, round(d.reps * scale))
    per = d.duration_s or ((d.distance_m / R.DRILL_SPEED_MPS) if d.distance_m else 1.0)
    work = d.sets * reps * per
    rests = d.sets * (reps - 1) * (d.rest_s or 0.0) + (d.sets - 1) * (d.set_rest_s or 0.0)
    return max(work + rests, 60.0)


# ============================================================================ context
@dataclass
class _Ctx:
    ath: _Athlete
    weak: _Weakness
    level: str
    distance: float
    days: int
    lib: dict[str, Drill]
    kick_m: float

    def drill(self, ident: str) -> Drill:
        try:
            return self.lib[ident]
        except KeyError:
            raise InvalidValue(
                f"the drill library has no {ident!r}, which the plan generator needs"
            ) from None

    def allowed(self, ident: str) -> bool:
        d = self.lib.get(ident)
        return d is not None and level_rank(d.min_level) <= level_rank(self.level)

    def easy_band(self) -> tuple[float, float]:
        return _scaled(self.ath.cs, R.EASY_BAND_CS)

    def reps(
        self,
        std: int,
        progress: float,
        phase: str,
        *,
        cap_m: float | None = None,
        rep_m: float | None = None,
    ) -> int:
        """Repetitions: the library's standard × level × progress (× 0.6 in the taper), capped
        by the volume limit of the intensity, at least MIN_REPS."""
        f = R.LEVEL_REP_FACTOR[self.level] * (0.75 + 0.25 * progress)
        if phase in ("taper", "race"):
            f *= 0.6
        n = max(R.MIN_REPS, round(std * f))
        if cap_m is not None and rep_m:
            n = min(n, int(cap_m // rep_m))
        return max(R.MIN_REPS, n)


@dataclass
class _Part:
    """The main set of a quality session, before warm-up and cool-down are added."""

    ident: str
    title: str
    focus: str
    body: list[Step]
    targets: list[dict]
    why: str
    speed: bool = False  # add strides to the warm-up (fast sessions)
    extra_drills: list[str] = field(default_factory=list)


# ============================================================================ quality sessions
def _why(ctx: _Ctx, drill: Drill, focus: str, phase: str) -> str:
    if focus == ctx.weak.primary or focus in ctx.weak.secondary:
        because = ctx.weak.short.get(focus, "")
        role = "primary" if focus == ctx.weak.primary else "secondary"
        tail = f"Your {role} focus" + (f": {because}." if because else ".")
    else:
        tail = {
            "base": "Base phase: keeps this quality while volume builds.",
            "specific": "Specific phase: race-specific work for the kick.",
            "taper": "Taper: same speed, fewer reps — sharp, not tired.",
            "race": "Race week: a short sharpener.",
        }[phase]
    return f"{drill.purpose} {tail}"


def _cs_intervals(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("cs-intervals")
    rep = d.dosage.distance_m or 1000.0
    n = ctx.reps(d.dosage.reps, progress, phase, cap_m=R.WORK_CAPS["cs"] * week_m, rep_m=rep)
    band = _scaled(ctx.ath.cs, R.CS_INTERVAL_BAND_CS)
    rest = d.dosage.rest_s or 120.0
    body = _rep_block(
        f"{rep:g} m at CS", reps=n, distance_m=rep, band=band, rest_s=rest, notes="even splits"
    )
    tgt = _target("CS intervals", band, ath=ctx.ath, reps=n, distance_m=rep, rest_s=rest)
    return _Part(
        d.id, f"CS intervals {n} × {rep:g} m", focus, body, [tgt], _why(ctx, d, focus, phase)
    )


def _tempo(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("tempo-run")
    rep = d.dosage.distance_m or 2000.0
    n = ctx.reps(d.dosage.reps, progress, phase, cap_m=R.WORK_CAPS["threshold"] * week_m, rep_m=rep)
    band = _scaled(ctx.ath.cs, R.TEMPO_BAND_CS)
    rest = d.dosage.rest_s or 60.0
    body = _rep_block(f"Tempo {rep:g} m", reps=n, distance_m=rep, band=band, rest_s=rest)
    tgt = _target("tempo", band, ath=ctx.ath, reps=n, distance_m=rep, rest_s=rest)
    return _Part(
        d.id, f"Tempo {n} × {rep / 1000:g} km", focus, body, [tgt], _why(ctx, d, focus, phase)
    )


def _flying(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("flying-30s")
    rep = d.dosage.distance_m or 30.0
    sets = 1 if phase in ("taper", "race") else d.dosage.sets
    n = ctx.reps(d.dosage.reps, progress, "base", cap_m=None)
    band = _scaled(ctx.ath.mss, R.FLYING_BAND_MSS)
    rest = d.dosage.rest_s or 150.0
    notes = "after a 20–30 m build-up"
    if focus == "cadence":
        notes += "; quick steps: count them, aim for +5 % cadence"
    if not ctx.ath.mss_known:
        notes += "; time it: the best rep gives your MSS"
    body = _rep_block(
        f"Flying {rep:g} m",
        reps=n,
        sets=sets,
        distance_m=rep,
        band=band,
        rest_s=rest,
        set_rest_s=d.dosage.set_rest_s or 0.0,
        notes=notes,
        walk=True,
    )
    tgt = _target(
        f"flying {rep:g} m",
        band,
        ath=ctx.ath,
        reps=n * sets,
        distance_m=rep,
        rest_s=rest,
        sets=sets,
    )
    title = f"Flying 30s {sets} × {n}" if sets > 1 else f"Flying 30s × {n}"
    return _Part(d.id, title, focus, body, [tgt], _why(ctx, d, focus, phase), speed=True)


def _hills(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("hill-sprints")
    dur = d.dosage.duration_s or 10.0
    n = ctx.reps(d.dosage.reps, progress, phase)
    rest = d.dosage.rest_s or 120.0
    body = _rep_block(
        f"Hill sprint {dur:g} s",
        reps=n,
        duration_s=dur,
        rest_s=rest,
        notes="steep hill (6–10 %), all out, walk down",
        walk=True,
    )
    tgt = _target("steep hill sprints, all out", None, reps=n, duration_s=dur, rest_s=rest)
    return _Part(
        d.id,
        f"Hill sprints {n} × {dur:g} s",
        focus,
        body,
        [tgt],
        _why(ctx, d, focus, phase),
        speed=True,
    )


def _reserve_150s(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("speed-reserve-150s")
    rep = d.dosage.distance_m or 150.0
    n = ctx.reps(d.dosage.reps, progress, phase, cap_m=R.WORK_CAPS["rep"] * week_m, rep_m=rep)
    band = _band(ctx.ath.cs + R.RESERVE_150_FRACTION * ctx.ath.reserve)
    rest = d.dosage.rest_s or 180.0
    body = _rep_block(
        f"{rep:g} m fast",
        reps=n,
        distance_m=rep,
        band=band,
        rest_s=rest,
        notes="fast and smooth, same time every rep",
    )
    tgt = _target(
        f"{rep:g} m at CS + half the speed reserve",
        band,
        ath=ctx.ath,
        reps=n,
        distance_m=rep,
        rest_s=rest,
    )
    return _Part(
        d.id,
        f"Speed-reserve {n} × {rep:g} m",
        focus,
        body,
        [tgt],
        _why(ctx, d, focus, phase),
        speed=True,
    )


def _race_pace(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("race-pace-reps")
    rep = max(100.0, round(ctx.distance / 5.0 / 50.0) * 50.0)
    middle = ctx.distance <= R.MIDDLE_DISTANCE_MAX_M
    total = ctx.distance * ((1.0 + 0.5 * progress) if middle else (0.8 + 0.4 * progress))
    cap = R.WORK_CAPS["rep" if middle else "interval"] * week_m
    std = max(R.MIN_REPS, round(total / rep))
    n = ctx.reps(std, 1.0, phase, cap_m=cap, rep_m=rep)
    band = _band(ctx.ath.race_speed)
    rest = d.dosage.rest_s or 120.0
    body = _rep_block(
        f"{rep:g} m race pace",
        reps=n,
        distance_m=rep,
        band=band,
        rest_s=rest,
        notes="hit the pace from the first 50 m",
    )
    tgt = _target(
        f"{ctx.distance:g} m race pace", band, ath=ctx.ath, reps=n, distance_m=rep, rest_s=rest
    )
    return _Part(d.id, f"Race pace {n} × {rep:g} m", focus, body, [tgt], _why(ctx, d, focus, phase))


def _cut_down(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("cut-down-repeats")
    scale = min(max(math.sqrt(ctx.distance / 1500.0), 0.7), 1.6)
    ladder = [(round(m * scale / 50.0) * 50.0, f) for m, f in R.CUT_DOWN_LADDER]
    if ctx.level == "beginner" or phase in ("taper", "race"):
        ladder = ladder[1:]
    cap = R.WORK_CAPS["interval"] * week_m
    while len(ladder) > 3 and sum(m for m, _ in ladder) > cap:
        ladder = ladder[1:]
    rest = d.dosage.rest_s or 150.0
    body: list[Step] = []
    targets = []
    for j, (m, f) in enumerate(ladder):
        band = _band(ctx.ath.cs + f * ctx.ath.reserve)
        body.append(
            Step(
                f"{m:g} m",
                "active",
                "distance",
                m,
                *band,
                notes="each rep faster" if j else "start at CS",
            )
        )
        if j < len(ladder) - 1:
            body.append(Step("Recover", _rest_kind(rest), "time", float(rest)))
        targets.append(
            _target(
                f"cut-down {m:g} m",
                band,
                ath=ctx.ath,
                reps=1,
                distance_m=m,
                rest_s=rest if j < len(ladder) - 1 else None,
            )
        )
    title = "Cut-down " + "-".join(f"{m:g}" for m, _ in ladder)
    return _Part(d.id, title, focus, body, targets, _why(ctx, d, focus, phase))


def _depletion(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("d-prime-depletion-sprint")
    dep = _r100(600.0 * min(max((ctx.distance / 1500.0) ** 0.3, 1.0), 1.6))
    sprint = 150.0
    n = ctx.reps(
        d.dosage.reps, progress, phase, cap_m=R.WORK_CAPS["interval"] * week_m, rep_m=dep + sprint
    )
    b1 = _band(ctx.ath.cs + R.DEPLETION_FRACTION * ctx.ath.reserve)
    spent = ctx.ath.spend_pct(0.5 * (b1[0] + b1[1]), dep) / 100.0 * ctx.ath.dp
    b2 = _band(ctx.ath.kick_speed(sprint, ctx.ath.dp - spent))
    b2 = (max(b2[0], b1[1]), max(b2[1], b1[1]))
    rest = d.dosage.rest_s or 300.0
    kick = Step(
        f"Sprint {sprint:g} m", "active", "distance", sprint, *b2, notes="kick at once, arms first"
    )
    body = _rep_block(
        f"{dep:g} m above CS",
        reps=n,
        distance_m=dep,
        band=b1,
        rest_s=rest,
        extra=[kick],
        notes="even pace, no early sprint",
    )
    targets = [
        _target(f"{dep:g} m above CS", b1, ath=ctx.ath, reps=n, distance_m=dep),
        _target(
            f"then {sprint:g} m sprint on low D'",
            b2,
            ath=ctx.ath,
            reps=n,
            distance_m=sprint,
            rest_s=rest,
        ),
    ]
    return _Part(
        d.id,
        f"D' depletion {n} × ({dep:g} m + {sprint:g} m sprint)",
        focus,
        body,
        targets,
        _why(ctx, d, focus, phase),
        speed=True,
    )


def _kick_timing(
    ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str, week_in_phase: int = 0
) -> _Part:
    d = ctx.drill("kick-timing")
    factor = 1.0
    if ctx.weak.late_onset:
        factor = min(1.0 + R.TIMING_CONE_STEP * week_in_phase, R.TIMING_CONE_MAX)
    kick = round(ctx.kick_m * factor / 25.0) * 25.0
    lead = max(200.0, (d.dosage.distance_m or 400.0) - kick)
    n = ctx.reps(
        d.dosage.reps, progress, phase, cap_m=R.WORK_CAPS["interval"] * week_m, rep_m=lead + kick
    )
    b1 = _band(ctx.ath.race_speed)
    spent = ctx.ath.spend_pct(ctx.ath.race_speed, lead) / 100.0 * ctx.ath.dp
    b2 = _band(ctx.ath.kick_speed(kick, ctx.ath.dp - spent))
    b2 = (max(b2[0], b1[1]), max(b2[1], b1[1]))
    rest = d.dosage.rest_s or 180.0
    kstep = Step(
        f"Kick {kick:g} m",
        "active",
        "distance",
        kick,
        *b2,
        notes="change gear at the cone: arms first",
    )
    body = _rep_block(
        f"{lead:g} m race pace", reps=n, distance_m=lead, band=b1, rest_s=rest, extra=[kstep]
    )
    targets = [
        _target(f"{lead:g} m at race pace", b1, ath=ctx.ath, reps=n, distance_m=lead),
        _target(
            f"kick from the cone, {kick:g} m to go",
            b2,
            ath=ctx.ath,
            reps=n,
            distance_m=kick,
            rest_s=rest,
        ),
    ]
    return _Part(
        d.id,
        f"Kick from the cone {n} × ({lead:g} + {kick:g} m)",
        focus,
        body,
        targets,
        _why(ctx, d, focus, phase),
        speed=True,
    )


def _sit_kick(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("sit-and-kick-300")
    kick = 300.0
    sit = min(max(ctx.distance - kick, 500.0), 1200.0)
    std = 1 if (ctx.level == "beginner" or phase in ("taper", "race")) else d.dosage.reps
    cap = R.WORK_CAPS["interval"] * week_m
    n = max(1, min(std, int(cap // (sit + kick)))) if std > 1 else 1
    b1 = _scaled(ctx.ath.cs, R.SIT_BAND_CS)
    spent = ctx.ath.spend_pct(0.5 * (b1[0] + b1[1]), sit) / 100.0 * ctx.ath.dp
    b2 = _band(ctx.ath.kick_speed(kick, ctx.ath.dp - spent))
    rest = d.dosage.rest_s or 480.0
    kstep = Step(
        f"Kick {kick:g} m", "active", "distance", kick, *b2, notes="go at once; your cue word"
    )
    body = _rep_block(
        f"Sit {sit:g} m",
        reps=n,
        distance_m=sit,
        band=b1,
        rest_s=rest,
        extra=[kstep],
        notes="relaxed, on a shoulder",
    )
    targets = [
        _target(f"sit {sit:g} m at a tactical pace", b1, ath=ctx.ath, reps=n, distance_m=sit),
        _target(
            "kick from 300 m to go",
            b2,
            ath=ctx.ath,
            reps=n,
            distance_m=kick,
            rest_s=rest if n > 1 else None,
        ),
    ]
    part = _Part(
        d.id,
        f"Race simulation: sit {sit:g} m, kick 300 m" + (f" × {n}" if n > 1 else ""),
        focus,
        body,
        targets,
        _why(ctx, d, focus, phase),
        speed=True,
    )
    if ctx.allowed("crowd-rehearsal") and phase != "base":
        part.extra_drills.append("crowd-rehearsal")
    return part


def _fast_finish(ctx: _Ctx, phase: str, progress: float, week_m: float, focus: str) -> _Part:
    d = ctx.drill("fast-finish-run")
    fin = _r100(1000.0 + 2000.0 * progress) if phase == "base" else 2000.0
    easy = _r100(max(2000.0, 0.08 * week_m))
    b0 = ctx.easy_band()
    b1 = _scaled(ctx.ath.cs, R.FAST_FINISH_BAND_CS)
    body = [
        Step("Easy", "active", "distance", easy, *b0),
        Step("Fast finish", "active", "distance", fin, *b1, notes="wind it up smoothly"),
    ]
    targets = [
        _target("easy part", b0, distance_m=easy),
        _target("fast finish", b1, ath=ctx.ath, reps=1, distance_m=fin),
    ]
    return _Part(
        d.id,
        f"Fast-finish run, last {fin / 1000:g} km",
        focus,
        body,
        targets,
        _why(ctx, d, focus, phase),
    )


_BUILDERS = {
    "cs-intervals": _cs_intervals,
    "tempo-run": _tempo,
    "flying-30s": _flying,
    "hill-sprints": _hills,
    "speed-reserve-150s": _reserve_150s,
    "race-pace-reps": _race_pace,
    "cut-down-repeats": _cut_down,
    "d-prime-depletion-sprint": _depletion,
    "kick-timing": _kick_timing,
    "sit-and-kick-300": _sit_kick,
    "fast-finish-run": _fast_finish,
}
#: Quality sessions that serve each focus, by phase (first = preferred; alternated); "race"
#: (race week, 3+ days out) falls back to "taper" and avoids a full race simulation.
_HARD_BY_FOCUS: dict[str, dict[str, tuple[str, ...]]] = {
    "max_speed": {
        "base": ("hill-sprints", "flying-30s"),
        "specific": ("flying-30s", "hill-sprints"),
        "taper": ("flying-30s",),
    },
    "speed_reserve": {
        "base": ("flying-30s", "speed-reserve-150s"),
        "specific": ("speed-reserve-150s", "cut-down-repeats"),
        "taper": ("speed-reserve-150s",),
    },
    "d_prime": {
        "base": ("cut-down-repeats",),
        "specific": ("d-prime-depletion-sprint", "race-pace-reps"),
        "taper": ("race-pace-reps",),
    },
    "aerobic": {
        "base": ("cs-intervals", "tempo-run"),
        "specific": ("cs-intervals",),
        "taper": ("cs-intervals",),
    },
    "timing": {
        "base": ("fast-finish-run",),
        "specific": ("kick-timing", "sit-and-kick-300"),
        "taper": ("sit-and-kick-300", "kick-timing"),
        "race": ("kick-timing",),
    },
    "cadence": {
        "base": ("flying-30s",),
        "specific": ("flying-30s", "kick-timing"),
        "taper": ("flying-30s",),
    },
    "step_length": {
        "base": ("hill-sprints",),
        "specific": ("hill-sprints", "flying-30s"),
        "taper": ("flying-30s",),
    },
}
#: The qualities each phase rotates through besides the weakness (base: the engine and speed
#: kept; specific: the kick's ingredients; taper: sharpening).
_PHASE_POOL: dict[str, tuple[str, ...]] = {
    "base": ("aerobic", "max_speed", "d_prime"),
    "specific": ("d_prime", "timing", "aerobic", "speed_reserve"),
    "taper": ("timing", "d_prime", "speed_reserve"),
}
#: Fallback quality session for a focus with nothing allowed at the level.
_FALLBACK = "cs-intervals"


# ============================================================================ week layout
#: Day slots of a week ending on the race's weekday (slot 6 = that weekday, the long run):
#: running slots, hard slots by number of hard sessions, and the standalone strength slot for
#: 3–4 running days. Hard slots are never adjacent (also across weeks: slot 6 is the long run
#: and slot 0 easy or rest) and each smaller set is a subset-compatible prefix, so that any 7
#: consecutive days hold no more hard days than a week does.
_TEMPLATES: dict[int, tuple[tuple[int, ...], dict[int, tuple[int, ...]], int | None]] = {
    7: ((0, 1, 2, 3, 4, 5, 6), {1: (1,), 2: (1, 4), 3: (1, 3, 5)}, None),
    6: ((1, 2, 3, 4, 5, 6), {1: (1,), 2: (1, 4), 3: (1, 3, 5)}, None),
    5: ((1, 2, 3, 5, 6), {1: (1,), 2: (1, 3), 3: (1, 3, 5)}, None),
    4: ((1, 3, 4, 6), {1: (1,), 2: (1, 4)}, 2),
    3: ((1, 3, 6), {1: (1,)}, 4),
}
#: Last slot of race week that may hold a hard session (race on slot 6, none in the 2 days
#: before it).
_RACE_WEEK_LAST_HARD = 6 - R.RACE_EASY_DAYS - 1


def _n_hard(phase: str, level: str, days: int) -> int:
    n = R.HARD_PER_WEEK["taper" if phase == "race" else phase][level]
    n = min(n, R.MAX_HARD_PER_WEEK[level], days - 2, max(_TEMPLATES[days][1]))
    return max(1, n)


# ============================================================================ easy days
@dataclass(frozen=True)
class _Package:
    """Add-ons of an easy day: drills before (warm-up), strides, strength/mental after."""

    focus: str
    label: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    strides: str | None = None


def _packages(ctx: _Ctx, phase: str, standalone_strength: bool) -> list[_Package]:
    """The easy-day add-ons a phase rotates through: form drills and strides, strength (unless
    it has its own day), drills for the weakness, mental rehearsal; strides and race rehearsal
    in the taper."""
    w = ctx.weak
    flags = (w.primary, *w.secondary)
    weak_q = next((q for q in ("cadence", "step_length") if q in flags), None)
    form = _Package(
        "form", "drills & strides", ("a-skips", "high-knees", "arm-drive"), (), "strides"
    )
    strength = _Package(
        "form", "strength", (), ("core-engagement", "single-leg-strength", "calf-strength")
    )
    light_strength = _Package(
        "form", "core & strength", (), ("core-engagement", "single-leg-strength")
    )
    mental = _Package(
        "mental", "finish rehearsal & strides", ("a-skips",), ("finish-visualisation",), "strides"
    )
    special: _Package | None = None
    if weak_q == "cadence":
        special = _Package(
            "cadence",
            "cadence drills & strides",
            ("fast-feet", "high-knees"),
            ("calf-strength",),
            "cadence-strides",
        )
    elif weak_q == "step_length":
        before = (
            ("straight-leg-bounds", "wicket-runs")
            if ctx.allowed("wicket-runs")
            else ("straight-leg-bounds", "a-skips")
        )
        special = _Package(
            "step_length",
            "step-length drills & strides",
            before,
            ("single-leg-strength",),
            "strides",
        )
    elif w.primary in ("max_speed", "speed_reserve"):
        special = _Package(
            "form",
            "sprint drills & strides",
            ("arm-drive", "high-knees", "straight-leg-bounds"),
            (),
            "strides",
        )
    elif w.primary == "timing":
        special = mental
    if phase == "base":
        out = [form] + ([] if standalone_strength else [strength]) + ([special] if special else [])
    elif phase == "specific":
        out = (
            [form]
            + ([special] if special else [])
            + ([] if standalone_strength else [light_strength])
            + [mental]
        )
    else:  # taper, race week
        crowd = _Package(
            "mental",
            "strides & race rehearsal",
            ("a-skips",),
            ("finish-visualisation", "crowd-rehearsal"),
            "strides",
        )
        out = [_Package("form", "strides", ("a-skips",), (), "strides"), crowd]
    # drop add-ons the athlete's level does not allow
    return [
        replace(
            p,
            before=tuple(i for i in p.before if ctx.allowed(i)),
            after=tuple(i for i in p.after if ctx.allowed(i)),
        )
        for p in out
    ]


# ============================================================================ session assembly
def _addon_step(ctx: _Ctx, ids: Sequence[str]) -> tuple[Step | None, float]:
    """A warm-up step for drills done before a run, and its time (s)."""
    if not ids:
        return None, 0.0
    t = sum(_addon_s(ctx.drill(i)) for i in ids)
    names = ", ".join(ctx.drill(i).name for i in ids)
    return Step("Drills", "warmup", "time", float(round(t)), notes=names), t


def _finish(
    ctx: _Ctx,
    day: _dt.date,
    *,
    title: str,
    focus: str,
    phase: str,
    kind: str,
    drills: Sequence[str],
    steps: Sequence[Step],
    targets: Sequence[dict],
    why: str,
    extra_s: float = 0.0,
) -> Session:
    dist, time = _measure(steps, ctx.ath) if steps else (0.0, 0.0)
    seen: list[str] = []
    for i in drills:
        if i not in seen:
            seen.append(i)
    return Session(
        date=day,
        title=title,
        focus=focus,
        phase=phase,
        kind=kind,
        drills=tuple(seen),
        steps=tuple(steps),
        distance_m=round(dist, 1),
        duration_min=round((time + extra_s) / 60.0, 1),
        targets=tuple(targets),
        why=why,
    )


def _plyo_choice(ctx: _Ctx, plyo_week: int, phase: str) -> tuple[str, float] | None:
    """The plyometric add-on for a week (id, dosage scale), or None."""
    if phase not in ("base", "specific"):
        return None
    if ctx.level == "beginner" or plyo_week < 2:
        ident = "pogo-jumps"
    else:
        options = ["single-leg-hops", "split-squat-jumps", "bounding"]
        if "step_length" in (ctx.weak.primary, *ctx.weak.secondary):
            options = ["bounding", "single-leg-hops", "split-squat-jumps"]
        if ctx.level == "advanced" and phase == "specific":
            options.append("drop-jumps")
        options = [o for o in options if ctx.allowed(o)] or ["pogo-jumps"]
        ident = options[plyo_week % len(options)]
    if not ctx.allowed(ident):
        return None
    scale = R.PLYO_FIRST_WEEKS_FRACTION if plyo_week < 2 else 1.0
    d = ctx.drill(ident).dosage
    if ctx.level == "beginner":
        scale = min(scale, R.PLYO_BEGINNER_MAX_CONTACTS / max(d.contacts, 1))
    return ident, scale


def _hard_session(
    ctx: _Ctx,
    day: _dt.date,
    part: _Part,
    phase: str,
    *,
    extra_m: float = 0.0,
    plyo: tuple[str, float] | None = None,
) -> Session:
    """A quality session: warm-up jog (longer by part of ``extra_m``), drills (and the week's
    plyometrics, ``(id, dosage scale)``), strides before fast work, the main set, cool-down."""
    wu = min(R.WARMUP_M[0] + 0.5 * extra_m, R.WARMUP_M[1])
    cd = min(R.COOLDOWN_M[0] + (extra_m - (wu - R.WARMUP_M[0])), R.COOLDOWN_M[1])
    wu, cd = _r100(wu), _r100(cd)
    easy = ctx.easy_band()
    drills = ["a-skips", "high-knees"] if part.speed else ["a-skips"]
    drills = [i for i in drills if ctx.allowed(i)]
    ids = list(drills)
    targets = list(part.targets)
    plyo_id = None
    scale = 1.0
    if plyo is not None:
        plyo_id, scale = plyo
        ids.append(plyo_id)
    pre: list[Step] = [Step("Warm-up jog", "warmup", "distance", wu, *easy)]
    t_add = 0.0
    if ids:
        t_add = sum(_addon_s(ctx.drill(i), scale if i == plyo_id else 1.0) for i in ids)
        names = ", ".join(ctx.drill(i).name for i in ids)
        pre.append(Step("Drills", "warmup", "time", float(round(t_add)), notes=names))
    if part.speed:
        sb = _scaled(ctx.ath.mss, R.STRIDE_BAND_MSS)
        pre.append(
            Step(
                "Strides",
                "warmup",
                "distance",
                300.0,
                *sb,
                notes="3 × 100 m building to session speed",
            )
        )
    if plyo_id is not None:
        d = ctx.drill(plyo_id).dosage
        reps = max(1, round(d.reps * scale))
        targets.append(
            {
                "what": ctx.drill(plyo_id).name,
                "sets": d.sets,
                "reps": reps,
                "contacts": d.sets * reps,
                "rest_s": d.set_rest_s,
            }
        )
    body = [
        replace(s, repeat_of=s.repeat_of + len(pre)) if s.repeat_of is not None else s
        for s in part.body
    ]
    steps = pre + body + [Step("Cool-down jog", "cooldown", "distance", cd, *easy)]
    title = part.title + (f" + {ctx.drill(plyo_id).name.lower()}" if plyo_id else "")
    after = list(part.extra_drills)
    extra_s = sum(_addon_s(ctx.drill(i)) for i in after)
    why = part.why
    if plyo_id:
        why += " Plyometrics on the hard day keep the easy days easy."
    return _finish(
        ctx,
        day,
        title=title,
        focus=part.focus,
        phase=phase,
        kind="hard",
        drills=[part.ident, *ids, *after],
        steps=steps,
        targets=targets,
        why=why,
        extra_s=extra_s,
    )


def _easy_session(
    ctx: _Ctx, day: _dt.date, total_m: float, pkg: _Package | None, phase: str, focus_default: str
) -> Session:
    """An easy run of ``total_m`` m carrying an add-on package (drills before, strides after
    the run, strength or mental work afterwards)."""
    easy = ctx.easy_band()
    wu, cd = 1000.0, 500.0
    pre: list[Step] = [Step("Easy start", "warmup", "distance", wu, *easy)]
    before = pkg.before if pkg else ()
    step, _ = _addon_step(ctx, before)
    if step is not None:
        pre.append(step)
    strides: list[Step] = []
    stride_m = 0.0
    targets: list[dict] = []
    if pkg and pkg.strides and ctx.allowed(pkg.strides):
        sd = ctx.drill(pkg.strides)
        rep = sd.dosage.distance_m or 100.0
        n = max(4, min(sd.dosage.reps, 8))
        sb = _scaled(ctx.ath.mss, R.STRIDE_BAND_MSS)
        note = (
            "quicker steps, +5 % cadence"
            if pkg.strides == "cadence-strides"
            else ("fast but relaxed")
        )
        strides = _rep_block(
            "Stride",
            reps=n,
            distance_m=rep,
            band=sb,
            rest_s=sd.dosage.rest_s or 60.0,
            notes=note,
            offset=len(pre) + 1,
            walk=True,
        )
        stride_m = n * rep
        targets.append(
            _target(sd.name.lower(), sb, reps=n, distance_m=rep, rest_s=sd.dosage.rest_s or 60.0)
        )
    main = max(total_m - wu - cd - stride_m, 500.0)
    main_step = Step("Easy run", "active", "distance", _r100(main), *easy, notes="conversational")
    steps = pre + [main_step] + strides + [Step("Cool-down", "cooldown", "distance", cd, *easy)]
    targets.insert(0, _target("easy running", easy, distance_m=_r100(main) + wu + cd))
    after = pkg.after if pkg else ()
    extra_s = sum(_addon_s(ctx.drill(i)) for i in after)
    ids = ["easy-run", *before, *([pkg.strides] if strides and pkg else []), *after]
    km = (main + wu + cd + stride_m) / 1000.0
    if pkg:
        title = f"Easy {km:.0f} km + {pkg.label}"
        focus = pkg.focus
        lead = ctx.drill(after[0] if after else (before[0] if before else "easy-run"))
        why = f"Easy aerobic running, with {pkg.label}: {lead.purpose[0].lower()}{lead.purpose[1:]}"
    else:
        title = f"Easy {km:.0f} km"
        focus = focus_default
        why = ctx.drill("easy-run").purpose
    return _finish(
        ctx,
        day,
        title=title,
        focus=focus,
        phase=phase,
        kind="easy",
        drills=ids,
        steps=steps,
        targets=targets,
        why=why,
        extra_s=extra_s,
    )


def _long_session(ctx: _Ctx, day: _dt.date, total_m: float, phase: str, share: float) -> Session:
    """The long run, ``share`` of the week."""
    band = _scaled(ctx.ath.cs, R.LONG_BAND_CS)
    easy = ctx.easy_band()
    main = max(total_m - 2000.0, 1000.0)
    steps = [
        Step("Easy start", "warmup", "distance", 1000.0, *easy),
        Step("Long run", "active", "distance", _r100(main), *band),
        Step("Cool-down", "cooldown", "distance", 1000.0, *easy),
    ]
    d = ctx.drill("long-run")
    why = f"{d.purpose} About {100 * share:.0f} % of the week (at most 30 %)."
    tgt = _target("long run", band, distance_m=_r100(main) + 2000.0)
    return _finish(
        ctx,
        day,
        title=f"Long run {(_r100(main) + 2000) / 1000:.0f} km",
        focus="aerobic",
        phase=phase,
        kind="long",
        drills=["long-run"],
        steps=steps,
        targets=[tgt],
        why=why,
    )


def _race_session(ctx: _Ctx, day: _dt.date) -> Session:
    """Race day: warm-up, drills, strides, the race at the predicted even pace, cool-down."""
    ath = ctx.ath
    easy = ctx.easy_band()
    band = _band(ath.race_speed)
    drills = [i for i in ("a-skips", "high-knees") if ctx.allowed(i)]
    step, t_add = _addon_step(ctx, drills)
    steps = [Step("Warm-up jog", "warmup", "distance", R.WARMUP_M[0], *easy)]
    if step is not None:
        steps.append(step)
    steps += [
        Step(
            "Strides",
            "warmup",
            "distance",
            300.0,
            *_scaled(ath.mss, R.STRIDE_BAND_MSS),
            notes="3 × 100 m, the last at race pace",
        ),
        Step(
            f"Race {ath.race_m:g} m",
            "active",
            "distance",
            ath.race_m,
            *band,
            notes=f"kick plan: go from about {ctx.kick_m:g} m to go",
        ),
        Step("Cool-down jog", "cooldown", "distance", R.COOLDOWN_M[0], *easy),
    ]
    targets = [
        _target(
            f"race {ath.race_m:g} m, predicted {_clock(ath.race_s)}",
            band,
            ath=ath,
            distance_m=ath.race_m,
            time_s=round(ath.race_s, 1),
        )
    ]
    why = (
        f"Race day: {ath.race_m:g} m, predicted {_clock(ath.race_s)} at an even "
        f"{ath.race_speed:.2f} m/s; the kick was rehearsed in training — trust it."
    )
    return _finish(
        ctx,
        day,
        title=f"Race: {ath.race_m:g} m",
        focus="race",
        phase="race",
        kind="race",
        drills=["strides", *drills],
        steps=steps,
        targets=targets,
        why=why,
    )


def _strength_session(ctx: _Ctx, day: _dt.date, phase: str) -> Session:
    """A strength day of its own (3–4 running days a week), no running steps."""
    ids = [i for i in ("core-engagement", "single-leg-strength", "calf-strength") if ctx.allowed(i)]
    if phase == "specific":
        ids = ids[:2]
    t = sum(_addon_s(ctx.drill(i)) for i in ids)
    focus = "step_length" if "step_length" in (ctx.weak.primary, *ctx.weak.secondary) else "form"
    targets = [
        {
            "what": ctx.drill(i).name,
            "sets": ctx.drill(i).dosage.sets,
            "reps": ctx.drill(i).dosage.reps,
        }
        for i in ids
    ]
    why = (
        f"{ctx.drill(ids[0]).purpose} A separate day, because {ctx.days} running days leave "
        "no easy run to carry it."
    )
    return _finish(
        ctx,
        day,
        title="Strength: " + ", ".join(ctx.drill(i).name.lower() for i in ids),
        focus=focus,
        phase=phase,
        kind="strength",
        drills=ids,
        steps=(),
        targets=targets,
        why=why,
        extra_s=t + 600.0,
    )


# ============================================================================ the weeks
@dataclass
class _Rotation:
    """What the generator remembers from week to week."""

    counters: Counter[str] = field(default_factory=Counter)  # phase → pool position
    used: Counter[tuple[str, str]] = field(default_factory=Counter)  # (phase, focus) → count
    week_in_phase: Counter[str] = field(default_factory=Counter)
    plyo_weeks: int = 0


def _lead_in(ctx: _Ctx, first: _dt.date, week0: _dt.date, target_m: float) -> list[Session]:
    """Days before the first full week: easy runs on the template's running days."""
    out: list[Session] = []
    lead_days = (week0 - first).days
    if lead_days <= 0:
        return out
    runs, _, strength_slot = _TEMPLATES[ctx.days]
    easy_m = max(R.EASY_MIN_M, _r100(target_m * (1 - R.LONG_RUN_SHARE) / ctx.days))
    pk = [p for p in _packages(ctx, "base", strength_slot is not None) if p.before or p.strides]
    j = 0
    for k in range(lead_days):  # at most 6 days
        q = 7 - lead_days + k
        if q in runs:
            pkg = pk[j % len(pk)] if pk and q != 6 else None
            day = first + _dt.timedelta(days=k)
            out.append(_easy_session(ctx, day, easy_m, pkg, "base", "aerobic"))
            j += 1
    return out


def _pick_parts(
    ctx: _Ctx,
    state: _Rotation,
    phase: str,
    wk_phase: str,
    n_slots: int,
    progress: float,
    target_m: float,
    k_in: int,
) -> list[_Part]:
    """The week's quality sessions. A clear weakness owns the first slot every week; the
    other slots rotate through the secondary weaknesses and the phase's pool (without a clear
    weakness its quality only opens the rotation). With a single slot a week the weakness
    takes every other week (and race week), so the engine is not neglected.
    ``speed_reserve``, implied by a max-speed weakness, keeps its place in the pool."""
    weak = ctx.weak
    lead = () if weak.flagged else (weak.primary,)
    extra = tuple(q for q in weak.secondary if q != "speed_reserve")
    pool = list(
        dict.fromkeys(
            q for q in (*lead, *extra, *_PHASE_POOL[phase]) if q != weak.primary or not weak.flagged
        )
    )
    own_slot = weak.flagged and (n_slots > 1 or wk_phase == "race" or k_in % 2 == 0)
    taken: set[str] = set()
    parts: list[_Part] = []
    for j in range(n_slots):  # at most 3 slots
        for tries in range(len(pool) + 2):
            if j == 0 and tries == 0 and own_slot:
                focus = weak.primary
            else:
                focus = pool[state.counters[phase] % len(pool)]
                state.counters[phase] += 1
            table = _HARD_BY_FOCUS.get(focus, {})
            options = [o for o in table.get(wk_phase, table.get(phase, ())) if ctx.allowed(o)]
            options = options or [_FALLBACK]
            k0 = state.used[(phase, focus)]
            ring = [options[(k0 + t) % len(options)] for t in range(len(options))]
            pick = next((o for o in ring if o not in taken), None)
            if pick is not None:
                break
        pick = pick or ring[0]
        state.used[(phase, focus)] += 1
        taken.add(pick)
        if pick == "kick-timing":
            parts.append(_kick_timing(ctx, wk_phase, progress, target_m, focus, k_in))
        else:
            parts.append(_BUILDERS[pick](ctx, wk_phase, progress, target_m, focus))
    return parts


def _week(
    ctx: _Ctx,
    state: _Rotation,
    *,
    week_start: _dt.date,
    index: int,
    phase: str,
    race: _dt.date | None,
    progress: float,
    target_m: float,
) -> list[Session]:
    """One full week (slot 0 = ``week_start``, slot 6 = the race's weekday)."""
    runs, hard_sets, strength_slot = _TEMPLATES[ctx.days]
    k_in = state.week_in_phase[phase]
    state.week_in_phase[phase] += 1
    wk_phase = "race" if race is not None else phase
    if race is not None:
        slots = tuple(q for q in hard_sets[max(hard_sets)] if q <= _RACE_WEEK_LAST_HARD)[:1]
    else:
        slots = hard_sets[_n_hard(phase, ctx.level, ctx.days)]
    parts = _pick_parts(ctx, state, phase, wk_phase, len(slots), progress, target_m, k_in)

    # plyometrics on the first speed-type hard session of base and specific weeks
    plyo, plyo_slot = None, None
    if (
        phase in ("base", "specific")
        and race is None
        and (ctx.level != "beginner" or index >= R.PLYO_MIN_BASE_WEEKS)
    ):
        plyo = _plyo_choice(ctx, state.plyo_weeks, phase)
        if plyo is not None:
            speedy = [j for j, p in enumerate(parts) if p.speed]
            plyo_slot = speedy[0] if speedy else 0
            state.plyo_weeks += 1

    def day_of(q: int) -> _dt.date:
        return week_start + _dt.timedelta(days=q)

    def hard_days(extra_m: float = 0.0) -> dict[int, Session]:
        return {
            q: _hard_session(
                ctx,
                day_of(q),
                parts[j],
                phase,
                extra_m=extra_m,
                plyo=plyo if j == plyo_slot else None,
            )
            for j, q in enumerate(slots)
        }

    # size the week: hard sessions and the long run (or the race) first, easy runs share the rest
    hard = hard_days()
    race_s = _race_session(ctx, race) if race is not None else None
    long_m = 0.0
    if race_s is None:
        long_speed = ctx.ath.cs * 0.5 * sum(R.LONG_BAND_CS)
        long_m = _r100(min(R.LONG_RUN_SHARE * target_m, R.LONG_RUN_MAX_S * long_speed))
    fixed = sum(s.distance_m for s in hard.values())
    rest_m = target_m - fixed - (race_s.distance_m if race_s is not None else long_m)
    easy_qs = [q for q in runs if q not in slots and q != 6]
    n_easy = len(easy_qs)
    while n_easy > 0 and rest_m < n_easy * R.EASY_MIN_M:
        n_easy -= 1  # fewer, not shorter, easy runs
    if rest_m < 0 and race_s is None:
        long_m = _r100(max(long_m + rest_m, 0.5 * long_m))
        rest_m = 0.0
    # easy runs next to hard days are dropped first (they become rest days)
    ranked = sorted(
        easy_qs, key=lambda q: (min(abs(q - s) for s in slots) if slots else 9, -q), reverse=True
    )
    keep_easy = sorted(ranked[:n_easy])
    # longer warm-ups and cool-downs on hard days when the easy runs would dwarf them
    room = (R.WARMUP_M[1] - R.WARMUP_M[0]) + (R.COOLDOWN_M[1] - R.COOLDOWN_M[0])
    extra_hard = 0.0
    if slots and rest_m > 0:
        if n_easy == 0:
            extra_hard = min(rest_m / len(slots), room)
        else:
            gap = rest_m / n_easy - float(np.mean([s.distance_m for s in hard.values()]))
            if gap > 0:
                extra_hard = min(room, gap * n_easy / (n_easy + len(slots)))
    if extra_hard >= 100.0:
        longer = hard_days(extra_hard)
        rest_m -= sum(s.distance_m for s in longer.values()) - fixed
        hard = longer
    # the long run at least as long as an easy run (within its share of the week)
    if race_s is None and n_easy and rest_m / n_easy > long_m:
        grown = _r100(min(R.LONG_RUN_SHARE_MAX * target_m, (long_m + rest_m) / (n_easy + 1)))
        if grown > long_m:
            rest_m -= grown - long_m
            long_m = grown
    units = int(round(max(rest_m, 0.0) / 100.0))
    per = [units // n_easy + (1 if k < units % n_easy else 0) for k in range(n_easy)]

    # assemble
    pk = _packages(ctx, phase, strength_slot is not None)
    out: list[Session] = []
    e = 0
    for q in range(7):
        day = day_of(q)
        if q in hard:
            out.append(hard[q])
        elif q == 6 and race_s is not None:
            out.append(race_s)
        elif q == 6 and q in runs:
            out.append(_long_session(ctx, day, long_m, phase, long_m / target_m))
        elif q in keep_easy:
            pkg = pk[(index * max(1, len(keep_easy)) + e) % len(pk)] if pk else None
            default = "recovery" if (q - 1) in hard else "aerobic"
            out.append(_easy_session(ctx, day, 100.0 * per[e], pkg, phase, default))
            e += 1
        elif q == strength_slot and phase in ("base", "specific") and race is None:
            out.append(_strength_session(ctx, day, phase))
    return out


# ============================================================================ the generator
def _default_weekly_km(level: str, distance: float, days: int, race_min: float) -> float:
    km = _log_interp(R.DEFAULT_WEEKLY_KM[level], distance)
    return float(math.ceil(max(km, R.MIN_KM_PER_RUN_DAY * days, race_min)))


def _race_min_km(distance: float) -> float:
    """Least peak volume whose race week (race + one short quality session) fits the taper."""
    race = R.WARMUP_M[0] + distance + R.COOLDOWN_M[0] + 300.0
    hard = R.WARMUP_M[0] + R.COOLDOWN_M[0] + 2000.0
    top = 1.0 - R.TAPER_VOLUME_CUT_RANGE[0] - 0.02
    return (race + hard) / (top * R.START_FRACTION) / 1000.0


def build_plan(
    race_date: _dt.date | str,
    distance_m: float,
    *,
    profile: Mapping[str, Any],
    kick_history: Sequence[Mapping[str, Any]] = (),
    days_per_week: int = 5,
    weekly_km: float | None = None,
    level: str = "intermediate",
    start: _dt.date | str | None = None,
    athlete: str = "athlete",
    library: Mapping[str, Drill] | None = None,
) -> Plan:
    """A periodised plan to a race whose emphasis follows the athlete's kick weakness.

    Parameters
    ----------
    race_date
        Race day (a date or ``"YYYY-MM-DD"``).
    distance_m
        Race distance, m (800–10 000).
    profile
        ``cs_mps``, ``d_prime_m`` and, if known, ``mss_mps`` (e.g.
        :meth:`kicklab.physiology.AthleteProfile.to_dict`); without MSS the targets assume
        a speed reserve ratio of :data:`~kicklab.training.rules.ASSUMED_SRR`.
    kick_history
        Past races as :meth:`kicklab.kick.KickAnalysis.to_dict` dicts (see :func:`diagnose`).
    days_per_week
        Running days per week, 3–7.
    weekly_km
        Peak weekly volume, km (the plan opens at 85 % of it and adds ≤ 5 % a week); default
        from level and distance (:data:`~kicklab.training.rules.DEFAULT_WEEKLY_KM`), at least
        5 km per running day.
    level
        ``"beginner"``, ``"intermediate"`` or ``"advanced"``.
    start
        First day of the plan (default: today); the plan lasts 3–24 weeks.
    athlete
        Name used in titles and exports.
    library
        Drill library (default: :func:`~kicklab.training.library.load_library`).

    Returns
    -------
    Plan
        Blocks base → specific → taper → race and the sessions; :func:`check_safety` of it is
        ``[]``.

    Raises
    ------
    InvalidValue
        A value outside the ranges above, an impossible profile, a weekly volume too small
        for the days and the race, or a library lacking an entry the plan needs.
    """
    race = _as_date(race_date, "race_date")
    first = _dt.date.today() if start is None else _as_date(start, "start")
    distance = _number(distance_m, "distance_m", *R.DISTANCE_RANGE_M)
    if isinstance(days_per_week, bool) or not isinstance(days_per_week, int | np.integer):
        raise InvalidValue(f"days_per_week must be a whole number, got {days_per_week!r}")
    days = int(days_per_week)
    lo_d, hi_d = R.DAYS_PER_WEEK_RANGE
    if not lo_d <= days <= hi_d:
        raise InvalidValue(f"days_per_week must be {lo_d}–{hi_d}, got {days}")
    level_rank(level)
    n_days = (race - first).days
    lo_w, hi_w = R.PLAN_WEEKS_RANGE
    if not 7 * lo_w <= n_days <= 7 * hi_w:
        raise InvalidValue(
            f"the plan must last {lo_w}–{hi_w} weeks from start to race day; "
            f"{first.isoformat()} → {race.isoformat()} is {n_days / 7:.1f} weeks"
        )
    race_min = _race_min_km(distance)
    if weekly_km is None:
        peak_km = _default_weekly_km(level, distance, days, race_min)
    else:
        peak_km = _number(weekly_km, "weekly_km", *R.WEEKLY_KM_RANGE)
        least = max(R.MIN_KM_PER_RUN_DAY * days, race_min)
        if peak_km < least:
            raise InvalidValue(
                f"weekly_km {peak_km:g} is too low for {days} running days and a "
                f"{distance:g} m race: at least {math.ceil(least)} km (≥ "
                f"{R.MIN_KM_PER_RUN_DAY:g} km per running day) — run fewer days"
            )
    lib = dict(load_library() if library is None else library)
    ath = _athlete(profile, distance)
    weak = _diagnose(ath, kick_history, distance)
    ctx = _Ctx(
        ath, weak, level, distance, days, lib, kick_m=_log_interp(R.KICK_DISTANCE_M, distance)
    )
    for ident in ("easy-run", "long-run", "strides", "cs-intervals"):
        ctx.drill(ident)

    # ---- calendar: full weeks end on race day's weekday; days before them are a lead-in
    n_full = (n_days + 1) // 7
    taper_weeks = 2 if n_full >= R.LONG_TAPER_MIN_WEEKS else 1
    pre = n_full - taper_weeks
    n_base = math.ceil(pre / 2)
    phases = ["base"] * n_base + ["specific"] * (pre - n_base) + ["taper"] * taper_weeks
    week0 = race - _dt.timedelta(days=7 * n_full - 1)  # first day of the first full week
    targets_m = []
    for i in range(pre):
        targets_m.append(1000.0 * peak_km * min(1.0, R.START_FRACTION * (1 + R.RAMP_STEP) ** i))
    peak_m = max(targets_m)
    targets_m += [f * peak_m for f in R.TAPER_FRACTIONS[taper_weeks]]

    runs, _, strength_slot = _TEMPLATES[days]
    sessions = _lead_in(ctx, first, week0, targets_m[0])
    state = _Rotation()
    n_in_phase = Counter(phases)
    for i, phase in enumerate(phases):
        sessions += _week(
            ctx,
            state,
            week_start=week0 + _dt.timedelta(days=7 * i),
            index=i,
            phase=phase,
            race=race if i == n_full - 1 else None,
            progress=state.week_in_phase[phase] / max(1, n_in_phase[phase] - 1),
            target_m=targets_m[i],
        )

    sessions.sort(key=lambda s: s.date)
    blocks = _blocks(ctx, sessions, first, race, phases, week0, peak_km, taper_weeks)
    return Plan(
        athlete=str(athlete),
        race_date=race,
        distance_m=distance,
        level=level,
        days_per_week=days,
        weekly_km=round(peak_km, 1),
        profile=ath.to_dict(),
        weakness=weak.to_dict(),
        blocks=blocks,
        sessions=tuple(sessions),
    )


def _emphasis(sessions: Sequence[Session]) -> tuple[str, ...]:
    """Foci of a block's hard sessions, most frequent first (then its add-on foci)."""
    hard = Counter(s.focus for s in sessions if s.kind == "hard")
    other = Counter(
        s.focus for s in sessions if s.kind in ("easy", "strength") and s.focus in QUALITIES
    )
    order = [q for q, _ in sorted(hard.items(), key=lambda x: (-x[1], QUALITIES.index(x[0])))]
    order += [
        q
        for q, _ in sorted(other.items(), key=lambda x: (-x[1], QUALITIES.index(x[0])))
        if q not in order
    ]
    return tuple(order[:5])


def _blocks(
    ctx: _Ctx,
    sessions: Sequence[Session],
    first: _dt.date,
    race: _dt.date,
    phases: Sequence[str],
    week0: _dt.date,
    peak_km: float,
    taper_weeks: int,
) -> tuple[Block, ...]:
    n_base = phases.count("base")
    n_spec = phases.count("specific")
    base_end = week0 + _dt.timedelta(days=7 * n_base - 1)
    spec_end = base_end + _dt.timedelta(days=7 * n_spec)
    taper_end = race - _dt.timedelta(days=1)
    ath, w = ctx.ath, ctx.weak
    primary = _FOCUS_WORDS[w.primary]
    because = w.short.get(w.primary, "")
    if w.flagged:
        lead_base = f"; {primary} gets a session every week" + (
            f" ({because})." if because else "."
        )
        lead_spec = f"{primary} leads every week" + (f" ({because})" if because else "")
    else:
        lead_base = f"; no clear weakness, so {primary} opens an even rotation ({because})."
        lead_spec = f"an even rotation opened by {primary} (no clear weakness)"

    def within(a: _dt.date, b: _dt.date) -> list[Session]:
        return [s for s in sessions if a <= s.date <= b]

    base_why = (
        f"{(base_end - first).days + 1} days to build volume towards {peak_km:g} km a week "
        f"(≤ {100 * R.RAMP_STEP:.0f} % more each week) and critical speed "
        f"({ath.cs:.2f} m/s) with CS intervals and tempo runs, while short sprints, drills and "
        f"strength build speed and form{lead_base}"
    )
    spec_why = (
        f"{n_spec} week{'' if n_spec == 1 else 's'} of kick-specific work: {lead_spec}, "
        f"with race-pace reps at {ath.race_speed:.2f} m/s ({_clock(ath.race_s)} for "
        f"{ath.race_m:g} m), race simulations and D' sessions."
    )
    fr = R.TAPER_FRACTIONS[taper_weeks]
    cut = " then ".join(f"−{100 * (1 - f):.0f} %" for f in fr)
    taper_why = (
        f"{(race - (spec_end + _dt.timedelta(days=1))).days + 1} days including the race: volume "
        f"{cut} with the same speeds, so fatigue clears while fitness stays (Bosquet et al. "
        "2007); no hard session in the last 2 days."
    )
    race_why = "Race day: warm up with drills and strides, race, and kick where you rehearsed it."
    blocks = [
        Block("base", first, base_end, _emphasis(within(first, base_end)), base_why),
    ]
    if n_spec:
        blocks.append(
            Block(
                "specific",
                base_end + _dt.timedelta(days=1),
                spec_end,
                _emphasis(within(base_end + _dt.timedelta(days=1), spec_end)),
                spec_why,
            )
        )
    t0 = spec_end + _dt.timedelta(days=1)
    blocks.append(Block("taper", t0, taper_end, _emphasis(within(t0, taper_end)), taper_why))
    blocks.append(Block("race", race, race, ("timing", "mental"), race_why))
    return tuple(blocks)


# ============================================================================ safety
def _week_volumes(plan: Plan) -> list[tuple[_dt.date, float]]:
    """(first day, m) of every full week ending on the race's weekday, earliest first."""
    out = []
    k = 0
    while True:
        end = plan.race_date - _dt.timedelta(days=7 * k)
        begin = end - _dt.timedelta(days=6)
        if begin < plan.start:
            break
        vol = sum(s.distance_m for s in plan.sessions if begin <= s.date <= end)
        out.append((begin, vol))
        k += 1
    return out[::-1]


def _first_full_week(plan: Plan, phase: str) -> _dt.date | None:
    block = next((b for b in plan.blocks if b.phase == phase), None)
    if block is None:
        return None
    for begin, _ in _week_volumes(plan):
        if begin >= block.start and begin + _dt.timedelta(days=6) <= max(block.end, plan.race_date):
            return begin
    return None


def _check_steps(s: Session) -> list[str]:
    out: list[str] = []
    label = f"{s.date.isoformat()} {s.title}"
    steps = s.steps
    if s.kind in ("strength", "rest"):
        if steps:
            out.append(f"{label}: a {s.kind} session has workout steps")
        return out
    if not steps:
        return [f"{label}: a running session without workout steps"]
    kinds = [st.intensity for st in steps]
    if any(k not in STEP_INTENSITIES for k in kinds):
        out.append(f"{label}: unknown step intensity")
        return out
    if kinds[0] != "warmup" or kinds[-1] != "cooldown":
        out.append(f"{label}: steps must start with a warm-up and end with a cool-down")
    body = [i for i, k in enumerate(kinds) if k not in ("warmup", "cooldown")]
    if not body:
        out.append(f"{label}: no active steps between warm-up and cool-down")
        return out
    a, b = body[0], body[-1]
    if any(k in ("warmup", "cooldown") for k in kinds[a : b + 1]):
        out.append(f"{label}: warm-up or cool-down steps inside the main set")
    if not any(steps[i].intensity == "active" and steps[i].repeat_of is None for i in body):
        out.append(f"{label}: the main set has no active step")
    for i, st in enumerate(steps):
        if st.repeat_of is not None:
            if not (a <= st.repeat_of < i) or st.repeat_count is None or st.repeat_count < 2:
                out.append(f"{label}: step {i + 1} repeats an invalid range or count")
            if st.duration_type != "open" or st.duration is not None:
                out.append(f"{label}: repeat step {i + 1} must be open, without a duration")
            continue
        if st.duration_type not in DURATION_TYPES:
            out.append(f"{label}: step {i + 1} has an unknown duration type")
        elif st.duration_type != "open" and not (st.duration is not None and st.duration > 0):
            out.append(f"{label}: step {i + 1} needs a positive duration")
        lo, hi = st.speed_low_mps, st.speed_high_mps
        if (lo is None) != (hi is None) or (
            lo is not None and not (0 < lo <= hi <= _MAX_SPEED_MPS)
        ):
            out.append(f"{label}: step {i + 1} has an invalid speed band")
    return out


def check_safety(plan: Plan, *, library: Mapping[str, Drill] | None = None) -> list[str]:
    """The safety rules a plan breaks, in words; ``[]`` for a safe plan.

    Rules (constants in :mod:`kicklab.training.rules`): sessions sorted, one per day, within
    the plan, ending with the race; no two hard days (hard sessions and the race) in a row;
    at most 3 hard days in any 7 (2 for beginners); every full week at most 10 % more volume
    than the week before; a long run at most 30 % of its week; a taper of 7–14 days (race day
    included) whose full weeks are 30–50 % lighter than the heaviest week before it, with at
    least one hard session; no hard session in the 2 days before the race; at least one rest
    day in any 7 when running fewer than 7 days, and no more running days than planned;
    plyometrics only for intermediate/advanced athletes or, for beginners, after 3 weeks with
    at most 40 contacts; every drill allowed at the athlete's level; sessions with hard drills
    counted as hard; workout steps warm-up → main set (repeat steps pointing back) →
    cool-down with valid durations and speed bands.

    Parameters
    ----------
    plan
        The plan.
    library
        Drill library the plan was built with (default: kicklab's own).
    """
    lib = dict(load_library() if library is None else library)
    out: list[str] = []
    sessions = plan.sessions
    if not sessions:
        return ["the plan has no sessions"]
    start, race = plan.start, plan.race_date
    dates = [s.date for s in sessions]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        out.append("sessions are not sorted with at most one per day")
    if dates[0] < start or dates[-1] > race:
        out.append("sessions fall outside the plan's dates")
    if sessions[-1].kind != "race" or sessions[-1].date != race:
        out.append("the plan does not end with the race")
    level = plan.level
    try:
        rank = level_rank(level)
    except KicklabError:
        return [f"unknown level {level!r}"]

    for s in sessions:  # ~100 sessions
        label = f"{s.date.isoformat()} {s.title}"
        if s.kind not in SESSION_KINDS:
            out.append(f"{label}: unknown kind {s.kind!r}")
        if s.phase not in PHASES:
            out.append(f"{label}: unknown phase {s.phase!r}")
        if s.focus not in FOCI:
            out.append(f"{label}: unknown focus {s.focus!r}")
        for ident in s.drills:
            d = lib.get(ident)
            if d is None:
                out.append(f"{label}: unknown drill {ident!r}")
                continue
            if level_rank(d.min_level) > rank:
                out.append(f"{label}: {d.name} is for {d.min_level} athletes, not {level}")
            if d.hard and not s.hard:
                out.append(f"{label}: {d.name} is a hard stimulus on a {s.kind} day")
            if d.kind == "plyometric" and level == "beginner":
                if (s.date - start).days < 7 * R.PLYO_MIN_BASE_WEEKS:
                    out.append(
                        f"{label}: plyometrics for a beginner before "
                        f"{R.PLYO_MIN_BASE_WEEKS} weeks of base"
                    )
                contacts = sum(
                    int(t.get("contacts", 0)) for t in s.targets if t.get("what") == d.name
                )
                if contacts > R.PLYO_BEGINNER_MAX_CONTACTS or contacts == 0:
                    out.append(
                        f"{label}: a beginner's plyometric session needs 1–"
                        f"{R.PLYO_BEGINNER_MAX_CONTACTS} counted contacts, got {contacts}"
                    )
        out.extend(_check_steps(s))

    # ---- day grid: hard, session, run
    n = (race - start).days + 1
    hard = np.zeros(n, dtype=int)
    any_s = np.zeros(n, dtype=int)
    run = np.zeros(n, dtype=int)
    for s in sessions:
        k = (s.date - start).days
        if 0 <= k < n:
            hard[k] = int(s.hard)
            any_s[k] = 1
            run[k] = int(s.distance_m > 0)
    both = np.flatnonzero(hard[1:] & hard[:-1])
    for k in both:
        out.append(
            f"hard days back to back: {(start + _dt.timedelta(days=int(k))).isoformat()} and "
            f"the next day"
        )
    if n >= 7:
        win = np.ones(7, dtype=int)
        hard7 = np.convolve(hard, win, mode="valid")
        cap = R.MAX_HARD_PER_WEEK[level]
        for k in np.flatnonzero(hard7 > cap):
            out.append(
                f"{int(hard7[k])} hard days in the 7 days from "
                f"{(start + _dt.timedelta(days=int(k))).isoformat()} (at most {cap} for {level})"
            )
        if plan.days_per_week < 7:
            rest7 = 7 - np.convolve(any_s, win, mode="valid")
            for k in np.flatnonzero(rest7 < R.MIN_REST_DAYS_PER_WEEK):
                out.append(
                    f"no rest day in the 7 days from "
                    f"{(start + _dt.timedelta(days=int(k))).isoformat()}"
                )
        run7 = np.convolve(run, win, mode="valid")
        for k in np.flatnonzero(run7 > plan.days_per_week):
            out.append(
                f"{int(run7[k])} running days in the 7 days from "
                f"{(start + _dt.timedelta(days=int(k))).isoformat()} "
                f"(planned {plan.days_per_week})"
            )
    for s in sessions:
        if s.hard and s.kind != "race" and 0 < (race - s.date).days <= R.RACE_EASY_DAYS:
            out.append(
                f"{s.date.isoformat()} {s.title}: hard session within {R.RACE_EASY_DAYS} days "
                "of the race"
            )

    # ---- weekly volume, long runs, taper
    weeks = _week_volumes(plan)
    for (_, v0), (d1, v1) in zip(weeks[:-1], weeks[1:]):
        if v0 > 0 and v1 > v0 * (1 + R.MAX_WEEKLY_RAMP) + 1e-6:
            out.append(
                f"week from {d1.isoformat()}: {v1 / 1000:.1f} km is "
                f"{100 * (v1 / v0 - 1):.0f} % more than the week before "
                f"(at most {100 * R.MAX_WEEKLY_RAMP:.0f} %)"
            )
    for s in sessions:
        if s.kind != "long":
            continue
        wk = next(((d0, v) for d0, v in weeks if d0 <= s.date <= d0 + _dt.timedelta(days=6)), None)
        if wk is not None and wk[1] > 0 and s.distance_m > R.MAX_LONG_RUN_FRACTION * wk[1] + 1e-6:
            out.append(
                f"{s.date.isoformat()} long run {s.distance_m / 1000:.1f} km is "
                f"{100 * s.distance_m / wk[1]:.0f} % of its week (at most "
                f"{100 * R.MAX_LONG_RUN_FRACTION:.0f} %)"
            )
    taper = next((b for b in plan.blocks if b.phase == "taper"), None)
    if taper is None:
        out.append("the plan has no taper")
    else:
        length = (race - taper.start).days + 1
        lo_t, hi_t = R.TAPER_DAYS_RANGE
        if not lo_t <= length <= hi_t:
            out.append(f"the taper lasts {length} days (should be {lo_t}–{hi_t})")
        before = [v for d0, v in weeks if d0 + _dt.timedelta(days=6) < taper.start]
        in_taper = [(d0, v) for d0, v in weeks if d0 >= taper.start]
        if before and in_taper:
            peak = max(before)
            lo_c, hi_c = R.TAPER_VOLUME_CUT_RANGE
            for d0, v in in_taper:
                cut = 1.0 - v / peak
                if not lo_c - 0.005 <= cut <= hi_c + 0.005:
                    out.append(
                        f"taper week from {d0.isoformat()}: volume cut {100 * cut:.0f} % "
                        f"(should be {100 * lo_c:.0f}–{100 * hi_c:.0f} %)"
                    )
        if not any(s.kind == "hard" and taper.start <= s.date < race for s in sessions):
            out.append("the taper drops all intensity (no hard session before the race)")
    return out
