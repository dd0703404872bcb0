"""Split strings and split tables, checked against published championship splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import FileTooLarge, InvalidSplits, KicklabError
from kicklab.io import limits, read_bytes
from kicklab.io.splits import MILE_M, parse_splits, read_splits

# Sebastian Coe, Olympic 1500 m final, Los Angeles 1984 (gold, 3:32.53).
COE_1984 = "400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"
# Paris 2024 Olympic 1500 m final: the leader's splits at 400/800/1200 m and Cole Hocker's
# winning 3:27.65 at 1500 m.
PARIS_2024 = "400:54.82,800:1:51.38,1200:2:47.27,1500:3:27.65"


def _fmt_clock(t: float) -> str:
    m, s = divmod(t, 60.0)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:05.2f}" if h else f"{m}:{s:05.2f}"


# --------------------------------------------------------------------------- compact strings
def test_coe_1984_final_time_and_last_300():
    splits = parse_splits(COE_1984)
    assert list(splits.columns) == ["distance_m", "time_s"]
    assert splits["distance_m"].dtype == np.float64 and splits["time_s"].dtype == np.float64
    np.testing.assert_allclose(splits["distance_m"], [400, 800, 1200, 1500])
    np.testing.assert_allclose(splits["time_s"], [58.85, 116.81, 173.21, 212.53])
    activity = read_splits(COE_1984)
    assert activity.duration_s == pytest.approx(212.53)
    assert activity.distance_m == pytest.approx(1500.0)
    last = activity.laps.iloc[-1]
    assert last["elapsed_s"] == pytest.approx(39.32)
    assert last["distance_m"] == pytest.approx(300.0)
    assert last["avg_speed_mps"] == pytest.approx(300.0 / 39.32)


def test_paris_2024_final_in_several_spellings():
    expected = [54.82, 111.38, 167.27, 207.65]
    spellings = [
        PARIS_2024,
        "400m:54.82; 800m:111.38; 1200m:2:47.27; 1500m:3:27.65",
        "400:54.82\n800:1:51.38\n1200:2:47.27\n1500:3:27.65\n",
        "400:54.82 800:1:51.38 1200:2:47.27 1500:0:03:27.65",
        "  400 : 54.82 ,800:1:51.38,\t1200:2:47.27,1500:3:27.65  ",
    ]
    for text in spellings:
        splits = parse_splits(text)
        np.testing.assert_allclose(splits["time_s"], expected, err_msg=text)
        np.testing.assert_allclose(splits["distance_m"], [400, 800, 1200, 1500], err_msg=text)
    laps = read_splits(PARIS_2024).laps
    np.testing.assert_allclose(laps["elapsed_s"], [54.82, 56.56, 55.89, 40.38], atol=1e-9)


def test_km_and_mile_suffixes():
    splits = parse_splits("1km:2:35.1,mile:4:05.0,2 miles:8:20,3.3km:8:45")
    np.testing.assert_allclose(splits["distance_m"], [1000, MILE_M, 2 * MILE_M, 3300])
    np.testing.assert_allclose(splits["time_s"], [155.1, 245.0, 500.0, 525.0])


def test_hours_and_leading_start_row():
    splits = parse_splits("0:0, 21097.5:1:02:52, 42195:2:01:09")
    assert splits["distance_m"].iloc[0] == 21097.5  # the 0:0 start row is dropped
    np.testing.assert_allclose(splits["time_s"], [3772.0, 7269.0])


# --------------------------------------------------------------------------- tables
def test_csv_cumulative_table():
    text = "distance,time\n400,58.85\n800,1:56.81\n1200,2:53.21\n1500,3:32.53\n"
    np.testing.assert_allclose(parse_splits(text)["time_s"], [58.85, 116.81, 173.21, 212.53])


def test_csv_lap_time_column_is_summed():
    text = "Lap,Distance,Lap time\n1,400,58.85\n2,800,57.96\n3,1200,56.40\n4,1500,39.32\n"
    np.testing.assert_allclose(parse_splits(text)["time_s"], [58.85, 116.81, 173.21, 212.53])


def test_csv_cumulative_header_preferred_over_lap_column():
    text = "distance;split time;total time\n400;58,85;58,85\n800;57,96;1:56,81\n"
    np.testing.assert_allclose(parse_splits(text)["time_s"], [58.85, 116.81])


def test_csv_plain_time_not_monotonic_is_per_split():
    text = "distance,time\n400,58.85\n800,57.96\n1200,56.40\n1500,39.32\n"
    np.testing.assert_allclose(parse_splits(text)["time_s"], [58.85, 116.81, 173.21, 212.53])


def test_csv_equal_distances_are_per_split():
    text = "distance\ttime\n400\t60\n400\t120\n400\t180\n"
    np.testing.assert_allclose(parse_splits(text)["distance_m"], [400, 800, 1200])


def test_csv_headerless_and_suffixed_distance_and_units_in_header():
    np.testing.assert_allclose(parse_splits("400,58.85\n800,1:56.81")["time_s"], [58.85, 116.81])
    np.testing.assert_allclose(
        parse_splits("Split,Time\n400m,58.85\n1 mile,4:01.2")["distance_m"], [400, MILE_M]
    )
    np.testing.assert_allclose(
        parse_splits("distance (km),time (min)\n1,3.5\n2,7")["time_s"], [210.0, 420.0]
    )


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "no splits"),
        ("   \n ", "no splits"),
        ("400:5x.8,800:1:56", "400:5x.8"),
        ("400:58.85,800", "'800'"),
        ("400:58.85,800:1:56.81 and more", "'and'"),
        ("400:58.85,800:1:75", "800:1:75"),
        ("400:58.85,800:1:60:00", "800:1:60:00"),
        ("400:58.85,300:1:50", "split 2 (300:1:50)"),
        ("400:58.85,800:50", "split 2 (800:50)"),
        ("400:58.85,800:58.85", "time does not increase"),
        ("0:10,400:58", "distance must be positive"),
        ("400:3", "outside the plausible"),
        ("400:58.85,800:1:56.81,1200:30:00", "split 3 (1200:30:00)"),
        ("distance,time\n400,abc", "'abc'"),
        ("distance,time\n", "no splits"),
    ],
)
def test_invalid_splits_name_the_problem(text, needle):
    with pytest.raises(InvalidSplits) as info:
        parse_splits(text, source="race.txt")
    assert needle in str(info.value)
    assert str(info.value).startswith("race.txt: ")


def test_implausible_split_is_named_with_its_speed():
    with pytest.raises(InvalidSplits, match=r"split 2 \(800:1:00\).*26\.67 m/s"):
        parse_splits("400:45,800:1:00")


def test_too_many_splits_refused():
    text = ",".join(f"{400 * (i + 1)}:{60 * (i + 1)}" for i in range(100_001))
    with pytest.raises(InvalidSplits, match="more than"):
        parse_splits(text)


def test_read_splits_refuses_oversized_bytes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10)
    with pytest.raises(FileTooLarge):
        read_splits(COE_1984.encode())


def test_not_text_is_refused():
    with pytest.raises(InvalidSplits):
        parse_splits(b"400:58")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the Activity
def test_read_splits_activity_layout():
    activity = read_splits(COE_1984.encode(), "coe.txt")
    rec = activity.records
    np.testing.assert_allclose(rec["time_s"], [0, 58.85, 116.81, 173.21, 212.53])
    np.testing.assert_allclose(rec["distance_m"], [0, 400, 800, 1200, 1500])
    assert np.isnan(rec["speed_mps"].iloc[0])
    np.testing.assert_allclose(
        rec["speed_mps"].iloc[1:], [400 / 58.85, 400 / 57.96, 400 / 56.4, 300 / 39.32]
    )
    laps = activity.laps
    assert len(laps) == 4
    np.testing.assert_allclose(laps["start_time_s"], [0, 58.85, 116.81, 173.21])
    np.testing.assert_allclose(laps["end_time_s"], [58.85, 116.81, 173.21, 212.53])
    np.testing.assert_allclose(laps["timer_s"], laps["elapsed_s"])
    np.testing.assert_allclose(laps["distance_m"], [400, 400, 400, 300])
    assert set(laps["trigger"]) == {"distance"}
    meta = activity.metadata
    assert meta["format"] == "splits" and meta["sport"] == "running"
    assert meta["start_time"] is None and meta["source"] == "coe.txt"
    pd.testing.assert_frame_equal(meta["splits"], parse_splits(COE_1984))
    assert activity.sessions["distance_m"].iloc[0] == pytest.approx(1500.0)
    assert activity.records["timestamp"].isna().all()


def test_read_bytes_sniffs_a_split_string():
    activity = read_bytes(COE_1984.encode(), "coe")
    assert activity.format == "splits"
    assert activity.duration_s == pytest.approx(212.53)


def test_read_splits_rejects_bad_input_type():
    with pytest.raises(InvalidSplits):
        read_splits(12)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties
@st.composite
def races(draw):
    n = draw(st.integers(1, 12))
    seg_d = np.array(draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))) * 50.0
    speeds = np.array(draw(st.lists(st.floats(1.0, 12.0), min_size=n, max_size=n)))
    seg_t = np.round(seg_d / speeds, 2)
    return np.cumsum(seg_d), np.round(np.cumsum(seg_t), 2)


@settings(max_examples=60, deadline=None)
@given(races(), st.sampled_from([",", ";", "\n", " ", ", "]), st.booleans(), st.booleans())
def test_compact_round_trip(race, sep, suffix, clock):
    dist, time = race
    pairs = [
        f"{d:g}{'m' if suffix else ''}:{_fmt_clock(t) if clock else f'{t:.2f}'}"
        for d, t in zip(dist, time, strict=True)
    ]
    splits = parse_splits(sep.join(pairs))
    np.testing.assert_allclose(splits["distance_m"], dist)
    np.testing.assert_allclose(splits["time_s"], time, atol=1e-6)
    activity = read_splits(sep.join(pairs))
    laps = activity.laps
    # laps tile the race: distances and times add up, speed × time = distance
    assert laps["distance_m"].sum() == pytest.approx(dist[-1])
    assert laps["elapsed_s"].sum() == pytest.approx(time[-1])
    np.testing.assert_allclose(laps["avg_speed_mps"] * laps["elapsed_s"], laps["distance_m"])
    assert len(activity.records) == len(dist) + 1


@settings(max_examples=60, deadline=None)
@given(races(), st.sampled_from([",", ";", "\t"]), st.booleans())
def test_table_round_trip(race, sep, per_split):
    dist, time = race
    laps = np.diff(time, prepend=0.0)
    header = f"distance{sep}{'lap time' if per_split else 'time'}"
    values = laps if per_split else time
    rows = [f"{d:g}{sep}{v:.2f}" for d, v in zip(dist, values, strict=True)]
    splits = parse_splits("\n".join([header, *rows]))
    np.testing.assert_allclose(splits["distance_m"], dist)
    np.testing.assert_allclose(splits["time_s"], time, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789:.,; \nmkil\t-x", max_size=60))
def test_arbitrary_text_raises_only_invalid_splits(text):
    try:
        splits = parse_splits(text)
    except KicklabError as exc:
        assert isinstance(exc, InvalidSplits)
        return
    assert (np.diff(splits["distance_m"]) > 0).all() and (np.diff(splits["time_s"]) > 0).all()
    assert (splits["distance_m"] > 0).all() and (splits["time_s"] > 0).all()
