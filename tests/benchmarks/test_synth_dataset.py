"""Consistency of the committed synthetic sets (benchmarks/synthetic/data/truth.json, the lens set
data_lens/truth.json and the twist set data_twist/truth.json); numpy only."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.synthetic.camera import Camera

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic" / "data"
LENS = DATA.parent / "data_lens"
TWIST = DATA.parent / "data_twist"


def _load(folder: Path) -> dict:
    p = folder / "truth.json"
    if not p.is_file():
        pytest.skip(f"{p} not generated (benchmarks/synthetic/README.md)")
    out = json.loads(p.read_text())
    out["folder"] = folder
    return out


@pytest.fixture(scope="module", params=[DATA, LENS, TWIST], ids=["main", "lens", "twist"])
def truth(request) -> dict:
    return _load(request.param)


def _cam(c: dict) -> Camera:
    return Camera(c["width"], c["height"], c["fx"], c["fy"], c["cx"], c["cy"], np.array(c["R_world_to_cam"]),
                  np.array(c["t_world_to_cam"]))


def test_pixels_are_projections_of_world_points(truth):
    # points_px must be exactly K [R|t] X of points_world (up to the JSON rounding of ~1e-5 m / 1e-3 px),
    # and points_cam exactly R X + t; every listed image exists.
    for r in truth["stills"]:
        assert (truth["folder"] / r["image"]).is_file()
        cam = _cam(r["camera"])
        names = list(r["truth"]["points_world"])
        X = np.array([r["truth"]["points_world"][k] for k in names])
        uv, _ = cam.project(X)
        assert np.allclose(uv, [r["truth"]["points_px"][k] for k in names], atol=0.05)
        assert np.allclose(cam.to_cam(X), [r["truth"]["points_cam"][k] for k in names], atol=1e-4)


def test_truth_fields_recomputed_from_points(truth):
    # Turnout from the stored heel/toe world points (floor frame, subject facing +z) and the stance ratio
    # from heel points / hip joint distance reproduce the stored truth.
    for r in truth["stills"]:
        t, P = r["truth"], {k: np.array(v) for k, v in r["truth"]["points_world"].items()}
        for s, sg in (("left", 1), ("right", -1)):
            d = P["toe2_" + s] - P["heel_" + s]
            assert math.isclose(math.degrees(math.atan2(sg * d[0], d[2])), t["turnout_deg"][s], abs_tol=0.05)
        hw = np.linalg.norm(P["hip_left"] - P["hip_right"])
        dh = P["heel_left"] - P["heel_right"]
        assert math.isclose(math.hypot(dh[0], dh[2]) / hw, t["stance_width_ratio"], abs_tol=1e-3)


def test_holdout_is_disjoint_from_train(truth):
    # The holdout split must use a body type and camera heights / fields of view that train never uses.
    def key(r):
        return r["body_type"], round(r["camera"]["camera_height_m"], 3), round(r["camera"]["hfov_deg"], 1)

    main = _load(DATA)
    train = [key(r) for r in main["stills"] if r["split"] == "train"]
    hold = [key(r) for r in truth["stills"] if r["split"] == "holdout"]
    assert train and hold
    # The lens set is all holdout, on cameras of its own lenses (its heights are not the point).
    for i in ((0, 2) if truth["folder"] == LENS else (0, 1, 2)):
        assert not {k[i] for k in train} & {k[i] for k in hold}


def test_the_twist_sets_shoulders_turn_on_the_hips_by_the_twist_asked_for():
    # Every still of the twist set has its shoulder joints' floor line turned from the hip joints' by its
    # pose spec's trunk twist t (+ = the front towards the subject's left), and the hips face +z (the truth's
    # forward); each of the four ways of turning is there on both splits, with some real twists or turns.
    # A squat leans the twisted trunk forward by L = 0.45 x the knee flexion about the x axis, which takes
    # the shoulder line (cos t, 0, -sin t) to (cos t, sin t sin L, -sin t cos L): on the floor,
    # atan(tan t cos L).
    twist = _load(TWIST)
    modes = {(r["split"], r["twist_mode"]) for r in twist["stills"]}
    assert modes == {(s, m) for s in ("train", "holdout") for m in ("head", "trunk", "both", "look_at_camera")}
    for r in twist["stills"]:
        P = {k: np.array(v) for k, v in r["truth"]["points_world"].items()}

        def line_deg(a: str, b: str, P: dict = P) -> float:
            d = P[a] - P[b]
            return math.degrees(math.atan2(-d[2], d[0]))

        assert math.isclose(line_deg("hip_left", "hip_right"), 0.0, abs_tol=0.05)
        t, lean = (math.radians(r["pose_spec"][k]) for k in ("trunk_twist_deg", "knee_flexion_deg"))
        expected = math.degrees(math.atan(math.tan(t) * math.cos(0.45 * lean)))
        assert math.isclose(line_deg("shoulder_left", "shoulder_right"), expected, abs_tol=0.05)
    assert max(abs(r["pose_spec"]["trunk_twist_deg"]) for r in twist["stills"]) > 5
    assert max(abs(r["pose_spec"]["head_yaw_deg"]) for r in twist["stills"]) > 20
