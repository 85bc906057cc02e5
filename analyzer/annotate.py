"""Drawing the overlay: skeleton, each foot's line on the floor with its turnout, stance width, knee lines.

``annotate`` never changes the caller's image: it draws on and returns a copy.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from analyzer.feedback.thresholds import KneeThresholds, load_thresholds
from analyzer.landmarks import LEG, SKELETON_EDGES, PoseFrame, Side
from analyzer.stance import StanceMetrics

# RGB colours
SIDE_COLOUR = {Side.LEFT: (60, 160, 255), Side.RIGHT: (255, 150, 40)}
SKELETON = (235, 235, 235)
GOOD = (70, 200, 90)
INSIDE = (240, 60, 60)  # knee medial of the foot
OUTSIDE = (190, 90, 240)  # knee lateral of the foot
UNKNOWN = (150, 150, 150)


@dataclass(frozen=True)
class FootOverlay:
    """Pixels of one foot's floor line: heel, toe, a point further along the foot, and straight ahead."""

    heel_px: np.ndarray
    toe_px: np.ndarray
    ahead_px: np.ndarray
    forward_px: np.ndarray


@dataclass(frozen=True)
class Overlay:
    """What to draw besides the metrics: the pose and the feet lines (None where not measurable)."""

    pose: PoseFrame | None
    feet: dict[Side, FootOverlay | None]


@functools.lru_cache(maxsize=1)
def _knee_thresholds() -> KneeThresholds:
    return load_thresholds().knee


def knee_colour(metrics: StanceMetrics, side: Side, thresholds: KneeThresholds | None = None) -> tuple[int, int, int]:
    """Green when the knee stays over the foot, red when inside (medial), violet when outside.

    Uses the same lines as the findings (analyzer/feedback/thresholds.toml, "mild" step): the knee's
    frontal-plane angle where it is defined, else the knee-over-foot offset (deep squats).
    """
    k = thresholds or _knee_thresholds()
    m = metrics.side(side)
    if math.isfinite(m.knee_fppa_deg):
        value, inside, outside = m.knee_fppa_deg, k.valgus.mild, k.varus.mild
    elif math.isfinite(m.knee_offset_ratio):
        value, inside, outside = m.knee_offset_ratio, k.offset_medial.mild, k.offset_lateral.mild
    else:
        return UNKNOWN
    if value >= inside:
        return INSIDE
    if -value >= outside:
        return OUTSIDE
    return GOOD


def mirrored(overlay: Overlay, width: int) -> Overlay:
    """The overlay for a horizontally flipped picture (landmark names unchanged: sides stay the subject's)."""
    pose = overlay.pose
    if pose is not None:
        xy = pose.image_xy.copy()
        xy[:, 0] = 1.0 - xy[:, 0]
        pose = replace(pose, image_xy=xy)

    def flip(p: np.ndarray) -> np.ndarray:
        return np.array([width - 1 - p[0], p[1]])

    feet = {
        side: None if f is None else FootOverlay(flip(f.heel_px), flip(f.toe_px), flip(f.ahead_px), flip(f.forward_px))
        for side, f in overlay.feet.items()
    }
    return Overlay(pose, feet)


def scaled(overlay: Overlay, factor: float) -> Overlay:
    """The overlay for the picture enlarged ``factor`` times (each pixel position times ``factor``)."""
    pose = overlay.pose
    if pose is not None:
        w, h = pose.size_wh
        pose = replace(pose, size_wh=(round(w * factor), round(h * factor)))
    feet = {
        side: None
        if f is None
        else FootOverlay(f.heel_px * factor, f.toe_px * factor, f.ahead_px * factor, f.forward_px * factor)
        for side, f in overlay.feet.items()
    }
    return Overlay(pose, feet)


# The numbers panel is laid out for a picture at least this many pixels on its short side.
PANEL_SHORT_SIDE_PX = 480


def annotate_photo(rgb: np.ndarray, overlay: Overlay, metrics: StanceMetrics | None) -> np.ndarray:
    """:func:`annotate` for a photo: one whose short side is under PANEL_SHORT_SIDE_PX (a small or tightly cut
    picture) is first enlarged to it, so the numbers panel fits inside and reads. Videos keep their frame
    size (their writer's)."""
    h, w = rgb.shape[:2]
    factor = PANEL_SHORT_SIDE_PX / min(w, h)
    if factor <= 1.0:
        return annotate(rgb, overlay, metrics)
    size = (round(w * factor), round(h * factor))
    big = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
    return annotate(big, scaled(overlay, size[0] / w), metrics)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _ok(*pts: np.ndarray) -> bool:
    return all(np.all(np.isfinite(p)) for p in pts)


def _fmt(v: float, unit: str = "", signed: bool = False, digits: int = 0) -> str:
    if not math.isfinite(v):
        return "--"
    return f"{v:+.{digits}f}{unit}" if signed else f"{v:.{digits}f}{unit}"


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int], thick: int) -> None:
    """Outlined text, moved inside the image if it would run off an edge."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick + 3)
    h, w = img.shape[:2]
    org = (min(max(0, org[0]), max(0, w - tw - 2)), min(max(th + 2, org[1]), max(th + 2, h - base - 2)))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def annotate(rgb: np.ndarray, overlay: Overlay, metrics: StanceMetrics | None, cues: tuple[str, ...] = ()) -> np.ndarray:
    """Return a copy of ``rgb`` with the overlay, a numbers panel and the first cue drawn on it."""
    img = rgb.copy()
    h, w = img.shape[:2]
    unit_px = max(1.0, min(w, h) / 480.0)
    thick = max(1, int(round(1.5 * unit_px)))
    pose = overlay.pose
    if pose is not None:
        px = pose.pixels_xy
        conf = np.minimum(pose.visibility, pose.presence)
        for a, b in SKELETON_EDGES:
            if conf[a] > 0.3 and conf[b] > 0.3:
                cv2.line(img, _pt(px[a]), _pt(px[b]), SKELETON, thick, cv2.LINE_AA)
        if metrics is not None:
            for side in Side:
                leg = LEG[side]
                colour = knee_colour(metrics, side)
                pts = [px[leg.hip], px[leg.knee], px[leg.ankle]]
                cv2.polylines(img, [np.array([_pt(p) for p in pts], dtype=np.int32)], False, colour, thick + 2, cv2.LINE_AA)
                cv2.circle(img, _pt(px[leg.knee]), int(4 * unit_px), colour, -1, cv2.LINE_AA)
    for side, foot in overlay.feet.items():
        if foot is None or not _ok(foot.heel_px, foot.toe_px, foot.ahead_px):
            continue
        colour = SIDE_COLOUR[side]
        if _ok(foot.forward_px):
            cv2.line(img, _pt(foot.heel_px), _pt(foot.forward_px), (255, 255, 255), max(1, thick - 1), cv2.LINE_AA)
        cv2.line(img, _pt(foot.heel_px), _pt(foot.ahead_px), colour, thick + 1, cv2.LINE_AA)
        cv2.circle(img, _pt(foot.heel_px), int(3 * unit_px), colour, -1, cv2.LINE_AA)
        if metrics is not None:
            label = _fmt(metrics.side(side).turnout_deg, " deg", signed=True)
            if f"turnout_deg.{side.value}" in metrics.held:
                label += "*"
            other = overlay.feet.get(side.other)
            scale = 0.5 * unit_px
            (tw, _), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thick + 3)
            # Put the label on the outer side of the foot, so the two feet's labels never overlap.
            outer_left = other is not None and _ok(other.ahead_px) and foot.ahead_px[0] < other.ahead_px[0]
            dx = -(tw + 6 * unit_px) if outer_left else 6 * unit_px
            _text(img, label, _pt(foot.ahead_px + np.array([dx, 12 * unit_px])), scale, colour, thick)
    fl, fr = overlay.feet.get(Side.LEFT), overlay.feet.get(Side.RIGHT)
    if metrics is not None and fl is not None and fr is not None and _ok(fl.heel_px, fr.heel_px):
        cv2.line(img, _pt(fl.heel_px), _pt(fr.heel_px), (255, 255, 0), max(1, thick - 1), cv2.LINE_AA)
    if metrics is not None:
        _panel(img, metrics, unit_px, thick)
    if cues:
        _text(img, cues[0], (int(10 * unit_px), h - int(12 * unit_px)), 0.6 * unit_px, (255, 255, 120), thick)
    return img


def _panel(img: np.ndarray, m: StanceMetrics, unit_px: float, thick: int) -> None:
    width = _fmt(m.stance_width_ratio, "x hip", digits=2)
    if math.isfinite(m.stance_width_cm):
        width += f" ({m.stance_width_cm:.0f} cm)"
    star = {side: "*" if f"turnout_deg.{side.value}" in m.held else "" for side in Side}
    if "stance_width_ratio" in m.held:
        width += "*"
    lines = [
        f"Turnout  L {_fmt(m.left.turnout_deg, ' deg', True)}{star[Side.LEFT]}   R {_fmt(m.right.turnout_deg, ' deg', True)}{star[Side.RIGHT]}",
        f"Stance   {width}",
        f"Knee     L {_fmt(m.left.knee_fppa_deg, ' deg', True)}   R {_fmt(m.right.knee_fppa_deg, ' deg', True)}",
        f"View     {m.view.label}",
    ]
    if m.held:
        lines.append("* as standing: feet planted")
    scale = 0.5 * unit_px
    line_h = int(22 * unit_px)
    box_w = int(330 * unit_px)
    box_h = line_h * len(lines) + int(10 * unit_px)
    x0, y0 = int(8 * unit_px), int(8 * unit_px)
    roi = img[y0 : y0 + box_h, x0 : x0 + box_w]
    if roi.size:
        roi[:] = (roi.astype(np.float32) * 0.4).astype(np.uint8)
    for i, line in enumerate(lines):
        _text(img, line, (x0 + int(8 * unit_px), y0 + line_h * (i + 1)), scale, (255, 255, 255), thick)


REC_RED = (230, 30, 30)


def clock_text(seconds: float) -> str:
    """Whole seconds as "m:ss" (a recording's running time)."""
    secs = max(0, int(seconds))
    return f"{secs // 60}:{secs % 60:02d}"


def recording_badge(rgb: np.ndarray, elapsed_s: float, mirror: bool = False) -> np.ndarray:
    """A copy of ``rgb`` (flipped left-right first with ``mirror``) with a red dot and "REC m:ss" at the top
    left, as the live picture looks while a clip is recorded."""
    img = np.ascontiguousarray(rgb[:, ::-1]) if mirror else rgb.copy()
    h, w = img.shape[:2]
    unit_px = max(1.0, min(w, h) / 480.0)
    thick = max(1, int(round(1.5 * unit_px)))
    r = int(7 * unit_px)
    centre = (int(12 * unit_px) + r, int(12 * unit_px) + r)
    cv2.circle(img, centre, r, REC_RED, -1, cv2.LINE_AA)
    _text(img, f"REC {clock_text(elapsed_s)}", (centre[0] + 2 * r, centre[1] + r), 0.7 * unit_px, REC_RED, thick)
    return img
