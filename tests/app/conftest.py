"""Fixtures for the app tests: the shared clips and model (../shared from the project root), test media."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from apphelpers import JOG_CLIP, MODEL_FILES, STANDING_CLIP, make_mp4, model_dir


@pytest.fixture(scope="session")
def real_model() -> Path:
    """The real pose model folder; sets ANALYZER_MODEL_DIR for the code under test. Skips when absent."""
    folder = model_dir()
    missing = [folder / name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"pose model not found: {missing[0]}")
    os.environ["ANALYZER_MODEL_DIR"] = str(folder)
    return folder


def clip(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"clip not found: {path}")
    return path


@pytest.fixture(scope="session")
def standing_clip() -> Path:
    return clip(STANDING_CLIP)


@pytest.fixture(scope="session")
def jog_clip() -> Path:
    return clip(JOG_CLIP)


@pytest.fixture(scope="session")
def short_standing_mp4(standing_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 4 s of the standing clip at 640x360 (made at test time, never committed)."""
    return make_mp4(standing_clip, tmp_path_factory.mktemp("media") / "standing_4s.mp4", seconds=4.0)


@pytest.fixture(autouse=True)
def own_records_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every app test gets a records file of its own (the Live page's check result reads the records
    to offer saving), never the user's own; tests that fill it take this fixture by name."""
    path = tmp_path / "own_records.sqlite3"
    monkeypatch.setenv("STANCE_RECORDS", str(path))
    return path
