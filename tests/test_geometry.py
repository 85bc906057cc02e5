"""Floor geometry and metrics on hand-built skeletons seen through a known camera (tests/synthetic.py).

Because the synthetic landmarks are exact projections of a known body, the metrics must come back as
the numbers the body was built with (to within the numerical error of the solve).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from analyzer.geometry.camera import (
    MAX_UPRIGHT_LEGS_LEAN_DEG,
    MAX_UPRIGHT_SPREAD_DEG,
    RAY_FOLLOW_ACROSS,
    RAY_FOLLOW_UP_DOWN,
    Intrinsics,
    angle_deg,
    body_spread_deg,
    body_up,
    camera_aligned,
    estimate_scene,
    hips_above_axis_deg,
    is_upright,
    legs_lean_deg,
    lifted_foot,
)
from analyzer.geometry.metrics import (
    FPPA_MIN_HIP_HEIGHT_RATIO,
    IMPLAUSIBLE_FOOT_REASON,
    LIFTED_FOOT_REASON,
    WIDTH_TRUSTED_TURN_DEG,
    MetricsConfig,
    _width_turn_deg,
    facing_yaw_deg,
    fppa_deg,
    hip_rise,
    knee_offset_ratio,
    measure,
    turnout_deg,
)
from analyzer.landmarks import Landmark, Side
from analyzer.stance import View
from analyzer.view import FPPA_TURN_REASON, classify_yaw, turn_from_axis_deg
from tests.synthetic import HIP_HALF_WIDTH, body_points, camera_view, lift_foot, rot_y, stand_on_one_leg

# Exact landmarks carry none of MediaPipe's hip-line rotation, so the geometry tests switch its correction off.
# Exact landmarks have none of the model's biases, so the corrections fitted for them are off.
EXACT = MetricsConfig(hip_line_yaw_deg=0.0, knee_pull_deg=0.0, turn_gain_deg_per_deg=0.0, knee_offset_bias_ratio=0.0)


def metrics_for(points, config=EXACT, **cam):
    pose, f = camera_view(points, **cam)
    intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
    scene = estimate_scene(pose, intr)
    assert scene is not None
    return measure(pose, scene, config), scene


LEFT = np.array([1.0, 0.0, 0.0])
UP = np.array([0.0, 1.0, 0.0])
FWD = np.array([0.0, 0.0, 1.0])


def test_knee_angle_is_withheld_when_the_hips_have_dropped_into_a_deep_squat():
    # In a video the pipeline compares the hips' height above the ankles with the standing frames; below
    # FPPA_MIN_HIP_HEIGHT_RATIO the knee is bent past about 75 deg, whatever the model's 3D bend says.
    pose, f = camera_view(body_points())
    intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
    scene = estimate_scene(pose, intr)
    assert scene is not None
    for ratio, reported in ((None, True), (1.0, True), (FPPA_MIN_HIP_HEIGHT_RATIO + 0.01, True), (FPPA_MIN_HIP_HEIGHT_RATIO - 0.01, False)):
        m = measure(pose, scene, EXACT, hip_height_ratio=ratio)
        assert math.isfinite(m.left.knee_fppa_deg) is reported
        assert math.isfinite(m.left.knee_offset_ratio)  # the offset stays
        if not reported:
            assert "bent too far" in m.reasons["knee_fppa_deg.left"]
    # hip_rise: the hips' height above the ankles in hip widths, from the picture.
    px = pose.pixels_xy
    expected = (0.5 * (px[Landmark.LEFT_ANKLE] + px[Landmark.RIGHT_ANKLE])[1] - 0.5 * (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP])[1]) / np.linalg.norm(
        px[Landmark.LEFT_HIP] - px[Landmark.RIGHT_HIP]
    )
    assert hip_rise(pose) == pytest.approx(float(expected))
    assert 3.0 < hip_rise(pose) < 6.0  # about 0.85 m of leg over 0.2 m of hips
    # On one leg the hips' drop is read over the standing ankle alone: a foot raised 30 cm (1.5 hip widths)
    # lowers the two ankles' midpoint by 0.75 hip widths, which read as hips dropped 18% (a deep squat).
    raised, _ = camera_view(lift_foot(body_points(), Side.RIGHT, 0.30))
    assert hip_rise(raised, Side.LEFT) == pytest.approx(hip_rise(pose), rel=0.01)
    assert hip_rise(raised) < 0.85 * hip_rise(pose)


def test_turnout_sign_convention():
    # A foot pointing 45 deg towards the subject's left: toe-out for the left foot, toe-in for the right.
    heel = np.zeros(3)
    toe = np.array([1.0, 0.0, 1.0])
    assert turnout_deg(heel, toe, LEFT, FWD, Side.LEFT) == pytest.approx(45.0)
    assert turnout_deg(heel, toe, LEFT, FWD, Side.RIGHT) == pytest.approx(-45.0)
    assert math.isnan(turnout_deg(heel, heel, LEFT, FWD, Side.LEFT))


def test_fppa_sign_and_size():
    # Left leg: hip at x=0.1, ankle at x=0.1 straight below; knee moved 0.05 m towards the midline (-x)
    # halfway down. Thigh and shank each deviate atan(0.05/0.4) from vertical, so FPPA = 2*atan(0.125).
    hip, ankle = np.array([0.1, 0.9, 0.0]), np.array([0.1, 0.1, 0.0])
    knee_in = np.array([0.05, 0.5, 0.0])
    expected = 2 * math.degrees(math.atan(0.05 / 0.4))
    assert fppa_deg(hip, knee_in, ankle, LEFT, UP, Side.LEFT) == pytest.approx(expected)
    knee_out = np.array([0.15, 0.5, 0.0])
    assert fppa_deg(hip, knee_out, ankle, LEFT, UP, Side.LEFT) == pytest.approx(-expected)
    # Mirror image for the right leg: medial is +x.
    m = np.array([-1.0, 1.0, 1.0])
    assert fppa_deg(hip * m, knee_out * m, ankle * m, LEFT, UP, Side.RIGHT) == pytest.approx(-expected)
    assert fppa_deg(hip * m, knee_in * m, ankle * m, LEFT, UP, Side.RIGHT) == pytest.approx(expected)
    assert fppa_deg(hip, np.array([0.1, 0.5, 0.0]), ankle, LEFT, UP, Side.LEFT) == 0.0


def test_knee_offset_medial_positive():
    # Left foot along +z from the origin; a knee 0.02 m towards -x (the midline) is medial: +0.02 / 0.2 = +0.1.
    heel, toe = np.zeros(3), np.array([0.0, 0.0, 0.2])
    knee = np.array([-0.02, 0.5, 0.1])
    assert knee_offset_ratio(knee, heel, toe, UP, Side.LEFT, 0.2) == pytest.approx(0.1)
    assert knee_offset_ratio(knee, heel, toe, UP, Side.RIGHT, 0.2) == pytest.approx(-0.1)


@pytest.mark.parametrize(
    ("turn_l", "turn_r", "cam"),
    [
        (0.0, 0.0, {}),
        (10.0, 10.0, {}),
        (30.0, 5.0, {}),
        (-8.0, 20.0, {"height_m": 1.4}),
        (40.0, 40.0, {"height_m": 0.6, "distance_m": 1.9, "size_wh": (720, 1280)}),  # low portrait phone: feet at 17.5 deg
        (15.0, 25.0, {"yaw_deg": 30.0}),
        (15.0, 25.0, {"yaw_deg": -45.0, "size_wh": (720, 1280), "hfov_deg": 40.0}),
    ],
)
def test_turnout_recovered_through_the_camera(turn_l, turn_r, cam):
    # The 2D image angle of these feet differs from the true angle by up to tens of degrees (perspective);
    # floor back-projection through the exact camera must undo that.
    m, _ = metrics_for(body_points(turn_l, turn_r), **cam)
    assert m.left.turnout_deg == pytest.approx(turn_l, abs=0.5)
    assert m.right.turnout_deg == pytest.approx(turn_r, abs=0.5)


def test_a_foot_read_pointing_behind_the_body_is_not_reported():
    # Past 90 deg of toe-out (or toe-in) a foot would point behind the body: the landmarks are wrong (a foot
    # half out of the picture read +103 on the real street clip). A dancer's 85 deg is still read.
    m, _ = metrics_for(body_points(85.0, 120.0))
    assert m.left.turnout_deg == pytest.approx(85.0, abs=0.5)
    assert math.isnan(m.right.turnout_deg)
    assert m.reasons["turnout_deg.right"] == IMPLAUSIBLE_FOOT_REASON
    toe_in, _ = metrics_for(body_points(-100.0, 0.0))
    assert math.isnan(toe_in.left.turnout_deg) and toe_in.right.turnout_deg == pytest.approx(0.0, abs=0.5)


def test_camera_near_floor_level_is_not_measured():
    # 0.45 m high and 3.2 m away: the floor is seen at about 8 deg, where errors grow as cot(elevation).
    m, _ = metrics_for(body_points(20, 20), height_m=0.45, distance_m=3.2)
    assert m.camera_elevation_deg < 15.0
    assert math.isnan(m.left.turnout_deg) and math.isnan(m.stance_width_ratio)
    assert "floor level" in m.reasons["turnout_deg.left"]


def test_stance_width_ratio_and_view():
    # Heels 0.40 m apart, hip joint centres 0.20 m apart: ratio 2.0 from exact landmarks (the correction for
    # MediaPipe's too-close heels switched off) ...
    exact = MetricsConfig(heel_width_scale=1.0, heel_inset_ratio=0.0, ankle_share=0.0, ankle_width_scale=1.0, hip_line_yaw_deg=0.0)
    m, scene = metrics_for(body_points(heel_half_distance=0.20), exact)
    assert m.stance_width_ratio == pytest.approx(0.40 / (2 * HIP_HALF_WIDTH), rel=0.02)
    # ... and the default applies exactly its fitted correction on top: the heels' distance scaled plus
    # the model's inset of the heels, blended with the ankles' distance scaled to the heels.
    cfg = MetricsConfig()
    default, _ = metrics_for(body_points(heel_half_distance=0.20), cfg)
    heels, ankles = m.stance_width_ratio, m.ankle_width_ratio
    expected = 0.75 * (1.16 * heels + 0.10) + 0.25 * 1.10 * ankles
    assert default.stance_width_ratio == pytest.approx(expected)
    assert default.ankle_width_ratio == pytest.approx(ankles * cfg.ankle_width_scale)
    # Steps have no ankles: the heels alone.
    assert cfg.heel_distance_ratio(1.0) == pytest.approx(1.26)
    assert m.view is View.FRONTAL
    # The facing angle's size comes from image width / 3D width; perspective makes that ratio a touch
    # under 1 even straight on, and acos is steep near 1, so "straight on" reads within a few degrees.
    assert abs(m.yaw_deg) < 6.0
    assert scene.camera_height_m == pytest.approx(0.9, rel=0.05)


@pytest.mark.parametrize(("yaw", "view"), [(40.0, View.OBLIQUE), (90.0, View.LEFT_SAGITTAL), (-90.0, View.RIGHT_SAGITTAL), (180.0, View.POSTERIOR)])
def test_view_from_camera_position(yaw, view):
    # yaw_deg places the camera around the subject: +90 puts it on the subject's left side.
    m, _ = metrics_for(body_points(10, 10), yaw_deg=yaw)
    assert m.view is view


def test_side_view_reports_nan_with_reason():
    m, _ = metrics_for(body_points(10, 10), yaw_deg=90.0)
    assert math.isnan(m.left.turnout_deg) and math.isnan(m.stance_width_ratio)
    assert "side view" in m.reasons["turnout_deg.left"]


def _scaled_widths(pose, factor, pairs=((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),)):
    """The pose with the 2D points of each pair spread ``factor`` times as far apart (3D unchanged)."""
    xy = pose.image_xy.copy()
    for a, b in pairs:
        mid = 0.5 * (xy[a] + xy[b])
        xy[a], xy[b] = mid + factor * (xy[a] - mid), mid + factor * (xy[b] - mid)
    return replace(pose, image_xy=xy)


def test_facing_angle_keeps_a_turn_the_width_ratio_cannot_see():
    # Turned 30 deg, exact landmarks: the 3D hip line and the width ratio both read about 30.
    pose, _ = camera_view(body_points(10, 10), yaw_deg=30.0)
    assert abs(facing_yaw_deg(pose, 30.0)) == pytest.approx(30.0, abs=3.0)
    # With the image shoulders as wide as MediaPipe puts them (wider than its 3D ones) the width ratio
    # alone reads "square on"; from the front the 3D hip line's reading is kept, so the view stays oblique.
    wide = _scaled_widths(pose, 1.3)
    assert _width_turn_deg(wide) < 5.0
    assert facing_yaw_deg(wide, 30.0) == pytest.approx(30.0)
    assert facing_yaw_deg(wide, -30.0) == pytest.approx(-30.0)
    assert classify_yaw(facing_yaw_deg(wide, 30.0)) is View.OBLIQUE
    # Seen from behind the 3D hip line over-reads the turn, so the width ratio decides: a 3D reading of
    # 130 deg on a body the image shows square becomes a back view.
    back, _ = camera_view(body_points(10, 10), yaw_deg=180.0)
    assert facing_yaw_deg(back, 130.0) == pytest.approx(180.0, abs=5.0)
    assert classify_yaw(facing_yaw_deg(back, 130.0)) is View.POSTERIOR
    assert math.isnan(facing_yaw_deg(pose, math.nan))


def test_facing_angle_ignores_width_wander_near_a_front_view():
    # Square on, with shoulders and hips 3% narrower in the image (landmark wander, arms raised to the
    # side): the width ratio alone swings to about 14 deg; the facing angle keeps the 3D reading.
    pose, _ = camera_view(body_points(10, 10))
    both = ((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP))
    narrow = _scaled_widths(pose, 0.97, both)
    assert 10.0 < _width_turn_deg(narrow) < 20.0
    assert facing_yaw_deg(narrow, -2.0) == pytest.approx(-2.0)
    # A side view is where the width ratio is trusted: it lifts a 3D hip line that under-reads the turn.
    side, _ = camera_view(body_points(10, 10), yaw_deg=80.0)
    assert _width_turn_deg(side) > WIDTH_TRUSTED_TURN_DEG
    assert facing_yaw_deg(side, 50.0) == pytest.approx(_width_turn_deg(side))
    assert classify_yaw(facing_yaw_deg(side, 50.0)) is View.LEFT_SAGITTAL


@pytest.mark.parametrize(("yaw", "fppa_reported"), [(0.0, True), (10.0, True), (-11.0, True), (14.0, False), (20.0, False), (-22.0, False), (170.0, True), (160.0, False)])
def test_knee_angle_only_for_a_body_square_to_the_camera(yaw, fppa_reported):
    # The knee's frontal-plane angle leans on MediaPipe's depth more the further the body is turned:
    # it is reported within FPPA_MAX_TURN_DEG of a front or back view; the knee offset stays.
    m, _ = metrics_for(body_points(5, 5, knee_shift_medial=(0.04, 0.04)), yaw_deg=yaw)
    assert m.view in (View.FRONTAL, View.POSTERIOR)
    assert math.isfinite(m.left.knee_fppa_deg) is fppa_reported
    assert math.isfinite(m.left.knee_offset_ratio)
    if not fppa_reported:
        assert m.reasons["knee_fppa_deg.left"] == FPPA_TURN_REASON
    assert turn_from_axis_deg(yaw) == pytest.approx(min(abs(yaw), 180 - abs(yaw)))


def test_default_config_turns_the_hip_line_back_by_the_models_rotation():
    # MediaPipe's hip line is turned about 3.25 deg (forward towards the subject's left); the default
    # turns it back. On exact landmarks, which lack that rotation, the correction shows in full: the
    # forward direction turns 3.25 deg to the subject's right, so the left foot reads 3.25 deg more
    # toe-out and the right foot 3.25 deg less.
    m, _ = metrics_for(body_points(10, 10), MetricsConfig())
    assert m.left.turnout_deg == pytest.approx(10 - MetricsConfig().hip_line_yaw_deg, abs=0.3)
    assert m.right.turnout_deg == pytest.approx(10 + MetricsConfig().hip_line_yaw_deg, abs=0.3)
    assert MetricsConfig().hip_line_yaw_deg == pytest.approx(-3.25)
    with pytest.raises(ValueError, match="hip_line_yaw_deg"):
        MetricsConfig(hip_line_yaw_deg=40.0)


def test_knee_valgus_through_the_camera():
    # Knees moved 0.04 m medially at 0.5 m height: hip-ankle vertical span is 0.85 m, so the thigh and the
    # shank deviate by atan(0.04/0.42) and atan(0.04/0.43) from the hip-ankle line: FPPA about 10.7 deg.
    pts = body_points(5, 5, knee_shift_medial=(0.04, 0.04))
    expected = math.degrees(math.atan(0.04 / 0.42) + math.atan(0.04 / 0.43))
    m, _ = metrics_for(pts)
    assert m.left.knee_fppa_deg == pytest.approx(expected, abs=0.5)
    assert m.right.knee_fppa_deg == pytest.approx(expected, abs=0.5)
    assert m.left.knee_offset_ratio > 0 and m.right.knee_offset_ratio > 0


def test_the_pictures_own_knee_angle_is_signed_by_which_side_of_the_picture_is_the_bodys_left():
    # Pixels of a left leg seen from the front: the body's left on the picture's right (+x), the knee
    # 12 px towards the picture's left, i.e. towards the midline: valgus, about 2 x atan(12 / 100).
    from analyzer.geometry.metrics import image_fppa_deg
    from analyzer.landmarks import N_LANDMARKS

    px = np.zeros((N_LANDMARKS, 2))
    px[Landmark.LEFT_HIP], px[Landmark.LEFT_KNEE], px[Landmark.LEFT_ANKLE] = (400, 200), (388, 300), (400, 400)
    px[Landmark.RIGHT_HIP], px[Landmark.RIGHT_KNEE], px[Landmark.RIGHT_ANKLE] = (300, 200), (312, 300), (300, 400)
    expected = 2 * math.degrees(math.atan(12 / 100))
    facing = np.array([1.0, 0.0, 0.0])  # the body's left along the camera's +x: facing the camera
    assert image_fppa_deg(px, Side.LEFT, facing) == pytest.approx(expected)
    assert image_fppa_deg(px, Side.RIGHT, facing) == pytest.approx(expected)  # mirrored: valgus too
    # the same pixels seen from behind (the body's left on the picture's left): both knees lie outside
    assert image_fppa_deg(px, Side.LEFT, -facing) == pytest.approx(-expected)
    assert image_fppa_deg(px, Side.RIGHT, -facing) == pytest.approx(-expected)


def test_the_pictures_knee_angle_is_averaged_in_for_straight_legs_and_fades_as_a_videos_hips_drop():
    # Exact landmarks of a valgus stance: the lifted skeleton reads the frontal-plane angle, the picture
    # its perspective view of it; the reported angle is fppa_image_share of the way from the first to the
    # second, for a photo (no hip height known) and a video standing tall, less as the hips drop, and
    # none past FPPA_PICTURE_BENT_RATIO.
    from analyzer.geometry.metrics import (
        FPPA_PICTURE_BENT_RATIO,
        FPPA_PICTURE_STRAIGHT_RATIO,
        floor_geometry,
        image_fppa_deg,
    )

    pose, f = camera_view(body_points(5, 5, knee_shift_medial=(0.04, 0.04)), height_m=1.4)
    intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
    scene = estimate_scene(pose, intr)
    assert scene is not None
    lifted = measure(pose, scene, replace(EXACT, fppa_image_share=0.0)).left.knee_fppa_deg
    picture = image_fppa_deg(pose.pixels_xy, Side.LEFT, floor_geometry(pose, scene).left)
    assert abs(picture - lifted) > 0.2  # the camera 1.4 m up sees the angle through its tilt
    cfg = replace(EXACT, fppa_image_share=0.4)
    half = (FPPA_PICTURE_STRAIGHT_RATIO + FPPA_PICTURE_BENT_RATIO) / 2
    for ratio, share in ((None, 0.4), (1.0, 0.4), (FPPA_PICTURE_STRAIGHT_RATIO, 0.4), (half, 0.2), (FPPA_PICTURE_BENT_RATIO, 0.0), (0.85, 0.0)):
        m = measure(pose, scene, cfg, hip_height_ratio=ratio)
        assert m.left.knee_fppa_deg == pytest.approx(lifted + share * (picture - lifted)), ratio
    assert MetricsConfig().fppa_image_share == pytest.approx(0.4) and MetricsConfig.for_model("heavy").fppa_image_share == 0.0


def test_a_knee_medial_of_the_foot_gives_back_the_models_pull_on_the_turnout():
    # The model turns a foot in towards a knee medial of it; the default config gives back
    # knee_pull_deg per hip width of knee offset beyond a neutral stance's. Exact landmarks have no
    # such pull, so here the correction shows in full: the same skeleton with and without it.
    pts = body_points(5, 5, knee_shift_medial=(0.04, 0.04))
    plain, _ = metrics_for(pts)
    cfg = MetricsConfig(hip_line_yaw_deg=0.0, turn_gain_deg_per_deg=0.0)
    pulled, _ = metrics_for(pts, cfg)
    for side in ("left", "right"):
        a, b = getattr(plain, side), getattr(pulled, side)
        assert a.knee_offset_ratio > 0.1
        expected = cfg.knee_pull_deg * (a.knee_offset_ratio - cfg.knee_pull_neutral)
        assert b.turnout_deg - a.turnout_deg == pytest.approx(expected, abs=1e-6)
        # The pull is counted on the offset as measured; the reported offset gets the knee's bias back.
        assert b.knee_offset_ratio == pytest.approx(a.knee_offset_ratio + cfg.knee_offset_bias_ratio)
        assert cfg.knee_offset_bias_ratio > 0
    # A side view has no knee offset, and no correction.
    side_plain, _ = metrics_for(pts, yaw_deg=40.0)
    side_pulled, _ = metrics_for(pts, cfg, yaw_deg=40.0)
    assert math.isnan(side_pulled.left.knee_offset_ratio)
    assert side_pulled.left.turnout_deg == side_plain.left.turnout_deg
    with pytest.raises(ValueError, match="knee_pull_deg"):
        MetricsConfig(knee_pull_deg=-1.0)


def test_a_turned_body_gets_back_the_turnouts_bias_over_the_turn():
    # The model under-reads turnout more the further the body is turned; the default gives back
    # turn_gain_deg_per_deg per degree of turn beyond the dead zone, to both feet alike. Exact landmarks
    # have no such bias, so the correction shows in full.
    pts = body_points(15, 25)
    cfg = MetricsConfig(hip_line_yaw_deg=0.0, knee_pull_deg=0.0)
    for yaw in (30.0, -45.0):
        plain, _ = metrics_for(pts, yaw_deg=yaw)
        turned, _ = metrics_for(pts, cfg, yaw_deg=yaw)
        turn = turn_from_axis_deg(plain.yaw_deg)
        assert turn > 20.0
        expected = cfg.turn_gain_deg_per_deg * (turn - cfg.turn_dead_zone_deg)
        for side in ("left", "right"):
            assert getattr(turned, side).turnout_deg - getattr(plain, side).turnout_deg == pytest.approx(expected, abs=1e-6)
    # Square on (the estimate reads under the dead zone) and from behind (no renders to fit it on): none.
    for yaw in (0.0, 165.0):
        plain, _ = metrics_for(pts, yaw_deg=yaw)
        turned, _ = metrics_for(pts, cfg, yaw_deg=yaw)
        assert math.isfinite(plain.left.turnout_deg)
        assert turned.left.turnout_deg == plain.left.turnout_deg
    with pytest.raises(ValueError, match="turn_gain_deg_per_deg"):
        MetricsConfig(turn_gain_deg_per_deg=-0.1)


def test_a_foot_held_off_the_floor_gives_no_turnout_width_or_knee_angle():
    # The right foot held 0.25 m up (1.25 hip widths), the knee bent forward to lift it. Laid on the floor
    # along its line of sight that foot lands far behind where it is (the real balance clip read the
    # stance 7.7 hip widths wide), so it gives no turnout and no stance width, and its knee no
    # frontal-plane angle (a standing leg's measure). The floor comes from the standing foot alone, so
    # that foot is measured as before.
    standing = body_points(10.0, 10.0)
    m, scene = metrics_for(lift_foot(standing, Side.RIGHT, 0.25, knee_forward_m=0.15))
    assert math.isnan(m.right.turnout_deg) and m.reasons["turnout_deg.right"] == f"right {LIFTED_FOOT_REASON}"
    assert math.isnan(m.stance_width_ratio) and LIFTED_FOOT_REASON in m.reasons["stance_width_ratio"]
    assert math.isnan(m.right.knee_fppa_deg) and LIFTED_FOOT_REASON in m.reasons["knee_fppa_deg.right"]
    assert math.isnan(m.right.knee_offset_ratio)
    assert m.left.turnout_deg == pytest.approx(10.0, abs=0.5)
    assert math.isfinite(m.left.knee_fppa_deg)
    assert scene.camera_height_m == pytest.approx(0.9, abs=0.01)


def test_which_foot_is_off_the_floor():
    pose, _ = camera_view(lift_foot(body_points(), Side.LEFT, 0.25))
    up = np.array([0.0, -1.0, 0.0])  # a level camera: image y points down
    assert lifted_foot(pose, up) is Side.LEFT
    # Up on the toes (the heel 8 cm up), or a foot raised 5 cm: on the floor still.
    assert lifted_foot(camera_view(lift_foot(body_points(), Side.LEFT, 0.08, toes_too=False))[0], up) is None
    assert lifted_foot(camera_view(lift_foot(body_points(), Side.RIGHT, 0.05))[0], up) is None
    m, _ = metrics_for(lift_foot(body_points(10.0, 10.0), Side.RIGHT, 0.05))
    assert m.right.turnout_deg == pytest.approx(10.0, abs=1.5) and math.isfinite(m.stance_width_ratio)


def test_a_body_on_one_leg_does_not_tilt_the_pooled_floor():
    from analyzer.geometry.floor import FloorTracker

    # Standing on the right leg, the left swung 45 deg forward (its heel 24 cm up) and the trunk leaned
    # 20 deg over the standing leg: the mean of legs and trunk tilts 16.5 deg, and along that tilted
    # vertical both feet look level, so the lift test alone cannot see it (as on the real balance clip).
    standing, _ = camera_view(body_points(), height_m=1.0)
    one_leg, _ = camera_view(stand_on_one_leg(body_points(), Side.LEFT, 45.0, 20.0), height_m=1.0)
    floor_up = body_up(standing)
    assert floor_up is not None and body_spread_deg(standing) < 1.0
    assert body_spread_deg(one_leg) > MAX_UPRIGHT_SPREAD_DEG and legs_lean_deg(one_leg) > MAX_UPRIGHT_LEGS_LEAN_DEG
    assert is_upright(standing) and not is_upright(one_leg)
    tilted = body_up(one_leg)
    assert tilted is not None and angle_deg(tilted, floor_up) > 15.0
    assert lifted_foot(one_leg, tilted) is None and lifted_foot(one_leg, floor_up) is Side.LEFT

    tracker = FloorTracker()
    for _ in range(10):
        tracker.update(standing)
        assert tracker.standing
    for _ in range(60):  # more one-legged frames than standing ones: they would carry the median
        up = tracker.update(one_leg)
        assert not tracker.standing
    assert up is not None and angle_deg(up, floor_up) < 0.5
    # On one leg from the start: no frame votes, so there is no pooled floor to lean on.
    alone = FloorTracker()
    assert all(alone.update(one_leg) is None for _ in range(5))


def test_a_wide_stance_is_upright():
    # Heels 2.5 hip widths apart (the widest stance of the rendered set) with straight legs: each leg
    # leans out atan(0.15 / 0.85) = 10.0 deg from the body's mean vertical (the trunk's; the ankles sit
    # 0.15 m further out than the hips and 0.85 m below them), inside the limit, so the frame still sets
    # the floor.
    from analyzer.geometry.floor import FloorTracker

    wide, _ = camera_view(body_points(heel_half_distance=2.5 * HIP_HALF_WIDTH), height_m=1.0)
    assert body_spread_deg(wide) == pytest.approx(10.0, abs=0.05) and is_upright(wide)
    # Wider still, the spread passes its limit, but the legs' mean stays in line with the trunk.
    wider, _ = camera_view(body_points(heel_half_distance=4 * HIP_HALF_WIDTH), height_m=1.0)
    assert body_spread_deg(wider) > MAX_UPRIGHT_SPREAD_DEG and legs_lean_deg(wider) < 1.0 and is_upright(wider)
    tracker = FloorTracker()
    tracker.update(wide)
    assert tracker.standing and tracker.value is not None


def test_foot_out_of_frame_gives_reason():
    pose, f = camera_view(body_points(), distance_m=1.2)  # too close: feet fall below the image
    intr = Intrinsics(f_px=f, cx=640, cy=360, size_wh=(1280, 720))
    scene = estimate_scene(pose, intr)
    assert scene is not None
    m = measure(pose, scene, EXACT)
    assert math.isnan(m.left.turnout_deg)
    assert "out of view" in m.reasons["turnout_deg.left"]


def test_the_pipeline_judges_the_hips_drop_against_the_standing_frames():
    from analyzer.pipeline import MIN_STANDING_FRAMES, AnalysisOptions, FrameAnalyzer

    standing, _ = camera_view(body_points())
    # The same body with its hip pixels lowered by 30% of their height above the ankles (the 3D joints
    # stay straight, as the model's under-read squats do).
    squat_xy = standing.image_xy.copy()
    ankle_y = 0.5 * (squat_xy[Landmark.LEFT_ANKLE, 1] + squat_xy[Landmark.RIGHT_ANKLE, 1])
    for hip in (Landmark.LEFT_HIP, Landmark.RIGHT_HIP):
        squat_xy[hip, 1] += 0.3 * (ankle_y - squat_xy[hip, 1])
    squat = replace(standing, image_xy=squat_xy)
    fa = FrameAnalyzer(AnalysisOptions())
    fa.floor.update(squat)
    assert fa.hip_height_ratio(squat) is None  # no standing reference yet
    for _ in range(MIN_STANDING_FRAMES):
        fa.floor.update(standing)
        ratio = fa.hip_height_ratio(standing)
    assert ratio == pytest.approx(1.0, abs=0.01)
    fa.floor.update(squat)
    assert fa.hip_height_ratio(squat) == pytest.approx(0.7, abs=0.02)


def test_each_pose_model_gets_its_own_fits():
    from analyzer.geometry.metrics import MODEL_FITS
    from analyzer.pipeline import AnalysisOptions, FrameAnalyzer

    full, heavy = MetricsConfig.for_model("full"), MetricsConfig.for_model("heavy")
    assert full == MetricsConfig()
    assert heavy != full and set(MODEL_FITS["heavy"]) <= set(vars(heavy))
    assert all(getattr(heavy, k) == v for k, v in MODEL_FITS["heavy"].items())
    # The per-frame analysis reads with the fits of the model it runs.
    assert FrameAnalyzer(AnalysisOptions(model="heavy")).config == heavy
    assert FrameAnalyzer(AnalysisOptions()).config == full


def _read_along_the_line_of_sight(pose, intr):
    """What MediaPipe gives for ``pose`` (exact, camera axes): the 3D pose turned with the line of sight to
    the hips, by the shares the model follows it (camera.RAY_FOLLOW_ACROSS / _UP_DOWN)."""
    hip = 0.5 * (pose.pixels_xy[Landmark.LEFT_HIP] + pose.pixels_xy[Landmark.RIGHT_HIP])
    x, y = (hip[0] - intr.cx) / intr.f_px, (hip[1] - intr.cy) / intr.f_px
    sight = np.array([RAY_FOLLOW_ACROSS * x, RAY_FOLLOW_UP_DOWN * y, 1.0])
    sight /= np.linalg.norm(sight)
    axis = np.cross([0.0, 0.0, 1.0], sight)
    angle = math.asin(float(np.linalg.norm(axis)))
    k = axis / np.linalg.norm(axis)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    turn = np.eye(3) + math.sin(angle) * kx + (1 - math.cos(angle)) * kx @ kx  # optical axis -> sight line
    return replace(pose, world_xyz=pose.world_xyz @ turn)  # each row turned by turn^T


@pytest.mark.parametrize("pan_deg", [-14.0, 14.0])
def test_a_person_off_centre_is_measured_in_the_cameras_axes_not_the_models(pan_deg):
    # Seen 14 deg off the optical axis, the model's 3D pose follows the line of sight: read as if it were in
    # the camera's axes, the body's forward direction is 11 deg (0.8 x 14) off, and the two feet's turnouts
    # err by about that much in opposite directions. Turned back into the camera's axes, the exact geometry
    # recovers them as for a centred person (test_turnout_recovered_through_the_camera: 0.5 deg).
    exact, f = camera_view(body_points(10.0, 20.0), pan_deg=pan_deg)
    intr = Intrinsics(f_px=f, cx=exact.size_wh[0] / 2, cy=exact.size_wh[1] / 2, size_wh=exact.size_wh)
    hip_x = 0.5 * (exact.pixels_xy[Landmark.LEFT_HIP, 0] + exact.pixels_xy[Landmark.RIGHT_HIP, 0])
    assert math.copysign(1.0, hip_x - intr.cx) == math.copysign(1.0, pan_deg)  # the body is off-centre that way
    read = _read_along_the_line_of_sight(exact, intr)
    as_read = measure(read, estimate_scene(read, intr), EXACT)
    assert abs(as_read.left.turnout_deg - 10.0) > 5.0 and abs(as_read.right.turnout_deg - 20.0) > 5.0
    aligned = camera_aligned(read, intr)
    assert aligned.camera_aligned and camera_aligned(aligned, intr) is aligned  # turned once only
    np.testing.assert_allclose(aligned.world_xyz, exact.world_xyz, atol=1e-9)
    m = measure(aligned, estimate_scene(aligned, intr), EXACT)
    assert m.left.turnout_deg == pytest.approx(10.0, abs=0.5)
    assert m.right.turnout_deg == pytest.approx(20.0, abs=0.5)


def test_a_person_on_the_optical_axis_keeps_the_models_axes():
    exact, f = camera_view(body_points(10.0, 20.0))
    w, h = exact.size_wh
    hip = 0.5 * (exact.pixels_xy[Landmark.LEFT_HIP] + exact.pixels_xy[Landmark.RIGHT_HIP])
    intr = Intrinsics(f_px=f, cx=float(hip[0]), cy=float(hip[1]), size_wh=(w, h))  # hips on the axis
    np.testing.assert_allclose(camera_aligned(exact, intr).world_xyz, exact.world_xyz, atol=1e-12)


@pytest.mark.parametrize("above_deg", [10.0, -7.0, 0.0])
def test_how_far_the_hips_sit_above_the_optical_axis(above_deg):
    # The principal point put f * tan(angle) below the hips' pixel: the hips are that angle above the axis.
    exact, f = camera_view(body_points(10.0, 20.0))
    hip = 0.5 * (exact.pixels_xy[Landmark.LEFT_HIP] + exact.pixels_xy[Landmark.RIGHT_HIP])
    cy = float(hip[1]) + f * math.tan(math.radians(above_deg))
    intr = Intrinsics(f_px=f, cx=float(hip[0]) + 40.0, cy=cy, size_wh=exact.size_wh)
    assert hips_above_axis_deg(exact, intr) == pytest.approx(above_deg, abs=1e-9)


def _upper_body_turned(deg: float) -> dict[Landmark, np.ndarray]:
    """body_points(10, 10) with ears, its shoulders and ears turned by ``deg`` about the vertical through the
    hips' centre (+ = the front towards the subject's left); the hips and feet stay."""
    p = body_points(10, 10)
    p[Landmark.LEFT_EAR], p[Landmark.RIGHT_EAR] = np.array([0.075, 1.60, 0.05]), np.array([-0.075, 1.60, 0.05])
    centre = np.array([0.0, 0.0, 0.05])
    for lm in (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_EAR, Landmark.RIGHT_EAR):
        p[lm] = centre + rot_y(deg) @ (p[lm] - centre)
    return p


@pytest.mark.parametrize(
    "turn_deg, flip_averaged, camera_yaw_deg, moved_deg",
    [
        (3.0, True, 0.0, 3.0),  # within the gate, square to the camera: the facing follows them in full (share 1)
        (-2.0, True, 0.0, -2.0),
        (5.0, True, 0.0, 0.0),  # past the 4 deg gate: a twisted trunk or turned head, the hips alone
        (3.0, False, 0.0, 0.0),  # read once: the lines' own rotations in a single reading were never measured
        (3.0, True, 30.0, 0.0),  # turned past the 25 deg taper: the hips alone
    ],
)
def test_the_shoulders_and_ears_turn_the_facing_only_when_they_agree_with_the_hips(turn_deg, flip_averaged, camera_yaw_deg, moved_deg):
    # Shoulders and ears turned by d on still hips: with upper_body_share 1 the body's forward direction
    # turns by d too (their mean offset), so the left foot (10 deg towards the left of forward) reads 10 - d
    # and the right foot 10 + d; outside the conditions above the feet read their built 10 deg. The camera
    # 30 deg round reads them through the floor it estimates, so there only the two feet's difference is held
    # to zero (a facing moved by d would make it -2d). A video's frames read the hips alone (for_video).
    pose, f = camera_view(_upper_body_turned(turn_deg), yaw_deg=camera_yaw_deg)
    pose = replace(pose, flip_averaged=flip_averaged)
    intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
    scene = estimate_scene(pose, intr)
    assert scene is not None
    config = replace(EXACT, upper_body_share=1.0, upper_body_gate_deg=4.0, upper_body_taper_deg=25.0)
    m = measure(pose, scene, config)
    if camera_yaw_deg == 0.0:
        assert m.left.turnout_deg == pytest.approx(10.0 - moved_deg, abs=0.3)
        assert m.right.turnout_deg == pytest.approx(10.0 + moved_deg, abs=0.3)
    assert m.left.turnout_deg - m.right.turnout_deg == pytest.approx(-2.0 * moved_deg, abs=0.3)
    off = measure(pose, scene, replace(EXACT, upper_body_share=0.0))  # the hips alone
    assert off.left.turnout_deg - off.right.turnout_deg == pytest.approx(0.0, abs=0.3)
    with pytest.raises(ValueError, match="upper_body_share"):
        MetricsConfig(upper_body_share=1.5)
    assert measure(pose, scene, config.for_video()).left.turnout_deg == pytest.approx(off.left.turnout_deg)


def test_a_videos_still_stretch_takes_the_upper_bodys_facing_as_one_steady_turn():
    # A video's frames are measured with the hips alone (MetricsConfig.for_video); over a still stretch the
    # summary's turnout is then turned by the median of what a photo's reading would turn each frame
    # (pipeline.still_facing_turn_deg). Three frames with shoulders and ears turned 3 deg and one turned
    # 7 deg (past the 4 deg gate: 0 for that frame) have median 3 deg, so the left foot reads 3 deg less
    # turned out and the right 3 deg more; read once, no frame gives a turn.
    from analyzer.pipeline import FrameRecord, still_facing_turn_deg, turned_facing

    records = []
    for i, turn in enumerate((3.0, 3.0, 7.0, 3.0)):
        pose, f = camera_view(_upper_body_turned(turn))
        pose = replace(pose, flip_averaged=True)
        intr = Intrinsics(f_px=f, cx=pose.size_wh[0] / 2, cy=pose.size_wh[1] / 2, size_wh=pose.size_wh)
        scene = estimate_scene(pose, intr)
        assert scene is not None
        m = measure(pose, scene, EXACT.for_video())
        records.append(FrameRecord(i, i / 15.0, 1, pose, m, m, scene=scene))
    config = replace(EXACT, upper_body_share=1.0, upper_body_gate_deg=4.0, upper_body_taper_deg=25.0)
    turn = still_facing_turn_deg(records, config)
    assert turn == pytest.approx(3.0, abs=0.3)
    turned = turned_facing([r.smooth for r in records], turn)
    for r, t in zip(records, turned, strict=True):
        assert r.smooth.left.turnout_deg == pytest.approx(10.0, abs=0.3)  # the frame itself: hips alone
        assert t.left.turnout_deg == pytest.approx(r.smooth.left.turnout_deg - turn)
        assert t.right.turnout_deg == pytest.approx(r.smooth.right.turnout_deg + turn)
    once = [replace(r, pose=replace(r.pose, flip_averaged=False)) for r in records]
    assert still_facing_turn_deg(once, config) == 0.0
    assert still_facing_turn_deg([], config) == 0.0
