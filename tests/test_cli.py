"""The command line: inspect (table and JSON), errors as one line with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kicklab.cli import app
from tests.conftest import shared_file

runner = CliRunner()


def test_inspect_json_keys():
    path = shared_file("gc__10kUNLP2014-Garmin15.fit")
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    for key in (
        "path",
        "format",
        "sport",
        "start_time",
        "duration_s",
        "moving_time_s",
        "distance_m",
        "n_records",
        "n_laps",
        "fields",
    ):
        assert key in obj
    assert obj["format"] == "fit"
    assert obj["start_time"] == "2014-10-11T18:08:45Z"
    assert obj["distance_m"] == pytest.approx(10010.8, rel=0.01)
    assert obj["n_laps"] == 11


def test_inspect_several_files_with_one_bad(tmp_path):
    good = shared_file("runalyze__Fenix-2-pauses.fit")
    bad = shared_file("fitdecode__invalid_activity-filecrc.fit")
    result = runner.invoke(app, ["inspect", str(good), str(bad), "--json"])
    assert result.exit_code == 2
    listed = json.loads(result.stdout)
    assert isinstance(listed, list) and len(listed) == 1
    assert listed[0]["moving_time_s"] < listed[0]["duration_s"]
    assert f"error: {bad}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_inspect_table_output():
    path = shared_file("runalyze__standard.gpx")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "gpx" in result.stdout


def test_missing_file_one_line(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path / "nope.fit")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ")


def test_console_script_demo(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            *("-m", "kicklab.cli", "demo", "--out", str(tmp_path), "--json", "--trials", "60"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["activity"]["format"] == "fit"
    assert obj["activity"]["distance_m"] == pytest.approx(1500, rel=0.01)
    assert (tmp_path / "sample-1500m.fit").is_file()
    # the kick is found where the sample put it (GPS noise 3 m)
    analysis = obj["analysis"]
    assert analysis["class"] == "kick"
    truth = obj["truth"]["kick_onset_distance_to_go_m"]
    assert analysis["kick"]["onset_distance_to_go_m"] == pytest.approx(truth, abs=20)
    assert analysis["compare"][0]["athlete"] == "you"
    html = (tmp_path / "sample-1500m.html").read_text(encoding="utf-8")
    assert '<script src="http' not in html
    # the season: 4 athletes × 4 meets as FIT files, profiles, advice, one report page
    season = obj["season"]
    assert len(season["races"]) == 16
    assert all(
        (tmp_path / "season").joinpath(*r["path"].split("/")[-2:]).is_file()
        for r in season["races"]
    )
    assert len(season["profiles"]) == 4
    assert set(season["advice"]) == {"Kim (kicker)", "Sam (surger)"}
    assert (tmp_path / "season.html").is_file()


# ----------------------------------------------------------------------------- analyze
_KICK_KEYS = (
    "detected",
    "onset_distance_to_go_m",
    "onset_time_to_go_s",
    "peak_speed_mps",
    "mean_speed_mps",
    "gain_pct",
    "final_400_s",
    "cadence_share_pct",
    "step_length_share_pct",
)


@pytest.fixture(scope="module")
def sample_fit(tmp_path_factory):
    from kicklab.io import write_fit
    from kicklab.samples import sample_race

    path = tmp_path_factory.mktemp("analyze") / "race.fit"
    write_fit(sample_race(kick_distance_to_go_m=300, kick_gain=0.15, seed=3), path)
    return path


def test_analyze_json_keys(sample_fit):
    result = runner.invoke(app, ["analyze", str(sample_fit), "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["class"] == "kick"
    assert set(_KICK_KEYS) <= set(obj["kick"])
    assert isinstance(obj["surges"], list)
    assert obj["kick"]["onset_distance_to_go_m"] == pytest.approx(300, abs=20)
    shares = obj["kick"]["cadence_share_pct"] + obj["kick"]["step_length_share_pct"]
    assert shares == pytest.approx(100.0)


def test_analyze_terminal_and_html(sample_fit, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["analyze", str(sample_fit), "--html", str(out), "--compare"])
    assert result.exit_code == 0, result.output
    assert "kick" in result.stdout and "famous" in result.stdout
    assert out.is_file() and "plotly" in out.read_text(encoding="utf-8")[:5_000_000]


def test_analyze_race_distance_inside_longer_activity(sample_fit):
    result = runner.invoke(app, ["analyze", str(sample_fit), "--race-distance", "800m", "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["race"]["rule"] == "race_distance"
    assert obj["race"]["distance_m"] == pytest.approx(800)


def test_analyze_splits_json():
    splits = "400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53"
    result = runner.invoke(app, ["analyze", "--splits", splits, "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["coarse"] is True
    assert obj["kick"]["detected"] is True
    assert obj["kick"]["onset_distance_to_go_m"] == pytest.approx(300)
    assert obj["kick"]["cadence_share_pct"] is None
    assert obj["kick"]["final_400_s"] > 0


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "--splits", "400:58.85,800:50"],  # times not increasing
        ["analyze", "--race-distance", "fast", "race.fit"],
        ["analyze"],
    ],
)
def test_analyze_bad_input_one_line(args, tmp_path):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ")


def test_analyze_bad_and_good_files_together(sample_fit, tmp_path):
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"\x0e\x10garbage")
    result = runner.invoke(app, ["analyze", str(bad), str(sample_fit), "--json"])
    assert result.exit_code == 2
    assert f"error: {bad}" in result.stderr
    assert json.loads(result.stdout)[0]["class"] == "kick"


# ----------------------------------------------------------------------------- profile
def test_profile_json_keys(tmp_path):
    save = tmp_path / "me.json"
    result = runner.invoke(
        app,
        [
            "profile",
            "--efforts",
            "1500:3:26.00,1609.34:3:43.13,3000:7:20.67,5000:12:35.36",
            "--mss",
            "10.2",
            "--json",
            "--save",
            str(save),
        ],
    )
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    for key in (
        "cs_mps",
        "d_prime_m",
        "cs_ci95",
        "d_prime_ci95",
        "mss_mps",
        "asr_mps",
        "srr",
        "profile_type",
        "predictions",
    ):
        assert key in obj
    assert len(obj["cs_ci95"]) == 2 and obj["mss_mps"] == 10.2
    assert json.loads(save.read_text())["cs_mps"] == obj["cs_mps"]
    # the saved profile adds D' balance to a kick analysis
    out = runner.invoke(
        app,
        [
            "analyze",
            "--splits",
            "400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53",
            "--profile",
            str(save),
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    kick = json.loads(out.stdout)["kick"]
    assert 0 < kick["d_balance_at_onset_m"] <= obj["d_prime_m"]


def test_profile_terminal_and_mile_word():
    result = runner.invoke(
        app, ["profile", "--efforts", "mile:4:00,5000:14:00,3000:8:10", "--distances", "mile,5km"]
    )
    assert result.exit_code == 0, result.output
    assert "critical speed" in result.stdout and "1609.34 m" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["profile"],
        ["profile", "--efforts", "1500:3:26"],
        ["profile", "--efforts", "1500:fast,3000:8:00"],
        ["analyze", "--splits", "400:60,800:2:00", "--cs", "5"],
    ],
)
def test_profile_bad_input_one_line(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ")
