"""The vectorised FIT CRC equals the byte-wise definition."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.io.crc import crc16, crc16_bytewise
from tests.conftest import SHARED


def test_known_value():
    # CRC-16/ARC check value for the ASCII string "123456789" (catalogue of CRC parameters)
    assert crc16(b"123456789") == 0xBB3D
    assert crc16_bytewise(b"123456789") == 0xBB3D


def test_appending_crc_gives_zero():
    data = np.random.default_rng(0).integers(0, 256, 100_000, dtype=np.uint8).tobytes()
    c = crc16(data)
    assert crc16(data + c.to_bytes(2, "little")) == 0


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=4000, max_size=70_000))
def test_vectorised_matches_bytewise(data):
    assert crc16(data) == crc16_bytewise(data)


def test_shared_fit_files_end_with_valid_crc():
    files = sorted(SHARED.glob("*.fit")) if SHARED.is_dir() else []
    good = [f for f in files if "invalid" not in f.name and "strava" not in f.name]
    for f in good:
        data = f.read_bytes()
        size = data[0] + int.from_bytes(data[4:8], "little") + 2
        assert crc16(data[:size]) == 0, f.name
