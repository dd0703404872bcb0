"""The kick-analysis orchestrator: file → clean → race → kick, surges, phases, class.

:func:`analyze` chains the plain functions of this package; each step can also be called on
its own (:func:`~kicklab.kick.segment.find_race`, :func:`~kicklab.kick.detect.detect_kick`,
:func:`~kicklab.kick.metrics.kick_metrics`, :func:`~kicklab.kick.surges.pace_phases`,
:func:`~kicklab.kick.surges.find_surges`, :func:`~kicklab.kick.classify.classify`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import EmptyActivity, InvalidValue, KicklabError
from kicklab.kick.classify import classify
from kicklab.kick.detect import detect_kick
from kicklab.kick.metrics import kick_metrics
from kicklab.kick.result import Kick, KickAnalysis, Surge
from kicklab.kick.segment import find_race
from kicklab.kick.surges import find_surges, pace_phases
from kicklab.signal import clean, grade_adjusted_speed

__all__ = ["analyze", "MAX_RACE_GAP_S"]

#: A recording gap longer than this splits a file into separate blocks before analysis, s.
#: No race has an hour without a record; a file that does holds several activities (a TCX
#: with three runs) or a corrupt clock (a record 20 days later), and analysing across the gap
#: would build a useless multi-day 1 Hz grid.
MAX_RACE_GAP_S: float = 3600.0

_SERIES_COLUMNS = ("heart_rate_bpm", "cadence_spm", "step_length_m", "grade")


def _load(source: Any, name: str | None) -> Activity:
    if isinstance(source, Activity):
        return source
    if isinstance(source, str | Path | bytes | bytearray | memoryview) or hasattr(source, "read"):
        from kicklab.io import read

        return read(source, name=name)
    raise InvalidValue(f"analyze() needs an Activity, a path or bytes, got {type(source).__name__}")


def _main_block(activity: Activity, notes: list[str]) -> Activity:
    """The block with the most distance when the records hold gaps over MAX_RACE_GAP_S."""
    t = activity.records["time_s"].to_numpy(dtype=float)
    if t.size < 2:
        return activity
    breaks = np.flatnonzero(np.diff(t) > MAX_RACE_GAP_S)
    if breaks.size == 0:
        return activity
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, t.size - 1]
    d = activity.records["distance_m"].to_numpy(dtype=float)
    span = np.array(
        [
            (np.nanmax(d[s : e + 1]) - np.nanmin(d[s : e + 1]))
            if np.isfinite(d[s : e + 1]).any()
            else t[e] - t[s]
            for s, e in zip(starts, ends)
        ]
    )
    k = int(np.argmax(span))
    notes.append(
        f"the records hold {breaks.size} gap(s) longer than {MAX_RACE_GAP_S / 3600:.0f} h; "
        f"analysed block {k + 1} of {starts.size} (the one covering the most distance)"
    )
    return activity.between(float(t[starts[k]]), float(t[ends[k]]))


def _keep_last_sample(raw: Activity, cleaned: Activity) -> Activity:
    """Put back the final recorded sample when the 1 Hz grid stopped short of it.

    A watch stopped on the line records the finish at a fractional second; the integer grid
    of :func:`~kicklab.signal.resample_1hz` ends up to a second earlier, which would cut the
    finish out of the race and its final 100 m time.
    """
    rt = raw.records["time_s"].to_numpy(dtype=float)
    rec = cleaned.records
    ct = rec["time_s"].to_numpy(dtype=float)
    if rt.size == 0 or ct.size == 0 or not (ct[-1] < rt[-1] <= ct[-1] + 1.0):
        return cleaned
    last = rec.iloc[[-1]].copy()
    dt = rt[-1] - ct[-1]
    last["time_s"] = rt[-1]
    d_raw = raw.records["distance_m"].to_numpy(dtype=float)[-1]
    d_prev = float(last["distance_m"].iloc[0])
    speed = float(last["speed_mps"].iloc[0])
    if np.isfinite(d_raw) and cleaned.metadata["cleaned"].get("distance_from_positions") is False:
        last["distance_m"] = max(d_raw, d_prev)
    elif np.isfinite(d_prev) and np.isfinite(speed):
        last["distance_m"] = d_prev + speed * dt
    return cleaned.with_records(pd.concat([rec, last], ignore_index=True))


def _race_frame(records: pd.DataFrame, t0: float, t1: float) -> pd.DataFrame:
    """Records between t0 and t1 with both ends interpolated exactly onto t0 and t1."""
    t = records["time_s"].to_numpy(dtype=float)
    inner = (t > t0) & (t < t1)
    grid = np.concatenate(([t0], t[inner], [t1]))
    cols = {"time_s": grid}
    for c in ("distance_m", "speed_mps", "speed_raw_mps", *_SERIES_COLUMNS):
        if c not in records:
            cols[c] = np.full(grid.size, np.nan)
            continue
        x = records[c].to_numpy(dtype=float)
        ok = np.isfinite(x)
        if ok.sum() >= 2:
            y = np.interp(grid, t[ok], x[ok])
            # keep holes as holes: a grid point farther than 10 s from any valid sample is NaN
            near = np.abs(t[ok][np.clip(np.searchsorted(t[ok], grid), 0, ok.sum() - 1)] - grid)
            near = np.minimum(
                near,
                np.abs(t[ok][np.clip(np.searchsorted(t[ok], grid) - 1, 0, ok.sum() - 1)] - grid),
            )
            y[near > 10.0] = np.nan
        else:
            y = np.full(grid.size, np.nan)
        cols[c] = y
    return pd.DataFrame(cols)


def _shift_kick(kick: Kick, t0: float, d0: float) -> Kick:
    out = dataclasses.replace(kick)
    out.onset_time_s = kick.onset_time_s + t0
    out.onset_distance_m = kick.onset_distance_m + d0
    return out


def analyze(
    source: Any,
    *,
    race_distance_m: float | None = None,
    start: Any = None,
    end: Any = None,
    grade_adjust: bool = True,
    name: str | None = None,
    athlete: Any = None,
    balance_model: str = "differential",
) -> KickAnalysis:
    """Analyse the finish of a race: find the race, the kick, surges and the finish class.

    Parameters
    ----------
    source
        An :class:`~kicklab.activity.Activity` (raw or already cleaned), a path, bytes or a
        binary file object (any format :func:`kicklab.read` reads). A split table
        (``format="splits"``) is analysed by :func:`kicklab.kick.splits.analyze_splits`.
    race_distance_m
        Race distance, m: the race is the fastest effort of this distance in the activity.
    start, end
        Explicit race boundaries: times (s, ``"12:34"``) or distances (``"800m"``, ``"1.2km"``).
    grade_adjust
        Detect on grade-adjusted speed where altitude gives a grade (default True).
    name
        Label for the source (defaults to the activity's source).
    athlete
        The athlete's critical speed and D' — a mapping or object with ``cs_mps`` (m/s) and
        ``d_prime_m`` (m), e.g. a profile saved by ``kicklab profile --save`` — to report the
        D' balance at the kick onset, its minimum and its value at the finish (Kirby et al.
        2021: D' left late in a race decides the finishing order). Optional.
    balance_model
        D' balance model (:data:`kicklab.physiology.balance.BALANCE_MODELS`); default the
        unit-consistent ``"differential"`` model (Skiba & Clarke 2021).

    Returns
    -------
    KickAnalysis
        See :class:`~kicklab.kick.result.KickAnalysis`; onset, surge and phase times and
        distances are activity time and distance.

    Raises
    ------
    KicklabError
        Unreadable input, no running data, or race boundaries outside the activity.
    """
    activity = _load(source, name)
    label = name or activity.metadata.get("source")
    try:
        result = _analyze(activity, label, race_distance_m, start, end, grade_adjust)
        if athlete is not None:
            _add_balance(result, athlete, balance_model)
        return result
    except KicklabError as exc:
        if label:
            exc.with_source(str(label))
        raise


def _athlete_value(athlete: Any, key: str) -> float:
    value = athlete.get(key) if isinstance(athlete, Mapping) else getattr(athlete, key, None)
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = math.nan
    if not (math.isfinite(out) and out > 0):
        raise InvalidValue(f"the athlete needs a positive {key}, got {value!r}")
    return out


def _add_balance(result: KickAnalysis, athlete: Any, model: str) -> None:
    """Add D' balance (series column ``d_balance_m``, Kick fields) from the athlete's CS, D'."""
    from kicklab.physiology.balance import balance, balance_splits

    cs = _athlete_value(athlete, "cs_mps")
    dp = _athlete_value(athlete, "d_prime_m")
    series = result.series
    if series is None or len(series) == 0:
        return
    if result.coarse:
        d0 = float(result.race.start_distance_m)
        bal = balance_splits(
            series["distance_m"].to_numpy() - d0, series["time_s"].to_numpy(), cs, dp, model=model
        )
        x = series["distance_m"].to_numpy()
    else:
        t = series["time_s"].to_numpy()
        v = series["speed_analysed_mps"].to_numpy()
        bal = balance(v, cs, dp, time_s=t - t[0], model=model)
        x = series["distance_m"].to_numpy()
    series["d_balance_m"] = bal
    kick = result.kick
    ok = np.isfinite(bal)
    if not ok.any():
        return
    kick.d_balance_at_finish_m = float(bal[ok][-1])
    kick.d_balance_min_m = float(bal[ok].min())
    if kick.detected and math.isfinite(kick.onset_distance_m):
        at = float(np.interp(kick.onset_distance_m, x[ok], bal[ok]))
        kick.d_balance_at_onset_m = at
        kick.d_balance_at_onset_pct = 100.0 * at / dp
    result.notes.append(
        f"D' balance from CS {cs:.2f} m/s and D' {dp:.0f} m ({model} model"
        + (", lap by lap from the splits" if result.coarse else ", on the analysed speed")
        + "); a negative balance means CS or D' is underestimated"
    )


def _analyze(
    activity: Activity,
    label: str | None,
    race_distance_m: float | None,
    start: Any,
    end: Any,
    grade_adjust: bool,
) -> KickAnalysis:
    if activity.format == "splits":
        from kicklab.kick.splits import analyze_splits

        return analyze_splits(activity, source=label)
    notes: list[str] = []
    if len(activity.sessions) > 1:
        try:
            activity = activity.session("running")
            notes.append("multisport file: analysed its running session")
        except EmptyActivity:
            notes.append("no running session in this multisport file: analysed all of it")
    sport = activity.sport
    if sport not in (None, "running", "generic", "training", "track_running", "trail_running"):
        notes.append(
            f"this is a {sport} activity: kicklab's kick rules and thresholds are made for running"
        )
    if "cleaned" not in activity.metadata:
        raw = _main_block(activity, notes)
        activity = _keep_last_sample(raw, clean(raw))
    rec = activity.records
    if not np.isfinite(rec["speed_mps"].to_numpy(dtype=float)).any():
        raise EmptyActivity("the activity has no speed or distance to analyse")
    race, race_notes = find_race(activity, race_distance_m=race_distance_m, start=start, end=end)
    notes.extend(race_notes)
    t0, d0 = race.start_time_s, race.start_distance_m
    frame = _race_frame(rec, race.start_time_s, race.end_time_s)
    t = frame["time_s"].to_numpy() - t0
    d = frame["distance_m"].to_numpy() - d0
    if race.rule == "race_distance":
        # the race ends at exactly the requested distance
        d = np.minimum(d, race.distance_m)
    D, T = race.distance_m, race.duration_s
    v = frame["speed_mps"].to_numpy()
    grade = frame["grade"].to_numpy()
    use_gas = grade_adjust and np.isfinite(grade).any() and np.nanmax(np.abs(grade)) > 0.005
    v_an = grade_adjusted_speed(v, grade) if use_gas else v
    basis = "grade_adjusted" if use_gas else "speed"
    if use_gas:
        notes.append(
            "hills: kick, phases and surges are judged on grade-adjusted speed (Minetti 2002)"
        )

    kick = detect_kick(t, d, v_an)
    kick = kick_metrics(
        kick,
        t,
        d,
        v,
        heart_rate_bpm=frame["heart_rate_bpm"].to_numpy(),
        cadence_spm=frame["cadence_spm"].to_numpy(),
    )
    phases = pace_phases(t, d, v_an)
    surges = find_surges(phases, D, kick)
    finish_class, reason = classify(
        kick, race_distance_m=D, race_duration_s=T, distance_m=d, speed_mps=v_an
    )
    if kick.detected and finish_class != "kick":
        # the final acceleration came from too far out to be a kick: report it as a move
        move = Surge.from_kick(kick, D, T)
        surges = [s for s in surges if s.start_distance_m < move.start_distance_m] + [move]
        kick = kick_metrics(
            Kick(detected=False, reason=f"no kick: {reason}"),
            t,
            d,
            v,
            heart_rate_bpm=frame["heart_rate_bpm"].to_numpy(),
        )
    if kick.detected and not math.isfinite(kick.cadence_share_pct):
        notes.append(
            "no cadence in the file: the kick cannot be split into cadence and step length"
            if not np.isfinite(frame["cadence_spm"].to_numpy()).any()
            else "the speed gain is too small or cadence too sparse to split it"
        )

    # shift everything to activity time and distance
    kick = _shift_kick(kick, t0, d0) if kick.detected else kick
    for item in (*surges, *phases):
        item.start_time_s += t0
        item.end_time_s += t0
        item.start_distance_m += d0
        item.end_distance_m += d0
    half = np.isfinite(d) & np.isfinite(t)
    t_half = (
        float(np.interp(D / 2, np.maximum.accumulate(d[half]), t[half])) if half.any() else math.nan
    )
    series = pd.DataFrame(
        {
            "time_s": frame["time_s"].to_numpy(),
            "distance_m": frame["distance_m"].to_numpy(),
            "distance_to_go_m": D - d,
            "speed_mps": v,
            "speed_analysed_mps": v_an,
            **{c: frame[c].to_numpy() for c in _SERIES_COLUMNS},
        }
    )
    return KickAnalysis(
        source=label,
        race=race,
        kick=kick,
        surges=surges,
        phases=phases,
        finish_class=finish_class,
        class_reason=reason,
        speed_basis=basis,
        coarse=False,
        mean_speed_mps=D / T if T > 0 else math.nan,
        first_half_s=t_half,
        second_half_s=T - t_half,
        notes=notes,
        series=series,
    )
