"""The corrective exercise catalogue: typed, frozen records loaded from ``exercises.toml`` and validated.

The catalogue is data. This module only turns the TOML into :class:`Exercise` records and refuses a file
that does not match the schema, naming the exercise id and the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from analyzer.feedback._config import (
    FeedbackConfigError,
    check_keys,
    load_toml,
    opt_bool,
    opt_float,
    opt_int,
    req_int,
    req_str,
    req_str_list,
    req_table,
)
from analyzer.feedback.kinds import ACTIONABLE_KINDS, FindingKind

CATALOGUE_PATH = Path(__file__).with_name("exercises.toml")
SCHEMA_VERSION = 1
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(FeedbackConfigError):
    """The exercise catalogue does not match its schema."""


class Position(str, Enum):
    """The body position an exercise starts in; it also picks the illustration family."""

    STANDING = "standing"
    WALKING = "walking"
    SQUAT = "squat"
    SEATED = "seated"
    SUPINE = "supine"
    SIDE_LYING = "side_lying"


@dataclass(frozen=True)
class Dose:
    """How much to do: ``sets`` of ``reps`` repetitions, a hold of ``hold_s`` seconds, or ``minutes``.

    At least one of ``reps``, ``hold_s`` and ``minutes`` is given. ``per_side`` means each leg separately.
    """

    sets: int
    reps: int | None = None
    hold_s: int | None = None
    minutes: float | None = None
    per_side: bool = False

    def __post_init__(self) -> None:
        if self.sets < 1:
            raise ValueError("sets must be >= 1")
        if self.reps is None and self.hold_s is None and self.minutes is None:
            raise ValueError("give at least one of reps, hold_s, minutes")

    def text(self) -> str:
        """Human wording, e.g. ``"2 sets x 8 reps, hold 5 s, each side"``."""
        parts = [f"{self.sets} set{'s' if self.sets != 1 else ''}"]
        if self.reps is not None:
            parts[0] += f" x {self.reps} reps"
        if self.minutes is not None:
            parts[0] += f" x {self.minutes:g} min"
        if self.hold_s is not None:
            parts.append(f"hold {self.hold_s} s" if self.reps is not None else f"hold {self.hold_s} s each")
        if self.per_side:
            parts.append("each side")
        return ", ".join(parts)


@dataclass(frozen=True)
class Address:
    """An exercise's link to a finding kind: how directly it helps (``fit`` 1-3) and why."""

    finding: FindingKind
    fit: int
    why: str


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue. Text fields are plain language shown to the user."""

    id: str
    name: str
    purpose: str
    target_muscles: tuple[str, ...]
    equipment: tuple[str, ...]  # empty = no equipment
    position: Position
    steps: tuple[str, ...]  # in order; numbered when shown
    cues: tuple[str, ...]
    common_mistakes: tuple[str, ...]
    dose: Dose
    progression: str
    regression: str
    cautions: tuple[str, ...]
    addresses: tuple[Address, ...]

    def fit_for(self, kind: FindingKind) -> Address | None:
        """The link to ``kind``, or None when this exercise does not address it."""
        return next((a for a in self.addresses if a.finding is kind), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (enums as their string values)."""
        return {
            "id": self.id,
            "name": self.name,
            "purpose": self.purpose,
            "target_muscles": list(self.target_muscles),
            "equipment": list(self.equipment),
            "position": self.position.value,
            "steps": list(self.steps),
            "cues": list(self.cues),
            "common_mistakes": list(self.common_mistakes),
            "dose": {
                "sets": self.dose.sets,
                "reps": self.dose.reps,
                "hold_s": self.dose.hold_s,
                "minutes": self.dose.minutes,
                "per_side": self.dose.per_side,
                "text": self.dose.text(),
            },
            "progression": self.progression,
            "regression": self.regression,
            "cautions": list(self.cautions),
            "addresses": [{"finding": a.finding.value, "fit": a.fit, "why": a.why} for a in self.addresses],
        }


@dataclass(frozen=True)
class FindingText:
    """Static wording for a finding kind: a short title and why it matters."""

    title: str
    why_it_matters: str


@dataclass(frozen=True)
class Catalogue:
    """All exercises (in file order) and the wording for every actionable finding kind."""

    exercises: tuple[Exercise, ...]
    finding_texts: Mapping[FindingKind, FindingText]

    def __post_init__(self) -> None:
        ids = [e.id for e in self.exercises]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise CatalogueError(f"duplicate exercise id(s): {dupes}")
        missing = [k.value for k in ACTIONABLE_KINDS if k not in self.finding_texts]
        if missing:
            raise CatalogueError(f"[findings.*]: no wording for finding kind(s) {missing}")
        uncovered = [k.value for k in ACTIONABLE_KINDS if not self.for_kind(k)]
        if uncovered:
            raise CatalogueError(f"no exercise addresses finding kind(s) {uncovered}")

    def get(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(f"no exercise with id {exercise_id!r}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.exercises)

    def for_kind(self, kind: FindingKind) -> tuple[tuple[Exercise, Address], ...]:
        """Exercises that address ``kind`` with their link, best fit first, then catalogue order."""
        pairs = [(e, a) for e in self.exercises if (a := e.fit_for(kind)) is not None]
        return tuple(sorted(pairs, key=lambda pair: -pair[1].fit))


# --------------------------------------------------------------------------------------------- loading

_EXERCISE_KEYS = {
    "id",
    "name",
    "purpose",
    "target_muscles",
    "equipment",
    "position",
    "steps",
    "cues",
    "common_mistakes",
    "dose",
    "progression",
    "regression",
    "cautions",
    "addresses",
}
_DOSE_KEYS = {"sets", "reps", "hold_s", "minutes", "per_side"}
_ADDRESS_KEYS = {"finding", "fit", "why"}
_FINDING_TEXT_KEYS = {"title", "why_it_matters"}


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and validate the exercise catalogue (default: the packaged ``exercises.toml``).

    Raises :class:`CatalogueError` with the exercise id and field of the first problem found.
    """
    source = CATALOGUE_PATH if path is None else Path(path)
    try:
        raw = load_toml(source, "exercise catalogue")
    except FeedbackConfigError as exc:
        raise CatalogueError(str(exc)) from exc
    try:
        return parse_catalogue(raw)
    except CatalogueError as exc:
        raise CatalogueError(f"{source}: {exc}") from exc


def parse_catalogue(raw: Mapping[str, Any]) -> Catalogue:
    """Build a :class:`Catalogue` from already-parsed TOML (a pure function, used by tests)."""
    try:
        check_keys(raw, {"schema_version", "findings", "exercise"}, "catalogue")
        version = req_int(raw, "schema_version", "catalogue", minimum=1)
        if version != SCHEMA_VERSION:
            raise CatalogueError(
                f"catalogue: schema_version {version} is not supported (expected {SCHEMA_VERSION})"
            )
        texts = _parse_finding_texts(req_table(raw, "findings", "catalogue"))
        entries = raw.get("exercise")
        if not isinstance(entries, list) or not entries:
            raise CatalogueError("catalogue: needs at least one [[exercise]] table")
        exercises = tuple(_parse_exercise(entry, index) for index, entry in enumerate(entries))
        return Catalogue(exercises=exercises, finding_texts=texts)
    except CatalogueError:
        raise
    except FeedbackConfigError as exc:
        raise CatalogueError(str(exc)) from exc


def _parse_finding_texts(table: Mapping[str, Any]) -> dict[FindingKind, FindingText]:
    texts: dict[FindingKind, FindingText] = {}
    for key, value in table.items():
        where = f"[findings.{key}]"
        kind = _finding_kind(key, where)
        if not isinstance(value, Mapping):
            raise CatalogueError(f"{where}: must be a table")
        check_keys(value, _FINDING_TEXT_KEYS, where)
        texts[kind] = FindingText(
            title=req_str(value, "title", where), why_it_matters=req_str(value, "why_it_matters", where)
        )
    return texts


def _parse_exercise(entry: object, index: int) -> Exercise:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"exercise #{index + 1}: must be a table")
    raw_id = entry.get("id")
    where = f"exercise '{raw_id}'" if isinstance(raw_id, str) else f"exercise #{index + 1}"
    check_keys(entry, _EXERCISE_KEYS, where)
    exercise_id = req_str(entry, "id", where)
    if not _ID_RE.match(exercise_id):
        raise CatalogueError(f"{where}: field 'id' must be lower_snake_case (letters, digits, _)")
    position_text = req_str(entry, "position", where)
    try:
        position = Position(position_text)
    except ValueError:
        choices = [p.value for p in Position]
        raise CatalogueError(
            f"{where}: field 'position' is {position_text!r}; expected one of {choices}"
        ) from None
    addresses_raw = entry.get("addresses")
    if not isinstance(addresses_raw, list) or not addresses_raw:
        raise CatalogueError(f"{where}: field 'addresses' needs at least one [[exercise.addresses]] entry")
    addresses = tuple(_parse_address(a, f"{where} addresses #{i + 1}") for i, a in enumerate(addresses_raw))
    kinds = [a.finding for a in addresses]
    if len(set(kinds)) != len(kinds):
        raise CatalogueError(f"{where}: field 'addresses' lists the same finding kind twice")
    return Exercise(
        id=exercise_id,
        name=req_str(entry, "name", where),
        purpose=req_str(entry, "purpose", where),
        target_muscles=req_str_list(entry, "target_muscles", where),
        equipment=req_str_list(entry, "equipment", where, min_len=0),
        position=position,
        steps=req_str_list(entry, "steps", where, min_len=2),
        cues=req_str_list(entry, "cues", where),
        common_mistakes=req_str_list(entry, "common_mistakes", where),
        dose=_parse_dose(req_table(entry, "dose", where), f"{where} dose"),
        progression=req_str(entry, "progression", where),
        regression=req_str(entry, "regression", where),
        cautions=req_str_list(entry, "cautions", where),
        addresses=addresses,
    )


def _parse_dose(table: Mapping[str, Any], where: str) -> Dose:
    check_keys(table, _DOSE_KEYS, where)
    sets = req_int(table, "sets", where, minimum=1)
    reps = opt_int(table, "reps", where)
    hold_s = opt_int(table, "hold_s", where)
    minutes = opt_float(table, "minutes", where)
    if minutes is not None and minutes <= 0:
        raise CatalogueError(f"{where}: field 'minutes' must be > 0, got {minutes}")
    if reps is None and hold_s is None and minutes is None:
        raise CatalogueError(f"{where}: give at least one of 'reps', 'hold_s', 'minutes'")
    return Dose(
        sets=sets,
        reps=reps,
        hold_s=hold_s,
        minutes=minutes,
        per_side=opt_bool(table, "per_side", where, False),
    )


def _parse_address(entry: object, where: str) -> Address:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a table")
    check_keys(entry, _ADDRESS_KEYS, where)
    kind = _finding_kind(req_str(entry, "finding", where), where)
    if not kind.actionable:
        raise CatalogueError(f"{where}: field 'finding' cannot be {kind.value!r}")
    fit = req_int(entry, "fit", where, minimum=1)
    if fit > 3:
        raise CatalogueError(f"{where}: field 'fit' must be 1, 2 or 3, got {fit}")
    return Address(finding=kind, fit=fit, why=req_str(entry, "why", where))


def _finding_kind(text: str, where: str) -> FindingKind:
    try:
        return FindingKind(text)
    except ValueError:
        choices = [k.value for k in ACTIONABLE_KINDS]
        raise CatalogueError(f"{where}: unknown finding kind {text!r}; expected one of {choices}") from None
