"""Pinhole camera model of the synthetic benchmark (numpy only, no Blender, no body data)."""

from __future__ import annotations

import math

import numpy as np

from benchmarks.synthetic.camera import Camera, frame_subject, intrinsics, look_at


def _cam(pos=(0.0, 1.0, 3.0), target=(0.0, 1.0, 0.0), w=640, h=480, fov=60.0) -> Camera:
    R, t = look_at(pos, target)
    fx, fy, cx, cy = intrinsics(w, h, fov)
    return Camera(w, h, fx, fy, cx, cy, R, t)


def test_target_projects_to_principal_point():
    # The look-at target lies on the optical axis, so it lands on (cx, cy) = (W/2 - 0.5, H/2 - 0.5)
    # in the OpenCV pixel-centre convention, at a depth equal to the camera distance (3 m).
    cam = _cam()
    uv, z = cam.project(np.array([[0.0, 1.0, 0.0]]))
    assert np.allclose(uv, [[319.5, 239.5]])
    assert math.isclose(z[0], 3.0)


def test_subject_left_is_image_right_and_up_is_image_up():
    # A camera in front of the subject (at +z) looking back at it sees the subject's left (+x) on the image
    # right: 0.5 m at 3 m depth moves u by fx * 0.5 / 3. fx = 320 / tan(30 deg) = 554.256 for 60 deg HFOV.
    cam = _cam()
    fx = 320 / math.tan(math.radians(30))
    uv, _ = cam.project(np.array([[0.5, 1.0, 0.0], [0.0, 1.3, 0.0]]))
    assert np.allclose(uv[0], [319.5 + fx * 0.5 / 3, 239.5])
    assert np.allclose(uv[1], [319.5, 239.5 - fx * 0.3 / 3])
    assert math.isclose(cam.hfov_deg, 60.0)


def test_rotation_is_proper_and_pitch_sign():
    # Camera 1 m above the target and 1 m in front looks down at 45 deg: pitch +45 (looking down positive).
    cam = _cam(pos=(0.0, 2.0, 1.0), target=(0.0, 1.0, 0.0))
    assert np.allclose(cam.R @ cam.R.T, np.eye(3))
    assert math.isclose(np.linalg.det(cam.R), 1.0)
    assert math.isclose(cam.pitch_deg, 45.0, abs_tol=1e-9)
    assert np.allclose(cam.position, [0, 2, 1])


def test_frame_subject_keeps_everything_inside_with_margin():
    # A 1.8 m tall box of points must be fully inside the image with the requested 5 % margin.
    rng = np.random.default_rng(0)
    pts = rng.uniform([-0.3, 0.0, -0.15], [0.3, 1.8, 0.15], size=(2000, 3))
    for yaw, h, orient, (w, hh) in ((0, 0.9, "landscape", (640, 480)), (45, 0.4, "portrait", (480, 640))):
        cam = frame_subject(pts, width=w, height=hh, hfov_deg=60, cam_height=h, yaw_deg=yaw, margin=0.05,
                            orientation=orient)
        uv, z = cam.project(pts)
        assert (z > 0).all()
        assert (uv[:, 0] > 0.05 * w).all() and (uv[:, 0] < 0.95 * w).all()
        assert (uv[:, 1] > 0.05 * hh).all() and (uv[:, 1] < 0.95 * hh).all()
        assert math.isclose(cam.position[1], h)
        # the camera sits at azimuth yaw around the subject's bounding-box centre (0 = straight in front,
        # + = towards the subject's left)
        c = (pts.min(axis=0) + pts.max(axis=0)) / 2
        d = cam.position - c
        assert math.isclose(math.degrees(math.atan2(d[0], d[2])), yaw, abs_tol=1e-6)
