"""The per-frame measurement value: what the metrics stage hands to temporal filters, the app and exports.

Conventions (also in README):

* ``turnout_deg``: angle on the floor between the foot (heel centre -> toe tip) and the body's forward
  direction; positive = toe-out, negative = toe-in. Per side.
* ``stance_width_ratio``: distance between the two heel centres on the floor divided by hip width
  (distance between the hip joint centres). ``ankle_width_ratio`` likewise for the ankle centres.
  ``stance_width_cm`` only when a metric scale is known (body height given or paper calibration).
* ``knee_fppa_deg``: knee frontal-plane projection angle, the deviation of the knee from the straight
  hip -> ankle line seen in the body's frontal plane; positive = knee medial (valgus), negative = lateral (varus).
* ``knee_offset_ratio``: horizontal distance of the knee from the vertical plane through the foot line
  (heel -> toe), positive = medial, divided by hip width.

Every value is NaN when it cannot be trusted; ``reasons`` then says why, keyed by the field name
(``"turnout_deg.left"``, ``"stance_width_ratio"``, ...). ``held`` names, with the same keys, the values
carried over from standing rather than measured in the frame (feet planted during a knee bend, see
analyzer.temporal.planted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from analyzer.landmarks import Side


class View(str, Enum):
    """Where the camera is relative to the subject."""

    FRONTAL = "frontal"
    POSTERIOR = "posterior"
    LEFT_SAGITTAL = "left_sagittal"  # the camera sees the subject's left side
    RIGHT_SAGITTAL = "right_sagittal"
    OBLIQUE = "oblique"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            View.FRONTAL: "front view",
            View.POSTERIOR: "back view",
            View.LEFT_SAGITTAL: "left side view",
            View.RIGHT_SAGITTAL: "right side view",
            View.OBLIQUE: "angled view",
            View.UNKNOWN: "unknown view",
        }[self]


NAN = float("nan")


@dataclass(frozen=True)
class SideMetrics:
    """One leg's measurements in one frame (degrees, ratios; NaN when untrusted)."""

    turnout_deg: float = NAN
    knee_fppa_deg: float = NAN
    knee_offset_ratio: float = NAN


@dataclass(frozen=True)
class StanceMetrics:
    """All measurements of one frame.

    ``yaw_deg`` is the direction the subject faces relative to the camera: 0 = facing the camera,
    +90 = the subject's left side towards the camera, 180 = back to the camera.
    ``camera_elevation_deg`` is how far the camera looks down on the feet (angle between the
    viewing ray to the feet and the floor).
    """

    t_s: float
    view: View = View.UNKNOWN
    yaw_deg: float = NAN
    left: SideMetrics = field(default_factory=SideMetrics)
    right: SideMetrics = field(default_factory=SideMetrics)
    stance_width_ratio: float = NAN
    ankle_width_ratio: float = NAN
    stance_width_cm: float = NAN
    hip_width_m: float = NAN
    camera_elevation_deg: float = NAN
    reasons: dict[str, str] = field(default_factory=dict)
    held: frozenset[str] = frozenset()

    def side(self, side: Side) -> SideMetrics:
        return self.left if side is Side.LEFT else self.right

    def as_row(self) -> dict[str, float | str]:
        """A flat dict, one CSV row: every metric by name plus the reasons joined into one string."""
        row: dict[str, float | str] = {
            "t_s": self.t_s,
            "view": self.view.value,
            "yaw_deg": self.yaw_deg,
            "turnout_left_deg": self.left.turnout_deg,
            "turnout_right_deg": self.right.turnout_deg,
            "stance_width_ratio": self.stance_width_ratio,
            "ankle_width_ratio": self.ankle_width_ratio,
            "stance_width_cm": self.stance_width_cm,
            "knee_fppa_left_deg": self.left.knee_fppa_deg,
            "knee_fppa_right_deg": self.right.knee_fppa_deg,
            "knee_offset_left_ratio": self.left.knee_offset_ratio,
            "knee_offset_right_ratio": self.right.knee_offset_ratio,
            "hip_width_m": self.hip_width_m,
            "camera_elevation_deg": self.camera_elevation_deg,
        }
        row["reasons"] = "; ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items()))
        row["held"] = " ".join(sorted(self.held))
        return row

    @staticmethod
    def empty(t_s: float, reason: str) -> StanceMetrics:
        """A frame with no trustworthy measurement at all (e.g. no person)."""
        keys = (
            "turnout_deg.left",
            "turnout_deg.right",
            "stance_width_ratio",
            "knee_fppa_deg.left",
            "knee_fppa_deg.right",
        )
        return StanceMetrics(t_s=t_s, reasons=dict.fromkeys(keys, reason))


def is_num(x: float | None) -> bool:
    """True for a finite float."""
    return x is not None and math.isfinite(x)
