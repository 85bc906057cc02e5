"""The plan: ranking, links between findings and exercises, JSON output, text rendering and snapshot."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from analyzer.feedback import (
    Catalogue,
    FindingKind,
    Severity,
    apply_feedback,
    build_plan,
    load_thresholds,
    render_text,
)

from .builders import rep, stat, summary

SNAPSHOT = Path(__file__).with_name("snapshots") / "typical_plan.txt"


def typical_summary() -> dict[str, Any]:
    """A person who turns the left foot out, with a left knee that moves in during three squats.

    Left turnout 19 +/- 3 deg (mild: past 15 by more than 3), right 8 deg (typical); difference 11 +/- 4.2
    (mild, borderline near 10); stance 1.3 x hip width (inside 0.5-1.5); left FPPA 11 +/- 3 (mild,
    borderline near 10); squat change left 12, 13, 14 -> median 13 +/- 4.2 (mild, borderline near 15).
    """
    s = summary(turnout=(19.0, 8.0), width=1.3, fppa=(11.0, 4.0), uncertainty=3.0, activity="squat")
    s["metrics"]["stance_width_cm"] = stat(24.0, 2.0)
    s["reps"] = [rep(i + 1, (15.0 + i, 6.0), (3.0, 3.0)) for i in range(3)]
    s["warnings"] = [{"code": "few_frames", "message": "Only 40 frames had a person in view."}]
    return s


def test_typical_case_findings_are_as_reasoned() -> None:
    plan = build_plan(typical_summary())
    got = {f.id: (f.severity, f.borderline) for f in plan.findings}
    assert got == {
        "toe_out.left": (Severity.MILD, False),
        "turnout_asymmetry": (Severity.MILD, True),
        "knee_valgus.left": (Severity.MILD, True),
        "knee_valgus_squat.left": (Severity.MILD, True),
    }


def test_ranking_is_by_weighted_fit() -> None:
    plan = build_plan(typical_summary())
    t = load_thresholds().plan
    # score = sum of weight x fit**2. parallel_feet_drill: toe_out (mild, fit 3) + asymmetry (mild,
    # borderline, fit 3) + knee valgus (mild, borderline, fit 2)
    borderline_mild = t.weight_mild * t.borderline_factor
    expected_top = t.weight_mild * 9 + borderline_mild * 9 + borderline_mild * 4
    top = plan.exercises[0]
    assert top.exercise.id == "parallel_feet_drill"
    assert top.score == pytest.approx(expected_top)
    scores = [p.score for p in plan.exercises]
    assert scores == sorted(scores, reverse=True)
    assert [p.rank for p in plan.exercises] == list(range(1, len(plan.exercises) + 1))
    assert len(plan.exercises) == t.max_exercises


def test_every_flagged_finding_gets_an_exercise_in_the_plan() -> None:
    # many findings at once: toe-out both sides, wide stance, valgus both sides, squat change
    reps = [rep(1, (25.0, 25.0), (2.0, 2.0))]
    s = summary(turnout=(30.0, 30.0), width=2.5, fppa=(20.0, 20.0), reps=reps, activity="squat")
    plan = build_plan(s, thresholds=load_thresholds())
    covered = {fid for p in plan.exercises for fid in p.finding_ids}
    flagged = {f.id for f in plan.findings if f.flagged}
    assert flagged and flagged <= covered
    assert len(plan.exercises) <= load_thresholds().plan.max_exercises


def test_marked_outweighs_mild() -> None:
    # toe-out marked on the left; knee valgus only mild: the first-choice toe-out drills come first
    plan = build_plan(summary(turnout=(30.0, 30.0), fppa=(12.0, 2.0)))
    assert plan.exercises[0].exercise.id in {"parallel_feet_drill", "parallel_walking"}
    assert plan.exercises[0].finding_ids[0].startswith("toe_out")


def test_reasons_link_to_existing_findings_and_exercises(catalogue: Catalogue) -> None:
    cases = [
        typical_summary(),
        summary(turnout=(-12.0, -12.0), width=0.2),
        summary(width=2.4, fppa=(-12.0, -12.0)),
        summary(),
        summary(turnout=(14.5, 8.0)),  # borderline only
    ]
    for s in cases:
        plan = build_plan(s)
        finding_ids = {f.id for f in plan.findings}
        assert len(finding_ids) == len(plan.findings), "finding ids must be unique"
        for planned in plan.exercises:
            assert planned.finding_ids and set(planned.finding_ids) <= finding_ids
            assert len(planned.reasons) == len(planned.finding_ids)
            for reason, fid in zip(planned.reasons, planned.finding_ids, strict=True):
                assert reason.startswith(f"{fid}: ")
        for finding in plan.findings:
            for link in finding.exercises:
                catalogue.get(link.exercise_id)  # raises KeyError if the id does not exist
            if finding.kind.actionable:
                assert finding.exercises, finding.id


def test_every_finding_kind_can_be_produced() -> None:
    produced = set()
    for s in (
        typical_summary(),
        summary(turnout=(-12.0, 8.0), width=0.2, fppa=(2.0, -12.0)),
        summary(width=2.5),
        summary(),
        {},
    ):
        produced |= {f.kind for f in build_plan(s).findings}
    assert produced == set(FindingKind)


def test_borderline_only_summary_still_gets_a_light_plan() -> None:
    plan = build_plan(summary(turnout=(14.5, 8.0)))  # 0.5 deg below 15 with +/- 1: borderline, not flagged
    kinds = {f.kind for f in plan.findings}
    assert kinds == {FindingKind.TOE_OUT, FindingKind.BALANCED}
    assert "toe_out.left" in plan.exercises[0].finding_ids or "balanced" in plan.exercises[0].finding_ids


def test_build_plan_is_pure() -> None:
    s = typical_summary()
    before = copy.deepcopy(s)
    assert build_plan(s) == build_plan(s)
    assert s == before


def test_apply_feedback_returns_a_json_able_copy() -> None:
    s = typical_summary()
    before = copy.deepcopy(s)
    out = apply_feedback(s)
    assert s == before and "findings" not in s
    assert out is not s
    assert {k: v for k, v in out.items() if k not in ("findings", "exercises")} == before
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert [f["id"] for f in back["findings"]][0] == "toe_out.left"
    first = back["exercises"][0]
    assert first["rank"] == 1 and first["exercise"]["steps"] and first["illustration"] == f"{first['id']}.svg"
    assert back["findings"][0]["measurement"] == {
        "metric": "turnout_deg.left",
        "value": 19.0,
        "uncertainty": 3.0,
        "unit": "deg",
        "uncertainty_assumed": False,
        "n": 120,
    }


def test_plan_to_dict_has_the_disclaimer() -> None:
    d = build_plan(typical_summary()).to_dict()
    assert "not medical advice" in d["disclaimer"]
    assert d["notes"] == ["Only 40 frames had a person in view."]
    json.dumps(d, allow_nan=False)


def test_render_text_contents_and_width() -> None:
    text = render_text(build_plan(typical_summary()), width=80)
    flat = " ".join(text.split())  # ignore where lines were wrapped
    assert "+19.0 ± 3.0 deg" in flat
    assert "2 sets x 8 reps, hold 5 s" in flat  # the top exercise's dose
    assert "1) Stand tall" in flat  # its first step
    assert "not medical advice" in flat
    assert max(len(line) for line in text.splitlines()) <= 80


def test_render_text_for_an_empty_summary() -> None:
    text = render_text(build_plan({}))
    assert "not measured" in text and "No exercises suggested" in text


def test_snapshot_of_a_typical_plan() -> None:
    """Compare the full text block with tests/feedback/snapshots/typical_plan.txt.

    The expected file was reviewed by hand against typical_summary()'s docstring (grades, values,
    disclaimer). To regenerate it deliberately after an intended wording change, run
        STANCE_UPDATE_SNAPSHOTS=1 python -m pytest tests/feedback -k snapshot
    then read the diff (git diff tests/feedback/snapshots) before committing.
    """
    text = render_text(build_plan(typical_summary()), width=100)
    if os.environ.get("STANCE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


def test_feedback_imports_no_heavy_libraries() -> None:
    code = (
        "import sys, analyzer.feedback, analyzer.feedback.make_illustrations\n"
        "bad = [m for m in ('cv2', 'mediapipe', 'streamlit', 'numpy', 'av') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
