"""The race commands: kicklab race, pace and advise (JSON, tables, errors as one line)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kicklab.cli import app

runner = CliRunner()

#: A strong kicker against default runners (CS 5.5 m/s, D' 150 m, MSS 8 m/s).
KIM = "Kim:5.7:180:8.8:kick@250"


def run(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result, source: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {source}: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# ----------------------------------------------------------------------------- race
@pytest.fixture(scope="module")
def race_json() -> dict:
    result = run(
        "race", "--distance", "800", "--runner", KIM, "--runners", "3",
        "--trials", "60", "--seed", "1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress output with --json
    return json.loads(result.stdout)


def test_race_json_runners(race_json: dict) -> None:
    rows = race_json["runners"]
    assert [r["name"] for r in rows] == ["Kim", "R1", "R2", "R3"]
    assert race_json["trials"] == 60
    assert sum(r["win_probability"] for r in rows) == pytest.approx(1.0, abs=1e-9)
    for r in rows:
        assert r["win_ci_low"] <= r["win_probability"] <= r["win_ci_high"]
        assert r["win_ci_low"] >= 0.0 and r["win_ci_high"] <= 1.0
        assert r["win_probability"] <= r["podium_probability"] <= 1.0
        assert 1.0 <= r["mean_place"] <= 4.0
        assert 100.0 < r["mean_time_s"] < 150.0  # 800 m for CS 5.5–5.7 m/s runners
    # the stronger kicker (more CS, D' and MSS) wins most races
    assert rows[0]["win_probability"] > 0.5
    assert rows[0]["tactic"] == "kick@250"
    assert rows[1]["tactic"].startswith("kick@200/lead=")
    assert race_json["course"]["distance_m"] == 800.0 and race_json["course"]["kind"] == "track"
    assert {s["distance_m"] for s in race_json["splits"]} == {400.0, 800.0}


def test_race_table_and_splits() -> None:
    result = run(
        "race", "--distance", "0.8km", "--runner", KIM, "--runners", "2",
        "--trials", "20", "--splits",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "800 m (track, lane 1)" in out and "20 simulated races" in out
    for text in ("Kim", "R1", "R2", "kick@250", "win %", "podium %", "mean splits", "400 m"):
        assert text in out
    # the winner is listed first
    assert out.index("Kim") < out.index("R1")


def test_race_long_splits_table_is_thinned() -> None:
    result = run(
        "race", "--distance", "3000", "--road", "--runners", "2", "--trials", "3",
        "--dt", "0.5", "--splits",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3000 m (road)" in result.stdout
    header = result.stdout[result.stdout.index("mean splits") :]
    assert "800 m" in header and "2400 m" in header and "3000 m" in header
    assert "1200 m" not in header  # 8 marks thinned to every second one and the finish


def test_race_runners_option_and_default_field() -> None:
    five = json.loads(
        run(
            "race", "--distance", "800", "--runners", "5", "--trials", "5", "--dt", "0.5", "--json"
        ).stdout
    )
    assert [r["name"] for r in five["runners"]] == ["R1", "R2", "R3", "R4", "R5"]
    default = json.loads(
        run("race", "--distance", "800", "--trials", "5", "--dt", "0.5", "--json").stdout
    )
    assert len(default["runners"]) == 8


def test_race_profile_runner(tmp_path) -> None:
    path = tmp_path / "lee.json"
    path.write_text(json.dumps({"cs_mps": 5.9, "d_prime_m": 200.0, "mss_mps": None}), "utf-8")
    args = ["race", "--distance", "800", "--profile", str(path), "--runners", "2"]
    result = run(*args, "--mss", "9.0", "--trials", "30", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["runners"]] == ["lee", "R1", "R2"]
    lee = data["settings"]["runners"][0]
    assert (lee["cs_mps"], lee["d_prime_m"], lee["mss_mps"]) == (5.9, 200.0, 9.0)
    assert data["runners"][0]["win_probability"] > 0.5
    # without --mss the profile has no sprint speed: one error line naming the file
    one_error_line(run(*args, "--trials", "5"), str(path))


def test_race_seeded() -> None:
    args = [
        "race",
        "--distance",
        "800",
        "--runners",
        "3",
        "--trials",
        "10",
        "--dt",
        "0.5",
        "--json",
    ]
    a, b = run(*args, "--seed", "4").stdout, run(*args, "--seed", "4").stdout
    assert a == b


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["--runner", "Kim:5.6:160"], "--runner"),
        (["--runner", "Kim:5.6:160:8.6:sprint@200"], "--runner"),
        (["--runner", "Kim:5.6:160:8.6:kick@2000"], "--runner"),
        (["--runners", "0"], "--runners"),
        (["--runners", "41"], "--runners"),
        (["--runner", "R1:5.6:160:8.6", "--runners", "2"], "field"),
        (["--trials", "0"], "race"),
        (["--dt", "5"], "race"),
        (["--lane", "12"], "course"),
        (["--road", "--steeple"], "course"),
        (["--wind", "-3"], "course"),
    ],
)
def test_race_bad_input_is_one_line(args: list[str], source: str) -> None:
    one_error_line(run("race", "--distance", "1500", "--trials", "5", *args), source)


@pytest.mark.parametrize("distance", ["abc", "0", "-800", "12:34", "nan"])
def test_bad_distance(distance: str) -> None:
    for command in ("race", "pace"):
        one_error_line(run(command, "--distance", distance), "--distance")


def test_race_needs_distance() -> None:
    assert run("race").exit_code == 2


# ----------------------------------------------------------------------------- pace
def test_pace_keller_1500() -> None:
    optimal = pytest.importorskip("kicklab.race.optimal")
    pytest.importorskip("casadi")
    result = run("pace", "--distance", "1500", "--model", "keller", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reference = optimal.keller(1500.0).time_s
    assert data["model"] == "keller" and data["success"] is True
    assert data["time_s"] == pytest.approx(reference, rel=0.01)
    # Keller 1974's constants give 219.4 s (3:39.4) for 1500 m (kicklab.race.optimal.keller)
    assert data["time_s"] == pytest.approx(219.41, rel=0.01)
    splits = data["splits"]
    assert [s["distance_m"] for s in splits] == [100.0 * k for k in range(1, 16)]
    assert splits[-1]["time_s"] == pytest.approx(data["time_s"])
    times = [s["time_s"] for s in splits]
    assert all(b > a for a, b in zip(times, times[1:]))
    # the middle 100 m splits are Keller's constant speed (≈ 6.85 m/s, 14.6 s per 100 m)
    assert times[8] - times[7] == pytest.approx(100.0 / 6.85, rel=0.01)
    assert len(data["profile"]) == 201
    assert data["profile"][-1]["distance_m"] == pytest.approx(1500.0)
    assert "even_time_s" not in data


def test_pace_keller_table() -> None:
    pytest.importorskip("casadi")
    result = run("pace", "--distance", "1500", "--model", "keller", "--n", "60")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "3:39." in out and "Keller" in out and "shape:" in out and "holds 6.8" in out
    for mark in ("400 m", "800 m", "1200 m", "1500 m"):
        assert mark in out


def test_pace_morton_json() -> None:
    pytest.importorskip("casadi")
    args = ["pace", "--distance", "1500", "--cs", "5.5", "--d-prime", "250", "--mss", "9"]
    result = run(*args, "--n", "40", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "model", "distance_m", "time_s", "even_time_s", "profile", "splits",
        "solve_time_s", "success",
    ):  # fmt: skip
        assert key in data
    assert data["model"] == "morton" and data["success"] is True
    assert data["distance_m"] == 1500.0
    assert data["profile"][0].keys() == {"distance_m", "t_s", "speed_mps"}
    assert len(data["profile"]) == 41
    assert data["splits"][-1] == {"distance_m": 1500.0, "time_s": data["time_s"]}
    # optimal pacing is never slower than the best even pace (flat, calm) nor below the
    # 2-parameter bound (distance − D')/CS
    assert (1500.0 - 250.0) / 5.5 < data["time_s"] <= data["even_time_s"] + 1e-6
    assert data["athlete_defaults"] is False
    assert data["params"]["cs_mps"] == 5.5


def test_pace_morton_defaults_and_wind() -> None:
    pytest.importorskip("casadi")
    result = run("pace", "--distance", "1500", "--n", "30")
    assert result.exit_code == 0, result.output
    assert "default runner" in result.stdout and "CS 5.5 m/s" in result.stdout
    calm = json.loads(run("pace", "--distance", "1500", "--n", "30", "--json").stdout)
    head = json.loads(
        run(
            "pace", "--distance", "1500", "--n", "30", "--road", "--wind", "4",
            "--wind-dir", "180", "--json",
        ).stdout
    )  # fmt: skip
    assert calm["athlete_defaults"] is True
    assert head["time_s"] > calm["time_s"] + 1.0  # a 4 m/s headwind costs seconds


def test_pace_profile(tmp_path) -> None:
    pytest.importorskip("casadi")
    path = tmp_path / "kim.json"
    path.write_text(json.dumps({"cs_mps": 5.5, "d_prime_m": 250.0, "mss_mps": 9.0}), "utf-8")
    by_profile = json.loads(
        run("pace", "--distance", "1500", "--profile", str(path), "--n", "30", "--json").stdout
    )
    by_values = json.loads(
        run(
            "pace", "--distance", "1500", "--cs", "5.5", "--d-prime", "250", "--mss", "9",
            "--n", "30", "--json",
        ).stdout
    )  # fmt: skip
    assert by_profile["time_s"] == pytest.approx(by_values["time_s"], rel=1e-9)


def test_pace_without_casadi_is_one_line(monkeypatch) -> None:
    from kicklab.errors import InvalidValue
    from kicklab.race import optimal

    def missing():
        raise InvalidValue(
            "optimal pacing needs CasADi; install it with: pip install 'kicklab[opt]'"
        )

    monkeypatch.setattr(optimal, "_casadi", missing)
    for model in ("keller", "morton"):
        result = run("pace", "--distance", "1500", "--model", model)
        one_error_line(result, "pace")
        assert "CasADi" in result.stderr


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["--model", "keller", "--cs", "5.5"], "--model"),
        (["--model", "keller", "--wind", "2"], "--model"),
        (["--model", "riegel"], "--model"),
        (["--cs", "5.5", "--d-prime", "150"], "pace"),
        (["--cs", "5.5", "--d-prime", "150", "--mss", "5.0"], "pace"),
        (["--n", "3"], "pace"),
    ],
)
def test_pace_bad_input_is_one_line(args: list[str], source: str) -> None:
    pytest.importorskip("casadi")
    one_error_line(run("pace", "--distance", "1500", *args), source)


# ----------------------------------------------------------------------------- advise
def test_advise_needs_one_athlete(tmp_path) -> None:
    one_error_line(run("advise", "--distance", "1500"), "advise")
    both = ["--athlete", KIM, "--profile", str(tmp_path / "x.json")]
    one_error_line(run("advise", "--distance", "1500", *both), "advise")
    one_error_line(run("advise", "--distance", "1500", "--athlete", "Kim:5"), "--athlete")


ADVISE = ["advise", "--distance", "400", "--trials", "20", "--seed", "2", "--dt", "0.5"]


def test_advise_json() -> None:
    pytest.importorskip("kicklab.race.tactics")
    result = run(*ADVISE, "--athlete", KIM, "--rivals", "2", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress output with --json
    data = json.loads(result.stdout)
    for key in (
        "athlete", "course", "best_kick_onset_m", "win_probability", "kick",
        "best_surge_start_m", "best_surge_speed_mps", "surge", "text",
    ):  # fmt: skip
        assert key in data
    assert data["athlete"] == "Kim" and data["course"]["distance_m"] == 400.0
    curve = data["kick"]["curve"]
    assert len(curve) >= 2
    for row in curve:
        assert row["ci_low"] <= row["probability"] <= row["ci_high"]
        assert row["probability"] == row["win_probability"]  # objective win
        assert 0.0 < row["onset_m"] < 400.0
    best = max(row["probability"] for row in curve)
    assert data["win_probability"] == best
    assert data["best_kick_onset_m"] in [r["onset_m"] for r in curve if r["probability"] == best]
    # Kim has the field's biggest speed reserve (MSS - CS): no surge advice
    assert data["surge"] is None and data["best_surge_start_m"] is None
    assert data["text"] and all(isinstance(s, str) for s in data["text"])


def test_advise_table_with_surge() -> None:
    pytest.importorskip("kicklab.race.tactics")
    # Ann has more CS but less speed reserve than Kim: kick curve and surge advice
    args = ["--athlete", "Ann:6.0:120:7.8", "--rival", "Kim:5.6:180:8.8:kick@200", "--rivals", "3"]
    result = run(*ADVISE, *args, "--objective", "podium")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Ann", "kick from", "podium % (95 % CI)", "win %", "long surge instead"):
        assert text in out
    assert "best surge" in out and "if Kim lets you go" in out


def test_advise_profile_athlete(tmp_path) -> None:
    pytest.importorskip("kicklab.race.tactics")
    path = tmp_path / "kim.json"
    path.write_text(json.dumps({"cs_mps": 5.7, "d_prime_m": 180.0, "mss_mps": 8.8}), "utf-8")
    result = run(*ADVISE, "--profile", str(path), "--rivals", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["athlete"] == "kim"


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["--objective", "bronze"], "advise"),
        (["--objective", "podium", "--rivals", "2"], "advise"),  # top 3 of 3 is no objective
        (["--rival", "Lee:5.5"], "--rival"),
        (["--rivals", "0"], "--rivals"),
    ],
)
def test_advise_bad_input(args: list[str], source: str) -> None:
    pytest.importorskip("kicklab.race.tactics")
    one_error_line(run(*ADVISE, "--athlete", KIM, *args), source)


def test_pace_morton_with_an_acceleration_limit_from_rest():
    base = json.loads(runner.invoke(app, ["pace", "--distance", "1500", "--json"]).stdout)
    result = runner.invoke(
        app, ["pace", "--distance", "1500", "--accel", "1", "--start-speed", "0", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # a standing start at ≤ 1 m/s² costs seconds, not minutes
    assert 1.0 < data["time_s"] - base["time_s"] < 6.0
    bad = runner.invoke(app, ["pace", "--distance", "1500", "--model", "keller", "--accel", "1"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ")
