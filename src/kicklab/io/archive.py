"""Bulk-export archives: zip files holding many activities (Strava, Garmin and similar).

A Strava bulk export is a zip with ``activities/<id>.fit.gz`` (or ``.gpx``, ``.tcx``, ...),
media, JSON and CSV side files, and an index ``activities.csv`` whose ``Filename`` column names
each activity's member. :func:`iter_archive` decodes every activity member in turn and
:func:`list_archive` lists them with the index metadata without decoding anything.

Safety
    Members are streamed with :meth:`zipfile.ZipFile.open`; nothing is extracted to disk and no
    member is read before its declared sizes are checked against :mod:`kicklab.io.limits`:

    * the whole archive is refused (:class:`~kicklab.errors.UnsafeArchive` raised) when it
      declares more than ``MAX_ARCHIVE_MEMBERS`` members (checked on the end-of-central-
      directory record before the central directory is parsed) or when the members kicklab
      would read declare more than ``MAX_ARCHIVE_BYTES`` in total (and iteration stops with
      it if the bytes actually read exceed that);
    * one member is refused (an :class:`~kicklab.errors.UnsafeArchive` yielded for it, the
      other members still read) when it declares more than ``MAX_FILE_BYTES``, or a
      compression ratio above ``MAX_COMPRESSION_RATIO`` while declaring more than
      ``RATIO_EXEMPT_BYTES`` uncompressed (the exemption is judged on the *uncompressed*
      size, so a tiny-compressed 1 GB member is still refused), or when it inflates past the
      limit while being read (declared sizes can lie: at most limit + 1 bytes are read);
    * a member whose name is absolute, has a drive letter, a backslash or a ``..`` component,
      or that is a symbolic link, is skipped with an :class:`~kicklab.errors.UnsafeArchive`;
    * an encrypted member yields :class:`~kicklab.errors.UnsupportedFormat`; a zip inside the
      archive is not recursed into.

Which members are activities
    Names ending (case-insensitively) in ``.fit``, ``.gpx``, ``.tcx`` or ``.csv``, each
    optionally followed by ``.gz``. A CSV whose header has a ``Filename`` column is an index,
    not an activity; any other member (media, JSON, directories) is skipped silently.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from kicklab.activity import Activity
from kicklab.errors import (
    CorruptFile,
    KicklabError,
    UnsafeArchive,
    UnsupportedFormat,
)
from kicklab.io import limits
from kicklab.io.sniff import sniff

__all__ = ["iter_archive", "list_archive", "ACTIVITY_EXTENSIONS"]

#: Member name endings decoded as activities (case-insensitive; ``.gz`` may follow).
ACTIVITY_EXTENSIONS: tuple[str, ...] = (".fit", ".gpx", ".tcx", ".csv")

_ACTIVITY_NAME = re.compile(r"\.(fit|gpx|tcx|csv)(\.gz)?$", re.IGNORECASE)
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_MIN_CD_ENTRY = 46  # bytes of a central-directory entry with an empty name
_MAX_CD_ENTRY = 1024  # a generous average entry size: real entries are ~100 bytes
_INDEX_HEAD_BYTES = 64 * 1024

# Strava activity types -> kicklab sport words; anything else is lower-cased snake_case.
_SPORTS = {
    "run": "running",
    "trailrun": "running",
    "trail_run": "running",
    "virtualrun": "running",
    "virtual_run": "running",
    "treadmill": "running",
    "ride": "cycling",
    "virtualride": "cycling",
    "virtual_ride": "cycling",
    "ebikeride": "cycling",
    "mountainbikeride": "cycling",
    "gravelride": "cycling",
    "handcycle": "cycling",
    "velomobile": "cycling",
    "walk": "walking",
    "hike": "hiking",
    "swim": "swimming",
    "nordicski": "cross_country_skiing",
    "backcountryski": "backcountry_skiing",
    "alpineski": "alpine_skiing",
    "rowing": "rowing",
    "virtualrow": "rowing",
}


@dataclass
class _Member:
    info: zipfile.ZipInfo
    kind: str  # "activity", "index", "other", "directory"
    problem: KicklabError | None


# --------------------------------------------------------------------------- opening
def _tail(data: bytes | None, path: Path | None, n: int) -> tuple[bytes, int]:
    """The last ``n`` bytes of the archive and the archive's size."""
    if data is not None:
        return data[-n:], len(data)
    assert path is not None
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(size - n, 0))
        return fh.read(n), size


def _read_at(data: bytes | None, path: Path | None, offset: int, n: int) -> bytes:
    if data is not None:
        return data[offset : offset + n]
    assert path is not None
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(n)


def _declared_members(data: bytes | None, path: Path | None) -> int | None:
    """Members the end-of-central-directory record declares, or None when it is not found.

    :mod:`zipfile` parses the central directory by its declared *size*, not its count, so a
    directory larger than ``MAX_ARCHIVE_MEMBERS`` generous entries is judged by the most
    entries that size could hold.
    """
    tail, size = _tail(data, path, 22 + 65535 + 20)
    i = tail.rfind(_EOCD)
    if i < 0 or len(tail) - i < 22:
        return None
    _, _, _, n_disk, n_total, cd_size, _, _ = struct.unpack("<4sHHHHIIH", tail[i : i + 22])
    declared = max(n_disk, n_total)
    if (n_total == 0xFFFF or cd_size == 0xFFFFFFFF) and i >= 20:
        loc = tail[i - 20 : i]
        if loc[:4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack("<Q", loc[8:16])
            rec = _read_at(data, path, offset, 56) if offset < size else b""
            if len(rec) == 56 and rec[:4] == _EOCD64:
                n_disk64, n_total64, cd_size64 = struct.unpack("<QQQ", rec[24:48])
                declared = max(n_disk64, n_total64)
                cd_size = cd_size64
    if cd_size > min(size, limits.MAX_ARCHIVE_MEMBERS * _MAX_CD_ENTRY):
        return max(declared, min(cd_size, size) // _MIN_CD_ENTRY)
    return declared


def _open(data: bytes | str | os.PathLike, source: str) -> tuple[zipfile.ZipFile, str]:
    raw: bytes | None = None
    path: Path | None = None
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    elif isinstance(data, str | os.PathLike):
        path = Path(data)
        if source == "<bytes>":
            source = str(data)
        if not path.is_file():
            raise KicklabError("no such file" if not path.exists() else "not a file", source)
    else:
        raise KicklabError(f"cannot read an archive from {type(data).__name__}", source)
    try:
        declared = _declared_members(raw, path)
    except OSError as exc:
        raise KicklabError(f"cannot read file ({exc.strerror or exc})", source) from None
    except struct.error:
        declared = None
    if declared is not None and declared > limits.MAX_ARCHIVE_MEMBERS:
        raise UnsafeArchive(
            f"archive declares {declared} members, more than the "
            f"{limits.MAX_ARCHIVE_MEMBERS}-member limit",
            source,
        )
    target: IO[bytes] | Path | None = io.BytesIO(raw) if raw is not None else path
    assert target is not None
    try:
        zf = zipfile.ZipFile(target, "r")
    except zipfile.BadZipFile as exc:
        raise CorruptFile(f"not a readable zip archive ({exc})", source) from None
    except (OSError, EOFError, ValueError, struct.error, NotImplementedError, OverflowError) as exc:
        raise CorruptFile(f"zip archive is truncated or corrupt ({exc})", source) from None
    if len(zf.infolist()) > limits.MAX_ARCHIVE_MEMBERS:
        zf.close()
        raise UnsafeArchive(
            f"archive has {len(zf.infolist())} members, more than the "
            f"{limits.MAX_ARCHIVE_MEMBERS}-member limit",
            source,
        )
    return zf, source


# --------------------------------------------------------------------------- member checks
def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe, or None."""
    if "\x00" in name:
        return "member name contains a NUL byte"
    if "\\" in name:
        return "member name contains a backslash"
    if name.startswith("/"):
        return "member name is an absolute path"
    if re.match(r"^[A-Za-z]:", name):
        return "member name has a drive letter"
    if any(part == ".." for part in name.split("/")):
        return "member name climbs out of the archive with '..'"
    return None


def _member_problem(info: zipfile.ZipInfo, source: str) -> KicklabError | None:
    """Why a member must not be read (judged from its header alone), or None."""
    label = f"{source}!{info.filename}"
    why = _unsafe_name(info.filename)
    if why:
        return UnsafeArchive(why, label)
    if stat.S_ISLNK(info.external_attr >> 16):
        return UnsafeArchive("member is a symbolic link", label)
    if info.flag_bits & 0x1:
        return UnsupportedFormat("member is encrypted (password-protected zip)", label)
    size, packed = info.file_size, info.compress_size
    if size > limits.MAX_FILE_BYTES:
        return UnsafeArchive(
            f"member declares {size} bytes, more than the {limits.MAX_FILE_BYTES}-byte limit",
            label,
        )
    if size > limits.RATIO_EXEMPT_BYTES and size > packed * limits.MAX_COMPRESSION_RATIO:
        return UnsafeArchive(
            f"member's compression ratio {size / max(packed, 1):.0f}:1 is above "
            f"{limits.MAX_COMPRESSION_RATIO:.0f}:1 (zip bomb?)",
            label,
        )
    return None


def _read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, cap: int | None = None
) -> bytes:
    """The member's bytes, reading at most the limit + 1 whatever its header declares."""
    limit = min(
        limits.MAX_FILE_BYTES,
        max(limits.RATIO_EXEMPT_BYTES, int(info.compress_size * limits.MAX_COMPRESSION_RATIO)),
    )
    want = limit + 1 if cap is None else min(cap, limit + 1)
    try:
        with zf.open(info) as fh:
            data = _read_bounded(fh, want)
    except zipfile.BadZipFile as exc:
        raise CorruptFile(f"member is corrupt ({exc})", label) from None
    except NotImplementedError as exc:
        raise UnsupportedFormat(f"member uses an unsupported compression ({exc})", label) from None
    except RuntimeError as exc:  # encrypted without the flag we checked
        raise UnsupportedFormat(f"member cannot be read ({exc})", label) from None
    except (OSError, EOFError, zlib.error, ValueError, struct.error, OverflowError) as exc:
        raise CorruptFile(f"member is truncated or corrupt ({exc})", label) from None
    except Exception as exc:  # lzma/bz2 decoder errors have their own types
        raise CorruptFile(f"member cannot be decompressed ({type(exc).__name__})", label) from None
    if cap is None and len(data) > limit:
        raise UnsafeArchive(
            f"member inflates to more than {limit} bytes although it declares "
            f"{info.file_size} (zip bomb?)",
            label,
        )
    return data


def _read_bounded(fh: IO[bytes], n: int) -> bytes:
    chunks: list[bytes] = []
    left = n
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- index
def _sport(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    word = re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_")
    if not word:
        return None
    return _SPORTS.get(word.replace("_", ""), _SPORTS.get(word, word))


def _norm(name: str) -> str:
    name = str(name).strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name.lower()


def _parse_index(data: bytes, label: str) -> dict[str, dict[str, Any]] | None:
    """Index rows keyed by normalised filename, or None when ``data`` is not an index."""
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    first = head.split("\n", 1)[0].lower()
    if "filename" not in re.sub(r"[^a-z]", "", first):
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(data), dtype=str, keep_default_na=False, encoding_errors="replace"
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError):
        return {}
    cols = {re.sub(r"[^a-z]", "", str(c).lower()): c for c in reversed(list(frame.columns))}
    fcol = cols.get("filename")
    if fcol is None:
        return None

    def pick(*keys: str) -> str | None:
        return next((cols[k] for k in keys if k in cols), None)

    id_col = pick("activityid", "id")
    name_col = pick("activityname", "name", "title")
    type_col = pick("activitytype", "type", "sport")
    date_col = pick("activitydate", "date", "starttime", "startdate")
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):  # the index is one row per activity, not per sample
        fname = str(row.get(fcol) or "").strip()
        if not fname:
            continue
        out[_norm(fname)] = {
            "activity_id": (row.get(id_col) or None) if id_col else None,
            "name": (row.get(name_col) or None) if name_col else None,
            "sport": _sport(row.get(type_col)) if type_col else None,
            "activity_type": (row.get(type_col) or None) if type_col else None,
            "activity_date": (row.get(date_col) or None) if date_col else None,
            "index": label,
        }
    return out


def _scan(zf: zipfile.ZipFile, source: str) -> tuple[list[_Member], _Index]:
    """Classify members, load the index CSVs and check the total declared size."""
    members: list[_Member] = []
    index: dict[str, dict[str, Any]] = {}
    total = 0
    for info in zf.infolist():
        name = info.filename
        if name.endswith("/"):
            members.append(_Member(info, "directory", None))
            continue
        if not _ACTIVITY_NAME.search(name):
            members.append(_Member(info, "other", None))
            continue
        problem = _member_problem(info, source)
        kind = "activity"
        if problem is None and name.lower().endswith(".csv"):
            label = f"{source}!{name}"
            try:
                head = _read_member(zf, info, label, cap=_INDEX_HEAD_BYTES)
            except KicklabError as exc:
                problem = exc
            else:
                first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].lower()
                if b"filename" in re.sub(rb"[^a-z]", b"", first):
                    kind = "index"
                    try:
                        parsed = _parse_index(_read_member(zf, info, label), label)
                    except KicklabError:
                        parsed = None
                    index.update(parsed or {})
                elif sniff(head) not in ("csv", "splits"):
                    kind = "other"  # a side table of the export (profile, gear, ...)
        if problem is None:
            total += info.file_size
        members.append(_Member(info, kind, problem))
    if total > limits.MAX_ARCHIVE_BYTES:
        raise UnsafeArchive(
            f"activity members declare {total} bytes in total, more than the "
            f"{limits.MAX_ARCHIVE_BYTES}-byte limit",
            source,
        )
    return members, _Index(index)


class _Index:
    """Index rows by normalised member path, with a fallback by file name alone (exports differ
    in the folder they write in ``Filename``)."""

    def __init__(self, rows: dict[str, dict[str, Any]]) -> None:
        self.rows = rows
        self.by_base: dict[str, dict[str, Any]] = {}
        for key, row in rows.items():
            self.by_base.setdefault(key.rsplit("/", 1)[-1], row)

    def lookup(self, name: str) -> dict[str, Any] | None:
        key = _norm(name)
        return self.rows.get(key) or self.by_base.get(key.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- public
def list_archive(data: bytes | str | os.PathLike, source: str = "<bytes>") -> pd.DataFrame:
    """List an archive's members with their index metadata, without decoding any activity.

    Parameters
    ----------
    data
        The zip's bytes or its path (read by streaming, never extracted).
    source
        Name used in errors (defaults to the path when ``data`` is one).

    Returns
    -------
    pandas.DataFrame
        One row per member: ``member`` (name), ``kind`` (``activity``, ``index``, ``other``,
        ``directory``), ``compressed_bytes``, ``uncompressed_bytes`` (as declared),
        ``problem`` (why :func:`iter_archive` would refuse the member, else None), and from the
        index: ``activity_id``, ``name``, ``sport``, ``activity_date``.

    Raises
    ------
    CorruptFile, UnsafeArchive
        As for :func:`iter_archive`.
    """
    zf, source = _open(data, source)
    with zf:
        members, index = _scan(zf, source)
    rows = []
    for m in members:
        row = index.lookup(m.info.filename) if m.kind == "activity" else None
        rows.append(
            {
                "member": m.info.filename,
                "kind": m.kind,
                "compressed_bytes": m.info.compress_size,
                "uncompressed_bytes": m.info.file_size,
                "problem": None if m.problem is None else m.problem.reason,
                "activity_id": (row or {}).get("activity_id"),
                "name": (row or {}).get("name"),
                "sport": (row or {}).get("sport"),
                "activity_date": (row or {}).get("activity_date"),
            }
        )
    columns = [
        "member",
        "kind",
        "compressed_bytes",
        "uncompressed_bytes",
        "problem",
        "activity_id",
        "name",
        "sport",
        "activity_date",
    ]
    return pd.DataFrame(rows, columns=columns)


def iter_archive(
    data: bytes | str | os.PathLike, source: str = "<bytes>", *, strict: bool = True
) -> Iterator[tuple[str, Activity | KicklabError]]:
    """Decode every activity in a bulk-export zip, one member at a time.

    Parameters
    ----------
    data
        The zip's bytes or its path. A path is opened as a :class:`zipfile.ZipFile` directly
        and members are streamed from it.
    source
        Name of the archive in errors (defaults to the path); each member is named
        ``"<source>!<member>"``.
    strict
        Passed to :func:`kicklab.io.read_bytes` (FIT only: tolerate a damaged tail).

    Yields
    ------
    tuple[str, Activity | KicklabError]
        The member name and its :class:`~kicklab.activity.Activity`, or the
        :class:`~kicklab.errors.KicklabError` it raised — one bad member never stops the
        rest. Members come in archive order. An activity found in the index CSV gets
        ``metadata["activity_id"]``, ``metadata["name"]`` (the index's title wins),
        ``metadata["sport"]`` (only when the file itself names none), ``activity_type``
        and ``activity_date`` as the index wrote them; every activity gets
        ``metadata["archive"]`` and ``metadata["member"]``.

    Raises
    ------
    CorruptFile
        The zip itself is truncated or malformed (raised before the first member).
    UnsafeArchive
        Too many members or too many declared bytes (see the module docstring).
    KicklabError
        ``data`` is a path that does not exist.
    """
    zf, source = _open(data, source)
    try:
        members, index = _scan(zf, source)
    except BaseException:
        zf.close()
        raise
    return _iterate(zf, members, index, source, strict)


def _iterate(
    zf: zipfile.ZipFile,
    members: list[_Member],
    index: _Index,
    source: str,
    strict: bool,
) -> Iterator[tuple[str, Activity | KicklabError]]:
    from kicklab.io import read_bytes

    with zf:
        read_total = 0
        for m in members:
            if m.kind != "activity":
                continue
            name = m.info.filename
            label = f"{source}!{name}"
            if m.problem is not None:
                yield name, m.problem
                continue
            try:
                payload = _read_member(zf, m.info, label)
            except KicklabError as exc:
                yield name, exc
                continue
            read_total += len(payload)
            if read_total > limits.MAX_ARCHIVE_BYTES:
                raise UnsafeArchive(
                    f"more than {limits.MAX_ARCHIVE_BYTES} bytes read from the archive", source
                )
            try:
                if sniff(payload) == "zip":
                    raise UnsupportedFormat("nested zip archives are not read", label)
                activity = read_bytes(payload, label, strict=strict)
            except KicklabError as exc:
                yield name, exc.with_source(label)
                continue
            except Exception as exc:  # a reader bug must not end the whole export
                yield name, CorruptFile(f"could not be read ({type(exc).__name__}: {exc})", label)
                continue
            finally:
                del payload
            activity.metadata["archive"] = source
            activity.metadata["member"] = name
            row = index.lookup(name)
            if row:
                activity.metadata["activity_id"] = row["activity_id"]
                if row["name"]:
                    activity.metadata["name"] = row["name"]
                if row["sport"] and not activity.metadata.get("sport"):
                    activity.metadata["sport"] = row["sport"]
                activity.metadata["activity_type"] = row["activity_type"]
                activity.metadata["activity_date"] = row["activity_date"]
            yield name, activity
