"""Live page: the laptop camera with the engine's overlay, big live numbers, a guided check and drills.

Thin: frames go from the browser (streamlit-webrtc) to :class:`analyzer.ui.live_stream.LiveHub`, which runs
:class:`analyzer.pipeline.LiveSession` and the coaching logic of :mod:`analyzer.live` in the callback
thread. The page polls the hub a few times a second in fragments. Where WebRTC cannot connect, a snapshot
mode analyses single photos from ``st.camera_input``. "Record a clip" records the camera to a file (a
protocol step, for a client or not), which is then analysed like an upload and can be saved to the
client's records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from analyzer.annotate import clock_text
from analyzer.errors import StanceError
from analyzer.landmarks import Side
from analyzer.live import CheckState, ParallelState, SquatState
from analyzer.pipeline import AnalysisOptions
from analyzer.screening import PROTOCOL, Client, Step, step_spec
from analyzer.sinks import RecordingState
from analyzer.stance import StanceMetrics, is_num
from analyzer.ui import clients_page, common
from analyzer.ui.live_stream import Activity, LiveHub, LiveSnapshot
from analyzer.ui.results import Upload, result_for, results_ui

WEBRTC_KEY = "live_camera"
LIVE_LONG_SIDE = 960  # frames are analysed and drawn at this size: keeps a frame near 30 ms on a laptop
REFRESH_S = 0.5
STOPPED_MESSAGE = (
    "The live video stopped. If you did not press Stop, the camera was "
    "unplugged or turned off, or the connection dropped. Press **Start camera** to go on; a finished check "
    "or drill below is kept."
)
PAUSED_MESSAGE = "Live numbers pause for a few seconds while the outline of your feet is read for the check."
SOURCES = {"webrtc": "Live video", "snapshot": "Snapshots (if live video does not connect)"}
INSTRUCTIONS = {
    Activity.WATCH: "Stand 2-3 m from the camera, facing it, whole body and both feet in the picture.",
    Activity.CHECK: "Stand naturally, facing the camera, and keep still for a few seconds. "
    "The check captures a still window and shows your values and exercises.",
    Activity.PARALLEL: "Point both feet straight ahead, parallel (within 5°), and hold. "
    "The page confirms when both feet are parallel and times the hold.",
    Activity.SQUAT: "Facing the camera, squat slowly, keeping each knee over the middle of its foot. "
    "Every rep is counted; the knee's path is tracked.",
    Activity.RECORD: "Record one step of the screening (or any clip): it is analysed like an uploaded video "
    "when you stop, and can be kept in a client's records. The live numbers pause while recording.",
}
RECORD_ENDED = {
    "limit": "The recording stopped at its limit of {max_s:.0f} s.",
    "camera": "The camera stopped during the recording (Stop pressed in the video, camera unplugged or the "
    "connection dropped); the {elapsed_s:.0f} s recorded until then are kept.",
    "error": "{message}",
}


def render() -> None:
    common.ensure_state()
    common.inject_css()
    hub: LiveHub = st.session_state["live_hub"]
    st.title("Live")
    settings = common.settings_ui("live", show_mirror=True, ms_per_frame=hub.snapshot().ms_per_frame)
    source = source_ui()
    try:
        options = AnalysisOptions(
            model=settings.model,
            model_path=common.model_path(settings.model),
            body_height_cm=settings.body_height_cm,
            max_long_side=LIVE_LONG_SIDE,
        )
    except (StanceError, ValueError) as exc:
        st.error(str(exc))
        return
    if source == "snapshot":
        snapshot_ui(settings)
        return
    hub.configure(options, settings.mirror)
    activity = activity_ui(hub)
    st.caption(INSTRUCTIONS[activity])
    plan = record_plan_ui() if activity is Activity.RECORD else None
    video_col, numbers_col = st.columns([3, 2], gap="medium")
    with video_col:
        camera_ui(hub)
    with numbers_col:
        if plan is not None:
            record_controls(hub, plan)
        else:
            live_numbers(hub)
    coach_panel(hub)
    if plan is not None:
        recording_result_ui(hub, plan, settings)


def source_ui() -> str:
    with st.sidebar:
        return str(
            st.radio("Camera input", list(SOURCES), format_func=SOURCES.__getitem__, key="live_source")
        )


def activity_ui(hub: LiveHub) -> Activity:
    """What to do now; a change (or "Start again") restarts the coaching tool in the hub."""
    choice, again = st.columns([4, 1], vertical_alignment="bottom")
    with choice:
        picked = st.radio(
            "Activity",
            list(Activity),
            format_func=lambda a: a.label,
            horizontal=True,
            key="live_activity",
        )
    activity = Activity(picked) if picked is not None else Activity.WATCH
    with again:
        restart = st.button("Start again", key="live_restart", width="stretch")
    hub.set_activity(activity, restart=restart)
    return activity


def rtc_configuration() -> dict[str, Any]:
    """ICE servers: none for local use (loopback / same network); STUN/TURN from the environment."""
    servers: list[dict[str, Any]] = []
    stun = os.environ.get("STANCE_STUN_URL")
    if stun:
        servers.append({"urls": [stun]})
    turn = os.environ.get("STANCE_TURN_URL")
    if turn:
        servers.append(
            {
                "urls": [turn],
                "username": os.environ.get("STANCE_TURN_USERNAME", ""),
                "credential": os.environ.get("STANCE_TURN_CREDENTIAL", ""),
            }
        )
    return {"iceServers": servers}


def _unstick_webrtc(key: str) -> None:
    """Work around streamlit-webrtc 0.79 dropping a fresh connection as "stale".

    Fragment reruns advance the script run count without rendering the component, so on the next full
    run 0.79 believes the component was away and resets it (the first START falls back to stopped).
    Forgetting the last rendered run count skips that check.
    """
    ctx = st.session_state.get(key)
    if ctx is not None and hasattr(ctx, "_last_rendered_run_count"):
        ctx._last_rendered_run_count = None


def camera_ui(hub: LiveHub) -> Any:
    _unstick_webrtc(WEBRTC_KEY)
    ctx = webrtc_streamer(
        key=WEBRTC_KEY,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=rtc_configuration(),
        media_stream_constraints={
            "video": {"width": {"ideal": 1280}, "height": {"ideal": 720}, "frameRate": {"ideal": 30}},
            "audio": False,
        },
        video_frame_callback=hub.callback,
        on_video_ended=hub.on_ended,
        async_processing=True,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
        translations={"start": "Start camera", "stop": "Stop", "select_device": "Choose camera"},
    )
    st.caption("Choose camera picks the webcam. Left and right are always your own.")
    return ctx


# ----------------------------------------------------------------------------- live numbers


def metric_tiles(m: StanceMetrics) -> list[common.Tile]:
    """Big tiles for one frame: turnout per foot, stance width, each knee over / inside / outside the foot."""
    tiles = []
    for side in ("left", "right"):
        deg = getattr(m, side).turnout_deg
        tiles.append(
            common.Tile(
                f"{side.capitalize()} foot",
                f"{common.fmt_num(deg, 0, signed=True)}°" if is_num(deg) else "-",
                common.turnout_words(deg),
            )
        )
    ratio, cm = m.stance_width_ratio, m.stance_width_cm
    tiles.append(
        common.Tile(
            "Stance width",
            f"{ratio:.2f}×" if is_num(ratio) else "-",
            f"hip width · {cm:.0f} cm" if is_num(cm) else "hip width",
        )
    )
    for knee in Side:
        fppa = m.side(knee).knee_fppa_deg
        words, tone = common.knee_words(m, knee)
        value = f"{common.fmt_num(fppa, 0, signed=True)}°" if is_num(fppa) else "-"
        tiles.append(common.Tile(f"{knee.value.capitalize()} knee", value, words, tone))
    return tiles


def status_text(snap: LiveSnapshot) -> str:
    ms = snap.ms_per_frame.get(snap.model)
    parts = [f"{snap.fps:.0f} frames/s analysed"]
    if ms:
        parts.append(f"{ms:.0f} ms/frame ({snap.model} model)")
    if snap.size_wh:
        parts.append(f"{snap.size_wh[0]}×{snap.size_wh[1]} px")
    people = (
        "nobody in view" if snap.people == 0 else f"{snap.people} person" + ("s" if snap.people > 1 else "")
    )
    parts.append(people)
    return " · ".join(parts)


@st.fragment(run_every=REFRESH_S)
def live_numbers(hub: LiveHub) -> None:
    snap = hub.snapshot()
    if snap.error:
        st.error(snap.error)
    if snap.ended:
        st.warning(STOPPED_MESSAGE)
        return
    if snap.outline_reading:  # frames pass unanalysed meanwhile: not the first-visit hint
        st.info(PAUSED_MESSAGE)
        return
    if not snap.streaming or snap.metrics is None:
        st.info("Press **Start camera** and allow the camera. Stand 2-3 m away, whole body and feet in view.")
        return
    common.cues_ui(snap.cues)
    common.tiles_ui(metric_tiles(snap.metrics), big=True)
    st.caption(status_text(snap))


# ----------------------------------------------------------------------------- guided check and drills


@st.fragment(run_every=REFRESH_S)
def coach_panel(hub: LiveHub) -> None:
    snap = hub.snapshot()
    if snap.activity is Activity.CHECK and snap.check is not None:
        check_ui(snap.check, snap.check_picture)
    elif snap.activity is Activity.PARALLEL and snap.parallel is not None:
        parallel_ui(snap.parallel)
    elif snap.activity is Activity.SQUAT and snap.squat is not None:
        squat_ui(snap.squat)
    elif snap.activity not in (Activity.WATCH, Activity.RECORD) and snap.streaming:
        st.info("Starting...")


def check_ui(state: CheckState, picture: np.ndarray | None = None) -> None:
    if state.phase != "done" or state.summary is None:
        st.progress(state.progress, text=f"Guided check: {state.message}")
        return
    st.subheader("Your check")
    summary = common.with_feedback(state.summary) or state.summary  # tiles take the findings into account
    common.summary_ui(summary)
    common.feedback_ui(summary)
    clients_page.save_check_ui(summary, picture)


def parallel_ui(state: ParallelState) -> None:
    st.subheader("Parallel-feet drill")
    common.cues_ui([] if state.parallel else [state.message], ok_text="Parallel - hold it!")
    common.tiles_ui(
        [
            common.Tile(
                "Feet",
                "Parallel" if state.parallel else "Not yet",
                "within 5° each",
                "ok" if state.parallel else "warn",
            ),
            common.Tile("This hold", f"{state.hold_s:.1f} s"),
            common.Tile(
                "Best hold",
                f"{state.best_hold_s:.1f} s",
                f"{state.holds} hold{'s' if state.holds != 1 else ''}",
            ),
        ],
        big=True,
    )


def squat_ui(state: SquatState) -> None:
    st.subheader("Squat drill")
    common.cues_ui(
        [state.message] if state.knees_in_now or state.phase == "calibrating" else [], ok_text=state.message
    )
    depth = f"{100 * state.depth_ratio:.0f}%" if is_num(state.depth_ratio) else "-"
    knees = "inside: " + " and ".join(state.knees_in_now) if state.knees_in_now else "over the feet"
    common.tiles_ui(
        [
            common.Tile("Reps", str(state.rep_count)),
            common.Tile("Depth", depth, "hip drop"),
            common.Tile(
                "Knees now",
                "In" if state.knees_in_now else "OK",
                knees,
                "bad" if state.knees_in_now else "ok",
            ),
            common.Tile(
                "Worst rep", f"#{state.worst_rep}" if state.worst_rep else "-", "knee furthest inside"
            ),
        ],
        big=True,
    )
    common.reps_ui([r.to_dict() for r in state.reps], worst=state.worst_rep)


# ----------------------------------------------------------------------------- snapshot fallback


def snapshot_ui(settings: common.Settings) -> None:
    st.info(
        "Snapshot mode: take a photo with the camera below. Stand 2-3 m away, facing the camera, "
        "whole body and both feet in the picture."
    )
    shot = st.camera_input("Take a photo", key="live_snapshot")
    if shot is None:
        return
    result = result_for(
        Upload(name="snapshot.jpg", data=shot.getvalue()), settings, cache_key="snapshot_results"
    )
    if result.error:
        st.error(result.error)
        return
    results_ui(result)


# ----------------------------------------------------------------------------- recording a clip


@dataclass(frozen=True)
class RecordPlan:
    """What the next recording is: a protocol step, for a client of the records or for nobody."""

    step: Step
    client: Client | None


def record_plan_ui() -> RecordPlan:
    """Which step is recorded, and for whom (their height gives the widths in cm); the step's instructions."""
    client_col, step_col = st.columns(2)
    with step_col:
        step = st.selectbox(
            "Step",
            [spec.step for spec in PROTOCOL],
            format_func=lambda s: step_spec(s).title,
            index=1,  # walking: the step a single photo cannot give
            key="live_record_step",
        )
    with client_col:
        client = clients_page.client_choice_ui("live_record_client")
    st.markdown(f"**{step_spec(step).title}:** {step_spec(step).instructions}")
    return RecordPlan(Step(step), client)


def recording_name(step: Step) -> str:
    return f"live-{step.value}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.mp4"


@st.fragment(run_every=REFRESH_S)
def record_controls(hub: LiveHub, plan: RecordPlan) -> None:
    """Start / Stop and the running time. A recording that ends (Stop, its limit, the camera) reruns the
    whole page once, which then analyses it (recording_result_ui)."""
    snap = hub.snapshot()
    rec = snap.recording
    if snap.error:
        st.error(snap.error)
    if rec.phase == "recording":
        st.subheader(f":red[● REC] {clock_text(rec.elapsed_s)}", anchor=False)
        st.progress(min(1.0, rec.elapsed_s / hub.record_max_s), text=f"at most {clock_text(hub.record_max_s)}")
        if st.button("Stop recording", key="live_record_stop", icon=":material/stop_circle:", type="primary"):
            rec = hub.stop_recording()
    else:
        if not snap.streaming:
            st.info("Press **Start camera** first; the recording starts when you press **Start recording**.")
        if st.button(
            "Start recording",
            key="live_record_start",
            icon=":material/radio_button_checked:",
            type="primary",
            disabled=not snap.streaming,
        ):
            hub.start_recording(recording_name(plan.step))
            st.rerun()  # the page below drops the last recording's result
    if rec.phase == "done" and st.session_state.get("live_record_shown") != rec.take:
        st.session_state["live_record_shown"] = rec.take
        st.rerun()


def recording_result_ui(hub: LiveHub, plan: RecordPlan, settings: common.Settings) -> None:
    """The finished recording: what ended it, the file to download, its analysis as an upload's (with the
    client's height when a client is chosen), the step's numbers and saving it to the client's records."""
    rec: RecordingState = hub.snapshot().recording
    if rec.phase != "done" or rec.path is None:
        return
    step = plan.step  # as chosen now: a clip recorded under the wrong step can be kept as the right one
    title = step_spec(step).title
    st.subheader(f"Recording: {title}")
    ended = RECORD_ENDED.get(rec.ended_by, "")
    if ended:
        (st.error if rec.ended_by == "error" else st.warning)(
            ended.format(max_s=hub.record_max_s, elapsed_s=rec.elapsed_s, message=rec.message)
        )
    if rec.frames == 0 or not rec.path.is_file():
        st.info("Nothing was recorded: no video came from the camera while recording.")
        return
    take, upload = st.session_state["live_record_upload"]
    if take != rec.take:  # the file is final once its take is done: read and hashed once
        upload = Upload(name=rec.name, data=rec.path.read_bytes())
        st.session_state["live_record_upload"] = (rec.take, upload)
    size = f"{rec.size_wh[0]}×{rec.size_wh[1]} px · " if rec.size_wh else ""
    st.caption(f"{rec.name} · {rec.frames} frames · {rec.elapsed_s:.1f} s · {size}{len(upload.data) / 1e6:.1f} MB")
    st.download_button(
        "Download the recording", upload.data, file_name=rec.name, mime="video/mp4", key="live_record_download",
        icon=":material/download:",
    )
    client = plan.client
    height = client.height_cm if client is not None and client.height_cm else settings.body_height_cm
    analysed = common.Settings(model=settings.model, body_height_cm=height, outline=settings.outline)
    result = result_for(upload, analysed, cache_key="live_record_results")
    if result.error or result.analysis is None:
        st.error(result.error or "The recording could not be analysed.")
        return
    analysis = result.analysis
    summary = analysis.summary
    clients_page.step_numbers_ui(step, summary, key="live_record_measures")
    clients_page.save_live_ui(
        summary, step, rec.name, analysis.picture_jpeg, key="live_record_save", what="recording", client=client,
        hint=False,  # the client picker above already says where clients are added
    )
    results_ui(result)
