"""Loading input bytes with bounded memory: paths, bytes, file objects and gzip streams."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import BinaryIO

from kicklab.errors import CorruptFile, FileTooLarge, KicklabError, UnsafeArchive
from kicklab.io import limits

__all__ = ["load_bytes", "gunzip", "Source"]

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO


def load_bytes(src: Source, name: str | None = None) -> tuple[bytes, str]:
    """Return ``(data, name)`` for a path, a bytes-like object or a binary file object.

    Refuses inputs larger than :data:`kicklab.io.limits.MAX_FILE_BYTES` before reading them.
    """
    limit = limits.MAX_FILE_BYTES
    if isinstance(src, bytes | bytearray | memoryview):
        data = bytes(src)
        label = name or "<bytes>"
    elif isinstance(src, str | os.PathLike):
        path = Path(src)
        label = name or str(src)
        try:
            size = path.stat().st_size
            if size > limit:
                raise FileTooLarge(f"file is {size} bytes, more than the {limit}-byte limit", label)
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise KicklabError("no such file", label) from None
        except IsADirectoryError:
            raise KicklabError("is a directory, not a file", label) from None
        except PermissionError:
            raise KicklabError("permission denied", label) from None
        except OSError as exc:
            raise KicklabError(f"cannot read file ({exc.strerror or exc})", label) from None
    elif hasattr(src, "read"):
        label = name or getattr(src, "name", None) or "<stream>"
        data = src.read(limit + 1)
        if not isinstance(data, bytes):
            raise KicklabError("stream must be opened in binary mode", str(label))
        label = str(label)
    else:
        raise KicklabError(f"cannot read input of type {type(src).__name__}", name)
    if len(data) > limit:
        raise FileTooLarge(f"input is larger than the {limit}-byte limit", label)
    return data, label


def gunzip(data: bytes, source: str, max_bytes: int | None = None) -> bytes:
    """Decompress a gzip stream (all members) in bounded memory.

    Raises :class:`UnsafeArchive` when the output would exceed ``max_bytes`` (default
    :data:`~kicklab.io.limits.MAX_FILE_BYTES`) or the compression ratio exceeds
    :data:`~kicklab.io.limits.MAX_COMPRESSION_RATIO` for a stream larger than
    :data:`~kicklab.io.limits.RATIO_EXEMPT_BYTES`; :class:`CorruptFile` when it is truncated.
    """
    limit = limits.MAX_FILE_BYTES if max_bytes is None else max_bytes
    ratio_cap = max(limits.RATIO_EXEMPT_BYTES, int(len(data) * limits.MAX_COMPRESSION_RATIO))
    cap = min(limit, ratio_cap)
    out: list[bytes] = []
    total = 0
    rest = data
    while rest:
        d = zlib.decompressobj(wbits=31)
        try:
            while True:
                chunk = d.decompress(rest, 1 << 20)
                total += len(chunk)
                if total > cap:
                    why = (
                        f"decompresses to more than {limit} bytes"
                        if cap == limit
                        else f"compression ratio above {limits.MAX_COMPRESSION_RATIO:.0f}:1 (zip bomb?)"
                    )
                    raise UnsafeArchive(f"gzip stream {why}", source)
                out.append(chunk)
                rest = d.unconsumed_tail
                if d.eof or not rest:
                    break
        except zlib.error as exc:
            raise CorruptFile(f"gzip stream is corrupt ({exc})", source) from None
        if not d.eof:
            raise CorruptFile("gzip stream is truncated", source)
        rest = d.unused_data.lstrip(b"\x00")
        if rest[:2] != b"\x1f\x8b":
            break
    return b"".join(out)
