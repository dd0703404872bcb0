"""Tests of the race course description and its profile."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kicklab.errors import InvalidValue
from kicklab.race.course import Course


def test_road_grade_profile_array_and_callable():
    c = Course(1000, kind="road", grade=[0.0, 0.1])
    np.testing.assert_allclose(c.grade_at([0, 500, 1000]), [0, 0.05, 0.1])
    c2 = Course(1000, kind="road", grade=lambda d: np.where(d > 500, -0.05, 0.02))
    np.testing.assert_allclose(c2.grade_at([100, 900]), [0.02, -0.05])


def test_track_wind_turns_with_the_runner():
    c = Course(400, wind_mps=4.0, wind_dir_deg=0.0)
    # start of a 400 m is the start of the first bend... the home straight (last 84 m) runs
    # with the wind, the back straight against it
    assert c.tailwind_mps(360.0) == pytest.approx(4.0)
    assert c.tailwind_mps(400 - 84.39 - math.pi * 36.8 - 40) == pytest.approx(-4.0)


def test_road_wind_is_constant():
    c = Course(5000, kind="road", wind_mps=3.0, wind_dir_deg=180.0)
    np.testing.assert_allclose(c.tailwind_mps([0, 2500, 5000]), -3.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"distance_m": 10},
        {"distance_m": 1500, "kind": "trail"},
        {"distance_m": 1500, "lane": 0},
        {"distance_m": 1500, "lane": 1.5},
        {"distance_m": 1500, "grade": [0.0, 0.1]},  # grade on a track
        {"distance_m": 1500, "kind": "road", "steeple": True},
        {"distance_m": 1500, "wind_mps": -1},
        {"distance_m": 1500, "wbgt_c": 80},
        {"distance_m": 1500, "kind": "road", "grade": [0.1]},
    ],
)
def test_bad_course(kwargs):
    with pytest.raises(InvalidValue):
        Course(**kwargs)


def test_steep_grade_rejected_when_used():
    with pytest.raises(InvalidValue):
        Course(1000, kind="road", grade=[0.0, 0.6]).grade_at([1000])
