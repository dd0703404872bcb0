"""The profile orchestrator: efforts and files → CS, D', MSS, reserve, predictions."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from kicklab.errors import InvalidValue
from kicklab.physiology.models import speed_3p
from kicklab.physiology.profile import build_profile, load_profile
from tests.conftest import shared_file

ISSUE_EFFORTS = "1500:3:26.00,1609.34:3:43.13,3000:7:20.67,5000:12:35.36"


def _efforts(cs: float, dp: float, mss: float, durations) -> pd.DataFrame:
    t = np.asarray(durations, dtype=float)
    return pd.DataFrame({"distance_m": speed_3p(t, cs, dp, mss) * t, "time_s": t})


def test_issue_efforts_linear_profile():
    p = build_profile(ISSUE_EFFORTS)
    d = p.to_dict()
    assert p.model == "linear"  # no effort ≤ 90 s: MSS cannot be identified
    # d = CS·t + D' through the four efforts (least squares): check against numpy
    t = np.array([206.0, 223.13, 440.67, 755.36])
    dist = np.array([1500.0, 1609.34, 3000.0, 5000.0])
    slope, intercept = np.polyfit(t, dist, 1)
    assert d["cs_mps"] == pytest.approx(slope, rel=1e-9)
    assert d["d_prime_m"] == pytest.approx(intercept, rel=1e-9)
    lo, hi = d["cs_ci95"]
    assert lo < d["cs_mps"] < hi
    assert d["mss_mps"] is None and d["srr"] is None and d["profile_type"] is None
    preds = d["predictions"]
    assert set(preds) >= {"1500", "5000", "42195"}
    # the model reproduces the efforts it was fitted on within a second
    assert preds["5000"]["time_s"] == pytest.approx(755.36, abs=2.0)
    assert preds["42195"]["extrapolated"] is True and preds["5000"]["extrapolated"] is False
    # predicted time increases with distance
    times = [preds[k]["time_s"] for k in sorted(preds, key=float)]
    assert times == sorted(times)
    json.dumps(d, allow_nan=False)


def test_three_parameter_profile_recovers_known_athlete():
    eff = _efforts(4.5, 200.0, 8.5, [40, 90, 240, 480, 900])
    p = build_profile(eff, seed=1)
    d = p.to_dict()
    assert p.model == "3p"
    assert d["cs_mps"] == pytest.approx(4.5, rel=1e-3)
    assert d["d_prime_m"] == pytest.approx(200.0, rel=1e-2)
    assert d["mss_mps"] == pytest.approx(8.5, rel=1e-2)
    assert d["mss_source"] == "3p_fit"
    assert d["asr_mps"] == pytest.approx(d["mss_mps"] - d["mas_mps"])
    assert d["srr"] == pytest.approx(d["mss_mps"] / d["mas_mps"])
    assert isinstance(d["profile_type"], str)


def test_given_mss_and_bad_mss():
    d = build_profile(ISSUE_EFFORTS, mss_mps=10.2).to_dict()
    assert d["mss_source"] == "given" and d["mss_mps"] == 10.2
    assert d["profile_type"] == "800 type"  # SRR ≈ 1.49 (Sandford 2019: 1.48–1.57)
    with pytest.raises(InvalidValue, match="MSS"):
        build_profile(ISSUE_EFFORTS, mss_mps=3.0)


@pytest.mark.parametrize("bad", ["", "1500:3:26"])
def test_too_few_efforts(bad):
    with pytest.raises(InvalidValue):
        build_profile(bad)


def test_no_input_at_all():
    with pytest.raises(InvalidValue, match="efforts"):
        build_profile(None, [])


def test_profile_from_a_shared_race_file():
    path = shared_file("gc__10kUNLP2014-Garmin15.fit")
    d = build_profile(None, [path]).to_dict()
    # a 10 km race run at ~4.5 m/s: its 2–20 min best efforts put CS just below that
    assert 4.0 < d["cs_mps"] < 4.7
    assert all(e["source"] != "given" for e in d["efforts"])
    assert math.isfinite(d["predictions"]["10000"]["time_s"])


def test_load_profile_round_trip(tmp_path):
    path = tmp_path / "me.json"
    path.write_text(json.dumps(build_profile(ISSUE_EFFORTS).to_dict()), encoding="utf-8")
    data = load_profile(path)
    assert data["cs_mps"] > 6
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InvalidValue):
        load_profile(tmp_path / "bad.json")
    (tmp_path / "empty.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InvalidValue, match="cs_mps"):
        load_profile(tmp_path / "empty.json")
