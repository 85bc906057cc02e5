"""Frame sources: video files (any container/codec FFmpeg reads), still images and webcams.

Every source yields :class:`Frame` values: an upright RGB image (rotation metadata applied to the pixels)
and a real timestamp in seconds (presentation time for files, so variable frame rate is honoured;
wall-clock time for cameras). Large frames are scaled down so the long side is at most ``max_long_side``.
"""

from __future__ import annotations

import io
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
from analyzer.geometry.camera import hfov_from_equivalent_deg

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
class Lens:
    """The camera's lens as the file's own metadata states it.

    equivalent_mm: the 35 mm-equivalent focal length written by the camera (EXIF FocalLengthIn35mmFilm,
    or an iPhone video's com.apple.quicktime.camera.focal_length.35mm_equivalent). hfov_deg: the field of
    view across the upright picture's width that it gives. cropped: the picture is a cut of the one the
    camera took (its aspect ratio differs from the size in the metadata); the focal length is then taken
    at the camera's pixel scale and the optical centre, now unknown, at the cut's centre.
    """

    equivalent_mm: float
    hfov_deg: float
    cropped: bool = False

    def __post_init__(self) -> None:
        if not (MIN_EQUIVALENT_MM <= self.equivalent_mm <= MAX_EQUIVALENT_MM and 1.0 < self.hfov_deg < 179.0):
            raise ValueError(f"implausible lens: {self.equivalent_mm} mm equivalent, {self.hfov_deg} deg")


# Equivalent focal lengths outside this range are taken for broken metadata (a fisheye action camera is
# about 10 mm, a phone's 5x camera 120 mm; a whole body at 3-6 m needs far less than 400).
MIN_EQUIVALENT_MM = 8.0
MAX_EQUIVALENT_MM = 400.0


@dataclass(frozen=True)
class SourceInfo:
    """What a source is: name, kind ("video", "image", "webcam"), upright size after scaling, and timing;
    ``lens`` when the file's metadata states it (else the analysis assumes a field of view)."""

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
    lens: Lens | None = None
    # The metadata says the picture was cut from a larger one (Lens.cropped), lens read or not.
    cropped_from_wh: tuple[int, int] | None = None

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
            lens=video_lens(self._container, (w, h)),
        )

    def _peek_first_frame(self) -> av.VideoFrame:
        # One decoding iterator for the whole file: the decoder may hold several frames when it gives the
        # first (a clip of a few frames with B-frames), and a second iterator would lose them.
        self._decoded = self._container.decode(self._stream)
        try:
            for frame in self._decoded:
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
            yield from self._decoded
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
    lens, cropped_from = photo_lens(data.tobytes(), (w, h))
    info = SourceInfo(
        name=p.name, kind="image", width=out_w, height=out_h, frame_count=1, codec=p.suffix.lstrip("."),
        lens=lens, cropped_from_wh=cropped_from,
    )
    return rgb, info


# iPhones write the video's lens under this key (AVFoundation's QuickTime metadata).
VIDEO_EQUIVALENT_KEY = "com.apple.quicktime.camera.focal_length.35mm_equivalent"


def video_lens(container: av.container.InputContainer, upright_wh: tuple[int, int]) -> Lens | None:
    """The lens a video's metadata states, from the file's or a stream's metadata as FFmpeg reads it
    (None when neither has it). The value is taken to hold for the video's picture as stored."""
    for meta in (container.metadata, *(st.metadata for st in container.streams)):
        value = meta.get(VIDEO_EQUIVALENT_KEY)
        equivalent = _number(str(value).lower().removesuffix("mm").strip()) if value is not None else None
        if equivalent is not None and MIN_EQUIVALENT_MM <= equivalent <= MAX_EQUIVALENT_MM:
            return Lens(equivalent, hfov_from_equivalent_deg(equivalent, upright_wh))
    return None


# EXIF tags (Exif 2.32): in IFD0 the orientation; in the Exif IFD the focal length in 35 mm film and the
# size of the picture the camera wrote.
EXIF_IFD, EXIF_ORIENTATION, EXIF_EQUIVALENT_MM, EXIF_PIXEL_X, EXIF_PIXEL_Y = 0x8769, 0x0112, 0xA405, 0xA002, 0xA003


def photo_lens(data: bytes, upright_wh: tuple[int, int]) -> tuple[Lens | None, tuple[int, int] | None]:
    """The lens a photo's EXIF states (None when it states none), and the camera's picture size when the
    photo is a cut of it (else None). ``data``: the photo file's bytes (as already read to decode it);
    ``upright_wh``: the decoded picture's size, orientation applied.

    The 35 mm equivalence holds for the whole picture the camera took: a photo scaled down keeps it, so
    the field of view comes from the photo's own aspect ratio. A cut (aspect ratio unlike the size the
    metadata gives) is taken to keep the camera's pixel scale, as phone editors crop: the focal length
    in pixels is the camera picture's, and the field of view across the cut narrower. A cut larger than
    the stated picture on either side was also rescaled: its lens is unknown."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            sub = exif.get_ifd(EXIF_IFD)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None, None
    equivalent = _number(sub.get(EXIF_EQUIVALENT_MM))
    size = (_number(sub.get(EXIF_PIXEL_X)), _number(sub.get(EXIF_PIXEL_Y)))
    w, h = upright_wh
    camera_wh: tuple[int, int] | None = None
    if all(v is not None and v > 0 for v in size):
        cw, ch = int(size[0]), int(size[1])  # type: ignore[arg-type]
        camera_wh = (ch, cw) if _number(exif.get(EXIF_ORIENTATION)) in (5, 6, 7, 8) else (cw, ch)
        if abs((w / h) / (camera_wh[0] / camera_wh[1]) - 1.0) <= 0.01:
            camera_wh = None  # the whole picture, perhaps scaled
    if equivalent is None or not MIN_EQUIVALENT_MM <= equivalent <= MAX_EQUIVALENT_MM:
        return None, camera_wh
    if camera_wh is None:
        return Lens(equivalent, hfov_from_equivalent_deg(equivalent, (w, h))), None
    if w > camera_wh[0] or h > camera_wh[1]:
        return None, camera_wh
    return Lens(equivalent, hfov_from_equivalent_deg(equivalent, (w, h), camera_wh), cropped=True), camera_wh


def _number(value: object) -> float | None:
    """An EXIF value (int, PIL's IFDRational, a 1-tuple) as a finite float, else None."""
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return out if math.isfinite(out) else None


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
