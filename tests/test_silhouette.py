"""The feet's outline fit (analyzer.geometry.silhouette) on exact skeletons and masks drawn from its own
shoe model, so the right answer is known; how well the model fits real outlines is the benchmark's job
(python -m benchmarks.accuracy, with and without --outline)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.geometry.camera import Intrinsics, estimate_scene
from analyzer.geometry.metrics import floor_geometry, foot_direction, hip_width_units, measure, turnout_deg
from analyzer.geometry.silhouette import (
    MAX_TURN_FROM_START_DEG,
    MIN_OVERLAP,
    FootStart,
    convex_hull,
    fill_convex,
    fit_feet,
    fit_outline,
    shin_points,
    shoe_points,
)
from analyzer.landmarks import LEG, PoseDetection, Side
from tests.synthetic import body_points, camera_view
from tests.test_geometry import EXACT


def test_the_convex_hull_drops_inner_points_and_the_cover_adds_up_to_the_area():
    square = np.array([[2.0, 2.0], [6.0, 2.0], [6.0, 6.0], [2.0, 6.0], [4.0, 4.0], [3.0, 5.0]])
    hull = convex_hull(square)
    assert len(hull) == 4 and {tuple(p) for p in hull} == {(2.0, 2.0), (6.0, 2.0), (6.0, 6.0), (2.0, 6.0)}
    img = fill_convex(hull, (10, 10))
    # a square on pixel borders covers its 4 x 4 pixels wholly and nothing else
    assert img.sum() == pytest.approx(16.0) and (img[2:6, 2:6] == 1.0).all()
    # the triangle x + y <= 4 (area 8): pixels whose centre lies on the diagonal are half covered
    # ((col + 0.5) + (row + 0.5) = 4), those inside it wholly, so rows of 3.5, 2.5, 1.5 and 0.5
    tri = fill_convex(convex_hull(np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])), (6, 6))
    assert tri.sum() == pytest.approx(8.0) and [float(r.sum()) for r in tri[:4]] == pytest.approx([3.5, 2.5, 1.5, 0.5])
    # a square moved by a tenth of a pixel moves its cover by a tenth of a pixel (the fit feels sub-pixel turns)
    moved = fill_convex(hull + np.array([0.1, 0.0]), (10, 10))
    assert moved[3, 1] == pytest.approx(0.0) and moved[3, 2] == pytest.approx(0.9) and moved[3, 6] == pytest.approx(0.1)
    # maxed into an existing image, clipped at its edges
    out = np.zeros((5, 5), dtype=np.float32)
    fill_convex(convex_hull(np.array([[-3.0, -3.0], [2.0, -3.0], [2.0, 2.0], [-3.0, 2.0]])), (5, 5), out)
    assert out.sum() == pytest.approx(4.0) and (out[:2, :2] == 1.0).all()


def _scene_and_pose(turnouts=(20.0, 5.0), **cam):
    pose, f = camera_view(body_points(*turnouts), **cam)
    intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
    scene = estimate_scene(pose, intr)
    assert scene is not None
    return pose, scene


def _drawn_mask(pose, scene, geom, turnouts, length, radius):
    """A person mask holding exactly the shoe model's two feet and shins at the given turnouts."""
    w, h = pose.size_wh
    mask = np.zeros((h, w), dtype=np.float32)
    for side, turn in zip(Side, turnouts, strict=True):
        along = foot_direction(turn, geom.left, geom.forward, side)
        shin = geom.lifted[LEG[side].knee] - geom.lifted[LEG[side].ankle]
        shin = shin / np.linalg.norm(shin)
        heel = geom.feet[side]["heel"]
        for pts in (shoe_points(heel, along, scene.up, length), shin_points(heel, along, scene.up, length, shin, radius)):
            fill_convex(convex_hull(scene.project(pts)), (h, w), mask)
    return mask


@pytest.mark.parametrize(("height_m", "yaw_deg"), [(0.9, 0.0), (1.4, 0.0), (1.2, 30.0)])
def test_the_fit_finds_feet_drawn_at_known_turnouts_from_a_start_that_is_off(height_m, yaw_deg):
    # Laptop, tripod and 30 deg oblique cameras. The mask is the model's own outline at 20 / 5 deg; the
    # search starts 8 deg off on each foot (one too far out, one too far in) and 2 cm off at the heel.
    truth = (20.0, 5.0)
    pose, scene = _scene_and_pose(truth, height_m=height_m, yaw_deg=yaw_deg)
    geom = floor_geometry(pose, scene, EXACT)
    hip_w = hip_width_units(pose)
    mask = _drawn_mask(pose, scene, geom, truth, 1.2 * hip_w, 0.17)
    starts = {}
    for side, off in ((Side.LEFT, 8.0), (Side.RIGHT, -8.0)):
        heel, toe = geom.feet[side]["heel"], geom.feet[side]["toe"]
        assert turnout_deg(heel, toe, geom.left, geom.forward, side) == pytest.approx(truth[side is Side.RIGHT], abs=0.5)
        shin = geom.lifted[LEG[side].knee] - geom.lifted[LEG[side].ankle]
        starts[side] = FootStart(heel + 0.02 * geom.forward, truth[side is Side.RIGHT] + off, shin / np.linalg.norm(shin))
    fit = fit_feet(mask, pose, scene, starts, geom.left, geom.forward, hip_w)
    assert fit is not None and fit.overlap > 0.9
    assert fit.turnout_deg[Side.LEFT] == pytest.approx(truth[0], abs=1.5)
    assert fit.turnout_deg[Side.RIGHT] == pytest.approx(truth[1], abs=1.5)
    # the heel came back to where it was drawn (within a search step or two)
    assert float(np.linalg.norm(fit.heel[Side.LEFT] - geom.feet[Side.LEFT]["heel"])) < 0.015


def test_a_mask_without_feet_or_of_another_size_gives_no_reading():
    pose, scene = _scene_and_pose()
    geom = floor_geometry(pose, scene, EXACT)
    w, h = pose.size_wh
    assert fit_outline(np.zeros((h, w), np.float32), pose, scene, geom) is None
    assert fit_outline(np.ones((h // 2, w), np.float32), pose, scene, geom) is None
    # a mask that is all person around the feet: the best cover turns the feet sideways, past
    # MAX_TURN_FROM_START_DEG from the landmarks' reading, so no reading
    assert fit_outline(np.ones((h, w), np.float32), pose, scene, geom) is None
    assert 0.0 < MIN_OVERLAP < 1.0 and 0.0 < MAX_TURN_FROM_START_DEG < 45.0


def test_the_outline_reading_is_averaged_into_the_reported_turnout_unless_the_two_disagree_too_much():
    pose, scene = _scene_and_pose((20.0, 5.0))
    alone = measure(pose, scene, EXACT)
    share, gap = EXACT.silhouette_share, EXACT.silhouette_max_disagreement_deg
    assert alone.left.turnout_deg == pytest.approx(20.0, abs=0.5)
    near = alone.left.turnout_deg + gap - 1.0
    both = measure(pose, scene, EXACT, outline_turnout_deg={Side.LEFT: near, Side.RIGHT: math.nan})
    assert both.left.turnout_deg == pytest.approx((1 - share) * alone.left.turnout_deg + share * near)
    assert both.right.turnout_deg == pytest.approx(alone.right.turnout_deg)  # no outline reading: landmarks only
    far = measure(pose, scene, EXACT, outline_turnout_deg={Side.LEFT: alone.left.turnout_deg + gap + 1.0, Side.RIGHT: -30.0})
    assert far.left.turnout_deg == pytest.approx(alone.left.turnout_deg)  # a failed fit: the landmarks stand
    assert far.right.turnout_deg == pytest.approx(alone.right.turnout_deg)
    assert 0.0 < share < 1.0


def test_the_stance_width_comes_from_the_fitted_heels_when_both_feet_used_the_outline():
    pose, scene = _scene_and_pose((20.0, 5.0))
    geom = floor_geometry(pose, scene, EXACT)
    alone = measure(pose, scene, EXACT, geometry=geom)
    hip_w = hip_width_units(pose)
    # fitted heels 0.3 hip widths further apart than the landmarks' (moved along the body's left axis)
    heels = {
        Side.LEFT: geom.feet[Side.LEFT]["heel"] + 0.15 * hip_w * geom.left,
        Side.RIGHT: geom.feet[Side.RIGHT]["heel"] - 0.15 * hip_w * geom.left,
    }
    apart = float(np.linalg.norm(geom.feet[Side.LEFT]["heel"] - geom.feet[Side.RIGHT]["heel"])) / hip_w + 0.3
    turns = {Side.LEFT: alone.left.turnout_deg, Side.RIGHT: alone.right.turnout_deg}
    both = measure(pose, scene, EXACT, geometry=geom, outline_turnout_deg=turns, outline_heels=heels)
    assert both.stance_width_ratio == pytest.approx(EXACT.outline_width_scale * apart + EXACT.outline_width_offset_ratio, rel=1e-3)
    # one foot's outline reading failed the gap test: that fit is not trusted for the width either
    failed = measure(pose, scene, EXACT, geometry=geom, outline_turnout_deg={**turns, Side.RIGHT: turns[Side.RIGHT] + 40.0}, outline_heels=heels)
    assert failed.stance_width_ratio == pytest.approx(alone.stance_width_ratio)
    assert both.stance_width_ratio != pytest.approx(alone.stance_width_ratio)


def test_a_photo_says_when_the_outline_fit_was_asked_for_but_not_used():
    from analyzer.geometry.silhouette import SilhouetteFit
    from analyzer.pipeline import outline_warning

    pose, scene = _scene_and_pose((20.0, 5.0))
    landmarks = measure(pose, scene, EXACT)
    heels = {s: np.zeros(3) for s in Side}
    gap = EXACT.silhouette_max_disagreement_deg
    assert outline_warning(None, landmarks, EXACT)["code"] == "outline_not_fitted"
    agreeing = SilhouetteFit({Side.LEFT: 22.0, Side.RIGHT: 6.0}, heels, 0.9)
    assert outline_warning(agreeing, landmarks, EXACT) is None
    right_off = SilhouetteFit({Side.LEFT: 22.0, Side.RIGHT: 5.0 + gap + 2.0}, heels, 0.9)
    w = outline_warning(right_off, landmarks, EXACT)
    assert w["code"] == "outline_disagrees" and "right foot" in w["message"] and "left" not in w["message"]


def test_a_detection_mask_must_match_the_followed_persons_frame():
    pose, _ = _scene_and_pose()
    w, h = pose.size_wh
    PoseDetection(people=(pose,), main=0, mask=np.zeros((h, w), np.float32))
    with pytest.raises(ValueError, match="mask"):
        PoseDetection(people=(pose,), main=0, mask=np.zeros((w, h), np.float32))
    with pytest.raises(ValueError, match="mask"):
        PoseDetection(people=(), main=None, mask=np.zeros((h, w), np.float32))
