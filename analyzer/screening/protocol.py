"""The instructor's screening protocol: its steps, and the few numbers each step is judged by.

Pure computation over analysis summaries (docs/SUMMARY.md); no cv2, mediapipe or streamlit.

A screening is the same short series of recordings every time, so that two screenings of a client can be
compared number by number: standing, walking towards the camera, squats, and a single-leg squat on each leg.
Each step keeps a handful of :class:`Measure` values read from its recording's summary, each with the
+/- band the summary gives it (``uncertainty``: the larger of the spread over the frames and the method's
typical error for the view).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from analyzer.stance import View
from analyzer.temporal.summary import METHOD_ERROR


class Step(str, Enum):
    """One recording of the protocol (the value is what the records and exports store)."""

    STANDING = "standing"
    WALKING = "walking"
    SQUAT = "squat"
    SINGLE_LEG_LEFT = "single_leg_squat_left"
    SINGLE_LEG_RIGHT = "single_leg_squat_right"


@dataclass(frozen=True)
class StepSpec:
    """What the client does for a step, and how to film it."""

    step: Step
    title: str
    instructions: str


PROTOCOL: tuple[StepSpec, ...] = (
    StepSpec(
        Step.STANDING,
        "Standing",
        "Stand relaxed, facing the camera, for 5 seconds: feet where they usually go, arms at the sides. "
        "Camera about 3 m away at knee-to-hip height, whole body and both feet in the picture.",
    ),
    StepSpec(
        Step.WALKING,
        "Walking",
        "Walk towards the camera at an everyday pace for 6-8 steps (start 6-8 m away). "
        "Same camera height; the feet must stay in the picture.",
    ),
    StepSpec(
        Step.SQUAT,
        "Squats",
        "Facing the camera, feet hip-width apart: 3-5 slow squats as deep as is comfortable, "
        "standing still for a second before the first.",
    ),
    StepSpec(
        Step.SINGLE_LEG_LEFT,
        "Single-leg squat, left leg",
        "Facing the camera, stand on the LEFT leg, the other knee bent so that foot is behind you, well off "
        "the floor (15 cm or more), and bend the standing "
        "knee slowly 3 times, as far as is steady. A hand on a chair back is fine.",
    ),
    StepSpec(
        Step.SINGLE_LEG_RIGHT,
        "Single-leg squat, right leg",
        "As for the left leg, standing on the RIGHT leg.",
    ),
)


def step_spec(step: Step | str) -> StepSpec:
    """The protocol's entry for ``step`` (a Step or its stored value); ValueError names the known steps."""
    try:
        key = Step(step)
    except ValueError:
        known = ", ".join(s.value for s in Step)
        raise ValueError(f"unknown screening step {step!r} (known: {known})") from None
    return next(s for s in PROTOCOL if s.step is key)


@dataclass(frozen=True)
class Measure:
    """One number a step is judged by.

    ``key`` is stable (``turnout_deg.left``, ``rep_knee_fppa_deg.right``, ...) so screenings compare key by
    key; ``value`` is None when the recording could not give it, and ``reason`` then says why.
    ``uncertainty`` is the +/- band (same unit), None when unknown.
    """

    key: str
    label: str
    unit: str
    value: float | None
    uncertainty: float | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"{self.key}: value must be finite or None, got {self.value}")
        if self.uncertainty is not None and not (math.isfinite(self.uncertainty) and self.uncertainty >= 0):
            raise ValueError(f"{self.key}: uncertainty must be finite and >= 0, got {self.uncertainty}")


_UNITS = {"deg": "deg", "ratio": "x hip width", "cm": "cm", "count": ""}


def decimals(unit: str) -> int:
    """How many decimals a number in ``unit`` is shown with (hip widths 2, degrees and cm 1, counts 0)."""
    return 2 if unit == _UNITS["ratio"] else (1 if unit else 0)


def number_text(value: float, unit: str, signed: bool | None = None) -> str:
    """``value`` with its unit's decimals; signed (+/-) by default for angles, where the sign is meaning."""
    signed = unit == _UNITS["deg"] if signed is None else signed
    return f"{value:+.{decimals(unit)}f}" if signed else f"{value:.{decimals(unit)}f}"


SIDES = ("left", "right")


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _stat(summary: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node: Any = summary.get("metrics") or {}
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def _from_stat(summary: Mapping[str, Any], path: str, label: str, unit: str) -> Measure:
    stat = _stat(summary, path)
    value = _num(stat.get("median"))
    reason = stat.get("reason") if value is None else None
    return Measure(
        key=path,
        label=label,
        unit=_UNITS[unit],
        value=value,
        uncertainty=_num(stat.get("uncertainty")) if value is not None else None,
        reason=(str(reason) if reason else "not measured") if value is None else None,
    )


def _turnouts(summary: Mapping[str, Any]) -> list[Measure]:
    return [
        _from_stat(summary, f"turnout_deg.{s}", f"Turnout, {s} foot (+ = toe-out)", "deg")
        for s in SIDES
    ]


def _knees(summary: Mapping[str, Any], sides: tuple[str, ...] = SIDES) -> list[Measure]:
    out = []
    for s in sides:
        out.append(_from_stat(summary, f"knee_fppa_deg.{s}", f"Knee angle (FPPA), {s} (+ = inward)", "deg"))
        out.append(
            _from_stat(summary, f"knee_offset_ratio.{s}", f"Knee over foot, {s} (+ = inside the foot)", "ratio")
        )
    return out


def _median_of(values: list[float | None]) -> float | None:
    finite = [v for v in values if v is not None]
    return statistics.median(finite) if finite else None


def _rep_measures(summary: Mapping[str, Any], sides: tuple[str, ...]) -> list[Measure]:
    """Per side: the median over the reps of the most inward knee angle and of the knee offset at the bottom.

    A rep value's +/- is taken from the matching whole-recording metric (same view, same method). With no
    repetition detected (a photo taken at the bottom, a clip without a full rep), the recording's own
    median stands in, under the same key, and the label says so.
    """
    reps = [r for r in summary.get("reps") or [] if isinstance(r, Mapping)]
    out = []
    for s in sides:
        for field, label, unit in (
            ("knee_fppa_deg", f"Squat knee angle at its most inward, {s} (+ = inward)", "deg"),
            ("knee_offset_ratio", f"Squat knee over foot at the bottom, {s}", "ratio"),
        ):
            values = [_num((r.get(field) or {}).get(s)) for r in reps if isinstance(r.get(field), Mapping)]
            value = _median_of(values)
            whole = _stat(summary, f"{field}.{s}")
            unc = _num(whole.get("uncertainty"))
            reason = None
            if not reps:  # a photo of the squat, or a video without a full rep: its own reading
                value = _num(whole.get("median"))
                label += " (no rep detected: whole recording)"
                reason = None if value is not None else str(whole.get("reason") or "not measured")
            elif value is None:
                reason = "not measured in any repetition"
            out.append(
                Measure(
                    key=f"rep_{field}.{s}",
                    label=label,
                    unit=_UNITS[unit],
                    value=value,
                    uncertainty=unc if value is not None else None,
                    reason=reason,
                )
            )
    return out


def _spread_or_method(values: list[float], metric: str, summary: Mapping[str, Any]) -> float | None:
    """The +/- of a median over footprints: as the summary's own bands, the larger of the values' sample
    SD and the method's typical error for the recording's view (None when the view has none)."""
    try:
        method = METHOD_ERROR.get(metric, {}).get(View(summary.get("view")))
    except ValueError:
        method = None
    spread = statistics.stdev(values) if len(values) >= 2 else None
    found = [x for x in (method, spread) if x is not None]
    return max(found) if found else None


def _count(key: str, label: str, items: list[Any]) -> Measure:
    return Measure(key=key, label=label, unit="", value=float(len(items)))


def _walking_measures(summary: Mapping[str, Any]) -> list[Measure]:
    steps = [s for s in summary.get("steps") or [] if isinstance(s, Mapping)]
    out = _turnouts(summary)
    left, right = out[0], out[1]
    if left.value is not None and right.value is not None:
        unc = (
            math.hypot(left.uncertainty, right.uncertainty)
            if left.uncertainty is not None and right.uncertainty is not None
            else None
        )
        out.append(Measure("turnout_asymmetry_deg", "Turnout difference, left - right", "deg",
                           left.value - right.value, unc))
    else:
        out.append(Measure("turnout_asymmetry_deg", "Turnout difference, left - right", "deg", None,
                           reason="needs both feet's turnout"))
    widths = [w for w in (_num(s.get("step_width_ratio")) for s in steps) if w is not None]
    width = _median_of(list(widths))
    width_unc = _spread_or_method(widths, "stance_width_ratio", summary)
    out.append(
        Measure("step_width_ratio", "Step width", _UNITS["ratio"], width,
                width_unc if width is not None else None,
                None if width is not None else "no footprints with a width")
    )
    out.append(_count("steps", "Footprints measured", steps))
    return out


def key_measures(step: Step | str, summary: Mapping[str, Any]) -> tuple[Measure, ...]:
    """The numbers ``step`` is judged by, read from one recording's summary (never raises on odd input)."""
    key = step_spec(step).step
    if key is Step.STANDING:
        out = [*_turnouts(summary), _from_stat(summary, "stance_width_ratio", "Stance width (heels)", "ratio")]
        cm = _from_stat(summary, "stance_width_cm", "Stance width (heels), centimetres", "cm")
        if cm.value is not None:
            out.append(cm)
        out += _knees(summary)
        return tuple(out)
    if key is Step.WALKING:
        return tuple(_walking_measures(summary))
    if key is Step.SQUAT:
        reps = [r for r in summary.get("reps") or [] if isinstance(r, Mapping)]
        return (*_turnouts(summary), *_rep_measures(summary, SIDES), _count("reps", "Repetitions", reps))
    return _single_leg_measures(summary, "left" if key is Step.SINGLE_LEG_LEFT else "right")


def _single_leg_measures(summary: Mapping[str, Any], side: str) -> tuple[Measure, ...]:
    """The standing knee over the frames its leg stood alone (the summary's ``single_leg`` entry): its
    most inward FPPA and knee offset (a high percentile of those frames), and how many frames."""
    entry = (summary.get("single_leg") or {}).get(side)
    other = "right" if side == "left" else "left"
    out = []
    for field, label, unit in (
        ("knee_fppa_deg", f"Knee angle on the {side} leg alone, most inward (+ = inward)", "deg"),
        ("knee_offset_ratio", f"Knee over foot on the {side} leg alone, most inside", "ratio"),
    ):
        block = entry.get(field) if isinstance(entry, Mapping) else None
        value = _num(block.get("most_inward")) if isinstance(block, Mapping) else None
        if not isinstance(entry, Mapping):
            reason = f"the {other} foot was not seen off the floor: no stance on the {side} leg alone"
        elif value is None:
            reason = f"not measured from this view ({str(entry.get('view', 'unknown')).replace('_', ' ')})"
        else:
            reason = None
        unc = _num(block.get("uncertainty")) if isinstance(block, Mapping) and value is not None else None
        out.append(Measure(f"single_leg_{field}.{side}", label, _UNITS[unit], value, unc, reason))
    frames = _num(entry.get("frames")) if isinstance(entry, Mapping) else None
    out.append(Measure("single_leg_frames", f"Frames on the {side} leg alone", "", frames or 0.0))
    return tuple(out)


# The activities (docs/SUMMARY.md ``activity``) a step's recording is expected to show; another one is
# worth a word before the recording is kept (a walk saved as the standing step, a squat video in which no
# repetition was found).
EXPECTED_ACTIVITY = {
    Step.STANDING: ("standing",),
    Step.WALKING: ("walking",),
    Step.SQUAT: ("squat",),
    Step.SINGLE_LEG_LEFT: ("squat", "standing"),
    Step.SINGLE_LEG_RIGHT: ("squat", "standing"),
}


def step_mismatch(step: Step | str, summary: Mapping[str, Any]) -> str | None:
    """One line when the recording does not look like ``step`` (by the analysis's activity), else None.

    A word, not a refusal: the instructor may know better (a photo of a squat reads as a still).
    """
    key = step_spec(step).step
    activity = str(summary.get("activity") or "unknown")
    if activity == "unknown" or activity in EXPECTED_ACTIVITY[key]:
        return None
    if key is Step.SQUAT and activity == "standing" and (summary.get("input") or {}).get("kind") == "image":
        return None  # a photo is a still: its squat shows in the knee numbers, not in an activity
    title = step_spec(key).title.lower()
    return f"This recording looks like {activity}, not {title}: check it is the right file for this step."
