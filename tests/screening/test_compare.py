"""Before / after comparison against the combined +/- (pure; hand-checkable numbers)."""

from __future__ import annotations

import pytest

from analyzer.screening import Measure, Step, Verdict, compare_measure, compare_steps


def deg(key: str, value: float | None, unc: float | None = 3.0, reason: str | None = None) -> Measure:
    return Measure(key, key, "deg", value, unc, reason)


def test_a_change_counts_only_beyond_the_combined_band() -> None:
    # 14 +/- 3 then 9 +/- 4: change -5, combined band sqrt(9 + 16) = 5: not beyond it (needs > 5).
    c = compare_measure(Step.STANDING, deg("t", 14.0, 3.0), deg("t", 9.0, 4.0))
    assert c.delta == pytest.approx(-5.0) and c.detectable == pytest.approx(5.0)
    assert c.verdict is Verdict.WITHIN_ERROR
    c = compare_measure(Step.STANDING, deg("t", 14.0, 3.0), deg("t", 8.9, 4.0))
    assert c.verdict is Verdict.CHANGED


def test_missing_sides_are_not_comparable_and_say_why() -> None:
    c = compare_measure(Step.STANDING, deg("t", None, None, "left foot out of view"), deg("t", 9.0))
    assert c.verdict is Verdict.NOT_COMPARABLE and "before" in c.note and "out of view" in c.note
    c = compare_measure(Step.STANDING, deg("t", 9.0), None)
    assert c.verdict is Verdict.NOT_COMPARABLE and c.note == "no value after: not recorded"
    c = compare_measure(Step.STANDING, deg("t", 9.0, None), deg("t", 1.0))
    assert c.verdict is Verdict.NOT_COMPARABLE and c.delta == pytest.approx(-8.0)


def test_compare_steps_covers_both_screenings_in_protocol_order_without_counts() -> None:
    before = {Step.SQUAT: (deg("a", 1.0),), Step.STANDING: (deg("t", 10.0), Measure("n", "n", "", 3.0))}
    after = {Step.STANDING: (deg("t", 2.0),), Step.WALKING: (deg("w", 5.0),)}
    changes = compare_steps(before, after)
    assert [(c.step, c.key) for c in changes] == [(Step.STANDING, "t"), (Step.WALKING, "w"), (Step.SQUAT, "a")]
    assert changes[0].verdict is Verdict.CHANGED  # -8 against sqrt(18) = 4.24
    assert changes[1].verdict is changes[2].verdict is Verdict.NOT_COMPARABLE
