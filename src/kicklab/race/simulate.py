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
   (``clearance_time_s`` × speed, paid over as many steps as it takes, so it does not depend on
   ``dt``) and costs ``clearance_energy_m`` of D' (:mod:`kicklab.environment.barriers`).

Split and finish times are interpolated linearly inside the step in which a runner crosses the
mark, so they do not jump by ``dt``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue
from kicklab.race.course import Course, CourseProfile
from kicklab.race.runner import Runner, TacticTable

__all__ = [
    "RaceResult",
    "simulate",
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
#: Most trials × runners in one call: ~30 state arrays of 8 bytes each stay under ~2.5 GB.
_MAX_CELLS = 10_000_000
#: Gap passed to ``draft_factor`` for the leader (no one ahead), m: far beyond any draft.
_NO_DRAFT_GAP_M = 1e3
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
    """The environment model functions the simulator calls (kicklab.environment)."""

    air_cost_fraction: Callable[..., Any]
    draft_factor: Callable[..., Any]
    flat_equivalent_speed: Callable[..., Any] | None
    bend_cost_factor: Callable[..., Any] | None
    heat_factor: float
    clearance_time_s: Callable[..., Any] | None
    clearance_energy_m: Callable[..., Any] | None


def _environment(course: Course, prof: CourseProfile) -> _Env:
    from kicklab.environment.air import air_cost_fraction, draft_factor

    fes = None
    if np.any(prof.grade != 0):
        from kicklab.environment.terrain import flat_equivalent_speed

        fes = flat_equivalent_speed
    bend = None
    if np.isfinite(prof.bend_radius_m).any():
        from kicklab.environment.track import bend_cost_factor

        bend = bend_cost_factor
    heat = 1.0
    if course.wbgt_c is not None:
        from kicklab.environment.heat import heat_slowdown_fraction

        heat = 1.0 + float(
            heat_slowdown_fraction(course.wbgt_c, level=course.heat_level, sex=course.sex)
        )
    ct = ce = None
    if len(prof.barriers):
        from kicklab.environment.barriers import clearance_energy_m, clearance_time_s

        ct, ce = clearance_time_s, clearance_energy_m
    return _Env(air_cost_fraction, draft_factor, fes, bend, heat, ct, ce)


# ----------------------------------------------------------------------------- helpers
def _draw(rng: np.random.Generator, nominal: np.ndarray, sd: np.ndarray, trials: int) -> np.ndarray:
    """Per-trial values ``nominal·(1 + sd·z)``, z standard normal truncated at ±3."""
    z = rng.standard_normal((trials, nominal.size))
    np.clip(z, -_DRAW_CLIP_SD, _DRAW_CLIP_SD, out=z)
    return nominal * (1.0 + sd * z)


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
        Called as ``progress(step, n_steps)`` every ~1 % of the maximum number of steps.

    Returns
    -------
    RaceResult
    """
    field_ = _check_runners(runners)
    if not isinstance(course, Course):
        raise InvalidValue(f"course must be a Course, got {course!r}")
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or trials < 1:
        raise InvalidValue(f"trials must be a positive integer, got {trials!r}")
    try:
        dt = float(dt_s)
    except (TypeError, ValueError):
        raise InvalidValue(f"dt_s must be a number, got {dt_s!r}") from None
    if not (0.01 <= dt <= 1.0):
        raise InvalidValue(f"dt_s must be between 0.01 and 1 s, got {dt_s!r}")
    n_r = len(field_)
    if trials * n_r > _MAX_CELLS:
        raise InvalidValue(f"trials × runners = {trials * n_r} exceeds {_MAX_CELLS}")
    trace_n = min(int(trace_trials), int(trials)) if traces else 0
    if traces and trace_n < 1:
        raise InvalidValue(f"trace_trials must be ≥ 1, got {trace_trials!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    dist = course.distance_m
    prof = course.profile()
    env = _environment(course, prof)
    table = TacticTable.from_runners(field_, dist)

    nominal = {
        k: np.array([getattr(r, k) for r in field_]) for k in ("cs_mps", "d_prime_m", "mss_mps")
    }
    cs = _draw(rng, nominal["cs_mps"], np.array([r.sd_cs for r in field_]), trials)
    dp = _draw(rng, nominal["d_prime_m"], np.array([r.sd_d_prime for r in field_]), trials)
    mss = _draw(rng, nominal["mss_mps"], np.array([r.sd_mss for r in field_]), trials)
    np.maximum(mss, cs * _MIN_MSS_OVER_CS, out=mss)
    span = mss - cs
    inv_dp = 1.0 / dp
    can_draft = np.array([r.draft for r in field_])

    x = -rng.uniform(0.0, START_JITTER_M, (trials, n_r))
    v = np.zeros((trials, n_r))
    bal = dp.copy()

    marks = np.append(np.arange(SPLIT_M, dist - 1e-9, SPLIT_M), dist)
    n_m = marks.size
    marks_ext = np.append(marks, np.inf)  # sentinel after the finish
    next_mark = np.zeros((trials, n_r), dtype=np.intp)
    split_t = np.full((trials, n_r, n_m), np.nan)

    # bend geometry: progress along lane 1 per metre run, and radius, in the field's lane and
    # one lane wider (passing)
    r1 = prof.bend_radius_m  # inf off bends
    on_bends = np.isfinite(r1).any()
    if on_bends:
        from kicklab.environment.track import lane_radius_m

        lane1 = float(lane_radius_m(1))
        prog_lane = np.where(np.isfinite(r1), lane1 / r1, 1.0)
        prog_wide = np.where(
            np.isfinite(prof.bend_radius_wide_m), lane1 / prof.bend_radius_wide_m, 1.0
        )
    windy = bool(np.any(prof.tailwind_mps != 0))
    bar_pos = prof.barriers["distance_m"].to_numpy(float) if len(prof.barriers) else None
    if bar_pos is not None:
        kinds = prof.barriers["kind"].to_numpy()
        bar_energy = np.array([float(env.clearance_energy_m(k)) for k in kinds])  # type: ignore[misc]
        # distance lost per clearance, m (clearance time × speed: independent of the speed)
        bar_loss = np.array([float(env.clearance_time_s(k, 1.0)) for k in kinds])  # type: ignore[misc]
        bar_ext = np.append(bar_pos, np.inf)
        next_bar = np.zeros((trials, n_r), dtype=np.intp)
        owed_m = np.zeros((trials, n_r))

    # generous time limit: the whole distance at half the slowest CS, plus a minute
    n_steps = int(math.ceil((2.0 * dist / float(cs.min()) + 60.0) / dt))
    report_every = max(1, n_steps // 100)
    tr: dict[str, list[np.ndarray]] = {
        "distance_m": [],
        "speed_mps": [],
        "d_balance_m": [],
        "draft": [],
    }

    # pack order: one flat permutation of all trials × runners sorted by (trial, position),
    # kept from step to step; positions change order rarely, so the stable (merge) sort of the
    # nearly sorted keys is close to linear and no per-trial Python work is needed
    n_cells = trials * n_r
    row_offset = (np.arange(trials, dtype=float) * (2.0 * (dist + prof.distance_m[-1]) + 10.0))[
        :, None
    ]
    perm = np.arange(n_cells)
    last_in_row = (np.arange(n_cells) % n_r) == n_r - 1  # sorted slot of each trial's leader
    gap = np.empty(n_cells)
    v_ahead = np.empty(n_cells)
    gap_s = np.empty(n_cells)
    va_s = np.empty(n_cells)
    step = 0
    for step in range(1, n_steps + 1):
        # 1. pack: order by position, gap and speed of the runner directly ahead
        keys = (x + row_offset).ravel().take(perm)
        perm = perm.take(np.argsort(keys, kind="stable"))
        xs = x.ravel().take(perm)
        np.subtract(xs[1:], xs[:-1], out=gap_s[:-1])
        gap_s[last_in_row] = np.inf
        va_s[:-1] = v.ravel().take(perm[1:])
        gap[perm] = gap_s
        v_ahead[perm] = va_s
        gap2 = gap.reshape(trials, n_r)
        v_ahead2 = v_ahead.reshape(trials, n_r)
        to_go = dist - x
        want = table.desired_speed(to_go, gap2, v_ahead2)
        passing = (gap2 < PASS_GAP_M) & (want > v_ahead2)
        # 2. air and drafting
        sheltered = can_draft & ~passing & np.isfinite(gap2)
        draft = np.where(
            sheltered,
            # runners side by side (same position, gap 0 or a rounding below it) shelter fully
            env.draft_factor(np.where(sheltered, np.maximum(gap2, 0.0), _NO_DRAFT_GAP_M)),
            1.0,
        )
        vf = np.maximum(v, _V_FLOOR_MPS)
        idx = prof.index(x) if (windy or on_bends or env.flat_equivalent_speed) else None
        wind = prof.tailwind_mps[idx] if windy else 0.0
        a_now = env.air_cost_fraction(vf, wind_mps=wind, draft=draft)
        a_ref = env.air_cost_fraction(vf)
        if env.flat_equivalent_speed is not None:
            k = env.flat_equivalent_speed(vf, prof.grade[idx]) / vf + a_now
        else:
            k = 1.0 + a_now
        k = k / (1.0 + a_ref)
        if on_bends:
            radius = np.where(passing, prof.bend_radius_wide_m[idx], r1[idx])
            k = k * env.bend_cost_factor(vf, radius)  # type: ignore[misc]
        if env.heat_factor != 1.0:
            k = k * env.heat_factor
        # 3. dynamics: acceleration limit, then the Morton cap on the equivalent speed
        cap = (cs + span * bal * inv_dp) / k
        v_new = np.clip(want, v - ACCEL_MPS2 * dt, v + ACCEL_MPS2 * dt)
        np.minimum(v_new, cap, out=v_new)
        np.maximum(v_new, 0.0, out=v_new)
        # 4. D' balance on the equivalent speed (exact for a constant speed over the step)
        excess = k * v_new - cs
        bal = np.where(
            excess > 0, bal - excess * dt, dp - (dp - bal) * np.exp(excess * dt * inv_dp)
        )
        np.maximum(bal, 0.0, out=bal)
        # 5. move (a bend in a wider lane gives less progress per metre run)
        ds = v_new * dt
        if on_bends:
            ds = ds * np.where(passing, prog_wide[idx], prog_lane[idx])
        x_new = x + ds
        # 6. obstacles: a clearance loses a fixed distance of running (paid over as many steps
        #    as it takes, so the loss does not depend on dt) and costs D'
        if bar_pos is not None:
            hit = x_new >= bar_ext[next_bar]
            if hit.any():
                ti, ri = np.nonzero(hit)
                which = next_bar[ti, ri]
                owed_m[ti, ri] += bar_loss[which]
                bal[ti, ri] = np.maximum(bal[ti, ri] - bar_energy[which], 0.0)
                next_bar[ti, ri] += 1
            paying = owed_m > 0
            if paying.any():
                take = np.minimum(owed_m, np.where(paying, x_new - x, 0.0))
                x_new -= take
                owed_m -= take
        # 7. splits and finish, interpolated inside the step
        mark = marks_ext[next_mark]
        crossed = x_new >= mark
        if crossed.any():
            ti, ri = np.nonzero(crossed)
            x0, x1 = x[ti, ri], x_new[ti, ri]
            frac = (mark[ti, ri] - x0) / np.maximum(x1 - x0, 1e-12)
            split_t[ti, ri, next_mark[ti, ri]] = (step - 1 + frac) * dt
            next_mark[ti, ri] += 1
        x, v = x_new, v_new
        if trace_n:
            tr["distance_m"].append(x[:trace_n].copy())
            tr["speed_mps"].append(v[:trace_n].copy())
            tr["d_balance_m"].append(bal[:trace_n].copy())
            tr["draft"].append(draft[:trace_n].copy())
        if progress is not None and step % report_every == 0:
            progress(step, n_steps)
        if crossed.any() and next_mark.min() >= n_m:
            break
    if progress is not None:
        progress(n_steps, n_steps)

    finish = split_t[:, :, -1]
    place = np.argsort(np.argsort(np.where(np.isnan(finish), np.inf, finish), axis=1), axis=1) + 1
    wins = (place == 1).sum(axis=0).astype(float)
    low, high = wilson_interval(wins, trials)
    traces_out = None
    if trace_n:
        traces_out = {k: np.stack(vals) for k, vals in tr.items()}
        traces_out["time_s"] = np.arange(1, len(tr["distance_m"]) + 1) * dt
    settings = {
        "trials": int(trials),
        "seed": seed if isinstance(seed, int | None) else "generator",
        "dt_s": dt,
        "steps": int(step),
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
        traces=traces_out,
        settings=settings,
    )
