"""The accuracy benchmark as a regression test: the held-out renders must stay at the error levels reached.

The levels are the ones measured with ``python -m benchmarks.accuracy --split holdout`` (README table),
plus a small margin for arithmetic differences between CPUs. Tighten them when the method improves;
never loosen them to get green.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.accuracy import DEFAULT_TRUTH, score_stills
from tests.conftest import MODELS, need

# Reached on 2026-11-21 (84 holdout stills, full model, with the hip-line rotation correction):
# turnout 4.73 deg all, 3.13 laptop+tripod; FPPA 3.77 deg; width ratio 0.15; 2 of 21 asymmetric pairs
# swapped; 147 of 168 feet measured. (Before that correction: 5.14, 4.21, 3.70, 0.15, 3.)
MAX_TURNOUT_MAE_DEG = 4.95
MAX_TURNOUT_MAE_FRONT_DEG = 3.4
MAX_FPPA_MAE_DEG = 3.95
MAX_WIDTH_RATIO_MAE = 0.16
MAX_SWAPS = 2
MIN_TURNOUT_DETECTED = 145


def mae(errors: list[float]) -> float:
    a = np.asarray(errors, dtype=float)
    return float(np.mean(np.abs(a[np.isfinite(a)])))


@pytest.fixture(scope="module")
def holdout_errors():
    need(MODELS / "pose_landmarker_full.task")
    if not DEFAULT_TRUTH.is_file():
        pytest.skip(f"needs {DEFAULT_TRUTH} (the committed rendered set)")
    truth = json.loads(DEFAULT_TRUTH.read_text())
    return score_stills(truth, "holdout", None, DEFAULT_TRUTH.parent)


def test_turnout_error_on_held_out_bodies_and_cameras(holdout_errors):
    e = holdout_errors
    assert mae(e["all"]["turnout_deg"]) <= MAX_TURNOUT_MAE_DEG
    assert mae(e["laptop"]["turnout_deg"] + e["tripod"]["turnout_deg"]) <= MAX_TURNOUT_MAE_FRONT_DEG
    assert int(np.isfinite(e["all"]["turnout_deg"]).sum()) >= MIN_TURNOUT_DETECTED
    assert sum(e["all"]["turnout_swaps"]) <= MAX_SWAPS


def test_knee_and_width_errors_on_held_out_bodies_and_cameras(holdout_errors):
    assert mae(holdout_errors["all"]["knee_fppa_deg"]) <= MAX_FPPA_MAE_DEG
    assert mae(holdout_errors["all"]["stance_width_ratio"]) <= MAX_WIDTH_RATIO_MAE


def test_smoothing_neither_lags_nor_adds_error_on_the_rendered_turnout_sweep():
    # The laptop sweep turns both feet from -5 to 40 deg and back in 2 s at 15 fps. Reached: lag 0
    # frames; smoothed MAE 4.97 / 7.40 deg against raw 4.97 / 7.41 (left / right). A smoothing
    # window that widens or lags shows up here (a +/-0.5 s window had raised it to 7.5 / 10.3).
    from benchmarks.temporal import score_clip

    need(MODELS / "pose_landmarker_full.task")
    if not DEFAULT_TRUTH.is_file():
        pytest.skip(f"needs {DEFAULT_TRUTH} (the committed rendered set)")
    truth = json.loads(DEFAULT_TRUTH.read_text())
    clip = next(c for c in truth["clips"] if c["id"] == "turnout_sweep")
    rows = {r["metric"]: r for r in score_clip(clip, DEFAULT_TRUTH.parent, "full")}
    for side in ("left", "right"):
        r = rows[f"turnout {side}"]
        assert r["lag"] is not None and abs(r["lag"]) <= 1
        assert r["smooth_mae"] <= r["raw_mae"] + 0.3
        assert r["smooth_mae"] <= 7.8
