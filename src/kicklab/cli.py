"""The ``kicklab`` command: thin, every number comes from a library function.

Bad input never shows a traceback: each :class:`~kicklab.errors.KicklabError` becomes one line
``error: <file>: <reason>`` on stderr, the other files are still processed, and the exit status
is 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kicklab.errors import KicklabError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="kicklab: measure, model, simulate and train the finishing kick in running.",
)
_out = Console()
_err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_BAD_INPUT = 2


def _error_line(exc: KicklabError, fallback: str) -> None:
    source = exc.source or fallback
    print(f"error: {source}: {exc.reason}", file=sys.stderr)


def _summaries(path: str) -> list[dict[str, Any] | KicklabError]:
    """Summaries of one path: one for a file, one per activity member for an archive."""
    from kicklab.io import iter_archive, load_bytes, read_bytes, sniff
    from kicklab.signal import detect_pauses, merge_pauses

    def summarise(activity) -> dict[str, Any]:
        # moving time: the file's own timer pauses plus detected gaps and standstills
        rec = activity.records
        detected = detect_pauses(rec["time_s"], rec["speed_mps"], rec["distance_m"])
        moving = activity.with_records(rec)
        moving.pauses = merge_pauses(activity.pauses, detected)
        summary = activity.summary()
        summary["moving_time_s"] = round(moving.moving_time_s, 3)
        summary["n_pauses"] = len(moving.pauses)
        return summary

    try:
        data, label = load_bytes(path)
        if sniff(data) == "zip":
            out: list[dict[str, Any] | KicklabError] = []
            for member, result in iter_archive(data, label):
                out.append(result if isinstance(result, KicklabError) else summarise(result))
                if not isinstance(result, KicklabError):
                    out[-1]["path"] = f"{label}!{member}"
            return out
        return [summarise(read_bytes(data, label))]
    except KicklabError as exc:
        return [exc.with_source(path)]


@app.command()
def inspect(
    paths: Annotated[list[str], typer.Argument(help="Activity files or bulk-export archives.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Read activity files and report what they hold (format, sport, time, distance, fields)."""
    from rich.progress import Progress

    results: list[dict[str, Any]] = []
    failed = False
    # a progress bar on stderr for long runs (hidden when stderr is not a terminal)
    progress = Progress(
        console=_err, transient=True, disable=len(paths) < 10 or not _err.is_terminal
    )
    with progress:
        task = progress.add_task("reading", total=len(paths))
        batches = []
        for path in paths:
            batches.append((path, _summaries(path)))
            progress.advance(task)
    for path, items in batches:
        for item in items:
            if isinstance(item, KicklabError):
                _error_line(item, path)
                failed = True
            else:
                results.append(item)
                if not as_json:
                    _print_summary(item)
    if as_json:
        payload: Any = results[0] if len(paths) == 1 and len(results) == 1 else results
        if results or not failed:
            print(json.dumps(payload, indent=2, default=str))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _print_summary(s: dict[str, Any]) -> None:
    table = Table(title=str(s["path"]), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    dist = s.get("distance_m")
    rows = [
        ("format", s["format"]),
        ("sport", f"{s['sport']}" + (f" / {s['sub_sport']}" if s.get("sub_sport") else "")),
        ("start (UTC)", s["start_time"] or "unknown"),
        ("elapsed", _fmt_duration(s["duration_s"])),
        ("moving", _fmt_duration(s["moving_time_s"])),
        ("distance", "-" if dist is None else f"{dist / 1000:.3f} km"),
        ("records / laps / sessions", f"{s['n_records']} / {s['n_laps']} / {s['n_sessions']}"),
        ("fields", ", ".join(s["fields"])),
    ]
    if s.get("extra_fields"):
        extra = s["extra_fields"]
        rows.append(("other fields", ", ".join(extra[:12]) + (" …" if len(extra) > 12 else "")))
    for k, v in rows:
        table.add_row(k, str(v))
    _out.print(table)


def _race_distance(text: str | None) -> float | None:
    """``1500``, ``1500m``, ``5km``, ``mile``/``1mile`` → metres."""
    if text is None:
        return None
    from kicklab.errors import InvalidValue
    from kicklab.kick.segment import parse_position

    raw = text.strip().lower()
    if raw in ("mile", "1 mile"):
        return 1609.344
    try:
        return float(raw)
    except ValueError:
        pass
    kind, value = parse_position(raw)
    if kind != "distance" or value <= 0:
        raise InvalidValue(f"race distance {text!r} must be a distance (1500, 1500m, 5km, mile)")
    return value


def _fmt_time(seconds: float | None) -> str:
    """Seconds as ``12.3 s``, ``3:26.0`` or ``2:03:45``."""
    if seconds is None:
        return "-"
    if seconds >= 3600:
        h, rem = divmod(int(round(seconds)), 3600)
        m, s = divmod(rem, 60)
        return f"{h}:{m:02d}:{s:02d}"
    m, s = divmod(float(seconds), 60.0)
    return f"{int(m)}:{s:04.1f}" if m else f"{s:.1f} s"


def _fmt_pace(speed: float | None) -> str:
    if not speed:
        return "-"
    m, s = divmod(1000.0 / speed, 60.0)
    return f"{speed:.2f} m/s ({int(m)}:{int(round(s)):02d}/km)"


def _print_analysis(result: dict[str, Any], comparison: Any = None) -> None:
    k = result["kick"]
    race = result["race"]
    _out.print(
        f"[bold]{result.get('source') or 'race'}[/bold] — {race['distance_m']:.0f} m in "
        f"{_fmt_time(race['duration_s'])} ({race['description']})"
    )
    _out.print(f"finish: [bold]{result['class']}[/bold] — {result['class_reason']}")
    table = Table(show_header=False, title="kick", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    pct = lambda x: "-" if x is None else f"{x:.1f} %"  # noqa: E731
    metres = lambda x: "-" if x is None else f"{x:.0f} m"  # noqa: E731
    rows = [("detected", "yes" if k["detected"] else f"no — {k['reason']}")]
    if k["detected"]:
        res = k.get("onset_resolution_m")
        rows += [
            (
                "onset",
                f"{metres(k['onset_distance_to_go_m'])} / {_fmt_time(k['onset_time_to_go_s'])} "
                f"to go" + (f" (± {res:.0f} m)" if res is not None else ""),
            ),
            ("race pace before", _fmt_pace(k["pre_kick_speed_mps"])),
            (
                "kick speed (mean / peak)",
                f"{_fmt_pace(k['mean_speed_mps'])} / {_fmt_pace(k['peak_speed_mps'])}",
            ),
            ("gain", pct(k["gain_pct"])),
            ("cadence share", pct(k["cadence_share_pct"])),
            ("step length share", pct(k["step_length_share_pct"])),
            (
                "heart rate onset → end",
                f"{k['hr_onset_bpm'] or '-'} → {k['hr_end_bpm'] or '-'} bpm",
            ),
        ]
        if k.get("d_balance_at_onset_m") is not None:
            rows.append(
                (
                    "D' left at onset",
                    f"{k['d_balance_at_onset_m']:.0f} m ({k['d_balance_at_onset_pct']:.0f} %)",
                )
            )
    if k.get("d_balance_at_finish_m") is not None:
        rows.append(
            (
                "D' lowest / at finish",
                f"{k['d_balance_min_m']:.0f} m / {k['d_balance_at_finish_m']:.0f} m",
            )
        )
    rows += [
        (
            "final 100 / 200 / 400 m",
            " / ".join(_fmt_time(k[f"final_{x}_s"]) for x in (100, 200, 400)),
        ),
    ]
    for key, value in rows:
        table.add_row(key, str(value))
    _out.print(table)
    if result["surges"]:
        st = Table(title="surges", title_justify="left")
        for col in ("from (to go)", "length", "faster", "afterwards"):
            st.add_column(col)
        for s in result["surges"]:
            st.add_row(
                metres(s["start_distance_to_go_m"]),
                f"{metres(s['distance_m'])}, {_fmt_time(s['duration_s'])}",
                pct(s["gain_pct"]),
                "-" if s["after_pct"] is None else f"{s['after_pct']:+.1f} %",
            )
        _out.print(st)
    for note in result["notes"]:
        _out.print(f"[dim]note: {note}[/dim]")
    if comparison is not None and len(comparison):
        _print_comparison(comparison)


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def _print_comparison(comparison: Any) -> None:
    """The famous-kicks table: who, finish, kick onset and gain, last 400 m, yours at their pace."""
    ct = Table(
        title="beside famous kicks (your last 400 m scaled to each race's pace)",
        title_justify="left",
    )
    for col in ("race", "finish", "kick from", "gain", "last 400 m", "yours at this pace"):
        ct.add_column(col, justify="left" if col == "race" else "right")
    for i, (_, row) in enumerate(comparison.iterrows()):
        year = _num(row.get("year"))
        event = _num(row.get("event_m"))
        who = "you" if i == 0 else f"{row.get('athlete')} {int(year) if year else ''}".strip()
        if i and event:
            who += f" ({event:g} m)"
        onset = _num(row.get("kick_onset_to_go_m"))
        gain = _num(row.get("gain_pct"))
        ct.add_row(
            who,
            _fmt_time(_num(row.get("finish_s"))),
            "-" if onset is None else f"{onset:.0f} m",
            "-" if gain is None else f"{gain:+.1f} %",
            _fmt_time(_num(row.get("final_400_s"))),
            "" if i == 0 else _fmt_time(_num(row.get("final_400_equivalent_s"))),
        )
    _out.print(ct)


@app.command()
def analyze(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Activity files (FIT, GPX, TCX, CSV, .gz).")
    ] = None,
    splits: Annotated[
        str | None,
        typer.Option(help='Analyse a split table instead: "400:58.85,800:1:56.81,..." or a file.'),
    ] = None,
    race_distance: Annotated[
        str | None,
        typer.Option(help="Race distance (1500, 5km, mile): the fastest effort of it is the race."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Race start: time (12:30, 750) or distance (3.2km).")
    ] = None,
    end: Annotated[str | None, typer.Option(help="Race end: time or distance.")] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Put the kick beside famous historic kicks.")
    ] = False,
    profile: Annotated[
        Path | None,
        typer.Option(help="Athlete profile JSON (kicklab profile --save): adds D' balance."),
    ] = None,
    cs: Annotated[
        float | None, typer.Option(help="Critical speed, m/s (with --d-prime): D' balance.")
    ] = None,
    d_prime: Annotated[float | None, typer.Option(help="D', m (with --cs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option(help="Write an offline HTML report to this file.")
    ] = None,
) -> None:
    """Find the race and its finishing kick: onset, speed, gain, cadence vs step length, surges.

    With several files, --html writes one report per file next to the given name
    (report-1.html, report-2.html, ...).
    """
    from kicklab.kick import analyze as run_analysis

    athlete: Any = None
    try:
        if profile is not None:
            from kicklab.physiology.profile import load_profile

            athlete = load_profile(profile)
        if cs is not None or d_prime is not None:
            athlete = {**(athlete or {}), "cs_mps": cs, "d_prime_m": d_prime}
            if cs is None or d_prime is None:
                from kicklab.errors import InvalidValue

                raise InvalidValue("--cs and --d-prime go together")
    except KicklabError as exc:
        _error_line(exc, str(profile or "analyze"))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    items: list[tuple[str, Any]] = []
    if splits is not None:
        items.append(("splits", splits))
    for p in paths or []:
        items.append(("file", p))
    if not items:
        _err.print("error: give activity files or --splits")
        raise typer.Exit(EXIT_BAD_INPUT)
    results: list[dict[str, Any]] = []
    failed = False
    for n, (kind, item) in enumerate(items, 1):
        try:
            if kind == "splits":
                from kicklab.kick.splits import analyze_splits

                text = item
                if Path(item).is_file():
                    from kicklab.io import read_splits

                    analysis = analyze_splits(
                        read_splits(Path(item).read_bytes(), item), source=item
                    )
                else:
                    analysis = analyze_splits(text, source="splits")
                if athlete is not None:
                    from kicklab.kick.analysis import _add_balance

                    _add_balance(analysis, athlete, "differential")
            else:
                analysis = run_analysis(
                    item,
                    race_distance_m=_race_distance(race_distance),
                    start=start,
                    end=end,
                    athlete=athlete,
                )
            comparison = None
            if compare:
                from kicklab.kick.famous import compare as compare_kicks

                comparison = compare_kicks(analysis)
            if html is not None:
                from kicklab.kick.html import write_html

                target = (
                    html if len(items) == 1 else html.with_name(f"{html.stem}-{n}{html.suffix}")
                )
                write_html(analysis, target, comparison=comparison)
                if not as_json:
                    _out.print(f"wrote [bold]{target}[/bold]")
            result = analysis.to_dict()
            if comparison is not None:
                result["compare"] = json.loads(comparison.to_json(orient="records"))
            results.append(result)
            if not as_json:
                _print_analysis(result, comparison)
        except KicklabError as exc:
            _error_line(exc, str(item))
            failed = True
    if as_json and (results or not failed):
        payload: Any = results[0] if len(items) == 1 and len(results) == 1 else results
        print(json.dumps(payload, indent=2, allow_nan=False, default=str))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _distances(text: str | None) -> list[float] | None:
    """``"800,1500,mile,5km"`` → metres."""
    if text is None:
        return None
    return [_race_distance(tok) for tok in text.split(",") if tok.strip()]  # type: ignore[misc]


@app.command()
def profile(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Activity files: their best 2–20 min efforts and 3–5 s sprints."),
    ] = None,
    efforts: Annotated[
        str | None,
        typer.Option(help='Best efforts "distance:time,...", e.g. "1500:3:26.00,mile:3:43.13".'),
    ] = None,
    mss: Annotated[
        float | None, typer.Option(help="Maximal sprint speed from a sprint test, m/s.")
    ] = None,
    model: Annotated[str, typer.Option(help="auto, linear, hyperbolic or 3p (Morton).")] = "auto",
    distances: Annotated[
        str | None, typer.Option(help='Distances to predict, e.g. "800,1500,mile,5km".')
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Write the profile as JSON (for analyze --profile).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fit critical speed, D', sprint speed and speed reserve; predict race times."""
    from kicklab.physiology.profile import DEFAULT_DISTANCES_M, build_profile

    try:
        result = build_profile(
            efforts,
            files or [],
            mss_mps=mss,
            model=model,
            distances_m=_distances(distances) or DEFAULT_DISTANCES_M,
        )
    except KicklabError as exc:
        _error_line(exc, "profile")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    data = result.to_dict()
    if save is not None:
        save.write_text(json.dumps(data, indent=2, allow_nan=False), encoding="utf-8")
    if as_json:
        print(json.dumps(data, indent=2, allow_nan=False))
        return
    _print_profile(data)
    if save is not None:
        _out.print(f"wrote [bold]{save}[/bold]")


def _print_profile(d: dict[str, Any]) -> None:
    def ci(pair: list[float | None], fmt: str) -> str:
        lo, hi = pair
        return "" if lo is None or hi is None else f" (95 %: {lo:{fmt}}–{hi:{fmt}})"

    table = Table(show_header=False, title="athlete profile", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("critical speed", _fmt_pace(d["cs_mps"]) + ci(d["cs_ci95"], ".2f"))
    table.add_row("D'", f"{d['d_prime_m']:.0f} m" + ci(d["d_prime_ci95"], ".0f"))
    mss = d.get("mss_mps")
    table.add_row(
        "max sprint speed",
        "unknown" if mss is None else f"{mss:.2f} m/s ({d.get('mss_source')})",
    )
    for key, label in (("mas_mps", "max aerobic speed"), ("asr_mps", "speed reserve (ASR)")):
        if d.get(key) is not None:
            table.add_row(label, f"{d[key]:.2f} m/s")
    if d.get("srr") is not None:
        table.add_row("speed reserve ratio", f"{d['srr']:.2f}")
    table.add_row("profile", str(d.get("profile_type") or "-"))
    table.add_row("model", f"{d['model']} (R² {d['r2']:.4f})" if d.get("r2") else d["model"])
    _out.print(table)
    _out.print(d["summary"])
    pt = Table(title="race predictions (* extrapolated)", title_justify="left")
    for col in ("distance", "kicklab (95 %)", "Riegel", "VDOT"):
        pt.add_column(col, justify="right")
    for dist, p in d["predictions"].items():
        lo, hi = p["ci95_s"]
        band = "" if lo is None or hi is None else f" ({_fmt_time(lo)}–{_fmt_time(hi)})"
        pt.add_row(
            f"{float(dist):g} m",
            _fmt_time(p["time_s"]) + band + (" *" if p.get("extrapolated") else ""),
            _fmt_time(p["riegel_s"]),
            _fmt_time(p["vdot_s"]),
        )
    _out.print(pt)
    for note in d["notes"]:
        _out.print(f"[dim]note: {note}[/dim]")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the files the demo writes.")] = Path(
        "kicklab-demo"
    ),
    trials: Annotated[
        int, typer.Option(help="Simulated races per tactic in the season's race advice.")
    ] = 200,
    season: Annotated[
        bool, typer.Option(help="Also simulate the season (FIT files, profiles, advice).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Analyse a sample race's kick, then simulate a season: FIT files, kicks, profiles, advice.

    1. Writes ``sample-1500m.fit`` (a synthetic 1500 m race with a kick 250 m out), reads it
       back, analyses its kick beside the famous ones and writes ``sample-1500m.html``.
    2. Simulates a season of four meets for four athletes (two kickers, a surger, a driver),
       writes every race as a FIT file under ``season/``, finds the kicks in them, fits each
       athlete's profile from their own files and advises two of them for a championship 1500 m;
       writes it all as one page, ``season.html``.

    ``--json``: one object with ``activity``, ``truth`` and ``analysis`` (the sample race) and
    ``season`` (races, profiles, advice).
    """
    from kicklab.io import write_fit
    from kicklab.samples import sample_race

    out.mkdir(parents=True, exist_ok=True)
    activity = sample_race()
    path = out / "sample-1500m.fit"
    write_fit(activity, path)
    truth = activity.metadata["truth"]
    if not as_json:
        _out.print(
            f"wrote [bold]{path}[/bold]: a synthetic 1500 m race whose kick starts "
            f"{truth['kick_onset_distance_to_go_m']:.0f} m from the finish (GPS noise 3 m)"
        )
        inspect([str(path)], as_json=False)
        analyze(paths=[str(path)], compare=True, html=out / "sample-1500m.html")
        if season:
            _demo_season(out, trials, as_json=False)
        return
    from kicklab.kick import analyze as run_analysis
    from kicklab.kick.famous import compare as compare_kicks
    from kicklab.kick.html import write_html

    (summary,) = _summaries(str(path))
    analysis = run_analysis(path)
    comparison = compare_kicks(analysis)
    write_html(analysis, out / "sample-1500m.html", comparison=comparison)
    result = analysis.to_dict()
    result["compare"] = json.loads(comparison.to_json(orient="records"))
    payload: dict[str, Any] = {"activity": summary, "truth": truth, "analysis": result}
    if season:
        payload["season"] = _demo_season(out, trials, as_json=True)
    print(json.dumps(payload, indent=2, allow_nan=False, default=str))


def _demo_season(out: Path, trials: int, *, as_json: bool) -> dict[str, Any]:
    """Run the demo season into ``out/season`` and write ``out/season.html``."""
    from rich.progress import Progress

    from kicklab.season import run_season
    from kicklab.season_report import write_season_html

    labels = {
        "race": "racing the meets",
        "analyse": "finding the kicks",
        "profile": "fitting profiles",
        "advise": "race advice",
    }
    try:
        with Progress(console=_err, transient=True, disable=as_json) as bar:
            task = bar.add_task("season", total=None)

            def tick(stage: str, done: int, total: int) -> None:
                bar.update(task, description=labels.get(stage, stage), completed=done, total=total)

            result = run_season(out / "season", trials=trials, progress=tick)
    except KicklabError as exc:
        _error_line(exc, "demo")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    report = write_season_html(result, out / "season.html")
    data = result.to_dict()
    if as_json:
        return data
    _print_season(result)
    _out.print(f"wrote [bold]{report}[/bold] and {len(result.races)} FIT files in {out / 'season'}")
    return data


def _print_season(result: Any) -> None:
    races = Table(title="Season: kicks found in the FIT files", title_justify="left")
    for col in ("meet", "athlete", "place", "time", "planned kick", "kick found", "class"):
        races.add_column(col, justify="right" if col in ("place", "time") else "left")
    for r in result.races.to_dict(orient="records"):
        found = "–"
        if r.get("kick_detected"):
            found = f"{r['kick_to_go_m']:.0f} m to go, {r['kick_gain_pct']:+.1f} %"
        planned = r.get("true_kick_to_go_m")
        races.add_row(
            r["meet"],
            r["athlete"],
            str(r["place"]),
            _fmt_time(r["time_s"]),
            "–" if planned is None or planned != planned else f"{planned:.0f} m",
            found,
            str(r.get("finish_class") or "–"),
        )
    _out.print(races)
    prof = Table(title="Profiles fitted from each athlete's own files", title_justify="left")
    for col in ("athlete", "CS true / fitted", "D' true / fitted", "MSS (sprint test)", "type"):
        prof.add_column(col)
    for r in result.profiles.to_dict(orient="records"):
        cs, dp = _num(r.get("cs_mps")), _num(r.get("d_prime_m"))
        prof.add_row(
            r["athlete"],
            f"{r['true_cs_mps']:.2f} / " + ("–" if cs is None else f"{cs:.2f}") + " m/s",
            f"{r['true_d_prime_m']:.0f} / " + ("–" if dp is None else f"{dp:.0f}") + " m",
            f"{r['mss_test_mps']:.2f} m/s",
            str(r.get("profile_type") or "–"),
        )
    _out.print(prof)
    for name, adv in result.advice.items():
        _out.print(f"[bold]Advice for {name}[/bold]")
        for line in adv.get("text", []):
            _out.print(f"  {line}")
    for note in result.notes:
        _out.print(f"[dim]note: {note}[/dim]")


# race/pace/advise and plan/progress live in their own modules; importing them registers them
from kicklab import cli_race as _cli_race  # noqa: E402, F401
from kicklab import cli_train as _cli_train  # noqa: E402, F401


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KicklabError as exc:  # defensive: commands report their own errors
        _error_line(exc, "kicklab")
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    # run the imported module's app: the commands of cli_race and cli_train register on it
    from kicklab.cli import main as _main

    _main()
