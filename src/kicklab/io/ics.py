"""iCalendar out (RFC 5545): kicklab's own serializer of all-day events.

CRLF line ends, content lines folded at 75 octets without splitting a UTF-8 sequence
(:func:`ics_fold`), TEXT values escaped (:func:`ics_escape`), control characters dropped
(:func:`ics_clean`). :func:`kicklab.training.export.write_ics` turns a training plan into such
events; calendars read them back (the tests use the independent ``icalendar`` parser).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from kicklab import __version__
from kicklab.errors import InvalidValue

__all__ = ["ICS_LINE_OCTETS", "PRODID", "ics_clean", "ics_escape", "ics_fold", "ics_calendar"]

#: Longest content line, octets, line break excluded (RFC 5545 §3.1: "Lines of text SHOULD NOT
#: be longer than 75 octets, excluding the line break"); longer lines are folded.
ICS_LINE_OCTETS = 75
#: The calendar's product identifier (RFC 5545 §3.7.3: a globally unique formal public
#: identifier of the product that created the calendar).
PRODID = f"-//kicklab//kicklab {__version__}//EN"
#: Characters RFC 5545 TEXT cannot hold (CONTROL = %x00-08 / %x0A-1F / %x7F; newlines are
#: escaped as ``\n`` before this applies), plus the C1 controls, which are no text either.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile("\r\n|\r|\n|\u2028|\u2029|\x85")


def ics_clean(text: Any) -> str:
    """The text an iCalendar TEXT value can carry: what :func:`ics_escape` writes, unescaped.

    Line breaks (CRLF, CR, LF, U+0085, U+2028, U+2029) become LF; other control characters
    (RFC 5545 §3.3.11 excludes CONTROL from TEXT; tab stays) are dropped; lone surrogates,
    which UTF-8 cannot encode, become U+FFFD.
    """
    s = str(text).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    s = _LINE_BREAK.sub("\n", s)
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\t\n" else "", s)


def ics_escape(text: Any) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11): ``\`` → ``\\``, ``;`` → ``\;``, ``,`` → ``\,``,
    a line break → ``\n``; control characters dropped (see :func:`ics_clean`)."""
    s = ics_clean(text)
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str, octets: int = ICS_LINE_OCTETS) -> str:
    """Fold one content line (RFC 5545 §3.1) so that no physical line exceeds ``octets``.

    The continuation lines start with a space, which counts towards their length; a line is
    cut only between UTF-8 sequences (never inside a multi-octet character). Returns the
    folded line with ``CRLF`` + space between the parts and no final line break.
    """
    data = line.encode("utf-8")
    if len(data) <= octets:
        return line
    raw = np.frombuffer(data, dtype=np.uint8)
    # a character starts at every octet that is not a continuation octet (10xxxxxx)
    starts = np.flatnonzero((raw & 0xC0) != 0x80)
    parts: list[bytes] = []
    pos, limit = 0, octets
    while len(data) - pos > limit:  # one step per physical line
        cut = int(starts[np.searchsorted(starts, pos + limit, side="right") - 1])
        parts.append(data[pos:cut])
        pos, limit = cut, octets - 1
    parts.append(data[pos:])
    return b"\r\n ".join(parts).decode("utf-8")


def _ics_date(day: _dt.date) -> str:
    return day.strftime("%Y%m%d")


def _utc_stamp(when: _dt.datetime | None) -> str:
    if when is None:
        when = _dt.datetime.now(_dt.UTC)
    if not isinstance(when, _dt.datetime):
        raise InvalidValue(f"dtstamp must be a datetime, got {type(when).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)  # a naive time is taken as UTC
    return when.astimezone(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(
    events: Iterable[Mapping[str, Any]],
    *,
    dtstamp: _dt.datetime | None = None,
    name: str | None = None,
) -> bytes:
    """Serialize all-day events as an iCalendar file (RFC 5545), UTF-8 with CRLF line ends.

    Parameters
    ----------
    events
        Mappings with ``uid`` (str), ``date`` (:class:`datetime.date`, the day of the event),
        ``summary`` (str) and optionally ``description`` (str) and ``categories`` (strings).
    dtstamp
        When the calendar was made (``DTSTAMP`` of every event), UTC; a naive datetime is
        taken as UTC. Default: now.
    name
        Calendar name shown by calendar programs (``X-WR-CALNAME``), optional.

    Returns
    -------
    bytes
        ``VCALENDAR`` (``VERSION:2.0``, ``PRODID``) holding one ``VEVENT`` per event:
        ``DTSTART;VALUE=DATE`` the day, ``DTEND;VALUE=DATE`` the next day (an all-day event),
        ``TRANSP:TRANSPARENT`` (a session does not block the day).

    Raises
    ------
    InvalidValue
        An event without a uid, a date or a summary.
    """
    stamp = _utc_stamp(dtstamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{ics_escape(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{ics_escape(name)}")
    for n, event in enumerate(events, 1):  # one step per session
        uid, day, summary = event.get("uid"), event.get("date"), event.get("summary")
        if not uid or not isinstance(day, _dt.date) or summary is None:
            raise InvalidValue(f"calendar event {n} needs a uid, a date and a summary")
        if isinstance(day, _dt.datetime):
            day = day.date()
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ics_escape(uid)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_ics_date(day)}",
            f"DTEND;VALUE=DATE:{_ics_date(day + _dt.timedelta(days=1))}",
            f"SUMMARY:{ics_escape(summary)}",
        ]
        if event.get("description"):
            lines.append(f"DESCRIPTION:{ics_escape(event['description'])}")
        categories = [c for c in (event.get("categories") or ()) if ics_clean(c)]
        if categories:
            lines.append("CATEGORIES:" + ",".join(ics_escape(c) for c in categories))
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(ics_fold(line) for line in lines) + "\r\n").encode("utf-8")
