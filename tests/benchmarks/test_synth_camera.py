"""Pinhole camera model of the synthetic benchmark and its turned views (numpy and OpenCV; no Blender, no body data)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from benchmarks.accuracy import aimed
from benchmarks.synthetic.camera import Camera, frame_subject, intrinsics, look_at, with_room
from benchmarks.temporal import turned_clip


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


def test_a_camera_with_room_sees_the_framed_picture_in_its_centre():
    # Same position, aim and focal length, image 1.5x larger each way: a point's pixel moves by exactly the
    # half-growth of the image (160, 120 px), so the centre cut back to 640x480 is the framed picture.
    cam = _cam()
    big = with_room(cam, 1.5)
    assert (big.width, big.height) == (960, 720) and big.fx == cam.fx
    pts = np.array([[0.3, 0.2, 0.1], [-0.4, 1.7, 0.0], [0.1, 0.0, 0.2]])
    assert np.allclose(big.project(pts)[0] - cam.project(pts)[0], [160.0, 120.0])


def test_aimed_still_with_room_is_cut_back_around_its_principal_point(tmp_path):
    # A still rendered with room (960x720, framed 640x480) and turned (0, 0) must come back as its centre,
    # pixel for pixel, with the principal point moved by the cut; turned down 8 deg, a marker drawn where a
    # point below the framed picture projects comes into view where the turned camera sees that point.
    cam = with_room(_cam(), 1.5)
    world = np.array([[0.0, 1.0, 0.0], [0.0, -0.5, 0.0]])  # on the axis; below the framed picture's bottom
    (on_axis, below), _ = cam.project(world)
    img = np.full((720, 960, 3), 90, np.uint8)
    cv2.circle(img, tuple(int(round(v)) for v in below), 6, (255, 255, 255), -1)
    cv2.imwrite(str(tmp_path / "s.png"), img)
    still = {"id": "s", "image": "s.png", "framed_size": [640, 480], "camera": cam.to_json(),
             "truth": {"points_cam": {"p": cam.to_cam(world[1])[0].tolist()}}}
    assert not 0 <= below[1] - 120 < 480  # outside the framed picture
    out = tmp_path / "out"
    out.mkdir()
    path, s = aimed(still, tmp_path, out, 0.0, 0.0)
    assert np.array_equal(cv2.imread(str(path)), img[120:600, 160:800])
    assert np.allclose([s["camera"]["cx"], s["camera"]["cy"]], on_axis - [160, 120])
    path, s = aimed(still, tmp_path, out, 0.0, 8.0)  # turned down (the scene moves up): the point below comes into view
    k = np.asarray(s["camera"]["K"])
    p = np.asarray(s["truth"]["points_cam"]["p"])
    u, v = (k @ p)[:2] / (k @ p)[2]
    assert 0 <= v < 480
    seen = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert seen[int(round(v)), int(round(u))] > 200


def test_a_clip_with_room_is_turned_frame_by_frame(tmp_path):
    # Three frames with a marker moving down on a picture with room; turned (0, 0) the clip comes back at its
    # framed size, every frame, with the marker where the cut puts it (160, 120 px up and left).
    cam = with_room(_cam(), 1.5)
    frames = []
    for i in range(3):
        img = np.full((720, 960, 3), 60, np.uint8)
        cv2.circle(img, (480, 300 + 40 * i), 8, (255, 255, 255), -1)
        cv2.imwrite(str(tmp_path / f"f{i}.png"), img)
        frames.append({"image": f"f{i}.png"})
    clip = {"id": "c", "fps": 15, "camera": cam.to_json(), "framed_size": [640, 480], "frames": frames}
    path = turned_clip(clip, tmp_path, tmp_path / "c.mp4", 0.0, 0.0)
    cap = cv2.VideoCapture(str(path))
    seen = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        seen.append(frame)
    cap.release()
    assert len(seen) == 3 and seen[0].shape == (480, 640, 3)
    for i, frame in enumerate(seen):
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        assert gray[300 + 40 * i - 120, 480 - 160] > 200
        assert gray[300 + 40 * i - 120 + 30, 480 - 160] < 120
