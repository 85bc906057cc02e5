"""Which way the subject faces the camera, and what each view can support.

``yaw_deg``: 0 = facing the camera, +90 = the subject's left side towards the camera, +/-180 = back to it.
"""

from __future__ import annotations

import math

from analyzer.stance import View

FRONTAL_MAX_DEG = 25.0
SAGITTAL_MIN_DEG = 65.0
SAGITTAL_MAX_DEG = 115.0
POSTERIOR_MIN_DEG = 155.0
# The knee's frontal-plane angle is read from the 2D image plus MediaPipe's depth, and the depth carries
# more of it the further the body is turned. Its MAE on the synthetic TRAIN stills by the estimated turn,
# flip-averaged (read once): 2.0 (1.9) deg at 0-3 deg, 2.7 (2.8) at 3-6, 2.3 (3.0) at 6-9, 3.0 (3.6) at
# 9-12, 4.3 (4.9) at 12-15, 5.3 (5.0) at 15-20 (python -m benchmarks.calibrate --fppa-turn). Beyond 12 deg
# it exceeds the 2-4 deg standard error of 2D video against motion capture (Gwynne & Curran 2014), so it
# is not reported there. (It was 15 until the table was read in 3 deg steps.)
FPPA_MAX_TURN_DEG = 12.0

# What each view supports. Turnout and width need the floor seen from the front, back or an angle;
# the knee's frontal-plane angle needs the frontal plane roughly facing the camera.
SUPPORTS = {
    View.FRONTAL: {"turnout", "width", "knee"},
    View.POSTERIOR: {"turnout", "width", "knee"},
    View.OBLIQUE: {"turnout", "width"},
    View.LEFT_SAGITTAL: set(),
    View.RIGHT_SAGITTAL: set(),
    View.UNKNOWN: set(),
}

UNSUPPORTED_REASON = {
    "turnout": "side view: turnout needs a front, back or angled view",
    "width": "side view: stance width needs a front, back or angled view",
    "knee": "knee alignment needs a front or back view",
}
FPPA_TURN_REASON = f"knee angle needs the body square to the camera (within {FPPA_MAX_TURN_DEG:.0f} deg): see knee offset"


def classify_yaw(yaw_deg: float) -> View:
    """Map a facing angle to a view class (thresholds above)."""
    if not math.isfinite(yaw_deg):
        return View.UNKNOWN
    yaw = ((yaw_deg + 180.0) % 360.0) - 180.0
    a = abs(yaw)
    if a <= FRONTAL_MAX_DEG:
        return View.FRONTAL
    if a >= POSTERIOR_MIN_DEG:
        return View.POSTERIOR
    if SAGITTAL_MIN_DEG <= a <= SAGITTAL_MAX_DEG:
        return View.LEFT_SAGITTAL if yaw > 0 else View.RIGHT_SAGITTAL
    return View.OBLIQUE


def turn_from_axis_deg(yaw_deg: float) -> float:
    """How far the body is turned from facing the camera or turning its back to it (0..90)."""
    a = abs(((yaw_deg + 180.0) % 360.0) - 180.0)
    return min(a, 180.0 - a)


def supports(view: View, quantity: str) -> bool:
    return quantity in SUPPORTS[view]
