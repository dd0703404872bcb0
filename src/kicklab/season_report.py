"""One offline HTML page for a simulated season (:class:`kicklab.season.Season`).

Sections: the kicks kicklab found in every FIT file beside the truth the simulator knows, the
athletes' profiles fitted from their own files beside their true values, the race advice for the
championship (plain words, the win-probability curve against kick onset, and for a surger the
win probability over surge start and speed), and each athlete's speed over the last kilometre of
the first meet. plotly.js is embedded once; the page needs no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kicklab import __version__
from kicklab.errors import InvalidValue
from kicklab.kick.html import _CSS, _DASH, _clock, _e, _finite, _table
from kicklab.season import Season

__all__ = ["render_season_html", "write_season_html"]

#: Okabe–Ito colours, one per athlete (colour-blind safe).
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Distance to go shown in the speed chart, m.
_CHART_TO_GO_M = 1000.0


def _m(x: Any) -> str:
    return f"{float(x):,.0f} m" if _finite(x) else _DASH


def _pct(x: Any, signed: bool = False) -> str:
    if not _finite(x):
        return _DASH
    return f"{float(x):+.1f} %" if signed else f"{float(x):.1f} %"


def _num(x: Any, fmt: str) -> str:
    return format(float(x), fmt) if _finite(x) else _DASH


def _races_table(season: Season) -> str:
    head = (
        "date",
        "meet",
        "athlete",
        "place",
        "time",
        "tactic",
        "planned kick (to go)",
        "kick found (to go)",
        "gain",
        "cadence share",
        "last 400 m",
        "class",
    )
    rows = []
    for r in season.races.to_dict(orient="records"):
        found = _m(r.get("kick_to_go_m")) if r.get("kick_detected") else "none"
        if r.get("error"):
            found = f"error: {r['error']}"
        rows.append(
            tuple(
                _e(c)
                for c in (
                    r["date"],
                    r["meet"],
                    r["athlete"],
                    r["place"],
                    _clock(r["time_s"], 2),
                    str(r["tactic"]).replace("_", " "),
                    _m(r.get("true_kick_to_go_m")),
                    found,
                    _pct(r.get("kick_gain_pct"), True),
                    _pct(r.get("cadence_share_pct")),
                    _clock(r.get("final_400_s"), 1),
                    str(r.get("finish_class") or _DASH).replace("_", " "),
                )
            )
        )
    numeric = (False, False, False, True, True, False, True, True, True, True, True, False)
    return '<div class="scroll">' + _table(head, rows, numeric) + "</div>"


def _profiles_table(season: Season) -> str:
    head = (
        "athlete",
        "CS true",
        "CS fitted",
        "D' true",
        "D' fitted",
        "MSS true",
        "MSS fitted",
        "type",
    )
    rows = []
    for r in season.profiles.to_dict(orient="records"):
        rows.append(
            tuple(
                _e(c)
                for c in (
                    r["athlete"],
                    _num(r["true_cs_mps"], ".2f") + " m/s",
                    _num(r.get("cs_mps"), ".2f") + " m/s",
                    _m(r["true_d_prime_m"]),
                    _m(r.get("d_prime_m")),
                    _num(r["true_mss_mps"], ".2f") + " m/s",
                    _num(r.get("mss_mps"), ".2f") + " m/s",
                    r.get("profile_type") or r.get("error") or _DASH,
                )
            )
        )
    return _table(head, rows, (False, True, True, True, True, True, True, False))


def _advice_figure(name: str, adv: dict[str, Any], colour: str) -> Any:
    import plotly.graph_objects as go

    curve = adv["kick"]["curve"]
    x = [c["onset_m"] for c in curve]
    p = [100 * c["probability"] for c in curve]
    lo = [100 * c["ci_low"] for c in curve]
    hi = [100 * c["ci_high"] for c in curve]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x + x[::-1],
            y=hi + lo[::-1],
            fill="toself",
            fillcolor="rgba(0,0,0,0.08)",
            line={"width": 0},
            hoverinfo="skip",
            name="95 % interval",
        )
    )
    fig.add_trace(
        go.Scatter(x=x, y=p, mode="lines+markers", line={"color": colour}, name="win probability")
    )
    best = adv.get("best_kick_onset_m")
    if _finite(best):
        fig.add_vline(x=best, line={"dash": "dash", "color": colour})
    fig.update_layout(
        title=f"{name}: {adv['kick'].get('objective', 'win')} probability vs kick onset",
        xaxis={"title": "kick onset, m to go", "autorange": "reversed"},
        yaxis={"title": "%", "rangemode": "tozero"},
        height=340,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        showlegend=False,
    )
    return fig


def _surge_figure(name: str, surge: dict[str, Any]) -> Any:
    import plotly.graph_objects as go

    z = 100 * np.asarray(surge["win_probability"], dtype=float)
    fig = go.Figure(
        go.Heatmap(
            x=surge["speeds_mps"],
            y=surge["starts_m"],
            z=z,
            colorscale="Viridis",
            colorbar={"title": "win %"},
        )
    )
    fig.update_layout(
        title=f"{name}: win probability of a long surge (kicker covers it)",
        xaxis={"title": "surge speed, m/s"},
        yaxis={"title": "surge start, m to go"},
        height=360,
        margin={"l": 70, "r": 20, "t": 50, "b": 50},
    )
    return fig


def _speed_figure(season: Season) -> Any:
    """Speed against distance to go in the first meet, one line per athlete (as measured)."""
    import plotly.graph_objects as go

    first = season.races[season.races["meet"] == season.meets[0].name]
    fig = go.Figure()
    for i, r in enumerate(first.to_dict(orient="records")):
        analysis = season.analyses.get(r["path"])
        if analysis is None or analysis.series is None:
            continue
        s = analysis.series
        d = s["distance_m"].to_numpy(float)
        to_go = float(analysis.race.end_distance_m) - d
        keep = (to_go >= 0) & (to_go <= _CHART_TO_GO_M)
        col = "speed_analysed_mps" if "speed_analysed_mps" in s else "speed_mps"
        fig.add_trace(
            go.Scatter(
                x=to_go[keep],
                y=s[col].to_numpy(float)[keep],
                mode="lines",
                name=r["athlete"],
                line={"color": _COLOURS[i % len(_COLOURS)]},
            )
        )
    fig.update_layout(
        title=f"{season.meets[0].name}: speed over the last kilometre (from the FIT files)",
        xaxis={"title": "m to go", "autorange": "reversed"},
        yaxis={"title": "speed, m/s"},
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h"},
    )
    return fig


def render_season_html(season: Season, *, title: str = "kicklab season report") -> str:
    """The season as one self-contained HTML document (plotly.js embedded once)."""
    if not isinstance(season, Season):
        raise InvalidValue(f"a season report needs a Season, got {type(season).__name__}")
    import plotly.io as pio

    figures: list[tuple[str, Any]] = [("speed", _speed_figure(season))]
    parts = [
        f"<header><h1>{_e(title)}</h1><p class='sub'>A simulated season: "
        f"{len(season.athletes)} athletes, {len(season.meets)} meets, "
        f"{len(season.races)} FIT files written, read back and analysed.</p></header>",
        "<h2>Kicks found in the season's FIT files</h2>",
        "<p class='sub'>Planned kick = where the athlete's tactic goes all out in the simulation; "
        "found = where kicklab measured the speed rise in the FIT file (GPS noise 3 m). A runner "
        "who covers a rival's surge speeds up before their planned kick: kicklab reports where "
        "the speed actually rose, or a progressive finish when it rose in steps.</p>",
        _races_table(season),
        "<h2>Last kilometre of the first meet</h2>",
        "{fig:speed}",
        "<h2>Athlete profiles fitted from their own files</h2>",
        "<p class='sub'>CS and D' come from the best efforts in each athlete's own FIT files; MSS "
        "from a sprint test, since races never reach the maximal sprint speed. Tactical races "
        "are not maximal efforts and an even-paced race leaves some D' unspent, so D' fitted "
        "from race files is low — the advice below uses these fitted values, as a coach "
        "would.</p>",
        _profiles_table(season),
        "<h2>Advice for the championship</h2>",
    ]
    for i, (name, adv) in enumerate(season.advice.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        items = "".join(f"<li>{_e(t)}</li>" for t in adv.get("text", []))
        parts.append(f"<h3>{_e(name)}</h3><ul class='notes'>{items}</ul>")
        key = f"kick{i}"
        figures.append((key, _advice_figure(name, adv, colour)))
        parts.append(f"{{fig:{key}}}")
        if adv.get("surge"):
            key = f"surge{i}"
            figures.append((key, _surge_figure(name, adv["surge"])))
            parts.append(f"{{fig:{key}}}")
    if season.notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in season.notes)
        parts.append(f"<h2>Notes</h2><ul class='notes'>{items}</ul>")
    parts.append(f"<footer>kicklab {_e(__version__)} season report</footer>")
    body = "\n".join(parts)
    for j, (key, fig) in enumerate(figures):
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=(j == 0),
            include_mathjax=False,
            div_id=f"season-{key}",
            config={"displaylogo": False, "responsive": True},
        )
        body = body.replace(f"{{fig:{key}}}", div, 1)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def write_season_html(season: Season, path: str | Path, **kw: Any) -> Path:
    """Write :func:`render_season_html` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    try:
        target.write_text(render_season_html(season, **kw), encoding="utf-8")
    except OSError as exc:
        raise InvalidValue(
            f"cannot write the season report: {exc.strerror or exc}", str(target)
        ) from None
    return target
