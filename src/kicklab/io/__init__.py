"""Files in and out: FIT, GPX, TCX, CSV, split tables and bulk-export archives.

:func:`read` is the one entry point: it sniffs the format from the content (not the file name),
unwraps gzip transparently and returns an :class:`~kicklab.activity.Activity`.
"""

from __future__ import annotations

from kicklab.activity import Activity
from kicklab.errors import KicklabError, UnsupportedFormat
from kicklab.io.sniff import sniff
from kicklab.io.source import Source, gunzip, load_bytes

__all__ = [
    "read",
    "read_bytes",
    "sniff",
    "read_fit",
    "read_gpx",
    "read_tcx",
    "read_csv",
    "read_splits",
    "parse_splits",
    "iter_archive",
    "write_fit",
]


def read(src: Source, *, name: str | None = None, strict: bool = True) -> Activity:
    """Read an activity from a path, bytes or binary file object; the format is sniffed.

    Parameters
    ----------
    src
        Path, bytes-like object or binary file object. ``.gz`` content is unwrapped.
    name
        Label used in errors and ``metadata["source"]`` (defaults to the path).
    strict
        FIT only: when False, a truncated or checksum-failing file yields the records decoded
        before the damage (``metadata["warnings"]`` says what was wrong) instead of an error.

    Raises
    ------
    KicklabError
        A subclass naming the file and the reason (unsupported format, corrupt, empty, ...).
    """
    data, label = load_bytes(src, name)
    return read_bytes(data, label, strict=strict)


def read_bytes(data: bytes, source: str = "<bytes>", *, strict: bool = True) -> Activity:
    """Read an activity from bytes already in memory (see :func:`read`)."""
    try:
        fmt = sniff(data)
        if fmt == "gzip":
            data = gunzip(data, source)
            fmt = sniff(data)
            if fmt in ("gzip", "zip"):
                raise UnsupportedFormat("nested archives inside gzip are not read", source)
        if fmt == "fit":
            return read_fit(data, source, strict=strict)
        if fmt == "gpx":
            return read_gpx(data, source)
        if fmt == "tcx":
            return read_tcx(data, source)
        if fmt == "csv":
            return read_csv(data, source)
        if fmt == "splits":
            return read_splits(data, source)
        if fmt == "zip":
            return _single_from_archive(data, source, strict=strict)
        if not data:
            raise UnsupportedFormat("file is empty", source)
        raise UnsupportedFormat("not a FIT, GPX, TCX, CSV, split table or zip/gzip archive", source)
    except KicklabError as exc:
        raise exc.with_source(source) from None
    except RecursionError:
        raise UnsupportedFormat("input nests too deeply", source) from None
    except MemoryError:
        raise KicklabError("input needs more memory than is available", source) from None


def _single_from_archive(data: bytes, source: str, *, strict: bool) -> Activity:
    found = []
    for member, result in iter_archive(data, source, strict=strict):
        if isinstance(result, KicklabError):
            continue
        found.append((member, result))
        if len(found) > 1:
            break
    if len(found) != 1:
        what = "no readable activity" if not found else "several activities"
        raise UnsupportedFormat(
            f"archive holds {what}; use kicklab.io.iter_archive to read each member", source
        )
    return found[0][1]


# Readers are imported last: each depends only on the modules above.
from kicklab.io.archive import iter_archive  # noqa: E402
from kicklab.io.csvfile import read_csv  # noqa: E402
from kicklab.io.fit import read_fit  # noqa: E402
from kicklab.io.fitwrite import write_fit  # noqa: E402
from kicklab.io.gpx import read_gpx  # noqa: E402
from kicklab.io.splits import parse_splits, read_splits  # noqa: E402
from kicklab.io.tcx import read_tcx  # noqa: E402
