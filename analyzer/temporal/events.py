"""Events over time: still windows (standing still) and squat repetitions.

Both work on plain time series (seconds, numbers) so they are easy to test with made-up sequences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analyzer.landmarks import LEG_LANDMARKS, Landmark, PoseFrame

# Landmarks whose image motion says whether a person stands still.
MOTION_LANDMARKS = LEG_LANDMARKS

STILL_SPEED = 0.08  # body heights per second: below this the legs and feet count as still
STILL_MIN_S = 1.0


@dataclass(frozen=True)
class Window:
    """A stretch of time [start_s, end_s] (inclusive frame times)."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def contains(self, t_s: float) -> bool:
        return self.start_s <= t_s <= self.end_s

    def as_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}


def body_height_px(pose: PoseFrame) -> float:
    """Nose-to-lowest-foot extent in pixels: the image scale of the person."""
    px = pose.pixels_xy
    feet = px[[Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL, Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX], 1]
    return float(max(np.max(feet) - px[Landmark.NOSE, 1], 1.0))


def leg_speed(prev: PoseFrame, cur: PoseFrame) -> float:
    """Median image speed of the leg and foot landmarks, in body heights per second."""
    dt = cur.t_s - prev.t_s
    if dt <= 0:
        return math.nan
    idx = [int(i) for i in MOTION_LANDMARKS]
    d = np.linalg.norm(cur.pixels_xy[idx] - prev.pixels_xy[idx], axis=1)
    return float(np.median(d) / body_height_px(cur) / dt)


def still_windows(
    t_s: Sequence[float] | np.ndarray, speed: Sequence[float] | np.ndarray, max_speed: float = STILL_SPEED, min_duration_s: float = STILL_MIN_S
) -> list[Window]:
    """Runs of consecutive frames whose (smoothed) speed stays below ``max_speed`` for ``min_duration_s``.

    NaN speed (no person) breaks a run.
    """
    t = np.asarray(t_s, dtype=float)
    v = np.asarray(speed, dtype=float)
    out: list[Window] = []
    start: int | None = None
    for i in range(len(t) + 1):
        still = i < len(t) and math.isfinite(v[i]) and v[i] <= max_speed
        if still and start is None:
            start = i
        elif not still and start is not None:
            end = i - 1
            if t[end] - t[start] >= min_duration_s:
                out.append(Window(float(t[start]), float(t[end])))
            start = None
    return out


@dataclass(frozen=True)
class Rep:
    """One squat repetition: start (knees begin to bend), bottom (deepest), end (back up)."""

    start_s: float
    bottom_s: float
    end_s: float
    knee_flexion_deg: float  # at the bottom


REP_ENTER_DEG = 40.0  # knee flexion that starts a rep
REP_EXIT_DEG = 20.0  # ... and ends it (hysteresis avoids double counts)
REP_MIN_DEPTH_DEG = 45.0


def find_reps(
    t_s: Sequence[float] | np.ndarray,
    knee_flexion_deg: Sequence[float] | np.ndarray,
    enter_deg: float = REP_ENTER_DEG,
    exit_deg: float = REP_EXIT_DEG,
    min_depth_deg: float = REP_MIN_DEPTH_DEG,
) -> list[Rep]:
    """Squat reps from a knee-flexion series (0 = straight). A rep starts at the last frame below
    ``exit_deg`` before flexion passes ``enter_deg`` and ends when flexion falls back below ``exit_deg``
    (or at the end of the series). Gaps (NaN) are skipped.
    """
    t = np.asarray(t_s, dtype=float)
    k = np.asarray(knee_flexion_deg, dtype=float)
    reps: list[Rep] = []
    last_low = 0
    in_rep = False
    start = bottom = 0
    for i in range(len(k)):
        if not math.isfinite(k[i]):
            continue
        if not in_rep:
            if k[i] <= exit_deg:
                last_low = i
            elif k[i] >= enter_deg:
                in_rep, start, bottom = True, last_low, i
        else:
            if k[i] > k[bottom]:
                bottom = i
            if k[i] <= exit_deg:
                if k[bottom] >= min_depth_deg:
                    reps.append(Rep(float(t[start]), float(t[bottom]), float(t[i]), float(k[bottom])))
                in_rep, last_low = False, i
    if in_rep and k[bottom] >= min_depth_deg:
        last = int(np.flatnonzero(np.isfinite(k))[-1])
        reps.append(Rep(float(t[start]), float(t[bottom]), float(t[last]), float(k[bottom])))
    return reps
