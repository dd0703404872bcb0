"""Benchmark: ``kicklab.read`` + ``kicklab.signal.clean`` (file → ready Activity on a 1 Hz grid)
against fitdecode and garmin-fit-sdk merely iterating the same file's messages, in one run.

Run: ``python benchmarks/bench_read.py [FILE.fit] [--repeat N]``. Prints median times, the
ratios (below 1.0 means kicklab's full read is faster than the peer's bare iteration) and where
kicklab's time goes. Machines here are noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "activities"


def largest_fit_run() -> Path:
    """The largest well-formed running FIT file listed in the shared MANIFEST."""
    with (SHARED / "MANIFEST.csv").open(newline="") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["format"] == "fit" and r["sport"] == "running" and "MALFORMED" not in r["notes"]
        ]
    return max((SHARED / r["file"] for r in rows), key=lambda p: p.stat().st_size)


def timeit(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs after one warm-up, s."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


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
    from garmin_fit_sdk import Decoder, Stream

    import kicklab
    from kicklab.io.crc import crc16
    from kicklab.io.fit import _activity
    from kicklab.io.fitcodec import decode_fit
    from kicklab.signal import clean

    data = path.read_bytes()

    def kicklab_full():
        return clean(kicklab.read(path))

    def fitdecode_iterate():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(str(path)) as reader:
                for _ in reader:
                    pass

    def garmin_iterate():
        decoder = Decoder(Stream.from_file(str(path)))
        decoder.read()

    n_messages = 0
    with fitdecode.FitReader(str(path)) as reader:
        for _ in reader:
            n_messages += 1

    t_kick = timeit(kicklab_full, args.repeat)
    t_fd = timeit(fitdecode_iterate, args.repeat)
    t_gs = timeit(garmin_iterate, args.repeat)
    # where kicklab's time goes
    decoded = decode_fit(data)
    activity = _activity(decoded, str(path))
    phases = {
        "file CRC (vectorised)": timeit(lambda: crc16(data), args.repeat),
        "decode messages (incl. CRC)": timeit(lambda: decode_fit(data), args.repeat),
        "build Activity": timeit(lambda: _activity(decoded, str(path)), args.repeat),
        "clean + resample to 1 Hz": timeit(lambda: clean(activity), args.repeat),
    }

    print(
        f"file: {path.name}  ({len(data) / 1e6:.2f} MB, {n_messages} FIT frames, "
        f"{len(activity.records)} records)"
    )
    print(f"repeat: {args.repeat} (median)")
    print(f"  kicklab read + clean (1 Hz Activity) {t_kick * 1e3:8.1f} ms")
    print(f"  fitdecode bare iteration             {t_fd * 1e3:8.1f} ms")
    print(f"  garmin-fit-sdk Decoder.read()        {t_gs * 1e3:8.1f} ms")
    print(f"ratio kicklab / fitdecode      = {t_kick / t_fd:.3f}  (goal <= 1.0)")
    print(f"ratio kicklab / garmin-fit-sdk = {t_kick / t_gs:.3f}")
    print("kicklab phases:")
    for name, t in phases.items():
        print(f"  {name:30s} {t * 1e3:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
