"""Terrain: the energy cost of running on a gradient, and the speed it is worth on the flat.

A *terrain model* is a function ``cost(grade) -> J·kg⁻¹·m⁻¹`` (grade = rise over run,
dimensionless). Every model in :data:`TERRAIN_MODELS` has that signature, so callers pass a
name or their own callable:

- ``"minetti"`` (default): Minetti et al. 2002, J Appl Physiol 93:1039 (SCIENCE.md §4), via
  :func:`kicklab.signal.minetti_cost`.
- ``"constant"``: a constant extra cost per unit of grade, ``C(0)·(1 + k·i)``, with ``k`` the
  relative slope of Minetti's curve at the level (19.5 / 3.6 per unit grade). It matches
  Minetti within a few per cent for gentle grades (|i| ≲ 0.05) and is floored at Minetti's
  minimum cost on steep descents, where a straight line would turn negative.

Two conversions use the cost ratio ``C(i)/C(0)`` (equal metabolic rate per second):

- :func:`flat_equivalent_speed` (grade-adjusted speed): ``v_flat = v·C(i)/C(0)``;
- :func:`speed_at_equal_cost`, its inverse: ``v = v_flat·C(0)/C(i)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue
from kicklab.signal import MAX_GRADE, minetti_cost

__all__ = [
    "TERRAIN_MODELS",
    "FLAT_COST_J_PER_KG_M",
    "constant_cost",
    "metabolic_cost",
    "flat_equivalent_speed",
    "speed_at_equal_cost",
]

#: Energy cost of level running, J·kg⁻¹·m⁻¹ (Minetti 2002, C(0)).
FLAT_COST_J_PER_KG_M = 3.6
#: Relative extra cost per unit grade of the "constant" model: the slope of Minetti's
#: polynomial at i = 0 (19.5 J·kg⁻¹·m⁻¹) divided by C(0), so both models agree near the level.
CONSTANT_COST_SLOPE = 19.5 / FLAT_COST_J_PER_KG_M
#: Floor of the "constant" model, J·kg⁻¹·m⁻¹: Minetti's minimum cost (C(−0.2) ≈ 1.80); no
#: descent costs less than that, and a straight line would reach zero at i ≈ −0.18.
CONSTANT_COST_FLOOR = float(minetti_cost(-0.2))


def metabolic_cost(grade: Any) -> np.ndarray:
    """Energy cost of running at ``grade`` (rise/run), J·kg⁻¹·m⁻¹ — Minetti et al. 2002.

    ``C(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6``, measured for
    −0.45 ≤ i ≤ 0.45 (grades outside are clipped to that range); ``C(0) = 3.6``,
    ``C(0.1) ≈ 5.97``, ``C(−0.1) ≈ 2.15``. Same as :func:`kicklab.signal.minetti_cost`.
    """
    return minetti_cost(grade)


def constant_cost(grade: Any) -> np.ndarray:
    """Linear terrain model ``C(0)·(1 + k·i)``, J·kg⁻¹·m⁻¹, ``k = 19.5/3.6`` per unit grade.

    The tangent of Minetti's curve at the level, clipped to ±0.45 like Minetti and floored
    at Minetti's minimum cost (:data:`CONSTANT_COST_FLOOR`). For gentle grades only.
    """
    i = np.clip(np.asarray(grade, dtype=float), -MAX_GRADE, MAX_GRADE)
    return np.maximum(FLAT_COST_J_PER_KG_M * (1.0 + CONSTANT_COST_SLOPE * i), CONSTANT_COST_FLOOR)


#: Terrain models by name: ``cost(grade) -> J·kg⁻¹·m⁻¹``.
TERRAIN_MODELS: dict[str, Callable[[Any], np.ndarray]] = {
    "minetti": metabolic_cost,
    "constant": constant_cost,
}


def _model(model: str | Callable[[Any], Any]) -> Callable[[Any], Any]:
    if callable(model):
        return model
    try:
        return TERRAIN_MODELS[model]
    except (KeyError, TypeError):
        raise InvalidValue(
            f"unknown terrain model {model!r}; choose one of {sorted(TERRAIN_MODELS)} "
            "or pass a callable cost(grade)"
        ) from None


def _cost_ratio(grade: Any, model: str | Callable[[Any], Any]) -> np.ndarray:
    """``C(i)/C(0)``; NaN grades (no altitude) count as level."""
    cost = _model(model)
    g = np.asarray(grade, dtype=float)
    c0 = float(np.asarray(cost(0.0), dtype=float))
    if not np.isfinite(c0) or c0 <= 0:
        raise InvalidValue(f"terrain model cost(0) must be positive, got {c0}")
    ratio = np.asarray(cost(np.nan_to_num(g, nan=0.0)), dtype=float) / c0
    if np.any(ratio <= 0):
        raise InvalidValue("terrain model returned a non-positive cost")
    return ratio


def _speed(value: Any, name: str) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if np.any(v < 0):
        raise InvalidValue(f"{name} must be ≥ 0 m/s")
    return v


def flat_equivalent_speed(
    speed_mps: Any, grade: Any, model: str | Callable[[Any], Any] = "minetti"
) -> np.ndarray:
    """Speed on the flat at the same metabolic rate as ``speed_mps`` at ``grade``, m/s.

    ``v_flat = v·C(i)/C(0)`` (SCIENCE.md §4): 4 m/s up a 10 % grade costs as much per second
    as ≈ 6.63 m/s on the level. Arrays broadcast; a NaN grade counts as level.

    Parameters
    ----------
    speed_mps
        Running speed, m/s (≥ 0).
    grade
        Rise over run (dimensionless, e.g. 0.05 for 5 %).
    model
        A name in :data:`TERRAIN_MODELS` or a callable ``cost(grade)``.
    """
    return _speed(speed_mps, "speed_mps") * _cost_ratio(grade, model)


def speed_at_equal_cost(
    flat_speed_mps: Any, grade: Any, model: str | Callable[[Any], Any] = "minetti"
) -> np.ndarray:
    """Speed at ``grade`` that costs as much per second as ``flat_speed_mps`` on the level, m/s.

    The inverse of :func:`flat_equivalent_speed`: ``v = v_flat·C(0)/C(i)``. A runner holding
    5 m/s worth of effort slows to ≈ 3.02 m/s up a 10 % grade (Minetti).
    """
    return _speed(flat_speed_mps, "flat_speed_mps") / _cost_ratio(grade, model)
