"""Accuracy against exact ground truth: the synthetic renders (benchmarks/synthetic/data/truth.json).

    python -m benchmarks.accuracy [--truth PATH] [--split train|holdout|all] [--model full|heavy] [--limit N] [--no-flip] [--outline]
                                  [--aim PAN TILT] [--true-fov] [--crop MARGIN] [--exif] [--as-video SECONDS] [--out FILE.md]

For each camera kind and metric: mean absolute error, bias (mean signed error), 95th percentile of the
absolute error, detection rate (share of images with a value), and left/right swaps (images whose left
and right readings fit the truth better crossed over; and, directly, images whose feet are named the wrong
side in the picture). Writes a markdown table (default
benchmarks/results/accuracy.md) and prints it.

``--aim PAN TILT`` re-projects every still through its own camera turned by those angles (degrees; the
same camera position and lens, so the body's turnout, width and knees are unchanged): the subject then
stands off-centre in the picture, moved right for PAN > 0 and up for TILT > 0, as people do in front of
a real camera. The renders themselves are framed on the hips.

``--crop MARGIN`` cuts every still down to the body (its truth points, the head above the nose allowed
for) plus MARGIN x the body's height on each side, as a user trims a photo: the lens keeps its focal
length in pixels but the picture's centre is no longer the optical centre. ``--exif`` writes each still as
a JPEG whose EXIF states the camera's 35 mm-equivalent focal length (rounded to a whole mm, as cameras
write it) and the size of the picture the camera took, as a phone's photo carries them; the analyzer
then reads the lens from there (analyzer.sources.photo_lens).

``--as-video SECONDS`` films every still: a video of that many seconds at 15 fps, each frame the still with
a little sensor noise of its own (Gaussian, SD 2 grey levels), read by ``analyze_video`` as a user's video
of a still stance; the prediction is the summary's median over its still stretch. With ``--outline`` the
video path's own outline fit is on (a few frames of the still stretch, AnalysisOptions.silhouette).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analyzer.errors import StanceError
from analyzer.geometry.camera import hfov_deg
from analyzer.geometry.metrics import on_floor, unit, yaw_deg
from analyzer.landmarks import LEG, PoseFrame, Side
from analyzer.pipeline import Analysis, AnalysisOptions, analyze_image, analyze_video
from analyzer.pose import PoseEstimator
from analyzer.stance import SideMetrics, StanceMetrics, View
from analyzer.view import FPPA_MAX_TURN_DEG, turn_from_axis_deg
from benchmarks.synthetic.body import rot_x, rot_y

HERE = Path(__file__).resolve().parent
DEFAULT_TRUTH = HERE / "synthetic" / "data" / "truth.json"
DEFAULT_OUT = HERE / "results" / "accuracy_all.md"

# metric name -> (getter on StanceMetrics, getter on the truth dict)
SIDE_METRICS = ("turnout_deg", "knee_fppa_deg", "knee_offset_ratio")
BOTH_METRICS = ("stance_width_ratio", "stance_width_cm")
# stance_width_cm is scored with the body's true height given (as a user gives theirs), against the true
# heel distance; the target is 1.5 cm.


def predicted(m: StanceMetrics, name: str, side: str | None) -> float:
    if side is None:
        return float(getattr(m, name))
    return float(getattr(m.left if side == "left" else m.right, name))


FOOT_POINTS = ("heel", "ankle", "toe2")


def sides_named_wrong(pose: PoseFrame, still: dict[str, Any]) -> float:
    """Whether the analyzer's left foot lies where the body's right foot is in the picture, and the reverse:
    each foot's heel, ankle and second toe against the true ones, projected through the still's camera
    (points_cam and K, so aimed and cropped stills are scored too). 1.0 / 0.0 (score_stills keeps NaN for
    an image without a pose). A direct test of naming, unlike the swaps column (turnouts that fit the truth better crossed over,
    which two near-equal readings of unequal feet also do)."""
    k = np.asarray(still["camera"]["K"], dtype=float)
    w, h = (float(v) for v in still["camera"]["image_size"])
    pc = still["truth"]["points_cam"]

    def true_px(side: str) -> np.ndarray:
        pts = np.array([pc[f"{name}_{side}"] for name in FOOT_POINTS], dtype=float)
        uvw = pts @ k.T
        return np.mean(uvw[:, :2] / uvw[:, 2:3], axis=0)

    read = pose.image_xy * np.array([w, h])
    pred = {side.value: np.mean(read[[LEG[side].heel, LEG[side].ankle, LEG[side].toe]], axis=0) for side in Side}
    truth = {side: true_px(side) for side in ("left", "right")}
    straight = np.linalg.norm(pred["left"] - truth["left"]) + np.linalg.norm(pred["right"] - truth["right"])
    crossed = np.linalg.norm(pred["left"] - truth["right"]) + np.linalg.norm(pred["right"] - truth["left"])
    return float(crossed < straight)


def true_yaw_deg(still: dict[str, Any]) -> float:
    """The rendered body's facing angle (StanceMetrics.yaw_deg's convention), from the true camera and hips."""
    r = np.asarray(still["camera"]["R_world_to_cam"], dtype=float)
    up = r @ np.array([0.0, 1.0, 0.0])
    left, forward = unit(on_floor(r @ np.array([1.0, 0.0, 0.0]), up)), unit(on_floor(r @ np.array([0.0, 0.0, 1.0]), up))
    pc = still["truth"]["points_cam"]
    hips = 0.5 * (np.asarray(pc["hip_left"], dtype=float) + np.asarray(pc["hip_right"], dtype=float))
    return yaw_deg(left, forward, unit(on_floor(-hips, up)))


def true_turn_deg(still: dict[str, Any]) -> float:
    """How far the rendered body is turned from facing the camera (0..90), from the true camera and hips."""
    return turn_from_axis_deg(true_yaw_deg(still))


def camera_turn(pan_deg: float, tilt_deg: float) -> np.ndarray:
    """Rotation (3x3) from a camera's frame to the same camera turned so that what it saw straight ahead
    appears ``pan_deg`` to the right and ``tilt_deg`` up (OpenCV axes: x right, y down, z forward)."""
    return rot_x(tilt_deg) @ rot_y(pan_deg)


def aim_note(aim: tuple[float, float]) -> str:
    """How a results table names the --aim turn ("" for none)."""
    return f"; each camera turned {aim[0]:+g} deg across and {aim[1]:+g} deg up (--aim)" if aim != (0.0, 0.0) else ""


def turned_picture(
    bgr: np.ndarray, k: np.ndarray, framed_size: tuple[int, int] | None, turn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The picture a camera with intrinsics ``k`` sees when turned by ``turn`` (camera_turn), and its new
    intrinsics.

    A picture rendered with room around it (``framed_size``, generate --room) is cut back to that size
    around the principal point after the turn, so what comes into view is the rendered scene; otherwise the
    picture keeps its size and what comes into view is blank."""
    h, w = bgr.shape[:2]
    fw, fh = framed_size or (w, h)
    x0, y0 = (w - fw) // 2, (h - fh) // 2
    cut = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    image = cv2.warpPerspective(bgr, cut @ k @ turn @ np.linalg.inv(k), (fw, fh), flags=cv2.INTER_LINEAR,
                                borderValue=(128, 128, 128))
    return image, cut @ k


def aimed(still: dict[str, Any], data_dir: Path, out_dir: Path, pan_deg: float, tilt_deg: float) -> tuple[Path, dict[str, Any]]:
    """The still as its camera, turned by (pan, tilt), would have seen it (turned_picture), written to
    ``out_dir`` (PNG), and the still's record with the turned camera (the truth in the body's frame does not
    change)."""
    k = np.asarray(still["camera"]["K"], dtype=float)
    turn = camera_turn(pan_deg, tilt_deg)
    bgr = cv2.imread(str(data_dir / still["image"]), cv2.IMREAD_COLOR)
    image, k2 = turned_picture(bgr, k, still.get("framed_size"), turn)
    path = out_dir / f"{still['id']}.png"
    cv2.imwrite(str(path), image)
    s = copy.deepcopy(still)
    cam = s["camera"]
    cam["R_world_to_cam"] = (turn @ np.asarray(still["camera"]["R_world_to_cam"], dtype=float)).tolist()
    cam["K"] = k2.tolist()
    cam["cx"], cam["cy"] = float(k2[0, 2]), float(k2[1, 2])
    fh, fw = image.shape[:2]
    cam["image_size"], cam["width"], cam["height"] = [fw, fh], fw, fh
    s["truth"]["points_cam"] = {n: (turn @ np.asarray(v, dtype=float)).tolist() for n, v in still["truth"]["points_cam"].items()}
    return path, s


# The top of the head above the nose, as a share of the nose-to-heel height (the renders' truth points
# stop at the nose; a standing adult's vertex is about 12 cm above it, of about 150 cm nose to heel).
HEAD_ABOVE_NOSE = 0.09


def cropped(still: dict[str, Any], image: Path, out_dir: Path, margin: float) -> tuple[Path, dict[str, Any]]:
    """The still cut down to the body plus ``margin`` x its height each side (within the picture), written
    to ``out_dir`` (PNG), and the still's record with the camera's principal point and size moved to the cut."""
    bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
    px = np.array(list(still["truth"]["points_px"].values()), dtype=float)
    nose_y = float(still["truth"]["points_px"]["nose"][1])
    top = nose_y - HEAD_ABOVE_NOSE * (px[:, 1].max() - nose_y)
    pad = margin * (px[:, 1].max() - top)
    h, w = bgr.shape[:2]
    x0, x1 = max(0, int(px[:, 0].min() - pad)), min(w, int(math.ceil(px[:, 0].max() + pad)))
    y0, y1 = max(0, int(top - pad)), min(h, int(math.ceil(px[:, 1].max() + pad)))
    path = out_dir / f"{still['id']}_crop.png"
    cv2.imwrite(str(path), bgr[y0:y1, x0:x1])
    s = copy.deepcopy(still)
    cam = s["camera"]
    k = np.asarray(cam["K"], dtype=float)
    k[0, 2] -= x0
    k[1, 2] -= y0
    cam["K"], cam["cx"], cam["cy"] = k.tolist(), float(k[0, 2]), float(k[1, 2])
    cam["image_size"], cam["width"], cam["height"] = [x1 - x0, y1 - y0], x1 - x0, y1 - y0
    s["truth"]["points_px"] = {n: [v[0] - x0, v[1] - y0] for n, v in still["truth"]["points_px"].items()}
    return path, s


def with_exif(image: Path, still: dict[str, Any], out_dir: Path, camera_wh: tuple[int, int]) -> Path:
    """``image`` as a JPEG (quality 95) whose EXIF states the still's lens as a camera would: the 35 mm-
    equivalent focal length of its focal length in pixels on the ``camera_wh`` picture the camera took
    (whole mm), and that size."""
    from PIL import Image

    from analyzer.geometry.camera import FULL_FRAME_DIAGONAL_MM
    from analyzer.sources import EXIF_EQUIVALENT_MM, EXIF_IFD, EXIF_PIXEL_X, EXIF_PIXEL_Y

    f_px = float(still["camera"]["K"][0][0])
    exif = Image.Exif()
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[EXIF_EQUIVALENT_MM] = round(f_px * FULL_FRAME_DIAGONAL_MM / math.hypot(*camera_wh))
    ifd[EXIF_PIXEL_X], ifd[EXIF_PIXEL_Y] = camera_wh
    path = out_dir / f"{image.stem}_exif.jpg"
    with Image.open(image) as img:
        img.convert("RGB").save(path, "JPEG", quality=95, exif=exif)
    return path


def still_video(image: Path, out_dir: Path, seconds: float, fps: float = 15.0, noise_sd: float = 2.0) -> Path:
    """``image`` filmed for ``seconds``: every frame the picture plus its own sensor noise (seeded)."""
    picture = cv2.imread(str(image)).astype(np.float32)
    path = out_dir / f"{image.stem}_still.mp4"
    h, w = picture.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    rng = np.random.default_rng(0)
    for _ in range(max(2, round(seconds * fps))):
        writer.write(np.clip(picture + rng.normal(0.0, noise_sd, picture.shape), 0, 255).astype(np.uint8))
    writer.release()
    return path


def summary_metrics(a: Analysis) -> StanceMetrics:
    """The summary's medians as one StanceMetrics (the facing angle of the video's middle frame)."""
    med = a.summary["metrics"]

    def value(block: dict[str, Any]) -> float:
        return math.nan if block["median"] is None else float(block["median"])

    def side(name: str) -> SideMetrics:
        return SideMetrics(*(value(med[k][name]) for k in ("turnout_deg", "knee_fppa_deg", "knee_offset_ratio")))

    middle = a.records[len(a.records) // 2].smooth
    return replace(middle, left=side("left"), right=side("right"),
                   stance_width_ratio=value(med["stance_width_ratio"]), stance_width_cm=value(med["stance_width_cm"]))


def score_stills(
    truth: dict[str, Any],
    split: str,
    limit: int | None,
    data_dir: Path,
    model: str = "full",
    flip: bool = True,
    aim: tuple[float, float] = (0.0, 0.0),
    true_fov: bool = False,
    silhouette: bool = False,
    crop: float | None = None,
    exif: bool = False,
    as_video: float | None = None,
) -> dict[str, dict[str, list]]:
    """errors[camera_kind][metric] -> list of (predicted - true) (NaN = not measured); plus swaps.
    ``aim``: (pan, tilt) of the turned cameras (see the module docstring), (0, 0) for the stills as rendered.
    ``true_fov``: give the analyzer each camera's true field of view (as a user who knows their lens
    would) instead of its prior. ``silhouette``: True adds the feet's outline fit (AnalysisOptions.silhouette).
    ``crop``, ``exif``, ``as_video``: see the module docstring (--crop, --exif, --as-video)."""
    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    stills = [s for s in truth["stills"] if split == "all" or s["split"] == split][:limit]
    est = PoseEstimator(model, "image" if as_video is None else "video", flip_average=flip)
    tmp = tempfile.TemporaryDirectory(prefix="stance-aim-")
    try:
        for s in stills:
            image = data_dir / s["image"]
            if aim != (0.0, 0.0) or "framed_size" in s:
                image, s = aimed(s, data_dir, Path(tmp.name), *aim)
            camera_wh = (int(s["camera"]["image_size"][0]), int(s["camera"]["image_size"][1]))
            if crop is not None:
                image, s = cropped(s, image, Path(tmp.name), crop)
            if exif:
                image = with_exif(image, s, Path(tmp.name), camera_wh)
            kind = s["camera"]["camera_kind"]
            height_cm = round(100.0 * s["truth"]["body_height_m"], 1)
            hfov = hfov_deg(s["camera"]["K"][0][0], s["camera"]["image_size"][0])
            opts = AnalysisOptions(model=model, annotate=False, flip_average=flip, body_height_cm=height_cm,
                                   hfov_deg=hfov if true_fov else None, silhouette=silhouette)
            named_wrong = math.nan
            try:
                if as_video is None:
                    record = analyze_image(image, opts, estimator=est).records[0]
                    m = record.raw
                    if record.pose is not None:
                        named_wrong = sides_named_wrong(record.pose, s)
                else:
                    m = summary_metrics(analyze_video(still_video(image, Path(tmp.name), as_video), opts, estimator=est))
            except StanceError:
                m = StanceMetrics.empty(0.0, "no person")
            t = s["truth"]
            for name in SIDE_METRICS:
                for side in ("left", "right"):
                    errors[kind][name].append(predicted(m, name, side) - t[name][side])
                    errors["all"][name].append(errors[kind][name][-1])
                pl, pr = predicted(m, name, "left"), predicted(m, name, "right")
                tl, tr = t[name]["left"], t[name]["right"]
                if name == "turnout_deg" and math.isfinite(pl) and math.isfinite(pr) and abs(tl - tr) >= 10:
                    swapped = abs(pl - tr) + abs(pr - tl) < abs(pl - tl) + abs(pr - tr)
                    errors[kind]["turnout_swaps"].append(float(swapped))
                    errors["all"]["turnout_swaps"].append(float(swapped))
            for name in BOTH_METRICS:
                true = 100.0 * t["heel_distance_m"] if name == "stance_width_cm" else t[name]
                errors[kind][name].append(predicted(m, name, None) - true)
                errors["all"][name].append(errors[kind][name][-1])
            # The facing angle (it decides the view class and so which metrics are reported).
            true_turn = true_turn_deg(s)
            turn = turn_from_axis_deg(m.yaw_deg) - true_turn if math.isfinite(m.yaw_deg) else math.nan
            front = float(m.view in (View.FRONTAL, View.POSTERIOR)) if m.view is not View.UNKNOWN else math.nan
            for k in (kind, "all"):
                errors[k]["true_turn_deg"].append(true_turn)
                errors[k]["turn_deg"].append(turn)
                errors[k]["front_view"].append(front)
                errors[k]["named_wrong"].append(named_wrong)
    finally:
        est.close()
        tmp.cleanup()
    return errors


def knee_angles_by_true_turn(errors: dict[str, list[float]]) -> tuple[int, int, int, int] | None:
    """(reported, legs) for bodies truly within FPPA_MAX_TURN_DEG of square, then for those turned further:
    how the knee angle's turn gate sorts the legs (one camera kind's or all of ``score_stills``' errors)."""
    turns = np.repeat(np.asarray(errors.get("true_turn_deg", []), dtype=float), 2)  # per leg, left then right
    reported = np.isfinite(np.asarray(errors.get("knee_fppa_deg", []), dtype=float))
    if not len(turns) or len(turns) != len(reported):
        return None
    square = turns <= FPPA_MAX_TURN_DEG
    return int(reported[square].sum()), int(square.sum()), int(reported[~square].sum()), int((~square).sum())


def table(
    errors: dict[str, dict[str, list[float]]],
    split: str,
    n: int,
    model: str = "full",
    flip: bool = True,
    aim: tuple[float, float] = (0.0, 0.0),
    true_fov: bool = False,
    set_name: str = "",
    silhouette: bool = False,
    crop: float | None = None,
    exif: bool = False,
    as_video: float | None = None,
) -> str:
    reading = "flip-averaged" if flip else "single reading (no flip averaging)"
    if as_video is not None:
        reading += (f", each still filmed for {as_video:g} s and read as a video (--as-video), its summary's median"
                    + (", with the outline fit on a few frames of the still stretch (--outline; the default)" if silhouette
                       else ", landmarks only (--no-outline)"))
    else:
        reading += (", with the feet's outline fit (--outline; photos' default)" if silhouette
                    else ", landmarks only (as the live camera reads; photos and videos' still frames fit the feet's outline by default: --outline)")
    turned = aim_note(aim)
    fov = "the true field of view given (--true-fov)" if true_fov else (
        "the lens read from the photo's EXIF (--exif)" if exif else "field-of-view prior")
    if crop is not None:
        fov += f"; each still cut down to the body plus {crop:g} x its height (--crop)"
    lines = [
        f"Synthetic stills{f' of `{set_name}`' if set_name else ''}, split `{split}` ({n} images; {model} model, {reading}, no user calibration, {fov}"
        f"{turned}; the defaults were fitted on the train split only).",
        "",
        "| camera | metric | MAE | bias | P95 | detected | L/R swaps |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in sorted(errors, key=lambda k: (k == "all", k)):
        for name in (*SIDE_METRICS, *BOTH_METRICS):
            e = np.asarray(errors[kind].get(name, []), dtype=float)
            if not len(e):
                continue
            ok = e[np.isfinite(e)]
            swaps = errors[kind].get("turnout_swaps", []) if name == "turnout_deg" else []
            unit = " deg" if name.endswith("_deg") else " cm" if name.endswith("_cm") else ""
            if len(ok):
                mae, bias, p95 = np.mean(np.abs(ok)), np.mean(ok), np.percentile(np.abs(ok), 95)
                vals = f"{mae:.2f}{unit} | {bias:+.2f} | {p95:.2f}"
            else:
                vals = "- | - | -"
            sw = f"{int(sum(swaps))}/{len(swaps)}" if swaps else ""
            lines.append(f"| {kind} | {name} | {vals} | {len(ok)}/{len(e)} | {sw} |")
    named = np.asarray(errors["all"].get("named_wrong", []), dtype=float)
    named = named[np.isfinite(named)]
    if len(named):
        by_kind = ", ".join(
            f"{kind} {int(np.nansum(errors[kind]['named_wrong']))}"
            for kind in sorted(errors) if kind != "all" and np.nansum(errors[kind].get("named_wrong", [])) > 0
        )
        lines += [
            "",
            f"Feet named the wrong side (the analyzer's left foot where the right one is in the picture, heel, ankle "
            f"and second toe against the truth): {int(named.sum())} of {len(named)} images with a pose"
            + (f" ({by_kind})." if by_kind else "."),
        ]
    lines += [
        "",
        "Facing angle: how far the body is turned from the camera (0-90 deg), against the truth; the view class"
        f" decides what is reported (knee angle within {FPPA_MAX_TURN_DEG:.0f} deg of square, turnout and width up to 65).",
        "",
    ]
    if legs := knee_angles_by_true_turn(errors["all"]):
        lines += [
            f"Knee angles reported for bodies truly within {FPPA_MAX_TURN_DEG:.0f} deg of square: {legs[0]} of {legs[1]} legs; "
            f"for bodies truly turned further: {legs[2]} of {legs[3]}.",
            "",
        ]
    lines += ["| camera | turn MAE | turn bias | classed front/back view |", "|---|---|---|---|"]
    for kind in sorted(errors, key=lambda k: (k == "all", k)):
        t = np.asarray(errors[kind].get("turn_deg", []), dtype=float)
        f = np.asarray(errors[kind].get("front_view", []), dtype=float)
        t, f = t[np.isfinite(t)], f[np.isfinite(f)]
        if len(t):
            lines.append(f"| {kind} | {np.mean(np.abs(t)):.1f} deg | {np.mean(t):+.1f} | {int(f.sum())}/{len(f)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    ap.add_argument("--split", default="all", choices=("train", "holdout", "all"))
    ap.add_argument("--model", default="full", choices=("full", "heavy"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-flip", dest="flip", action="store_false", help="one reading per image (as videos are read)")
    ap.add_argument("--aim", type=float, nargs=2, default=(0.0, 0.0), metavar=("PAN", "TILT"),
                    help="turn each camera by these degrees (subject off-centre: right for PAN > 0, up for TILT > 0)")
    ap.add_argument("--outline", dest="silhouette", action="store_true",
                    help="photos' turnout also from the feet's outline fit, as the analyzer reads photos by default "
                    "(AnalysisOptions.silhouette); without it the landmarks alone, as the live camera reads and every "
                    "correction was fitted")
    ap.add_argument("--true-fov", action="store_true", help="give the analyzer each camera's true field of view")
    ap.add_argument("--crop", type=float, metavar="MARGIN", help="cut each still down to the body plus MARGIN x its height")
    ap.add_argument("--exif", action="store_true", help="write each still's lens into its EXIF, as a camera does")
    ap.add_argument("--as-video", type=float, metavar="SECONDS", help="film each still for SECONDS and read it as a video")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    aim = (float(args.aim[0]), float(args.aim[1]))
    if args.true_fov and args.exif:
        raise SystemExit("error: --true-fov and --exif both give the lens; choose one")
    if not args.truth.is_file():
        raise SystemExit(f"error: {args.truth} not found (render the set: see benchmarks/synthetic/README.md)")
    truth = json.loads(args.truth.read_text())
    errors = score_stills(truth, args.split, args.limit, args.truth.parent, args.model, args.flip, aim, args.true_fov, args.silhouette,
                          args.crop, args.exif, args.as_video)
    n = len(errors["all"]["stance_width_ratio"])
    rel = args.truth.resolve().relative_to(HERE.parent) if args.truth.resolve().is_relative_to(HERE.parent) else args.truth
    text = table(errors, args.split, n, args.model, args.flip, aim, args.true_fov,
                 "" if args.truth == DEFAULT_TRUTH else str(rel), args.silhouette, args.crop, args.exif, args.as_video)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
