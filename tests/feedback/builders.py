"""Builders for synthetic summaries shaped like docs/SUMMARY.md (schema version 1)."""

from __future__ import annotations

from typing import Any


def stat(
    median: float | None, uncertainty: float | None = 1.0, n: int = 120, reason: str | None = None
) -> dict:
    """A STAT object; ``uncertainty=1.0`` by default keeps values clear of the lines unless a test says so."""
    return {"median": median, "iqr": 1.0, "sd": 0.8, "n": n, "uncertainty": uncertainty, "reason": reason}


def summary(
    *,
    turnout: tuple[float | None, float | None] = (8.0, 8.0),
    width: float | None = 1.0,
    fppa: tuple[float | None, float | None] = (2.0, 2.0),
    uncertainty: float = 1.0,
    width_uncertainty: float = 0.01,
    reps: list[dict[str, Any]] | None = None,
    activity: str = "standing",
    view: str = "frontal",
) -> dict[str, Any]:
    """A typical, unremarkable standing summary; override one value at a time in each test.

    Defaults: 8 deg toe-out (inside the 5-13 deg walking range), heels at hip width (ratio 1.0),
    2 deg FPPA (well inside every profile's band), uncertainty 1 deg / 0.01 (so nothing is borderline).
    """
    return {
        "schema_version": 1,
        "view": view,
        "activity": activity,
        "metrics": {
            "turnout_deg": {"left": stat(turnout[0], uncertainty), "right": stat(turnout[1], uncertainty)},
            "stance_width_ratio": stat(width, width_uncertainty),
            "ankle_width_ratio": stat(width, width_uncertainty),
            "stance_width_cm": stat(None, None, reason="no scale"),
            "knee_fppa_deg": {"left": stat(fppa[0], uncertainty), "right": stat(fppa[1], uncertainty)},
            "knee_offset_ratio": {"left": stat(0.0, 0.05), "right": stat(0.0, 0.05)},
        },
        "reps": reps or [],
        "steps": [],
        "warnings": [],
    }


def rep(index: int, bottom: tuple[float, float], standing: tuple[float, float]) -> dict[str, Any]:
    return {
        "index": index,
        "start_s": index * 2.0,
        "bottom_s": index * 2.0 + 1.0,
        "end_s": index * 2.0 + 2.0,
        "depth_ratio": 0.4,
        "knee_fppa_deg": {"left": bottom[0], "right": bottom[1]},
        "knee_fppa_standing_deg": {"left": standing[0], "right": standing[1]},
        "knee_offset_ratio": {"left": 0.0, "right": 0.0},
    }
