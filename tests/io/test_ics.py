"""Tests of kicklab.io.ics: text escaping, line folding and whole calendars.

Calendars are read back with the independent ``icalendar`` parser.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.io.ics import ICS_LINE_OCTETS, ics_calendar, ics_clean, ics_escape, ics_fold

icalendar = pytest.importorskip("icalendar")

STAMP = dt.datetime(2027, 2, 1, 8, 30, 0, tzinfo=dt.UTC)


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def _event(cal_bytes: bytes) -> list:
    return list(icalendar.Calendar.from_ical(cal_bytes).walk("VEVENT"))


def test_ics_escape_escapes_text_specials():
    assert ics_escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert ics_escape("x\r\ny\rz") == "x\\ny\\nz"
    assert ics_escape("tab\tok\x07bell") == "tab\tokbell"  # controls other than tab dropped


def test_ics_fold_at_75_octets_between_utf8_sequences():
    line = "DESCRIPTION:" + "kick – 日本語 é " * 20
    folded = ics_fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert len(parts) > 3
    assert all(len(p) <= ICS_LINE_OCTETS for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:])
    for p in parts:
        p.decode("utf-8")  # no part ends or starts inside a character
    # unfolding (drop CRLF + one space) gives the line back
    assert folded.replace("\r\n ", "") == line
    # greedy: the first line is as long as it can be without splitting a character
    assert len(parts[0]) > ICS_LINE_OCTETS - 4
    assert ics_fold("SUMMARY:short") == "SUMMARY:short"


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(min_size=1, max_size=200),
    categories=st.lists(st.text(min_size=1, max_size=20), max_size=3),
)
def test_ics_round_trips_any_unicode_through_icalendar(title, categories):
    data = ics_calendar(
        [
            {
                "uid": "x@kicklab",
                "date": dt.date(2027, 3, 1),
                "summary": title,
                "description": title + "\n" + title,
                "categories": categories,
            }
        ],
        dtstamp=STAMP,
    )
    lines = _lines(data)
    assert all(len(line) <= ICS_LINE_OCTETS for line in lines)
    data.decode("utf-8")
    (event,) = _event(data)
    assert str(event["SUMMARY"]) == ics_clean(title)
    assert str(event["DESCRIPTION"]) == ics_clean(title + "\n" + title)
    kept = [ics_clean(c) for c in categories if ics_clean(c)]
    got = [str(c) for c in event["CATEGORIES"].cats] if "CATEGORIES" in event else []
    assert got == kept


def test_ics_calendar_structure_and_bad_events():
    data = ics_calendar(
        [{"uid": "a@kicklab", "date": dt.date(2027, 12, 31), "summary": "New Year's Eve run"}],
        dtstamp=dt.datetime(2027, 2, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        name="plan",
    )
    lines = [line.decode() for line in _lines(data)]
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", lines[2]]
    assert lines[2].startswith("PRODID:-//kicklab//")
    assert "DTSTAMP:20270201T083000Z" in lines  # converted to UTC
    assert "DTSTART;VALUE=DATE:20271231" in lines and "DTEND;VALUE=DATE:20280101" in lines
    assert lines[-1] == "END:VCALENDAR"
    with pytest.raises(InvalidValue):
        ics_calendar([{"uid": "", "date": dt.date(2027, 1, 1), "summary": "x"}])
    with pytest.raises(InvalidValue):
        ics_calendar([{"uid": "u", "date": "2027-01-01", "summary": "x"}])
