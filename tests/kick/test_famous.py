"""The built-in table of famous kicks and the comparison with a user's race."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kicklab.errors import InvalidValue
from kicklab.io import parse_splits
from kicklab.kick import famous
from kicklab.kick.analysis import analyze
from kicklab.kick.splits import analyze_splits
from kicklab.samples import sample_race

HEADER = ",".join(famous.COLUMNS)
GOOD_ROW = 'test-race,"A race",Someone,2000,1500,"400:60,800:2:00,1200:3:00,1500:3:40",220.0,https://example.org,ok'


def test_builtin_table_loads_and_is_consistent():
    rows = famous.famous_kicks()
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys)) >= 3
    assert {
        "coe-1984-olympic-1500",
        "paris-2024-1500-hocker",
        "mills-1964-olympic-10000",
    } <= set(keys)
    for r in rows:
        table = r.table()
        assert table["distance_m"].iloc[-1] == r.event_m
        assert table["time_s"].iloc[-1] == pytest.approx(r.final_time_s, abs=0.005)
        assert all(url.startswith("https://") for url in r.source.split())
        assert r.notes  # whose splits, how exact
    assert famous.famous_kicks() is not famous.famous_kicks()  # callers get their own list


def test_the_table_ships_as_package_data():
    from importlib import resources

    data = resources.files("kicklab.kick").joinpath("data").joinpath("famous_kicks.csv")
    assert data.is_file()
    assert data.read_text(encoding="utf-8").splitlines()[0] == HEADER


def test_coe_1984_row():
    coe = famous.get("coe-1984-olympic-1500")
    assert (coe.athlete, coe.year, coe.event_m, coe.final_time_s) == (
        "Sebastian Coe",
        1984,
        1500.0,
        212.53,
    )
    np.testing.assert_allclose(parse_splits(coe.splits)["time_s"], [58.85, 116.81, 173.21, 212.53])
    kick = coe.analysis().kick
    assert kick.detected and kick.onset_distance_to_go_m == 300.0
    assert kick.gain_pct == pytest.approx(100 * ((300 / 39.32) / (1200 / 173.21) - 1), rel=1e-10)


def test_paris_2024_rows_say_whose_splits_they_are():
    hocker = famous.get("paris-2024-1500-hocker")
    leader = famous.get("paris-2024-1500-ingebrigtsen")
    assert hocker.final_time_s == 207.65 and leader.final_time_s == 208.24
    assert hocker.table()["time_s"].iloc[:3].tolist() == leader.table()["time_s"].iloc[:3].tolist()
    assert "leader" in hocker.notes.lower() and "approximate" in hocker.notes.lower()


def test_unknown_key():
    with pytest.raises(InvalidValue, match="no-such-race"):
        famous.get("no-such-race")


# --------------------------------------------------------------------------- compare
def test_compare_columns_and_numbers():
    mine = analyze_splits("400:62,800:2:03,1200:3:04,1600:4:00", source="my 1600")
    out = famous.compare(mine)
    assert list(out.columns) == list(famous.COMPARE_COLUMNS)
    assert len(out) == 1 + len(famous.famous_kicks())
    you = out.iloc[0]
    assert you["race"] == "my 1600" and you["athlete"] == "you" and pd.isna(you["year"])
    assert you["finish_s"] == pytest.approx(240.0)
    assert you["final_400_s"] == pytest.approx(56.0)  # boundary at 1200 m: exact
    assert you["mean_400_s"] == pytest.approx(60.0)
    ratio = 56.0 / 60.0
    assert you["final_400_ratio"] == pytest.approx(ratio)
    assert you["final_400_equivalent_s"] == pytest.approx(56.0)

    coe = out.set_index("key").loc["coe-1984-olympic-1500"]
    coe_mean_400 = 212.53 * 400 / 1500
    coe_final_400 = 212.53 - (116.81 + 0.75 * 56.40)  # 1100 m interpolated in lap 3
    assert coe["finish_s"] == pytest.approx(212.53)
    assert coe["kick_onset_to_go_m"] == 300.0
    assert coe["gain_pct"] == pytest.approx(100 * ((300 / 39.32) / (1200 / 173.21) - 1))
    assert coe["final_400_s"] == pytest.approx(coe_final_400)
    assert coe["final_400_ratio"] == pytest.approx(coe_final_400 / coe_mean_400)
    assert coe["final_400_equivalent_s"] == pytest.approx(ratio * coe_mean_400)
    assert coe["year"] == 1984 and coe["kick_detected"]


def test_mills_last_lap_comes_out_exactly():
    mine = analyze_splits("400:62,800:2:03,1200:3:04,1600:4:00")
    out = famous.compare(mine, races=["mills-1964-olympic-10000"])
    assert len(out) == 2
    mills = out.iloc[1]
    assert mills["athlete"] == "Billy Mills"
    assert mills["final_400_s"] == pytest.approx(59.8, abs=1e-9)
    assert mills["mean_400_s"] == pytest.approx(1704.4 / 25)
    assert mills["final_400_ratio"] == pytest.approx(59.8 / (1704.4 / 25))
    assert not mills["kick_detected"] and math.isnan(mills["gain_pct"])


def test_compare_accepts_rows_and_short_races_get_nan():
    short = analyze_splits("100:14,200:28,300:41")
    coe = famous.get("coe-1984-olympic-1500")
    out = famous.compare(short, races=[coe])
    assert out["key"].tolist()[1] == "coe-1984-olympic-1500"
    assert out["race"].iloc[0] == "you"  # no source: labelled "you"
    assert math.isnan(out["final_400_s"].iloc[0]) and math.isnan(out["mean_400_s"].iloc[0])
    assert out["final_400_equivalent_s"].isna().all()
    assert out["final_400_s"].iloc[1] == pytest.approx(53.42)  # the famous race keeps its own


def test_compare_with_a_sampled_race_and_json():
    activity = sample_race(distance_m=1500.0, kick_distance_to_go_m=250.0, seed=3)
    mine = analyze(activity)
    out = famous.compare(mine, races=["coe-1984-olympic-1500"])
    you = out.iloc[0]
    assert you["event_m"] == pytest.approx(mine.race.distance_m)
    assert you["final_400_s"] == pytest.approx(mine.kick.final_400_s)
    mean_400 = mine.race.duration_s * 400 / mine.race.distance_m
    assert you["final_400_ratio"] == pytest.approx(mine.kick.final_400_s / mean_400)
    assert out["final_400_equivalent_s"].iloc[1] == pytest.approx(
        you["final_400_ratio"] * 212.53 * 400 / 1500
    )
    records = json.loads(out.to_json(orient="records"))
    assert records[0]["year"] is None and records[1]["year"] == 1984


def test_compare_refuses_other_things():
    with pytest.raises(InvalidValue):
        famous.compare("400:60,800:2:00")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad tables
def _table(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "kicks.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_good_custom_table(tmp_path):
    rows = famous.load_famous_kicks(_table(tmp_path, GOOD_ROW, ""))
    assert [r.key for r in rows] == ["test-race"]
    assert rows[0].year == 2000 and rows[0].final_time_s == 220.0


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (GOOD_ROW.replace("400:60,800", "400:60,300"), "test-race.*splits"),
        (GOOD_ROW.replace(",1500,", ",1600,"), "test-race.*event distance"),
        (GOOD_ROW.replace("220.0", "221.0"), "test-race.*final_time_s"),
        (GOOD_ROW.replace("2000", "twenty"), "test-race.*numbers"),
        (GOOD_ROW.replace("2000", "1066"), "test-race.*year"),
        (GOOD_ROW.replace("https://example.org", ""), "test-race.*source is empty"),
        (GOOD_ROW.replace("test-race", "Test Race"), "Test Race.*key"),
    ],
)
def test_a_bad_row_names_its_key(tmp_path, row, match):
    with pytest.raises(InvalidValue, match=match):
        famous.load_famous_kicks(_table(tmp_path, row))


def test_duplicate_keys_and_missing_columns(tmp_path):
    with pytest.raises(InvalidValue, match="test-race.*twice"):
        famous.load_famous_kicks(_table(tmp_path, GOOD_ROW, GOOD_ROW))
    with pytest.raises(InvalidValue, match="lacks columns.*notes"):
        famous.load_famous_kicks(_table(tmp_path, header=HEADER.replace(",notes", "")))
    with pytest.raises(InvalidValue, match="cannot read"):
        famous.load_famous_kicks(tmp_path / "absent.csv")
