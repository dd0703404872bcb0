"""Tests of kicklab.kick.html: the offline HTML report."""

from __future__ import annotations

import dataclasses
import html as html_lib
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.kick.html import (
    KICK_FIELDS,
    _clock,
    _figure,
    _pace,
    _pace_array,
    render_html,
    write_html,
)
from kicklab.kick.result import Kick, KickAnalysis, Phase, RaceSegment, Surge
from kicklab.samples import sample_race

RACE_M = 1500.0
ONSET_TO_GO_M = 250.0


def _series(*, cadence: bool = True, hills: bool = True) -> pd.DataFrame:
    """A hand-built per-sample series from the sample race (a hill adds grade-adjusted speed)."""
    rec = sample_race().records
    d = rec["distance_m"].to_numpy()
    v = rec["speed_mps"].to_numpy()
    grade = 0.03 * np.sin(2 * np.pi * d / 500.0) if hills else np.zeros(d.size)
    return pd.DataFrame(
        {
            "time_s": rec["time_s"].to_numpy(),
            "distance_m": d,
            "distance_to_go_m": RACE_M - d,
            "speed_mps": v,
            "speed_analysed_mps": v * (1.0 + 2.0 * grade) if hills else v,
            "cadence_spm": rec["cadence_spm"].to_numpy() if cadence else np.nan,
            "step_length_m": rec["step_length_m"].to_numpy() if cadence else np.nan,
            "heart_rate_bpm": rec["heart_rate_bpm"].to_numpy(),
            "grade": grade,
        }
    )


def _kick(**changes: object) -> Kick:
    kick = Kick(
        detected=True,
        onset_time_s=279.0,
        onset_distance_m=RACE_M - ONSET_TO_GO_M,
        onset_distance_to_go_m=ONSET_TO_GO_M,
        onset_time_to_go_s=51.07,
        onset_resolution_m=15.7,
        ramp_s=6.0,
        pre_kick_speed_mps=4.5,
        kick_speed_mps=4.95,
        peak_speed_mps=4.97,
        mean_speed_mps=4.9,
        gain_pct=10.0,
        duration_s=51.07,
        final_100_s=20.25,
        final_200_s=40.56,
        final_400_s=84.51,
        hr_onset_bpm=188.0,
        hr_end_bpm=192.0,
        cadence_share_pct=40.1,
        step_length_share_pct=59.9,
        cadence_gain_pct=3.99,
        step_length_gain_pct=6.01,
        pre_cadence_spm=186.4,
        kick_cadence_spm=193.9,
        pre_step_length_m=1.44,
        kick_step_length_m=1.52,
        d_balance_at_onset_m=120.0,
        d_balance_at_onset_pct=60.0,
        d_balance_min_m=15.0,
        d_balance_at_finish_m=15.0,
        reason="speed rose 10.0 % from 250 m to go",
    )
    return dataclasses.replace(kick, **changes)


def _analysis(
    *, source: str | None = "race.fit", kick: Kick | None = None, **series_kw: bool
) -> KickAnalysis:
    series = _series(**series_kw)
    return KickAnalysis(
        source=source,
        race=RaceSegment("whole_activity", 0.0, 330.07, 0.0, RACE_M, "the whole activity"),
        kick=kick if kick is not None else _kick(),
        surges=[
            Surge(
                start_time_s=130.0,
                end_time_s=175.0,
                start_distance_m=600.0,
                end_distance_m=810.0,
                start_distance_to_go_m=900.0,
                duration_s=45.0,
                distance_m=210.0,
                pre_speed_mps=4.45,
                mean_speed_mps=4.67,
                after_speed_mps=4.40,
                gain_pct=4.9,
                after_pct=-1.1,
            )
        ],
        phases=[
            Phase(0.0, 279.0, 0.0, 1250.0, 4.48),
            Phase(279.0, 330.07, 1250.0, 1500.0, 4.9),
        ],
        finish_class="kick",
        class_reason="kicked 10.0 % faster from 250 m to go",
        speed_basis="grade_adjusted",
        mean_speed_mps=RACE_M / 330.07,
        first_half_s=167.2,
        second_half_s=162.87,
        notes=["hills: the kick was detected on grade-adjusted speed"],
        series=series,
    )


def _splits_analysis() -> KickAnalysis:
    """Coe's 1984 Olympic 1500 m by hand: four 400/300 m splits, kick at the 1200 m boundary."""
    d = np.array([400.0, 800.0, 1200.0, 1500.0])
    t = np.array([58.85, 116.81, 173.21, 212.53])
    split_m, split_s = np.diff(d, prepend=0.0), np.diff(t, prepend=0.0)
    series = pd.DataFrame(
        {
            "distance_m": d,
            "distance_to_go_m": RACE_M - d,
            "time_s": t,
            "split_distance_m": split_m,
            "split_time_s": split_s,
            "speed_mps": split_m / split_s,
        }
    )
    kick = Kick(
        detected=True,
        onset_time_s=173.21,
        onset_distance_m=1200.0,
        onset_distance_to_go_m=300.0,
        onset_time_to_go_s=39.32,
        onset_resolution_m=400.0,
        ramp_s=0.0,
        pre_kick_speed_mps=6.928,
        kick_speed_mps=7.6297,
        peak_speed_mps=7.6297,
        mean_speed_mps=7.6297,
        gain_pct=10.13,
        duration_s=39.32,
        final_400_s=53.42,
        reason="the splits from 1200 m averaged 10.1 % faster",
    )
    return KickAnalysis(
        source="Coe 1984",
        race=RaceSegment("splits", 0.0, 212.53, 0.0, RACE_M, "split table: 4 splits"),
        kick=kick,
        phases=[Phase(0.0, 173.21, 0.0, 1200.0, 6.93), Phase(173.21, 212.53, 1200.0, 1500.0, 7.63)],
        finish_class="kick",
        class_reason="kicked 10.1 % faster from 300 m to go",
        speed_basis="splits",
        coarse=True,
        mean_speed_mps=RACE_M / 212.53,
        notes=["split table of 4 splits: each split is one average speed"],
        series=series,
    )


def _axis_titles(fig) -> list[str]:
    layout = fig.to_plotly_json()["layout"]
    keys = sorted(
        (k for k in layout if re.fullmatch(r"yaxis\d*", k)), key=lambda k: int(k[5:] or 1)
    )
    return [layout[k]["title"]["text"] for k in keys]


# --------------------------------------------------------------------------- page
def test_write_html_writes_a_self_contained_page(tmp_path: Path) -> None:
    out = write_html(_analysis(), tmp_path / "report.html")
    assert out == tmp_path / "report.html"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    # plotly.js is embedded (its bundle is megabytes), nothing is loaded from anywhere
    assert len(text) > 1_000_000
    assert "plotly.js v" in text
    assert not re.search(r"<script[^>]*\bsrc=", text, re.I)
    assert not re.search(r"<link[^>]*\bhref=", text, re.I)
    assert "@import" not in text and "fonts.googleapis" not in text
    assert re.search(r'Plotly\.newPlot\(\s*"kick-figure"', text)


def test_page_holds_the_class_and_key_metrics() -> None:
    text = render_html(_analysis())
    assert '<span class="badge">kick</span>' in text
    assert "kicked 10.0 % faster from 250 m to go" in text
    assert "1,500 m" in text  # race distance
    assert "5:30.07" in text  # race time, m:ss.ss
    assert "250 m to go" in text  # onset card
    assert "+10.0 %" in text  # gain
    assert "4.50 m/s · 3:42/km" in text  # pre-kick pace, both units
    assert "4.95 m/s · 3:22/km" in text
    assert "1:24.5" in text  # last 400 m, m:ss.s
    assert "0:20.2" in text  # last 100 m (20.25 s rounds half-even to 20.2)
    assert "188 bpm" in text and "40.1 %" in text and "193.9 steps/min" in text
    assert "grade-adjusted speed (hills accounted for)" in text
    assert "<li>hills: the kick was detected on grade-adjusted speed</li>" in text
    # surge and phase tables
    assert "+4.9 %" in text and "-1.1 %" in text
    assert "4.48 m/s · 3:43/km" in text
    assert "<title>Kick analysis — race.fit</title>" in text


def test_every_finite_kick_field_is_in_the_metrics_table() -> None:
    text = render_html(_analysis())
    for name, _, _ in KICK_FIELDS:
        assert f"<code>{name}</code>" in text
    # a NaN field is left out
    text = render_html(_analysis(kick=_kick(hr_onset_bpm=math.nan)))
    assert "<code>hr_onset_bpm</code>" not in text
    assert "<code>hr_end_bpm</code>" in text


def test_malicious_source_and_notes_are_escaped() -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    analysis = _analysis(source=evil)
    analysis.notes.append("<b>not bold</b>")
    analysis.class_reason = "a & b <i>"
    text = render_html(analysis, title="<t>")
    assert evil not in text
    assert "<img src=x" not in text
    assert html_lib.escape(evil) in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text
    assert "a &amp; b &lt;i&gt;" in text
    assert "<title>&lt;t&gt;</title>" in text


def test_custom_title() -> None:
    text = render_html(_analysis(), title="Club champs 1500 m")
    assert "<h1>Club champs 1500 m</h1>" in text


# --------------------------------------------------------------------------- figure
def test_figure_panels_axis_and_shading() -> None:
    analysis = _analysis()
    fig = _figure(analysis)
    assert _axis_titles(fig) == [
        "speed (m/s)",
        "cadence (steps/min)",
        "step length (m)",
        "heart rate (bpm)",
        "grade (%)",
    ]
    layout = fig.to_plotly_json()["layout"]
    assert list(layout["xaxis"]["range"]) == [RACE_M, 0.0]  # finish on the right
    names = [t.name for t in fig.data]
    assert "speed" in names and "grade-adjusted speed" in names
    assert "pace phases (mean)" in names
    assert any(n.startswith("pre-kick pace 4.50 m/s (3:42/km)") for n in names)
    assert any(n.startswith("kick level 4.95 m/s") for n in names)
    rects = {s["name"]: s for s in layout["shapes"] if s.get("type") == "rect"}
    assert (rects["kick"]["x0"], rects["kick"]["x1"]) == (ONSET_TO_GO_M, 0.0)
    assert (rects["surge 1"]["x0"], rects["surge 1"]["x1"]) == (900.0, 690.0)
    assert rects["kick"]["fillcolor"] != rects["surge 1"]["fillcolor"]
    # every trace shares the one x axis
    assert {t.xaxis for t in fig.data} == {"x"}
    # phases as a step line: starts of each phase then the end of the last, to go
    phase = next(t for t in fig.data if t.name == "pace phases (mean)")
    assert list(phase.x) == [1500.0, 250.0, 0.0]
    assert list(phase.y) == [4.48, 4.9, 4.9]
    assert phase.line.shape == "hv"


def test_speed_hover_shows_pace() -> None:
    fig = _figure(_analysis())
    speed = next(t for t in fig.data if t.name == "speed")
    assert "%{customdata}" in speed.hovertemplate
    v = np.asarray(speed.y)
    i = int(np.nanargmax(v))
    assert speed.customdata[i] == _pace(v[i])


def test_nan_only_columns_give_no_panel() -> None:
    analysis = _analysis(cadence=False, hills=False)
    fig = _figure(analysis)
    # no cadence/step length; flat grade (0 throughout) is not worth a panel; one speed trace
    assert _axis_titles(fig) == ["speed (m/s)", "heart rate (bpm)"]
    assert "grade-adjusted speed" not in [t.name for t in fig.data]
    text = render_html(analysis)
    assert "cadence (steps/min)" not in text


def test_all_nan_series_and_no_series_render_without_a_figure() -> None:
    analysis = _analysis()
    analysis.series = analysis.series.assign(
        **{c: np.nan for c in analysis.series.columns if c != "distance_to_go_m"}
    )
    # no samples to draw: the speed panel keeps only the phases and the fitted levels
    fig = _figure(analysis)
    assert _axis_titles(fig) == ["speed (m/s)"]
    assert [t.name.split(" ")[0] for t in fig.data] == ["pace", "pre-kick", "kick"]
    analysis.phases = []
    analysis.kick = _kick(detected=False)
    assert _figure(analysis) is None
    assert "No per-sample data to plot." in render_html(analysis)
    analysis.series = None
    analysis.kick = _kick()
    text = render_html(analysis)
    assert "No per-sample data to plot." in text
    assert "+10.0 %" in text


def test_missing_series_columns_are_treated_as_absent() -> None:
    analysis = _analysis()
    analysis.series = analysis.series[["distance_m", "speed_mps"]]
    fig = _figure(analysis)  # distance to go from distance_m and the race's end
    assert _axis_titles(fig) == ["speed (m/s)"]
    speed = next(t for t in fig.data if t.name == "speed")
    assert speed.x[0] == pytest.approx(RACE_M)


def test_no_kick_detected() -> None:
    kick = Kick(
        detected=False,
        final_100_s=21.0,
        final_200_s=42.1,
        final_400_s=88.0,
        hr_end_bpm=190.0,
        reason="no final sustained acceleration: best fit +0.8 %",
    )
    analysis = _analysis(kick=kick)
    analysis.finish_class = "even"
    analysis.class_reason = "pace within ±3 % to the line"
    fig = _figure(analysis)
    rects = [s["name"] for s in fig.to_plotly_json()["layout"]["shapes"] if s.get("name")]
    assert rects == ["surge 1"]
    assert not any(str(t.name).startswith(("pre-kick", "kick level")) for t in fig.data)
    text = render_html(analysis)
    assert '<span class="badge">even</span>' in text
    assert "no final sustained acceleration: best fit +0.8 %" in text
    assert "<code>onset_distance_to_go_m</code>" not in text
    assert "1:28.0" in text  # the last 400 m is still shown
    assert "Kick onset" not in text


def test_coarse_splits_analysis() -> None:
    analysis = _splits_analysis()
    fig = _figure(analysis)
    assert _axis_titles(fig) == ["split speed (m/s)"]
    step = next(t for t in fig.data if t.name == "split speed")
    assert step.line.shape == "hv"
    assert list(step.x) == [1500.0, 1100.0, 700.0, 300.0, 0.0]
    assert step.y[-1] == pytest.approx(300 / 39.32)
    layout = fig.to_plotly_json()["layout"]
    lines = [s for s in layout["shapes"] if s["type"] == "line"]
    assert [s["x0"] for s in lines] == [300.0]  # onset boundary marked
    # the split before the boundary (700 → 300 m to go) marked as where the onset may lie
    assert any(
        s["type"] == "rect" and (s["x0"], s["x1"]) == (700.0, 300.0) for s in layout["shapes"]
    )
    text = render_html(analysis)
    assert "Split table: each split is one average speed" in text
    assert "± 400 m" in text
    assert "split averages (split table)" in text
    assert "3:32.53" in text


def test_with_analyze_output(tmp_path: Path) -> None:
    analyze = pytest.importorskip("kicklab.kick.analysis").analyze
    analysis = analyze(sample_race())
    text = write_html(analysis, tmp_path / "a.html").read_text(encoding="utf-8")
    assert f'<span class="badge">{analysis.finish_class}</span>' in text
    assert analysis.kick.detected
    assert f"{analysis.kick.onset_distance_to_go_m:,.0f} m to go" in text
    fig = _figure(analysis)
    assert _axis_titles(fig)[:3] == ["speed (m/s)", "cadence (steps/min)", "step length (m)"]


def test_with_analyze_splits_and_comparison(tmp_path: Path) -> None:
    splits = pytest.importorskip("kicklab.kick.splits")
    famous = pytest.importorskip("kicklab.kick.famous")
    analysis = splits.analyze_splits(
        "400:58.85,800:1:56.81,1200:2:53.21,1500:3:32.53", source="my <race>"
    )
    comparison = famous.compare(analysis, ["coe-1984-olympic-1500"])
    text = render_html(analysis, comparison=comparison)
    assert "<h2>Famous kicks</h2>" in text
    assert "Sebastian Coe" in text
    assert '<tr class="you">' in text
    assert "my &lt;race&gt;" in text and "my <race>" not in text
    assert "last / mean 400 m" in text
    assert "0:53.42" in text  # final 400 m, m:ss.ss


def test_comparison_table_formats_by_column_suffix() -> None:
    comparison = pd.DataFrame(
        {
            "key": [None, "x"],
            "race": ["you <1>", "famous"],
            "finish_s": [212.53, math.nan],
            "event_m": [1500.0, 1609.344],
            "gain_pct": [10.13, -2.0],
            "kick_detected": [True, False],
            "final_400_ratio": [0.9426, 1.01],
        }
    )
    text = render_html(_analysis(), comparison=comparison)
    table = text[text.index('<table class="compare">') :]
    assert "3:32.53" in table and "1,609 m" in table and "+10.1 %" in table and "-2.0 %" in table
    assert "0.943" in table and "yes" in table and "you &lt;1&gt;" in table
    assert '<th class="">key</th>' not in table  # the key column only marks the row
    assert table.count('<tr class="you">') == 1


# --------------------------------------------------------------------------- errors
def test_bad_arguments_raise_invalid_value(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="KickAnalysis"):
        render_html({"kick": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="comparison must be a pandas DataFrame"):
        render_html(_analysis(), comparison=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="cannot write the HTML report") as info:
        write_html(_analysis(), tmp_path / "missing" / "r.html")
    assert "missing" in str(info.value)


# --------------------------------------------------------------------------- formatting
@pytest.mark.parametrize(
    ("seconds", "decimals", "text"),
    [
        (84.512, 1, "1:24.5"),
        (59.96, 1, "1:00.0"),
        (5.0, 1, "0:05.0"),
        (212.53, 2, "3:32.53"),
        (3725.25, 2, "1:02:05.25"),
        (222.2, 0, "3:42"),
        (-4.4, 1, "-0:04.4"),
        (math.nan, 1, "–"),
        (None, 1, "–"),
    ],
)
def test_clock(seconds: float, decimals: int, text: str) -> None:
    assert _clock(seconds, decimals) == text


def test_pace() -> None:
    assert _pace(4.5) == "3:42/km"  # 222.2 s/km
    assert _pace(1000 / 240) == "4:00/km"
    assert _pace(0.0) == "–" and _pace(math.nan) == "–"


@given(st.lists(st.floats(min_value=-1.0, max_value=15.0) | st.just(math.nan), max_size=30))
def test_pace_array_matches_pace(speeds: list[float]) -> None:
    got = _pace_array(np.array(speeds, dtype=float))
    assert list(got) == [_pace(v) for v in speeds]


@given(st.floats(min_value=0.0, max_value=50_000.0))
def test_clock_reads_back(seconds: float) -> None:
    parts = _clock(seconds, 2).split(":")
    value = sum(float(p) * 60**i for i, p in enumerate(reversed(parts)))
    assert value == pytest.approx(round(seconds, 2), abs=1e-6)
    assert all(0 <= float(p) < 60 for p in parts[1:])


# --------------------------------------------------------------------------- browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = write_html(_analysis(), tmp_path / "report.html")
    proc = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    # plotly drew the figure: its SVG layers, one y axis title per panel, the kick label
    assert 'class="main-svg"' in dom
    for title in ("speed (m/s)", "cadence (steps/min)", "heart rate (bpm)", "grade (%)"):
        assert title in dom
    assert "distance to go (m)" in dom
