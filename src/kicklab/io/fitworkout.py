"""FIT workout files out: a session's steps as ``file_id`` + ``workout`` + ``workout_step``
messages, encoded with `fit-tool`_.

Steps carry a distance, time or open duration, an optional speed band (m/s) and an intensity;
repeat steps become ``repeat_until_steps_cmplt`` steps. Garmin's own SDK decodes the files back
to the same steps (tested). :func:`kicklab.training.export.write_fit_workouts` writes one file
per session of a plan.

.. _fit-tool: https://pypi.org/project/fit-tool/
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from typing import Any

from kicklab.errors import InvalidValue

__all__ = [
    "FIT_WKT_NAME_BYTES",
    "FIT_STEP_NAME_BYTES",
    "FIT_NOTES_BYTES",
    "FIT_SPEED_RESOLUTION_MPS",
    "FIT_DISTANCE_RESOLUTION_M",
    "FIT_TIME_RESOLUTION_S",
    "STEP_INTENSITIES",
    "STEP_DURATION_TYPES",
    "truncate_utf8",
    "speed_band",
    "encode_fit_workout",
]

#: Bytes of a workout name, terminating NUL included: Garmin's FIT C SDK allocates
#: ``wkt_name[16]`` (``FIT_WORKOUT_MESG_WKT_NAME_COUNT`` in ``fit_example.h``, profile 21.14),
#: so a watch shows at most 15 bytes of text.
FIT_WKT_NAME_BYTES = 16
#: Bytes of a workout step name, NUL included (``FIT_WORKOUT_STEP_MESG_WKT_STEP_NAME_COUNT``,
#: same header).
FIT_STEP_NAME_BYTES = 16
#: Bytes of a workout step's notes, NUL included (``FIT_WORKOUT_STEP_MESG_NOTES_COUNT``, same
#: header).
FIT_NOTES_BYTES = 50
#: Resolution of a FIT custom speed target, m/s (profile: ``custom_target_speed_*`` scale 1000).
FIT_SPEED_RESOLUTION_MPS = 0.001
#: Resolution of a FIT step distance, m (profile: ``duration_distance`` scale 100).
FIT_DISTANCE_RESOLUTION_M = 0.01
#: Resolution of a FIT step time, s (profile: ``duration_time`` scale 1000).
FIT_TIME_RESOLUTION_S = 0.001
#: Step intensities of the plan model and their FIT ``intensity`` names.
STEP_INTENSITIES: dict[str, str] = {
    "warmup": "WARMUP",
    "active": "ACTIVE",
    "rest": "REST",
    "recovery": "RECOVERY",
    "cooldown": "COOLDOWN",
}
#: Step duration types of the plan model and their FIT ``wkt_step_duration`` names.
STEP_DURATION_TYPES: dict[str, str] = {"distance": "DISTANCE", "time": "TIME", "open": "OPEN"}
#: Largest raw value of a FIT uint32 field (0xFFFFFFFF is its "invalid" pattern, FIT protocol).
_UINT32_MAX = 0xFFFFFFFE
#: The FIT epoch (1989-12-31T00:00Z) in Unix seconds, and the range of absolute FIT times:
#: date_time values below 0x10000000 are relative to device power-up (FIT protocol), and
#: 0xFFFFFFFF is invalid.
_FIT_EPOCH_UNIX_S = 631_065_600
_FIT_MIN_UNIX_S = _FIT_EPOCH_UNIX_S + 0x10000000
_FIT_MAX_UNIX_S = _FIT_EPOCH_UNIX_S + 0xFFFFFFFE


def _num(value: Any) -> float | None:
    """A finite float, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def speed_band(step: Any) -> tuple[float, float] | None:
    """A step's target speed band (low, high), m/s, or None (a missing bound copies the other)."""
    lo, hi = _num(step.speed_low_mps), _num(step.speed_high_mps)
    if lo is None and hi is None:
        return None
    return (lo if lo is not None else hi, hi if hi is not None else lo)  # type: ignore[return-value]


def truncate_utf8(text: Any, size: int) -> str:
    """``text`` cut so that its UTF-8 form plus a NUL terminator fits in ``size`` bytes.

    The cut falls between characters, never inside a multi-byte sequence, and whitespace left
    at the cut is dropped; NUL characters (which would end a FIT string early) are dropped and
    lone surrogates become U+FFFD.
    """
    s = str(text).replace("\x00", "")
    data = s.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")
    limit = max(size - 1, 0)
    if len(data) <= limit:
        return data.decode("utf-8")
    # decoding with "ignore" drops only a multi-byte sequence cut at the end
    return data[:limit].decode("utf-8", "ignore").rstrip()


def _session_label(session: Any) -> str:
    return f"{session.date.isoformat()} {session.title}"


def _check_steps(session: Any) -> None:
    """Raise InvalidValue for a step FIT cannot hold (names the session)."""
    label = _session_label(session)
    steps = tuple(session.steps)
    if not steps:
        raise InvalidValue("the session has no steps to write as a workout", label)
    for i, step in enumerate(steps):  # a handful of steps
        where = f"step {i + 1} ({step.name!r})"
        if step.intensity not in STEP_INTENSITIES:
            raise InvalidValue(
                f"{where}: intensity must be one of {', '.join(STEP_INTENSITIES)}, "
                f"got {step.intensity!r}",
                label,
            )
        if step.repeat_of is not None or step.repeat_count is not None:
            if step.repeat_of is None or step.repeat_count is None:
                raise InvalidValue(
                    f"{where}: a repeat step needs repeat_of and repeat_count", label
                )
            if not (isinstance(step.repeat_of, int) and 0 <= step.repeat_of < i):
                raise InvalidValue(
                    f"{where}: repeat_of must be the index of an earlier step, "
                    f"got {step.repeat_of!r}",
                    label,
                )
            if not (isinstance(step.repeat_count, int) and 1 <= step.repeat_count <= _UINT32_MAX):
                raise InvalidValue(
                    f"{where}: repeat_count must be a whole number ≥ 1, got {step.repeat_count!r}",
                    label,
                )
            continue
        if step.duration_type not in STEP_DURATION_TYPES:
            raise InvalidValue(
                f"{where}: duration_type must be distance, time or open, "
                f"got {step.duration_type!r}",
                label,
            )
        if step.duration_type != "open":
            v = _num(step.duration)
            scale = 100.0 if step.duration_type == "distance" else 1000.0
            if v is None or v <= 0 or round(v * scale) > _UINT32_MAX:
                unit = "m" if step.duration_type == "distance" else "s"
                raise InvalidValue(
                    f"{where}: a {step.duration_type} step needs a positive duration in {unit} "
                    f"(at most {_UINT32_MAX / scale:.0f}), got {step.duration!r}",
                    label,
                )
        lo, hi = step.speed_low_mps, step.speed_high_mps
        if lo is not None or hi is not None:
            vlo, vhi = _num(lo), _num(hi)
            if vlo is None or vhi is None or not 0 < vlo <= vhi or round(vhi * 1000) > _UINT32_MAX:
                raise InvalidValue(
                    f"{where}: a speed target needs 0 < low ≤ high m/s, got {lo!r}–{hi!r}",
                    label,
                )


def _fit_time_ms(when: _dt.datetime | None) -> int:
    """fit-tool's unit for date_time fields: ms since the Unix epoch (whole seconds)."""
    if when is None:
        when = _dt.datetime.now(_dt.UTC)
    if not isinstance(when, _dt.datetime):
        raise InvalidValue(f"created must be a datetime, got {type(when).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    unix_s = int(when.timestamp())
    if not _FIT_MIN_UNIX_S <= unix_s <= _FIT_MAX_UNIX_S:
        raise InvalidValue(
            f"created {when.isoformat()} is outside what a FIT time can hold (1998-07-04 to 2126)"
        )
    return unix_s * 1000


def _serial(session: Any, athlete: str) -> int:
    """A non-zero uint32z serial number from athlete, date and title: devices tell workout
    files apart by type, manufacturer, product and serial number."""
    key = f"{athlete}\x1f{session.date.isoformat()}\x1f{session.title}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "little") % 0xFFFFFFFE + 1


def encode_fit_workout(
    session: Any,
    *,
    name: str | None = None,
    created: _dt.datetime | None = None,
    athlete: str = "",
) -> bytes:
    """One session as a FIT workout file.

    Parameters
    ----------
    session
        A :class:`~kicklab.training.plan.Session` with steps.
    name
        Workout name (default: the session's title), cut to :data:`FIT_WKT_NAME_BYTES`
        (15 bytes of UTF-8 text) at a character boundary.
    created
        ``file_id.time_created`` (UTC; naive is UTC), whole seconds. Default: now.
    athlete
        Part of the key of the file's serial number (see :func:`session_uid`).

    Returns
    -------
    bytes
        ``file_id`` (type workout, manufacturer development), ``workout`` (sport running,
        ``num_valid_steps``, ``wkt_name``) and one ``workout_step`` per step, in order
        (``message_index`` = position): ``duration_type`` distance (``duration_distance``, m,
        0.01 m resolution), time (``duration_time``, s, 0.001 s) or open; ``target_type`` speed
        with ``custom_target_speed_low``/``_high`` (m/s, 0.001 m/s) when the step has a speed
        band, else open; ``intensity``; ``wkt_step_name`` and ``notes`` cut to 15 and 49 bytes.
        A repeat step is ``repeat_until_steps_cmplt`` with ``duration_step`` = ``repeat_of``
        and ``target_repeat_steps`` = ``repeat_count``.

    Raises
    ------
    InvalidValue
        No steps, or a step FIT cannot hold (unknown intensity or duration type, a duration
        that is not positive, a speed band with low > high, a repeat pointing forward).
    """
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import (
        FileType,
        Intensity,
        Manufacturer,
        Sport,
        WorkoutStepDuration,
        WorkoutStepTarget,
    )

    _check_steps(session)
    steps = tuple(session.steps)
    builder = FitFileBuilder(auto_define=True, min_string_size=0)

    file_id = FileIdMessage(local_id=0)
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = _serial(session, athlete)
    file_id.time_created = _fit_time_ms(created)
    builder.add(file_id)

    workout = WorkoutMessage(local_id=1)
    workout.sport = Sport.RUNNING
    # every workout_step message counts, repeat steps included, as in Garmin's workout
    # examples (fit-tool's strict validator leaves repeat steps out: not used here)
    workout.num_valid_steps = len(steps)
    wkt_name = truncate_utf8(session.title if name is None else name, FIT_WKT_NAME_BYTES)
    if wkt_name:
        workout.workout_name = wkt_name
    builder.add(workout)

    for i, step in enumerate(steps):  # a handful of steps
        msg = WorkoutStepMessage(local_id=2)
        msg.message_index = i
        step_name = truncate_utf8(step.name or "", FIT_STEP_NAME_BYTES)
        if step_name:
            msg.workout_step_name = step_name
        if step.repeat_of is not None:
            msg.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            msg.duration_step = int(step.repeat_of)
            msg.target_repeat_steps = int(step.repeat_count)
            msg.target_type = WorkoutStepTarget.OPEN  # no target of its own
        else:
            msg.duration_type = WorkoutStepDuration[STEP_DURATION_TYPES[step.duration_type]]
            if step.duration_type == "distance":
                msg.duration_distance = float(step.duration)
            elif step.duration_type == "time":
                msg.duration_time = float(step.duration)
            band = speed_band(step)
            if band is None:
                msg.target_type = WorkoutStepTarget.OPEN
            else:
                msg.target_type = WorkoutStepTarget.SPEED
                msg.target_value = 0  # 0: a custom band, not a speed zone
                msg.custom_target_speed_low = band[0]
                msg.custom_target_speed_high = band[1]
        msg.intensity = Intensity[STEP_INTENSITIES[step.intensity]]
        notes = truncate_utf8(step.notes or "", FIT_NOTES_BYTES)
        if notes:
            msg.notes = notes
        builder.add(msg)
    return builder.build().to_bytes()
