"""Finish classes: every class reachable, reasons quoting the numbers behind them."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from kicklab.kick import rules
from kicklab.kick.classify import classify, end_change_pct, pace_trend_pct
from kicklab.kick.result import FINISH_CLASSES, Kick

_D = 1500.0  # race distance, m
_T = 330.0  # race time, s
_d = np.linspace(0.0, _D, 331)  # 1 Hz-like samples


def _run(kick=None, speed=None, **kw):
    kick = Kick(detected=False) if kick is None else kick
    speed = np.full(_d.size, 4.5) if speed is None else speed
    args = dict(race_distance_m=_D, race_duration_s=_T, distance_m=_d, speed_mps=speed)
    args.update(kw)
    return classify(kick, **args)


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?", text)]


def _detected(to_go, gain=8.0, ramp=6.0, duration=None):
    duration = to_go / 5.0 if duration is None else duration
    return Kick(
        detected=True, onset_distance_to_go_m=to_go, gain_pct=gain, ramp_s=ramp, duration_s=duration
    )


def test_kick():
    cls, reason = _run(_detected(250.0, gain=9.4))
    assert cls == "kick"
    assert "9.4 %" in reason and "250 m to go" in reason and "600 m" in reason


def test_kick_limit_is_inclusive_and_scales_with_distance():
    assert rules.kick_max_to_go_m(1500.0) == 600.0
    assert rules.kick_max_to_go_m(800.0) == 320.0
    assert rules.kick_max_to_go_m(10000.0) == 800.0
    assert rules.kick_max_to_go_m(400.0) == 300.0
    assert _run(_detected(600.0))[0] == "kick"
    assert _run(_detected(600.1))[0] == "long_surge"


def test_long_surge():
    cls, reason = _run(_detected(900.0, gain=5.2, ramp=10.0, duration=190.0))
    assert cls == "long_surge"
    assert "5.2 %" in reason and "900 m to go" in reason and "600 m" in reason


def test_progressive_from_gradual_final_rise():
    cls, reason = _run(_detected(900.0, gain=6.0, ramp=120.0, duration=190.0))
    assert cls == "progressive"
    assert "6.0 %" in reason and "900 m" in reason


def test_fade_at_the_end():
    v = np.where(_d > 1125.0, 4.2, 4.5)  # last 375 m (25 %) 6.7 % slower
    cls, reason = _run(speed=v)
    assert cls == "fade"
    assert rules.end_window_m(_D) == 375.0
    assert "375 m" in reason and "6.7 %" in reason
    assert end_change_pct(_d, v, _D) == pytest.approx(100 * (4.2 / 4.5 - 1), rel=1e-12)


def test_progressive_from_faster_end_without_kick():
    v = np.where(_d > 1125.0, 4.8, 4.5)
    cls, reason = _run(speed=v)
    assert cls == "progressive"
    assert "6.7 %" in reason and "no distinct" in reason


def test_progressive_and_fade_from_trend():
    rising = 4.4 + 0.2 * _d / _D  # +4.5 % trend, last 400 m only ~ +2 %
    trend = pace_trend_pct(_d, rising, _D)
    assert rules.TREND_PCT <= trend < 5
    assert abs(end_change_pct(_d, rising, _D)) < rules.FADE_PCT
    cls, reason = _run(speed=rising)
    assert cls == "progressive" and f"{trend:.1f} %" in reason

    falling = 4.6 - 0.2 * _d / _D
    trend = pace_trend_pct(_d, falling, _D)
    assert trend <= -rules.TREND_PCT
    cls, reason = _run(speed=falling)
    assert cls == "fade" and f"{-trend:.1f} %" in reason and "fell" in reason


def test_even():
    rng = np.random.default_rng(0)
    v = 4.5 * (1 + 0.005 * rng.standard_normal(_d.size))
    cls, reason = _run(speed=v)
    assert cls == "even"
    assert "3 %" in reason and "trend" in reason
    nums = _numbers(reason)
    assert any(abs(x) < 3 for x in nums)


@pytest.mark.parametrize(
    ("distance", "duration", "n"),
    [(150.0, 40.0, 50), (400.0, 25.0, 50), (1500.0, 330.0, 2), (float("nan"), 300.0, 50)],
)
def test_undetermined(distance, duration, n):
    d = np.linspace(0.0, 1500.0, n)
    cls, reason = classify(
        _detected(100.0),
        race_distance_m=distance,
        race_duration_s=duration,
        distance_m=d,
        speed_mps=np.full(n, 4.5),
    )
    assert cls == "undetermined"
    assert "too short" in reason and "200 m" in reason and "30 s" in reason


def test_every_class_reachable():
    reached = {
        _run(_detected(250.0))[0],
        _run(_detected(900.0, ramp=10.0, duration=190.0))[0],
        _run(speed=np.where(_d > 1125.0, 4.2, 4.5))[0],
        _run(speed=np.where(_d > 1125.0, 4.8, 4.5))[0],
        _run()[0],
        _run(race_distance_m=100.0)[0],
    }
    assert reached == set(FINISH_CLASSES)


def test_start_is_left_out_of_trend_and_fade():
    # a slow start (first 150 m) does not make an even race progressive
    v = np.where(_d < 150.0, 3.0, 4.5)
    assert pace_trend_pct(_d, v, _D) == pytest.approx(0.0, abs=1e-9)
    assert _run(speed=v)[0] == "even"


def test_weights_count_time():
    # split-like samples: the last split takes most of the time, so it dominates
    d = np.array([200.0, 600.0, 1000.0, 1400.0])
    v = np.array([4.5, 4.5, 4.5, 4.0])
    w = np.array([44.4, 88.9, 88.9, 100.0])
    assert end_change_pct(d, v, _D, w) == pytest.approx(100 * (4.0 / 4.5 - 1), rel=1e-12)
    assert math.isnan(pace_trend_pct(d[:2], v[:2], _D))
