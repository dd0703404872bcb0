"""The athlete behind the kick: critical speed, D', sprint speed, speed reserve, D' balance,
race-time predictions.

Model families are plain functions with one signature each (pvlib style), chosen by name or
passed as callables; estimators follow the scikit-learn contract; :func:`build_profile` is the
orchestrator behind ``kicklab profile``:

* :mod:`~kicklab.physiology.models` — speed–duration models (2-parameter, Morton 3-parameter);
* :mod:`~kicklab.physiology.fit` — :class:`CriticalSpeed` estimator with uncertainty;
* :mod:`~kicklab.physiology.efforts` — best efforts from text and from activity files;
* :mod:`~kicklab.physiology.reserve` — MSS, MAS, ASR, SRR, :class:`KickProfile`;
* :mod:`~kicklab.physiology.balance` — D' balance models (differential, Skiba 2012, Bartram);
  the dispatcher is ``kicklab.physiology.balance.balance`` (not re-exported here, so that the
  module keeps its name);
* :mod:`~kicklab.physiology.predict` — race times with intervals, Riegel, VDOT;
* :mod:`~kicklab.physiology.profile` — the orchestrator.
"""

from kicklab.physiology.balance import BALANCE_MODELS, balance_laps, balance_splits
from kicklab.physiology.efforts import best_efforts, efforts_for_fit, mean_max_speed, parse_efforts
from kicklab.physiology.fit import CriticalSpeed
from kicklab.physiology.models import SPEED_MODELS, speed, speed_2p, speed_3p
from kicklab.physiology.predict import (
    predict_time_s,
    predict_with_interval,
    riegel_time_s,
    vdot,
    vdot_time_s,
)
from kicklab.physiology.profile import AthleteProfile, build_profile, load_profile
from kicklab.physiology.reserve import (
    KickProfile,
    asr,
    mas_from_model,
    mss_from_activity,
    mss_from_sprint,
    profile_type,
    srr,
)

__all__ = [
    "BALANCE_MODELS",
    "SPEED_MODELS",
    "AthleteProfile",
    "CriticalSpeed",
    "KickProfile",
    "asr",
    "balance_laps",
    "balance_splits",
    "best_efforts",
    "build_profile",
    "efforts_for_fit",
    "load_profile",
    "mas_from_model",
    "mean_max_speed",
    "mss_from_activity",
    "mss_from_sprint",
    "parse_efforts",
    "predict_time_s",
    "predict_with_interval",
    "profile_type",
    "riegel_time_s",
    "speed",
    "speed_2p",
    "speed_3p",
    "srr",
    "vdot",
    "vdot_time_s",
]
