"""``kicklab plan`` and ``kicklab progress``: a training plan and its exports; progress over time.

Thin commands over :mod:`kicklab.training`: the plan comes from
:func:`kicklab.training.plan.build_plan`, its exports from :mod:`kicklab.training.export`
and the progress table from :func:`kicklab.training.progress.track_progress`. Bad input is one
line ``error: <source>: <reason>`` on stderr and exit status 2; ``--json`` prints with
``allow_nan=False``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kicklab.cli import EXIT_BAD_INPUT, _error_line, _fmt_time, _out, _race_distance, app
from kicklab.errors import InvalidValue, KicklabError

#: Weeks of the plan shown as a table in the terminal (the rest is in the exports).
SHOWN_WEEKS = 2
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Finish classes shortened for the narrow progress table.
_CLASS_SHORT = {"undetermined": "?", "progressive": "progr.", "long_surge": "surge"}


def _json_default(obj: Any) -> Any:
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, allow_nan=False, default=_json_default))


def _date(text: str | None, option: str) -> _dt.date | None:
    if text is None:
        return None
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"{option} must be a date YYYY-MM-DD, got {text!r}") from None


def _athlete_profile(
    profile: Path | None, cs: float | None, d_prime: float | None, mss: float | None
) -> dict[str, Any]:
    """The profile dict of the plan: from a saved profile or --cs/--d-prime (and --mss)."""
    from kicklab.physiology.reserve import KickProfile, mas_from_model

    data: dict[str, Any] = {}
    if profile is not None:
        from kicklab.physiology.profile import load_profile

        data = load_profile(profile)
    if cs is not None or d_prime is not None:
        if cs is None or d_prime is None:
            raise InvalidValue("--cs and --d-prime go together")
        data = {**data, "cs_mps": cs, "d_prime_m": d_prime}
    if not data:
        raise InvalidValue(
            "the plan needs the athlete's profile: --profile profile.json (kicklab profile "
            "--save) or --cs and --d-prime (and --mss)"
        )
    mss_mps = mss if mss is not None else data.get("mss_mps")
    cs_mps, dp_m = float(data["cs_mps"]), float(data["d_prime_m"])
    mas = float(mas_from_model(cs_mps, dp_m, mss_mps))
    core = KickProfile.from_values(
        cs_mps=cs_mps, d_prime_m=dp_m, mss_mps=mss_mps, mas_mps=mas
    ).to_dict()
    return {**data, **core}


def _kick_history(files: list[str]) -> list[dict[str, Any]]:
    """``KickAnalysis.to_dict()`` of each kick file; every bad file is one error line."""
    from kicklab.kick import analyze

    out, failed = [], False
    for f in files:  # one analysis per file
        try:
            out.append(analyze(f).to_dict())
        except KicklabError as exc:
            _error_line(exc, f)
            failed = True
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)
    return out


def _kick_files(kicks: str | None, kick_file: list[Path] | None) -> list[str]:
    files = [tok.strip() for tok in (kicks or "").split(",") if tok.strip()]
    return files + [str(p) for p in kick_file or []]


def _short_target(target: dict[str, Any]) -> str:
    """``"6 × 30 m @ 8.01–8.49"`` (m/s): a target without its pace and words."""
    from kicklab.training.export import target_text

    lean = {k: target[k] for k in ("reps", "distance_m", "duration_s") if k in target}
    amount = target_text(lean)
    speed = target.get("speed_mps")
    if isinstance(speed, list | tuple) and len(speed) == 2 and None not in speed:
        amount += f" @ {min(speed):.2f}–{max(speed):.2f}"
    elif isinstance(speed, int | float):
        amount += f" @ {speed:.2f}"
    return amount.strip()


def _top_speed(target: dict[str, Any]) -> float:
    speed = target.get("speed_mps")
    values = speed if isinstance(speed, list | tuple) else [speed]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def _session_target(session: Any) -> str:
    """The target that defines a session: the fastest of a hard session, else the first."""
    if not session.targets:
        return ""
    if session.kind in ("hard", "race"):
        return _short_target(max(session.targets, key=_top_speed))
    return _short_target(session.targets[0])


def _print_plan(plan: Any) -> None:
    for line in plan.summary():
        _out.print(line)
    if not plan.sessions:
        return
    first = plan.sessions[0].date
    monday = first - _dt.timedelta(days=first.weekday())
    until = monday + _dt.timedelta(weeks=SHOWN_WEEKS)
    table = Table(
        title=f"first {SHOWN_WEEKS} weeks (from {monday:%a %d %b %Y})", title_justify="left"
    )
    table.add_column("day", no_wrap=True)
    for col in ("session", "focus", "kind", "km", "min", "main target, m/s"):
        table.add_column(col, justify="right" if col in ("km", "min") else "left")
    for s in plan.sessions:  # a fortnight of sessions
        if s.date >= until:
            break
        table.add_row(
            f"{_WEEKDAYS[s.date.weekday()]} {s.date.day} {s.date:%b}",
            s.title,
            s.focus,
            s.kind,
            f"{s.distance_m / 1000:.1f}" if s.distance_m else "-",
            f"{s.duration_min:.0f}" if s.duration_min else "-",
            _session_target(s),
        )
    _out.print(table)
    counts = Counter(s.focus for s in plan.sessions)
    hard = Counter(s.focus for s in plan.sessions if s.kind in ("hard", "race"))
    ct = Table(title="sessions per focus", title_justify="left")
    ct.add_column("focus")
    ct.add_column("sessions", justify="right")
    ct.add_column("hard", justify="right")
    for focus, n in counts.most_common():
        ct.add_row(focus, str(n), str(hard.get(focus, 0)))
    ct.add_row("all", str(len(plan.sessions)), str(sum(hard.values())), style="bold")
    _out.print(ct)


@app.command()
def plan(
    race_date: Annotated[str, typer.Option(help="Race day, YYYY-MM-DD.")],
    distance: Annotated[str, typer.Option(help="Race distance: 800, 1500, mile, 5km.")],
    profile: Annotated[
        Path | None,
        typer.Option(help="Athlete profile JSON (kicklab profile --save)."),
    ] = None,
    cs: Annotated[float | None, typer.Option(help="Critical speed, m/s (with --d-prime).")] = None,
    d_prime: Annotated[float | None, typer.Option(help="D', m (with --cs).")] = None,
    mss: Annotated[float | None, typer.Option(help="Maximal sprint speed, m/s.")] = None,
    days: Annotated[int, typer.Option(help="Running days a week.")] = 5,
    weekly_km: Annotated[
        float | None,
        typer.Option(
            help="Peak weekly running distance, km (the plan opens at 85 %; default: by level)."
        ),
    ] = None,
    level: Annotated[str, typer.Option(help="beginner, intermediate or advanced.")] = (
        "intermediate"
    ),
    start: Annotated[
        str | None, typer.Option(help="First day of the plan, YYYY-MM-DD (default: today).")
    ] = None,
    kicks: Annotated[
        str | None,
        typer.Option(help="Races to learn the kick from: a comma list of activity files."),
    ] = None,
    kick_file: Annotated[
        list[Path] | None,
        typer.Option("--kick-file", help="A race to learn the kick from (repeatable)."),
    ] = None,
    athlete: Annotated[str, typer.Option(help="Athlete's name (calendar and file names).")] = (
        "athlete"
    ),
    ics: Annotated[Path | None, typer.Option(help="Write the plan as an iCalendar file.")] = None,
    fit_dir: Annotated[
        Path | None, typer.Option(help="Write one FIT workout per run session into this folder.")
    ] = None,
    md: Annotated[Path | None, typer.Option(help="Write the plan as Markdown.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the plan as an HTML page.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Build a periodised plan to the race that trains the athlete's weakest finishing quality.

    The weakness comes from the profile (speed reserve, D') and, with --kicks/--kick-file,
    from how the athlete's races finished. Exports: --ics (calendar), --fit-dir (watch
    workouts), --md and --html (readable plan).
    """
    try:
        from kicklab.training.library import LEVELS

        race_day = _date(race_date, "--race-date")
        first_day = _date(start, "--start") or _dt.date.today()
        if race_day is None or race_day <= first_day:
            raise InvalidValue(
                f"race date {race_date} must come after the start of the plan "
                f"({first_day.isoformat()})"
            )
        if level not in LEVELS:
            raise InvalidValue(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        distance_m = _race_distance(distance)
        athlete_profile = _athlete_profile(profile, cs, d_prime, mss)
    except KicklabError as exc:
        _error_line(exc, str(profile) if profile is not None and exc.source is None else "plan")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    history = _kick_history(_kick_files(kicks, kick_file))
    try:
        from kicklab.training import export
        from kicklab.training.plan import build_plan

        result = build_plan(
            race_day,
            distance_m,
            profile=athlete_profile,
            kick_history=history,
            days_per_week=days,
            weekly_km=weekly_km,
            level=level,
            start=first_day,
            athlete=athlete,
        )
        written: list[str] = []
        if ics is not None:
            export.write_ics(result, ics)
            written.append(str(ics))
        if fit_dir is not None:
            files = export.write_fit_workouts(result, fit_dir)
            written.append(f"{fit_dir} ({len(files)} workouts)")
        if md is not None:
            try:
                md.write_text(export.plan_markdown(result), encoding="utf-8")
            except OSError as exc:
                raise InvalidValue(f"cannot write: {exc.strerror or exc}", str(md)) from None
            written.append(str(md))
        if html is not None:
            export.write_plan_html(result, html)
            written.append(str(html))
    except KicklabError as exc:
        _error_line(exc, "plan")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        _print_json(result.to_dict())
        return
    _print_plan(result)
    for item in written:
        _out.print(f"wrote [bold]{item}[/bold]")


def _cell(value: Any, fmt: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if v != v else format(v, fmt)


def _print_progress(result: Any) -> None:
    import pandas as pd

    def date(r: Any) -> str:
        return "no date" if pd.isna(r["date"]) else f"{r['date']:%Y-%m-%d}"

    def clock(value: Any, pb: bool) -> str:
        return _fmt_time(None if pd.isna(value) else value) + ("*" if pb else "")

    t = result.table
    kick = Table(title="kick over time (* personal best when run)", title_justify="left")
    for col in ("#", "date", "km", "finish", "onset", "gain", "cad.", "200 m", "400 m"):
        kick.add_column(col, justify="left" if col in ("date", "finish") else "right")
    prof = Table(
        title="files and profile over time (m/s; D' m; CS and D' from the efforts so far)",
        title_justify="left",
    )
    prof.add_column("#", justify="right")
    prof.add_column("file", overflow="fold")
    for col in ("max speed", "sprint 3 s", "CS", "D'"):
        prof.add_column(col, justify="right")
    for n, (_, r) in enumerate(t.iterrows(), 1):  # one row per race
        kick.add_row(
            str(n),
            date(r),
            _cell(r["distance_m"] / 1000.0, ".2f"),
            _CLASS_SHORT.get(str(r["class"]), str(r["class"])),
            _cell(r["onset_to_go_m"], ".0f"),
            _cell(r["gain_pct"], "+.1f"),
            _cell(r["cadence_share_pct"], ".0f"),
            clock(r["final_200_s"], r["pb_200"]),
            clock(r["final_400_s"], r["pb_400"]),
        )
        prof.add_row(
            str(n),
            Path(str(r["file"])).name,
            _cell(r["max_speed_mps"], ".2f"),
            _cell(r["mss_mps"], ".2f"),
            _cell(r["cs_mps"], ".2f"),
            _cell(r["d_prime_m"], ".0f"),
        )
    _out.print(kick)
    _out.print(
        "[dim]km: race distance; finish: class (progr. progressive, ? undetermined); onset: "
        "kick onset, m to go; gain: kick over race pace, %; cad.: share of the gain from "
        "cadence, %[/dim]"
    )
    _out.print(prof)
    labels = {"final_400_s": "final 400 m", "gain_pct": "kick gain"}
    for key, trend in result.trends.items():
        _out.print(f"trend of the {labels.get(key, key)}: {trend['words']}")
    for dist, files in result.personal_bests.items():
        if files:
            names = ", ".join(Path(f).name for f in files)
            _out.print(f"final {dist} m personal bests, in order: {names}")
    for note in result.notes:
        _out.print(f"[dim]note: {note}[/dim]")


@app.command()
def progress(
    paths: Annotated[list[str], typer.Argument(help="Race files (FIT, GPX, TCX, CSV, .gz).")],
    race_distance: Annotated[
        str | None,
        typer.Option(
            help="Race distance (1500, 5km, mile): the fastest effort of it in each file."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option(help="Write an offline HTML page with the plots over time.")
    ] = None,
) -> None:
    """Track the kick and the profile over time: trend table, personal bests, trends.

    Files are ordered by their start time (files without one last); a file that cannot be
    analysed is one error line and the others are still processed (exit status 2).
    """
    from kicklab.training.progress import track_progress, write_progress_html

    try:
        result = track_progress(paths, race_distance_m=_race_distance(race_distance))
        if html is not None:
            write_progress_html(result, html)
    except KicklabError as exc:
        _error_line(exc, "progress")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for exc in result.errors:
        _error_line(exc, "progress")
    if as_json:
        _print_json(result.to_dict())
    else:
        _print_progress(result)
        if html is not None:
            _out.print(f"wrote [bold]{html}[/bold]")
    if result.errors:
        raise typer.Exit(EXIT_BAD_INPUT)
