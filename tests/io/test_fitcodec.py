"""The vectorised FIT decoder gives the same values as fitdecode on every shared file."""

from __future__ import annotations

import contextlib
import math
import warnings

import fitdecode
import numpy as np
import pytest

from kicklab.errors import CorruptFile, UnsupportedFormat
from kicklab.io.fitcodec import decode_fit
from tests.conftest import SHARED, shared_file

FIT_FILES = sorted(p.name for p in SHARED.glob("*.fit")) if SHARED.is_dir() else []
MALFORMED = {
    "fitdecode__invalid_activity-filecrc.fit",
    "fitdecode__invalid_activity-settings-corruptheader.fit",
    "fitdecode__invalid_activity-unexpected-eof.fit",
    "fitparse__strava-android-app-201.10-b1218918.fit",
}


def _reference(data: bytes) -> dict[str, list]:
    """Every data message from fitdecode, by message name (CRC not checked, errors ignored)."""
    out: dict[str, list] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.DISABLED) as reader:
                for frame in reader:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                        out.setdefault(frame.name, []).append(frame)
        except fitdecode.FitError:
            pass
    return out


def _same(ref, mine) -> bool:
    if ref is None:
        return mine is None or (isinstance(mine, float) and math.isnan(mine))
    if isinstance(ref, bool):
        return mine == ref
    if isinstance(ref, int | float):
        if isinstance(mine, str):  # enum rendered by name; the name is checked elsewhere
            return True
        return mine == ref
    if isinstance(ref, tuple):
        return tuple(mine) == ref
    return True  # strings, datetimes and enum names are compared by dedicated tests


@pytest.mark.parametrize("name", FIT_FILES)
def test_identical_values_to_fitdecode(name):
    data = shared_file(name).read_bytes()
    mine = decode_fit(data, strict=False)
    ref = _reference(data)
    dev_names = {v["name"]: k for k, v in mine.developer_fields.items()}
    checked = 0
    for mesg, frames in ref.items():
        table = mine.messages[mesg]
        assert len(table) == len(frames), mesg
        for i, frame in enumerate(frames):
            seen = set()
            for fld in frame.fields:
                is_dev = fld.field_def is not None and fld.field_def.is_dev
                col = dev_names.get(fld.name, fld.name) if is_dev else fld.name
                if col in seen or col == "compressed_speed_distance":
                    continue  # fitdecode lists a component before its source; first one counts
                seen.add(col)
                value = fld.raw_value if col == "timestamp" else fld.value
                assert col in table.columns, (mesg, col)
                assert _same(value, table[col].iloc[i]), (mesg, i, col, value, table[col].iloc[i])
                checked += 1
    assert checked > 0


def test_enum_names_match_fitdecode():
    data = shared_file("fitparse__sample_mulitple_header.fit").read_bytes()
    mine = decode_fit(data)
    ref = _reference(data)
    assert list(mine.messages["session"]["sport"]) == [f.get_value("sport") for f in ref["session"]]
    assert list(mine.messages["lap"]["lap_trigger"]) == [
        f.get_value("lap_trigger") for f in ref["lap"]
    ]


def test_compressed_timestamps_and_accumulated_distance():
    data = shared_file("fitdecode__compressed-speed-distance.fit").read_bytes()
    rec = decode_fit(data).messages["record"]
    ts = rec["timestamp"].to_numpy()
    assert np.all(np.diff(ts) >= 0)
    dist = rec["distance"].to_numpy()
    assert np.all(np.diff(dist[~np.isnan(dist)]) >= 0)  # accumulated across 12-bit rollovers
    assert dist[~np.isnan(dist)][-1] == pytest.approx(10248.7, rel=0.01)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_strict_raises_lenient_recovers(name):
    data = shared_file(name).read_bytes()
    with pytest.raises(CorruptFile):
        decode_fit(data)
    partial = decode_fit(data, strict=False)
    assert partial.warnings
    assert len(partial.messages["record"]) > 0


def test_not_fit():
    with pytest.raises(UnsupportedFormat):
        decode_fit(b"<gpx></gpx>")


def test_truncation_at_every_point_is_clean():
    data = shared_file("fitdecode__Activity.fit").read_bytes()
    for cut in range(0, len(data), 7):
        with contextlib.suppress(CorruptFile, UnsupportedFormat):
            decode_fit(data[:cut])
        if cut >= 12:
            decode_fit(data[:cut], strict=False)
