"""Reading the analysis summary (``summary.json``, docs/SUMMARY.md) into typed values, at the edge.

The summary is a plain dict in which any value may be null, missing, NaN or of the wrong type. All the
dict access happens here; the rules only see :class:`SummaryInputs`. Nothing here raises on bad input:
an unreadable value becomes "not measured" with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Side = Literal["left", "right"]  # the subject's own
SIDES: tuple[Side, Side] = ("left", "right")


@dataclass(frozen=True)
class Stat:
    """One summarised metric (a STAT object): ``median`` is None when it was not measured.

    ``uncertainty`` is the +/- band the analyzer reports (None when it gave none); ``reason`` says why the
    median is missing, when it is.
    """

    median: float | None
    uncertainty: float | None = None
    n: int | None = None
    reason: str | None = None

    @property
    def measured(self) -> bool:
        return self.median is not None


MISSING = Stat(median=None, reason="not in the summary")


@dataclass(frozen=True)
class RepKnee:
    """One squat repetition: FPPA (deg, + = knee medial) at the bottom and when standing just before."""

    index: int
    bottom_deg: Mapping[Side, float | None]
    standing_deg: Mapping[Side, float | None]

    def change_deg(self, side: Side) -> float | None:
        """Bottom minus standing FPPA; positive = the knee moved medially during the rep."""
        bottom, standing = self.bottom_deg.get(side), self.standing_deg.get(side)
        return None if bottom is None or standing is None else bottom - standing


@dataclass(frozen=True)
class SummaryInputs:
    """What the rules read from a summary. Per-side values are keyed by ``"left"`` / ``"right"``."""

    turnout_deg: Mapping[Side, Stat]
    stance_width_ratio: Stat
    stance_width_cm: Stat
    knee_fppa_deg: Mapping[Side, Stat]
    knee_offset_ratio: Mapping[Side, Stat]
    reps: tuple[RepKnee, ...]
    activity: str  # standing | squat | walking | unknown
    view: str  # frontal | posterior | left_sagittal | right_sagittal | oblique | unknown
    warnings: tuple[str, ...]


def read_summary(summary: Mapping[str, Any]) -> SummaryInputs:
    """Extract the rule inputs from a summary dict; never raises on missing or malformed values."""
    metrics = _mapping(summary.get("metrics"))
    return SummaryInputs(
        turnout_deg=_sided_stats(metrics.get("turnout_deg")),
        stance_width_ratio=read_stat(metrics.get("stance_width_ratio")),
        stance_width_cm=read_stat(metrics.get("stance_width_cm")),
        knee_fppa_deg=_sided_stats(metrics.get("knee_fppa_deg")),
        knee_offset_ratio=_sided_stats(metrics.get("knee_offset_ratio")),
        reps=_reps(summary.get("reps")),
        activity=_text(summary.get("activity"), "unknown"),
        view=_text(summary.get("view"), "unknown"),
        warnings=_warnings(summary.get("warnings")),
    )


def read_stat(obj: object) -> Stat:
    """A STAT dict as :class:`Stat`; anything unreadable gives an unmeasured Stat with a reason."""
    if obj is None:
        return MISSING
    if not isinstance(obj, Mapping):
        return Stat(median=None, reason="unreadable value in the summary")
    median = number(obj.get("median"))
    uncertainty = number(obj.get("uncertainty"))
    n_raw = obj.get("n")
    n = n_raw if isinstance(n_raw, int) and not isinstance(n_raw, bool) else None
    reason = obj.get("reason") if isinstance(obj.get("reason"), str) else None
    if median is None and reason is None:
        reason = "no value"
    return Stat(
        median=median, uncertainty=abs(uncertainty) if uncertainty is not None else None, n=n, reason=reason
    )


def number(value: object) -> float | None:
    """A finite float, or None for null, NaN, infinities, booleans and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _mapping(obj: object) -> Mapping[str, Any]:
    return obj if isinstance(obj, Mapping) else {}


def _text(obj: object, default: str) -> str:
    return obj if isinstance(obj, str) and obj else default


def _sided_stats(obj: object) -> dict[Side, Stat]:
    sides = _mapping(obj)
    return {side: read_stat(sides.get(side)) for side in SIDES}


def _sided_numbers(obj: object) -> dict[Side, float | None]:
    sides = _mapping(obj)
    return {side: number(sides.get(side)) for side in SIDES}


def _reps(obj: object) -> tuple[RepKnee, ...]:
    if not isinstance(obj, list):
        return ()
    reps = []
    for position, rep in enumerate(obj):
        if not isinstance(rep, Mapping):
            continue
        index = rep.get("index")
        reps.append(
            RepKnee(
                index=index if isinstance(index, int) and not isinstance(index, bool) else position + 1,
                bottom_deg=_sided_numbers(rep.get("knee_fppa_deg")),
                standing_deg=_sided_numbers(rep.get("knee_fppa_standing_deg")),
            )
        )
    return tuple(reps)


def _warnings(obj: object) -> tuple[str, ...]:
    if not isinstance(obj, list):
        return ()
    out = []
    for item in obj:
        if isinstance(item, Mapping) and isinstance(item.get("message"), str):
            out.append(item["message"])
        elif isinstance(item, str):
            out.append(item)
    return tuple(out)
