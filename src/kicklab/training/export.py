"""Plan exports: an iCalendar file, FIT workout files, a Markdown text and an HTML page.

A :class:`~kicklab.training.plan.Plan` leaves kicklab in four forms:

* :func:`write_ics` — an iCalendar file (RFC 5545) with one all-day event per session, for the
  athlete's calendar. The serializer is kicklab's own, in :mod:`kicklab.io.ics`
  (:func:`ics_calendar`, :func:`ics_escape`, :func:`ics_fold`): CRLF line ends, content lines
  folded at 75 octets without splitting a UTF-8 sequence, TEXT values escaped.
* :func:`write_fit_workouts` — one FIT *workout* file per session that has steps, for the
  athlete's watch (:func:`encode_fit_workout`): ``file_id`` (type workout), ``workout`` (sport
  running) and one ``workout_step`` per step with its distance, time or open duration, its
  speed band and its intensity; repeat steps become ``repeat_until_steps_cmplt`` steps. The
  encoder is :mod:`kicklab.io.fitworkout`; the FIT profile and the message encoding come from
  `fit-tool`_.
* :func:`plan_markdown` — the plan as Markdown: profile, weakness, blocks and one table per
  week with the sessions' details under it.
* :func:`write_plan_html` — the same as one self-contained HTML page (inline CSS, no scripts,
  no network), every text HTML-escaped (:func:`render_plan_html`).

Units: distances m, times s, speeds m/s inside; pace (min:s per km) only in the texts.

.. _fit-tool: https://pypi.org/project/fit-tool/
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kicklab import __version__
from kicklab.errors import InvalidValue, KicklabError
from kicklab.io.fitworkout import (
    FIT_DISTANCE_RESOLUTION_M,
    FIT_NOTES_BYTES,
    FIT_SPEED_RESOLUTION_MPS,
    FIT_STEP_NAME_BYTES,
    FIT_TIME_RESOLUTION_S,
    FIT_WKT_NAME_BYTES,
    STEP_DURATION_TYPES,
    STEP_INTENSITIES,
    _num,
    encode_fit_workout,
    truncate_utf8,
)
from kicklab.io.fitworkout import speed_band as _speed_band
from kicklab.io.ics import ICS_LINE_OCTETS, PRODID, ics_calendar, ics_clean, ics_escape, ics_fold

__all__ = [
    "ICS_LINE_OCTETS",
    "PRODID",
    "FIT_WKT_NAME_BYTES",
    "FIT_STEP_NAME_BYTES",
    "FIT_NOTES_BYTES",
    "FIT_SPEED_RESOLUTION_MPS",
    "FIT_DISTANCE_RESOLUTION_M",
    "FIT_TIME_RESOLUTION_S",
    "STEP_INTENSITIES",
    "STEP_DURATION_TYPES",
    "ics_clean",
    "ics_escape",
    "ics_fold",
    "ics_calendar",
    "session_uid",
    "session_description",
    "target_text",
    "step_text",
    "write_ics",
    "truncate_utf8",
    "fit_file_name",
    "encode_fit_workout",
    "write_fit_workouts",
    "plan_markdown",
    "render_plan_html",
    "write_plan_html",
]

#: Longest slug of a session title in a FIT file name, characters (kicklab's choice: long
#: enough to tell sessions apart, short enough for a watch's file list).
SLUG_MAX_CHARS = 40
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------------------- formatting
def _pace(speed_mps: float) -> str:
    """``m:ss`` per km for a speed in m/s."""
    sec = int(round(1000.0 / speed_mps))
    return f"{sec // 60}:{sec % 60:02d}"


def _speed_text(value: Any) -> str:
    """``"5.20 m/s (3:12/km)"`` or a band ``"5.10–5.30 m/s (3:16–3:09/km)"``; "" without one."""
    if isinstance(value, list | tuple):
        lo, hi = (_num(v) for v in (list(value) + [None, None])[:2])
        if lo is not None and hi is not None and lo > 0 and hi > 0:
            if abs(hi - lo) < 0.005:
                return _speed_text(lo)
            return f"{lo:.2f}–{hi:.2f} m/s ({_pace(lo)}–{_pace(hi)}/km)"
        value = lo if lo is not None else hi
    v = _num(value)
    if v is None or v <= 0:
        return ""
    return f"{v:.2f} m/s ({_pace(v)}/km)"


def _clock(seconds: Any) -> str:
    """Seconds as ``45 s``, ``3:05`` or ``1:02:00``."""
    s = _num(seconds)
    if s is None:
        return "-"
    if s < 60:
        return f"{s:g} s"
    whole = int(round(s))
    h, rem = divmod(whole, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _metres(value: Any) -> str:
    v = _num(value)
    if v is None:
        return "-"
    return f"{v / 1000:g} km" if v >= 1000 and v % 100 == 0 else f"{v:g} m"


def target_text(target: Mapping[str, Any]) -> str:
    """One target of a session in words, e.g. ``"flying 30 m: 4 × 30 m at 8.10 m/s ..."``.

    ``target`` is one item of ``Session.targets``: ``what``, ``speed_mps`` (a speed or a
    ``[low, high]`` band), ``pace_s_per_km``, ``reps``, ``distance_m`` or ``duration_s``,
    ``rest_s``, ``d_prime_spend_pct``; every key is optional.
    """
    reps = _num(target.get("reps"))
    dist = _num(target.get("distance_m"))
    dur = _num(target.get("duration_s"))
    amount = _metres(dist) if dist is not None else (_clock(dur) if dur is not None else "")
    if reps is not None and reps != 1 and amount:
        head = f"{reps:g} × {amount}"
    elif amount:
        head = amount
    else:
        head = f"{reps:g} reps" if reps is not None else ""
    speed = _speed_text(target.get("speed_mps"))
    pace = target.get("pace_s_per_km")
    if not speed and pace is not None:
        paces = [_num(p) for p in (pace if isinstance(pace, list | tuple) else [pace])]
        ok = [p for p in paces if p is not None and p > 0]
        if ok:
            speed = f"{'–'.join(_clock(p) for p in ok)}/km"
    if speed:
        head = f"{head} at {speed}" if head else f"at {speed}"
    parts = [head] if head else []
    rest = _num(target.get("rest_s"))
    if rest is not None:
        parts.append(f"rest {_clock(rest)}")
    spend = _num(target.get("d_prime_spend_pct"))
    if spend is not None:
        parts.append(f"spends {spend:.0f} % of D'")
    what = str(target.get("what") or "").strip()
    body = ", ".join(parts)
    if what and body:
        return f"{what}: {body}"
    return what or body


def step_text(step: Any, steps: Sequence[Any] = ()) -> str:
    """One workout step in words, e.g. ``"Warm-up — 2 km, 3.20–3.60 m/s (5:13–4:38/km)"``."""
    if step.repeat_of is not None:
        here = next((i for i, s in enumerate(steps) if s is step), None)
        last = f"{here}" if here is not None else "the step before"
        first = int(step.repeat_of) + 1
        span = f"step {first}" if here == first else f"steps {first}–{last}"
        return f"repeat {span}, {step.repeat_count} times in all"
    if step.duration_type == "distance":
        amount = _metres(step.duration)
    elif step.duration_type == "time":
        amount = _clock(step.duration)
    else:
        amount = "until lap button"
    parts = [f"{step.name} ({step.intensity}) — {amount}"]
    band = _speed_band(step)
    if band is not None:
        parts.append(_speed_text(list(band)))
    if step.notes:
        parts.append(str(step.notes))
    return ", ".join(parts)


def _drill_names(ids: Iterable[str], library: Mapping[str, Any] | None) -> list[str]:
    out = []
    for drill_id in ids:
        drill = library.get(drill_id) if library else None
        out.append(str(getattr(drill, "name", None) or drill_id))
    return out


def _default_library() -> Mapping[str, Any] | None:
    """The drill library shipped with kicklab, or None when it cannot be loaded."""
    try:
        from kicklab.training.library import load_library

        return load_library()
    except (ImportError, KicklabError):
        return None


def session_uid(athlete: str, session: Any) -> str:
    """Stable ``UID`` of a session's event: a hash of athlete, date and title, ``@kicklab``.

    The same session of the same athlete keeps its UID when the plan is exported again, so a
    calendar program updates the event instead of adding a second one.
    """
    key = f"{athlete}\x1f{session.date.isoformat()}\x1f{session.title}"
    return f"{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}@kicklab"


def session_description(session: Any, library: Mapping[str, Any] | None = None) -> str:
    """What a session's calendar event says: why, targets, steps, drills, distance and time.

    ``library`` maps drill ids to drills (their names are shown); without it the ids are.
    """
    out = [str(session.why).strip()] if str(session.why).strip() else []
    if session.targets:
        out += ["", "Targets:"] + [f"- {target_text(t)}" for t in session.targets]
    if session.steps:
        out += ["", "Steps:"]
        out += [f"{i}. {step_text(s, session.steps)}" for i, s in enumerate(session.steps, 1)]
    if session.drills:
        out += ["", "Drills: " + ", ".join(_drill_names(session.drills, library))]
    planned = []
    if _num(session.distance_m):
        planned.append(f"{session.distance_m / 1000:.1f} km")
    if _num(session.duration_min):
        planned.append(f"{session.duration_min:.0f} min")
    out += [
        "",
        f"Planned: {', '.join(planned) or '-'}. Focus: {session.focus}; phase: {session.phase}; "
        f"kind: {session.kind}.",
    ]
    return "\n".join(out)


def write_ics(
    plan: Any,
    path: str | Path | None = None,
    *,
    dtstamp: _dt.datetime | None = None,
    library: Mapping[str, Any] | None = None,
) -> bytes:
    """The plan as an iCalendar file: one all-day event per session.

    Parameters
    ----------
    plan
        A :class:`~kicklab.training.plan.Plan`.
    path
        File to write (created or overwritten); nothing is written when None.
    dtstamp
        Creation time of the events (``DTSTAMP``), UTC; default now.
    library
        Drill library for drill names in the descriptions (default: kicklab's own).

    Returns
    -------
    bytes
        The calendar: per session ``UID`` (:func:`session_uid`), ``SUMMARY`` the title,
        ``DESCRIPTION`` (:func:`session_description`), ``CATEGORIES`` focus and phase.

    Raises
    ------
    InvalidValue
        ``path`` cannot be written.
    """
    lib = library if library is not None else _default_library()
    events = [
        {
            "uid": session_uid(plan.athlete, s),
            "date": s.date,
            "summary": s.title,
            "description": session_description(s, lib),
            "categories": [s.focus, s.phase],
        }
        for s in plan.sessions
    ]
    name = f"kicklab plan: {plan.athlete}, {plan.distance_m:g} m on {plan.race_date.isoformat()}"
    data = ics_calendar(events, dtstamp=dtstamp, name=name)
    if path is not None:
        _write_bytes(Path(path), data, "calendar")
    return data


def _write_bytes(path: Path, data: bytes, what: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidValue(f"cannot write the {what}: {exc.strerror or exc}", str(path)) from None


# ---------------------------------------------------------------------------- FIT workouts
def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_CHARS].rstrip("-") or "session"


def fit_file_name(session: Any) -> str:
    """``YYYY-MM-DD-<slug of the title>.fit`` (ASCII letters, digits and hyphens)."""
    return f"{session.date.isoformat()}-{_slug(str(session.title))}.fit"


def write_fit_workouts(
    plan: Any, folder: str | Path, *, created: _dt.datetime | None = None
) -> list[Path]:
    """Write one FIT workout file per session that has steps into ``folder``.

    Files are named by :func:`fit_file_name` (``YYYY-MM-DD-<slug>.fit``; a plan has at most one
    session per date, so names do not clash); ``folder`` is created when missing. Sessions
    without steps (strength, drills only) get no file.

    Returns
    -------
    list of Path
        The files written, in date order.

    Raises
    ------
    InvalidValue
        A session's steps cannot be written as FIT (see :func:`encode_fit_workout`), or the
        folder or a file cannot be written.
    """
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValue(
            f"cannot create the folder: {exc.strerror or exc}", str(target)
        ) from None
    out = []
    for session in plan.sessions:  # one file per session
        if not session.steps:
            continue
        data = encode_fit_workout(session, created=created, athlete=plan.athlete)
        path = target / fit_file_name(session)
        _write_bytes(path, data, "workout")
        out.append(path)
    return out


# ---------------------------------------------------------------------------- text pages
def _weeks(sessions: Sequence[Any]) -> list[tuple[_dt.date, list[Any]]]:
    """Sessions grouped by the Monday of their week, in date order."""
    weeks: dict[_dt.date, list[Any]] = {}
    for s in sorted(sessions, key=lambda s: s.date):  # ~100 sessions
        monday = s.date - _dt.timedelta(days=s.date.weekday())
        weeks.setdefault(monday, []).append(s)
    return sorted(weeks.items())


def _block_of(plan: Any, day: _dt.date) -> Any:
    return next((b for b in plan.blocks if b.start <= day <= b.end), None)


def _profile_lines(profile: Mapping[str, Any]) -> list[str]:
    out = []
    cs, dp, mss = (_num(profile.get(k)) for k in ("cs_mps", "d_prime_m", "mss_mps"))
    if cs is not None:
        out.append(f"critical speed {_speed_text(cs)}")
    if dp is not None:
        out.append(f"D' {dp:.0f} m")
    if mss is not None:
        out.append(f"max sprint speed {mss:.2f} m/s")
    if (asr := _num(profile.get("asr_mps"))) is not None:
        out.append(f"speed reserve {asr:.2f} m/s")
    if (srr := _num(profile.get("srr"))) is not None:
        out.append(f"speed reserve ratio {srr:.2f}")
    if profile.get("profile_type"):
        out.append(f"profile: {profile['profile_type']}")
    return out


def _weakness_lines(weakness: Mapping[str, Any]) -> tuple[str, list[str]]:
    primary = str(weakness.get("primary") or "-")
    secondary = [str(s) for s in (weakness.get("secondary") or [])]
    head = f"{primary}" + (f" (then {', '.join(secondary)})" if secondary else "")
    return head, [str(r) for r in (weakness.get("reasons") or [])]


def _title(plan: Any) -> str:
    return (
        f"Training plan for {plan.athlete}: {plan.distance_m:g} m on {plan.race_date.isoformat()}"
    )


def _md(text: Any) -> str:
    """Text for a Markdown table cell: pipes escaped, line breaks as spaces."""
    return re.sub(r"\s*\n\s*", " ", str(text)).replace("|", "\\|")


def _distance_cell(session: Any) -> str:
    d = _num(session.distance_m)
    return f"{d / 1000:.1f} km" if d else "-"


def _duration_cell(session: Any) -> str:
    m = _num(session.duration_min)
    return f"{m:.0f} min" if m else "-"


def plan_markdown(plan: Any, *, library: Mapping[str, Any] | None = None) -> str:
    """The plan as Markdown: header, profile, weakness, blocks, then one section per week.

    Each week has a table (date, session, focus, kind, distance, time, targets) and, under
    it, each session's reason, steps and drills. ``library`` (default: kicklab's own) names
    the drills.
    """
    lib = library if library is not None else _default_library()
    out = [f"# {_md(_title(plan))}", ""]
    out.append(
        f"Level {plan.level}, {plan.days_per_week} days a week, peak "
        f"{plan.weekly_km:.0f} km a week."
    )
    prof = _profile_lines(plan.profile)
    if prof:
        out.append(f"Profile: {', '.join(prof)}.")
    head, reasons = _weakness_lines(plan.weakness)
    out += ["", "## What this plan works on", "", f"Main weakness: **{_md(head)}**."]
    out += [f"- {_md(r)}" for r in reasons]
    out += ["", "## Blocks", ""]
    for b in plan.blocks:
        out += [
            f"### {_md(b.phase.capitalize())}: {b.start.isoformat()} to {b.end.isoformat()}",
            "",
            f"Emphasis: {_md(', '.join(b.emphasis) or '-')}.",
            "",
            _md(b.why),
            "",
        ]
    for n, (monday, sessions) in enumerate(_weeks(plan.sessions), 1):
        block = _block_of(plan, monday) or _block_of(plan, sessions[0].date)
        phase = f" ({block.phase})" if block is not None else ""
        km = sum(_num(s.distance_m) or 0.0 for s in sessions) / 1000
        out += [f"## Week {n}: from {monday.isoformat()}{phase}, {km:.1f} km", ""]
        out += [
            "| Date | Session | Focus | Kind | Distance | Time | Targets |",
            "|---|---|---|---|---:|---:|---|",
        ]
        for s in sessions:
            targets = "; ".join(target_text(t) for t in s.targets) or "-"
            out.append(
                f"| {_WEEKDAYS[s.date.weekday()]} {s.date.isoformat()} | {_md(s.title)} | "
                f"{_md(s.focus)} | {_md(s.kind)} | {_distance_cell(s)} | {_duration_cell(s)} | "
                f"{_md(targets)} |"
            )
        out.append("")
        for s in sessions:
            out.append(f"**{_WEEKDAYS[s.date.weekday()]} {s.date.isoformat()}: {_md(s.title)}**")
            out.append("")
            if str(s.why).strip():
                out += [_md(s.why), ""]
            for i, step in enumerate(s.steps, 1):
                out.append(f"{i}. {_md(step_text(step, s.steps))}")
            if s.steps:
                out.append("")
            if s.drills:
                out += [f"Drills: {_md(', '.join(_drill_names(s.drills, lib)))}", ""]
    out.append(f"_Made with kicklab {__version__}._")
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;
background:#fafafa;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:.4rem 0}h2{font-size:1.25rem;margin:1.8rem 0 .5rem;
border-bottom:2px solid #0072B2;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}
p.sub{color:#555;margin:.2rem 0}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.45rem .7rem}
.card b{display:block;font-size:.75rem;color:#666;font-weight:600;text-transform:uppercase}
.block{background:#fff;border-left:4px solid #009E73;padding:.4rem .8rem;margin:.6rem 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem;margin:.4rem 0}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef3f8}td.num{text-align:right;white-space:nowrap}
td.day{white-space:nowrap}
tr.hard td{background:#fff6ee}
details{background:#fff;border:1px solid #e3e3e3;border-radius:4px;margin:.3rem 0;
padding:.3rem .6rem}summary{cursor:pointer;font-weight:600}
footer{margin-top:2rem;color:#777;font-size:.8rem}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def render_plan_html(plan: Any, *, library: Mapping[str, Any] | None = None) -> str:
    """The plan as one self-contained HTML page (see :func:`plan_markdown` for its content).

    Inline CSS, no scripts, no external resources; every text from the plan is escaped with
    :func:`html.escape`. Hard sessions are tinted in the weekly tables; each session's steps,
    targets and drills sit in a collapsible block under its week.
    """
    lib = library if library is not None else _default_library()
    title = _title(plan)
    parts = [f"<h1>{_e(title)}</h1>"]
    first = plan.sessions[0].date.isoformat() if plan.sessions else "-"
    parts.append(
        f"<p class='sub'>Level {_e(plan.level)}, {_e(plan.days_per_week)} days a week, peak "
        f"{plan.weekly_km:.0f} km a week; from {_e(first)} to race day "
        f"{_e(plan.race_date.isoformat())}.</p>"
    )
    prof = _profile_lines(plan.profile)
    if prof:
        parts.append(
            "<div class='cards'>"
            + "".join(f"<div class='card'>{_e(p)}</div>" for p in prof)
            + "</div>"
        )
    head, reasons = _weakness_lines(plan.weakness)
    parts.append("<h2>What this plan works on</h2>")
    parts.append(f"<p>Main weakness: <strong>{_e(head)}</strong>.</p>")
    if reasons:
        parts.append("<ul>" + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ul>")
    parts.append("<h2>Blocks</h2>")
    for b in plan.blocks:
        parts.append(
            f"<div class='block'><h3>{_e(b.phase.capitalize())}: {_e(b.start.isoformat())} to "
            f"{_e(b.end.isoformat())}</h3><p class='sub'>Emphasis: "
            f"{_e(', '.join(b.emphasis) or '-')}</p><p>{_e(b.why)}</p></div>"
        )
    for n, (monday, sessions) in enumerate(_weeks(plan.sessions), 1):
        block = _block_of(plan, monday) or _block_of(plan, sessions[0].date)
        phase = f" ({block.phase})" if block is not None else ""
        km = sum(_num(s.distance_m) or 0.0 for s in sessions) / 1000
        parts.append(f"<h2>Week {n}: from {_e(monday.isoformat())}{_e(phase)}, {km:.1f} km</h2>")
        rows = []
        for s in sessions:
            targets = "<br>".join(_e(target_text(t)) for t in s.targets) or "–"
            css = " class='hard'" if s.kind in ("hard", "race") else ""
            rows.append(
                f"<tr{css}><td class='day'>{_WEEKDAYS[s.date.weekday()]} {_e(s.date.isoformat())}</td>"
                f"<td>{_e(s.title)}</td><td>{_e(s.focus)}</td><td>{_e(s.kind)}</td>"
                f"<td class='num'>{_e(_distance_cell(s))}</td>"
                f"<td class='num'>{_e(_duration_cell(s))}</td><td>{targets}</td></tr>"
            )
        parts.append(
            "<table><thead><tr><th>Date</th><th>Session</th><th>Focus</th><th>Kind</th>"
            "<th>Distance</th><th>Time</th><th>Targets</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
        for s in sessions:
            inner = [f"<p>{_e(s.why)}</p>"] if str(s.why).strip() else []
            if s.steps:
                inner.append(
                    "<ol>"
                    + "".join(f"<li>{_e(step_text(st, s.steps))}</li>" for st in s.steps)
                    + "</ol>"
                )
            if s.drills:
                inner.append(
                    f"<p class='sub'>Drills: {_e(', '.join(_drill_names(s.drills, lib)))}</p>"
                )
            parts.append(
                f"<details><summary>{_WEEKDAYS[s.date.weekday()]} {_e(s.date.isoformat())}: "
                f"{_e(s.title)}</summary>{''.join(inner)}</details>"
            )
    parts.append(f"<footer>kicklab {_e(__version__)} training plan</footer>")
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def write_plan_html(
    plan: Any, path: str | Path, *, library: Mapping[str, Any] | None = None
) -> Path:
    """Write :func:`render_plan_html` to ``path`` (UTF-8) and return the path.

    Raises
    ------
    InvalidValue
        ``path`` cannot be written.
    """
    target = Path(path)
    _write_bytes(target, render_plan_html(plan, library=library).encode("utf-8"), "HTML plan")
    return target
