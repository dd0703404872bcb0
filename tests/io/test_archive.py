"""Bulk-export archives: Strava-style exports, index metadata, zip bombs and path tricks."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kicklab.activity import Activity
from kicklab.errors import CorruptFile, KicklabError, UnsafeArchive, UnsupportedFormat
from kicklab.io import limits, read_bytes, sniff
from kicklab.io.archive import iter_archive, list_archive
from tests.conftest import shared_file

STRAVA_INDEX = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename,"
    "Elapsed Time,Distance\n"
    '101,"Mar 3, 2024, 7:00:00 AM",Track 1500,Run,212,1.5,activities/101.csv,212,1500\n'
    '102,"Mar 4, 2024, 7:00:00 AM",Nachtlauf,Run,1156,3.7,activities/102.gpx.gz,1156,3691\n'
    '103,"Mar 5, 2024, 7:00:00 AM",Tempo,Run,1992,4.7,activities/103.tcx,1992,4689\n'
    '104,"Mar 6, 2024, 7:00:00 AM",Zwift,Virtual Ride,2759,14.9,activities/104.fit.gz,2759,14921\n'
    '105,"Mar 7, 2024, 7:00:00 AM",Short run,Run,57,0.2,activities/105.fit,57,157\n'
    '106,"Mar 8, 2024, 7:00:00 AM",Manual entry,Run,600,2.0,,600,2000\n'
)
RECORD_CSV = "time,distance,heart_rate\n" + "".join(
    f"{t},{3.5 * t:.1f},{140 + t % 7}\n" for t in range(120)
)


def _zip(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _patch_central(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite fields of ``name``'s central-directory entry (declared sizes, flags, ...)."""
    offsets = {"flags": (8, "<H"), "method": (10, "<H"), "compress_size": (20, "<I"),
               "file_size": (24, "<I"), "external_attr": (38, "<I")}  # fmt: skip
    out = bytearray(data)
    i = out.find(b"PK\x01\x02")
    while i >= 0:
        (name_len,) = struct.unpack("<H", out[i + 28 : i + 30])
        if out[i + 46 : i + 46 + name_len] == name.encode():
            for field, value in fields.items():
                off, fmt = offsets[field]
                struct.pack_into(fmt, out, i + off, value)
            return bytes(out)
        i = out.find(b"PK\x01\x02", i + 4)
    raise AssertionError(f"{name} not in the central directory")


def _results(data, **kw) -> dict[str, Activity | KicklabError]:
    return dict(iter_archive(data, "export.zip", **kw))


def _activity_or_pending(result: Activity | KicklabError, raw: bytes) -> Activity:
    """The GPX/TCX readers land separately: tolerate only their placeholder (or the sniffer
    not recognising XML yet), nothing else."""
    if isinstance(result, KicklabError):
        if "not available yet" in str(result):
            pytest.xfail(f"reader not implemented yet: {result}")
        if sniff(raw) is None:
            pytest.xfail("kicklab.io.sniff does not recognise this XML yet")
    assert isinstance(result, Activity), result
    return result


@pytest.fixture
def strava_zip() -> bytes:
    gpx = shared_file("runalyze__strava-export.gpx").read_bytes()
    tcx = shared_file("tcxparser__test.tcx").read_bytes()
    fit_gz = shared_file("gc__14582164182.fit.gz").read_bytes()
    fit = shared_file("fitdecode__garmin-fenix-5-run.fit").read_bytes()
    return _zip(
        {
            "activities.csv": STRAVA_INDEX,
            "profile.csv": "Athlete ID,Email Address,First Name\n1,a@b.c,Ann\n",
            "activities/": "",
            "activities/101.csv": RECORD_CSV,
            "activities/102.gpx.gz": gzip.compress(gpx),
            "activities/103.tcx": tcx,
            "activities/104.fit.gz": fit_gz,
            "activities/105.fit": fit,
            "media/abc.jpg": b"\xff\xd8\xff\xe0" + bytes(100),
            "routes/1.json": "{}",
            "ACTIVITIES/106.CSV": RECORD_CSV,  # extensions match case-insensitively
        }
    )


# --------------------------------------------------------------------------- exports
def test_strava_export_members_and_index_metadata(strava_zip):
    results = _results(strava_zip)
    assert list(results) == [
        "activities/101.csv",
        "activities/102.gpx.gz",
        "activities/103.tcx",
        "activities/104.fit.gz",
        "activities/105.fit",
        "ACTIVITIES/106.CSV",
    ]
    track = results["activities/101.csv"]
    assert isinstance(track, Activity)
    assert track.format == "csv"
    assert track.duration_s == pytest.approx(119.0)
    assert track.distance_m == pytest.approx(416.5)
    assert track.metadata["name"] == "Track 1500"
    assert track.metadata["activity_id"] == "101"
    assert track.metadata["sport"] == "running"  # from the index: the CSV names no sport
    assert track.metadata["activity_type"] == "Run"
    assert track.metadata["activity_date"] == "Mar 3, 2024, 7:00:00 AM"
    assert track.metadata["source"] == "export.zip!activities/101.csv"
    assert track.metadata["archive"] == "export.zip"
    unindexed = results["ACTIVITIES/106.CSV"]
    assert isinstance(unindexed, Activity) and "activity_id" not in unindexed.metadata
    for member in ("activities/104.fit.gz", "activities/105.fit"):  # FIT may land later
        assert isinstance(results[member], Activity | KicklabError)
    fit_gz = results["activities/104.fit.gz"]
    if isinstance(fit_gz, Activity):
        assert fit_gz.metadata["name"] == "Zwift"
        assert fit_gz.metadata["sport"] == "cycling"


def test_strava_export_gpx_member(strava_zip):
    raw = shared_file("runalyze__strava-export.gpx").read_bytes()
    gpx = _activity_or_pending(_results(strava_zip)["activities/102.gpx.gz"], raw)
    assert gpx.format == "gpx"
    assert gpx.metadata["name"] == "Nachtlauf" and gpx.metadata["activity_id"] == "102"
    assert gpx.duration_s == pytest.approx(1156.0, rel=0.01)


def test_strava_export_tcx_member(strava_zip):
    raw = shared_file("tcxparser__test.tcx").read_bytes()
    tcx = _activity_or_pending(_results(strava_zip)["activities/103.tcx"], raw)
    assert tcx.format == "tcx"
    assert tcx.metadata["name"] == "Tempo"
    assert tcx.distance_m == pytest.approx(4689.2, rel=0.01)


def test_list_archive_without_decoding(strava_zip):
    listing = list_archive(strava_zip)
    kinds = dict(zip(listing["member"], listing["kind"], strict=True))
    assert kinds["activities.csv"] == "index"
    assert kinds["profile.csv"] == "other"
    assert kinds["media/abc.jpg"] == "other" and kinds["routes/1.json"] == "other"
    assert kinds["activities/"] == "directory"
    acts = listing[listing["kind"] == "activity"].set_index("member")
    assert acts.loc["activities/102.gpx.gz", "name"] == "Nachtlauf"
    assert acts.loc["activities/104.fit.gz", "sport"] == "cycling"  # "Virtual Ride"
    assert acts.loc["activities/101.csv", "uncompressed_bytes"] == len(RECORD_CSV)
    assert acts["problem"].isna().all()


def test_path_input_streams_from_disk(tmp_path, strava_zip):
    path = tmp_path / "export_1.zip"
    path.write_bytes(strava_zip)
    results = dict(iter_archive(path))
    track = results["activities/101.csv"]
    assert isinstance(track, Activity)
    assert track.metadata["source"] == f"{path}!activities/101.csv"
    assert list_archive(str(path))["member"].tolist()[0] == "activities.csv"


def test_missing_path():
    with pytest.raises(KicklabError, match="no such file"):
        iter_archive("/nonexistent/export.zip")


def test_bad_member_does_not_stop_the_rest():
    data = _zip(
        {
            "a.gpx": "<gpx><trk><trkseg><trkpt lat='1' lon='",  # truncated XML
            "b.csv": RECORD_CSV,
            "c.fit": b"\x0e\x10" + bytes(6) + b".FIT" + bytes(20),  # a FIT header, no records
            "d.csv": "time,hr\nnope,1\n",
        }
    )
    results = _results(data)
    assert isinstance(results["a.gpx"], KicklabError)
    assert isinstance(results["b.csv"], Activity)
    assert isinstance(results["c.fit"], KicklabError)
    assert isinstance(results["d.csv"], CorruptFile)
    assert str(results["d.csv"]).startswith("export.zip!d.csv: ")


def test_gzip_of_csv_member_and_nested_zip_member():
    inner = _zip({"x.csv": RECORD_CSV})
    data = _zip({"a.csv.gz": gzip.compress(RECORD_CSV.encode()), "nested.fit": inner})
    results = _results(data)
    assert isinstance(results["a.csv.gz"], Activity)
    assert isinstance(results["nested.fit"], UnsupportedFormat)
    assert "nested" in str(results["nested.fit"])


def test_single_activity_zip_through_read_bytes():
    assert read_bytes(_zip({"run.csv": RECORD_CSV}), "one.zip").format == "csv"


# --------------------------------------------------------------------------- malformed zips
def test_member_with_empty_name_is_skipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), "x")
        zf.writestr("ok.csv", RECORD_CSV)
    assert list(_results(buf.getvalue())) == ["ok.csv"]


def test_empty_zip():
    data = _zip({})
    assert list(iter_archive(data)) == []
    assert len(list_archive(data)) == 0
    with pytest.raises(UnsupportedFormat):
        read_bytes(data, "empty.zip")


@pytest.mark.parametrize("cut", [10, 100, -30, -1])
def test_truncated_zip(cut):
    data = _zip({"a.csv": RECORD_CSV, "b.csv": RECORD_CSV})
    with pytest.raises(CorruptFile) as info:
        list(iter_archive(data[:cut], "cut.zip"))
    assert str(info.value).startswith("cut.zip: ")


def test_corrupt_member_data():
    data = bytearray(_zip({"a.csv": RECORD_CSV * 5, "b.csv": RECORD_CSV}))
    data[60:80] = bytes(20)  # inside a.csv's deflate stream
    results = _results(bytes(data))
    assert isinstance(results["a.csv"], CorruptFile)
    assert isinstance(results["b.csv"], Activity)


def test_encrypted_member():
    data = _patch_central(_zip({"a.csv": RECORD_CSV, "b.csv": RECORD_CSV}), "a.csv", flags=0x1)
    results = _results(data)
    assert isinstance(results["a.csv"], UnsupportedFormat)
    assert "encrypted" in str(results["a.csv"])
    assert isinstance(results["b.csv"], Activity)


def test_unsupported_compression_method():
    data = _patch_central(_zip({"a.csv": RECORD_CSV}), "a.csv", method=99)
    assert isinstance(_results(data)["a.csv"], KicklabError)


# --------------------------------------------------------------------------- zip bombs
def test_real_300_mb_bomb_is_refused_from_its_header():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("activities/bomb.fit", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(300):
                fh.write(chunk)
        zf.writestr("activities/ok.csv", RECORD_CSV)
    results = _results(buf.getvalue())
    assert isinstance(results["activities/bomb.fit"], UnsafeArchive)
    assert "limit" in str(results["activities/bomb.fit"])
    assert isinstance(results["activities/ok.csv"], Activity)


def test_ratio_bomb_below_the_size_limit():
    data = _zip({"bomb.gpx": bytes(8 << 20), "ok.csv": RECORD_CSV})  # ~1000:1
    results = _results(data)
    assert isinstance(results["bomb.gpx"], UnsafeArchive)
    assert "ratio" in str(results["bomb.gpx"])
    assert isinstance(results["ok.csv"], Activity)


def test_small_members_are_exempt_from_the_ratio_test():
    # 600 kB of one repeated row compresses > 200:1 but is below RATIO_EXEMPT_BYTES
    body = "time,hr\n" + "".join(f"{t},150\n" for t in range(60_000))
    assert len(body) < limits.RATIO_EXEMPT_BYTES
    assert isinstance(_results(_zip({"a.csv": body}))["a.csv"], Activity)


def test_declared_huge_size_is_refused_even_when_tiny_compressed():
    data = _patch_central(_zip({"big.tcx": b"<x/>", "ok.csv": RECORD_CSV}), "big.tcx",
                          file_size=1 << 30)  # fmt: skip
    results = _results(data)
    assert isinstance(results["big.tcx"], UnsafeArchive)
    assert isinstance(results["ok.csv"], Activity)
    assert list_archive(data).set_index("member").loc["big.tcx", "problem"]


def test_lying_small_declared_size_never_reads_the_real_size():
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("liar.fit", "w", force_zip64=False) as fh,
    ):
        for _ in range(64):
            fh.write(bytes(1 << 20))  # 64 MB of zeros
    info = zipfile.ZipFile(io.BytesIO(buf.getvalue())).getinfo("liar.fit")
    data = _patch_central(buf.getvalue(), "liar.fit", file_size=1000)  # declares 1000 bytes
    assert info.compress_size > 1000
    result = _results(data)["liar.fit"]
    assert isinstance(result, CorruptFile | UnsafeArchive)


def test_read_guard_applies_when_declared_sizes_passed(monkeypatch):
    data = _zip({"a.csv": RECORD_CSV, "b.csv": RECORD_CSV})
    it = iter_archive(data, "export.zip")  # headers are checked here...
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)  # ...and the limit shrinks before reading
    results = dict(it)
    assert isinstance(results["a.csv"], UnsafeArchive)
    assert "inflates to more than 100 bytes" in str(results["a.csv"])


def test_total_declared_bytes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_BYTES", len(RECORD_CSV) + 10)
    data = _zip({"a.csv": RECORD_CSV, "b.csv": RECORD_CSV, "photo.jpg": bytes(10_000)})
    with pytest.raises(UnsafeArchive, match="in total"):
        iter_archive(data, "export.zip")
    # media are never read, so they do not count
    assert len(list(iter_archive(_zip({"a.csv": RECORD_CSV, "photo.jpg": bytes(10_000)})))) == 1


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 3)
    data = _zip({f"{i}.json": "{}" for i in range(4)})
    with pytest.raises(UnsafeArchive, match="more than the 3-member limit"):
        iter_archive(data, "many.zip")
    assert list(iter_archive(_zip({f"{i}.json": "{}" for i in range(3)}))) == []


def test_member_count_checked_before_parsing_the_directory(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 1000)
    data = bytearray(_zip({"a.csv": RECORD_CSV}))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, 50_000, 50_000)  # declares 50 000 entries
    with pytest.raises(UnsafeArchive, match="declares 50000 members"):
        iter_archive(bytes(data))


# --------------------------------------------------------------------------- path tricks
@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../etc/x.gpx", ".."),
        ("activities/../../x.gpx", ".."),
        ("/etc/x.gpx", "absolute"),
        ("C:/Windows/x.tcx", "drive letter"),
        ("activities\\..\\x.fit", "backslash"),
    ],
)
def test_path_tricks_skip_only_that_member(name, why):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), "<gpx/>")  # ZipInfo keeps the name as written
        zf.writestr("ok.csv", RECORD_CSV)
    results = _results(buf.getvalue())
    bad = results[next(n for n in results if n != "ok.csv")]
    assert isinstance(bad, UnsafeArchive)
    assert why in str(bad)
    assert isinstance(results["ok.csv"], Activity)


def test_symlink_member():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("activities/link.fit")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ok.csv", RECORD_CSV)
    results = _results(buf.getvalue())
    assert isinstance(results["activities/link.fit"], UnsafeArchive)
    assert "symbolic link" in str(results["activities/link.fit"])
    assert isinstance(results["ok.csv"], Activity)


# --------------------------------------------------------------------------- properties
def _drain(data: bytes) -> None:
    try:
        for _name, result in iter_archive(data, "fuzz.zip"):
            assert isinstance(result, Activity | KicklabError)
        list_archive(data, "fuzz.zip")
    except KicklabError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_after_pk_header_raise_only_kicklab_errors(tail):
    _drain(b"PK\x03\x04" + tail)
    _drain(b"PK\x05\x06" + tail)


_VALID = _zip({"a.csv": RECORD_CSV[:400], "b.gpx": "<gpx/>", "c.json": "{}"}, zipfile.ZIP_STORED)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), max_size=6))
def test_mutated_zip_raises_only_kicklab_errors(edits):
    data = bytearray(_VALID)
    for pos, value in edits:
        data[pos] = value
    _drain(bytes(data))
