"""Landmark names, body sides and the per-frame pose value that flows out of the pose adapter.

Coordinate frames used here:

* **image**: ``xy`` normalised to the (upright, rotation-corrected) frame, x to the right, y down, both 0..1.
* **world**: MediaPipe's metric "world" landmarks, metres, origin at the hip centre. They are aligned
  with the camera (x right, y down, z away from the camera), not with gravity: a camera that looks down
  at a standing person sees the feet "behind" the hips in this frame.

Left and right are always the subject's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum

import numpy as np

N_LANDMARKS = 33


class Landmark(IntEnum):
    """The 33 MediaPipe pose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class Side(str, Enum):
    """A body side, the subject's own."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT

    @property
    def sign(self) -> float:
        """+1 for the left side, -1 for the right (the floor frame's x axis points to the subject's left)."""
        return 1.0 if self is Side.LEFT else -1.0


@dataclass(frozen=True)
class LegLandmarks:
    """The landmark indices of one leg."""

    shoulder: Landmark
    hip: Landmark
    knee: Landmark
    ankle: Landmark
    heel: Landmark
    toe: Landmark


LEG = {
    Side.LEFT: LegLandmarks(
        Landmark.LEFT_SHOULDER,
        Landmark.LEFT_HIP,
        Landmark.LEFT_KNEE,
        Landmark.LEFT_ANKLE,
        Landmark.LEFT_HEEL,
        Landmark.LEFT_FOOT_INDEX,
    ),
    Side.RIGHT: LegLandmarks(
        Landmark.RIGHT_SHOULDER,
        Landmark.RIGHT_HIP,
        Landmark.RIGHT_KNEE,
        Landmark.RIGHT_ANKLE,
        Landmark.RIGHT_HEEL,
        Landmark.RIGHT_FOOT_INDEX,
    ),
}

LEG_LANDMARKS = (
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE,
    Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL,
    Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_FOOT_INDEX,
)

# Skeleton edges drawn by the annotator (pairs of landmarks).
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)


@dataclass(frozen=True)
class PoseFrame:
    """One person's 33 landmarks in one frame.

    Attributes:
        image_xy: (33, 2) float, image coordinates normalised to 0..1 (x right, y down) of the upright frame.
        world_xyz: (33, 3) float, metres, MediaPipe world frame (origin hip centre, y down; axes along the
            line of sight to the person as the model gives them, the camera's once ``camera_aligned``).
        visibility: (33,) float 0..1, the model's belief that the point is visible (not occluded).
        presence: (33,) float 0..1, the model's belief that the point is inside the frame.
        t_s: timestamp of the frame in seconds from the start of the stream.
        size_wh: (width, height) of the frame in pixels, after rotation correction.
        flip_averaged: the landmarks are the mean of the model's reading of the frame and of its mirror
            image (see :func:`flip_mean`), so the model's own left/right asymmetries cancel.
        camera_aligned: ``world_xyz`` has been turned from the model's frame, which follows the line of
            sight to the person, into the camera's axes
            (:func:`analyzer.geometry.camera.camera_aligned`).
    """

    image_xy: np.ndarray
    world_xyz: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    t_s: float
    size_wh: tuple[int, int]
    flip_averaged: bool = False
    camera_aligned: bool = False

    def __post_init__(self) -> None:
        checks = (
            ("image_xy", self.image_xy, (N_LANDMARKS, 2)),
            ("world_xyz", self.world_xyz, (N_LANDMARKS, 3)),
            ("visibility", self.visibility, (N_LANDMARKS,)),
            ("presence", self.presence, (N_LANDMARKS,)),
        )
        for name, arr, shape in checks:
            if not isinstance(arr, np.ndarray) or arr.shape != shape:
                got = getattr(arr, "shape", type(arr).__name__)
                raise ValueError(f"PoseFrame.{name} must be an array of shape {shape}, got {got}")
        w, h = self.size_wh
        if w <= 0 or h <= 0:
            raise ValueError(f"PoseFrame.size_wh must be positive, got {self.size_wh}")
        if not np.isfinite(self.t_s):
            raise ValueError("PoseFrame.t_s must be finite")

    @property
    def pixels_xy(self) -> np.ndarray:
        """(33, 2) image coordinates in pixels."""
        return self.image_xy * np.asarray(self.size_wh, dtype=float)

    def confidence(self, lm: Landmark) -> float:
        """min(visibility, presence) of one landmark."""
        return float(min(self.visibility[lm], self.presence[lm]))


def _mirror_index() -> np.ndarray:
    idx = np.arange(N_LANDMARKS)
    for lm in Landmark:
        twin = lm.name.replace("LEFT", "<").replace("RIGHT", "LEFT").replace("<", "RIGHT")
        idx[lm] = Landmark[twin]
    return idx


MIRROR_INDEX = _mirror_index()  # landmark i of a person is landmark MIRROR_INDEX[i] of their mirror image


def unmirror(p: PoseFrame) -> PoseFrame:
    """A pose read on the left-right mirrored frame, expressed in the original frame.

    In the mirror image the subject's left leg looks like a right leg, so the names swap, x flips
    in the image (x -> 1 - x) and in the world frame (x -> -x; the mirror image's line of sight is the mirror of the frame's).
    """
    xy = p.image_xy[MIRROR_INDEX].copy()
    xy[:, 0] = 1.0 - xy[:, 0]
    world = p.world_xyz[MIRROR_INDEX].copy()
    world[:, 0] = -world[:, 0]
    return replace(p, image_xy=xy, world_xyz=world, visibility=p.visibility[MIRROR_INDEX].copy(),
                   presence=p.presence[MIRROR_INDEX].copy())


def flip_mean(p: PoseFrame, mirrored: PoseFrame) -> PoseFrame:
    """The mean of a pose and the pose read on the mirrored frame (``mirrored`` as the model gave it).

    Test-time flip averaging, a standard trick of pose estimation: the two readings make partly
    independent errors, and the model's left/right-asymmetric errors (such as a hip line turned by about
    3 deg in the body's frame) cancel exactly, with no fitted correction. On the synthetic holdout it
    cut the turnout error from 4.7 to 4.2 deg (python -m benchmarks.accuracy --split holdout [--no-flip]).
    """
    return mean_reading(p, unmirror(mirrored))


def mean_reading(p: PoseFrame, m: PoseFrame) -> PoseFrame:
    """The mean of two readings of one picture that name the body's sides alike (see :func:`sides_crossed`):
    a reading and its mirror image's (unmirrored)."""
    return replace(
        p,
        image_xy=0.5 * (p.image_xy + m.image_xy),
        world_xyz=0.5 * (p.world_xyz + m.world_xyz),
        visibility=0.5 * (p.visibility + m.visibility),
        presence=0.5 * (p.presence + m.presence),
        flip_averaged=True,
    )


# The model sometimes takes a person facing the camera for one seen from behind, or the reverse: it then
# names the left side right. On the real balance clip's front camera a frame and its mirror image had his
# hips the other way round in the picture on 12 of 100 frames, and averaging the two readings (flip_mean)
# mixed a left leg with a right one. In one picture the shoulders and hips stay where they are, so such a
# reading shows as their left and right fitting the other reading crossed over (4 of those 12 frames pass
# the test below; on the rest the sides were too close to tell). It is only looked for while the two sides
# stand apart in the picture: at least SIDES_APART_TORSO of the torso length on average (shoulders and
# hips are about 0.7 and 0.4 of it apart seen from the front; from the side they overlap), and taken
# when the crossed fit is at most SIDES_CROSSED_SHARE of the straight one.
SIDES_APART_TORSO = 0.25
SIDES_CROSSED_SHARE = 0.5
TRUNK_PAIRS = ((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP))


def sides_apart(p: PoseFrame) -> bool:
    """Whether the left and right shoulders and hips stand apart in the picture (SIDES_APART_TORSO): the body
    is not seen from the side, and which side is which can be told from where they are."""
    px = p.pixels_xy
    hips = 0.5 * (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP])
    torso = float(np.linalg.norm(0.5 * (px[Landmark.LEFT_SHOULDER] + px[Landmark.RIGHT_SHOULDER]) - hips))
    apart = float(np.mean([np.linalg.norm(px[left] - px[right]) for left, right in TRUNK_PAIRS]))
    return torso > 0 and apart >= SIDES_APART_TORSO * torso


def sides_crossed(p: PoseFrame, ref: PoseFrame) -> bool:
    """Whether ``p`` names the body's sides the other way round from ``ref``, another reading of the same
    person in the same picture: its shoulders and hips fit ref's far better crossed over (see
    SIDES_CROSSED_SHARE). False when ref's sides overlap in the picture (:func:`sides_apart`)."""
    if not sides_apart(ref):
        return False
    a, b = p.pixels_xy, ref.pixels_xy
    straight = sum(float(np.linalg.norm(a[left] - b[left]) + np.linalg.norm(a[right] - b[right])) for left, right in TRUNK_PAIRS)
    crossed = sum(float(np.linalg.norm(a[left] - b[right]) + np.linalg.norm(a[right] - b[left])) for left, right in TRUNK_PAIRS)
    return crossed <= SIDES_CROSSED_SHARE * straight


@dataclass(frozen=True)
class PoseDetection:
    """What the pose adapter saw in one frame: every person, and which one is followed.

    ``main`` is an index into ``people`` (None when nobody was found). ``mask``: the followed person's
    segmentation mask when it was asked for, (H, W) float32, the person's probability per pixel of the frame.
    """

    people: tuple[PoseFrame, ...] = field(default_factory=tuple)
    main: int | None = None
    t_s: float = 0.0
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.main is not None and not 0 <= self.main < len(self.people):
            raise ValueError(f"PoseDetection.main={self.main} out of range for {len(self.people)} people")
        if self.mask is not None and (self.main is None or self.mask.shape != self.people[self.main].size_wh[::-1]):
            raise ValueError("PoseDetection.mask must be (H, W) of the followed person's frame")

    @property
    def pose(self) -> PoseFrame | None:
        return None if self.main is None else self.people[self.main]
