"""The live check's outline reading (LiveSession.read_outline) on real frames with the real model: it runs
in a child process, so what crosses the boundary (frames, records, fits, errors) must come back intact."""

from __future__ import annotations

import math
import threading
from dataclasses import replace

import pytest

from analyzer.errors import StanceError
from analyzer.pipeline import AnalysisOptions, LiveSession, read_shot_outlines
from analyzer.sources import VideoFileSource
from tests.conftest import CLIPS, MODELS, need


@pytest.fixture(scope="module")
def standing_shots():
    """A live session and two kept frames of the standing clip (RGB and the stream's record of each), as
    the guided check keeps them: a pose, a scene and both feet's turnout read."""
    need(MODELS / "pose_landmarker_full.task")
    source = VideoFileSource(need(CLIPS / "standing" / "frontal_parallel_feet.mp4"), 960)
    session = LiveSession(AnalysisOptions())
    shots = []
    try:
        for frame in source:
            live = session.process(frame.rgb, frame.t_s)
            raw = live.raw
            both = math.isfinite(raw.left.turnout_deg) and math.isfinite(raw.right.turnout_deg)
            if frame.index >= 45 and frame.index % 15 == 0 and live.pose is not None and live.scene is not None and both:
                shots.append((frame.rgb, live.record(frame.index)))
            if len(shots) == 2:
                break
    finally:
        source.close()
    assert len(shots) == 2, "the standing clip gave fewer than two frames with both feet read"
    yield session, shots
    session.close()


def test_the_outline_read_in_its_own_process_matches_a_reading_here_while_a_thread_keeps_the_interpreter_busy(
    standing_shots,
):
    session, shots = standing_shots
    stop = threading.Event()

    def busy() -> None:  # stands in for the camera stream's Python, which held the lock the fit needed
        while not stop.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=busy, daemon=True)
    spinner.start()
    try:
        apart = session.read_outline(shots)
    finally:
        stop.set()
        spinner.join()
    here = read_shot_outlines(session.options, session.config, shots)
    assert len(apart) == len(here) == 2
    assert any(fit is not None for fit in here), "no outline fitted on the standing clip's frames"
    for a, b in zip(apart, here, strict=True):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.turnout_deg == pytest.approx(b.turnout_deg)
            assert a.overlap == pytest.approx(b.overlap)


def test_an_error_in_the_outline_process_comes_back_as_the_users_message(standing_shots, tmp_path):
    session, shots = standing_shots
    # a session whose model file has gone since it started (its stream's estimator is already loaded)
    broken = LiveSession(replace(session.options, model_path=tmp_path / "gone.task"), estimator=session._estimator)
    with pytest.raises(StanceError, match="gone.task"):
        broken.read_outline(shots)
    assert session.read_outline([]) == []
