"""Optimal pacing solve time: kicklab's CasADi/IPOPT Keller solver against a scipy SLSQP peer.

Both solve Keller's 1974 problem over 1500 m with the same exact piecewise-constant-force
discretisation on a cosine-clustered time grid. kicklab uses n = 200 intervals (multiple
shooting, exact derivatives from CasADi); the peer uses scipy.optimize.minimize(SLSQP) with
single shooting and finite-difference gradients on a coarse grid (n = 30 by default), the
kind of code one writes without an optimal-control toolkit. Goal (issue 6): 1500 m in < 1 s.

Run: python benchmarks/bench_pacing.py [--repeat 5] [--coarse 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.optimize import minimize

from kicklab.race.optimal import (
    KELLER_E0,
    KELLER_F_MAX,
    KELLER_SIGMA,
    KELLER_TAU_S,
    keller,
    morton_pacing,
)

DISTANCE_M = 1500.0


def keller_slsqp(distance_m: float, n: int) -> tuple[float, bool]:
    """Keller's problem by single shooting + SLSQP; returns (time_s, converged)."""
    tau, f_max, sigma, e0 = KELLER_TAU_S, KELLER_F_MAX, KELLER_SIGMA, KELLER_E0
    frac = 0.5 * (1.0 - np.cos(np.pi * np.arange(n + 1) / n))
    dfrac = np.diff(frac)

    def shoot(z: np.ndarray) -> tuple[float, np.ndarray]:
        total, force = z[0], z[1:]
        h = total * dfrac
        decay = np.exp(-h / tau)
        v, x, e = 0.0, 0.0, e0
        energy = np.empty(n)
        for k in range(n):  # a recursion over the n grid intervals
            ft = force[k] * tau
            dx = ft * h[k] + (v - ft) * tau * (1.0 - decay[k])
            v = ft + (v - ft) * decay[k]
            x += dx
            e += sigma * h[k] - force[k] * dx
            energy[k] = e
        return x, energy

    v_guess = 6.8  # m/s: a plausible 1500 m cruise for the start point
    z0 = np.concatenate([[distance_m / v_guess], np.full(n, v_guess / tau)])
    res = minimize(
        lambda z: z[0],
        z0,
        method="SLSQP",
        bounds=[(1.0, 1e4)] + [(0.0, f_max)] * n,
        constraints=[
            {"type": "eq", "fun": lambda z: shoot(z)[0] - distance_m},
            {"type": "ineq", "fun": lambda z: shoot(z)[1]},
        ],
        options={"maxiter": 500, "ftol": 1e-9},
    )
    return float(res.x[0]), bool(res.success)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--coarse", type=int, default=30, help="SLSQP grid intervals")
    args = ap.parse_args()

    keller(DISTANCE_M)  # warm-up: loads the IPOPT plugin once
    t_total, res = timed(lambda: keller(DISTANCE_M, n=200), args.repeat)
    solve_only = res.solve_time_s  # type: ignore[attr-defined]
    t_peer, (peer_time, peer_ok) = timed(
        lambda: keller_slsqp(DISTANCE_M, args.coarse), max(1, args.repeat // 2)
    )
    t_morton, mres = timed(lambda: morton_pacing(DISTANCE_M, 5.5, 250.0, 9.0, n=200), args.repeat)

    print(
        f"Keller {DISTANCE_M:.0f} m, kicklab CasADi/IPOPT n=200: "
        f"{t_total * 1e3:.1f} ms (build + solve), IPOPT {solve_only * 1e3:.1f} ms, "
        f"race time {res.time_s:.3f} s, {res.status}"
    )  # type: ignore[attr-defined]
    print(
        f"Keller {DISTANCE_M:.0f} m, scipy SLSQP single shooting n={args.coarse}: "
        f"{t_peer * 1e3:.1f} ms, race time {peer_time:.3f} s, converged={peer_ok}"
    )
    print(
        f"ratio SLSQP / kicklab: {t_peer / t_total:.1f}x (kicklab grid {200 // args.coarse}x finer)"
    )
    print(
        f"Morton 3P {DISTANCE_M:.0f} m (CS 5.5 m/s, D' 250 m, MSS 9 m/s) n=200: "
        f"{t_morton * 1e3:.1f} ms, race time {mres.time_s:.3f} s "  # type: ignore[attr-defined]
        f"(even pace {mres.even_time_s:.3f} s)"
    )  # type: ignore[attr-defined]
    print(f"median of {args.repeat} runs; goal < 1 s for 1500 m")


if __name__ == "__main__":
    main()
