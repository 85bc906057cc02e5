"""Before / after: how each of a step's numbers moved between two screenings, and whether the camera can tell.

Pure computation; standard library only. A change counts as real only when it is larger than the two
readings' +/- bands combined (``sqrt(u_before**2 + u_after**2)``, the bands taken as independent): a client
whose turnout reads 14 +/- 3.5 deg and then 11 +/- 3.5 deg has not measurably changed (3 < 4.9 deg).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from analyzer.screening.protocol import Measure, Step


class Verdict(str, Enum):
    CHANGED = "changed"  # the change exceeds the combined +/-
    WITHIN_ERROR = "within measurement error"
    NOT_COMPARABLE = "not comparable"  # one side missing, or a band unknown


@dataclass(frozen=True)
class Change:
    """One number of one step, before and after (``delta`` = after - before, in ``unit``)."""

    step: Step
    key: str
    label: str
    unit: str
    before: Measure | None
    after: Measure | None
    delta: float | None
    detectable: float | None  # the smallest change the two readings can show: the combined +/-
    verdict: Verdict
    note: str = ""


def compare_measure(step: Step, before: Measure | None, after: Measure | None) -> Change:
    """Compare one number; either side may be missing (the step was not recorded, or gave no value)."""
    ref = after if after is not None else before
    assert ref is not None, "compare_measure needs at least one of before / after"

    def change(delta: float | None, detectable: float | None, verdict: Verdict, note: str = "") -> Change:
        return Change(step, ref.key, ref.label, ref.unit, before, after, delta, detectable, verdict, note)

    if before is None or after is None or before.value is None or after.value is None:
        missing = "before" if before is None or before.value is None else "after"
        m = before if missing == "before" else after
        why = m.reason if m is not None and m.reason else "not recorded"
        return change(None, None, Verdict.NOT_COMPARABLE, f"no value {missing}: {why}")
    delta = after.value - before.value
    if before.uncertainty is None or after.uncertainty is None:
        return change(delta, None, Verdict.NOT_COMPARABLE, "no +/- band for one of the readings")
    detectable = math.hypot(before.uncertainty, after.uncertainty)
    return change(delta, detectable, Verdict.CHANGED if abs(delta) > detectable else Verdict.WITHIN_ERROR)


def compare_steps(
    before: Mapping[Step, Sequence[Measure]], after: Mapping[Step, Sequence[Measure]]
) -> list[Change]:
    """Every number of every step in either screening, in protocol order then the step's own order.

    Counts (repetitions, footprints) are context, not outcomes: they are left out.
    """
    out: list[Change] = []
    for step in Step:
        b = {m.key: m for m in before.get(step, ()) if m.unit}
        a = {m.key: m for m in after.get(step, ()) if m.unit}
        keys = list(a) + [k for k in b if k not in a]
        if not keys:
            continue
        out.extend(compare_measure(step, b.get(k), a.get(k)) for k in keys)
    return out
