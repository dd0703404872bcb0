"""Monte Carlo race simulation: many trials of a field of runners on a course, all at once.

Model (per runner, per time step ``dt``; all ``trials × runners`` updated together, the only
Python loop is over time steps):

1. **Pack.** Runners are ordered by position in each trial (single file). The runner directly
   ahead sets the gap and the speed the tactic reacts to (:meth:`TacticTable.desired_speed`).
   A runner overlapping the one ahead (gap < :data:`PASS_GAP_M`) and wanting to go faster is
   *passing*: side by side, out of the draft, and one lane wider on a bend (extra distance).
2. **Air and drafting.** The air-resistance share of the cost of running,
   :func:`kicklab.environment.air.air_cost_fraction`, with the tail-wind component of the course
   at the runner's position and :func:`kicklab.environment.air.draft_factor` of the gap (the
   leader and runners with ``draft=False`` pay the full cost).
3. **Metabolic-equivalent speed.** ``v_eq = k·v`` where ``k`` compares the cost of running here
   with the cost of running alone on a flat track in calm air (where CS, D' and MSS are
   measured): ``k = (C(i)/C(0) + a(v, wind, draft)) / (1 + a(v, 0, 1)) · bend · heat`` —
   grade cost from :func:`kicklab.environment.terrain.flat_equivalent_speed` (Minetti 2002),
   ``a`` the air-cost fraction, bend cost from :func:`kicklab.environment.track.bend_cost_factor`
   and heat ``1 + heat_slowdown_fraction(WBGT)`` (Ely 2007).
4. **Dynamics.** Morton 3-parameter cap on the equivalent speed (SCIENCE.md §5):
   ``v_eq ≤ CS + (MSS − CS)·D'bal/D'``; speed changes at most :data:`ACCEL_MPS2` per second.
5. **D' balance** on the equivalent speed, solved exactly over the step for a constant speed:
   above CS ``D'bal −= (v_eq − CS)·dt``; below CS the differential model of Skiba & Clarke 2021
   (``τ = D'/(CS − v_eq)``, the default of :mod:`kicklab.physiology.balance`):
   ``D'bal = D' − (D' − D'bal)·exp(−(CS − v_eq)·dt/D')``.
6. **Obstacles** (steeplechase): each clearance loses a fixed distance of running
   (``clearance_time_s`` × speed) and its extra work, ``clearance_energy_m`` — metres of
   running that cost the same energy (:mod:`kicklab.environment.barriers`) — is paid as that
   many more metres run at the runner's current effort, aerobic and anaerobic alike (the work
   of a jump is done within the race's metabolic mix, not from D' alone). Both are paid over as
   many steps as it takes, so they do not depend on ``dt``.

Split and finish times are interpolated linearly inside the step in which a runner crosses the
mark, so they do not jump by ``dt``.

:func:`simulate_many` runs the same races once per set of candidate tactics, in vectorised
batches of variants × trials (one row of the state arrays each), with the day-to-day draws
shared by every variant (common random numbers): each variant's result equals
:func:`simulate` of that field with the same seed. Variants that differ only in their moves
(kick onset, surge start and speed) run alike until the first of those moves, so the loop runs
one of them from the gun and copies its rows for each of the others when it starts to differ.
The step loop keeps the pack order from step to step and sorts only the trials in which
someone passed, looks the course up in tables of its grid, works in preallocated buffers and
drops the trials in which every runner has finished.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue
from kicklab.race.course import Course, CourseProfile
from kicklab.race.runner import Runner, Tactic, TacticTable

__all__ = [
    "RaceResult",
    "simulate",
    "simulate_many",
    "wilson_interval",
    "ACCEL_MPS2",
    "PASS_GAP_M",
    "SPLIT_M",
]

#: Largest change of speed per second during a race, m/s²: in distance races speed changes
#: are gradual — a 1500 m kick from 6.5 to 8 m/s takes about 1.5–2 s of strides — and the
#: start of a distance race reaches pace within ~6 s. (A 100 m start is ~3–4 m/s² at first;
#: the simulator is not meant for sprints.) The same limit applies when slowing by choice;
#: running out of D' slows a runner as fast as the Morton cap falls.
ACCEL_MPS2 = 1.0
#: Gap below which a runner overlaps the runner ahead, m: about the depth of a runner's body
#: and stride (half of the default 1 m following gap), i.e. side by side.
PASS_GAP_M = 0.5
#: Split interval, m: one lap of a standard track.
SPLIT_M = 400.0
#: Random start order: each runner starts up to this far behind the line, m. A few
#: centimetres (≈ 10 ms at race pace) only breaks ties in the start order at random, so no
#: runner is favoured by its index.
START_JITTER_M = 0.05
#: Lowest speed used in the cost factors, m/s: avoids 0/0 at the standing start (walking pace;
#: below it air and bend costs are negligible anyway).
_V_FLOOR_MPS = 1.0
#: Smallest MSS over CS after the day-to-day draws: the Morton cap needs MSS > CS.
_MIN_MSS_OVER_CS = 1.01
#: Day-to-day draws are truncated at ±3 SD so that no draw is unphysical (negative or huge).
_DRAW_CLIP_SD = 3.0
#: Most trials × runners of one simulation (of each variant in :func:`simulate_many`): races
#: run in batches of :data:`_BATCH_CELLS`, so this bounds the results (split times: 8 bytes
#: per cell and mark, 320 MB at 1500 m) and, with traces (one batch), the state (~40 arrays).
_MAX_CELLS = 10_000_000
#: Races × runners per vectorised loop (one batch), cells. Measured on a 2-core machine
#: (benchmarks/bench_advice.py, ``advise`` with surge advice at 1500 m): 4.8 s at 16 384
#: cells, 4.0 s at 32 768, 4.1 s at 65 536, 4.2 s at 131 072, 4.9 s at 262 144. Smaller
#: batches pay numpy's fixed cost per operation more often; larger ones outgrow the processor
#: caches (~40 work arrays of 8 bytes per cell).
_BATCH_CELLS = 32_768
#: Body mass of the air-cost model, kg: the default of
#: :func:`kicklab.environment.air.air_cost_fraction`, which the simulator has always used.
_AIR_MASS_KG = 70.0
#: z of a two-sided 95 % interval.
_Z95 = 1.959963984540054


def wilson_interval(successes: Any, n: int, z: float = _Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (Wilson 1927, JASA 22:209).

    Parameters
    ----------
    successes
        Number of successes (array allowed; may be fractional for shared wins).
    n
        Number of trials (> 0).
    z
        Standard-normal quantile (1.96 for 95 %).

    Returns
    -------
    low, high
        Interval bounds (proportions in [0, 1]).
    """
    if n <= 0:
        raise InvalidValue(f"n must be > 0, got {n}")
    p = np.asarray(successes, dtype=float) / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    # at p = 0 or 1 the bound equals p exactly; rounding must not move it past p
    return np.clip(np.minimum(centre - half, p), 0.0, 1.0), np.clip(
        np.maximum(centre + half, p), 0.0, 1.0
    )


@dataclass
class RaceResult:
    """Outcome of :func:`simulate`.

    Attributes
    ----------
    runners
        Runner names, in input order (the column order of every array).
    finish_time_s
        Finish times, s, shape ``(trials, runners)`` (NaN: did not finish in the time limit).
    place
        Finishing place, 1 = winner, shape ``(trials, runners)``.
    win_probability
        Share of trials each runner won, shape ``(runners,)``.
    win_ci
        95 % Wilson interval of ``win_probability``, shape ``(runners, 2)``.
    split_distances_m
        Split marks, m (every :data:`SPLIT_M` and the finish).
    split_times_s
        Cumulative time at each mark, s, shape ``(trials, runners, marks)``.
    traces
        With ``traces=True``: ``time_s`` (steps,) and ``distance_m``, ``speed_mps``,
        ``d_balance_m``, ``draft`` of shape ``(steps, trace_trials, runners)``; else ``None``.
    settings
        Trials, seed, step and the course and runner parameters.
    """

    runners: list[str]
    finish_time_s: np.ndarray
    place: np.ndarray
    win_probability: np.ndarray
    win_ci: np.ndarray
    split_distances_m: np.ndarray
    split_times_s: np.ndarray
    traces: dict[str, np.ndarray] | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def trials(self) -> int:
        return int(self.finish_time_s.shape[0])

    @property
    def splits(self) -> pd.DataFrame:
        """Mean cumulative time (``time_s``) and mean segment time (``split_s``) per runner at
        every mark (``distance_m``), long format."""
        mean = np.nanmean(self.split_times_s, axis=0) if self.trials else self.split_times_s[0]
        seg = np.diff(mean, axis=1, prepend=0.0)
        r, m = np.meshgrid(np.arange(len(self.runners)), np.arange(mean.shape[1]), indexing="ij")
        return pd.DataFrame(
            {
                "runner": np.asarray(self.runners, dtype=object)[r.ravel()],
                "distance_m": self.split_distances_m[m.ravel()],
                "time_s": mean.ravel(),
                "split_s": seg.ravel(),
            }
        )

    def summary(self) -> pd.DataFrame:
        """One row per runner: win probability and interval, mean/SD finish time, mean place."""
        return pd.DataFrame(
            {
                "runner": self.runners,
                "win_probability": self.win_probability,
                "win_ci_low": self.win_ci[:, 0],
                "win_ci_high": self.win_ci[:, 1],
                "mean_time_s": np.nanmean(self.finish_time_s, axis=0),
                "sd_time_s": np.nanstd(self.finish_time_s, axis=0),
                "mean_place": self.place.mean(axis=0),
                "podium_probability": (self.place <= 3).mean(axis=0),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``runners`` (list of dicts with ``win_probability``…),
        ``splits`` and ``settings`` (per-trial arrays are left out)."""

        def num(x: Any) -> float | None:
            x = float(x)
            return x if math.isfinite(x) else None

        rows = self.summary().to_dict(orient="records")
        runners = [{k: (num(v) if k != "runner" else v) for k, v in row.items()} for row in rows]
        for row in runners:
            row["name"] = row.pop("runner")
        splits = [
            {k: (num(v) if k != "runner" else v) for k, v in row.items()}
            for row in self.splits.to_dict(orient="records")
        ]
        return {
            "trials": self.trials,
            "runners": runners,
            "splits": splits,
            "settings": self.settings,
        }


# ----------------------------------------------------------------------------- environment
@dataclass(frozen=True)
class _Env:
    """The course and its environment models, tabulated once on the course grid so that the
    step loop only looks values up (every table is ``None`` when the course does not need it).

    The air, draft and bend costs are evaluated in the step loop with the same arithmetic, in
    the same order, as :func:`kicklab.environment.air.air_cost_fraction` (default body mass,
    drag area, air density and efficiency), :func:`kicklab.environment.air.draft_factor` and
    :func:`kicklab.environment.track.bend_cost_factor`: the same numbers, without the input
    checks that would otherwise run ~20 times per step.
    """

    inv_step: float  # 1 / grid spacing, 1/m
    last: int  # last grid index
    cost_ratio: np.ndarray | None  # C(i)/C(0) (hills)
    tailwind: np.ndarray | None  # tail-wind component, m/s (wind)
    g_r_lane: np.ndarray | None  # g·r of the running line (bends; inf on straights)
    g_r_wide: np.ndarray | None  # g·r one lane wider (passing on a bend)
    prog_lane: np.ndarray | None  # progress along lane 1 per metre run in the field's lane
    prog_wide: np.ndarray | None  # ... and one lane wider
    heat: float  # 1 + heat slowdown fraction
    air_c: float  # ½·ρ·CdA, N·s²/m² (evaluated as in aero_force_n)
    air_denom: float  # η·m·C(0) of air_cost_fraction, J/m
    tail_benefit: float  # share of a tailwind's saving that counts
    draft_min: float  # draft factor at and below draft_gap
    draft_gap: float  # gap of the full shelter, m
    draft_len: float  # length over which the shelter fades, m
    bend_share: float  # share of the cost that scales with the leg force on a bend
    bar_pos: np.ndarray | None  # obstacle positions, m (steeplechase)
    bar_energy: np.ndarray | None  # extra work of each clearance, m of running
    bar_loss: np.ndarray | None  # distance lost per clearance, m

    @property
    def needs_index(self) -> bool:
        return self.cost_ratio is not None or self.tailwind is not None or self.g_r_lane is not None


def _environment(course: Course, prof: CourseProfile) -> _Env:
    from kicklab.environment.air import (
        AIR_COST_EFFICIENCY,
        CDA_M2,
        DRAFT_LENGTH_M,
        DRAFT_MIN_FACTOR,
        DRAFT_MIN_GAP_M,
        FLAT_COST_J_PER_KG_M,
        RHO_KG_M3,
        TAILWIND_BENEFIT,
    )
    from kicklab.environment.track import BEND_FORCE_COST_SHARE

    cost_ratio = None
    if np.any(prof.grade != 0):
        from kicklab.environment.terrain import flat_equivalent_speed

        # flat-equivalent speed per m/s of running speed: C(i)/C(0) at each grid point
        cost_ratio = np.asarray(flat_equivalent_speed(np.ones_like(prof.grade), prof.grade))
    tailwind = prof.tailwind_mps if np.any(prof.tailwind_mps != 0) else None
    g_r_lane = g_r_wide = prog_lane = prog_wide = None
    r1 = prof.bend_radius_m  # inf off bends
    if np.isfinite(r1).any():
        from kicklab.environment.track import G_MPS2, lane_radius_m

        g_r_lane = G_MPS2 * r1
        g_r_wide = G_MPS2 * prof.bend_radius_wide_m
        # progress along lane 1 per metre run, in the field's lane and one lane wider
        lane1 = float(lane_radius_m(1))
        prog_lane = np.where(np.isfinite(r1), lane1 / r1, 1.0)
        prog_wide = np.where(
            np.isfinite(prof.bend_radius_wide_m), lane1 / prof.bend_radius_wide_m, 1.0
        )
    heat = 1.0
    if course.wbgt_c is not None:
        from kicklab.environment.heat import heat_slowdown_fraction

        heat = 1.0 + float(
            heat_slowdown_fraction(course.wbgt_c, level=course.heat_level, sex=course.sex)
        )
    bar_pos = bar_energy = bar_loss = None
    if len(prof.barriers):
        from kicklab.environment.barriers import clearance_energy_m, clearance_time_s

        bar_pos = prof.barriers["distance_m"].to_numpy(float)
        kinds = prof.barriers["kind"].to_numpy()
        from kicklab.environment.barriers import BARRIER_HEIGHT_M

        height = BARRIER_HEIGHT_M[course.sex]
        bar_energy = np.array([float(clearance_energy_m(k, height)) for k in kinds])
        # distance lost per clearance, m (clearance time × speed: independent of the speed)
        bar_loss = np.array([float(clearance_time_s(k, 1.0)) for k in kinds])
    return _Env(
        inv_step=1.0 / prof.step_m,
        last=prof.distance_m.size - 1,
        cost_ratio=cost_ratio,
        tailwind=tailwind,
        g_r_lane=g_r_lane,
        g_r_wide=g_r_wide,
        prog_lane=prog_lane,
        prog_wide=prog_wide,
        heat=heat,
        air_c=0.5 * RHO_KG_M3 * CDA_M2,
        air_denom=AIR_COST_EFFICIENCY * _AIR_MASS_KG * FLAT_COST_J_PER_KG_M,
        tail_benefit=TAILWIND_BENEFIT,
        draft_min=DRAFT_MIN_FACTOR,
        draft_gap=DRAFT_MIN_GAP_M,
        draft_len=DRAFT_LENGTH_M,
        bend_share=BEND_FORCE_COST_SHARE,
        bar_pos=bar_pos,
        bar_energy=bar_energy,
        bar_loss=bar_loss,
    )


# ----------------------------------------------------------------------------- costs
def _draft_factor(
    env: _Env, gap: np.ndarray, out: np.ndarray | None = None, zeros: np.ndarray | None = None
) -> np.ndarray:
    """:func:`kicklab.environment.air.draft_factor` of ``max(gap, 0)`` (gap in m, finite),
    with the same arithmetic: ``min + (1 − min)·(−expm1(−max(gap − gap_min, 0)/length))``.
    ``zeros``: an array of zeros of the shape of ``gap`` (a faster operand than 0.0)."""
    draft = np.subtract(env.draft_gap, gap, out=out)  # −(gap − gap_min), exactly
    np.minimum(draft, 0.0 if zeros is None else zeros, out=draft)
    if env.draft_len != 1.0:
        np.divide(draft, env.draft_len, out=draft)
    np.expm1(draft, out=draft)
    np.multiply(draft, -(1.0 - env.draft_min), out=draft)
    return np.add(draft, env.draft_min, out=draft)


def _air_costs(
    env: _Env,
    v: np.ndarray,
    draft: np.ndarray,
    wind: np.ndarray | None,
    out: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(a_now, 1 + a_ref)`` at speed ``v`` (m/s, > 0): ``a_now`` the air-cost fraction
    with tail wind ``wind`` (m/s; ``None``: calm) and draft factor ``draft``, ``a_ref`` alone in
    calm air — :func:`kicklab.environment.air.air_cost_fraction` with the same arithmetic.
    ``out``: four work arrays of the shape of ``v``."""
    k, a_ref, calm, tmp = out if out is not None else [np.empty_like(v) for _ in range(4)]
    np.multiply(v, env.air_c, out=calm)  # F(v) = ½ρCdA·v·|v|
    np.multiply(calm, v, out=calm)
    np.divide(calm, env.air_denom, out=a_ref)
    np.add(a_ref, 1.0, out=a_ref)
    if wind is not None:
        rel = np.subtract(v, wind, out=tmp)
        force = np.multiply(rel, env.air_c, out=k)
        np.multiply(force, np.abs(rel, out=rel), out=force)
        delta = np.subtract(force, calm, out=force)  # a tailwind's saving counts in part
        np.putmask(delta, delta < 0, delta * env.tail_benefit)
        np.add(calm, delta, out=k)
        np.multiply(draft, k, out=k)
    else:
        np.multiply(draft, calm, out=k)
    return np.divide(k, env.air_denom, out=k), a_ref


def _bend_factor(
    env: _Env, v: np.ndarray, g_r: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """:func:`kicklab.environment.track.bend_cost_factor` at speed ``v`` (m/s) and ``g·r``
    (m²/s², ``inf`` on a straight), with the same arithmetic:
    ``1 + w·(√(1 + (v²/(g·r))²) − 1)``."""
    bend = np.multiply(v, v, out=out)
    np.divide(bend, g_r, out=bend)
    np.multiply(bend, bend, out=bend)
    np.add(bend, 1.0, out=bend)
    np.sqrt(bend, out=bend)
    np.subtract(bend, 1.0, out=bend)
    np.multiply(bend, env.bend_share, out=bend)
    return np.add(bend, 1.0, out=bend)


# ----------------------------------------------------------------------------- helpers
def _draw(rng: np.random.Generator, nominal: np.ndarray, sd: np.ndarray, trials: int) -> np.ndarray:
    """Per-trial values ``nominal·(1 + sd·z)``, z standard normal truncated at ±3."""
    z = rng.standard_normal((trials, nominal.size))
    np.clip(z, -_DRAW_CLIP_SD, _DRAW_CLIP_SD, out=z)
    return nominal * (1.0 + sd * z)


@dataclass(frozen=True)
class _Days:
    """The random part of ``trials`` races: each runner's CS (m/s), D' (m) and MSS (m/s) of the
    day, and the start positions (m, at or just behind the line); shape ``(trials, R)``."""

    cs: np.ndarray
    dp: np.ndarray
    mss: np.ndarray
    x0: np.ndarray


def _draw_days(field_: list[Runner], trials: int, rng: np.random.Generator) -> _Days:
    """Day-to-day draws and start jitter, in this order from ``rng``."""
    nominal = {
        k: np.array([getattr(r, k) for r in field_]) for k in ("cs_mps", "d_prime_m", "mss_mps")
    }
    cs = _draw(rng, nominal["cs_mps"], np.array([r.sd_cs for r in field_]), trials)
    dp = _draw(rng, nominal["d_prime_m"], np.array([r.sd_d_prime for r in field_]), trials)
    mss = _draw(rng, nominal["mss_mps"], np.array([r.sd_mss for r in field_]), trials)
    np.maximum(mss, cs * _MIN_MSS_OVER_CS, out=mss)
    x0 = -rng.uniform(0.0, START_JITTER_M, (trials, len(field_)))
    return _Days(cs, dp, mss, x0)


def _check_runners(runners: Sequence[Runner]) -> list[Runner]:
    if isinstance(runners, Runner):
        runners = [runners]
    out = list(runners)
    if not out:
        raise InvalidValue("simulate needs at least one runner")
    for r in out:
        if not isinstance(r, Runner):
            raise InvalidValue(f"runners must be Runner objects, got {r!r}")
    return out


def check_trials_dt(trials: Any, dt_s: Any) -> tuple[int, float]:
    """``trials`` as a positive int and the time step ``dt_s`` as a float in 0.01–1 s; raises
    :class:`InvalidValue` otherwise."""
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or trials < 1:
        raise InvalidValue(f"trials must be a positive integer, got {trials!r}")
    try:
        dt = float(dt_s)
    except (TypeError, ValueError):
        raise InvalidValue(f"dt_s must be a number, got {dt_s!r}") from None
    if not (0.01 <= dt <= 1.0):
        raise InvalidValue(f"dt_s must be between 0.01 and 1 s, got {dt_s!r}")
    return int(trials), dt


def _check_args(
    runners: Sequence[Runner], course: Any, trials: Any, dt_s: Any
) -> tuple[list[Runner], float]:
    """The field as a list and the step, s; raises :class:`InvalidValue` on bad input."""
    field_ = _check_runners(runners)
    if not isinstance(course, Course):
        raise InvalidValue(f"course must be a Course, got {course!r}")
    trials, dt = check_trials_dt(trials, dt_s)
    if trials * len(field_) > _MAX_CELLS:
        raise InvalidValue(f"trials × runners = {trials * len(field_)} exceeds {_MAX_CELLS}")
    return field_, dt


def _rng(seed: Any) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _marks(distance_m: float) -> np.ndarray:
    """Split marks, m: every :data:`SPLIT_M` and the finish."""
    return np.append(np.arange(SPLIT_M, distance_m - 1e-9, SPLIT_M), distance_m)


def _result(
    field_: list[Runner],
    course: Course,
    split_t: np.ndarray,
    marks: np.ndarray,
    seed: Any,
    dt: float,
    steps: int,
    traces: dict[str, np.ndarray] | None = None,
) -> RaceResult:
    trials = split_t.shape[0]
    finish = split_t[:, :, -1]
    place = np.argsort(np.argsort(np.where(np.isnan(finish), np.inf, finish), axis=1), axis=1) + 1
    wins = (place == 1).sum(axis=0).astype(float)
    low, high = wilson_interval(wins, trials)
    settings = {
        "trials": int(trials),
        "seed": seed if isinstance(seed, int | None) else "generator",
        "dt_s": dt,
        "steps": int(steps),
        "accel_mps2": ACCEL_MPS2,
        "course": course.to_dict(),
        "runners": [r.to_dict() for r in field_],
    }
    return RaceResult(
        runners=[r.name for r in field_],
        finish_time_s=finish,
        place=place,
        win_probability=wins / trials,
        win_ci=np.column_stack([low, high]),
        split_distances_m=marks,
        split_times_s=split_t,
        traces=traces,
        settings=settings,
    )


# ----------------------------------------------------------------------------- step loop
class _Pack:
    """State of the step loop: one row per simulated race (a trial of a variant), one column
    per runner; every array is full-shape ``(rows, R)`` (numpy broadcasts a ``(R,)`` operand
    over many short rows several times slower than it combines two full arrays).

    Rows whose runners have all finished are dropped as the race goes on (:meth:`keep`): rows
    never interact, so the results of the others do not change. Rows of a variant that has
    run like the first variant so far are copied from its rows when it starts to differ
    (:meth:`extend`); the first variant's rows stay the first ``n_first`` rows.

    ``order`` holds each row's runners sorted by position (column indices, last place first);
    ``ahead`` maps every cell of the flat ``rows × R`` state to the flat cell of the runner
    directly ahead, or, for a row's leader, to the sentinel after the end of the position and
    speed buffers (position ``inf``, speed 0).
    """

    #: Per-row arrays (first axis = rows), compacted by :meth:`keep`.
    ROW_ARRAYS = (
        "cs",
        "dp",
        "span",
        "inv_dp",
        "bal",
        "no_draft",
        "rows",
        "offset",
        "order",
        "done",
        "next_mark",
        "mark",
        "next_bar",
        "owed_m",
    )

    def __init__(
        self,
        table: TacticTable,
        days: _Days,
        trial: np.ndarray,
        rows: np.ndarray,
        offset: np.ndarray,
        no_draft: np.ndarray,
        first_mark: float,
        last_index: int,
    ) -> None:
        n = trial.size
        self.last_index = last_index  # last index of the course grid
        n_r = days.cs.shape[1]
        self.n_r = n_r
        self.table = table
        self.cs = days.cs[trial]
        self.dp = days.dp[trial]
        self.span = (days.mss - days.cs)[trial]
        self.inv_dp = (1.0 / days.dp)[trial]
        self.bal = self.dp.copy()
        self.no_draft = np.tile(no_draft, (n, 1))
        self.rows = rows  # row of the results each state row writes to
        self.offset = offset[trial]  # sort-key offset of each row, m
        self.order = np.tile(np.arange(n_r), (n, 1))
        self.done = np.zeros(n, dtype=np.intp)  # runners finished per row
        self.next_mark = np.zeros((n, n_r), dtype=np.intp)
        self.mark = np.full((n, n_r), first_mark)  # each runner's next mark, m
        self.next_bar = np.zeros((n, n_r), dtype=np.intp)
        self.owed_m = np.zeros((n, n_r))
        self.n_first = n  # rows of the first variant (the first rows)
        self._alloc(n)
        self.x[...] = days.x0[trial]
        self.v[...] = 0.0
        self._link()

    def _alloc(self, n: int) -> None:
        """Position and speed buffers (two of each, swapped every step), each with the
        leader's sentinel at the end, and the work buffers of :func:`_run`."""
        cells = n * self.n_r
        self.n, self.cells = n, cells
        self.xbuf = [np.empty(cells + 1), np.empty(cells + 1)]
        self.vbuf = [np.empty(cells + 1), np.empty(cells + 1)]
        for xb, vb in zip(self.xbuf, self.vbuf):
            xb[-1], vb[-1] = np.inf, 0.0
        self.cur = 0
        self.ahead = np.empty(cells, dtype=np.intp)
        shape = (n, self.n_r)
        self.f = {k: np.empty(shape) for k in _FLOAT_BUFFERS}
        self.b = {k: np.empty(shape, dtype=bool) for k in _BOOL_BUFFERS}
        self.idx = np.empty(shape, dtype=np.intp)
        self.lane = np.empty(shape, dtype=np.intp)
        self.last = np.full(shape, self.last_index, dtype=np.intp)
        self.zeros = np.zeros(shape)
        self.v_floor = np.full(shape, _V_FLOOR_MPS)

    @property
    def x(self) -> np.ndarray:
        return self.xbuf[self.cur][:-1].reshape(self.n, self.n_r)

    @property
    def v(self) -> np.ndarray:
        return self.vbuf[self.cur][:-1].reshape(self.n, self.n_r)

    @property
    def x_next(self) -> np.ndarray:
        return self.xbuf[1 - self.cur][:-1].reshape(self.n, self.n_r)

    @property
    def v_next(self) -> np.ndarray:
        return self.vbuf[1 - self.cur][:-1].reshape(self.n, self.n_r)

    def _link(self, rows: np.ndarray | None = None) -> None:
        """Recompute ``ahead`` from ``order`` (for ``rows``, default all)."""
        if rows is None:
            rows = np.arange(self.n)
        o = self.order[rows]
        flat = rows[:, None] * self.n_r + o
        ah = np.empty_like(flat)
        ah[:, :-1] = flat[:, 1:]
        ah[:, -1] = self.cells  # the sentinel
        self.ahead.reshape(self.n, self.n_r)[rows[:, None], o] = ah

    def resort(self, rows: np.ndarray) -> None:
        """Re-order ``rows`` by position: a stable sort of the keys ``x + offset`` in the
        current order (runners level on the key keep their order); updates ``ahead`` and the
        gaps of those rows in the work buffer ``gap``."""
        o = self.order[rows]
        cells = o + (rows * self.n_r)[:, None]  # flat cells in the current order
        x_flat = self.xbuf[self.cur]
        keys = x_flat[cells] + self.offset[rows, None]
        by = np.argsort(keys, axis=1, kind="stable")
        sub = np.arange(rows.size)[:, None]
        self.order[rows] = o[sub, by]
        cells = cells[sub, by]
        ah = np.empty_like(cells)
        ah[:, :-1] = cells[:, 1:]
        ah[:, -1] = self.cells  # the sentinel
        self.ahead[cells] = ah
        self.f["gap"].reshape(-1)[cells] = x_flat[ah] - x_flat[cells]

    def keep(self, keep: np.ndarray) -> None:
        """Keep only the rows ``keep`` (bool mask)."""
        self.n_first = int(keep[: self.n_first].sum())
        for name in self.ROW_ARRAYS:
            setattr(self, name, getattr(self, name)[keep])
        self.table = self.table.take_rows(np.flatnonzero(keep))
        x, v = self.x[keep], self.v[keep]
        self._alloc(int(keep.sum()))
        self.x[...] = x
        self.v[...] = v
        self._link()

    def extend(self, table: TacticTable, row_shift: int) -> None:
        """Append a copy of the first variant's rows, with the tactics ``table`` (shape
        ``(R,)``), writing to the result rows ``row_shift`` further on."""
        src = slice(0, self.n_first)
        for name in self.ROW_ARRAYS:
            a = getattr(self, name)
            setattr(self, name, np.concatenate([a, a[src]]))
        self.rows[-self.n_first :] += row_shift
        self.table = TacticTable.concat([self.table, TacticTable.stack([table], self.n_first)])
        x = np.concatenate([self.x, self.x[src]])
        v = np.concatenate([self.v, self.v[src]])
        self._alloc(x.shape[0])
        self.x[...] = x
        self.v[...] = v
        self._link()


#: Work buffers of the step loop (float and bool, one value per cell).
_FLOAT_BUFFERS = (
    "gap",
    "v_ahead",
    "to_go",
    "draft",
    "vf",
    "calm",
    "a_ref",
    "k",
    "tmp",
    "cap",
    "lo",
    "excess",
    "rec",
    "ds",
    "lookup",
)
_BOOL_BUFFERS = ("passing", "b1", "b2", "below")


@dataclass
class _Raw:
    """Output of :func:`_run` for its rows: split times (s, ``(rows, R, marks)``), the step
    at which each row's last runner finished (the step limit if one did not), the number of
    steps run and the traces (``None`` unless asked for)."""

    split_t: np.ndarray
    row_steps: np.ndarray
    steps: int
    traces: dict[str, np.ndarray] | None


def _share_plan(tables: list[TacticTable]) -> tuple[int, np.ndarray, list[tuple[float, int]]]:
    """How variants share the start of their races.

    Tactic tables (shape ``(R,)`` each) that agree in everything but their moves (surge
    start, surge speed, kick onset) ask for the same speeds until the first distance to go at
    which one of them moves in a column where they differ. Returns the variant to run from
    the start (the one that moves last), the columns where the variants differ, and for each
    other variant ``(distance to go, m, from which it may differ, variant)`` in the order it
    starts to differ (``inf``: from the gun).
    """
    if len(tables) == 1:
        return 0, np.zeros(1, dtype=np.intp), []
    fields = TacticTable.__dataclass_fields__
    stacked = {name: np.stack([getattr(t, name) for t in tables]) for name in fields}
    differ = np.zeros(tables[0].pace_mps.shape, dtype=bool)
    for a in stacked.values():
        differ |= (a != a[0]).any(axis=0)
    cols = np.flatnonzero(differ)
    if cols.size == 0:  # identical variants
        return 0, np.zeros(1, dtype=np.intp), [(-math.inf, k) for k in range(1, len(tables))]
    moves = np.maximum(stacked["surge_at_m"], stacked["kick_at_m"])[:, cols].max(axis=1)
    # the variants that agree in everything but their moves, largest group first; the first
    # variant is the one of that group that moves last
    fixed = np.concatenate(
        [
            stacked[name][:, cols].astype(float)
            for name in ("follows", "front", "pace_mps", "gap_m")
        ],
        axis=1,
    )
    _, group, count = np.unique(fixed, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    members = np.flatnonzero(group == np.argmax(count))
    first = int(members[np.argmin(moves[members])])
    same = group == group[first]
    start = np.where(same, np.maximum(moves, moves[first]), math.inf)
    later = sorted(
        ((float(start[k]), k) for k in range(len(tables)) if k != first), key=lambda p: -p[0]
    )
    return first, cols, later


def _run(
    dist: float,
    prof: CourseProfile,
    env: _Env,
    no_draft: np.ndarray,
    tables: list[TacticTable],
    days: _Days,
    trial: np.ndarray,
    dt: float,
    *,
    trace_n: int = 0,
    progress: Callable[[int, int], Any] | None = None,
) -> _Raw:
    """The step loop: the trials ``trial`` (indices into ``days``, shape ``(trials, R)``) run
    with each set of tactics ``tables`` (each of shape ``(R,)``), all at once.

    Result row ``k·len(trial) + i`` is trial ``trial[i]`` of variant ``k``; ``no_draft``
    (shape ``(R,)``) marks the runners who never take shelter; ``trace_n`` > 0 keeps traces
    of the first rows (one variant only).

    Variants that differ only in their moves (kick and surge) run alike until the first
    distance to go where one of them moves: the loop runs one of them, the first variant of
    :func:`_share_plan`, and copies its rows for each of the others when it starts to differ.
    """
    _, n_r = days.cs.shape
    n_t, n_var = trial.size, len(tables)
    marks = _marks(dist)
    n_m = marks.size
    marks_ext = np.append(marks, np.inf)  # sentinel after the finish
    split_t = np.full((n_var * n_t, n_r, n_m), np.nan)
    row_steps = np.zeros(n_var * n_t, dtype=np.intp)
    # generous time limit: the whole distance at half the slowest CS, plus a minute
    n_steps = int(math.ceil((2.0 * dist / float(days.cs.min()) + 60.0) / dt))
    report_every = max(1, n_steps // 100)
    # sort keys are position + a per-trial offset, as if all trials stood on one long line
    row_offset = np.arange(days.cs.shape[0], dtype=float) * (
        2.0 * (dist + prof.distance_m[-1]) + 10.0
    )
    first, cols, pending = _share_plan(tables)
    never = [k for start, k in pending if start == -math.inf]  # identical to the first
    pending = [(start, k) for start, k in pending if start > -math.inf]
    s = _Pack(
        TacticTable.stack([tables[first]], n_t),
        days,
        trial,
        first * n_t + np.arange(n_t),
        row_offset,
        no_draft,
        marks[0],
        env.last,
    )
    # the columns whose tactics differ between variants, as a slice when they are adjacent
    col_sel: Any = slice(cols[0], cols[-1] + 1) if np.all(np.diff(cols) == 1) else cols
    any_no_draft = bool(no_draft.any())
    adt = ACCEL_MPS2 * dt
    bar_ext = None if env.bar_pos is None else np.append(env.bar_pos, np.inf)
    bends = env.g_r_lane is not None
    clip_low = START_JITTER_M * env.inv_step >= 1.0
    if bends:
        # lane and one-lane-wider tables end to end: index + grid size looks up the wide lane
        n_grid = env.last + 1
        g_r_both = np.concatenate([env.g_r_lane, env.g_r_wide])  # type: ignore[list-item]
        prog_both = np.concatenate([env.prog_lane, env.prog_wide])  # type: ignore[list-item]
    tr: dict[str, list[np.ndarray]] = {
        "distance_m": [],
        "speed_mps": [],
        "d_balance_m": [],
        "draft": [],
    }
    rows_left = s.n
    step = 0
    for step in range(1, n_steps + 1):
        # variants that start to differ from the first variant in this step get its rows
        while pending and s.n_first:
            to_go_min = dist - float(s.x[: s.n_first, col_sel].max())
            if to_go_min > pending[0][0]:
                break
            k = pending.pop(0)[1]
            split_t[k * n_t : (k + 1) * n_t] = split_t[first * n_t : (first + 1) * n_t]
            row_steps[k * n_t : (k + 1) * n_t] = row_steps[first * n_t : (first + 1) * n_t]
            rows_left += int((s.done[: s.n_first] < n_r).sum())
            s.extend(tables[k], (k - first) * n_t)
        f, b = s.f, s.b
        x, v = s.x, s.v
        x_flat = s.xbuf[s.cur]
        # 1. pack: gap to and speed of the runner directly ahead (the order is kept from the
        #    last step; positions change order rarely, so only rows where someone passed are
        #    sorted again)
        gap = f["gap"]
        gap_flat = gap.reshape(-1)
        np.take(x_flat, s.ahead, out=gap_flat, mode="clip")
        np.subtract(gap, x, out=gap)
        if gap.min() < 0.0:
            s.resort(np.unique(np.flatnonzero(gap_flat < 0.0) // n_r))
        v_ahead = f["v_ahead"]
        np.take(s.vbuf[s.cur], s.ahead, out=v_ahead.reshape(-1), mode="clip")
        to_go = np.subtract(dist, x, out=f["to_go"])
        want = s.table.desired_speed(to_go, gap, v_ahead)
        passing = np.less(gap, PASS_GAP_M, out=b["passing"])
        np.logical_and(passing, np.greater(want, v_ahead, out=b["b1"]), out=passing)
        # 2. air and drafting: the leader (gap inf), a passing runner and runners who do not
        #    draft feel the full air force; runners side by side (gap ≤ 0) shelter fully.
        #    Draft factor min + (1 − min)·(1 − exp(−max(gap − gap_min, 0)/length)).
        open_air = np.isinf(gap, out=b["b2"])
        np.logical_or(open_air, passing, out=open_air)
        if any_no_draft:
            np.logical_or(open_air, s.no_draft, out=open_air)
        draft = _draft_factor(env, gap, out=f["draft"], zeros=s.zeros)
        np.putmask(draft, open_air, 1.0)
        vf = np.maximum(v, s.v_floor, out=f["vf"])
        if env.needs_index:
            idx = s.idx
            # grid index: position × (1/step), truncated (a 1 m grid needs no multiplication)
            scaled = x if env.inv_step == 1.0 else np.multiply(x, env.inv_step, out=f["lookup"])
            np.copyto(idx, scaled, casting="unsafe")
            np.minimum(idx, s.last, out=idx)
            if clip_low:  # a start behind the line can fall below the first grid point
                np.maximum(idx, 0, out=idx)
        # air-cost fractions here (a_now) and alone on a calm flat (a_ref)
        k, a_ref = _air_costs(
            env,
            vf,
            draft,
            None if env.tailwind is None else env.tailwind.take(idx),
            out=(f["k"], f["a_ref"], f["calm"], f["tmp"]),
        )
        # k = (C(i)/C(0) + a_now)/(1 + a_ref) · bend · heat
        if env.cost_ratio is not None:
            fes = np.multiply(vf, env.cost_ratio.take(idx), out=f["tmp"])
            np.divide(fes, vf, out=fes)
            np.add(fes, k, out=k)
        else:
            np.add(k, 1.0, out=k)
        np.divide(k, a_ref, out=k)
        if bends:
            # a passing runner runs one lane wider: look up the second half of the tables
            lane = np.multiply(passing, n_grid, out=s.lane)
            np.add(lane, idx, out=lane)
            g_r = np.take(g_r_both, lane, out=f["lookup"])
            np.multiply(k, _bend_factor(env, vf, g_r, out=f["tmp"]), out=k)
        if env.heat != 1.0:
            np.multiply(k, env.heat, out=k)
        # 3. dynamics: acceleration limit, then the Morton cap on the equivalent speed
        cap = np.multiply(s.span, s.bal, out=f["cap"])
        np.multiply(cap, s.inv_dp, out=cap)
        np.add(cap, s.cs, out=cap)
        np.divide(cap, k, out=cap)
        v_new = s.v_next
        lo = np.subtract(v, adt, out=f["lo"])
        np.maximum(want, lo, out=v_new)
        np.minimum(v_new, np.add(v, adt, out=lo), out=v_new)
        np.minimum(v_new, cap, out=v_new)
        np.maximum(v_new, s.zeros, out=v_new)
        # 4. D' balance on the equivalent speed (exact for a constant speed over the step)
        excess = np.multiply(k, v_new, out=f["excess"])
        np.subtract(excess, s.cs, out=excess)
        below = np.less_equal(excess, 0.0, out=b["below"])
        np.multiply(excess, dt, out=excess)
        rec = np.multiply(excess, s.inv_dp, out=f["rec"])
        np.exp(rec, out=rec)
        np.multiply(np.subtract(s.dp, s.bal, out=cap), rec, out=rec)
        np.subtract(s.dp, rec, out=rec)
        bal = s.bal
        np.subtract(bal, excess, out=bal)
        np.putmask(bal, below, rec)
        np.maximum(bal, s.zeros, out=bal)
        # 5. move (a bend in a wider lane gives less progress per metre run)
        ds = np.multiply(v_new, dt, out=f["ds"])
        if bends:
            np.multiply(ds, np.take(prog_both, lane, out=f["lookup"]), out=ds)
        x_new = np.add(x, ds, out=s.x_next)
        # 6. obstacles: a clearance loses a fixed distance of running (paid over as many steps
        #    as it takes, so the loss does not depend on dt) and costs D'
        if bar_ext is not None:
            hit = x_new >= bar_ext[s.next_bar]
            if hit.any():
                ti, ri = np.nonzero(hit)
                which = s.next_bar[ti, ri]
                # the lost running and the work of the jump, as metres run at the current effort
                s.owed_m[ti, ri] += env.bar_loss[which] + env.bar_energy[which]  # type: ignore[index]
                s.next_bar[ti, ri] += 1
            paying = s.owed_m > 0
            if paying.any():
                take = np.minimum(s.owed_m, np.where(paying, x_new - x, 0.0))
                x_new -= take
                s.owed_m -= take
        # 7. splits and finish, interpolated inside the step
        crossed = np.greater_equal(x_new, s.mark, out=b["b1"])
        finished = False
        if crossed.any():
            ti, ri = np.nonzero(crossed)
            x0, x1, mark = x[ti, ri], x_new[ti, ri], s.mark[ti, ri]
            frac = (mark - x0) / np.maximum(x1 - x0, 1e-12)
            which = s.next_mark[ti, ri]
            split_t[s.rows[ti], ri, which] = (step - 1 + frac) * dt
            s.next_mark[ti, ri] = which + 1
            s.mark[ti, ri] = marks_ext[which + 1]
            fin = ti[which == n_m - 1]
            if fin.size:
                np.add.at(s.done, fin, 1)
                complete = np.unique(fin[s.done[fin] == n_r])
                if complete.size:
                    row_steps[s.rows[complete]] = step
                    rows_left -= complete.size
                    finished = True
        s.cur = 1 - s.cur
        if trace_n:
            tr["distance_m"].append(x_new[:trace_n].copy())
            tr["speed_mps"].append(v_new[:trace_n].copy())
            tr["d_balance_m"].append(bal[:trace_n].copy())
            tr["draft"].append(draft[:trace_n].copy())
        if progress is not None and step % report_every == 0:
            progress(step, n_steps)
        if rows_left == 0:
            break
        # drop the finished rows once they are an eighth of the state (not while tracing)
        if finished and not trace_n and s.n - rows_left >= max(1, s.n // 8):
            s.keep(s.done < n_r)
    if progress is not None:
        progress(n_steps, n_steps)
    row_steps[row_steps == 0] = n_steps
    first_rows = slice(first * n_t, (first + 1) * n_t)
    for k in never + [k for _, k in pending]:  # never differed from the first: its results
        split_t[k * n_t : (k + 1) * n_t] = split_t[first_rows]
        row_steps[k * n_t : (k + 1) * n_t] = row_steps[first_rows]
    traces = None
    if trace_n:
        traces = {k: np.stack(vals) for k, vals in tr.items()}
        traces["time_s"] = np.arange(1, len(tr["distance_m"]) + 1) * dt
    return _Raw(split_t, row_steps, int(step), traces)


# ----------------------------------------------------------------------------- simulate
def simulate(
    runners: Sequence[Runner],
    course: Course,
    trials: int = 1000,
    seed: int | np.random.Generator | None = 0,
    dt_s: float = 0.1,
    traces: bool = False,
    *,
    trace_trials: int = 1,
    progress: Callable[[int, int], Any] | None = None,
) -> RaceResult:
    """Simulate ``trials`` races of ``runners`` on ``course`` (Monte Carlo, vectorised).

    Parameters
    ----------
    runners
        The field (:class:`kicklab.race.runner.Runner`).
    course
        The :class:`kicklab.race.course.Course`.
    trials
        Number of races (≥ 1).
    seed
        Seed or ``numpy.random.Generator``: same seed, same result.
    dt_s
        Time step, s (0.01–1).
    traces
        Keep per-step traces of the first ``trace_trials`` trials.
    progress
        Called as ``progress(step, n_steps)`` every ~1 % of the maximum number of steps
        (counted over all batches when the races run in several, :data:`_BATCH_CELLS`).

    Returns
    -------
    RaceResult
    """
    field_, dt = _check_args(runners, course, trials, dt_s)
    trace_n = min(int(trace_trials), int(trials)) if traces else 0
    if traces and trace_n < 1:
        raise InvalidValue(f"trace_trials must be ≥ 1, got {trace_trials!r}")
    rng = _rng(seed)
    prof = course.profile()
    env = _environment(course, prof)
    table = TacticTable.from_runners(field_, course.distance_m)
    days = _draw_days(field_, int(trials), rng)
    no_draft = np.array([not r.draft for r in field_])
    raw = _run_batches(
        course.distance_m,
        prof,
        env,
        no_draft,
        [table],
        days,
        dt,
        batch_cells=_BATCH_CELLS,
        trace_n=trace_n,
        progress=progress,
    )
    return _result(
        field_,
        course,
        raw.split_t,
        _marks(course.distance_m),
        seed,
        dt,
        int(raw.row_steps.max()),
        raw.traces,
    )


def _run_batches(
    dist: float,
    prof: CourseProfile,
    env: _Env,
    no_draft: np.ndarray,
    tables: list[TacticTable],
    days: _Days,
    dt: float,
    *,
    batch_cells: int,
    trace_n: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    variant_progress: Callable[[int, int], Any] | None = None,
) -> _Raw:
    """All ``len(tables) × trials`` races (result row ``k·trials + t``: trial ``t`` of
    variant ``k``), in batches of variants × trials of at most ``batch_cells`` cells (one
    batch when traces are kept, so that they span the whole race).

    ``progress(step, n_steps)`` counts steps over all batches; ``variant_progress(done, F)``
    is called after each batch that completes variants.
    """
    trials, n_r = days.cs.shape
    n_var = len(tables)
    rows = max(1, min(batch_cells, _MAX_CELLS) // n_r)
    t_block = trials if trace_n else min(trials, rows)
    v_block = max(1, rows // t_block)
    batches = [
        (range(v0, min(v0 + v_block, n_var)), np.arange(t0, min(t0 + t_block, trials)))
        for v0 in range(0, n_var, v_block)
        for t0 in range(0, trials, t_block)
    ]
    if len(batches) == 1:
        raw = _run(
            dist,
            prof,
            env,
            no_draft,
            tables,
            days,
            np.arange(trials),
            dt,
            trace_n=trace_n,
            progress=progress,
        )
        if variant_progress is not None:
            variant_progress(n_var, n_var)
        return raw
    split_t = np.empty((n_var * trials, n_r, _marks(dist).size))
    row_steps = np.empty(n_var * trials, dtype=np.intp)
    steps = 0
    for b, (variants, trial) in enumerate(batches):  # each batch one vectorised loop
        report = None
        if progress is not None:

            def report(step: int, n_steps: int, b: int = b) -> None:
                progress(b * n_steps + step, len(batches) * n_steps)

        batch_tables = [tables[k] for k in variants]
        raw = _run(dist, prof, env, no_draft, batch_tables, days, trial, dt, progress=report)
        for i, k in enumerate(variants):
            out = slice(i * trial.size, (i + 1) * trial.size)
            split_t[k * trials + trial] = raw.split_t[out]
            row_steps[k * trials + trial] = raw.row_steps[out]
        steps = max(steps, raw.steps)
        if variant_progress is not None and trial[-1] == trials - 1:
            variant_progress(variants.stop, n_var)
    return _Raw(split_t, row_steps, steps, None)


def _check_tactic_sets(tactic_sets: Any, field_: list[Runner]) -> list[list[Runner]]:
    """The field of every variant: each runner with its tactic of the set (``None``: its own)."""
    if isinstance(tactic_sets, str | bytes) or not isinstance(tactic_sets, Sequence):
        raise InvalidValue(f"tactic_sets must be a list of tactic lists, got {tactic_sets!r}")
    if not tactic_sets:
        raise InvalidValue("tactic_sets must hold at least one tactic list")
    fields = []
    for k, tactics in enumerate(tactic_sets):
        if isinstance(tactics, str | bytes | Tactic) or not isinstance(tactics, Sequence):
            raise InvalidValue(f"tactic_sets[{k}] must be a list of tactics, got {tactics!r}")
        if len(tactics) != len(field_):
            raise InvalidValue(
                f"tactic_sets[{k}] has {len(tactics)} tactics for {len(field_)} runners"
            )
        for t in tactics:
            if t is not None and not isinstance(t, Tactic):
                raise InvalidValue(f"tactic_sets[{k}] must hold Tactic objects or None, got {t!r}")
        fields.append([r if t is None else replace(r, tactic=t) for r, t in zip(field_, tactics)])
    return fields


def simulate_many(
    runners: Sequence[Runner],
    course: Course,
    tactic_sets: Sequence[Sequence[Tactic | None]],
    trials: int = 1000,
    seed: int | np.random.Generator | None = 0,
    dt_s: float = 0.1,
    *,
    progress: Callable[[int, int], Any] | None = None,
    batch_cells: int | None = None,
) -> list[RaceResult]:
    """Simulate the same ``trials`` races once per set of tactics, in one vectorised loop.

    Every variant runs the same days: the day-to-day draws of CS, D' and MSS and the start
    order are drawn once, exactly as :func:`simulate` draws them for ``seed`` (common random
    numbers), so ``simulate_many(runners, course, sets, trials, seed)[k]`` equals
    ``simulate(<runners with the tactics of sets[k]>, course, trials, seed)``. Running the
    variants together spreads numpy's fixed cost per operation over all of them: the way to
    compare candidate tactics.

    Parameters
    ----------
    runners
        The field (:class:`kicklab.race.runner.Runner`).
    course
        The :class:`kicklab.race.course.Course`.
    tactic_sets
        ``F`` lists of ``len(runners)`` :class:`kicklab.race.runner.Tactic` objects, one per
        runner; ``None`` keeps the runner's own tactic.
    trials
        Races per variant (≥ 1).
    seed
        Seed or ``numpy.random.Generator``, shared by every variant.
    dt_s
        Time step, s (0.01–1).
    progress
        Called as ``progress(done, F)`` after each batch, ``done`` counting the variants
        simulated completely so far.
    batch_cells
        Most races × runners per vectorised loop (default :data:`_BATCH_CELLS`; at most
        :data:`_MAX_CELLS`): the ``F × trials`` races are run in batches of this size.

    Returns
    -------
    list of RaceResult
        One per tactic set, in order (without traces).
    """
    field_, dt = _check_args(runners, course, trials, dt_s)
    fields = _check_tactic_sets(tactic_sets, field_)
    if progress is not None and not callable(progress):
        raise InvalidValue(f"progress must be callable, got {progress!r}")
    if batch_cells is None:
        batch_cells = _BATCH_CELLS
    elif isinstance(batch_cells, bool) or not isinstance(batch_cells, int | np.integer):
        raise InvalidValue(f"batch_cells must be a positive integer, got {batch_cells!r}")
    if batch_cells < 1:
        raise InvalidValue(f"batch_cells must be a positive integer, got {batch_cells!r}")
    trials = int(trials)
    rng = _rng(seed)
    prof = course.profile()
    env = _environment(course, prof)
    days = _draw_days(field_, trials, rng)
    no_draft = np.array([not r.draft for r in field_])
    dist = course.distance_m
    marks = _marks(dist)
    tables = [TacticTable.from_runners(fld, dist) for fld in fields]
    raw = _run_batches(
        dist,
        prof,
        env,
        no_draft,
        tables,
        days,
        dt,
        batch_cells=int(batch_cells),
        variant_progress=progress,
    )
    out = []
    for k, fld in enumerate(fields):
        rows = slice(k * trials, (k + 1) * trials)
        steps = int(raw.row_steps[rows].max())
        out.append(_result(fld, course, raw.split_t[rows], marks, seed, dt, steps))
    return out
