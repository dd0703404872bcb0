"""Text specs of tactics, runners, fields and courses (kicklab.race.spec)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.race.course import Course
from kicklab.race.runner import (
    Runner,
    Tactic,
    best_even_speed_mps,
    even,
    follow,
    front_run,
    long_surge,
    sit_and_kick,
)
from kicklab.race.spec import (
    SD_CS,
    SD_D_PRIME,
    SD_MSS,
    TACTICAL_LEAD_FRACTION,
    course_from_options,
    default_field,
    format_tactic,
    parse_distance,
    parse_runner,
    parse_tactic,
    runner_from_profile,
)

D = 1500.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("even", even()),
        ("EVEN@6.2", even(6.2)),
        ("follow", follow()),
        ("follow@300", follow(kick_at_m=300.0)),
        ("Follow@0", follow()),
        ("kick@200", sit_and_kick(200.0)),
        ("kick@200m", sit_and_kick(200.0)),
        ("kick@0.2km", sit_and_kick(200.0)),
        (" kick @ 250 ", sit_and_kick(250.0)),
        ("kick@200/lead=5.9", sit_and_kick(200.0, lead_mps=5.9)),
        ("kick@200/lead=5.9/gap=2", sit_and_kick(200.0, lead_mps=5.9, gap_m=2.0)),
        ("sit_and_kick@300", sit_and_kick(300.0)),
        ("surge@800:6.8", long_surge(800.0, 6.8)),
        ("surge@0.8km:6.8/lead=5.8/kick=100", long_surge(800.0, 6.8, lead_mps=5.8, kick_at_m=100)),
        ("front@6.3", front_run(6.3)),
        ("front@6.3/kick=150", front_run(6.3, kick_at_m=150.0)),
        ("even@6.1/kick=1mi", even(6.1, kick_at_m=1609.344)),
        ("kick@1500", sit_and_kick(1500.0)),
    ],
)
def test_valid_tactics(text: str, expected: Tactic) -> None:
    assert parse_tactic(text, 2000.0 if "mi" in text else D) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sprint",
        "kick",
        "kick@",
        "kick@abc",
        "kick@0",
        "kick@-100",
        "kick@1600",
        "kick@nan",
        "kick@200/lead",
        "kick@200/lead=fast",
        "kick@200/lead=5/lead=6",
        "kick@200/kick=100",
        "kick@200/foo=1",
        "even/lead=5.9",
        "even@fast",
        "even@40",
        "follow@2km",
        "surge@800",
        "surge@800:",
        "surge@2000:6.8",
        "surge@800:0.1",
        "front",
        "front@6.3/lead=5",
        "front@6.3/gap=2",
    ],
)
def test_invalid_tactics(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_tactic(text, D)
    reason = info.value.reason
    assert repr(text) in reason  # quotes the text
    assert "kick@M" in reason and "surge@M:M/S" in reason  # and the allowed forms


def test_bad_race_distance() -> None:
    with pytest.raises(InvalidValue):
        parse_tactic("kick@200", 0.0)
    with pytest.raises(InvalidValue):
        parse_tactic("kick@200", "far")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "metres"),
    [("200", 200.0), ("200m", 200.0), ("0.2km", 200.0), ("1mile", 1609.344), ("1.5mi", 2414.016)],
)
def test_parse_distance(text: str, metres: float) -> None:
    assert parse_distance(text) == pytest.approx(metres, rel=1e-12)


@pytest.mark.parametrize("text", ["", "m", "km", "200 yards", "-5", "inf", "1e400"])
def test_parse_distance_rejects(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_distance(text)


@given(st.floats(min_value=1e-6, max_value=D, allow_nan=False, allow_infinity=False))
def test_kick_distance_round_trip(x: float) -> None:
    assert parse_tactic(f"kick@{x!r}", D).kick_at_m == x
    assert parse_tactic(f"kick@{x!r}m", D).kick_at_m == x
    if x <= 1000.0:
        assert parse_tactic(f"kick@{x / 1000.0!r}km", D).kick_at_m == pytest.approx(x, rel=1e-12)


speeds = st.floats(min_value=0.5, max_value=15.0, allow_nan=False)
to_go = st.floats(min_value=0.01, max_value=D, allow_nan=False)
leads = st.none() | speeds
gaps = st.floats(min_value=0.1, max_value=50.0, allow_nan=False)
tactics = st.one_of(
    st.builds(even, st.none() | speeds, kick_at_m=st.just(0.0) | to_go),
    st.builds(follow, gaps, kick_at_m=st.just(0.0) | to_go, lead_mps=leads),
    st.builds(sit_and_kick, to_go, gap_m=gaps, lead_mps=leads),
    st.builds(
        long_surge, to_go, speeds, kick_at_m=st.just(0.0) | to_go, gap_m=gaps, lead_mps=leads
    ),
    st.builds(front_run, speeds, kick_at_m=st.just(0.0) | to_go),
)


@given(tactics)
def test_format_parse_round_trip(tactic: Tactic) -> None:
    text = format_tactic(tactic)
    assert parse_tactic(text, D) == tactic
    assert parse_tactic(text.upper(), D) == tactic


def test_format_tactic_readable() -> None:
    assert format_tactic(sit_and_kick(200.0, lead_mps=5.803265907)) == "kick@200/lead=5.803265907"
    assert format_tactic(sit_and_kick(200.0, lead_mps=5.803265907), decimals=2) == (
        "kick@200/lead=5.8"
    )
    assert format_tactic(long_surge(800.0, 6.8)) == "surge@800:6.8"
    assert format_tactic(even()) == "even"
    with pytest.raises(InvalidValue):
        format_tactic("kick@200")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- runners
def test_parse_runner() -> None:
    r = parse_runner("Kim:5.6:160:8.6:kick@250", D)
    assert (r.name, r.cs_mps, r.d_prime_m, r.mss_mps) == ("Kim", 5.6, 160.0, 8.6)
    assert r.tactic == sit_and_kick(250.0)
    assert (r.sd_cs, r.sd_d_prime, r.sd_mss) == (SD_CS, SD_D_PRIME, SD_MSS) == (0.01, 0.05, 0.02)
    # a tactic with its own colon, and the default tactic
    assert parse_runner("Lee:5.5:150:8:surge@800:6.8", D).tactic == long_surge(800.0, 6.8)
    assert parse_runner("Lee:5.5:150:8", D).tactic == sit_and_kick(200.0)
    assert parse_runner("Lee:5.5:150:8", D, default_tactic="even").tactic == even()


@given(
    st.floats(min_value=1.5, max_value=7.9, allow_nan=False),
    st.floats(min_value=1.0, max_value=2000.0, allow_nan=False),
    st.floats(min_value=1.01, max_value=1.6, allow_nan=False),
)
def test_parse_runner_numbers_round_trip(cs: float, dp: float, ratio: float) -> None:
    mss = min(cs * ratio, 13.0)  # inside Runner's MSS range 1.5–13 m/s, above CS
    r = parse_runner(f"A:{cs!r}:{dp!r}:{mss!r}", D)
    assert (r.cs_mps, r.d_prime_m, r.mss_mps) == (cs, dp, mss)


@pytest.mark.parametrize(
    "text",
    [
        "Kim",
        "Kim:5.6:160",
        ":5.6:160:8.6",
        "Kim:fast:160:8.6",
        "Kim:5.6:x:8.6",
        "Kim:5.6:160:",
        "Kim:5.6:160:5.0",  # MSS below CS
        "Kim:50:160:80",  # implausible CS
        "Kim:5.6:160:8.6:sprint",
        "Kim:5.6:160:8.6:kick@3000",
    ],
)
def test_invalid_runners(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_runner(text, D)
    assert repr(text) in info.value.reason


def test_runner_from_profile(tmp_path) -> None:
    data = {"cs_mps": 5.8, "d_prime_m": 180.0, "mss_mps": 8.9}
    path = tmp_path / "kim.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    r = runner_from_profile(path)
    assert isinstance(r, Runner)
    assert (r.name, r.cs_mps, r.d_prime_m, r.mss_mps) == ("kim", 5.8, 180.0, 8.9)
    assert r.tactic == sit_and_kick(200.0)
    assert r.sd_d_prime == SD_D_PRIME
    assert runner_from_profile(data).name == "athlete"
    assert runner_from_profile({**data, "name": "Kim K"}).name == "Kim K"
    named = runner_from_profile(str(path), name="Lee", tactic="surge@600:6.6", mss_mps=9.2)
    assert (named.name, named.mss_mps) == ("Lee", 9.2)
    assert named.tactic == long_surge(600.0, 6.6)
    assert runner_from_profile(data, tactic=even(6.0)).tactic == even(6.0)


def test_runner_from_profile_errors(tmp_path) -> None:
    path = tmp_path / "nomss.json"
    path.write_text(json.dumps({"cs_mps": 5.8, "d_prime_m": 180.0, "mss_mps": None}), "utf-8")
    with pytest.raises(InvalidValue) as info:
        runner_from_profile(path)
    assert "mss_mps" in info.value.reason and info.value.source == str(path)
    assert runner_from_profile(path, mss_mps=8.5).mss_mps == 8.5
    with pytest.raises(InvalidValue):
        runner_from_profile(tmp_path / "missing.json")
    with pytest.raises(InvalidValue):
        runner_from_profile({"cs_mps": 5.8})
    with pytest.raises(InvalidValue):
        runner_from_profile({"cs_mps": "fast", "d_prime_m": 150.0, "mss_mps": 8.0})
    with pytest.raises(InvalidValue):
        runner_from_profile(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        runner_from_profile({"cs_mps": 5.8, "d_prime_m": 150.0, "mss_mps": 8.0}, tactic="x")


# ----------------------------------------------------------------------------- fields
@settings(max_examples=20, deadline=None)
@given(st.integers(1, 40), st.sampled_from([800.0, 1500.0, 5000.0]), st.integers(0, 10))
def test_default_field(n: int, distance: float, seed: int) -> None:
    field = default_field(n, distance, seed=seed)
    assert [r.name for r in field] == [f"R{i}" for i in range(1, n + 1)]
    assert len({(r.cs_mps, r.d_prime_m, r.mss_mps, r.tactic) for r in field}) == 1
    r = field[0]
    assert (r.cs_mps, r.d_prime_m, r.mss_mps) == (5.5, 150.0, 8.0)
    assert r.tactic.kind == "sit_and_kick" and r.tactic.kick_at_m == 200.0
    best = float(best_even_speed_mps(distance, 5.5, 150.0, 8.0))
    assert r.tactic.lead_mps == pytest.approx(TACTICAL_LEAD_FRACTION * best, rel=1e-12)
    assert r.tactic.lead_mps < best
    assert (r.sd_cs, r.sd_d_prime, r.sd_mss) == (0.01, 0.05, 0.02)
    assert default_field(n, distance, seed=seed + 1) == field


@pytest.mark.parametrize("n", [0, 41, -1, 2.5, True, "8"])
def test_default_field_size(n) -> None:
    with pytest.raises(InvalidValue):
        default_field(n, D)


# ----------------------------------------------------------------------------- courses
def test_course_from_options() -> None:
    assert course_from_options(D) == Course(D)
    c = course_from_options(5000.0, road=True, wind_mps=3.0, wind_dir_deg=180.0, wbgt_c=24.0)
    assert (c.kind, c.wind_mps, c.wind_dir_deg, c.wbgt_c) == ("road", 3.0, 180.0, 24.0)
    s = course_from_options(3000.0, steeple=True, lane=2)
    assert s.steeple and s.kind == "track" and s.lane == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"road": True, "steeple": True},
        {"road": True, "lane": 3},
        {"lane": 10},
        {"wind_mps": -1.0},
        {"wbgt_c": 80.0},
    ],
)
def test_course_from_options_errors(kwargs) -> None:
    with pytest.raises(InvalidValue):
        course_from_options(D, **kwargs)
