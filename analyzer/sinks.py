"""Writing browser-playable video: H.264 (libx264), yuv420p, faststart, through PyAV.

OpenCV's mp4v does not play in browsers and its avc1 writer is often unavailable; PyAV ships libx264.
Use as a context manager; frames are RGB uint8 of one fixed size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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
