"""Findings: small pure rules over the typed summary inputs.

Each rule reads :class:`~analyzer.feedback.inputs.SummaryInputs`, grades a value against a
:class:`~analyzer.feedback.thresholds.Band` and words what was seen, how sure we are and why it matters.

Grading: a value at or past ``mild`` is mild, at or past ``marked`` is marked (``>=``, in the direction of
the band). A value whose distance from either step is smaller than its uncertainty is *borderline*
(within measurement error). A value inside the normal range but within its uncertainty of the ``mild``
step gives a ``severity=none`` borderline finding, so the user hears that it is close; further inside the
range nothing is reported. A rule whose inputs are missing gives a ``not_measured`` finding with the reason.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Literal

from analyzer.feedback.catalogue import Catalogue
from analyzer.feedback.inputs import SIDES, Stat, SummaryInputs
from analyzer.feedback.kinds import FindingKind, Severity
from analyzer.feedback.thresholds import Band, LowerBand, Thresholds

FindingSide = Literal["left", "right", "both"] | None
Direction = Literal["up", "down"]  # up: larger values are worse; down: smaller values are worse

# Views from which the frontal-plane knee angle and foot angles are meaningful.
_FRONTAL_VIEWS = ("frontal", "posterior")
_VIEW_WORDS = {
    "left_sagittal": "left side",
    "right_sagittal": "right side",
    "oblique": "angled",
    "unknown": "unknown",
}


@dataclass(frozen=True)
class Measurement:
    """The value a finding rests on, with its +/- uncertainty, in ``unit`` ("deg" or "ratio").

    ``uncertainty_assumed`` is True when the summary gave no uncertainty and the configured typical
    error of the method was used instead.
    """

    metric: str  # e.g. "turnout_deg.left", "stance_width_ratio", "knee_fppa_change_deg.right"
    value: float
    uncertainty: float
    unit: str
    uncertainty_assumed: bool = False
    n: int | None = None
    signed: bool = True  # False for magnitudes (a left/right difference), shown without '+'

    def text(self) -> str:
        """``+12.3 ± 3.0 deg`` or ``1.52 ± 0.10``."""
        value = (
            f"{self.value:+.1f}"
            if self.signed and self.unit == "deg"
            else f"{self.value:.{_places(self.unit)}f}"
        )
        unit = " deg" if self.unit == "deg" else ""
        return f"{value} ± {self.uncertainty:.{_places(self.unit)}f}{unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "uncertainty": self.uncertainty,
            "unit": self.unit,
            "uncertainty_assumed": self.uncertainty_assumed,
            "n": self.n,
        }


@dataclass(frozen=True)
class ExerciseLink:
    """An exercise chosen for a finding, with how directly it helps (fit 1-3) and why."""

    exercise_id: str
    fit: int
    reason: str


@dataclass(frozen=True)
class Finding:
    """One thing we noticed (or could not measure), worded for the person who was filmed."""

    id: str  # unique within a plan, e.g. "toe_out.left", "stance_wide", "not_measured.knee.right"
    kind: FindingKind
    side: FindingSide
    severity: Severity
    borderline: bool  # within measurement error of a threshold
    title: str
    measurement: Measurement | None
    thresholds_text: str  # the lines used, e.g. "mild from 15.0 deg, marked from 25.0 deg"
    explanation: str  # what we saw and how sure we are
    why_it_matters: str
    exercises: tuple[ExerciseLink, ...]  # ranked, best first

    @property
    def flagged(self) -> bool:
        """True for mild or marked findings (something worth working on)."""
        return self.severity is not Severity.NONE and self.kind.actionable

    @property
    def confidence(self) -> str:
        if self.measurement is None:
            return "not measured" if self.kind is FindingKind.NOT_MEASURED else "n/a"
        return "borderline / within measurement error" if self.borderline else "clear"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "side": self.side,
            "severity": self.severity.value,
            "borderline": self.borderline,
            "confidence": self.confidence,
            "title": self.title,
            "measurement": None if self.measurement is None else self.measurement.to_dict(),
            "thresholds": self.thresholds_text,
            "explanation": self.explanation,
            "why_it_matters": self.why_it_matters,
            "exercises": [{"id": x.exercise_id, "fit": x.fit, "reason": x.reason} for x in self.exercises],
        }


# ----------------------------------------------------------------------------------------- grading


def grade(value: float, mild: float, marked: float, direction: Direction = "up") -> Severity:
    """Severity of ``value`` against two steps; ``direction="down"`` when small values are worse."""
    sign = 1.0 if direction == "up" else -1.0
    if sign * (value - marked) >= 0:
        return Severity.MARKED
    if sign * (value - mild) >= 0:
        return Severity.MILD
    return Severity.NONE


def near_threshold(value: float, uncertainty: float, steps: tuple[float, ...]) -> float | None:
    """The nearest step that ``value`` is within its ``uncertainty`` of (strictly), else None."""
    close = [s for s in steps if abs(value - s) < uncertainty]
    return min(close, key=lambda s: abs(value - s)) if close else None


def _places(unit: str) -> int:
    return 1 if unit == "deg" else 2


def fmt(value: float, unit: str, *, signed: bool = True) -> str:
    """``12.3 deg`` / ``1.52x hip width`` style; ``signed`` shows '+' on degrees."""
    if unit == "deg":
        return f"{value:+.1f} deg" if signed else f"{value:.1f} deg"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:g} {unit}"


def _stat_measurement(stat: Stat, metric: str, unit: str, default_uncertainty: float) -> Measurement | None:
    if stat.median is None:
        return None
    assumed = stat.uncertainty is None
    return Measurement(
        metric=metric,
        value=stat.median,
        uncertainty=default_uncertainty if stat.uncertainty is None else stat.uncertainty,
        unit=unit,
        uncertainty_assumed=assumed,
        n=stat.n,
    )


# ------------------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class RuleContext:
    """What every rule needs besides the inputs: thresholds and the catalogue (for wording and links)."""

    thresholds: Thresholds
    catalogue: Catalogue

    def finding(
        self,
        kind: FindingKind,
        side: FindingSide,
        severity: Severity,
        borderline: bool,
        measurement: Measurement | None,
        thresholds_text: str,
        explanation: str,
    ) -> Finding:
        text = self.catalogue.finding_texts.get(kind)
        per_finding = self.thresholds.plan.exercises_per_finding
        links = tuple(
            ExerciseLink(exercise_id=e.id, fit=a.fit, reason=a.why) for e, a in self.catalogue.for_kind(kind)
        )
        return Finding(
            id=kind.value if side in (None, "both") else f"{kind.value}.{side}",
            kind=kind,
            side=side,
            severity=severity,
            borderline=borderline,
            title=text.title if text else "Not measured",
            measurement=measurement,
            thresholds_text=thresholds_text,
            explanation=explanation,
            why_it_matters=text.why_it_matters if text else "",
            exercises=links[:per_finding],
        )


def _band_text(band: Band | LowerBand, direction: Direction, what: str = "") -> str:
    word = "from" if direction == "up" else "at or below"
    unit = " deg" if band.unit == "deg" else "x hip width" if band.unit == "ratio" else ""
    prefix = f"{what} " if what else ""
    return f"{prefix}mild {word} {band.mild:g}{unit}, marked {word} {band.marked:g}{unit}"


def _assess(
    value: float, uncertainty: float, band: Band | LowerBand, direction: Direction
) -> tuple[Severity, bool, bool]:
    """(severity, borderline, report) for a value graded in ``direction``.

    ``report`` is False when the value is inside the range and not within its uncertainty of ``mild``.
    """
    severity = grade(value, band.mild, band.marked, direction)
    borderline = near_threshold(value, uncertainty, (band.mild, band.marked)) is not None
    if severity is Severity.NONE:
        return severity, borderline, abs(value - band.mild) < uncertainty
    return severity, borderline, True


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _borderline_text(
    value: float, uncertainty: float, band: Band | LowerBand, severity: Severity, unit: str
) -> str:
    near = near_threshold(value, uncertainty, (band.mild, band.marked))
    u = fmt(uncertainty, unit, signed=False)
    if near is not None:
        unit_word = " deg" if unit == "deg" else "x hip width"
        if severity is Severity.NONE:
            return (
                f"This is borderline: it sits inside the range we use but within measurement error (±{u}) of the "
                f"{near:g}{unit_word} line, so we cannot tell which side of the line it is on. Nothing to act on "
                "from this alone; worth re-checking in a later recording."
            )
        return (
            f"This is borderline: the value is within measurement error (±{u}) of the {near:g}{unit_word} line, "
            "so the grade could be one step either way."
        )
    return "The value is further from the lines than its uncertainty, so this reading is fairly clear."


def _assumed_text(m: Measurement) -> str:
    if not m.uncertainty_assumed:
        return ""
    return (
        f"The analysis gave no uncertainty for this value, so we assumed ±{fmt(m.uncertainty, m.unit, signed=False)}, "
        "the typical error of the method."
    )


def _view_caveat(view: str) -> str:
    if view in _FRONTAL_VIEWS:
        return ""
    return (
        f"This was measured from an {_VIEW_WORDS.get(view, view)} view; foot and knee angles are most "
        "reliable from straight in front or behind."
    )


def _ungraded(metric: str, side: FindingSide, title: str, m: Measurement | None, explanation: str) -> Finding:
    """An informational ``not_measured`` finding: no grade, no exercises."""
    return Finding(
        id=f"not_measured.{metric}" + (f".{side}" if side in ("left", "right") else ""),
        kind=FindingKind.NOT_MEASURED,
        side=side,
        severity=Severity.NONE,
        borderline=False,
        title=title,
        measurement=m,
        thresholds_text="",
        explanation=explanation,
        why_it_matters="",
        exercises=(),
    )


def _not_measured(metric: str, side: FindingSide, label: str, reason: str | None) -> Finding:
    why = reason or "no value"
    return _ungraded(
        metric, side, f"{label}: not measured", None, f"{label} could not be measured ({why}), so no finding about it is given."
    )


def _too_variable(metric: str, side: FindingSide, label: str, m: Measurement, limit: float) -> Finding:
    """A reading whose uncertainty is past ``limit``: reported, but not graded (one value could be any grade)."""
    explanation = (
        f"{label} read {m.text()}: it varied too much over the recording to grade (a grade needs "
        f"±{fmt(limit, m.unit, signed=False)} or better), so no finding about it is given. Film again with the "
        "feet in clear view, from the front or from behind, and stand or walk steadily."
    )
    return _ungraded(metric, side, f"{label}: too variable to grade", m, explanation)


# ------------------------------------------------------------------------------------------- rules


def turnout_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Toe-out and toe-in per side (``turnout_deg``: + = toe-out)."""
    t = ctx.thresholds.turnout
    out: list[Finding] = []
    for side in SIDES:
        stat = inputs.turnout_deg[side]
        m = _stat_measurement(stat, f"turnout_deg.{side}", "deg", t.default_uncertainty_deg)
        if m is None:
            out.append(_not_measured("turnout", side, f"{side.capitalize()} foot angle", stat.reason))
            continue
        if m.uncertainty > t.max_uncertainty_deg:
            out.append(_too_variable("turnout", side, f"{side.capitalize()} foot angle", m, t.max_uncertainty_deg))
            continue
        out.extend(_toe_out(m, side, inputs.view, ctx))
        out.extend(_toe_in(m, side, inputs.view, ctx))
    return tuple(out)


def _toe_out(m: Measurement, side: FindingSide, view: str, ctx: RuleContext) -> tuple[Finding, ...]:
    band = ctx.thresholds.turnout.toe_out
    severity, borderline, report = _assess(m.value, m.uncertainty, band, "up")
    if not report:
        return ()
    seen = f"Your {side} foot points outward by about {m.text()} (0 = straight ahead)."
    context = (
        "Some toe-out is normal: adults typically walk with about 5-13 deg, and a little extra toe-out can even "
        "take load off a painful knee, so this is not automatically a problem. "
        f"We mention it from {band.mild:g} deg because beyond that the thigh is usually rolled outward from the "
        "hip and the weight tends to travel down the outside of the foot."
    )
    explanation = _join(
        seen,
        context,
        _borderline_text(m.value, m.uncertainty, band, severity, "deg"),
        _assumed_text(m),
        _view_caveat(view),
    )
    return (
        ctx.finding(
            FindingKind.TOE_OUT, side, severity, borderline, m, _band_text(band, "up", "toe-out"), explanation
        ),
    )


def _toe_in(m: Measurement, side: FindingSide, view: str, ctx: RuleContext) -> tuple[Finding, ...]:
    band = ctx.thresholds.turnout.toe_in
    toe_in = -m.value  # magnitude of toe-in
    severity, borderline, report = _assess(toe_in, m.uncertainty, band, "up")
    if not report:
        return ()
    seen = (
        f"Your {side} foot points inward by about {fmt(toe_in, 'deg', signed=False)} ± "
        f"{fmt(m.uncertainty, 'deg', signed=False)} (a foot angle of {fmt(m.value, 'deg')}; 0 = straight ahead)."
    )
    context = (
        "Most adults stand and walk with the feet turned slightly out, so a foot that points in is less usual. "
        f"We mention it from {band.mild:g} deg of toe-in."
    )
    explanation = _join(
        seen,
        context,
        _borderline_text(toe_in, m.uncertainty, band, severity, "deg"),
        _assumed_text(m),
        _view_caveat(view),
    )
    return (
        ctx.finding(
            FindingKind.TOE_IN, side, severity, borderline, m, _band_text(band, "up", "toe-in"), explanation
        ),
    )


def asymmetry_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Left/right difference in turnout; the uncertainties of the two sides add in quadrature."""
    t = ctx.thresholds.turnout
    left = _stat_measurement(inputs.turnout_deg["left"], "turnout_deg.left", "deg", t.default_uncertainty_deg)
    right = _stat_measurement(
        inputs.turnout_deg["right"], "turnout_deg.right", "deg", t.default_uncertainty_deg
    )
    if left is None or right is None:
        return ()  # the per-side not_measured findings already say so
    if max(left.uncertainty, right.uncertainty) > t.max_uncertainty_deg:
        return ()  # so do the per-side "too variable" ones
    diff = abs(left.value - right.value)
    unc = math.hypot(left.uncertainty, right.uncertainty)
    m = Measurement(
        metric="turnout_asymmetry_deg",
        value=diff,
        uncertainty=unc,
        unit="deg",
        uncertainty_assumed=left.uncertainty_assumed or right.uncertainty_assumed,
        signed=False,
    )
    severity, borderline, report = _assess(diff, unc, t.asymmetry, "up")
    if not report:
        return ()
    more = "left" if left.value > right.value else "right"
    seen = (
        f"Your left foot angle is {fmt(left.value, 'deg')} and your right {fmt(right.value, 'deg')}: "
        f"a difference of {m.text()}, with the {more} foot turned further out."
    )
    context = (
        "Part of an apparent left/right difference can come from the camera angle or from the pose model "
        "itself, which places the heel and toe slightly differently on the two sides, so confirm it in a "
        "second recording before reading much into it."
    )
    explanation = _join(
        seen,
        context,
        _borderline_text(diff, unc, t.asymmetry, severity, "deg"),
        _assumed_text(m),
        _view_caveat(inputs.view),
    )
    return (
        ctx.finding(
            FindingKind.TURNOUT_ASYMMETRY,
            "both",
            severity,
            borderline,
            m,
            _band_text(t.asymmetry, "up", "difference"),
            explanation,
        ),
    )


def stance_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Stance wider or narrower than hip width (``stance_width_ratio`` = heel distance / hip width)."""
    s = ctx.thresholds.stance
    m = _stat_measurement(
        inputs.stance_width_ratio, "stance_width_ratio", "ratio", s.default_uncertainty_ratio
    )
    if m is None:
        return (_not_measured("stance_width", "both", "Stance width", inputs.stance_width_ratio.reason),)
    if m.uncertainty > s.max_uncertainty_ratio:
        return (_too_variable("stance_width", "both", "Stance width", m, s.max_uncertainty_ratio),)
    cm = inputs.stance_width_cm.median
    cm_text = f" (about {cm:.0f} cm between the heels)" if cm is not None else ""
    seen = f"Your heels are about {m.text()} times your hip width apart{cm_text}; about 1 means feet under the hips."
    caution = "Stance width from video is an estimate; treat small differences with caution."
    out: list[Finding] = []
    severity, borderline, report = _assess(m.value, m.uncertainty, s.wide, "up")
    if report:
        context = "A wide base feels steady, but as a habit it gives the inner thighs little to do."
        explanation = _join(
            seen,
            context,
            _borderline_text(m.value, m.uncertainty, s.wide, severity, "ratio"),
            _assumed_text(m),
            caution,
        )
        out.append(
            ctx.finding(
                FindingKind.STANCE_WIDE,
                "both",
                severity,
                borderline,
                m,
                _band_text(s.wide, "up"),
                explanation,
            )
        )
    severity, borderline, report = _assess(m.value, m.uncertainty, s.narrow, "down")
    if report:
        context = (
            "Standing with the feet close is a good drill position; as an everyday stance it gives a small base "
            "for side-to-side balance."
        )
        explanation = _join(
            seen,
            context,
            _borderline_text(m.value, m.uncertainty, s.narrow, severity, "ratio"),
            _assumed_text(m),
            caution,
        )
        out.append(
            ctx.finding(
                FindingKind.STANCE_NARROW,
                "both",
                severity,
                borderline,
                m,
                _band_text(s.narrow, "down"),
                explanation,
            )
        )
    return tuple(out)


def knee_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Knee medial (valgus) or lateral (varus) per side, from the FPPA, else from the knee offset."""
    out: list[Finding] = []
    for side in SIDES:
        fppa = inputs.knee_fppa_deg[side]
        offset = inputs.knee_offset_ratio[side]
        if fppa.measured:
            out.extend(_knee_from_fppa(fppa, side, inputs.view, ctx))
        elif offset.measured:
            out.extend(_knee_from_offset(offset, side, inputs.view, ctx))
        else:
            out.append(_not_measured("knee", side, f"{side.capitalize()} knee alignment", fppa.reason))
    return tuple(out)


def _knee_from_fppa(stat: Stat, side: FindingSide, view: str, ctx: RuleContext) -> tuple[Finding, ...]:
    k = ctx.thresholds.knee
    m = _stat_measurement(stat, f"knee_fppa_deg.{side}", "deg", k.default_uncertainty_deg)
    if m is None:
        return ()
    profile = ctx.thresholds.profile
    out: list[Finding] = []
    severity, borderline, report = _assess(m.value, m.uncertainty, k.valgus, "up")
    if report:
        seen = (
            f"Seen from the front, your {side} knee sits inward of the straight hip-to-ankle line by about "
            f"{m.text()} (knee frontal-plane angle; 0 = straight line)."
        )
        context = (
            "Healthy people reach roughly 1-13 deg in jumping and landing, and usually less standing still; "
            f"we mention it from {k.valgus.mild:g} deg ({profile} profile)."
        )
        explanation = _join(
            seen,
            context,
            _borderline_text(m.value, m.uncertainty, k.valgus, severity, "deg"),
            _assumed_text(m),
            _view_caveat(view),
        )
        out.append(
            ctx.finding(
                FindingKind.KNEE_VALGUS,
                side,
                severity,
                borderline,
                m,
                _band_text(k.valgus, "up"),
                explanation,
            )
        )
    varus = -m.value
    severity, borderline, report = _assess(varus, m.uncertainty, k.varus, "up")
    if report:
        seen = (
            f"Seen from the front, your {side} knee sits outward of the straight hip-to-ankle line by about "
            f"{fmt(varus, 'deg', signed=False)} ± {fmt(m.uncertainty, 'deg', signed=False)} "
            f"(knee frontal-plane angle {fmt(m.value, 'deg')})."
        )
        context = f"We mention an outward knee from {k.varus.mild:g} deg ({profile} profile)."
        explanation = _join(
            seen,
            context,
            _borderline_text(varus, m.uncertainty, k.varus, severity, "deg"),
            _assumed_text(m),
            _view_caveat(view),
        )
        out.append(
            ctx.finding(
                FindingKind.KNEE_VARUS, side, severity, borderline, m, _band_text(k.varus, "up"), explanation
            )
        )
    return tuple(out)


def _knee_from_offset(stat: Stat, side: FindingSide, view: str, ctx: RuleContext) -> tuple[Finding, ...]:
    k = ctx.thresholds.knee
    m = _stat_measurement(stat, f"knee_offset_ratio.{side}", "ratio", k.offset_default_uncertainty_ratio)
    if m is None:
        return ()
    note = "The knee angle itself was not available, so this uses how far the knee sits from the foot line."
    out: list[Finding] = []
    for kind, band, value, where in (
        (FindingKind.KNEE_VALGUS, k.offset_medial, m.value, "inward"),
        (FindingKind.KNEE_VARUS, k.offset_lateral, -m.value, "outward"),
    ):
        severity, borderline, report = _assess(value, m.uncertainty, band, "up")
        if not report:
            continue
        seen = (
            f"Your {side} knee sits {where} of the line of its foot by about {abs(value):.2f} ± "
            f"{m.uncertainty:.2f} of your hip width."
        )
        explanation = _join(
            seen,
            note,
            _borderline_text(value, m.uncertainty, band, severity, "ratio"),
            _assumed_text(m),
            _view_caveat(view),
        )
        out.append(
            ctx.finding(kind, side, severity, borderline, m, _band_text(band, "up", "offset"), explanation)
        )
    return tuple(out)


def squat_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Knee moving medially during squats: median over reps of (bottom FPPA - standing FPPA) per side."""
    sq = ctx.thresholds.squat
    if not inputs.reps and inputs.activity != "squat":
        return ()
    out: list[Finding] = []
    for side in SIDES:
        changes = [c for rep in inputs.reps if (c := rep.change_deg(side)) is not None]
        if len(changes) < sq.min_reps:
            reason = "no squat repetitions with knee angles at standing and at the bottom"
            out.append(_not_measured("squat_knee", side, f"{side.capitalize()} knee during squats", reason))
            continue
        spread = statistics.stdev(changes) if len(changes) >= 2 else 0.0
        m = Measurement(
            metric=f"knee_fppa_change_deg.{side}",
            value=statistics.median(changes),
            uncertainty=max(sq.default_uncertainty_deg, spread),
            unit="deg",
            n=len(changes),
        )
        severity, borderline, report = _assess(m.value, m.uncertainty, sq.change, "up")
        if not report:
            continue
        reps_word = "squat" if len(changes) == 1 else "squats"
        seen = (
            f"Over {len(changes)} {reps_word}, your {side} knee moved inward by a median of {m.text()} between "
            "standing and the bottom of the squat."
        )
        context = (
            "Changes in this angle smaller than about 8 deg cannot be told apart from measurement noise "
            "(smallest detectable difference, Munro et al. 2012), so only larger changes count as real."
        )
        explanation = _join(
            seen, context, _borderline_text(m.value, m.uncertainty, sq.change, severity, "deg")
        )
        out.append(
            ctx.finding(
                FindingKind.KNEE_VALGUS_SQUAT,
                side,
                severity,
                borderline,
                m,
                _band_text(sq.change, "up", "change"),
                explanation,
            )
        )
    return tuple(out)


def balanced_finding(findings: tuple[Finding, ...], ctx: RuleContext) -> tuple[Finding, ...]:
    """ "Looks balanced" when something was measured and nothing is mild or marked."""
    measured = [f for f in findings if f.kind is not FindingKind.NOT_MEASURED]
    missing = [f for f in findings if f.kind is FindingKind.NOT_MEASURED]
    if any(f.flagged for f in findings):
        return ()
    # Something was measured when at least one rule ran on a value: a rule that ran but reported nothing
    # leaves no trace, so count the not_measured findings against the number of checks instead.
    if not _anything_measured(missing):
        return ()
    parts = ["Within what the camera could measure, nothing was past the lines we use."]
    if measured:
        parts.append(
            f"{len(measured)} value(s) sit close to a line, within measurement error; they are listed so you can "
            "re-check them later."
        )
    if missing:
        parts.append(
            "Some things could not be measured and are listed as such: this is not a clean bill for those."
        )
    return (ctx.finding(FindingKind.BALANCED, None, Severity.NONE, False, None, "", " ".join(parts)),)


# The per-side and whole-body checks behind the not_measured ids, used to tell "nothing measured" apart.
_CHECKS = ("turnout.left", "turnout.right", "stance_width", "knee.left", "knee.right")


def _anything_measured(missing: list[Finding]) -> bool:
    missing_ids = {f.id.removeprefix("not_measured.") for f in missing}
    return any(check not in missing_ids for check in _CHECKS)


def all_findings(inputs: SummaryInputs, ctx: RuleContext) -> tuple[Finding, ...]:
    """Every rule in a fixed order; "balanced" last when nothing is flagged."""
    findings = (
        turnout_findings(inputs, ctx)
        + asymmetry_findings(inputs, ctx)
        + stance_findings(inputs, ctx)
        + knee_findings(inputs, ctx)
        + squat_findings(inputs, ctx)
    )
    return findings + balanced_finding(findings, ctx)
