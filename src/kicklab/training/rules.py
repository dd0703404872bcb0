"""The constants of plan generation, each with its source or the reason for its value.

One module so that the generator (:func:`kicklab.training.plan.build_plan`) and the checker
(:func:`kicklab.training.plan.check_safety`) judge a plan by the same numbers. Distances in m
(weekly volumes in km, as runners count them), times in s, speeds as fractions of the
athlete's critical speed (CS), maximal sprint speed (MSS) or predicted race speed.
"""

from __future__ import annotations

from kicklab.physiology.reserve import SRR_BANDS

__all__ = [
    "PLAN_WEEKS_RANGE",
    "DAYS_PER_WEEK_RANGE",
    "DISTANCE_RANGE_M",
    "WEEKLY_KM_RANGE",
    "MIN_KM_PER_RUN_DAY",
    "DEFAULT_WEEKLY_KM",
    "MAX_HARD_PER_WEEK",
    "HARD_PER_WEEK",
    "MIN_HARD_GAP_DAYS",
    "MAX_WEEKLY_RAMP",
    "RAMP_STEP",
    "START_FRACTION",
    "MAX_LONG_RUN_FRACTION",
    "LONG_RUN_SHARE",
    "LONG_RUN_SHARE_MAX",
    "LONG_RUN_MAX_S",
    "TAPER_DAYS_RANGE",
    "TAPER_VOLUME_CUT_RANGE",
    "TAPER_FRACTIONS",
    "LONG_TAPER_MIN_WEEKS",
    "RACE_EASY_DAYS",
    "MIN_REST_DAYS_PER_WEEK",
    "PLYO_MIN_BASE_WEEKS",
    "PLYO_BEGINNER_MAX_CONTACTS",
    "PLYO_FIRST_WEEKS_FRACTION",
    "WORK_CAPS",
    "LEVEL_REP_FACTOR",
    "MIN_REPS",
    "BAND_HALF_WIDTH",
    "EASY_BAND_CS",
    "LONG_BAND_CS",
    "TEMPO_BAND_CS",
    "CS_INTERVAL_BAND_CS",
    "FAST_FINISH_BAND_CS",
    "SIT_BAND_CS",
    "JOG_FRACTION_CS",
    "STRIDE_BAND_MSS",
    "FLYING_BAND_MSS",
    "RESERVE_150_FRACTION",
    "DEPLETION_FRACTION",
    "CUT_DOWN_LADDER",
    "KICK_FRACTION",
    "KICK_DISTANCE_M",
    "ASSUMED_SRR",
    "WARMUP_M",
    "COOLDOWN_M",
    "EASY_MIN_M",
    "DRILL_SPEED_MPS",
    "SRR_LOW_MIDDLE",
    "SRR_LOW_LONG",
    "MIDDLE_DISTANCE_MAX_M",
    "LOW_ASR_MPS",
    "D_PRIME_SECONDS_LOW",
    "CADENCE_SHARE_LOW_PCT",
    "CADENCE_SHARE_HIGH_PCT",
    "LATE_ONSET_M",
    "STRONG_GAIN_PCT",
    "FADE_SHARE",
    "TIMING_CONE_STEP",
    "TIMING_CONE_MAX",
]

# ----------------------------------------------------------------------------- input ranges
#: Plan length from ``start`` to race day, weeks: 3 weeks is the shortest that holds a base,
#: a specific week and a taper; beyond 24 weeks (a season) a plan should be rebuilt from a
#: new profile, because CS, D' and MSS change with training.
PLAN_WEEKS_RANGE: tuple[int, int] = (3, 24)
#: Running days per week accepted.
DAYS_PER_WEEK_RANGE: tuple[int, int] = (3, 7)
#: Race distances planned for, m: 800 m to 10 km, where the finishing kick decides races
#: (SCIENCE.md §3); beyond 10 km the plan would be a marathon plan.
DISTANCE_RANGE_M: tuple[float, float] = (800.0, 10_000.0)
#: Weekly volumes accepted, km (peak weeks).
WEEKLY_KM_RANGE: tuple[float, float] = (10.0, 250.0)
#: Least average run per running day, km: below ~5 km a run day cannot hold a warm-up, the
#: work of a hard session and a cool-down, and the taper (−30–50 %) would leave runs of
#: ~2.5 km. Fewer days with longer runs suit such a volume better.
MIN_KM_PER_RUN_DAY: float = 5.0
#: Default peak weekly volume by level and race distance, km (interpolated in log distance).
#: Typical volumes of club runners (beginner), trained runners (intermediate) and
#: well-trained/competitive runners (advanced) — kicklab's choice, in line with the volumes
#: of training programmes for these levels (e.g. Daniels' Running Formula, recalled);
#: longer races carry more volume.
DEFAULT_WEEKLY_KM: dict[str, dict[float, float]] = {
    "beginner": {800.0: 20.0, 1500.0: 25.0, 3000.0: 30.0, 5000.0: 30.0, 10000.0: 35.0},
    "intermediate": {800.0: 35.0, 1500.0: 45.0, 3000.0: 50.0, 5000.0: 55.0, 10000.0: 60.0},
    "advanced": {800.0: 55.0, 1500.0: 70.0, 3000.0: 80.0, 5000.0: 90.0, 10000.0: 100.0},
}

# ----------------------------------------------------------------------------- hard days
#: Most hard (high-intensity or high-impact) days in any 7 days, by level. Elite endurance
#: athletes do ~2–3 high-intensity sessions a week with ~80 % of training easy (Seiler 2010,
#: Int J Sports Physiol Perform 5:276); beginners recover more slowly, so 2.
MAX_HARD_PER_WEEK: dict[str, int] = {"beginner": 2, "intermediate": 3, "advanced": 3}
#: Hard sessions the generator schedules per week, by phase and level (at most the maximum
#: above, and at most ``days_per_week − 2`` so that every week keeps an easy run and the
#: long run). The specific phase adds one for advanced runners; the taper keeps the
#: intensity with less volume (Bosquet et al. 2007).
HARD_PER_WEEK: dict[str, dict[str, int]] = {
    "base": {"beginner": 1, "intermediate": 2, "advanced": 2},
    "specific": {"beginner": 2, "intermediate": 2, "advanced": 3},
    "taper": {"beginner": 1, "intermediate": 2, "advanced": 2},
}
#: Least days between two hard days (2: never on consecutive days). The hard–easy principle
#: (Bowerman); glycogen and neuromuscular function need ~48 h after high-intensity or
#: plyometric work.
MIN_HARD_GAP_DAYS: int = 2

# ----------------------------------------------------------------------------- volume
#: Largest rise of weekly volume from one week to the next (10 %). Novice runners who raised
#: weekly volume by more than 30 % were injured more often than those under 10 % (Nielsen et
#: al. 2014, J Orthop Sports Phys Ther 44:739); the "10 % rule" is the common guideline.
MAX_WEEKLY_RAMP: float = 0.10
#: Rise the generator uses per week while building (half the limit, so rounding and the
#: different lengths of hard sessions never push a week over it).
RAMP_STEP: float = 0.05
#: First full week's volume as a fraction of the peak (``weekly_km``): builds to the peak in
#: ~3–4 weeks at :data:`RAMP_STEP`.
START_FRACTION: float = 0.85
#: Largest long run as a fraction of its week's volume (30 %): Daniels' Running Formula
#: limits the long run to 25–30 % of weekly volume (recalled); a larger share concentrates
#: the week's load in one day.
MAX_LONG_RUN_FRACTION: float = 0.30
#: Long run the generator plans, fraction of the week's target (under the limit, with margin
#: for weeks whose other runs come out shorter).
LONG_RUN_SHARE: float = 0.25
#: Largest long run the generator plans, fraction of the week's target: it grows from
#: :data:`LONG_RUN_SHARE` up to this when the easy runs would otherwise be longer than it.
LONG_RUN_SHARE_MAX: float = 0.28
#: Longest long run, s (2.5 h): beyond it fatigue and injury risk rise with little added
#: aerobic benefit for races of 10 km or less (Daniels' Running Formula: ≤ 150 min, recalled).
LONG_RUN_MAX_S: float = 9000.0

# ----------------------------------------------------------------------------- taper
#: Taper length, days: 7–14 (a meta-analysis found the best results with ~2-week tapers;
#: Bosquet et al. 2007, Med Sci Sports Exerc 39:1358; Mujika & Padilla 2003, Med Sci Sports
#: Exerc 35:1182).
TAPER_DAYS_RANGE: tuple[int, int] = (7, 14)
#: Volume cut of every taper week against the heaviest week before the taper (30–50 %),
#: with intensity kept (Bosquet et al. 2007: 41–60 % reductions worked best, intensity and
#: frequency maintained).
TAPER_VOLUME_CUT_RANGE: tuple[float, float] = (0.30, 0.50)
#: Volume of the taper weeks as a fraction of the peak, race week last: a 2-week taper
#: (−35 %, −45 %) or a 1-week taper (−40 %), inside :data:`TAPER_VOLUME_CUT_RANGE` with margin.
TAPER_FRACTIONS: dict[int, tuple[float, ...]] = {2: (0.65, 0.55), 1: (0.60,)}
#: Plans of at least this many weeks taper for 2 weeks; shorter ones for 1 (a 2-week taper
#: would leave too little training before it).
LONG_TAPER_MIN_WEEKS: int = 8
#: Days before the race without a hard session (2): the last hard session is at least 3 days
#: out, so that neuromuscular fatigue from it has cleared (Mujika & Padilla 2003).
RACE_EASY_DAYS: int = 2

# ----------------------------------------------------------------------------- rest, plyometrics
#: Rest days in every 7 when the athlete runs fewer than 7 days: at least 1.
MIN_REST_DAYS_PER_WEEK: int = 1
#: Beginners start plyometrics only after this many weeks of the plan's base (3): tendons
#: adapt more slowly than muscle, and a strength base comes first (Potach & Chu, NSCA
#: Essentials of Strength Training and Conditioning).
PLYO_MIN_BASE_WEEKS: int = 3
#: Most foot contacts in a beginner's plyometric session. The NSCA guideline for beginners is
#: 80–100 contacts per session for athletes who do nothing else; runners add plyometrics to
#: their running, and Spurrs et al. 2003 started distance runners at 60 contacts; 40 keeps a
#: beginner's first sessions low.
PLYO_BEGINNER_MAX_CONTACTS: int = 40
#: Fraction of the standard plyometric dosage in a runner's first two plyometric weeks.
PLYO_FIRST_WEEKS_FRACTION: float = 0.6

# ----------------------------------------------------------------------------- session sizes
#: Most work at each intensity in one session, as a fraction of the week's volume (Daniels'
#: Running Formula, recalled: threshold ≤ 10 %, intervals ≤ 8 %, repetitions ≤ 5 %). ``cs``
#: (100–102 % CS) sits between threshold and interval pace and takes the threshold limit.
WORK_CAPS: dict[str, float] = {"threshold": 0.10, "cs": 0.10, "interval": 0.08, "rep": 0.05}
#: Repetitions of a run session against the library's standard (intermediate) dosage.
LEVEL_REP_FACTOR: dict[str, float] = {"beginner": 0.7, "intermediate": 1.0, "advanced": 1.25}
#: Fewest repetitions of a run session (one rep is a time trial, not a session).
MIN_REPS: int = 2

# ----------------------------------------------------------------------------- speeds
#: Half-width of a quality session's speed band (±1 % → a band 2 % wide, e.g. 100–102 % CS):
#: about ±1 s per 400 m at 1500 m pace, what a runner can hold to with a watch and a track.
BAND_HALF_WIDTH: float = 0.01
#: Easy runs, fraction of CS: conversational running, below the first threshold (~75 % of
#: vVO2max; CS ≈ 88–92 % of vVO2max; Jones & Vanhatalo 2017).
EASY_BAND_CS: tuple[float, float] = (0.70, 0.80)
#: Long runs, fraction of CS (a little slower than easy runs).
LONG_BAND_CS: tuple[float, float] = (0.70, 0.78)
#: Tempo runs, fraction of CS: just below CS, the heavy-domain ceiling (Jones & Vanhatalo 2017).
TEMPO_BAND_CS: tuple[float, float] = (0.93, 0.95)
#: CS intervals, fraction of CS (the brief's 100–102 % CS: at CS, spending little D').
CS_INTERVAL_BAND_CS: tuple[float, float] = (1.00, 1.02)
#: Finish of a fast-finish run, fraction of CS.
FAST_FINISH_BAND_CS: tuple[float, float] = (0.95, 0.97)
#: The "sit" of a sit-then-kick race simulation, fraction of CS: a tactical championship pace
#: around CS that spends (almost) no D' before the kick (SCIENCE.md §2–3).
SIT_BAND_CS: tuple[float, float] = (0.98, 1.00)
#: Speed of a jogged recovery, fraction of CS (for the distance it adds to the session).
JOG_FRACTION_CS: float = 0.55
#: Strides, fraction of MSS ("fast but relaxed", ~80–85 % of top speed).
STRIDE_BAND_MSS: tuple[float, float] = (0.80, 0.85)
#: Flying 30s, fraction of MSS (95–100 %: maximal-velocity work needs near-maximal speed;
#: Haugen et al. 2019, Sports Med Open 5:44).
FLYING_BAND_MSS: tuple[float, float] = (0.95, 1.00)
#: Speed-reserve 150s at ``CS + f·(MSS − CS)``: half-way into the speed reserve above CS.
RESERVE_150_FRACTION: float = 0.5
#: Depletion part of a D'-depletion-then-sprint rep at ``CS + f·(MSS − CS)``.
DEPLETION_FRACTION: float = 0.2
#: Cut-down ladder: (rep distance at 1500 m scale, m; fraction of the speed reserve above
#: CS). Each rep faster; the spend per rep stays ~25–40 % of D' for a typical profile.
CUT_DOWN_LADDER: tuple[tuple[float, float], ...] = (
    (1000.0, 0.0),
    (800.0, 0.1),
    (600.0, 0.2),
    (400.0, 0.3),
    (200.0, 0.5),
)
#: Kick speed as a fraction of the fastest speed Morton's 3-parameter model allows over the
#: kick distance with the D' left (:func:`kicklab.physiology.predict.predict_time_s` with that
#: D'): 97 % — a hard, controlled kick that can be repeated.
KICK_FRACTION: float = 0.97
#: Usual kick distance by race distance, m (race simulations and kick-from-the-cone reps).
#: 1500 m finals separate in the last 100–300 m, 5000 m around 800 m to go and 10 000 m
#: later still (Hanley, Stellingwerff & Hettinga 2019; SCIENCE.md §3); a trainable kick is
#: shorter than the decisive drive of a 5/10 km.
KICK_DISTANCE_M: dict[float, float] = {
    800.0: 200.0,
    1500.0: 300.0,
    3000.0: 300.0,
    5000.0: 400.0,
    10000.0: 400.0,
}
#: Speed reserve ratio MSS / MAS assumed when the profile has no MSS: the middle of
#: Sandford's "800 type" band (1.48–1.57). Targets that need MSS say so.
ASSUMED_SRR: float = 1.52

# ----------------------------------------------------------------------------- run pieces
#: Warm-up jog of a quality session, m (least, most): ~10–15 min.
WARMUP_M: tuple[float, float] = (1500.0, 3000.0)
#: Cool-down jog, m (least, most).
COOLDOWN_M: tuple[float, float] = (1000.0, 2500.0)
#: Shortest easy run, m (~15–20 min): shorter runs are dropped from taper weeks instead.
EASY_MIN_M: float = 3000.0
#: Speed used to turn a drill's distance into time, m/s (drills are done at ~3 m/s with
#: walk-backs).
DRILL_SPEED_MPS: float = 3.0

# ----------------------------------------------------------------------------- weakness
#: Lowest speed reserve ratio that is not a weakness at 800–1500 m: the lower edge of
#: Sandford's "800 type" (SRR 1.48, edge 1.475 in :data:`kicklab.physiology.reserve.SRR_BANDS`).
#: Below it the athlete is an endurance type whose kick is capped by sprint speed.
SRR_LOW_MIDDLE: float = SRR_BANDS[1][0]
#: The same for 3000 m–10 km: the lower edge of the "800–1500 type" (SRR 1.36, edge 1.355);
#: longer races ask less of the sprint, so only a reserve below the published bands counts.
SRR_LOW_LONG: float = SRR_BANDS[2][0]
#: Races up to this distance use the middle-distance thresholds, m (the mile).
MIDDLE_DISTANCE_MAX_M: float = 1609.344
#: Smallest anaerobic speed reserve (MSS − MAS) that is not a weakness at middle distance,
#: m/s. The ratio flatters athletes whose aerobic speed is low (recreational runners come out
#: as "speed" types, see :func:`kicklab.physiology.reserve.profile_type`); in absolute terms
#: an elite 1500 m runner (MAS ~6 m/s) at Sandford's endurance end (SRR ~1.38) has ~2.3 m/s.
LOW_ASR_MPS: float = 2.3
#: D' as seconds of running at CS (D'/CS) below which D' is small, by race distance
#: (interpolated in log distance). Trained distance runners have D' ≈ 120 m at CS ≈ 4.9 m/s
#: (Kordi 2019; ≈ 25 s); middle-distance runners rely on more (a 1500 m race spends most of
#: D'), so 30 s at 800–1500 m and 20 s at 5–10 km — kicklab's choice around that value.
D_PRIME_SECONDS_LOW: dict[float, float] = {800.0: 30.0, 1500.0: 30.0, 5000.0: 20.0, 10000.0: 20.0}
#: Median cadence share of past kicks' speed gain below which the kick came mostly from step
#: length: cadence is the unused lever (cadence drills, cadence strides). Symmetric band
#: around an even split (``Δln v = Δln cadence + Δln step length``; SCIENCE.md §3).
CADENCE_SHARE_LOW_PCT: float = 40.0
#: ... above which it came mostly from cadence: step length (power) is the unused lever
#: (plyometrics, hill sprints).
CADENCE_SHARE_HIGH_PCT: float = 60.0
#: A kick starting closer than this to the finish is late, by race distance, m (interpolated
#: in log distance): 200 m at 1500 m (the brief; 1500 m finals separate in the last
#: 100–200 m, Hanley et al. 2019), scaled for the other events.
LATE_ONSET_M: dict[float, float] = {
    800.0: 120.0,
    1500.0: 200.0,
    3000.0: 300.0,
    5000.0: 400.0,
    10000.0: 500.0,
}
#: Median kick gain, %, from which a late kick is "strong": 2.5 × the 2 % least gain of a
#: kick (:data:`kicklab.kick.rules.MIN_KICK_GAIN`) — a kick that had more to give earlier.
STRONG_GAIN_PCT: float = 5.0
#: Share of past races that faded or had no kick from which D' and timing are weaknesses.
FADE_SHARE: float = 0.5
#: Each week the cone of "kick from the cone" moves out by this fraction of the usual kick
#: distance when the kick is late ...
TIMING_CONE_STEP: float = 0.1
#: ... up to this multiple of it.
TIMING_CONE_MAX: float = 1.5
