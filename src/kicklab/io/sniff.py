"""Recognise a file's format from its first bytes, never from its name."""

from __future__ import annotations

import re

__all__ = ["sniff", "FORMATS"]

#: Formats :func:`sniff` can return.
FORMATS = ("fit", "gpx", "tcx", "csv", "splits", "zip", "gzip")

_PAIR = rb"(?:\d+(?:\.\d+)?\s*(?:km|mi(?:les?)?|m)?|mi(?:les?)?|km)\s*:\s*[\d:.]+"
_SPLIT_STRING = re.compile(rb"^" + _PAIR + rb"(?:[\s,;]+" + _PAIR + rb")*[\s,;]*$", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """Return the format of ``data`` (one of :data:`FORMATS`) or None when unrecognised.

    * FIT: a 12- or 14-byte header whose bytes 8–11 are ``.FIT``;
    * gzip: magic ``1f 8b``; zip: ``PK\\x03\\x04`` (or an empty archive's ``PK\\x05\\x06``);
    * GPX / TCX: XML whose root element is ``gpx`` / ``TrainingCenterDatabase``;
    * splits: a compact ``distance:time,...`` string;
    * CSV: text whose first line has a separator and a header naming a time or distance column.
    """
    if len(data) >= 12 and data[8:12] == b".FIT" and data[0] in (12, 14):
        return "fit"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        m = re.search(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)", stripped)
        if m is None:
            return None
        root = m.group(1).lower()
        if root == b"gpx":
            return "gpx"
        if root == b"trainingcenterdatabase":
            return "tcx"
        return None
    if b"\x00" in head:
        return None
    if _SPLIT_STRING.match(stripped.strip()):
        return "splits"
    first = stripped.split(b"\n", 1)[0].lower()
    if any(sep in first for sep in (b",", b";", b"\t")) and any(
        key in first for key in (b"time", b"dist", b"lat", b"speed", b"split", b"pace", b"sec")
    ):
        return "csv"
    return None
