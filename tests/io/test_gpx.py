"""Tests of the GPX reader: the shared MANIFEST files, synthetic documents, hostile input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kicklab.activity import PAUSE_COLUMNS, Activity
from kicklab.errors import CorruptFile, EmptyActivity, KicklabError, UnsupportedFormat
from kicklab.geo import haversine_m
from kicklab.io.gpx import read_gpx
from tests.conftest import shared_file, shared_manifest

ROWS = [r for r in shared_manifest() if r["format"] == "gpx"]

GPX11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Test Device 1"
  xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
  <metadata><name>Meta name</name><time>2020-05-01T06:00:00Z</time></metadata>
  <trk>
    <name>Evening Run</name>
    <type>running</type>
    <trkseg>
      <trkpt lat="47.0000" lon="8.0000"><ele>400.5</ele><time>2020-05-01T08:00:00+02:00</time>
        <extensions><gpxtpx:TrackPointExtension>
          <gpxtpx:atemp>21.5</gpxtpx:atemp><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad>
          <gpxtpx:speed>3.1</gpxtpx:speed><gpxtpx:course>90</gpxtpx:course>
        </gpxtpx:TrackPointExtension></extensions></trkpt>
      <trkpt lat="47.0001" lon="8.0000"><ele>401.0</ele><time>2020-05-01T06:00:01.5Z</time>
        <extensions><gpxtpx:TrackPointExtension>
          <gpxtpx:hr>125</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad><gpxtpx:speed>3.2</gpxtpx:speed>
        </gpxtpx:TrackPointExtension></extensions></trkpt>
      <trkpt lat="47.0002" lon="8.0000"><time>2020-05-01T01:00:03-05:00</time>
        <extensions><gpxtpx:TrackPointExtension>
          <gpxtpx:hr>130</gpxtpx:hr><gpxtpx:cad>90</gpxtpx:cad>
        </gpxtpx:TrackPointExtension></extensions></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="47.0100" lon="8.0000"><ele>405</ele><time>2020-05-01T06:00:30Z</time></trkpt>
      <trkpt lat="47.0101" lon="8.0000"><ele>406</ele><time>2020-05-01T06:00:31Z</time></trkpt>
    </trkseg>
  </trk>
</gpx>
"""

GPX10 = b"""<?xml version="1.0"?>
<gpx version="1.0" creator="GPSBabel" xmlns="http://www.topografix.com/GPX/1/0">
<name>Old style</name>
<trk><trkseg>
<trkpt lat="45.0" lon="14.0"><time>2010-08-05T14:00:00Z</time><speed>1.5</speed><course>12</course><sat>7</sat><fix>3d</fix></trkpt>
<trkpt lat="45.0" lon="14.001"><time>2010-08-05T14:00:10Z</time><speed>1.6</speed><sat>8</sat><fix>2d</fix></trkpt>
<trkpt lat="45.0" lon="14.002"><time>2010-08-05T14:02:10Z</time><sat>9</sat></trkpt>
</trkseg></trk>
</gpx>
"""


def gpx_doc(points: str, trk_extra: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk>{trk_extra}<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def pt(lat: float, second: int, ext: str = "") -> str:
    extensions = (
        f"<extensions><gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension></extensions>"
    )
    return (
        f'<trkpt lat="{lat}" lon="8.0"><time>2020-01-01T00:{second // 60:02d}:{second % 60:02d}Z</time>'
        f"{extensions if ext else ''}</trkpt>"
    )


# ----------------------------------------------------------------------------- manifest
def _truthy(text: str) -> bool:
    return text.strip().lower() == "true"


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_manifest_files(row):
    path = shared_file(row["file"])
    act = read_gpx(path.read_bytes(), row["file"])
    assert isinstance(act, Activity)
    assert act.format == "gpx"
    assert act.metadata["source"] == row["file"]
    assert act.duration_s == pytest.approx(float(row["duration_s"]), rel=0.01)
    assert act.distance_m == pytest.approx(float(row["distance_m"]), rel=0.01)
    assert ("heart_rate_bpm" in act.fields) == _truthy(row["has_hr"])
    assert ("cadence_spm" in act.fields) == _truthy(row["has_cadence"])
    assert ("lat_deg" in act.fields) == _truthy(row["has_gps"])
    if "inferred" in row["sport"]:
        assert act.sport is None  # the file does not say
    else:
        assert act.sport == row["sport"]
    m = re.search(r"records=(\d+)", row["notes"])
    if m:  # duplicate timestamps may be merged by Activity
        assert 0.97 * int(m.group(1)) <= len(act) <= int(m.group(1))
    rec = act.records
    assert (np.diff(rec["time_s"]) > 0).all()
    assert (np.diff(rec["distance_m"]) >= 0).all()
    assert len(act.laps) == 0
    assert len(act.sessions) == 1
    if "cadence_spm" in act.fields:
        assert 140 < rec["cadence_spm"].median() < 200  # a run in steps/min


def test_multi_segment_distance_excludes_jumps_and_marks_pauses():
    path = shared_file("gpxpy__cerknicko-jezero.gpx")
    act = read_gpx(path.read_bytes(), "cerknicko")
    rec = act.records
    hop = haversine_m(
        rec["lat_deg"].to_numpy()[:-1],
        rec["lon_deg"].to_numpy()[:-1],
        rec["lat_deg"].to_numpy()[1:],
        rec["lon_deg"].to_numpy()[1:],
    )
    assert hop.sum() > 2 * act.distance_m  # the jumps between segments are long
    kinds = act.pauses["kind"].value_counts()
    assert kinds["segment_gap"] >= 5  # 7 non-empty segments; zero-length boundaries skipped
    assert list(act.pauses.columns[: len(PAUSE_COLUMNS)]) == list(PAUSE_COLUMNS)
    assert act.moving_time_s < act.duration_s


# ----------------------------------------------------------------------------- synthetic
def test_gpx11_extensions_offsets_and_segments():
    act = read_gpx(GPX11, "syn.gpx")
    rec = act.records
    assert len(rec) == 5
    np.testing.assert_allclose(rec["time_s"], [0.0, 1.5, 3.0, 30.0, 31.0])
    assert act.start_time == pd.Timestamp("2020-05-01T06:00:00Z")
    assert rec["timestamp"].iloc[2] == pd.Timestamp("2020-05-01T06:00:03Z")
    np.testing.assert_allclose(rec["heart_rate_bpm"].iloc[:3], [120, 125, 130])
    np.testing.assert_allclose(rec["cadence_spm"].iloc[:3], [160, 170, 180])  # rpm × 2
    assert rec["speed_mps"].iloc[0] == pytest.approx(3.1)
    assert rec["temperature_c"].iloc[0] == pytest.approx(21.5)
    assert np.isnan(rec["temperature_c"].iloc[1])
    assert rec["course_deg"].iloc[0] == pytest.approx(90)
    assert rec["altitude_m"].iloc[0] == pytest.approx(400.5)
    assert np.isnan(rec["altitude_m"].iloc[2])  # missing <ele>
    step = haversine_m(47.0, 8.0, 47.0001, 8.0)
    # 2 steps in segment 1, the ~1.1 km jump to segment 2 not counted, 1 step in segment 2
    np.testing.assert_allclose(
        rec["distance_m"], [0, step, 2 * step, 2 * step, 3 * step], rtol=1e-6
    )
    assert act.pauses["kind"].tolist() == ["segment_gap"]
    assert act.pauses[["start_time_s", "end_time_s"]].iloc[0].tolist() == [3.0, 30.0]
    assert act.sport == "running"
    assert act.metadata["name"] == "Evening Run"
    assert act.metadata["device"] == {"creator": "Test Device 1"}
    assert act.sessions["distance_m"].iloc[0] == pytest.approx(3 * step)
    assert act.sessions["timer_s"].iloc[0] == pytest.approx(31.0 - 27.0)


def test_gpx10_plain_children_unknown_fields_and_gaps():
    act = read_gpx(GPX10, "old.gpx")
    rec = act.records
    np.testing.assert_allclose(rec["speed_mps"].iloc[:2], [1.5, 1.6])
    assert rec["course_deg"].iloc[0] == 12
    np.testing.assert_array_equal(rec["sat"], [7.0, 8.0, 9.0])  # unknown numeric → float
    assert rec["fix"].tolist()[:2] == ["3d", "2d"]  # unknown text kept as text
    assert "altitude_m" not in act.fields
    assert act.metadata["name"] == "Old style"  # GPX 1.0 <gpx><name>
    assert act.sport is None
    assert act.pauses["kind"].tolist() == ["gap"]  # 120 s without a point
    assert act.pauses["duration_s"].tolist() == [120.0]


def test_cadence_already_in_steps_is_not_doubled():
    points = "".join(pt(47 + i * 1e-4, i, f"<gpxtpx:cad>{170 + i}</gpxtpx:cad>") for i in range(6))
    act = read_gpx(gpx_doc(points))
    np.testing.assert_allclose(act.records["cadence_spm"], 170 + np.arange(6))


def test_all_zero_cadence_is_missing():
    points = "".join(pt(47 + i * 1e-4, i, "<gpxtpx:cad>0</gpxtpx:cad>") for i in range(4))
    act = read_gpx(gpx_doc(points))
    assert "cadence_spm" not in act.fields


def test_cycling_cadence_is_pedal_rpm():
    points = "".join(pt(47 + i * 1e-4, i, "<gpxtpx:cad>90</gpxtpx:cad>") for i in range(4))
    act = read_gpx(gpx_doc(points, "<type>Ride</type>"))
    assert act.sport == "cycling"
    assert "cadence_spm" not in act.fields
    np.testing.assert_array_equal(act.records["cadence_rpm"], [90.0] * 4)


def test_points_without_time_are_dropped():
    points = pt(47.0, 0) + '<trkpt lat="47.5" lon="8.0"><ele>1</ele></trkpt>' + pt(47.0001, 5)
    act = read_gpx(gpx_doc(points))
    assert len(act) == 2
    assert act.distance_m == pytest.approx(haversine_m(47.0, 8.0, 47.0001, 8.0))


def test_segments_stored_out_of_time_order_are_sorted():
    doc = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk>'
        + b"<trkseg>"
        + (pt(47.001, 10) + pt(47.002, 11)).encode()
        + b"</trkseg><trkseg>"
        + (pt(47.0, 0) + pt(47.0001, 1)).encode()
        + b"</trkseg></trk></gpx>"
    )
    act = read_gpx(doc)
    assert act.records["time_s"].tolist() == [0.0, 1.0, 10.0, 11.0]
    assert (np.diff(act.records["distance_m"]) >= 0).all()
    assert act.pauses["kind"].tolist() == ["segment_gap"]


def test_several_tracks_and_name_fallback():
    doc = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><metadata><name>From metadata</name>'
        b"</metadata><trk><trkseg>" + (pt(47.0, 0) + pt(47.0001, 1)).encode() + b"</trkseg></trk>"
        b"<trk><trkseg>" + (pt(47.0002, 2) + pt(47.0003, 3)).encode() + b"</trkseg></trk></gpx>"
    )
    act = read_gpx(doc)
    assert len(act) == 4
    assert act.metadata["name"] == "From metadata"
    assert act.metadata["device"] == {}
    step = haversine_m(47.0, 8.0, 47.0001, 8.0)
    assert act.distance_m == pytest.approx(2 * step, rel=1e-6)  # the step between tracks is a break


def test_route_without_times_is_empty():
    doc = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><rte><name>Plan</name>'
        b'<rtept lat="47" lon="8"/><rtept lat="47.1" lon="8"/></rte></gpx>'
    )
    with pytest.raises(EmptyActivity, match="no timestamps") as info:
        read_gpx(doc, "plan.gpx")
    assert info.value.source == "plan.gpx"


def test_route_with_times_is_read_when_there_is_no_track():
    doc = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><rte>'
        b'<rtept lat="47" lon="8"><time>2020-01-01T00:00:00Z</time></rtept>'
        b'<rtept lat="47.001" lon="8"><time>2020-01-01T00:01:00Z</time></rtept></rte></gpx>'
    )
    act = read_gpx(doc)
    assert act.duration_s == 60.0
    assert act.distance_m == pytest.approx(haversine_m(47, 8, 47.001, 8))


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-1"])
def test_declared_encodings(encoding):
    text = GPX11.decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')
    act = read_gpx(text.replace("Evening Run", "Über Lauf").encode(encoding.lower()))
    assert act.metadata["name"] == "Über Lauf"
    assert len(act) == 5


def test_waypoints_only_is_empty():
    doc = b'<gpx><wpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></wpt></gpx>'
    with pytest.raises(EmptyActivity, match="no track or route points"):
        read_gpx(doc)


# ----------------------------------------------------------------------------- hostile input
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b"]><gpx><trk><name>&j;</name></trk></gpx>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<gpx><trk><name>&xxe;</name><trkseg>"
    b'<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>'
)


@pytest.mark.parametrize(
    ("data", "error", "pattern"),
    [
        (BILLION_LAUGHS, CorruptFile, "entities"),
        (XXE, CorruptFile, "entities"),
        (b"<gpx>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</gpx>", CorruptFile, "deeper"),
        (GPX11[: len(GPX11) // 2], CorruptFile, "malformed XML"),
        (b"<TrainingCenterDatabase/>", UnsupportedFormat, "root element"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", CorruptFile, "malformed XML"),
        (b"", CorruptFile, "empty"),
    ],
    ids=["billion-laughs", "xxe", "deep", "truncated", "wrong-root", "not-xml", "empty"],
)
def test_hostile_input_raises_kicklab_errors(data, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        read_gpx(data, "evil.gpx")
    assert info.value.source == "evil.gpx"


SMALL = gpx_doc(
    "".join(
        pt(47 + i * 1e-4, i * 2, f"<gpxtpx:hr>{120 + i}</gpxtpx:hr><gpxtpx:cad>8{i}</gpxtpx:cad>")
        for i in range(4)
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, len(SMALL)),
)
def test_mutated_gpx_parses_or_raises_kicklab_error(flips, cut):
    data = bytearray(SMALL)
    for pos, byte in flips:
        data[pos] = byte
    try:
        act = read_gpx(bytes(data[:cut]), "fuzz.gpx")
    except KicklabError as exc:
        assert exc.source == "fuzz.gpx"
        return
    assert len(act) >= 1
    assert (np.diff(act.records["time_s"]) > 0).all()


# every text and attribute value of a valid document, to swap for hostile values
VALUE_SPANS = [m.span(1) for m in re.finditer(rb">([^<>]+)<", GPX11)] + [
    m.span(1) for m in re.finditer(rb'="([^"]*)"', GPX11)
]
HOSTILE_VALUES = st.sampled_from(
    [
        *["", " ", "-1", "0", "1e308", "-1e308", "nan", "inf", "x", "300", "running", "Ride"],
        *["2020-05-01T06:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
        *["2020-05-01T06:00:00.123456789+14:00", "2020-13-45T99:99:99Z"],
    ]
) | st.text(max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(VALUE_SPANS), HOSTILE_VALUES, min_size=1, max_size=6))
def test_hostile_values_parse_or_raise_kicklab_error(replacements):
    """Well-formed structure, hostile field values: a clean Activity or a KicklabError."""
    data = GPX11
    for (a, b), value in sorted(replacements.items(), reverse=True):
        data = data[:a] + value.encode() + data[b:]
    try:
        act = read_gpx(data, "fuzz.gpx")
    except KicklabError as exc:
        assert exc.source == "fuzz.gpx"
        return
    rec = act.records
    assert (np.diff(rec["time_s"]) > 0).all()
    assert (np.diff(rec["distance_m"]) >= 0).all()
    assert not np.isinf(rec[act.fields].to_numpy()).any()
