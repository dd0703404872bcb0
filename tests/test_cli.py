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
        [sys.executable, "-m", "kicklab.cli", "demo", "--out", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
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
