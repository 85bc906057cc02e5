"""The accuracy benchmark as a regression test: the held-out renders must stay at the error levels reached.

The levels are the ones measured with ``python -m benchmarks.accuracy --split holdout`` (README table),
plus a small margin for arithmetic differences between CPUs. Tighten them when the method improves;
never loosen them to get green.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from analyzer.landmarks import LEG, MIRROR_INDEX, N_LANDMARKS, PoseFrame, Side
from analyzer.pipeline import AnalysisOptions, analyze_image, with_lens
from analyzer.pose import PoseEstimator
from analyzer.sources import read_image
from benchmarks.accuracy import (
    DEFAULT_TRUTH,
    aimed,
    cropped,
    knee_angles_by_true_turn,
    score_stills,
    sides_named_wrong,
    with_exif,
)
from tests.conftest import MODELS, need

# Photos are read twice (the frame and its mirror image, averaged); videos once. Both are held.
# Reached on 2026-11-21 (84 holdout stills, full model):
# - flip-averaged: turnout 4.20 deg all, 2.77 laptop+tripod; FPPA 3.61 deg; width ratio 0.128;
#   2 of 20 asymmetric pairs swapped; 148 of 168 feet measured.
# - single reading, with the hip-line rotation correction: 4.73, 3.13, 3.77, 0.155, 2 of 21, 147.
#   (Before that correction: 5.14, 4.21, 3.70, 0.15, 3.)
# - The knee angle is reported only for a body within 15 deg of square to the camera, with the facing
#   angle fused from the 3D hip line and the image width: FPPA 3.61 -> 2.02 deg flip-averaged over 91
#   of 168 legs (was 148: 30-45 deg oblique views are no longer read as frontal), 3.77 -> 2.09 single
#   over 87. Facing angle MAE 2.6 deg flip-averaged, 3.2 single (the width ratio alone: 10.4).
# - The stance width as the mean of the heel and the ankle readings: width ratio 0.128 -> 0.110
#   flip-averaged, 0.155 -> 0.138 single.
# - The knee angle's turn gate 15 -> 12 deg (chosen on train: benchmarks.calibrate --fppa-turn): FPPA
#   2.02 -> 1.59 deg flip-averaged over 81 legs (was 91), 2.09 -> 1.91 single over 83 (was 87).
# - The turnout given back the model's pull towards a medial knee (MetricsConfig.knee_pull_deg): turnout
#   4.20 -> 4.02 deg flip-averaged (laptop+tripod 2.77 -> 2.60), 4.73 -> 4.59 single (3.13 -> 3.00).
# - The stance width from the heels scaled and given back the model's inset of the heels, with a quarter
#   share from the ankles (MetricsConfig.heel_distance_ratio, benchmarks.calibrate --width): width ratio
#   0.110 -> 0.101 flip-averaged, 0.139 -> 0.129 single; in cm 2.27 -> 2.06 and 2.75 -> 2.51.
# - The turnout given back its bias over the body's turn (MetricsConfig.turn_gain_deg_per_deg, fitted on
#   train: benchmarks.calibrate --turn): turnout 4.02 -> 3.71 deg flip-averaged (laptop+tripod 2.60 ->
#   2.60), 4.59 -> 4.26 single (3.00 -> 2.97).
# - The 3D pose turned into the camera's axes (geometry.camera.camera_aligned): turnout 3.71 -> 3.71 deg
#   flip-averaged, 4.26 -> 4.22 single; swaps 2 -> 1 of 20 (1 of 21 single); FPPA 1.59 -> 1.60; width and
#   cm unchanged (0.10, 2.07). Its gain is off-centre (test_a_body_off_centre_in_the_picture_...).
# - The picture's own knee angle averaged in at 0.4 (MetricsConfig.fppa_image_share, calibrate
#   --fppa-image): FPPA 1.60 -> 1.37 deg flip-averaged, 1.93 -> 1.79 single.
# - Session 27, flip-averaged only: near a front view the facing follows the shoulders' and ears' 3D lines
#   where both agree with the hips' within 4 deg (MetricsConfig.upper_body_share, calibrate --facing-cues):
#   turnout 3.71 -> 3.61 deg (laptop 3.17 -> 2.91, tripod 1.88 -> 1.69, laptop+tripod 2.41); FPPA 1.37 ->
#   1.34 over 79 legs; swaps 1 of 20; single readings unchanged.
LIMITS = {
    # flip: (turnout all, turnout laptop+tripod, FPPA, width ratio, swaps, feet measured at least)
    True: (3.75, 2.55, 1.45, 0.11, 1, 146),
    False: (4.4, 3.1, 1.9, 0.135, 1, 145),
}
# The heel distance in cm with the body's true height given (issue target 1.5 cm): 4.93 cm flip-averaged
# with the anatomical segment share of stature (0.779), 2.27 with the model's own (0.685, fitted on train);
# read once 2.75. With the heel inset given back: 2.06, read once 2.51.
CM_LIMITS = {True: 2.2, False: 2.6}
# The knee offset given back the model's bias (MetricsConfig.knee_offset_bias_ratio, calibrate
# --knee-offset): 0.101 -> 0.06 flip-averaged, 0.102 -> 0.08 single (all stills, squats included).
OFFSET_LIMITS = {True: 0.07, False: 0.09}
# flip: (facing angle MAE, knee angles reported at least of the legs of bodies truly within the gate, at most
# of the legs of bodies truly turned past it). Until 2026-11-22 the count was over all legs (80 / 82), which
# hid that 4 / 6 of them were legs of bodies truly turned 19 deg that the hip line read under 12 (they
# read 3.9 / 3.5 deg off). The legs of bodies within the gate: 77 of 78 both ways (one deep squat withheld).
VIEW_LIMITS = {True: (2.9, 77, 4), False: (3.5, 77, 6)}


def mae(errors: list[float]) -> float:
    a = np.asarray(errors, dtype=float)
    return float(np.mean(np.abs(a[np.isfinite(a)])))


def rendered_set(model: str) -> dict[str, Any]:
    """The committed rendered set's truth (skips, naming what is missing, without the model or the set)."""
    need(MODELS / f"pose_landmarker_{model}.task")
    if not DEFAULT_TRUTH.is_file():
        pytest.skip(f"needs {DEFAULT_TRUTH} (the committed rendered set)")
    return json.loads(DEFAULT_TRUTH.read_text())


def rendered_clip(clip_id: str) -> dict[str, Any]:
    """One rendered clip's entry in the committed set (read with the full model)."""
    return next(c for c in rendered_set("full")["clips"] if c["id"] == clip_id)


@pytest.fixture(scope="module", params=[True, False], ids=["flip-averaged", "single-reading"])
def holdout(request):
    truth = rendered_set("full")
    errors = score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent, flip=request.param)
    return errors, LIMITS[request.param] + (CM_LIMITS[request.param], OFFSET_LIMITS[request.param]), VIEW_LIMITS[request.param]


def test_turnout_error_on_held_out_bodies_and_cameras(holdout):
    e, (turnout, front, _, _, swaps, detected, _, _), _ = holdout
    assert mae(e["all"]["turnout_deg"]) <= turnout
    assert mae(e["laptop"]["turnout_deg"] + e["tripod"]["turnout_deg"]) <= front
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= detected
    assert sum(e["all"]["turnout_swaps"]) <= swaps


# Feet named the wrong side in the picture, at most (benchmarks.accuracy.sides_named_wrong; 2026-11-22):
# flip-averaged none of the 84 holdout stills; read once 1 (s0331, a deep squat at 45 deg, read L 14.6 /
# R -10.8 for 19.4 / 0.6, turned 52 deg).
NAMED_WRONG_LIMITS = {True: 0, False: 1}


def test_feet_are_named_the_right_side(holdout, request):
    # Directly in the picture: the analyzer's left foot where the body's left foot is.
    e, _, _ = holdout
    named = np.asarray(e["all"]["named_wrong"], dtype=float)
    flip = request.node.callspec.params["holdout"]
    assert np.isfinite(named).sum() >= 80 and np.nansum(named) <= NAMED_WRONG_LIMITS[flip]


def test_the_naming_check_sees_a_swap():
    # A perfect reading of a committed still (its truth pixels), and the same with the sides' names swapped.
    still = rendered_set("full")["stills"][0]
    w, h = still["camera"]["image_size"]
    xy = np.full((N_LANDMARKS, 2), 0.5)
    px = still["truth"]["points_px"]
    for side in Side:
        leg = LEG[side]
        for lm, name in ((leg.heel, "heel"), (leg.ankle, "ankle"), (leg.toe, "toe2")):
            xy[lm] = np.asarray(px[f"{name}_{side.value}"], dtype=float) / [w, h]
    ones = np.ones(N_LANDMARKS)
    pose = PoseFrame(image_xy=xy, world_xyz=np.zeros((N_LANDMARKS, 3)), visibility=ones, presence=ones, t_s=0.0,
                     size_wh=(int(w), int(h)))
    assert sides_named_wrong(pose, still) == 0.0
    swapped = replace(pose, image_xy=xy[MIRROR_INDEX])
    assert sides_named_wrong(swapped, still) == 1.0


def test_the_outline_share_study_starts_from_the_analyzers_own_blend():
    # benchmarks.calibrate --outline-share re-blends cached readings: with the difference given the same share
    # as the mean it must give what a photo reports (metrics.measure with an outline reading), and a larger
    # difference share must move the two feet apart or together about their unchanged mean.
    from analyzer.geometry.metrics import measure
    from analyzer.view import turn_from_axis_deg
    from benchmarks.calibrate import blended_turnout
    from tests.test_geometry import EXACT
    from tests.test_silhouette import _scene_and_pose

    pose, scene = _scene_and_pose((20.0, 5.0))
    alone = measure(pose, scene, EXACT)
    landmarks = {side: alone.side(side).turnout_deg for side in Side}
    outline = {Side.LEFT: landmarks[Side.LEFT] - 6.0, Side.RIGHT: landmarks[Side.RIGHT] + 4.0}
    photo = measure(pose, scene, EXACT, outline_turnout_deg=outline)
    share, turn = EXACT.silhouette_share, turn_from_axis_deg(photo.yaw_deg)
    same = blended_turnout(landmarks, outline, turn, share, share, 15.0, EXACT)
    assert [same[Side.LEFT], same[Side.RIGHT]] == pytest.approx([photo.left.turnout_deg, photo.right.turnout_deg])
    square = blended_turnout(landmarks, outline, 0.0, share, 1.0, 15.0, EXACT)
    assert square[Side.LEFT] + square[Side.RIGHT] == pytest.approx(same[Side.LEFT] + same[Side.RIGHT])
    assert square[Side.LEFT] - square[Side.RIGHT] == pytest.approx(outline[Side.LEFT] - outline[Side.RIGHT])
    assert blended_turnout(landmarks, outline, 15.0, share, 1.0, 15.0, EXACT) == pytest.approx(
        blended_turnout(landmarks, outline, 15.0, share, share, 15.0, EXACT))  # tapered away at 15 deg of turn


def test_knee_and_width_errors_on_held_out_bodies_and_cameras(holdout):
    e, (_, _, fppa, width, _, _, width_cm, offset), _ = holdout
    assert mae(e["all"]["knee_fppa_deg"]) <= fppa
    assert mae(e["all"]["stance_width_ratio"]) <= width
    assert mae(e["all"]["stance_width_cm"]) <= width_cm
    assert mae(e["all"]["knee_offset_ratio"]) <= offset


def test_facing_angle_and_view_classes_on_held_out_cameras(holdout):
    e, _, (turn_mae, fppa_legs, turned_legs) = holdout
    assert mae(e["all"]["turn_deg"]) <= turn_mae
    # Front cameras are front views; the 45 deg oblique cameras never are (their knee angles were 5-6 deg off).
    for kind in ("laptop", "tripod", "low_phone"):
        assert np.nansum(e[kind]["front_view"]) == np.isfinite(e[kind]["front_view"]).sum() > 0
    assert np.nansum(e["oblique45"]["front_view"]) == 0
    # The gate must not starve the knee: legs of bodies truly square to the camera keep their angle; and
    # it must hold back the legs of bodies truly turned past it.
    counts = knee_angles_by_true_turn(e["all"])
    assert counts is not None
    square_reported, _, turned_reported, turned = counts
    assert square_reported >= fppa_legs
    assert turned >= 80 and turned_reported <= turned_legs


# Photos with the feet's outline fit (AnalysisOptions.silhouette, the photos' default since session 12;
# geometry.silhouette), same 84
# holdout stills, flip-averaged, reached on 2026-11-21: turnout 3.71 -> 3.07 deg (laptop 3.17 -> 2.26,
# tripod 1.88 -> 1.68, laptop+tripod 2.02; 30 deg oblique 2.88 -> 2.38, 45 deg 5.45 -> 4.66, low phone
# 5.27 -> 3.86), 148 feet; asymmetric pairs read in the wrong order 1 -> 2 of 20 (s0155, 20 deg oblique:
# true 12.4 / 26.3, landmarks 14.0 / 16.0, outline 24.5 / 19.0, together 17.7 / 17.0). It was opt-in for
# that one until session 12; LIMITS above still hold the landmarks alone (the live camera's path, --no-outline) to 1.
# Where both feet's outline readings are used the
# stance width comes from the fitted heels (MetricsConfig.outline_width_scale): width ratio 0.10 -> 0.08,
# in cm 2.07 -> 1.48 (the 1.5 cm target).
# Session 24, the shoe drawn at 0.7 of its height (silhouette.SHOE_TOP) and averaged in at 0.55: turnout
# 3.07 -> 2.93 deg (laptop 2.29, tripod 1.68, laptop+tripod 2.04; oblique 20 / 30 / 45 3.43 / 1.88 / 4.54,
# low phone 3.13), 148 feet, swaps 2 -> 1 of 20 (s0155 left); width 0.08, 1.48 -> 1.53 cm.
# Session 27, the facing from the shoulders' and ears' lines where they agree with the hips' (MetricsConfig.
# upper_body_share): turnout 2.93 -> 2.85 deg (laptop 2.19, tripod 1.22, laptop+tripod 1.80; oblique 20 / 30
# / 45 3.40 / 1.90 / 4.54, low phone 3.25), 148 feet, swaps 1 -> 0 of 20 (s0155 now in order); width 0.08,
# 1.53 -> 1.57 cm.
# Limits: (turnout all, laptop+tripod, swaps, feet, width ratio, width cm).
OUTLINE_LIMITS = (2.95, 1.9, 0, 146, 0.09, 1.6)


def test_photos_with_the_feet_outline_fit_on_held_out_bodies_and_cameras():
    truth = rendered_set("full")
    e = score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent, flip=True, silhouette=True)
    turnout, front, swaps, detected, width, width_cm = OUTLINE_LIMITS
    assert mae(e["all"]["turnout_deg"]) <= turnout
    assert mae(e["laptop"]["turnout_deg"] + e["tripod"]["turnout_deg"]) <= front
    assert sum(e["all"]["turnout_swaps"]) <= swaps
    # Until session 27 one near-equal reading of unequal feet was let through (s0155: 17.7 / 17.3 for 12.4 /
    # 26.3; before session 24 also s0027); no foot is named the wrong side in the picture (0 of 84, 2026-11-22).
    named = np.asarray(e["all"]["named_wrong"], dtype=float)
    assert np.isfinite(named).sum() >= 80 and np.nansum(named) == 0
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= detected
    assert mae(e["all"]["stance_width_ratio"]) <= width
    assert mae(e["all"]["stance_width_cm"]) <= width_cm


# Videos of a still stance: each holdout still filmed for 1.5 s (15 fps, its own sensor noise per frame;
# benchmarks.accuracy --as-video) and read by analyze_video, scored on its summary. With the outline fit
# on 5 frames of the still stretch (AnalysisOptions.silhouette, the default since session 13), reached on
# 2026-11-21: turnout 3.99 -> 3.45 deg (laptop 2.78 -> 2.39, tripod 2.33 -> 1.89, laptop+tripod 2.19;
# oblique 20 / 30 / 45 4.01 / 3.28 / 5.68 -> 3.90 / 2.62 / 4.96, low phone 6.30 -> 5.02), 154 feet both
# ways; asymmetric pairs in the wrong order 2 -> 3 of 22; width 0.10 both (the video keeps the
# landmarks' width). The landmarks alone read 3.99, past the limit: a video path that lost the fit fails.
# Session 24 (the shoe at 0.7 of its height, share 0.55): 3.45 -> 3.14 deg (laptop 2.22, tripod 1.62,
# laptop+tripod 1.96; oblique 20 / 30 / 45 3.90 / 2.58 / 4.13, low phone 4.45), 154 feet, swaps 3 -> 1 of 22.
# Session 27, the still stretch turned by its frames' median upper-body turn (pipeline.still_facing_turn_deg):
# 3.14 -> 3.08 deg (laptop 2.05, tripod 1.63, laptop+tripod 1.88), swaps 1 -> 0 of 22; landmarks alone 3.99
# -> 3.91.
# Limits: (turnout all, laptop+tripod, swaps, feet, width ratio).
VIDEO_OUTLINE_LIMITS = (3.15, 1.95, 0, 152, 0.11)
# The knee angle of those videos, with the picture's own angle averaged in (MetricsConfig.fppa_image_share;
# the hips stand tall, so in full): 1.62 deg over 84 legs (the lifted skeleton alone 1.96 over 86 in the
# committed file, which predated later changes; 4.96 against 3.31 over the same 6 legs of 20 deg oblique).
VIDEO_FPPA_LIMIT = 1.75


def test_videos_of_a_still_stance_read_the_feet_outline_on_held_out_bodies_and_cameras():
    truth = rendered_set("full")
    e = score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent, flip=True, silhouette=True, as_video=1.5)
    turnout, front, swaps, detected, width = VIDEO_OUTLINE_LIMITS
    assert mae(e["all"]["turnout_deg"]) <= turnout
    assert mae(e["laptop"]["turnout_deg"] + e["tripod"]["turnout_deg"]) <= front
    assert sum(e["all"]["turnout_swaps"]) <= swaps
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= detected
    assert mae(e["all"]["stance_width_ratio"]) <= width
    assert mae(e["all"]["knee_fppa_deg"]) <= VIDEO_FPPA_LIMIT


# The held-out stills re-projected through their cameras turned 10 deg left and right (benchmarks.accuracy
# --aim), so the body stands off-centre: with MediaPipe's 3D pose read as if in the camera's axes the turnout
# was 5.87 / 6.51 deg (left minus right error +10.4 / -9.1 deg on average), the facing angle 6.7 / 5.8, FPPA
# 2.40 / 2.35; turned into the camera's axes (geometry.camera.camera_aligned, its share fitted on train):
# turnout 3.79 / 4.37 (left minus right 0.0 / +1.4), facing angle 2.6 / 2.8, FPPA 1.60 / 1.56; with the picture's
# own knee angle averaged in (MetricsConfig.fppa_image_share) FPPA 1.35 / 1.29. Limits: (turnout, |mean left - right
# error|, facing angle, FPPA).
AIMED_LIMITS = (4.5, 2.5, 3.0, 1.45)


@pytest.mark.parametrize("pan_deg", [-10.0, 10.0])
def test_a_body_off_centre_in_the_picture_is_read_in_the_cameras_axes(pan_deg):
    truth = rendered_set("full")
    e = score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent, flip=True, aim=(pan_deg, 0.0))
    turnout, apart, turn, fppa = AIMED_LIMITS
    assert mae(e["all"]["turnout_deg"]) <= turnout
    per_still = np.asarray(e["all"]["turnout_deg"], dtype=float).reshape(-1, 2)  # left, right per still
    both = np.all(np.isfinite(per_still), axis=1)
    assert abs(float(np.mean(per_still[both, 0] - per_still[both, 1]))) <= apart
    assert mae(e["all"]["turn_deg"]) <= turn
    assert mae(e["all"]["knee_fppa_deg"]) <= fppa


# The held-out stills rendered with room around them (benchmarks/synthetic/data_room: the same poses and
# cameras on a picture 1.25x larger each way) and turned 6 deg down and up (--aim 0 -6 / 0 +6), so the
# hips sit about 6 deg below or above the picture's centre, with the scene all round. Reached on the full
# room set (42 holdout stills, low phones included; field-of-view prior): turnout 3.50 / 4.71 deg (bias
# +0.00 / -1.13), 74 / 75 of 84 feet, FPPA 1.83 / 1.74. (Set first on the 27 stills rendered by then:
# 3.18 / 4.26.) The bias moves with the height in the picture because the model's body vertical follows
# the line of sight up-down too (README, "Off-centre"; geometry.camera.RAY_FOLLOW_UP_DOWN). Limits:
# (turnout, |bias above - bias below|, feet measured at least, FPPA). With the picture's own knee angle averaged
# in: FPPA 1.54 / 1.54.
ROOM_TRUTH = DEFAULT_TRUTH.parent.parent / "data_room" / "truth.json"
ROOM_LIMITS = (5.0, 1.4, 72, 1.65)


def room_set() -> dict[str, Any]:
    """The committed set rendered with room's truth (skips, naming what is missing, without the model or the set)."""
    need(MODELS / "pose_landmarker_full.task")
    if not ROOM_TRUTH.is_file():
        pytest.skip(f"needs {ROOM_TRUTH} (the committed set rendered with room)")
    return json.loads(ROOM_TRUTH.read_text())


def test_a_body_above_or_below_the_centre_of_the_picture_is_read():
    truth = room_set()
    turnout, apart, feet, fppa = ROOM_LIMITS
    bias = []
    for tilt in (-6.0, 6.0):
        e = score_stills(truth, "holdout", None, ROOM_TRUTH.parent, flip=True, aim=(0.0, tilt))
        t = np.asarray(e["all"]["turnout_deg"], dtype=float)
        assert mae(e["all"]["turnout_deg"]) <= turnout
        assert int(np.isfinite(t).sum()) >= feet
        assert mae(e["all"]["knee_fppa_deg"]) <= fppa
        bias.append(float(np.nanmean(t)))
    assert abs(bias[1] - bias[0]) <= apart


# The photos' default (the feet's outline fit) on the room set's held-out stills as rendered (centred;
# --truth .../data_room/truth.json --outline), reached in session 12: turnout 3.21 deg against 4.23 with the
# landmarks alone (laptop 5.75 -> 3.71, tripod 1.46 -> 1.10), swaps 1 of 9 both ways, 75 of 84 feet;
# heel distance 2.91 -> 2.45 cm. Limits: (turnout, swaps, feet, width cm).
ROOM_OUTLINE_LIMITS = (3.35, 1, 74, 2.6)


def test_photos_read_with_the_outline_fit_on_the_stills_rendered_with_room():
    truth = room_set()
    turnout, swaps, feet, width_cm = ROOM_OUTLINE_LIMITS
    e = score_stills(truth, "holdout", None, ROOM_TRUTH.parent, flip=True, silhouette=True)
    assert mae(e["all"]["turnout_deg"]) <= turnout
    assert sum(e["all"]["turnout_swaps"]) <= swaps
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= feet
    assert mae(e["all"]["stance_width_cm"]) <= width_cm


def test_a_photo_with_the_hips_high_in_the_picture_gets_a_framing_warning(tmp_path):
    # The held-out room stills turned 6 deg up read their hips about 5 deg above the centre through the
    # field-of-view prior (pipeline.FRAMED_HIGH_DEG is 4): nearly all must be told to fix the camera (81 % get
    # this warning, 10 % the camera-low one instead, which comes first); level and turned down, (almost) none.
    need(MODELS / "pose_landmarker_full.task")
    if not ROOM_TRUTH.is_file():
        pytest.skip(f"needs {ROOM_TRUTH} (the committed set rendered with room)")
    stills = [s for s in json.loads(ROOM_TRUTH.read_text())["stills"] if s["split"] == "holdout"]
    warned = {}
    with PoseEstimator("full", "image", flip_average=True) as est:
        for tilt in (-6.0, 0.0, 6.0):
            codes = []
            for s in stills:
                image, _ = aimed(s, ROOM_TRUTH.parent, tmp_path, 0.0, tilt)
                summary = analyze_image(image, AnalysisOptions(annotate=False), estimator=est).summary
                codes.append({w["code"] for w in summary["warnings"]})
            warned[tilt] = float(np.mean(["framed_high" in c for c in codes]))
            if tilt > 0:
                assert np.mean([bool(c & {"framed_high", "camera_low"}) for c in codes]) >= 0.85
    assert warned[6.0] >= 0.7
    assert warned[0.0] <= 0.1
    assert warned[-6.0] == 0.0


@pytest.mark.parametrize(("flip", "max_mae"), [(True, 3.4), (False, 4.7)], ids=["flip-averaged", "single-reading"])
def test_smoothing_neither_lags_nor_adds_error_on_the_rendered_turnout_sweep(flip, max_mae):
    # The laptop sweep turns both feet from -5 to 40 deg and back in 2 s at 15 fps. Reached, smoothed
    # MAE left / right: flip-averaged (the default for files) 2.97 / 2.52 deg, lag 1 frame; single
    # reading with the hip-line correction 3.89 / 4.15 deg, lag 0 (raw 3.88 / 4.16). A smoothing window
    # that widens or lags shows up here (a +/-0.5 s window had added 2-3 deg before the correction).
    # Session 8: the 3D pose turned into the camera's axes (geometry.camera.camera_aligned) turns this
    # clip's forward direction by 0.2 deg (its hips sit 0.25 deg off the optical axis), which moves the
    # single reading's left / right from 3.83 / 4.47 to 3.86 / 4.66 deg (flip-averaged 2.89 / 2.57 ->
    # 2.88 / 2.64). The single-reading limit was 4.5 (0.03 above 4.47); it is re-based to 4.7 for that
    # trade: the same change took the held-out bodies seen off-centre from 5.9-6.5 to 3.8-4.4 deg and the
    # mean over the ten rendered turnout series from 3.40 to 3.25 (flip-averaged 3.15 -> 3.01).
    from benchmarks.temporal import score_clip

    clip = rendered_clip("turnout_sweep")
    rows = {r["metric"]: r for r in score_clip(clip, DEFAULT_TRUTH.parent, "full", flip)}
    for side in ("left", "right"):
        r = rows[f"turnout {side}"]
        assert r["lag"] is not None and abs(r["lag"]) <= 1
        assert r["smooth_mae"] <= r["raw_mae"] + 0.3
        assert r["smooth_mae"] <= max_mae


def test_turnout_seen_from_an_angle_gets_back_its_bias_on_the_rendered_oblique_sweep():
    # The turn correction was fitted on the train stills; this clip (feet turning 0 -> 40 deg seen from
    # 30 deg to the side, never used for fitting) checks it over time. Reached, smoothed MAE left / right,
    # flip-averaged: 4.11 / 3.46 deg without it (bias -3.9 / -3.4), 2.84 / 1.83 with it. Session 8: the
    # 3D pose turned into the camera's axes turns this clip's forward direction by 1.4 deg (hips 1.8 deg
    # off the axis): 2.91 / 2.16 (bias -1.25 / +1.01). The right foot's limit was 2.1; re-based to 2.2
    # for that trade (see the laptop sweep above and test_a_body_off_centre_in_the_picture_...).
    from benchmarks.temporal import score_clip

    clip = rendered_clip("turnout_sweep_oblique30")
    rows = {r["metric"]: r for r in score_clip(clip, DEFAULT_TRUTH.parent, "full", True)}
    left, right = rows["turnout left"], rows["turnout right"]
    assert left["smooth_mae"] <= 3.1 and right["smooth_mae"] <= 2.2
    assert abs(left["smooth_bias"]) <= 2.5 and abs(right["smooth_bias"]) <= 2.0


def test_deep_squat_knee_angles_are_withheld_on_the_rendered_squat():
    # The model reads this squat's knee bend far too small (truly 96 deg read 50-90), so the 75 deg bend
    # gate alone let the deepest knee angles through, 5.8-8.2 deg off. The hips' drop in the picture
    # against the standing frames catches them. Reached (flip-averaged): FPPA on 40 of 64 legs, none
    # truly bent past 81 deg, MAE 5.10 -> 3.11 deg; the shallow frames keep their angle.
    from analyzer.pipeline import AnalysisOptions, analyze_video

    clip = rendered_clip("squat_knees_in")
    a = analyze_video(DEFAULT_TRUTH.parent / clip["video"], AnalysisOptions(annotate=False))
    rows = [
        (f["truth"]["knee_flexion_deg"][side], getattr(r.raw, side).knee_fppa_deg - f["truth"]["knee_fppa_deg"][side])
        for r, f in zip(a.records, clip["frames"], strict=True)
        for side in ("left", "right")
    ]
    bend = np.array([b for b, _ in rows])
    err = np.array([e for _, e in rows])
    assert not np.isfinite(err[bend >= 90]).any()
    assert np.isfinite(err[bend <= 45]).all()
    assert float(np.mean(np.abs(err[np.isfinite(err)]))) <= 3.2


def test_heavy_model_reads_with_its_own_fits():
    # The corrections are fitted per pose model (analyzer.geometry.metrics.MODEL_FITS). Heavy with Full's
    # fits read the stance 0.25 hip widths too wide (its heels are not pulled in) and, read once, turnout
    # 10.0 deg off (its hip line is turned 12.45 deg, Full's 3.25). Reached on holdout with its own fits:
    # flip-averaged turnout 4.57 deg (4.52 with the turn correction), width ratio 0.11 (0.25 before),
    # 2.27 cm; read once turnout 6.20 deg (6.03).
    truth = rendered_set("heavy")
    e = score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent, "heavy", flip=True)
    assert mae(e["all"]["turnout_deg"]) <= 4.6
    assert mae(e["all"]["stance_width_ratio"]) <= 0.12
    assert abs(float(np.nanmean(e["all"]["stance_width_ratio"]))) <= 0.05
    assert mae(e["all"]["stance_width_cm"]) <= 2.4


LENS_TRUTH = DEFAULT_TRUTH.parent.parent / "data_lens" / "truth.json"


def test_an_ultrawide_photo_reads_better_with_its_lens_from_exif():
    # The lens set (benchmarks/synthetic/data_lens: held-out bodies through a phone's 2x, 3x and ultra-wide
    # cameras, none used for fitting). Its ultra-wide stills (100 deg across a landscape picture, 80 across a
    # portrait one) are far from the 65 deg prior; with their lens in EXIF the turnout reads 2.82 deg off
    # instead of 4.43 (bias -2.30 -> +1.14), all 32 feet both ways.
    need(MODELS / "pose_landmarker_full.task")
    if not LENS_TRUTH.is_file():
        pytest.skip(f"needs {LENS_TRUTH} (the committed lens set)")
    full = json.loads(LENS_TRUTH.read_text())
    truth = {**full, "stills": [s for s in full["stills"] if s["camera"]["camera_kind"] == "ultrawide"]}
    prior = score_stills(truth, "holdout", None, LENS_TRUTH.parent)
    exif = score_stills(truth, "holdout", None, LENS_TRUTH.parent, exif=True)
    assert np.isfinite(exif["all"]["turnout_deg"]).sum() >= 30
    assert mae(exif["all"]["turnout_deg"]) <= 3.1
    assert mae(exif["all"]["turnout_deg"]) <= mae(prior["all"]["turnout_deg"]) - 1.0


def test_a_photo_cut_down_to_the_body_reads_its_lens_from_exif(tmp_path):
    # Held-out stills cut down to the body plus 5 % of its height (benchmarks.accuracy --crop 0.05), as a
    # user trims a photo: through the field-of-view prior the cut looks like a much narrower lens. Written
    # with the camera's EXIF (35 mm-equivalent focal length and picture size, --exif), the analyzer reads
    # the lens at the camera's pixel scale. Reached on all 84: turnout MAE 6.37 -> 5.13 deg, swaps 6 -> 4
    # of 22 (uncut: 3.71); on the first 24 used here 6.62 -> 5.31.
    truth = rendered_set("full")
    prior = score_stills(truth, "holdout", 24, DEFAULT_TRUTH.parent, crop=0.05)
    exif = score_stills(truth, "holdout", 24, DEFAULT_TRUTH.parent, crop=0.05, exif=True)
    before, after = mae(prior["all"]["turnout_deg"]), mae(exif["all"]["turnout_deg"])
    assert after <= 5.6
    assert after <= before - 0.8


def test_the_lens_from_exif_is_used_reported_and_overridden_by_the_users(tmp_path):
    # One held-out still (72 deg across its width; the prior says 65), as a camera's JPEG with its lens in
    # the EXIF: the analysis takes that lens (the same reading as giving it by hand), says so in the
    # summary, and a field of view the user gives wins. Cut down to the body, it is said to be cut.
    truth = rendered_set("full")
    s = next(x for x in truth["stills"] if x["split"] == "holdout" and x["camera"]["camera_kind"] == "laptop")
    image = DEFAULT_TRUTH.parent / s["image"]
    camera_wh = tuple(s["camera"]["image_size"])
    photo = with_exif(image, s, tmp_path, camera_wh)
    with PoseEstimator("full", "image", flip_average=True) as est:
        read = analyze_image(photo, AnalysisOptions(annotate=False), estimator=est)
        lens = read.summary["lens"]
        assert lens["source"] == "metadata" and not lens["cropped"]
        assert lens["hfov_deg"] == pytest.approx(s["camera"]["hfov_deg"], abs=0.6)  # whole-mm rounding
        # The lens exactly as the metadata gives it (the summary rounds it; the photos' outline fit, a search,
        # moves by a few hundredths of a degree with that rounding).
        exact = with_lens(AnalysisOptions(), read_image(photo)[1]).hfov_deg
        assert exact == pytest.approx(lens["hfov_deg"], abs=0.05)
        by_hand = analyze_image(photo, AnalysisOptions(annotate=False, hfov_deg=exact), estimator=est)
        for side in ("left", "right"):
            a, b = (getattr(x.records[0].raw, side).turnout_deg for x in (read, by_hand))
            assert a == pytest.approx(b, abs=0.05)
        # A field of view the user gives (other than the file's own) is said to be given.
        rounded = analyze_image(photo, AnalysisOptions(annotate=False, hfov_deg=lens["hfov_deg"]), estimator=est)
        assert rounded.summary["lens"]["source"] == "given"
        given = analyze_image(photo, AnalysisOptions(annotate=False, hfov_deg=50.0), estimator=est).summary["lens"]
        assert given["source"] == "given" and given["hfov_deg"] == 50.0 and given["equivalent_mm"] is None
        plain = analyze_image(image, AnalysisOptions(annotate=False), estimator=est).summary
        assert plain["lens"]["source"] == "prior" and plain["lens"]["hfov_deg"] == 65.0
        cut, s_cut = cropped(s, image, tmp_path, 0.05)
        cut_summary = analyze_image(with_exif(cut, s_cut, tmp_path, camera_wh), AnalysisOptions(annotate=False), estimator=est).summary
    assert cut_summary["lens"]["source"] == "metadata" and cut_summary["lens"]["cropped"]
    true_cut_hfov = float(np.degrees(2 * np.arctan(s_cut["camera"]["image_size"][0] / 2 / s_cut["camera"]["K"][0][0])))
    assert cut_summary["lens"]["hfov_deg"] == pytest.approx(true_cut_hfov, abs=0.6)
    assert "photo_cropped" in {w["code"] for w in cut_summary["warnings"]}
    assert "photo_cropped" not in {w["code"] for w in plain["warnings"]}


# The twist set (benchmarks/synthetic/data_twist): bodies whose trunk is twisted 3-10 deg on the pelvis or
# whose head is turned 10-30 deg, so the shoulders' and ears' lines do not face where the hips do. The
# photos' facing follows those lines only where they agree with the hips' within 4 deg
# (MetricsConfig.upper_body_gate_deg). Reached in session 27 on its 40 held-out stills (photos' default):
# turnout 3.69 deg against 3.52 with the hips alone (laptop 2.75 -> 3.30, tripod 3.64 -> 3.86; laptop+tripod 3.56), 77 of 80
# feet, no swaps; with no gate (every body's upper body followed, share 0.5) the set's front
# facing read 4.66 deg RMS on holdout against the hips' 3.31. Limits: (turnout, laptop+tripod, swaps, feet).
TWIST_TRUTH = DEFAULT_TRUTH.parent.parent / "data_twist" / "truth.json"
TWIST_LIMITS = (3.8, 3.65, 0, 76)


def test_photos_of_bodies_with_a_twisted_trunk_or_turned_head():
    need(MODELS / "pose_landmarker_full.task")
    if not TWIST_TRUTH.is_file():
        pytest.skip(f"needs {TWIST_TRUTH} (the committed twist set)")
    turnout, front, swaps, feet = TWIST_LIMITS
    e = score_stills(json.loads(TWIST_TRUTH.read_text()), "holdout", None, TWIST_TRUTH.parent, flip=True, silhouette=True)
    assert mae(e["all"]["turnout_deg"]) <= turnout
    assert mae(e["laptop"]["turnout_deg"] + e["tripod"]["turnout_deg"]) <= front
    assert sum(e["all"]["turnout_swaps"]) <= swaps
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= feet
