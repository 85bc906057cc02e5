"""The H.264 writer and the ordered worker that draws and encodes beside the pose model."""

from __future__ import annotations

import threading
import time

import av
import numpy as np
import pytest

from analyzer.sinks import H264Writer, OrderedWorker


def test_calls_run_in_order_on_one_other_thread():
    seen: list[tuple[int, str]] = []
    worker = OrderedWorker(depth=2)
    for i in range(20):
        # Early calls sleep longer: a pool with several threads would finish them out of order.
        worker.submit(lambda i=i: (time.sleep(0.002 * (20 - i) / 20), seen.append((i, threading.current_thread().name))))
    worker.close()
    assert [i for i, _ in seen] == list(range(20))
    names = {n for _, n in seen}
    assert len(names) == 1 and threading.current_thread().name not in names


def test_a_failing_call_is_raised_not_lost():
    worker = OrderedWorker(depth=8)

    def boom() -> None:
        raise OSError("disk full")

    worker.submit(boom)
    with pytest.raises(OSError, match="disk full"):
        worker.close()
    with pytest.raises(ValueError, match="closed"):
        worker.submit(boom)


def test_written_colours_come_back_from_the_decoder(tmp_path):
    # Flat patches of saturated and grey colours: the writer converts RGB to the encoder's YUV itself,
    # so a wrong matrix, range or channel order shows up as a colour shift here.
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0), (128, 128, 128), (200, 150, 40), (30, 90, 210)]
    rgb = np.zeros((96, 64 * len(colours), 3), np.uint8)
    for n, c in enumerate(colours):
        rgb[:, 64 * n : 64 * (n + 1)] = c
    path = tmp_path / "colours.mp4"
    with H264Writer(path, (rgb.shape[1], rgb.shape[0]), fps=10) as w:
        for k in range(5):
            w.write(rgb, k / 10)
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 5
    for n, c in enumerate(colours):
        got = frames[2][16:80, 64 * n + 16 : 64 * n + 48].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - np.array(c)).max() < 6, (c, got)
