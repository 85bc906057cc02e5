"""The CLI's printed summary table (pure formatting, no model)."""

from __future__ import annotations

from analyzer.cli import summary_table


def _stat(median, reason=None):
    return {"median": median, "iqr": None, "sd": None, "n": 3 if median is not None else 0, "uncertainty": 2.0, "reason": reason}


def test_the_summary_table_keeps_its_columns_apart_when_a_reason_is_long():
    long_reason = "side view: turnout needs a front, back or angled view"
    metrics = {
        "turnout_deg": {"left": _stat(None, long_reason), "right": _stat(-4.0)},
        "knee_fppa_deg": {"left": _stat(3.0), "right": _stat(None, "seen in only 2 frames: too few to measure")},
        "knee_offset_ratio": {"left": _stat(0.1), "right": _stat(0.2)},
        "stance_width_ratio": _stat(1.0),
    }
    summary = {
        "metrics": metrics,
        "frames": {"total": 5, "with_pose": 5, "used": 5},
        "input": {"name": "x.mp4", "width": 640, "height": 480},
        "view": "frontal",
        "activity": "standing",
    }
    lines = summary_table(summary).splitlines()
    turnout = next(line for line in lines if line.strip().startswith("turnout"))
    header = next(line for line in lines if line.strip().startswith("measure"))
    assert f"-- ({long_reason})  " in turnout and turnout.endswith("-4.0 deg +/- 2.0")
    # The right column starts at the same place on every row.
    right_at = header.index("right")
    assert turnout.index("-4.0") == right_at
    fppa = next(line for line in lines if line.strip().startswith("knee FPPA"))
    assert fppa.index("-- (seen") == right_at
