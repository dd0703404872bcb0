"""Training for the finishing kick: the drill library, periodised plans and their safety rules.

* :mod:`kicklab.training.library` — the drill and session library (TOML data, validated on
  load): :func:`load_library`, :class:`Drill`, :class:`Dosage`, :data:`QUALITIES`;
* :mod:`kicklab.training.plan` — :func:`diagnose` (the kick weakness), :func:`build_plan`
  (base → specific → taper → race, targets from the profile) and :func:`check_safety`;
* :mod:`kicklab.training.rules` — every constant of plan generation with its source.
"""

from kicklab.training.library import KINDS, LEVELS, QUALITIES, Dosage, Drill, load_library
from kicklab.training.plan import (
    Block,
    Plan,
    Session,
    Step,
    build_plan,
    check_safety,
    diagnose,
)

__all__ = [
    "QUALITIES",
    "KINDS",
    "LEVELS",
    "Dosage",
    "Drill",
    "load_library",
    "Step",
    "Session",
    "Block",
    "Plan",
    "build_plan",
    "check_safety",
    "diagnose",
]
