"""Race advice: when to kick, and how a runner without a kick should surge.

For an athlete against named rivals on a :class:`~kicklab.race.course.Course` (its weather
included) the functions here simulate the race once per candidate tactic — all candidates of a
grid together, with :func:`kicklab.race.simulate.simulate_many` — and compare the outcomes:

:func:`advise_kick`
    Sit and kick from each onset of a grid (distance to go): the win (or podium) probability
    at each onset, the best onset, and plain sentences a coach reads.
:func:`advise_surge`
    For a runner without the field's best kick: a long surge (start, speed) against the rival
    with the biggest speed reserve, who covers the move; compared with sitting and kicking,
    and with the kicker letting the surge go.
:func:`advise`
    Both, and a summary.
:func:`surge_threshold`
    How much higher a surger's critical speed must be before a long surge beats a kicker.

Every candidate is simulated with the **same seed** (common random numbers): the day-to-day
draws of every runner's CS, D' and MSS are identical across candidates, so differences between
candidates are differences of tactic, not of luck, and two candidates can be compared trial by
trial (a paired, McNemar-style comparison). Probabilities carry a 95 % Wilson interval.

Rivals keep the tactics they are given; only the athlete's tactic changes. All ``_m`` distances
of tactics are **distance to go**, m.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue
from kicklab.physiology.models import time_to_exhaustion_3p
from kicklab.race.course import Course
from kicklab.race.runner import (
    ALL_OUT_MPS,
    Runner,
    Tactic,
    best_even_speed_mps,
    long_surge,
    sit_and_kick,
)
from kicklab.race.simulate import check_trials_dt, simulate, simulate_many, wilson_interval

__all__ = [
    "KickAdvice",
    "SurgeAdvice",
    "Advice",
    "advise_kick",
    "advise_surge",
    "advise",
    "surge_threshold",
    "default_onsets_m",
    "default_starts_m",
    "default_speeds_mps",
    "OBJECTIVES",
    "ONSET_STEP_M",
    "MAX_ONSET_M",
    "MAX_ONSET_SHARE",
    "SURGE_STEP_M",
    "MIN_SURGE_M",
    "MAX_SURGE_M",
    "MAX_SURGE_SHARE",
    "SURGE_SPEED_FACTORS",
    "SURGE_FINAL_KICK_M",
    "DEFAULT_KICK_AT_M",
    "PODIUM_PLACES",
    "THRESHOLD_DELTAS_CS_MPS",
]

#: Objectives an athlete can race for: winning, or a place in the top :data:`PODIUM_PLACES`.
OBJECTIVES: tuple[str, ...] = ("win", "podium")
#: Places that count as a podium finish (gold, silver, bronze).
PODIUM_PLACES = 3
#: Spacing of the default kick-onset grid, m: a coach's resolution ("kick at 250"), and about
#: 7 s at 1500 m race pace — finer than the spread of the best onset across days.
ONSET_STEP_M = 50.0
#: Longest kick tried by default, m: two laps; beyond it a "kick" is a long surge
#: (:func:`advise_surge`).
MAX_ONSET_M = 800.0
#: Longest kick tried by default as a share of the race distance (a kick is a finish, not the
#: race: 0.6 of 1500 m is 900 m, so :data:`MAX_ONSET_M` is the limit there).
MAX_ONSET_SHARE = 0.6
#: Spacing of the default surge-start grid, m (a quarter of a lap).
SURGE_STEP_M = 100.0
#: Shortest surge tried by default, m: shorter moves are kicks.
MIN_SURGE_M = 300.0
#: Longest surge tried by default, m: five laps, the longest sustained moves seen in 5000 m and
#: 10 000 m championship races.
MAX_SURGE_M = 2000.0
#: Longest surge tried by default as a share of the race distance (a surge from the gun is
#: front running at a fast pace, not a surge).
MAX_SURGE_SHARE = 0.8
#: Default surge speeds as multiples of the athlete's best even pace for the distance: from a
#: barely faster pace (+2 %) to a hard move (+17 %, about 8 s per 400 m faster at 1500 m pace);
#: speeds at or above the athlete's MSS are dropped.
SURGE_SPEED_FACTORS: tuple[float, ...] = (1.02, 1.05, 1.08, 1.11, 1.14, 1.17)
#: A surging runner goes all out over the last this many metres, m: the home straight (84.4 m
#: on a standard track) and the exit of the last bend; in Morton's model all out is the fastest
#: way to spend what is left of D', so every runner does it at the end.
SURGE_FINAL_KICK_M = 100.0
#: Kick onset assumed for a rival whose tactic has none, m: the classic "kick with 200 to go"
#: (the default rival tactic of ``kicklab advise``).
DEFAULT_KICK_AT_M = 200.0
#: Default CS increases of :func:`surge_threshold`, m/s: 0 to 0.6 m/s (0–11 % of a 5.5 m/s
#: CS) in 0.1 m/s steps — the span in which the existing simulator tests see the long surge go
#: from losing to winning.
THRESHOLD_DELTAS_CS_MPS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
#: Coarse grid of :func:`surge_threshold`: surge starts as shares of the race distance (at
#: 1500 m: 700, 900 and 1100 m to go), ...
_THRESHOLD_START_SHARES: tuple[float, ...] = (0.45, 0.6, 0.75)
#: ... surge speeds as multiples of the surger's best even pace (a moderate, a hard and an
#: all-but-all-out move), ...
_THRESHOLD_SPEED_FACTORS: tuple[float, ...] = (1.05, 1.11, 1.17)
#: ... and the surger's alternative, sit and kick, from these shares of the distance (at
#: 1500 m: 150, 300 and 500 m to go).
_THRESHOLD_ONSET_SHARES: tuple[float, ...] = (0.1, 0.2, 0.35)
#: Fastest default surge speed as a share of the athlete's MSS (a surge is not a sprint).
_MAX_SURGE_SHARE_OF_MSS = 0.99
#: Mean-time differences below this are reported as "no change", s: the interpolated finish
#: times of the simulator are good to about a hundredth of a second, and a coach does not act
#: on less than a tenth.
_TIME_TOL_S = 0.05
#: z of a two-sided 95 % interval (also the 5 % level of the paired comparison).
_Z95 = 1.959963984540054


# ----------------------------------------------------------------------------- results
def _num(x: Any) -> float | None:
    """A JSON-ready float (None for NaN or infinity)."""
    x = float(x)
    return x if math.isfinite(x) else None


def _nums(a: Any) -> list[Any]:
    """Nested lists of JSON-ready floats."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        return _num(arr)  # type: ignore[return-value]
    return [_nums(x) for x in arr]


@dataclass
class KickAdvice:
    """When to kick: the outcome of sitting and kicking from each candidate onset.

    Attributes
    ----------
    athlete
        The athlete's name.
    objective
        ``"win"`` or ``"podium"`` (top :data:`PODIUM_PLACES`).
    onsets_m
        Candidate kick onsets, distance to go, m (ascending).
    probability
        Probability of the objective at each onset.
    ci
        95 % Wilson interval of ``probability``, shape ``(n, 2)``.
    win_probability
        Win probability at each onset (equals ``probability`` when the objective is win).
    best_kick_onset_m
        Onset with the highest ``probability`` (ties: the shorter kick), m.
    best_probability
        ``probability`` at the best onset.
    trials
        Simulated races per onset.
    text
        Plain sentences for a coach.
    near_best_m
        Onsets whose outcome is within the uncertainty of the best (paired comparison over the
        same simulated days), m; includes the best.
    mean_time_s
        The athlete's mean finish time at each onset, s.
    rivals
        The rivals' names.
    """

    athlete: str
    objective: str
    onsets_m: np.ndarray
    probability: np.ndarray
    ci: np.ndarray
    win_probability: np.ndarray
    best_kick_onset_m: float
    best_probability: float
    trials: int
    text: list[str]
    near_best_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mean_time_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rivals: list[str] = field(default_factory=list)

    @property
    def best_index(self) -> int:
        """Index of the best onset in ``onsets_m``."""
        return int(np.flatnonzero(self.onsets_m == self.best_kick_onset_m)[0])

    @property
    def best_ci(self) -> tuple[float, float]:
        """95 % Wilson interval of ``best_probability``."""
        lo, hi = self.ci[self.best_index]
        return float(lo), float(hi)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists, no NaN): the attributes and ``curve``, one entry per onset
        with ``onset_m``, ``probability``, ``ci_low``, ``ci_high``, ``win_probability`` and
        ``mean_time_s``."""
        times = self.mean_time_s if self.mean_time_s.size else np.full(self.onsets_m.size, np.nan)
        curve = [
            {
                "onset_m": _num(o),
                "probability": _num(p),
                "ci_low": _num(c[0]),
                "ci_high": _num(c[1]),
                "win_probability": _num(w),
                "mean_time_s": _num(t),
            }
            for o, p, c, w, t in zip(
                self.onsets_m, self.probability, self.ci, self.win_probability, times
            )
        ]
        return {
            "athlete": self.athlete,
            "objective": self.objective,
            "rivals": list(self.rivals),
            "onsets_m": _nums(self.onsets_m),
            "probability": _nums(self.probability),
            "ci": _nums(self.ci),
            "win_probability": _nums(self.win_probability),
            "best_kick_onset_m": _num(self.best_kick_onset_m),
            "best_probability": _num(self.best_probability),
            "best_ci": list(self.best_ci),
            "near_best_m": _nums(self.near_best_m),
            "trials": int(self.trials),
            "text": list(self.text),
            "curve": curve,
        }


@dataclass
class SurgeAdvice:
    """How to surge against a kicker: the athlete's win probability for each surge.

    Attributes
    ----------
    athlete
        The athlete's name.
    kicker
        The rival whose kick the surge must break: the biggest speed reserve MSS − CS among
        the rivals (ties: the highest MSS).
    starts_m
        Candidate surge starts, distance to go, m (ascending).
    speeds_mps
        Candidate surge speeds, m/s (ascending).
    win_probability
        The athlete's win probability, shape ``(n_starts, n_speeds)``, when the kicker covers
        the move (follows it).
    best_surge_start_m, best_surge_speed_mps
        The surge with the highest win probability (ties: the shorter, then slower surge).
    best_win_probability
        Its win probability.
    best_win_ci
        Its 95 % Wilson interval.
    kick_win_probability
        The athlete's win probability sitting and kicking at its best onset instead.
    kicker_lets_go_win_probability
        The athlete's win probability with the best surge when the kicker does not cover it:
        it follows the pack until the surge starts, then runs its own best even pace for the
        remaining distance and kicks from its own onset.
    trials
        Simulated races per candidate.
    text
        Plain sentences for a coach.
    kick_onset_m
        The best sit-and-kick onset of the baseline, m.
    kicker_win_probability
        The kicker's win probability against the best surge when covering it.
    kicker_lets_go_kicker_win_probability
        The kicker's win probability against the best surge when letting it go.
    """

    athlete: str
    kicker: str
    starts_m: np.ndarray
    speeds_mps: np.ndarray
    win_probability: np.ndarray
    best_surge_start_m: float
    best_surge_speed_mps: float
    best_win_probability: float
    best_win_ci: tuple[float, float]
    kick_win_probability: float
    kicker_lets_go_win_probability: float
    trials: int
    text: list[str]
    kick_onset_m: float = math.nan
    kicker_win_probability: float = math.nan
    kicker_lets_go_kicker_win_probability: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists, no NaN) of the attributes."""
        return {
            "athlete": self.athlete,
            "kicker": self.kicker,
            "starts_m": _nums(self.starts_m),
            "speeds_mps": _nums(self.speeds_mps),
            "win_probability": _nums(self.win_probability),
            "best_surge_start_m": _num(self.best_surge_start_m),
            "best_surge_speed_mps": _num(self.best_surge_speed_mps),
            "best_win_probability": _num(self.best_win_probability),
            "best_win_ci": [_num(x) for x in self.best_win_ci],
            "kick_win_probability": _num(self.kick_win_probability),
            "kick_onset_m": _num(self.kick_onset_m),
            "kicker_win_probability": _num(self.kicker_win_probability),
            "kicker_lets_go_win_probability": _num(self.kicker_lets_go_win_probability),
            "kicker_lets_go_kicker_win_probability": _num(
                self.kicker_lets_go_kicker_win_probability
            ),
            "trials": int(self.trials),
            "text": list(self.text),
        }


@dataclass
class Advice:
    """Race advice for one athlete: when to kick and, for a runner without the field's best
    kick, how to surge.

    Attributes
    ----------
    athlete
        The athlete's name.
    course
        The course's parameters (:meth:`kicklab.race.course.Course.to_dict`).
    kick
        :class:`KickAdvice`.
    surge
        :class:`SurgeAdvice`, or ``None`` when no surge advice was asked for (by default: the
        athlete has the field's biggest speed reserve).
    text
        Summary sentences (kick, surge and which plan to race).
    """

    athlete: str
    course: dict[str, Any]
    kick: KickAdvice
    surge: SurgeAdvice | None
    text: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``athlete``, ``course``, ``best_kick_onset_m``,
        ``win_probability`` (at the best onset), ``kick``, ``best_surge_start_m`` and
        ``best_surge_speed_mps`` (``None`` without surge advice), ``surge`` and ``text``."""
        s = self.surge
        return {
            "athlete": self.athlete,
            "course": self.course,
            "objective": self.kick.objective,
            "best_kick_onset_m": _num(self.kick.best_kick_onset_m),
            "win_probability": _num(self.kick.win_probability[self.kick.best_index]),
            "kick": self.kick.to_dict(),
            "best_surge_start_m": None if s is None else _num(s.best_surge_start_m),
            "best_surge_speed_mps": None if s is None else _num(s.best_surge_speed_mps),
            "surge": None if s is None else s.to_dict(),
            "text": list(self.text),
        }


# ----------------------------------------------------------------------------- validation
def _check_field(athlete: Any, rivals: Any) -> list[Runner]:
    """The rivals as a list; the athlete and every rival must be Runners with distinct names."""
    if not isinstance(athlete, Runner):
        raise InvalidValue(f"athlete must be a Runner, got {athlete!r}")
    if isinstance(rivals, Runner | str | bytes) or not isinstance(rivals, Sequence):
        raise InvalidValue(f"rivals must be a list of Runner objects, got {rivals!r}")
    out = list(rivals)
    if not out:
        raise InvalidValue("advice needs at least one rival")
    for r in out:
        if not isinstance(r, Runner):
            raise InvalidValue(f"rivals must be Runner objects, got {r!r}")
    names = [athlete.name, *(r.name for r in out)]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidValue(f"runner names must be distinct; repeated: {', '.join(dup)}")
    return out


def _check_course(course: Any) -> Course:
    if not isinstance(course, Course):
        raise InvalidValue(f"course must be a Course, got {course!r}")
    return course


def _check_run(trials: Any, seed: Any, dt_s: Any) -> tuple[int, int, float]:
    n, dt = check_trials_dt(trials, dt_s)
    # one integer seed, reused for every candidate: common random numbers
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidValue(f"seed must be a non-negative integer, got {seed!r}")
    return n, int(seed), dt


def _grid(values: Any, name: str, lo: float, hi: float, *, hi_open: bool = True) -> np.ndarray:
    """A non-empty, ascending, duplicate-free 1-D grid of finite values in ``(lo, hi)``
    (``(lo, hi]`` with ``hi_open=False``)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValue(f"{name} must be numbers, got {values!r}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidValue(f"{name} must be a non-empty list of numbers")
    if not np.isfinite(arr).all():
        raise InvalidValue(f"{name} must be finite, got {values!r}")
    too_high = arr >= hi if hi_open else arr > hi
    if (arr <= lo).any() or too_high.any():
        bound = f"below {hi:g}" if hi_open else f"at most {hi:g}"
        raise InvalidValue(f"{name} must be above {lo:g} and {bound}, got {values!r}")
    return np.unique(arr)


def _objective(objective: Any, n_runners: int) -> str:
    if objective not in OBJECTIVES:
        raise InvalidValue(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if objective == "podium" and n_runners <= PODIUM_PLACES:
        raise InvalidValue(
            f"objective 'podium' needs more than {PODIUM_PLACES} runners "
            f"(with {n_runners} every runner is on the podium)"
        )
    return str(objective)


# ----------------------------------------------------------------------------- defaults
def default_onsets_m(distance_m: float) -> np.ndarray:
    """Default kick onsets, m: every :data:`ONSET_STEP_M` from 50 m up to
    ``min(MAX_ONSET_M, MAX_ONSET_SHARE·distance)`` (at least one onset)."""
    top = min(MAX_ONSET_M, MAX_ONSET_SHARE * distance_m)
    grid = np.arange(ONSET_STEP_M, top + 1e-9, ONSET_STEP_M)
    return grid if grid.size else np.array([float(round(top))])


def default_starts_m(distance_m: float) -> np.ndarray:
    """Default surge starts, m: every :data:`SURGE_STEP_M` from :data:`MIN_SURGE_M` up to
    ``min(MAX_SURGE_M, MAX_SURGE_SHARE·distance)`` (at least one start)."""
    top = min(MAX_SURGE_M, MAX_SURGE_SHARE * distance_m)
    grid = np.arange(MIN_SURGE_M, top + 1e-9, SURGE_STEP_M)
    return grid if grid.size else np.array([float(round(top))])


def default_speeds_mps(
    runner: Runner, distance_m: float, factors: Sequence[float] = SURGE_SPEED_FACTORS
) -> np.ndarray:
    """Default surge speeds, m/s: the runner's best even pace for the distance times
    ``factors``, keeping those below :data:`_MAX_SURGE_SHARE_OF_MSS` of MSS (at least one)."""
    best = float(best_even_speed_mps(distance_m, runner.cs_mps, runner.d_prime_m, runner.mss_mps))
    speeds = best * np.asarray(factors, dtype=float)
    cap = _MAX_SURGE_SHARE_OF_MSS * runner.mss_mps
    keep = speeds[speeds < cap]
    return keep if keep.size else np.array([0.5 * (best + cap)])


def _share_grid(distance_m: float, shares: Sequence[float]) -> np.ndarray:
    """Distances to go at ``shares`` of the race distance, rounded to 50 m (kept inside the
    race), m."""
    raw = np.asarray(shares, dtype=float) * distance_m
    rounded = np.round(raw / ONSET_STEP_M) * ONSET_STEP_M
    ok = (rounded > 0) & (rounded < distance_m)
    return np.unique(np.where(ok, rounded, raw))


# ----------------------------------------------------------------------------- simulation
def _lead(t: Tactic) -> float | None:
    """Pace a tactic runs when leading: its ``lead_mps``, else ``None`` (best even pace)."""
    return t.lead_mps


def _kick_tactic(runner: Runner, onset_m: float) -> Tactic:
    t = runner.tactic
    return sit_and_kick(float(onset_m), gap_m=t.gap_m, lead_mps=_lead(t))


def _surge_tactic(runner: Runner, start_m: float, speed_mps: float) -> Tactic:
    t = runner.tactic
    return long_surge(
        float(start_m),
        float(speed_mps),
        kick_at_m=min(SURGE_FINAL_KICK_M, float(start_m)),
        gap_m=t.gap_m,
        lead_mps=_lead(t),
    )


def _hold_m(runner: Runner, speed_mps: float) -> float:
    """Distance the runner can hold ``speed_mps`` from a full D', m (Morton's 3-parameter
    time to exhaustion × speed; ``inf`` at or below CS)."""
    t = float(time_to_exhaustion_3p(speed_mps, runner.cs_mps, runner.d_prime_m, runner.mss_mps))
    return speed_mps * t


def _own_onset_m(t: Tactic) -> float:
    """A tactic's kick onset, m (:data:`DEFAULT_KICK_AT_M` when it has none)."""
    return float(t.kick_at_m) if t.kick_at_m > 0 else DEFAULT_KICK_AT_M


def _covering(r: Runner) -> Runner:
    """The rival following the runner ahead (so it covers a move): kept as is when its tactic
    already follows, else sit and kick from its own onset, leading at its own pace."""
    t = r.tactic
    if t.follows:
        return r
    lead = t.speed_mps if t.speed_mps is not None else t.lead_mps
    return replace(r, tactic=sit_and_kick(_own_onset_m(t), gap_m=t.gap_m, lead_mps=lead))


def _letting_go(r: Runner, start_m: float) -> Runner:
    """The rival not covering a move made ``start_m`` metres from the finish: it follows the
    pack until then (as when covering), then runs its own best even pace for the remaining
    distance and kicks from its own onset."""
    t = _covering(r).tactic
    pace = float(best_even_speed_mps(start_m, r.cs_mps, r.d_prime_m, r.mss_mps))
    return replace(
        r,
        tactic=long_surge(
            start_m, pace, kick_at_m=_own_onset_m(t), gap_m=t.gap_m, lead_mps=t.lead_mps
        ),
    )


def _kicker_index(rivals: Sequence[Runner]) -> int:
    """Index of the rival with the biggest speed reserve MSS − CS (ties: the highest MSS)."""
    reserve = np.array([r.mss_mps - r.cs_mps for r in rivals])
    mss = np.array([r.mss_mps for r in rivals])
    # lexsort sorts by the last key first: reserve, then MSS; the last row is the largest
    return int(np.lexsort((mss, reserve))[-1])


@dataclass
class _Outcomes:
    """Per-candidate outcomes of a grid of simulations (athlete = column 0 of the field).

    ``won``/``podium``: (candidates, trials) bool; ``time_s``: (candidates, runners) mean
    finish times, s; ``last_s``: (candidates,) the athlete's mean time over the final split
    segment of ``last_m`` metres; ``win_share``: (candidates, runners).
    """

    won: np.ndarray
    podium: np.ndarray
    time_s: np.ndarray
    last_s: np.ndarray
    last_m: float
    win_share: np.ndarray

    def hits(self, objective: str) -> np.ndarray:
        return self.won if objective == "win" else self.podium


def _nanmean(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean ignoring NaN (runners who did not finish); NaN where every value is NaN."""
    ok = np.isfinite(a)
    n = ok.sum(axis=axis)
    s = np.where(ok, a, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def _run_grid(
    runners: list[Runner],
    tactic_sets: Sequence[Sequence[Tactic | None]],
    course: Course,
    trials: int,
    seed: int,
    dt_s: float,
    tick: _Ticker,
) -> _Outcomes:
    """Simulate ``runners`` with each set of tactics (``None``: the runner's own), all with the
    same seed (common random numbers), and stack the outcomes. With ``tick.batch`` every
    candidate runs in one :func:`~kicklab.race.simulate.simulate_many` call (progress after
    each batch); otherwise one :func:`~kicklab.race.simulate.simulate` call per candidate."""
    if tick.batch:
        start = tick.done
        results = simulate_many(
            runners,
            course,
            tactic_sets,
            trials=trials,
            seed=seed,
            dt_s=dt_s,
            progress=lambda done, _total: tick.to(start + done),
        )
    else:
        results = []
        for tactics in tactic_sets:  # a small grid of candidate tactics, one race each
            fld = [r if t is None else replace(r, tactic=t) for r, t in zip(runners, tactics)]
            results.append(simulate(fld, course, trials=trials, seed=seed, dt_s=dt_s))
            tick()
    won, podium, time_s, last_s, share = [], [], [], [], []
    last_m = course.distance_m
    for res in results:  # summaries of the candidates' vectorised races
        place = res.place
        won.append(place[:, 0] == 1)
        podium.append(place[:, 0] <= PODIUM_PLACES)
        ft = res.finish_time_s
        time_s.append(_nanmean(ft, axis=0))
        marks = res.split_distances_m
        if marks.size >= 2:
            seg = ft[:, 0] - res.split_times_s[:, 0, -2]
            last_m = float(marks[-1] - marks[-2])
        else:
            seg = ft[:, 0]
        last_s.append(float(_nanmean(seg)))
        share.append((place == 1).mean(axis=0))
    return _Outcomes(
        won=np.array(won),
        podium=np.array(podium),
        time_s=np.array(time_s),
        last_s=np.array(last_s),
        last_m=last_m,
        win_share=np.array(share),
    )


def _near_best(hits: np.ndarray, best: int) -> np.ndarray:
    """Candidates not clearly worse than ``best``, compared trial by trial (the same simulated
    days): McNemar's test at 5 %, ``b − c ≤ 1.96·√(b + c)`` with ``b`` the trials only the
    best achieves and ``c`` those only the candidate achieves. Shape ``(candidates,)``."""
    top = hits[best]
    b = (top & ~hits).sum(axis=1)
    c = (~top & hits).sum(axis=1)
    return (b - c) <= _Z95 * np.sqrt(b + c)


def _clearly(a: np.ndarray, b: np.ndarray) -> int:
    """+1 if outcome ``a`` is clearly better than ``b`` over the same trials, −1 if clearly
    worse, 0 if within the uncertainty (McNemar at 5 %)."""
    only_a = int((a & ~b).sum())
    only_b = int((~a & b).sum())
    bound = _Z95 * math.sqrt(only_a + only_b)
    if only_a - only_b > bound:
        return 1
    if only_b - only_a > bound:
        return -1
    return 0


class _Ticker:
    """Counts simulated candidates and reports ``progress(done, total)`` as they complete.

    ``batch`` chooses how candidates are simulated: together, with
    :func:`~kicklab.race.simulate.simulate_many` (progress after each batch of candidates), or
    one :func:`~kicklab.race.simulate.simulate` call each (progress after each); the results
    are the same.
    """

    def __init__(
        self, total: int, progress: Callable[[int, int], Any] | None, batch: Any = True
    ) -> None:
        if progress is not None and not callable(progress):
            raise InvalidValue(f"progress must be callable, got {progress!r}")
        if not isinstance(batch, bool | np.bool_):
            raise InvalidValue(f"batch must be True or False, got {batch!r}")
        self.total, self.done, self.progress = int(total), 0, progress
        self.batch = bool(batch)

    def __call__(self) -> None:
        self.to(self.done + 1)

    def to(self, done: int) -> None:
        """Set the number of candidates done (reported when it grows)."""
        if done > self.done:
            self.done = done
            if self.progress is not None:
                self.progress(self.done, self.total)


# ----------------------------------------------------------------------------- words
def _pct(p: float) -> str:
    return f"{100.0 * p:.0f} %"


def _ci_words(lo: float, hi: float) -> str:
    return f"95 % CI {100.0 * lo:.0f}–{100.0 * hi:.0f} %"


def _speed_words(v: float) -> str:
    sec = round(1000.0 / v)
    return f"{v:.2f} m/s ({400.0 / v:.1f} s per 400 m, {sec // 60}:{sec % 60:02d}/km)"


def _names(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ranges(values: np.ndarray, mask: np.ndarray) -> str:
    """Runs of consecutive grid values where ``mask`` holds, e.g. ``"200–300 m"``."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]]
    parts = [
        f"{values[s]:.0f}" if s == e else f"{values[s]:.0f}–{values[e]:.0f}"
        for s, e in zip(starts, ends)
    ]
    return _names(parts) + " m"


def _verb(objective: str) -> str:
    return "wins" if objective == "win" else f"finishes in the top {PODIUM_PLACES} in"


def _kick_reason(
    out: _Outcomes,
    i: int,
    best: int,
    athlete: str,
    rival: int,
    rival_name: str,
    rival_follows: bool,
) -> str:
    """Why onset ``i`` does worse than ``best``, from mean times (the athlete's race, its last
    split segment, and the main rival's race)."""
    early = i > best  # onsets ascend: a larger index is a longer kick
    parts = []
    d_last = out.last_s[i] - out.last_s[best]
    d_time = out.time_s[i, 0] - out.time_s[best, 0]
    d_rival = out.time_s[i, rival] - out.time_s[best, rival]
    if early and d_last > _TIME_TOL_S:
        parts.append(
            f"{athlete} covers the last {out.last_m:.0f} m {d_last:.1f} s slower, "
            "with D' spent by then"
        )
    elif not early and d_time > _TIME_TOL_S:
        parts.append(
            f"{athlete} finishes {d_time:.1f} s slower on average: "
            "a sprint that short leaves D' unused"
        )
    if early and d_rival < -_TIME_TOL_S:
        helped = ", following the move" if rival_follows else ""
        parts.append(f"{rival_name} finishes {-d_rival:.1f} s faster{helped}")
    if not parts:
        parts.append("mean times barely change; the difference is in the close finishes")
    return "; ".join(parts)


def _kick_text(
    athlete: str,
    rivals: Sequence[Runner],
    objective: str,
    onsets: np.ndarray,
    prob: np.ndarray,
    ci: np.ndarray,
    best: int,
    near: np.ndarray,
    out: _Outcomes,
    trials: int,
) -> list[str]:
    rival = 1 + int(np.argmax(out.win_share[best, 1:]))  # the main threat at the best onset
    rival_name = rivals[rival - 1].name
    names = [r.name for r in rivals]
    text = [
        f"Kick with about {onsets[best]:.0f} m to go: {athlete} {_verb(objective)} "
        f"{_pct(prob[best])} of {trials} simulated races ({_ci_words(*ci[best])}) "
        f"against {_names(names)}."
    ]
    if onsets.size > 1:
        if near.sum() > 1:
            text.append(
                f"Kicking from {_ranges(onsets, near)} to go is within the uncertainty of the "
                "best (the same simulated days compared race by race)."
            )
        else:
            text.append(
                "Every other onset tried is clearly worse (the same simulated days compared "
                "race by race)."
            )
    if onsets.size > 1 and best == onsets.size - 1:
        text.append(
            "The longest kick tried is the best: an even longer move (a long surge) may be "
            "better still."
        )
    elif onsets.size > 1 and best == 0:
        text.append("The shortest kick tried is the best: a later kick may be better still.")
    for i in (onsets.size - 1, 0):
        if i == best or (i == 0 and onsets.size == 1):
            continue
        word = "Kicking from" if i > best else "Waiting until"
        if near[i]:
            text.append(
                f"{word} {onsets[i]:.0f} m gives {_pct(prob[i])}, within the uncertainty of "
                "the best."
            )
        else:
            reason = _kick_reason(
                out, i, best, athlete, rival, rival_name, rivals[rival - 1].tactic.follows
            )
            text.append(f"{word} {onsets[i]:.0f} m drops that to {_pct(prob[i])}: {reason}.")
    return text


# ----------------------------------------------------------------------------- kick
def _kick(
    athlete: Runner,
    rivals: list[Runner],
    course: Course,
    onsets: np.ndarray,
    objective: str,
    trials: int,
    seed: int,
    dt_s: float,
    tick: _Ticker,
) -> tuple[KickAdvice, np.ndarray]:
    """Kick advice and the per-trial wins (onsets, trials) for paired comparisons."""
    others: list[Tactic | None] = [None] * len(rivals)
    sets = [[_kick_tactic(athlete, o), *others] for o in onsets]
    out = _run_grid([athlete, *rivals], sets, course, trials, seed, dt_s, tick)
    hits = out.hits(objective)
    count = hits.sum(axis=1)
    prob = count / trials
    lo, hi = wilson_interval(count, trials)
    ci = np.column_stack([lo, hi])
    best = int(np.argmax(prob))  # onsets ascend: the first maximum is the shortest kick
    near = _near_best(hits, best)
    names = [r.name for r in rivals]
    text = _kick_text(athlete.name, rivals, objective, onsets, prob, ci, best, near, out, trials)
    advice = KickAdvice(
        athlete=athlete.name,
        objective=objective,
        onsets_m=onsets,
        probability=prob,
        ci=ci,
        win_probability=out.won.mean(axis=1),
        best_kick_onset_m=float(onsets[best]),
        best_probability=float(prob[best]),
        trials=trials,
        text=text,
        near_best_m=onsets[near],
        mean_time_s=out.time_s[:, 0],
        rivals=names,
    )
    return advice, out.won


def advise_kick(
    athlete: Runner,
    rivals: Sequence[Runner],
    course: Course,
    *,
    onsets_m: Any = None,
    objective: str = "win",
    trials: int = 400,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    dt_s: float = 0.1,
    batch: bool = True,
) -> KickAdvice:
    """The kick onset that maximises the athlete's win (or podium) probability.

    The athlete sits and kicks (``sit_and_kick(onset, lead_mps=<its tactic's lead_mps>)``)
    from each onset of the grid; the rivals keep their tactics. ``trials`` races per onset,
    the same races for every onset (one ``seed``: common random numbers).

    Parameters
    ----------
    athlete
        The athlete (its tactic's ``lead_mps`` and ``gap_m`` are kept).
    rivals
        The other runners, with their own tactics.
    course
        Course and weather.
    onsets_m
        Candidate kick onsets, distance to go, m (each in ``(0, distance)``); default every
        50 m from 50 m to ``min(800 m, 0.6·distance)``.
    objective
        ``"win"`` or ``"podium"`` (top 3; needs at least 4 runners).
    trials
        Simulated races per onset.
    seed
        Seed shared by every onset.
    progress
        Called as ``progress(done, total)`` as candidates are done (``total`` onsets): after
        each batch of candidates, or after each one with ``batch=False``.
    dt_s
        Time step of the simulator, s.
    batch
        Simulate all candidates together with
        :func:`~kicklab.race.simulate.simulate_many` (default, several times faster);
        ``False``: one :func:`~kicklab.race.simulate.simulate` call per candidate. The results
        are the same.

    Returns
    -------
    KickAdvice
        The curve of probability against onset, the best onset (ties: the shorter kick) and
        sentences for a coach.
    """
    rivals_ = _check_field(athlete, rivals)
    course = _check_course(course)
    trials, seed, dt = _check_run(trials, seed, dt_s)
    objective = _objective(objective, 1 + len(rivals_))
    onsets = default_onsets_m(course.distance_m) if onsets_m is None else onsets_m
    onsets = _grid(onsets, "onsets_m", 0.0, course.distance_m)
    tick = _Ticker(onsets.size, progress, batch)
    return _kick(athlete, rivals_, course, onsets, objective, trials, seed, dt, tick)[0]


# ----------------------------------------------------------------------------- surge
def _surge(
    athlete: Runner,
    rivals: list[Runner],
    course: Course,
    starts: np.ndarray,
    speeds: np.ndarray,
    trials: int,
    seed: int,
    dt_s: float,
    tick: _Ticker,
) -> tuple[_Outcomes, np.ndarray]:
    """Win outcomes of every (start, speed) surge, flattened start-major; and the win
    probability reshaped to (starts, speeds)."""
    others: list[Tactic | None] = [None] * len(rivals)
    sets = [[_surge_tactic(athlete, s, v), *others] for s in starts for v in speeds]
    out = _run_grid([athlete, *rivals], sets, course, trials, seed, dt_s, tick)
    return out, out.won.mean(axis=1).reshape(starts.size, speeds.size)


def _surge_advice(
    athlete: Runner,
    rivals: list[Runner],
    course: Course,
    starts: np.ndarray,
    speeds: np.ndarray,
    trials: int,
    seed: int,
    dt_s: float,
    tick: _Ticker,
    kick: tuple[KickAdvice, np.ndarray] | None,
    onsets: np.ndarray,
) -> SurgeAdvice:
    k = _kicker_index(rivals)
    kicker = rivals[k]
    covered = [(_covering(r) if i == k else r) for i, r in enumerate(rivals)]
    if kick is None:
        kick = _kick(athlete, covered, course, onsets, "win", trials, seed, dt_s, tick)
    kick_adv, kick_won = kick
    kick_best = int(np.argmax(kick_adv.win_probability))
    kick_p = float(kick_adv.win_probability[kick_best])

    out, prob = _surge(athlete, covered, course, starts, speeds, trials, seed, dt_s, tick)
    flat = int(np.argmax(out.won.mean(axis=1)))  # start-major: ties → shorter, then slower
    bs, bv = np.unravel_index(flat, prob.shape)
    best_start, best_speed = float(starts[bs]), float(speeds[bv])
    count = int(out.won[flat].sum())
    lo, hi = wilson_interval(count, trials)
    best_p = count / trials

    lets = [(_letting_go(r, best_start) if i == k else r) for i, r in enumerate(rivals)]
    surge_runner = replace(athlete, tactic=_surge_tactic(athlete, best_start, best_speed))
    go = _run_grid(
        [surge_runner, *lets], [[None] * (1 + len(lets))], course, trials, seed, dt_s, tick
    )
    go_p = float(go.won.mean())

    text = _surge_text(
        athlete.name,
        kicker.name,
        starts,
        speeds,
        out,
        flat,
        best_p,
        (float(lo), float(hi)),
        kick_adv.onsets_m[kick_best],
        kick_p,
        kick_won[kick_best],
        go,
        _own_onset_m(kicker.tactic),
        k,
        trials,
        _hold_m(athlete, best_speed),
    )
    return SurgeAdvice(
        athlete=athlete.name,
        kicker=kicker.name,
        starts_m=starts,
        speeds_mps=speeds,
        win_probability=prob,
        best_surge_start_m=best_start,
        best_surge_speed_mps=best_speed,
        best_win_probability=float(best_p),
        best_win_ci=(float(lo), float(hi)),
        kick_win_probability=kick_p,
        kicker_lets_go_win_probability=go_p,
        trials=trials,
        text=text,
        kick_onset_m=float(kick_adv.onsets_m[kick_best]),
        kicker_win_probability=float(out.win_share[flat, k + 1]),
        kicker_lets_go_kicker_win_probability=float(go.win_share[0, k + 1]),
    )


def _surge_text(
    athlete: str,
    kicker: str,
    starts: np.ndarray,
    speeds: np.ndarray,
    out: _Outcomes,
    flat: int,
    best_p: float,
    best_ci: tuple[float, float],
    kick_onset: float,
    kick_p: float,
    kick_won: np.ndarray,
    go: _Outcomes,
    kicker_onset: float,
    k: int,
    trials: int,
    hold_m: float,
) -> list[str]:
    bs, bv = np.unravel_index(flat, (starts.size, speeds.size))
    sustainable = hold_m >= starts[bs]
    how = (
        f", hold it and go all out over the last {min(SURGE_FINAL_KICK_M, starts[bs]):.0f} m"
        if sustainable
        else ""
    )
    text = [
        f"Surge with about {starts[bs]:.0f} m to go at {_speed_words(speeds[bv])}{how}: "
        f"{athlete} wins {_pct(best_p)} of {trials} simulated races ({_ci_words(*best_ci)}) "
        f"when {kicker} covers the move."
    ]
    verdict = _clearly(out.won[flat], kick_won)
    plan = {
        1: "the surge is clearly the better plan",
        -1: "sitting and kicking is clearly the better plan",
        0: "the two plans are within the uncertainty of each other",
    }[verdict]
    text.append(f"Sitting and kicking from {kick_onset:.0f} m instead wins {_pct(kick_p)}: {plan}.")
    if not sustainable:
        text.append(
            f"{athlete}'s D' holds that speed for only about {hold_m:.0f} m (fresh, Morton's "
            "model), so the surge turns into an all-out effort to the line."
        )
    edges = []
    if starts.size > 1 and bs == starts.size - 1:
        edges.append("the earliest start")
    if speeds.size > 1 and bv == speeds.size - 1:
        edges.append("the fastest speed")
    if edges:
        text.append(
            f"The best surge is at {' and '.join(edges)} tried: a longer or harder move may "
            "do as well or better."
        )
    near = _near_best(out.won, flat)
    if near.sum() > 1:
        cells = np.unravel_index(np.flatnonzero(near), (starts.size, speeds.size))
        s_lo, s_hi = starts[cells[0]].min(), starts[cells[0]].max()
        v_lo, v_hi = speeds[cells[1]].min(), speeds[cells[1]].max()
        where = f"{s_lo:.0f} m" if s_lo == s_hi else f"{s_lo:.0f}–{s_hi:.0f} m"
        pace = f"{v_lo:.2f} m/s" if v_lo == v_hi else f"{v_lo:.2f}–{v_hi:.2f} m/s"
        text.append(
            f"Other surges from {where} to go at {pace} are within the uncertainty of the best."
        )
    go_p = float(go.won.mean())
    k_cover = float(out.win_share[flat, k + 1])
    k_go = float(go.win_share[0, k + 1])
    if k_go > k_cover:
        answer = f"letting the move go is {kicker}'s better answer"
    elif k_go < k_cover:
        answer = f"covering the move is {kicker}'s better answer"
    else:
        answer = f"{kicker} does as well either way"
    text.append(
        f"If {kicker} lets the surge go, running its own even pace from there and kicking from "
        f"{kicker_onset:.0f} m, "
        f"{athlete} wins {_pct(go_p)}; {kicker} wins {_pct(k_go)} that way against "
        f"{_pct(k_cover)} when covering, so {answer}."
    )
    if best_p < 0.5:
        text.append(f"Even the best surge wins less than half of the races against {kicker}.")
    return text


def _surge_grids(
    athlete: Runner, course: Course, starts_m: Any, speeds_mps: Any
) -> tuple[np.ndarray, np.ndarray]:
    starts = default_starts_m(course.distance_m) if starts_m is None else starts_m
    starts = _grid(starts, "starts_m", 0.0, course.distance_m)
    speeds = default_speeds_mps(athlete, course.distance_m) if speeds_mps is None else speeds_mps
    speeds = _grid(speeds, "speeds_mps", 0.0, ALL_OUT_MPS, hi_open=False)
    return starts, speeds


def advise_surge(
    athlete: Runner,
    rivals: Sequence[Runner],
    course: Course,
    *,
    starts_m: Any = None,
    speeds_mps: Any = None,
    trials: int = 400,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    onsets_m: Any = None,
    dt_s: float = 0.1,
    batch: bool = True,
) -> SurgeAdvice:
    """The long surge (start, speed) that best beats the field's kicker, who covers it.

    The kicker is the rival with the biggest speed reserve MSS − CS (ties: the highest MSS).
    It *covers* the move: a kicker whose tactic already follows (``sit_and_kick``, ``follow``,
    ``long_surge``) keeps it; otherwise it sits and kicks from its own onset
    (:data:`DEFAULT_KICK_AT_M` if none). The athlete runs
    ``long_surge(start, speed, kick_at_m=100)`` (all out over the last
    :data:`SURGE_FINAL_KICK_M`) for every start and speed of the grid. Baselines: the athlete
    sitting and kicking at its best onset against the same field, and the best surge when the
    kicker lets it go (from the surge start it runs its own best even pace for the remaining
    distance instead of following, and kicks from its onset). Every simulation
    uses the same ``seed`` (common random numbers).

    Parameters
    ----------
    athlete, rivals, course
        As in :func:`advise_kick`.
    starts_m
        Surge starts, distance to go, m; default every 100 m from 300 m to
        ``min(2000 m, 0.8·distance)``.
    speeds_mps
        Surge speeds, m/s; default the athlete's best even pace × :data:`SURGE_SPEED_FACTORS`,
        below its MSS.
    trials, seed, progress, dt_s, batch
        As in :func:`advise_kick`; ``progress`` counts every candidate (kick baseline, surge
        grid, kicker letting go).
    onsets_m
        Kick onsets of the sit-and-kick baseline, m (default as in :func:`advise_kick`).

    Returns
    -------
    SurgeAdvice
    """
    rivals_ = _check_field(athlete, rivals)
    course = _check_course(course)
    trials, seed, dt = _check_run(trials, seed, dt_s)
    starts, speeds = _surge_grids(athlete, course, starts_m, speeds_mps)
    onsets = default_onsets_m(course.distance_m) if onsets_m is None else onsets_m
    onsets = _grid(onsets, "onsets_m", 0.0, course.distance_m)
    tick = _Ticker(onsets.size + starts.size * speeds.size + 1, progress, batch)
    return _surge_advice(
        athlete, rivals_, course, starts, speeds, trials, seed, dt, tick, None, onsets
    )


# ----------------------------------------------------------------------------- advise
def advise(
    athlete: Runner,
    rivals: Sequence[Runner],
    course: Course,
    *,
    objective: str = "win",
    trials: int = 400,
    seed: int = 0,
    surge: bool | None = None,
    progress: Callable[[int, int], Any] | None = None,
    onsets_m: Any = None,
    starts_m: Any = None,
    speeds_mps: Any = None,
    dt_s: float = 0.1,
    batch: bool = True,
) -> Advice:
    """Race advice: the best kick onset and, for a runner without the field's best kick, the
    best long surge.

    Parameters
    ----------
    athlete, rivals, course, objective, trials, seed, onsets_m, dt_s, batch
        As in :func:`advise_kick`.
    surge
        Give surge advice; ``None`` (default): when the athlete's speed reserve MSS − CS is
        below the biggest rival's.
    progress
        Called as ``progress(done, total)`` as candidates are done (kick and surge together).
    starts_m, speeds_mps
        Surge grids, as in :func:`advise_surge`.

    Returns
    -------
    Advice
    """
    rivals_ = _check_field(athlete, rivals)
    course = _check_course(course)
    trials, seed, dt = _check_run(trials, seed, dt_s)
    objective = _objective(objective, 1 + len(rivals_))
    if surge is None:
        best_rival = max(r.mss_mps - r.cs_mps for r in rivals_)
        surge = athlete.mss_mps - athlete.cs_mps < best_rival
    elif not isinstance(surge, bool | np.bool_):
        raise InvalidValue(f"surge must be True, False or None, got {surge!r}")
    onsets = default_onsets_m(course.distance_m) if onsets_m is None else onsets_m
    onsets = _grid(onsets, "onsets_m", 0.0, course.distance_m)
    total = onsets.size
    if surge:
        starts, speeds = _surge_grids(athlete, course, starts_m, speeds_mps)
        k = _kicker_index(rivals_)
        # the kick baseline of the surge advice is the kick advice itself when the kicker
        # already covers moves (the same field; the baseline uses the win curve)
        reuse = _covering(rivals_[k]) is rivals_[k]
        total += starts.size * speeds.size + 1 + (0 if reuse else onsets.size)
    tick = _Ticker(total, progress, batch)
    kick = _kick(athlete, rivals_, course, onsets, objective, trials, seed, dt, tick)
    surge_adv = None
    if surge:
        surge_adv = _surge_advice(
            athlete,
            rivals_,
            course,
            starts,
            speeds,
            trials,
            seed,
            dt,
            tick,
            kick if reuse else None,
            onsets,
        )
    return Advice(
        athlete=athlete.name,
        course=course.to_dict(),
        kick=kick[0],
        surge=surge_adv,
        text=_summary(athlete.name, kick[0], surge_adv),
    )


def _summary(athlete: str, kick: KickAdvice, surge: SurgeAdvice | None) -> list[str]:
    text = [kick.text[0]]
    if surge is None:
        return text
    text += surge.text[:2]
    if surge.best_win_probability > surge.kick_win_probability:
        plan = (
            f"Race plan: surge from about {surge.best_surge_start_m:.0f} m at "
            f"{surge.best_surge_speed_mps:.2f} m/s rather than wait for a sprint against "
            f"{surge.kicker}."
        )
    else:
        plan = (
            f"Race plan: sit and kick from about {kick.best_kick_onset_m:.0f} m; no surge tried "
            f"beats it against {surge.kicker}."
        )
    return [*text, plan]


# ----------------------------------------------------------------------------- threshold
def _threshold(deltas: np.ndarray, surge_p: np.ndarray, kick_p: np.ndarray) -> float | None:
    """Smallest CS increase at which the best surge wins more than half of the races and more
    often than sitting and kicking, linearly interpolated between grid points; ``None`` if no
    grid point qualifies (the first grid point if it already does)."""
    margin = np.minimum(surge_p - 0.5, surge_p - kick_p)
    ok = margin > 0
    if not ok.any():
        return None
    i = int(np.argmax(ok))
    if i == 0:
        return float(deltas[0])
    d0, d1, m0, m1 = deltas[i - 1], deltas[i], margin[i - 1], margin[i]
    return float(d0 + (d1 - d0) * (-m0) / (m1 - m0))


def surge_threshold(
    kicker: Runner,
    surger: Runner,
    course: Course,
    *,
    deltas_cs_mps: Any = None,
    trials: int = 300,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    starts_m: Any = None,
    speed_factors: Any = None,
    onsets_m: Any = None,
    dt_s: float = 0.1,
    batch: bool = True,
) -> dict[str, Any]:
    """How much higher the surger's critical speed must be for a long surge to beat a kicker.

    For each CS increase ``δ`` the surger (same D' and MSS, CS raised by ``δ``) races the
    kicker, who covers moves (as in :func:`advise_surge`), with every surge of a coarse grid and
    with sit-and-kick at a few onsets. The threshold is the smallest ``δ`` at which the best
    surge wins more than 50 % of the races *and* more often than the best kick, linearly
    interpolated between grid points.

    Parameters
    ----------
    kicker, surger
        The two runners (distinct names; the surger's CS + δ must stay below its MSS).
    course
        Course and weather.
    deltas_cs_mps
        CS increases, m/s (ascending; default :data:`THRESHOLD_DELTAS_CS_MPS`).
    trials, seed, progress, dt_s, batch
        As in :func:`advise_kick`.
    starts_m
        Surge starts, distance to go, m; default 0.45, 0.6 and 0.75 of the distance.
    speed_factors
        Surge speeds as multiples of the surger's best even pace at each ``δ``; default
        1.05, 1.11, 1.17 (below MSS).
    onsets_m
        Kick onsets of the surger's alternative, m; default 0.1, 0.2 and 0.35 of the distance.

    Returns
    -------
    dict
        ``deltas_cs_mps``, ``best_surge_win_probability``, ``kick_win_probability``,
        ``best_surge_start_m``, ``best_surge_speed_mps``, ``kick_onset_m`` (lists, one per δ),
        ``threshold_cs_mps`` (float or ``None`` when no δ qualifies), ``trials`` and ``text``.
    """
    _check_field(surger, [kicker])
    course = _check_course(course)
    trials, seed, dt = _check_run(trials, seed, dt_s)
    dist = course.distance_m
    deltas = THRESHOLD_DELTAS_CS_MPS if deltas_cs_mps is None else deltas_cs_mps
    deltas = _grid(deltas, "deltas_cs_mps", -math.inf, surger.mss_mps - surger.cs_mps)
    starts = _share_grid(dist, _THRESHOLD_START_SHARES) if starts_m is None else starts_m
    starts = _grid(starts, "starts_m", 0.0, dist)
    factors = _THRESHOLD_SPEED_FACTORS if speed_factors is None else speed_factors
    factors = _grid(factors, "speed_factors", 0.0, ALL_OUT_MPS)
    onsets = _share_grid(dist, _THRESHOLD_ONSET_SHARES) if onsets_m is None else onsets_m
    onsets = _grid(onsets, "onsets_m", 0.0, dist)
    runners = [replace(surger, cs_mps=surger.cs_mps + float(d)) for d in deltas]
    speeds = [default_speeds_mps(r, dist, factors) for r in runners]
    tick = _Ticker(sum(onsets.size + starts.size * s.size for s in speeds), progress, batch)
    covered = [_covering(kicker)]
    surge_p, kick_p, best_start, best_speed, best_onset = [], [], [], [], []
    for r, v in zip(runners, speeds):  # a small grid of CS increases
        kick, _ = _kick(r, covered, course, onsets, "win", trials, seed, dt, tick)
        out, prob = _surge(r, covered, course, starts, v, trials, seed, dt, tick)
        bs, bv = np.unravel_index(int(np.argmax(prob)), prob.shape)
        surge_p.append(float(prob[bs, bv]))
        best_start.append(float(starts[bs]))
        best_speed.append(float(v[bv]))
        kick_p.append(float(kick.win_probability.max()))
        best_onset.append(float(kick.onsets_m[int(np.argmax(kick.win_probability))]))
    sp, kp = np.array(surge_p), np.array(kick_p)
    thr = _threshold(deltas, sp, kp)
    text = _threshold_text(kicker, surger, deltas, sp, kp, thr, trials)
    return {
        "kicker": kicker.name,
        "surger": surger.name,
        "deltas_cs_mps": _nums(deltas),
        "best_surge_win_probability": _nums(sp),
        "kick_win_probability": _nums(kp),
        "best_surge_start_m": best_start,
        "best_surge_speed_mps": best_speed,
        "kick_onset_m": best_onset,
        "threshold_cs_mps": thr,
        "trials": trials,
        "text": text,
    }


def _threshold_text(
    kicker: Runner,
    surger: Runner,
    deltas: np.ndarray,
    surge_p: np.ndarray,
    kick_p: np.ndarray,
    thr: float | None,
    trials: int,
) -> list[str]:
    k, s = kicker.name, surger.name
    if thr is None:
        return [
            f"No CS increase tried (up to {deltas[-1]:+.2f} m/s) lets {s}'s best long surge win "
            f"more than half of {trials} simulated races against {k} and beat sitting and "
            f"kicking: the best surge wins {_pct(surge_p[-1])} at {deltas[-1]:+.2f} m/s."
        ]
    cs = surger.cs_mps + thr
    above = f"{thr:+.2f} m/s on its current {surger.cs_mps:.2f} m/s"
    if cs != kicker.cs_mps and surger.cs_mps != kicker.cs_mps:
        above += f", {cs - kicker.cs_mps:+.2f} m/s against {k}'s {kicker.cs_mps:.2f} m/s"
    text = [
        f"A long surge beats {k} only when {s}'s CS is at least {cs:.2f} m/s ({above}): from "
        "there the best surge wins more than half of the races and more often than sitting "
        "and kicking."
    ]
    i = int(np.argmax(deltas >= thr))
    at = (
        f"At {deltas[i]:+.2f} m/s the best surge wins {_pct(surge_p[i])} and sitting and "
        f"kicking {_pct(kick_p[i])}"
    )
    if i > 0:
        at += f"; at {deltas[0]:+.2f} m/s they win {_pct(surge_p[0])} and {_pct(kick_p[0])}"
    text.append(f"{at} ({trials} simulated races each).")
    return text
