"""The protocol's key numbers read from summaries (pure; synthetic summaries shaped like docs/SUMMARY.md)."""

from __future__ import annotations

import math

import pytest
from feedback.builders import rep, stat, summary

from analyzer.screening import PROTOCOL, Measure, Step, key_measures, step_mismatch, step_spec


def by_key(measures: tuple[Measure, ...]) -> dict[str, Measure]:
    return {m.key: m for m in measures}


def test_protocol_has_every_step_once_in_order() -> None:
    assert [s.step for s in PROTOCOL] == list(Step)
    assert all(s.instructions and s.title for s in PROTOCOL)
    assert step_spec("squat").title == "Squats"
    with pytest.raises(ValueError, match="unknown screening step 'hop'.*standing"):
        step_spec("hop")


def test_standing_reads_the_summary_medians_and_bands() -> None:
    s = summary(turnout=(12.0, 3.5), width=1.4, fppa=(6.0, -2.0), uncertainty=3.0, width_uncertainty=0.18)
    m = by_key(key_measures(Step.STANDING, s))
    assert (m["turnout_deg.left"].value, m["turnout_deg.left"].uncertainty) == (12.0, 3.0)
    assert m["turnout_deg.right"].value == 3.5
    assert (m["stance_width_ratio"].value, m["stance_width_ratio"].uncertainty) == (1.4, 0.18)
    assert m["knee_fppa_deg.left"].value == 6.0 and m["knee_fppa_deg.right"].value == -2.0
    assert "stance_width_cm" not in m  # no scale in this summary: the row is left out, not shown empty


def test_a_missing_value_keeps_its_reason() -> None:
    s = summary(turnout=(None, 5.0))
    s["metrics"]["turnout_deg"]["left"] = stat(None, None, reason="left foot out of view")
    m = by_key(key_measures("standing", s))["turnout_deg.left"]
    assert m.value is None and m.uncertainty is None and m.reason == "left foot out of view"


def test_squat_takes_the_median_over_reps_of_the_most_inward_knee() -> None:
    # Three reps whose most inward left knee reads 4, 10 and 7 deg: median 7; right 1, 2, 30: median 2.
    reps = [rep(1, (4.0, 1.0), (0, 0)), rep(2, (10.0, 2.0), (0, 0)), rep(3, (7.0, 30.0), (0, 0))]
    m = by_key(key_measures(Step.SQUAT, summary(reps=reps, activity="squat", uncertainty=3.0)))
    assert m["rep_knee_fppa_deg.left"].value == 7.0 and m["rep_knee_fppa_deg.right"].value == 2.0
    assert m["rep_knee_fppa_deg.left"].uncertainty == 3.0  # the recording's own band for the view
    assert m["reps"].value == 3.0 and m["reps"].unit == ""


def test_squat_photo_without_reps_uses_its_own_reading_under_the_same_key() -> None:
    m = by_key(key_measures(Step.SQUAT, summary(fppa=(9.0, 1.0))))
    assert m["rep_knee_fppa_deg.left"].value == 9.0
    assert "no rep detected" in m["rep_knee_fppa_deg.left"].label


def test_single_leg_squat_reads_the_standing_knee_over_the_frames_it_stood_alone() -> None:
    s = summary(fppa=(5.0, 40.0))
    s["single_leg"] = {"left": {"frames": 30, "view": "frontal",
                                "knee_fppa_deg": {"median": 6.0, "most_inward": 14.0, "n": 30, "uncertainty": 3.0},
                                "knee_offset_ratio": {"median": 0.1, "most_inward": 0.3, "n": 30, "uncertainty": 0.13}}}
    m = by_key(key_measures(Step.SINGLE_LEG_LEFT, s))
    assert (m["single_leg_knee_fppa_deg.left"].value, m["single_leg_knee_fppa_deg.left"].uncertainty) == (14.0, 3.0)
    assert m["single_leg_knee_offset_ratio.left"].value == 0.3 and m["single_leg_frames"].value == 30.0
    assert not any(k.endswith(".right") for k in m)
    # Standing on the right leg was never seen: the right step says so instead of using two-footed frames.
    right = by_key(key_measures(Step.SINGLE_LEG_RIGHT, s))
    assert right["single_leg_knee_fppa_deg.right"].value is None
    assert right["single_leg_knee_fppa_deg.right"].reason == (
        "the left foot was not seen off the floor: no stance on the right leg alone")
    assert right["single_leg_frames"].value == 0.0
    # Seen alone, but from a view that gives no knee angle.
    s["single_leg"]["right"] = {"frames": 12, "view": "left_sagittal",
                                "knee_fppa_deg": {"median": None, "most_inward": None, "n": 0, "uncertainty": None}}
    right = by_key(key_measures(Step.SINGLE_LEG_RIGHT, s))
    assert right["single_leg_knee_fppa_deg.right"].reason == "not measured from this view (left sagittal)"


def test_walking_step_width_and_asymmetry() -> None:
    s = summary(turnout=(12.0, 4.0), uncertainty=3.0, activity="walking")
    s["steps"] = [{"index": i, "side": "left", "t_s": i, "turnout_deg": 8.0, "step_width_ratio": w,
                   "step_width_cm": None} for i, w in enumerate([0.5, 0.7, 0.6, None])]
    m = by_key(key_measures(Step.WALKING, s))
    assert m["turnout_asymmetry_deg"].value == 8.0
    assert m["turnout_asymmetry_deg"].uncertainty == pytest.approx(math.hypot(3.0, 3.0))
    assert m["step_width_ratio"].value == pytest.approx(0.6)
    # +/-: the larger of the footprints' SD (0.1) and the frontal method error for the width (0.18).
    assert m["step_width_ratio"].uncertainty == pytest.approx(0.18)
    assert m["steps"].value == 4.0


def test_odd_summaries_never_raise() -> None:
    for odd in ({}, {"metrics": None}, {"metrics": {"turnout_deg": "x"}, "reps": "y", "steps": [1]}):
        for step in Step:
            for m in key_measures(step, odd):
                assert m.value is None or m.unit == ""  # counts read 0; everything else is missing
    with pytest.raises(ValueError):
        Measure("k", "l", "deg", float("nan"))


def test_a_recording_that_does_not_look_like_its_step_gets_a_word() -> None:
    walk = summary(activity="walking")
    assert step_mismatch(Step.STANDING, walk) == (
        "This recording looks like walking, not standing: check it is the right file for this step."
    )
    assert step_mismatch(Step.WALKING, walk) is None
    assert step_mismatch(Step.SINGLE_LEG_LEFT, summary(activity="standing")) is None  # no full rep: still fine
    squat_video = {**summary(activity="standing"), "input": {"kind": "video"}}
    assert "looks like standing, not squats" in (step_mismatch(Step.SQUAT, squat_video) or "")
    squat_photo = {**summary(activity="standing"), "input": {"kind": "image"}}
    assert step_mismatch(Step.SQUAT, squat_photo) is None  # a photo is a still whatever it shows
    assert step_mismatch(Step.STANDING, summary(activity="unknown")) is None
