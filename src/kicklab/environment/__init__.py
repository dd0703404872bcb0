"""Race environment: terrain, air and drafting, heat, track geometry, barriers.

Each module is a small model family with a common signature (speeds in m/s, distances in m):
:mod:`.terrain` (Minetti 2002 grade cost), :mod:`.air` (air resistance and drafting, Pugh 1971,
Davies 1980), :mod:`.heat` (Ely et al. 2007 WBGT penalty), :mod:`.track` (lanes and bends) and
:mod:`.barriers` (the 3000 m steeplechase).
"""

from kicklab.environment.air import (
    aero_force_n,
    aero_power_w,
    air_cost_fraction,
    air_density,
    draft_factor,
)
from kicklab.environment.barriers import (
    clearance_energy_m,
    clearance_time_s,
    steeplechase_layout,
)
from kicklab.environment.heat import heat_slowdown_fraction
from kicklab.environment.terrain import (
    TERRAIN_MODELS,
    flat_equivalent_speed,
    metabolic_cost,
    speed_at_equal_cost,
)
from kicklab.environment.track import (
    bend_cost_factor,
    extra_distance_m,
    lane_length_m,
    lane_radius_m,
    on_bend,
)

__all__ = [
    "TERRAIN_MODELS",
    "metabolic_cost",
    "flat_equivalent_speed",
    "speed_at_equal_cost",
    "air_density",
    "aero_power_w",
    "aero_force_n",
    "draft_factor",
    "air_cost_fraction",
    "heat_slowdown_fraction",
    "lane_radius_m",
    "lane_length_m",
    "extra_distance_m",
    "on_bend",
    "bend_cost_factor",
    "steeplechase_layout",
    "clearance_time_s",
    "clearance_energy_m",
]
