"""Runners and their tactics for the race simulator.

A :class:`Runner` holds an athlete's Morton 3-parameter model (critical speed CS, D', maximal
sprint speed MSS; SCIENCE.md §1, §5), day-to-day variation of each (relative SDs, drawn per
trial) and a :class:`Tactic`.

Tactics are data, built by the factories :func:`even`, :func:`follow`, :func:`sit_and_kick`,
:func:`long_surge` and :func:`front_run`. :class:`TacticTable` stacks the tactics of a field
into per-runner arrays so that :meth:`TacticTable.desired_speed` gives the speed every runner
*wants* in every trial in one vectorised call; the simulator then caps it with the runner's
dynamics (acceleration limit, Morton cap ``CS + (MSS − CS)·D'bal/D'``).

Every "``_at_m``" / "``from_m``" distance of a tactic is **distance to go** (m before the
finish), the way coaches say "kick with 200 to go".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from kicklab.errors import InvalidValue
from kicklab.physiology.predict import predict_time_s
from kicklab.race.course import _finite as _num

__all__ = [
    "TACTIC_KINDS",
    "Tactic",
    "even",
    "follow",
    "sit_and_kick",
    "long_surge",
    "front_run",
    "Runner",
    "TacticTable",
    "best_even_speed_mps",
    "FOLLOW_GAP_M",
]

#: Names of the tactic policies.
TACTIC_KINDS: tuple[str, ...] = ("even", "follow", "sit_and_kick", "long_surge", "front_run")
#: Default gap a follower keeps to the runner ahead, m: ~1 m behind is where Pugh 1971 measured
#: that drafting removes most (~80 %) of the air resistance (SCIENCE.md §4), and is how close
#: pack runners sit in practice (one stride behind).
FOLLOW_GAP_M = 1.0
#: Time over which a follower closes (or opens) a gap error, s: a few strides; shorter would
#: make followers oscillate at a 0.1 s step, longer would let gaps drift open.
_CLOSE_TIME_S = 2.0
#: Largest speed difference a follower uses to close or open a gap, m/s: a controlled move up
#: (≈ 7 s/km at 1500 m pace), not a sprint; a follower chasing a break further back than a few
#: metres therefore closes at most 0.3 m/s faster than the runner ahead.
_CLOSE_MAX_MPS = 0.3
#: Speed a front runner adds over a runner in front of them to retake the lead, m/s (same
#: controlled move as a follower's closing speed).
_RETAKE_MPS = _CLOSE_MAX_MPS
#: Fastest speed a tactic may ask for, m/s (above every human sprint, ~12.4 m/s): "all out",
#: which the Morton cap then reduces to what the runner has.
ALL_OUT_MPS = 15.0
#: Plausible bounds of the model parameters, m/s and m (SCIENCE.md §1: CS ≈ 3.7 recreational,
#: ≈ 4.9 trained; D' 50–400 m; MSS below the ~12.4 m/s of the fastest sprinters).
_CS_RANGE = (1.0, 8.0)
_D_PRIME_RANGE = (1.0, 2000.0)
_MSS_RANGE = (1.5, 13.0)
#: Largest day-to-day relative SD accepted: 0.5 would already give negative draws 2 % of the time.
_MAX_SD = 0.3


@dataclass(frozen=True)
class Tactic:
    """A racing policy (build with the factories, e.g. ``sit_and_kick(200)``).

    Attributes
    ----------
    kind
        One of :data:`TACTIC_KINDS`.
    speed_mps
        Pace of ``even``/``front_run`` (``None`` for ``even``: the runner's best even pace),
        surge speed of ``long_surge``, m/s.
    kick_at_m
        Distance to go from which the runner goes all out, m (0 = no kick).
    surge_at_m
        Distance to go from which a ``long_surge`` runs at ``speed_mps``, m.
    gap_m
        Gap a follower holds to the runner directly ahead, m.
    lead_mps
        Pace of a following tactic when nobody is ahead (it leads), m/s; ``None``: the
        runner's best even pace. A slow value gives a tactical (sit-and-wait) race.
    """

    kind: str = "even"
    speed_mps: float | None = None
    kick_at_m: float = 0.0
    surge_at_m: float | None = None
    gap_m: float = FOLLOW_GAP_M
    lead_mps: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in TACTIC_KINDS:
            raise InvalidValue(
                f"tactic must be one of {', '.join(TACTIC_KINDS)}, got {self.kind!r}"
            )
        if self.speed_mps is not None:
            object.__setattr__(
                self, "speed_mps", _num(self.speed_mps, "tactic speed_mps", 0.5, ALL_OUT_MPS)
            )
        object.__setattr__(self, "kick_at_m", _num(self.kick_at_m, "kick_at_m", 0.0, 1e5))
        if self.surge_at_m is not None:
            object.__setattr__(self, "surge_at_m", _num(self.surge_at_m, "surge_at_m", 0.0, 1e5))
        object.__setattr__(self, "gap_m", _num(self.gap_m, "gap_m", 0.1, 50.0))
        if self.lead_mps is not None:
            object.__setattr__(self, "lead_mps", _num(self.lead_mps, "lead_mps", 0.5, ALL_OUT_MPS))
        if self.kind in ("front_run", "long_surge") and self.speed_mps is None:
            raise InvalidValue(f"tactic {self.kind} needs speed_mps")
        if self.kind == "long_surge" and self.surge_at_m is None:
            raise InvalidValue("tactic long_surge needs surge_at_m (distance to go)")

    @property
    def follows(self) -> bool:
        """True when the runner sits behind the runner ahead until a move."""
        return self.kind in ("follow", "sit_and_kick", "long_surge")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "speed_mps": self.speed_mps,
            "kick_at_m": self.kick_at_m,
            "surge_at_m": self.surge_at_m,
            "gap_m": self.gap_m,
            "lead_mps": self.lead_mps,
        }


def even(speed_mps: float | None = None, *, kick_at_m: float = 0.0) -> Tactic:
    """Run at one speed from the gun (m/s; default the runner's best even pace for the
    distance from CS, D' and MSS), drafting only when someone happens to be just ahead;
    all out from ``kick_at_m`` to go."""
    return Tactic("even", speed_mps=speed_mps, kick_at_m=kick_at_m)


def follow(
    gap_m: float = FOLLOW_GAP_M, *, kick_at_m: float = 0.0, lead_mps: float | None = None
) -> Tactic:
    """Hold ``gap_m`` (m) behind the runner directly ahead; when leading, run ``lead_mps``
    (default the best even pace); all out from ``kick_at_m`` to go (0 = never)."""
    return Tactic("follow", kick_at_m=kick_at_m, gap_m=gap_m, lead_mps=lead_mps)


def sit_and_kick(
    kick_at_m: float, *, gap_m: float = FOLLOW_GAP_M, lead_mps: float | None = None
) -> Tactic:
    """Follow the runner ahead (``lead_mps`` when leading), then go all out from
    ``kick_at_m`` metres to go."""
    if float(kick_at_m) <= 0:
        raise InvalidValue(f"kick_at_m (distance to go) must be > 0 m, got {kick_at_m!r}")
    return Tactic("sit_and_kick", kick_at_m=kick_at_m, gap_m=gap_m, lead_mps=lead_mps)


def long_surge(
    from_m: float,
    speed_mps: float,
    *,
    kick_at_m: float = 0.0,
    gap_m: float = FOLLOW_GAP_M,
    lead_mps: float | None = None,
) -> Tactic:
    """Follow (``lead_mps`` when leading), then from ``from_m`` metres to go run at
    ``speed_mps`` (m/s) to the finish (capped by what is left of D'); all out from
    ``kick_at_m`` to go if given."""
    return Tactic(
        "long_surge",
        speed_mps=speed_mps,
        surge_at_m=from_m,
        kick_at_m=kick_at_m,
        gap_m=gap_m,
        lead_mps=lead_mps,
    )


def front_run(speed_mps: float, *, kick_at_m: float = 0.0) -> Tactic:
    """Lead at ``speed_mps`` (m/s); when passed, speed up to retake the lead."""
    return Tactic("front_run", speed_mps=speed_mps, kick_at_m=kick_at_m)


def best_even_speed_mps(
    distance_m: float, cs_mps: Any, d_prime_m: Any, mss_mps: Any = None
) -> np.ndarray:
    """Fastest constant speed over ``distance_m`` (m) in Morton's 3-parameter model, m/s:
    distance over :func:`kicklab.physiology.predict.predict_time_s`."""
    return np.asarray(
        distance_m / np.asarray(predict_time_s(distance_m, cs_mps, d_prime_m, mss_mps))
    )


@dataclass(frozen=True)
class Runner:
    """One athlete in a simulated race.

    Parameters
    ----------
    name
        Label in results.
    cs_mps, d_prime_m, mss_mps
        Critical speed (m/s), D' (m) and maximal sprint speed (m/s, > CS): Morton 3-parameter
        model.
    tactic
        A :class:`Tactic` (default :func:`even` at the best even pace).
    draft
        Whether the runner takes shelter behind the runner ahead (``False``: always pays the
        full air cost — a control for what drafting is worth).
    sd_cs, sd_d_prime, sd_mss
        Day-to-day variation, relative SDs (0.02 = 2 %), drawn independently per trial.
    """

    name: str
    cs_mps: float
    d_prime_m: float
    mss_mps: float
    tactic: Tactic = field(default_factory=even)
    draft: bool = True
    sd_cs: float = 0.0
    sd_d_prime: float = 0.0
    sd_mss: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", str(self.name))
        cs = _num(self.cs_mps, f"{self.name}: cs_mps", *_CS_RANGE)
        dp = _num(self.d_prime_m, f"{self.name}: d_prime_m", *_D_PRIME_RANGE)
        mss = _num(self.mss_mps, f"{self.name}: mss_mps", *_MSS_RANGE)
        if mss <= cs:
            raise InvalidValue(f"{self.name}: mss_mps ({mss}) must exceed cs_mps ({cs})")
        object.__setattr__(self, "cs_mps", cs)
        object.__setattr__(self, "d_prime_m", dp)
        object.__setattr__(self, "mss_mps", mss)
        if not isinstance(self.tactic, Tactic):
            raise InvalidValue(f"{self.name}: tactic must be a Tactic, got {self.tactic!r}")
        for sd in ("sd_cs", "sd_d_prime", "sd_mss"):
            object.__setattr__(self, sd, _num(getattr(self, sd), f"{self.name}: {sd}", 0, _MAX_SD))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cs_mps": self.cs_mps,
            "d_prime_m": self.d_prime_m,
            "mss_mps": self.mss_mps,
            "tactic": self.tactic.to_dict(),
            "draft": self.draft,
            "sd_cs": self.sd_cs,
            "sd_d_prime": self.sd_d_prime,
            "sd_mss": self.sd_mss,
        }


@dataclass(frozen=True)
class TacticTable:
    """The tactics of a field as per-runner arrays, for vectorised policy evaluation over
    ``trials × runners``.

    The arrays have shape ``(R,)`` (one tactic per runner, shared by every trial) or
    ``(rows, R)`` (a tactic per trial row and runner, e.g. several candidate tactics stacked
    with :meth:`stack`); :meth:`desired_speed` broadcasts either against its inputs.
    """

    follows: np.ndarray  # bool: sits behind the runner ahead before any move
    front: np.ndarray  # bool: retakes the lead when passed
    pace_mps: np.ndarray  # own pace when not following (or when leading), m/s
    gap_m: np.ndarray  # gap held to the runner ahead, m
    surge_at_m: np.ndarray  # distance to go of the surge, m (-inf: none)
    surge_mps: np.ndarray  # surge speed, m/s
    kick_at_m: np.ndarray  # distance to go of the all-out kick, m (0: none)

    @classmethod
    def from_runners(cls, runners: list[Runner], distance_m: float) -> TacticTable:
        """Stack the runners' tactics; the default pace is each runner's best even speed."""
        best = best_even_speed_mps(
            distance_m,
            np.array([r.cs_mps for r in runners]),
            np.array([r.d_prime_m for r in runners]),
            np.array([r.mss_mps for r in runners]),
        )
        tactics = [r.tactic for r in runners]

        def own_pace(t: Tactic, b: float) -> float:
            if t.kind in ("even", "front_run") and t.speed_mps is not None:
                return t.speed_mps
            if t.follows and t.lead_mps is not None:
                return t.lead_mps
            return float(b)

        pace = np.array([own_pace(t, b) for t, b in zip(tactics, best)])
        return cls(
            follows=np.array([t.follows for t in tactics]),
            front=np.array([t.kind == "front_run" for t in tactics]),
            pace_mps=pace,
            gap_m=np.array([t.gap_m for t in tactics]),
            surge_at_m=np.array(
                [t.surge_at_m if t.surge_at_m is not None else -np.inf for t in tactics]
            ),
            surge_mps=np.array([t.speed_mps if t.kind == "long_surge" else 0.0 for t in tactics]),
            kick_at_m=np.array([t.kick_at_m for t in tactics]),
        )

    @classmethod
    def stack(cls, tables: list[TacticTable], rows_each: int) -> TacticTable:
        """Tables of ``F`` variants of one field (each of shape ``(R,)``), stacked to one
        table of shape ``(F·rows_each, R)``: rows ``k·rows_each … (k+1)·rows_each − 1`` run
        variant ``k``."""
        if not tables:
            raise InvalidValue("stack needs at least one tactic table")
        n = int(rows_each)
        if n < 1:
            raise InvalidValue(f"rows_each must be ≥ 1, got {rows_each!r}")
        shapes = {t.pace_mps.shape for t in tables}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            raise InvalidValue("stacked tables must each hold one tactic per runner, shape (R,)")
        return cls(
            **{
                name: np.repeat(np.stack([getattr(t, name) for t in tables]), n, axis=0)
                for name in cls.__dataclass_fields__
            }
        )

    @classmethod
    def concat(cls, tables: list[TacticTable]) -> TacticTable:
        """Tables of shape ``(rows_k, R)`` one after the other: shape ``(Σ rows_k, R)``."""
        return cls(
            **{
                name: np.concatenate([getattr(t, name) for t in tables])
                for name in cls.__dataclass_fields__
            }
        )

    def take_rows(self, rows: np.ndarray) -> TacticTable:
        """The table of the trial rows ``rows`` (index array); a table of shape ``(R,)``
        applies to every row and is returned unchanged."""
        if self.pace_mps.ndim < 2:
            return self
        return TacticTable(
            **{name: getattr(self, name)[rows] for name in TacticTable.__dataclass_fields__}
        )

    @cached_property
    def _moves(self) -> tuple[bool, bool]:
        """Whether any runner retakes the lead (front running), and whether any surges."""
        return bool(self.front.any()), bool(np.isfinite(self.surge_at_m).any())

    def desired_speed(
        self,
        to_go_m: np.ndarray,
        gap_m: np.ndarray,
        v_ahead_mps: np.ndarray,
    ) -> np.ndarray:
        """Speed each runner wants now, m/s, shape ``(trials, runners)``.

        Parameters
        ----------
        to_go_m
            Distance to go, m.
        gap_m
            Gap to the runner directly ahead, m (``inf`` for the leader).
        v_ahead_mps
            Speed of the runner directly ahead, m/s (any finite value for the leader).
        """
        to_go = np.asarray(to_go_m, dtype=float)
        gap = np.asarray(gap_m, dtype=float)
        v_ahead = np.asarray(v_ahead_mps, dtype=float)
        has_ahead = np.isfinite(gap)
        # speed change that closes (or opens) the gap error over the closing time, bounded
        close = np.subtract(gap, self.gap_m)
        np.multiply(close, 1.0 / _CLOSE_TIME_S, out=close)
        np.clip(close, -_CLOSE_MAX_MPS, _CLOSE_MAX_MPS, out=close)
        want = np.where(has_ahead & self.follows, v_ahead + close, self.pace_mps)
        any_front, any_surge = self._moves
        if any_front:
            retake = np.maximum(self.pace_mps, v_ahead + _RETAKE_MPS)
            want = np.where(has_ahead & self.front, retake, want)
        if any_surge:
            surging = to_go <= self.surge_at_m
            if surging.any():
                want = np.where(surging, self.surge_mps, want)
        kicking = to_go <= self.kick_at_m
        if kicking.any():
            want = np.where(kicking, ALL_OUT_MPS, want)
        if want.shape != to_go.shape and to_go.ndim:
            want = np.broadcast_to(want, np.broadcast_shapes(want.shape, to_go.shape)).copy()
        return want
