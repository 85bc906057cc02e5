"""The feet's outline fit (analyzer.geometry.silhouette) on exact skeletons and masks drawn from its own
shoe model, so the right answer is known; how well the model fits real outlines is the benchmark's job
(python -m benchmarks.accuracy, with and without --outline)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from analyzer.geometry.camera import Intrinsics, estimate_scene
from analyzer.geometry.metrics import floor_geometry, foot_direction, hip_width_units, measure, turnout_deg
from analyzer.geometry.silhouette import (
    MAX_TURN_FROM_START_DEG,
    MIN_OVERLAP,
    SHOE_TOP,
    FootStart,
    convex_hull,
    fill_convex,
    fit_feet,
    fit_outline,
    foot_starts,
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


def _drawn_mask(pose, scene, geom, turnouts, length, radius, top=SHOE_TOP):
    """A person mask holding exactly the shoe model's two feet (``top`` x _TOP high) and shins at the
    given turnouts."""
    w, h = pose.size_wh
    mask = np.zeros((h, w), dtype=np.float32)
    for side, turn in zip(Side, turnouts, strict=True):
        along = foot_direction(turn, geom.left, geom.forward, side)
        shin = geom.lifted[LEG[side].knee] - geom.lifted[LEG[side].ankle]
        shin = shin / np.linalg.norm(shin)
        heel = geom.feet[side]["heel"]
        for pts in (shoe_points(heel, along, scene.up, length, top), shin_points(heel, along, scene.up, length, shin, radius)):
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


@pytest.mark.parametrize("top", [SHOE_TOP, 1.0])
def test_the_shoe_height_is_the_one_asked_for_so_a_mask_drawn_at_it_is_read_back(top):
    # The fit draws its shoe at ``top`` x the foot's full height (SHOE_TOP by default, chosen on the
    # renders: benchmarks.calibrate --shoe-top). A mask drawn at that height is read back, and the
    # shoe it draws is as high as asked (its highest corner over the floor).
    truth = (20.0, 5.0)
    pose, scene = _scene_and_pose(truth, height_m=0.9)
    geom = floor_geometry(pose, scene, EXACT)
    hip_w = hip_width_units(pose)
    mask = _drawn_mask(pose, scene, geom, truth, 1.2 * hip_w, 0.17, top=top)
    fit = fit_outline(mask, pose, scene, geom, top=top)
    assert fit is not None and fit.overlap > 0.9
    assert fit.turnout_deg[Side.LEFT] == pytest.approx(truth[0], abs=1.0)
    assert fit.turnout_deg[Side.RIGHT] == pytest.approx(truth[1], abs=1.0)
    heel = geom.feet[Side.LEFT]["heel"]
    pts = shoe_points(heel, geom.forward, scene.up, 1.0, top)
    assert float(np.max((pts - heel) @ scene.up)) == pytest.approx(0.32 * top)
    assert 0.0 < SHOE_TOP < 1.0


def test_a_hidden_foot_means_no_outline_reading_even_where_the_mask_shows_both():
    # Fitted alone, the one foot a 45 deg squat leaves in view took the hidden leg's outline for its
    # own (README): the fit needs both feet's landmark readings to start from.
    truth = (20.0, 5.0)
    pose, scene = _scene_and_pose(truth, height_m=0.9)
    geom = floor_geometry(pose, scene, EXACT)
    mask = _drawn_mask(pose, scene, geom, truth, 1.2 * hip_width_units(pose), 0.17)
    starts = foot_starts(geom)
    assert starts is not None and set(starts) == set(Side)
    assert starts[Side.LEFT].turnout_deg == pytest.approx(turnout_deg(geom.feet[Side.LEFT]["heel"], geom.feet[Side.LEFT]["toe"], geom.left, geom.forward, Side.LEFT))
    assert fit_outline(mask, pose, scene, geom) is not None
    hidden = replace(geom, foot_reason={**geom.foot_reason, Side.RIGHT: "right foot hidden or unclear"})
    assert foot_starts(hidden) is None
    assert fit_outline(mask, pose, scene, hidden) is None


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
    from analyzer.pipeline import outline_warning

    pose, scene = _scene_and_pose((20.0, 5.0))
    m = measure(pose, scene, EXACT)
    landmarks = {side: m.side(side).turnout_deg for side in Side}
    gap = EXACT.silhouette_max_disagreement_deg
    assert outline_warning(None, landmarks, EXACT)["code"] == "outline_not_fitted"
    assert outline_warning({Side.LEFT: 22.0, Side.RIGHT: 6.0}, landmarks, EXACT) is None
    w = outline_warning({Side.LEFT: 22.0, Side.RIGHT: 5.0 + gap + 2.0}, landmarks, EXACT)
    assert w["code"] == "outline_disagrees" and "right foot" in w["message"] and "left" not in w["message"]


def test_a_detection_mask_must_match_the_followed_persons_frame():
    pose, _ = _scene_and_pose()
    w, h = pose.size_wh
    PoseDetection(people=(pose,), main=0, mask=np.zeros((h, w), np.float32))
    with pytest.raises(ValueError, match="mask"):
        PoseDetection(people=(pose,), main=0, mask=np.zeros((w, h), np.float32))
    with pytest.raises(ValueError, match="mask"):
        PoseDetection(people=(), main=None, mask=np.zeros((h, w), np.float32))


def test_a_video_frame_is_fitted_with_its_own_landmarks_and_the_mask_of_the_same_person():
    # Videos fit the outline on a few still frames: the mask comes from a second (IMAGE-mode) reading of
    # the frame, the landmarks and scene from the video's own (FrameRecord.pose, .scene).
    from dataclasses import replace

    from analyzer.pipeline import FrameRecord, _frame_outline
    from analyzer.stance import StanceMetrics

    pose, scene = _scene_and_pose((20.0, 5.0))
    geom = floor_geometry(pose, scene, EXACT)
    mask = _drawn_mask(pose, scene, geom, (26.0, 2.0), 1.2 * hip_width_units(pose), 0.17)
    empty = StanceMetrics.empty(0.5, "")
    record = FrameRecord(7, 0.5, 1, pose, empty, empty, scene=scene)
    fit = _frame_outline(PoseDetection(people=(pose,), main=0, mask=mask), record, EXACT)
    assert fit is not None
    assert fit.turnout_deg[Side.LEFT] == pytest.approx(26.0, abs=1.5)
    assert fit.turnout_deg[Side.RIGHT] == pytest.approx(2.0, abs=1.5)
    # the still reading found someone else (a third of the picture to the side): no fit from that mask
    other = replace(pose, image_xy=pose.image_xy + np.array([0.33, 0.0]))
    assert _frame_outline(PoseDetection(people=(other,), main=0, mask=mask), record, EXACT) is None
    # nothing to fit with: no scene for the frame, or no mask
    assert _frame_outline(PoseDetection(people=(pose,), main=0, mask=mask), replace(record, scene=None), EXACT) is None
    assert _frame_outline(PoseDetection(people=(pose,), main=0), record, EXACT) is None


def test_a_videos_still_frames_take_the_outline_as_a_photo_does_and_keep_their_spread():
    from analyzer.geometry.silhouette import SilhouetteFit
    from analyzer.pipeline import with_outline
    from analyzer.stance import SideMetrics, StanceMetrics, View

    rng = np.random.default_rng(1)
    left, right = 10.0 + rng.normal(0, 0.8, 30), 4.0 + rng.normal(0, 0.8, 30)
    frames = [
        replace_sides(StanceMetrics.empty(i / 15, ""), View.FRONTAL, SideMetrics(turnout_deg=a), SideMetrics(turnout_deg=b))
        for i, (a, b) in enumerate(zip(left, right, strict=True))
    ]
    heels = {s: np.zeros(3) for s in Side}
    gap = EXACT.silhouette_max_disagreement_deg
    far = 4.0 + gap + 3.0  # the right foot's outline disagrees with the landmarks past the gap test
    fits = [SilhouetteFit({Side.LEFT: 16.0 + d, Side.RIGHT: far + d}, heels, 0.9) for d in (-1.0, 0.0, 0.5)] + [None]
    moved, entry, warning = with_outline(frames, fits, EXACT)
    share = EXACT.silhouette_share
    # the left foot's median becomes the photos' blend with the outline's median (16.0); the spread stays
    assert np.median([m.left.turnout_deg for m in moved]) == pytest.approx((1 - share) * np.median(left) + share * 16.0)
    assert np.std([m.left.turnout_deg for m in moved]) == pytest.approx(np.std(left))
    # the right foot keeps the landmarks' reading, and the summary says why
    assert [m.right.turnout_deg for m in moved] == pytest.approx(list(right))
    assert entry == {
        "frames": 4,
        "fitted": 3,
        "turnout_deg": {"left": 16.0, "right": round(far, 2)},
        "used": {"left": True, "right": False},
    }
    assert warning is not None and warning["code"] == "outline_disagrees" and "right foot" in warning["message"]
    # no frame fitted: the frames stand as they were, and the summary says the outline could not be fitted
    same, entry, warning = with_outline(frames, [None, None], EXACT)
    assert same == frames and entry["fitted"] == 0 and not any(entry["used"].values())
    assert warning is not None and warning["code"] == "outline_not_fitted"


def replace_sides(m, view, left, right):
    from dataclasses import replace

    return replace(m, view=view, left=left, right=right)


def test_the_outline_is_read_on_a_few_frames_spread_over_those_with_both_feet():
    from analyzer.pipeline import OUTLINE_VIDEO_FRAMES, FrameRecord, outline_frames
    from analyzer.stance import SideMetrics, StanceMetrics, View

    def record(i, both):
        m = replace_sides(StanceMetrics.empty(i / 15, ""), View.FRONTAL, SideMetrics(turnout_deg=5.0),
                          SideMetrics(turnout_deg=6.0 if both else math.nan))
        return FrameRecord(i, i / 15, 1, None, m, m)

    records = [record(i, both=i % 3 != 0) for i in range(40)]
    picks = outline_frames(records)
    assert len(picks) == OUTLINE_VIDEO_FRAMES
    assert all(r.index % 3 != 0 for r in picks)  # only frames where both feet were read
    assert picks[0].index == 1 and picks[-1].index == 38  # from the first such frame to the last
    assert outline_frames(records[:2]) == [records[1]]
    assert outline_frames([record(0, both=False)]) == []
