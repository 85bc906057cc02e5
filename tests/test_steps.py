"""Walking footprints and steps on made-up walks with known step width and length."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.landmarks import Side
from analyzer.temporal.steps import footprints, is_walking, steps, travel_turn_deg, walking_steps_only

UP = np.array([0.0, 1.0, 0.0])
HIP = 0.2


def made_up_walk(step_len=0.6, half_width=0.06, steps_n=6, fps=50, turnout=(8.0, 12.0)):
    """A walk along +z: feet alternate, each planted 0.4 s then swinging 0.4 s to 2 step lengths ahead.

    Heels at x = +/-half_width, so the step width is 2*half_width = 0.12 m = 0.6 hip widths, and each step
    lands one step length ahead of the other foot: step length 0.6 m = 3 hip widths.
    """
    period = 0.8
    t = np.arange(0, steps_n * period / 2 + period, 1 / fps)
    heels = np.zeros((len(t), 2, 3))
    speed = np.zeros((len(t), 2))
    for k, (x, phase) in enumerate(((half_width, 0.0), (-half_width, period / 2))):
        for i, ti in enumerate(t):
            cycle, frac = divmod(ti + phase, period)
            planted = frac < period / 2
            z = 2 * step_len * cycle + (0 if planted else 2 * step_len * (frac - period / 2) / (period / 2))
            heels[i, k] = (x, 0.0, z - (step_len if k == 1 else 0.0))
            speed[i, k] = 0.0 if planted else 2.0
    turn = np.tile(np.array(turnout, dtype=float), (len(t), 1))
    return t, heels, turn, speed


def test_footprints_alternate_and_carry_turnout():
    t, heels, turn, speed = made_up_walk()
    prints = footprints(t, heels, turn, speed)
    sides = [p.side for p in prints]
    assert len(prints) >= 6
    assert all(a is not b for a, b in zip(sides, sides[1:], strict=False))  # strictly alternating
    assert {p.turnout_deg for p in prints if p.side is Side.LEFT} == {8.0}
    assert {p.turnout_deg for p in prints if p.side is Side.RIGHT} == {12.0}
    assert is_walking(prints, UP, HIP)


def test_step_width_and_length():
    t, heels, turn, speed = made_up_walk()
    result = steps(footprints(t, heels, turn, speed), UP, HIP)
    measured = [s for s in result if math.isfinite(s.width_ratio)]
    assert len(measured) >= 3
    for s in measured:
        assert s.width_ratio == pytest.approx(0.12 / HIP, abs=1e-6)  # 0.6 hip widths, see made_up_walk
        assert s.length_ratio == pytest.approx(0.6 / HIP, abs=1e-6)  # 3 hip widths


def test_unsupported_view_gives_no_width():
    t, heels, turn, speed = made_up_walk()
    turn[:] = np.nan  # e.g. a side view: no turnout, so no floor geometry either
    result = steps(footprints(t, heels, turn, speed), UP, HIP)
    assert result and all(math.isnan(s.width_ratio) for s in result)


def test_standing_still_is_not_walking():
    t = np.arange(0, 3, 0.02)
    heels = np.zeros((len(t), 2, 3))
    heels[:, 0, 0], heels[:, 1, 0] = 0.1, -0.1
    prints = footprints(t, heels, np.full((len(t), 2), 5.0), np.zeros((len(t), 2)))
    assert len(prints) == 2  # one long stance per foot
    assert not is_walking(prints, UP, HIP)


def _moved(heels: np.ndarray, across: bool, depth: float = 4.0) -> np.ndarray:
    """The made-up walk placed in a camera's frame (camera at the origin, looking along +z): walked away
    from the camera starting ``depth`` ahead of it, or across its view at that depth (along +x)."""
    out = heels.copy()
    if across:
        mid = 0.5 * (heels[..., 2].min() + heels[..., 2].max())
        out[..., 0], out[..., 2] = heels[..., 2] - mid, depth + heels[..., 0]  # centred in the view
    else:
        out[..., 2] = heels[..., 2] + depth
    return out


def test_a_walk_across_the_view_has_no_step_foot_angles():
    t, heels, turn, speed = made_up_walk()
    away = footprints(t, _moved(heels, across=False), turn, speed)
    kept, dropped = walking_steps_only(away, UP, HIP)
    assert dropped == 0 and [p.turnout_deg for p in kept] == [p.turnout_deg for p in away]
    assert all(travel_turn_deg(away, i, UP) < 15 for i in range(len(away)))  # the ends: one step, partly sideways

    across = footprints(t, _moved(heels, across=True, depth=8.0), turn, speed)
    assert all(travel_turn_deg(across, i, UP) > 60 for i in range(len(across)))  # the walk (5.3 m) stays within 18 deg of the axis
    kept, dropped = walking_steps_only(across, UP, HIP)
    assert dropped == len(across) and all(math.isnan(p.turnout_deg) for p in kept)
    assert all(math.isnan(s.width_ratio) for s in steps(kept, UP, HIP))


def test_turning_round_on_the_spot_has_no_step_foot_angles():
    t, heels, turn, speed = made_up_walk()
    heels = _moved(heels, across=False)
    heels[..., 2] = 4.0 + 0.2 * (heels[..., 2] - 4.0) / heels[..., 2].max()  # feet hardly travel: under 1 hip width
    prints = footprints(t, heels, turn, speed)
    kept, dropped = walking_steps_only(prints, UP, HIP)
    assert dropped == len(prints) and all(math.isnan(p.turnout_deg) for p in kept)
