"""The temporal path against truth: rendered clips in VIDEO mode, and steadiness on real still stances.

    python -m benchmarks.temporal [--truth PATH] [--model full|heavy] [--no-flip] [--aim PAN TILT] [--out FILE.md]
    python -m benchmarks.temporal --outline-per-frame [--truth PATH] [--no-flip] [--out FILE.md]

1. Each rendered clip (benchmarks/synthetic/data/clips, per-frame truth in truth.json) goes through
   ``analyze_video`` as a user's file would. Per metric: MAE and bias of the raw per-frame values and
   of the smoothed ones (what frames.csv and the annotated video show), and the lag: the shift of the
   smoothed series against the truth, in frames, that fits best (positive = the measurement trails).
   ``--aim PAN TILT`` first turns the clip's camera (benchmarks.accuracy.turned_picture; clips rendered with
   room, benchmarks/synthetic/data_room, are cut back around the principal point).
2. Real clips with a still stance (no truth needed): the standard deviation of the raw and smoothed
   turnout and stance width over the still windows the analysis found. The target is SD <= 1 deg.
3. ``--outline-per-frame`` (instead of 1 and 2): the feet's outline fit, which a video reads on a few of
   its still frames (AnalysisOptions.silhouette), tried on every frame of each rendered clip: the VIDEO-mode
   landmarks and scene as analyze_video has them, each frame's person mask from one IMAGE-mode reading;
   per-frame turnout and width MAE with the landmarks alone and with the fit.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analyzer.pipeline import Analysis, AnalysisOptions, FrameAnalyzer, analyze_video
from analyzer.pose import PoseEstimator
from analyzer.sources import VideoFileSource
from benchmarks.accuracy import aim_note, camera_turn, turned_picture

HERE = Path(__file__).resolve().parent
DEFAULT_TRUTH = HERE / "synthetic" / "data" / "truth.json"
DEFAULT_OUT = HERE / "results" / "temporal.md"
CLIPS = HERE.parents[1] / "shared" / "clips"
STILL_CLIPS = ("standing/frontal_parallel_feet.mp4", "squat/IMG_7027.mov", "squat/IMG_7033.mov")
MAX_LAG = 4

# (label, getter on StanceMetrics, getter on a frame's truth dict)
SERIES = (
    ("turnout left", lambda m: m.left.turnout_deg, lambda t: t["turnout_deg"]["left"]),
    ("turnout right", lambda m: m.right.turnout_deg, lambda t: t["turnout_deg"]["right"]),
    ("FPPA left", lambda m: m.left.knee_fppa_deg, lambda t: t["knee_fppa_deg"]["left"]),
    ("FPPA right", lambda m: m.right.knee_fppa_deg, lambda t: t["knee_fppa_deg"]["right"]),
    ("width ratio", lambda m: m.stance_width_ratio, lambda t: t["stance_width_ratio"]),
    ("knee offset left", lambda m: m.left.knee_offset_ratio, lambda t: t["knee_offset_ratio"]["left"]),
    ("knee offset right", lambda m: m.right.knee_offset_ratio, lambda t: t["knee_offset_ratio"]["right"]),
)


def lag_frames(measured: np.ndarray, truth: np.ndarray) -> int | None:
    """The shift (frames) of ``measured`` behind ``truth`` with the least mean absolute difference."""
    if np.ptp(truth) < 1e-6:
        return None  # a constant truth has no lag to find
    best, best_err = None, math.inf
    n = len(truth)
    for k in range(-MAX_LAG, MAX_LAG + 1):
        a = measured[max(0, k) : n + min(0, k)]
        b = truth[max(0, -k) : n - max(0, k)]
        ok = np.isfinite(a)
        if ok.sum() < n // 2:
            continue
        err = float(np.mean(np.abs(a[ok] - b[ok])))
        if err < best_err - 1e-9:
            best, best_err = k, err
    return best


def turned_clip(clip: dict[str, Any], data_dir: Path, out: Path, pan_deg: float, tilt_deg: float) -> Path:
    """The clip as its camera, turned by (pan, tilt), would have seen it, written to ``out`` (mp4)."""
    k = np.asarray(clip["camera"]["K"], dtype=float)
    turn = camera_turn(pan_deg, tilt_deg)
    writer = None
    for f in clip["frames"]:
        image, _ = turned_picture(cv2.imread(str(data_dir / f["image"])), k, clip.get("framed_size"), turn)
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), clip["fps"], image.shape[1::-1])
        writer.write(image)
    assert writer is not None
    writer.release()
    return out


def score_clip(
    clip: dict[str, Any], data_dir: Path, model: str, flip: bool = True, aim: tuple[float, float] = (0.0, 0.0)
) -> list[dict[str, Any]]:
    opts = AnalysisOptions(model=model, annotate=False, flip_average=flip)
    if aim != (0.0, 0.0) or "framed_size" in clip:
        with tempfile.TemporaryDirectory(prefix="stance-aim-") as tmp:
            a = analyze_video(turned_clip(clip, data_dir, Path(tmp) / f"{clip['id']}.mp4", *aim), opts)
    else:
        a = analyze_video(data_dir / clip["video"], opts)
    frames = clip["frames"]
    n = min(len(frames), len(a.records))
    rows = []
    for label, get, get_truth in SERIES:
        truth = np.array([get_truth(f["truth"]) for f in frames[:n]], dtype=float)
        raw = np.array([get(r.raw) for r in a.records[:n]], dtype=float)
        smooth = np.array([get(r.smooth) for r in a.records[:n]], dtype=float)
        if np.ptp(truth) < 1e-6 and label.startswith("FPPA") and abs(truth[0]) < 1e-6:
            continue  # not what this clip is about
        row: dict[str, Any] = {"clip": clip["id"], "camera": clip["camera"]["camera_kind"], "metric": label}
        for name, series in (("raw", raw), ("smooth", smooth)):
            e = series - truth
            ok = np.isfinite(e)
            row[f"{name}_mae"] = float(np.mean(np.abs(e[ok]))) if ok.any() else math.nan
            row[f"{name}_bias"] = float(np.mean(e[ok])) if ok.any() else math.nan
        row["detected"] = f"{int(np.isfinite(raw).sum())}/{n}"
        row["lag"] = lag_frames(smooth, truth)
        row["truth_range"] = f"{truth.min():.1f}..{truth.max():.1f}"
        rows.append(row)
    return rows


def still_sd(a: Analysis) -> dict[str, tuple[float, float, int]]:
    """Per series: (SD raw, SD smoothed, frames) over the still windows."""
    windows = a.summary.get("still_windows", [])
    used = [r for r in a.records if any(w["start_s"] <= r.t_s <= w["end_s"] for w in windows)]
    out = {}
    for label, get, _ in SERIES:
        if label.startswith(("FPPA", "knee offset")):
            continue
        raw = np.array([get(r.raw) for r in used], dtype=float)
        smooth = np.array([get(r.smooth) for r in used], dtype=float)
        raw, smooth = raw[np.isfinite(raw)], smooth[np.isfinite(smooth)]
        out[label] = (float(np.std(raw)) if len(raw) > 1 else math.nan, float(np.std(smooth)) if len(smooth) > 1 else math.nan, len(raw))
    return out


def outline_per_frame(clip: dict[str, Any], video: Path, flip: bool = True) -> dict[str, tuple[float, float, int]]:
    """Per series (turnout left / right, width ratio): (MAE landmarks alone, MAE with the outline fit, frames
    with both), every frame of the clip fitted (see the module docstring, 3)."""
    alone = FrameAnalyzer(AnalysisOptions(annotate=False, flip_average=flip, silhouette=False))
    fitted = FrameAnalyzer(AnalysisOptions(annotate=False, flip_average=flip, silhouette=True))
    pairs: dict[str, list[tuple[float, float]]] = {"turnout left": [], "turnout right": [], "width ratio": []}
    with PoseEstimator("full", "video", flip_average=flip) as vid, PoseEstimator("full", "image") as img, \
            VideoFileSource(video) as src:
        for frame, f in zip(src, clip["frames"], strict=False):
            pose = alone.camera_pose(vid.detect(frame.rgb, frame.t_s).pose)
            m0, _, _ = alone.step(pose, frame.t_s)
            mask = img.detect(frame.rgb, 0.0).mask
            usable = pose is not None and mask is not None and mask.shape == pose.size_wh[::-1]
            m1, _, _ = fitted.step(pose, frame.t_s, mask if usable else None)
            for label, get, get_truth in SERIES:
                if label in pairs:
                    pairs[label].append((get(m0) - get_truth(f["truth"]), get(m1) - get_truth(f["truth"])))
    out = {}
    for label, errs in pairs.items():
        e = np.array(errs, dtype=float)
        e = e[np.isfinite(e).all(axis=1)]
        out[label] = (float(np.mean(np.abs(e[:, 0]))), float(np.mean(np.abs(e[:, 1]))), len(e)) if len(e) else (math.nan, math.nan, 0)
    return out


def outline_main(truth: dict[str, Any], data_dir: Path, flip: bool, source: str) -> str:
    lines = [
        f"Rendered clips{source}, the feet's outline fit on every frame (`--outline-per-frame`; full model, "
        f"{'flip-averaged' if flip else 'single reading'}): per-frame MAE, landmarks alone -> with the fit.",
        "",
        "| clip | camera | series | frames | landmarks alone | with the outline fit |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="stance-outline-") as tmp:
        for clip in truth["clips"]:
            video = data_dir / clip["video"] if "framed_size" not in clip else turned_clip(clip, data_dir, Path(tmp) / f"{clip['id']}.mp4", 0.0, 0.0)
            for label, (a, b, n) in outline_per_frame(clip, video, flip).items():
                lines.append(f"| {clip['id']} | {clip['camera']['camera_kind']} | {label} | {n} | {fmt(a)} | {fmt(b)} |")
    return "\n".join(lines)


def fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    ap.add_argument("--model", default="full", choices=("full", "heavy"))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-flip", dest="flip", action="store_false", help="read each frame once (no flip averaging)")
    ap.add_argument("--rendered-only", action="store_true", help="leave out the real clips' steadiness")
    ap.add_argument("--aim", type=float, nargs=2, default=(0.0, 0.0), metavar=("PAN", "TILT"),
                    help="turn each clip's camera by these degrees (subject off-centre: right for PAN > 0, up for TILT > 0)")
    ap.add_argument("--outline-per-frame", action="store_true", help="the feet's outline fit on every frame of the rendered clips")
    args = ap.parse_args()
    aim = (float(args.aim[0]), float(args.aim[1]))
    turned = aim_note(aim)
    source = "" if args.truth == DEFAULT_TRUTH else f" of `{args.truth}`"
    truth = json.loads(args.truth.read_text())
    if args.outline_per_frame:
        text = outline_main(truth, args.truth.parent, args.flip, source)
        print(text)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        return
    lines = [
        f"Rendered clips{source} through `analyze_video` ({args.model} model{'' if args.flip else ', single reading (no flip averaging)'}"
        f"{turned}; 15 fps, 32 frames each). Errors in the metric's unit;",
        "lag in frames of the smoothed series behind the truth (positive = trails).",
        "",
        "| clip | camera | metric | truth | raw MAE | raw bias | smoothed MAE | smoothed bias | detected | lag |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for clip in truth["clips"]:
        for r in score_clip(clip, args.truth.parent, args.model, args.flip, aim):
            lag = "-" if r["lag"] is None else f"{r['lag']:+d}"
            lines.append(
                f"| {r['clip']} | {r['camera']} | {r['metric']} | {r['truth_range']} | {fmt(r['raw_mae'])} | {fmt(r['raw_bias'])} | "
                f"{fmt(r['smooth_mae'])} | {fmt(r['smooth_bias'])} | {r['detected']} | {lag} |"
            )
    real = () if args.rendered_only else STILL_CLIPS
    lines += [] if not real else [
        "",
        "Real clips, standard deviation over the still windows the analysis found (no truth needed; target SD <= 1 deg):",
        "",
        "| clip | series | frames | SD raw | SD smoothed |",
        "|---|---|---|---|---|",
    ]
    for rel in real:
        path = CLIPS / rel
        if not path.is_file():
            lines.append(f"| {rel} | missing: needs {path} | | | |")
            continue
        a = analyze_video(path, AnalysisOptions(model=args.model, annotate=False, flip_average=args.flip))
        for label, (sd_raw, sd_smooth, n) in still_sd(a).items():
            lines.append(f"| {rel} | {label} | {n} | {fmt(sd_raw)} | {fmt(sd_smooth)} |")
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
