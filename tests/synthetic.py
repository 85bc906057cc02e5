"""Hand-built skeletons seen through a known pinhole camera, for tests with exact expected values.

A body stands on the floor (floor frame: x = subject's left, y = up, z = subject's forward, metres).
The camera sits ``distance_m`` in front of the subject (rotated ``yaw_deg`` around it), ``height_m`` above
the floor, looking at the hips. The pose frame's world landmarks are the camera-frame points minus the
hip centre, exactly what MediaPipe's camera-aligned world landmarks are meant to be, and the image
landmarks are their exact projections. So every metric has an exact expected value.
"""

from __future__ import annotations

import math

import numpy as np

from analyzer.geometry.camera import ANKLE_HEIGHT_M, HEEL_HEIGHT_M, TOE_HEIGHT_M
from analyzer.landmarks import LEG, N_LANDMARKS, Landmark, PoseFrame, Side

HIP_HALF_WIDTH = 0.10  # hip joint centres 0.20 m apart
FOOT_LENGTH = 0.22
HIP_HEIGHT = 0.92
KNEE_HEIGHT = 0.50
SHOULDER_HEIGHT = 1.42


def rot_y(deg: float) -> np.ndarray:
    a = math.radians(deg)
    return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])


def body_points(
    turnout_left_deg: float = 0.0,
    turnout_right_deg: float = 0.0,
    heel_half_distance: float = HIP_HALF_WIDTH,
    knee_shift_medial: tuple[float, float] = (0.0, 0.0),
) -> dict[Landmark, np.ndarray]:
    """Floor-frame 3D points of a standing body.

    Heels at x = +/- heel_half_distance; each foot points forward rotated by its turnout (outward);
    knees lie on the straight hip-ankle line unless shifted medially by ``knee_shift_medial`` metres.
    """
    p: dict[Landmark, np.ndarray] = {}
    for sign, turn, hip, knee_lm, ankle, heel, toe, sh, medial in (
        (1, turnout_left_deg, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL,
         Landmark.LEFT_FOOT_INDEX, Landmark.LEFT_SHOULDER, knee_shift_medial[0]),
        (-1, turnout_right_deg, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL,
         Landmark.RIGHT_FOOT_INDEX, Landmark.RIGHT_SHOULDER, knee_shift_medial[1]),
    ):
        x_heel = sign * heel_half_distance
        a = math.radians(turn)
        direction = np.array([sign * math.sin(a), 0.0, math.cos(a)])  # toe-out rotates the toe away from the midline
        heel_pt = np.array([x_heel, HEEL_HEIGHT_M, 0.0])
        p[heel] = heel_pt
        p[toe] = np.array([x_heel, TOE_HEIGHT_M, 0.0]) + FOOT_LENGTH * direction
        p[ankle] = np.array([x_heel, ANKLE_HEIGHT_M, 0.05])
        p[hip] = np.array([sign * HIP_HALF_WIDTH, HIP_HEIGHT, 0.05])
        f = (KNEE_HEIGHT - ANKLE_HEIGHT_M) / (HIP_HEIGHT - ANKLE_HEIGHT_M)
        on_line = p[ankle] + f * (p[hip] - p[ankle])
        p[knee_lm] = on_line - np.array([sign * medial, 0.0, 0.0])
        p[sh] = np.array([sign * 0.19, SHOULDER_HEIGHT, 0.05])
    p[Landmark.NOSE] = np.array([0.0, 1.62, 0.12])
    return p


def lift_foot(
    points: dict[Landmark, np.ndarray], side: Side, height_m: float, knee_forward_m: float = 0.0, toes_too: bool = True
) -> dict[Landmark, np.ndarray]:
    """The body with one foot raised ``height_m`` (the heel alone when not ``toes_too``: up on the toes)."""
    leg = LEG[side]
    out = dict(points)
    for lm in (leg.heel, leg.ankle, leg.toe) if toes_too else (leg.heel,):
        out[lm] = points[lm] + np.array([0.0, height_m, 0.0])
    out[leg.knee] = points[leg.knee] + np.array([0.0, 0.5 * height_m, knee_forward_m])
    return out


def stand_on_one_leg(
    points: dict[Landmark, np.ndarray], free: Side, swing_deg: float, trunk_lean_deg: float
) -> dict[Landmark, np.ndarray]:
    """The body on one leg: the ``free`` leg kept straight and swung forward by ``swing_deg`` about its hip
    (the foot rises), and the trunk (shoulders, nose) leaned sideways over the standing leg by
    ``trunk_lean_deg`` about the hips' centre, as someone balancing does."""
    out = dict(points)

    def turn(p: np.ndarray, centre: np.ndarray, axis: int, deg: float) -> np.ndarray:
        a = math.radians(deg)
        c, s = math.cos(a), math.sin(a)
        # axis 0: about x, + takes a point below the centre forward (+z); axis 2: about z, + takes a point
        # above the centre towards -x (the body's right).
        rot = np.array([[1, 0, 0], [0, c, s], [0, -s, c]]) if axis == 0 else np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
        return centre + rot @ (p - centre)

    leg = LEG[free]
    for lm in (leg.knee, leg.ankle, leg.heel, leg.toe):
        out[lm] = turn(points[lm], points[leg.hip], 0, swing_deg)
    over_stance = 1.0 if free is Side.LEFT else -1.0  # standing on the right leg: lean towards -x
    hips = 0.5 * (points[Landmark.LEFT_HIP] + points[Landmark.RIGHT_HIP])
    for lm in (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.NOSE):
        out[lm] = turn(points[lm], hips, 2, over_stance * trunk_lean_deg)
    return out


def camera_view(
    points: dict[Landmark, np.ndarray],
    height_m: float = 0.9,
    distance_m: float = 2.6,
    yaw_deg: float = 0.0,
    size_wh: tuple[int, int] = (1280, 720),
    hfov_deg: float = 65.0,
    t_s: float = 0.0,
    pan_deg: float = 0.0,
) -> tuple[PoseFrame, float]:
    """The PoseFrame a perfect model would return, and the focal length in pixels.

    The camera looks at the body; ``pan_deg`` then turns it about its vertical axis so that the body
    appears that far to the right of the picture's centre (its world landmarks stay in the camera's axes)."""
    w, h = size_wh
    f = 0.5 * w / math.tan(math.radians(hfov_deg) / 2)
    target = np.array([0.0, HIP_HEIGHT * 0.8, 0.0])
    cam_pos = rot_y(yaw_deg) @ np.array([0.0, 0.0, distance_m]) + np.array([0.0, height_m, 0.0])
    fwd = target - cam_pos
    fwd /= np.linalg.norm(fwd)
    down = np.array([0.0, -1.0, 0.0])
    right = np.cross(down, fwd)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    rot = np.stack([right, down, fwd])  # rows: camera axes in floor coordinates
    p = math.radians(pan_deg)
    rot = np.array([[math.cos(p), 0.0, math.sin(p)], [0.0, 1.0, 0.0], [-math.sin(p), 0.0, math.cos(p)]]) @ rot
    cam = {k: rot @ (v - cam_pos) for k, v in points.items()}
    hip_centre = 0.5 * (cam[Landmark.LEFT_HIP] + cam[Landmark.RIGHT_HIP])
    image_xy = np.full((N_LANDMARKS, 2), 0.5)
    world = np.zeros((N_LANDMARKS, 3))
    vis = np.zeros(N_LANDMARKS)
    for k, c in cam.items():
        image_xy[k] = ((f * c[0] / c[2] + w / 2) / w, (f * c[1] / c[2] + h / 2) / h)
        world[k] = c - hip_centre
        vis[k] = 1.0
    pose = PoseFrame(image_xy=image_xy, world_xyz=world, visibility=vis, presence=vis.copy(), t_s=t_s, size_wh=size_wh)
    return pose, f
