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


def supports(view: View, quantity: str) -> bool:
    return quantity in SUPPORTS[view]
