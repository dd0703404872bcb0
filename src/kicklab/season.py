"""A simulated season: athletes race a few meets, their watches record FIT files, and kicklab
measures every kick, fits every athlete's profile from their own files and advises them for
the championship race.

This is what ``kicklab demo`` runs, end to end and on built-in defaults:

1. :data:`DEMO_ATHLETES` — two kickers (high maximal sprint speed), a surger (higher critical
   speed, little sprint) and a runner who drives from 400 m out, with day-to-day variation;
2. :data:`DEMO_MEETS` — tactical 1500 m races (one in wind and heat) and paced 3000 m and
   5000 m races; each meet is one simulated race (:func:`kicklab.race.simulate`, traces kept), and every
   runner's race becomes a FIT file (:func:`kicklab.race.synthetic.race_to_fit`: positions with
   GPS noise, heart rate, cadence and step length);
3. every FIT file is read back and its kick measured (:func:`kicklab.kick.analyze`), beside the
   truth the simulator knows;
4. each athlete's profile (CS, D', MSS) is fitted from their own season files only
   (:func:`kicklab.physiology.profile.build_profile`), beside the true values;
5. race advice for the championship 1500 m, computed from the *fitted* profiles — what a coach
   would have — with :func:`kicklab.race.tactics.advise`.

:func:`run_season` returns a :class:`Season`; :func:`kicklab.season_report.write_season_html`
draws it as one offline HTML page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kicklab.errors import InvalidValue, KicklabError
from kicklab.race.course import Course
from kicklab.race.runner import Runner, best_even_speed_mps, even, long_surge, sit_and_kick

__all__ = [
    "DEMO_ATHLETES",
    "DEMO_MEETS",
    "Meet",
    "Season",
    "run_season",
]

#: Day-to-day variation of the demo athletes (relative SDs of CS, D', MSS): about 1 % in CS,
#: 5 % in D' and 2 % in MSS, the spread of repeated tests in trained runners (assumed values of
#: the size reported for repeated CS/D' tests; SCIENCE.md §1 gives the parameters' ranges).
_SD = {"sd_cs": 0.01, "sd_d_prime": 0.05, "sd_mss": 0.02}


def _lead(distance_m: float) -> float:
    """A tactical pace for the pack when nobody wants to lead: 93 % of the best even pace of a
    CS 5.5 m/s, D' 150 m, MSS 8.0 m/s runner (a championship-style, sit-and-wait race), m/s."""
    return 0.93 * float(best_even_speed_mps(distance_m, 5.5, 150.0, 8.0))


def demo_athletes(distance_m: float = 1500.0) -> list[Runner]:
    """The four demo athletes with their usual tactic for a race of ``distance_m`` (m): two
    kickers, a surger whose CS is 0.17 m/s above the better kicker's (near the threshold where a
    long surge starts to beat a kick, docs/race.md) and a runner who drives for home from 400 m."""
    lead = _lead(distance_m)
    surge_from = min(600.0, 0.4 * distance_m)
    surge_speed = 1.04 * float(best_even_speed_mps(distance_m, 5.62, 180.0, 7.5))
    return [
        Runner("Kim (kicker)", 5.45, 160.0, 8.9, tactic=sit_and_kick(200, lead_mps=lead), **_SD),
        Runner("Lee (kicker)", 5.40, 150.0, 8.6, tactic=sit_and_kick(300, lead_mps=lead), **_SD),
        Runner(
            "Sam (surger)",
            5.62,
            180.0,
            7.5,
            tactic=long_surge(surge_from, surge_speed, lead_mps=lead),
            **_SD,
        ),
        Runner("Ray (driver)", 5.55, 170.0, 7.8, tactic=sit_and_kick(400, lead_mps=lead), **_SD),
    ]


#: The demo athletes in a 1500 m race (see :func:`demo_athletes`).
DEMO_ATHLETES: tuple[Runner, ...] = tuple(demo_athletes())


@dataclass(frozen=True)
class Meet:
    """One race of the season: a date, a name, a course, and whether it is paced (pacemakers:
    every athlete runs their best even pace, a time-trial effort) or tactical (each athlete's
    usual tactic)."""

    date: str
    name: str
    course: Course
    paced: bool = False


#: The demo season: three track distances, the last meet in a stiff wind and the heat, so the
#: profile fit sees efforts of ~4, ~9 and ~15 minutes.
DEMO_MEETS: tuple[Meet, ...] = (
    Meet("2026-05-02", "1500 m", Course(1500.0)),
    Meet("2026-05-23", "3000 m (paced)", Course(3000.0), paced=True),
    Meet("2026-06-13", "5000 m (paced)", Course(5000.0), paced=True),
    Meet(
        "2026-07-04",
        "1500 m (wind, heat)",
        Course(1500.0, wind_mps=4.0, wind_dir_deg=0.0, wbgt_c=24.0),
    ),
)
#: Relative error of a timing-gate sprint test (flying 20–30 m), about 1 % (hand-held or
#: single-beam gates; assumed).
_SPRINT_TEST_SD = 0.01
#: The championship race the advice is for.
CHAMPIONSHIP = Meet("2026-08-01", "Championship 1500 m", Course(1500.0))


@dataclass
class Season:
    """What :func:`run_season` produced.

    Attributes
    ----------
    athletes
        The true athletes (parameters the simulator used).
    meets
        The meets raced.
    races
        One row per athlete and meet: ``athlete``, ``meet``, ``date``, ``path`` (FIT file),
        ``place``, ``time_s``, the truth (``true_kick_to_go_m``, ``tactic``) and what kicklab
        measured from the file (``finish_class``, ``kick_detected``, ``kick_to_go_m``,
        ``kick_gain_pct``, ``cadence_share_pct``, ``final_400_s``, ``error``).
    profiles
        One row per athlete: true and fitted CS (m/s), D' (m), MSS (m/s), profile type.
    advice
        :meth:`kicklab.race.tactics.Advice.to_dict` per athlete advised.
    analyses
        The :class:`kicklab.kick.result.KickAnalysis` of every file, keyed by path.
    notes
        Caveats in words.
    """

    athletes: list[Runner]
    meets: list[Meet]
    races: pd.DataFrame
    profiles: pd.DataFrame
    advice: dict[str, dict[str, Any]] = field(default_factory=dict)
    analyses: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``races``, ``profiles``, ``advice``, ``notes``."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict(orient="records"):
                out.append({k: _plain(v) for k, v in rec.items()})
            return out

        return {
            "athletes": [a.to_dict() for a in self.athletes],
            "meets": [
                {"date": m.date, "name": m.name, "course": m.course.to_dict()} for m in self.meets
            ],
            "races": rows(self.races),
            "profiles": rows(self.profiles),
            "advice": self.advice,
            "notes": list(self.notes),
        }


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        f = float(v)
        if not math.isfinite(f):
            return None
        return int(v) if isinstance(v, int) else f
    if hasattr(v, "item"):
        return _plain(v.item())
    return v


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _race_meet(
    meet: Meet, athletes: Sequence[Runner], out: Path, seed: int, start_hour: int = 19
) -> list[dict[str, Any]]:
    """Simulate one meet, write each runner's FIT file and return their rows (truth only)."""
    from kicklab.race.simulate import simulate
    from kicklab.race.synthetic import race_to_fit

    d = meet.course.distance_m
    if meet.paced:
        field_ = [replace(a, tactic=even()) for a in athletes]
    else:
        usual = {a.name: a for a in demo_athletes(d)}
        field_ = [
            replace(a, tactic=usual[a.name].tactic) if a.name in usual else a for a in athletes
        ]
    result = simulate(field_, meet.course, trials=1, seed=seed, traces=True)
    start = pd.Timestamp(f"{meet.date}T{start_hour:02d}:00:00Z")
    rows = []
    for i, runner in enumerate(field_):
        folder = out / _slug(runner.name.split(" ")[0])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{meet.date}-{_slug(meet.name)}.fit"
        activity = race_to_fit(
            result, meet.course, i, path, trial=0, seed=seed * 100 + i, start_time=start
        )
        truth = activity.metadata.get("truth", {})
        rows.append(
            {
                "athlete": runner.name,
                "meet": meet.name,
                "date": meet.date,
                "path": str(path),
                "place": int(result.place[0, i]),
                "time_s": float(result.finish_time_s[0, i]),
                "tactic": runner.tactic.kind,
                "true_kick_to_go_m": truth.get("kick_onset_distance_to_go_m"),
            }
        )
    return rows


def _measure(row: dict[str, Any], distance_m: float) -> tuple[dict[str, Any], Any]:
    """Analyse one FIT file; the measured columns of its row and the analysis (or None)."""
    from kicklab.kick import analyze

    try:
        analysis = analyze(row["path"], race_distance_m=distance_m)
    except KicklabError as exc:
        return {"error": exc.reason}, None
    k = analysis.kick
    return (
        {
            "finish_class": analysis.finish_class,
            "kick_detected": bool(k.detected),
            "kick_to_go_m": k.onset_distance_to_go_m if k.detected else None,
            "kick_gain_pct": k.gain_pct if k.detected else None,
            "cadence_share_pct": k.cadence_share_pct if k.detected else None,
            "final_400_s": k.final_400_s,
            "error": None,
        },
        analysis,
    )


def _fit_profile(runner: Runner, paths: list[str], mss_test_mps: float) -> dict[str, Any]:
    """True and fitted parameters of one athlete: CS and D' from their own race files, MSS from
    their sprint test (races never reach the maximal sprint speed)."""
    from kicklab.physiology.profile import build_profile

    row: dict[str, Any] = {
        "athlete": runner.name,
        "true_cs_mps": runner.cs_mps,
        "true_d_prime_m": runner.d_prime_m,
        "true_mss_mps": runner.mss_mps,
        "mss_test_mps": mss_test_mps,
    }
    try:
        prof = build_profile(None, paths, mss_mps=mss_test_mps).to_dict()
    except KicklabError as exc:
        row.update(cs_mps=None, d_prime_m=None, mss_mps=None, profile_type=None, error=exc.reason)
        return row
    row.update(
        cs_mps=prof.get("cs_mps"),
        d_prime_m=prof.get("d_prime_m"),
        mss_mps=prof.get("mss_mps"),
        asr_mps=prof.get("asr_mps"),
        profile_type=prof.get("profile_type"),
        model=prof.get("model"),
        error=None,
    )
    return row


def run_season(
    out: str | Path = "kicklab-demo/season",
    *,
    athletes: Sequence[Runner] | None = None,
    meets: Sequence[Meet] = DEMO_MEETS,
    championship: Meet = CHAMPIONSHIP,
    advise_athletes: Sequence[str] | None = None,
    trials: int = 200,
    seed: int = 0,
    progress: Callable[[str, int, int], Any] | None = None,
) -> Season:
    """Race a season, write the FIT files into ``out``, analyse them, fit profiles and advise.

    Parameters
    ----------
    out
        Folder for the FIT files (one sub-folder per athlete).
    athletes
        The field (default :func:`demo_athletes`); each meet gives them their usual tactic for
        its distance when they are demo athletes, else keeps theirs.
    meets
        The meets (default :data:`DEMO_MEETS`).
    championship
        The race the advice is for.
    advise_athletes
        Names of the athletes to advise (default: the first kicker and the surger of the demo
        field, else the first two athletes). Empty: no advice.
    trials
        Simulated races per candidate tactic in the advice.
    seed
        Seed of the season (each meet uses ``seed + its index``) and of the advice.
    progress
        Called as ``progress(stage, done, total)``.

    Returns
    -------
    Season
    """
    from kicklab.race.tactics import advise

    field_ = list(athletes) if athletes is not None else demo_athletes()
    if not field_:
        raise InvalidValue("a season needs at least one athlete")
    if not meets:
        raise InvalidValue("a season needs at least one meet")
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValue(f"cannot create the season folder: {exc}", str(folder)) from None

    def tick(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    rows: list[dict[str, Any]] = []
    for j, meet in enumerate(meets):
        rows.extend(_race_meet(meet, field_, folder, seed + j))
        tick("race", j + 1, len(meets))

    analyses: dict[str, Any] = {}
    for j, row in enumerate(rows):
        measured, analysis = _measure(row, float(_distance(meets, row["meet"])))
        row.update(measured)
        if analysis is not None:
            analyses[row["path"]] = analysis
        tick("analyse", j + 1, len(rows))
    races = pd.DataFrame(rows)

    # a timing-gate flying sprint test per athlete: the true MSS with ~1 % measurement error
    rng = np.random.default_rng(seed)
    sprint = {a.name: a.mss_mps * (1.0 + _SPRINT_TEST_SD * rng.standard_normal()) for a in field_}
    profiles = []
    for j, runner in enumerate(field_):
        paths = [r["path"] for r in rows if r["athlete"] == runner.name]
        profiles.append(_fit_profile(runner, paths, sprint[runner.name]))
        tick("profile", j + 1, len(field_))
    prof_df = pd.DataFrame(profiles)

    notes: list[str] = []
    if advise_athletes is None:
        names = [a.name for a in field_]
        picked = [n for n in names if "kicker" in n][:1] + [n for n in names if "surger" in n][:1]
        advise_athletes = picked or names[:2]
    advice: dict[str, dict[str, Any]] = {}
    fitted = _fitted_runners(field_, prof_df, championship.course.distance_m, notes)
    for j, name in enumerate(advise_athletes):
        if name not in fitted:
            raise InvalidValue(f"no athlete named {name!r} to advise")
        athlete = fitted[name]
        rivals = [r for n, r in fitted.items() if n != name]
        if not rivals:
            notes.append("advice needs at least one rival; none given")
            break
        adv = advise(
            athlete,
            rivals,
            championship.course,
            trials=trials,
            seed=seed,
        )
        advice[name] = adv.to_dict()
        tick("advise", j + 1, len(advise_athletes))
    return Season(field_, list(meets), races, prof_df, advice, analyses, notes)


def _distance(meets: Sequence[Meet], name: str) -> float:
    for m in meets:
        if m.name == name:
            return m.course.distance_m
    raise InvalidValue(f"unknown meet {name!r}")


def _fitted_runners(
    athletes: Sequence[Runner], profiles: pd.DataFrame, distance_m: float, notes: list[str]
) -> dict[str, Runner]:
    """The athletes as a coach knows them: fitted CS, D', MSS (true values where the fit failed
    or gave an unusable MSS, with a note), their usual championship tactic."""
    usual = {a.name: a for a in demo_athletes(distance_m)}
    out: dict[str, Runner] = {}
    for runner, row in zip(athletes, profiles.to_dict(orient="records")):
        cs, dp, mss = row.get("cs_mps"), row.get("d_prime_m"), row.get("mss_mps")
        tactic = usual[runner.name].tactic if runner.name in usual else runner.tactic
        try:
            fitted = Runner(
                runner.name,
                cs,
                dp,
                mss,
                tactic=tactic,
                sd_cs=runner.sd_cs,
                sd_d_prime=runner.sd_d_prime,
                sd_mss=runner.sd_mss,
            )
        except (InvalidValue, TypeError):
            notes.append(
                f"{runner.name}: the season files did not give a usable profile; the advice "
                "uses the true parameters"
            )
            fitted = replace(runner, tactic=tactic)
        out[runner.name] = fitted
    return out
