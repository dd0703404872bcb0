"""Heat: how much slower a runner goes as the wet-bulb globe temperature (WBGT) rises.

Source: Ely, Cheuvront, Roberts & Montain 2007, "Impact of weather on marathon-running
performance", Med Sci Sports Exerc 39:487 (SCIENCE.md §4). Seven marathons over up to 36 years;
finishing times compared with the course record in four WBGT bins. Top-three finishers were
slower than the course record by

=========  ========  =========  =========  =========
WBGT, °C   5.1–10    10.1–15    15.1–20    20.1–25
men        1.7 %     2.5 %      3.3 %      4.5 %
women      3.2 %     3.2 %      3.8 %      5.4 %
=========  ========  =========  =========  =========

The 25th-, 50th-, 100th- and 300th-place finishers "slowed more than faster runners as WBGT
increased"; the paper's abstract gives no numbers for them, so for ``level="slower"`` kicklab
multiplies the heat-related part (the rise above the coolest bin) by
:data:`SLOWER_RUNNER_FACTOR` = 2 — an explicit estimate, not a table value.

The table's values are relative to the course record, so even the coolest bin is "slower";
by default (``baseline="optimal"``) kicklab reports the slowdown *relative to the coolest bin*
(5–10 °C, where Ely found marathon running fastest), which is what a simulator multiplies
pace by. ``baseline="record"`` returns the table's own values.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from kicklab.errors import InvalidValue

__all__ = [
    "ELY_2007_WBGT_CENTRES_C",
    "ELY_2007_TOP_SLOWDOWN",
    "SLOWER_RUNNER_FACTOR",
    "heat_slowdown_fraction",
]

#: Centres of Ely 2007's WBGT bins (5–10, 10–15, 15–20, 20–25 °C), °C.
ELY_2007_WBGT_CENTRES_C = np.array([7.5, 12.5, 17.5, 22.5])
#: Top-three finishers' slowdown from the course record per bin (fractions), Ely 2007.
ELY_2007_TOP_SLOWDOWN: dict[str, np.ndarray] = {
    "men": np.array([0.017, 0.025, 0.033, 0.045]),
    "women": np.array([0.032, 0.032, 0.038, 0.054]),
}
#: Multiplier on the heat-related slowdown for slower (mid-pack) runners. Ely 2007 reports
#: only the direction ("slower populations more negatively affected"); 2 is kicklab's estimate.
SLOWER_RUNNER_FACTOR = 2.0
#: Highest WBGT accepted, °C: beyond Ely's data (25 °C) the last slope is extended, but above
#: 35 °C (far past the 28 °C at which ACSM advises cancelling races) no estimate is offered.
MAX_WBGT_C = 35.0
#: Lowest WBGT accepted, °C; below the coolest bin centre the slowdown is held constant
#: (Ely's data do not show a cold penalty above 5 °C, and none is modelled below it).
MIN_WBGT_C = -30.0


def heat_slowdown_fraction(
    wbgt_c: Any,
    level: Literal["top", "slower"] = "top",
    sex: Literal["men", "women"] = "men",
    baseline: Literal["optimal", "record"] = "optimal",
) -> np.ndarray | float:
    """Fractional slowdown of race pace at WBGT ``wbgt_c`` (°C), Ely et al. 2007.

    Piecewise-linear interpolation between the bin centres (7.5, 12.5, 17.5, 22.5 °C), held
    flat below 7.5 °C and extended with the last slope above 22.5 °C (up to 35 °C).

    Parameters
    ----------
    wbgt_c
        Wet-bulb globe temperature, °C (scalar or array).
    level
        ``"top"``: top-three finishers (Ely's table); ``"slower"``: mid-pack runners, heat part
        × :data:`SLOWER_RUNNER_FACTOR` (estimate).
    sex
        ``"men"`` or ``"women"``.
    baseline
        ``"optimal"`` (default): extra slowdown above the coolest bin, 0 at ≤ 7.5 °C — men's top
        finishers lose 0.8 / 1.6 / 2.8 % at 12.5 / 17.5 / 22.5 °C. ``"record"``: Ely's values
        against the course record (1.7 / 2.5 / 3.3 / 4.5 % for men).

    Returns
    -------
    Fraction (0.028 = 2.8 % slower, i.e. time × 1.028). A float for a scalar input.
    """
    if sex not in ELY_2007_TOP_SLOWDOWN:
        raise InvalidValue(f"sex must be 'men' or 'women', got {sex!r}")
    if level not in ("top", "slower"):
        raise InvalidValue(f"level must be 'top' or 'slower', got {level!r}")
    if baseline not in ("optimal", "record"):
        raise InvalidValue(f"baseline must be 'optimal' or 'record', got {baseline!r}")
    t = np.asarray(wbgt_c, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < MIN_WBGT_C) or np.any(t > MAX_WBGT_C):
        raise InvalidValue(
            f"wbgt_c must be a WBGT between {MIN_WBGT_C:g} and {MAX_WBGT_C:g} °C, got {wbgt_c!r}"
        )
    x, y = ELY_2007_WBGT_CENTRES_C, ELY_2007_TOP_SLOWDOWN[sex]
    inside = np.interp(t, x, y)
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    value = np.where(t > x[-1], y[-1] + slope * (t - x[-1]), inside)
    heat = value - y[0]
    if level == "slower":
        heat = heat * SLOWER_RUNNER_FACTOR
    out = heat if baseline == "optimal" else y[0] + heat
    return float(out) if np.ndim(out) == 0 else out
