"""Benchmark: wall time of ``kicklab.race.tactics.advise`` with surge advice.

Run: ``python benchmarks/bench_advice.py [--trials N] [--dt S] [--no-compare]``.
Default settings are those of docs/race.md's worked example: Sam (CS 5.8 m/s, D' 150 m, MSS
7.5 m/s) against Kim (5.5, 150, 8.5) and Mo (5.6, 140, 8.0) over 1500 m on a track, everyone
following at 5.6 m/s when leading, day-to-day SDs 2 % CS, 10 % D', 3 % MSS; 400 races per
candidate, seed 0, 0.1 s step, default grids (16 kick onsets, 10 × 6 surges, the kicker
letting go). Sam is not the field's best kicker, so ``advise`` adds surge advice: 77
candidate tactics in all.

Prints the settings, the time of ``advise`` with every grid simulated together
(:func:`kicklab.race.simulate.simulate_many`, the default) and — as a peer measured in the
same run — with one :func:`kicklab.race.simulate.simulate` call per candidate
(``batch=False``), the simulated runner-races per second of each, and whether both give the
same advice.
"""

from __future__ import annotations

import argparse
import os
import time


def field():
    from kicklab.race.runner import Runner, follow, sit_and_kick

    sd = {"sd_cs": 0.02, "sd_d_prime": 0.1, "sd_mss": 0.03}
    kim = Runner("Kim", 5.5, 150, 8.5, tactic=sit_and_kick(200, lead_mps=5.6), **sd)
    mo = Runner("Mo", 5.6, 140, 8.0, tactic=sit_and_kick(200, lead_mps=5.6), **sd)
    sam = Runner("Sam", 5.8, 150, 7.5, tactic=follow(lead_mps=5.6), **sd)
    return sam, [kim, mo]


def run(batch: bool, trials: int, dt: float, distance: float) -> tuple[float, int, dict]:
    """Seconds for one ``advise`` call, the number of candidates simulated, and the advice."""
    from kicklab.race.course import Course
    from kicklab.race.tactics import advise

    athlete, rivals = field()
    calls: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    adv = advise(
        athlete,
        rivals,
        Course(distance),
        trials=trials,
        seed=0,
        dt_s=dt,
        surge=True,
        batch=batch,
        progress=lambda done, total: calls.append((done, total)),
    )
    return time.perf_counter() - t0, calls[-1][1], adv.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--dt", type=float, default=0.1)
    parser.add_argument("--distance", type=float, default=1500.0)
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the one-call-per-candidate run"
    )
    args = parser.parse_args(argv)

    run(True, 2, args.dt, args.distance)  # warm-up (imports, course profile)
    n_runners = 1 + len(field()[1])
    t_batch, n_cand, adv = run(True, args.trials, args.dt, args.distance)
    print(
        f"settings: {args.distance:g} m track, {n_runners} runners, surge advice, "
        f"{n_cand} candidates × {args.trials} races, dt {args.dt} s, seed 0, "
        f"{os.cpu_count()} CPUs"
    )
    races = n_cand * args.trials * n_runners
    print(f"advise (batched):            {t_batch:7.2f} s -> {races / t_batch:,.0f} runner-races/s")
    if not args.no_compare:
        t_one, _, adv_one = run(False, args.trials, args.dt, args.distance)
        print(f"advise (one call/candidate): {t_one:7.2f} s -> {races / t_one:,.0f} runner-races/s")
        print(f"speed-up {t_one / t_batch:.1f}×; same advice: {adv == adv_one}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
