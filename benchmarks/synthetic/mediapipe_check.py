"""Run MediaPipe pose on rendered stills and report the pixel error of its landmarks against the truth.

    python -m benchmarks.synthetic.mediapipe_check [benchmarks/synthetic/data/truth.json] [--limit N]

Model: $ANALYZER_MODEL_DIR/pose_landmarker_full.task or ../shared/models/pose_landmarker_full.task. This checks
that the renders are realistic enough for the detector (it is not the analyzer benchmark itself).
Note: MediaPipe's "heel" and "foot index" are not the same points as the truth heel centre / toe tips.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

MP_INDEX = {"shoulder_left": 11, "shoulder_right": 12, "hip_left": 23, "hip_right": 24, "knee_left": 25,
            "knee_right": 26, "ankle_left": 27, "ankle_right": 28, "heel_left": 29, "heel_right": 30}


def model_path() -> Path:
    d = os.environ.get("ANALYZER_MODEL_DIR")
    cands = [Path(d)] if d else []
    cands.append(Path(__file__).resolve().parents[3] / "shared" / "models")
    for c in cands:
        if (c / "pose_landmarker_full.task").is_file():
            return c / "pose_landmarker_full.task"
    raise SystemExit("pose_landmarker_full.task not found (set ANALYZER_MODEL_DIR)")


def main(argv=None) -> None:
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    ap = argparse.ArgumentParser()
    ap.add_argument("truth", nargs="?", default=str(Path(__file__).parent / "data" / "truth.json"))
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args(argv)
    src = Path(a.truth)
    recs = json.loads(src.read_text())["stills"]
    if a.limit:
        recs = recs[: a.limit]
    lm = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path())), running_mode=vision.RunningMode.IMAGE))
    per_kind: dict[str, list[float]] = {}
    missed = 0
    for r in recs:
        res = lm.detect(mp.Image.create_from_file(str(src.parent / r["image"])))
        if not res.pose_landmarks:
            missed += 1
            continue
        L = res.pose_landmarks[0]
        W, H = r["camera"]["image_size"]
        px = r["truth"]["points_px"]
        e = [float(np.hypot(L[i].x * W - px[k][0], L[i].y * H - px[k][1])) for k, i in MP_INDEX.items()]
        per_kind.setdefault(f"{r['split']}/{r['camera']['camera_kind']}", []).append(float(np.median(e)))
    lm.close()
    print(f"{len(recs)} stills, no pose in {missed}")
    for k in sorted(per_kind):
        v = per_kind[k]
        print(f"  {k:22s} n={len(v):3d} median landmark error {np.median(v):5.1f} px (max {max(v):5.1f})")


if __name__ == "__main__":
    main()
