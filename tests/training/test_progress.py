"""Tests of kicklab.training.progress: PB progression, trends, and progress over real files."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.io import write_fit
from kicklab.samples import sample_race
from kicklab.training.progress import (
    DUPLICATE_DISTANCE_FRACTION,
    DUPLICATE_START_S,
    PROGRESS_COLUMNS,
    linear_trend,
    pb_progression,
    render_progress_html,
    track_progress,
    write_progress_html,
)
from tests.conftest import shared_file

# ---------------------------------------------------------------------------- plain functions


def test_pb_progression_flags_only_strict_improvements():
    t = [np.nan, 90.0, 91.0, 89.0, 89.0, np.nan, 88.5]
    assert pb_progression(t).tolist() == [False, True, False, True, False, False, True]
    assert pb_progression([]).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(math.nan), st.floats(30, 300)), max_size=30))
def test_pb_progression_matches_its_definition(times):
    flags = pb_progression(times)
    for i, t in enumerate(times):
        earlier = [x for x in times[:i] if not math.isnan(x)]
        expected = not math.isnan(t) and all(t < x for x in earlier)
        assert flags[i] == expected


def test_linear_trend_slope_per_30_days_and_words():
    tr = linear_trend([0, 30, 60], [90.0, 88.0, 86.0], better=-1, unit="s")
    assert tr["slope_per_30_days"] == pytest.approx(-2.0, abs=1e-9)
    assert tr["r2"] == pytest.approx(1.0)
    assert tr["direction"] == "improving"
    assert tr["words"].startswith("improving: -2.00 s per 30 days")
    # the same numbers where higher is better
    assert linear_trend([0, 30, 60], [90.0, 88.0, 86.0], better=+1)["direction"] == "worsening"
    # a rising gain is an improvement
    assert linear_trend([0, 15, 45], [5.0, 6.0, 8.0], better=+1)["direction"] == "improving"


def test_linear_trend_needs_three_dated_points_on_different_days():
    few = linear_trend([0, 30, np.nan], [90.0, 88.0, 80.0])
    assert few["n"] == 2 and few["slope_per_30_days"] is None and few["direction"] is None
    assert "too few" in few["words"]
    same_day = linear_trend([5, 5, 5], [90.0, 88.0, 86.0])
    assert same_day["slope_per_30_days"] is None and "same day" in same_day["words"]
    flat = linear_trend([0, 10, 20], [60.0, 60.0, 60.0])
    assert flat["direction"] == "flat" and flat["slope_per_30_days"] == 0.0


def test_track_progress_rejects_a_non_collection():
    with pytest.raises(InvalidValue):
        track_progress(42)  # type: ignore[arg-type]
    empty = track_progress([])
    assert list(empty.table.columns) == list(PROGRESS_COLUMNS) and len(empty.table) == 0
    assert empty.trends["final_400_s"]["slope_per_30_days"] is None


# ---------------------------------------------------------------------------- synthetic races

#: (date, kick gain): the kicks get bigger, except the third race.
_RACES = (
    ("2027-01-10", 0.08),
    ("2027-02-10", 0.14),
    ("2027-03-10", 0.10),
    ("2027-04-10", 0.20),
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress")
    paths = []
    for i, (day, gain) in enumerate(_RACES):
        race = sample_race(
            1500.0, kick_gain=gain, kick_distance_to_go_m=300.0, seed=i, start_time=f"{day}T10:00Z"
        )
        path = folder / f"race-{i}.fit"
        write_fit(race, path)
        paths.append(path)
    undated = sample_race(1500.0, kick_gain=0.02, seed=9, start_time=None)
    undated.metadata["source"] = "undated <race>"
    bad = folder / "broken.fit"
    bad.write_bytes(b"this is not an activity file")
    # given out of order, with a broken file and a race without a date among them
    items = [paths[2], undated, paths[0], bad, paths[3], paths[1]]
    return paths, track_progress(items)


def test_synthetic_rows_are_in_date_order_with_the_undated_race_last(synthetic):
    paths, result = synthetic
    t = result.table
    assert t["file"].tolist() == [str(p) for p in paths] + ["undated <race>"]
    assert t["date"].iloc[:4].dt.strftime("%Y-%m-%d").tolist() == [d for d, _ in _RACES]
    assert pd.isna(t["date"].iloc[4])
    assert any("without a start time" in n and "undated <race>" in n for n in result.notes)
    (err,) = result.errors
    assert err.source.endswith("broken.fit")
    assert (t["distance_m"] == 1500.0).all()


def test_synthetic_kicks_pbs_and_trends(synthetic):
    _, result = synthetic
    t = result.table
    # the kick's gain is measured near the generated one (fitted over noisy pace)
    gains = t["gain_pct"].iloc[:4].to_numpy()
    assert np.all(np.abs(gains - 100 * np.array([g for _, g in _RACES])) < 2.5)
    final = t["final_400_s"].to_numpy()
    assert final[1] < final[0] and final[2] > final[1] and final[3] < final[1]
    # a PB beats every earlier race; the undated race (small kick) is slower than the best
    assert t["pb_400"].tolist() == [True, True, False, True, False]
    assert t["pb_200"].tolist() == [True, True, False, True, False]
    assert result.personal_bests["400"] == t["file"].iloc[[0, 1, 3]].tolist()
    tr = result.trends["final_400_s"]
    assert tr["n"] == 4 and tr["direction"] == "improving"
    assert -4.0 < tr["slope_per_30_days"] < -0.5
    assert result.trends["gain_pct"]["direction"] == "improving"
    assert result.trends["gain_pct"]["slope_per_30_days"] > 1.0
    # profile over time: a sprint speed per race, CS fitted from the efforts so far
    assert np.all((t["mss_mps"] > 4.5) & (t["mss_mps"] < 6.5))
    cs = t["cs_mps"].to_numpy()
    assert np.all(np.isfinite(cs)) and np.all((cs > 4.0) & (cs < 4.7))


def test_progress_without_profile_leaves_it_empty(synthetic):
    paths, result = synthetic
    lean = track_progress(paths[:2], profile=False)
    assert lean.table[["mss_mps", "cs_mps", "d_prime_m"]].isna().all().all()
    assert lean.table["final_400_s"].tolist() == result.table["final_400_s"].iloc[:2].tolist()


def test_progress_to_dict_is_strict_json(synthetic):
    _, result = synthetic
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert len(data["rows"]) == 5
    assert data["rows"][0]["date"] == "2027-01-10T10:00:00+00:00"
    assert data["rows"][4]["date"] is None
    assert data["rows"][4]["gain_pct"] is None  # no kick detected: null, not NaN
    assert data["rows"][3]["pb_400"] is True
    assert data["trends"]["final_400_s"]["direction"] == "improving"
    assert data["errors"][0]["reason"]


def test_progress_html_is_offline_and_escaped(synthetic, tmp_path):
    _, result = synthetic
    page = render_progress_html(result, title="Progress <of> A & B")
    assert "<script src=" not in page  # plotly.js is embedded, nothing is fetched
    assert "Progress &lt;of&gt; A &amp; B" in page
    assert "undated &lt;race&gt;" in page and "undated <race>" not in page
    assert page.count("<tr>") == 1 + len(result.table)  # header + one row per race
    out = write_progress_html(result, tmp_path / "progress.html", title="Progress <of> A & B")
    assert out.read_text(encoding="utf-8") == page
    with pytest.raises(InvalidValue):
        write_progress_html(result, tmp_path / "missing-folder" / "p.html")


# ---------------------------------------------------------------------------- one race twice


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """One 1500 m race written to two FIT files, and other races close to it."""
    folder = tmp_path_factory.mktemp("twice")
    race = sample_race(1500.0, kick_gain=0.15, seed=3, start_time="2027-05-01T18:00Z")
    first, copy = folder / "race.fit", folder / "race-copy.fit"
    write_fit(race, first)
    write_fit(race, copy)
    # another race: a 1500 m two hours later
    later = folder / "later.fit"
    write_fit(sample_race(1500.0, kick_gain=0.05, seed=4, start_time="2027-05-01T20:00Z"), later)
    # and an 800 m started 30 s after the 1500 m (within the minute, not the same distance)
    short = folder / "short.fit"
    write_fit(sample_race(800.0, seed=5, start_time="2027-05-01T18:00:30Z"), short)
    return race, first, copy, later, short


def test_one_race_given_twice_counts_once(twice):
    race, first, copy, later, short = twice
    both = track_progress([copy, later, first, short], profile=False)
    alone = track_progress([copy, later, short], profile=False)
    t = both.table
    # the copy is kept (given first, both FIT), the other recording is left out of everything
    assert sorted(t["file"]) == sorted(map(str, (copy, later, short)))
    assert str(first) not in t["file"].tolist()
    assert len(t) == 3 and not both.errors
    (note,) = [n for n in both.notes if "same race twice" in n]
    assert str(first) in note and str(copy) in note and "left out " + str(first) in note
    # the table, PBs and trends are those of the three different races
    pd.testing.assert_frame_equal(t, alone.table)
    assert both.personal_bests == alone.personal_bests
    assert both.trends == alone.trends
    assert both.trends["final_400_s"]["n"] == 3


def test_a_fit_recording_wins_over_another_format(twice):
    _, first, _, later, _ = twice
    # the race as a non-FIT activity, given before its FIT file: the FIT file is kept
    race = sample_race(1500.0, kick_gain=0.15, seed=3, start_time="2027-05-01T18:00Z")
    race.metadata["source"] = "the same race, exported"
    result = track_progress([race, later, first], profile=False)
    assert result.table["file"].tolist() == [str(first), str(later)]
    assert any("left out the same race, exported" in n for n in result.notes)
    # the profile follows the kept rows: one value per row, as without the repeat
    full = track_progress([race, first], profile=True)
    assert len(full.table) == 1 and np.isfinite(full.table["mss_mps"]).all()


@pytest.mark.parametrize(("shift_s", "repeats"), [(0.0, True), (59.0, True), (61.0, False)])
def test_one_race_is_a_start_within_a_minute(shift_s, repeats):
    start = pd.Timestamp("2027-05-01T18:00Z")
    races = []
    for i, when in enumerate((start, start + pd.Timedelta(seconds=shift_s))):
        race = sample_race(1500.0, seed=3, start_time=when)
        race.metadata["source"] = f"watch {i + 1}"
        races.append(race)
    result = track_progress(races, profile=False)
    assert len(result.table) == (1 if repeats else 2)
    assert result.table["file"].iloc[0] == "watch 1"
    assert any("same race twice" in n for n in result.notes) == repeats
    assert DUPLICATE_START_S == 60.0 and DUPLICATE_DISTANCE_FRACTION == 0.01


# ---------------------------------------------------------------------------- shared files


def test_fit_and_tcx_of_one_race_count_once():
    tcx = shared_file("gc__10kUNLP2014-Garmin15.tcx")
    fit = shared_file("gc__10kUNLP2014-Garmin15.fit")
    result = track_progress([tcx, fit], profile=False)
    (row,) = result.table.to_dict(orient="records")
    assert row["file"] == str(fit)  # FIT preferred although given second
    assert row["distance_m"] == pytest.approx(9980, abs=30)
    assert row["final_400_s"] == pytest.approx(86.6, abs=1.0)
    assert result.personal_bests["400"] == [str(fit)]
    (note,) = result.notes
    assert str(tcx) in note and str(fit) in note and "start 0 s apart" in note


def test_progress_over_shared_files():
    names = [
        "runalyze__FR735XT-with-performance-condition.fit",
        "fitdecode__garmin-fenix-5-bike.fit",
        "gc__10kUNLP2014-Garmin15.fit",
        "fitdecode__invalid_activity-filecrc.fit",
        "runalyze__Fenix-2-pauses.fit",
    ]
    paths = [shared_file(n) for n in names]
    result = track_progress(paths)
    t = result.table
    assert [p.split("/")[-1] for p in t["file"]] == [names[4], names[2], names[0]]
    assert t["date"].is_monotonic_increasing
    reasons = sorted(e.reason for e in result.errors)
    assert len(reasons) == 2
    assert any("cycling" in r for r in reasons) and any("CRC" in r for r in reasons)
    # the 10 km road race of 2014: a kick over its last ~460 m, last 400 m in ~86.6 s
    ten_k = t.iloc[1]
    assert ten_k["class"] == "kick" and ten_k["distance_m"] == pytest.approx(9980, abs=30)
    assert ten_k["final_400_s"] == pytest.approx(86.6, abs=1.0)
    assert t["pb_400"].tolist() == [True, True, False]
    # three dated races: a final-400 trend exists, the gain one does not (one kick)
    assert result.trends["final_400_s"]["n"] == 3
    assert result.trends["final_400_s"]["direction"] == "improving"
    assert result.trends["gain_pct"]["slope_per_30_days"] is None
    assert np.isfinite(t["cs_mps"].iloc[-1]) and 3.0 < t["cs_mps"].iloc[-1] < 6.0


def test_trend_within_chance_is_not_called_a_trend():
    noisy = linear_trend([0, 30, 60, 90], [60.0, 58.0, 61.0, 58.5], better=-1)
    assert noisy["p_value"] > 0.05 and noisy["significant"] is False
    assert noisy["words"].startswith("no clear trend: ")
    clear = linear_trend([0, 30, 60, 90], [60.0, 59.0, 58.0, 57.1], better=-1)
    assert clear["significant"] is True and clear["words"].startswith("improving: ")
