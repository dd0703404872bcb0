"""Air: density, aerodynamic power, wind, and drafting behind another runner.

Sign convention: ``wind_mps`` is the wind component *along the running direction*, positive for
a tailwind, negative for a headwind. The air speed the runner meets is ``v − w``.

Models and sources (SCIENCE.md §4):

- :func:`air_density`: ideal-gas mixture of dry air and water vapour, with the International
  Standard Atmosphere pressure fall with altitude and the Magnus saturation vapour pressure
  (Alduchov & Eskridge 1996). 15 °C, 101 325 Pa, dry → 1.225 kg·m⁻³.
- :func:`aero_power_w`: ``P = ½·ρ·CdA·(v − w)·|v − w|·v`` (Pugh 1971, J Physiol 213:255;
  Davies 1980, J Appl Physiol 48:702), CdA ≈ 0.40 m² for a runner.
- :func:`draft_factor`: the share of the air force still felt at a gap behind another runner:
  0.2 at 1 m (Pugh 1971: ≈ 80 % of the air-resistance cost removed), rising exponentially to 1
  with a 1 m length scale fitted to Kyle 1979 (2 m behind saves ≈ 1.66 s per lap at world-record
  mile pace, i.e. ≈ 35 % of what Pugh's 1 m position saves at that pace).
- :func:`air_cost_fraction`: the metabolic cost of air resistance as a fraction of the cost of
  running on the flat in calm air (Minetti C(0) = 3.6 J·kg⁻¹·m⁻¹), calibrated to Davies 1980
  (≈ 2 % at 5 m/s, 4 % at 6 m/s, 8 % at 10 m/s), with a tailwind helping half as much as a
  headwind of the same speed hurts (Davies 1980).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue

__all__ = [
    "AIR_COST_EFFICIENCY",
    "CDA_M2",
    "RHO_KG_M3",
    "TAILWIND_BENEFIT",
    "DRAFT_MIN_FACTOR",
    "DRAFT_MIN_GAP_M",
    "DRAFT_LENGTH_M",
    "air_density",
    "aero_power_w",
    "aero_force_n",
    "draft_factor",
    "air_cost_fraction",
]

#: Drag area of a runner, m² (SCIENCE.md §4; Pugh 1971 measured ≈ 0.5 m² frontal area × Cd ≈ 0.8).
CDA_M2 = 0.40
#: Default air density, kg·m⁻³ (sea level, ≈ 20 °C; SCIENCE.md §4).
RHO_KG_M3 = 1.2
#: Energy cost of level running, J·kg⁻¹·m⁻¹ (Minetti 2002, C(0)).
FLAT_COST_J_PER_KG_M = 3.6
#: Mechanical work against the air per joule of extra metabolic energy, as seen in the
#: fractions measured by Davies 1980. Fitted (least squares on log fractions) so that
#: ½ρCdA·v²/(η·m·C(0)) with ρ = 1.2, CdA = 0.40, m = 70 kg gives 2.2 / 3.2 / 8.9 % at
#: 5 / 6 / 10 m/s against Davies's 2 / 4 / 8 % (a v² law cannot meet all three exactly).
#: It is an empirical calibration, not a muscle efficiency (≈ 0.25), which would give four
#: times the measured fractions.
AIR_COST_EFFICIENCY = 1.07
#: Share of a headwind's extra cost that a tailwind of the same speed saves (Davies 1980:
#: "a tailwind helps about half as much as a headwind hurts").
TAILWIND_BENEFIT = 0.5
#: Share of the air force still felt 1 m behind another runner (Pugh 1971: ≈ 80 % removed).
DRAFT_MIN_FACTOR = 0.2
#: Gap at which :data:`DRAFT_MIN_FACTOR` applies, m (Pugh's position); closer does not help
#: more — the follower would clip the leader's heels.
DRAFT_MIN_GAP_M = 1.0
#: Length over which the lost shelter recovers by a factor e, m. Kyle 1979: 2 m behind at
#: world-record mile pace (≈ 7.03 m/s) saves ≈ 1.66 s per lap; Pugh's 1 m saving (4 s per
#: 67 s lap at 6 m/s) scales with v (air share ∝ v², lap time ∝ 1/v) to ≈ 4.7 s at that pace, so
#: 2 m keeps 1.66/4.7 ≈ 0.35 of the 1 m saving: exp(−1 m / L) ≈ 0.35 → L ≈ 0.96 m ≈ 1 m.
DRAFT_LENGTH_M = 1.0

#: Specific gas constants of dry air and water vapour, J·kg⁻¹·K⁻¹.
_R_DRY = 287.058
_R_VAPOUR = 461.495
#: International Standard Atmosphere: sea-level temperature (K), lapse rate (K/m) and the
#: pressure exponent g·M/(R·L) of the troposphere (valid to 11 km).
_ISA_T0_K = 288.15
_ISA_LAPSE_K_PER_M = 0.0065
_ISA_EXPONENT = 5.25588
#: Magnus coefficients for saturation vapour pressure over water (Alduchov & Eskridge 1996).
_MAGNUS_A_PA, _MAGNUS_B, _MAGNUS_C_C = 610.94, 17.625, 243.04
#: Highest running speed accepted, m/s (Bolt's peak ≈ 12.4 m/s, with margin).
_MAX_SPEED_MPS = 15.0


def _finite(value: Any, name: str, lo: float = -math.inf, hi: float = math.inf) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < lo) or np.any(arr > hi):
        raise InvalidValue(f"{name} must be finite and within [{lo}, {hi}], got {value!r}")
    return arr


def air_density(
    temperature_c: Any = 15.0,
    pressure_pa: Any = 101_325.0,
    altitude_m: Any = 0.0,
    humidity: Any = 0.0,
) -> np.ndarray | float:
    """Density of moist air, kg·m⁻³.

    Parameters
    ----------
    temperature_c
        Air temperature, °C (−50 to 60).
    pressure_pa
        Air pressure reduced to sea level (the weather-report value), Pa. The station
        pressure is found from it with the International Standard Atmosphere:
        ``p = p₀·(1 − 0.0065·h/288.15)^5.25588``.
    altitude_m
        Altitude of the course, m (−500 to 6000).
    humidity
        Relative humidity, 0–1. Water vapour is lighter than dry air, so humid air is less dense.

    ``ρ = (p − e)/(R_d·T) + e/(R_v·T)`` with ``e = humidity·e_s(T)`` (Magnus formula).
    Checks: 15 °C, 101 325 Pa, dry → 1.225; ISA at 2240 m (Mexico City, 0.44 °C) → ≈ 0.98;
    30 °C saturated → ≈ 1.146.
    """
    t = _finite(temperature_c, "temperature_c", -50.0, 60.0)
    p0 = _finite(pressure_pa, "pressure_pa", 30_000.0, 120_000.0)
    h = _finite(altitude_m, "altitude_m", -500.0, 6000.0)
    rh = _finite(humidity, "humidity", 0.0, 1.0)
    p = p0 * (1.0 - _ISA_LAPSE_K_PER_M * h / _ISA_T0_K) ** _ISA_EXPONENT
    t_k = t + 273.15
    e = rh * _MAGNUS_A_PA * np.exp(_MAGNUS_B * t / (t + _MAGNUS_C_C))
    rho = (p - e) / (_R_DRY * t_k) + e / (_R_VAPOUR * t_k)
    return float(rho) if np.ndim(rho) == 0 else rho


def aero_force_n(
    speed_mps: Any, wind_mps: Any = 0.0, cda_m2: float = CDA_M2, rho: float = RHO_KG_M3
) -> np.ndarray:
    """Air force against the runner, N: ``½·ρ·CdA·(v − w)·|v − w|`` (negative = pushed along)."""
    rel = np.asarray(speed_mps, dtype=float) - np.asarray(wind_mps, dtype=float)
    return 0.5 * rho * cda_m2 * rel * np.abs(rel)


def aero_power_w(
    speed_mps: Any, wind_mps: Any = 0.0, cda_m2: float = CDA_M2, rho: float = RHO_KG_M3
) -> np.ndarray:
    """Mechanical power spent against the air, W: ``½·ρ·CdA·(v − w)·|v − w|·v``.

    Pugh 1971; Davies 1980. ``wind_mps`` > 0 is a tailwind; a tailwind faster than the runner
    gives negative power (the air pushes). 6 m/s in calm air at ρ = 1.2, CdA = 0.40 → 51.8 W.
    """
    v = _finite(speed_mps, "speed_mps", 0.0, _MAX_SPEED_MPS)
    _finite(cda_m2, "cda_m2", 0.0, 5.0)
    _finite(rho, "rho", 0.0, 2.0)
    return aero_force_n(v, wind_mps, cda_m2, rho) * v


def draft_factor(gap_m: Any) -> np.ndarray:
    """Share of the air force still felt at ``gap_m`` metres behind another runner (0.2–1).

    ``f(g) = 1 − 0.8·exp(−(g − 1)/L)`` for ``g ≥ 1 m`` and ``f = 0.2`` closer than 1 m, with
    ``L = 1 m`` (:data:`DRAFT_LENGTH_M`). The 1 m value is Pugh 1971 (≈ 80 % of the air cost
    removed directly behind a runner); ``L`` is fitted to Kyle 1979 (≈ 1.66 s per lap saved 2 m
    behind at world-record mile pace), see :data:`DRAFT_LENGTH_M`. An exponential recovery is
    the simplest monotone shape through both points that reaches full exposure within a few
    metres (f = 0.71, 0.89, 0.96, 0.99 at 2, 3, 4, 5 m), as a wake does. ``inf`` → 1 (alone).
    NaN stays NaN. Negative gaps raise :class:`~kicklab.errors.InvalidValue`.
    """
    g = np.asarray(gap_m, dtype=float)
    if np.any(g < 0):
        raise InvalidValue("gap_m must be ≥ 0 m (distance behind the runner ahead)")
    with np.errstate(over="ignore", invalid="ignore"):
        excess = np.maximum(g - DRAFT_MIN_GAP_M, 0.0)
        return DRAFT_MIN_FACTOR + (1.0 - DRAFT_MIN_FACTOR) * -np.expm1(-excess / DRAFT_LENGTH_M)


def air_cost_fraction(
    speed_mps: Any,
    wind_mps: Any = 0.0,
    draft: Any = 1.0,
    mass_kg: float = 70.0,
    cda_m2: float = CDA_M2,
    rho: float = RHO_KG_M3,
    efficiency: float = AIR_COST_EFFICIENCY,
) -> np.ndarray:
    """Metabolic cost of air resistance as a fraction of the flat, calm-air cost of running.

    ``a = draft·F_eff/(η·m·C(0))`` per metre run, where ``C(0) = 3.6 J·kg⁻¹·m⁻¹`` (Minetti 2002),
    η = :data:`AIR_COST_EFFICIENCY` (calibrated to Davies 1980) and
    ``F_eff = F(v) + ΔF``, ``F(x) = ½ρCdA·x|x|``, ``ΔF = F(v − w) − F(v)``. A headwind's ΔF
    counts fully; a tailwind's (ΔF < 0) counts half (:data:`TAILWIND_BENEFIT`, Davies 1980).
    Calm air, 70 kg: 2.2 % at 5 m/s, 3.2 % at 6 m/s, 8.9 % at 10 m/s (Davies: 2 / 4 / 8 %).

    Parameters
    ----------
    speed_mps
        Running speed, m/s (0–15).
    wind_mps
        Wind along the running direction, m/s (+ tailwind, − headwind).
    draft
        :func:`draft_factor` of the gap to the runner ahead (1 = alone, 0.2 = 1 m behind).
    mass_kg
        Body mass, kg (the cost of running scales with it, the air force does not).
    cda_m2, rho
        Drag area (m²) and air density (kg·m⁻³, see :func:`air_density`).
    efficiency
        Work against the air per joule of metabolic energy (see :data:`AIR_COST_EFFICIENCY`).
    """
    v = _finite(speed_mps, "speed_mps", 0.0, _MAX_SPEED_MPS)
    w = _finite(wind_mps, "wind_mps", -40.0, 40.0)
    d = _finite(draft, "draft", 0.0, 1.0)
    m = float(_finite(mass_kg, "mass_kg", 20.0, 200.0))
    _finite(cda_m2, "cda_m2", 0.0, 5.0)
    _finite(rho, "rho", 0.0, 2.0)
    eta = float(_finite(efficiency, "efficiency", 1e-3, 10.0))
    calm = aero_force_n(v, 0.0, cda_m2, rho)
    delta = aero_force_n(v, w, cda_m2, rho) - calm
    delta = np.where(delta < 0, TAILWIND_BENEFIT * delta, delta)
    return d * (calm + delta) / (eta * m * FLAT_COST_J_PER_KG_M)
