"""Every shared activity file is read with its MANIFEST values, or rejected with a clear error."""

from __future__ import annotations

import contextlib
import gzip
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kicklab
from kicklab.errors import CorruptFile, KicklabError, UnsupportedFormat
from kicklab.io import read, read_bytes
from tests.conftest import SHARED, shared_file, shared_manifest

ROWS = shared_manifest()
READABLE = [r for r in ROWS if "MALFORMED" not in r["notes"]]
MALFORMED = [r for r in ROWS if "MALFORMED" in r["notes"]]


def _ids(rows):
    return [r["file"] for r in rows]


def _truthy(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.strip().lower())


@pytest.mark.parametrize("row", READABLE, ids=_ids(READABLE))
def test_manifest_values(row):
    activity = read(shared_file(row["file"]))
    expected_format = row["format"].replace(".gz", "")
    assert activity.format == expected_format
    assert activity.duration_s == pytest.approx(float(row["duration_s"]), rel=0.01)
    assert activity.distance_m == pytest.approx(float(row["distance_m"]), rel=0.01)
    fields = set(activity.fields)
    extras = set(activity.extra_fields)
    if _truthy(row["has_gps"]) is not None:
        assert ({"lat_deg", "lon_deg"} <= fields) == _truthy(row["has_gps"])
    if _truthy(row["has_hr"]) is not None:
        assert ("heart_rate_bpm" in fields) == _truthy(row["has_hr"])
    if _truthy(row["has_cadence"]) is not None:
        has_cad = "cadence_spm" in fields or "cadence_rpm" in extras
        assert has_cad == _truthy(row["has_cadence"])
    if _truthy(row["has_laps"]):
        assert len(activity.laps) >= 1
    sport = row["sport"].split(" ")[0]
    if "(inferred)" not in row["sport"]:
        expected = "multisport" if "+" in sport else sport
        assert activity.sport == expected


@pytest.mark.parametrize("row", MALFORMED, ids=_ids(MALFORMED))
def test_malformed_rejected_with_reason(row):
    path = shared_file(row["file"])
    with pytest.raises(CorruptFile) as info:
        read(path)
    assert str(path) in str(info.value)
    assert info.value.reason


@pytest.mark.parametrize("row", MALFORMED, ids=_ids(MALFORMED))
def test_malformed_lenient_keeps_partial_data(row):
    activity = read(shared_file(row["file"]), strict=False)
    assert activity.metadata["warnings"]
    assert len(activity.records) > 0


def test_manifest_lists_every_shared_file(shared_dir):
    listed = {r["file"] for r in ROWS}
    present = {p.name for p in shared_dir.iterdir() if p.name != "MANIFEST.csv"}
    assert present == listed


def test_sniffing_ignores_extension(tmp_path):
    src = shared_file("gc__10kUNLP2014-Garmin15.fit")
    renamed = tmp_path / "looks-like.gpx"
    renamed.write_bytes(src.read_bytes())
    assert read(renamed).format == "fit"


def test_gzip_is_unwrapped_and_stream_input(tmp_path):
    raw = shared_file("gc__10kUNLP2014-Garmin15.fit").read_bytes()
    a = read(io.BytesIO(gzip.compress(raw)))
    b = read(raw)
    np.testing.assert_array_equal(a.records["distance_m"], b.records["distance_m"])


def test_multisport_session_selection():
    activity = read(shared_file("fitparse__sample_mulitple_header.fit"))
    assert list(activity.sessions["sport"]) == [
        "swimming",
        "transition",
        "cycling",
        "transition",
        "running",
    ]
    run = activity.session("running")
    assert run.sport == "running"
    assert run.distance_m == pytest.approx(9805.92, rel=0.02)
    assert run.records["cadence_spm"].median() > 140  # steps/min, not rpm
    bike = activity.session("cycling")
    assert bike.records["cadence_spm"].isna().all()
    assert bike.records["cadence_rpm"].median() > 50


def test_timer_pauses_from_fit_events():
    activity = read(shared_file("runalyze__Fenix-2-pauses.fit"))
    assert len(activity.pauses) >= 1
    assert activity.moving_time_s == pytest.approx(2810, rel=0.02)  # session timer time


@pytest.mark.parametrize("payload", [b"", b"hello world", b"\x00" * 100, b"PK\x03\x04garbage"])
def test_garbage_is_a_clear_error(payload):
    with pytest.raises(KicklabError):
        read_bytes(payload, "junk.bin")


def test_missing_file_is_clear(tmp_path):
    with pytest.raises(KicklabError, match="no such file"):
        read(tmp_path / "nope.fit")


def test_unsupported_format_names_source():
    with pytest.raises(UnsupportedFormat) as info:
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png")
    assert "photo.png" in str(info.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_only_raise_kicklab_errors(data):
    with contextlib.suppress(KicklabError):
        kicklab.read(data)


_SEEDS = sorted(p.name for p in SHARED.glob("*")) if SHARED.is_dir() else []
_SMALL = [n for n in _SEEDS if n != "MANIFEST.csv" and (SHARED / n).stat().st_size < 40_000]


@pytest.mark.skipif(not _SMALL, reason="../shared/data is absent")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(_SMALL or ["-"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0, 1)),
    strict=st.booleans(),
)
def test_mutated_real_files_only_raise_kicklab_errors(name, edits, cut, strict):
    data = bytearray((SHARED / name).read_bytes())
    for where, value in edits:
        data[min(int(where * len(data)), len(data) - 1)] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    try:
        activity = read_bytes(bytes(data), name, strict=strict)
    except KicklabError:
        return
    assert len(activity.records) > 0
    assert activity.records["time_s"].is_monotonic_increasing
