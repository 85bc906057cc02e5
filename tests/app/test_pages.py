"""Page tests with Streamlit's AppTest: the app's navigation, the Live page and the Upload page.

AppTest cannot run ``webrtc_streamer`` (a browser component) or ``st.file_uploader``: the one call of each
is replaced by a stub through the name the page module uses. Everything else is real: the pose model,
the pipeline, the live hub (fed real frames as the WebRTC callback would) and the feedback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest
from apphelpers import ROOT, upright_frames
from streamlit.testing.v1 import AppTest
from streamlit_webrtc import WebRtcMode

from analyzer.geometry.metrics import MetricsConfig
from analyzer.screening import RecordStore, Step
from analyzer.stance import View
from analyzer.temporal.summary import METHOD_ERROR
from analyzer.ui import clients_page, live_page, results, upload_page
from analyzer.ui.live_stream import CHECK_OUTLINE_FRAMES, CHECK_OUTLINE_MESSAGE, Activity, LiveHub
from analyzer.ui.results import Upload

pytestmark = pytest.mark.model

APP = str(ROOT / "app.py")
UPLOAD_SCRIPT = "from analyzer.ui import upload_page\nupload_page.render()\n"


def html_text(at: AppTest) -> str:
    """All st.html bodies on the page (the metric tiles and cues are st.html)."""
    return "\n".join(e.proto.body for e in at.get("html"))


def texts(elements: Any) -> list[str]:
    return [e.value for e in elements]


@pytest.fixture
def webrtc_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the page's webrtc_streamer with a recorder returning a stopped context."""
    calls: list[dict[str, Any]] = []

    def fake_webrtc_streamer(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return SimpleNamespace(state=SimpleNamespace(playing=False, signalling=False))

    monkeypatch.setattr(live_page, "webrtc_streamer", fake_webrtc_streamer)
    return calls


@pytest.fixture
def live_app(webrtc_calls: list[dict[str, Any]]) -> Iterator[Any]:
    """Start AppTests of the app; their live hubs release the landmarker at teardown (not at GC)."""
    apps: list[AppTest] = []

    def start() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        apps.append(at)
        return at

    yield start
    for at in apps:
        if "live_hub" in at.session_state:
            at.session_state["live_hub"].close()


def feed_until(hub: LiveHub, frames: list[np.ndarray], done: Any, min_frames: int = 0) -> int:
    """Push frames through the hub as the WebRTC callback thread would, until ``done(snapshot)``."""
    for i, rgb in enumerate(frames, 1):
        out = hub.process(rgb)
        assert out.shape == rgb.shape and out.dtype == np.uint8
        if i >= min_frames and done(hub.snapshot()):
            return i
    return len(frames)


# ----------------------------------------------------------------------------- app and Live page


def test_app_opens_on_the_live_page_with_the_camera_wired(
    live_app: Any, webrtc_calls: list, real_model: Path
) -> None:
    at = live_app()
    assert not at.exception, at.exception
    assert texts(at.title) == ["Live"]
    call = webrtc_calls[-1]
    hub = at.session_state["live_hub"]
    assert call["key"] == live_page.WEBRTC_KEY and call["mode"] is WebRtcMode.SENDRECV
    assert call["rtc_configuration"] == {"iceServers": []}  # loopback / LAN: no STUN
    assert call["async_processing"] is True
    assert call["video_frame_callback"] == hub.callback
    assert call["on_video_ended"] == hub.on_ended
    assert call["media_stream_constraints"]["audio"] is False
    # Nothing streamed yet: the page says what to do.
    assert any("Start camera" in t for t in texts(at.info))
    # Settings: model choice, mirror (on by default, like a mirror; sides stay the subject's own), input fallback.
    assert at.radio(key="live_model").value == "full"
    assert at.toggle(key="live_mirror").value is True
    assert at.radio(key="live_source").options == list(live_page.SOURCES.values())
    assert hub.options.model == "full" and hub.mirror is True
    at.toggle(key="live_mirror").set_value(False).run()
    assert hub.mirror is False


def test_live_numbers_and_guided_check_on_real_frames(
    live_app: Any, webrtc_calls: list, real_model: Path, standing_clip: Path, own_records_file: Path
) -> None:
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.CHECK).run()
    assert not at.exception, at.exception
    hub: LiveHub = at.session_state["live_hub"]
    assert hub.snapshot().activity is Activity.CHECK

    frames = upright_frames(standing_clip, seconds=15.0)
    used = feed_until(hub, frames, lambda s: s.check is not None and s.check.phase == "done")
    # The captured window's outline is read on a worker (in a process of its own); frames that come
    # meanwhile pass unanalysed, so the fit has the CPU.
    worker = hub._outline_worker
    assert worker is not None
    # The read takes seconds (a process, the model loaded): it is still going now.
    assert worker.is_alive()
    counted = hub.snapshot().frames
    extra = frames[min(used, len(frames) - 1)]
    assert hub.process(extra) is extra and hub.snapshot().frames == counted
    assert hub.snapshot().outline_reading
    # Meanwhile the numbers panel says why the numbers paused, not the first visit's "Start camera" hint.
    at.run()
    assert not at.exception, at.exception
    assert worker.is_alive()  # the read takes ~5 s, the page run ~1 s
    infos = texts(at.info)
    assert live_page.PAUSED_MESSAGE in infos and not any("Start camera" in t for t in infos)
    assert "Left foot" not in html_text(at)
    progress = [e.proto.text for e in at.get("progress")]
    assert any(CHECK_OUTLINE_MESSAGE in t for t in progress), progress  # the check's panel says the same
    hub.wait_outline(60.0)
    assert not worker.is_alive() and not hub.snapshot().outline_reading
    before = hub.snapshot().frames
    feed_until(hub, frames[-2:], lambda s: False)  # the stream goes on, analysed again
    assert hub.snapshot().frames == before + 2
    snap = hub.snapshot()
    assert snap.check is not None and snap.check.phase == "done", f"no still window in {used} frames"
    summary = snap.check.summary
    assert summary is not None
    turnout = summary["metrics"]["turnout_deg"]
    # The man in this clip stands with nearly parallel feet: both medians are measured and moderate.
    for side in ("left", "right"):
        assert turnout[side]["median"] is not None and abs(turnout[side]["median"]) < 30
        # The band is never narrower than the method's measured error for this view (benchmark holdout).
        assert turnout[side]["uncertainty"] >= METHOD_ERROR["turnout_deg"][View(summary["view"])]
    assert 0.3 < summary["metrics"]["stance_width_ratio"]["median"] < 3.0
    assert snap.ms_per_frame["full"] > 0
    # The result averages the feet's outline in, read on a few kept frames of the captured window when it
    # was captured (as files do); each used foot's median moved by the share of its gap to the outline.
    outline = summary["outline"]
    assert 1 <= outline["frames"] <= CHECK_OUTLINE_FRAMES and outline["fitted"] >= 1
    window = hub._tools.check.frames  # the captured window's frames (landmarks alone)
    config = MetricsConfig()
    for side in ("left", "right"):
        landmarks = float(np.nanmedian([getattr(m, side).turnout_deg for m in window]))
        expected = landmarks
        if outline["used"][side]:
            expected += config.silhouette_share * (outline["turnout_deg"][side] - landmarks)
        assert turnout[side]["median"] == pytest.approx(expected, abs=0.02)
    assert any(outline["used"].values())

    at.run()
    assert not at.exception, at.exception
    page = html_text(at)
    # Live tiles (big) and the result card's tiles with ± uncertainty.
    assert "Left foot" in page and "Stance width" in page and "Right knee" in page
    assert "±" in page
    assert "Your check" in texts(at.subheader)
    assert "What this shows" in texts(at.subheader)
    assert any("frames/s analysed" in c and "ms/frame" in c for c in texts(at.caption))
    # The model choice shows the speed measured on this machine.
    assert any(c.startswith("Measured here: full") and "ms/frame" in c for c in texts(at.sidebar.caption))

    # No client yet: the card says where to add one. With a client, the check is saved as the Standing
    # step of a new screening of theirs, with the annotated frame of its capture, once.
    assert any("add the client on the Clients page" in c for c in texts(at.caption))
    assert not own_records_file.exists()  # showing the card did not create a records file
    store = RecordStore()  # the test's own file (STANCE_RECORDS, tests/app/conftest.py)
    client = store.add_client("Live Client")
    at.run()
    assert at.selectbox(key="live_save_client").value == client.id
    assert at.selectbox(key="live_save_screening").value == clients_page.NEW_SCREENING
    at.button(key="live_save_button").click().run()
    assert not at.exception, at.exception
    [screening] = store.screenings(client.id)
    [trial] = screening.trials
    assert trial.step is Step.STANDING and trial.source_name == clients_page.LIVE_SOURCE
    assert trial.summary is not None
    kept = trial.summary["metrics"]["turnout_deg"]
    assert [kept[s]["median"] for s in ("left", "right")] == [turnout[s]["median"] for s in ("left", "right")]
    assert trial.summary["findings"] and trial.summary["exercises"]  # the result card's plan went in too
    picture = cv2.imdecode(np.frombuffer(trial.picture_jpeg or b"", np.uint8), cv2.IMREAD_COLOR)
    assert snap.check_picture is not None
    h, w = snap.check_picture.shape[:2]  # the captured frame, scaled to 640 on its long side
    assert picture is not None and picture.shape[:2] == (round(h * 640 / max(h, w)), round(w * 640 / max(h, w)))
    assert any("Saved as the Standing step" in m.value for m in at.success)
    at.run()
    assert "live_save_button" not in [b.key for b in at.button]  # saved: no second copy on a rerun
    assert len(store.screenings(client.id)[0].trials) == 1


def test_parallel_feet_drill_panel(
    live_app: Any, webrtc_calls: list, real_model: Path, standing_clip: Path
) -> None:
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.PARALLEL).run()
    hub: LiveHub = at.session_state["live_hub"]
    feed_until(hub, upright_frames(standing_clip, seconds=2.0), lambda s: False)
    state = hub.snapshot().parallel
    assert state is not None
    assert np.isfinite(state.left_deg) and np.isfinite(state.right_deg)
    at.run()
    assert not at.exception, at.exception
    assert "Parallel-feet drill" in texts(at.subheader)
    page = html_text(at)
    assert "Best hold" in page and "This hold" in page
    # Restarting the drill clears its history.
    at.button(key="live_restart").click().run()
    assert hub.snapshot().parallel is None


def test_live_page_says_when_the_video_stops_and_keeps_the_drill(
    live_app: Any, webrtc_calls: list, real_model: Path, standing_clip: Path
) -> None:
    """Camera unplugged or connection dropped mid-session (streamlit-webrtc calls on_video_ended): the page
    says so instead of going back to its first-visit hint, the drill's state stays, and the next frame
    brings the live numbers back."""
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.PARALLEL).run()
    hub: LiveHub = at.session_state["live_hub"]
    frames = upright_frames(standing_clip, seconds=1.0)
    feed_until(hub, frames, lambda s: False)
    at.run()
    assert "Left foot" in html_text(at) and not at.warning

    hub.on_ended()
    snap = hub.snapshot()
    assert snap.ended and not snap.streaming
    at.run()
    assert not at.exception, at.exception
    stopped = live_page.STOPPED_MESSAGE
    assert stopped in texts(at.warning)
    assert "Left foot" not in html_text(at)  # no stale numbers beside a stopped video
    assert "Parallel-feet drill" in texts(at.subheader) and hub.snapshot().parallel is not None

    feed_until(hub, frames[:1], lambda s: False)  # Start camera again: the next analysed frame
    assert not hub.snapshot().ended
    at.run()
    assert stopped not in texts(at.warning) and "Left foot" in html_text(at)


def test_squat_drill_counts_the_rep_of_a_real_squat(live_app: Any, real_model: Path) -> None:
    squat = ROOT.parent / "shared" / "clips" / "squat" / "IMG_7027.mov"  # front view, one deep squat
    if not squat.is_file():
        pytest.skip(f"clip not found: {squat}")
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.SQUAT).run()
    hub: LiveHub = at.session_state["live_hub"]
    feed_until(hub, upright_frames(squat, seconds=30.0, max_long_side=640), lambda s: False)
    state = hub.snapshot().squat
    assert state is not None
    assert state.rep_count == 1, state
    rep = state.reps[0]
    assert rep.depth_ratio > 0.3 and rep.end_s > rep.bottom_s > rep.start_s
    assert state.worst_rep == 1
    at.run()
    assert not at.exception, at.exception
    assert "Squat drill" in texts(at.subheader)
    assert any("Squat reps: 1" in m for m in texts(at.markdown))


SQUAT_CLIP = ROOT.parent / "shared" / "clips" / "squat" / "IMG_7027.mov"  # front view, one deep squat


def test_a_recorded_squat_is_analysed_and_kept_as_the_clients_squat_step(
    live_app: Any, real_model: Path, own_records_file: Path
) -> None:
    """Record a clip: the frames go to a file unanalysed (the picture carries a REC badge), Stop analyses
    the file as an upload would be, with the chosen client's height, and Save keeps it as the chosen
    step of the client's screening."""
    if not SQUAT_CLIP.is_file():
        pytest.skip(f"clip not found: {SQUAT_CLIP}")
    store = RecordStore()
    client = store.add_client("Rec Client", height_cm=178.0)
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.RECORD).run()
    assert not at.exception, at.exception
    at.selectbox(key="live_record_client").set_value(client.id).run()
    at.selectbox(key="live_record_step").set_value(Step.SQUAT).run()
    assert any("3-5 slow squats" in m for m in texts(at.markdown))  # the step's filming instructions
    assert at.button(key="live_record_start").disabled  # no camera yet
    hub: LiveHub = at.session_state["live_hub"]
    frames = upright_frames(SQUAT_CLIP, seconds=30.0, max_long_side=960, fps=15.0)
    hub.process(frames[0])  # the camera is on: one analysed frame
    at.run()
    assert not at.button(key="live_record_start").disabled
    at.button(key="live_record_start").click().run()
    assert not at.exception, at.exception
    assert hub.snapshot().recording.phase == "recording"
    for i, rgb in enumerate(frames):
        out = hub.process(rgb, 1000.0 + i / 15.0)  # the frames' own clock: any start, 15 frames a second
        assert out.shape == rgb.shape
    assert tuple(out[18, 18]) == pytest.approx((230, 30, 30), abs=40)  # the REC dot, top left (mirrored)
    assert hub.snapshot().metrics is not None and hub.snapshot().recording.frames == len(frames)
    at.button(key="live_record_stop").click().run()
    assert not at.exception, at.exception
    rec = hub.snapshot().recording
    assert rec.phase == "done" and rec.ended_by == "stopped" and rec.path is not None and rec.path.is_file()
    assert rec.elapsed_s == pytest.approx((len(frames) - 1) / 15.0, abs=0.01)
    assert "Recording: Squats" in texts(at.subheader)
    # Stopped by the button: no word about how it ended; and the clip is a squat, as the step says. (The
    # page's other warnings are the clip's findings.)
    assert not [w for w in texts(at.warning) if "recording" in w.lower()]
    assert "Squat reps: 1" in " ".join(texts(at.markdown))  # the upload's full result, from the file

    at.button(key="live_record_save_button").click().run()
    assert not at.exception, at.exception
    [screening] = store.screenings(client.id)
    [trial] = screening.trials
    assert trial.step is Step.SQUAT and trial.source_name == rec.name and trial.picture_jpeg
    assert trial.summary is not None and len(trial.summary["reps"]) == 1
    assert trial.summary["scale"] == {"source": "body_height", "body_height_cm": 178.0}  # the client's height
    assert any("Saved as the Squats step of Rec Client" in m.value for m in at.success)
    at.run()
    assert "live_record_save_button" not in [b.key for b in at.button]  # no second copy on a rerun


def test_a_recording_the_camera_cut_short_is_kept_and_analysed(live_app: Any, real_model: Path, standing_clip: Path) -> None:
    """The camera unplugged mid-recording (streamlit-webrtc calls on_video_ended): the seconds recorded
    until then are kept, said so, and analysed; with no records yet, the page says where clients are added."""
    at = live_app()
    at.radio(key="live_activity").set_value(Activity.RECORD).run()
    at.selectbox(key="live_record_step").set_value(Step.STANDING).run()
    hub: LiveHub = at.session_state["live_hub"]
    frames = upright_frames(standing_clip, seconds=3.0)
    hub.process(frames[0])
    at.run()
    at.button(key="live_record_start").click().run()
    for i, rgb in enumerate(frames):
        hub.process(rgb, i / 15.0)
    hub.on_ended()
    at.run()
    assert not at.exception, at.exception
    rec = hub.snapshot().recording
    assert rec.ended_by == "camera" and rec.frames == len(frames)
    assert any("camera stopped during the recording" in w for w in texts(at.warning))
    assert "Recording: Standing" in texts(at.subheader)
    assert any("add the client on the Clients page" in c for c in texts(at.caption))
    assert not (Path(os.environ["STANCE_RECORDS"])).exists()  # a Live page never creates the records file
    assert "Left foot" in html_text(at)  # the clip's result tiles
    at.radio(key="live_activity").set_value(Activity.WATCH).run()  # leaving the activity keeps nothing running
    assert hub.snapshot().recording.phase == "done"


def test_snapshot_fallback_uses_camera_input(live_app: Any, real_model: Path) -> None:
    at = live_app()
    at.radio(key="live_source").set_value("snapshot").run()
    assert not at.exception, at.exception
    assert any("Snapshot mode" in t for t in texts(at.info))
    assert at.get("camera_input"), "no camera_input on the page"


# ----------------------------------------------------------------------------- Upload page


@pytest.fixture
def upload_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    """An AppTest of the Upload page whose file picker returns ``box["upload"]``."""
    box: dict[str, Upload | None] = {"upload": None}
    monkeypatch.setattr(upload_page, "upload_ui", lambda: box["upload"])
    calls = {"n": 0}
    real = results.analyze_video

    def counting_analyze_video(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(results, "analyze_video", counting_analyze_video)
    at = AppTest.from_string(UPLOAD_SCRIPT, default_timeout=180)
    return SimpleNamespace(at=at, box=box, calls=calls)


def test_upload_page_before_a_file(upload_app: Any, real_model: Path) -> None:
    at = upload_app.at.run()
    assert not at.exception, at.exception
    assert texts(at.title) == ["Upload a video or photo"]
    assert any("500 MB" in m for m in texts(at.markdown))  # .streamlit/config.toml maxUploadSize


def test_upload_page_analyses_a_real_clip_once(
    upload_app: Any, real_model: Path, short_standing_mp4: Path
) -> None:
    upload_app.box["upload"] = Upload("standing.mp4", short_standing_mp4.read_bytes())
    at = upload_app.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert texts(at.success)[0].startswith("Analysed **standing.mp4**")
    assert len(at.get("video")) == 1
    assert len(at.get("plotly_chart")) == 1
    page = html_text(at)
    assert "Left foot turnout" in page and "Stance width" in page and "±" in page
    assert "What this shows" in texts(at.subheader) and "Exercises for you" in texts(at.subheader)
    assert len(at.expander) >= 1
    labels = sorted(e.proto.label for e in at.get("download_button"))
    assert [label.split(" (")[0] for label in labels] == ["annotated.mp4", "frames.csv", "summary.json"]
    # A rerun (any widget change) shows the cached result without analysing again.
    at.run()
    assert upload_app.calls["n"] == 1
    # The outline toggle (on by default) reads a few still frames of a video too: switching it off
    # analyses the clip again, switching it back on finds the first result in the cache.
    assert at.toggle(key="upload_outline").value is True
    at.toggle(key="upload_outline").set_value(False).run()
    assert upload_app.calls["n"] == 2
    at.toggle(key="upload_outline").set_value(True).run()
    assert upload_app.calls["n"] == 2
    assert texts(at.success)[0].startswith("Analysed")


def test_bad_uploads_give_one_line_errors_and_the_page_recovers(
    upload_app: Any, real_model: Path, jog_clip: Path, tmp_path: Path
) -> None:
    upload_app.box["upload"] = Upload("broken.mp4", b"this is not a video at all")
    at = upload_app.at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "\n" not in at.error[0].value and at.error[0].value

    ok, png = cv2.imencode(".png", np.full((360, 640, 3), 128, np.uint8))  # an empty grey room
    assert ok
    upload_app.box["upload"] = Upload("empty.png", png.tobytes())
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "person" in at.error[0].value.lower()

    upload_app.box["upload"] = Upload("jog.mp4", jog_clip.read_bytes())
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert texts(at.success)[0].startswith("Analysed **jog.mp4**")


def test_upload_page_photo_shows_the_annotated_image(
    upload_app: Any, real_model: Path, standing_clip: Path, tmp_path: Path
) -> None:
    rgb = upright_frames(standing_clip, seconds=0.5, max_long_side=960)[0]
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    upload_app.box["upload"] = Upload("photo.jpg", jpg.tobytes())
    start = time.perf_counter()
    at = upload_app.at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert len(at.get("imgs")) >= 1
    assert not at.get("plotly_chart")  # one frame: no time plots
    assert "Left foot turnout" in html_text(at)
    assert time.perf_counter() - start < 60
    assert upload_app.calls["n"] == 0  # photos take the image path
    # The outline fit is on by default; switching it off in the sidebar analyses the photo again without it.
    assert at.toggle(key="upload_outline").value is True
    seen: list[bool] = []
    real_image = results.analyze_image

    def spying_analyze_image(path: Any, options: Any, **kwargs: Any) -> Any:
        seen.append(options.silhouette)
        return real_image(path, options, **kwargs)

    results.analyze_image = spying_analyze_image
    try:
        at.toggle(key="upload_outline").set_value(False).run()
    finally:
        results.analyze_image = real_image
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert seen == [False]
    assert texts(at.success)[0].startswith("Analysed **photo.jpg**") and "Left foot turnout" in html_text(at)
