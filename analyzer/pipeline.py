"""Wiring: files (``analyze_video``, ``analyze_image``, ``analyze_file``) and live frames (``LiveSession``).

This is the Python API behind the command line and the app. It returns the same results the CLI writes,
without touching the disk unless asked (``Analysis.write``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.landmarks import PoseFrame
from analyzer.stance import StanceMetrics

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of one analysis.

    model: "full" (default) or "heavy". model_path: explicit .task file or folder (else ANALYZER_MODEL_DIR, cache).
    body_height_cm: the subject's height, gives centimetres. hfov_deg: the camera's horizontal field of view
    if known (else a prior). max_long_side: frames are scaled down to this long side before analysis.
    annotate: write the annotated video.
    """

    model: str = "full"
    model_path: str | Path | None = None
    body_height_cm: float | None = None
    hfov_deg: float | None = None
    max_long_side: int = 1280
    annotate: bool = True

    def __post_init__(self) -> None:
        if self.model not in ("full", "heavy"):
            raise ValueError(f"model must be 'full' or 'heavy', got {self.model!r}")
        if self.body_height_cm is not None and not 80 <= self.body_height_cm <= 250:
            raise ValueError(f"body height must be between 80 and 250 cm, got {self.body_height_cm}")
        if self.hfov_deg is not None and not 20 <= self.hfov_deg <= 150:
            raise ValueError(f"horizontal field of view must be between 20 and 150 deg, got {self.hfov_deg}")
        if self.max_long_side < 160:
            raise ValueError("max_long_side must be at least 160 px")


@dataclass(frozen=True)
class FrameRecord:
    """One analysed frame: the followed person's pose (None if nobody), the raw and smoothed metrics."""

    index: int
    t_s: float
    people: int
    pose: PoseFrame | None
    raw: StanceMetrics
    smooth: StanceMetrics


@dataclass
class Analysis:
    """The result of analysing one file.

    ``summary`` follows docs/SUMMARY.md (with ``findings`` and ``exercises`` added by the feedback stage);
    ``records`` has one entry per decoded frame; ``annotated_path`` is the H.264 video (a temp file) or None.
    """

    summary: dict[str, Any]
    records: list[FrameRecord] = field(default_factory=list)
    annotated_path: Path | None = None
    annotated_image: np.ndarray | None = None  # for stills: the annotated RGB image

    def rows(self) -> list[dict[str, Any]]:
        """frames.csv rows: frame index, people count, every metric (raw and smoothed)."""
        raise NotImplementedError

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write summary.json, frames.csv and annotated.mp4 (or annotated.jpg) into out_dir, atomically."""
        raise NotImplementedError


def analyze_video(
    path: str | Path,
    options: AnalysisOptions | None = None,
    *,
    estimator: Any = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Analyse a video file. Raises analyzer.errors.InputError / ModelError with a one-line message."""
    raise NotImplementedError


def analyze_image(path: str | Path, options: AnalysisOptions | None = None, *, estimator: Any = None) -> Analysis:
    """Analyse a still photo."""
    raise NotImplementedError


def analyze_file(
    path: str | Path,
    options: AnalysisOptions | None = None,
    *,
    estimator: Any = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Dispatch on the file type: images to analyze_image, everything else to analyze_video."""
    raise NotImplementedError


@dataclass(frozen=True)
class LiveFrame:
    """What the live page shows for one camera frame."""

    annotated_rgb: np.ndarray
    metrics: StanceMetrics  # smoothed (One Euro) for display
    raw: StanceMetrics
    pose: PoseFrame | None
    people: int
    cues: tuple[str, ...]


class LiveSession:
    """Per-frame analysis of a live stream with jitter filtering; one per camera connection."""

    def __init__(self, options: AnalysisOptions | None = None, *, estimator: Any = None, mirror: bool = False) -> None:
        raise NotImplementedError

    def process(self, rgb: np.ndarray, t_s: float) -> LiveFrame:
        raise NotImplementedError
