"""The vocabulary shared by the catalogue, the thresholds and the rules: finding kinds and severities."""

from __future__ import annotations

from enum import Enum


class FindingKind(str, Enum):
    """What a finding is about. The catalogue links exercises to these by their string value."""

    TOE_OUT = "toe_out"
    TOE_IN = "toe_in"
    TURNOUT_ASYMMETRY = "turnout_asymmetry"
    STANCE_WIDE = "stance_wide"
    STANCE_NARROW = "stance_narrow"
    KNEE_VALGUS = "knee_valgus"
    KNEE_VARUS = "knee_varus"
    KNEE_VALGUS_SQUAT = "knee_valgus_squat"
    BALANCED = "balanced"
    NOT_MEASURED = "not_measured"  # informational: the inputs of a rule were missing

    @property
    def actionable(self) -> bool:
        """True for kinds that lead to exercises (every kind except ``not_measured``)."""
        return self is not FindingKind.NOT_MEASURED


ACTIONABLE_KINDS: tuple[FindingKind, ...] = tuple(k for k in FindingKind if k.actionable)


class Severity(str, Enum):
    """How far a value is past its threshold: none (inside the range), mild, marked."""

    NONE = "none"
    MILD = "mild"
    MARKED = "marked"
