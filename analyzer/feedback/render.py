"""Plain-text rendering of a plan for the command line."""

from __future__ import annotations

import textwrap

from analyzer.feedback.kinds import FindingKind, Severity
from analyzer.feedback.plan import Plan, PlannedExercise
from analyzer.feedback.rules import Finding

STEPS_SHOWN = 3  # first steps of each exercise shown in the text block
EXERCISES_SHOWN = 5


def _wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(width, 40),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _finding_head(f: Finding) -> str:
    if f.kind is FindingKind.NOT_MEASURED:
        # A reading too variable to grade keeps its value and spread; a missing one has none.
        return f"[not graded] {f.title}" if f.measurement is not None else f"[not measured] {f.title}"
    if f.kind is FindingKind.BALANCED:
        return f"[ok] {f.title}"
    side = f" ({f.side})" if f.side in ("left", "right") else ""
    grade = f.severity.value if f.severity is not Severity.NONE else "within range"
    border = ", borderline" if f.borderline else ""
    value = f": {f.measurement.text()}" if f.measurement is not None else ""
    unit = " x hip width" if f.measurement is not None and f.measurement.unit == "ratio" else ""
    return f"[{grade}{border}] {f.title}{side}{value}{unit}"


def _finding_lines(f: Finding, width: int) -> list[str]:
    lines = _wrap(_finding_head(f), width, "    ", first="  - ")
    lines += _wrap(f.explanation, width, "    ")
    if f.thresholds_text:
        lines += _wrap(f"Lines used: {f.thresholds_text}.", width, "    ")
    if f.why_it_matters and f.kind is not FindingKind.BALANCED:
        lines += _wrap(f"Why it matters: {f.why_it_matters}", width, "    ")
    if f.exercises and f.kind is not FindingKind.BALANCED:
        lines += _wrap("Suggested: " + ", ".join(x.exercise_id for x in f.exercises) + ".", width, "    ")
    return lines


def _exercise_lines(p: PlannedExercise, width: int) -> list[str]:
    ex = p.exercise
    lines = _wrap(f"{p.rank}. {ex.name} [{ex.id}] - {ex.dose.text()}", width, "     ", first="  ")
    lines += _wrap(ex.purpose, width, "     ")
    lines.append("     Chosen for:")
    for reason in p.reasons:
        lines += _wrap(reason, width, "         ", first="       - ")
    for number, step in enumerate(ex.steps[:STEPS_SHOWN], start=1):
        lines += _wrap(step, width, "        ", first=f"     {number}) ")
    if len(ex.steps) > STEPS_SHOWN:
        lines.append(f"     ... {len(ex.steps) - STEPS_SHOWN} more step(s) in the full instructions.")
    if ex.cautions:
        lines += _wrap("Care: " + " ".join(ex.cautions), width, "     ")
    return lines


def render_text(plan: Plan, width: int = 100) -> str:
    """Findings with value ± uncertainty, then the top exercises with dose and first steps, then the
    disclaimer. Lines are wrapped to ``width`` (at least 40) characters."""
    lines = [f"FINDINGS (threshold profile: {plan.profile})"]
    ordered = sorted(plan.findings, key=_finding_order)
    for finding in ordered:
        lines += _finding_lines(finding, width)
    if plan.notes:
        lines += ["", "NOTES FROM THE ANALYSIS"]
        for note in plan.notes:
            lines += _wrap(note, width, "    ", first="  - ")
    lines += ["", "EXERCISE PLAN"]
    if not plan.exercises:
        lines.append("  No exercises suggested: there was too little to go on.")
    for planned in plan.exercises[:EXERCISES_SHOWN]:
        lines += _exercise_lines(planned, width)
    if len(plan.exercises) > EXERCISES_SHOWN:
        rest = ", ".join(p.exercise.id for p in plan.exercises[EXERCISES_SHOWN:])
        lines += _wrap(f"Also in the plan: {rest}.", width, "  ")
    lines += [""] + _wrap(plan.disclaimer, width)
    return "\n".join(lines) + "\n"


_SEVERITY_ORDER = {Severity.MARKED: 0, Severity.MILD: 1, Severity.NONE: 2}


def _finding_order(f: Finding) -> tuple[int, int]:
    """Flagged first (marked before mild), then balanced / borderline, then not measured."""
    if f.kind is FindingKind.NOT_MEASURED:
        return (4, 0)
    if f.kind is FindingKind.BALANCED:
        return (2, 0)
    return (_SEVERITY_ORDER[f.severity], 0 if not f.borderline else 1)
