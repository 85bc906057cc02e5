"""The screening's single-leg squat step against rendered truth (python -m benchmarks.single_leg).

Levels reached on 2026-12-08 (full model; benchmarks/results/single_leg.md): the standing leg named in
both clips, 53 / 55 and 54 / 55 of the true one-leg frames counted; median knee angle read +3.6 / +6.6
deg against +6.4 / +5.0 true, knee offset +0.14 / +0.16 against +0.17 / +0.24 (each within the +/- the
summary gives); the most inward readings fall short of the truth's: 6.8 / 2.9 deg and 0.08 / 0.18 hip
widths. Before the hips' drop was read over the standing ankle alone (metrics.hip_rise), a raised foot
made every one-leg frame look like a deep squat and no knee angle was given (0 frames read).
"""

from __future__ import annotations

import json

import pytest

from benchmarks.single_leg import DEFAULT_TRUTH, MEASURES, run
from tests.conftest import MODELS, need

PEAK_SHORTFALL = {"knee_fppa_deg": 7.5, "knee_offset_ratio": 0.2}  # reached 6.8 deg and 0.18


@pytest.fixture(scope="module")
def scores() -> list[dict]:
    need(MODELS / "pose_landmarker_full.task")
    need(DEFAULT_TRUTH)
    return run(DEFAULT_TRUTH)


def test_the_leg_standing_alone_is_named_over_its_frames(scores):
    assert len(scores) == len(json.loads(DEFAULT_TRUTH.read_text())["clips"]) == 2
    for s in scores:
        assert s["named"] == [s["standing"]], s
        assert s["frames"] >= 0.9 * s["true_frames"], s


def test_the_standing_knee_is_read_within_its_band(scores):
    for s in scores:
        square = s["clip"].endswith("left")  # the laptop clip faces the camera; the tripod's is turned 10 deg
        assert s["knee_fppa_deg"]["n"] >= (0.9 * s["frames"] if square else 10), s
        for name in MEASURES:
            m = s[name]
            assert m["median"] is not None and m["uncertainty"] is not None, (s["clip"], name, m)
            assert abs(m["median"] - m["true_median"]) <= m["uncertainty"], (s["clip"], name, m)
            assert m["most_inward"] >= m["median"]
            assert m["true_most_inward"] - m["most_inward"] <= PEAK_SHORTFALL[name], (s["clip"], name, m)
