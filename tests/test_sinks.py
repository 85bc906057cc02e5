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


# ----------------------------------------------------------------------------- the live recorder


def _frames_of(path):
    from analyzer.sources import VideoFileSource

    with VideoFileSource(path) as src:
        return [(f.t_s, f.rgb) for f in src]


def _solid(w: int, h: int, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.tile(np.array(rgb, dtype=np.uint8), (h, w, 1))


def test_recorder_writes_a_playable_clip_with_the_frames_own_times(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path, max_s=60.0)
    assert rec.state().phase == "idle" and not rec.write(_solid(64, 48, (0, 0, 0)), 0.0)  # nothing started
    rec.start("take.mp4")
    # Uneven times, as frames come from a busy camera thread, starting at an arbitrary clock value; an odd size.
    times = [100.0 + t for t in (0.0, 0.030, 0.070, 0.100, 0.180, 0.200, 0.260, 0.300, 0.500, 0.533)]
    for i, t in enumerate(times):
        assert rec.write(_solid(641, 481, (20 * i, 100, 200)), t)
    state = rec.stop()
    assert state.phase == "done" and state.ended_by == "stopped" and state.frames == len(times)
    assert state.size_wh == (640, 480) and state.elapsed_s == pytest.approx(0.533)
    frames = _frames_of(state.path)
    assert len(frames) == len(times)
    assert [t for t, _ in frames] == pytest.approx([t - times[0] for t in times], abs=0.002)
    for i, (_, rgb) in enumerate(frames):
        assert rgb.shape == (480, 640, 3)
        assert np.abs(rgb[240, 320].astype(int) - (20 * i, 100, 200)).max() < 12


def test_recorder_scales_a_frame_of_another_size_to_the_first_and_caps_the_long_side(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path, max_long_side=640)
    rec.start("resize.mp4")
    rec.write(_solid(1280, 720, (250, 0, 0)), 0.0)  # first frame: 1280x720 -> 640x360
    rec.write(_solid(640, 480, (0, 250, 0)), 0.1)  # WebRTC lowered the resolution mid-stream
    rec.write(_solid(1920, 1080, (0, 0, 250)), 0.2)
    state = rec.stop()
    assert state.size_wh == (640, 360)
    frames = _frames_of(state.path)
    assert [rgb.shape for _, rgb in frames] == [(360, 640, 3)] * 3
    for (_, rgb), want in zip(frames, ((250, 0, 0), (0, 250, 0), (0, 0, 250)), strict=True):
        assert np.abs(rgb[180, 320].astype(int) - want).max() < 20


def test_recorder_stops_at_its_limit_and_keeps_the_clip(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path, max_s=1.0)
    rec.start("limit.mp4")
    taken = [rec.write(_solid(64, 48, (128, 128, 128)), i / 10) for i in range(20)]
    assert taken == [True] * 11 + [False] * 9  # 0.0 .. 1.0 s, then the recording has ended
    state = rec.state()
    assert state.phase == "done" and state.ended_by == "limit" and state.frames == 11
    assert len(_frames_of(state.path)) == 11


def test_the_camera_stopping_keeps_the_clip_and_a_new_take_replaces_it(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path)
    first = rec.start("one.mp4")
    for i in range(5):
        rec.write(_solid(64, 48, (10, 10, 10)), i / 30)
    state = rec.stop("camera")
    assert state.ended_by == "camera" and state.take == first.take == 1
    assert len(_frames_of(state.path)) == 5
    assert rec.stop("stopped").ended_by == "camera"  # stopping again changes nothing
    second = rec.start("two.mp4")
    assert second.take == 2 and second.frames == 0
    assert not (tmp_path / "one.mp4").exists()  # one recording at a time
    rec.write(_solid(64, 48, (10, 10, 10)), 7.0)
    rec.discard()
    assert not (tmp_path / "two.mp4").exists() and rec.state().phase == "idle" and rec.state().take == 2


def test_a_recording_with_no_frame_leaves_no_file_and_a_writer_failure_is_said(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path)
    state = rec.start("empty.mp4")
    assert rec.stop().frames == 0 and not state.path.exists()
    state = rec.start("blocked.mp4")
    state.path.mkdir()  # the file cannot be written (PyAV finds out when the file is finished)
    rec.write(_solid(64, 48, (0, 0, 0)), 0.0)
    failed = rec.stop()
    assert failed.phase == "done" and failed.ended_by == "error"
    assert failed.message.startswith("The recording could not be finished: IsADirectoryError")
    assert not rec.write(_solid(64, 48, (0, 0, 0)), 0.1)


def test_frames_written_from_another_thread_while_the_page_stops_make_a_whole_file(tmp_path):
    from analyzer.sinks import ClipRecorder

    rec = ClipRecorder(tmp_path)
    rec.start("threads.mp4")
    written: list[bool] = []

    def camera() -> None:
        for i in range(400):
            written.append(rec.write(_solid(160, 120, (i % 256, 0, 0)), i / 30))
            time.sleep(0.001)

    thread = threading.Thread(target=camera)
    thread.start()
    while sum(written) < 30:
        time.sleep(0.005)
    state = rec.stop()
    thread.join()
    assert state.frames == sum(written) >= 30
    assert len(_frames_of(state.path)) == state.frames
