"""Benchmark: full ``kicklab analyze`` (read + clean + race + kick + surges + class) of the
largest shared FIT run against fitdecode merely parsing the same file, in one run.

Run: ``python benchmarks/bench_analyze.py [FILE.fit] [--repeat N]``. Prints median times, the
ratio (goal ≤ 1.0: the whole analysis costs less than a bare parse with the peer) and where
kicklab's time goes. Machines here are noisy: read the ratio, not the absolute times.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_read import SHARED, largest_fit_run, timeit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    if args.file is None and not SHARED.is_dir():
        print("no file given and ../shared/data is absent", file=sys.stderr)
        return 1
    path: Path = args.file or largest_fit_run()

    import fitdecode

    import kicklab
    from kicklab.kick import analyze
    from kicklab.kick.analysis import _race_frame
    from kicklab.kick.detect import detect_kick
    from kicklab.kick.segment import find_race
    from kicklab.kick.surges import pace_phases
    from kicklab.signal import clean

    def kicklab_analyze():
        return analyze(path)

    def fitdecode_parse():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(str(path)) as reader:
                for _ in reader:
                    pass

    t_kick = timeit(kicklab_analyze, args.repeat)
    t_fd = timeit(fitdecode_parse, args.repeat)

    raw = kicklab.read(path)
    cleaned = clean(raw)
    race, _ = find_race(cleaned)
    frame = _race_frame(cleaned.records, race.start_time_s, race.end_time_s)
    t = frame["time_s"].to_numpy() - race.start_time_s
    d = frame["distance_m"].to_numpy() - race.start_distance_m
    v = frame["speed_mps"].to_numpy()
    phases = {
        "read (decode FIT → Activity)": timeit(lambda: kicklab.read(path), args.repeat),
        "clean + resample to 1 Hz": timeit(lambda: clean(raw), args.repeat),
        "find race": timeit(lambda: find_race(cleaned), args.repeat),
        "detect kick": timeit(lambda: detect_kick(t, d, v), args.repeat),
        "pace phases": timeit(lambda: pace_phases(t, d, v), args.repeat),
    }
    result = analyze(path)
    print(
        f"file: {path.name}  ({path.stat().st_size / 1e6:.2f} MB, {len(raw.records)} records, "
        f"race {result.race.distance_m:.0f} m, class {result.finish_class})"
    )
    print(f"repeat: {args.repeat} (median)")
    print(f"  kicklab analyze (read+clean+kick) {t_kick * 1e3:8.1f} ms")
    print(f"  fitdecode parse only              {t_fd * 1e3:8.1f} ms")
    print(f"ratio kicklab analyze / fitdecode parse = {t_kick / t_fd:.3f}  (goal <= 1.0)")
    print("kicklab phases:")
    for name, sec in phases.items():
        print(f"  {name:30s} {sec * 1e3:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
