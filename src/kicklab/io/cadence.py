"""Running cadence as written in files: per-foot rpm or steps/min?

FIT ``cadence``, GPX ``cad`` and TCX ``RunCadence`` / ``Cadence`` of a run are specified as
revolutions per minute, i.e. steps of *one* foot: 90 rpm = 180 steps/min. Some devices and
exporters write steps/min into the same field. :func:`cadence_is_spm` decides per file: the
values are taken as steps/min already when the median of the non-zero values is above
:data:`SPM_MEDIAN_RPM` (120: nobody runs at a sustained 240 steps/min) **or** their 90th
percentile is above :data:`SPM_P90_RPM` (150: nobody holds 300 steps/min for a tenth of a
session — this catches walk-then-run files whose median sits near 120); otherwise they are
doubled. Cycling cadence is pedal rpm and is never called a step cadence.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPM_MEDIAN_RPM", "SPM_P90_RPM", "cadence_is_spm", "cadence_to_spm"]

#: Median of the non-zero cadence values (per-foot rpm) above which values are steps/min.
SPM_MEDIAN_RPM: float = 120.0
#: 90th percentile of the non-zero cadence values above which values are steps/min.
SPM_P90_RPM: float = 150.0


def cadence_is_spm(raw: np.ndarray) -> bool:
    """True when cadence values are already steps/min (see the module docstring's rule).

    Parameters
    ----------
    raw
        Cadence values as written in the file (per-foot rpm or steps/min), NaN where missing.
    """
    v = np.asarray(raw, dtype="float64")
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return False
    return bool(np.median(v) > SPM_MEDIAN_RPM or np.percentile(v, 90) > SPM_P90_RPM)


def cadence_to_spm(raw: np.ndarray) -> tuple[np.ndarray, float]:
    """Running cadence in steps/min and the factor applied (2.0 for rpm, 1.0 if already spm).

    Parameters
    ----------
    raw
        Cadence values as written in the file, NaN where missing.
    """
    factor = 1.0 if cadence_is_spm(raw) else 2.0
    return np.asarray(raw, dtype="float64") * factor, factor
