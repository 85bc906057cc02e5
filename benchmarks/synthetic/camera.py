"""Pinhole cameras (no distortion) in the floor frame, OpenCV convention, and automatic framing.

World/floor frame: x = subject's left, y = up, z = subject's forward (metres).
Camera frame (OpenCV): x right, y down, z forward (viewing direction). X_cam = R @ X_world + t.
Pixels: u = fx * x/z + cx, v = fy * y/z + cy with the OpenCV pixel-centre convention (the centre of the
top-left pixel is (0, 0), so for a centred principal point cx = W/2 - 0.5, cy = H/2 - 0.5).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np


@dataclass
class Camera:
    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    R: np.ndarray  # (3, 3) world -> camera
    t: np.ndarray  # (3,)
    kind: str = ""
    orientation: str = "landscape"
    yaw_deg: float = 0.0  # camera position around the subject, 0 = in front, + = towards the subject's left

    @property
    def K(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.cx], [0, self.fy, self.cy], [0, 0, 1.0]])

    @property
    def position(self) -> np.ndarray:
        return -self.R.T @ self.t

    @property
    def hfov_deg(self) -> float:
        return math.degrees(2 * math.atan(self.width / 2 / self.fx))

    @property
    def pitch_deg(self) -> float:
        """Looking down is positive."""
        f = self.R[2]
        return math.degrees(math.asin(-f[1]))

    def project(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (N, 2) and depths (N,) of world points (N, 3)."""
        Xc = np.atleast_2d(X) @ self.R.T + self.t
        z = Xc[:, 2]
        uv = np.stack([self.fx * Xc[:, 0] / z + self.cx, self.fy * Xc[:, 1] / z + self.cy], axis=1)
        return uv, z

    def to_cam(self, X: np.ndarray) -> np.ndarray:
        return np.atleast_2d(X) @ self.R.T + self.t

    def to_json(self) -> dict:
        d = asdict(self)
        d["R_world_to_cam"] = np.asarray(self.R).round(8).tolist()
        d["t_world_to_cam"] = np.asarray(self.t).round(8).tolist()
        del d["R"], d["t"]
        d["K"] = self.K.round(6).tolist()
        d["image_size"] = [self.width, self.height]
        d["camera_position_world"] = self.position.round(6).tolist()
        d["camera_height_m"] = round(float(self.position[1]), 6)
        d["pitch_deg"] = round(self.pitch_deg, 4)
        d["hfov_deg"] = round(self.hfov_deg, 4)
        d["camera_kind"] = d.pop("kind")
        return d


def look_at(position, target, up=(0.0, 1.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """World->camera rotation and translation of a camera at ``position`` looking at ``target``."""
    c = np.asarray(position, float)
    f = np.asarray(target, float) - c
    f /= np.linalg.norm(f)
    right = np.cross(f, up)
    right /= np.linalg.norm(right)
    down = np.cross(f, right)
    R = np.stack([right, down, f])
    return R, -R @ c


def intrinsics(width: int, height: int, hfov_deg: float) -> tuple[float, float, float, float]:
    fx = width / 2 / math.tan(math.radians(hfov_deg) / 2)
    return fx, fx, width / 2 - 0.5, height / 2 - 0.5


def frame_subject(verts: np.ndarray, *, width: int, height: int, hfov_deg: float, cam_height: float,
                  yaw_deg: float, margin: float = 0.06, aim_height_frac: float = 0.5, kind: str = "",
                  orientation: str = "landscape") -> Camera:
    """Place a camera at ``cam_height`` on a circle around the subject at azimuth ``yaw_deg`` (0 = in front,
    positive towards the subject's left), aiming at the body's vertical centre, at the smallest distance that
    keeps every vertex at least ``margin`` (fraction of the image size) inside the image."""
    fx, fy, cx, cy = intrinsics(width, height, hfov_deg)
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    centre = np.array([(lo[0] + hi[0]) / 2, lo[1] + aim_height_frac * (hi[1] - lo[1]), (lo[2] + hi[2]) / 2])
    d = np.array([math.sin(math.radians(yaw_deg)), 0.0, math.cos(math.radians(yaw_deg))])
    sub = verts[:: max(1, len(verts) // 4000)]
    dist = 1.0
    while dist < 20:
        pos = np.array([centre[0], cam_height, centre[2]]) + dist * d
        R, t = look_at(pos, centre)
        cam = Camera(width, height, fx, fy, cx, cy, R, t, kind, orientation, yaw_deg)
        uv, z = cam.project(sub)
        if (z > 0.1).all() and (uv[:, 0] > margin * width).all() and (uv[:, 0] < (1 - margin) * width).all() \
                and (uv[:, 1] > margin * height).all() and (uv[:, 1] < (1 - margin) * height).all():
            return cam
        dist *= 1.02
    raise ValueError("could not frame the subject")


def with_room(cam: Camera, factor: float) -> Camera:
    """The same camera (position, aim, focal length) with an image ``factor`` times larger each way, the
    principal point still at its centre: what it sees around the framed picture. Cropping the centre back
    to the framed size gives the framed picture; turned first (benchmarks.accuracy --aim), it gives what
    the camera aimed elsewhere sees, with the scene around instead of a blank border."""
    w, h = 2 * round(cam.width * factor / 2), 2 * round(cam.height * factor / 2)
    return replace(cam, width=w, height=h, cx=w / 2 - 0.5, cy=h / 2 - 0.5)
