"""Tests of kicklab.io.fitworkout: FIT string limits and the checks on workout steps."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.io.fitworkout import encode_fit_workout, truncate_utf8
from kicklab.training.plan import Session, Step

# ---------------------------------------------------------------------------- FIT strings


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), size=st.integers(1, 40))
def test_truncate_utf8_fits_and_keeps_whole_characters(text, size):
    out = truncate_utf8(text, size)
    encoded = out.encode("utf-8")
    assert len(encoded) <= size - 1  # room for the NUL terminator
    assert "\x00" not in out
    clean = text.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert clean.startswith(out) or clean.startswith(out.rstrip())
    if len(clean.encode("utf-8")) <= size - 1:
        assert out == clean  # nothing cut when it fits


def test_truncate_utf8_never_splits_a_character():
    assert truncate_utf8("Run 400 m €€€", 16) == "Run 400 m €"  # 13 + 3 bytes > 15
    assert truncate_utf8("Séance 400 m €", 16) == "Séance 400 m"  # cut before €, space dropped
    assert truncate_utf8("ab€", 5) == "ab"  # the euro sign's 3 bytes do not fit in 4
    assert truncate_utf8("", 16) == ""


# ---------------------------------------------------------------------------- steps by hand


def _session(title: str, day: dt.date, kind: str, steps: tuple) -> Session:
    return Session(
        date=day,
        title=title,
        focus="max_speed",
        phase="base",
        kind=kind,
        drills=(),
        steps=steps,
        distance_m=0.0,
        duration_min=40.0,
        targets=(),
        why="",
    )


@pytest.fixture(scope="module")
def flying():
    steps = (
        Step("Warm-up jog", "warmup", "distance", 2000.0, 3.2, 3.6),
        Step("Flying 30 m", "active", "distance", 30.0, 8.012, 8.4876),
        Step("Walk back", "rest", "time", 150.5),
        Step("Repeat flying", "active", "open", None, repeat_of=1, repeat_count=6),
    )
    return _session("Flying 30s; speed, relaxed", dt.date(2027, 3, 2), "hard", steps)


def test_fit_workout_rejects_steps_fit_cannot_hold(flying):
    bad = [
        lambda: (Step("x", "sprint", "distance", 100.0),),  # unknown intensity
        lambda: (Step("x", "active", "laps", 4.0),),  # unknown duration type
        lambda: (Step("x", "active", "distance", -5.0),),  # negative distance
        lambda: (Step("x", "active", "time", 30.0, 7.0, 6.0),),  # low > high
        lambda: (Step("x", "active", "time", 30.0, 7.0, None),),  # half a band
        lambda: (Step("x", "active", "open", None, repeat_of=0, repeat_count=3),),  # itself
        lambda: (
            Step("a", "active", "time", 30.0),
            Step("r", "active", "open", None, repeat_of=0),
        ),  # no count
    ]
    for make in bad:
        with pytest.raises(InvalidValue) as err:
            steps = make()  # the model may refuse the step itself
            encode_fit_workout(dataclasses.replace(flying, steps=steps))
            pytest.fail("no error")  # pragma: no cover
        if err.traceback[-1].name == "_check_steps":
            assert err.value.source == "2027-03-02 Flying 30s; speed, relaxed"
    strength = _session("Strength <core> & hips", dt.date(2027, 3, 3), "strength", ())
    with pytest.raises(InvalidValue):
        encode_fit_workout(strength)  # strength: no steps
    with pytest.raises(InvalidValue):  # before FIT's absolute times begin
        encode_fit_workout(flying, created=dt.datetime(1995, 1, 1))
