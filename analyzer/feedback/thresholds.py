"""Finding thresholds: typed, frozen, loaded from ``thresholds.toml`` (profiles + optional override file).

The numbers and their sources live in the TOML file's comments; this module only reads and checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.feedback._config import (
    FeedbackConfigError,
    check_keys,
    load_toml,
    req_float,
    req_int,
)

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.toml")
SCHEMA_VERSION = 1
DEFAULT_PROFILE = "default"


class ThresholdsError(FeedbackConfigError):
    """The thresholds file does not match its schema, or the profile does not exist."""


@dataclass(frozen=True)
class Band:
    """Two grading steps on one side of a metric, as magnitudes: ``mild`` < ``marked``.

    A value of at least ``mild`` (in the band's direction) is mild, at least ``marked`` is marked.
    ``unit`` is ``"deg"`` or ``"ratio"``.
    """

    mild: float
    marked: float
    unit: str

    def __post_init__(self) -> None:
        if not self.mild < self.marked:
            raise ValueError(f"mild ({self.mild}) must be below marked ({self.marked})")


@dataclass(frozen=True)
class LowerBand:
    """Two grading steps for a value that is flagged when it is *small*: ``mild`` > ``marked`` >= 0."""

    mild: float
    marked: float
    unit: str

    def __post_init__(self) -> None:
        if not self.mild > self.marked >= 0:
            raise ValueError(f"need mild ({self.mild}) > marked ({self.marked}) >= 0")


@dataclass(frozen=True)
class TurnoutThresholds:
    toe_out: Band  # turnout_deg >= mild
    toe_in: Band  # -turnout_deg >= mild (magnitudes of toe-in)
    asymmetry: Band  # |left - right| >= mild
    default_uncertainty_deg: float
    max_uncertainty_deg: float  # a reading less certain than this is not graded


@dataclass(frozen=True)
class StanceThresholds:
    wide: Band  # stance_width_ratio >= mild
    narrow: LowerBand  # stance_width_ratio <= mild
    default_uncertainty_ratio: float
    max_uncertainty_ratio: float  # a reading less certain than this is not graded


@dataclass(frozen=True)
class KneeThresholds:
    valgus: Band  # knee_fppa_deg >= mild
    varus: Band  # -knee_fppa_deg >= mild
    offset_medial: Band  # knee_offset_ratio >= mild (used when the FPPA is missing)
    offset_lateral: Band  # -knee_offset_ratio >= mild
    offset_default_uncertainty_ratio: float
    default_uncertainty_deg: float


@dataclass(frozen=True)
class SquatThresholds:
    change: Band  # median over reps of (bottom FPPA - standing FPPA) >= mild
    default_uncertainty_deg: float
    min_reps: int


@dataclass(frozen=True)
class PlanSettings:
    max_exercises: int
    exercises_per_finding: int
    weight_marked: float
    weight_mild: float
    weight_borderline_none: float
    weight_balanced: float
    borderline_factor: float


@dataclass(frozen=True)
class Thresholds:
    """Everything the rules and the plan ranking need; ``profile`` names where the values came from."""

    profile: str
    turnout: TurnoutThresholds
    stance: StanceThresholds
    knee: KneeThresholds
    squat: SquatThresholds
    plan: PlanSettings
    source: str  # file(s) the values were read from, for reports


# --------------------------------------------------------------------------------------------- loading


def load_thresholds(path: Path | None = None, profile: str = DEFAULT_PROFILE) -> Thresholds:
    """Load thresholds for ``profile`` from the packaged file, with ``path`` (if given) merged over it.

    An override file has the same layout as ``thresholds.toml`` and only needs the values it changes.
    Raises :class:`ThresholdsError` naming the file, profile and field of the first problem.
    """
    raw = load_toml(THRESHOLDS_PATH, "thresholds")
    source = str(THRESHOLDS_PATH)
    if path is not None:
        try:
            override = load_toml(Path(path), "thresholds override")
        except FeedbackConfigError as exc:
            raise ThresholdsError(str(exc)) from exc
        _check_layout(override, f"{path}")
        raw = _deep_merge(raw, override)
        source = f"{THRESHOLDS_PATH} + {path}"
    try:
        return parse_thresholds(raw, profile, source)
    except ThresholdsError as exc:
        raise ThresholdsError(f"{source}: {exc}") from exc


def parse_thresholds(
    raw: Mapping[str, Any], profile: str = DEFAULT_PROFILE, source: str = "<memory>"
) -> Thresholds:
    """Build :class:`Thresholds` from parsed TOML (pure; used by tests)."""
    _check_layout(raw, "thresholds")
    profiles = raw.get("profiles")
    if not isinstance(profiles, Mapping) or DEFAULT_PROFILE not in profiles:
        raise ThresholdsError("thresholds: needs a [profiles.default] table")
    if profile not in profiles:
        raise ThresholdsError(f"unknown profile {profile!r}; available: {sorted(profiles)}")
    merged = dict(profiles[DEFAULT_PROFILE])
    if profile != DEFAULT_PROFILE:
        merged = _deep_merge(merged, profiles[profile])
    where = f"[profiles.{profile}]"
    try:
        return Thresholds(
            profile=profile,
            turnout=_turnout(_section(merged, "turnout", where)),
            stance=_stance(_section(merged, "stance", where)),
            knee=_knee(_section(merged, "knee", where)),
            squat=_squat(_section(merged, "squat", where)),
            plan=_plan(_section(raw, "plan", "thresholds")),
            source=source,
        )
    except ThresholdsError:
        raise
    except FeedbackConfigError as exc:
        raise ThresholdsError(str(exc)) from exc


_TOP_KEYS = {"schema_version", "plan", "profiles"}
_SECTIONS = {"turnout", "stance", "knee", "squat"}


def _check_layout(raw: Mapping[str, Any], where: str) -> None:
    try:
        check_keys(raw, _TOP_KEYS, where)
        if "schema_version" in raw:
            version = req_int(raw, "schema_version", where, minimum=1)
            if version != SCHEMA_VERSION:
                raise ThresholdsError(
                    f"{where}: schema_version {version} is not supported (expected {SCHEMA_VERSION})"
                )
        profiles = raw.get("profiles", {})
        if not isinstance(profiles, Mapping):
            raise ThresholdsError(f"{where}: 'profiles' must be a table")
        for name, body in profiles.items():
            if not isinstance(body, Mapping):
                raise ThresholdsError(f"{where}: [profiles.{name}] must be a table")
            check_keys(body, _SECTIONS, f"{where} [profiles.{name}]")
    except ThresholdsError:
        raise
    except FeedbackConfigError as exc:
        raise ThresholdsError(str(exc)) from exc


def _deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, recursing into tables; neither input is modified."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _section(table: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = table.get(key)
    if not isinstance(value, Mapping):
        raise ThresholdsError(f"{where}: missing section [{key}]")
    return value


def _band(table: Mapping[str, Any], prefix: str, unit: str, where: str) -> Band:
    mild_key, marked_key = f"{prefix}_mild_{unit}", f"{prefix}_marked_{unit}"
    mild, marked = req_float(table, mild_key, where), req_float(table, marked_key, where)
    if mild < 0:
        raise ThresholdsError(f"{where}: field '{mild_key}' is a magnitude and must be >= 0, got {mild}")
    if not mild < marked:
        raise ThresholdsError(f"{where}: '{mild_key}' ({mild}) must be below '{marked_key}' ({marked})")
    return Band(mild=mild, marked=marked, unit=unit)


def _positive(table: Mapping[str, Any], key: str, where: str) -> float:
    value = req_float(table, key, where)
    if value <= 0:
        raise ThresholdsError(f"{where}: field '{key}' must be > 0, got {value}")
    return value


def _turnout(t: Mapping[str, Any]) -> TurnoutThresholds:
    where = "[turnout]"
    check_keys(
        t,
        {f"{p}_{s}_deg" for p in ("toe_out", "toe_in", "asymmetry") for s in ("mild", "marked")}
        | {"default_uncertainty_deg", "max_uncertainty_deg"},
        where,
    )
    return TurnoutThresholds(
        toe_out=_band(t, "toe_out", "deg", where),
        toe_in=_band(t, "toe_in", "deg", where),
        asymmetry=_band(t, "asymmetry", "deg", where),
        default_uncertainty_deg=_positive(t, "default_uncertainty_deg", where),
        max_uncertainty_deg=_positive(t, "max_uncertainty_deg", where),
    )


def _stance(t: Mapping[str, Any]) -> StanceThresholds:
    where = "[stance]"
    keys = {f"{p}_{s}_ratio" for p in ("wide", "narrow") for s in ("mild", "marked")}
    check_keys(t, keys | {"default_uncertainty_ratio", "max_uncertainty_ratio"}, where)
    narrow_mild = req_float(t, "narrow_mild_ratio", where)
    narrow_marked = req_float(t, "narrow_marked_ratio", where)
    if not narrow_mild > narrow_marked >= 0:
        raise ThresholdsError(
            f"{where}: need narrow_mild_ratio ({narrow_mild}) > narrow_marked_ratio ({narrow_marked}) >= 0"
        )
    wide = _band(t, "wide", "ratio", where)
    if not narrow_mild < wide.mild:
        raise ThresholdsError(
            f"{where}: narrow_mild_ratio ({narrow_mild}) must be below wide_mild_ratio ({wide.mild})"
        )
    return StanceThresholds(
        wide=wide,
        narrow=LowerBand(mild=narrow_mild, marked=narrow_marked, unit="ratio"),
        default_uncertainty_ratio=_positive(t, "default_uncertainty_ratio", where),
        max_uncertainty_ratio=_positive(t, "max_uncertainty_ratio", where),
    )


def _knee(t: Mapping[str, Any]) -> KneeThresholds:
    where = "[knee]"
    keys = {f"{p}_{s}_deg" for p in ("valgus", "varus") for s in ("mild", "marked")}
    keys |= {f"offset_{p}_{s}_ratio" for p in ("medial", "lateral") for s in ("mild", "marked")}
    check_keys(t, keys | {"default_uncertainty_deg", "offset_default_uncertainty_ratio"}, where)
    return KneeThresholds(
        valgus=_band(t, "valgus", "deg", where),
        varus=_band(t, "varus", "deg", where),
        offset_medial=_band(t, "offset_medial", "ratio", where),
        offset_lateral=_band(t, "offset_lateral", "ratio", where),
        offset_default_uncertainty_ratio=_positive(t, "offset_default_uncertainty_ratio", where),
        default_uncertainty_deg=_positive(t, "default_uncertainty_deg", where),
    )


def _squat(t: Mapping[str, Any]) -> SquatThresholds:
    where = "[squat]"
    check_keys(t, {"change_mild_deg", "change_marked_deg", "default_uncertainty_deg", "min_reps"}, where)
    return SquatThresholds(
        change=_band(t, "change", "deg", where),
        default_uncertainty_deg=_positive(t, "default_uncertainty_deg", where),
        min_reps=req_int(t, "min_reps", where, minimum=1),
    )


def _plan(t: Mapping[str, Any]) -> PlanSettings:
    where = "[plan]"
    fields = (
        "weight_marked",
        "weight_mild",
        "weight_borderline_none",
        "weight_balanced",
        "borderline_factor",
    )
    check_keys(t, {"max_exercises", "exercises_per_finding", *fields}, where)
    weights = {name: _positive(t, name, where) for name in fields}
    if not weights["weight_marked"] > weights["weight_mild"] > weights["weight_borderline_none"]:
        raise ThresholdsError(f"{where}: need weight_marked > weight_mild > weight_borderline_none")
    return PlanSettings(
        max_exercises=req_int(t, "max_exercises", where, minimum=1),
        exercises_per_finding=req_int(t, "exercises_per_finding", where, minimum=1),
        **weights,
    )
