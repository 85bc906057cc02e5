"""The exercise plan: findings plus exercises ranked by how well they address them.

Ranking: every finding has a weight (marked > mild > borderline-but-inside-the-range; "balanced" has its
own weight; a flagged finding that is borderline counts ``borderline_factor`` times less; not-measured
counts zero). An exercise scores the sum over findings of ``weight x fit**2`` (fit 1-3 from the catalogue;
squared so that a first-choice exercise for one finding beats a loose fit for several). Ties keep
catalogue order. Selection first takes the best exercise of every flagged finding (so none is left
without one), then fills up to ``max_exercises`` by score. Each planned exercise lists the findings it
was chosen for, strongest first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analyzer.feedback.catalogue import Catalogue, Exercise, load_catalogue
from analyzer.feedback.inputs import read_summary
from analyzer.feedback.kinds import FindingKind, Severity
from analyzer.feedback.rules import Finding, RuleContext, all_findings
from analyzer.feedback.thresholds import PlanSettings, Thresholds, load_thresholds

DISCLAIMER = (
    "This is movement feedback from a camera, not medical advice or a diagnosis. Video measurements have "
    "errors (shown as ±). If you have pain, an injury or a health condition, see a qualified professional "
    "before starting these exercises, and stop any exercise that hurts."
)


@dataclass(frozen=True)
class PlannedExercise:
    """An exercise in the plan: its rank (1 = first), score, and why it was chosen.

    ``reasons`` are ``"<finding id>: <why>"`` strings; ``finding_ids`` are the same findings, in order.
    """

    exercise: Exercise
    rank: int
    score: float
    reasons: tuple[str, ...]
    finding_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.exercise.id,
            "name": self.exercise.name,
            "rank": self.rank,
            "score": round(self.score, 3),
            "reasons": list(self.reasons),
            "finding_ids": list(self.finding_ids),
            "dose": self.exercise.dose.text(),
            "illustration": f"{self.exercise.id}.svg",
            "exercise": self.exercise.to_dict(),
        }


@dataclass(frozen=True)
class Plan:
    """Findings (in rule order) and the ranked exercises, with the disclaimer to show alongside."""

    findings: tuple[Finding, ...]
    exercises: tuple[PlannedExercise, ...]
    disclaimer: str
    profile: str = "default"
    notes: tuple[str, ...] = ()  # analysis warnings passed through from the summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "exercises": [e.to_dict() for e in self.exercises],
            "disclaimer": self.disclaimer,
            "profile": self.profile,
            "notes": list(self.notes),
        }


def finding_weight(finding: Finding, settings: PlanSettings) -> float:
    """How much a finding counts when ranking exercises (see the module docstring)."""
    if finding.kind is FindingKind.NOT_MEASURED:
        return 0.0
    if finding.kind is FindingKind.BALANCED:
        return settings.weight_balanced
    if finding.severity is Severity.NONE:
        return settings.weight_borderline_none if finding.borderline else 0.0
    base = settings.weight_marked if finding.severity is Severity.MARKED else settings.weight_mild
    return base * settings.borderline_factor if finding.borderline else base


@dataclass(frozen=True)
class _Scored:
    score: float
    exercise: Exercise
    contributions: tuple[tuple[float, Finding, str], ...]  # (weight x fit**2, finding, why), largest first

    def contribution(self, finding: Finding) -> float:
        return sum(value for value, f, _ in self.contributions if f is finding)


def _score(exercise: Exercise, findings: tuple[Finding, ...], settings: PlanSettings) -> _Scored | None:
    contributions = []
    for finding in findings:
        address = exercise.fit_for(finding.kind)
        weight = finding_weight(finding, settings)
        if address is not None and weight > 0:
            contributions.append((weight * address.fit**2, finding, address.why))
    if not contributions:
        return None
    contributions.sort(key=lambda c: -c[0])  # stable: ties keep finding order
    return _Scored(sum(c[0] for c in contributions), exercise, tuple(contributions))


def _select(ranked: list[_Scored], findings: tuple[Finding, ...], limit: int) -> list[_Scored]:
    """The best exercise of each flagged finding (marked first), then the highest scores; in rank order."""
    chosen: set[int] = set()
    flagged = sorted((f for f in findings if f.flagged), key=lambda f: f.severity is not Severity.MARKED)
    for finding in flagged:
        candidates = [i for i, s in enumerate(ranked) if s.contribution(finding) > 0]
        if len(chosen) < limit and candidates and not chosen.intersection(candidates):
            chosen.add(max(candidates, key=lambda i: (ranked[i].contribution(finding), -i)))
    for i in range(len(ranked)):
        if len(chosen) >= limit:
            break
        chosen.add(i)
    return [ranked[i] for i in sorted(chosen)]


def rank_exercises(
    findings: tuple[Finding, ...], catalogue: Catalogue, settings: PlanSettings
) -> tuple[PlannedExercise, ...]:
    """Score every exercise against the findings and keep ``settings.max_exercises`` (module docstring)."""
    scored = [s for e in catalogue.exercises if (s := _score(e, findings, settings)) is not None]
    ranked = sorted(scored, key=lambda s: -s.score)  # stable: ties keep catalogue order
    return tuple(
        PlannedExercise(
            exercise=s.exercise,
            rank=rank,
            score=s.score,
            reasons=tuple(f"{finding.id}: {why}" for _, finding, why in s.contributions),
            finding_ids=tuple(finding.id for _, finding, _ in s.contributions),
        )
        for rank, s in enumerate(_select(ranked, findings, settings.max_exercises), start=1)
    )


def build_plan(
    summary: Mapping[str, Any],
    thresholds: Thresholds | None = None,
    catalogue: Catalogue | None = None,
) -> Plan:
    """Findings and a ranked exercise plan for an analysis summary (a dict shaped as docs/SUMMARY.md).

    Pure apart from reading the packaged data files when ``thresholds`` / ``catalogue`` are None.
    Missing, null or malformed values never raise: they become "not measured".
    """
    thresholds = load_thresholds() if thresholds is None else thresholds
    catalogue = load_catalogue() if catalogue is None else catalogue
    inputs = read_summary(summary if isinstance(summary, Mapping) else {})
    findings = all_findings(inputs, RuleContext(thresholds=thresholds, catalogue=catalogue))
    return Plan(
        findings=findings,
        exercises=rank_exercises(findings, catalogue, thresholds.plan),
        disclaimer=DISCLAIMER,
        profile=thresholds.profile,
        notes=inputs.warnings,
    )


def apply_feedback(
    summary: dict[str, Any],
    thresholds: Thresholds | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """A deep copy of ``summary`` with JSON-able ``"findings"`` and ``"exercises"`` lists added."""
    plan = build_plan(summary, thresholds, catalogue)
    out = copy.deepcopy(summary)
    as_dict = plan.to_dict()
    out["findings"] = as_dict["findings"]
    out["exercises"] = as_dict["exercises"]
    return out
