"""The command line: ``analyzer analyze INPUT --out DIR`` (and ``python -m analyzer``); the instructor's
records commands (client, record, report, export, import) are in :mod:`analyzer.cli_records`."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.cli_records import add_parsers as add_records_parsers
from analyzer.errors import StanceError


def _fmt_stat(s: dict[str, Any] | None, unit: str, signed: bool = False, digits: int = 1) -> str:
    if not s or s.get("median") is None:
        reason = (s or {}).get("reason") or "not measured"
        return f"-- ({reason})"
    med = s["median"]
    text = f"{med:+.{digits}f}{unit}" if signed else f"{med:.{digits}f}{unit}"
    if s.get("uncertainty") is not None:
        text += f" +/- {s['uncertainty']:.{digits}f}"
    return text


def _columns(rows: list[tuple[str, str, str]]) -> list[str]:
    """Three-column lines, the middle column as wide as its longest cell (a reason can be long) + 2."""
    width = max(30, *(len(mid) + 2 for _, mid, _ in rows))
    return [f"  {a:<28}{b:<{width}}{c}".rstrip() for a, b, c in rows]


def summary_table(summary: dict[str, Any]) -> str:
    """The readable summary printed after an analysis."""
    from analyzer.pipeline import lens_text

    m = summary["metrics"]
    fr = summary["frames"]
    inp = summary["input"]
    lines = [
        f"Stance analysis of {inp['name']} ({inp['width']}x{inp['height']}, {summary['view'].replace('_', ' ')} view, "
        f"{summary['activity']})",
        f"Frames: {fr['total']} total, {fr['with_pose']} with a person, {fr['used']} used for the values below",
        *([f"Camera: {text}"] if (text := lens_text(summary.get("lens"))) else []),
        "",
        *_columns(
            [
                ("measure", "left", "right"),
                *(
                    (label, _fmt_stat(m[name]["left"], unit, True, dp), _fmt_stat(m[name]["right"], unit, True, dp))
                    for label, name, unit, dp in (
                        ("turnout (+ = toe-out)", "turnout_deg", " deg", 1),
                        ("knee FPPA (+ = inward)", "knee_fppa_deg", " deg", 1),
                        ("knee offset (x hip width)", "knee_offset_ratio", "", 2),
                    )
                ),
            ]
        ),
        f"  {'stance width (x hip width)':<28}{_fmt_stat(m['stance_width_ratio'], 'x', False, 2)}",
    ]
    cm = m.get("stance_width_cm") or {}
    if cm.get("median") is not None:
        lines.append(f"  {'stance width (cm)':<28}{_fmt_stat(cm, ' cm', False, 1)}")
    for rep in summary.get("reps", []):
        f = rep["knee_fppa_deg"]
        lines.append(
            f"  squat rep {rep['index']}: knee flexion {rep['knee_flexion_deg']:.0f} deg, most inward knee FPPA "
            f"L {_num(f['left'])} R {_num(f['right'])} deg"
        )
    if summary.get("warnings"):
        lines.append("")
        lines.extend(f"  warning: {w['message']}" for w in summary["warnings"])
    return "\n".join(lines)


def _num(v: float | None) -> str:
    return "--" if v is None or not math.isfinite(v) else f"{v:+.1f}"


def _progress_printer(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="frame", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update


def cmd_analyze(args: argparse.Namespace) -> int:
    from analyzer.feedback import build_plan, render_text
    from analyzer.pipeline import AnalysisOptions, analyze_file

    try:
        options = AnalysisOptions(
            model=args.model,
            model_path=args.model_path,
            body_height_cm=args.height_cm,
            hfov_deg=args.hfov,
            max_long_side=args.max_side,
            annotate=not args.no_video,
            flip_average=args.flip,
            silhouette=args.outline,
        )
    except ValueError as exc:
        raise StanceError(str(exc)) from exc
    analysis = analyze_file(args.input, options, progress=_progress_printer(not args.quiet))
    try:
        written = analysis.write(args.out) if args.out else {}
    finally:
        if analysis.annotated_path is not None:
            analysis.annotated_path.unlink(missing_ok=True)
    print(summary_table(analysis.summary))
    print()
    print(render_text(build_plan(analysis.summary)))
    if written:
        print()
        print("Wrote: " + ", ".join(str(p) for p in written.values()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="analyzer",
        description="Stance: foot turnout, stance width and knee-over-foot alignment from a video or photo.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse a video or photo", description="Analyse a video or photo.")
    a.add_argument("input", type=Path, help="video (mp4, mov, m4v, avi, webm, mkv) or photo (jpg, png)")
    a.add_argument("--out", type=Path, help="folder for summary.json, frames.csv and annotated.mp4")
    a.add_argument("--model", choices=("full", "heavy"), default="full", help="pose model size (default full; heavy is slower and measured the feet worse on the benchmark)")
    a.add_argument("--model-path", type=Path, help="a .task file or folder (else $ANALYZER_MODEL_DIR, the cache)")
    a.add_argument("--height-cm", type=float, help="the person's height, for centimetres")
    a.add_argument("--hfov", type=float, help="camera horizontal field of view in degrees, if known")
    a.add_argument("--max-side", type=int, default=1280, help="scale frames down to this long side (default 1280)")
    a.add_argument("--no-video", action="store_true", help="skip the annotated video")
    a.add_argument(
        "--no-flip",
        dest="flip",
        action="store_false",
        help="read each frame once instead of also reading its mirror image (about 1.5x faster on videos, less accurate)",
    )
    a.add_argument(
        "--outline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also fit the feet's outline and average its turnout in: a photo's, and on 5 frames of a video's "
        "still stretches (default; --no-outline reads the landmarks alone, under 1 s faster a photo and "
        "7-13 s a video; see README)",
    )
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=cmd_analyze)
    add_records_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except StanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
