"""Formats are recognised from content, never from the file name."""

from __future__ import annotations

import gzip

import pytest

from kicklab.io.sniff import sniff


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", "fit"),
        (gzip.compress(b"abc"), "gzip"),
        (b"PK\x03\x04rest", "zip"),
        (b'<?xml version="1.0"?>\n<gpx version="1.1"></gpx>', "gpx"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><TrainingCenterDatabase/>", "tcx"),
        (b"<ns:gpx xmlns:ns='http://www.topografix.com/GPX/1/1'/>", "gpx"),
        (b"400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53", "splits"),
        (b"time,distance,heart_rate\n0,0,120\n", "csv"),
        (b"<html><body/></html>", None),
        (b"just words", None),
        (b"", None),
    ],
)
def test_sniff(data, fmt):
    assert sniff(data) == fmt
