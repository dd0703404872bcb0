"""Race simulation: courses, runners, Monte Carlo races, optimal pacing, tactics and advice.

=====================  ===========================================================
module                 what it holds
=====================  ===========================================================
:mod:`.course`         :class:`Course` (track, road, GPX route, weather), :class:`Route`
:mod:`.runner`         :class:`Runner`, :class:`Tactic` and the tactic factories
:mod:`.spec`           text forms of runners and tactics (``"Kim:5.6:160:8.6:kick@250"``)
:mod:`.simulate`       :func:`~kicklab.race.simulate.simulate`, :func:`simulate_many`,
                       :class:`RaceResult` (``from kicklab.race.simulate import simulate``:
                       the package attribute ``simulate`` is the module)
:mod:`.tactics`        :func:`advise`, :func:`advise_kick`, :func:`advise_surge`,
                       :func:`surge_threshold`
:mod:`.optimal`        optimal solo pacing: :func:`keller`, :func:`morton_pacing`
:mod:`.synthetic`      a simulated runner's race as an Activity / FIT file
=====================  ===========================================================
"""

from kicklab.race.course import Course, Route
from kicklab.race.optimal import keller, morton_pacing
from kicklab.race.runner import (
    Runner,
    Tactic,
    even,
    follow,
    front_run,
    long_surge,
    sit_and_kick,
)
from kicklab.race.simulate import RaceResult, simulate_many
from kicklab.race.spec import parse_runner, parse_tactic
from kicklab.race.synthetic import activity_from_race, race_to_fit
from kicklab.race.tactics import Advice, advise, advise_kick, advise_surge, surge_threshold

__all__ = [
    "Course",
    "Route",
    "Runner",
    "Tactic",
    "even",
    "follow",
    "front_run",
    "long_surge",
    "sit_and_kick",
    "parse_runner",
    "parse_tactic",
    "RaceResult",
    "simulate_many",
    "Advice",
    "advise",
    "advise_kick",
    "advise_surge",
    "surge_threshold",
    "keller",
    "morton_pacing",
    "activity_from_race",
    "race_to_fit",
]
