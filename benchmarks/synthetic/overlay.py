"""Draw the truth 2D points of a rendered still or clip frame on its image (visual QA of the camera model).

    python -m benchmarks.synthetic.overlay benchmarks/synthetic/data/truth.json s0003 /tmp/s0003_overlay.png
    python -m benchmarks.synthetic.overlay samples/synthetic/laptop_toeout.json - /tmp/overlay.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2


def draw(image_path: Path, truth: dict, out: Path) -> None:
    im = cv2.imread(str(image_path))
    pts = truth["points_px"]
    for name, (u, v) in pts.items():
        color = (0, 0, 255) if name.endswith("left") else (255, 0, 0) if name.endswith("right") else (0, 200, 0)
        cv2.circle(im, (round(u), round(v)), 3, color, -1)
    for s in ("left", "right"):
        chain = [pts[f"{n}_{s}"] for n in ("hip", "knee", "ankle")]
        for a, b in zip(chain, chain[1:], strict=False):
            cv2.line(im, tuple(round(c) for c in a), tuple(round(c) for c in b), (0, 255, 255), 1)
        cv2.line(im, tuple(round(c) for c in pts[f"heel_{s}"]), tuple(round(c) for c in pts[f"toe2_{s}"]),
                 (255, 0, 255), 1)
    cv2.imwrite(str(out), im)


def main(argv: list[str]) -> None:
    src, key, out = Path(argv[0]), argv[1], Path(argv[2])
    d = json.loads(src.read_text())
    if key == "-":
        draw(src.parent / d["image"], d["truth"], out)
        return
    for r in d["stills"]:
        if r["id"] == key:
            draw(src.parent / r["image"], r["truth"], out)
            return
    for c in d["clips"]:
        for f in c["frames"]:
            if f"{c['id']}:{f['index']}" == key:
                draw(src.parent / f["image"], f["truth"], out)
                return
    raise SystemExit(f"{key} not found (still id, or clip_id:frame_index)")


if __name__ == "__main__":
    main(sys.argv[1:])
