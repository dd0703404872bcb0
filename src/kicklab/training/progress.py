"""Progress over time: kick metrics and the athlete profile across many races.

:func:`track_progress` reads activity files, analyses each one's finish with
:func:`kicklab.kick.analyze`, orders them by start time and returns a
:class:`ProgressResult`:

* a trend table, one row per file: date, file, race distance and time, finish class, kick
  onset (distance to go), gain, cadence share, final 200 m and 400 m times, the race's
  highest speed, personal-best flags and the profile of the day;
* personal bests of the final 200 m and 400 m as a *progression*: a row is a PB when its time
  beats every earlier row's (the first timed row is one);
* linear trends of the final 400 m time and of the kick's gain against the date, as a slope
  per 30 days and its sign in words, when at least :data:`MIN_TREND_POINTS` dated races have
  the value;
* the profile over time: the maximal sprint speed of each file
  (:func:`kicklab.physiology.reserve.mss_from_activity`: its best 3 s) and, cumulatively,
  critical speed and D' fitted to the best 2–20 min efforts of every file up to that row —
  what :func:`kicklab.physiology.profile.build_profile` gives for those files (null when the
  efforts do not allow a fit).

Files that cannot be read or analysed, activities of another sport than running, and files
that do not name their sport and move at walking pace (as
:func:`~kicklab.physiology.efforts.best_efforts` judges them) are
reported in :attr:`ProgressResult.errors` (one per file) and left out; the others are still
processed. Files without an absolute start time go last, in the order given, and are left out
of the trends (a note says so). One race given twice (the same recording exported as FIT and as
TCX, say: starts within :data:`DUPLICATE_START_S` and race distances within
:data:`DUPLICATE_DISTANCE_FRACTION`) is counted once: the FIT file is kept when there is one,
else the first given, and a note names both files.

:func:`render_progress_html` / :func:`write_progress_html` draw the final 400 m, the gain and
the sprint and critical speeds over time on one offline plotly page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab import __version__
from kicklab.errors import InvalidValue, KicklabError

__all__ = [
    "MIN_TREND_POINTS",
    "MAX_SPEED_WINDOW_M",
    "DUPLICATE_START_S",
    "DUPLICATE_DISTANCE_FRACTION",
    "TREND_PERIOD_DAYS",
    "TREND_METRICS",
    "PROGRESS_COLUMNS",
    "ProgressResult",
    "track_progress",
    "pb_progression",
    "linear_trend",
    "render_progress_html",
    "write_progress_html",
]

#: Fewest dated races with a value for a trend line: two points always lie on a line, a third
#: is the least that can disagree with it.
MIN_TREND_POINTS = 3
#: The slope of a trend is given per this many days (about a month: the span over which a
#: training block changes a kick).
TREND_PERIOD_DAYS = 30.0
#: Metrics with a trend and the sign of "better": −1 when lower is better (a time), +1 when
#: higher is better (the kick's gain).
TREND_METRICS: dict[str, int] = {"final_400_s": -1, "gain_pct": +1}
#: Columns of :attr:`ProgressResult.table`, in order (units in the names; ``date`` is the UTC
#: start time of the activity, NaT when unknown).
PROGRESS_COLUMNS: tuple[str, ...] = (
    "date",
    "file",
    "distance_m",
    "race_time_s",
    "class",
    "kick_detected",
    "onset_to_go_m",
    "gain_pct",
    "cadence_share_pct",
    "final_200_s",
    "final_400_s",
    "max_speed_mps",
    "pb_200",
    "pb_400",
    "mss_mps",
    "cs_mps",
    "d_prime_m",
)
#: The race's highest speed is taken over its last this many metres, m: the finish is what
#: the table follows, and the start of a recording, where GNSS fixes settle and speeds of
#: 10–12 m/s appear in jogs (seen in the shared GPX/TCX files), is left out.
MAX_SPEED_WINDOW_M = 400.0
#: Two recordings whose start times differ by at most this, s, may be one race: the start of a
#: recording is when the watch's timer was started, so the same activity exported twice (FIT
#: and TCX of one Garmin run, as in the shared 10 km files) starts at the same second, and two
#: watches worn in one race start within a few seconds of each other; two different races are
#: hours apart.
DUPLICATE_START_S = 60.0
#: ... and their race distances differ by at most this fraction of the longer one: exports of
#: one recording give the same distance, and two GNSS watches in one race usually agree within
#: 1 %, while a shorter or longer effort started within the same minute would not.
DUPLICATE_DISTANCE_FRACTION = 0.01
_DAY_S = 86400.0
#: Columns filled after sorting (PB flags, profile).
_LATER = ("pb_200", "pb_400", "mss_mps", "cs_mps", "d_prime_m")


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass
class ProgressResult:
    """What :func:`track_progress` found.

    Attributes
    ----------
    table
        One row per analysed file, columns :data:`PROGRESS_COLUMNS`: ``date`` (UTC start,
        NaT when unknown), ``file``, ``distance_m`` and ``race_time_s`` of the race found,
        ``class`` (finish class), ``kick_detected``, ``onset_to_go_m`` (m), ``gain_pct`` (%),
        ``cadence_share_pct`` (%), ``final_200_s`` and ``final_400_s`` (s), ``max_speed_mps``
        (the highest smoothed speed of the race's last :data:`MAX_SPEED_WINDOW_M`, m/s), ``pb_200`` / ``pb_400`` (personal-best
        progression flags), ``mss_mps`` (the file's best 3 s, m/s), ``cs_mps`` (m/s) and
        ``d_prime_m`` (m) fitted to the efforts of every file up to the row. NaN where a
        value does not exist.
    trends
        ``final_400_s`` and ``gain_pct`` → :func:`linear_trend` result.
    errors
        One error per file left out (unreadable, no race, not a run).
    notes
        Caveats in words (files without a start time, one race given twice, ...).
    """

    table: pd.DataFrame
    trends: dict[str, dict[str, Any]]
    errors: list[KicklabError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def personal_bests(self) -> dict[str, list[str]]:
        """Files holding a PB of the final 200 m / 400 m when they were run, in order."""
        return {
            key: self.table.loc[self.table[f"pb_{key}"], "file"].tolist() for key in ("200", "400")
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``rows`` (the table; ``date`` as ISO 8601 UTC or null), ``trends``,
        ``personal_bests``, ``errors`` (``source``, ``reason``) and ``notes``; NaN → null."""
        rows = []
        for rec in self.table.to_dict(orient="records"):
            row: dict[str, Any] = {}
            for key, value in rec.items():
                if key == "date":
                    row[key] = None if pd.isna(value) else pd.Timestamp(value).isoformat()
                elif isinstance(value, bool | np.bool_):
                    row[key] = bool(value)
                elif isinstance(value, str):
                    row[key] = value
                else:
                    row[key] = _num(value)
            rows.append(row)
        return {
            "rows": rows,
            "trends": {k: dict(v) for k, v in self.trends.items()},
            "personal_bests": self.personal_bests,
            "errors": [{"source": e.source, "reason": e.reason} for e in self.errors],
            "notes": list(self.notes),
        }


def pb_progression(times_s: Any) -> np.ndarray:
    """Personal-best flags of a series of times in order: True where a time beats every earlier
    one (strictly; NaN is never a PB and does not count as earlier)."""
    t = np.asarray(times_s, dtype=float)
    if t.size == 0:
        return np.zeros(0, dtype=bool)
    best_before = np.r_[np.inf, np.fmin.accumulate(np.where(np.isfinite(t), t, np.inf))[:-1]]
    return np.isfinite(t) & (t < best_before)


#: A trend is called clear when a slope this steep would arise by chance less than 5 % of the
#: time (two-sided test of a zero slope; the usual 5 % level).
TREND_ALPHA = 0.05


def linear_trend(
    days: Any, values: Any, *, better: int = -1, unit: str = "", min_points: int = MIN_TREND_POINTS
) -> dict[str, Any]:
    """Least-squares line of ``values`` against ``days``, as a slope per 30 days in words.

    Parameters
    ----------
    days
        Day of each value (any origin), days.
    values
        The metric; NaN pairs are left out.
    better
        −1 when a lower value is better (a time), +1 when higher is better.
    unit
        Unit of the values, for the words (``"s"``, ``"%"``).
    min_points
        Fewest points for a line.

    Returns
    -------
    dict
        ``n`` (points used), ``slope_per_30_days`` (unit per 30 days; None without a line),
        ``r2``, ``p_value`` (two-sided test of a zero slope: how likely a slope this steep
        is by chance), ``direction`` (``"improving"``, ``"worsening"``, ``"flat"`` or None), ``significant``
        (p below :data:`TREND_ALPHA`; a direction within chance is worded "no clear trend")
        and ``words``.
    """
    from scipy import stats

    x = np.asarray(days, dtype=float)
    y = np.asarray(values, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    out: dict[str, Any] = {
        "n": int(x.size),
        "slope_per_30_days": None,
        "r2": None,
        "p_value": None,
        "direction": None,
        "significant": None,
    }
    if x.size < min_points:
        out["words"] = f"too few dated races for a trend ({x.size} < {min_points})"
        return out
    if np.ptp(x) <= 0:
        out["words"] = "all races on the same day: no trend over time"
        return out
    fit = stats.linregress(x, y)
    slope = float(fit.slope) * TREND_PERIOD_DAYS
    out["slope_per_30_days"] = slope
    out["r2"] = float(fit.rvalue**2) if np.ptp(y) > 0 else 0.0
    out["p_value"] = _num(fit.pvalue)
    if slope == 0.0:
        out["direction"] = "flat"
        out["words"] = "flat: no change over time"
        return out
    out["direction"] = "improving" if slope * better > 0 else "worsening"
    p = out["p_value"]
    line = f"{slope:+.2f} {unit} per {TREND_PERIOD_DAYS:g} days over {x.size} races".replace(
        "  ", " "
    ) + ("" if p is None else f" (p = {p:.2g})")
    out["significant"] = p is not None and p < TREND_ALPHA
    if p is not None and not out["significant"]:
        out["words"] = f"no clear trend: {out['direction']} by {line}, within chance"
    else:
        out["words"] = f"{out['direction']}: {line}"
    return out


def _label(item: Any, index: int) -> str:
    from kicklab.activity import Activity

    if isinstance(item, Activity):
        return str(item.metadata.get("source") or f"activity {index + 1}")
    return str(item)


def _analyse_one(
    item: Any, label: str, race_distance_m: float | None
) -> tuple[dict[str, Any], Any]:
    """The trend-table row of one file (profile columns left NaN) and its activity."""
    from kicklab.activity import Activity
    from kicklab.io import read
    from kicklab.kick import analyze
    from kicklab.physiology.efforts import MIN_RUN_MEDIAN_MPS, RUNNING_SPORTS
    from kicklab.signal import STOP_SPEED_MPS

    activity = item if isinstance(item, Activity) else read(item, name=label)
    if activity.sport not in RUNNING_SPORTS:
        raise InvalidValue(f"a {activity.sport} activity, not a run", label)
    result = analyze(activity, name=label, race_distance_m=race_distance_m)
    series = result.series
    if activity.sport is None and series is not None and "speed_mps" in series:
        # a file that does not name its sport may be a walk or a hike (as in best_efforts)
        v = series["speed_mps"].to_numpy(dtype=float)
        moving = v[np.isfinite(v) & (v >= STOP_SPEED_MPS)]
        median = float(np.median(moving)) if moving.size else math.nan
        if not median >= MIN_RUN_MEDIAN_MPS:
            raise InvalidValue(
                f"sport not recorded and the median moving speed ({median:.1f} m/s) is a walk, "
                "not a run",
                label,
            )
    kick = result.kick
    speed = np.nan
    if series is not None and {"speed_mps", "distance_to_go_m"} <= set(series.columns):
        to_go = series["distance_to_go_m"].to_numpy(dtype=float)
        v = series["speed_mps"].to_numpy(dtype=float)
        v = v[(to_go <= MAX_SPEED_WINDOW_M) & np.isfinite(v)]
        if v.size:
            speed = float(v.max())
    start = activity.start_time
    row = {
        "date": pd.NaT if start is None or pd.isna(start) else pd.Timestamp(start),
        "file": label,
        "distance_m": result.race.distance_m,
        "race_time_s": result.race.duration_s,
        "class": result.finish_class,
        "kick_detected": bool(kick.detected),
        "onset_to_go_m": kick.onset_distance_to_go_m,
        "gain_pct": kick.gain_pct,
        "cadence_share_pct": kick.cadence_share_pct,
        "final_200_s": kick.final_200_s,
        "final_400_s": kick.final_400_s,
        "max_speed_mps": speed,
    }
    return row, activity


def _duplicates(dates: pd.Series, distances_m: Any, formats: list[str | None]) -> np.ndarray:
    """For each row, the index of the row it repeats, or −1.

    Two rows are one race when both start times are known and differ by at most
    :data:`DUPLICATE_START_S` and their race distances differ by at most
    :data:`DUPLICATE_DISTANCE_FRACTION` of the longer one. Of such rows, a FIT file is
    kept before other formats, then the first given; the others point to the kept row.
    """
    n = len(formats)
    same_of = np.full(n, -1, dtype=int)
    if n < 2:
        return same_of
    t = pd.Series(pd.to_datetime(dates, utc=True))
    t_s = (t - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)  # NaT: NaN
    d = np.asarray(distances_m, dtype=float)
    with np.errstate(invalid="ignore"):
        near_start = np.abs(t_s[:, None] - t_s[None, :]) <= DUPLICATE_START_S
        longer = np.fmax(d[:, None], d[None, :])
        near_dist = np.abs(d[:, None] - d[None, :]) <= DUPLICATE_DISTANCE_FRACTION * longer
    same = near_start & near_dist & (longer > 0)
    np.fill_diagonal(same, False)
    # FIT files first, then in the order given
    preference = np.argsort([fmt != "fit" for fmt in formats], kind="stable")
    kept: list[int] = []
    for j in preference:  # one pass over the files
        hits = np.flatnonzero(same[j, kept]) if kept else np.zeros(0, dtype=int)
        if hits.size:
            same_of[j] = kept[int(hits[0])]
        else:
            kept.append(int(j))
    return same_of


def _mss(activity: Any) -> float:
    from kicklab.physiology.reserve import mss_from_activity

    try:
        return float(mss_from_activity(activity))
    except KicklabError:
        return math.nan


def _efforts(activity: Any) -> pd.DataFrame:
    from kicklab.physiology.efforts import best_efforts

    try:
        return best_efforts([activity])
    except KicklabError:
        return pd.DataFrame(columns=["duration_s", "time_s", "distance_m", "speed_mps"])


def _cumulative_profile(efforts: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """CS (m/s) and D' (m) fitted to the best efforts of files 0..i, for every i.

    The best effort of each duration over the files so far, filtered by
    :func:`~kicklab.physiology.efforts.efforts_for_fit` and fitted by
    :func:`~kicklab.physiology.profile.build_profile`: the same numbers as
    ``build_profile(files=files[: i + 1])``, without reading each file again.
    """
    from kicklab.physiology.efforts import efforts_for_fit
    from kicklab.physiology.profile import build_profile

    n = len(efforts)
    cs = np.full(n, np.nan)
    dp = np.full(n, np.nan)
    best: pd.DataFrame | None = None
    last_key: tuple | None = None
    last_fit = (np.nan, np.nan)
    for i, table in enumerate(efforts):  # one fit per file, reused while the efforts stand
        if len(table):
            both = table if best is None else pd.concat([best, table], ignore_index=True)
            both = both.dropna(subset=["speed_mps"])
            best = both.loc[both.groupby("duration_s")["speed_mps"].idxmax()].reset_index(drop=True)
        if best is None or len(best) == 0:
            continue
        try:
            fit_table = efforts_for_fit(best)
        except KicklabError:
            continue
        key = tuple(np.round(fit_table[["distance_m", "time_s"]].to_numpy().ravel(), 6))
        if key != last_key:
            last_key = key
            try:
                prof = build_profile(fit_table[["distance_m", "time_s"]]).to_dict()
                last_fit = (_num(prof.get("cs_mps")), _num(prof.get("d_prime_m")))
            except KicklabError:
                last_fit = (None, None)
        cs[i] = np.nan if last_fit[0] is None else last_fit[0]
        dp[i] = np.nan if last_fit[1] is None else last_fit[1]
    return cs, dp


def track_progress(
    paths: Iterable[Any],
    *,
    race_distance_m: float | None = None,
    profile: bool = True,
) -> ProgressResult:
    """Kick metrics and profile over time across activity files.

    Parameters
    ----------
    paths
        Activity files (any format :func:`kicklab.read` reads) or
        :class:`~kicklab.activity.Activity` objects (labelled by their ``source``).
    race_distance_m
        Race distance, m: the race in each file is its fastest effort of this distance
        (default: :func:`kicklab.kick.analyze` finds the race itself).
    profile
        Add the profile over time (``mss_mps``, ``cs_mps``, ``d_prime_m``); False leaves
        those columns NaN (faster).

    Returns
    -------
    ProgressResult
        See the module docstring; rows in start-time order, files without a start time last.

    Raises
    ------
    InvalidValue
        ``paths`` is not a collection of files.

    Notes
    -----
    One race given twice (starts within :data:`DUPLICATE_START_S`, race distances within
    :data:`DUPLICATE_DISTANCE_FRACTION`) keeps one row, the FIT file's when there is one, else
    the first given; the other is left out of the table, the PBs, the trends and the profile,
    and a note names both files.
    """
    if isinstance(paths, str | Path | bytes):
        paths = [paths]
    try:
        items = list(paths)
    except TypeError:
        raise InvalidValue(
            f"track_progress needs a list of files, got {type(paths).__name__}"
        ) from None
    rows: list[dict[str, Any]] = []
    efforts: list[pd.DataFrame] = []  # each file's best efforts, for the cumulative fit
    errors: list[KicklabError] = []
    notes: list[str] = []
    formats: list[str | None] = []
    for index, item in enumerate(items):  # one analysis per file
        label = _label(item, index)
        try:
            row, activity = _analyse_one(item, label, race_distance_m)
        except KicklabError as exc:
            errors.append(exc.with_source(label))
            continue
        # the per-file parts of the profile now, so that no activity is kept in memory
        row["mss_mps"] = _mss(activity) if profile else math.nan
        efforts.append(_efforts(activity) if profile else pd.DataFrame())
        rows.append(row)
        formats.append(activity.metadata.get("format"))

    table = pd.DataFrame(
        rows, columns=[c for c in PROGRESS_COLUMNS if c not in _LATER or c == "mss_mps"]
    )
    table["date"] = pd.to_datetime(table["date"], utc=True)
    same_of = _duplicates(table["date"], table["distance_m"], formats)
    for j in np.flatnonzero(same_of >= 0):  # one note per repeated file
        i = int(same_of[j])
        gap_s = abs((table["date"].iloc[j] - table["date"].iloc[i]).total_seconds())
        d_i, d_j = float(table["distance_m"].iloc[i]), float(table["distance_m"].iloc[j])
        notes.append(
            f"the same race twice: {table['file'].iloc[i]} and {table['file'].iloc[j]} start "
            f"{gap_s:.0f} s apart over {d_i:.0f} m and {d_j:.0f} m; kept "
            f"{table['file'].iloc[i]}, left out {table['file'].iloc[j]}"
        )
    unique = same_of < 0
    table = table[unique].reset_index(drop=True)
    efforts = [e for e, keep in zip(efforts, unique, strict=True) if keep]
    # dated rows by start time (stable), undated ones after them in the order given
    dated = table["date"].notna().to_numpy()
    order = np.r_[
        np.flatnonzero(dated)[np.argsort(table["date"][dated].to_numpy(), kind="stable")],
        np.flatnonzero(~dated),
    ].astype(int)
    table = table.iloc[order].reset_index(drop=True)
    efforts = [efforts[i] for i in order]
    undated = table.loc[table["date"].isna(), "file"].tolist()
    if undated:
        notes.append(
            f"{len(undated)} file(s) without a start time, listed last in the order given and "
            f"left out of the trends: {', '.join(undated)}"
        )

    table["pb_200"] = pb_progression(table["final_200_s"])
    table["pb_400"] = pb_progression(table["final_400_s"])

    if profile and len(table):
        cs, dp = _cumulative_profile(efforts)
        table["cs_mps"], table["d_prime_m"] = cs, dp
        if not np.isfinite(cs).any():
            notes.append(
                "no critical speed: the files hold too few maximal 2–20 min efforts to fit one"
            )
    else:
        table["cs_mps"], table["d_prime_m"] = np.nan, np.nan
    table["mss_mps"] = table["mss_mps"].astype(float)
    table = table[list(PROGRESS_COLUMNS)]
    for col in ("kick_detected", "pb_200", "pb_400"):
        table[col] = table[col].astype(bool)

    when = table["date"]
    days = ((when - when.min()).dt.total_seconds() / _DAY_S).to_numpy(dtype=float)
    units = {"final_400_s": "s", "gain_pct": "%"}
    trends = {
        metric: linear_trend(
            days, table[metric].to_numpy(dtype=float), better=better, unit=units[metric]
        )
        for metric, better in TREND_METRICS.items()
    }
    return ProgressResult(table=table, trends=trends, errors=errors, notes=notes)


# ---------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;
background:#fafafa}main{max-width:1200px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:2px solid #0072B2;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.25rem .4rem;text-align:right}th{background:#eef3f8}
td.l,th.l{text-align:left}td.pb{font-weight:700;color:#D55E00}
p.note{color:#555;font-size:.9rem}footer{margin-top:2rem;color:#777;font-size:.8rem}
"""


def _clock(seconds: Any) -> str:
    s = _num(seconds)
    if s is None:
        return "–"
    m, sec = divmod(s, 60.0)
    return f"{int(m)}:{sec:04.1f}" if m else f"{sec:.1f}"


def _fmt(value: Any, digits: int) -> str:
    v = _num(value)
    return "–" if v is None else f"{v:.{digits}f}"


def _figure(result: ProgressResult) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    t = result.table[result.table["date"].notna()]
    x = t["date"].dt.tz_convert(None)
    names = t["file"].map(lambda f: Path(str(f)).name)
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=("Final 400 m (s)", "Kick gain (%)", "Speeds (m/s)"),
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=t["final_400_s"],
            mode="lines+markers",
            name="final 400 m",
            text=names,
            connectgaps=True,
        ),
        row=1,
        col=1,
    )
    pb = t[t["pb_400"]]
    fig.add_trace(
        go.Scatter(
            x=pb["date"].dt.tz_convert(None),
            y=pb["final_400_s"],
            mode="markers",
            name="PB (final 400 m)",
            marker={"symbol": "star", "size": 13, "color": "#D55E00"},
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=t["gain_pct"], mode="lines+markers", name="gain", text=names, connectgaps=True
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=t["mss_mps"],
            mode="lines+markers",
            name="sprint speed (best 3 s)",
            connectgaps=True,
        ),
        row=3,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=x, y=t["cs_mps"], mode="lines+markers", name="critical speed (to date)"),
        row=3,
        col=1,
    )
    fig.update_yaxes(autorange="reversed", row=1, col=1)  # faster (lower) is up
    fig.update_layout(height=820, template="plotly_white", margin={"l": 70, "r": 20, "t": 50})
    return fig


def render_progress_html(result: ProgressResult, *, title: str = "Kick progress") -> str:
    """One self-contained HTML page: the three plots over time, the trends and the table.

    plotly.js is embedded (no network needed); every text is HTML-escaped. Rows without a
    date are in the table but not in the plots.
    """
    import plotly.io as pio

    e = html.escape
    parts = [f"<h1>{e(title)}</h1>"]
    labels = {"final_400_s": "Final 400 m", "gain_pct": "Kick gain"}
    for metric, trend in result.trends.items():
        label = labels.get(metric, metric)
        parts.append(f"<p><strong>{e(label)}</strong>: {e(trend['words'])}</p>")
    for note in result.notes:
        parts.append(f"<p class='note'>note: {e(note)}</p>")
    for err in result.errors:
        parts.append(f"<p class='note'>left out: {e(str(err.source))}: {e(err.reason)}</p>")
    if result.table["date"].notna().any():
        parts.append(
            pio.to_html(
                _figure(result),
                full_html=False,
                include_plotlyjs=True,
                include_mathjax=False,
                div_id="progress-figure",
                config={"displaylogo": False, "responsive": True},
            )
        )
    else:
        parts.append("<p class='note'>No dated races to plot.</p>")
    head = (
        "<tr><th class='l'>date</th><th class='l'>file</th><th>distance</th><th class='l'>"
        "finish</th><th>onset to go</th><th>gain</th><th>cadence share</th><th>final 200 m"
        "</th><th>final 400 m</th><th>max speed</th><th>sprint speed</th><th>CS</th>"
        "<th>D'</th></tr>"
    )
    rows = []
    for _, r in result.table.iterrows():  # one row per race
        date = "–" if pd.isna(r["date"]) else r["date"].strftime("%Y-%m-%d")
        pb2 = " class='pb'" if r["pb_200"] else ""
        pb4 = " class='pb'" if r["pb_400"] else ""
        rows.append(
            f"<tr><td class='l'>{e(date)}</td><td class='l'>{e(str(r['file']))}</td>"
            f"<td>{_fmt(r['distance_m'], 0)} m</td><td class='l'>{e(str(r['class']))}</td>"
            f"<td>{_fmt(r['onset_to_go_m'], 0)}</td><td>{_fmt(r['gain_pct'], 1)}</td>"
            f"<td>{_fmt(r['cadence_share_pct'], 0)}</td><td{pb2}>{_clock(r['final_200_s'])}</td>"
            f"<td{pb4}>{_clock(r['final_400_s'])}</td><td>{_fmt(r['max_speed_mps'], 2)}</td>"
            f"<td>{_fmt(r['mss_mps'], 2)}</td><td>{_fmt(r['cs_mps'], 2)}</td>"
            f"<td>{_fmt(r['d_prime_m'], 0)}</td></tr>"
        )
    parts.append("<h2>Races</h2><p class='note'>Bold: a personal best when it was run.</p>")
    parts.append(f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")
    parts.append(f"<footer>kicklab {e(__version__)} progress report</footer>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>\n"
        + "\n".join(parts)
        + "\n</main></body></html>\n"
    )


def write_progress_html(
    result: ProgressResult, path: str | Path, *, title: str = "Kick progress"
) -> Path:
    """Write :func:`render_progress_html` to ``path`` (UTF-8) and return the path.

    Raises
    ------
    InvalidValue
        ``path`` cannot be written.
    """
    target = Path(path)
    try:
        target.write_text(render_progress_html(result, title=title), encoding="utf-8")
    except OSError as exc:
        raise InvalidValue(
            f"cannot write the HTML report: {exc.strerror or exc}", str(target)
        ) from None
    return target
