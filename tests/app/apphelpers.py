"""Helpers of the app tests: where the shared clips and model are, and media made from them at test time.

The shared folder is ``../shared`` next to the project root. Made media (short MP4s, Y4M camera feeds) go to
temporary folders and are never committed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CLIPS = SHARED / "clips"
STANDING_CLIP = CLIPS / "standing" / "frontal_parallel_feet.mp4"
JOG_CLIP = CLIPS / "walking" / "sagittal_jog.mp4"
MODEL_FILES = ("pose_landmarker_full.task",)


def model_dir() -> Path:
    """ANALYZER_MODEL_DIR if set, else ../shared/models."""
    env = os.environ.get("ANALYZER_MODEL_DIR")
    return Path(env) if env else SHARED / "models"


def video_frames(
    src: Path, seconds: float, size_wh: tuple[int, int], fps: float | None = None
) -> Iterator[np.ndarray]:
    """Upright RGB frames of ``src`` scaled to ``size_wh`` for the first ``seconds``, resampled to ``fps``."""
    w, h = size_wh
    next_t = 0.0
    with av.open(str(src)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t > seconds:
                break
            if fps is not None:
                if t + 1e-6 < next_t:
                    continue
                next_t += 1.0 / fps
            yield frame.to_ndarray(width=w, height=h, format="rgb24")


def make_mp4(
    src: Path, dst: Path, seconds: float, size_wh: tuple[int, int] = (640, 360), fps: int = 30
) -> Path:
    """An H.264 MP4 of the first ``seconds`` of ``src`` at ``size_wh``."""
    with av.open(str(dst), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size_wh
        stream.pix_fmt = "yuv420p"
        for rgb in video_frames(src, seconds, size_wh, fps):
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dst


def make_y4m(
    src: Path, dst: Path, seconds: float, size_wh: tuple[int, int] = (640, 360), fps: int = 15
) -> Path:
    """A YUV4MPEG2 file (Chrome's --use-file-for-fake-video-capture): header, then FRAME + I420 planes."""
    w, h = size_wh
    n = 0
    with dst.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in video_frames(src, seconds, size_wh, fps):
            yuv = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()
            assert yuv.shape == (h * 3 // 2, w), yuv.shape  # Y plane, then U and V stacked
            f.write(b"FRAME\n")
            f.write(np.ascontiguousarray(yuv).tobytes())
            n += 1
    if n == 0:
        raise ValueError(f"no frames read from {src}")
    return dst


def upright_frames(
    src: Path, seconds: float, max_long_side: int = 960, fps: float = 15.0
) -> list[np.ndarray]:
    """Upright RGB frames (rotation applied, as the analyzer's file source decodes them), resampled to fps."""
    from analyzer.sources import VideoFileSource

    out: list[np.ndarray] = []
    next_t = 0.0
    source = VideoFileSource(src, max_long_side)
    try:
        for frame in source:
            if frame.t_s > seconds:
                break
            if frame.t_s + 1e-6 >= next_t:
                out.append(frame.rgb)
                next_t += 1.0 / fps
    finally:
        source.close()
    return out
