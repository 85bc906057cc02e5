"""Which way round the pose model named the body's sides, decided over a whole clip (files only).

The model sometimes takes a person facing the camera for one seen from behind, or the reverse, for a run
of frames: it then names the left leg right and puts the body's front on the far side. Nothing in one
picture says which reading is right (the flip check of ``pose`` catches only a frame whose mirror image
disagrees), but a body cannot turn round between two frames: on the real clips no facing angle moved
faster than about 700 deg/s through a genuine turn (a walker pivoting at the end of a walkway, 50 fps),
while the model's turn-rounds on the balance clip's front camera were 2000-11000 deg/s jumps.

So a clip is cut into stretches at the genuine turns (the facing crosses the side view no faster than
TURN_MAX_DEG_S) and wherever the followed body jumps in the picture (another person, or a cut); within
a stretch the body faces one way, the way most of its clearly front- or back-facing frames say, and the
frames that say the other are read the other way round (:func:`turned_round`). A stretch with no clear
majority is left as read.

The decision uses the model's own frame; the turning round needs the floor, so it is done on the
camera-aligned pose, with the floor pooled over the frames read the right way (analyzer.pipeline).

Facing here is the model's own, against its line of sight to the person (its world frame, before
``geometry.camera.camera_aligned``): 0 facing the camera, +90 the left side towards it, 180 the back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from analyzer.landmarks import MIRROR_INDEX, Landmark, PoseFrame

# A facing that crosses the side view (90 deg) slower than this is the body turning; faster, the model.
TURN_MAX_DEG_S = 1000.0
# Frames count (and may be turned round) only when clearly facing the camera or turned away from it:
# |cos(facing)| at least this (within 60 deg of the line of sight), not near a side view.
CLEAR_FACING_COS = 0.5
# The followed body moved by more than this share of its legs' length in the picture between two
# readings: a new stretch (another person, or a cut in the video).
BODY_JUMP_LEGS = 0.5
# A stretch's majority must hold at least this share of its clear frames for the rest to be turned.
MAJORITY_SHARE = 0.6


def facing_deg(pose: PoseFrame) -> float:
    """The body's facing in the model's frame (see the module docstring), from the shoulders and hips;
    NaN when they give no direction. ``pose`` as the model gave it (not camera-aligned)."""
    if pose.camera_aligned:
        raise ValueError("facing_deg needs the model's own frame, not a camera-aligned pose")
    w = pose.world_xyz
    left = w[Landmark.LEFT_HIP] - w[Landmark.RIGHT_HIP] + w[Landmark.LEFT_SHOULDER] - w[Landmark.RIGHT_SHOULDER]
    up = 0.5 * (w[Landmark.LEFT_SHOULDER] + w[Landmark.RIGHT_SHOULDER] - w[Landmark.LEFT_HIP] - w[Landmark.RIGHT_HIP])
    n = float(np.linalg.norm(up))
    if not n > 1e-9:
        return math.nan
    up = up / n
    left = left - float(left @ up) * up
    forward = np.cross(left, up)
    to_camera = np.array([0.0, 0.0, -1.0])  # the model's z points away from the camera
    if not float(np.linalg.norm(forward)) > 1e-9:
        return math.nan
    return math.degrees(math.atan2(float(left @ to_camera), float(forward @ to_camera)))


def turned_round(pose: PoseFrame, up: np.ndarray, sight: np.ndarray) -> PoseFrame:
    """The other reading of the same picture: the body facing the other way round its own vertical.

    The landmarks stay where they are in the picture but change names (left <-> right), and the 3D body
    is mirrored through the vertical plane across the line of sight, through the hip centre (the world
    frame's origin): depth along the horizontal part of the line of sight changes sign, height and
    the across direction stay. That turns a body seen from behind into one facing the camera and keeps
    it a body (the two mirrorings cancel) standing on the same floor, leaning as it leaned: a mirror
    across the line of sight alone would tip it back by twice the camera's tilt. ``up`` (the floor's
    normal) and ``sight`` (towards the person) are in the pose's world frame. Facing f becomes 180 - f.
    """
    u = up / np.linalg.norm(up)
    n = sight - float(sight @ u) * u
    norm = float(np.linalg.norm(n))
    if not norm > 1e-9:
        raise ValueError("turned_round needs a line of sight that is not vertical")
    n = n / norm
    world = pose.world_xyz[MIRROR_INDEX].copy()
    world -= 2.0 * np.outer(world @ n, n)
    return replace(
        pose,
        image_xy=pose.image_xy[MIRROR_INDEX].copy(),
        world_xyz=world,
        visibility=pose.visibility[MIRROR_INDEX].copy(),
        presence=pose.presence[MIRROR_INDEX].copy(),
    )


def _centre_and_legs(pose: PoseFrame) -> tuple[np.ndarray, float]:
    """Where the body is in the picture (pixels; the hips' and ankles' centre, whatever their names) and
    its legs' length there."""
    px = pose.pixels_xy
    hips = 0.5 * (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP])
    ankles = 0.5 * (px[Landmark.LEFT_ANKLE] + px[Landmark.RIGHT_ANKLE])
    return 0.5 * (hips + ankles), float(np.linalg.norm(hips - ankles))


def _angle_step(a: float, b: float) -> float:
    return abs((b - a + 180.0) % 360.0 - 180.0)


def stretches(poses: Sequence[PoseFrame | None], facing: Sequence[float]) -> list[list[int]]:
    """The clip cut where the body genuinely turns past a side view or jumps in the picture: lists of
    indices into ``poses`` (frames without a pose or a facing belong to none)."""
    out: list[list[int]] = []
    prev: int | None = None
    for i, (p, f) in enumerate(zip(poses, facing, strict=True)):
        if p is None or not math.isfinite(f):
            continue
        new = prev is None
        if prev is not None:
            q = poses[prev]
            assert q is not None
            dt = p.t_s - q.t_s
            crossed = (math.cos(math.radians(f)) >= 0) != (math.cos(math.radians(facing[prev])) >= 0)
            slow = dt > 0 and _angle_step(facing[prev], f) / dt <= TURN_MAX_DEG_S
            (c0, legs0), (c1, legs1) = _centre_and_legs(q), _centre_and_legs(p)
            legs = max(legs0, legs1)
            jumped = not (legs > 0 and float(np.linalg.norm(c1 - c0)) <= BODY_JUMP_LEGS * legs)
            new = (crossed and slow) or jumped
        if new:
            out.append([])
        out[-1].append(i)
        prev = i
    return out


def misread(poses: Sequence[PoseFrame | None]) -> list[bool]:
    """Per frame, whether the model read the body facing the other way from the rest of its stretch
    (see the module docstring); such frames are meant to be taken :func:`turned_round`."""
    facing = [facing_deg(p) if p is not None else math.nan for p in poses]
    out = [False] * len(poses)
    for stretch in stretches(poses, facing):
        cos = np.array([math.cos(math.radians(facing[i])) for i in stretch])
        front, back = int(np.sum(cos >= CLEAR_FACING_COS)), int(np.sum(cos <= -CLEAR_FACING_COS))
        if front + back == 0 or max(front, back) < MAJORITY_SHARE * (front + back):
            continue
        wrong = cos <= -CLEAR_FACING_COS if front > back else cos >= CLEAR_FACING_COS
        for i, w in zip(stretch, wrong, strict=True):
            out[i] = bool(w)
    return out
