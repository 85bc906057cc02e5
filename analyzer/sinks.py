"""Writing browser-playable video: H.264 (libx264), yuv420p, faststart, through PyAV.

OpenCV's mp4v does not play in browsers and its avc1 writer is often unavailable; PyAV ships libx264.
Use as a context manager; frames are RGB uint8 of one fixed size. :class:`ClipRecorder` records the live
camera's frames to such a file, one recording at a time, for the Live page's "Record a clip".
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np


class H264Writer:
    """Write RGB frames with real timestamps (seconds) to an mp4 file."""

    def __init__(self, path: str | Path, size_wh: tuple[int, int], fps: float = 30.0, crf: int = 23) -> None:
        self.path = Path(path)
        w, h = size_wh
        if w % 2 or h % 2:
            raise ValueError(f"H.264 with yuv420p needs even sizes, got {w}x{h}")
        self._container: av.container.OutputContainer | None = av.open(
            str(self.path), mode="w", options={"movflags": "+faststart"}
        )
        rate = Fraction(max(1, int(round(fps * 1000))), 1000) if fps and fps > 0 else Fraction(30)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = w, h
        self._stream.pix_fmt = "yuv420p"
        # Millisecond time base for both stream and encoder: variable frame rate keeps its real timing.
        self._stream.time_base = Fraction(1, 1000)
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}
        # One encoder thread: the writer already runs beside the pose model on a 2-core machine, and
        # x264's own threads cost a third more CPU in all (10.5 vs 7.1 ms a 720p frame here).
        self._stream.codec_context.thread_count = 1
        self._last_pts = -1
        self.frames = 0

    def write(self, rgb: np.ndarray, t_s: float) -> None:
        if self._container is None:
            raise ValueError("H264Writer is closed")
        # OpenCV's RGB -> I420 (BT.601, video range, like swscale's default) is 4x faster than letting
        # the encoder convert (0.7 vs 2.9 ms a 720p frame here), and the writer shares 2 cores with the model.
        yuv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).astype(np.uint8, copy=False)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = max(int(round(t_s * 1000)), self._last_pts + 1)
        frame.pts, frame.time_base = pts, Fraction(1, 1000)
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OrderedWorker:
    """Run calls one after another on a worker thread, at most ``depth`` waiting.

    For drawing and encoding the annotated video beside the pose model (OpenCV and PyAV release the
    GIL). A call's exception is raised by the next :meth:`submit` that waits on it, or by :meth:`close`.
    """

    def __init__(self, depth: int = 8) -> None:
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-sink")
        self._pending: deque[Future[None]] = deque()
        self._depth = depth

    def submit(self, fn: Callable[..., None], *args: object) -> None:
        if self._pool is None:
            raise ValueError("OrderedWorker is closed")
        self._pending.append(self._pool.submit(fn, *args))
        while len(self._pending) > self._depth:
            self._pending.popleft().result()

    def close(self) -> None:
        """Wait for every call, then stop the thread; raises the first call's exception, if any."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def jpeg_bytes(rgb: np.ndarray, max_side: int = 640, quality: int = 85) -> bytes | None:
    """An RGB picture as JPEG bytes, scaled down to ``max_side`` on its long side (records, reports)."""
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes() if ok else None


@dataclass(frozen=True)
class RecordingState:
    """Where a :class:`ClipRecorder` stands. ``phase``: "idle" (nothing yet), "recording" or "done".

    ``elapsed_s``: seconds of video written (first to last frame's time); ``ended_by``: "stopped" (asked),
    "limit" (``max_s`` reached), "camera" (the video stopped arriving) or "error"; ``message`` says what
    went wrong when the writer failed. ``take`` counts recordings, so a page knows a new one from the last.
    """

    phase: str = "idle"
    take: int = 0
    name: str = ""
    path: Path | None = None
    frames: int = 0
    elapsed_s: float = 0.0
    size_wh: tuple[int, int] | None = None
    ended_by: str = ""
    message: str = ""


class ClipRecorder:
    """Record camera frames to one browser-playable mp4 at a time, bounded in length and size.

    Thread-safe: the camera's thread calls :meth:`write`, the page :meth:`start` and :meth:`stop`. The
    video keeps the size of its first frame (even, long side at most ``max_long_side``); a later frame of
    another size (WebRTC lowers the resolution when the link or the CPU is short) is scaled to it.
    Timestamps are the frames' own, from 0 at the first. A new recording deletes the previous file.
    """

    def __init__(self, folder: str | Path, max_s: float = 60.0, max_long_side: int = 1280) -> None:
        if not max_s > 0:
            raise ValueError(f"max_s must be positive, got {max_s}")
        self.folder = Path(folder)
        self.max_s = float(max_s)
        self.max_long_side = int(max_long_side)
        self._lock = threading.Lock()
        self._writer: H264Writer | None = None
        self._t0: float | None = None
        self._state = RecordingState()

    def state(self) -> RecordingState:
        with self._lock:
            return self._state

    def start(self, name: str) -> RecordingState:
        """Begin a new recording called ``name`` (a file name ending in .mp4); stops one that is running."""
        self.stop()
        with self._lock:
            old = self._state.path
            if old is not None:
                old.unlink(missing_ok=True)
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / Path(name).name
            path.unlink(missing_ok=True)
            self._t0 = None
            self._state = RecordingState("recording", self._state.take + 1, path.name, path)
            return self._state

    def write(self, rgb: np.ndarray, t_s: float) -> bool:
        """Add one RGB frame taken at ``t_s`` seconds (any clock that only goes forward); False when not
        recording. Reaching ``max_s`` ends the recording ("limit")."""
        with self._lock:
            st = self._state
            if st.phase != "recording" or st.path is None:
                return False
            try:
                if self._writer is None:
                    w, h = _even_size(rgb.shape[1], rgb.shape[0], self.max_long_side)
                    self._writer = H264Writer(st.path, (w, h), fps=30.0)
                    self._t0 = t_s
                    st = replace(st, size_wh=(w, h))
                assert self._t0 is not None and st.size_wh is not None
                w, h = st.size_wh
                frame = rgb if rgb.shape[:2] == (h, w) else cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
                elapsed = max(st.elapsed_s, t_s - self._t0)
                self._writer.write(frame, elapsed)
            except Exception as exc:  # noqa: BLE001 - a full disk or a codec failure: keep what was written
                self._state = st
                self._finish("error", f"The recording stopped: {type(exc).__name__}: {exc}")
                return False
            self._state = replace(st, frames=st.frames + 1, elapsed_s=elapsed)
            if elapsed >= self.max_s:
                self._finish("limit")
            return True

    def stop(self, ended_by: str = "stopped") -> RecordingState:
        """End the running recording (if any) and close its file; the file is kept."""
        with self._lock:
            if self._state.phase == "recording":
                self._finish(ended_by)
            return self._state

    def discard(self) -> None:
        """Stop and delete the current recording's file (the folder stays)."""
        self.stop()
        with self._lock:
            if self._state.path is not None:
                self._state.path.unlink(missing_ok=True)
            self._state = RecordingState(take=self._state.take)

    def _finish(self, ended_by: str, message: str = "") -> None:
        """Close the writer (under the lock). A writer that fails to close says so in ``message``."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except Exception as exc:  # noqa: BLE001
                message = message or f"The recording could not be finished: {type(exc).__name__}: {exc}"
                ended_by = "error"
        self._state = replace(self._state, phase="done", ended_by=ended_by, message=message)


def _even_size(w: int, h: int, max_long_side: int) -> tuple[int, int]:
    """(w, h) scaled so the long side is at most ``max_long_side``, each rounded down to even (H.264 4:2:0)."""
    scale = min(1.0, max_long_side / max(w, h))
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
