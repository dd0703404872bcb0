"""Tests of runners, tactics and the vectorised tactic table."""

from __future__ import annotations

import numpy as np
import pytest

from kicklab.errors import InvalidValue
from kicklab.physiology.predict import predict_time_s
from kicklab.race.runner import (
    ALL_OUT_MPS,
    Runner,
    Tactic,
    TacticTable,
    best_even_speed_mps,
    even,
    follow,
    front_run,
    long_surge,
    sit_and_kick,
)


def test_best_even_speed_is_distance_over_morton_time():
    v = best_even_speed_mps(1500, 5.5, 150, 8.5)
    assert v == pytest.approx(1500 / predict_time_s(1500, 5.5, 150, 8.5))
    assert 5.5 < v < 8.5


def test_tactic_table_desired_speed():
    runners = [
        Runner("even", 5.5, 150, 8.5, tactic=even(6.0)),
        Runner("kick", 5.5, 150, 8.5, tactic=sit_and_kick(200, lead_mps=5.7)),
        Runner("surge", 5.5, 150, 8.5, tactic=long_surge(800, 7.0)),
        Runner("front", 5.5, 150, 8.5, tactic=front_run(6.2)),
    ]
    tab = TacticTable.from_runners(runners, 1500)
    inf = np.inf
    # mid-race (1000 m to go), each runner 1 m behind a runner at 6.1 m/s
    want = tab.desired_speed(np.full((1, 4), 1000.0), np.full((1, 4), 1.0), np.full((1, 4), 6.1))
    np.testing.assert_allclose(want[0], [6.0, 6.1, 6.1, 6.4])
    # leading (no one ahead): own pace
    want = tab.desired_speed(np.full((1, 4), 1000.0), np.full((1, 4), inf), np.zeros((1, 4)))
    assert want[0, 1] == 5.7 and want[0, 3] == 6.2
    # 150 m to go: the kicker is all out, the surger surges
    want = tab.desired_speed(np.full((1, 4), 150.0), np.full((1, 4), 1.0), np.full((1, 4), 6.1))
    assert want[0, 1] == ALL_OUT_MPS and want[0, 2] == 7.0
    # a follower 5 m back closes at most 0.3 m/s faster
    want = tab.desired_speed(np.full((1, 4), 1000.0), np.full((1, 4), 5.0), np.full((1, 4), 6.1))
    assert want[0, 1] == pytest.approx(6.4)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Runner("x", 5.5, 150, 5.0),  # MSS below CS
        lambda: Runner("x", -1, 150, 8.0),
        lambda: Runner("x", 5.5, float("nan"), 8.0),
        lambda: Runner("x", 5.5, 150, 8.0, sd_cs=0.9),
        lambda: Runner("x", 5.5, 150, 8.0, tactic="kick"),
        lambda: Tactic("sprint"),
        lambda: Tactic("long_surge", speed_mps=7.0),  # no surge point
        lambda: front_run(-3),
        lambda: sit_and_kick(0),
        lambda: follow(gap_m=0),
    ],
)
def test_bad_runner_or_tactic(make):
    with pytest.raises(InvalidValue):
        make()
