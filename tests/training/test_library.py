"""The drill library: content of the built-in TOML and validation of library files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kicklab.errors import InvalidValue
from kicklab.training.library import KINDS, LEVELS, QUALITIES, Dosage, Drill, load_library

#: The techniques the issue names, by the id they carry in the library.
SEED_IDS = {
    "arm-drive": "pumping the arms linearly",
    "high-knees": "high knees",
    "straight-leg-bounds": "straight-leg raises (bounds)",
    "core-engagement": "core engagement",
    "single-leg-hops": "single-leg hops",
    "split-squat-jumps": "split-squat jumps",
    "strides": "consistent form practice",
    "kick-timing": "consistent kick-timing practice",
    "finish-visualisation": "visualising the finish",
    "crowd-rehearsal": "using the crowd",
}
#: Kick-specific sessions coaches use.
SESSION_IDS = (
    "fast-finish-run",
    "cut-down-repeats",
    "sit-and-kick-300",
    "flying-30s",
    "hill-sprints",
    "strides",
    "cs-intervals",
    "d-prime-depletion-sprint",
    "race-pace-reps",
    "speed-reserve-150s",
)

VALID = """
[[drill]]
id = "test-drill"
name = "Test drill"
kind = "drill"
purpose = "A drill for the tests."
qualities = ["form"]
cues = ["Stand tall"]
progression = "More."
cautions = "None."
hard = false

[drill.dosage]
sets = 2
reps = 3
distance_m = 20.0
rest_s = 30.0
text = "2 × 3 × 20 m"

[[drill]]
id = "second"
name = "Second"
kind = "run"
purpose = "Another."
qualities = ["aerobic", "timing"]
cues = ["Relax"]
hard = true
min_level = "advanced"

[drill.dosage]
duration_s = 600.0
"""


@pytest.fixture(scope="module")
def library() -> dict[str, Drill]:
    return load_library()


# ------------------------------------------------------------------------ built-in content
def test_builtin_size_and_types(library: dict[str, Drill]) -> None:
    assert 25 <= len(library) <= 40
    for ident, d in library.items():
        assert d.id == ident
        assert re.fullmatch(r"[a-z0-9-]+", ident)
        assert d.kind in KINDS
        assert d.min_level in LEVELS
        assert isinstance(d.dosage, Dosage)
        assert d.dosage.sets >= 1 and d.dosage.reps >= 1
        assert d.purpose.strip() and d.progression.strip() and d.cautions.strip()
        assert d.source.strip(), ident
        assert d.dosage.text.strip(), ident


def test_every_quality_is_trained(library: dict[str, Drill]) -> None:
    trained = {q for d in library.values() for q in d.qualities}
    assert trained == set(QUALITIES)
    # and by more than a single entry each
    for q in QUALITIES:
        assert sum(q in d.qualities for d in library.values()) >= 2, q


def test_seed_techniques_and_kick_sessions_present(library: dict[str, Drill]) -> None:
    missing = [i for i in (*SEED_IDS, *SESSION_IDS) if i not in library]
    assert missing == []
    assert library["arm-drive"].qualities[0] == "form"
    assert "mental" in library["finish-visualisation"].qualities
    assert library["crowd-rehearsal"].kind == "mental"
    assert "timing" in library["kick-timing"].qualities
    assert "step_length" in library["split-squat-jumps"].qualities


def test_cues_are_specific(library: dict[str, Drill]) -> None:
    for ident in SEED_IDS:
        d = library[ident]
        assert len(d.cues) >= 3, ident
        assert all(len(c) >= 10 for c in d.cues), ident


def test_plyometric_progression(library: dict[str, Drill]) -> None:
    plyo = {i: d for i, d in library.items() if d.kind == "plyometric"}
    assert len(plyo) >= 4
    assert all(d.hard for d in plyo.values())  # plyometric sessions count as hard
    levels = {d.min_level for d in plyo.values()}
    assert levels == set(LEVELS)  # a beginner entry, intermediate ones, an advanced one
    assert library["pogo-jumps"].min_level == "beginner"
    assert library["pogo-jumps"].dosage.contacts <= 40


def test_hard_flags(library: dict[str, Drill]) -> None:
    for ident in ("flying-30s", "hill-sprints", "cs-intervals", "sit-and-kick-300"):
        assert library[ident].hard, ident
    for ident in ("easy-run", "long-run", "strides", "arm-drive", "core-engagement"):
        assert not library[ident].hard, ident
    assert all(not d.hard for d in library.values() if d.kind in ("drill", "mental", "strength"))


def test_load_returns_a_new_dict(library: dict[str, Drill]) -> None:
    again = load_library()
    again.pop("arm-drive")
    assert "arm-drive" in load_library()
    assert load_library()["flying-30s"] == library["flying-30s"]


def test_dosage_contacts() -> None:
    assert Dosage(sets=3, reps=8).contacts == 24


# ------------------------------------------------------------------------ validation
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lib.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_custom_library(tmp_path: Path) -> None:
    lib = load_library(_write(tmp_path, VALID))
    assert list(lib) == ["test-drill", "second"]
    d = lib["test-drill"]
    assert d.dosage == Dosage(sets=2, reps=3, distance_m=20.0, rest_s=30.0, text="2 × 3 × 20 m")
    assert d.min_level == "beginner" and d.hard is False and d.cues == ("Stand tall",)
    assert lib["second"].qualities == ("aerobic", "timing")
    assert lib["second"].dosage.duration_s == 600.0 and lib["second"].min_level == "advanced"


BROKEN = [
    (
        "hard = false\n\n[drill.dosage]\nsets = 2",
        'hard = false\ncolour = "red"\n\n[drill.dosage]\nsets = 2',
        "test-drill",
        "unknown key",
    ),
    (
        "hard = false\n\n[drill.dosage]\nsets = 2",
        'hard = "no"\n\n[drill.dosage]\nsets = 2',
        "test-drill",
        "true or false",
    ),
    ('qualities = ["form"]', 'qualities = ["speed"]', "test-drill", "unknown quality"),
    ('qualities = ["form"]', "qualities = []", "test-drill", "must not be empty"),
    ('qualities = ["form"]', 'qualities = "form"', "test-drill", "list"),
    ('id = "second"', 'id = "test-drill"', "test-drill", "appears twice"),
    ("rest_s = 30.0", "rest_s = -30.0", "test-drill", "negative"),
    ("duration_s = 600.0", "duration_s = -1.0", "second", "negative"),
    ("sets = 2", "sets = 0", "test-drill", "at least 1"),
    ("reps = 3", "reps = 2.5", "test-drill", "whole number"),
    ("distance_m = 20.0", 'distance_m = "20 m"', "test-drill", "number"),
    ("rest_s = 30.0", "rest_s = 30.0\npace = 3", "test-drill", "unknown dosage key"),
    ('kind = "run"', 'kind = "swim"', "second", "kind"),
    ('min_level = "advanced"', 'min_level = "elite"', "second", "min_level"),
    ('purpose = "Another."\n', "", "second", "missing key"),
    ('cues = ["Relax"]', "cues = [1, 2]", "second", "cues"),
]


@pytest.mark.parametrize(("old", "new", "ident", "words"), BROKEN)
def test_invalid_library_names_file_and_drill(
    tmp_path: Path, old: str, new: str, ident: str, words: str
) -> None:
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(InvalidValue) as err:
        load_library(path)
    assert err.value.source == str(path)
    assert f"'{ident}'" in err.value.reason
    assert words in err.value.reason
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[drill]\nid = ", "not valid TOML"),
        ('title = "x"\n', "unknown top-level"),
        ("", "no [[drill]] entries"),
        ('[[drill]]\nname = "no id"\n', "missing or empty id"),
        ('[[drill]]\nid = "Bad Id"\n', "slug"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InvalidValue, match=re.escape(words)) as err:
        load_library(path)
    assert err.value.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="cannot read") as err:
        load_library(tmp_path / "absent.toml")
    assert err.value.source == str(tmp_path / "absent.toml")


@settings(max_examples=25, deadline=None)
@given(
    key=st.sampled_from(["distance_m", "duration_s", "rest_s", "set_rest_s"]),
    value=st.floats(max_value=-1e-6, min_value=-1e6, allow_nan=False),
)
def test_any_negative_dosage_is_refused(key: str, value: float) -> None:
    import tempfile

    body = VALID.replace(
        "[drill.dosage]\nsets = 2\nreps = 3\ndistance_m = 20.0\nrest_s = 30.0",
        "[drill.dosage]\nsets = 2\nreps = 3",
        1,
    )
    body = body.replace(
        "[drill.dosage]\nsets = 2\nreps = 3",
        f"[drill.dosage]\nsets = 2\nreps = 3\n{key} = {value!r}",
        1,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), body)
        with pytest.raises(InvalidValue) as err:
            load_library(path)
    assert "'test-drill'" in err.value.reason and key in err.value.reason
