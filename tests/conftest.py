"""Shared fixtures. Real resources live in ../shared (models, clips); tests that need them skip by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MODELS = SHARED / "models"
CLIPS = SHARED / "clips"

# Tests use the local model folder (no download): the same setting a user gives with ANALYZER_MODEL_DIR.
if "ANALYZER_MODEL_DIR" not in os.environ and (MODELS / "pose_landmarker_full.task").is_file():
    os.environ["ANALYZER_MODEL_DIR"] = str(MODELS)


def need(path: Path) -> Path:
    """Skip the calling test when ``path`` is missing, naming it."""
    if not path.exists():
        pytest.skip(f"needs {path} (the shared folder next to the project)")
    return path


@pytest.fixture
def model_dir() -> Path:
    return need(MODELS / "pose_landmarker_full.task").parent


@pytest.fixture
def clip():
    def get(rel: str) -> Path:
        need(MODELS / "pose_landmarker_full.task")
        return need(CLIPS / rel)

    return get
