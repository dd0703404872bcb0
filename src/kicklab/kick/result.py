"""What a kick analysis returns: the race segment, the kick, surges, pace phases, the class.

Plain dataclasses; :meth:`KickAnalysis.to_dict` gives the JSON-ready form printed by
``kicklab analyze --json`` (NaN becomes ``null``). Times are seconds, distances metres,
speeds m/s, gains and shares per cent. "Activity time" and "activity distance" are the
``time_s`` / ``distance_m`` of the analysed activity's records; "to go" values count back from
the race's finish.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = ["RaceSegment", "Kick", "Surge", "Phase", "KickAnalysis", "FINISH_CLASSES"]

#: Finish classes, in the order they are tested (see :func:`kicklab.kick.classify.classify`).
FINISH_CLASSES = ("kick", "long_surge", "fade", "progressive", "even", "undetermined")


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, numpy scalars → Python numbers, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class RaceSegment:
    """Where the race lies inside the activity, and which rule found it.

    Attributes
    ----------
    rule
        ``"start_end"`` (explicit start/end), ``"race_distance"`` (fastest effort of a given
        distance), ``"lap"`` (a lap that stands out as the race), ``"whole_activity"``
        (trailing walk/standstill trimmed) or ``"splits"`` (a split table).
    start_time_s, end_time_s
        Activity time of the start and the finish, s.
    start_distance_m, end_distance_m
        Activity distance at the start and the finish, m.
    description
        The rule in words, e.g. ``"fastest 1500 m effort in the activity"``.
    """

    rule: str
    start_time_s: float
    end_time_s: float
    start_distance_m: float
    end_distance_m: float
    description: str = ""

    @property
    def distance_m(self) -> float:
        """Race distance, m."""
        return self.end_distance_m - self.start_distance_m

    @property
    def duration_s(self) -> float:
        """Race time, s."""
        return self.end_time_s - self.start_time_s

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (adds ``distance_m`` and ``duration_s``)."""
        out = asdict(self)
        out["distance_m"] = self.distance_m
        out["duration_s"] = self.duration_s
        return _clean(out)


@dataclass
class Kick:
    """The finishing kick: where it began and what it was made of.

    ``detected`` is False when the race has no final sustained acceleration meeting the
    criteria (see :func:`kicklab.kick.detect.detect_kick`); the metrics that describe the end
    of the race (final 100/200/400 m, HR at the end) are still filled, onset-based ones are
    NaN.

    Attributes
    ----------
    detected
        A kick was found.
    onset_time_s, onset_distance_m
        Activity time and distance at the onset (start of the acceleration), s and m.
    onset_distance_to_go_m, onset_time_to_go_s
        Distance and time from the onset to the finish, m and s.
    onset_resolution_m
        How precisely the onset is known, m: about one second of running for sampled data,
        the length of the split before the onset for split tables.
    ramp_s
        Duration of the acceleration from race pace to kick speed (fitted), s.
    pre_kick_speed_mps
        Race pace before the kick: the fitted level over the 400 m before the onset, m/s.
    kick_speed_mps
        Fitted level from the end of the acceleration to the finish, m/s.
    peak_speed_mps, mean_speed_mps
        Highest and mean speed from the onset to the finish, m/s.
    gain_pct
        ``100 · (kick_speed / pre_kick_speed − 1)``, %.
    duration_s
        Time from onset to finish, s (equals ``onset_time_to_go_s``).
    final_100_s, final_200_s, final_400_s
        Time over the last 100/200/400 m of the race, s (NaN when the race is shorter).
    hr_onset_bpm, hr_end_bpm
        Heart rate at the onset and at the finish, bpm.
    cadence_share_pct, step_length_share_pct
        Shares of the kick's speed gain carried by cadence and by step length, % (sum 100;
        NaN without cadence); see :func:`kicklab.kick.decompose.decompose_gain`.
    cadence_gain_pct, step_length_gain_pct
        Change of cadence and of step length from race pace to the kick, % (geometric means).
    pre_cadence_spm, kick_cadence_spm, pre_step_length_m, kick_step_length_m
        Geometric-mean cadence (steps/min) and step length (m) before and during the kick.
    d_balance_at_onset_m, d_balance_at_onset_pct
        D' balance at the onset, m and % of D' (only when the athlete's CS and D' are given;
        see :func:`kicklab.kick.analysis.analyze`).
    d_balance_at_finish_m, d_balance_min_m
        D' balance at the finish and its lowest value in the race, m.
    reason
        Why the kick was (or was not) detected, in words.
    """

    detected: bool = False
    onset_time_s: float = math.nan
    onset_distance_m: float = math.nan
    onset_distance_to_go_m: float = math.nan
    onset_time_to_go_s: float = math.nan
    onset_resolution_m: float = math.nan
    ramp_s: float = math.nan
    pre_kick_speed_mps: float = math.nan
    kick_speed_mps: float = math.nan
    peak_speed_mps: float = math.nan
    mean_speed_mps: float = math.nan
    gain_pct: float = math.nan
    duration_s: float = math.nan
    final_100_s: float = math.nan
    final_200_s: float = math.nan
    final_400_s: float = math.nan
    hr_onset_bpm: float = math.nan
    hr_end_bpm: float = math.nan
    cadence_share_pct: float = math.nan
    step_length_share_pct: float = math.nan
    cadence_gain_pct: float = math.nan
    step_length_gain_pct: float = math.nan
    pre_cadence_spm: float = math.nan
    kick_cadence_spm: float = math.nan
    pre_step_length_m: float = math.nan
    kick_step_length_m: float = math.nan
    d_balance_at_onset_m: float = math.nan
    d_balance_at_onset_pct: float = math.nan
    d_balance_at_finish_m: float = math.nan
    d_balance_min_m: float = math.nan
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _clean(asdict(self))


@dataclass
class Surge:
    """A mid-race surge: a sustained rise in pace before the finishing kick.

    Attributes
    ----------
    start_time_s, end_time_s, start_distance_m, end_distance_m
        Activity time and distance where the surge began and ended, s and m.
    start_distance_to_go_m
        Distance from the surge's start to the finish, m.
    duration_s, distance_m
        Length of the surge in time and distance, s and m.
    pre_speed_mps, mean_speed_mps, after_speed_mps
        Pace before, during and after the surge, m/s (``after`` NaN when the surge runs into
        the kick or the finish).
    gain_pct
        ``100 · (mean / pre − 1)``: how much faster than before, %.
    after_pct
        ``100 · (after / pre − 1)``: the pace after the surge against the pace before, %
        (negative: slower afterwards — the price of the surge).
    """

    start_time_s: float
    end_time_s: float
    start_distance_m: float
    end_distance_m: float
    start_distance_to_go_m: float
    duration_s: float
    distance_m: float
    pre_speed_mps: float
    mean_speed_mps: float
    after_speed_mps: float
    gain_pct: float
    after_pct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _clean(asdict(self))

    @classmethod
    def from_kick(cls, kick: Kick, race_distance_m: float, race_time_s: float) -> Surge:
        """A final acceleration too far out to be a kick, as a long surge held to the finish.

        ``kick`` and the race distance (m) / time (s) must be in the same frame (race-relative
        or activity); the surge ends at the finish, so nothing comes after it (``after_*``
        NaN).
        """
        return cls(
            start_time_s=kick.onset_time_s,
            end_time_s=race_time_s,
            start_distance_m=kick.onset_distance_m,
            end_distance_m=race_distance_m,
            start_distance_to_go_m=kick.onset_distance_to_go_m,
            duration_s=kick.duration_s,
            distance_m=kick.onset_distance_to_go_m,
            pre_speed_mps=kick.pre_kick_speed_mps,
            mean_speed_mps=kick.mean_speed_mps,
            after_speed_mps=math.nan,
            gain_pct=kick.gain_pct,
            after_pct=math.nan,
        )


@dataclass
class Phase:
    """A stretch of the race run at one pace (piecewise-constant segmentation of speed).

    Attributes
    ----------
    start_time_s, end_time_s, start_distance_m, end_distance_m
        Activity time and distance at the phase's ends, s and m.
    mean_speed_mps
        Mean of the analysed (grade-adjusted where hilly) speed over the phase, m/s.
    """

    start_time_s: float
    end_time_s: float
    start_distance_m: float
    end_distance_m: float
    mean_speed_mps: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _clean(asdict(self))


@dataclass
class KickAnalysis:
    """Everything :func:`kicklab.kick.analyze` found in one race.

    Attributes
    ----------
    source
        File name or label of the input.
    race
        The race segment and the rule that found it.
    kick
        The finishing kick (``kick.detected`` False when there was none).
    surges
        Mid-race surges, in race order.
    phases
        Pace phases of the race (piecewise-constant segmentation), in race order.
    finish_class
        One of :data:`FINISH_CLASSES` (JSON key ``class``).
    class_reason
        The rule that gave the class, in words.
    speed_basis
        ``"grade_adjusted"`` when hills were accounted for, ``"speed"`` otherwise, ``"splits"``
        for split tables.
    coarse
        True for split tables: onsets are known only to a split boundary.
    mean_speed_mps
        Race distance / race time, m/s.
    first_half_s, second_half_s
        Time of each half of the race distance, s.
    notes
        Caveats in words (e.g. "no cadence: no decomposition").
    series
        Per-sample race data for plots (columns ``time_s``, ``distance_m``,
        ``distance_to_go_m``, ``speed_mps``, ``speed_analysed_mps``, ``cadence_spm``,
        ``step_length_m``, ``heart_rate_bpm``, ``grade``); for split tables one row per split
        boundary with the split's speed. Not part of :meth:`to_dict`.
    """

    source: str | None
    race: RaceSegment
    kick: Kick
    surges: list[Surge] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    finish_class: str = "undetermined"
    class_reason: str = ""
    speed_basis: str = "speed"
    coarse: bool = False
    mean_speed_mps: float = math.nan
    first_half_s: float = math.nan
    second_half_s: float = math.nan
    notes: list[str] = field(default_factory=list)
    series: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``class``, ``kick``, ``surges``, ``race``, ``phases`` and the rest."""
        return _clean(
            {
                "source": self.source,
                "class": self.finish_class,
                "class_reason": self.class_reason,
                "kick": self.kick.to_dict(),
                "surges": [s.to_dict() for s in self.surges],
                "race": self.race.to_dict(),
                "phases": [p.to_dict() for p in self.phases],
                "speed_basis": self.speed_basis,
                "coarse": self.coarse,
                "mean_speed_mps": self.mean_speed_mps,
                "first_half_s": self.first_half_s,
                "second_half_s": self.second_half_s,
                "notes": list(self.notes),
            }
        )
