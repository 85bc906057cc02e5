"""The whole-clip decision of which way the body faces (analyzer.temporal.sides), on exact skeletons:
runs of frames the model read turned round are found and turned back; genuine turns, another body and
clips with no clear majority are left as read."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.landmarks import MIRROR_INDEX, Landmark, PoseFrame
from analyzer.temporal.sides import (
    MAJORITY_SHARE,
    TURN_MAX_DEG_S,
    facing_deg,
    misread,
    stretches,
    turned_round,
)
from tests.synthetic import body_points, camera_view

FPS = 30.0
F_PX = camera_view(body_points())[1]


def seen(yaw_deg: float, t_s: float = 0.0, shift_px: float = 0.0) -> PoseFrame:
    """A perfect reading of a standing body (slightly asymmetric feet) seen from ``yaw_deg`` round it,
    moved ``shift_px`` to the right in the picture."""
    pose, _ = camera_view(body_points(5.0, 20.0), yaw_deg=yaw_deg, t_s=t_s)
    xy = pose.image_xy + np.array([shift_px / pose.size_wh[0], 0.0])
    return replace(pose, image_xy=xy)


def clip(yaws: list[float], wrong: set[int] = frozenset()) -> list[PoseFrame]:  # type: ignore[assignment]
    """Frames at FPS with the body at the given facings; the frames in ``wrong`` read turned round."""
    out = []
    for i, yaw in enumerate(yaws):
        p = seen(yaw, i / FPS)
        out.append(turned_round(p, *up_and_sight(p, F_PX)) if i in wrong else p)
    return out


@pytest.mark.parametrize("yaw", [0.0, 25.0, -40.0, 90.0, 135.0, 180.0])
def test_facing_is_the_bodys_turn_from_the_camera(yaw):
    assert abs((facing_deg(seen(yaw)) - yaw + 180.0) % 360.0 - 180.0) < 1e-6


def up_and_sight(pose: PoseFrame, f_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The floor's normal (the standing skeleton's ankles-to-shoulders line is vertical) and the line of
    sight to the hip centre, in the camera's axes."""
    w = pose.world_xyz
    up = 0.5 * (w[Landmark.LEFT_SHOULDER] + w[Landmark.RIGHT_SHOULDER] - w[Landmark.LEFT_ANKLE] - w[Landmark.RIGHT_ANKLE])
    px = pose.pixels_xy
    hip = 0.5 * (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP]) - 0.5 * np.asarray(pose.size_wh, dtype=float)
    return up / np.linalg.norm(up), np.array([hip[0] / f_px, hip[1] / f_px, 1.0])


def test_turned_round_faces_the_other_way_in_the_same_picture():
    p = seen(20.0)
    q = turned_round(p, *up_and_sight(p, camera_view(body_points())[1]))
    assert facing_deg(q) == pytest.approx(160.0, abs=1.0)
    # Every point stays where it is in the picture, under the other side's name.
    assert np.allclose(q.image_xy, p.image_xy[MIRROR_INDEX])
    assert np.allclose(q.image_xy[Landmark.LEFT_HEEL], p.image_xy[Landmark.RIGHT_HEEL])
    back = turned_round(q, *up_and_sight(p, camera_view(body_points())[1]))
    assert np.allclose(back.image_xy, p.image_xy) and np.allclose(back.world_xyz, p.world_xyz)


def test_a_body_read_from_behind_is_turned_back_onto_the_floor_it_stands_on():
    # A camera high up (1.7 m) looks down on a man facing it. The reading a perfect model would give had
    # he stood the other way round (the body mirrored through his vertical plane across the line of
    # sight, names swapped: the model's mistake) is turned back into his own reading exactly. Mirroring
    # the depth along the line of sight alone would tip him back by twice the camera's tilt.
    body = body_points(5.0, 20.0)
    true, f_px = camera_view(body, height_m=1.7)
    behind = {Landmark(int(MIRROR_INDEX[k])): v * np.array([1.0, 1.0, -1.0]) for k, v in body.items()}
    misread, _ = camera_view(behind, height_m=1.7)
    assert abs(abs(facing_deg(misread)) - 180.0) < 1e-6
    up, sight = up_and_sight(true, f_px)
    back = turned_round(misread, up, sight)
    assert np.allclose(back.world_xyz, true.world_xyz, atol=1e-9)
    naive = misread.world_xyz[MIRROR_INDEX] * np.array([1.0, 1.0, -1.0])
    assert not np.allclose(naive, true.world_xyz, atol=0.02)


def test_facing_needs_the_models_own_frame():
    p = replace(seen(0.0), camera_aligned=True)
    with pytest.raises(ValueError, match="model's own frame"):
        facing_deg(p)


def test_a_run_read_from_behind_in_a_front_view_is_found():
    # 60 frames facing the camera (turned 10 deg); the model reads 15 of them from behind.
    wrong = set(range(20, 35))
    poses = clip([10.0] * 60, wrong)
    assert [i for i, m in enumerate(misread(poses)) if m] == sorted(wrong)
    # ... and the same from behind: a back view's few front readings are the ones turned.
    poses = clip([170.0] * 60, {3, 4, 50})
    assert [i for i, m in enumerate(misread(poses)) if m] == [3, 4, 50]


def test_gaps_without_a_person_do_not_end_a_stretch():
    poses: list[PoseFrame | None] = list(clip([0.0] * 40, set(range(10, 16))))
    for i in (8, 9, 30):
        poses[i] = None
    assert [i for i, m in enumerate(misread(poses)) if m] == list(range(10, 16))


def test_a_genuine_turn_is_kept():
    # Facing the camera, turning round at 360 deg/s, walking away: more frames from behind than from
    # the front, and none of them is misread.
    turn = list(np.linspace(0.0, 180.0, int(FPS * 0.5) + 1))
    yaws = [0.0] * 20 + turn + [180.0] * 40
    poses = clip(yaws)
    assert len(stretches(poses, [facing_deg(p) for p in poses])) == 2
    assert not any(misread(poses))
    # The same turn read turned round on a few frames of each side: each side's own are found.
    poses = clip(yaws, {5, 6, 60, 61})
    assert [i for i, m in enumerate(misread(poses)) if m] == [5, 6, 60, 61]


def test_a_turn_faster_than_a_body_can_is_the_models():
    # The model's turn-rounds jump across the side view; a real turn takes time. A jump from 0 to 180
    # within one frame is far faster than TURN_MAX_DEG_S.
    assert 180.0 * FPS > TURN_MAX_DEG_S
    poses = clip([0.0] * 30, set(range(10, 20)))
    assert len(stretches(poses, [facing_deg(p) for p in poses])) == 1


def test_another_body_starts_a_new_stretch():
    # Someone else, far to the right and seen from behind, followed for 10 frames: they keep their facing.
    poses = clip([0.0] * 30)
    for i in range(10, 20):
        poses[i] = seen(180.0, i / FPS, shift_px=600.0)
    assert len(stretches(poses, [facing_deg(p) for p in poses])) == 3
    assert not any(misread(poses))


def test_no_clear_majority_changes_nothing():
    n = 40
    k = int(n * (1.0 - MAJORITY_SHARE)) + 2  # more than 1 - MAJORITY_SHARE of the frames read the other way
    poses = clip([0.0] * n, set(range(10, 10 + k)))
    assert not any(misread(poses))


def test_side_views_are_neither_counted_nor_turned():
    # Near a side view the facing says little: such frames are left as read (and do not vote).
    poses = clip([80.0] * 20 + [100.0] * 3)
    assert not any(misread(poses))
