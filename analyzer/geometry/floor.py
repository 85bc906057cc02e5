"""A running estimate of the floor's orientation (the "up" vector in the camera frame).

The floor does not move while the camera is still (and panning about the vertical keeps it too), so
the body's vertical is pooled over the frames where the person stands upright on both feet with straight
legs; squats, steps and a leg held up then use that pooled floor instead of their own tilted body axis.
"""

from __future__ import annotations

import numpy as np

from analyzer.geometry.camera import body_up, is_upright, leg_straightness, lifted_foot
from analyzer.landmarks import PoseFrame
from analyzer.temporal.filters import RunningMedian

# A frame counts as "standing" when the knees are within this of the straightest seen so far (MediaPipe's
# 3D legs rarely read fully straight: 20-30 deg of flexion is common for a standing person), and never
# when bent more than MAX_STANDING_FLEXION_DEG.
STANDING_MARGIN_DEG = 12.0
MAX_STANDING_FLEXION_DEG = 40.0
# Nor when the body is not upright (geometry.camera.is_upright) or a foot is off the floor. Straight legs
# alone let a man standing on one leg vote: on the real balance clip the pooled floor then tilted 22-26
# deg from the front three-quarter camera and stayed there after he was back on both feet.


class FloorTracker:
    """``update(pose) -> up`` (unit vector, camera frame, negative y) or None until a standing frame was seen."""

    def __init__(self, history: int = 150) -> None:
        self._median = RunningMedian(history)
        self._least_flexion = float("inf")
        self.standing = False  # whether the last frame given to update() was a standing one

    def is_standing(self, pose: PoseFrame) -> bool:
        """True when the body is upright (geometry.camera.is_upright) with both feet on the floor as pooled
        so far (geometry.camera.lifted_foot), and the legs about as straight as this person's straightest
        upright frame so far."""
        if not is_upright(pose):
            return False
        floor = self.value
        if floor is not None and lifted_foot(pose, floor) is not None:
            return False
        flexion = 180.0 - leg_straightness(pose)
        self._least_flexion = min(self._least_flexion, flexion)
        return flexion <= min(self._least_flexion + STANDING_MARGIN_DEG, MAX_STANDING_FLEXION_DEG)

    def update(self, pose: PoseFrame | None) -> np.ndarray | None:
        self.standing = pose is not None and self.is_standing(pose)
        if pose is not None and self.standing:
            up = body_up(pose)
            if up is not None:
                self._median.update(-up if up[1] > 0 else up)
        return self.value

    @property
    def value(self) -> np.ndarray | None:
        v = self._median.value
        if v is None:
            return None
        n = float(np.linalg.norm(v))
        return v / n if n > 1e-9 else None

    @property
    def samples(self) -> int:
        return len(self._median)
