"""Planted feet: the standing foot measurements carried through a knee bend while the feet stay put.

Seen from the front in a squat, the shins and knees cover the feet and MediaPipe's toe points wander:
on the real squat clips the per-frame turnout rose by 8-12 deg at mid-depth (and the heel-to-heel width
by 15%) while the feet did not move. A person bending the knees in place keeps the feet where they
were, so while the knees are bent and a heel stays within ``radius`` hip widths (in the image) of
where it stood, that foot's turnout is its standing value, and the stance width too when both heels
stay. Held values are listed in ``StanceMetrics.held``. A foot that moves (a step, a pivot about the
toes) is measured again; a foot with no measurement in the frame (hidden, out of view) stays NaN. A foot
seen off the floor loses its reference: it may come down turned (on the real balance clip his left foot
read 10-12 deg before a leg swing and -9 to +7 after it).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from analyzer.landmarks import LEG, Landmark, PoseFrame, Side
from analyzer.stance import StanceMetrics
from analyzer.temporal.filters import RunningMedian

# How far a heel may move in the image, in hip widths, and still count as planted. On the real squat
# clips planted heels moved up to 0.31 hip widths (landmark wander, phone shake); a step moves a heel
# by more than a hip width.
PLANTED_RADIUS = 0.5
STANDING_HISTORY = 30  # standing frames pooled for the reference (1 s at 30 fps)
_WIDTH_FIELDS = ("stance_width_ratio", "ankle_width_ratio", "stance_width_cm")


class PlantedFeet:
    """``update(metrics, pose, standing) -> metrics`` with held foot measurements while bent in place."""

    def __init__(self, radius: float = PLANTED_RADIUS, history: int = STANDING_HISTORY) -> None:
        if radius <= 0 or history < 1:
            raise ValueError("radius must be positive and history at least 1")
        self.radius = radius
        self.history = history
        self._turnout = {s: RunningMedian(history) for s in Side}
        self._heel_px = {s: RunningMedian(history) for s in Side}
        self._widths = {f: RunningMedian(history) for f in _WIDTH_FIELDS}
        self._hip_px = RunningMedian(history)

    def update(
        self, metrics: StanceMetrics, pose: PoseFrame | None, standing: bool, lifted: Side | None = None
    ) -> StanceMetrics:
        """``lifted``: the foot seen off the floor in this frame (geometry.camera.lifted_foot), if any. It
        may come down turned or elsewhere, so its standing reference (and the width's) starts again."""
        if lifted is not None:
            self._forget(lifted)
        if pose is None:
            return metrics
        px = pose.pixels_xy
        heel = {s: np.asarray(px[LEG[s].heel], dtype=float) for s in Side}
        if standing:
            self._learn(metrics, heel, float(np.linalg.norm(px[Landmark.LEFT_HIP] - px[Landmark.RIGHT_HIP])))
            return metrics
        hip = self._hip_px.value
        if hip is None or not hip[0] > 0:
            return metrics
        planted = {s: self._near(s, heel[s], float(hip[0])) for s in Side}
        held = set(metrics.held)
        sides = {}
        for side in Side:
            m = metrics.side(side)
            ref = self._turnout[side].value
            if planted[side] and ref is not None and math.isfinite(m.turnout_deg):
                m = replace(m, turnout_deg=float(ref[0]))
                held.add(f"turnout_deg.{side.value}")
            sides[side] = m
        out = replace(metrics, left=sides[Side.LEFT], right=sides[Side.RIGHT])
        if all(planted.values()):
            widths: dict[str, Any] = {}
            for f in _WIDTH_FIELDS:
                ref = self._widths[f].value
                if ref is not None and math.isfinite(getattr(metrics, f)):
                    widths[f] = float(ref[0])
                    held.add(f)
            out = replace(out, **widths)
        return replace(out, held=frozenset(held))

    def _learn(self, metrics: StanceMetrics, heel: dict[Side, np.ndarray], hip_px: float) -> None:
        if hip_px > 0:
            self._hip_px.update(np.array([hip_px]))
        hip = self._hip_px.value
        for side in Side:
            if not math.isfinite(metrics.side(side).turnout_deg):
                continue
            if hip is not None and not self._near(side, heel[side], float(hip[0])):
                # Standing somewhere else now: start this foot's reference again.
                self._turnout[side] = RunningMedian(self.history)
                self._heel_px[side] = RunningMedian(self.history)
            self._turnout[side].update(np.array([metrics.side(side).turnout_deg]))
            self._heel_px[side].update(heel[side])
        for f in _WIDTH_FIELDS:
            self._widths[f].update(np.array([getattr(metrics, f)]))

    def _forget(self, side: Side) -> None:
        self._turnout[side] = RunningMedian(self.history)
        self._heel_px[side] = RunningMedian(self.history)
        self._widths = {f: RunningMedian(self.history) for f in _WIDTH_FIELDS}

    def _near(self, side: Side, heel: np.ndarray, hip_px: float) -> bool:
        ref = self._heel_px[side].value
        if ref is None or not np.all(np.isfinite(heel)):
            return False
        return float(np.linalg.norm(heel - ref)) <= self.radius * hip_px
