"""The simulated season behind ``kicklab demo``: files, analyses, profiles, advice, report."""

from __future__ import annotations

import json

import pytest

from kicklab.errors import InvalidValue
from kicklab.race.course import Course
from kicklab.season import DEMO_MEETS, Meet, Season, demo_athletes, run_season
from kicklab.season_report import render_season_html, write_season_html

ONSETS = (100.0, 300.0, 600.0)
STARTS = (600.0, 1000.0)


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Season:
    folder = tmp_path_factory.mktemp("season")
    meets = (
        Meet("2026-05-02", "1500 m", Course(1500.0)),
        Meet("2026-05-23", "3000 m (paced)", Course(3000.0), paced=True),
    )
    stages: list[str] = []
    result = run_season(
        folder,
        meets=meets,
        advise_athletes=["Sam (surger)"],
        trials=60,
        progress=lambda stage, done, total: stages.append(stage),
    )
    result.stages = stages  # type: ignore[attr-defined]
    return result


def test_every_athlete_races_every_meet_and_gets_a_fit_file(season):
    from pathlib import Path

    assert len(season.races) == 4 * 2
    for row in season.races.to_dict(orient="records"):
        assert Path(row["path"]).is_file()
        assert row["error"] is None
    # places 1..4 in each meet, times in a plausible range for CS ≈ 5.5 m/s
    for _, meet in season.races.groupby("meet"):
        assert sorted(meet["place"]) == [1, 2, 3, 4]
    mile = season.races[season.races["meet"] == "1500 m"]
    assert mile["time_s"].between(230, 290).all()
    assert set(season.stages) == {"race", "analyse", "profile", "advise"}


def test_paced_meets_are_run_at_even_pace(season):
    paced = season.races[season.races["meet"] == "3000 m (paced)"]
    assert set(paced["tactic"]) == {"even"}
    assert paced["true_kick_to_go_m"].isna().all()


def test_profiles_recover_critical_speed_from_the_files(season):
    prof = season.profiles.set_index("athlete")
    assert prof["error"].isna().all()
    # CS from two race files of each athlete: within 0.3 m/s of the truth
    assert (prof["cs_mps"] - prof["true_cs_mps"]).abs().max() < 0.3
    # MSS comes from the sprint test: within 4 % (1 % measurement error, 3 SD + margin)
    assert ((prof["mss_mps"] / prof["true_mss_mps"]) - 1).abs().max() < 0.04


def test_surger_gets_surge_advice_in_words_and_numbers(season):
    adv = season.advice["Sam (surger)"]
    assert adv["best_kick_onset_m"] in ONSETS or adv["best_kick_onset_m"] > 0
    assert adv["surge"] is not None
    assert adv["best_surge_start_m"] > 0 and adv["best_surge_speed_mps"] > 5.0
    assert any("Sam" in line for line in adv["text"])


def test_to_dict_is_json_and_the_report_is_offline(season, tmp_path):
    text = json.dumps(season.to_dict(), allow_nan=False)
    assert "Sam (surger)" in text
    page = render_season_html(season)
    assert page.count("<script") >= 1 and '<script src="http' not in page
    assert "Advice for the championship" in page and "Sam (surger)" in page
    path = write_season_html(season, tmp_path / "season.html")
    assert path.stat().st_size > 1_000_000  # plotly.js embedded


def test_demo_defaults_are_consistent():
    names = [a.name for a in demo_athletes()]
    assert len(set(names)) == len(names) == 4
    assert any(m.paced for m in DEMO_MEETS) and any(not m.paced for m in DEMO_MEETS)
    # the surger's CS is above the kickers', its MSS below
    by = {a.name.split()[0]: a for a in demo_athletes()}
    assert by["Sam"].cs_mps > by["Kim"].cs_mps and by["Sam"].mss_mps < by["Kim"].mss_mps


def test_bad_inputs(tmp_path):
    with pytest.raises(InvalidValue):
        run_season(tmp_path, meets=())
    with pytest.raises(InvalidValue):
        run_season(tmp_path, athletes=[])
    with pytest.raises(InvalidValue):
        render_season_html("not a season")  # type: ignore[arg-type]
