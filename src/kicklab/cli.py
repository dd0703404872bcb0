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


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the files the demo writes.")] = Path(
        "kicklab-demo"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Write a sample 1500 m track race as a FIT file, then read it back and inspect it."""
    from kicklab.io import write_fit
    from kicklab.samples import sample_race

    out.mkdir(parents=True, exist_ok=True)
    activity = sample_race()
    path = out / "sample-1500m.fit"
    write_fit(activity, path)
    if not as_json:
        _out.print(f"wrote [bold]{path}[/bold] (a synthetic 1500 m race with a kick)")
    inspect([str(path)], as_json=as_json)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KicklabError as exc:  # defensive: commands report their own errors
        _error_line(exc, "kicklab")
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
