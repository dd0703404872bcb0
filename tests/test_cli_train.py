"""The training commands: kicklab plan (exports, JSON, errors) and kicklab progress."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import kicklab.cli_train  # noqa: F401  (registers plan and progress on the app)
from kicklab.cli import app
from kicklab.io import write_fit
from kicklab.samples import sample_race

runner = CliRunner()

PROFILE = ["--cs", "5.2", "--d-prime", "180", "--mss", "8.5"]


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(result, source: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {source}: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return lines[0]


# ----------------------------------------------------------------------------- plan
@pytest.fixture(scope="module")
def plan_json() -> dict:
    result = run(
        "plan", "--race-date", "2027-06-05", "--distance", "1500", *PROFILE,
        "--start", "2027-03-01", "--days", "5", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_plan_json_sessions_have_date_title_focus_targets(plan_json):
    sessions = plan_json["sessions"]
    assert len(sessions) > 20
    for s in sessions:
        assert {"date", "title", "focus", "targets"} <= set(s)
    dates = [s["date"] for s in sessions]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0] >= "2027-03-01" and dates[-1] <= "2027-06-05"
    assert plan_json["profile"]["cs_mps"] == pytest.approx(5.2)
    assert plan_json["profile"]["mss_mps"] == pytest.approx(8.5)
    # the speed reserve is worked out from the three numbers given
    assert plan_json["profile"]["asr_mps"] > 2.0


def test_plan_table_and_every_export(tmp_path):
    files = {
        "ics": tmp_path / "plan.ics",
        "fit": tmp_path / "workouts",
        "md": tmp_path / "plan.md",
        "html": tmp_path / "plan.html",
    }
    result = run(
        "plan", "--race-date", "2027-06-05", "--distance", "mile", *PROFILE,
        "--start", "2027-03-01", "--level", "advanced", "--athlete", "Kim",
        "--ics", files["ics"], "--fit-dir", files["fit"], "--md", files["md"],
        "--html", files["html"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "first 2 weeks" in out and "sessions per focus" in out
    assert out.count("wrote") == 4
    assert files["ics"].read_bytes().startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    fits = sorted(files["fit"].glob("*.fit"))
    assert fits and all(p.name[:4] == "2027" for p in fits)
    assert files["md"].read_text(encoding="utf-8").startswith("# Training plan for Kim")
    assert "<!DOCTYPE html>" in files["html"].read_text(encoding="utf-8")


def test_plan_from_a_saved_profile(tmp_path):
    saved = tmp_path / "profile.json"
    saved.write_text(json.dumps({"cs_mps": 4.6, "d_prime_m": 150.0}), encoding="utf-8")
    result = run(
        "plan", "--race-date", "2027-06-05", "--distance", "800", "--profile", saved,
        "--mss", "7.9", "--start", "2027-04-01", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["profile"]["cs_mps"] == pytest.approx(4.6)
    assert data["profile"]["mss_mps"] == pytest.approx(7.9)


@pytest.mark.parametrize(
    ("args", "source", "words"),
    [
        (["--race-date", "2027-02-01", *PROFILE, "--start", "2027-03-01"], "plan", "after"),
        (["--race-date", "2027-06-05", *PROFILE, "--level", "elite"], "plan", "level"),
        (["--race-date", "2027-06-05", "--start", "2027-03-01"], "plan", "profile"),
        (["--race-date", "2027-06-05", "--cs", "5.2", "--start", "2027-03-01"], "plan", "--cs"),
        (["--race-date", "5 June", *PROFILE], "plan", "YYYY-MM-DD"),
        (
            [
                "--race-date",
                "2027-06-05",
                *PROFILE,
                "--start",
                "2027-03-01",
                "--profile",
                "missing.json",
            ],
            "missing.json",
            "cannot read",
        ),
    ],  # fmt: skip
)
def test_plan_bad_input_is_one_error_line(args, source, words):
    result = run("plan", "--distance", "1500", *args)
    line = one_error_line(result, source)
    assert words in line


def test_plan_with_a_bad_kick_file(tmp_path):
    bad = tmp_path / "race.fit"
    bad.write_bytes(b"garbage")
    result = run(
        "plan", "--race-date", "2027-06-05", "--distance", "1500", *PROFILE,
        "--start", "2027-03-01", "--kick-file", bad,
    )  # fmt: skip
    one_error_line(result, str(bad))


# ----------------------------------------------------------------------------- progress
@pytest.fixture(scope="module")
def races(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-progress")
    paths = []
    for i, (day, gain) in enumerate((("2027-01-05", 0.06), ("2027-02-05", 0.12),
                                     ("2027-03-05", 0.18))):  # fmt: skip
        race = sample_race(1500.0, kick_gain=gain, kick_distance_to_go_m=300.0, seed=10 + i,
                           start_time=f"{day}T09:00Z")  # fmt: skip
        path = folder / f"race-{i}.fit"
        write_fit(race, path)
        paths.append(path)
    bad = folder / "broken.gpx"
    bad.write_text("<gpx>", encoding="utf-8")
    return paths, bad


def test_progress_table_and_error_line(races, tmp_path):
    paths, bad = races
    html = tmp_path / "progress.html"
    result = run("progress", paths[2], bad, paths[0], paths[1], "--html", html)
    assert result.exit_code == 2  # one file could not be read; the others are shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: ")
    out = result.stdout
    assert out.index("2027-01-05") < out.index("2027-02-05") < out.index("2027-03-05")
    trend = out[out.index("trend of the final 400 m:") :].split("\n\n")[0]
    assert "improving" in trend and "worsening" not in trend
    assert "race-0.fit, race-1.fit, race-2.fit" in out  # every race a PB
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_progress_json(races):
    paths, _ = races
    result = run("progress", *paths[::-1], "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["date"][:10] for r in data["rows"]] == ["2027-01-05", "2027-02-05", "2027-03-05"]
    assert [r["pb_400"] for r in data["rows"]] == [True, True, True]
    finals = [r["final_400_s"] for r in data["rows"]]
    assert finals[0] > finals[1] > finals[2]
    assert data["trends"]["final_400_s"]["direction"] == "improving"
    assert data["trends"]["gain_pct"]["direction"] == "improving"
    assert data["errors"] == []
