"""Findings and the corrective exercise plan: pure computation over the analysis summary.

Public API (names are a contract with the CLI, the app and reports):

* :func:`load_catalogue` / :func:`load_thresholds`: the validated data files (packaged or a given path).
* :func:`build_plan`: findings + ranked exercises for a summary dict (docs/SUMMARY.md).
* :func:`apply_feedback`: a copy of the summary with ``findings`` and ``exercises`` added.
* :func:`render_text`: the plan as plain text for the command line.
* :func:`illustration_path`: the SVG drawing of an exercise.

This package imports only the standard library (no cv2, mediapipe or streamlit).
"""

from __future__ import annotations

from pathlib import Path

from analyzer.feedback._config import FeedbackConfigError
from analyzer.feedback.catalogue import (
    Catalogue,
    CatalogueError,
    Dose,
    Exercise,
    Position,
    load_catalogue,
)
from analyzer.feedback.kinds import FindingKind, Severity
from analyzer.feedback.plan import DISCLAIMER, Plan, PlannedExercise, apply_feedback, build_plan
from analyzer.feedback.render import render_text
from analyzer.feedback.rules import ExerciseLink, Finding, Measurement
from analyzer.feedback.thresholds import Thresholds, ThresholdsError, load_thresholds

ILLUSTRATIONS_DIR = Path(__file__).with_name("illustrations")


def illustration_path(exercise_id: str) -> Path:
    """Path of the exercise's SVG drawing (``illustrations/<id>.svg``); raises FileNotFoundError if absent."""
    path = ILLUSTRATIONS_DIR / f"{exercise_id}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no illustration for exercise {exercise_id!r} (looked for {path})")
    return path


__all__ = [
    "DISCLAIMER",
    "Catalogue",
    "CatalogueError",
    "Dose",
    "Exercise",
    "ExerciseLink",
    "FeedbackConfigError",
    "Finding",
    "FindingKind",
    "Measurement",
    "Plan",
    "PlannedExercise",
    "Position",
    "Severity",
    "Thresholds",
    "ThresholdsError",
    "apply_feedback",
    "build_plan",
    "illustration_path",
    "load_catalogue",
    "load_thresholds",
    "render_text",
]
