"""The thresholds of kick analysis, each with the reason it has its value.

One module so that sample-based analysis (:mod:`kicklab.kick.detect`), split tables
(:mod:`kicklab.kick.splits`) and classification (:mod:`kicklab.kick.classify`) judge races by
the same rules. Distances in m, times in s, gains as fractions (0.02 = 2 %).
"""

from __future__ import annotations

__all__ = [
    "MIN_KICK_GAIN",
    "KICK_Z",
    "MIN_KICK_M",
    "MIN_KICK_S",
    "SEARCH_FRACTION",
    "SEARCH_MAX_M",
    "START_EXCLUDE_FRACTION",
    "START_EXCLUDE_MAX_M",
    "TREND_PCT",
    "FADE_PCT",
    "MIN_RACE_M",
    "MIN_RACE_S",
    "MIN_PHASE_S",
    "MIN_PHASE_CHANGE",
    "MIN_SURGE_GAIN",
    "MIN_SURGE_M",
    "kick_max_to_go_m",
    "end_window_m",
]

#: Smallest speed gain that counts as a kick (2 %). Lap-to-lap pace in even-paced
#: championship and record races varies by about ±1–2 % (Hanley, Stellingwerff & Hettinga
#: 2019), and GPS speed on a track bend is biased by about 1 %; 2 % (≈ 1.2 s per 400 m at
#: 1500 m pace) is the smallest change that stands out of both. The gain must also be
#: statistically significant (:data:`KICK_Z`).
MIN_KICK_GAIN: float = 0.02
#: Significance of a kick's gain in standard errors of the level difference, with the
#: standard error corrected for autocorrelated pace noise (effective sample size). z = 3 is a
#: one-sided false-alarm rate of about 0.1 % per test.
KICK_Z: float = 3.0
#: Shortest kick, m: a burst over the last few strides (a dip for the line) is not a kick.
#: 50 m is ~7–10 s at kick speed, longer than the 5 s speed smoothing window, so a kick's
#: level is measured on at least one independent smoothed value.
MIN_KICK_M: float = 50.0
#: Shortest kick, s (same reason as :data:`MIN_KICK_M`, for slow runners).
MIN_KICK_S: float = 8.0
#: The kick onset is searched only in the final part of the race: at most this fraction of
#: its distance (an acceleration from further out is a change of race pace, not a finish) ...
SEARCH_FRACTION: float = 0.6
#: ... and at most this far from the finish, m. 10 000 m championship packs stay together to
#: ~8000 m (Hanley et al. 2019), so 2000 m holds the longest drives for home seen in racing.
SEARCH_MAX_M: float = 2000.0
#: The start (standing start, jostling for position) is left out of pace references: the
#: first 10 % of the race ...
START_EXCLUDE_FRACTION: float = 0.1
#: ... but at most 200 m (the acceleration from a standing start is over within ~50 m; the
#: rest is positioning before the first bend clears).
START_EXCLUDE_MAX_M: float = 200.0
#: A race whose pace changes by at least 3 % from the early race to the end (trend of a
#: linear fit) is progressive (faster) or fading (slower): larger than the ±1–2 % variation
#: of even pacing and than :data:`MIN_KICK_GAIN`.
TREND_PCT: float = 3.0
#: Final stretch (see :func:`end_window_m`) slower than the rest of the race by this much, %:
#: a fade (the runner "tied up"); same reasoning as :data:`TREND_PCT`.
FADE_PCT: float = 3.0
#: Shortest race analysed, m and s: below this there is no race pace to kick from.
MIN_RACE_M: float = 200.0
MIN_RACE_S: float = 30.0
#: Shortest pace phase, s: pace changes shorter than 20 s are moves around other runners,
#: bends or GPS error; with 5 s speed smoothing it is four independent values.
MIN_PHASE_S: float = 20.0
#: Smallest relative change of mean pace between two phases (same reasoning as
#: :data:`MIN_KICK_GAIN`).
MIN_PHASE_CHANGE: float = 0.02
#: A surge is a phase at least 3 % faster than the phase before it (a clear move, larger
#: than even-pace variation and than a phase boundary's minimum change) ...
MIN_SURGE_GAIN: float = 0.03
#: ... lasting at least 100 m (a quarter lap: shorter is a pass, not a surge).
MIN_SURGE_M: float = 100.0


def kick_max_to_go_m(race_distance_m: float) -> float:
    """Farthest onset still called a kick for a race of this distance, m.

    ``clip(0.4 · distance, 300, 800)``: 320 m for 800 m, 600 m for 1500 m, 800 m from
    2000 m up. Championship kicks start in the last 100–300 m of 800/1500 m finals and
    around 800 m out in 5000 m finals (Hanley, Stellingwerff & Hettinga 2019); an
    acceleration held from further out is a long surge ("a long run for home").
    """
    return float(min(max(0.4 * race_distance_m, 300.0), 800.0))


def end_window_m(race_distance_m: float) -> float:
    """Length of the final stretch judged for a fade, m: ``min(400, 0.25 · distance)``."""
    return float(min(400.0, 0.25 * race_distance_m))
