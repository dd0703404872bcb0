"""Kick analysis: find the race, detect and measure the finishing kick, surges and the class.

The orchestrator is :func:`analyze`; every step is a plain function of its own module
(:mod:`~kicklab.kick.segment`, :mod:`~kicklab.kick.detect`, :mod:`~kicklab.kick.metrics`,
:mod:`~kicklab.kick.decompose`, :mod:`~kicklab.kick.surges`, :mod:`~kicklab.kick.classify`).
"""

from kicklab.kick.analysis import analyze
from kicklab.kick.classify import classify
from kicklab.kick.decompose import decompose_gain
from kicklab.kick.detect import detect_kick
from kicklab.kick.metrics import final_time_s, kick_metrics
from kicklab.kick.result import FINISH_CLASSES, Kick, KickAnalysis, Phase, RaceSegment, Surge
from kicklab.kick.segment import find_race
from kicklab.kick.surges import find_surges, pace_phases

__all__ = [
    "analyze",
    "classify",
    "decompose_gain",
    "detect_kick",
    "final_time_s",
    "kick_metrics",
    "find_race",
    "find_surges",
    "pace_phases",
    "FINISH_CLASSES",
    "Kick",
    "KickAnalysis",
    "Phase",
    "RaceSegment",
    "Surge",
]
