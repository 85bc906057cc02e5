"""The pose adapter: the only module that imports mediapipe.

Model files are resolved in this order (first hit wins):

1. an explicit path given by the caller (a ``.task`` file or a folder holding it);
2. the folder in the environment variable ``ANALYZER_MODEL_DIR``;
3. the user cache (``$XDG_CACHE_HOME/stance/models`` or ``~/.cache/stance/models``);
4. a download from MediaPipe's published URL into the cache, with a progress bar and a sha256 check.

Offline with no local copy gives one clear line that names the variable to set.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ModelError
from analyzer.landmarks import (
    N_LANDMARKS,
    Landmark,
    PoseDetection,
    PoseFrame,
    mean_reading,
    sides_crossed,
    unmirror,
)

MODEL_ENV = "ANALYZER_MODEL_DIR"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    url: str
    sha256: str


MODELS = {
    "full": ModelSpec(
        "full",
        "pose_landmarker_full.task",
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_full/float16/1/pose_landmarker_full.task",
        "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
    ),
    "heavy": ModelSpec(
        "heavy",
        "pose_landmarker_heavy.task",
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_heavy/float16/1/pose_landmarker_heavy.task",
        "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b",
    ),
}


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stance" / "models"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _spec(model: str) -> ModelSpec:
    if model not in MODELS:
        raise ModelError(f"Unknown model '{model}': choose one of {', '.join(MODELS)}.")
    return MODELS[model]


def resolve_model(
    model: str = "full",
    path: str | Path | None = None,
    download: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Find (or fetch) the ``.task`` file of ``model`` ("full" or "heavy"). See the module docstring."""
    spec = _spec(model)
    if path is not None:
        p = Path(path).expanduser()
        candidate = p / spec.filename if p.is_dir() else p
        if not candidate.is_file():
            raise ModelError(f"Model file not found: {candidate}")
        return candidate
    env = os.environ.get(MODEL_ENV)
    if env:
        candidate = Path(env).expanduser() / spec.filename
        if candidate.is_file():
            return candidate
        raise ModelError(f"{MODEL_ENV}={env} does not contain {spec.filename}.")
    cached = cache_dir() / spec.filename
    if cached.is_file():
        return cached
    if not download:
        raise ModelError(f"Pose model {spec.filename} not found; set {MODEL_ENV} to a folder that holds it.")
    return download_model(spec, cached, progress)


def download_model(spec: ModelSpec, dest: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Download ``spec`` to ``dest`` atomically, verifying its sha256. Raises :class:`ModelError`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(spec.url, timeout=30) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            bar = _progress_bar(progress, total, spec.filename)
            while chunk := resp.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                bar(done, total)
        digest = sha256_of(tmp)
        if digest != spec.sha256:
            raise ModelError(f"Downloaded {spec.filename} has sha256 {digest[:12]}..., expected {spec.sha256[:12]}...")
        tmp.replace(dest)
        return dest
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(
            f"Pose model {spec.filename} not found locally and the download failed ({reason}); "
            f"set {MODEL_ENV} to a folder that holds it."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _progress_bar(progress: Callable[[int, int], None] | None, total: int, name: str) -> Callable[[int, int], None]:
    if progress is not None:
        return progress
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return lambda done, total: None
    bar = tqdm(total=total or None, unit="B", unit_scale=True, desc=f"Downloading {name}", file=sys.stderr)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if total and done >= total:
            bar.close()

    return update


# ---------------------------------------------------------------- the landmarker


# How often, in stream time, a stream that follows one person looks for anyone else in view.
CROWD_CHECK_S = 0.5
# How long a crowd must stay gone before the stream goes back to following one person.
CROWD_GONE_S = 3.0


class PoseEstimator:
    """MediaPipe PoseLandmarker behind one interface.

    ``mode="video"`` for streams (timestamps must increase; they are forced to) and ``mode="image"`` for
    stills. Call :meth:`close` (or use it as a context manager): closing from a garbage-collector
    finaliser can deadlock inside MediaPipe, so this class has none.

    Up to ``num_poses`` people are detected; the one followed (``PoseDetection.main``) is the person
    nearest to the one followed before, or the largest on the first frame.

    Speed: a VIDEO landmarker asked for more than one person runs the person detector on every frame
    (about 37 fps at 720p here against 62 for one person), because it keeps looking for the others.
    So a stream follows one person with a one-person tracker, and every ``CROWD_CHECK_S`` of stream
    time a second, several-person VIDEO landmarker looks at the same frame on a worker thread (the
    other core; MediaPipe releases the GIL). Its answer is read at the next check, so the main
    loop never waits for it, and results do not depend on thread timing. (An IMAGE-mode count does
    not do: the detector alone missed the second person of a real clip on every frame; the sparse
    tracker found them within 4 s, looking every 0.2 s or every 0.5 s alike.) When it sees more than one person the stream switches to a
    several-person tracker on every frame, and back after ``CROWD_GONE_S`` with one person.

    ``flip_average``: a second landmarker reads the left-right mirrored frame at the same
    time, on a worker thread, and the followed person's landmarks are the mean of both readings
    (:func:`analyzer.landmarks.flip_mean`). When the mirrored reading does not find the same person
    (someone else, or nobody), or names the person's sides the other way round (the model took them to be
    seen from their other side in one of the two: analyzer.landmarks.sides_crossed), the frame keeps its
    own reading alone (``PoseFrame.flip_averaged`` False).
    It costs a second model run per frame: about 30 instead of 45 fps for a 720p video with two cores
    (python -m benchmarks.speed, with and without --no-flip). Off unless asked; file analysis asks for
    it (AnalysisOptions.flip_average), the live camera does not.

    ``masks``: in IMAGE mode the followed person's segmentation mask comes with the landmarks
    (``PoseDetection.mask``; the feet's outline, see analyzer.geometry.silhouette). On by default for
    stills; never in VIDEO mode, where the outline's fit (a second or so a frame) would be too slow.
    """

    def __init__(
        self,
        model: str = "full",
        mode: str = "video",
        model_path: str | Path | None = None,
        num_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        flip_average: bool = False,
        masks: bool | None = None,
    ) -> None:
        if mode not in ("video", "image"):
            raise ValueError("mode must be 'video' or 'image'")
        if num_poses < 1:
            raise ValueError("num_poses must be at least 1")
        path = resolve_model(model, model_path)
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        # The person mask (PoseDetection.mask) is read for stills only: see the docstring.
        self.masks = mode == "image" and (masks is None or masks)

        def create(running_mode: str, people: int, segment: bool = False) -> Any:
            running = vision.RunningMode.VIDEO if running_mode == "video" else vision.RunningMode.IMAGE
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(path)),
                running_mode=running,
                num_poses=people,
                min_pose_detection_confidence=min_detection_confidence,
                min_pose_presence_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
                output_segmentation_masks=segment,
            )
            try:
                return vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"Could not load the pose model {path.name}: {exc}") from exc

        self._create = create
        self.model = model
        self.mode = mode
        self.model_path = path
        self.num_poses = num_poses
        self._crowd: Any = None
        self._several: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._check: Future[Any] | None = None
        if mode == "video" and num_poses > 1:
            self._landmarker = create("video", 1)
            self._crowd = create("video", num_poses)
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-crowd")
        else:
            self._landmarker = create(mode, num_poses, segment=self.masks)
        self.flip_average = flip_average
        self._flip: Any = None
        self._flip_pool: ThreadPoolExecutor | None = None
        if flip_average:
            self._flip = create(mode, num_poses if mode == "image" else 1)
            self._flip_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-flip")
        self._last_ms = -1
        self._next_check_ms = 0
        self._alone_since_ms: int | None = None
        self._last_centre: np.ndarray | None = None

    @property
    def following_several(self) -> bool:
        """True while the stream runs the several-person tracker (someone else was seen)."""
        return self._several is not None

    def detect(self, rgb: np.ndarray, t_s: float = 0.0) -> PoseDetection:
        """Run the landmarker on one upright RGB frame (H, W, 3) uint8."""
        h, w = rgb.shape[:2]
        image = self._image(rgb)
        ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        flipped = None
        if self._flip_pool is not None:
            # The mirror image is read on the other core while this thread reads the frame.
            mirror = self._image(rgb[:, ::-1])
            if self.mode == "video":
                flipped = self._flip_pool.submit(self._flip.detect_for_video, mirror, ms)
            else:
                flipped = self._flip_pool.submit(self._flip.detect, mirror)
        result = self._detect_stream(image, ms) if self.mode == "video" else self._landmarker.detect(image)
        people = _pose_frames(result, t_s, (w, h))
        main = self._choose_main(tuple(people))
        mirrored = None
        if flipped is not None:
            seen = flipped.result()
            if main is not None:
                twin = _same_person(people[main], _pose_frames(seen, t_s, (w, h)))
                mirrored = unmirror(twin) if twin is not None else None
        if main is not None:
            people[main] = _with_mirror(people[main], mirrored)
        mask = None
        if self.masks and main is not None and len(result.segmentation_masks or []) > main:
            mask = _mask_array(result.segmentation_masks[main], (w, h))
        return PoseDetection(people=tuple(people), main=main, t_s=t_s, mask=mask)

    def _image(self, rgb: np.ndarray) -> Any:
        """The model's input image for an RGB array (H, W, 3) uint8."""
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def _detect_stream(self, image: Any, ms: int) -> Any:
        if self._several is not None:
            result = self._several.detect_for_video(image, ms)
            if len(result.pose_landmarks) > 1:
                self._alone_since_ms = None
            elif self._alone_since_ms is None:
                self._alone_since_ms = ms
            elif ms - self._alone_since_ms >= CROWD_GONE_S * 1000:
                self._several.close()
                self._several = None
                self._next_check_ms = ms + int(CROWD_CHECK_S * 1000)
            return result
        if self._pool is not None and ms >= self._next_check_ms:
            self._next_check_ms = ms + int(CROWD_CHECK_S * 1000)
            seen = self._check.result() if self._check is not None else None
            self._check = None
            if seen is not None and len(seen.pose_landmarks) > 1:
                # Someone else is in view: follow everyone from now on.
                self._several = self._create("video", self.num_poses)
                self._alone_since_ms = None
                return self._detect_stream(image, ms)
            own = self._image(image.numpy_view().copy())
            self._check = self._pool.submit(self._crowd.detect_for_video, own, ms)
        return self._landmarker.detect_for_video(image, ms)

    def _choose_main(self, people: tuple[PoseFrame, ...]) -> int | None:
        if not people:
            return None
        centres = [_body_centre(p) for p in people]
        if self._last_centre is not None and len(people) > 1:
            dists = [float(np.linalg.norm(c - self._last_centre)) for c in centres]
            main = int(np.argmin(dists))
        else:
            main = int(np.argmax([_body_size(p) for p in people]))
        self._last_centre = centres[main]
        return main

    def reset(self) -> None:
        """Forget the followed person (e.g. between clips); count the people again on the next frame.

        In VIDEO mode the landmarkers are made anew: MediaPipe's keep the last frame's region of interest
        and smooth the landmarks over the timestamps, which are forced to increase, so a second clip read
        by the same landmarkers starts from the first clip's person and has its frames 1 ms apart. Holdout
        stills filmed for 1.5 s and read one after the other that way came out 15.7 deg off in turnout
        (3.99 deg with new landmarkers for each: python -m benchmarks.accuracy --as-video 1.5)."""
        self._last_centre = None
        self._next_check_ms = 0
        self._alone_since_ms = None
        if self._check is not None:
            self._check.result()
            self._check = None
        if self.mode != "video":
            return
        fresh = {"_landmarker": 1 if self._crowd is not None else self.num_poses, "_crowd": self.num_poses, "_flip": 1}
        for name, people in fresh.items():
            if getattr(self, name) is not None:
                getattr(self, name).close()
                setattr(self, name, self._create("video", people))
        if self._several is not None:
            self._several.close()
            self._several = None
        self._last_ms = -1

    def close(self) -> None:
        for pool in ("_pool", "_flip_pool"):
            if getattr(self, pool, None) is not None:
                getattr(self, pool).shutdown(wait=True)
                setattr(self, pool, None)
        for name in ("_landmarker", "_crowd", "_several", "_flip"):
            landmarker = getattr(self, name, None)
            if landmarker is not None:
                landmarker.close()
                setattr(self, name, None)

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pose_frames(result: Any, t_s: float, size_wh: tuple[int, int]) -> list[PoseFrame]:
    """Every person of one PoseLandmarker result."""
    return [
        _to_pose_frame(img, world, t_s, size_wh)
        for img, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=False)
    ]


def _mask_array(image: Any, size_wh: tuple[int, int]) -> np.ndarray | None:
    """A MediaPipe segmentation mask as an (H, W) float32 copy (person probability 0..1), or None when it
    does not have the frame's size."""
    arr = np.array(image.numpy_view(), dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[..., 0]
    return arr if arr.shape == (size_wh[1], size_wh[0]) else None


def _to_pose_frame(img_lms: list, world_lms: list, t_s: float, size_wh: tuple[int, int]) -> PoseFrame:
    n = N_LANDMARKS
    image_xy = np.empty((n, 2))
    world = np.empty((n, 3))
    vis = np.empty(n)
    pres = np.empty(n)
    for i, (a, b) in enumerate(zip(img_lms[:n], world_lms[:n], strict=False)):
        image_xy[i] = (a.x, a.y)
        world[i] = (b.x, b.y, b.z)
        vis[i] = a.visibility if a.visibility is not None else 0.0
        pres[i] = a.presence if a.presence is not None else 0.0
    return PoseFrame(image_xy=image_xy, world_xyz=world, visibility=vis, presence=pres, t_s=t_s, size_wh=size_wh)


# A mirrored reading belongs to the same person when its hip centre (back in the original frame) lies
# within this share of the person's torso length (hip centre to shoulder centre, in the image).
SAME_PERSON_TORSO = 0.3


def _same_person(p: PoseFrame, mirrored: list[PoseFrame]) -> PoseFrame | None:
    """The mirrored reading of person ``p`` (as the model gave it), or None when no reading matches."""
    px = p.pixels_xy
    hip = 0.5 * (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP])
    torso = float(np.linalg.norm(0.5 * (px[Landmark.LEFT_SHOULDER] + px[Landmark.RIGHT_SHOULDER]) - hip))
    best, best_d = None, SAME_PERSON_TORSO * torso
    for m in mirrored:
        # The hip centre is its own mirror twin: only its x flips back.
        q = m.pixels_xy
        centre = 0.5 * (q[Landmark.LEFT_HIP] + q[Landmark.RIGHT_HIP])
        centre[0] = m.size_wh[0] - centre[0]
        d = float(np.linalg.norm(centre - hip))
        if d <= best_d:
            best, best_d = m, d
    return best


def _with_mirror(p: PoseFrame, mirrored: PoseFrame | None) -> PoseFrame:
    """A reading averaged with its mirror image's (unmirrored; analyzer.landmarks.mean_reading), unless the
    two name the body's sides the other way round from each other (analyzer.landmarks.sides_crossed): then
    the frame's own reading alone."""
    if mirrored is None or sides_crossed(mirrored, p):
        return p
    return mean_reading(p, mirrored)


def _body_centre(p: PoseFrame) -> np.ndarray:
    return np.asarray(p.image_xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0))


def _body_size(p: PoseFrame) -> float:
    xy = p.image_xy
    return float(np.ptp(xy[:, 0]) * np.ptp(xy[:, 1]))
