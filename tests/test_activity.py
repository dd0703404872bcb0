"""The Activity model: conformed columns, derived facts, session selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.activity import CANONICAL_COLUMNS, Activity
from kicklab.errors import EmptyActivity, InvalidValue


def _records(n=10, step=1.0):
    t = np.arange(n) * step + 100.0
    return pd.DataFrame(
        {"time_s": t, "distance_m": (t - 100.0) * 4.0, "heart_rate_bpm": 150.0, "foo": "x"}
    )


def test_conforms_columns_and_rebases_time():
    a = Activity(_records(), metadata={"start_time": "2024-05-01T10:00:00Z"})
    assert list(a.records.columns[: len(CANONICAL_COLUMNS)]) == list(CANONICAL_COLUMNS)
    assert a.records["time_s"].iloc[0] == 0.0
    assert a.records["speed_mps"].isna().all()
    assert a.records["foo"].iloc[0] == "x"  # unknown fields kept
    assert a.extra_fields == ["foo"]
    assert a.fields == ["time_s", "distance_m", "heart_rate_bpm"]
    dtype = a.records["timestamp"].dtype
    assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    assert a.records["timestamp"].iloc[1] == pd.Timestamp("2024-05-01T10:00:01Z")
    assert a.duration_s == 9.0
    assert a.distance_m == 36.0


def test_implausible_values_become_nan():
    rec = _records()
    rec.loc[3, "heart_rate_bpm"] = 900.0
    a = Activity(rec)
    assert np.isnan(a.records["heart_rate_bpm"].iloc[3])


def test_unsorted_and_duplicate_times():
    rec = _records().iloc[[3, 1, 2, 2, 0]]
    a = Activity(rec)
    assert a.records["time_s"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_empty_and_absurd():
    with pytest.raises(EmptyActivity):
        Activity(pd.DataFrame({"time_s": []}))
    with pytest.raises(EmptyActivity):
        Activity(pd.DataFrame({"distance_m": [1.0]}))
    with pytest.raises(InvalidValue):
        Activity(pd.DataFrame({"time_s": [0.0, 1e10]}))


def test_moving_time_subtracts_pauses():
    pauses = pd.DataFrame({"start_time_s": [2.0], "end_time_s": [5.0], "duration_s": [3.0]})
    a = Activity(_records(), pauses=pauses)
    assert a.moving_time_s == 6.0


def test_between_and_session():
    rec = _records(100)
    sessions = pd.DataFrame(
        {
            "sport": ["cycling", "running"],
            "sub_sport": [None, None],
            "start_time_s": [0.0, 50.0],
            "end_time_s": [49.0, 99.0],
        }
    )
    a = Activity(rec, sessions=sessions)
    run = a.session("running")
    assert run.sport == "running"
    assert run.records["time_s"].iloc[0] == 0.0
    assert run.distance_m == pytest.approx(49 * 4.0)
    assert len(a.session(0).records) == 50
    with pytest.raises(EmptyActivity):
        a.session("swimming")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_time_always_starts_at_zero_and_increases(times):
    a = Activity(pd.DataFrame({"time_s": times}))
    t = a.records["time_s"].to_numpy()
    assert t[0] == 0.0
    assert np.all(np.diff(t) > 0)
    assert a.duration_s == pytest.approx(max(times) - min(times))
