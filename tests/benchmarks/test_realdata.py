"""benchmarks/realdata.py: TRC parsing, floor geometry, PCK, person matching and L/R swaps on hand-checkable
inputs, plus the truth derivation on the real Pose2Sim TRC (skipped when ../shared is absent)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks import realdata as R

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def write_trc(path: Path, rows: list[list[float]], names: tuple[str, ...], units: str = "m", n_frames: int | None = None) -> Path:
    head = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"50\t50\t{n_frames if n_frames is not None else len(rows)}\t{len(names)}\t{units}\t50\t0\t{len(rows)}",
        "Frame#\tTime\t" + "".join(f"{n}\t\t\t" for n in names),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
    ]
    body = ["\t".join(str(v) for v in [k + 1, k / 50.0, *row]) for k, row in enumerate(rows)]
    path.write_text("\n".join(head + body) + "\n")
    return path


# ---------------------------------------------------------------- TRC parsing


def test_read_trc_tiny_file(tmp_path: Path) -> None:
    rows = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]
    trc = R.read_trc(write_trc(tmp_path / "a.trc", rows, ("LHeel", "RHeel")))
    assert trc.rate_hz == 50 and trc.units == "m" and trc.names == ("LHeel", "RHeel")
    assert trc.xyz_m.shape == (2, 2, 3)
    np.testing.assert_allclose(trc.marker("RHeel"), [[4, 5, 6], [10, 11, 12]])  # second triplet of each row
    np.testing.assert_allclose(trc.t_s, [0.0, 0.02])


def test_read_trc_millimetres_are_converted(tmp_path: Path) -> None:
    trc = R.read_trc(write_trc(tmp_path / "mm.trc", [[1000, 0, -500]], ("LHip",), units="mm"))
    np.testing.assert_allclose(trc.marker("LHip"), [[1.0, 0.0, -0.5]])


def test_read_trc_rejects_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="frames"):
        R.read_trc(write_trc(tmp_path / "n.trc", [[1, 2, 3]], ("LHip",), n_frames=5))
    bad = tmp_path / "x.trc"
    bad.write_text("not a trc\n" * 6)
    with pytest.raises(ValueError, match="PathFileType"):
        R.read_trc(bad)
    trc = R.read_trc(write_trc(tmp_path / "k.trc", [[1, 2, 3]], ("LHip",)))
    with pytest.raises(KeyError, match="RHip"):
        trc.marker("RHip")


# ---------------------------------------------------------------- geometry


def test_toe_out_of_known_feet() -> None:
    # Floor axes of the real file: subject's left = -z, forward = +x (unit (x, z) pairs).
    left, fwd = np.array([0.0, -1.0]), np.array([1.0, 0.0])
    heel = np.zeros(3)
    toe = np.array([math.cos(math.radians(10)), 0.0, -math.sin(math.radians(10))])  # 10 deg towards -z (left)
    assert R.toe_out_deg(heel, toe, left, fwd, "left") == pytest.approx(10.0)  # left toe to the left: out
    assert R.toe_out_deg(heel, toe, left, fwd, "right") == pytest.approx(-10.0)  # right toe to the left: in
    # Height (y) does not enter: a toe 5 cm lower gives the same floor angle.
    assert R.toe_out_deg(heel, toe - [0, 0.05, 0], left, fwd, "left") == pytest.approx(10.0)
    with pytest.raises(ValueError):
        R.toe_out_deg(heel, toe, left, fwd, "middle")


def make_stance(turn_l: float, turn_r: float, flip: bool = False) -> dict[str, np.ndarray]:
    """Hips 0.2 m apart on z (left = -z), heels 0.3 m apart, 0.2 m feet; toes at the given toe-out (deg).
    Small toes 2 cm lateral of the big toes' line ends so the midpoint line has the same angle as
    heel->big toe + the lateral offset; flip mirrors x (the subject faces -x)."""
    sx = -1.0 if flip else 1.0

    def foot(z_heel: float, turn: float, lateral_sign: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a = math.radians(turn)
        heel = np.array([0.0, 0.05, z_heel])
        toe = heel + 0.2 * np.array([sx * math.cos(a), -0.1, lateral_sign * math.sin(a)])
        return heel, toe, toe  # big toe = small toe -> midpoint = big toe

    lh, lt, ls = foot(-0.15, turn_l, -1.0)  # the left foot turns out towards -z
    rh, rt, rs = foot(0.15, turn_r, +1.0)
    return {"LHip": np.array([0.0, 0.9, -0.1]), "RHip": np.array([0.0, 0.9, 0.1]), "LHeel": lh, "RHeel": rh,
            "LBigToe": lt, "RBigToe": rt, "LSmallToe": ls, "RSmallToe": rs}


@pytest.mark.parametrize("flip", [False, True])
def test_stance_truth_of_a_made_up_stance(flip: bool) -> None:
    t = R.stance_truth(make_stance(12.0, -4.0, flip))
    # Facing -x the same body-relative turnout must come out: the forward sign follows the toes.
    assert t.toe_out_deg["big"]["left"] == pytest.approx(12.0)
    assert t.toe_out_deg["big"]["right"] == pytest.approx(-4.0)
    assert t.toe_out_deg["mid"]["left"] == pytest.approx(12.0)
    assert t.heel_distance_m == pytest.approx(0.30)  # heels at z = -0.15 and +0.15
    assert t.hip_width_m == pytest.approx(0.20)
    assert t.stance_width_ratio == pytest.approx(1.5)


def test_midpoint_line_differs_from_big_toe_line() -> None:
    p = make_stance(0.0, 0.0)
    # Put the left small toe 0.2 m forward and 0.04 m lateral (-z) of the heel: midpoint at (0.2, -0.02)
    # relative to the heel, i.e. atan(0.02 / 0.2) = 5.71 deg toe-out, while heel->big toe stays 0.
    p["LSmallToe"] = p["LHeel"] + np.array([0.2, -0.02, -0.04])
    t = R.stance_truth(p)
    assert t.toe_out_deg["big"]["left"] == pytest.approx(0.0, abs=1e-9)
    assert t.toe_out_deg["mid"]["left"] == pytest.approx(math.degrees(math.atan(0.1)))


def test_hfov_from_focal_length() -> None:
    assert R.hfov_deg(500.0, 1000.0) == pytest.approx(90.0)  # fx = W/2 -> 2 atan(1) = 90 deg
    assert R.hfov_deg(1681.24, 1088.0) == pytest.approx(35.9, abs=0.05)  # cam_01 of the lab clip


def test_arm_abduction_and_pose_shape() -> None:
    sh_mid, hip_mid = np.array([0.0, 1.4, 0.0]), np.array([0.0, 0.9, 0.0])
    assert R.arm_abduction_deg(np.array([0.2, 1.4, 0]), np.array([0.8, 1.4, 0]), sh_mid, hip_mid) == pytest.approx(90.0)
    assert R.arm_abduction_deg(np.array([0.2, 1.4, 0]), np.array([0.2, 0.8, 0]), sh_mid, hip_mid) == pytest.approx(0.0)
    s = R.pose_shape(np.array([-0.2, 1.4, 0]), np.array([0.2, 1.4, 0]), np.array([-0.8, 1.4, 0]), np.array([0.2, 0.8, 0]),
                     np.array([-0.1, 0.9, 0]), np.array([0.1, 0.9, 0]), np.array([-0.2, 0.1, 0]), np.array([0.2, 0.1, 0]))
    assert s.arm_abduction_deg == pytest.approx(45.0)  # mean of 90 and 0
    assert s.ankle_hip_ratio == pytest.approx(2.0)  # ankles 0.4 apart, hips 0.2


# ---------------------------------------------------------------- 2D scoring


def test_pck_on_known_points() -> None:
    errors = np.array([0.0, 4.0, 6.0, 11.0])  # px
    norms = np.full(4, 100.0)  # thresholds 5 px (a=0.05) and 10 px (a=0.1)
    assert R.pck(errors, norms, 0.05) == pytest.approx(0.5)  # 0 and 4
    assert R.pck(errors, norms, 0.1) == pytest.approx(0.75)  # 0, 4, 6
    assert R.pck(np.array([5.0]), np.array([100.0]), 0.05) == 1.0  # on the threshold counts
    assert math.isnan(R.pck(np.array([]), np.array([]), 0.1))


def test_bbox_iou() -> None:
    assert R.bbox_iou(np.array([0, 0, 10, 10]), np.array([0, 0, 10, 10])) == pytest.approx(1.0)
    assert R.bbox_iou(np.array([0, 0, 10, 10]), np.array([5, 0, 10, 10])) == pytest.approx(50 / 150)
    assert R.bbox_iou(np.array([0, 0, 10, 10]), np.array([20, 20, 5, 5])) == 0.0


def test_match_people_one_to_one() -> None:
    ann = [np.array([0, 0, 10, 20]), np.array([50, 0, 10, 20]), np.array([200, 0, 10, 10])]
    det = [np.array([51, 1, 10, 20]), np.array([1, 0, 10, 20])]  # listed in the other order
    assert R.match_people(ann, det) == [1, 0, None]  # the third has no overlapping detection
    # Two annotations over one detection: only the better overlap gets it.
    assert R.match_people([np.array([0, 0, 10, 10]), np.array([2, 0, 10, 10])], [np.array([0, 0, 10, 10])]) == [0, None]


def test_swap_detection() -> None:
    tl, tr = np.array([100.0, 300.0]), np.array([140.0, 300.0])
    assert not R.is_swapped(tl + 3, tr - 2, tl, tr)
    assert R.is_swapped(tr + 1, tl, tl, tr)  # MediaPipe's left sits on the annotated right


def test_score_keypoints_counts_and_other_side() -> None:
    px = np.full((33, 2), 120.0)  # every other landmark inside the person
    px[0], px[1] = (80, 140), (200, 140)  # the landmark box = the annotated box (80, 140)-(200, 300)
    px[29], px[30] = (140, 300), (100, 300)  # heels crossed over
    px[31], px[32] = (100, 260), (140, 260)  # foot index on the right sides
    person = R.AnnotatedPerson("a.jpg", np.array([80.0, 140.0, 120.0, 160.0]), {  # diagonal 200 px
        ("left", "heel"): np.array([100.0, 300.0]), ("right", "heel"): np.array([140.0, 300.0]),
        ("left", "big_toe"): np.array([104.0, 263.0]), ("left", "small_toe"): np.array([96.0, 263.0]),
    })
    s = R.score_keypoints([person], {"a.jpg": [px]})
    assert (s.persons, s.matched, s.feet, s.feet_matched) == (1, 1, 2, 1 + 1)
    assert s.errors["heel"] == [40.0, 40.0] and s.closer_other["heel"] == 2
    assert s.swaps == 1 and s.swap_pairs == 1
    assert s.errors["big_toe"] == [5.0]  # (4, 3) px off
    assert s.errors["toe_mid"] == [3.0]  # midpoint (100, 263)
    assert s.norms["heel"] == [200.0, 200.0]


def test_load_foot_annotations_orders(tmp_path: Path) -> None:
    import json

    img = [{"id": 1, "file_name": "a.jpg"}]
    foot = [1, 2, 2, 3, 4, 2, 5, 6, 2, 0, 0, 0, 0, 0, 0, 7, 8, 2]  # L big, L small, L heel, -, -, R heel
    wb = {"images": img, "annotations": [{"image_id": 1, "bbox": [0, 0, 10, 10], "foot_kpts": foot},
                                         {"image_id": 1, "bbox": [0, 0, 5, 5], "foot_kpts": [0] * 18}]}
    kp = [0.0] * (136 * 3)
    kp[20 * 3: 20 * 3 + 3] = [1, 2, 2]  # 20 = L big toe
    kp[25 * 3: 25 * 3 + 3] = [7, 8, 2]  # 25 = R heel
    halpe = {"images": img, "annotations": [{"image_id": 1, "bbox": [0, 0, 10, 10], "keypoints": kp}]}
    (tmp_path / "wb.json").write_text(json.dumps(wb))
    (tmp_path / "h.json").write_text(json.dumps(halpe))
    a = R.load_foot_annotations(tmp_path / "wb.json", "wholebody")
    b = R.load_foot_annotations(tmp_path / "h.json", "halpe")
    assert len(a) == 1  # the person without foot labels is dropped
    assert set(a[0].feet) == {("left", "big_toe"), ("left", "small_toe"), ("left", "heel"), ("right", "heel")}
    np.testing.assert_allclose(a[0].feet[("right", "heel")], [7, 8])
    assert set(b[0].feet) == {("left", "big_toe"), ("right", "heel")}
    rel, n = R.label_agreement(a, b)
    assert n == 2 and rel == [0.0, 0.0]


def test_crop_box_clipped() -> None:
    assert R.crop_box(np.array([10, 10, 40, 80]), (100, 100)) == (0, 0, 60, 100)
    assert R.crop_box(np.array([40, 40, 20, 20]), (100, 100)) == (35, 35, 65, 65)


# ---------------------------------------------------------------- camera and floor against a calibration


def level_camera(height_m: float) -> R.CameraCalib:
    """A camera at ``height_m`` looking along the lab's +Y, level: its x is the lab's X, its y the lab's -Z."""
    import cv2

    rot = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])  # lab -> camera
    centre = np.array([0.3, -3.0, height_m])
    return R.CameraCalib("cam_x", (1280, 720), np.eye(3), np.zeros(4), cv2.Rodrigues(rot)[0].ravel(), -rot @ centre)


def test_floor_and_height_from_a_calibration() -> None:
    cam = level_camera(1.35)
    assert np.allclose(R.floor_up_in_camera(cam), [0.0, -1.0, 0.0], atol=1e-9)  # up is the camera's -y
    assert R.camera_height_m(cam) == pytest.approx(1.35, abs=1e-9)


def test_foot_lift_from_triangulated_feet() -> None:
    # Y up, as the TRC files are; hips 0.2 m apart; the left foot 0.3 m up in frame 1, the right 0.1 m in frame 2.
    names = ("LHip", "RHip", "LHeel", "RHeel", "LBigToe", "RBigToe")
    frames = []
    for left_up, right_up in ((0.0, 0.0), (0.3, 0.0), (0.0, 0.1)):
        frames.append([[0.1, 0.9, 0.0], [-0.1, 0.9, 0.0], [0.1, 0.05 + left_up, 0.0], [-0.1, 0.05 + right_up, 0.0],
                       [0.1, 0.03 + left_up, 0.2], [-0.1, 0.03 + right_up, 0.2]])
    trc = R.Trc(50.0, "m", names, np.arange(3) / 50.0, np.asarray(frames))
    assert np.allclose(R.foot_lift_hip_widths(trc), [0.0, 1.5, -0.5])


def test_score_floor_counts_floors_lifts_and_false_flags() -> None:
    from types import SimpleNamespace

    from analyzer.landmarks import Side
    from tests.synthetic import HIP_HEIGHT, body_points, camera_view, lift_foot

    cam = level_camera(0.8 * HIP_HEIGHT)  # camera_view aims at 0.8 of the hip height: level from there
    up = R.floor_up_in_camera(cam)
    tilt = math.radians(10.0)
    tilted = np.array([0.0, -math.cos(tilt), math.sin(tilt)])
    view = {name: camera_view(points, height_m=0.8 * HIP_HEIGHT)[0] for name, points in (
        ("both", body_points()), ("left up", lift_foot(body_points(), Side.LEFT, 0.3)),
        ("right up", lift_foot(body_points(), Side.RIGHT, 0.3)))}
    # (pose, floor the analyzer used, the triangulated lift: + left foot higher, in hip widths)
    frames = [
        (view["both"], tilted, 0.0),  # both down, floor 10 deg off
        (view["left up"], up, 1.5),  # found
        (view["right up"], up, 1.5),  # found, but the foot named is the one he stands on
        (view["left up"], up, 0.1),  # a false flag
        (view["left up"], up, 0.5),  # between the lines: not scored
        (None, None, 0.0),  # no person: no floor; both down and nothing flagged
    ]
    records = [SimpleNamespace(index=i, pose=pose, scene=None if floor is None else SimpleNamespace(up=floor, camera_height_m=1.0))
               for i, (pose, floor, _) in enumerate(frames)]
    run = R.score_floor("trial", "cam_x", records, cam, np.array([lift for *_, lift in frames]))
    assert run.frames == 6 and len(run.floor_off_deg) == 5
    assert run.floor_off_deg[0] == pytest.approx(10.0, abs=1e-6) and max(run.floor_off_deg[1:]) < 1e-6
    assert run.height_m == [1.0] * 5 and run.true_height_m == pytest.approx(0.8 * HIP_HEIGHT)
    assert (run.lifts, run.found, run.other_foot) == (2, 2, 1)
    assert (run.down, run.false_flags) == (3, 1)
    # Without a TRC only the floors are scored.
    alone = R.score_floor("trial", "cam_x", records, cam)
    assert alone.floor_off_deg == run.floor_off_deg and (alone.lifts, alone.down) == (0, 0)
    table = R.floor_table([run, alone])
    assert "| trial | cam_x | 5/6 | 0.0 / 10.0 | 1.00 / 0.74 | 2/2 (1) | 1/3 |" in table
    assert "| trial | cam_x | 5/6 | 0.0 / 10.0 | 1.00 / 0.74 | - | - |" in table


# ---------------------------------------------------------------- the real file


def test_real_trc_truth_matches_catalogue() -> None:
    path = SHARED / R.TRC_REL
    if not path.is_file():
        pytest.skip(f"needs {path} (the shared folder next to the project)")
    trc = R.read_trc(path)
    t = R.trc_truth(trc)
    # The catalogue gives one decimal (2.5 / 3.4 deg) and two for the heels (0.18 m): agreement within that
    # rounding (0.05 deg, 0.005 m) plus a little slack for "about" -> 0.1 deg and 0.005 m.
    assert abs(t.toe_out_deg["big"]["left"]) == pytest.approx(3.4, abs=0.1)
    assert abs(t.toe_out_deg["big"]["right"]) == pytest.approx(2.5, abs=0.1)
    assert t.heel_distance_m == pytest.approx(0.18, abs=0.005)
    # ... but that line points to the midline (toe-in by the README's sign): the catalogue's sign is wrong.
    assert t.toe_out_deg["big"]["left"] < 0 and t.toe_out_deg["big"]["right"] < 0
    # The primary truth (heel -> big/small-toe midpoint) is a small toe-out on both feet.
    assert 1.5 < t.toe_out_deg["mid"]["left"] < 3.5 and 2.0 < t.toe_out_deg["mid"]["right"] < 4.0
    assert t.stance_width_ratio == pytest.approx(0.834, abs=0.01)
    # The file is a mirror-symmetric template (see realdata.md): the legs' left and right markers agree in X and Y
    # to about a millimetre (1.2 mm); a real triangulated stance differs by centimetres.
    assert R.trc_mirror_asymmetry_m(trc) < 0.002
