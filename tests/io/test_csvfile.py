"""CSV record files: dialects, header units, unknown columns, split tables and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kicklab.errors import CorruptFile, EmptyActivity, FileTooLarge, InvalidValue, KicklabError
from kicklab.io import csvfile, limits, read_bytes
from kicklab.io.csvfile import duration_seconds, header_info, read_csv


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


# --------------------------------------------------------------------------- dialects
def test_comma_file_with_canonical_and_unknown_columns():
    data = _csv(
        "Time,Distance,HR,Vertical Oscillation,Note\n"
        "0,0,120,8.1,start\n1,3.1,121,8.3,\n2,6.3,x,8.0,end\n"
    )
    a = read_csv(data, "run.csv")
    assert a.format == "csv" and a.metadata["source"] == "run.csv"
    rec = a.records
    np.testing.assert_allclose(rec["time_s"], [0, 1, 2])
    np.testing.assert_allclose(rec["distance_m"], [0, 3.1, 6.3])
    np.testing.assert_allclose(rec["heart_rate_bpm"], [120, 121, np.nan])  # "x" → NaN
    np.testing.assert_allclose(rec["vertical_oscillation"], [8.1, 8.3, 8.0])
    assert rec["note"].iloc[0] == "start" and rec["note"].iloc[2] == "end"
    assert pd.isna(rec["note"].iloc[1])
    assert a.metadata["columns"]["HR"] == "heart_rate_bpm"
    assert a.extra_fields == ["vertical_oscillation", "note"]


def test_semicolon_file_with_decimal_comma_and_units():
    data = _csv(
        "Zeit;Distance (km);Heart Rate (bpm);Cadence (rpm);seconds\n"
        "a;0,000;120;85;0\nb;0,0031;121;86,5;1\n"
    )
    rec = read_csv(data).records
    np.testing.assert_allclose(rec["time_s"], [0, 1])
    np.testing.assert_allclose(rec["distance_m"], [0, 3.1])
    np.testing.assert_allclose(rec["cadence_spm"], [170, 173])  # rpm × 2
    assert list(rec["zeit"]) == ["a", "b"]


def test_tab_file_with_clock_times_speed_and_pace():
    data = _csv(
        "elapsed_time\tspeed (km/h)\tpace (min/km)\n0:00\t12,0\t5:00\n0:01\t12,6\t4:45\n1:02:03.5\t\t4.5\n"
    )
    a = read_csv(data)
    np.testing.assert_allclose(a.records["time_s"], [0, 1, 3723.5])
    np.testing.assert_allclose(a.records["speed_mps"], [12 / 3.6, 12.6 / 3.6, np.nan])
    assert a.metadata["columns"]["pace (min/km)"] == "pace_min_per_km"  # speed already given


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("pace (min/km)", ["5:00", "4.5", "0"], [1000 / 300, 1000 / 270, np.nan]),
        ("pace_min_per_mi", ["8:00", "6:00", "x"], [1609.344 / 480, 1609.344 / 360, np.nan]),
        ("pace (s/km)", ["300", "250", ""], [1000 / 300, 4.0, np.nan]),
        ("speed_kmh", ["18", "36", "9"], [5.0, 10.0, 2.5]),
        ("speed m/s", ["4", "5", "6"], [4.0, 5.0, 6.0]),
        ("speed (mph)", ["10", "5", "1"], [4.4704, 2.2352, 0.44704]),
    ],
)
def test_speed_and_pace_headers(header, values, expected):
    data = _csv(f"time,{header}\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    np.testing.assert_allclose(read_csv(data).records["speed_mps"], expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("header", "column", "value", "expected"),
    [
        ("distance (km)", "distance_m", "1.5", 1500.0),
        ("distance_km", "distance_m", "2", 2000.0),
        ("dist_mi", "distance_m", "1", 1609.344),
        ("Distance (meters)", "distance_m", "400", 400.0),
        ("elevation (ft)", "altitude_m", "1000", 304.8),
        ("ele", "altitude_m", "250", 250.0),
        ("Altitude", "altitude_m", "250", 250.0),
        ("lat", "lat_deg", "45.5", 45.5),
        ("Longitude", "lon_deg", "7.25", 7.25),
        ("lng", "lon_deg", "-3.5", -3.5),
        ("watts", "power_w", "250", 250.0),
        ("Power (W)", "power_w", "250", 250.0),
        ("bpm", "heart_rate_bpm", "150", 150.0),
        ("heart_rate", "heart_rate_bpm", "150", 150.0),
        ("cadence (spm)", "cadence_spm", "180", 180.0),
        ("cadence (rpm)", "cadence_spm", "90", 180.0),
        ("step_length", "step_length_m", "1.2", 1.2),
        ("step length (cm)", "step_length_m", "120", 1.2),
        ("stride_length", "step_length_m", "2.4", 1.2),  # a stride is two steps
        ("grade (%)", "grade", "5", 0.05),
        ("grade", "grade", "0.05", 0.05),
    ],
)
def test_header_units(header, column, value, expected):
    data = _csv(f"time (s),{header}\n0,{value}\n1,{value}\n")
    assert read_csv(data).records[column].iloc[0] == pytest.approx(expected)


def test_step_length_column_is_never_halved_even_with_stride_elsewhere():
    data = _csv("time,step_length,stride_length\n0,1.2,2.6\n1,1.3,2.6\n")
    a = read_csv(data)
    np.testing.assert_allclose(a.records["step_length_m"], [1.2, 1.3])
    np.testing.assert_allclose(a.records["stride_length"], [2.6, 2.6])  # kept as it is


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("time", ["0", "1.5", "3"], [0, 1.5, 3]),
        ("time (min)", ["0", "0.5", "1"], [0, 30, 60]),
        ("time_ms", ["1000", "2000", "3500"], [0, 1, 2.5]),
        ("Time (hh:mm:ss)", ["0:00:00", "0:01:00", "1:00:00"], [0, 60, 3600]),
        ("seconds", ["10", "11", "12"], [0, 1, 2]),
        ("duration", ["1:58.5", "2:00", "59:59.9"], [0, 1.5, 3481.4]),
    ],
)
def test_time_columns(header, values, expected):
    data = _csv(f"{header},distance\n" + "".join(f"{v},{i}\n" for i, v in enumerate(values)))
    np.testing.assert_allclose(read_csv(data).records["time_s"], expected, atol=1e-9)


def test_iso_timestamps_give_time_and_start():
    data = _csv(
        "timestamp,lat,lon\n"
        "2024-05-01T10:00:00Z,45.0,7.0\n2024-05-01T10:00:05Z,45.0001,7.0001\n"
        "2024-05-01T10:00:07.5Z,45.0002,7.0002\n"
    )
    a = read_csv(data)
    np.testing.assert_allclose(a.records["time_s"], [0, 5, 7.5])
    assert a.start_time == pd.Timestamp("2024-05-01T10:00:00Z")
    assert a.records["timestamp"].iloc[-1] == pd.Timestamp("2024-05-01T10:00:07.5Z")


def test_time_column_holding_offset_datetimes_is_converted_to_utc():
    data = _csv("time,hr\n2024-05-01T12:00:00+02:00,100\n2024-05-01T12:00:01+02:00,101\n")
    a = read_csv(data)
    assert a.start_time == pd.Timestamp("2024-05-01T10:00:00Z")
    np.testing.assert_allclose(a.records["time_s"], [0, 1])


def test_elapsed_time_wins_over_timestamp_and_both_are_kept():
    data = _csv("datetime,elapsed_time,hr\n2024-05-01 10:00:00,0,100\n2024-05-01 10:00:02,2,101\n")
    a = read_csv(data)
    np.testing.assert_allclose(a.records["time_s"], [0, 2])
    assert a.start_time == pd.Timestamp("2024-05-01T10:00:00Z")  # naive → UTC


def test_epoch_timestamps():
    data = _csv("timestamp,hr\n1714557600,100\n1714557601,101\n")
    a = read_csv(data)
    assert a.start_time == pd.Timestamp("2024-05-01T10:00:00Z")


def test_unit_overrides():
    data = _csv("time,distance,speed,cadence,altitude\n0,0,10,90,100\n60,1,11,91,110\n")
    a = read_csv(
        data,
        units={"time": "s", "distance": "km", "speed": "km/h", "cadence": "rpm", "altitude": "ft"},
    )
    rec = a.records
    np.testing.assert_allclose(rec["distance_m"], [0, 1000])
    np.testing.assert_allclose(rec["speed_mps"], [10 / 3.6, 11 / 3.6])
    np.testing.assert_allclose(rec["cadence_spm"], [180, 182])
    np.testing.assert_allclose(rec["altitude_m"], [30.48, 33.528])
    # an override beats the unit in the header
    b = read_csv(_csv("time,distance (km)\n0,0\n1,5\n"), units={"distance_m": "m"})
    np.testing.assert_allclose(b.records["distance_m"], [0, 5])


@pytest.mark.parametrize("units", [{"distance": "parsec"}, {"colour": "m"}, {"cadence": "km"}])
def test_bad_unit_overrides(units):
    with pytest.raises(InvalidValue):
        read_csv(_csv("time,distance\n0,0\n1,1\n"), units=units)


def test_bom_cp1252_blank_lines_and_trailing_delimiter():
    data = "\ufefftime;distance;Ort;\n0;0;Zürich;\n\n1;3;Zürich;\n".encode(
        "cp1252", errors="ignore"
    )
    data = b"\xef\xbb\xbf" + data  # a UTF-8 BOM in front of cp1252 text
    a = read_csv(data)
    np.testing.assert_allclose(a.records["distance_m"], [0, 3])
    assert a.records["ort"].iloc[0].endswith("rich")


def test_kicklab_style_canonical_headers_round_trip():
    data = _csv(
        "time_s,distance_m,speed_mps,heart_rate_bpm,cadence_spm,step_length_m,power_w\n"
        "0,0,3.5,140,170,1.2,250\n1,3.5,3.6,141,172,1.25,255\n"
    )
    rec = read_csv(data).records
    assert rec.loc[1, ["distance_m", "speed_mps", "heart_rate_bpm", "cadence_spm"]].tolist() == [
        3.5,
        3.6,
        141,
        172,
    ]
    assert rec["step_length_m"].iloc[1] == 1.25 and rec["power_w"].iloc[1] == 255


def test_duplicate_quantity_second_column_is_kept_by_name():
    data = _csv("time,hr,heart rate\n0,100,99\n1,101,98\n")
    rec = read_csv(data).records
    np.testing.assert_allclose(rec["heart_rate_bpm"], [100, 101])
    np.testing.assert_allclose(rec["heart_rate"], [99, 98])


# --------------------------------------------------------------------------- split tables
def test_split_table_is_read_as_splits():
    data = _csv("distance,time\n400,58.85\n800,1:56.81\n1200,2:53.21\n1500,3:32.53\n")
    a = read_csv(data, "coe.csv")
    assert a.format == "splits"
    assert a.duration_s == pytest.approx(212.53)
    assert read_bytes(data, "coe.csv").format == "splits"


def test_lap_headed_table_is_read_as_splits():
    data = _csv("Lap,Distance (m),Split\n1,400,58.85\n2,800,57.96\n3,1200,56.40\n4,1500,39.32\n")
    a = read_csv(data)
    assert a.format == "splits"
    assert a.laps["elapsed_s"].iloc[-1] == pytest.approx(39.32)


def test_dense_time_distance_records_are_not_splits():
    data = _csv("time,distance\n" + "".join(f"{i},{3 * i}\n" for i in range(60)))
    a = read_csv(data)
    assert a.format == "csv" and len(a) == 60


def test_record_file_with_lap_number_column_is_not_splits():
    rows = "".join(f"{i},{3 * i},{1 + i // 30}\n" for i in range(90))
    a = read_csv(_csv("time,distance,lap\n" + rows))
    assert a.format == "csv"
    assert a.records["lap"].iloc[-1] == 3


# --------------------------------------------------------------------------- errors
def test_no_time_column():
    with pytest.raises(EmptyActivity, match="no time column.*'hr'"):
        read_csv(_csv("hr,cadence\n100,170\n101,172\n"), "x.csv")


def test_time_column_without_any_time_is_corrupt():
    with pytest.raises(CorruptFile, match="time column 'time'"):
        read_csv(_csv("time,hr\nabc,100\ndef,101\n"), "x.csv")


def test_partly_unparseable_times_drop_those_rows():
    a = read_csv(_csv("time,hr\n0,100\nsoon,101\n2,102\n1:75,103\n"))
    np.testing.assert_allclose(a.records["time_s"], [0, 2])
    np.testing.assert_allclose(a.records["heart_rate_bpm"], [100, 102])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyActivity),
        (b"\n\n  \n", EmptyActivity),
        (b"time,distance\n", EmptyActivity),
        (b"time,distance\n0,1\n1,2,3,4\n", CorruptFile),
        (b'time,distance\n0,"1\n', CorruptFile),
        (b"time,\x00dist\n0,1\n", CorruptFile),
    ],
)
def test_malformed_tables(data, error):
    with pytest.raises(error) as info:
        read_csv(data, "bad.csv")
    assert "bad.csv" in str(info.value)


def test_row_limit(monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_CSV_ROWS", 5)
    monkeypatch.delattr(limits, "MAX_CSV_ROWS", raising=False)
    data = _csv("time,hr\n" + "".join(f"{i},100\n" for i in range(6)))
    with pytest.raises(FileTooLarge, match="more than 5 rows"):
        read_csv(data)
    read_csv(_csv("time,hr\n" + "".join(f"{i},100\n" for i in range(5))))


def test_byte_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 16)
    with pytest.raises(FileTooLarge):
        read_csv(_csv("time,hr\n0,100\n1,101\n"))


def test_too_many_columns():
    header = ",".join(["time"] + [f"c{i}" for i in range(csvfile.MAX_CSV_COLUMNS + 1)])
    with pytest.raises(CorruptFile, match="columns"):
        read_csv(_csv(header + "\n" + ",".join(["0"] * (csvfile.MAX_CSV_COLUMNS + 2)) + "\n"))


def test_huge_cell_is_not_a_clock_time():
    data = _csv("time,hr\n0,100\n" + "1:" * 100_000 + "0,101\n2,102\n")
    np.testing.assert_allclose(read_csv(data).records["time_s"], [0, 2])


# --------------------------------------------------------------------------- helpers
def test_duration_seconds_forms():
    got = duration_seconds(
        pd.Series(["58.85", "1:56.81", None, "1:02:03.5", "x", "1:75", "1:60:00", "-5", " 3:00 "])
    )
    np.testing.assert_allclose(
        got, [58.85, 116.81, np.nan, 3723.5, np.nan, np.nan, np.nan, np.nan, 180.0]
    )
    np.testing.assert_allclose(
        duration_seconds(pd.Series(["1,5", "1:02,5"]), decimal=","), [1.5, 62.5]
    )
    np.testing.assert_allclose(
        duration_seconds(pd.Series([1.0, 2.0]), numeric_factor=60), [60, 120]
    )


def test_header_info_examples():
    def pair(header):
        info = header_info(header)
        return info.quantity, info.unit

    assert pair("Distance (km)") == ("distance", "km")
    assert pair("speed_m_s") == ("speed", "m/s")
    assert pair("pace_min_per_km") == ("pace", "min/km")
    assert header_info("HR").quantity == "heart_rate"
    assert header_info("Lap").quantity is None


# --------------------------------------------------------------------------- properties
@st.composite
def record_tables(draw):
    n = draw(st.integers(1, 40))
    finite = st.floats(0, 1e4, allow_nan=False).map(lambda x: round(x, 3))
    t = np.cumsum(draw(st.lists(st.floats(0.5, 10), min_size=n, max_size=n)))
    t = np.round(t, 3)
    frame = pd.DataFrame(
        {
            "time": t - t[0],
            "distance": draw(st.lists(finite, min_size=n, max_size=n)),
            "hr": draw(st.lists(st.integers(40, 200), min_size=n, max_size=n)),
            "my field": draw(st.lists(finite, min_size=n, max_size=n)),
        }
    )
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_tables(), st.sampled_from([(",", "."), (";", ","), ("\t", "."), ("\t", ",")]))
def test_round_trip_any_dialect(frame, dialect):
    sep, decimal = dialect
    text = frame.to_csv(sep=sep, decimal=decimal, index=False)
    a = read_csv(text.encode())
    assert a.format == "csv"  # heart rate and other columns: never a split table
    rec = a.records
    np.testing.assert_allclose(rec["time_s"], frame["time"], atol=1e-9)
    np.testing.assert_allclose(rec["distance_m"], frame["distance"], atol=1e-9)
    np.testing.assert_allclose(rec["heart_rate_bpm"], frame["hr"])
    np.testing.assert_allclose(rec["my_field"], frame["my field"], atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(alphabet='time,dist;\t\n0123456789:.-"x ', max_size=300).map(str.encode),
    )
)
def test_arbitrary_bytes_raise_only_kicklab_errors(data):
    try:
        a = read_csv(data, "fuzz.csv")
    except KicklabError:
        return
    assert len(a.records) >= 1 and a.records["time_s"].iloc[0] == 0
