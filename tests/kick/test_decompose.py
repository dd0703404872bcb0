"""Exact cadence / step-length decomposition of a speed gain."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kicklab.kick.decompose import MIN_LOG_GAIN, decompose_gain

_speeds = st.lists(st.floats(2.0, 9.0, allow_nan=False), min_size=3, max_size=40)
_cadences = st.lists(st.floats(140.0, 230.0, allow_nan=False), min_size=3, max_size=40)


def _gmean(a) -> float:
    return float(np.exp(np.mean(np.log(a))))


@settings(max_examples=150, deadline=None)
@given(_speeds, _cadences, _speeds, _cadences)
def test_shares_sum_to_100_and_log_identity(v0, c0, v1, c1):
    n0, n1 = min(len(v0), len(c0)), min(len(v1), len(c1))
    v0, c0, v1, c1 = v0[:n0], c0[:n0], v1[:n1], c1[:n1]
    out = decompose_gain(v0, c0, v1, c1)
    dv = math.log(_gmean(v1) / _gmean(v0))
    dc = math.log(_gmean(c1) / _gmean(c0))
    # Δ ln v = Δ ln c + Δ ln L, exactly, from the reported gains
    lv = math.log1p(out["speed_gain_pct"] / 100)
    lc = math.log1p(out["cadence_gain_pct"] / 100)
    ll = math.log1p(out["step_length_gain_pct"] / 100)
    assert lv == pytest.approx(lc + ll, abs=1e-12)
    assert lv == pytest.approx(dv, abs=1e-12)
    assert lc == pytest.approx(dc, abs=1e-12)
    # speed = cadence/60 · step length for the geometric means of each stretch
    assert out["pre_cadence_spm"] / 60 * out["pre_step_length_m"] == pytest.approx(
        _gmean(v0), rel=1e-12
    )
    assert out["kick_cadence_spm"] / 60 * out["kick_step_length_m"] == pytest.approx(
        _gmean(v1), rel=1e-12
    )
    if abs(dv) >= MIN_LOG_GAIN:
        total = out["cadence_share_pct"] + out["step_length_share_pct"]
        assert abs(total - 100.0) <= 1e-9
        assert out["cadence_share_pct"] == pytest.approx(100 * dc / dv, rel=1e-9, abs=1e-9)
    else:
        assert math.isnan(out["cadence_share_pct"]) and math.isnan(out["step_length_share_pct"])


def test_known_shares():
    """A 10 % faster kick with cadence up 4 %: cadence share = ln 1.04 / ln 1.10."""
    v0, c0 = np.full(20, 4.5), np.full(20, 180.0)
    v1, c1 = np.full(10, 4.95), np.full(10, 187.2)
    out = decompose_gain(v0, c0, v1, c1)
    share = 100 * math.log(1.04) / math.log(1.10)
    assert out["cadence_share_pct"] == pytest.approx(share, rel=1e-9)
    assert out["step_length_share_pct"] == pytest.approx(100 - share, rel=1e-9)
    assert out["speed_gain_pct"] == pytest.approx(10.0, rel=1e-9)
    assert out["cadence_gain_pct"] == pytest.approx(4.0, rel=1e-9)
    assert out["step_length_gain_pct"] == pytest.approx(100 * (1.10 / 1.04 - 1), rel=1e-9)
    assert out["pre_step_length_m"] == pytest.approx(60 * 4.5 / 180, rel=1e-12)
    assert out["kick_step_length_m"] == pytest.approx(60 * 4.95 / 187.2, rel=1e-12)


def test_constant_cadence_is_all_step_length():
    rng = np.random.default_rng(0)
    v0, v1 = rng.uniform(4.3, 4.7, 30), rng.uniform(5.0, 5.4, 15)
    out = decompose_gain(v0, np.full(30, 184.0), v1, np.full(15, 184.0))
    assert out["cadence_share_pct"] == pytest.approx(0.0, abs=1e-9)
    assert out["step_length_share_pct"] == pytest.approx(100.0, abs=1e-9)
    assert out["cadence_gain_pct"] == pytest.approx(0.0, abs=1e-9)


def test_constant_step_length_is_all_cadence():
    rng = np.random.default_rng(1)
    v0, v1 = rng.uniform(4.3, 4.7, 30), rng.uniform(5.0, 5.4, 15)
    step = 1.45  # m
    out = decompose_gain(v0, 60 * v0 / step, v1, 60 * v1 / step)
    assert out["cadence_share_pct"] == pytest.approx(100.0, abs=1e-9)
    assert out["step_length_share_pct"] == pytest.approx(0.0, abs=1e-9)
    assert out["pre_step_length_m"] == pytest.approx(step, rel=1e-12)
    assert out["kick_step_length_m"] == pytest.approx(step, rel=1e-12)


def test_too_few_samples_gives_nan():
    v, c = [4.5, 4.6], [180.0, 181.0]
    out = decompose_gain(v, c, [5.0, 5.1, 5.2], [185.0, 186.0, 187.0])
    assert all(math.isnan(x) for x in out.values())
    # invalid samples (NaN, zero cadence, zero speed) do not count
    out = decompose_gain(
        [4.5, 4.6, 4.7, np.nan], [180.0, 0.0, 181.0, 182.0], [5.0] * 5, [186.0] * 5
    )
    assert math.isnan(out["cadence_share_pct"]) and math.isnan(out["pre_cadence_spm"])
    # min_samples is honoured
    out = decompose_gain(v, c, [5.0, 5.1], [185.0, 186.0], min_samples=2)
    assert math.isfinite(out["cadence_share_pct"])


def test_tiny_gain_gives_nan_shares_but_gains():
    v0, c0 = np.full(10, 4.5), np.full(10, 180.0)
    v1, c1 = np.full(10, 4.5 * 1.004), np.full(10, 181.0)  # +0.4 % < 0.5 %
    out = decompose_gain(v0, c0, v1, c1)
    assert math.isnan(out["cadence_share_pct"]) and math.isnan(out["step_length_share_pct"])
    assert out["speed_gain_pct"] == pytest.approx(0.4, rel=1e-9)
    assert out["cadence_gain_pct"] == pytest.approx(100 / 180, rel=1e-9)


def test_slowing_down_is_decomposed_too():
    out = decompose_gain([5.0] * 5, [190.0] * 5, [4.5] * 5, [190.0 * 0.95] * 5)
    assert out["cadence_share_pct"] == pytest.approx(100 * math.log(0.95) / math.log(0.9), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.02, 0.3))
def test_recovers_a_prescribed_share(share, gain):
    """Cadence rising as (v/v0)^share gives a cadence share of 100·share."""
    assume(math.log1p(gain) >= MIN_LOG_GAIN)
    rng = np.random.default_rng(0)
    v0 = rng.uniform(4.4, 4.6, 20)
    v1 = v0[:12] * (1 + gain)
    c0 = 187.0 * (v0 / 4.5) ** share
    c1 = 187.0 * (v1 / 4.5) ** share
    out = decompose_gain(v0, c0, v1, c1)
    assert out["cadence_share_pct"] == pytest.approx(100 * share, abs=1e-7)
