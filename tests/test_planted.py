"""Planted feet: standing foot measurements carried through a knee bend while the heels stay put."""

from __future__ import annotations

import math

from analyzer.landmarks import Side
from analyzer.stance import SideMetrics, StanceMetrics
from analyzer.temporal.planted import PlantedFeet
from tests.synthetic import body_points, camera_view


def metrics(t_s: float, left: float, right: float, width: float = 1.0) -> StanceMetrics:
    return StanceMetrics(
        t_s=t_s,
        left=SideMetrics(turnout_deg=left),
        right=SideMetrics(turnout_deg=right),
        stance_width_ratio=width,
        ankle_width_ratio=width,
    )


def pose(t_s: float, heel_half_distance: float = 0.10):
    return camera_view(body_points(heel_half_distance=heel_half_distance), t_s=t_s)[0]


def stand(pf: PlantedFeet, frames: int = 10) -> None:
    # Standing with 10 and 12 deg toe-out, except one wild frame: the reference is a median.
    for i in range(frames):
        left = 40.0 if i == 3 else 10.0
        pf.update(metrics(i / 30, left, 12.0), pose(i / 30), standing=True)


def test_bent_knees_with_feet_in_place_keep_the_standing_values():
    pf = PlantedFeet()
    stand(pf)
    out = pf.update(metrics(1.0, 25.0, 31.0, width=1.3), pose(1.0), standing=False)
    # Same heel pixels as standing: both feet planted, so the standing medians (10, 12, width 1.0) come back.
    assert (out.left.turnout_deg, out.right.turnout_deg) == (10.0, 12.0)
    assert out.stance_width_ratio == 1.0
    assert {"turnout_deg.left", "turnout_deg.right", "stance_width_ratio"} <= out.held


def test_a_foot_that_moved_is_measured_again():
    pf = PlantedFeet()
    stand(pf)
    # Heels 0.15 m further out each (0.75 hip widths of 0.20 m): beyond the 0.5 radius, so measured.
    out = pf.update(metrics(1.0, 25.0, 31.0, width=2.5), pose(1.0, heel_half_distance=0.25), standing=False)
    assert (out.left.turnout_deg, out.right.turnout_deg, out.stance_width_ratio) == (25.0, 31.0, 2.5)
    assert not out.held


def test_standing_frames_and_missing_values_pass_through():
    pf = PlantedFeet()
    # Nothing learned yet: a bent frame is left alone.
    first = pf.update(metrics(0.0, 25.0, 31.0), pose(0.0), standing=False)
    assert first.left.turnout_deg == 25.0 and not first.held
    stand(pf)
    # Standing frames are measured, never held.
    assert pf.update(metrics(1.0, 14.0, 15.0), pose(1.0), standing=True).left.turnout_deg == 14.0
    # A foot hidden in the bend (NaN) is not filled in.
    out = pf.update(metrics(1.1, math.nan, 31.0), pose(1.1), standing=False)
    assert math.isnan(out.left.turnout_deg) and "turnout_deg.left" not in out.held
    assert out.right.turnout_deg == 12.0


def test_a_foot_seen_off_the_floor_loses_its_reference():
    # The left foot is held up for a frame and comes down where it stood, but it may have turned: it is
    # measured again (the right foot, never lifted, keeps its standing value; the width needs both).
    pf = PlantedFeet()
    stand(pf)
    pf.update(metrics(1.0, math.nan, 31.0), pose(1.0), standing=False, lifted=Side.LEFT)
    out = pf.update(metrics(1.1, 2.0, 31.0, width=1.3), pose(1.1), standing=False)
    assert out.left.turnout_deg == 2.0 and "turnout_deg.left" not in out.held
    assert out.right.turnout_deg == 12.0 and "turnout_deg.right" in out.held
    assert out.stance_width_ratio == 1.3 and "stance_width_ratio" not in out.held
    # Standing on both feet again, it learns the new angle and holds that one.
    for i in range(10):
        pf.update(metrics(1.2 + i / 30, 2.0, 12.0), pose(1.2 + i / 30), standing=True)
    out = pf.update(metrics(2.0, 25.0, 31.0), pose(2.0), standing=False)
    assert (out.left.turnout_deg, out.right.turnout_deg) == (2.0, 12.0)
