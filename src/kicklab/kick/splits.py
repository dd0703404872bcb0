"""Kick analysis of a race known only by its splits (a championship split table, watch laps).

A split table says where the athlete was at a few moments — ``"400:58.85,800:1:56.81,
1200:2:53.21,1500:3:32.53"`` — and nothing in between. :func:`analyze_splits` runs the same
analysis as :func:`kicklab.kick.analysis.analyze` does on 1 Hz samples, with each split standing
for one average speed (its distance / its time) weighted by its duration:

Kick
    A step change of pace at a split boundary (:func:`kicklab.kick.phases.fit_ramp_step` with
    ``max_ramp=1``: the level before holds up to the end of one split, the level after from the
    next split on). The same windows as for samples (:mod:`kicklab.kick.rules`,
    :func:`kicklab.kick.detect.detect_kick`): the onset boundary lies in the last
    ``min(60 %, 2000 m)`` of the race and leaves at least 50 m and 8 s to the finish; the fit
    starts at the split holding the point one lap (400 m) before that window (extended back to
    three splits when the splits are long, never into splits that end within the start).
    Accepted when the gain ``μ₂/μ₁ − 1`` is at least :data:`~kicklab.kick.rules.MIN_KICK_GAIN`
    **and** significant against the spread of the split speeds around the two levels, with the
    rule used for samples: ``μ₂ − μ₁ ≥ z·σ·√(c/n₁ + c/n₂)``, z =
    :data:`~kicklab.kick.rules.KICK_Z`, σ the duration-weighted residual standard deviation,
    ``n₁``/``n₂`` the splits before and after the boundary and ``c`` the autocorrelation factor
    of the residuals (:func:`~kicklab.kick.phases.effective_n_factor`).

    Why the spread and not the gain alone: split-to-split pace in a race swings by a few per
    cent (a fast first lap, a slow tactical lap), and a last split 3 % faster than the rest
    means nothing in a race whose laps varied by 3 %. With few splits σ rests on a handful of
    residuals, so the test is rough, but it is the one samples get: a kick out of a steady pace
    passes easily (σ small), a last split no faster than earlier swings does not, and a pace
    that rose steadily through the race (residuals correlated, ``c`` large) is a progression
    rather than a kick. Perfectly even splits before a faster finish give σ = 0 and the gain
    rule alone decides. Then, as for samples, the splits after the boundary are searched again:
    a later accepted step whose gain also exceeds three times the pace spread before the first
    one (a sprint launched from a long drive, not the drive's own unevenness) is the kick.

    The onset is known only to a split boundary: ``onset_resolution_m`` is the length of the
    split ending at the boundary; the acceleration itself began somewhere in that split, at the
    boundary, or inside the next split (its higher average shows at the boundary either way).
    A step has no measurable ramp: ``ramp_s`` is 0. With fewer than three splits no kick can
    be told from the pace before it.

Finish metrics
    ``final_100_s``/``final_200_s``/``final_400_s`` are exact where a split boundary sits at
    that distance to go, otherwise interpolated assuming even pace inside the split (the notes
    say which). ``peak_speed_mps`` is the fastest split's average, not an instantaneous peak.
    Heart rate and cadence do not exist in split tables (NaN).

Phases, surges, class
    Pace phases by binary segmentation of the split speeds (at least one split per phase,
    :func:`kicklab.kick.phases.segment`); surges among them by
    :func:`kicklab.kick.surges.find_surges`; the class by :func:`kicklab.kick.classify.classify`
    with each split's midpoint distance, mean speed and duration. A detected step that is too
    far out to be a kick is reported as a surge (a long run for home), as for samples.

Distances in m from the race start, times in s from the start, speeds m/s, gains %.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import InvalidSplits, InvalidValue, KicklabError
from kicklab.io.splits import MAX_SPLIT_SPEED, MIN_SPLIT_SPEED, parse_splits
from kicklab.kick import rules
from kicklab.kick.classify import classify
from kicklab.kick.detect import PRE_WINDOW_M
from kicklab.kick.metrics import final_time_s
from kicklab.kick.phases import RampFit, effective_n_factor, fit_ramp_step, segment
from kicklab.kick.result import Kick, KickAnalysis, Phase, RaceSegment, Surge
from kicklab.kick.surges import find_surges

__all__ = ["analyze_splits", "split_frame", "MIN_FIT_SPLITS"]

#: Fewest splits in the kick fit: one before the boundary, one after, and one more so that the
#: spread of the split speeds around the two levels (the significance test) is not zero by
#: construction.
MIN_FIT_SPLITS: int = 3
#: Distances closer than this are the same point, m (split tables give whole metres or
#: fractions of a mile; float round-off is ~1e-12 m).
_SAME_M: float = 1e-6
#: Distances to go whose final time is reported (the Kick's final_100/200/400_s), m.
_FINALS_M: tuple[float, ...] = (100.0, 200.0, 400.0)


# --------------------------------------------------------------------------- input
def _validate_frame(frame: pd.DataFrame, source: str | None) -> pd.DataFrame:
    """Cumulative ``distance_m``/``time_s`` checked like :func:`kicklab.io.parse_splits` does."""
    missing = [c for c in ("distance_m", "time_s") if c not in frame.columns]
    if missing:
        raise InvalidSplits(
            f"a split frame needs cumulative columns distance_m and time_s; missing "
            f"{', '.join(missing)} (columns: {', '.join(map(str, frame.columns)) or 'none'})",
            source,
        )
    dist = pd.to_numeric(frame["distance_m"], errors="coerce").to_numpy(dtype=float)
    time = pd.to_numeric(frame["time_s"], errors="coerce").to_numpy(dtype=float)
    if dist.size and dist[0] == 0 and time[0] == 0:
        dist, time = dist[1:], time[1:]  # a start row
    if dist.size == 0:
        raise InvalidSplits("no splits found", source)
    for what, values in (("distance_m", dist), ("time_s", time)):
        bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
        if bad.size:
            i = int(bad[0])
            why = "is not a number" if not np.isfinite(values[i]) else "must be positive"
            raise InvalidSplits(f"split {i + 1}: {what} {why}", source)
        back = np.flatnonzero(np.diff(values) <= 0)
        if back.size:
            i = int(back[0]) + 1
            raise InvalidSplits(
                f"split {i + 1}: {what} {values[i]:g} does not increase past split {i} "
                f"({values[i - 1]:g}); splits must be cumulative and strictly increasing",
                source,
            )
    speed = np.diff(dist, prepend=0.0) / np.diff(time, prepend=0.0)
    off = np.flatnonzero((speed < MIN_SPLIT_SPEED) | (speed > MAX_SPLIT_SPEED))
    if off.size:
        i = int(off[0])
        raise InvalidSplits(
            f"split {i + 1}: {speed[i]:.2f} m/s is outside the plausible "
            f"{MIN_SPLIT_SPEED:g}–{MAX_SPLIT_SPEED:g} m/s",
            source,
        )
    return pd.DataFrame({"distance_m": dist, "time_s": time})


def split_frame(splits: Any, *, source: str | None = None) -> pd.DataFrame:
    """Cumulative splits from a split string, a split frame or a split-table Activity.

    Parameters
    ----------
    splits
        A split string or table text (:func:`kicklab.io.parse_splits`), a DataFrame with
        cumulative ``distance_m`` (m) and ``time_s`` (s), or an Activity from
        :func:`kicklab.io.read_splits` (its ``metadata["splits"]``).
    source
        Name used in errors.

    Returns
    -------
    pandas.DataFrame
        ``distance_m`` and ``time_s``, cumulative float64, one row per split (no start row).

    Raises
    ------
    InvalidSplits
        Unreadable, not strictly increasing, non-positive or implausibly fast/slow splits.
    InvalidValue
        Anything that is not a split table (another type, an Activity of samples).
    """
    if isinstance(splits, str):
        return parse_splits(splits, source=source)
    if isinstance(splits, pd.DataFrame):
        return _validate_frame(splits, source)
    if isinstance(splits, Activity):
        table = splits.metadata.get("splits")
        if isinstance(table, pd.DataFrame):
            return _validate_frame(table, source)
        if splits.format == "splits":
            return _validate_frame(splits.records[["distance_m", "time_s"]], source)
        raise InvalidValue(
            f"the activity is a {splits.format or 'sampled'} recording, not a split table; "
            "analyse it with kicklab.kick.analysis.analyze",
            source,
        )
    raise InvalidValue(
        "splits must be a split string, a DataFrame with distance_m and time_s, or a "
        f"split-table Activity, not {type(splits).__name__}",
        source,
    )


# --------------------------------------------------------------------------- kick
def _judge(fit: RampFit, y: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Gain (fraction), z-score and relative pace spread before the step, of a step fit on
    split speeds ``y`` with durations ``w``."""
    a, b = fit.onset, fit.ramp_end
    g = np.zeros(y.size)
    g[b:] = 1.0
    if b - a > 1:  # not reached with max_ramp=1; kept so any fit is judged correctly
        g[a + 1 : b] = np.linspace(0.0, 1.0, b - a + 1)[1:-1]
    resid = y - (fit.mu1 + (fit.mu2 - fit.mu1) * g)
    sigma = math.sqrt(float(np.sum(w * resid * resid) / np.sum(w)))
    c = effective_n_factor(resid)
    n1, n2 = a + 1, y.size - b
    se = sigma * math.sqrt(c / n1 + c / n2)
    gain = fit.mu2 / fit.mu1 - 1.0 if fit.mu1 > 0 else math.nan
    z = (fit.mu2 - fit.mu1) / se if se > 0 else math.inf
    pre = resid[: a + 1]
    spread = math.sqrt(float(np.sum(w[: a + 1] * pre * pre) / np.sum(w[: a + 1]))) / fit.mu1
    return gain, z, spread


def _search(
    d_end: np.ndarray,
    t_end: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    first: int,
    window: tuple[float, float, float],
) -> tuple[RampFit | None, tuple[float, float, float]]:
    """Best step on splits ``first:`` with its boundary inside ``window`` (lo_d, hi_d, hi_t).

    ``w`` is each split's duration (s); the fit's coordinate is the split's mid-time.
    """
    lo_d, hi_d, hi_t = window
    dd, tt = d_end[first:], t_end[first:]
    m = dd.size
    if m < MIN_FIT_SPLITS:
        return None, (math.nan, math.nan, math.nan)
    # a boundary is the end of split a (0 ≤ a ≤ m − 2): the level after starts with split a+1
    cand = np.flatnonzero(
        (dd[:-1] >= lo_d - _SAME_M) & (dd[:-1] <= hi_d + _SAME_M) & (tt[:-1] <= hi_t)
    )
    if cand.size == 0:
        return None, (math.nan, math.nan, math.nan)
    fit = fit_ramp_step(
        tt - 0.5 * w[first:],
        v[first:],
        w[first:],
        onset_range=(int(cand[0]), int(cand[-1])),
        max_ramp=1,
    )
    if fit is None:
        return None, (math.nan, math.nan, math.nan)
    return fit, _judge(fit, v[first:], w[first:])


def _accepted(stats: tuple[float, float, float]) -> bool:
    gain, z, _ = stats
    return bool(gain >= rules.MIN_KICK_GAIN and z >= rules.KICK_Z)


def _detect(d_end: np.ndarray, t_end: np.ndarray, v: np.ndarray, w: np.ndarray) -> Kick:
    """The kick on split data (race-relative; see the module docstring)."""
    n = d_end.size
    D, T = float(d_end[-1]), float(t_end[-1])
    if D < rules.MIN_RACE_M or T < rules.MIN_RACE_S:
        return Kick(detected=False, reason=f"race too short ({D:.0f} m, {T:.0f} s) for a kick")
    if n < MIN_FIT_SPLITS:
        return Kick(
            detected=False,
            reason=(
                f"only {n} split{'s' if n != 1 else ''}: split averages cannot tell a kick from "
                f"the pace before it with fewer than {MIN_FIT_SPLITS} splits"
            ),
        )
    search_from = D - min(rules.SEARCH_FRACTION * D, rules.SEARCH_MAX_M)
    start_ex = min(rules.START_EXCLUDE_FRACTION * D, rules.START_EXCLUDE_MAX_M)
    fit_from = max(start_ex, search_from - PRE_WINDOW_M)
    first_after_start = int(np.searchsorted(d_end, start_ex + _SAME_M, side="left"))
    first = int(np.searchsorted(d_end, fit_from + _SAME_M, side="left"))
    first = max(min(first, n - MIN_FIT_SPLITS), first_after_start)
    if n - first_after_start < MIN_FIT_SPLITS:
        return Kick(
            detected=False,
            reason=(
                f"too few splits after the start ({n - first_after_start}) to tell a kick "
                f"from the pace before it (at least {MIN_FIT_SPLITS} are needed)"
            ),
        )
    window = (search_from, D - rules.MIN_KICK_M, T - rules.MIN_KICK_S)

    fit, stats = _search(d_end, t_end, v, w, first, window)
    if fit is None:
        return Kick(
            detected=False,
            reason="no split boundary in the final part of the race to start a kick from",
        )
    base = first
    if not _accepted(stats):
        gain, z, _ = stats
        return Kick(
            detected=False,
            reason=(
                f"no final sustained acceleration: the best split boundary gave "
                f"{100 * gain:+.1f} % (z = {z:.1f}); a kick needs ≥ "
                f"{100 * rules.MIN_KICK_GAIN:.0f} % and z ≥ {rules.KICK_Z:.0f}"
            ),
        )
    for _ in range(n):  # a later, clearly distinct step is the final acceleration
        later_first = base + fit.ramp_end
        later, lstats = _search(d_end, t_end, v, w, later_first, window)
        if later is None or not _accepted(lstats) or lstats[0] < rules.KICK_Z * stats[2]:
            break
        fit, stats, base = later, lstats, later_first
    gain, z, _ = stats
    ia = base + fit.onset
    onset_d, onset_t = float(d_end[ia]), float(t_end[ia])
    seg_d = np.diff(d_end, prepend=0.0)
    return Kick(
        detected=True,
        onset_time_s=onset_t,
        onset_distance_m=onset_d,
        onset_distance_to_go_m=D - onset_d,
        onset_time_to_go_s=T - onset_t,
        onset_resolution_m=float(seg_d[ia]),
        ramp_s=0.0,
        pre_kick_speed_mps=fit.mu1,
        kick_speed_mps=fit.mu2,
        peak_speed_mps=float(np.max(v[ia + 1 :])),
        mean_speed_mps=(D - onset_d) / (T - onset_t),
        gain_pct=100.0 * gain,
        duration_s=T - onset_t,
        reason=(
            f"the splits from {onset_d:.0f} m ({D - onset_d:.0f} m to go) averaged "
            f"{100 * gain:.1f} % faster than the race pace before (z = {z:.1f})"
        ),
    )


# --------------------------------------------------------------------------- helpers
def _phases(d_end: np.ndarray, t_end: np.ndarray, v: np.ndarray, w: np.ndarray) -> list[Phase]:
    bounds = segment(v, w, min_size=1, min_rel_change=rules.MIN_PHASE_CHANGE, z=rules.KICK_Z)
    d0 = np.concatenate(([0.0], d_end))
    t0 = np.concatenate(([0.0], t_end))
    return [
        Phase(
            start_time_s=float(t0[s]),
            end_time_s=float(t0[e]),
            start_distance_m=float(d0[s]),
            end_distance_m=float(d0[e]),
            mean_speed_mps=float((d0[e] - d0[s]) / (t0[e] - t0[s])),
        )
        for s, e in zip(bounds[:-1], bounds[1:])
    ]


def _finals(kick: Kick, d_end: np.ndarray, t_end: np.ndarray, notes: list[str]) -> None:
    """Fill final_100/200/400_s; note which ones were interpolated inside a split."""
    d0 = np.concatenate(([0.0], d_end))
    t0 = np.concatenate(([0.0], t_end))
    D = float(d_end[-1])
    interpolated = []
    for last in _FINALS_M:
        value = final_time_s(t0, d0, last)
        setattr(kick, f"final_{last:.0f}_s", value)
        if math.isfinite(value) and not np.any(np.abs(d0 - (D - last)) <= _SAME_M):
            interpolated.append(f"final_{last:.0f}_s")
    if interpolated:
        notes.append(
            f"{', '.join(interpolated)} interpolated assuming even pace inside the split "
            "(no split boundary at that distance to go)"
        )


# --------------------------------------------------------------------------- public
def analyze_splits(splits: Any, *, source: str | None = None) -> KickAnalysis:
    """Kick analysis of a race from its splits only (see the module docstring for the method).

    Parameters
    ----------
    splits
        A split string (``"400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"``) or split table
        text, a DataFrame with cumulative ``distance_m`` (m) and ``time_s`` (s), or an
        Activity from :func:`kicklab.io.read_splits`. The last split is the finish.
    source
        Label of the race (defaults to an Activity's ``metadata["source"]``); used in errors.

    Returns
    -------
    KickAnalysis
        ``speed_basis="splits"``, ``coarse=True``; ``race`` with rule ``"splits"`` from 0 to
        the last split; the kick (onset at a split boundary, distances and times from the race
        start), surges, pace phases and class; ``first_half_s``/``second_half_s`` with the half
        distance interpolated inside its split; ``notes`` on what split data cannot show;
        ``series`` one row per split: ``distance_m`` (split end, m), ``distance_to_go_m``,
        ``time_s`` (cumulative, s), ``split_distance_m``, ``split_time_s``, ``speed_mps``
        (the split's mean speed).

    Raises
    ------
    InvalidSplits
        Unreadable or invalid splits (see :func:`kicklab.io.parse_splits`).
    InvalidValue
        Input that is not a split table.
    """
    if source is None and isinstance(splits, Activity):
        source = splits.metadata.get("source")
    try:
        return _analyze(split_frame(splits, source=source), source)
    except KicklabError as exc:
        if source:
            exc.with_source(str(source))
        raise


def _analyze(table: pd.DataFrame, source: str | None) -> KickAnalysis:
    d_end = table["distance_m"].to_numpy(dtype=float)
    t_end = table["time_s"].to_numpy(dtype=float)
    seg_d = np.diff(d_end, prepend=0.0)
    seg_t = np.diff(t_end, prepend=0.0)
    v = seg_d / seg_t
    n = d_end.size
    D, T = float(d_end[-1]), float(t_end[-1])
    notes = [
        f"split table of {n} split{'s' if n != 1 else ''}: each split is one average speed; "
        "nothing inside a split (the exact onset, peak speed, heart rate, cadence) can be seen"
    ]

    kick = _detect(d_end, t_end, v, seg_t)
    phases = _phases(d_end, t_end, v, seg_t)
    surges = find_surges(phases, D, kick)
    mid = d_end - 0.5 * seg_d
    finish_class, reason = classify(
        kick, race_distance_m=D, race_duration_s=T, distance_m=mid, speed_mps=v, weights=seg_t
    )
    moved = kick.detected and finish_class != "kick"
    if moved:
        move = Surge.from_kick(kick, D, T)
        surges = [s for s in surges if s.start_distance_m < move.start_distance_m] + [move]
        limit = rules.kick_max_to_go_m(D)
        notes.append(
            f"the final step in pace came at the split boundary {move.start_distance_to_go_m:g} m "
            f"from the finish, further out than a kick ({limit:.0f} m at this distance): "
            "reported as a surge; split averages cannot show whether the acceleration began "
            "later, inside the split after that boundary"
        )
        kick = Kick(detected=False, reason=f"no kick: {reason}")
    _finals(kick, d_end, t_end, notes)
    if kick.detected:
        ia = int(np.argmin(np.abs(d_end - kick.onset_distance_m)))
        after = f", or inside the {seg_d[ia + 1]:g} m split after it" if ia + 1 < n else ""
        notes.append(
            f"the kick shows at the split boundary at {kick.onset_distance_m:g} m "
            f"({kick.onset_distance_to_go_m:g} m to go): the acceleration began within the "
            f"{seg_d[ia]:g} m split ending there (onset_resolution_m), at the boundary{after} "
            "— split averages cannot place it closer"
        )
        notes.append(
            "peak_speed_mps is the fastest split's average speed, not an instantaneous peak; "
            "the kick is a step between split averages, so ramp_s is 0"
        )
    if finish_class == "undetermined":
        notes.append(
            f"finish class undetermined: only {n} split{'s' if n != 1 else ''} "
            "(at least 3 are needed)"
            if n < 3
            else f"finish class undetermined: {reason}"
        )

    d0 = np.concatenate(([0.0], d_end))
    t0 = np.concatenate(([0.0], t_end))
    t_half = float(np.interp(D / 2, d0, t0))
    series = pd.DataFrame(
        {
            "distance_m": d_end,
            "distance_to_go_m": D - d_end,
            "time_s": t_end,
            "split_distance_m": seg_d,
            "split_time_s": seg_t,
            "speed_mps": v,
        }
    )
    return KickAnalysis(
        source=source,
        race=RaceSegment(
            rule="splits",
            start_time_s=0.0,
            end_time_s=T,
            start_distance_m=0.0,
            end_distance_m=D,
            description=f"split table: {n} split{'s' if n != 1 else ''} over {D:g} m",
        ),
        kick=kick,
        surges=surges,
        phases=phases,
        finish_class=finish_class,
        class_reason=reason,
        speed_basis="splits",
        coarse=True,
        mean_speed_mps=D / T,
        first_half_s=t_half,
        second_half_s=T - t_half,
        notes=notes,
        series=series,
    )
