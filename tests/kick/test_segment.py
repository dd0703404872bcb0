"""Finding the race inside an activity: boundaries, fastest effort, laps, whole activity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.activity import Activity
from kicklab.errors import InvalidValue, KicklabError
from kicklab.kick.segment import find_race, parse_position
from kicklab.samples import sample_race
from kicklab.signal import clean


def _session(blocks, trigger="manual", laps=True) -> Activity:
    """A 1 Hz activity of constant-speed blocks ``(duration_s, speed_mps)``, one lap per block.

    Speed at second k is the speed held over [k, k+1); distance is its exact integral, so a
    block boundary at time T lies exactly at the summed distance of the blocks before it.
    """
    sp = np.concatenate([np.full(int(n), float(v)) for n, v in blocks] + [[float(blocks[-1][1])]])
    t = np.arange(sp.size, dtype=float)
    d = np.r_[0.0, np.cumsum(sp[:-1])]
    rec = pd.DataFrame({"time_s": t, "distance_m": d, "speed_mps": sp})
    lap_table = None
    if laps:
        ends = np.cumsum([n for n, _ in blocks]).astype(float)
        starts = np.r_[0.0, ends[:-1]]
        lap_table = pd.DataFrame(
            {
                "start_time_s": starts,
                "end_time_s": ends,
                "elapsed_s": ends - starts,
                "timer_s": ends - starts,
                "distance_m": [n * v for n, v in blocks],
                "avg_speed_mps": [float(v) for _, v in blocks],
                "trigger": [trigger] * (len(blocks) - 1) + ["session"],
            }
        )
    return Activity(rec, laps=lap_table, metadata={"sport": "running", "source": "blocks"})


#: warm-up 1200 m + 600 m, a 1500 m race at 5 m/s (t = 600–900 s, 1800–3300 m), cool-down.
_WORKOUT = [(400, 3.0), (200, 3.0), (300, 5.0), (300, 2.6), (300, 2.5)]


# --------------------------------------------------------------------------- parse_position
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (754, ("time", 754.0)),
        (754.5, ("time", 754.5)),
        (np.float64(12.0), ("time", 12.0)),
        ("754", ("time", 754.0)),
        ("754s", ("time", 754.0)),
        (" 90 s ", ("time", 90.0)),
        ("12:34", ("time", 754.0)),
        ("1:02:03.5", ("time", 3723.5)),
        ("0:59", ("time", 59.0)),
        ("800m", ("distance", 800.0)),
        ("800 m", ("distance", 800.0)),
        ("1.2km", ("distance", 1200.0)),
        ("1.2KM", ("distance", 1200.0)),
        ("1mile", ("distance", 1609.344)),
        ("1mi", ("distance", 1609.344)),
        ("2miles", ("distance", 3218.688)),
    ],
)
def test_parse_position_forms(text, expected):
    kind, value = parse_position(text)
    assert kind == expected[0]
    assert value == pytest.approx(expected[1], rel=1e-12)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "12:75",
        "1:2:3:4",
        "-5",
        "5furlongs",
        "m800",
        "1.2.3km",
        -5,
        float("nan"),
        float("inf"),
        True,
        None,
        "12:34km",
    ],
)
def test_parse_position_rejects(bad):
    with pytest.raises(InvalidValue) as info:
        parse_position(bad)
    assert "race boundary" in str(info.value)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 9), st.integers(0, 59), st.integers(0, 59))
def test_parse_position_clock_roundtrip(h, m, s):
    assert parse_position(f"{h}:{m:02d}:{s:02d}") == ("time", 3600.0 * h + 60 * m + s)
    assert parse_position(f"{m}:{s:02d}") == ("time", 60.0 * m + s)


# --------------------------------------------------------------------------- start / end
def test_start_end_by_time_and_distance():
    act = clean(_session(_WORKOUT))
    seg, notes = find_race(act, start="10:00", end="15:00")
    assert seg.rule == "start_end"
    assert (seg.start_time_s, seg.end_time_s) == (600.0, 900.0)
    assert seg.start_distance_m == pytest.approx(1800.0)
    assert seg.end_distance_m == pytest.approx(3300.0)
    assert seg.distance_m == pytest.approx(1500.0) and seg.duration_s == 300.0
    assert notes == []

    seg, _ = find_race(act, start="1.8km", end="3300m")
    assert seg.start_time_s == pytest.approx(600.0)
    assert seg.end_time_s == pytest.approx(900.0)

    # only one side given: the other is the activity's end
    seg, _ = find_race(act, start=600)
    assert seg.start_time_s == 600.0 and seg.end_time_s == 1500.0
    seg, _ = find_race(act, end="900s")
    assert seg.start_time_s == 0.0 and seg.end_time_s == 900.0


def test_start_end_take_precedence_over_race_distance():
    act = clean(_session(_WORKOUT))
    seg, notes = find_race(act, race_distance_m=1500, start=100, end=400)
    assert seg.rule == "start_end" and (seg.start_time_s, seg.end_time_s) == (100.0, 400.0)
    assert any("race distance was not used" in n for n in notes)


@pytest.mark.parametrize(
    ("start", "end"),
    [(900, 600), (600, 600), (None, "2000"), ("10km", None), ("0:10", "lap 3")],
)
def test_start_end_rejected(start, end):
    act = clean(_session(_WORKOUT))
    with pytest.raises(InvalidValue):
        find_race(act, start=start, end=end)


# --------------------------------------------------------------------------- race distance
def test_race_distance_finds_embedded_fast_effort():
    act = clean(_session(_WORKOUT))
    seg, _ = find_race(act, race_distance_m=1500)
    assert seg.rule == "race_distance"
    assert seg.start_time_s == pytest.approx(600.0, abs=2.0)
    assert seg.end_time_s == pytest.approx(900.0, abs=2.0)
    assert seg.start_distance_m == pytest.approx(1800.0, abs=10.0)
    assert seg.end_distance_m == pytest.approx(3300.0, abs=10.0)
    assert seg.distance_m == pytest.approx(1500.0, abs=1e-6)
    assert "1500" in seg.description


def test_race_distance_shorter_than_the_fast_block_stays_inside_it():
    act = clean(_session(_WORKOUT))
    seg, _ = find_race(act, race_distance_m=800)
    assert seg.start_time_s >= 600.0 - 1e-9 and seg.end_time_s <= 900.0 + 1e-9
    assert seg.duration_s == pytest.approx(160.0, abs=1e-6)  # 800 m at 5 m/s


def test_race_distance_on_sample_race_is_the_whole_race():
    seg, _ = find_race(clean(sample_race(1500.0, seed=3)), race_distance_m=1400)
    assert seg.rule == "race_distance"
    assert seg.end_distance_m > 1450.0  # the kick makes the end the fastest 1400 m


@pytest.mark.parametrize("distance", [5000.0, 0.0, -100.0, float("nan")])
def test_race_distance_rejected(distance):
    act = clean(_session(_WORKOUT))  # 4870 m in all
    with pytest.raises(InvalidValue):
        find_race(act, race_distance_m=distance)


def test_no_distance_is_an_error():
    rec = pd.DataFrame({"time_s": np.arange(100.0), "heart_rate_bpm": 150.0})
    with pytest.raises(KicklabError):
        find_race(Activity(rec), race_distance_m=400)


# --------------------------------------------------------------------------- laps
def test_lap_rule_with_manual_laps():
    act = clean(_session(_WORKOUT, trigger="manual"))
    seg, notes = find_race(act)
    assert seg.rule == "lap"
    assert seg.start_time_s == pytest.approx(600.0, abs=2.0)
    assert seg.end_time_s == pytest.approx(900.0, abs=2.0)
    assert seg.start_distance_m == pytest.approx(1800.0, abs=10.0)
    assert seg.end_distance_m == pytest.approx(3300.0, abs=10.0)
    assert "lap 3" in seg.description
    assert notes == []


def test_lap_rule_not_with_auto_laps():
    act = clean(_session(_WORKOUT, trigger="distance"))
    seg, _ = find_race(act)
    assert seg.rule == "whole_activity"
    seg, _ = find_race(clean(_session(_WORKOUT, trigger="manual")), use_laps=False)
    assert seg.rule == "whole_activity"


def test_lap_rule_not_on_sample_race_auto_laps():
    seg, _ = find_race(clean(sample_race(1500.0, seed=0)))
    assert seg.rule == "whole_activity"


def test_two_separate_fast_laps_fall_back_with_a_note():
    blocks = [(300, 3.0), (200, 5.0), (300, 3.0), (200, 5.0), (300, 3.0)]
    seg, notes = find_race(clean(_session(blocks)))
    assert seg.rule == "whole_activity"
    assert len(notes) == 1 and "2 separate fast manual laps" in notes[0]


# --------------------------------------------------------------------------- whole activity
def test_whole_activity_trims_standing_and_trailing_walk():
    act = clean(_session([(20, 0.0), (600, 4.5), (120, 1.2)], laps=False))
    seg, _ = find_race(act)
    assert seg.rule == "whole_activity"
    # the run is t = 20–620 s, 0–2700 m; smoothing spreads the start by a few seconds
    assert seg.end_time_s == pytest.approx(620.0, abs=2.0)
    assert seg.end_distance_m == pytest.approx(2700.0, abs=10.0)
    assert 15.0 <= seg.start_time_s <= 20.0
    assert seg.start_distance_m == pytest.approx(0.0, abs=1e-9)
    assert "after the finish" in seg.description and "standing" in seg.description


def test_whole_activity_untrimmed_when_running_throughout():
    act = clean(_session([(300, 4.0), (300, 4.2)], laps=False))
    seg, _ = find_race(act)
    assert (seg.start_time_s, seg.end_time_s) == (0.0, 600.0)
    assert seg.description == "the whole activity"
