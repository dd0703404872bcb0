"""Tests for kicklab.environment.barriers (steeplechase layout and clearance costs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kicklab.environment.barriers import (
    STEEPLE_LAP_M,
    clearance_energy_m,
    clearance_time_s,
    steeplechase_layout,
)
from kicklab.environment.track import on_bend
from kicklab.errors import InvalidValue


def test_layout_counts_and_order() -> None:
    lay = steeplechase_layout()
    assert (lay["kind"] == "barrier").sum() == 28
    assert (lay["kind"] == "water").sum() == 7
    assert np.all(np.diff(lay["distance_m"]) > 0)
    # water jump 4th of five jumps in every lap
    np.testing.assert_array_equal(lay["kind"].to_numpy().reshape(7, 5)[:, 3], "water")
    assert (lay["height_m"] == 0.914).all()
    assert (steeplechase_layout(sex="women")["height_m"] == 0.762).all()


def test_layout_geometry() -> None:
    lay = steeplechase_layout(3000)
    run_in = 3000 - 7 * STEEPLE_LAP_M
    assert run_in == pytest.approx(227.412)  # start on the back straight
    assert lay["distance_m"].min() > run_in  # no jumps before the first complete lap
    np.testing.assert_allclose(np.diff(lay["distance_m"]), STEEPLE_LAP_M / 5)  # evenly spread
    assert lay["distance_m"].iloc[-1] == pytest.approx(3000 - 68)
    # the last barrier is on the home straight (no bend in the last 84.39 m)
    assert not on_bend(lay["distance_m"].iloc[-1], 3000)
    assert 390 <= STEEPLE_LAP_M <= 396.5


def test_layout_bad_input() -> None:
    with pytest.raises(InvalidValue, match="3000"):
        steeplechase_layout(1500)
    with pytest.raises(InvalidValue, match="sex"):
        steeplechase_layout(sex="x")  # type: ignore[arg-type]


def test_clearance_costs() -> None:
    assert clearance_time_s("barrier", 6.0) == pytest.approx(0.25)
    assert clearance_time_s("water", 6.0) == pytest.approx(0.5)
    assert clearance_energy_m("water") > clearance_energy_m("barrier") > 0
    assert clearance_energy_m("barrier", height_m=0.762) == pytest.approx(4.0 * 0.762 / 0.914)
    with pytest.raises(InvalidValue, match="kind"):
        clearance_time_s("hurdle", 6.0)
    with pytest.raises(InvalidValue, match="speed_mps"):
        clearance_time_s("barrier", 0.0)


def test_world_records_gap() -> None:
    # 3000 m flat WR (Komen 7:20.67) vs steeplechase WR (Girma 7:52.11): 31.44 s for 35 jumps
    v = 3000 / 440.67
    lay = steeplechase_layout()
    lost = sum(clearance_time_s(k, v) + clearance_energy_m(k) / v for k in lay["kind"])
    assert lost == pytest.approx(472.11 - 440.67, rel=0.15)


@given(st.floats(0.5, 12.0), st.floats(0.01, 3.0))
def test_slower_runners_lose_more_time(v: float, dv: float) -> None:
    for kind in ("barrier", "water"):
        assert clearance_time_s(kind, v) > clearance_time_s(kind, v + dv)
