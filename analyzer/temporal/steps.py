"""Walking: footprints (one per stance phase of a foot), per-step toe-out, step width and length.

Works on plain arrays so it can be tested with made-up walks:

* ``heels``: (N, 2, 3) floor positions of the left and right heel per frame (any fixed floor-aligned
  frame, metres or MediaPipe units; NaN where unknown), ``up`` the floor normal in that frame;
* ``turnout``: (N, 2) per-frame turnout of the left and right foot (NaN where unknown);
* ``heel_speed``: (N, 2) image speed of each heel in body heights per second (a planted heel stands still
  in the picture from any view, while its floor position is only as good as the depth estimate).

A foot is in stance while its heel stays put: image speed below ``max_speed`` body heights per second for
at least ``min_stance_s``. Each stance phase is one footprint; consecutive footprints of opposite feet
give the step width (perpendicular to the direction of travel) and step length (along it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from analyzer.landmarks import Side

STANCE_MAX_SPEED = 0.3  # body heights per second in the image: a planted heel moves less (jitter included)
STANCE_MIN_S = 0.12
MIN_TRAVEL_HIP_WIDTHS = 4.0  # the body must travel this far for the clip to count as walking
# A footprint is a walking step when the footprints on either side of it lie at least this far apart
# (walking steps are 2.5-3.5 hip widths long, so these are 5-7 apart; turning round on the spot, under 1).
STEP_MIN_TRAVEL_HIP_WIDTHS = 1.0
# A step's foot angle is reported for walks up to this far across the camera's view (0 = towards or away
# from it): the turn the accuracy benchmark reaches (its 45 deg oblique camera, 4.7 deg MAE on photos);
# past it the error is not measured, and the foot is seen more and more side-on.
STEP_MAX_TRAVEL_TURN_DEG = 45.0


@dataclass(frozen=True)
class Footprint:
    """One stance phase of one foot: where (floor position), when, and the foot's median turnout."""

    side: Side
    start_s: float
    end_s: float
    position: np.ndarray  # (3,) median heel position over the phase
    turnout_deg: float

    @property
    def t_s(self) -> float:
        return 0.5 * (self.start_s + self.end_s)


@dataclass(frozen=True)
class Step:
    """A footprint with its step width and length to the previous footprint of the other foot (/ hip width)."""

    index: int
    footprint: Footprint
    width_ratio: float
    length_ratio: float


def _nanmedian(a: np.ndarray) -> float:
    a = a[np.isfinite(a)]
    return float(np.median(a)) if len(a) else math.nan


def footprints(
    t_s: np.ndarray,
    heels: np.ndarray,
    turnout: np.ndarray,
    heel_speed: np.ndarray,
    max_speed: float = STANCE_MAX_SPEED,
    min_stance_s: float = STANCE_MIN_S,
) -> list[Footprint]:
    """Stance phases of both feet, in time order."""
    t = np.asarray(t_s, dtype=float)
    out: list[Footprint] = []
    if len(t) < 3:
        return out
    for k, side in enumerate(Side):
        pos = heels[:, k, :]
        speed = heel_speed[:, k]
        planted = np.isfinite(speed) & (speed <= max_speed)
        start = None
        for i in range(len(t) + 1):
            on = i < len(t) and planted[i]
            if on and start is None:
                start = i
            elif not on and start is not None:
                end = i - 1
                if t[end] - t[start] >= min_stance_s:
                    seg = slice(start, end + 1)
                    position = np.array([_nanmedian(pos[seg, j]) for j in range(3)])
                    out.append(Footprint(side, float(t[start]), float(t[end]), position, _nanmedian(turnout[seg, k])))
                start = None
    return sorted(out, key=lambda f: f.start_s)


def travel_direction(prints: list[Footprint], up: np.ndarray) -> np.ndarray | None:
    """Unit direction of travel on the floor: first to last footprint (None if they do not move)."""
    if len(prints) < 2:
        return None
    d = prints[-1].position - prints[0].position
    d = d - (d @ up) * up
    n = float(np.linalg.norm(d))
    return d / n if n > 1e-9 else None


def _travel(prints: list[Footprint], i: int, up: np.ndarray) -> np.ndarray:
    """The floor line from the footprint before footprint ``i`` to the one after it (NaN if unknown)."""
    d = prints[min(i + 1, len(prints) - 1)].position - prints[max(i - 1, 0)].position
    return d - (d @ up) * up


def travel_turn_deg(prints: list[Footprint], i: int, up: np.ndarray) -> float:
    """How far the walker is turned from the camera's axis at footprint ``i`` (0 = walking towards or
    away from the camera, 90 = across its view), read from the walk itself: the floor line from the
    footprint before to the one after, against the line of sight to this one. Positions must be in the
    camera's frame (camera at the origin). NaN when unknown (a position missing, or no travel at all).
    """
    return _turn_deg(_travel(prints, i, up), prints[i].position, up)


def _turn_deg(travel: np.ndarray, position: np.ndarray, up: np.ndarray) -> float:
    """The angle (0..90) between a floor line of travel and the line of sight to ``position``."""
    sight = position - (position @ up) * up
    nd, ns = float(np.linalg.norm(travel)), float(np.linalg.norm(sight))
    if not (math.isfinite(nd) and math.isfinite(ns)) or nd < 1e-9 or ns < 1e-9:
        return math.nan
    return math.degrees(math.acos(min(1.0, abs(float(travel @ sight)) / (nd * ns))))


def walking_steps_only(prints: list[Footprint], up: np.ndarray, hip_width: float) -> tuple[list[Footprint], int]:
    """The footprints with the turnout withheld where the walk itself says it is no walking step's foot
    angle seen from a view that supports it: walking across the camera's view (travel turned past
    ``STEP_MAX_TRAVEL_TURN_DEG`` from its axis) or not walking there
    (the footprints either side under ``STEP_MIN_TRAVEL_HIP_WIDTHS`` apart: turning round on the spot).
    Each frame's own view class comes from the body's facing angle, which under-reads a side view: on
    the real clip of a woman walking to and fro across the view (walking/sagittal_gym.mp4) some frames
    read 54-59 deg and gave a step a turnout of 57 deg; the walk's own line said 49 deg there. Where a position is
    unknown the footprint is kept as it is. Returns the footprints and how many lost their turnout.
    """
    out, dropped = [], 0
    for i, fp in enumerate(prints):
        d = _travel(prints, i, up)
        travel, turn = float(np.linalg.norm(d)), _turn_deg(d, fp.position, up)
        across = math.isfinite(turn) and turn > STEP_MAX_TRAVEL_TURN_DEG
        on_the_spot = math.isfinite(travel) and travel < STEP_MIN_TRAVEL_HIP_WIDTHS * hip_width
        if math.isfinite(fp.turnout_deg) and (across or on_the_spot):
            out.append(replace(fp, turnout_deg=math.nan))
            dropped += 1
        else:
            out.append(fp)
    return out, dropped


def steps(prints: list[Footprint], up: np.ndarray, hip_width: float) -> list[Step]:
    """Each footprint with step width/length to the previous footprint of the other foot.

    Only where both footprints were seen from a view that supports floor measurements (their turnout is
    known) and the foot landed ahead of the other one; NaN otherwise. The direction of travel is taken locally (over the previous same-side footprint to this one) so a walk
    that turns is handled; width is the distance perpendicular to it, length along it.
    """
    out: list[Step] = []
    for i, fp in enumerate(prints):
        width = length = math.nan
        prev_other = next((p for p in reversed(prints[:i]) if p.side is not fp.side), None)
        prev_same = next((p for p in reversed(prints[:i]) if p.side is fp.side), None)
        supported = prev_other is not None and math.isfinite(prev_other.turnout_deg) and math.isfinite(fp.turnout_deg)
        if supported and prev_other is not None and prev_same is not None and hip_width > 0:
            d = fp.position - prev_same.position
            d = d - (d @ up) * up
            n = float(np.linalg.norm(d))
            if n > 0.5 * hip_width:  # the foot really moved forward between its two prints
                direction = d / n
                v = fp.position - prev_other.position
                v = v - (v @ up) * up
                along = float(v @ direction) / hip_width
                if along > 0:  # a real step forward past the other foot
                    length = along
                    width = float(np.linalg.norm(v - (v @ direction) * direction)) / hip_width
        out.append(Step(i + 1, fp, width, length))
    return out


def is_walking(prints: list[Footprint], up: np.ndarray, hip_width: float) -> bool:
    """At least three footprints alternating between the feet, and real travel over the floor."""
    if len(prints) < 3 or not hip_width > 0:
        return False
    alternations = sum(1 for a, b in zip(prints, prints[1:], strict=False) if a.side is not b.side)
    positions = np.stack([p.position for p in prints])
    positions = positions[np.all(np.isfinite(positions), axis=1)]
    if len(positions) < 2:
        return False
    horiz = positions - np.outer(positions @ up, up)
    extent = float(np.max(np.linalg.norm(horiz - horiz[0], axis=1)))
    return alternations >= 2 and extent >= MIN_TRAVEL_HIP_WIDTHS * hip_width
