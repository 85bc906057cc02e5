"""A running estimate of the floor's orientation (the "up" vector in the camera frame).

The floor does not move while the camera is still (and panning about the vertical keeps it too), so
the body's vertical is pooled over the frames where the person stands with straight legs; squats and
steps then use that pooled floor instead of their own tilted body axis.
"""

from __future__ import annotations

import numpy as np

from analyzer.geometry.camera import body_up, leg_straightness
from analyzer.landmarks import PoseFrame
from analyzer.temporal.filters import RunningMedian

STRAIGHT_KNEE_DEG = 160.0


class FloorTracker:
    """``update(pose) -> up`` (unit vector, camera frame, negative y) or None until a standing frame was seen."""

    def __init__(self, history: int = 150, straight_knee_deg: float = STRAIGHT_KNEE_DEG) -> None:
        self._median = RunningMedian(history)
        self.straight_knee_deg = straight_knee_deg

    def update(self, pose: PoseFrame | None) -> np.ndarray | None:
        if pose is not None and leg_straightness(pose) >= self.straight_knee_deg:
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
