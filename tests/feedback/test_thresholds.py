"""The thresholds file: sourced values, profiles, override files and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.feedback import ThresholdsError, load_thresholds
from analyzer.feedback.thresholds import THRESHOLDS_PATH


def test_default_values_match_their_sources() -> None:
    t = load_thresholds()
    # 1932 survey: > 15 deg toe-out was a minority; typical walking 5-13 deg
    assert t.turnout.toe_out.mild == 15.0
    # single-leg squat screen: foot deviation > 10 deg fails (PMC3255301)
    assert t.turnout.asymmetry.mild == 10.0
    # Munro et al. 2012: smallest detectable difference of FPPA 7.5-8.9 deg
    assert t.squat.change.mild == 8.0
    # difference of two readings with SE 3.0 deg each: sqrt(2) * 3.0 = 4.24
    assert t.squat.default_uncertainty_deg == pytest.approx(2**0.5 * 3.0, abs=0.05)
    # standard error of a 2D FPPA 2.7-3.0 deg (Munro et al. 2012)
    assert t.knee.default_uncertainty_deg == 3.0
    # default knee band sits between the men's (<= 9) and women's (<= 13) healthy upper bounds
    assert 9.0 <= t.knee.valgus.mild <= 13.0
    # a reading is graded only while its uncertainty stays within one band step (mild -> marked)
    assert t.turnout.max_uncertainty_deg == t.turnout.toe_out.marked - t.turnout.toe_out.mild == 10.0
    assert t.stance.max_uncertainty_ratio == t.stance.wide.marked - t.stance.wide.mild == 0.5


def test_sex_profiles_follow_herrington_and_munro() -> None:
    female, male = load_thresholds(profile="female"), load_thresholds(profile="male")
    assert female.knee.valgus.mild == 13.0  # top of the women's drop-jump range 7-13 deg
    assert male.knee.valgus.mild == 9.0  # top of the men's step-landing range 1-9 deg
    # profiles only override the knee: everything else is inherited from default
    assert female.turnout == male.turnout == load_thresholds().turnout
    assert female.profile == "female"


def test_unknown_profile_lists_the_available_ones() -> None:
    with pytest.raises(ThresholdsError, match=r"unknown profile 'child'.*default.*female.*male"):
        load_thresholds(profile="child")


def _override(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_file_changes_only_what_it_lists(tmp_path: Path) -> None:
    path = _override(
        tmp_path, "[profiles.default.knee]\nvalgus_mild_deg = 12.0\n\n[plan]\nmax_exercises = 3\n"
    )
    t = load_thresholds(path)
    assert t.knee.valgus.mild == 12.0
    assert t.knee.valgus.marked == 16.0  # untouched
    assert t.plan.max_exercises == 3
    assert t.turnout == load_thresholds().turnout
    assert str(path) in t.source


def test_override_can_add_a_profile(tmp_path: Path) -> None:
    path = _override(
        tmp_path, "[profiles.dancer.turnout]\ntoe_out_mild_deg = 30.0\ntoe_out_marked_deg = 45.0\n"
    )
    t = load_thresholds(path, profile="dancer")
    assert (t.turnout.toe_out.mild, t.turnout.toe_out.marked) == (30.0, 45.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[profiles.default.knee]\nvalgus_mild_deg = 20.0\n",
            r"'valgus_mild_deg' \(20.0\) must be below 'valgus_marked_deg'",
        ),
        ("[profiles.default.knee]\nvalgus_mild_dg = 12.0\n", r"\[knee\]: unknown field.*valgus_mild_dg"),
        (
            '[profiles.default.turnout]\ntoe_out_mild_deg = "fifteen"\n',
            r"'toe_out_mild_deg' must be a finite number",
        ),
        (
            "[profiles.default.stance]\nnarrow_mild_ratio = 0.1\n",
            r"narrow_mild_ratio \(0.1\) > narrow_marked_ratio",
        ),
        ("[profiles.default.squat]\nmin_reps = 0\n", r"'min_reps' must be >= 1"),
        ("[profiles.default.arms]\nx = 1\n", r"unknown field.*arms"),
        ("[plan]\nweight_mild = 5.0\n", r"weight_marked > weight_mild"),
        (
            "[profiles.default.turnout]\ntoe_in_mild_deg = -3.0\ntoe_in_marked_deg = 10.0\n",
            r"magnitude and must be >= 0",
        ),
        ("schema_version = 9\n", r"schema_version 9 is not supported"),
        ("[profiles.default.knee\n", r"not valid TOML"),
    ],
)
def test_malformed_override_names_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ThresholdsError, match=expected):
        load_thresholds(_override(tmp_path, text))


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match="not found"):
        load_thresholds(tmp_path / "absent.toml")


def test_every_number_in_the_file_has_a_comment_nearby() -> None:
    # Thresholds must cite a source or say "project choice": every section has comment lines.
    text = THRESHOLDS_PATH.read_text(encoding="utf-8")
    for section in ("turnout", "stance", "knee", "squat"):
        start = text.index(f"[profiles.default.{section}]")
        body = text[start : text.index("\n[", start + 1)]
        assert body.count("#") >= 2, section
    for source in (
        "1932",
        "Herrington & Munro 2010",
        "Munro, Herrington & Carolan 2012",
        "PMC3255301",
        "9:69",
    ):
        assert source in text
