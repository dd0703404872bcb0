"""Benchmark: runner-races simulated per second by ``kicklab.race.simulate``.

Run: ``python benchmarks/bench_simulate.py [--trials N] [--runners R] [--dt S] [--repeat K]``.
Default settings are the issue's: 1500 m on a track, 12 runners (a mix of kickers, surgers,
followers and even pacers with day-to-day variation), 0.1 s step, 1000 trials. Prints the
median rate, its ratio to the goal (10⁵ runner-races/s), and — as a peer measured in the same
run — the rate of the bare numpy step loop (position and speed update only, same array shape
and number of steps), i.e. how many "bare steps" one full simulator step costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

GOAL_PER_S = 1e5


def field(n: int):
    from kicklab.race.runner import Runner, even, follow, long_surge, sit_and_kick

    tactics = [
        sit_and_kick(200, lead_mps=5.9),
        long_surge(800, 6.8, lead_mps=5.9),
        follow(kick_at_m=300, lead_mps=5.9),
        even(),
    ]
    sd = {"sd_cs": 0.02, "sd_d_prime": 0.1, "sd_mss": 0.03}
    return [
        Runner(f"r{i}", 5.5 + 0.02 * i, 150.0, 8.0 + 0.1 * (i % 5), tactic=tactics[i % 4], **sd)
        for i in range(n)
    ]


def bare_loop(trials: int, runners: int, steps: int, dt: float) -> float:
    """Seconds for the minimal vectorised loop: speed and position update, nothing else."""
    x = np.zeros((trials, runners))
    v = np.zeros((trials, runners))
    t0 = time.perf_counter()
    for _ in range(steps):
        v = np.minimum(v + dt, 6.0)
        x = x + v * dt
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--runners", type=int, default=12)
    parser.add_argument("--dt", type=float, default=0.1)
    parser.add_argument("--distance", type=float, default=1500.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from kicklab.race.course import Course
    from kicklab.race.simulate import simulate

    course = Course(args.distance)
    runners = field(args.runners)
    simulate(runners, course, trials=2, dt_s=args.dt)  # warm-up (imports, profile)
    times, steps = [], 0
    for rep in range(args.repeat):
        t0 = time.perf_counter()
        res = simulate(runners, course, trials=args.trials, seed=rep, dt_s=args.dt)
        times.append(time.perf_counter() - t0)
        steps = res.settings["steps"]
    t = statistics.median(times)
    rate = args.trials * args.runners / t
    bare = bare_loop(args.trials, args.runners, steps, args.dt)
    print(
        f"settings: {args.distance:g} m track, {args.runners} runners, dt {args.dt} s, "
        f"{args.trials} trials, {steps} steps, {os.cpu_count()} CPUs, median of {args.repeat}"
    )
    print(f"simulate:  {t:.3f} s  -> {rate:,.0f} runner-races/s  ({rate / GOAL_PER_S:.2f}× goal)")
    print(
        f"bare loop: {bare:.3f} s  -> {args.trials * args.runners / bare:,.0f} runner-races/s "
        f"(simulate/bare time ratio {t / bare:.1f})"
    )
    print(f"per step: {t / steps * 1e6:.0f} µs for {args.trials * args.runners} runner-cells")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
