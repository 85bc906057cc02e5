"""Flip averaging: the mirror reading maps back onto the original frame, and the model's own left/right
asymmetries cancel in the mean (exact skeletons); the real model gives averaged readings (real clip)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from analyzer.geometry.camera import Intrinsics, estimate_scene
from analyzer.geometry.metrics import MetricsConfig, measure
from analyzer.landmarks import (
    MIRROR_INDEX,
    Landmark,
    PoseFrame,
    flip_mean,
    sides_apart,
    sides_crossed,
    unmirror,
)
from analyzer.pose import _with_mirror
from tests.synthetic import body_points, camera_view


def mirrored_scene(points: dict[Landmark, np.ndarray]) -> dict[Landmark, np.ndarray]:
    """The body as its mirror image (floor x negated): its left leg is the original's right one."""
    return {Landmark(int(MIRROR_INDEX[k])): v * np.array([-1.0, 1.0, 1.0]) for k, v in points.items()}


def test_mirror_index_swaps_sides_and_keeps_the_midline():
    assert MIRROR_INDEX[Landmark.LEFT_HEEL] == Landmark.RIGHT_HEEL
    assert MIRROR_INDEX[Landmark.RIGHT_FOOT_INDEX] == Landmark.LEFT_FOOT_INDEX
    assert MIRROR_INDEX[Landmark.MOUTH_LEFT] == Landmark.MOUTH_RIGHT
    assert MIRROR_INDEX[Landmark.NOSE] == Landmark.NOSE
    assert np.array_equal(MIRROR_INDEX[MIRROR_INDEX], np.arange(len(MIRROR_INDEX)))


def test_a_perfect_reading_of_the_mirrored_frame_maps_back_onto_the_original():
    # Asymmetric feet, so a wrong side swap would show. A camera straight in front (yaw 0, centred
    # principal point) sees the mirrored body as the exact mirror image of the picture.
    points = body_points(8.0, 30.0, heel_half_distance=0.14)
    pose, _ = camera_view(points)
    reading, _ = camera_view(mirrored_scene(points))
    back = unmirror(reading)
    assert np.allclose(back.image_xy, pose.image_xy, atol=1e-9)
    assert np.allclose(back.world_xyz, pose.world_xyz, atol=1e-9)
    mean = flip_mean(pose, reading)
    assert mean.flip_averaged and not pose.flip_averaged
    assert np.allclose(mean.image_xy, pose.image_xy, atol=1e-9)


def _sides_swapped(p: PoseFrame) -> PoseFrame:
    """A reading of the same picture that names every left landmark right and the reverse (the model taking
    a person facing the camera for one seen from behind): each point stays where it is in the picture."""
    return replace(p, image_xy=p.image_xy[MIRROR_INDEX], world_xyz=p.world_xyz[MIRROR_INDEX],
                   visibility=p.visibility[MIRROR_INDEX], presence=p.presence[MIRROR_INDEX])


def test_a_mirror_reading_that_names_the_sides_the_other_way_is_not_averaged_in():
    pose, _ = camera_view(body_points(8.0, 30.0, heel_half_distance=0.14))
    rng = np.random.default_rng(3)
    # The mirror image's reading, back in the frame, with a few pixels of its own error.
    honest = replace(pose, image_xy=pose.image_xy + rng.normal(0.0, 3.0 / 1280, pose.image_xy.shape))
    swapped = _sides_swapped(honest)
    assert sides_apart(pose) and not sides_crossed(honest, pose) and sides_crossed(swapped, pose)
    mean = _with_mirror(pose, honest)
    assert mean.flip_averaged and np.allclose(mean.image_xy, 0.5 * (pose.image_xy + honest.image_xy))
    # Averaged, a swapped reading would put both legs down the middle; the frame keeps its own reading.
    alone = _with_mirror(pose, swapped)
    assert alone is pose and not alone.flip_averaged
    assert _with_mirror(pose, None) is pose
    mixed = flip_mean(pose, unmirror(swapped))  # what averaging them regardless gives (unmirror is its own inverse)
    ankles = mixed.pixels_xy[[Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]]
    assert abs(ankles[0, 0] - ankles[1, 0]) < 0.1 * abs(pose.pixels_xy[Landmark.LEFT_ANKLE, 0] - pose.pixels_xy[Landmark.RIGHT_ANKLE, 0])


def test_sides_seen_from_the_side_are_not_judged():
    # Seen from the side the shoulders and hips overlap in the picture; where they stand then says
    # nothing about which is which, so no reading is called crossed, however it names them.
    side, _ = camera_view(body_points(), yaw_deg=90.0)
    assert not sides_apart(side)
    assert not sides_crossed(_sides_swapped(side), side)
    front, _ = camera_view(body_points(), yaw_deg=30.0)
    assert sides_apart(front) and sides_crossed(_sides_swapped(front), front)


def _turn_hip_line(p: PoseFrame, dz: float) -> PoseFrame:
    """A model error that turns the hip line in the body's own frame: left hip pushed back by dz."""
    w = p.world_xyz.copy()
    w[Landmark.LEFT_HIP, 2] += dz
    w[Landmark.RIGHT_HIP, 2] -= dz
    return replace(p, world_xyz=w)


def _measure(pose: PoseFrame, config: MetricsConfig):
    w, h = pose.size_wh
    f = 0.5 * w / math.tan(math.radians(65.0) / 2)
    scene = estimate_scene(pose, Intrinsics(f_px=f, cx=w / 2, cy=h / 2, size_wh=pose.size_wh))
    assert scene is not None
    return measure(pose, scene, config)


def test_the_models_own_hip_line_rotation_cancels_in_the_flip_mean():
    points = body_points(10.0, 10.0)
    exact = MetricsConfig(hip_line_yaw_deg=0.0)
    pose, _ = camera_view(points)
    reading, _ = camera_view(mirrored_scene(points))
    # The same model error in both readings, each in its own body's frame.
    biased, biased_mirror = _turn_hip_line(pose, 0.012), _turn_hip_line(reading, 0.012)
    single = _measure(biased, exact)
    assert abs(single.left.turnout_deg - single.right.turnout_deg) > 4.0  # the error shows in one reading
    # The mean needs no correction, and the default config applies none to it.
    for config in (exact, MetricsConfig()):
        m = _measure(flip_mean(biased, biased_mirror), config)
        assert m.left.turnout_deg == pytest.approx(10.0, abs=0.3)
        assert m.right.turnout_deg == pytest.approx(10.0, abs=0.3)


def test_real_model_averages_the_followed_person_in_images_and_streams(clip):
    from analyzer.pose import PoseEstimator
    from analyzer.sources import VideoFileSource

    frames = []
    with VideoFileSource(clip("standing/frontal_parallel_feet.mp4"), 640) as src:
        for frame in src:
            frames.append(frame)
            if len(frames) == 20:
                break
    with PoseEstimator("full", "image", flip_average=True) as est, PoseEstimator("full", "image") as one:
        averaged, single = est.detect(frames[0].rgb).pose, one.detect(frames[0].rgb).pose
    assert averaged is not None and single is not None
    assert averaged.flip_averaged and not single.flip_averaged
    size = np.ptp(single.pixels_xy[:, 1])
    gap = np.linalg.norm(averaged.pixels_xy - single.pixels_xy, axis=1)
    # The same person (within a few % of their height), yet a different reading.
    assert gap.max() < 0.05 * size and gap.max() > 0.0
    with PoseEstimator("full", "video", flip_average=True) as est:
        poses = [est.detect(f.rgb, f.t_s).pose for f in frames]
    assert all(p is not None and p.flip_averaged for p in poses)
