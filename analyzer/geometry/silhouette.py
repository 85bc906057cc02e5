"""The feet's direction on the floor read a second way: from the person's outline in the picture.

MediaPipe's pose model also gives a segmentation mask (the person's pixels). Each foot's heel -> toe
landmarks are two points, placed to a few pixels; the outline of the shoe holds many more. So each foot
is modelled as a simple shoe-shaped solid standing on the estimated floor (with the shin rising from it,
since the mask holds that too), projected through the estimated camera, and turned, moved and sized
until its outline covers the mask's feet best (intersection over union of the model's pixel cover and
the mask's probability). The turn that fits is the foot's turnout, in the same body axes as the
landmarks'.

Why a fit and not the outline's own axis: a foot seen from the front is foreshortened and its top lies
above the floor, so the outline's long axis points along the line of sight; a solid projected through
the camera has the same foreshortening.

On the synthetic TRAIN stills this reading alone is a little better than the landmarks' (3.37 against
3.74 deg with their corrections, on the 470 feet both read; with the shoe at its full height it was 4.44,
see SHOE_TOP), and its errors are only partly shared with theirs, so the two are averaged
(MetricsConfig.silhouette_share: 3.74 -> 3.13 deg on those feet). It has little of the landmarks' bias
in turned views. The fitted heels also give the stance width
(MetricsConfig.outline_width_scale). Fitting costs a second or so a frame, so videos fit only a few of
their still frames (pipeline.OUTLINE_VIDEO_FRAMES). Photos and videos use it by default
(AnalysisOptions.silhouette; ``analyzer analyze --no-outline`` reads the landmarks alone).

Plain numpy and OpenCV's convex hull (the polygons are filled from their edges' signed distances);
coordinates are the camera frame of :class:`analyzer.geometry.camera.Scene`, pixels are the frame's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from analyzer.geometry.camera import Scene
from analyzer.geometry.metrics import FloorGeometry, foot_direction, hip_width_units, turnout_deg, unit
from analyzer.landmarks import LEG, PoseFrame, Side

# The shoe, in foot lengths, from the heel's back (0) to the toe's tip (1): sampled along the foot, the
# sole's half-width and the top's height above the floor (a heel cup and instep, then the toes).
_ALONG = np.array([0.0, 0.1, 0.25, 0.45, 0.7, 0.85, 1.0])
_HALF_WIDTH = np.array([0.55, 0.75, 0.8, 0.85, 1.0, 0.8, 0.35]) * 0.19
_TOP = np.array([0.28, 0.32, 0.32, 0.2, 0.12, 0.1, 0.07])
# The same shoe as (along, side, up) coefficients of its corner points, in foot lengths (shoe_points).
_SHOE = np.array(
    [
        coef
        for t, hw, top in zip(_ALONG, _HALF_WIDTH, _TOP, strict=True)
        for s in (1.0, -1.0)
        for coef in ((t, s * hw, 0.0), (t, s * 0.8 * hw, top))
    ]
)
# The shoe's top is drawn at this share of _TOP (a foot's own heights). At full height the fit turned the
# feet of the rendered stills away from the line of sight: on TRAIN its error rose with sin(2 x the foot's
# angle to the line of sight) / tan(the camera's elevation over the heel), +2.0 deg per unit (+0.5 at 0.7).
# Where that comes from is not isolated: on masks drawn from this model itself the height moves the fit
# by under 2 deg, so it lies in how MediaPipe's mask outlines a foot. Chosen on TRAIN (python -m
# benchmarks.calibrate --shoe-top): the outline alone 4.44 -> 3.37 deg, blended 3.28 -> 3.13 (0.6 ties);
# fitted per photo as one more free size, it read worse (3.62 against 3.20 on a third of TRAIN).
SHOE_TOP = 0.7
# A ring of 10 points round the shin (shin_points).
_RING_ANGLES = np.linspace(0.0, 2.0 * math.pi, 10, endpoint=False)
_RING_COS, _RING_SIN = np.cos(_RING_ANGLES)[:, None], np.sin(_RING_ANGLES)[:, None]
# The ankle's centre, where the shin starts: this far along the foot and this high, in foot lengths.
_ANKLE_ALONG, _ANKLE_UP = 0.22, 0.26
# How much of the shin is modelled (the window looks at the shin's lowest part only), in foot lengths.
_SHIN_LENGTH = 1.0
# Foot length as a multiple of the model's hip width, and the shin's radius in foot lengths: searched.
_FOOT_LENGTHS = np.arange(0.9, 1.61, 0.1)
_SHIN_RADII = (0.13, 0.17, 0.21)
# The window compared: the feet's landmarks padded by this share of the longer foot's length in the
# picture, from this share of it above the higher ankle down.
_WINDOW_PAD = 0.6
_WINDOW_ABOVE_ANKLE = 0.3
# The coarse search per foot: (step of the heel's move on the floor in model units, steps each way, step
# of the turn in degrees, steps each way). Then the polish: first steps of each foot's (move across,
# move along, turn) and of (foot length in hip widths, shin radius in foot lengths), and its budget.
_COARSE = (0.02, 2, 3.0, 10)
_POLISH_STEPS = np.array([0.01, 0.01, 2.0, 0.01, 0.01, 2.0, 0.05, 0.02])
_POLISH_EVALS = 400
# The fit stays within this turn of the landmarks' reading, and a fit that ends at that edge is not
# trusted (it wanted to go further: the mask is not two feet). On the TRAIN stills the landmarks' reading
# was at most 22 deg off the truth and the fits ended at most 22.5 deg from it.
MAX_TURN_FROM_START_DEG = 25.0
# Below this overlap the fit is not trusted (a foot hidden, the mask broken up or spilling onto the
# floor). Chosen on TRAIN with the fit's first version (whole pixels, one pass): fits under 0.75 read
# worse than the landmarks (12 of 496 feet, 6.1 against 5.3 deg). With this fit no TRAIN foot with a
# measured turnout falls under it, 3 HOLDOUT stills do. A mask that is all person around the feet fits
# at 0.87 with the feet turned sideways: MAX_TURN_FROM_START_DEG is what rejects that.
MIN_OVERLAP = 0.75


@dataclass(frozen=True)
class FootStart:
    """Where the search starts for one foot: the heel on the floor (camera frame), its turnout from the
    landmarks (deg, + = toe-out), and the shin's direction (unit, camera frame, up the leg)."""

    heel: np.ndarray
    turnout_deg: float
    shin: np.ndarray


@dataclass(frozen=True)
class SilhouetteFit:
    """The fitted feet: turnout (deg, + = toe-out, same body axes as the landmarks'), heel on the floor
    (camera frame), the overlap reached (0..1, both feet together), the feet's length and the shins'
    radius (scene units)."""

    turnout_deg: dict[Side, float]
    heel: dict[Side, np.ndarray]
    overlap: float
    foot_length: float = math.nan
    shin_radius: float = math.nan


def convex_hull(points: np.ndarray) -> np.ndarray:
    """(N, 2) points -> their convex hull (M, 2), counter-clockwise in image axes (y down), no repeats.

    OpenCV picks the hull's points (from a float32 copy); they are returned at full precision."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 0:
        return pts
    hull = pts[cv2.convexHull(pts.astype(np.float32), returnPoints=False).ravel()]
    nxt = np.concatenate((hull[1:], hull[:1]))
    if float(hull[:, 0] @ nxt[:, 1] - hull[:, 1] @ nxt[:, 0]) < 0:  # the shoelace area: keep it positive
        hull = hull[::-1]
    return hull


def fill_convex(hull: np.ndarray, shape_hw: tuple[int, int], out: np.ndarray | None = None) -> np.ndarray:
    """How much of each pixel (float32 0..1, ``shape_hw``) the convex polygon ``hull`` (from
    :func:`convex_hull`) covers; maxed into ``out`` when given.

    The cover is the pixel centre's signed distance to the outline, plus half a pixel, clipped to 0..1:
    exact along straight edges, so the overlap moves smoothly as the model turns by a fraction of a pixel.
    """
    h, w = shape_hw
    img = np.zeros(shape_hw, dtype=np.float32) if out is None else out
    if len(hull) < 3:
        return img
    x0 = max(0, int(math.floor(hull[:, 0].min())) - 1), min(w, int(math.ceil(hull[:, 0].max())) + 1)
    y0 = max(0, int(math.floor(hull[:, 1].min())) - 1), min(h, int(math.ceil(hull[:, 1].max())) + 1)
    if x0[0] >= x0[1] or y0[0] >= y0[1]:
        return img
    xs = np.arange(x0[0], x0[1]) + 0.5
    ys = np.arange(y0[0], y0[1]) + 0.5
    d = np.concatenate((hull[1:], hull[:1])) - hull
    edge = np.hypot(d[:, 0], d[:, 1])
    keep = edge > 1e-9
    a, d, edge = hull[keep], d[keep], edge[keep]
    # each edge's signed distance (positive inside) at every pixel centre: (dx (y - ay) - dy (x - ax)) / |d|
    by_y = (d[:, 0, None] * (ys[None, :] - a[:, 1, None]) / edge[:, None])[:, :, None]
    by_x = (d[:, 1, None] * (xs[None, :] - a[:, 0, None]) / edge[:, None])[:, None, :]
    inside = (by_y - by_x).min(axis=0)
    cover = np.clip(inside + 0.5, 0.0, 1.0).astype(np.float32)
    region = img[y0[0] : y0[1], x0[0] : x0[1]]
    np.maximum(region, cover, out=region)
    return img


def nelder_mead(f: Callable[[np.ndarray], float], x0: np.ndarray, steps: np.ndarray, max_evals: int, tol: float = 1e-6) -> np.ndarray:
    """The minimum of ``f`` near ``x0`` by the Nelder-Mead simplex (the standard reflection, expansion,
    contraction and shrink: 1, 2, 0.5, 0.5), starting from ``x0`` and ``x0`` + each of ``steps``; stops
    after ``max_evals`` calls or when the simplex's values differ by under ``tol``."""
    pts = [np.asarray(x0, dtype=float)] + [x0 + np.eye(len(x0))[i] * steps[i] for i in range(len(x0))]
    vals = [f(p) for p in pts]
    evals = len(pts)
    while evals < max_evals:
        order = np.argsort(vals)
        pts, vals = [pts[i] for i in order], [vals[i] for i in order]
        if vals[-1] - vals[0] < tol:
            break
        centre = np.mean(pts[:-1], axis=0)
        refl = centre + (centre - pts[-1])
        fr = f(refl)
        evals += 1
        if fr < vals[0]:
            exp = centre + 2.0 * (centre - pts[-1])
            fe = f(exp)
            evals += 1
            pts[-1], vals[-1] = (exp, fe) if fe < fr else (refl, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = refl, fr
        else:
            con = centre + 0.5 * (pts[-1] - centre) if fr >= vals[-1] else centre + 0.5 * (refl - centre)
            fc = f(con)
            evals += 1
            if fc < min(fr, vals[-1]):
                pts[-1], vals[-1] = con, fc
            else:
                pts = [pts[0]] + [pts[0] + 0.5 * (p - pts[0]) for p in pts[1:]]
                vals = [vals[0]] + [f(p) for p in pts[1:]]
                evals += len(pts) - 1
    return pts[int(np.argmin(vals))]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cross product of two 3-vectors (np.cross costs more than the rest of a shoe's points)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def shoe_points(heel: np.ndarray, along: np.ndarray, up: np.ndarray, length: float, top: float = SHOE_TOP) -> np.ndarray:
    """The shoe's corner points (camera frame) for a heel on the floor and a unit floor direction: at
    each step along the foot, the sole's two edges and, above each, the top (a fifth narrower), ``top``
    x _TOP high."""
    side = unit(_cross(up, along))
    return heel + length * (_SHOE[:, :1] * along + _SHOE[:, 1:2] * side + (top * _SHOE[:, 2:]) * up)


def shin_points(
    heel: np.ndarray, along: np.ndarray, up: np.ndarray, length: float, shin: np.ndarray, radius: float
) -> np.ndarray:
    """Two rings around the shin's lowest part (camera frame), from the ankle up along ``shin``."""
    ankle = heel + _ANKLE_ALONG * length * along + _ANKLE_UP * length * up
    a = unit(_cross(shin, up))
    if not np.all(np.isfinite(a)):  # a shin exactly along the floor's normal: any side direction will do
        a = unit(_cross(shin, np.roll(up, 1)))
    b = _cross(shin, a)
    ring = (_RING_COS * a + _RING_SIN * b) * (radius * length)
    return np.vstack([ankle + ring, ankle + _SHIN_LENGTH * length * shin + ring])


class _Window:
    """The mask's feet window and the model's outline in it."""

    def __init__(
        self, target: np.ndarray, origin_xy: np.ndarray, scene: Scene, left: np.ndarray, forward: np.ndarray, top: float
    ) -> None:
        self.target = target
        self.top = top
        self.origin = origin_xy
        self.scene = scene
        self.left, self.forward = left, forward

    def outline(
        self, side: Side, heel: np.ndarray, turnout_deg: float, length: float, shin: np.ndarray, radius: float
    ) -> np.ndarray | None:
        along = foot_direction(turnout_deg, self.left, self.forward, side)
        shape = (int(self.target.shape[0]), int(self.target.shape[1]))
        img = np.zeros(shape, dtype=np.float32)
        up = self.scene.up
        for pts in (shoe_points(heel, along, up, length, self.top), shin_points(heel, along, up, length, shin, radius)):
            q = self.scene.project(pts) - self.origin
            if not np.all(np.isfinite(q)):
                return None
            fill_convex(convex_hull(q), shape, img)
        return img

    def overlap(self, a: np.ndarray | None, b: np.ndarray | None) -> float:
        if a is None or b is None:
            return -1.0
        both = np.maximum(a, b)
        union = float(np.maximum(both, self.target).sum())
        return float(np.minimum(both, self.target).sum()) / union if union > 0 else -1.0


def fit_feet(
    mask: np.ndarray,
    pose: PoseFrame,
    scene: Scene,
    starts: dict[Side, FootStart],
    left: np.ndarray,
    forward: np.ndarray,
    hip_width: float,
    top: float = SHOE_TOP,
) -> SilhouetteFit | None:
    """Fit both feet to the person mask (``mask``: (H, W) person probability 0..1, the frame's size).

    ``starts`` holds both feet's landmark readings (see :class:`FootStart`), ``left``/``forward`` the
    body's floor axes and ``hip_width`` the model's hip width (scene units), which sets the foot's size
    range (the size is fitted: tied to the landmarks' own heel-to-toe length the reading was worse,
    5.1-5.6 deg alone on TRAIN against 4.4).
    Each foot's heel moves on the floor and the foot turns about it: first foot by foot on a coarse grid
    (the other foot as placed), then both feet and the size together (Nelder-Mead). None when the window
    holds too little of the person, a foot leaves the camera's view, or a turn ends at the edge of
    MAX_TURN_FROM_START_DEG.
    """
    if mask.shape[:2] != (pose.size_wh[1], pose.size_wh[0]) or set(starts) != set(Side) or not hip_width > 0:
        return None
    px = pose.pixels_xy
    marks = np.array([px[getattr(LEG[s], name)] for s in Side for name in ("heel", "toe", "ankle")])
    foot_px = max([10.0] + [float(np.linalg.norm(px[LEG[s].toe] - px[LEG[s].heel])) for s in Side])
    h, w = mask.shape[:2]
    x0 = int(max(0.0, marks[:, 0].min() - _WINDOW_PAD * foot_px))
    x1 = int(min(w, marks[:, 0].max() + _WINDOW_PAD * foot_px))
    y1 = int(min(h, marks[:, 1].max() + _WINDOW_PAD * foot_px))
    y0 = int(max(0.0, min(px[LEG[s].ankle][1] for s in Side) - _WINDOW_ABOVE_ANKLE * foot_px))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    target = np.clip(mask[y0:y1, x0:x1], 0.0, 1.0).astype(np.float32)
    if np.count_nonzero(target > 0.5) < 20:
        return None
    win = _Window(target, np.array([x0, y0], dtype=float), scene, left, forward, top)
    heel = {s: starts[s].heel.astype(float) for s in Side}
    turn = {s: float(starts[s].turnout_deg) for s in Side}

    def outlines(length: float, radius: float) -> dict[Side, np.ndarray | None]:
        return {s: win.outline(s, heel[s], turn[s], length, starts[s].shin, radius) for s in Side}

    def score(length: float, radius: float) -> float:
        o = outlines(length, radius)
        return win.overlap(o[Side.LEFT], o[Side.RIGHT])

    def best_size(lengths: Iterable[float], radii: Iterable[float]) -> tuple[float, float]:
        _, length, radius = max(((score(kk * hip_width, rr), kk, rr) for kk in lengths for rr in radii), key=lambda c: c[0])
        return length, radius

    # A coarse search first, foot by foot (the turn over +/- 30 deg, the heel over +/- 4 cm), then all of
    # it together, size included: from the front a foot's depth, size and turn trade off, so turning
    # one at a time stops short (on a mask drawn from this model at 20 deg, a start 8 deg off ended at 23).
    k, radius = best_size(_FOOT_LENGTHS, _SHIN_RADII)
    move, moves, step, steps = _COARSE
    for side in Side:
        other = win.outline(side.other, heel[side.other], turn[side.other], k * hip_width, starts[side.other].shin, radius)
        best = (-2.0, heel[side], turn[side])
        for dturn in np.arange(-steps, steps + 1) * step:
            for i in range(-moves, moves + 1):
                for j in range(-moves, moves + 1):
                    hh = heel[side] + i * move * left + j * move * forward
                    tt = turn[side] + float(dturn)
                    if abs(tt - starts[side].turnout_deg) > MAX_TURN_FROM_START_DEG:
                        continue
                    sc = win.overlap(win.outline(side, hh, tt, k * hip_width, starts[side].shin, radius), other)
                    if sc > best[0]:
                        best = (sc, hh, tt)
        _, heel[side], turn[side] = best
    k, radius = best_size(_FOOT_LENGTHS, _SHIN_RADII)
    base = {s: heel[s].copy() for s in Side}

    def unpack(x: np.ndarray) -> None:
        for i, side in enumerate(Side):
            heel[side] = base[side] + x[3 * i] * left + x[3 * i + 1] * forward
            turn[side] = float(x[3 * i + 2])

    def loss(x: np.ndarray) -> float:
        unpack(x)
        if max(abs(turn[s] - starts[s].turnout_deg) for s in Side) > MAX_TURN_FROM_START_DEG or not (
            _FOOT_LENGTHS[0] <= x[6] <= _FOOT_LENGTHS[-1] and 0.05 <= x[7] <= 0.3
        ):
            return 2.0
        return -score(x[6] * hip_width, x[7])

    first = np.array([0.0, 0.0, turn[Side.LEFT], 0.0, 0.0, turn[Side.RIGHT], k, radius])
    x = nelder_mead(loss, first, _POLISH_STEPS, _POLISH_EVALS)
    unpack(x)
    k, radius = float(x[6]), float(x[7])
    overlap = score(k * hip_width, radius)
    edge = max(abs(turn[s] - starts[s].turnout_deg) for s in Side) > MAX_TURN_FROM_START_DEG - 1.0
    if overlap < 0 or edge:
        return None
    return SilhouetteFit(dict(turn), dict(heel), overlap, k * hip_width, radius * k * hip_width)


def foot_starts(geom: FloorGeometry) -> dict[Side, FootStart] | None:
    """Both feet's landmark readings the fit starts from; None when a foot is not measurable (hidden, out
    of view, off the floor). Both feet are needed: fitted alone, the one foot a 45 deg squat leaves in view
    took the hidden leg's outline for its own (README, "What each step bought")."""
    starts = {}
    for side in Side:
        heel, toe = geom.feet[side]["heel"], geom.feet[side]["toe"]
        if geom.foot_reason[side] or not (np.all(np.isfinite(heel)) and np.all(np.isfinite(toe))):
            return None
        leg = LEG[side]
        shin = geom.lifted[leg.knee] - geom.lifted[leg.ankle]
        if not np.all(np.isfinite(shin)) or float(np.linalg.norm(shin)) < 1e-9:
            return None
        start = turnout_deg(heel, toe, geom.left, geom.forward, side)
        if not math.isfinite(start):
            return None
        starts[side] = FootStart(heel=heel, turnout_deg=start, shin=unit(shin))
    return starts


def fit_outline(
    mask: np.ndarray, pose: PoseFrame, scene: Scene, geom: FloorGeometry, top: float = SHOE_TOP
) -> SilhouetteFit | None:
    """Both feet fitted to the person mask, starting from the landmarks' floor geometry; None when a foot
    is not measurable from the landmarks or the fit covers under MIN_OVERLAP of the mask's feet. ``top``:
    the shoe's height as a multiple of _TOP (SHOE_TOP; benchmarks.calibrate --shoe-top compares others)."""
    starts = foot_starts(geom)
    if starts is None:
        return None
    fit = fit_feet(mask, pose, scene, starts, geom.left, geom.forward, hip_width_units(pose), top)
    if fit is None or fit.overlap < MIN_OVERLAP:
        return None
    return fit
