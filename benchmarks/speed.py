"""Speed: full analysis vs bare decode + PoseLandmarker on the same clip, in one run.

    python -m benchmarks.speed [CLIP] [--model full|heavy] [--no-flip]

Prints frames per second of (1) decoding only, (2) decoding + MediaPipe's PoseLandmarker for one
person in a plain loop (the floor any analysis pays), (3) the project's PoseEstimator (one-person
tracker plus the sparse look for other people), (4) the full analysis without the annotated video,
(5) the full analysis with it, and the overhead of (3)-(5) over (2). (3)-(5) run with flip averaging
(a second reading of the mirrored frame, the default of file analysis); ``--no-flip`` reads once.
Numbers, not a test: the machine's load changes them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analyzer.pipeline import AnalysisOptions, analyze_video
from analyzer.pose import PoseEstimator, resolve_model
from analyzer.sources import VideoFileSource

DEFAULT_CLIP = Path(__file__).resolve().parents[2] / "shared" / "clips" / "standing" / "frontal_parallel_feet.mp4"


def decode(path: Path) -> tuple[int, float]:
    n = 0
    t0 = time.perf_counter()
    with VideoFileSource(path) as src:
        for _frame in src:
            n += 1
    return n, time.perf_counter() - t0


def bare_landmarker(path: Path, model: str) -> tuple[int, float]:
    """Decode + MediaPipe PoseLandmarker (VIDEO mode, one person), nothing else."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model(model))),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    n = 0
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        t0 = time.perf_counter()
        with VideoFileSource(path) as src:
            for frame in src:
                image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.rgb)
                landmarker.detect_for_video(image, int(frame.t_s * 1000))
                n += 1
        dt = time.perf_counter() - t0
    return n, dt


def estimator(path: Path, model: str, flip: bool) -> tuple[int, float]:
    n = 0
    with PoseEstimator(model, "video", flip_average=flip) as est:
        t0 = time.perf_counter()
        with VideoFileSource(path) as src:
            for frame in src:
                est.detect(frame.rgb, frame.t_s)
                n += 1
        dt = time.perf_counter() - t0
    return n, dt


def full(path: Path, model: str, annotate: bool, flip: bool) -> tuple[int, float]:
    t0 = time.perf_counter()
    a = analyze_video(path, AnalysisOptions(model=model, annotate=annotate, flip_average=flip))
    dt = time.perf_counter() - t0
    if a.annotated_path is not None:
        a.annotated_path.unlink(missing_ok=True)
    return len(a.records), dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--model", default="full", choices=("full", "heavy"))
    ap.add_argument("--no-flip", dest="flip", action="store_false", help="one model run per frame (no flip averaging)")
    args = ap.parse_args()
    with VideoFileSource(args.clip) as src:
        info = src.info
    flip = ", flip averaging (2 model runs per frame)" if args.flip else ", single reading"
    print(f"clip {args.clip.name}: {info.width}x{info.height}, {info.frame_count} frames, model {args.model}{flip}")
    rows = []
    n, dt = decode(args.clip)
    rows.append(("decode only", n, dt))
    n, dt = bare_landmarker(args.clip, args.model)
    rows.append(("decode + PoseLandmarker", n, dt))
    base = dt / n
    n, dt = estimator(args.clip, args.model, args.flip)
    rows.append(("decode + PoseEstimator", n, dt))
    n, dt = full(args.clip, args.model, annotate=False, flip=args.flip)
    rows.append(("full analysis, no video", n, dt))
    n, dt = full(args.clip, args.model, annotate=True, flip=args.flip)
    rows.append(("full analysis + annotated H.264", n, dt))
    print(f"{'stage':<34}{'frames':>8}{'fps':>8}{'ms/frame':>10}{'overhead':>10}")
    for i, (name, n, dt) in enumerate(rows):
        over = f"{(dt / n / base - 1) * 100:+.0f}%" if i >= 2 else ""
        print(f"{name:<34}{n:>8}{n / dt:>8.1f}{dt / n * 1000:>10.1f}{over:>10}")


if __name__ == "__main__":
    main()
