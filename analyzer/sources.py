"""Frame sources: video files (any container/codec FFmpeg reads), still images and webcams.

Every source yields :class:`Frame` values: an upright RGB image (rotation metadata applied to the pixels)
and a real timestamp in seconds (presentation time for files, so variable frame rate is honoured;
wall-clock time for cameras). Large frames are scaled down so the long side is at most ``max_long_side``.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import av
import cv2
import numpy as np

from analyzer.errors import CameraError, InputError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv", ".mpg", ".mpeg", ".3gp")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_MAX_LONG_SIDE = 1280
MAX_FILE_BYTES = 2 * 1024**3  # 2 GiB: larger uploads are refused with a message, not read.
MAX_PIXELS = 8192 * 8192


@dataclass(frozen=True)
class Frame:
    """One upright RGB frame: ``rgb`` (H, W, 3) uint8, ``t_s`` seconds from the stream start, ``index`` 0-based."""

    rgb: np.ndarray
    t_s: float
    index: int

    def __post_init__(self) -> None:
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or self.rgb.dtype != np.uint8:
            raise ValueError(f"Frame.rgb must be (H, W, 3) uint8, got {self.rgb.shape} {self.rgb.dtype}")

    @property
    def size_wh(self) -> tuple[int, int]:
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


@dataclass(frozen=True)
class SourceInfo:
    """What a source is: name, kind ("video", "image", "webcam"), upright size after scaling, and timing."""

    name: str
    kind: str
    width: int
    height: int
    rotation_deg: int = 0
    fps: float = math.nan
    duration_s: float = math.nan
    frame_count: int = 0  # best estimate, 0 when unknown
    codec: str = ""
    scaled_from_wh: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "rotation_deg": self.rotation_deg,
            "fps": None if math.isnan(self.fps) else round(self.fps, 3),
            "duration_s": None if math.isnan(self.duration_s) else round(self.duration_s, 3),
            "codec": self.codec,
        }


def scaled_size(w: int, h: int, max_long_side: int) -> tuple[int, int]:
    """The (w, h) after capping the long side, keeping the aspect ratio and even sizes for video encoders."""
    long_side = max(w, h)
    if long_side <= max_long_side:
        return w, h
    s = max_long_side / long_side
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)


def upright(rgb: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Apply a display rotation (degrees counter-clockwise, as FFmpeg's display matrix says) to the pixels."""
    k = (int(round(rotation_deg / 90.0)) % 4) if rotation_deg else 0
    return np.ascontiguousarray(np.rot90(rgb, k=k)) if k else rgb


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"File not found: {path}")
    if path.is_dir():
        raise InputError(f"Expected a file, got a folder: {path}")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputError(f"{path.name} is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{path.name} is {size / 1024**3:.1f} GiB; the limit is {MAX_FILE_BYTES / 1024**3:.0f} GiB. "
            "Trim or compress the video first."
        )


class VideoFileSource:
    """Decode a video file with PyAV (FFmpeg). Use as a context manager or call :meth:`close`.

    Timestamps come from each frame's presentation time, so variable frame rate phone videos keep
    their real timing. Rotation metadata (display matrix) is applied to the pixels. Decoding errors
    after the first frame (a truncated file) end the stream early and set :attr:`truncated`.
    """

    def __init__(self, path: str | Path, max_long_side: int = DEFAULT_MAX_LONG_SIDE) -> None:
        self.path = Path(path)
        _check_path(self.path)
        self.max_long_side = max_long_side
        self.truncated = False
        self.decode_error = ""
        try:
            self._container = av.open(str(self.path))
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{self.path.name} is not a readable video ({_short(exc)}).") from exc
        if not self._container.streams.video:
            self._container.close()
            raise InputError(f"{self.path.name} has no video stream.")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        cc = self._stream.codec_context
        w, h = int(cc.width or 0), int(cc.height or 0)
        if w <= 0 or h <= 0:
            self._container.close()
            raise InputError(f"{self.path.name}: the video stream has no picture size (damaged file?).")
        if w * h > MAX_PIXELS:
            self._container.close()
            raise InputError(f"{self.path.name}: {w}x{h} is larger than this tool reads ({MAX_PIXELS} pixels).")
        self._first = self._peek_first_frame()
        self.rotation_deg = int(getattr(self._first, "rotation", 0) or 0) % 360
        if self.rotation_deg in (90, 270):
            w, h = h, w
        out_w, out_h = scaled_size(w, h, max_long_side)
        rate = self._stream.average_rate or self._stream.guessed_rate
        fps = float(rate) if rate else math.nan
        duration = math.nan
        if self._stream.duration is not None and self._stream.time_base is not None:
            duration = float(self._stream.duration * self._stream.time_base)
        elif self._container.duration:
            duration = self._container.duration / 1e6
        count = int(self._stream.frames or 0)
        if count <= 0 and not math.isnan(duration) and not math.isnan(fps):
            count = int(round(duration * fps))
        self.info = SourceInfo(
            name=self.path.name,
            kind="video",
            width=out_w,
            height=out_h,
            rotation_deg=self.rotation_deg,
            fps=fps,
            duration_s=duration,
            frame_count=count,
            codec=cc.name or "",
            scaled_from_wh=(w, h) if (out_w, out_h) != (w, h) else None,
        )

    def _peek_first_frame(self) -> av.VideoFrame:
        try:
            for frame in self._container.decode(self._stream):
                return frame
        except (av.error.FFmpegError, ValueError) as exc:
            self._container.close()
            raise InputError(f"{self.path.name}: no frame could be decoded ({_short(exc)}).") from exc
        self._container.close()
        raise InputError(f"{self.path.name} contains no video frames.")

    def _convert(self, frame: av.VideoFrame) -> np.ndarray:
        rgb = upright(frame.to_ndarray(format="rgb24"), self.rotation_deg)
        if (rgb.shape[1], rgb.shape[0]) != (self.info.width, self.info.height):
            rgb = cv2.resize(rgb, (self.info.width, self.info.height), interpolation=cv2.INTER_AREA)
        return rgb

    def __iter__(self) -> Iterator[Frame]:
        t0: float | None = None
        last_t = -math.inf
        for index, frame in enumerate(self._frames_after_first()):
            t = frame.time
            if t is None:
                t = index / (self.info.fps if self.info.fps > 0 else 30.0)
            if t0 is None:
                t0 = t
            t_s = float(t - t0)
            if t_s <= last_t:  # duplicate or out-of-order timestamps: keep them strictly increasing
                t_s = last_t + 1e-3
            last_t = t_s
            yield Frame(self._convert(frame), t_s, index)

    def _frames_after_first(self) -> Iterator[av.VideoFrame]:
        yield self._first
        try:
            yield from self._container.decode(self._stream)
        except (av.error.FFmpegError, ValueError) as exc:
            self.truncated = True
            self.decode_error = _short(exc)

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


T = TypeVar("T")
_DONE = object()


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], depth: int = 4) -> Generator[T, None, None]:
    """Yield ``items`` in order, produced up to ``depth`` ahead on a worker thread.

    Decoding then overlaps the pose model on a 2-core machine (PyAV and MediaPipe both release the
    GIL). An exception raised while producing is raised here, after the items before it. Close the
    generator (``contextlib.closing``) when stopping early: that stops and joins the worker.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Raised(exc))

    worker = threading.Thread(target=produce, name="stance-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def read_image(path: str | Path, max_long_side: int = DEFAULT_MAX_LONG_SIDE) -> tuple[np.ndarray, SourceInfo]:
    """Read a still image upright (EXIF orientation applied) as RGB, long side capped."""
    p = Path(path)
    _check_path(p)
    data = np.fromfile(str(p), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)  # applies EXIF orientation
    if bgr is None:
        raise InputError(f"{p.name} is not a readable image.")
    h, w = bgr.shape[:2]
    out_w, out_h = scaled_size(w, h, max_long_side)
    if (out_w, out_h) != (w, h):
        bgr = cv2.resize(bgr, (out_w, out_h), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    info = SourceInfo(name=p.name, kind="image", width=out_w, height=out_h, frame_count=1, codec=p.suffix.lstrip("."))
    return rgb, info


def is_image_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


@dataclass
class WebcamSource:
    """A camera by index through OpenCV. Raises :class:`CameraError` when it cannot open or stops delivering."""

    index: int = 0
    max_long_side: int = DEFAULT_MAX_LONG_SIDE
    max_failed_reads: int = 15
    _cap: cv2.VideoCapture | None = field(default=None, init=False, repr=False)

    def open(self) -> SourceInfo:
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            raise CameraError(f"Camera {self.index} could not be opened (not connected, or used by another program).")
        self._cap = cap
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        out_w, out_h = scaled_size(w, h, self.max_long_side)
        return SourceInfo(name=f"camera {self.index}", kind="webcam", width=out_w, height=out_h, fps=cap.get(cv2.CAP_PROP_FPS))

    def __iter__(self) -> Iterator[Frame]:
        if self._cap is None:
            self.open()
        assert self._cap is not None
        t0 = time.monotonic()
        failed = 0
        index = 0
        while True:
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                failed += 1
                if failed >= self.max_failed_reads:
                    raise CameraError(f"Camera {self.index} stopped sending frames (unplugged?).")
                time.sleep(0.02)
                continue
            failed = 0
            h, w = bgr.shape[:2]
            out_w, out_h = scaled_size(w, h, self.max_long_side)
            if (out_w, out_h) != (w, h):
                bgr = cv2.resize(bgr, (out_w, out_h), interpolation=cv2.INTER_AREA)
            yield Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), time.monotonic() - t0, index)
            index += 1

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
