"""Offline HTML report of a kick analysis: header, stacked plots, metric tables.

:func:`render_html` turns a :class:`~kicklab.kick.result.KickAnalysis` into one self-contained
HTML page and :func:`write_html` writes it to a file (``kicklab analyze race.fit --html
report.html``). The page needs no network: plotly.js is embedded in it (about 4.5 MB), the CSS
is inline and there are no external fonts or images, so the file can be mailed or opened on a
laptop at the track.

What the page holds
-------------------
* A header: source, the rule that found the race, race distance and time, mean speed and pace,
  both halves, the finish class and the rule that gave it, the speed basis and the notes
  (caveats) of the analysis.
* One interactive figure whose x axis is the **distance to go** (m), running from the race
  distance down to 0 so that the finish is on the right. Stacked panels share it: speed
  (measured and, when hills were accounted for, grade-adjusted; pace in min/km in the hover),
  cadence (steps/min), step length (m), heart rate (bpm) and grade (%) — a panel is drawn only
  when its column holds data (grade only when it is not zero throughout). The kick (onset to
  the finish) and every surge are shaded, the fitted pre-kick pace and kick level are drawn as
  horizontal lines and the pace phases' mean speeds as a step line. A split table
  (``analysis.coarse``) is drawn as a step chart of the split speeds with the kick's onset
  boundary marked and the split before it marked: the onset is known only to that split.
* Tables: every kick metric that has a value (times as m:ss.s, speeds in m/s and min/km,
  percentages, with the JSON key beside each), the surges, the pace phases and, optionally,
  the famous-kick comparison of :func:`kicklab.kick.famous.compare`.

All text from the analysis (a file name may contain ``<``) is HTML-escaped; nothing from the
analysis is put into the figure's data except numbers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab import __version__
from kicklab.errors import InvalidValue
from kicklab.kick.result import Kick, KickAnalysis

__all__ = ["render_html", "write_html", "KICK_FIELDS"]

#: Kick fields shown in the metrics table, in order: (attribute, label, kind). The kind picks
#: the formatting: ``clock`` (m:ss.s), ``dist`` (m), ``res`` (± m), ``speed`` (m/s and
#: min/km), ``pct`` (%), ``gain`` (signed %), ``bpm``, ``spm`` (steps/min), ``step`` (m, cm
#: precision), ``bool``, ``text``.
KICK_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("detected", "Kick detected", "bool"),
    ("onset_distance_to_go_m", "Onset: distance to go", "dist"),
    ("onset_time_to_go_s", "Onset: time to go", "clock"),
    ("onset_resolution_m", "Onset resolution", "res"),
    ("onset_distance_m", "Onset: activity distance", "dist"),
    ("onset_time_s", "Onset: activity time", "clock"),
    ("ramp_s", "Ramp (race pace to kick speed)", "clock"),
    ("pre_kick_speed_mps", "Pre-kick pace (fitted)", "speed"),
    ("kick_speed_mps", "Kick level (fitted)", "speed"),
    ("gain_pct", "Gain", "gain"),
    ("peak_speed_mps", "Peak speed, onset to finish", "speed"),
    ("mean_speed_mps", "Mean speed, onset to finish", "speed"),
    ("duration_s", "Kick duration", "clock"),
    ("final_100_s", "Last 100 m", "clock"),
    ("final_200_s", "Last 200 m", "clock"),
    ("final_400_s", "Last 400 m", "clock"),
    ("hr_onset_bpm", "Heart rate at onset", "bpm"),
    ("hr_end_bpm", "Heart rate at finish", "bpm"),
    ("cadence_share_pct", "Share of the gain from cadence", "pct"),
    ("step_length_share_pct", "Share of the gain from step length", "pct"),
    ("cadence_gain_pct", "Cadence change", "gain"),
    ("step_length_gain_pct", "Step-length change", "gain"),
    ("pre_cadence_spm", "Cadence before the kick", "spm"),
    ("kick_cadence_spm", "Cadence in the kick", "spm"),
    ("pre_step_length_m", "Step length before the kick", "step"),
    ("kick_step_length_m", "Step length in the kick", "step"),
    ("d_balance_at_onset_m", "D' balance at onset", "dist"),
    ("d_balance_at_onset_pct", "D' balance at onset, % of D'", "pct"),
    ("d_balance_min_m", "Lowest D' balance", "dist"),
    ("d_balance_at_finish_m", "D' balance at finish", "dist"),
    ("reason", "Why", "text"),
)

_DASH = "–"  # shown for a value that does not exist (NaN / None)

# Colours (colour-blind-safe Okabe–Ito palette), with fills light enough that the lines on
# top stay readable.
_C_SPEED = "#0072B2"  # blue: speed as recorded
_C_ANALYSED = "#009E73"  # green: grade-adjusted speed (what the kick was detected on)
_C_PHASE = "#000000"  # black: phase means
_C_LEVEL = "#D55E00"  # vermilion: fitted pre-kick pace and kick level
_C_CADENCE = "#CC79A7"
_C_STEP = "#56B4E9"
_C_HR = "#E69F00"
_C_GRADE = "#999999"
_C_DBAL = "#7A3E9D"  # purple: D' balance (only when the athlete's CS and D' are known)
_F_KICK = "rgba(213, 94, 0, 0.13)"  # the kick, vermilion
_F_SURGE = "rgba(0, 114, 178, 0.12)"  # surges, blue
_F_ONSET = "rgba(120, 120, 120, 0.25)"  # split before a coarse onset: where the onset may lie
#: Height of the strip marking that split, as a fraction of the figure's plotting height.
_ONSET_STRIP = 0.07

#: Height of the figure's panels, px: the speed panel carries the story and is taller.
_SPEED_PANEL_PX = 360
_OTHER_PANEL_PX = 170
#: Gap between stacked panels as a fraction of the plotting height.
_PANEL_GAP = 0.045
#: Margins around the plotting area, px (top leaves room for the shading labels).
_MARGIN = {"l": 80, "r": 30, "t": 40, "b": 120}
#: The legend sits below the x axis title, this far above the bottom of the figure, px.
_LEGEND_Y_PX = 8

#: Speeds below this are standing or walking (a standing start, a watch stopped after the
#: line): they get no pace in the hover and do not set the speed panel's range, m/s.
_MIN_PACE_SPEED = 0.5
#: The speed panel's initial range covers the central 98 % of the speeds (1st to 99th
#: percentile) so the acceleration from a standing start does not squash the race pace into
#: the top of the panel; the plot's autoscale button shows everything.
_SPEED_RANGE_PCT = (1.0, 99.0)
#: Headroom above and below the speed range, as a fraction of it.
_SPEED_PAD = 0.1
#: The grade panel is left out when every grade is smaller than this (a flat course or a file
#: without altitude, where the grade is 0 throughout): 0.1 % is below any real slope.
_FLAT_GRADE = 0.001
#: A cadence, step length or heart rate below this fraction of its median is a standing
#: start or stop, not running; when the series holds one, the panel's initial range is the
#: robust one of :data:`_SPEED_RANGE_PCT`.
_LOW_FRACTION = 0.5
#: Speeds that differ by less than this are the same (grade adjustment on a flat course), m/s.
_SAME_SPEED = 1e-9

_CSS = """
:root { --ink: #1d2433; --muted: #5b6577; --line: #d9dee7; --band: #f4f6fa;
        --kick: #D55E00; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
             sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 32px 0 10px; padding-bottom: 4px;
     border-bottom: 2px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 18px; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
         gap: 10px; margin: 0 0 16px; }
.card { background: var(--band); border-radius: 6px; padding: 10px 14px; }
.card .k { color: var(--muted); font-size: 0.8rem; text-transform: uppercase;
           letter-spacing: 0.03em; }
.card .v { font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .x { color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
.verdict { border-left: 5px solid var(--accent); background: var(--band); padding: 10px 16px;
           border-radius: 0 6px 6px 0; margin: 0 0 12px; }
.verdict.kick { border-color: var(--kick); }
.badge { display: inline-block; padding: 1px 10px; border-radius: 12px; font-weight: 700;
         background: var(--accent); color: #fff; margin-right: 8px; }
.verdict.kick .badge { background: var(--kick); }
.notes { margin: 8px 0 0; padding-left: 20px; color: #5a4500; }
.notes li { margin: 2px 0; }
.caveat { background: #fff6dd; border: 1px solid #f0d9a0; border-radius: 6px;
          padding: 8px 14px; margin: 8px 0 12px; }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: var(--band); font-weight: 600; font-size: 0.9rem; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
td code { color: var(--muted); font-size: 0.8rem; }
table.metrics { max-width: 900px; }
table.metrics td:first-child { white-space: nowrap; }
table.metrics td:nth-child(2) { font-weight: 600; }
table.compare { width: 100%; font-size: 0.88rem; }
table.compare td.t { min-width: 9em; }
tr.you td { font-weight: 600; background: #fff1e8; }
.scroll { overflow-x: auto; }
.empty { color: var(--muted); font-style: italic; }
#kick-figure { width: 100%; }
footer { margin-top: 36px; color: var(--muted); font-size: 0.8rem; }
"""


# --------------------------------------------------------------------------- formatting
def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _clock(seconds: Any, decimals: int = 1) -> str:
    """``m:ss.s`` (``h:mm:ss.s`` from one hour), or a dash for a missing value."""
    if not _finite(seconds):
        return _DASH
    s = float(seconds)
    sign = "-" if s < 0 else ""
    s = round(abs(s), decimals)
    h, rest = divmod(s, 3600.0)
    m, sec = divmod(rest, 60.0)
    width = 3 + decimals if decimals else 2
    sec_text = f"{sec:0{width}.{decimals}f}"
    if h >= 1:
        return f"{sign}{int(h)}:{int(m):02d}:{sec_text}"
    return f"{sign}{int(m)}:{sec_text}"


def _pace(speed_mps: Any) -> str:
    """Pace as ``m:ss/km`` (whole seconds), or a dash for standing or missing speed."""
    if not _finite(speed_mps) or float(speed_mps) < _MIN_PACE_SPEED:
        return _DASH
    return f"{_clock(1000.0 / float(speed_mps), 0)}/km"


def _pace_array(speed_mps: np.ndarray) -> np.ndarray:
    """Vectorised :func:`_pace` for the hover text of a speed trace."""
    v = np.asarray(speed_mps, dtype=float)
    ok = np.isfinite(v) & (v >= _MIN_PACE_SPEED)
    total = np.zeros(v.size)
    total[ok] = np.round(1000.0 / v[ok])
    minutes = pd.Series((total // 60).astype(np.int64)).astype(str)
    seconds = pd.Series((total % 60).astype(np.int64)).astype(str).str.zfill(2)
    text = (minutes + ":" + seconds + "/km").to_numpy(dtype=object)
    text[~ok] = _DASH
    return text


def _speed(speed_mps: Any) -> str:
    if not _finite(speed_mps):
        return _DASH
    return f"{float(speed_mps):.2f} m/s · {_pace(speed_mps)}"


def _fmt(value: Any, kind: str) -> str:
    """One value as text for a table cell (not yet escaped)."""
    if kind == "text":
        return str(value) if value not in (None, "") else _DASH
    if kind == "bool":
        return "yes" if bool(value) else "no"
    if not _finite(value):
        return _DASH
    x = float(value)
    if kind == "clock":
        return _clock(x)
    if kind == "dist":
        return f"{x:,.0f} m"
    if kind == "res":
        return f"± {x:,.0f} m"
    if kind == "speed":
        return _speed(x)
    if kind == "pct":
        return f"{x:.1f} %"
    if kind == "gain":
        return f"{x:+.1f} %"
    if kind == "bpm":
        return f"{x:.0f} bpm"
    if kind == "spm":
        return f"{x:.1f} steps/min"
    if kind == "step":
        return f"{x:.2f} m"
    return f"{x:.4g}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- figure
@dataclass
class _Panel:
    """One stacked panel: its axis title, traces (no axes set yet) and an optional range."""

    title: str
    weight: float
    traces: list[Any] = field(default_factory=list)
    y_range: tuple[float, float] | None = None


def _column(series: pd.DataFrame, name: str) -> np.ndarray:
    if name not in series.columns:
        return np.full(len(series), np.nan)
    return pd.to_numeric(series[name], errors="coerce").to_numpy(dtype=float)


def _to_go(analysis: KickAnalysis, activity_distance_m: float) -> float:
    """Activity distance → distance to go, m."""
    return float(analysis.race.end_distance_m) - float(activity_distance_m)


def _race_distance(analysis: KickAnalysis, to_go: np.ndarray) -> float:
    d = float(analysis.race.distance_m)
    if math.isfinite(d) and d > 0:
        return d
    return float(np.nanmax(to_go)) if np.isfinite(to_go).any() else 1.0


def _speed_range(
    values: Sequence[np.ndarray], pct: tuple[float, float] = _SPEED_RANGE_PCT
) -> tuple[float, float] | None:
    v = np.concatenate([np.asarray(x, dtype=float).ravel() for x in values])
    v = v[np.isfinite(v) & (v >= _MIN_PACE_SPEED)]
    if v.size == 0:
        return None
    lo, hi = np.percentile(v, pct)
    pad = max(hi - lo, 0.05 * hi) * _SPEED_PAD
    return float(max(lo - pad, 0.0)), float(hi + pad)


def _phase_trace(analysis: KickAnalysis) -> Any:
    import plotly.graph_objects as go

    if not analysis.phases:
        return None
    x = [_to_go(analysis, p.start_distance_m) for p in analysis.phases]
    y = [p.mean_speed_mps for p in analysis.phases]
    x.append(_to_go(analysis, analysis.phases[-1].end_distance_m))
    y.append(analysis.phases[-1].mean_speed_mps)
    text = [f"phase {i + 1}: {_speed(v)}" for i, v in enumerate(y[:-1])]
    text.append(text[-1])
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        line={"shape": "hv", "color": _C_PHASE, "width": 1.6},
        name="pace phases (mean)",
        text=text,
        hovertemplate="%{text}<extra></extra>",
    )


def _level_traces(kick: Kick, race_m: float) -> list[Any]:
    """Fitted pre-kick pace (start to onset) and kick level (onset to finish)."""
    import plotly.graph_objects as go

    if not kick.detected or not _finite(kick.onset_distance_to_go_m):
        return []
    onset = float(kick.onset_distance_to_go_m)
    out = []
    for x0, x1, v, label, dash in (
        (race_m, onset, kick.pre_kick_speed_mps, "pre-kick pace", "dash"),
        (onset, 0.0, kick.kick_speed_mps, "kick level", "dot"),
    ):
        if not _finite(v):
            continue
        out.append(
            go.Scatter(
                x=[x0, x1],
                y=[v, v],
                mode="lines",
                line={"color": _C_LEVEL, "width": 2, "dash": dash},
                name=f"{label} {float(v):.2f} m/s ({_pace(v)})",
                hoverinfo="skip",
            )
        )
    return out


def _simple_level(
    x: tuple[float, float, float], before: Any, after: Any, name: str, unit: str
) -> list[Any]:
    """Dashed before/after levels of a kick metric on its own panel (cadence, step length)."""
    import plotly.graph_objects as go

    race_m, onset, _ = x
    out = []
    for x0, x1, v, dash in ((race_m, onset, before, "dash"), (onset, 0.0, after, "dot")):
        if _finite(v):
            out.append(
                go.Scatter(
                    x=[x0, x1],
                    y=[v, v],
                    mode="lines",
                    line={"color": _C_LEVEL, "width": 1.5, "dash": dash},
                    name=name,
                    showlegend=False,
                    hovertemplate=f"{name}: %{{y:.2f}} {unit}<extra></extra>",
                )
            )
    return out


def _sampled_panels(analysis: KickAnalysis, series: pd.DataFrame, to_go: np.ndarray) -> list:
    import plotly.graph_objects as go

    race_m = _race_distance(analysis, to_go)
    kick = analysis.kick
    v = _column(series, "speed_mps")
    v_an = _column(series, "speed_analysed_mps")
    panels: list[_Panel] = []

    speed = _Panel("speed (m/s)", 2.0)
    both = np.isfinite(v) | np.isfinite(v_an)
    adjusted = bool(
        np.isfinite(v_an).any()
        and np.nanmax(np.abs(np.where(both, np.nan_to_num(v) - np.nan_to_num(v_an), 0.0)))
        > _SAME_SPEED
    )
    if np.isfinite(v).any():
        speed.traces.append(
            go.Scatter(
                x=to_go,
                y=v,
                mode="lines",
                line={"color": _C_SPEED, "width": 1.6},
                name="speed",
                customdata=_pace_array(v),
                hovertemplate="speed %{y:.2f} m/s (%{customdata})<extra></extra>",
            )
        )
    if adjusted:
        speed.traces.append(
            go.Scatter(
                x=to_go,
                y=v_an,
                mode="lines",
                line={"color": _C_ANALYSED, "width": 1.6},
                name="grade-adjusted speed",
                customdata=_pace_array(v_an),
                hovertemplate="grade-adjusted %{y:.2f} m/s (%{customdata})<extra></extra>",
            )
        )
    phase = _phase_trace(analysis)
    if phase is not None:
        speed.traces.append(phase)
    speed.traces.extend(_level_traces(kick, race_m))
    levels = [v, v_an] + [
        np.array([x]) for x in (kick.pre_kick_speed_mps, kick.kick_speed_mps) if _finite(x)
    ]
    speed.y_range = _speed_range(levels)
    if speed.traces:
        panels.append(speed)

    onset = float(kick.onset_distance_to_go_m) if kick.detected else math.nan
    xs = (race_m, onset, 0.0)
    levels_of = {
        "cadence_spm": (kick.pre_cadence_spm, kick.kick_cadence_spm),
        "step_length_m": (kick.pre_step_length_m, kick.kick_step_length_m),
    }
    for column, label, unit, colour, fmt, scale in (
        ("cadence_spm", "cadence", "steps/min", _C_CADENCE, ".0f", 1.0),
        ("step_length_m", "step length", "m", _C_STEP, ".2f", 1.0),
        ("heart_rate_bpm", "heart rate", "bpm", _C_HR, ".0f", 1.0),
        ("grade", "grade", "%", _C_GRADE, ".1f", 100.0),
        ("d_balance_m", "D' balance", "m", _C_DBAL, ".0f", 1.0),
    ):
        y = _column(series, column) * scale
        if not np.isfinite(y).any():
            continue
        if column == "grade" and np.nanmax(np.abs(y)) < 100.0 * _FLAT_GRADE:
            continue
        p = _Panel(f"{label} ({unit})", 1.0)
        p.traces.append(
            go.Scatter(
                x=to_go,
                y=y,
                mode="lines",
                line={"color": colour, "width": 1.4},
                name=label,
                hovertemplate=f"{label} %{{y:{fmt}}} {unit}<extra></extra>",
            )
        )
        if math.isfinite(onset) and column in levels_of:
            p.traces.extend(_simple_level(xs, *levels_of[column], label, unit))
        if column != "grade" and np.nanmin(y) < _LOW_FRACTION * np.nanmedian(y):
            # a standing start or a stop records cadence and step length near 0: keep the
            # race's range in view
            p.y_range = _robust_range(y)
        panels.append(p)
    return panels


def _robust_range(y: np.ndarray) -> tuple[float, float]:
    """1st–99th percentile range with headroom (see :data:`_SPEED_RANGE_PCT`)."""
    v = y[np.isfinite(y)]
    lo, hi = np.percentile(v, _SPEED_RANGE_PCT)
    pad = max(hi - lo, 0.05 * abs(hi)) * _SPEED_PAD
    return float(lo - pad), float(hi + pad)


def _split_panels(analysis: KickAnalysis, series: pd.DataFrame, to_go: np.ndarray) -> list:
    import plotly.graph_objects as go

    race_m = _race_distance(analysis, to_go)
    v = _column(series, "speed_mps")
    split_m = _column(series, "split_distance_m")
    split_s = _column(series, "split_time_s")
    dist = _column(series, "distance_m")
    if not np.isfinite(split_m).any():
        split_m = np.diff(dist, prepend=0.0)
    if not np.isfinite(split_s).any():
        split_s = np.diff(_column(series, "time_s"), prepend=0.0)
    start_to_go = to_go + split_m
    speed = _Panel("split speed (m/s)", 2.0)
    speed.traces.append(
        go.Scatter(
            x=np.append(start_to_go, to_go[-1:]),
            y=np.append(v, v[-1:]),
            mode="lines",
            line={"shape": "hv", "color": _C_SPEED, "width": 2.2},
            name="split speed",
            hoverinfo="skip",
        )
    )
    n = np.arange(1, v.size + 1)
    hover = pd.Series(
        [
            f"split {i}: {dist[i - 1] - split_m[i - 1]:,.0f}–{dist[i - 1]:,.0f} m "
            f"in {_clock(split_s[i - 1], 2)}"
            for i in n
        ]
    )
    speed.traces.append(
        go.Scatter(
            x=to_go + split_m / 2,
            y=v,
            mode="markers",
            marker={"color": _C_SPEED, "size": 7},
            name="split average",
            text=hover,
            customdata=_pace_array(v),
            hovertemplate="%{text}<br>%{y:.2f} m/s (%{customdata})<extra></extra>",
        )
    )
    phase = _phase_trace(analysis)
    if phase is not None:
        speed.traces.append(phase)
    speed.traces.extend(_level_traces(analysis.kick, race_m))
    kick = analysis.kick
    # every split counts: split averages have no standing start to leave out
    speed.y_range = _speed_range(
        [v] + [np.array([x]) for x in (kick.pre_kick_speed_mps, kick.kick_speed_mps) if _finite(x)],
        (0.0, 100.0),
    )
    return [speed]


def _shapes(analysis: KickAnalysis, race_m: float) -> tuple[list[dict], list[dict]]:
    """Shaded kick and surges (full height of the figure) with their labels."""
    shapes: list[dict] = []
    notes: list[dict] = []

    def band(x0: float, x1: float, fill: str, label: str, name: str) -> None:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": x0,
                "x1": x1,
                "y0": 0,
                "y1": 1,
                "fillcolor": fill,
                "line": {"width": 0},
                "layer": "below",
                "name": name,
            }
        )
        notes.append(
            {
                "x": (x0 + x1) / 2,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": label,
                "showarrow": False,
                "font": {"size": 12},
            }
        )

    for i, s in enumerate(analysis.surges, 1):
        x0 = float(s.start_distance_to_go_m)
        x1 = _to_go(analysis, s.end_distance_m)
        if _finite(x0) and _finite(x1):
            gain = f" {s.gain_pct:+.1f} %" if _finite(s.gain_pct) else ""
            band(x0, max(x1, 0.0), _F_SURGE, f"surge {i}{gain}", f"surge {i}")
    kick = analysis.kick
    if kick.detected and _finite(kick.onset_distance_to_go_m):
        onset = float(kick.onset_distance_to_go_m)
        if analysis.coarse and _finite(kick.onset_resolution_m):
            # the onset lies somewhere in the split ending at the boundary (or at it): a strip
            # along the bottom, so it does not hide a surge shaded over the same split
            x0 = min(onset + float(kick.onset_resolution_m), race_m)
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": onset,
                    "y0": 0,
                    "y1": _ONSET_STRIP,
                    "fillcolor": _F_ONSET,
                    "line": {"width": 0},
                    "layer": "above",
                }
            )
            notes.append(
                {
                    "x": (x0 + onset) / 2,
                    "y": _ONSET_STRIP / 2,
                    "xref": "x",
                    "yref": "paper",
                    "text": "kick onset somewhere in this split",
                    "showarrow": False,
                    "font": {"size": 11},
                }
            )
        gain = f" {kick.gain_pct:+.1f} %" if _finite(kick.gain_pct) else ""
        band(onset, 0.0, _F_KICK, f"<b>kick</b>{gain}", "kick")
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": onset,
                "x1": onset,
                "y0": 0,
                "y1": 1,
                "line": {"color": _C_LEVEL, "width": 1.5, "dash": "dash"},
            }
        )
    return shapes, notes


def _unified_title() -> dict[str, Any]:
    """Hover title "850 m to go" where the installed plotly has it, else nothing (a bare number)."""
    import plotly.graph_objects as go

    if "unifiedhovertitle" in go.layout.XAxis()._valid_props:
        return {"unifiedhovertitle": {"text": "%{x:,.0f} m to go"}}
    return {}


def _figure(analysis: KickAnalysis) -> Any:
    """The stacked figure, or None when the analysis holds no series to plot."""
    import plotly.graph_objects as go

    series = analysis.series
    if not isinstance(series, pd.DataFrame) or series.empty:
        return None
    to_go = _column(series, "distance_to_go_m")
    if not np.isfinite(to_go).any():
        to_go = float(analysis.race.end_distance_m) - _column(series, "distance_m")
    if not np.isfinite(to_go).any():
        return None
    race_m = _race_distance(analysis, to_go)
    panels = (
        _split_panels(analysis, series, to_go)
        if analysis.coarse
        else _sampled_panels(analysis, series, to_go)
    )
    panels = [p for p in panels if p.traces]
    if not panels:
        return None

    fig = go.Figure()
    gaps = _PANEL_GAP * (len(panels) - 1)
    total = sum(p.weight for p in panels)
    top = 1.0
    layout: dict[str, Any] = {}
    for k, p in enumerate(panels, 1):
        h = (1.0 - gaps) * p.weight / total
        bottom = max(top - h, 0.0)
        name = "yaxis" if k == 1 else f"yaxis{k}"
        axis: dict[str, Any] = {
            "domain": [bottom, top],
            "anchor": "x",
            "title": {"text": p.title, "font": {"size": 13}},
            "zeroline": False,
            "gridcolor": "#e6e9ef",
        }
        if p.y_range is not None:
            axis["range"] = list(p.y_range)
        layout[name] = axis
        ref = "y" if k == 1 else f"y{k}"
        for trace in p.traces:
            trace.update(xaxis="x", yaxis=ref)
            fig.add_trace(trace)
        top = bottom - _PANEL_GAP
    shapes, notes = _shapes(analysis, race_m)
    height = (
        _MARGIN["t"]
        + _MARGIN["b"]
        + int(
            sum(_SPEED_PANEL_PX if p.weight > 1 else _OTHER_PANEL_PX for p in panels) / (1.0 - gaps)
        )
    )
    fig.update_layout(
        **layout,
        xaxis={
            "title": {"text": "distance to go (m) — finish at 0"},
            "range": [race_m, 0.0],
            "anchor": f"y{len(panels)}" if len(panels) > 1 else "y",
            "showspikes": True,
            "spikemode": "across",
            "spikethickness": 1,
            "spikecolor": "#888",
            "gridcolor": "#e6e9ef",
            "zeroline": False,
            "hoverformat": ",.0f",
            **_unified_title(),
        },
        shapes=shapes,
        annotations=notes,
        height=height,
        margin=_MARGIN,
        hovermode="x unified",
        hoversubplots="axis",
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": _LEGEND_Y_PX / height,
            "x": 0,
        },
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"},
    )
    return fig


# --------------------------------------------------------------------------- tables
def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    css_class: str = "",
) -> str:
    """An HTML table from already escaped cells."""
    th = "".join(f'<th class="{"n" if n else ""}">{h}</th>' for h, n in zip(head, numeric))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"n" if n else ""}">{c}</td>' for c, n in zip(r, numeric))
        for r in rows
    )
    return f'<table class="{css_class}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _metrics_table(kick: Kick) -> str:
    rows = []
    for name, label, kind in KICK_FIELDS:
        value = getattr(kick, name)
        if kind not in ("text", "bool") and not _finite(value):
            continue
        if kind == "text" and not value:
            continue
        rows.append((_e(label), _e(_fmt(value, kind)), f"<code>{_e(name)}</code>"))
    return _table(("metric", "value", "key"), rows, (False, False, False), "metrics")


def _surges_table(analysis: KickAnalysis) -> str:
    if not analysis.surges:
        return '<p class="empty">No surges before the finish.</p>'
    head = (
        "#",
        "from (to go)",
        "to (to go)",
        "distance",
        "duration",
        "pace before",
        "surge pace",
        "gain",
        "pace after",
        "after vs before",
    )
    rows = []
    for i, s in enumerate(analysis.surges, 1):
        rows.append(
            tuple(
                _e(c)
                for c in (
                    i,
                    _fmt(s.start_distance_to_go_m, "dist"),
                    _fmt(_to_go(analysis, s.end_distance_m), "dist"),
                    _fmt(s.distance_m, "dist"),
                    _fmt(s.duration_s, "clock"),
                    _speed(s.pre_speed_mps),
                    _speed(s.mean_speed_mps),
                    _fmt(s.gain_pct, "gain"),
                    _speed(s.after_speed_mps),
                    _fmt(s.after_pct, "gain"),
                )
            )
        )
    return '<div class="scroll">' + _table(head, rows, (True,) * len(head)) + "</div>"


def _phases_table(analysis: KickAnalysis) -> str:
    if not analysis.phases:
        return '<p class="empty">No pace phases.</p>'
    head = ("#", "from (to go)", "to (to go)", "distance", "duration", "mean speed")
    rows = []
    for i, p in enumerate(analysis.phases, 1):
        rows.append(
            tuple(
                _e(c)
                for c in (
                    i,
                    _fmt(_to_go(analysis, p.start_distance_m), "dist"),
                    _fmt(_to_go(analysis, p.end_distance_m), "dist"),
                    _fmt(p.end_distance_m - p.start_distance_m, "dist"),
                    _fmt(p.end_time_s - p.start_time_s, "clock"),
                    _speed(p.mean_speed_mps),
                )
            )
        )
    return '<div class="scroll">' + _table(head, rows, (True,) * len(head)) + "</div>"


def _cell(column: str, value: Any) -> tuple[str, bool]:
    """Formatted text of one comparison cell and whether it is numeric."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _DASH, True
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, int | np.integer) and not column.endswith(("_s", "_m", "_pct")):
        return str(int(value)), True
    if isinstance(value, float | int | np.floating | np.integer):
        x = float(value)
        if not math.isfinite(x):
            return _DASH, True
        if column.endswith("_s"):
            return _clock(x, 2), True
        if column.endswith("_m"):
            return f"{x:,.0f} m", True
        if column.endswith("_pct"):
            return f"{x:+.1f} %", True
        if column.endswith("_mps"):
            return _speed(x), True
        return f"{x:.3f}", True
    return str(value), False


#: Headers of the famous-kick comparison (:data:`kicklab.kick.famous.COMPARE_COLUMNS`);
#: other columns are shown under their own names. ``key`` is not shown: it only marks the
#: analysed race (no key) for highlighting.
_COMPARE_LABELS: dict[str, str] = {
    "race": "race",
    "athlete": "athlete",
    "year": "year",
    "event_m": "distance",
    "finish_s": "finish",
    "finish_class": "class",
    "kick_detected": "kick",
    "kick_onset_to_go_m": "kick from (to go)",
    "gain_pct": "kick gain",
    "final_400_s": "last 400 m",
    "mean_400_s": "mean 400 m",
    "final_400_ratio": "last / mean 400 m",
    "final_400_equivalent_s": "your finish at their pace (400 m)",
}
_HIDDEN_COMPARE = ("key",)


def _comparison_table(comparison: pd.DataFrame) -> str:
    if comparison.empty:
        return '<p class="empty">Nothing to compare with.</p>'
    columns = [str(c) for c in comparison.columns]
    shown = [j for j, c in enumerate(columns) if c not in _HIDDEN_COMPARE]
    cells_by_row: list[tuple[bool, list[tuple[str, bool]]]] = []
    for record in comparison.itertuples(index=False, name=None):
        cells = [_cell(columns[j], record[j]) for j in shown]
        you = "key" in columns and _cell("key", record[columns.index("key")])[0] == _DASH
        cells_by_row.append((you, cells))
    # a column is right-aligned when every value in it is a number (or missing)
    numeric = [all(row[1][i][1] for row in cells_by_row) for i in range(len(shown))]
    head = [_e(_COMPARE_LABELS.get(columns[j], columns[j].replace("_", " "))) for j in shown]
    th = "".join(f'<th class="{"n" if n else ""}">{h}</th>' for h, n in zip(head, numeric))
    body = "".join(
        f'<tr class="{"you" if you else ""}">'
        + "".join(
            f'<td class="{"n" if n else "t"}">{_e(text)}</td>'
            for (text, _), n in zip(cells, numeric)
        )
        + "</tr>"
        for you, cells in cells_by_row
    )
    return (
        f'<div class="scroll"><table class="compare"><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


# --------------------------------------------------------------------------- page
def _card(key: str, value: str, extra: str = "") -> str:
    x = f'<div class="x">{_e(extra)}</div>' if extra else ""
    return (
        f'<div class="card"><div class="k">{_e(key)}</div><div class="v">{_e(value)}</div>{x}</div>'
    )


_BASIS = {
    "grade_adjusted": "grade-adjusted speed (hills accounted for)",
    "speed": "speed as recorded",
    "splits": "split averages (split table)",
}


def _header(analysis: KickAnalysis, title: str) -> str:
    race = analysis.race
    source = analysis.source or "unnamed race"
    cards = [
        _card("Race distance", _fmt(race.distance_m, "dist")),
        _card("Race time", _clock(race.duration_s, 2)),
        _card("Mean speed", _speed(analysis.mean_speed_mps)),
    ]
    if _finite(analysis.first_half_s) and _finite(analysis.second_half_s):
        diff = float(analysis.second_half_s) - float(analysis.first_half_s)
        cards.append(
            _card(
                "Halves",
                f"{_clock(analysis.first_half_s)} / {_clock(analysis.second_half_s)}",
                f"{'negative' if diff < 0 else 'positive'} split {diff:+.1f} s",
            )
        )
    kick = analysis.kick
    if kick.detected:
        cards.append(
            _card(
                "Kick onset",
                f"{_fmt(kick.onset_distance_to_go_m, 'dist')} to go",
                f"{_clock(kick.onset_time_to_go_s)} before the finish"
                + (
                    f", {_fmt(kick.onset_resolution_m, 'res')}"
                    if _finite(kick.onset_resolution_m)
                    else ""
                ),
            )
        )
        cards.append(
            _card("Kick gain", _fmt(kick.gain_pct, "gain"), f"to {_speed(kick.kick_speed_mps)}")
        )
    if _finite(kick.final_400_s):
        cards.append(_card("Last 400 m", _clock(kick.final_400_s, 2)))
    elif _finite(kick.final_200_s):
        cards.append(_card("Last 200 m", _clock(kick.final_200_s, 2)))
    cls = analysis.finish_class or "undetermined"
    verdict = (
        f'<div class="verdict {"kick" if cls == "kick" else ""}">'
        f'<span class="badge">{_e(cls.replace("_", " "))}</span>{_e(analysis.class_reason)}'
    )
    if not kick.detected:
        verdict += f"<br><span class='sub'>{_e(kick.reason or 'no kick detected')}</span>"
    verdict += "</div>"
    rule = f"{race.rule}: {race.description}" if race.description else race.rule
    sub = (
        f"Source: <b>{_e(source)}</b> · race found by {_e(rule)} · "
        f"speed basis: {_e(_BASIS.get(analysis.speed_basis, analysis.speed_basis))}"
    )
    notes = ""
    if analysis.notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in analysis.notes)
        notes = f'<h2>Notes</h2><ul class="notes">{items}</ul>'
    return (
        f"<header><h1>{_e(title)}</h1><p class='sub'>{sub}</p>{verdict}"
        f'<div class="cards">{"".join(cards)}</div>{notes}</header>'
    )


def _check(analysis: Any, comparison: Any) -> None:
    if not isinstance(analysis, KickAnalysis):
        raise InvalidValue(f"an HTML report needs a KickAnalysis, got {type(analysis).__name__}")
    if comparison is not None and not isinstance(comparison, pd.DataFrame):
        raise InvalidValue(
            f"comparison must be a pandas DataFrame (kicklab.kick.famous.compare), "
            f"got {type(comparison).__name__}"
        )


def render_html(
    analysis: KickAnalysis,
    *,
    comparison: pd.DataFrame | None = None,
    title: str | None = None,
) -> str:
    """The self-contained HTML report of a kick analysis (see the module docstring).

    Parameters
    ----------
    analysis
        From :func:`kicklab.kick.analysis.analyze` or :func:`kicklab.kick.splits.analyze_splits`;
        its ``series`` is plotted (no figure when it is None).
    comparison
        Optional table from :func:`kicklab.kick.famous.compare`, shown as a table; columns
        ending ``_s`` are shown as m:ss.ss, ``_m`` in m, ``_pct`` in %.
    title
        Page title (default ``"Kick analysis — <source>"``).

    Returns
    -------
    str
        A complete HTML document with plotly.js embedded (no network needed to view it).

    Raises
    ------
    InvalidValue
        ``analysis`` is not a KickAnalysis or ``comparison`` not a DataFrame.
    """
    _check(analysis, comparison)
    import plotly.io as pio

    page_title = title or f"Kick analysis — {analysis.source or 'unnamed race'}"
    fig = _figure(analysis)
    parts = [_header(analysis, page_title)]
    parts.append("<h2>Race profile</h2>")
    if analysis.coarse:
        parts.append(
            '<p class="caveat">Split table: each split is one average speed, so the kick shows '
            "as a step at a split boundary (dashed line); the acceleration began somewhere in "
            "the split marked grey before it, at the boundary, or in the split after it.</p>"
        )
    if fig is None:
        parts.append('<p class="empty">No per-sample data to plot.</p>')
    else:
        parts.append(
            pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=True,
                include_mathjax=False,
                div_id="kick-figure",
                config={"displaylogo": False, "responsive": True, "scrollZoom": False},
            )
        )
    parts.append("<h2>Kick metrics</h2>")
    parts.append(_metrics_table(analysis.kick))
    parts.append("<h2>Surges</h2>")
    parts.append(_surges_table(analysis))
    parts.append("<h2>Pace phases</h2>")
    parts.append(_phases_table(analysis))
    if comparison is not None:
        parts.append("<h2>Famous kicks</h2>")
        parts.append(
            "<p class='sub'>Final 400 m ratio = last 400 m / mean 400 m of the whole race "
            "(below 1: a faster last lap); the equivalent is your ratio at that race's pace.</p>"
        )
        parts.append(_comparison_table(comparison))
    parts.append(f"<footer>kicklab {_e(__version__)} kick report</footer>")
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(page_title)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def write_html(
    analysis: KickAnalysis,
    path: str | Path,
    *,
    comparison: pd.DataFrame | None = None,
    title: str | None = None,
) -> Path:
    """Write the offline HTML report of ``analysis`` to ``path`` (UTF-8) and return the path.

    See :func:`render_html` for the parameters.

    Raises
    ------
    InvalidValue
        Bad arguments (see :func:`render_html`) or a path that cannot be written.
    """
    text = render_html(analysis, comparison=comparison, title=title)
    target = Path(path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidValue(
            f"cannot write the HTML report: {exc.strerror or exc}", str(target)
        ) from exc
    return target
