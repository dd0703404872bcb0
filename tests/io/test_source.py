"""Bounded loading: size limits, gzip bombs, truncated gzip, unreadable paths."""

from __future__ import annotations

import gzip
import io
import zlib

import pytest

from kicklab.errors import CorruptFile, FileTooLarge, KicklabError, UnsafeArchive
from kicklab.io import limits, read_bytes
from kicklab.io.source import gunzip, load_bytes


def _gzip_of_zeros(n_bytes: int) -> bytes:
    """A gzip stream of ``n_bytes`` zero bytes, built without holding them in memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\x00" * (1 << 20)
    parts = [comp.compress(chunk) for _ in range(n_bytes >> 20)]
    parts.append(comp.flush())
    return b"".join(parts)


def test_gzip_bomb_refused_by_ratio():
    bomb = _gzip_of_zeros(64 << 20)  # 64 MB of zeros compress ~1000:1
    assert len(bomb) < 200_000
    with pytest.raises(UnsafeArchive, match="ratio"):
        gunzip(bomb, "bomb.gz")
    with pytest.raises(UnsafeArchive):
        read_bytes(bomb, "bomb.fit.gz")


def test_gzip_output_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(limits, "RATIO_EXEMPT_BYTES", 1 << 30)
    with pytest.raises(UnsafeArchive, match="more than 1000 bytes"):
        gunzip(gzip.compress(b"x" * 5000), "big.gz")


def test_multi_member_gzip_and_truncation():
    data = gzip.compress(b"abc") + gzip.compress(b"def")
    assert gunzip(data, "two.gz") == b"abcdef"
    with pytest.raises(CorruptFile, match="truncated"):
        gunzip(gzip.compress(b"hello world" * 100)[:-12], "cut.gz")
    with pytest.raises(CorruptFile):
        gunzip(b"\x1f\x8b" + b"\xff" * 40, "junk.gz")


def test_file_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.fit"
    path.write_bytes(b"\x00" * 2048)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024)
    with pytest.raises(FileTooLarge) as info:
        load_bytes(path)
    assert str(path) in str(info.value)


def test_directory_and_text_stream(tmp_path):
    with pytest.raises(KicklabError, match="directory"):
        load_bytes(tmp_path)
    with pytest.raises(KicklabError, match="binary mode"):
        load_bytes(io.StringIO("text"))
