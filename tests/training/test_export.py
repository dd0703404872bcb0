"""Tests of kicklab.training.export: plans as iCalendar, FIT workouts, Markdown and HTML.

The calendar is read back with the independent ``icalendar`` parser and the workouts with
Garmin's own SDK (``garmin_fit_sdk``): every event and every step must come back as the plan
says.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kicklab.errors import InvalidValue
from kicklab.training.export import (
    FIT_NOTES_BYTES,
    FIT_STEP_NAME_BYTES,
    FIT_WKT_NAME_BYTES,
    ICS_LINE_OCTETS,
    fit_file_name,
    plan_markdown,
    render_plan_html,
    session_description,
    session_uid,
    target_text,
    truncate_utf8,
    write_fit_workouts,
    write_ics,
    write_plan_html,
)

icalendar = pytest.importorskip("icalendar")
garmin = pytest.importorskip("garmin_fit_sdk")

STAMP = dt.datetime(2027, 2, 1, 8, 30, 0, tzinfo=dt.UTC)


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def _event(cal_bytes: bytes) -> list:
    return list(icalendar.Calendar.from_ical(cal_bytes).walk("VEVENT"))


# ---------------------------------------------------------------------------- a plan by hand


@pytest.fixture(scope="module")
def plan():
    from kicklab.training.plan import Block, Plan, Session, Step

    flying = (
        Step("Warm-up jog", "warmup", "distance", 2000.0, 3.2, 3.6),
        Step("Strides", "active", "distance", 80.0, 6.5, 7.0, notes="relaxed, tall"),
        Step("Walk back", "recovery", "time", 60.0),
        Step("Repeat strides", "active", "open", None, repeat_of=1, repeat_count=4),
        Step("Flying 30 m, très rapide", "active", "distance", 30.0, 8.012, 8.4876,
             notes="fast arms, stay tall, breathe out through the whole rep, no straining ✓"),
        Step("Walk back", "rest", "time", 150.5),
        Step("Repeat flying", "active", "open", None, repeat_of=4, repeat_count=6),
        Step("Cool-down", "cooldown", "open", None),
    )  # fmt: skip
    easy = (Step("Easy run", "active", "time", 2400.0, 3.3, 3.7),)
    sessions = (
        Session(
            date=dt.date(2027, 3, 2),
            title="Flying 30s; speed, relaxed",
            focus="max_speed",
            phase="base",
            kind="hard",
            drills=("a-skip", "arm-drive"),
            steps=flying,
            distance_m=4500.0,
            duration_min=55.0,
            targets=(
                {
                    "what": "flying 30 m",
                    "reps": 6,
                    "distance_m": 30.0,
                    "speed_mps": [8.012, 8.4876],
                    "rest_s": 150.0,
                },
                {"what": "strides", "reps": 4, "distance_m": 80.0, "speed_mps": 6.7},
            ),  # fmt: skip
            why="Sprint speed is the ceiling of the kick: raise it while fresh.",
        ),
        Session(
            date=dt.date(2027, 3, 3),
            title="Strength <core> & hips",
            focus="form",
            phase="base",
            kind="strength",
            drills=("single-leg-squat",),
            steps=(),
            distance_m=0.0,
            duration_min=40.0,
            targets=(),
            why="Stiffer, stronger hips hold form | when tired.",
        ),
        Session(
            date=dt.date(2027, 3, 9),
            title="Easy run",
            focus="aerobic",
            phase="specific",
            kind="easy",
            drills=(),
            steps=easy,
            distance_m=8400.0,
            duration_min=40.0,
            targets=(
                {
                    "what": "easy",
                    "duration_s": 2400.0,
                    "speed_mps": [3.3, 3.7],
                    "pace_s_per_km": [303.0, 270.3],
                },
            ),  # fmt: skip
            why="Aerobic volume, easy.",
        ),
    )
    blocks = (
        Block("base", dt.date(2027, 3, 1), dt.date(2027, 3, 7), ("max_speed",), "Build speed."),
        Block("specific", dt.date(2027, 3, 8), dt.date(2027, 3, 14), ("d_prime",), "Race it."),
    )
    return Plan(
        athlete="Ana <Ö>",
        race_date=dt.date(2027, 3, 20),
        distance_m=1500.0,
        level="intermediate",
        days_per_week=4,
        weekly_km=40.0,
        profile={
            "cs_mps": 5.0,
            "d_prime_m": 180.0,
            "mss_mps": 8.6,
            "asr_mps": 3.2,
            "srr": 1.6,
            "profile_type": "800 type",
        },  # fmt: skip
        weakness={
            "primary": "max_speed",
            "secondary": ["d_prime"],
            "reasons": ["sprint speed is low for the CS"],
        },  # fmt: skip
        blocks=blocks,
        sessions=sessions,
    )


LIB = {"a-skip": type("D", (), {"name": "A-skip"})()}


def test_ics_events_match_the_plan(plan):
    data = write_ics(plan, dtstamp=STAMP, library=LIB)
    assert all(len(line) <= ICS_LINE_OCTETS for line in _lines(data))
    events = _event(data)
    assert len(events) == len(plan.sessions)
    for event, s in zip(events, plan.sessions, strict=True):
        assert str(event["UID"]) == session_uid(plan.athlete, s)
        assert str(event["SUMMARY"]) == s.title
        assert event["DTSTART"].dt == s.date and event["DTEND"].dt == s.date + dt.timedelta(1)
        assert event["DTSTAMP"].dt == STAMP
        assert str(event["DESCRIPTION"]) == session_description(s, LIB)
        assert [str(c) for c in event["CATEGORIES"].cats] == [s.focus, s.phase]
    desc = str(events[0]["DESCRIPTION"])
    assert desc.startswith(plan.sessions[0].why)
    assert "flying 30 m: 6 × 30 m at 8.01–8.49 m/s" in desc
    assert "4. repeat steps 2–3, 4 times in all" in desc
    assert "7. repeat steps 5–6, 6 times in all" in desc
    assert "Drills: A-skip, arm-drive" in desc  # names from the library, else the id


def test_ics_uid_is_stable_and_specific(plan, tmp_path):
    s = plan.sessions[0]
    assert session_uid(plan.athlete, s) == session_uid(plan.athlete, s)
    assert session_uid(plan.athlete, s) != session_uid("Bo", s)
    assert session_uid(plan.athlete, s).endswith("@kicklab")
    path = tmp_path / "plan.ics"
    data = write_ics(plan, path, dtstamp=STAMP, library=LIB)
    assert path.read_bytes() == data
    assert write_ics(plan, dtstamp=STAMP, library=LIB) == data  # deterministic


def _decode(path):
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_file(str(path)))
    assert decoder.is_fit() and decoder.check_integrity()
    decoder = Decoder(Stream.from_file(str(path)))
    messages, errors = decoder.read()
    assert errors == []
    return messages


def test_fit_workouts_decode_to_the_plan_steps(plan, tmp_path):
    created = dt.datetime(2027, 2, 1, 12, 0, tzinfo=dt.UTC)
    paths = write_fit_workouts(plan, tmp_path / "workouts", created=created)
    with_steps = [s for s in plan.sessions if s.steps]
    assert [p.name for p in paths] == [
        "2027-03-02-flying-30s-speed-relaxed.fit",
        "2027-03-09-easy-run.fit",
    ]
    for path, session in zip(paths, with_steps, strict=True):
        msgs = _decode(path)
        (fid,) = msgs["file_id_mesgs"]
        assert fid["type"] == "workout" and fid["time_created"] == created
        (wkt,) = msgs["workout_mesgs"]
        assert wkt["sport"] == "running"
        assert wkt["num_valid_steps"] == len(session.steps)
        assert wkt["wkt_name"] == truncate_utf8(session.title, FIT_WKT_NAME_BYTES)
        assert len(wkt["wkt_name"].encode()) < FIT_WKT_NAME_BYTES
        steps = msgs["workout_step_mesgs"]
        assert len(steps) == len(session.steps)
        for i, (got, want) in enumerate(zip(steps, session.steps, strict=True)):
            assert got["message_index"] == i
            assert got["intensity"] == want.intensity
            assert got.get("wkt_step_name", "") == truncate_utf8(want.name, FIT_STEP_NAME_BYTES)
            assert got.get("notes", "") == truncate_utf8(want.notes, FIT_NOTES_BYTES)
            if want.repeat_of is not None:
                assert got["duration_type"] == "repeat_until_steps_cmplt"
                assert got["duration_step"] == want.repeat_of
                assert got["repeat_steps"] == want.repeat_count
                continue
            assert got["duration_type"] == want.duration_type
            if want.duration_type == "distance":
                assert got["duration_distance"] == pytest.approx(want.duration, abs=0.005)
            elif want.duration_type == "time":
                assert got["duration_time"] == pytest.approx(want.duration, abs=0.0005)
            else:
                assert "duration_distance" not in got and "duration_time" not in got
            if want.speed_low_mps is None:
                assert got["target_type"] == "open"
            else:
                assert got["target_type"] == "speed" and got["target_value"] == 0
                assert got["custom_target_speed_low"] == pytest.approx(
                    want.speed_low_mps, abs=0.0005
                )
                assert got["custom_target_speed_high"] == pytest.approx(
                    want.speed_high_mps, abs=0.0005
                )


def test_fit_file_names_are_safe():
    from types import SimpleNamespace

    s = SimpleNamespace(date=dt.date(2027, 5, 1), title="Über-Tempo: 3 × 1 km / ¡vamos! 🏃")
    assert fit_file_name(s) == "2027-05-01-uber-tempo-3-1-km-vamos.fit"
    assert fit_file_name(SimpleNamespace(date=dt.date(2027, 5, 1), title="🏃")) == (
        "2027-05-01-session.fit"
    )


def test_target_text_reads_every_key():
    assert target_text({"what": "reps", "reps": 5, "distance_m": 400.0, "speed_mps": 6.0,
                        "rest_s": 90.0, "d_prime_spend_pct": 40.0}) == (
        "reps: 5 × 400 m at 6.00 m/s (2:47/km), rest 1:30, spends 40 % of D'"
    )  # fmt: skip
    assert target_text({"what": "tempo", "duration_s": 1200.0, "pace_s_per_km": 200.0}) == (
        "tempo: 20:00 at 3:20/km"
    )
    assert target_text({}) == ""


# ---------------------------------------------------------------------------- Markdown, HTML


def test_markdown_has_weeks_tables_and_escaped_cells(plan):
    md = plan_markdown(plan, library=LIB)
    assert md.startswith("# Training plan for Ana <Ö>: 1500 m on 2027-03-20")
    weeks = re.findall(r"^## Week (\d+): from (\S+)", md, flags=re.M)
    assert weeks == [("1", "2027-03-01"), ("2", "2027-03-08")]
    rows = [line for line in md.splitlines() if re.match(r"^\| \w{3} \d{4}-", line)]
    assert len(rows) == len(plan.sessions)
    assert "Stiffer, stronger hips hold form \\| when tired." in md  # pipe escaped
    assert "### Base: 2027-03-01 to 2027-03-07" in md and "Build speed." in md
    assert "Main weakness: **max_speed (then d_prime)**" in md
    assert "4. repeat steps 2–3, 4 times in all" in md


def test_html_plan_is_self_contained_and_escaped(plan, tmp_path):
    page = render_plan_html(plan, library=LIB)
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "Strength &lt;core&gt; &amp; hips" in page and "<core>" not in page
    assert "Ana &lt;Ö&gt;" in page
    assert page.count("<tr class='hard'>") == 1  # the flying 30s
    assert page.count("<details>") == len(plan.sessions)
    assert "Build speed." in page and "Race it." in page
    out = write_plan_html(plan, tmp_path / "plan.html", library=LIB)
    assert out.read_text(encoding="utf-8") == page
    with pytest.raises(InvalidValue):
        write_plan_html(plan, tmp_path / "no-such-dir" / "plan.html", library=LIB)


# ---------------------------------------------------------------------------- a generated plan


def test_exports_of_a_generated_plan(tmp_path):
    from kicklab.training.plan import build_plan

    plan = build_plan(
        dt.date(2027, 6, 5),
        1500.0,
        profile={"cs_mps": 5.2, "d_prime_m": 180.0, "mss_mps": 8.5},
        start=dt.date(2027, 3, 1),
        athlete="Kim",
    )
    events = _event(write_ics(plan, tmp_path / "p.ics", dtstamp=STAMP))
    assert len(events) == len(plan.sessions) > 20
    assert len({str(e["UID"]) for e in events}) == len(events)
    paths = write_fit_workouts(plan, tmp_path / "fit", created=STAMP)
    assert len(paths) == sum(1 for s in plan.sessions if s.steps) > 10
    for path, session in zip(paths, [s for s in plan.sessions if s.steps], strict=True):
        steps = _decode(path)["workout_step_mesgs"]
        assert len(steps) == len(session.steps)
        assert [s["intensity"] for s in steps] == [s.intensity for s in session.steps]
    md = plan_markdown(plan)
    assert all(s.title.split("|")[0].strip() in md for s in plan.sessions)
    assert "<script" not in render_plan_html(plan)
