"""Every rule at and around its thresholds, borderline wording, profiles and missing values.

Expected grades follow from the thresholds file (see the numbers and sources in thresholds.toml) and the
grading rule in analyzer/feedback/rules.py: mild from ``mild`` (inclusive), marked from ``marked``
(inclusive), borderline when the value is closer to a line than its uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from analyzer.feedback import Finding, FindingKind, Severity, build_plan, load_thresholds

from .builders import rep, stat, summary


def findings_of(plan_summary: dict[str, Any], kind: FindingKind, **kwargs: Any) -> list[Finding]:
    return [f for f in build_plan(plan_summary, **kwargs).findings if f.kind is kind]


@dataclass(frozen=True)
class RuleCase:
    kind: FindingKind
    side: str
    make: Callable[[float, float], dict[str, Any]]  # (graded value, uncertainty) -> summary
    mild: float
    marked: float
    direction: int  # +1: larger is worse, -1: smaller is worse
    unc: float  # the uncertainty the rule sees for the graded value when built with make(v, u=this)


# Threshold values are the documented defaults (thresholds.toml, profile "default"); test_thresholds.py
# checks the file still holds them, so a change there has to be deliberate.
CASES = [
    RuleCase(
        FindingKind.TOE_OUT, "left", lambda v, u: summary(turnout=(v, 8.0), uncertainty=u), 15, 25, 1, 1.0
    ),
    # toe-in is graded as a magnitude: turnout -v deg is v deg of toe-in
    RuleCase(
        FindingKind.TOE_IN, "right", lambda v, u: summary(turnout=(2.0, -v), uncertainty=u), 3, 10, 1, 1.0
    ),
    RuleCase(
        FindingKind.KNEE_VALGUS, "left", lambda v, u: summary(fppa=(v, 2.0), uncertainty=u), 10, 16, 1, 1.0
    ),
    RuleCase(
        FindingKind.KNEE_VARUS, "right", lambda v, u: summary(fppa=(2.0, -v), uncertainty=u), 5, 10, 1, 1.0
    ),
    RuleCase(
        FindingKind.STANCE_WIDE, "both", lambda v, u: summary(width=v, width_uncertainty=u), 1.5, 2.0, 1, 0.01
    ),
    RuleCase(
        FindingKind.STANCE_NARROW,
        "both",
        lambda v, u: summary(width=v, width_uncertainty=u),
        0.5,
        0.25,
        -1,
        0.01,
    ),
    # asymmetry: left (4 + v) vs right 4; the rule's uncertainty is hypot(u, u)
    RuleCase(
        FindingKind.TURNOUT_ASYMMETRY,
        "both",
        lambda v, u: summary(turnout=(4.0 + v, 4.0), uncertainty=u / math.sqrt(2)),
        10,
        20,
        1,
        1.0,
    ),
]
IDS = [c.kind.value for c in CASES]


def _only(case: RuleCase, value: float, unc: float | None = None) -> list[Finding]:
    """Findings of the case's kind on the case's side (the other side holds a typical value)."""
    found = findings_of(case.make(value, case.unc if unc is None else unc), case.kind)
    return [f for f in found if f.side == case.side]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_clearly_inside_the_range_gives_no_finding(case: RuleCase) -> None:
    # two uncertainties inside the mild line: not flagged and not even borderline
    assert _only(case, case.mild - case.direction * 2 * case.unc) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_just_inside_within_uncertainty_is_borderline_none(case: RuleCase) -> None:
    found = _only(case, case.mild - case.direction * 0.5 * case.unc)
    assert len(found) == 1
    assert found[0].severity is Severity.NONE and found[0].borderline
    assert "within measurement error" in found[0].explanation
    assert not found[0].flagged


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_at_the_mild_line_is_mild_and_borderline(case: RuleCase) -> None:
    (found,) = _only(case, case.mild)
    assert found.severity is Severity.MILD
    assert found.borderline  # distance 0 < uncertainty
    assert found.side == case.side
    assert found.id == (case.kind.value if case.side == "both" else f"{case.kind.value}.{case.side}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_at_the_mild_line_with_zero_uncertainty_is_clear(case: RuleCase) -> None:
    (found,) = _only(case, case.mild, unc=0.0)
    assert found.severity is Severity.MILD and not found.borderline


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_between_the_lines_is_clear_mild(case: RuleCase) -> None:
    (found,) = _only(case, (case.mild + case.marked) / 2)
    assert found.severity is Severity.MILD and not found.borderline
    assert "fairly clear" in found.explanation


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_at_and_beyond_the_marked_line(case: RuleCase) -> None:
    (at,) = _only(case, case.marked)
    assert at.severity is Severity.MARKED and at.borderline
    (beyond,) = _only(case, case.marked + case.direction * 3 * case.unc)
    assert beyond.severity is Severity.MARKED and not beyond.borderline


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_large_uncertainty_makes_a_mild_value_borderline(case: RuleCase) -> None:
    middle = (case.mild + case.marked) / 2
    half_gap = abs(case.marked - case.mild) / 2
    (found,) = _only(case, middle, unc=half_gap * 1.5)  # closer to both lines than the uncertainty
    assert found.severity is Severity.MILD and found.borderline
    assert "borderline" in found.explanation and "within measurement error" in found.explanation
    assert found.confidence.startswith("borderline")


def test_measurement_carries_value_and_uncertainty() -> None:
    (found,) = findings_of(summary(turnout=(20.0, 8.0), uncertainty=2.5), FindingKind.TOE_OUT)
    assert found.measurement is not None
    assert (found.measurement.value, found.measurement.uncertainty) == (20.0, 2.5)
    assert "+20.0 ± 2.5 deg" in found.explanation


def test_asymmetry_uncertainty_adds_in_quadrature() -> None:
    # sides 25 and 8 with 3 and 4 deg: difference 17, uncertainty sqrt(9 + 16) = 5
    s = summary(turnout=(25.0, 8.0))
    s["metrics"]["turnout_deg"]["left"]["uncertainty"] = 3.0
    s["metrics"]["turnout_deg"]["right"]["uncertainty"] = 4.0
    (found,) = findings_of(s, FindingKind.TURNOUT_ASYMMETRY)
    assert found.measurement is not None
    assert found.measurement.value == pytest.approx(17.0)
    assert found.measurement.uncertainty == pytest.approx(5.0)
    assert "left foot turned further out" in found.explanation


def test_toe_out_text_says_some_toe_out_is_normal() -> None:
    (found,) = findings_of(summary(turnout=(30.0, 8.0)), FindingKind.TOE_OUT)
    assert found.severity is Severity.MARKED
    assert "5-13 deg" in found.explanation
    assert "painful knee" in found.explanation
    assert "not automatically a problem" in found.explanation


def test_typical_toe_out_is_not_flagged() -> None:
    # 5-13 deg is typical in walking: neither 5 nor 13 deg gives a toe-out finding
    for value in (5.0, 13.0):
        assert findings_of(summary(turnout=(value, value)), FindingKind.TOE_OUT) == []


# ---------------------------------------------------------------------------------------------- squat


def squat_summary(changes: list[float], standing: float = 2.0) -> dict[str, Any]:
    reps = [rep(i + 1, (standing + c, standing), (standing, standing)) for i, c in enumerate(changes)]
    return summary(reps=reps, activity="squat")


def test_squat_change_below_noise_gives_no_finding() -> None:
    # 3 deg: more than the 4.2 deg difference-uncertainty below the 8 deg smallest detectable difference
    assert findings_of(squat_summary([3.0, 3.0, 3.0]), FindingKind.KNEE_VALGUS_SQUAT) == []


def test_squat_change_just_under_8_is_within_noise() -> None:
    (found,) = findings_of(squat_summary([7.0, 7.0, 7.0]), FindingKind.KNEE_VALGUS_SQUAT)
    assert found.severity is Severity.NONE and found.borderline
    assert "measurement noise" in found.explanation
    assert "Munro" in found.explanation


def test_squat_change_at_8_is_mild_borderline() -> None:
    (found,) = findings_of(squat_summary([8.0, 8.0]), FindingKind.KNEE_VALGUS_SQUAT)
    assert found.severity is Severity.MILD and found.borderline
    assert found.side == "left"  # the right knee did not change


def test_squat_change_well_past_marked_is_clear() -> None:
    # 20 deg is 5 deg past the 15 deg line, more than the 4.2 deg uncertainty
    (found,) = findings_of(squat_summary([20.0, 20.0, 20.0]), FindingKind.KNEE_VALGUS_SQUAT)
    assert found.severity is Severity.MARKED and not found.borderline
    assert found.measurement is not None and found.measurement.n == 3


def test_squat_uses_median_and_rep_spread() -> None:
    changes = [10.0, 30.0, 11.0]
    (found,) = findings_of(squat_summary(changes), FindingKind.KNEE_VALGUS_SQUAT)
    assert found.measurement is not None
    assert found.measurement.value == pytest.approx(11.0)  # the median, not the 17 deg mean
    # the spread between reps (sd about 11.3 deg) is larger than 4.2 deg, so it is the uncertainty
    assert found.measurement.uncertainty == pytest.approx(11.269, abs=0.01)


def test_squat_without_usable_reps_is_not_measured() -> None:
    bad = [{"index": 1, "knee_fppa_deg": {"left": None, "right": 9.0}, "knee_fppa_standing_deg": None}]
    plan = build_plan(summary(reps=bad, activity="squat"))
    ids = {f.id for f in plan.findings}
    assert {"not_measured.squat_knee.left", "not_measured.squat_knee.right"} <= ids
    assert not any(f.kind is FindingKind.KNEE_VALGUS_SQUAT for f in plan.findings)


def test_no_squat_rule_when_standing() -> None:
    plan = build_plan(summary(activity="standing"))
    assert not any("squat" in f.id for f in plan.findings)


# ------------------------------------------------------------------------------------------- profiles


@pytest.mark.parametrize(
    ("profile", "fppa", "expected"),
    [
        ("default", 12.0, Severity.MILD),  # default mild from 10 deg
        ("female", 12.0, None),  # women: up to 13 deg is within the drop-jump range
        ("female", 14.0, Severity.MILD),
        ("male", 9.5, Severity.MILD),  # men: from 9 deg (top of the step-landing range)
        ("male", 14.0, Severity.MARKED),  # men: marked from 13 deg
        ("default", 14.0, Severity.MILD),
    ],
)
def test_sex_specific_fppa_bands(profile: str, fppa: float, expected: Severity | None) -> None:
    t = load_thresholds(profile=profile)
    found = findings_of(summary(fppa=(fppa, 2.0), uncertainty=0.1), FindingKind.KNEE_VALGUS, thresholds=t)
    if expected is None:
        assert found == []
    else:
        assert [f.severity for f in found] == [expected]
        assert f"{profile} profile" in found[0].explanation


# -------------------------------------------------------------------------------------- missing values


def test_empty_summary_gives_only_not_measured() -> None:
    plan = build_plan({})
    assert plan.findings, "missing inputs should be reported as not measured"
    assert all(f.kind is FindingKind.NOT_MEASURED for f in plan.findings)
    assert plan.exercises == ()
    assert plan.disclaimer


@pytest.mark.parametrize("bad", [None, float("nan"), float("inf"), "12", True, [1], {"x": 1}])
def test_unusable_median_is_not_measured(bad: object) -> None:
    s = summary(turnout=(30.0, 30.0))
    s["metrics"]["turnout_deg"]["left"]["median"] = bad
    plan = build_plan(s)
    ids = {f.id for f in plan.findings}
    assert "not_measured.turnout.left" in ids
    assert "toe_out.right" in ids  # the other side is still assessed
    assert "toe_out.left" not in ids
    assert "turnout_asymmetry" not in ids  # needs both sides


def test_not_measured_quotes_the_reason() -> None:
    s = summary()
    s["metrics"]["knee_fppa_deg"]["right"] = stat(None, None, reason="knee hidden behind the other leg")
    s["metrics"]["knee_offset_ratio"]["right"] = stat(None, None)
    (nm,) = [f for f in build_plan(s).findings if f.id == "not_measured.knee.right"]
    assert "knee hidden behind the other leg" in nm.explanation
    assert nm.exercises == ()


@pytest.mark.parametrize("metrics", [None, [], "x", {"turnout_deg": None, "knee_fppa_deg": "bad"}])
def test_malformed_metrics_block_does_not_raise(metrics: object) -> None:
    plan = build_plan({"metrics": metrics, "reps": "nope", "warnings": None})
    assert all(f.kind is FindingKind.NOT_MEASURED for f in plan.findings)


def test_missing_uncertainty_uses_the_documented_default() -> None:
    s = summary(turnout=(20.0, 8.0))
    s["metrics"]["turnout_deg"]["left"]["uncertainty"] = None
    (found,) = findings_of(s, FindingKind.TOE_OUT)
    assert found.measurement is not None
    assert found.measurement.uncertainty == 5.0  # turnout default_uncertainty_deg
    assert found.measurement.uncertainty_assumed
    assert "assumed" in found.explanation


def test_knee_offset_used_when_fppa_missing() -> None:
    s = summary()
    s["metrics"]["knee_fppa_deg"]["left"] = stat(None, None, reason="ankle not visible")
    s["metrics"]["knee_offset_ratio"]["left"] = stat(0.4, 0.05)  # past the 0.30 marked offset
    (found,) = findings_of(s, FindingKind.KNEE_VALGUS)
    assert found.severity is Severity.MARKED and found.side == "left"
    assert "knee angle itself was not available" in found.explanation


def test_angled_view_adds_a_caveat() -> None:
    (found,) = findings_of(summary(turnout=(30.0, 8.0), view="oblique"), FindingKind.TOE_OUT)
    assert "angled view" in found.explanation


# ------------------------------------------------------------------------------------------- balanced


def test_typical_summary_is_balanced() -> None:
    plan = build_plan(summary())
    kinds = [f.kind for f in plan.findings]
    assert FindingKind.BALANCED in kinds
    assert not any(f.flagged for f in plan.findings)
    assert plan.exercises, "a balanced result still gets a short maintenance routine"
    for planned in plan.exercises:
        assert planned.finding_ids == ("balanced",)


def test_no_balanced_when_anything_is_flagged() -> None:
    plan = build_plan(summary(width=2.5))
    assert FindingKind.BALANCED not in [f.kind for f in plan.findings]


def test_no_balanced_claim_when_nothing_was_measured() -> None:
    assert FindingKind.BALANCED not in [f.kind for f in build_plan({"metrics": {}}).findings]


def test_balanced_mentions_what_was_not_measured() -> None:
    s = summary()
    s["metrics"]["stance_width_ratio"] = stat(None, None, reason="heels hidden")
    (balanced,) = [f for f in build_plan(s).findings if f.kind is FindingKind.BALANCED]
    assert "could not be measured" in balanced.explanation


# ------------------------------------------------------------------------------------------- wording


FORBIDDEN = ("diagnos", "syndrome", "disorder", "pathology", "you have a", "you suffer", "deformity")


@pytest.mark.parametrize(
    "s",
    [
        summary(turnout=(30.0, -12.0), width=2.5, fppa=(20.0, -12.0)),
        summary(width=0.2, reps=[rep(1, (25.0, 2.0), (2.0, 2.0))], activity="squat"),
        summary(),
    ],
)
def test_no_diagnosis_language_in_findings(s: dict[str, Any]) -> None:
    for f in build_plan(s).findings:
        text = f"{f.title} {f.explanation} {f.why_it_matters}".lower()
        assert not any(word in text for word in FORBIDDEN), (f.id, text)


def test_a_reading_too_variable_to_grade_is_reported_but_not_graded() -> None:
    # The walking clips without a clear view of the feet read e.g. +30.1 +/- 54.3 deg: such a value could
    # sit in any grade, so it must not become a "marked toe-out" finding (max_uncertainty_deg = 10).
    s = summary(turnout=(30.0, 8.0))
    s["metrics"]["turnout_deg"]["left"]["uncertainty"] = 54.3
    plan = build_plan(s)
    assert not [f for f in plan.findings if f.kind in (FindingKind.TOE_OUT, FindingKind.TOE_IN, FindingKind.TURNOUT_ASYMMETRY)]
    (nm,) = [f for f in plan.findings if f.id == "not_measured.turnout.left"]
    assert nm.kind is FindingKind.NOT_MEASURED and nm.exercises == ()
    assert nm.measurement is not None and nm.measurement.value == 30.0 and nm.measurement.uncertainty == 54.3
    assert "too variable" in nm.title and "54.3" in nm.explanation
    # Just within the limit the same value is graded as before.
    s["metrics"]["turnout_deg"]["left"]["uncertainty"] = 10.0
    (graded,) = findings_of(s, FindingKind.TOE_OUT)
    assert graded.severity is Severity.MARKED and graded.borderline
    # Stance width likewise (max_uncertainty_ratio = 0.5).
    wide = findings_of(summary(width=2.4, width_uncertainty=0.6), FindingKind.NOT_MEASURED)
    assert [f.title for f in wide] == ["Stance width: too variable to grade"]
    assert findings_of(summary(width=2.4, width_uncertainty=0.5), FindingKind.STANCE_WIDE)


def test_the_text_report_says_not_graded_for_a_too_variable_reading() -> None:
    from analyzer.feedback.render import render_text

    s = summary(turnout=(30.0, 8.0))
    s["metrics"]["turnout_deg"]["left"]["uncertainty"] = 54.3
    text = render_text(build_plan(s))
    assert "[not graded] Left foot angle: too variable to grade" in text
