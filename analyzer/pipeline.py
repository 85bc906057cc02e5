"""Wiring: files (``analyze_video``, ``analyze_image``, ``analyze_file``) and live frames (``LiveSession``).

This is the Python API behind the command line and the app. It returns the same results the CLI writes,
without touching the disk unless asked (``Analysis.write``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer import __version__
from analyzer.annotate import FootOverlay, Overlay, annotate, annotate_photo, mirrored
from analyzer.errors import InputError
from analyzer.geometry.camera import (
    Intrinsics,
    Scene,
    both_knees_flexion_deg,
    camera_aligned,
    estimate_scene,
    hip_sight,
    hips_above_axis_deg,
    is_upright,
    lifted_foot,
)
from analyzer.geometry.floor import MAX_STANDING_FLEXION_DEG, STANDING_MARGIN_DEG, FloorTracker
from analyzer.geometry.metrics import (
    LIFTED_FOOT_REASON,
    FloorGeometry,
    MetricsConfig,
    floor_geometry,
    foot_direction,
    hip_rise,
    hip_width_units,
    measure,
    outline_agrees,
    stature_units,
    upper_body_turn_deg,
)
from analyzer.geometry.silhouette import SilhouetteFit, fit_outline
from analyzer.landmarks import Landmark, PoseDetection, PoseFrame, Side
from analyzer.pose import PoseEstimator
from analyzer.sinks import H264Writer, OrderedWorker, jpeg_bytes
from analyzer.sources import Frame, Lens, SourceInfo, VideoFileSource, is_image_path, prefetch, read_image
from analyzer.stance import SideMetrics, StanceMetrics, View
from analyzer.temporal.events import body_height_px, find_reps, leg_speed, still_windows
from analyzer.temporal.filters import OneEuroFilter, RunningMedian, centred_median
from analyzer.temporal.planted import PlantedFeet
from analyzer.temporal.sides import misread, turned_round
from analyzer.temporal.steps import footprints, is_walking, steps, walking_steps_only
from analyzer.temporal.summary import (
    METHOD_ERROR,
    MIN_VIDEO_READINGS,
    dominant_view,
    foot_pixels,
    frames_in,
    metric_block,
    nanmedian,
    rep_entries,
    smooth_at,
    smoothing_complete,
    stat,
    view_segments,
)

SCHEMA_VERSION = 1
# Hips this far above the picture's centre (a low camera aimed level, or one tilted up) get a warning: the
# model's 3D pose follows the line of sight up-down, so the floor's tilt and with it the turnout read off.
# Rendered stills with the hips 6 deg above the centre read each foot's turnout 1.6 (train) / 0.3 (holdout)
# deg further toe-in than level on average, by more than 3 deg for 28 / 13 % of the feet and 5.1 / 3.2 at the
# 10th percentile (field-of-view prior); the rendered clips 5.6 deg MAE instead of 3.0 (README, "Off-centre";
# geometry.camera.RAY_FOLLOW_UP_DOWN). Measured through the field-of-view prior, the room stills turned 6 deg
# up read their hips 6.2 (train) / 5.1 (holdout) deg above the centre (median), level 1.0 / 1.7: 4 deg warns
# 58 / 81 % of the former (39 / 10 % more get the camera-low warning, which comes first) and 1 / 2 % of the
# latter.
FRAMED_HIGH_DEG = 4.0
# Standing frames needed before the hips' drop is judged against them (the deep-squat gate of the knee angle).
MIN_STANDING_FRAMES = 5
# A video's still stretches get the photos' outline fit (geometry.silhouette) on this many of their frames,
# spread evenly, not on every frame: a fit takes a second or so. Per frame of the rendered clips (VIDEO-mode
# landmarks, each frame's mask from one IMAGE-mode reading) the fit averaged in took the turnout from
# 2.30 to 1.78 deg MAE (README, "Over time").
OUTLINE_VIDEO_FRAMES = 5

ProgressFn = Callable[[int, int], None]


# The fields of view (deg, across the width) an analysis takes, given or from the file's metadata.
HFOV_RANGE_DEG = (10.0, 170.0)


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of one analysis.

    model: "full" (default) or "heavy". model_path: explicit .task file or folder (else ANALYZER_MODEL_DIR, cache).
    body_height_cm: the subject's height, gives centimetres. hfov_deg: the camera's horizontal field of view
    if known (else the lens the file's metadata states, else a prior: see with_lens). max_long_side: frames are scaled down to this long side before analysis.
    annotate: write the annotated video.
    flip_average: read each frame and its mirror image and average the two (see PoseEstimator). On by
    default for files: on the rendered clips it cut the turnout error of the sweeps (laptop 3.9 / 4.15 ->
    3.0 / 2.5 deg, 30 deg oblique 7.7 / 5.0 -> 4.4 / 3.5), for a third of the speed (720p with the
    video: 30 instead of 45 fps on 2 cores).
    Live streams always read once (latency).
    silhouette: also fit each foot to the person's outline and average that turnout in
    (analyzer.geometry.silhouette; MetricsConfig.silhouette_share): for a photo, on the photo; for a video,
    on OUTLINE_VIDEO_FRAMES frames of its still stretches (a fit takes a second or so, too slow for every frame),
    whose median moves the still stretch's turnout (with_outline; the stance width stays the landmarks'
    there: on the rendered clips the fitted heels read it worse, 0.08 -> 0.10 hip widths). The live camera
    does only for the guided check's result, on 3 frames of its captured window (ui.live_stream). On by default. Photos: on the synthetic holdout it takes the turnout error from 3.71 to
    2.93 deg (and, from the fitted heels, the stance width from 0.10 to 0.08 hip widths, 2.07 to 1.53 cm);
    on the stills rendered with room around the body 4.23 -> 3.23 deg, through lenses neither split has
    4.10 -> 4.05. Videos: the holdout stills filmed for 1.5 s (benchmarks.accuracy --as-video) 3.99 ->
    3.14 deg. Asymmetric pairs read in the wrong order: photos 1 of 20 both ways, filmed 2 of 22 -> 1.
    (Session-24 figures, the shoe drawn at silhouette.SHOE_TOP.) The price: under 1 s a photo, 7-13 s a
    video with a still stretch. False reads the landmarks alone (README, accuracy).
    """

    model: str = "full"
    model_path: str | Path | None = None
    body_height_cm: float | None = None
    hfov_deg: float | None = None
    max_long_side: int = 1280
    annotate: bool = True
    flip_average: bool = True
    silhouette: bool = True

    def __post_init__(self) -> None:
        if self.model not in ("full", "heavy"):
            raise ValueError(f"model must be 'full' or 'heavy', got {self.model!r}")
        if self.body_height_cm is not None and not 80 <= self.body_height_cm <= 250:
            raise ValueError(f"body height must be between 80 and 250 cm, got {self.body_height_cm}")
        lo, hi = HFOV_RANGE_DEG
        if self.hfov_deg is not None and not lo <= self.hfov_deg <= hi:
            raise ValueError(f"horizontal field of view must be between {lo:.0f} and {hi:.0f} deg, got {self.hfov_deg}")
        if self.max_long_side < 160:
            raise ValueError("max_long_side must be at least 160 px")


@dataclass(frozen=True)
class FrameRecord:
    """One analysed frame: the followed person's pose (None if nobody), the raw and smoothed metrics.

    ``knee_flexion_deg`` (0 = straight legs) and ``speed`` (leg motion, body heights per second) feed the
    rep and still-window detection.
    """

    index: int
    t_s: float
    people: int
    pose: PoseFrame | None
    raw: StanceMetrics
    smooth: StanceMetrics
    knee_flexion_deg: float = math.nan
    speed: float = math.nan
    heels_floor: np.ndarray | None = None  # (2, 3) left and right heel on the floor, camera frame
    scene: Scene | None = None  # the camera and floor this frame was measured through
    sides_turned: bool = False  # the model's reading was taken the other way round (temporal.sides)


@dataclass
class Analysis:
    """The result of analysing one file.

    ``summary`` follows docs/SUMMARY.md (with ``findings`` and ``exercises`` added by the feedback stage);
    ``records`` has one entry per decoded frame; ``annotated_path`` is the H.264 video (a temp file) or None.
    """

    summary: dict[str, Any]
    records: list[FrameRecord] = field(default_factory=list)
    annotated_path: Path | None = None
    annotated_image: np.ndarray | None = None  # for stills: the annotated RGB image

    def rows(self) -> list[dict[str, Any]]:
        """frames.csv rows: frame index, people count, every smoothed metric, then the raw ones."""
        rows = []
        for r in self.records:
            row: dict[str, Any] = {"frame": r.index, "people": r.people, "pose": int(r.pose is not None),
                                   "sides_turned": int(r.sides_turned)}
            row.update(r.smooth.as_row())
            raw = r.raw.as_row()
            for k, v in raw.items():
                if k not in ("t_s", "view", "reasons", "held"):
                    row[f"raw_{k}"] = v
            row["knee_flexion_deg"] = r.knee_flexion_deg
            row["leg_speed"] = r.speed
            rows.append({k: (round(v, 4) if isinstance(v, float) and math.isfinite(v) else ("" if isinstance(v, float) else v)) for k, v in row.items()})
        return rows

    def csv_text(self) -> str:
        rows = self.rows()
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return buf.getvalue()

    def picture_jpeg(self, max_side: int = 640, quality: int = 85) -> bytes | None:
        """One annotated picture as JPEG bytes (long side at most ``max_side``), for records and reports.

        A photo's annotated image; for a video, the annotated frame in the middle of its first still
        window, else (a walk) the frame where the person stands tallest in the picture (nearest the
        camera), else the clip's middle. None when nothing was annotated or the video cannot be read back.
        """
        rgb = self.annotated_image
        if rgb is None and self.annotated_path is not None and self.annotated_path.is_file():
            rgb = _video_frame_at(self.annotated_path, self.picture_time_s())
        return jpeg_bytes(rgb, max_side, quality) if rgb is not None else None

    def picture_time_s(self) -> float:
        """When in a video :meth:`picture_jpeg` takes its frame (see there)."""
        windows = self.summary.get("still_windows") or []
        if windows:
            return float(windows[0]["start_s"] + windows[0]["end_s"]) / 2
        posed = [(r.t_s, r.pose) for r in self.records if r.pose is not None]
        if posed:
            return max(posed, key=lambda tp: body_height_px(tp[1]))[0]
        return float((self.summary.get("input") or {}).get("duration_s") or 0.0) / 2

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write summary.json, frames.csv and annotated.mp4 (or annotated.jpg) into out_dir.

        Files are written to a temporary folder next to ``out_dir`` first and moved in at the end, so a
        failure leaves nothing half-written.
        """
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".stance-", dir=out.parent))
        try:
            (tmp / "summary.json").write_text(json.dumps(self.summary, indent=2, allow_nan=False) + "\n")
            (tmp / "frames.csv").write_text(self.csv_text())
            if self.annotated_path is not None and self.annotated_path.exists():
                shutil.copyfile(self.annotated_path, tmp / "annotated.mp4")
            if self.annotated_image is not None:
                import cv2

                cv2.imwrite(str(tmp / "annotated.jpg"), cv2.cvtColor(self.annotated_image, cv2.COLOR_RGB2BGR))
            out.mkdir(exist_ok=True)
            written = {}
            for f in sorted(tmp.iterdir()):
                os.replace(f, out / f.name)
                written[f.name] = out / f.name
            return written
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _video_frame_at(path: Path, t_s: float) -> np.ndarray | None:
    """The RGB frame of the video at ``path`` shown at ``t_s`` (the last one before it), or None."""
    import av

    found = None
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                if found is not None and frame.time is not None and frame.time > t_s:
                    break
                found = frame.to_ndarray(format="rgb24")
    except (av.FFmpegError, OSError):
        return found
    return found


# ---------------------------------------------------------------- per-frame analysis


class FrameAnalyzer:
    """Pose -> camera and floor -> metrics and overlay, for one stream (keeps the floor and scale estimates)."""

    def __init__(self, options: AnalysisOptions, config: MetricsConfig | None = None) -> None:
        self.options = options
        self.config = config or MetricsConfig.for_model(options.model)
        self.floor = FloorTracker()
        self.planted = PlantedFeet()
        self._stature = RunningMedian(150)
        self._standing_rise = RunningMedian(150)  # hip_rise over the standing frames
        self._intr: Intrinsics | None = None
        # The last frame's word on the feet's outline fit, when it was asked for and not wholly used.
        self.outline_warning: dict[str, str] | None = None
        self.scene: Scene | None = None  # the last frame's camera and floor (None when there was none)
        self.outline: dict[str, Any] | None = None  # the last frame's outline entry (outline_entry), when fitted

    def intrinsics(self, size_wh: tuple[int, int]) -> Intrinsics:
        if self._intr is None or self._intr.size_wh != size_wh:
            self._intr = Intrinsics.from_fov(size_wh, self.options.hfov_deg)
        return self._intr

    def camera_pose(self, pose: PoseFrame | None) -> PoseFrame | None:
        """The model's reading with its 3D landmarks in the camera's axes (geometry.camera.camera_aligned);
        what step() and everything after it expects."""
        return None if pose is None else camera_aligned(pose, self.intrinsics(pose.size_wh))

    def _standing_value(self, history: RunningMedian, value: float) -> float | None:
        """``value``'s median over this person's standing frames so far, this frame included when it is
        one (None before the first). Call after ``self.floor.update(pose)``."""
        if self.floor.standing:
            history.update(np.array([value]))
        ref = history.value
        return float(ref[0]) if ref is not None else None

    def metres_per_unit(self, pose: PoseFrame) -> float | None:
        if self.options.body_height_cm is None:
            return None
        stature = stature_units(pose, self.config.segment_share_of_stature)
        standing = self._standing_value(self._stature, stature)
        value = standing if standing is not None else stature
        return self.options.body_height_cm / 100.0 / value if value > 0 else None

    def hip_height_ratio(self, pose: PoseFrame, off_floor: Side | None = None) -> float | None:
        """How high the hips are above the ankles against this person's standing frames (None until
        MIN_STANDING_FRAMES were seen); with ``off_floor`` (a foot held up), above the other one's."""
        rise = hip_rise(pose, off_floor.other if off_floor is not None else None)
        ref = self._standing_value(self._standing_rise, rise)
        if ref is None or len(self._standing_rise) < MIN_STANDING_FRAMES or not ref > 0:
            return None
        return rise / ref if math.isfinite(rise) else None

    def step(
        self, pose: PoseFrame | None, t_s: float, mask: np.ndarray | None = None, turned: bool = False
    ) -> tuple[StanceMetrics, Overlay, np.ndarray]:
        """Metrics, overlay and the two heels' floor positions ((2, 3), camera frame, NaN when unknown).
        ``mask``: the person's segmentation mask (PoseDetection.mask), for the feet's outline fit.
        ``turned``: the pose is the model's reading turned round (temporal.sides); it names the sides and
        places the feet, but its foot and knee angles are not taken (see TURNED_REASON)."""
        no_heels = np.full((2, 3), np.nan)
        self.scene = None
        if pose is None:
            return StanceMetrics.empty(t_s, "no person in view"), Overlay(None, {}), no_heels
        intr = self.intrinsics(pose.size_wh)
        pose = camera_aligned(pose, intr)  # a no-op after camera_pose()
        up = self.floor.update(pose)
        scene = estimate_scene(pose, intr, up)
        if scene is None:
            return StanceMetrics.empty(t_s, "body not fully in view"), Overlay(pose, {}), no_heels
        self.scene = scene
        geom = floor_geometry(pose, scene, self.config)
        fit = None
        self.outline_warning = None
        self.outline = None
        if mask is not None and self.options.silhouette and self.config.silhouette_share > 0:
            fit = fit_outline(mask, pose, scene, geom)
            alone = measure(pose, scene, self.config, None, geom)
            landmarks = {side: alone.side(side).turnout_deg for side in Side}
            self.outline = outline_entry([fit], landmarks, self.config)
            self.outline_warning = outline_warning(outline_reading([fit]), landmarks, self.config)
        measured = measure(
            pose,
            scene,
            self.config,
            self.metres_per_unit(pose),
            geom,
            self.hip_height_ratio(pose, geom.off_floor),
            outline_turnout_deg=None if fit is None else fit.turnout_deg,
            outline_heels=None if fit is None else fit.heel,
        )
        if turned:
            measured = without_angles(measured, TURNED_REASON)
        metrics = self.planted.update(measured, pose, self.floor.standing, geom.off_floor)
        heels = np.stack([geom.feet[side]["heel"] if not geom.foot_reason[side] else no_heels[0] for side in Side])
        return metrics, Overlay(pose, foot_overlays(scene, geom, metrics)), heels


# A reading the model made facing the wrong way and turned round (temporal.sides) names the sides right,
# but its 3D body is still the model's picture of someone facing the other way. On the balance clip's front
# camera the turned frames' facing read 5-89 deg (38 off, median) where the triangulated shoulders and hips
# gave -16..+2 (the frames read the right way: 10 off), and their turnout 37.9 deg MAE (bias +23) against
# the triangulated feet, where the frames read the right way gave 29.0 (a man on one leg, swinging the
# other: a hard clip for both). So those frames give no foot or knee angle; their feet still count for
# the stance width, a foot held up and the steps.
TURNED_REASON = "the pose model read the body facing the other way on this frame"


def without_angles(m: StanceMetrics, reason: str) -> StanceMetrics:
    """``m`` with no turnout, knee angle or knee offset on either side; ``reason`` where one was measured."""
    reasons = dict(m.reasons)
    for side in Side:
        for name in ("turnout_deg", "knee_fppa_deg", "knee_offset_ratio"):
            if math.isfinite(getattr(m.side(side), name)):
                reasons[f"{name}.{side.value}"] = reason
    return replace(m, left=SideMetrics(), right=SideMetrics(), reasons=reasons)


def outline_reading(fits: Sequence[SilhouetteFit | None]) -> dict[Side, float] | None:
    """Each foot's outline turnout, the median over the fits made (None when none was)."""
    made = [f for f in fits if f is not None]
    if not made:
        return None
    return {side: float(np.median([f.turnout_deg[side] for f in made])) for side in Side}


def outline_entry(fits: Sequence[SilhouetteFit | None], landmarks_deg: Mapping[Side, float], config: MetricsConfig) -> dict[str, Any]:
    """The summary's ``outline`` object: frames tried and fitted, each foot's outline turnout and whether it
    was averaged in (outline_agrees with the landmarks' ``landmarks_deg``)."""
    reading = outline_reading(fits)
    return {
        "frames": len(fits),
        "fitted": sum(f is not None for f in fits),
        "turnout_deg": {side.value: None if reading is None else _rounded(reading[side], 2) for side in Side},
        "used": {
            side.value: reading is not None and math.isfinite(landmarks_deg[side]) and outline_agrees(landmarks_deg[side], reading[side], config)
            for side in Side
        },
    }


def with_outline(
    frames: Sequence[StanceMetrics], fits: Sequence[SilhouetteFit | None], config: MetricsConfig
) -> tuple[list[StanceMetrics], dict[str, Any], dict[str, str] | None]:
    """A video's still-stretch frames with the outline's reading averaged into their turnout, as a photo's
    (MetricsConfig.silhouette_share, the same gap test): each frame's turnout moves by share x (outline -
    the frames' median), so the median becomes the photos' blend and the spread stays the frames' own.
    Also the summary's ``outline`` entry and its warning (None when every foot took the outline)."""
    landmarks = {side: nanmedian([m.side(side).turnout_deg for m in frames]) for side in Side}
    reading = outline_reading(fits)
    entry = outline_entry(fits, landmarks, config)
    shift = {
        side: config.silhouette_share * (reading[side] - landmarks[side]) if reading is not None and entry["used"][side.value] else 0.0
        for side in Side
    }
    moved = [
        replace(
            m,
            left=replace(m.left, turnout_deg=m.left.turnout_deg + shift[Side.LEFT]),
            right=replace(m.right, turnout_deg=m.right.turnout_deg + shift[Side.RIGHT]),
        )
        for m in frames
    ]
    return moved, entry, outline_warning(reading, landmarks, config)


def still_facing_turn_deg(records: Sequence[FrameRecord], config: MetricsConfig) -> float:
    """How far a photo's reading would turn the body's facing towards its shoulders and ears
    (geometry.metrics.upper_body_turn_deg), as the median over a video's still-stretch frames: a video's
    frames are read with the hips alone (MetricsConfig.for_video), since per frame the turn moves with every
    small movement of the head; over a still stretch its median is one steady value. 0 without frames."""
    turns = [upper_body_turn_deg(r.pose, r.scene, config) for r in records if r.pose is not None and r.scene is not None]
    return float(np.median(turns)) if turns else 0.0


def turned_facing(frames: Sequence[StanceMetrics], turn_deg: float) -> list[StanceMetrics]:
    """The frames' turnout read against a forward direction turned by ``turn_deg`` (upper_body_turn_deg's
    sign): the left foot that much less turned out, the right foot that much more."""
    if turn_deg == 0.0:
        return list(frames)
    return [
        replace(m, left=replace(m.left, turnout_deg=m.left.turnout_deg - turn_deg), right=replace(m.right, turnout_deg=m.right.turnout_deg + turn_deg))
        for m in frames
    ]


def outline_frames(records: Sequence[FrameRecord], n: int = OUTLINE_VIDEO_FRAMES) -> list[FrameRecord]:
    """Up to ``n`` of the records where both feet's turnout was read, spread evenly over them."""
    both = [r for r in records if math.isfinite(r.raw.left.turnout_deg) and math.isfinite(r.raw.right.turnout_deg)]
    if not both:
        return []
    picks = sorted({int(round(i)) for i in np.linspace(0, len(both) - 1, min(n, len(both)))})
    return [both[i] for i in picks]


def outline_warning(
    outline_deg: Mapping[Side, float] | None, landmarks_deg: Mapping[Side, float], config: MetricsConfig
) -> dict[str, str] | None:
    """The summary warning for a photo or video whose feet's outline fit was asked for but not used for
    every foot the landmarks measured: ``outline_deg`` the outline's turnout per foot (None: no fit),
    ``landmarks_deg`` the landmarks' (without the fit). None when it was used."""
    if outline_deg is None:
        return {
            "code": "outline_not_fitted",
            "message": "The feet's outline could not be fitted (a foot hidden, or the person's outline unclear "
            "around the feet), so the turnout comes from the body landmarks alone.",
        }
    off = [
        side.value
        for side in Side
        if math.isfinite(t := landmarks_deg[side]) and not outline_agrees(t, outline_deg[side], config)
    ]
    if not off:
        return None
    gap = config.silhouette_max_disagreement_deg
    which = "both feet, so their turnout comes" if len(off) == 2 else f"the {off[0]} foot, so its turnout comes"
    return {
        "code": "outline_disagrees",
        "message": f"The feet's outline and the body landmarks disagree by more than {gap:.0f} deg on {which} "
        "from the landmarks alone (the outline's reading depends on the camera's lens more than the "
        "landmarks' do).",
    }


def foot_overlays(scene: Scene, geom: FloorGeometry, metrics: StanceMetrics | None = None) -> dict[Side, FootOverlay | None]:
    """Project each foot's floor line (extended ahead) and the straight-ahead reference into the image.

    A foot with a turnout in ``metrics`` is drawn at that angle from its heel (the held standing value
    while squatting, and the knee-pull correction of MetricsConfig), so the line shows this frame's reading.
    """
    out: dict[Side, FootOverlay | None] = {}
    for side in Side:
        heel, toe = geom.feet[side]["heel"], geom.feet[side]["toe"]
        if geom.foot_reason[side] or not (np.all(np.isfinite(heel)) and np.all(np.isfinite(toe))):
            out[side] = None
            continue
        length = float(np.linalg.norm(toe - heel))
        if metrics is not None and math.isfinite(metrics.side(side).turnout_deg):
            toe = heel + length * foot_direction(metrics.side(side).turnout_deg, geom.left, geom.forward, side)
        ahead = heel + (toe - heel) * 1.8
        forward = heel + geom.forward * length * 1.8
        px = scene.project(np.stack([heel, toe, ahead, forward]))
        out[side] = FootOverlay(px[0], px[1], px[2], px[3])
    return out


def _new_estimator(options: AnalysisOptions, mode: str, live: bool = False) -> PoseEstimator:
    flip = options.flip_average and not live
    return PoseEstimator(model=options.model, mode=mode, model_path=options.model_path, flip_average=flip)


# ---------------------------------------------------------------- files


def analyze_video(
    path: str | Path,
    options: AnalysisOptions | None = None,
    *,
    estimator: PoseEstimator | None = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Analyse a video file. Raises analyzer.errors.InputError / ModelError with a one-line message.

    One pass of the model; frames are not kept: they wait in a short queue until the centred smoothing
    window around them is complete, then they are annotated and encoded. The model's readings are kept
    (a few KB a frame); when the whole clip shows that some of them named the body's sides the wrong way round
    (temporal.sides), the clip is measured and annotated a second time from the kept readings, those
    frames turned round, without running the model again.
    """
    opts = options or AnalysisOptions()
    own = estimator is None
    est = estimator or _new_estimator(opts, "video")
    if not own:
        est.reset()
    source = VideoFileSource(path, opts.max_long_side)
    opts = with_lens(opts, source.info)
    readings: list[PoseFrame | None] = []  # the model's own, one per record (records hold them camera-aligned)

    def detect(frame: Frame) -> tuple[PoseFrame | None, int, bool]:
        det = est.detect(frame.rgb, frame.t_s)
        readings.append(det.pose)
        if progress is not None:
            progress(frame.index + 1, max(source.info.frame_count, frame.index + 1))
        return det.pose, len(det.people), False

    try:
        fa, records, annotated = _measure_frames(source, opts, detect)
    finally:
        source.close()
        if own:
            est.close()
    if not records:
        raise InputError(f"{source.info.name} contains no frames.")
    turn = dict(zip((r.index for r in records), misread(readings), strict=True))
    if any(turn.values()):
        if annotated is not None:
            annotated.unlink(missing_ok=True)
        kept = {r.index: (p, r.people) for r, p in zip(records, readings, strict=True)}

        def reread(frame: Frame) -> tuple[PoseFrame | None, int, bool]:
            pose, people = kept.get(frame.index, (None, 0))
            if progress is not None:  # the bar fills a second time, faster (no model)
                progress(frame.index + 1, max(len(records), frame.index + 1))
            return pose, people, turn.get(frame.index, False) and pose is not None

        up = _floor_of(r.pose for r in records if not turn[r.index])
        again = VideoFileSource(path, opts.max_long_side)
        try:
            fa, records, annotated = _measure_frames(again, opts, reread, up)
        finally:
            again.close()
    warnings = _source_warnings(source)
    outline = video_outline_reader(path, opts, fa.config) if opts.silhouette and fa.config.silhouette_share > 0 else None
    summary = build_summary(source.info, records, opts, warnings, outline)
    return Analysis(summary=summary, records=records, annotated_path=annotated)


# Up in the camera's axes (y points down) for a level camera: the floor when no frame gave one.
CAMERA_VERTICAL = np.array([0.0, -1.0, 0.0])
CAMERA_VERTICAL.flags.writeable = False

# Reads one frame's pose: the followed person's reading (None if nobody), how many people were seen,
# and whether the reading was turned round (temporal.sides).
PoseReader = Callable[[Frame], tuple["PoseFrame | None", int, bool]]


def _floor_of(poses: Iterable[PoseFrame | None]) -> np.ndarray:
    """The floor's normal (camera-aligned) pooled over these poses as a stream pools it (FloorTracker);
    the camera's vertical when none of them was standing."""
    floor = FloorTracker()
    for pose in poses:
        floor.update(pose)
    up = floor.value
    return up if up is not None else CAMERA_VERTICAL


def _measure_frames(
    source: VideoFileSource, opts: AnalysisOptions, read: PoseReader, turn_up: np.ndarray = CAMERA_VERTICAL
) -> tuple[FrameAnalyzer, list[FrameRecord], Path | None]:
    """One pass over the clip: each frame's pose from ``read``, measured (FrameAnalyzer), smoothed and, when
    asked for, drawn into the annotated video. A reading marked turned is taken the other way round
    (temporal.sides.turned_round) about the floor ``turn_up`` (camera-aligned). Returns the analyzer (its config), the
    frames' records and the annotated file (None when not asked for)."""
    fa = FrameAnalyzer(opts, MetricsConfig.for_model(opts.model).for_video())
    records: list[FrameRecord] = []
    raws: list[StanceMetrics] = []
    times: list[float] = []
    feet_px: list[np.ndarray] = []
    video: _AnnotatedVideo | None = None
    prev_pose: PoseFrame | None = None
    frames = prefetch(source)
    try:
        if opts.annotate:
            video = _AnnotatedVideo(source.info)
        for frame in frames:
            reading, people, turned = read(frame)
            pose = fa.camera_pose(reading)
            if turned and pose is not None:
                pose = turned_round(pose, turn_up, hip_sight(pose, fa.intrinsics(pose.size_wh)))
            raw, overlay, heels = fa.step(pose, frame.t_s, turned=turned)
            speed = leg_speed(prev_pose, pose) if (pose is not None and prev_pose is not None) else math.nan
            prev_pose = pose
            flex = both_knees_flexion_deg(pose) if pose is not None else math.nan
            raws.append(raw)
            times.append(frame.t_s)
            feet_px.append(foot_pixels(pose))
            records.append(FrameRecord(frame.index, frame.t_s, people, pose, raw, raw, flex, speed, heels, fa.scene, turned))
            if video is not None:
                video.push(frame, overlay, raws, times, feet_px)
        annotated = video.finish(raws, times, feet_px) if video is not None else None
    except BaseException:
        if video is not None:
            video.abort()
        raise
    finally:
        frames.close()
    # The annotated video smoothed the frames it drew already; the same values, not a second pass.
    done = video.smoothed if video is not None else {}
    smooth = [done[i] if i in done else smooth_at(raws, times, i, feet_px=feet_px) for i in range(len(raws))]
    return fa, [replace(r, smooth=s) for r, s in zip(records, smooth, strict=True)], annotated


# Reads the feet's outline on the given frames of a file: one fit (or None) per frame it could read.
OutlineReader = Callable[[Sequence["FrameRecord"]], list[SilhouetteFit | None]]


def video_outline_reader(path: str | Path, options: AnalysisOptions, config: MetricsConfig) -> OutlineReader:
    """The feet's outline on chosen frames of the video at ``path`` (a photo's fit, geometry.silhouette):
    the video is decoded again up to the last of them; each one's person mask comes from a single
    IMAGE-mode reading of the frame, and the feet are fitted with the frame's own landmarks and scene
    (FrameRecord.pose, .scene), so the fit starts where the video's reading stands."""

    def read(chosen: Sequence[FrameRecord]) -> list[SilhouetteFit | None]:
        wanted = {r.index: r for r in chosen if r.pose is not None and r.scene is not None}
        if not wanted:
            return []
        fits: list[SilhouetteFit | None] = []
        last = max(wanted)
        est = PoseEstimator(options.model, "image", model_path=options.model_path, flip_average=False)
        source = VideoFileSource(path, options.max_long_side)
        try:
            for frame in source:
                if (r := wanted.get(frame.index)) is not None:
                    fits.append(_frame_outline(est.detect(frame.rgb, 0.0), r, config))
                if frame.index >= last:
                    break
        finally:
            source.close()
            est.close()
        return fits

    return read


def read_shot_outlines(
    options: AnalysisOptions, config: MetricsConfig, shots: Sequence[tuple[np.ndarray, FrameRecord]]
) -> list[SilhouetteFit | None]:
    """The feet's outline on camera frames (RGB) with their records, one fit (or None) each: a still model
    of its own (about 0.5 s to load) reads each frame's mask (_frame_outline)."""
    with PoseEstimator(options.model, "image", model_path=options.model_path) as still:
        return [_frame_outline(still.detect(rgb, 0.0), record, config) for rgb, record in shots]


def _frame_outline(det: PoseDetection, record: FrameRecord, config: MetricsConfig) -> SilhouetteFit | None:
    """One frame's outline fit: ``det`` (an IMAGE-mode reading of the frame) gives the mask, ``record`` the
    video's landmarks and scene. None when the mask is missing or belongs to someone else."""
    pose, scene, mask = record.pose, record.scene, det.mask
    if pose is None or scene is None or mask is None or det.pose is None or mask.shape != pose.size_wh[::-1]:
        return None
    if not same_body(det.pose, pose):
        return None  # the still reading followed another person than the video did
    return fit_outline(mask, pose, scene, floor_geometry(pose, scene, config))


def same_body(a: PoseFrame, b: PoseFrame, tolerance: float = 0.25) -> bool:
    """Whether two readings of one picture put the hips and ankles in the same places: within
    ``tolerance`` x the legs' length in the picture, on average."""
    joints = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]
    pa, pb = a.pixels_xy[joints], b.pixels_xy[joints]
    legs = float(np.linalg.norm(pa[:2].mean(axis=0) - pa[2:].mean(axis=0)))
    gap = float(np.mean(np.linalg.norm(pa - pb, axis=1)))
    return math.isfinite(gap) and legs > 0 and gap <= tolerance * legs


class _AnnotatedVideo:
    """The annotated H.264 file of a clip, written while it is analysed.

    Frames wait in a queue until the centred smoothing window around them is complete (so the video
    shows the same values as frames.csv): +/- 0.15 s, or up to STILL_FOOT_MAX_FRAMES frames (2 s) while
    a foot stays put, so at most that many frames are held. Drawing and encoding then run on a worker
    thread, beside the pose model. The file is a temporary one until the caller moves it.
    """

    def __init__(self, info: SourceInfo) -> None:
        fd, name = tempfile.mkstemp(prefix="stance-annotated-", suffix=".mp4")
        os.close(fd)
        self.path = Path(name)
        fps = info.fps if math.isfinite(info.fps) else 30.0
        try:
            self._writer = H264Writer(self.path, (info.width, info.height), fps)
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        self._worker = OrderedWorker()
        self._pending: deque[tuple[int, Frame, Overlay]] = deque()
        self.smoothed: dict[int, StanceMetrics] = {}  # frame index -> the smoothed metrics drawn on it

    def push(
        self, frame: Frame, overlay: Overlay, raws: list[StanceMetrics], times: list[float], feet_px: list[np.ndarray]
    ) -> None:
        """Queue the newest frame (its metrics, time and foot pixels are the last of ``raws``, ``times``
        and ``feet_px``, the clip's series so far); emit the frames whose smoothing window is now complete."""
        self._pending.append((len(raws) - 1, frame, overlay))
        while self._pending and smoothing_complete(times, self._pending[0][0]):
            self._emit(raws, times, feet_px)

    def finish(self, raws: list[StanceMetrics], times: list[float], feet_px: list[np.ndarray]) -> Path:
        # The model is done: the last frames (up to a smoothing window's worth) are drawn here while the
        # worker encodes, instead of both steps waiting on the one worker (0.6 -> 0.4 s for 61 frames).
        while self._pending:
            self._emit(raws, times, feet_px, draw_here=True)
        self._worker.close()
        self._writer.close()
        return self.path

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._worker.close()
        self._writer.close()
        self.path.unlink(missing_ok=True)

    def _emit(
        self, raws: list[StanceMetrics], times: list[float], feet_px: list[np.ndarray], draw_here: bool = False
    ) -> None:
        i, frame, overlay = self._pending.popleft()
        metrics = smooth_at(raws, times, i, feet_px=feet_px) if overlay.pose is not None else None
        if metrics is not None:
            self.smoothed[i] = metrics
        if draw_here:
            self._worker.submit(self._writer.write, annotate(frame.rgb, overlay, metrics), frame.t_s)
        else:
            self._worker.submit(self._draw, frame, overlay, metrics)

    def _draw(self, frame: Frame, overlay: Overlay, metrics: StanceMetrics | None) -> None:
        self._writer.write(annotate(frame.rgb, overlay, metrics), frame.t_s)


def _source_warnings(source: VideoFileSource) -> list[dict[str, str]]:
    out = []
    if source.truncated:
        out.append(
            {
                "code": "truncated",
                "message": f"The file ends early or is damaged ({source.decode_error}); the frames before that were analysed.",
            }
        )
    if source.info.scaled_from_wh is not None:
        w, h = source.info.scaled_from_wh
        out.append(
            {
                "code": "scaled",
                "message": f"Frames were scaled from {w}x{h} to {source.info.width}x{source.info.height} for speed.",
            }
        )
    return out


def with_lens(options: AnalysisOptions, info: SourceInfo) -> AnalysisOptions:
    """The options with the lens the file's metadata states (SourceInfo.lens) as the field of view, where
    the user gave none; else unchanged. Its field of view replaces the prior (DEFAULT_LONG_SIDE_FOV_DEG),
    which a phone's 2x or 3x camera, an ultra-wide one or a cropped photo is far from."""
    if options.hfov_deg is not None or info.lens is None:
        return options
    return replace(options, hfov_deg=_metadata_hfov_deg(info.lens))


def _metadata_hfov_deg(lens: Lens) -> float:
    """The field of view an analysis takes from the file's lens (within HFOV_RANGE_DEG)."""
    return min(HFOV_RANGE_DEG[1], max(HFOV_RANGE_DEG[0], lens.hfov_deg))


def lens_block(info: SourceInfo, options: AnalysisOptions) -> dict[str, Any]:
    """The summary's word on the camera's lens: its field of view across the picture's width and where
    it came from ("given" by the user, the file's "metadata", or the "prior")."""
    hfov = Intrinsics.from_fov((info.width, info.height), options.hfov_deg).hfov_deg
    lens = info.lens
    from_file = lens is not None and options.hfov_deg == _metadata_hfov_deg(lens)
    source = "metadata" if from_file else ("given" if options.hfov_deg is not None else "prior")
    return {
        "source": source,
        "hfov_deg": round(hfov, 1),
        "equivalent_mm": round(lens.equivalent_mm, 1) if lens is not None and from_file else None,
        "cropped": info.cropped_from_wh is not None,
    }


def lens_text(lens: Any) -> str:
    """How the summary's lens block reads in a caption ("" for none, as in summaries saved before it)."""
    if not isinstance(lens, Mapping) or not isinstance(lens.get("hfov_deg"), (int, float)):
        return ""
    hfov = f"{lens['hfov_deg']:.0f}° across"
    source = lens.get("source")
    if source == "metadata" and isinstance(lens.get("equivalent_mm"), (int, float)):
        return f"lens {lens['equivalent_mm']:.0f} mm equivalent from the file's metadata ({hfov})"
    if source == "given":
        return f"lens as given ({hfov})"
    return f"lens not in the file's metadata: a {lens['hfov_deg']:.0f}° field of view assumed"


def analyze_image(path: str | Path, options: AnalysisOptions | None = None, *, estimator: PoseEstimator | None = None) -> Analysis:
    """Analyse a still photo (IMAGE mode: no tracking between frames)."""
    opts = options or AnalysisOptions()
    rgb, info = read_image(path, opts.max_long_side)
    opts = with_lens(opts, info)
    own = estimator is None
    est = estimator or _new_estimator(opts, "image")
    try:
        det = est.detect(rgb, 0.0)
    finally:
        if own:
            est.close()
    fa = FrameAnalyzer(opts)
    pose = fa.camera_pose(det.pose)
    raw, overlay, heels = fa.step(pose, 0.0, det.mask)
    flex = both_knees_flexion_deg(pose) if pose is not None else math.nan
    record = FrameRecord(0, 0.0, len(det.people), pose, raw, raw, flex, math.nan, heels, fa.scene)
    summary = build_summary(info, [record], opts, [fa.outline_warning] if fa.outline_warning else [], fa.outline)
    image = annotate_photo(rgb, overlay, raw if pose is not None else None)
    return Analysis(summary=summary, records=[record], annotated_image=image)


def analyze_file(
    path: str | Path,
    options: AnalysisOptions | None = None,
    *,
    estimator: PoseEstimator | None = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Dispatch on the file type: images to analyze_image, everything else to analyze_video."""
    if is_image_path(path):
        return analyze_image(path, options, estimator=estimator)
    return analyze_video(path, options, estimator=estimator, progress=progress)


# ---------------------------------------------------------------- summary


def build_summary(
    info: SourceInfo,
    records: list[FrameRecord],
    options: AnalysisOptions,
    warnings: list[dict[str, str]],
    outline: OutlineReader | dict[str, Any] | None = None,
) -> dict[str, Any]:
    """docs/SUMMARY.md from the per-frame records; adds findings and exercises from analyzer.feedback.
    ``outline``: for a video, reads the feet's outline on a few frames of its still stretches, whose
    turnout it moves (with_outline); for a photo, its outline entry (outline_entry: the fit is in the
    record's metrics already). None: the outline was not read."""
    with_pose = [r for r in records if r.pose is not None]
    if not with_pose:
        raise InputError(f"No person was found in {info.name}.")
    t = [r.t_s for r in records]
    speed = centred_median(t, [r.speed for r in records], 0.25)
    windows = still_windows(t, speed) if info.kind == "video" else []
    flexion = centred_median(t, [r.knee_flexion_deg for r in records], 0.1)
    baseline = _standing_flexion(flexion)
    reps = find_reps(t, flexion - baseline) if info.kind == "video" and math.isfinite(baseline) else []
    if info.kind == "image":
        used = with_pose
    else:
        used = [r for r in with_pose if frames_in(windows, r.t_s)]
        if sum(w.duration_s for w in windows) < 1.0 or not used:
            # No still stretch: use the frames where the person stands upright on both feet with straight
            # legs (e.g. before and after squats; as the floor is pooled), else everything, and say so.
            upright = [
                r
                for r in with_pose
                if r.knee_flexion_deg <= min(baseline + STANDING_MARGIN_DEG, MAX_STANDING_FLEXION_DEG)
                and on_both_feet(r)
            ]
            used = upright if len(upright) >= 5 else with_pose
            what = "the frames with straight legs" if used is upright else "all frames"
            warnings.append(
                {
                    "code": "no_still_window",
                    "message": f"No stretch of at least 1 s of standing still was found; values are taken over {what}.",
                }
            )
    view = dominant_view([r.smooth for r in used])
    # Report only what the clip's main view supports: frames seen from another angle do not vote.
    same_view = [r for r in used if r.smooth.view is view]
    smooth = [r.smooth for r in (same_view or used)]
    config = MetricsConfig.for_model(options.model)
    outline_block = outline if isinstance(outline, dict) else None
    if callable(outline) and windows and (fits := outline(outline_frames(same_view or used))):
        smooth, outline_block, outline_note = with_outline(smooth, fits, config)
        warnings.extend([outline_note] if outline_note else [])
    if windows:
        # A still stretch's facing follows the upper body as a photo's does, by one steady turn.
        smooth = turned_facing(smooth, still_facing_turn_deg(same_view or used, config))
    warnings.extend(_content_warnings(records, with_pose, view, options))
    lens = lens_block(info, options)
    warnings.extend(_lens_warnings(info, lens["source"]))
    walk = _walking(records, _floor_up(records), _metres_per_unit(records, options), config)
    activity = "squat" if reps else ("walking" if walk is not None else ("standing" if windows else "unknown"))
    if info.kind == "image":
        activity = "standing" if (with_pose[0].knee_flexion_deg or 0) < 25 else "unknown"
    held_up = [off_floor(r) for r in with_pose]  # the foot each frame's person held off the floor, if any
    lifted = sum(1 for side in held_up if side is not None)
    if lifted and activity != "walking":  # walking lifts a foot at every step
        warnings.append(
            {
                "code": "foot_off_floor",
                "message": f"A foot was off the floor in {lifted} of {len(with_pose)} frames (a leg held up, a step): "
                "those frames give no stance width, and no foot angle or knee angle for the lifted leg.",
            }
        )
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": __version__,
        "input": info.as_dict(),
        "view": view.value,
        "views": view_segments([r.smooth for r in with_pose]),
        "activity": activity,
        "frames": {"total": len(records), "with_pose": len(with_pose), "used": len(used)},
        "still_windows": [w.as_dict() for w in windows],
        "scale": (
            {"source": "body_height", "body_height_cm": options.body_height_cm}
            if options.body_height_cm is not None
            else {"source": "none"}
        ),
        "model": options.model,
        "lens": lens,
        "metrics": metric_block(smooth, view, 1 if info.kind == "image" else MIN_VIDEO_READINGS),
        "outline": outline_block,
        "reps": rep_entries(reps, t, [r.smooth for r in records]),
        "steps": walk["steps"] if walk is not None else [],
        "single_leg": single_leg_entries(with_pose, held_up) if lifted else {},
        "warnings": warnings,
    }
    if walk is not None:
        _walking_metrics(summary, walk, view)
        if walk["withheld"]:
            warnings.append(
                {
                    "code": "steps_across_view",
                    "message": f"{walk['withheld']} of {len(walk['steps'])} footprints were taken walking across the camera's "
                    "view or turning round: their foot angle is not reported. Walk towards or away from the camera "
                    "(or at an angle) to measure each step.",
                }
            )
    return with_feedback(summary)


def off_floor(record: FrameRecord) -> Side | None:
    """The foot the record's person held off the floor (geometry.camera.lifted_foot), if any."""
    if record.pose is None or record.scene is None:
        return None
    return lifted_foot(record.pose, record.scene.up)


# Over the frames a leg stands alone, its knee's "most inward" is this percentile of the frames' readings
# (the maximum would be one frame's noise).
SINGLE_LEG_PEAK_PERCENTILE = 90.0


def single_leg_entries(with_pose: Sequence[FrameRecord], held_up: Sequence[Side | None]) -> dict[str, Any]:
    """Per leg that stood alone (the other foot off the floor: ``held_up``, each frame's :func:`off_floor`) in at least
    MIN_VIDEO_READINGS frames: how many frames, and its knee over them (docs/SUMMARY.md ``single_leg``).

    For each knee number, the median and the most inward reading (SINGLE_LEG_PEAK_PERCENTILE of the
    frames; + is inward for both), with the method's typical error for the frames' main view as its +/-:
    the spread of a single-leg squat is the movement itself, not the reading's error.
    """
    out: dict[str, Any] = {}
    for side in Side:
        alone = [r for r, up in zip(with_pose, held_up, strict=True) if up is side.other]
        if len(alone) < MIN_VIDEO_READINGS:
            continue
        view = dominant_view([r.smooth for r in alone])
        entry: dict[str, Any] = {
            "frames": len(alone),
            "start_s": round(alone[0].t_s, 3),
            "end_s": round(alone[-1].t_s, 3),
            "view": view.value,
        }
        for name in ("knee_fppa_deg", "knee_offset_ratio"):
            values = np.array([getattr(r.smooth.side(side), name) for r in alone if r.smooth.view is view], float)
            values = values[np.isfinite(values)]
            ok = len(values) >= MIN_VIDEO_READINGS
            entry[name] = {
                "median": round(float(np.median(values)), 3) if ok else None,
                "most_inward": round(float(np.percentile(values, SINGLE_LEG_PEAK_PERCENTILE)), 3) if ok else None,
                "n": int(len(values)),
                "uncertainty": METHOD_ERROR.get(name, {}).get(view) if ok else None,
            }
        out[side.value] = entry
    return out


def on_both_feet(record: FrameRecord) -> bool:
    """Whether the record's person stands upright on both feet (geometry.camera.is_upright, no foot off the
    floor), as the floor's pooled frames must (geometry.floor)."""
    return record.pose is not None and off_floor(record) is None and is_upright(record.pose)


def _floor_up(records: list[FrameRecord]) -> np.ndarray | None:
    """The floor normal pooled over all the clip's standing frames. The per-frame analysis pooled the last
    150 as it went (a camera may be moved); the walking steps, read after the fact over the whole clip,
    take the whole clip's. Re-pooled from the poses: a body_up per frame, cheap beside the pose model."""
    tracker = FloorTracker(history=10_000)
    for r in records:
        tracker.update(r.pose)
    return tracker.value


def _metres_per_unit(records: list[FrameRecord], options: AnalysisOptions) -> float | None:
    """The clip's metric scale: the one FrameAnalyzer used for the stance cm (pooled over standing
    frames), read back from each frame's hip width in metres over its hip width in model units."""
    if options.body_height_cm is None:
        return None
    est = []
    for r in records:
        if r.pose is None or not math.isfinite(r.raw.hip_width_m):
            continue
        units = hip_width_units(r.pose)
        if units > 1e-6:
            est.append(r.raw.hip_width_m / units)
    return float(np.median(est)) if est else None


def _walking(
    records: list[FrameRecord], fa_up: np.ndarray | None, scale: float | None, cfg: MetricsConfig
) -> dict[str, Any] | None:
    """Footprints and steps when the person walks (None otherwise). Positions are camera-frame floor points,
    so this assumes a camera that does not move; step widths are heel to heel and get the stance width's
    correction for MediaPipe's heels (MetricsConfig.heel_distance_ratio)."""
    if fa_up is None or len(records) < 10:
        return None
    poses = [r.pose for r in records if r.pose is not None]
    hip = float(np.median([hip_width_units(p) for p in poses]))
    t = np.array([r.t_s for r in records])
    heels = np.stack([r.heels_floor if r.heels_floor is not None else np.full((2, 3), np.nan) for r in records])
    turnout = np.array([[r.smooth.left.turnout_deg, r.smooth.right.turnout_deg] for r in records])
    prints = footprints(t, heels, turnout, _heel_image_speed(records))
    if not is_walking(prints, fa_up, hip):
        return None
    prints, withheld = walking_steps_only(prints, fa_up, hip)
    entries = []
    for st in steps(prints, fa_up, hip):
        fp = st.footprint
        width = cfg.heel_distance_ratio(st.width_ratio) if math.isfinite(st.width_ratio) else math.nan
        entries.append(
            {
                "index": st.index,
                "side": fp.side.value,
                "t_s": round(fp.t_s, 3),
                "start_s": round(fp.start_s, 3),
                "end_s": round(fp.end_s, 3),
                "turnout_deg": _rounded(fp.turnout_deg, 2),
                "step_width_ratio": _rounded(width, 3),
                "step_width_cm": _rounded(width * hip * scale * 100.0, 1) if scale else None,
                "step_length_ratio": _rounded(st.length_ratio, 3),
            }
        )
    in_prints = sum(1 for r in records if any(fp.start_s <= r.t_s <= fp.end_s for fp in prints))
    return {"steps": entries, "hip_width_units": hip, "frames_in_footprints": in_prints, "withheld": withheld}


def _heel_image_speed(records: list[FrameRecord]) -> np.ndarray:
    """(N, 2) image speed of the left and right heel, body heights per second, after a centred median."""
    t = np.array([r.t_s for r in records])
    out = np.full((len(records), 2), np.nan)
    for k, lm in enumerate((Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL)):
        xy = np.array([r.pose.pixels_xy[lm] if r.pose is not None else (np.nan, np.nan) for r in records])
        xy = np.column_stack([centred_median(t, xy[:, j], 0.05) for j in range(2)])
        scale = np.array([body_height_px(r.pose) if r.pose is not None else np.nan for r in records])
        d = np.linalg.norm(np.diff(xy, axis=0), axis=1) / np.diff(t) / scale[1:]
        out[1:, k] = d
        out[0, k] = d[0] if len(d) else np.nan
    return out


def _rounded(v: float, digits: int) -> float | None:
    return round(v, digits) if math.isfinite(v) else None


def _walking_metrics(summary: dict[str, Any], walk: dict[str, Any], view: View) -> None:
    """For a walk, per-step values carry the summary: turnout per foot over its footprints, step width,
    and left/right asymmetry; the standing-width stats are replaced by the reason."""
    steps_ = walk["steps"]

    def err(name: str) -> float | None:
        # A step's values come from frames in views that support them, so a clip seen mostly from the
        # side (no method error of its own) gets the widest supported view's band, never +/- 0.
        bands = METHOD_ERROR.get(name, {})
        return bands.get(view, max(bands.values(), default=None))

    m = summary["metrics"]
    for side in ("left", "right"):
        vals = [s["turnout_deg"] for s in steps_ if s["side"] == side and s["turnout_deg"] is not None]
        m["turnout_deg"][side] = stat(vals, err("turnout_deg"), ["no footprint of this foot in a supported view"])
    widths = [s["step_width_ratio"] for s in steps_ if s["step_width_ratio"] is not None]
    m["step_width_ratio"] = stat(widths, err("stance_width_ratio"), ["no pair of consecutive steps"])
    for name in ("stance_width_ratio", "ankle_width_ratio", "stance_width_cm"):
        m[name] = stat([], None, ["walking: see step_width_ratio and the steps"])
    summary["frames"]["used"] = walk["frames_in_footprints"]


def _standing_flexion(flexion: np.ndarray) -> float:
    """The person's knee flexion when standing: the 10th percentile of the clip's flexion series."""
    finite = flexion[np.isfinite(flexion)]
    return float(np.percentile(finite, 10)) if len(finite) else math.nan


def with_feedback(summary: dict[str, Any]) -> dict[str, Any]:
    from analyzer.feedback import apply_feedback

    return apply_feedback(summary)


# Turnout MAE on the held-out renders cut down to the body (benchmarks.accuracy --crop 0.05), deg: through
# the field-of-view prior, with the lens read from EXIF (--exif), and uncut.
CUT_TURNOUT_MAE_DEG = {"prior": 6.4, "metadata": 5.1, "uncut": 3.7}


def _lens_warnings(info: SourceInfo, source: str) -> list[dict[str, str]]:
    """A photo cut from a larger one (its metadata says so): the lens is less certain there. ``source``:
    where the analysis's lens came from (lens_block)."""
    if info.cropped_from_wh is None:
        return []
    w, h = info.cropped_from_wh
    if source == "metadata":
        how = ("its lens is read from the metadata at the camera's pixel scale, but where the picture's optical "
               "centre now lies is unknown")
    elif source == "given":
        how = "the field of view you gave is used; where the picture's optical centre now lies is unknown"
    else:
        how = "it was also resized, so the camera's lens is unknown here and a field of view is assumed"
    mae = CUT_TURNOUT_MAE_DEG
    return [
        {
            "code": "photo_cropped",
            "message": f"This photo is a cut of a {w}x{h} picture: {how}. Turnout reads less precisely on cut "
            f"photos (our rendered test photos cut down to the body: {mae['metadata']:.1f} deg off on average "
            f"with the lens from the metadata, {mae['prior']:.1f} without it, {mae['uncut']:.1f} uncut); "
            "the uncut photo is better.",
        }
    ]


# Where no frame shows the body upright (geometry.camera.is_upright: legs and trunk in line, or spread
# about it), no frame gives the floor's tilt, and each is measured through its own body axis. On the
# synthetic stills read as photos (flip-averaged, with the outline fit) 11 of the 42 squats are not
# upright and no standing still is; their turnout MAE was 6.50 deg on TRAIN (10 feet) and 4.85 on HOLDOUT
# (8 feet), against 3.09 and 2.98 for the standing stills; the stance width 0.14 and 0.28 hip widths
# against 0.09 and 0.07. A foot held off the floor also has its own warning (foot_off_floor).
NOT_UPRIGHT_MESSAGE = (
    "The person is not standing upright {where} (bent deep, leaning or twisted), so the floor's tilt is "
    "taken from the body itself: turnout and stance width may read several degrees off (in our tests on "
    "squat photos, turnout about 5-6.5 deg off against 3 deg standing). For a stance measurement stand upright "
    "on both feet; for squats, film a video that starts standing."
)


def _content_warnings(
    records: list[FrameRecord], with_pose: list[FrameRecord], view: View, options: AnalysisOptions
) -> list[dict[str, str]]:
    out = []
    n = len(records)
    if len(with_pose) < n:
        out.append(
            {
                "code": "no_person_frames",
                "message": f"No person in {n - len(with_pose)} of {n} frames.",
            }
        )
    multi = sum(1 for r in records if r.people > 1)
    if multi:
        out.append(
            {
                "code": "several_people",
                "message": f"More than one person in {multi} frames; the largest person was followed throughout.",
            }
        )
    turned = sum(1 for r in with_pose if r.sides_turned)
    if turned:
        out.append(
            {
                "code": "sides_turned",
                "message": f"On {turned} of {len(with_pose)} frames the pose model took the person to face the other way "
                "(left and right named the other way round); those frames were read the way the rest of the clip faces, "
                "and give no foot or knee angles.",
            }
        )
    if not any(r.pose is not None and is_upright(r.pose) for r in with_pose):
        where = "in the photo" if n == 1 else "in any frame"
        out.append({"code": "not_upright", "message": NOT_UPRIGHT_MESSAGE.format(where=where)})
    feet_out = sum(1 for r in with_pose if "out of view" in " ".join(r.raw.reasons.values()))
    if feet_out > 0.2 * len(with_pose):
        out.append(
            {
                "code": "feet_out_of_view",
                "message": f"Feet or legs were out of the picture in {feet_out} frames: film the whole body, feet included.",
            }
        )
    if view in (View.LEFT_SAGITTAL, View.RIGHT_SAGITTAL):
        out.append(
            {
                "code": "side_view",
                "message": "Filmed from the side: turnout, stance width and knee alignment need a front, back or angled view.",
            }
        )
    low = sum(1 for r in with_pose if "floor level" in " ".join(r.raw.reasons.values()))
    if low > 0.5 * len(with_pose):
        out.append(
            {"code": "camera_low", "message": "The camera is near floor level: turnout and width need it at about hip height, looking down on the feet."}
        )
    elif poses := [r.pose for r in with_pose if r.pose is not None]:
        intr = Intrinsics.from_fov(poses[0].size_wh, options.hfov_deg)
        high = float(np.median([hips_above_axis_deg(p, intr) for p in poses]))
        if high > FRAMED_HIGH_DEG:
            out.append(
                {
                    "code": "framed_high",
                    "message": f"The person stands high in the picture (hips {high:.0f} deg above its centre, as from a low "
                    "camera aimed level): turnout tends to read too low there (in our tests by 1-2 deg on average, 5 deg "
                    "or more for some feet). Tilt the camera down, or raise it, so the hips are near the middle.",
                }
            )
    if len(with_pose) < 5 and n > 1:
        out.append({"code": "few_frames", "message": f"Only {len(with_pose)} frames had a person in view."})
    return out


# ---------------------------------------------------------------- live


@dataclass(frozen=True)
class LiveFrame:
    """What the live page shows for one camera frame."""

    annotated_rgb: np.ndarray
    metrics: StanceMetrics  # smoothed (One Euro) for display
    raw: StanceMetrics
    pose: PoseFrame | None
    people: int
    cues: tuple[str, ...]
    scene: Scene | None = None  # the camera and floor this frame was measured through

    def record(self, index: int) -> FrameRecord:
        """The stream's record of this frame, as the guided check keeps it for the outline
        (LiveSession.read_outline): the followed pose, both readings and the scene."""
        return FrameRecord(index, self.metrics.t_s, self.people, self.pose, self.raw, self.metrics, scene=self.scene)


LIVE_MOVING_SPEED = 0.15  # body heights per second: above this the person is asked to stand still


class LiveSession:
    """Per-frame analysis of a live stream with jitter filtering; one per camera connection."""

    def __init__(self, options: AnalysisOptions | None = None, *, estimator: PoseEstimator | None = None, mirror: bool = False) -> None:
        self.options = options or AnalysisOptions()
        self._estimator = estimator or _new_estimator(self.options, "video", live=True)
        self.mirror = mirror
        self._fa = FrameAnalyzer(self.options)
        self._filters: dict[str, OneEuroFilter] = {}
        self._prev_pose: PoseFrame | None = None
        self._speed = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)

    def _filter(self, name: str, value: float, t_s: float) -> float:
        f = self._filters.setdefault(name, OneEuroFilter())
        return f.update(value, t_s)

    def smooth(self, m: StanceMetrics) -> StanceMetrics:
        sides = {}
        for side in Side:
            s = m.side(side)
            sides[side] = SideMetrics(
                turnout_deg=self._filter(f"turnout.{side.value}", s.turnout_deg, m.t_s),
                knee_fppa_deg=self._filter(f"fppa.{side.value}", s.knee_fppa_deg, m.t_s),
                knee_offset_ratio=self._filter(f"offset.{side.value}", s.knee_offset_ratio, m.t_s),
            )
        return replace(
            m,
            left=sides[Side.LEFT],
            right=sides[Side.RIGHT],
            stance_width_ratio=self._filter("width", m.stance_width_ratio, m.t_s),
            ankle_width_ratio=self._filter("ankle_width", m.ankle_width_ratio, m.t_s),
            stance_width_cm=self._filter("width_cm", m.stance_width_cm, m.t_s),
        )

    def process(self, rgb: np.ndarray, t_s: float) -> LiveFrame:
        """Analyse one camera frame. With ``mirror`` the picture is shown flipped like a mirror, but the
        model sees the real picture (it names sides from how the person looks, so a flipped picture
        would swap left and right)."""
        det = self._estimator.detect(rgb, t_s)
        pose = self._fa.camera_pose(det.pose)
        raw, overlay, _ = self._fa.step(pose, t_s)
        speed = math.nan
        if pose is not None and self._prev_pose is not None:
            speed = self._speed.update(leg_speed(self._prev_pose, pose), t_s)
        self._prev_pose = pose
        metrics = self.smooth(raw)
        high = hips_above_axis_deg(pose, self._fa.intrinsics(pose.size_wh)) if pose is not None else math.nan
        cues = live_cues(raw, pose, len(det.people), speed, high)
        if self.mirror:
            rgb = np.ascontiguousarray(rgb[:, ::-1])
            overlay = mirrored(overlay, rgb.shape[1])
        annotated = annotate(rgb, overlay, metrics if pose is not None else None, cues)
        return LiveFrame(annotated, metrics, raw, pose, len(det.people), cues, self._fa.scene)

    def read_outline(self, shots: Sequence[tuple[np.ndarray, FrameRecord]]) -> list[SilhouetteFit | None]:
        """The feet's outline on a few kept camera frames (RGB as the model saw it, with the stream's
        record of it: pose and scene), as a video fits its still frames (read_shot_outlines). Safe to
        call from another thread while frames are processed: it touches nothing of the session's.

        The reading runs in a child process of its own (spawned, about 0.5 s to start). The fit is plain
        Python; on a thread of the app's server it shared the interpreter's lock with the camera stream's
        own Python (aiortc), and its few seconds stretched past 90 s under load."""
        if not shots:
            return []
        try:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                return pool.submit(read_shot_outlines, self.options, self._fa.config, list(shots)).result()
        except BrokenProcessPool as exc:
            raise InputError("The feet's outline could not be read: its process stopped (out of memory?)") from exc

    @property
    def config(self) -> MetricsConfig:
        return self._fa.config

    def close(self) -> None:
        self._estimator.close()


def live_cues(
    raw: StanceMetrics, pose: PoseFrame | None, people: int, speed: float, hips_above_deg: float = math.nan
) -> tuple[str, ...]:
    """Plain-language cues, most important first. ``hips_above_deg``: how far the hips sit above the
    picture's centre (geometry.camera.hips_above_axis_deg); past FRAMED_HIGH_DEG the turnout reads low."""
    if pose is None:
        return ("Step into view: stand 2-3 m from the camera with your whole body visible",)
    cues = []
    reasons = " ".join(raw.reasons.values())
    if "out of view" in reasons:
        cues.append("Step back until your feet are in view")
    if LIFTED_FOOT_REASON in reasons:
        cues.append("Put both feet on the floor")
    if raw.view in (View.LEFT_SAGITTAL, View.RIGHT_SAGITTAL, View.OBLIQUE):
        cues.append("Turn to face the camera")
    elif raw.view is View.POSTERIOR:
        cues.append("Turn around to face the camera")
    if "floor level" in reasons:
        cues.append("Raise the camera or tilt it down so the floor shows")
    elif hips_above_deg > FRAMED_HIGH_DEG:
        cues.append("Tilt the camera down so your hips are near the middle of the picture")
    if math.isfinite(speed) and speed > LIVE_MOVING_SPEED:
        cues.append("Stand still")
    if people > 1:
        cues.append("More than one person in view: following the largest")
    return tuple(cues)
