"""Where the error comes from, and what each correction buys (train split to choose, holdout to check).

    python -m benchmarks.calibrate [--truth PATH] [--mirror | --views | --fppa-turn | --knee-pull | --width | --turn | --knee-offset | --outline-share | --fppa-image | --shoe-top | --overlap-gate | --squat-width | --facing-cues] [--model full|heavy]

1. Runs the pose model once on every synthetic still and caches the landmarks (~/.cache/stance/bench).
2. Decomposes the turnout error: (a) exact heel/toe pixels + exact camera (the geometry alone),
   (b) MediaPipe's pixels + exact camera (the landmarks), (c) MediaPipe + estimated camera (the method).
3. Measures the landmarks' systematic offsets against the truth (heel and toe in the foot's frame) and
   the hip-width scale, on train only, and reports the method before/after on train and holdout.
4. With ``--mirror``: the rotation of MediaPipe's 3D hip line against the true body axis on the train
   stills and on the same stills mirrored left-right. A scene's bias changes sign in the mirror; the
   model's does not, so the model's own rotation is the mean of the two (MetricsConfig.hip_line_yaw_deg).
5. With ``--views``: the facing angle against the truth per camera kind, from the 3D hip line, from
   the image's width ratio, and fused as the analyzer does (analyzer.geometry.metrics.facing_yaw_deg),
   with the view classes each one gives (standing and squat stills, both splits).
6. With ``--fppa-turn``: the knee angle's error by the facing angle the analyzer estimates (what
   analyzer.view.FPPA_MAX_TURN_DEG gates on), read once and flip-averaged, both splits. The gate itself is
   lifted for this table, so it also shows the turns beyond it.
7. With ``--knee-pull``: how far the model turns a foot in for a knee medial of the foot line
   (MetricsConfig.knee_pull_deg and knee_pull_neutral): the slope of the turnout error over the knee
   offset, fitted on the train stills without the correction, read once and flip-averaged; then the
   turnout MAE on both splits without and with the defaults.
8. With ``--width``: how MediaPipe's heels sit against the heel centres (MetricsConfig.heel_width_scale,
   heel_inset_ratio, ankle_width_scale): the measured heel distance (hip widths) fitted as a line over
   the true one on the train standing stills, read once and flip-averaged; then the width-ratio MAE on
   both splits for a scale alone (the median true / measured, on the heels and ankles averaged as before
   session 7) and for the defaults with the ankles' share at 0, 0.25 (the default) and 0.5.
9. With ``--turn``: the turnout's bias by the estimated turn of the body (MetricsConfig.
   turn_gain_deg_per_deg), on the standing stills without the correction, and the gain fitted on train
   beyond the dead zone, read once and flip-averaged; then the MAE per camera kind without and with the
   defaults.
10. With ``--knee-offset``: the knee offset's bias (MetricsConfig.knee_offset_bias_ratio): its median
   error on the train standing stills without the correction, read once and flip-averaged; then the MAE
   on both splits, standing and squat stills, without and with the default.
11. With ``--outline-share``: how the photos' outline reading is averaged in (MetricsConfig.
   silhouette_share, and the two feet's difference given a share of its own, tapering with the turn).
   Each still is read as a photo is (flip-averaged, with the outline fit; the readings are cached) and
   its feet re-blended: the two feet's difference against the truth for the landmarks and the outline
   (slope, residual SD), then the turnout MAE on train for one share of mean and difference alike and
   for a difference share of its own from the front with its taper, the best few with holdout beside;
   then how the blend's error splits between the two feet's mean and half-difference per camera kind, and
   how much of it the body's facing angle read wrong explains (the turnout with that error taken out);
   last, the stance width from the fitted heels with the landmarks' heels blended in.
   Tried in session 23 and not kept (README, "What each step bought"): the analyzer blends mean and
   difference alike; the study's own ``blended_turnout`` does the rest.
12. With ``--fppa-image``: the knee angle read from the picture alone averaged into the lifted skeleton's
   (MetricsConfig.fppa_image_share): the MAE over the legs the analyzer reports, for shares 0-1, on both
   splits, flip-averaged and read once, standing stills apart; then per camera kind at the default.
13. With ``--shoe-top``: the outline's shoe drawn at 0.6-1.0 of its full height (analyzer.geometry.
   silhouette.SHOE_TOP), each still fitted as a photo is (flip-averaged pose, one mask; cached): the
   outline alone (MAE, bias, and how far it turns a foot away from the line of sight per unit of
   sin(2 x the foot's angle to it) / tan(the camera's elevation over the heel): the foreshortening a
   too-tall solid makes up for by turning), the landmarks on the same feet, and the turnout blended
   by share (MetricsConfig.silhouette_share), both splits; per camera kind at the defaults; and the
   line from the fitted heels to the true width on train (MetricsConfig.outline_width_scale).
14. With ``--overlap-gate``: the outline fit's overlap with the mask (analyzer.geometry.silhouette.
   MIN_OVERLAP), every still with both feet measured fitted as a photo is (the gate lifted; cached): its
   percentiles, and the photos' blend (share and gap test) over the gate, both splits, with the stills
   under 0.75 listed.
15. With ``--squat-width``: why squat photos read the stance too wide. The photos' width (the fitted
   heels' line, ``--shoe-top``'s cache) split standing / squat and by the true width; the model's body
   proportions against the true height (thigh, shank, trunk, hip and shoulder width) standing and in
   squats, by body type, and the hip width in cm it implies; the model's own 3D hip height above the
   ankles over thigh + shank by camera kind (can a photo tell a squat?) and a width correction over it
   fitted on train.
16. With ``--facing-cues``: the body's facing from the model's 3D lines (hips, shoulders, ears, eyes)
   against the true pelvis's, RMS per split, camera group (front: laptop and tripod; oblique 20-45) and
   way of turning, on the main set and on the twist set (data_twist: trunks twisted on the pelvis, heads
   turned); then the analyzer's upper-body facing (MetricsConfig.upper_body_share, gate and taper) over a
   grid, ranked on the train stills of both sets (the sum of the four RMS: main and twist, front and
   oblique), with holdout beside.
17. With ``--residuals``: what the photos' turnout error left after every correction goes with, and two
   corrections tried on it and not kept (session 28). Each still of the main, twist, lens and room sets
   read as a photo is (``--outline-share``'s cached readings). (a) The error over the reported stance
   width, per camera kind, for the photos' blend and for each of its two readings alone: from the front
   every reading puts wide stances further out than they are. A correction k x (width - pivot), full up
   to t1 deg of the body's turn and none past t2, chosen on the train stills of main and twist, with
   every set's figures beside and the paired change on each set's front feet. (b) The body's facing
   error (the analyzer's, flip-averaged, Full and Heavy) against the pair's true half-difference
   (left - right) / 2: a pair turned out unevenly pulls the facing along, in both models alike. (c) So
   the two feet's half-difference read too small is expanded by a share g (tapering with the turn):
   what it buys, and what it costs feet truly parallel (within 5 deg of each other).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.geometry.camera import Intrinsics, Scene, camera_aligned, estimate_scene
from analyzer.geometry.metrics import (
    MetricsConfig,
    _width_turn_deg,
    facing_yaw_deg,
    floor_geometry,
    foot_direction,
    hip_line_yaw,
    hip_width_units,
    image_fppa_deg,
    lift,
    measure,
    on_floor,
    outline_agrees,
    stature_units,
    to_camera,
    unit,
    yaw_deg,
)
from analyzer.geometry.silhouette import MIN_OVERLAP, SHOE_TOP, fit_feet, fit_outline, foot_starts
from analyzer.landmarks import LEG, Landmark, PoseFrame, Side
from analyzer.pipeline import AnalysisOptions, analyze_image
from analyzer.pose import PoseEstimator
from analyzer.sources import read_image
from analyzer.stance import StanceMetrics
from analyzer.view import FRONTAL_MAX_DEG, turn_from_axis_deg
from benchmarks.accuracy import true_turn_deg, true_yaw_deg

HERE = Path(__file__).resolve().parent
DEFAULT_TRUTH = HERE / "synthetic" / "data" / "truth.json"
TWIST_TRUTH = HERE / "synthetic" / "data_twist" / "truth.json"
LENS_TRUTH = HERE / "synthetic" / "data_lens" / "truth.json"
ROOM_TRUTH = HERE / "synthetic" / "data_room" / "truth.json"
CACHE = Path.home() / ".cache" / "stance" / "bench"


# The pose model the studies read the stills with (--model; the fits in MetricsConfig are per model).
MODEL = "full"


def poses(truth_path: Path, stills: list[dict[str, Any]], flip: bool = False) -> dict[str, PoseFrame | None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    model = "" if MODEL == "full" else f"_{MODEL}"
    cache_file = CACHE / f"poses_{truth_path.stat().st_size}_{len(stills)}{'_flip' if flip else ''}{model}.pkl"
    if cache_file.exists():
        out: dict[str, PoseFrame | None] = pickle.loads(cache_file.read_bytes())
    else:
        out = {}
        with PoseEstimator(MODEL, "image", flip_average=flip) as est:
            for s in stills:
                rgb, _ = read_image(truth_path.parent / s["image"])
                out[s["id"]] = est.detect(rgb).pose
        cache_file.write_bytes(pickle.dumps(out))
    # As the analyzer reads them: the 3D landmarks in the camera's axes, through the field-of-view prior.
    return {k: None if p is None else camera_aligned(p, Intrinsics.from_fov(p.size_wh)) for k, p in out.items()}


def true_scene(s: dict[str, Any], pose: PoseFrame) -> Scene:
    cam = s["camera"]
    r = np.asarray(cam["R_world_to_cam"], dtype=float)
    t = np.asarray(cam["t_world_to_cam"], dtype=float)
    up = r @ np.array([0.0, 1.0, 0.0])  # floor normal in the camera frame
    cam_h = float(cam["camera_height_m"])
    w, h = cam["image_size"]
    intr = Intrinsics(f_px=float(cam["fx"]), cx=float(cam["cx"]) + 0.5, cy=float(cam["cy"]) + 0.5, size_wh=(w, h))
    # The MediaPipe-scale translation still comes from the landmarks (only used for lifted points).
    est = estimate_scene(pose, intr, up)
    trans = est.translation if est is not None else t
    return Scene(intrinsics=intr, translation=trans, up=up / np.linalg.norm(up), camera_height_m=cam_h)


def est_scene(s: dict[str, Any], pose: PoseFrame) -> Scene | None:
    """The scene the analyzer estimates for a still (field-of-view prior, no calibration)."""
    w, h = s["camera"]["image_size"]
    return estimate_scene(pose, Intrinsics.from_fov((w, h)))


def read_stills(
    stills: list[dict[str, Any]], pose_by_id: dict[str, PoseFrame | None]
) -> Iterator[tuple[dict[str, Any], PoseFrame, Scene]]:
    """Each still with its pose and the scene the analyzer estimates (stills without either are skipped)."""
    for s in stills:
        pose = pose_by_id[s["id"]]
        scene = None if pose is None else est_scene(s, pose)
        if pose is not None and scene is not None:
            yield s, pose, scene


def with_and_without(
    truth_path: Path, truth: dict[str, Any], flip: bool, **without: float
) -> Iterator[tuple[dict[str, Any], StanceMetrics, StanceMetrics]]:
    """Each still's metrics with one correction switched off (``without``, e.g. knee_pull_deg=0) and with
    the studied model's defaults: (still, without, with)."""
    base = MetricsConfig.for_model(MODEL)
    off = replace(base, **without)
    for s, pose, scene in read_stills(truth["stills"], poses(truth_path, truth["stills"], flip)):
        yield s, measure(pose, scene, off), measure(pose, scene, base)


def with_pixels(pose: PoseFrame, s: dict[str, Any]) -> PoseFrame:
    """The pose with the heel and toe pixels replaced by the exact projections of the truth points."""
    xy = pose.image_xy.copy()
    w, h = s["camera"]["image_size"]
    px = s["truth"]["points_px"]
    for side in Side:
        leg = LEG[side]
        for lm, name in ((leg.heel, "heel"), (leg.toe, "toe2")):
            u, v = px[f"{name}_{side.value}"]
            xy[lm] = ((u + 0.5) / w, (v + 0.5) / h)
    return PoseFrame(xy, pose.world_xyz, pose.visibility, pose.presence, pose.t_s, pose.size_wh)


def errors(stills, pose_of, scene_of, config=None) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"turnout_deg": [], "stance_width_ratio": [], "knee_fppa_deg": []}
    for s in stills:
        pose = pose_of(s)
        if pose is None:
            continue
        scene = scene_of(s, pose)
        if scene is None:
            continue
        m = measure(pose, scene, config)
        t = s["truth"]
        for side in ("left", "right"):
            sm = m.left if side == "left" else m.right
            out["turnout_deg"].append(sm.turnout_deg - t["turnout_deg"][side])
            out["knee_fppa_deg"].append(sm.knee_fppa_deg - t["knee_fppa_deg"][side])
        out["stance_width_ratio"].append(m.stance_width_ratio - t["stance_width_ratio"])
    return out


def fmt(e: dict[str, list[float]]) -> str:
    parts = []
    for k, v in e.items():
        a = np.asarray(v, dtype=float)
        a = a[np.isfinite(a)]
        if len(a):
            parts.append(f"{k}: MAE {np.mean(np.abs(a)):.2f} bias {np.mean(a):+.2f} (n={len(a)})")
    return " | ".join(parts)


def landmark_offsets(stills, pose_of) -> None:
    """Mean pixel offset of MediaPipe's heel and toe from the truth, in units of the foot's image length."""
    rows = []
    for s in stills:
        p = pose_of(s)
        if p is None:
            continue
        px = s["truth"]["points_px"]
        for side in Side:
            leg = LEG[side]
            heel_t, toe_t = np.asarray(px[f"heel_{side.value}"]), np.asarray(px[f"toe2_{side.value}"])
            length = np.linalg.norm(toe_t - heel_t)
            if length < 3:
                continue
            rows.append(
                (
                    *(p.pixels_xy[leg.heel] - heel_t) / length,
                    *(p.pixels_xy[leg.toe] - toe_t) / length,
                )
            )
    a = np.asarray(rows)
    print(f"  heel offset (x, y) / foot length: {a[:, 0].mean():+.2f} {a[:, 1].mean():+.2f};"
          f" toe offset: {a[:, 2].mean():+.2f} {a[:, 3].mean():+.2f} (n={len(a)})")


FACING_LINES = {
    "hips": (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    "shoulders": (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    "ears": (Landmark.LEFT_EAR, Landmark.RIGHT_EAR),
    "eyes": (Landmark.LEFT_EYE_OUTER, Landmark.RIGHT_EYE_OUTER),
}


def facing_error_deg(yaw_deg: float, still: dict[str, Any]) -> float:
    """A facing angle read for a still less its true one (benchmarks.accuracy.true_yaw_deg), in -180..180."""
    return (yaw_deg - true_yaw_deg(still) + 180.0) % 360.0 - 180.0


def facing_cues_study(truth_path: Path) -> None:
    """Step 16 of the module docstring."""

    def group(s: dict[str, Any]) -> str:
        kind = s["camera"]["camera_kind"]
        return "front" if kind in ("laptop", "tripod") else "oblique" if kind.startswith("oblique") else ""

    sets = {}
    for name, path in (("main", truth_path), ("twist", TWIST_TRUTH)):
        truth = json.loads(path.read_text())
        sets[name] = [(s, pose, scene) for s, pose, scene in read_stills(truth["stills"], poses(path, truth["stills"], flip=True))
                      if group(s)]

    def line_yaw(pose: PoseFrame, up: np.ndarray, camera: np.ndarray, pair: tuple[Landmark, Landmark]) -> float:
        left = unit(on_floor(pose.world_xyz[pair[0]] - pose.world_xyz[pair[1]], up))
        return yaw_deg(left, np.cross(left, up), camera)

    def rms(values: list[float]) -> float:
        return float(np.sqrt(np.mean(np.square(values)))) if values else math.nan

    print("facing error RMS (deg) of each 3D line against the true pelvis's, flip-averaged:")
    print("| set | split | camera | turned | n | " + " | ".join(FACING_LINES) + " |")
    print("|---|---|---|---|---|" + "---|" * len(FACING_LINES))
    cells: dict[tuple[str, ...], list[list[float]]] = {}
    for name, rows in sets.items():
        for s, pose, scene in rows:
            key = (name, s["split"], group(s), s.get("twist_mode", "none"))
            camera = to_camera(lift(pose, scene), scene.up)
            err = [facing_error_deg(line_yaw(pose, scene.up, camera, pair), s) for pair in FACING_LINES.values()]
            cells.setdefault(key, []).append(err)
    for key in sorted(cells):
        e = np.array(cells[key])
        print(f"| {' | '.join(key)} | {len(e)} | " + " | ".join(f"{rms(list(e[:, i])):.2f}" for i in range(len(FACING_LINES))) + " |")

    def facing_rms(cfg: MetricsConfig) -> dict[tuple[str, str, str], float]:
        errs: dict[tuple[str, str, str], list[float]] = {}
        for name, rows in sets.items():
            for s, pose, scene in rows:
                yaw = hip_line_yaw(floor_geometry(pose, scene, cfg), scene.up)
                errs.setdefault((name, s["split"], group(s)), []).append(facing_error_deg(yaw, s))
        return {k: rms(v) for k, v in errs.items()}

    base = MetricsConfig.for_model(MODEL)
    hips = facing_rms(replace(base, upper_body_share=0.0))
    keys = sorted(hips)
    print("the analyzer's facing with the upper body's lines (MetricsConfig.upper_body_*), RMS deg; columns: "
          + ", ".join("/".join(k) for k in keys))
    print("  hips alone: " + " ".join(f"{hips[k]:.2f}" for k in keys))
    grid = []
    for share in (0.5, 0.67, 1.0):
        for gate in (2.0, 3.0, 4.0, 5.0, 6.0, 90.0):
            for taper in (25.0, 40.0):
                r = facing_rms(replace(base, upper_body_share=share, upper_body_gate_deg=gate, upper_body_taper_deg=taper))
                grid.append((sum(v for k, v in r.items() if k[1] == "train"), share, gate, taper, r))
    grid.sort(key=lambda g: g[0])
    for total, share, gate, taper, r in grid[:8] + [g for g in grid if g[2] == 90.0][:2]:
        print(f"  share {share:.2f} gate {gate:.0f} taper {taper:.0f} (train sum {total:.2f}): " + " ".join(f"{r[k]:.2f}" for k in keys))
    print(f"  the defaults (share {base.upper_body_share}, gate {base.upper_body_gate_deg:.0f}, taper {base.upper_body_taper_deg:.0f}): "
          + " ".join(f"{v:.2f}" for v in (facing_rms(base)[k] for k in keys)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    ap.add_argument("--mirror", action="store_true", help="measure the hip line's rotation with the mirror test")
    ap.add_argument("--views", action="store_true", help="facing angle and view class against the truth")
    ap.add_argument("--fppa-turn", action="store_true", help="knee-angle error by the estimated facing angle")
    ap.add_argument("--knee-pull", action="store_true", help="fit the turnout's pull towards the knee on train")
    ap.add_argument("--width", action="store_true", help="fit how MediaPipe's heels sit against the heel centres")
    ap.add_argument("--knee-offset", action="store_true", help="the knee offset's bias on train")
    ap.add_argument("--turn", action="store_true", help="fit the turnout's bias over the body's turn on train")
    ap.add_argument("--outline-share", action="store_true", help="choose how the photos' outline reading is averaged in, on train")
    ap.add_argument("--fppa-image", action="store_true", help="choose the share of the picture's own knee angle, on train")
    ap.add_argument("--shoe-top", action="store_true", help="choose the outline shoe's height and the outline's share, on train")
    ap.add_argument("--overlap-gate", action="store_true", help="the outline fit's overlap gate against the photos' turnout")
    ap.add_argument("--squat-width", action="store_true", help="where the squat photos' width error comes from")
    ap.add_argument("--facing-cues", action="store_true", help="the body's facing from the model's 3D lines, main and twist sets")
    ap.add_argument("--residuals", action="store_true", help="what the photos' remaining turnout error goes with (width, uneven pairs)")
    ap.add_argument("--model", default="full", choices=("full", "heavy"), help="pose model to read the stills with")
    args = ap.parse_args()
    global MODEL
    MODEL = args.model
    for chosen, study in (
        (args.fppa_turn, fppa_by_turn),
        (args.knee_pull, knee_pull),
        (args.mirror, hip_line_rotation),
        (args.views, facing_angles),
        (args.width, width_study),
        (args.turn, turn_study),
        (args.knee_offset, knee_offset_study),
        (args.outline_share, outline_share_study),
        (args.fppa_image, fppa_image_study),
        (args.shoe_top, shoe_top_study),
        (args.overlap_gate, overlap_gate_study),
        (args.squat_width, squat_width_study),
        (args.facing_cues, facing_cues_study),
        (args.residuals, residuals_study),
    ):
        if chosen:
            study(args.truth)
            return
    truth = json.loads(args.truth.read_text())
    stills = [s for s in truth["stills"] if s["category"] != "squat"]
    pose_by_id = poses(args.truth, truth["stills"])
    train = [s for s in stills if s["split"] == "train"]
    hold = [s for s in stills if s["split"] == "holdout"]

    def mp(s):
        return pose_by_id[s["id"]]

    def exact_px(s):
        p = mp(s)
        return None if p is None else with_pixels(p, s)

    print("standing stills: train", len(train), "holdout", len(hold))
    print("(a) exact heel/toe pixels + exact camera:", fmt(errors(train, exact_px, true_scene)))
    print("(b) MediaPipe pixels + exact camera:     ", fmt(errors(train, mp, true_scene)))
    print("(c) MediaPipe pixels + estimated camera: ", fmt(errors(train, mp, est_scene)))
    print("(d) exact pixels + estimated camera:     ", fmt(errors(train, exact_px, est_scene)))
    landmark_offsets(train, mp)
    ratios = []
    for s in train:
        p = mp(s)
        if p is not None:
            w = p.world_xyz
            ratios.append(s["truth"]["hip_width_m"] / np.linalg.norm(w[Landmark.LEFT_HIP] - w[Landmark.RIGHT_HIP]))
    print(f"  true hip width / MediaPipe hip width: median {np.median(ratios):.3f}")
    for name, group in (("train", train), ("holdout", hold)):
        print(f"method on {name}:", fmt(errors(group, mp, est_scene)))
    _ = math



def hip_line_rotation(truth_path: Path) -> None:
    """The mirror test on the train stills (standing ones): see the module docstring, step 4."""
    truth = json.loads(truth_path.read_text())
    stills = [s for s in truth["stills"] if s["category"] != "squat" and s["split"] == "train"]
    flip_x = np.diag([-1.0, 1.0, 1.0])
    found: dict[str, list[float]] = {"as rendered": [], "mirrored": []}
    with PoseEstimator(MODEL, "image") as est:
        for s in stills:
            rgb, _ = read_image(truth_path.parent / s["image"])
            true_left = np.asarray(s["camera"]["R_world_to_cam"], dtype=float) @ np.array([1.0, 0.0, 0.0])
            # In the mirror image the body's left is the mirrored right: -flip(true left).
            for name, img, left_true in (
                ("as rendered", rgb, true_left),
                ("mirrored", np.ascontiguousarray(rgb[:, ::-1]), -(flip_x @ true_left)),
            ):
                pose = est.detect(img).pose
                if pose is None:
                    continue
                pose = camera_aligned(pose, Intrinsics.from_fov(pose.size_wh))
                scene = est_scene(s, pose)
                if scene is None:
                    continue
                up, world = scene.up, pose.world_xyz
                hips = world[Landmark.LEFT_HIP] - world[Landmark.RIGHT_HIP]
                est_left = hips - (hips @ up) * up
                ref = left_true - (left_true @ up) * up
                # + = the estimated axes turned so that forward points towards the subject's left.
                angle = math.degrees(math.atan2(float(np.cross(ref, est_left) @ up), float(ref @ est_left)))
                found[name].append(angle)
    means = {k: float(np.mean(v)) for k, v in found.items()}
    for k, v in found.items():
        print(f"hip line rotation, {k}: mean {means[k]:+.2f} deg, median {np.median(v):+.2f} (n={len(v)})")
    print(f"model's own rotation (mean of the two): {np.mean(list(means.values())):+.2f} deg;"
          f" scene's part: {(means['as rendered'] - means['mirrored']) / 2:+.2f} deg")


def facing_angles(truth_path: Path) -> None:
    """Step 5 of the module docstring: how far the body is turned from the camera, three ways."""
    truth = json.loads(truth_path.read_text())
    pose_by_id = poses(truth_path, truth["stills"])
    rows: dict[tuple[str, str], list[tuple[float, ...]]] = {}
    for s, pose, scene in read_stills(truth["stills"], pose_by_id):
        y3 = hip_line_yaw(floor_geometry(pose, scene), scene.up)
        rows.setdefault((s["split"], s["camera"]["camera_kind"]), []).append(
            (true_turn_deg(s), turn_from_axis_deg(y3), _width_turn_deg(pose), turn_from_axis_deg(facing_yaw_deg(pose, y3)))
        )
    print("| split | camera | n | true turn | 3D hip line: mean, MAE, frontal | width ratio | fused (used) |")
    print("|---|---|---|---|---|---|---|")
    for (split, kind), v in sorted(rows.items()):
        a = np.asarray(v)
        cells = []
        for i in (1, 2, 3):
            frontal = int(np.sum(a[:, i] <= FRONTAL_MAX_DEG))
            cells.append(f"{a[:, i].mean():.1f}, {np.mean(np.abs(a[:, i] - a[:, 0])):.1f}, {frontal}/{len(a)}")
        print(f"| {split} | {kind} | {len(a)} | {a[:, 0].mean():.1f} | " + " | ".join(cells) + " |")


TURN_BINS = (0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 20.0, 25.0)


def fppa_by_turn(truth_path: Path) -> None:
    """Step 6 of the module docstring."""
    import analyzer.geometry.metrics as met_mod

    truth = json.loads(truth_path.read_text())
    print("| reading | split | " + " | ".join(f"{lo:.0f}-{hi:.0f} deg" for lo, hi in zip(TURN_BINS[:-1], TURN_BINS[1:], strict=True)) + " |")
    print("|---|---|" + "---|" * (len(TURN_BINS) - 1))
    old = met_mod.FPPA_MAX_TURN_DEG
    met_mod.FPPA_MAX_TURN_DEG = 90.0  # type: ignore[attr-defined]  # measure everywhere, bin by turn
    try:
        for flip in (False, True):
            pose_by_id = poses(truth_path, truth["stills"], flip)
            for split in ("train", "holdout"):
                bins: list[list[float]] = [[] for _ in TURN_BINS[1:]]
                for s, pose, scene in read_stills([s for s in truth["stills"] if s["split"] == split], pose_by_id):
                    g = floor_geometry(pose, scene)
                    turn = turn_from_axis_deg(facing_yaw_deg(pose, hip_line_yaw(g, scene.up)))
                    m = measure(pose, scene, geometry=g)
                    for side in ("left", "right"):
                        e = getattr(m, side).knee_fppa_deg - s["truth"]["knee_fppa_deg"][side]
                        k = int(np.searchsorted(TURN_BINS, turn, side="right")) - 1
                        if math.isfinite(e) and 0 <= k < len(bins):
                            bins[k].append(abs(e))
                cells = [f"{np.mean(b):.2f} ({len(b)})" if b else "-" for b in bins]
                print(f"| {'flip-averaged' if flip else 'read once'} | {split} | " + " | ".join(cells) + " |")
    finally:
        met_mod.FPPA_MAX_TURN_DEG = old  # type: ignore[attr-defined]


def knee_pull(truth_path: Path) -> None:
    """Step 7 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    for flip in (False, True):
        rows: dict[str, list[tuple[str, float, float, float]]] = {"train": [], "holdout": []}
        for s, plain, used in with_and_without(truth_path, truth, flip, knee_pull_deg=0.0):
            for side in ("left", "right"):
                a, b = getattr(plain, side), getattr(used, side)
                t = s["truth"]["turnout_deg"][side]
                if math.isfinite(a.turnout_deg):
                    rows[s["split"]].append((s["category"], a.knee_offset_ratio, a.turnout_deg - t, b.turnout_deg - t))
        train = [r for r in rows["train"] if math.isfinite(r[1])]
        slope = np.polyfit([r[1] for r in train], [r[2] for r in train], 1)[0]
        neutral = np.mean([r[1] for r in train if r[0] == "neutral"])
        reading = "flip-averaged" if flip else "read once"
        print(f"{reading}: train fit: {-slope:.2f} deg of toe-in per hip width of medial knee offset"
              f" (n={len(train)}); neutral stance offset {neutral:+.3f} hip widths")
        for split, r in rows.items():
            valgus = [x for x in r if x[0] == "valgus"]
            print(f"  {split}: turnout MAE {np.mean([abs(x[2]) for x in r]):.3f} -> {np.mean([abs(x[3]) for x in r]):.3f} deg"
                  f" with the defaults (valgus stills {np.mean([abs(x[2]) for x in valgus]):.2f} ->"
                  f" {np.mean([abs(x[3]) for x in valgus]):.2f}; n={len(r)})")


def width_study(truth_path: Path) -> None:
    """Step 8 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    base = MetricsConfig.for_model(MODEL)
    raw = replace(base, heel_width_scale=1.0, heel_inset_ratio=0.0, ankle_share=0.0, ankle_width_scale=1.0)
    for flip in (False, True):
        pose_by_id = poses(truth_path, truth["stills"], flip)
        rows = []  # split, squat?, measured heels, measured ankles, true heels
        for s, pose, scene in read_stills(truth["stills"], pose_by_id):
            m = measure(pose, scene, raw)
            if math.isfinite(m.stance_width_ratio):
                rows.append((s["split"], s["category"] == "squat", m.stance_width_ratio, m.ankle_width_ratio,
                             s["truth"]["stance_width_ratio"], s["truth"]["ankle_width_ratio"]))
        fit = np.array([r[2:] for r in rows if r[0] == "train" and not r[1]])
        slope, icpt = np.polyfit(fit[:, 2], fit[:, 0], 1)
        heel_k, ankle_k = np.median(fit[:, 2] / fit[:, 0]), np.median(fit[:, 2] / fit[:, 1])
        reading = "flip-averaged" if flip else "read once"
        print(f"{reading}: train standing stills (n={len(fit)}): measured heels = {slope:.3f} x true {icpt:+.3f}"
              f" -> scale {1 / slope:.3f}, inset {-icpt / slope:+.3f} hip widths; true heels / measured ankles"
              f" {ankle_k:.3f}; true ankles / measured ankles {np.median(fit[:, 3] / fit[:, 1]):.3f}")
        for split in ("train", "holdout"):
            for label, keep in (("all stills", lambda r: True), ("standing", lambda r: not r[1])):
                r = np.array([x[2:] for x in rows if x[0] == split and keep(x)])
                before = 0.5 * (heel_k * r[:, 0] + ankle_k * r[:, 1])
                cells = []
                for share in (0.0, 0.25, 0.5):
                    cfg = replace(base, ankle_share=share)
                    est = np.array([cfg.heel_distance_ratio(h, a) for h, a in r[:, :2]])
                    cells.append(f"ankle share {share}: {np.mean(np.abs(est - r[:, 2])):.3f}")
                print(f"  {split} {label} (n={len(r)}): width-ratio MAE, scale alone on heels and ankles averaged"
                      f" {np.mean(np.abs(before - r[:, 2])):.3f}; scale + inset, " + ", ".join(cells))


def turn_study(truth_path: Path) -> None:
    """Step 9 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    defaults = MetricsConfig.for_model(MODEL)
    for flip in (False, True):
        rows = []  # split, camera kind, turn, error without, error with the default
        for s, plain, used in with_and_without(truth_path, truth, flip, turn_gain_deg_per_deg=0.0):
            if s["category"] == "squat":
                continue
            for side in ("left", "right"):
                t = s["truth"]["turnout_deg"][side]
                a, b = getattr(plain, side).turnout_deg, getattr(used, side).turnout_deg
                if math.isfinite(a):
                    rows.append((s["split"], s["camera"]["camera_kind"], turn_from_axis_deg(plain.yaw_deg), a - t, b - t))
        train = np.array([r[2:4] for r in rows if r[0] == "train"])
        beyond = np.maximum(0.0, train[:, 0] - defaults.turn_dead_zone_deg)
        gain = -float(beyond @ train[:, 1] / (beyond @ beyond))
        bins = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 65)]
        cells = [f"{lo}-{hi} {np.mean(train[(train[:, 0] >= lo) & (train[:, 0] < hi), 1]):+.2f}" for lo, hi in bins]
        print(f"{'flip-averaged' if flip else 'read once'}: train bias by turn (deg): " + ", ".join(cells)
              + f"; fitted gain {gain:.3f} deg per deg of turn beyond {defaults.turn_dead_zone_deg} (default"
              f" {defaults.turn_gain_deg_per_deg})")
        for split in ("train", "holdout"):
            r = [x for x in rows if x[0] == split]
            kinds = sorted({x[1] for x in r})
            per = ", ".join(
                f"{k} {np.mean([abs(x[3]) for x in r if x[1] == k]):.2f} -> {np.mean([abs(x[4]) for x in r if x[1] == k]):.2f}"
                for k in kinds
            )
            print(f"  {split}: turnout MAE {np.mean([abs(x[3]) for x in r]):.2f} -> {np.mean([abs(x[4]) for x in r]):.2f}"
                  f" deg (n={len(r)}; {per})")


def knee_offset_study(truth_path: Path) -> None:
    """Step 10 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    bias = MetricsConfig.for_model(MODEL).knee_offset_bias_ratio
    for flip in (False, True):
        rows = []  # split, squat?, error without, error with the default
        for s, plain, used in with_and_without(truth_path, truth, flip, knee_offset_bias_ratio=0.0):
            for side in ("left", "right"):
                t = s["truth"]["knee_offset_ratio"][side]
                a, b = getattr(plain, side).knee_offset_ratio, getattr(used, side).knee_offset_ratio
                if math.isfinite(a):
                    rows.append((s["split"], s["category"] == "squat", a - t, b - t))
        fit = [r[2] for r in rows if r[0] == "train" and not r[1]]
        print(f"{'flip-averaged' if flip else 'read once'}: train standing stills: median error {np.median(fit):+.3f}"
              f" hip widths (n={len(fit)}; default correction {bias:+.3f})")
        for split in ("train", "holdout"):
            for label, squat in (("standing", False), ("squat", True)):
                r = np.array([x[2:] for x in rows if x[0] == split and x[1] is squat])
                print(f"  {split} {label}: knee offset MAE {np.mean(np.abs(r[:, 0])):.3f} -> {np.mean(np.abs(r[:, 1])):.3f},"
                      f" bias {np.mean(r[:, 0]):+.3f} -> {np.mean(r[:, 1]):+.3f} (n={len(r)})")


def outline_readings(truth_path: Path, stills: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each still read as a photo is (flip-averaged, the outline fit on): its feet's landmark turnout (with
    their corrections, before the outline is averaged in), the outline's reading, the body's estimated
    turn (and the signed facing angle it comes from), and the stance width read from the landmarks' heels and
    as reported (from the fitted heels where both feet took the outline). Cached next to the poses
    (~/.cache/stance/bench), per shoe height (the cache before session 25 was not, so it kept session 23's
    full-height readings)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = CACHE / f"outline_v2_top{SHOE_TOP:.2f}_{truth_path.stat().st_size}_{len(stills)}_{MODEL}.json"
    if cache_file.exists():
        cached: list[dict[str, Any]] = json.loads(cache_file.read_text())
        return cached
    out = []
    opts = AnalysisOptions(model=MODEL, annotate=False, flip_average=True, silhouette=True)
    with PoseEstimator(MODEL, "image", flip_average=True) as est:
        for s in stills:
            a = analyze_image(truth_path.parent / s["image"], opts, estimator=est)
            r = a.records[0]
            fitted = (a.summary.get("outline") or {}).get("turnout_deg") or {}
            if r.pose is None or r.scene is None or any(fitted.get(side.value) is None for side in Side):
                continue
            alone = measure(camera_aligned(r.pose, r.scene.intrinsics), r.scene, MetricsConfig.for_model(MODEL))
            out.append({
                "id": s["id"],
                "landmarks": {side.value: alone.side(side).turnout_deg for side in Side},
                "outline": {side.value: float(fitted[side.value]) for side in Side},
                "turn_deg": turn_from_axis_deg(r.raw.yaw_deg),
                "yaw_deg": r.raw.yaw_deg,
                "width_landmarks": alone.stance_width_ratio,
                "width_reported": r.raw.stance_width_ratio,
            })
    cache_file.write_text(json.dumps(out))
    return out


def blended_turnout(
    landmarks: dict[Side, float], outline: dict[Side, float], turn_deg: float, share: float, front: float, taper_deg: float,
    cfg: MetricsConfig,
) -> dict[Side, float]:
    """The photos' blend (each foot (1 - share) x landmarks + share x outline where the two agree,
    metrics.outline_agrees), with the two feet's difference given the share ``front`` for a body square to
    the camera, tapering to ``share`` at ``taper_deg`` of turn (front = share: the analyzer's blend)."""
    used = {side: outline_agrees(landmarks[side], outline[side], cfg) for side in Side}
    out = {side: (1 - share) * landmarks[side] + share * outline[side] if used[side] else landmarks[side] for side in Side}
    if all(used.values()):
        extra = (front - share) * max(0.0, 1.0 - turn_deg / taper_deg)
        step = 0.5 * extra * ((outline[Side.LEFT] - outline[Side.RIGHT]) - (landmarks[Side.LEFT] - landmarks[Side.RIGHT]))
        out = {Side.LEFT: out[Side.LEFT] + step, Side.RIGHT: out[Side.RIGHT] - step}
    return out


def outline_share_study(truth_path: Path) -> None:
    """Step 11 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    still_of = {s["id"]: s for s in truth["stills"]}
    cfg = MetricsConfig.for_model(MODEL)
    rows = []  # split, camera kind, landmarks, outline, truth (per side), turn, |true left - right|
    readings = outline_readings(truth_path, truth["stills"])
    for r in readings:
        s = still_of[r["id"]]
        true = {side: s["truth"]["turnout_deg"][side.value] for side in Side}
        rows.append((s["split"], s["camera"]["camera_kind"], {side: r["landmarks"][side.value] for side in Side},
                     {side: r["outline"][side.value] for side in Side}, true, r["turn_deg"], abs(true[Side.LEFT] - true[Side.RIGHT])))

    def mae(split: str, share: float, front: float, taper: float, keep: Any = None) -> float:
        errs = []
        for sp, kind, lm, ol, true, turn, asym in rows:
            if sp == split and (keep is None or keep(kind, asym)):
                b = blended_turnout(lm, ol, turn, share, front, taper, cfg)
                errs += [b[side] - true[side] for side in Side if math.isfinite(b[side])]
        return float(np.mean(np.abs(errs)))

    for split in ("train", "holdout"):
        both = [(lm, ol, true) for sp, _, lm, ol, true, _, _ in rows if sp == split
                and all(math.isfinite(v) for v in (*lm.values(), *ol.values()))]
        dt = np.array([t[Side.LEFT] - t[Side.RIGHT] for _, _, t in both])
        cells = []
        for name, i in (("landmarks", 0), ("outline", 1)):
            d = np.array([b[i][Side.LEFT] - b[i][Side.RIGHT] for b in both])
            slope, icpt = np.polyfit(dt, d, 1)
            cells.append(f"{name} slope {slope:.2f}, residual SD {np.std(d - (slope * dt + icpt)):.2f} deg")
        print(f"{split}: the two feet's difference (left - right) against the truth, {len(both)} stills: " + "; ".join(cells))
    share = cfg.silhouette_share
    print("one share for mean and difference, train MAE: "
          + ", ".join(f"{k:.2f} {mae('train', k, k, 1.0):.3f}" for k in np.arange(0.2, 0.55, 0.05)))
    grid = sorted(
        (mae("train", share, float(front), taper), float(front), taper)
        for front in np.arange(0.5, 1.001, 0.1)
        for taper in (10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0)
    )
    front_cams = ("laptop", "tripod")
    for label, front, taper in [("the analyzer's blend", share, 1.0)] + [("", f, t) for _, f, t in grid[:4]]:
        cells = [f"{split} {mae(split, share, front, taper):.3f} (laptop {mae(split, share, front, taper, lambda k, a: k == 'laptop'):.3f},"
                 f" tripod {mae(split, share, front, taper, lambda k, a: k == 'tripod'):.3f}; laptop + tripod feet of pairs"
                 f" within 5 deg of each other {mae(split, share, front, taper, lambda k, a: k in front_cams and a < 5):.3f},"
                 f" 10 deg or more apart {mae(split, share, front, taper, lambda k, a: k in front_cams and a >= 10):.3f})"
                 for split in ("train", "holdout")]
        print(f"  {label or f'difference share {front:.1f} from the front, taper {taper:.0f} deg'}: " + "; ".join(cells))
    # Each still's error as the photos' blend reads it (rows were made from readings, in their order), for
    # the two studies below.
    photo_err = [{side: b[side] - true[side] for side in Side}
                 for _, _, lm, ol, true, turn, _ in rows for b in [blended_turnout(lm, ol, turn, share, share, 1.0, cfg)]]
    both_read = [(row, r, e) for row, r, e in zip(rows, readings, photo_err, strict=True) if all(math.isfinite(v) for v in e.values())]
    # How the photos' error splits between the two feet's mean and their half-difference: a body axis read
    # turned by d moves one foot's turnout by +d and the other's by -d, so it shows in the half-difference
    # only; errors of each foot on its own spread over both alike.
    print("the photos' blend per camera kind, RMS of the two feet's half-difference error (what a turned body axis"
          " makes) / of their mean error about its bias:")
    for split in ("train", "holdout"):
        cells = []
        for kind in ("laptop", "tripod", "oblique20", "oblique30", "oblique45"):
            es = [e for row, _, e in both_read if row[0] == split and row[1] == kind]
            half = [0.5 * (e[Side.LEFT] - e[Side.RIGHT]) for e in es]
            mean = [0.5 * (e[Side.LEFT] + e[Side.RIGHT]) for e in es]
            cells.append(f"{kind} {np.sqrt(np.mean(np.square(half))):.2f} / {np.std(mean):.2f}")
        print(f"  {split}: " + ", ".join(cells))
    # How much of the half-difference is the body's facing read wrong: against the signed error of the
    # facing angle (the analyzer's yaw against the true hips'), and the MAE with that error taken out of
    # both feet (what an exact facing would give, the rest unchanged).
    print("the photos' blend against the error of the body's facing angle (signed, deg):")
    for split in ("train", "holdout"):
        for label, kinds in (("front (laptop, tripod)", ("laptop", "tripod")), ("oblique 20-45", ("oblique20", "oblique30", "oblique45"))):
            half, yaw_err, errs, fixed = [], [], [], []
            for row, r, e in both_read:
                if row[0] != split or row[1] not in kinds or not math.isfinite(r["yaw_deg"]):
                    continue
                d = facing_error_deg(r["yaw_deg"], still_of[r["id"]])
                half.append(0.5 * (e[Side.LEFT] - e[Side.RIGHT]))
                yaw_err.append(d)
                errs += [e[Side.LEFT], e[Side.RIGHT]]
                fixed += [e[Side.LEFT] - d, e[Side.RIGHT] + d]
            h, y = np.array(half), np.array(yaw_err)
            print(f"  {split} {label} ({len(h)} stills): facing error RMS {np.sqrt(np.mean(y ** 2)):.2f} deg; it correlates"
                  f" {np.corrcoef(h, y)[0, 1]:.2f} with the half-difference error (slope {np.polyfit(y, h, 1)[0]:.2f});"
                  f" turnout MAE {np.mean(np.abs(errs)):.2f} -> {np.mean(np.abs(fixed)):.2f} deg with the facing exact")
    # The stance width where both feet took the outline (read from the fitted heels) with the landmarks' heels
    # blended in: their errors correlate.
    for split in ("train", "holdout"):
        w = np.array([(r["width_landmarks"] - still_of[r["id"]]["truth"]["stance_width_ratio"],
                       r["width_reported"] - still_of[r["id"]]["truth"]["stance_width_ratio"])
                      for r in readings
                      if still_of[r["id"]]["split"] == split and r["width_reported"] != r["width_landmarks"]
                      and math.isfinite(r["width_reported"]) and math.isfinite(r["width_landmarks"])])
        print(f"{split} width where the fitted heels are used ({len(w)} stills; errors correlate"
              f" {np.corrcoef(w[:, 0], w[:, 1])[0, 1]:.2f}), MAE by the fitted heels' share: "
              + ", ".join(f"{k:.2f} {np.mean(np.abs(k * w[:, 1] + (1 - k) * w[:, 0])):.3f}" for k in (0.0, 0.25, 0.5, 0.75, 1.0)))


def fppa_image_study(truth_path: Path) -> None:
    """Step 12 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    default = MetricsConfig.for_model(MODEL).fppa_image_share
    lifted_only = replace(MetricsConfig.for_model(MODEL), fppa_image_share=0.0)
    for flip in (True, False):
        rows = []  # split, squat?, camera kind, lifted reading, picture's reading, truth
        for s, pose, scene in read_stills(truth["stills"], poses(truth_path, truth["stills"], flip)):
            g = floor_geometry(pose, scene, lifted_only)
            plain = measure(pose, scene, lifted_only, geometry=g)
            for side in Side:
                lifted = plain.side(side).knee_fppa_deg
                if math.isfinite(lifted):
                    rows.append((s["split"], s["category"] == "squat", s["camera"]["camera_kind"], lifted,
                                 image_fppa_deg(pose.pixels_xy, side, g.left), s["truth"]["knee_fppa_deg"][side.value]))

        def mae(split: str, k: float, keep: Any = None, rows: list[tuple[Any, ...]] = rows) -> float:
            return float(np.mean([abs((1 - k) * r[3] + k * r[4] - r[5]) for r in rows if r[0] == split and (keep is None or keep(r))]))

        print(f"{'flip-averaged' if flip else 'read once'}: knee angle MAE by the picture's share (all legs reported / standing stills)")
        for k in np.arange(0.0, 1.001, 0.1):
            print(f"  {k:.1f}: " + "; ".join(f"{split} {mae(split, k):.3f} / {mae(split, k, lambda r: not r[1]):.3f}"
                                           for split in ("train", "holdout")) + ("  <- the default" if abs(k - default) < 1e-9 else ""))
        for split in ("train", "holdout"):
            kinds = sorted({r[2] for r in rows if r[0] == split})
            print(f"  {split}, 0 -> {default}: " + ", ".join(
                f"{kind} {mae(split, 0.0, lambda r, kind=kind: r[2] == kind):.2f} -> {mae(split, default, lambda r, kind=kind: r[2] == kind):.2f}"
                for kind in kinds) + f"; squats {mae(split, 0.0, lambda r: r[1]):.2f} -> {mae(split, default, lambda r: r[1]):.2f}")


def masks(truth_path: Path, stills: list[dict[str, Any]]) -> dict[str, np.ndarray | None]:
    """Each still's person mask (uint8, 0-255) from a flip-averaged reading, as a photo is read (its pose
    is the one ``poses(..., flip=True)`` caches); cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = CACHE / f"person_masks_{truth_path.stat().st_size}_{len(stills)}_{MODEL}.pkl"
    if cache_file.exists():
        cached: dict[str, np.ndarray | None] = pickle.loads(cache_file.read_bytes())
        return cached
    out = {}
    with PoseEstimator(MODEL, "image", flip_average=True) as est:
        for s in stills:
            rgb, _ = read_image(truth_path.parent / s["image"])
            mask = est.detect(rgb).mask
            out[s["id"]] = None if mask is None else (np.clip(mask, 0.0, 1.0) * 255).astype(np.uint8)
    cache_file.write_bytes(pickle.dumps(out))
    return out


def shoe_top_fits(truth_path: Path, stills: list[dict[str, Any]], top: float) -> dict[str, list[Any]]:
    """Each still's feet fitted with the shoe's top at ``top`` x its full height, where both feet fit:
    per foot (split, camera kind, true turnout, outline's, landmarks' (their corrections, before the
    outline), the true foot's angle to the line of sight on the floor (deg), the camera's elevation over
    the heel (deg), +1 left / -1 right); per still (split, squat?, fitted heels apart (hip widths), true
    width ratio). Cached (~/.cache/stance/bench)."""
    cache_file = CACHE / f"shoe_top_{top:.2f}_{truth_path.stat().st_size}_{len(stills)}_{MODEL}.json"
    if cache_file.exists():
        cached: dict[str, list[Any]] = json.loads(cache_file.read_text())
        return cached
    cfg = MetricsConfig.for_model(MODEL)
    out: dict[str, list[Any]] = {"feet": [], "widths": []}
    mask_of = masks(truth_path, stills)
    for s, pose, scene in read_stills(stills, poses(truth_path, stills, flip=True)):
        mask = mask_of[s["id"]]
        if mask is None:
            continue
        g = floor_geometry(pose, scene, cfg)
        fit = fit_outline(mask.astype(np.float32) / 255.0, pose, scene, g, top)
        if fit is None:
            continue
        alone = measure(pose, scene, cfg, None, g)
        up = scene.up
        out["widths"].append((s["split"], s["category"] == "squat",
                              float(np.linalg.norm(on_floor(fit.heel[Side.LEFT] - fit.heel[Side.RIGHT], up))) / hip_width_units(pose),
                              s["truth"]["stance_width_ratio"]))
        for side in Side:
            t, o, lm = s["truth"]["turnout_deg"][side.value], fit.turnout_deg[side], alone.side(side).turnout_deg
            if not (math.isfinite(o) and math.isfinite(lm)):
                continue
            heel = g.feet[side]["heel"]
            sight, foot = unit(on_floor(-heel, up)), foot_direction(t, g.left, g.forward, side)
            out["feet"].append((s["split"], s["camera"]["camera_kind"], t, o, lm,
                                math.degrees(math.atan2(float(np.cross(sight, foot) @ up), float(sight @ foot))),
                                scene.elevation_deg(heel), 1 if side is Side.LEFT else -1))
    cache_file.write_text(json.dumps(out))
    return out


def shoe_top_study(truth_path: Path) -> None:
    """Step 13 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    cfg = MetricsConfig.for_model(MODEL)
    shares = np.arange(0.3, 0.751, 0.05)
    kinds = ("laptop", "tripod", "oblique20", "oblique30", "oblique45", "low_phone")
    for top in (0.6, 0.7, 0.8, 1.0):
        fits = shoe_top_fits(truth_path, truth["stills"], top)
        for split in ("train", "holdout"):
            feet = [f for f in fits["feet"] if f[0] == split]
            r = np.array([f[2:] for f in feet], dtype=float)
            err = r[:, 1] - r[:, 0]
            lean = np.sin(np.radians(2.0 * r[:, 3])) / np.tan(np.radians(r[:, 4]))
            turn = np.polyfit(lean, r[:, 5] * err, 1)[0]

            agree = np.array([outline_agrees(lm, o, cfg) for o, lm in r[:, 1:3]], dtype=bool)

            def blended(share: float, r: np.ndarray = r, agree: np.ndarray = agree) -> np.ndarray:
                return np.where(agree, (1.0 - share) * r[:, 2] + share * r[:, 1], r[:, 2]) - r[:, 0]

            print(f"top {top:.1f} {split} ({len(r)} feet): outline alone {np.mean(np.abs(err)):.2f} deg (bias {np.mean(err):+.2f};"
                  f" turned away from the line of sight {turn:+.2f} deg per unit of sin 2a / tan e), landmarks"
                  f" {np.mean(np.abs(r[:, 2] - r[:, 0])):.2f}; blended by share: "
                  + ", ".join(f"{k:.2f} {np.mean(np.abs(blended(k))):.3f}" for k in shares))
            if top == SHOE_TOP:
                kind = np.array([f[1] for f in feet])
                e = np.abs(blended(cfg.silhouette_share))
                print(f"  at share {cfg.silhouette_share}: " + ", ".join(f"{k} {np.mean(e[kind == k]):.2f}" for k in kinds if np.any(kind == k)))
        if top == SHOE_TOP:
            w = np.array([x[2:] for x in fits["widths"] if x[0] == "train"], dtype=float)
            slope, icpt = np.polyfit(w[:, 0], w[:, 1], 1)
            print(f"  fitted heels -> true width on train ({len(w)} stills): x {slope:.3f} {icpt:+.3f} hip widths (defaults x"
                  f" {cfg.outline_width_scale} {cfg.outline_width_offset_ratio:+.3f}); MAE with the defaults "
                  + ", ".join(f"{sp} {np.mean(np.abs(cfg.outline_width_scale * v[:, 0] + cfg.outline_width_offset_ratio - v[:, 1])):.3f}"
                              for sp in ("train", "holdout")
                              for v in [np.array([x[2:] for x in fits['widths'] if x[0] == sp], dtype=float)]))


def gate_free_fits(truth_path: Path, stills: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each still with both feet measured by the landmarks, fitted as a photo is (flip-averaged pose, one
    mask, the shoe at SHOE_TOP) without the overlap gate: its overlap, each foot's outline, landmark and
    true turnout. Cached per shoe height."""
    cache_file = CACHE / f"gate_free_top{SHOE_TOP:.2f}_{truth_path.stat().st_size}_{len(stills)}_{MODEL}.json"
    if cache_file.exists():
        cached: list[dict[str, Any]] = json.loads(cache_file.read_text())
        return cached
    cfg = MetricsConfig.for_model(MODEL)
    mask_of = masks(truth_path, stills)
    out = []
    for s, pose, scene in read_stills(stills, poses(truth_path, stills, flip=True)):
        g = floor_geometry(pose, scene, cfg)
        starts = foot_starts(g)
        mask = mask_of[s["id"]]
        if starts is None or mask is None:
            continue
        fit = fit_feet(mask.astype(np.float32) / 255.0, pose, scene, starts, g.left, g.forward, hip_width_units(pose))
        alone = measure(pose, scene, cfg, None, g)
        out.append({
            "id": s["id"], "split": s["split"], "kind": s["camera"]["camera_kind"],
            "overlap": None if fit is None else fit.overlap,
            "outline": None if fit is None else {side.value: fit.turnout_deg[side] for side in Side},
            "landmarks": {side.value: alone.side(side).turnout_deg for side in Side},
            "truth": s["truth"]["turnout_deg"],
        })
    cache_file.write_text(json.dumps(out))
    return out


def overlap_gate_study(truth_path: Path) -> None:
    """Step 14 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    cfg = MetricsConfig.for_model(MODEL)
    fits = gate_free_fits(truth_path, truth["stills"])

    def photo_mae(split: str, gate: float) -> tuple[float, int, int]:
        errs, fitted = [], 0
        share = cfg.silhouette_share
        for f in fits:
            if f["split"] != split:
                continue
            lm = {side: float(f["landmarks"][side.value]) for side in Side}
            read = [side for side in Side if math.isfinite(lm[side])]
            if f["overlap"] is not None and f["overlap"] >= gate:  # the photos' blend (the turn is unused at this share)
                lm = blended_turnout(lm, {side: f["outline"][side.value] for side in Side}, 0.0, share, share, 1.0, cfg)
                fitted += len(read)
            errs += [lm[side] - f["truth"][side.value] for side in read]
        return float(np.mean(np.abs(errs))), len(errs), fitted

    for split in ("train", "holdout"):
        ov = np.array([f["overlap"] for f in fits if f["split"] == split and f["overlap"] is not None])
        print(f"{split}: {len(ov)} fits of {sum(f['split'] == split for f in fits)} stills; overlap percentiles 1 / 5 / 10 / 50:"
              f" {' / '.join(f'{v:.3f}' for v in np.percentile(ov, [1, 5, 10, 50]))}; under 0.75: {int(np.sum(ov < 0.75))}")
        for gate in (0.65, 0.7, 0.74, MIN_OVERLAP, 0.78, 0.8):
            mae, n, fitted = photo_mae(split, gate)
            print(f"  gate {gate:.2f}: turnout {mae:.3f} deg over {n} feet, {fitted} with the fit")
    for f in fits:
        if f["overlap"] is not None and f["overlap"] < 0.75:
            feet = ", ".join(f"{side} true {f['truth'][side]:.1f} landmarks {f['landmarks'][side]:.1f} outline {f['outline'][side]:.1f}"
                             for side in ("left", "right"))
            print(f"  {f['id']} ({f['split']}, {f['kind']}) overlap {f['overlap']:.3f}: {feet}")


def squat_width_study(truth_path: Path) -> None:
    """Step 15 of the module docstring."""
    truth = json.loads(truth_path.read_text())
    cfg = MetricsConfig.for_model(MODEL)
    widths = shoe_top_fits(truth_path, truth["stills"], SHOE_TOP)["widths"]
    w = np.array([(sp == "train", squat, heels, true) for sp, squat, heels, true in widths], dtype=float)
    err = cfg.outline_width_scale * w[:, 2] + cfg.outline_width_offset_ratio - w[:, 3]
    print("the photos' width from the fitted heels (both feet fitted), error in hip widths:")
    for train in (1.0, 0.0):
        for squat in (0.0, 1.0):
            m = (w[:, 0] == train) & (w[:, 1] == squat)
            bins = [(a, b) for a, b in ((0.0, 0.9), (0.9, 1.4), (1.4, 2.0), (2.0, 3.0)) if np.any(m & (w[:, 3] >= a) & (w[:, 3] < b))]
            print(f"  {'train' if train else 'holdout'} {'squat' if squat else 'standing'} ({int(m.sum())}): MAE {np.mean(np.abs(err[m])):.3f},"
                  f" bias {np.mean(err[m]):+.3f}; by the true width "
                  + ", ".join(f"{a:.1f}-{b:.1f} {np.mean(err[m & (w[:, 3] >= a) & (w[:, 3] < b)]):+.3f}" for a, b in bins))
    pose_of = poses(truth_path, truth["stills"], flip=True)
    groups: dict[tuple[str, bool], list[list[float]]] = {}
    for s in truth["stills"]:
        pose = pose_of[s["id"]]
        if pose is None:
            continue
        x = pose.world_xyz
        height = s["truth"]["body_height_m"]
        thigh = np.mean([np.linalg.norm(x[LEG[side].hip] - x[LEG[side].knee]) for side in Side])
        shank = np.mean([np.linalg.norm(x[LEG[side].knee] - x[LEG[side].ankle]) for side in Side])
        trunk = np.linalg.norm(0.5 * (x[Landmark.LEFT_SHOULDER] + x[Landmark.RIGHT_SHOULDER]) - 0.5 * (x[Landmark.LEFT_HIP] + x[Landmark.RIGHT_HIP]))
        hips = np.linalg.norm(x[Landmark.LEFT_HIP] - x[Landmark.RIGHT_HIP])
        shoulders = np.linalg.norm(x[Landmark.LEFT_SHOULDER] - x[Landmark.RIGHT_SHOULDER])
        # the hip width in metres the height's scale gives it, over the true one
        implied = hips / stature_units(pose, cfg.segment_share_of_stature) / (s["truth"]["hip_width_m"] / height)
        groups.setdefault((s["body_type"], s["category"] == "squat"), []).append(
            [v / height for v in (thigh, shank, trunk, hips, shoulders, thigh + shank + trunk)] + [implied])
    print("the model's body against the true height (medians): thigh, shank, trunk, hip width, shoulder width,"
          " thigh + shank + trunk; the hip width in cm the height gives it, over the true one")
    for (body, squat), rows in sorted(groups.items()):
        print(f"  {body} {'squat' if squat else 'standing'} ({len(rows)}): " + " ".join(f"{v:.3f}" for v in np.median(np.array(rows), axis=0)))
    feats = []  # split, kind, squat, the model's hip height above the ankles over thigh + shank, width error
    reported = {r["id"]: r["width_reported"] for r in outline_readings(truth_path, truth["stills"])}
    for s, pose, scene in read_stills(truth["stills"], pose_of):
        x, up = pose.world_xyz, scene.up
        rise = np.mean([float((x[LEG[side].hip] - x[LEG[side].ankle]) @ up) for side in Side])
        leg = np.mean([np.linalg.norm(x[LEG[side].hip] - x[LEG[side].knee]) + np.linalg.norm(x[LEG[side].knee] - x[LEG[side].ankle]) for side in Side])
        width = reported.get(s["id"], math.nan)
        feats.append((s["split"], s["camera"]["camera_kind"], s["category"] == "squat", rise / leg,
                      width - s["truth"]["stance_width_ratio"] if width is not None and math.isfinite(width) else math.nan))
    print("the model's 3D hip height above the ankles over thigh + shank (standing: 5th percentile / median / min; squats: all)")
    for kind in ("laptop", "tripod", "oblique20", "oblique30", "oblique45", "low_phone"):
        stand = [f[3] for f in feats if f[1] == kind and not f[2]]
        squats = sorted(f[3] for f in feats if f[1] == kind and f[2])
        print(f"  {kind}: standing {np.percentile(stand, 5):.3f} / {np.median(stand):.3f} / {min(stand):.3f}; squats "
              + " ".join(f"{v:.3f}" for v in squats))
    for split in ("train", "holdout"):
        x = np.array([f[3] for f in feats if f[0] == split and math.isfinite(f[4])])
        e = np.array([f[4] for f in feats if f[0] == split and math.isfinite(f[4])])
        grid = sorted((float(np.mean(np.abs(e - k * np.maximum(0.0, c - x)))), c, k) for c in (0.95, 0.96, 0.97, 0.98) for k in (0.5, 1.0, 1.5, 2.0))
        print(f"  {split} photos' width ({len(e)} stills) {np.mean(np.abs(e)):.4f}; less k x max(0, c - that): "
              + ", ".join(f"c {c:.2f} k {k:.1f} {m:.4f}" for m, c, k in sorted(grid, key=lambda g: (g[1], g[2]))))


RESIDUAL_SETS = {"main": DEFAULT_TRUTH, "twist": TWIST_TRUTH, "lens": LENS_TRUTH, "room": ROOM_TRUTH}


def photo_feet(cfg: MetricsConfig) -> list[dict[str, Any]]:
    """Every pair of feet the photos' blend reads in the four sets (``outline_readings``, cached): set,
    split, camera kind, the body's estimated turn, the reported width, and per foot (left, right) the
    blend's, the landmarks' and the outline's turnout and the truth."""
    out = []
    for name, path in RESIDUAL_SETS.items():
        truth = json.loads(path.read_text())
        by_id = {s["id"]: s for s in truth["stills"]}
        for r in outline_readings(path, truth["stills"]):
            s = by_id[r["id"]]
            lm = {Side(k): v for k, v in r["landmarks"].items()}
            ol = {Side(k): v for k, v in r["outline"].items()}
            blend = blended_turnout(lm, ol, r["turn_deg"], cfg.silhouette_share, cfg.silhouette_share, 30.0, cfg)
            width = r["width_reported"]
            out.append({
                "set": name, "split": s["split"], "kind": s["camera"]["camera_kind"], "turn": r["turn_deg"],
                "width": math.nan if width is None else float(width),
                "blend": [blend[side] for side in Side], "landmarks": [lm[side] for side in Side],
                "outline": [ol[side] for side in Side], "true": [s["truth"]["turnout_deg"][side.value] for side in Side],
            })
    return out


def turn_taper(turn_deg: float, full_deg: float, none_deg: float) -> float:
    """1 up to full_deg of turn, 0 from none_deg, linear between."""
    return 1.0 if turn_deg <= full_deg else max(0.0, 1.0 - (turn_deg - full_deg) / (none_deg - full_deg))


def residuals_study(truth_path: Path) -> None:
    """Step 17 of the module docstring."""
    global MODEL
    cfg = MetricsConfig.for_model(MODEL)
    pairs = photo_feet(cfg)
    kinds = sorted({p["kind"] for p in pairs if p["set"] == "main"})

    def slope(rows: list[tuple[float, float]]) -> str:
        a = np.array([r for r in rows if all(map(math.isfinite, r))])
        if len(a) < 4:
            return "-"
        return f"{np.polyfit(a[:, 0], a[:, 1], 1)[0]:+.2f} (r {np.corrcoef(a[:, 0], a[:, 1])[0, 1]:+.2f}, n {len(a)})"

    print("(a) the turnout error over the reported stance width (deg per hip width; main set), train / holdout:")
    for reading in ("blend", "landmarks", "outline"):
        print(f"  {reading}: " + "; ".join(
            f"{kind} " + " / ".join(slope([(p["width"], p[reading][i] - p["true"][i]) for p in pairs
                                            if p["set"] == "main" and p["kind"] == kind and p["split"] == split for i in (0, 1)])
                                     for split in ("train", "holdout")) for kind in kinds))
    sets = [(n, sp) for n in RESIDUAL_SETS for sp in ("train", "holdout") if any(p["set"] == n and p["split"] == sp for p in pairs)]

    def width_corrected(p: dict[str, Any], i: int, k: float, pivot: float, t1: float, t2: float) -> float:
        w = p["width"]
        return p["blend"][i] - (k * (w - pivot) * turn_taper(p["turn"], t1, t2) if math.isfinite(w) else 0.0)

    def mae(pick: Callable[[dict[str, Any]], bool], value: Callable[[dict[str, Any], int], float]) -> float:
        e = [abs(value(p, i) - p["true"][i]) for p in pairs if pick(p) for i in (0, 1)]
        e = [x for x in e if math.isfinite(x)]
        return float(np.mean(e)) if e else math.nan

    def train(p: dict[str, Any]) -> bool:
        return p["split"] == "train" and p["set"] in ("main", "twist")

    grid = sorted(
        (mae(train, lambda p, i, c=c: width_corrected(p, i, *c)), c)
        for c in [(k, pv, t1, t2) for k in (1.0, 1.5, 2.0, 2.5, 3.0) for pv in (1.0, 1.1, 1.2, 1.3, 1.4)
                  for t1, t2 in ((5.0, 15.0), (8.0, 20.0), (12.0, 25.0), (12.0, 40.0))]
    )
    cols = ", ".join(f"{n} {sp}" for n, sp in sets) + ", main holdout laptop, main holdout tripod"

    def row(value: Callable[[dict[str, Any], int], float]) -> str:
        figs = [mae(lambda p, n=n, sp=sp: p["set"] == n and p["split"] == sp, value) for n, sp in sets]
        figs += [mae(lambda p, kind=kind: p["set"] == "main" and p["split"] == "holdout" and p["kind"] == kind, value)
                 for kind in ("laptop", "tripod")]
        return " ".join(f"{f:.3f}" for f in figs)

    print(f"  the photos' turnout MAE less k x (width - pivot) (columns: {cols}); none:")
    print(f"    {row(lambda p, i: p['blend'][i])} (train main + twist {mae(train, lambda p, i: p['blend'][i]):.3f})")
    for m, c in grid[:5]:
        print(f"    k {c[0]:.1f} pivot {c[1]:.1f} turn {c[2]:.0f}-{c[3]:.0f} (train main + twist {m:.3f}): "
              f"{row(lambda p, i, c=c: width_corrected(p, i, *c))}")
    best = grid[0][1]
    for fixed in (best, (2.0, 1.3, 8.0, 20.0)):
        print(f"  paired change per front foot (turn under 12 deg), k {fixed[0]:.1f} pivot {fixed[1]:.1f} turn {fixed[2]:.0f}-{fixed[3]:.0f}: " + "; ".join(
            f"{n} {sp} {np.mean(d):+.3f} +/- {np.std(d) / math.sqrt(len(d)):.3f} (n {len(d)})"
            for n, sp in sets
            if len(d := [abs(width_corrected(p, i, *fixed) - p["true"][i]) - abs(p["blend"][i] - p["true"][i])
                         for p in pairs if p["set"] == n and p["split"] == sp and p["turn"] < 12.0 for i in (0, 1)
                         if math.isfinite(p["blend"][i])]) > 1))

    print("(b) the body's facing error (deg, flip-averaged, the analyzer's) against the pair's true half-difference (main set):")
    truth = json.loads(DEFAULT_TRUTH.read_text())
    facing: dict[str, dict[str, float]] = {}
    studied = MODEL
    for model in ("full", "heavy"):
        MODEL = model
        model_cfg = MetricsConfig.for_model(model)
        for s, pose, scene in read_stills(truth["stills"], poses(DEFAULT_TRUTH, truth["stills"], flip=True)):
            yaw = hip_line_yaw(floor_geometry(pose, scene, model_cfg), scene.up)
            facing.setdefault(s["id"], {})[model] = facing_error_deg(yaw, s)
    MODEL = studied
    groups: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for s in truth["stills"]:
        f = facing.get(s["id"], {})
        if len(f) == 2:
            kind = s["camera"]["camera_kind"]
            t = s["truth"]["turnout_deg"]
            groups.setdefault((s["split"], "front" if kind in ("laptop", "tripod") else kind), []).append(
                (f["full"], f["heavy"], 0.5 * (t["left"] - t["right"])))
    for key in sorted(groups):
        a = np.array(groups[key])
        print(f"  {key[0]} {key[1]} ({len(a)}): RMS Full {np.sqrt(np.mean(a[:, 0] ** 2)):.2f}, Heavy {np.sqrt(np.mean(a[:, 1] ** 2)):.2f},"
              f" their errors' correlation {np.corrcoef(a[:, 0], a[:, 1])[0, 1]:+.2f}; Full's over the half-difference"
              f" {np.polyfit(a[:, 2], a[:, 0], 1)[0]:+.3f} deg/deg (r {np.corrcoef(a[:, 2], a[:, 0])[0, 1]:+.2f})")

    print("(c) the two feet's half-difference expanded by g, tapering with the turn (columns as in (a)); MAE, then"
          " main train / holdout feet of pairs truly within 5 deg of each other:")

    def expanded(p: dict[str, Any], i: int, g: float, t1: float, t2: float) -> float:
        half = 0.5 * (p["blend"][0] - p["blend"][1]) * g * turn_taper(p["turn"], t1, t2)
        return p["blend"][i] + (half if i == 0 else -half)

    def parallel(split: str) -> Callable[[dict[str, Any]], bool]:
        return lambda p: p["set"] == "main" and p["split"] == split and abs(p["true"][0] - p["true"][1]) <= 5.0

    for g, t1, t2 in ((0.0, 12.0, 40.0), (0.1, 12.0, 40.0), (0.15, 12.0, 40.0), (0.2, 12.0, 40.0), (0.15, 90.0, 91.0)):
        value = lambda p, i, g=g, t1=t1, t2=t2: expanded(p, i, g, t1, t2)  # noqa: E731
        print(f"  g {g:.2f} turn {t1:.0f}-{t2:.0f}: {row(value)}; parallel {mae(parallel('train'), value):.3f} / {mae(parallel('holdout'), value):.3f}")


def search() -> None:
    """Grid search of the landmark heights, FOV prior and forward mode on train; report train and holdout."""
    import analyzer.geometry.camera as cam_mod
    import analyzer.geometry.metrics as met_mod

    truth = json.loads(DEFAULT_TRUTH.read_text())
    stills = [s for s in truth["stills"] if s["category"] != "squat"]
    pose_by_id = poses(DEFAULT_TRUTH, truth["stills"])
    train = [s for s in stills if s["split"] == "train"]
    hold = [s for s in stills if s["split"] == "holdout"]

    def mp(s):
        return pose_by_id[s["id"]]

    def set_heights(heel: float, toe: float) -> None:
        for mod in (cam_mod, met_mod):
            mod.HEEL_HEIGHT_M, mod.TOE_HEIGHT_M = heel, toe  # type: ignore[attr-defined]

    def run(group, fov: float, forward: str) -> dict[str, list[float]]:
        def scene(s, pose):
            old = cam_mod.DEFAULT_LONG_SIDE_FOV_DEG
            cam_mod.DEFAULT_LONG_SIDE_FOV_DEG = fov
            try:
                return est_scene(s, pose)
            finally:
                cam_mod.DEFAULT_LONG_SIDE_FOV_DEG = old

        return errors(group, mp, scene, MetricsConfig(forward=forward))

    def mae(e):
        a = np.asarray(e["turnout_deg"], dtype=float)
        return float(np.mean(np.abs(a[np.isfinite(a)])))

    best = None
    for heel in (0.01, 0.03, 0.05, 0.07):
        for toe in (0.0, 0.015, 0.03):
            set_heights(heel, toe)
            for fov in (55.0, 65.0, 75.0):
                for forward in ("hips", "blend"):
                    score = mae(run(train, fov, forward))
                    if best is None or score < best[0]:
                        best = (score, heel, toe, fov, forward)
    assert best is not None
    _, heel, toe, fov, forward = best
    print(f"best on train: heel {heel} m, toe {toe} m, fov {fov} deg, forward {forward}")
    set_heights(heel, toe)
    for name, group in (("train", train), ("holdout", hold)):
        print(f"  tuned on {name}:", fmt(run(group, fov, forward)))


if __name__ == "__main__":
    main()
