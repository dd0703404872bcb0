"""``kicklab race``, ``kicklab pace`` and ``kicklab advise``: simulate, pace and advise.

Thin commands over :mod:`kicklab.race`: the field and the course come from
:mod:`kicklab.race.spec` (the same text forms a notebook user can parse), the numbers from
:func:`kicklab.race.simulate.simulate`, :mod:`kicklab.race.optimal` and
:func:`kicklab.race.tactics.advise`. Bad input is one line ``error: <source>: <reason>`` on
stderr and exit status 2; ``--json`` prints with ``allow_nan=False`` and nothing on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from kicklab.cli import EXIT_BAD_INPUT, _err, _error_line, _fmt_time, _out, _race_distance, app
from kicklab.errors import InvalidValue, KicklabError

#: Default field size of ``kicklab race`` when no runner is given: a track final has 8–16
#: runners; 8 is a heat of the 800 m / 1500 m and keeps the default run short.
DEFAULT_RACE_FIELD = 8
#: Default number of rivals of ``kicklab advise`` when no rival is given: a small pack around
#: the athlete keeps the many simulations of the advice short.
DEFAULT_RIVALS = 3
#: Spacing of the JSON splits of ``kicklab pace``, m.
PACE_JSON_SPLIT_M = 100.0
#: Races from this distance on get 1 km splits in the ``kicklab pace`` table (shorter: 400 m).
LONG_RACE_M = 5000.0
#: Most split columns in the ``kicklab race --splits`` table: six marks and the runner column
#: fit an 80-column terminal.
MAX_SPLIT_COLUMNS = 6
#: Share of the race at each end used to describe a pacing profile's start and finish.
SHAPE_END_FRACTION = 0.1
#: Relative speed difference below which a start, a middle or a finish counts as even: 1.5 %
#: is ≈ 3 s over a 3:30 1500 m, about what a runner notices as a change of pace.
SHAPE_EVEN_TOL = 0.015
#: A middle section whose net change is at least this share of its speed range is described
#: as slowing or speeding up; below it (hills, wind) as varying.
SHAPE_MONOTONE_SHARE = 0.8

# ----------------------------------------------------------------------------- options
Distance = Annotated[str, typer.Option("--distance", help="Race distance: 1500, 1500m, 5km, mile.")]
Road = Annotated[bool, typer.Option("--road", help="A road course (no bends) instead of a track.")]
Lane = Annotated[int, typer.Option("--lane", help="Track lane the field runs in (1–9).")]
Steeple = Annotated[
    bool, typer.Option("--steeple", help="Steeplechase: barriers and water jumps (track).")
]
Wind = Annotated[float, typer.Option("--wind", help="Wind speed, m/s.")]
WindDir = Annotated[
    float,
    typer.Option(
        "--wind-dir",
        help="Direction the wind blows towards, degrees: 0 = tailwind on the home straight "
        "(track) or along the road, 180 = headwind; with --gpx a compass bearing "
        "(0 = towards north).",
    ),
]
Wbgt = Annotated[
    float | None, typer.Option("--wbgt", help="Wet-bulb globe temperature, °C (heat penalty).")
]
Gpx = Annotated[
    Path | None, typer.Option("--gpx", help="GPX file of a road course (hills and turns).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
Mss = Annotated[
    float | None,
    typer.Option(
        "--mss", help="Maximal sprint speed for --profile athletes, m/s (replaces theirs)."
    ),
]


# ----------------------------------------------------------------------------- helpers
@contextmanager
def _bad_input(fallback: str) -> Iterator[None]:
    """Turn a KicklabError into one error line and exit status 2."""
    try:
        yield
    except KicklabError as exc:
        _error_line(exc, fallback)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def _progress(label: str, show: bool) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr (only on a terminal and when ``show``); yields the
    ``progress(done, total)`` callback the simulator calls."""
    from rich.progress import Progress

    bar = Progress(console=_err, transient=True, disable=not show or not _err.is_terminal)
    with bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, *_: Any) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _json_value(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, allow_nan=False, default=_json_value))


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100.0 * p:.1f} %"


def _pc(p: float | None) -> str:
    """A probability as a percentage without the sign (for columns headed "%")."""
    return "-" if p is None else f"{100.0 * p:.1f}"


def _course(
    d: float,
    road: bool,
    lane: int,
    steeple: bool,
    wind: float,
    wind_dir: float,
    wbgt: float | None,
    gpx: Path | None,
) -> Any:
    from kicklab.race.spec import course_from_options

    with _bad_input(str(gpx) if gpx else "course"):
        return course_from_options(
            d,
            road=road,
            lane=lane,
            steeple=steeple,
            wind_mps=wind,
            wind_dir_deg=wind_dir,
            wbgt_c=wbgt,
            gpx=gpx,
        )


def _distance(text: str) -> float:
    with _bad_input("--distance"):
        try:
            d = _race_distance(text)
        except KicklabError:
            d = None
        if d is None or not (np.isfinite(d) and d > 0):
            raise InvalidValue(
                f"race distance {text!r} must be a positive distance (1500, 1500m, 5km, mile)"
            )
        return float(d)


def _specs(specs: list[str] | None, d: float, option: str) -> list[Any]:
    from kicklab.race.spec import parse_runner

    with _bad_input(option):
        return [parse_runner(s, d) for s in specs or []]


def _profiles(paths: list[Path] | None, mss: float | None, d: float) -> list[Any]:
    from kicklab.race.spec import runner_from_profile

    out = []
    for p in paths or []:
        with _bad_input(str(p)):
            out.append(runner_from_profile(p, mss_mps=mss, distance_m=d))
    return out


def _unique(field: list[Any]) -> None:
    names = [r.name for r in field]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        _error_line(
            InvalidValue(f"runner names must be unique: {', '.join(dup)} repeated"), "field"
        )
        raise typer.Exit(EXIT_BAD_INPUT)


def _course_line(course: Any) -> str:
    c = course.to_dict()
    where = "road" if c["kind"] == "road" else f"track, lane {c['lane']}"
    if c.get("steeple"):
        where += ", steeplechase"
    extra = []
    if c["wind_mps"]:
        extra.append(f"wind {c['wind_mps']:g} m/s towards {c['wind_dir_deg']:g}°")
    if c["wbgt_c"] is not None:
        extra.append(f"WBGT {c['wbgt_c']:g} °C")
    return f"{c['distance_m']:g} m ({where})" + (f", {', '.join(extra)}" if extra else "")


# ----------------------------------------------------------------------------- race
@app.command()
def race(
    distance: Distance,
    runner: Annotated[
        list[str] | None,
        typer.Option(
            "--runner",
            help="A runner NAME:CS:DPRIME:MSS[:TACTIC], e.g. Kim:5.6:160:8.6:kick@250 "
            "(tactics: even, even@6.2, follow@300, kick@200, surge@800:6.8, front@6.3, "
            "optional /lead=5.9). Repeat for more runners.",
        ),
    ] = None,
    profile: Annotated[
        list[Path] | None,
        typer.Option("--profile", help="Athlete profile JSON (kicklab profile --save); repeat."),
    ] = None,
    mss: Mss = None,
    runners: Annotated[
        int | None,
        typer.Option(
            "--runners",
            help=f"Add N default runners (CS 5.5 m/s, D' 150 m, MSS 8 m/s, kick@200, tactical "
            f"pace); {DEFAULT_RACE_FIELD} when no runner is given.",
        ),
    ] = None,
    trials: Annotated[int, typer.Option(help="Number of simulated races.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = 0,
    dt: Annotated[float, typer.Option("--dt", help="Time step, s.")] = 0.1,
    splits: Annotated[bool, typer.Option("--splits", help="Add a table of mean splits.")] = False,
    road: Road = False,
    lane: Lane = 1,
    steeple: Steeple = False,
    wind: Wind = 0.0,
    wind_dir: WindDir = 0.0,
    wbgt: Wbgt = None,
    gpx: Gpx = None,
    as_json: AsJson = False,
) -> None:
    """Simulate a race many times: win and podium chances, times and places of every runner."""
    from kicklab.race.simulate import simulate
    from kicklab.race.spec import default_field, format_tactic

    d = _distance(distance)
    course = _course(d, road, lane, steeple, wind, wind_dir, wbgt, gpx)
    field = _specs(runner, d, "--runner") + _profiles(profile, mss, d)
    if runners is not None or not field:
        with _bad_input("--runners"):
            field += default_field(DEFAULT_RACE_FIELD if runners is None else runners, d)
    _unique(field)
    with _bad_input("race"), _progress("simulating", not as_json) as update:
        result = simulate(field, course, trials=trials, seed=seed, dt_s=dt, progress=update)
    tactics = {r.name: r.tactic for r in field}
    data = result.to_dict()
    for row in data["runners"]:
        row["tactic"] = format_tactic(tactics[row["name"]])
    data["course"] = course.to_dict()
    if as_json:
        _print_json(data)
        return
    _print_race(data, result.trials, course, tactics)
    if splits:
        _print_race_splits(data)


def _print_race(data: dict[str, Any], trials: int, course: Any, tactics: dict[str, Any]) -> None:
    from kicklab.race.spec import format_tactic

    table = Table(title=f"{_course_line(course)} — {trials} simulated races", title_justify="left")
    for col in ("runner", "tactic", "win % (95 % CI)", "podium %", "time ± SD (s)", "place"):
        table.add_column(
            col,
            justify="left" if col in ("runner", "tactic") else "right",
            overflow="fold" if col == "tactic" else "ellipsis",
        )
    rows = sorted(
        data["runners"], key=lambda r: (-r["win_probability"], r["mean_place"], r["name"])
    )
    for r in rows:
        sd = r["sd_time_s"]
        table.add_row(
            r["name"],
            format_tactic(tactics[r["name"]], decimals=2),
            f"{_pc(r['win_probability'])} ({_pc(r['win_ci_low'])}–{_pc(r['win_ci_high'])})",
            _pc(r["podium_probability"]),
            _fmt_time(r["mean_time_s"]) + ("" if sd is None else f" ± {sd:.1f}"),
            f"{r['mean_place']:.2f}",
        )
    _out.print(table)


def _print_race_splits(data: dict[str, Any]) -> None:
    marks = sorted({s["distance_m"] for s in data["splits"]})
    if len(marks) > MAX_SPLIT_COLUMNS:
        step = int(np.ceil((len(marks) - 1) / (MAX_SPLIT_COLUMNS - 1)))
        marks = marks[step - 1 : -1 : step] + [marks[-1]]
    shown = set(marks)
    table = Table(title="mean splits (cumulative; lap time below)", title_justify="left")
    table.add_column("runner")
    for m in marks:
        table.add_column(f"{m:g} m", justify="right")
    cells: dict[str, dict[float, str]] = {}
    for s in data["splits"]:
        if s["distance_m"] in shown:
            lap = "" if s["split_s"] is None else f"\n[dim]{_fmt_time(s['split_s'])}[/dim]"
            cells.setdefault(s["runner"], {})[s["distance_m"]] = _fmt_time(s["time_s"]) + lap
    for name, row in cells.items():
        table.add_row(name, *(row.get(m, "-") for m in marks))
    _out.print(table)
    if len(shown) < len({s["distance_m"] for s in data["splits"]}):
        _out.print(
            "[dim]note: the time below a mark is the last segment before it (from the previous "
            "400 m mark)[/dim]"
        )


# ----------------------------------------------------------------------------- pace
@app.command()
def pace(
    distance: Distance,
    model: Annotated[
        str,
        typer.Option(
            help="keller (Keller 1974, published constants, no athlete) or morton (your CS, "
            "D' and MSS; hills and wind)."
        ),
    ] = "morton",
    cs: Annotated[float | None, typer.Option("--cs", help="Critical speed, m/s.")] = None,
    d_prime: Annotated[float | None, typer.Option("--d-prime", help="D', m.")] = None,
    mss: Annotated[float | None, typer.Option("--mss", help="Maximal sprint speed, m/s.")] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Athlete profile JSON (kicklab profile --save)."),
    ] = None,
    road: Road = False,
    gpx: Gpx = None,
    wind: Wind = 0.0,
    wind_dir: WindDir = 0.0,
    n: Annotated[int, typer.Option("--n", help="Grid intervals of the optimisation.")] = 200,
    accel: Annotated[
        float | None,
        typer.Option("--accel", help="Morton: largest acceleration, m/s² (e.g. 1; default none)."),
    ] = None,
    start_speed: Annotated[
        float | None,
        typer.Option("--start-speed", help="Morton with --accel: speed at the gun, m/s (0: rest)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The fastest way to pace a race on your own (optimal control, CasADi + IPOPT).

    Morton without --cs/--d-prime/--mss or --profile uses a default runner (CS 5.5 m/s,
    D' 150 m, MSS 8 m/s) and says so.
    """
    from kicklab.race import optimal
    from kicklab.race.spec import (
        DEFAULT_CS_MPS,
        DEFAULT_D_PRIME_M,
        DEFAULT_MSS_MPS,
    )

    kind = model.strip().lower()
    d = _distance(distance)
    if kind not in ("keller", "morton"):
        _error_line(InvalidValue(f"model must be keller or morton, got {model!r}"), "--model")
        raise typer.Exit(EXIT_BAD_INPUT)
    athlete_given = profile is not None or any(v is not None for v in (cs, d_prime, mss))
    notes: list[str] = []
    payload: dict[str, Any] = {"model": kind, "distance_m": d}
    if kind == "keller":
        if athlete_given or gpx is not None or wind or accel is not None or start_speed is not None:
            _error_line(
                InvalidValue(
                    "the keller model uses Keller's published constants on a flat, calm course: "
                    "--cs/--d-prime/--mss/--profile, --gpx, --wind, --accel and --start-speed "
                    "need --model morton"
                ),
                "--model",
            )
            raise typer.Exit(EXIT_BAD_INPUT)
        with _bad_input("pace"):
            res = optimal.keller(d, n=n)
        notes.append(
            "Keller 1974's constants, fitted to the world records of his day: τ "
            f"{res.params['tau_s']:g} s, F {res.params['f_max']:g} m/s², σ "
            f"{res.params['sigma']:g} W/kg, E0 {res.params['e0']:g} J/kg"
        )
        payload["params"] = res.params
    else:
        if profile is not None:
            if cs is not None or d_prime is not None:
                _error_line(InvalidValue("give --profile or --cs/--d-prime, not both"), "pace")
                raise typer.Exit(EXIT_BAD_INPUT)
            p = _profiles([profile], mss, d)[0]
            cs_, dp_, mss_ = p.cs_mps, p.d_prime_m, p.mss_mps
        elif athlete_given:
            if cs is None or d_prime is None or mss is None:
                _error_line(InvalidValue("--cs, --d-prime and --mss go together"), "pace")
                raise typer.Exit(EXIT_BAD_INPUT)
            cs_, dp_, mss_ = cs, d_prime, mss
        else:
            cs_, dp_, mss_ = DEFAULT_CS_MPS, DEFAULT_D_PRIME_M, DEFAULT_MSS_MPS
            notes.append(
                f"no athlete given: a default runner with CS {cs_:g} m/s, D' {dp_:g} m and MSS "
                f"{mss_:g} m/s (give --cs, --d-prime and --mss, or --profile)"
            )
        course = _course(d, road, 1, False, wind, wind_dir, None, gpx)
        grade = course.grade_at if course.grade is not None else None
        tail = course.tailwind_mps if course.wind_mps > 0 else 0.0
        with _bad_input("pace"):
            res = optimal.morton_pacing(
                d,
                cs_,
                dp_,
                mss_,
                grade=grade,
                wind_mps=tail,
                n=n,
                accel_mps2=accel,
                start_speed_mps=start_speed,
            )
        payload["even_time_s"] = res.even_time_s
        payload["params"] = res.params
        payload["athlete_defaults"] = not athlete_given
        payload["course"] = course.to_dict()
    t = np.asarray(res.t_s, dtype=float)
    x = np.maximum.accumulate(np.asarray(res.distance_m, dtype=float))
    v = np.asarray(res.speed_mps, dtype=float)
    marks = np.append(np.arange(PACE_JSON_SPLIT_M, d - 1e-6, PACE_JSON_SPLIT_M), d)
    shape = _shape_line(x, t, v, d)
    payload.update(
        {
            "time_s": res.time_s,
            "profile": [
                {"distance_m": float(a), "t_s": float(b), "speed_mps": float(c)}
                for a, b, c in zip(x, t, v)
            ],
            "splits": [
                {"distance_m": float(m), "time_s": float(s)}
                for m, s in zip(marks, np.interp(marks, x, t))
            ],
            "description": shape,
            "notes": notes,
            "solve_time_s": res.solve_time_s,
            "success": res.success,
        }
    )
    if as_json:
        _print_json(payload)
        return
    _print_pace(payload, res, x, t)


def _shape_line(x: np.ndarray, t: np.ndarray, v: np.ndarray, d: float) -> str:
    """One line on the shape of a pacing profile: start, middle and finish speeds."""
    end = SHAPE_END_FRACTION * d
    t_a, t_b = np.interp([end, d - end], x, t)
    v_start, v_mid, v_end = end / t_a, (d - 2 * end) / (t_b - t_a), end / (t[-1] - t_b)
    inner = (x >= end) & (x <= d - end)
    v_in = v[inner] if inner.sum() >= 2 else np.array([v_mid, v_mid])

    def rel(a: float) -> float:
        return a / v_mid - 1.0

    start = (
        "fast start"
        if rel(v_start) > SHAPE_EVEN_TOL
        else "slow start"
        if rel(v_start) < -SHAPE_EVEN_TOL
        else "even start"
    )
    lo, hi = float(v_in.min()), float(v_in.max())
    if (hi - lo) / v_mid < 2 * SHAPE_EVEN_TOL:
        middle = f"holds {v_mid:.2f} m/s"
    elif abs(v_in[-1] - v_in[0]) < SHAPE_MONOTONE_SHARE * (hi - lo):
        middle = f"varies between {lo:.2f} and {hi:.2f} m/s"
    elif v_in[-1] < v_in[0]:
        middle = f"slows from {v_in[0]:.2f} to {v_in[-1]:.2f} m/s"
    else:
        middle = f"speeds up from {v_in[0]:.2f} to {v_in[-1]:.2f} m/s"
    finish = (
        "fast finish"
        if rel(v_end) > SHAPE_EVEN_TOL
        else "fades at the finish"
        if rel(v_end) < -SHAPE_EVEN_TOL
        else "even finish"
    )
    return (
        f"{start} ({v_start:.2f} m/s over the first {end:.0f} m), {middle}, "
        f"{finish} ({v_end:.2f} m/s over the last {end:.0f} m)"
    )


def _print_pace(payload: dict[str, Any], res: Any, x: np.ndarray, t: np.ndarray) -> None:
    d = payload["distance_m"]
    name = "Keller 1974" if payload["model"] == "keller" else "Morton 3-parameter"
    line = f"[bold]{d:g} m[/bold] in [bold]{_fmt_time(payload['time_s'])}[/bold] ({name} optimum"
    if payload.get("even_time_s") is not None:
        line += f"; best even pace on the flat, calm: {_fmt_time(payload['even_time_s'])}"
    _out.print(line + ")")
    _out.print(f"shape: {payload['description']}")
    step = 1000.0 if d >= LONG_RACE_M else 400.0
    marks = np.append(np.arange(step, d - 1e-6, step), d)
    times = np.interp(marks, x, t)
    table = Table(title=f"splits every {step:g} m", title_justify="left")
    for col in ("distance", "time", "split", "speed"):
        table.add_column(col, justify="right")
    prev_m, prev_t = 0.0, 0.0
    for m, s in zip(marks, times):
        table.add_row(
            f"{m:g} m",
            _fmt_time(s),
            _fmt_time(s - prev_t),
            f"{(m - prev_m) / (s - prev_t):.2f} m/s",
        )
        prev_m, prev_t = m, s
    _out.print(table)
    for note in payload["notes"]:
        _out.print(f"[dim]note: {note}[/dim]")
    if not payload["success"]:
        _out.print(f"[yellow]note: the solver did not converge ({res.status})[/yellow]")


# ----------------------------------------------------------------------------- advise
@app.command()
def advise(
    distance: Distance,
    athlete: Annotated[
        str | None,
        typer.Option("--athlete", help="You: NAME:CS:DPRIME:MSS, e.g. Kim:5.6:160:8.6."),
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="You: a profile JSON (kicklab profile --save).")
    ] = None,
    mss: Mss = None,
    rival: Annotated[
        list[str] | None,
        typer.Option("--rival", help="A rival NAME:CS:DPRIME:MSS[:TACTIC]; repeat for more."),
    ] = None,
    rivals: Annotated[
        int | None,
        typer.Option(
            "--rivals",
            help=f"Add N default rivals (CS 5.5 m/s, D' 150 m, MSS 8 m/s, kick@200); "
            f"{DEFAULT_RIVALS} when no rival is given.",
        ),
    ] = None,
    objective: Annotated[str, typer.Option(help="win or podium.")] = "win",
    trials: Annotated[int, typer.Option(help="Simulated races per candidate tactic.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same advice).")] = 0,
    dt: Annotated[float, typer.Option("--dt", help="Time step of the simulations, s.")] = 0.1,
    road: Road = False,
    lane: Lane = 1,
    steeple: Steeple = False,
    wind: Wind = 0.0,
    wind_dir: WindDir = 0.0,
    wbgt: Wbgt = None,
    gpx: Gpx = None,
    as_json: AsJson = False,
) -> None:
    """When to kick (and whether a long surge beats it) against these rivals on this course."""
    from kicklab.race.spec import default_field

    d = _distance(distance)
    if (athlete is None) == (profile is None):
        _error_line(InvalidValue("give exactly one of --athlete and --profile"), "advise")
        raise typer.Exit(EXIT_BAD_INPUT)
    course = _course(d, road, lane, steeple, wind, wind_dir, wbgt, gpx)
    you = _specs([athlete], d, "--athlete")[0] if athlete else _profiles([profile], mss, d)[0]  # type: ignore[list-item]
    field = _specs(rival, d, "--rival")
    if rivals is not None or not field:
        with _bad_input("--rivals"):
            field += default_field(DEFAULT_RIVALS if rivals is None else rivals, d)
    _unique([you, *field])
    from kicklab.race.tactics import advise as make_advice

    with _bad_input("advise"), _progress("advising", not as_json) as update:
        advice = make_advice(
            you,
            field,
            course,
            objective=objective,
            trials=trials,
            seed=seed,
            progress=update,
            dt_s=dt,
        )
    data = advice.to_dict()
    if as_json:
        _print_json(data)
        return
    _print_advice(data, objective)


def _print_advice(data: dict[str, Any], objective: str) -> None:
    for sentence in data.get("text") or []:
        _out.print(sentence)
    kick = data.get("kick") or {}
    curve = kick.get("curve") or []
    if curve:
        goal = "win" if objective == "win" else objective
        table = Table(title="kick from … to go", title_justify="left")
        table.add_column("kick from", justify="right")
        table.add_column(f"{goal} % (95 % CI)", justify="right")
        if goal != "win":
            table.add_column("win %", justify="right")
        best = data.get("best_kick_onset_m")
        for row in curve:
            cells = [
                f"{row['onset_m']:g} m",
                f"{_pc(row.get('probability'))} "
                f"({_pc(row.get('ci_low'))}–{_pc(row.get('ci_high'))})",
            ]
            if goal != "win":
                cells.append(_pc(row.get("win_probability")))
            style = "bold green" if best is not None and row["onset_m"] == best else None
            table.add_row(*cells, style=style)
        _out.print(table)
    surge = data.get("surge")
    if surge:
        table = Table(title="long surge instead", title_justify="left", show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        start, speed = data.get("best_surge_start_m"), data.get("best_surge_speed_mps")
        if start is not None and speed is not None:
            table.add_row("best surge", f"from {start:g} m to go at {speed:.2f} m/s")
        table.add_row("win with the surge", _pct(surge.get("best_win_probability")))
        table.add_row("win with the best kick", _pct(surge.get("kick_win_probability")))
        kicker = surge.get("kicker")
        if surge.get("kicker_lets_go_win_probability") is not None:
            who = f"if {kicker} lets you go" if kicker else "if the kicker lets you go"
            table.add_row(who, _pct(surge.get("kicker_lets_go_win_probability")))
        _out.print(table)
