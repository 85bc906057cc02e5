"""Speed: full analysis vs bare decode + PoseLandmarker on the same clip, in one run.

    python -m benchmarks.speed [CLIP] [--model full|heavy] [--frames N]

Prints frames per second of (1) decoding only, (2) decoding + PoseLandmarker (the floor any analysis
pays), (3) the full analysis without the annotated video, (4) the full analysis with it, and the
overhead of (3) and (4) over (2). Numbers, not a test: the machine's load changes them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analyzer.pipeline import AnalysisOptions, analyze_video
from analyzer.pose import PoseEstimator
from analyzer.sources import VideoFileSource

DEFAULT_CLIP = Path(__file__).resolve().parents[2] / "shared" / "clips" / "standing" / "frontal_parallel_feet.mp4"


def bare(path: Path, model: str, limit: int, with_pose: bool) -> tuple[int, float]:
    est = PoseEstimator(model, "video") if with_pose else None
    n = 0
    t0 = time.perf_counter()
    with VideoFileSource(path) as src:
        for frame in src:
            if est is not None:
                est.detect(frame.rgb, frame.t_s)
            n += 1
            if n >= limit:
                break
    dt = time.perf_counter() - t0
    if est is not None:
        est.close()
    return n, dt


def full(path: Path, model: str, annotate: bool) -> tuple[int, float]:
    t0 = time.perf_counter()
    a = analyze_video(path, AnalysisOptions(model=model, annotate=annotate))
    dt = time.perf_counter() - t0
    if a.annotated_path is not None:
        a.annotated_path.unlink(missing_ok=True)
    return len(a.records), dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--model", default="full", choices=("full", "heavy"))
    args = ap.parse_args()
    with VideoFileSource(args.clip) as src:
        info = src.info
    print(f"clip {args.clip.name}: {info.width}x{info.height}, {info.frame_count} frames, model {args.model}")
    rows = []
    n, dt = bare(args.clip, args.model, 10**9, with_pose=False)
    rows.append(("decode only", n, dt))
    n, dt = bare(args.clip, args.model, 10**9, with_pose=True)
    rows.append(("decode + PoseLandmarker", n, dt))
    base = dt / n
    n, dt = full(args.clip, args.model, annotate=False)
    rows.append(("full analysis, no video", n, dt))
    n, dt = full(args.clip, args.model, annotate=True)
    rows.append(("full analysis + annotated H.264", n, dt))
    print(f"{'stage':<34}{'frames':>8}{'fps':>8}{'ms/frame':>10}{'overhead':>10}")
    for name, n, dt in rows:
        over = f"{(dt / n / base - 1) * 100:+.0f}%" if "full" in name else ""
        print(f"{name:<34}{n:>8}{n / dt:>8.1f}{dt / n * 1000:>10.1f}{over:>10}")


if __name__ == "__main__":
    main()
