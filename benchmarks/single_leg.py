"""The screening's single-leg squat against truth: rendered single-leg squats in VIDEO mode.

    python -m benchmarks.single_leg [--truth PATH] [--out FILE.md]

Each clip of benchmarks/synthetic/data_single_leg (``python -m benchmarks.synthetic.generate ... --tag
_single_leg``: 10 frames on both feet, one foot raised behind, two slow squats on the other leg with its
knee going in as it bends) goes through ``analyze_video`` as a user's file would. The summary's
``single_leg`` block (pipeline.single_leg_entries) is scored against the truth over the frames the raised
foot is truly more than TRUE_LIFT_M off the floor: which leg it names, how many of those frames it counts,
and its median and most inward (90th percentile) knee angle (FPPA) and knee offset against the same
statistics of the true standing knee.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.pipeline import AnalysisOptions, analyze_video

HERE = Path(__file__).resolve().parent
DEFAULT_TRUTH = HERE / "synthetic" / "data_single_leg" / "truth.json"
DEFAULT_OUT = HERE / "results" / "single_leg.md"
TRUE_LIFT_M = 0.05  # a raised foot's sole this far above the floor counts as off it
PEAK_PERCENTILE = 90  # as pipeline.SINGLE_LEG_PEAK_PERCENTILE
MEASURES = ("knee_fppa_deg", "knee_offset_ratio")


def standing_leg(clip: dict[str, Any]) -> str:
    """The leg the clip's body stands on (the one whose foot never leaves the floor)."""
    top = {s: max(f["truth"]["foot_height_m"][s]["sole_min"] for f in clip["frames"]) for s in ("left", "right")}
    return min(top, key=lambda s: top[s])


def score_clip(clip: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """The single_leg block of ``summary`` against ``clip``'s truth (see the module's docstring)."""
    stand = standing_leg(clip)
    other = "right" if stand == "left" else "left"
    alone = [f["truth"] for f in clip["frames"] if f["truth"]["foot_height_m"][other]["sole_min"] > TRUE_LIFT_M]
    block = summary.get("single_leg") or {}
    read = block.get(stand) or {}
    out: dict[str, Any] = {"clip": clip["id"], "standing": stand, "named": sorted(block),
                           "true_frames": len(alone), "frames": read.get("frames", 0)}
    for name in MEASURES:
        true = np.array([t[name][stand] for t in alone], float)
        got = read.get(name) or {}
        out[name] = {
            "true_median": float(np.median(true)),
            "true_most_inward": float(np.percentile(true, PEAK_PERCENTILE)),
            "median": got.get("median"),
            "most_inward": got.get("most_inward"),
            "n": got.get("n", 0),
            "uncertainty": got.get("uncertainty"),
        }
    return out


def run(truth_path: Path = DEFAULT_TRUTH) -> list[dict[str, Any]]:
    truth = json.loads(truth_path.read_text())
    return [score_clip(c, analyze_video(truth_path.parent / c["video"], AnalysisOptions()).summary)
            for c in truth["clips"]]


def _num(v: float | None, digits: int) -> str:
    return "-" if v is None else f"{v:+.{digits}f}"


def table(scores: list[dict[str, Any]]) -> str:
    lines = [
        "Rendered single-leg squats (benchmarks/synthetic/data_single_leg; full model, VIDEO mode): the "
        "summary's `single_leg` block against the true standing knee over the frames the other foot is "
        f"more than {TRUE_LIFT_M * 100:.0f} cm up.",
        "",
        "| clip | standing leg | legs named | frames counted / true | measure | median read / true | "
        "most inward read / true | frames read | +/- |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        for name in MEASURES:
            m = s[name]
            d = 1 if name.endswith("deg") else 2
            lines.append(
                f"| {s['clip']} | {s['standing']} | {', '.join(s['named']) or '-'} | {s['frames']} / "
                f"{s['true_frames']} | {name} | {_num(m['median'], d)} / {m['true_median']:+.{d}f} | "
                f"{_num(m['most_inward'], d)} / {m['true_most_inward']:+.{d}f} | {m['n']} | "
                f"{'-' if m['uncertainty'] is None else m['uncertainty']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    text = table(run(a.truth))
    print(text)
    a.out.write_text(text)


if __name__ == "__main__":
    main()
