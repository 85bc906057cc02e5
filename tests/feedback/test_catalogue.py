"""The exercise catalogue: validates, covers the seeds, links every exercise and finding, has drawings."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analyzer.feedback import Catalogue, CatalogueError, illustration_path, load_catalogue
from analyzer.feedback.catalogue import CATALOGUE_PATH
from analyzer.feedback.kinds import ACTIONABLE_KINDS
from analyzer.feedback.make_illustrations import render_svg

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# The exercises the seed texts describe (REFERENCE.md, "The seeds' exercises"), plus the inner-thigh
# stretch and outer-hip release the brief asks for.
REQUIRED_IDS = {
    "parallel_feet_drill",
    "parallel_walking",
    "hug_the_midline",
    "ball_squeeze",
    "ring_squeeze_knees",
    "ring_squeeze_ankles",
    "eccentric_release",
    "side_lying_inner_thigh_circles",
    "inner_thigh_lift",
    "standing_leg_press_ring",
    "rainbow",
    "wide_squat_heel_lifts",
    "double_leg_lowers",
    "double_leg_stretch",
    "mat_footwork",
    "the_hundred",
    "leg_extension_resisted_release",
    "adductor_stretch",
    "outer_hip_release",
}


def test_catalogue_has_every_seed_exercise(catalogue: Catalogue) -> None:
    assert set(catalogue.ids) >= REQUIRED_IDS


def test_every_exercise_is_complete(catalogue: Catalogue) -> None:
    for e in catalogue.exercises:
        assert len(e.steps) >= 2, e.id
        assert e.cues and e.common_mistakes and e.cautions and e.target_muscles, e.id
        assert e.progression and e.regression and e.purpose, e.id
        assert e.dose.sets >= 1 and (e.dose.reps or e.dose.hold_s or e.dose.minutes), e.id


def test_every_exercise_is_reachable_from_a_finding(catalogue: Catalogue) -> None:
    reachable = {e.id for kind in ACTIONABLE_KINDS for e, _ in catalogue.for_kind(kind)}
    assert reachable == set(catalogue.ids)


def test_every_finding_kind_has_exercises_and_wording(catalogue: Catalogue) -> None:
    for kind in ACTIONABLE_KINDS:
        assert catalogue.for_kind(kind), kind
        assert kind in catalogue.finding_texts, kind


def test_for_kind_orders_by_fit(catalogue: Catalogue) -> None:
    for kind in ACTIONABLE_KINDS:
        fits = [a.fit for _, a in catalogue.for_kind(kind)]
        assert fits == sorted(fits, reverse=True), kind


def test_the_seed_ideas_are_reflected() -> None:
    # Spot checks that the entries teach what the seeds describe (in our own words).
    c = load_catalogue()
    assert "ball of the big toe" in " ".join(c.get("parallel_feet_drill").steps)
    assert "little-toe side" in " ".join(c.get("parallel_feet_drill").steps)
    assert "middle of each foot" in " ".join(c.get("parallel_walking").steps)
    lift_steps = " ".join(c.get("inner_thigh_lift").steps)
    for variation in ("parallel", "rolled in", "rolled out", "flexed"):
        assert variation in lift_steps
    assert "slow" in " ".join(c.get("eccentric_release").steps).lower()
    assert c.get("adductor_stretch").dose.hold_s


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("\u2019", "'"))


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seed texts not available")
def test_catalogue_text_is_not_pasted_from_the_seeds() -> None:
    # No run of 7 words from any seed text may appear in the catalogue: the wording is our own.
    n = 7
    seed_grams: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("*.txt"):
        words = _words(path.read_text(encoding="utf-8"))
        seed_grams |= {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
    ours = _words(CATALOGUE_PATH.read_text(encoding="utf-8"))
    copied = [
        " ".join(ours[i : i + n]) for i in range(len(ours) - n + 1) if tuple(ours[i : i + n]) in seed_grams
    ]
    assert copied == []


# -------------------------------------------------------------------------------------- illustrations


def test_every_exercise_has_a_valid_svg(catalogue: Catalogue) -> None:
    for e in catalogue.exercises:
        path = illustration_path(e.id)
        root = ET.parse(path).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", e.id
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert e.name in texts, f"{e.id}: caption should be the exercise name"
        assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) >= 3, f"{e.id}: expected a figure"


def test_illustrations_are_distinct(catalogue: Catalogue) -> None:
    def drawing_only(exercise_id: str) -> str:
        text = illustration_path(exercise_id).read_text(encoding="utf-8")
        return re.sub(r"<(title|text)[^>]*>.*?</\1>", "", text)

    drawings = {e.id: drawing_only(e.id) for e in catalogue.exercises}
    assert len(set(drawings.values())) == len(drawings)


def test_illustrations_are_up_to_date(catalogue: Catalogue) -> None:
    # The committed SVGs are what make_illustrations draws. After changing a drawing or a name,
    # regenerate deliberately with:  python -m analyzer.feedback.make_illustrations
    for e in catalogue.exercises:
        assert illustration_path(e.id).read_text(encoding="utf-8") == render_svg(e.id, e.name), e.id


def test_illustration_path_for_unknown_id() -> None:
    with pytest.raises(FileNotFoundError, match="no_such_exercise"):
        illustration_path("no_such_exercise")


# ------------------------------------------------------------------------------------ malformed files


def _write_variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in the catalogue"
    path = tmp_path / "exercises.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a required field removed: the message names the exercise and the field
        ('name = "Rainbow leg arc"\n', "", r"exercise 'rainbow'.*'name'"),
        ('position = "squat"', 'position = "hanging"', r"wide_squat_heel_lifts.*'position'.*hanging"),
        ('finding = "stance_narrow"', 'finding = "stance_narow"', r"unknown finding kind 'stance_narow'"),
        ("fit = 3", "fit = 5", r"parallel_feet_drill.*'fit' must be 1, 2 or 3"),
        (
            "[exercise.dose]\nsets = 3\nminutes = 2",
            "[exercise.dose]\nsets = 3",
            r"parallel_walking' dose.*at least one",
        ),
        ('id = "rainbow"', 'id = "hug_the_midline"', r"duplicate exercise id.*hug_the_midline"),
        (
            'progression = "Do the drill',
            'progresion = "Do the drill',
            r"parallel_feet_drill.*unknown field.*progresion",
        ),
        ("steps = [\n", "steps = 3\nsteps_old = [\n", r"unknown field|must be a list"),
        (
            "sets = 2\nreps = 8\nhold_s = 5",
            "sets = 0\nreps = 8\nhold_s = 5",
            r"parallel_feet_drill' dose.*'sets' must be >= 1",
        ),
        ("[findings.toe_in]", "[findings.toe_inn]", r"unknown finding kind 'toe_inn'"),
        ("schema_version = 1", "schema_version = 2", r"schema_version 2 is not supported"),
        (
            'equipment = ["Pilates ring"]',
            'equipment = "Pilates ring"',
            r"standing_leg_press_ring.*'equipment'",
        ),
    ],
)
def test_malformed_catalogue_names_the_problem(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = _write_variant(tmp_path, old, new)
    with pytest.raises(CatalogueError, match=expected) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)


def test_catalogue_without_wording_for_a_finding_kind(tmp_path: Path) -> None:
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    start = text.index("[findings.balanced]")
    end = text.index("\n[[exercise]]\n")
    path = tmp_path / "exercises.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(CatalogueError, match="no wording for finding kind.*balanced"):
        load_catalogue(path)


def test_catalogue_that_leaves_a_finding_without_exercises(tmp_path: Path) -> None:
    # stance_narrow is addressed by three exercises; retarget all three links to a kind none of them has
    text = CATALOGUE_PATH.read_text(encoding="utf-8").replace(
        'finding = "stance_narrow"', 'finding = "knee_varus"'
    )
    path = tmp_path / "exercises.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="stance_narrow"):
        load_catalogue(path)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    broken = _write_variant(tmp_path, 'id = "rainbow"', 'id = "rainbow')
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(broken)
    with pytest.raises(CatalogueError, match="not found"):
        load_catalogue(tmp_path / "nope.toml")


def test_packaged_catalogue_parses_as_plain_toml() -> None:
    raw = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert len(raw["exercise"]) == len(load_catalogue().exercises)
