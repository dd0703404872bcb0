"""Shared fixtures: the real activity files in ../shared/data (skipped cleanly when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "activities"


def shared_manifest() -> list[dict[str, str]]:
    """Rows of ../shared/data/activities/MANIFEST.csv, or [] when the folder is absent."""
    path = SHARED / "MANIFEST.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared activity folder; skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data/activities is absent")
    return SHARED


def shared_file(name: str) -> Path:
    """Path of one shared file; skips the calling test when it is absent."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared file {name} is absent")
    return path
