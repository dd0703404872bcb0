"""Tests of the TCX reader: the shared MANIFEST files, synthetic documents, hostile input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kicklab.activity import LAP_COLUMNS, LAP_TRIGGERS, Activity
from kicklab.errors import CorruptFile, EmptyActivity, KicklabError, UnsupportedFormat
from kicklab.geo import haversine_m
from kicklab.io.tcx import read_tcx, read_tcx_all
from tests.conftest import shared_file, shared_manifest

ROWS = [r for r in shared_manifest() if r["format"] == "tcx"]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
)


def trackpoint(
    second: int,
    *,
    lat: float | None = None,
    dist: float | None = None,
    ext: str = "",
    hr=None,
    cad=None,
) -> str:
    parts = [f"<Time>2021-03-04T10:{second // 60:02d}:{second % 60:02d}Z</Time>"]
    if lat is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
            "<LongitudeDegrees>11.0</LongitudeDegrees></Position>"
        )
    if dist is not None:
        parts.append(f"<DistanceMeters>{dist}</DistanceMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if cad is not None:
        parts.append(f"<Cadence>{cad}</Cadence>")
    if ext:
        parts.append(f"<Extensions><ns3:TPX>{ext}</ns3:TPX></Extensions>")
    return "<Trackpoint>" + "".join(parts) + "</Trackpoint>"


def lap(start_s: int, total: float, dist: float, trigger: str, points: str, extra: str = "") -> str:
    return (
        f'<Lap StartTime="2021-03-04T10:{start_s // 60:02d}:{start_s % 60:02d}Z">'
        f"<TotalTimeSeconds>{total}</TotalTimeSeconds><DistanceMeters>{dist}</DistanceMeters>"
        f"<MaximumSpeed>4.5</MaximumSpeed><Calories>12</Calories>"
        f"<AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>"
        f"<Intensity>Active</Intensity><TriggerMethod>{trigger}</TriggerMethod>"
        f"<Track>{points}</Track>{extra}</Lap>"
    )


def tcx(*activities: str, tail: str = "") -> bytes:
    return (
        HEAD
        + "<Activities>"
        + "".join(activities)
        + "</Activities>"
        + tail
        + "</TrainingCenterDatabase>"
    ).encode()


def activity(sport: str, ident: str, *laps: str, creator: str = "") -> str:
    return f'<Activity Sport="{sport}"><Id>{ident}</Id>{"".join(laps)}{creator}</Activity>'


def run_points(start: int, n: int, d0: float = 0.0) -> str:
    ext = "<ns3:Speed>3.0</ns3:Speed><ns3:RunCadence>{c}</ns3:RunCadence><ns3:Watts>{w}</ns3:Watts>"
    return "".join(
        trackpoint(
            start + i,
            lat=48.0 + (start + i) * 1e-5,
            dist=d0 + 3.0 * i,
            hr=140 + i,
            ext=ext.format(c=85 + i % 3, w=250 + i),
        )
        for i in range(n)
    )


CREATOR = (
    '<Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<Name>Forerunner Test</Name><UnitId>123</UnitId><ProductID>9</ProductID>"
    "<Version><VersionMajor>4</VersionMajor><VersionMinor>20</VersionMinor>"
    "<BuildMajor>0</BuildMajor><BuildMinor>0</BuildMinor></Version></Creator>"
)
LX = "<Extensions><ns3:LX><ns3:AvgSpeed>3.0</ns3:AvgSpeed><ns3:AvgRunCadence>86</ns3:AvgRunCadence><ns3:MaxRunCadence>90</ns3:MaxRunCadence></ns3:LX></Extensions>"
AUTHOR = "<Author><Name>Some Exporter</Name></Author>"

TWO_LAPS = tcx(
    activity(
        "Running",
        "2021-03-04T10:00:00Z",
        lap(0, 10.0, 30.0, "Distance", run_points(0, 10), LX),
        lap(10, 10.0, 30.0, "Manual", run_points(10, 10, d0=30.0)),
        creator=CREATOR,
    ),
    tail=AUTHOR,
)


# ----------------------------------------------------------------------------- manifest
def _truthy(text: str) -> bool:
    return text.strip().lower() == "true"


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_manifest_files(row):
    path = shared_file(row["file"])
    act = read_tcx(path.read_bytes(), row["file"])
    assert isinstance(act, Activity)
    assert act.format == "tcx"
    assert act.duration_s == pytest.approx(float(row["duration_s"]), rel=0.01)
    assert act.distance_m == pytest.approx(float(row["distance_m"]), rel=0.01)
    assert ("heart_rate_bpm" in act.fields) == _truthy(row["has_hr"])
    assert ("cadence_spm" in act.fields) == _truthy(row["has_cadence"])
    assert ("lat_deg" in act.fields) == _truthy(row["has_gps"])
    assert (len(act.laps) > 0) == _truthy(row["has_laps"])
    assert act.sport == row["sport"]
    for key, value in re.findall(r"(records|laps)=(\d+)", row["notes"]):
        if key == "laps":
            assert len(act.laps) == int(value)
        else:
            assert 0.97 * int(value) <= len(act) <= int(value)
    assert set(act.laps["trigger"]) <= LAP_TRIGGERS
    assert list(act.laps.columns[: len(LAP_COLUMNS)]) == list(LAP_COLUMNS)
    assert (np.diff(act.records["time_s"]) > 0).all()
    dist = act.records["distance_m"].dropna().to_numpy()
    assert (np.diff(dist) >= -1e-6).all()
    # the laps add up to the activity (within GPS/rounding noise)
    assert act.laps["distance_m"].sum() == pytest.approx(act.distance_m, rel=0.01)


def test_multiple_trainings_one_activity_three_sessions():
    data = shared_file("runalyze__Multiple-Trainings.tcx").read_bytes()
    act = read_tcx(data, "multi")
    assert len(act.sessions) == 3
    assert act.sessions["start_time_s"].is_monotonic_increasing  # time order, not file order
    assert act.start_time == pd.Timestamp("2012-01-19T10:30:21Z")
    gaps = act.pauses[act.pauses["kind"] == "session_gap"]
    assert len(gaps) == 2
    np.testing.assert_allclose(gaps["start_time_s"], act.sessions["end_time_s"].iloc[:2])
    np.testing.assert_allclose(gaps["end_time_s"], act.sessions["start_time_s"].iloc[1:])
    assert act.moving_time_s < 4 * 3600
    np.testing.assert_allclose(act.sessions["timer_s"], [3000.0, 2084.585, 3600.0])
    # later activities continue the distance instead of restarting at 0
    assert act.sessions["distance_m"].sum() == pytest.approx(act.distance_m, rel=0.001)
    assert (act.laps["start_time_s"].diff().dropna() > 0).all()

    parts = read_tcx_all(data, "multi")
    assert len(parts) == 3
    assert [p.metadata["id"] for p in parts] == [
        "2012-01-19T10:30:21Z",
        "2012-01-20T09:21:02Z",
        "2012-01-22T14:10:39Z",
    ]
    assert [len(p.laps) for p in parts] == [1, 3, 1]
    assert sum(len(p) for p in parts) == len(act)
    np.testing.assert_allclose(
        [p.duration_s for p in parts], act.sessions["elapsed_s"].to_numpy(), rtol=1e-9
    )
    assert parts[1].records["distance_m"].iloc[0] < 10  # each restarts at its own start
    assert all(p.metadata["device"]["name"] == "Forerunner 610" for p in parts)


def test_treadmill_cadence_is_already_steps_per_minute():
    act = read_tcx(shared_file("runalyze__Treadmill-doubled-cadence.tcx").read_bytes())
    cad = act.records["cadence_spm"]
    assert cad.max() <= 185  # not doubled to ~360
    assert 165 <= cad.iloc[-50:].median() <= 185  # running at the end
    assert "lat_deg" not in act.fields
    step = act.records["speed_mps"] * 60 / cad
    assert 0.6 < step.iloc[-50:].median() < 1.2  # plausible step length in m


# ----------------------------------------------------------------------------- synthetic
def test_synthetic_laps_records_and_device():
    act = read_tcx(TWO_LAPS, "two.tcx")
    rec = act.records
    assert len(rec) == 20
    np.testing.assert_array_equal(rec["time_s"], np.arange(20.0))
    np.testing.assert_allclose(rec["distance_m"], 3.0 * np.r_[np.arange(10), 10 + np.arange(10)])
    np.testing.assert_array_equal(rec["heart_rate_bpm"].iloc[:3], [140, 141, 142])
    np.testing.assert_array_equal(rec["cadence_spm"].iloc[:3], [170, 172, 174])  # rpm × 2
    np.testing.assert_array_equal(rec["power_w"].iloc[:2], [250, 251])
    assert (rec["speed_mps"] == 3.0).all()
    assert rec["lat_deg"].iloc[1] == pytest.approx(48.00001)
    laps = act.laps
    assert laps["start_time_s"].tolist() == [0.0, 10.0]
    assert laps["end_time_s"].tolist() == [10.0, 20.0]
    assert laps["elapsed_s"].tolist() == laps["timer_s"].tolist() == [10.0, 10.0]
    assert laps["avg_speed_mps"].tolist() == [3.0, 3.0]
    assert laps["trigger"].tolist() == ["distance", "manual"]
    assert laps["calories"].tolist() == [12.0, 12.0]
    assert laps["avg_heart_rate_bpm"].tolist() == [150.0, 150.0]
    assert laps["intensity"].tolist() == ["active", "active"]
    assert laps["avg_cadence_spm"].iloc[0] == 172.0  # LX AvgRunCadence 86 rpm × 2
    assert np.isnan(laps["avg_cadence_spm"].iloc[1])
    assert act.sport == "running"
    assert act.metadata["device"] == {
        "name": "Forerunner Test",
        "unit_id": "123",
        "product_id": "9",
        "version": "4.20.0.0",
    }
    assert act.metadata["id"] == "2021-03-04T10:00:00Z"
    assert len(act.sessions) == 1
    assert act.sessions["timer_s"].iloc[0] == 20.0
    assert len(act.pauses) == 0


@pytest.mark.parametrize(
    ("word", "trigger"),
    [
        ("Manual", "manual"),
        ("Distance", "distance"),
        ("Location", "position"),
        ("Time", "time"),
        ("HeartRate", "heart_rate"),
        ("Bogus", "unknown"),
    ],
)
def test_trigger_mapping(word, trigger):
    doc = tcx(activity("Running", "x", lap(0, 5.0, 10.0, word, trackpoint(0) + trackpoint(5))))
    assert read_tcx(doc).laps["trigger"].tolist() == [trigger]


def test_positions_without_distance_give_haversine():
    points = "".join(trackpoint(i, lat=48.0 + i * 1e-4) for i in range(5))
    act = read_tcx(tcx(activity("Running", "x", lap(0, 4, 0, "Manual", points))))
    assert act.distance_m == pytest.approx(4 * haversine_m(48.0, 11.0, 48.0001, 11.0), rel=1e-6)


def test_biking_cadence_is_pedal_rpm():
    points = "".join(trackpoint(i, cad=90) for i in range(3))
    act = read_tcx(tcx(activity("Biking", "x", lap(0, 2, 0, "Manual", points))))
    assert act.sport == "cycling"
    assert "cadence_spm" not in act.fields
    assert act.records["cadence_rpm"].tolist() == [90.0] * 3


def test_trackpoint_cadence_of_a_run_is_doubled_and_sensor_state_kept():
    points = "".join(
        trackpoint(i, cad=88).replace(
            "</Trackpoint>", "<SensorState>Present</SensorState></Trackpoint>"
        )
        for i in range(3)
    )
    act = read_tcx(tcx(activity("Running", "x", lap(0, 2, 0, "Manual", points))))
    assert act.records["cadence_spm"].tolist() == [176.0] * 3
    assert act.records["sensor_state"].tolist() == ["Present"] * 3


def test_second_track_in_a_lap_is_a_timer_stop_and_long_gaps_are_pauses():
    two_tracks = lap(0, 20, 0, "Manual", trackpoint(0) + trackpoint(1)).replace(
        "</Track>",
        "</Track><Track>" + trackpoint(30) + trackpoint(31) + trackpoint(200) + "</Track>",
    )
    act = read_tcx(tcx(activity("Running", "x", two_tracks)))
    assert act.pauses["kind"].tolist() == ["segment_gap", "gap"]
    assert act.pauses["start_time_s"].tolist() == [1.0, 31.0]
    assert act.pauses["duration_s"].tolist() == [29.0, 169.0]


def test_trackpoints_without_time_are_dropped_and_sport_other():
    points = (
        trackpoint(0, dist=0)
        + "<Trackpoint><DistanceMeters>5</DistanceMeters></Trackpoint>"
        + trackpoint(4, dist=8)
    )
    act = read_tcx(tcx(activity("Other", "x", lap(0, 4, 8, "Manual", points))))
    assert len(act) == 2
    assert act.distance_m == 8.0
    assert act.sport == "other"


def test_mixed_sports_and_root_creator():
    doc = tcx(
        activity(
            "Running", "a", lap(0, 1, 3, "Manual", trackpoint(0, dist=0) + trackpoint(1, dist=3))
        ),
        activity(
            "Biking",
            "b",
            lap(100, 1, 9, "Manual", trackpoint(100, dist=0) + trackpoint(101, dist=9)),
        ),
    ).replace(b"<TrainingCenterDatabase ", b'<TrainingCenterDatabase creator="runtastic" ')
    act = read_tcx(doc)
    assert act.sport == "multisport"
    assert act.sessions["sport"].tolist() == ["running", "cycling"]
    assert act.records["distance_m"].tolist() == [0.0, 3.0, 3.0, 12.0]
    assert act.pauses["kind"].tolist() == ["session_gap"]
    assert act.metadata["device"] == {"creator": "runtastic"}
    assert act.metadata["ids"] == ["a", "b"]


def test_multisport_session_activities_are_read():
    inner = activity("Running", "a", lap(0, 1, 3, "Manual", trackpoint(0) + trackpoint(1)))
    doc = (
        HEAD
        + f"<Activities><MultiSportSession><Id>m</Id><FirstSport>{inner}</FirstSport></MultiSportSession></Activities></TrainingCenterDatabase>"
    ).encode()
    assert len(read_tcx(doc)) == 2


def test_lap_without_start_time_starts_at_its_first_trackpoint():
    doc = TWO_LAPS.replace(b'<Lap StartTime="2021-03-04T10:00:10Z">', b"<Lap>")
    act = read_tcx(doc)
    assert act.laps["start_time_s"].tolist() == [0.0, 10.0]
    doc = TWO_LAPS.replace(b'StartTime="2021-03-04T10:00:10Z"', b'StartTime="yesterday"')
    assert read_tcx(doc).laps["start_time_s"].tolist() == [0.0, 10.0]


def test_device_distance_stepping_back_is_made_non_decreasing():
    dists = [0.0, 5.0, 4.5, 9.0, None, 12.0]
    points = "".join(trackpoint(i, dist=d) for i, d in enumerate(dists))
    act = read_tcx(tcx(activity("Running", "x", lap(0, 5, 12, "Manual", points))))
    got = act.records["distance_m"].to_numpy()
    np.testing.assert_array_equal(got[[0, 1, 2, 3, 5]], [0.0, 5.0, 5.0, 9.0, 12.0])
    assert np.isnan(got[4])


def test_courses_only_is_empty():
    doc = (
        HEAD
        + "<Courses><Course><Name>c</Name><Track>"
        + trackpoint(0)
        + trackpoint(1)
        + "</Track></Course></Courses></TrainingCenterDatabase>"
    ).encode()
    with pytest.raises(EmptyActivity, match="no <Activity>"):
        read_tcx(doc, "course.tcx")


def test_activity_without_timed_points_is_empty():
    doc = tcx(
        activity(
            "Running",
            "x",
            lap(0, 1, 1, "Manual", "<Trackpoint><DistanceMeters>1</DistanceMeters></Trackpoint>"),
        )
    )
    with pytest.raises(EmptyActivity, match="no trackpoint with a <Time>"):
        read_tcx(doc)
    with pytest.raises(EmptyActivity):
        read_tcx_all(doc)


# ----------------------------------------------------------------------------- hostile input
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE TrainingCenterDatabase [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<TrainingCenterDatabase><Activities><Activity Sport="&xxe;"/></Activities></TrainingCenterDatabase>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b"]><TrainingCenterDatabase><Author><Name>&j;</Name></Author></TrainingCenterDatabase>"
)


@pytest.mark.parametrize(
    ("data", "error", "pattern"),
    [
        (LAUGHS, CorruptFile, "entities"),
        (XXE, CorruptFile, "entities"),
        (
            b"<TrainingCenterDatabase>"
            + b"<x>" * 5000
            + b"</x>" * 5000
            + b"</TrainingCenterDatabase>",
            CorruptFile,
            "deeper",
        ),
        (TWO_LAPS[:-300], CorruptFile, "malformed XML"),
        (b"<gpx/>", UnsupportedFormat, "root element"),
        (b"PK\x03\x04 definitely not xml", CorruptFile, "malformed XML"),
    ],
    ids=["billion-laughs", "xxe", "deep", "truncated", "wrong-root", "not-xml"],
)
def test_hostile_input_raises_kicklab_errors(data, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        read_tcx(data, "evil.tcx")
    assert info.value.source == "evil.tcx"
    with pytest.raises(error):
        read_tcx_all(data, "evil.tcx")


SMALL = tcx(activity("Running", "x", lap(0, 3.0, 9.0, "Manual", run_points(0, 4)), creator=CREATOR))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, len(SMALL)),
)
def test_mutated_tcx_parses_or_raises_kicklab_error(flips, cut):
    data = bytearray(SMALL)
    for pos, byte in flips:
        data[pos] = byte
    try:
        act = read_tcx(bytes(data[:cut]), "fuzz.tcx")
    except KicklabError as exc:
        assert exc.source == "fuzz.tcx"
        return
    assert len(act) >= 1
    assert (np.diff(act.records["time_s"]) > 0).all()


VALUE_SPANS = [m.span(1) for m in re.finditer(rb">([^<>]+)<", TWO_LAPS)] + [
    m.span(1) for m in re.finditer(rb'="([^"]*)"', TWO_LAPS)
]
HOSTILE_VALUES = st.sampled_from(
    [
        *["", " ", "-1", "0", "1e308", "-1e308", "nan", "inf", "x", "300", "Biking", "Other"],
        *["2021-03-04T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
        *["2021-03-04T10:00:00.123456789+14:00", "2021-13-45T99:99:99Z"],
    ]
) | st.text(max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(VALUE_SPANS), HOSTILE_VALUES, min_size=1, max_size=6))
def test_hostile_values_parse_or_raise_kicklab_error(replacements):
    """Well-formed structure, hostile field values: a clean Activity or a KicklabError."""
    data = TWO_LAPS
    for (a, b), value in sorted(replacements.items(), reverse=True):
        data = data[:a] + value.encode() + data[b:]
    try:
        act = read_tcx(data, "fuzz.tcx")
    except KicklabError as exc:
        assert exc.source == "fuzz.tcx"
        return
    rec = act.records
    assert (np.diff(rec["time_s"]) > 0).all()
    assert not np.isinf(rec[act.fields].to_numpy()).any()
    assert set(act.laps["trigger"]) <= LAP_TRIGGERS
