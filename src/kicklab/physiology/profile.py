"""The athlete-profile orchestrator: efforts and files → CS, D', MSS, speed reserve, predictions.

:func:`build_profile` chains the plain functions of this package the way
:func:`kicklab.kick.analyze` does for a race:

1. efforts from a ``distance:time`` string (:func:`~kicklab.physiology.efforts.parse_efforts`)
   and from activity files (mean-maximal, grade-adjusted speed between ~2 and ~20 min:
   :func:`~kicklab.physiology.efforts.best_efforts`,
   :func:`~kicklab.physiology.efforts.efforts_for_fit`);
2. critical speed and D' with uncertainty (:class:`~kicklab.physiology.fit.CriticalSpeed`):
   Morton's 3-parameter model when an effort is short enough to identify the sprint speed,
   else the linear 2-parameter model;
3. maximal sprint speed from ``mss_mps``, else the files' best 3–5 s
   (:func:`~kicklab.physiology.reserve.mss_from_activity`), else the 3-parameter fit;
4. maximal aerobic speed, ASR, SRR and the Sandford profile type
   (:class:`~kicklab.physiology.reserve.KickProfile`);
5. race-time predictions with a 95 % interval beside Riegel and VDOT
   (:mod:`~kicklab.physiology.predict`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue, KicklabError
from kicklab.physiology.fit import MSS_WELL_IDENTIFIED_S

__all__ = [
    "AthleteProfile",
    "build_profile",
    "load_profile",
    "DEFAULT_DISTANCES_M",
    "SHORT_EFFORT_S",
]

#: Distances predicted by default, m: 800 m to the marathon.
DEFAULT_DISTANCES_M: tuple[float, ...] = (
    800.0,
    1500.0,
    1609.344,
    3000.0,
    5000.0,
    10000.0,
    21097.5,
    42195.0,
)
#: A prediction whose time is outside [shortest effort / 2, longest effort × 2] is flagged as
#: an extrapolation: the CS models describe the durations they were fitted on (2–20 min) and
#: are known to be optimistic for long races and pessimistic for sprints (SCIENCE.md §1).
EXTRAPOLATION_FACTOR: float = 2.0
#: An effort at most this long identifies the sprint speed in Morton's 3-parameter model, s
#: (the same limit as :data:`kicklab.physiology.fit.MSS_WELL_IDENTIFIED_S`). Longer efforts all
#: sit on the flat tail of the curve, where MSS changes almost nothing (SCIENCE.md §1: "say
#: when the data do not identify v_max").
SHORT_EFFORT_S: float = MSS_WELL_IDENTIFIED_S


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass
class AthleteProfile:
    """What :func:`build_profile` found (JSON form: :meth:`to_dict`).

    Attributes
    ----------
    efforts
        The efforts fitted: ``distance_m``, ``time_s``, ``speed_mps``, ``source``.
    model
        ``"linear"``, ``"hyperbolic"`` or ``"3p"``.
    estimator
        The fitted :class:`~kicklab.physiology.fit.CriticalSpeed`.
    kick_profile
        CS, D', MSS, MAS, ASR, SRR and the profile type with its words.
    mss_source
        Where MSS came from: ``"given"``, ``"files"``, ``"3p_fit"`` or ``None`` (unknown).
    predictions
        One row per distance: ``distance_m``, ``time_s`` with ``lo_s``/``hi_s`` (95 %),
        ``riegel_s``, ``vdot_s``.
    notes
        Caveats in words.
    """

    efforts: pd.DataFrame
    model: str
    estimator: Any
    kick_profile: Any
    mss_source: str | None
    predictions: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``cs_mps``, ``d_prime_m``, ``cs_ci95``, ``d_prime_ci95``, ``mss_mps``,
        ``asr_mps``, ``srr``, ``profile_type``, ``predictions`` (distance → times) and more."""
        from kicklab.physiology.predict import prediction_notes

        est = self.estimator
        kp = self.kick_profile.to_dict()
        preds = {}
        for _, row in self.predictions.iterrows():
            key = f"{row['distance_m']:g}"
            preds[key] = {
                "time_s": _num(row["time_s"]),
                "ci95_s": [_num(row["lo_s"]), _num(row["hi_s"])],
                "riegel_s": _num(row["riegel_s"]),
                "vdot_s": _num(row["vdot_s"]),
                "extrapolated": bool(row["extrapolated"]),
            }
        return {
            **{k: _num(v) if not isinstance(v, str) else v for k, v in kp.items()},
            "cs_ci95": [_num(v) for v in est.cs_ci95_],
            "d_prime_ci95": [_num(v) for v in est.d_prime_ci95_],
            "mss_ci95": [_num(v) for v in est.mss_ci95_] if self.model == "3p" else None,
            "mss_source": self.mss_source,
            "model": self.model,
            "r2": _num(getattr(est, "r2_", math.nan)),
            "summary": self.kick_profile.summary(),
            "efforts": [
                {
                    "distance_m": _num(r["distance_m"]),
                    "time_s": _num(r["time_s"]),
                    "speed_mps": _num(r["speed_mps"]),
                    "source": r["source"],
                }
                for _, r in self.efforts.iterrows()
            ],
            "predictions": preds,
            "prediction_notes": prediction_notes(),
            "notes": list(self.notes) + list(getattr(est, "notes_", [])),
        }


def _file_efforts(files: Sequence[Any], notes: list[str]) -> pd.DataFrame:
    """Best efforts of 2–20 min over activity files (grade-adjusted), with the skip reasons."""
    from kicklab.physiology.efforts import best_efforts, efforts_for_fit

    best = best_efforts(files)
    for reason in best.attrs.get("skipped", []):
        notes.append(f"skipped {reason}")
    table = efforts_for_fit(best)
    return table.assign(source=table["source"].astype(str))


def _file_mss(files: Sequence[Any], cs_mps: float, notes: list[str]) -> float | None:
    """The best 3–5 s measured speed over the files, when it is a real sprint (≥ 1.3 × CS)."""
    from kicklab.physiology.reserve import mss_from_activity

    best = None
    for f in files:
        try:
            m = _num(mss_from_activity(f, cs_mps=cs_mps))
        except KicklabError:
            continue
        if m is not None and (best is None or m > best):
            best = m
    if best is None:
        notes.append("no maximal sprint in the files (best 3–5 s under 1.3 × CS, or no speed)")
    return best


def build_profile(
    efforts: str | pd.DataFrame | None = None,
    files: Iterable[Any] = (),
    *,
    mss_mps: float | None = None,
    model: str = "auto",
    distances_m: Sequence[float] = DEFAULT_DISTANCES_M,
    seed: int = 0,
) -> AthleteProfile:
    """Fit the athlete's critical speed, D' and speed reserve from efforts and/or files.

    Parameters
    ----------
    efforts
        Best efforts as ``"1500:3:26.00,mile:3:43.13,5000:12:35.36"`` or a DataFrame with
        ``distance_m`` (m) and ``time_s`` (s).
    files
        Activity files (paths, bytes or Activities): their mean-maximal grade-adjusted efforts
        between ~2 and ~20 min are added, and their best 3–5 s speed is the MSS unless given.
    mss_mps
        Maximal sprint speed, m/s (from a sprint test), if known.
    model
        ``"auto"`` (3-parameter when an effort is ≤ :data:`SHORT_EFFORT_S` and there are at
        least 3 efforts, else linear 2-parameter), ``"linear"``, ``"hyperbolic"`` or ``"3p"``.
    distances_m
        Distances to predict, m.
    seed
        Seed of the bootstrap.

    Raises
    ------
    InvalidValue
        Too few efforts, or values outside what a runner can do.
    """
    from kicklab.physiology.efforts import parse_efforts
    from kicklab.physiology.fit import CriticalSpeed
    from kicklab.physiology.predict import predict_with_interval, riegel_time_s, vdot, vdot_time_s
    from kicklab.physiology.reserve import KickProfile, mas_from_model

    notes: list[str] = []
    frames = []
    if efforts is not None:
        given = parse_efforts(efforts) if isinstance(efforts, str) else pd.DataFrame(efforts)
        given = given[["distance_m", "time_s"]].astype(float).assign(source="given")
        frames.append(given)
    files = list(files)
    if files:
        from_files = _file_efforts(files, notes)
        if len(from_files):
            frames.append(from_files[["distance_m", "time_s", "source"]])
        else:
            notes.append("no usable 2–20 min efforts in the files")
    if not frames:
        raise InvalidValue("give best efforts (--efforts) or activity files to fit a profile")
    table = pd.concat(frames, ignore_index=True)
    table["speed_mps"] = table["distance_m"] / table["time_s"]
    table = table.sort_values("time_s", ignore_index=True)
    n = len(table)
    if n < 2:
        raise InvalidValue(f"{n} effort is too few: critical speed needs at least 2")

    if model == "auto":
        short = bool((table["time_s"] <= SHORT_EFFORT_S).any())
        model = "3p" if n >= 3 and short else "linear"
        if not short:
            notes.append(
                f"no effort shorter than {SHORT_EFFORT_S:.0f} s: the sprint end of the curve "
                "is not identified, so the linear 2-parameter model was fitted"
            )
    if model not in ("linear", "hyperbolic", "3p"):
        raise InvalidValue(f"model must be auto, linear, hyperbolic or 3p, got {model!r}")
    est = CriticalSpeed(model=model, seed=seed).fit(table["distance_m"], table["time_s"])
    cs, dp = float(est.cs_), float(est.d_prime_)

    mss_source: str | None = None
    mss = None
    mss_files = _file_mss(files, cs, notes) if files and mss_mps is None else None
    if mss_mps is not None:
        mss, mss_source = float(mss_mps), "given"
        if not cs < mss <= 12.5:
            raise InvalidValue(f"MSS {mss:g} m/s must lie between CS ({cs:.2f}) and 12.5 m/s")
    elif mss_files is not None and mss_files > cs:
        mss, mss_source = mss_files, "files"
    elif model == "3p" and math.isfinite(float(est.mss_)):
        mss, mss_source = float(est.mss_), "3p_fit"
    else:
        notes.append("maximal sprint speed unknown: give --mss or a file with a sprint")

    mas = float(mas_from_model(cs, dp, mss))
    kick_profile = KickProfile.from_values(cs_mps=cs, d_prime_m=dp, mss_mps=mss, mas_mps=mas)

    # predictions: the model with its interval, and the classic peers from the best effort
    dist = np.asarray(distances_m, dtype=float)
    samples = np.asarray(est.param_samples_, dtype=float)
    # draws from a wide normal approximation can fall below zero; a runner cannot
    valid = (samples[:, 0] > 0) & (samples[:, 1] > 0)
    if valid.mean() < 0.95:
        notes.append(
            f"{100 * (1 - valid.mean()):.0f} % of the parameter draws were impossible "
            "(CS or D' ≤ 0) and were left out: the efforts constrain the model poorly"
        )
    samples = samples[valid]
    rows = []
    ref = table.iloc[int(np.argmin(np.abs(np.log(table["distance_m"] / 5000.0))))]
    v_dot = float(vdot(ref["distance_m"], ref["time_s"]))
    t_lo, t_hi = float(table["time_s"].min()), float(table["time_s"].max())
    for d in dist:
        med, lo, hi = predict_with_interval(d, samples)
        rows.append(
            {
                "distance_m": d,
                "time_s": med,
                "lo_s": lo,
                "hi_s": hi,
                "extrapolated": bool(
                    not (EXTRAPOLATION_FACTOR**-1 * t_lo <= med <= EXTRAPOLATION_FACTOR * t_hi)
                ),
                "riegel_s": float(riegel_time_s(d, ref["distance_m"], ref["time_s"])),
                "vdot_s": float(vdot_time_s(d, v_dot)),
            }
        )
    if any(r["extrapolated"] for r in rows):
        notes.append(
            f"predictions outside {t_lo / EXTRAPOLATION_FACTOR:.0f}–"
            f"{t_hi * EXTRAPOLATION_FACTOR:.0f} s (half the shortest to twice the longest "
            "effort) are extrapolations; beyond ~30–60 min the CS model assumes CS can be held "
            "indefinitely, while marathons are run at 79–93 % of CS (Smyth & Muniz-Pumares "
            "2020): trust Riegel/VDOT more there"
        )
    notes.append(
        f"Riegel and VDOT predictions start from the {ref['distance_m']:g} m effort "
        f"({ref['time_s']:.1f} s; VDOT {v_dot:.1f})"
    )
    return AthleteProfile(
        efforts=table,
        model=model,
        estimator=est,
        kick_profile=kick_profile,
        mss_source=mss_source,
        predictions=pd.DataFrame(rows),
        notes=notes,
    )


def load_profile(path: str | Path) -> dict[str, Any]:
    """Read a profile JSON written by ``kicklab profile --save`` (needs ``cs_mps``, ``d_prime_m``)."""
    import json

    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidValue(f"cannot read profile: {exc}", str(p)) from None
    if not isinstance(data, dict) or _num(data.get("cs_mps")) is None:
        raise InvalidValue("profile has no cs_mps", str(p))
    if _num(data.get("d_prime_m")) is None:
        raise InvalidValue("profile has no d_prime_m", str(p))
    return data
